//! What ingest records about each row while it runs, and the join of the export's own listing
//! (Results.csv, Manifest.xml, Vault metadata) to what was found: all of it on disk.
//!
//! A Purview listing names every exported message, and copies are found only by comparing
//! every item with every other, so both grow with the export. Nothing here keeps a per-item
//! structure in memory. While workers read, every row is spilled three ways (all external
//! sorts, [`super::spill`]): the row itself, by stable order; the digest of its Message-ID
//! with its order; the digests it could be a copy by (SHA-256, Message-ID). Afterwards:
//!
//! - keys seen more than once are the only ones de-duplication must remember (exact: a key
//!   no other item has can make nothing a duplicate), so its maps hold the export's copies,
//!   not its items;
//! - the listing, sorted by Message-ID digest, is merged with the rows' Message-IDs, sorted
//!   the same way: each listed message either joins the first item in order that carries its
//!   Message-ID (a "claim", sorted back by that item's order for the finishing pass) or is
//!   missing from the export (a failed row, added to the rows before they are merged).

use std::collections::HashSet;
use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::driver::{Row, State, PATH_SEP};
use super::export_meta::{normalize_message_id, Listed};
use super::model::{ItemKind, MailMeta};
use super::rowcodec::{self, Cursor};
use super::spill::{order_key, Merged, RowSpill, SortedRows, Spill};

/// Budget of each small key spill's in-memory batch.
const KEY_BUDGET: usize = 1 << 20;

/// A 16-byte digest standing in for a longer key (a Message-ID, a SHA-256 in hex): collisions
/// are as unlikely as SHA-256 collisions, at a fraction of the bytes.
pub fn digest16(s: &str) -> [u8; 16] {
    let d = Sha256::digest(s.as_bytes());
    let mut k = [0u8; 16];
    k.copy_from_slice(&d[..16]);
    k
}

/// A de-duplication key: a tag (0 SHA-256, 1 Message-ID) and the digest.
pub type DedupeKey = [u8; 17];

fn tagged(tag: u8, d: [u8; 16]) -> DedupeKey {
    let mut k = [0u8; 17];
    k[0] = tag;
    k[1..].copy_from_slice(&d);
    k
}

/// The normalised Message-ID of a row, when it has a non-empty one.
fn message_id(row: &Row) -> Option<String> {
    row.mail
        .as_ref()
        .and_then(|m| m.message_id.as_deref())
        .map(normalize_message_id)
        .filter(|m| !m.is_empty())
}

/// The keys a row can be a copy by: its SHA-256 and its Message-ID. Only `ok` items with
/// bytes take part (empty objects, a blank sheet or a zero-byte attachment, are alike without
/// being copies).
pub fn dedupe_keys(row: &Row) -> (Option<DedupeKey>, Option<DedupeKey>) {
    if row.state != State::Ok || row.size == 0 {
        return (None, None);
    }
    (
        (!row.sha256.is_empty()).then(|| tagged(0, digest16(&row.sha256))),
        message_id(row).map(|m| tagged(1, digest16(&m))),
    )
}

/// The sinks every finished row goes to during the parallel read.
pub struct Recorder {
    rows: RowSpill,
    mids: Spill,
    keys: Spill,
}

impl Recorder {
    pub fn new(work: &Path, row_budget: usize) -> io::Result<Recorder> {
        Ok(Recorder {
            rows: RowSpill::new(work, row_budget)?,
            mids: Spill::new(work, "mids", KEY_BUDGET)?,
            keys: Spill::new(work, "keys", KEY_BUDGET)?,
        })
    }

    pub fn record(&self, row: &Row) {
        if let Some(m) = message_id(row) {
            let mut k = digest16(&m).to_vec();
            k.extend(order_key(&row.order));
            self.mids.push(k, Vec::new());
        }
        let (sha, mid) = dedupe_keys(row);
        for k in [sha, mid].into_iter().flatten() {
            self.keys.push(k.to_vec(), Vec::new());
        }
        self.rows.push(row);
    }

    /// Closes the read: finds the keys copies share, joins the listing, adds the rows of
    /// listed messages the export lacks, and hands back what the finishing pass merges.
    pub fn finish(self, listing: ListingBuilder) -> io::Result<Prepared> {
        let mut shared = HashSet::new();
        let mut prev: Option<Vec<u8>> = None;
        for r in self.keys.finish()? {
            let (k, _) = r?;
            if prev.as_deref() == Some(&k[..]) {
                if let Ok(k) = DedupeKey::try_from(&k[..]) {
                    shared.insert(k);
                }
            }
            prev = Some(k);
        }

        let work = listing.dir.clone();
        let claims = Spill::new(&work, "claims", KEY_BUDGET)?;
        let mut mids = self.mids.finish()?.peekable();
        let mut listed = listing.spill.finish()?.peekable();
        while let Some(first) = listed.next() {
            let (key, payload) = first?;
            let digest = key.get(..16).unwrap_or_default().to_vec();
            let mut group = vec![(key, payload)];
            while let Some(Ok((k, _))) = listed.peek() {
                if k.get(..16) != Some(&digest[..]) {
                    break;
                }
                match listed.next() {
                    Some(r) => group.push(r?),
                    None => break,
                }
            }
            // The rows' Message-IDs come sorted by digest, then order: the first one with this
            // digest is the first item in order carrying the message.
            let mut first_order = None;
            while let Some(peeked) = mids.peek() {
                let k = match peeked {
                    Ok((k, _)) => k,
                    Err(_) => {
                        mids.next().transpose()?;
                        continue;
                    }
                };
                match k.get(..16).unwrap_or_default().cmp(&digest[..]) {
                    std::cmp::Ordering::Less => {
                        mids.next();
                    }
                    std::cmp::Ordering::Equal => {
                        first_order = Some(k[16..].to_vec());
                        break;
                    }
                    std::cmp::Ordering::Greater => break,
                }
            }
            let entries = group
                .iter()
                .map(|(k, p)| Entry::decode(k, p))
                .collect::<io::Result<Vec<_>>>()?;
            match first_order {
                Some(order) => {
                    let joined: Vec<String> = entries.iter().filter_map(Entry::details).collect();
                    if !joined.is_empty() {
                        claims.push(order, joined.join("; ").into_bytes());
                    }
                }
                None => {
                    for e in entries.into_iter().filter(|e| !e.duplicate_of) {
                        self.rows.push(&e.missing_row());
                    }
                }
            }
        }
        drop(mids);
        Ok(Prepared {
            rows: self.rows.finish()?,
            claims: claims.finish()?,
            shared,
        })
    }
}

/// What the finishing pass merges: the rows in order, the listing details to join (keyed by
/// the order of the item they belong to), and the keys copies share.
pub struct Prepared {
    pub rows: SortedRows,
    pub claims: Merged,
    pub shared: HashSet<DedupeKey>,
}

/// Collects the entries of every listing file, to disk.
pub struct ListingBuilder {
    dir: std::path::PathBuf,
    spill: Spill,
    /// Entries so far, over all listing files (the number missing rows are keyed by).
    n: u32,
}

impl ListingBuilder {
    pub fn new(work: &Path) -> io::Result<ListingBuilder> {
        Ok(ListingBuilder {
            dir: work.to_path_buf(),
            spill: Spill::new(work, "listed", KEY_BUDGET)?,
            n: 0,
        })
    }

    /// Adds one listed entry; `file_index` is the listing file's number in the walk.
    pub fn add(&mut self, file_index: u32, l: &Listed) {
        let n = self.n;
        self.n += 1;
        // An entry without a Message-ID can be neither joined nor missed.
        let Some(mid) = l
            .message_id
            .as_deref()
            .map(normalize_message_id)
            .filter(|m| !m.is_empty())
        else {
            return;
        };
        let mut key = digest16(&mid).to_vec();
        key.extend(n.to_be_bytes());
        let mut rec = Vec::with_capacity(128);
        rec.extend(file_index.to_le_bytes());
        rec.push(u8::from(l.duplicate_of.is_some()));
        rowcodec::put_string(&mut rec, &l.listing);
        rowcodec::put_opt_string(&mut rec, l.message_id.as_deref());
        rowcodec::put_string(&mut rec, &l.subject);
        rowcodec::put_opt_string(&mut rec, l.location.as_deref());
        rowcodec::put_opt_string(&mut rec, l.original_path.as_deref());
        self.spill.push(key, rec);
    }
}

/// One listed entry read back.
struct Entry {
    n: u32,
    file_index: u32,
    duplicate_of: bool,
    listing: String,
    message_id: Option<String>,
    subject: String,
    location: Option<String>,
    original_path: Option<String>,
}

impl Entry {
    fn decode(key: &[u8], payload: &[u8]) -> io::Result<Entry> {
        let bad = || io::Error::new(io::ErrorKind::InvalidData, "damaged listing spill");
        let n = key
            .get(16..20)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
            .ok_or_else(bad)?;
        let mut c = Cursor::new(payload);
        let file_index = c.u32()?;
        let duplicate_of = c.u8()? != 0;
        Ok(Entry {
            n,
            file_index,
            duplicate_of,
            listing: c.string()?,
            message_id: c.opt_string()?,
            subject: c.string()?,
            location: c.opt_string()?,
            original_path: c.opt_string()?,
        })
    }

    /// What this entry adds to the found item's detail: `listed location: …; original path: …`.
    fn details(&self) -> Option<String> {
        let mut extra = Vec::new();
        if let Some(loc) = &self.location {
            extra.push(format!("listed location: {loc}"));
        }
        if let Some(p) = &self.original_path {
            extra.push(format!("original path: {p}"));
        }
        (!extra.is_empty()).then(|| extra.join("; "))
    }

    /// The failed row of a listed message the export lacks, sorted right after its listing.
    fn missing_row(self) -> Row {
        let n = self.n;
        let file = self
            .listing
            .rsplit('/')
            .next()
            .unwrap_or(&self.listing)
            .to_string();
        let key = format!("{}\u{0}listed\u{0}{n}", self.listing);
        Row {
            id: super::driver::sha256_hex(key.as_bytes())[..16].to_string(),
            parent_id: None,
            source_path: format!(
                "{}{PATH_SEP}{}",
                self.listing,
                if self.subject.is_empty() {
                    "(no subject)"
                } else {
                    &self.subject
                }
            ),
            kind: ItemKind::Email,
            sha256: String::new(),
            size: 0,
            state: State::Failed,
            detail: format!("listed in {file}, missing from the export"),
            mail: Some(MailMeta {
                message_id: self.message_id,
                subject: self.subject,
                ..Default::default()
            }),
            order: vec![self.file_index, u32::MAX - 1, n],
            key,
        }
    }
}

/// SHA-256 and length of a file, read in blocks: used to hash a listing file.
pub fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
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
