//! Ingest: exports and files in, one inventory row per item out, every item accounted for.
//!
//! `walk` lists the files, `detect` tells formats apart, one module per format reads it
//! (`dispatch` picks), `driver` recurses through containers and records each item,
//! `export_meta` reads the export's own listing, `inventory` de-duplicates and writes.

pub mod blobs;
pub mod detect;
pub mod dispatch;
pub mod docx;
pub mod driver;
pub mod eml;
pub mod export_meta;
pub mod inventory;
pub mod listing;
pub mod mapi;
pub mod mbox;
pub mod model;
pub mod msg;
pub mod ole;
pub mod pdf;
pub mod plain;
pub mod pst;
pub mod rowcodec;
pub mod sheet;
pub mod spill;
#[cfg(test)]
mod testutil;
pub mod textconv;
pub mod unwind;
pub mod walk;
pub mod zip;
pub mod ziputil;

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub use blobs::{item_blob_path, read_item_blob};
pub use driver::{Row, State};
pub use inventory::{read_rows, Counts};
pub use model::{
    Address, Child, ChildContent, Input, ItemKind, Limits, MailMeta, Own, ReadError, ReadFn,
};

pub struct IngestOptions {
    pub limits: Limits,
    /// Show a progress bar (only drawn on a terminal).
    pub progress: bool,
}

/// What an ingest did. The rows themselves are in `OUT/inventory.csv` and, with every field,
/// in the row file [`read_rows`] streams: a report that held them would grow with the export.
#[derive(Debug, Clone)]
pub struct IngestReport {
    pub counts: Counts,
    pub bytes_read: u64,
    /// Item blobs written to `OUT/items` by this run (already-present ones are not counted).
    pub blobs_written: u64,
    pub blob_bytes: u64,
    /// Sorted runs the rows were spilled in before the final merge.
    pub runs: usize,
}

impl IngestReport {
    pub fn count(&self, state: State) -> usize {
        self.counts.state(state)
    }

    pub fn items(&self) -> usize {
        self.counts.items
    }

    /// Items by kind and state, a line per kind.
    pub fn summary(&self) -> String {
        self.counts.summary()
    }
}

/// Whether a walked file is an export listing (metadata, not a document): by its name and its
/// first 4 KB.
fn is_listing_file(f: &walk::SourceFile) -> bool {
    let name = file_name(f);
    let lower = name.to_ascii_lowercase();
    if !(lower.ends_with(".csv") || lower.ends_with(".xml")) {
        return false;
    }
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(&f.path)
        .and_then(|h| h.take(4096).read_to_end(&mut head))
        .is_ok()
        && export_meta::is_export_metadata(&name, &head)
}

fn file_name(f: &walk::SourceFile) -> String {
    f.path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads one listing file into the listing, or says why it cannot. It is parsed twice: once
/// to check it reads to the end (a listing that fails part-way adds nothing, as before), once
/// to add its entries, so neither pass holds it.
fn read_listing(
    f: &walk::SourceFile,
    index: u32,
    listing: &mut listing::ListingBuilder,
) -> Result<usize, String> {
    let name = file_name(f);
    let open = || {
        std::fs::File::open(&f.path)
            .map(|h| std::io::BufReader::with_capacity(1 << 16, h))
            .map_err(|e| e.to_string())
    };
    export_meta::parse_each(&name, &f.label, open()?, &mut |_| Ok(()))?;
    export_meta::parse_each(&name, &f.label, open()?, &mut |l| {
        listing.add(index, &l);
        Ok(())
    })
}

/// Ingests `sources` into `out`: `inventory.csv`, `text/<item_id>.txt`, `items/<sha256>` and
/// the row file. Memory stays flat as the export grows: rows, the listing and the keys for
/// de-duplication are spilled to `OUT/.work` as they are made and merged back in order at the
/// end ([`listing`]); only the keys that copies share are held.
pub fn ingest(
    sources: &[PathBuf],
    out: &Path,
    opts: &IngestOptions,
) -> std::io::Result<IngestReport> {
    crate::fsutil::private_dir(out)?;
    let text_dir = out.join("text");
    crate::fsutil::private_dir(&text_dir)?;
    let items_dir = blobs::items_dir(out);
    crate::fsutil::private_dir(&items_dir)?;
    let work = spill::work_dir(out);
    // A run that was stopped leaves its scratch files; they are rebuilt from scratch.
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    crate::fsutil::private_dir(&work)?;
    let recorder = listing::Recorder::new(&work, spill::RUN_BUDGET)?;

    // First walk: export listings are metadata, read apart from (and before) the documents, so
    // workers can check messages off as they find them; walk problems are rows of their own.
    let mut listing = listing::ListingBuilder::new(&work)?;
    let mut listing_files = HashSet::new();
    let mut documents = 0u64;
    for w in walk::walk_iter(sources) {
        match w {
            walk::Walked::File(i, f) if is_listing_file(&f) => {
                listing_files.insert(i);
                let (sha256, size) = listing::hash_file(&f.path)?;
                let (state, detail) = match read_listing(&f, i as u32, &mut listing) {
                    Ok(n) => (
                        State::Ok,
                        format!("export listing of {n} item(s); read as metadata, not searched"),
                    ),
                    Err(e) => (
                        State::Failed,
                        format!("cannot read the export listing: {e}"),
                    ),
                };
                recorder.record(&Row {
                    id: driver::sha256_hex(f.label.as_bytes())[..16].to_string(),
                    parent_id: None,
                    source_path: f.label.clone(),
                    kind: ItemKind::ExportMetadata,
                    sha256,
                    size,
                    state,
                    detail,
                    mail: None,
                    order: vec![i as u32],
                    key: f.label.clone(),
                });
            }
            walk::Walked::File(..) => documents += 1,
            walk::Walked::Problem(k, p) => recorder.record(&Row {
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
            }),
        }
    }

    let bytes_read = AtomicU64::new(0);
    let blob_stats = driver::BlobStats::default();
    let bar = if opts.progress {
        indicatif::ProgressBar::new(documents)
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
        recorder: &recorder,
        items_dir: &items_dir,
        blobs: &blob_stats,
    };
    // Second walk: the documents, read in parallel as the walk yields them.
    let docs = walk::walk_iter(sources).filter_map(|w| match w {
        walk::Walked::File(i, f) if !listing_files.contains(&i) => Some((i, f)),
        _ => None,
    });
    driver::run_files(&ing, docs, &bar);
    bar.finish_and_clear();

    let prepared = recorder.finish(listing)?;
    let runs = prepared.rows.runs();
    let counts = inventory::finish(prepared, out, &text_dir)?;
    Ok(IngestReport {
        counts,
        bytes_read: bytes_read.into_inner(),
        blobs_written: blob_stats.written.load(Ordering::Relaxed),
        blob_bytes: blob_stats.bytes.load(Ordering::Relaxed),
        runs,
    })
}
