//! One PDF through the engine: load, interpret every page in parallel, find the terms, remove
//! their glyphs, draw the boxes, clean every other channel, write afresh, check the result.

use std::collections::HashMap;

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};
use rayon::prelude::*;

use super::fonts::FontKind;
use super::geom::Rect;
use super::interpret::{FontCache, Interpreter, PageScan, ScanError, SiteKind};
use super::layout::{plan, PagePlan, PlannedBox};
use super::objects::resolve;
use super::rewrite::{marked_content_has_term, rewrite_site, show_is_touched, SiteEdits};
use super::sanitize::{sanitize, Removal};
use super::{selfcheck, write};
use crate::text::TermSet;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "the PDF is encrypted and needs a password to open; ask the sender for an unprotected copy"
    )]
    Encrypted,
    #[error("not a readable PDF: {0}")]
    Load(String),
    #[error("page {page}: {source}")]
    Page { page: u32, source: ScanError },
    #[error("page {page}: font {font} draws codes with no Unicode mapping ({codes}); its text cannot be searched with certainty")]
    Unmapped {
        page: u32,
        font: String,
        codes: String,
    },
    #[error("page {page}: font {font} has no glyph widths, so text after a redaction could not be kept in place")]
    NoWidths { page: u32, font: String },
    #[error("after redaction {0}; the output was withheld")]
    Residue(String),
    #[error("cannot write the redacted PDF: {0}")]
    Write(String),
}

impl PdfError {
    /// The page the error is about, when it is about one.
    pub fn page(&self) -> Option<u32> {
        match self {
            PdfError::Page { page, .. }
            | PdfError::Unmapped { page, .. }
            | PdfError::NoWidths { page, .. } => Some(*page),
            _ => None,
        }
    }
}

/// One box drawn where text was removed.
#[derive(Debug, Clone)]
pub struct Redaction {
    pub page: u32,
    pub text: String,
    pub term: String,
    pub rect: Rect,
}

/// Something a person must look at: the engine cannot vouch for it.
#[derive(Debug, Clone)]
pub struct Review {
    pub page: Option<u32>,
    pub reason: String,
}

#[derive(Debug)]
pub struct RedactedPdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
    pub glyphs_removed: usize,
    pub redactions: Vec<Redaction>,
    pub removals: Vec<Removal>,
    pub reviews: Vec<Review>,
}

/// Opens a PDF, decrypting it when it opens with the empty user password.
pub fn load(input: &[u8]) -> Result<Document, PdfError> {
    let mut doc = Document::load_mem(input).map_err(|e| match e {
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => PdfError::Encrypted,
        other => PdfError::Load(other.to_string()),
    })?;
    if doc.is_encrypted() {
        doc.decrypt("").map_err(|_| PdfError::Encrypted)?;
        doc.trailer.remove(b"Encrypt");
    }
    if doc.get_pages().is_empty() {
        return Err(PdfError::Load(
            "no pages found (broken page tree or wrong password)".into(),
        ));
    }
    Ok(doc)
}

/// Interprets every page, in parallel.
pub fn scan_pages(
    doc: &Document,
    fonts: &FontCache,
) -> Result<Vec<(u32, ObjectId, PageScan)>, PdfError> {
    let pages: Vec<(u32, ObjectId)> = doc.get_pages().into_iter().collect();
    pages
        .par_iter()
        .map(|&(num, id)| {
            Interpreter::new(doc, fonts)
                .scan_page(id)
                .map(|s| (num, id, s))
                .map_err(|source| PdfError::Page { page: num, source })
        })
        .collect()
}

pub fn redact_pdf(input: &[u8], terms: &TermSet) -> Result<RedactedPdf, PdfError> {
    redact_pdf_with_regions(input, terms, &[])
}

/// The term used in the log for a box a person drew (a region of a page) rather than a term.
pub const REGION_TERM: &str = "(region)";

/// [`redact_pdf`] plus regions a person marked: every glyph whose box lies mostly inside a
/// region (page, rectangle in user space) goes, and the region is drawn as a box whether or
/// not text was under it (a signature or a photo is covered; see the review for images).
pub fn redact_pdf_with_regions(
    input: &[u8],
    terms: &TermSet,
    regions: &[(u32, Rect)],
) -> Result<RedactedPdf, PdfError> {
    let mut doc = load(input)?;
    let fonts = FontCache::default();
    let scans = scan_pages(&doc, &fonts)?;

    for (num, _, scan) in &scans {
        check_mapped(*num, scan)?;
    }
    let plans: Vec<PagePlan> = scans
        .par_iter()
        .map(|(num, _, s)| {
            let mut p = plan(&s.glyphs, terms);
            for (_, rect) in regions.iter().filter(|(page, _)| page == num) {
                add_region(&mut p, &s.glyphs, *rect);
            }
            p
        })
        .collect();

    let mut redactions = Vec::new();
    let mut reviews = Vec::new();
    let mut glyphs_removed = 0;
    for ((num, page_id, scan), plan) in scans.iter().zip(&plans) {
        for show in scan
            .shows
            .iter()
            .filter(|s| show_is_touched(s, &plan.removed))
        {
            if let Some(g) = show.items.iter().find_map(|i| match i {
                super::interpret::ShowItem::Glyph { glyph, .. } => Some(&scan.glyphs[*glyph]),
                _ => None,
            }) {
                if !g.font.widths_known {
                    return Err(PdfError::NoWidths {
                        page: *num,
                        font: g.font.base_name.clone(),
                    });
                }
            }
        }
        reviews.extend(page_reviews(*num, scan, plan));
        glyphs_removed += plan.removed_count();
        for b in &plan.boxes {
            redactions.push(Redaction {
                page: *num,
                text: b.text.clone(),
                term: if b.term == usize::MAX {
                    REGION_TERM.to_string()
                } else {
                    terms.original(b.term).to_string()
                },
                rect: b.rect,
            });
        }
        apply_page(&mut doc, *page_id, scan, plan, terms).map_err(PdfError::Write)?;
    }

    let pairs: Vec<(&PageScan, &PagePlan)> = scans.iter().map(|(_, _, s)| s).zip(&plans).collect();
    let mut removals = super::fontscrub::scrub_fonts(&mut doc, &pairs);
    removals.extend(sanitize(&mut doc, terms, &fonts));
    let pages = scans.len();
    drop(scans);
    let bytes = write::write(&mut doc).map_err(PdfError::Write)?;
    match selfcheck::find_residue(&bytes, terms) {
        Ok(None) => {}
        Ok(Some(r)) => return Err(PdfError::Residue(r)),
        Err(e) => return Err(PdfError::Residue(e)),
    }
    Ok(RedactedPdf {
        bytes,
        pages,
        glyphs_removed,
        redactions,
        removals,
        reviews,
    })
}

fn check_mapped(page: u32, scan: &PageScan) -> Result<(), PdfError> {
    let mut bad: HashMap<String, Vec<u32>> = HashMap::new();
    for g in scan.glyphs.iter().filter(|g| g.unicode.is_none()) {
        let codes = bad.entry(g.font.base_name.clone()).or_default();
        if codes.len() < 8 && !codes.contains(&g.code) {
            codes.push(g.code);
        }
    }
    if let Some((font, codes)) = bad.into_iter().next() {
        let kind = scan
            .glyphs
            .iter()
            .find(|g| g.font.base_name == font)
            .map(|g| g.font.kind);
        let codes = codes
            .iter()
            .map(|c| format!("{c:#04x}"))
            .collect::<Vec<_>>()
            .join(", ");
        let font = if kind == Some(FontKind::Type3) {
            format!("{font} (Type 3)")
        } else {
            font
        };
        return Err(PdfError::Unmapped { page, font, codes });
    }
    Ok(())
}

/// Marks the glyphs mostly inside `rect` for removal and adds the region's box.
fn add_region(plan: &mut PagePlan, glyphs: &[super::interpret::PageGlyph], rect: Rect) {
    let mut text = String::new();
    for (i, g) in glyphs.iter().enumerate() {
        let b = g.bbox();
        let (cx, cy) = ((b.x0 + b.x1) / 2.0, (b.y0 + b.y1) / 2.0);
        if cx >= rect.x0 && cx <= rect.x1 && cy >= rect.y0 && cy <= rect.y1 {
            plan.removed[i] = true;
            text.push_str(g.unicode.as_deref().unwrap_or(""));
        }
    }
    plan.boxes.push(PlannedBox {
        first: 0,
        last: 0,
        rect,
        text,
        term: usize::MAX,
    });
}

/// Images under removed text, and pages that are pictures with no text at all.
fn page_reviews(page: u32, scan: &PageScan, plan: &PagePlan) -> Vec<Review> {
    let mut out = Vec::new();
    if scan.glyphs.is_empty() && scan.images.iter().any(|i| i.bbox.area() > 1.0) {
        out.push(Review {
            page: Some(page),
            reason:
                "the page is an image with no text layer (a scan?); its words cannot be searched"
                    .into(),
        });
        return out;
    }
    let removed_boxes: Vec<Rect> = plan.boxes.iter().map(|b| b.rect).collect();
    if removed_boxes
        .iter()
        .any(|r| scan.images.iter().any(|i| i.bbox.overlaps(r)))
    {
        out.push(Review {
            page: Some(page),
            reason: "an image lies under redacted text; its pixels may show the same words".into(),
        });
    }
    out
}

/// Writes operators back to bytes, with the site's inline images restored in place.
fn encode(ops: Vec<Operation>, inline_images: &[Vec<u8>]) -> Result<Vec<u8>, String> {
    let bytes = Content { operations: ops }
        .encode()
        .map_err(|e| e.to_string())?;
    Ok(super::inline_image::restore(&bytes, inline_images))
}

fn new_stream(doc: &mut Document, dict: Dictionary, content: Vec<u8>) -> ObjectId {
    let mut s = Stream::new(dict, content);
    let _ = s.compress();
    doc.add_object(s)
}

/// A resources dictionary with its `/XObject` made direct, holding only the `keep` names
/// and the `extra` ones.
fn resources_with(
    doc: &Document,
    base: Option<&Dictionary>,
    extra: &[(Vec<u8>, ObjectId)],
    keep: &[Vec<u8>],
) -> Dictionary {
    let mut res = base.cloned().unwrap_or_default();
    let mut xobjects = match res.get(b"XObject").ok().map(|o| resolve(doc, o)) {
        Some(Object::Dictionary(d)) => d.clone(),
        _ => Dictionary::new(),
    };
    let unused: Vec<Vec<u8>> = xobjects
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| !keep.contains(k))
        .collect();
    for name in unused {
        xobjects.remove(&name);
    }
    for (name, id) in extra {
        xobjects.set(name.clone(), Object::Reference(*id));
    }
    res.set("XObject", Object::Dictionary(xobjects));
    res
}

fn unique_name(doc: &Document, base: Option<&Dictionary>, original: &[u8], site: usize) -> Vec<u8> {
    let taken = |n: &[u8]| {
        base.and_then(|r| super::objects::get_dict(doc, r, b"XObject"))
            .is_some_and(|x| x.has(n))
    };
    let mut k = site;
    loop {
        let mut name = original.to_vec();
        name.extend_from_slice(format!("_r{k}").as_bytes());
        if !taken(&name) {
            return name;
        }
        k += 1000;
    }
}

/// Rewrites the page's content and the Form XObjects it draws (copies, so other pages that
/// draw the same form keep theirs), then draws the boxes.
fn apply_page(
    doc: &mut Document,
    page_id: ObjectId,
    scan: &PageScan,
    plan: &PagePlan,
    terms: &TermSet,
) -> Result<(), String> {
    let n = scan.sites.len();
    let mut touched = vec![false; n];
    for show in &scan.shows {
        if show_is_touched(show, &plan.removed) {
            touched[show.site] = true;
        }
    }
    for (i, site) in scan.sites.iter().enumerate() {
        if site.ops.iter().any(|op| marked_content_has_term(op, terms)) {
            touched[i] = true;
        }
    }
    if !touched.iter().any(|t| *t) && plan.boxes.is_empty() {
        return Ok(());
    }
    let mut replaced: HashMap<usize, ObjectId> = HashMap::new();
    for s in (0..n).rev() {
        let children: Vec<(usize, usize)> = scan
            .sites
            .iter()
            .enumerate()
            .filter_map(|(c, site)| match site.kind {
                SiteKind::Form {
                    parent, op_index, ..
                } if parent == s && replaced.contains_key(&c) => Some((c, op_index)),
                _ => None,
            })
            .collect();
        let is_page = matches!(scan.sites[s].kind, SiteKind::Page);
        if !touched[s] && children.is_empty() && (!is_page || plan.boxes.is_empty()) {
            continue;
        }
        let site = &scan.sites[s];
        let mut renames = HashMap::new();
        let mut extra = Vec::new();
        for (c, op_index) in &children {
            let original = match site.ops[*op_index].operands.first() {
                Some(Object::Name(n)) => n.clone(),
                _ => continue,
            };
            let name = unique_name(doc, site.resources.as_ref(), &original, *c);
            extra.push((name.clone(), replaced[c]));
            renames.insert(*op_index, name);
        }
        // XObjects this stream still draws under their own names; the rest (originals now
        // drawn as copies, and entries nothing here draws) leave its resources, or they would
        // keep the unredacted forms reachable.
        let still_drawn: Vec<Vec<u8>> = site
            .ops
            .iter()
            .enumerate()
            .filter(|(i, op)| op.operator == "Do" && !renames.contains_key(i))
            .filter_map(|(_, op)| match op.operands.first() {
                Some(Object::Name(n)) => Some(n.clone()),
                _ => None,
            })
            .collect();

        let shows = scan
            .shows
            .iter()
            .filter(|sh| sh.site == s)
            .map(|sh| (sh.op_index, sh))
            .collect();
        let edits = SiteEdits {
            shows,
            removed: &plan.removed,
            renames,
            terms,
        };
        let (ops, _) = rewrite_site(&site.ops, &edits);
        match site.kind {
            SiteKind::Form { id, .. } => {
                let Ok(Object::Stream(orig)) = doc.get_object(id) else {
                    return Err(format!("Form XObject {} {} vanished", id.0, id.1));
                };
                let mut dict = orig.dict.clone();
                for k in [&b"Filter"[..], b"DecodeParms", b"Length"] {
                    dict.remove(k);
                }
                if !extra.is_empty() {
                    dict.set(
                        "Resources",
                        Object::Dictionary(resources_with(
                            doc,
                            site.resources.as_ref(),
                            &extra,
                            &still_drawn,
                        )),
                    );
                }
                let content = encode(ops, &site.inline_images)?;
                let new_id = new_stream(doc, dict, content);
                replaced.insert(s, new_id);
            }
            SiteKind::Page => {
                let mut content = b"q\n".to_vec();
                content.extend(encode(ops, &site.inline_images)?);
                content.extend_from_slice(b"\nQ\n");
                content.extend(box_ops(plan));
                let content_id = new_stream(doc, Dictionary::new(), content);
                let resources = (!extra.is_empty())
                    .then(|| resources_with(doc, site.resources.as_ref(), &extra, &still_drawn));
                let page = doc.get_dictionary_mut(page_id).map_err(|e| e.to_string())?;
                page.set("Contents", Object::Reference(content_id));
                if let Some(r) = resources {
                    page.set("Resources", Object::Dictionary(r));
                }
            }
        }
    }
    Ok(())
}

/// Opaque black boxes in default user space.
fn box_ops(plan: &PagePlan) -> Vec<u8> {
    let mut s = String::new();
    if plan.boxes.is_empty() {
        return Vec::new();
    }
    s.push_str("q 0 0 0 rg 0 0 0 RG\n");
    for b in &plan.boxes {
        let r = b.rect;
        s.push_str(&format!(
            "{:.3} {:.3} {:.3} {:.3} re f\n",
            r.x0,
            r.y0,
            r.width(),
            r.height()
        ));
    }
    s.push_str("Q\n");
    s.into_bytes()
}
