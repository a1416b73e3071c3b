//! PDFs in ingest: the text of every page as the redaction engine reads it (so what is searched
//! is exactly what can later be removed), and any embedded files as children.

use super::model::{Child, ChildContent, Input, ItemKind, Own, ReadError};
use crate::pdf::interpret::FontCache;
use crate::pdf::layout::plain_text;
use crate::pdf::objects::{get, get_array, resolve, stream_bytes};
use crate::pdf::PdfError;

pub fn read(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let doc = crate::pdf::load(input.bytes).map_err(|e| match e {
        PdfError::Encrypted => ReadError::Encrypted("PDF opens only with a password".into()),
        other => ReadError::Corrupt(other.to_string()),
    })?;
    let fonts = FontCache::default();
    let scans =
        crate::pdf::scan_pages(&doc, &fonts).map_err(|e| ReadError::Corrupt(e.to_string()))?;
    let mut own = Own::new(ItemKind::Pdf, String::new());
    for (num, _, scan) in &scans {
        if *num > 1 {
            own.text.push_str("\n\u{c}\n");
        }
        own.text.push_str(&plain_text(&scan.glyphs));
        if scan.glyphs.is_empty() && scan.images.iter().any(|i| i.bbox.area() > 1.0) {
            own.notes.push(format!(
                "page {num} is an image with no text layer: it cannot be searched"
            ));
        }
        if let Some(g) = scan.glyphs.iter().find(|g| g.unicode.is_none()) {
            own.notes.push(format!(
                "page {num}: font {} has codes with no Unicode mapping; some of its text cannot be searched",
                g.font.base_name
            ));
        }
    }
    embedded_files(&doc, emit);
    Ok(own)
}

/// Files attached to the document (the EmbeddedFiles name tree): they are items too.
fn embedded_files(doc: &lopdf::Document, emit: &mut dyn FnMut(Child)) {
    let Ok(catalog) = doc.catalog() else { return };
    let Some(names) = get(doc, catalog, b"Names").and_then(|o| o.as_dict().ok()) else {
        return;
    };
    let Some(tree) = get(doc, names, b"EmbeddedFiles").and_then(|o| o.as_dict().ok()) else {
        return;
    };
    let mut stack = vec![tree];
    let mut seen = 0usize;
    while let Some(node) = stack.pop() {
        seen += 1;
        if seen > 10_000 {
            return;
        }
        if let Some(kids) = get_array(doc, node, b"Kids") {
            stack.extend(kids.iter().filter_map(|k| resolve(doc, k).as_dict().ok()));
        }
        let Some(pairs) = get_array(doc, node, b"Names") else {
            continue;
        };
        for pair in pairs.chunks(2) {
            let [key, spec] = pair else { continue };
            let name = match resolve(doc, key) {
                lopdf::Object::String(s, _) => crate::pdf::objects::decode_text_string(s),
                _ => "attachment".to_string(),
            };
            let Ok(spec) = resolve(doc, spec).as_dict() else {
                continue;
            };
            let file_name = ["UF", "F"]
                .iter()
                .find_map(|k| match get(doc, spec, k.as_bytes()) {
                    Some(lopdf::Object::String(s, _)) => {
                        Some(crate::pdf::objects::decode_text_string(s))
                    }
                    _ => None,
                })
                .unwrap_or(name);
            let stream = get(doc, spec, b"EF")
                .and_then(|ef| ef.as_dict().ok())
                .and_then(|ef| get(doc, ef, b"F"))
                .and_then(|f| f.as_stream().ok());
            let content = match stream.map(stream_bytes) {
                Some(Ok(bytes)) => ChildContent::Bytes(bytes),
                Some(Err(e)) => ChildContent::Failed {
                    reason: format!("embedded file: {e}"),
                    hash_bytes: None,
                },
                None => ChildContent::Failed {
                    reason: "embedded file has no data".into(),
                    hash_bytes: None,
                },
            };
            emit(Child {
                levels: vec![file_name],
                content,
            });
        }
    }
}
