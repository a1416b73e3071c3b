//! From glyphs to searchable text: the page's glyphs in drawing order, with word gaps and
//! line breaks inferred from positions (PDFs often draw no space glyph: `[(John) -250
//! (Smith)] TJ`), folded for matching, each byte pointing back at its glyph.

use super::geom::Rect;
use super::interpret::PageGlyph;
use crate::text::{MappedText, TermSet};

/// A gap wider than this share of the em counts as a word space.
const WORD_GAP_EM: f64 = 0.15;
/// A baseline shift larger than this share of the em starts a new line.
const LINE_SHIFT_EM: f64 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    None,
    Word,
    Line,
}

/// How glyph `b` follows glyph `a` in drawing order.
pub fn gap_between(a: &PageGlyph, b: &PageGlyph) -> Gap {
    let size = a.size.max(b.size).max(1e-6);
    let across = (b.origin.0 - a.origin.0) * a.up.0 + (b.origin.1 - a.origin.1) * a.up.1;
    let along = (b.origin.0 - a.end.0) * a.dir.0 + (b.origin.1 - a.end.1) * a.dir.1;
    let same_dir = a.dir.0 * b.dir.0 + a.dir.1 * b.dir.1 > 0.95;
    if !same_dir || across.abs() > LINE_SHIFT_EM * size || along < -2.0 * size {
        Gap::Line
    } else if along > WORD_GAP_EM * size {
        Gap::Word
    } else {
        Gap::None
    }
}

/// The page's text in matching form. A line that ends in a hyphen runs on into the next
/// ("Brennan-" / "Whyte"); with `drop_line_hyphens` the hyphen itself is dropped too, for
/// words hyphenated only to wrap ("Thomp-" / "son").
pub fn page_text_with(glyphs: &[PageGlyph], drop_line_hyphens: bool) -> MappedText {
    let mut text = MappedText::new();
    for (i, g) in glyphs.iter().enumerate() {
        let gap_after = glyphs.get(i + 1).map(|n| gap_between(g, n));
        let hyphen_wrap = gap_after == Some(Gap::Line) && is_hyphen(g);
        if let Some(u) = &g.unicode {
            if !(hyphen_wrap && drop_line_hyphens) {
                text.push(u, i as u32);
            }
        }
        if gap_after.is_some_and(|gap| gap != Gap::None) && !hyphen_wrap {
            text.push_break();
        }
    }
    text
}

/// The page's text for people and for the search index: glyphs as drawn, word gaps as
/// spaces, line changes as newlines.
pub fn plain_text(glyphs: &[PageGlyph]) -> String {
    plain_text_mapped(glyphs).0
}

/// [`plain_text`] with, for every byte of it, the glyph it came from (a gap's space or newline
/// points at the glyph after it), so a match in the searched text leads back to the page.
pub fn plain_text_mapped(glyphs: &[PageGlyph]) -> (String, Vec<u32>) {
    let mut out = String::new();
    let mut origin = Vec::new();
    for (i, g) in glyphs.iter().enumerate() {
        if i > 0 {
            match gap_between(&glyphs[i - 1], g) {
                Gap::Line => out.push('\n'),
                Gap::Word => out.push(' '),
                Gap::None => {}
            }
        }
        out.push_str(g.unicode.as_deref().unwrap_or("\u{FFFD}"));
        origin.resize(out.len(), i as u32);
    }
    (out, origin)
}

pub fn page_text(glyphs: &[PageGlyph]) -> MappedText {
    page_text_with(glyphs, false)
}

fn is_hyphen(g: &PageGlyph) -> bool {
    matches!(
        g.unicode.as_deref(),
        Some("-" | "\u{2010}" | "\u{2011}" | "\u{00AD}")
    )
}

/// One redaction box: the glyphs it covers (inclusive range), the area, and the text removed.
#[derive(Debug, Clone)]
pub struct PlannedBox {
    pub first: usize,
    pub last: usize,
    pub rect: Rect,
    pub text: String,
    pub term: usize,
}

/// Which glyphs go, and the boxes that mark where.
#[derive(Debug, Default)]
pub struct PagePlan {
    pub removed: Vec<bool>,
    pub boxes: Vec<PlannedBox>,
}

impl PagePlan {
    pub fn removed_count(&self) -> usize {
        self.removed.iter().filter(|r| **r).count()
    }
}

/// Every term occurrence on the page as (first glyph, last glyph, term), reading wrapped
/// hyphenated lines both ways.
pub fn find_terms(glyphs: &[PageGlyph], terms: &TermSet) -> Vec<(usize, usize, usize)> {
    let mut ranges = Vec::new();
    for drop_hyphens in [false, true] {
        let text = page_text_with(glyphs, drop_hyphens);
        ranges.extend(terms.find_all(&text.text).into_iter().filter_map(|m| {
            text.origin_span(m.start, m.end)
                .map(|(a, b)| (a as usize, b as usize, m.term))
        }));
    }
    ranges
}

/// Finds every term on the page and plans the removal of the glyphs that spell it.
pub fn plan(glyphs: &[PageGlyph], terms: &TermSet) -> PagePlan {
    let mut ranges = find_terms(glyphs, terms);
    ranges.sort();
    // Overlapping matches ("Ava Thompson", "Thompson") become one removal.
    let mut merged: Vec<(usize, usize, usize)> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.0 <= last.1 => last.1 = last.1.max(r.1),
            _ => merged.push(r),
        }
    }
    let mut plan = PagePlan {
        removed: vec![false; glyphs.len()],
        boxes: Vec::new(),
    };
    for (first, last, term) in merged {
        for r in &mut plan.removed[first..=last] {
            *r = true;
        }
        // One box per line the match spans.
        let mut start = first;
        for i in first..=last {
            let line_ends = i == last || gap_between(&glyphs[i], &glyphs[i + 1]) == Gap::Line;
            if line_ends {
                if let Some(b) = line_box(glyphs, start, i, term) {
                    plan.boxes.push(b);
                }
                start = i + 1;
            }
        }
    }
    plan
}

pub fn line_box(
    glyphs: &[PageGlyph],
    first: usize,
    last: usize,
    term: usize,
) -> Option<PlannedBox> {
    let mut rect: Option<Rect> = None;
    let mut text = String::new();
    for i in first..=last {
        let g = &glyphs[i];
        if i > first && gap_between(&glyphs[i - 1], g) == Gap::Word {
            text.push(' ');
        }
        text.push_str(g.unicode.as_deref().unwrap_or("\u{FFFD}"));
        if !g.is_space() {
            let b = g.bbox();
            rect = Some(rect.map_or(b, |r| r.union(&b)));
        }
    }
    let rect = rect.filter(Rect::is_finite)?;
    let pad = glyphs[first].size * 0.03;
    Some(PlannedBox {
        first,
        last,
        rect: rect.pad(pad, 0.0),
        text: text.trim().to_string(),
        term,
    })
}
