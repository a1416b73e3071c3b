//! The roster: the MIS export of everyone the school knows (pupils, staff, parents and other
//! contacts), as SIMS or Arbor writes it. The search uses it to judge whether a name is unique
//! enough to search for; the detection stage uses it to find other people's names.

use std::path::Path;

use calamine::Reader;

use crate::text::normalize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Pupil,
    Staff,
    Contact,
    Other,
}

impl Role {
    fn parse(s: &str) -> Role {
        let s = s.trim().to_ascii_lowercase();
        let has = |w: &[&str]| w.iter().any(|k| s.contains(k));
        if has(&["pupil", "student", "learner", "child"]) {
            Role::Pupil
        } else if has(&[
            "staff",
            "teacher",
            "teaching",
            "employee",
            "support",
            "head",
            "senco",
            "dsl",
            "governor",
            "tutor",
            "assistant",
            "admin",
        ]) {
            Role::Staff
        } else if has(&[
            "contact", "parent", "carer", "guardian", "mother", "father", "mum", "dad", "grand",
            "relative", "sibling", "family",
        ]) {
            Role::Contact
        } else {
            Role::Other
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Pupil => "pupil",
            Role::Staff => "staff",
            Role::Contact => "contact",
            Role::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub forename: String,
    pub preferred: Option<String>,
    pub surname: String,
    pub role: Option<Role>,
    pub upn: Option<String>,
    pub uln: Option<String>,
    pub email: Option<String>,
    pub dob: Option<String>,
}

impl Person {
    pub fn role(&self) -> Role {
        self.role.unwrap_or(Role::Other)
    }

    /// Forename and surname, as written.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.forename, self.surname)
            .trim()
            .to_string()
    }

    /// Every first name the person goes by (legal and preferred), folded.
    pub fn first_names(&self) -> Vec<String> {
        let mut v = vec![normalize(&self.forename)];
        if let Some(p) = &self.preferred {
            let p = normalize(p);
            if !p.is_empty() && !v.contains(&p) {
                v.push(p);
            }
        }
        v.retain(|n| !n.is_empty());
        v
    }
}

#[derive(Debug, Clone, Default)]
pub struct Roster {
    pub people: Vec<Person>,
    /// Columns recognised, for the case status report.
    pub columns: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("{path}: cannot read the roster: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: no name columns found; expected e.g. 'Legal Forename' and 'Legal Surname', 'Forename'/'Surname', 'First Name'/'Last Name', or 'Name' (found: {found})")]
    NoNames { path: String, found: String },
}

/// Column headings SIMS, Arbor and hand-made exports use for each field, folded.
const FORENAME: &[&str] = &[
    "legal forename",
    "forename",
    "first name",
    "legal first name",
    "given name",
    "firstname",
    "first names",
    "forenames",
];
const PREFERRED: &[&str] = &[
    "preferred forename",
    "preferred first name",
    "known as",
    "preferred name",
    "chosen name",
    "chosen forename",
];
const SURNAME: &[&str] = &[
    "legal surname",
    "surname",
    "last name",
    "family name",
    "lastname",
    "legal last name",
];
const FULLNAME: &[&str] = &[
    "name",
    "full name",
    "display name",
    "pupil name",
    "student name",
    "contact name",
    "staff name",
];
const ROLE: &[&str] = &[
    "role",
    "type",
    "person type",
    "category",
    "staff/student",
    "relationship",
    "contact type",
    "user type",
];
const UPN: &[&str] = &["upn", "unique pupil number"];
const ULN: &[&str] = &["uln", "unique learner number"];
const EMAIL: &[&str] = &[
    "email",
    "e-mail",
    "email address",
    "e-mail address",
    "primary email",
    "work email",
];
const DOB: &[&str] = &["dob", "date of birth", "birth date", "d.o.b."];

impl Roster {
    pub fn load(path: &Path) -> Result<Roster, RosterError> {
        let read_err = |reason: String| RosterError::Read {
            path: path.display().to_string(),
            reason,
        };
        let rows: Vec<Vec<String>> = match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("xlsx" | "xlsm" | "xlsb" | "xls" | "ods") => {
                let mut wb =
                    calamine::open_workbook_auto(path).map_err(|e| read_err(e.to_string()))?;
                let name = wb
                    .sheet_names()
                    .first()
                    .cloned()
                    .ok_or_else(|| read_err("the workbook has no sheets".into()))?;
                let range = wb
                    .worksheet_range(&name)
                    .map_err(|e| read_err(e.to_string()))?;
                range
                    .rows()
                    .map(|r| r.iter().map(|c| c.to_string().trim().to_string()).collect())
                    .collect()
            }
            _ => {
                let bytes = std::fs::read(path).map_err(|e| read_err(e.to_string()))?;
                let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
                let text = String::from_utf8(bytes.to_vec())
                    .unwrap_or_else(|e| e.into_bytes().iter().map(|&b| b as char).collect());
                let delim = if text
                    .lines()
                    .next()
                    .is_some_and(|l| l.matches(';').count() > l.matches(',').count())
                {
                    b';'
                } else {
                    b','
                };
                let mut r = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .delimiter(delim)
                    .from_reader(text.as_bytes());
                r.records()
                    .map(|rec| {
                        rec.map(|rec| rec.iter().map(|c| c.trim().to_string()).collect())
                            .map_err(|e| read_err(e.to_string()))
                    })
                    .collect::<Result<_, _>>()?
            }
        };
        Self::from_rows(&rows).ok_or_else(|| RosterError::NoNames {
            path: path.display().to_string(),
            found: rows.first().map(|h| h.join(", ")).unwrap_or_default(),
        })
    }

    /// Builds a roster from a header row and data rows; `None` without name columns.
    pub fn from_rows(rows: &[Vec<String>]) -> Option<Roster> {
        let header: Vec<String> = rows
            .first()?
            .iter()
            .map(|h| h.trim().to_lowercase())
            .collect();
        let col = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| header.iter().position(|h| h == n))
        };
        let (fore, sur, full) = (col(FORENAME), col(SURNAME), col(FULLNAME));
        if (fore.is_none() || sur.is_none()) && full.is_none() {
            return None;
        }
        let (pref, role, upn, uln, email, dob) = (
            col(PREFERRED),
            col(ROLE),
            col(UPN),
            col(ULN),
            col(EMAIL),
            col(DOB),
        );
        let mut columns = Vec::new();
        for (i, label) in [
            (fore, "forename"),
            (pref, "preferred forename"),
            (sur, "surname"),
            (full, "full name"),
            (role, "role"),
            (upn, "UPN"),
            (uln, "ULN"),
            (email, "email"),
            (dob, "date of birth"),
        ] {
            if let Some(i) = i {
                columns.push(format!(
                    "{label} = '{}'",
                    rows[0].get(i).map(String::as_str).unwrap_or("")
                ));
            }
        }
        let mut people = Vec::new();
        for r in &rows[1..] {
            let get = |i: Option<usize>| {
                i.and_then(|i| r.get(i))
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
            };
            let (forename, surname) = match (get(fore), get(sur), get(full)) {
                (Some(f), Some(s), _) => (f, s),
                (_, _, Some(full)) => split_full_name(&full),
                _ => continue,
            };
            people.push(Person {
                forename,
                surname,
                preferred: get(pref),
                role: get(role).map(|r| Role::parse(&r)),
                upn: get(upn),
                uln: get(uln),
                email: get(email),
                dob: get(dob),
            });
        }
        Some(Roster { people, columns })
    }

    /// People with `name` (folded) as a legal forename, preferred forename or surname.
    pub fn with_name<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Person> + 'a {
        let n = normalize(name);
        self.people
            .iter()
            .filter(move |p| p.first_names().contains(&n) || normalize(&p.surname) == n)
    }

    /// How many people each name (a first name, preferred name or surname, folded) belongs to:
    /// `with_name(n).count()` for every name at once, for rosters of thousands.
    pub fn name_counts(&self) -> std::collections::HashMap<String, usize> {
        let mut counts = std::collections::HashMap::new();
        for p in &self.people {
            let mut keys = p.first_names();
            let surname = normalize(&p.surname);
            if !surname.is_empty() && !keys.contains(&surname) {
                keys.push(surname);
            }
            for k in keys {
                *counts.entry(k).or_insert(0) += 1;
            }
        }
        counts
    }

    /// The roster entry for the data subject, found by full name or UPN.
    pub fn find_subject(&self, name: &str, upn: Option<&str>) -> Option<&Person> {
        let n = normalize(name);
        self.people.iter().find(|p| {
            upn.is_some_and(|u| {
                p.upn
                    .as_deref()
                    .is_some_and(|pu| pu.eq_ignore_ascii_case(u))
            }) || normalize(&p.full_name()) == n
                || p.preferred
                    .as_ref()
                    .is_some_and(|pr| normalize(&format!("{pr} {}", p.surname)) == n)
        })
    }
}

/// "Surname, Forename" or "Forename Middle Surname".
fn split_full_name(full: &str) -> (String, String) {
    if let Some((s, f)) = full.split_once(',') {
        return (f.trim().to_string(), s.trim().to_string());
    }
    match full.trim().rsplit_once(' ') {
        Some((f, s)) => (f.trim().to_string(), s.trim().to_string()),
        None => (String::new(), full.trim().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(|c| c.trim().to_string()).collect())
            .collect()
    }

    #[test]
    fn reads_sims_and_arbor_style_columns() {
        let r = Roster::from_rows(&rows(
            "Legal Forename,Preferred Forename,Legal Surname,Role,UPN,Email\n\
             Ava,,Thompson,Pupil,A123456789012,\n\
             Ava,Avie,Okafor,Student,,\n\
             Grace,,Thompson,Parent/Carer,,g.t@example.com\n\
             Mark,,Patel,Teacher,,m.patel@oakfield.sch.uk",
        ))
        .unwrap();
        assert_eq!(r.people.len(), 4);
        assert_eq!(r.people[1].preferred.as_deref(), Some("Avie"));
        assert_eq!(
            r.people.iter().map(Person::role).collect::<Vec<_>>(),
            [Role::Pupil, Role::Pupil, Role::Contact, Role::Staff]
        );
        assert_eq!(r.with_name("AVA").count(), 2);
        let counts = r.name_counts();
        for n in ["ava", "thompson", "avie"] {
            assert_eq!(
                counts.get(n).copied().unwrap_or(0),
                r.with_name(n).count(),
                "{n}"
            );
        }
        assert_eq!(r.with_name("thompson").count(), 2);
        assert_eq!(r.with_name("avie").count(), 1);
        assert_eq!(
            r.find_subject("Ava Thompson", None).map(|p| p.upn.clone()),
            Some(Some("A123456789012".into()))
        );
    }

    #[test]
    fn reads_a_single_name_column_and_refuses_no_names() {
        let r = Roster::from_rows(&rows(
            "Name,Type\n\"Thompson, Ava\",pupil\nZoë Brennan-Whyte,pupil",
        ))
        .unwrap();
        assert!(r
            .people
            .iter()
            .any(|p| p.surname == "Brennan-Whyte" && p.forename == "Zoë"));
        assert_eq!(r.with_name("Zoe").count(), 1, "accents are folded");
        assert!(Roster::from_rows(&rows("UPN,Class\nA1,9R")).is_none());
    }
}
