//! `disclose`: answers UK school Subject Access Requests with true redaction.
//!
//! The library is organised in pipeline order. Today it holds the shared text model and the
//! PDF redaction engine; the `redact_files` module is the batch behind `disclose redact`.

pub mod bundle;
pub mod case;
pub mod decide;
pub mod demo;
pub mod detect;
pub mod fsutil;
pub mod ingest;
pub mod pdf;
pub mod redact_files;
pub mod render;
pub mod report;
pub mod seal;
pub mod search;
pub mod text;
pub mod verify;
