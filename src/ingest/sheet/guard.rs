//! What a workbook may cost to read. calamine trusts what a file declares, so these bounds are
//! checked before and while it reads: per sheet, per workbook, and around every call into it.

use super::workbook::SheetText;
use crate::ingest::model::{Limits, ReadError};
use crate::ingest::unwind::catch_panic;

/// Most cells one sheet may hold. calamine keeps an .xls/.ods sheet as a dense grid of 32-byte
/// cells (plus a grid of formula strings), so this is also what bounds its memory per sheet.
pub const MAX_CELLS_PER_SHEET: u64 = 5_000_000;

/// Most cells a whole workbook may hold: .xls and .ods keep all sheets in memory at once.
pub const MAX_CELLS_PER_WORKBOOK: u64 = 20_000_000;

/// Runs calamine code, wording a panic as a sheet or workbook failure.
pub(super) fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    catch_panic(f).map_err(|msg| {
        format!(
            "{what}: parser failed on malformed data {}",
            msg.unwrap_or_default()
        )
        .trim_end()
        .to_string()
    })
}

pub(super) fn too_many_sheets(n: usize, limits: &Limits) -> Result<(), ReadError> {
    if n > limits.max_entries {
        return Err(ReadError::Limit(format!(
            "workbook has {n} sheets, over the {} entry limit",
            limits.max_entries
        )));
    }
    Ok(())
}

/// Workbook-wide caps for the streamed formats, where each sheet is checked as it is read.
#[derive(Default)]
pub(super) struct WorkbookBudget {
    cells: u64,
    text: u64,
}

impl WorkbookBudget {
    pub(super) fn add(&mut self, r: &Result<SheetText, String>) {
        if let Ok(s) = r {
            self.text += s.text.len() as u64;
            self.cells += s.cells;
        }
    }

    pub(super) fn exhausted(&self, limits: &Limits) -> Option<String> {
        if self.cells > MAX_CELLS_PER_WORKBOOK {
            return Some(format!(
                "limit reached: workbook has more than {MAX_CELLS_PER_WORKBOOK} cells"
            ));
        }
        if self.text > limits.max_item_bytes {
            return Some(format!(
                "limit reached: workbook text is over {} bytes",
                limits.max_item_bytes
            ));
        }
        None
    }
}
