//! Every PDF in ../shared/corpus/pdf/ (real files from other projects): redact a word that
//! really occurs in it; each file must come out clean and valid, or fail with a clear reason
//! (the password-protected one must say so). No panics, no hangs. Skips when ../shared is
//! absent.

mod common;

use std::path::PathBuf;

use common::verify;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/pdf");
    dir.is_dir().then_some(dir)
}

/// A lower-case word of the first page that pdf-extract can read, to redact (the scan ignores
/// spacing, so a camel-case word like `PDFAnnotator` would also find `PDF Annotator`).
fn word_in(pdf: &[u8]) -> Option<String> {
    let glyphs = verify::glyphs(pdf, None).ok()?;
    let text = verify::page_text(&glyphs, 1);
    let lower = text.to_lowercase();
    // Only a word that never occurs inside a longer word: the scan looks for substrings.
    let whole_everywhere = |w: &str| {
        let w = w.to_lowercase();
        lower.match_indices(&w).all(|(i, _)| {
            let before = lower[..i].chars().next_back();
            let after = lower[i + w.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    };
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| {
            w.chars().count() >= 6 && w.chars().all(char::is_lowercase) && whole_everywhere(w)
        })
        .nth(2)
        .map(String::from)
}

#[test]
fn corpus_files_come_out_clean_or_fail_with_a_reason() {
    let Some(dir) = corpus() else {
        eprintln!("skipped: ../shared/corpus/pdf is not present");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut redacted = 0;
    for file in &files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let input = std::fs::read(file).expect("corpus file readable");
        let term = word_in(&input).unwrap_or_else(|| "Confidential".to_string());
        let out = tempfile::tempdir().expect("temp dir");
        let run = common::redact(
            std::slice::from_ref(file),
            std::slice::from_ref(&term),
            &[],
            out.path(),
        );
        if run.timed_out || run.stderr.contains("panicked") {
            failures.push(format!("{name}: {}", run.describe()));
            continue;
        }
        match run.code {
            Some(0) | Some(3) => {
                redacted += 1;
                let output =
                    std::fs::read(out.path().join(&name)).expect("output written on exit 0/3");
                match verify::scan(&output, std::slice::from_ref(&term), None) {
                    Ok(scan) => failures.extend(
                        scan.hits
                            .iter()
                            .map(|h| format!("{name}: {term:?} survives in {}", h.place)),
                    ),
                    Err(e) => failures.push(format!("{name}: output cannot be scanned: {e}")),
                }
                failures.extend(
                    verify::structure_problems(&output)
                        .into_iter()
                        .map(|p| format!("{name}: {p}")),
                );
                if let Some(Err(e)) = verify::qpdf_check(&output, None) {
                    failures.push(format!("{name}: qpdf --check: {e}"));
                }
            }
            Some(1) => {
                let line = run.stderr.lines().find(|l| l.contains(&name)).unwrap_or("");
                if !line.contains("failed:") {
                    failures.push(format!(
                        "{name}: exit 1 without a reason naming the file: {}",
                        run.describe()
                    ));
                }
                if name.contains("password") && !line.contains("password") {
                    failures.push(format!(
                        "{name}: the password-protected file must say so: {line}"
                    ));
                }
                assert!(
                    !out.path().join(&name).exists(),
                    "{name}: a failed file must have no output"
                );
            }
            _ => failures.push(format!("{name}: unexpected exit: {}", run.describe())),
        }
    }
    assert!(
        redacted * 4 >= files.len() * 3,
        "only {redacted} of {} corpus files were redacted",
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
