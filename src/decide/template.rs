//! The starter `decisions.toml` that `scan` writes: how to decide, in comments, and every
//! flagged name and unreadable item as a commented-out decision the DPO can switch on. The
//! file loads as "no decisions" until a `#` is removed, so writing it changes nothing.

use std::fmt::Write as _;
use std::ops::Range;

use super::ItemInfo;
use crate::detect::proposals::{Action, Proposal};

const HEAD: &str = r#"# Decisions for this Subject Access Request: what to redact, leave visible or withhold.
#
# The tool has proposed redactions (see review.html and proposals.csv). Without a decision:
#   - a proposed redaction is redacted;
#   - a flagged name (usually staff acting in their job) is left visible.
# Write a decision to change that, to redact more, or to withhold a whole item.
#
# Lines starting with # are notes and are ignored. To use an example below, remove the # at the
# start of each of its lines and fill in `who` and `when`. Each decision starts with [[decision]].
#
# action   what to do:
#            redact          redact this text (accept a proposal, redact a flagged name, or
#                            redact text the tool missed: give `term`, or `item` with `text`)
#            disclose        leave this text visible (reject a proposal, or keep a flagged name)
#            withhold        leave a whole item out (needs `reason`)
#            redact-region   black out a rectangle of a PDF page: `page` and
#                            box = [x0, y0, x1, y1] in points from the page's bottom-left corner
#            disclose-as-is  an item the tool could not read is sent as it is
#            on-paper        an item the tool could not read is redacted by hand on paper
# item     the item's SHA-256 (the sha256 column of inventory.csv; the first 12 characters are
#          enough). Leave it out with `term` to act on every item.
# location where, exactly as in proposals.csv. Leave it out to mean every place `text` occurs.
# text     the words at that place (checked, so a decision never lands on the wrong words)
# term     words to act on wherever they occur, whole words, ignoring capitals and accents
# reason   exemption code, e.g. "THIRD-PARTY" (`disclose reasons` lists them all)
# who      who decided, e.g. "J. Patel (DPO)"            (required)
# when     the date of the decision, e.g. 2026-11-20      (required)
# note     anything the record should say about why
#
# Examples:
#
# [[decision]]
# action = "redact"
# term = "Jayden's dad"
# reason = "THIRD-PARTY"
# who = "J. Patel (DPO)"
# when = 2026-11-20
#
# [[decision]]
# action = "withhold"
# item = "3f2a9c0d41be"
# reason = "LPP"
# who = "J. Patel (DPO)"
# when = 2026-11-20
# note = "advice from the school's solicitor"
"#;

/// A starter decisions file for this scan.
pub fn template(proposals: &[(Proposal, Range<usize>)], items: &[ItemInfo]) -> String {
    let mut out = String::from(HEAD);
    let flags: Vec<&Proposal> = proposals
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.action == Action::Flag)
        .collect();
    if !flags.is_empty() {
        out.push_str(
            "\n# ---------------------------------------------------------------------------\n\
             # Flagged names: left visible unless you decide otherwise. To redact one, remove\n\
             # the #s and change \"disclose\" to \"redact\"; to confirm it stays, keep \"disclose\".\n",
        );
        for item in items {
            let here: Vec<&&Proposal> =
                flags.iter().filter(|p| p.item_id == item.item_id).collect();
            if here.is_empty() {
                continue;
            }
            let _ = write!(
                out,
                "\n# Item {}: {}\n",
                item.item_id,
                one_line(&item.source_path)
            );
            for p in here {
                let _ = write!(
                    out,
                    "#\n# [[decision]]\n# action = \"disclose\"\n# item = {}\n# location = {}\n\
                     # text = {}\n# who = \"\"\n# when = \"\"\n# note = \"{} ({})\"\n",
                    quote(&item.sha256),
                    quote(&p.location),
                    quote(&p.text),
                    one_line(&p.category).replace('"', "'"),
                    one_line(&p.rule).replace('"', "'"),
                );
            }
        }
    }
    let unsettled: Vec<&ItemInfo> = items
        .iter()
        .filter(|i| i.state == "failed" || i.state == "unsupported" || i.text.is_none())
        .collect();
    if !unsettled.is_empty() {
        out.push_str(
            "\n# ---------------------------------------------------------------------------\n\
             # Items the tool could not read (failed, unsupported, or no text such as a scanned\n\
             # PDF). Each must be settled before sealing: choose disclose-as-is, on-paper, or\n\
             # withhold (with a reason).\n",
        );
        for item in unsettled {
            let _ = write!(
                out,
                "\n# Item {}: {} ({}, {})\n#\n# [[decision]]\n# action = \"on-paper\"\n# item = {}\n\
                 # who = \"\"\n# when = \"\"\n",
                item.item_id,
                one_line(&item.source_path),
                one_line(&item.kind),
                one_line(&item.state),
                quote(&item.sha256),
            );
        }
    }
    out
}

/// A one-line TOML basic string, escaped, so any text from a document is safe inside a
/// comment and still valid once uncommented.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(q, "\\u{:04X}", c as u32);
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// Text for a comment line: line breaks would end the comment.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
