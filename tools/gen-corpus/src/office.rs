//! Office files: .docx (a minimal WordprocessingML package), zip archives and .xlsx workbooks,
//! all with fixed timestamps so the same seed gives the same bytes.

use std::io::{Cursor, Write};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::mime::html_escape;

fn zip_options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
}

/// A zip of `(name, bytes)` entries.
pub fn zip(entries: &[(String, Vec<u8>)]) -> anyhow::Result<Vec<u8>> {
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        z.start_file(name.as_str(), zip_options())?;
        z.write_all(bytes)?;
    }
    Ok(z.finish()?.into_inner())
}

/// A .docx whose paragraphs are `paras` (line breaks inside a paragraph become `<w:br/>`).
/// Every other paragraph splits its text over two runs, as Word does after an edit.
pub fn docx(paras: &[String]) -> anyhow::Result<Vec<u8>> {
    let mut body = String::new();
    for (i, p) in paras.iter().enumerate() {
        body.push_str("<w:p>");
        for (j, line) in p.split('\n').enumerate() {
            if j > 0 {
                body.push_str("<w:r><w:br/></w:r>");
            }
            let esc = html_escape(line, false);
            let cut = if i % 2 == 1 {
                esc.find(". ").map(|k| k + 2)
            } else {
                None
            };
            match cut {
                Some(k) => body.push_str(&format!(
                    "<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
                    &esc[..k],
                    &esc[k..]
                )),
                None => body.push_str(&format!("<w:r><w:t xml:space=\"preserve\">{esc}</w:t></w:r>")),
            }
        }
        body.push_str("</w:p>");
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let entries = vec![
        ("[Content_Types].xml".to_string(), b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>".to_vec()),
        ("_rels/.rels".to_string(), b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>".to_vec()),
        ("word/document.xml".to_string(), document.into_bytes()),
    ];
    zip(&entries)
}

/// A cell value.
pub enum Cell {
    S(String),
    N(f64),
}

/// An .xlsx with one sheet per `(name, rows)`; the first row of each is the header.
pub fn xlsx(sheets: &[(String, Vec<Vec<Cell>>)]) -> anyhow::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let when = ExcelDateTime::from_ymd(2025, 9, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_author("Oakfield Academy")
            .set_creation_datetime(&when),
    );
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        for (r, row) in rows.iter().enumerate() {
            let r = u32::try_from(r)?;
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c)?;
                match cell {
                    Cell::S(s) if !s.is_empty() => {
                        ws.write_string(r, c, s)?;
                    }
                    Cell::S(_) => {}
                    Cell::N(n) => {
                        ws.write_number(r, c, *n)?;
                    }
                }
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}
