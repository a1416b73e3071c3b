//! What `scan` left in the output folder, read back for sealing: the inventory with its scope
//! columns and the proposals with their byte spans. Sealing works from these files, not from
//! a live scan, so what the DPO reviewed is exactly what gets sealed.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::detect::proposals::{read_jsonl, Proposal, SPANS_FILE};

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
    pub proposals: Vec<Proposal>,
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
        let proposals = read_jsonl(&spans).map_err(|e| bad(&spans, e.to_string()))?;
        Ok(Scanned {
            out: out.to_path_buf(),
            items,
            items_searched,
            proposals,
        })
    }

    pub fn text_path(&self, item_id: &str) -> PathBuf {
        self.out.join("text").join(format!("{item_id}.txt"))
    }

    pub fn item(&self, item_id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.item_id == item_id)
    }
}

fn has_scope_columns(path: &Path) -> bool {
    csv::Reader::from_path(path)
        .and_then(|mut r| r.headers().cloned())
        .is_ok_and(|h| h.iter().any(|c| c == "in_scope"))
}
