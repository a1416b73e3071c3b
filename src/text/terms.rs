//! The term matcher: every term in one Aho-Corasick automaton, whole words only.
//!
//! aho-corasick folds ASCII case only and knows nothing of word boundaries, so terms and text
//! are both folded by [`crate::text::normalize`] first and boundaries are checked here. Matches
//! may overlap ("Ava Thompson" and "Thompson"): all of them are reported, because redaction
//! must cover the union.

use aho_corasick::{AhoCorasick, MatchKind};

use super::normalize::normalize;

#[derive(Debug, thiserror::Error)]
pub enum TermError {
    #[error("no terms given: at least one non-empty --term or --terms-file line is needed")]
    Empty,
    #[error("term {0:?} has no letters or digits to match")]
    Blank(String),
    #[error("could not build the term matcher: {0}")]
    Build(String),
}

/// One occurrence of a term in folded text: byte range and which term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermMatch {
    pub term: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone)]
pub struct TermSet {
    originals: Vec<String>,
    folded: Vec<String>,
    automaton: AhoCorasick,
}

impl TermSet {
    pub fn new<I, S>(terms: I) -> Result<Self, TermError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut originals = Vec::new();
        let mut folded = Vec::new();
        for t in terms {
            let t = t.as_ref().trim();
            if t.is_empty() {
                continue;
            }
            let f = normalize(t);
            if !f.chars().any(char::is_alphanumeric) {
                return Err(TermError::Blank(t.to_string()));
            }
            if !folded.contains(&f) {
                originals.push(t.to_string());
                folded.push(f);
            }
        }
        if folded.is_empty() {
            return Err(TermError::Empty);
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&folded)
            .map_err(|e| TermError::Build(e.to_string()))?;
        Ok(Self {
            originals,
            folded,
            automaton,
        })
    }

    /// No terms at all: a document that needs only its hidden channels cleaned (metadata,
    /// annotations, scripts) still goes through the engine.
    pub fn none() -> Self {
        Self {
            originals: Vec::new(),
            folded: Vec::new(),
            automaton: AhoCorasick::new(Vec::<String>::new())
                .expect("an automaton of no patterns always builds"),
        }
    }

    pub fn len(&self) -> usize {
        self.folded.len()
    }

    pub fn is_empty(&self) -> bool {
        self.folded.is_empty()
    }

    /// The term as the user wrote it.
    pub fn original(&self, term: usize) -> &str {
        &self.originals[term]
    }

    /// The term in matching form.
    pub fn folded(&self, term: usize) -> &str {
        &self.folded[term]
    }

    /// Every whole-word occurrence of any term in `folded_text` (already in matching form).
    pub fn find_all(&self, folded_text: &str) -> Vec<TermMatch> {
        let mut out = Vec::new();
        for m in self.automaton.find_overlapping_iter(folded_text) {
            let (start, end) = (m.start(), m.end());
            if is_word_edge(folded_text, start, true) && is_word_edge(folded_text, end, false) {
                out.push(TermMatch {
                    term: m.pattern().as_usize(),
                    start,
                    end,
                });
            }
        }
        out
    }

    /// Folds `text` and reports whether any term occurs in it.
    pub fn occurs_in(&self, text: &str) -> bool {
        !self.find_all(&normalize(text)).is_empty()
    }
}

/// True when the match edge at `pos` does not cut a word: the letters on either side of the
/// edge are not both word characters.
pub(crate) fn is_word_edge(text: &str, pos: usize, is_start: bool) -> bool {
    let before = text[..pos].chars().next_back();
    let after = text[pos..].chars().next();
    let (outside, inside) = if is_start {
        (before, after)
    } else {
        (after, before)
    };
    match (outside, inside) {
        (Some(o), Some(i)) => !(is_word_char(o) && is_word_char(i)),
        _ => true,
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(terms: &[&str], text: &str) -> Vec<String> {
        let set = TermSet::new(terms).unwrap();
        let folded = normalize(text);
        set.find_all(&folded)
            .into_iter()
            .map(|m| folded[m.start..m.end].to_string())
            .collect()
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(
            hits(&["Ava"], "Ava, Avatar, Java, ava's"),
            vec!["ava", "ava"]
        );
        assert_eq!(hits(&["Jack"], "Jack's coat"), vec!["jack"]);
        assert!(hits(&["Jack"], "Jackson").is_empty());
    }

    #[test]
    fn overlapping_terms_are_all_reported() {
        assert_eq!(
            hits(&["Ava Thompson", "Thompson"], "met AVA   Thompson"),
            vec!["ava thompson", "thompson"]
        );
    }

    #[test]
    fn folds_terms_like_text() {
        assert_eq!(
            hits(&["Zoë Brennan‐Whyte"], "zoe brennan-whyte"),
            vec!["zoe brennan-whyte"]
        );
        assert_eq!(
            hits(&["Siobhán O'Neill"], "SIOBHAN O’NEILL"),
            vec!["siobhan o'neill"]
        );
    }

    #[test]
    fn terms_starting_with_punctuation_match_after_letters() {
        assert_eq!(hits(&["+44 7700"], "tel:+44 7700 900"), vec!["+44 7700"]);
    }

    #[test]
    fn rejects_empty_and_blank_terms() {
        assert!(matches!(TermSet::new([" "]), Err(TermError::Empty)));
        assert!(matches!(TermSet::new(["--"]), Err(TermError::Blank(_))));
    }
}
