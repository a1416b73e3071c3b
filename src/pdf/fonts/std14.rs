//! The standard 14 fonts, which PDFs may use without `/Widths`.

use super::std14_metrics::{Std14Metrics, STD14};

/// Metrics for a font name that is, or is a common alias of, one of the standard 14
/// (`Arial,Bold` → Helvetica-Bold, `TimesNewRomanPSMT` → Times-Roman, subset prefixes ignored).
pub fn lookup(base_font: &str) -> Option<&'static Std14Metrics> {
    let name = match base_font.split_once('+') {
        Some((prefix, rest)) if prefix.len() == 6 => rest,
        _ => base_font,
    };
    if let Some(m) = STD14.iter().find(|m| m.name == name) {
        return Some(m);
    }
    let lower = name.to_ascii_lowercase();
    let bold = lower.contains("bold");
    let italic = lower.contains("italic") || lower.contains("oblique");
    let family = if lower.contains("arial") || lower.contains("helvetica") {
        "Helvetica"
    } else if lower.contains("times") {
        "Times"
    } else if lower.contains("courier") {
        "Courier"
    } else if lower.contains("symbol") {
        return STD14.iter().find(|m| m.name == "Symbol");
    } else if lower.contains("dingbat") {
        return STD14.iter().find(|m| m.name == "ZapfDingbats");
    } else {
        return None;
    };
    let full = match (family, bold, italic) {
        ("Times", false, false) => "Times-Roman".to_string(),
        ("Times", true, false) => "Times-Bold".to_string(),
        ("Times", false, true) => "Times-Italic".to_string(),
        ("Times", true, true) => "Times-BoldItalic".to_string(),
        (f, false, false) => f.to_string(),
        (f, true, false) => format!("{f}-Bold"),
        (f, false, true) => format!("{f}-Oblique"),
        (f, true, true) => format!("{f}-BoldOblique"),
    };
    STD14.iter().find(|m| m.name == full)
}

/// Width (1/1000 em) of a named glyph.
pub fn width(m: &Std14Metrics, glyph: &str) -> Option<f64> {
    m.widths
        .binary_search_by(|(n, _)| (*n).cmp(glyph))
        .ok()
        .map(|i| m.widths[i].1 as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fonts_and_aliases() {
        assert_eq!(lookup("Helvetica").map(|m| m.name), Some("Helvetica"));
        assert_eq!(
            lookup("ABCDEF+Arial,BoldItalic").map(|m| m.name),
            Some("Helvetica-BoldOblique")
        );
        assert_eq!(
            lookup("TimesNewRomanPSMT").map(|m| m.name),
            Some("Times-Roman")
        );
        assert!(lookup("DejaVuSans").is_none());
        let h = lookup("Helvetica").unwrap();
        assert_eq!(width(h, "A"), Some(667.0));
        assert_eq!(width(h, "space"), Some(278.0));
    }
}
