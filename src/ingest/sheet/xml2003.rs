//! Excel 2003 XML workbooks ("XML Spreadsheet"), which school MIS and web systems still
//! export under an .xls name.

use calamine::{SheetType, SheetVisible};
use quick_xml::events::Event;

use super::cells::{Cells, Comment};
use super::values::{iso_text, one_line};
use super::workbook::{finish, sheet_name, SheetOut};
use crate::ingest::model::{Child, Input, Own, ReadError};
use crate::ingest::plain::decode_text;
use crate::ingest::textconv::general_ref;

struct XmlSheet {
    name: String,
    cells: Cells,
    comments: Vec<Comment>,
    visible: SheetVisible,
    /// Why reading stopped part-way, which fails the sheet.
    problem: Option<String>,
}

impl XmlSheet {
    /// The sheet as read, failed if reading stopped part-way; `notes` go on a sheet that was
    /// read.
    fn into_out(self, notes: Vec<String>) -> SheetOut {
        let result = match self.problem {
            Some(p) => Err(p),
            None => Ok(self.cells.into_sheet(&self.comments, notes)),
        };
        SheetOut {
            name: self.name,
            visible: self.visible,
            typ: SheetType::WorkSheet,
            result,
        }
    }
}

/// Excel 2003 XML ("XML Spreadsheet"): Worksheet › Table › Row › Cell › Data, with `ss:Index`
/// to skip rows and columns, `ss:MergeAcross` for merged cells, comments inside cells and
/// visibility in WorksheetOptions.
pub(super) fn read(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let limits = input.limits;
    let (text, encoding) = decode_text(input.bytes);
    let mut r = quick_xml::Reader::from_str(&text);
    r.config_mut().check_end_names = false;
    r.config_mut().expand_empty_elements = true;
    let attr = |e: &quick_xml::events::BytesStart<'_>, local: &str| -> Option<String> {
        e.attributes()
            .flatten()
            .find(|a| a.key.local_name().as_ref() == local)
            .map(|a| a.value.to_string())
    };
    let mut sheets: Vec<SheetOut> = Vec::new();
    let mut cur: Option<XmlSheet> = None;
    let (mut row, mut next_row, mut col) = (0u32, 0u32, 0u32);
    let (mut in_data, mut in_comment, mut in_visible) = (false, false, false);
    let mut cell = String::new();
    let mut cell_merge = 0u32;
    let mut is_date = false;
    let mut comment: Option<Comment> = None;
    let mut visible_text = String::new();
    loop {
        let ev = match r.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let msg = format!("Excel 2003 XML: {e}");
                match cur.as_mut() {
                    Some(c) => c.problem = Some(msg),
                    None if sheets.is_empty() => return Err(ReadError::Corrupt(msg)),
                    None => {}
                }
                break;
            }
        };
        match ev {
            Event::Start(e) if cur.is_none() && e.local_name().as_ref() == "Worksheet" => {
                if sheets.len() >= limits.max_entries {
                    return Err(ReadError::Limit(format!(
                        "workbook has over {} sheets",
                        limits.max_entries
                    )));
                }
                let name = sheet_name(&attr(&e, "Name").unwrap_or_default(), sheets.len());
                cur = Some(XmlSheet {
                    name,
                    cells: Cells::new(limits),
                    comments: Vec::new(),
                    visible: SheetVisible::Visible,
                    problem: None,
                });
                (row, next_row, col) = (0, 0, 0);
            }
            Event::Start(e) if cur.is_some() => match e.local_name().as_ref() {
                "Row" => {
                    row = attr(&e, "Index")
                        .and_then(|v| v.trim().parse::<u32>().ok())
                        .map_or(next_row, |i| i.saturating_sub(1));
                    next_row = row.saturating_add(1);
                    col = 0;
                }
                "Cell" => {
                    if let Some(i) = attr(&e, "Index").and_then(|v| v.trim().parse::<u32>().ok()) {
                        col = i.saturating_sub(1);
                    }
                    cell_merge = attr(&e, "MergeAcross")
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    cell.clear();
                }
                "Data" if !in_comment => {
                    in_data = true;
                    is_date = attr(&e, "Type").as_deref() == Some("DateTime");
                }
                "Comment" => {
                    in_comment = true;
                    comment = Some(Comment {
                        row,
                        col,
                        author: attr(&e, "Author").unwrap_or_default(),
                        text: String::new(),
                        link: false,
                    });
                }
                "Visible" => in_visible = true,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "Worksheet" => {
                    if let Some(sheet) = cur.take() {
                        sheets.push(sheet.into_out(Vec::new()));
                    }
                }
                "Row" => next_row = row.saturating_add(1),
                "Cell" => {
                    if let Some(c) = cur.as_mut() {
                        if let Err(e) = c.cells.push(
                            row,
                            col,
                            one_line(&if is_date {
                                iso_text(&cell)
                            } else {
                                std::mem::take(&mut cell)
                            }),
                        ) {
                            c.problem.get_or_insert(e);
                        }
                    }
                    cell.clear();
                    col = col.saturating_add(1).saturating_add(cell_merge);
                    cell_merge = 0;
                }
                "Data" if !in_comment => in_data = false,
                "Comment" => {
                    in_comment = false;
                    if let (Some(c), Some(cm)) = (cur.as_mut(), comment.take()) {
                        if c.comments.len() < limits.max_entries {
                            c.comments.push(cm);
                        }
                    }
                }
                "Visible" => {
                    in_visible = false;
                    if let Some(c) = cur.as_mut() {
                        c.visible = match visible_text.trim() {
                            "SheetHidden" => SheetVisible::Hidden,
                            "SheetVeryHidden" => SheetVisible::VeryHidden,
                            _ => SheetVisible::Visible,
                        };
                    }
                    visible_text.clear();
                }
                _ => {}
            },
            Event::Text(t) => {
                if in_comment {
                    if let Some(cm) = comment.as_mut() {
                        if !cm.text.is_empty() {
                            cm.text.push(' ');
                        }
                        cm.text.push_str(t.xml10_content().trim());
                    }
                } else if in_data && cell.len() < 1 << 20 {
                    cell.push_str(&t.xml10_content());
                } else if in_visible {
                    visible_text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(e) => {
                if in_comment {
                    if let Some(cm) = comment.as_mut() {
                        cm.text.push_str(&general_ref(&e));
                    }
                } else if in_data {
                    cell.push_str(&general_ref(&e));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(sheet) = cur.take() {
        sheets.push(sheet.into_out(vec!["the file ends inside this sheet".into()]));
    }
    let mut notes = vec!["Excel 2003 XML workbook".to_string()];
    notes.extend(encoding.map(|e| format!("decoded as {e}")));
    Ok(finish(sheets, None, notes, "", emit))
}
