//! Simple-font encodings: base encodings, `/Differences`, and glyph names → Unicode.

use pdf_encoding::Encoding;

/// Base encodings a simple font can name, or have built in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseEncoding {
    Standard,
    WinAnsi,
    MacRoman,
    MacExpert,
    Symbol,
    ZapfDingbats,
}

impl BaseEncoding {
    pub fn from_name(name: &[u8]) -> Option<BaseEncoding> {
        match name {
            b"StandardEncoding" => Some(BaseEncoding::Standard),
            b"WinAnsiEncoding" => Some(BaseEncoding::WinAnsi),
            b"MacRomanEncoding" => Some(BaseEncoding::MacRoman),
            b"MacExpertEncoding" => Some(BaseEncoding::MacExpert),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BaseEncoding::Standard => "StandardEncoding",
            BaseEncoding::WinAnsi => "WinAnsiEncoding",
            BaseEncoding::MacRoman => "MacRomanEncoding",
            BaseEncoding::MacExpert => "MacExpertEncoding",
            BaseEncoding::Symbol => "Symbol built-in",
            BaseEncoding::ZapfDingbats => "ZapfDingbats built-in",
        }
    }

    fn table(self) -> Encoding {
        match self {
            BaseEncoding::Standard => Encoding::AdobeStandard,
            BaseEncoding::WinAnsi => Encoding::WinAnsiEncoding,
            BaseEncoding::MacRoman => Encoding::MacRomanEncoding,
            BaseEncoding::MacExpert => Encoding::AdobeExpert,
            BaseEncoding::Symbol => Encoding::AdobeSymbol,
            BaseEncoding::ZapfDingbats => Encoding::AdobeZdingbat,
        }
    }

    pub fn unicode(self, code: u8) -> Option<char> {
        let c = self.table().forward_map()?.get(code)?;
        // The tables read glyph `space` as U+00A0 (the AGL lists both); code 32 is a space.
        Some(if code == 32 && c == '\u{A0}' { ' ' } else { c })
    }
}

/// Unicode for a glyph name, by the Adobe Glyph List rules: the list itself, `uniXXXX`
/// sequences, `uXXXX[XX]`, and ligature names joined by `_` with suffixes after `.` dropped.
pub fn unicode_for_glyph_name(name: &str) -> Option<String> {
    let base = name.split('.').next().unwrap_or(name);
    if base.is_empty() {
        return None;
    }
    if base.contains('_') {
        let parts: Option<Vec<String>> = base.split('_').map(component_unicode).collect();
        return parts.map(|p| p.concat());
    }
    component_unicode(base)
}

fn component_unicode(name: &str) -> Option<String> {
    if let Some(u) = pdf_encoding::glyphname_to_unicode(name) {
        return Some(u.to_string());
    }
    if let Some(hex) = name.strip_prefix("uni") {
        if hex.len() >= 4 && hex.len() % 4 == 0 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            let units: Option<String> = hex
                .as_bytes()
                .chunks(4)
                .map(|c| {
                    let v = u32::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok()?;
                    char::from_u32(v)
                })
                .collect();
            return units;
        }
    }
    if let Some(hex) = name.strip_prefix('u') {
        if (4..=6).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return u32::from_str_radix(hex, 16)
                .ok()
                .and_then(char::from_u32)
                .map(String::from);
        }
    }
    None
}

/// The glyph name a base encoding gives a code, for metric look-ups in the standard 14 fonts.
pub fn glyph_name_for(base: BaseEncoding, code: u8) -> Option<String> {
    match base.unicode(code)? {
        ' ' | '\u{A0}' => Some("space".to_string()),
        '\u{AD}' => Some("hyphen".to_string()),
        c => glyph_names::glyph_name(c as u32).map(|n| n.into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyph_names_follow_the_agl_rules() {
        assert_eq!(unicode_for_glyph_name("A").as_deref(), Some("A"));
        assert_eq!(unicode_for_glyph_name("ffi").as_deref(), Some("ﬃ"));
        assert_eq!(unicode_for_glyph_name("uni00410042").as_deref(), Some("AB"));
        assert_eq!(unicode_for_glyph_name("u1F600").as_deref(), Some("😀"));
        assert_eq!(unicode_for_glyph_name("f_f_i").as_deref(), Some("ffi"));
        assert_eq!(unicode_for_glyph_name("a.sc").as_deref(), Some("a"));
        assert_eq!(unicode_for_glyph_name("g123"), None);
    }

    #[test]
    fn base_encodings_map_codes() {
        assert_eq!(BaseEncoding::WinAnsi.unicode(0x80), Some('€'));
        assert_eq!(BaseEncoding::MacRoman.unicode(0x8E), Some('é'));
        assert_eq!(BaseEncoding::Standard.unicode(0x27), Some('’'));
        assert_eq!(BaseEncoding::Symbol.unicode(0x61), Some('α'));
        assert_eq!(
            glyph_name_for(BaseEncoding::WinAnsi, b'A').as_deref(),
            Some("A")
        );
    }
}
