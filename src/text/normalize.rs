//! Matching form of text.
//!
//! Names reach us in many spellings of the same letters: ligature glyphs ("ﬃ"), composed or
//! decomposed accents, curly apostrophes, non-breaking spaces, soft hyphens. Redaction must
//! treat them as one, so both the terms and the document text pass through the same
//! character-by-character fold: compatibility decomposition, accents dropped, lower case,
//! punctuation look-alikes unified, invisible characters dropped, whitespace runs collapsed.
//! Folding is per character so every output byte can point back at the glyph it came from.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Origin of bytes that no source unit produced (an inferred word gap or line break).
pub const NO_ORIGIN: u32 = u32::MAX;

/// Folds one source character into `out`.
fn fold_char(c: char, out: &mut impl FnMut(char)) {
    // Most text is ASCII: fold it without the Unicode tables.
    if c.is_ascii() {
        return out(match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            '`' => '\'',
            c if c.is_ascii_whitespace() || c.is_ascii_control() => ' ',
            c => c,
        });
    }
    decompose_compatible(c, |d| {
        for l in d.to_lowercase() {
            if is_combining_mark(l) {
                continue;
            }
            match l {
                // Invisible: soft hyphen, zero-width space/joiners, word joiner, BOM.
                '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
                'ß' => {
                    out('s');
                    out('s');
                }
                // Letters with a stroke or a ligature have no decomposition, but a PDF that can
                // print only Latin-1, or a person typing, writes them plainly: Łukasz, Lukasz.
                'ł' => out('l'),
                'đ' | 'ð' => out('d'),
                'ø' => out('o'),
                'ħ' => out('h'),
                'ı' => out('i'),
                'ŧ' => out('t'),
                'æ' => {
                    out('a');
                    out('e');
                }
                'œ' => {
                    out('o');
                    out('e');
                }
                'þ' => {
                    out('t');
                    out('h');
                }
                '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => {
                    out('-')
                }
                '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => out('\''),
                c if c.is_whitespace() || c.is_control() => out(' '),
                c => out(c),
            }
        }
    });
}

/// Text in matching form plus, for every byte, the index of the source unit (glyph, cell,
/// character) it came from.
#[derive(Debug, Default, Clone)]
pub struct MappedText {
    pub text: String,
    pub origin: Vec<u32>,
}

impl MappedText {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the folded form of `s`, every byte attributed to `origin`.
    pub fn push(&mut self, s: &str, origin: u32) {
        if s.is_ascii() {
            // The common case, folded byte by byte without the Unicode tables; the result is
            // the same as `fold_char`'s (a test below holds the two together).
            self.text.reserve(s.len());
            self.origin.reserve(s.len());
            for &b in s.as_bytes() {
                let f = match b {
                    b'A'..=b'Z' => b + 32,
                    b'`' => b'\'',
                    b if b.is_ascii_whitespace() || b.is_ascii_control() => b' ',
                    b => b,
                };
                if f == b' ' && self.text.as_bytes().last().is_none_or(|&l| l == b' ') {
                    continue;
                }
                self.text.push(f as char);
                self.origin.push(origin);
            }
            return;
        }
        for c in s.chars() {
            fold_char(c, &mut |f| self.push_folded(f, origin));
        }
    }

    /// Appends a word separator that no source unit drew (a gap between glyphs).
    pub fn push_break(&mut self) {
        self.push_folded(' ', NO_ORIGIN);
    }

    fn push_folded(&mut self, c: char, origin: u32) {
        if c == ' ' && (self.text.is_empty() || self.text.ends_with(' ')) {
            return;
        }
        let before = self.text.len();
        self.text.push(c);
        self.origin
            .extend(std::iter::repeat_n(origin, self.text.len() - before));
    }

    /// Source units covered by the byte range `start..end`, as an inclusive range of
    /// origins (the first and last real origin inside it).
    pub fn origin_span(&self, start: usize, end: usize) -> Option<(u32, u32)> {
        let slice = self.origin.get(start..end)?;
        let first = slice.iter().copied().find(|&o| o != NO_ORIGIN)?;
        let last = slice.iter().rev().copied().find(|&o| o != NO_ORIGIN)?;
        Some((first.min(last), first.max(last)))
    }
}

/// The matching form of a whole string (terms, metadata values), trimmed.
pub fn normalize(s: &str) -> String {
    let mut m = MappedText::new();
    m.push(s, 0);
    let t = m.text.trim_end();
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_ligatures_and_spaces() {
        assert_eq!(normalize("Zoë  BRENNAN\u{00A0}Whyte"), "zoe brennan whyte");
        assert_eq!(normalize("Oﬃce"), "office");
        assert_eq!(normalize("O\u{2019}Neill"), "o'neill");
        assert_eq!(normalize("Siobha\u{0301}n"), "siobhan");
        assert_eq!(normalize("Stra\u{00DF}e"), "strasse");
        assert_eq!(normalize("Brennan\u{2010}Whyte"), "brennan-whyte");
        assert_eq!(normalize("Jay\u{00AD}den"), "jayden");
        assert_eq!(normalize("  Ava \n\t Thompson "), "ava thompson");
    }

    #[test]
    fn the_ascii_path_folds_like_the_unicode_path() {
        for b in 0u8..128 {
            let s = format!("a{}b {} ", b as char, b as char);
            let mut fast = MappedText::new();
            fast.push(&s, 7);
            let mut slow = MappedText::new();
            for c in s.chars() {
                fold_char(c, &mut |f| slow.push_folded(f, 7));
            }
            assert_eq!(
                (fast.text, fast.origin),
                (slow.text, slow.origin),
                "byte {b}"
            );
        }
    }

    #[test]
    fn keeps_origins_per_byte() {
        let mut m = MappedText::new();
        m.push("Ł", 0);
        m.push("ﬁ", 1);
        m.push_break();
        m.push(" ", 2); // collapsed into the break
        m.push("x", 3);
        assert_eq!(m.text, "lfi x", "Ł has no decomposition but folds to l");
        assert_eq!(m.origin, vec![0, 1, 1, NO_ORIGIN, 3]);
        assert_eq!(m.origin_span(0, 5), Some((0, 3)));
        assert_eq!(m.origin_span(3, 4), None);
        let mut m = MappedText::new();
        m.push("Ærø Œuvre", 0);
        assert_eq!(m.text, "aero oeuvre");
    }
}
