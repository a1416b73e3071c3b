//! `disclose terms check`: the tracker's rules for search terms, judged against the roster.
//!
//! A search for "Ava" in a school with four Avas returns other children's records, and a
//! search for initials ("KF") returns anyone's; both turn a SAR into a disclosure of other
//! people. So a term must identify the subject: their full name or alias, their first name AND
//! surname, one of their identifiers, or a name nobody else in the school has.

use std::fmt;

use super::query::{parse, Field, Literal, LiteralKind, Query};
use crate::case::casefile::Case;
use crate::case::roster::{Person, Roster};
use crate::text::normalize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Allowed,
    Warning,
    Forbidden,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Allowed => "allowed",
            Verdict::Warning => "warning",
            Verdict::Forbidden => "forbidden",
        })
    }
}

#[derive(Debug, Clone)]
pub struct Judgement {
    pub term: String,
    pub verdict: Verdict,
    pub why: Vec<String>,
}

impl fmt::Display for Judgement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\t{}\t{}",
            self.verdict,
            self.term,
            self.why.join("; ")
        )
    }
}

/// First names that are also ordinary words: a search for them finds text about anything.
const ORDINARY_WORDS: &[&str] = &[
    "will", "grace", "rose", "bell", "may", "hope", "faith", "joy", "mark", "bill", "rob", "sky",
    "summer", "frank", "honey", "amber", "ruby", "holly", "ivy", "daisy", "poppy", "lily", "dawn",
    "sunny", "angel", "chase", "hunter", "page", "young", "king", "green", "brown", "white",
    "black", "hill", "wood", "baker", "cook", "miles", "max", "jack", "pat", "sue", "art", "guy",
    "don", "ray", "rich", "dean", "hall", "lane", "north", "west", "long", "star", "river",
    "storm", "autumn", "june", "april", "august", "chance", "gay", "rock", "reed", "field",
    "brook", "lee",
];

/// What one literal says about the subject.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Strength {
    /// Identifies the subject alone (full name, alias, identifier, a unique name).
    Identifies,
    /// The subject's forename: identifies only with their surname beside it.
    Forename,
    /// The subject's surname: identifies only with a forename beside it.
    Surname,
    /// Says nothing about who (other words, other people's names).
    Neutral,
}

struct Judge<'a> {
    case: &'a Case,
    roster: Option<&'a Roster>,
    subject: Option<&'a Person>,
}

pub fn check_terms(case: &Case, roster: Option<&Roster>) -> Vec<Judgement> {
    let f = &case.file.subject;
    let subject = roster.and_then(|r| r.find_subject(&f.name, f.upn.as_deref()));
    let judge = Judge {
        case,
        roster,
        subject,
    };
    case.file
        .search
        .terms
        .iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| judge.term(t))
        .collect()
}

impl Judge<'_> {
    fn term(&self, term: &str) -> Judgement {
        let mut why = Vec::new();
        let mut verdict = Verdict::Allowed;
        let parsed = match parse(term) {
            Ok(p) => p,
            Err(e) => {
                return Judgement {
                    term: term.to_string(),
                    verdict: Verdict::Forbidden,
                    why: vec![format!("does not parse: {e}")],
                }
            }
        };
        for w in &parsed.warnings {
            verdict = verdict.max(Verdict::Warning);
            why.push(w.to_string());
        }
        if self.roster.is_none() {
            verdict = verdict.max(Verdict::Warning);
            why.push("no roster in the case: names cannot be checked for uniqueness".into());
        }
        let branches = parsed
            .query
            .dnf(64)
            .unwrap_or_else(|| parsed.query.split_or());
        let many = branches.len() > 1;
        for (i, branch) in branches.iter().enumerate() {
            let (v, reasons) = self.branch(branch);
            verdict = verdict.max(v);
            for r in reasons {
                why.push(if many {
                    format!("branch {}: {r}", i + 1)
                } else {
                    r
                });
            }
        }
        why.dedup();
        Judgement {
            term: term.to_string(),
            verdict,
            why,
        }
    }

    /// One way the term can match (an AND of literals): it must identify the subject.
    fn branch(&self, q: &Query) -> (Verdict, Vec<String>) {
        let mut reasons = Vec::new();
        let mut verdict = Verdict::Allowed;
        let literals: Vec<Literal> = q.positive_literals();
        let mut strengths = Vec::new();
        for lit in &literals {
            let (v, strength, why) = self.literal(lit);
            verdict = verdict.max(v);
            strengths.push(strength);
            reasons.extend(why);
        }
        let identifies = strengths.contains(&Strength::Identifies)
            || (strengths.contains(&Strength::Forename) && strengths.contains(&Strength::Surname));
        if verdict < Verdict::Forbidden && !identifies {
            if strengths
                .iter()
                .any(|s| matches!(s, Strength::Forename | Strength::Surname))
            {
                verdict = Verdict::Forbidden;
                reasons.push("a first name or surname alone is not unique in the roster: pair it with the other (AND) or use the full name".into());
            } else if !literals.is_empty()
                && literals
                    .iter()
                    .all(|l| l.field == Field::Any || l.field == Field::Subject)
            {
                verdict = verdict.max(Verdict::Warning);
                reasons.push(
                    "nothing in it identifies the subject: it will match items about anyone".into(),
                );
            }
        }
        if reasons.is_empty() && identifies {
            reasons.push("identifies the subject".into());
        }
        (verdict, reasons)
    }

    fn literal(&self, lit: &Literal) -> (Verdict, Strength, Vec<String>) {
        let s = &self.case.file.subject;
        let folded = lit.folded();
        let mut why = Vec::new();
        if lit.field.is_person() {
            return (
                Verdict::Allowed,
                Strength::Identifies,
                vec![format!(
                    "{}:{} limits by participant",
                    lit.field.property().unwrap_or(""),
                    lit.text
                )],
            );
        }
        if let Some(i) = initials(&lit.text) {
            let who = self
                .roster
                .map(|r| r.people.iter().filter(|p| person_initials(p) == i).count())
                .unwrap_or(0);
            let whose = if who > 0 {
                format!(" ({who} people in the roster have these initials)")
            } else {
                String::new()
            };
            return (
                Verdict::Forbidden,
                Strength::Neutral,
                vec![format!(
                    "{:?} uses initials{whose}: initials match anyone",
                    lit.text
                )],
            );
        }
        let ids: Vec<String> = s
            .upn
            .iter()
            .chain(s.uln.iter())
            .chain(s.other_ids.iter())
            .chain(s.accounts.iter())
            .map(|x| normalize(x))
            .collect();
        if ids.contains(&folded) {
            return (
                Verdict::Allowed,
                Strength::Identifies,
                vec![format!("{:?} is the subject's identifier", lit.text)],
            );
        }
        let names: Vec<String> = std::iter::once(&s.name)
            .chain(s.also_known_as.iter())
            .map(|x| normalize(x))
            .collect();
        if lit.kind == LiteralKind::Phrase || folded.contains(' ') {
            if names.contains(&folded) {
                return (
                    Verdict::Allowed,
                    Strength::Identifies,
                    vec![format!("{:?} is the subject's name", lit.text)],
                );
            }
            if let Some(r) = self.roster {
                let others: Vec<&Person> = r
                    .people
                    .iter()
                    .filter(|p| normalize(&p.full_name()) == folded && Some(*p) != self.subject)
                    .collect();
                if !others.is_empty() {
                    return (
                        Verdict::Forbidden,
                        Strength::Neutral,
                        vec![format!(
                            "{:?} is also the name of {}",
                            lit.text,
                            describe(&others)
                        )],
                    );
                }
            }
            return (
                Verdict::Warning,
                Strength::Neutral,
                vec![format!("{:?} is not the subject's name or alias", lit.text)],
            );
        }
        let mut verdict = Verdict::Allowed;
        if folded.chars().count() < 3 {
            verdict = Verdict::Warning;
            why.push(format!("{:?} is very short", lit.text));
        }
        if ORDINARY_WORDS.contains(&folded.as_str()) {
            verdict = Verdict::Warning;
            why.push(format!("{:?} is also an ordinary word", lit.text));
        }
        let subject_first: Vec<String> = names
            .iter()
            .filter_map(|n| n.split(' ').next().map(String::from))
            .chain(self.subject.map(|p| p.first_names()).unwrap_or_default())
            .collect();
        let subject_last: Vec<String> = names
            .iter()
            .filter_map(|n| n.rsplit(' ').next().map(String::from))
            .collect();
        let matches_name = |name: &str| match lit.kind {
            LiteralKind::Prefix => name.starts_with(&folded),
            _ => name == folded,
        };
        let is_first = subject_first.iter().any(|n| matches_name(n));
        let is_last = subject_last.iter().any(|n| matches_name(n));
        let Some(roster) = self.roster else {
            let strength = if is_first {
                Strength::Forename
            } else if is_last {
                Strength::Surname
            } else {
                Strength::Neutral
            };
            return (verdict, strength, why);
        };
        let others: Vec<&Person> = roster
            .people
            .iter()
            .filter(|p| Some(*p) != self.subject)
            .filter(|p| {
                p.first_names().iter().any(|n| matches_name(n))
                    || matches_name(&normalize(&p.surname))
            })
            .collect();
        let shown = if lit.kind == LiteralKind::Prefix {
            format!("{}*", lit.text)
        } else {
            lit.text.clone()
        };
        match (is_first || is_last, others.is_empty()) {
            (true, true) => {
                why.push(format!("{shown:?} is unique in the roster"));
                (verdict, Strength::Identifies, why)
            }
            (true, false) => {
                why.push(format!("{shown:?} is also a name of {}", describe(&others)));
                (
                    verdict,
                    if is_first {
                        Strength::Forename
                    } else {
                        Strength::Surname
                    },
                    why,
                )
            }
            (false, false) => {
                why.push(format!(
                    "{shown:?} is not the subject's name but is a name of {}",
                    describe(&others)
                ));
                (verdict.max(Verdict::Warning), Strength::Neutral, why)
            }
            (false, true) => {
                why.push(format!(
                    "{shown:?} is not a name or identifier of the subject"
                ));
                (verdict.max(Verdict::Warning), Strength::Neutral, why)
            }
        }
    }
}

fn describe(people: &[&Person]) -> String {
    let shown: Vec<String> = people
        .iter()
        .take(3)
        .map(|p| format!("{} ({})", p.full_name(), p.role().label()))
        .collect();
    if people.len() > 3 {
        format!("{} others, e.g. {}", people.len(), shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// `KF`, `K.F.`, `K F`, `K. Featherstone`: a name given by initials, as folded letters.
fn initials(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let single = |w: &str| {
        let letters: String = w.chars().filter(|c| *c != '.').collect();
        letters.chars().count() == 1 && letters.chars().all(char::is_alphabetic)
    };
    if words.iter().any(|w| single(w)) && (words.len() > 1 || text.contains('.')) {
        return Some(
            words
                .iter()
                .filter_map(|w| w.chars().next())
                .flat_map(char::to_lowercase)
                .collect(),
        );
    }
    if words.len() == 1 {
        let w = words[0];
        let letters: Vec<char> = w.chars().filter(|c| *c != '.').collect();
        let dotted = w.contains('.')
            && letters.len() >= 2
            && letters.iter().all(|c| c.is_alphabetic())
            && w.split('.')
                .filter(|p| !p.is_empty())
                .all(|p| p.chars().count() == 1);
        let caps = (2..=3).contains(&letters.len())
            && letters.iter().all(|c| c.is_uppercase())
            && !w.contains('.');
        if dotted || caps {
            return Some(letters.iter().flat_map(|c| c.to_lowercase()).collect());
        }
    }
    None
}

fn person_initials(p: &Person) -> String {
    [&p.forename, &p.surname]
        .iter()
        .filter_map(|n| n.chars().next())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::casefile::TEMPLATE;
    use std::path::Path;

    fn case(terms: &[&str]) -> Case {
        let list = terms
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let text = TEMPLATE
            .replace(
                "terms = ['\"Ava Thompson\"', 'Ava AND Thompson']",
                &format!("terms = [{list}]"),
            )
            .replace(
                "also_known_as = []",
                "also_known_as = [\"Ava-Mae Thompson\"]",
            )
            .replace("# upn = \"A123456789012\"", "upn = \"A123456789012\"");
        Case::parse(&text, Path::new("case.toml")).unwrap()
    }

    fn roster() -> Roster {
        let rows: Vec<Vec<String>> = [
            "Legal Forename,Preferred Forename,Legal Surname,Role,UPN",
            "Ava,,Thompson,Pupil,A123456789012",
            "Ava,,Okafor,Pupil,",
            "Jayden,,Thompson,Pupil,",
            "Kate,,Featherstone,Teacher,",
            "Siobhán,,O'Neill,Pupil,",
            "Grace,,Zabłocka,Parent,",
        ]
        .iter()
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
        Roster::from_rows(&rows).unwrap()
    }

    fn verdicts(terms: &[&str]) -> Vec<(Verdict, String)> {
        let r = roster();
        check_terms(&case(terms), Some(&r))
            .into_iter()
            .map(|j| (j.verdict, j.why.join("; ")))
            .collect()
    }

    #[test]
    fn full_names_identifiers_and_name_pairs_are_allowed() {
        for (v, why) in verdicts(&[
            "\"Ava Thompson\"",
            "Ava AND Thompson",
            "A123456789012",
            "\"Ava-Mae Thompson\"",
            "Ava Thompson",
        ]) {
            assert_eq!(v, Verdict::Allowed, "{why}");
        }
    }

    #[test]
    fn lone_names_that_others_share_and_initials_are_forbidden() {
        let v = verdicts(&[
            "Ava",
            "Thompson",
            "KF",
            "K.F.",
            "\"K. Featherstone\"",
            "Thomp*",
            "(Ava OR Thompson)",
        ]);
        for (verdict, why) in &v {
            assert_eq!(*verdict, Verdict::Forbidden, "{why}");
        }
        assert!(v[0].1.contains("Ava Okafor"), "names who else: {}", v[0].1);
        assert!(
            v[2].1.contains("initials") && v[2].1.contains("1 people"),
            "{}",
            v[2].1
        );
    }

    #[test]
    fn each_side_of_an_or_stands_alone() {
        let v = verdicts(&[
            "\"Ava Thompson\" OR A123456789012",
            "\"Ava Thompson\" OR Ava",
        ]);
        assert_eq!(v[0].0, Verdict::Allowed, "{}", v[0].1);
        assert_eq!(v[1].0, Verdict::Forbidden, "{}", v[1].1);
    }

    #[test]
    fn unique_names_pass_and_ordinary_words_warn() {
        let r = roster();
        let mut c = case(&["Siobhan", "Grace", "football"]);
        c.file.subject.name = "Siobhán O'Neill".into();
        c.file.subject.upn = None;
        let v: Vec<_> = check_terms(&c, Some(&r))
            .into_iter()
            .map(|j| (j.verdict, j.why.join("; ")))
            .collect();
        assert_eq!(
            v[0].0,
            Verdict::Allowed,
            "accent-insensitive and unique: {}",
            v[0].1
        );
        assert_eq!(v[1].0, Verdict::Warning, "{}", v[1].1);
        assert!(v[1].1.contains("ordinary word"));
        assert_eq!(v[2].0, Verdict::Warning, "{}", v[2].1);
    }

    #[test]
    fn without_a_roster_everything_warns_at_least() {
        let j = check_terms(&case(&["\"Ava Thompson\""]), None);
        assert_eq!(j[0].verdict, Verdict::Warning);
    }
}
