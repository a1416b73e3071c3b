//! CMap parsing: `ToUnicode` maps (code → Unicode) and embedded encoding CMaps (code → CID).
//!
//! Producers write CMaps loosely (ranges that vary in more than the last byte, one-byte
//! destinations, names instead of hex), so the parser is a tolerant token loop rather than a
//! PostScript interpreter, with hard bounds on range sizes so a hostile CMap cannot exhaust
//! memory.

use std::collections::HashMap;

/// Most codes one range may expand to; larger ranges are clipped.
const MAX_RANGE: u32 = 0x1_0000;
/// Most entries one CMap may hold.
const MAX_ENTRIES: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Hex(Vec<u8>),
    Str(Vec<u8>),
    Name(String),
    Num(i64),
    Open,
    Close,
    Word(String),
}

fn tokenize(data: &[u8]) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let c = data[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | 0 => i += 1,
            b'%' => {
                while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            b'[' => {
                toks.push(Tok::Open);
                i += 1;
            }
            b']' => {
                toks.push(Tok::Close);
                i += 1;
            }
            b'<' if data.get(i + 1) == Some(&b'<') => {
                toks.push(Tok::Word("<<".into()));
                i += 2;
            }
            b'>' if data.get(i + 1) == Some(&b'>') => {
                toks.push(Tok::Word(">>".into()));
                i += 2;
            }
            b'<' => {
                let mut hex = Vec::new();
                i += 1;
                while i < data.len() && data[i] != b'>' {
                    if data[i].is_ascii_hexdigit() {
                        hex.push(data[i]);
                    }
                    i += 1;
                }
                i += 1;
                if hex.len() % 2 == 1 {
                    hex.push(b'0');
                }
                let bytes = hex
                    .chunks(2)
                    .map(|p| (hex_val(p[0]) << 4) | hex_val(p[1]))
                    .collect();
                toks.push(Tok::Hex(bytes));
            }
            b'(' => {
                let mut depth = 1;
                let mut s = Vec::new();
                i += 1;
                while i < data.len() && depth > 0 {
                    match data[i] {
                        b'\\' if i + 1 < data.len() => {
                            i += 1;
                            s.push(match data[i] {
                                b'n' => b'\n',
                                b'r' => b'\r',
                                b't' => b'\t',
                                other => other,
                            });
                        }
                        b'(' => {
                            depth += 1;
                            s.push(b'(');
                        }
                        b')' => {
                            depth -= 1;
                            if depth > 0 {
                                s.push(b')');
                            }
                        }
                        other => s.push(other),
                    }
                    i += 1;
                }
                toks.push(Tok::Str(s));
            }
            b'/' => {
                let start = i + 1;
                i += 1;
                while i < data.len() && !is_delim(data[i]) {
                    i += 1;
                }
                toks.push(Tok::Name(
                    String::from_utf8_lossy(&data[start..i]).into_owned(),
                ));
            }
            _ => {
                let start = i;
                while i < data.len() && !is_delim(data[i]) {
                    i += 1;
                }
                if i == start {
                    i += 1;
                    continue;
                }
                let word = String::from_utf8_lossy(&data[start..i]).into_owned();
                match word.parse::<i64>() {
                    Ok(n) => toks.push(Tok::Num(n)),
                    Err(_) => toks.push(Tok::Word(word)),
                }
            }
        }
    }
    toks
}

fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'\x0c'
            | 0
            | b'['
            | b']'
            | b'<'
            | b'>'
            | b'('
            | b')'
            | b'/'
            | b'%'
    )
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

fn code_of(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, &b| (acc << 8) | b as u32)
}

/// Key of a code: its value and its length in bytes, so `<41>` and `<0041>` stay distinct.
fn key(code: u32, len: usize) -> u64 {
    ((len as u64) << 32) | code as u64
}

/// A codespace range, byte by byte (a code matches when every byte lies in its bounds).
#[derive(Debug, Clone)]
pub struct CodeRange {
    lo: Vec<u8>,
    hi: Vec<u8>,
}

impl CodeRange {
    fn contains(&self, bytes: &[u8]) -> bool {
        bytes.len() == self.lo.len()
            && bytes
                .iter()
                .zip(self.lo.iter().zip(&self.hi))
                .all(|(b, (lo, hi))| lo <= b && b <= hi)
    }
}

#[derive(Debug, Clone)]
struct CidRange {
    lo: u32,
    hi: u32,
    len: usize,
    cid: u32,
}

/// A parsed CMap. Either half may be empty: a ToUnicode map has no CIDs, an encoding CMap
/// has no Unicode.
#[derive(Debug, Clone, Default)]
pub struct CMap {
    pub codespace: Vec<CodeRange>,
    unicode: HashMap<u64, String>,
    cids: Vec<CidRange>,
    /// Name given to `usecmap` (e.g. `Identity-H`), resolved by the caller.
    pub usecmap: Option<String>,
    pub vertical: bool,
}

impl CMap {
    pub fn parse(data: &[u8]) -> CMap {
        let toks = tokenize(data);
        let mut cmap = CMap::default();
        let mut i = 0;
        while i < toks.len() {
            match &toks[i] {
                Tok::Word(w) if w == "begincodespacerange" => {
                    i += 1;
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        if !lo.is_empty() && lo.len() == hi.len() && lo.len() <= 4 {
                            cmap.codespace.push(CodeRange {
                                lo: lo.clone(),
                                hi: hi.clone(),
                            });
                        }
                        i += 2;
                    }
                }
                Tok::Word(w) if w == "beginbfchar" => {
                    i += 1;
                    while let (Some(Tok::Hex(src)), Some(dst)) = (toks.get(i), toks.get(i + 1)) {
                        if let Some(s) = dest_string(dst) {
                            cmap.put_unicode(code_of(src), src.len(), s);
                        }
                        i += 2;
                    }
                }
                Tok::Word(w) if w == "beginbfrange" => {
                    i += 1;
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        let (lo_c, hi_c, len) = (code_of(lo), code_of(hi), lo.len());
                        i += 2;
                        match toks.get(i) {
                            Some(Tok::Hex(dst)) => {
                                let units = utf16_units(dst);
                                for (n, code) in range_codes(lo_c, hi_c).enumerate() {
                                    let mut u = units.clone();
                                    if let Some(last) = u.last_mut() {
                                        *last = last.wrapping_add(n as u16);
                                    }
                                    cmap.put_unicode(code, len, String::from_utf16_lossy(&u));
                                }
                                i += 1;
                            }
                            Some(Tok::Open) => {
                                i += 1;
                                let mut code = lo_c;
                                while let Some(t) = toks.get(i) {
                                    if *t == Tok::Close {
                                        i += 1;
                                        break;
                                    }
                                    if code <= hi_c {
                                        if let Some(s) = dest_string(t) {
                                            cmap.put_unicode(code, len, s);
                                        }
                                    }
                                    code = code.saturating_add(1);
                                    i += 1;
                                }
                            }
                            Some(Tok::Name(n)) => {
                                if let Some(s) = super::encoding::unicode_for_glyph_name(n) {
                                    cmap.put_unicode(lo_c, len, s);
                                }
                                i += 1;
                            }
                            _ => break,
                        }
                    }
                }
                Tok::Word(w) if w == "begincidchar" => {
                    i += 1;
                    while let (Some(Tok::Hex(src)), Some(Tok::Num(cid))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        let c = code_of(src);
                        cmap.cids.push(CidRange {
                            lo: c,
                            hi: c,
                            len: src.len(),
                            cid: *cid as u32,
                        });
                        i += 2;
                    }
                }
                Tok::Word(w) if w == "begincidrange" => {
                    i += 1;
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi)), Some(Tok::Num(cid))) =
                        (toks.get(i), toks.get(i + 1), toks.get(i + 2))
                    {
                        cmap.cids.push(CidRange {
                            lo: code_of(lo),
                            hi: code_of(hi),
                            len: lo.len(),
                            cid: *cid as u32,
                        });
                        i += 3;
                    }
                }
                Tok::Word(w) if w == "usecmap" => {
                    if let Some(Tok::Name(n)) = i.checked_sub(1).and_then(|j| toks.get(j)) {
                        cmap.usecmap = Some(n.clone());
                    }
                    i += 1;
                }
                Tok::Name(n) if n == "WMode" => {
                    if let Some(Tok::Num(1)) = toks.get(i + 1) {
                        cmap.vertical = true;
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        cmap
    }

    fn put_unicode(&mut self, code: u32, len: usize, s: String) {
        if self.unicode.len() < MAX_ENTRIES {
            self.unicode.insert(key(code, len), s);
        }
    }

    pub fn has_unicode(&self) -> bool {
        !self.unicode.is_empty()
    }

    pub fn unicode(&self, code: u32, len: usize) -> Option<&str> {
        self.unicode.get(&key(code, len)).map(String::as_str)
    }

    pub fn cid(&self, code: u32, len: usize) -> Option<u32> {
        self.cids
            .iter()
            .rev()
            .find(|r| r.len == len && r.lo <= code && code <= r.hi)
            .map(|r| r.cid + (code - r.lo))
    }

    /// Splits the next code off `bytes` by the codespace ranges: `(code, length)`.
    /// Without a matching range, falls back to `default_len` (the spec's "undefined code").
    pub fn next_code(&self, bytes: &[u8], default_len: usize) -> (u32, usize) {
        for n in 1..=4.min(bytes.len()) {
            if self.codespace.iter().any(|r| r.contains(&bytes[..n])) {
                return (code_of(&bytes[..n]), n);
            }
        }
        let n = default_len.clamp(1, 4).min(bytes.len()).max(1);
        (code_of(&bytes[..n.min(bytes.len())]), n)
    }

    /// Every (code, length) that has a Unicode value, for rewriting a scrubbed map.
    pub fn unicode_entries(&self) -> impl Iterator<Item = (u32, usize, &str)> {
        self.unicode
            .iter()
            .map(|(k, v)| ((k & 0xFFFF_FFFF) as u32, (k >> 32) as usize, v.as_str()))
    }
}

fn range_codes(lo: u32, hi: u32) -> impl Iterator<Item = u32> {
    let hi = hi.max(lo).min(lo.saturating_add(MAX_RANGE - 1));
    lo..=hi
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    if bytes.len() == 1 {
        return vec![bytes[0] as u16];
    }
    bytes
        .chunks(2)
        .map(|c| {
            if c.len() == 2 {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                c[0] as u16
            }
        })
        .collect()
}

fn dest_string(tok: &Tok) -> Option<String> {
    match tok {
        Tok::Hex(b) => Some(String::from_utf16_lossy(&utf16_units(b))),
        Tok::Name(n) => super::encoding::unicode_for_glyph_name(n),
        Tok::Str(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TO_UNICODE: &[u8] = br"/CIDInit /ProcSet findresource begin
12 dict begin begincmap
/CMapName /Adobe-Identity-UCS def
1 begincodespacerange <0000> <FFFF> endcodespacerange
3 beginbfchar
<0003> <0020>
<0010> <00660066>   % a ligature glyph: ff
<0011> /fi
endbfchar
2 beginbfrange
<0020> <0022> <0041>
<0030> <0032> [<004A> <0061> <D835DC00>]
endbfrange
endcmap";

    #[test]
    fn parses_bfchar_bfrange_and_arrays() {
        let m = CMap::parse(TO_UNICODE);
        assert_eq!(m.unicode(0x0003, 2), Some(" "));
        assert_eq!(m.unicode(0x0010, 2), Some("ff"));
        assert_eq!(m.unicode(0x0011, 2), Some("ﬁ"));
        assert_eq!(m.unicode(0x0021, 2), Some("B"));
        assert_eq!(m.unicode(0x0022, 2), Some("C"));
        assert_eq!(m.unicode(0x0030, 2), Some("J"));
        assert_eq!(m.unicode(0x0032, 2), Some("\u{1D400}"));
        assert_eq!(m.unicode(0x0033, 2), None);
        assert_eq!(
            m.unicode(0x21, 1),
            None,
            "a one-byte code is a different code"
        );
        assert_eq!(m.next_code(&[0, 0x21, 5], 1), (0x21, 2));
    }

    #[test]
    fn parses_cid_ranges_and_mixed_codespaces() {
        let m = CMap::parse(
            b"2 begincodespacerange <00> <80> <8140> <9FFC> endcodespacerange
             1 begincidrange <8140> <817E> 633 endcidrange
             1 begincidchar <41> 34 endcidchar /WMode 1 def",
        );
        assert_eq!(m.next_code(&[0x41, 0x81], 2), (0x41, 1));
        assert_eq!(m.next_code(&[0x81, 0x42], 2), (0x8142, 2));
        assert_eq!(m.cid(0x8142, 2), Some(635));
        assert_eq!(m.cid(0x41, 1), Some(34));
        assert!(m.vertical);
    }

    #[test]
    fn huge_ranges_are_bounded() {
        let m = CMap::parse(b"beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange");
        assert!(m.unicode_entries().count() <= MAX_RANGE as usize);
    }
}
