//! The ingest driver: every file through the right reader, every child recursively, each
//! object hashed, numbered and recorded, its searchable text written out. Files run in
//! parallel; one file's problems never stop another's.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::detect::{detect, Format};
use super::dispatch::reader_for;
use super::model::{Child, ChildContent, Input, ItemKind, Limits, MailMeta, Own, ReadError};
use super::walk::SourceFile;

/// Where an item stands in the inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ok,
    Duplicate,
    Failed,
    Unsupported,
}

impl State {
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
}

struct Ctx<'a> {
    rows: Vec<Row>,
    ing: &'a Ingestor<'a>,
    /// The mailbox messages being read belong to, when their container names it (an mbox
    /// file is named after its account; a PST reader sets it itself).
    mailbox: Option<String>,
    /// SHA-256 of the containers being read, outermost first.
    ancestors: Vec<String>,
}

impl Ingestor<'_> {
    /// All rows for one source file and everything inside it.
    pub fn file(&self, index: usize, file: &SourceFile) -> Vec<Row> {
        let mut ctx = Ctx {
            rows: Vec::new(),
            ing: self,
            mailbox: None,
            ancestors: Vec::new(),
        };
        let order = vec![index as u32];
        let key = file.label.clone();
        let name = file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::metadata(&file.path) {
            Ok(m) if m.len() > self.limits.max_item_bytes => {
                ctx.rows.push(failed_row(
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
                Err(e) => ctx.rows.push(failed_row(
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
        ctx.rows
    }
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
            self.rows.push(row);
            return;
        }
        // A message that attaches itself (or a zip that holds itself) would be read again at
        // every level: exponential work for nothing new.
        if self.ancestors.contains(&row.sha256) {
            row.state = State::Failed;
            row.detail = "limit reached: identical to a container it is inside (an attachment loop); not read again".into();
            self.rows.push(row);
            return;
        }
        if self.rows.len() >= self.ing.limits.max_entries {
            row.state = State::Failed;
            row.detail = format!(
                "limit reached: more than {} items inside one source file; the rest of it was not read",
                self.ing.limits.max_entries
            );
            self.rows.push(row);
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
                self.rows.push(row);
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
        self.rows.push(row);
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
        if let Err(e) = crate::fsutil::write_atomic_unsynced(&file, text.as_bytes()) {
            row.state = State::Failed;
            row.detail = format!("cannot write its text to {}: {e}", file.display());
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
                self.rows.push(row);
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
                self.rows.push(failed_row(
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

/// Runs every file, in parallel.
pub fn run_files(
    ing: &Ingestor,
    files: &[SourceFile],
    progress: &indicatif::ProgressBar,
) -> Vec<Row> {
    files
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, f)| {
            let rows = ing.file(i, f);
            progress.inc(1);
            rows
        })
        .collect()
}
