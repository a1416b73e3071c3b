//! .xlsx and .xlsm workbooks, streamed sheet by sheet, with the cell comments and hyperlink
//! targets calamine does not give: those are read from the package here.

use std::collections::HashMap;
use std::io::{Cursor, Read, Seek};

use calamine::{Xlsx, XlsxError};
use quick_xml::events::Event;
use zip::ZipArchive;

use super::cells::{comment_lines, parse_ref, Comment};
use super::guard::guarded;
use super::load::{open, stream_text, streamed_sheets};
use super::workbook::{finish, plural, SheetText};
use crate::ingest::model::{Child, Input, Limits, Own, ReadError};
use crate::ingest::textconv::{attr_value, xml_events, xml_text};
use crate::ingest::ziputil::{find_part, part_names, read_part};

pub(super) fn read(
    input: &Input,
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    emit: &mut dyn FnMut(Child),
) -> Result<Own, ReadError> {
    let limits = input.limits;
    let (comments, orphans) = xlsx_comments(zip, limits);
    let mut book = open::<Xlsx<_>>(input.bytes, limits)?;
    let wb = &mut book.wb;

    let sheets = streamed_sheets(&book.sheets, limits, |meta| {
        let cells = guarded("xlsx sheet", || {
            let mut reader = match wb.worksheet_cells_reader(&meta.name) {
                Ok(r) => r,
                Err(XlsxError::NotAWorksheet(typ)) => {
                    return Ok(SheetText::without_cells(format!("{typ}: no cell data")))
                }
                Err(e) => return Err(format!("cannot read sheet: {e}")),
            };
            stream_text(|| reader.next_cell(), limits)
        })
        .and_then(|r| r)?;
        let mut extra = comments.get(&meta.name).cloned().unwrap_or_default();
        extra.extend(hyperlinks(wb, &meta.name, limits));
        Ok(with_comments(cells, &extra))
    });
    let mut notes = Vec::new();
    let mut extra = String::new();
    if !orphans.is_empty() {
        notes.push(format!(
            "{} cell comment{} not linked to any sheet; listed in the workbook text",
            orphans.len(),
            plural(orphans.len())
        ));
        extra = comment_lines(&orphans);
    }
    Ok(finish(sheets, book.props, notes, &extra, emit))
}

/// A sheet's hyperlink targets, placed like comments on the cells that carry them.
fn hyperlinks<RS: Read + Seek>(wb: &mut Xlsx<RS>, sheet: &str, limits: &Limits) -> Vec<Comment> {
    let links = guarded("xlsx hyperlinks", || wb.hyperlinks_by_sheet_name(sheet))
        .ok()
        .and_then(Result::ok);
    links
        .unwrap_or_default()
        .into_iter()
        .take(limits.max_entries)
        .filter_map(|link| {
            let target = link.target.filter(|t| !t.trim().is_empty())?;
            let (row, col) = link.range.start;
            Some(Comment {
                row,
                col,
                author: String::new(),
                text: target,
                link: true,
            })
        })
        .collect()
}

/// The sheet's text followed by its comments and links.
fn with_comments(mut sheet: SheetText, comments: &[Comment]) -> SheetText {
    if !comments.is_empty() {
        let tail = comment_lines(comments);
        if sheet.text.is_empty() {
            sheet.text = tail;
        } else {
            sheet.text.push_str("\n\n");
            sheet.text.push_str(&tail);
        }
    }
    sheet
}

/// Cell comments of an xlsx, by sheet name, read from the comment parts the sheets link to.
/// calamine 0.38 does not expose comments; teachers' notes on a pupil's row are exactly the
/// kind of data a subject access request must include, so they are read here. Comment parts
/// no sheet links to are returned separately so they are not lost.
fn xlsx_comments(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    limits: &Limits,
) -> (HashMap<String, Vec<Comment>>, Vec<Comment>) {
    let mut by_sheet = HashMap::new();
    let names = part_names(zip);
    let comment_parts: Vec<String> = names
        .iter()
        .filter(|(n, _)| n.starts_with("xl/comments") && n.ends_with(".xml"))
        .map(|(n, _)| n.clone())
        .collect();
    if comment_parts.is_empty() {
        return (by_sheet, Vec::new());
    }
    let rels = |zip: &mut ZipArchive<Cursor<&[u8]>>, part: &str| -> Vec<(String, String, String)> {
        let (dir, file) = part.rsplit_once('/').unwrap_or(("", part));
        let rels_name = if dir.is_empty() {
            format!("_rels/{file}.rels")
        } else {
            format!("{dir}/_rels/{file}.rels")
        };
        find_part(&names, &rels_name)
            .and_then(|i| read_part(zip, i, limits).ok())
            .map(|x| relationships(&x, dir))
            .unwrap_or_default()
    };
    let workbook = rels(zip, "")
        .into_iter()
        .find(|(_, t, _)| t.ends_with("/officeDocument"))
        .map(|(_, _, target)| target)
        .unwrap_or_else(|| "xl/workbook.xml".to_string());
    let wb_rels = rels(zip, &workbook);
    let sheet_ids = find_part(&names, &workbook)
        .and_then(|i| read_part(zip, i, limits).ok())
        .map(|x| workbook_sheets(&x))
        .unwrap_or_default();
    let mut linked = Vec::new();
    for (sheet, rid) in sheet_ids {
        let Some((_, _, target)) = wb_rels.iter().find(|(id, _, _)| *id == rid) else {
            continue;
        };
        for (_, typ, comments_part) in rels(zip, target) {
            if !typ.ends_with("/comments") {
                continue;
            }
            if let Some(i) = find_part(&names, &comments_part) {
                if let Ok(x) = read_part(zip, i, limits) {
                    by_sheet
                        .entry(sheet.clone())
                        .or_insert_with(Vec::new)
                        .extend(comments_xml(&x));
                }
                linked.push(comments_part);
            }
        }
    }
    let mut orphans = Vec::new();
    for part in comment_parts.iter().filter(|p| !linked.contains(p)) {
        if let Some(i) = find_part(&names, part) {
            if let Ok(x) = read_part(zip, i, limits) {
                orphans.extend(comments_xml(&x));
            }
        }
    }
    (by_sheet, orphans)
}

/// `(id, type, target resolved against dir)` of a relationships part.
fn relationships(xml: &[u8], dir: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    xml_events(xml, |ev| match ev {
        Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
            let (mut id, mut typ, mut target) = (String::new(), String::new(), String::new());
            for a in e.attributes().flatten() {
                let v = attr_value(&a).unwrap_or_default();
                match a.key.local_name().as_ref() {
                    "Id" => id = v,
                    "Type" => typ = v,
                    "Target" => target = v,
                    _ => {}
                }
            }
            out.push((id, typ, resolve_target(dir, &target)));
        }
        _ => {}
    });
    out
}

/// Resolves a relationship target (relative, `../`, or absolute from the package root) to a
/// normalised part name.
fn resolve_target(dir: &str, target: &str) -> String {
    let target = target.replace('\\', "/");
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in target.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/").to_ascii_lowercase()
}

/// `(sheet name, relationship id)` from workbook.xml.
fn workbook_sheets(xml: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    xml_events(xml, |ev| match ev {
        Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
            let (mut name, mut rid) = (String::new(), String::new());
            for a in e.attributes().flatten() {
                let v = attr_value(&a).unwrap_or_default();
                match (a.key.prefix().is_some(), a.key.local_name().as_ref()) {
                    (false, "name") => name = v,
                    (true, "id") => rid = v,
                    _ => {}
                }
            }
            out.push((name, rid));
        }
        _ => {}
    });
    out
}

/// Comments of one xlsx comments part. Phonetic runs (`rPh`) are skipped: they repeat the text.
fn comments_xml(xml: &[u8]) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut authors = Vec::new();
    let (mut in_author, mut in_t, mut in_rph) = (false, false, false);
    let mut author = String::new();
    let mut current: Option<Comment> = None;
    xml_events(xml, |ev| match ev {
        Event::Start(e) => match e.local_name().as_ref() {
            "author" => {
                in_author = true;
                author.clear();
            }
            "comment" => {
                let (mut at, mut who) = (String::new(), 0usize);
                for a in e.attributes().flatten() {
                    let v = attr_value(&a).unwrap_or_default();
                    match a.key.local_name().as_ref() {
                        "ref" => at = v,
                        "authorId" => who = v.parse().unwrap_or(usize::MAX),
                        _ => {}
                    }
                }
                let (row, col) = parse_ref(&at).unwrap_or((0, 0));
                let author = authors.get(who).cloned().unwrap_or_default();
                current = Some(Comment {
                    row,
                    col,
                    author,
                    text: String::new(),
                    link: false,
                });
            }
            "t" => in_t = true,
            "rPh" => in_rph = true,
            _ => {}
        },
        Event::End(e) => match e.local_name().as_ref() {
            "author" => {
                in_author = false;
                authors.push(std::mem::take(&mut author));
            }
            "comment" => out.extend(current.take()),
            "t" => in_t = false,
            "rPh" => in_rph = false,
            _ => {}
        },
        ev @ (Event::Text(_) | Event::GeneralRef(_)) => {
            let s = xml_text(&ev).unwrap_or_default();
            if in_author {
                author.push_str(&s);
            } else if in_t && !in_rph {
                if let Some(c) = current.as_mut() {
                    c.text.push_str(&s);
                }
            }
        }
        Event::CData(t) if in_t && !in_rph => {
            if let Some(c) = current.as_mut() {
                c.text.push_str(&t);
            }
        }
        _ => {}
    });
    out
}

#[cfg(test)]
mod tests {
    use crate::ingest::model::{ChildContent, ItemKind};
    use crate::ingest::sheet::test_support::{run, sheet_text};

    #[test]
    fn xlsx_comments_and_links_follow_the_sheet_relationships() {
        use crate::ingest::ziputil::test_support::build_zip;
        const MAIN: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
        const RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#;
        const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let parts = [
            ("[Content_Types].xml".to_string(), r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
            ("_rels/.rels".into(), format!(r#"{RELS}<Relationship Id="rId1" Type="{R}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)),
            ("xl/workbook.xml".into(), format!(r#"<workbook {MAIN}><sheets><sheet name="Pupils" sheetId="1" r:id="rId1"/><sheet name="Secret" sheetId="2" state="veryHidden" r:id="rId2"/></sheets></workbook>"#)),
            ("xl/_rels/workbook.xml.rels".into(), format!(r#"{RELS}<Relationship Id="rId1" Type="{R}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{R}/worksheet" Target="/xl/worksheets/sheet2.xml"/></Relationships>"#)),
            ("xl/worksheets/sheet1.xml".into(), format!(r#"<worksheet {MAIN}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Score</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Jane Smith</t></is></c><c r="B2"><v>0.30000000000000004</v></c></row></sheetData><hyperlinks><hyperlink ref="A2" r:id="rId2"/></hyperlinks></worksheet>"#)),
            ("xl/worksheets/_rels/sheet1.xml.rels".into(), format!(r#"{RELS}<Relationship Id="rId1" Type="{R}/comments" Target="../comments1.xml"/><Relationship Id="rId2" Type="{R}/hyperlink" Target="mailto:parent@example.com" TargetMode="External"/></Relationships>"#)),
            ("xl/comments1.xml".into(), format!(r#"<comments {MAIN}><authors><author>Mr Brown</author></authors><commentList><comment ref="A2" authorId="0"><text><r><rPr><b/></rPr><t>Mr Brown:</t></r><r><t xml:space="preserve">
SEN support &amp; EHCP</t></r><rPh><t>ignored</t></rPh></text></comment></commentList></comments>"#)),
            ("xl/worksheets/sheet2.xml".into(), format!(r#"<worksheet {MAIN}><sheetData><row r="3"><c r="C3" t="inlineStr"><is><t>kept out of sight</t></is></c></row></sheetData></worksheet>"#)),
        ];
        let entries: Vec<_> = parts
            .iter()
            .map(|(name, body)| {
                (
                    name.as_str(),
                    body.as_bytes(),
                    zip::write::SimpleFileOptions::default(),
                )
            })
            .collect();
        let (r, ch) = run(&build_zip(&entries), "pupils.xlsx");
        let own = r.expect("xlsx reads");
        assert_eq!(own.notes, ["1 very hidden sheet"]);
        assert_eq!(
            sheet_text(&ch, "Pupils"),
            "Name\tScore\nJane Smith\t0.3\n\nComment A2 (Mr Brown): Mr Brown: SEN support & EHCP\nLink A2: mailto:parent@example.com"
        );
        assert_eq!(sheet_text(&ch, "Secret"), "kept out of sight");
        match &ch[0].content {
            ChildContent::Parsed {
                own,
                hash_bytes,
                children,
            } => {
                assert_eq!(own.kind, ItemKind::Sheet);
                assert_eq!(hash_bytes, own.text.as_bytes());
                assert!(children.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }
}
