//! Everything outside the page content where a PDF can hold text: document information,
//! XMP, annotations and their appearances, form fields, bookmarks, link targets, structure
//! tree, embedded files, thumbnails, JavaScript, application data. Where a term can be cut out
//! of a string it is; where it cannot (an appearance stream, an attachment, XMP), the whole
//! object goes, and every action is reported.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

use super::fonts::FontKind;
use super::interpret::{decode_ops, FontCache, Interpreter};
use super::layout::page_text;
use super::objects::{decode_text_string, get_dict, get_name, resolve, stream_bytes};
use super::strings::redact_text_string;
use crate::text::TermSet;

/// One thing removed or changed outside the page content.
#[derive(Debug, Clone)]
pub struct Removal {
    pub object: String,
    pub action: String,
}

fn removal(object: impl Into<String>, action: impl Into<String>) -> Removal {
    Removal {
        object: object.into(),
        action: action.into(),
    }
}

/// Keys that hold private application data or copies of the document (never needed to
/// view it, and able to hold any text): always dropped.
const ALWAYS_DROP: &[&[u8]] = &[
    b"PieceInfo",
    b"Thumb",
    b"AF",
    b"EmbeddedFiles",
    b"Collection",
];

pub fn sanitize(doc: &mut Document, terms: &TermSet, fonts: &FontCache) -> Vec<Removal> {
    let mut log = Vec::new();
    annotations(doc, terms, fonts, &mut log);
    drop_always(doc, &mut log);
    metadata_and_scripts(doc, terms, &mut log);
    strings(doc, terms, &mut log);
    log
}

/// Text an appearance (or any form) stream draws, if it can be read.
fn stream_text(doc: &Document, fonts: &FontCache, id: ObjectId) -> Result<String, String> {
    let Ok(Object::Stream(s)) = doc.get_object(id) else {
        return Ok(String::new());
    };
    let (ops, _) = decode_ops(&stream_bytes(s)?).map_err(|e| e.to_string())?;
    let resources = get_dict(doc, &s.dict, b"Resources");
    let scan = Interpreter::new(doc, fonts)
        .scan_stream(ops, resources)
        .map_err(|e| e.to_string())?;
    if let Some(g) = scan
        .glyphs
        .iter()
        .find(|g| g.unicode.is_none() && g.font.kind != FontKind::Type3)
    {
        return Err(format!("font {} has unmapped codes", g.font.base_name));
    }
    Ok(page_text(&scan.glyphs).text)
}

/// Appearance stream ids of an annotation (`/AP /N /R /D`, each a stream or a state dict).
fn appearance_streams(doc: &Document, annot: &Dictionary) -> Vec<ObjectId> {
    let mut ids = Vec::new();
    let Some(ap) = get_dict(doc, annot, b"AP") else {
        return ids;
    };
    for key in [&b"N"[..], b"R", b"D"] {
        match ap.get(key) {
            Ok(Object::Reference(id)) => match doc.get_object(*id) {
                Ok(Object::Stream(_)) => ids.push(*id),
                Ok(Object::Dictionary(states)) => {
                    ids.extend(states.iter().filter_map(|(_, v)| v.as_reference().ok()))
                }
                _ => {}
            },
            Ok(Object::Dictionary(states)) => {
                ids.extend(states.iter().filter_map(|(_, v)| v.as_reference().ok()))
            }
            _ => {}
        }
    }
    ids
}

fn dict_strings_have_term(dict: &Dictionary, terms: &TermSet) -> bool {
    dict.iter().any(|(_, v)| match v {
        Object::String(s, _) => terms.occurs_in(&decode_text_string(s)),
        _ => false,
    })
}

fn annotations(doc: &mut Document, terms: &TermSet, fonts: &FontCache, log: &mut Vec<Removal>) {
    let pages: Vec<(u32, ObjectId)> = doc.get_pages().into_iter().collect();
    let mut cleared_fields = false;
    for (num, page_id) in pages {
        let Ok(page) = doc.get_dictionary(page_id) else {
            continue;
        };
        let annots: Vec<Object> = match page.get(b"Annots").ok().map(|o| resolve(doc, o)) {
            Some(Object::Array(a)) => a.clone(),
            _ => continue,
        };
        let mut keep = Vec::new();
        let mut dropped: HashSet<ObjectId> = HashSet::new();
        let mut clear: Vec<ObjectId> = Vec::new();
        for a in &annots {
            let Object::Dictionary(annot) = resolve(doc, a) else {
                continue;
            };
            let subtype = get_name(doc, annot, b"Subtype")
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .unwrap_or_default();
            let what = format!("page {num} {subtype} annotation");
            if subtype == "FileAttachment" {
                log.push(removal(what, "removed: carries an embedded file"));
                if let Ok(id) = a.as_reference() {
                    dropped.insert(id);
                }
                continue;
            }
            let mut hit = dict_strings_have_term(annot, terms);
            let mut unreadable = None;
            for id in appearance_streams(doc, annot) {
                match stream_text(doc, fonts, id) {
                    Ok(t) => hit |= !terms.find_all(&t).is_empty(),
                    Err(e) => unreadable = Some(e),
                }
            }
            if subtype == "Widget" {
                let field_hit = hit || field_chain_has_term(doc, annot, terms);
                if field_hit || unreadable.is_some() {
                    if let Ok(id) = a.as_reference() {
                        clear.push(id);
                    }
                    log.push(removal(what, "form field value and appearance cleared"));
                }
                keep.push(a.clone());
                continue;
            }
            if subtype == "Link" && unreadable.is_none() && get_dict(doc, annot, b"AP").is_none() {
                keep.push(a.clone());
                continue;
            }
            if hit || unreadable.is_some() {
                let why = match unreadable {
                    Some(e) if !hit => format!("removed: its appearance could not be read ({e})"),
                    _ => "removed: contained a redacted term".to_string(),
                };
                log.push(removal(what, why));
                if let Ok(id) = a.as_reference() {
                    dropped.insert(id);
                }
                if let Ok(Object::Reference(p)) = annot.get(b"Popup") {
                    dropped.insert(*p);
                }
                continue;
            }
            keep.push(a.clone());
        }
        keep.retain(|a| a.as_reference().map_or(true, |id| !dropped.contains(&id)));
        for id in clear {
            clear_field(doc, id);
            cleared_fields = true;
        }
        if keep.len() != annots.len() {
            if let Ok(page) = doc.get_dictionary_mut(page_id) {
                page.set("Annots", Object::Array(keep));
            }
        }
    }
    if cleared_fields {
        if let Ok(catalog) = doc.catalog() {
            if let Ok(Object::Reference(id)) = catalog.get(b"AcroForm").cloned() {
                if let Ok(form) = doc.get_dictionary_mut(id) {
                    form.set("NeedAppearances", Object::Boolean(true));
                }
            }
        }
    }
}

fn field_chain_has_term(doc: &Document, annot: &Dictionary, terms: &TermSet) -> bool {
    let mut node = Some(annot);
    for _ in 0..32 {
        let Some(d) = node else { return false };
        if dict_strings_have_term(d, terms) {
            return true;
        }
        node = get_dict(doc, d, b"Parent");
    }
    false
}

/// Empties a widget's field value (up the field tree) and drops its appearance.
fn clear_field(doc: &mut Document, widget: ObjectId) {
    let mut id = Some(widget);
    for _ in 0..32 {
        let Some(cur) = id else { break };
        let Ok(d) = doc.get_dictionary_mut(cur) else {
            break;
        };
        if d.has(b"V") {
            d.set("V", Object::String(Vec::new(), StringFormat::Literal));
        }
        d.remove(b"DV");
        d.remove(b"AP");
        d.remove(b"RV");
        id = d.get(b"Parent").ok().and_then(|p| p.as_reference().ok());
    }
}

fn drop_always(doc: &mut Document, log: &mut Vec<Removal>) {
    let ids: Vec<ObjectId> = doc.objects.keys().copied().collect();
    for id in ids {
        let Some(obj) = doc.objects.get_mut(&id) else {
            continue;
        };
        let dict = match obj {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &mut s.dict,
            _ => continue,
        };
        for key in ALWAYS_DROP {
            if dict.remove(key).is_some() {
                log.push(removal(
                    format!("object {} {}", id.0, id.1),
                    format!("/{} removed", String::from_utf8_lossy(key)),
                ));
            }
        }
        // A Names dictionary's EmbeddedFiles was dropped above; a JavaScript action is checked later.
    }
    // Also the catalog's own Names tree may be a direct dictionary inside the catalog.
    if let Ok(root) = doc.trailer.get(b"Root").and_then(Object::as_reference) {
        if let Ok(catalog) = doc.get_dictionary_mut(root) {
            if let Ok(Object::Dictionary(names)) = catalog.get_mut(b"Names") {
                if names.remove(b"EmbeddedFiles").is_some() {
                    log.push(removal("catalog", "/EmbeddedFiles removed"));
                }
            }
        }
    }
}

/// XMP metadata and JavaScript/XFA streams: text in them cannot be cut out safely, so a
/// stream with a term goes whole.
fn metadata_and_scripts(doc: &mut Document, terms: &TermSet, log: &mut Vec<Removal>) {
    let mut doomed: HashSet<ObjectId> = HashSet::new();
    for (id, obj) in &doc.objects {
        let Object::Stream(s) = obj else { continue };
        let is_text = matches!(
            get_name(doc, &s.dict, b"Type"),
            Some(b"Metadata" | b"EmbeddedFile")
        ) || matches!(get_name(doc, &s.dict, b"Subtype"), Some(b"XML"))
            || s.dict.get(b"Subtype").is_err()
                && s.dict.get(b"Type").is_err()
                && !s.dict.has(b"Length1");
        if !is_text {
            continue;
        }
        let Ok(bytes) = stream_bytes(s) else { continue };
        if is_content_like(&bytes) {
            continue;
        }
        let text = xml_text(&String::from_utf8_lossy(&bytes));
        if terms.occurs_in(&text) {
            doomed.insert(*id);
        }
    }
    if doomed.is_empty() {
        return;
    }
    let ids: Vec<ObjectId> = doc.objects.keys().copied().collect();
    for id in ids {
        let Some(obj) = doc.objects.get_mut(&id) else {
            continue;
        };
        let dict = match obj {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &mut s.dict,
            _ => continue,
        };
        let keys: Vec<Vec<u8>> = dict
            .iter()
            .filter(|(_, v)| v.as_reference().is_ok_and(|r| doomed.contains(&r)))
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            dict.remove(&k);
            log.push(removal(
                format!("object {} {}", id.0, id.1),
                format!(
                    "/{} removed: its stream contained a redacted term",
                    String::from_utf8_lossy(&k)
                ),
            ));
        }
    }
    for id in doomed {
        doc.objects.remove(&id);
    }
}

/// Content streams are handled by the rewriter, not here.
fn is_content_like(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(2048)];
    head.windows(3)
        .any(|w| w == b" Tf" || w == b" Tj" || w == b" TJ" || w == b" re" || w == b" cm")
        && !head.starts_with(b"<?xpacket")
        && !head.starts_with(b"<x:xmpmeta")
}

/// XML with character references decoded, so `Jayden&#32;Okafor` still matches.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.bytes().take(12).position(|b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..end];
        let c = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every string in every dictionary and array: the Info dictionary, bookmarks, URIs,
/// structure-tree `/Alt` and `/ActualText`, JavaScript strings, property lists.
fn strings(doc: &mut Document, terms: &TermSet, log: &mut Vec<Removal>) {
    fn walk(obj: &mut Object, terms: &TermSet, key: &[u8], hits: &mut Vec<String>) {
        match obj {
            Object::String(s, _) => {
                if let Some(new) = redact_text_string(s, terms) {
                    *s = new;
                    hits.push(String::from_utf8_lossy(key).into_owned());
                }
            }
            Object::Array(a) => a.iter_mut().for_each(|o| walk(o, terms, key, hits)),
            Object::Dictionary(d) => d.iter_mut().for_each(|(k, v)| {
                let k = k.clone();
                walk(v, terms, &k, hits)
            }),
            Object::Stream(s) => s.dict.iter_mut().for_each(|(k, v)| {
                let k = k.clone();
                walk(v, terms, &k, hits)
            }),
            _ => {}
        }
    }
    for (id, obj) in doc.objects.iter_mut() {
        let mut hits = Vec::new();
        walk(obj, terms, b"", &mut hits);
        for key in hits {
            log.push(removal(
                format!("object {} {}", id.0, id.1),
                format!("term cut from the /{key} string"),
            ));
        }
    }
    // The Info dictionary may be direct in the trailer.
    if let Ok(Object::Dictionary(info)) = doc.trailer.get_mut(b"Info") {
        for (k, v) in info.iter_mut() {
            if let Object::String(s, _) = v {
                if let Some(new) = redact_text_string(s, terms) {
                    *s = new;
                    log.push(removal(
                        "document information",
                        format!("term cut from /{}", String::from_utf8_lossy(k)),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_entities_are_decoded() {
        assert_eq!(
            xml_text("Jayden&#32;Ok&#x61;for &amp; co &bogus;"),
            "Jayden Okafor & co &bogus;"
        );
    }
}
