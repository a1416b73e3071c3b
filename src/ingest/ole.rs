//! OLE compound files (MS-CFB): the container of .xls workbooks, legacy Word documents and
//! password-protected Office files, read only as far as telling which of these a file is.

/// The OLE compound file signature shared by .xls, legacy .doc and encrypted OOXML.
pub(crate) const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Little-endian fields of untrusted bytes: one that would run past the end reads as `None`
/// rather than panicking.
pub(crate) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(u16::from_le_bytes(s))
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(s))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    let s: [u8; 8] = b.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(s))
}

/// Just enough of the OLE compound file format (MS-CFB) to look inside .xls files and
/// encrypted Office documents before trusting a parser with them. calamine's own reader
/// follows sector chains without loop detection and builds its sector table from whatever
/// the header lists, so a crafted file can make it loop or allocate without bound; this
/// reader refuses such files first.
pub(crate) struct Ole<'a> {
    bytes: &'a [u8],
    sector: usize,
    fat: Vec<u32>,
    minifat: Vec<u32>,
    ministream: Vec<u8>,
    entries: Vec<OleEntry>,
}

pub(crate) struct OleEntry {
    pub(crate) name: String,
    start: u32,
    size: u64,
}

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const MAXREGSECT: u32 = 0xFFFF_FFFA;

impl<'a> Ole<'a> {
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<Ole<'a>, String> {
        if bytes.len() < 512 || !bytes.starts_with(&OLE_MAGIC) {
            return Err("not an OLE compound file".into());
        }
        let sector = match u16_at(bytes, 30) {
            Some(9) => 512,
            Some(12) => 4096,
            s => return Err(format!("bad sector size {s:?}")),
        };
        if u16_at(bytes, 32) != Some(6) {
            return Err("bad mini sector size".into());
        }
        let n_sectors = bytes.len().saturating_sub(sector).div_ceil(sector);
        let field = |at| u32_at(bytes, at).ok_or_else(|| "truncated header".to_string());
        let dir_start = field(48)?;
        let minifat_start = field(60)?;
        let minifat_sectors = field(64)?;
        let difat_start = field(68)?;

        let mut ole = Ole {
            bytes,
            sector,
            fat: Vec::new(),
            minifat: Vec::new(),
            ministream: Vec::new(),
            entries: Vec::new(),
        };

        let mut difat: Vec<u32> = (0..109).filter_map(|i| u32_at(bytes, 76 + 4 * i)).collect();
        let mut next = difat_start;
        let mut hops = 0;
        while next < MAXREGSECT {
            hops += 1;
            if hops > n_sectors + 1 {
                return Err("DIFAT chain loops".into());
            }
            let s = ole.sector_bytes(next)?;
            let words: Vec<u32> = s
                .chunks_exact(4)
                .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
                .collect();
            let Some((&last, rest)) = words.split_last() else {
                break;
            };
            difat.extend_from_slice(rest);
            next = last;
        }
        let fat_sectors: Vec<u32> = difat.into_iter().filter(|&id| id < 0xFFFF_FFFC).collect();
        // Each listed sector adds a sector's worth of table; more of them than the file has
        // sectors can only be repeats, which would let the table outgrow the file.
        if fat_sectors.len() > n_sectors {
            return Err(format!(
                "sector table lists {} table sectors for a file of {n_sectors} sectors",
                fat_sectors.len()
            ));
        }
        for id in fat_sectors {
            let s = ole.sector_bytes(id)?;
            ole.fat.extend(
                s.chunks_exact(4)
                    .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])),
            );
        }
        if !acyclic(&ole.fat) {
            return Err("sector chains loop".into());
        }

        let dirs = ole.chain(dir_start, u64::MAX)?;
        for e in dirs.chunks_exact(128) {
            let units: Vec<u16> = e[..64]
                .chunks_exact(2)
                .map(|u| u16::from_le_bytes([u[0], u[1]]))
                .collect();
            let mut name = String::from_utf16_lossy(&units);
            if let Some(nul) = name.find('\0') {
                name.truncate(nul);
            }
            let start = u32_at(e, 116).unwrap_or(ENDOFCHAIN);
            let size = if sector == 512 {
                u64::from(u32_at(e, 120).unwrap_or(0))
            } else {
                u64_at(e, 120).unwrap_or(0)
            };
            ole.entries.push(OleEntry { name, start, size });
        }
        if ole.entries.is_empty() {
            return Err("no directory".into());
        }
        if minifat_sectors > 0 {
            let root = &ole.entries[0];
            ole.ministream = ole.chain(root.start, root.size)?;
            let max = u64::from(minifat_sectors) * sector as u64;
            let mf = ole.chain(minifat_start, max)?;
            ole.minifat = mf
                .chunks_exact(4)
                .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
                .collect();
        }
        Ok(ole)
    }

    /// Finds an entry by name, ignoring ASCII case, as calamine does.
    pub(crate) fn find(&self, name: &str) -> Option<&OleEntry> {
        self.entries
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
    }

    /// A stream's bytes, refusing ones larger than `max`.
    pub(crate) fn stream(&self, entry: &OleEntry, max: u64) -> Result<Vec<u8>, String> {
        if entry.size > max {
            return Err(format!(
                "stream {} is {} bytes, over the {max} byte limit",
                entry.name, entry.size
            ));
        }
        if entry.size < 4096 {
            let mut out = Vec::with_capacity(entry.size as usize);
            let mut id = entry.start;
            let mut hops = 0;
            while id != ENDOFCHAIN && (out.len() as u64) < entry.size {
                hops += 1;
                if hops > self.minifat.len() + 1 {
                    return Err("mini sector chain loops".into());
                }
                let at = id as usize * 64;
                let Some(s) = self
                    .ministream
                    .get(at..(at + 64).min(self.ministream.len()))
                else {
                    return Err("mini sector beyond the mini stream".into());
                };
                let want = (entry.size as usize - out.len()).min(s.len());
                out.extend_from_slice(&s[..want]);
                id = *self
                    .minifat
                    .get(id as usize)
                    .ok_or("mini sector chain leaves the table")?;
            }
            Ok(out)
        } else {
            self.chain(entry.start, entry.size)
        }
    }

    fn sector_bytes(&self, id: u32) -> Result<&'a [u8], String> {
        let start = (id as usize)
            .checked_add(1)
            .and_then(|n| n.checked_mul(self.sector))
            .ok_or("sector id overflows")?;
        if start >= self.bytes.len() {
            return Err(format!("sector {id} is beyond the end of the file"));
        }
        Ok(&self.bytes[start..(start + self.sector).min(self.bytes.len())])
    }

    fn chain(&self, start: u32, max: u64) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut id = start;
        let mut hops = 0;
        while id != ENDOFCHAIN && (out.len() as u64) < max {
            hops += 1;
            if hops > self.fat.len() + 1 {
                return Err("sector chain loops".into());
            }
            let s = self.sector_bytes(id)?;
            let want = (max - out.len() as u64).min(s.len() as u64) as usize;
            out.extend_from_slice(&s[..want]);
            id = *self
                .fat
                .get(id as usize)
                .ok_or("sector chain leaves the table")?;
        }
        Ok(out)
    }
}

/// Whether following next-pointers from any entry always ends, so every chain calamine will
/// walk later is finite.
fn acyclic(table: &[u32]) -> bool {
    let n = table.len();
    let mut state = vec![0u8; n];
    let mut path = Vec::new();
    for i in 0..n {
        let mut j = i;
        while j < n {
            match state[j] {
                0 => {
                    state[j] = 1;
                    path.push(j);
                    j = table[j] as usize;
                }
                1 => return false,
                _ => break,
            }
        }
        for p in path.drain(..) {
            state[p] = 2;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ole_rejects_looping_chains() {
        // A minimal v3 compound file whose directory chain points back at itself.
        let mut f = vec![0u8; 512 * 3];
        f[..8].copy_from_slice(&OLE_MAGIC);
        f[26..28].copy_from_slice(&3u16.to_le_bytes());
        f[30..32].copy_from_slice(&9u16.to_le_bytes());
        f[32..34].copy_from_slice(&6u16.to_le_bytes());
        f[44..48].copy_from_slice(&1u32.to_le_bytes());
        f[48..52].copy_from_slice(&1u32.to_le_bytes()); // directory at sector 1
        f[60..64].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        f[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        for i in 0..109 {
            f[76 + 4 * i..80 + 4 * i].copy_from_slice(&u32::MAX.to_le_bytes());
        }
        f[76..80].copy_from_slice(&0u32.to_le_bytes()); // FAT in sector 0
        let fat = 512;
        for i in 0..128 {
            f[fat + 4 * i..fat + 4 * i + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        }
        f[fat..fat + 4].copy_from_slice(&0xFFFF_FFFDu32.to_le_bytes());
        f[fat + 4..fat + 8].copy_from_slice(&1u32.to_le_bytes()); // 1 -> 1: a loop
        let err = Ole::parse(&f).err().expect("loop detected");
        assert!(err.contains("loop"), "{err}");
        f[fat + 4..fat + 8].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        assert!(Ole::parse(&f).is_ok());
    }
}

/// Compound files built by hand, for the tests of every reader that meets OLE files.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{ENDOFCHAIN, OLE_MAGIC};

    /// A version-3 compound file with one stream (at least 4096 bytes, so it lives in regular
    /// sectors) named `name`.
    pub(crate) fn ole_with_stream(name: &str, data: &[u8]) -> Vec<u8> {
        let mut data = data.to_vec();
        data.resize(data.len().max(4096), 0);
        let n = data.len().div_ceil(512);
        assert!(n + 2 <= 128, "one FAT sector only");
        let mut f = tiny_ole(&[name]);
        let fat = 512;
        for k in 0..n {
            let next = if k + 1 == n {
                ENDOFCHAIN
            } else {
                (k + 3) as u32
            };
            f[fat + 4 * (k + 2)..fat + 4 * (k + 3)].copy_from_slice(&next.to_le_bytes());
        }
        let at = 1024 + 128;
        f[at + 116..at + 120].copy_from_slice(&2u32.to_le_bytes());
        f[at + 120..at + 124].copy_from_slice(&(data.len() as u32).to_le_bytes());
        data.resize(n * 512, 0);
        f.extend_from_slice(&data);
        f
    }

    /// Like `ole_with_stream` but for streams needing more than one FAT sector.
    pub(crate) fn big_ole(name: &str, data: &[u8]) -> Vec<u8> {
        let n = data.len().div_ceil(512).max(8);
        let fat_sectors = (n + 2 + 8).div_ceil(128);
        let total = fat_sectors + 1 + n;
        let mut f = vec![0u8; 512 * (1 + total)];
        let base = tiny_ole(&[name]);
        f[..512].copy_from_slice(&base[..512]);
        f[44..48].copy_from_slice(&(fat_sectors as u32).to_le_bytes());
        let dir = fat_sectors as u32;
        f[48..52].copy_from_slice(&dir.to_le_bytes());
        for k in 0..109 {
            let v = if k < fat_sectors { k as u32 } else { u32::MAX };
            f[76 + 4 * k..80 + 4 * k].copy_from_slice(&v.to_le_bytes());
        }
        let mut fat = vec![u32::MAX; fat_sectors * 128];
        for v in fat.iter_mut().take(fat_sectors) {
            *v = 0xFFFF_FFFD;
        }
        fat[fat_sectors] = ENDOFCHAIN;
        let first = fat_sectors + 1;
        for k in 0..n {
            fat[first + k] = if k + 1 == n {
                ENDOFCHAIN
            } else {
                (first + k + 1) as u32
            };
        }
        for (k, v) in fat.iter().enumerate() {
            f[512 + 4 * k..516 + 4 * k].copy_from_slice(&v.to_le_bytes());
        }
        let dir_at = 512 * (1 + fat_sectors);
        f[dir_at..dir_at + 512].copy_from_slice(&base[1024..1536]);
        let e = dir_at + 128;
        f[e + 116..e + 120].copy_from_slice(&(first as u32).to_le_bytes());
        f[e + 120..e + 124].copy_from_slice(&(data.len().max(4096) as u32).to_le_bytes());
        let data_at = 512 * (1 + first);
        f[data_at..data_at + data.len()].copy_from_slice(data);
        f
    }

    /// A minimal version-3 compound file holding empty streams with the given names.
    pub(crate) fn tiny_ole(names: &[&str]) -> Vec<u8> {
        assert!(names.len() <= 3);
        let mut f = vec![0u8; 512 * 3];
        f[..8].copy_from_slice(&OLE_MAGIC);
        f[24..26].copy_from_slice(&0x3Eu16.to_le_bytes());
        f[26..28].copy_from_slice(&3u16.to_le_bytes());
        f[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
        f[30..32].copy_from_slice(&9u16.to_le_bytes());
        f[32..34].copy_from_slice(&6u16.to_le_bytes());
        f[44..48].copy_from_slice(&1u32.to_le_bytes());
        f[48..52].copy_from_slice(&1u32.to_le_bytes());
        f[56..60].copy_from_slice(&4096u32.to_le_bytes());
        f[60..64].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        f[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        for i in 0..109 {
            f[76 + 4 * i..80 + 4 * i].copy_from_slice(&u32::MAX.to_le_bytes());
        }
        f[76..80].copy_from_slice(&0u32.to_le_bytes());
        let fat = 512;
        for i in 0..128 {
            f[fat + 4 * i..fat + 4 * i + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        }
        f[fat..fat + 4].copy_from_slice(&0xFFFF_FFFDu32.to_le_bytes());
        f[fat + 4..fat + 8].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        let entry = |f: &mut Vec<u8>, slot: usize, name: &str, typ: u8| {
            let at = 1024 + slot * 128;
            let units: Vec<u16> = name.encode_utf16().chain([0]).collect();
            for (k, u) in units.iter().enumerate() {
                f[at + 2 * k..at + 2 * k + 2].copy_from_slice(&u.to_le_bytes());
            }
            f[at + 64..at + 66].copy_from_slice(&((units.len() * 2) as u16).to_le_bytes());
            f[at + 66] = typ;
            for off in [68, 72, 76] {
                f[at + off..at + off + 4].copy_from_slice(&u32::MAX.to_le_bytes());
            }
            f[at + 116..at + 120].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        };
        entry(&mut f, 0, "Root Entry", 5);
        for (i, n) in names.iter().enumerate() {
            entry(&mut f, i + 1, n, 2);
        }
        f
    }
}
