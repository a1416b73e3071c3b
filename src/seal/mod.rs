//! `disclose seal`: the reviewed case turned into what goes to the requester (numbered,
//! redacted PDFs and an index in an AES-encrypted zip), the master copy the school keeps, and
//! an independent check that nothing redacted survives.

pub mod plan;
pub mod scanned;
