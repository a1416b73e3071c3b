//! Zip archives as the readers meet them: plain archives (exports, attachments) and the zip
//! packages of Office documents (.docx, .xlsx, .xlsb, .ods).
//!
//! A zip is the classic way to make a small input exhaust memory, so no reader inflates an
//! entry except through [`inflate_capped`], and the Office readers refuse a package whose
//! directory already breaks a bound ([`open_checked`]) before inflating anything.

use std::io::{self, Cursor, Read, Seek};

use zip::ZipArchive;

use super::model::{Limits, ReadError};

/// The inflate ratio is judged only past this size: a few kilobytes of repetitive XML, a CSV of
/// empty rows or a blank form legitimately inflate several hundredfold and cannot do harm at
/// this size.
pub(crate) const RATIO_EXEMPT_BYTES: u64 = 1 << 20;

/// Inflates an entry into `buf`, reading one byte past `cap` so the caller can tell an entry
/// that fits from one that would have gone on. The first allocation is at most `reserve`,
/// whatever the entry's header claims: a lying header must not make a small entry reserve the
/// whole item limit.
pub(crate) fn inflate_capped(
    entry: impl Read,
    cap: u64,
    reserve: u64,
    buf: &mut Vec<u8>,
) -> io::Result<usize> {
    buf.reserve(reserve.min(cap) as usize);
    entry.take(cap.saturating_add(1)).read_to_end(buf)
}

/// Opens an Office package held in memory, refused (see [`check_zip`]) before any entry is
/// inflated.
pub(crate) fn open_checked<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<ZipArchive<Cursor<&'a [u8]>>, ReadError> {
    let zip =
        ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::Corrupt(format!("zip: {e}")))?;
    check_zip(&zip, limits)?;
    Ok(zip)
}

/// Entry names normalised for lookup: some writers use `\` or a leading `/`, and Office itself
/// treats part names case-insensitively. Each comes with its index in the archive.
pub(crate) fn part_names<R: Read + Seek>(zip: &ZipArchive<R>) -> Vec<(String, usize)> {
    (0..zip.len())
        .filter_map(|i| {
            let e = zip.by_index_data(i).ok()?;
            let name = e.name().ok()?.replace('\\', "/");
            Some((name.trim_start_matches('/').to_ascii_lowercase(), i))
        })
        .collect()
}

/// Index of a part by normalised name.
pub(crate) fn find_part(names: &[(String, usize)], name: &str) -> Option<usize> {
    let name = name.trim_start_matches('/').to_ascii_lowercase();
    names.iter().find(|(n, _)| *n == name).map(|(_, i)| *i)
}

/// Refuses an archive before anything is inflated if its directory already breaks a bound:
/// too many entries, an entry or the total larger than allowed, or an entry that claims to
/// inflate more than `max_ratio` times. The zip crate stops any entry that inflates past its
/// declared size, so the declared sizes checked here are real bounds.
pub(crate) fn check_zip<R: Read + Seek>(
    zip: &ZipArchive<R>,
    limits: &Limits,
) -> Result<(), ReadError> {
    if zip.len() > limits.max_entries {
        return Err(ReadError::Limit(format!(
            "{} zip entries, over the {} entry limit",
            zip.len(),
            limits.max_entries
        )));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let e = zip
            .by_index_data(i)
            .map_err(|e| ReadError::Corrupt(format!("zip entry {i}: {e}")))?;
        let name = e.name().map(|n| n.into_owned()).unwrap_or_default();
        if e.encrypted() {
            return Err(ReadError::Encrypted(format!(
                "zip entry {name} is encrypted"
            )));
        }
        let size = e.size();
        if size > limits.max_item_bytes {
            return Err(ReadError::Limit(format!(
                "zip entry {name} inflates to {size} bytes, over the {} byte item limit",
                limits.max_item_bytes
            )));
        }
        total = total.saturating_add(size);
        if total > limits.max_archive_total {
            return Err(ReadError::Limit(format!(
                "zip entries inflate to over {} bytes in total (archive total limit)",
                limits.max_archive_total
            )));
        }
        if size > RATIO_EXEMPT_BYTES && size / e.compressed_size().max(1) > limits.max_ratio {
            return Err(ReadError::Limit(format!(
                "zip entry {name} inflates {}:1, over the {}:1 ratio limit",
                size / e.compressed_size().max(1),
                limits.max_ratio
            )));
        }
    }
    Ok(())
}

/// One entry's bytes, read no further than its declared size (and the item limit).
pub(crate) fn read_part<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    index: usize,
    limits: &Limits,
) -> Result<Vec<u8>, ReadError> {
    let file = zip
        .by_index(index)
        .map_err(|e| ReadError::Corrupt(format!("zip entry {index}: {e}")))?;
    let name = file.name().map(|n| n.into_owned()).unwrap_or_default();
    let declared = file.size();
    if declared > limits.max_item_bytes {
        return Err(ReadError::Limit(format!(
            "zip entry {name} inflates to {declared} bytes, over the {} byte item limit",
            limits.max_item_bytes
        )));
    }
    let mut buf = Vec::new();
    inflate_capped(file, declared, 64 << 20, &mut buf)
        .map_err(|e| ReadError::Corrupt(format!("zip entry {name}: {e}")))?;
    if buf.len() as u64 > declared {
        return Err(ReadError::Limit(format!(
            "zip entry {name} inflates past its declared size of {declared} bytes"
        )));
    }
    Ok(buf)
}

/// Archives built in memory, for the tests of every reader that meets zips.
#[cfg(test)]
pub(crate) mod test_support {
    use std::io::{Cursor, Write};

    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    pub(crate) fn deflated() -> SimpleFileOptions {
        SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
    }

    pub(crate) fn stored() -> SimpleFileOptions {
        SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
    }

    /// A zip of `entries` in order; a name ending in `/` is a directory.
    pub(crate) fn build_zip(entries: &[(&str, &[u8], SimpleFileOptions)]) -> Vec<u8> {
        let mut w = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data, opts) in entries {
            if name.ends_with('/') {
                w.add_directory(*name, *opts).expect("dir");
            } else {
                w.start_file(*name, *opts).expect("start");
                w.write_all(data).expect("write");
            }
        }
        w.finish().expect("finish").into_inner()
    }
}
