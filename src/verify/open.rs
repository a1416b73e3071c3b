//! Opening the bundle: the archive's own checks (encryption method of every entry, comments,
//! headers) and each entry's decrypted bytes.
//!
//! A password that opens no encrypted entry is the user's mistake, reported as
//! [`VerifyError::WrongPassword`]; a password that opens some entries but not others is a
//! broken bundle, reported as findings.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use zip::result::ZipError;
use zip::{AesMode, ZipArchive};

use super::report::{Finding, WHOLE_ZIP};
use super::VerifyError;
use crate::bundle::{hex, sha256_reader, MANIFEST_NAME};

/// Entries larger than this (decompressed) are not read: a finding, never a pass.
const MAX_ENTRY: u64 = 1 << 30;

pub(crate) struct OpenedEntry {
    pub name: String,
    /// SHA-256 (hex) of the decrypted bytes; `None` when they could not be read (a finding
    /// says why).
    pub sha256: Option<String>,
    /// The bytes of the manifest only: every other entry is checked as it is read and dropped,
    /// so a bundle of thousands of documents is verified in bounded memory.
    pub manifest: Option<Vec<u8>>,
    /// What the content check found, and the pages it counted.
    pub checked: Option<Checked>,
}

/// The outcome of checking one entry's content.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    pub pdf: bool,
    pub pages: usize,
    pub problems: Vec<String>,
}

pub(crate) struct Opened {
    pub entries: Vec<OpenedEntry>,
    pub findings: Vec<Finding>,
}

fn open_zip(path: &Path) -> Result<ZipArchive<BufReader<File>>, VerifyError> {
    let file = File::open(path).map_err(|source| VerifyError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    ZipArchive::new(BufReader::new(file)).map_err(|e| match e {
        ZipError::Io(source) => VerifyError::Open {
            path: path.to_path_buf(),
            source,
        },
        other => VerifyError::NotAZip {
            path: path.to_path_buf(),
            reason: other.to_string(),
        },
    })
}

/// Opens the bundle and checks every entry with `check` (name, decrypted bytes), in parallel,
/// one entry in memory per thread.
pub(crate) fn open_bundle(
    path: &Path,
    password: &str,
    check: &(dyn Fn(&str, &[u8]) -> Checked + Sync),
) -> Result<Opened, VerifyError> {
    use rayon::prelude::*;
    let mut zip = open_zip(path)?;
    let mut findings = archive_findings(&mut zip);
    // Names and encryption first, from the headers alone.
    let mut heads = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let meta = zip.by_index_data(i).map_err(|e| VerifyError::NotAZip {
            path: path.to_path_buf(),
            reason: format!("entry {i}: {e}"),
        })?;
        let raw = meta.name_raw().to_vec();
        let is_encrypted = meta.encrypted();
        let comment = !meta.comment_raw().is_empty();
        let name = match String::from_utf8(raw) {
            Ok(n) => n,
            Err(e) => {
                let n = String::from_utf8_lossy(e.as_bytes()).into_owned();
                findings.push(Finding::new(&n, "entry name is not valid UTF-8"));
                n
            }
        };
        if comment {
            findings.push(Finding::new(
                &name,
                "has an entry comment (stored unencrypted)",
            ));
        }
        if let Some(problem) = encryption_problem(&mut zip, i, is_encrypted) {
            findings.push(Finding::new(&name, problem));
        }
        heads.push((name, is_encrypted));
    }
    drop(zip);
    // Then the contents, each thread with its own handle on the file.
    type Read = (OpenedEntry, bool, Option<ReadFailure>);
    let results: Vec<Result<Read, VerifyError>> = heads
        .into_par_iter()
        .enumerate()
        .map_init(
            || open_zip(path),
            |zip, (i, (name, is_encrypted))| {
                let zip = match zip {
                    Ok(z) => z,
                    Err(e) => {
                        return Err(VerifyError::NotAZip {
                            path: path.to_path_buf(),
                            reason: e.to_string(),
                        })
                    }
                };
                let mut entry = OpenedEntry {
                    name,
                    sha256: None,
                    manifest: None,
                    checked: None,
                };
                match read_entry(zip, i, is_encrypted, password) {
                    Ok(data) => {
                        entry.sha256 = sha256_reader(data.as_slice()).ok().map(|d| hex(&d));
                        if entry.name == MANIFEST_NAME {
                            entry.manifest = Some(data);
                        } else {
                            entry.checked = Some(check(&entry.name, &data));
                        }
                        Ok((entry, is_encrypted, None))
                    }
                    Err(f) => Ok((entry, is_encrypted, Some(f))),
                }
            },
        )
        .collect();
    let mut entries = Vec::with_capacity(results.len());
    let (mut encrypted, mut rejected) = (0usize, Vec::new());
    for r in results {
        let (entry, is_encrypted, failure) = r?;
        encrypted += usize::from(is_encrypted);
        match failure {
            Some(ReadFailure::Password) => rejected.push(entry.name.clone()),
            Some(ReadFailure::Other(problem)) => findings.push(Finding::new(&entry.name, problem)),
            None => {}
        }
        entries.push(entry);
    }
    if encrypted > 0 && rejected.len() == encrypted {
        return Err(VerifyError::WrongPassword {
            path: path.to_path_buf(),
        });
    }
    for name in rejected {
        findings.push(Finding::new(
            name,
            "does not open with the password that opens the other entries",
        ));
    }
    Ok(Opened { entries, findings })
}

/// Problems of the archive as a whole: anything readable without the password that could
/// carry data, and local headers that disagree with the central directory (one tool would
/// then show other names or methods than another).
fn archive_findings<R: Read + std::io::Seek>(zip: &mut ZipArchive<R>) -> Vec<Finding> {
    let mut out = Vec::new();
    if !zip.comment().is_empty() {
        out.push(Finding::new(
            WHOLE_ZIP,
            "has an archive comment (stored unencrypted)",
        ));
    }
    if zip.offset() != 0 {
        out.push(Finding::new(
            WHOLE_ZIP,
            format!("has {} unexpected bytes before the archive", zip.offset()),
        ));
    }
    if zip.has_duplicate_names() {
        out.push(Finding::new(WHOLE_ZIP, "holds two entries with one name"));
    }
    if let Err(e) = zip.validate_header_consistency() {
        out.push(Finding::new(
            WHOLE_ZIP,
            format!("local and central headers disagree: {e}"),
        ));
    }
    if zip.is_empty() {
        out.push(Finding::new(WHOLE_ZIP, "holds no entries"));
    }
    out
}

/// Why entry `i` is not WinZip AES-256, if it is not.
fn encryption_problem<R: Read + std::io::Seek>(
    zip: &mut ZipArchive<R>,
    i: usize,
    is_encrypted: bool,
) -> Option<String> {
    if !is_encrypted {
        return Some("is not encrypted".into());
    }
    match zip.get_aes_verification_key_and_salt(i) {
        Ok(Some(info)) => match info.aes_mode {
            AesMode::Aes256 => None,
            AesMode::Aes192 => Some("is encrypted with AES-192, not AES-256".into()),
            AesMode::Aes128 => Some("is encrypted with AES-128, not AES-256".into()),
        },
        Ok(None) => Some("is encrypted with ZipCrypto (easily broken), not AES-256".into()),
        Err(e) => Some(format!("its encryption header cannot be read: {e}")),
    }
}

enum ReadFailure {
    Password,
    Other(String),
}

fn read_entry<R: Read + std::io::Seek>(
    zip: &mut ZipArchive<R>,
    i: usize,
    is_encrypted: bool,
    password: &str,
) -> Result<Vec<u8>, ReadFailure> {
    let opened = if is_encrypted {
        zip.by_index_decrypt(i, password.as_bytes())
    } else {
        zip.by_index(i)
    };
    let file = match opened {
        Ok(f) => f,
        Err(ZipError::InvalidPassword) => return Err(ReadFailure::Password),
        Err(e) => return Err(ReadFailure::Other(format!("cannot be opened: {e}"))),
    };
    let declared = file.size();
    if declared > MAX_ENTRY {
        return Err(ReadFailure::Other(format!(
            "is too large to check ({declared} bytes)"
        )));
    }
    let mut data = Vec::with_capacity(usize::try_from(declared).unwrap_or(0).min(64 << 20));
    // One byte past the limit, so an entry that lies about its size is still caught.
    match file.take(MAX_ENTRY + 1).read_to_end(&mut data) {
        Ok(_) if data.len() as u64 > MAX_ENTRY => Err(ReadFailure::Other(
            "is larger than its header says and too large to check".into(),
        )),
        Ok(_) => Ok(data),
        Err(e) => Err(ReadFailure::Other(format!(
            "cannot be read (corrupt or tampered: the authentication or checksum failed): {e}"
        ))),
    }
}
