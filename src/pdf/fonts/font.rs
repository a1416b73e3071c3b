//! Loading a font dictionary into what the interpreter needs per glyph.

use std::borrow::Cow;
use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::cmap::CMap;
use super::encoding::{glyph_name_for, unicode_for_glyph_name, BaseEncoding};
use super::std14;
use crate::pdf::objects::{
    get, get_array, get_dict, get_f64, get_name, numbers, resolve, stream_bytes,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FontKind {
    Simple,
    Type3,
    Composite,
}

/// Where a glyph's Unicode value came from, shown by `disclose inspect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnicodeSource {
    ToUnicode,
    Differences,
    Encoding(BaseEncoding),
    EmbeddedEncoding,
    Unmapped,
}

impl UnicodeSource {
    pub fn label(self) -> &'static str {
        match self {
            UnicodeSource::ToUnicode => "ToUnicode",
            UnicodeSource::Differences => "Differences",
            UnicodeSource::Encoding(b) => b.label(),
            UnicodeSource::EmbeddedEncoding => "font program encoding",
            UnicodeSource::Unmapped => "UNMAPPED",
        }
    }
}

/// One character code cut from a string: value, byte length, byte offset in the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlyphCode {
    pub code: u32,
    pub len: usize,
    pub start: usize,
}

#[derive(Debug)]
pub struct Font {
    pub base_name: String,
    pub subtype: String,
    pub kind: FontKind,
    pub id: Option<ObjectId>,
    pub to_unicode: Option<CMap>,
    /// Simple fonts: Unicode and its source for each of the 256 codes.
    simple_unicode: Vec<(Option<String>, UnicodeSource)>,
    /// Simple fonts: advance of each code in em.
    simple_widths: Vec<f64>,
    /// Composite fonts: the encoding CMap, or `None` for Identity-H/V.
    encoding_cmap: Option<CMap>,
    cid_widths: HashMap<u32, f64>,
    default_width: f64,
    cid_vertical: HashMap<u32, f64>,
    default_vertical: f64,
    pub vertical: bool,
    /// False when no width source exists: survivors after a removal could not be placed.
    pub widths_known: bool,
    pub ascent: f64,
    pub descent: f64,
    pub encoding_label: String,
}

impl Font {
    pub fn load(doc: &Document, dict: &Dictionary, id: Option<ObjectId>) -> Result<Font, String> {
        let subtype = get_name(doc, dict, b"Subtype")
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let base_name = get_name(doc, dict, b"BaseFont")
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_else(|| "(unnamed)".to_string());
        let to_unicode = match get(doc, dict, b"ToUnicode") {
            Some(Object::Stream(s)) => {
                let bytes = stream_bytes(s).map_err(|e| format!("ToUnicode CMap: {e}"))?;
                Some(CMap::parse(&bytes)).filter(CMap::has_unicode)
            }
            _ => None,
        };
        let mut font = Font {
            base_name,
            subtype: subtype.clone(),
            kind: FontKind::Simple,
            id,
            to_unicode,
            simple_unicode: Vec::new(),
            simple_widths: Vec::new(),
            encoding_cmap: None,
            cid_widths: HashMap::new(),
            default_width: 1.0,
            cid_vertical: HashMap::new(),
            default_vertical: -1.0,
            vertical: false,
            widths_known: true,
            ascent: 0.8,
            descent: -0.2,
            encoding_label: String::new(),
        };
        match subtype.as_str() {
            "Type0" => font.load_composite(doc, dict)?,
            "Type3" => {
                font.kind = FontKind::Type3;
                font.load_simple(doc, dict)?;
            }
            _ => font.load_simple(doc, dict)?,
        }
        Ok(font)
    }

    fn load_simple(&mut self, doc: &Document, dict: &Dictionary) -> Result<(), String> {
        let descriptor = get_dict(doc, dict, b"FontDescriptor");
        let flags = descriptor
            .and_then(|d| get_f64(doc, d, b"Flags"))
            .unwrap_or(0.0) as u32;
        let symbolic = flags & 4 != 0 && flags & 32 == 0;
        let std = std14::lookup(&self.base_name);
        let embedded = descriptor.is_some_and(|d| {
            [&b"FontFile"[..], b"FontFile2", b"FontFile3"]
                .iter()
                .any(|k| d.get(k).is_ok())
        });

        // Encoding: an explicit name or dictionary, else what the font has built in.
        let mut differences: Vec<Option<String>> = vec![None; 256];
        let mut base: Option<BaseEncoding> = None;
        let mut label = String::new();
        match get(doc, dict, b"Encoding") {
            Some(Object::Name(n)) => {
                base = BaseEncoding::from_name(n);
                label = String::from_utf8_lossy(n).into_owned();
            }
            Some(Object::Dictionary(d)) => {
                if let Some(n) = get_name(doc, d, b"BaseEncoding") {
                    base = BaseEncoding::from_name(n);
                    label = String::from_utf8_lossy(n).into_owned();
                }
                if let Some(arr) = get_array(doc, d, b"Differences") {
                    let mut code = 0usize;
                    for o in arr {
                        match resolve(doc, o) {
                            Object::Integer(i) => code = (*i).clamp(0, 255) as usize,
                            Object::Name(n) if code < 256 => {
                                differences[code] = Some(String::from_utf8_lossy(n).into_owned());
                                code += 1;
                            }
                            _ => {}
                        }
                    }
                    label = if label.is_empty() {
                        "Differences".into()
                    } else {
                        format!("{label}+Differences")
                    };
                }
            }
            _ => {}
        }
        let mut embedded_encoding = None;
        if base.is_none() {
            base = match std.map(|m| m.name) {
                Some("Symbol") => Some(BaseEncoding::Symbol),
                Some("ZapfDingbats") => Some(BaseEncoding::ZapfDingbats),
                _ => None,
            };
            if base.is_none() && self.kind == FontKind::Simple {
                embedded_encoding = descriptor.and_then(|d| type1_builtin_encoding(doc, d));
                if embedded_encoding.is_none() && (!symbolic || (!embedded && std.is_some())) {
                    base = Some(if self.subtype == "TrueType" && !symbolic {
                        BaseEncoding::WinAnsi
                    } else {
                        BaseEncoding::Standard
                    });
                }
            }
            if label.is_empty() {
                label = match (&embedded_encoding, base) {
                    (Some(_), _) => "font program encoding".into(),
                    (None, Some(b)) => format!("{} (implicit)", b.label()),
                    (None, None) => "none".into(),
                };
            }
        }
        self.encoding_label = label;

        // Unicode per code, in order of trust.
        self.simple_unicode = (0..256usize)
            .map(|code| {
                if let Some(u) = self
                    .to_unicode
                    .as_ref()
                    .and_then(|m| m.unicode(code as u32, 1))
                {
                    return (Some(u.to_string()), UnicodeSource::ToUnicode);
                }
                if let Some(name) = &differences[code] {
                    return match glyph_unicode(name) {
                        Some(u) => (Some(u), UnicodeSource::Differences),
                        None => (None, UnicodeSource::Unmapped),
                    };
                }
                if let Some(name) = embedded_encoding
                    .as_ref()
                    .and_then(|e: &Vec<Option<String>>| e[code].as_ref())
                {
                    return match glyph_unicode(name) {
                        Some(u) => (Some(u), UnicodeSource::EmbeddedEncoding),
                        None => (None, UnicodeSource::Unmapped),
                    };
                }
                if embedded_encoding.is_some() && base.is_none() {
                    // Not in the font's own encoding: it draws .notdef, which spells nothing.
                    return (
                        Some("\u{FFFD}".to_string()),
                        UnicodeSource::EmbeddedEncoding,
                    );
                }
                if let Some(b) = base {
                    if let Some(c) = b.unicode(code as u8) {
                        return (Some(c.to_string()), UnicodeSource::Encoding(b));
                    }
                }
                (None, UnicodeSource::Unmapped)
            })
            .collect();

        // Widths, in em.
        let font_matrix = if self.kind == FontKind::Type3 {
            get_array(doc, dict, b"FontMatrix")
                .and_then(|a| numbers(doc, a))
                .filter(|m| m.len() == 6)
                .unwrap_or_else(|| vec![0.001, 0.0, 0.0, 0.001, 0.0, 0.0])
        } else {
            vec![0.001, 0.0, 0.0, 0.001, 0.0, 0.0]
        };
        let missing = descriptor
            .and_then(|d| get_f64(doc, d, b"MissingWidth"))
            .unwrap_or(0.0);
        self.simple_widths = vec![missing * font_matrix[0]; 256];
        match get_array(doc, dict, b"Widths") {
            Some(widths) => {
                let first = get_f64(doc, dict, b"FirstChar").unwrap_or(0.0).max(0.0) as usize;
                for (i, w) in widths.iter().enumerate() {
                    if let (Some(slot), Some(w)) = (
                        self.simple_widths.get_mut(first + i),
                        crate::pdf::objects::number(resolve(doc, w)),
                    ) {
                        *slot = w * font_matrix[0];
                    }
                }
            }
            None => match std {
                Some(m) => {
                    for (code, (slot, diff)) in
                        self.simple_widths.iter_mut().zip(&differences).enumerate()
                    {
                        let name = diff
                            .clone()
                            .or_else(|| base.and_then(|b| glyph_name_for(b, code as u8)));
                        if let Some(w) = name.and_then(|n| std14::width(m, &n)) {
                            *slot = w / 1000.0;
                        }
                    }
                }
                None => self.widths_known = false,
            },
        }

        // Vertical extent, in em.
        if self.kind == FontKind::Type3 {
            if let Some(bb) = get_array(doc, dict, b"FontBBox")
                .and_then(|a| numbers(doc, a))
                .filter(|b| b.len() == 4)
            {
                let (lo, hi) = (
                    bb[1].min(bb[3]) * font_matrix[3],
                    bb[1].max(bb[3]) * font_matrix[3],
                );
                if hi > lo {
                    self.ascent = hi;
                    self.descent = lo.min(0.0);
                }
            }
        } else {
            self.set_vertical_metrics(
                doc,
                descriptor,
                std.map(|m| (m.ascent as f64, m.descent as f64)),
            );
        }
        Ok(())
    }

    fn set_vertical_metrics(
        &mut self,
        doc: &Document,
        descriptor: Option<&Dictionary>,
        fallback: Option<(f64, f64)>,
    ) {
        let asc = descriptor
            .and_then(|d| get_f64(doc, d, b"Ascent"))
            .filter(|a| *a > 0.0);
        let desc = descriptor
            .and_then(|d| get_f64(doc, d, b"Descent"))
            .filter(|d| *d < 0.0);
        let (fa, fd) = fallback
            .filter(|(a, _)| *a > 0.0)
            .unwrap_or((800.0, -200.0));
        self.ascent = (asc.unwrap_or(fa) / 1000.0).clamp(0.5, 1.2);
        self.descent = (desc.unwrap_or(fd) / 1000.0).clamp(-0.5, 0.0);
    }

    fn load_composite(&mut self, doc: &Document, dict: &Dictionary) -> Result<(), String> {
        self.kind = FontKind::Composite;
        match get(doc, dict, b"Encoding") {
            Some(Object::Name(n)) if n == b"Identity-H" || n == b"Identity-V" => {
                self.vertical = n == b"Identity-V";
                self.encoding_label = String::from_utf8_lossy(n).into_owned();
            }
            Some(Object::Name(n)) => {
                return Err(format!(
                "composite font {} uses the predefined CMap {}, which this engine does not carry",
                self.base_name,
                String::from_utf8_lossy(n)
            ))
            }
            Some(Object::Stream(s)) => {
                let bytes = stream_bytes(s).map_err(|e| format!("encoding CMap: {e}"))?;
                let cmap = CMap::parse(&bytes);
                self.vertical = cmap.vertical || cmap.usecmap.as_deref() == Some("Identity-V");
                let identity_base =
                    matches!(cmap.usecmap.as_deref(), Some("Identity-H" | "Identity-V"));
                match cmap.usecmap.as_deref() {
                    Some(other) if !identity_base => {
                        return Err(format!(
                            "composite font {} builds on the predefined CMap {other}, which this engine does not carry",
                            self.base_name
                        ))
                    }
                    _ => {}
                }
                self.encoding_label = "embedded CMap".into();
                self.encoding_cmap = Some(cmap);
            }
            _ => {
                return Err(format!(
                    "composite font {} has no usable /Encoding",
                    self.base_name
                ))
            }
        }
        let descendant = get_array(doc, dict, b"DescendantFonts")
            .and_then(|a| a.first())
            .map(|o| resolve(doc, o))
            .and_then(|o| o.as_dict().ok())
            .ok_or_else(|| format!("composite font {} has no descendant font", self.base_name))?;
        self.default_width = get_f64(doc, descendant, b"DW").unwrap_or(1000.0) / 1000.0;
        if let Some(w) = get_array(doc, descendant, b"W") {
            parse_cid_widths(doc, w, 1, &mut |cid, v| {
                self.cid_widths.insert(cid, v[0] / 1000.0);
            });
        }
        if let Some(dw2) = get_array(doc, descendant, b"DW2").and_then(|a| numbers(doc, a)) {
            if let Some(w1y) = dw2.get(1) {
                self.default_vertical = w1y / 1000.0;
            }
        }
        if let Some(w2) = get_array(doc, descendant, b"W2") {
            parse_cid_widths(doc, w2, 3, &mut |cid, v| {
                self.cid_vertical.insert(cid, v[0] / 1000.0);
            });
        }
        let descriptor = get_dict(doc, descendant, b"FontDescriptor");
        self.set_vertical_metrics(doc, descriptor, None);
        Ok(())
    }

    /// Cuts a shown string into character codes.
    pub fn split_codes(&self, bytes: &[u8]) -> Vec<GlyphCode> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let (code, len) = match self.kind {
                FontKind::Composite => match &self.encoding_cmap {
                    Some(cm) if !cm.codespace.is_empty() => cm.next_code(&bytes[i..], 2),
                    _ => {
                        let n = 2.min(bytes.len() - i);
                        let code = bytes[i..i + n]
                            .iter()
                            .fold(0u32, |a, &b| (a << 8) | b as u32);
                        (code, n)
                    }
                },
                _ => (bytes[i] as u32, 1),
            };
            out.push(GlyphCode {
                code,
                len,
                start: i,
            });
            i += len;
        }
        out
    }

    fn cid(&self, code: u32, len: usize) -> u32 {
        match &self.encoding_cmap {
            Some(cm) => cm.cid(code, len).unwrap_or(code),
            None => code,
        }
    }

    /// The Unicode text of a code and where it came from.
    pub fn unicode(&self, g: &GlyphCode) -> (Option<Cow<'_, str>>, UnicodeSource) {
        match self.kind {
            FontKind::Composite => match self
                .to_unicode
                .as_ref()
                .and_then(|m| m.unicode(g.code, g.len))
            {
                Some(u) => (Some(Cow::Borrowed(u)), UnicodeSource::ToUnicode),
                None => (None, UnicodeSource::Unmapped),
            },
            _ => {
                let (u, src) = &self.simple_unicode[(g.code & 0xFF) as usize];
                (u.as_deref().map(Cow::Borrowed), *src)
            }
        }
    }

    /// Horizontal advance in em (the glyph's width).
    pub fn width(&self, g: &GlyphCode) -> f64 {
        match self.kind {
            FontKind::Composite => {
                let cid = self.cid(g.code, g.len);
                self.cid_widths
                    .get(&cid)
                    .copied()
                    .unwrap_or(self.default_width)
            }
            _ => self.simple_widths[(g.code & 0xFF) as usize],
        }
    }

    /// Vertical advance in em for vertical writing (negative: downwards).
    pub fn vertical_advance(&self, g: &GlyphCode) -> f64 {
        let cid = self.cid(g.code, g.len);
        self.cid_vertical
            .get(&cid)
            .copied()
            .unwrap_or(self.default_vertical)
    }
}

/// Unicode for a glyph name. A descriptive name outside the Adobe Glyph List (TeX's
/// `uniondisplay`, `parenleftbig`) is a symbol, not a letter: it becomes U+FFFD, which
/// separates words but spells none. Opaque names (`g12`, `cid0042`) stay unmapped, because
/// they could stand for anything.
fn glyph_unicode(name: &str) -> Option<String> {
    if let Some(u) = unicode_for_glyph_name(name) {
        return Some(u);
    }
    let base = name.split('.').next().unwrap_or(name);
    (base.len() >= 4 && base.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| "\u{FFFD}".to_string())
}

/// Reads a `/W` or `/W2` array: `c [v...]` runs and `c1 c2 v...` ranges, `per` numbers a CID.
fn parse_cid_widths(doc: &Document, arr: &[Object], per: usize, put: &mut impl FnMut(u32, &[f64])) {
    const MAX_CIDS: u32 = 0x1_0000;
    let mut i = 0;
    while i < arr.len() {
        let first = crate::pdf::objects::number(resolve(doc, &arr[i]));
        match (first, arr.get(i + 1).map(|o| resolve(doc, o))) {
            (Some(c), Some(Object::Array(vals))) => {
                let vals = numbers(doc, vals).unwrap_or_default();
                for (k, chunk) in vals.chunks(per).enumerate() {
                    if chunk.len() == per {
                        put(c as u32 + k as u32, chunk);
                    }
                }
                i += 2;
            }
            (Some(c1), Some(o)) => {
                let c2 = crate::pdf::objects::number(o);
                let vals: Option<Vec<f64>> = (0..per)
                    .map(|k| {
                        arr.get(i + 2 + k)
                            .and_then(|v| crate::pdf::objects::number(resolve(doc, v)))
                    })
                    .collect();
                match (c2, vals) {
                    (Some(c2), Some(vals)) => {
                        let (lo, hi) = (
                            c1 as u32,
                            (c2 as u32).min((c1 as u32).saturating_add(MAX_CIDS)),
                        );
                        for cid in lo..=hi {
                            put(cid, &vals);
                        }
                        i += 2 + per;
                    }
                    _ => return,
                }
            }
            _ => return,
        }
    }
}

/// The encoding built into an embedded Type 1 font program: `dup 65 /A put` lines of a
/// FontFile, or the encoding and charset of a bare CFF (FontFile3 /Type1C).
fn type1_builtin_encoding(doc: &Document, descriptor: &Dictionary) -> Option<Vec<Option<String>>> {
    if let Some(Object::Stream(s)) = get(doc, descriptor, b"FontFile3") {
        if get_name(doc, &s.dict, b"Subtype") == Some(b"Type1C") {
            return super::cff_encoding::cff_builtin_encoding(&stream_bytes(s).ok()?);
        }
        return None;
    }
    let Some(Object::Stream(s)) = get(doc, descriptor, b"FontFile") else {
        return None;
    };
    let bytes = stream_bytes(s).ok()?;
    let clear_len = get_f64(doc, &s.dict, b"Length1")
        .map(|l| l as usize)
        .unwrap_or(bytes.len());
    let clear = &bytes[..clear_len.min(bytes.len())];
    let pos = clear.windows(9).position(|w| w == b"/Encoding")?;
    let rest = &clear[pos + 9..];
    let text = String::from_utf8_lossy(&rest[..rest.len().min(64 * 1024)]);
    let mut tokens = text.split_whitespace();
    if text.trim_start().starts_with("StandardEncoding") {
        return None;
    }
    let mut enc = vec![None; 256];
    let mut any = false;
    while let Some(t) = tokens.next() {
        match t {
            "dup" => {
                let code = tokens.next().and_then(|c| c.parse::<usize>().ok());
                let name = tokens.next().and_then(|n| n.strip_prefix('/'));
                if let (Some(code), Some(name)) = (code, name) {
                    if code < 256 {
                        enc[code] = Some(name.to_string());
                        any = true;
                    }
                }
            }
            "readonly" | "def" if any => break,
            "eexec" | "currentfile" => break,
            _ => {}
        }
    }
    any.then_some(enc)
}
