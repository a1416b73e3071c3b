//! The PDF engine: true redaction of text from every place a PDF can hold it.
//!
//! `interpret` walks content streams and reports glyphs; `layout` turns glyphs into searchable
//! text and plans removals; `rewrite` re-emits content without the removed glyphs; `sanitize`
//! cleans everything that is not page content; `write` saves afresh; `selfcheck` re-reads the
//! result before it is released.

pub mod fonts;
mod fontscrub;
pub mod geom;
mod inline_image;
pub mod inspect;
pub mod interpret;
pub mod layout;
pub mod objects;
mod redact;
pub mod rewrite;
pub mod sanitize;
pub mod selfcheck;
pub mod strings;
mod write;

pub use redact::{
    load, redact_pdf, redact_pdf_with_regions, scan_pages, PdfError, RedactedPdf, Redaction,
    Review, REGION_TERM,
};
