//! Ingest: exports and files in, one inventory row per item out, every item accounted for.
//!
//! `walk` lists the files, `detect` tells formats apart, one module per format reads it
//! (`dispatch` picks), `driver` recurses through containers and records each item,
//! `export_meta` reads the export's own listing, `inventory` de-duplicates and writes.

pub mod detect;
pub mod dispatch;
pub mod docx;
pub mod driver;
pub mod eml;
pub mod export_meta;
pub mod inventory;
pub mod mapi;
pub mod mbox;
pub mod model;
pub mod msg;
pub mod ole;
pub mod pdf;
pub mod plain;
pub mod pst;
pub mod sheet;
#[cfg(test)]
mod testutil;
pub mod textconv;
pub mod unwind;
pub mod walk;
pub mod zip;
pub mod ziputil;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

pub use driver::{Row, State};
pub use model::{
    Address, Child, ChildContent, Input, ItemKind, Limits, MailMeta, Own, ReadError, ReadFn,
};

pub struct IngestOptions {
    pub limits: Limits,
    /// Show a progress bar (only drawn on a terminal).
    pub progress: bool,
}

pub struct IngestReport {
    pub rows: Vec<Row>,
    pub bytes_read: u64,
}

impl IngestReport {
    pub fn count(&self, state: State) -> usize {
        self.rows.iter().filter(|r| r.state == state).count()
    }
}

/// Ingests `sources` into `out`: `inventory.csv` and `text/<item_id>.txt`.
pub fn ingest(
    sources: &[PathBuf],
    out: &Path,
    opts: &IngestOptions,
) -> std::io::Result<IngestReport> {
    crate::fsutil::private_dir(out)?;
    let text_dir = out.join("text");
    crate::fsutil::private_dir(&text_dir)?;
    let (files, problems) = walk::walk(sources);

    // Export listings are metadata, read apart from the documents.
    let mut listed = Vec::new();
    let mut listing_order = HashMap::new();
    let mut documents = Vec::new();
    let mut rows = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let name = f
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let is_meta = (name.ends_with(".csv")
            || name.ends_with(".CSV")
            || name.to_ascii_lowercase().ends_with(".xml"))
            && std::fs::read(&f.path)
                .ok()
                .is_some_and(|b| export_meta::is_export_metadata(&name, &b));
        if !is_meta {
            documents.push((i, f.clone()));
            continue;
        }
        let bytes = std::fs::read(&f.path)?;
        let (state, detail) = match export_meta::parse(&name, &f.label, &bytes) {
            Ok(l) => {
                let n = l.len();
                listed.extend(l);
                (
                    State::Ok,
                    format!("export listing of {n} item(s); read as metadata, not searched"),
                )
            }
            Err(e) => (
                State::Failed,
                format!("cannot read the export listing: {e}"),
            ),
        };
        listing_order.insert(f.label.clone(), vec![i as u32]);
        rows.push(Row {
            id: driver::sha256_hex(f.label.as_bytes())[..16].to_string(),
            parent_id: None,
            source_path: f.label.clone(),
            kind: ItemKind::ExportMetadata,
            sha256: driver::sha256_hex(&bytes),
            size: bytes.len() as u64,
            state,
            detail,
            mail: None,
            order: vec![i as u32],
            key: f.label.clone(),
        });
    }
    for (k, p) in problems.iter().enumerate() {
        rows.push(Row {
            id: driver::sha256_hex(p.label.as_bytes())[..16].to_string(),
            parent_id: None,
            source_path: p.label.clone(),
            kind: ItemKind::Other,
            sha256: String::new(),
            size: 0,
            state: State::Failed,
            detail: p.reason.clone(),
            mail: None,
            order: vec![u32::MAX, k as u32],
            key: p.label.clone(),
        });
    }

    let bytes_read = AtomicU64::new(0);
    let bar = if opts.progress {
        indicatif::ProgressBar::new(documents.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:30} {pos}/{len} files {per_sec} {elapsed_precise}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let ing = driver::Ingestor {
        limits: &opts.limits,
        text_dir: &text_dir,
        bytes_read: &bytes_read,
    };
    let files_only: Vec<walk::SourceFile> = documents.iter().map(|(_, f)| f.clone()).collect();
    let indexes: Vec<usize> = documents.iter().map(|(i, _)| *i).collect();
    let mut found = driver::run_files(&ing, &files_only, &bar);
    bar.finish_and_clear();
    // run_files numbers files by position in `files_only`; restore the walk's numbering.
    for r in &mut found {
        if let Some(first) = r.order.first_mut() {
            *first = indexes.get(*first as usize).copied().unwrap_or(usize::MAX) as u32;
        }
    }
    rows.extend(found);

    let dups = inventory::dedupe(&mut rows);
    for id in dups {
        let _ = std::fs::remove_file(text_dir.join(format!("{id}.txt")));
    }
    inventory::join_listing(&mut rows, &listed, &listing_order);
    inventory::write_csv(&rows, &out.join("inventory.csv"))?;
    Ok(IngestReport {
        rows,
        bytes_read: bytes_read.into_inner(),
    })
}
