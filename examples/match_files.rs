//! Throughput of the search matcher over a folder of text files, for comparison with ripgrep.
//!
//!   cargo run --release --example match_files -- TERMS_FILE QUERIES_FILE DIR [--threads N] [--preload]
//!                                                [--no-extra] [--no-eval]
//!
//! * `TERMS_FILE`: one extra term a line (e.g. 5,000 roster names "Forename Surname"); they go
//!   into the same automaton as the queries' literals, as the redaction stage will put them.
//! * `QUERIES_FILE`: one include term a line, Purview syntax (`"Ava Thompson"`, `Ava AND Thompson`).
//! * `DIR`: every `*.txt` file under it (recursively), e.g. the `text/` folder `disclose ingest`
//!   writes. A file that starts with the header block ingest writes for mail (`From:`, `To:`,
//!   `Cc:`, `Bcc:`, `Date:`, `Subject:`, `Attachments:`, then a blank line) is a mail: its header
//!   values fill the `SearchDoc` fields, and the whole file is the body, exactly as
//!   `search::scope` builds the document for `disclose scan`. Anything else is a document whose
//!   body is the whole file.
//!
//! For each file, in parallel over files (rayon; `--threads N` or `RAYON_NUM_THREADS`): read it,
//! `Matcher::scan` once, `is_match` for every query and `eval` (the explanation) for each query
//! that matched, as `disclose scan` does, then `Hits::extra_found` (which roster names occur).
//!
//! `--preload` reads every file first and times the matching alone; by default reading is part
//! of the timed loop, as it is for ripgrep. `--no-extra` skips `extra_found`, `--no-eval` skips
//! the query evaluation (both only for attributing time).
//!
//! Output: one `key=value` line (easy to parse from a script) then a readable summary on stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chrono::{DateTime, NaiveDateTime, Utc};
use rayon::prelude::*;

use disclose::search::{parse, Matcher, Query, SearchDoc};

struct Args {
    terms: PathBuf,
    queries: PathBuf,
    dir: PathBuf,
    threads: Option<usize>,
    preload: bool,
    extra: bool,
    eval: bool,
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: match_files TERMS_FILE QUERIES_FILE DIR [--threads N] [--preload] [--no-extra] [--no-eval]"
    );
    ExitCode::from(2)
}

fn args() -> Option<Args> {
    let mut pos = Vec::new();
    let mut threads = None;
    let (mut preload, mut extra, mut eval) = (false, true, true);
    let mut it = std::env::args_os().skip(1);
    while let Some(a) = it.next() {
        match a.to_str() {
            Some("--threads" | "-j") => threads = Some(it.next()?.to_str()?.parse().ok()?),
            Some(s) if s.starts_with("--threads=") => {
                threads = Some(s["--threads=".len()..].parse().ok()?)
            }
            Some("--preload") => preload = true,
            Some("--no-extra") => extra = false,
            Some("--no-eval") => eval = false,
            Some("-h" | "--help") => return None,
            Some(s) if s.starts_with('-') && s.len() > 1 => return None,
            _ => pos.push(PathBuf::from(a)),
        }
    }
    let [terms, queries, dir]: [PathBuf; 3] = pos.try_into().ok()?;
    Some(Args {
        terms,
        queries,
        dir,
        threads,
        preload,
        extra,
        eval,
    })
}

/// The header block ingest writes before a mail's body, parsed back into fields.
#[derive(Default)]
struct Meta {
    is_mail: bool,
    subject: String,
    from: Vec<String>,
    to: Vec<String>,
    cc: Vec<String>,
    bcc: Vec<String>,
    attachments: Vec<String>,
    sent: Option<DateTime<Utc>>,
}

/// Splits `Name <a@b>, Brown, Tom <t@b>, c@d` into people: display names are written unquoted
/// and may hold commas, so a person ends only once it has an address.
fn people(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for part in v.split(',') {
        if !cur.is_empty() {
            cur.push(',');
        }
        cur.push_str(part);
        if cur.contains('@') {
            let t = cur.trim();
            if !t.is_empty() {
                out.push(t.to_string());
            }
            cur.clear();
        }
    }
    let t = cur.trim();
    if !t.is_empty() {
        out.push(t.to_string());
    }
    out
}

fn meta(text: &str) -> Meta {
    let mut m = Meta::default();
    if !text.starts_with("From: ") {
        return m;
    }
    m.is_mail = true;
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        let Some((k, v)) = line.split_once(": ") else {
            continue;
        };
        match k {
            "From" => m.from = people(v),
            "To" => m.to = people(v),
            "Cc" => m.cc = people(v),
            "Bcc" => m.bcc = people(v),
            "Subject" => m.subject = v.to_string(),
            "Attachments" => m.attachments = v.split(", ").map(str::to_string).collect(),
            "Date" => {
                m.sent = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%SZ")
                    .ok()
                    .map(|d| d.and_utc())
            }
            _ => {}
        }
    }
    m
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .map(|e| e.into_path())
        .collect();
    v.sort();
    v
}

#[derive(Default, Clone, Copy)]
struct Tally {
    bytes: usize,
    any_query: usize,
    any_extra: usize,
    per_query: [usize; 8],
    explanation_bytes: usize,
}

impl Tally {
    fn add(mut self, o: Tally) -> Tally {
        self.bytes += o.bytes;
        self.any_query += o.any_query;
        self.any_extra += o.any_extra;
        for (a, b) in self.per_query.iter_mut().zip(o.per_query) {
            *a += b;
        }
        self.explanation_bytes += o.explanation_bytes;
        self
    }
}

struct Job<'a> {
    matcher: &'a Matcher,
    n_queries: usize,
    extra: bool,
    eval: bool,
}

impl Job<'_> {
    fn one(&self, text: &str) -> Tally {
        let m = meta(text);
        let doc = SearchDoc {
            subject: &m.subject,
            body: text,
            from: &m.from,
            to: &m.to,
            cc: &m.cc,
            bcc: &m.bcc,
            attachment_names: &m.attachments,
            sent: m.sent,
            is_email: m.is_mail,
            has_attachments: !m.attachments.is_empty(),
        };
        let hits = self.matcher.scan(&doc);
        let mut t = Tally {
            bytes: text.len(),
            ..Tally::default()
        };
        if self.eval {
            let mut any = false;
            for q in 0..self.n_queries {
                if self.matcher.is_match(q, &hits, &doc) {
                    any = true;
                    if let Some(c) = t.per_query.get_mut(q) {
                        *c += 1;
                    }
                    t.explanation_bytes += self.matcher.eval(q, &hits, &doc).explanation.len();
                }
            }
            t.any_query = usize::from(any);
        }
        if self.extra {
            t.any_extra = usize::from(!hits.extra_found().is_empty());
        }
        t
    }
}

fn lines(path: &Path) -> std::io::Result<Vec<String>> {
    Ok(std::fs::read_to_string(path)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

fn main() -> ExitCode {
    let Some(a) = args() else {
        return usage();
    };
    if let Some(n) = a.threads {
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
        {
            eprintln!("match_files: {e}");
            return ExitCode::from(2);
        }
    }
    let (terms, query_lines) = match (lines(&a.terms), lines(&a.queries)) {
        (Ok(t), Ok(q)) => (t, q),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("match_files: {e}");
            return ExitCode::from(2);
        }
    };
    let mut queries: Vec<Query> = Vec::new();
    for q in &query_lines {
        match parse(q) {
            Ok(p) => queries.push(p.query),
            Err(e) => {
                eprintln!("match_files: query {q:?}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let t0 = Instant::now();
    let refs: Vec<&str> = terms.iter().map(String::as_str).collect();
    let matcher = match Matcher::new(&queries, &refs) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("match_files: {e}");
            return ExitCode::from(2);
        }
    };
    let build_s = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let files = files_under(&a.dir);
    let walk_s = t1.elapsed().as_secs_f64();
    if files.is_empty() {
        eprintln!("match_files: no .txt files under {}", a.dir.display());
        return ExitCode::from(2);
    }
    let job = Job {
        matcher: &matcher,
        n_queries: queries.len(),
        extra: a.extra,
        eval: a.eval,
    };
    let unreadable = AtomicUsize::new(0);
    let read = |p: &PathBuf| match std::fs::read(p) {
        // Ingest writes UTF-8; anything else is read lossily rather than skipped.
        Ok(b) => match String::from_utf8(b) {
            Ok(s) => Some(s),
            Err(e) => Some(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        },
        Err(_) => {
            unreadable.fetch_add(1, Ordering::Relaxed);
            None
        }
    };

    let (tally, load_s, match_s) = if a.preload {
        let t = Instant::now();
        let texts: Vec<String> = files.par_iter().filter_map(read).collect();
        let load_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let tally = texts
            .par_iter()
            .map(|s| job.one(s))
            .reduce(Tally::default, Tally::add);
        (tally, load_s, t.elapsed().as_secs_f64())
    } else {
        let t = Instant::now();
        let tally = files
            .par_iter()
            .filter_map(|p| read(p).map(|s| job.one(&s)))
            .reduce(Tally::default, Tally::add);
        (tally, 0.0, t.elapsed().as_secs_f64())
    };
    let total_s = t0.elapsed().as_secs_f64();
    let mb = tally.bytes as f64 / 1e6;
    let threads = rayon::current_num_threads();
    println!(
        "files={} bytes={} threads={} patterns={} extra_terms={} queries={} build_s={build_s:.4} \
         walk_s={walk_s:.4} load_s={load_s:.4} match_s={match_s:.4} total_s={total_s:.4} \
         mb_per_s={:.1} any_query={} any_extra={} per_query={} unreadable={}",
        files.len(),
        tally.bytes,
        threads,
        matcher.pattern_count(),
        matcher.extra_len(),
        queries.len(),
        mb / match_s,
        tally.any_query,
        tally.any_extra,
        tally.per_query[..queries.len().min(8)]
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(","),
        unreadable.load(Ordering::Relaxed),
    );
    eprintln!(
        "{} files, {mb:.1} MB, {threads} thread(s): matcher built in {build_s:.3} s \
         ({} patterns); {}matched in {match_s:.3} s = {:.0} MB/s; {} file(s) match a query, \
         {} contain an extra term",
        files.len(),
        matcher.pattern_count(),
        if a.preload {
            format!("read in {load_s:.3} s, ")
        } else {
            "read and ".into()
        },
        mb / match_s,
        tally.any_query,
        tally.any_extra,
    );
    ExitCode::SUCCESS
}
