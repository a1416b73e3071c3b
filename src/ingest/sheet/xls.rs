//! .xls workbooks, and the OLE wrapper password-protected xlsx and xlsb files arrive in.
//!
//! The compound file and the workbook stream are checked first ([`Ole`], [`scan_xls`]) and
//! only a workbook within the limits is handed to calamine.

use std::collections::HashMap;

use calamine::Xls;

use super::biff::scan_xls;
use super::load::{dense_sheets, open};
use super::workbook::{finish, plural};
use crate::ingest::model::{Child, Input, Own, ReadError};
use crate::ingest::ole::Ole;

pub(super) fn read(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let ole = Ole::parse(input.bytes).map_err(|e| ReadError::Corrupt(format!("OLE file: {e}")))?;
    if ole.find("EncryptedPackage").is_some() || ole.find("EncryptionInfo").is_some() {
        return Err(ReadError::Encrypted("password-protected workbook".into()));
    }
    let stream = match ole.find("Workbook").or_else(|| ole.find("Book")) {
        Some(entry) => ole
            .stream(entry, input.limits.max_item_bytes)
            .map_err(|e| ReadError::Corrupt(format!("xls workbook stream: {e}")))?,
        None if ole.find("WordDocument").is_some() => {
            return Err(ReadError::Unsupported(
                "a Word document, not a workbook".into(),
            ))
        }
        None => {
            return Err(ReadError::Corrupt(
                "OLE file without a workbook stream".into(),
            ))
        }
    };
    let scan = scan_xls(&stream);
    if scan.encrypted {
        return Err(ReadError::Encrypted("password-protected workbook".into()));
    }
    scan.check(input.limits)?;
    drop(stream);

    let mut book = open::<Xls<_>>(input.bytes, input.limits)?;
    let sheets = dense_sheets(&mut book, &HashMap::new(), input.limits);
    let mut notes = Vec::new();
    if scan.notes > 0 {
        notes.push(format!(
            "{} cell comment{} not read (comments are not extracted from .xls files)",
            scan.notes,
            plural(scan.notes)
        ));
    }
    Ok(finish(sheets, book.props, notes, "", emit))
}

#[cfg(test)]
mod tests {
    use crate::ingest::model::ReadError;
    use crate::ingest::sheet::test_support::{run, sheet_text};

    #[test]
    fn crafted_xls_is_refused_before_calamine_allocates() {
        use crate::ingest::ole::test_support::{big_ole, ole_with_stream};
        use crate::ingest::sheet::biff::test_support::{label, number, rec, xls_stream};
        // A sane workbook built the same way reads, so the refusals below are the guard's.
        let ok = ole_with_stream(
            "Workbook",
            &xls_stream(
                "Pupils",
                &[label(0, 0, "Jane Smith"), number(0, 1, 42.0)],
                &[],
            ),
        );
        let (r, ch) = run(&ok, "pupils.xls");
        r.expect("crafted sane xls reads");
        assert_eq!(sheet_text(&ch, "Pupils"), "Jane Smith\t42");

        // Two cells at opposite corners: calamine would fill a 4-billion-cell grid.
        let corners = ole_with_stream(
            "Workbook",
            &xls_stream("S", &[number(0, 0, 1.0), number(65535, 65535, 2.0)], &[]),
        );
        assert!(
            matches!(run(&corners, "x.xls").0, Err(ReadError::Limit(m)) if m.contains("per sheet"))
        );

        // A Dimensions record asking calamine to reserve 4 billion rows up front.
        let mut dims = 0u32.to_le_bytes().to_vec();
        dims.extend_from_slice(&u32::MAX.to_le_bytes());
        dims.extend_from_slice(&[0, 0, 0, 1, 0, 0]);
        let reserve = ole_with_stream(
            "Workbook",
            &xls_stream("S", &[rec(0x0200, &dims), number(0, 0, 1.0)], &[]),
        );
        assert!(matches!(run(&reserve, "x.xls").0, Err(ReadError::Limit(_))));

        // One 30,000-character shared string used by 20,000 cells: 600 million characters
        // once calamine copies it into each cell.
        let mut sst = 1u32.to_le_bytes().to_vec();
        sst.extend_from_slice(&1u32.to_le_bytes());
        sst.extend_from_slice(&30_000u16.to_le_bytes());
        sst.push(0);
        let first = 8224 - sst.len();
        sst.extend(std::iter::repeat_n(b'x', first));
        let mut sst_recs = rec(0x00FC, &sst);
        let mut cont = vec![0u8];
        cont.extend(std::iter::repeat_n(b'x', 30_000 - first));
        sst_recs.extend(rec(0x003C, &cont));
        let cells: Vec<Vec<u8>> = (0..20_000u32)
            .map(|i| {
                let mut d = ((i / 200) as u16).to_le_bytes().to_vec();
                d.extend_from_slice(&((i % 200) as u16).to_le_bytes());
                d.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
                rec(0x00FD, &d)
            })
            .collect();
        let stream = xls_stream("S", &cells, &[sst_recs]);
        let amplified = big_ole("Workbook", &stream);
        assert!(
            matches!(run(&amplified, "x.xls").0, Err(ReadError::Limit(m)) if m.contains("characters"))
        );
    }

    #[test]
    fn encrypted_ooxml_in_an_ole_wrapper() {
        let f = crate::ingest::ole::test_support::tiny_ole(&["EncryptionInfo", "EncryptedPackage"]);
        assert_eq!(
            run(&f, "marks.xlsx").0.err(),
            Some(ReadError::Encrypted("password-protected workbook".into()))
        );
        let f = crate::ingest::ole::test_support::tiny_ole(&["WordDocument"]);
        assert!(matches!(run(&f, "x.xls").0, Err(ReadError::Unsupported(_))));
        let f = crate::ingest::ole::test_support::tiny_ole(&["Something"]);
        assert!(
            matches!(run(&f, "x.xls").0, Err(ReadError::Corrupt(m)) if m.contains("workbook stream"))
        );
    }
}
