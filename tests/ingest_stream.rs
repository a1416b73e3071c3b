//! Ingest with rows spilled to disk: the same inventory as the in-memory ingest it replaced, no
//! scratch data outside the case's output folder, and item bytes kept by content hash.
//!
//! `fixtures/ingest-mixed/` is a small Purview/Vault-style export (loose .eml messages in six
//! mailboxes, a Vault mbox, a Results.csv that lists three messages the export lacks, lists one
//! message twice and has a Purview duplicate row; a byte-identical copy of a message, a copy
//! with the same Message-ID and a changed body, a .msg with an embedded message and
//! attachments, a zip holding a copy of a message, the .msg again, an image and a nested zip,
//! a corrupt zip, an image, an empty file and a workbook). `fixtures/ingest-mixed.inventory.csv`
//! is what the previous ingest (rows held in memory, sorted and de-duplicated at the end) wrote
//! for it.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha256};

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

/// Runs `disclose ingest ingest-mixed --out OUT` from the fixtures folder (so labels are
/// `ingest-mixed/...` as in the golden file), with TMPDIR pointed at `tmpdir`.
fn ingest(out: &Path, tmpdir: &Path) {
    let run = Command::new(env!("CARGO_BIN_EXE_disclose"))
        .current_dir(fixtures())
        .env("TMPDIR", tmpdir)
        .args(["ingest", "ingest-mixed", "--out"])
        .arg(out)
        .arg("--quiet")
        .output()
        .expect("run disclose");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

fn inventory(path: &Path) -> Vec<HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).expect("inventory");
    let headers = rdr.headers().expect("header").clone();
    rdr.records()
        .map(|r| {
            let r = r.expect("record");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn spilled_ingest_writes_the_same_inventory_byte_for_byte() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scratch = tmp.path().join("tmp");
    std::fs::create_dir(&scratch).unwrap();
    let out = tmp.path().join("out");
    ingest(&out, &scratch);
    let got = std::fs::read_to_string(out.join("inventory.csv")).unwrap();
    let want = std::fs::read_to_string(fixtures().join("ingest-mixed.inventory.csv")).unwrap();
    if got != want {
        let first = got
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(got.lines().count().min(want.lines().count()));
        panic!(
            "inventory differs at line {}:\n got: {:?}\nwant: {:?}",
            first + 1,
            got.lines().nth(first),
            want.lines().nth(first)
        );
    }
    // The fixture exercises what the finishing pass must get right.
    let rows = inventory(&out.join("inventory.csv"));
    let states = |s: &str| rows.iter().filter(|r| r["state"] == s).count();
    assert!(
        states("duplicate") >= 5,
        "duplicates by hash and Message-ID"
    );
    assert!(rows
        .iter()
        .any(|r| r["detail"].matches("listed location:").count() == 2));
    assert_eq!(
        rows.iter()
            .filter(|r| r["detail"].ends_with("missing from the export"))
            .count(),
        3
    );
    // A re-run over the same output folder gives the same file again.
    ingest(&out, &scratch);
    assert_eq!(
        std::fs::read_to_string(out.join("inventory.csv")).unwrap(),
        want
    );
}

#[test]
fn rows_are_spilled_under_the_output_folder_only() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scratch = tmp.path().join("tmp");
    std::fs::create_dir(&scratch).unwrap();
    let out = tmp.path().join("case/out");
    ingest(&out, &scratch);
    assert_eq!(
        std::fs::read_dir(&scratch).unwrap().count(),
        0,
        "nothing written to TMPDIR"
    );
    // Run files and the listing spill are gone; the finished row file stays for `scan`.
    let work: Vec<String> = std::fs::read_dir(out.join(".work"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(work, vec!["inventory.rows".to_string()]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for dir in [".work", "items", "text"] {
            let mode = std::fs::metadata(out.join(dir))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700, "{dir}");
        }
    }
    // The row file holds every row, in inventory order, with the same fields.
    let csv_rows = inventory(&out.join("inventory.csv"));
    let rows: Vec<disclose::ingest::Row> = disclose::ingest::read_rows(&out)
        .unwrap()
        .collect::<std::io::Result<_>>()
        .unwrap();
    assert_eq!(rows.len(), csv_rows.len());
    for (r, c) in rows.iter().zip(&csv_rows) {
        assert_eq!(r.id, c["item_id"]);
        assert_eq!(r.state.label(), c["state"]);
        assert_eq!(r.detail, c["detail"]);
    }
    // Fields the CSV lacks survive too: the mbox messages know their mailbox.
    assert!(rows
        .iter()
        .any(|r| r.mail.as_ref().and_then(|m| m.mailbox.as_deref())
            == Some("SAR-014-head@school.org.uk")));
}

#[test]
fn item_bytes_are_kept_by_content_hash() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    ingest(&out, tmp.path());
    let rows = inventory(&out.join("inventory.csv"));
    let blob = |sha: &str| disclose::ingest::item_blob_path(&out, sha);
    let kind_of: HashMap<&str, &str> = rows
        .iter()
        .map(|r| (r["item_id"].as_str(), r["kind"].as_str()))
        .collect();
    let mut kept = 0;
    for r in rows.iter().filter(|r| r["state"] != "failed") {
        let sha = &r["sha256"];
        let parent = kind_of.get(r["parent_id"].as_str()).copied().unwrap_or("");
        let must = match r["kind"].as_str() {
            "pdf" | "docx" | "image" | "workbook" | "text" => true,
            // Stored messages: loose files, mbox messages, zip entries (a message embedded in
            // a .msg is parsed from its properties and has no bytes of its own).
            "email" => matches!(parent, "" | "zip" | "mbox"),
            _ => false,
        };
        let must_not = match r["kind"].as_str() {
            "sheet" | "export-metadata" => true,
            "zip" | "mbox" | "pst" => r["state"] == "ok",
            _ => false,
        };
        if must {
            let bytes = disclose::ingest::read_item_blob(&out, sha)
                .unwrap_or_else(|e| panic!("{}: {e}", r["source_path"]));
            assert_eq!(bytes.len().to_string(), r["size"], "{}", r["source_path"]);
            kept += 1;
        }
        // (An empty sheet hashes like the empty file beside it, which has its blob.)
        if must_not && r["size"] != "0" {
            assert!(!blob(sha).exists(), "{} has no blob", r["source_path"]);
        }
    }
    assert!(kept > 40, "{kept} items with blobs");
    // Every blob is named by the SHA-256 of its bytes, and duplicates share one.
    let mut n = 0;
    for e in std::fs::read_dir(out.join("items")).unwrap() {
        let e = e.unwrap();
        let bytes = std::fs::read(e.path()).unwrap();
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(e.file_name().to_string_lossy(), hex);
        n += 1;
    }
    let distinct: std::collections::HashSet<&str> = rows
        .iter()
        .filter(|r| blob(&r["sha256"]).exists() && !r["sha256"].is_empty())
        .map(|r| r["sha256"].as_str())
        .collect();
    assert_eq!(n, distinct.len(), "no stray or temporary files in items/");
    // The workbook's own file is kept, the mbox is not (its messages are).
    let xlsx = rows
        .iter()
        .find(|r| r["source_path"].ends_with("any_sheets.xlsx"))
        .unwrap();
    assert!(blob(&xlsx["sha256"]).exists());
    let mbox = rows.iter().find(|r| r["kind"] == "mbox").unwrap();
    assert!(!blob(&mbox["sha256"]).exists());
}
