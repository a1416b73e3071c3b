//! Looking for forbidden terms (the text the case redacted) in whatever a PDF holds: extracted
//! text, decoded stream bytes, string objects, names.
//!
//! Matching uses the project's shared fold and word-edge rule ([`crate::text`]), so it is
//! case-, accent- and whitespace-insensitive and whole-word ("Ann" does not fire inside
//! "Annual"). Multi-word terms are also looked for glued together ("AnnSmith"), because an
//! extractor that misjudges a word gap drops the space, and a leak must not hide behind that.

use std::collections::{BTreeSet, HashMap};

use crate::text::{normalize, TermError, TermSet};

/// The compiled forbidden terms. Empty when the caller gave none (then nothing is found).
pub(crate) struct Forbidden {
    spaced: Option<TermSet>,
    /// Multi-word terms with the spaces removed, and the term each came from.
    glued: Option<(TermSet, HashMap<String, String>)>,
}

impl Forbidden {
    /// Compiles `terms`; blank lines are skipped, but a term with no letters or digits is an
    /// error, since it could never be checked.
    pub(crate) fn new(terms: &[String]) -> Result<Self, TermError> {
        let spaced = match TermSet::new(terms) {
            Ok(set) => Some(set),
            Err(TermError::Empty) => None,
            Err(e) => return Err(e),
        };
        let mut map = HashMap::new();
        if let Some(set) = &spaced {
            for i in 0..set.len() {
                let folded = set.folded(i);
                if folded.contains(' ') {
                    map.insert(folded.replace(' ', ""), set.original(i).to_string());
                }
            }
        }
        let glued = if map.is_empty() {
            None
        } else {
            Some((TermSet::new(map.keys())?, map))
        };
        Ok(Self { spaced, glued })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.spaced.is_none()
    }

    /// The terms (as the caller wrote them) that occur in `text`, as it is or with its
    /// letter-spaced runs joined up (see [`join_spaced_letters`]).
    pub(crate) fn hits(&self, text: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if self.is_empty() {
            return out;
        }
        let folded = normalize(text);
        self.hits_in_folded(&folded, &mut out);
        let joined = join_spaced_letters(&folded);
        if joined != folded {
            self.hits_in_folded(&joined, &mut out);
        }
        out
    }

    fn hits_in_folded(&self, folded: &str, out: &mut BTreeSet<String>) {
        if let Some(spaced) = &self.spaced {
            for m in spaced.find_all(folded) {
                out.insert(spaced.original(m.term).to_string());
            }
        }
        if let Some((glued, map)) = &self.glued {
            for m in glued.find_all(folded) {
                if let Some(orig) = map.get(glued.folded(m.term)) {
                    out.insert(orig.clone());
                }
            }
        }
    }

    /// The terms that occur in any plausible reading of opaque bytes (a decoded stream).
    pub(crate) fn hits_in_bytes(&self, bytes: &[u8]) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if self.is_empty() {
            return out;
        }
        for reading in readings(bytes) {
            out.extend(self.hits(&reading));
        }
        out
    }
}

/// Folded text with every space next to a one-character word removed, so letter-spaced
/// text reads as words again: extractors space out the glyphs of tabular and monospaced
/// text (pdf-extract gives a Chromium table's UPN `A123456789012` as `A1 2 3 4 5 6 7 8 9 0 1
/// 2`), and a name drawn letter by letter (`J a y d e n`) is still the name.
pub(crate) fn join_spaced_letters(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len());
    let mut prev_single = false;
    for (i, token) in folded.split(' ').enumerate() {
        let single = token.chars().count() == 1;
        if i > 0 && !(single || prev_single) {
            out.push(' ');
        }
        out.push_str(token);
        prev_single = single;
    }
    out
}

/// Every reading of a byte blob a term could hide in: Latin-1 (which PDFDocEncoding matches
/// on letters), UTF-8 when there are non-ASCII bytes, and UTF-16 in both byte orders at both
/// alignments when there are NUL bytes (as UTF-16 text of Latin letters has).
pub(crate) fn readings(b: &[u8]) -> Vec<String> {
    let mut v = vec![latin1(b)];
    if !b.is_ascii() {
        v.push(String::from_utf8_lossy(b).into_owned());
    }
    if b.contains(&0) {
        v.push(utf16(b, true));
        v.push(utf16(b, false));
        if b.len() > 1 {
            v.push(utf16(&b[1..], true));
            v.push(utf16(&b[1..], false));
        }
    }
    v
}

/// A PDF text string: UTF-16 or UTF-8 with a byte-order mark, else PDFDocEncoding (read as
/// Latin-1); raw readings too, so an odd encoding cannot hide a term.
pub(crate) fn pdf_string_readings(b: &[u8]) -> Vec<String> {
    let mut v = if let Some(rest) = b.strip_prefix(&[0xFE, 0xFF]) {
        vec![utf16(rest, true)]
    } else if let Some(rest) = b.strip_prefix(&[0xFF, 0xFE]) {
        vec![utf16(rest, false)]
    } else if let Some(rest) = b.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        vec![String::from_utf8_lossy(rest).into_owned()]
    } else {
        Vec::new()
    };
    v.extend(readings(b));
    v
}

pub(crate) fn latin1(b: &[u8]) -> String {
    b.iter().map(|&x| char::from(x)).collect()
}

fn utf16(b: &[u8], big_endian: bool) -> String {
    let units = b.chunks_exact(2).map(|c| {
        if big_endian {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    char::decode_utf16(units)
        .map(|r| r.unwrap_or('\u{FFFD}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(terms: &[&str]) -> Forbidden {
        Forbidden::new(&terms.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn whole_words_case_accents_and_spacing() {
        let f = f(&["Ann", "Zoë Brennan"]);
        assert!(f.hits("Annual report, Joanne").is_empty());
        assert_eq!(f.hits("met ANN today"), BTreeSet::from(["Ann".to_string()]));
        assert_eq!(
            f.hits("zoe\n   BRENNAN was there"),
            BTreeSet::from(["Zoë Brennan".to_string()])
        );
        assert_eq!(
            f.hits("by ZoeBrennan."),
            BTreeSet::from(["Zoë Brennan".to_string()])
        );
        assert!(f.hits("Zoebrennanfield").is_empty());
    }

    #[test]
    fn letter_spaced_text_is_joined_up() {
        assert_eq!(
            join_spaced_letters("okafor, jayden a1 2 3 4 5 / \\ 1 0 .0"),
            "okafor, jayden a12345/\\10.0"
        );
        let f = f(&["A123456789012", "Jayden Okafor", "Ann"]);
        assert_eq!(
            f.hits("Okafor, Jayden A1 2 3 4 5 6 7 8 9 0 1 2 / \\ N N"),
            BTreeSet::from(["A123456789012".to_string()])
        );
        assert_eq!(
            f.hits("J a y d e n  O k a f o r"),
            BTreeSet::from(["Jayden Okafor".to_string()])
        );
        assert!(f.hits("I met a nnual A nnex").is_empty());
    }

    #[test]
    fn finds_terms_in_utf16_and_latin1_bytes() {
        let f = f(&["Siobhán"]);
        let utf16be: Vec<u8> = "x Siobhán y"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        assert_eq!(f.hits_in_bytes(&utf16be).len(), 1);
        let mut odd = vec![0x41];
        odd.extend(&utf16be);
        assert_eq!(f.hits_in_bytes(&odd).len(), 1);
        assert_eq!(f.hits_in_bytes(b"(Siobh\xe1n) Tj").len(), 1);
        assert_eq!(f.hits_in_bytes("Siobhán".as_bytes()).len(), 1);
        let bom: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Siobhán".encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        assert!(pdf_string_readings(&bom)
            .iter()
            .any(|r| !f.hits(r).is_empty()));
    }

    #[test]
    fn no_terms_finds_nothing_and_blank_terms_are_refused() {
        let none = f(&[]);
        assert!(none.is_empty());
        assert!(none.hits("anything").is_empty());
        assert!(Forbidden::new(&["--".to_string()]).is_err());
    }
}
