//! `disclose ingest` end to end on a small Purview-style export built here: loose .eml
//! messages, a duplicate, a zip holding a message with a PDF attachment, a corrupt zip, an
//! image, a spreadsheet, and a Results.csv that lists one message the export lacks. Every item
//! must end in exactly one state with a reason, and text files must hold what is searched.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use support::{eml, write, zip_of};

#[test]
fn a_purview_style_export_is_fully_accounted_for() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let export = tmp.path().join("export");
    let pdf = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/behaviour-report.pdf"),
    )
    .expect("demo pdf");
    write(
        &export,
        "Exchange/jane/Inbox/incident.eml",
        &eml(
            "m1@oakfield",
            "Year 9 incident",
            "Ava Thompson was upset after lunch.",
            None,
        ),
    );
    write(
        &export,
        "Exchange/john/Inbox/incident-copy.eml",
        &eml(
            "m1@oakfield",
            "Year 9 incident",
            "Ava Thompson was upset after lunch.",
            None,
        ),
    );
    let with_pdf = eml(
        "m2@oakfield",
        "Behaviour log",
        "Log attached.",
        Some(("log.pdf", &pdf)),
    );
    write(
        &export,
        "Exchange/jane/archive.zip",
        &zip_of(&[
            ("Sent/log-mail.eml", &with_pdf),
            ("notes.txt", b"Trip list: Ava Thompson"),
        ]),
    );
    write(
        &export,
        "Exchange/jane/broken.zip",
        b"PK\x03\x04this is not really a zip",
    );
    write(
        &export,
        "SharePoint/photo.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    );
    write(
        &export,
        "SharePoint/roster.csv",
        b"Name,UPN\nAva Thompson,A123456789012\nJayden Okafor,B801200005001\n",
    );
    write(
        &export,
        "Results.csv",
        b"Document ID,Location,Subject or Title,Internet Message Id,Duplicate to Item\n\
          1,jane.doe@oakfield.sch.uk,Year 9 incident,<m1@oakfield>,\n\
          2,jane.doe@oakfield.sch.uk,Behaviour log,<m2@oakfield>,\n\
          3,jane.doe@oakfield.sch.uk,Lost email,<m3@oakfield>,\n\
          4,john@oakfield.sch.uk,Old copy,<m4@oakfield>,1\n",
    );
    let out = tmp.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_disclose"))
        .current_dir(tmp.path())
        .args(["ingest", "export", "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "stderr:\n{stderr}");

    let mut rdr = csv::Reader::from_path(out.join("inventory.csv")).expect("inventory written");
    let headers = rdr.headers().expect("header").clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "item_id",
            "parent_id",
            "source_path",
            "kind",
            "sha256",
            "size",
            "state",
            "detail",
            "message_id",
            "from",
            "to",
            "cc",
            "date",
            "subject"
        ]
    );
    let rows: Vec<HashMap<String, String>> = rdr
        .records()
        .map(|r| {
            headers
                .iter()
                .map(String::from)
                .zip(r.expect("row").iter().map(String::from))
                .collect()
        })
        .collect();
    let by_path = |p: &str| -> &HashMap<String, String> {
        rows.iter()
            .find(|r| r["source_path"] == p)
            .unwrap_or_else(|| {
                panic!(
                    "no row for {p}; rows: {:#?}",
                    rows.iter().map(|r| &r["source_path"]).collect::<Vec<_>>()
                )
            })
    };
    let sep = " › ";

    let first = by_path("export/Exchange/jane/Inbox/incident.eml");
    assert_eq!(
        (first["kind"].as_str(), first["state"].as_str()),
        ("email", "ok")
    );
    assert_eq!(first["subject"], "Year 9 incident");
    assert_eq!(first["date"], "2025-03-14T10:22:00Z");
    assert!(
        first["from"].contains("jane.doe@oakfield.sch.uk"),
        "{:?}",
        first["from"]
    );
    assert!(
        first["detail"].contains("listed location: jane.doe@oakfield.sch.uk"),
        "{:?}",
        first["detail"]
    );
    let text = std::fs::read_to_string(out.join("text").join(format!("{}.txt", first["item_id"])))
        .expect("text file");
    assert!(
        text.starts_with("From: "),
        "mail text starts with headers: {text}"
    );
    assert!(
        text.contains("Subject: Year 9 incident") && text.contains("Ava Thompson was upset"),
        "{text}"
    );

    let copy = by_path("export/Exchange/john/Inbox/incident-copy.eml");
    assert_eq!(copy["state"], "duplicate");
    assert_eq!(copy["detail"], format!("duplicate of {}", first["item_id"]));
    assert!(
        !out.join("text")
            .join(format!("{}.txt", copy["item_id"]))
            .exists(),
        "a duplicate is not searched again"
    );

    let archive = by_path("export/Exchange/jane/archive.zip");
    assert_eq!(
        (archive["kind"].as_str(), archive["state"].as_str()),
        ("zip", "ok")
    );
    let inner = by_path(&format!(
        "export/Exchange/jane/archive.zip{sep}Sent/log-mail.eml"
    ));
    assert_eq!(inner["parent_id"], archive["item_id"]);
    assert_eq!(inner["subject"], "Behaviour log");
    let att = by_path(&format!(
        "export/Exchange/jane/archive.zip{sep}Sent/log-mail.eml{sep}log.pdf"
    ));
    assert_eq!(
        (
            att["kind"].as_str(),
            att["state"].as_str(),
            att["parent_id"].as_str()
        ),
        ("pdf", "ok", inner["item_id"].as_str())
    );
    let pdf_text =
        std::fs::read_to_string(out.join("text").join(format!("{}.txt", att["item_id"])))
            .expect("pdf text");
    assert!(
        pdf_text.contains("Jayden Okafor"),
        "PDF text comes from the engine: {pdf_text}"
    );
    let sha: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&pdf)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert_eq!(
        att["sha256"], sha,
        "an attachment's hash is over its decoded bytes"
    );

    let broken = by_path("export/Exchange/jane/broken.zip");
    assert_eq!(broken["state"], "failed");
    assert!(!broken["detail"].is_empty());
    let photo = by_path("export/SharePoint/photo.png");
    assert_eq!(
        (photo["kind"].as_str(), photo["state"].as_str()),
        ("image", "unsupported")
    );

    let listing = by_path("export/Results.csv");
    assert_eq!(
        (listing["kind"].as_str(), listing["state"].as_str()),
        ("export-metadata", "ok")
    );
    let missing = by_path(&format!("export/Results.csv{sep}Lost email"));
    assert_eq!(missing["state"], "failed");
    assert_eq!(
        missing["detail"],
        "listed in Results.csv, missing from the export"
    );
    assert!(
        !rows.iter().any(|r| r["source_path"].ends_with("Old copy")),
        "a row de-duplicated by Purview itself is not missing"
    );

    // Every row has exactly one of the four states, and every non-ok row says why.
    for r in &rows {
        assert!(
            ["ok", "duplicate", "failed", "unsupported"].contains(&r["state"].as_str()),
            "{r:?}"
        );
        if r["state"] != "ok" {
            assert!(!r["detail"].is_empty(), "{r:?}");
        }
    }
    // Ids are stable across runs.
    let out2 = tmp.path().join("out2");
    let again = Command::new(env!("CARGO_BIN_EXE_disclose"))
        .current_dir(tmp.path())
        .args(["ingest", "export", "--quiet", "--out"])
        .arg(&out2)
        .output()
        .expect("runs");
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        std::fs::read(out.join("inventory.csv")).expect("first"),
        std::fs::read(out2.join("inventory.csv")).expect("second"),
        "the same export gives the same inventory"
    );
}

/// A fuzzed message whose attachments are copies of a message containing them (found by
/// scripts/fuzz-smoke): without a loop guard every level re-reads the same message, 150 copies
/// at each of 8 levels. It must finish at once, and say why the copies were not read.
#[test]
fn attachment_loops_are_cut_not_followed() {
    let crasher = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/crashers/mail-hang-3403c0f238260da4.bin");
    let tmp = tempfile::tempdir().expect("temp dir");
    write(
        tmp.path(),
        "export/loop.eml",
        &std::fs::read(&crasher).expect("crasher fixture"),
    );
    let started = std::time::Instant::now();
    let run = Command::new(env!("CARGO_BIN_EXE_disclose"))
        .current_dir(tmp.path())
        .args(["ingest", "export", "--quiet", "--out", "out"])
        .output()
        .expect("runs");
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        started.elapsed().as_secs() < 30,
        "took {:?}",
        started.elapsed()
    );
    let inventory =
        std::fs::read_to_string(tmp.path().join("out/inventory.csv")).expect("inventory");
    assert!(inventory.contains("an attachment loop"), "{inventory}");
}

/// Truncated OpenDocument spreadsheets on which calamine 0.38 loops for ever (found by the fuzz
/// smoke run): refused as truncated before calamine sees them.
#[test]
fn truncated_ods_files_fail_instead_of_hanging() {
    let tmp = tempfile::tempdir().expect("temp dir");
    for name in [
        "ods-content-ends-after-row.ods",
        "ods-content-ends-inside-table.ods",
    ] {
        let bytes = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/crashers")
                .join(name),
        )
        .expect("crasher");
        write(tmp.path(), &format!("export/{name}"), &bytes);
    }
    let run = Command::new(env!("CARGO_BIN_EXE_disclose"))
        .current_dir(tmp.path())
        .args(["ingest", "export", "--quiet", "--out", "out"])
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(0));
    let inventory =
        std::fs::read_to_string(tmp.path().join("out/inventory.csv")).expect("inventory");
    assert_eq!(
        inventory.matches("the file is truncated").count(),
        2,
        "{inventory}"
    );
}
