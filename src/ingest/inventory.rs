//! The inventory: every item in exactly one state, in a stable order, with duplicates marked
//! against the copy that is kept and the export's own listing checked off.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::driver::{Row, State};
use super::listing::{dedupe_keys, DedupeKey, Prepared};
use super::model::ItemKind;
use super::spill::order_key;
use crate::fsutil::AtomicWriter;

pub const HEADER: [&str; 14] = [
    "item_id",
    "parent_id",
    "source_path",
    "kind",
    "sha256",
    "size",
    "state",
    "detail",
    "message_id",
    "from",
    "to",
    "cc",
    "date",
    "subject",
];

/// De-duplication in the stable order, remembering only the keys more than one item has
/// (found beforehand by [`super::listing::Recorder::finish`]): memory grows with the export's
/// copies, not its items, and the result is the same as remembering every key.
pub struct Dedupe {
    shared: HashSet<DedupeKey>,
    /// The kept item's id (16 hex digits as a number) per shared key already seen.
    kept: HashMap<DedupeKey, u64>,
    /// Ids that are not 16 hex digits (never made by the driver; kept exact all the same).
    odd_ids: Vec<String>,
}

const ODD: u64 = 1 << 63;

impl Dedupe {
    pub fn new(shared: HashSet<DedupeKey>) -> Dedupe {
        Dedupe {
            shared,
            kept: HashMap::new(),
            odd_ids: Vec::new(),
        }
    }

    fn remember(&mut self, id: &str) -> u64 {
        match u64::from_str_radix(id, 16) {
            Ok(v) if id.len() == 16 && v & ODD == 0 => v,
            _ => {
                self.odd_ids.push(id.to_string());
                ODD | (self.odd_ids.len() as u64 - 1)
            }
        }
    }

    fn id(&self, v: u64) -> String {
        if v & ODD != 0 {
            self.odd_ids
                .get((v & !ODD) as usize)
                .cloned()
                .unwrap_or_default()
        } else {
            format!("{v:016x}")
        }
    }

    /// Marks `row` a duplicate of the first copy seen, rows coming in the stable order: same
    /// SHA-256, or else same Message-ID. Returns whether it became a duplicate.
    pub fn check(&mut self, row: &mut Row) -> bool {
        let (hash, mid) = dedupe_keys(row);
        let hash = hash.filter(|k| self.shared.contains(k));
        let mid = mid.filter(|k| self.shared.contains(k));
        let first = hash
            .and_then(|h| self.kept.get(&h))
            .or_else(|| mid.and_then(|m| self.kept.get(&m)))
            .copied();
        match first {
            Some(kept) => {
                row.state = State::Duplicate;
                row.detail = format!("duplicate of {}", self.id(kept));
                true
            }
            None => {
                if hash.is_some() || mid.is_some() {
                    let v = self.remember(&row.id);
                    for k in [hash, mid].into_iter().flatten() {
                        self.kept.insert(k, v);
                    }
                }
                false
            }
        }
    }
}

/// Items by kind and state, as the finishing pass counted them.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub by_kind: BTreeMap<ItemKind, BTreeMap<&'static str, usize>>,
    pub items: usize,
}

impl Counts {
    pub fn add(&mut self, row: &Row) {
        self.items += 1;
        *self
            .by_kind
            .entry(row.kind)
            .or_default()
            .entry(row.state.label())
            .or_default() += 1;
    }

    pub fn state(&self, state: State) -> usize {
        self.by_kind
            .values()
            .filter_map(|s| s.get(state.label()))
            .sum()
    }

    /// "kind: n ok, n duplicate, ..." lines for the terminal.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for (kind, states) in &self.by_kind {
            let parts: Vec<String> = states.iter().map(|(s, n)| format!("{n} {s}")).collect();
            out.push_str(&format!("  {:<16} {}\n", kind.label(), parts.join(", ")));
        }
        out
    }
}

/// The file of finished rows (every field, in inventory order) that later stages stream.
pub fn rows_path(out: &Path) -> PathBuf {
    super::spill::work_dir(out).join("inventory.rows")
}

/// The finishing pass over every row in the stable order: duplicates marked (their text
/// removed: it is not searched again), the export listing joined, and `inventory.csv` and the
/// row file written, one row at a time.
pub fn finish(prepared: Prepared, out: &Path, text_dir: &Path) -> std::io::Result<Counts> {
    let mut csv_out = AtomicWriter::create(&out.join("inventory.csv"))?;
    let mut rows_out = AtomicWriter::create(&rows_path(out))?;
    let mut counts = Counts::default();
    let mut dedupe = Dedupe::new(prepared.shared);
    let mut claims = prepared.claims.peekable();
    {
        let mut w = csv::Writer::from_writer(&mut csv_out);
        w.write_record(HEADER).map_err(std::io::Error::other)?;
        for row in prepared.rows {
            let mut row = row?;
            if dedupe.check(&mut row) {
                let _ = std::fs::remove_file(text_dir.join(format!("{}.txt", row.id)));
            }
            // Listing details joined to this item (claims come in the same order as rows).
            let key = order_key(&row.order);
            while let Some(Ok((k, _))) = claims.peek() {
                if k[..] > key[..] {
                    break;
                }
                let Some(claim) = claims.next() else { break };
                let (k, joined) = claim?;
                if k == key && row.state == State::Ok {
                    let joined = String::from_utf8_lossy(&joined);
                    row.detail = if row.detail.is_empty() {
                        joined.into_owned()
                    } else {
                        format!("{}; {joined}", row.detail)
                    };
                }
            }
            if let Some(Err(_)) = claims.peek() {
                claims.next().transpose()?;
            }
            counts.add(&row);
            w.write_record(csv_record(&row))
                .map_err(std::io::Error::other)?;
            super::rowcodec::write_record(&mut rows_out, &super::rowcodec::encode(&row))?;
        }
        w.flush()?;
    }
    rows_out.commit(false)?;
    csv_out.commit(true)?;
    Ok(counts)
}

/// The finished rows of the last ingest into `out`, in inventory order, one at a time.
pub fn read_rows(out: &Path) -> std::io::Result<RowReader> {
    let path = rows_path(out);
    let f = std::fs::File::open(&path).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot open {}: {e} (run the ingest first)", path.display()),
        )
    })?;
    Ok(RowReader {
        r: std::io::BufReader::with_capacity(1 << 16, f),
        buf: Vec::new(),
    })
}

pub struct RowReader {
    r: std::io::BufReader<std::fs::File>,
    buf: Vec<u8>,
}

impl Iterator for RowReader {
    type Item = std::io::Result<Row>;

    fn next(&mut self) -> Option<std::io::Result<Row>> {
        match super::rowcodec::read_record(&mut self.r, &mut self.buf) {
            Ok(true) => Some(super::rowcodec::decode(&self.buf)),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// The inventory's fields for one row, in [`HEADER`] order.
pub fn csv_record(r: &Row) -> Vec<String> {
    let join = |v: &[super::model::Address]| {
        v.iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let m = r.mail.as_ref();
    vec![
        r.id.clone(),
        r.parent_id.clone().unwrap_or_default(),
        r.source_path.clone(),
        r.kind.label().to_string(),
        r.sha256.clone(),
        r.size.to_string(),
        r.state.label().to_string(),
        r.detail.clone(),
        m.and_then(|m| m.message_id.clone()).unwrap_or_default(),
        m.map(|m| join(&m.from)).unwrap_or_default(),
        m.map(|m| join(&m.to)).unwrap_or_default(),
        m.map(|m| join(&m.cc)).unwrap_or_default(),
        m.and_then(|m| m.date)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default(),
        m.map(|m| m.subject.clone()).unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::MailMeta;

    /// The de-duplication the inventory always had, remembering every key: the reference.
    fn remember_everything(rows: &mut [Row]) {
        let mut by_hash: HashMap<String, String> = HashMap::new();
        let mut by_mid: HashMap<String, String> = HashMap::new();
        for row in rows.iter_mut() {
            if row.state != State::Ok || row.size == 0 {
                continue;
            }
            let mid = row
                .mail
                .as_ref()
                .and_then(|m| m.message_id.clone())
                .filter(|m| !m.is_empty());
            let first = by_hash
                .get(&row.sha256)
                .filter(|_| !row.sha256.is_empty())
                .or_else(|| mid.as_ref().and_then(|m| by_mid.get(m)))
                .cloned();
            match first {
                Some(kept) => {
                    row.state = State::Duplicate;
                    row.detail = format!("duplicate of {kept}");
                }
                None => {
                    if !row.sha256.is_empty() {
                        by_hash.insert(row.sha256.clone(), row.id.clone());
                    }
                    if let Some(m) = mid {
                        by_mid.insert(m, row.id.clone());
                    }
                }
            }
        }
    }

    #[test]
    fn remembering_only_shared_keys_decides_like_remembering_all() {
        let mut seed = 99u64;
        for _ in 0..200 {
            // Few distinct hashes and Message-IDs, so copies chain through both keys (a copy
            // by Message-ID with a new hash, then a copy of that hash with a new Message-ID).
            let mut rows: Vec<Row> = (0..30u64)
                .map(|i| {
                    let r = crate::ingest::testutil::xorshift(&mut seed);
                    Row {
                        id: format!("{:016x}", i * 7919),
                        parent_id: None,
                        source_path: String::new(),
                        kind: ItemKind::Email,
                        sha256: match r % 7 {
                            0 => String::new(),
                            h => format!("{h:064x}"),
                        },
                        size: u64::from(!r.is_multiple_of(11)),
                        state: if r.is_multiple_of(13) {
                            State::Failed
                        } else {
                            State::Ok
                        },
                        detail: String::new(),
                        mail: (!r.is_multiple_of(5)).then(|| MailMeta {
                            message_id: Some(format!("m{}@x", (r >> 8) % 6)),
                            ..Default::default()
                        }),
                        order: vec![i as u32],
                        key: String::new(),
                    }
                })
                .collect();
            let mut want = rows.clone();
            remember_everything(&mut want);
            let mut seen = HashSet::new();
            let mut shared = HashSet::new();
            for r in &rows {
                let (h, m) = dedupe_keys(r);
                for k in [h, m].into_iter().flatten() {
                    if !seen.insert(k) {
                        shared.insert(k);
                    }
                }
            }
            let mut d = Dedupe::new(shared);
            for r in rows.iter_mut() {
                d.check(r);
            }
            for (got, want) in rows.iter().zip(&want) {
                assert_eq!((got.state, &got.detail), (want.state, &want.detail));
            }
        }
    }
}
