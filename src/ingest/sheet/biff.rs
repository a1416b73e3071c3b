//! What an .xls workbook stream would make calamine allocate, measured without allocating it.
//!
//! calamine materialises every .xls sheet as a dense grid when the file is opened, and trusts
//! the sizes the records declare: a few hundred bytes can make it reserve or fill gigabytes.
//! This walks the BIFF records the way calamine will, so a workbook that would expand past the
//! limits is refused before calamine sees it.

use super::guard::{MAX_CELLS_PER_SHEET, MAX_CELLS_PER_WORKBOOK};
use crate::ingest::model::{Limits, ReadError};
use crate::ingest::ole::{u16_at, u32_at};

/// Most record bytes the .xls pre-scan walks. Each sheet is scanned from its own offset, so a
/// file can point thousands of sheets at one long stream; this keeps that linear in practice.
const MAX_SCAN_BYTES: u64 = 1 << 30;

/// What an .xls workbook stream would make calamine allocate, measured without allocating it.
#[derive(Debug, Default)]
pub(super) struct XlsScan {
    pub(super) encrypted: bool,
    /// Comment (NOTE) records seen.
    pub(super) notes: u64,
    sheets: u64,
    /// Largest dense grid one sheet would need, and their sum.
    max_area: u64,
    total_area: u64,
    /// Cell records kept before the grid is built (duplicates included).
    cell_records: u64,
    /// Largest up-front reservation a Dimensions record asks for.
    max_reserve: u64,
    /// Characters of cell text, counting a shared string once per cell that uses it.
    text_chars: u64,
    scanned: u64,
    problem: Option<String>,
}

impl XlsScan {
    pub(super) fn check(&self, limits: &Limits) -> Result<(), ReadError> {
        let limit = |m: String| Err(ReadError::Limit(m));
        if let Some(p) = &self.problem {
            return limit(p.clone());
        }
        if self.sheets > limits.max_entries as u64 {
            return limit(format!(
                "workbook has {} sheets, over the {} entry limit",
                self.sheets, limits.max_entries
            ));
        }
        if self.max_area > MAX_CELLS_PER_SHEET || self.max_reserve > MAX_CELLS_PER_SHEET {
            return limit(format!(
                "a sheet declares {} cells, over the {MAX_CELLS_PER_SHEET} cells per sheet limit",
                self.max_area.max(self.max_reserve)
            ));
        }
        if self.total_area > MAX_CELLS_PER_WORKBOOK || self.cell_records > MAX_CELLS_PER_WORKBOOK {
            return limit(format!(
                "workbook would expand to {} cells, over the {MAX_CELLS_PER_WORKBOOK} cells per workbook limit",
                self.total_area.max(self.cell_records)
            ));
        }
        if self.text_chars > limits.max_item_bytes {
            return limit(format!(
                "workbook would expand to {} characters of cell text, over the {} byte item limit",
                self.text_chars, limits.max_item_bytes
            ));
        }
        Ok(())
    }
}

/// BIFF records as calamine walks them: a 4-byte header, then CONTINUE records (0x003C) folded
/// into the record before them. Stops at the first malformed record, where calamine stops too.
struct Records<'a> {
    s: &'a [u8],
}

impl<'a> Iterator for Records<'a> {
    type Item = (u16, &'a [u8], Vec<&'a [u8]>);

    fn next(&mut self) -> Option<Self::Item> {
        let typ = u16_at(self.s, 0)?;
        let len = usize::from(u16_at(self.s, 2)?);
        let data = self.s.get(4..4 + len)?;
        self.s = self.s.get(4 + len..)?;
        let mut cont = Vec::new();
        while self.s.len() > 4 && u16_at(self.s, 0) == Some(0x003C) {
            let len = usize::from(u16_at(self.s, 2)?);
            cont.push(self.s.get(4..4 + len)?);
            self.s = self.s.get(4 + len..)?;
        }
        Some((typ, data, cont))
    }
}

/// Mirrors calamine's `parse_workbook`: the globals substream up to its EOF, then each sheet
/// from the offset its BoundSheet8 record gives, skipping embedded chart substreams.
pub(super) fn scan_xls(stream: &[u8]) -> XlsScan {
    let mut scan = XlsScan::default();
    let mut sheet_pos = Vec::new();
    let mut sst: Vec<u32> = Vec::new();
    for (typ, data, cont) in (Records { s: stream }) {
        match typ {
            0x002F if u16_at(data, 0).is_some_and(|v| v != 0) => {
                scan.encrypted = true;
                return scan;
            }
            0x0085 => {
                if let Some(pos) = u32_at(data, 0) {
                    sheet_pos.push(pos as usize);
                }
            }
            0x00FC => sst = sst_lengths(data, &cont),
            0x000A => break,
            _ => {}
        }
    }
    scan.sheets = sheet_pos.len() as u64;
    scan.scanned = stream.len() as u64;
    for pos in sheet_pos {
        let Some(sheet) = stream.get(pos..) else {
            continue;
        };
        scan_xls_sheet(sheet, &sst, &mut scan);
        if scan.problem.is_some() {
            break;
        }
    }
    scan
}

#[derive(Default)]
struct BBox {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
}

impl BBox {
    fn add(&mut self, row: u32, col: u32) {
        self.rows = Some(
            self.rows
                .map_or((row, row), |(a, b)| (a.min(row), b.max(row))),
        );
        self.cols = Some(
            self.cols
                .map_or((col, col), |(a, b)| (a.min(col), b.max(col))),
        );
    }

    fn area(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1),
            _ => 0,
        }
    }
}

fn scan_xls_sheet(sheet: &[u8], sst: &[u32], scan: &mut XlsScan) {
    let mut cells = BBox::default();
    let mut formulas = BBox::default();
    let mut fmla_pos = (0u32, 0u32);
    let mut seen_bof = false;
    let mut depth = 0usize;
    let mut records = Records { s: sheet };
    let start_len = sheet.len();
    for (typ, data, _) in records.by_ref() {
        if depth > 0 {
            match typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let pos = || Some((u32::from(u16_at(data, 0)?), u32::from(u16_at(data, 2)?)));
        match typ {
            0x0809 => {
                if seen_bof {
                    depth += 1;
                } else {
                    seen_bof = true;
                }
            }
            0x000A => break,
            0x0200 => scan.max_reserve = scan.max_reserve.max(dimensions_reserve(data)),
            0x0203 | 0x0205 | 0x027E => {
                if let Some((r, c)) = pos() {
                    cells.add(r, c);
                    scan.cell_records += 1;
                }
            }
            0x0204 | 0x00D6 => {
                if let Some((r, c)) = pos() {
                    cells.add(r, c);
                    scan.cell_records += 1;
                    scan.text_chars += u64::from(u16_at(data, 6).unwrap_or(0));
                }
            }
            0x0207 => {
                cells.add(fmla_pos.0, fmla_pos.1);
                scan.cell_records += 1;
                scan.text_chars += u64::from(u16_at(data, 0).unwrap_or(0));
            }
            0x00FD => {
                if let (Some((r, c)), Some(i)) = (pos(), u32_at(data, 6)) {
                    if let Some(len) = sst.get(i as usize) {
                        cells.add(r, c);
                        scan.cell_records += 1;
                        scan.text_chars += u64::from(*len);
                    }
                }
            }
            0x00BD => {
                if let (Some((r, first)), Some(last)) = (
                    pos(),
                    data.len().checked_sub(2).and_then(|at| u16_at(data, at)),
                ) {
                    let last = u32::from(last);
                    if last >= first {
                        cells.add(r, first);
                        cells.add(r, last);
                        scan.cell_records += u64::from(last - first) + 1;
                    }
                }
            }
            0x0006 => {
                if let Some((r, c)) = pos() {
                    fmla_pos = (r, c);
                    cells.add(r, c);
                    formulas.add(r, c);
                    scan.cell_records += 2;
                }
            }
            0x001C => scan.notes += 1,
            _ => {}
        }
    }
    let area = cells.area().max(formulas.area());
    scan.max_area = scan.max_area.max(area);
    scan.total_area = scan
        .total_area
        .saturating_add(cells.area())
        .saturating_add(formulas.area());
    scan.scanned += (start_len - records.s.len()) as u64;
    if scan.scanned > MAX_SCAN_BYTES {
        scan.problem = Some(format!(
            "sheets overlap in the workbook stream: over {MAX_SCAN_BYTES} bytes of records to parse"
        ));
    }
}

/// calamine reserves rows × columns cells for each Dimensions record before reading a cell;
/// this computes that reservation the way calamine's `parse_dimensions` does.
fn dimensions_reserve(r: &[u8]) -> u64 {
    let fields = match r.len() {
        10 => (|| {
            Some((
                u32::from(u16_at(r, 0)?),
                u32::from(u16_at(r, 2)?),
                u32::from(u16_at(r, 4)?),
                u32::from(u16_at(r, 6)?),
            ))
        })(),
        14 | 16 => (|| {
            Some((
                u32_at(r, 0)?,
                u32_at(r, 4)?,
                u32::from(u16_at(r, 8)?),
                u32::from(u16_at(r, 10)?),
            ))
        })(),
        _ => None,
    };
    let Some((rf, rl, mut cf, cl)) = fields else {
        return 0;
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    if rl < 1 || cl < 1 {
        return 1;
    }
    let Some(rows) = (rl - 1).checked_sub(rf) else {
        // calamine would compute a wrapped-around row count here.
        return u64::MAX;
    };
    let Some(cols) = (cl - 1).checked_sub(cf) else {
        return u64::MAX;
    };
    (u64::from(rows) + 1) * (u64::from(cols) + 1)
}

/// Character counts of the shared strings, walked as calamine's `parse_sst` does, so a cell
/// that reuses one long string thousands of times is counted thousands of times.
fn sst_lengths(data: &[u8], cont: &[&[u8]]) -> Vec<u32> {
    let mut out = Vec::new();
    let mut cur = data.get(8..).unwrap_or(&[]);
    let mut more = cont.iter();
    loop {
        if cur.is_empty() {
            match more.next() {
                Some(c) => cur = c,
                None => break,
            }
            continue;
        }
        let (Some(cch), Some(&flags)) = (u16_at(cur, 0), cur.get(2)) else {
            break;
        };
        cur = &cur[3..];
        let mut skip = 0usize;
        if flags & 0x8 != 0 {
            let Some(runs) = u16_at(cur, 0) else { break };
            skip += usize::from(runs) * 4;
            cur = &cur[2..];
        }
        if flags & 0x4 != 0 {
            let Some(ext) = u32_at(cur, 0) else { break };
            skip += ext as usize;
            cur = &cur[4..];
        }
        let mut wide = flags & 0x1 != 0;
        let mut remaining = usize::from(cch);
        while remaining > 0 {
            let per = if wide { 2 } else { 1 };
            let take = (cur.len() / per).min(remaining);
            cur = &cur[take * per..];
            remaining -= take;
            if remaining > 0 {
                match more.next() {
                    Some(c) if !c.is_empty() => {
                        wide = c[0] & 0x1 != 0;
                        cur = &c[1..];
                    }
                    _ => {
                        out.push(u32::from(cch));
                        return out;
                    }
                }
            }
        }
        out.push(u32::from(cch));
        while skip > 0 {
            if cur.is_empty() {
                match more.next() {
                    Some(c) => cur = c,
                    None => return out,
                }
                continue;
            }
            let l = skip.min(cur.len());
            cur = &cur[l..];
            skip -= l;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::test_support::rec;
    use super::*;

    #[test]
    fn xls_scan_measures_forged_dimensions() {
        // BIFF8 Dimensions asking for 4 billion rows x 256 columns.
        let mut d = Vec::new();
        d.extend_from_slice(&0u32.to_le_bytes());
        d.extend_from_slice(&u32::MAX.to_le_bytes());
        d.extend_from_slice(&0u16.to_le_bytes());
        d.extend_from_slice(&256u16.to_le_bytes());
        d.extend_from_slice(&0u16.to_le_bytes());
        assert!(dimensions_reserve(&d) > MAX_CELLS_PER_SHEET);
        // Two cells at opposite corners of a BIFF8 grid.
        let number = |r: u16, c: u16| {
            let mut d = r.to_le_bytes().to_vec();
            d.extend_from_slice(&c.to_le_bytes());
            d.extend_from_slice(&[0; 10]);
            d
        };
        let mut sheet = rec(0x0809, &[0; 16]);
        sheet.extend(rec(0x0203, &number(0, 0)));
        sheet.extend(rec(0x0203, &number(65535, 65535)));
        sheet.extend(rec(0x000A, &[]));
        let mut globals = rec(0x0809, &[0; 16]);
        let bound_len = 4 + 8;
        let eof_len = 4;
        let pos = (globals.len() + bound_len + eof_len) as u32;
        let mut bs = pos.to_le_bytes().to_vec();
        bs.extend_from_slice(&[0, 0, 1, 0]);
        globals.extend(rec(0x0085, &bs));
        globals.extend(rec(0x000A, &[]));
        globals.extend(sheet);
        let scan = scan_xls(&globals);
        assert_eq!(scan.sheets, 1);
        assert!(scan.max_area > MAX_CELLS_PER_SHEET, "{scan:?}");
        assert!(matches!(
            scan.check(&Limits::default()),
            Err(ReadError::Limit(_))
        ));
    }
}

#[cfg(test)]
pub(super) mod test_support {

    /// BIFF8 record.
    pub(crate) fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend_from_slice(&(data.len() as u16).to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    /// A BIFF8 workbook stream with one worksheet made of `cells` (records after its BOF).
    pub(crate) fn xls_stream(
        sheet_name: &str,
        cells: &[Vec<u8>],
        globals_extra: &[Vec<u8>],
    ) -> Vec<u8> {
        let bof = |dt: u16| {
            let mut d = 0x0600u16.to_le_bytes().to_vec();
            d.extend_from_slice(&dt.to_le_bytes());
            d.extend_from_slice(&[0; 12]);
            rec(0x0809, &d)
        };
        let mut name = vec![sheet_name.len() as u8, 0];
        name.extend_from_slice(sheet_name.as_bytes());
        let bound_len = 4 + 6 + name.len();
        let mut globals = bof(0x0005);
        for r in globals_extra {
            globals.extend_from_slice(r);
        }
        let pos = (globals.len() + bound_len + 4) as u32;
        let mut bs = pos.to_le_bytes().to_vec();
        bs.extend_from_slice(&[0, 0]);
        bs.extend_from_slice(&name);
        globals.extend(rec(0x0085, &bs));
        globals.extend(rec(0x000A, &[]));
        globals.extend(bof(0x0010));
        for c in cells {
            globals.extend_from_slice(c);
        }
        globals.extend(rec(0x000A, &[]));
        globals
    }

    pub(crate) fn number(row: u16, col: u16, v: f64) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend_from_slice(&col.to_le_bytes());
        d.extend_from_slice(&0u16.to_le_bytes());
        d.extend_from_slice(&v.to_le_bytes());
        rec(0x0203, &d)
    }

    pub(crate) fn label(row: u16, col: u16, text: &str) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend_from_slice(&col.to_le_bytes());
        d.extend_from_slice(&0u16.to_le_bytes());
        d.extend_from_slice(&(text.len() as u16).to_le_bytes());
        d.push(0);
        d.extend_from_slice(text.as_bytes());
        rec(0x0204, &d)
    }
}
