//! Redacting PDF text strings (metadata values, bookmark titles, `/Alt`, `/ActualText`,
//! URIs, field values): the matched words are replaced by a marker, the rest kept.

use super::objects::{decode_text_string, encode_text_string};
use crate::text::{MappedText, TermSet};

pub const MARKER: &str = "[REDACTED]";

/// `text` with every term occurrence replaced by [`MARKER`], or `None` if no term occurs.
pub fn redact_str(text: &str, terms: &TermSet) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut mapped = MappedText::new();
    let mut buf = [0u8; 4];
    for (i, c) in chars.iter().enumerate() {
        mapped.push(c.encode_utf8(&mut buf), i as u32);
    }
    let mut spans: Vec<(usize, usize)> = terms
        .find_all(&mapped.text)
        .into_iter()
        .filter_map(|m| mapped.origin_span(m.start, m.end))
        .map(|(a, b)| (a as usize, b as usize))
        .collect();
    if spans.is_empty() {
        return None;
    }
    spans.sort();
    let mut out = String::new();
    let mut i = 0;
    for (a, b) in spans {
        if a < i {
            i = i.max(b + 1);
            continue;
        }
        out.extend(&chars[i..a]);
        out.push_str(MARKER);
        i = b + 1;
    }
    out.extend(&chars[i.min(chars.len())..]);
    Some(out)
}

/// Raw PDF string bytes redacted, re-encoded; `None` if no term occurs.
pub fn redact_text_string(bytes: &[u8], terms: &TermSet) -> Option<Vec<u8>> {
    redact_str(&decode_text_string(bytes), terms).map(|s| encode_text_string(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_the_terms() {
        let terms = TermSet::new(["Jayden Okafor", "Okafor"]).unwrap();
        assert_eq!(
            redact_str("Incident: JAYDEN  Okafor and Mr Okafor's car", &terms).as_deref(),
            Some("Incident: [REDACTED] and Mr [REDACTED]'s car")
        );
        assert_eq!(redact_str("Okaforth", &terms), None);
        let bytes = redact_text_string(&encode_text_string("Zoë Okafor"), &terms).unwrap();
        assert_eq!(decode_text_string(&bytes), "Zoë [REDACTED]");
    }
}
