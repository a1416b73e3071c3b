//! The `disclose` command line: arguments in, library calls, messages and exit codes out.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use disclose::redact_files::{self, Batch, FileOutcome};
use disclose::text::TermSet;

/// Answer UK school Subject Access Requests: find, truly redact, and account for everything.
#[derive(Parser)]
#[command(name = "disclose", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Remove every occurrence of the terms from PDFs: text, metadata, annotations, forms,
    /// bookmarks, attachments. Exit 0: all certain; 3: outputs written, some need a person;
    /// 1: some inputs failed (no output for them); 2: usage error.
    Redact {
        /// PDF files to redact.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// A word or phrase to remove (repeatable). Case, accents and spacing are ignored.
        #[arg(long = "term", value_name = "TEXT")]
        terms: Vec<String>,
        /// A file of terms, one a line (blank lines and lines starting with # are skipped).
        #[arg(long, value_name = "FILE")]
        terms_file: Option<PathBuf>,
        /// Exemption code recorded in the log for these redactions.
        #[arg(long, default_value = "THIRD-PARTY")]
        reason: String,
        /// Folder for the redacted PDFs and the logs (created owner-only).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Read exports and files (PST, .msg, .eml, mbox, zip, PDF, spreadsheets, .docx, text) into
    /// an inventory of every item and the text later stages search. Exit 0 unless --strict and
    /// some item failed (then 1).
    Ingest {
        /// Files or folders (walked recursively); zips are read in place.
        #[arg(required = true)]
        sources: Vec<PathBuf>,
        /// Folder for inventory.csv and text/ (created owner-only).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Exit 1 when any item failed.
        #[arg(long)]
        strict: bool,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Show what the engine sees: each text operator with font, encoding, Unicode and box.
    Inspect {
        file: PathBuf,
        /// Only this page (1-based).
        #[arg(long)]
        page: Option<u32>,
    },
    /// Run the built-in example: redact a sample MIS report and show what was removed.
    Demo {
        /// Where to write the demo outputs.
        #[arg(long, default_value = "out/demo")]
        out: PathBuf,
    },
}

fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("disclose: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Redact {
            inputs,
            mut terms,
            terms_file,
            reason,
            out,
        } => {
            if let Some(f) = terms_file {
                match std::fs::read_to_string(&f) {
                    Ok(text) => terms.extend(
                        text.lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty() && !l.starts_with('#'))
                            .map(String::from),
                    ),
                    Err(e) => {
                        return usage_error(format!(
                            "cannot read the terms file {}: {e}",
                            f.display()
                        ))
                    }
                }
            }
            let terms = match TermSet::new(&terms) {
                Ok(t) => t,
                Err(e) => return usage_error(e),
            };
            run_batch(&Batch {
                inputs: &inputs,
                terms: &terms,
                reason: &reason,
                out: &out,
            })
        }
        Command::Inspect { file, page } => {
            let bytes = match std::fs::read(&file) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("disclose: {}: cannot read: {e}", file.display());
                    return ExitCode::from(1);
                }
            };
            match disclose::pdf::inspect::inspect(&bytes, page) {
                Ok(text) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("disclose: {}: {e}", file.display());
                    ExitCode::from(1)
                }
            }
        }
        Command::Demo { out } => disclose_demo(&out),
        Command::Ingest {
            sources,
            out,
            strict,
            quiet,
        } => run_ingest(&sources, &out, strict, quiet),
    }
}

fn run_batch(batch: &Batch) -> ExitCode {
    let report = match redact_files::run(batch) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("disclose: cannot write to {}: {e}", batch.out.display());
            return ExitCode::from(1);
        }
    };
    for f in &report.files {
        match &f.outcome {
            FileOutcome::Redacted(r) => {
                println!(
                    "{}: {} box(es) on {} page(s), {} glyph(s) removed, {} other object(s) cleaned",
                    f.name,
                    r.redactions.len(),
                    r.pages,
                    r.glyphs_removed,
                    r.removals.len()
                );
                for v in &r.reviews {
                    let page = v.page.map(|p| format!("page {p}: ")).unwrap_or_default();
                    eprintln!(
                        "disclose: {}: {page}needs review: {}",
                        f.input.display(),
                        v.reason
                    );
                }
            }
            FileOutcome::Failed { page, reason } => {
                let page = page.map(|p| format!("page {p}: ")).unwrap_or_default();
                eprintln!("disclose: {}: {page}failed: {reason}", f.input.display());
            }
        }
    }
    println!(
        "{} file(s): {} redacted, {} need review, {} failed. Log: {}",
        report.files.len(),
        report.files.len() - report.failed(),
        report.needing_review(),
        report.failed(),
        batch.out.join("redaction-log.csv").display()
    );
    ExitCode::from(report.exit_code() as u8)
}

fn run_ingest(sources: &[PathBuf], out: &std::path::Path, strict: bool, quiet: bool) -> ExitCode {
    use disclose::ingest::{ingest, IngestOptions, Limits, State};
    let opts = IngestOptions {
        limits: Limits::default(),
        progress: !quiet,
    };
    let started = std::time::Instant::now();
    let report = match ingest(sources, out, &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("disclose: cannot write to {}: {e}", out.display());
            return ExitCode::from(1);
        }
    };
    for r in report
        .rows
        .iter()
        .filter(|r| matches!(r.state, State::Failed | State::Unsupported))
    {
        eprintln!(
            "disclose: {}: {}: {}",
            r.source_path,
            r.state.label(),
            r.detail
        );
    }
    eprintln!(
        "{} item(s) from {:.1} MB in {:.1}s: {} ok, {} duplicate, {} failed, {} unsupported. Inventory: {}",
        report.rows.len(),
        report.bytes_read as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        report.count(State::Ok),
        report.count(State::Duplicate),
        report.count(State::Failed),
        report.count(State::Unsupported),
        out.join("inventory.csv").display()
    );
    eprint!("{}", disclose::ingest::inventory::summary(&report.rows));
    if strict && report.count(State::Failed) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn disclose_demo(out: &std::path::Path) -> ExitCode {
    let input_dir = out.join("input");
    if let Err(e) = disclose::fsutil::private_dir(&input_dir) {
        return usage_error(format!("cannot create {}: {e}", input_dir.display()));
    }
    let input = input_dir.join("behaviour-report.pdf");
    if let Err(e) = disclose::fsutil::write_atomic(&input, disclose::demo::MIS_REPORT) {
        return usage_error(format!("cannot write {}: {e}", input.display()));
    }
    let terms = match TermSet::new(disclose::demo::TERMS) {
        Ok(t) => t,
        Err(e) => return usage_error(e),
    };
    println!("Demo: redacting other pupils and their parents' details from a sample MIS behaviour report.");
    println!("Terms: {}", disclose::demo::TERMS.join(", "));
    let redacted = out.join("redacted");
    let inputs = [input];
    let code = run_batch(&Batch {
        inputs: &inputs,
        terms: &terms,
        reason: "THIRD-PARTY",
        out: &redacted,
    });
    if let Ok(log) = std::fs::read_to_string(redacted.join("redaction-log.csv")) {
        println!(
            "\nWhat was removed (the DPO's log, {}):",
            redacted.join("redaction-log.csv").display()
        );
        print!("{log}");
    }
    code
}
