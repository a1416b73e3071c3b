//! What the engine sees on a page, for a person working out why something did or did not
//! match: every text-showing operator with its font, encoding, Unicode source, text and box.

use std::fmt::Write;

use super::fonts::UnicodeSource;
use super::geom::Rect;
use super::interpret::{FontCache, ShowItem};
use super::layout::{gap_between, Gap};
use super::{load, scan_pages, PdfError};

pub fn inspect(input: &[u8], only_page: Option<u32>) -> Result<String, PdfError> {
    let doc = load(input)?;
    let fonts = FontCache::default();
    let scans = scan_pages(&doc, &fonts)?;
    let mut out = String::new();
    for (num, _, scan) in scans {
        if only_page.is_some_and(|p| p != num) {
            continue;
        }
        let _ = writeln!(
            out,
            "page {num}: {} glyphs, {} text operators, {} images, {} form invocations",
            scan.glyphs.len(),
            scan.shows.len(),
            scan.images.len(),
            scan.sites.len() - 1
        );
        for show in &scan.shows {
            let glyphs: Vec<usize> = show
                .items
                .iter()
                .filter_map(|i| match i {
                    ShowItem::Glyph { glyph, .. } => Some(*glyph),
                    _ => None,
                })
                .collect();
            let Some(&first) = glyphs.first() else {
                continue;
            };
            let f = &scan.glyphs[first].font;
            let mut text = String::new();
            let mut rect: Option<Rect> = None;
            let mut sources: Vec<&'static str> = Vec::new();
            for (k, &g) in glyphs.iter().enumerate() {
                let gl = &scan.glyphs[g];
                if k > 0 && gap_between(&scan.glyphs[glyphs[k - 1]], gl) != Gap::None {
                    text.push('·');
                }
                match &gl.unicode {
                    Some(u) => text.push_str(u),
                    None => {
                        let _ = write!(text, "<{:#x}?>", gl.code);
                    }
                }
                if gl.source == UnicodeSource::Unmapped || !sources.contains(&gl.source.label()) {
                    sources.push(gl.source.label());
                }
                rect = Some(rect.map_or(gl.bbox(), |r| r.union(&gl.bbox())));
            }
            let r = rect.unwrap_or(Rect {
                x0: 0.0,
                y0: 0.0,
                x1: 0.0,
                y1: 0.0,
            });
            let g0 = &scan.glyphs[first];
            let _ = writeln!(
                out,
                "  [{:8.2} {:8.2} {:8.2} {:8.2}] {} {:.1}pt ({}, {}, unicode from {}{}{}) {:?}",
                r.x0,
                r.y0,
                r.x1,
                r.y1,
                f.base_name,
                g0.font_size,
                f.subtype,
                f.encoding_label,
                sources.join("+"),
                if g0.render_mode == 3 {
                    ", invisible"
                } else {
                    ""
                },
                if show.site > 0 {
                    ", in a Form XObject"
                } else {
                    ""
                },
                text
            );
        }
        for img in &scan.images {
            let b = img.bbox;
            let _ = writeln!(
                out,
                "  [{:8.2} {:8.2} {:8.2} {:8.2}] image",
                b.x0, b.y0, b.x1, b.y1
            );
        }
    }
    Ok(out)
}
