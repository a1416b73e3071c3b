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

pub fn walk(sources: &[PathBuf]) -> (Vec<SourceFile>, Vec<WalkProblem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for src in sources {
        let given = src.display().to_string();
        match std::fs::metadata(src) {
            Ok(m) if m.is_dir() => {
                let mut found = Vec::new();
                for entry in walkdir::WalkDir::new(src)
                    .follow_links(false)
                    .sort_by_file_name()
                {
                    match entry {
                        Ok(e) if e.file_type().is_file() => found.push(e.into_path()),
                        Ok(e) if e.file_type().is_symlink() => problems.push(WalkProblem {
                            label: label_for(src, &given, e.path()),
                            reason: "symbolic link not followed: copy the file it points to into the export".into(),
                        }),
                        Ok(_) => {}
                        Err(err) => problems.push(WalkProblem {
                            label: err.path().map(|p| label_for(src, &given, p)).unwrap_or_else(|| given.clone()),
                            reason: format!("cannot read: {err}"),
                        }),
                    }
                }
                files.extend(found.into_iter().map(|p| SourceFile {
                    label: label_for(src, &given, &p),
                    path: p,
                }));
            }
            Ok(_) => files.push(SourceFile {
                path: src.clone(),
                label: given,
            }),
            Err(e) => problems.push(WalkProblem {
                label: given,
                reason: format!("cannot read: {e}"),
            }),
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
