//! The synthetic school: pupils in families, their contacts, and staff; written as a SIMS-style
//! roster CSV. Every person has a stable roster id (`PUP0001`, `CON0001`, `STF001`) that the
//! ground truth refers to.

use std::collections::HashMap;

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::fold::{fold, unaccented};
use crate::ids;
use crate::names::{
    preferred_for, CONTACT_ROLES, FIRST_COMMON, FIRST_RARE, STAFF_ROLES, SURNAME_COMMON,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Pupil,
    Contact,
    Staff,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Pupil => "pupil",
            Role::Contact => "contact",
            Role::Staff => "staff",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub role: Role,
    /// The roster's role column (Pupil, Mother, Head of Year...).
    pub role_label: &'static str,
    pub title: &'static str,
    pub forename: String,
    pub preferred: Option<String>,
    pub surname: String,
    pub upn: Option<String>,
    pub uln: Option<String>,
    pub nhs: Option<String>,
    pub nino: Option<String>,
    /// `dd/mm/yyyy`, as SIMS exports it.
    pub dob: Option<String>,
    pub email: String,
    pub phone: String,
    pub postcode: String,
    pub year: u8,
    pub reg: String,
    pub family: usize,
    /// Nobody else in the school has this legal first name as a first, preferred or surname.
    pub unique_first: bool,
}

impl Person {
    pub fn full(&self) -> String {
        format!("{} {}", self.forename, self.surname)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Family {
    pub pupils: Vec<usize>,
    pub contacts: Vec<usize>,
}

pub struct School {
    pub name: &'static str,
    pub domain: &'static str,
    pub pupil_domain: &'static str,
    pub people: Vec<Person>,
    pub pupils: Vec<usize>,
    pub staff: Vec<usize>,
    pub contacts: Vec<usize>,
    pub families: Vec<Family>,
    pub subject: usize,
    /// Staff whose mailboxes are in the export.
    pub mailboxes: Vec<usize>,
}

pub struct SchoolSize {
    pub pupils: usize,
    pub staff: usize,
    pub contacts: usize,
}

fn ascii_local(s: &str) -> String {
    unaccented(s)
        .chars()
        .map(|c| if c == 'Ł' || c == 'ł' { 'l' } else { c })
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

struct Namer {
    rare: Vec<&'static str>,
    used_full: HashMap<String, usize>,
}

impl Namer {
    fn first(&mut self, rng: &mut ChaCha8Rng) -> String {
        if rng.random_bool(0.08) {
            if let Some(r) = self.rare.pop() {
                return r.to_string();
            }
        }
        FIRST_COMMON
            .choose(rng)
            .copied()
            .unwrap_or("Sam")
            .to_string()
    }

    /// A first name that, with `surname`, does not repeat a full name already used, except
    /// now and then (real schools have a few people sharing a full name).
    fn first_for(&mut self, rng: &mut ChaCha8Rng, surname: &str) -> String {
        for _ in 0..8 {
            let f = self.first(rng);
            let key = fold(&format!("{f} {surname}"));
            if !self.used_full.contains_key(&key) || rng.random_bool(0.02) {
                *self.used_full.entry(key).or_default() += 1;
                return f;
            }
        }
        let f = self.first(rng);
        *self
            .used_full
            .entry(fold(&format!("{f} {surname}")))
            .or_default() += 1;
        f
    }
}

fn surname(rng: &mut ChaCha8Rng) -> String {
    SURNAME_COMMON
        .choose(rng)
        .copied()
        .unwrap_or("Smith")
        .to_string()
}

impl School {
    pub fn generate(seed: u64, size: &SchoolSize) -> School {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5c4_0001);
        let mut rare: Vec<&'static str> = FIRST_RARE.to_vec();
        rare.shuffle(&mut rng);
        // The data subject: a Year 9 pupil with a first name nobody else has, a common surname
        // shared with a sibling and a parent.
        // Not a name with Ł/ł: PDF producers print it as L, and then no search term would find
        // the subject there (the case would need a second spelling as an alias).
        let at = rare
            .iter()
            .rposition(|n| !n.contains(['Ł', 'ł']))
            .unwrap_or(0);
        let subject_first = rare.remove(at).to_string();
        let mut namer = Namer {
            rare,
            used_full: HashMap::new(),
        };
        let mut school = School {
            name: "Oakfield Academy",
            domain: "oakfield.sch.uk",
            pupil_domain: "pupils.oakfield.sch.uk",
            people: Vec::new(),
            pupils: Vec::new(),
            staff: Vec::new(),
            contacts: Vec::new(),
            families: Vec::new(),
            subject: 0,
            mailboxes: Vec::new(),
        };
        let mut emails: HashMap<String, usize> = HashMap::new();
        let mut unique_email = |local: String, domain: &str| {
            let n = emails.entry(local.clone()).or_default();
            *n += 1;
            if *n == 1 {
                format!("{local}@{domain}")
            } else {
                format!("{local}{n}@{domain}")
            }
        };

        let mut first_family = true;
        while school.pupils.len() < size.pupils {
            let fam_id = school.families.len();
            let fam_surname = if first_family {
                "Thompson".to_string()
            } else {
                surname(&mut rng)
            };
            let postcode = ids::postcode(&mut rng);
            let landline = ids::landline(&mut rng);
            let n_pupils = if first_family {
                2
            } else {
                match rng.random_range(0..100) {
                    0..75 => 1,
                    75..95 => 2,
                    _ => 3,
                }
            };
            let mut fam = Family::default();
            for k in 0..n_pupils {
                if school.pupils.len() >= size.pupils {
                    break;
                }
                let sn = if rng.random_bool(0.1) && !first_family {
                    surname(&mut rng)
                } else {
                    fam_surname.clone()
                };
                let forename = if first_family && k == 0 {
                    subject_first.clone()
                } else {
                    namer.first_for(&mut rng, &sn)
                };
                let year: u8 = if first_family && k == 0 {
                    9
                } else {
                    rng.random_range(7..14)
                };
                let born_year = 2020 - i32::from(year);
                let day_of_year: u32 = rng.random_range(0..365);
                let dob = chrono_like_date(born_year, 9, 1, day_of_year);
                let entry = 2025 - (i32::from(year) - 7);
                let email = unique_email(
                    format!(
                        "{entry}{}{}",
                        ascii_local(&sn),
                        ascii_local(&forename).chars().next().unwrap_or('x')
                    ),
                    "pupils.oakfield.sch.uk",
                );
                let preferred = preferred_for(&forename)
                    .filter(|_| rng.random_bool(0.4))
                    .map(str::to_string);
                let idx = school.people.len();
                school.people.push(Person {
                    id: format!("PUP{:04}", school.pupils.len() + 1),
                    role: Role::Pupil,
                    role_label: "Pupil",
                    title: "",
                    forename,
                    preferred,
                    surname: sn,
                    upn: Some(ids::upn(&mut rng, 383, 4012)),
                    uln: rng.random_bool(0.85).then(|| ids::uln(&mut rng)),
                    nhs: Some(ids::nhs(&mut rng)),
                    nino: None,
                    dob: Some(dob),
                    email,
                    phone: landline.clone(),
                    postcode: postcode.clone(),
                    year,
                    reg: format!(
                        "{year}{}",
                        ['R', 'S', 'K', 'L', 'B', 'T'][rng.random_range(0..6)]
                    ),
                    family: fam_id,
                    unique_first: false,
                });
                school.pupils.push(idx);
                fam.pupils.push(idx);
            }
            school.families.push(fam);
            first_family = false;
        }
        // Contacts: one per family first, then the rest spread over families (up to four).
        let n_fam = school.families.len();
        let mut order: Vec<usize> = (0..n_fam).collect();
        let mut extra: Vec<usize> = Vec::new();
        while order.len() + extra.len() < size.contacts {
            extra.push(rng.random_range(0..n_fam));
        }
        order.truncate(size.contacts);
        order.extend(extra);
        for (k, fam) in order.into_iter().enumerate() {
            if school.families[fam].contacts.len() >= 4 {
                continue;
            }
            let fam_pupil = school.families[fam].pupils[0];
            let fam_surname = school.people[fam_pupil].surname.clone();
            let postcode = school.people[fam_pupil].postcode.clone();
            let role_label = if fam == 0 && k == 0 {
                "Mother"
            } else {
                CONTACT_ROLES.choose(&mut rng).copied().unwrap_or("Parent")
            };
            let sn = if rng.random_bool(0.72) || fam == 0 {
                fam_surname
            } else {
                surname(&mut rng)
            };
            let forename = namer.first_for(&mut rng, &sn);
            let title = match role_label {
                "Mother" => "Mrs",
                "Father" | "Step-father" => "Mr",
                _ => ["Mr", "Mrs", "Ms", "Miss", "Dr"][rng.random_range(0..5)],
            };
            let domain = [
                "gmail.com",
                "outlook.com",
                "btinternet.com",
                "yahoo.co.uk",
                "hotmail.co.uk",
            ][rng.random_range(0..5)];
            let local = format!(
                "{}{}{}",
                ascii_local(&forename).chars().next().unwrap_or('x'),
                ascii_local(&sn),
                rng.random_range(10..99)
            );
            let email = unique_email(local, domain);
            let idx = school.people.len();
            school.people.push(Person {
                id: format!("CON{:04}", school.contacts.len() + 1),
                role: Role::Contact,
                role_label,
                title,
                forename,
                preferred: None,
                surname: sn,
                upn: None,
                uln: None,
                nhs: None,
                nino: Some(ids::nino(&mut rng)),
                dob: None,
                email,
                phone: ids::mobile(&mut rng),
                postcode,
                year: 0,
                reg: String::new(),
                family: fam,
                unique_first: false,
            });
            school.contacts.push(idx);
            school.families[fam].contacts.push(idx);
        }
        for k in 0..size.staff {
            let sn = surname(&mut rng);
            let forename = namer.first_for(&mut rng, &sn);
            let role_label = if k < 4 {
                ["Head of Year", "DSL", "SENCo", "Teacher"][k]
            } else {
                STAFF_ROLES.choose(&mut rng).copied().unwrap_or("Teacher")
            };
            let local = format!(
                "{}.{}",
                ascii_local(&forename).chars().next().unwrap_or('x'),
                ascii_local(&sn)
            );
            let email = unique_email(local, "oakfield.sch.uk");
            let idx = school.people.len();
            school.people.push(Person {
                id: format!("STF{:03}", k + 1),
                role: Role::Staff,
                role_label,
                title: ["Mr", "Mrs", "Ms", "Miss", "Dr"][rng.random_range(0..5)],
                forename,
                preferred: None,
                surname: sn,
                upn: None,
                uln: None,
                nhs: None,
                nino: Some(ids::nino(&mut rng)),
                dob: None,
                email,
                phone: ids::landline(&mut rng),
                postcode: ids::postcode(&mut rng),
                year: 0,
                reg: String::new(),
                family: usize::MAX,
                unique_first: false,
            });
            school.staff.push(idx);
        }
        school.subject = school.families[0].pupils[0];
        // Uniqueness the way a reader of the roster would judge it: any first, preferred or
        // surname equal to this first name makes it ambiguous.
        let mut counts: HashMap<String, usize> = HashMap::new();
        for p in &school.people {
            let mut names = vec![fold(&p.forename), fold(&p.surname)];
            if let Some(pr) = &p.preferred {
                names.push(fold(pr));
            }
            names.sort();
            names.dedup();
            for n in names {
                *counts.entry(n).or_default() += 1;
            }
        }
        for p in &mut school.people {
            p.unique_first = counts.get(&fold(&p.forename)) == Some(&1);
        }
        let n_boxes = school.staff.len().clamp(1, 12);
        school.mailboxes = school.staff[..n_boxes].to_vec();
        school
    }

    pub fn person(&self, i: usize) -> &Person {
        &self.people[i]
    }

    pub fn subject(&self) -> &Person {
        &self.people[self.subject]
    }

    /// The roster CSV in SIMS column names: pupils, then contacts, then staff.
    pub fn roster_csv(&self) -> Vec<u8> {
        let mut out = String::from(
            "Person ID,Legal Forename,Preferred Forename,Legal Surname,Role,UPN,ULN,DOB,Email,Year,Reg Group\r\n",
        );
        for p in &self.people {
            let row = [
                p.id.as_str(),
                &p.forename,
                p.preferred.as_deref().unwrap_or(""),
                &p.surname,
                p.role_label,
                p.upn.as_deref().unwrap_or(""),
                p.uln.as_deref().unwrap_or(""),
                p.dob.as_deref().unwrap_or(""),
                &p.email,
                &if p.year > 0 {
                    p.year.to_string()
                } else {
                    String::new()
                },
                &p.reg,
            ];
            let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out.into_bytes()
    }
}

pub fn csv_cell(c: &str) -> String {
    if c.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", c.replace('"', "\"\""))
    } else {
        c.to_string()
    }
}

/// `dd/mm/yyyy` for `offset` days after `year-month-day`.
pub fn chrono_like_date(year: i32, month: u32, day: u32, offset: u32) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default();
    (base + chrono::Days::new(u64::from(offset)))
        .format("%d/%m/%Y")
        .to_string()
}
