//! Where a proposal sits on the page. Detection runs on an item's searchable text; a DPO
//! checking a PDF needs the page and the box, in the same user-space points the redaction
//! log uses. The PDF's text is rebuilt glyph by glyph exactly as ingest wrote it, so a byte
//! range in the text file leads back to the glyphs that drew it.

use std::ops::Range;

use crate::pdf::interpret::{FontCache, PageGlyph};
use crate::pdf::layout::{gap_between, line_box, plain_text_mapped, Gap};
use crate::pdf::PdfError;

/// What ingest puts between two pages of a PDF's text.
pub const PAGE_BREAK: &str = "\n\u{c}\n";

/// One page's share of the item text.
struct PageText {
    number: u32,
    start: usize,
    origin: Vec<u32>,
    glyphs: Vec<PageGlyph>,
}

/// A PDF re-read for locating: its pages' glyphs and where each page's text starts.
pub struct PdfLocator {
    pages: Vec<PageText>,
}

impl PdfLocator {
    /// Reads the PDF and checks that its text is `stored_text` byte for byte; `None` when it is
    /// not (a PDF read by an older engine): the character locations then stand.
    pub fn new(pdf: &[u8], stored_text: &str) -> Result<Option<PdfLocator>, PdfError> {
        let doc = crate::pdf::load(pdf)?;
        let fonts = FontCache::default();
        let scans = crate::pdf::scan_pages(&doc, &fonts)?;
        let mut text = String::with_capacity(stored_text.len());
        let mut pages = Vec::with_capacity(scans.len());
        for (i, (number, _, scan)) in scans.into_iter().enumerate() {
            if i > 0 {
                text.push_str(PAGE_BREAK);
            }
            let (page_text, origin) = plain_text_mapped(&scan.glyphs);
            pages.push(PageText {
                number,
                start: text.len(),
                origin,
                glyphs: scan.glyphs,
            });
            text.push_str(&page_text);
        }
        Ok((text == stored_text).then_some(PdfLocator { pages }))
    }

    /// `page N box x0,y0,x1,y1` for the text at `span` (one box per line it runs over, joined
    /// by `; `), or `None` when the span covers no drawn glyph (a page break, say).
    pub fn locate(&self, span: &Range<usize>) -> Option<String> {
        let page = self
            .pages
            .iter()
            .rev()
            .find(|p| p.start <= span.start && span.start < p.start + p.origin.len())?;
        let local = (span.start - page.start)..(span.end - page.start).min(page.origin.len());
        if local.is_empty() {
            return None;
        }
        let first = *page.origin.get(local.start)? as usize;
        let last = *page.origin.get(local.end - 1)? as usize;
        let mut boxes = Vec::new();
        let mut start = first;
        for i in first..=last {
            let line_ends = i == last
                || page
                    .glyphs
                    .get(i + 1)
                    .is_some_and(|n| gap_between(&page.glyphs[i], n) == Gap::Line);
            if line_ends {
                if let Some(b) = line_box(&page.glyphs, start, i, 0) {
                    boxes.push(format!(
                        "page {} box {:.1},{:.1},{:.1},{:.1}",
                        page.number, b.rect.x0, b.rect.y0, b.rect.x1, b.rect.y1
                    ));
                }
                start = i + 1;
            }
        }
        (!boxes.is_empty()).then(|| boxes.join("; "))
    }
}

/// `Sheet!B7` for the text at `span` of a sheet's text, given the sheet row and first column
/// of each line (`rows`, as ingest writes beside the text); `None` past the rows (the sheet's
/// comments and links, which name their cells themselves).
pub fn sheet_cell(
    sheet: &str,
    rows: &[(u32, u32)],
    text: &str,
    span: &Range<usize>,
) -> Option<String> {
    SheetCells::new(sheet, rows, text).cell(span)
}

/// [`sheet_cell`] for many spans of one sheet: the line starts are found once, so a tracker
/// with thousands of proposals is located in one pass, not one pass per proposal.
pub struct SheetCells<'a> {
    quoted: String,
    rows: &'a [(u32, u32)],
    text: &'a str,
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
}

impl<'a> SheetCells<'a> {
    pub fn new(sheet: &str, rows: &'a [(u32, u32)], text: &'a str) -> SheetCells<'a> {
        let quoted = if sheet.chars().all(|c| c.is_alphanumeric() || c == '_') {
            sheet.to_string()
        } else {
            format!("'{}'", sheet.replace('\'', "''"))
        };
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SheetCells {
            quoted,
            rows,
            text,
            line_starts,
        }
    }

    pub fn cell(&self, span: &Range<usize>) -> Option<String> {
        let before = self.text.get(..span.start)?;
        // The last line starting at or before the span (a span at a line's end stays on it).
        let line = self.line_starts.partition_point(|&s| s <= span.start) - 1;
        let (row, first_col) = *self.rows.get(line)?;
        let line_start = self.line_starts[line];
        let col = first_col + before[line_start..].matches('\t').count() as u32;
        Some(format!(
            "{}!{}",
            self.quoted,
            crate::ingest::sheet::cell_ref(row, col)
        ))
    }
}

/// A location string's boxes as (page, x0, y0, x1, y1), for logs that want numbers.
pub fn parse_boxes(location: &str) -> Vec<(u32, [f64; 4])> {
    location
        .split("; ")
        .filter_map(|part| {
            let rest = part.strip_prefix("page ")?;
            let (page, coords) = rest.split_once(" box ")?;
            let nums: Vec<f64> = coords
                .split(',')
                .map(|c| c.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .ok()?;
            let [x0, y0, x1, y1] = nums.as_slice() else {
                return None;
            };
            Some((page.parse().ok()?, [*x0, *y0, *x1, *y1]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &[u8] = include_bytes!("../../fixtures/demo/behaviour-report.pdf");
    const REGISTER: &[u8] =
        include_bytes!("../../fixtures/pdf/producers/chromium-attendance-register.pdf");

    fn stored_text(pdf: &[u8]) -> String {
        let doc = crate::pdf::load(pdf).unwrap();
        let scans = crate::pdf::scan_pages(&doc, &FontCache::default()).unwrap();
        scans
            .iter()
            .map(|(_, _, s)| crate::pdf::layout::plain_text(&s.glyphs))
            .collect::<Vec<_>>()
            .join(PAGE_BREAK)
    }

    #[test]
    fn a_span_in_the_text_leads_to_the_box_the_engine_would_draw() {
        let text = stored_text(REPORT);
        let loc = PdfLocator::new(REPORT, &text).unwrap().expect("same text");
        let start = text.find("Jayden Okafor").expect("fixture names Jayden");
        let found = loc.locate(&(start..start + "Jayden Okafor".len())).unwrap();
        let boxes = parse_boxes(&found);
        assert_eq!(boxes.len(), 1, "{found}");
        // The engine's own box for the same name, from an independent run of the redactor.
        let terms = crate::text::TermSet::new(["Jayden Okafor"]).unwrap();
        let red = crate::pdf::redact_pdf(REPORT, &terms).unwrap();
        let page_of_first = text[..start].matches(PAGE_BREAK).count() as u32 + 1;
        let engine = red
            .redactions
            .iter()
            .find(|r| r.page == page_of_first)
            .expect("engine redacts it on that page");
        let (page, [x0, y0, x1, y1]) = boxes[0];
        assert_eq!(page, page_of_first);
        let close = |a: f64, b: f64| (a - b).abs() < 0.2;
        assert!(
            close(x0, engine.rect.x0)
                && close(y0, engine.rect.y0)
                && close(x1, engine.rect.x1)
                && close(y1, engine.rect.y1),
            "{found} vs {:?}",
            engine.rect
        );
    }

    #[test]
    fn a_different_text_is_not_located() {
        let text = stored_text(REPORT);
        assert!(PdfLocator::new(REPORT, &format!("{text}x"))
            .unwrap()
            .is_none());
    }

    #[test]
    fn spans_on_later_pages_name_their_page() {
        let text = stored_text(REGISTER);
        let loc = PdfLocator::new(REGISTER, &text).unwrap().unwrap();
        let br = text.find(PAGE_BREAK).expect("a three-page fixture");
        let after = br + PAGE_BREAK.len();
        let end = text[after..]
            .find(char::is_whitespace)
            .map_or(text.len(), |e| after + e);
        let found = loc.locate(&(after..end)).unwrap();
        assert!(found.starts_with("page 2 box"), "{found}");
        assert!(
            loc.locate(&(br..br + 1)).is_none(),
            "a page break has no box"
        );
    }

    #[test]
    fn sheet_spans_name_their_cell() {
        let text = "Pupil\tUPN\nAva Thompson\tA123\nJayden Okafor\tB456\n\nComment A2: x";
        // Rows 1, 2 and 4 of the sheet (row 3 was empty), used columns from B.
        let rows = [(0, 1), (1, 1), (3, 1)];
        let at = |s: &str| {
            let i = text.find(s).unwrap();
            i..i + s.len()
        };
        assert_eq!(
            sheet_cell("8RH", &rows, text, &at("Ava")).as_deref(),
            Some("8RH!B2")
        );
        assert_eq!(
            sheet_cell("8RH", &rows, text, &at("B456")).as_deref(),
            Some("8RH!C4")
        );
        assert_eq!(
            sheet_cell("Year 9", &rows, text, &at("Jayden")).as_deref(),
            Some("'Year 9'!B4")
        );
        assert_eq!(
            sheet_cell("8RH", &rows, text, &at("x")),
            None,
            "comments name their cell"
        );
        let wide: Vec<String> = [25, 26, 701, 702]
            .iter()
            .filter_map(|&col| sheet_cell("S", &[(0, col)], "a", &(0..1)))
            .collect();
        assert_eq!(wide, ["S!Z1", "S!AA1", "S!ZZ1", "S!AAA1"]);
    }

    #[test]
    fn boxes_parse_back() {
        let b = parse_boxes("page 2 box 1.0,2.5,3.0,4.0; page 2 box 5,6,7,8");
        assert_eq!(
            b,
            vec![(2, [1.0, 2.5, 3.0, 4.0]), (2, [5.0, 6.0, 7.0, 8.0])]
        );
        assert!(parse_boxes("chars 1-4").is_empty());
    }
}
