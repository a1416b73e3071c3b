//! The seal step end to end: plan, produce every document in parallel, write the index, the
//! bundle and the master copy, verify the bundle independently, and only then publish it.
//! Everything is written under the case's output folder; a run that stops part-way leaves no
//! bundle that looks complete (the zip is renamed into place only after it verifies).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::cover::{cover, CoverInput, Listed, NotSent};
use super::decided::Decided;
use super::plan::{plan, Make, Planned, Treatment};
use super::produce::{produce, Applied, Inputs, ToRedact};

use super::scanned::{Item, Scanned};
use crate::bundle::{self, Entry, EntrySource};
use crate::case::casefile::Case;
use crate::detect::exemptions::Catalogue;
use crate::report::dpo_log::{LogRow, LogWriter};
use crate::text::TermSet;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("{0}")]
    Setup(String),
    #[error("not sealed: {} item(s) in scope need a decision first (add them to decisions.toml):\n{}", .0.len(), .0.join("\n"))]
    Undecided(Vec<String>),
    #[error("not sealed: {} decision(s) match nothing in this scan; fix or remove them in decisions.toml:\n{}", .0.len(), .0.join("\n"))]
    Unmatched(Vec<String>),
    #[error("not sealed: item {item} ({path}): {reason}")]
    Item {
        item: String,
        path: String,
        reason: String,
    },
    #[error("not sealed: the bundle failed verification; the reasons are in {report}:\n{summary}")]
    Verify { report: String, summary: String },
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

pub struct SealReport {
    pub bundle: PathBuf,
    pub password: String,
    pub password_file: PathBuf,
    pub master: PathBuf,
    pub master_password_file: PathBuf,
    pub bundle_sha256: String,
    pub documents: usize,
    pub pages: usize,
    pub redactions: usize,
    pub withheld: usize,
    pub on_paper: usize,
    pub log_csv: PathBuf,
    pub unmatched_warnings: Vec<String>,
    pub timings: crate::stopwatch::Timings,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SealError + '_ {
    move |source| SealError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What the requester sees of an item: its kind and date, never its subject or file name.
fn describe(item: &Item, day: Option<&str>, parent_stem: Option<&str>) -> String {
    let kind = match item.kind.as_str() {
        "email" => "Email",
        "pdf" => "Document (PDF)",
        "sheet" => "Spreadsheet",
        "docx" => "Word document",
        "image" => "Image",
        "text" | "html" => "Text document",
        other => other,
    };
    let mut s = kind.to_string();
    if let Some(d) = day {
        s.push_str(&format!(" of {d}"));
    }
    if let Some(p) = parent_stem {
        s.push_str(&format!(", attached to {p}"));
    }
    s
}

/// Items of the scan decided and produced per step: enough to keep every core busy making
/// documents, few enough that one step's proposals and redactions stay small.
const CHUNK: usize = 1024;
/// Proposals per step at most (unless one item has more): each is held about four times over
/// (read, decided, applied, logged), some hundreds of bytes each time.
const CHUNK_PROPOSALS: usize = 20_000;

/// A chunk of the scan's items with its decided redactions.
type DecidedChunk = (Range<usize>, Vec<ToRedact>);
/// A made document and the redactions applied to it (for the log).
type Made = (MadeDoc, Vec<Applied>);

/// The log as it is written: rows go to disk, counts stay.
struct Tally<'a> {
    catalogue: &'a Catalogue,
    sealed_on: String,
    by_reason: BTreeMap<String, usize>,
    redactions: usize,
}

impl Tally<'_> {
    fn citation(&self, reason: &str) -> String {
        self.catalogue
            .get(reason)
            .map(|e| e.citation.clone())
            .unwrap_or_default()
    }

    /// Writes the redactions applied to each made document (`planned` index), in order.
    fn log(
        &mut self,
        log: &mut LogWriter,
        scanned: &Scanned,
        planned: &[Planned],
        made: Vec<(usize, Vec<Applied>)>,
    ) -> Result<(), SealError> {
        for (k, applied) in made {
            let item = &scanned.items[planned[k].item];
            for a in applied {
                *self.by_reason.entry(a.reason.clone()).or_default() += 1;
                self.redactions += 1;
                log.push(&LogRow {
                    item_id: item.item_id.clone(),
                    source_path: item.source_path.clone(),
                    location: a.location,
                    text: a.text,
                    category: a.category,
                    citation: self.citation(&a.reason),
                    reason: a.reason,
                    decided_by: a.decided_by,
                    date: self.sealed_on.clone(),
                })
                .map_err(log_error)?;
            }
        }
        Ok(())
    }
}

fn log_error(e: crate::report::dpo_log::LogError) -> SealError {
    SealError::Setup(format!("redaction log: {e}"))
}

/// What a disclosed document left behind once made: where it is and what the index needs.
#[derive(Clone)]
struct MadeDoc {
    path: PathBuf,
    pages: usize,
    extension: &'static str,
}

/// Seals the case: returns where everything went and the bundle password (shown once).
/// `progress` draws a bar on a terminal while the documents are made.
pub fn seal(case: &Case, progress: bool) -> Result<SealReport, SealError> {
    let mut timings = crate::stopwatch::Timings::start();
    let out = case.out_dir();
    let scanned = Scanned::load(&out).map_err(|e| SealError::Setup(e.to_string()))?;
    let catalogue = Catalogue::with_custom(&case.file.reasons).map_err(SealError::Setup)?;
    let mut decided = Decided::load(case, &scanned, &catalogue)?;
    stop_if_stale(&decided)?;
    let planned = plan(&scanned, &decided.settlements);
    let undecided: Vec<String> = planned
        .iter()
        .filter_map(|p| match &p.treatment {
            Treatment::Undecided(why) => {
                let it = &scanned.items[p.item];
                Some(format!(
                    "  {} {} ({}): {why}",
                    it.item_id,
                    it.source_path,
                    &it.sha256[..it.sha256.len().min(12)]
                ))
            }
            _ => None,
        })
        .collect();
    if !undecided.is_empty() {
        return Err(SealError::Undecided(undecided));
    }
    timings.mark("read the scan, plan");

    let s = &case.file.subject;
    let subject_terms = TermSet::new(
        std::iter::once(&s.name)
            .chain(&s.also_known_as)
            .chain(&s.upn)
            .chain(&s.uln),
    )
    .map_err(|e| SealError::Setup(format!("subject name: {e}")))?;
    let stems: HashMap<&str, &str> = planned
        .iter()
        .filter_map(|p| Some((scanned.items[p.item].item_id.as_str(), p.stem.as_deref()?)))
        .collect();
    let parent_stem = |item: &Item| -> Option<String> {
        let mut id = item.parent_id.as_str();
        for _ in 0..64 {
            if let Some(s) = stems.get(id) {
                return Some(s.to_string());
            }
            id = scanned.item(id)?.parent_id.as_str();
        }
        None
    };
    // Planned entry for each item of the scan, if it has one.
    let mut plan_of: Vec<Option<usize>> = vec![None; scanned.items.len()];
    for (k, p) in planned.iter().enumerate() {
        plan_of[p.item] = Some(k);
    }
    let n_disclosed = planned
        .iter()
        .filter(|p| matches!(p.treatment, Treatment::Disclose(_)))
        .count();
    let bar = if progress {
        indicatif::ProgressBar::new(n_disclosed as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:30} {pos}/{len} documents {per_sec} {elapsed_precise}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let work = out.join(".work");
    let docs_dir = work.join("docs");
    if docs_dir.exists() {
        std::fs::remove_dir_all(&docs_dir).map_err(io_err(&docs_dir))?;
    }
    crate::fsutil::private_dir(&docs_dir).map_err(io_err(&docs_dir))?;
    let sealed_on = case
        .file
        .tracker
        .sent
        .map(|d| d.to_string())
        .unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string());
    crate::fsutil::private_dir(&out).map_err(io_err(&out))?;
    let log_csv = out.join("redaction-log.csv");
    let log_xlsx = out.join("redaction-log.xlsx");
    let mut log = LogWriter::create(&log_csv, &log_xlsx, &work).map_err(log_error)?;
    let mut tally = Tally {
        catalogue: &catalogue,
        sealed_on: sealed_on.clone(),
        by_reason: BTreeMap::new(),
        redactions: 0,
    };

    // A chunk of items at a time: the DPO's decisions applied to its proposals, then its
    // disclosed documents made in parallel, each written to disk as soon as it is made (in
    // the case folder, owner-only), and its rows added to the log. Memory holds two chunks:
    // while one chunk's documents are made, the next is read and decided and the last one's
    // log rows are written, so the serial steps hide behind the parallel one.
    let settlements = std::mem::take(&mut decided.settlements);
    let regions = std::mem::take(&mut decided.regions);
    let mut made: Vec<Option<MadeDoc>> = vec![None; planned.len()];
    let mut chunks = scanned
        .proposal_chunks(CHUNK, CHUNK_PROPOSALS)
        .map_err(|e| SealError::Setup(e.to_string()))?;
    let mut decide_next = |decided: &mut Decided| -> Result<Option<DecidedChunk>, SealError> {
        match chunks.next() {
            None => Ok(None),
            Some(c) => {
                let (range, proposals) = c.map_err(|e| SealError::Setup(e.to_string()))?;
                let reds = decided.chunk(&scanned, range.clone(), proposals);
                Ok(Some((range, reds)))
            }
        }
    };
    let make_chunk = |range: Range<usize>,
                      reds: &[ToRedact]|
     -> Vec<(usize, Result<Made, SealError>)> {
        let mut by_item: HashMap<&str, Vec<&ToRedact>> = HashMap::new();
        for r in reds {
            by_item.entry(r.item_id.as_str()).or_default().push(r);
        }
        let todo: Vec<(usize, Make)> = range
            .filter_map(|i| plan_of[i])
            .filter_map(|k| match planned[k].treatment {
                Treatment::Disclose(m) => Some((k, m)),
                _ => None,
            })
            .collect();
        todo.par_iter()
            .map(|&(k, make)| {
                let p = &planned[k];
                let item = &scanned.items[p.item];
                let heading = describe(item, p.day.as_deref(), parent_stem(item).as_deref());
                let inputs = Inputs {
                    out: &out,
                    reference: &case.file.reference,
                    subject_terms: &subject_terms,
                    heading,
                };
                let reds = by_item.get(item.item_id.as_str()).cloned().unwrap_or_default();
                let regions: Vec<&super::produce::RegionToRedact> = regions
                    .get(&item.item_id)
                    .map(|v| v.iter().collect())
                    .unwrap_or_default();
                let result = (|| {
                    let doc = produce(item, make, &reds, &regions, &inputs).map_err(|e| {
                        SealError::Item {
                            item: item.item_id.clone(),
                            path: item.source_path.clone(),
                            reason: e.to_string(),
                        }
                    })?;
                    if !doc.reviews.is_empty() && !settlements.as_is.contains_key(&item.item_id) {
                        return Err(SealError::Item {
                            item: item.item_id.clone(),
                            path: item.source_path.clone(),
                            reason: format!(
                                "needs a person: {} (look at it, then settle it in decisions.toml: withhold, disclose-as-is or on-paper)",
                                doc.reviews.join("; ")
                            ),
                        });
                    }
                    let stem = p.stem.clone().unwrap_or_default();
                    let path = docs_dir.join(format!("{stem}.{}", doc.extension));
                    crate::fsutil::write_atomic_unsynced(&path, &doc.bytes)
                        .map_err(io_err(&path))?;
                    bar.inc(1);
                    Ok((
                        MadeDoc {
                            path,
                            pages: doc.pages,
                            extension: doc.extension,
                        },
                        doc.applied,
                    ))
                })();
                (k, result)
            })
            .collect()
    };
    let mut to_log: Vec<(usize, Vec<Applied>)> = Vec::new();
    let mut next = decide_next(&mut decided)?;
    while let Some((range, reds)) = next.take() {
        let (produced, (decided_next, logged)) = rayon::join(
            || make_chunk(range, &reds),
            || {
                let logged = tally.log(&mut log, &scanned, &planned, std::mem::take(&mut to_log));
                (decide_next(&mut decided), logged)
            },
        );
        logged?;
        next = decided_next?;
        drop(reds);
        for (k, result) in produced {
            let (doc, applied) = result?;
            made[k] = Some(doc);
            to_log.push((k, applied));
        }
    }
    tally.log(&mut log, &scanned, &planned, to_log)?;
    bar.finish_and_clear();
    decided.finish();
    stop_if_stale(&decided)?;
    timings.mark("decide and make the documents");

    // The index and the list of what was not sent.
    let mut documents = Vec::new();
    let mut entries = Vec::new();
    let mut not_sent = Vec::new();
    let (mut withheld, mut on_paper) = (0, 0);
    for (k, p) in planned.iter().enumerate() {
        let item = &scanned.items[p.item];
        let description = describe(item, p.day.as_deref(), parent_stem(item).as_deref());
        match &p.treatment {
            Treatment::Disclose(_) => {
                let Some(doc) = made[k].take() else {
                    return Err(SealError::Item {
                        item: item.item_id.clone(),
                        path: item.source_path.clone(),
                        reason: "was planned but not made (an internal error; nothing was sealed)"
                            .into(),
                    });
                };
                let file = format!("{}.{}", p.stem.clone().unwrap_or_default(), doc.extension);
                documents.push(Listed {
                    file: file.clone(),
                    description,
                    pages: doc.pages,
                });
                entries.push(Entry {
                    name: file,
                    source: EntrySource::File(doc.path),
                });
            }
            Treatment::Withheld { reason, decided_by } => {
                withheld += 1;
                log.push(&LogRow {
                    item_id: item.item_id.clone(),
                    source_path: item.source_path.clone(),
                    location: "whole item withheld".into(),
                    text: String::new(),
                    category: "item".into(),
                    reason: reason.clone(),
                    citation: tally.citation(reason),
                    decided_by: decided_by.clone(),
                    date: sealed_on.clone(),
                })
                .map_err(log_error)?;
                not_sent.push(NotSent {
                    description,
                    reason: Some(reason.clone()),
                });
            }
            Treatment::OnPaper { .. } => {
                on_paper += 1;
                not_sent.push(NotSent {
                    description,
                    reason: None,
                });
            }
            Treatment::Undecided(_) => {}
        }
    }
    let pages: usize = documents.iter().map(|d| d.pages).sum();
    let index = cover(&CoverInput {
        case,
        catalogue: &catalogue,
        date: sealed_on.clone(),
        documents,
        not_sent,
        redactions_by_reason: tally.by_reason,
        items_searched: scanned.items_searched,
    });
    let rendered = crate::render::render_long(
        &index,
        &crate::render::Stamp {
            reference: case.file.reference.clone(),
        },
    )
    .map_err(|e| SealError::Setup(format!("the index: {e}")))?;
    let number_width = planned
        .iter()
        .filter_map(|p| p.stem.as_deref())
        .map(|s| s.bytes().take_while(u8::is_ascii_digit).count())
        .max()
        .unwrap_or(4);
    entries.insert(
        0,
        Entry {
            name: format!("{:0width$}-index.pdf", 0, width = number_width),
            source: EntrySource::Bytes(rendered.bytes),
        },
    );
    let n_documents = entries.len();
    bundle::add_manifest(&mut entries)
        .map_err(|e| SealError::Setup(format!("the manifest: {e}")))?;
    let manifest = match entries.last().map(|e| &e.source) {
        Some(EntrySource::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    };
    timings.mark("index and manifest");

    // The DPO's log and the master copy come first: a bundle is never sent without them.
    log.finish(&catalogue).map_err(log_error)?;
    timings.mark("redaction log (CSV, XLSX)");

    let reference = safe_file_stem(&case.file.reference);
    let staged = work.join(format!("{reference}.zip"));
    let password = bundle::generate_password();
    let written = bundle::write_encrypted_zip(&staged, &entries, &password)
        .map_err(|e| SealError::Setup(format!("writing the bundle: {e}")))?;
    timings.mark("bundle zip");

    // Verify independently before publishing.
    let forbidden = decided.forbidden_texts();
    let report = crate::verify::verify_bundle(&staged, &password, &forbidden)
        .map_err(|e| SealError::Setup(format!("verifying the bundle: {e}")))?;
    let verify_path = out.join("verify-report.txt");
    crate::fsutil::write_atomic(&verify_path, report.to_string().as_bytes())
        .map_err(io_err(&verify_path))?;
    if !report.passed() {
        return Err(SealError::Verify {
            report: verify_path.display().to_string(),
            summary: report
                .to_string()
                .lines()
                .take(12)
                .collect::<Vec<_>>()
                .join("\n"),
        });
    }
    timings.mark("verify the bundle");

    let master = out.join(format!("{reference}-master.zip"));
    let master_password = bundle::generate_password();
    let master_entries = master_entries(case, &scanned, &planned, &out, &manifest)?;
    let master_written = bundle::write_encrypted_zip(&master, &master_entries, &master_password)
        .map_err(|e| SealError::Setup(format!("writing the master copy: {e}")))?;
    let master_password_file = out.join(format!("{reference}-master-password.txt"));
    bundle::write_secret(&master_password_file, &format!("{master_password}\n"))
        .map_err(io_err(&master_password_file))?;
    timings.mark("master copy zip");

    let bundle_path = out.join(format!("{reference}.zip"));
    let password_file = out.join(format!("{reference}-password.txt"));
    bundle::write_secret(&password_file, &format!("{password}\n"))
        .map_err(io_err(&password_file))?;
    std::fs::rename(&staged, &bundle_path).map_err(io_err(&bundle_path))?;
    // The documents are in the bundle now; the working copies go.
    let _ = std::fs::remove_dir_all(&docs_dir);

    super::record::record(
        case,
        &super::record::Record {
            bundle: bundle_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            bundle_sha256: written.sha256.clone(),
            master_sha256: master_written.sha256,
            sealed_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            documents: n_documents as u64,
            pages: (pages + rendered.pages) as u64,
        },
    )
    .map_err(|e| {
        SealError::Setup(format!(
            "recording the seal in {}: {e}",
            case.path.display()
        ))
    })?;
    timings.mark("publish and record");

    Ok(SealReport {
        bundle: bundle_path,
        password,
        password_file,
        master,
        master_password_file,
        bundle_sha256: written.sha256,
        documents: n_documents,
        pages: pages + rendered.pages,
        redactions: tally.redactions,
        withheld,
        on_paper,
        log_csv,
        unmatched_warnings: decided
            .unmatched
            .iter()
            .filter(|u| !u.blocks)
            .map(|u| u.text.clone())
            .collect(),
        timings,
    })
}

/// A stale redact, withhold or region decision stops the seal (see [`super::decided::StaleDecision`]).
fn stop_if_stale(decided: &Decided) -> Result<(), SealError> {
    let blocking: Vec<String> = decided
        .unmatched
        .iter()
        .filter(|u| u.blocks)
        .map(|u| u.text.clone())
        .collect();
    if blocking.is_empty() {
        Ok(())
    } else {
        Err(SealError::Unmatched(blocking))
    }
}

/// A case reference as a file name: letters, digits and `-_.` kept, anything else `-`.
fn safe_file_stem(reference: &str) -> String {
    let s: String = reference
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.trim_matches('-').is_empty() {
        "bundle".into()
    } else {
        s
    }
}

/// The master copy: the originals of every planned item, the DPO's log, the decisions, the
/// inventory and proposals, the case file and the bundle's manifest, so a complaint can be
/// answered with exactly what was redacted and why.
fn master_entries(
    case: &Case,
    scanned: &Scanned,
    planned: &[Planned],
    out: &Path,
    manifest: &str,
) -> Result<Vec<Entry>, SealError> {
    let mut entries = Vec::new();
    let file = |name: &str, path: PathBuf| Entry {
        name: name.to_string(),
        source: EntrySource::File(path),
    };
    for (name, path) in [
        ("case.toml", case.path.clone()),
        ("inventory.csv", out.join("inventory.csv")),
        ("proposals.csv", out.join("proposals.csv")),
        ("redaction-log.csv", out.join("redaction-log.csv")),
        ("redaction-log.xlsx", out.join("redaction-log.xlsx")),
        ("review.html", out.join("review.html")),
        ("decisions.toml", case.dir.join("decisions.toml")),
    ] {
        if path.exists() {
            entries.push(file(name, path));
        }
    }
    entries.push(Entry {
        name: "bundle-manifest.sha256".into(),
        source: EntrySource::Bytes(manifest.as_bytes().to_vec()),
    });
    let mut seen = HashSet::new();
    for p in planned {
        let item = &scanned.items[p.item];
        let blob = crate::ingest::item_blob_path(out, &item.sha256);
        let text = scanned.text_path(&item.item_id);
        // The original where the export had one; the searched text only where it did not (a
        // sheet of a workbook, a message inside a PST): every zip entry costs a key derivation.
        let has_original = !item.sha256.is_empty() && blob.exists();
        if has_original && seen.insert(item.sha256.clone()) {
            let leaf = item
                .source_path
                .rsplit(crate::ingest::driver::PATH_SEP)
                .next()
                .unwrap_or("item");
            let leaf: String = leaf
                .chars()
                .map(|c| if c == '/' || c == '\\' { '_' } else { c })
                .collect();
            entries.push(file(&format!("originals/{}-{leaf}", item.item_id), blob));
        }
        if !has_original && text.exists() {
            entries.push(file(&format!("text/{}.txt", item.item_id), text));
        }
    }
    Ok(entries)
}

/// The texts the case redacted, for `disclose verify --case`: the same list `seal` checks,
/// made the same way (a chunk of proposals at a time) without making any document.
pub fn forbidden_texts(case: &Case) -> Result<Vec<String>, SealError> {
    let scanned = Scanned::load(&case.out_dir()).map_err(|e| SealError::Setup(e.to_string()))?;
    let catalogue = Catalogue::with_custom(&case.file.reasons).map_err(SealError::Setup)?;
    let mut decided = Decided::load(case, &scanned, &catalogue)?;
    let chunks = scanned
        .proposal_chunks(CHUNK, CHUNK_PROPOSALS)
        .map_err(|e| SealError::Setup(e.to_string()))?;
    for chunk in chunks {
        let (range, proposals) = chunk.map_err(|e| SealError::Setup(e.to_string()))?;
        decided.chunk(&scanned, range, proposals);
    }
    Ok(decided.forbidden_texts())
}
