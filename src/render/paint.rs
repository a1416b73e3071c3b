//! Painting laid-out pages with krilla: fonts embedded as subsets, nothing else added.
//!
//! No metadata is written (no title, producer, dates or XMP): the verify step treats metadata
//! as a finding, and a timestamp would break byte-for-byte reproducibility. krilla derives the
//! trailer `/ID` from a hash of the document content, so equal input gives equal bytes.

use std::sync::LazyLock;

use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};

use super::fonts::{Weight, BOLD_TTF, REGULAR_TTF};
use super::layout::{Op, PageOps};
use super::RenderError;

/// Parsed once per process: krilla hashes the whole font file when a `Font` is created.
static FONTS: LazyLock<Option<(Font, Font)>> = LazyLock::new(|| {
    Some((
        Font::new(REGULAR_TTF.into(), 0)?,
        Font::new(BOLD_TTF.into(), 0)?,
    ))
});

/// Paints `pages` into one PDF, letting each go once painted.
pub(crate) fn paint(pages: Vec<PageOps>) -> Result<Vec<u8>, RenderError> {
    let mut painter = Painter::new()?;
    for page in pages {
        painter.page(page)?;
    }
    painter.finish()
}

/// A PDF being painted a page at a time, so a caller that lays pages out one by one
/// ([`super::layout::layout_each`]) never holds more than one laid-out page.
pub(crate) struct Painter {
    document: Document,
    regular: Font,
    bold: Font,
    pages: usize,
}

impl Painter {
    pub(crate) fn new() -> Result<Painter, RenderError> {
        let (regular, bold) = FONTS.as_ref().ok_or_else(|| {
            RenderError::Font("embedded fonts could not be loaded by krilla".into())
        })?;
        let settings = SerializeSettings {
            xmp_metadata: false,
            enable_tagging: false,
            ..SerializeSettings::default()
        };
        Ok(Painter {
            document: Document::new_with(settings),
            regular: regular.clone(),
            bold: bold.clone(),
            pages: 0,
        })
    }

    pub(crate) fn page(&mut self, page_ops: PageOps) -> Result<(), RenderError> {
        self.pages += 1;
        let settings = PageSettings::from_wh(page_ops.width, page_ops.height).ok_or_else(|| {
            RenderError::Layout(format!("page {} has an invalid size", self.pages))
        })?;
        let mut page = self.document.start_page_with(settings);
        let mut surface = page.surface();
        for op in page_ops.ops {
            match op {
                Op::Fill {
                    x,
                    top,
                    width,
                    height,
                    gray,
                } => fill_rect(&mut surface, x, top, width, height, gray),
                Op::Redaction {
                    x,
                    top,
                    width,
                    height,
                } => fill_rect(&mut surface, x, top, width, height, 0),
                Op::Text {
                    x,
                    baseline,
                    size,
                    weight,
                    gray,
                    text,
                    glyphs,
                } => {
                    let glyphs: Vec<KrillaGlyph> = glyphs
                        .into_iter()
                        .map(|g| {
                            KrillaGlyph::new(
                                GlyphId::new(u32::from(g.id)),
                                g.advance,
                                g.x_offset,
                                g.y_offset,
                                0.0,
                                g.cluster,
                                None,
                            )
                        })
                        .collect();
                    let font = match weight {
                        Weight::Regular => self.regular.clone(),
                        Weight::Bold => self.bold.clone(),
                    };
                    surface.set_fill(Some(gray_fill(gray)));
                    surface.draw_glyphs(
                        Point::from_xy(x, baseline),
                        &glyphs,
                        font,
                        &text,
                        size,
                        false,
                    );
                }
            }
        }
        surface.finish();
        page.finish();
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<Vec<u8>, RenderError> {
        self.document
            .finish()
            .map_err(|e| RenderError::Pdf(format!("{e:?}")))
    }
}

fn gray_fill(gray: u8) -> Fill {
    Fill {
        paint: luma::Color::new(gray).into(),
        ..Fill::default()
    }
}

fn fill_rect(
    surface: &mut krilla::surface::Surface<'_>,
    x: f32,
    top: f32,
    width: f32,
    height: f32,
    gray: u8,
) {
    let Some(rect) = Rect::from_xywh(x, top, width, height) else {
        return;
    };
    let mut path = PathBuilder::new();
    path.push_rect(rect);
    if let Some(path) = path.finish() {
        surface.set_fill(Some(gray_fill(gray)));
        surface.draw_path(&path);
    }
}
