//! Writing the encrypted zip: every entry WinZip AES-256, deflated, written to a temporary
//! file and renamed into place only when complete.
//!
//! Entries are written in name order with a fixed timestamp (1980-01-01 00:00), fixed
//! permissions and a fixed compression level, so the same inputs give the same entries.
//! The zip's bytes still differ from run to run: WinZip AES draws a random salt per entry,
//! and reusing a salt would weaken the encryption. What is reproducible is what is inside:
//! the PDFs and `manifest.sha256`.
//!
//! WinZip AES derives a fresh key per entry (PBKDF2, 1,000 rounds), so a bundle or master copy
//! of tens of thousands of entries spends most of its write time deriving keys, not moving
//! bytes. Contiguous runs of the name-ordered entries are therefore written as part zips in
//! parallel, then copied raw (no re-encryption) into the final zip in order.

use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use zip::write::SimpleFileOptions;
use zip::{AesMode, CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::manifest::{hex, sha256_reader};
use super::{BundleError, Entry, EntrySource, ZipWritten};

/// Files at least this large are written with Zip64 headers.
const LARGE_FILE: u64 = 1 << 31;

/// Writes `entries` into a new zip at `path`, each encrypted with WinZip AES-256 under
/// `password`. Names must be relative paths without `..` or backslashes, and unique.
pub fn write_encrypted_zip(
    path: &Path,
    entries: &[Entry],
    password: &str,
) -> Result<ZipWritten, BundleError> {
    if password.is_empty() {
        return Err(BundleError::EmptyPassword);
    }
    let mut ordered: Vec<&Entry> = entries.iter().collect();
    ordered.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in ordered.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(BundleError::BadName {
                name: pair[0].name.clone(),
                reason: "appears twice",
            });
        }
    }
    for e in &ordered {
        check_name(&e.name)?;
    }
    let parts = write_parts(path, &ordered, password)?;
    let sha256 = crate::fsutil::write_atomic_with(path, |file| {
        merge_parts(file, &parts.paths)?;
        file.seek(SeekFrom::Start(0))?;
        let digest = sha256_reader(&mut *file)?;
        Ok::<_, Step>(hex(&digest))
    })
    .map_err(|e| match e {
        Step::Io(e) => BundleError::io("writing", path, e),
        Step::Bundle(e) => e,
    })?;
    Ok(ZipWritten {
        sha256,
        entries: ordered.len(),
    })
}

/// A failure inside the atomic write: the temp file's own I/O (opening, syncing, renaming,
/// hashing), reported against the zip's path, or an entry's error as it stands.
enum Step {
    Io(io::Error),
    Bundle(BundleError),
}

impl From<io::Error> for Step {
    fn from(e: io::Error) -> Self {
        Step::Io(e)
    }
}

impl From<BundleError> for Step {
    fn from(e: BundleError) -> Self {
        Step::Bundle(e)
    }
}

/// Formats that are compressed already (PDF streams, images, Office files) are stored: deflate
/// would spend most of the bundle's write time to save almost nothing. Text is deflated.
fn compression_for(name: &str) -> (CompressionMethod, Option<i64>) {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some(
            "pdf" | "jpg" | "jpeg" | "png" | "gif" | "heic" | "mp3" | "mp4" | "m4a" | "zip"
            | "xlsx" | "docx" | "pptx" | "gz",
        ) => (CompressionMethod::Stored, None),
        _ => (CompressionMethod::Deflated, Some(1)),
    }
}

/// The part zips beside the final one, removed when dropped (written or not).
struct Parts {
    paths: Vec<PathBuf>,
}

impl Drop for Parts {
    fn drop(&mut self) {
        for p in &self.paths {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Entries per part at least: below this a part's set-up costs more than its parallelism saves.
const MIN_PART: usize = 16;

/// Writes `entries` (in name order) as one part zip per worker thread, in parallel, each in the
/// final zip's folder (the case folder, never the system temp dir) with a hidden name.
fn write_parts(path: &Path, entries: &[&Entry], password: &str) -> Result<Parts, BundleError> {
    let threads = rayon::current_num_threads().max(1);
    let per_part = entries.len().div_ceil(threads).max(MIN_PART);
    let chunks: Vec<&[&Entry]> = if entries.is_empty() {
        vec![entries]
    } else {
        entries.chunks(per_part).collect()
    };
    let parts = Parts {
        paths: (0..chunks.len())
            .map(|_| crate::fsutil::temp_path(path))
            .collect(),
    };
    chunks
        .par_iter()
        .zip(&parts.paths)
        .try_for_each(|(chunk, part)| {
            let mut file = crate::fsutil::create_private(part)
                .map_err(|e| BundleError::io("writing", part, e))?;
            write_entries(&mut file, chunk, password)
        })?;
    Ok(parts)
}

/// Copies every part's entries, still compressed and encrypted, into `file` in part order.
fn merge_parts(file: &mut File, parts: &[PathBuf]) -> Result<(), BundleError> {
    let mut zip = ZipWriter::new(io::BufWriter::new(file));
    for part in parts {
        let src = File::open(part).map_err(|e| BundleError::io("reading", part, e))?;
        let archive = ZipArchive::new(io::BufReader::new(src))
            .map_err(|e| BundleError::zip("(merging the parts)", e))?;
        zip.merge_archive(archive)
            .map_err(|e| BundleError::zip("(merging the parts)", e))?;
    }
    let mut out = zip
        .finish()
        .map_err(|e| BundleError::zip("(central directory)", e))?;
    io::Write::flush(&mut out).map_err(|e| BundleError::zip("(central directory)", e.into()))?;
    Ok(())
}

fn write_entries(file: &mut File, entries: &[&Entry], password: &str) -> Result<(), BundleError> {
    let mut zip = ZipWriter::new(io::BufWriter::new(file));
    for entry in entries {
        let size = match &entry.source {
            EntrySource::Bytes(b) => b.len() as u64,
            EntrySource::File(p) => std::fs::metadata(p)
                .map_err(|e| BundleError::io("reading", p, e))?
                .len(),
        };
        let (method, level) = compression_for(&entry.name);
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .compression_level(level)
            .last_modified_time(DateTime::default())
            .system(zip::System::Unix)
            .unix_permissions(0o600)
            .large_file(size >= LARGE_FILE)
            .with_aes_encryption(AesMode::Aes256, password);
        zip.start_file(entry.name.as_str(), options)
            .map_err(|e| BundleError::zip(&entry.name, e))?;
        match &entry.source {
            EntrySource::Bytes(b) => io::Write::write_all(&mut zip, b)
                .map_err(|e| BundleError::zip(&entry.name, e.into()))?,
            EntrySource::File(p) => {
                let mut f = File::open(p).map_err(|e| BundleError::io("reading", p, e))?;
                io::copy(&mut f, &mut zip).map_err(|e| BundleError::io("copying", p, e))?;
            }
        }
    }
    let mut out = zip
        .finish()
        .map_err(|e| BundleError::zip("(central directory)", e))?;
    io::Write::flush(&mut out).map_err(|e| BundleError::zip("(central directory)", e.into()))?;
    Ok(())
}

/// Names that would extract outside the target folder, or differently on Windows, are
/// refused: the master copy holds original file names and is opened by hand.
fn check_name(name: &str) -> Result<(), BundleError> {
    let bad = |reason| {
        Err(BundleError::BadName {
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("is empty");
    }
    if name.starts_with('/') || name.contains('\\') || name.contains('\0') {
        return bad("must be a relative path with forward slashes");
    }
    if name.ends_with('/') {
        return bad("names a folder, not a file");
    }
    if name
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return bad("has an empty, '.' or '..' path component");
    }
    if name.len() > u16::MAX as usize {
        return bad("is too long for a zip entry name");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn bytes(name: &str, b: &[u8]) -> Entry {
        Entry {
            name: name.into(),
            source: EntrySource::Bytes(b.to_vec()),
        }
    }

    #[test]
    fn every_entry_is_aes256_in_name_order_with_a_fixed_time() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.bin");
        let content: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&big, &content).unwrap();
        let zpath = dir.path().join("REF.zip");
        let entries = vec![
            bytes("manifest.sha256", b"m\n"),
            Entry {
                name: "0001-email-2025-03-14.pdf".into(),
                source: EntrySource::File(big.clone()),
            },
            bytes("0000-index.pdf", b"%PDF-index"),
        ];
        let w = write_encrypted_zip(&zpath, &entries, "pw-one").unwrap();
        assert_eq!(w.entries, 3);
        let on_disk = sha256_reader(File::open(&zpath).unwrap()).unwrap();
        assert_eq!(w.sha256, hex(&on_disk));

        let mut z = zip::ZipArchive::new(File::open(&zpath).unwrap()).unwrap();
        let names: Vec<String> = z.file_names().map(|n| n.unwrap().into_owned()).collect();
        assert_eq!(
            names,
            [
                "0000-index.pdf",
                "0001-email-2025-03-14.pdf",
                "manifest.sha256"
            ]
        );
        for i in 0..z.len() {
            let info = z.get_aes_verification_key_and_salt(i).unwrap().unwrap();
            assert_eq!(info.aes_mode, AesMode::Aes256);
            let mut f = z.by_index_decrypt(i, b"pw-one").unwrap();
            let want = if f.name().is_ok_and(|n| n.ends_with(".pdf")) {
                CompressionMethod::Stored
            } else {
                CompressionMethod::Deflated
            };
            assert_eq!(f.compression(), want);
            assert_eq!(f.last_modified(), Some(DateTime::default()));
            let mut got = Vec::new();
            f.read_to_end(&mut got).unwrap();
            if i == 1 {
                assert_eq!(got, content);
            }
        }
        assert!(matches!(
            z.by_index_decrypt(0, b"wrong"),
            Err(zip::result::ZipError::InvalidPassword)
        ));
    }

    #[test]
    fn parts_written_in_parallel_merge_into_one_zip_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        let zpath = dir.path().join("REF-master.zip");
        // More entries than one part holds, on more threads than this machine may have, so the
        // merge of several parts is what is checked.
        let entries: Vec<Entry> = (0..100)
            .rev()
            .map(|i| {
                let name = if i % 3 == 0 {
                    format!("originals/{i:04}-note.txt")
                } else {
                    format!("{i:04}-email-2025-03-14.pdf")
                };
                bytes(&name, format!("entry {i} ").repeat(i + 1).as_bytes())
            })
            .collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let w = pool
            .install(|| write_encrypted_zip(&zpath, &entries, "pw-merge"))
            .unwrap();
        assert_eq!(w.entries, 100);
        let on_disk = sha256_reader(File::open(&zpath).unwrap()).unwrap();
        assert_eq!(w.sha256, hex(&on_disk));
        let mut z = zip::ZipArchive::new(File::open(&zpath).unwrap()).unwrap();
        let names: Vec<String> = z.file_names().map(|n| n.unwrap().into_owned()).collect();
        let mut want: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
        want.sort();
        assert_eq!(names, want);
        for i in 0..z.len() {
            let info = z.get_aes_verification_key_and_salt(i).unwrap().unwrap();
            assert_eq!(info.aes_mode, AesMode::Aes256);
            let mut f = z.by_index_decrypt(i, b"pw-merge").unwrap();
            let name = f.name().unwrap().to_string();
            let n: usize = name
                .trim_start_matches("originals/")
                .get(..4)
                .unwrap()
                .parse()
                .unwrap();
            let mut got = Vec::new();
            f.read_to_end(&mut got).unwrap();
            assert_eq!(
                got,
                format!("entry {n} ").repeat(n + 1).into_bytes(),
                "{name}"
            );
        }
        // Only the zip is left: the parts are gone.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["REF-master.zip"]);
    }

    #[test]
    fn refuses_unsafe_names_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let zpath = dir.path().join("REF.zip");
        for name in ["../x.pdf", "/x.pdf", "a\\b.pdf", "a//b", "dir/", ""] {
            let r = write_encrypted_zip(&zpath, &[bytes(name, b"x")], "pw");
            assert!(matches!(r, Err(BundleError::BadName { .. })), "{name:?}");
        }
        let dup = [bytes("a.pdf", b"1"), bytes("a.pdf", b"2")];
        assert!(write_encrypted_zip(&zpath, &dup, "pw").is_err());
        assert!(matches!(
            write_encrypted_zip(&zpath, &[bytes("a.pdf", b"1")], ""),
            Err(BundleError::EmptyPassword)
        ));
        // A source that vanished mid-write: the error names it and no zip appears.
        let missing = Entry {
            name: "b.pdf".into(),
            source: EntrySource::File(dir.path().join("gone.pdf")),
        };
        let err = write_encrypted_zip(&zpath, &[bytes("a.pdf", b"1"), missing], "pw")
            .unwrap_err()
            .to_string();
        assert!(err.contains("gone.pdf"), "{err}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
        // Nested relative names are fine (the master copy uses folders).
        write_encrypted_zip(&zpath, &[bytes("originals/0001.eml", b"x")], "pw").unwrap();
    }
}
