//! ReportLab draws small images inline (`BI … ID … EI`) with filters lopdf cannot decode; the
//! redacted page must keep the image byte for byte and lose the name. The fixture was made
//! with ReportLab's `drawInlineImage` (see scripts/fixture-src/).

mod common;

use common::verify;

#[test]
fn filtered_inline_images_survive_redaction() {
    let input = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/pdf/misc/reportlab-inline-image.pdf");
    let out = tempfile::tempdir().expect("tmp");
    let run = common::redact(
        std::slice::from_ref(&input),
        &["Jayden Okafor".to_string()],
        &[],
        out.path(),
    );
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let output = std::fs::read(out.path().join("reportlab-inline-image.pdf")).expect("output");
    let scan = verify::scan(&output, &["Jayden Okafor".to_string()], None).expect("scannable");
    assert!(scan.hits.is_empty(), "{:?}", scan.hits);
    let doc = lopdf::Document::load_mem(&output).expect("parses");
    let page = doc.get_pages().into_values().next().expect("a page");
    let content = doc.get_page_content(page);
    let image = b"ID\nGapk3`H>W<,67)s2ZW~>\nEI";
    assert!(
        content.windows(image.len()).any(|w| w == image),
        "the inline image is kept byte for byte"
    );
    let glyphs = verify::glyphs(&output, None).expect("pdf-extract reads it");
    assert!(
        verify::contains_term(&verify::all_text(&glyphs), "Year 9"),
        "the rest of the line survives"
    );
}
