//! Inline images (`BI … ID <data> EI`) kept byte for byte.
//!
//! lopdf cannot decode an inline image with a filter (ReportLab writes them for every small
//! logo) and drops it from the parsed operators, so a rewritten page would lose the image and
//! a re-parse would fail. Before parsing, each inline image is cut out of the content stream
//! and replaced by a placeholder `Do` of a reserved name; after the rewrite, the placeholders
//! are replaced by the original bytes. The interpreter treats a placeholder as an image drawn
//! at the current transformation, so images under redacted text are still reported.

/// Names of placeholder XObjects: `/DiscloseInlineImage0 Do`, `/DiscloseInlineImage1 Do`, ...
pub const PLACEHOLDER: &str = "DiscloseInlineImage";

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | 0)
}

fn is_delim(b: u8) -> bool {
    is_white(b)
        || matches!(
            b,
            b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
        )
}

/// End of a literal string starting at `i` (just past its closing parenthesis).
fn skip_string(data: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < data.len() {
        match data[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    data.len()
}

/// Finds `EI` standing alone after the image data starting at `from`.
fn find_ei(data: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 2 <= data.len() {
        if data[i] == b'E'
            && data.get(i + 1) == Some(&b'I')
            && i > from
            && is_white(data[i - 1])
            && data.get(i + 2).is_none_or(|&b| is_delim(b))
        {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The content with inline images replaced by placeholders, and the images' original bytes.
pub fn cut(data: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut out = Vec::with_capacity(data.len());
    let mut images = Vec::new();
    let mut i = 0;
    let mut copied = 0;
    while i < data.len() {
        match data[i] {
            b'%' => {
                while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => i = skip_string(data, i),
            b'<' if data.get(i + 1) == Some(&b'<') => i += 2,
            b'<' => {
                while i < data.len() && data[i] != b'>' {
                    i += 1;
                }
                i += 1;
            }
            b if is_delim(b) => i += 1,
            _ => {
                let start = i;
                while i < data.len() && !is_delim(data[i]) {
                    i += 1;
                }
                if &data[start..i] != b"BI" {
                    continue;
                }
                // The image dictionary runs to the ID keyword; the data starts one byte later.
                let mut j = i;
                let mut id_end = None;
                while j < data.len() {
                    match data[j] {
                        b'(' => j = skip_string(data, j),
                        b'I' if data.get(j + 1) == Some(&b'D')
                            && is_white(data[j - 1])
                            && data.get(j + 2).is_none_or(|&b| is_white(b)) =>
                        {
                            id_end = Some(j + 2);
                            break;
                        }
                        _ => j += 1,
                    }
                }
                let Some(id_end) = id_end else { break };
                let data_start = (id_end + 1).min(data.len());
                let Some(ei) = find_ei(data, data_start) else {
                    break;
                };
                let end = ei + 2;
                out.extend_from_slice(&data[copied..start]);
                out.extend_from_slice(format!(" /{PLACEHOLDER}{} Do ", images.len()).as_bytes());
                images.push(data[start..end].to_vec());
                copied = end;
                i = end;
            }
        }
    }
    out.extend_from_slice(&data[copied..]);
    (out, images)
}

/// Puts the original inline images back in place of their placeholders.
pub fn restore(encoded: &[u8], images: &[Vec<u8>]) -> Vec<u8> {
    if images.is_empty() {
        return encoded.to_vec();
    }
    let mut out = Vec::with_capacity(encoded.len() + images.iter().map(Vec::len).sum::<usize>());
    let needle = format!("/{PLACEHOLDER}");
    let needle = needle.as_bytes();
    let mut i = 0;
    while i < encoded.len() {
        if encoded[i..].starts_with(needle) {
            let num_start = i + needle.len();
            let mut k = num_start;
            while k < encoded.len() && encoded[k].is_ascii_digit() {
                k += 1;
            }
            let index = std::str::from_utf8(&encoded[num_start..k])
                .ok()
                .and_then(|n| n.parse::<usize>().ok());
            // Followed by its `Do` operator.
            let mut d = k;
            while d < encoded.len() && is_white(encoded[d]) {
                d += 1;
            }
            if let (Some(img), true) = (
                index.and_then(|n| images.get(n)),
                encoded[d..].starts_with(b"Do"),
            ) {
                out.extend_from_slice(img);
                i = d + 2;
                continue;
            }
        }
        out.push(encoded[i]);
        i += 1;
    }
    out
}

/// The placeholder index in a `Do` operand, if it is one.
pub fn placeholder_index(name: &[u8]) -> Option<usize> {
    std::str::from_utf8(name.strip_prefix(PLACEHOLDER.as_bytes())?)
        .ok()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_and_restores_filtered_inline_images() {
        let content = b"BT (BI ID EI) Tj ET\nq 20 0 0 20 72 600 cm\nBI\n/W 8 /H 8 /BPC 8 /CS /RGB /F [/A85 /Fl]\nID\nGapk3`H>W<,67)s2ZW~>\nEI\nQ\n";
        let (cut_bytes, images) = cut(content);
        assert_eq!(images.len(), 1, "the string (BI ID EI) is not an image");
        assert!(images[0].starts_with(b"BI\n/W 8") && images[0].ends_with(b"~>\nEI"));
        let text = String::from_utf8_lossy(&cut_bytes);
        assert!(
            text.contains("/DiscloseInlineImage0 Do") && !text.contains("Gapk3"),
            "{text}"
        );
        let ops = lopdf::content::Content::decode_strict(&cut_bytes)
            .expect("parses once the image is out");
        let encoded = lopdf::content::Content {
            operations: ops.operations,
        }
        .encode()
        .unwrap();
        let back = restore(&encoded, &images);
        assert!(back
            .windows(images[0].len())
            .any(|w| w == images[0].as_slice()));
        assert_eq!(placeholder_index(b"DiscloseInlineImage0"), Some(0));
        assert_eq!(placeholder_index(b"Im0"), None);
    }
}
