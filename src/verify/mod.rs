//! `disclose verify`: opens a sealed bundle with its password and proves, independently of
//! the code that redacted it, that it is safe to send. Fail-closed: anything that cannot be
//! read or checked is a finding, and a bundle passes only with no findings at all.
//!
//! Checked: every entry WinZip AES-256; entry names carry no personal data; the manifest
//! lists every other entry once with its right SHA-256; and each PDF (see `pdfcheck.rs`)
//! holds none of the forbidden terms (the text the case redacted) in its extracted text,
//! decoded streams, strings or names, and no metadata, annotations, forms, JavaScript,
//! attachments or encryption. It deliberately does not use [`crate::pdf`], the redaction
//! engine: a second, independent reader is the point.

mod open;
mod pdfcheck;
mod report;
mod scan;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::bundle::{is_safe_entry_name, parse_manifest, MANIFEST_NAME};

pub use report::{Finding, VerifyReport, WHOLE_ZIP};

/// Why verification could not run at all (as opposed to findings, which it reports).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot read {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a zip archive (or is damaged): {reason}", path.display())]
    NotAZip { path: PathBuf, reason: String },
    #[error("wrong password for {}: it opens none of the encrypted entries", path.display())]
    WrongPassword { path: PathBuf },
    #[error("cannot use the forbidden terms: {0}")]
    Terms(#[from] crate::text::TermError),
}

/// Verifies the bundle at `zip` opened with `password`, looking for each of `forbidden`
/// (names and other text the case redacted; may be empty). `Ok` carries the report, which
/// may still have failed: check [`VerifyReport::passed`].
pub fn verify_bundle(
    zip: &Path,
    password: &str,
    forbidden: &[String],
) -> Result<VerifyReport, VerifyError> {
    let terms = scan::Forbidden::new(forbidden)?;
    let check = |name: &str, data: &[u8]| -> open::Checked {
        let mut c = open::Checked::default();
        if !data.starts_with(b"%PDF-") {
            // An original the DPO chose to disclose as it stands may be a photo or a recording;
            // anything else that is not a PDF has no business in a bundle.
            if crate::bundle::original_stem(name).is_none() {
                c.problems.push(
                    "is not a PDF (a bundle holds PDFs, originals disclosed as they stand, and the manifest)"
                        .into(),
                );
            }
            for t in terms.hits_in_bytes(data) {
                c.problems
                    .push(format!("forbidden term {t:?} in its bytes"));
            }
            return c;
        }
        let checked = pdfcheck::check_pdf(data, &terms);
        c.pdf = true;
        c.pages = checked.pages;
        c.problems = checked.problems;
        c
    };
    let opened = open::open_bundle(zip, password, &check)?;
    let mut report = VerifyReport {
        entries: opened.entries.len(),
        findings: opened.findings,
        ..VerifyReport::default()
    };
    for entry in &opened.entries {
        if !is_safe_entry_name(&entry.name) {
            report.findings.push(Finding::new(
                &entry.name,
                "entry name is not of the form NNNN-kind[-YYYY-MM-DD].pdf or manifest.sha256 \
                 (zip names are readable without the password)",
            ));
        }
        for t in terms.hits(&entry.name) {
            report.findings.push(Finding::new(
                &entry.name,
                format!("forbidden term {t:?} in the entry name"),
            ));
        }
    }
    report.findings.extend(check_manifest(&opened.entries));
    for entry in &opened.entries {
        let Some(c) = &entry.checked else { continue };
        if c.pdf {
            report.pdfs += 1;
            report.pages += c.pages;
        }
        report.findings.extend(
            c.problems
                .iter()
                .map(|p| Finding::new(&entry.name, p.clone())),
        );
    }
    Ok(report)
}

/// The manifest must exist, parse, and list every other entry exactly once with the SHA-256
/// of its decrypted bytes, and nothing else.
fn check_manifest(entries: &[open::OpenedEntry]) -> Vec<Finding> {
    let mut out = Vec::new();
    let manifests: Vec<&open::OpenedEntry> =
        entries.iter().filter(|e| e.name == MANIFEST_NAME).collect();
    let manifest = match manifests.as_slice() {
        [] => {
            out.push(Finding::new(WHOLE_ZIP, "has no manifest.sha256"));
            return out;
        }
        [one] => one,
        _ => {
            out.push(Finding::new(MANIFEST_NAME, "appears more than once"));
            return out;
        }
    };
    let Some(data) = &manifest.manifest else {
        // Already a finding: it could not be read.
        return out;
    };
    let listed = match std::str::from_utf8(data)
        .map_err(|_| "is not UTF-8 text".to_string())
        .and_then(|t| parse_manifest(t).map_err(|e| e.to_string()))
    {
        Ok(l) => l,
        Err(e) => {
            out.push(Finding::new(MANIFEST_NAME, format!("cannot be read: {e}")));
            return out;
        }
    };
    let mut by_name: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, digest) in &listed {
        by_name.entry(name).or_default().push(digest);
    }
    for entry in entries.iter().filter(|e| e.name != MANIFEST_NAME) {
        match by_name.remove(entry.name.as_str()).as_deref() {
            None => out.push(Finding::new(
                &entry.name,
                "is not listed in manifest.sha256",
            )),
            Some([digest]) => {
                // Unreadable entries are already findings.
                if let Some(actual) = &entry.sha256 {
                    if actual.as_str() != *digest {
                        out.push(Finding::new(
                            &entry.name,
                            "SHA-256 does not match manifest.sha256 (changed after sealing)",
                        ));
                    }
                }
            }
            Some(_) => out.push(Finding::new(
                &entry.name,
                "is listed more than once in manifest.sha256",
            )),
        }
    }
    let mut missing: Vec<&str> = by_name.into_keys().collect();
    missing.sort_unstable();
    for name in missing {
        let problem = if name == MANIFEST_NAME {
            "lists itself".to_string()
        } else {
            format!("lists {name:?}, which is not in the zip")
        };
        out.push(Finding::new(MANIFEST_NAME, problem));
    }
    out
}
