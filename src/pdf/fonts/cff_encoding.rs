//! Simple Type 1 fonts that embed a bare CFF program (FontFile3 /Type1C) and carry no /Encoding
//! or /ToUnicode select glyphs through the CFF font's own built-in encoding (pdfTeX does this for
//! math fonts such as CMSY10); this module reads that encoding as code → glyph name.

use std::collections::HashSet;

/// Number of predefined strings in the CFF String INDEX namespace (SIDs `0..391`).
const N_STD_STRINGS: usize = 391;

/// Longest glyph name accepted from a font's String INDEX; longer strings are treated as no name,
/// which bounds the total allocation to 256 × this many bytes whatever the input size.
const MAX_NAME_LEN: usize = 255;

/// Most operands a DICT operator may take (Technical Note #5176, Appendix B: stack limit 48).
const MAX_DICT_OPERANDS: usize = 48;

/// The built-in encoding of a bare CFF font program (the decoded bytes of a FontFile3/Type1C stream):
/// for each code 0..=255, the glyph name it selects, or None. Returns None if the font uses the
/// Standard encoding (encoding offset 0) or cannot be parsed. Must never panic on any input and must
/// bound all work (hostile data): no unbounded allocation, no loops that can run forever.
///
/// Supported: CFF version 1 with a name-keyed first font; custom charsets in formats 0, 1 and 2 and
/// the predefined ISOAdobe charset; custom encodings in formats 0 and 1, with supplements. Returns
/// None for CID-keyed fonts (ROS in the Top DICT), the predefined Standard and Expert encodings, the
/// predefined Expert and ExpertSubset charsets, and anything truncated or malformed. A code whose
/// glyph is `.notdef`, whose supplement names a glyph absent from the font, or whose name is not
/// valid UTF-8 (or longer than 255 bytes) maps to None.
pub fn cff_builtin_encoding(cff: &[u8]) -> Option<Vec<Option<String>>> {
    // Header: major, minor, hdrSize, offSize.
    if *cff.first()? != 1 {
        return None;
    }
    let hdr_size = usize::from(*cff.get(2)?);
    if hdr_size < 4 {
        return None;
    }
    let names = Index::parse(cff, hdr_size)?;
    let top_dicts = Index::parse(cff, names.end)?;
    let strings = Index::parse(cff, top_dicts.end)?;
    let top = TopDict::parse(top_dicts.get(0)?)?;
    if top.cid_keyed {
        return None;
    }
    // Encoding offsets 0 (Standard) and 1 (Expert) are predefined encodings, not built-in ones.
    if top.encoding <= 1 {
        return None;
    }
    let n_glyphs = Index::parse(cff, top.charstrings?)?.count;
    if n_glyphs == 0 {
        return None;
    }
    let sids = parse_charset(cff, top.charset, n_glyphs)?;
    let code_sids = parse_encoding(cff, top.encoding, &sids)?;
    Some(
        code_sids
            .iter()
            .map(|sid| sid.and_then(|sid| sid_name(sid, &strings)))
            .collect(),
    )
}

/// The glyph name for a string id, or None for `.notdef`, a missing string or an unusable name.
fn sid_name(sid: u16, strings: &Index<'_>) -> Option<String> {
    let sid = usize::from(sid);
    if sid == 0 {
        return None; // .notdef selects no glyph
    }
    if let Some(name) = STANDARD_STRINGS.get(sid) {
        return Some((*name).to_string());
    }
    let bytes = strings.get(sid - N_STD_STRINGS)?;
    if bytes.is_empty() || bytes.len() > MAX_NAME_LEN || bytes == b".notdef" {
        return None;
    }
    std::str::from_utf8(bytes).ok().map(str::to_string)
}

/// A parsed INDEX structure: `count` objects located through an offset array.
struct Index<'a> {
    cff: &'a [u8],
    count: usize,
    off_size: usize,
    /// Position of the offset array.
    offsets: usize,
    /// Position of the byte before the object data (offsets are 1-based from here).
    base: usize,
    /// Position just past the INDEX.
    end: usize,
}

impl<'a> Index<'a> {
    fn parse(cff: &'a [u8], pos: usize) -> Option<Self> {
        let count = usize::from(read_u16(cff, pos)?);
        if count == 0 {
            return Some(Index {
                cff,
                count,
                off_size: 1,
                offsets: pos,
                base: pos,
                end: pos.checked_add(2)?,
            });
        }
        let off_size = usize::from(*cff.get(pos.checked_add(2)?)?);
        if !(1..=4).contains(&off_size) {
            return None;
        }
        let offsets = pos.checked_add(3)?;
        let offsets_end = offsets.checked_add((count + 1).checked_mul(off_size)?)?;
        if offsets_end > cff.len() {
            return None;
        }
        let base = offsets_end - 1;
        let mut index = Index {
            cff,
            count,
            off_size,
            offsets,
            base,
            end: 0,
        };
        let last = index.offset(count)?;
        if last == 0 {
            return None;
        }
        index.end = base.checked_add(last)?;
        if index.end > cff.len() {
            return None;
        }
        Some(index)
    }

    /// The `i`-th entry of the offset array (`0..=count`).
    fn offset(&self, i: usize) -> Option<usize> {
        let start = self.offsets.checked_add(i.checked_mul(self.off_size)?)?;
        let bytes = self.cff.get(start..start.checked_add(self.off_size)?)?;
        Some(
            bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b)),
        )
    }

    /// The data of object `i`, or None if it is out of range or its offsets are inconsistent.
    fn get(&self, i: usize) -> Option<&'a [u8]> {
        if i >= self.count {
            return None;
        }
        let (start, end) = (self.offset(i)?, self.offset(i + 1)?);
        if start == 0 || start > end {
            return None;
        }
        let (start, end) = (self.base.checked_add(start)?, self.base.checked_add(end)?);
        if end > self.end {
            return None;
        }
        self.cff.get(start..end)
    }
}

/// The Top DICT entries this module needs.
struct TopDict {
    charset: usize,
    encoding: usize,
    charstrings: Option<usize>,
    cid_keyed: bool,
}

impl TopDict {
    fn parse(dict: &[u8]) -> Option<Self> {
        let mut top = TopDict {
            charset: 0,
            encoding: 0,
            charstrings: None,
            cid_keyed: false,
        };
        // Operands: Some(integer) or None for a real number.
        let mut operands: Vec<Option<i64>> = Vec::with_capacity(MAX_DICT_OPERANDS);
        let mut i = 0;
        while i < dict.len() {
            let b0 = dict[i];
            i += 1;
            let operand = match b0 {
                0..=27 => {
                    let op = if b0 == 12 {
                        let b1 = *dict.get(i)?;
                        i += 1;
                        1200 + u16::from(b1)
                    } else {
                        u16::from(b0)
                    };
                    // The offset operators take exactly one non-negative integer operand.
                    let offset = || -> Option<usize> {
                        match operands.as_slice() {
                            [Some(v)] => usize::try_from(*v).ok(),
                            _ => None,
                        }
                    };
                    match op {
                        15 => top.charset = offset()?,
                        16 => top.encoding = offset()?,
                        17 => top.charstrings = Some(offset()?),
                        1230 => top.cid_keyed = true,
                        _ => {}
                    }
                    operands.clear();
                    continue;
                }
                28 => {
                    let v = i16::from_be_bytes([*dict.get(i)?, *dict.get(i + 1)?]);
                    i += 2;
                    Some(i64::from(v))
                }
                29 => {
                    let b = dict.get(i..i + 4)?;
                    i += 4;
                    Some(i64::from(i32::from_be_bytes([b[0], b[1], b[2], b[3]])))
                }
                30 => {
                    // Real number: nibbles up to and including an 0xf terminator nibble.
                    loop {
                        let b = *dict.get(i)?;
                        i += 1;
                        if b >> 4 == 0xf || b & 0xf == 0xf {
                            break;
                        }
                    }
                    None
                }
                32..=246 => Some(i64::from(b0) - 139),
                247..=250 => {
                    let b1 = *dict.get(i)?;
                    i += 1;
                    Some((i64::from(b0) - 247) * 256 + i64::from(b1) + 108)
                }
                251..=254 => {
                    let b1 = *dict.get(i)?;
                    i += 1;
                    Some(-(i64::from(b0) - 251) * 256 - i64::from(b1) - 108)
                }
                _ => return None, // 31 and 255 are reserved
            };
            if operands.len() >= MAX_DICT_OPERANDS {
                return None;
            }
            operands.push(operand);
        }
        Some(top)
    }
}

/// The SID of every glyph (index = GID), from the charset at `offset` (or a predefined one).
/// Unknown glyphs get SID 0 (`.notdef`).
fn parse_charset(cff: &[u8], offset: usize, n_glyphs: usize) -> Option<Vec<u16>> {
    match offset {
        // ISOAdobe: GID i is SID i for SIDs 0..=228.
        0 => {
            return Some(
                (0..n_glyphs)
                    .map(|gid| if gid <= 228 { gid as u16 } else { 0 })
                    .collect(),
            )
        }
        1 | 2 => return None, // Expert and ExpertSubset
        _ => {}
    }
    let mut sids = vec![0u16; n_glyphs];
    let format = *cff.get(offset)?;
    let mut pos = offset + 1;
    let mut gid = 1;
    match format {
        0 => {
            while gid < n_glyphs {
                sids[gid] = read_u16(cff, pos)?;
                pos += 2;
                gid += 1;
            }
        }
        1 | 2 => {
            // Every range covers at least one glyph, so this runs at most n_glyphs times.
            while gid < n_glyphs {
                let first = usize::from(read_u16(cff, pos)?);
                let n_left = if format == 1 {
                    usize::from(*cff.get(pos + 2)?)
                } else {
                    usize::from(read_u16(cff, pos + 2)?)
                };
                pos += if format == 1 { 3 } else { 4 };
                for sid in first..=first + n_left {
                    if gid >= n_glyphs {
                        break;
                    }
                    sids[gid] = u16::try_from(sid).ok()?;
                    gid += 1;
                }
            }
        }
        _ => return None,
    }
    Some(sids)
}

/// The SID each code selects, from the custom encoding at `offset` (greater than 1).
fn parse_encoding(cff: &[u8], offset: usize, sids: &[u16]) -> Option<[Option<u16>; 256]> {
    let mut codes = [None; 256];
    let format = *cff.get(offset)?;
    let mut pos = offset + 1;
    match format & 0x7f {
        0 => {
            let n_codes = usize::from(*cff.get(pos)?);
            let list = cff.get(pos + 1..pos + 1 + n_codes)?;
            pos += 1 + n_codes;
            for (&code, &sid) in list.iter().zip(sids.iter().skip(1)) {
                codes[usize::from(code)] = Some(sid);
            }
        }
        1 => {
            let n_ranges = usize::from(*cff.get(pos)?);
            let ranges = cff.get(pos + 1..pos + 1 + 2 * n_ranges)?;
            pos += 1 + 2 * n_ranges;
            let mut gid = 1;
            for range in ranges.chunks_exact(2) {
                let (first, n_left) = (usize::from(range[0]), usize::from(range[1]));
                // Codes past 255 are dropped (malformed range); glyphs past the font end too.
                for slot in codes.iter_mut().skip(first).take(n_left + 1) {
                    let Some(&sid) = sids.get(gid) else { break };
                    *slot = Some(sid);
                    gid += 1;
                }
            }
        }
        _ => return None,
    }
    if format & 0x80 != 0 {
        // Supplements give extra codes to glyphs named by SID; a name the font lacks selects nothing.
        let present: HashSet<u16> = sids.iter().copied().collect();
        let n_sups = usize::from(*cff.get(pos)?);
        let sups = cff.get(pos + 1..pos + 1 + 3 * n_sups)?;
        for sup in sups.chunks_exact(3) {
            let sid = u16::from_be_bytes([sup[1], sup[2]]);
            if present.contains(&sid) {
                codes[usize::from(sup[0])] = Some(sid);
            }
        }
    }
    Some(codes)
}

fn read_u16(data: &[u8], pos: usize) -> Option<u16> {
    let b = data.get(pos..pos.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

/// The CFF standard strings, SIDs 0..=390 (Technical Note #5176, Appendix A).
#[rustfmt::skip]
static STANDARD_STRINGS: [&str; N_STD_STRINGS] = [
    ".notdef", "space", "exclam", "quotedbl", "numbersign", "dollar", "percent", "ampersand",
    "quoteright", "parenleft", "parenright", "asterisk", "plus", "comma", "hyphen", "period",
    "slash", "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "colon", "semicolon", "less", "equal", "greater", "question", "at", "A", "B", "C", "D", "E",
    "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X",
    "Y", "Z", "bracketleft", "backslash", "bracketright", "asciicircum", "underscore", "quoteleft",
    "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s",
    "t", "u", "v", "w", "x", "y", "z", "braceleft", "bar", "braceright", "asciitilde",
    "exclamdown", "cent", "sterling", "fraction", "yen", "florin", "section", "currency",
    "quotesingle", "quotedblleft", "guillemotleft", "guilsinglleft", "guilsinglright", "fi", "fl",
    "endash", "dagger", "daggerdbl", "periodcentered", "paragraph", "bullet", "quotesinglbase",
    "quotedblbase", "quotedblright", "guillemotright", "ellipsis", "perthousand", "questiondown",
    "grave", "acute", "circumflex", "tilde", "macron", "breve", "dotaccent", "dieresis", "ring",
    "cedilla", "hungarumlaut", "ogonek", "caron", "emdash", "AE", "ordfeminine", "Lslash",
    "Oslash", "OE", "ordmasculine", "ae", "dotlessi", "lslash", "oslash", "oe", "germandbls",
    "onesuperior", "logicalnot", "mu", "trademark", "Eth", "onehalf", "plusminus", "Thorn",
    "onequarter", "divide", "brokenbar", "degree", "thorn", "threequarters", "twosuperior",
    "registered", "minus", "eth", "multiply", "threesuperior", "copyright", "Aacute",
    "Acircumflex", "Adieresis", "Agrave", "Aring", "Atilde", "Ccedilla", "Eacute", "Ecircumflex",
    "Edieresis", "Egrave", "Iacute", "Icircumflex", "Idieresis", "Igrave", "Ntilde", "Oacute",
    "Ocircumflex", "Odieresis", "Ograve", "Otilde", "Scaron", "Uacute", "Ucircumflex", "Udieresis",
    "Ugrave", "Yacute", "Ydieresis", "Zcaron", "aacute", "acircumflex", "adieresis", "agrave",
    "aring", "atilde", "ccedilla", "eacute", "ecircumflex", "edieresis", "egrave", "iacute",
    "icircumflex", "idieresis", "igrave", "ntilde", "oacute", "ocircumflex", "odieresis", "ograve",
    "otilde", "scaron", "uacute", "ucircumflex", "udieresis", "ugrave", "yacute", "ydieresis",
    "zcaron", "exclamsmall", "Hungarumlautsmall", "dollaroldstyle", "dollarsuperior",
    "ampersandsmall", "Acutesmall", "parenleftsuperior", "parenrightsuperior", "twodotenleader",
    "onedotenleader", "zerooldstyle", "oneoldstyle", "twooldstyle", "threeoldstyle",
    "fouroldstyle", "fiveoldstyle", "sixoldstyle", "sevenoldstyle", "eightoldstyle",
    "nineoldstyle", "commasuperior", "threequartersemdash", "periodsuperior", "questionsmall",
    "asuperior", "bsuperior", "centsuperior", "dsuperior", "esuperior", "isuperior", "lsuperior",
    "msuperior", "nsuperior", "osuperior", "rsuperior", "ssuperior", "tsuperior", "ff", "ffi",
    "ffl", "parenleftinferior", "parenrightinferior", "Circumflexsmall", "hyphensuperior",
    "Gravesmall", "Asmall", "Bsmall", "Csmall", "Dsmall", "Esmall", "Fsmall", "Gsmall", "Hsmall",
    "Ismall", "Jsmall", "Ksmall", "Lsmall", "Msmall", "Nsmall", "Osmall", "Psmall", "Qsmall",
    "Rsmall", "Ssmall", "Tsmall", "Usmall", "Vsmall", "Wsmall", "Xsmall", "Ysmall", "Zsmall",
    "colonmonetary", "onefitted", "rupiah", "Tildesmall", "exclamdownsmall", "centoldstyle",
    "Lslashsmall", "Scaronsmall", "Zcaronsmall", "Dieresissmall", "Brevesmall", "Caronsmall",
    "Dotaccentsmall", "Macronsmall", "figuredash", "hypheninferior", "Ogoneksmall", "Ringsmall",
    "Cedillasmall", "questiondownsmall", "oneeighth", "threeeighths", "fiveeighths",
    "seveneighths", "onethird", "twothirds", "zerosuperior", "foursuperior", "fivesuperior",
    "sixsuperior", "sevensuperior", "eightsuperior", "ninesuperior", "zeroinferior", "oneinferior",
    "twoinferior", "threeinferior", "fourinferior", "fiveinferior", "sixinferior", "seveninferior",
    "eightinferior", "nineinferior", "centinferior", "dollarinferior", "periodinferior",
    "commainferior", "Agravesmall", "Aacutesmall", "Acircumflexsmall", "Atildesmall",
    "Adieresissmall", "Aringsmall", "AEsmall", "Ccedillasmall", "Egravesmall", "Eacutesmall",
    "Ecircumflexsmall", "Edieresissmall", "Igravesmall", "Iacutesmall", "Icircumflexsmall",
    "Idieresissmall", "Ethsmall", "Ntildesmall", "Ogravesmall", "Oacutesmall", "Ocircumflexsmall",
    "Otildesmall", "Odieresissmall", "OEsmall", "Oslashsmall", "Ugravesmall", "Uacutesmall",
    "Ucircumflexsmall", "Udieresissmall", "Yacutesmall", "Thornsmall", "Ydieresissmall", "001.000",
    "001.001", "001.002", "001.003", "Black", "Bold", "Book", "Light", "Medium", "Regular",
    "Roman", "Semibold",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// An INDEX with 2-byte offsets (or just a zero count).
    fn index(items: &[&[u8]]) -> Vec<u8> {
        let mut out = (items.len() as u16).to_be_bytes().to_vec();
        if items.is_empty() {
            return out;
        }
        out.push(2);
        let mut off = 1u16;
        out.extend(off.to_be_bytes());
        for item in items {
            off += item.len() as u16;
            out.extend(off.to_be_bytes());
        }
        for item in items {
            out.extend_from_slice(item);
        }
        out
    }

    /// A DICT integer operand in the fixed-size 5-byte form.
    fn int5(v: usize) -> Vec<u8> {
        let mut out = vec![29];
        out.extend((v as i32).to_be_bytes());
        out
    }

    enum Part {
        Predefined(usize),
        Custom(Vec<u8>),
    }

    /// A one-font CFF: header, Name, Top DICT, String and Global Subr INDEXes, CharStrings,
    /// then the custom charset and encoding (if any).
    fn build(
        strings: &[&[u8]],
        n_glyphs: usize,
        charset: &Part,
        encoding: &Part,
        extra_top: &[u8],
    ) -> Vec<u8> {
        let header = [1u8, 0, 4, 1];
        let name_index = index(&[b"Test"]);
        let string_index = index(strings);
        let gsubr_index = index(&[]);
        let glyphs: Vec<&[u8]> = vec![&[14u8]; n_glyphs]; // endchar
        let charstrings = index(&glyphs);
        let top_len = extra_top.len() + 3 * 6;
        let top_index_len = index(&[&vec![0u8; top_len]]).len();
        let cs_off = header.len()
            + name_index.len()
            + top_index_len
            + string_index.len()
            + gsubr_index.len();
        let mut tail = Vec::new();
        let place = |part: &Part, tail: &mut Vec<u8>| match part {
            Part::Predefined(off) => *off,
            Part::Custom(bytes) => {
                let off = cs_off + charstrings.len() + tail.len();
                tail.extend_from_slice(bytes);
                off
            }
        };
        let charset_off = place(charset, &mut tail);
        let encoding_off = place(encoding, &mut tail);
        let mut top = extra_top.to_vec();
        top.extend(int5(charset_off));
        top.push(15);
        top.extend(int5(encoding_off));
        top.push(16);
        top.extend(int5(cs_off));
        top.push(17);
        assert_eq!(top.len(), top_len);
        let mut out = header.to_vec();
        out.extend(name_index);
        out.extend(index(&[&top]));
        out.extend(string_index);
        out.extend(gsubr_index);
        assert_eq!(out.len(), cs_off);
        out.extend(charstrings);
        out.extend(tail);
        out
    }

    /// Glyphs: .notdef, A (SID 34), mycustom (SID 391), exclam (SID 2); encoding format 0 with
    /// supplements, one of which names a glyph the font lacks.
    fn synthetic() -> Vec<u8> {
        let charset = Part::Custom(vec![0, 0, 34, 0x01, 0x87, 0, 2]);
        let encoding = Part::Custom(vec![0x80, 3, 0x41, 0x80, 0x21, 2, 0x61, 0, 34, 0x62, 0, 5]);
        build(&[b"mycustom"], 4, &charset, &encoding, &[])
    }

    fn expect(map: &[Option<String>], pairs: &[(usize, &str)]) {
        assert_eq!(map.len(), 256);
        for (code, name) in map.iter().enumerate() {
            let want = pairs.iter().find(|(c, _)| *c == code).map(|(_, n)| *n);
            assert_eq!(name.as_deref(), want, "code {code:#04x}");
        }
    }

    #[test]
    fn standard_strings_table() {
        assert_eq!(STANDARD_STRINGS[0], ".notdef");
        assert_eq!(STANDARD_STRINGS[34], "A");
        assert_eq!(STANDARD_STRINGS[228], "zcaron");
        assert_eq!(STANDARD_STRINGS[229], "exclamsmall");
        assert_eq!(STANDARD_STRINGS[390], "Semibold");
    }

    #[test]
    fn format0_charset_and_encoding_with_supplements() {
        let map = cff_builtin_encoding(&synthetic()).expect("parses");
        expect(
            &map,
            &[
                (0x41, "A"),
                (0x80, "mycustom"),
                (0x21, "exclam"),
                (0x61, "A"),
            ],
        );
    }

    #[test]
    fn range_charsets_and_format1_encoding() {
        // Glyphs 1..=4 are SIDs 17..=20 (zero..three).
        let encoding = vec![1, 2, 0x30, 1, 0x60, 1];
        for charset in [vec![1, 0, 17, 3], vec![2, 0, 17, 0, 3]] {
            let cff = build(
                &[],
                5,
                &Part::Custom(charset),
                &Part::Custom(encoding.clone()),
                &[],
            );
            let map = cff_builtin_encoding(&cff).expect("parses");
            expect(
                &map,
                &[
                    (0x30, "zero"),
                    (0x31, "one"),
                    (0x60, "two"),
                    (0x61, "three"),
                ],
            );
        }
    }

    #[test]
    fn isoadobe_charset() {
        let cff = build(
            &[],
            3,
            &Part::Predefined(0),
            &Part::Custom(vec![0, 2, 0x20, 0x21]),
            &[],
        );
        let map = cff_builtin_encoding(&cff).expect("parses");
        expect(&map, &[(0x20, "space"), (0x21, "exclam")]);
    }

    #[test]
    fn predefined_encodings_cid_fonts_and_expert_charsets_give_none() {
        let charset = || Part::Custom(vec![0, 0, 34]);
        let enc = || Part::Custom(vec![0, 1, 0x41]);
        assert!(cff_builtin_encoding(&build(&[], 2, &charset(), &enc(), &[])).is_some());
        assert!(
            cff_builtin_encoding(&build(&[], 2, &charset(), &Part::Predefined(0), &[])).is_none()
        );
        assert!(
            cff_builtin_encoding(&build(&[], 2, &charset(), &Part::Predefined(1), &[])).is_none()
        );
        assert!(cff_builtin_encoding(&build(&[], 2, &Part::Predefined(1), &enc(), &[])).is_none());
        assert!(cff_builtin_encoding(&build(&[], 2, &Part::Predefined(2), &enc(), &[])).is_none());
        // ROS: registry SID, ordering SID, supplement, then 12 30.
        let ros = [0xf8, 0x1b, 0xf8, 0x1c, 139, 12, 30];
        assert!(cff_builtin_encoding(&build(&[], 2, &charset(), &enc(), &ros)).is_none());
    }

    #[test]
    fn truncated_input_gives_none() {
        let cff = synthetic();
        for len in 0..cff.len() {
            assert!(
                cff_builtin_encoding(&cff[..len]).is_none(),
                "truncated to {len}"
            );
        }
    }

    #[test]
    fn garbage_never_panics() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let base = synthetic();
        for round in 0..20_000 {
            let bytes: Vec<u8> = if round % 2 == 0 {
                let len = (next() % 300) as usize;
                let mut v: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                if len >= 4 && round % 4 == 0 {
                    v[..4].copy_from_slice(&[1, 0, 4, 1]); // a plausible header
                }
                v
            } else {
                // Mutate a few bytes of a valid font.
                let mut v = base.clone();
                for _ in 0..1 + next() % 4 {
                    let at = (next() as usize) % v.len();
                    v[at] = next() as u8;
                }
                v
            };
            let _ = cff_builtin_encoding(&bytes);
        }
        // Huge counts and offsets pointing past the end.
        let _ = cff_builtin_encoding(&[1, 0, 4, 4, 0xff, 0xff, 4, 0xff, 0xff, 0xff, 0xff]);
        let _ = cff_builtin_encoding(&[1, 0, 0xff, 4]);
    }

    #[test]
    fn geotopo_cmsy10_builtin_encoding() {
        use lopdf::{Document, Object};
        let path = "/work/shared/corpus/pdf/GeoTopo-komprimiert.pdf";
        if !std::path::Path::new(path).exists() {
            println!("skipping: {path} is absent");
            return;
        }
        let doc = Document::load(path).expect("corpus PDF loads");
        let mut checked = 0;
        for object in doc.objects.values() {
            let Ok(font) = object.as_dict() else { continue };
            let is_cmsy10 = font
                .get(b"BaseFont")
                .and_then(Object::as_name)
                .is_ok_and(|name| name.windows(6).any(|w| w == b"CMSY10"));
            // Only fonts without /Encoding rely on the built-in encoding.
            if !is_cmsy10 || font.has(b"Encoding") {
                continue;
            }
            let Ok(file) = font
                .get_deref(b"FontDescriptor", &doc)
                .and_then(Object::as_dict)
                .and_then(|d| d.get_deref(b"FontFile3", &doc))
                .and_then(Object::as_stream)
            else {
                continue;
            };
            let cff = file.decompressed_content().expect("FontFile3 decodes");
            let map = cff_builtin_encoding(&cff).expect("CMSY10 has a built-in encoding");
            assert_eq!(map[0x38].as_deref(), Some("universal"));
            assert_eq!(map[0x5b].as_deref(), Some("union"));
            checked += 1;
        }
        assert!(
            checked > 0,
            "no CMSY10 font without /Encoding and with FontFile3 found"
        );
    }
}
