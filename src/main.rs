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
    /// Work out the statutory due date: one calendar month from the day the clock starts (three
    /// when extended), plus paused days, rolled past weekends and bank holidays.
    Deadline {
        /// Day the request was received (YYYY-MM-DD).
        #[arg(long)]
        received: chrono::NaiveDate,
        /// Day identity was verified, if the clock waited for it.
        #[arg(long)]
        id_verified: Option<chrono::NaiveDate>,
        /// Complex or numerous: three months in all.
        #[arg(long)]
        extended: bool,
        /// A clock pause FROM..TO (both days counted); repeatable.
        #[arg(long, value_name = "FROM..TO")]
        paused: Vec<String>,
        /// Bank holidays of another nation: one date a line, or gov.uk's bank-holidays.json.
        #[arg(long, value_name = "FILE")]
        holidays: Option<PathBuf>,
    },
    /// Start or inspect a case file.
    Case {
        #[command(subcommand)]
        action: CaseAction,
    },
    /// Judge the case's search terms against the roster: one line per term, `allowed`,
    /// `warning` or `forbidden`, and why. Exit 1 while any term is forbidden.
    Terms {
        #[command(subcommand)]
        action: TermsAction,
    },
    /// Ingest the case's sources and decide, with reasons, which items are in scope; writes
    /// OUT/inventory.csv with `in_scope` and `scope_reason`.
    Scan {
        case: PathBuf,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Print the wall time of each step of the scan (for benchmarks).
        #[arg(long)]
        timings: bool,
    },
    /// The exemption catalogue: every reason code with its legal citation and a plain-English
    /// description (with --case, the school's own codes too).
    Reasons {
        #[arg(long, value_name = "CASE.toml")]
        case: Option<PathBuf>,
    },
    /// The SAR log: every case.toml under a folder with its due date, soonest first.
    Log { dir: PathBuf },
    /// Show what the engine sees: each text operator with font, encoding, Unicode and box.
    Inspect {
        file: PathBuf,
        /// Only this page (1-based).
        #[arg(long)]
        page: Option<u32>,
    },
    /// Apply the DPO's decisions, redact and render every in-scope item, write the index, the
    /// AES-encrypted bundle and master copy, and verify the bundle before publishing it.
    /// Exit 0: sealed; 1: not sealed (the reason is printed; nothing is published).
    Seal {
        case: PathBuf,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Print the wall time of each step of the seal (for benchmarks).
        #[arg(long)]
        timings: bool,
    },
    /// `scan` then `seal`, for a case that needs no review stop.
    Run {
        case: PathBuf,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Print the wall time of each step of the seal (for benchmarks).
        #[arg(long)]
        timings: bool,
    },
    /// Check a sealed bundle independently of the code that redacted it: encryption, names,
    /// manifest hashes, hidden PDF content, and (with --case) every redacted text.
    /// Exit 0: passed; 1: findings or cannot open.
    Verify {
        bundle: PathBuf,
        #[arg(long, value_name = "FILE")]
        password_file: PathBuf,
        #[arg(long, value_name = "CASE.toml")]
        case: Option<PathBuf>,
    },
    /// The built-in demo case, end to end: a parent's request about a Year 8 pupil, from the
    /// mail export and MIS reports to the sealed, verified bundle.
    Demo {
        /// Where to put the demo case and its outputs.
        #[arg(long, default_value = "out/demo")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum TermsAction {
    /// Check every include term of CASE.toml.
    Check { case: PathBuf },
}

#[derive(Subcommand)]
enum CaseAction {
    /// Write a commented case.toml template into DIR.
    New { dir: PathBuf },
    /// The due date, days left, and which tracker steps are done.
    Status { case: PathBuf },
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
        Command::Seal {
            case,
            quiet,
            timings,
        } => match load_case(&case) {
            Ok(c) => run_seal(&c, !quiet, timings),
            Err(code) => code,
        },
        Command::Run {
            case,
            quiet,
            timings,
        } => {
            let code = run_scan(&case, quiet, timings);
            if code != ExitCode::SUCCESS {
                return code;
            }
            match load_case(&case) {
                Ok(c) => run_seal(&c, !quiet, timings),
                Err(code) => code,
            }
        }
        Command::Verify {
            bundle,
            password_file,
            case,
        } => run_verify(&bundle, &password_file, case.as_deref()),
        Command::Deadline {
            received,
            id_verified,
            extended,
            paused,
            holidays,
        } => run_deadline(
            received,
            id_verified,
            extended,
            &paused,
            holidays.as_deref(),
        ),
        Command::Case {
            action: CaseAction::New { dir },
        } => case_new(&dir),
        Command::Case {
            action: CaseAction::Status { case },
        } => match disclose::case::casefile::Case::load(&case) {
            Ok(c) => {
                print!(
                    "{}",
                    disclose::case::status::status_text(&c, chrono::Local::now().date_naive())
                );
                ExitCode::SUCCESS
            }
            Err(e) => usage_error(e),
        },
        Command::Log { dir } => sar_log(&dir),
        Command::Reasons { case } => {
            let custom = match case.as_deref().map(load_case) {
                Some(Ok(c)) => c.file.reasons,
                Some(Err(code)) => return code,
                None => Vec::new(),
            };
            match disclose::detect::exemptions::Catalogue::with_custom(&custom) {
                Ok(cat) => {
                    print!("{}", cat.listing());
                    ExitCode::SUCCESS
                }
                Err(e) => usage_error(format!("[[reason]] in the case file: {e}")),
            }
        }
        Command::Terms {
            action: TermsAction::Check { case },
        } => terms_check(&case),
        Command::Scan {
            case,
            quiet,
            timings,
        } => run_scan(&case, quiet, timings),
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

fn run_deadline(
    received: chrono::NaiveDate,
    id_verified: Option<chrono::NaiveDate>,
    extended: bool,
    paused: &[String],
    holidays: Option<&std::path::Path>,
) -> ExitCode {
    use disclose::case::deadline::{compute, DeadlineInput};
    use disclose::case::holidays::Holidays;
    let mut pauses = Vec::new();
    for p in paused {
        let parsed = p.split_once("..").and_then(|(a, b)| {
            Some((
                chrono::NaiveDate::parse_from_str(a.trim(), "%Y-%m-%d").ok()?,
                chrono::NaiveDate::parse_from_str(b.trim(), "%Y-%m-%d").ok()?,
            ))
        });
        match parsed {
            Some(pair) => pauses.push(pair),
            None => {
                return usage_error(format!(
                    "--paused {p:?}: write FROM..TO as YYYY-MM-DD..YYYY-MM-DD"
                ))
            }
        }
    }
    let hol = match holidays {
        Some(path) => match Holidays::from_file(path, None) {
            Ok(h) => h,
            Err(e) => return usage_error(e),
        },
        None => Holidays::england_and_wales(),
    };
    let input = DeadlineInput {
        received,
        id_verified,
        extended,
        paused: pauses,
    };
    match compute(&input, &hol) {
        Ok(d) => {
            println!("{}", d.due.format("%Y-%m-%d"));
            println!("{}", d.working);
            ExitCode::SUCCESS
        }
        Err(e) => usage_error(e),
    }
}

fn load_case(path: &std::path::Path) -> Result<disclose::case::casefile::Case, ExitCode> {
    disclose::case::casefile::Case::load(path).map_err(usage_error)
}

fn terms_check(case: &std::path::Path) -> ExitCode {
    use disclose::search::term_check::{check_terms, Verdict};
    let case = match load_case(case) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let roster = match disclose::search::scan::load_roster(&case) {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    let judgements = check_terms(&case, roster.as_ref());
    for j in &judgements {
        println!("{j}");
    }
    if judgements.iter().any(|j| j.verdict == Verdict::Forbidden) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_scan(case: &std::path::Path, quiet: bool, timings: bool) -> ExitCode {
    let case = match load_case(case) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let started = std::time::Instant::now();
    match disclose::search::scan::scan(&case, !quiet) {
        Ok(r) => {
            for j in r
                .judgements
                .iter()
                .filter(|j| j.verdict != disclose::search::term_check::Verdict::Allowed)
            {
                eprintln!("disclose: term {j}");
            }
            let failed = r.failed;
            println!(
                "{}: {} item(s) in {:.1}s; {} in scope, {} out of scope ({} could not be read and stay in scope until a person decides); {} redaction(s) or flag(s) proposed. Inventory: {}",
                case.file.reference,
                r.items,
                started.elapsed().as_secs_f64(),
                r.in_scope(),
                r.items - r.in_scope(),
                failed,
                r.proposals,
                r.out.join("inventory.csv").display()
            );
            if timings {
                print!("  steps:\n{}", r.timings);
            }
            ExitCode::SUCCESS
        }
        Err(disclose::search::scan::ScanError::Forbidden(t)) => {
            eprintln!("disclose: the scan did not run: forbidden search terms:\n{t}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("disclose: {e}");
            ExitCode::from(1)
        }
    }
}

fn case_new(dir: &std::path::Path) -> ExitCode {
    let path = dir.join("case.toml");
    if path.exists() {
        return usage_error(format!(
            "{} exists already; not overwritten",
            path.display()
        ));
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        return usage_error(format!("cannot create {}: {e}", dir.display()));
    }
    match disclose::fsutil::write_atomic(&path, disclose::case::casefile::TEMPLATE.as_bytes()) {
        Ok(()) => {
            println!("wrote {}: fill in the request, the subject and the sources, then run `disclose terms check {}`", path.display(), path.display());
            ExitCode::SUCCESS
        }
        Err(e) => usage_error(format!("cannot write {}: {e}", path.display())),
    }
}

fn sar_log(dir: &std::path::Path) -> ExitCode {
    let today = chrono::Local::now().date_naive();
    let entries = disclose::case::status::sar_log(dir);
    if entries.is_empty() {
        println!("no case.toml under {}", dir.display());
    }
    for e in entries {
        let due = e
            .due
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "?".into());
        let state = match (&e.sent, e.due, &e.problem) {
            (Some(s), _, _) => format!("sent {s}"),
            (None, Some(d), _) => {
                let left = (d - today).num_days();
                if left < 0 {
                    format!("OVERDUE {} day(s)", -left)
                } else {
                    format!("{left} day(s) left")
                }
            }
            (None, None, Some(p)) => format!("problem: {p}"),
            (None, None, None) => String::new(),
        };
        println!(
            "{due}  {:<16} received {:<10}  {:<20} {}",
            e.reference,
            e.received,
            state,
            e.path.display()
        );
    }
    ExitCode::SUCCESS
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
    let rows = match disclose::ingest::read_rows(out) {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("disclose: {e}");
            return ExitCode::from(1);
        }
    };
    for r in rows
        .filter_map(Result::ok)
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
        report.items(),
        report.bytes_read as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        report.count(State::Ok),
        report.count(State::Duplicate),
        report.count(State::Failed),
        report.count(State::Unsupported),
        out.join("inventory.csv").display()
    );
    eprint!("{}", report.summary());
    if strict && report.count(State::Failed) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_seal(case: &disclose::case::casefile::Case, progress: bool, timings: bool) -> ExitCode {
    let started = std::time::Instant::now();
    match disclose::seal::seal(case, progress) {
        Ok(r) => {
            for w in &r.unmatched_warnings {
                eprintln!("disclose: warning: a decision matches nothing:{w}");
            }
            println!(
                "{}: sealed {} document(s), {} page(s), {} redaction(s), {} item(s) withheld, {} on paper, in {:.1}s; verified.",
                case.file.reference,
                r.documents,
                r.pages,
                r.redactions,
                r.withheld,
                r.on_paper,
                started.elapsed().as_secs_f64()
            );
            println!(
                "  bundle:    {} (SHA-256 {})",
                r.bundle.display(),
                r.bundle_sha256
            );
            println!("  password:  {}", r.password);
            println!(
                "             (also in {}; send it by a different channel from the bundle, e.g. by text message or phone)",
                r.password_file.display()
            );
            println!(
                "  master:    {} (password in {}; keep it for complaints, never send it)",
                r.master.display(),
                r.master_password_file.display()
            );
            println!("  DPO's log: {}", r.log_csv.display());
            if timings {
                print!("  steps:\n{}", r.timings);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("disclose: {}: {e}", case.file.reference);
            ExitCode::from(1)
        }
    }
}

fn run_verify(
    bundle: &std::path::Path,
    password_file: &std::path::Path,
    case: Option<&std::path::Path>,
) -> ExitCode {
    let password = match std::fs::read_to_string(password_file) {
        Ok(p) => p.trim().to_string(),
        Err(e) => {
            eprintln!(
                "disclose: cannot read the password file {}: {e}",
                password_file.display()
            );
            return ExitCode::from(1);
        }
    };
    let forbidden = match case {
        None => Vec::new(),
        Some(path) => {
            let case = match load_case(path) {
                Ok(c) => c,
                Err(code) => return code,
            };
            match disclose::seal::forbidden_texts(&case) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("disclose: {e}");
                    return ExitCode::from(1);
                }
            }
        }
    };
    match disclose::verify::verify_bundle(bundle, &password, &forbidden) {
        Ok(report) => {
            print!("{report}");
            if report.passed() {
                println!(
                    "{}: passed ({} redacted text(s) searched for).",
                    bundle.display(),
                    forbidden.len()
                );
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("disclose: {}: {e}", bundle.display());
            ExitCode::from(1)
        }
    }
}

fn disclose_demo(out: &std::path::Path) -> ExitCode {
    let case_dir = out.join("case");
    if case_dir.join("out").exists() {
        // A re-run starts from a clean output folder, as a new user's first run would.
        if let Err(e) = std::fs::remove_dir_all(case_dir.join("out")) {
            return usage_error(format!(
                "cannot clear {}: {e}",
                case_dir.join("out").display()
            ));
        }
    }
    if let Err(e) = disclose::demo::write_case(&case_dir) {
        return usage_error(format!(
            "cannot write the demo case to {}: {e}",
            case_dir.display()
        ));
    }
    let case_path = case_dir.join("case.toml");
    let case = match load_case(&case_path) {
        Ok(c) => c,
        Err(code) => return code,
    };
    println!(
        "disclose demo: a Subject Access Request from a parent about her daughter, a Year 8 pupil."
    );
    println!(
        "Case folder: {} (an invented school; change anything and re-run)",
        case_dir.display()
    );
    // The demo's school year is 2023-24: its status is shown as it stood two weeks in.
    let as_of = case.file.request.received.0 + chrono::Days::new(14);
    println!("\nThe case as it stood on {as_of}:");
    print!("{}", disclose::case::status::status_text(&case, as_of));
    println!("\n1. Scan: read the mail export, MIS reports and spreadsheets; decide what is in scope; propose redactions.");
    let code = run_scan(&case_path, false, false);
    if code != ExitCode::SUCCESS {
        return code;
    }
    println!(
        "   Review page for the DPO: {}",
        case.out_dir().join("review.html").display()
    );
    println!(
        "\n2. Seal: apply the DPO's decisions ({}), redact, render, bundle, verify.",
        case_dir.join("decisions.toml").display()
    );
    let code = run_seal(&case, true, false);
    if code != ExitCode::SUCCESS {
        return code;
    }
    let reference = &case.file.reference;
    let out_dir = case.out_dir();
    let bundle = out_dir.join(format!("{reference}.zip"));
    let password = out_dir.join(format!("{reference}-password.txt"));
    println!(
        "\n3. Verify again, as anyone can later: disclose verify {} --password-file {} --case {}",
        bundle.display(),
        password.display(),
        case_path.display()
    );
    let code = run_verify(&bundle, &password, Some(&case_path));
    println!(
        "\nNext: open {} in a browser to see every proposal and decision; the DPO's log is {}.",
        out_dir.join("review.html").display(),
        out_dir.join("redaction-log.xlsx").display()
    );
    code
}
