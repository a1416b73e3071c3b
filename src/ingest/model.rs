//! The shapes ingest deals in: what a reader is given, what it hands back, and the item record
//! that ends up in the inventory.
//!
//! Readers are small and know one format each. A reader gets the stored bytes of one object
//! ([`Input`]), returns that object's own content ([`Own`]: its searchable text and, for mail,
//! its headers) and passes everything it contains — attachments, messages in a mailbox, entries
//! of a zip, sheets of a workbook — to `emit` one [`Child`] at a time, as it finds them, so a
//! 5 GB mailbox is never held whole. The driver decides what each child is, recurses into it,
//! hashes, numbers and records it. A reader never panics on bad input: it returns a
//! [`ReadError`] for the object, or a [`ChildContent::Failed`] for one part of it.

use std::fmt;

/// Bounds against hostile or broken input: zip bombs, attachment loops, giant files.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest single stored object read into memory.
    pub max_item_bytes: u64,
    /// Deepest container nesting (a zip in a mail in a PST is depth 3).
    pub max_depth: usize,
    /// Most bytes all entries of one archive may inflate to.
    pub max_archive_total: u64,
    /// Largest inflate ratio one archive entry may have.
    pub max_ratio: u64,
    /// Most entries (or messages, or sheets) one container may hold.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_item_bytes: 512 << 20,
            max_depth: 8,
            max_archive_total: 4 << 30,
            max_ratio: 250,
            max_entries: 200_000,
        }
    }
}

/// What a reader is given.
pub struct Input<'a> {
    /// The object's bytes as stored (an attachment's decoded bytes).
    pub bytes: &'a [u8],
    /// Its file or attachment name (may be empty for unnamed parts).
    pub name: &'a str,
    pub limits: &'a Limits,
}

/// What the object is. Containers are items too: a PST, a zip, a workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKind {
    Email,
    Pst,
    Mbox,
    Zip,
    Pdf,
    Workbook,
    Sheet,
    Docx,
    Text,
    Html,
    Contact,
    Calendar,
    Image,
    Media,
    ExportMetadata,
    Other,
}

impl ItemKind {
    /// Every kind, in declaration order (the spill files store the index).
    pub const ALL: [ItemKind; 16] = [
        ItemKind::Email,
        ItemKind::Pst,
        ItemKind::Mbox,
        ItemKind::Zip,
        ItemKind::Pdf,
        ItemKind::Workbook,
        ItemKind::Sheet,
        ItemKind::Docx,
        ItemKind::Text,
        ItemKind::Html,
        ItemKind::Contact,
        ItemKind::Calendar,
        ItemKind::Image,
        ItemKind::Media,
        ItemKind::ExportMetadata,
        ItemKind::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Email => "email",
            ItemKind::Pst => "pst",
            ItemKind::Mbox => "mbox",
            ItemKind::Zip => "zip",
            ItemKind::Pdf => "pdf",
            ItemKind::Workbook => "workbook",
            ItemKind::Sheet => "sheet",
            ItemKind::Docx => "docx",
            ItemKind::Text => "text",
            ItemKind::Html => "html",
            ItemKind::Contact => "contact",
            ItemKind::Calendar => "calendar",
            ItemKind::Image => "image",
            ItemKind::Media => "media",
            ItemKind::ExportMetadata => "export-metadata",
            ItemKind::Other => "other",
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A person in a mail header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    pub name: Option<String>,
    pub email: Option<String>,
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, &self.email) {
            (Some(n), Some(e)) if n != e => write!(f, "{n} <{e}>"),
            (_, Some(e)) => f.write_str(e),
            (Some(n), None) => f.write_str(n),
            (None, None) => Ok(()),
        }
    }
}

/// Mail headers every message item carries.
#[derive(Debug, Clone, Default)]
pub struct MailMeta {
    pub message_id: Option<String>,
    pub from: Vec<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub bcc: Vec<Address>,
    /// Sent date in UTC.
    pub date: Option<chrono::DateTime<chrono::Utc>>,
    pub subject: String,
    pub attachment_names: Vec<String>,
    /// The mailbox it was exported from (PST owner, mbox account), when known.
    pub mailbox: Option<String>,
}

/// An object's own content, as its reader found it.
#[derive(Debug, Clone)]
pub struct Own {
    pub kind: ItemKind,
    /// Exactly the text later stages search (for mail: the body; the driver adds headers).
    pub text: String,
    pub mail: Option<MailMeta>,
    /// Things worth telling the redaction lead that did not stop the read.
    pub notes: Vec<String>,
    /// For a sheet: the sheet row (0-based) and first column of each line of `text`, so a
    /// place in the text can be named as a cell (`8RH!B7`). Empty for everything else.
    pub sheet_rows: Vec<(u32, u32)>,
}

impl Own {
    pub fn new(kind: ItemKind, text: String) -> Own {
        Own {
            kind,
            text,
            mail: None,
            notes: Vec::new(),
            sheet_rows: Vec::new(),
        }
    }
}

/// Something found inside an object.
#[derive(Debug)]
pub struct Child {
    /// Path levels from the parent to this child, shown joined with ` › `: usually one (an
    /// attachment or entry name); for a PST message, its folder path then its subject.
    pub levels: Vec<String>,
    pub content: ChildContent,
}

// A Parsed child is the common case for mailboxes and is moved once; boxing it buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum ChildContent {
    /// Stored bytes: the driver identifies the format and reads them (attachments, zip entries).
    Bytes(Vec<u8>),
    /// Already read by the container's reader (a PST message, an embedded .msg, a sheet).
    /// `hash_bytes` is what its SHA-256 is taken over (documented per reader).
    Parsed {
        own: Own,
        hash_bytes: Vec<u8>,
        children: Vec<Child>,
    },
    /// A part that could not be read; the rest of the container goes on.
    Failed {
        reason: String,
        hash_bytes: Option<Vec<u8>>,
    },
}

/// Why an object could not be read. The message names the problem; the driver adds the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Broken, truncated, or not what its name says.
    Corrupt(String),
    /// Encrypted or password-protected.
    Encrypted(String),
    /// A bound from [`Limits`] was hit; says which.
    Limit(String),
    /// A format the tool does not read (a human must look at it).
    Unsupported(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Corrupt(m) => write!(f, "cannot read: {m}"),
            ReadError::Encrypted(m) => write!(f, "encrypted: {m}"),
            ReadError::Limit(m) => write!(f, "limit reached: {m}"),
            ReadError::Unsupported(m) => f.write_str(m),
        }
    }
}

/// The reader signature every format module implements.
pub type ReadFn = fn(&Input, &mut dyn FnMut(Child)) -> Result<Own, ReadError>;
