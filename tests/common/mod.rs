//! Shared helpers for the black-box `disclose redact` tests.
//!
//! * [`PdfBuilder`] and the `fNN_*` functions build one small PDF per leak class with lopdf 0.47,
//!   at test time, into a temp dir (only the encrypted fixtures are committed, under
//!   `fixtures/pdf/leaks/`, because they need qpdf to make).
//! * [`Fixture`] carries the bytes plus everything the independent verifier must know about them:
//!   the terms, the words that must survive, the font codes that spell the name, the exit status
//!   the contract demands.
//! * [`redact`] runs the real binary (`CARGO_BIN_EXE_disclose`) with a time limit.
//! * [`verify`] checks outputs without any code from `src/`.
//!
//! Set `DISCLOSE_TEST_KEEP=1` to keep each test's temp dir (inputs, outputs, logs); its path is
//! printed in every failure message.
#![allow(dead_code)]

pub mod verify;

use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The third party every fixture is about.
pub const NAME: &str = "Jayden Okafor";
pub const DEFAULT_REASON: &str = "THIRD-PARTY";
pub const LOG_HEADER: [&str; 8] = ["document", "page", "text", "reason", "x0", "y0", "x1", "y1"];
/// User password of the committed `encrypted-user-password.pdf`.
pub const USER_PASSWORD: &str = "pupil-secret";
pub const OWNER_PASSWORD: &str = "owner-secret";
/// One run of the binary may take this long before the test gives up on it.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(60);

// ------------------------------------------------------------------------------------------------
// Geometry

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    /// A rectangle from two corners in any order.
    pub fn new(xa: f64, ya: f64, xb: f64, yb: f64) -> Rect {
        Rect {
            x0: xa.min(xb),
            y0: ya.min(yb),
            x1: xa.max(xb),
            y1: ya.max(yb),
        }
    }
    pub fn page() -> Rect {
        Rect::new(0.0, 0.0, 612.0, 792.0)
    }
    pub fn grow(&self, dx: f64, dy: f64) -> Rect {
        Rect {
            x0: self.x0 - dx,
            y0: self.y0 - dy,
            x1: self.x1 + dx,
            y1: self.y1 + dy,
        }
    }
    pub fn intersects(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
    pub fn contains(&self, o: &Rect) -> bool {
        self.x0 <= o.x0 && self.y0 <= o.y0 && self.x1 >= o.x1 && self.y1 >= o.y1
    }
    pub fn union(&self, o: &Rect) -> Rect {
        Rect {
            x0: self.x0.min(o.x0),
            y0: self.y0.min(o.y0),
            x1: self.x1.max(o.x1),
            y1: self.y1.max(o.y1),
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Fixtures

/// One input PDF and what the verifier must know about it.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// File name inside the input dir; also the `document` column of the log.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Passed as `--term`.
    pub terms: Vec<String>,
    /// Words (not terms) that must still be extractable by pdf-extract, as often as in the input.
    pub keep: Vec<String>,
    /// Extra words that occur in the input only inside a term, so must vanish everywhere too.
    pub forbidden_words: Vec<String>,
    /// Byte sequences (in the fixture's own font encoding) that spell the term; none may remain
    /// in the concatenated shown strings (Tj, TJ, ', ") of any content stream.
    pub forbidden_codes: Vec<Vec<u8>>,
    /// Byte sequences that must still be shown by some content stream (survivors pdf-extract
    /// cannot see, e.g. text shown with ' and ").
    pub keep_codes: Vec<Vec<u8>>,
    /// Compare the positions of the `keep` glyphs in input and output (0.01 pt).
    pub check_positions: bool,
    /// The terms are in page content that pdf-extract can see (checked on the input).
    pub terms_in_page_text: bool,
    /// Extra places on pages where a logged box is legitimate (annotation rects, text pdf-extract
    /// cannot see). Boxes elsewhere that miss every term occurrence are reported.
    pub extra_log_areas: Vec<(u32, Rect)>,
    /// Needed to open the INPUT for verification (never passed to disclose).
    pub password: Option<String>,
    /// Exit status `disclose redact` must return for this file alone.
    pub expect_exit: i32,
    /// Pages that need a human (exit 3): each must get a row in exceptions.csv and a stderr line.
    pub review_pages: Vec<u32>,
    /// Deliberately broken (no qpdf/pdf-extract validity checks on it).
    pub broken: bool,
    /// An opaque filled box must be drawn over every occurrence pdf-extract finds on a page.
    pub boxes_required: bool,
}

impl Fixture {
    pub fn new(file_name: &str, bytes: Vec<u8>) -> Fixture {
        Fixture {
            file_name: file_name.to_string(),
            bytes,
            terms: vec![NAME.to_string()],
            keep: vec![],
            forbidden_words: vec![],
            forbidden_codes: vec![],
            keep_codes: vec![],
            check_positions: false,
            terms_in_page_text: false,
            extra_log_areas: vec![],
            password: None,
            expect_exit: 0,
            review_pages: vec![],
            broken: false,
            boxes_required: false,
        }
    }
    pub fn terms(mut self, t: &[&str]) -> Self {
        self.terms = t.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn keep(mut self, k: &[&str]) -> Self {
        self.keep = k.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn forbid_words(mut self, w: &[&str]) -> Self {
        self.forbidden_words = w.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn forbid_codes(mut self, c: Vec<Vec<u8>>) -> Self {
        self.forbidden_codes = c;
        self
    }
    pub fn keep_codes(mut self, c: Vec<Vec<u8>>) -> Self {
        self.keep_codes = c;
        self
    }
    pub fn positions(mut self) -> Self {
        self.check_positions = true;
        self
    }
    /// The terms are drawn as page text pdf-extract can see; boxes are then required over them.
    pub fn page_text(mut self) -> Self {
        self.terms_in_page_text = true;
        self.boxes_required = true;
        self
    }
    /// Hidden text (invisible, white, outside the CropBox): whether a box is drawn is not checked.
    pub fn no_box(mut self) -> Self {
        self.boxes_required = false;
        self
    }
    /// For tests about something else: survivors' presence is still checked, not their positions.
    pub fn without_positions(mut self) -> Self {
        self.check_positions = false;
        self
    }
    pub fn log_area(mut self, page: u32, r: Rect) -> Self {
        self.extra_log_areas.push((page, r));
        self
    }
    pub fn exit(mut self, code: i32) -> Self {
        self.expect_exit = code;
        self
    }
    pub fn review(mut self, pages: &[u32]) -> Self {
        self.review_pages = pages.to_vec();
        self.expect_exit = 3;
        self
    }
    pub fn broken(mut self) -> Self {
        self.broken = true;
        self.expect_exit = 1;
        self
    }
    /// Terms and forbidden words: every string that must be gone from the output.
    pub fn needles(&self) -> Vec<String> {
        let mut v = self.terms.clone();
        v.extend(self.forbidden_words.iter().cloned());
        v
    }
}

// ------------------------------------------------------------------------------------------------
// PDF building

/// Thin layer over a lopdf 0.47 `Document` that keeps a page list and writes a classic
/// single-revision file.
pub struct PdfBuilder {
    pub doc: Document,
    pub pages_id: ObjectId,
    pub pages: Vec<ObjectId>,
    /// Extra catalog entries.
    pub catalog: Dictionary,
    /// Trailer /Info.
    pub info: Option<Dictionary>,
}

/// The ids of a finished file, for fixtures that append to it.
pub struct Built {
    pub bytes: Vec<u8>,
    pub catalog: ObjectId,
    pub info: Option<ObjectId>,
    pub max_id: u32,
}

impl PdfBuilder {
    pub fn new() -> PdfBuilder {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        PdfBuilder {
            doc,
            pages_id,
            pages: vec![],
            catalog: Dictionary::new(),
            info: None,
        }
    }
    pub fn add<T: Into<Object>>(&mut self, o: T) -> ObjectId {
        self.doc.add_object(o)
    }
    pub fn stream(&mut self, dict: Dictionary, content: impl Into<Vec<u8>>) -> ObjectId {
        self.add(Stream::new(dict, content.into()))
    }
    /// A FlateDecode stream (always compressed, unlike lopdf's `compress`).
    pub fn flate_stream(&mut self, mut dict: Dictionary, content: impl Into<Vec<u8>>) -> ObjectId {
        dict.set("Filter", "FlateDecode");
        let data = deflate(&content.into());
        self.add(Stream::new(dict, data))
    }
    /// A standard-14 font with no /Widths, no /Encoding, no descriptor.
    pub fn std_font(&mut self, base: &str) -> ObjectId {
        self.add(dictionary! {"Type" => "Font", "Subtype" => "Type1", "BaseFont" => base})
    }
    pub fn form(
        &mut self,
        bbox: [i64; 4],
        resources: Dictionary,
        content: &str,
        compress: bool,
    ) -> ObjectId {
        let dict = dictionary! {
            "Type" => "XObject", "Subtype" => "Form", "BBox" => ints(&bbox), "Resources" => resources,
        };
        if compress {
            self.flate_stream(dict, content.as_bytes().to_vec())
        } else {
            self.stream(dict, content.as_bytes().to_vec())
        }
    }
    /// An 8-bit DeviceGray image.
    pub fn gray_image(&mut self, w: i64, h: i64, data: Vec<u8>) -> ObjectId {
        assert_eq!(data.len() as i64, w * h);
        self.stream(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
            },
            data,
        )
    }
    /// A US-Letter page whose single content stream is `content`.
    pub fn page(&mut self, content: impl Into<Vec<u8>>, resources: Dictionary) -> ObjectId {
        let c = self.stream(Dictionary::new(), content);
        self.page_with(Object::Reference(c), resources, Dictionary::new())
    }
    pub fn page_with(
        &mut self,
        contents: Object,
        resources: Dictionary,
        extra: Dictionary,
    ) -> ObjectId {
        let mut d = dictionary! {
            "Type" => "Page", "Parent" => self.pages_id, "MediaBox" => ints(&[0, 0, 612, 792]),
            "Resources" => resources, "Contents" => contents,
        };
        for (k, v) in extra.iter() {
            d.set(k.clone(), v.clone());
        }
        let id = self.add(d);
        self.pages.push(id);
        id
    }
    pub fn dict_mut(&mut self, id: ObjectId) -> &mut Dictionary {
        self.doc.get_dictionary_mut(id).expect("dictionary object")
    }
    pub fn finish(self) -> Vec<u8> {
        self.finish_built().bytes
    }
    pub fn finish_built(mut self) -> Built {
        let kids: Vec<Object> = self.pages.iter().map(|&id| Object::Reference(id)).collect();
        let n = kids.len() as i64;
        self.doc.objects.insert(
            self.pages_id,
            Object::Dictionary(dictionary! {"Type" => "Pages", "Kids" => kids, "Count" => n}),
        );
        let mut cat = dictionary! {"Type" => "Catalog", "Pages" => self.pages_id};
        for (k, v) in self.catalog.iter() {
            cat.set(k.clone(), v.clone());
        }
        let cat_id = self.add(cat);
        self.doc.trailer.set("Root", cat_id);
        let info = self.info.take().map(|d| {
            let id = self.add(d);
            self.doc.trailer.set("Info", id);
            id
        });
        let max_id = self.doc.max_id;
        let mut bytes = Vec::new();
        self.doc.save_to(&mut bytes).expect("lopdf save");
        Built {
            bytes,
            catalog: cat_id,
            info,
            max_id,
        }
    }
}

pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn ints(v: &[i64]) -> Object {
    Object::Array(v.iter().map(|&i| Object::Integer(i)).collect())
}
pub fn reals(v: &[f64]) -> Object {
    Object::Array(v.iter().map(|&f| Object::Real(f as f32)).collect())
}
pub fn refs(v: &[ObjectId]) -> Object {
    Object::Array(v.iter().map(|&i| Object::Reference(i)).collect())
}
/// A literal PDF string (ASCII / PDFDocEncoding).
pub fn text(s: &str) -> Object {
    Object::string_literal(s.as_bytes().to_vec())
}
/// A UTF-16BE text string with BOM, written in hex.
pub fn utf16(s: &str) -> Object {
    Object::String(utf16_bytes(s), StringFormat::Hexadecimal)
}
pub fn utf16_bytes(s: &str) -> Vec<u8> {
    let mut v = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        v.extend(u.to_be_bytes());
    }
    v
}
/// `<< /Font << /F1 1 0 R ... >> >>`
pub fn font_resources(pairs: &[(&str, ObjectId)]) -> Dictionary {
    let mut f = Dictionary::new();
    for (n, id) in pairs {
        f.set(n.as_bytes().to_vec(), *id);
    }
    dictionary! {"Font" => f}
}
/// A literal string token for a content stream, escaping ( ) and \.
pub fn lit(s: &str) -> String {
    let mut o = String::from("(");
    for c in s.chars() {
        assert!(c.is_ascii(), "lit() is for ASCII text only: {s:?}");
        if matches!(c, '(' | ')' | '\\') {
            o.push('\\');
        }
        o.push(c);
    }
    o.push(')');
    o
}
/// A hex string token for a content stream.
pub fn hexs(b: &[u8]) -> String {
    let mut o = String::from("<");
    for x in b {
        o.push_str(&format!("{x:02X}"));
    }
    o.push('>');
    o
}

/// Helvetica advance widths (AFM, per 1000 em) for the characters the fixtures use.
pub fn helv_w(c: char) -> f64 {
    helv_w_opt(c).unwrap_or_else(|| panic!("no Helvetica width for {c:?} in the fixture table"))
}
pub fn helv_w_opt(c: char) -> Option<f64> {
    let w = match c {
        ' ' | '!' | ',' | '.' | '/' | ':' | ';' => 278,
        '\'' => 222, // quoteright in StandardEncoding
        '(' | ')' | '-' => 333,
        '%' => 889,
        '@' => 1015,
        '0'..='9' => 556,
        'A' | 'B' | 'E' | 'K' | 'P' | 'S' | 'V' | 'X' | 'Y' => 667,
        'C' | 'D' | 'H' | 'N' | 'R' | 'U' => 722,
        'F' | 'T' | 'Z' => 611,
        'G' | 'O' | 'Q' => 778,
        'I' => 278,
        'J' => 500,
        'L' => 556,
        'M' => 833,
        'W' => 944,
        'a' | 'b' | 'd' | 'e' | 'g' | 'h' | 'n' | 'o' | 'p' | 'q' | 'u' => 556,
        'c' | 'k' | 's' | 'v' | 'x' | 'y' | 'z' => 500,
        'f' | 't' => 278,
        'i' | 'j' | 'l' => 222,
        'm' => 833,
        'r' => 333,
        'w' => 722,
        'é' => 556,
        _ => return None,
    };
    Some(w as f64)
}
/// Width of `s` in Helvetica at `size` pt.
pub fn helv_width(s: &str, size: f64) -> f64 {
    s.chars().map(helv_w).sum::<f64>() * size / 1000.0
}
/// The area a line of Helvetica text covers (baseline at `y`), generously.
pub fn helv_line_area(x: f64, y: f64, s: &str, size: f64) -> Rect {
    Rect::new(x, y - 0.3 * size, x + helv_width(s, size), y + 0.95 * size)
}

/// Codes 1..=n for the distinct characters of some texts, in order of first appearance: the
/// encoding of the simple-font fixtures with /Differences (Type1 and Type3), so the name's bytes
/// are not ASCII.
pub struct SimpleCodes {
    pub chars: Vec<char>,
}

impl SimpleCodes {
    pub fn for_texts(texts: &[&str]) -> SimpleCodes {
        let mut chars = vec![];
        for t in texts {
            for c in t.chars() {
                if !chars.contains(&c) {
                    chars.push(c);
                }
            }
        }
        assert!(chars.len() < 200);
        SimpleCodes { chars }
    }
    pub fn code(&self, c: char) -> u8 {
        (self
            .chars
            .iter()
            .position(|&x| x == c)
            .unwrap_or_else(|| panic!("no code for {c:?}"))
            + 1) as u8
    }
    pub fn encode(&self, s: &str) -> Vec<u8> {
        s.chars().map(|c| self.code(c)).collect()
    }
    pub fn last(&self) -> i64 {
        self.chars.len() as i64
    }
}

/// Standard glyph name of a character (Adobe Glyph List).
pub fn glyph_name(c: char) -> String {
    match c {
        ' ' => "space".into(),
        ',' => "comma".into(),
        '.' => "period".into(),
        ':' => "colon".into(),
        '\'' => "quoteright".into(),
        '-' => "hyphen".into(),
        '(' => "parenleft".into(),
        ')' => "parenright".into(),
        'é' => "eacute".into(),
        '0' => "zero".into(),
        '1' => "one".into(),
        '2' => "two".into(),
        '3' => "three".into(),
        '4' => "four".into(),
        '5' => "five".into(),
        '6' => "six".into(),
        '7' => "seven".into(),
        '8' => "eight".into(),
        '9' => "nine".into(),
        c if c.is_ascii_alphabetic() => c.to_string(),
        _ => panic!("no glyph name for {c:?}"),
    }
}

/// Identity-H codes of the Type0 fixture (a GID-like order, as subsetting tools produce).
pub fn idh_code(c: char) -> u16 {
    match c {
        ' ' => 0x0003,
        ',' => 0x000F,
        '.' => 0x0011,
        ':' => 0x001D,
        '0'..='9' => 0x0013 + (c as u16 - '0' as u16),
        'A'..='Z' => 0x0024 + (c as u16 - 'A' as u16),
        'a'..='z' => 0x0044 + (c as u16 - 'a' as u16),
        '\u{FB03}' => 0x00C0, // ﬃ
        '\u{FB00}' => 0x00C1, // ﬀ
        _ => panic!("no Identity-H code for {c:?}"),
    }
}
pub fn idh(s: &str) -> Vec<u8> {
    s.chars().flat_map(|c| idh_code(c).to_be_bytes()).collect()
}

/// ToUnicode for [`idh_code`]: bfchar, a plain bfrange, a bfrange with an array destination (the
/// capitals) and a bfrange array whose entries are ligatures (one code -> "ffi", one -> "ff").
pub fn idh_tounicode() -> String {
    let caps: Vec<String> = ('A'..='Z').map(|c| format!("<{:04X}>", c as u32)).collect();
    format!(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n\
4 beginbfchar\n<0003> <0020>\n<000F> <002C>\n<0011> <002E>\n<001D> <003A>\nendbfchar\n\
4 beginbfrange\n<0013> <001C> <0030>\n<0024> <003D> [{}]\n<0044> <005D> <0061>\n\
<00C0> <00C1> [<006600660069> <00660066>]\nendbfrange\n\
endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n",
        caps.join(" ")
    )
}

/// A Type0 / Identity-H / CIDFontType2 font without an embedded program.
pub fn identity_h_font(b: &mut PdfBuilder, with_tounicode: bool) -> ObjectId {
    let fd = b.add(dictionary! {
        "Type" => "FontDescriptor", "FontName" => "DejaVuSans", "Flags" => 32,
        "FontBBox" => ints(&[-200, -250, 1100, 950]), "ItalicAngle" => 0, "Ascent" => 900,
        "Descent" => -250, "CapHeight" => 700, "StemV" => 80,
    });
    let cid = b.add(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "DejaVuSans",
        "CIDSystemInfo" => dictionary! {
            "Registry" => text("Adobe"), "Ordering" => text("Identity"), "Supplement" => 0,
        },
        "FontDescriptor" => fd, "DW" => 600,
        "W" => Object::Array(vec![Object::Integer(3), ints(&[280])]),
        "CIDToGIDMap" => "Identity",
    });
    let mut d = dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "DejaVuSans",
        "Encoding" => "Identity-H", "DescendantFonts" => refs(&[cid]),
    };
    if with_tounicode {
        let tu = b.stream(Dictionary::new(), idh_tounicode().into_bytes());
        d.set("ToUnicode", tu);
    }
    b.add(d)
}

fn simple_font_descriptor(b: &mut PdfBuilder, name: &str) -> ObjectId {
    b.add(dictionary! {
        "Type" => "FontDescriptor", "FontName" => name, "Flags" => 32,
        "FontBBox" => ints(&[-170, -225, 1100, 930]), "ItalicAngle" => 0, "Ascent" => 900,
        "Descent" => -225, "CapHeight" => 718, "StemV" => 88,
    })
}

fn one_line(font: &str, size: f64, x: f64, y: f64, shown: &str) -> String {
    format!("BT /{font} {size} Tf {x} {y} Td {shown} Tj ET\n")
}

// ---- 1. plain Tj, standard 14 ------------------------------------------------------------------

pub fn f01_helvetica_tj() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    let content = one_line(
        "F1",
        12.0,
        72.0,
        720.0,
        &lit("Pupil: Jayden Okafor, Year 9"),
    ) + &one_line("F1", 12.0, 72.0, 700.0, &lit("Form group: 9B"));
    b.page(content, font_resources(&[("F1", f1)]));
    Fixture::new("01-helvetica-tj.pdf", b.finish())
        .keep(&["Pupil", "Year", "Form", "group"])
        .forbid_words(&["Jayden", "Okafor"])
        .forbid_codes(vec![b"Jayden".to_vec(), b"Okafor".to_vec()])
        .positions()
        .page_text()
}

/// 1b. The ' and " operators (pdf-extract does not see these; the shown-code scan does).
pub fn f01b_quote_operators() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    let content = format!(
        "BT /F1 12 Tf 14 TL 72 720 Td {} Tj {} ' 1 0.5 {} \" ET\n",
        lit("Register"),
        lit("Form tutor: Jayden Okafor"),
        lit("Year 9 lead: Jayden Okafor")
    );
    b.page(content, font_resources(&[("F1", f1)]));
    Fixture::new("01b-quote-operators.pdf", b.finish())
        .keep(&["Register"])
        .forbid_words(&["Jayden", "Okafor"])
        .forbid_codes(vec![b"Jayden".to_vec(), b"Okafor".to_vec()])
        .keep_codes(vec![
            b"Register".to_vec(),
            b"Form tutor".to_vec(),
            b"Year 9 lead".to_vec(),
        ])
        .positions()
        .log_area(
            1,
            Rect::new(
                60.0,
                686.0,
                72.0 + helv_width("Year 9 lead: Jayden Okafor", 12.0) + 40.0,
                716.0,
            ),
        )
}

// ---- 2. TJ kerning, font change, Td / Tm on one line ----------------------------------------------

pub fn f02_tj_kerning_font_change() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    let f2 = b.std_font("Helvetica-Bold");
    let x_okafor = 72.0 + helv_width("Contact Jayden", 12.0) + 3.0;
    let content = format!(
        "BT /F1 12 Tf 72 720 Td [(Pupil: ) (Jay) -20 (den) -250 (Oka) 15 (for) (, Year 9)] TJ ET\n\
BT /F1 12 Tf 72 700 Td (Tutor note: Jayden ) Tj /F2 12 Tf (Okafor) Tj /F1 12 Tf ( attended) Tj ET\n\
BT /F1 12 Tf 72 680 Td (Jayden) Tj 42 0 Td (Okafor) Tj 39 0 Td (present) Tj ET\n\
BT /F1 12 Tf 1 0 0 1 72 660 Tm (Contact Jayden) Tj 1 0 0 1 {x_okafor:.3} 660 Tm (Okafor today) Tj ET\n"
    );
    b.page(content, font_resources(&[("F1", f1), ("F2", f2)]));
    Fixture::new("02-tj-kerning-font-change.pdf", b.finish())
        .keep(&[
            "Pupil", "Year", "Tutor", "note", "attended", "present", "Contact", "today",
        ])
        .forbid_words(&["Jayden", "Okafor"])
        .forbid_codes(vec![b"Jayden".to_vec(), b"Okafor".to_vec()])
        .positions()
        .page_text()
}

// ---- 3. Form XObjects: nested two deep, and one shared by two pages ------------------------------

pub fn f03_form_xobjects() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    let fx2 = b.form(
        [0, 0, 612, 792],
        font_resources(&[("F1", f1)]),
        &one_line(
            "F1",
            12.0,
            72.0,
            680.0,
            &lit("Nested: Jayden Okafor, Year 9"),
        ),
        true,
    );
    let mut res1 = font_resources(&[("F1", f1)]);
    res1.set("XObject", dictionary! {"Fx2" => fx2});
    let fx1 = b.form(
        [0, 0, 612, 792],
        res1,
        &(one_line("F1", 12.0, 72.0, 700.0, &lit("Outer form text")) + "/Fx2 Do\n"),
        false,
    );
    let shared = b.form(
        [0, 0, 612, 792],
        font_resources(&[("F1", f1)]),
        &one_line(
            "F1",
            10.0,
            72.0,
            100.0,
            &lit("Footer: Jayden Okafor, Head of Year"),
        ),
        true,
    );
    let mut r = font_resources(&[("F1", f1)]);
    r.set("XObject", dictionary! {"Fx1" => fx1, "Shared" => shared});
    b.page(
        one_line("F1", 12.0, 72.0, 740.0, &lit("Page one heading")) + "/Fx1 Do\n/Shared Do\n",
        r.clone(),
    );
    b.page(
        one_line("F1", 12.0, 72.0, 740.0, &lit("Page two heading")) + "/Shared Do\n",
        r,
    );
    Fixture::new("03-form-xobjects.pdf", b.finish())
        .keep(&["Page", "heading", "Outer", "Nested", "Footer", "Head"])
        .forbid_words(&["Jayden", "Okafor"])
        .forbid_codes(vec![b"Jayden".to_vec(), b"Okafor".to_vec()])
        .positions()
        .page_text()
}

// ---- 4. Type0 / Identity-H with ToUnicode bfrange arrays and ligatures ---------------------------

pub fn f04_type0_identity_h() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = identity_h_font(&mut b, true);
    let content = format!(
        "BT /F1 12 Tf 72 720 Td [{} -20 {}] TJ ET\nBT /F1 12 Tf 72 700 Td {} Tj ET\n",
        hexs(&idh("Pupil: Jay")),
        hexs(&idh("den Okafor, Year 9")),
        hexs(&idh("Parent: Rosa Ma\u{FB03}oli, O\u{FB03}ce"))
    );
    b.page(content, font_resources(&[("F1", f1)]));
    Fixture::new("04-type0-identity-h.pdf", b.finish())
        .terms(&[NAME, "Rosa Maffioli"])
        .keep(&["Pupil", "Year", "Parent", "Office"])
        .forbid_words(&["Jayden", "Okafor", "Maffioli"])
        .forbid_codes(vec![
            idh("Jayden"),
            idh("Okafor"),
            idh("Rosa"),
            idh("Ma\u{FB03}oli"),
        ])
        .keep_codes(vec![idh("O\u{FB03}ce"), idh("Parent")])
        .positions()
        .page_text()
}

// ---- 5. Simple fonts: Type1 + /Differences + /Widths, TrueType + MacRomanEncoding ----------------

pub const F05_LINE1: &str = "Pupil: Jayden Okafor, Year 9";
pub const F05_LINE2: &str = "Sibling: Chloé Dubois, Year 7";

pub fn f05_codes() -> SimpleCodes {
    SimpleCodes::for_texts(&[F05_LINE1])
}

pub fn macroman(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            'é' => 0x8E,
            c if c.is_ascii() => c as u8,
            _ => panic!("no MacRoman byte for {c:?} in the fixture table"),
        })
        .collect()
}

pub fn f05_simple_fonts() -> Fixture {
    let mut b = PdfBuilder::new();
    let codes = f05_codes();
    let mut diff = vec![Object::Integer(1)];
    diff.extend(
        codes
            .chars
            .iter()
            .map(|&c| Object::Name(glyph_name(c).into_bytes())),
    );
    let widths: Vec<Object> = codes
        .chars
        .iter()
        .map(|&c| Object::Integer(helv_w(c) as i64))
        .collect();
    let fd1 = simple_font_descriptor(&mut b, "CustomSans-Regular");
    let t1 = b.add(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "CustomSans-Regular",
        "FirstChar" => 1, "LastChar" => codes.last(), "Widths" => widths,
        "Encoding" => dictionary! {"Type" => "Encoding", "Differences" => diff},
        "FontDescriptor" => fd1,
    });
    let tt_widths: Vec<Object> = (32u8..=255)
        .map(|c| Object::Integer(helv_w_opt(c as char).unwrap_or(556.0) as i64))
        .collect();
    let fd2 = simple_font_descriptor(&mut b, "Arial");
    let tt = b.add(dictionary! {
        "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "Arial",
        "Encoding" => "MacRomanEncoding", "FirstChar" => 32, "LastChar" => 255, "Widths" => tt_widths,
        "FontDescriptor" => fd2,
    });
    let content = one_line("T1", 12.0, 72.0, 720.0, &hexs(&codes.encode(F05_LINE1)))
        + &one_line("TT", 12.0, 72.0, 690.0, &hexs(&macroman(F05_LINE2)));
    b.page(content, font_resources(&[("T1", t1), ("TT", tt)]));
    Fixture::new("05-simple-fonts.pdf", b.finish())
        .terms(&[NAME, "Chloé Dubois"])
        .keep(&["Pupil", "Year", "Sibling"])
        .forbid_words(&["Jayden", "Okafor", "Chloé", "Dubois"])
        .forbid_codes(vec![
            codes.encode("Jayden"),
            codes.encode("Okafor"),
            macroman("Chloé"),
            macroman("Dubois"),
        ])
        .keep_codes(vec![codes.encode("Pupil"), macroman("Sibling")])
        .positions()
        .page_text()
}

// ---- 6. Type3 with ToUnicode ---------------------------------------------------------------------

pub const F06_LINE: &str = "Pupil: Jayden Okafor, Year 9";

pub fn f06_codes() -> SimpleCodes {
    SimpleCodes::for_texts(&[F06_LINE])
}

pub fn f06_type3() -> Fixture {
    let mut b = PdfBuilder::new();
    let codes = f06_codes();
    let cp_wide = b.stream(
        Dictionary::new(),
        b"500 0 d0\n40 w 60 0 m 440 700 l S\n".to_vec(),
    );
    let cp_space = b.stream(Dictionary::new(), b"250 0 d0\n".to_vec());
    let mut procs = Dictionary::new();
    let mut diff = vec![Object::Integer(1)];
    let mut widths = vec![];
    let mut bfchar = String::new();
    for (i, &c) in codes.chars.iter().enumerate() {
        let gname = format!("g{}", i + 1);
        procs.set(
            gname.clone().into_bytes(),
            if c == ' ' { cp_space } else { cp_wide },
        );
        diff.push(Object::Name(gname.into_bytes()));
        widths.push(Object::Integer(if c == ' ' { 250 } else { 500 }));
        bfchar.push_str(&format!("<{:02X}> <{:04X}>\n", i + 1, c as u32));
    }
    let tu = format!(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
/CMapName /Fixture-Type3-UCS def\n/CMapType 2 def\n\
1 begincodespacerange\n<00> <FF>\nendcodespacerange\n\
{} beginbfchar\n{}endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n",
        codes.chars.len(),
        bfchar
    );
    let tu = b.stream(Dictionary::new(), tu.into_bytes());
    let t3 = b.add(dictionary! {
        "Type" => "Font", "Subtype" => "Type3", "FontBBox" => ints(&[0, 0, 1000, 1000]),
        "FontMatrix" => reals(&[0.001, 0.0, 0.0, 0.001, 0.0, 0.0]), "CharProcs" => procs,
        "Encoding" => dictionary! {"Type" => "Encoding", "Differences" => diff},
        "FirstChar" => 1, "LastChar" => codes.last(), "Widths" => widths,
        "Resources" => Dictionary::new(), "ToUnicode" => tu,
    });
    b.page(
        one_line("T3", 12.0, 72.0, 720.0, &hexs(&codes.encode(F06_LINE))),
        font_resources(&[("T3", t3)]),
    );
    Fixture::new("06-type3.pdf", b.finish())
        .keep(&["Pupil", "Year"])
        .forbid_words(&["Jayden", "Okafor"])
        .forbid_codes(vec![codes.encode("Jayden"), codes.encode("Okafor")])
        .keep_codes(vec![codes.encode("Pupil")])
        .positions()
        .page_text()
}

// ---- 7. Invisible text over an image; white on white; outside the CropBox ------------------------

pub fn f07a_invisible_over_image() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    let im = b.gray_image(8, 8, (0..64u32).map(|i| (96 + i * 2) as u8).collect());
    let mut r = font_resources(&[("F1", f1)]);
    r.set("XObject", dictionary! {"Im1" => im});
    let content = format!(
        "q 300 0 0 100 72 600 cm /Im1 Do Q\nBT 3 Tr /F1 12 Tf 80 640 Td {} Tj ET\nBT 0 Tr /F1 12 Tf 72 500 Td {} Tj ET\n",
        lit("Scanned letter from Jayden Okafor"),
        lit("Visible line for Reception")
    );
    b.page(content, r);
    Fixture::new("07a-invisible-over-image.pdf", b.finish())
        .keep(&["Scanned", "letter", "Visible", "Reception"])
        .forbid_words(&["Jayden", "Okafor"])
        .forbid_codes(vec![b"Jayden".to_vec(), b"Okafor".to_vec()])
        .positions()
        .page_text()
        .no_box()
        .review(&[1])
}

pub fn f07b_white_and_outside_cropbox() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    let content = one_line("F1", 12.0, 72.0, 650.0, &lit("Visible: Year 9 report"))
        + "1 1 1 rg 60 600 400 40 re f\n"
        + &one_line("F1", 12.0, 72.0, 620.0, &lit("Hidden Jayden Okafor note"))
        + "0 g\n"
        + &one_line("F1", 12.0, 72.0, 750.0, &lit("Outside: Jayden Okafor"));
    let page = b.page(content, font_resources(&[("F1", f1)]));
    b.dict_mut(page).set("CropBox", ints(&[0, 0, 612, 700]));
    Fixture::new("07b-white-and-outside-cropbox.pdf", b.finish())
        .keep(&["Visible", "Year", "report", "Hidden", "note", "Outside"])
        .forbid_words(&["Jayden", "Okafor"])
        .forbid_codes(vec![b"Jayden".to_vec(), b"Okafor".to_vec()])
        .positions()
        .page_text()
        .no_box()
}

// ---- 8. Info dictionary and XMP ------------------------------------------------------------------

pub const XMP: &str = "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">
 <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">
  <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">
   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Report: Jayden Okafor</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>Jayden Okafor's tutor</rdf:li></rdf:Seq></dc:creator>
   <pdf:Keywords>jayden okafor; SEN; Year 9</pdf:Keywords>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end=\"w\"?>";

pub fn f08_info_xmp() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    b.page(
        one_line("F1", 12.0, 72.0, 720.0, &lit("Report for pupil in Year 9")),
        font_resources(&[("F1", f1)]),
    );
    let xmp = b.stream(
        dictionary! {"Type" => "Metadata", "Subtype" => "XML"},
        XMP.as_bytes().to_vec(),
    );
    b.catalog.set("Metadata", xmp);
    b.info = Some(dictionary! {
        "Title" => text("Report: Jayden Okafor"),
        "Author" => utf16("Jayden Okafor's tutor"),
        "Subject" => text("About JAYDEN OKAFOR"),
        "Keywords" => text("jayden okafor; SEN; Year 9"),
        "Creator" => text("disclose test fixture"),
    });
    Fixture::new("08-info-xmp.pdf", b.finish())
        .keep(&["Report", "pupil", "Year"])
        .forbid_words(&["Jayden", "Okafor"])
        .positions()
        .log_area(1, Rect::page())
}

// ---- 9. Annotations: Text + Popup, FreeText with appearance, Link URI ----------------------------

pub const EMAIL: &str = "jayden.okafor@example.sch.uk";

pub fn f09_annotations() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    let helv = b.add(dictionary! {"Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding"});
    let content = one_line("F1", 12.0, 72.0, 720.0, &lit("Annotated page for Year 9"))
        + &one_line("F1", 12.0, 72.0, 505.0, &lit("Email the pupil"));
    let page = b.page(content, font_resources(&[("F1", f1)]));
    let text_id = b.doc.new_object_id();
    let popup = b.add(dictionary! {
        "Type" => "Annot", "Subtype" => "Popup", "Rect" => ints(&[420, 600, 600, 700]),
        "Parent" => text_id, "Open" => false, "Contents" => text("Call Jayden Okafor's mother"),
    });
    b.doc.objects.insert(
        text_id,
        Object::Dictionary(dictionary! {
            "Type" => "Annot", "Subtype" => "Text", "Rect" => ints(&[400, 700, 420, 720]),
            "Contents" => utf16("Call Jayden Okafor's mother"), "T" => text("Jayden Okafor"),
            "Name" => "Comment", "Popup" => popup, "P" => page,
        }),
    );
    let ap = b.form(
        [0, 0, 228, 30],
        font_resources(&[("Helv", helv)]),
        &one_line("Helv", 12.0, 2.0, 10.0, &lit("Jayden Okafor was late")),
        true,
    );
    let freetext = b.add(dictionary! {
        "Type" => "Annot", "Subtype" => "FreeText", "Rect" => ints(&[72, 600, 300, 630]),
        "Contents" => text("Jayden Okafor was late"), "DA" => text("/Helv 12 Tf 0 g"),
        "RC" => text("<?xml version=\"1.0\"?><body xmlns=\"http://www.w3.org/1999/xhtml\"><p>Jayden Okafor was late</p></body>"),
        "AP" => dictionary! {"N" => ap}, "P" => page,
    });
    let link = b.add(dictionary! {
        "Type" => "Annot", "Subtype" => "Link", "Rect" => ints(&[72, 500, 200, 520]),
        "Border" => ints(&[0, 0, 0]),
        "A" => dictionary! {"S" => "URI", "URI" => text(&format!("mailto:{EMAIL}"))},
    });
    b.dict_mut(page)
        .set("Annots", refs(&[text_id, popup, freetext, link]));
    Fixture::new("09-annotations.pdf", b.finish())
        .terms(&[NAME, EMAIL])
        .keep(&["Annotated", "Year", "Email", "pupil"])
        .forbid_words(&["Jayden", "Okafor"])
        .forbid_codes(vec![b"Jayden".to_vec(), b"Okafor".to_vec()])
        .positions()
        .log_area(1, Rect::new(400.0, 700.0, 420.0, 720.0))
        .log_area(1, Rect::new(420.0, 600.0, 600.0, 700.0))
        .log_area(1, Rect::new(72.0, 600.0, 300.0, 630.0))
        .log_area(1, Rect::new(72.0, 500.0, 200.0, 520.0))
}

// ---- 10. Outline titles --------------------------------------------------------------------------

pub fn f10_outlines() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    let page = b.page(
        one_line("F1", 12.0, 72.0, 720.0, &lit("Contents page for Year 9")),
        font_resources(&[("F1", f1)]),
    );
    let root = b.doc.new_object_id();
    let a = b.doc.new_object_id();
    let a1 = b.doc.new_object_id();
    let c = b.doc.new_object_id();
    let bb = b.doc.new_object_id();
    let dest = || {
        Object::Array(vec![
            Object::Reference(page),
            "XYZ".into(),
            0.into(),
            792.into(),
            0.into(),
        ])
    };
    b.doc.objects.insert(
        root,
        Object::Dictionary(
            dictionary! {"Type" => "Outlines", "First" => a, "Last" => bb, "Count" => 4},
        ),
    );
    b.doc.objects.insert(a, Object::Dictionary(dictionary! {
        "Title" => text("Report on Jayden Okafor"), "Parent" => root, "Next" => c, "First" => a1, "Last" => a1,
        "Count" => 1, "Dest" => dest(),
    }));
    b.doc.objects.insert(
        a1,
        Object::Dictionary(dictionary! {
            "Title" => text("Notes: jayden   okafor"), "Parent" => a, "Dest" => dest(),
        }),
    );
    b.doc.objects.insert(c, Object::Dictionary(dictionary! {
        "Title" => text("Contents"), "Parent" => root, "Prev" => a, "Next" => bb, "Dest" => dest(),
    }));
    b.doc.objects.insert(
        bb,
        Object::Dictionary(dictionary! {
            "Title" => utf16("JAYDEN OKAFOR (Year 9)"), "Parent" => root, "Prev" => c,
            "A" => dictionary! {"S" => "GoTo", "D" => dest()},
        }),
    );
    b.catalog.set("Outlines", root);
    b.catalog.set("PageMode", "UseOutlines");
    Fixture::new("10-outlines.pdf", b.finish())
        .keep(&["Contents", "Year"])
        .forbid_words(&["Jayden", "Okafor"])
        .positions()
        .log_area(1, Rect::page())
}

// ---- 11. AcroForm text field ---------------------------------------------------------------------

pub fn f11_acroform() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    let helv = b.add(dictionary! {"Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding"});
    let content = one_line("F1", 12.0, 72.0, 655.0, &lit("Pupil name:"))
        + &one_line("F1", 12.0, 72.0, 625.0, &lit("Form for Year 9"));
    let page = b.page(content, font_resources(&[("F1", f1)]));
    let ap1 = b.form(
        [0, 0, 200, 20],
        font_resources(&[("Helv", helv)]),
        &format!(
            "/Tx BMC q BT /Helv 12 Tf 0 g 2 5 Td {} Tj ET Q EMC\n",
            lit("Jayden Okafor")
        ),
        false,
    );
    let ap2 = b.form(
        [0, 0, 200, 20],
        font_resources(&[("Helv", helv)]),
        &format!(
            "/Tx BMC q BT /Helv 12 Tf 0 g 2 5 Td {} Tj ET Q EMC\n",
            lit("Year 9")
        ),
        false,
    );
    let field1 = b.add(dictionary! {
        "Type" => "Annot", "Subtype" => "Widget", "FT" => "Tx", "T" => text("pupil_name"),
        "TU" => text("Name of pupil"), "V" => text("Jayden Okafor"), "DV" => text("Jayden Okafor"),
        "Rect" => ints(&[150, 650, 350, 670]), "DA" => text("/Helv 12 Tf 0 g"), "F" => 4, "P" => page,
        "AP" => dictionary! {"N" => ap1},
    });
    let field2 = b.add(dictionary! {
        "Type" => "Annot", "Subtype" => "Widget", "FT" => "Tx", "T" => text("year_group"),
        "V" => text("Year 9"), "Rect" => ints(&[150, 590, 350, 610]), "DA" => text("/Helv 12 Tf 0 g"),
        "F" => 4, "P" => page, "AP" => dictionary! {"N" => ap2},
    });
    b.dict_mut(page).set("Annots", refs(&[field1, field2]));
    b.catalog.set(
        "AcroForm",
        dictionary! {
            "Fields" => refs(&[field1, field2]), "DA" => text("/Helv 0 Tf 0 g"),
            "DR" => font_resources(&[("Helv", helv)]),
        },
    );
    Fixture::new("11-acroform.pdf", b.finish())
        .keep(&["Pupil", "name", "Form", "Year"])
        .forbid_words(&["Jayden", "Okafor"])
        .forbid_codes(vec![b"Jayden".to_vec(), b"Okafor".to_vec()])
        .keep_codes(vec![b"Year 9".to_vec()])
        .positions()
        .log_area(1, Rect::new(150.0, 650.0, 350.0, 670.0))
}

// ---- 12. Embedded files: EmbeddedFiles name tree, FileAttachment annotation, /AF ----------------

pub fn f12_embedded_files() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    let page = b.page(
        one_line(
            "F1",
            12.0,
            72.0,
            720.0,
            &lit("Attachments for Year 9 tutor"),
        ),
        font_resources(&[("F1", f1)]),
    );
    let ef = |b: &mut PdfBuilder, body: &str, compress: bool| {
        let d = dictionary! {"Type" => "EmbeddedFile", "Subtype" => "text/plain", "Params" => dictionary! {"Size" => body.len() as i64}};
        if compress {
            b.flate_stream(d, body.as_bytes().to_vec())
        } else {
            b.stream(d, body.as_bytes().to_vec())
        }
    };
    let ef1 = ef(&mut b, "Behaviour log: Jayden Okafor, Year 9\n", true);
    let ef2 = ef(&mut b, "Medical note for Jayden Okafor\n", false);
    let ef3 = ef(&mut b, "Associated file: Jayden Okafor\n", true);
    let fs1 = b.add(dictionary! {
        "Type" => "Filespec", "F" => text("behaviour.txt"), "UF" => utf16("Jayden Okafor behaviour.txt"),
        "EF" => dictionary! {"F" => ef1, "UF" => ef1}, "Desc" => text("Notes about Jayden Okafor"),
    });
    let fs2 = b.add(dictionary! {"Type" => "Filespec", "F" => text("medical.txt"), "EF" => dictionary! {"F" => ef2}});
    let fs3 = b.add(dictionary! {
        "Type" => "Filespec", "F" => text("associated.txt"), "EF" => dictionary! {"F" => ef3},
        "AFRelationship" => "Supplement",
    });
    let annot = b.add(dictionary! {
        "Type" => "Annot", "Subtype" => "FileAttachment", "Rect" => ints(&[500, 700, 520, 720]),
        "FS" => fs2, "Contents" => text("Attachment about Jayden Okafor"), "Name" => "Paperclip", "P" => page,
    });
    b.dict_mut(page).set("Annots", refs(&[annot]));
    b.catalog.set("Names", dictionary! {"EmbeddedFiles" => dictionary! {"Names" => Object::Array(vec![text("behaviour.txt"), Object::Reference(fs1)])}});
    b.catalog.set("AF", refs(&[fs3]));
    Fixture::new("12-embedded-files.pdf", b.finish())
        .keep(&["Attachments", "Year", "tutor"])
        .forbid_words(&["Jayden", "Okafor"])
        .positions()
        .log_area(1, Rect::page())
}

// ---- 13. Structure tree /Alt, /ActualText; marked-content /ActualText ----------------------------

pub fn f13_structure() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    let content = format!(
        "/P <</MCID 0>> BDC BT /F1 12 Tf 72 700 Td {} Tj ET EMC\n\
/Span <</ActualText (Jayden Okafor) /MCID 1>> BDC BT /F1 12 Tf 72 680 Td (J. O.) Tj ET EMC\n\
/Span <</ActualText {}>> BDC BT /F1 12 Tf 72 660 Td (J.O.) Tj ET EMC\n\
/Figure <</MCID 2>> BDC 0.5 g 72 560 100 50 re f 0 g EMC\n",
        lit("Class list for Year 9"),
        hexs(&utf16_bytes("Jayden Okafor"))
    );
    let page = b.page(content, font_resources(&[("F1", f1)]));
    b.dict_mut(page).set("StructParents", 0);
    let root = b.doc.new_object_id();
    let docel = b.doc.new_object_id();
    let p = b.add(
        dictionary! {"Type" => "StructElem", "S" => "P", "P" => docel, "Pg" => page, "K" => 0},
    );
    let span = b.add(dictionary! {
        "Type" => "StructElem", "S" => "Span", "P" => docel, "Pg" => page, "K" => 1,
        "ActualText" => text("Jayden Okafor"),
    });
    let fig = b.add(dictionary! {
        "Type" => "StructElem", "S" => "Figure", "P" => docel, "Pg" => page, "K" => 2,
        "Alt" => utf16("Photo of Jayden Okafor in class"),
    });
    b.doc.objects.insert(
        docel,
        Object::Dictionary(dictionary! {"Type" => "StructElem", "S" => "Document", "P" => root, "K" => refs(&[p, span, fig])}),
    );
    b.doc.objects.insert(
        root,
        Object::Dictionary(dictionary! {
            "Type" => "StructTreeRoot", "K" => docel,
            "ParentTree" => dictionary! {"Nums" => Object::Array(vec![Object::Integer(0), refs(&[p, span, fig])])},
            "ParentTreeNextKey" => 1,
        }),
    );
    b.catalog.set("StructTreeRoot", root);
    b.catalog.set("MarkInfo", dictionary! {"Marked" => true});
    Fixture::new("13-structure-actualtext.pdf", b.finish())
        .keep(&["Class", "list", "Year"])
        .forbid_words(&["Jayden", "Okafor"])
        .positions()
        // The engine may also remove the glyphs whose /ActualText matched.
        .log_area(1, helv_line_area(72.0, 680.0, "J. O.", 12.0))
        .log_area(1, helv_line_area(72.0, 660.0, "J.O.", 12.0))
}

// ---- 14. Incremental update leaving the old page content unreferenced ----------------------------

pub fn startxref_offset(pdf: &[u8]) -> usize {
    let pos = verify::rfind(pdf, b"startxref").expect("startxref");
    let tail = String::from_utf8_lossy(&pdf[pos + 9..]);
    tail.split_whitespace().next().unwrap().parse().unwrap()
}

pub fn f14_incremental_update() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    b.info = Some(dictionary! {"Title" => text("Draft report on Jayden Okafor")});
    let page = b.page(
        one_line(
            "F1",
            12.0,
            72.0,
            720.0,
            &lit("Pupil: Jayden Okafor, Year 9"),
        ),
        font_resources(&[("F1", f1)]),
    );
    let pages = b.pages_id;
    let built = b.finish_built();
    let prev = startxref_offset(&built.bytes);
    let mut out = built.bytes.clone();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    // lopdf writes an xref stream as one more object: number past everything in the file.
    let max_id = verify::raw_objects(&built.bytes)
        .iter()
        .map(|r| r.id.0)
        .max()
        .unwrap()
        .max(built.max_id);
    let content_id = max_id + 1;
    let info_id = max_id + 2;
    let content = one_line(
        "F1",
        12.0,
        72.0,
        720.0,
        &lit("Updated: Jayden Okafor moved to Year 10"),
    );
    let mut offsets: Vec<(u32, usize)> = vec![];
    offsets.push((content_id, out.len()));
    out.extend(
        format!(
            "{content_id} 0 obj\n<< /Length {} >>\nstream\n{content}endstream\nendobj\n",
            content.len()
        )
        .as_bytes(),
    );
    offsets.push((page.0, out.len()));
    out.extend(
        format!(
            "{} 0 obj\n<< /Type /Page /Parent {} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 {} 0 R >> >> /Contents {content_id} 0 R >>\nendobj\n",
            page.0, pages.0, f1.0
        )
        .as_bytes(),
    );
    offsets.push((info_id, out.len()));
    out.extend(format!("{info_id} 0 obj\n<< /Title (Final report) >>\nendobj\n").as_bytes());
    offsets.sort();
    let xref_pos = out.len();
    let mut x = String::from("xref\n0 1\n0000000000 65535 f \n");
    for (id, off) in &offsets {
        x.push_str(&format!("{id} 1\n{off:010} 00000 n \n"));
    }
    x.push_str(&format!(
        "trailer\n<< /Size {} /Root {} 0 R /Info {info_id} 0 R /Prev {prev} >>\nstartxref\n{xref_pos}\n%%EOF\n",
        info_id + 1,
        built.catalog.0
    ));
    out.extend(x.as_bytes());
    Fixture::new("14-incremental-update.pdf", out)
        .keep(&["Updated", "moved", "Year"])
        .forbid_words(&["Jayden", "Okafor"])
        .forbid_codes(vec![b"Jayden".to_vec(), b"Okafor".to_vec()])
        .positions()
        .page_text()
}

// ---- 15. Page thumbnail, document JavaScript, OpenAction JavaScript ------------------------------

pub fn f15_thumbnail_javascript() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    // A stale thumbnail of the unredacted page: its pixel bytes happen to spell the name, so a kept
    // thumbnail is visible to a byte scan.
    let thumb = b.stream(
        dictionary! {"Width" => 13, "Height" => 1, "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8},
        NAME.as_bytes().to_vec(),
    );
    let page = b.page(
        one_line("F1", 12.0, 72.0, 720.0, &lit("Welcome page for Year 9")),
        font_resources(&[("F1", f1)]),
    );
    b.dict_mut(page).set("Thumb", thumb);
    b.dict_mut(page).set(
        "AA",
        dictionary! {"O" => dictionary! {"S" => "JavaScript", "JS" => text("console.println('Opened file of Jayden Okafor');")}},
    );
    let js1 =
        b.add(dictionary! {"S" => "JavaScript", "JS" => text("app.alert(\"Jayden Okafor\");")});
    let js2 = b.flate_stream(
        Dictionary::new(),
        b"var pupil = 'Jayden Okafor'; // greet\n".to_vec(),
    );
    b.catalog.set("Names", dictionary! {"JavaScript" => dictionary! {"Names" => Object::Array(vec![text("pupil-alert"), Object::Reference(js1)])}});
    b.catalog
        .set("OpenAction", dictionary! {"S" => "JavaScript", "JS" => js2});
    Fixture::new("15-thumbnail-javascript.pdf", b.finish())
        .keep(&["Welcome", "Year"])
        .forbid_words(&["Jayden", "Okafor"])
        .positions()
        .log_area(1, Rect::page())
}

// ---- 17. Inputs that must fail --------------------------------------------------------------------

/// Cut inside the first object: no catalog, no page tree, no xref.
pub fn f17_truncated() -> Fixture {
    let bytes = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Length 60 >>\nstream\nBT /F1 12 Tf 72 720 Td (Pupil: Jayden Ok".to_vec();
    Fixture::new("17-truncated.pdf", bytes).broken()
}

pub fn f17_not_a_pdf() -> Fixture {
    let bytes = b"PK\x03\x04\x14\x00\x00\x00 this is a zip, not a PDF: Jayden Okafor\n".to_vec();
    Fixture::new("17-not-a-pdf.pdf", bytes).broken()
}

/// Objects and xref are fine; the page's content stream has an unterminated string.
pub fn f17_bad_content_stream() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    b.page(
        b"BT /F1 12 Tf 72 720 Td (Pupil: Jayden Okafor, Year 9 Tj ET\nBT /F1 12 Tf 72 700 Td [(Jay) (den".to_vec(),
        font_resources(&[("F1", f1)]),
    );
    Fixture::new("17-bad-content-stream.pdf", b.finish()).broken()
}

/// Type0 Identity-H with no ToUnicode and no font program: the codes cannot be mapped to Unicode.
pub fn f17_unmappable_font() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = identity_h_font(&mut b, false);
    b.page(
        one_line(
            "F1",
            12.0,
            72.0,
            720.0,
            &hexs(&idh("Pupil: Jayden Okafor, Year 9")),
        ),
        font_resources(&[("F1", f1)]),
    );
    Fixture::new("17-unmappable-font.pdf", b.finish()).broken()
}

// ---- 18. A scanned page (image only, no text layer) ----------------------------------------------

pub fn f18_scanned_page() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    b.page(
        one_line(
            "F1",
            12.0,
            72.0,
            720.0,
            &lit("Pupil: Jayden Okafor, Year 9"),
        ),
        font_resources(&[("F1", f1)]),
    );
    let scan = b.gray_image(
        16,
        16,
        (0..256u32).map(|i| (128 + (i * 37) % 120) as u8).collect(),
    );
    b.page(
        "q 612 0 0 792 0 0 cm /Scan Do Q\n",
        dictionary! {"XObject" => dictionary! {"Scan" => scan}},
    );
    Fixture::new("18-scanned-page.pdf", b.finish())
        .keep(&["Pupil", "Year"])
        .forbid_words(&["Jayden", "Okafor"])
        .forbid_codes(vec![b"Jayden".to_vec(), b"Okafor".to_vec()])
        .positions()
        .page_text()
        .review(&[2])
}

// ---- 19. Tight table: lines 10 pt apart ----------------------------------------------------------

pub const F19_LINE2_BASELINE: f64 = 690.0;

pub fn f19_tight_table() -> Fixture {
    let mut b = PdfBuilder::new();
    let f1 = b.std_font("Helvetica");
    let content = "BT /F1 10 Tf 72 700 Td (Jayden Okafor) Tj 150 0 Td (Year 9) Tj ET\n\
BT /F1 10 Tf 72 690 Td (Attendance) Tj 150 0 Td (97%) Tj ET\n";
    b.page(content, font_resources(&[("F1", f1)]));
    Fixture::new("19-tight-table.pdf", b.finish())
        .keep(&["Attendance", "Year", "97%"])
        .forbid_words(&["Jayden", "Okafor"])
        .forbid_codes(vec![b"Jayden".to_vec(), b"Okafor".to_vec()])
        .positions()
        .page_text()
}

// ---- 16. Committed encrypted fixtures --------------------------------------------------------------

pub fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pdf/leaks")
}

fn read_committed(name: &str) -> Vec<u8> {
    let p = committed_dir().join(name);
    std::fs::read(&p).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. Regenerate with `cargo test --test redact_leaks -- --ignored regenerate_encrypted_fixtures` (needs qpdf)",
            p.display()
        )
    })
}

/// AES-256, user password [`USER_PASSWORD`]: cannot be opened without it.
pub fn f16_encrypted_user_password() -> Fixture {
    let mut f = Fixture::new(
        "encrypted-user-password.pdf",
        read_committed("encrypted-user-password.pdf"),
    );
    f.expect_exit = 1;
    f.password = Some(USER_PASSWORD.to_string());
    f
}

/// AES-128 with an empty user password (owner password only): must be processed normally.
pub fn f16_encrypted_owner_only() -> Fixture {
    let mut f = f01_helvetica_tj();
    f.file_name = "encrypted-owner-only.pdf".into();
    f.bytes = read_committed("encrypted-owner-only.pdf");
    f
}

/// Every generated fixture, for the validity test.
pub fn all_generated() -> Vec<Fixture> {
    vec![
        f01_helvetica_tj(),
        f01b_quote_operators(),
        f02_tj_kerning_font_change(),
        f03_form_xobjects(),
        f04_type0_identity_h(),
        f05_simple_fonts(),
        f06_type3(),
        f07a_invisible_over_image(),
        f07b_white_and_outside_cropbox(),
        f08_info_xmp(),
        f09_annotations(),
        f10_outlines(),
        f11_acroform(),
        f12_embedded_files(),
        f13_structure(),
        f14_incremental_update(),
        f15_thumbnail_javascript(),
        f17_truncated(),
        f17_not_a_pdf(),
        f17_bad_content_stream(),
        f17_unmappable_font(),
        f18_scanned_page(),
        f19_tight_table(),
    ]
}

// ------------------------------------------------------------------------------------------------
// Running the binary

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_disclose"))
}

pub struct Workspace {
    pub tmp: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        let mut tmp = tempfile::Builder::new()
            .prefix("disclose-redact-")
            .tempdir()
            .expect("tempdir");
        if std::env::var_os("DISCLOSE_TEST_KEEP").is_some() {
            tmp.disable_cleanup(true);
        }
        std::fs::create_dir_all(tmp.path().join("in")).unwrap();
        std::fs::create_dir_all(tmp.path().join("out")).unwrap();
        Workspace { tmp }
    }
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }
    /// Writes the fixture to `in/<file name>`.
    pub fn input(&self, f: &Fixture) -> PathBuf {
        self.write(&f.file_name, &f.bytes)
    }
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path().join("in").join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
    /// The `--out` dir; created before the run.
    pub fn out_dir(&self) -> PathBuf {
        self.path().join("out")
    }
}

/// The result of one `disclose` run.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub out_dir: PathBuf,
    pub args: Vec<String>,
    pub timed_out: bool,
}

impl Run {
    pub fn describe(&self) -> String {
        format!(
            "`disclose {}`\n  exit: {}\n  stderr:\n{}\n  stdout:\n{}\n  (set DISCLOSE_TEST_KEEP=1 to keep {})",
            self.args.join(" "),
            match (self.timed_out, self.code) {
                (true, _) => "killed after the time limit".to_string(),
                (false, Some(c)) => c.to_string(),
                (false, None) => "killed by a signal".to_string(),
            },
            indent(&self.stderr),
            indent(&self.stdout),
            self.out_dir.parent().unwrap_or(&self.out_dir).display()
        )
    }
    pub fn assert_exit(&self, expected: i32) {
        assert_eq!(
            self.code,
            Some(expected),
            "expected exit status {expected}; got:\n{}",
            self.describe()
        );
    }
    pub fn output_path(&self, file_name: &str) -> PathBuf {
        self.out_dir.join(file_name)
    }
    /// The redacted file, or a panic that shows the run.
    pub fn output(&self, file_name: &str) -> Vec<u8> {
        let p = self.output_path(file_name);
        std::fs::read(&p)
            .unwrap_or_else(|e| panic!("no output {}: {e}\n{}", p.display(), self.describe()))
    }
    /// stderr lines that mention `file_name`.
    pub fn stderr_lines_naming(&self, file_name: &str) -> Vec<String> {
        self.stderr
            .lines()
            .filter(|l| l.contains(file_name))
            .map(|l| l.to_string())
            .collect()
    }
}

fn indent(s: &str) -> String {
    if s.trim().is_empty() {
        return "    (empty)".into();
    }
    s.lines()
        .map(|l| format!("    | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `disclose` with `args`, capturing output, killing it after [`RUN_TIMEOUT`].
pub fn run_disclose(args: &[String], out_dir: &Path) -> Run {
    let mut child = Command::new(bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn disclose");
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let to = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = so.read_to_end(&mut s);
        s
    });
    let te = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = se.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if start.elapsed() > RUN_TIMEOUT {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("wait after kill");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: if timed_out { None } else { status.code() },
        stdout: String::from_utf8_lossy(&to.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&te.join().unwrap()).into_owned(),
        out_dir: out_dir.to_path_buf(),
        args: args.to_vec(),
        timed_out,
    }
}

/// `disclose redact INPUT... --term T... EXTRA... --out DIR`
pub fn redact(inputs: &[PathBuf], terms: &[String], extra: &[&str], out_dir: &Path) -> Run {
    let mut args = vec!["redact".to_string()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    for t in terms {
        args.push("--term".into());
        args.push(t.clone());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push("--out".into());
    args.push(out_dir.display().to_string());
    run_disclose(&args, out_dir)
}

/// Writes a fixture into a fresh workspace and runs `disclose redact` on it with its terms.
pub fn redact_fixture(f: &Fixture, extra: &[&str]) -> (Workspace, Run) {
    let ws = Workspace::new();
    let input = ws.input(f);
    let run = redact(&[input], &f.terms, extra, &ws.out_dir());
    (ws, run)
}

pub fn qpdf_available() -> bool {
    Command::new("qpdf")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}
