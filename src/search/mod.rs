//! Deciding which items a SAR search finds.
//!
//! Include terms are written in the Purview keyword syntax the school's procedure already uses
//! (`../shared/DOMAIN.md` §2), so a term can be copied between Purview and the case file and
//! mean the same. [`query`] parses one term into a tree; [`matcher`] puts every literal of every
//! term, plus any extra terms a later stage needs found (roster names), into one automaton that
//! reads each field of an item once, then decides each term from the hits and says where they
//! were, because every in-scope decision must be explainable to the requester or the ICO.

pub mod matcher;
pub mod query;
pub mod scan;
pub mod scope;
pub mod term_check;

pub use matcher::{
    BodySpan, Hits, Matcher, MatcherError, Place, PlaceCounts, SearchDoc, TermHits, Verdict,
};
pub use query::{
    parse, DateCmp, DateField, DocKind, Field, Literal, LiteralKind, Parsed, Query, QueryError,
    Warning,
};
