//! Inline layout: spans to shaped pieces, and greedy line breaking.
//!
//! Everything here works in points for one font size. A redaction is an unbreakable piece of a
//! fixed width chosen by the caller, so the wrapped result depends only on the code, never on
//! the hidden text (which is not even available here).

use std::rc::Rc;

use super::fonts::{Shaped, Shaper, Weight};
use super::spans::{clean_text, normalise_newlines};
use super::Span;

/// One unit of inline content before line breaking.
#[derive(Clone, Debug)]
pub(crate) enum Piece {
    /// A word, or a chunk of a very long one; `glued` means it continues the previous piece
    /// with no break opportunity (no space) in between.
    Word {
        shaped: Rc<Shaped>,
        glued: bool,
    },
    Space,
    Redaction(String),
    Newline,
}

/// A positioned item of a finished line; `x` is relative to the line's left edge.
#[derive(Clone, Debug)]
pub(crate) enum LineItem {
    /// Consecutive words and spaces, drawn as one text run so extraction sees real spaces.
    Run {
        x: f32,
        text: String,
        glyphs: Vec<super::fonts::ShapedGlyph>,
    },
    Redaction {
        x: f32,
        width: f32,
        code: String,
    },
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Line {
    pub items: Vec<LineItem>,
    pub width: f32,
}

/// How whitespace in the source is treated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Whitespace {
    /// Runs of whitespace (including newlines) become one space: paragraphs, cells.
    Collapse,
    /// Newlines break lines and every space is kept: mail bodies.
    Preserve,
}

/// Splits spans into pieces, shaping words with `weight`. Returns the pieces and how many
/// characters were replaced because the font lacks them.
pub(crate) fn pieces(
    spans: &[Span],
    weight: Weight,
    whitespace: Whitespace,
    shaper: &mut Shaper,
) -> (Vec<Piece>, usize) {
    let mut out = Vec::new();
    let mut replaced = 0;
    for span in spans {
        match span {
            Span::Redacted { code } => {
                out.push(Piece::Redaction(clean_text(code).replace('\n', " ")))
            }
            Span::Text(text) => {
                let text = clean_text(&normalise_newlines(text));
                let mut word_start: Option<usize> = None;
                let mut flush = |end: usize, start: &mut Option<usize>, out: &mut Vec<Piece>| {
                    if let Some(s) = start.take() {
                        for (n, chunk) in chunks(&text[s..end]).enumerate() {
                            let shaped = shaper.shape(chunk, weight);
                            replaced += shaped.replaced;
                            out.push(Piece::Word {
                                shaped,
                                glued: n > 0,
                            });
                        }
                    }
                };
                for (i, c) in text.char_indices() {
                    if c.is_whitespace() {
                        flush(i, &mut word_start, &mut out);
                        match (whitespace, c) {
                            (Whitespace::Preserve, '\n') => out.push(Piece::Newline),
                            (Whitespace::Preserve, _) => out.push(Piece::Space),
                            (Whitespace::Collapse, _) => {
                                if !matches!(out.last(), None | Some(Piece::Space)) {
                                    out.push(Piece::Space)
                                }
                            }
                        }
                    } else if word_start.is_none() {
                        word_start = Some(i);
                    }
                }
                flush(text.len(), &mut word_start, &mut out);
            }
        }
    }
    (out, replaced)
}

/// Longest run shaped as one piece. Longer "words" (base64, URLs, runs of dashes) are shaped
/// in pieces that sit side by side with no space: the look is the same, and breaking one across
/// many lines stays linear instead of re-shaping the remainder once per line.
const MAX_WORD_CHARS: usize = 64;

fn chunks(word: &str) -> impl Iterator<Item = &str> {
    let mut rest = word;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut cut = rest.len();
        for (count, (i, c)) in rest.char_indices().enumerate() {
            // Never split a base character from the marks that follow it.
            if count >= MAX_WORD_CHARS && !unicode_normalization::char::is_combining_mark(c) {
                cut = i;
                break;
            }
        }
        let (head, tail) = rest.split_at(cut);
        rest = tail;
        Some(head)
    })
}

/// Measures in em: (longest unbreakable piece, whole content on one line). Used to size
/// table columns before the font size is known.
pub(crate) fn measure_em(pieces: &[Piece], space_em: f32, box_em: f32) -> (f32, f32) {
    let mut longest: f32 = 0.0;
    let mut word: f32 = 0.0;
    let mut line: f32 = 0.0;
    let mut widest: f32 = 0.0;
    for piece in pieces {
        match piece {
            Piece::Word { shaped, glued } => {
                word = if *glued {
                    word + shaped.width
                } else {
                    shaped.width
                };
                longest = longest.max(word);
                line += shaped.width;
            }
            Piece::Space => line += space_em,
            Piece::Redaction(_) => {
                longest = longest.max(box_em);
                line += box_em;
            }
            Piece::Newline => {
                widest = widest.max(line);
                line = 0.0;
            }
        }
    }
    (longest, widest.max(line))
}

/// Greedy line breaking at font `size` into lines no wider than `width` points. Words wider
/// than a line are broken at character clusters (preferring URL separators). Redaction boxes
/// are `box_width` wide, or the full line if the line is narrower.
pub(crate) fn wrap(
    pieces: &[Piece],
    weight: Weight,
    size: f32,
    width: f32,
    box_width: f32,
    shaper: &mut Shaper,
) -> Vec<Line> {
    let space = shaper.shape(" ", weight);
    let mut builder = LineBuilder {
        lines: Vec::new(),
        current: Vec::new(),
        x: 0.0,
        size,
        space,
        wrapped_start: false,
    };
    let width = width.max(size);
    let box_width = box_width.min(width);
    for piece in pieces {
        match piece {
            Piece::Newline => builder.finish_line(false),
            Piece::Space => {
                // A space at the start of a wrapped line is dropped; in preserved text the
                // start of a source line keeps its indentation (x is 0 only after a newline).
                if !builder.current.is_empty() || !builder.wrapped_start {
                    builder.push(Pending::Space);
                }
            }
            Piece::Redaction(code) => {
                if builder.content_width() > 0.0 && builder.x + box_width > width {
                    builder.finish_line(true);
                }
                builder.push(Pending::Redaction(code.clone(), box_width));
            }
            Piece::Word { shaped, glued } => {
                let mut shaped = shaped.clone();
                loop {
                    let w = shaped.width * size;
                    if builder.x + w <= width {
                        builder.push(Pending::Word(shaped));
                        break;
                    }
                    let remaining = width - builder.x;
                    if (w > width || *glued) && remaining >= 4.0 * size {
                        // Too long for any line, or the rest of a word already begun on
                        // this line: fill what is left of it.
                    } else if builder.content_width() > 0.0 {
                        builder.finish_line(true);
                        continue;
                    }
                    let room = (width - builder.x) / size;
                    let at = shaped.break_before(room);
                    if at >= shaped.text.len() {
                        builder.push(Pending::Word(shaped));
                        break;
                    }
                    let head = shaper.shape(&shaped.text[..at], weight);
                    let tail = shaper.shape(&shaped.text[at..], weight);
                    builder.push(Pending::Word(head));
                    builder.finish_line(true);
                    shaped = tail;
                }
            }
        }
    }
    if !builder.current.is_empty() || builder.lines.is_empty() {
        builder.finish_line(false);
    }
    builder.lines
}

enum Pending {
    Word(Rc<Shaped>),
    Space,
    Redaction(String, f32),
}

struct LineBuilder {
    lines: Vec<Line>,
    current: Vec<Pending>,
    x: f32,
    size: f32,
    space: Rc<Shaped>,
    /// The current line began because the previous one was full (not at a source newline), so
    /// leading spaces are not indentation the writer meant and are dropped.
    wrapped_start: bool,
}

impl LineBuilder {
    fn content_width(&self) -> f32 {
        let trailing: f32 = self
            .current
            .iter()
            .rev()
            .take_while(|p| matches!(p, Pending::Space))
            .count() as f32
            * self.space.width
            * self.size;
        self.x - trailing
    }

    fn push(&mut self, pending: Pending) {
        self.x += match &pending {
            Pending::Word(s) => s.width * self.size,
            Pending::Space => self.space.width * self.size,
            Pending::Redaction(_, w) => *w,
        };
        self.current.push(pending);
    }

    fn finish_line(&mut self, wrapped: bool) {
        self.wrapped_start = wrapped;
        while matches!(self.current.last(), Some(Pending::Space)) {
            self.current.pop();
        }
        let mut line = Line::default();
        let mut x = 0.0;
        let mut run: Option<(f32, String, Vec<super::fonts::ShapedGlyph>)> = None;
        for pending in self.current.drain(..) {
            let shaped = match &pending {
                Pending::Word(s) => Some(s.clone()),
                Pending::Space => Some(self.space.clone()),
                Pending::Redaction(..) => None,
            };
            match (shaped, pending) {
                (Some(s), _) => {
                    let (_, text, glyphs) =
                        run.get_or_insert_with(|| (x, String::new(), Vec::new()));
                    let base = text.len();
                    text.push_str(&s.text);
                    glyphs.extend(s.glyphs.iter().map(|g| {
                        let mut g = g.clone();
                        g.cluster = g.cluster.start + base..g.cluster.end + base;
                        g
                    }));
                    x += s.width * self.size;
                }
                (None, Pending::Redaction(code, w)) => {
                    if let Some((rx, text, glyphs)) = run.take() {
                        line.items.push(LineItem::Run {
                            x: rx,
                            text,
                            glyphs,
                        });
                    }
                    line.items.push(LineItem::Redaction { x, width: w, code });
                    x += w;
                }
                (None, _) => {}
            }
        }
        if let Some((rx, text, glyphs)) = run.take() {
            line.items.push(LineItem::Run {
                x: rx,
                text,
                glyphs,
            });
        }
        line.width = x;
        self.lines.push(line);
        self.x = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(line: &Line) -> String {
        line.items
            .iter()
            .map(|i| match i {
                LineItem::Run { text, .. } => text.clone(),
                LineItem::Redaction { code, .. } => format!("[{code}]"),
            })
            .collect::<Vec<_>>()
            .join("|")
    }

    #[test]
    fn wraps_within_width_and_keeps_redaction_boxes_whole() {
        let mut shaper = Shaper::new().unwrap();
        let spans = vec![
            Span::Text("Jordan was seen near ".into()),
            Span::Redacted {
                code: "THIRD-PARTY".into(),
            },
            Span::Text(" by the gate at breaktime, according to several staff members.".into()),
        ];
        let (p, replaced) = pieces(&spans, Weight::Regular, Whitespace::Collapse, &mut shaper);
        assert_eq!(replaced, 0);
        let lines = wrap(&p, Weight::Regular, 10.0, 150.0, 70.0, &mut shaper);
        assert!(lines.len() >= 3, "{lines:?}");
        for line in &lines {
            assert!(line.width <= 150.0 + 0.01, "{} wide", line.width);
            assert!(!text_of(line).starts_with(' ') && !text_of(line).ends_with(' '));
        }
        let all: Vec<String> = lines.iter().map(text_of).collect();
        assert!(all.iter().any(|l| l.contains("[THIRD-PARTY]")), "{all:?}");
    }

    #[test]
    fn preformatted_keeps_newlines_and_indentation() {
        let mut shaper = Shaper::new().unwrap();
        let spans = vec![Span::Text("Hi,\r\n\r\n  indented\nend".into())];
        let (p, _) = pieces(&spans, Weight::Regular, Whitespace::Preserve, &mut shaper);
        let lines = wrap(&p, Weight::Regular, 10.0, 400.0, 70.0, &mut shaper);
        let all: Vec<String> = lines.iter().map(text_of).collect();
        assert_eq!(all, ["Hi,", "", "  indented", "end"]);
    }

    #[test]
    fn a_long_url_is_broken_across_lines() {
        let mut shaper = Shaper::new().unwrap();
        let url = format!("https://example.org/{}", "segment/".repeat(40));
        let (p, _) = pieces(
            &[Span::Text(url.clone())],
            Weight::Regular,
            Whitespace::Collapse,
            &mut shaper,
        );
        let lines = wrap(&p, Weight::Regular, 10.0, 200.0, 70.0, &mut shaper);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| l.width <= 200.01));
        let joined: String = lines.iter().map(text_of).collect();
        assert_eq!(joined, url);
    }

    #[test]
    fn huge_words_are_shaped_in_chunks_that_rejoin_exactly() {
        let word = format!("{}e\u{0301}{}", "x".repeat(63), "y".repeat(200));
        let parts: Vec<&str> = chunks(&word).collect();
        assert_eq!(parts.concat(), word);
        assert!(parts.len() >= 4);
        assert!(parts[0].ends_with("e\u{0301}"), "mark stays with its base");
        let mut shaper = Shaper::new().unwrap();
        let big = "A".repeat(100_000);
        let (p, _) = pieces(
            &[Span::Text(big.clone())],
            Weight::Regular,
            Whitespace::Collapse,
            &mut shaper,
        );
        let lines = wrap(&p, Weight::Regular, 10.0, 400.0, 70.0, &mut shaper);
        assert!(lines.iter().all(|l| l.width <= 400.01));
        assert_eq!(lines.iter().map(text_of).collect::<String>(), big);
    }

    #[test]
    fn measure_reports_longest_word_and_line() {
        let mut shaper = Shaper::new().unwrap();
        let (p, _) = pieces(
            &[Span::Text("a bb".into())],
            Weight::Regular,
            Whitespace::Collapse,
            &mut shaper,
        );
        let space = shaper.shape(" ", Weight::Regular).width;
        let bb = shaper.shape("bb", Weight::Regular).width;
        let a = shaper.shape("a", Weight::Regular).width;
        let (longest, line) = measure_em(&p, space, 7.0);
        assert!((longest - bb).abs() < 1e-6);
        assert!((line - (a + space + bb)).abs() < 1e-6);
    }
}
