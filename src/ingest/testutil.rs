//! Helpers shared by the readers' tests.

use super::model::{Child, ChildContent, Own, ReadError};

/// The shared test corpus lives beside the repository rather than in it.
pub(crate) const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

/// A file of the shared corpus by its path below [`CORPUS`]. Without the corpus a test says so
/// and passes, so the suite still runs on a machine that has only the repository.
pub(crate) fn corpus_file(rel: &str) -> Option<Vec<u8>> {
    let path = std::path::Path::new(CORPUS).join(rel);
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(_) => {
            println!("skipped: {} is absent", path.display());
            None
        }
    }
}

/// A small deterministic generator, so a failing corruption can be replayed.
pub(crate) fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// How a read of damaged input ended: 0 read, 1 refused, 2 read with a failed part.
pub(crate) fn outcome(r: &Result<Own, ReadError>, children: &[Child]) -> usize {
    let failed = children
        .iter()
        .any(|c| matches!(c.content, ChildContent::Failed { .. }));
    if r.is_err() {
        1
    } else if failed {
        2
    } else {
        0
    }
}
