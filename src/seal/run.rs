//! The seal step end to end: plan, produce every document in parallel, write the index, the
//! bundle and the master copy, verify the bundle independently, and only then publish it.
//! Everything is written under the case's output folder; a run that stops part-way leaves no
//! bundle that looks complete (the zip is renamed into place only after it verifies).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::cover::{cover, CoverInput, Listed, NotSent};
use super::decided::Decided;
use super::plan::{plan, Make, Planned, Treatment};
use super::produce::{produce, Applied, Inputs, ToRedact};

/// A document made and written to `.work/docs`, with what the log needs.
struct Made {
    path: PathBuf,
    pages: usize,
    applied: Vec<Applied>,
    extension: &'static str,
}
use super::scanned::{Item, Scanned};
use crate::bundle::{self, Entry, EntrySource};
use crate::case::casefile::Case;
use crate::detect::exemptions::Catalogue;
use crate::report::dpo_log::{write_redaction_log, LogRow};
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

/// Seals the case: returns where everything went and the bundle password (shown once).
/// `progress` draws a bar on a terminal while the documents are made.
pub fn seal(case: &Case, progress: bool) -> Result<SealReport, SealError> {
    let out = case.out_dir();
    let mut scanned = Scanned::load(&out).map_err(|e| SealError::Setup(e.to_string()))?;
    let catalogue = Catalogue::with_custom(&case.file.reasons).map_err(SealError::Setup)?;
    let decided = Decided::load(case, &mut scanned, &catalogue)?;
    let blocking: Vec<String> = decided
        .unmatched
        .iter()
        .filter(|u| u.blocks)
        .map(|u| u.text.clone())
        .collect();
    if !blocking.is_empty() {
        return Err(SealError::Unmatched(blocking));
    }
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

    let mut by_item: HashMap<&str, Vec<&ToRedact>> = HashMap::new();
    for r in &decided.redactions {
        by_item.entry(r.item_id.as_str()).or_default().push(r);
    }
    let mut regions_by_item: HashMap<&str, Vec<&super::produce::RegionToRedact>> = HashMap::new();
    for (id, r) in &decided.regions {
        regions_by_item.entry(id.as_str()).or_default().push(r);
    }
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

    // Every disclosed document, in parallel; any failure stops the seal with the item named.
    let disclosed: Vec<(&Planned, Make)> = planned
        .iter()
        .filter_map(|p| match p.treatment {
            Treatment::Disclose(m) => Some((p, m)),
            _ => None,
        })
        .collect();
    let bar = if progress {
        indicatif::ProgressBar::new(disclosed.len() as u64)
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
    let produced: Vec<Result<Made, SealError>> = disclosed
        .par_iter()
        .map(|(p, make)| {
            bar.inc(1);
            let item = &scanned.items[p.item];
            let heading = describe(item, p.day.as_deref(), parent_stem(item).as_deref());
            let inputs = Inputs {
                out: &out,
                reference: &case.file.reference,
                subject_terms: &subject_terms,
                heading,
            };
            let reds = by_item.get(item.item_id.as_str()).cloned().unwrap_or_default();
            let regions = regions_by_item.get(item.item_id.as_str()).cloned().unwrap_or_default();
            let made = produce(item, *make, &reds, &regions, &inputs).map_err(|e| SealError::Item {
                item: item.item_id.clone(),
                path: item.source_path.clone(),
                reason: e.to_string(),
            })?;
            if !made.reviews.is_empty() && !decided.settlements.as_is.contains_key(&item.item_id) {
                return Err(SealError::Item {
                    item: item.item_id.clone(),
                    path: item.source_path.clone(),
                    reason: format!(
                        "needs a person: {} (look at it, then settle it in decisions.toml: withhold, disclose-as-is or on-paper)",
                        made.reviews.join("; ")
                    ),
                });
            }
            // Each document goes to disk as soon as it is made (in the case folder, owner-only):
            // memory holds one document per thread, not the bundle.
            let stem = p.stem.clone().unwrap_or_default();
            let path = docs_dir.join(format!("{stem}.{}", made.extension));
            crate::fsutil::write_atomic_unsynced(&path, &made.bytes).map_err(io_err(&path))?;
            Ok(Made {
                path,
                pages: made.pages,
                applied: made.applied,
                extension: made.extension,
            })
        })
        .collect();
    bar.finish_and_clear();
    let produced: Vec<Made> = produced.into_iter().collect::<Result<_, _>>()?;

    // The index, the DPO's log, and the list of what was not sent.
    let sealed_on = case
        .file
        .tracker
        .sent
        .map(|d| d.to_string())
        .unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string());
    let mut documents = Vec::new();
    let mut entries = Vec::new();
    let mut log_rows = Vec::new();
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    for ((p, _), made) in disclosed.iter().zip(produced) {
        let item = &scanned.items[p.item];
        let stem = p.stem.clone().unwrap_or_default();
        let file = format!("{stem}.{}", made.extension);
        documents.push(Listed {
            file: file.clone(),
            description: describe(item, p.day.as_deref(), parent_stem(item).as_deref()),
            pages: made.pages,
        });
        for a in &made.applied {
            *by_reason.entry(a.reason.clone()).or_default() += 1;
            log_rows.push(LogRow {
                item_id: item.item_id.clone(),
                source_path: item.source_path.clone(),
                location: a.location.clone(),
                text: a.text.clone(),
                category: a.category.clone(),
                reason: a.reason.clone(),
                citation: catalogue
                    .get(&a.reason)
                    .map(|e| e.citation.clone())
                    .unwrap_or_default(),
                decided_by: a.decided_by.clone(),
                date: sealed_on.clone(),
            });
        }
        entries.push(Entry {
            name: file,
            source: EntrySource::File(made.path),
        });
    }
    let mut not_sent = Vec::new();
    let (mut withheld, mut on_paper) = (0, 0);
    for p in &planned {
        let item = &scanned.items[p.item];
        let description = describe(item, p.day.as_deref(), parent_stem(item).as_deref());
        match &p.treatment {
            Treatment::Withheld { reason, decided_by } => {
                withheld += 1;
                log_rows.push(LogRow {
                    item_id: item.item_id.clone(),
                    source_path: item.source_path.clone(),
                    location: "whole item withheld".into(),
                    text: String::new(),
                    category: "item".into(),
                    reason: reason.clone(),
                    citation: catalogue
                        .get(reason)
                        .map(|e| e.citation.clone())
                        .unwrap_or_default(),
                    decided_by: decided_by.clone(),
                    date: sealed_on.clone(),
                });
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
            _ => {}
        }
    }
    let pages: usize = documents.iter().map(|d| d.pages).sum();
    let index = cover(&CoverInput {
        case,
        catalogue: &catalogue,
        date: sealed_on.clone(),
        documents,
        not_sent,
        redactions_by_reason: by_reason,
        items_searched: scanned.items_searched,
    });
    let rendered = crate::render::render(
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

    // The DPO's log and the master copy come first: a bundle is never sent without them.
    crate::fsutil::private_dir(&out).map_err(io_err(&out))?;
    let log_csv = out.join("redaction-log.csv");
    let log_xlsx = out.join("redaction-log.xlsx");
    write_redaction_log(&log_rows, &catalogue, &log_csv, &log_xlsx)
        .map_err(|e| SealError::Setup(format!("redaction log: {e}")))?;

    let reference = safe_file_stem(&case.file.reference);
    let staged = work.join(format!("{reference}.zip"));
    let password = bundle::generate_password();
    let written = bundle::write_encrypted_zip(&staged, &entries, &password)
        .map_err(|e| SealError::Setup(format!("writing the bundle: {e}")))?;

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

    let master = out.join(format!("{reference}-master.zip"));
    let master_password = bundle::generate_password();
    let master_entries = master_entries(case, &scanned, &planned, &out, &manifest)?;
    let master_written = bundle::write_encrypted_zip(&master, &master_entries, &master_password)
        .map_err(|e| SealError::Setup(format!("writing the master copy: {e}")))?;
    let master_password_file = out.join(format!("{reference}-master-password.txt"));
    bundle::write_secret(&master_password_file, &format!("{master_password}\n"))
        .map_err(io_err(&master_password_file))?;

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

    Ok(SealReport {
        bundle: bundle_path,
        password,
        password_file,
        master,
        master_password_file,
        bundle_sha256: written.sha256,
        documents: n_documents,
        pages: pages + rendered.pages,
        redactions: log_rows.iter().filter(|r| r.category != "item").count(),
        withheld,
        on_paper,
        log_csv,
        unmatched_warnings: decided
            .unmatched
            .iter()
            .filter(|u| !u.blocks)
            .map(|u| u.text.clone())
            .collect(),
    })
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

/// The texts the case redacted, for `disclose verify --case`: the same list `seal` checks.
pub fn forbidden_texts(case: &Case) -> Result<Vec<String>, SealError> {
    let mut scanned =
        Scanned::load(&case.out_dir()).map_err(|e| SealError::Setup(e.to_string()))?;
    let catalogue = Catalogue::with_custom(&case.file.reasons).map_err(SealError::Setup)?;
    Ok(Decided::load(case, &mut scanned, &catalogue)?.forbidden_texts())
}
