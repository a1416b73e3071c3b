//! What `scan` left in the output folder, read back for sealing: the inventory with its scope
//! columns and the proposals with their byte spans. Sealing works from these files, not from
//! a live scan, so what the DPO reviewed is exactly what gets sealed.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::detect::proposals::{jsonl_reader, Proposal, SPANS_FILE};

/// The columns of a row of OUT/inventory.csv that sealing uses. The mail headers, subject
/// and scope reason are left on disk: held for every item of a 200,000-message export they
/// were a fifth of the seal's memory, and the bundle never names them.
#[derive(Debug, Clone, Deserialize)]
pub struct Item {
    pub item_id: String,
    pub parent_id: String,
    pub source_path: String,
    pub kind: String,
    pub sha256: String,
    pub size: u64,
    pub state: String,
    pub detail: String,
    pub date: String,
    pub in_scope: String,
}

impl Item {
    pub fn in_scope(&self) -> bool {
        self.in_scope == "yes"
    }

    pub fn is_ok(&self) -> bool {
        self.state == "ok"
    }

    /// The sent date as `YYYY-MM-DD`, for file names and ordering.
    pub fn day(&self) -> Option<&str> {
        self.date.get(..10).filter(|d| d.as_bytes()[4] == b'-')
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScannedError {
    #[error("{path}: not found; run `disclose scan CASE.toml` first")]
    Missing { path: String },
    #[error("{path}: {message}")]
    Bad { path: String, message: String },
}

pub struct Scanned {
    pub out: PathBuf,
    /// The in-scope items and the containers they sit in, in inventory order.
    pub items: Vec<Item>,
    /// Every item in the inventory, in or out of scope.
    pub items_searched: usize,
    /// item_id -> index into `items`.
    index: HashMap<String, usize>,
}

impl Scanned {
    pub fn load(out: &Path) -> Result<Scanned, ScannedError> {
        let inv = out.join("inventory.csv");
        if !inv.exists() {
            return Err(ScannedError::Missing {
                path: inv.display().to_string(),
            });
        }
        let bad = |path: &Path, message: String| ScannedError::Bad {
            path: path.display().to_string(),
            message,
        };
        if !has_scope_columns(&inv) {
            return Err(bad(
                &inv,
                "has no in_scope column: it was written by `disclose ingest`, not `disclose scan`"
                    .into(),
            ));
        }
        // Sealing needs the in-scope items and the items they sit in (an attachment files
        // under its message's date): the rest of a large export is not held in memory.
        let mut parents: std::collections::HashMap<String, String> = Default::default();
        let mut needed: std::collections::HashSet<String> = Default::default();
        let mut rdr = csv::Reader::from_path(&inv).map_err(|e| bad(&inv, e.to_string()))?;
        let mut items_searched = 0;
        for (i, r) in rdr.deserialize::<Item>().enumerate() {
            let it = r.map_err(|e| bad(&inv, format!("row {}: {e}", i + 2)))?;
            items_searched += 1;
            if it.in_scope() {
                let mut id = it.parent_id.clone();
                let mut guard = 0;
                while !id.is_empty() && guard < 64 && needed.insert(id.clone()) {
                    id = parents.get(&id).cloned().unwrap_or_default();
                    guard += 1;
                }
                needed.insert(it.item_id.clone());
            }
            if !it.parent_id.is_empty() {
                parents.insert(it.item_id, it.parent_id);
            }
        }
        drop(parents);
        let mut rdr = csv::Reader::from_path(&inv).map_err(|e| bad(&inv, e.to_string()))?;
        let mut items = Vec::with_capacity(needed.len());
        for (i, r) in rdr.deserialize::<Item>().enumerate() {
            let it = r.map_err(|e| bad(&inv, format!("row {}: {e}", i + 2)))?;
            if needed.contains(&it.item_id) {
                items.push(it);
            }
        }
        let spans = out.join(SPANS_FILE);
        if !spans.exists() {
            return Err(ScannedError::Missing {
                path: spans.display().to_string(),
            });
        }
        Ok(Scanned::new(out.to_path_buf(), items, items_searched))
    }

    pub fn new(out: PathBuf, items: Vec<Item>, items_searched: usize) -> Scanned {
        let index = items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.item_id.clone(), i))
            .collect();
        Scanned {
            out,
            items,
            items_searched,
            index,
        }
    }

    /// The proposals, streamed from disk a run of items at a time (at most `chunk` items of
    /// [`Scanned::items`] per step, in order, and fewer where their proposals pass `budget`: a
    /// tracker names thousands of people): sealing holds one chunk's proposals, never all.
    /// One item's proposals are never split.
    pub fn proposal_chunks(
        &self,
        chunk: usize,
        budget: usize,
    ) -> Result<ProposalChunks<'_>, ScannedError> {
        let path = self.out.join(SPANS_FILE);
        let lines = jsonl_reader(&path).map_err(|e| ScannedError::Bad {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(ProposalChunks {
            scanned: self,
            lines: Box::new(lines),
            pending: None,
            next: 0,
            chunk: chunk.max(1),
            budget: budget.max(1),
            path,
        })
    }

    pub fn position(&self, item_id: &str) -> Option<usize> {
        self.index.get(item_id).copied()
    }

    pub fn text_path(&self, item_id: &str) -> PathBuf {
        self.out.join("text").join(format!("{item_id}.txt"))
    }

    pub fn item(&self, item_id: &str) -> Option<&Item> {
        self.position(item_id).map(|i| &self.items[i])
    }
}

/// See [`Scanned::proposal_chunks`]. `scan` writes proposals in inventory order; one that is
/// out of order or names an item the inventory lacks means the files do not belong together
/// (a scan interrupted or edited by hand), and sealing stops rather than lose a redaction.
pub struct ProposalChunks<'a> {
    scanned: &'a Scanned,
    lines: Box<dyn Iterator<Item = std::io::Result<Proposal>> + Send + 'a>,
    pending: Option<(usize, Proposal)>,
    next: usize,
    chunk: usize,
    budget: usize,
    path: PathBuf,
}

impl ProposalChunks<'_> {
    fn bad(&self, message: String) -> ScannedError {
        ScannedError::Bad {
            path: self.path.display().to_string(),
            message,
        }
    }
}

impl Iterator for ProposalChunks<'_> {
    type Item = Result<(Range<usize>, Vec<Proposal>), ScannedError>;

    fn next(&mut self) -> Option<Self::Item> {
        let n = self.scanned.items.len();
        if self.next >= n {
            // Every item is done: anything left over belongs to no item.
            return match (self.pending.take(), self.lines.next()) {
                (None, None) => None,
                (Some((_, p)), _) | (None, Some(Ok(p))) => Some(Err(self.bad(format!(
                    "a proposal for item {} comes after its place in the inventory; re-run `disclose scan`",
                    p.item_id
                )))),
                (None, Some(Err(e))) => Some(Err(self.bad(e.to_string()))),
            };
        }
        let start = self.next;
        let mut end = (start + self.chunk).min(n);
        let mut props: Vec<Proposal> = Vec::new();
        // Position of the last proposal taken: items come in inventory order.
        let mut last = start;
        loop {
            let (at, p) = match self.pending.take() {
                Some(x) => x,
                None => match self.lines.next() {
                    None => break,
                    Some(Err(e)) => return Some(Err(self.bad(e.to_string()))),
                    Some(Ok(p)) => match self.scanned.position(&p.item_id) {
                        Some(at) => (at, p),
                        None => {
                            return Some(Err(self.bad(format!(
                                "a proposal names item {}, which is not an in-scope item of \
                                 inventory.csv; re-run `disclose scan`",
                                p.item_id
                            ))))
                        }
                    },
                },
            };
            if at < last {
                return Some(Err(self.bad(format!(
                    "the proposals for item {} are out of inventory order; re-run `disclose scan`",
                    p.item_id
                ))));
            }
            // Past the budget, the chunk ends before the next item that has proposals.
            let full = props.len() >= self.budget && at != last;
            if at >= end || full {
                end = end.min(at);
                self.pending = Some((at, p));
                break;
            }
            last = at;
            props.push(p);
        }
        self.next = end;
        Some(Ok((start..end, props)))
    }
}

fn has_scope_columns(path: &Path) -> bool {
    csv::Reader::from_path(path)
        .and_then(|mut r| r.headers().cloned())
        .is_ok_and(|h| h.iter().any(|c| c == "in_scope"))
}

#[cfg(test)]
impl Item {
    /// Item `n` of a test scan: `it{n}`, an in-scope readable email whose SHA-256 is the byte
    /// `n` repeated.
    pub(crate) fn example(n: usize) -> Item {
        Item {
            item_id: format!("it{n}"),
            parent_id: String::new(),
            source_path: format!("export/m{n}.eml"),
            kind: "email".into(),
            sha256: format!("{n:02x}").repeat(32),
            size: 1,
            state: "ok".into(),
            detail: String::new(),
            date: "2025-03-14T09:00:00Z".into(),
            in_scope: "yes".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::proposals::{write_jsonl, Action};

    fn proposal(item: &str, k: usize) -> Proposal {
        Proposal {
            item_id: item.into(),
            location: format!("chars {k}-{}", k + 1),
            span: k..k + 1,
            text: "x".into(),
            category: "pupil".into(),
            reason: "THIRD-PARTY".into(),
            rule: "roster:full-name".into(),
            action: Action::Redact,
        }
    }

    fn scanned_with(dir: &Path, props: &[(usize, usize)]) -> Scanned {
        let all: Vec<Proposal> = props
            .iter()
            .flat_map(|&(n, count)| (0..count).map(move |k| proposal(&format!("it{n}"), k)))
            .collect();
        write_jsonl(&all, &dir.join(SPANS_FILE)).unwrap();
        Scanned::new(dir.to_path_buf(), (0..5).map(Item::example).collect(), 5)
    }

    fn shape(chunks: ProposalChunks<'_>) -> Vec<(Range<usize>, usize)> {
        chunks
            .map(|c| c.map(|(r, p)| (r, p.len())))
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn chunks_end_at_the_item_count_or_the_proposal_budget_never_inside_an_item() {
        let dir = tempfile::tempdir().unwrap();
        let s = scanned_with(dir.path(), &[(0, 3), (2, 2), (3, 1), (4, 4)]);
        // Budget 3: item 0 fills a chunk; items 2 and 3 share one; item 4's four stay whole.
        assert_eq!(
            shape(s.proposal_chunks(10, 3).unwrap()),
            [(0..2, 3), (2..4, 3), (4..5, 4)]
        );
        // Two items a chunk, a large budget: every item is in exactly one chunk.
        assert_eq!(
            shape(s.proposal_chunks(2, 1000).unwrap()),
            [(0..2, 3), (2..4, 3), (4..5, 4)]
        );
        assert_eq!(shape(s.proposal_chunks(10, 1000).unwrap()), [(0..5, 10)]);
    }

    #[test]
    fn proposals_out_of_order_or_for_unknown_items_stop_the_seal() {
        let dir = tempfile::tempdir().unwrap();
        let s = scanned_with(dir.path(), &[(3, 1), (1, 1)]);
        let err = s
            .proposal_chunks(10, 1000)
            .unwrap()
            .find_map(Result::err)
            .expect("refused");
        assert!(err.to_string().contains("out of inventory order"), "{err}");

        let s = scanned_with(dir.path(), &[(1, 1), (7, 1)]);
        let err = s
            .proposal_chunks(10, 1000)
            .unwrap()
            .find_map(Result::err)
            .expect("refused");
        assert!(err.to_string().contains("item it7"), "{err}");
    }
}
