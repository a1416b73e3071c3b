//! Rows on disk while ingest runs, so memory does not grow with the number of items.
//!
//! Readers produce rows in whatever order the parallel workers finish files. Each row is
//! encoded ([`super::rowcodec`]) into a fixed-size in-memory batch; a full batch is sorted by
//! the stable order and written as a run file under the case's output folder
//! (`OUT/.work/run-N.bin`: rows hold personal data, so never the system temp folder). At the
//! end the runs are merged back in the stable order, one record per run held at a time: an
//! external merge sort whose memory is the batch size plus one buffered reader per run.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::driver::Row;
use super::rowcodec;

/// Encoded bytes one batch holds before it is sorted and written as a run.
pub const RUN_BUDGET: usize = 4 << 20;

/// The scratch folder inside the output folder.
pub fn work_dir(out: &Path) -> PathBuf {
    out.join(".work")
}

use crate::fsutil::create_private;

struct Batch {
    rows: Vec<(Vec<u8>, Vec<u8>)>,
    bytes: usize,
}

/// An external sort of (key, payload) records, keys compared as bytes; workers push from any
/// thread.
pub struct Spill {
    dir: PathBuf,
    prefix: &'static str,
    budget: usize,
    batch: Mutex<Batch>,
    runs: Mutex<Vec<PathBuf>>,
    next_run: AtomicUsize,
    /// The first write error; ingest fails with it at the end rather than losing records.
    error: Mutex<Option<io::Error>>,
}

impl Spill {
    /// Run files go in `dir` (created private), named `<prefix>-N.bin`.
    pub fn new(dir: &Path, prefix: &'static str, budget: usize) -> io::Result<Spill> {
        crate::fsutil::private_dir(dir)?;
        Ok(Spill {
            dir: dir.to_path_buf(),
            prefix,
            budget: budget.max(1),
            batch: Mutex::new(Batch {
                rows: Vec::new(),
                bytes: 0,
            }),
            runs: Mutex::new(Vec::new()),
            next_run: AtomicUsize::new(0),
            error: Mutex::new(None),
        })
    }

    pub fn push(&self, key: Vec<u8>, payload: Vec<u8>) {
        let full = {
            let mut b = self.batch.lock().unwrap_or_else(|e| e.into_inner());
            b.bytes += key.capacity() + payload.capacity() + 64;
            b.rows.push((key, payload));
            if b.bytes >= self.budget {
                b.bytes = 0;
                Some(std::mem::take(&mut b.rows))
            } else {
                None
            }
        };
        // Sorted and written outside the lock, so other workers keep filling the next batch.
        if let Some(rows) = full {
            if let Err(e) = self.write_run(rows) {
                self.error
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert(e);
            }
        }
    }

    fn write_run(&self, mut rows: Vec<(Vec<u8>, Vec<u8>)>) -> io::Result<()> {
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let n = self.next_run.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.join(format!("{}-{n}.bin", self.prefix));
        let mut w = BufWriter::with_capacity(1 << 16, create_private(&path)?);
        for (key, payload) in &rows {
            rowcodec::write_record(&mut w, key)?;
            rowcodec::write_record(&mut w, payload)?;
        }
        w.flush()?;
        self.runs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path);
        Ok(())
    }

    /// Every pushed record, in key order (records with equal keys in no set order).
    pub fn finish(self) -> io::Result<Merged> {
        let rows = std::mem::take(&mut self.batch.lock().unwrap_or_else(|e| e.into_inner()).rows);
        if !rows.is_empty() {
            self.write_run(rows)?;
        }
        if let Some(e) = self.error.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(e);
        }
        let paths = std::mem::take(&mut *self.runs.lock().unwrap_or_else(|e| e.into_inner()));
        Merged::open(paths)
    }
}

/// A k-way merge of sorted run files. The run files are removed when it is dropped.
pub struct Merged {
    paths: Vec<PathBuf>,
    readers: Vec<BufReader<File>>,
    /// The payload each run has ready, by run.
    heads: Vec<Vec<u8>>,
    heap: BinaryHeap<Reverse<(Vec<u8>, usize)>>,
}

impl Merged {
    fn open(paths: Vec<PathBuf>) -> io::Result<Merged> {
        let mut s = Merged {
            readers: Vec::with_capacity(paths.len()),
            heads: vec![Vec::new(); paths.len()],
            heap: BinaryHeap::new(),
            paths,
        };
        for i in 0..s.paths.len() {
            s.readers
                .push(BufReader::with_capacity(1 << 15, File::open(&s.paths[i])?));
            s.advance(i)?;
        }
        Ok(s)
    }

    /// Loads run `i`'s next record and queues it.
    fn advance(&mut self, i: usize) -> io::Result<()> {
        let mut key = Vec::new();
        if rowcodec::read_record(&mut self.readers[i], &mut key)? {
            if !rowcodec::read_record(&mut self.readers[i], &mut self.heads[i])? {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "run file ends inside a record",
                ));
            }
            self.heap.push(Reverse((key, i)));
        }
        Ok(())
    }

    /// How many run files the merge reads.
    pub fn runs(&self) -> usize {
        self.paths.len()
    }
}

impl Iterator for Merged {
    type Item = io::Result<(Vec<u8>, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        let Reverse((key, i)) = self.heap.pop()?;
        let payload = std::mem::take(&mut self.heads[i]);
        if let Err(e) = self.advance(i) {
            return Some(Err(e));
        }
        Some(Ok((key, payload)))
    }
}

impl Drop for Merged {
    fn drop(&mut self) {
        self.readers.clear();
        for p in &self.paths {
            let _ = fs::remove_file(p);
        }
    }
}

/// The stable order as bytes that sort the same way: each number big-endian, so a parent
/// (a prefix) sorts before its children and numbers compare numerically.
pub fn order_key(order: &[u32]) -> Vec<u8> {
    order.iter().flat_map(|o| o.to_be_bytes()).collect()
}

/// Rows, sorted back into the stable order.
pub struct RowSpill(Spill);

impl RowSpill {
    pub fn new(dir: &Path, budget: usize) -> io::Result<RowSpill> {
        Spill::new(dir, "rows", budget).map(RowSpill)
    }

    pub fn push(&self, row: &Row) {
        let mut payload = rowcodec::encode(row);
        payload.shrink_to_fit();
        self.0.push(order_key(&row.order), payload);
    }

    pub fn finish(self) -> io::Result<SortedRows> {
        self.0.finish().map(SortedRows)
    }
}

/// Rows in the stable order, decoded one at a time.
pub struct SortedRows(Merged);

impl SortedRows {
    pub fn runs(&self) -> usize {
        self.0.runs()
    }
}

impl Iterator for SortedRows {
    type Item = io::Result<Row>;

    fn next(&mut self) -> Option<io::Result<Row>> {
        Some(
            self.0
                .next()?
                .and_then(|(_, payload)| rowcodec::decode(&payload)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ItemKind, State};

    fn row(order: Vec<u32>) -> Row {
        Row {
            id: format!("{:016x}", order.iter().map(|&o| o as u64).sum::<u64>()),
            parent_id: None,
            source_path: format!("{order:?}"),
            kind: ItemKind::Text,
            sha256: String::new(),
            size: 1,
            state: State::Ok,
            detail: String::new(),
            mail: None,
            order,
            key: String::new(),
        }
    }

    #[test]
    fn many_small_runs_merge_back_in_order_and_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(".work");
        // A budget of one byte: every row is its own run, the worst case for the merge.
        let spill = RowSpill::new(&dir, 1).unwrap();
        let mut orders = Vec::new();
        let mut state = 7u64;
        for _ in 0..300 {
            state = crate::ingest::testutil::xorshift(&mut state);
            let o = vec![
                (state % 5) as u32,
                (state >> 8) as u32 % 7,
                (state >> 16) as u32,
            ];
            orders.push(o);
        }
        orders.sort();
        orders.dedup();
        let mut shuffled = orders.clone();
        shuffled.reverse();
        shuffled.rotate_left(17);
        std::thread::scope(|s| {
            for part in shuffled.chunks(50) {
                let spill = &spill;
                s.spawn(move || part.iter().for_each(|o| spill.push(&row(o.clone()))));
            }
        });
        let sorted = spill.finish().unwrap();
        assert_eq!(sorted.runs(), orders.len());
        let back: Vec<Vec<u32>> = sorted.map(|r| r.unwrap().order).collect();
        assert_eq!(back, orders);
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0, "run files removed");
    }
}
