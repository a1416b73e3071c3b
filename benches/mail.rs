//! Mail parsing throughput (divan), with the readers `disclose ingest` uses.
//!
//!   cargo bench --bench mail
//!
//! The messages are generated here, deterministically, to look like a school's staff mail:
//! `multipart/alternative` with a quoted-printable plain part and a base64 HTML part, quoted
//! reply chains (`On … wrote:` / `<blockquote>`), RFC 2047 encoded names and subjects, and about
//! one message in seven with a base64 PDF or two (RFC 2231 file names) or a forwarded message.
//!
//! * `eml`: `ingest::eml::read` on each message as its own `.eml` file; a forwarded message
//!   (`message/rfc822`) is parsed too, as the driver would recurse into it.
//! * `mbox`: `ingest::mbox::read` splitting one mboxrd mailbox of the same messages, and
//!   `eml::read` on each message it hands over: what ingest does with a Google Vault export.
//! * `mbox_split_only`: the split alone.
//! * `msg_generated`: `ingest::msg::read` on Outlook `.msg` files built here with `cfb`
//!   (Unicode properties, recipients, PR_HTML, a PDF attachment on some).
//! * `msg_corpus`: the public `.msg` samples in `/work/shared/corpus/email/msg` when that
//!   directory exists (skipped with a message otherwise).
//!
//! Each bench counts bytes and messages. Under `cargo test --all-targets` the workload is cut to
//! a few dozen messages so the run stays quick.

use std::io::{Cursor, Write};
use std::path::PathBuf;
use std::sync::LazyLock;

use chrono::{TimeZone, Utc};
use divan::counter::{BytesCount, ItemsCount};
use divan::{black_box, Bencher};

use disclose::ingest::{eml, mbox, msg, ChildContent, Input, Limits};

mod support;
use support::{measuring, person, Rng, FIRST, LAST, PHRASES};

/// Messages in the workload when measuring, and under `cargo test`.
const MESSAGES: usize = 2_000;
const MESSAGES_TEST: usize = 40;

const CORPUS_MSG: &str = "/work/shared/corpus/email/msg";

fn main() {
    if corpus_msgs().is_empty() {
        eprintln!("mail bench: {CORPUS_MSG} is absent; msg_corpus is skipped");
    }
    divan::main();
}

// ------------------------------------------------------------------ encoders

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 in 76-column CRLF lines, as MIME writers emit it (`wrap` false for header words).
fn base64(bytes: &[u8], wrap: bool) -> String {
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + bytes.len() / 38 + 4);
    for (i, chunk) in bytes.chunks(3).enumerate() {
        if wrap && i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let n =
            chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Quoted-printable with soft line breaks, for the plain-text part.
fn quoted_printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.split('\n') {
        let mut col = 0;
        for &b in line.as_bytes() {
            let piece = if b == b'=' || !(b' '..=b'~').contains(&b) {
                format!("={b:02X}")
            } else {
                (b as char).to_string()
            };
            if col + piece.len() > 75 {
                out.push_str("=\r\n");
                col = 0;
            }
            col += piece.len();
            out.push_str(&piece);
        }
        out.push_str("\r\n");
    }
    out
}

/// A header value as an RFC 2047 word when it is not ASCII (Q for subjects, B for names, as
/// Outlook and Gmail do).
fn encoded_word(s: &str, b: bool) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    if b {
        return format!("=?UTF-8?B?{}?=", base64(s.as_bytes(), false));
    }
    let mut q = String::from("=?UTF-8?Q?");
    for &c in s.as_bytes() {
        match c {
            b' ' => q.push('_'),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' => q.push(c as char),
            _ => q.push_str(&format!("={c:02X}")),
        }
    }
    q.push_str("?=");
    q
}

/// `person()` with the display name RFC 2047-encoded when it has accents.
fn header_person(r: &mut Rng) -> String {
    let p = person(r);
    match p.split_once(" <") {
        Some((name, addr)) if !name.is_ascii() => format!("{} <{addr}", encoded_word(name, true)),
        _ => p,
    }
}

/// Bytes shaped like a PDF: a header, object syntax and mostly incompressible stream data.
fn fake_pdf(r: &mut Rng, len: usize) -> Vec<u8> {
    let mut v =
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            .to_vec();
    while v.len() < len {
        let n = r.next().to_le_bytes();
        v.extend_from_slice(&n);
    }
    v.truncate(len);
    v.extend_from_slice(b"\n%%EOF\n");
    v
}

// ------------------------------------------------------------------ one message

/// Everything a generated message says, shared by the MIME and the `.msg` writers.
struct Draft {
    from: String,
    to: Vec<String>,
    cc: Vec<String>,
    subject: String,
    date: chrono::DateTime<Utc>,
    id: String,
    reply_to: Option<String>,
    paragraphs: Vec<String>,
    quoted: Vec<String>,
    quoted_from: String,
    attachments: Vec<(String, Vec<u8>)>,
    forwarded: Option<Vec<u8>>,
}

fn paragraph(r: &mut Rng) -> String {
    let mut p = String::new();
    for _ in 0..2 + r.below(4) {
        let (f, l) = (r.pick(FIRST), r.pick(LAST));
        match r.below(5) {
            0 => p.push_str(&format!(
                "{f} {l} was in the canteen with {} at lunch. ",
                r.pick(FIRST)
            )),
            1 => p.push_str(&format!(
                "Mrs {l}\u{2019}s note says {f} has been unwell since Monday. "
            )),
            2 => p.push_str("From my side, the plan stands \u{2014} I will update the log. "),
            _ => {
                p.push_str(r.pick(PHRASES));
                p.push(' ');
            }
        }
    }
    p.trim_end().to_string()
}

fn draft(r: &mut Rng, i: usize, nested: bool) -> Draft {
    let reply = r.below(2) == 0;
    let topic = match r.below(4) {
        0 => format!("{} {} \u{2013} attendance", r.pick(FIRST), r.pick(LAST)),
        1 => format!("Year {} trip: consent forms", 7 + r.below(5)),
        2 => "Behaviour log update".to_string(),
        _ => format!("Parents\u{2019} evening \u{2013} {}", r.pick(LAST)),
    };
    let mut attachments = Vec::new();
    let mut forwarded = None;
    if !nested && r.below(7) == 0 {
        if r.below(5) == 0 {
            forwarded = Some(mime(&draft(r, i + 1_000_000, true)));
        } else {
            for _ in 0..1 + r.below(2) {
                let name = format!("{} {} report.pdf", r.pick(FIRST), r.pick(LAST));
                let len = 20_000 + r.below(100_000);
                attachments.push((name, fake_pdf(r, len)));
            }
        }
    }
    Draft {
        from: header_person(r),
        to: (0..1 + r.below(3)).map(|_| header_person(r)).collect(),
        cc: (0..r.below(3) / 2).map(|_| header_person(r)).collect(),
        subject: if reply { format!("RE: {topic}") } else { topic },
        date: Utc
            .timestamp_opt(1_690_000_000 + r.below(40_000_000) as i64, 0)
            .single()
            .unwrap_or_default(),
        id: format!("<{i:06}.{:016x}@oakfield.sch.uk>", r.next()),
        reply_to: reply.then(|| format!("<{:016x}@oakfield.sch.uk>", r.next())),
        paragraphs: (0..1 + r.below(4)).map(|_| paragraph(r)).collect(),
        quoted: if reply {
            (0..1 + r.below(3)).map(|_| paragraph(r)).collect()
        } else {
            Vec::new()
        },
        quoted_from: person(r),
        attachments,
        forwarded,
    }
}

impl Draft {
    fn plain(&self) -> String {
        let mut s = format!("Hi {},\n\n", self.to[0].split(' ').next().unwrap_or("all"));
        for p in &self.paragraphs {
            s.push_str(p);
            s.push_str("\n\n");
        }
        s.push_str("Kind regards,\nPastoral team\nOakfield Academy\n");
        if !self.quoted.is_empty() {
            s.push_str(&format!(
                "\nOn {}, {} wrote:\n",
                self.date.format("%a %d %b %Y at %H:%M"),
                self.quoted_from
            ));
            for p in &self.quoted {
                s.push_str(&format!("> {p}\n>\n"));
            }
            s.push_str(">> Thanks, see you at the meeting.\n");
        }
        s
    }

    fn html(&self) -> String {
        let mut s = String::from(
            "<html><head><meta charset=\"utf-8\"><style>p{margin:0;font-family:Calibri}</style></head><body>\r\n",
        );
        for p in &self.paragraphs {
            s.push_str(&format!("<p>{}</p>\r\n", p.replace('&', "&amp;")));
        }
        s.push_str("<p>Kind regards,<br>Pastoral team<br><b>Oakfield Academy</b></p>\r\n");
        if !self.quoted.is_empty() {
            s.push_str("<div style=\"border-top:solid #E1E1E1 1pt\"><blockquote>");
            for p in &self.quoted {
                s.push_str(&format!("<p>{p}</p>"));
            }
            s.push_str("</blockquote></div>\r\n");
        }
        s.push_str("</body></html>\r\n");
        s
    }
}

/// The message as an RFC 5322 file, CRLF line ends.
fn mime(d: &Draft) -> Vec<u8> {
    let mut m = format!(
        "Received: from EXCH01.oakfield.local (10.0.0.12) by EXCH02.oakfield.local\r\n \
         (10.0.0.13) with Microsoft SMTP Server id 15.2.1118.40; {date}\r\n\
         From: {from}\r\nTo: {to}\r\n",
        date = d.date.to_rfc2822(),
        from = d.from,
        to = d.to.join(",\r\n "),
    );
    if !d.cc.is_empty() {
        m.push_str(&format!("Cc: {}\r\n", d.cc.join(", ")));
    }
    m.push_str(&format!(
        "Subject: {}\r\nThread-Topic: {}\r\nDate: {}\r\nMessage-ID: {}\r\n",
        encoded_word(&d.subject, false),
        encoded_word(&d.subject, false),
        d.date.to_rfc2822(),
        d.id
    ));
    if let Some(r) = &d.reply_to {
        m.push_str(&format!("In-Reply-To: {r}\r\nReferences: {r}\r\n"));
    }
    let mixed = !d.attachments.is_empty() || d.forwarded.is_some();
    m.push_str("MIME-Version: 1.0\r\nX-MS-Has-Attach: ");
    m.push_str(if mixed { "yes\r\n" } else { "\r\n" });
    let alt = format!(
        "Content-Type: multipart/alternative; boundary=\"alt-{id}\"\r\n\r\n\
         --alt-{id}\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\r\n{plain}\r\n\
         --alt-{id}\r\nContent-Type: text/html; charset=\"utf-8\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{html}\r\n--alt-{id}--\r\n",
        id = &d.id[1..7],
        plain = quoted_printable(&d.plain()),
        html = base64(d.html().as_bytes(), true),
    );
    if !mixed {
        m.push_str(&alt);
        return m.into_bytes();
    }
    let b = format!("mix-{}", &d.id[1..7]);
    m.push_str(&format!(
        "Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n--{b}\r\n{alt}"
    ));
    for (name, bytes) in &d.attachments {
        let star: String = name
            .bytes()
            .map(|c| match c {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' => (c as char).to_string(),
                _ => format!("%{c:02X}"),
            })
            .collect();
        m.push_str(&format!(
            "\r\n--{b}\r\nContent-Type: application/pdf; name=\"{n}\"\r\n\
             Content-Disposition: attachment; filename*=UTF-8''{star}\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{data}\r\n",
            n = encoded_word(name, false),
            data = base64(bytes, true)
        ));
    }
    let mut out = m.into_bytes();
    if let Some(fwd) = &d.forwarded {
        out.extend_from_slice(
            format!("\r\n--{b}\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n").as_bytes(),
        );
        out.extend_from_slice(fwd);
    }
    out.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    out
}

/// UTF-16LE, as `.msg` stores `PT_UNICODE` strings.
fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// A `.msg` property record: type, id, flags (readable), value.
fn prop(id: u16, ty: u16, value: u64) -> [u8; 16] {
    let mut rec = [0u8; 16];
    rec[..2].copy_from_slice(&ty.to_le_bytes());
    rec[2..4].copy_from_slice(&id.to_le_bytes());
    rec[4..8].copy_from_slice(&6u32.to_le_bytes());
    rec[8..].copy_from_slice(&value.to_le_bytes());
    rec
}

fn put(
    cf: &mut cfb::CompoundFile<Cursor<Vec<u8>>>,
    path: String,
    bytes: &[u8],
) -> std::io::Result<()> {
    cf.create_stream(&path)?.write_all(bytes)
}

/// The message as an Outlook `.msg`: Unicode string properties, PR_HTML, one recipient
/// storage per addressee and one attachment storage per PDF (forwarded messages are left out).
fn outlook_msg(d: &Draft) -> std::io::Result<Vec<u8>> {
    let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new()))?;
    let (name, addr) = d.from.split_once(" <").unwrap_or((&d.from, ">"));
    let addr = addr.trim_end_matches('>');
    // FILETIME: 100 ns ticks since 1601.
    let filetime = (d.date.timestamp() as u64 + 11_644_473_600) * 10_000_000;
    let mut props = vec![0u8; 32];
    props.extend_from_slice(&prop(0x0039, 0x0040, filetime));
    props.extend_from_slice(&prop(0x0E06, 0x0040, filetime));
    put(&mut cf, "/__properties_version1.0".into(), &props)?;
    for (id, text) in [
        (0x001A, "IPM.Note".to_string()),
        (0x0037, d.subject.clone()),
        (0x1000, d.plain()),
        (0x0C1A, name.to_string()),
        (0x0C1F, addr.to_string()),
        (0x0C1E, "SMTP".to_string()),
        (0x5D01, addr.to_string()),
        (0x1035, d.id.clone()),
    ] {
        put(&mut cf, format!("/__substg1.0_{id:04X}001F"), &utf16(&text))?;
    }
    put(&mut cf, "/__substg1.0_10130102".into(), d.html().as_bytes())?;
    let recipients =
        d.to.iter()
            .map(|p| (1u64, p))
            .chain(d.cc.iter().map(|p| (2, p)));
    for (n, (kind, p)) in recipients.enumerate() {
        let dir = format!("/__recip_version1.0_#{n:08X}");
        cf.create_storage(&dir)?;
        let mut props = vec![0u8; 8];
        props.extend_from_slice(&prop(0x0C15, 0x0003, kind));
        put(&mut cf, format!("{dir}/__properties_version1.0"), &props)?;
        let (rname, raddr) = p.split_once(" <").unwrap_or((p, ">"));
        let raddr = raddr.trim_end_matches('>');
        for (id, text) in [
            (0x3001, rname),
            (0x3002, "SMTP"),
            (0x3003, raddr),
            (0x39FE, raddr),
        ] {
            put(
                &mut cf,
                format!("{dir}/__substg1.0_{id:04X}001F"),
                &utf16(text),
            )?;
        }
    }
    for (n, (fname, bytes)) in d.attachments.iter().enumerate() {
        let dir = format!("/__attach_version1.0_#{n:08X}");
        cf.create_storage(&dir)?;
        let mut props = vec![0u8; 8];
        props.extend_from_slice(&prop(0x3705, 0x0003, 1));
        put(&mut cf, format!("{dir}/__properties_version1.0"), &props)?;
        put(
            &mut cf,
            format!("{dir}/__substg1.0_3707001F"),
            &utf16(fname),
        )?;
        put(
            &mut cf,
            format!("{dir}/__substg1.0_370E001F"),
            &utf16("application/pdf"),
        )?;
        put(&mut cf, format!("{dir}/__substg1.0_37010102"), bytes)?;
    }
    cf.flush()?;
    Ok(cf.into_inner().into_inner())
}

// ------------------------------------------------------------------ the workload

struct Workload {
    emls: Vec<Vec<u8>>,
    mbox: Vec<u8>,
    msgs: Vec<Vec<u8>>,
}

impl Workload {
    fn eml_bytes(&self) -> usize {
        self.emls.iter().map(Vec::len).sum()
    }
    fn msg_bytes(&self) -> usize {
        self.msgs.iter().map(Vec::len).sum()
    }
}

static WORK: LazyLock<Workload> = LazyLock::new(|| {
    let n = if measuring() { MESSAGES } else { MESSAGES_TEST };
    let mut r = Rng(0x5eed_0005);
    let drafts: Vec<Draft> = (0..n).map(|i| draft(&mut r, i, false)).collect();
    let emls: Vec<Vec<u8>> = drafts.iter().map(mime).collect();
    // mboxrd, LF line ends as Vault writes them; body lines starting "From " gain a '>'.
    let mut mbox = Vec::new();
    for (d, m) in drafts.iter().zip(&emls) {
        let text = String::from_utf8_lossy(m).replace("\r\n", "\n");
        mbox.extend_from_slice(
            format!(
                "From 1{:09}@xxx {}\n",
                d.date.timestamp(),
                d.date.format("%a %b %d %H:%M:%S %z %Y")
            )
            .as_bytes(),
        );
        for line in text.split_inclusive('\n') {
            let depth = line.bytes().take_while(|&b| b == b'>').count();
            if line[depth..].starts_with("From ") {
                mbox.push(b'>');
            }
            mbox.extend_from_slice(line.as_bytes());
        }
        mbox.push(b'\n');
    }
    let msgs: Vec<Vec<u8>> = drafts
        .iter()
        .step_by(4)
        .map(|d| outlook_msg(d).expect("a .msg builds in memory"))
        .collect();
    let w = Workload { emls, mbox, msgs };
    // The workload must parse as mail, or the figures mean nothing.
    let limits = Limits::default();
    let (n_mbox, _) = split_and_parse(&w.mbox, &limits);
    assert_eq!(n_mbox, n, "the mbox splits into every message");
    let first = parse_eml(&w.emls[0], &limits);
    assert!(first > 0, "a generated .eml parses to a body");
    let m = msg::read(&input(&w.msgs[0], "a.msg", &limits), &mut |_| {}).expect(".msg reads");
    assert!(m.text.contains("Kind regards"), "the .msg body is read");
    w
});

fn input<'a>(bytes: &'a [u8], name: &'a str, limits: &'a Limits) -> Input<'a> {
    Input {
        bytes,
        name,
        limits,
    }
}

/// Parses one message as the driver would, recursing into attached messages; returns the
/// characters of searchable text plus attachment bytes handed on, so nothing is optimised away.
fn parse_eml(bytes: &[u8], limits: &Limits) -> usize {
    let mut nested = Vec::new();
    let mut handed_on = 0;
    let own = eml::read(&input(bytes, "message.eml", limits), &mut |c| {
        if let ChildContent::Bytes(b) = c.content {
            if eml::looks_like_eml(&b) {
                nested.push(b);
            } else {
                handed_on += b.len();
            }
        }
    });
    let own_len = own.map(|o| o.text.len()).unwrap_or(0);
    own_len + handed_on + nested.iter().map(|b| parse_eml(b, limits)).sum::<usize>()
}

/// Splits the mailbox and parses each message; returns (messages, text + attachment bytes).
fn split_and_parse(mbox_bytes: &[u8], limits: &Limits) -> (usize, usize) {
    let (mut count, mut total) = (0, 0);
    let _ = mbox::read(&input(mbox_bytes, "staff.mbox", limits), &mut |c| {
        if let ChildContent::Bytes(b) = c.content {
            count += 1;
            total += parse_eml(&b, limits);
        }
    });
    (count, total)
}

/// One case ("all") when the public `.msg` samples are present, none otherwise.
fn corpus_sets() -> Vec<&'static str> {
    if corpus_msgs().is_empty() {
        Vec::new()
    } else {
        vec!["all"]
    }
}

fn corpus_msgs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(CORPUS_MSG)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "msg"));
    v.sort();
    v
}

// ------------------------------------------------------------------ benches

#[divan::bench(sample_count = 10)]
fn eml(bencher: Bencher) {
    let w = &*WORK;
    let limits = Limits::default();
    bencher
        .counter(BytesCount::new(w.eml_bytes()))
        .counter(ItemsCount::new(w.emls.len()))
        .bench(|| {
            w.emls
                .iter()
                .map(|m| parse_eml(black_box(m), &limits))
                .sum::<usize>()
        });
}

#[divan::bench(sample_count = 10)]
fn mbox(bencher: Bencher) {
    let w = &*WORK;
    let limits = Limits::default();
    bencher
        .counter(BytesCount::new(w.mbox.len()))
        .counter(ItemsCount::new(w.emls.len()))
        .bench(|| split_and_parse(black_box(&w.mbox), &limits));
}

#[divan::bench(sample_count = 10)]
fn mbox_split_only(bencher: Bencher) {
    let w = &*WORK;
    let limits = Limits::default();
    bencher
        .counter(BytesCount::new(w.mbox.len()))
        .counter(ItemsCount::new(w.emls.len()))
        .bench(|| {
            let mut n = 0usize;
            let _ = mbox::read(
                &input(black_box(&w.mbox), "staff.mbox", &limits),
                &mut |_| n += 1,
            );
            n
        });
}

/// Reads each `.msg`; returns body characters plus attachment bytes handed on.
fn read_msgs(msgs: &[Vec<u8>], limits: &Limits) -> usize {
    msgs.iter()
        .map(|m| {
            let mut handed_on = 0;
            let own = msg::read(&input(m, "message.msg", limits), &mut |c| {
                if let ChildContent::Bytes(b) = c.content {
                    handed_on += b.len();
                }
            });
            own.map(|o| o.text.len()).unwrap_or(0) + handed_on
        })
        .sum()
}

#[divan::bench(sample_count = 10)]
fn msg_generated(bencher: Bencher) {
    let w = &*WORK;
    let limits = Limits::default();
    bencher
        .counter(BytesCount::new(w.msg_bytes()))
        .counter(ItemsCount::new(w.msgs.len()))
        .bench(|| read_msgs(black_box(&w.msgs), &limits));
}

/// All the public `.msg` samples at once (contacts, notes, RTF-only and Russian bodies
/// included); absent corpus, this bench has no cases.
#[divan::bench(args = corpus_sets(), sample_count = 10)]
fn msg_corpus(bencher: Bencher, _set: &str) {
    let msgs: Vec<Vec<u8>> = corpus_msgs()
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .collect();
    let bytes = msgs.iter().map(Vec::len).sum::<usize>();
    let limits = Limits::default();
    bencher
        .counter(BytesCount::new(bytes))
        .counter(ItemsCount::new(msgs.len()))
        .bench(|| read_msgs(black_box(&msgs), &limits));
}
