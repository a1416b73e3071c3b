//! A sheet's cells as text: rows become lines and cells tab-separated columns, followed by the
//! sheet's comments and links, the same for every format so a sheet reads alike whatever
//! program saved it.

use std::fmt::Write as _;

use super::guard::MAX_CELLS_PER_SHEET;
use super::values::one_line;
use super::workbook::SheetText;
use crate::ingest::model::Limits;

/// Widest gap between two cells of a row that is written out as tabs. Excel's own maximum is
/// 16,384 columns; xlsb stores 32-bit columns, and a forged one must not turn into 4 GB of tabs.
const MAX_TAB_GAP: u32 = 16_384;

/// A cell comment (xlsx note, ods annotation) or hyperlink target, placed after the sheet's
/// rows: a link's address (a parent's `mailto:`) may appear nowhere in the cells themselves.
#[derive(Debug, Clone)]
pub(super) struct Comment {
    pub(super) row: u32,
    pub(super) col: u32,
    pub(super) author: String,
    pub(super) text: String,
    pub(super) link: bool,
}

/// Sparse cells with caps, shared by every format so all render the same way.
pub(super) struct Cells {
    cells: Vec<(u32, u32, String)>,
    text_bytes: u64,
    max_text: u64,
}

impl Cells {
    pub(super) fn new(limits: &Limits) -> Cells {
        Cells {
            cells: Vec::new(),
            text_bytes: 0,
            max_text: limits.max_item_bytes,
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    pub(super) fn push(&mut self, row: u32, col: u32, text: String) -> Result<(), String> {
        if text.is_empty() {
            return Ok(());
        }
        if self.cells.len() as u64 >= MAX_CELLS_PER_SHEET {
            return Err(format!(
                "limit reached: sheet has more than {MAX_CELLS_PER_SHEET} cells"
            ));
        }
        self.text_bytes += text.len() as u64 + 1;
        if self.text_bytes > self.max_text {
            return Err(format!(
                "limit reached: sheet text is over {} bytes",
                self.max_text
            ));
        }
        self.cells.push((row, col, text));
        Ok(())
    }

    pub(super) fn into_sheet(self, comments: &[Comment], notes: Vec<String>) -> SheetText {
        let cells = self.cells.len() as u64;
        let (text, rows) = self.render(comments);
        SheetText {
            text,
            notes,
            cells,
            rows,
        }
    }

    /// Rows become lines, cells are separated by tabs and aligned on the sheet's leftmost
    /// used column, so a column reads the same way down the text. Rows with no text at all are
    /// left out rather than written as blank lines, so the sheet row and first column of each
    /// row line come back beside the text.
    pub(super) fn render(mut self, comments: &[Comment]) -> (String, Vec<(u32, u32)>) {
        let mut rows = Vec::new();
        self.cells.sort_by_key(|c| (c.0, c.1));
        let min_col = self.cells.iter().map(|c| c.1).min().unwrap_or(0);
        let mut out = String::with_capacity(self.text_bytes as usize);
        let mut row = None;
        let mut cursor = min_col;
        for (r, c, text) in self.cells {
            if row != Some(r) {
                if row.is_some() {
                    out.push('\n');
                }
                row = Some(r);
                rows.push((r, min_col));
                cursor = min_col;
            } else if c <= cursor {
                // Two values at one position (a malformed file): keep the first.
                continue;
            }
            let gap = c.saturating_sub(cursor).min(MAX_TAB_GAP);
            out.extend(std::iter::repeat_n('\t', gap as usize));
            cursor = c;
            out.push_str(&text);
        }
        if !comments.is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&comment_lines(comments));
        }
        (out, rows)
    }
}

/// One line per comment or link, each naming the cell it is attached to.
pub(super) fn comment_lines(comments: &[Comment]) -> String {
    let lines: Vec<String> = comments
        .iter()
        .map(|c| {
            let at = cell_ref(c.row, c.col);
            let text = one_line(&c.text);
            let label = if c.link { "Link" } else { "Comment" };
            if c.author.is_empty() {
                format!("{label} {at}: {text}")
            } else {
                format!("{label} {at} ({}): {text}", one_line(&c.author))
            }
        })
        .collect();
    lines.join("\n")
}

/// A1-style reference, as people and Excel name cells (0-based row and column).
pub fn cell_ref(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.reverse();
    let mut s: String = letters.into_iter().collect();
    let _ = write!(s, "{}", u64::from(row) + 1);
    s
}

/// `"B12"` → `(11, 1)`.
pub(super) fn parse_ref(s: &str) -> Option<(u32, u32)> {
    let s = s.split(':').next()?.replace('$', "");
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = s.split_at(split);
    let mut col: u32 = 0;
    for ch in letters.chars() {
        let v = u32::from(ch.to_ascii_uppercase()).checked_sub(u32::from('A'))? + 1;
        col = col.checked_mul(26)?.checked_add(v)?;
    }
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col.checked_sub(1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_refs() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(9, 27), "AB10");
        assert_eq!(parse_ref("AB10"), Some((9, 27)));
        assert_eq!(parse_ref("$C$3:D4"), Some((2, 2)));
        assert_eq!(parse_ref("10"), None);
    }

    #[test]
    fn rendering_aligns_columns_and_caps_gaps() {
        let limits = Limits::default();
        let mut cells = Cells::new(&limits);
        cells.push(1, 2, "b".into()).expect("push");
        cells.push(0, 1, "a".into()).expect("push");
        cells.push(1, 1, "x y".into()).expect("push");
        cells.push(5, u32::MAX, "far".into()).expect("push");
        let c = [Comment {
            row: 0,
            col: 1,
            author: "Ms Head".into(),
            text: "see\nme".into(),
            link: false,
        }];
        let (text, rows) = cells.render(&c);
        assert_eq!(
            rows,
            [(0, 1), (1, 1), (5, 1)],
            "each row line's sheet row and first column, for cell references"
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "a");
        assert_eq!(lines[1], "x y\tb");
        assert_eq!(lines[2].len(), MAX_TAB_GAP as usize + 3);
        assert!(text.ends_with("\n\nComment B1 (Ms Head): see me"), "{text}");
    }
}
