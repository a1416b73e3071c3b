//! The original bytes of items a later stage must redact, render or copy into the unredacted
//! master bundle, kept content-addressed at `OUT/items/<sha256>`.
//!
//! Content addressing makes duplicates share one file for free and lets a re-run skip what is
//! already there. Each file is written once, through a temporary name and a rename, so a
//! reader never sees half a file; it is not forced to disk (a re-run rebuilds it), so a
//! consumer should check the hash, which [`read_item_blob`] does.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::driver::State;
use super::model::ItemKind;

/// The folder of item blobs inside the output folder.
pub fn items_dir(out: &Path) -> PathBuf {
    out.join("items")
}

/// Where the stored bytes of the item with this SHA-256 (lower-case hex, as in
/// `inventory.csv`) are kept.
pub fn item_blob_path(out: &Path, sha256: &str) -> PathBuf {
    items_dir(out).join(sha256)
}

/// Whether an item's own bytes are kept. Everything read from stored bytes is, except
/// containers whose contents are all items themselves (a PST, an mbox, a zip that was read)
/// and the export's listing files.
pub fn keeps_bytes(kind: ItemKind, state: State) -> bool {
    match kind {
        ItemKind::Pst | ItemKind::Mbox | ItemKind::Zip => state != State::Ok,
        ItemKind::ExportMetadata => false,
        _ => true,
    }
}

/// Writes `bytes` as the blob for `sha256` in `dir` unless it is there already. Returns
/// whether it wrote.
pub fn store(dir: &Path, sha256: &str, bytes: &[u8]) -> io::Result<bool> {
    let Some(path) = vacant(dir, sha256)? else {
        return Ok(false);
    };
    let tmp = crate::fsutil::unique_temp(dir, sha256);
    let written = (|| {
        let mut f = crate::fsutil::create_private(&tmp)?;
        f.write_all(bytes)?;
        drop(f);
        std::fs::rename(&tmp, &path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map(|()| true)
}

/// [`store`] for an item that is a whole file of the export: a hard link to that file where
/// the file system allows one, else a copy of `bytes`. A link costs no copy and no new inode
/// (creating ~10,000 inodes is a measurable share of an ingest, and contended between
/// threads); it keeps the bytes if the export is moved or deleted, and if the file is changed
/// in place afterwards, [`read_item_blob`]'s hash check says so rather than seal other bytes.
pub fn store_linked(dir: &Path, sha256: &str, source: &Path, bytes: &[u8]) -> io::Result<bool> {
    let Some(path) = vacant(dir, sha256)? else {
        return Ok(false);
    };
    match std::fs::hard_link(source, &path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        // Another file system, or links not allowed: copy.
        Err(_) => store(dir, sha256, bytes),
    }
}

/// Where the blob for `sha256` goes in `dir`, or `None` when it is kept already. A name that
/// is not a SHA-256 is refused: it would be a path of someone else's choosing.
fn vacant(dir: &Path, sha256: &str) -> io::Result<Option<PathBuf>> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(io::Error::other(format!("not a SHA-256: {sha256:?}")));
    }
    let path = dir.join(sha256);
    Ok((!path.exists()).then_some(path))
}

/// An item's stored bytes, checked against its SHA-256.
pub fn read_item_blob(out: &Path, sha256: &str) -> io::Result<Vec<u8>> {
    let path = item_blob_path(out, sha256);
    let bytes = std::fs::read(&path)?;
    let got = super::driver::hex(&Sha256::digest(&bytes));
    if !got.eq_ignore_ascii_case(sha256) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is damaged: its SHA-256 is {got}", path.display()),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_content_addressed_written_once_and_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        let dir = items_dir(out);
        crate::fsutil::private_dir(&dir).unwrap();
        let bytes = b"%PDF-1.4 report for Ava";
        let sha = super::super::driver::sha256_hex(bytes);
        assert!(store(&dir, &sha, bytes).unwrap());
        assert!(!store(&dir, &sha, bytes).unwrap(), "second copy skipped");
        assert_eq!(read_item_blob(out, &sha).unwrap(), bytes);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temp left");
        std::fs::write(item_blob_path(out, &sha), b"tampered").unwrap();
        assert!(read_item_blob(out, &sha).is_err());
        assert!(store(&dir, "../escape", bytes).is_err());
    }

    #[test]
    fn a_file_of_the_export_is_kept_as_a_link_and_a_later_edit_is_caught() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let dir = items_dir(&out);
        crate::fsutil::private_dir(&dir).unwrap();
        let source = tmp.path().join("message.eml");
        let bytes = b"From: a@b\r\n\r\nAva's report";
        std::fs::write(&source, bytes).unwrap();
        let sha = super::super::driver::sha256_hex(bytes);
        assert!(store_linked(&dir, &sha, &source, bytes).unwrap());
        assert!(!store_linked(&dir, &sha, &source, bytes).unwrap());
        assert_eq!(read_item_blob(&out, &sha).unwrap(), bytes);
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            assert_eq!(
                std::fs::metadata(&source).unwrap().nlink(),
                2,
                "a link, not a copy"
            );
        }
        // The export deleted: the kept bytes stay.
        std::fs::remove_file(&source).unwrap();
        assert_eq!(read_item_blob(&out, &sha).unwrap(), bytes);
        // A source that cannot be linked (gone): the bytes are copied instead.
        let other = b"other bytes";
        let sha2 = super::super::driver::sha256_hex(other);
        assert!(store_linked(&dir, &sha2, &source, other).unwrap());
        assert_eq!(read_item_blob(&out, &sha2).unwrap(), other);
        // Edited in place after the scan: reading says so.
        std::fs::write(item_blob_path(&out, &sha), b"edited").unwrap();
        assert!(read_item_blob(&out, &sha).is_err());
    }
}
