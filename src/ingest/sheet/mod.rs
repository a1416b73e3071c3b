//! Spreadsheets: xlsx, xlsm, xlsb, xls, ods and csv.
//!
//! A workbook is one item and each of its sheets is a child item — hidden and very hidden
//! sheets too, because what a school has tucked out of sight is still data it holds. A sheet's
//! text is its rows as lines of tab-separated cell text (cached values, not formulas), followed
//! by its cell comments and hyperlink targets where the format lets us read them. calamine
//! 0.38 exposes no comments, so xlsx comment parts and ods annotations are read here directly;
//! for .xls and .xlsb a note says the file has comments that were not read.
//!
//! Text files arrive under spreadsheet names too: csv (comma, semicolon or tab), and the
//! "Excel exports" of school and web systems that are really an HTML table or an Excel 2003
//! XML workbook. Each is read for what it is.
//!
//! calamine does the format work, but it trusts what a file declares: a few hundred bytes can
//! make it reserve or fill gigabytes (the `OOM_alloc*.xls` and `issue_594_dos.ods` files of its
//! own corpus), and it materialises every .xls and .ods sheet densely when the file is opened.
//! So before calamine sees the bytes, this module measures what they would expand to — the zip
//! directory, the OLE sector tables, and a streaming pass over the .xls records or the .ods XML
//! — and refuses with [`ReadError::Limit`] when that is over budget. xlsx and xlsb sheets are
//! streamed cell by cell, so only our own per-sheet caps apply to them. calamine indexes
//! unchecked in places, so every call into it runs under `catch_unwind`: a panic becomes a
//! corrupt file (or a failed sheet), never a crashed run.
//!
//! One module per format ([`xls`], [`xlsx`], [`xlsb`], [`ods`], [`text`] and [`xml2003`]);
//! what they share is how cell values read ([`values`]), how cells become a sheet's text
//! ([`cells`]), how calamine is driven ([`load`]) and bounded ([`guard`], [`biff`]), and how
//! sheets become a workbook item ([`workbook`]).

mod biff;
mod cells;
mod guard;
mod load;
mod ods;
mod text;
mod values;
mod workbook;
mod xls;
mod xlsb;
mod xlsx;
mod xml2003;

pub use cells::cell_ref;
pub use guard::{MAX_CELLS_PER_SHEET, MAX_CELLS_PER_WORKBOOK};

use super::model::{Child, Input, Own, ReadError};
use super::ole::{u16_at, OLE_MAGIC};
use super::plain::looks_like_text;
use super::ziputil::{find_part, open_checked, part_names};

/// Reads a spreadsheet. Own text: document properties and the sheet names; each sheet is
/// emitted as a parsed child whose hash is taken over its text.
pub fn read(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let limits = input.limits;
    if input.bytes.len() as u64 > limits.max_item_bytes {
        return Err(ReadError::Limit(format!(
            "workbook is {} bytes, over the {} byte item limit",
            input.bytes.len(),
            limits.max_item_bytes
        )));
    }
    let bytes = input.bytes;
    if bytes.starts_with(&OLE_MAGIC) {
        return xls::read(input, emit);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return read_zipped(input, emit);
    }
    if is_csv_name(input.name) || looks_like_text(bytes) {
        return text::read(input, emit);
    }
    // Excel 2.x to 4.x wrote a bare BIFF stream (no OLE container): a BOF record first.
    if let (Some(0x0009 | 0x0209 | 0x0409), Some(4..=16)) = (u16_at(bytes, 0), u16_at(bytes, 2)) {
        return Err(ReadError::Unsupported(
            "Excel 2.x-4.x worksheet (before 1995): open it in Excel and save as .xlsx".into(),
        ));
    }
    Err(ReadError::Corrupt(
        "not a spreadsheet (neither OLE, zip nor text)".into(),
    ))
}

fn is_csv_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".csv", ".tsv", ".tab"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

fn read_zipped(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let bytes = input.bytes;
    let mut zip = open_checked(bytes, input.limits)?;
    let names = part_names(&zip);
    if names.iter().any(|(n, _)| n == "mimetype") && names.iter().any(|(n, _)| n == "content.xml") {
        return ods::read(input, &mut zip, emit);
    }
    if find_part(&names, "xl/workbook.bin").is_some() {
        return xlsb::read(input, emit);
    }
    if names
        .iter()
        .any(|(n, _)| n.starts_with("xl/") || n == "[content_types].xml")
    {
        return xlsx::read(input, &mut zip, emit);
    }
    Err(ReadError::Corrupt(
        "a zip file, but not an xlsx, xlsb or ods workbook".into(),
    ))
}

/// Running the reader and looking at what it emitted, for the tests of every format.
#[cfg(test)]
mod test_support {
    use super::read;
    use crate::ingest::model::{Child, ChildContent, Input, Limits, Own, ReadError};
    use crate::ingest::testutil::CORPUS;

    pub(super) fn run(bytes: &[u8], name: &str) -> (Result<Own, ReadError>, Vec<Child>) {
        let limits = Limits::default();
        let input = Input {
            bytes,
            name,
            limits: &limits,
        };
        let mut children = Vec::new();
        let r = read(&input, &mut |c| children.push(c));
        (r, children)
    }

    pub(super) fn sheet_text(children: &[Child], name: &str) -> String {
        for c in children {
            if c.levels == [name] {
                if let ChildContent::Parsed { own, .. } = &c.content {
                    return own.text.clone();
                }
                panic!("sheet {name} failed: {:?}", c.content);
            }
        }
        panic!(
            "no sheet {name}; have {:?}",
            children.iter().map(|c| &c.levels).collect::<Vec<_>>()
        );
    }

    pub(super) fn sheet_notes(children: &[Child], name: &str) -> Vec<String> {
        children
            .iter()
            .find(|c| c.levels == [name])
            .and_then(|c| match &c.content {
                ChildContent::Parsed { own, .. } => Some(own.notes.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }

    pub(super) fn corpus_dir() -> Option<std::path::PathBuf> {
        let dir = std::path::Path::new(CORPUS).join("sheets");
        if dir.is_dir() {
            Some(dir)
        } else {
            eprintln!("skipping: {} is absent", dir.display());
            None
        }
    }

    pub(super) fn corpus(name: &str) -> Option<(Result<Own, ReadError>, Vec<Child>)> {
        let path = corpus_dir()?.join(name);
        let bytes = std::fs::read(&path).expect("corpus file readable");
        Some(run(&bytes, name))
    }

    pub(super) fn expect_sheet(file: &str, sheet: &str, text: &str) {
        let Some((r, ch)) = corpus(file) else { return };
        r.unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(sheet_text(&ch, sheet), text, "{file} / {sheet}");
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use crate::ingest::model::{ChildContent, ItemKind};
    use crate::ingest::ole::OLE_MAGIC;
    use std::time::{Duration, Instant};

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut junk: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        junk[0] = 0x01;
        assert!(run(&junk, "junk.xlsx").0.is_err());
        let mut ole = OLE_MAGIC.to_vec();
        ole.resize(2048, 0xFF);
        assert!(matches!(run(&ole, "x.xls").0, Err(ReadError::Corrupt(_))));
        assert!(matches!(
            run(b"PK\x03\x04garbage", "x.xlsx").0,
            Err(ReadError::Corrupt(_))
        ));
    }

    /// Every file of the shared corpus reads or fails with a clear error: no panic escapes, no
    /// hang, no runaway memory (the whole loop runs in seconds).
    #[test]
    fn corpus_every_file_reads_or_fails_cleanly() {
        let Some(dir) = corpus_dir() else { return };
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .expect("list corpus")
            .flatten()
            .map(|e| e.path())
            .collect();
        paths.sort();
        assert!(paths.len() > 100, "corpus has {} files", paths.len());
        let start = Instant::now();
        let (mut ok, mut failed) = (0, 0);
        for path in &paths {
            let bytes = std::fs::read(path).expect("read corpus file");
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let t = Instant::now();
            let (r, children) = run(&bytes, name);
            let sheets_failed = children
                .iter()
                .filter(|c| matches!(c.content, ChildContent::Failed { .. }))
                .count();
            match &r {
                Ok(own) => {
                    ok += 1;
                    assert_eq!(own.kind, ItemKind::Workbook);
                    eprintln!(
                        "ok     {name}: {} sheets{} {:?} [{:?}]",
                        children.len(),
                        if sheets_failed > 0 {
                            format!(" ({sheets_failed} failed)")
                        } else {
                            String::new()
                        },
                        own.notes,
                        t.elapsed()
                    );
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("failed {name}: {e} [{:?}]", t.elapsed());
                }
            }
            for c in &children {
                if let ChildContent::Failed { reason, .. } = &c.content {
                    eprintln!("         sheet {:?}: {reason}", c.levels);
                }
            }
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "{name} took {:?}",
                t.elapsed()
            );
        }
        eprintln!("{ok} read, {failed} failed, in {:?}", start.elapsed());
        assert!(start.elapsed() < Duration::from_secs(60));
        assert!(ok > 100);
    }

    #[test]
    fn corpus_hostile_files_are_refused() {
        for name in [
            "OOM_alloc.xls",
            "OOM_alloc2.xls",
            "OOM_alloc3.xls",
            "issue_594_dos.ods",
        ] {
            let Some((r, _)) = corpus(name) else { return };
            eprintln!("{name}: {r:?}");
            // calamine 0.38 copes with the first two (a real workbook with forged records);
            // the others must be refused before calamine allocates.
            if name == "OOM_alloc3.xls" || name == "issue_594_dos.ods" {
                assert!(r.is_err(), "{name}: {r:?}");
            }
        }
        for name in [
            "pass_protected.xlsx",
            "pass_protected.xlsb",
            "pass_protected.ods",
        ] {
            let Some((r, _)) = corpus(name) else { return };
            assert_eq!(
                r.err(),
                Some(ReadError::Encrypted("password-protected workbook".into())),
                "{name}"
            );
        }
    }

    #[test]
    fn corpus_dates_in_every_format_and_epoch() {
        let excel = "2021-01-01\t15\n2021-01-02\t16\n255:10:10\t17";
        for file in [
            "date.xlsx",
            "date.xls",
            "date.xlsb",
            "date_1904.xlsx",
            "date_1904.xls",
            "date_1904.xlsb",
        ] {
            expect_sheet(file, "Sheet1", excel);
        }
        expect_sheet(
            "date.ods",
            "Sheet1",
            "2021-01-01\t15\n2021-01-01 10:10:10\t16\n10:10:10\t17\n10:10:10\t18",
        );
        let Some((_, ch)) = corpus("date_iso.xlsx") else {
            return;
        };
        assert!(sheet_text(&ch, "Sheet").starts_with("2021-01-01\n2021-01-01 10:10:10\n10:10:10\n"));
    }

    #[test]
    fn corpus_hidden_sheets_are_read_and_labelled() {
        for file in [
            "any_sheets.xlsx",
            "any_sheets.xls",
            "any_sheets.xlsb",
            "any_sheets.ods",
        ] {
            let Some((r, ch)) = corpus(file) else { return };
            let own = r.unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(ch.len(), 4, "{file}");
            assert!(
                own.text
                    .ends_with("Sheets: Visible, Hidden, VeryHidden, Chart"),
                "{file}: {}",
                own.text
            );
            assert!(own.text.contains("Creator: Алена"), "{file}: {}", own.text);
            assert_eq!(
                sheet_text(&ch, "Visible"),
                "1\t2\n3\t4\n5\t6\nThis workbook contains 4 sheets: Visible, Hidden, VeryHidden and Chart"
            );
            assert!(
                sheet_notes(&ch, "Hidden").contains(&"hidden sheet".to_string()),
                "{file}"
            );
            let very = sheet_notes(&ch, "VeryHidden");
            // ods has no "very hidden" state.
            assert!(
                very.iter().any(|n| n.contains("hidden sheet")),
                "{file}: {very:?}"
            );
        }
        let Some((r, ch)) = corpus("any_sheets.xlsx") else {
            return;
        };
        assert_eq!(
            r.expect("reads").notes,
            ["1 hidden sheet", "1 very hidden sheet"]
        );
        assert!(sheet_notes(&ch, "VeryHidden")[0].starts_with("very hidden sheet"));
        assert!(sheet_notes(&ch, "Chart")
            .iter()
            .any(|n| n.starts_with("chart sheet")));
    }

    #[test]
    fn corpus_cell_values() {
        // Merged cells: the value stays in the top-left cell, the rest are empty.
        expect_sheet(
            "merged_range.xls",
            "Sheet2",
            "A1\tB1\tC1\t\tE1\tF1\n\tB3\tC3\t\tE3\n\tB4\t\t\tE4",
        );
        expect_sheet(
            "merge_cells.xlsx",
            "Sheet1",
            "Row Merge\t\tNot Merged\nColumn Merge\tChunk Merged",
        );
        expect_sheet(
            "number_rows_repeated.ods",
            "Sheet1",
            "A\tB\nC\tD\nC\tD\nC\tD\nC\tD",
        );
        expect_sheet(
            "errors.xlsx",
            "Feuil1",
            "#DIV/0!\n#NAME?\n#VALUE!\n#NULL!\n#REF!\n#NUM!\n#N/A",
        );
        // Formulas give their cached values.
        expect_sheet("xls_formula.xls", "Sheet1", "10\n20\n110\n65");
        expect_sheet(
            "richtext-namespaced.xlsx",
            "Sheet1",
            "inline string Line 2 Line 3\t\t\t\t\t\t\tshared string Line 2 Line 3",
        );
        expect_sheet("has_x000D_.xlsx", "Sheet1", "ABC DEF");
        let Some((_, ch)) = corpus("richtext_issue.ods") else {
            return;
        };
        assert!(sheet_text(&ch, "spc_chrs").ends_with("\u{263a}\n\u{58d}\nàâéêèçöïî«»"));
        let Some((_, ch)) = corpus("gh548_incorrect_sst_unique_count.xls") else {
            return;
        };
        assert!(sheet_text(&ch, "System Level Data")
            .contains("\nContact:\tChris Evison - England.nhsdata@nhs.net\n"));
        let Some((_, ch)) = corpus("strict_iso_paths.xlsx") else {
            return;
        };
        assert!(sheet_text(&ch, "ml_out").starts_with("Item\tThickness\tNumber Off Bends"));
        // A text file named .xls is still read rather than lost.
        expect_sheet(
            "too_small.xls",
            "too_small",
            "Attachment f:\\attachcus\\arnold-j\\Summer trading shots.xls not found!",
        );
    }

    #[test]
    fn corpus_comments() {
        expect_sheet(
            "with-annotation.ods",
            "table1",
            "cell a.1\n\nComment A1 (Marc Schreiber): This is annotation of a.1",
        );
        // Comment parts whose sheets were removed are still reported, on the workbook.
        let Some((r, _)) = corpus("issue_530.xlsx") else {
            return;
        };
        let own = r.expect("issue_530.xlsx");
        assert!(
            own.notes[0].starts_with("11 cell comments not linked to any sheet"),
            "{:?}",
            own.notes
        );
        assert!(own.text.contains(
            "Comment U11 (Shao Baorun 邵宝润): Shao Baorun 邵宝润: 含远程办公、因公外出、出差等"
        ));
        let Some((_, ch)) = corpus("hyperlinks.xlsx") else {
            return;
        };
        assert!(
            sheet_text(&ch, "Links").contains("\nLink B1: mailto:"),
            "{}",
            sheet_text(&ch, "Links")
        );
    }
}
