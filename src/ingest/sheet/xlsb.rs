//! .xlsb workbooks (Excel's binary format), streamed sheet by sheet. calamine reads no
//! comments from them, so the workbook only says it has some.

use std::io::Cursor;

use calamine::{SheetType, Xlsb};
use zip::ZipArchive;

use super::guard::guarded;
use super::load::{open, stream_text, streamed_sheets};
use super::workbook::{finish, SheetText};
use crate::ingest::model::{Child, Input, Own, ReadError};
use crate::ingest::ziputil::part_names;

pub(super) fn read(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let bytes = input.bytes;
    let limits = input.limits;
    let mut book = open::<Xlsb<_>>(bytes, limits)?;
    let has_comments = {
        let zip = ZipArchive::new(Cursor::new(bytes)).ok();
        zip.map(|z| {
            part_names(&z)
                .iter()
                .filter(|(n, _)| n.starts_with("xl/comments"))
                .count()
        })
        .unwrap_or(0)
    };

    let wb = &mut book.wb;
    let sheets = streamed_sheets(&book.sheets, limits, |meta| {
        guarded("xlsb sheet", || {
            let mut reader = match wb.worksheet_cells_reader(&meta.name) {
                Ok(r) => r,
                Err(e) if meta.typ != SheetType::WorkSheet => {
                    return Ok(SheetText::without_cells(format!("no cell data ({e})")))
                }
                Err(e) => return Err(format!("cannot read sheet: {e}")),
            };
            stream_text(|| reader.next_cell(), limits)
        })
        .and_then(|r| r)
    });
    let mut notes = Vec::new();
    if has_comments > 0 {
        notes.push("has cell comments, which are not extracted from .xlsb files".to_string());
    }
    Ok(finish(sheets, book.props, notes, "", emit))
}
