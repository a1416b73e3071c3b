//! The SAR case: the tracker's record and the checks a redaction lead would otherwise do by
//! hand, each kept as code so its result can be shown and defended later.
//!
//! `deadline` works out the statutory due date with its working; `holidays` supplies the bank
//! holidays it rolls past.

pub mod casefile;
pub mod deadline;
pub mod holidays;
pub mod roster;
pub mod status;
