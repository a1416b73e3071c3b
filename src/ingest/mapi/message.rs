//! What an Outlook item says, read from its MAPI properties whichever container held them:
//! kind, subject, sender, recipients, date, Message-ID, body, and the fields of contacts and
//! calendar items.

use chrono::SecondsFormat;

use super::body::read_body;
use super::headers::{parse_headers, HeaderInfo};
use super::props::*;
use crate::ingest::model::{Address, ItemKind, Limits, MailMeta, Own};
use crate::ingest::unwind::guard;

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
            sheet_rows: Vec::new(),
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

/// Where a linked attachment points, when it says.
pub(crate) fn attachment_link(p: &mut dyn MapiProps) -> Option<String> {
    p.string(PR_ATTACH_LONG_PATHNAME)
        .or_else(|| p.string(PR_ATTACH_PATHNAME))
}

/// Why an attachment has no data, when it is a link to a file outside `container` (attach
/// methods 2, 3, 4 and 7): the file itself must be fetched from where it points.
pub(crate) fn linked_reason(
    method: Option<i32>,
    target: Option<String>,
    container: &str,
) -> Option<String> {
    matches!(method, Some(2 | 3 | 4 | 7)).then(|| {
        format!(
            "a linked attachment: the file is not inside {container}{}",
            target
                .map(|t| format!(" (it points to {t})"))
                .unwrap_or_default()
        )
    })
}

/// Why an attachment of `len` bytes is not handed on.
pub(crate) fn oversize_reason(len: u64, limits: &Limits) -> String {
    format!(
        "limit reached: attachment is {len} bytes, over the {}-byte item limit",
        limits.max_item_bytes
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::mapi::test_support::{addr, Fake};

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
}
