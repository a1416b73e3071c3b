//! What `scan` left in the output folder, read back for sealing: the inventory with its scope
//! columns and the proposals with their byte spans. Sealing works from these files, not from
//! a live scan, so what the DPO reviewed is exactly what gets sealed.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::detect::proposals::{jsonl_reader, Proposal, SPANS_FILE};

/// One row of OUT/inventory.csv as `scan` writes it.
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
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub cc: String,
    pub date: String,
    pub subject: String,
    pub in_scope: String,
    pub scope_reason: String,
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

    /// The proposals, streamed from disk a run of items at a time (`chunk` items of
    /// [`Scanned::items`] per step, in order): sealing holds one chunk's proposals, never all.
    pub fn proposal_chunks(&self, chunk: usize) -> Result<ProposalChunks<'_>, ScannedError> {
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
        let range = self.next..(self.next + self.chunk).min(n);
        self.next = range.end;
        let mut props = Vec::new();
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
            if at < range.start {
                return Some(Err(self.bad(format!(
                    "the proposals for item {} are out of inventory order; re-run `disclose scan`",
                    p.item_id
                ))));
            }
            if at >= range.end {
                self.pending = Some((at, p));
                break;
            }
            props.push(p);
        }
        Some(Ok((range, props)))
    }
}

fn has_scope_columns(path: &Path) -> bool {
    csv::Reader::from_path(path)
        .and_then(|mut r| r.headers().cloned())
        .is_ok_and(|h| h.iter().any(|c| c == "in_scope"))
}
