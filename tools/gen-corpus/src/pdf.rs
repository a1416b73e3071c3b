//! MIS-style PDF reports in three producer styles, written with lopdf:
//!
//! - [`Style::Sims`]: Helvetica, WinAnsiEncoding, one `Tj` per line or table cell (`Tm` placed);
//! - [`Style::Arbor`]: Times-Roman, every line one `TJ` array whose word gaps are positioning
//!   numbers, not space characters, with small kerning adjustments inside words;
//! - [`Style::Cpoms`]: Courier, each line cut into several `Tj` runs at arbitrary points (even
//!   inside a name), each placed on its own with `Tm`.
//!
//! Text is printed in WinAnsi (the standard 14 fonts), so characters outside Latin-1 are
//! written the way such producers write them (see [`crate::fold::latin1_only`]).

use lopdf::{dictionary, Document, Object, Stream};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Sims,
    Arbor,
    Cpoms,
}

impl Style {
    pub fn label(self) -> &'static str {
        match self {
            Style::Sims => "helvetica-tj-per-line",
            Style::Arbor => "times-tj-array-kerned",
            Style::Cpoms => "courier-split-tj",
        }
    }
}

/// A line of a page: plain text, or table cells at x positions.
pub enum Line {
    Text(String),
    Heading(String),
    Cells(Vec<(f32, String)>),
}

/// WinAnsi bytes for text already limited to what the font can show.
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '’' => 0x92,
            '‘' => 0x91,
            '“' => 0x93,
            '”' => 0x94,
            '–' => 0x96,
            '—' => 0x97,
            '€' => 0x80,
            c if (c as u32) < 0x100 => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

fn pdf_string(bytes: &[u8]) -> String {
    let mut o = String::from("(");
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                o.push('\\');
                o.push(char::from(b));
            }
            0x20..=0x7e => o.push(char::from(b)),
            _ => o.push_str(&format!("\\{b:03o}")),
        }
    }
    o.push(')');
    o
}

/// Wraps a paragraph to `width` characters at spaces.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for raw in text.split('\n') {
        let mut line = String::new();
        for w in raw.split(' ') {
            if !line.is_empty() && line.chars().count() + 1 + w.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(w);
        }
        lines.push(line);
    }
    lines
}

const TOP: f32 = 790.0;
const BOTTOM: f32 = 60.0;
const LEFT: f32 = 50.0;

impl Style {
    fn size(self) -> f32 {
        match self {
            Style::Sims => 9.5,
            Style::Arbor => 10.5,
            Style::Cpoms => 8.5,
        }
    }

    fn leading(self) -> f32 {
        self.size() * 1.35
    }

    /// Characters per text line for [`wrap`].
    pub fn width_chars(self) -> usize {
        match self {
            Style::Sims => 100,
            Style::Arbor => 100,
            Style::Cpoms => 100,
        }
    }

    fn run(self, rng: &mut ChaCha8Rng, x: f32, y: f32, text: &str, out: &mut String) {
        let size = self.size();
        match self {
            Style::Sims => {
                out.push_str(&format!(
                    "1 0 0 1 {x:.2} {y:.2} Tm {} Tj\n",
                    pdf_string(&win_ansi(text))
                ));
            }
            Style::Arbor => {
                let mut arr = String::new();
                for (i, word) in text.split(' ').enumerate() {
                    if i > 0 {
                        arr.push_str(&format!(" -{} ", rng.random_range(240..300)));
                    }
                    let chars: Vec<char> = word.chars().collect();
                    if chars.len() > 3 && rng.random_bool(0.3) {
                        let k = rng.random_range(1..chars.len());
                        let (a, b): (String, String) =
                            (chars[..k].iter().collect(), chars[k..].iter().collect());
                        arr.push_str(&format!(
                            "{} {} {}",
                            pdf_string(&win_ansi(&a)),
                            rng.random_range(8..30),
                            pdf_string(&win_ansi(&b))
                        ));
                    } else {
                        arr.push_str(&pdf_string(&win_ansi(word)));
                    }
                }
                out.push_str(&format!("1 0 0 1 {x:.2} {y:.2} Tm [{arr}] TJ\n"));
            }
            Style::Cpoms => {
                let chars: Vec<char> = text.chars().collect();
                let adv = 0.6 * size;
                let mut i = 0;
                while i < chars.len() {
                    let n = rng.random_range(1..9).min(chars.len() - i);
                    let s: String = chars[i..i + n].iter().collect();
                    out.push_str(&format!(
                        "1 0 0 1 {:.2} {y:.2} Tm {} Tj\n",
                        x + adv * i as f32,
                        pdf_string(&win_ansi(&s))
                    ));
                    i += n;
                }
            }
        }
    }
}

/// Lays `lines` out on as many A4 pages as they need and returns the PDF bytes.
pub fn render(
    style: Style,
    rng: &mut ChaCha8Rng,
    title: &str,
    lines: &[Line],
) -> anyhow::Result<Vec<u8>> {
    let mut doc = Document::with_version("1.4");
    let pages_id = doc.new_object_id();
    let (regular, bold) = match style {
        Style::Sims => ("Helvetica", "Helvetica-Bold"),
        Style::Arbor => ("Times-Roman", "Times-Bold"),
        Style::Cpoms => ("Courier", "Courier-Bold"),
    };
    let f1 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => regular, "Encoding" => "WinAnsiEncoding",
    });
    let f2 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => bold, "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => f1, "F2" => f2 },
    });
    let mut pages: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut y = TOP;
    let mut page_no = 1;
    let header = |page_no: usize, style: Style| {
        format!(
            "BT /F2 {:.1} Tf 1 0 0 1 {LEFT} 810 Tm {} Tj ET\n",
            style.size(),
            pdf_string(&win_ansi(&format!("{title} - page {page_no}")))
        )
    };
    cur.push_str(&header(page_no, style));
    for line in lines {
        if y < BOTTOM {
            pages.push(std::mem::take(&mut cur));
            page_no += 1;
            cur.push_str(&header(page_no, style));
            y = TOP;
        }
        match line {
            Line::Heading(t) => {
                cur.push_str(&format!("BT /F2 {:.1} Tf\n", style.size() + 1.5));
                style.run(rng, LEFT, y, t, &mut cur);
                cur.push_str("ET\n");
                y -= style.leading() * 1.4;
            }
            Line::Text(t) => {
                cur.push_str(&format!("BT /F1 {:.1} Tf\n", style.size()));
                style.run(rng, LEFT, y, t, &mut cur);
                cur.push_str("ET\n");
                y -= style.leading();
            }
            Line::Cells(cells) => {
                cur.push_str(&format!("BT /F1 {:.1} Tf\n", style.size()));
                for (x, t) in cells {
                    if !t.is_empty() {
                        style.run(rng, LEFT + x, y, t, &mut cur);
                    }
                }
                cur.push_str("ET\n");
                y -= style.leading();
            }
        }
    }
    pages.push(cur);
    let mut kids = Vec::new();
    for content in pages {
        let stream = Stream::new(dictionary! {}, content.into_bytes());
        let cid = doc.add_object(stream);
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => cid,
            "Resources" => resources,
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let info = doc.add_object(dictionary! {
        "Producer" => Object::string_literal(match style {
            Style::Sims => "SIMS Reporting Engine 7.2",
            Style::Arbor => "Arbor MIS PDF export",
            Style::Cpoms => "CPOMS chronology export",
        }),
        "Title" => Object::string_literal(title),
    });
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.trailer.set("Info", info);
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}
