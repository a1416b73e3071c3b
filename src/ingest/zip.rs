//! Zip archives: Purview and Vault downloads, and zips attached to mail.
//!
//! Read in place from memory, never unpacked to disk. A zip is the classic way to make a small
//! input exhaust memory or time, so nothing in its headers is trusted: every entry is inflated
//! through a reader that stops one byte past the tightest bound that applies to it, and the
//! bound that stopped it is named in the entry's failure.

use std::io::Cursor;

use zip::result::ZipError;
use zip::ZipArchive;

use super::model::{Child, ChildContent, Input, ItemKind, Own, ReadError};
use super::ziputil::{inflate_capped, RATIO_EXEMPT_BYTES};

/// The first allocation for an entry, whatever its header claims: a lying header must not make
/// a 1 KB entry reserve the whole item limit.
const INITIAL_BUFFER: u64 = 8 << 20;

/// What one entry's metadata says, copied out before the entry is opened.
struct EntryInfo {
    name: String,
    is_dir: bool,
    is_symlink: bool,
    encrypted: bool,
    size: u64,
    compressed: u64,
}

/// Emits every file entry, in archive order, as bytes; directories are skipped. An entry that
/// cannot or may not be read becomes a failed child naming why, and the rest go on.
pub fn read(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let limits = input.limits;
    let mut archive = ZipArchive::new(Cursor::new(input.bytes)).map_err(open_error)?;
    // Entries sharing compressed data are how the densest zip bombs are built; no legitimate
    // export does it, so the archive as a whole is refused.
    if let Ok(true) = archive.has_overlapping_files() {
        return Err(ReadError::Limit(
            "entries share compressed data (an overlapping zip bomb); not read".into(),
        ));
    }
    let mut own = Own::new(ItemKind::Zip, String::new());
    if archive.has_duplicate_names() {
        own.notes.push(
            "the archive lists some names more than once; only one entry of each name is read"
                .into(),
        );
    }

    let count = archive.len();
    let mut inflated_total: u64 = 0;
    let mut files = 0usize;
    let mut failed = 0usize;
    let mut fail = |emit: &mut dyn FnMut(Child), name: String, reason: String| {
        failed += 1;
        emit(Child {
            levels: vec![name],
            content: ChildContent::Failed {
                reason,
                hash_bytes: None,
            },
        });
    };
    for i in 0..count {
        if i >= limits.max_entries {
            let reason = format!(
                "not read: archive has {count} entries, more than {} (max_entries)",
                limits.max_entries
            );
            own.notes
                .push(format!("entries {}–{count} not read: {reason}", i + 1));
            fail(emit, format!("entries {}–{count}", i + 1), reason);
            break;
        }
        let info = match entry_info(&archive, i) {
            Some(info) => info,
            None => {
                fail(
                    emit,
                    format!("entry-{}", i + 1),
                    "unreadable entry header".into(),
                );
                continue;
            }
        };
        if info.is_dir {
            continue;
        }
        files += 1;
        if info.encrypted {
            fail(emit, info.name, "encrypted entry".into());
            continue;
        }
        if info.is_symlink {
            fail(emit, info.name, "symbolic link; not followed".into());
            continue;
        }
        if info.size > limits.max_item_bytes {
            let reason = format!(
                "entry declares {} bytes, over the {} byte item limit (max_item_bytes)",
                info.size, limits.max_item_bytes
            );
            fail(emit, info.name, reason);
            continue;
        }
        let ratio_cap = ratio_cap(info.compressed, limits.max_ratio);
        if info.size > ratio_cap {
            fail(emit, info.name, ratio_reason(limits.max_ratio));
            continue;
        }

        let total_cap = limits.max_archive_total.saturating_sub(inflated_total);
        let cap = limits.max_item_bytes.min(ratio_cap).min(total_cap);
        let mut buf = Vec::new();
        let read = match archive.by_index(i) {
            Ok(file) => inflate_capped(file, cap, info.size.min(INITIAL_BUFFER), &mut buf),
            Err(e) => {
                fail(emit, info.name, entry_error(e));
                continue;
            }
        };
        inflated_total = inflated_total.saturating_add(buf.len() as u64);
        if let Err(e) = read {
            fail(emit, info.name, format!("corrupt entry: {e}"));
            continue;
        }
        let got = buf.len() as u64;
        if got <= cap {
            emit(Child {
                levels: vec![info.name],
                content: ChildContent::Bytes(buf),
            });
            continue;
        }
        drop(buf);
        if cap == ratio_cap {
            fail(emit, info.name, ratio_reason(limits.max_ratio));
        } else if cap == limits.max_item_bytes {
            let reason = format!(
                "entry inflates past the {} byte item limit (max_item_bytes)",
                limits.max_item_bytes
            );
            fail(emit, info.name, reason);
        } else {
            // Past the archive total nothing more is inflated: name every entry left.
            let reason = format!(
                "archive inflates past {} bytes in total (max_archive_total)",
                limits.max_archive_total
            );
            fail(emit, info.name, reason.clone());
            let mut skipped = 0usize;
            for j in i + 1..count.min(limits.max_entries) {
                match entry_info(&archive, j) {
                    Some(rest) if rest.is_dir => {}
                    Some(rest) => {
                        skipped += 1;
                        fail(emit, rest.name, format!("not read: {reason}"));
                    }
                    None => {
                        skipped += 1;
                        fail(
                            emit,
                            format!("entry-{}", j + 1),
                            format!("not read: {reason}"),
                        );
                    }
                }
            }
            files += skipped;
            own.notes
                .push(format!("stopped after entry {}: {reason}", i + 1));
            break;
        }
    }
    own.notes.insert(
        0,
        format!("{files} file entries, {failed} not read; {inflated_total} bytes inflated"),
    );
    Ok(own)
}

fn entry_info(archive: &ZipArchive<Cursor<&[u8]>>, i: usize) -> Option<EntryInfo> {
    let entry = archive.by_index_data(i).ok()?;
    let name = match entry.name() {
        Ok(n) => n.into_owned(),
        Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
    };
    Some(EntryInfo {
        name: if name.is_empty() {
            format!("entry-{}", i + 1)
        } else {
            name
        },
        is_dir: entry.is_dir(),
        is_symlink: entry.is_symlink(),
        encrypted: entry.encrypted(),
        size: entry.size(),
        compressed: entry.compressed_size(),
    })
}

/// Most bytes an entry of `compressed` bytes may inflate to.
fn ratio_cap(compressed: u64, max_ratio: u64) -> u64 {
    compressed
        .max(1)
        .saturating_mul(max_ratio)
        .max(RATIO_EXEMPT_BYTES)
}

fn ratio_reason(max_ratio: u64) -> String {
    format!("entry inflates past {max_ratio}:1 (max_ratio)")
}

fn open_error(e: ZipError) -> ReadError {
    match e {
        ZipError::UnsupportedArchive(m) => ReadError::Unsupported(format!("zip: {m}")),
        ZipError::InvalidPassword => ReadError::Encrypted("zip".into()),
        e => ReadError::Corrupt(format!("zip: {e}")),
    }
}

fn entry_error(e: ZipError) -> String {
    match e {
        ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED) | ZipError::InvalidPassword => {
            "encrypted entry".into()
        }
        ZipError::CompressionMethodNotSupported(m) => {
            format!("entry uses compression method {m}, which is not supported")
        }
        ZipError::UnsupportedArchive(m) => format!("unsupported entry: {m}"),
        e => format!("corrupt entry: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::model::Limits;
    use crate::ingest::ziputil::test_support::{build_zip as build, deflated, stored};
    use zip::write::SimpleFileOptions;
    use zip::{AesMode, CompressionMethod};

    fn run(bytes: &[u8], limits: &Limits) -> (Result<Own, ReadError>, Vec<Child>) {
        let input = Input {
            bytes,
            name: "export.zip",
            limits,
        };
        let mut children = Vec::new();
        let own = read(&input, &mut |c| children.push(c));
        (own, children)
    }

    /// Each child as (path, Ok(bytes) or Err(reason)).
    fn outcomes(children: &[Child]) -> Vec<(String, Result<Vec<u8>, String>)> {
        children
            .iter()
            .map(|c| {
                let r = match &c.content {
                    ChildContent::Bytes(b) => Ok(b.clone()),
                    ChildContent::Failed { reason, .. } => Err(reason.clone()),
                    ChildContent::Parsed { .. } => Err("parsed".into()),
                };
                (c.levels.join("/"), r)
            })
            .collect()
    }

    fn text(n: usize) -> Vec<u8> {
        (0..n).map(|i| b'a' + (i * 7 % 26) as u8).collect()
    }

    #[test]
    fn entries_in_order_dirs_skipped() {
        let bz = SimpleFileOptions::default().compression_method(CompressionMethod::Bzip2);
        let zip = build(&[
            ("Exchange/", b"", stored()),
            (
                "Exchange/jane.doe@school.org.pst",
                b"!BDN pst bytes",
                deflated(),
            ),
            ("Results.csv", b"Document ID,Subject\n1,Hi\n", stored()),
            ("notes/Pastoral log.txt", b"Sam was upset", bz),
            ("empty.txt", b"", deflated()),
        ]);
        let (own, children) = run(&zip, &Limits::default());
        let own = own.expect("reads");
        assert_eq!(own.kind, ItemKind::Zip);
        assert!(own.text.is_empty());
        let got = outcomes(&children);
        assert_eq!(
            got,
            [
                (
                    "Exchange/jane.doe@school.org.pst".into(),
                    Ok(b"!BDN pst bytes".to_vec())
                ),
                (
                    "Results.csv".into(),
                    Ok(b"Document ID,Subject\n1,Hi\n".to_vec())
                ),
                (
                    "notes/Pastoral log.txt".into(),
                    Ok(b"Sam was upset".to_vec())
                ),
                ("empty.txt".into(), Ok(Vec::new())),
            ]
        );
        assert!(
            own.notes[0].starts_with("4 file entries, 0 not read"),
            "{:?}",
            own.notes
        );
    }

    #[test]
    fn nested_zip_is_handed_on_whole() {
        let inner = build(&[("report.pdf", b"%PDF-1.4 inner", deflated())]);
        let outer = build(&[
            ("attachments/inner.zip", &inner, stored()),
            ("a.txt", b"a", deflated()),
        ]);
        let (own, children) = run(&outer, &Limits::default());
        own.expect("reads");
        let got = outcomes(&children);
        assert_eq!(got[0], ("attachments/inner.zip".into(), Ok(inner.clone())));
        // The driver sends it back here.
        let (own, children) = run(&inner, &Limits::default());
        own.expect("inner reads");
        assert_eq!(
            outcomes(&children),
            [("report.pdf".into(), Ok(b"%PDF-1.4 inner".to_vec()))]
        );
    }

    #[test]
    fn zip_bomb_hits_ratio() {
        let zeros = vec![0u8; 8 << 20];
        let zip = build(&[
            ("before.txt", b"before", deflated()),
            ("bomb.bin", &zeros, deflated()),
            ("after.txt", b"after", deflated()),
        ]);
        assert!(zip.len() < 64 << 10, "compressed to {} bytes", zip.len());
        let (own, children) = run(&zip, &Limits::default());
        let own = own.expect("reads");
        let got = outcomes(&children);
        assert_eq!(got[0], ("before.txt".into(), Ok(b"before".to_vec())));
        assert_eq!(
            got[1],
            (
                "bomb.bin".into(),
                Err("entry inflates past 250:1 (max_ratio)".into())
            )
        );
        assert_eq!(got[2], ("after.txt".into(), Ok(b"after".to_vec())));
        assert!(
            own.notes[0].starts_with("3 file entries, 1 not read"),
            "{:?}",
            own.notes
        );
    }

    #[test]
    fn ratio_checked_on_actual_bytes_not_header() {
        // A header claiming a harmless size cannot sneak a bomb through: the reader stops one
        // byte past the ratio cap whatever the header says.
        let zeros = vec![0u8; 4 << 20];
        let mut zip = build(&[("bomb.bin", &zeros, deflated())]);
        // Patch the declared uncompressed size to 1 KB in the local and central headers.
        for sig in [&b"PK\x03\x04"[..], &b"PK\x01\x02"[..]] {
            let at = zip.windows(4).position(|w| w == sig).expect("header");
            let off = at + if sig[2] == 3 { 22 } else { 24 };
            zip[off..off + 4].copy_from_slice(&1024u32.to_le_bytes());
        }
        let (own, children) = run(&zip, &Limits::default());
        own.expect("reads");
        let got = outcomes(&children);
        assert_eq!(got.len(), 1);
        assert!(got[0].1.is_err(), "{:?}", got[0].1.as_ref().map(Vec::len));
    }

    #[test]
    fn small_repetitive_file_is_not_a_bomb() {
        let zeros = vec![b' '; 512 << 10];
        let zip = build(&[("blank form.txt", &zeros, deflated())]);
        let (_, children) = run(&zip, &Limits::default());
        assert_eq!(outcomes(&children), [("blank form.txt".into(), Ok(zeros))]);
    }

    #[test]
    fn item_and_archive_total_bounds() {
        let big = text(5000);
        let zip = build(&[
            ("a.txt", &text(100), deflated()),
            ("big.txt", &big, stored()),
        ]);
        let limits = Limits {
            max_item_bytes: 1000,
            ..Limits::default()
        };
        let (_, children) = run(&zip, &limits);
        let got = outcomes(&children);
        assert!(got[0].1.is_ok());
        let reason = got[1].1.as_ref().expect_err("too big");
        assert!(reason.contains("max_item_bytes"), "{reason}");

        let zip = build(&[
            ("1.txt", &text(4000), deflated()),
            ("2.txt", &text(4000), deflated()),
            ("3.txt", &text(4000), deflated()),
            ("dir/", b"", stored()),
            ("4.txt", &text(10), deflated()),
        ]);
        let limits = Limits {
            max_archive_total: 10_000,
            ..Limits::default()
        };
        let (own, children) = run(&zip, &limits);
        let own = own.expect("reads");
        let got = outcomes(&children);
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["1.txt", "2.txt", "3.txt", "4.txt"]);
        assert!(got[0].1.is_ok() && got[1].1.is_ok());
        assert_eq!(
            got[2].1,
            Err("archive inflates past 10000 bytes in total (max_archive_total)".into())
        );
        assert!(got[3]
            .1
            .as_ref()
            .is_err_and(|r| r.starts_with("not read: archive inflates")));
        assert!(
            own.notes
                .iter()
                .any(|n| n.starts_with("stopped after entry 3")),
            "{:?}",
            own.notes
        );
    }

    #[test]
    fn too_many_entries() {
        let names = ["1", "2", "3", "4", "5"];
        let entries: Vec<(&str, &[u8], SimpleFileOptions)> =
            names.iter().map(|n| (*n, &b"x"[..], deflated())).collect();
        let zip = build(&entries);
        let limits = Limits {
            max_entries: 3,
            ..Limits::default()
        };
        let (own, children) = run(&zip, &limits);
        let own = own.expect("reads");
        let got = outcomes(&children);
        assert_eq!(got.len(), 4);
        assert!(got[..3].iter().all(|(_, r)| r.is_ok()));
        assert_eq!(got[3].0, "entries 4–5");
        assert!(got[3].1.as_ref().is_err_and(|r| r.contains("max_entries")));
        assert!(own.notes.iter().any(|n| n.contains("max_entries")));
    }

    #[test]
    fn encrypted_entries() {
        let aes = SimpleFileOptions::default().with_aes_encryption(AesMode::Aes256, "secret");
        let zip = build(&[
            ("plain.txt", b"plain", deflated()),
            ("secret.docx", b"hidden", aes),
        ]);
        let (_, children) = run(&zip, &Limits::default());
        assert_eq!(
            outcomes(&children),
            [
                ("plain.txt".into(), Ok(b"plain".to_vec())),
                ("secret.docx".into(), Err("encrypted entry".into())),
            ]
        );

        // ZipCrypto: set the "encrypted" flag in both headers of a stored entry.
        let mut zip = build(&[("old.txt", b"xxxxxxxxxxxxxxxxxxxx", stored())]);
        for (sig, flags_at) in [(&b"PK\x03\x04"[..], 6), (&b"PK\x01\x02"[..], 8)] {
            let at = zip.windows(4).position(|w| w == sig).expect("header");
            zip[at + flags_at] |= 1;
        }
        let (own, children) = run(&zip, &Limits::default());
        own.expect("reads");
        assert_eq!(
            outcomes(&children),
            [("old.txt".into(), Err("encrypted entry".into()))]
        );
    }

    #[test]
    fn corrupt_archives() {
        let zip = build(&[
            ("a.txt", &text(3000), deflated()),
            ("b.txt", b"b", deflated()),
        ]);
        // Truncated: the central directory is gone.
        let (own, children) = run(&zip[..zip.len() / 2], &Limits::default());
        assert!(matches!(own, Err(ReadError::Corrupt(_))), "{own:?}");
        assert!(children.is_empty());
        assert!(matches!(
            run(b"", &Limits::default()).0,
            Err(ReadError::Corrupt(_))
        ));
        assert!(matches!(
            run(b"PK\x03\x04garbage", &Limits::default()).0,
            Err(ReadError::Corrupt(_))
        ));

        // Damaged entry data: that entry fails (bad stream or CRC), the next one is read.
        let mut bad = zip.clone();
        let data_at = 30 + "a.txt".len();
        for b in &mut bad[data_at + 5..data_at + 40] {
            *b ^= 0x5a;
        }
        let (own, children) = run(&bad, &Limits::default());
        own.expect("archive still opens");
        let got = outcomes(&children);
        assert!(
            got[0]
                .1
                .as_ref()
                .is_err_and(|r| r.starts_with("corrupt entry")),
            "{:?}",
            got[0]
        );
        assert_eq!(got[1], ("b.txt".into(), Ok(b"b".to_vec())));
    }

    #[test]
    fn every_truncation_and_bit_flip_is_survived() {
        let inner = build(&[("x.txt", b"xyz", deflated())]);
        let zip = build(&[
            ("a.txt", &text(300), deflated()),
            ("in.zip", &inner, stored()),
            ("b/", b"", stored()),
            ("c.txt", b"c", stored()),
        ]);
        for end in 0..zip.len() {
            let _ = run(&zip[..end], &Limits::default());
        }
        for at in 0..zip.len() {
            let mut z = zip.clone();
            z[at] ^= 0xff;
            let _ = run(&z, &Limits::default());
        }
    }
}
