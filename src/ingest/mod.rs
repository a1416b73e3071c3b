//! Ingest: exports and files in, one inventory row per item out, every item accounted for.

pub mod model;

pub use model::{Address, Child, ChildContent, Input, ItemKind, Limits, MailMeta, Own, ReadError, ReadFn};
