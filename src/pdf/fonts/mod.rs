//! Fonts, the hardest part of reading PDF text: which bytes make one glyph, what Unicode it
//! stands for, and how far it moves the pen. Redaction depends on all three being right —
//! a wrong code split or width moves every surviving glyph after a removal, and a wrong
//! Unicode value lets a name slip past the matcher — so every guess is recorded and a glyph
//! with no trustworthy Unicode makes the file fail rather than pass unchecked.

pub mod cff_encoding;
pub mod cmap;
pub mod encoding;
mod font;
mod std14;
#[rustfmt::skip]
mod std14_metrics;

pub use font::{Font, FontKind, GlyphCode, UnicodeSource};
