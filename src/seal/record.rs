//! The seal goes into the case record: the bundle's SHA-256 (so the copy sent can be proved
//! later) and when it was made. The case file is edited in place with its comments and layout
//! kept, since it is the DPO's own document.

use crate::case::casefile::Case;

pub struct Record {
    pub bundle: String,
    pub bundle_sha256: String,
    pub master_sha256: String,
    pub sealed_at: String,
    pub documents: u64,
    pub pages: u64,
}

pub fn record(case: &Case, r: &Record) -> Result<(), String> {
    let text = std::fs::read_to_string(&case.path).map_err(|e| e.to_string())?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| e.to_string())?;
    let mut t = toml_edit::Table::new();
    t.decor_mut().set_prefix(
        "\n# Written by `disclose seal`: what was sealed and its SHA-256 (check with sha256sum).\n",
    );
    t["bundle"] = toml_edit::value(r.bundle.clone());
    t["bundle_sha256"] = toml_edit::value(r.bundle_sha256.clone());
    t["master_sha256"] = toml_edit::value(r.master_sha256.clone());
    t["sealed_at"] = toml_edit::value(r.sealed_at.clone());
    t["documents"] = toml_edit::value(r.documents as i64);
    t["pages"] = toml_edit::value(r.pages as i64);
    doc["sealed"] = toml_edit::Item::Table(t);
    let updated = doc.to_string();
    // The edited file must still be a valid case before it replaces the old one.
    Case::parse(&updated, &case.path).map_err(|e| e.to_string())?;
    crate::fsutil::write_atomic(&case.path, updated.as_bytes()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::casefile::TEMPLATE;

    #[test]
    fn the_seal_is_added_and_comments_survive() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("case.toml");
        std::fs::write(&path, TEMPLATE).unwrap();
        let case = Case::load(&path).unwrap();
        let rec = Record {
            bundle: "SAR-2026-014.zip".into(),
            bundle_sha256: "ab".repeat(32),
            master_sha256: "cd".repeat(32),
            sealed_at: "2026-11-23T10:00:00Z".into(),
            documents: 7,
            pages: 31,
        };
        record(&case, &rec).unwrap();
        record(&case, &rec).unwrap(); // twice: replaced, not duplicated
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("# The SAR record for one Subject Access Request"));
        assert_eq!(text.matches("[sealed]").count(), 1);
        let again = Case::load(&path).unwrap();
        assert_eq!(
            again.file.sealed.bundle_sha256.as_deref(),
            Some("ab".repeat(32).as_str())
        );
        assert_eq!(again.file.sealed.pages, Some(31));
    }
}
