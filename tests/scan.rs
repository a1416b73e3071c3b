//! `disclose terms check` and `disclose scan` on a small case built here: a roster, staff and
//! pupil mailboxes in a Purview-style export, a shared drive. Every exclusion of the tracker
//! is exercised once, and each decision must carry its reason.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use support::{mail, write};

const CASE: &str = r#"
reference = "SAR-2026-014"
[request]
received = "2026-11-02"
requester = "Mrs K. Thompson"
relationship = "parent"
[subject]
name = "Ava Thompson"
upn = "A123456789012"
accounts = ["ava.thompson@pupils.oakfield.sch.uk"]
on_roll = ["2019-09-04"]
[search]
terms = ['"Ava Thompson"', 'Ava AND Thompson', 'A123456789012']
staff_domains = ["oakfield.sch.uk"]
from = "2023-09-01"
[sources]
roster = "mis/roster.csv"
paths = ["export", "drive", "mis"]
"#;

const ROSTER: &str = "Legal Forename,Legal Surname,Role,UPN,Email\n\
Ava,Thompson,Pupil,A123456789012,ava.thompson@pupils.oakfield.sch.uk\n\
Ava,Okafor,Pupil,,\n\
Jayden,Thompson,Pupil,,\n\
Jane,Doe,Teacher,,jane.doe@oakfield.sch.uk\n";

fn disclose(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_disclose"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn build_case(dir: &Path, case: &str) {
    write(dir, "case.toml", case.as_bytes());
    write(dir, "mis/roster.csv", ROSTER.as_bytes());
    let staff = "\"Jane Doe\" <jane.doe@oakfield.sch.uk>";
    let hoy = "\"Head of Year\" <hoy@oakfield.sch.uk>";
    let date = "Fri, 14 Mar 2025 10:22:00 +0000";
    let jane = "export/Exchange/jane.doe@oakfield.sch.uk (Primary)/Inbox";
    let pdf = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/behaviour-report.pdf"),
    )
    .expect("demo pdf");
    write(
        dir,
        &format!("{jane}/incident.eml"),
        &mail(
            "m1@o",
            staff,
            hoy,
            date,
            "Year 9 incident",
            "Ava Thompson was upset after lunch. Jayden Thompson pushed her; call his mum on 07700 900819.",
            None,
        ),
    );
    write(
        dir,
        &format!("{jane}/to-ava.eml"),
        &mail(
            "m2@o",
            staff,
            "<ava.thompson@pupils.oakfield.sch.uk>",
            date,
            "Homework",
            "Ava Thompson, please hand it in.",
            None,
        ),
    );
    write(
        dir,
        &format!("{jane}/old.eml"),
        &mail(
            "m3@o",
            staff,
            hoy,
            "Mon, 06 Mar 2023 09:00:00 +0000",
            "Old news",
            "Ava Thompson joined the choir.",
            None,
        ),
    );
    write(
        dir,
        &format!("{jane}/jayden.eml"),
        &mail(
            "m4@o",
            staff,
            hoy,
            date,
            "Jayden",
            "Jayden Thompson was late.",
            None,
        ),
    );
    write(
        dir,
        &format!("{jane}/with-attachments.eml"),
        &mail(
            "m5@o",
            staff,
            hoy,
            date,
            "Behaviour log for Ava Thompson",
            "See attached.",
            Some(("log.pdf", &pdf)),
        ),
    );
    write(
        dir,
        "export/Exchange/sam.pupil@pupils.oakfield.sch.uk (Primary)/Inbox/chat.eml",
        &mail(
            "m6@o",
            "<sam.pupil@pupils.oakfield.sch.uk>",
            hoy,
            date,
            "Chat",
            "Ava Thompson said hi.",
            None,
        ),
    );
    write(
        dir,
        "drive/pastoral-notes.txt",
        b"Meeting with Thompson family about Ava's attendance.",
    );
    write(dir, "drive/minutes.txt", b"Governors discussed the budget.");
}

fn inventory(path: &Path) -> Vec<HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).expect("inventory");
    let headers = rdr.headers().expect("header").clone();
    rdr.records()
        .map(|r| {
            headers
                .iter()
                .map(String::from)
                .zip(r.expect("row").iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn scan_decides_every_item_with_its_reason() {
    let tmp = tempfile::tempdir().expect("tmp");
    build_case(tmp.path(), CASE);
    let (code, out, err) = disclose(tmp.path(), &["terms", "check", "case.toml"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.lines().all(|l| l.starts_with("allowed\t")), "{out}");

    let (code, out, err) = disclose(tmp.path(), &["scan", "case.toml", "--quiet"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let rows = inventory(&tmp.path().join("out/inventory.csv"));
    let find = |tail: &str| -> &HashMap<String, String> {
        rows.iter()
            .find(|r| r["source_path"].ends_with(tail))
            .unwrap_or_else(|| {
                panic!(
                    "no row ending {tail}: {:#?}",
                    rows.iter()
                        .map(|r| (&r["source_path"], &r["scope_reason"]))
                        .collect::<Vec<_>>()
                )
            })
    };
    let decision = |tail: &str| {
        let r = find(tail);
        (r["in_scope"].clone(), r["scope_reason"].clone())
    };

    let (s, why) = decision("Inbox/incident.eml");
    assert_eq!(s, "yes", "{why}");
    assert!(
        why.contains("\"Ava Thompson\"") && why.contains("body"),
        "explains where: {why}"
    );
    let (s, why) = decision("Inbox/to-ava.eml");
    assert_eq!(s, "no");
    assert!(
        why.contains("participant ava.thompson@pupils.oakfield.sch.uk"),
        "{why}"
    );
    let (s, why) = decision("Inbox/old.eml");
    assert_eq!(s, "no");
    assert!(why.contains("dated 2023-03-06, before 2023-09-01"), "{why}");
    let (s, why) = decision("Inbox/jayden.eml");
    assert_eq!(
        (s.as_str(), why.as_str()),
        ("no", "no include term matched")
    );
    let (s, why) = decision("Inbox/chat.eml");
    assert_eq!(s, "no");
    assert!(
        why.contains("sam.pupil@pupils.oakfield.sch.uk") && why.contains("not in a staff domain"),
        "{why}"
    );
    let (s, why) = decision("with-attachments.eml");
    assert_eq!(s, "yes", "{why}");
    assert!(
        why.contains("subject"),
        "the match was in the subject line: {why}"
    );
    let (s, why) = decision("with-attachments.eml › log.pdf");
    assert_eq!(
        (s.as_str(), why.as_str()),
        ("no", "attachment of in-scope mail; no match")
    );
    let (s, why) = decision("drive/pastoral-notes.txt");
    assert_eq!(s, "yes", "{why}");
    assert!(why.contains("Ava AND Thompson"), "{why}");
    let (s, _) = decision("drive/minutes.txt");
    assert_eq!(s, "no");
    let (s, why) = decision("mis/roster.csv");
    assert_eq!(s, "no");
    assert!(why.contains("roster"), "{why}");
    // Its sheet is the roster too: never a document, never proposed from.
    let sheets: Vec<_> = rows
        .iter()
        .filter(|r| r["source_path"].contains("roster.csv › "))
        .collect();
    assert!(
        !sheets.is_empty(),
        "the roster is read as a workbook with a sheet"
    );
    for r in sheets {
        assert_eq!(r["in_scope"], "no", "{}", r["source_path"]);
        assert!(
            r["scope_reason"].contains("roster"),
            "{}",
            r["scope_reason"]
        );
    }
    assert!(rows
        .iter()
        .all(|r| r["in_scope"] == "yes" || r["in_scope"] == "no"));
    assert!(
        rows.iter().all(|r| !r["scope_reason"].is_empty()),
        "every decision is explained"
    );
}

#[test]
fn forbidden_terms_stop_the_scan() {
    let tmp = tempfile::tempdir().expect("tmp");
    build_case(
        tmp.path(),
        &CASE.replace("'A123456789012']", "'A123456789012', 'Ava', 'KF']"),
    );
    let (code, out, _) = disclose(tmp.path(), &["terms", "check", "case.toml"]);
    assert_eq!(code, Some(1), "{out}");
    let forbidden: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("forbidden\t"))
        .collect();
    assert_eq!(forbidden.len(), 2, "{out}");
    assert!(
        forbidden[0].contains("Ava Okafor"),
        "says who else is called Ava: {out}"
    );
    let (code, _, err) = disclose(tmp.path(), &["scan", "case.toml", "--quiet"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("forbidden"), "{err}");
    assert!(
        !tmp.path().join("out/inventory.csv").exists(),
        "nothing was searched"
    );
}

#[test]
fn reasons_lists_the_catalogue_and_the_schools_own_codes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let case = format!("{CASE}\n[[reason]]\ncode = \"LA-SAFEGUARDING\"\ncitation = \"DPA 2018 Sch 2 Pt 2 para 7\"\ndescription = \"Information from the council's safeguarding team.\"\n");
    build_case(tmp.path(), &case);
    let (code, out, err) = disclose(tmp.path(), &["reasons", "--case", "case.toml"]);
    assert_eq!(code, Some(0), "{err}");
    for needle in [
        "THIRD-PARTY",
        "Sch 2 Pt 3 para 16",
        "CHILD-ABUSE",
        "LPP",
        "NOT-SUBJECT",
        "LA-SAFEGUARDING",
        "council's safeguarding team",
    ] {
        assert!(out.contains(needle), "missing {needle}: {out}");
    }
    let clash =
        format!("{CASE}\n[[reason]]\ncode = \"LPP\"\ncitation = \"x\"\ndescription = \"y\"\n");
    build_case(tmp.path(), &clash);
    let (code, _, err) = disclose(tmp.path(), &["reasons", "--case", "case.toml"]);
    assert_eq!(
        code,
        Some(2),
        "a code clashing with a built-in one is refused: {err}"
    );
}
