//! After glyphs are removed, the fonts must not remember them: a `ToUnicode` entry or a width
//! that only removed glyphs used tells a reader which characters the redacted text held and
//! how wide it was (the font-table side channel of PETS 2023). Such entries are dropped: the
//! `ToUnicode` map is rewritten without them and, in simple fonts, their widths are zeroed.
//! (Glyph outlines in an embedded subset font are left: they name shapes, not codes; cutting
//! them needs a font subsetter.)

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use lopdf::{Document, Object, ObjectId, Stream};

use super::fonts::{Font, FontKind};
use super::interpret::PageScan;
use super::layout::PagePlan;
use super::sanitize::Removal;

type Code = (u32, usize);

/// Drops font entries for codes that only removed glyphs used, across the whole document.
pub fn scrub_fonts(doc: &mut Document, pages: &[(&PageScan, &PagePlan)]) -> Vec<Removal> {
    let mut kept: HashMap<ObjectId, HashSet<Code>> = HashMap::new();
    let mut removed: HashMap<ObjectId, (HashSet<Code>, std::sync::Arc<Font>)> = HashMap::new();
    for (scan, plan) in pages {
        for (g, gone) in scan.glyphs.iter().zip(&plan.removed) {
            let Some(id) = g.font.id else { continue };
            let code = (g.code, g.code_len);
            if *gone {
                removed
                    .entry(id)
                    .or_insert_with(|| (HashSet::new(), g.font.clone()))
                    .0
                    .insert(code);
            } else {
                kept.entry(id).or_default().insert(code);
            }
        }
    }
    let mut log = Vec::new();
    for (id, (codes, font)) in removed {
        let empty = HashSet::new();
        let still = kept.get(&id).unwrap_or(&empty);
        let only_removed: HashSet<Code> = codes.difference(still).copied().collect();
        if only_removed.is_empty() {
            continue;
        }
        let mut did = Vec::new();
        if let Some(map) = &font.to_unicode {
            let entries: Vec<(u32, usize, &str)> = map
                .unicode_entries()
                .filter(|(c, l, _)| !only_removed.contains(&(*c, *l)))
                .collect();
            let stream_id = doc.add_object(Stream::new(
                lopdf::Dictionary::new(),
                to_unicode_cmap(&entries),
            ));
            if let Ok(dict) = doc.get_dictionary_mut(id) {
                dict.set("ToUnicode", Object::Reference(stream_id));
                did.push("ToUnicode entries");
            }
        }
        if font.kind != FontKind::Composite {
            if let Some(w) = zeroed_widths(doc, id, &only_removed) {
                if let Ok(dict) = doc.get_dictionary_mut(id) {
                    dict.set("Widths", w);
                    did.push("widths");
                }
            }
        }
        if !did.is_empty() {
            log.push(Removal {
                object: format!("font {} ({} {})", font.base_name, id.0, id.1),
                action: format!(
                    "{} of {} code(s) used only by redacted text removed",
                    did.join(" and "),
                    only_removed.len()
                ),
            });
        }
    }
    log
}

fn zeroed_widths(doc: &Document, id: ObjectId, codes: &HashSet<Code>) -> Option<Object> {
    let dict = doc.get_dictionary(id).ok()?;
    let first = dict
        .get(b"FirstChar")
        .ok()
        .and_then(super::objects::number)? as i64;
    let widths = match super::objects::get(doc, dict, b"Widths")? {
        Object::Array(a) => a.clone(),
        _ => return None,
    };
    let widths = widths
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            if codes.contains(&((first + i as i64) as u32, 1)) {
                Object::Integer(0)
            } else {
                w
            }
        })
        .collect();
    Some(Object::Array(widths))
}

fn to_unicode_cmap(entries: &[(u32, usize, &str)]) -> Vec<u8> {
    let mut entries: Vec<&(u32, usize, &str)> = entries.iter().collect();
    entries.sort();
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n",
    );
    let mut lens: Vec<usize> = entries.iter().map(|e| e.1).collect();
    lens.sort();
    lens.dedup();
    if lens.is_empty() {
        lens.push(1);
    }
    let _ = writeln!(s, "{} begincodespacerange", lens.len());
    for l in &lens {
        let _ = writeln!(s, "<{}> <{}>", "00".repeat(*l), "FF".repeat(*l));
    }
    s.push_str("endcodespacerange\n");
    for chunk in entries.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for (code, len, text) in chunk {
            let hex: String = text.encode_utf16().map(|u| format!("{u:04X}")).collect();
            let _ = writeln!(s, "<{:0width$X}> <{}>", code, hex, width = len * 2);
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::fonts::cmap::CMap;

    #[test]
    fn rewritten_cmap_round_trips() {
        let bytes =
            to_unicode_cmap(&[(0x41, 1, "A"), (0x0102, 2, "ffi"), (0x0103, 2, "\u{1D400}")]);
        let m = CMap::parse(&bytes);
        assert_eq!(m.unicode(0x41, 1), Some("A"));
        assert_eq!(m.unicode(0x0102, 2), Some("ffi"));
        assert_eq!(m.unicode(0x0103, 2), Some("\u{1D400}"));
        assert_eq!(m.unicode(0x42, 1), None);
    }
}
