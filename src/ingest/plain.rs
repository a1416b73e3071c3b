//! Plain text and HTML files.
//!
//! Text from a school's systems arrives in whatever encoding the exporting machine used:
//! UTF-8, UTF-16 with a byte-order mark (Windows "Unicode" text, Excel's Unicode export), or
//! Windows-1252 from older software. Each is decoded so a name like "Zoë" can be found
//! whichever way it was stored. HTML is decoded by the charset it declares, as a browser
//! would, and reduced to its readable text by [`html_to_text`].

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

use super::model::{Child, Input, ItemKind, Own, ReadError};
use super::textconv::{find, html_to_text};

/// Reads a text or HTML file; it has no children.
pub fn read(input: &Input, _emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let bytes = input.bytes;
    if bytes.len() as u64 > input.limits.max_item_bytes {
        return Err(ReadError::Limit(format!(
            "file is {} bytes, over the {} byte item limit",
            bytes.len(),
            input.limits.max_item_bytes
        )));
    }
    if !looks_like_text(bytes) {
        return Err(ReadError::Unsupported("binary data, not text".into()));
    }
    let html = is_html(input.name, bytes);
    let (text, encoding) = if html {
        decode_html(bytes)
    } else {
        decode_text(bytes)
    };
    let mut own = if html {
        Own::new(ItemKind::Html, html_to_text(&text))
    } else {
        Own::new(ItemKind::Text, text.replace("\r\n", "\n"))
    };
    if let Some(enc) = encoding {
        own.notes.push(format!("decoded as {enc}"));
    }
    Ok(own)
}

/// Whether bytes are text a person wrote rather than binary data: used to route unnamed
/// attachments and to decide whether a file with an unknown extension is worth searching.
/// Looks at the first 8 KiB only.
pub fn looks_like_text(bytes: &[u8]) -> bool {
    if Encoding::for_bom(bytes).is_some() || utf16_without_bom(bytes).is_some() {
        return true;
    }
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return false;
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A | 0x1B))
        .count();
    if controls * 50 > sample.len() {
        return false;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        // A sample cut in the middle of a character is still UTF-8.
        Err(e) if e.error_len().is_none() => true,
        Err(_) => {
            // Windows-1252 text: mostly ASCII with the odd accented letter or symbol.
            let high = sample.iter().filter(|&&b| b >= 0x80).count();
            high * 10 < sample.len() * 3
        }
    }
}

/// Decodes text: a byte-order mark wins, then UTF-16 recognised by its zero bytes, then UTF-8,
/// and Windows-1252 for anything else (it maps every byte, so nothing is lost). Returns the
/// encoding's name when it was not UTF-8, for a note.
pub fn decode_text(bytes: &[u8]) -> (String, Option<&'static str>) {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), (enc != UTF_8).then(|| enc.name()));
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        return (text.into_owned(), Some(enc.name()));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), None),
        Err(_) => {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), Some(WINDOWS_1252.name()))
        }
    }
}

/// UTF-16 text written without a byte-order mark shows itself by a zero in every other byte
/// (the high byte of each Latin character).
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if odd * 10 > pairs * 7 && even * 20 < pairs {
        Some(UTF_16LE)
    } else if even * 10 > pairs * 7 && odd * 20 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

pub(crate) fn is_html(name: &str, bytes: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    if [".htm", ".html", ".xhtml"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return true;
    }
    let (head, _) = decode_text(&bytes[..bytes.len().min(1024)]);
    let head = head
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.contains("<html") && head.contains("<body")
}

/// Decodes HTML honouring a `<meta charset>` (or `http-equiv` content type) declaration when
/// there is no byte-order mark, as browsers do.
pub(crate) fn decode_html(bytes: &[u8]) -> (String, Option<&'static str>) {
    if Encoding::for_bom(bytes).is_some() || utf16_without_bom(bytes).is_some() {
        return decode_text(bytes);
    }
    let Some(enc) = meta_charset(&bytes[..bytes.len().min(1024)]) else {
        return decode_text(bytes);
    };
    // A page cannot really be UTF-16 if its ASCII declaration was readable; browsers use UTF-8.
    let enc = if enc == UTF_16LE || enc == UTF_16BE {
        UTF_8
    } else {
        enc
    };
    if enc == UTF_8 {
        return decode_text(bytes);
    }
    let (text, _) = enc.decode_without_bom_handling(bytes);
    (text.into_owned(), Some(enc.name()))
}

fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = find(&lower, from, b"charset") {
        from = at + 7;
        let rest = &lower[from..];
        let rest = rest
            .iter()
            .position(|&b| b != b' ')
            .map_or(&rest[rest.len()..], |p| &rest[p..]);
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let rest = rest
            .iter()
            .position(|&b| !matches!(b, b' ' | b'"' | b'\''))
            .map_or(&rest[rest.len()..], |p| &rest[p..]);
        let end = rest
            .iter()
            .position(|&b| matches!(b, b'"' | b'\'' | b';' | b' ' | b'>' | b'/'))
            .unwrap_or(rest.len());
        if let Some(enc) = Encoding::for_label(&rest[..end]) {
            return Some(enc);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::model::Limits;

    fn run(bytes: &[u8], name: &str) -> Result<Own, ReadError> {
        let limits = Limits::default();
        read(
            &Input {
                bytes,
                name,
                limits: &limits,
            },
            &mut |_| panic!("no children"),
        )
    }

    fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut v = Vec::new();
        if bom {
            v.extend_from_slice(if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
        }
        for u in s.encode_utf16() {
            v.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        v
    }

    #[test]
    fn utf8_and_crlf() {
        let own = run("Zoë Smith\r\nYear 9\r\n".as_bytes(), "note.txt").expect("reads");
        assert_eq!(own.kind, ItemKind::Text);
        assert_eq!(own.text, "Zoë Smith\nYear 9\n");
        assert!(own.notes.is_empty());
        let own = run(b"\xEF\xBB\xBFwith bom", "a.txt").expect("reads");
        assert_eq!(own.text, "with bom");
    }

    #[test]
    fn utf16_with_and_without_bom() {
        for le in [true, false] {
            let own = run(&utf16("Zoë – Year 9\n", le, true), "u.txt").expect("reads");
            assert_eq!(own.text, "Zoë – Year 9\n");
            assert!(own.notes[0].contains("UTF-16"), "{:?}", own.notes);
            let own =
                run(&utf16("Plain ASCII written as UTF-16", le, false), "u.txt").expect("reads");
            assert_eq!(own.text, "Plain ASCII written as UTF-16");
        }
    }

    #[test]
    fn windows_1252_fallback() {
        let own = run(b"Zo\xeb paid \xa35 \x96 \x93thanks\x94", "fees.txt").expect("reads");
        assert_eq!(own.text, "Zoë paid £5 – “thanks”");
        assert_eq!(own.notes, ["decoded as windows-1252"]);
    }

    #[test]
    fn looks_like_text_tells_text_from_binary() {
        assert!(looks_like_text(b"hello\nworld"));
        assert!(looks_like_text(b""));
        assert!(looks_like_text("Zoë".as_bytes()));
        assert!(looks_like_text(b"Zo\xeb"));
        assert!(looks_like_text(&utf16("hello", true, true)));
        assert!(looks_like_text(&utf16("hello there", true, false)));
        // A UTF-8 sample cut mid-character is still text.
        let long = "é".repeat(5000);
        assert!(looks_like_text(long.as_bytes()));
        assert!(!looks_like_text(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!looks_like_text(
            b"%PDF-1.7\n\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f"
        ));
        let noise: Vec<u8> = (0..2000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 7) as u8 | 0x80)
            .collect();
        assert!(!looks_like_text(&noise));
        assert!(matches!(
            run(b"\x89PNG\r\n\x1a\n\0\0", "x.txt"),
            Err(ReadError::Unsupported(_))
        ));
    }

    #[test]
    fn html_drops_script_and_style_and_decodes_entities() {
        let html = r#"<!DOCTYPE html><html><head><title>Report &ndash; Jane</title>
<style>p { color: red } </style><script type="text/javascript">var x = "<p>not text</p>";</script>
<meta charset="utf-8"></head><body>
<!-- a comment with <p>markup</p> -->
<h1>Pupil&nbsp;report</h1><p>Dear Mrs O&#39;Brien &amp; Mr O&#x27;Brien,</p>
<p>Jane   was
 <b>absent</b> on <i>3&nbsp;May</i>.<br>Caf&eacute; trip &copy; 2024 &bogus; &lt;ok&gt; AT&T</p>
<table><tr><th>Date</th><th>Note</th></tr><tr><td>3 May</td><td>Late</td></tr></table>
<ul><li>One</li><li>Two</li></ul>
<p>Contact <a href="mailto:head@oakfield.sch.uk?subject=Hi">the head</a>
<img src="x.png" alt="Photo of Jane"></p><pre>  keep   spacing
 here</pre><SCRIPT>alert(1)</SCRIPT>End &#150; fin</body></html>"#;
        let own = run(html.as_bytes(), "report.html").expect("reads");
        assert_eq!(own.kind, ItemKind::Html);
        let expected = "Report – Jane\nPupil report\nDear Mrs O'Brien & Mr O'Brien,\nJane was absent on 3 May.\n\
Café trip © 2024 &bogus; <ok> AT&T\nDate\tNote\n3 May\tLate\nOne\nTwo\n\
Contact <head@oakfield.sch.uk> the head [image: Photo of Jane]\n  keep   spacing\n here\nEnd – fin";
        assert_eq!(own.text, expected);
    }

    #[test]
    fn html_detected_by_content_and_charset_honoured() {
        let own = run(b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body>Zo\xeb</body></html>", "message").expect("reads");
        assert_eq!(own.kind, ItemKind::Html);
        assert_eq!(own.text, "Zoë");
        let own = run(
            b"<html><head><meta charset=iso-8859-1></head><body>Zo\xeb</body></html>",
            "m.htm",
        )
        .expect("reads");
        assert_eq!(own.text, "Zoë");
    }
}
