//! In scope or not, and why: the tracker's search rules applied to every ingested item.
//!
//! Order matters and is the tracker's: the roster is never a document; duplicates are already
//! accounted for; a mail is first checked against the exclusions (the subject's own mail, mail
//! not held in a staff mailbox, mail outside the dates), then against the include terms; an
//! attachment follows its mail's exclusion but is otherwise judged on its own text; documents
//! are judged on their text alone. Items that could not be read stay in scope until a person
//! decides, so nothing unread is silently left out.

use std::path::Path;

use chrono::NaiveDate;

use super::matcher::{Matcher, SearchDoc};
use crate::case::casefile::Case;
use crate::ingest::{ItemKind, MailMeta, Row, State};

/// The decision for one item.
#[derive(Debug, Clone)]
pub struct Scope {
    pub in_scope: bool,
    pub reason: String,
}

fn yes(reason: impl Into<String>) -> Scope {
    Scope {
        in_scope: true,
        reason: reason.into(),
    }
}

fn no(reason: impl Into<String>) -> Scope {
    Scope {
        in_scope: false,
        reason: reason.into(),
    }
}

/// What scoping needs from the case, prepared once.
pub struct ScopeRules<'a> {
    pub case: &'a Case,
    pub matcher: &'a Matcher,
    /// Indexes of include queries in the matcher; the rest are exclusions.
    pub includes: Vec<(usize, String)>,
    pub excludes: Vec<(usize, String)>,
    pub roster_path: Option<std::path::PathBuf>,
    pub text_dir: &'a Path,
}

fn is_mail(kind: ItemKind) -> bool {
    matches!(
        kind,
        ItemKind::Email | ItemKind::Contact | ItemKind::Calendar
    )
}

fn is_container(kind: ItemKind) -> bool {
    matches!(
        kind,
        ItemKind::Pst
            | ItemKind::Mbox
            | ItemKind::Zip
            | ItemKind::Workbook
            | ItemKind::ExportMetadata
    )
}

/// The address in `Name <addr>` or a bare address, folded.
fn address_of(s: &str) -> Option<String> {
    let a = match (s.rfind('<'), s.rfind('>')) {
        (Some(i), Some(j)) if j > i => &s[i + 1..j],
        _ => s,
    };
    let a = a.trim().to_ascii_lowercase();
    a.contains('@').then_some(a)
}

fn domain_of(addr: &str) -> &str {
    addr.rsplit_once('@').map_or("", |(_, d)| d)
}

/// Whose mailbox a message was exported from: the reader's record, a Purview folder named
/// `<address> (Primary)`, or the export listing's location.
fn mailbox_of(row: &Row, mail: &MailMeta) -> Option<String> {
    if let Some(m) = mail.mailbox.as_deref().and_then(address_of) {
        return Some(m);
    }
    for part in row
        .source_path
        .split(['/', '\\'])
        .flat_map(|p| p.split(" › "))
    {
        for suffix in [" (Primary)", " (Archive)"] {
            if let Some(a) = part.strip_suffix(suffix).and_then(address_of) {
                return Some(a);
            }
        }
    }
    row.detail
        .split("; ")
        .find_map(|d| d.strip_prefix("listed location: "))
        .and_then(address_of)
}

/// What a later row needs to know about an earlier one that may be its ancestor.
struct Ancestor {
    id: String,
    is_mail: bool,
    /// The mail's own exclusion (`excluded: …` without the prefix), if it was excluded.
    exclusion: Option<String>,
    /// The case roster (or part of it): its sheets are not documents either.
    roster: bool,
}

const ROSTER_REASON: &str = "the case roster: never searched as a document";

/// Applies the rule that a mail's exclusion covers everything attached to it, over rows
/// streamed in inventory order. Rows come depth first (a parent, then its children), so the
/// ancestors of the current row are exactly a stack: memory is the nesting depth, not the
/// number of items.
#[derive(Default)]
pub struct AttachmentRule {
    stack: Vec<Ancestor>,
}

impl AttachmentRule {
    /// The final decision for `row`, given its own.
    pub fn resolve(&mut self, row: &Row, own: Scope) -> Scope {
        match row.parent_id.as_deref() {
            Some(p) => {
                while self.stack.last().is_some_and(|a| a.id != p) {
                    self.stack.pop();
                }
            }
            None => self.stack.clear(),
        }
        let mut decided = None;
        let in_roster = self.stack.iter().any(|a| a.roster);
        // The nearest mail ancestor's exclusion covers everything attached to it.
        if in_roster {
            decided = Some(no(ROSTER_REASON));
        } else if let Some(mail) = self.stack.iter().rev().find(|a| a.is_mail) {
            decided = Some(match &mail.exclusion {
                Some(excl) => no(format!("attached to excluded mail: {excl}")),
                None if own.in_scope => own.clone(),
                None if own.reason == "no include term matched" => {
                    no("attachment of in-scope mail; no match")
                }
                None => own.clone(),
            });
        }
        self.stack.push(Ancestor {
            id: row.id.clone(),
            is_mail: is_mail(row.kind),
            exclusion: is_mail(row.kind)
                .then(|| own.reason.strip_prefix("excluded: ").map(String::from))
                .flatten(),
            roster: in_roster || own.reason == ROSTER_REASON,
        });
        decided.unwrap_or(own)
    }
}

impl ScopeRules<'_> {
    /// Decides every row. Rows must be in inventory order (parents before children).
    pub fn decide_all(&self, rows: &[Row]) -> Vec<Scope> {
        use rayon::prelude::*;
        let own: Vec<Scope> = rows.par_iter().map(|r| self.decide_own(r)).collect();
        let mut rule = AttachmentRule::default();
        rows.iter()
            .zip(own)
            .map(|(r, s)| rule.resolve(r, s))
            .collect()
    }

    /// One item's decision on its own merits (its text, its headers, its state), before the
    /// attachment rule: the expensive part, safe to run in parallel.
    pub fn decide_own(&self, row: &Row) -> Scope {
        if let Some(roster) = &self.roster_path {
            if row.parent_id.is_none()
                && Path::new(&row.source_path).file_name() == roster.file_name()
                && same_file(&row.source_path, roster)
            {
                return no(ROSTER_REASON);
            }
        }
        match row.state {
            State::Duplicate => return no(row.detail.clone()),
            State::Failed => {
                return yes(format!(
                    "could not be read ({}): in scope until a person decides",
                    row.detail
                ))
            }
            State::Unsupported => {
                return yes(format!("{}: in scope until a person decides", row.detail))
            }
            State::Ok => {}
        }
        if is_container(row.kind) {
            return no("container: its items are judged one by one");
        }
        let text = std::fs::read_to_string(self.text_dir.join(format!("{}.txt", row.id)))
            .unwrap_or_default();
        let empty = MailMeta::default();
        let mail = row.mail.as_ref().unwrap_or(&empty);
        let people =
            |v: &[crate::ingest::Address]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        let (from, to, cc, bcc) = (
            people(&mail.from),
            people(&mail.to),
            people(&mail.cc),
            people(&mail.bcc),
        );
        let doc = SearchDoc {
            subject: &mail.subject,
            body: &text,
            from: &from,
            to: &to,
            cc: &cc,
            bcc: &bcc,
            attachment_names: &mail.attachment_names,
            sent: mail.date,
            is_email: is_mail(row.kind),
            has_attachments: !mail.attachment_names.is_empty(),
        };
        if is_mail(row.kind) && row.mail.is_some() {
            if let Some(reason) = self.mail_exclusion(row, mail) {
                return no(format!("excluded: {reason}"));
            }
        }
        let hits = self.matcher.scan(&doc);
        for (q, term) in &self.excludes {
            if self.matcher.is_match(*q, &hits, &doc) {
                return no(format!("excluded: matches exclusion {term}"));
            }
        }
        let matched: Vec<String> = self
            .includes
            .iter()
            .filter(|(q, _)| self.matcher.is_match(*q, &hits, &doc))
            .map(|(q, _)| self.matcher.eval(*q, &hits, &doc).explanation)
            .collect();
        if matched.is_empty() {
            no("no include term matched")
        } else {
            yes(matched.join("; "))
        }
    }

    fn mail_exclusion(&self, row: &Row, mail: &MailMeta) -> Option<String> {
        let f = &self.case.file;
        let accounts: Vec<String> = f
            .subject
            .accounts
            .iter()
            .map(|a| a.trim().to_ascii_lowercase())
            .collect();
        let participants: Vec<String> = mail
            .from
            .iter()
            .chain(&mail.to)
            .chain(&mail.cc)
            .chain(&mail.bcc)
            .filter_map(|a| a.email.as_deref().and_then(address_of))
            .collect();
        if let Some(p) = participants.iter().find(|p| accounts.contains(p)) {
            return Some(format!("participant {p} is the subject's own account"));
        }
        let mailbox = mailbox_of(row, mail);
        if let Some(mb) = &mailbox {
            if accounts.contains(mb) {
                return Some(format!("exported from the subject's own mailbox {mb}"));
            }
        }
        let staff: Vec<String> = f
            .search
            .staff_domains
            .iter()
            .map(|d| d.trim().to_ascii_lowercase())
            .collect();
        if !staff.is_empty() {
            match &mailbox {
                Some(mb) if !staff.iter().any(|d| domain_of(mb) == d) => {
                    return Some(format!(
                        "held in mailbox {mb}, which is not in a staff domain ({})",
                        staff.join(", ")
                    ));
                }
                Some(_) => {}
                None => {
                    if !participants
                        .iter()
                        .any(|p| staff.iter().any(|d| domain_of(p) == d))
                    {
                        return Some(format!("whose mailbox it came from is not recorded, and no participant is in a staff domain ({})", staff.join(", ")));
                    }
                }
            }
        }
        let (from, to) = self.case.date_range();
        if let Some(date) = mail.date {
            let day: NaiveDate = date.date_naive();
            if let Some(from) = from {
                if day < from {
                    return Some(format!("dated {day}, before {from}"));
                }
            }
            if day > to {
                return Some(format!("dated {day}, after {to}"));
            }
        }
        None
    }
}

/// The inventory's source path is relative to the SOURCE as given; compare by canonical paths
/// where it resolves, else by the tail.
fn same_file(source_path: &str, roster: &Path) -> bool {
    match (
        std::fs::canonicalize(source_path),
        std::fs::canonicalize(roster),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => {
            roster.to_string_lossy().ends_with(source_path)
                || source_path.ends_with(&*roster.to_string_lossy())
        }
    }
}
