//! The DPO's decisions: `decisions.toml` beside `case.toml`.
//!
//! Detection only proposes; a person decides. The DPO accepts or rejects proposed redactions,
//! discloses flagged staff names, redacts more text or a region of a page, withholds whole items
//! and settles items the tool could not read. Each decision records who made it and when,
//! because the ICO expects a record of who redacted what, when and why.
//!
//! Decisions name items by SHA-256 and places by the location string of `proposals.csv`, never
//! by row number or item id, so they survive re-running `scan`. A decision that no longer
//! matches anything is reported back ([`Outcome::unmatched`]), never silently dropped: a
//! forgotten redaction is a breach.
//!
//! [`file`] reads and checks the file, [`apply`](mod@apply) turns proposals plus decisions into
//! the final redactions, and [`template`](mod@template) writes the commented starter file.

pub mod apply;
pub mod file;
pub mod template;

pub use apply::{
    apply, apply_with, chars_location, targets, Final, Outcome, RegionRedaction, Settled,
    Unmatched, Withheld,
};
pub use file::{load, parse, Decision, DecisionAction, DecisionError, Decisions};
pub use template::template;

/// What `apply` needs to know about one item of the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemInfo {
    pub item_id: String,
    pub sha256: String,
    pub source_path: String,
    pub kind: String,
    /// The inventory's state: ok, duplicate, failed, unsupported.
    pub state: String,
    /// The item's searchable text (`OUT/text/<item_id>.txt`), when it has one.
    pub text: Option<String>,
}

#[cfg(test)]
mod tests;
