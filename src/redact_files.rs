//! `disclose redact`: many PDFs, one term list, one output folder with the redacted files,
//! the redaction log, and a list of the files that failed or need a person. One bad file
//! never stops the others.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::fsutil::{private_dir, write_atomic};
use crate::pdf::{redact_pdf, RedactedPdf};
use crate::text::TermSet;

pub struct Batch<'a> {
    pub inputs: &'a [PathBuf],
    pub terms: &'a TermSet,
    pub reason: &'a str,
    pub out: &'a Path,
}

/// What became of one input.
pub enum FileOutcome {
    Redacted(RedactedPdf),
    Failed { page: Option<u32>, reason: String },
}

pub struct FileResult {
    pub input: PathBuf,
    pub name: String,
    pub outcome: FileOutcome,
}

pub struct BatchReport {
    pub files: Vec<FileResult>,
}

impl BatchReport {
    pub fn failed(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.outcome, FileOutcome::Failed { .. }))
            .count()
    }

    pub fn needing_review(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(&f.outcome, FileOutcome::Redacted(r) if !r.reviews.is_empty()))
            .count()
    }

    /// 0 all certain, 3 outputs written but some need a person, 1 some input failed.
    pub fn exit_code(&self) -> i32 {
        if self.failed() > 0 {
            1
        } else if self.needing_review() > 0 {
            3
        } else {
            0
        }
    }
}

pub fn run(batch: &Batch) -> std::io::Result<BatchReport> {
    private_dir(batch.out)?;
    let mut seen = HashSet::new();
    let named: Vec<(PathBuf, String, bool)> = batch
        .inputs
        .iter()
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string());
            let first = seen.insert(name.clone());
            (p.clone(), name, first)
        })
        .collect();
    let files: Vec<FileResult> = named
        .into_par_iter()
        .map(|(input, name, unique)| {
            let outcome = if !unique {
                FileOutcome::Failed {
                    page: None,
                    reason: format!(
                        "another input is also named {name}; outputs would collide, rename one"
                    ),
                }
            } else {
                redact_one(&input, &batch.out.join(&name), batch.terms)
            };
            FileResult {
                input,
                name,
                outcome,
            }
        })
        .collect();
    let report = BatchReport { files };
    write_logs(&report, batch)?;
    Ok(report)
}

fn redact_one(input: &Path, output: &Path, terms: &TermSet) -> FileOutcome {
    let bytes = match std::fs::read(input) {
        Ok(b) => b,
        Err(e) => {
            return FileOutcome::Failed {
                page: None,
                reason: format!("cannot read: {e}"),
            }
        }
    };
    let result = std::panic::catch_unwind(|| redact_pdf(&bytes, terms));
    match result {
        Ok(Ok(r)) => match write_atomic(output, &r.bytes) {
            Ok(()) => FileOutcome::Redacted(r),
            Err(e) => FileOutcome::Failed {
                page: None,
                reason: format!("cannot write {}: {e}", output.display()),
            },
        },
        Ok(Err(e)) => FileOutcome::Failed {
            page: e.page(),
            reason: e.to_string(),
        },
        Err(_) => FileOutcome::Failed {
            page: None,
            reason: "the PDF reader crashed on this file (internal error)".into(),
        },
    }
}

fn csv_bytes(header: &[&str], rows: Vec<Vec<String>>) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(std::io::Error::other)?;
    for r in rows {
        w.write_record(&r).map_err(std::io::Error::other)?;
    }
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

fn write_logs(report: &BatchReport, batch: &Batch) -> std::io::Result<()> {
    let mut log = Vec::new();
    let mut exceptions = Vec::new();
    let mut removed = Vec::new();
    for f in &report.files {
        match &f.outcome {
            FileOutcome::Redacted(r) => {
                for x in &r.redactions {
                    log.push(vec![
                        f.name.clone(),
                        x.page.to_string(),
                        x.text.clone(),
                        batch.reason.to_string(),
                        format!("{:.2}", x.rect.x0),
                        format!("{:.2}", x.rect.y0),
                        format!("{:.2}", x.rect.x1),
                        format!("{:.2}", x.rect.y1),
                    ]);
                }
                for v in &r.reviews {
                    exceptions.push(vec![
                        f.name.clone(),
                        v.page.map(|p| p.to_string()).unwrap_or_default(),
                        "review".into(),
                        v.reason.clone(),
                    ]);
                }
                for m in &r.removals {
                    removed.push(vec![f.name.clone(), m.object.clone(), m.action.clone()]);
                }
            }
            FileOutcome::Failed { page, reason } => exceptions.push(vec![
                f.name.clone(),
                page.map(|p| p.to_string()).unwrap_or_default(),
                "failed".into(),
                reason.clone(),
            ]),
        }
    }
    let out = batch.out;
    write_atomic(
        &out.join("redaction-log.csv"),
        &csv_bytes(
            &["document", "page", "text", "reason", "x0", "y0", "x1", "y1"],
            log,
        )?,
    )?;
    write_atomic(
        &out.join("exceptions.csv"),
        &csv_bytes(&["document", "page", "status", "reason"], exceptions)?,
    )?;
    write_atomic(
        &out.join("removed-objects.csv"),
        &csv_bytes(&["document", "object", "action"], removed)?,
    )?;
    Ok(())
}
