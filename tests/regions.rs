//! Regions a DPO marks on a page (a signature, a name written in a margin) are removed like
//! terms: the glyphs under them are gone from the file, checked with an independent extractor.

use disclose::detect::locate::{parse_boxes, PdfLocator, PAGE_BREAK};
use disclose::pdf::geom::Rect;
use disclose::pdf::{redact_pdf_with_regions, REGION_TERM};
use disclose::text::TermSet;

const REPORT: &[u8] = include_bytes!("../fixtures/demo/behaviour-report.pdf");

fn extract(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf).expect("pdf-extract reads the output")
}

fn engine_text(pdf: &[u8]) -> String {
    let doc = disclose::pdf::load(pdf).unwrap();
    let fonts = disclose::pdf::interpret::FontCache::default();
    disclose::pdf::scan_pages(&doc, &fonts)
        .unwrap()
        .iter()
        .map(|(_, _, s)| disclose::pdf::layout::plain_text(&s.glyphs))
        .collect::<Vec<_>>()
        .join(PAGE_BREAK)
}

#[test]
fn a_region_removes_the_text_under_it_and_nothing_else() {
    let before = extract(REPORT);
    let name = "Jayden Okafor";
    let n_before = before.matches(name).count();
    assert!(n_before >= 2, "fixture names Jayden more than once");

    // Where the first mention is drawn, padded a little as a person's rectangle would be.
    let text = engine_text(REPORT);
    let at = text.find(name).unwrap();
    let loc = PdfLocator::new(REPORT, &text).unwrap().unwrap();
    let (page, [x0, y0, x1, y1]) = parse_boxes(&loc.locate(&(at..at + name.len())).unwrap())[0];
    let region = Rect {
        x0: x0 - 2.0,
        y0: y0 - 1.0,
        x1: x1 + 2.0,
        y1: y1 + 1.0,
    };
    let out = redact_pdf_with_regions(REPORT, &TermSet::none(), &[(page, region)]).unwrap();
    let after = extract(&out.bytes);
    assert_eq!(after.matches(name).count(), n_before - 1, "{after}");
    assert!(
        after.contains("Science lab S4"),
        "the rest of the row stays"
    );
    assert!(after.contains("Knocked a beaker"));
    let logged: Vec<_> = out
        .redactions
        .iter()
        .filter(|r| r.term == REGION_TERM)
        .collect();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].text.replace(' ', ""), "JaydenOkafor");
}

#[test]
fn an_empty_region_is_still_drawn_and_the_text_is_untouched() {
    let region = Rect {
        x0: 10.0,
        y0: 10.0,
        x1: 40.0,
        y1: 20.0,
    };
    let out = redact_pdf_with_regions(REPORT, &TermSet::none(), &[(1, region)]).unwrap();
    assert_eq!(out.glyphs_removed, 0);
    assert_eq!(out.redactions.len(), 1);
    assert_eq!(extract(&out.bytes).trim(), extract(REPORT).trim());
}
