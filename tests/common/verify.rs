//! Independent verification of `disclose redact` outputs. Nothing here uses code from `src/`:
//! text comes from the `pdf-extract` crate (its own pinned lopdf 0.42), objects from lopdf 0.47,
//! and byte scans from this file.
//!
//! Each check returns a list of problems (empty = pass) so one failure message shows everything
//! that is wrong, and so the validity test can prove that every check fires on an unredacted input.

use super::{Fixture, Rect, LOG_HEADER};
use lopdf::content::Content;
use lopdf::{Document, Object, ObjectId, Stream};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

// ------------------------------------------------------------------------------------------------
// Text normalisation (the contract's matching rules, applied to whatever we find)

fn ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\0'
    )
}

/// NFKC, lower case, soft hyphens and zero-width characters dropped, whitespace runs = one space.
pub fn norm(s: &str) -> String {
    let lowered = s.nfkc().collect::<String>().to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    let mut pending_space = false;
    for c in lowered.chars() {
        if ignorable(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// [`norm`] with all whitespace removed: finds a term however the text was spaced.
pub fn squash(s: &str) -> String {
    norm(s).chars().filter(|c| !c.is_whitespace()).collect()
}

pub fn contains_term(hay: &str, term: &str) -> bool {
    let t = squash(term);
    !t.is_empty() && squash(hay).contains(&t)
}

// ------------------------------------------------------------------------------------------------
// Bytes

pub fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    if n.is_empty() || n.len() > h.len() {
        return None;
    }
    h.windows(n.len()).position(|w| w == n)
}
pub fn rfind(h: &[u8], n: &[u8]) -> Option<usize> {
    if n.is_empty() || n.len() > h.len() {
        return None;
    }
    h.windows(n.len()).rposition(|w| w == n)
}
pub fn count(h: &[u8], n: &[u8]) -> usize {
    let mut c = 0;
    let mut i = 0;
    while let Some(j) = find(&h[i..], n) {
        c += 1;
        i += j + n.len();
    }
    c
}
pub fn contains_bytes(h: &[u8], n: &[u8]) -> bool {
    find(h, n).is_some()
}

pub fn latin1(b: &[u8]) -> String {
    b.iter().map(|&x| x as char).collect()
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

/// Every plausible reading of an opaque byte blob: Latin-1, UTF-8, UTF-16 BE/LE at both alignments.
pub fn decode_blob(b: &[u8]) -> Vec<String> {
    let mut v = vec![
        latin1(b),
        String::from_utf8_lossy(b).into_owned(),
        utf16(b, true),
        utf16(b, false),
    ];
    if b.len() > 1 {
        v.push(utf16(&b[1..], true));
        v.push(utf16(&b[1..], false));
    }
    v
}

/// A PDF text string: UTF-16BE/LE with BOM, UTF-8 with BOM, else PDFDocEncoding (read as Latin-1,
/// which agrees on letters) and UTF-8.
pub fn decode_pdf_string(b: &[u8]) -> Vec<String> {
    if b.starts_with(&[0xFE, 0xFF]) {
        vec![utf16(&b[2..], true), latin1(b)]
    } else if b.starts_with(&[0xFF, 0xFE]) {
        vec![utf16(&b[2..], false), latin1(b)]
    } else if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
        vec![String::from_utf8_lossy(&b[3..]).into_owned(), latin1(b)]
    } else {
        vec![latin1(b), String::from_utf8_lossy(b).into_owned()]
    }
}

/// The first (most likely) reading of a PDF text string.
pub fn pdf_text(b: &[u8]) -> String {
    decode_pdf_string(b).remove(0)
}

// ------------------------------------------------------------------------------------------------
// Loading with lopdf 0.47

pub fn load_doc(pdf: &[u8], password: Option<&str>) -> Result<Document, String> {
    let doc = match password {
        Some(p) => Document::load_mem_with_options(pdf, lopdf::LoadOptions::with_password(p)),
        None => Document::load_mem(pdf),
    }
    .map_err(|e| format!("lopdf 0.47 cannot load it: {e}"))?;
    if doc.is_encrypted() {
        return Err("it is encrypted and the verifier cannot decrypt it".into());
    }
    Ok(doc)
}

pub fn page_count(pdf: &[u8], password: Option<&str>) -> Result<usize, String> {
    Ok(load_doc(pdf, password)?.get_pages().len())
}

fn name_of<'a>(d: &'a lopdf::Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    d.get(key).ok().and_then(|o| o.as_name().ok())
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(&Object::Null),
        _ => o,
    }
}

const IMAGE_FILTERS: [&[u8]; 4] = [
    b"DCTDecode",
    b"JPXDecode",
    b"CCITTFaxDecode",
    b"JBIG2Decode",
];

/// Decoded stream data; `Ok(None)` for image codecs the verifier cannot (and need not) decode.
pub fn stream_data(s: &Stream) -> Result<Option<Vec<u8>>, String> {
    let filters: Vec<Vec<u8>> = match s.filters() {
        Ok(f) => f.iter().map(|x| x.to_vec()).collect(),
        Err(_) => return Ok(Some(s.content.clone())),
    };
    if filters
        .iter()
        .any(|f| IMAGE_FILTERS.contains(&f.as_slice()))
    {
        return Ok(None);
    }
    s.decompressed_content().map(Some).map_err(|e| {
        format!(
            "filters {:?}: {e}",
            filters.iter().map(|f| latin1(f)).collect::<Vec<_>>()
        )
    })
}

// ------------------------------------------------------------------------------------------------
// Scanning every byte, string, name and stream for the needles

#[derive(Debug, Clone)]
pub struct Hit {
    pub needle: String,
    pub place: String,
}

#[derive(Debug, Default)]
pub struct Scan {
    pub hits: Vec<Hit>,
    /// Per stream that parses as content: the concatenated bytes of every shown string
    /// (Tj, TJ, ', ") in order, kerning numbers dropped.
    pub shown: Vec<(ObjectId, Vec<u8>)>,
    /// Things the verifier could not check (undecodable streams).
    pub problems: Vec<String>,
}

struct Scanner {
    needles: Vec<(String, String)>,
    scan: Scan,
}

impl Scanner {
    fn check(&mut self, texts: &[String], place: &dyn Fn() -> String) {
        if self.needles.is_empty() {
            return;
        }
        let squashed: Vec<String> = texts.iter().map(|t| squash(t)).collect();
        for (orig, n) in &self.needles {
            if squashed.iter().any(|s| s.contains(n.as_str())) {
                self.scan.hits.push(Hit {
                    needle: orig.clone(),
                    place: place(),
                });
            }
        }
    }

    fn walk(&mut self, o: &Object, place: &str) {
        match o {
            Object::String(b, _) => {
                self.check(&decode_pdf_string(b), &|| format!("{place} (string)"))
            }
            Object::Name(b) => self.check(&[latin1(b)], &|| format!("{place} (name)")),
            Object::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    self.walk(x, &format!("{place}[{i}]"));
                }
            }
            Object::Dictionary(d) => {
                for (k, v) in d.iter() {
                    let p = format!("{place}/{}", latin1(k));
                    self.check(&[latin1(k)], &|| format!("{p} (key)"));
                    self.walk(v, &p);
                }
            }
            Object::Stream(s) => self.walk(&Object::Dictionary(s.dict.clone()), place),
            _ => {}
        }
    }

    fn stream(&mut self, id: ObjectId, s: &Stream) {
        let place = format!("object {} {}", id.0, id.1);
        let data = match stream_data(s) {
            Ok(Some(d)) => d,
            Ok(None) => return,
            Err(e) => {
                self.scan.problems.push(format!("{place}: the verifier cannot decode this stream ({e}), so cannot prove it clean"));
                return;
            }
        };
        self.check(&decode_blob(&data), &|| {
            format!("{place} (decoded stream data)")
        });
        let is_image = name_of(&s.dict, b"Subtype") == Some(b"Image");
        if is_image || data.len() > 4 << 20 {
            return;
        }
        if let Ok(content) = Content::decode(&data) {
            let mut shown = Vec::new();
            for op in &content.operations {
                for (i, operand) in op.operands.iter().enumerate() {
                    self.walk(
                        operand,
                        &format!("{place} content operator {} operand {i}", op.operator),
                    );
                }
                if matches!(op.operator.as_str(), "Tj" | "TJ" | "'" | "\"") {
                    for operand in &op.operands {
                        collect_strings(operand, &mut shown);
                    }
                }
            }
            if !shown.is_empty() {
                self.check(&[latin1(&shown)], &|| {
                    format!("{place} (shown text, read as Latin-1)")
                });
                self.scan.shown.push((id, shown));
            }
        }
    }
}

fn collect_strings(o: &Object, out: &mut Vec<u8>) {
    match o {
        Object::String(b, _) => out.extend_from_slice(b),
        Object::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// Looks for every needle (after [`squash`]) in: the raw file bytes; every string, name and key of
/// every object; every stream's decoded data; every string operand of every stream that parses as
/// content; the concatenated shown text of each such stream.
pub fn scan(pdf: &[u8], needles: &[String], password: Option<&str>) -> Result<Scan, String> {
    let mut sc = Scanner {
        needles: needles
            .iter()
            .map(|n| (n.clone(), squash(n)))
            .filter(|(_, s)| !s.is_empty())
            .collect(),
        scan: Scan::default(),
    };
    sc.check(&decode_blob(pdf), &|| "raw file bytes".to_string());
    let doc = load_doc(pdf, password)?;
    sc.walk(&Object::Dictionary(doc.trailer.clone()), "trailer");
    for (id, o) in &doc.objects {
        sc.walk(o, &format!("object {} {}", id.0, id.1));
        if let Object::Stream(s) = o {
            sc.stream(*id, s);
        }
    }
    Ok(sc.scan)
}

// ------------------------------------------------------------------------------------------------
// File structure: one revision, written from scratch

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | 0)
}
fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}
fn is_regular(b: u8) -> bool {
    !is_ws(b) && !is_delim(b)
}

#[derive(Debug, Clone)]
pub struct RawObj {
    pub id: ObjectId,
    pub offset: usize,
    /// "XRef" / "ObjStm" when the object's dictionary says so.
    pub kind: Option<String>,
}

fn digits(pdf: &[u8], j: &mut usize) -> Option<u64> {
    let s = *j;
    while *j < pdf.len() && pdf[*j].is_ascii_digit() && *j - s < 10 {
        *j += 1;
    }
    if *j == s {
        return None;
    }
    std::str::from_utf8(&pdf[s..*j]).ok()?.parse().ok()
}
fn skip_ws(pdf: &[u8], j: &mut usize) -> bool {
    let s = *j;
    while *j < pdf.len() && is_ws(pdf[*j]) {
        *j += 1;
    }
    *j > s
}

fn obj_header(pdf: &[u8], i: usize) -> Option<(ObjectId, usize)> {
    let mut j = i;
    let num = digits(pdf, &mut j)?;
    if !skip_ws(pdf, &mut j) {
        return None;
    }
    let gen = digits(pdf, &mut j)?;
    if !skip_ws(pdf, &mut j) {
        return None;
    }
    if !pdf[j..].starts_with(b"obj") || pdf.get(j + 3).map(|&b| is_regular(b)).unwrap_or(false) {
        return None;
    }
    Some(((num as u32, gen as u16), j + 3))
}

/// Every `N G obj` header in the file, skipping stream bodies.
pub fn raw_objects(pdf: &[u8]) -> Vec<RawObj> {
    let mut v = vec![];
    let mut i = 0;
    while i < pdf.len() {
        let b = pdf[i];
        if b == b's'
            && pdf[i..].starts_with(b"stream")
            && (i == 0 || !is_regular(pdf[i - 1]))
            && matches!(pdf.get(i + 6), Some(b'\r') | Some(b'\n'))
        {
            match find(&pdf[i + 6..], b"endstream") {
                Some(j) => {
                    i += 6 + j + 9;
                    continue;
                }
                None => break,
            }
        }
        if b.is_ascii_digit() && (i == 0 || is_ws(pdf[i - 1])) {
            if let Some((id, end)) = obj_header(pdf, i) {
                let stop = [find(&pdf[end..], b"stream"), find(&pdf[end..], b"endobj")]
                    .into_iter()
                    .flatten()
                    .min()
                    .unwrap_or(pdf.len() - end);
                let head = &pdf[end..end + stop];
                let kind = if contains_bytes(head, b"/XRef") && !contains_bytes(head, b"/XRefStm") {
                    Some("XRef".to_string())
                } else if contains_bytes(head, b"/ObjStm") {
                    Some("ObjStm".to_string())
                } else {
                    None
                };
                v.push(RawObj {
                    id,
                    offset: i,
                    kind,
                });
                i = end;
                continue;
            }
        }
        i += 1;
    }
    v
}

fn refs_in(o: &Object, out: &mut Vec<ObjectId>) {
    match o {
        Object::Reference(id) => out.push(*id),
        Object::Array(a) => a.iter().for_each(|x| refs_in(x, out)),
        Object::Dictionary(d) => d.iter().for_each(|(_, v)| refs_in(v, out)),
        Object::Stream(s) => s.dict.iter().for_each(|(_, v)| refs_in(v, out)),
        _ => {}
    }
}

/// Objects reachable from the trailer.
pub fn reachable(doc: &Document) -> BTreeSet<ObjectId> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![];
    refs_in(&Object::Dictionary(doc.trailer.clone()), &mut stack);
    while let Some(id) = stack.pop() {
        if seen.insert(id) {
            if let Ok(o) = doc.get_object(id) {
                refs_in(o, &mut stack);
            }
        }
    }
    seen
}

/// One `%%EOF`, one `startxref`, one xref section (table or stream) with no /Prev or /XRefStm,
/// no object number written twice, every object reachable from the trailer.
pub fn structure_problems(pdf: &[u8]) -> Vec<String> {
    let mut p = vec![];
    if !pdf.starts_with(b"%PDF-") {
        p.push("the file does not start with %PDF-".into());
    }
    let eofs = count(pdf, b"%%EOF");
    if eofs != 1 {
        p.push(format!("{eofs} `%%EOF` markers (want exactly 1: an incremental update or appended revision remains)"));
    }
    let sx = count(pdf, b"startxref");
    if sx != 1 {
        p.push(format!("{sx} `startxref` keywords (want exactly 1)"));
    }
    let raw = raw_objects(pdf);
    let tables = (0..pdf.len())
        .filter(|&i| {
            pdf[i..].starts_with(b"xref")
                && (i == 0 || pdf[i - 1] == b'\n' || pdf[i - 1] == b'\r')
                && pdf.get(i + 4).map(|&b| is_ws(b)).unwrap_or(false)
        })
        .count();
    let xref_streams = raw
        .iter()
        .filter(|r| r.kind.as_deref() == Some("XRef"))
        .count();
    if tables + xref_streams != 1 {
        p.push(format!(
            "{tables} xref tables and {xref_streams} xref streams (want exactly one xref section)"
        ));
    }
    // The trailer that startxref points at.
    if let Some(pos) = rfind(pdf, b"startxref") {
        let tail = String::from_utf8_lossy(&pdf[pos + 9..]);
        match tail
            .split_whitespace()
            .next()
            .and_then(|t| t.parse::<usize>().ok())
        {
            None => p.push("startxref is not followed by an offset".into()),
            Some(off) if off >= pdf.len() => p.push(format!(
                "startxref offset {off} is past the end of the file"
            )),
            Some(mut off) => {
                while off < pdf.len() && is_ws(pdf[off]) {
                    off += 1;
                }
                let dict: Option<&[u8]> = if pdf[off..].starts_with(b"xref") {
                    find(&pdf[off..], b"trailer").map(|t| {
                        let s = off + t;
                        let e = find(&pdf[s..], b"startxref")
                            .map(|x| s + x)
                            .unwrap_or(pdf.len());
                        &pdf[s..e]
                    })
                } else if let Some((_, end)) = obj_header(pdf, off) {
                    let e = find(&pdf[end..], b"stream")
                        .map(|x| end + x)
                        .unwrap_or(pdf.len());
                    Some(&pdf[end..e])
                } else {
                    None
                };
                match dict {
                    None => p.push(format!(
                        "startxref offset {off} does not point at an xref table or stream"
                    )),
                    Some(d) => {
                        if contains_bytes(d, b"/Prev") {
                            p.push("the trailer has /Prev: there is an earlier revision".into());
                        }
                        if contains_bytes(d, b"/XRefStm") {
                            p.push("the trailer has /XRefStm: a hybrid file with a second xref section".into());
                        }
                    }
                }
            }
        }
    }
    let mut seen: BTreeMap<ObjectId, usize> = BTreeMap::new();
    for r in &raw {
        if let Some(first) = seen.insert(r.id, r.offset) {
            p.push(format!(
                "object {} {} is written twice (bytes {first} and {}): an earlier revision remains",
                r.id.0, r.id.1, r.offset
            ));
        }
    }
    match load_doc(pdf, None) {
        Err(e) => p.push(format!("cannot check reachability: {e}")),
        Ok(doc) => {
            let reach = reachable(&doc);
            for (id, o) in &doc.objects {
                let skip = match o {
                    Object::Stream(s) => s.dict.has_type(b"XRef") || s.dict.has_type(b"ObjStm"),
                    _ => false,
                };
                if !skip && !reach.contains(id) {
                    p.push(format!(
                        "object {} {} is not reachable from the trailer",
                        id.0, id.1
                    ));
                }
            }
            for r in &raw {
                if r.kind.is_none() && !reach.contains(&r.id) && !doc.objects.contains_key(&r.id) {
                    p.push(format!(
                        "object {} {} at byte {} is in the file but neither in the xref nor reachable",
                        r.id.0, r.id.1, r.offset
                    ));
                }
            }
        }
    }
    p
}

// ------------------------------------------------------------------------------------------------
// pdf-extract: glyphs with positions

/// One glyph as pdf-extract reports it (user space, bottom-left origin).
#[derive(Clone, Debug)]
pub struct Glyph {
    pub page: u32,
    pub text: String,
    pub x: f64,
    pub y: f64,
    /// Advance in user space.
    pub adv: f64,
    /// Font size in user space.
    pub size: f64,
}

impl Glyph {
    pub fn rect(&self) -> Rect {
        Rect::new(
            self.x,
            self.y - 0.25 * self.size,
            self.x + self.adv.max(0.5),
            self.y + 0.85 * self.size,
        )
    }
}

struct Collector {
    page: u32,
    glyphs: Vec<Glyph>,
}

impl pdf_extract::OutputDev for Collector {
    fn begin_page(
        &mut self,
        page_num: u32,
        _media_box: &pdf_extract::MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        self.page = page_num;
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        let sx = trm.m11.hypot(trm.m12);
        let sy = trm.m21.hypot(trm.m22);
        self.glyphs.push(Glyph {
            page: self.page,
            text: ch.to_string(),
            x: trm.m31,
            y: trm.m32,
            adv: width * font_size * sx,
            size: if font_size.is_finite() {
                font_size * sy
            } else {
                0.0
            },
        });
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic)".into()
    }
}

/// All glyphs of all pages, via pdf-extract. Image XObjects are emptied first (pdf-extract would
/// try to run image data as a content stream); panics become errors.
pub fn glyphs(pdf: &[u8], password: Option<&str>) -> Result<Vec<Glyph>, String> {
    let bytes = pdf.to_vec();
    let pw = password.map(|s| s.to_string());
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        move || -> Result<Vec<Glyph>, String> {
            let mut doc = pdf_extract::Document::load_mem(&bytes)
                .map_err(|e| format!("pdf-extract's lopdf cannot load it: {e}"))?;
            if doc.is_encrypted() {
                doc.decrypt(pw.as_deref().unwrap_or(""))
                    .map_err(|e| format!("pdf-extract cannot decrypt it: {e}"))?;
            }
            for o in doc.objects.values_mut() {
                if let pdf_extract::Object::Stream(s) = o {
                    let image = s.dict.get(b"Subtype").ok().and_then(|n| n.as_name().ok())
                        == Some(&b"Image"[..]);
                    if image {
                        s.content.clear();
                        s.dict.remove(b"Filter");
                        s.dict.remove(b"DecodeParms");
                    }
                }
            }
            let mut c = Collector {
                page: 0,
                glyphs: vec![],
            };
            pdf_extract::output_doc(&doc, &mut c)
                .map_err(|e| format!("pdf-extract failed: {e}"))?;
            Ok(c.glyphs)
        },
    ));
    match r {
        Ok(x) => x,
        Err(p) => Err(format!("pdf-extract panicked: {}", panic_message(p))),
    }
}

pub fn pages_of(g: &[Glyph]) -> BTreeSet<u32> {
    g.iter().map(|x| x.page).collect()
}

/// The text of one page, a space where glyphs leave a gap or change line.
pub fn page_text(g: &[Glyph], page: u32) -> String {
    let mut s = String::new();
    let mut prev: Option<&Glyph> = None;
    for gl in g.iter().filter(|x| x.page == page) {
        if let Some(p) = prev {
            let new_line = (gl.y - p.y).abs() > 0.5 * p.size.max(1.0);
            let gap = gl.x - (p.x + p.adv) > 0.15 * p.size.max(1.0);
            if new_line {
                s.push('\n');
            } else if gap || gl.x < p.x {
                s.push(' ');
            }
        }
        s.push_str(&gl.text);
        prev = Some(gl);
    }
    s
}

pub fn all_text(g: &[Glyph]) -> String {
    pages_of(g)
        .into_iter()
        .map(|p| page_text(g, p))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Squashed characters of one page, each with the index of the glyph it came from.
fn page_chars(g: &[Glyph], page: u32) -> Vec<(char, usize)> {
    let mut v = vec![];
    for (i, gl) in g.iter().enumerate().filter(|(_, x)| x.page == page) {
        for c in gl.text.nfkc().flat_map(|c| c.to_lowercase()) {
            if !c.is_whitespace() && !ignorable(c) {
                v.push((c, i));
            }
        }
    }
    v
}

/// Non-overlapping occurrences of `word` (squashed) on `page`, each as its glyph indices.
pub fn find_occurrences(g: &[Glyph], page: u32, word: &str) -> Vec<Vec<usize>> {
    let chars = page_chars(g, page);
    let pat: Vec<char> = squash(word).chars().collect();
    let mut res = vec![];
    if pat.is_empty() {
        return res;
    }
    let mut i = 0;
    while i + pat.len() <= chars.len() {
        if chars[i..i + pat.len()]
            .iter()
            .map(|x| x.0)
            .eq(pat.iter().copied())
        {
            let mut idx: Vec<usize> = chars[i..i + pat.len()].iter().map(|x| x.1).collect();
            idx.dedup();
            res.push(idx);
            i += pat.len();
        } else {
            i += 1;
        }
    }
    res
}

/// Where a term is drawn on a page, per pdf-extract.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub page: u32,
    pub term: String,
    pub rect: Rect,
    pub size: f64,
    pub baseline: f64,
}

/// Share (0..=1) of the occurrence's width covered by boxes that also span its baseline band
/// (baseline to half the font size above it).
pub fn coverage(o: &Occurrence, boxes: &[Rect]) -> f64 {
    let width = o.rect.x1 - o.rect.x0;
    if width <= 0.0 {
        return 1.0;
    }
    let mut iv: Vec<(f64, f64)> = boxes
        .iter()
        .filter(|b| b.y0 <= o.baseline + 0.1 * o.size && b.y1 >= o.baseline + 0.5 * o.size)
        .map(|b| (b.x0.max(o.rect.x0), b.x1.min(o.rect.x1)))
        .filter(|(a, b)| b > a)
        .collect();
    iv.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
    let mut covered = 0.0;
    let mut cur: Option<(f64, f64)> = None;
    for (a, b) in iv {
        cur = match cur {
            Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                covered += cb - ca;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    if let Some((ca, cb)) = cur {
        covered += cb - ca;
    }
    covered / width
}

pub fn occurrences(g: &[Glyph], terms: &[String]) -> Vec<Occurrence> {
    let mut v = vec![];
    for page in pages_of(g) {
        for t in terms {
            for idx in find_occurrences(g, page, t) {
                let rect = idx
                    .iter()
                    .map(|&i| g[i].rect())
                    .reduce(|a, b| a.union(&b))
                    .unwrap();
                let size = idx.iter().map(|&i| g[i].size).fold(0.0, f64::max);
                let baseline = idx.iter().map(|&i| g[i].y).fold(f64::MAX, f64::min);
                v.push(Occurrence {
                    page,
                    term: t.clone(),
                    rect,
                    size,
                    baseline,
                });
            }
        }
    }
    v
}

/// Every keep word must occur as often per page in the output as in the input; with
/// `positions`, each of its glyphs must be within 0.01 pt of where it was.
pub fn compare_keep(inp: &[Glyph], out: &[Glyph], keep: &[String], positions: bool) -> Vec<String> {
    let mut p = vec![];
    for page in pages_of(inp) {
        for w in keep {
            let a = find_occurrences(inp, page, w);
            let b = find_occurrences(out, page, w);
            if a.len() != b.len() {
                p.push(format!(
                    "keep word {w:?} occurs {} time(s) on page {page} of the input but {} time(s) in the output (over-redaction or damage)",
                    a.len(),
                    b.len()
                ));
                continue;
            }
            if !positions {
                continue;
            }
            for (oa, ob) in a.iter().zip(&b) {
                for (&ia, &ib) in oa.iter().zip(ob) {
                    let (ga, gb) = (&inp[ia], &out[ib]);
                    if (ga.x - gb.x).abs() > 0.01
                        || (ga.y - gb.y).abs() > 0.01
                        || (ga.size - gb.size).abs() > 0.01
                    {
                        p.push(format!(
                            "glyph {:?} of keep word {w:?} on page {page} moved: input ({:.3}, {:.3}) size {:.2} -> output ({:.3}, {:.3}) size {:.2}",
                            ga.text, ga.x, ga.y, ga.size, gb.x, gb.y, gb.size
                        ));
                    }
                }
            }
        }
    }
    p
}

// ------------------------------------------------------------------------------------------------
// Document-level readers

/// (field name, value) for every AcroForm field with a /V.
pub fn field_values(pdf: &[u8]) -> Result<Vec<(String, String)>, String> {
    let doc = load_doc(pdf, None)?;
    let mut out = vec![];
    let root = doc.catalog().map_err(|e| format!("no catalog: {e}"))?;
    let form = match root.get(b"AcroForm").map(|o| deref(&doc, o)) {
        Ok(Object::Dictionary(d)) => d,
        _ => return Ok(out),
    };
    let mut stack: Vec<(String, Object)> = match form.get(b"Fields").map(|o| deref(&doc, o)) {
        Ok(Object::Array(a)) => a.iter().map(|o| (String::new(), o.clone())).collect(),
        _ => vec![],
    };
    let mut guard = 0;
    while let Some((prefix, o)) = stack.pop() {
        guard += 1;
        if guard > 10_000 {
            break;
        }
        if let Object::Dictionary(d) = deref(&doc, &o) {
            let name = match d.get(b"T") {
                Ok(Object::String(b, _)) => {
                    if prefix.is_empty() {
                        pdf_text(b)
                    } else {
                        format!("{prefix}.{}", pdf_text(b))
                    }
                }
                _ => prefix.clone(),
            };
            if let Ok(v) = d.get(b"V").map(|o| deref(&doc, o)) {
                match v {
                    Object::String(b, _) => out.push((name.clone(), pdf_text(b))),
                    Object::Name(b) => out.push((name.clone(), latin1(b))),
                    _ => {}
                }
            }
            if let Ok(Object::Array(kids)) = d.get(b"Kids").map(|o| deref(&doc, o)) {
                for k in kids {
                    stack.push((name.clone(), k.clone()));
                }
            }
        }
    }
    Ok(out)
}

/// Every outline (bookmark) title, depth first.
pub fn outline_titles(pdf: &[u8]) -> Result<Vec<String>, String> {
    let doc = load_doc(pdf, None)?;
    let root = doc.catalog().map_err(|e| format!("no catalog: {e}"))?;
    let mut out = vec![];
    let first = match root.get(b"Outlines").map(|o| deref(&doc, o)) {
        Ok(Object::Dictionary(d)) => d.get(b"First").ok().cloned(),
        _ => None,
    };
    let mut stack: Vec<Object> = first.into_iter().collect();
    let mut seen = BTreeSet::new();
    while let Some(o) = stack.pop() {
        if let Object::Reference(id) = o {
            if !seen.insert(id) || seen.len() > 10_000 {
                continue;
            }
        }
        if let Object::Dictionary(d) = deref(&doc, &o) {
            if let Ok(Object::String(b, _)) = d.get(b"Title").map(|t| deref(&doc, t)) {
                out.push(pdf_text(b));
            }
            if let Ok(n) = d.get(b"Next") {
                stack.push(n.clone());
            }
            if let Ok(f) = d.get(b"First") {
                stack.push(f.clone());
            }
        }
    }
    Ok(out)
}

/// Embedded files must be dropped: no /EmbeddedFile stream, no /EF, no EmbeddedFiles name tree.
pub fn embedded_file_problems(pdf: &[u8]) -> Vec<String> {
    let doc = match load_doc(pdf, None) {
        Ok(d) => d,
        Err(e) => return vec![format!("cannot check embedded files: {e}")],
    };
    fn walk(o: &Object, id: ObjectId, p: &mut Vec<String>) {
        match o {
            Object::Dictionary(d) => {
                if d.has(b"EF") {
                    p.push(format!(
                        "object {} {} has an /EF (embedded file) entry",
                        id.0, id.1
                    ));
                }
                if d.has(b"EmbeddedFiles") {
                    p.push(format!(
                        "object {} {} has an /EmbeddedFiles name tree",
                        id.0, id.1
                    ));
                }
                d.iter().for_each(|(_, v)| walk(v, id, p));
            }
            Object::Array(a) => a.iter().for_each(|x| walk(x, id, p)),
            Object::Stream(s) => {
                if s.dict.has_type(b"EmbeddedFile") {
                    p.push(format!(
                        "object {} {} is an /EmbeddedFile stream",
                        id.0, id.1
                    ));
                }
                walk(&Object::Dictionary(s.dict.clone()), id, p);
            }
            _ => {}
        }
    }
    let mut p = vec![];
    for (id, o) in &doc.objects {
        walk(o, *id, &mut p);
    }
    p
}

/// Pages (1-based) that still have a /Thumb.
pub fn pages_with_thumbnails(pdf: &[u8]) -> Result<Vec<u32>, String> {
    let doc = load_doc(pdf, None)?;
    Ok(doc
        .get_pages()
        .into_iter()
        .filter(|(_, id)| {
            doc.get_dictionary(*id)
                .map(|d| d.has(b"Thumb"))
                .unwrap_or(false)
        })
        .map(|(n, _)| n)
        .collect())
}

// ------------------------------------------------------------------------------------------------
// Opaque boxes drawn on the pages

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a` then `b` (PDF row-vector convention: the result maps x -> (x * a) * b).
fn mat_mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}
fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}
fn num(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(*r as f64),
        _ => None,
    }
}
fn nums(ops: &[Object]) -> Option<Vec<f64>> {
    ops.iter().map(num).collect()
}
fn matrix_of(o: Option<&Object>) -> Matrix {
    match o.and_then(|o| {
        if let Object::Array(a) = o {
            nums(a)
        } else {
            None
        }
    }) {
        Some(v) if v.len() == 6 => [v[0], v[1], v[2], v[3], v[4], v[5]],
        _ => IDENTITY,
    }
}
fn dict_of<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a lopdf::Dictionary> {
    match deref(doc, o) {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn walk_fills(
    doc: &Document,
    data: &[u8],
    resources: Option<&lopdf::Dictionary>,
    start: Matrix,
    depth: u32,
    out: &mut Vec<Rect>,
) {
    let ops = match Content::decode(data) {
        Ok(c) => c.operations,
        Err(_) => return,
    };
    let mut ctm = start;
    let mut stack = vec![];
    let mut path: Vec<Vec<(f64, f64)>> = vec![];
    for op in &ops {
        match op.operator.as_str() {
            "q" => stack.push(ctm),
            "Q" => ctm = stack.pop().unwrap_or(ctm),
            "cm" => {
                if let Some(v) = nums(&op.operands).filter(|v| v.len() == 6) {
                    ctm = mat_mul(&[v[0], v[1], v[2], v[3], v[4], v[5]], &ctm);
                }
            }
            "re" => {
                if let Some(v) = nums(&op.operands).filter(|v| v.len() == 4) {
                    let (x, y, w, h) = (v[0], v[1], v[2], v[3]);
                    path.push(vec![
                        apply(&ctm, x, y),
                        apply(&ctm, x + w, y),
                        apply(&ctm, x + w, y + h),
                        apply(&ctm, x, y + h),
                    ]);
                }
            }
            "m" => {
                if let Some(v) = nums(&op.operands).filter(|v| v.len() == 2) {
                    path.push(vec![apply(&ctm, v[0], v[1])]);
                }
            }
            "l" => {
                if let (Some(v), Some(sp)) =
                    (nums(&op.operands).filter(|v| v.len() == 2), path.last_mut())
                {
                    sp.push(apply(&ctm, v[0], v[1]));
                }
            }
            "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" => {
                for sp in path.drain(..) {
                    if sp.len() >= 3 {
                        let xs = sp.iter().map(|p| p.0);
                        let ys = sp.iter().map(|p| p.1);
                        let (x0, x1) =
                            xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
                        let (y0, y1) =
                            ys.fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(y), b.max(y)));
                        out.push(Rect::new(x0, y0, x1, y1));
                    }
                }
            }
            "n" | "S" | "s" => path.clear(),
            "Do" if depth < 8 => {
                let name = match op.operands.first() {
                    Some(Object::Name(n)) => n.clone(),
                    _ => continue,
                };
                let xo = resources
                    .and_then(|r| r.get(b"XObject").ok())
                    .and_then(|x| dict_of(doc, x))
                    .and_then(|x| x.get(&name).ok())
                    .map(|o| deref(doc, o));
                if let Some(Object::Stream(s)) = xo {
                    if name_of(&s.dict, b"Subtype") == Some(b"Form") {
                        if let Ok(Some(d)) = stream_data(s) {
                            let res = s
                                .dict
                                .get(b"Resources")
                                .ok()
                                .and_then(|r| dict_of(doc, r))
                                .or(resources);
                            let m = mat_mul(&matrix_of(s.dict.get(b"Matrix").ok()), &ctm);
                            walk_fills(doc, &d, res, m, depth + 1, out);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Filled rectangles (and filled paths, as their bounding boxes) in user space, per page,
/// including those drawn inside Form XObjects.
pub fn filled_rects(pdf: &[u8]) -> Result<BTreeMap<u32, Vec<Rect>>, String> {
    let doc = load_doc(pdf, None)?;
    let mut res = BTreeMap::new();
    for (n, id) in doc.get_pages() {
        let page = doc
            .get_dictionary(id)
            .map_err(|e| format!("page {n}: {e}"))?;
        // /Resources, inherited through /Parent.
        let mut resources = None;
        let mut node = Some(page);
        let mut guard = 0;
        while let Some(d) = node {
            if let Some(r) = d.get(b"Resources").ok().and_then(|r| dict_of(&doc, r)) {
                resources = Some(r);
                break;
            }
            node = d.get(b"Parent").ok().and_then(|p| dict_of(&doc, p));
            guard += 1;
            if guard > 64 {
                break;
            }
        }
        let data = doc.get_page_content(id);
        let mut out = vec![];
        walk_fills(&doc, &data, resources, IDENTITY, 0, &mut out);
        res.insert(n, out);
    }
    Ok(res)
}

/// "Opaque box drawn": filled rectangles must cover at least 75% of the width of every occurrence
/// pdf-extract finds in the input, across its baseline band.
pub fn check_drawn_boxes(f: &Fixture, output: &[u8]) -> Vec<String> {
    if !f.boxes_required {
        return vec![];
    }
    let occ = match glyphs(&f.bytes, f.password.as_deref()) {
        Ok(g) => occurrences(&g, &f.terms),
        Err(e) => return vec![format!("(test bug) the input cannot be extracted: {e}")],
    };
    let fills = match filled_rects(output) {
        Ok(x) => x,
        Err(e) => return vec![format!("cannot read the output's drawing: {e}")],
    };
    let mut p = vec![];
    for o in &occ {
        let boxes = fills.get(&o.page).cloned().unwrap_or_default();
        let c = coverage(o, &boxes);
        if c < 0.75 {
            p.push(format!(
                "no opaque box drawn over {:?} on page {} at {:?}: filled rectangles cover {:.0}% of its width",
                o.term,
                o.page,
                o.rect,
                c * 100.0
            ));
        }
    }
    p
}

// ------------------------------------------------------------------------------------------------
// qpdf, when installed

/// `qpdf --check`: `None` when qpdf is not installed; `Some(Err)` on errors or warnings.
pub fn qpdf_check(pdf: &[u8], password: Option<&str>) -> Option<Result<(), String>> {
    if !super::qpdf_available() {
        return None;
    }
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join("check.pdf");
    std::fs::write(&path, pdf).ok()?;
    let mut cmd = std::process::Command::new("qpdf");
    if let Some(pw) = password {
        cmd.arg(format!("--password={pw}"));
    }
    let out = cmd.arg("--check").arg(&path).output().ok()?;
    if out.status.code() == Some(0) {
        Some(Ok(()))
    } else {
        Some(Err(format!(
            "qpdf --check exit {:?}: {}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

// ------------------------------------------------------------------------------------------------
// The whole output audit

/// Everything that must hold for the redacted `output` of fixture `f`, except the log and the
/// exit status: structure, no needle anywhere, no forbidden font codes, survivors present and in
/// place, same page count, qpdf happy.
pub fn audit(f: &Fixture, output: &[u8]) -> Vec<String> {
    let mut p = structure_problems(output);
    let needles = f.needles();
    match scan(output, &needles, None) {
        Err(e) => p.push(format!("the verifier cannot parse the output: {e}")),
        Ok(s) => {
            for h in &s.hits {
                p.push(format!("LEAK: {:?} found in {}", h.needle, h.place));
            }
            p.extend(s.problems.iter().cloned());
            for code in &f.forbidden_codes {
                for (id, shown) in &s.shown {
                    if contains_bytes(shown, code) {
                        p.push(format!(
                            "LEAK: font codes {} (a term in the fixture's encoding) are still shown by content stream {} {}",
                            super::hexs(code),
                            id.0,
                            id.1
                        ));
                    }
                }
            }
            for code in &f.keep_codes {
                if !s.shown.iter().any(|(_, shown)| contains_bytes(shown, code)) {
                    p.push(format!(
                        "survivor codes {} ({:?}) are no longer shown by any content stream (over-redaction)",
                        super::hexs(code),
                        latin1(code)
                    ));
                }
            }
        }
    }
    match (
        page_count(&f.bytes, f.password.as_deref()),
        page_count(output, None),
    ) {
        (Ok(a), Ok(b)) if a != b => p.push(format!("the input has {a} pages, the output {b}")),
        _ => {}
    }
    match glyphs(output, None) {
        Err(e) => p.push(format!(
            "the independent extractor cannot read the output: {e}"
        )),
        Ok(og) => {
            for page in pages_of(&og) {
                let t = page_text(&og, page);
                for n in &needles {
                    if contains_term(&t, n) {
                        p.push(format!(
                            "LEAK: pdf-extract still extracts {n:?} from page {page}: {t:?}"
                        ));
                    }
                }
            }
            match glyphs(&f.bytes, f.password.as_deref()) {
                Ok(ig) => p.extend(compare_keep(&ig, &og, &f.keep, f.check_positions)),
                Err(e) => p.push(format!("(test bug) the input cannot be extracted: {e}")),
            }
        }
    }
    p.extend(check_drawn_boxes(f, output));
    if let Some(Err(e)) = qpdf_check(output, None) {
        p.push(format!("the output is not a valid PDF: {e}"));
    }
    p
}

// ------------------------------------------------------------------------------------------------
// redaction-log.csv and exceptions.csv

#[derive(Clone, Debug)]
pub struct LogRow {
    pub line: usize,
    pub document: String,
    pub page: Option<u32>,
    pub text: String,
    pub reason: String,
    /// x0, y0, x1, y1 as written.
    pub bbox: Option<[f64; 4]>,
}

/// Reads DIR/redaction-log.csv, insisting on the exact header.
pub fn read_log(out_dir: &Path) -> Result<Vec<LogRow>, String> {
    let path = out_dir.join("redaction-log.csv");
    let data = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let data = data.strip_prefix('\u{FEFF}').unwrap_or(&data);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(data.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("log header: {e}"))?
        .iter()
        .map(|s| s.to_string())
        .collect();
    if header != LOG_HEADER {
        return Err(format!("log header is {header:?}, want {LOG_HEADER:?}"));
    }
    let mut rows = vec![];
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| format!("log row {}: {e}", i + 2))?;
        let f = |k: usize| rec.get(k).unwrap_or("").trim().to_string();
        let page = match f(1).as_str() {
            "" => None,
            s => Some(
                s.parse::<u32>()
                    .map_err(|_| format!("log row {}: page {s:?} is not a number", i + 2))?,
            ),
        };
        let coords: Vec<String> = (4..8).map(f).collect();
        let bbox = if coords.iter().all(|c| c.is_empty()) {
            None
        } else {
            let mut b = [0.0; 4];
            for (k, c) in coords.iter().enumerate() {
                b[k] = c
                    .parse::<f64>()
                    .map_err(|_| format!("log row {}: coordinate {c:?} is not a number", i + 2))?;
                if !b[k].is_finite() {
                    return Err(format!("log row {}: coordinate {c:?} is not finite", i + 2));
                }
            }
            Some(b)
        };
        rows.push(LogRow {
            line: i + 2,
            document: f(0),
            page,
            text: rec.get(2).unwrap_or("").to_string(),
            reason: f(3),
            bbox,
        });
    }
    Ok(rows)
}

/// The log rows of `f`: right reason, text that is (part of) a term, a sane box on a real page
/// that covers an occurrence of a term (or an allowed area), and every occurrence covered.
pub fn check_log(
    f: &Fixture,
    rows: &[LogRow],
    expected: &[Occurrence],
    pages: usize,
    reason: &str,
) -> Vec<String> {
    let mut p = vec![];
    let mine: Vec<&LogRow> = rows.iter().filter(|r| r.document == f.file_name).collect();
    for r in &mine {
        let at = format!(
            "log line {} ({:?} page {:?} box {:?})",
            r.line, r.text, r.page, r.bbox
        );
        if r.reason != reason {
            p.push(format!("{at}: reason {:?}, want {reason:?}", r.reason));
        }
        let t = squash(&r.text);
        if t.is_empty() || !f.terms.iter().any(|term| squash(term).contains(&t)) {
            p.push(format!(
                "{at}: the text column is not (part of) a term {:?}",
                f.terms
            ));
        }
        match (r.page, r.bbox) {
            (None, None) | (Some(0), None) => {}
            (None, Some(_)) | (Some(0), Some(_)) => p.push(format!("{at}: a box without a page")),
            (Some(pg), _) if pg as usize > pages => p.push(format!(
                "{at}: page {pg} but the document has {pages} page(s)"
            )),
            (Some(_), None) => {}
            (Some(pg), Some(b)) => {
                if !(b[0] < b[2] && b[1] < b[3]) {
                    p.push(format!("{at}: box is not x0 < x1, y0 < y1"));
                    continue;
                }
                let rect = Rect::new(b[0], b[1], b[2], b[3]);
                let hits: Vec<&Occurrence> = expected
                    .iter()
                    .filter(|o| o.page == pg && o.rect.grow(1.0, 1.0).intersects(&rect))
                    .collect();
                let allowed = f
                    .extra_log_areas
                    .iter()
                    .any(|(ap, a)| *ap == pg && a.grow(1.0, 1.0).intersects(&rect));
                if hits.is_empty() && !allowed {
                    p.push(format!(
                        "{at}: the box covers no occurrence of a term on page {pg} (occurrences there: {:?})",
                        expected.iter().filter(|o| o.page == pg).map(|o| (&o.term, o.rect)).collect::<Vec<_>>()
                    ));
                }
                if !hits.is_empty() && !allowed {
                    let size = hits.iter().map(|o| o.size).fold(1.0, f64::max);
                    let around = hits
                        .iter()
                        .map(|o| o.rect)
                        .reduce(|a, b| a.union(&b))
                        .unwrap()
                        .grow(size, size);
                    if !around.contains(&rect) {
                        p.push(format!(
                            "{at}: the box is far larger than the text it redacts ({around:?})"
                        ));
                    }
                }
            }
        }
    }
    for o in expected {
        let covered = mine.iter().any(|r| {
            r.page == Some(o.page)
                && r.bbox
                    .map(|b| Rect::new(b[0], b[1], b[2], b[3]).intersects(&o.rect.grow(0.5, 0.5)))
                    .unwrap_or(false)
        });
        if !covered {
            p.push(format!(
                "no log row has a box over {:?} on page {} at {:?}",
                o.term, o.page, o.rect
            ));
            continue;
        }
        let boxes: Vec<Rect> = mine
            .iter()
            .filter(|r| r.page == Some(o.page))
            .filter_map(|r| r.bbox.map(|b| Rect::new(b[0], b[1], b[2], b[3])))
            .collect();
        let c = coverage(o, &boxes);
        if c < 0.75 {
            p.push(format!(
                "the logged boxes cover only {:.0}% of {:?} on page {} at {:?} (want >= 75% of its width, across its baseline band)",
                c * 100.0,
                o.term,
                o.page,
                o.rect
            ));
        }
    }
    p
}

/// Reads the log and checks the rows of `f` against the occurrences pdf-extract finds in its input.
pub fn check_run_log(f: &Fixture, out_dir: &Path, reason: &str) -> Vec<String> {
    let rows = match read_log(out_dir) {
        Ok(r) => r,
        Err(e) => return vec![e],
    };
    let expected = match glyphs(&f.bytes, f.password.as_deref()) {
        Ok(g) => occurrences(&g, &f.terms),
        Err(e) => return vec![format!("(test bug) the input cannot be extracted: {e}")],
    };
    let pages = page_count(&f.bytes, f.password.as_deref()).unwrap_or(usize::MAX);
    check_log(f, &rows, &expected, pages, reason)
}

/// All records of DIR/exceptions.csv (header, if any, included); `Ok(None)` when absent.
pub fn read_exceptions(out_dir: &Path) -> Result<Option<Vec<Vec<String>>>, String> {
    let path = out_dir.join("exceptions.csv");
    let data = match std::fs::read_to_string(&path) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data.as_bytes());
    let mut rows = vec![];
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format!("exceptions.csv: {e}"))?;
        rows.push(rec.iter().map(|s| s.to_string()).collect());
    }
    Ok(Some(rows))
}

/// Does `text` (a stderr line or a CSV row joined) name `page`, once the file name is taken out?
pub fn names_page(text: &str, file_name: &str, page: u32) -> bool {
    let rest = text.replace(file_name, " ");
    rest.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| t == page.to_string())
}

/// Problems with the report of files needing a human / failing: each `(file, page)` must have a
/// stderr line naming the file (and the page, when given) and an exceptions.csv row likewise.
pub fn check_exceptions(run: &super::Run, wanted: &[(&str, Option<u32>)]) -> Vec<String> {
    let mut p = vec![];
    let rows = match read_exceptions(&run.out_dir) {
        Ok(Some(r)) => r,
        Ok(None) => return vec!["DIR/exceptions.csv was not written".into()],
        Err(e) => return vec![e],
    };
    for (file, page) in wanted {
        let named: Vec<String> = rows
            .iter()
            .filter(|r| r.iter().any(|f| f.contains(file)))
            .map(|r| r.join(","))
            .collect();
        if named.is_empty() {
            p.push(format!("exceptions.csv has no row naming {file}: {rows:?}"));
        } else if let Some(pg) = page {
            if !named.iter().any(|r| names_page(r, file, *pg)) {
                p.push(format!(
                    "no exceptions.csv row for {file} names page {pg}: {named:?}"
                ));
            }
        }
        let lines = run.stderr_lines_naming(file);
        if lines.is_empty() {
            p.push(format!("no stderr line names {file}"));
        } else if let Some(pg) = page {
            if !lines.iter().any(|l| names_page(l, file, *pg)) {
                p.push(format!(
                    "no stderr line for {file} names page {pg}: {lines:?}"
                ));
            }
        }
    }
    p
}
