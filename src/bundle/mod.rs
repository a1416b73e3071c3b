//! The sealed bundle: an AES-256 zip of the redacted PDFs and their `manifest.sha256`, and
//! the password that opens it (sent by a different channel). The same writer makes the
//! DPO's master copy. Checking a written bundle is [`crate::verify`]'s job, independently.

mod manifest;
mod names;
mod password;
mod zipwrite;

use std::io::{self, Read};
use std::path::{Path, PathBuf};

pub use manifest::{hex, manifest, parse_manifest, sha256_reader, ManifestError};
pub use names::{is_safe_entry_name, original_stem, MANIFEST_NAME, ORIGINAL_EXTENSIONS};
pub use password::{generate_password, password_bits, write_secret};
pub use zipwrite::write_encrypted_zip;

/// Where an entry's bytes come from: built in memory (the manifest, a rendered PDF) or a
/// file on disk, streamed into the zip so large originals are never held in memory.
#[derive(Debug, Clone)]
pub enum EntrySource {
    Bytes(Vec<u8>),
    File(PathBuf),
}

/// One file inside the zip.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path inside the zip. For the requester's bundle it must pass [`is_safe_entry_name`]
    /// (the writer does not enforce that, so the same writer serves the master copy).
    pub name: String,
    pub source: EntrySource,
}

/// What was written: the zip's own SHA-256 (for the case record) and how many entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipWritten {
    /// Lower-case hex SHA-256 of the finished zip file.
    pub sha256: String,
    pub entries: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("zip entry name {name:?} {reason}")]
    BadName { name: String, reason: &'static str },
    #[error("refusing to encrypt with an empty password")]
    EmptyPassword,
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("writing zip entry {entry}: {source}")]
    Zip {
        entry: String,
        #[source]
        source: zip::result::ZipError,
    },
}

impl BundleError {
    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        BundleError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
    pub(crate) fn zip(entry: &str, source: zip::result::ZipError) -> Self {
        BundleError::Zip {
            entry: entry.to_string(),
            source,
        }
    }
}

impl EntrySource {
    /// SHA-256 of the entry's bytes, streaming a file source.
    pub fn sha256(&self) -> io::Result<[u8; 32]> {
        match self {
            EntrySource::Bytes(b) => sha256_reader(b.as_slice()),
            EntrySource::File(p) => sha256_reader(std::fs::File::open(p)?),
        }
    }

    /// Reader over the entry's bytes.
    pub fn open(&self) -> io::Result<Box<dyn Read + '_>> {
        Ok(match self {
            EntrySource::Bytes(b) => Box::new(b.as_slice()),
            EntrySource::File(p) => Box::new(std::fs::File::open(p)?),
        })
    }
}

/// Hashes every entry and appends `manifest.sha256` listing them: the usual way to build a
/// bundle's entry list before [`write_encrypted_zip`]. Fails if an entry is already named
/// `manifest.sha256` or a file source cannot be read.
pub fn add_manifest(entries: &mut Vec<Entry>) -> Result<(), BundleError> {
    let mut hashes = Vec::with_capacity(entries.len());
    for e in entries.iter() {
        if e.name == MANIFEST_NAME {
            return Err(BundleError::BadName {
                name: e.name.clone(),
                reason: "is reserved for the manifest this adds",
            });
        }
        let digest = e.source.sha256().map_err(|err| {
            let path = match &e.source {
                EntrySource::File(p) => p.clone(),
                EntrySource::Bytes(_) => PathBuf::from(&e.name),
            };
            BundleError::Io {
                action: "hashing",
                path,
                source: err,
            }
        })?;
        hashes.push((e.name.clone(), digest));
    }
    entries.push(Entry {
        name: MANIFEST_NAME.to_string(),
        source: EntrySource::Bytes(manifest(&hashes).into_bytes()),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_manifest_lists_every_entry_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("x.pdf");
        std::fs::write(&f, b"file bytes").unwrap();
        let mut entries = vec![
            Entry {
                name: "0001-email.pdf".into(),
                source: EntrySource::File(f),
            },
            Entry {
                name: "0000-index.pdf".into(),
                source: EntrySource::Bytes(b"index".to_vec()),
            },
        ];
        add_manifest(&mut entries).unwrap();
        let EntrySource::Bytes(m) = &entries[2].source else {
            panic!("manifest must be in memory")
        };
        let parsed = parse_manifest(std::str::from_utf8(m).unwrap()).unwrap();
        assert_eq!(
            parsed,
            vec![
                (
                    "0000-index.pdf".to_string(),
                    hex(&sha256_reader(&b"index"[..]).unwrap())
                ),
                (
                    "0001-email.pdf".to_string(),
                    hex(&sha256_reader(&b"file bytes"[..]).unwrap())
                ),
            ]
        );
        assert!(add_manifest(&mut entries).is_err(), "second manifest");
    }
}
