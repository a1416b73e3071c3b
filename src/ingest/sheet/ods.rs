//! OpenDocument spreadsheets (.ods).
//!
//! calamine expands an .ods sheet's repeated rows and columns into a dense grid when the file
//! is opened, so one streaming pass over content.xml measures that expansion first, and
//! collects the cell annotations calamine skips.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::Ods;
use quick_xml::events::Event;
use zip::ZipArchive;

use super::cells::Comment;
use super::guard::{MAX_CELLS_PER_SHEET, MAX_CELLS_PER_WORKBOOK};
use super::load::{dense_sheets, open};
use super::workbook::finish;
use crate::ingest::model::{Child, Input, Limits, Own, ReadError};
use crate::ingest::textconv::general_ref;
use crate::ingest::ziputil::{find_part, part_names};

pub(super) fn read(
    input: &Input,
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    emit: &mut dyn FnMut(Child),
) -> Result<Own, ReadError> {
    let limits = input.limits;
    let names = part_names(zip);
    let content = find_part(&names, "content.xml")
        .ok_or_else(|| ReadError::Corrupt("ods without content.xml".into()))?;
    let scan = {
        let file = zip
            .by_index(content)
            .map_err(|e| ReadError::Corrupt(format!("ods content.xml: {e}")))?;
        scan_ods(std::io::BufReader::new(file), limits)
    };
    if let Some(p) = scan.problem {
        return Err(ReadError::Limit(p));
    }
    if let Some(t) = scan.truncated {
        // An encrypted document's content.xml is ciphertext, not broken XML: say so instead.
        let encrypted = find_part(&names, "META-INF/manifest.xml").is_some_and(|i| {
            let mut text = String::new();
            zip.by_index(i)
                .ok()
                .and_then(|f| {
                    std::io::Read::read_to_string(&mut std::io::Read::take(f, 1 << 20), &mut text)
                        .ok()
                })
                .is_some_and(|_| text.contains("encryption-data"))
        });
        return Err(if encrypted {
            ReadError::Encrypted("password-protected workbook".into())
        } else {
            ReadError::Corrupt(t)
        });
    }

    let mut book = open::<Ods<_>>(input.bytes, limits)?;
    let sheets = dense_sheets(&mut book, &scan.comments, limits);
    Ok(finish(sheets, book.props, Vec::new(), "", emit))
}

struct Annotation {
    comment: Comment,
    in_creator: bool,
    in_para: usize,
}

#[derive(Default)]
struct OdsScan {
    comments: HashMap<String, Vec<Comment>>,
    problem: Option<String>,
    truncated: Option<String>,
}

/// One streaming pass over content.xml that measures each table the way calamine's
/// `read_table`/`get_range` will expand it (repeated rows and columns, capped as calamine caps
/// them, trailing empty cells dropped) and collects the cell annotations calamine skips.
fn scan_ods<R: std::io::BufRead>(src: R, limits: &Limits) -> OdsScan {
    const MAX_ROWS: u64 = 1_048_576;
    const MAX_COLS: u64 = 16_384;
    let mut out = OdsScan::default();
    let mut r = quick_xml::Reader::from_reader(src);
    r.config_mut().expand_empty_elements = true;
    r.config_mut().check_end_names = false;
    let mut buf = Vec::new();

    let mut table: Option<String> = None;
    let mut depth = 0usize;
    // per table
    let (mut rows_total, mut span_start, mut span_end, mut width) = (0u64, None::<u64>, 0u64, 0u64);
    // per row
    let (mut row_rep, mut col, mut pushed, mut row_text, mut in_row) =
        (1u64, 0u64, 0u64, 0u64, false);
    // per cell
    let (mut in_cell, mut cell_rep, mut cell_nonempty, mut cell_text) = (false, 1u64, false, 0u64);
    let mut annotation: Option<Annotation> = None;
    let (mut total_area, mut total_text) = (0u64, 0u64);
    let mut n_comments = 0usize;

    let attr = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> Option<String> {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .map(|a| a.value.to_string())
    };
    // calamine loops for ever on a content.xml that ends inside a table
    // (fixtures/crashers/ods-content-ends-*.ods), so a truncated document is refused here.
    let mut open = 0i64;
    loop {
        let ev = match r.read_event_into(&mut buf) {
            Ok(Event::Eof) => {
                if open > 0 {
                    out.truncated = Some(format!(
                        "content.xml ends with {open} element(s) still open: the file is truncated"
                    ));
                }
                break;
            }
            Err(e) => {
                out.truncated = Some(format!("content.xml is not well-formed XML: {e}"));
                break;
            }
            Ok(ev) => ev,
        };
        match &ev {
            Event::Start(_) => open += 1,
            Event::End(_) => open -= 1,
            _ => {}
        }
        match ev {
            Event::Start(e) => match e.name().as_ref() {
                "table:table" => {
                    depth += 1;
                    if depth == 1 {
                        table = Some(attr(&e, "table:name").unwrap_or_default());
                        (rows_total, span_start, span_end, width) = (0, None, 0, 0);
                    }
                }
                "table:table-row" if depth == 1 => {
                    let rep = attr(&e, "table:number-rows-repeated")
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .unwrap_or(1);
                    row_rep = rep.min(MAX_ROWS.saturating_sub(rows_total));
                    (col, pushed, row_text, in_row) = (0, 0, 0, true);
                }
                "table:table-cell" | "table:covered-table-cell" if in_row && !in_cell => {
                    let rep = attr(&e, "table:number-columns-repeated")
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .unwrap_or(1);
                    cell_rep = rep.min(MAX_COLS.saturating_sub(col));
                    in_cell = true;
                    cell_text = 0;
                    cell_nonempty = false;
                    for a in e.attributes().flatten() {
                        match a.key.as_ref() {
                            "office:value-type"
                            | "calcext:value-type"
                            | "office:value"
                            | "office:date-value"
                            | "office:time-value"
                            | "office:boolean-value"
                            | "office:string-value" => cell_nonempty = true,
                            "table:formula" => {
                                cell_nonempty = true;
                                cell_text += a.value.len() as u64;
                            }
                            _ => {}
                        }
                    }
                }
                "office:annotation" if in_cell => {
                    let row = u32::try_from(rows_total).unwrap_or(u32::MAX);
                    let c = u32::try_from(col).unwrap_or(u32::MAX);
                    annotation = Some(Annotation {
                        comment: Comment {
                            row,
                            col: c,
                            author: String::new(),
                            text: String::new(),
                            link: false,
                        },
                        in_creator: false,
                        in_para: 0,
                    });
                }
                "dc:creator" => {
                    if let Some(a) = annotation.as_mut() {
                        a.in_creator = true;
                    }
                }
                "text:p" | "text:h" => {
                    if let Some(a) = annotation.as_mut() {
                        a.in_para += 1;
                        if !a.comment.text.is_empty() {
                            a.comment.text.push(' ');
                        }
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "table:table" => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        let area = span_start.map_or(0, |s| span_end - s) * width;
                        total_area = total_area.saturating_add(area);
                        let name = table.take().unwrap_or_default();
                        if area > MAX_CELLS_PER_SHEET {
                            out.problem = Some(format!(
                                "sheet {name:?} would expand to {area} cells, over the {MAX_CELLS_PER_SHEET} cells per sheet limit"
                            ));
                        } else if total_area > MAX_CELLS_PER_WORKBOOK {
                            out.problem = Some(format!(
                                "workbook would expand to {total_area} cells, over the {MAX_CELLS_PER_WORKBOOK} cells per workbook limit"
                            ));
                        }
                        if out.problem.is_some() {
                            return out;
                        }
                    }
                }
                "table:table-row" if in_row && depth == 1 => {
                    in_row = false;
                    if pushed > 0 {
                        span_start.get_or_insert(rows_total);
                        span_end = rows_total + row_rep;
                        width = width.max(pushed);
                        total_text = total_text.saturating_add(row_text.saturating_mul(row_rep));
                        if total_text > limits.max_item_bytes {
                            out.problem = Some(format!(
                                "workbook would expand to over {} bytes of cell text (repeated cells)",
                                limits.max_item_bytes
                            ));
                            return out;
                        }
                    }
                    rows_total += row_rep;
                }
                "table:table-cell" | "table:covered-table-cell"
                    if in_cell && annotation.is_none() =>
                {
                    in_cell = false;
                    col += cell_rep;
                    if cell_nonempty || cell_text > 0 {
                        pushed = col;
                        row_text = row_text.saturating_add(cell_text.saturating_mul(cell_rep));
                    }
                }
                "office:annotation" => {
                    if let Some(a) = annotation.take() {
                        if let Some(t) = table.as_ref() {
                            n_comments += 1;
                            if n_comments <= limits.max_entries {
                                out.comments.entry(t.clone()).or_default().push(a.comment);
                            }
                        }
                    }
                }
                "dc:creator" => {
                    if let Some(a) = annotation.as_mut() {
                        a.in_creator = false;
                    }
                }
                "text:p" | "text:h" => {
                    if let Some(a) = annotation.as_mut() {
                        a.in_para = a.in_para.saturating_sub(1);
                    }
                }
                _ => {}
            },
            Event::Text(t) => {
                if let Some(a) = annotation.as_mut() {
                    if a.in_creator {
                        a.comment.author.push_str(&t.xml10_content());
                    } else if a.in_para > 0 && a.comment.text.len() < 1 << 20 {
                        a.comment.text.push_str(&t.xml10_content());
                    }
                } else if in_cell {
                    cell_text += t.len() as u64;
                }
            }
            Event::GeneralRef(e) => {
                if let Some(a) = annotation.as_mut() {
                    if a.in_creator {
                        a.comment.author.push_str(&general_ref(&e));
                    } else if a.in_para > 0 {
                        a.comment.text.push_str(&general_ref(&e));
                    }
                } else if in_cell {
                    cell_text += 1;
                }
            }
            _ => {}
        }
        buf.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::sheet::test_support::run;

    #[test]
    fn ods_scan_refuses_repeat_bombs() {
        let xml = br#"<office:document-content><office:body><office:spreadsheet><table:table table:name="S"><table:table-row table:number-rows-repeated="6000"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>X</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
        let scan = scan_ods(&xml[..], &Limits::default());
        assert!(scan.problem.is_some());
        let ok = br#"<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><office:annotation><dc:creator>Mr Head</dc:creator><text:p>late &amp; rude</text:p></office:annotation><text:p>Jane</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1000"/></table:table-row><table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>"#;
        let scan = scan_ods(&ok[..], &Limits::default());
        assert!(scan.problem.is_none());
        let c = &scan.comments["S"][0];
        assert_eq!(
            (c.row, c.col, c.author.as_str(), c.text.as_str()),
            (0, 0, "Mr Head", "late & rude")
        );
    }

    #[test]
    fn ods_repeat_bomb_is_refused_before_calamine_expands_it() {
        use crate::ingest::ziputil::test_support::{build_zip, stored};
        // 6,000 rows of 16,384 cells is under calamine's own 100-million-cell cap, yet would
        // make it fill gigabytes from a file of a few hundred bytes.
        let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1"><table:table-row table:number-rows-repeated="6000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
        let bomb = build_zip(&[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet",
                stored(),
            ),
            ("content.xml", content.as_bytes(), stored()),
        ]);
        let (r, ch) = run(&bomb, "bomb.ods");
        assert!(
            matches!(&r, Err(ReadError::Limit(m)) if m.contains("cells")),
            "{r:?}"
        );
        assert!(ch.is_empty());
    }
}
