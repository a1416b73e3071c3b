//! Quality bar of the detection stage (issue 5): recall and precision of third-party names and
//! identifiers on a generated school and SAR case whose ground truth is known
//! (`tools/gen-corpus`), plus the generator's determinism.
//!
//! Measured over the documents the ground truth puts in scope. A planted name or identifier that
//! the scan did not propose (including one in an item the scan wrongly left out of scope) is a
//! miss. A proposal is correct when it names a third party planted in that item (for a first
//! name alone: the first name of such a person).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use disclose::case::casefile::Case;
use disclose::search::scan::scan;
use disclose::text::normalize;
use serde_json::Value;

fn config(out: &Path) -> gen_corpus::Config {
    gen_corpus::Config {
        out: out.to_path_buf(),
        seed: 7,
        mails: 60,
        pdfs: 6,
        sheets: 3,
        pupils: 420,
        staff: 60,
        contacts: 800,
    }
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("under dir");
            (
                rel.to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect()
}

#[test]
fn the_generator_is_deterministic() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    gen_corpus::generate(&config(a.path())).expect("generate a");
    gen_corpus::generate(&config(b.path())).expect("generate b");
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert!(fa.len() > 20, "{} files", fa.len());
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(fb[k] == *v, "{k} differs between two runs with one seed");
    }
    let c = tempfile::tempdir().expect("tmp");
    let mut other = config(c.path());
    other.seed = 8;
    gen_corpus::generate(&other).expect("generate c");
    assert_ne!(
        files(c.path())["case.toml"],
        fa["case.toml"],
        "the seed matters"
    );
}

fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let h = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            h.iter()
                .map(String::from)
                .zip(rec.expect("row").iter().map(String::from))
                .collect()
        })
        .collect()
}

/// The matching form of a name: the detector's own fold (case, accents, whitespace), which is
/// only used here to compare two spellings of the same text.
fn name_key(s: &str) -> String {
    let n = normalize(s);
    n.strip_suffix("'s").unwrap_or(&n).to_string()
}

/// Identifier comparison: letters and digits, upper case; phone numbers as national digits.
fn id_key(kind: &str, s: &str) -> String {
    let t = s.trim();
    let t = if kind == "phone" {
        t.replacen("+44", "0", 1)
    } else {
        t.to_string()
    };
    t.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The ground-truth key of every inventory row: the Message-ID for mail, the path for a
/// top-level file, else the parent's key and the part's name. A CSV file is read as a workbook
/// with one sheet; the sheet takes the file's key.
fn row_keys(rows: &[HashMap<String, String>], case_dir: &Path) -> HashMap<String, String> {
    let prefix = format!("{}/", case_dir.display());
    let by_id: HashMap<&str, &HashMap<String, String>> =
        rows.iter().map(|r| (r["item_id"].as_str(), r)).collect();
    fn key(
        r: &HashMap<String, String>,
        by_id: &HashMap<&str, &HashMap<String, String>>,
        prefix: &str,
    ) -> String {
        if !r["message_id"].is_empty() {
            return format!("<{}>", r["message_id"]);
        }
        let Some(parent) = by_id.get(r["parent_id"].as_str()) else {
            let p = &r["source_path"];
            return p.strip_prefix(prefix).unwrap_or(p).to_string();
        };
        let pk = key(parent, by_id, prefix);
        if parent["source_path"].ends_with(".csv") && r["kind"] == "sheet" {
            return pk;
        }
        let last = r["source_path"].rsplit(" › ").next().unwrap_or("");
        format!("{pk} › {last}")
    }
    rows.iter()
        .map(|r| (key(r, &by_id, &prefix), r["item_id"].clone()))
        .collect()
}

#[derive(Default)]
struct Score {
    expected: usize,
    found: usize,
    proposed: usize,
    correct: usize,
    misses: Vec<String>,
    wrong: Vec<String>,
}

impl Score {
    fn recall(&self) -> f64 {
        if self.expected == 0 {
            1.0
        } else {
            self.found as f64 / self.expected as f64
        }
    }
    fn precision(&self) -> f64 {
        if self.proposed == 0 {
            1.0
        } else {
            self.correct as f64 / self.proposed as f64
        }
    }
}

const NAME_CATEGORIES: [&str; 3] = ["pupil", "contact", "person"];
const ID_CATEGORIES: [&str; 9] = [
    "upn", "uln", "nhs", "nino", "postcode", "phone", "email", "x500", "dob",
];

#[test]
fn detection_recall_and_precision_against_ground_truth() {
    let tmp = tempfile::tempdir().expect("tmp");
    let summary = gen_corpus::generate(&config(tmp.path())).expect("generate");
    assert!(summary.people >= 1000, "roster of {}", summary.people);
    let case = Case::load(&tmp.path().join("case.toml")).expect("generated case.toml loads");
    let report = scan(&case, false).expect("scan");
    let out = report.out.clone();
    let inventory = csv_rows(&out.join("inventory.csv"));
    let proposals = csv_rows(&out.join("proposals.csv"));
    let truth: Value = serde_json::from_slice(
        &std::fs::read(tmp.path().join("ground-truth.json")).expect("ground truth"),
    )
    .expect("ground truth is JSON");
    let docs = truth["documents"].as_array().expect("documents");

    // Roster first names, for first-name-only proposals.
    let roster = csv_rows(&tmp.path().join("mis/roster.csv"));
    let first_names: HashMap<&str, Vec<String>> = roster
        .iter()
        .map(|r| {
            let mut v = vec![name_key(&r["Legal Forename"])];
            if !r["Preferred Forename"].is_empty() {
                v.push(name_key(&r["Preferred Forename"]));
            }
            (r["Person ID"].as_str(), v)
        })
        .collect();

    let keys = row_keys(&inventory, tmp.path());
    let in_scope: HashMap<&str, bool> = inventory
        .iter()
        .map(|r| (r["item_id"].as_str(), r["in_scope"] == "yes"))
        .collect();
    let states: HashMap<&str, &str> = inventory
        .iter()
        .map(|r| (r["item_id"].as_str(), r["state"].as_str()))
        .collect();
    // The requester (the subject's parent) gets their own details back: flagged, not redacted.
    let asked = format!(" {} ", name_key(&case.file.request.requester));
    let requester_ids: HashSet<&str> = roster
        .iter()
        .filter(|r| {
            asked.contains(&format!(
                " {} ",
                name_key(&format!("{} {}", r["Legal Forename"], r["Legal Surname"]))
            ))
        })
        .map(|r| r["Person ID"].as_str())
        .collect();
    assert!(
        !requester_ids.is_empty(),
        "the generated requester is on the roster"
    );
    let requester_emails: HashSet<String> = roster
        .iter()
        .filter(|r| requester_ids.contains(r["Person ID"].as_str()))
        .filter_map(|r| r.get("Email"))
        .filter(|e| !e.is_empty())
        .map(|e| e.to_lowercase())
        .collect();
    let mut requester_redacted = Vec::new();
    let mut staff_unflagged = Vec::new();
    let staff_domains: Vec<String> = case
        .file
        .search
        .staff_domains
        .iter()
        .map(|d| format!("@{}", d.to_lowercase()))
        .collect();
    let mut by_item: HashMap<&str, Vec<&HashMap<String, String>>> = HashMap::new();
    for p in &proposals {
        by_item.entry(p["item_id"].as_str()).or_default().push(p);
    }

    let (mut names, mut ids) = (Score::default(), Score::default());
    let mut staff_redacted = Vec::new();
    let mut subject_proposed = Vec::new();
    let mut scope_disagreements = Vec::new();
    let mut truth_items = HashSet::new();
    let mut unmatched_docs = Vec::new();
    for d in docs {
        let key = d["key"].as_str().expect("key");
        let Some(item) = keys.get(key) else {
            unmatched_docs.push(key.to_string());
            continue;
        };
        truth_items.insert(item.as_str());
        if states.get(item.as_str()) == Some(&"duplicate") {
            // Same bytes as an earlier item (e.g. two trackers' identical contact sheets): the
            // kept copy is measured instead.
            continue;
        }
        let want = d["in_scope"].as_bool().expect("in_scope");
        let got = in_scope.get(item.as_str()).copied().unwrap_or(false);
        if want != got {
            scope_disagreements.push(format!("{key}: truth {want}, scan {got}"));
        }
        if !want {
            continue;
        }
        let props: &[&HashMap<String, String>] =
            by_item.get(item.as_str()).map_or(&[], Vec::as_slice);
        let path = d["path"].as_str().unwrap_or("");
        let people = d["people"].as_array().expect("people");
        let planted = d["identifiers"].as_array().expect("identifiers");

        // Names.
        let mut expected: HashMap<String, Vec<String>> = HashMap::new();
        let mut allowed: HashSet<String> = HashSet::new();
        let mut staff_texts = HashSet::new();
        let mut subject_texts = HashSet::new();
        let mut requester_texts = HashSet::new();
        for m in people {
            let text = m["text"].as_str().unwrap_or("");
            let k = name_key(text);
            if requester_ids.contains(m["roster_id"].as_str().unwrap_or("")) {
                requester_texts.insert(k);
                continue;
            }
            match m["role"].as_str().unwrap_or("") {
                "pupil" | "contact" => {
                    expected.entry(k.clone()).or_default().push(format!(
                        "{} {:?} ({}) in {key} [{path}]",
                        m["form"].as_str().unwrap_or(""),
                        text,
                        m["roster_id"].as_str().unwrap_or("")
                    ));
                    allowed.insert(k);
                    if let Some(f) = first_names.get(m["roster_id"].as_str().unwrap_or("")) {
                        allowed.extend(f.iter().cloned());
                    }
                }
                "staff" => {
                    staff_texts.insert(k);
                }
                _ => {
                    subject_texts.insert(k);
                }
            }
        }
        let mut found: HashMap<String, usize> = HashMap::new();
        for p in props.iter().filter(|p| p["action"] == "redact") {
            let k = name_key(&p["text"]);
            if NAME_CATEGORIES.contains(&p["category"].as_str()) {
                names.proposed += 1;
                *found.entry(k.clone()).or_default() += 1;
                if allowed.contains(&k) {
                    names.correct += 1;
                } else {
                    names
                        .wrong
                        .push(format!("{:?} ({}) in {key}", p["text"], p["category"]));
                }
            }
            if staff_texts.contains(&k) && !allowed.contains(&k) {
                staff_redacted.push(format!("{:?} in {key}", p["text"]));
            }
        }
        for p in props.iter() {
            if requester_texts.contains(&name_key(&p["text"])) && p["action"] == "redact" {
                requester_redacted.push(format!("{:?} ({}) in {key}", p["text"], p["rule"]));
            }
            if subject_texts.contains(&name_key(&p["text"])) {
                subject_proposed.push(format!("{:?} ({}) in {key}", p["text"], p["rule"]));
            }
        }
        for (k, where_) in &expected {
            let f = found.get(k).copied().unwrap_or(0);
            names.expected += where_.len();
            names.found += f.min(where_.len());
            names.misses.extend(where_.iter().skip(f).cloned());
        }

        // Identifiers. Staff addresses are flagged like staff names (staff acting in their job
        // are named), so they are checked apart from the third-party identifiers.
        let mut expected: HashMap<String, Vec<String>> = HashMap::new();
        let mut subject_ids = HashSet::new();
        for i in planted {
            let kind = i["type"].as_str().unwrap_or("");
            let value = i["value"].as_str().unwrap_or("");
            let k = id_key(kind, value);
            if i["whose"] == "subject" {
                subject_ids.insert(k);
            } else if kind == "email" && requester_emails.contains(&value.to_lowercase()) {
                if props
                    .iter()
                    .any(|p| p["action"] == "redact" && id_key("email", &p["text"]) == k)
                {
                    requester_redacted.push(format!("{value:?} in {key}"));
                }
            } else if kind == "email"
                && staff_domains
                    .iter()
                    .any(|d| value.to_lowercase().ends_with(d))
            {
                let flagged = props.iter().any(|p| {
                    p["category"] == "staff"
                        && p["action"] == "flag"
                        && id_key("email", &p["text"]) == k
                });
                if !flagged {
                    staff_unflagged.push(format!("{value:?} in {key}"));
                }
            } else {
                expected
                    .entry(k)
                    .or_default()
                    .push(format!("{kind} {value:?} in {key} [{path}]"));
            }
        }
        let mut found: HashMap<String, usize> = HashMap::new();
        for p in props
            .iter()
            .filter(|p| ID_CATEGORIES.contains(&p["category"].as_str()))
        {
            let k = id_key(&p["category"], &p["text"]);
            if subject_ids.contains(&k) && !expected.contains_key(&k) {
                subject_proposed.push(format!("{} {:?} in {key}", p["category"], p["text"]));
                continue;
            }
            ids.proposed += 1;
            *found.entry(k.clone()).or_default() += 1;
            if expected.contains_key(&k) {
                ids.correct += 1;
            } else {
                ids.wrong
                    .push(format!("{} {:?} in {key}", p["category"], p["text"]));
            }
        }
        for (k, where_) in &expected {
            let f = found.get(k).copied().unwrap_or(0);
            ids.expected += where_.len();
            ids.found += f.min(where_.len());
            ids.misses.extend(where_.iter().skip(f).cloned());
        }
    }
    // Items the scan put in scope that the generator did not make (the roster, containers).
    let extra_in_scope: Vec<&str> = inventory
        .iter()
        .filter(|r| r["in_scope"] == "yes" && !truth_items.contains(r["item_id"].as_str()))
        .map(|r| r["source_path"].as_str())
        .collect();

    println!(
        "\nDetection quality on a generated case ({} people, {} ground-truth documents)",
        summary.people,
        docs.len()
    );
    println!(
        "{:<22} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9}",
        "", "planted", "found", "proposed", "correct", "recall", "precision"
    );
    for (label, s) in [
        ("third-party names", &names),
        ("identifiers (others)", &ids),
    ] {
        println!(
            "{label:<22} {:>8} {:>8} {:>8} {:>8} {:>9.4} {:>9.4}",
            s.expected,
            s.found,
            s.proposed,
            s.correct,
            s.recall(),
            s.precision()
        );
    }
    let show = |title: &str, v: &[String]| {
        if !v.is_empty() {
            let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
            for m in v {
                *by_kind
                    .entry(m.split(' ').next().unwrap_or("").to_string())
                    .or_default() += 1;
            }
            println!("{title}: {} {by_kind:?}", v.len());
            for m in v.iter().take(12) {
                println!("  {m}");
            }
        }
    };
    show("missed names (by form)", &names.misses);
    show("names proposed in error", &names.wrong);
    show("missed identifiers (by type)", &ids.misses);
    show("identifiers proposed in error", &ids.wrong);
    show("staff names proposed for redaction", &staff_redacted);
    show(
        "the subject's own name or identifiers proposed",
        &subject_proposed,
    );
    show(
        "scope: ground truth and scan disagree",
        &scope_disagreements,
    );
    println!("in scope in the scan but not generated documents: {extra_in_scope:?}");

    assert!(
        unmatched_docs.is_empty(),
        "ground-truth documents with no inventory row: {unmatched_docs:?}"
    );
    assert!(
        names.expected > 100 && ids.expected > 100,
        "the case plants enough to measure"
    );
    assert!(
        staff_redacted.is_empty(),
        "staff must be flagged, never redacted: {staff_redacted:?}"
    );
    assert!(
        subject_proposed.is_empty(),
        "the subject's own data is never proposed: {subject_proposed:?}"
    );
    assert!(
        names.precision() >= 0.9,
        "name precision {}",
        names.precision()
    );
    assert!(
        ids.precision() >= 0.9,
        "identifier precision {}",
        ids.precision()
    );

    assert!(
        staff_unflagged.is_empty(),
        "staff addresses are flagged for the DPO: {staff_unflagged:#?}"
    );
    assert!(
        requester_redacted.is_empty(),
        "the requester's own name goes back to them (flag, not redact): {requester_redacted:#?}"
    );
    // Detector gaps this test once found, now fixed and covered by the recall assertions:
    // surname and forename in adjacent tracker cells ("Osei<TAB>Thomas"), Ł printed as L by a
    // Latin-1-only PDF producer ("Lukasz"), and dates of birth under a DOB column heading. A
    // new known gap goes here, named, so the assertion below keeps covering everything else.
    let name_gap = |_: &String| false;
    let id_gap = |_: &String| false;
    let (gaps, names_missed): (Vec<String>, Vec<String>) =
        names.misses.iter().cloned().partition(name_gap);
    let (id_gaps, ids_missed): (Vec<String>, Vec<String>) =
        ids.misses.iter().cloned().partition(id_gap);
    println!(
        "known detector gaps: {} names ({} outside them), {} identifiers ({} outside them)",
        gaps.len(),
        names_missed.len(),
        id_gaps.len(),
        ids_missed.len()
    );
    assert!(
        names_missed.is_empty(),
        "missed third-party names are breaches (recall must be 1.0 outside the known gaps): {names_missed:#?}"
    );
    assert!(
        ids_missed.is_empty(),
        "missed identifiers (recall must be 1.0 outside the known gaps): {ids_missed:#?}"
    );
}
