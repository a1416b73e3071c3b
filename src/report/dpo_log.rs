//! The DPO's redaction log: `OUT/redaction-log.csv` and `OUT/redaction-log.xlsx`, one row per
//! redaction applied (and per item withheld), with who or which rule decided and on what legal
//! ground. The ICO expects a record of who redacted what, when and why; this is it. It quotes
//! the redacted text, so it is internal: it goes into the master copy, never the bundle.
//!
//! The CSV is for tools and diffing; the workbook is what a DPO opens, so it gets a bold,
//! frozen, filterable header and a second sheet explaining every reason code used.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::decide::{ItemInfo, Outcome};
use crate::detect::exemptions::Catalogue;
use crate::fsutil::AtomicWriter;

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
/// The workbook's temporary files go beside it, in `xlsx_path`'s folder.
pub fn write_redaction_log(
    rows: &[LogRow],
    catalogue: &Catalogue,
    csv_path: &Path,
    xlsx_path: &Path,
) -> Result<(), LogError> {
    let work = xlsx_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut log = LogWriter::create(csv_path, xlsx_path, work)?;
    for r in rows {
        log.push(r)?;
    }
    log.finish(catalogue)?;
    Ok(())
}

/// Widest a column is made, in characters: wider text wraps in the cell rather than pushing
/// the next column off screen.
const MAX_WIDTH: usize = 60;

/// Data rows on one log sheet: Excel's 1,048,576 rows, less the header. A longer log goes on
/// to "Redaction log (2)", and so on.
const SHEET_ROWS: u32 = 1_048_575;

/// The redaction log written as it is produced, one row at a time, so a disclosure of
/// millions of redactions is logged in bounded memory: the CSV goes through a buffered
/// writer, the workbook's sheets through rust_xlsxwriter's constant-memory mode (each row is
/// on disk once the next begins). What is held is the column widths and the reason codes
/// used (code and citation), not the rows.
///
/// Nothing appears at either path until [`LogWriter::finish`]; a writer dropped before then
/// (an error, a panic) removes its temporary files, so no partial log passes for the record.
pub struct LogWriter {
    csv: csv::Writer<AtomicWriter>,
    csv_path: PathBuf,
    xlsx_path: PathBuf,
    book: Workbook,
    /// Data rows on each log sheet so far: sheet `i` is the book's sheet `i`, and the last
    /// is the one being written.
    sheets: Vec<u32>,
    /// Data rows a sheet takes before the log goes on to the next.
    limit: u32,
    widths: [usize; 9],
    /// Each reason code used, with the citation on the first row that used it.
    reasons: BTreeMap<String, String>,
    rows: u64,
    wrap: Format,
}

impl LogWriter {
    /// `work`: a private (0700) folder inside the case's output folder where the workbook's
    /// temporary files go (never the system temp dir: the log quotes redacted personal data).
    /// They are created already unlinked, so they vanish with the writer, even if killed.
    pub fn create(csv_path: &Path, xlsx_path: &Path, work: &Path) -> Result<LogWriter, LogError> {
        Self::create_with_limit(csv_path, xlsx_path, work, SHEET_ROWS)
    }

    /// [`LogWriter::create`] with `limit` data rows per sheet, so tests can split small logs.
    fn create_with_limit(
        csv_path: &Path,
        xlsx_path: &Path,
        work: &Path,
        limit: u32,
    ) -> Result<LogWriter, LogError> {
        let mut book = Workbook::new();
        // Before any sheet: each constant-memory sheet opens its temporary file when added.
        book.set_tempdir(work)?;
        let file = AtomicWriter::create(csv_path).map_err(io_err(csv_path))?;
        let mut csv = csv::Writer::from_writer(file);
        csv.write_record(HEADER).map_err(csv_err(csv_path))?;
        let mut log = LogWriter {
            csv,
            csv_path: csv_path.to_path_buf(),
            xlsx_path: xlsx_path.to_path_buf(),
            book,
            sheets: Vec::new(),
            limit: limit.max(1),
            widths: HEADER.map(|h| h.chars().count() + 4),
            reasons: BTreeMap::new(),
            rows: 0,
            wrap: Format::new().set_text_wrap(),
        };
        log.new_sheet()?;
        Ok(log)
    }

    /// Starts the next log sheet with its header. Constant-memory sheets must be written row
    /// by row in order, so the header goes first; freeze, filter and widths come at finish.
    fn new_sheet(&mut self) -> Result<(), LogError> {
        let name = match self.sheets.len() {
            0 => LOG_SHEET.to_string(),
            n => format!("{LOG_SHEET} ({})", n + 1),
        };
        let bold = Format::new().set_bold();
        let sheet = self.book.add_worksheet_with_constant_memory()?;
        sheet.set_name(name)?;
        for (c, h) in HEADER.iter().enumerate() {
            sheet.write_string_with_format(0, col(c), *h, &bold)?;
        }
        self.sheets.push(0);
        Ok(())
    }

    pub fn push(&mut self, row: &LogRow) -> Result<(), LogError> {
        let fields = row.fields();
        self.csv
            .write_record(fields)
            .map_err(csv_err(&self.csv_path))?;

        if self.sheets.last().is_some_and(|n| *n >= self.limit) {
            self.new_sheet()?;
        }
        let index = self.sheets.len().saturating_sub(1);
        let Some(n) = self.sheets.last_mut() else {
            return Err(XlsxError::ParameterError("no log sheet".into()).into());
        };
        *n += 1;
        let r = *n;
        let sheet = self.book.worksheet_from_index(index)?;
        for (c, v) in fields.iter().enumerate() {
            let chars = v.chars().count();
            self.widths[c] = self.widths[c].max(chars + 1);
            // Always a string cell: document text is never taken for a formula or number.
            if chars > MAX_WIDTH {
                sheet.write_string_with_format(r, col(c), *v, &self.wrap)?;
            } else {
                sheet.write_string(r, col(c), *v)?;
            }
        }
        if !self.reasons.contains_key(&row.reason) {
            self.reasons
                .insert(row.reason.clone(), row.citation.clone());
        }
        self.rows += 1;
        Ok(())
    }

    /// Rows pushed so far.
    pub fn len(&self) -> u64 {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Writes the Reasons sheet, saves the workbook, and publishes both files atomically
    /// (temp file in the same folder, fsync, rename). Returns the number of rows.
    pub fn finish(mut self, catalogue: &Catalogue) -> Result<u64, LogError> {
        // Widths, freeze and filter only touch the part of a sheet before and after its
        // rows, which constant-memory mode assembles at save, so they can be set last.
        for (i, n) in self.sheets.iter().enumerate() {
            let sheet = self.book.worksheet_from_index(i)?;
            for (c, w) in self.widths.iter().enumerate() {
                sheet.set_column_width(col(c), (*w).min(MAX_WIDTH) as f64)?;
            }
            sheet.set_freeze_panes(1, 0)?;
            sheet.autofilter(0, 0, *n, col(HEADER.len() - 1))?;
        }

        let reasons = reason_rows(&self.reasons, catalogue);
        let sheet = self.book.add_worksheet();
        sheet.set_name(REASONS_SHEET)?;
        let cells: Vec<[&str; 4]> = reasons
            .iter()
            .map(|r| [r[0].as_str(), &r[1], &r[2], &r[3]])
            .collect();
        table(
            sheet,
            &["code", "citation", "description", "note"],
            &cells,
            &Format::new().set_bold(),
            &self.wrap,
        )?;

        let xlsx_path = self.xlsx_path.clone();
        let mut xlsx = AtomicWriter::create(&xlsx_path).map_err(io_err(&xlsx_path))?;
        self.book.save_to_writer(&mut xlsx).map_err(|e| match e {
            XlsxError::IoError(source) => io_err(&xlsx_path)(source),
            e => LogError::Xlsx(e),
        })?;
        let csv = self
            .csv
            .into_inner()
            .map_err(|e| io_err(&self.csv_path)(std::io::Error::other(e.to_string())))?;
        // Both are complete before either appears; the CSV is taken back if the workbook
        // cannot follow it, so the two never disagree.
        csv.commit(true).map_err(io_err(&self.csv_path))?;
        if let Err(e) = xlsx.commit(true) {
            let _ = std::fs::remove_file(&self.csv_path);
            return Err(io_err(&xlsx_path)(e));
        }
        Ok(self.rows)
    }
}

/// The Reasons sheet's rows: catalogue codes used, in catalogue order, each once; then any
/// code the catalogue lacks, with the citation its rows carried.
fn reason_rows(used: &BTreeMap<String, String>, catalogue: &Catalogue) -> Vec<[String; 4]> {
    let mut out: Vec<[String; 4]> = Vec::new();
    for e in catalogue.all() {
        if used
            .keys()
            .any(|u| catalogue.get(u).is_some_and(|x| x.code == e.code))
        {
            out.push([
                e.code.clone(),
                e.citation.clone(),
                e.description.clone(),
                e.note.clone().unwrap_or_default(),
            ]);
        }
    }
    for (u, cite) in used.iter().filter(|(u, _)| catalogue.get(u).is_none()) {
        out.push([u.clone(), cite.clone(), String::new(), String::new()]);
    }
    out
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> LogError {
    let path = path.display().to_string();
    move |source| LogError::Io { path, source }
}

fn csv_err(path: &Path) -> impl FnOnce(csv::Error) -> LogError {
    let path = path.display().to_string();
    move |e| LogError::Io {
        path,
        source: std::io::Error::other(e),
    }
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
        let cells = sheet_cells(&mut book, LOG_SHEET);
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

    /// Every cell of every sheet, as strings; panics on any cell that is not a string.
    fn sheet_cells(book: &mut Xlsx<std::io::Cursor<Vec<u8>>>, name: &str) -> Vec<Vec<String>> {
        let range = book.worksheet_range(name).expect("sheet");
        range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::String(s) => s.clone(),
                        Data::Empty => String::new(),
                        other => panic!("not a string cell in {name}: {other:?}"),
                    })
                    .collect()
            })
            .collect()
    }

    fn open_xlsx(path: &Path) -> Xlsx<std::io::Cursor<Vec<u8>>> {
        let bytes = std::fs::read(path).expect("xlsx");
        open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("opens")
    }

    fn csv_rows(path: &Path) -> Vec<Vec<String>> {
        let mut r = csv::Reader::from_path(path).expect("csv");
        r.records()
            .map(|x| x.expect("record").iter().map(String::from).collect())
            .collect()
    }

    /// The XML of one part of the workbook (to check what calamine does not report).
    fn part(path: &Path, name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("xlsx")).expect("zip");
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).expect("part"), &mut s)
            .expect("utf-8");
        s
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// A realistic log of `n` rows: pupils' and staff names, phone numbers, PDF boxes,
    /// withheld items, now and then a long quoted sentence that wraps, and codes old and new.
    fn many(n: usize) -> Vec<LogRow> {
        let cat = Catalogue::built_in();
        let reasons = [
            "THIRD-PARTY",
            "SERIOUS-HARM",
            "LPP",
            "CONF-REF",
            "LOCAL-CODE",
        ];
        let names = [
            "Jayden Okafor",
            "Zoë O'Neill",
            "Mrs Ángela Ruiz",
            "Ava Smith",
        ];
        (0..n)
            .map(|i| {
                let reason = reasons[i % reasons.len()];
                let text = match i % 7 {
                    0 => format!("07700 9{i:05}"),
                    3 => format!(
                        "{} said that {} had been upset all morning after the incident on the \
                         field, row {i}",
                        names[i % 4],
                        names[(i + 1) % 4]
                    ),
                    5 => String::new(),
                    _ => names[i % 4].to_string(),
                };
                LogRow {
                    item_id: format!("{:016x}", i / 3),
                    source_path: format!("export/Exchange/j.doe@oakfield.sch.uk › {}.eml", i / 3),
                    location: if i % 4 == 0 {
                        pdf_location(1 + (i % 9) as u32, [72.0, 700.5, 300.25, 720.0])
                    } else {
                        format!("chars {}-{}", i, i + 13)
                    },
                    text,
                    category: ["pupil", "phone", "staff", "region"][i % 4].into(),
                    reason: reason.into(),
                    citation: cat
                        .get(reason)
                        .map(|e| e.citation.clone())
                        .unwrap_or_else(|| "School policy 4.2".into()),
                    decided_by: if i % 2 == 0 {
                        "rule: roster:full-name".into()
                    } else {
                        "J. Patel (DPO), 2026-11-20".into()
                    },
                    date: "2026-11-20".into(),
                }
            })
            .collect()
    }

    #[test]
    fn a_streamed_log_has_the_same_rows_in_csv_and_workbook_and_leaves_work_as_it_was() {
        let dir = tempfile::tempdir().expect("tempdir");
        let work = dir.path().join("work");
        crate::fsutil::private_dir(&work).expect("work");
        std::fs::write(work.join("keep.txt"), "already here").expect("keep");
        let (csv_p, xlsx_p) = (dir.path().join("log.csv"), dir.path().join("log.xlsx"));
        let rows = many(2_000);
        let cat = Catalogue::built_in();

        let mut log = LogWriter::create(&csv_p, &xlsx_p, &work).expect("create");
        assert_eq!(log.len(), 0);
        assert!(log.is_empty());
        for (i, r) in rows.iter().enumerate() {
            log.push(r).expect("push");
            assert_eq!(log.len(), i as u64 + 1);
        }
        assert!(
            !csv_p.exists() && !xlsx_p.exists(),
            "nothing published before finish"
        );
        assert_eq!(log.finish(&cat).expect("finish"), 2_000);

        let expect: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.fields().map(String::from).to_vec())
            .collect();
        assert_eq!(csv_rows(&csv_p), expect);
        let mut book = open_xlsx(&xlsx_p);
        assert_eq!(book.sheet_names(), vec![LOG_SHEET, REASONS_SHEET]);
        let cells = sheet_cells(&mut book, LOG_SHEET);
        assert_eq!(cells[0], HEADER);
        assert_eq!(cells[1..], expect[..], "workbook and CSV disagree");

        // Known codes in catalogue order, then the unknown one with the citation it carried.
        let reasons = sheet_cells(&mut book, REASONS_SHEET);
        let codes: Vec<&str> = reasons[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            codes,
            [
                "THIRD-PARTY",
                "SERIOUS-HARM",
                "LPP",
                "CONF-REF",
                "LOCAL-CODE"
            ]
        );
        assert_eq!(reasons[5][1], "School policy 4.2");

        // Widths set after the rows were streamed still reach the sheet, capped; the header
        // is frozen and the filter covers every row; long text wraps.
        let xml = part(&xlsx_p, "xl/worksheets/sheet1.xml");
        assert!(
            xml.contains(r#"<autoFilter ref="A1:I2001"/>"#),
            "{}",
            &xml[..600]
        );
        assert!(xml.contains(r#"ySplit="1""#), "frozen header");
        assert!(xml.contains("<cols>"), "column widths");
        assert!(
            xml.contains(r#"width="60.7109375""#),
            "long text column capped at 60"
        );
        // Row 5 quotes a long sentence: its text cell takes the third style (wrap); the
        // header takes the second (bold); short cells none.
        assert!(
            xml.contains(r#"<c r="A1" s="1" t="inlineStr">"#),
            "bold header"
        );
        assert!(
            xml.contains(r#"<c r="D5" s="2" t="inlineStr">"#),
            "long text wraps"
        );
        assert!(
            xml.contains(r#"<c r="D2" t="inlineStr">"#),
            "short text plain"
        );
        let styles = part(&xlsx_p, "xl/styles.xml");
        assert!(styles.contains(r#"<alignment wrapText="1"/></xf></cellXfs>"#));
        assert!(styles.contains("<font><b/>"));

        assert_eq!(
            names(&work),
            ["keep.txt"],
            "workbook temp files left in work"
        );
        assert_eq!(names(dir.path()), ["log.csv", "log.xlsx", "work"]);
    }

    #[test]
    fn a_full_sheet_continues_on_the_next_with_its_own_header() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cat = Catalogue::built_in();
        for (n, sheets) in [(8, 3), (6, 2), (3, 1), (0, 1)] {
            let (csv_p, xlsx_p) = (dir.path().join("log.csv"), dir.path().join("log.xlsx"));
            let rows = many(n);
            let mut log =
                LogWriter::create_with_limit(&csv_p, &xlsx_p, dir.path(), 3).expect("create");
            for r in &rows {
                log.push(r).expect("push");
            }
            assert_eq!(log.finish(&cat).expect("finish"), n as u64);

            let mut book = open_xlsx(&xlsx_p);
            let mut want: Vec<String> = vec![LOG_SHEET.into()];
            want.extend((2..=sheets).map(|k| format!("{LOG_SHEET} ({k})")));
            want.push(REASONS_SHEET.into());
            assert_eq!(book.sheet_names(), want, "{n} rows");
            let mut all = Vec::new();
            for (k, name) in want[..sheets].iter().enumerate() {
                let cells = sheet_cells(&mut book, name);
                assert_eq!(cells[0], HEADER, "{name} has the header");
                assert!(cells.len() - 1 <= 3, "{name} holds at most the limit");
                let xml = part(&xlsx_p, &format!("xl/worksheets/sheet{}.xml", k + 1));
                let last = cells.len();
                assert!(
                    xml.contains(&format!(r#"<autoFilter ref="A1:I{last}"/>"#)),
                    "{name}: filter over its rows"
                );
                assert!(xml.contains(r#"ySplit="1""#), "{name}: frozen header");
                all.extend(cells.into_iter().skip(1));
            }
            let expect: Vec<Vec<String>> = rows
                .iter()
                .map(|r| r.fields().map(String::from).to_vec())
                .collect();
            assert_eq!(all, expect, "every row once, in order ({n} rows)");
            assert_eq!(csv_rows(&csv_p), expect);
        }
    }

    #[test]
    fn text_that_looks_like_a_formula_or_number_stays_a_string() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (csv_p, xlsx_p) = (dir.path().join("log.csv"), dir.path().join("log.xlsx"));
        let odd = [
            "=HYPERLINK(\"http://x\",\"y\")",
            "=1+2",
            "+44 7700 900819",
            "-1",
            "1.5e3",
            "TRUE",
            "@SUM(A1)",
        ];
        let mut log = LogWriter::create(&csv_p, &xlsx_p, dir.path()).expect("create");
        for t in odd {
            let mut r = many(1).remove(0);
            r.text = t.into();
            log.push(&r).expect("push");
        }
        log.finish(&Catalogue::built_in()).expect("finish");
        let mut book = open_xlsx(&xlsx_p);
        let range = book.worksheet_range(LOG_SHEET).expect("sheet");
        for (i, t) in odd.iter().enumerate() {
            assert_eq!(
                range.get_value((i as u32 + 1, 3)),
                Some(&Data::String(t.to_string()))
            );
        }
        let formulas = book.worksheet_formula(LOG_SHEET).expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "no formula cells"
        );
        assert!(!part(&xlsx_p, "xl/worksheets/sheet1.xml").contains("<f>"));
    }

    #[test]
    fn a_writer_dropped_without_finish_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let work = dir.path().join("work");
        crate::fsutil::private_dir(&work).expect("work");
        std::fs::write(work.join("keep.txt"), "already here").expect("keep");
        let (csv_p, xlsx_p) = (dir.path().join("log.csv"), dir.path().join("log.xlsx"));
        {
            let mut log = LogWriter::create_with_limit(&csv_p, &xlsx_p, &work, 10).expect("create");
            for r in &many(25) {
                log.push(r).expect("push");
            }
            assert_eq!(log.len(), 25);
            // The CSV's temporary sibling exists while the writer lives.
            assert_eq!(names(dir.path()).len(), 2, "{:?}", names(dir.path()));
        }
        assert_eq!(names(dir.path()), ["work"]);
        assert_eq!(names(&work), ["keep.txt"]);
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
