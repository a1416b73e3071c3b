//! Sealing throughput (divan): the AES-256 zip writer and the SHA-256 manifest.
//!
//!   cargo bench --bench bundle
//!
//! The workload is what `disclose seal` hands the writer: 50 redacted PDFs of ~100 KB held in
//! memory (`EntrySource::Bytes`, as seal renders them) and one 20 MB original disclosed as it
//! stands, streamed from disk (`EntrySource::File`). PDF bytes are mostly incompressible, as
//! real PDFs' Flate streams and images are, with some object syntax between.
//!
//! * `write_encrypted_zip`: deflate + WinZip AES-256 + the zip's own SHA-256, into a tempdir,
//!   written atomically (temp file, fsync, rename): bytes are the entries' bytes.
//! * `add_manifest`: SHA-256 of every entry and the `manifest.sha256` text.
//! * `sha256_in_memory`: `sha2` over the 20 MB entry in memory: this machine's hashing
//!   ceiling, to read the two figures above against.
//!
//! Under `cargo test --all-targets` the entries are cut to a few small ones.

use std::path::PathBuf;
use std::sync::LazyLock;

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use sha2::{Digest, Sha256};

use disclose::bundle::{add_manifest, write_encrypted_zip, Entry, EntrySource, MANIFEST_NAME};

mod support;
use support::{measuring, Rng, FIRST, LAST};

const PASSWORD: &str = "correct-horse-battery-staple-42";

fn main() {
    divan::main();
}

/// PDF-shaped bytes: object syntax with names in it every so often, the rest stream data.
fn pdf_like(r: &mut Rng, len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut obj = 1;
    while v.len() < len {
        v.extend_from_slice(
            format!(
                "{obj} 0 obj\n<< /Type /Annot /Contents ({} {}) /Filter /FlateDecode /Length 4096 >>\nstream\n",
                r.pick(FIRST),
                r.pick(LAST)
            )
            .as_bytes(),
        );
        for _ in 0..512 {
            v.extend_from_slice(&r.next().to_le_bytes());
        }
        v.extend_from_slice(b"\nendstream\nendobj\n");
        obj += 1;
    }
    v.truncate(len);
    v.extend_from_slice(b"\n%%EOF\n");
    v
}

struct Workload {
    /// Holds the large original and receives the zips.
    dir: tempfile::TempDir,
    entries: Vec<Entry>,
    bytes: usize,
    large: Vec<u8>,
}

static WORK: LazyLock<Workload> = LazyLock::new(|| {
    let (pdfs, pdf_len, large_len) = if measuring() {
        (50, 100_000, 20 << 20)
    } else {
        (3, 20_000, 200_000)
    };
    let mut r = Rng(0x5eed_0006);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut entries: Vec<Entry> = (0..pdfs)
        .map(|i| {
            let name = format!("{:04}-{} {}.pdf", i + 1, r.pick(FIRST), r.pick(LAST));
            let len = pdf_len - 5_000 + r.below(10_000);
            Entry {
                name,
                source: EntrySource::Bytes(pdf_like(&mut r, len)),
            }
        })
        .collect();
    let large = pdf_like(&mut r, large_len);
    let path: PathBuf = dir.path().join("scanned-pupil-file.pdf");
    std::fs::write(&path, &large).expect("write the large original");
    entries.push(Entry {
        name: "originals/scanned-pupil-file.pdf".into(),
        source: EntrySource::File(path),
    });
    let bytes = entries
        .iter()
        .map(|e| match &e.source {
            EntrySource::Bytes(b) => b.len(),
            EntrySource::File(_) => large.len(),
        })
        .sum();
    Workload {
        dir,
        entries,
        bytes,
        large,
    }
});

#[divan::bench(sample_count = 10)]
fn write_encrypted_zip_aes256(bencher: Bencher) {
    let w = &*WORK;
    let out = w.dir.path().join("bundle.zip");
    let written = write_encrypted_zip(&out, &w.entries, PASSWORD).expect("zip writes");
    assert_eq!(written.entries, w.entries.len());
    let zip_len = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    // Incompressible PDFs must not shrink much nor grow past the AES and header overhead.
    assert!(zip_len as usize > w.bytes / 2 && (zip_len as usize) < w.bytes + w.bytes / 10);
    bencher
        .counter(BytesCount::new(w.bytes))
        .bench(|| write_encrypted_zip(black_box(&out), &w.entries, PASSWORD).expect("zip writes"));
}

#[divan::bench(sample_count = 10)]
fn add_manifest_sha256(bencher: Bencher) {
    let w = &*WORK;
    bencher
        .counter(BytesCount::new(w.bytes))
        .with_inputs(|| w.entries.clone())
        .bench_local_values(|mut entries| {
            add_manifest(&mut entries).expect("manifest");
            let last = entries.last().map(|e| e.name == MANIFEST_NAME);
            assert_eq!(last, Some(true));
            entries
        });
}

#[divan::bench(sample_count = 10)]
fn sha256_in_memory(bencher: Bencher) {
    let w = &*WORK;
    bencher
        .counter(BytesCount::new(w.large.len()))
        .bench(|| Sha256::digest(black_box(&w.large)));
}
