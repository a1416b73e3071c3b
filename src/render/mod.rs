//! Non-PDF items (emails, spreadsheet rows, the index and cover letter) laid out as PDF.
//!
//! Redaction happens *before* layout: [`spans_with_redactions`] drops the hidden text and leaves
//! a [`Span::Redacted`] marker with only the reason code, so the hidden words never reach the
//! shaper, the font subset or the file. Each marker is drawn as a solid black box of one fixed
//! width (seven em of the surrounding text, narrower only inside a narrower table column) with
//! the code in small white letters, so a box's size says nothing about what it hides.
//!
//! Output is reproducible: the same [`Document`] and [`Stamp`] give byte-identical PDFs. No
//! metadata, dates or random IDs are written, and the fonts (DejaVu Sans, compiled in from
//! `assets/fonts/`) are embedded as subsets, so nothing depends on the sealing machine.
//!
//! [`stamp_pdf`] adds the same case reference and page numbers to PDFs that did not come from
//! here (the redaction engine's output), so every page of a bundle carries them.
//!
//! # An email
//! ```
//! use disclose::render::{render, spans_with_redactions, Block, Document, Span, Stamp};
//!
//! let body = "Hi Mrs Kowalski,\n\nŁukasz and Zoë were both in the library at lunch.\nThanks";
//! // Byte range of "Zoë" (found by detect/decisions); the text itself is dropped here.
//! let zoe = body.find("Zoë").unwrap();
//! let body = spans_with_redactions(body, &[(zoe..zoe + "Zoë".len(), "THIRD-PARTY".into())]);
//! let text = |s: &str| vec![Span::Text(s.into())];
//! let doc = Document {
//!     blocks: vec![
//!         Block::Title("Email".into()),
//!         Block::Fields(vec![
//!             ("From".into(), text("Siobhán Murphy <s.murphy@school.example>")),
//!             ("To".into(), text("Parents <parents@home.example>")),
//!             ("Date".into(), text("14 March 2025 09:12")),
//!             ("Subject".into(), text("Lunchtime")),
//!             ("Attachments".into(), text("1 (see list below)")),
//!         ]),
//!         Block::Preformatted(body),
//!         Block::Heading("Attachments".into()),
//!         Block::Bullets(vec![text("0002-pdf-2025-03-14.pdf (disclosed separately)")]),
//!     ],
//! };
//! let out = render(&doc, &Stamp { reference: "SAR-2025-014".into() }).unwrap();
//! assert_eq!(out.pages, 1);
//! assert!(out.bytes.starts_with(b"%PDF-"));
//! ```
//!
//! # A spreadsheet
//! ```
//! use disclose::render::{render, Block, Document, Span, Stamp};
//!
//! let cell = |s: &str| vec![Span::Text(s.into())];
//! let doc = Document {
//!     blocks: vec![
//!         Block::Title("Spreadsheet: behaviour log, sheet \"Spring\"".into()),
//!         Block::Table {
//!             headings: vec!["Date".into(), "Pupil".into(), "Incident".into(), "Staff".into()],
//!             rows: vec![vec![
//!                 cell("2025-03-14"),
//!                 cell("Nguyễn Văn An"),
//!                 cell("Late to registration"),
//!                 vec![Span::Redacted { code: "THIRD-PARTY".into() }],
//!             ]],
//!         },
//!     ],
//! };
//! let out = render(&doc, &Stamp { reference: "SAR-2025-014".into() }).unwrap();
//! assert_eq!(out.pages, 1);
//! ```
//!
//! # The index and cover letter (`0000-index.pdf`)
//! The letter first, then the schedule on a new page; the tables stay portrait because they
//! are narrow. Codes are explained in plain English; the redacted text never appears.
//! ```
//! use disclose::render::{render, Block, Document, Span, Stamp};
//!
//! let t = |s: &str| vec![Span::Text(s.into())];
//! let doc = Document {
//!     blocks: vec![
//!         Block::Title("Your subject access request".into()),
//!         Block::Fields(vec![
//!             ("Reference".into(), t("SAR-2025-014")),
//!             ("Received".into(), t("3 March 2025")),
//!             ("Response due".into(), t("2 April 2025")),
//!         ]),
//!         Block::Paragraph(t("Dear Mrs Kowalska, here is the personal information we hold about Łukasz.")),
//!         Block::Heading("Why we hold this information".into()),
//!         Block::Paragraph(t("To provide education and pastoral care (UK GDPR Art. 6(1)(e)).")),
//!         Block::Heading("Your rights".into()),
//!         Block::Bullets(vec![
//!             t("to have inaccurate information corrected;"),
//!             t("to complain to the Information Commissioner's Office (ico.org.uk, 0303 123 1113)."),
//!         ]),
//!         Block::PageBreak,
//!         Block::Heading("Documents in this bundle".into()),
//!         Block::Table {
//!             headings: vec!["No.".into(), "File".into(), "Kind".into(), "Date".into(), "Pages".into(), "Redactions".into()],
//!             rows: vec![vec![t("1"), t("0001-email-2025-03-14.pdf"), t("Email"), t("14 Mar 2025"), t("1"), t("2")]],
//!         },
//!         Block::Heading("What the codes mean".into()),
//!         Block::Table {
//!             headings: vec!["Code".into(), "Meaning".into()],
//!             rows: vec![vec![
//!                 t("THIRD-PARTY"),
//!                 t("Information about another person, removed because they have not agreed to its release."),
//!             ]],
//!         },
//!         Block::Heading("Withheld".into()),
//!         Block::Paragraph(t("Nothing was withheld in full.")),
//!     ],
//! };
//! let out = render(&doc, &Stamp { reference: "SAR-2025-014".into() }).unwrap();
//! assert_eq!(out.pages, 2);
//! ```

mod fonts;
mod inline;
mod layout;
mod paint;
mod spans;
mod stamp;

pub use spans::spans_with_redactions;
pub use stamp::stamp_pdf;

/// A piece of inline text: either visible text or a redaction showing only its reason code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Span {
    Text(String),
    Redacted { code: String },
}

/// A unit of page layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// Document title, large and bold.
    Title(String),
    Heading(String),
    /// Wrapped text; runs of whitespace, including newlines, become single spaces.
    Paragraph(Vec<Span>),
    /// Keeps line breaks and spaces (mail bodies); long lines wrap.
    Preformatted(Vec<Span>),
    /// Label / value rows, such as mail headers (From, To, Date, Subject, Attachments).
    Fields(Vec<(String, Vec<Span>)>),
    /// Spreadsheet rows. Headings repeat on every page; cells wrap; many columns shrink the
    /// type (down to 5pt) and turn the document to landscape when portrait would go below 8pt.
    Table {
        headings: Vec<String>,
        rows: Vec<Vec<Vec<Span>>>,
    },
    Bullets(Vec<Vec<Span>>),
    /// Starts a new page (ignored at the top of an empty page).
    PageBreak,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    pub blocks: Vec<Block>,
}

/// What every page carries in its bottom margin, with "page N of M".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub reference: String,
}

#[derive(Clone, Debug)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub pages: usize,
    /// Characters the embedded font cannot draw, shown as U+FFFD "�" instead (for example CJK).
    /// Worth a warning in the run report: the page shows a placeholder, not the character.
    pub replaced_chars: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("font error: {0}")]
    Font(String),
    #[error("layout error: {0}")]
    Layout(String),
    #[error("could not write the PDF: {0}")]
    Pdf(String),
    #[error("could not stamp the PDF: {0}")]
    Stamp(String),
}

/// [`render`] for long documents (the bundle's index letter lists every document): pages are
/// painted as they are laid out, so memory holds one laid-out page, not all of them, at the
/// cost of laying the document out twice (once to count the pages for "page N of M"). The
/// bytes are the same as [`render`]'s.
pub fn render_long(doc: &Document, stamp: &Stamp) -> Result<Rendered, RenderError> {
    let mut painter = paint::Painter::new()?;
    let (pages, replaced_chars) = layout::layout_each(doc, stamp, &mut |page| painter.page(page))?;
    Ok(Rendered {
        bytes: painter.finish()?,
        pages,
        replaced_chars,
    })
}

/// Lays out and writes `doc` as a PDF, stamping every page with `stamp` and "page N of M".
pub fn render(doc: &Document, stamp: &Stamp) -> Result<Rendered, RenderError> {
    let laid = layout::layout(doc, stamp)?;
    let pages = laid.pages.len();
    let bytes = paint::paint(laid.pages)?;
    Ok(Rendered {
        bytes,
        pages,
        replaced_chars: laid.replaced_chars,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<Span> {
        vec![Span::Text(s.into())]
    }

    /// An index letter as seal writes one for a large bundle: a letter, then a table of
    /// thousands of documents running over many pages, a page break, and a closing section.
    fn long_index() -> Document {
        let rows = (1..=2500)
            .map(|i| {
                vec![
                    t(&format!("{i:05}-email-2025-03-14.pdf")),
                    t(&format!("Email of 2025-03-14, attached to {:05}", i / 3)),
                    t(&format!("{}", i % 7 + 1)),
                ]
            })
            .collect();
        Document {
            blocks: vec![
                Block::Title("Your Subject Access Request".into()),
                Block::Paragraph(t(
                    "Dear Ms Hartley, we enclose copies of the documents below.",
                )),
                Block::Table {
                    headings: vec!["File".into(), "What it is".into(), "Pages".into()],
                    rows,
                },
                Block::PageBreak,
                Block::Heading("Your rights".into()),
                Block::Bullets(vec![
                    t("You may complain to the ICO."),
                    t("Zoë Łukasz Siobhán"),
                ]),
            ],
        }
    }

    #[test]
    fn a_long_document_painted_page_by_page_is_the_same_pdf() {
        let doc = long_index();
        let stamp = Stamp {
            reference: "SAR-2026-014".into(),
        };
        let whole = render(&doc, &stamp).expect("render");
        let long = render_long(&doc, &stamp).expect("render_long");
        assert!(whole.pages > 40, "{} pages", whole.pages);
        assert_eq!(long.pages, whole.pages);
        assert_eq!(long.replaced_chars, whole.replaced_chars);
        assert!(long.bytes == whole.bytes, "the two PDFs differ");
    }

    #[test]
    fn pages_are_handed_on_one_at_a_time_stamped_with_their_number() {
        let doc = long_index();
        let stamp = Stamp {
            reference: "SAR-2026-014".into(),
        };
        let mut seen = Vec::new();
        let (pages, _) = layout::layout_each(&doc, &stamp, &mut |page| {
            // The footer's "page N of M" is the last text on every page.
            let label = page.ops.iter().rev().find_map(|op| match op {
                layout::Op::Text { text, .. } => Some(text.clone()),
                _ => None,
            });
            seen.push(label.unwrap_or_default());
            Ok(())
        })
        .expect("laid out");
        assert_eq!(seen.len(), pages);
        assert_eq!(seen[0], format!("page 1 of {pages}"));
        assert_eq!(seen[pages - 1], format!("page {pages} of {pages}"));
        // A failing sink stops the render with its error.
        let err = layout::layout_each(&doc, &stamp, &mut |_| {
            Err(RenderError::Pdf("disk full".into()))
        })
        .expect_err("the sink's error");
        assert!(err.to_string().contains("disk full"), "{err}");
    }
}
