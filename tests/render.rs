//! End-to-end tests of the PDF renderer: the PDFs are re-read with an independent extractor
//! (pdf-extract) and their decompressed streams searched byte by byte.

use std::io::Read;

use disclose::render::{
    render, spans_with_redactions, stamp_pdf, Block, Document, Rendered, Span, Stamp,
};

const REFERENCE: &str = "SAR-2025-014";

fn stamp() -> Stamp {
    Stamp {
        reference: REFERENCE.into(),
    }
}

fn text(s: &str) -> Vec<Span> {
    vec![Span::Text(s.into())]
}

fn pages_text(pdf: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(pdf).expect("pdf-extract reads the PDF")
}

/// Whitespace-insensitive view of extracted text: extractors differ in how they space runs.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every stream in the file, inflated when it is Flate-compressed, plus the raw file itself.
fn all_bytes(pdf: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![pdf.to_vec()];
    let mut at = 0;
    while let Some(pos) = find(&pdf[at..], b"stream") {
        let mut start = at + pos + b"stream".len();
        if pdf[..at + pos].ends_with(b"end") {
            at = start;
            continue;
        }
        if pdf.get(start) == Some(&b'\r') {
            start += 1;
        }
        if pdf.get(start) == Some(&b'\n') {
            start += 1;
        }
        let Some(end) = find(&pdf[start..], b"endstream") else {
            break;
        };
        let raw = &pdf[start..start + end];
        let mut inflated = Vec::new();
        if flate2::read::ZlibDecoder::new(raw)
            .read_to_end(&mut inflated)
            .is_ok()
        {
            out.push(inflated);
        }
        at = start + end;
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn utf16_hex(s: &str) -> String {
    s.encode_utf16().map(|u| format!("{u:04X}")).collect()
}

fn assert_absent(pdf: &[u8], secret: &str) {
    let extracted = pages_text(pdf).join("\n");
    assert!(
        !extracted.contains(secret),
        "extracted text shows {secret:?}"
    );
    let utf16: Vec<u8> = secret.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let hex = utf16_hex(secret);
    for (i, bytes) in all_bytes(pdf).iter().enumerate() {
        assert!(
            find(bytes, secret.as_bytes()).is_none(),
            "stream {i} holds {secret:?}"
        );
        assert!(
            find(bytes, &utf16).is_none(),
            "stream {i} holds {secret:?} as UTF-16"
        );
        let upper = String::from_utf8_lossy(bytes).to_uppercase();
        assert!(
            !upper.contains(&hex),
            "stream {i} holds {secret:?} as hex UTF-16"
        );
    }
}

fn email(body: Vec<Span>) -> Document {
    Document {
        blocks: vec![
            Block::Title("Email".into()),
            Block::Fields(vec![
                (
                    "From".into(),
                    text("Siobhán Ó Briain <s.obriain@school.example>"),
                ),
                ("To".into(), text("Łukasz Kowalski <lk@home.example>")),
                ("Date".into(), text("Fri, 14 Mar 2025 09:12")),
                ("Subject".into(), text("Zoë and Nguyễn — lunchtime")),
                ("Attachments".into(), text("notes.pdf")),
            ]),
            Block::Preformatted(body),
            Block::Heading("Attachments".into()),
            Block::Bullets(vec![text("0002-pdf-2025-03-14.pdf")]),
        ],
    }
}

#[test]
fn unicode_names_come_out_exactly() {
    let body =
        text("Dear Mr Kowalski,\n\nZoë, Łukasz, Siobhán and Nguyễn Văn An were at Straße 5.\n");
    let out = render(&email(body), &stamp()).unwrap();
    assert_eq!(out.replaced_chars, 0);
    let all = pages_text(&out.bytes).join("\n");
    for name in [
        "Zoë",
        "Łukasz",
        "Siobhán",
        "Nguyễn",
        "Ó Briain",
        "Straße",
        "Văn",
    ] {
        assert!(all.contains(name), "{name:?} missing from {all:?}");
    }
}

#[test]
fn decomposed_input_is_composed_and_extracts_as_the_name() {
    let out = render(
        &Document {
            blocks: vec![Block::Paragraph(text(
                "Nguye\u{0302}\u{0303}n and Zoe\u{0308}",
            ))],
        },
        &stamp(),
    )
    .unwrap();
    let all = pages_text(&out.bytes).join("\n");
    assert!(all.contains("Nguyễn and Zoë"), "{all:?}");
}

#[test]
fn redacted_text_never_reaches_the_file() {
    let body = "Hi,\n\nJordan pushed Quentin Wexford-Zyx in the queue; Quentin's mum rang.\nThanks";
    let mut ranges = Vec::new();
    for (at, _) in body.match_indices("Quentin Wexford-Zyx") {
        ranges.push((
            at..at + "Quentin Wexford-Zyx".len(),
            "THIRD-PARTY".to_string(),
        ));
    }
    let q = body.find("Quentin's").unwrap();
    ranges.push((q..q + "Quentin".len(), "THIRD-PARTY".to_string()));
    let out = render(&email(spans_with_redactions(body, &ranges)), &stamp()).unwrap();

    let extracted = squash(&pages_text(&out.bytes).join("\n"));
    assert!(extracted.contains("Jordan pushed"), "{extracted}");
    assert!(
        extracted.contains("THIRD-PARTY"),
        "the reason code is shown: {extracted}"
    );
    for secret in ["Quentin", "Wexford", "Zyx"] {
        assert_absent(&out.bytes, secret);
    }
    // The capital Q and the z/x/y of the hidden name appear nowhere else in the document, so
    // not even a glyph for them may be in the font subset's Unicode map.
    let mut cmaps = 0;
    for bytes in all_bytes(&out.bytes) {
        let s = String::from_utf8_lossy(&bytes).to_uppercase();
        if s.contains("BEGINCMAP") {
            cmaps += 1;
            assert!(
                !s.contains(&format!("<{}>", utf16_hex("Q"))),
                "ToUnicode maps a Q glyph"
            );
            assert!(
                !s.contains(&format!("<{}>", utf16_hex("W"))),
                "ToUnicode maps a W glyph"
            );
        }
    }
    assert_eq!(cmaps, 2, "one ToUnicode map per embedded font");
}

/// Redaction boxes, as (x, y, width, height) from the content streams: the bounding boxes of
/// filled paths painted in black (krilla writes rectangles as m/l/l/l/h).
fn black_boxes(pdf: &[u8]) -> Vec<(f32, f32, f32, f32)> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let mut boxes = Vec::new();
    for (_, page) in doc.get_pages() {
        let content = doc.get_and_decode_page_content(page).unwrap();
        let mut gray = 1.0;
        let mut points: Vec<(f32, f32)> = Vec::new();
        for op in content.operations {
            let nums: Vec<f32> = op
                .operands
                .iter()
                .filter_map(|o| o.as_float().ok())
                .collect();
            match op.operator.as_str() {
                "g" => gray = nums[0],
                "m" | "l" => points.push((nums[0], nums[1])),
                "re" => {
                    points.push((nums[0], nums[1]));
                    points.push((nums[0] + nums[2], nums[1] + nums[3]));
                }
                "f" | "f*" => {
                    if gray == 0.0 && !points.is_empty() {
                        let x0 = points.iter().map(|p| p.0).fold(f32::MAX, f32::min);
                        let x1 = points.iter().map(|p| p.0).fold(f32::MIN, f32::max);
                        let y0 = points.iter().map(|p| p.1).fold(f32::MAX, f32::min);
                        let y1 = points.iter().map(|p| p.1).fold(f32::MIN, f32::max);
                        boxes.push((x0, y0, x1 - x0, y1 - y0));
                    }
                    points.clear();
                }
                _ => {}
            }
        }
    }
    boxes
}

#[test]
fn every_box_has_the_same_width_whatever_it_hides() {
    let short = "Al";
    let long = "Bartholomew Fitzwilliam-Montgomery Smythe"; // 40+ letters
    let body = format!("Seen: {short} and {long} near the gate.");
    let ranges = [
        (6..6 + short.len(), "THIRD-PARTY".to_string()),
        (
            6 + short.len() + 5..6 + short.len() + 5 + long.len(),
            "THIRD-PARTY".to_string(),
        ),
    ];
    assert_eq!(&body[ranges[1].0.clone()], long);
    let out = render(
        &Document {
            blocks: vec![Block::Paragraph(spans_with_redactions(&body, &ranges))],
        },
        &stamp(),
    )
    .unwrap();
    let boxes = black_boxes(&out.bytes);
    assert_eq!(boxes.len(), 2, "{boxes:?}");
    assert!((boxes[0].2 - boxes[1].2).abs() < 0.001, "{boxes:?}");
    assert!((boxes[0].3 - boxes[1].3).abs() < 0.001, "{boxes:?}");
    assert_absent(&out.bytes, "Bartholomew");
}

#[test]
fn every_page_is_stamped_with_reference_and_page_n_of_m() {
    let para = "The pupil attended the review meeting with their key worker. ".repeat(40);
    let blocks = (0..12).map(|_| Block::Paragraph(text(&para))).collect();
    let out = render(&Document { blocks }, &stamp()).unwrap();
    assert!(out.pages >= 3, "{} pages", out.pages);
    let pages = pages_text(&out.bytes);
    assert_eq!(pages.len(), out.pages);
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains(REFERENCE),
            "page {} lacks the reference",
            i + 1
        );
        let label = format!("page {} of {}", i + 1, out.pages);
        assert!(
            squash(page).contains(&label),
            "page {} lacks {label:?}",
            i + 1
        );
    }
}

#[test]
fn rendering_is_byte_for_byte_reproducible() {
    let make = || {
        let body =
            spans_with_redactions("Zoë told Sam about it.", &[(9..12, "THIRD-PARTY".into())]);
        render(&email(body), &stamp()).unwrap().bytes
    };
    let (a, b) = (make(), make());
    assert_eq!(a, b);
    let other = render(&email(text("Zoë told someone else.")), &stamp()).unwrap();
    assert_ne!(a, other.bytes, "different content, different bytes");
    for needle in [&b"CreationDate"[..], b"ModDate", b"Producer", b"x:xmpmeta"] {
        assert!(
            find(&a, needle).is_none(),
            "{}",
            String::from_utf8_lossy(needle)
        );
    }
}

fn sheet(rows: usize, columns: usize) -> Document {
    let headings: Vec<String> = (0..columns).map(|c| format!("Heading{c}")).collect();
    let rows = (0..rows)
        .map(|r| {
            (0..columns)
                .map(|c| match (r % 50, c) {
                    (7, 2) => vec![Span::Redacted {
                        code: "THIRD-PARTY".into(),
                    }],
                    _ => text(&format!("r{r}c{c}")),
                })
                .collect()
        })
        .collect();
    Document {
        blocks: vec![
            Block::Title("Spreadsheet".into()),
            Block::Table { headings, rows },
        ],
    }
}

#[test]
fn a_3000_row_table_paginates_with_headings_on_every_page() {
    let out = render(&sheet(3000, 5), &stamp()).unwrap();
    assert!(out.pages > 40, "{} pages", out.pages);
    let pages = pages_text(&out.bytes);
    assert_eq!(pages.len(), out.pages);
    for (i, page) in pages.iter().enumerate() {
        for c in 0..5 {
            assert!(
                page.contains(&format!("Heading{c}")),
                "page {} lacks Heading{c}",
                i + 1
            );
        }
    }
    let all = pages.join("\n");
    assert!(all.contains("r0c0") && all.contains("r2999c4"));
    assert_eq!(black_boxes(&out.bytes).len(), 60);
}

#[test]
fn many_columns_still_fit() {
    let out = render(&sheet(30, 24), &stamp()).unwrap();
    let doc = lopdf::Document::load_mem(&out.bytes).unwrap();
    let page = doc.get_pages()[&1];
    let media = doc
        .get_dictionary(page)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap();
    let w = media[2].as_float().unwrap();
    let h = media[3].as_float().unwrap();
    assert!(w > h, "a wide sheet turns the page to landscape");
    let all = pages_text(&out.bytes).join("\n");
    for c in 0..24 {
        assert!(
            all.contains(&format!("r29c{c}")),
            "column {c} is on the page"
        );
    }
}

#[test]
fn awkward_input_still_renders() {
    let url = format!("https://example.org/{}", "long-path-segment/".repeat(30));
    let out = render(
        &Document {
            blocks: vec![
                Block::Paragraph(text(&format!("See {url} for details"))),
                Block::Paragraph(text("bell\u{0007}here\u{0000} rtl\u{202E}override")),
                Block::Paragraph(text("Kanji 漢字 and emoji 🎉 are missing from the font")),
                Block::PageBreak,
                Block::PageBreak,
                Block::Table {
                    headings: vec![],
                    rows: vec![],
                },
            ],
        },
        &stamp(),
    )
    .unwrap();
    assert_eq!(
        out.replaced_chars, 3,
        "漢, 字 and 🎉 are replaced and counted"
    );
    let all = squash(&pages_text(&out.bytes).join("\n"));
    assert!(all.contains("bellhere rtloverride"), "{all}");
    assert!(
        all.contains('\u{FFFD}'),
        "the placeholder is visible: {all}"
    );
    let joined: String = all.split_whitespace().collect();
    assert!(joined.contains(&url), "the URL survives wrapping intact");

    let empty = render(&Document::default(), &stamp()).unwrap();
    assert_eq!(empty.pages, 1);
    assert!(squash(&pages_text(&empty.bytes)[0]).contains("page 1 of 1"));
}

fn qpdf_check(pdf: &[u8]) {
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("check.pdf");
    std::fs::write(&path, pdf).unwrap();
    match std::process::Command::new("qpdf")
        .arg("--check")
        .arg(&path)
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "qpdf --check failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => eprintln!("qpdf is not installed: skipping qpdf --check"),
    }
}

#[test]
fn rendered_pdfs_pass_qpdf_check() {
    qpdf_check(&render(&sheet(200, 6), &stamp()).unwrap().bytes);
    qpdf_check(&render(&email(text("Hello Zoë")), &stamp()).unwrap().bytes);
}

fn producers() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pdf/producers");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    files.sort();
    files
}

#[test]
fn stamp_pdf_keeps_the_text_and_adds_the_stamp() {
    let files = producers();
    assert!(files.len() >= 5);
    for path in files {
        let input = std::fs::read(&path).unwrap();
        let before = pages_text(&input);
        let Rendered { bytes, pages, .. } = stamp_pdf(&input, REFERENCE, 3, Some(20)).unwrap();
        assert_eq!(pages, before.len(), "{}", path.display());
        let after = pages_text(&bytes);
        assert_eq!(after.len(), pages);
        for (i, (old, new)) in before.iter().zip(&after).enumerate() {
            let (old, new) = (squash(old), squash(new));
            assert!(
                new.contains(REFERENCE),
                "{} page {}: {new}",
                path.display(),
                i + 1
            );
            let label = format!("page {} of 20", i + 3);
            assert!(
                new.contains(&label),
                "{} page {}: {new}",
                path.display(),
                i + 1
            );
            for word in old.split(' ').filter(|w| w.len() > 3).take(50) {
                assert!(new.contains(word), "{}: {word:?} lost", path.display());
            }
        }
        qpdf_check(&bytes);
        let again = stamp_pdf(&input, REFERENCE, 3, Some(20)).unwrap();
        assert_eq!(again.bytes, bytes, "stamping is reproducible");
    }
}

#[test]
fn stamp_pdf_numbers_within_the_document_when_no_total_is_given() {
    let rendered = render(&Document::default(), &stamp()).unwrap();
    let stamped = stamp_pdf(&rendered.bytes, "SAR-2025-999", 1, None).unwrap();
    let page = squash(&pages_text(&stamped.bytes)[0]);
    assert!(
        page.contains("SAR-2025-999") && page.contains("page 1 of 1"),
        "{page}"
    );
    qpdf_check(&stamped.bytes);
    assert!(stamp_pdf(b"not a pdf", REFERENCE, 1, None).is_err());
}

/// Throughput on email-sized documents. Run with
/// `cargo test --release --test render throughput -- --ignored --nocapture`.
#[test]
#[ignore]
fn throughput_1000_emails() {
    let paragraph = "Thank you for your email about the trip on Friday. Zoë and Łukasz will need \
                     their packed lunches, and Siobhán will meet the coach at 8:15. ";
    let docs: Vec<Document> = (0..1000)
        .map(|i| {
            let body = format!(
                "Dear parent,\n\n{}\n\nKind regards,\nMs Nguyễn",
                paragraph.repeat(1 + i % 12)
            );
            let hidden = body.find("Siobhán").unwrap();
            email(spans_with_redactions(
                &body,
                &[(hidden..hidden + "Siobhán".len(), "THIRD-PARTY".into())],
            ))
        })
        .collect();
    let start = std::time::Instant::now();
    let (mut pages, mut bytes) = (0, 0);
    for doc in &docs {
        let out = render(doc, &stamp()).unwrap();
        pages += out.pages;
        bytes += out.bytes.len();
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "1000 emails: {pages} pages in {secs:.2}s on one thread = {:.0} pages/s, {:.0} docs/s, {:.1} KB/page, {:.1} KB/doc",
        pages as f64 / secs,
        1000.0 / secs,
        bytes as f64 / pages as f64 / 1024.0,
        bytes as f64 / 1000.0 / 1024.0
    );
    assert!(pages >= 1000);
}

#[test]
fn stamp_pdf_reads_upright_on_rotated_pages() {
    // The stamp is drawn through a matrix that undoes /Rotate; check where its origin lands.
    let input = std::fs::read(&producers()[0]).unwrap();
    for rotate in [90, 180, 270] {
        let mut doc = lopdf::Document::load_mem(&input).unwrap();
        let first = doc.get_pages()[&1];
        doc.get_dictionary_mut(first).unwrap().set("Rotate", rotate);
        let mut rotated = Vec::new();
        doc.save_to(&mut rotated).unwrap();

        let stamped = stamp_pdf(&rotated, REFERENCE, 1, None).unwrap();
        qpdf_check(&stamped.bytes);
        let out = lopdf::Document::load_mem(&stamped.bytes).unwrap();
        let page = out.get_pages()[&1];
        let media = out
            .get_dictionary(page)
            .unwrap()
            .get(b"MediaBox")
            .unwrap()
            .as_array()
            .unwrap();
        let (w, h) = (media[2].as_float().unwrap(), media[3].as_float().unwrap());
        let ops = out.get_and_decode_page_content(page).unwrap().operations;
        let cm = ops.iter().rev().find(|op| op.operator == "cm").unwrap();
        let m: Vec<f32> = cm.operands.iter().map(|o| o.as_float().unwrap()).collect();
        // The stamp's baseline origin, (36, 18) in the page as seen, mapped to user space.
        let (x, y) = (
            m[0] * 36.0 + m[2] * 18.0 + m[4],
            m[1] * 36.0 + m[3] * 18.0 + m[5],
        );
        let expected = match rotate {
            90 => (w - 18.0, 36.0), // seen bottom = user right edge
            180 => (w - 36.0, h - 18.0),
            _ => (18.0, h - 36.0), // 270: seen bottom = user left edge
        };
        assert!(
            (x - expected.0).abs() < 0.01 && (y - expected.1).abs() < 0.01,
            "rotate {rotate}: ({x}, {y})"
        );
        assert!(squash(&pages_text(&stamped.bytes)[0]).contains(REFERENCE));
    }
}
