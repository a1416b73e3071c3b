//! `review.html` in a real browser: headless Chromium loads the page from disk, runs its
//! script and dumps the resulting DOM. The page must finish its script (it marks the body
//! ready), show every highlight with its classes, log nothing to the console, never let
//! document text become markup, and apply a filter given in the URL.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;

use disclose::decide::{apply, parse, ItemInfo};
use disclose::detect::exemptions::Catalogue;
use disclose::detect::proposals::{Action, Proposal};
use disclose::report::review::{review_html, ReviewInput};

const ZOE: &str = "Zoë O'Neill <script>alert(1)</script>";

fn sha(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

fn item(n: u8, path: &str, kind: &str, state: &str, text: Option<&str>) -> ItemInfo {
    ItemInfo {
        item_id: format!("{n:016x}"),
        sha256: sha(n),
        source_path: path.into(),
        kind: kind.into(),
        state: state.into(),
        text: text.map(String::from),
    }
}

fn propose(
    out: &mut Vec<(Proposal, Range<usize>)>,
    it: &ItemInfo,
    text: &str,
    category: &str,
    action: Action,
) {
    let hay = it.text.as_deref().expect("text");
    let start = hay.find(text).expect("fixture text present");
    let span = start..start + text.len();
    out.push((
        Proposal {
            item_id: it.item_id.clone(),
            location: format!("chars {}-{}", span.start, span.end),
            span: span.clone(),
            text: text.into(),
            category: category.into(),
            reason: "THIRD-PARTY".into(),
            rule: format!("roster:{category}"),
            action,
        },
        span,
    ));
}

/// Five items: overlapping proposals, a name that is also an HTML payload, a withheld item, an
/// item with nothing proposed, and one that could not be read.
fn fixture() -> ReviewInput {
    let items = vec![
        item(
            1,
            "export/Exchange/jane.doe@oakfield.sch.uk (Primary)/Inbox/incident.eml",
            "email",
            "ok",
            Some(
                "Jayden Okafor pushed Ava Thompson at lunch. Mrs Priya Patel separated them.\n\
                 Grace Okafor (mum) was called.",
            ),
        ),
        item(
            2,
            "drive/Safeguarding/<script>alert(2)</script>note.docx",
            "docx",
            "ok",
            Some(&format!(
                "Concern raised by {ZOE}, a pupil in Year 9 & a friend of Ava."
            )),
        ),
        item(
            3,
            "drive/Safeguarding/referral.pdf",
            "pdf",
            "ok",
            Some("Referral: Jack Smith, Ava's brother."),
        ),
        item(
            4,
            "drive/Letters/trip.docx",
            "docx",
            "ok",
            Some("Ava Thompson is going on the trip."),
        ),
        item(5, "drive/Scans/old-report.pdf", "pdf", "failed", None),
    ];
    let mut props = Vec::new();
    propose(
        &mut props,
        &items[0],
        "Jayden Okafor",
        "pupil",
        Action::Redact,
    );
    propose(&mut props, &items[0], "Priya Patel", "staff", Action::Flag);
    propose(
        &mut props,
        &items[0],
        "Grace Okafor",
        "contact",
        Action::Redact,
    );
    propose(
        &mut props,
        &items[1],
        "Zoë O'Neill",
        "pupil",
        Action::Redact,
    );
    propose(&mut props, &items[2], "Jack Smith", "pupil", Action::Redact);
    let decisions = format!(
        r#"
[[decision]]
action = "redact"
term = "Okafor"
reason = "THIRD-PARTY"
who = "J. Patel (DPO)"
when = 2026-11-20

[[decision]]
action = "disclose"
item = "{s1}"
location = "{patel}"
text = "Priya Patel"
who = "J. Patel (DPO)"
when = 2026-11-20
note = "staff acting in role"

[[decision]]
action = "redact"
item = "{s2}"
location = "{zoe}"
text = "Zoë O'Neill"
reason = "SERIOUS-HARM"
who = "J. Patel (DPO)"
when = 2026-11-21

[[decision]]
action = "withhold"
item = "{s3}"
reason = "CHILD-ABUSE"
who = "J. Patel (DPO)"
when = 2026-11-21

[[decision]]
action = "disclose"
item = "{gone}"
location = "chars 1-4"
text = "Old Name"
who = "J. Patel (DPO)"
when = 2026-11-21
"#,
        s1 = sha(1),
        s2 = sha(2),
        s3 = sha(3),
        gone = "ee".repeat(32),
        patel = props[1].0.location,
        zoe = props[3].0.location,
    );
    let cat = Catalogue::built_in();
    let d = parse(&decisions, Path::new("decisions.toml"), &cat).expect("valid decisions");
    let outcome = apply(&props, &items, &d);
    assert_eq!(outcome.unmatched.len(), 1, "{:?}", outcome.unmatched);
    ReviewInput::build(
        "SAR-2026-014",
        "Ava Thompson",
        "2026-11-21 09:30",
        &items,
        &props,
        &outcome,
        &d,
        &cat,
    )
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

/// Loads `file` (with `hash`) and returns (dumped DOM, stderr).
fn dump(browser: &Path, file: &Path, hash: &str) -> (String, String) {
    let profile = tempfile::tempdir().expect("profile dir");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}{hash}", file.display()))
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {out:?}");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn attr(dom: &str, name: &str) -> String {
    let body = &dom[dom.find("<body").expect("body")..];
    let tag = &body[..body.find('>').expect("body tag end")];
    let key = format!("{name}=\"");
    let at = tag
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        + key.len();
    tag[at..at + tag[at..].find('"').expect("quote")].to_string()
}

fn no_console_errors(stderr: &str) {
    for line in stderr.lines() {
        assert!(
            !line.contains("CONSOLE") && !line.contains("Uncaught"),
            "console output from the page: {line}"
        );
    }
}

#[test]
fn the_page_escapes_document_text_without_a_browser() {
    let html = review_html(&fixture());
    assert!(
        !html.contains("<script>alert"),
        "document text became markup"
    );
    assert!(html.contains("Zoë O&#39;Neill</span> &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;note.docx"));
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the page's own script"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no network"
    );
    assert!(html.contains("default-src 'none'"));
}

#[test]
fn the_page_loads_in_chromium_with_every_highlight_and_no_console_errors() {
    let Some(browser) = chromium() else {
        println!("SKIP: chromium is not installed (scripts/test.sh installs it)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("review.html");
    std::fs::write(&file, review_html(&fixture())).expect("write page");

    let (dom, stderr) = dump(&browser, &file, "");
    if let Some(p) = std::env::var_os("REVIEW_DUMP") {
        std::fs::write(p, &dom).expect("dump");
    }
    no_console_errors(&stderr);
    assert_eq!(
        attr(&dom, "data-ready"),
        "1",
        "the page script did not finish"
    );
    // Jayden Okafor, Priya Patel, Grace Okafor, the two "Okafor" the DPO added, Zoë, and
    // Jack Smith in the withheld item.
    assert_eq!(attr(&dom, "data-highlights"), "7");
    assert_eq!(attr(&dom, "data-visible-highlights"), "7");
    assert_eq!(attr(&dom, "data-hidden-items"), "0");
    // "Jayden " + "Okafor", Priya Patel, "Grace " + "Okafor", Zoë O'Neill, Jack Smith.
    assert_eq!(
        dom.matches("<span class=\"hl ").count(),
        7,
        "pieces of text highlighted"
    );
    for class in [
        "hl cat-pupil act-redact out-redact reason-third-party multi",
        "hl cat-staff act-flag out-disclose reason-third-party\"",
        "hl cat-pupil act-redact out-redact reason-serious-harm\"",
        "hl cat-pupil act-redact out-withheld",
    ] {
        assert!(dom.contains(class), "no highlight with {class}");
    }
    // Overlaps: "Okafor" inside "Jayden Okafor" is one piece carrying both marks.
    assert!(dom.contains("data-m=\"0 1\""), "overlap not merged");
    assert_eq!(dom.matches("data-action=\"added\"").count(), 2);
    assert!(
        !dom.contains("<script>alert"),
        "document text became markup"
    );
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(dom.contains("J. Patel (DPO), 2026-11-20"), "decision shown");
    assert!(dom.contains("id=\"unmatched\""), "stale decision reported");
    assert!(dom.contains("no item in this scan"));
    // The item with nothing proposed starts collapsed; the others open.
    let trip = dom.find("drive/Letters/trip.docx").expect("trip item");
    let tag = &dom[dom[..trip].rfind("<details").expect("details")..trip];
    assert!(!tag.contains(" open"), "{tag}");
}

#[test]
fn a_filter_in_the_address_hides_other_highlights_and_items() {
    let Some(browser) = chromium() else {
        println!("SKIP: chromium is not installed (scripts/test.sh installs it)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("review.html");
    std::fs::write(&file, review_html(&fixture())).expect("write page");

    let (dom, stderr) = dump(&browser, &file, "#reason=SERIOUS-HARM");
    no_console_errors(&stderr);
    assert_eq!(attr(&dom, "data-ready"), "1");
    assert_eq!(attr(&dom, "data-visible-highlights"), "1");
    assert_eq!(attr(&dom, "data-hidden-highlights"), "6");
    assert_eq!(attr(&dom, "data-hidden-items"), "4");
    assert_eq!(
        dom.matches("class=\"hl ").count() - dom.matches(" off\"").count(),
        1,
        "exactly one piece still highlighted"
    );
    assert!(
        dom.contains("<option value=\"SERIOUS-HARM\" selected")
            || dom.contains("1 proposals shown in 1 of 5 items")
    );

    let (dom, stderr) = dump(&browser, &file, "#category=staff,contact&outcome=disclose");
    no_console_errors(&stderr);
    assert_eq!(
        attr(&dom, "data-visible-highlights"),
        "1",
        "only the disclosed staff name"
    );
    assert_eq!(attr(&dom, "data-hidden-items"), "4");
}
