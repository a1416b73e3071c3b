//! A small fold (NFKD, combining marks dropped, lower case) for deciding which names are unique
//! in the school, the way a person reading the roster would. `Ł`/`ł` have no decomposition
//! (they are letters of their own, not accented ones), so they stay.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

pub fn fold(s: &str) -> String {
    s.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == '’' { '\'' } else { c })
        .collect()
}

/// What a keyboard without accents produces: accents dropped, capitals kept, `Ł` kept.
pub fn unaccented(s: &str) -> String {
    s.nfkd().filter(|c| !is_combining_mark(*c)).collect()
}

/// What a WinAnsi-only MIS report prints: Latin-1 letters as they are; anything else without
/// its accent, and `Ł` as `L` (the report's font has no such glyph).
pub fn latin1_only(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let v: Vec<char> = match c {
                'Ł' => vec!['L'],
                'ł' => vec!['l'],
                c if (c as u32) < 0x100 => vec![c],
                c => unaccented(&c.to_string()).chars().collect(),
            };
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_not_letters() {
        assert_eq!(fold("Zoë Nguyễn"), "zoe nguyen");
        assert_eq!(fold("Łukasz"), "łukasz");
        assert_eq!(
            unaccented("Siobhán Ó Súilleabháin"),
            "Siobhan O Suilleabhain"
        );
        assert_eq!(latin1_only("Łukasz Nguyễn Zoë"), "Lukasz Nguyen Zoë");
    }
}
