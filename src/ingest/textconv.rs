//! Markup to searchable text: HTML pages (and the "Excel exports" that are HTML tables), the
//! entity references and attributes of Office XML parts, and the line tidying every converter
//! ends with, so a name is laid out, and so found, the same way whichever reader met it.
//! Outlook bodies still have their own HTML converter ([`super::mapi::body`]), kept apart
//! because a message's text is part of its hash.

use std::borrow::Cow;

use encoding_rs::WINDOWS_1252;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesRef, Event};

// ---------------------------------------------------------------------------------------------
// HTML

/// Elements that start and end a line of text.
const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "legend",
    "li",
    "main",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "textarea",
    "tfoot",
    "thead",
    "title",
    "tr",
    "ul",
];

/// Readable text of an HTML document. Written by hand rather than taken from mail-parser,
/// whose converter drops everything after an unclosed `<head>` and runs block elements
/// together. Scripts and styles are dropped; image alt text and `mailto:` addresses are kept,
/// since a pupil's name or a parent's address may appear nowhere else.
pub fn html_to_text(html: &str) -> String {
    let b = html.as_bytes();
    let mut out = String::with_capacity(html.len() / 2);
    let mut space = false;
    let mut pre = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'<' => {
                if b[i..].starts_with(b"<!--") {
                    i = find(b, i + 4, b"-->").map_or(b.len(), |j| j + 3);
                    continue;
                }
                if b[i..].starts_with(b"<![CDATA[") {
                    let end = find(b, i + 9, b"]]>").unwrap_or(b.len());
                    push_text(&mut out, &html[i + 9..end], &mut space, pre > 0);
                    i = (end + 3).min(b.len());
                    continue;
                }
                if matches!(b.get(i + 1), Some(b'!' | b'?')) {
                    i = tag_end(b, i + 2);
                    continue;
                }
                let closing = b.get(i + 1) == Some(&b'/');
                let name_start = i + 1 + usize::from(closing);
                if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
                    push_text(&mut out, "<", &mut space, pre > 0);
                    i += 1;
                    continue;
                }
                let name_len = b[name_start..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b':'))
                    .count();
                let name = html[name_start..name_start + name_len].to_ascii_lowercase();
                let end = tag_end(b, name_start + name_len);
                if end == b.len() && b.last() != Some(&b'>') {
                    // A `<` that never closes was text after all (`a<b` in a careless page).
                    push_text(&mut out, &html[i..], &mut space, pre > 0);
                    break;
                }
                let inside =
                    &html[name_start + name_len..end.saturating_sub(1).max(name_start + name_len)];
                i = end;
                if !closing
                    && matches!(name.as_str(), "script" | "style")
                    && !inside.trim_end().ends_with('/')
                {
                    let close = format!("</{name}");
                    i = find_ci(b, i, close.as_bytes())
                        .map_or(b.len(), |j| tag_end(b, j + close.len()));
                    continue;
                }
                match name.as_str() {
                    "br" => {
                        trim_end_spaces(&mut out);
                        out.push('\n');
                        space = false;
                    }
                    "td" | "th" if !closing => {
                        trim_end_spaces(&mut out);
                        if !out.is_empty() && !out.ends_with('\n') {
                            out.push('\t');
                        }
                        space = false;
                    }
                    "img" if !closing => {
                        if let Some(alt) = attribute(inside, "alt").filter(|a| !a.trim().is_empty())
                        {
                            push_text(
                                &mut out,
                                &format!(" [image: {}] ", alt.trim()),
                                &mut space,
                                false,
                            );
                        }
                    }
                    "a" if !closing => {
                        if let Some(href) = attribute(inside, "href") {
                            let href = href.trim();
                            if href.len() > 7 && href[..7].eq_ignore_ascii_case("mailto:") {
                                let addr = href[7..].split('?').next().unwrap_or("");
                                push_text(&mut out, &format!(" <{addr}> "), &mut space, false);
                            }
                        }
                    }
                    n if BLOCK.contains(&n) => {
                        if n == "pre" || n == "textarea" {
                            pre = if closing {
                                pre.saturating_sub(1)
                            } else {
                                pre + 1
                            };
                        }
                        trim_end_spaces(&mut out);
                        if !out.is_empty() && !out.ends_with('\n') {
                            out.push('\n');
                        }
                        space = false;
                    }
                    _ => {}
                }
            }
            b'&' => {
                let (text, used) = entity(&html[i..]);
                push_text(&mut out, &text, &mut space, pre > 0);
                i += used;
            }
            _ => {
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b'<' || c == b'&')
                    .map_or(b.len(), |p| p + i);
                push_text(&mut out, &html[i..end], &mut space, pre > 0);
                i = end;
            }
        }
    }
    tidy(&out)
}

/// Appends text, collapsing runs of white space to one space outside `<pre>`.
fn push_text(out: &mut String, text: &str, space: &mut bool, pre: bool) {
    for ch in text.chars() {
        if pre {
            out.push(if ch == '\u{a0}' { ' ' } else { ch });
            continue;
        }
        if ch.is_whitespace() {
            *space = true;
            continue;
        }
        if *space && !out.is_empty() && !out.ends_with(['\n', '\t', ' ']) {
            out.push(' ');
        }
        *space = false;
        out.push(ch);
    }
}

/// Index just past the `>` closing a tag, skipping over quoted attribute values.
fn tag_end(b: &[u8], mut i: usize) -> usize {
    let mut quote = None;
    while i < b.len() {
        match (quote, b[i]) {
            (None, b'"' | b'\'') => quote = Some(b[i]),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => return i + 1,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// Position of `needle` in `hay` at or after `from`.
pub(crate) fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn find_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| p + from)
}

/// Value of one attribute in the text of a start tag after its name, entities decoded.
fn attribute(tag: &str, want: &str) -> Option<String> {
    let b = tag.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = &tag[start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = "";
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if let Some(&q @ (b'"' | b'\'')) = b.get(i) {
                let end = b[i + 1..]
                    .iter()
                    .position(|&c| c == q)
                    .map_or(b.len(), |p| p + i + 1);
                value = &tag[i + 1..end];
                i = (end + 1).min(b.len());
            } else {
                let end = b[i..]
                    .iter()
                    .position(|c| c.is_ascii_whitespace())
                    .map_or(b.len(), |p| p + i);
                value = &tag[i..end];
                i = end;
            }
        }
        if name.eq_ignore_ascii_case(want) {
            return Some(decode_entities(value));
        }
        if i == start {
            i += 1;
        }
    }
    None
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let (text, used) = entity(&rest[at..]);
        out.push_str(&text);
        rest = &rest[at + used..];
    }
    out.push_str(rest);
    out
}

/// Decodes the character reference at the start of `s` (which starts with `&`), returning the
/// text and how many bytes it used. Numeric references in 128–159 mean Windows-1252, as in
/// browsers; named ones are looked up in the full HTML table that mail-parser carries.
fn entity(s: &str) -> (String, usize) {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let hex = matches!(b.get(2), Some(b'x' | b'X'));
        let start = if hex { 3 } else { 2 };
        let digits = b[start.min(b.len())..]
            .iter()
            .take_while(|c| {
                if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
            })
            .count()
            .min(8);
        if digits > 0 {
            let num = u32::from_str_radix(&s[start..start + digits], if hex { 16 } else { 10 })
                .unwrap_or(0xFFFD);
            let mut used = start + digits;
            if b.get(used) == Some(&b';') {
                used += 1;
            }
            let ch = if (0x80..0xA0).contains(&num) {
                let byte = [num as u8];
                WINDOWS_1252
                    .decode_without_bom_handling(&byte)
                    .0
                    .chars()
                    .next()
                    .unwrap_or('\u{FFFD}')
            } else {
                char::from_u32(num)
                    .filter(|&c| c != '\0')
                    .unwrap_or('\u{FFFD}')
            };
            return (ch.to_string(), used);
        }
        return ("&".into(), 1);
    }
    let name_len = b[1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count()
        .min(32);
    if name_len == 0 {
        return ("&".into(), 1);
    }
    let name = &s[1..1 + name_len];
    if b.get(1 + name_len) == Some(&b';') {
        let reference = &s[..name_len + 2];
        let decoded = mail_parser::decoders::html::html_to_text(reference);
        if decoded != reference && !decoded.is_empty() {
            let text = if decoded == "\u{a0}" {
                " ".to_string()
            } else {
                decoded
            };
            return (text, name_len + 2);
        }
        return (reference.to_string(), name_len + 2);
    }
    // Old pages leave the semicolon off the commonest references.
    let legacy = match name {
        "amp" => Some("&"),
        "lt" => Some("<"),
        "gt" => Some(">"),
        "quot" => Some("\""),
        "nbsp" => Some(" "),
        _ => None,
    };
    match legacy {
        Some(t) => (t.into(), 1 + name_len),
        None => ("&".into(), 1),
    }
}

// ---------------------------------------------------------------------------------------------
// XML

/// Text of an entity or character reference (`&amp;`, `&#233;`), which quick-xml reports
/// separately from the text around it.
pub(crate) fn general_ref(e: &BytesRef<'_>) -> String {
    if let Ok(Some(c)) = e.resolve_char_ref() {
        return c.to_string();
    }
    let name = e.to_string();
    match name.as_str() {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        _ => format!("&{name};"),
    }
}

/// The character data an event carries, whether quick-xml hands it over as text or as an
/// entity reference, so a reader routes both with one arm.
pub(crate) fn xml_text<'i>(ev: &Event<'i>) -> Option<Cow<'i, str>> {
    match ev {
        Event::Text(t) => Some(t.xml10_content()),
        Event::GeneralRef(e) => Some(Cow::Owned(general_ref(e))),
        _ => None,
    }
}

/// Walks the events of an XML part to its end. The parts read this way (relationships,
/// properties, comments) are extras to a document, so a malformed one ends quietly where the
/// damage starts instead of failing the document.
pub(crate) fn xml_events(xml: &[u8], mut f: impl FnMut(Event<'_>)) {
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(ev) => f(ev),
        }
        buf.clear();
    }
}

/// An attribute's value with references resolved and white space normalised as XML 1.0 says;
/// `None` when the value is malformed, so each caller chooses its own fallback.
pub(crate) fn attr_value(a: &Attribute<'_>) -> Option<String> {
    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
        .ok()
        .map(|v| v.into_owned())
}

// ---------------------------------------------------------------------------------------------
// Lines

/// Spaces before a line or cell break are layout, not text.
pub(crate) fn trim_end_spaces(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
}

/// Trailing blanks off every line, at most one blank line in a row, none at the ends.
pub(crate) fn tidy(s: &str) -> String {
    tidy_lines(s, |l| l.trim_end_matches([' ', '\t']))
}

/// [`tidy`], dropping trailing white space of every kind (no-break, ideographic) rather than
/// only spaces and tabs. Mail bodies have always been tidied this way, and a message's text is
/// part of what its hash is taken over, so they keep it.
pub(crate) fn tidy_all_space(s: &str) -> String {
    tidy_lines(s, str::trim_end)
}

fn tidy_lines(s: &str, trim: impl Fn(&str) -> &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    for line in s.lines() {
        let line = trim(line);
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidying_keeps_or_drops_unusual_trailing_space() {
        let s = "\n a\u{a0}\t \n\n\n\u{3000}\nb \n\n";
        assert_eq!(tidy(s), " a\u{a0}\n\n\u{3000}\nb");
        assert_eq!(tidy_all_space(s), " a\n\nb");
    }

    #[test]
    fn malformed_html_never_loses_text_or_panics() {
        assert_eq!(
            html_to_text("<head><title>T</title><body>Body text"),
            "T\nBody text"
        );
        assert_eq!(html_to_text("a < b and c<d"), "a < b and c<d");
        assert_eq!(html_to_text("x <!-- unterminated"), "x");
        assert_eq!(html_to_text("<p title='a>b'>quoted</p>"), "quoted");
        assert_eq!(
            html_to_text("&#0; &#99999999; &#x110000; &"),
            "\u{FFFD} \u{FFFD} \u{FFFD} &"
        );
        assert_eq!(html_to_text("<script>never closed"), "");
        for s in [
            "<",
            "&",
            "<a",
            "</",
            "<!",
            "<![CDATA[x",
            "&#",
            "&#x",
            "<img alt='",
            "<a href=\"mailto:",
            "é<é>é&é;",
        ] {
            let _ = html_to_text(s);
        }
    }
}
