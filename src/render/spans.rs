//! Turning redaction ranges into spans, and cleaning text before layout.
//!
//! Redaction happens here, before any layout: the hidden text is dropped from the span list, so
//! it never reaches the shaper, the font subsetter or the PDF writer. What remains is a marker
//! carrying only the reason code.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

use super::Span;

/// Splits `text` into spans, replacing each byte range with a Redacted span.
///
/// Ranges may overlap or be unsorted; overlapping or touching ranges are merged into one box
/// (the code of the earliest-starting range wins), because two adjacent boxes would hint at the
/// number of hidden words. Range ends beyond the text are clamped, and ranges that do not fall
/// on character boundaries are widened outwards to the enclosing characters: widening can
/// only hide more, never leak part of a character's bytes.
pub fn spans_with_redactions(text: &str, redactions: &[(Range<usize>, String)]) -> Vec<Span> {
    let mut ranges: Vec<(Range<usize>, &str)> = redactions
        .iter()
        .filter_map(|(range, code)| {
            let start = floor_char_boundary(text, range.start.min(text.len()));
            let end = ceil_char_boundary(text, range.end.min(text.len()));
            (start < end).then_some((start..end, code.as_str()))
        })
        .collect();
    ranges.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)));

    let mut merged: Vec<(Range<usize>, &str)> = Vec::with_capacity(ranges.len());
    for (range, code) in ranges {
        match merged.last_mut() {
            Some((last, _)) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push((range, code)),
        }
    }

    let mut spans = Vec::with_capacity(merged.len() * 2 + 1);
    let mut at = 0;
    for (range, code) in merged {
        if range.start > at {
            spans.push(Span::Text(text[at..range.start].to_string()));
        }
        spans.push(Span::Redacted {
            code: code.to_string(),
        });
        at = range.end;
    }
    if at < text.len() {
        spans.push(Span::Text(text[at..].to_string()));
    }
    spans
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Prepares text for layout: NFC (so "e" + combining marks uses the font's precomposed glyph),
/// tabs to four spaces, and control and bidi-override characters dropped. Bidi overrides are
/// dropped because they can make the drawn order differ from the extracted order, which would
/// confuse the independent leak check. Newlines are kept; callers decide what they mean.
pub(crate) fn clean_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfc() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            // CR of CRLF is dropped; a lone CR is a line break in old Mac mail.
            '\r' => {}
            c if is_dropped(c) => {}
            c => out.push(c),
        }
    }
    out
}

fn is_dropped(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{200E}' | '\u{200F}')
}

/// Normalises line endings so that CRLF and lone CR both become LF before [`clean_text`].
pub(crate) fn normalise_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(spans: &[Span]) -> Vec<String> {
        spans
            .iter()
            .map(|s| match s {
                Span::Text(t) => format!("T:{t}"),
                Span::Redacted { code } => format!("R:{code}"),
            })
            .collect()
    }

    #[test]
    fn hidden_text_is_dropped_and_code_kept() {
        let text = "Sam hit Jordan Smith at lunch";
        let spans = spans_with_redactions(text, &[(8..20, "THIRD-PARTY".into())]);
        assert_eq!(
            texts(&spans),
            ["T:Sam hit ", "R:THIRD-PARTY", "T: at lunch"]
        );
    }

    #[test]
    fn overlapping_unsorted_ranges_merge_into_one_box() {
        let text = "abcdefghij";
        let spans = spans_with_redactions(
            text,
            &[
                (6..8, "B".into()),
                (1..4, "A".into()),
                (3..5, "C".into()),
                (5..6, "D".into()),
            ],
        );
        assert_eq!(texts(&spans), ["T:a", "R:A", "T:ij"]);
    }

    #[test]
    fn ranges_at_edges_and_out_of_bounds() {
        let spans = spans_with_redactions("hello", &[(0..2, "X".into()), (4..99, "Y".into())]);
        assert_eq!(texts(&spans), ["R:X", "T:ll", "R:Y"]);
        assert!(spans_with_redactions("", &[(0..3, "X".into())]).is_empty());
        assert_eq!(
            texts(&spans_with_redactions("hi", &[(1..1, "X".into())])),
            ["T:hi"]
        );
    }

    #[test]
    fn ranges_inside_a_character_widen_to_hide_all_of_it() {
        // "Zoë" — 'ë' is two bytes (2..4); a range ending mid-character must hide it all.
        let spans = spans_with_redactions("Zoë x", &[(1..3, "X".into())]);
        assert_eq!(texts(&spans), ["T:Z", "R:X", "T: x"]);
    }

    #[test]
    fn cleaning_drops_controls_and_composes() {
        let decomposed = "Nguye\u{0302}\u{0303}n\u{0007}\u{202E}\tx\u{FEFF}";
        assert_eq!(clean_text(decomposed), "Nguyễn    x");
        assert_eq!(normalise_newlines("a\r\nb\rc"), "a\nb\nc");
    }
}
