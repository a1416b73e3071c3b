//! Throughput of the search matcher (divan), and the same search by ripgrep for comparison.
//!
//!   cargo bench --bench matcher
//!
//! The workload is what `disclose scan` does per case: 5,000 roster names as extra terms plus
//! three include terms (`"Ava Thompson"`, `Ava AND Thompson`,
//! `(Ava OR "Ava-Mae") AND Thompson NOT subject:newsletter`) in one automaton, over ~10 MB of
//! generated staff mail (2,500 messages of ~4 KB with headers, subjects and attachment names).
//!
//! * `scan_eval_1_thread`: `Matcher::scan` + `Matcher::eval` of the three terms, per message, one thread;
//!   bytes are the body + subject bytes.
//! * `scan_eval_rayon`: the same spread over the machine's cores, as `scan` will run it.
//! * `scan_only`: `Matcher::scan` alone (folding and the automaton pass).
//! * `build`: building the matcher.
//! * `part_*`: where `scan` spends its time: folding the bodies with and without source
//!   offsets, and the automaton alone over pre-folded bodies (as built, and forced to a DFA).
//! * `ripgrep_j1` / `ripgrep`: `rg -F -i -c -f terms.txt` over the same bodies written one file
//!   per message (one thread / rg's default), when `rg` is on PATH. Before the benches, a
//!   best-of-3 wall-clock comparison of `scan_eval` with `rg -j1` is printed as a ratio.

use std::path::Path;
use std::process::Command;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use divan::counter::{BytesCount, ItemsCount};
use divan::{black_box, Bencher};
use rayon::prelude::*;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use disclose::search::matcher::fold_with_offsets;
use disclose::search::{parse, Matcher, Query, SearchDoc};
use disclose::text::normalize;

mod support;
use support::{person, roster, Rng, FIRST, LAST, PHRASES};

const NAMES: usize = 5_000;
const TEXT_BYTES: usize = 10 << 20;
const QUERIES: [&str; 3] = [
    "\"Ava Thompson\"",
    "Ava AND Thompson",
    "(Ava OR \"Ava-Mae\") AND Thompson NOT subject:newsletter",
];

struct Mail {
    subject: String,
    body: String,
    from: Vec<String>,
    to: Vec<String>,
    cc: Vec<String>,
    attachments: Vec<String>,
    sent: chrono::DateTime<Utc>,
}

fn mailbox() -> Vec<Mail> {
    let mut r = Rng(0x5eed_0004);
    let mut mails = Vec::new();
    let mut total = 0;
    while total < TEXT_BYTES {
        let mut body = String::with_capacity(4200);
        while body.len() < 4000 {
            let (f, l) = (r.pick(FIRST), r.pick(LAST));
            match r.below(6) {
                0 => body.push_str(&format!(
                    "{f} {l} was in the canteen with {}. ",
                    r.pick(FIRST)
                )),
                1 => body.push_str(&format!("Hi {f},\r\n\r\n")),
                2 => body.push_str(&format!("Mrs {l}\u{2019}s note: {f} has been unwell.\n")),
                _ => {
                    body.push_str(r.pick(PHRASES));
                    body.push(' ');
                }
            }
        }
        let subject = match r.below(5) {
            0 => "Newsletter".to_string(),
            1 => format!("Re: {} {}", r.pick(FIRST), r.pick(LAST)),
            _ => format!(
                "Year {} {}",
                7 + r.below(5),
                r.pick(&["trip", "detention", "report"])
            ),
        };
        total += body.len() + subject.len();
        mails.push(Mail {
            subject,
            body,
            from: vec![person(&mut r)],
            to: vec![person(&mut r), person(&mut r)],
            cc: if r.below(3) == 0 {
                vec![person(&mut r)]
            } else {
                vec![]
            },
            attachments: if r.below(4) == 0 {
                vec![format!("{} letter.pdf", r.pick(LAST))]
            } else {
                vec![]
            },
            sent: Utc
                .timestamp_opt(1_700_000_000 + r.below(50_000_000) as i64, 0)
                .single()
                .unwrap_or_default(),
        });
    }
    mails
}

impl Mail {
    fn doc(&self) -> SearchDoc<'_> {
        SearchDoc {
            subject: &self.subject,
            body: &self.body,
            from: &self.from,
            to: &self.to,
            cc: &self.cc,
            bcc: &[],
            attachment_names: &self.attachments,
            sent: Some(self.sent),
            is_email: true,
            has_attachments: !self.attachments.is_empty(),
        }
    }
}

fn queries() -> Vec<Query> {
    QUERIES
        .iter()
        .map(|q| parse(q).expect("bench query parses").query)
        .collect()
}

struct Corpus {
    names: Vec<String>,
    mails: Vec<Mail>,
    bytes: usize,
    matcher: Matcher,
}

static CORPUS: LazyLock<Corpus> = LazyLock::new(|| {
    let names = roster(NAMES);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let matcher = Matcher::new(&queries(), &refs).expect("matcher builds");
    let mails = mailbox();
    let bytes = mails.iter().map(|m| m.body.len() + m.subject.len()).sum();
    Corpus {
        names,
        mails,
        bytes,
        matcher,
    }
});

/// Scans and evaluates one message; returns matched terms plus roster names found, so the
/// work cannot be optimised away.
fn scan_eval(m: &Matcher, mail: &Mail) -> usize {
    let doc = mail.doc();
    let hits = m.scan(&doc);
    let matched = (0..QUERIES.len())
        .filter(|&q| m.eval(q, &hits, &doc).matched)
        .count();
    matched + hits.extra_found().len()
}

fn main() {
    // Only under `cargo bench` (which passes --bench), and not when a name filter asks for
    // just some benches: `cargo test --all-targets` runs this binary too and must stay quick.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--bench") && !args.iter().any(|a| !a.starts_with('-')) {
        compare_with_ripgrep();
    }
    divan::main();
}

#[divan::bench(sample_count = 10)]
fn scan_eval_1_thread(bencher: Bencher) {
    let c = &*CORPUS;
    bencher.counter(BytesCount::new(c.bytes)).bench(|| {
        c.mails
            .iter()
            .map(|mail| scan_eval(&c.matcher, black_box(mail)))
            .sum::<usize>()
    });
}

#[divan::bench(sample_count = 10)]
fn scan_eval_rayon(bencher: Bencher) {
    let c = &*CORPUS;
    bencher.counter(BytesCount::new(c.bytes)).bench(|| {
        c.mails
            .par_iter()
            .map(|mail| scan_eval(&c.matcher, black_box(mail)))
            .sum::<usize>()
    });
}

#[divan::bench(sample_count = 10)]
fn scan_only(bencher: Bencher) {
    let c = &*CORPUS;
    bencher.counter(BytesCount::new(c.bytes)).bench(|| {
        c.mails
            .iter()
            .map(|mail| c.matcher.scan(&black_box(mail).doc()).body().text.len())
            .sum::<usize>()
    });
}

#[divan::bench(sample_count = 10)]
fn build(bencher: Bencher) {
    let c = &*CORPUS;
    let refs: Vec<&str> = c.names.iter().map(String::as_str).collect();
    let qs = queries();
    bencher
        .counter(ItemsCount::new(refs.len() + qs.len()))
        .bench(|| Matcher::new(black_box(&qs), black_box(&refs)).map(|m| m.pattern_count()));
}

// ------------------------------------------------------------------ where the time goes

/// Folding the bodies with source offsets, as `scan` does.
#[divan::bench(sample_count = 10)]
fn part_fold_with_offsets(bencher: Bencher) {
    let c = &*CORPUS;
    bencher.counter(BytesCount::new(c.bytes)).bench(|| {
        c.mails
            .iter()
            .map(|m| fold_with_offsets(black_box(&m.body)).text.len())
            .sum::<usize>()
    });
}

/// Folding the bodies without offsets (`normalize`).
#[divan::bench(sample_count = 10)]
fn part_normalize(bencher: Bencher) {
    let c = &*CORPUS;
    bencher.counter(BytesCount::new(c.bytes)).bench(|| {
        c.mails
            .iter()
            .map(|m| normalize(black_box(&m.body)).len())
            .sum::<usize>()
    });
}

static FOLDED: LazyLock<(Vec<String>, Vec<String>)> = LazyLock::new(|| {
    let c = &*CORPUS;
    let mut pats: Vec<String> = c.names.iter().map(|n| normalize(n)).collect();
    pats.extend(["ava thompson", "ava", "thompson", "ava-mae", "newsletter"].map(String::from));
    let bodies = c.mails.iter().map(|m| normalize(&m.body)).collect();
    (pats, bodies)
});

fn automaton_pass(bencher: Bencher, kind: Option<AhoCorasickKind>) {
    let (pats, bodies) = &*FOLDED;
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(kind)
        .build(pats)
        .expect("automaton builds");
    bencher.counter(BytesCount::new(CORPUS.bytes)).bench(|| {
        bodies
            .iter()
            .map(|b| ac.find_overlapping_iter(black_box(b)).count())
            .sum::<usize>()
    });
}

/// The automaton alone over folded bodies, as `Matcher` builds it (the builder's choice: a
/// contiguous NFA for this many names).
#[divan::bench(sample_count = 10)]
fn part_automaton_auto(bencher: Bencher) {
    automaton_pass(bencher, None);
}

/// The same forced to a DFA: on the development machine no faster, for more memory.
#[divan::bench(sample_count = 10)]
fn part_automaton_dfa(bencher: Bencher) {
    automaton_pass(bencher, Some(AhoCorasickKind::DFA));
}

// ------------------------------------------------------------------ ripgrep

struct RgFixture {
    dir: tempfile::TempDir,
}

/// The bodies one file per message and the terms file, or `None` without `rg`.
static RG: LazyLock<Option<RgFixture>> = LazyLock::new(|| {
    if Command::new("rg").arg("--version").output().is_err() {
        return None;
    }
    let c = &*CORPUS;
    let dir = tempfile::tempdir().ok()?;
    for (i, m) in c.mails.iter().enumerate() {
        let text = format!("Subject: {}\n\n{}", m.subject, m.body);
        std::fs::write(dir.path().join(format!("{i:05}.txt")), text).ok()?;
    }
    let mut terms = c.names.join("\n");
    terms.push_str("\nAva Thompson\nAva\nThompson\nAva-Mae\nnewsletter\n");
    std::fs::write(dir.path().join("terms.lst"), terms).ok()?;
    Some(RgFixture { dir })
});

fn run_rg(dir: &Path, threads: Option<usize>) -> bool {
    let mut cmd = Command::new("rg");
    cmd.args(["-F", "-i", "-c", "--no-messages", "-g", "*.txt", "-f"])
        .arg(dir.join("terms.lst"));
    if let Some(j) = threads {
        cmd.arg(format!("-j{j}"));
    }
    cmd.arg(dir)
        .output()
        .map(|o| !o.stdout.is_empty())
        .unwrap_or(false)
}

#[divan::bench(sample_count = 3)]
fn ripgrep_j1(bencher: Bencher) {
    let Some(fx) = &*RG else {
        eprintln!("ripgrep_j1: rg not on PATH, skipped");
        return;
    };
    bencher
        .counter(BytesCount::new(CORPUS.bytes))
        .bench(|| run_rg(fx.dir.path(), Some(1)));
}

#[divan::bench(sample_count = 3)]
fn ripgrep(bencher: Bencher) {
    let Some(fx) = &*RG else {
        eprintln!("ripgrep: rg not on PATH, skipped");
        return;
    };
    bencher
        .counter(BytesCount::new(CORPUS.bytes))
        .bench(|| run_rg(fx.dir.path(), None));
}

fn best_of(n: usize, mut f: impl FnMut()) -> Duration {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// One line the issue asks for: the matcher (scan + rules, one thread) against `rg -j1`.
fn compare_with_ripgrep() {
    let c = &*CORPUS;
    let mb = c.bytes as f64 / 1e6;
    let ours = best_of(3, || {
        black_box(
            c.mails
                .iter()
                .map(|m| scan_eval(&c.matcher, m))
                .sum::<usize>(),
        );
    });
    let Some(fx) = &*RG else {
        println!(
            "matcher: {:.0} MB/s over {mb:.1} MB (rg not on PATH: no comparison)",
            mb / ours.as_secs_f64()
        );
        return;
    };
    let rg = best_of(3, || {
        black_box(run_rg(fx.dir.path(), Some(1)));
    });
    println!(
        "matcher scan+eval {:.0} MB/s, rg -F -i -j1 {:.0} MB/s over {mb:.1} MB, {} names: \
         matcher takes {:.2}x rg's time",
        mb / ours.as_secs_f64(),
        mb / rg.as_secs_f64(),
        c.names.len(),
        ours.as_secs_f64() / rg.as_secs_f64()
    );
}
