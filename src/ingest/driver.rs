//! The ingest driver: every file through the right reader, every child recursively, each
//! object hashed, numbered and recorded, its searchable text written out. Files run in
//! parallel; one file's problems never stop another's.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::detect::{detect, Format};
use super::dispatch::reader_for;
use super::listing::Recorder;
use super::model::{Child, ChildContent, Input, ItemKind, Limits, MailMeta, Own, ReadError};
use super::walk::SourceFile;

/// Where an item stands in the inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    Ok,
    Duplicate,
    Failed,
    Unsupported,
}

impl State {
    /// Every state, in declaration order (the spill files store the index).
    pub const ALL: [State; 4] = [
        State::Ok,
        State::Duplicate,
        State::Failed,
        State::Unsupported,
    ];

    pub fn label(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Duplicate => "duplicate",
            State::Failed => "failed",
            State::Unsupported => "unsupported",
        }
    }
}

/// One inventory row.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub parent_id: Option<String>,
    pub source_path: String,
    pub kind: ItemKind,
    pub sha256: String,
    pub size: u64,
    pub state: State,
    pub detail: String,
    pub mail: Option<MailMeta>,
    /// Stable order: source file index, then position inside each container.
    pub order: Vec<u32>,
    /// Identity key the id is derived from (label and ordinals).
    pub key: String,
}

pub const PATH_SEP: &str = " › ";

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn id_for(key: &str) -> String {
    sha256_hex(key.as_bytes())[..16].to_string()
}

/// Mail headers as they open the searchable text of a message.
pub fn mail_header_text(m: &MailMeta) -> String {
    let join = |v: &[super::model::Address]| {
        v.iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut s = String::new();
    s.push_str(&format!("From: {}\n", join(&m.from)));
    s.push_str(&format!("To: {}\n", join(&m.to)));
    if !m.cc.is_empty() {
        s.push_str(&format!("Cc: {}\n", join(&m.cc)));
    }
    if !m.bcc.is_empty() {
        s.push_str(&format!("Bcc: {}\n", join(&m.bcc)));
    }
    if let Some(d) = m.date {
        s.push_str(&format!("Date: {}\n", d.format("%Y-%m-%dT%H:%M:%SZ")));
    }
    s.push_str(&format!("Subject: {}\n", m.subject));
    if !m.attachment_names.is_empty() {
        s.push_str(&format!("Attachments: {}\n", m.attachment_names.join(", ")));
    }
    s.push('\n');
    s
}

pub struct Ingestor<'a> {
    pub limits: &'a Limits,
    pub text_dir: &'a Path,
    pub bytes_read: &'a AtomicU64,
    /// Where every row goes the moment it is complete (memory does not hold them).
    pub recorder: &'a Recorder,
    /// `OUT/items`: the stored bytes of items later stages need ([`super::blobs`]).
    pub items_dir: &'a Path,
    pub blobs: &'a BlobStats,
}

/// What keeping item bytes cost: new blob files and their bytes.
#[derive(Debug, Default)]
pub struct BlobStats {
    pub written: AtomicU64,
    pub bytes: AtomicU64,
}

/// Top-level mbox files (by name, or by content when at least this large) are read from disk as
/// a stream rather than whole; only mbox has a streaming reader. Sniffing every small file's
/// content would cost an extra open per loose message.
const STREAM_FROM: u64 = 1 << 20;

/// Reads through to a SHA-256 of everything read.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    n: u64,
}

impl<R: std::io::Read> std::io::Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.hasher.update(&buf[..k]);
        self.n += k as u64;
        Ok(k)
    }
}

struct Ctx<'a> {
    /// Rows recorded for the current source file (the per-file item cap).
    count: usize,
    ing: &'a Ingestor<'a>,
    /// The mailbox messages being read belong to, when their container names it (an mbox
    /// file is named after its account; a PST reader sets it itself).
    mailbox: Option<String>,
    /// SHA-256 of the containers being read, outermost first.
    ancestors: Vec<String>,
    /// The file on disk the top-level item was read from (its bytes are kept as a link).
    source: Option<&'a Path>,
}

impl Ingestor<'_> {
    /// Records the rows of one source file and everything inside it.
    pub fn file(&self, index: usize, file: &SourceFile) {
        let mut ctx = Ctx {
            count: 0,
            ing: self,
            mailbox: None,
            ancestors: Vec::new(),
            source: Some(&file.path),
        };
        let order = vec![index as u32];
        let key = file.label.clone();
        let name = file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::metadata(&file.path) {
            Ok(m)
                if (m.len() >= STREAM_FROM || has_mbox_extension(&name))
                    && is_mbox_file(&file.path, &name) =>
            {
                ctx.visit_mbox_file(&file.path, &name, file.label.clone(), key, order);
            }
            Ok(m) if m.len() > self.limits.max_item_bytes => {
                ctx.push(failed_row(
                    &key,
                    None,
                    file.label.clone(),
                    order,
                    m.len(),
                    None,
                    State::Failed,
                    format!(
                        "limit reached: the file is {} MB, over the {} MB limit for one object",
                        m.len() >> 20,
                        self.limits.max_item_bytes >> 20
                    ),
                ));
            }
            _ => match std::fs::read(&file.path) {
                Ok(bytes) => {
                    self.bytes_read
                        .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                    ctx.visit(&bytes, &name, file.label.clone(), key, None, order, 0);
                }
                Err(e) => ctx.push(failed_row(
                    &key,
                    None,
                    file.label.clone(),
                    order,
                    0,
                    None,
                    State::Failed,
                    format!("cannot read: {e}"),
                )),
            },
        }
    }
}

fn has_mbox_extension(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".mbox") || lower.ends_with(".mbx")
}

/// Whether a file on disk is an mbox, from its first 64 KB and its name.
fn is_mbox_file(path: &Path, name: &str) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(1 << 16);
    std::fs::File::open(path)
        .and_then(|f| f.take(1 << 16).read_to_end(&mut head))
        .is_ok()
        && detect(&head, name) == Format::Mbox
}

#[allow(clippy::too_many_arguments)]
fn failed_row(
    key: &str,
    parent: Option<&str>,
    path: String,
    order: Vec<u32>,
    size: u64,
    sha: Option<String>,
    state: State,
    detail: String,
) -> Row {
    Row {
        id: id_for(key),
        parent_id: parent.map(String::from),
        source_path: path,
        kind: ItemKind::Other,
        sha256: sha.unwrap_or_default(),
        size,
        state,
        detail,
        mail: None,
        order,
        key: key.to_string(),
    }
}

fn kind_of(format: Format) -> ItemKind {
    match format {
        Format::Pdf => ItemKind::Pdf,
        Format::Pst => ItemKind::Pst,
        Format::Msg | Format::Eml => ItemKind::Email,
        Format::Mbox => ItemKind::Mbox,
        Format::Zip => ItemKind::Zip,
        Format::Docx => ItemKind::Docx,
        Format::Workbook | Format::Csv => ItemKind::Workbook,
        Format::Html => ItemKind::Html,
        Format::Text => ItemKind::Text,
        Format::Image => ItemKind::Image,
        Format::Media => ItemKind::Media,
        Format::UnsupportedDocument(_) | Format::Encrypted(_) | Format::Unknown => ItemKind::Other,
    }
}

impl Ctx<'_> {
    #[allow(clippy::too_many_arguments)]
    fn visit(
        &mut self,
        bytes: &[u8],
        name: &str,
        path: String,
        key: String,
        parent: Option<String>,
        order: Vec<u32>,
        depth: usize,
    ) {
        let sha = sha256_hex(bytes);
        let format = detect(bytes, name);
        let id = id_for(&key);
        let mut row = Row {
            id: id.clone(),
            parent_id: parent,
            source_path: path.clone(),
            kind: kind_of(format),
            sha256: sha,
            size: bytes.len() as u64,
            state: State::Ok,
            detail: String::new(),
            mail: None,
            order: order.clone(),
            key: key.clone(),
        };
        if depth > self.ing.limits.max_depth {
            row.state = State::Failed;
            row.detail = format!(
                "limit reached: nested deeper than {} containers",
                self.ing.limits.max_depth
            );
            self.push(row);
            return;
        }
        // A message that attaches itself (or a zip that holds itself) would be read again at
        // every level: exponential work for nothing new.
        if self.ancestors.contains(&row.sha256) {
            row.state = State::Failed;
            row.detail = "limit reached: identical to a container it is inside (an attachment loop); not read again".into();
            self.push(row);
            return;
        }
        if self.count >= self.ing.limits.max_entries {
            row.state = State::Failed;
            row.detail = format!(
                "limit reached: more than {} items inside one source file; the rest of it was not read",
                self.ing.limits.max_entries
            );
            self.push(row);
            return;
        }
        let reader = match reader_for(format) {
            Ok(r) => r,
            Err(e) => {
                row.state = match e {
                    ReadError::Unsupported(_) => State::Unsupported,
                    _ => State::Failed,
                };
                row.detail = e.to_string();
                self.keep_bytes(&mut row, bytes);
                self.push(row);
                return;
            }
        };
        let input = Input {
            bytes,
            name,
            limits: self.ing.limits,
        };
        // Each child is visited the moment the reader hands it over, so a mailbox of ten
        // thousand messages is never held whole.
        let mut ordinal = 0u32;
        let outer_mailbox = self.mailbox.clone();
        if format == Format::Mbox {
            let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
            self.mailbox = Some(stem.to_string());
        }
        self.ancestors.push(row.sha256.clone());
        let result = {
            let mut emit = |c: Child| {
                self.child(c, &path, &key, &id, &order, ordinal, depth);
                ordinal += 1;
            };
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader(&input, &mut emit)))
        };
        self.mailbox = outer_mailbox;
        self.ancestors.pop();
        let own = match result {
            Ok(Ok(own)) => Some(own),
            Ok(Err(e)) => {
                row.state = match e {
                    ReadError::Unsupported(_) => State::Unsupported,
                    _ => State::Failed,
                };
                row.detail = e.to_string();
                None
            }
            Err(_) => {
                row.state = State::Failed;
                row.detail = "cannot read: the reader crashed on this file (internal error; please report it)".into();
                None
            }
        };
        if let Some(own) = own {
            self.record_own(&mut row, own);
        }
        self.keep_bytes(&mut row, bytes);
        self.push(row);
    }

    /// Records one finished row (spilled, not held).
    fn push(&mut self, row: Row) {
        self.count += 1;
        self.ing.recorder.record(&row);
    }

    /// Keeps the item's stored bytes for the stages after search, when they need them.
    fn keep_bytes(&mut self, row: &mut Row, bytes: &[u8]) {
        if !super::blobs::keeps_bytes(row.kind, row.state) {
            return;
        }
        // Only the top-level item is the file on disk; what it contains is copied.
        let stored = match self.source {
            Some(source) if row.parent_id.is_none() => {
                super::blobs::store_linked(self.ing.items_dir, &row.sha256, source, bytes)
            }
            _ => super::blobs::store(self.ing.items_dir, &row.sha256, bytes),
        };
        match stored {
            Ok(true) => {
                self.ing.blobs.written.fetch_add(1, Ordering::Relaxed);
                self.ing
                    .blobs
                    .bytes
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
            }
            Ok(false) => {}
            Err(e) => {
                row.state = State::Failed;
                row.detail = format!(
                    "cannot keep its bytes in {}: {e}",
                    self.ing.items_dir.display()
                );
            }
        }
    }

    /// A top-level mbox read from disk as a stream: the same rows as [`Ctx::visit`] would
    /// give for its bytes, without holding the file. (No ancestor check is needed: nothing
    /// encloses a top-level file.)
    fn visit_mbox_file(
        &mut self,
        file: &Path,
        name: &str,
        path: String,
        key: String,
        order: Vec<u32>,
    ) {
        let id = id_for(&key);
        let mut row = Row {
            id: id.clone(),
            parent_id: None,
            source_path: path.clone(),
            kind: ItemKind::Mbox,
            sha256: String::new(),
            size: 0,
            state: State::Ok,
            detail: String::new(),
            mail: None,
            order: order.clone(),
            key: key.clone(),
        };
        let f = match std::fs::File::open(file) {
            Ok(f) => f,
            Err(e) => {
                row.state = State::Failed;
                row.detail = format!("cannot read: {e}");
                self.push(row);
                return;
            }
        };
        let mut reader = std::io::BufReader::with_capacity(
            1 << 16,
            HashingReader {
                inner: f,
                hasher: Sha256::new(),
                n: 0,
            },
        );
        let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
        self.mailbox = Some(stem.to_string());
        let limits = self.ing.limits;
        let mut ordinal = 0u32;
        let result = {
            let mut emit = |c: Child| {
                self.child(c, &path, &key, &id, &order, ordinal, 0);
                ordinal += 1;
            };
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                super::mbox::read_from(&mut reader, limits, &mut emit)
            }))
        };
        self.mailbox = None;
        // Whatever the reader left unread still counts towards the file's hash.
        let drained = std::io::copy(&mut reader, &mut std::io::sink());
        let h = reader.into_inner();
        self.ing.bytes_read.fetch_add(h.n, Ordering::Relaxed);
        row.size = h.n;
        row.sha256 = hex(&h.hasher.finalize());
        let own = match (result, drained) {
            (Ok(Ok(own)), Ok(_)) => Some(own),
            (Ok(Err(e)), _) => {
                row.state = State::Failed;
                row.detail = e.to_string();
                None
            }
            (Ok(Ok(_)), Err(e)) => {
                row.state = State::Failed;
                row.detail = format!("cannot read: {e}");
                None
            }
            (Err(_), _) => {
                row.state = State::Failed;
                row.detail = "cannot read: the reader crashed on this file (internal error; please report it)".into();
                None
            }
        };
        if let Some(own) = own {
            self.record_own(&mut row, own);
        }
        self.push(row);
    }

    fn record_own(&mut self, row: &mut Row, mut own: Own) {
        if own.kind != ItemKind::Other {
            row.kind = own.kind;
        }
        let mut text = String::new();
        if let Some(m) = &own.mail {
            text.push_str(&mail_header_text(m));
        }
        text.push_str(&own.text);
        if !own.notes.is_empty() {
            row.detail = own.notes.join("; ");
        }
        if let Some(m) = own.mail.as_mut() {
            if m.mailbox.is_none() {
                m.mailbox.clone_from(&self.mailbox);
            }
        }
        row.mail = own.mail.take();
        let file = self.ing.text_dir.join(format!("{}.txt", row.id));
        if let Err(e) = crate::fsutil::write_scratch(&file, text.as_bytes()) {
            row.state = State::Failed;
            row.detail = format!("cannot write its text to {}: {e}", file.display());
        }
        if !own.sheet_rows.is_empty() {
            // Which sheet row each line of the text is, so proposals can name cells.
            let rows: String = own
                .sheet_rows
                .iter()
                .map(|(r, c)| format!("{r} {c}\n"))
                .collect();
            let file = self.ing.text_dir.join(format!("{}.rows", row.id));
            if let Err(e) = crate::fsutil::write_scratch(&file, rows.as_bytes()) {
                row.state = State::Failed;
                row.detail = format!("cannot write its row map to {}: {e}", file.display());
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn child(
        &mut self,
        child: Child,
        path: &str,
        key: &str,
        parent_id: &str,
        order: &[u32],
        n: u32,
        depth: usize,
    ) {
        let label = child
            .levels
            .iter()
            .map(|l| sanitize_level(l))
            .collect::<Vec<_>>()
            .join(PATH_SEP);
        let name = child.levels.last().cloned().unwrap_or_default();
        let child_path = format!("{path}{PATH_SEP}{label}");
        let child_key = format!("{key}\u{0}{n}");
        let mut child_order = order.to_vec();
        child_order.push(n);
        match child.content {
            ChildContent::Bytes(bytes) => self.visit(
                &bytes,
                &name,
                child_path,
                child_key,
                Some(parent_id.to_string()),
                child_order,
                depth + 1,
            ),
            ChildContent::Parsed {
                own,
                hash_bytes,
                children,
            } => {
                let id = id_for(&child_key);
                let mut row = Row {
                    id: id.clone(),
                    parent_id: Some(parent_id.to_string()),
                    source_path: child_path.clone(),
                    kind: own.kind,
                    sha256: sha256_hex(&hash_bytes),
                    size: hash_bytes.len() as u64,
                    state: State::Ok,
                    detail: String::new(),
                    mail: None,
                    order: child_order.clone(),
                    key: child_key.clone(),
                };
                self.record_own(&mut row, own);
                self.push(row);
                for (k, c) in children.into_iter().enumerate() {
                    self.child(
                        c,
                        &child_path,
                        &child_key,
                        &id,
                        &child_order,
                        k as u32,
                        depth + 1,
                    );
                }
            }
            ChildContent::Failed { reason, hash_bytes } => {
                let size = hash_bytes.as_ref().map_or(0, |b| b.len() as u64);
                self.push(failed_row(
                    &child_key,
                    Some(parent_id),
                    child_path,
                    child_order,
                    size,
                    hash_bytes.map(|b| sha256_hex(&b)),
                    State::Failed,
                    reason,
                ));
            }
        }
    }
}

/// Path levels come from mail subjects and archive entries: keep them on one line.
fn sanitize_level(l: &str) -> String {
    let s: String = l
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let s = s.trim();
    if s.is_empty() {
        "(unnamed)".to_string()
    } else {
        s.to_string()
    }
}

/// Runs every file, in parallel, as the walk yields them (each with its number in the walk).
pub fn run_files(
    ing: &Ingestor,
    files: impl Iterator<Item = (usize, SourceFile)> + Send,
    progress: &indicatif::ProgressBar,
) {
    files.par_bridge().for_each(|(i, f)| {
        ing.file(i, &f);
        progress.inc(1);
    });
}
