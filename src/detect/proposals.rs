//! Proposed redactions for every in-scope item: other people from the roster and identifiers
//! that are not the subject's, each with its category, reason code and the rule that found it.
//! Staff acting in their role are flagged for the DPO, not redacted: the ICO expects staff to be
//! named in the normal course.
//!
//! Names go into the case's one automaton as extra terms (full name, preferred name with
//! surname, "Surname, Forename"); a first name alone counts only where it is unique in the
//! school and the same person's full name appears in the same item.

use std::collections::HashSet;

use super::identifiers::{find_identifiers, normalize_for_compare, Found, IdKind};
use crate::case::casefile::Case;
use crate::case::roster::{Person, Role, Roster};
use crate::search::matcher::{Matcher, SearchDoc};
use crate::text::normalize;

pub const HEADER: [&str; 7] = [
    "item_id", "location", "text", "category", "reason", "rule", "action",
];

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Proposal {
    pub item_id: String,
    /// Where a person finds it: `chars START-END` of the item's searchable text, or for PDFs
    /// `page N box x0,y0,x1,y1` (user space, points; one box per line, `; ` between).
    pub location: String,
    /// Byte range in the item's searchable text (OUT/text/<item_id>.txt), whatever `location`
    /// says: the review page highlights it and rendering removes it.
    pub span: std::ops::Range<usize>,
    pub text: String,
    pub category: String,
    pub reason: String,
    pub rule: String,
    pub action: Action,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Redact,
    Flag,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Redact => "redact",
            Action::Flag => "flag",
        }
    }
}

/// Where `scan` keeps the proposals with their byte spans for the later steps (the CSV is for
/// people and has no span column).
pub const SPANS_FILE: &str = ".work/proposals.jsonl";

/// Writes proposals as JSON lines (atomically).
pub fn write_jsonl(props: &[Proposal], path: &std::path::Path) -> std::io::Result<()> {
    let mut out = Vec::new();
    for p in props {
        serde_json::to_writer(&mut out, p).map_err(std::io::Error::other)?;
        out.push(b'\n');
    }
    if let Some(dir) = path.parent() {
        crate::fsutil::private_dir(dir)?;
    }
    crate::fsutil::write_atomic(path, &out)
}

/// Reads what [`write_jsonl`] wrote; a damaged line is an error naming its number.
pub fn read_jsonl(path: &std::path::Path) -> std::io::Result<Vec<Proposal>> {
    jsonl_reader(path)?.collect()
}

/// Streams what [`write_jsonl`] (or `scan`) wrote, a line at a time: a case with millions of
/// proposals is sealed without holding them. A damaged line is an error naming its number.
pub fn jsonl_reader(
    path: &std::path::Path,
) -> std::io::Result<impl Iterator<Item = std::io::Result<Proposal>>> {
    use std::io::BufRead;
    let file = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(path)?);
    let shown = path.display().to_string();
    Ok(file
        .lines()
        .enumerate()
        .filter(|(_, l)| l.as_ref().map_or(true, |l| !l.trim().is_empty()))
        .map(move |(i, l)| {
            let l = l?;
            serde_json::from_str(&l)
                .map_err(|e| std::io::Error::other(format!("{shown} line {}: {e}", i + 1)))
        }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Full,
    Reversed,
    /// "Surname Forename" with no comma: a tracker's adjacent cells, or a name written family
    /// name first. Weaker than the others: in a row of full names ("Safa Ackroyd<TAB>Ella
    /// Ackroyd") it also reads across two of them, so it yields to any name it overlaps.
    SurnameFirst,
    FirstOnly,
    Custom,
}

/// The names to look for, built once per case.
pub struct NameTerms {
    pub terms: Vec<String>,
    owners: Vec<(Option<usize>, Form)>,
}

impl NameTerms {
    pub fn new(case: &Case, roster: Option<&Roster>) -> NameTerms {
        let s = &case.file.subject;
        let subject = roster.and_then(|r| r.find_subject(&s.name, s.upn.as_deref()));
        let mut terms = Vec::new();
        let mut owners = Vec::new();
        let mut seen = HashSet::new();
        let subject_keys: HashSet<String> = std::iter::once(&s.name)
            .chain(&s.also_known_as)
            .map(|n| normalize(n))
            .collect();
        let mut push = |t: String,
                        owner: (Option<usize>, Form),
                        terms: &mut Vec<String>,
                        owners: &mut Vec<_>| {
            let key = normalize(&t);
            // Never a form that spells the subject's own name.
            if key.chars().any(char::is_alphanumeric)
                && !subject_keys.contains(&key)
                && seen.insert(key)
            {
                terms.push(t);
                owners.push(owner);
            }
        };
        let subject_names: HashSet<String> = std::iter::once(&s.name)
            .chain(&s.also_known_as)
            .map(|n| normalize(n))
            .collect();
        if let Some(r) = roster {
            let name_counts = r.name_counts();
            for (i, p) in r.people.iter().enumerate() {
                if Some(p) == subject || subject_names.contains(&normalize(&p.full_name())) {
                    continue;
                }
                push(
                    p.full_name(),
                    (Some(i), Form::Full),
                    &mut terms,
                    &mut owners,
                );
                if let Some(pref) = &p.preferred {
                    push(
                        format!("{pref} {}", p.surname),
                        (Some(i), Form::Full),
                        &mut terms,
                        &mut owners,
                    );
                }
                push(
                    format!("{}, {}", p.surname, p.forename),
                    (Some(i), Form::Reversed),
                    &mut terms,
                    &mut owners,
                );
                for first in p.first_names() {
                    if name_counts.get(&first) == Some(&1)
                        && !subject_names
                            .iter()
                            .any(|n| n.split(' ').any(|w| w == first))
                    {
                        push(first, (Some(i), Form::FirstOnly), &mut terms, &mut owners);
                    }
                }
            }
            // Registers and trackers put the surname first in one cell or in two cells side
            // by side (`Okafor<TAB>Jayden` reads `okafor jayden` once folded), and some names
            // are written family name first (Nguyễn Thị Mai). After every full name, so a
            // person whose name is another's reversed keeps their own.
            for (i, p) in r.people.iter().enumerate() {
                if Some(p) == subject || subject_names.contains(&normalize(&p.full_name())) {
                    continue;
                }
                push(
                    format!("{} {}", p.surname, p.forename),
                    (Some(i), Form::SurnameFirst),
                    &mut terms,
                    &mut owners,
                );
            }
        }
        for a in &case.file.redaction.always {
            push(a.clone(), (None, Form::Custom), &mut terms, &mut owners);
        }
        NameTerms { terms, owners }
    }
}

/// The subject's own identifiers, as comparison keys per kind.
fn subject_ids(case: &Case, roster: Option<&Roster>) -> HashSet<(IdKind, String)> {
    let s = &case.file.subject;
    let mut own: Vec<String> = s
        .upn
        .iter()
        .chain(&s.uln)
        .chain(&s.other_ids)
        .chain(&s.accounts)
        .cloned()
        .collect();
    if let Some(d) = s.dob {
        own.push(d.to_string());
    }
    if let Some(p) = roster.and_then(|r| r.find_subject(&s.name, s.upn.as_deref())) {
        own.extend(
            p.upn
                .iter()
                .chain(&p.uln)
                .chain(&p.email)
                .chain(&p.dob)
                .cloned(),
        );
    }
    let mut keys = HashSet::new();
    for id in own {
        for f in find_identifiers(&id) {
            keys.insert((f.kind, f.compare_key()));
        }
        for kind in IdKind::ALL {
            keys.insert((kind, normalize_for_compare(kind, &id)));
        }
    }
    keys
}

pub struct Proposer<'a> {
    pub case: &'a Case,
    pub roster: Option<&'a Roster>,
    pub names: &'a NameTerms,
    /// Built with `names.terms` as its extra terms.
    pub matcher: &'a Matcher,
    own_ids: HashSet<(IdKind, String)>,
    never: Vec<String>,
    staff_domains: Vec<String>,
    /// The roster people the requester is (a parent asking about their child): their own
    /// details go back to them, so they are flagged for the DPO, not redacted.
    requester: HashSet<usize>,
    requester_emails: HashSet<String>,
}

/// Roster people named by the case's `request.requester` ("Mrs Claire Hartley").
fn requester_people(case: &Case, roster: Option<&Roster>) -> HashSet<usize> {
    let asked = format!(" {} ", normalize(&case.file.request.requester));
    let Some(r) = roster else {
        return HashSet::new();
    };
    r.people
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            let full = normalize(&p.full_name());
            full.contains(' ') && asked.contains(&format!(" {full} "))
        })
        .map(|(i, _)| i)
        .collect()
}

impl<'a> Proposer<'a> {
    pub fn new(
        case: &'a Case,
        roster: Option<&'a Roster>,
        names: &'a NameTerms,
        matcher: &'a Matcher,
    ) -> Self {
        let requester = requester_people(case, roster);
        let requester_emails = requester
            .iter()
            .filter_map(|&i| roster.and_then(|r| r.people[i].email.as_deref()))
            .map(|e| e.trim().to_ascii_lowercase())
            .collect();
        Proposer {
            case,
            roster,
            names,
            matcher,
            requester,
            requester_emails,
            own_ids: subject_ids(case, roster),
            never: case
                .file
                .redaction
                .never
                .iter()
                .map(|n| normalize(n))
                .filter(|n| !n.is_empty())
                .collect(),
            staff_domains: case
                .file
                .search
                .staff_domains
                .iter()
                .map(|d| d.to_ascii_lowercase())
                .collect(),
        }
    }

    fn never(&self, text: &str) -> bool {
        let t = normalize(text);
        self.never.iter().any(|n| *n == t || n.contains(&t))
    }

    /// Proposals for one item's searchable text.
    pub fn propose(&self, item_id: &str, text: &str) -> Vec<Proposal> {
        let doc = SearchDoc {
            subject: "",
            body: text,
            from: &[],
            to: &[],
            cc: &[],
            bcc: &[],
            attachment_names: &[],
            sent: None,
            is_email: false,
            has_attachments: false,
        };
        let hits = self.matcher.scan(&doc);
        let mut out = Vec::new();
        let found: Vec<usize> = hits.extra_found();
        let full_owners: HashSet<usize> = found
            .iter()
            .filter_map(|&t| match self.names.owners.get(t) {
                Some((Some(p), Form::Full | Form::Reversed | Form::SurnameFirst)) => Some(*p),
                _ => None,
            })
            .collect();
        for t in found {
            let Some(&(owner, form)) = self.names.owners.get(t) else {
                continue;
            };
            if form == Form::FirstOnly && !owner.is_some_and(|p| full_owners.contains(&p)) {
                continue;
            }
            let person: Option<&Person> = owner.and_then(|p| self.roster.map(|r| &r.people[p]));
            let (category, action, rule) = match (form, person.map(Person::role)) {
                (Form::Custom, _) => (
                    "custom",
                    Action::Redact,
                    "case:redaction.always".to_string(),
                ),
                (_, Some(Role::Staff)) => (
                    "staff",
                    Action::Flag,
                    format!("roster:{}", form_label(form)),
                ),
                (_, Some(Role::Pupil)) => (
                    "pupil",
                    Action::Redact,
                    format!("roster:{}", form_label(form)),
                ),
                (_, Some(Role::Contact)) => (
                    "contact",
                    Action::Redact,
                    format!("roster:{}", form_label(form)),
                ),
                _ => (
                    "person",
                    Action::Redact,
                    format!("roster:{}", form_label(form)),
                ),
            };
            let staff_by_email = person.and_then(|p| p.email.as_deref()).is_some_and(|e| {
                let d = e.rsplit('@').next().unwrap_or("").to_ascii_lowercase();
                self.staff_domains.contains(&d)
            });
            let (category, action) = if staff_by_email && category != "custom" {
                ("staff", Action::Flag)
            } else {
                (category, action)
            };
            let (category, action, rule) = match owner {
                Some(p) if self.requester.contains(&p) && category != "custom" => (
                    "requester",
                    Action::Flag,
                    "case:request.requester".to_string(),
                ),
                _ => (category, action, rule),
            };
            for span in hits.extra(t).body {
                let matched = &text[span.source.clone()];
                if self.never(matched) {
                    continue;
                }
                out.push(Proposal {
                    item_id: item_id.to_string(),
                    location: format!("chars {}-{}", span.source.start, span.source.end),
                    span: span.source.clone(),
                    text: matched.to_string(),
                    category: category.to_string(),
                    reason: "THIRD-PARTY".into(),
                    rule: rule.clone(),
                    action,
                });
            }
        }
        let mut ids = find_identifiers(text);
        for f in tabular_identifiers(text) {
            if !ids.iter().any(|g| g.start < f.end && f.start < g.end) {
                ids.push(f);
            }
        }
        for f in ids {
            if self.is_own(&f) || self.never(&f.text) {
                continue;
            }
            // Staff addresses are flagged like staff names; the requester's own address goes
            // back to them.
            let (category, rule, action) = match f.kind {
                IdKind::Email if self.is_staff_address(&f.text) => {
                    ("staff", "email/staff-domain".to_string(), Action::Flag)
                }
                IdKind::Email
                    if self
                        .requester_emails
                        .contains(&f.text.trim().to_ascii_lowercase()) =>
                {
                    (
                        "requester",
                        "case:request.requester".to_string(),
                        Action::Flag,
                    )
                }
                _ => (f.kind.as_str(), f.rule.to_string(), Action::Redact),
            };
            out.push(Proposal {
                item_id: item_id.to_string(),
                location: format!("chars {}-{}", f.start, f.end),
                span: f.start..f.end,
                text: f.text.clone(),
                category: category.to_string(),
                reason: "THIRD-PARTY".into(),
                rule,
                action,
            });
        }
        drop_contained(drop_weak_overlaps(out))
    }

    fn is_staff_address(&self, email: &str) -> bool {
        let d = email
            .rsplit('@')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        self.staff_domains.contains(&d)
    }

    fn is_own(&self, f: &Found) -> bool {
        self.own_ids.contains(&(f.kind, f.compare_key()))
    }
}

/// A surname-first match that overlaps another name without containing it read across two
/// names; the names it overlaps are proposed in their own right.
fn drop_weak_overlaps(props: Vec<Proposal>) -> Vec<Proposal> {
    let weak = |p: &Proposal| p.rule.ends_with(":surname-first");
    let strong: Vec<std::ops::Range<usize>> = props
        .iter()
        .filter(|p| p.rule.ends_with(":full-name") || p.rule.ends_with(":surname-forename"))
        .map(|p| p.span.clone())
        .collect();
    props
        .into_iter()
        .filter(|p| {
            !weak(p)
                || !strong.iter().any(|s| {
                    let overlap = s.start < p.span.end && p.span.start < s.end;
                    let nested = (s.start <= p.span.start && p.span.end <= s.end)
                        || (p.span.start <= s.start && s.end <= p.span.end);
                    overlap && !nested
                })
        })
        .collect()
}

/// One proposal per place: a first name inside the full name already proposed, or inside an
/// email address, adds nothing for the DPO. A redaction inside a flag is kept (the redaction
/// must still happen if the flag is disclosed).
fn drop_contained(mut props: Vec<Proposal>) -> Vec<Proposal> {
    props.sort_by_key(|p| (p.span.start, std::cmp::Reverse(p.span.end)));
    let mut kept: Vec<Proposal> = Vec::with_capacity(props.len());
    for p in props {
        let inside = kept.iter().rev().take(8).any(|k| {
            k.span.start <= p.span.start
                && p.span.end <= k.span.end
                && (k.action == Action::Redact || p.action == Action::Flag)
        });
        if !inside {
            kept.push(p);
        }
    }
    kept
}

/// Identifiers in a table's cells, each read with its column heading as its label: a date of
/// birth under a `DOB` heading has no label beside it in the text, only above it.
fn tabular_identifiers(text: &str) -> Vec<Found> {
    let mut lines = text.split_inclusive('\n');
    let Some(head) = lines.next() else {
        return Vec::new();
    };
    let head_body = head.trim_end_matches(['\n', '\r']);
    if !head_body.contains('\t') {
        return Vec::new();
    }
    let headings: Vec<&str> = head_body.split('\t').collect();
    let mut out = Vec::new();
    let mut pos = head.len();
    for line in lines {
        let body = line.trim_end_matches(['\n', '\r']);
        let mut start = pos;
        for (col, cell) in body.split('\t').enumerate() {
            let heading = headings.get(col).map(|h| h.trim()).unwrap_or("");
            if !heading.is_empty() && !cell.trim().is_empty() {
                out.extend(
                    super::identifiers::find_identifiers_in_field(heading, cell)
                        .into_iter()
                        .map(|mut f| {
                            f.start += start;
                            f.end += start;
                            f
                        }),
                );
            }
            start += cell.len() + 1;
        }
        pos += line.len();
    }
    out
}

fn form_label(f: Form) -> &'static str {
    match f {
        Form::Full => "full-name",
        Form::Reversed => "surname-forename",
        Form::SurnameFirst => "surname-first",
        Form::FirstOnly => "unique-first-name-near-full-name",
        Form::Custom => "custom",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::casefile::TEMPLATE;
    use std::path::Path;

    fn setup() -> (Case, Roster) {
        let text = TEMPLATE
            .replace("# upn = \"A123456789012\"", "upn = \"A123456789012\"")
            .replace("always = []", "always = [\"Jayden's dad\"]")
            .replace("never = []", "never = [\"Oakfield Academy\"]");
        let case = Case::parse(&text, Path::new("case.toml")).unwrap();
        let rows: Vec<Vec<String>> = [
            "Legal Forename,Preferred Forename,Legal Surname,Role,UPN,Email",
            "Ava,,Thompson,Pupil,A123456789012,",
            "Jayden,,Okafor,Pupil,B801200005001,",
            "Zoë,,Brennan-Whyte,Pupil,,",
            "Priya,,Patel,Teacher,,p.patel@oakfield.sch.uk",
            "Grace,,Okafor,Parent,,",
        ]
        .iter()
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
        (case, Roster::from_rows(&rows).unwrap())
    }

    #[test]
    fn proposes_other_people_and_their_identifiers_not_the_subjects() {
        let (case, roster) = setup();
        let names = NameTerms::new(&case, Some(&roster));
        let term_refs: Vec<&str> = names.terms.iter().map(String::as_str).collect();
        let matcher = Matcher::new(&[], &term_refs).unwrap();
        let p = Proposer::new(&case, Some(&roster), &names, &matcher);
        let text = "Ava Thompson (UPN A123456789012) argued with Jayden Okafor (UPN B801200005001). \
                    Jayden's mum Grace Okafor rang Mrs Patel; Priya Patel logged it. Okafor, Jayden was sent home. \
                    Zoe Brennan-Whyte saw it. Jayden's dad collected him from Oakfield Academy.";
        let props = p.propose("item1", text);
        let got: Vec<(String, &str, &str)> = props
            .iter()
            .map(|x| (x.text.clone(), x.category.as_str(), x.action.label()))
            .collect();
        let has = |t: &str, c: &str, a: &str| {
            got.iter().any(|(x, cc, aa)| x == t && *cc == c && *aa == a)
        };
        assert!(has("Jayden Okafor", "pupil", "redact"), "{got:?}");
        assert!(has("B801200005001", "upn", "redact"), "{got:?}");
        assert!(has("Grace Okafor", "contact", "redact"), "{got:?}");
        assert!(
            has("Priya Patel", "staff", "flag"),
            "staff are flagged, not redacted: {got:?}"
        );
        assert!(has("Okafor, Jayden", "pupil", "redact"), "{got:?}");
        assert!(
            has("Zoe Brennan-Whyte", "pupil", "redact"),
            "accents folded: {got:?}"
        );
        assert!(has("Jayden's dad", "custom", "redact"), "{got:?}");
        assert!(
            has("Jayden", "pupil", "redact"),
            "a unique first name near the full name: {got:?}"
        );
        assert!(
            !got.iter()
                .any(|(t, _, _)| t.contains("Ava") || t.contains("A123456789012")),
            "never the subject: {got:?}"
        );
        for x in &props {
            let range = x.location.strip_prefix("chars ").unwrap();
            let (a, b) = range.split_once('-').unwrap();
            assert_eq!(
                &text[a.parse::<usize>().unwrap()..b.parse::<usize>().unwrap()],
                x.text
            );
            assert_eq!(&text[x.span.clone()], x.text);
        }
        assert!(
            props.windows(2).all(|w| w[0].span.start <= w[1].span.start),
            "in reading order"
        );
    }

    #[test]
    fn tracker_cells_surname_first_and_labelled_columns() {
        let (case, roster) = setup();
        let names = NameTerms::new(&case, Some(&roster));
        let term_refs: Vec<&str> = names.terms.iter().map(String::as_str).collect();
        let matcher = Matcher::new(&[], &term_refs).unwrap();
        let p = Proposer::new(&case, Some(&roster), &names, &matcher);
        let text = "Surname\tForename\tDOB\tNeed\nThompson\tAva\t03/09/2012\tCheck-in\nOkafor\tJayden\t14/02/2012\tSEN";
        let props = p.propose("t", text);
        let got: Vec<(&str, &str)> = props
            .iter()
            .map(|x| (x.text.as_str(), x.category.as_str()))
            .collect();
        assert!(got.contains(&("Okafor\tJayden", "pupil")), "{got:?}");
        assert!(got.contains(&("14/02/2012", "dob")), "{got:?}");
        assert!(
            !got.iter().any(|(t, _)| t.contains("Thompson")),
            "never the subject: {got:?}"
        );
    }

    #[test]
    fn a_first_name_alone_needs_the_full_name_nearby() {
        let (case, roster) = setup();
        let names = NameTerms::new(&case, Some(&roster));
        let term_refs: Vec<&str> = names.terms.iter().map(String::as_str).collect();
        let matcher = Matcher::new(&[], &term_refs).unwrap();
        let p = Proposer::new(&case, Some(&roster), &names, &matcher);
        assert!(p.propose("i", "Jayden was late today.").is_empty());
    }
}
