//! Reports for the people running a disclosure: the DPO's review page and the internal
//! redaction log. Neither goes into the requester's bundle.

pub mod dpo_log;
pub mod review;
