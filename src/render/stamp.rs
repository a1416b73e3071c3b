//! Stamping the case reference and page numbers onto PDFs made elsewhere (the redaction
//! engine's output), so every page in a bundle carries them, not just the rendered ones.
//!
//! The existing content is wrapped in `q … Q` (with any unbalanced `q`/`Q` of its own evened
//! out first), so whatever graphics state it leaves behind cannot move, scale or recolour the
//! stamp, and the stamp cannot disturb it. The stamp uses Helvetica, a standard-14 font, so no
//! font is embedded; its text is limited to printable ASCII.

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::{RenderError, Rendered};

/// Helvetica advance widths (1/1000 em) for ASCII 32..=126, from the standard AFM.
const HELVETICA_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0..?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @..O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P.._
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `..o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p..~
];

const SIZE: f32 = 8.0;
/// Distance of the stamp's baseline from the visible bottom edge, and of its ends from the
/// sides: low and wide, to stay clear of the original page's own content.
const BASELINE: f32 = 18.0;
const SIDE: f32 = 36.0;
/// Nesting bound when walking up the page tree for inherited attributes.
const MAX_DEPTH: usize = 64;

/// Stamps every page of `pdf` with `reference` (bottom left) and "page N of M" (bottom right),
/// numbering from `first_page`. `M` is `total_pages` when given (for numbering across a
/// bundle), otherwise this document's last page number (`first_page - 1 + pages`).
///
/// The result keeps the original text and passes `qpdf --check`. An encrypted PDF is opened
/// only if it has an empty user password, and is written unencrypted. A stamped copy is one
/// that goes to a requester, so the document's metadata (the /Info dictionary and the XMP
/// stream: author, title, the program that made it) is left out.
pub fn stamp_pdf(
    pdf: &[u8],
    reference: &str,
    first_page: usize,
    total_pages: Option<usize>,
) -> Result<Rendered, RenderError> {
    let mut doc = crate::pdf::load(pdf).map_err(|e| RenderError::Stamp(e.to_string()))?;
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    let last = first_page.saturating_sub(1) + pages.len();
    let total = total_pages.unwrap_or(last);

    let font_id = doc.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"Type1".to_vec())),
        ("BaseFont", Object::Name(b"Helvetica".to_vec())),
        ("Encoding", Object::Name(b"WinAnsiEncoding".to_vec())),
    ]));
    let reference = ascii(reference);

    for (i, &page_id) in pages.iter().enumerate() {
        let number = first_page + i;
        stamp_page(
            &mut doc,
            page_id,
            font_id,
            &reference,
            &format!("page {number} of {total}"),
        )
        .map_err(|e| RenderError::Stamp(format!("page {number}: {e}")))?;
    }

    doc.trailer.remove(b"Info");
    if let Ok(catalog) = doc.catalog_mut() {
        catalog.remove(b"Metadata");
    }
    let bytes = save(&mut doc)?;
    Ok(Rendered {
        bytes,
        pages: pages.len(),
        replaced_chars: 0,
    })
}

fn stamp_page(
    doc: &mut Document,
    page_id: ObjectId,
    font_id: ObjectId,
    reference: &str,
    label: &str,
) -> Result<(), String> {
    let page = doc
        .get_dictionary(page_id)
        .map_err(|e| e.to_string())?
        .clone();
    let (llx, lly, urx, ury) = page_box(doc, &page)?;
    let rotate = inherited(doc, &page, b"Rotate")
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(0)
        .rem_euclid(360);
    let (w, h) = (urx - llx, ury - lly);
    // Maps the page as seen (rotated) onto user space, so the stamp reads upright at the
    // visible bottom whatever /Rotate says.
    let (matrix, seen_width) = match rotate {
        90 => ([0.0, 1.0, -1.0, 0.0, llx + w, lly], h),
        180 => ([-1.0, 0.0, 0.0, -1.0, llx + w, lly + h], w),
        270 => ([0.0, -1.0, 1.0, 0.0, llx, lly + h], h),
        _ => ([1.0, 0.0, 0.0, 1.0, llx, lly], w),
    };

    let font_name = resource_name(doc, &page)?;
    let old = doc.get_page_contents(page_id);
    let (open, close) = balance(doc, &old);

    let right_x = seen_width - SIDE - text_width(label);
    let stamp = format!(
        "\n{close}Q\nq {} cm\nBT /{font_name} {SIZE} Tf 0.25 g {SIDE} {BASELINE} Td {} Tj ET\nBT /{font_name} {SIZE} Tf 0.25 g {} {BASELINE} Td {} Tj ET\nQ\n",
        matrix.map(num).join(" "),
        literal(reference),
        num(right_x),
        literal(label),
    );
    let prefix = "q\n".repeat(open + 1);

    let mut pre = Stream::new(Dictionary::new(), prefix.into_bytes());
    let mut post = Stream::new(Dictionary::new(), stamp.into_bytes());
    // Compression of a few bytes can only fail on allocation; the stream stays valid uncompressed.
    let _ = pre.compress();
    let _ = post.compress();
    let pre_id = doc.add_object(pre);
    let post_id = doc.add_object(post);

    let mut contents = vec![Object::Reference(pre_id)];
    contents.extend(old.into_iter().map(Object::Reference));
    contents.push(Object::Reference(post_id));

    let mut resources = inherited(doc, &page, b"Resources")
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
        .cloned()
        .unwrap_or_default();
    let mut fonts = resources
        .get(b"Font")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
        .cloned()
        .unwrap_or_default();
    fonts.set(font_name.as_bytes().to_vec(), Object::Reference(font_id));
    resources.set("Font", fonts);

    let page = doc
        .get_object_mut(page_id)
        .and_then(Object::as_dict_mut)
        .map_err(|e| e.to_string())?;
    page.set("Contents", Object::Array(contents));
    page.set("Resources", resources);
    Ok(())
}

/// How many `q` the old content leaves open, and how many `Q` it has beyond its own `q`s:
/// returned as (extra `q` to prepend, `Q`s to append) so the wrapper always closes cleanly.
fn balance(doc: &Document, streams: &[ObjectId]) -> (usize, String) {
    let mut bytes = Vec::new();
    for id in streams {
        if let Ok(Object::Stream(s)) = doc.get_object(*id) {
            bytes.extend(
                s.decompressed_content()
                    .unwrap_or_else(|_| s.content.clone()),
            );
            bytes.push(b'\n');
        }
    }
    let Ok(content) = Content::decode(&bytes) else {
        return (0, String::new());
    };
    let (mut depth, mut underflow) = (0usize, 0usize);
    for op in &content.operations {
        match op.operator.as_str() {
            "q" => depth += 1,
            "Q" if depth == 0 => underflow += 1,
            "Q" => depth -= 1,
            _ => {}
        }
    }
    (underflow, "Q\n".repeat(depth))
}

/// The visible page area: CropBox if present, else MediaBox, inherited through the page tree.
fn page_box(doc: &Document, page: &Dictionary) -> Result<(f32, f32, f32, f32), String> {
    let boxed = inherited(doc, page, b"CropBox")
        .or_else(|| inherited(doc, page, b"MediaBox"))
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_array().ok())
        .ok_or("the page has no MediaBox")?;
    let n: Vec<f32> = boxed
        .iter()
        .filter_map(|o| doc.dereference(o).ok().and_then(|(_, o)| o.as_float().ok()))
        .collect();
    match n[..] {
        [a, b, c, d] => Ok((a.min(c), b.min(d), a.max(c), b.max(d))),
        _ => Err("the page's MediaBox is not four numbers".into()),
    }
}

fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..MAX_DEPTH {
        if let Ok(value) = node.get(key) {
            return Some(value);
        }
        let parent = node.get(b"Parent").ok()?;
        node = doc.dereference(parent).ok()?.1.as_dict().ok()?;
    }
    None
}

/// A font resource name not already used by the page.
fn resource_name(doc: &Document, page: &Dictionary) -> Result<String, String> {
    let fonts = inherited(doc, page, b"Resources")
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
        .and_then(|r| r.get(b"Font").ok())
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok());
    (0..1000)
        .map(|i| {
            if i == 0 {
                "DiscloseStamp".to_string()
            } else {
                format!("DiscloseStamp{i}")
            }
        })
        .find(|name| fonts.is_none_or(|f| !f.has(name.as_bytes())))
        .ok_or_else(|| "no free font resource name".to_string())
}

fn ascii(text: &str) -> String {
    text.chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .collect()
}

fn text_width(text: &str) -> f32 {
    let units: u32 = text
        .bytes()
        .map(|b| {
            u32::from(
                HELVETICA_WIDTHS
                    .get(usize::from(b.wrapping_sub(32)))
                    .copied()
                    .unwrap_or(556),
            )
        })
        .sum();
    units as f32 / 1000.0 * SIZE
}

/// A PDF literal string; `ascii` has already limited the text to printable ASCII.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('(');
    for c in text.chars() {
        if matches!(c, '(' | ')' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(')');
    out
}

/// Fixed-precision numbers, so output bytes do not depend on float formatting quirks.
fn num(v: f32) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn save(doc: &mut Document) -> Result<Vec<u8>, RenderError> {
    // A fresh trailer: the loaded one may describe a cross-reference stream or encryption that
    // no longer applies once lopdf writes a classic table.
    let mut trailer = Dictionary::new();
    for key in [&b"Root"[..], b"Info", b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key.to_vec(), v.clone());
        }
    }
    doc.trailer = trailer;
    doc.encryption_state = None;
    doc.max_id = doc.objects.keys().map(|id| id.0).max().unwrap_or(0);
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| RenderError::Stamp(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_afm() {
        assert_eq!(text_width("W"), 944.0 / 1000.0 * SIZE);
        assert_eq!(text_width("i"), 222.0 / 1000.0 * SIZE);
        assert_eq!(HELVETICA_WIDTHS.len(), 95);
    }

    #[test]
    fn literals_escape_and_numbers_are_short() {
        assert_eq!(literal(r"a(b)\c"), r"(a\(b\)\\c)");
        assert_eq!(ascii("SAR–Zoë"), "SAR?Zo?");
        assert_eq!(num(36.0), "36");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(12.3456), "12.346");
    }
}
