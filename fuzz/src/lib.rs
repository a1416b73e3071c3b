//! The bodies of the fuzz targets, shared by the libFuzzer targets (`fuzz_targets/*.rs`) and
//! the stable smoke run (`src/bin/smoke.rs`), so both exercise exactly the same code.
//!
//! Each target hands the input to one or more readers the way the ingest driver does, and
//! consumes every child through the emit callback the way the driver does: stored bytes are
//! identified with `detect` and read by the reader `dispatch` picks (to the driver's depth
//! limit), parsed children are walked, and mail headers are rendered as the driver renders
//! them. The contract under test is the one in `src/ingest/model.rs`: a reader never panics on
//! bad input. A panic that a reader catches itself (around a third-party parser) is allowed; a
//! panic that escapes a reader, an abort (stack overflow, failed allocation), a hang or
//! unbounded memory is a finding.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once, OnceLock};

use disclose::ingest::detect::detect;
use disclose::ingest::dispatch::reader_for;
use disclose::ingest::driver::mail_header_text;
use disclose::ingest::{Child, ChildContent, Input, Limits, Own, ReadError, ReadFn};
use disclose::text::TermSet;

/// The readers each target runs, with the file name each is given.
pub const MAIL_READERS: &[(&str, ReadFn, &str)] = &[
    ("eml", disclose::ingest::eml::read, "message.eml"),
    ("mbox", disclose::ingest::mbox::read, "account.mbox"),
    ("msg", disclose::ingest::msg::read, "message.msg"),
];
pub const PST_READERS: &[(&str, ReadFn, &str)] =
    &[("pst", disclose::ingest::pst::read, "mailbox.pst")];
pub const ZIP_READERS: &[(&str, ReadFn, &str)] = &[
    ("zip", disclose::ingest::zip::read, "export.zip"),
    ("docx", disclose::ingest::docx::read, "letter.docx"),
    // The sheet reader picks its format from the bytes (OLE, zip, text); the name only
    // matters for text, where .csv forces the CSV path.
    ("sheet", disclose::ingest::sheet::read, "register.xlsx"),
    ("sheet-csv", disclose::ingest::sheet::read, "register.csv"),
];
pub const PDF_READERS: &[(&str, ReadFn, &str)] =
    &[("pdf", disclose::ingest::pdf::read, "letter.pdf")];

/// Which reader (outermost first) is running, for naming a panic. A global rather than a
/// thread-local: the PDF engine scans pages on rayon threads and a panic there is reported on
/// the worker thread. The smoke run and libFuzzer call targets from one thread at a time.
pub static READER_STACK: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

/// The reader stack as `outer > inner`, or `-` when no reader runs.
pub fn reader_stack() -> String {
    let s = READER_STACK.lock().unwrap_or_else(|e| e.into_inner());
    if s.is_empty() {
        "-".into()
    } else {
        s.join(" > ")
    }
}

struct StackGuard;
impl StackGuard {
    fn push(name: &'static str) -> StackGuard {
        READER_STACK
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(name);
        StackGuard
    }
}
impl Drop for StackGuard {
    // Also pops while a panic unwinds, so a caught panic leaves the stack as it was.
    fn drop(&mut self) {
        READER_STACK.lock().unwrap_or_else(|e| e.into_inner()).pop();
    }
}

/// Under libFuzzer: libfuzzer-sys installs a panic hook that aborts on *every* panic, even one
/// a reader deliberately catches around a third-party parser, which production tolerates. This
/// replaces it with a hook that only prints, so caught panics pass and a panic that escapes the
/// target still aborts (libfuzzer-sys aborts when the target unwinds). Set
/// `DISCLOSE_FUZZ_STRICT=1` to keep libFuzzer's hook and treat every panic as a crash, to find
/// third-party parser panics worth reporting upstream.
pub fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("DISCLOSE_FUZZ_STRICT").is_some() {
            return;
        }
        std::panic::set_hook(Box::new(|info| {
            eprintln!("panic in reader {}: {info}", reader_stack());
        }));
    });
}

/// What one top-level reader call came to, for the smoke run's statistics.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub reader: &'static str,
    /// `ok`, or the `ReadError` variant.
    pub result: &'static str,
    /// Every child consumed, at any depth.
    pub children: usize,
    pub failed_children: usize,
    pub text_bytes: usize,
}

fn limits() -> &'static Limits {
    static L: OnceLock<Limits> = OnceLock::new();
    L.get_or_init(Limits::default)
}

fn error_kind(e: &ReadError) -> &'static str {
    match e {
        ReadError::Corrupt(_) => "corrupt",
        ReadError::Encrypted(_) => "encrypted",
        ReadError::Limit(_) => "limit",
        ReadError::Unsupported(_) => "unsupported",
    }
}

#[derive(Default)]
struct Tally {
    children: usize,
    failed: usize,
    text: usize,
}

/// What the driver does with a reader's own result: render the mail header block, measure text.
fn touch_own(own: &Own, tally: &mut Tally) {
    tally.text += own.text.len();
    if let Some(m) = &own.mail {
        tally.text += mail_header_text(m).len();
        for a in m.from.iter().chain(&m.to).chain(&m.cc).chain(&m.bcc) {
            tally.text += a.to_string().len();
        }
    }
    tally.text += own.notes.iter().map(String::len).sum::<usize>();
}

/// Children not read again because they are byte-identical to a container they are inside:
/// the driver's attachment-loop rule (`src/ingest/driver.rs`), mirrored here. Without it a
/// message that the .eml reader hands on as its own attachment
/// (`fixtures/crashers/eml-digest-contains-itself*.eml`) makes the walk grow as fan-out^depth.
pub static LOOP_GUARD_HITS: AtomicU64 = AtomicU64::new(0);

fn digest(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// Runs `read` on `bytes` as the driver would at `depth`, consuming every child. `ancestors`
/// holds a digest of the bytes of every container above.
fn read_at(
    label: &'static str,
    read: ReadFn,
    bytes: &[u8],
    name: &str,
    depth: usize,
    ancestors: &mut Vec<u64>,
    tally: &mut Tally,
) -> Result<(), ReadError> {
    let _g = StackGuard::push(label);
    let input = Input {
        bytes,
        name,
        limits: limits(),
    };
    ancestors.push(digest(bytes));
    let result = {
        let mut emit = |c: Child| consume(c, depth, ancestors, tally);
        read(&input, &mut emit)
    };
    ancestors.pop();
    let own = result?;
    touch_own(&own, tally);
    Ok(())
}

/// The driver's handling of one child: bytes are identified and read, parsed children walked.
fn consume(child: Child, depth: usize, ancestors: &mut Vec<u64>, tally: &mut Tally) {
    tally.children += 1;
    for l in &child.levels {
        tally.text += l.len();
    }
    match child.content {
        ChildContent::Bytes(bytes) => {
            if depth + 1 > limits().max_depth {
                return;
            }
            let name = child.levels.last().map(String::as_str).unwrap_or("");
            let format = detect(&bytes, name);
            let Ok(read) = reader_for(format) else {
                return;
            };
            let label = format_label(format);
            // The driver's rules: a child identical to a container above it is not read again
            // (an attachment loop), and one source file yields at most max_entries items.
            if ancestors.contains(&digest(&bytes)) {
                LOOP_GUARD_HITS.fetch_add(1, Ordering::Relaxed);
                return;
            }
            if tally.children > limits().max_entries {
                return;
            }
            if let Err(e) = read_at(label, read, &bytes, name, depth + 1, ancestors, tally) {
                tally.failed += 1;
                tally.text += e.to_string().len();
            }
        }
        ChildContent::Parsed {
            own,
            hash_bytes,
            children,
        } => {
            touch_own(&own, tally);
            tally.text += hash_bytes.len();
            for c in children {
                consume(c, depth + 1, ancestors, tally);
            }
        }
        ChildContent::Failed { reason, .. } => {
            tally.failed += 1;
            tally.text += reason.len();
        }
    }
}

fn format_label(f: disclose::ingest::detect::Format) -> &'static str {
    use disclose::ingest::detect::Format::*;
    match f {
        Pdf => "pdf",
        Pst => "pst",
        Msg => "msg",
        Eml => "eml",
        Mbox => "mbox",
        Zip => "zip",
        Docx => "docx",
        Workbook | Csv => "sheet",
        Html | Text => "plain",
        _ => "other",
    }
}

/// Runs each reader of a target on `data` and says what each came to.
pub fn run_readers(readers: &[(&'static str, ReadFn, &str)], data: &[u8]) -> Vec<Outcome> {
    readers
        .iter()
        .map(|&(label, read, name)| {
            let mut tally = Tally::default();
            let result = match read_at(label, read, data, name, 0, &mut Vec::new(), &mut tally) {
                Ok(()) => "ok",
                Err(e) => {
                    tally.text += e.to_string().len();
                    error_kind(&e)
                }
            };
            Outcome {
                reader: label,
                result,
                children: tally.children,
                failed_children: tally.failed,
                text_bytes: tally.text,
            }
        })
        .collect()
}

/// Mail: the .eml, mbox and .msg readers.
pub fn mail(data: &[u8]) -> Vec<Outcome> {
    run_readers(MAIL_READERS, data)
}

/// Outlook PST.
pub fn pst(data: &[u8]) -> Vec<Outcome> {
    run_readers(PST_READERS, data)
}

/// Archives and Office files: zip, .docx and every spreadsheet path of the sheet reader.
pub fn zip(data: &[u8]) -> Vec<Outcome> {
    run_readers(ZIP_READERS, data)
}

/// The terms the PDF target redacts: names, a phone number, a phrase across a space.
pub fn pdf_terms() -> &'static TermSet {
    static T: OnceLock<TermSet> = OnceLock::new();
    T.get_or_init(|| {
        TermSet::new([
            "Ava Thompson",
            "Thompson",
            "Zoë O'Brien-Smith",
            "07700 900123",
            "Year 9",
            "the",
        ])
        .expect("fixed terms are valid")
    })
}

/// PDFs: the redaction engine end to end (`redact_pdf`, which also re-reads its own output),
/// then the ingest PDF reader.
pub fn pdf(data: &[u8]) -> Vec<Outcome> {
    let redact = {
        let _g = StackGuard::push("redact_pdf");
        match disclose::pdf::redact_pdf(data, pdf_terms()) {
            Ok(r) => Outcome {
                reader: "redact_pdf",
                result: "ok",
                children: r.redactions.len(),
                failed_children: r.reviews.len(),
                text_bytes: r.bytes.len(),
            },
            Err(e) => Outcome {
                reader: "redact_pdf",
                result: "error",
                children: 0,
                failed_children: 0,
                text_bytes: e.to_string().len(),
            },
        }
    };
    let mut out = vec![redact];
    out.extend(run_readers(PDF_READERS, data));
    out
}

/// The targets by name, for the smoke run.
pub const TARGETS: &[(&str, fn(&[u8]) -> Vec<Outcome>)] =
    &[("mail", mail), ("pst", pst), ("zip", zip), ("pdf", pdf)];
