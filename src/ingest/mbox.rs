//! mbox mailboxes, as Google Vault exports them (one file per account).
//!
//! The file is split on `From ` separator lines and each message goes to the driver as bytes,
//! one at a time, so only one message is ever copied out of the mailbox. mail-parser's own mbox
//! iterator is not used: it takes any line starting `From ` as a separator (so an unquoted
//! "From my side…" in a body splits a message), keeps the blank separator line inside each
//! message (so the same message hashes differently in an mbox and as an .eml), and grows a
//! message without bound.

use std::io::BufRead;

use super::model::{Child, ChildContent, Input, ItemKind, Limits, Own, ReadError};

const WEEKDAYS: [&[u8]; 7] = [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"];
const MONTHS: [&[u8]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// Whether `bytes` open like an mbox: a `From ` separator line, then mail headers.
pub fn looks_like_mbox(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let Some(nl) = bytes.iter().take(1024).position(|&b| b == b'\n') else {
        return false;
    };
    is_separator(&bytes[..=nl]) && super::eml::looks_like_eml(&bytes[nl + 1..])
}

/// A `From ` line that starts a message (`From sender Sat Jan  3 01:05:34 1996`, or Vault's
/// `From 1234@xxx Mon Apr 01 10:11:12 +0000 2024`): besides the prefix it must carry an asctime
/// date (weekday, month, day, time, then a year), so a stray "From …" sentence that a writer
/// failed to quote does not split a message in two.
fn is_separator(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let words: Vec<Vec<u8>> = rest
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(|w| w.to_ascii_lowercase())
        .collect();
    words.windows(4).enumerate().any(|(i, w)| {
        WEEKDAYS.contains(&w[0].as_slice())
            && MONTHS.contains(&w[1].as_slice())
            && (1..=2).contains(&w[2].len())
            && w[2].iter().all(u8::is_ascii_digit)
            && is_time(&w[3])
            && words[i + 4..]
                .iter()
                .any(|y| y.len() == 4 && y.iter().all(u8::is_ascii_digit))
    })
}

/// `hh:mm` or `hh:mm:ss`.
fn is_time(word: &[u8]) -> bool {
    let parts: Vec<&[u8]> = word.split(|&b| b == b':').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.iter().all(u8::is_ascii_digit))
}

/// mboxrd quoting: a body line `>From `, `>>From `… was written with one `>` more than the
/// message had. (mboxo quotes only `From `; undoing it the same way is right for every line an
/// mboxo writer quoted.)
fn unquote(line: &[u8]) -> &[u8] {
    let depth = line.iter().take_while(|&&b| b == b'>').count();
    if depth > 0 && line[depth..].starts_with(b"From ") {
        &line[1..]
    } else {
        line
    }
}

/// The message being collected.
struct Pending {
    bytes: Vec<u8>,
    /// Bytes the message had past the item limit, dropped rather than held.
    over: u64,
}

/// Splits the mailbox and emits each message (without its `From ` line, quoting undone, the
/// blank separator line before the next `From ` dropped) named by its subject.
pub fn read(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let mut bytes = input.bytes;
    read_from(&mut bytes, input.limits, emit)
}

/// The next line of `r` (with its `\n`) into `line`, keeping at most `cap` bytes of it and
/// skipping the rest; returns the line's full length, or `None` at the end.
fn next_line(r: &mut impl BufRead, line: &mut Vec<u8>, cap: usize) -> std::io::Result<Option<u64>> {
    line.clear();
    let mut total = 0u64;
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok((total > 0).then_some(total));
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let keep = chunk.len().min(cap.saturating_sub(line.len()));
        line.extend_from_slice(&chunk[..keep]);
        let n = chunk.len();
        total += n as u64;
        r.consume(n);
        if done {
            return Ok(Some(total));
        }
    }
}

/// The same over any buffered reader: a top-level mbox is read from disk message by message,
/// so a multi-gigabyte Vault export is never held whole (only the message being collected).
pub fn read_from(
    r: &mut impl BufRead,
    limits: &Limits,
    emit: &mut dyn FnMut(Child),
) -> Result<Own, ReadError> {
    let max_message = usize::try_from(limits.max_item_bytes).unwrap_or(usize::MAX);
    let mut own = Own::new(ItemKind::Mbox, String::new());
    let io_err = |e: std::io::Error| ReadError::Corrupt(format!("read error: {e}"));
    let mut line = Vec::new();
    // A line is kept whole up to the item limit (plus its newline); past that its message is
    // over the limit anyway and only its length counts.
    let cap = max_message.saturating_add(2);

    // Text before the first separator (a damaged start, or an mbox without its first From_
    // line) is handed on as a message too rather than dropped.
    let mut pending = Some(Pending {
        bytes: Vec::new(),
        over: 0,
    });
    let mut count = 0usize;
    let mut separators = 0usize;
    let mut stopped = false;
    while let Some(len) = next_line(r, &mut line, cap).map_err(io_err)? {
        if is_separator(&line) {
            separators += 1;
            if let Some(p) = pending.take() {
                if count == 0 && p.bytes.iter().all(u8::is_ascii_whitespace) {
                    // Nothing before the first From_ line.
                } else {
                    count += 1;
                    emit_message(p, count, limits.max_item_bytes, emit);
                }
            }
            if count >= limits.max_entries {
                stopped = true;
                break;
            }
            pending = Some(Pending {
                bytes: Vec::new(),
                over: 0,
            });
            continue;
        }
        if let Some(p) = pending.as_mut() {
            let unquoted = unquote(&line);
            let full = len - (line.len() - unquoted.len()) as u64;
            if p.over > 0
                || (line.len() as u64) < len
                || p.bytes.len() as u64 + full > max_message as u64
            {
                p.over += full;
            } else {
                p.bytes.extend_from_slice(unquoted);
            }
        }
    }
    if separators == 0 {
        return Err(ReadError::Corrupt(
            "no \"From \" separator line: not an mbox".into(),
        ));
    }
    if !stopped {
        if let Some(p) = pending.take() {
            count += 1;
            emit_message(p, count, limits.max_item_bytes, emit);
        }
    } else {
        // Stopped at max_entries: count what is left without holding any of it.
        let mut rest = 1;
        while next_line(r, &mut line, 1024).map_err(io_err)?.is_some() {
            if is_separator(&line) {
                rest += 1;
            }
        }
        own.notes.push(format!(
            "{rest} further messages not read: more than {} in one mailbox",
            limits.max_entries
        ));
        emit(Child {
            levels: vec![format!("messages {}–{}", count + 1, count + rest)],
            content: ChildContent::Failed {
                reason: format!(
                    "not read: mailbox has more than {} messages (max_entries)",
                    limits.max_entries
                ),
                hash_bytes: None,
            },
        });
    }
    own.notes.insert(0, format!("{count} messages"));
    Ok(own)
}

fn emit_message(mut p: Pending, n: usize, max_item_bytes: u64, emit: &mut dyn FnMut(Child)) {
    if p.over == 0 {
        // The blank line before the next From_ line (or the end of the file) is the mbox's
        // separator, not part of the message.
        let end = p.bytes.len();
        let strip = if p.bytes.ends_with(b"\r\n\r\n") {
            2
        } else if p.bytes.ends_with(b"\n\n") {
            1
        } else {
            0
        };
        p.bytes.truncate(end - strip);
    }
    let name = super::eml::subject_of(&p.bytes).unwrap_or_else(|| format!("message-{n}"));
    let content = if p.over > 0 {
        ChildContent::Failed {
            reason: format!(
                "message of {} bytes is over the {max_item_bytes} byte item limit",
                p.bytes.len() as u64 + p.over
            ),
            hash_bytes: None,
        }
    } else {
        ChildContent::Bytes(p.bytes)
    };
    emit(Child {
        levels: vec![name],
        content,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::model::Limits;

    /// Three messages: a plain one whose body has mboxrd-quoted lines, one with an attachment,
    /// and one in CRLF with an encoded subject.
    const MBOX: &[u8] = b"From 1712345678901234567@xxx Wed Apr 03 10:11:12 +0000 2024\n\
X-GM-THRID: 1\n\
From: Jane Doe <jane.doe@school.org>\n\
To: parent@example.com\n\
Subject: Year 9 trip\n\
Date: Wed, 03 Apr 2024 10:11:12 +0000\n\
\n\
Dear parent,\n\
>From the office: the coach leaves at 8.\n\
>>From a quoted reply, kept one level down.\n\
> From is not quoting.\n\
\n\
From 1712345678901234568@xxx Thu Apr 04 09:00:00 +0000 2024\n\
From: office@school.org\n\
Subject: Consent form\n\
MIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=\"b\"\n\
\n\
--b\n\
Content-Type: text/plain\n\
\n\
Please sign.\n\
--b\n\
Content-Type: application/pdf; name=\"consent.pdf\"\n\
Content-Transfer-Encoding: base64\n\
\n\
JVBERi0xLjQK\n\
--b--\n\
\n\
From MAILER-DAEMON Fri Apr  5 07:30:00 2024\r\n\
From: x@y.org\r\n\
Subject: =?utf-8?Q?Caf=C3=A9?=\r\n\
\r\n\
From my side, thanks.\r\n\
\r\n";

    fn run(bytes: &[u8], limits: &Limits) -> (Result<Own, ReadError>, Vec<Child>) {
        let input = Input {
            bytes,
            name: "jane.doe@school.org.mbox",
            limits,
        };
        let mut children = Vec::new();
        let own = read(&input, &mut |c| children.push(c));
        (own, children)
    }

    fn bytes_of(c: &Child) -> &[u8] {
        match &c.content {
            ChildContent::Bytes(b) => b,
            other => panic!("expected bytes, got {other:?}"),
        }
    }

    #[test]
    fn splits_unquotes_and_names() {
        let (own, children) = run(MBOX, &Limits::default());
        let own = own.expect("reads");
        assert_eq!(own.kind, ItemKind::Mbox);
        assert!(own.text.is_empty());
        assert_eq!(own.notes, ["3 messages"]);
        let names: Vec<_> = children.iter().map(|c| c.levels.join("/")).collect();
        assert_eq!(names, ["Year 9 trip", "Consent form", "Café"]);

        let first = bytes_of(&children[0]);
        assert!(first.starts_with(b"X-GM-THRID: 1\n"));
        assert!(first.ends_with(
            b"Dear parent,\nFrom the office: the coach leaves at 8.\n\
>From a quoted reply, kept one level down.\n> From is not quoting.\n"
        ));

        // The driver reads each message back through the eml reader.
        let limits = Limits::default();
        let input = Input {
            bytes: bytes_of(&children[1]),
            name: "",
            limits: &limits,
        };
        let mut parts = Vec::new();
        let msg = crate::ingest::eml::read(&input, &mut |c| parts.push(c)).expect("message");
        assert_eq!(msg.text.trim(), "Please sign.");
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].levels, ["consent.pdf"]);
        assert_eq!(bytes_of(&parts[0]), b"%PDF-1.4\n");

        // CRLF message: separator blank line dropped, unquoted "From my" sentence kept.
        assert_eq!(
            bytes_of(&children[2]),
            b"From: x@y.org\r\nSubject: =?utf-8?Q?Caf=C3=A9?=\r\n\r\nFrom my side, thanks.\r\n"
        );
    }

    #[test]
    fn same_hash_as_the_eml() {
        let eml = b"From: a@b.c\nSubject: s\n\nbody\n";
        let mut mbox = b"From a@b.c Sat Jan  3 01:05:34 1996\n".to_vec();
        mbox.extend_from_slice(eml);
        mbox.extend_from_slice(b"\n");
        let (_, children) = run(&mbox, &Limits::default());
        assert_eq!(bytes_of(&children[0]), eml);
    }

    #[test]
    fn unnamed_and_preamble() {
        let mbox =
            b"stray text\n\nFrom a@b.c Sat Jan  3 01:05:34 1996\nFrom: a@b.c\n\nno subject\n";
        let (own, children) = run(mbox, &Limits::default());
        let own = own.expect("reads");
        assert_eq!(own.notes[0], "2 messages");
        assert_eq!(children[0].levels, ["message-1"]);
        assert_eq!(bytes_of(&children[0]), b"stray text\n");
        assert_eq!(children[1].levels, ["message-2"]);
    }

    #[test]
    fn limits() {
        let few = Limits {
            max_entries: 2,
            ..Limits::default()
        };
        let (own, children) = run(MBOX, &few);
        let own = own.expect("reads");
        assert_eq!(children.len(), 3);
        assert!(matches!(children[2].content, ChildContent::Failed { .. }));
        assert_eq!(children[2].levels, ["messages 3–3"]);
        assert_eq!(own.notes[0], "2 messages");

        let small = Limits {
            max_item_bytes: 256, // the messages are 252, 260 and 81 bytes
            ..Limits::default()
        };
        let (own, children) = run(MBOX, &small);
        own.expect("reads");
        assert_eq!(children.len(), 3);
        let failed: Vec<bool> = children
            .iter()
            .map(|c| matches!(c.content, ChildContent::Failed { .. }))
            .collect();
        assert_eq!(
            failed,
            [false, true, false],
            "only the message with the PDF is too big"
        );
        assert_eq!(
            children[1].levels,
            ["Consent form"],
            "named from its kept headers"
        );
    }

    #[test]
    fn not_an_mbox() {
        let (own, children) = run(b"just some text\nFrom here on\n", &Limits::default());
        assert!(matches!(own, Err(ReadError::Corrupt(_))));
        assert!(children.is_empty());
        let (own, _) = run(b"", &Limits::default());
        assert!(matches!(own, Err(ReadError::Corrupt(_))));
    }

    #[test]
    fn every_truncation_is_survived() {
        for end in 0..MBOX.len() {
            let _ = run(&MBOX[..end], &Limits::default());
        }
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_mbox(MBOX));
        assert!(looks_like_mbox(
            b"From a@b.c Sat Jan  3 01:05:34 1996\r\nReceived: x\r\n\r\n"
        ));
        assert!(!looks_like_mbox(b"From: a@b.c\nSubject: s\n\n"));
        assert!(!looks_like_mbox(
            b"From the head teacher, 3 March 2024\nDear all\n"
        ));
        assert!(!looks_like_mbox(b""));
        assert!(is_separator(b"From - Mon Jan 15 15:30:00 2018\n"));
        assert!(is_separator(
            b"From MAILER-DAEMON Fri Apr  5 07:30:00 2024\r\n"
        ));
        assert!(!is_separator(
            b"From what I heard at 10:30 on Mon May 6 2024\n"
        ));
        assert!(!is_separator(b"From: a@b.c\n"));
    }
}
