//! Outlook `.msg` files: one message (or contact, appointment, note) in an OLE compound file.
//!
//! The file is read with the `cfb` crate and its MAPI properties are interpreted by
//! [`super::mapi`] rather than through `msg_parser`, because a SAR answer needs things that
//! crate drops: recipient types (To/Cc/Bcc), ANSI strings in the message's code page, a way to
//! turn an Exchange-only sender into an SMTP address, contact and calendar fields, and
//! attachment bytes without a hex copy. This module only walks the compound file: the storages
//! of the message, its recipients and attachments, and the streams that hold their properties.
//!
//! Embedded messages (a .msg attached to a .msg) have no standalone bytes: they become
//! [`ChildContent::Parsed`] children whose `hash_bytes` is
//! [`canonical_bytes`](super::mapi::hash::canonical_bytes).

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::mapi::hash::embedded_message;
use super::mapi::message::{
    attachment_link, attachment_name, linked_reason, oversize_reason, read_core, read_recipient,
};
use super::mapi::props::{
    declared_codepage, filetime, non_empty, string8, utf16le, MapiProps, NamedMap, PR_ATTACH_DATA,
    PR_ATTACH_METHOD, PR_MESSAGE_CLASS, PS_MAPI, PS_PUBLIC_STRINGS,
};
use super::model::{Child, ChildContent, Input, Limits, Own, ReadError};
use super::ole::OLE_MAGIC;
use super::unwind::guard;

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
    if !input.bytes.starts_with(&OLE_MAGIC) {
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
        let reference = attachment_link(&mut p);
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
            Ok(inner) => embedded_message(
                name,
                fallback_name,
                inner.own,
                &inner.class,
                &inner.attachments,
                inner.children,
            ),
            Err(e) => failed(
                name.unwrap_or(fallback_name),
                format!("embedded message: {e}"),
            ),
        };
    }
    let name = name.unwrap_or(fallback_name);
    if let Some(s) = stream {
        if s.len > ctx.limits.max_item_bytes {
            return failed(name, oversize_reason(s.len, ctx.limits));
        }
        return match ole.read(&dir.join(&s.name)) {
            Ok(bytes) => {
                let size = bytes.len() as u64;
                (name, size, ChildContent::Bytes(bytes))
            }
            Err(why) => failed(name, format!("cannot read the attachment's data: {why}")),
        };
    }
    let reason = linked_reason(method, reference, "the message")
        .unwrap_or_else(|| "the attachment has no data in the message".into());
    failed(name, reason)
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
        let own = declared_codepage(&mut props);
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
            return non_empty(string8(&b, self.codepage));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::mapi::test_support::addr;
    use crate::ingest::model::{Address, ItemKind, MailMeta};
    use crate::ingest::testutil::{corpus_file, outcome, xorshift};

    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/email/msg");

    fn corpus(name: &str) -> Option<Vec<u8>> {
        corpus_file(&format!("email/msg/{name}"))
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
        let mut fake = OLE_MAGIC.to_vec();
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
                outcomes[outcome(&r, &kids)] += 1;
            }
            let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ n as u64;
            for _ in 0..100 {
                let mut bad = bytes.clone();
                for _ in 0..8 {
                    let at = (xorshift(&mut seed) % n as u64) as usize;
                    bad[at] ^= (xorshift(&mut seed) & 0xFF) as u8 | 1;
                }
                let (r, kids) = run(&bad, &limits);
                outcomes[outcome(&r, &kids)] += 1;
            }
        }
        println!(
            "ok {}, refused {}, ok with failed parts {}",
            outcomes[0], outcomes[1], outcomes[2]
        );
        assert!(outcomes[1] > 0, "truncations must be refused");
    }
}
