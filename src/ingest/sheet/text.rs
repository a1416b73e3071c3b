//! Text saved under a spreadsheet name: csv (comma, semicolon or tab separated), and the
//! "Excel exports" that are really an HTML table or an Excel 2003 XML workbook.

use super::values::one_line;
use super::workbook::{single_sheet, SheetText};
use super::xml2003;
use crate::ingest::model::{Child, Input, Own, ReadError};
use crate::ingest::plain::{decode_html, decode_text, is_html};
use crate::ingest::textconv::html_to_text;

/// Text saved under a spreadsheet name: csv, but also what school MIS and web systems call an
/// "Excel export" — an HTML table or an Excel 2003 XML workbook with an .xls name. Each is
/// read for what it is rather than split on commas.
pub(super) fn read(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let head_len = input.bytes.len().min(4096);
    let (head, _) = decode_text(&input.bytes[..head_len]);
    if head.contains("urn:schemas-microsoft-com:office:spreadsheet") {
        return xml2003::read(input, emit);
    }
    if is_html("", input.bytes) {
        let (html, encoding) = decode_html(input.bytes);
        let text = html_to_text(&html);
        let mut notes = vec!["an HTML page saved with a spreadsheet name".to_string()];
        notes.extend(encoding.map(|e| format!("decoded as {e}")));
        let sheet = SheetText {
            cells: text.matches(['\t', '\n']).count() as u64 + 1,
            text,
            notes: Vec::new(),
            rows: Vec::new(),
        };
        return Ok(single_sheet(input.name, sheet, notes, emit));
    }
    read_csv(input, emit)
}

fn read_csv(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let (text, encoding) = decode_text(input.bytes);
    let delimiter = detect_delimiter(&text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut out = String::with_capacity(text.len());
    let mut record = csv::StringRecord::new();
    let mut cells = 0u64;
    let mut rows = Vec::new();
    let mut record_no = 0u32;
    loop {
        match rdr.read_record(&mut record) {
            Ok(true) => {
                record_no = record_no.saturating_add(1);
                let fields: Vec<String> = record.iter().map(one_line).collect();
                if fields.iter().all(String::is_empty) {
                    continue;
                }
                rows.push((record_no - 1, 0));
                cells += fields.iter().filter(|f| !f.is_empty()).count() as u64;
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(fields.join("\t").trim_end_matches('\t'));
            }
            Ok(false) => break,
            Err(e) => return Err(ReadError::Corrupt(format!("csv: {e}"))),
        }
    }
    let mut notes = Vec::new();
    if let Some(enc) = encoding {
        notes.push(format!("decoded as {enc}"));
    }
    let delim_name = match delimiter {
        b';' => "semicolon",
        b'\t' => "tab",
        _ => "comma",
    };
    let sheet = SheetText {
        text: out,
        notes: vec![format!("csv, {delim_name}-separated")],
        cells,
        rows,
    };
    Ok(single_sheet(input.name, sheet, notes, emit))
}

/// Picks the delimiter that splits the first rows into the same number of fields, most fields
/// winning: a UK school's exports are comma-separated, but European-locale Excel writes `;`
/// and some MIS exports are tab-separated.
fn detect_delimiter(text: &str) -> u8 {
    let mut cut = text.len().min(64 * 1024);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let truncated = cut < text.len();
    let sample = &text[..cut];
    let mut best = (b',', false, 0usize);
    for d in [b',', b';', b'\t'] {
        let mut counts: Vec<usize> = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(sample.as_bytes())
            .records()
            .take(51)
            .filter_map(Result::ok)
            .filter(|r| !(r.len() == 1 && r.get(0).is_some_and(str::is_empty)))
            .map(|r| r.len())
            .collect();
        if truncated && counts.len() > 1 {
            counts.pop();
        }
        let Some(&first) = counts.first() else {
            continue;
        };
        let consistent = first > 1 && counts.iter().all(|&c| c == first);
        let score = if consistent {
            first
        } else {
            counts.iter().sum::<usize>() / counts.len()
        };
        if (consistent, score) > (best.1, best.2) && score > 1 {
            best = (d, consistent, score);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use crate::ingest::model::{ItemKind, ReadError};
    use crate::ingest::sheet::test_support::{run, sheet_notes, sheet_text};

    #[test]
    fn csv_delimiters_and_encodings() {
        let (r, ch) = run(
            b"name;dob;form\nJane Smith;2010-04-01;9C\nTom Brown;2010-05-02;9D\n",
            "pupils.csv",
        );
        let own = r.expect("csv reads");
        assert_eq!(own.kind, ItemKind::Workbook);
        assert_eq!(
            sheet_text(&ch, "pupils"),
            "name\tdob\tform\nJane Smith\t2010-04-01\t9C\nTom Brown\t2010-05-02\t9D"
        );

        let (r, ch) = run(b"a\tb,c\t\"quoted\ttab\"\n1\t2\t3\n", "x.tsv");
        r.expect("tsv reads");
        assert_eq!(sheet_text(&ch, "x"), "a\tb,c\tquoted tab\n1\t2\t3");

        // Windows-1252: Zoë, £5.
        let (r, ch) = run(b"name,amount\nZo\xeb,\xa35\n", "fees.csv");
        let own = r.expect("1252 csv reads");
        assert!(
            own.notes.iter().any(|n| n.contains("windows-1252")),
            "{:?}",
            own.notes
        );
        assert_eq!(sheet_text(&ch, "fees"), "name\tamount\nZo\u{eb}\t\u{a3}5");

        // UTF-16 with BOM, as Excel's "Unicode text" export writes it.
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "a\tb\r\nc\td\r\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let (r, ch) = run(&utf16, "export.txt");
        r.expect("utf-16 reads");
        assert_eq!(sheet_text(&ch, "export"), "a\tb\nc\td");
    }

    #[test]
    fn excel_2003_xml_and_html_saved_as_xls() {
        let xml = r#"<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:x="urn:schemas-microsoft-com:office:excel">
 <Worksheet ss:Name="Attendance">
  <Table>
   <Row><Cell><Data ss:Type="String">Name</Data></Cell><Cell><Data ss:Type="String">Date</Data></Cell></Row>
   <Row><Cell ss:MergeAcross="1"><Data ss:Type="String">Jane &amp; Tom</Data></Cell><Cell><Data ss:Type="Number">3</Data></Cell></Row>
   <Row ss:Index="5"><Cell ss:Index="2"><Data ss:Type="DateTime">2021-01-01T00:00:00.000</Data><Comment ss:Author="Mr Brown"><ss:Data><B>late</B> again</ss:Data></Comment></Cell><Cell/><Cell><Data ss:Type="String">x</Data></Cell></Row>
  </Table>
 </Worksheet>
 <Worksheet ss:Name="Hidden"><Table><Row><Cell><Data ss:Type="String">secret</Data></Cell></Row></Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions></Worksheet>
</Workbook>"#;
        let (r, ch) = run(xml.as_bytes(), "SIMS export.xls");
        let own = r.expect("xml 2003 reads");
        assert_eq!(own.notes, ["Excel 2003 XML workbook", "1 hidden sheet"]);
        assert_eq!(
            sheet_text(&ch, "Attendance"),
            "Name\tDate\nJane & Tom\t\t3\n\t2021-01-01\t\tx\n\nComment B5 (Mr Brown): late again"
        );
        assert_eq!(sheet_text(&ch, "Hidden"), "secret");
        assert_eq!(sheet_notes(&ch, "Hidden"), ["hidden sheet"]);
        // Broken XML after a sheet: what was read is kept, the broken sheet fails.
        let cut = &xml[..xml.find("<WorksheetOptions").unwrap_or(xml.len())];
        let (r, ch) = run(format!("{cut}</Worksheet><Worksheet ss:Name=\"B\"><Table><Row><Cell><Data>&bogus;</Data></Cell></Row>").as_bytes(), "x.xls");
        r.expect("partial xml 2003 reads");
        assert!(sheet_text(&ch, "Attendance").starts_with("Name\tDate"));

        let html = b"<html xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><body><table><tr><td>Name</td><td>Form</td></tr><tr><td>Jane</td><td>9C</td></tr></table></body></html>";
        let (r, ch) = run(html, "export.xls");
        assert_eq!(
            r.expect("html xls reads").notes,
            ["an HTML page saved with a spreadsheet name"]
        );
        assert_eq!(sheet_text(&ch, "export"), "Name\tForm\nJane\t9C");

        let biff4 = [0x09u8, 0x04, 0x06, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00];
        assert!(
            matches!(run(&biff4, "old.xls").0, Err(ReadError::Unsupported(m)) if m.contains("Excel 2.x"))
        );
    }
}
