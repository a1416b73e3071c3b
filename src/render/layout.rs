//! Page layout: blocks to positioned drawing operations, page by page.
//!
//! The result is plain data (`Vec<PageOps>`), painted by `paint.rs`. Keeping layout apart from
//! PDF writing lets the tests check geometry (box widths, margins, pagination) directly, and
//! lets the footer print "page N of M" because M is known before anything is written.

use super::fonts::{ShapedGlyph, Shaper, Weight};
use super::inline::{measure_em, pieces, wrap, Line, LineItem, Piece, Whitespace};
use super::spans::clean_text;
use super::{Block, Document, RenderError, Span, Stamp};

/// A4 in points.
const A4: (f32, f32) = (595.276, 841.89);
const MARGIN: f32 = 54.0;
/// The bottom margin is deeper: it holds the stamp.
const MARGIN_BOTTOM: f32 = 64.0;
const BODY_SIZE: f32 = 10.0;
const PRE_SIZE: f32 = 9.5;
const LINE_HEIGHT: f32 = 1.3;
/// Width of every redaction box, in em of the surrounding text. Fixed so that a box says
/// nothing about the length of what it hides.
pub(crate) const REDACTION_BOX_EM: f32 = 7.0;
const STAMP_SIZE: f32 = 8.0;
/// Table cell padding, in em of the table's font size.
const CELL_PAD_EM: f32 = 0.35;

/// One drawing operation; coordinates are points from the page's top-left corner.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        gray: u8,
        text: String,
        glyphs: Vec<ShapedGlyph>,
    },
    /// A solid black box; its reason-code label is a separate white `Text` op drawn on top.
    Redaction {
        x: f32,
        top: f32,
        width: f32,
        height: f32,
    },
    Fill {
        x: f32,
        top: f32,
        width: f32,
        height: f32,
        gray: u8,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct PageOps {
    pub width: f32,
    pub height: f32,
    pub ops: Vec<Op>,
}

/// The laid-out document plus what the caller should know about it.
pub(crate) struct Laid {
    pub pages: Vec<PageOps>,
    pub replaced_chars: usize,
}

pub(crate) fn layout(doc: &Document, stamp: &Stamp) -> Result<Laid, RenderError> {
    let mut pages = Vec::new();
    let replaced = layout_into(doc, stamp, Pages::Keep(&mut pages))?;
    Ok(Laid {
        pages,
        replaced_chars: replaced,
    })
}

/// Lays `doc` out and hands each finished page, stamped, to `sink` in order, holding one page
/// at a time: a long document (the index of a bundle of 60,000 documents runs to 1,500 pages,
/// ~135 KB of glyph positions a page) never holds its layout whole. "page N of M" needs M, so
/// the document is laid out twice, the first time only to count. Returns (pages, replaced).
pub(crate) fn layout_each(
    doc: &Document,
    stamp: &Stamp,
    sink: &mut dyn FnMut(PageOps) -> Result<(), RenderError>,
) -> Result<(usize, usize), RenderError> {
    let mut total = 0;
    layout_into(doc, stamp, Pages::Count(&mut total))?;
    let mut emitted = 0;
    let replaced = layout_into(
        doc,
        stamp,
        Pages::Stream {
            total,
            emitted: &mut emitted,
            sink,
        },
    )?;
    if emitted != total {
        return Err(RenderError::Layout(format!(
            "laid out {emitted} pages, counted {total} (layout is not deterministic)"
        )));
    }
    Ok((total, replaced))
}

/// Where finished pages go: all kept (stamped at the end), only counted, or stamped and handed
/// on one at a time.
enum Pages<'a> {
    Keep(&'a mut Vec<PageOps>),
    Count(&'a mut usize),
    Stream {
        total: usize,
        emitted: &'a mut usize,
        sink: &'a mut dyn FnMut(PageOps) -> Result<(), RenderError>,
    },
}

fn layout_into(doc: &Document, stamp: &Stamp, out: Pages<'_>) -> Result<usize, RenderError> {
    let mut shaper = Shaper::new()?;
    let plans: Vec<Option<TablePlan>> = doc
        .blocks
        .iter()
        .map(|b| match b {
            Block::Table { headings, rows } => {
                Some(TablePlan::measure(headings, rows, &mut shaper))
            }
            _ => None,
        })
        .collect();
    let portrait_width = A4.0 - 2.0 * MARGIN;
    // Landscape when a table would otherwise need type smaller than 8pt: wide sheets stay
    // readable, and the whole document turns so pages do not alternate.
    let landscape = plans
        .iter()
        .flatten()
        .any(|p| p.size_for(portrait_width).is_none_or(|s| s < 8.0));
    let (width, height) = if landscape { (A4.1, A4.0) } else { A4 };

    let mut flow = Flow {
        shaper,
        pages: Vec::new(),
        width,
        height,
        y: MARGIN,
        replaced: 0,
        out,
        reference: clean_text(&stamp.reference).replace('\n', " "),
        error: None,
    };
    flow.new_page();
    for (block, plan) in doc.blocks.iter().zip(plans) {
        flow.block(block, plan);
    }
    flow.finish()?;
    Ok(flow.replaced)
}

struct Flow<'a> {
    shaper: Shaper,
    /// Pages not yet handed on: all of them when kept, else only the one being filled.
    pages: Vec<PageOps>,
    width: f32,
    height: f32,
    y: f32,
    replaced: usize,
    out: Pages<'a>,
    /// The case reference for the stamp, cleaned once.
    reference: String,
    /// The sink's first error; layout goes on (it cannot stop mid-block) and reports it.
    error: Option<RenderError>,
}

impl Flow<'_> {
    fn content_width(&self) -> f32 {
        self.width - 2.0 * MARGIN
    }

    fn bottom(&self) -> f32 {
        self.height - MARGIN_BOTTOM
    }

    fn new_page(&mut self) {
        if !matches!(self.out, Pages::Keep(_)) {
            if let Some(done) = self.pages.pop() {
                self.hand_on(done);
            }
        }
        self.pages.push(PageOps {
            width: self.width,
            height: self.height,
            ops: Vec::new(),
        });
        self.y = MARGIN;
    }

    fn page_is_empty(&self) -> bool {
        self.pages.last().is_none_or(|p| p.ops.is_empty())
    }

    /// Starts a new page unless `height` more points fit on this one (or this one is empty,
    /// where nothing is gained by moving on).
    fn ensure(&mut self, height: f32) {
        if self.y + height > self.bottom() && !self.page_is_empty() {
            self.new_page();
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.ops.push(op);
        }
    }

    fn gap(&mut self, points: f32) {
        if !self.page_is_empty() {
            self.y += points;
        }
    }

    fn block(&mut self, block: &Block, plan: Option<TablePlan>) {
        match block {
            Block::Title(text) => {
                self.text_block(
                    &[Span::Text(text.clone())],
                    Weight::Bold,
                    18.0,
                    Whitespace::Collapse,
                );
                self.gap(10.0);
            }
            Block::Heading(text) => {
                self.gap(6.0);
                self.ensure(13.0 * LINE_HEIGHT * 3.0);
                self.text_block(
                    &[Span::Text(text.clone())],
                    Weight::Bold,
                    13.0,
                    Whitespace::Collapse,
                );
                self.gap(4.0);
            }
            Block::Paragraph(spans) => {
                self.text_block(spans, Weight::Regular, BODY_SIZE, Whitespace::Collapse);
                self.gap(6.0);
            }
            Block::Preformatted(spans) => {
                self.text_block(spans, Weight::Regular, PRE_SIZE, Whitespace::Preserve);
                self.gap(6.0);
            }
            Block::Fields(rows) => self.fields(rows),
            Block::Bullets(items) => self.bullets(items),
            Block::Table { headings, rows } => {
                if let Some(plan) = plan {
                    self.table(headings, rows, &plan);
                }
            }
            Block::PageBreak => {
                if !self.page_is_empty() {
                    self.new_page();
                }
            }
        }
    }

    fn lines(
        &mut self,
        spans: &[Span],
        weight: Weight,
        size: f32,
        width: f32,
        ws: Whitespace,
    ) -> Vec<Line> {
        let (p, replaced) = pieces(spans, weight, ws, &mut self.shaper);
        self.replaced += replaced;
        wrap(
            &p,
            weight,
            size,
            width,
            REDACTION_BOX_EM * size,
            &mut self.shaper,
        )
    }

    fn text_block(&mut self, spans: &[Span], weight: Weight, size: f32, ws: Whitespace) {
        let lines = self.lines(spans, weight, size, self.content_width(), ws);
        for line in &lines {
            self.ensure(size * LINE_HEIGHT);
            self.emit_line(line, MARGIN, self.y, weight, size);
            self.y += size * LINE_HEIGHT;
        }
    }

    /// Draws one line whose top is at `top`.
    fn emit_line(&mut self, line: &Line, left: f32, top: f32, weight: Weight, size: f32) {
        let baseline = top + size;
        for item in &line.items {
            match item {
                LineItem::Run { x, text, glyphs } => self.push(Op::Text {
                    x: left + x,
                    baseline,
                    size,
                    weight,
                    gray: 0,
                    text: text.clone(),
                    glyphs: glyphs.clone(),
                }),
                LineItem::Redaction { x, width, code } => {
                    let (x, box_top, height) = (left + x, top + 0.05 * size, 1.2 * size);
                    self.push(Op::Redaction {
                        x,
                        top: box_top,
                        width: *width,
                        height,
                    });
                    self.redaction_label(code, x, box_top, *width, height, size);
                }
            }
        }
    }

    /// The reason code in small white capitals, centred in the box and shrunk to fit it.
    fn redaction_label(
        &mut self,
        code: &str,
        x: f32,
        top: f32,
        width: f32,
        height: f32,
        size: f32,
    ) {
        let label = self.shaper.shape(code, Weight::Bold);
        if label.width <= 0.0 {
            return;
        }
        let room = (width - 0.3 * size).max(1.0);
        let label_size = (0.55 * size).min(room / label.width);
        self.push(Op::Text {
            x: x + (width - label.width * label_size) / 2.0,
            baseline: top + height / 2.0 + 0.36 * label_size,
            size: label_size,
            weight: Weight::Bold,
            gray: 255,
            text: label.text.clone(),
            glyphs: label.glyphs.clone(),
        });
    }

    fn fields(&mut self, rows: &[(String, Vec<Span>)]) {
        let size = BODY_SIZE;
        let label_width = rows
            .iter()
            .map(|(label, _)| self.shaper.shape(&clean_text(label), Weight::Bold).width * size)
            .fold(0.0, f32::max)
            .min(self.content_width() * 0.3)
            + size;
        let value_width = self.content_width() - label_width;
        for (label, value) in rows {
            let labels = self.lines(
                &[Span::Text(label.clone())],
                Weight::Bold,
                size,
                label_width - size,
                Whitespace::Collapse,
            );
            let values = self.lines(
                value,
                Weight::Regular,
                size,
                value_width,
                Whitespace::Collapse,
            );
            let count = labels.len().max(values.len());
            for i in 0..count {
                self.ensure(size * LINE_HEIGHT);
                if let Some(line) = labels.get(i) {
                    self.emit_line(line, MARGIN, self.y, Weight::Bold, size);
                }
                if let Some(line) = values.get(i) {
                    self.emit_line(line, MARGIN + label_width, self.y, Weight::Regular, size);
                }
                self.y += size * LINE_HEIGHT;
            }
        }
        self.y += 3.0;
        self.push(Op::Fill {
            x: MARGIN,
            top: self.y,
            width: self.content_width(),
            height: 0.6,
            gray: 160,
        });
        self.y += 9.0;
    }

    fn bullets(&mut self, items: &[Vec<Span>]) {
        let size = BODY_SIZE;
        let indent = 1.4 * size;
        let bullet = self.lines(
            &[Span::Text("•".into())],
            Weight::Regular,
            size,
            indent,
            Whitespace::Collapse,
        );
        for item in items {
            let lines = self.lines(
                item,
                Weight::Regular,
                size,
                self.content_width() - indent,
                Whitespace::Collapse,
            );
            for (i, line) in lines.iter().enumerate() {
                self.ensure(size * LINE_HEIGHT);
                if i == 0 {
                    if let Some(b) = bullet.first() {
                        self.emit_line(b, MARGIN + 0.3 * size, self.y, Weight::Regular, size);
                    }
                }
                self.emit_line(line, MARGIN + indent, self.y, Weight::Regular, size);
                self.y += size * LINE_HEIGHT;
            }
            self.y += 2.0;
        }
        self.gap(4.0);
    }

    fn table(&mut self, headings: &[String], rows: &[Vec<Vec<Span>>], plan: &TablePlan) {
        let available = self.content_width();
        let size = plan.size_for(available).unwrap_or(MIN_TABLE_SIZE);
        let columns = plan.columns.len();
        if columns == 0 {
            return;
        }
        let widths = plan.widths(available, size);
        let pad = CELL_PAD_EM * size;
        let line_h = size * LINE_HEIGHT;

        let heading_spans: Vec<Vec<Span>> = (0..columns)
            .map(|c| vec![Span::Text(headings.get(c).cloned().unwrap_or_default())])
            .collect();
        let heading_cells = self.cells(&heading_spans, &widths, Weight::Bold, size, pad);
        let heading_height =
            heading_cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * line_h + 2.0 * pad;
        let has_headings = headings.iter().any(|h| !h.trim().is_empty());

        let draw_headings = |flow: &mut Flow| {
            if !has_headings {
                return;
            }
            flow.push(Op::Fill {
                x: MARGIN,
                top: flow.y,
                width: widths.iter().sum(),
                height: heading_height,
                gray: 225,
            });
            let mut x = MARGIN;
            for (cell, w) in heading_cells.iter().zip(&widths) {
                for (i, line) in cell.iter().enumerate() {
                    flow.emit_line(
                        line,
                        x + pad,
                        flow.y + pad + i as f32 * line_h,
                        Weight::Bold,
                        size,
                    );
                }
                x += w;
            }
            flow.y += heading_height;
        };

        let min_start = if has_headings { heading_height } else { 0.0 } + line_h + 2.0 * pad;
        self.ensure(min_start);
        draw_headings(self);

        // True right after a page break inside the table: moving on again could not help, so
        // a row (or headings) too tall for the page overflows rather than looping for ever.
        let mut fresh_page = false;
        for row in rows {
            let cells = self.cells(row, &widths, Weight::Regular, size, pad);
            let mut done = 0;
            let total = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            while done < total {
                let room = ((self.bottom() - self.y - 2.0 * pad) / line_h)
                    .floor()
                    .max(0.0) as usize;
                let split_needed = done == 0 && room < total && total * 2 < self.max_lines(line_h);
                if !fresh_page && (room == 0 || split_needed) {
                    // Move the whole row on when it would fit on a fresh page; split only rows
                    // taller than half a page.
                    self.new_page();
                    draw_headings(self);
                    fresh_page = true;
                    continue;
                }
                fresh_page = false;
                let room = room.max(1);
                let take = room.min(total - done);
                let mut x = MARGIN;
                for (cell, w) in cells.iter().zip(&widths) {
                    for (i, line) in cell.iter().skip(done).take(take).enumerate() {
                        self.emit_line(
                            line,
                            x + pad,
                            self.y + pad + i as f32 * line_h,
                            Weight::Regular,
                            size,
                        );
                    }
                    x += w;
                }
                self.y += take as f32 * line_h + 2.0 * pad;
                self.push(Op::Fill {
                    x: MARGIN,
                    top: self.y - 0.25,
                    width: widths.iter().sum(),
                    height: 0.5,
                    gray: 200,
                });
                done += take;
            }
        }
        self.gap(8.0);
    }

    fn max_lines(&self, line_h: f32) -> usize {
        ((self.bottom() - MARGIN) / line_h) as usize
    }

    fn cells(
        &mut self,
        row: &[Vec<Span>],
        widths: &[f32],
        weight: Weight,
        size: f32,
        pad: f32,
    ) -> Vec<Vec<Line>> {
        widths
            .iter()
            .enumerate()
            .map(|(c, w)| match row.get(c) {
                Some(spans) => self.lines(spans, weight, size, w - 2.0 * pad, Whitespace::Collapse),
                None => Vec::new(),
            })
            .collect()
    }

    /// A page that is finished, in streaming or counting mode.
    fn hand_on(&mut self, mut page: PageOps) {
        match &mut self.out {
            Pages::Keep(_) => {}
            Pages::Count(n) => **n += 1,
            Pages::Stream { total, emitted, .. } => {
                let (n, total) = (**emitted, *total);
                **emitted += 1;
                stamp_page(
                    &mut self.shaper,
                    &self.reference,
                    &mut page,
                    n,
                    total,
                    &mut self.replaced,
                );
                if let Pages::Stream { sink, .. } = &mut self.out {
                    if self.error.is_none() {
                        if let Err(e) = sink(page) {
                            self.error = Some(e);
                        }
                    }
                }
            }
        }
    }

    /// The end of the document: kept pages are stamped now that their number is known; the
    /// last page of a stream is handed on.
    fn finish(&mut self) -> Result<(), RenderError> {
        match &mut self.out {
            Pages::Keep(_) => {
                let mut pages = std::mem::take(&mut self.pages);
                let total = pages.len();
                for (n, page) in pages.iter_mut().enumerate() {
                    stamp_page(
                        &mut self.shaper,
                        &self.reference,
                        page,
                        n,
                        total,
                        &mut self.replaced,
                    );
                }
                if let Pages::Keep(out) = &mut self.out {
                    out.extend(pages);
                }
            }
            _ => {
                if let Some(last) = self.pages.pop() {
                    self.hand_on(last);
                }
            }
        }
        self.error.take().map_or(Ok(()), Err)
    }
}

/// The footer of page `n` (0-based) of `total`: a rule, the case reference on the left and
/// "page N of M" on the right.
fn stamp_page(
    shaper: &mut Shaper,
    reference: &str,
    page: &mut PageOps,
    n: usize,
    total: usize,
    replaced: &mut usize,
) {
    let size = STAMP_SIZE;
    let label = format!("page {} of {}", n + 1, total);
    let right = shaper.shape(&label, Weight::Regular);
    let left = shaper.shape(reference, Weight::Regular);
    *replaced += left.replaced;
    let baseline = page.height - MARGIN_BOTTOM / 2.0;
    page.ops.push(Op::Fill {
        x: MARGIN,
        top: baseline - size * 1.6,
        width: page.width - 2.0 * MARGIN,
        height: 0.5,
        gray: 160,
    });
    page.ops.push(Op::Text {
        x: MARGIN,
        baseline,
        size,
        weight: Weight::Regular,
        gray: 60,
        text: left.text.clone(),
        glyphs: left.glyphs.clone(),
    });
    page.ops.push(Op::Text {
        x: page.width - MARGIN - right.width * size,
        baseline,
        size,
        weight: Weight::Regular,
        gray: 60,
        text: right.text.clone(),
        glyphs: right.glyphs.clone(),
    });
}

const TABLE_SIZES: [f32; 5] = [9.0, 8.0, 7.0, 6.0, 5.0];
const MIN_TABLE_SIZE: f32 = 5.0;

/// Column measurements in em (font-size independent), taken before choosing the page
/// orientation and font size.
pub(crate) struct TablePlan {
    columns: Vec<ColumnEm>,
}

struct ColumnEm {
    /// The longest unbreakable piece, capped: a column need not be wider than this.
    min: f32,
    /// The widest cell on one line, capped.
    natural: f32,
}

impl TablePlan {
    fn measure(headings: &[String], rows: &[Vec<Vec<Span>>], shaper: &mut Shaper) -> Self {
        let count = rows
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .max(headings.len());
        let mut columns: Vec<ColumnEm> = (0..count)
            .map(|_| ColumnEm {
                min: 3.0,
                natural: 3.0,
            })
            .collect();
        let space_r = shaper.shape(" ", Weight::Regular).width;
        let space_b = shaper.shape(" ", Weight::Bold).width;
        let mut note = |c: usize, p: &[Piece], space: f32| {
            let (longest, line) = measure_em(p, space, REDACTION_BOX_EM);
            if let Some(col) = columns.get_mut(c) {
                col.min = col.min.max(longest.min(10.0));
                col.natural = col.natural.max(line.min(30.0));
            }
        };
        for (c, h) in headings.iter().enumerate() {
            let (p, _) = pieces(
                &[Span::Text(h.clone())],
                Weight::Bold,
                Whitespace::Collapse,
                shaper,
            );
            note(c, &p, space_b);
        }
        for row in rows {
            for (c, cell) in row.iter().enumerate() {
                let (p, _) = pieces(cell, Weight::Regular, Whitespace::Collapse, shaper);
                note(c, &p, space_r);
            }
        }
        for col in &mut columns {
            col.natural = col.natural.max(col.min);
        }
        Self { columns }
    }

    /// The largest font size at which every column gets its minimum width, if any.
    fn size_for(&self, available: f32) -> Option<f32> {
        let min_em: f32 = self.columns.iter().map(|c| c.min + 2.0 * CELL_PAD_EM).sum();
        TABLE_SIZES
            .into_iter()
            .find(|size| min_em * size <= available)
    }

    /// Column widths in points, filling `available`.
    fn widths(&self, available: f32, size: f32) -> Vec<f32> {
        let pad = 2.0 * CELL_PAD_EM;
        let min: Vec<f32> = self.columns.iter().map(|c| (c.min + pad) * size).collect();
        let natural: Vec<f32> = self
            .columns
            .iter()
            .map(|c| (c.natural + pad) * size)
            .collect();
        let sum_min: f32 = min.iter().sum();
        let sum_nat: f32 = natural.iter().sum();
        if sum_min >= available {
            // Even the minimum does not fit at the smallest size: share the width out in
            // proportion; long words will break inside cells.
            return min.iter().map(|m| m / sum_min * available).collect();
        }
        if sum_nat <= available {
            return natural.iter().map(|n| n / sum_nat * available).collect();
        }
        let ratio = (available - sum_min) / (sum_nat - sum_min);
        min.iter()
            .zip(&natural)
            .map(|(m, n)| m + (n - m) * ratio)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(blocks: Vec<Block>) -> Document {
        Document { blocks }
    }

    fn stamp() -> Stamp {
        Stamp {
            reference: "SAR-2025-014".into(),
        }
    }

    fn redactions(page: &PageOps) -> Vec<(f32, f32)> {
        page.ops
            .iter()
            .filter_map(|op| match op {
                Op::Redaction { x, width, .. } => Some((*x, *width)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn everything_stays_inside_the_page() {
        let long = "word ".repeat(2000);
        let laid = layout(
            &doc(vec![
                Block::Title("Email".into()),
                Block::Paragraph(vec![Span::Text(long)]),
                Block::Preformatted(vec![Span::Text("x".repeat(5000))]),
            ]),
            &stamp(),
        )
        .unwrap();
        assert!(laid.pages.len() > 3);
        for page in &laid.pages {
            for op in &page.ops {
                if let Op::Text {
                    x,
                    baseline,
                    size,
                    glyphs,
                    ..
                } = op
                {
                    let w: f32 = glyphs.iter().map(|g| g.advance).sum::<f32>() * size;
                    assert!(
                        *x >= MARGIN - 0.01 && x + w <= page.width - MARGIN + 0.01,
                        "x {x} w {w}"
                    );
                    assert!(*baseline <= page.height - MARGIN_BOTTOM / 2.0 + 0.01);
                }
            }
        }
    }

    #[test]
    fn redaction_boxes_have_one_width_whatever_they_hide() {
        let text = "Sam and Al met Bartholomew-Fitzwilliam Montgomery-Smythe today";
        let short = 8..10; // "Al"
        let long = 15..56; // the 40-odd letter name
        let spans = super::super::spans_with_redactions(
            text,
            &[(short, "THIRD-PARTY".into()), (long, "THIRD-PARTY".into())],
        );
        let laid = layout(&doc(vec![Block::Paragraph(spans)]), &stamp()).unwrap();
        let boxes = redactions(&laid.pages[0]);
        assert_eq!(boxes.len(), 2);
        assert_eq!(boxes[0].1, boxes[1].1);
        assert_eq!(boxes[0].1, REDACTION_BOX_EM * BODY_SIZE);
    }

    #[test]
    fn wide_tables_go_landscape_and_headings_repeat() {
        let headings: Vec<String> = (0..14).map(|i| format!("Column heading {i}")).collect();
        let rows: Vec<Vec<Vec<Span>>> = (0..400)
            .map(|r| {
                (0..14)
                    .map(|c| vec![Span::Text(format!("r{r}c{c} value"))])
                    .collect()
            })
            .collect();
        let laid = layout(&doc(vec![Block::Table { headings, rows }]), &stamp()).unwrap();
        assert!(laid.pages.len() > 2);
        for page in &laid.pages {
            assert!(page.width > page.height, "landscape");
            let headings = page
                .ops
                .iter()
                .filter(|op| matches!(op, Op::Text { text, .. } if text.starts_with("Column")))
                .count();
            assert_eq!(headings, 14, "every page repeats all headings");
        }
    }

    #[test]
    fn rows_and_headings_taller_than_a_page_still_terminate() {
        let huge = "word ".repeat(3000);
        let headings = vec![huge.clone(), "b".into()];
        let rows = vec![
            vec![vec![Span::Text(huge.clone())], vec![Span::Text("x".into())]],
            vec![
                vec![Span::Text("short".into())],
                vec![Span::Text("y".into())],
            ],
        ];
        let laid = layout(&doc(vec![Block::Table { headings, rows }]), &stamp()).unwrap();
        assert!(
            laid.pages.len() > 2 && laid.pages.len() < 200,
            "{}",
            laid.pages.len()
        );
        let texts: Vec<&str> = laid
            .pages
            .iter()
            .flat_map(|p| &p.ops)
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert!(texts.contains(&"short") && texts.contains(&"y"));
    }

    #[test]
    fn empty_document_is_one_stamped_page() {
        let laid = layout(&doc(vec![]), &stamp()).unwrap();
        assert_eq!(laid.pages.len(), 1);
        assert!(laid.pages[0]
            .ops
            .iter()
            .any(|op| matches!(op, Op::Text { text, .. } if text == "page 1 of 1")));
    }
}
