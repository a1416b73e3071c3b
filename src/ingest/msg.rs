//! Outlook `.msg` files: one message (or contact, appointment, note) in an OLE compound file.
//!
//! The file is read with the `cfb` crate and its MAPI properties are interpreted here rather
//! than through `msg_parser`, because a SAR answer needs things that crate drops: recipient
//! types (To/Cc/Bcc), ANSI strings in the message's code page, a way to turn an Exchange-only
//! sender into an SMTP address, contact and calendar fields, and attachment bytes without a
//! hex copy. The property semantics (which property means what, how a body is chosen, how an
//! X.500 sender is resolved) live in [`read_core`] and friends so the PST reader, which gets
//! the same MAPI properties from another container, reads them the same way.
//!
//! Embedded messages (a .msg attached to a .msg) have no standalone bytes: they become
//! [`ChildContent::Parsed`] children whose `hash_bytes` is [`canonical_bytes`].

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, SecondsFormat, Utc};

use super::model::{
    Address, Child, ChildContent, Input, ItemKind, Limits, MailMeta, Own, ReadError,
};

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

// MAPI property ids used by both the .msg and the PST reader.
pub(crate) const PR_MESSAGE_CLASS: u16 = 0x001A;
pub(crate) const PR_SUBJECT: u16 = 0x0037;
pub(crate) const PR_CLIENT_SUBMIT_TIME: u16 = 0x0039;
pub(crate) const PR_SENT_REPRESENTING_NAME: u16 = 0x0042;
pub(crate) const PR_SENT_REPRESENTING_EMAIL: u16 = 0x0065;
pub(crate) const PR_TRANSPORT_HEADERS: u16 = 0x007D;
pub(crate) const PR_RECIPIENT_TYPE: u16 = 0x0C15;
pub(crate) const PR_SENDER_NAME: u16 = 0x0C1A;
pub(crate) const PR_SENDER_ADDRTYPE: u16 = 0x0C1E;
pub(crate) const PR_SENDER_EMAIL: u16 = 0x0C1F;
pub(crate) const PR_DELIVERY_TIME: u16 = 0x0E06;
pub(crate) const PR_BODY: u16 = 0x1000;
pub(crate) const PR_CREATION_TIME: u16 = 0x3007;
pub(crate) const PR_RTF_COMPRESSED: u16 = 0x1009;
pub(crate) const PR_HTML: u16 = 0x1013;
pub(crate) const PR_INTERNET_MESSAGE_ID: u16 = 0x1035;
pub(crate) const PR_DISPLAY_NAME: u16 = 0x3001;
pub(crate) const PR_ADDRTYPE: u16 = 0x3002;
pub(crate) const PR_EMAIL_ADDRESS: u16 = 0x3003;
pub(crate) const PR_ATTACH_DATA: u16 = 0x3701;
pub(crate) const PR_ATTACH_FILENAME: u16 = 0x3704;
pub(crate) const PR_ATTACH_METHOD: u16 = 0x3705;
pub(crate) const PR_ATTACH_LONG_FILENAME: u16 = 0x3707;
pub(crate) const PR_ATTACH_PATHNAME: u16 = 0x3708;
pub(crate) const PR_ATTACH_LONG_PATHNAME: u16 = 0x370D;
pub(crate) const PR_SMTP_ADDRESS: u16 = 0x39FE;
pub(crate) const PR_INTERNET_CODEPAGE: u16 = 0x3FDE;
pub(crate) const PR_MESSAGE_CODEPAGE: u16 = 0x3FFD;
pub(crate) const PR_CREATOR_EMAIL: u16 = 0x4023;
pub(crate) const PR_LAST_MODIFIER_EMAIL: u16 = 0x4025;
pub(crate) const PR_SENDER_SMTP: u16 = 0x5D01;
pub(crate) const PR_SENT_REPRESENTING_SMTP: u16 = 0x5D02;
pub(crate) const PR_CREATOR_SMTP: u16 = 0x5D0A;
pub(crate) const PR_LAST_MODIFIER_SMTP: u16 = 0x5D0B;
pub(crate) const PR_RECIPIENT_DISPLAY_NAME: u16 = 0x5FF6;

/// `PSETID_Address`, where contacts keep their e-mail addresses.
pub(crate) const PSETID_ADDRESS: [u8; 16] = guid(0x0006_2004);
/// `PSETID_Appointment`, where calendar items keep location and times.
pub(crate) const PSETID_APPOINTMENT: [u8; 16] = guid(0x0006_2002);
pub(crate) const PS_MAPI: [u8; 16] = guid(0x0002_0328);
pub(crate) const PS_PUBLIC_STRINGS: [u8; 16] = guid(0x0002_0329);

/// The `{xxxxxxxx-0000-0000-C000-000000000046}` family of Outlook GUIDs, in stored byte order.
const fn guid(data1: u32) -> [u8; 16] {
    let d = data1.to_le_bytes();
    [
        d[0], d[1], d[2], d[3], 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46,
    ]
}

/// Runs a third-party parser so that a panic on hostile input becomes an error for this one
/// object instead of taking the batch down.
pub(crate) fn guard<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        format!("the {what} parser crashed on this input ({msg})")
    })
}

// ---------------------------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------------------------

/// Reads one `.msg` file: its own body and headers, and its attachments as children.
pub fn read(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let limits = input.limits;
    if input.bytes.len() as u64 > limits.max_item_bytes {
        return Err(ReadError::Limit(format!(
            "the .msg file is {} bytes, over the {}-byte item limit",
            input.bytes.len(),
            limits.max_item_bytes
        )));
    }
    if !input.bytes.starts_with(&CFB_MAGIC) {
        return Err(ReadError::Corrupt(
            "not an Outlook .msg file (no OLE compound-file signature)".into(),
        ));
    }
    let parsed =
        guard("OLE/.msg", || parse_file(input.bytes, limits)).map_err(ReadError::Corrupt)??;
    for child in parsed.children {
        emit(child);
    }
    Ok(parsed.own)
}

struct ParsedMessage {
    own: Own,
    class: String,
    children: Vec<Child>,
    /// (name, size) of each attachment, for the canonical rendering.
    attachments: Vec<(String, u64)>,
}

fn parse_file(bytes: &[u8], limits: &Limits) -> Result<ParsedMessage, ReadError> {
    let cf = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| ReadError::Corrupt(format!("broken OLE compound file: {e}")))?;
    // Every stream lives inside the file, so honest reads add up to about its size; the slack
    // covers small-sector rounding. Shared or looping sector chains cannot make us read more.
    let budget = (bytes.len() as u64).saturating_mul(2) + (1 << 20);
    let mut ole = Ole {
        cf,
        budget,
        max_stream: bytes.len() as u64,
    };
    let root = PathBuf::from("/");
    let names = read_named_map(&mut ole, &root);
    let entries = ole
        .children(&root)
        .map_err(|e| ReadError::Corrupt(format!("cannot list the message's parts: {e}")))?;
    if !entries
        .iter()
        .any(|e| e.name.starts_with("__substg1.0_") || e.name == PROPS_STREAM)
    {
        return Err(ReadError::Corrupt(
            "an OLE compound file but not an Outlook message (no MAPI properties)".into(),
        ));
    }
    let ctx = Ctx {
        names: &names,
        limits,
    };
    read_message(&mut ole, &ctx, &root, 32, None, 0)
}

struct Ctx<'a> {
    names: &'a NamedMap,
    limits: &'a Limits,
}

/// Reads the message stored at `dir` (the root, or an embedded message's storage).
fn read_message(
    ole: &mut Ole,
    ctx: &Ctx,
    dir: &Path,
    header_len: usize,
    parent_codepage: Option<u32>,
    depth: usize,
) -> Result<ParsedMessage, ReadError> {
    let entries = ole
        .children(dir)
        .map_err(|e| ReadError::Corrupt(format!("cannot list the message's parts: {e}")))?;
    let mut notes = Vec::new();
    let (core, class, codepage) = {
        let mut props =
            StorageProps::load(ole, dir, &entries, header_len, ctx.names, parent_codepage)
                .map_err(ReadError::Corrupt)?;
        let class = props
            .string(PR_MESSAGE_CLASS)
            .unwrap_or_else(|| "IPM.Note".into());
        let codepage = props.codepage;
        let core = read_core(&mut props, ctx.limits);
        notes.append(&mut props.problems);
        (core, class, codepage)
    };

    // Recipients, in storage order.
    let mut recipients = Vec::new();
    let mut recip_dirs: Vec<_> = entries
        .iter()
        .filter(|e| !e.is_stream && e.name.starts_with("__recip_version1.0_#"))
        .collect();
    recip_dirs.sort_by_key(|e| storage_index(&e.name));
    if recip_dirs.len() > ctx.limits.max_entries {
        notes.push(format!(
            "only the first {} of {} recipients were read (entry limit)",
            ctx.limits.max_entries,
            recip_dirs.len()
        ));
        recip_dirs.truncate(ctx.limits.max_entries);
    }
    for e in recip_dirs {
        let path = dir.join(&e.name);
        let Ok(sub) = ole.children(&path) else {
            notes.push(format!("recipient {} could not be listed", e.name));
            continue;
        };
        match StorageProps::load(ole, &path, &sub, 8, ctx.names, codepage) {
            Ok(mut p) => {
                if let Some(r) = read_recipient(&mut p) {
                    recipients.push(r);
                }
                notes.append(&mut p.problems);
            }
            Err(why) => notes.push(format!("recipient {} could not be read: {why}", e.name)),
        }
    }

    // Attachments, in storage order.
    let mut children = Vec::new();
    let mut attachments = Vec::new();
    let mut attach_dirs: Vec<_> = entries
        .iter()
        .filter(|e| !e.is_stream && e.name.starts_with("__attach_version1.0_#"))
        .collect();
    attach_dirs.sort_by_key(|e| storage_index(&e.name));
    if attach_dirs.len() > ctx.limits.max_entries {
        children.push(Child {
            levels: vec!["(more attachments)".into()],
            content: ChildContent::Failed {
                reason: format!(
                    "limit reached: the message has {} attachments; only the first {} were read",
                    attach_dirs.len(),
                    ctx.limits.max_entries
                ),
                hash_bytes: None,
            },
        });
        attach_dirs.truncate(ctx.limits.max_entries);
    }
    for (n, e) in attach_dirs.into_iter().enumerate() {
        let path = dir.join(&e.name);
        let (name, size, content) = read_attachment(ole, ctx, &path, n + 1, codepage, depth);
        attachments.push((name.clone(), size));
        children.push(Child {
            levels: vec![name],
            content,
        });
    }

    let own = core.finish(recipients, &attachments, notes);
    Ok(ParsedMessage {
        own,
        class,
        children,
        attachments,
    })
}

/// Reads attachment number `n` (1-based, for unnamed ones): its name, its size as found, and
/// what the driver should do with it.
fn read_attachment(
    ole: &mut Ole,
    ctx: &Ctx,
    dir: &Path,
    n: usize,
    codepage: Option<u32>,
    depth: usize,
) -> (String, u64, ChildContent) {
    let fallback_name = format!("attachment {n}");
    let failed = |name: String, reason: String| {
        (
            name,
            0,
            ChildContent::Failed {
                reason,
                hash_bytes: None,
            },
        )
    };
    let entries = match ole.children(dir) {
        Ok(e) => e,
        Err(why) => return failed(fallback_name, format!("cannot list the attachment: {why}")),
    };
    let (name, method, reference) = {
        let mut p = match StorageProps::load(ole, dir, &entries, 8, ctx.names, codepage) {
            Ok(p) => p,
            Err(why) => return failed(fallback_name, format!("cannot read the attachment: {why}")),
        };
        let name = attachment_name(&mut p);
        let method = p.int(PR_ATTACH_METHOD);
        let reference = p
            .string(PR_ATTACH_LONG_PATHNAME)
            .or_else(|| p.string(PR_ATTACH_PATHNAME));
        (name, method, reference)
    };
    let data_stream = tag(PR_ATTACH_DATA, PT_BINARY);
    let object_dir = format!("__substg1.0_{:08X}", tag(PR_ATTACH_DATA, PT_OBJECT));
    let object = entries
        .iter()
        .find(|e| !e.is_stream && e.name.eq_ignore_ascii_case(&object_dir));
    let stream = entries
        .iter()
        .find(|e| e.is_stream && parse_substg(&e.name) == Some(data_stream));

    if let Some(obj) = object {
        let path = dir.join(&obj.name);
        let is_message = method == Some(5)
            || ole
                .children(&path)
                .map(|c| c.iter().any(|e| e.name == PROPS_STREAM))
                .unwrap_or(false);
        if !is_message {
            let name = name.unwrap_or(fallback_name);
            return failed(
                name,
                "an embedded OLE object (a document pasted into the message): not extracted; \
                 open the message in Outlook to see it"
                    .into(),
            );
        }
        if depth + 1 >= ctx.limits.max_depth {
            let name = name.unwrap_or(fallback_name);
            return failed(
                name,
                format!(
                    "limit reached: messages embedded more than {} deep",
                    ctx.limits.max_depth
                ),
            );
        }
        return match read_message(ole, ctx, &path, 24, codepage, depth + 1) {
            Ok(inner) => {
                let name = name
                    .filter(|n| !n.is_empty())
                    .or_else(|| {
                        inner
                            .own
                            .mail
                            .as_ref()
                            .map(|m| m.subject.clone())
                            .filter(|s| !s.is_empty())
                    })
                    .unwrap_or(fallback_name);
                let hash_bytes = canonical_bytes(&inner.own, &inner.class, &inner.attachments);
                let size = hash_bytes.len() as u64;
                (
                    name,
                    size,
                    ChildContent::Parsed {
                        own: inner.own,
                        hash_bytes,
                        children: inner.children,
                    },
                )
            }
            Err(e) => failed(
                name.unwrap_or(fallback_name),
                format!("embedded message: {e}"),
            ),
        };
    }
    let name = name.unwrap_or(fallback_name);
    if let Some(s) = stream {
        if s.len > ctx.limits.max_item_bytes {
            return failed(
                name,
                format!(
                    "limit reached: attachment is {} bytes, over the {}-byte item limit",
                    s.len, ctx.limits.max_item_bytes
                ),
            );
        }
        return match ole.read(&dir.join(&s.name)) {
            Ok(bytes) => {
                let size = bytes.len() as u64;
                (name, size, ChildContent::Bytes(bytes))
            }
            Err(why) => failed(name, format!("cannot read the attachment's data: {why}")),
        };
    }
    match (method, reference) {
        (Some(2 | 3 | 4 | 7), r) => failed(
            name,
            format!(
                "a linked attachment: the file is not inside the message{}",
                r.map(|r| format!(" (it points to {r})"))
                    .unwrap_or_default()
            ),
        ),
        _ => failed(name, "the attachment has no data in the message".into()),
    }
}

/// Attachment storages are numbered in hex; order by that number so the output follows the
/// message, not the directory's red-black tree.
fn storage_index(name: &str) -> u32 {
    name.rsplit('#')
        .next()
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .unwrap_or(u32::MAX)
}

// ---------------------------------------------------------------------------------------------
// OLE access, bounded
// ---------------------------------------------------------------------------------------------

const PROPS_STREAM: &str = "__properties_version1.0";
const PT_SHORT: u16 = 0x0002;
const PT_LONG: u16 = 0x0003;
const PT_BOOLEAN: u16 = 0x000B;
const PT_SYSTIME: u16 = 0x0040;
const PT_STRING8: u16 = 0x001E;
const PT_UNICODE: u16 = 0x001F;
const PT_BINARY: u16 = 0x0102;
const PT_OBJECT: u16 = 0x000D;

fn tag(id: u16, ty: u16) -> u32 {
    (u32::from(id) << 16) | u32::from(ty)
}

fn parse_substg(name: &str) -> Option<u32> {
    let hex = name.strip_prefix("__substg1.0_")?;
    if hex.len() != 8 {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

struct Entry {
    name: String,
    is_stream: bool,
    len: u64,
}

struct Ole<'a> {
    cf: cfb::CompoundFile<Cursor<&'a [u8]>>,
    budget: u64,
    max_stream: u64,
}

impl Ole<'_> {
    fn children(&self, dir: &Path) -> Result<Vec<Entry>, String> {
        let rd = self.cf.read_storage(dir).map_err(|e| e.to_string())?;
        Ok(rd
            .map(|e| Entry {
                name: e.name().to_string(),
                is_stream: e.is_stream(),
                len: e.len(),
            })
            .collect())
    }

    fn read(&mut self, path: &Path) -> Result<Vec<u8>, String> {
        let stream = self.cf.open_stream(path).map_err(|e| e.to_string())?;
        let len = stream.len();
        if len > self.max_stream {
            return Err(format!(
                "a part claims {len} bytes, more than the whole file"
            ));
        }
        if len > self.budget {
            return Err(
                "the parts of this file add up to far more than the file itself \
                        (sectors shared or looping)"
                    .into(),
            );
        }
        self.budget -= len;
        let mut buf = Vec::with_capacity(len as usize);
        stream
            .take(len)
            .read_to_end(&mut buf)
            .map_err(|e| e.to_string())?;
        Ok(buf)
    }
}

/// The properties of one storage (message, recipient or attachment), read lazily.
struct StorageProps<'o, 'a> {
    ole: &'o mut Ole<'a>,
    dir: PathBuf,
    streams: HashMap<u32, String>,
    fixed: HashMap<u16, (u16, [u8; 8])>,
    names: &'o NamedMap,
    codepage: Option<u32>,
    /// Parts that could not be read; they become notes on the item.
    problems: Vec<String>,
}

impl<'o, 'a> StorageProps<'o, 'a> {
    fn load(
        ole: &'o mut Ole<'a>,
        dir: &Path,
        entries: &[Entry],
        header_len: usize,
        names: &'o NamedMap,
        parent_codepage: Option<u32>,
    ) -> Result<Self, String> {
        let mut streams = HashMap::new();
        let mut fixed = HashMap::new();
        for e in entries {
            if let Some(t) = parse_substg(&e.name) {
                if e.is_stream {
                    streams.insert(t, e.name.clone());
                }
            } else if e.is_stream && e.name == PROPS_STREAM {
                let data = ole.read(&dir.join(&e.name))?;
                for rec in data.get(header_len..).unwrap_or(&[]).chunks_exact(16) {
                    let ty = u16::from_le_bytes([rec[0], rec[1]]);
                    let id = u16::from_le_bytes([rec[2], rec[3]]);
                    let mut value = [0u8; 8];
                    value.copy_from_slice(&rec[8..16]);
                    fixed.insert(id, (ty, value));
                }
            }
        }
        let mut props = StorageProps {
            ole,
            dir: dir.to_path_buf(),
            streams,
            fixed,
            names,
            codepage: parent_codepage,
            problems: Vec::new(),
        };
        let own = props
            .int(PR_MESSAGE_CODEPAGE)
            .or_else(|| props.int(PR_INTERNET_CODEPAGE))
            .and_then(|c| u32::try_from(c).ok());
        if own.is_some() {
            props.codepage = own;
        }
        Ok(props)
    }

    fn stream(&mut self, t: u32) -> Option<Vec<u8>> {
        let name = self.streams.get(&t)?.clone();
        match self.ole.read(&self.dir.join(&name)) {
            Ok(b) => Some(b),
            Err(why) => {
                self.problems
                    .push(format!("property {t:08X} could not be read: {why}"));
                None
            }
        }
    }
}

impl MapiProps for StorageProps<'_, '_> {
    fn string(&mut self, id: u16) -> Option<String> {
        if let Some(b) = self.stream(tag(id, PT_UNICODE)) {
            return non_empty(utf16le(&b));
        }
        if let Some(b) = self.stream(tag(id, PT_STRING8)) {
            return non_empty(decode_codepage(trim_nul(&b), self.codepage));
        }
        None
    }

    fn binary(&mut self, id: u16) -> Option<Vec<u8>> {
        self.stream(tag(id, PT_BINARY))
    }

    fn int(&mut self, id: u16) -> Option<i32> {
        match self.fixed.get(&id) {
            Some((PT_LONG, v)) => Some(i32::from_le_bytes([v[0], v[1], v[2], v[3]])),
            Some((PT_SHORT, v)) => Some(i32::from(i16::from_le_bytes([v[0], v[1]]))),
            Some((PT_BOOLEAN, v)) => Some(i32::from(v[0] != 0)),
            _ => None,
        }
    }

    fn time(&mut self, id: u16) -> Option<DateTime<Utc>> {
        match self.fixed.get(&id) {
            Some((PT_SYSTIME, v)) => filetime(i64::from_le_bytes(*v)),
            _ => None,
        }
    }

    fn named(&self, set: &[u8; 16], lid: u32) -> Option<u16> {
        self.names.get(&(*set, lid)).copied()
    }
}

/// Named properties (ids 0x8000 and up) mean different things in every file; this maps
/// (property set, numeric id) to the id used in this file.
pub(crate) type NamedMap = HashMap<([u8; 16], u32), u16>;

fn read_named_map(ole: &mut Ole, root: &Path) -> NamedMap {
    let mut map = NamedMap::new();
    let dir = root.join("__nameid_version1.0");
    if !ole.cf.is_storage(&dir) {
        return map;
    }
    let read = |ole: &mut Ole, t: u32| ole.read(&dir.join(format!("__substg1.0_{t:08X}"))).ok();
    let (Some(guids), Some(entries)) = (read(ole, 0x0002_0102), read(ole, 0x0003_0102)) else {
        return map;
    };
    for e in entries.chunks_exact(8) {
        let lid = u32::from_le_bytes([e[0], e[1], e[2], e[3]]);
        let kind_and_guid = u16::from_le_bytes([e[4], e[5]]);
        let index = u16::from_le_bytes([e[6], e[7]]);
        if kind_and_guid & 1 != 0 {
            continue; // named by string; the properties read here are all numeric
        }
        let set = match kind_and_guid >> 1 {
            1 => PS_MAPI,
            2 => PS_PUBLIC_STRINGS,
            g if g >= 3 => {
                let at = usize::from(g - 3) * 16;
                let Some(bytes) = guids.get(at..at + 16) else {
                    continue;
                };
                let mut set = [0u8; 16];
                set.copy_from_slice(bytes);
                set
            }
            _ => continue,
        };
        if let Some(id) = 0x8000u16.checked_add(index) {
            map.insert((set, lid), id);
        }
    }
    map
}

// ---------------------------------------------------------------------------------------------
// MAPI semantics shared with the PST reader
// ---------------------------------------------------------------------------------------------

/// Read access to one MAPI object's properties, whatever container holds them.
pub(crate) trait MapiProps {
    /// A string property (Unicode or 8-bit in the object's code page); `None` when absent or
    /// empty.
    fn string(&mut self, id: u16) -> Option<String>;
    fn binary(&mut self, id: u16) -> Option<Vec<u8>>;
    fn int(&mut self, id: u16) -> Option<i32>;
    fn time(&mut self, id: u16) -> Option<DateTime<Utc>>;
    /// The property id a named property has in this file, if it has one.
    fn named(&self, set: &[u8; 16], lid: u32) -> Option<u16>;
}

/// A recipient as stored: its type (1 To, 2 Cc, 3 Bcc), address, and the Exchange DN when
/// that was all there was.
pub(crate) struct Recipient {
    pub kind: i32,
    pub address: Address,
    /// The X.500 address, kept to match a sender that only has one.
    pub x500: Option<String>,
}

/// Reads one recipient; `None` when it has neither a name nor an address.
pub(crate) fn read_recipient(p: &mut dyn MapiProps) -> Option<Recipient> {
    let kind = p.int(PR_RECIPIENT_TYPE).unwrap_or(1) & 0x0F;
    let name = p
        .string(PR_DISPLAY_NAME)
        .or_else(|| p.string(PR_RECIPIENT_DISPLAY_NAME));
    let smtp = p.string(PR_SMTP_ADDRESS).filter(|s| is_smtp(s));
    let raw = p.string(PR_EMAIL_ADDRESS);
    let addrtype = p.string(PR_ADDRTYPE);
    let x500 = raw
        .clone()
        .filter(|r| is_x500(r) || addrtype.as_deref() == Some("EX"));
    let email = smtp
        .or_else(|| raw.clone().filter(|r| is_smtp(r)))
        .or_else(|| x500.clone());
    if name.is_none() && email.is_none() {
        return None;
    }
    Some(Recipient {
        kind,
        address: address(name, email),
        x500,
    })
}

/// What [`read_core`] found before recipients and attachments are known.
pub(crate) struct Core {
    pub kind: ItemKind,
    pub text: String,
    pub meta: MailMeta,
    pub notes: Vec<String>,
    sender_x500: Option<(Option<String>, String)>,
    headers: Option<HeaderInfo>,
}

impl Core {
    /// Completes the item once recipients and attachment names are known: fills To/Cc/Bcc
    /// (from the transport headers when the message has no recipient table) and resolves an
    /// Exchange-only sender through a recipient entry for the same mailbox.
    pub(crate) fn finish(
        mut self,
        recipients: Vec<Recipient>,
        attachments: &[(String, u64)],
        mut notes: Vec<String>,
    ) -> Own {
        if let Some((name, dn)) = self.sender_x500.take() {
            let by_recipient = recipients.iter().find_map(|r| {
                let same = r
                    .x500
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(&dn));
                let smtp = r.address.email.as_deref().filter(|e| is_smtp(e));
                if same {
                    smtp.map(str::to_string)
                } else {
                    None
                }
            });
            match by_recipient {
                Some(smtp) => self.meta.from = vec![address(name, Some(smtp))],
                None => self.notes.push(format!(
                    "the sender has only an Exchange address ({dn}); no SMTP address was found"
                )),
            }
        }
        if recipients.is_empty() {
            if let Some(h) = &self.headers {
                if !(h.to.is_empty() && h.cc.is_empty() && h.bcc.is_empty()) {
                    self.meta.to = h.to.clone();
                    self.meta.cc = h.cc.clone();
                    self.meta.bcc = h.bcc.clone();
                    self.notes
                        .push("recipients taken from the transport headers".into());
                }
            }
        } else {
            for r in recipients {
                match r.kind {
                    2 => self.meta.cc.push(r.address),
                    3 => self.meta.bcc.push(r.address),
                    _ => self.meta.to.push(r.address),
                }
            }
        }
        self.meta.attachment_names = attachments.iter().map(|(n, _)| n.clone()).collect();
        self.notes.append(&mut notes);
        Own {
            kind: self.kind,
            text: self.text,
            mail: Some(self.meta),
            notes: self.notes,
        }
    }
}

/// Reads what every Outlook item has: class, subject, body, sender, date, Message-ID, and for
/// contacts and calendar items their fields (written into the text, since they are what a
/// search must find).
pub(crate) fn read_core(p: &mut dyn MapiProps, limits: &Limits) -> Core {
    let mut notes = Vec::new();
    let class = p
        .string(PR_MESSAGE_CLASS)
        .unwrap_or_else(|| "IPM.Note".into());
    let kind = kind_for_class(&class);
    let subject = p
        .string(PR_SUBJECT)
        .map(|s| strip_subject_prefix(&s))
        .unwrap_or_default();
    let max_text = usize::try_from(limits.max_item_bytes).unwrap_or(usize::MAX);
    let body = read_body(p, max_text, &mut notes);

    let headers = p
        .string(PR_TRANSPORT_HEADERS)
        .and_then(|h| guard("mail header", || parse_headers(&h)).ok())
        .filter(|h| !h.is_empty());

    let message_id = p
        .string(PR_INTERNET_MESSAGE_ID)
        .map(|s| s.trim().to_string())
        .or_else(|| headers.as_ref().and_then(|h| h.message_id.clone()));
    let date = p
        .time(PR_CLIENT_SUBMIT_TIME)
        .or_else(|| p.time(PR_DELIVERY_TIME))
        .or_else(|| headers.as_ref().and_then(|h| h.date));
    // Drafts and items saved straight from a program were never sent; their creation time
    // is the only date they have, and a date range search should still see them.
    let date = date.or_else(|| {
        let created = p.time(PR_CREATION_TIME);
        if created.is_some() {
            notes.push("never sent or received: the date is when the item was created".into());
        }
        created
    });

    let (from, sender_x500) = read_sender(p, headers.as_ref());

    let text = match kind {
        ItemKind::Contact => with_fields(contact_fields(p), body),
        ItemKind::Calendar => with_fields(calendar_fields(p), body),
        _ => body,
    };
    let meta = MailMeta {
        message_id,
        from: from.into_iter().collect(),
        date,
        subject,
        ..MailMeta::default()
    };
    Core {
        kind,
        text,
        meta,
        notes,
        sender_x500,
        headers,
    }
}

/// Contacts and distribution lists are people; appointments and meeting requests are
/// calendar items; everything else Outlook holds (mail, notes, tasks, reports) reads as mail.
pub(crate) fn kind_for_class(class: &str) -> ItemKind {
    let c = class.to_ascii_uppercase();
    if c.starts_with("IPM.CONTACT") || c.starts_with("IPM.DISTLIST") {
        ItemKind::Contact
    } else if c.starts_with("IPM.APPOINTMENT") || c.starts_with("IPM.SCHEDULE.MEETING") {
        ItemKind::Calendar
    } else {
        ItemKind::Email
    }
}

/// Outlook stores some subjects with a two-character prefix marker (`\u{1}` then a length):
/// it is not part of what the user typed.
pub(crate) fn strip_subject_prefix(s: &str) -> String {
    let mut chars = s.chars();
    if chars.next() == Some('\u{1}') {
        chars.next();
        return chars.as_str().to_string();
    }
    s.to_string()
}

/// Plain text if the message has it, else its HTML as text, else its RTF as text.
fn read_body(p: &mut dyn MapiProps, max_text: usize, notes: &mut Vec<String>) -> String {
    if let Some(b) = p.string(PR_BODY).filter(|b| !b.trim().is_empty()) {
        return normalise_newlines(&b);
    }
    let html = p.binary(PR_HTML).map(|b| {
        let cp = p
            .int(PR_INTERNET_CODEPAGE)
            .and_then(|c| u32::try_from(c).ok());
        decode_html_bytes(&b, cp)
    });
    if let Some(html) = html.or_else(|| p.string(PR_HTML)) {
        let text = html_to_text(&html);
        if !text.trim().is_empty() {
            notes.push("body read from its HTML version".into());
            return text;
        }
    }
    if let Some(rtf) = p.binary(PR_RTF_COMPRESSED) {
        match decompress_rtf(&rtf) {
            Ok(raw) => {
                let text = rtf_to_text(&raw, max_text);
                if !text.trim().is_empty() {
                    notes.push("body read from its RTF version".into());
                }
                return text;
            }
            Err(why) => notes.push(format!("the RTF body could not be read: {why}")),
        }
    }
    String::new()
}

/// Finds the sender's name and best address. Exchange senders often carry only an X.500 DN;
/// the SMTP address is then looked for in the properties that name the same mailbox (sender
/// SMTP, sent-representing, creator, last modifier) and in the transport headers. If none
/// has it, the DN is returned too so a recipient entry for the same mailbox can supply it.
fn read_sender(
    p: &mut dyn MapiProps,
    headers: Option<&HeaderInfo>,
) -> (Option<Address>, Option<(Option<String>, String)>) {
    let name = p
        .string(PR_SENDER_NAME)
        .or_else(|| p.string(PR_SENT_REPRESENTING_NAME));
    let addrtype = p.string(PR_SENDER_ADDRTYPE);
    if addrtype
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("UNKNOWN"))
    {
        // Items made locally (contacts, appointments) carry a placeholder sender.
        return (None, None);
    }
    let raw = p
        .string(PR_SENDER_EMAIL)
        .or_else(|| p.string(PR_SENT_REPRESENTING_EMAIL));
    if let Some(smtp) = p.string(PR_SENDER_SMTP).filter(|s| is_smtp(s)) {
        return (Some(address(name, Some(smtp))), None);
    }
    if let Some(r) = raw.clone().filter(|r| is_smtp(r)) {
        return (Some(address(name, Some(r))), None);
    }
    let header_from = headers.and_then(|h| h.from.first().cloned());
    let Some(dn) = raw else {
        if let Some(h) = header_from {
            return (Some(address(name.or(h.name), h.email)), None);
        }
        return (name.map(|n| address(Some(n), None)), None);
    };
    for (dn_prop, smtp_prop) in [
        (PR_SENT_REPRESENTING_EMAIL, PR_SENT_REPRESENTING_SMTP),
        (PR_CREATOR_EMAIL, PR_CREATOR_SMTP),
        (PR_LAST_MODIFIER_EMAIL, PR_LAST_MODIFIER_SMTP),
    ] {
        let same = p
            .string(dn_prop)
            .is_some_and(|d| d.eq_ignore_ascii_case(&dn));
        if same {
            if let Some(smtp) = p.string(smtp_prop).filter(|s| is_smtp(s)) {
                return (Some(address(name, Some(smtp))), None);
            }
        }
    }
    if let Some(h) = header_from.filter(|h| h.email.as_deref().is_some_and(is_smtp)) {
        return (Some(address(name.or(h.name), h.email)), None);
    }
    (
        Some(address(name.clone(), Some(dn.clone()))),
        Some((name, dn)),
    )
}

fn contact_fields(p: &mut dyn MapiProps) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let plain: [(&'static str, u16); 27] = [
        ("Name", PR_DISPLAY_NAME),
        ("Given name", 0x3A06),
        ("Middle name", 0x3A44),
        ("Surname", 0x3A11),
        ("Nickname", 0x3A4F),
        ("Job title", 0x3A17),
        ("Company", 0x3A16),
        ("Department", 0x3A18),
        ("Office", 0x3A19),
        ("Business phone", 0x3A08),
        ("Business phone 2", 0x3A1B),
        ("Home phone", 0x3A09),
        ("Home phone 2", 0x3A2F),
        ("Mobile", 0x3A1C),
        ("Other phone", 0x3A1F),
        ("Business fax", 0x3A24),
        ("Home fax", 0x3A25),
        ("Business street", 0x3A29),
        ("Business town", 0x3A27),
        ("Business postcode", 0x3A2A),
        ("Business country", 0x3A26),
        ("Home street", 0x3A5D),
        ("Home town", 0x3A59),
        ("Home postcode", 0x3A5B),
        ("Home country", 0x3A5A),
        ("Spouse", 0x3A48),
        ("Web page", 0x3A51),
    ];
    for (label, id) in plain {
        if let Some(v) = p.string(id) {
            out.push((label, v));
        }
    }
    if let Some(b) = p.time(0x3A42) {
        out.push(("Birthday", b.format("%Y-%m-%d").to_string()));
    }
    let named: [(&'static str, u32); 8] = [
        ("File as", 0x8005),
        ("E-mail", 0x8083),
        ("E-mail display name", 0x8080),
        ("E-mail 2", 0x8093),
        ("E-mail 2 display name", 0x8090),
        ("E-mail 3", 0x80A3),
        ("E-mail 3 display name", 0x80A0),
        ("Business address", 0x801B),
    ];
    for (label, lid) in named {
        if let Some(id) = p.named(&PSETID_ADDRESS, lid) {
            if let Some(v) = p.string(id) {
                out.push((label, v));
            }
        }
    }
    if let Some(v) = p.named(&PSETID_ADDRESS, 0x801A).and_then(|id| p.string(id)) {
        out.push(("Home address", v));
    }
    out
}

fn calendar_fields(p: &mut dyn MapiProps) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(v) = p
        .named(&PSETID_APPOINTMENT, 0x8208)
        .and_then(|id| p.string(id))
    {
        out.push(("Location", v));
    }
    let start = p
        .named(&PSETID_APPOINTMENT, 0x820D)
        .and_then(|id| p.time(id))
        .or_else(|| p.time(0x0060));
    let end = p
        .named(&PSETID_APPOINTMENT, 0x820E)
        .and_then(|id| p.time(id))
        .or_else(|| p.time(0x0061));
    if let Some(s) = start {
        out.push(("Start", s.to_rfc3339_opts(SecondsFormat::Secs, true)));
    }
    if let Some(e) = end {
        out.push(("End", e.to_rfc3339_opts(SecondsFormat::Secs, true)));
    }
    if let Some(v) = p
        .named(&PSETID_APPOINTMENT, 0x8232)
        .and_then(|id| p.string(id))
    {
        out.push(("Recurrence", v));
    }
    out
}

fn with_fields(fields: Vec<(&'static str, String)>, body: String) -> String {
    let mut text = String::new();
    for (label, value) in fields {
        text.push_str(label);
        text.push_str(": ");
        text.push_str(value.trim());
        text.push('\n');
    }
    if !body.trim().is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&body);
    }
    text
}

/// What SHA-256 is taken over for a message that has no bytes of its own (a PST message, a
/// message embedded in a .msg): a fixed rendering of what the item says — kind, class,
/// Message-ID, date, sender, recipients, subject, each attachment's name and size, then the
/// searchable text. Two copies of the same message in different mailboxes give the same
/// bytes; flags, folder and read state, which differ between copies, are left out.
pub(crate) fn canonical_bytes(own: &Own, class: &str, attachments: &[(String, u64)]) -> Vec<u8> {
    let mut s = String::new();
    let join = |a: &[Address]| {
        a.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    s.push_str(&format!("Kind: {}\r\nClass: {class}\r\n", own.kind));
    if let Some(m) = &own.mail {
        s.push_str(&format!(
            "Message-ID: {}\r\nDate: {}\r\nFrom: {}\r\nTo: {}\r\nCc: {}\r\nBcc: {}\r\nSubject: {}\r\n",
            m.message_id.as_deref().unwrap_or(""),
            m.date.map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true)).unwrap_or_default(),
            join(&m.from),
            join(&m.to),
            join(&m.cc),
            join(&m.bcc),
            m.subject
        ));
    }
    for (name, size) in attachments {
        s.push_str(&format!("Attachment: {name} ({size} bytes)\r\n"));
    }
    s.push_str("\r\n");
    s.push_str(&own.text);
    s.into_bytes()
}

pub(crate) fn attachment_name(p: &mut dyn MapiProps) -> Option<String> {
    p.string(PR_ATTACH_LONG_FILENAME)
        .or_else(|| p.string(PR_ATTACH_FILENAME))
        .or_else(|| p.string(PR_DISPLAY_NAME))
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
}

pub(crate) fn address(name: Option<String>, email: Option<String>) -> Address {
    let clean = |s: Option<String>| {
        s.map(|s| s.trim().trim_matches('\'').trim().to_string())
            .filter(|s| !s.is_empty())
    };
    Address {
        name: clean(name),
        email: clean(email),
    }
}

pub(crate) fn is_x500(s: &str) -> bool {
    let u = s.trim_start().to_ascii_uppercase();
    u.starts_with("/O=") || u.starts_with("/CN=") || u.starts_with("EX:/")
}

pub(crate) fn is_smtp(s: &str) -> bool {
    let s = s.trim();
    !is_x500(s) && s.contains('@') && !s.contains(char::is_whitespace)
}

fn non_empty(s: String) -> Option<String> {
    if s.trim().is_empty() {
        None
    } else {
        Some(s)
    }
}

fn trim_nul(b: &[u8]) -> &[u8] {
    let end = b.iter().rposition(|&c| c != 0).map_or(0, |i| i + 1);
    &b[..end]
}

pub(crate) fn utf16le(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let end = units.iter().rposition(|&u| u != 0).map_or(0, |i| i + 1);
    String::from_utf16_lossy(&units[..end])
}

fn normalise_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").trim_end_matches('\0').to_string()
}

/// FILETIME (100 ns ticks since 1601) to UTC. Zero and Outlook's "no date" (year 4501) mean
/// absent.
pub(crate) fn filetime(ticks: i64) -> Option<DateTime<Utc>> {
    if ticks <= 0 {
        return None;
    }
    let secs = ticks / 10_000_000 - 11_644_473_600;
    let nanos = u32::try_from((ticks % 10_000_000) * 100).ok()?;
    let dt = DateTime::from_timestamp(secs, nanos)?;
    if dt.year() >= 4500 {
        return None;
    }
    Some(dt)
}

// ---------------------------------------------------------------------------------------------
// Character sets
// ---------------------------------------------------------------------------------------------

/// Decodes 8-bit text in a Windows code page. mail-parser's charset tables are used so the
/// whole crate agrees on what a code page means.
pub(crate) fn decode_codepage(bytes: &[u8], codepage: Option<u32>) -> String {
    let label: String = match codepage {
        None => match std::str::from_utf8(bytes) {
            Ok(s) => return s.to_string(),
            Err(_) => "cp1252".into(),
        },
        Some(65001) => return String::from_utf8_lossy(bytes).into_owned(),
        Some(1200) => return utf16le(bytes),
        Some(20127) | Some(28591) => "iso-8859-1".into(),
        Some(cp @ 1250..=1258) => format!("cp{cp}"),
        Some(874) => "windows-874".into(),
        Some(932) => "shift_jis".into(),
        Some(936) => "gbk".into(),
        Some(949) => "euc-kr".into(),
        Some(950) => "big5".into(),
        Some(866) => "cp866".into(),
        Some(850) => "cp850".into(),
        Some(20866) => "koi8-r".into(),
        Some(21866) => "koi8-u".into(),
        Some(cp @ 28592..=28606) => format!("iso-8859-{}", cp - 28590),
        Some(50220..=50222) => "iso-2022-jp".into(),
        Some(51932) | Some(20932) => "euc-jp".into(),
        Some(54936) => "gb18030".into(),
        Some(10000) => "macintosh".into(),
        Some(10007) => "x-mac-cyrillic".into(),
        Some(_) => "cp1252".into(),
    };
    match mail_parser::decoders::charsets::map::charset_decoder(label.as_bytes()) {
        Some(decode) => decode(bytes),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// HTML bodies are stored as bytes; their code page is the message's Internet code page, or
/// failing that the `charset` the HTML declares.
pub(crate) fn decode_html_bytes(bytes: &[u8], codepage: Option<u32>) -> String {
    if let Some(cp) = codepage {
        return decode_codepage(bytes, Some(cp));
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    if let Some(at) = head.find("charset=") {
        let rest = head[at + 8..].trim_start_matches(['"', '\'']);
        let label: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        if let Some(decode) =
            mail_parser::decoders::charsets::map::charset_decoder(label.as_bytes())
        {
            return decode(bytes);
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => decode_codepage(bytes, Some(1252)),
    }
}

// ---------------------------------------------------------------------------------------------
// Transport headers
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
pub(crate) struct HeaderInfo {
    from: Vec<Address>,
    to: Vec<Address>,
    cc: Vec<Address>,
    bcc: Vec<Address>,
    message_id: Option<String>,
    date: Option<DateTime<Utc>>,
}

impl HeaderInfo {
    fn is_empty(&self) -> bool {
        self.from.is_empty()
            && self.to.is_empty()
            && self.cc.is_empty()
            && self.bcc.is_empty()
            && self.message_id.is_none()
            && self.date.is_none()
    }
}

fn parse_headers(text: &str) -> HeaderInfo {
    let mut raw = text.replace("\r\n", "\n").replace('\n', "\r\n");
    raw.push_str("\r\n\r\n");
    let Some(m) = mail_parser::MessageParser::default().parse_headers(raw.as_bytes()) else {
        return HeaderInfo::default();
    };
    let list = |a: Option<&mail_parser::Address>| -> Vec<Address> {
        a.map(|a| {
            a.iter()
                .map(|x| {
                    address(
                        x.name.as_ref().map(|n| n.to_string()),
                        x.address.as_ref().map(|e| e.to_string()),
                    )
                })
                .filter(|x| x.name.is_some() || x.email.is_some())
                .collect()
        })
        .unwrap_or_default()
    };
    HeaderInfo {
        from: list(m.from()),
        to: list(m.to()),
        cc: list(m.cc()),
        bcc: list(m.bcc()),
        message_id: m.message_id().map(|id| format!("<{id}>")),
        date: m
            .date()
            .filter(|d| d.is_valid())
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
    }
}

// ---------------------------------------------------------------------------------------------
// RTF
// ---------------------------------------------------------------------------------------------

const RTF_LZFU: u32 = 0x7546_5A4C;
const RTF_MELA: u32 = 0x414C_454D;

/// Unpacks PidTagRtfCompressed. The `compressed-rtf` crate slices without checking and
/// reserves the declared size up front, so the header is checked here first (a lying size
/// would abort the process, which no `catch_unwind` can stop).
pub(crate) fn decompress_rtf(data: &[u8]) -> Result<Vec<u8>, String> {
    if data.len() < 16 {
        return Err("compressed RTF shorter than its 16-byte header".into());
    }
    let word = |at: usize| u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
    let (comp_size, raw_size, kind) = (word(0) as usize, word(4) as u64, word(8));
    match kind {
        RTF_MELA => {
            let end = 16usize.saturating_add(raw_size as usize).min(data.len());
            Ok(data[16..end].to_vec())
        }
        RTF_LZFU => {
            // Each 2-byte reference expands to at most 17 bytes.
            if raw_size > (data.len() as u64) * 9 + 4096 {
                return Err(format!(
                    "compressed RTF claims {raw_size} bytes, implausible"
                ));
            }
            let total = comp_size.saturating_add(4);
            if total > data.len() {
                return Err("compressed RTF is truncated".into());
            }
            let body = &data[..total];
            let text = guard("compressed RTF", || compressed_rtf::decompress_rtf(body))?
                .map_err(|e| format!("compressed RTF: {e}"))?;
            // The crate widens each byte to a char; narrow them back for the RTF reader.
            Ok(text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect())
        }
        other => Err(format!("unknown compressed RTF type 0x{other:08X}")),
    }
}

/// Destinations whose content is never shown to a reader.
const RTF_SKIP: &[&str] = &[
    "fonttbl",
    "colortbl",
    "stylesheet",
    "info",
    "pict",
    "objdata",
    "listtable",
    "listoverridetable",
    "revtbl",
    "rsidtbl",
    "generator",
    "themedata",
    "colorschememapping",
    "datastore",
    "latentstyles",
    "xmlnstbl",
    "mmathPr",
    "fldinst",
    "filetbl",
    "pgdsctbl",
    "protusertbl",
    "wgrffmtfilter",
    "pnseclvl",
    "xe",
    "tc",
    "nonshppict",
    "bkmkstart",
    "bkmkend",
    "listtext",
    "pntext",
    "pntxta",
    "pntxtb",
    "template",
    "userprops",
    "docvar",
    "fchars",
    "lchars",
];

/// Plain text from RTF, including RTF that encapsulates HTML (`\fromhtml`): the HTML tags sit
/// in ignorable `\*\htmltag` groups and the text around them is what a reader sees.
pub(crate) fn rtf_to_text(rtf: &[u8], max_out: usize) -> String {
    #[derive(Clone, Copy)]
    struct State {
        skip: bool,
        uc: usize,
    }
    let mut stack = vec![State { skip: false, uc: 1 }];
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut codepage: u32 = 1252;
    let mut skip_chars = 0usize;
    let mut high_surrogate: Option<u16> = None;
    let mut group_start = false;
    let mut i = 0usize;
    let n = rtf.len();

    let flush = |pending: &mut Vec<u8>, out: &mut String, cp: u32| {
        if !pending.is_empty() {
            out.push_str(&decode_codepage(pending, Some(cp)));
            pending.clear();
        }
    };

    while i < n && out.len() + pending.len() < max_out {
        let top = stack
            .last()
            .copied()
            .unwrap_or(State { skip: false, uc: 1 });
        let c = rtf[i];
        match c {
            b'{' => {
                flush(&mut pending, &mut out, codepage);
                if stack.len() < 4096 {
                    stack.push(top);
                }
                group_start = true;
                skip_chars = 0;
                i += 1;
                continue;
            }
            b'}' => {
                flush(&mut pending, &mut out, codepage);
                if stack.len() > 1 {
                    stack.pop();
                }
                skip_chars = 0;
                i += 1;
            }
            b'\\' => {
                i += 1;
                let Some(&c2) = rtf.get(i) else { break };
                if c2.is_ascii_alphabetic() {
                    let start = i;
                    while i < n && rtf[i].is_ascii_alphabetic() && i - start < 32 {
                        i += 1;
                    }
                    let word = std::str::from_utf8(&rtf[start..i]).unwrap_or("");
                    let mut neg = false;
                    if rtf.get(i) == Some(&b'-') {
                        neg = true;
                        i += 1;
                    }
                    let pstart = i;
                    while i < n && rtf[i].is_ascii_digit() && i - pstart < 10 {
                        i += 1;
                    }
                    let param: Option<i64> = std::str::from_utf8(&rtf[pstart..i])
                        .ok()
                        .and_then(|d| d.parse::<i64>().ok())
                        .map(|v| if neg { -v } else { v });
                    if rtf.get(i) == Some(&b' ') {
                        i += 1;
                    }
                    if group_start && RTF_SKIP.contains(&word) {
                        if let Some(s) = stack.last_mut() {
                            s.skip = true;
                        }
                    }
                    group_start = false;
                    if word == "bin" {
                        let len = usize::try_from(param.unwrap_or(0).max(0)).unwrap_or(usize::MAX);
                        i = i.saturating_add(len).min(n);
                        continue;
                    }
                    if word == "uc" {
                        if let Some(s) = stack.last_mut() {
                            s.uc = usize::try_from(param.unwrap_or(1).clamp(0, 10)).unwrap_or(1);
                        }
                        continue;
                    }
                    if word == "ansicpg" {
                        if let Some(cp) = param.and_then(|p| u32::try_from(p).ok()) {
                            codepage = cp;
                        }
                        continue;
                    }
                    if top.skip {
                        continue;
                    }
                    let emit: Option<&str> = match word {
                        "par" | "line" | "sect" | "page" | "row" => Some("\n"),
                        "tab" | "cell" => Some("\t"),
                        "emdash" => Some("\u{2014}"),
                        "endash" => Some("\u{2013}"),
                        "bullet" => Some("\u{2022}"),
                        "lquote" => Some("\u{2018}"),
                        "rquote" => Some("\u{2019}"),
                        "ldblquote" => Some("\u{201C}"),
                        "rdblquote" => Some("\u{201D}"),
                        "emspace" | "enspace" | "qmspace" => Some(" "),
                        _ => None,
                    };
                    if let Some(s) = emit {
                        flush(&mut pending, &mut out, codepage);
                        out.push_str(s);
                        skip_chars = 0;
                    } else if word == "u" {
                        if let Some(v) = param {
                            flush(&mut pending, &mut out, codepage);
                            let unit = (if v < 0 { v + 65536 } else { v }) as u32 as u16;
                            if (0xD800..0xDC00).contains(&unit) {
                                high_surrogate = Some(unit);
                            } else if (0xDC00..0xE000).contains(&unit) {
                                if let Some(h) = high_surrogate.take() {
                                    out.push_str(&String::from_utf16_lossy(&[h, unit]));
                                }
                            } else {
                                high_surrogate = None;
                                out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'));
                            }
                            skip_chars = top.uc;
                        }
                    }
                } else {
                    group_start = false;
                    i += 1;
                    match c2 {
                        b'\'' => {
                            let hex = rtf.get(i..i + 2).and_then(|h| std::str::from_utf8(h).ok());
                            let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
                            i = (i + 2).min(n);
                            if let Some(b) = byte {
                                if skip_chars > 0 {
                                    skip_chars -= 1;
                                } else if !top.skip {
                                    pending.push(b);
                                }
                            }
                        }
                        b'*' => {
                            if let Some(s) = stack.last_mut() {
                                s.skip = true;
                            }
                        }
                        b'\\' | b'{' | b'}' if !top.skip => {
                            if skip_chars > 0 {
                                skip_chars -= 1;
                            } else {
                                pending.push(c2);
                            }
                        }
                        b'~' if !top.skip => {
                            flush(&mut pending, &mut out, codepage);
                            out.push(' ');
                        }
                        b'_' if !top.skip => {
                            flush(&mut pending, &mut out, codepage);
                            out.push('-');
                        }
                        b'\n' | b'\r' if !top.skip => {
                            flush(&mut pending, &mut out, codepage);
                            out.push('\n');
                        }
                        _ => {}
                    }
                }
                continue;
            }
            b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            _ => {
                if skip_chars > 0 {
                    skip_chars -= 1;
                } else if !top.skip {
                    pending.push(c);
                }
                i += 1;
            }
        }
        group_start = false;
    }
    flush(&mut pending, &mut out, codepage);
    tidy_text(&out)
}

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

const HTML_BLOCK: &[&str] = &[
    "p",
    "div",
    "tr",
    "li",
    "ul",
    "ol",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "hr",
    "dd",
    "dt",
    "dl",
    "address",
    "section",
    "article",
    "header",
    "footer",
    "center",
    "form",
    "fieldset",
    "tbody",
    "thead",
    "tfoot",
    "caption",
];

/// Visible text of an HTML body: scripts, styles and the head are dropped, entities decoded,
/// block elements and `<br>` become line breaks so words in adjacent cells or paragraphs are
/// not glued together (names must stay findable).
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    let mut space_pending = false;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                if let Some(after) = rest.strip_prefix("<!--") {
                    rest = after.find("-->").map_or("", |e| &after[e + 3..]);
                    continue;
                }
                let (tag, after) = match tag_end(rest) {
                    Some(end) => (&rest[1..end - 1], &rest[end..]),
                    None => (&rest[1..], ""),
                };
                rest = after;
                let closing = tag.starts_with('/');
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '!')
                    .collect::<String>()
                    .to_ascii_lowercase();
                if !closing && matches!(name.as_str(), "script" | "style" | "head" | "title") {
                    let close = format!("</{name}");
                    let at = rest
                        .as_bytes()
                        .windows(close.len())
                        .position(|w| w.eq_ignore_ascii_case(close.as_bytes()));
                    rest = match at {
                        Some(at) => {
                            let tail = &rest[at..];
                            tag_end(tail).map_or("", |e| &tail[e..])
                        }
                        None => "",
                    };
                    continue;
                }
                if name == "br" {
                    trim_spaces(&mut out);
                    out.push('\n');
                    space_pending = false;
                } else if HTML_BLOCK.contains(&name.as_str()) {
                    trim_spaces(&mut out);
                    if !out.is_empty() && !out.ends_with('\n') {
                        out.push('\n');
                    }
                    space_pending = false;
                } else if matches!(name.as_str(), "td" | "th") && closing {
                    out.push('\t');
                    space_pending = false;
                }
            }
            '&' => {
                let (decoded, used) = html_entity(rest);
                rest = &rest[used..];
                if space_pending && !out.is_empty() && !out.ends_with(['\n', '\t', ' ']) {
                    out.push(' ');
                }
                space_pending = false;
                out.push_str(&decoded);
            }
            c if c.is_whitespace() => {
                space_pending = true;
                rest = &rest[c.len_utf8()..];
            }
            c => {
                if space_pending && !out.is_empty() && !out.ends_with(['\n', '\t', ' ']) {
                    out.push(' ');
                }
                space_pending = false;
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    tidy_text(&out.replace('\u{A0}', " "))
}

/// Index just past the `>` closing the tag that starts `s`, honouring quoted attributes.
/// An unbalanced quote falls back to the first `>`, so one bad attribute cannot swallow the
/// rest of the body.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut first_gt = None;
    for (i, c) in s.char_indices().skip(1) {
        if c == '>' && first_gt.is_none() {
            first_gt = Some(i + 1);
        }
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    first_gt
}

fn trim_spaces(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
}

/// Decodes the entity at the start of `s` (which begins with `&`); returns the text and how
/// many bytes were used. A lone `&` stays as it is.
fn html_entity(s: &str) -> (String, usize) {
    let body: String = s[1..]
        .chars()
        .take(32)
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .collect();
    if body.is_empty() || !s[1 + body.len()..].starts_with(';') {
        return ("&".into(), 1);
    }
    let token = format!("&{body};");
    let mut decoded = String::new();
    mail_parser::decoders::html::add_html_token(&mut decoded, token.as_bytes(), false);
    (decoded, token.len())
}

/// Trims trailing spaces on each line and collapses runs of blank lines, so text from RTF and
/// HTML looks like what the reader saw.
fn tidy_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    for line in s.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_matches('\n').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/email/msg");

    /// The corpus lives beside the repository; without it the test says so and passes.
    fn corpus(name: &str) -> Option<Vec<u8>> {
        let path = Path::new(CORPUS).join(name);
        match std::fs::read(&path) {
            Ok(b) => Some(b),
            Err(_) => {
                println!("skipped: {} is absent", path.display());
                None
            }
        }
    }

    fn run(bytes: &[u8], limits: &Limits) -> (Result<Own, ReadError>, Vec<Child>) {
        let mut kids = Vec::new();
        let input = Input {
            bytes,
            name: "test.msg",
            limits,
        };
        let r = read(&input, &mut |c| kids.push(c));
        (r, kids)
    }

    fn read_ok(name: &str) -> Option<(Own, MailMeta, Vec<Child>)> {
        let bytes = corpus(name)?;
        let (r, kids) = run(&bytes, &Limits::default());
        let own = r.unwrap_or_else(|e| panic!("{name}: {e}"));
        let mail = own
            .mail
            .clone()
            .unwrap_or_else(|| panic!("{name}: no mail metadata"));
        Some((own, mail, kids))
    }

    fn addr(name: &str, email: &str) -> Address {
        Address {
            name: Some(name.into()),
            email: Some(email.into()),
        }
    }

    fn bytes_of(c: &Child) -> &[u8] {
        match &c.content {
            ChildContent::Bytes(b) => b,
            other => panic!("{:?} is not Bytes: {other:?}", c.levels),
        }
    }

    /// Every corpus file: kind, subject, a phrase of its text, its attachments in order.
    #[test]
    fn corpus_files_read_with_subject_body_and_attachments() {
        use ItemKind::{Contact, Email};
        let cases: &[(&str, ItemKind, &str, &str, &[&str])] = &[
            (
                "EmailWith2Attachments.msg",
                Email,
                "E-mail with 2 attachments",
                "Kees van Spelde",
                &[
                    "Installatie handleiding.docx",
                    "Installatiehandleiding S&I Agro.xlsx",
                ],
            ),
            (
                "EmailWithAttachments.msg",
                Email,
                "This is the subject",
                "Hello Neverland text",
                &["peterpan.jpg", "tinkerbell.jpg"],
            ),
            (
                "EmailWithInnerMailAndAttachments.msg",
                Email,
                "Outer mail",
                "Outer mail",
                &["OUTER 1.pdf", "OUTER 2.pdf", "Inner mail"],
            ),
            (
                "EmailWithMsgAttachment.msg",
                Email,
                "FW: Msg Attachment Test",
                "",
                &["Msg Attachment Test"],
            ),
            (
                "EmailWithReactions.msg",
                Email,
                "Test read receipts",
                "Testing",
                &[],
            ),
            (
                "EmailWithSpecialCharsInSubject.msg",
                Email,
                "Un sujet bien défini Àéroport mañana être ouïe électricité così próxima à Ô",
                "Testing .msg subject encoding",
                &[],
            ),
            (
                "EmailWithSpecialCharsInSubject_2.msg",
                Email,
                "Un sujet très bien défini",
                "Voilà",
                &[],
            ),
            (
                "HtmlSampleEmail.msg",
                Email,
                "HtmlSampleEmail",
                "so Genoa and Lucca are now",
                &[],
            ),
            (
                "HtmlSampleEmailWithAttachment.msg",
                Email,
                "HtmlSampleEmailWithAttachment",
                "This is a sample HTML email with an attachment",
                &["SampleAttachment.pdf"],
            ),
            (
                "RtfSampleEmail.msg",
                Email,
                "RtfSampleEmail",
                "so Genoa and Lucca are now",
                &[],
            ),
            (
                "RtfSampleEmailWithAttachment.msg",
                Email,
                "RtfSampleEmailWithAttachment",
                "This is a sample RTF email with an attachment",
                &["SampleAttachment.pdf"],
            ),
            (
                "RtfWithShortRussianString.msg",
                Email,
                "",
                "«Пароль» (password)",
                &[],
            ),
            (
                "TxtSampleEmail.msg",
                Email,
                "TxtSampleEmail",
                "so Genoa and Lucca are now",
                &[],
            ),
            (
                "TxtSampleEmailWithAttachment.msg",
                Email,
                "TxtSampleEmailWithAttachment",
                "This is a sample plain text email with an attachment",
                &["SampleAttachment.pdf"],
            ),
            (
                "ruby-msg-Swetlana_Novikova.msg",
                Contact,
                "Swetlana Novikova",
                "E-mail: support@scalabium.com",
                &[],
            ),
            (
                "ruby-msg-contact-plain.msg",
                Contact,
                "(full name) A completely bogus contact",
                "Mobile: (mobile) 0404 123 456",
                &[],
            ),
            (
                "ruby-msg-contact-unicode.msg",
                Contact,
                "(full name) A completely bogus contact",
                "E-mail: email@emailland.com",
                &[],
            ),
            (
                "ruby-msg-note.msg",
                Email,
                "note sample",
                "Just any information to store in Outlook",
                &[],
            ),
            (
                "ruby-msg-qwerty_1-orig.msg",
                Email,
                "qwerty",
                "Data Analyst",
                &[],
            ),
            (
                "ruby-msg-qwerty_2-with_custom_properties.msg",
                Email,
                "qwerty",
                "Freehills",
                &[],
            ),
            (
                "ruby-msg-qwerty_3.msg",
                Email,
                "qwerty",
                "Facsimile 61 2 9322 4000",
                &[],
            ),
            (
                "ruby-msg-test_Blammo.msg",
                Email,
                "BlammoBlammo",
                "Blam",
                &[],
            ),
            (
                "sender_not_found_from_exchange.msg",
                Email,
                "TR: CHANTIER ST CHEF",
                "Pour faire suite à notre échange téléphonique",
                &[],
            ),
            (
                "strangeDate.msg",
                Email,
                "MSG Test File",
                "\"Jane Doe\" or \"Jane Roe\"",
                &[],
            ),
            (
                "unicode.msg",
                Email,
                "Test for TIF files",
                "MS Outlook MSG Extractor",
                &["import OleFileIO.tif", "raised value error.tif"],
            ),
        ];
        for (file, kind, subject, phrase, attachments) in cases {
            let Some((own, mail, kids)) = read_ok(file) else {
                return;
            };
            assert_eq!(own.kind, *kind, "{file}");
            assert_eq!(mail.subject, *subject, "{file}");
            assert!(
                own.text.contains(phrase),
                "{file}: {:?} lacks {phrase:?}",
                own.text
            );
            assert_eq!(mail.attachment_names, *attachments, "{file}");
            let levels: Vec<_> = kids.iter().map(|c| c.levels.join(" › ")).collect();
            assert_eq!(levels, *attachments, "{file}");
            for k in &kids {
                assert!(
                    !matches!(k.content, ChildContent::Failed { .. }),
                    "{file}: {k:?}"
                );
            }
        }
        let files = std::fs::read_dir(CORPUS).map(|d| d.count()).unwrap_or(0);
        assert_eq!(files, cases.len(), "a corpus .msg file has no case here");
    }

    #[test]
    fn recipients_keep_types_names_and_addresses() {
        let Some((_, mail, kids)) = read_ok("EmailWithAttachments.msg") else {
            return;
        };
        assert_eq!(mail.from, vec![addr("Kees", "peterpan@neverland.com")]);
        assert_eq!(
            mail.to,
            vec![addr("crocodile@neverland.com", "crocodile@neverland.com")]
        );
        assert_eq!(
            mail.cc,
            vec![addr("tinkerbel@neverland.com", "tinkerbel@neverland.com")]
        );
        assert_eq!(
            mail.bcc,
            vec![addr("wendy@neverland.com", "wendy@neverland.com")]
        );
        assert_eq!(
            mail.date.map(|d| d.to_rfc3339()),
            Some("2016-12-03T18:08:54+00:00".into())
        );
        assert_eq!(mail.message_id, None);
        assert_eq!(bytes_of(&kids[0]).len(), 39150);
        assert!(bytes_of(&kids[0]).starts_with(&[0xFF, 0xD8]), "a JPEG");
        assert_eq!(bytes_of(&kids[1]).len(), 49353);

        let Some((_, mail, kids)) = read_ok("ruby-msg-qwerty_2-with_custom_properties.msg") else {
            return;
        };
        assert_eq!(
            mail.to,
            vec![Address {
                name: Some("asdf".into()),
                email: None
            }]
        );
        assert_eq!(mail.cc, vec![addr("Johnathan", "johnno@nowhere.com")]);
        assert_eq!(
            mail.bcc,
            vec![addr("Lowe, Charles", "Charles.Lowe@freehills.com")]
        );
        assert!(kids.is_empty());

        let Some((_, mail, kids)) = read_ok("EmailWith2Attachments.msg") else {
            return;
        };
        let kees = addr("Spelde van, CMMA (Kees)", "kees.van.spelde@achmea.nl");
        assert_eq!(
            mail.from,
            vec![kees.clone()],
            "Exchange sender with PidTagSenderSmtpAddress"
        );
        assert_eq!(
            mail.to,
            vec![kees],
            "Exchange recipient resolved through PidTagSmtpAddress"
        );
        assert_eq!(
            mail.message_id.as_deref(),
            Some("<AM7P189MB07920EE2DBDD12A2C694C81CBF430@AM7P189MB0792.EURP189.PROD.OUTLOOK.COM>")
        );
        assert!(bytes_of(&kids[0]).starts_with(b"PK"), "a .docx is a zip");
        assert_eq!(bytes_of(&kids[0]).len(), 104_629);
        assert_eq!(bytes_of(&kids[1]).len(), 76_951);
    }

    #[test]
    fn exchange_only_sender_is_resolved_or_noted() {
        // PidTagSenderEmailAddress is an X.500 DN and there is no PidTagSenderSmtpAddress; the
        // creator is the same mailbox and has an SMTP address.
        let Some((own, mail, _)) = read_ok("sender_not_found_from_exchange.msg") else {
            return;
        };
        assert_eq!(
            mail.from,
            vec![addr("Myriam VAREME", "dsi@arcencielrecyclage.fr")]
        );
        assert_eq!(
            mail.to,
            vec![addr("Support MobiFactory", "support@mobifactory.fr")]
        );
        assert_eq!(
            mail.message_id.as_deref(),
            Some("<PR1P264MB18884D8E3E17B8F1B7FCF12AA753A@PR1P264MB1888.FRAP264.PROD.OUTLOOK.COM>")
        );
        assert!(own.notes.is_empty(), "{:?}", own.notes);

        // Nothing names this DN with an SMTP address: it is kept and the item says so.
        let Some((own, mail, _)) = read_ok("ruby-msg-contact-plain.msg") else {
            return;
        };
        let dn = "/O=XXXXXXXXX/OU=FIRST ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=LOWECHA";
        assert_eq!(mail.from, vec![addr("Lowe, Charles", dn)]);
        assert!(
            own.notes
                .iter()
                .any(|n| n.contains("only an Exchange address")),
            "{:?}",
            own.notes
        );
    }

    #[test]
    fn embedded_messages_are_parsed_children_with_their_own_attachments() {
        let Some((_, _, kids)) = read_ok("EmailWithInnerMailAndAttachments.msg") else {
            return;
        };
        assert!(bytes_of(&kids[0]).starts_with(b"%PDF"));
        assert_eq!(bytes_of(&kids[0]).len(), 15832);
        let ChildContent::Parsed {
            own,
            hash_bytes,
            children,
        } = &kids[2].content
        else {
            panic!("inner mail not parsed: {:?}", kids[2]);
        };
        assert_eq!(own.kind, ItemKind::Email);
        let mail = own.mail.as_ref().expect("mail metadata");
        assert_eq!(mail.subject, "Inner mail");
        assert_eq!(mail.attachment_names, ["INNER 1.pdf", "INNER 2.pdf"]);
        assert_eq!(
            mail.date.map(|d| d.to_rfc3339()),
            Some("2023-02-15T05:45:26.945+00:00".into())
        );
        let names: Vec<_> = children.iter().map(|c| c.levels.join("")).collect();
        assert_eq!(names, ["INNER 1.pdf", "INNER 2.pdf"]);
        assert!(bytes_of(&children[0]).starts_with(b"%PDF"));
        let rendering = String::from_utf8_lossy(hash_bytes);
        assert!(rendering.contains("Subject: Inner mail\r\n"), "{rendering}");
        assert!(
            rendering.contains("Attachment: INNER 1.pdf (15541 bytes)"),
            "{rendering}"
        );

        // Reading twice gives the same hash input: it is what duplicates are found by.
        let Some((_, _, again)) = read_ok("EmailWithInnerMailAndAttachments.msg") else {
            return;
        };
        let ChildContent::Parsed { hash_bytes: h2, .. } = &again[2].content else {
            panic!()
        };
        assert_eq!(hash_bytes, h2);

        let Some((_, _, kids)) = read_ok("EmailWithMsgAttachment.msg") else {
            return;
        };
        let ChildContent::Parsed { own, .. } = &kids[0].content else {
            panic!("{:?}", kids[0])
        };
        let mail = own.mail.as_ref().expect("mail metadata");
        assert_eq!(mail.subject, "Msg Attachment Test");
        assert_eq!(
            mail.from,
            vec![addr("Daniel Triendl", "d.triendl@cp-solutions.at")]
        );
        assert_eq!(
            mail.message_id.as_deref(),
            Some("<DU2P193MB2002BFDF69BC4B02DF594370B35CA@DU2P193MB2002.EURP193.PROD.OUTLOOK.COM>")
        );
    }

    #[test]
    fn contacts_and_notes_become_searchable_text() {
        let Some((own, _, _)) = read_ok("ruby-msg-contact-plain.msg") else {
            return;
        };
        for line in [
            "Name: (full name) A completely bogus contact",
            "Job title: (job title) Manager, bogus division",
            "File as: (file as) contact, A completely bogus",
            "E-mail: email@emailland.com",
        ] {
            assert!(
                own.text.lines().any(|l| l == line),
                "{line:?} missing from {:?}",
                own.text
            );
        }
        let Some((own, _, _)) = read_ok("ruby-msg-Swetlana_Novikova.msg") else {
            return;
        };
        assert!(
            own.text.contains("Company: Scalabium Software"),
            "{:?}",
            own.text
        );
        let Some((own, mail, _)) = read_ok("ruby-msg-note.msg") else {
            return;
        };
        assert_eq!(own.kind, ItemKind::Email);
        assert_eq!(
            own.text,
            "note sample\n\nJust any information to store in Outlook\n"
        );
        assert_eq!(
            mail.date.map(|d| d.to_rfc3339()),
            Some("2001-05-21T13:41:38.650+00:00".into())
        );
    }

    #[test]
    fn item_never_sent_is_dated_by_its_creation() {
        let Some((own, mail, _)) = read_ok("strangeDate.msg") else {
            return;
        };
        assert_eq!(
            mail.date.map(|d| d.to_rfc3339()),
            Some("2016-02-23T14:57:50.904+00:00".into())
        );
        assert!(
            own.notes.iter().any(|n| n.contains("never sent")),
            "{:?}",
            own.notes
        );
        assert_eq!(
            mail.to,
            vec![addr(
                "time2talk@online-convert.com",
                "time2talk@online-convert.com"
            )]
        );
    }

    /// Reads one stream of a corpus file directly, to feed a body converter.
    fn stream(file: &str, path: &str) -> Option<Vec<u8>> {
        let bytes = corpus(file)?;
        let mut cf = cfb::CompoundFile::open(Cursor::new(&bytes[..])).expect("cfb");
        let mut out = Vec::new();
        cf.open_stream(path)
            .expect("stream")
            .read_to_end(&mut out)
            .expect("read");
        Some(out)
    }

    #[test]
    fn rtf_bodies_convert_to_the_text_outlook_shows() {
        // Native RTF.
        let Some(rtf) = stream("RtfSampleEmail.msg", "/__substg1.0_10090102") else {
            return;
        };
        let text = rtf_to_text(&decompress_rtf(&rtf).expect("decompress"), usize::MAX);
        assert!(
            text.starts_with("BOOK ONE: 1805"),
            "{:?}",
            &text[..80.min(text.len())]
        );
        assert!(
            text.contains("“Well, Prince, so Genoa and Lucca are now just family estates of the")
        );
        assert!(
            !text.contains("fonttbl") && !text.contains('\\'),
            "{:?}",
            &text[..200]
        );
        // HTML encapsulated in RTF (\fromhtml1): the tags are dropped, the text kept.
        let Some(rtf) = stream("HtmlSampleEmail.msg", "/__substg1.0_10090102") else {
            return;
        };
        let text = rtf_to_text(&decompress_rtf(&rtf).expect("decompress"), usize::MAX);
        assert!(
            text.contains("so Genoa and Lucca are now just family estates"),
            "{text:.300}"
        );
        assert!(
            !text.contains("<p") && !text.contains("MsoNormal"),
            "{text:.300}"
        );
        // Cyrillic in \'xx escapes or \u.
        let Some(rtf) = stream("RtfWithShortRussianString.msg", "/__substg1.0_10090102") else {
            return;
        };
        let text = rtf_to_text(&decompress_rtf(&rtf).expect("decompress"), usize::MAX);
        assert!(text.contains("«Имя пользователя» (email)"), "{text:?}");
    }

    #[test]
    fn html_bodies_convert_to_text() {
        // The corpus's only stored HTML body is an 8-bit string property.
        let Some(html) = stream("ruby-msg-qwerty_1-orig.msg", "/__substg1.0_1013001E") else {
            return;
        };
        let text = html_to_text(&decode_html_bytes(&html, None));
        assert!(
            text.contains("Charles Lowe\nData Analyst\nFreehills"),
            "{text:?}"
        );
        assert!(!text.contains('<') && !text.contains("DOCTYPE") && !text.contains("&nbsp"));
    }

    #[test]
    fn html_to_text_handles_markup_edges() {
        let html = "<html><head><title>T</title><style>p{x:1}</style></head><body>\
                    <script>var a = '<p>';</script><div>Jane</div><div>Smith&nbsp;&amp;&#233;&#x4E2D;</div>\
                    <table><tr><td>a</td><td>b</td></tr></table>x<br>y<!-- hidden <b>c</b> -->\
                    <p title=\"a > b\">quoted</p>&unknown; & done <i>lé</i></body></html>";
        let text = html_to_text(html);
        assert_eq!(
            text,
            "Jane\nSmith &é中\na\tb\nx\ny\nquoted\n&unknown; & done lé"
        );
        // Unterminated constructs end the text; they never panic.
        for s in [
            "<",
            "<a href=\"é",
            "é<!--",
            "&#xFFFFFFFF;",
            "<script>é",
            "a<b",
            "&",
            "<p>é",
        ] {
            let _ = html_to_text(s);
        }
    }

    #[test]
    fn rtf_to_text_handles_control_words() {
        let rtf = concat!(
            r"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}{\colortbl;\red0;}",
            "\r\n",
            r"{\*\generator Riched20;}\uc1 caf\'e9\par na\u239?ve\tab x\line ",
            r"{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 Jane\htmlrtf}\htmlrtf0  ",
            r"\bin3 abcd\u-4064?\~end\}}"
        );
        let text = rtf_to_text(rtf.as_bytes(), usize::MAX);
        assert_eq!(text, "café\nnaïve\tx\nJane d\u{F020} end}");
        let cyr = br"{\rtf1\ansi\ansicpg1251 \'cf\'f0\'e8\'e2\'e5\'f2}";
        assert_eq!(rtf_to_text(cyr, usize::MAX), "Привет");
        let emoji = br"{\rtf1 \u-10179?\u-8704?}";
        assert_eq!(rtf_to_text(emoji, usize::MAX), "\u{1F600}");
        for s in [
            &b"{"[..],
            b"\\",
            b"\\'",
            b"\\'4",
            b"\\u",
            b"\\bin999999999 x",
            b"}}}{{{",
            b"\\u-",
            b"\\uc99999999999",
        ] {
            let _ = rtf_to_text(s, usize::MAX);
        }
        assert!(rtf_to_text(b"{\\rtf1 aaaaaaaaaaaaaaaaaaaaaaaaaaaa}", 5).len() <= 12);
    }

    #[test]
    fn hostile_compressed_rtf_is_an_error_not_a_crash() {
        assert!(decompress_rtf(b"").is_err());
        assert!(decompress_rtf(&[0u8; 15]).is_err());
        // LZFu claiming 4 GB of output from 20 bytes.
        let mut lying = vec![0u8; 20];
        lying[0..4].copy_from_slice(&16u32.to_le_bytes());
        lying[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        lying[8..12].copy_from_slice(&RTF_LZFU.to_le_bytes());
        assert!(decompress_rtf(&lying).is_err());
        // Compressed size larger than the data.
        lying[0..4].copy_from_slice(&1000u32.to_le_bytes());
        lying[4..8].copy_from_slice(&10u32.to_le_bytes());
        assert!(decompress_rtf(&lying).is_err());
        // Uncompressed (MELA) with a size past the end is cut to what is there.
        let mut mela = vec![0u8; 16];
        mela[4..8].copy_from_slice(&1000u32.to_le_bytes());
        mela[8..12].copy_from_slice(&RTF_MELA.to_le_bytes());
        mela.extend_from_slice(b"{\\rtf1 hi}");
        assert_eq!(decompress_rtf(&mela).expect("mela"), b"{\\rtf1 hi}");
        // Every prefix and a corrupted body of a real one.
        let Some(rtf) = stream("RtfSampleEmail.msg", "/__substg1.0_10090102") else {
            return;
        };
        for cut in 0..64.min(rtf.len()) {
            let _ = decompress_rtf(&rtf[..cut]);
        }
        let mut bad = rtf.clone();
        for b in bad.iter_mut().skip(16).step_by(7) {
            *b ^= 0x5A;
        }
        assert!(decompress_rtf(&bad).is_err(), "CRC must catch it");
    }

    /// A property source with nothing but what a test puts in it.
    #[derive(Default)]
    struct Fake {
        strings: HashMap<u16, String>,
        binaries: HashMap<u16, Vec<u8>>,
        ints: HashMap<u16, i32>,
    }

    impl MapiProps for Fake {
        fn string(&mut self, id: u16) -> Option<String> {
            self.strings.get(&id).cloned()
        }
        fn binary(&mut self, id: u16) -> Option<Vec<u8>> {
            self.binaries.get(&id).cloned()
        }
        fn int(&mut self, id: u16) -> Option<i32> {
            self.ints.get(&id).copied()
        }
        fn time(&mut self, _: u16) -> Option<DateTime<Utc>> {
            None
        }
        fn named(&self, _: &[u8; 16], _: u32) -> Option<u16> {
            None
        }
    }

    #[test]
    fn body_falls_back_from_plain_to_html_to_rtf() {
        let limits = Limits::default();
        let mut p = Fake::default();
        p.binaries.insert(
            PR_HTML,
            "<p>Caf\u{e9} <b>menu</b></p>"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect(),
        );
        p.ints.insert(PR_INTERNET_CODEPAGE, 1200);
        let core = read_core(&mut p, &limits);
        assert_eq!(core.text, "Café menu");
        assert!(core.notes.iter().any(|n| n.contains("HTML")));

        let mut p = Fake::default();
        p.binaries.insert(PR_HTML, b"<p>Caf\xe9</p>".to_vec());
        p.ints.insert(PR_INTERNET_CODEPAGE, 1252);
        assert_eq!(read_core(&mut p, &limits).text, "Café");

        let Some(rtf) = stream("RtfSampleEmail.msg", "/__substg1.0_10090102") else {
            return;
        };
        let mut p = Fake::default();
        p.strings.insert(PR_BODY, " \r\n".into());
        p.binaries.insert(PR_RTF_COMPRESSED, rtf);
        let core = read_core(&mut p, &limits);
        assert!(core.text.contains("Genoa and Lucca"));
        assert!(core.notes.iter().any(|n| n.contains("RTF")));

        let mut p = Fake::default();
        p.binaries.insert(PR_RTF_COMPRESSED, vec![1, 2, 3]);
        let core = read_core(&mut p, &limits);
        assert_eq!(core.text, "");
        assert!(
            core.notes.iter().any(|n| n.contains("could not be read")),
            "{:?}",
            core.notes
        );
    }

    #[test]
    fn transport_headers_fill_what_the_properties_lack() {
        let limits = Limits::default();
        let mut p = Fake::default();
        p.strings.insert(
            PR_TRANSPORT_HEADERS,
            "Received: by x\r\nFrom: \"Head, Teacher\" <head@school.org>\r\nTo: Jane Doe <jane@example.org>,\r\n bob@example.org\r\n\
             Cc: =?utf-8?q?Zo=C3=AB?= <zoe@example.org>\r\nDate: Tue, 4 Mar 2025 09:15:00 +0100\r\n\
             Message-ID: <abc@school.org>\r\nSubject: x\r\n"
                .into(),
        );
        p.strings.insert(PR_SENDER_NAME, "Head, Teacher".into());
        p.strings.insert(
            PR_SENDER_EMAIL,
            "/O=SCHOOL/OU=EXCHANGE/CN=RECIPIENTS/CN=HEAD".into(),
        );
        let own = read_core(&mut p, &limits).finish(Vec::new(), &[], Vec::new());
        let mail = own.mail.expect("mail");
        assert_eq!(mail.from, vec![addr("Head, Teacher", "head@school.org")]);
        assert_eq!(
            mail.to,
            vec![
                addr("Jane Doe", "jane@example.org"),
                Address {
                    name: None,
                    email: Some("bob@example.org".into())
                }
            ]
        );
        assert_eq!(mail.cc, vec![addr("Zoë", "zoe@example.org")]);
        assert_eq!(mail.message_id.as_deref(), Some("<abc@school.org>"));
        assert_eq!(
            mail.date.map(|d| d.to_rfc3339()),
            Some("2025-03-04T08:15:00+00:00".into())
        );
        assert!(own.notes.iter().any(|n| n.contains("transport headers")));
    }

    #[test]
    fn ansi_strings_use_the_message_code_page() {
        assert_eq!(decode_codepage(b"\xcf\xf0\xe8", Some(1251)), "При");
        assert_eq!(decode_codepage(b"caf\xe9", Some(1252)), "café");
        assert_eq!(
            decode_codepage(b"caf\xe9", None),
            "café",
            "not UTF-8: Windows-1252"
        );
        assert_eq!(decode_codepage("café".as_bytes(), None), "café");
        assert_eq!(decode_codepage(b"\x82\xa0", Some(932)), "あ");
        assert_eq!(decode_codepage(b"\xa4\xa4", Some(950)), "中");
        assert_eq!(
            strip_subject_prefix("\u{1}\u{1}Test appointment"),
            "Test appointment"
        );
        assert_eq!(strip_subject_prefix("RE: x"), "RE: x");
        assert_eq!(filetime(0), None);
        assert_eq!(filetime(i64::MAX), None);
        assert_eq!(
            filetime(116_444_736_000_000_000).map(|d| d.timestamp()),
            Some(0)
        );
    }

    #[test]
    fn limits_are_enforced() {
        let Some(bytes) = corpus("EmailWithInnerMailAndAttachments.msg") else {
            return;
        };
        let small = Limits {
            max_item_bytes: 1000,
            ..Limits::default()
        };
        assert!(matches!(run(&bytes, &small).0, Err(ReadError::Limit(_))));

        let shallow = Limits {
            max_depth: 1,
            ..Limits::default()
        };
        let (r, kids) = run(&bytes, &shallow);
        assert!(r.is_ok());
        assert!(
            matches!(&kids[2].content, ChildContent::Failed { reason, .. } if reason.contains("limit reached")),
            "{:?}",
            kids[2]
        );

        let few = Limits {
            max_entries: 1,
            ..Limits::default()
        };
        let (r, kids) = run(&bytes, &few);
        let own = r.expect("read");
        assert_eq!(kids.len(), 2, "one attachment and one limit row");
        assert!(
            matches!(&kids[0].content, ChildContent::Failed { reason, .. } if reason.contains("3 attachments"))
        );
        assert_eq!(own.mail.expect("mail").attachment_names, ["OUTER 1.pdf"]);
    }

    #[test]
    fn not_a_message_is_refused_with_a_reason() {
        let limits = Limits::default();
        assert!(matches!(run(b"", &limits).0, Err(ReadError::Corrupt(_))));
        assert!(matches!(
            run(b"From: a@b\r\n\r\nhello", &limits).0,
            Err(ReadError::Corrupt(_))
        ));
        let mut fake = CFB_MAGIC.to_vec();
        fake.resize(4096, 0);
        assert!(matches!(run(&fake, &limits).0, Err(ReadError::Corrupt(_))));
        // An OLE file that is a spreadsheet, not a message.
        let xls = Path::new(CORPUS).join("../../sheets/any_sheets.xls");
        if let Ok(bytes) = std::fs::read(&xls) {
            let r = run(&bytes, &limits).0;
            assert!(
                matches!(&r, Err(ReadError::Corrupt(m)) if m.contains("not an Outlook message")),
                "{r:?}"
            );
        }
    }

    /// A small deterministic generator, so a failing corruption can be replayed.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn truncated_and_corrupted_files_never_panic() {
        let limits = Limits::default();
        let mut outcomes = [0usize; 3]; // Ok, Err, Ok with a failed child
        for file in [
            "EmailWithInnerMailAndAttachments.msg",
            "ruby-msg-note.msg",
            "RtfSampleEmail.msg",
        ] {
            let Some(bytes) = corpus(file) else { return };
            let n = bytes.len();
            for cut in [
                0,
                7,
                8,
                100,
                511,
                512,
                513,
                1024,
                4096,
                n / 3,
                n / 2,
                n * 9 / 10,
                n - 1,
            ] {
                let (r, kids) = run(&bytes[..cut.min(n)], &limits);
                let failed = kids
                    .iter()
                    .any(|k| matches!(k.content, ChildContent::Failed { .. }));
                outcomes[if r.is_err() {
                    1
                } else if failed {
                    2
                } else {
                    0
                }] += 1;
            }
            let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ n as u64;
            for _ in 0..100 {
                let mut bad = bytes.clone();
                for _ in 0..8 {
                    let at = (xorshift(&mut seed) % n as u64) as usize;
                    bad[at] ^= (xorshift(&mut seed) & 0xFF) as u8 | 1;
                }
                let (r, kids) = run(&bad, &limits);
                let failed = kids
                    .iter()
                    .any(|k| matches!(k.content, ChildContent::Failed { .. }));
                outcomes[if r.is_err() {
                    1
                } else if failed {
                    2
                } else {
                    0
                }] += 1;
            }
        }
        println!(
            "ok {}, refused {}, ok with failed parts {}",
            outcomes[0], outcomes[1], outcomes[2]
        );
        assert!(outcomes[1] > 0, "truncations must be refused");
    }
}
