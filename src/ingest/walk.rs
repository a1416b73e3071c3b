//! Turning SOURCE arguments into the list of files to ingest, in a stable order, each labelled
//! with its path relative to the SOURCE as the user gave it.

use std::path::{Path, PathBuf};

/// One file to ingest.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Human-readable path as the user would recognise it (`export/jane.doe.pst`).
    pub label: String,
}

/// Problems met while walking, reported as failed items rather than aborting.
#[derive(Debug, Clone)]
pub struct WalkProblem {
    pub label: String,
    pub reason: String,
}

/// What the walk meets, in order: a file with its number among all files, or a problem with
/// its number among all problems.
#[derive(Debug, Clone)]
pub enum Walked {
    File(usize, SourceFile),
    Problem(usize, WalkProblem),
}

/// The walk as a stream: folders are read (sorted) as it goes, so an export of a hundred
/// thousand loose messages is never listed whole in memory. Two walks of an unchanged tree
/// yield the same sequence.
pub fn walk_iter(sources: &[PathBuf]) -> impl Iterator<Item = Walked> + '_ {
    let mut n_files = 0usize;
    let mut n_problems = 0usize;
    sources
        .iter()
        .flat_map(|src| -> Box<dyn Iterator<Item = Result<SourceFile, WalkProblem>> + Send> {
            let given = src.display().to_string();
            match std::fs::metadata(src) {
                Ok(m) if m.is_dir() => {
                    let src = src.clone();
                    Box::new(
                        walkdir::WalkDir::new(&src)
                            .follow_links(false)
                            .sort_by_file_name()
                            .into_iter()
                            .filter_map(move |entry| match entry {
                                Ok(e) if e.file_type().is_file() => Some(Ok(SourceFile {
                                    label: label_for(&src, &given, e.path()),
                                    path: e.into_path(),
                                })),
                                Ok(e) if e.file_type().is_symlink() => Some(Err(WalkProblem {
                                    label: label_for(&src, &given, e.path()),
                                    reason: "symbolic link not followed: copy the file it points to into the export".into(),
                                })),
                                Ok(_) => None,
                                Err(err) => Some(Err(WalkProblem {
                                    label: err
                                        .path()
                                        .map(|p| label_for(&src, &given, p))
                                        .unwrap_or_else(|| given.clone()),
                                    reason: format!("cannot read: {err}"),
                                })),
                            }),
                    )
                }
                Ok(_) => Box::new(std::iter::once(Ok(SourceFile {
                    path: src.clone(),
                    label: given,
                }))),
                Err(e) => Box::new(std::iter::once(Err(WalkProblem {
                    label: given,
                    reason: format!("cannot read: {e}"),
                }))),
            }
        })
        .map(move |r| match r {
            Ok(f) => {
                n_files += 1;
                Walked::File(n_files - 1, f)
            }
            Err(p) => {
                n_problems += 1;
                Walked::Problem(n_problems - 1, p)
            }
        })
}

/// The whole walk at once (small inputs and tests).
pub fn walk(sources: &[PathBuf]) -> (Vec<SourceFile>, Vec<WalkProblem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for w in walk_iter(sources) {
        match w {
            Walked::File(_, f) => files.push(f),
            Walked::Problem(_, p) => problems.push(p),
        }
    }
    (files, problems)
}

fn label_for(root: &Path, given: &str, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let rel = rel.to_string_lossy().replace('\\', "/");
    let base = given.trim_end_matches('/');
    if base.is_empty() || base == "." {
        rel
    } else {
        format!("{base}/{rel}")
    }
}
