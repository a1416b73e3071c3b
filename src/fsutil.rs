//! Writing outputs atomically and privately: a half-written file must never be mistaken for a
//! finished one, and files holding personal data are readable by their owner only.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Creates `dir` (and parents) readable by the owner only.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same folder, then renames it,
/// after forcing the data to disk: for outputs a person relies on.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_via_temp(path, bytes, true)
}

/// The same without forcing the data to disk: for intermediate files a re-run rebuilds (the
/// searchable text of every ingested item), where one `fsync` per item would make ingest
/// wait on the disk instead of reading.
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_via_temp(path, bytes, false)
}

/// Writes a scratch file in place (owner-only, truncated first), with no temporary name and
/// no rename: for the per-item text files of an ingest, tens of thousands per run, where the
/// rename costs a directory lock each and nothing trusts the files until the run's last
/// step commits: ingest first removes the `.work` folder whose proposals file seals read, so
/// a run stopped part-way leaves nothing that can be sealed.
pub fn write_scratch(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    create_private(path)?.write_all(bytes)
}

/// Creates (or truncates) `path` for writing, readable by its owner only.
pub fn create_private(path: &Path) -> std::io::Result<fs::File> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Like [`write_atomic`], for outputs too large to hold in memory (a bundle of many PDFs):
/// `write` fills a fresh temporary file in the same folder (created 0600), which is then
/// forced to disk and renamed over `path`. If `write` fails, the temporary file is removed
/// and `path` is left as it was, so a failed or killed run never leaves a file that looks
/// finished. The file handle is readable too, so `write` may seek back and hash what it wrote.
pub fn write_atomic_with<T, E>(
    path: &Path,
    write: impl FnOnce(&mut fs::File) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<std::io::Error>,
{
    let tmp = temp_path(path);
    let mut opts = fs::OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let result = (|| {
        let mut f = opts.open(&tmp)?;
        let value = write(&mut f)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A temporary sibling of `path` to write it through: in the same folder (so the rename is
/// atomic and the data never leaves the case folder), hidden, named so it cannot be mistaken
/// for the finished file, and unique, so parallel writers never share one.
pub fn temp_path(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    unique_temp(dir, name)
}

fn write_via_temp(path: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let tmp = temp_path(path);
    {
        let mut f = create_private(&tmp)?;
        f.write_all(bytes)?;
        if sync {
            f.sync_all()?;
        }
    }
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary name in `dir` no other writer in this process or another run will pick: the
/// process id and a per-process counter (parallel workers may write the same target at once).
pub fn unique_temp(dir: &Path, name: &str) -> PathBuf {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{name}.{}.{n}.partial", std::process::id()))
}

/// A file written through a temporary name in the same folder and renamed into place on
/// [`AtomicWriter::commit`], for outputs too large to build in memory first (the inventory of a
/// large export). Dropped without a commit, the temporary file is removed.
pub struct AtomicWriter {
    tmp: PathBuf,
    path: PathBuf,
    w: Option<std::io::BufWriter<fs::File>>,
}

impl AtomicWriter {
    pub fn create(path: &Path) -> std::io::Result<AtomicWriter> {
        let tmp = temp_path(path);
        let f = create_private(&tmp)?;
        Ok(AtomicWriter {
            tmp,
            path: path.to_path_buf(),
            w: Some(std::io::BufWriter::with_capacity(1 << 16, f)),
        })
    }

    /// Renames the finished file into place; `sync` forces it to disk first (for outputs a
    /// person relies on).
    pub fn commit(mut self, sync: bool) -> std::io::Result<()> {
        let w = self
            .w
            .take()
            .ok_or_else(|| std::io::Error::other("already committed"))?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        if sync {
            f.sync_all()?;
        }
        drop(f);
        fs::rename(&self.tmp, &self.path)
    }
}

impl Write for AtomicWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.w.as_mut() {
            Some(w) => w.write(buf),
            None => Err(std::io::Error::other("already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.w.as_mut() {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicWriter {
    fn drop(&mut self) {
        if self.w.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}
