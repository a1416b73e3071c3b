//! The content-stream interpreter: walks a page's operators (and the Form XObjects it draws,
//! recursively) tracking graphics and text state, and records every glyph with its code,
//! Unicode, font and quadrilateral in default user space, every image placement, and enough
//! about each text-showing operator for the rewriter to re-emit it without some glyphs.
//!
//! Invisible text (render mode 3), white text and text outside the crop box are recorded like
//! any other: what a viewer hides, an extractor still finds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::fonts::{Font, UnicodeSource};
use super::geom::{Matrix, Rect};
use super::objects::{get_array, get_dict, get_name, number, numbers, resolve, stream_bytes};

/// Deepest Form XObject nesting followed.
const MAX_FORM_DEPTH: usize = 24;
/// Most glyphs one page may show before it is refused as hostile.
const MAX_GLYPHS: usize = 4_000_000;

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("content stream does not parse: {0}")]
    Content(String),
    #[error("font {font}: {reason}")]
    Font { font: String, reason: String },
    #[error("text is shown with no font selected")]
    NoFont,
    #[error("{0}")]
    Limit(String),
}

/// Fonts loaded once per document and shared by every page that uses them.
#[derive(Default)]
pub struct FontCache {
    loaded: Mutex<HashMap<ObjectId, Result<Arc<Font>, String>>>,
}

impl FontCache {
    fn get(
        &self,
        doc: &Document,
        id: Option<ObjectId>,
        dict: &Dictionary,
    ) -> Result<Arc<Font>, String> {
        let Some(id) = id else {
            return Font::load(doc, dict, None).map(Arc::new);
        };
        if let Some(f) = self
            .loaded
            .lock()
            .map_err(|_| "font cache poisoned")?
            .get(&id)
        {
            return f.clone();
        }
        let f = Font::load(doc, dict, Some(id)).map(Arc::new);
        self.loaded
            .lock()
            .map_err(|_| "font cache poisoned")?
            .insert(id, f.clone());
        f
    }
}

/// A content stream as drawn once: the page itself, or one invocation of a Form XObject.
#[derive(Debug)]
pub struct Site {
    pub ops: Vec<Operation>,
    /// Inline images cut out of the stream before parsing, by placeholder index.
    pub inline_images: Vec<Vec<u8>>,
    pub kind: SiteKind,
    /// The resources its names were looked up in (the form's own or inherited).
    pub resources: Option<Dictionary>,
}

#[derive(Debug, Clone, Copy)]
pub enum SiteKind {
    Page,
    Form {
        id: ObjectId,
        parent: usize,
        op_index: usize,
    },
}

/// One text-showing operator as interpreted.
#[derive(Debug)]
pub struct ShowOp {
    pub site: usize,
    pub op_index: usize,
    /// Text matrix at the first glyph (after the implicit `T*` of `'` and `"`).
    pub tm_before: Matrix,
    /// Text line matrix in force for this operator.
    pub tlm: Matrix,
    pub items: Vec<ShowItem>,
}

#[derive(Debug)]
pub enum ShowItem {
    /// A glyph: its code bytes, its origin as a text-space offset from `tm_before`, and its
    /// index in the page's glyph list.
    Glyph {
        bytes: Vec<u8>,
        offset: (f64, f64),
        glyph: usize,
    },
    /// A `TJ` number (thousandths of text space).
    Adjust(f64),
}

#[derive(Debug, Clone)]
pub struct PageGlyph {
    pub show: usize,
    pub code: u32,
    /// Bytes in the code (1 for simple fonts; 1-4 for composite fonts).
    pub code_len: usize,
    pub unicode: Option<String>,
    pub source: UnicodeSource,
    pub font: Arc<Font>,
    pub font_size: f64,
    pub render_mode: i64,
    /// Corners in default user space: baseline start, baseline end, top end, top start.
    pub quad: [(f64, f64); 4],
    pub origin: (f64, f64),
    pub end: (f64, f64),
    /// Unit vectors along and across the baseline, and the em height, in user space.
    pub dir: (f64, f64),
    pub up: (f64, f64),
    pub size: f64,
}

impl PageGlyph {
    pub fn bbox(&self) -> Rect {
        Rect::from_points(&self.quad)
    }

    pub fn is_space(&self) -> bool {
        self.unicode
            .as_deref()
            .is_some_and(|u| !u.is_empty() && u.chars().all(char::is_whitespace))
    }
}

#[derive(Debug, Clone)]
pub struct ImagePlacement {
    pub bbox: Rect,
    pub site: usize,
}

/// Everything the interpreter saw on one page.
#[derive(Debug, Default)]
pub struct PageScan {
    pub sites: Vec<Site>,
    pub shows: Vec<ShowOp>,
    pub glyphs: Vec<PageGlyph>,
    pub images: Vec<ImagePlacement>,
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Arc<Font>>,
    font_error: Option<(String, String)>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scale: f64,
    leading: f64,
    rise: f64,
    render_mode: i64,
}

impl GState {
    fn new(ctm: Matrix) -> Self {
        GState {
            ctm,
            font: None,
            font_error: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
            render_mode: 0,
        }
    }
}

pub struct Interpreter<'a> {
    doc: &'a Document,
    fonts: &'a FontCache,
    scan: PageScan,
    form_stack: Vec<ObjectId>,
}

/// Decoded, concatenated content of a page.
pub fn page_content(doc: &Document, page: &Dictionary) -> Result<Vec<u8>, ScanError> {
    let mut out = Vec::new();
    let parts: Vec<&Object> = match page.get(b"Contents").ok().map(|o| resolve(doc, o)) {
        Some(Object::Array(a)) => a.iter().collect(),
        Some(o @ Object::Stream(_)) => vec![o],
        _ => vec![],
    };
    for p in parts {
        if let Object::Stream(s) = resolve(doc, p) {
            out.extend(stream_bytes(s).map_err(ScanError::Content)?);
            out.push(b'\n');
        }
    }
    Ok(out)
}

/// The resources a page uses, inherited from the page tree when the page has none.
pub fn page_resources<'a>(doc: &'a Document, page: &'a Dictionary) -> Option<&'a Dictionary> {
    let mut node = page;
    for _ in 0..64 {
        if let Some(r) = get_dict(doc, node, b"Resources") {
            return Some(r);
        }
        node = get_dict(doc, node, b"Parent")?;
    }
    None
}

/// Parses a content stream, all of it. A lenient parse that stops at the first thing it
/// does not understand would silently hide every glyph after it from the search, so a stream
/// that does not parse to its end is an error.
/// Inline images are cut out first (see [`super::inline_image`]) and returned beside the
/// operators, to be put back when the stream is written.
pub fn decode_ops(bytes: &[u8]) -> Result<(Vec<Operation>, Vec<Vec<u8>>), ScanError> {
    let (bytes, images) = super::inline_image::cut(bytes);
    let bytes = &bytes[..];
    Content::decode_strict(bytes).map(|c| (c.operations, images)).map_err(|_| {
        let parsed = Content::decode(bytes).map(|c| c.operations.len()).unwrap_or(0);
        ScanError::Content(format!(
            "it stops making sense after {parsed} operators (unbalanced string or array, or an inline image this reader cannot skip)"
        ))
    })
}

impl<'a> Interpreter<'a> {
    pub fn new(doc: &'a Document, fonts: &'a FontCache) -> Self {
        Interpreter {
            doc,
            fonts,
            scan: PageScan::default(),
            form_stack: Vec::new(),
        }
    }

    /// Interprets one page.
    pub fn scan_page(mut self, page_id: ObjectId) -> Result<PageScan, ScanError> {
        let page = self
            .doc
            .get_dictionary(page_id)
            .map_err(|e| ScanError::Content(format!("page object: {e}")))?;
        let (ops, inline) = decode_ops(&page_content(self.doc, page)?)?;
        let resources = page_resources(self.doc, page);
        self.run_site(ops, inline, SiteKind::Page, resources, Matrix::IDENTITY)?;
        Ok(self.scan)
    }

    /// Interprets a free-standing content stream (an annotation appearance) for its text.
    pub fn scan_stream(
        mut self,
        ops: Vec<Operation>,
        resources: Option<&'a Dictionary>,
    ) -> Result<PageScan, ScanError> {
        self.run_site(ops, Vec::new(), SiteKind::Page, resources, Matrix::IDENTITY)?;
        Ok(self.scan)
    }

    fn run_site(
        &mut self,
        ops: Vec<Operation>,
        inline_images: Vec<Vec<u8>>,
        kind: SiteKind,
        resources: Option<&'a Dictionary>,
        ctm: Matrix,
    ) -> Result<(), ScanError> {
        let site = self.scan.sites.len();
        self.scan.sites.push(Site {
            ops: Vec::new(),
            inline_images,
            kind,
            resources: resources.cloned(),
        });
        let mut gs = GState::new(ctm);
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = Matrix::IDENTITY;
        let mut tlm = Matrix::IDENTITY;

        for (idx, op) in ops.iter().enumerate() {
            let nums = || -> Vec<f64> { op.operands.iter().filter_map(number).collect() };
            match op.operator.as_str() {
                "q" if stack.len() < 4096 => stack.push(gs.clone()),
                "Q" => {
                    if let Some(g) = stack.pop() {
                        gs = g;
                    }
                }
                "cm" => {
                    if let Some(m) = Matrix::from_operands(&nums()) {
                        if m.is_finite() {
                            gs.ctm = m.then(&gs.ctm);
                        }
                    }
                }
                "BT" => {
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                }
                "Tc" => gs.char_spacing = nums().first().copied().unwrap_or(0.0),
                "Tw" => gs.word_spacing = nums().first().copied().unwrap_or(0.0),
                "Tz" => gs.scale = nums().first().copied().unwrap_or(100.0) / 100.0,
                "TL" => gs.leading = nums().first().copied().unwrap_or(0.0),
                "Ts" => gs.rise = nums().first().copied().unwrap_or(0.0),
                "Tr" => gs.render_mode = nums().first().copied().unwrap_or(0.0) as i64,
                "Tf" => {
                    gs.size = op.operands.get(1).and_then(number).unwrap_or(0.0);
                    let name = match op.operands.first() {
                        Some(Object::Name(n)) => n.clone(),
                        _ => Vec::new(),
                    };
                    self.select_font(&mut gs, resources, &name);
                }
                "gs" => {
                    if let Some(Object::Name(n)) = op.operands.first() {
                        self.apply_ext_gstate(&mut gs, resources, n);
                    }
                }
                "Td" | "TD" => {
                    let n = nums();
                    if let [tx, ty] = n[..] {
                        if op.operator == "TD" {
                            gs.leading = -ty;
                        }
                        tlm = Matrix::translate(tx, ty).then(&tlm);
                        tm = tlm;
                    }
                }
                "Tm" => {
                    if let Some(m) = Matrix::from_operands(&nums()).filter(Matrix::is_finite) {
                        tm = m;
                        tlm = m;
                    }
                }
                "T*" => {
                    tlm = Matrix::translate(0.0, -gs.leading).then(&tlm);
                    tm = tlm;
                }
                "Tj" | "TJ" | "'" | "\"" => {
                    if op.operator == "\"" {
                        let n = nums();
                        if n.len() >= 2 {
                            gs.word_spacing = n[0];
                            gs.char_spacing = n[1];
                        }
                    }
                    if op.operator == "'" || op.operator == "\"" {
                        tlm = Matrix::translate(0.0, -gs.leading).then(&tlm);
                        tm = tlm;
                    }
                    self.show(site, idx, op, &gs, &mut tm, &tlm)?;
                }
                "Do" => match op.operands.first() {
                    Some(Object::Name(n))
                        if super::inline_image::placeholder_index(n).is_some() =>
                    {
                        self.scan.images.push(ImagePlacement {
                            bbox: Rect::unit_square(&gs.ctm),
                            site,
                        })
                    }
                    Some(Object::Name(n)) => self.draw_xobject(site, idx, n, resources, &gs)?,
                    _ => {}
                },
                "BI" => self.scan.images.push(ImagePlacement {
                    bbox: Rect::unit_square(&gs.ctm),
                    site,
                }),
                _ => {}
            }
        }
        self.scan.sites[site].ops = ops;
        Ok(())
    }

    fn select_font(&mut self, gs: &mut GState, resources: Option<&'a Dictionary>, name: &[u8]) {
        gs.font = None;
        gs.font_error = None;
        let label = String::from_utf8_lossy(name).into_owned();
        let found = resources
            .and_then(|r| get_dict(self.doc, r, b"Font"))
            .and_then(|fd| {
                let raw = fd.get(name).ok()?;
                let id = match raw {
                    Object::Reference(id) => Some(*id),
                    _ => None,
                };
                let dict = match resolve(self.doc, raw) {
                    Object::Dictionary(d) => d,
                    _ => return None,
                };
                Some((id, dict))
            });
        match found {
            Some((id, dict)) => match self.fonts.get(self.doc, id, dict) {
                Ok(f) => gs.font = Some(f),
                Err(e) => gs.font_error = Some((label, e)),
            },
            None => gs.font_error = Some((label, "not found in the page resources".to_string())),
        }
    }

    fn apply_ext_gstate(
        &mut self,
        gs: &mut GState,
        resources: Option<&'a Dictionary>,
        name: &[u8],
    ) {
        let Some(egs) = resources
            .and_then(|r| get_dict(self.doc, r, b"ExtGState"))
            .and_then(|d| get_dict(self.doc, d, name))
        else {
            return;
        };
        if let Some(arr) = get_array(self.doc, egs, b"Font") {
            if let (Some(Object::Reference(id)), Some(size)) =
                (arr.first(), arr.get(1).and_then(number))
            {
                if let Ok(dict) = self.doc.get_dictionary(*id) {
                    gs.size = size;
                    match self.fonts.get(self.doc, Some(*id), dict) {
                        Ok(f) => {
                            gs.font = Some(f);
                            gs.font_error = None;
                        }
                        Err(e) => gs.font_error = Some((format!("{} {} R", id.0, id.1), e)),
                    }
                }
            }
        }
    }

    fn show(
        &mut self,
        site: usize,
        op_index: usize,
        op: &Operation,
        gs: &GState,
        tm: &mut Matrix,
        tlm: &Matrix,
    ) -> Result<(), ScanError> {
        let font = match (&gs.font, &gs.font_error) {
            (Some(f), _) => f.clone(),
            (None, Some((name, reason))) => {
                return Err(ScanError::Font {
                    font: name.clone(),
                    reason: reason.clone(),
                })
            }
            (None, None) => return Err(ScanError::NoFont),
        };
        let parts: Vec<&Object> = match op.operator.as_str() {
            "TJ" => match op.operands.first() {
                Some(Object::Array(a)) => a.iter().collect(),
                _ => vec![],
            },
            _ => op.operands.last().into_iter().collect(),
        };
        let show_index = self.scan.shows.len();
        let tm_before = *tm;
        let mut items = Vec::new();
        let (mut ox, mut oy) = (0.0f64, 0.0f64);
        let fs = gs.size;
        let th = gs.scale;
        for part in parts {
            match part {
                Object::String(bytes, _) => {
                    for g in font.split_codes(bytes) {
                        let code_bytes = bytes[g.start..g.start + g.len].to_vec();
                        let w0 = font.width(&g);
                        let here = Matrix::translate(ox, oy).then(&tm_before);
                        let trm = Matrix::new(fs * th, 0.0, 0.0, fs, 0.0, gs.rise)
                            .then(&here)
                            .then(&gs.ctm);
                        let quad = if font.vertical {
                            let (x0, x1) = (-w0 / 2.0, w0 / 2.0);
                            let (y0, y1) = (font.descent - 0.88, font.ascent - 0.88);
                            [
                                trm.apply(x0, y0),
                                trm.apply(x1, y0),
                                trm.apply(x1, y1),
                                trm.apply(x0, y1),
                            ]
                        } else {
                            let (d, a) = (font.descent, font.ascent);
                            [
                                trm.apply(0.0, d),
                                trm.apply(w0, d),
                                trm.apply(w0, a),
                                trm.apply(0.0, a),
                            ]
                        };
                        let (u, source) = font.unicode(&g);
                        let along = trm.apply_vector(1.0, 0.0);
                        let across = trm.apply_vector(0.0, 1.0);
                        let size = (across.0 * across.0 + across.1 * across.1).sqrt();
                        let len = (along.0 * along.0 + along.1 * along.1).sqrt().max(1e-9);
                        let glyph_index = self.scan.glyphs.len();
                        if glyph_index >= MAX_GLYPHS {
                            return Err(ScanError::Limit(format!(
                                "more than {MAX_GLYPHS} glyphs on one page"
                            )));
                        }
                        self.scan.glyphs.push(PageGlyph {
                            show: show_index,
                            code: g.code,
                            code_len: g.len,
                            unicode: u.map(|c| c.into_owned()),
                            source,
                            font: font.clone(),
                            font_size: fs,
                            render_mode: gs.render_mode,
                            quad,
                            origin: trm.apply(0.0, 0.0),
                            end: trm.apply(w0, 0.0),
                            dir: (along.0 / len, along.1 / len),
                            up: (across.0 / size.max(1e-9), across.1 / size.max(1e-9)),
                            size,
                        });
                        items.push(ShowItem::Glyph {
                            bytes: code_bytes,
                            offset: (ox, oy),
                            glyph: glyph_index,
                        });
                        let spacing = gs.char_spacing
                            + if g.len == 1 && g.code == 32 {
                                gs.word_spacing
                            } else {
                                0.0
                            };
                        if font.vertical {
                            oy += font.vertical_advance(&g) * fs + spacing;
                        } else {
                            ox += (w0 * fs + spacing) * th;
                        }
                    }
                }
                other => {
                    if let Some(n) = number(other) {
                        items.push(ShowItem::Adjust(n));
                        if font.vertical {
                            oy -= n / 1000.0 * fs;
                        } else {
                            ox -= n / 1000.0 * fs * th;
                        }
                    }
                }
            }
        }
        *tm = Matrix::translate(ox, oy).then(&tm_before);
        self.scan.shows.push(ShowOp {
            site,
            op_index,
            tm_before,
            tlm: *tlm,
            items,
        });
        Ok(())
    }

    fn draw_xobject(
        &mut self,
        site: usize,
        op_index: usize,
        name: &[u8],
        resources: Option<&'a Dictionary>,
        gs: &GState,
    ) -> Result<(), ScanError> {
        let doc = self.doc;
        let Some(xobjects) = resources.and_then(|r| get_dict(doc, r, b"XObject")) else {
            return Ok(());
        };
        let Ok(raw) = xobjects.get(name) else {
            return Ok(());
        };
        let Object::Stream(stream) = resolve(doc, raw) else {
            return Ok(());
        };
        match get_name(doc, &stream.dict, b"Subtype") {
            Some(b"Image") => {
                self.scan.images.push(ImagePlacement {
                    bbox: Rect::unit_square(&gs.ctm),
                    site,
                });
                Ok(())
            }
            Some(b"Form") => {
                let Object::Reference(id) = raw else {
                    return Err(ScanError::Content(
                        "a Form XObject is not an indirect object".into(),
                    ));
                };
                if self.form_stack.contains(id) {
                    return Err(ScanError::Limit(format!(
                        "Form XObject {} {} R draws itself",
                        id.0, id.1
                    )));
                }
                if self.form_stack.len() >= MAX_FORM_DEPTH {
                    return Err(ScanError::Limit(format!(
                        "Form XObjects nested deeper than {MAX_FORM_DEPTH}"
                    )));
                }
                let matrix = get_array(doc, &stream.dict, b"Matrix")
                    .and_then(|a| numbers(doc, a))
                    .and_then(|m| Matrix::from_operands(&m))
                    .filter(Matrix::is_finite)
                    .unwrap_or(Matrix::IDENTITY);
                let bytes = stream_bytes(stream).map_err(ScanError::Content)?;
                let (ops, inline) = decode_ops(&bytes)?;
                let form_resources = get_dict(doc, &stream.dict, b"Resources").or(resources);
                self.form_stack.push(*id);
                let result = self.run_site(
                    ops,
                    inline,
                    SiteKind::Form {
                        id: *id,
                        parent: site,
                        op_index,
                    },
                    form_resources,
                    matrix.then(&gs.ctm),
                );
                self.form_stack.pop();
                result
            }
            _ => Ok(()),
        }
    }
}
