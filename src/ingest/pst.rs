//! Outlook PST files: one mailbox, every folder walked, every message a child.
//!
//! Read with Microsoft's `outlook-pst` crate. Its types are not `Send` and it wants a
//! `'static` reader, so the bytes are copied into a `Cursor<Vec<u8>>` and the whole read
//! runs on the calling thread; no scratch file is needed. The MAPI properties it hands back
//! are interpreted by the same code as `.msg` files ([`super::mapi`]), so a message reads the
//! same whichever way it was exported.
//!
//! The crate fails on some real items (a distribution list without a sub-node tree, the
//! exception attachments of a recurring appointment), so each message and each attachment is
//! opened on its own, behind a panic guard: one that cannot be read is one
//! [`ChildContent::Failed`], named from the folder's contents table, and the walk goes on.
//! Search folders are skipped (they only point at messages stored elsewhere), as are the
//! hidden folder-associated items (views, rules).
//!
//! A message's `hash_bytes` is [`canonical_bytes`]: kind, class, Message-ID,
//! date, sender, recipients, subject, attachment names and sizes, then the text.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Cursor};
use std::rc::Rc;

use chrono::{DateTime, Utc};
use outlook_pst::ltp::prop_context::PropertyValue;
use outlook_pst::ltp::table_context::TableContext;
use outlook_pst::messaging::attachment::{
    AnsiAttachment, Attachment, AttachmentData, AttachmentProperties, UnicodeAttachment,
};
use outlook_pst::messaging::message::{AnsiMessage, Message, MessageProperties, UnicodeMessage};
use outlook_pst::messaging::named_prop::NamedPropertyGuid;
use outlook_pst::messaging::named_prop::NamedPropertyId;
use outlook_pst::messaging::store::{AnsiStore, EntryId, Store, UnicodeStore};
use outlook_pst::ndb::node_id::{NodeId, NodeIdType, NID_ROOT_FOLDER};
use outlook_pst::{AnsiPstFile, PstReader, UnicodePstFile};

use super::mapi::hash::{canonical_bytes, embedded_message};
use super::mapi::message::{
    attachment_link, attachment_name, linked_reason, oversize_reason, read_core, read_recipient,
    strip_subject_prefix, Recipient,
};
use super::mapi::props::{
    declared_codepage, filetime, non_empty, string8, utf16_units, MapiProps, NamedMap,
    PR_ATTACH_METHOD, PR_DISPLAY_NAME, PR_MESSAGE_CLASS, PR_SUBJECT, PS_MAPI, PS_PUBLIC_STRINGS,
};
use super::model::{Child, ChildContent, Input, ItemKind, Limits, Own, ReadError};
use super::unwind::guard;

const PST_MAGIC: &[u8; 4] = b"!BDN";
/// Folders nest as deep as users make them, but a loop in a corrupt file must end.
const MAX_FOLDER_DEPTH: usize = 128;
const PR_PST_PASSWORD: u16 = 0x67FF;
const PR_ATTACH_SIZE: u16 = 0x0E20;

/// Reads one PST: emits every message of every folder, returns the store's own item.
pub fn read(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let limits = input.limits;
    if input.bytes.len() as u64 > limits.max_item_bytes {
        return Err(ReadError::Limit(format!(
            "the PST is {} bytes, over the {}-byte item limit",
            input.bytes.len(),
            limits.max_item_bytes
        )));
    }
    if input.bytes.len() < 512 || !input.bytes.starts_with(PST_MAGIC) {
        return Err(ReadError::Corrupt(
            "not an Outlook PST file (no !BDN signature)".into(),
        ));
    }
    // wVer: 14 and 15 are ANSI (Outlook 97-2002), 23 and up Unicode.
    let version = u16::from_le_bytes([input.bytes[10], input.bytes[11]]);
    let ansi = matches!(version, 14 | 15);
    let result = guard("PST", || {
        if ansi {
            walk_pst::<Ansi>(input, emit)
        } else {
            walk_pst::<Unicode>(input, emit)
        }
    });
    match result {
        Ok(r) => r,
        Err(crash) => Err(ReadError::Corrupt(crash)),
    }
}

/// What differs between ANSI and Unicode PSTs: the concrete store, message and attachment
/// types (attachments can only be opened from the concrete message type).
trait Flavor {
    type Store: Store + 'static;
    type Message: Message + 'static;
    const NAME: &'static str;
    fn open_store(reader: Box<dyn PstReader>) -> io::Result<Rc<Self::Store>>;
    fn open_message(store: &Rc<Self::Store>, id: &EntryId) -> io::Result<Rc<Self::Message>>;
    fn open_attachment(msg: &Rc<Self::Message>, node: NodeId) -> io::Result<Rc<dyn Attachment>>;
}

struct Unicode;
struct Ansi;

impl Flavor for Unicode {
    type Store = UnicodeStore;
    type Message = UnicodeMessage;
    const NAME: &'static str = "Unicode";
    fn open_store(reader: Box<dyn PstReader>) -> io::Result<Rc<UnicodeStore>> {
        UnicodeStore::read(Rc::new(UnicodePstFile::read_from(reader)?))
    }
    fn open_message(store: &Rc<UnicodeStore>, id: &EntryId) -> io::Result<Rc<UnicodeMessage>> {
        UnicodeMessage::read(store.clone(), id, None)
    }
    fn open_attachment(msg: &Rc<UnicodeMessage>, node: NodeId) -> io::Result<Rc<dyn Attachment>> {
        Ok(UnicodeAttachment::read(msg.clone(), node, None)?)
    }
}

impl Flavor for Ansi {
    type Store = AnsiStore;
    type Message = AnsiMessage;
    const NAME: &'static str = "ANSI";
    fn open_store(reader: Box<dyn PstReader>) -> io::Result<Rc<AnsiStore>> {
        AnsiStore::read(Rc::new(AnsiPstFile::read_from(reader)?))
    }
    fn open_message(store: &Rc<AnsiStore>, id: &EntryId) -> io::Result<Rc<AnsiMessage>> {
        AnsiMessage::read(store.clone(), id, None)
    }
    fn open_attachment(msg: &Rc<AnsiMessage>, node: NodeId) -> io::Result<Rc<dyn Attachment>> {
        Ok(AnsiAttachment::read(msg.clone(), node, None)?)
    }
}

#[derive(Default)]
struct Counts {
    folders: usize,
    messages: usize,
    failed: usize,
    search_folders: usize,
    hidden: usize,
}

struct Walker<'a, F: Flavor> {
    store: Rc<F::Store>,
    names: NamedMap,
    mailbox: Option<String>,
    limits: &'a Limits,
    emit: &'a mut dyn FnMut(Child),
    counts: Counts,
    visited: HashSet<u32>,
    /// Set once `max_entries` messages have been emitted; the rest of the walk is skipped.
    full: bool,
}

fn walk_pst<F: Flavor>(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    // The crate keeps the reader for the store's lifetime and needs it `'static`.
    let reader: Box<dyn PstReader> = Box::new(Cursor::new(input.bytes.to_vec()));
    let store = F::open_store(reader)
        .map_err(|e| ReadError::Corrupt(format!("cannot open the PST: {e}")))?;
    let mut notes = vec![format!("{} PST", F::NAME)];
    let props = store.properties();
    let display_name = table_string_of(props.get(PR_DISPLAY_NAME)).unwrap_or_default();
    if matches!(props.get(PR_PST_PASSWORD), Some(PropertyValue::Integer32(p)) if *p != 0) {
        notes.push(
            "the PST has a password; PST passwords do not encrypt anything, so it was read \
             without one"
                .into(),
        );
    }
    let names = named_map(store.as_ref());
    let mut walker = Walker::<F> {
        store: store.clone(),
        names,
        mailbox: mailbox_name(&display_name, input.name),
        limits: input.limits,
        emit,
        counts: Counts::default(),
        visited: HashSet::new(),
        full: false,
    };

    // The mail a user sees lives under the IPM subtree; its folder paths start there
    // (`Inbox › …`). Everything else under the root is walked after it, named from the root.
    let ipm = store.properties().ipm_sub_tree_entry_id().ok();
    if let Some(ipm) = &ipm {
        walker.walk_folder(ipm, &[], 0);
    } else {
        notes
            .push("the PST does not say where its mail folders start; walked from the root".into());
    }
    let root = store
        .properties()
        .make_entry_id(NID_ROOT_FOLDER)
        .map_err(|e| ReadError::Corrupt(format!("cannot find the PST's root folder: {e}")))?;
    walker.walk_folder(&root, &[], 0);

    let c = &walker.counts;
    if c.folders == 0 {
        return Err(ReadError::Corrupt(
            "no folder of the PST could be read".into(),
        ));
    }
    notes.push(format!(
        "{} folders, {} messages read, {} could not be read",
        c.folders, c.messages, c.failed
    ));
    if c.search_folders > 0 {
        notes.push(format!(
            "{} search folders skipped (they list messages stored in other folders)",
            c.search_folders
        ));
    }
    if c.hidden > 0 {
        notes.push(format!(
            "{} hidden folder items (views, rules) skipped",
            c.hidden
        ));
    }
    Ok(Own {
        kind: ItemKind::Pst,
        text: String::new(),
        mail: None,
        notes,
        sheet_rows: Vec::new(),
    })
}

/// Generic store names say nothing about whose mailbox it is; Purview names the file after
/// the mailbox, so the file name is the better label then.
fn mailbox_name(display_name: &str, file_name: &str) -> Option<String> {
    let generic = [
        "",
        "personal folders",
        "outlook data file",
        "outlook",
        "mailbox",
    ];
    let d = display_name.trim();
    if !generic.contains(&d.to_ascii_lowercase().as_str()) {
        return Some(d.to_string());
    }
    let stem = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = stem
        .strip_suffix(".pst")
        .or_else(|| stem.strip_suffix(".PST"))
        .unwrap_or(stem);
    if stem.is_empty() {
        (!d.is_empty()).then(|| d.to_string())
    } else {
        Some(stem.to_string())
    }
}

impl<F: Flavor> Walker<'_, F> {
    fn fail(&mut self, levels: Vec<String>, reason: String) {
        self.counts.failed += 1;
        (self.emit)(Child {
            levels,
            content: ChildContent::Failed {
                reason,
                hash_bytes: None,
            },
        });
    }

    fn walk_folder(&mut self, id: &EntryId, levels: &[String], depth: usize) {
        if self.full || !self.visited.insert(u32::from(id.node_id())) {
            return;
        }
        if depth > MAX_FOLDER_DEPTH {
            self.fail(
                levels.to_vec(),
                format!("folders nested more than {MAX_FOLDER_DEPTH} deep; this one was not read"),
            );
            return;
        }
        let store = self.store.clone();
        let folder = match guard("PST folder", || store.open_folder(id)) {
            Ok(Ok(f)) => f,
            Ok(Err(e)) => {
                return self.fail(levels.to_vec(), format!("cannot open this folder: {e}"))
            }
            Err(crash) => return self.fail(levels.to_vec(), crash),
        };
        self.counts.folders += 1;
        if let Some(assoc) = folder.associated_table() {
            self.counts.hidden += assoc.rows_matrix().count();
        }

        if let Some(contents) = folder.contents_table() {
            self.walk_contents(contents.as_ref(), levels);
        }

        let Some(hierarchy) = folder.hierarchy_table() else {
            return;
        };
        let subfolders: Vec<(NodeId, String)> = hierarchy
            .rows_matrix()
            .map(|row| {
                let node = NodeId::from(u32::from(row.id()));
                let name = row_props(hierarchy.as_ref(), row)
                    .and_then(|p| table_string(&p, PR_DISPLAY_NAME))
                    .unwrap_or_default();
                (node, name)
            })
            .collect();
        for (node, name) in subfolders {
            if node.id_type().ok() == Some(NodeIdType::SearchFolder) {
                self.counts.search_folders += 1;
                continue;
            }
            let Ok(child_id) = self.store.properties().make_entry_id(node) else {
                continue;
            };
            let mut child_levels = levels.to_vec();
            child_levels.push(if name.trim().is_empty() {
                "(unnamed folder)".into()
            } else {
                name
            });
            self.walk_folder(&child_id, &child_levels, depth + 1);
        }
    }

    fn walk_contents(&mut self, contents: &dyn TableContext, levels: &[String]) {
        let rows: Vec<(NodeId, Option<BTreeMap<u16, PropertyValue>>)> = contents
            .rows_matrix()
            .map(|row| (NodeId::from(u32::from(row.id())), row_props(contents, row)))
            .collect();
        for (node, row) in rows {
            if self.counts.messages + self.counts.failed >= self.limits.max_entries {
                self.full = true;
                self.fail(
                    levels.to_vec(),
                    format!(
                        "limit reached: more than {} messages in this PST; the rest were not read",
                        self.limits.max_entries
                    ),
                );
                return;
            }
            let listed_subject = row
                .as_ref()
                .and_then(|r| table_string(r, PR_SUBJECT))
                .map(|s| strip_subject_prefix(&s));
            let listed_class = row.as_ref().and_then(|r| table_string(r, PR_MESSAGE_CLASS));
            let mut item_levels = levels.to_vec();
            item_levels.push(subject_level(listed_subject.as_deref()));

            let result = guard("PST message", || self.read_message(node));
            match result {
                Ok(Ok((own, hash_bytes, children))) => {
                    if let Some(subject) = own.mail.as_ref().map(|m| m.subject.as_str()) {
                        if let Some(last) = item_levels.last_mut() {
                            *last = subject_level(Some(subject));
                        }
                    }
                    self.counts.messages += 1;
                    (self.emit)(Child {
                        levels: item_levels,
                        content: ChildContent::Parsed {
                            own,
                            hash_bytes,
                            children,
                        },
                    });
                }
                Ok(Err(e)) => {
                    let what = listed_class.map(|c| format!(" ({c})")).unwrap_or_default();
                    self.fail(item_levels, format!("cannot read this item{what}: {e}"));
                }
                Err(crash) => self.fail(item_levels, crash),
            }
        }
    }

    fn read_message(&self, node: NodeId) -> io::Result<(Own, Vec<u8>, Vec<Child>)> {
        let id = self.store.properties().make_entry_id(node)?;
        let msg = F::open_message(&self.store, &id)?;
        let (mut own, class) = self.message_own(msg.as_ref());
        let mut children = Vec::new();
        let mut attachments = Vec::new();
        if let Some(table) = msg.attachment_table() {
            let rows: Vec<_> = table
                .rows_matrix()
                .map(|row| {
                    (
                        NodeId::from(u32::from(row.id())),
                        row_props(table.as_ref(), row),
                    )
                })
                .collect();
            for (n, (att_node, row)) in rows.into_iter().enumerate() {
                if n >= self.limits.max_entries {
                    children.push(failed_child(
                        "(more attachments)".into(),
                        format!("limit reached: only the first {} attachments were read", n),
                    ));
                    break;
                }
                let listed = row
                    .as_ref()
                    .map(|r| self.props(r))
                    .and_then(|mut p| attachment_name(&mut p));
                let fallback = listed.unwrap_or_else(|| format!("attachment {}", n + 1));
                let opened = guard("PST attachment", || F::open_attachment(&msg, att_node));
                let (name, size, content) = match opened {
                    Ok(Ok(att)) => self.attachment(att.as_ref(), fallback),
                    Ok(Err(e)) => {
                        let size = row.as_ref().and_then(|r| int_of(r.get(&PR_ATTACH_SIZE)));
                        let what = match row.as_ref().and_then(|r| int_of(r.get(&PR_ATTACH_METHOD)))
                        {
                            Some(5) => " (an embedded item)",
                            _ => "",
                        };
                        (
                            fallback,
                            size.map_or(0, |s| s.max(0) as u64),
                            ChildContent::Failed {
                                reason: format!("cannot read this attachment{what}: {e}"),
                                hash_bytes: None,
                            },
                        )
                    }
                    Err(crash) => (
                        fallback,
                        0,
                        ChildContent::Failed {
                            reason: crash,
                            hash_bytes: None,
                        },
                    ),
                };
                attachments.push((name.clone(), size));
                children.push(Child {
                    levels: vec![name],
                    content,
                });
            }
        }
        if let Some(m) = own.mail.as_mut() {
            m.attachment_names = attachments.iter().map(|(n, _)| n.clone()).collect();
        }
        let hash_bytes = canonical_bytes(&own, &class, &attachments);
        Ok((own, hash_bytes, children))
    }

    /// Own content of a message: the shared MAPI reading plus its recipient table.
    fn message_own(&self, msg: &dyn Message) -> (Own, String) {
        let mut p = self.props(msg.properties());
        let class = p
            .string(PR_MESSAGE_CLASS)
            .unwrap_or_else(|| "IPM.Note".into());
        let core = read_core(&mut p, self.limits);
        let mut recipients: Vec<Recipient> = Vec::new();
        if let Some(table) = msg.recipient_table() {
            for row in table.rows_matrix() {
                if recipients.len() >= self.limits.max_entries {
                    break;
                }
                if let Some(r) = row_props(table.as_ref(), row) {
                    let mut rp = self.props(&r);
                    if let Some(rec) = read_recipient(&mut rp) {
                        recipients.push(rec);
                    }
                }
            }
        }
        let mut own = core.finish(recipients, &[], Vec::new());
        if let Some(m) = own.mail.as_mut() {
            m.mailbox = self.mailbox.clone();
        }
        (own, class)
    }

    /// An opened attachment: file bytes, an embedded message, or a reason it has neither.
    fn attachment(&self, att: &dyn Attachment, fallback: String) -> (String, u64, ChildContent) {
        let props = att.properties();
        let mut p = self.props(props);
        let name = attachment_name(&mut p);
        match att.data() {
            Some(AttachmentData::Binary(b)) => {
                let name = name.unwrap_or(fallback);
                let bytes = b.buffer();
                if bytes.len() as u64 > self.limits.max_item_bytes {
                    return (
                        name,
                        bytes.len() as u64,
                        ChildContent::Failed {
                            reason: oversize_reason(bytes.len() as u64, self.limits),
                            hash_bytes: None,
                        },
                    );
                }
                (
                    name,
                    bytes.len() as u64,
                    ChildContent::Bytes(bytes.to_vec()),
                )
            }
            Some(AttachmentData::Message(inner)) => {
                let (mut own, class) = self.message_own(inner.as_ref());
                own.notes
                    .push("a message attached to a message in a PST".into());
                // Only the concrete message type can open attachments, and the crate hands
                // embedded messages back as trait objects: list theirs, say they were not read.
                let mut children = Vec::new();
                let mut attachments = Vec::new();
                if let Some(table) = inner.attachment_table() {
                    for (n, row) in table.rows_matrix().enumerate() {
                        if n >= self.limits.max_entries {
                            break;
                        }
                        let r = row_props(table.as_ref(), row);
                        let an = r
                            .as_ref()
                            .map(|r| self.props(r))
                            .and_then(|mut p| attachment_name(&mut p))
                            .unwrap_or_else(|| format!("attachment {}", n + 1));
                        let size = r.as_ref().and_then(|r| int_of(r.get(&PR_ATTACH_SIZE)));
                        attachments.push((an.clone(), size.map_or(0, |s| s.max(0) as u64)));
                        children.push(failed_child(
                            an,
                            "an attachment of a message that is itself attached inside a PST: \
                             the PST library cannot open it; export the outer message as .msg"
                                .into(),
                        ));
                    }
                }
                if let Some(m) = own.mail.as_mut() {
                    m.attachment_names = attachments.iter().map(|(n, _)| n.clone()).collect();
                }
                embedded_message(name, fallback, own, &class, &attachments, children)
            }
            None => {
                let name = name.unwrap_or(fallback);
                let method = p.int(PR_ATTACH_METHOD);
                let target = attachment_link(&mut p);
                let reason =
                    linked_reason(method, target, "the PST").unwrap_or_else(|| match method {
                        Some(m) => format!("the attachment has no data (attach method {m})"),
                        None => "the attachment has no data".into(),
                    });
                (
                    name,
                    0,
                    ChildContent::Failed {
                        reason,
                        hash_bytes: None,
                    },
                )
            }
        }
    }

    fn props<'p, G: PropGet + ?Sized>(&'p self, g: &'p G) -> PstProps<'p, G> {
        let mut p = PstProps {
            g,
            names: &self.names,
            codepage: None,
        };
        p.codepage = declared_codepage(&mut p);
        p
    }
}

fn failed_child(name: String, reason: String) -> Child {
    Child {
        levels: vec![name],
        content: ChildContent::Failed {
            reason,
            hash_bytes: None,
        },
    }
}

fn subject_level(subject: Option<&str>) -> String {
    match subject.map(str::trim) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "(no subject)".into(),
    }
}

/// The values of one table row, by property id; `None` when the row cannot be decoded.
fn row_props(
    table: &dyn TableContext,
    row: &outlook_pst::ltp::table_context::TableRowData,
) -> Option<BTreeMap<u16, PropertyValue>> {
    let context = table.context();
    let values = row.columns(context).ok()?;
    let mut out = BTreeMap::new();
    for (column, value) in context.columns().iter().zip(values) {
        let Some(value) = value else { continue };
        if let Ok(v) = table.read_column(&value, column.prop_type()) {
            out.insert(column.prop_id(), v);
        }
    }
    Some(out)
}

fn table_string(row: &BTreeMap<u16, PropertyValue>, id: u16) -> Option<String> {
    table_string_of(row.get(&id))
}

/// A string of a table row or the store, which say nothing of their code page.
fn table_string_of(v: Option<&PropertyValue>) -> Option<String> {
    string_of(v, Some(1252))
}

fn string_of(v: Option<&PropertyValue>, codepage: Option<u32>) -> Option<String> {
    let s = match v? {
        PropertyValue::Unicode(u) => utf16_units(u.buffer()),
        PropertyValue::String8(s) => string8(s.buffer(), codepage.or(Some(1252))),
        _ => return None,
    };
    non_empty(s)
}

fn int_of(v: Option<&PropertyValue>) -> Option<i32> {
    match v? {
        PropertyValue::Integer32(i) => Some(*i),
        PropertyValue::Integer16(i) => Some(i32::from(*i)),
        PropertyValue::Boolean(b) => Some(i32::from(*b)),
        _ => None,
    }
}

/// The property bags the crate hands out (message, attachment, table row) behind one face.
trait PropGet {
    fn get_prop(&self, id: u16) -> Option<&PropertyValue>;
}

impl PropGet for MessageProperties {
    fn get_prop(&self, id: u16) -> Option<&PropertyValue> {
        self.get(id)
    }
}

impl PropGet for AttachmentProperties {
    fn get_prop(&self, id: u16) -> Option<&PropertyValue> {
        self.get(id)
    }
}

impl PropGet for BTreeMap<u16, PropertyValue> {
    fn get_prop(&self, id: u16) -> Option<&PropertyValue> {
        self.get(&id)
    }
}

struct PstProps<'p, G: PropGet + ?Sized> {
    g: &'p G,
    names: &'p NamedMap,
    codepage: Option<u32>,
}

impl<G: PropGet + ?Sized> MapiProps for PstProps<'_, G> {
    fn string(&mut self, id: u16) -> Option<String> {
        string_of(self.g.get_prop(id), self.codepage)
    }

    fn binary(&mut self, id: u16) -> Option<Vec<u8>> {
        match self.g.get_prop(id)? {
            PropertyValue::Binary(b) => Some(b.buffer().to_vec()),
            _ => None,
        }
    }

    fn int(&mut self, id: u16) -> Option<i32> {
        int_of(self.g.get_prop(id))
    }

    fn time(&mut self, id: u16) -> Option<DateTime<Utc>> {
        match self.g.get_prop(id)? {
            PropertyValue::Time(t) => filetime(*t),
            _ => None,
        }
    }

    fn named(&self, set: &[u8; 16], lid: u32) -> Option<u16> {
        self.names.get(&(*set, lid)).copied()
    }
}

/// The store's map of named properties (contact e-mail addresses, appointment location and
/// times live there). A PST whose map cannot be read still yields mail; only those fields go.
fn named_map(store: &dyn Store) -> NamedMap {
    let mut map = NamedMap::new();
    let Ok(named) = store.named_property_map() else {
        return map;
    };
    let props = named.properties();
    let Ok(entries) = props.stream_entry() else {
        return map;
    };
    // `lookup_guid` offsets the index twice; the GUID stream is read directly instead.
    let guids = props.stream_guid().unwrap_or_default();
    for entry in entries {
        let NamedPropertyId::Number(lid) = entry.id() else {
            continue;
        };
        let set = match entry.guid() {
            NamedPropertyGuid::None => continue,
            NamedPropertyGuid::Mapi => PS_MAPI,
            NamedPropertyGuid::PublicStrings => PS_PUBLIC_STRINGS,
            NamedPropertyGuid::GuidIndex(i) => match guids.get(usize::from(i)) {
                Some(guid) => {
                    let mut b = [0u8; 16];
                    b[..4].copy_from_slice(&guid.data1().to_le_bytes());
                    b[4..6].copy_from_slice(&guid.data2().to_le_bytes());
                    b[6..8].copy_from_slice(&guid.data3().to_le_bytes());
                    b[8..].copy_from_slice(guid.data4());
                    b
                }
                None => continue,
            },
        };
        map.insert((set, lid), entry.prop_id());
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::model::MailMeta;
    use crate::ingest::testutil::{corpus_file, outcome, xorshift};
    use std::path::{Path, PathBuf};

    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/email/pst");

    fn corpus(name: &str) -> Option<Vec<u8>> {
        corpus_file(&format!("email/pst/{name}"))
    }

    fn run(bytes: &[u8], name: &str, limits: &Limits) -> (Result<Own, ReadError>, Vec<Child>) {
        let mut kids = Vec::new();
        let r = read(
            &Input {
                bytes,
                name,
                limits,
            },
            &mut |c| kids.push(c),
        );
        (r, kids)
    }

    fn path(c: &Child) -> String {
        c.levels.join(" › ")
    }

    fn parsed(c: &Child) -> (&Own, &MailMeta, &Vec<u8>, &Vec<Child>) {
        match &c.content {
            ChildContent::Parsed {
                own,
                hash_bytes,
                children,
            } => (
                own,
                own.mail.as_ref().expect("mail metadata"),
                hash_bytes,
                children,
            ),
            other => panic!("{} is not parsed: {other:?}", path(c)),
        }
    }

    fn failure(c: &Child) -> &str {
        match &c.content {
            ChildContent::Failed { reason, .. } => reason,
            other => panic!("{} did not fail: {other:?}", path(c)),
        }
    }

    #[test]
    fn dist_list_pst_yields_every_item_with_its_folder_path() {
        let Some(bytes) = corpus("dist-list.pst") else {
            return;
        };
        let (r, kids) = run(&bytes, "export/dist-list.pst", &Limits::default());
        let own = r.expect("the PST opens");
        assert_eq!(own.kind, ItemKind::Pst);
        assert!(
            own.notes.iter().any(|n| n == "Unicode PST"),
            "{:?}",
            own.notes
        );
        assert!(
            own.notes
                .iter()
                .any(|n| n == "18 folders, 3 messages read, 1 could not be read"),
            "{:?}",
            own.notes
        );
        let paths: Vec<_> = kids.iter().map(path).collect();
        assert_eq!(
            paths,
            [
                "Calendar › Test appointment",
                "Contacts › contact name 1",
                "Contacts › test dist list",
                "Freebusy Data › LocalFreebusy",
            ]
        );

        // The recurring appointment, as pffexport shows it.
        let (appt, mail, hash, children) = parsed(&kids[0]);
        assert_eq!(appt.kind, ItemKind::Calendar);
        assert_eq!(
            mail.subject, "Test appointment",
            "the \\u{{1}}\\u{{1}} prefix is stripped"
        );
        assert_eq!(
            mail.date.map(|d| d.to_rfc3339()),
            Some("2016-08-02T00:27:12.637+00:00".into())
        );
        assert_eq!(
            mail.mailbox.as_deref(),
            Some("dist-list"),
            "generic store name: file name"
        );
        assert!(
            mail.from.is_empty(),
            "the 'Unknown' placeholder sender is dropped"
        );
        assert_eq!(
            appt.text,
            "Start: 2016-08-02T15:00:00Z\nEnd: 2016-08-02T15:30:00Z\n\
             Recurrence: every Tuesday from 8:00 AM to 8:30 AM\n\nThis is a complete test\n"
        );
        assert!(String::from_utf8_lossy(hash).contains("Subject: Test appointment\r\n"));
        // Its two exception items: the library cannot open them; each is one failed row.
        assert_eq!(mail.attachment_names, ["Untitled", "Untitled"]);
        assert_eq!(children.len(), 2);
        for c in children {
            assert!(
                failure(c).contains("Missing PidTagAttachMethod"),
                "{}",
                failure(c)
            );
            assert!(failure(c).contains("embedded item"), "{}", failure(c));
        }

        let (contact, mail, _, children) = parsed(&kids[1]);
        assert_eq!(contact.kind, ItemKind::Contact);
        assert_eq!(mail.subject, "contact name 1");
        assert_eq!(
            mail.date.map(|d| d.to_rfc3339()),
            Some("2014-05-25T13:58:28.416+00:00".into())
        );
        assert!(children.is_empty());
        for line in [
            "Name: contact name 1",
            "Given name: contact",
            "Surname: 1",
            "File as: 1, contact name",
            "E-mail: contact1@rjohnson.id.au",
        ] {
            assert!(
                contact.text.lines().any(|l| l == line),
                "{line:?} not in {:?}",
                contact.text
            );
        }

        let reason = failure(&kids[2]);
        assert!(
            reason.contains("IPM.DistList") && reason.contains("Missing Sub-Node Tree"),
            "{reason}"
        );

        let (_, mail, _, _) = parsed(&kids[3]);
        assert_eq!(mail.subject, "LocalFreebusy");
    }

    #[test]
    fn password_protected_pst_is_opened_with_a_note() {
        let Some(bytes) = corpus("passworded.pst") else {
            return;
        };
        let (r, kids) = run(&bytes, "passworded.pst", &Limits::default());
        let own = r.expect("a PST password is not encryption");
        assert!(
            own.notes.iter().any(|n| n.contains("password")),
            "{:?}",
            own.notes
        );
        let paths: Vec<_> = kids.iter().map(path).collect();
        assert_eq!(
            paths,
            [
                "Contacts › contact name 1",
                "Contacts › test dist list",
                "Freebusy Data › LocalFreebusy"
            ]
        );
        let (contact, _, hash, _) = parsed(&kids[0]);
        assert!(contact.text.contains("E-mail: contact1@rjohnson.id.au"));

        // The same contact in another mailbox renders to the same hash input, so the
        // inventory sees a duplicate.
        let Some(other) = corpus("dist-list.pst") else {
            return;
        };
        let (_, other_kids) = run(&other, "dist-list.pst", &Limits::default());
        let (_, other_mail, other_hash, _) = parsed(&other_kids[1]);
        assert_eq!(other_mail.mailbox.as_deref(), Some("dist-list"));
        assert_eq!(hash, other_hash);
    }

    /// Every item pffexport (libpff) exports must be one of ours, at the same folder path
    /// with the same subject. Skipped when pffexport is not installed.
    #[test]
    fn finds_every_item_pffexport_finds() {
        for name in ["dist-list.pst", "passworded.pst"] {
            let Some(bytes) = corpus(name) else { return };
            let out =
                std::env::temp_dir().join(format!("disclose-pff-{}-{name}", std::process::id()));
            // pffexport appends `.export` to the target it is given.
            let exported = PathBuf::from(format!("{}.export", out.display()));
            let _ = std::fs::remove_dir_all(&exported);
            let status = std::process::Command::new("pffexport")
                .args(["-q", "-m", "items", "-t"])
                .arg(&out)
                .arg(Path::new(CORPUS).join(name))
                .status();
            let Ok(status) = status else {
                println!("skipped: pffexport is not installed (apt-get install pff-tools)");
                return;
            };
            assert!(status.success());
            let mut theirs = Vec::new();
            collect_pff_items(&exported, &mut Vec::new(), &mut theirs);
            let _ = std::fs::remove_dir_all(&exported);
            assert!(!theirs.is_empty(), "pffexport found nothing in {name}");

            let (_, kids) = run(&bytes, name, &Limits::default());
            let ours: Vec<_> = kids.iter().map(path).collect();
            for item in &theirs {
                assert!(
                    ours.contains(item),
                    "{name}: pffexport has {item:?}, we have {ours:?}"
                );
            }
            println!(
                "{name}: pffexport {} items, ours {}",
                theirs.len(),
                ours.len()
            );
        }
    }

    /// pffexport writes `Folder/…/Kind00001/Kind.txt` with a `Subject:` line; attachments
    /// sit under `Attachments/` and are not top-level items.
    fn collect_pff_items(dir: &Path, folders: &mut Vec<String>, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if !p.is_dir() || name == "Attachments" {
                continue;
            }
            let item_txt = std::fs::read_dir(&p).ok().and_then(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path())).find(|f| {
                    f.extension().is_some_and(|x| x == "txt")
                        && f.file_name().is_none_or(|n| n != "OutlookHeaders.txt")
                })
            });
            match item_txt {
                Some(txt) if name.chars().rev().take(5).all(|c| c.is_ascii_digit()) => {
                    let text = std::fs::read_to_string(&txt).unwrap_or_default();
                    let subject = text
                        .lines()
                        .find_map(|l| l.strip_prefix("Subject:"))
                        .map(|s| s.trim().to_string())
                        .unwrap_or_else(|| "(no subject)".into());
                    // Paths are relative to the IPM subtree, as ours are.
                    let rel: Vec<_> = folders.iter().skip(1).cloned().collect();
                    out.push([rel, vec![subject]].concat().join(" › "));
                }
                _ => {
                    folders.push(name);
                    collect_pff_items(&p, folders, out);
                    folders.pop();
                }
            }
        }
    }

    #[test]
    fn limits_bound_the_walk() {
        let Some(bytes) = corpus("dist-list.pst") else {
            return;
        };
        let small = Limits {
            max_item_bytes: 1000,
            ..Limits::default()
        };
        assert!(matches!(
            run(&bytes, "x.pst", &small).0,
            Err(ReadError::Limit(_))
        ));
        let one = Limits {
            max_entries: 1,
            ..Limits::default()
        };
        let (r, kids) = run(&bytes, "x.pst", &one);
        assert!(r.is_ok());
        assert_eq!(
            kids.len(),
            2,
            "{:?}",
            kids.iter().map(path).collect::<Vec<_>>()
        );
        assert!(failure(&kids[1]).contains("limit reached"));
    }

    #[test]
    fn not_a_pst_is_refused() {
        let limits = Limits::default();
        assert!(matches!(
            run(b"", "a.pst", &limits).0,
            Err(ReadError::Corrupt(_))
        ));
        assert!(matches!(
            run(&[0u8; 4096], "a.pst", &limits).0,
            Err(ReadError::Corrupt(_))
        ));
        let mut header_only = b"!BDN".to_vec();
        header_only.resize(4096, 0);
        header_only[10] = 23;
        assert!(matches!(
            run(&header_only, "a.pst", &limits).0,
            Err(ReadError::Corrupt(_))
        ));
        header_only[10] = 14;
        assert!(matches!(
            run(&header_only, "a.pst", &limits).0,
            Err(ReadError::Corrupt(_))
        ));
    }

    #[test]
    fn mailbox_is_named_after_the_store_or_the_file() {
        assert_eq!(
            mailbox_name("Jane Doe", "x.pst").as_deref(),
            Some("Jane Doe")
        );
        assert_eq!(
            mailbox_name("Personal Folders", "exp/jane.doe@school.org.pst").as_deref(),
            Some("jane.doe@school.org")
        );
        assert_eq!(mailbox_name("", "").as_deref(), None);
    }

    #[test]
    fn truncated_and_corrupted_psts_never_panic() {
        let Some(bytes) = corpus("dist-list.pst") else {
            return;
        };
        let limits = Limits::default();
        let n = bytes.len();
        let mut outcomes = [0usize; 3]; // Ok, Err, Ok with failed items
        let mut tally = |r: &Result<Own, ReadError>, kids: &[Child]| {
            outcomes[outcome(r, kids)] += 1;
        };
        for cut in [
            0,
            4,
            511,
            512,
            600,
            1024,
            4096,
            16384,
            65536,
            n / 2,
            n * 3 / 4,
            n - 1,
        ] {
            let (r, kids) = run(&bytes[..cut], "cut.pst", &limits);
            tally(&r, &kids);
        }
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..150 {
            let mut bad = bytes.clone();
            for _ in 0..16 {
                // Past the header, whose CRC would refuse every change.
                let at = 512 + (xorshift(&mut seed) % (n as u64 - 512)) as usize;
                bad[at] ^= (xorshift(&mut seed) & 0xFF) as u8 | 1;
            }
            let (r, kids) = run(&bad, "flipped.pst", &limits);
            tally(&r, &kids);
        }
        println!(
            "ok {}, refused {}, ok with failed items {}",
            outcomes[0], outcomes[1], outcomes[2]
        );
        assert!(outcomes[1] > 0);
    }

    #[test]
    fn row_values_convert_to_mapi_types() {
        use outlook_pst::ltp::prop_context::BinaryValue;
        let mut row = BTreeMap::new();
        row.insert(PR_SUBJECT, PropertyValue::Null);
        row.insert(PR_ATTACH_METHOD, PropertyValue::Integer32(5));
        row.insert(0x0E1B, PropertyValue::Boolean(true));
        row.insert(0x0017, PropertyValue::Integer16(-2));
        row.insert(0x0039, PropertyValue::Time(131_145_712_326_370_000));
        row.insert(
            0x1009,
            PropertyValue::Binary(BinaryValue::new(vec![1, 2, 3])),
        );
        let names = NamedMap::new();
        let mut p = PstProps {
            g: &row,
            names: &names,
            codepage: None,
        };
        assert_eq!(p.string(PR_SUBJECT), None, "Null is not a string");
        assert_eq!(p.int(PR_ATTACH_METHOD), Some(5));
        assert_eq!(p.int(0x0E1B), Some(1));
        assert_eq!(p.int(0x0017), Some(-2));
        assert_eq!(
            p.time(0x0039).map(|d| d.to_rfc3339()),
            Some("2016-08-02T00:27:12.637+00:00".into())
        );
        assert_eq!(p.binary(0x1009), Some(vec![1, 2, 3]));
        assert_eq!(p.binary(PR_ATTACH_METHOD), None);
        assert_eq!(subject_level(None), "(no subject)");
        assert_eq!(subject_level(Some("  ")), "(no subject)");
    }
}
