//! A workbook as an item: the sheets every format produces, emitted as children, and the
//! workbook's own text (its properties and sheet names) and notes.

use std::fmt::Write as _;

use calamine::{Sheet, SheetType, SheetVisible, WorkbookProperties};

use super::values::one_line;
use crate::ingest::model::{Child, ChildContent, ItemKind, Own};

/// One sheet as read, before it is emitted.
pub(super) struct SheetOut {
    pub(super) name: String,
    pub(super) visible: SheetVisible,
    pub(super) typ: SheetType,
    pub(super) result: Result<SheetText, String>,
}

impl SheetOut {
    /// Sheet `index` of a workbook calamine lists.
    pub(super) fn listed(
        meta: &Sheet,
        index: usize,
        result: Result<SheetText, String>,
    ) -> SheetOut {
        SheetOut {
            name: sheet_name(&meta.name, index),
            visible: meta.visible,
            typ: meta.typ,
            result,
        }
    }
}

pub(super) struct SheetText {
    pub(super) text: String,
    pub(super) notes: Vec<String>,
    /// Cells with text, for the workbook-wide budget.
    pub(super) cells: u64,
    /// Sheet row and first column of each line of `text` (see `Own::sheet_rows`).
    pub(super) rows: Vec<(u32, u32)>,
}

impl SheetText {
    /// A sheet with no cells to read (a chart or macro sheet), saying why.
    pub(super) fn without_cells(note: String) -> SheetText {
        SheetText {
            text: String::new(),
            notes: vec![note],
            cells: 0,
            rows: Vec::new(),
        }
    }
}

fn visibility_note(v: SheetVisible) -> Option<&'static str> {
    match v {
        SheetVisible::Visible => None,
        SheetVisible::Hidden => Some("hidden sheet"),
        SheetVisible::VeryHidden => {
            Some("very hidden sheet (cannot be unhidden from Excel's menus)")
        }
    }
}

fn type_note(t: SheetType) -> Option<&'static str> {
    match t {
        SheetType::WorkSheet => None,
        SheetType::ChartSheet => Some("chart sheet: only cell data is read, not the chart"),
        SheetType::DialogSheet => Some("dialog sheet"),
        SheetType::MacroSheet => Some("Excel 4 macro sheet"),
        SheetType::Vba => Some("VBA module sheet"),
    }
}

/// Emits the sheets and builds the workbook's own record.
pub(super) fn finish(
    sheets: Vec<SheetOut>,
    props: Option<WorkbookProperties>,
    mut notes: Vec<String>,
    extra_text: &str,
    emit: &mut dyn FnMut(Child),
) -> Own {
    let hidden = sheets
        .iter()
        .filter(|s| s.visible == SheetVisible::Hidden)
        .count();
    let very = sheets
        .iter()
        .filter(|s| s.visible == SheetVisible::VeryHidden)
        .count();
    let failed = sheets.iter().filter(|s| s.result.is_err()).count();
    for (n, note) in [
        (hidden, format!("{hidden} hidden sheet{}", plural(hidden))),
        (very, format!("{very} very hidden sheet{}", plural(very))),
        (
            failed,
            format!("{failed} sheet{} could not be read", plural(failed)),
        ),
    ] {
        if n > 0 {
            notes.push(note);
        }
    }

    let mut text = String::new();
    if let Some(p) = props {
        for (label, value) in [
            ("Title", &p.title),
            ("Subject", &p.subject),
            ("Creator", &p.creator),
            ("Last modified by", &p.last_modified_by),
            ("Company", &p.company),
            ("Description", &p.description),
            ("Keywords", &p.keywords),
        ] {
            if let Some(v) = value.as_deref().map(one_line).filter(|v| !v.is_empty()) {
                let _ = writeln!(text, "{label}: {v}");
            }
        }
    }
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    let _ = write!(text, "Sheets: {}", names.join(", "));
    if !extra_text.is_empty() {
        text.push_str("\n\n");
        text.push_str(extra_text);
    }

    for sheet in sheets {
        let content = match sheet.result {
            Ok(st) => {
                let mut own = Own::new(ItemKind::Sheet, st.text);
                own.sheet_rows = st.rows;
                own.notes
                    .extend(visibility_note(sheet.visible).map(String::from));
                own.notes.extend(type_note(sheet.typ).map(String::from));
                own.notes.extend(st.notes);
                let hash_bytes = own.text.as_bytes().to_vec();
                ChildContent::Parsed {
                    own,
                    hash_bytes,
                    children: Vec::new(),
                }
            }
            Err(reason) => ChildContent::Failed {
                reason,
                hash_bytes: None,
            },
        };
        emit(Child {
            levels: vec![sheet.name],
            content,
        });
    }

    let mut own = Own::new(ItemKind::Workbook, text);
    own.notes = notes;
    own
}

/// A text file saved under a spreadsheet name (csv, an HTML table) as a workbook of one
/// visible sheet named after the file, so it reads like any other workbook.
pub(super) fn single_sheet(
    file_name: &str,
    sheet: SheetText,
    notes: Vec<String>,
    emit: &mut dyn FnMut(Child),
) -> Own {
    let sheet = SheetOut {
        name: file_stem(file_name),
        visible: SheetVisible::Visible,
        typ: SheetType::WorkSheet,
        result: Ok(sheet),
    };
    finish(vec![sheet], None, notes, "", emit)
}

fn file_stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    sheet_name(stem, 0)
}

/// A sheet's name, or Excel's default for its position when it has none, so every sheet has a
/// path of its own.
pub(super) fn sheet_name(name: &str, index: usize) -> String {
    if name.trim().is_empty() {
        format!("Sheet{}", index + 1)
    } else {
        name.to_string()
    }
}

/// The plural ending for `n` of something.
pub(super) fn plural<N: PartialEq + From<u8>>(n: N) -> &'static str {
    if n == N::from(1) {
        ""
    } else {
        "s"
    }
}
