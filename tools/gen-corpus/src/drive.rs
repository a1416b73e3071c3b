//! The shared drive (`drive/`): progress trackers as .xlsx (one row per pupil and subject, so a
//! year group makes thousands of rows; surname and forename in separate cells, as trackers
//! have them), a contacts sheet, and SEN registers as .csv.

use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::doc::{Charset, Doc, Form};
use crate::office::{xlsx, Cell};
use crate::school::{csv_cell, School};
use crate::truth::{Record, Truth};
use crate::Config;

const SUBJECTS: &[&str] = &[
    "English",
    "Maths",
    "Science",
    "History",
    "Geography",
    "French",
    "Art",
    "Music",
    "PE",
    "Computing",
    "RE",
    "Drama",
];
const GRADES: &[&str] = &["3", "4", "5", "6", "7", "8", "4-", "5+", "6-", "7+"];

fn year_pupils(school: &School, year: u8) -> Vec<usize> {
    school
        .pupils
        .iter()
        .copied()
        .filter(|&p| school.person(p).year == year)
        .collect()
}

fn scope(d: &Doc) -> (bool, &'static str) {
    if d.mentions_subject {
        (true, "names the subject")
    } else {
        (false, "does not name the subject")
    }
}

pub fn write(cfg: &Config, school: &School, truth: &mut Truth) -> anyhow::Result<()> {
    let dir = cfg.out.join("drive");
    std::fs::create_dir_all(&dir)?;
    for i in 0..cfg.sheets {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x7a0c_0004 ^ ((i as u64) << 20));
        let year = if i % 2 == 0 {
            school.subject().year
        } else {
            rng.random_range(7..14)
        };
        let pupils = year_pupils(school, year);
        let mut tracker = Doc::new(school, Charset::Unicode);
        let mut rows = vec![[
            "UPN",
            "Surname",
            "Forename",
            "Reg",
            "Subject",
            "Target",
            "Working at",
            "Effort",
        ]
        .iter()
        .map(|h| Cell::S(h.to_string()))
        .collect::<Vec<_>>()];
        for &p in &pupils {
            for subj in SUBJECTS {
                let (s, f) = tracker.name_cells(p);
                let upn = school.person(p).upn.clone().unwrap_or_default();
                let upn = tracker.id("upn", &upn, Some(p));
                rows.push(vec![
                    Cell::S(upn),
                    Cell::S(s),
                    Cell::S(f),
                    Cell::S(school.person(p).reg.clone()),
                    Cell::S(subj.to_string()),
                    Cell::S(GRADES.choose(&mut rng).unwrap_or(&"5").to_string()),
                    Cell::S(GRADES.choose(&mut rng).unwrap_or(&"5").to_string()),
                    Cell::N(f64::from(rng.random_range(1u8..5))),
                ]);
            }
        }
        let mut contacts = Doc::new(school, Charset::Unicode);
        let mut crow = vec![[
            "Pupil",
            "Contact",
            "Relationship",
            "Mobile",
            "Email",
            "Postcode",
        ]
        .iter()
        .map(|h| Cell::S(h.to_string()))
        .collect::<Vec<_>>()];
        for &p in &pupils {
            let fam = &school.families[school.person(p).family];
            for &c in &fam.contacts {
                let pn = contacts.name(p, Form::Full);
                let cn = contacts.name(c, Form::Full);
                let cp = school.person(c);
                crow.push(vec![
                    Cell::S(pn),
                    Cell::S(cn),
                    Cell::S(cp.role_label.to_string()),
                    Cell::S(contacts.id("phone", &cp.phone, Some(c))),
                    Cell::S(contacts.id("email", &cp.email, Some(c))),
                    Cell::S(contacts.id("postcode", &cp.postcode, Some(c))),
                ]);
            }
        }
        let rel = format!("drive/year-{year}-tracker-{i:03}.xlsx");
        std::fs::write(
            cfg.out.join(&rel),
            xlsx(&[
                ("Tracker".to_string(), rows),
                ("Contacts".to_string(), crow),
            ])?,
        )?;
        for (sheet, d) in [("Tracker", &tracker), ("Contacts", &contacts)] {
            let (in_scope, reason) = scope(d);
            truth.add(
                &Record {
                    key: format!("{rel} › {sheet}"),
                    path: &rel,
                    message_id: None,
                    parent: Some(&rel),
                    kind: "sheet",
                    producer: Some("rust_xlsxwriter"),
                    in_scope,
                    scope_reason: reason,
                },
                d,
            )?;
        }
    }
    // SEN registers as CSV: one name cell "Surname, Forename", identifiers in columns.
    for i in 0..cfg.sheets.div_ceil(2) {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x5e4_0005 ^ ((i as u64) << 20));
        let year = if i % 2 == 0 {
            school.subject().year
        } else {
            rng.random_range(7..14)
        };
        let mut d = Doc::new(school, Charset::Unicode);
        let mut out = String::from("Name,UPN,ULN,DOB,Need,Provision\r\n");
        for p in year_pupils(school, year) {
            if p != school.subject && !rng.random_bool(0.3) {
                continue;
            }
            let person = school.person(p);
            let name = d.name(p, Form::Reversed);
            let upn = d.id("upn", person.upn.as_deref().unwrap_or(""), Some(p));
            let uln = match &person.uln {
                Some(u) => d.id("uln", u, Some(p)),
                None => String::new(),
            };
            let dob = d.id("dob", person.dob.as_deref().unwrap_or(""), Some(p));
            let need = ["SEMH", "SpLD", "ASD", "SLCN", "MLD", "HI"][rng.random_range(0..6)];
            let prov = ["SEN support", "EHCP", "Monitoring"][rng.random_range(0..3)];
            let cells = [name, upn, uln, dob, need.to_string(), prov.to_string()];
            out.push_str(
                &cells
                    .iter()
                    .map(|c| csv_cell(c))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push_str("\r\n");
        }
        let rel = format!("drive/sen-register-{i:03}.csv");
        std::fs::write(cfg.out.join(&rel), out)?;
        let (in_scope, reason) = scope(&d);
        truth.add(
            &Record {
                key: rel.clone(),
                path: &rel,
                message_id: None,
                parent: None,
                kind: "csv",
                producer: None,
                in_scope,
                scope_reason: reason,
            },
            &d,
        )?;
    }
    Ok(())
}
