//! The inventory: every item in exactly one state, in a stable order, with duplicates marked
//! against the copy that is kept and the export's own listing checked off.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::driver::{Row, State, PATH_SEP};
use super::export_meta::{normalize_message_id, Listed};
use super::model::ItemKind;

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

/// Sorts rows into their stable order and marks later copies as duplicates of the first.
/// Returns the ids of the rows that became duplicates (their text is not searched again).
pub fn dedupe(rows: &mut [Row]) -> Vec<String> {
    rows.sort_by(|a, b| a.order.cmp(&b.order));
    let mut by_hash: HashMap<String, String> = HashMap::new();
    let mut by_mid: HashMap<String, String> = HashMap::new();
    let mut dups = Vec::new();
    for row in rows.iter_mut() {
        // Empty objects (a blank sheet, a zero-byte attachment) are alike without being copies.
        if row.state != State::Ok || row.size == 0 {
            continue;
        }
        let mid = row
            .mail
            .as_ref()
            .and_then(|m| m.message_id.as_deref())
            .map(normalize_message_id)
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
                dups.push(row.id.clone());
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
    dups
}

/// Joins what the export says it holds to what was found: found messages get their listed
/// location and path in `detail`; listed messages that are missing get a failed row.
pub fn join_listing(
    rows: &mut Vec<Row>,
    listed: &[Listed],
    listing_order: &HashMap<String, Vec<u32>>,
) {
    let mut by_mid: HashMap<String, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(m) = r.mail.as_ref().and_then(|m| m.message_id.as_deref()) {
            by_mid.entry(normalize_message_id(m)).or_insert(i);
        }
    }
    let mut missing = Vec::new();
    for (n, l) in listed.iter().enumerate() {
        let Some(mid) = l
            .message_id
            .as_deref()
            .map(normalize_message_id)
            .filter(|m| !m.is_empty())
        else {
            continue;
        };
        match by_mid.get(&mid) {
            Some(&i) => {
                let row = &mut rows[i];
                let mut extra = Vec::new();
                if let Some(loc) = &l.location {
                    extra.push(format!("listed location: {loc}"));
                }
                if let Some(p) = &l.original_path {
                    extra.push(format!("original path: {p}"));
                }
                if !extra.is_empty() && row.state == State::Ok {
                    let joined = extra.join("; ");
                    row.detail = if row.detail.is_empty() {
                        joined
                    } else {
                        format!("{}; {joined}", row.detail)
                    };
                }
            }
            None if l.duplicate_of.is_some() => {}
            None => missing.push((n, l)),
        }
    }
    for (n, l) in missing {
        let file = l
            .listing
            .rsplit('/')
            .next()
            .unwrap_or(&l.listing)
            .to_string();
        let mut order = listing_order.get(&l.listing).cloned().unwrap_or_default();
        order.push(u32::MAX - 1);
        order.push(n as u32);
        let key = format!("{}\u{0}listed\u{0}{n}", l.listing);
        rows.push(Row {
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
            mail: Some(super::model::MailMeta {
                message_id: l.message_id.clone(),
                subject: l.subject.clone(),
                ..Default::default()
            }),
            order,
            key,
        });
    }
    rows.sort_by(|a, b| a.order.cmp(&b.order));
}

/// The inventory's fields for each row, in [`HEADER`] order.
pub fn csv_records(rows: &[Row]) -> std::io::Result<Vec<Vec<String>>> {
    let join = |v: &[super::model::Address]| {
        v.iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    Ok(rows
        .iter()
        .map(|r| {
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
        })
        .collect())
}

pub fn write_csv(rows: &[Row], path: &Path) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER).map_err(std::io::Error::other)?;
    for rec in csv_records(rows)? {
        w.write_record(&rec).map_err(std::io::Error::other)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    crate::fsutil::write_atomic(path, &bytes)
}

/// "kind: n ok, n duplicate, ..." lines for the terminal.
pub fn summary(rows: &[Row]) -> String {
    let mut counts: BTreeMap<ItemKind, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for r in rows {
        *counts
            .entry(r.kind)
            .or_default()
            .entry(r.state.label())
            .or_default() += 1;
    }
    let mut out = String::new();
    for (kind, states) in counts {
        let parts: Vec<String> = states.iter().map(|(s, n)| format!("{n} {s}")).collect();
        out.push_str(&format!("  {:<16} {}\n", kind.label(), parts.join(", ")));
    }
    out
}
