//! The export's own listing (Results.csv, Manifest.xml, Vault metadata), held compactly.
//!
//! A Purview listing names every exported message, so it grows with the export. Each listed
//! entry is written to `OUT/.work/listed.bin`; memory keeps only a 16-byte digest of its
//! normalised Message-ID, where its record is, and whether a found item carried that
//! Message-ID. Workers mark entries found as they record rows; the finishing pass reads the
//! records back for the details it joins (location, original path) and for the messages the
//! export lacks.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};

use super::driver::{Row, State, PATH_SEP};
use super::export_meta::{normalize_message_id, Listed};
use super::model::{ItemKind, MailMeta};
use super::rowcodec::{self, Cursor};

/// A 16-byte digest standing in for a longer key (a Message-ID, a SHA-256 in hex) in the
/// in-memory maps: collisions are as unlikely as SHA-256 collisions, at half the memory.
pub fn digest16(s: &str) -> [u8; 16] {
    let d = Sha256::digest(s.as_bytes());
    let mut k = [0u8; 16];
    k.copy_from_slice(&d[..16]);
    k
}

const NONE: u32 = u32::MAX;

struct Entry {
    offset: u64,
    /// The next entry with the same Message-ID, in listing order.
    next: u32,
    /// The walk's index of the listing file (the missing rows sort right after it).
    file_index: u32,
    has_mid: bool,
    duplicate_of: bool,
}

/// Collects the entries of every listing file.
pub struct ListingBuilder {
    path: PathBuf,
    w: BufWriter<File>,
    offset: u64,
    entries: Vec<Entry>,
    /// First and last entry per Message-ID digest.
    by_mid: HashMap<[u8; 16], (u32, u32)>,
}

impl ListingBuilder {
    pub fn create(path: &Path) -> io::Result<ListingBuilder> {
        Ok(ListingBuilder {
            path: path.to_path_buf(),
            w: BufWriter::new(super::spill::create_private(path)?),
            offset: 0,
            entries: Vec::new(),
            by_mid: HashMap::new(),
        })
    }

    pub fn add(&mut self, file_index: u32, l: &Listed) -> io::Result<()> {
        let mut rec = Vec::with_capacity(128);
        rowcodec::put_string(&mut rec, &l.listing);
        rowcodec::put_opt_string(&mut rec, l.message_id.as_deref());
        rowcodec::put_string(&mut rec, &l.subject);
        rowcodec::put_opt_string(&mut rec, l.location.as_deref());
        rowcodec::put_opt_string(&mut rec, l.original_path.as_deref());
        rowcodec::write_record(&mut self.w, &rec)?;
        let n = self.entries.len() as u32;
        let mid = l
            .message_id
            .as_deref()
            .map(normalize_message_id)
            .filter(|m| !m.is_empty());
        self.entries.push(Entry {
            offset: self.offset,
            next: NONE,
            file_index,
            has_mid: mid.is_some(),
            duplicate_of: l.duplicate_of.is_some(),
        });
        self.offset += 4 + rec.len() as u64;
        if let Some(m) = mid {
            match self.by_mid.get_mut(&digest16(&m)) {
                Some((_, last)) => {
                    self.entries[*last as usize].next = n;
                    *last = n;
                }
                None => {
                    self.by_mid.insert(digest16(&m), (n, n));
                }
            }
        }
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<ListingIndex> {
        self.w.flush()?;
        let found = (0..self.entries.len())
            .map(|_| AtomicBool::new(false))
            .collect();
        Ok(ListingIndex {
            file: File::open(&self.path)?,
            path: self.path,
            by_mid: self.by_mid.into_iter().map(|(k, (f, _))| (k, f)).collect(),
            entries: self.entries,
            found,
        })
    }
}

/// The listing, ready for workers to check items off against.
pub struct ListingIndex {
    path: PathBuf,
    file: File,
    by_mid: HashMap<[u8; 16], u32>,
    entries: Vec<Entry>,
    found: Vec<AtomicBool>,
}

/// One listed entry read back.
struct Record {
    listing: String,
    message_id: Option<String>,
    subject: String,
    location: Option<String>,
    original_path: Option<String>,
}

impl ListingIndex {
    /// The first listed entry with this (normalised) Message-ID.
    pub fn first_for(&self, mid: &str) -> Option<u32> {
        if self.by_mid.is_empty() {
            return None;
        }
        let m = normalize_message_id(mid);
        if m.is_empty() {
            return None;
        }
        self.by_mid.get(&digest16(&m)).copied()
    }

    /// A found item carries `mid`: the entries listing it are not missing.
    pub fn mark_found(&self, mid: &str) {
        if let Some(first) = self.first_for(mid) {
            self.found[first as usize].store(true, Ordering::Relaxed);
        }
    }

    fn record(&self, n: u32) -> io::Result<Record> {
        let mut r = BufReader::new(&self.file);
        r.seek(SeekFrom::Start(self.entries[n as usize].offset))?;
        let mut buf = Vec::new();
        if !rowcodec::read_record(&mut r, &mut buf)? {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "listing spill ends early",
            ));
        }
        let mut c = Cursor::new(&buf);
        Ok(Record {
            listing: c.string()?,
            message_id: c.opt_string()?,
            subject: c.string()?,
            location: c.opt_string()?,
            original_path: c.opt_string()?,
        })
    }

    /// What each entry listing the message starting at `first` adds to a found item's
    /// detail, in listing order: `listed location: …; original path: …`.
    pub fn details(&self, first: u32) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        let mut n = first;
        while n != NONE {
            let r = self.record(n)?;
            let mut extra = Vec::new();
            if let Some(loc) = &r.location {
                extra.push(format!("listed location: {loc}"));
            }
            if let Some(p) = &r.original_path {
                extra.push(format!("original path: {p}"));
            }
            if !extra.is_empty() {
                out.push(extra.join("; "));
            }
            n = self.entries[n as usize].next;
        }
        Ok(out)
    }

    /// A failed row for every listed message no item carried (Purview's own de-duplication
    /// rows excepted: their copy was never meant to be exported).
    pub fn for_each_missing(&self, mut f: impl FnMut(Row)) -> io::Result<()> {
        // Entries are checked off per Message-ID: an entry is found when the first entry
        // with its Message-ID is.
        let mut found_mid = vec![false; self.entries.len()];
        for n in 0..self.entries.len() {
            if self.found[n].load(Ordering::Relaxed) {
                let mut k = n as u32;
                while k != NONE {
                    found_mid[k as usize] = true;
                    k = self.entries[k as usize].next;
                }
            }
        }
        let mut r = BufReader::new(&self.file);
        r.seek(SeekFrom::Start(0))?;
        let mut buf = Vec::new();
        for (n, e) in self.entries.iter().enumerate() {
            if !rowcodec::read_record(&mut r, &mut buf)? {
                break;
            }
            if !e.has_mid || e.duplicate_of || found_mid[n] {
                continue;
            }
            let mut c = Cursor::new(&buf);
            let l = Record {
                listing: c.string()?,
                message_id: c.opt_string()?,
                subject: c.string()?,
                location: c.opt_string()?,
                original_path: c.opt_string()?,
            };
            let file = l
                .listing
                .rsplit('/')
                .next()
                .unwrap_or(&l.listing)
                .to_string();
            let key = format!("{}\u{0}listed\u{0}{n}", l.listing);
            f(Row {
                id: super::driver::sha256_hex(key.as_bytes())[..16].to_string(),
                parent_id: None,
                source_path: format!(
                    "{}{PATH_SEP}{}",
                    l.listing,
                    if l.subject.is_empty() {
                        "(no subject)"
                    } else {
                        &l.subject
                    }
                ),
                kind: ItemKind::Email,
                sha256: String::new(),
                size: 0,
                state: State::Failed,
                detail: format!("listed in {file}, missing from the export"),
                mail: Some(MailMeta {
                    message_id: l.message_id,
                    subject: l.subject,
                    ..Default::default()
                }),
                order: vec![e.file_index, u32::MAX - 1, n as u32],
                key,
            });
        }
        Ok(())
    }

    /// Removes the spill file.
    pub fn remove(self) {
        drop(self.file);
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Reads a file whole through `Read` without holding it: used to hash a listing file.
pub fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((super::driver::hex(&h.finalize()), n))
}
