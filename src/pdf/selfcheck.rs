//! The engine's own last look at what it wrote, before anything leaves it: the output is
//! parsed afresh, every page re-interpreted and searched, and every string and every
//! decodable non-image, non-font stream scanned for the terms. Anything found fails the file.
//! (Tests check outputs again with an independent extractor; this check is the engine's
//! guarantee at run time.)

use lopdf::{Document, Object};

use super::interpret::{FontCache, Interpreter};
use super::layout::find_terms;
use super::objects::{decode_text_string, get_name, stream_bytes};
use super::sanitize::xml_text;
use crate::text::TermSet;

/// Describes the first residue found, if any.
pub fn find_residue(pdf: &[u8], terms: &TermSet) -> Result<Option<String>, String> {
    let doc = Document::load_mem(pdf).map_err(|e| format!("the output does not parse: {e}"))?;
    let fonts = FontCache::default();
    for (num, id) in doc.get_pages() {
        let scan = Interpreter::new(&doc, &fonts)
            .scan_page(id)
            .map_err(|e| format!("page {num} of the output cannot be read: {e}"))?;
        if let Some((_, _, term)) = find_terms(&scan.glyphs, terms).first() {
            return Ok(Some(format!(
                "page {num} still shows {:?}",
                terms.original(*term)
            )));
        }
    }
    for (id, obj) in &doc.objects {
        if let Some(key) = string_with_term(obj, terms) {
            return Ok(Some(format!(
                "object {} {} holds a term in /{key}",
                id.0, id.1
            )));
        }
        if let Object::Stream(s) = obj {
            let skip = matches!(
                get_name(&doc, &s.dict, b"Subtype"),
                Some(b"Image" | b"Type1C" | b"CIDFontType0C" | b"OpenType")
            ) || s.dict.has(b"Length1")
                || s.dict.has(b"Length2");
            if skip {
                continue;
            }
            let Ok(bytes) = stream_bytes(s) else { continue };
            // One reading covers XML (metadata: UTF-8 with character references) and content
            // or script streams (literal strings with escapes, in any single-byte encoding).
            let text = match std::str::from_utf8(&bytes) {
                Ok(utf8) => xml_text(utf8),
                Err(_) => bytes.iter().map(|&b| b as char).collect(),
            };
            if terms.occurs_in(&literal_strings(&text)) {
                return Ok(Some(format!(
                    "stream object {} {} holds a term",
                    id.0, id.1
                )));
            }
        }
    }
    Ok(None)
}

fn string_with_term(obj: &Object, terms: &TermSet) -> Option<String> {
    match obj {
        Object::String(s, _) => terms.occurs_in(&decode_text_string(s)).then(String::new),
        Object::Array(a) => a.iter().find_map(|o| string_with_term(o, terms)),
        Object::Dictionary(d) => d.iter().find_map(|(k, v)| {
            string_with_term(v, terms).map(|inner| {
                if inner.is_empty() {
                    String::from_utf8_lossy(k).into_owned()
                } else {
                    inner
                }
            })
        }),
        Object::Stream(s) => string_with_term(&Object::Dictionary(s.dict.clone()), terms),
        _ => None,
    }
}

/// Stream text with PDF literal-string escapes undone, so `(Jay\)den)` reads as written.
fn literal_strings(s: &str) -> String {
    s.replace("\\(", "(")
        .replace("\\)", ")")
        .replace("\\\\", "\\")
}
