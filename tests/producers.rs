//! Real producers' PDFs (ReportLab, LibreOffice Writer and Calc, Chromium, Ghostscript,
//! pdfTeX — made by scripts/make-fixtures.sh and committed) through `disclose redact` in one
//! batch, each output checked without the engine's code: pdf-extract's text, every string and
//! decoded stream of the file, the file's structure, survivors' positions, and `qpdf --check`
//! when qpdf is installed.

mod common;

use std::path::PathBuf;

use common::verify;

struct Target {
    file: PathBuf,
    redact: Vec<String>,
    keep: Vec<String>,
    /// Terms that only ever occur split across lines, which pdf-extract cannot be asked for.
    not_required: Vec<String>,
}

fn targets() -> Vec<Target> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root.join("pdf-targets")).expect("fixtures/pdf-targets exists") {
        let path = entry.expect("readable dir entry").path();
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("readable target"))
                .expect("valid JSON target");
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name")
            .to_string();
        let list = |k: &str| -> Vec<String> {
            json[k]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let not_required = json["not_required"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        out.push(Target {
            file: root.join("pdf/producers").join(format!("{stem}.pdf")),
            redact: list("redact"),
            keep: list("keep"),
            not_required,
        });
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    out
}

#[test]
fn every_producer_fixture_is_redacted_cleanly_and_keeps_its_neighbours() {
    let targets = targets();
    assert!(
        targets.len() >= 6,
        "expected the committed producer fixtures, found {}",
        targets.len()
    );
    let mut failures = Vec::new();
    for t in &targets {
        let name = t
            .file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let dir = tempfile::tempdir().expect("temp dir");
        let run = common::redact(std::slice::from_ref(&t.file), &t.redact, &[], dir.path());
        if run.code != Some(0) {
            failures.push(format!("{name}: {}", run.describe()));
            continue;
        }
        let input = std::fs::read(&t.file).expect("fixture readable");
        let output = std::fs::read(dir.path().join(&name)).expect("output written");

        let needles: Vec<String> = t
            .redact
            .iter()
            .filter(|r| !t.not_required.contains(r))
            .cloned()
            .collect();
        match verify::scan(&output, &needles, None) {
            Ok(scan) => failures.extend(
                scan.hits
                    .iter()
                    .map(|h| format!("{name}: {:?} survives in {}", h.needle, h.place)),
            ),
            Err(e) => failures.push(format!("{name}: output cannot be scanned: {e}")),
        }
        failures.extend(
            verify::structure_problems(&output)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
        match (verify::glyphs(&input, None), verify::glyphs(&output, None)) {
            (Ok(before), Ok(after)) => {
                let text = verify::all_text(&after);
                for term in &needles {
                    if verify::contains_term(&text, term) {
                        failures.push(format!("{name}: pdf-extract still reads {term:?}"));
                    }
                }
                // pdf-extract sometimes misses a word in the input that it reads in the output
                // (Ghostscript's justified `'` lines): only fewer occurrences count as damage.
                for word in &t.keep {
                    let fewer = verify::pages_of(&before).into_iter().any(|page| {
                        verify::find_occurrences(&after, page, word).len()
                            < verify::find_occurrences(&before, page, word).len()
                    });
                    let problems =
                        verify::compare_keep(&before, &after, std::slice::from_ref(word), true);
                    if fewer || problems.iter().any(|p| p.contains("moved")) {
                        failures.extend(problems.into_iter().map(|p| format!("{name}: {p}")));
                    }
                }
            }
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("{name}: pdf-extract cannot read it ({e}); text checks skipped")
            }
        }
        if let Some(Err(e)) = verify::qpdf_check(&output, None) {
            failures.push(format!("{name}: qpdf --check: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
