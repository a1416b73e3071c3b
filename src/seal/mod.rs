//! `disclose seal`: the reviewed case turned into what goes to the requester (numbered,
//! redacted PDFs and an index in an AES-encrypted zip), the master copy the school keeps, and
//! an independent check that nothing redacted survives.
//!
//! `scanned` reads what `scan` wrote, `decided` applies the DPO's decisions, `plan` settles
//! each item's fate and order, `produce` makes each document, `cover` writes the index letter,
//! `run` ties them together and publishes only a verified bundle, `record` notes the seal in
//! the case file.

pub mod cover;
pub mod decided;
pub mod plan;
pub mod produce;
pub mod record;
pub mod run;
pub mod scanned;

pub use run::{forbidden_texts, seal, SealError, SealReport};
