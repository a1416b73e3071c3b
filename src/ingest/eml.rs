//! RFC 5322 messages: `.eml` files, attached `message/rfc822` parts and each message of an mbox.
//!
//! Parsing is mail-parser's: it is lenient with broken MIME (a message with a missing closing
//! boundary still yields its parts) and decodes every charset a school is likely to receive,
//! including the CJK ones through its `full_encoding` feature. This module only maps its result
//! onto [`Own`] and hands every non-body part to the driver as stored bytes.

use std::borrow::Cow;

use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::parsers::MessageStream;
use mail_parser::{
    Encoding, HeaderName, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};

use super::model::{Address, Child, ChildContent, Input, ItemKind, MailMeta, Own, ReadError};
use super::unwind::catch_panic;

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

/// Whether `bytes` open like a mail message: a block of header fields, at least one of them a
/// field only mail has. One stray line is forgiven when several known fields follow, since
/// damaged exports still deserve to be read as mail. Format detection asks this when the name
/// does not say; an mbox (`From ` first line) is left to [`super::mbox::looks_like_mbox`].
pub fn looks_like_eml(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    if head.starts_with(b"From ") {
        return false;
    }
    let (mut known, mut fields, mut stray) = (0usize, 0usize, 0usize);
    let mut complete = head.split(|&b| b == b'\n').peekable();
    while let Some(line) = complete.next() {
        // The last piece may be cut by the sniff window; judge only whole lines.
        if complete.peek().is_none() && head.len() == SNIFF_BYTES {
            break;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(&first) = line.first() else {
            break;
        };
        if first == b' ' || first == b'\t' {
            if fields == 0 && stray == 0 {
                return false;
            }
            continue;
        }
        let name = line
            .iter()
            .position(|&b| b == b':')
            .map(|colon| &line[..colon])
            .filter(|n| !n.is_empty() && n.iter().all(|b| b.is_ascii_graphic()));
        let Some(name) = name else {
            stray += 1;
            if stray > 1 {
                return false;
            }
            continue;
        };
        fields += 1;
        let lower = name.to_ascii_lowercase();
        if lower.starts_with(b"x-") || MAIL_HEADERS.iter().any(|h| h.as_bytes() == lower) {
            known += 1;
        }
    }
    (stray == 0 && known >= 1) || known >= 3
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
    let message = match parse_guarded(input.bytes, false) {
        Ok(Some(m)) => m,
        Ok(None) => return Err(ReadError::Corrupt("no mail headers found".into())),
        Err(()) => {
            return Err(ReadError::Corrupt(
                "mail parser failed on malformed MIME".into(),
            ))
        }
    };

    let mut own = Own::new(ItemKind::Email, String::new());
    own.text = body_text(&message, &mut own.notes);
    note_charset_problems(&message, &mut own.notes);

    // Headers as written by real mailers sometimes need mending first; see mend_header_block.
    let header_end = message.parts.first().map_or(0, |p| p.offset_body as usize);
    let mended = input
        .bytes
        .get(..header_end)
        .and_then(|block| mend_header_block(block, &message));
    let mended = mended
        .as_deref()
        .and_then(|b| parse_guarded(b, true).ok().flatten());
    let mut meta = mail_meta(mended.as_ref().unwrap_or(&message));

    for (n, part_id) in message.attachments.iter().enumerate() {
        let Some(part) = message.parts.get(*part_id as usize) else {
            continue;
        };
        if n >= limits.max_entries {
            let total = message.attachments.len();
            own.notes.push(format!(
                "attachments {}–{total} not read: more than {} in one message",
                n + 1,
                limits.max_entries
            ));
            emit(Child {
                levels: vec![format!("attachments {}–{total}", n + 1)],
                content: ChildContent::Failed {
                    reason: format!(
                        "not read: message has more than {} attachments (max_entries)",
                        limits.max_entries
                    ),
                    hash_bytes: None,
                },
            });
            break;
        }
        let name = part_name(&message, part, n + 1);
        meta.attachment_names.push(name.clone());
        let bytes = stored_bytes(&message, part);
        let content = if bytes.len() as u64 > limits.max_item_bytes {
            ChildContent::Failed {
                reason: format!(
                    "attachment of {} bytes is over the {} byte item limit",
                    bytes.len(),
                    limits.max_item_bytes
                ),
                hash_bytes: None,
            }
        } else {
            ChildContent::Bytes(bytes)
        };
        emit(Child {
            levels: vec![name],
            content,
        });
    }

    own.mail = Some(meta);
    Ok(own)
}

/// The decoded Subject of a raw message, read from its header block alone: how an mbox names
/// each message it hands on.
pub(super) fn subject_of(raw: &[u8]) -> Option<String> {
    let block = &raw[..header_block_end(raw)];
    let parsed = parse_guarded(block, true).ok().flatten()?;
    let mended = mend_header_block(block, &parsed);
    let mended = mended
        .as_deref()
        .and_then(|b| parse_guarded(b, true).ok().flatten());
    let subject = mended.as_ref().unwrap_or(&parsed).subject()?;
    Some(subject.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Where the header block ends: just past the first empty line, or the end of `raw`.
fn header_block_end(raw: &[u8]) -> usize {
    let mut at = 0;
    for line in raw.split_inclusive(|&b| b == b'\n') {
        at += line.len();
        if line == b"\n" || line == b"\r\n" {
            return at;
        }
    }
    raw.len()
}

/// mail-parser promises not to panic and is fuzzed, but the "never panic on bad input" guarantee
/// of ingest should not rest on a third party's promise alone.
fn parse_guarded(bytes: &[u8], headers_only: bool) -> Result<Option<Message<'_>>, ()> {
    catch_panic(|| {
        let parser = MessageParser::new();
        if headers_only {
            parser.parse_headers(bytes)
        } else {
            parser.parse(bytes)
        }
    })
    .map_err(|_| ())
}

/// The searchable body: every text part mail-parser chose as body, HTML ones (HTML-only mail)
/// turned into text. Inline images it also lists there are skipped; they go out as attachments.
fn body_text(message: &Message, notes: &mut Vec<String>) -> String {
    let mut text = String::new();
    for i in 0..message.text_body_count() {
        let part_text = match message
            .text_part(i as u32)
            .and_then(|p| mislabelled_utf8(message, p))
        {
            Some(fixed) => {
                notes.push("a body part labelled UTF-8 is not; read as windows-1252".into());
                Cow::Owned(fixed)
            }
            None => match message.body_text(i) {
                Some(t) => t,
                None => continue,
            },
        };
        if part_text.trim().is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&part_text);
    }
    text
}

/// Old mailers label Latin-1 text as UTF-8 (or give no charset at all); mail-parser then shows
/// replacement characters where "ö" was. Returns the text read as windows-1252 in that case.
fn mislabelled_utf8(message: &Message, part: &MessagePart) -> Option<String> {
    let PartType::Text(text) = &part.body else {
        return None;
    };
    if !text.contains('\u{FFFD}') {
        return None;
    }
    let declared = part.content_type().and_then(|ct| ct.attribute("charset"));
    if declared.is_some_and(|cs| !is_utf8_label(cs)) {
        return None;
    }
    let original = transfer_decoded(message, part)?;
    if !is_8bit_legacy(&original) {
        return None;
    }
    Some(windows_1252(&original))
}

fn windows_1252(bytes: &[u8]) -> String {
    charset_decoder(b"windows-1252")
        .map_or_else(|| String::from_utf8_lossy(bytes).into_owned(), |d| d(bytes))
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
        from: addresses(message.header_values(HeaderName::From)),
        to: addresses(message.header_values(HeaderName::To)),
        cc: addresses(message.header_values(HeaderName::Cc)),
        bcc: addresses(message.header_values(HeaderName::Bcc)),
        date,
        subject: message.subject().unwrap_or_default().trim().to_owned(),
        attachment_names: Vec::new(),
        mailbox: None,
    }
}

/// Flattens every occurrence of one address header (obsolete syntax allows repeats) and its
/// groups into people; a group's own name is a label, not a person.
fn addresses<'a, 'x: 'a>(values: impl Iterator<Item = &'a HeaderValue<'x>>) -> Vec<Address> {
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
fn part_name(message: &Message, part: &MessagePart, n: usize) -> String {
    let name = part
        .attachment_name()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(name) = name {
        if !name.contains('\u{FFFD}') && !name.contains("=?") {
            return name.to_owned();
        }
        // Raw 8-bit or split encoded words in the part's own headers: mend and read them again.
        let block = message
            .raw_message
            .get(part.offset_header as usize..part.offset_body as usize);
        let mended = block.and_then(|b| mend_header_block(b, message));
        let reparsed = mended
            .as_deref()
            .and_then(|b| parse_guarded(b, true).ok().flatten());
        let better = reparsed
            .as_ref()
            .and_then(|m| m.attachment_name().map(|s| s.trim().to_owned()));
        return better
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| name.to_owned());
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

/// The part's body with only its transfer encoding (base64, quoted-printable) undone: the bytes
/// in their own charset, which mail-parser's decoded text no longer has.
fn transfer_decoded<'m>(message: &'m Message, part: &MessagePart) -> Option<Cow<'m, [u8]>> {
    let body = message
        .raw_message
        .get(part.offset_body as usize..part.offset_end as usize)?;
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
}

/// The part as a file would hold it: transfer encoding undone, charset untouched (so a CSV in
/// windows-1252 hashes the same as the same CSV found in a zip); an attached message as its raw
/// RFC 5322 text, for the driver to send back to this reader.
fn stored_bytes(message: &Message, part: &MessagePart) -> Vec<u8> {
    match &part.body {
        PartType::Binary(b) | PartType::InlineBinary(b) => b.to_vec(),
        PartType::Message(inner) => {
            let raw = message
                .raw_message
                .get(part.offset_body as usize..part.offset_end as usize)
                .filter(|b| !b.is_empty());
            match (part.encoding, raw) {
                (Encoding::None, Some(raw)) => raw.to_vec(),
                // A base64/QP-wrapped message was decoded before parsing: its raw text is its own.
                _ => inner.raw_message.to_vec(),
            }
        }
        PartType::Text(t) | PartType::Html(t) => match transfer_decoded(message, part) {
            Some(bytes) => bytes.into_owned(),
            None => t.as_bytes().to_vec(),
        },
        PartType::Multipart(_) => Vec::new(),
    }
}

/// Headers as senders actually write them, mended so mail-parser reads them as a person would:
/// raw 8-bit bytes (legal only as UTF-8) are read in the message's own charset; an encoded word
/// wrapped onto a line without the leading space is joined back; adjacent encoded words in one
/// charset are decoded together, since Japanese and other mailers split a multi-byte character
/// across two words. `None` when nothing needed mending.
fn mend_header_block(block: &[u8], message: &Message) -> Option<Vec<u8>> {
    let mut changed = false;
    let text: Cow<str> = match std::str::from_utf8(block) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            changed = true;
            Cow::Owned(decode_8bit_header(block, message))
        }
    };
    let mut joined = String::with_capacity(text.len() + 8);
    let mut in_headers = true;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if line.trim_end_matches(['\r', '\n']).is_empty() {
            in_headers = false;
        }
        if in_headers && i > 0 && line.starts_with("=?") {
            joined.push(' ');
            changed = true;
        }
        joined.push_str(line);
    }
    let merged = merge_encoded_words(&joined);
    changed |= merged.is_some();
    changed.then(|| merged.unwrap_or(joined).into_bytes())
}

/// Whether `bytes` are 8-bit text in a legacy charset: not UTF-8, and holding no valid UTF-8
/// multi-byte character either (a mix is UTF-8 with a few broken bytes, best left as it is).
fn is_8bit_legacy(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_err()
        && !String::from_utf8_lossy(bytes)
            .chars()
            .any(|c| !c.is_ascii() && c != '\u{FFFD}')
}

/// Reads header lines that are not UTF-8 in the first charset the message declares for its
/// text, as the sending mailer most likely used it for the headers too; windows-1252 if it
/// declares none. Raw bytes inside a Q-encoded word are escaped instead, since that word names
/// its own charset.
fn decode_8bit_header(block: &[u8], message: &Message) -> String {
    let declared = message.parts.iter().find_map(|p| {
        let cs = p.content_type()?.attribute("charset")?;
        charset_decoder(cs.as_bytes())
    });
    let mut out = String::with_capacity(block.len() + 16);
    for line in block.split_inclusive(|&b| b == b'\n') {
        if let Ok(s) = std::str::from_utf8(line) {
            out.push_str(s);
            continue;
        }
        let line = escape_8bit_in_q_words(line);
        if !is_8bit_legacy(&line) {
            out.push_str(&String::from_utf8_lossy(&line));
            continue;
        }
        match declared {
            Some(decode) => out.push_str(&decode(&line)),
            None => out.push_str(&windows_1252(&line)),
        }
    }
    out
}

/// `=?iso-8859-1?Q?J\xfcrgen?=` → `=?iso-8859-1?Q?J=FCrgen?=`: what the sender meant, in ASCII.
fn escape_8bit_in_q_words(line: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len() + 16);
    let mut i = 0;
    while i < line.len() {
        if line[i..].starts_with(b"=?") {
            if let Some(end) = q_word_end(&line[i..]) {
                let (head, payload) = q_word_split(&line[i..i + end]);
                out.extend_from_slice(head);
                for &b in payload {
                    if b >= 0x80 {
                        out.extend_from_slice(format!("={b:02X}").as_bytes());
                    } else {
                        out.push(b);
                    }
                }
                i += end;
                continue;
            }
        }
        out.push(line[i]);
        i += 1;
    }
    out
}

/// Length of a Q-encoded word at the start of `s` (through its `?=`), if one is there.
fn q_word_end(s: &[u8]) -> Option<usize> {
    let q1 = 2 + s.get(2..)?.iter().position(|&b| b == b'?')?;
    if !matches!(s.get(q1 + 1..q1 + 3), Some([b'Q' | b'q', b'?'])) {
        return None;
    }
    let payload = s.get(q1 + 3..)?;
    let end = payload
        .windows(2)
        .take_while(|w| !w[0].is_ascii_whitespace())
        .position(|w| w == b"?=")?;
    Some(q1 + 3 + end + 2)
}

/// Splits a Q-encoded word into `=?charset?Q?` and the rest (payload and `?=`).
fn q_word_split(word: &[u8]) -> (&[u8], &[u8]) {
    let q1 = 2 + word
        .get(2..)
        .and_then(|w| w.iter().position(|&b| b == b'?'))
        .unwrap_or(0);
    word.split_at((q1 + 3).min(word.len()))
}

/// One RFC 2047 encoded word at the start of `s`: its charset, decoded bytes and length in `s`.
fn encoded_word(s: &str) -> Option<(&str, Vec<u8>, usize)> {
    let rest = s.strip_prefix("=?")?;
    let q1 = rest.find('?')?;
    let charset = &rest[..q1];
    let after = &rest[q1 + 1..];
    let enc = match after.as_bytes() {
        [e @ (b'B' | b'b' | b'Q' | b'q'), b'?', ..] => e.to_ascii_uppercase(),
        _ => return None,
    };
    if charset.is_empty() || charset.contains(char::is_whitespace) {
        return None;
    }
    // Both bytes just matched are ASCII, so this slices on a character boundary.
    let payload_all = &after[2..];
    let end = payload_all.find("?=")?;
    let payload = &payload_all[..end];
    if payload.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match enc {
        b'B' => mail_parser::decoders::base64::base64_decode(payload.as_bytes())?,
        _ => q_decode(payload.as_bytes())?,
    };
    let len = 2 + q1 + 1 + 2 + end + 2;
    Some((charset, bytes, len))
}

fn q_decode(p: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = p
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))?;
                out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

/// Length of folding white space at the start of `s` (spaces, tabs, and line breaks that
/// continue the header).
fn folding_ws(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\n' if matches!(b.get(i + 1), Some(b' ' | b'\t')) => i += 1,
            _ => break,
        }
    }
    i
}

/// Rewrites each run of adjacent encoded words sharing a charset as one Q-encoded word holding
/// all their bytes. `None` when there was no such run.
fn merge_encoded_words(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut changed = false;
    while let Some(start) = rest.find("=?") {
        let Some((charset, mut bytes, len)) = encoded_word(&rest[start..]) else {
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            continue;
        };
        out.push_str(&rest[..start]);
        let mut end = start + len;
        let mut words = 1;
        loop {
            let gap = folding_ws(&rest[end..]);
            match encoded_word(&rest[end + gap..]) {
                Some((cs, more, l)) if cs.eq_ignore_ascii_case(charset) => {
                    bytes.extend_from_slice(&more);
                    end += gap + l;
                    words += 1;
                }
                _ => break,
            }
        }
        if words > 1 {
            changed = true;
            let charset = charset.split('*').next().unwrap_or(charset);
            out.push_str("=?");
            out.push_str(charset);
            out.push_str("?Q?");
            for b in bytes {
                if b.is_ascii_alphanumeric() {
                    out.push(b as char);
                } else {
                    out.push_str(&format!("={b:02X}"));
                }
            }
            out.push_str("?=");
        } else {
            out.push_str(&rest[start..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    changed.then_some(out)
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
        "utf-8" | "utf8" | "unicode-1-1-utf-8" | "x-unicode20utf8" | "unicode20utf8"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::model::Limits;
    use crate::ingest::testutil::CORPUS;
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
        let dir = Path::new(CORPUS).join("email/eml");
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
    fn every_truncation_and_bit_flip_is_survived() {
        for end in 0..SIMPLE.len() {
            let _ = read_bytes(&SIMPLE[..end]);
        }
        for at in 0..SIMPLE.len() {
            let mut m = SIMPLE.to_vec();
            m[at] ^= 0xff;
            let _ = read_bytes(&m);
        }
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
        // One damaged line, then real headers (corpus malformed/019.eml).
        assert!(looks_like_eml(b"Fro :uMmlti Sender <m@x>\nTo: r@x\nSubject: s\nDate: Tue, 7 Apr 2026 10:00:01 +0000\n\nbody"));
        assert!(!looks_like_eml(b"Fro :x\nTo: r@x\n\nbody"));
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

        // UTF-7 encoded word; ISO-8859-1 body.
        let (own, _) = read_corpus(&dir, "legacy/001.eml");
        let subject = own.mail.expect("meta").subject;
        assert_eq!(subject, "Die Hasen und die Frösche (Microsoft Outlook 00)");
        assert!(own.text.contains("klagten einst über ihre mißliche Lage"));

        // Raw 8-bit ISO-8859-1 in the Subject header, with no encoded word.
        let (own, _) = read_corpus(&dir, "legacy/010.eml");
        assert_eq!(own.mail.expect("meta").subject, "Die Hasen und die Frösche");

        // Latin-1 body labelled UTF-8.
        let (own, _) = read_corpus(&dir, "legacy/033.eml");
        assert!(
            own.text.starts_with("Die Hasen und die Frösche"),
            "{:?}",
            own.text
        );
        assert!(!own.notes.is_empty());

        // Raw 8-bit attachment name; a text attachment keeps its ISO-8859-1 bytes.
        let (_, children) = read_corpus(&dir, "legacy/023.eml");
        assert_eq!(
            names(&children),
            ["blueball.png", "farmerandstork.txt", "HasenundFrösche.txt"]
        );
        assert!(bytes_of(&children[2]).starts_with(b"Die Hasen und die Fr\xf6sche"));

        // Encoded words split inside a UTF-8 character, and a wrapped line missing its space.
        let (own, _) = read_corpus(&dir, "msgreader/UTF-8_Test.eml");
        let meta = own.mail.expect("meta");
        assert_eq!(
            meta.subject,
            "【要確認】●普通自転車（ノーパンクタイヤ） 再予約通知 2023/11/29 12:00 - 13:00"
        );
        assert_eq!(meta.from[0].name.as_deref(), Some("設備予約systemシステム"));
        assert!(own.text.contains("通常通りパースされることを確認済みです"));

        let (own, _) = read_corpus(&dir, "thirdparty/010.eml");
        assert_eq!(own.mail.expect("meta").subject, "こんにちは");

        // An attached message goes out as its raw text and reads back as a message.
        let (own, children) = read_corpus(&dir, "rfc/002.eml");
        assert!(own.text.starts_with("Fred,"));
        assert_eq!(names(&children), ["Map of Argentina with Description.eml"]);
        let inner = bytes_of(&children[0]);
        assert!(inner.starts_with(b"Return-Path: <president@whitehouse.gov>"));
        let (inner, _) = read_bytes(inner);
        let inner = inner.expect("inner message").mail.expect("meta");
        assert_eq!(inner.subject, "Map of Argentina with Description");

        // message/rfc822 that is not a message: still handed on, and noted.
        let (own, children) = read_corpus(&dir, "malformed/022.eml");
        assert_eq!(own.text, "hello");
        assert_eq!(names(&children), ["broken.eml"]);
        assert!(bytes_of(&children[0]).starts_with(b"this attachment is not a valid eml"));

        // Outlook inline image and unnamed attachments, in MIME order.
        let (own, children) = read_corpus(&dir, "msgreader/TestWithAttachmentsAndInlines.eml");
        let meta = own.mail.expect("meta");
        assert_eq!(meta.from[0].name.as_deref(), Some("Müller Peter"));
        assert_eq!(
            names(&children)[..2],
            ["Outlook-facebook.png", "attachment1f.txt"]
        );
        assert_eq!(children.len(), 7);
    }
}
