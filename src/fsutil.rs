//! Writing outputs atomically and privately: a half-written file must never be mistaken for a
//! finished one, and files holding personal data are readable by their owner only.

use std::fs;
use std::io::Write;
use std::path::Path;

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

/// The temporary sibling `path` is written through: hidden, and named so it cannot be
/// mistaken for the finished file.
fn temp_path(path: &Path) -> std::path::PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    dir.join(format!(".{name}.{}.partial", std::process::id()))
}

fn write_via_temp(path: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    let tmp = dir.join(format!(".{name}.{}.partial", std::process::id()));
    {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        if sync {
            f.sync_all()?;
        }
    }
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// A file being written beside `path` (hidden, created 0600) that only becomes `path` when
/// [`PartialFile::publish`] forces it to disk and renames it. Dropped unpublished (an error, a
/// panic, an early return), the temporary file is removed: for outputs written piece by piece
/// by code that owns the writer, where [`write_atomic_with`]'s closure does not fit.
#[derive(Debug)]
pub struct PartialFile {
    file: fs::File,
    tmp: std::path::PathBuf,
    path: std::path::PathBuf,
    published: bool,
}

impl PartialFile {
    pub fn create(path: &Path) -> std::io::Result<PartialFile> {
        let tmp = temp_path(path);
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let file = opts.open(&tmp)?;
        Ok(PartialFile {
            file,
            tmp,
            path: path.to_path_buf(),
            published: false,
        })
    }

    /// Where the file appears once published.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Forces the data to disk, then renames the temporary file over the final path.
    pub fn publish(mut self) -> std::io::Result<()> {
        self.file.flush()?;
        self.file.sync_all()?;
        fs::rename(&self.tmp, &self.path)?;
        self.published = true;
        Ok(())
    }
}

impl Write for PartialFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.file.write_all(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}
