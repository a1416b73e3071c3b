//! `manifest.sha256`: the SHA-256 of every other bundle entry, in the format `sha256sum -c`
//! checks, so a requester (or the ICO) can confirm the documents are the ones sent without
//! any of our code.

use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io::{self, Read};

/// A manifest line that is not `<64 hex digits><two spaces><name>`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("manifest line {line}: {problem}")]
pub struct ManifestError {
    pub line: usize,
    pub problem: String,
}

/// Lower-case hex of a digest.
pub fn hex(digest: &[u8]) -> String {
    let mut s = String::with_capacity(digest.len() * 2);
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// SHA-256 of everything `reader` yields, streamed in blocks.
pub fn sha256_reader(mut reader: impl Read) -> io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().into())
}

/// The manifest text: one `<hex>  <name>` line per entry, sorted by name (byte order) so the
/// same entries always give the same manifest.
pub fn manifest(entries: &[(String, [u8; 32])]) -> String {
    let mut sorted: Vec<&(String, [u8; 32])> = entries.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (name, digest) in sorted {
        out.push_str(&hex(digest));
        out.push_str("  ");
        out.push_str(name);
        out.push('\n');
    }
    out
}

/// Reads a manifest back as `(name, lower-case hex)` pairs in file order. Accepts the binary
/// marker (`<hex> *<name>`) `sha256sum` writes with `-b` and CRLF line ends; rejects anything
/// else rather than guessing, because a manifest we misread is a check we did not make.
pub fn parse_manifest(text: &str) -> Result<Vec<(String, String)>, ManifestError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            continue;
        }
        let err = |problem: &str| ManifestError {
            line: i + 1,
            problem: problem.to_string(),
        };
        let (digest, rest) = line
            .split_at_checked(64)
            .ok_or_else(|| err("shorter than a SHA-256 digest"))?;
        if !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(err("the digest is not 64 hex digits"));
        }
        let name = rest
            .strip_prefix("  ")
            .or_else(|| rest.strip_prefix(" *"))
            .ok_or_else(|| err("expected two spaces between digest and name"))?;
        if name.is_empty() {
            return Err(err("no file name"));
        }
        out.push((name.to_string(), digest.to_ascii_lowercase()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_sha256sum_format() {
        let a = sha256_reader(&b"abc"[..]).unwrap();
        let e = sha256_reader(&b""[..]).unwrap();
        let text = manifest(&[
            ("0001-email-2025-03-14.pdf".into(), a),
            ("0000-index.pdf".into(), e),
        ]);
        assert_eq!(
            text,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  0000-index.pdf\n\
             ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  0001-email-2025-03-14.pdf\n"
        );
        let parsed = parse_manifest(&text).unwrap();
        assert_eq!(parsed[1].0, "0001-email-2025-03-14.pdf");
        assert_eq!(parsed[1].1, hex(&a));
    }

    #[test]
    fn sha256sum_checks_it() {
        if std::process::Command::new("sha256sum")
            .arg("--version")
            .output()
            .is_err()
        {
            eprintln!("SKIP: sha256sum not installed");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("0000-index.pdf"), b"%PDF-1.7 x").unwrap();
        let d = sha256_reader(&b"%PDF-1.7 x"[..]).unwrap();
        std::fs::write(
            dir.path().join("manifest.sha256"),
            manifest(&[("0000-index.pdf".into(), d)]),
        )
        .unwrap();
        let ok = std::process::Command::new("sha256sum")
            .args(["-c", "--strict", "manifest.sha256"])
            .current_dir(dir.path())
            .status()
            .unwrap();
        assert!(ok.success());
    }

    #[test]
    fn parser_accepts_variants_and_rejects_junk() {
        let h = "A".repeat(64);
        let p = parse_manifest(&format!("{h} *x.pdf\r\n\n{h}  y z.pdf\n")).unwrap();
        assert_eq!(
            p,
            vec![
                ("x.pdf".to_string(), "a".repeat(64)),
                ("y z.pdf".to_string(), "a".repeat(64))
            ]
        );
        assert_eq!(parse_manifest("abc  x.pdf").unwrap_err().line, 1);
        assert!(parse_manifest(&format!("{}  x.pdf", "g".repeat(64))).is_err());
        assert!(parse_manifest(&format!("{h} x.pdf")).is_err());
        assert!(parse_manifest(&format!("{h}  ")).is_err());
        assert!(parse_manifest(&format!("{h}é x.pdf")).is_err());
    }
}
