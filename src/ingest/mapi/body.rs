//! Which body of an Outlook item is its text. An item may carry its body as plain text, as
//! HTML, as RTF, or several of these; the first that says something is used, and the item
//! notes which one that was.

use super::props::{
    decode_codepage, MapiProps, PR_BODY, PR_HTML, PR_INTERNET_CODEPAGE, PR_RTF_COMPRESSED,
};
use super::rtf::{decompress_rtf, rtf_to_text};

/// Plain text if the message has it, else its HTML as text, else its RTF as text.
pub(crate) fn read_body(p: &mut dyn MapiProps, max_text: usize, notes: &mut Vec<String>) -> String {
    if let Some(b) = p.string(PR_BODY).filter(|b| !b.trim().is_empty()) {
        return normalise_newlines(&b);
    }
    let html = p.binary(PR_HTML).map(|b| {
        let cp = p
            .int(PR_INTERNET_CODEPAGE)
            .and_then(|c| u32::try_from(c).ok());
        decode_html_bytes(&b, cp)
    });
    if let Some(html) = html.or_else(|| p.string(PR_HTML)) {
        let text = html_to_text(&html);
        if !text.trim().is_empty() {
            notes.push("body read from its HTML version".into());
            return text;
        }
    }
    if let Some(rtf) = p.binary(PR_RTF_COMPRESSED) {
        match decompress_rtf(&rtf) {
            Ok(raw) => {
                let text = rtf_to_text(&raw, max_text);
                if !text.trim().is_empty() {
                    notes.push("body read from its RTF version".into());
                }
                return text;
            }
            Err(why) => notes.push(format!("the RTF body could not be read: {why}")),
        }
    }
    String::new()
}

fn normalise_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").trim_end_matches('\0').to_string()
}

/// HTML bodies are stored as bytes; their code page is the message's Internet code page, or
/// failing that the `charset` the HTML declares.
pub(crate) fn decode_html_bytes(bytes: &[u8], codepage: Option<u32>) -> String {
    if let Some(cp) = codepage {
        return decode_codepage(bytes, Some(cp));
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    if let Some(at) = head.find("charset=") {
        let rest = head[at + 8..].trim_start_matches(['"', '\'']);
        let label: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        if let Some(decode) =
            mail_parser::decoders::charsets::map::charset_decoder(label.as_bytes())
        {
            return decode(bytes);
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => decode_codepage(bytes, Some(1252)),
    }
}

/// Visible text of an HTML body, by the converter every reader uses: it keeps text after a
/// stray `<`, decodes entities without their semicolon, and keeps image alt text and mailto
/// addresses, because text a converter drops can neither be searched nor redacted.
pub(crate) fn html_to_text(html: &str) -> String {
    crate::ingest::textconv::html_to_text(html)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::mapi::message::read_core;
    use crate::ingest::mapi::test_support::{msg_stream as stream, Fake};
    use crate::ingest::model::Limits;

    #[test]
    fn html_bodies_convert_to_text() {
        // The corpus's only stored HTML body is an 8-bit string property.
        let Some(html) = stream("ruby-msg-qwerty_1-orig.msg", "/__substg1.0_1013001E") else {
            return;
        };
        let text = html_to_text(&decode_html_bytes(&html, None));
        assert!(
            text.contains("Charles Lowe\nData Analyst\nFreehills"),
            "{text:?}"
        );
        assert!(!text.contains('<') && !text.contains("DOCTYPE") && !text.contains("&nbsp"));
    }

    #[test]
    fn html_to_text_handles_markup_edges() {
        let html = "<html><head><title>T</title><style>p{x:1}</style></head><body>\
                    <script>var a = '<p>';</script><div>Jane</div><div>Smith&nbsp;&amp;&#233;&#x4E2D;</div>\
                    <table><tr><td>a</td><td>b</td></tr></table>x<br>y<!-- hidden <b>c</b> -->\
                    <p title=\"a > b\">quoted</p>&unknown; & done <i>lé</i></body></html>";
        let text = html_to_text(html);
        assert_eq!(
            text,
            "T\nJane\nSmith &é中\na\tb\nx\ny\nquoted\n&unknown; & done lé"
        );
        // Unterminated constructs end the text; they never panic.
        for s in [
            "<",
            "<a href=\"é",
            "é<!--",
            "&#xFFFFFFFF;",
            "<script>é",
            "a<b",
            "&",
            "<p>é",
        ] {
            let _ = html_to_text(s);
        }
    }

    #[test]
    fn body_falls_back_from_plain_to_html_to_rtf() {
        let limits = Limits::default();
        let mut p = Fake::default();
        p.binaries.insert(
            PR_HTML,
            "<p>Caf\u{e9} <b>menu</b></p>"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect(),
        );
        p.ints.insert(PR_INTERNET_CODEPAGE, 1200);
        let core = read_core(&mut p, &limits);
        assert_eq!(core.text, "Café menu");
        assert!(core.notes.iter().any(|n| n.contains("HTML")));

        let mut p = Fake::default();
        p.binaries.insert(PR_HTML, b"<p>Caf\xe9</p>".to_vec());
        p.ints.insert(PR_INTERNET_CODEPAGE, 1252);
        assert_eq!(read_core(&mut p, &limits).text, "Café");

        let Some(rtf) = stream("RtfSampleEmail.msg", "/__substg1.0_10090102") else {
            return;
        };
        let mut p = Fake::default();
        p.strings.insert(PR_BODY, " \r\n".into());
        p.binaries.insert(PR_RTF_COMPRESSED, rtf);
        let core = read_core(&mut p, &limits);
        assert!(core.text.contains("Genoa and Lucca"));
        assert!(core.notes.iter().any(|n| n.contains("RTF")));

        let mut p = Fake::default();
        p.binaries.insert(PR_RTF_COMPRESSED, vec![1, 2, 3]);
        let core = read_core(&mut p, &limits);
        assert_eq!(core.text, "");
        assert!(
            core.notes.iter().any(|n| n.contains("could not be read")),
            "{:?}",
            core.notes
        );
    }
}
