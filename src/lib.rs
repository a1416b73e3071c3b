//! `disclose`: answers UK school Subject Access Requests with true redaction.
//!
//! Modules in pipeline order: `case` (the SAR record, deadline, roster), `ingest` (exports and
//! files into items), `search` (the tracker's rules: scope), `detect` (other people and their
//! identifiers, exemption reasons), `decide` (the DPO's decisions), `report` (review page and
//! redaction log), `pdf` (the true-redaction engine), `render` (mail and sheets to PDF),
//! `seal` (the bundle), `bundle` (AES zip, manifest, passwords) and `verify` (the independent
//! check). `text` is the shared matching model; `redact_files` is `disclose redact`.

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
pub mod stopwatch;
pub mod text;
pub mod verify;
