//! RFC 5322 / MIME writing, by hand so every byte (boundaries included) follows from the seed:
//! RFC 2047 encoded words for non-ASCII headers, quoted-printable and base64 bodies,
//! multipart/alternative, multipart/mixed with attachments and message/rfc822 parts.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

#[derive(Debug, Clone)]
pub struct Addr {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transfer {
    SevenBit,
    QuotedPrintable,
    Base64,
}

pub enum Part {
    /// A file: name, content type, bytes (sent base64).
    File(String, &'static str, Vec<u8>),
    /// A whole message attached as message/rfc822.
    Message(String, Vec<u8>),
}

pub struct Mail {
    pub from: Addr,
    pub to: Vec<Addr>,
    pub cc: Vec<Addr>,
    pub date: String,
    pub subject: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub plain: String,
    /// Also send an HTML alternative (or, with `html_only`, only HTML).
    pub html: bool,
    pub html_only: bool,
    pub transfer: Transfer,
    pub parts: Vec<Part>,
    /// Makes boundaries unique and deterministic.
    pub boundary_key: String,
}

/// An RFC 2047 header value: as is when ASCII, else UTF-8 base64 encoded words of at most
/// 75 characters each, split on character boundaries.
pub fn encode_header(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in s.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", B64.encode(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", B64.encode(chunk.as_bytes())));
    }
    words.join("\r\n ")
}

fn addr(a: &Addr) -> String {
    if a.name.is_empty() {
        format!("<{}>", a.email)
    } else if a.name.is_ascii() {
        format!("\"{}\" <{}>", a.name.replace('"', ""), a.email)
    } else {
        format!("{} <{}>", encode_header(&a.name), a.email)
    }
}

fn addrs(v: &[Addr]) -> String {
    v.iter().map(addr).collect::<Vec<_>>().join(",\r\n ")
}

/// Quoted-printable (RFC 2045 §6.7): lines of at most 76 characters, soft breaks `=`.
pub fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        let bytes = line.as_bytes();
        let mut col = 0;
        for (j, &b) in bytes.iter().enumerate() {
            let last = j + 1 == bytes.len();
            let enc = if (b == b' ' || b == b'\t') && last
                || !(b == b' ' || b == b'\t' || (33..=126).contains(&b))
                || b == b'='
            {
                format!("={b:02X}")
            } else {
                char::from(b).to_string()
            };
            if col + enc.len() > 75 {
                out.push_str("=\r\n");
                col = 0;
            }
            col += enc.len();
            out.push_str(&enc);
        }
    }
    out
}

pub fn base64_lines(bytes: &[u8]) -> String {
    let s = B64.encode(bytes);
    let mut out = String::with_capacity(s.len() + s.len() / 76 * 2 + 2);
    for (i, chunk) in s.as_bytes().chunks(76).enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
    }
    out
}

fn crlf(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\n', "\r\n")
}

pub fn html_escape(s: &str, apos_entity: bool) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '\'' if apos_entity => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn to_html(plain: &str, apos_entity: bool) -> String {
    let mut h = String::from("<html><head><meta charset=\"utf-8\"></head><body style=\"font-family:Calibri,sans-serif\">\n");
    for para in plain.split("\n\n") {
        let quoted = para.lines().all(|l| l.starts_with('>'));
        let inner = para
            .lines()
            .map(|l| {
                html_escape(
                    l.trim_start_matches("> ").trim_start_matches('>'),
                    apos_entity,
                )
            })
            .collect::<Vec<_>>()
            .join("<br>\n");
        if quoted {
            h.push_str(&format!(
                "<blockquote style=\"border-left:1px solid #ccc\"><p>{inner}</p></blockquote>\n"
            ));
        } else {
            h.push_str(&format!("<p>{inner}</p>\n"));
        }
    }
    h.push_str("</body></html>\n");
    h
}

fn text_part(ctype: &str, body: &str, transfer: Transfer) -> String {
    let (cte, enc) = match transfer {
        Transfer::SevenBit if body.is_ascii() => ("7bit", crlf(body)),
        Transfer::Base64 => ("base64", base64_lines(body.as_bytes())),
        _ => ("quoted-printable", quoted_printable(body)),
    };
    format!("Content-Type: {ctype}; charset=\"utf-8\"\r\nContent-Transfer-Encoding: {cte}\r\n\r\n{enc}\r\n")
}

impl Mail {
    pub fn render(&self) -> Vec<u8> {
        let mut h = String::new();
        h.push_str(&format!("From: {}\r\n", addr(&self.from)));
        h.push_str(&format!("To: {}\r\n", addrs(&self.to)));
        if !self.cc.is_empty() {
            h.push_str(&format!("Cc: {}\r\n", addrs(&self.cc)));
        }
        h.push_str(&format!("Subject: {}\r\n", encode_header(&self.subject)));
        h.push_str(&format!("Date: {}\r\n", self.date));
        h.push_str(&format!("Message-ID: {}\r\n", self.message_id));
        if let Some(r) = &self.in_reply_to {
            h.push_str(&format!("In-Reply-To: {r}\r\nReferences: {r}\r\n"));
        }
        h.push_str("MIME-Version: 1.0\r\nX-Mailer: Microsoft Outlook 16.0\r\n");
        let apos = self
            .boundary_key
            .bytes()
            .last()
            .is_some_and(|b| b.is_multiple_of(2));
        let body = if self.html_only {
            text_part("text/html", &to_html(&self.plain, apos), self.transfer)
        } else if self.html {
            let b = format!("alt_{}", self.boundary_key);
            format!(
                "Content-Type: multipart/alternative; boundary=\"{b}\"\r\n\r\n--{b}\r\n{}--{b}\r\n{}--{b}--\r\n",
                text_part("text/plain", &self.plain, self.transfer),
                text_part("text/html", &to_html(&self.plain, apos), Transfer::QuotedPrintable)
            )
        } else {
            text_part("text/plain", &self.plain, self.transfer)
        };
        if self.parts.is_empty() {
            h.push_str(&body);
            return h.into_bytes();
        }
        let b = format!("mix_{}", self.boundary_key);
        h.push_str(&format!("Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\nThis is a multi-part message in MIME format.\r\n\r\n--{b}\r\n{body}"));
        let mut out = h.into_bytes();
        for p in &self.parts {
            match p {
                Part::File(name, ctype, bytes) => {
                    out.extend_from_slice(format!(
                        "--{b}\r\nContent-Type: {ctype}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                        base64_lines(bytes)
                    ).as_bytes());
                }
                Part::Message(name, raw) => {
                    out.extend_from_slice(format!(
                        "--{b}\r\nContent-Type: message/rfc822; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\r\n"
                    ).as_bytes());
                    out.extend_from_slice(raw);
                    out.extend_from_slice(b"\r\n");
                }
            }
        }
        out.extend_from_slice(format!("--{b}--\r\n").as_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qp_and_encoded_words() {
        assert_eq!(quoted_printable("Zoë = 1 "), "Zo=C3=AB =3D 1=20");
        let long = "x".repeat(100);
        assert!(quoted_printable(&long).lines().all(|l| l.len() <= 76));
        assert_eq!(encode_header("Zoë"), "=?UTF-8?B?Wm/Dqw==?=");
        assert_eq!(encode_header("plain"), "plain");
    }
}
