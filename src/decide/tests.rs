use std::ops::Range;
use std::path::Path;

use super::*;
use crate::case::casefile::CustomReason;
use crate::detect::exemptions::Catalogue;
use crate::detect::proposals::{Action, Proposal};

const BEHAVIOUR: &str = "Behaviour log 14/03. Ava Thompson was pushed by Jayden Okafor. \
    Mrs Priya Patel separated them. Jayden's mum Grace Okafor was called on 07700 900819.";
const SAFEGUARDING: &str = "Safeguarding note. Ava's brother Jack Smith (age 9) was present. \
    Priya Patel informed the DSL. Zoë O\u{2019}Neill from Year 9 also saw it; Jacksonville is unrelated.";

fn sha(n: u8) -> String {
    format!("{:02x}", n).repeat(32)
}

fn items(id_suffix: &str) -> Vec<ItemInfo> {
    let item = |n: u8, path: &str, text: Option<&str>, state: &str| ItemInfo {
        item_id: format!("item{n}{id_suffix}"),
        sha256: sha(n),
        source_path: path.into(),
        kind: if text.is_some() { "email" } else { "pdf" }.into(),
        state: state.into(),
        text: text.map(str::to_string),
    };
    vec![
        item(1, "export/behaviour.eml", Some(BEHAVIOUR), "ok"),
        item(2, "drive/safeguarding.docx", Some(SAFEGUARDING), "ok"),
        item(3, "drive/scan.pdf", None, "ok"),
        item(4, "drive/broken.xlsx", None, "failed"),
    ]
}

/// What `scan` proposes for the fixture, with the spans the integrator will carry.
fn proposals(id_suffix: &str) -> Vec<(Proposal, Range<usize>)> {
    let mut out = Vec::new();
    let mut add = |item: u8, text: &str, hay: &str, nth: usize, cat: &str, action: Action| {
        let start = hay
            .match_indices(text)
            .nth(nth)
            .map(|(i, _)| i)
            .expect("fixture text present");
        let span = start..start + text.len();
        out.push((
            Proposal {
                item_id: format!("item{item}{id_suffix}"),
                location: format!("chars {}-{}", span.start, span.end),
                span: span.clone(),
                text: text.into(),
                category: cat.into(),
                reason: "THIRD-PARTY".into(),
                rule: format!("roster:{cat}"),
                action,
            },
            span,
        ));
    };
    add(1, "Jayden Okafor", BEHAVIOUR, 0, "pupil", Action::Redact);
    add(1, "Priya Patel", BEHAVIOUR, 0, "staff", Action::Flag);
    add(1, "Jayden", BEHAVIOUR, 1, "pupil", Action::Redact);
    add(1, "Grace Okafor", BEHAVIOUR, 0, "contact", Action::Redact);
    add(1, "07700 900819", BEHAVIOUR, 0, "phone", Action::Redact);
    add(2, "Jack Smith", SAFEGUARDING, 0, "pupil", Action::Redact);
    add(2, "Priya Patel", SAFEGUARDING, 0, "staff", Action::Flag);
    out
}

fn cat() -> Catalogue {
    Catalogue::with_custom(&[CustomReason {
        code: "LA-HOLD".into(),
        citation: "Local authority protocol 4.2".into(),
        description: "Held at the council's request.".into(),
    }])
    .expect("valid")
}

fn decisions(toml: &str) -> Decisions {
    parse(toml, Path::new("decisions.toml"), &cat()).expect("valid decisions")
}

fn errors(toml: &str) -> String {
    parse(toml, Path::new("decisions.toml"), &cat())
        .expect_err("should be refused")
        .to_string()
}

fn loc(props: &[(Proposal, Range<usize>)], item: u8, text: &str) -> String {
    props
        .iter()
        .find(|(p, _)| p.item_id.starts_with(&format!("item{item}")) && p.text == text)
        .map(|(p, _)| p.location.clone())
        .expect("proposal present")
}

fn find<'a>(list: &'a [Final], item: &str, text: &str) -> Option<&'a Final> {
    list.iter().find(|f| f.item_id == item && f.text == text)
}

#[test]
fn without_decisions_redactions_stay_and_flags_are_disclosed() {
    let props = proposals("");
    let out = apply(&props, &items(""), &Decisions::default());
    assert_eq!(out.redactions.len(), 5);
    assert_eq!(out.disclosed.len(), 2);
    let j = find(&out.redactions, "item1", "Jayden Okafor").expect("redacted");
    assert_eq!(j.decided_by, "rule: roster:pupil");
    assert_eq!(j.date, None);
    assert_eq!(j.proposal, Some(0));
    let p = find(&out.disclosed, "item2", "Priya Patel").expect("disclosed");
    assert_eq!(p.decided_by, "not reviewed (flag)");
    assert!(out.unmatched.is_empty() && out.withheld.is_empty());
    // Item order, then position.
    let order: Vec<(&str, usize)> = out
        .redactions
        .iter()
        .map(|f| (f.item_id.as_str(), f.span.start))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
}

#[test]
fn accept_reject_and_decide_flags() {
    let props = proposals("");
    let d = decisions(&format!(
        r#"
[[decision]]
action = "redact"
item = "{s1}"
location = "{jayden}"
text = "Jayden Okafor"
reason = "third-party"
who = "J. Patel (DPO)"
when = 2026-11-20
note = "pupil in the incident"

[[decision]]
action = "disclose"
item = "{s1}"
location = "{grace}"
text = "grace okafor"
who = "J. Patel (DPO)"
when = "2026-11-21"
note = "the requester's own contact"

[[decision]]
action = "disclose"
item = "{s1_short}"
location = "{patel1}"
text = "Priya Patel"
who = "J. Patel (DPO)"
when = 2026-11-21

[[decision]]
action = "redact"
item = "{s2}"
location = "{patel2}"
reason = "SERIOUS-HARM"
who = "J. Patel (DPO)"
when = 2026-11-22
"#,
        s1 = sha(1),
        s1_short = &sha(1)[..12],
        s2 = sha(2),
        jayden = loc(&props, 1, "Jayden Okafor"),
        grace = loc(&props, 1, "Grace Okafor"),
        patel1 = loc(&props, 1, "Priya Patel"),
        patel2 = loc(&props, 2, "Priya Patel"),
    ));
    let out = apply(&props, &items(""), &d);
    assert!(out.unmatched.is_empty(), "{:?}", out.unmatched);
    let j = find(&out.redactions, "item1", "Jayden Okafor").expect("accepted");
    assert_eq!(j.decided_by, "J. Patel (DPO), 2026-11-20");
    assert_eq!(j.reason, "THIRD-PARTY");
    assert_eq!(j.decision, Some(1));
    assert_eq!(j.note.as_deref(), Some("pupil in the incident"));
    assert!(find(&out.redactions, "item1", "Grace Okafor").is_none());
    let g = find(&out.disclosed, "item1", "Grace Okafor").expect("rejected");
    assert_eq!(g.decided_by, "J. Patel (DPO), 2026-11-21");
    let p1 = find(&out.disclosed, "item1", "Priya Patel").expect("flag disclosed");
    assert_eq!(p1.decision, Some(3));
    let p2 = find(&out.redactions, "item2", "Priya Patel").expect("flag redacted");
    assert_eq!(p2.reason, "SERIOUS-HARM");
    assert_eq!(p2.category, "staff");
    // Untouched proposals keep their proposed action.
    assert_eq!(
        find(&out.redactions, "item2", "Jack Smith").map(|f| f.decided_by.as_str()),
        Some("rule: roster:pupil")
    );
}

#[test]
fn a_term_is_redacted_everywhere_as_whole_words_ignoring_case_and_accents() {
    let props = proposals("");
    let d = decisions(
        r#"
[[decision]]
action = "redact"
term = "zoe o'neill"
reason = "THIRD-PARTY"
who = "DPO"
when = 2026-11-20

[[decision]]
action = "redact"
term = "JACK"
reason = "THIRD-PARTY"
who = "DPO"
when = 2026-11-20

[[decision]]
action = "redact"
term = "Jack Smith"
reason = "LA-HOLD"
who = "DPO"
when = 2026-11-20
"#,
    );
    let its = items("");
    let out = apply(&props, &its, &d);
    let zoe =
        find(&out.redactions, "item2", "Zoë O\u{2019}Neill").expect("accent and apostrophe folded");
    assert_eq!(zoe.category, "custom");
    assert_eq!(zoe.rule, "decision 1");
    assert_eq!(zoe.location, chars_location(&its[1], &zoe.span));
    assert_eq!(&SAFEGUARDING[zoe.span.clone()], "Zoë O\u{2019}Neill");
    // "Jack" alone is added (whole word) but "Jacksonville" is not touched.
    let jack: Vec<&Final> = out.redactions.iter().filter(|f| f.text == "Jack").collect();
    assert_eq!(jack.len(), 1);
    assert!(!out
        .redactions
        .iter()
        .any(|f| f.text.contains("Jacksonville")));
    // The proposal at the same span is decided, not duplicated.
    let smith: Vec<&Final> = out
        .redactions
        .iter()
        .filter(|f| f.text == "Jack Smith")
        .collect();
    assert_eq!(smith.len(), 1);
    assert_eq!(smith[0].reason, "LA-HOLD");
    assert_eq!(smith[0].proposal, Some(5));
    assert!(out.unmatched.is_empty());
}

#[test]
fn text_without_location_means_every_occurrence_in_that_item() {
    let props = proposals("");
    let d = decisions(&format!(
        r#"
[[decision]]
action = "disclose"
item = "{s1}"
text = "Priya Patel"
who = "DPO"
when = 2026-11-20

[[decision]]
action = "redact"
item = "{s2}"
text = "Ava"
reason = "THIRD-PARTY"
who = "DPO"
when = 2026-11-20
"#,
        s1 = sha(1),
        s2 = sha(2),
    ));
    let out = apply(&props, &items(""), &d);
    assert_eq!(
        find(&out.disclosed, "item1", "Priya Patel").and_then(|f| f.decision),
        Some(1)
    );
    // The other item's flag has no decision.
    assert_eq!(
        find(&out.disclosed, "item2", "Priya Patel").map(|f| f.decided_by.as_str()),
        Some("not reviewed (flag)")
    );
    // "Ava's" holds the word Ava; item 1's "Ava" is not in the item the decision names.
    let ava: Vec<&Final> = out.redactions.iter().filter(|f| f.text == "Ava").collect();
    assert_eq!(ava.len(), 1);
    assert_eq!(ava[0].item_id, "item2");
}

#[test]
fn a_location_nobody_proposed_is_redacted_when_the_text_is_there() {
    let props = proposals("");
    let start = BEHAVIOUR.find("Ava Thompson").expect("present");
    let d = decisions(&format!(
        r#"
[[decision]]
action = "redact"
item = "{s1}"
location = "chars {a}-{b}"
text = "Ava Thompson"
reason = "NOT-SUBJECT"
who = "DPO"
when = 2026-11-20
"#,
        s1 = sha(1),
        a = start,
        b = start + "Ava Thompson".len()
    ));
    let out = apply(&props, &items(""), &d);
    assert!(out.unmatched.is_empty(), "{:?}", out.unmatched);
    let f = find(&out.redactions, "item1", "Ava Thompson").expect("added");
    assert_eq!(f.span, start..start + 12);
    assert_eq!(f.reason, "NOT-SUBJECT");
    assert_eq!(f.proposal, None);
}

#[test]
fn regions_withheld_and_settled_items() {
    let props = proposals("");
    let d = decisions(&format!(
        r#"
[[decision]]
action = "redact-region"
item = "{s3}"
page = 2
box = [72, 700.5, 300, 720]
reason = "THIRD-PARTY"
who = "DPO"
when = 2026-11-20
note = "signature of a parent"

[[decision]]
action = "withhold"
item = "{s2}"
reason = "edu-harm"
who = "DPO"
when = 2026-11-20

[[decision]]
action = "on-paper"
item = "{s3}"
who = "DPO"
when = 2026-11-20

[[decision]]
action = "disclose-as-is"
item = "{s4}"
who = "Head"
when = 2026-11-21
"#,
        s2 = sha(2),
        s3 = sha(3),
        s4 = sha(4),
    ));
    let out = apply(&props, &items(""), &d);
    assert!(out.unmatched.is_empty(), "{:?}", out.unmatched);
    assert_eq!(out.regions.len(), 1);
    let r = &out.regions[0];
    assert_eq!((r.item_id.as_str(), r.page), ("item3", 2));
    assert_eq!(r.rect, [72.0, 700.5, 300.0, 720.0]);
    assert_eq!(r.decided_by, "DPO, 2026-11-20");
    assert_eq!(out.withheld.len(), 1);
    assert_eq!(out.withheld[0].item_id, "item2");
    assert_eq!(out.withheld[0].reason, "SERIOUS-HARM", "alias resolved");
    // Nothing in a withheld item is redacted or disclosed: the item goes nowhere.
    assert!(out
        .redactions
        .iter()
        .chain(&out.disclosed)
        .all(|f| f.item_id != "item2"));
    let settled: Vec<(&str, DecisionAction)> = out
        .settled
        .iter()
        .map(|s| (s.item_id.as_str(), s.how))
        .collect();
    assert_eq!(
        settled,
        vec![
            ("item3", DecisionAction::OnPaper),
            ("item4", DecisionAction::DiscloseAsIs)
        ]
    );
}

#[test]
fn decisions_survive_a_rescan_that_changes_item_ids() {
    let before = proposals("");
    let d = decisions(&format!(
        r#"
[[decision]]
action = "disclose"
item = "{s1}"
location = "{grace}"
text = "Grace Okafor"
who = "DPO"
when = 2026-11-20
"#,
        s1 = &sha(1)[..16],
        grace = loc(&before, 1, "Grace Okafor"),
    ));
    let after = proposals("-rerun");
    let out = apply(&after, &items("-rerun"), &d);
    assert!(out.unmatched.is_empty(), "{:?}", out.unmatched);
    assert_eq!(
        find(&out.disclosed, "item1-rerun", "Grace Okafor").and_then(|f| f.decision),
        Some(1)
    );
}

#[test]
fn stale_decisions_are_reported_with_why_and_without_personal_data_in_the_summary() {
    let props = proposals("");
    let d = decisions(&format!(
        r#"
[[decision]]
action = "redact"
item = "{gone}"
location = "chars 1-5"
text = "Somebody Else"
who = "DPO"
when = 2026-11-20

[[decision]]
action = "disclose"
item = "{s1}"
location = "chars 900-910"
text = "Grace Okafor"
who = "DPO"
when = 2026-11-20

[[decision]]
action = "disclose"
item = "{s1}"
location = "{grace}"
text = "Gracie Okafor"
who = "DPO"
when = 2026-11-20

[[decision]]
action = "redact"
term = "Nobody Here"
reason = "THIRD-PARTY"
who = "DPO"
when = 2026-11-20

[[decision]]
action = "withhold"
item = "0123456789abcdef"
reason = "LPP"
who = "DPO"
when = 2026-11-20
"#,
        gone = "ab".repeat(32),
        s1 = sha(1),
        grace = loc(&props, 1, "Grace Okafor"),
    ))
    .decisions;
    // Item ids happen to be hex in real scans; this one is named by id on purpose.
    let mut its = items("");
    its[0].item_id = "0123456789abcdef".into();
    let mut props = props;
    for (p, _) in props.iter_mut().filter(|(p, _)| p.item_id == "item1") {
        p.item_id = "0123456789abcdef".into();
    }
    let out = apply(&props, &its, &Decisions { decisions: d });
    let by: Vec<(usize, &str)> = out
        .unmatched
        .iter()
        .map(|u| (u.number, u.why.as_str()))
        .collect();
    assert_eq!(out.unmatched.len(), 5, "{by:?}");
    assert!(by[0].1.contains("no item in this scan"), "{by:?}");
    assert!(
        by[1].1.contains("nothing was proposed at chars 900-910"),
        "{by:?}"
    );
    assert!(by[2].1.contains("different text"), "{by:?}");
    assert!(by[3].1.contains("does not occur"), "{by:?}");
    assert!(by[4].1.contains("item_id"), "{by:?}");
    // The grace decision that failed its text check did not touch the proposal.
    assert_eq!(
        find(&out.redactions, "0123456789abcdef", "Grace Okafor").map(|f| f.decision),
        Some(None)
    );
    assert_eq!(out.unmatched[2].text.as_deref(), Some("Gracie Okafor"));
    assert_eq!(out.unmatched[0].line, Some(2));
    for u in &out.unmatched {
        let s = u.summary();
        assert!(s.starts_with(&format!("decision {}", u.number)), "{s}");
        for name in ["Somebody", "Grace", "Gracie", "Nobody"] {
            assert!(!s.contains(name), "{s}");
        }
    }
}

#[test]
fn a_location_decision_beats_a_text_wide_one_whatever_the_order() {
    let props = proposals("");
    let d = decisions(&format!(
        r#"
[[decision]]
action = "redact"
item = "{s2}"
location = "{patel2}"
text = "Priya Patel"
reason = "THIRD-PARTY"
who = "DPO"
when = 2026-11-20
note = "named in a safeguarding note"

[[decision]]
action = "disclose"
term = "Priya Patel"
who = "DPO"
when = 2026-11-21
"#,
        s2 = sha(2),
        patel2 = loc(&props, 2, "Priya Patel"),
    ));
    let out = apply(&props, &items(""), &d);
    assert_eq!(
        find(&out.redactions, "item2", "Priya Patel").and_then(|f| f.decision),
        Some(1)
    );
    assert_eq!(
        find(&out.disclosed, "item1", "Priya Patel").and_then(|f| f.decision),
        Some(2)
    );
}

#[test]
fn every_problem_is_reported_naming_the_decision_and_its_line() {
    let msg = errors(
        r#"# decisions
[[decision]]
action = "redact"
item = "3f2a"
location = "chars 1-2"
when = 2026-11-20

[[decision]]
action = "shred"
item = "0123456789abcdef0123"
who = "DPO"

[[decision]]
action = "redact-region"
item = "0123456789abcdef0123"
page = 0
box = [300, 10, 100, 20]
reason = "THIRD-PARTY"
who = "DPO"
when = 2026-11-20

[[decision]]
action = "withhold"
item = "0123456789abcdef0123"
reason = "NOPE"
who = "DPO"
when = "20/11/2026"
colour = "red"

[[decision]]
action = "withhold"
item = "0123456789abcdef0123"
reason = "MUE"
who = "DPO"
when = 2026-11-20
"#,
    );
    let has = |needle: &str, parts: &[&str]| {
        let line = msg
            .lines()
            .find(|l| l.starts_with(needle) && parts.iter().all(|p| l.contains(p)));
        assert!(line.is_some(), "no line {needle} {parts:?} in:\n{msg}");
    };
    has("decision 1 (line 2)", &["`who` is missing"]);
    has("decision 1 (line 2)", &["too short"]);
    has(
        "decision 2 (line 8)",
        &["unknown action \"shred\"", "redact-region"],
    );
    has("decision 2 (line 8)", &["`when` is missing"]);
    has("decision 3 (line 13)", &["`page`"]);
    has("decision 3 (line 13)", &["bad `box`"]);
    has("decision 4 (line 22)", &["unknown reason code \"NOPE\""]);
    has("decision 4 (line 22)", &["`when` is not a date"]);
    has("decision 4 (line 22)", &["unknown field \"colour\""]);
    has("decision 5 (line 30)", &["MUE cannot be used to withhold"]);
    assert!(msg.contains("10 problem(s)"), "{msg}");
}

#[test]
fn each_action_checks_the_fields_it_needs() {
    let base = "who = \"DPO\"\nwhen = 2026-11-20\n";
    let item = format!("item = \"{}\"\n", sha(1));
    let e = errors(&format!(
        "[[decision]]\naction = \"withhold\"\n{item}{base}"
    ));
    assert!(e.contains("`reason` is missing"), "{e}");
    let e = errors(&format!("[[decision]]\naction = \"redact\"\n{base}"));
    assert!(e.contains("`item` is missing"), "{e}");
    let e = errors(&format!("[[decision]]\naction = \"redact\"\n{item}{base}"));
    assert!(e.contains("give `location`"), "{e}");
    let e = errors(&format!(
        "[[decision]]\naction = \"redact\"\nterm = \"x\"\n{base}"
    ));
    assert!(e.contains("`reason` is missing"), "{e}");
    let e = errors(&format!(
        "[[decision]]\naction = \"on-paper\"\n{item}reason = \"LPP\"\n{base}"
    ));
    assert!(e.contains("`reason` does not apply"), "{e}");
    let e = errors(&format!(
        "[[decision]]\naction = \"redact-region\"\n{item}reason = \"LPP\"\n{base}"
    ));
    assert!(
        e.contains("`page` is missing") && e.contains("`box` is missing"),
        "{e}"
    );
    let e = errors("[[decision]]\naction = \"redact\"\nwho = \"\"\n");
    assert!(e.contains("`who` is empty"), "{e}");
    let e = errors("title = \"x\"\n");
    assert!(e.contains("unknown setting \"title\""), "{e}");
    let e = parse("[[decision]\n", Path::new("d.toml"), &cat())
        .expect_err("syntax")
        .to_string();
    assert!(e.contains("not valid TOML") && e.contains("line 1"), "{e}");
    // The parser's quote of the broken line is left out: it may hold a name.
    let e = parse(
        "[[decision]]\naction = \"redact\"\ntext = \"Jack Smith\n",
        Path::new("d.toml"),
        &cat(),
    )
    .expect_err("unterminated string")
    .to_string();
    assert!(e.contains("line 3"), "{e}");
    assert!(!e.contains("Jack"), "{e}");
}

#[test]
fn a_missing_file_is_no_decisions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = load(&dir.path().join("decisions.toml"), &cat()).expect("missing is fine");
    assert!(d.decisions.is_empty());
    std::fs::write(
        dir.path().join("decisions.toml"),
        "[[decision]]\naction = \"redact\"\n",
    )
    .expect("write");
    assert!(load(&dir.path().join("decisions.toml"), &cat()).is_err());
}

#[test]
fn the_template_loads_as_nothing_and_its_examples_work_once_uncommented() {
    let mut props = proposals("");
    // Text from documents may hold quotes and backslashes; the template must stay valid TOML.
    props[1].0.text = "Priya \"P\" Patel\\".into();
    let its = items("");
    let t = template(&props, &its);
    assert!(decisions(&t).decisions.is_empty());
    assert!(t.contains("# action = \"on-paper\""));
    assert!(t.contains(&sha(4)), "failed item listed to settle");
    // Switch on the first flag example, filling in who and when.
    let start = t.find("# Flagged names").expect("flags section");
    let block: Vec<&str> = t[start..]
        .lines()
        .skip_while(|l| *l != "# [[decision]]")
        .take_while(|l| !l.is_empty() && *l != "#")
        .collect();
    let uncommented: String = block
        .iter()
        .map(|l| l.trim_start_matches("# ").to_string() + "\n")
        .collect::<String>()
        .replace("who = \"\"", "who = \"DPO\"")
        .replace("when = \"\"", "when = 2026-11-20");
    let d = decisions(&uncommented);
    assert_eq!(d.decisions.len(), 1);
    assert_eq!(d.decisions[0].action, DecisionAction::Disclose);
    assert_eq!(d.decisions[0].text.as_deref(), Some("Priya \"P\" Patel\\"));
    let out = apply(&props, &its, &d);
    assert!(out.unmatched.is_empty(), "{:?}", out.unmatched);
    assert_eq!(
        out.disclosed
            .iter()
            .filter(|f| f.decision == Some(1))
            .count(),
        1
    );
    // Left as written (who and when empty), the example is refused, not applied.
    let raw: String = block
        .iter()
        .map(|l| l.trim_start_matches("# ").to_string() + "\n")
        .collect();
    let e = errors(&raw);
    assert!(
        e.contains("`who` is empty") && e.contains("`when` is not a date"),
        "{e}"
    );
}
