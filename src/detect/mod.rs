//! Finding personal data of people other than the subject, so that `scan` can propose redactions.
//!
//! A school disclosure is dangerous mainly because of other children: a behaviour log naming the
//! pupils in a fight, a parent's phone number in a safeguarding note. Detection proposes; the DPO
//! decides. Every detector therefore validates what it finds before proposing it (a proposal the
//! DPO has to undo costs time, and a flood of them hides the real ones) and names the rule that
//! fired, so the redaction log can say why each redaction was made.
//!
//! [`identifiers`] covers the structured identifiers of `../shared/DOMAIN.md` §5.

pub mod exemptions;
pub mod identifiers;
pub mod locate;
pub mod proposals;
