//! RFC 5322 messages: `.eml` files, attached `message/rfc822` parts and each message of an mbox.
//!
//! Parsing is mail-parser's: it is lenient with broken MIME (a message with a missing closing
//! boundary still yields its parts) and decodes every charset a school is likely to receive,
//! including the CJK ones through its `full_encoding` feature. This module only maps its result
//! onto [`Own`] and hands every non-body part to the driver as stored bytes.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};

use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::parsers::MessageStream;
use mail_parser::{Encoding, Message, MessageParser, MessagePart, MimeHeaders, PartType};

use super::model::{Address, Child, ChildContent, Input, ItemKind, MailMeta, Own, ReadError};

/// Header names that, at the top of a file, mean "this is a mail message". Lower case.
const MAIL_HEADERS: &[&str] = &[
    "received",
    "return-path",
    "delivered-to",
    "from",
    "to",
    "cc",
    "bcc",
    "sender",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "x-mailer",
    "x-sender",
    "thread-topic",
    "thread-index",
    "x-ms-exchange-organization-authas",
];

/// How far into a file [`looks_like_eml`] looks: real headers put a known field well within it.
const SNIFF_BYTES: usize = 1024;

/// Whether `bytes` open like a mail message: header fields from the first line on, and at least
/// one of them a field only mail has. Format detection asks this when the name does not say.
pub fn looks_like_eml(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let mut known = 0usize;
    let mut lines = 0usize;
    let mut complete = head.split(|&b| b == b'\n').peekable();
    while let Some(line) = complete.next() {
        // The last piece may be cut by the sniff window; judge only whole lines.
        if complete.peek().is_none() && head.len() == SNIFF_BYTES {
            break;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if lines == 0 {
                return false;
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return false;
        };
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(|&b| b.is_ascii_graphic()) {
            return false;
        }
        lines += 1;
        let lower = name.to_ascii_lowercase();
        if MAIL_HEADERS
            .iter()
            .any(|h| h.as_bytes() == lower.as_slice())
            || lower.starts_with(b"x-")
        {
            known += 1;
        }
    }
    known > 0
}

/// Reads one message. Its body becomes `Own.text`; every attachment and every inline part that is
/// not the body (images of an HTML mail, calendar invites, attached messages) goes to `emit` as
/// bytes, in MIME order, for the driver to identify and read.
pub fn read(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let limits = input.limits;
    let size = input.bytes.len() as u64;
    if size > limits.max_item_bytes {
        return Err(ReadError::Limit(format!(
            "message is {size} bytes, over the {} byte item limit",
            limits.max_item_bytes
        )));
    }
    // mail-parser keeps part offsets as u32: beyond 4 GiB they would wrap.
    if u32::try_from(input.bytes.len()).is_err() {
        return Err(ReadError::Limit("message over 4 GiB".into()));
    }
    // mail-parser promises not to panic and is fuzzed, but the driver's guarantee on hostile input
    // should not rest on a third party's promise alone.
    let parsed = catch_unwind(AssertUnwindSafe(|| MessageParser::new().parse(input.bytes)));
    let message = match parsed {
        Ok(Some(m)) => m,
        Ok(None) => return Err(ReadError::Corrupt("no mail headers found".into())),
        Err(_) => {
            return Err(ReadError::Corrupt(
                "mail parser failed on malformed MIME".into(),
            ))
        }
    };

    let mut own = Own::new(ItemKind::Email, body_text(&message));
    let mut meta = mail_meta(&message);
    note_charset_problems(&message, &mut own.notes);

    let mut emitted = 0usize;
    for (n, part_id) in message.attachments.iter().enumerate() {
        let Some(part) = message.parts.get(*part_id as usize) else {
            continue;
        };
        if emitted >= limits.max_entries {
            let rest = message.attachments.len() - n;
            own.notes.push(format!(
                "{rest} further attachments not read: more than {} in one message",
                limits.max_entries
            ));
            emit(Child {
                levels: vec![format!(
                    "attachments {}–{}",
                    n + 1,
                    message.attachments.len()
                )],
                content: ChildContent::Failed {
                    reason: format!(
                        "not read: message has more than {} attachments",
                        limits.max_entries
                    ),
                    hash_bytes: None,
                },
            });
            break;
        }
        let name = part_name(part, n + 1);
        meta.attachment_names.push(name.clone());
        emitted += 1;
        let bytes = stored_bytes(&message, part);
        if bytes.len() as u64 > limits.max_item_bytes {
            emit(Child {
                levels: vec![name],
                content: ChildContent::Failed {
                    reason: format!(
                        "attachment over the {} byte item limit",
                        limits.max_item_bytes
                    ),
                    hash_bytes: None,
                },
            });
            continue;
        }
        emit(Child {
            levels: vec![name],
            content: ChildContent::Bytes(bytes),
        });
    }

    own.mail = Some(meta);
    Ok(own)
}

/// The searchable body: every text part mail-parser chose as body, HTML ones (HTML-only mail)
/// turned into text. Inline images it also lists there are skipped; they go out as attachments.
fn body_text(message: &Message) -> String {
    let mut text = String::new();
    for i in 0..message.text_body_count() {
        if let Some(part) = message.body_text(i) {
            if part.trim().is_empty() {
                continue;
            }
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&part);
        }
    }
    text
}

fn mail_meta(message: &Message) -> MailMeta {
    let date = message
        .date()
        .filter(|d| d.is_valid())
        .and_then(|d| chrono::DateTime::<chrono::Utc>::from_timestamp(d.to_timestamp(), 0));
    MailMeta {
        message_id: message
            .message_id()
            .map(str::to_owned)
            .filter(|s| !s.is_empty()),
        from: addresses(message.header_values(mail_parser::HeaderName::From)),
        to: addresses(message.header_values(mail_parser::HeaderName::To)),
        cc: addresses(message.header_values(mail_parser::HeaderName::Cc)),
        bcc: addresses(message.header_values(mail_parser::HeaderName::Bcc)),
        date,
        subject: message.subject().unwrap_or_default().trim().to_owned(),
        attachment_names: Vec::new(),
        mailbox: None,
    }
}

/// Flattens every occurrence of one address header (obsolete syntax allows repeats) and its
/// groups into people; a group's own name is a label, not a person.
fn addresses<'a, 'x: 'a>(
    values: impl Iterator<Item = &'a mail_parser::HeaderValue<'x>>,
) -> Vec<Address> {
    let mut out = Vec::new();
    for value in values {
        let Some(list) = value.as_address() else {
            continue;
        };
        for a in list.iter() {
            let name = a
                .name()
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty());
            let email = a
                .address()
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty());
            if name.is_some() || email.is_some() {
                out.push(Address { name, email });
            }
        }
    }
    out
}

/// The name shown in the source path: the part's file name, else an attached message's subject,
/// else a positional name so unnamed parts still get a distinct, stable path.
fn part_name(part: &MessagePart, n: usize) -> String {
    if let Some(name) = part
        .attachment_name()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        return name.to_owned();
    }
    if let Some(subject) = part
        .message()
        .and_then(|m| m.subject())
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        return format!("{subject}.eml");
    }
    format!("attachment-{n}")
}

/// The part as a file would hold it: transfer encoding undone, charset untouched (so a CSV in
/// windows-1252 hashes the same as the same CSV found in a zip); an attached message as its raw
/// RFC 5322 text, for the driver to send back to this reader.
fn stored_bytes(message: &Message, part: &MessagePart) -> Vec<u8> {
    let raw = message.raw_message.as_ref();
    let body = raw.get(part.offset_body as usize..part.offset_end as usize);
    match &part.body {
        PartType::Binary(b) | PartType::InlineBinary(b) => b.to_vec(),
        PartType::Message(inner) => match (part.encoding, body) {
            (Encoding::None, Some(body)) if !body.is_empty() => body.to_vec(),
            // Base64/QP-wrapped messages were decoded before parsing: their raw text is theirs.
            _ => inner.raw_message.to_vec(),
        },
        PartType::Text(t) | PartType::Html(t) => {
            // mail-parser has already turned text into UTF-8; undo only the transfer encoding of
            // the raw body instead, falling back to its text if that cannot be done.
            let original = body.and_then(|body| {
                if part.is_encoding_problem {
                    return Some(Cow::Borrowed(body));
                }
                let mut stream = MessageStream::new(body);
                let (end, bytes) = match part.encoding {
                    Encoding::Base64 => stream.decode_base64_mime(b""),
                    Encoding::QuotedPrintable => stream.decode_quoted_printable_mime(b""),
                    Encoding::None => return Some(Cow::Borrowed(body)),
                };
                (end != usize::MAX).then_some(bytes)
            });
            match original {
                Some(bytes) => bytes.into_owned(),
                None => t.as_bytes().to_vec(),
            }
        }
        PartType::Multipart(_) => Vec::new(),
    }
}

/// Says when a text part's charset is unknown (its bytes were read as UTF-8 with replacement
/// characters) or its encoding broken, so the redaction lead knows the text may be garbled.
fn note_charset_problems(message: &Message, notes: &mut Vec<String>) {
    let mut unknown: Vec<String> = Vec::new();
    let mut broken = 0usize;
    for part in &message.parts {
        if !matches!(part.body, PartType::Text(_) | PartType::Html(_)) {
            continue;
        }
        if part.is_encoding_problem {
            broken += 1;
        }
        if let Some(cs) = part.content_type().and_then(|ct| ct.attribute("charset")) {
            if charset_decoder(cs.as_bytes()).is_none()
                && !is_utf8_label(cs)
                && !unknown.iter().any(|u| u.eq_ignore_ascii_case(cs))
            {
                unknown.push(cs.to_owned());
            }
        }
    }
    for cs in unknown {
        notes.push(format!(
            "unknown charset \"{cs}\": text read as UTF-8, may be garbled"
        ));
    }
    if broken > 0 {
        notes.push(format!(
            "{broken} part(s) with broken MIME encoding read as raw text"
        ));
    }
}

/// mail-parser has no decoder entry for UTF-8 itself (it is the default), so those labels are
/// not unknown.
fn is_utf8_label(cs: &str) -> bool {
    let cs = cs.trim().trim_matches('"').to_ascii_lowercase();
    matches!(
        cs.as_str(),
        "utf-8" | "utf8" | "us-ascii" | "ascii" | "unicode-1-1-utf-8" | "x-unicode20utf8"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::model::Limits;
    use std::path::{Path, PathBuf};

    fn read_bytes(bytes: &[u8]) -> (Result<Own, ReadError>, Vec<Child>) {
        let limits = Limits::default();
        let input = Input {
            bytes,
            name: "test.eml",
            limits: &limits,
        };
        let mut children = Vec::new();
        let own = read(&input, &mut |c| children.push(c));
        (own, children)
    }

    fn corpus() -> Option<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/email/eml");
        if dir.is_dir() {
            Some(dir)
        } else {
            eprintln!("skipping: {} is absent", dir.display());
            None
        }
    }

    fn read_corpus(dir: &Path, rel: &str) -> (Own, Vec<Child>) {
        let bytes = std::fs::read(dir.join(rel)).expect("corpus file");
        let (own, children) = read_bytes(&bytes);
        (own.expect(rel), children)
    }

    fn names(children: &[Child]) -> Vec<String> {
        children.iter().map(|c| c.levels.join(" › ")).collect()
    }

    fn bytes_of(c: &Child) -> &[u8] {
        match &c.content {
            ChildContent::Bytes(b) => b,
            other => panic!("expected bytes, got {other:?}"),
        }
    }

    const SIMPLE: &[u8] = b"Message-ID: <abc@school.org>\r\n\
From: \"Jane Doe\" <jane.doe@school.org>\r\n\
To: Parents: a@x.org, \"Bob B\" <b@x.org>;, c@y.org\r\n\
Cc: =?iso-8859-1?Q?J=FCrgen?= <j@z.de>\r\n\
Date: Tue, 28 Jan 2025 11:28:01 +0100\r\n\
Subject: Year 9 report\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Caf=E9 at noon.\r\n\
--b1\r\n\
Content-Type: text/csv; charset=windows-1252; name=marks.csv\r\n\
Content-Disposition: attachment; filename=marks.csv\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
bmFtZSzpCg==\r\n\
--b1\r\n\
Content-Type: application/octet-stream\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
AAEC\r\n\
--b1\r\n\
Content-Type: message/rfc822\r\n\
\r\n\
From: inner@x.org\r\n\
Subject: Inner note\r\n\
\r\n\
Inner body\r\n\
--b1--\r\n";

    #[test]
    fn headers_body_and_parts() {
        let (own, children) = read_bytes(SIMPLE);
        let own = own.expect("parses");
        assert_eq!(own.kind, ItemKind::Email);
        assert_eq!(own.text.trim(), "Café at noon.");
        let meta = own.mail.expect("mail meta");
        assert_eq!(meta.message_id.as_deref(), Some("abc@school.org"));
        assert_eq!(meta.subject, "Year 9 report");
        assert_eq!(meta.from[0].to_string(), "Jane Doe <jane.doe@school.org>");
        let to: Vec<String> = meta.to.iter().map(|a| a.to_string()).collect();
        assert_eq!(
            to,
            ["a@x.org", "Bob B <b@x.org>", "c@y.org"],
            "groups flattened"
        );
        assert_eq!(meta.cc[0].name.as_deref(), Some("Jürgen"));
        assert_eq!(
            meta.date.map(|d| d.to_rfc3339()).as_deref(),
            Some("2025-01-28T10:28:01+00:00")
        );
        assert_eq!(
            names(&children),
            ["marks.csv", "attachment-2", "Inner note.eml"]
        );
        assert_eq!(meta.attachment_names, names(&children));
        // The CSV keeps its windows-1252 byte, not mail-parser's UTF-8 re-encoding.
        assert_eq!(bytes_of(&children[0]), b"name,\xe9\n");
        assert_eq!(bytes_of(&children[1]), [0u8, 1, 2]);
        let inner = bytes_of(&children[2]);
        assert!(
            inner.starts_with(b"From: inner@x.org\r\n"),
            "{:?}",
            String::from_utf8_lossy(inner)
        );
        assert!(
            inner.ends_with(b"Inner body"),
            "{:?}",
            String::from_utf8_lossy(inner)
        );
        // The driver sends it back here.
        let (inner_own, _) = read_bytes(inner);
        assert_eq!(
            inner_own.expect("inner").mail.expect("meta").subject,
            "Inner note"
        );
    }

    #[test]
    fn html_only_body_becomes_text() {
        let msg = b"From: a@b.c\nSubject: h\nContent-Type: text/html; charset=utf-8\n\n\
<html><head><style>p{color:red}</style></head><body><p>Hello <b>Sam</b></p><p>Bye</p></body></html>\n";
        let (own, children) = read_bytes(msg);
        let own = own.expect("parses");
        assert!(own.text.contains("Hello Sam"), "{:?}", own.text);
        assert!(
            !own.text.contains('<') && !own.text.contains("color"),
            "{:?}",
            own.text
        );
        assert!(children.is_empty());
    }

    #[test]
    fn unknown_charset_is_noted() {
        let msg =
            b"From: a@b.c\nSubject: s\nContent-Type: text/plain; charset=x-klingon\n\nqapla\n";
        let (own, _) = read_bytes(msg);
        let own = own.expect("parses");
        assert_eq!(own.text.trim(), "qapla");
        assert!(
            own.notes.iter().any(|n| n.contains("x-klingon")),
            "{:?}",
            own.notes
        );
    }

    #[test]
    fn cjk_charsets_decode() {
        let mut msg = b"From: a@b.c\nSubject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\nContent-Type: text/plain; charset=shift_jis\n\n".to_vec();
        msg.extend_from_slice(b"\x83n\x83\x8D\x81[\n");
        let (own, _) = read_bytes(&msg);
        let own = own.expect("parses");
        assert_eq!(own.text.trim(), "ハロー");
        assert_eq!(own.mail.expect("meta").subject, "テスト");
    }

    #[test]
    fn garbage_and_limits() {
        assert!(matches!(read_bytes(b"").0, Err(ReadError::Corrupt(_))));
        let limits = Limits {
            max_item_bytes: 10,
            ..Limits::default()
        };
        let input = Input {
            bytes: SIMPLE,
            name: "x.eml",
            limits: &limits,
        };
        assert!(matches!(
            read(&input, &mut |_| {}),
            Err(ReadError::Limit(_))
        ));
        let limits = Limits {
            max_entries: 1,
            ..Limits::default()
        };
        let input = Input {
            bytes: SIMPLE,
            name: "x.eml",
            limits: &limits,
        };
        let mut children = Vec::new();
        let own = read(&input, &mut |c| children.push(c)).expect("parses");
        assert_eq!(children.len(), 2);
        assert!(matches!(children[1].content, ChildContent::Failed { .. }));
        assert!(!own.notes.is_empty());
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_eml(SIMPLE));
        assert!(looks_like_eml(
            b"\xef\xbb\xbfReceived: from x\n\tby y\nSubject: s\n\nbody"
        ));
        assert!(looks_like_eml(b"Content-Type: text/plain\n\nbody"));
        assert!(!looks_like_eml(
            b"From jane@x Sat Jan  3 01:05:34 1996\nSubject: s\n"
        ));
        assert!(!looks_like_eml(b"%PDF-1.7\n"));
        assert!(!looks_like_eml(b"Dear parent: thank you\n"));
        assert!(!looks_like_eml(b"name,mark\nSam,4\n"));
        assert!(!looks_like_eml(b""));
    }

    /// Every corpus file, malformed ones included, parses or errors; none panics.
    #[test]
    fn corpus_never_panics() {
        let Some(dir) = corpus() else { return };
        let (mut ok, mut failed) = (0, Vec::new());
        for set in ["legacy", "rfc", "thirdparty", "malformed", "msgreader"] {
            let mut files: Vec<_> = std::fs::read_dir(dir.join(set))
                .expect("corpus dir")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            files.sort();
            for path in files {
                let bytes = std::fs::read(&path).expect("read");
                match read_bytes(&bytes).0 {
                    Ok(_) => ok += 1,
                    Err(e) => failed.push(format!("{}: {e}", path.display())),
                }
            }
        }
        eprintln!(
            "eml corpus: {ok} parsed, {} failed: {failed:#?}",
            failed.len()
        );
        assert!(ok >= 100, "only {ok} parsed");
    }

    #[test]
    fn corpus_values() {
        let Some(dir) = corpus() else { return };

        let (own, children) = read_corpus(&dir, "msgreader/TestWithAttachments.eml");
        let meta = own.mail.as_ref().expect("meta");
        assert_eq!(meta.subject, "FW: Test with attachments");
        assert_eq!(
            meta.from[0].email.as_deref(),
            Some("keesvanspelde@hotmail.com")
        );
        assert_eq!(meta.from[0].name.as_deref(), Some("Kees van Spelde"));
        assert!(names(&children).starts_with(&["hamster.jpg".to_owned(), "elmo.jpg".to_owned()]));
        assert!(
            bytes_of(&children[0]).starts_with(b"\xff\xd8\xff"),
            "decoded JPEG"
        );
        assert!(!own.text.contains("<html"), "HTML body converted to text");

        // A non-UTF-8 charset in an encoded word: ISO-8859-1 "ß".
        let (own, _) = read_corpus(&dir, "msgreader/EmailWithISO_8859_1_From.eml");
        let meta = own.mail.expect("meta");
        assert_eq!(meta.from[0].name.as_deref(), Some("Some ßtring"));
        assert_eq!(meta.from[0].email.as_deref(), Some("some@example.com"));
        assert_eq!(
            meta.date.map(|d| d.to_rfc3339()).as_deref(),
            Some("2025-01-28T10:28:01+00:00")
        );
    }
}
#[cfg(test)]
mod dump_tmp {
    #[test]
    #[ignore]
    fn dump() {
        use super::*;
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/email/eml");
        for set in ["legacy", "rfc", "thirdparty", "malformed", "msgreader"] {
            let mut files: Vec<_> = std::fs::read_dir(dir.join(set))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            files.sort();
            for p in files {
                let b = std::fs::read(&p).unwrap();
                let limits = crate::ingest::model::Limits::default();
                let input = Input {
                    bytes: &b,
                    name: "",
                    limits: &limits,
                };
                let mut ch = Vec::new();
                let own = read(&input, &mut |c| ch.push(c)).unwrap();
                let m = own.mail.unwrap();
                let t: String = own.text.chars().take(70).collect();
                println!(
                    "{} sniff={} | {:?} | from={:?} | to={} | date={:?} | text={:?} | notes={:?}",
                    p.strip_prefix(&dir).unwrap().display(),
                    looks_like_eml(&b),
                    m.subject,
                    m.from.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
                    m.to.len(),
                    m.date.map(|d| d.to_rfc3339()),
                    t,
                    own.notes
                );
                for c in &ch {
                    let d = match &c.content {
                        ChildContent::Bytes(b) => format!(
                            "{} bytes {:?}",
                            b.len(),
                            String::from_utf8_lossy(&b[..b.len().min(40)])
                        ),
                        o => format!("{o:?}"),
                    };
                    println!("    - {:?}: {}", c.levels, d);
                }
            }
        }
    }
}
