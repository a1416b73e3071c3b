//! What a generated document says, and the ground truth of who and what it names.
//!
//! Every name and identifier goes into the text through [`Doc`], which records it as it is
//! written, so the ground truth cannot drift from the text.

use std::collections::HashSet;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use crate::fold::{latin1_only, unaccented};
use crate::school::{Role, School};

/// How a name is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// "Jayden Okafor"
    Full,
    /// "Jay Okafor" (preferred name and surname)
    Preferred,
    /// "Zoe Brennan-Whyte" for "Zoë": typed without accents
    Unaccented,
    /// "Jayden Okafor's"
    Possessive,
    /// "Okafor, Jayden"
    Reversed,
    /// "OKAFOR, Jayden" (SIMS prints surnames in capitals)
    UpperReversed,
    /// "Jayden", only for a first name unique in the school, after a full mention in the same
    /// document
    FirstOnly,
    /// "Jayden's", the same rule
    FirstPossessive,
}

impl Form {
    pub fn label(self) -> &'static str {
        match self {
            Form::Full => "full",
            Form::Preferred => "preferred",
            Form::Unaccented => "unaccented",
            Form::Possessive => "possessive",
            Form::Reversed => "surname-forename",
            Form::UpperReversed => "SURNAME-forename",
            Form::FirstOnly => "unique-first-name",
            Form::FirstPossessive => "unique-first-name-possessive",
        }
    }
}

/// How the document's producer could print characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Unicode,
    /// A WinAnsi-only PDF producer: Latin-1 as is, `Ł` as `L`, other accents dropped.
    Latin1,
}

#[derive(Debug, Clone)]
pub struct Mention {
    pub roster_id: String,
    /// The name exactly as written (without a possessive `'s`).
    pub text: String,
    pub role: &'static str,
    pub form: &'static str,
}

#[derive(Debug, Clone)]
pub struct Planted {
    pub kind: &'static str,
    /// As written in the document.
    pub value: String,
    pub whose: &'static str,
    pub roster_id: Option<String>,
}

/// The ground truth of one document while it is written.
pub struct Doc<'s> {
    pub school: &'s School,
    pub charset: Charset,
    pub mentions: Vec<Mention>,
    pub ids: Vec<Planted>,
    /// People already named in full in this document (for first-name-only mentions).
    full_seen: HashSet<usize>,
    pub mentions_subject: bool,
    /// Write names with no-break spaces (mail bodies are wrapped afterwards and the wrapper
    /// turns them back into spaces, so a name never straddles a line break).
    pub no_break: bool,
}

impl<'s> Doc<'s> {
    pub fn new(school: &'s School, charset: Charset) -> Self {
        Doc {
            school,
            charset,
            mentions: Vec::new(),
            ids: Vec::new(),
            full_seen: HashSet::new(),
            mentions_subject: false,
            no_break: false,
        }
    }

    fn printable(&self, s: &str) -> String {
        match self.charset {
            Charset::Unicode => s.to_string(),
            Charset::Latin1 => latin1_only(s),
        }
    }

    fn role_of(&self, p: usize) -> &'static str {
        if p == self.school.subject {
            "subject"
        } else {
            self.school.people[p].role.label()
        }
    }

    /// Writes person `p`'s name in `form` (falling back to the full name where the form does not
    /// apply) and records it.
    pub fn name(&mut self, p: usize, form: Form) -> String {
        let person = &self.school.people[p];
        let first_ok = person.unique_first && self.full_seen.contains(&p);
        let form = match form {
            Form::Preferred if person.preferred.is_none() => Form::Full,
            Form::FirstOnly | Form::FirstPossessive if !first_ok => Form::Full,
            f => f,
        };
        let (text, suffix) = match form {
            Form::Full | Form::Possessive => (person.full(), ""),
            Form::Preferred => (
                format!(
                    "{} {}",
                    person.preferred.as_deref().unwrap_or(&person.forename),
                    person.surname
                ),
                "",
            ),
            Form::Unaccented => (unaccented(&person.full()), ""),
            Form::Reversed => (format!("{}, {}", person.surname, person.forename), ""),
            Form::UpperReversed => (
                format!("{}, {}", person.surname.to_uppercase(), person.forename),
                "",
            ),
            Form::FirstOnly | Form::FirstPossessive => (person.forename.clone(), ""),
        };
        let text = self.printable(&text);
        let suffix = if matches!(form, Form::Possessive | Form::FirstPossessive) {
            "'s"
        } else {
            suffix
        };
        if !matches!(form, Form::FirstOnly | Form::FirstPossessive) {
            self.full_seen.insert(p);
        }
        if p == self.school.subject {
            self.mentions_subject = true;
        }
        self.mentions.push(Mention {
            roster_id: person.id.clone(),
            text: text.clone(),
            role: self.role_of(p),
            form: form.label(),
        });
        let written = if self.no_break {
            text.replace(' ', "\u{a0}")
        } else {
            text
        };
        format!("{written}{suffix}")
    }

    /// A name in the form most documents use: mostly full, sometimes another form.
    pub fn any_name(&mut self, rng: &mut ChaCha8Rng, p: usize) -> String {
        let form = match rng.random_range(0..20) {
            0..11 => Form::Full,
            11..13 => Form::Preferred,
            13..15 => Form::Possessive,
            15 => Form::Unaccented,
            16 => Form::Reversed,
            _ => Form::FirstOnly,
        };
        self.name(p, form)
    }

    /// Records an identifier written as `value`.
    pub fn id(&mut self, kind: &'static str, value: &str, p: Option<usize>) -> String {
        // A family's shared address or landline is the subject's own data too.
        let subj = self.school.subject();
        let shared = [Some(&subj.postcode), Some(&subj.phone), subj.nhs.as_ref()]
            .into_iter()
            .flatten()
            .any(|v| v == value);
        let whose = match p {
            Some(p) if p == self.school.subject => "subject",
            _ if shared => "subject",
            _ => "other",
        };
        self.ids.push(Planted {
            kind,
            value: value.to_string(),
            whose,
            roster_id: p.map(|p| self.school.people[p].id.clone()),
        });
        if self.no_break {
            value.replace(' ', "\u{a0}")
        } else {
            value.to_string()
        }
    }

    /// A name as a tracker holds it: surname and forename in adjacent cells. Returns the two
    /// cell values; the recorded text is the two joined by a tab, as a sheet reads.
    pub fn name_cells(&mut self, p: usize) -> (String, String) {
        let person = &self.school.people[p];
        let (s, f) = (person.surname.clone(), person.forename.clone());
        if p == self.school.subject {
            self.mentions_subject = true;
        }
        self.mentions.push(Mention {
            roster_id: person.id.clone(),
            text: format!("{s}\t{f}"),
            role: self.role_of(p),
            form: "separate-cells",
        });
        (s, f)
    }

    /// A staff member's name as they sign or are addressed in full; recorded as staff.
    pub fn staff_name(&mut self, p: usize) -> String {
        debug_assert_eq!(self.school.people[p].role, Role::Staff);
        self.name(p, Form::Full)
    }

    pub fn merge(&mut self, other: &Doc) {
        self.mentions.extend(other.mentions.iter().cloned());
        self.ids.extend(other.ids.iter().cloned());
        self.mentions_subject |= other.mentions_subject;
        self.full_seen.extend(other.full_seen.iter().copied());
    }

    pub fn people_json(&self) -> Value {
        Value::Array(
            self.mentions
                .iter()
                .map(|m| {
                    json!({"roster_id": m.roster_id, "text": m.text, "role": m.role, "form": m.form})
                })
                .collect(),
        )
    }

    pub fn ids_json(&self) -> Value {
        Value::Array(
            self.ids
                .iter()
                .map(|i| {
                    json!({"type": i.kind, "value": i.value, "whose": i.whose, "roster_id": i.roster_id})
                })
                .collect(),
        )
    }
}
