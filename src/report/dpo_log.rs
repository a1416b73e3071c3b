//! The DPO's redaction log: `OUT/redaction-log.csv` and `OUT/redaction-log.xlsx`, one row per
//! redaction applied (and per item withheld), with who or which rule decided and on what legal
//! ground. The ICO expects a record of who redacted what, when and why; this is it. It quotes
//! the redacted text, so it is internal: it goes into the master copy, never the bundle.
//!
//! The CSV is for tools and diffing; the workbook is what a DPO opens, so it gets a bold,
//! frozen, filterable header and a second sheet explaining every reason code used.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::decide::{ItemInfo, Outcome};
use crate::detect::exemptions::Catalogue;
use crate::fsutil::write_atomic;

pub const HEADER: [&str; 9] = [
    "item_id",
    "source_path",
    "location",
    "text",
    "category",
    "reason",
    "citation",
    "decided_by",
    "date",
];

/// Name of the workbook's second sheet.
pub const REASONS_SHEET: &str = "Reasons";
pub const LOG_SHEET: &str = "Redaction log";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    pub item_id: String,
    pub source_path: String,
    /// `page,x0,y0,x1,y1` for PDFs (as `disclose redact` logs), else as in proposals.csv.
    pub location: String,
    pub text: String,
    pub category: String,
    pub reason: String,
    pub citation: String,
    /// `rule: <rule>` or `<who>, <when>`.
    pub decided_by: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

impl LogRow {
    fn fields(&self) -> [&str; 9] {
        [
            &self.item_id,
            &self.source_path,
            &self.location,
            &self.text,
            &self.category,
            &self.reason,
            &self.citation,
            &self.decided_by,
            &self.date,
        ]
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot build the redaction log workbook: {0}")]
    Xlsx(#[from] XlsxError),
}

/// `page,x0,y0,x1,y1` with two decimals: the same cells `disclose redact` writes.
pub fn pdf_location(page: u32, rect: [f64; 4]) -> String {
    format!(
        "{page},{:.2},{:.2},{:.2},{:.2}",
        rect[0], rect[1], rect[2], rect[3]
    )
}

/// A proposals.csv location in the log's form: `page N box x0,y0,x1,y1` becomes
/// `N,x0,y0,x1,y1`; any other location (characters, cells, header fields) is kept as it is.
pub fn log_location(location: &str) -> String {
    let pdf = || -> Option<String> {
        let rest = location.trim().strip_prefix("page ")?;
        let (page, rest) = rest.split_once(" box ")?;
        let page: u32 = page.trim().parse().ok()?;
        let nums: Vec<f64> = rest
            .split(',')
            .map(|n| n.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .ok()?;
        let rect: [f64; 4] = nums.try_into().ok()?;
        Some(pdf_location(page, rect))
    };
    pdf().unwrap_or_else(|| location.to_string())
}

/// Rows for every redaction, region and withheld item in `outcome`. Redactions no person
/// decided carry `run_date`, the day the rules applied them.
pub fn rows(
    outcome: &Outcome,
    items: &[ItemInfo],
    catalogue: &Catalogue,
    run_date: NaiveDate,
) -> Vec<LogRow> {
    let path = |id: &str| {
        items
            .iter()
            .find(|i| i.item_id == id)
            .map(|i| i.source_path.clone())
            .unwrap_or_default()
    };
    let cite = |code: &str| {
        catalogue
            .get(code)
            .map(|e| e.citation.clone())
            .unwrap_or_default()
    };
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let mut out = Vec::new();
    for f in &outcome.redactions {
        out.push(LogRow {
            item_id: f.item_id.clone(),
            source_path: path(&f.item_id),
            location: log_location(&f.location),
            text: f.text.clone(),
            category: f.category.clone(),
            reason: f.reason.clone(),
            citation: cite(&f.reason),
            decided_by: f.decided_by.clone(),
            date: day(f.date.unwrap_or(run_date)),
        });
    }
    for r in &outcome.regions {
        out.push(LogRow {
            item_id: r.item_id.clone(),
            source_path: path(&r.item_id),
            location: pdf_location(r.page, r.rect),
            text: String::new(),
            category: "region".into(),
            reason: r.reason.clone(),
            citation: cite(&r.reason),
            decided_by: r.decided_by.clone(),
            date: day(r.date),
        });
    }
    for w in &outcome.withheld {
        out.push(LogRow {
            item_id: w.item_id.clone(),
            source_path: path(&w.item_id),
            location: "whole item withheld".into(),
            text: String::new(),
            category: "withheld".into(),
            reason: w.reason.clone(),
            citation: cite(&w.reason),
            decided_by: format!("{}, {}", w.who, day(w.when)),
            date: day(w.when),
        });
    }
    out
}

/// Writes both files, each atomically: a half-written log must never pass for the record.
/// `catalogue` supplies the description of each code for the workbook's "Reasons" sheet.
pub fn write_redaction_log(
    rows: &[LogRow],
    catalogue: &Catalogue,
    csv_path: &Path,
    xlsx_path: &Path,
) -> Result<(), LogError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| LogError::Io { path, source }
    };
    write_atomic(csv_path, &csv_bytes(rows).map_err(io(csv_path))?).map_err(io(csv_path))?;
    write_atomic(xlsx_path, &xlsx_bytes(rows, catalogue)?).map_err(io(xlsx_path))?;
    Ok(())
}

fn csv_bytes(rows: &[LogRow]) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER).map_err(std::io::Error::other)?;
    for r in rows {
        w.write_record(r.fields()).map_err(std::io::Error::other)?;
    }
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// Widest a column is made, in characters: wider text wraps in the cell rather than pushing
/// the next column off screen.
const MAX_WIDTH: usize = 60;

fn xlsx_bytes(rows: &[LogRow], catalogue: &Catalogue) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();

    let log = book.add_worksheet();
    log.set_name(LOG_SHEET)?;
    let cells: Vec<[&str; 9]> = rows.iter().map(LogRow::fields).collect();
    table(log, &HEADER, &cells, &bold, &wrap)?;

    // Reasons in catalogue order, each once; a code the catalogue lacks still gets a row.
    let used: BTreeSet<&str> = rows.iter().map(|r| r.reason.as_str()).collect();
    let mut reasons: Vec<[String; 4]> = Vec::new();
    for e in catalogue.all() {
        if used
            .iter()
            .any(|u| catalogue.get(u).is_some_and(|x| x.code == e.code))
        {
            reasons.push([
                e.code.clone(),
                e.citation.clone(),
                e.description.clone(),
                e.note.clone().unwrap_or_default(),
            ]);
        }
    }
    for u in used.iter().filter(|u| catalogue.get(u).is_none()) {
        let cite = rows
            .iter()
            .find(|r| r.reason == *u)
            .map(|r| r.citation.clone())
            .unwrap_or_default();
        reasons.push([u.to_string(), cite, String::new(), String::new()]);
    }
    let sheet = book.add_worksheet();
    sheet.set_name(REASONS_SHEET)?;
    let cells: Vec<[&str; 4]> = reasons
        .iter()
        .map(|r| [r[0].as_str(), &r[1], &r[2], &r[3]])
        .collect();
    table(
        sheet,
        &["code", "citation", "description", "note"],
        &cells,
        &bold,
        &wrap,
    )?;
    book.save_to_buffer()
}

/// A header row (bold, frozen, filterable) over `rows`, every cell a string so no document
/// text is ever taken for a formula or a number.
fn table<const N: usize>(
    sheet: &mut Worksheet,
    header: &[&str; N],
    rows: &[[&str; N]],
    bold: &Format,
    wrap: &Format,
) -> Result<(), XlsxError> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count() + 4).collect();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, col(c), *h, bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, v) in row.iter().enumerate() {
            widths[c] = widths[c].max(v.chars().count() + 1);
            if v.chars().count() > MAX_WIDTH {
                sheet.write_string_with_format(r, col(c), *v, wrap)?;
            } else {
                sheet.write_string(r, col(c), *v)?;
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(col(c), (*w).min(MAX_WIDTH) as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_row = u32::try_from(rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    sheet.autofilter(0, 0, last_row, col(N.saturating_sub(1)))?;
    Ok(())
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

// TEMPORARY SHIM (replaced by the streaming writer from branch `log`).
pub struct LogWriter {
    rows: Vec<LogRow>,
    csv: std::path::PathBuf,
    xlsx: std::path::PathBuf,
}
impl LogWriter {
    pub fn create(csv_path: &Path, xlsx_path: &Path, _work: &Path) -> Result<LogWriter, LogError> {
        Ok(LogWriter {
            rows: Vec::new(),
            csv: csv_path.into(),
            xlsx: xlsx_path.into(),
        })
    }
    pub fn push(&mut self, row: &LogRow) -> Result<(), LogError> {
        self.rows.push(row.clone());
        Ok(())
    }
    pub fn finish(self, catalogue: &Catalogue) -> Result<u64, LogError> {
        write_redaction_log(&self.rows, catalogue, &self.csv, &self.xlsx)?;
        Ok(self.rows.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

    fn sample() -> Vec<LogRow> {
        let row = |id: &str, loc: &str, text: &str, cat: &str, reason: &str, by: &str| LogRow {
            item_id: id.into(),
            source_path: format!("export/Exchange/jane.doe@oakfield.sch.uk › {id}.eml"),
            location: loc.into(),
            text: text.into(),
            category: cat.into(),
            reason: reason.into(),
            citation: Catalogue::built_in()
                .get(reason)
                .map(|e| e.citation.clone())
                .unwrap_or_default(),
            decided_by: by.into(),
            date: "2026-11-20".into(),
        };
        vec![
            row(
                "a1",
                "chars 10-23",
                "Jayden Okafor",
                "pupil",
                "THIRD-PARTY",
                "rule: roster:full-name",
            ),
            row(
                "a1",
                "chars 40-52",
                "07700 900819",
                "phone",
                "THIRD-PARTY",
                "rule: phone",
            ),
            row(
                "b2",
                &pdf_location(3, [72.0, 700.5, 300.25, 720.0]),
                "Zoë O'Neill",
                "pupil",
                "SERIOUS-HARM",
                "J. Patel (DPO), 2026-11-20",
            ),
            row(
                "c3",
                "chars 0-5",
                "=1+2",
                "custom",
                "LPP",
                "J. Patel (DPO), 2026-11-21",
            ),
            row(
                "d4",
                "whole item withheld",
                "",
                "withheld",
                "CONF-REF",
                "J. Patel (DPO), 2026-11-21",
            ),
        ]
    }

    #[test]
    fn the_workbook_holds_the_same_rows_as_the_csv_and_explains_each_reason() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (csv_p, xlsx_p) = (dir.path().join("log.csv"), dir.path().join("log.xlsx"));
        let rows = sample();
        let cat = Catalogue::built_in();
        write_redaction_log(&rows, &cat, &csv_p, &xlsx_p).expect("written");

        let mut r = csv::Reader::from_path(&csv_p).expect("csv");
        let header: Vec<String> = r
            .headers()
            .expect("header")
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(header, HEADER);
        let from_csv: Vec<Vec<String>> = r
            .records()
            .map(|x| x.expect("record").iter().map(String::from).collect())
            .collect();
        assert_eq!(from_csv.len(), rows.len());
        assert_eq!(from_csv[2][2], "3,72.00,700.50,300.25,720.00");

        let bytes = std::fs::read(&xlsx_p).expect("xlsx");
        let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("opens");
        assert_eq!(book.sheet_names(), vec![LOG_SHEET, REASONS_SHEET]);
        let range = book.worksheet_range(LOG_SHEET).expect("log sheet");
        let cells: Vec<Vec<String>> = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::String(s) => s.clone(),
                        Data::Empty => String::new(),
                        other => panic!("not a string cell: {other:?}"),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(cells[0], HEADER);
        assert_eq!(cells[1..], from_csv[..], "workbook and CSV disagree");

        let reasons = book.worksheet_range(REASONS_SHEET).expect("reasons sheet");
        let codes: Vec<String> = reasons.rows().skip(1).map(|r| r[0].to_string()).collect();
        assert_eq!(codes, ["THIRD-PARTY", "SERIOUS-HARM", "LPP", "CONF-REF"]);
        for r in reasons.rows().skip(1) {
            let e = cat.get(&r[0].to_string()).expect("known code");
            assert_eq!(r[1].to_string(), e.citation);
            assert_eq!(r[2].to_string(), e.description);
        }
        // No partial files left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn pdf_locations_take_the_redact_commands_form() {
        assert_eq!(
            log_location("page 2 box 72,700.5,300,720"),
            "2,72.00,700.50,300.00,720.00"
        );
        assert_eq!(log_location("chars 10-23"), "chars 10-23");
        assert_eq!(log_location("Sheet1!B7"), "Sheet1!B7");
        assert_eq!(log_location("page x box 1,2,3,4"), "page x box 1,2,3,4");
        assert_eq!(log_location("page 1 box 1,2,3"), "page 1 box 1,2,3");
    }

    #[test]
    fn rows_cover_redactions_regions_and_withheld_items() {
        use crate::decide::{apply, parse, Decisions};
        use crate::detect::proposals::{Action, Proposal};
        let text = "Jayden Okafor hit Ava.";
        let items = vec![
            ItemInfo {
                item_id: "i1".into(),
                sha256: "11".repeat(32),
                source_path: "drive/log.docx".into(),
                kind: "docx".into(),
                state: "ok".into(),
                text: Some(text.into()),
            },
            ItemInfo {
                item_id: "i2".into(),
                sha256: "22".repeat(32),
                source_path: "drive/scan.pdf".into(),
                kind: "pdf".into(),
                state: "ok".into(),
                text: None,
            },
        ];
        let props = vec![(
            Proposal {
                item_id: "i1".into(),
                location: "chars 0-13".into(),
                span: 0..13,
                text: "Jayden Okafor".into(),
                category: "pupil".into(),
                reason: "THIRD-PARTY".into(),
                rule: "roster:full-name".into(),
                action: Action::Redact,
            },
            0..13,
        )];
        let cat = Catalogue::built_in();
        let d = parse(
            &format!(
                "[[decision]]\naction = \"redact-region\"\nitem = \"{}\"\npage = 1\n\
                 box = [10, 20, 30, 40]\nreason = \"THIRD-PARTY\"\nwho = \"DPO\"\nwhen = 2026-11-20\n",
                "22".repeat(32)
            ),
            Path::new("d.toml"),
            &cat,
        )
        .expect("valid");
        let run = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        let out = apply(&props, &items, &d);
        let rows = rows(&out, &items, &cat, run);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].source_path, "drive/log.docx");
        assert_eq!(
            rows[0].date, "2026-11-25",
            "rule-based rows carry the run date"
        );
        assert!(rows[0].citation.contains("Sch 2 Pt 3 para 16"));
        assert_eq!(rows[1].location, "1,10.00,20.00,30.00,40.00");
        assert_eq!(rows[1].decided_by, "DPO, 2026-11-20");
        let none = apply(&props, &items, &Decisions::default());
        assert_eq!(super::rows(&none, &items, &cat, run).len(), 1);
    }
}
