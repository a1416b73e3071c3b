//! The embedded fonts and the shaper that measures text with them.
//!
//! The fonts are compiled into the binary so a bundle looks the same whatever machine seals it,
//! and so the widths used for line breaking are exactly the widths krilla draws: layout keeps
//! the shaped glyphs and the painter draws those same glyphs, never re-shaping.

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

/// DejaVu Sans: Latin, Latin Extended (Łukasz, Siobhán, ß), Vietnamese (Nguyễn), Greek, Cyrillic.
pub(crate) static REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
pub(crate) static BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Shown in place of a character the font cannot draw, so it is visibly missing, not silently lost.
const PLACEHOLDER: char = '\u{FFFD}';

/// Bounds the shaping cache so one huge spreadsheet of unique values cannot grow it without limit.
const CACHE_LIMIT: usize = 200_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One glyph as shaped, in em units (multiply by the font size for points).
#[derive(Clone, Debug)]
pub(crate) struct ShapedGlyph {
    pub id: u16,
    /// Byte range of the glyph's cluster within [`Shaped::text`].
    pub cluster: Range<usize>,
    pub advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
}

/// A shaped run of text (normally one word).
#[derive(Debug)]
pub(crate) struct Shaped {
    /// The text actually drawn: the input with unsupported characters replaced by U+FFFD.
    pub text: String,
    pub glyphs: Vec<ShapedGlyph>,
    /// Total advance in em units.
    pub width: f32,
    /// How many characters were replaced by the placeholder.
    pub replaced: usize,
}

impl Shaped {
    /// The largest cluster boundary (byte offset into `text`) whose prefix fits in `max_em`,
    /// preferring a boundary just after a URL or path separator; at least one cluster, so
    /// breaking always makes progress.
    pub fn break_before(&self, max_em: f32) -> usize {
        let mut width = 0.0;
        let mut fit = 0;
        let mut soft = 0;
        let mut i = 0;
        while i < self.glyphs.len() {
            let cluster = self.glyphs[i].cluster.clone();
            let mut advance = 0.0;
            while i < self.glyphs.len() && self.glyphs[i].cluster == cluster {
                advance += self.glyphs[i].advance;
                i += 1;
            }
            if fit > 0 && width + advance > max_em {
                break;
            }
            width += advance;
            let end = cluster.end.max(cluster.start);
            fit = fit.max(end);
            if self.text[..fit].ends_with(['/', '-', '.', '?', '&', '=', '_', '@', ',']) {
                soft = fit;
            }
        }
        if fit == 0 {
            fit = self
                .text
                .chars()
                .next()
                .map_or(self.text.len(), char::len_utf8);
        }
        // Break at a separator only when it keeps at least half the line in use.
        if soft > 0 && soft < self.text.len() && soft * 2 >= fit {
            soft
        } else {
            fit
        }
    }
}

/// The two faces plus a cache of shaped words (spreadsheets repeat values a great deal).
pub(crate) struct Shaper {
    regular: rustybuzz::Face<'static>,
    bold: rustybuzz::Face<'static>,
    cache: [HashMap<String, Rc<Shaped>>; 2],
}

impl Shaper {
    pub fn new() -> Result<Self, super::RenderError> {
        let face = |data: &'static [u8], name: &str| {
            rustybuzz::Face::from_slice(data, 0).ok_or_else(|| {
                super::RenderError::Font(format!("embedded font {name} is unreadable"))
            })
        };
        Ok(Self {
            regular: face(REGULAR_TTF, "DejaVuSans")?,
            bold: face(BOLD_TTF, "DejaVuSans-Bold")?,
            cache: [HashMap::new(), HashMap::new()],
        })
    }

    fn face(&self, weight: Weight) -> &rustybuzz::Face<'static> {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// Shapes `text` (one word or a space; no newlines) with the given weight.
    pub fn shape(&mut self, text: &str, weight: Weight) -> Rc<Shaped> {
        let slot = weight as usize;
        if let Some(hit) = self.cache[slot].get(text) {
            return hit.clone();
        }
        let shaped = Rc::new(self.shape_uncached(text, weight));
        if self.cache[slot].len() >= CACHE_LIMIT {
            self.cache[slot].clear();
        }
        self.cache[slot].insert(text.to_string(), shaped.clone());
        shaped
    }

    fn shape_uncached(&self, text: &str, weight: Weight) -> Shaped {
        let face = self.face(weight);
        let mut drawn = String::with_capacity(text.len());
        let mut replaced = 0;
        for c in text.chars() {
            if face.glyph_index(c).is_some() || is_invisible(c) {
                drawn.push(c);
            } else {
                replaced += 1;
                drawn.push(if face.glyph_index(PLACEHOLDER).is_some() {
                    PLACEHOLDER
                } else {
                    '?'
                });
            }
        }

        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(&drawn);
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(face, &[], buffer);
        let upem = face.units_per_em() as f32;
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();

        // Cluster ends: the next different cluster start in logical order.
        let mut starts: Vec<usize> = infos.iter().map(|g| g.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        let end_of = |start: usize| {
            let idx = starts.partition_point(|&s| s <= start);
            starts.get(idx).copied().unwrap_or(drawn.len())
        };

        let mut width = 0.0;
        let glyphs = infos
            .iter()
            .zip(positions)
            .map(|(info, pos)| {
                let start = info.cluster as usize;
                let advance = pos.x_advance as f32 / upem;
                width += advance;
                ShapedGlyph {
                    id: u16::try_from(info.glyph_id).unwrap_or(0),
                    cluster: start..end_of(start),
                    advance,
                    x_offset: pos.x_offset as f32 / upem,
                    y_offset: pos.y_offset as f32 / upem,
                }
            })
            .collect();
        Shaped {
            text: drawn,
            glyphs,
            width,
            replaced,
        }
    }
}

/// Characters the shaper hides by design (joiners, variation selectors): not "missing".
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_the_brief_have_real_glyphs() {
        let mut shaper = Shaper::new().unwrap();
        for name in [
            "Zoë", "Łukasz", "Siobhán", "Nguyễn", "Ó", "ß", "Ðorđe", "Ægir",
        ] {
            let shaped = shaper.shape(name, Weight::Regular);
            assert_eq!(shaped.replaced, 0, "{name}");
            assert!(
                shaped.glyphs.iter().all(|g| g.id != 0),
                "{name} uses .notdef"
            );
            let bold = shaper.shape(name, Weight::Bold);
            assert_eq!(bold.replaced, 0, "{name} bold");
        }
    }

    #[test]
    fn missing_characters_become_a_counted_placeholder() {
        let mut shaper = Shaper::new().unwrap();
        let shaped = shaper.shape("a漢字b", Weight::Regular);
        assert_eq!(shaped.replaced, 2);
        assert_eq!(shaped.text, "a\u{FFFD}\u{FFFD}b");
        assert!(shaped.glyphs.iter().all(|g| g.id != 0));
    }

    #[test]
    fn long_words_break_at_clusters_and_prefer_separators() {
        let mut shaper = Shaper::new().unwrap();
        let url = shaper.shape("https://example.org/some/very/long/path", Weight::Regular);
        let at = url.break_before(url.width / 2.0);
        assert!(at > 0 && at < url.text.len());
        assert!(url.text[..at].ends_with('/'), "{}", &url.text[..at]);
        let word = shaper.shape("Nguyễnnnnnnnnnnnnnn", Weight::Regular);
        let at = word.break_before(0.01);
        assert_eq!(&word.text[..at], "N", "always makes progress");
        let at = word.break_before(3.0);
        assert!(word.text.is_char_boundary(at));
    }
}
