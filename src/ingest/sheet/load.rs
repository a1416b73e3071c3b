//! Reading workbooks through calamine, the same way for every format it handles: opened under
//! the panic guard with its password error told apart, then each sheet either materialised
//! whole (xls, ods, which calamine only reads that way) or streamed cell by cell (xlsx, xlsb,
//! so a huge sheet never becomes a dense grid).

use std::collections::HashMap;
use std::fmt::Display;
use std::io::Cursor;

use calamine::{Cell, Data, DataRef, Range, Reader, Sheet, WorkbookProperties};

use super::cells::{Cells, Comment};
use super::guard::{guarded, too_many_sheets, WorkbookBudget};
use super::values::cell_text;
use super::workbook::{SheetOut, SheetText};
use crate::ingest::model::{Limits, ReadError};

/// What differs between the formats calamine opens: their name in messages, the error that
/// means a password, and how their document properties are read.
pub(super) trait Format<'a>: Reader<Cursor<&'a [u8]>> {
    const LABEL: &'static str;
    fn is_password(e: &Self::Error) -> bool;
    fn properties(&mut self) -> Result<WorkbookProperties, Self::Error>;
}

macro_rules! calamine_format {
    ($book:ident, $error:ident, $label:literal) => {
        impl<'a> Format<'a> for calamine::$book<Cursor<&'a [u8]>> {
            const LABEL: &'static str = $label;

            fn is_password(e: &calamine::$error) -> bool {
                matches!(e, calamine::$error::Password)
            }

            fn properties(&mut self) -> Result<WorkbookProperties, calamine::$error> {
                self.workbook_properties()
            }
        }
    };
}

calamine_format!(Xls, XlsError, "xls");
calamine_format!(Xlsx, XlsxError, "xlsx");
calamine_format!(Xlsb, XlsbError, "xlsb");
calamine_format!(Ods, OdsError, "ods");

/// A workbook calamine has opened, with what every format reads first.
pub(super) struct Opened<R> {
    pub(super) wb: R,
    pub(super) sheets: Vec<Sheet>,
    pub(super) props: Option<WorkbookProperties>,
}

/// Opens `bytes` as the calamine format `R`. A password error means the workbook is
/// encrypted, anything else that it is corrupt; document properties that cannot be read are
/// left out rather than failing the workbook.
pub(super) fn open<'a, R: Format<'a>>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<Opened<R>, ReadError>
where
    R::Error: Display,
{
    let label = R::LABEL;
    let mut wb: R = guarded(label, || R::new(Cursor::new(bytes)))
        .map_err(ReadError::Corrupt)?
        .map_err(|e| {
            if R::is_password(&e) {
                ReadError::Encrypted("password-protected workbook".into())
            } else {
                ReadError::Corrupt(format!("{label}: {e}"))
            }
        })?;
    let sheets = wb.sheets_metadata().to_vec();
    too_many_sheets(sheets.len(), limits)?;
    let props = guarded(&format!("{label} properties"), || wb.properties())
        .ok()
        .and_then(Result::ok);
    Ok(Opened { wb, sheets, props })
}

/// Every sheet of a workbook calamine materialises whole, with the comments found for it by
/// sheet name.
pub(super) fn dense_sheets<'a, R: Format<'a>>(
    book: &mut Opened<R>,
    comments: &HashMap<String, Vec<Comment>>,
    limits: &Limits,
) -> Vec<SheetOut>
where
    R::Error: Display,
{
    let what = format!("{} sheet", R::LABEL);
    let wb = &mut book.wb;
    book.sheets
        .iter()
        .enumerate()
        .map(|(i, meta)| {
            let comments = comments.get(&meta.name).map(Vec::as_slice).unwrap_or(&[]);
            let result = guarded(&what, || wb.worksheet_range(&meta.name))
                .and_then(|r| r.map_err(|e| format!("cannot read sheet: {e}")))
                .and_then(|range| dense_text(&range, comments, limits));
            SheetOut::listed(meta, i, result)
        })
        .collect()
}

/// Every sheet of a streamed workbook, each read by `read_sheet` until the workbook as a whole
/// is over budget; the sheets after that fail, naming the limit.
pub(super) fn streamed_sheets(
    sheets: &[Sheet],
    limits: &Limits,
    mut read_sheet: impl FnMut(&Sheet) -> Result<SheetText, String>,
) -> Vec<SheetOut> {
    let mut budget = WorkbookBudget::default();
    sheets
        .iter()
        .enumerate()
        .map(|(i, meta)| {
            let result = match budget.exhausted(limits) {
                Some(e) => Err(e),
                None => read_sheet(meta),
            };
            budget.add(&result);
            SheetOut::listed(meta, i, result)
        })
        .collect()
}

/// Text of a sheet calamine has already materialised (xls, ods).
fn dense_text(
    range: &Range<Data>,
    comments: &[Comment],
    limits: &Limits,
) -> Result<SheetText, String> {
    let mut cells = Cells::new(limits);
    let (r0, c0) = range.start().unwrap_or((0, 0));
    for (r, c, v) in range.used_cells() {
        let row = r0.saturating_add(u32::try_from(r).unwrap_or(u32::MAX));
        let col = c0.saturating_add(u32::try_from(c).unwrap_or(u32::MAX));
        cells.push(row, col, cell_text(v))?;
    }
    Ok(cells.into_sheet(comments, Vec::new()))
}

/// Collects a streamed sheet (xlsx, xlsb) without building calamine's dense grid. Cells read
/// before the data breaks off are kept, with a note.
pub(super) fn stream_text<'a, E: Display>(
    mut next: impl FnMut() -> Result<Option<Cell<DataRef<'a>>>, E>,
    limits: &Limits,
) -> Result<SheetText, String> {
    let mut cells = Cells::new(limits);
    let mut notes = Vec::new();
    loop {
        match next() {
            Ok(Some(cell)) => {
                let (r, c) = cell.get_position();
                cells.push(r, c, cell_text(cell.get_value()))?;
            }
            Ok(None) => break,
            Err(e) if cells.is_empty() => return Err(format!("cannot read sheet: {e}")),
            Err(e) => {
                notes.push(format!(
                    "sheet data ends early ({e}); the cells before that are kept"
                ));
                break;
            }
        }
    }
    Ok(cells.into_sheet(&[], notes))
}
