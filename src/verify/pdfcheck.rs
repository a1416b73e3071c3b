//! Checking one PDF of the bundle, without any of the code that redacted it.
//!
//! Two readers look at every PDF: pdf-extract (its own parser, an older lopdf) extracts the
//! text a reader would see, and lopdf 0.47 walks every object: each string and name, each
//! stream decoded, each dictionary checked for what a disclosed PDF must not carry
//! (metadata, annotations, forms, JavaScript, attachments, encryption). Whatever cannot be
//! read is a finding: a PDF we cannot check is never a pass.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::scan::{latin1, pdf_string_readings, readings, Forbidden};

/// Decoded streams larger than this are not scanned: a finding.
const MAX_STREAM: usize = 256 << 20;
/// Info keys a disclosed PDF must leave unset: they name people or describe the content.
const PERSONAL_INFO_KEYS: [&str; 5] = ["Title", "Author", "Subject", "Keywords", "Creator"];
/// Image codecs: pixels, not text; nothing to decode for a term.
const IMAGE_FILTERS: [&[u8]; 4] = [
    b"DCTDecode",
    b"JPXDecode",
    b"CCITTFaxDecode",
    b"JBIG2Decode",
];

/// What one PDF gave: its page count (0 if it did not parse) and its problems.
pub(crate) struct PdfCheck {
    pub pages: usize,
    pub problems: Vec<String>,
}

pub(crate) fn check_pdf(bytes: &[u8], terms: &Forbidden) -> PdfCheck {
    let mut problems = Problems::default();
    check_extracted_text(bytes, terms, &mut problems);
    let pages = match Document::load_mem(bytes) {
        Ok(doc) => {
            let mut walker = Walker::new(&doc, terms, &mut problems);
            walker.check_document();
            doc.get_pages().len()
        }
        Err(e) => {
            problems.add(format!("is not a readable PDF ({e})"));
            0
        }
    };
    PdfCheck {
        pages,
        problems: problems.list,
    }
}

/// Problems in the order found, each once.
#[derive(Default)]
struct Problems {
    seen: HashSet<String>,
    list: Vec<String>,
}

impl Problems {
    fn add(&mut self, p: String) {
        if self.seen.insert(p.clone()) {
            self.list.push(p);
        }
    }
    fn terms(&mut self, hits: BTreeSet<String>, place: &str) {
        for t in hits {
            self.add(format!("forbidden term {t:?} in {place}"));
        }
    }
}

/// The text pdf-extract reads, scanned for terms. pdf-extract panics on some inputs; a
/// panic, like an error, means the text could not be checked.
fn check_extracted_text(bytes: &[u8], terms: &Forbidden, problems: &mut Problems) {
    check_text_from(
        || pdf_extract::extract_text_from_mem(bytes),
        terms,
        problems,
    );
}

fn check_text_from<E: std::fmt::Display>(
    extract: impl FnOnce() -> Result<String, E>,
    terms: &Forbidden,
    problems: &mut Problems,
) {
    match catch_unwind(AssertUnwindSafe(extract)) {
        Ok(Ok(text)) => problems.terms(terms.hits(&text), "extracted text"),
        Ok(Err(e)) => problems.add(format!("could not extract text: {e}")),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            problems.add(format!(
                "could not extract text: the extractor crashed ({msg})"
            ));
        }
    }
}

struct Walker<'a> {
    doc: &'a Document,
    terms: &'a Forbidden,
    problems: &'a mut Problems,
    /// Page object id to page number, for messages.
    page_numbers: HashMap<ObjectId, u32>,
    /// Streams drawn as page content, parsed for the text they show.
    content_streams: HashSet<ObjectId>,
    /// Font programs and ICC colour profiles, found through the objects that use them.
    binary_payloads: HashSet<ObjectId>,
}

impl<'a> Walker<'a> {
    fn new(doc: &'a Document, terms: &'a Forbidden, problems: &'a mut Problems) -> Self {
        let pages = doc.get_pages();
        let page_numbers = pages.iter().map(|(n, id)| (*id, *n)).collect();
        let content_streams = pages
            .values()
            .flat_map(|id| doc.get_page_contents(*id))
            .collect();
        Self {
            doc,
            terms,
            problems,
            page_numbers,
            content_streams,
            binary_payloads: binary_payloads(doc),
        }
    }

    fn check_document(&mut self) {
        if self.doc.was_encrypted() || self.doc.trailer.get(b"Encrypt").is_ok() {
            self.problems.add("the PDF is encrypted".into());
        }
        if self.page_numbers.is_empty() {
            self.problems.add("has no pages".into());
        }
        self.check_info();
        self.check_catalog();
        let trailer = Object::Dictionary(self.doc.trailer.clone());
        self.walk(&trailer, "the trailer");
        for (id, obj) in &self.doc.objects {
            let place = match self.page_numbers.get(id) {
                Some(p) => format!("page {p} (object {})", id.0),
                None => format!("object {}", id.0),
            };
            self.walk(obj, &place);
            if let Object::Stream(s) = obj {
                self.check_stream(*id, s);
            }
        }
    }

    fn deref(&self, o: &'a Object) -> &'a Object {
        match self.doc.dereference(o) {
            Ok((_, o)) => o,
            Err(_) => &Object::Null,
        }
    }

    /// The document information dictionary: the fields that describe a person or the content
    /// must be empty (the rest is scanned for terms with every other string).
    fn check_info(&mut self) {
        let Ok(info) = self.doc.trailer.get(b"Info") else {
            return;
        };
        let Object::Dictionary(info) = self.deref(info) else {
            return;
        };
        for key in PERSONAL_INFO_KEYS {
            let set = match info.get(key.as_bytes()).map(|v| self.deref(v)) {
                Ok(Object::String(s, _)) => pdf_string_readings(s)
                    .first()
                    .is_some_and(|r| !r.trim().is_empty()),
                Ok(Object::Null) | Err(_) => false,
                Ok(_) => true,
            };
            if set {
                self.problems.add(format!(
                    "document metadata /{key} is set (it must be empty)"
                ));
            }
        }
    }

    fn check_catalog(&mut self) {
        let Ok(catalog) = self.doc.catalog() else {
            self.problems
                .add("has no document catalog (cannot be checked)".into());
            return;
        };
        if let Ok(form) = catalog.get(b"AcroForm") {
            if let Object::Dictionary(form) = self.deref(form) {
                let fields = form
                    .get(b"Fields")
                    .map(|f| match self.deref(f) {
                        Object::Array(a) => !a.is_empty(),
                        _ => false,
                    })
                    .unwrap_or(false);
                if fields || form.has(b"XFA") {
                    self.problems.add("has form fields (AcroForm)".into());
                }
            }
        }
        if let Ok(action) = catalog.get(b"OpenAction") {
            if let Object::Dictionary(action) = self.deref(action) {
                if action.has(b"JS") || name_is(action, b"S", b"JavaScript") {
                    self.problems
                        .add("runs JavaScript when opened (/OpenAction)".into());
                }
            }
        }
    }

    /// Every dictionary, string and name inside `o` (inline values; referenced objects are
    /// visited in their own right).
    fn walk(&mut self, o: &Object, place: &str) {
        match o {
            Object::String(b, _) => {
                let mut hits = BTreeSet::new();
                for r in pdf_string_readings(b) {
                    hits.extend(self.terms.hits(&r));
                }
                self.problems.terms(hits, &format!("a string in {place}"));
            }
            Object::Name(n) => {
                let hits = self.terms.hits(&latin1(n));
                self.problems.terms(hits, &format!("a name in {place}"));
            }
            Object::Array(a) => a.iter().for_each(|x| self.walk(x, place)),
            Object::Dictionary(d) => self.check_dict(d, place),
            Object::Stream(s) => self.check_dict(&s.dict, place),
            _ => {}
        }
    }

    fn check_dict(&mut self, d: &Dictionary, place: &str) {
        if d.has(b"JS") || d.has(b"JavaScript") || name_is(d, b"S", b"JavaScript") {
            self.problems.add(format!("holds JavaScript ({place})"));
        }
        if name_is(d, b"S", b"Launch") {
            self.problems
                .add(format!("holds an action that launches a program ({place})"));
        }
        if d.has(b"EmbeddedFiles") || d.has(b"EF") || name_is(d, b"Type", b"EmbeddedFile") {
            self.problems
                .add(format!("holds an embedded file ({place})"));
        }
        if name_is(d, b"Subtype", b"FileAttachment") {
            self.problems
                .add(format!("holds a file attachment annotation ({place})"));
        }
        if let Ok(annots) = d.get(b"Annots") {
            let n = match self.deref(annots) {
                Object::Array(a) => a.len(),
                Object::Null => 0,
                _ => 1,
            };
            if n > 0 {
                self.problems.add(format!(
                    "{place} has {n} annotation{}",
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
        for (k, v) in d.iter() {
            let hits = self.terms.hits(&latin1(k));
            self.problems.terms(hits, &format!("a key in {place}"));
            self.walk(v, place);
        }
    }

    /// A stream's decoded bytes, scanned in every reading; page content is also parsed so
    /// text split across kerned pieces (`[(Ja) -20 (yden)] TJ`) is scanned joined up.
    fn check_stream(&mut self, id: ObjectId, s: &Stream) {
        let xmp = name_is(&s.dict, b"Type", b"Metadata");
        let place = if xmp {
            format!("XMP metadata (object {})", id.0)
        } else {
            format!("stream {}", id.0)
        };
        let filters: Vec<Vec<u8>> = match s.filters() {
            Ok(f) => f.into_iter().map(<[u8]>::to_vec).collect(),
            Err(_) => Vec::new(),
        };
        if self.is_binary_payload(id, s)
            || filters
                .iter()
                .any(|f| IMAGE_FILTERS.contains(&f.as_slice()))
        {
            return;
        }
        let data = if filters.is_empty() {
            Ok(s.content.clone())
        } else {
            s.decompressed_content_with_limit(MAX_STREAM)
        };
        let data = match data {
            Ok(d) => d,
            Err(e) => {
                let names: Vec<String> = filters.iter().map(|f| latin1(f)).collect();
                self.problems.add(format!(
                    "{place} cannot be decoded ({}: {e}), so cannot be shown clean",
                    names.join(", ")
                ));
                return;
            }
        };
        let is_form = name_is(&s.dict, b"Subtype", b"Form");
        if is_form || self.content_streams.contains(&id) {
            // Page content keeps its text in string operands, and one word is often drawn in
            // pieces ("(Zara Le) Tj … (wis) Tj"): a piece's end is not a word's end, so content
            // is read operator by operator rather than as raw bytes.
            if !self.terms.is_empty() {
                self.check_shown_text(&data, &place);
            }
            return;
        }
        let hits = if xmp {
            // Markup names are not content ("rdf:li" would match a person called Li).
            let mut hits = BTreeSet::new();
            for r in readings(&data) {
                hits.extend(self.terms.hits(&strip_xml_names(&r)));
            }
            hits
        } else {
            self.terms.hits_in_bytes(&data)
        };
        self.problems.terms(hits, &place);
    }

    /// Pixels, glyph outlines and colour tables are not text, and read as text they spell
    /// short names by chance; the text that travels with them (font names, image metadata)
    /// is in their dictionaries, which are scanned like every other.
    fn is_binary_payload(&self, id: ObjectId, s: &Stream) -> bool {
        let d = &s.dict;
        self.binary_payloads.contains(&id)
            || name_is(d, b"Subtype", b"Image")
            || name_is(d, b"Type", b"XRef")
            || d.has(b"Length1")
            || d.has(b"Length2")
            || d.has(b"Length3")
            || [b"Type1C".as_slice(), b"CIDFontType0C", b"OpenType"]
                .iter()
                .any(|t| name_is(d, b"Subtype", t))
    }

    /// Parses page content and scans its strings: those shown on the page (Tj, TJ, ', ")
    /// joined in drawing order, so a word drawn in pieces is read whole; every other string
    /// (marked-content properties, /ActualText) alone, escapes resolved. Words that the joining
    /// runs together ("(Zara) Tj 5 0 Td (Lê) Tj") are the extracted-text check's to find.
    fn check_shown_text(&mut self, data: &[u8], place: &str) {
        let Ok(content) = Content::decode(data) else {
            self.problems
                .add(format!("{place} is page content that cannot be parsed"));
            return;
        };
        let mut shown = Vec::new();
        let mut hits = BTreeSet::new();
        for op in &content.operations {
            let mut strings = Vec::new();
            op.operands
                .iter()
                .for_each(|o| collect_strings(o, &mut strings));
            if matches!(op.operator.as_str(), "Tj" | "TJ" | "'" | "\"") {
                strings.iter().for_each(|s| shown.extend_from_slice(s));
            } else {
                for s in &strings {
                    for r in pdf_string_readings(s) {
                        hits.extend(self.terms.hits(&r));
                    }
                }
            }
        }
        hits.extend(self.terms.hits_in_bytes(&shown));
        self.problems.terms(hits, &format!("text shown by {place}"));
    }
}

/// Streams that hold font programs (`/FontFile*` of a font descriptor) or ICC profiles
/// (`[/ICCBased ref]`).
fn binary_payloads(doc: &Document) -> HashSet<ObjectId> {
    fn visit(o: &Object, out: &mut HashSet<ObjectId>) {
        match o {
            Object::Array(a) => {
                if let [Object::Name(n), Object::Reference(id), ..] = a.as_slice() {
                    if n == b"ICCBased" {
                        out.insert(*id);
                    }
                }
                a.iter().for_each(|x| visit(x, out));
            }
            Object::Dictionary(d) => visit_dict(d, out),
            Object::Stream(s) => visit_dict(&s.dict, out),
            _ => {}
        }
    }
    fn visit_dict(d: &Dictionary, out: &mut HashSet<ObjectId>) {
        if name_is(d, b"Type", b"FontDescriptor") {
            for key in [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"] {
                if let Ok(Object::Reference(id)) = d.get(key) {
                    out.insert(*id);
                }
            }
        }
        d.iter().for_each(|(_, v)| visit(v, out));
    }
    let mut out = HashSet::new();
    doc.objects.values().for_each(|o| visit(o, &mut out));
    out
}

/// XML with every element and processing-instruction name (`<rdf:li`, `</dc:creator`,
/// `<?xpacket`) replaced by a space; attributes and text stay, to be scanned.
fn strip_xml_names(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut chars = xml.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '<' {
            out.push(c);
            continue;
        }
        out.push(' ');
        if matches!(chars.peek(), Some('/' | '?' | '!')) {
            chars.next();
        }
        while chars
            .peek()
            .is_some_and(|c| !c.is_whitespace() && *c != '>' && *c != '/')
        {
            chars.next();
        }
    }
    out
}

fn name_is(d: &Dictionary, key: &[u8], value: &[u8]) -> bool {
    matches!(d.get(key), Ok(Object::Name(n)) if n == value)
}

/// Every string in an operand, also inside arrays and dictionaries (a marked-content property
/// list's /ActualText or /Alt), and names (a tag can spell anything).
fn collect_strings(o: &Object, out: &mut Vec<Vec<u8>>) {
    match o {
        Object::String(b, _) | Object::Name(b) => out.push(b.clone()),
        Object::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Object::Dictionary(d) => d.iter().for_each(|(k, v)| {
            out.push(k.clone());
            collect_strings(v, out);
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, StringFormat};
    use std::path::Path;

    /// A one-page Helvetica PDF drawing `ops` (Flate-compressed), changed by `tweak`.
    fn pdf(ops: &str, tweak: impl FnOnce(&mut Document, ObjectId)) -> Vec<u8> {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        });
        let mut content = Stream::new(
            dictionary! {},
            format!("BT /F1 12 Tf 72 720 Td {ops} ET").into_bytes(),
        );
        content.compress().unwrap();
        let content_id = doc.add_object(content);
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        tweak(&mut doc, catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn check(bytes: &[u8]) -> PdfCheck {
        check_pdf(bytes, &Forbidden::new(&["Ann Smith".to_string()]).unwrap())
    }

    fn catalog_set(doc: &mut Document, catalog: ObjectId, key: &str, value: Object) {
        if let Ok(Object::Dictionary(c)) = doc.get_object_mut(catalog) {
            c.set(key, value);
        }
    }

    fn assert_problem(c: &PdfCheck, words: &[&str]) {
        assert!(
            c.problems
                .iter()
                .any(|p| words.iter().all(|w| p.contains(w))),
            "nothing mentions {words:?} in {:#?}",
            c.problems
        );
    }

    #[test]
    fn clean_pdf_has_no_problems() {
        let c = check(&pdf("(Annual review, Joanne Smithson) Tj", |_, _| {}));
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert_eq!(c.pages, 1);
    }

    #[test]
    fn kerned_and_escaped_text_is_joined_before_matching() {
        let c = check(&pdf("[(A) -20 (nn Sm) 15 (ith)] TJ", |_, _| {}));
        assert_problem(&c, &["Ann Smith", "text shown by stream"]);
        let c = check(&pdf(r"(\101nn Smith) Tj", |_, _| {}));
        assert_problem(&c, &["Ann Smith", "text shown by stream"]);
        assert!(
            !c.problems.iter().any(|p| p.ends_with("in stream 3")),
            "the raw bytes do not spell it: {:?}",
            c.problems
        );
    }

    #[test]
    fn a_piece_of_a_longer_word_is_not_a_leak_but_the_whole_name_is() {
        // "Ann Smithson" drawn in pieces: the first piece alone spells the forbidden name.
        let c = check(&pdf("(Ann Smith) Tj (son, year 9) Tj", |_, _| {}));
        assert!(
            !c.problems.iter().any(|p| p.contains("Ann Smith")),
            "{:?}",
            c.problems
        );
        let c = check(&pdf("(Ann Smith) Tj (, year 9) Tj", |_, _| {}));
        assert_problem(&c, &["Ann Smith", "text shown by stream"]);
        // A name in a marked-content property list is read on its own.
        let c = check(&pdf(
            "/Span <</ActualText (Ann Smith)>> BDC (x) Tj EMC",
            |_, _| {},
        ));
        assert_problem(&c, &["Ann Smith"]);
    }

    #[test]
    fn javascript_forms_and_attachments_are_found() {
        let c = check(&pdf("(x) Tj", |doc, cat| {
            let js = doc.add_object(dictionary! {
                "S" => "JavaScript", "JS" => Object::string_literal("app.alert(1)"),
            });
            catalog_set(doc, cat, "OpenAction", js.into());
            let field =
                doc.add_object(dictionary! { "FT" => "Tx", "T" => Object::string_literal("f") });
            catalog_set(
                doc,
                cat,
                "AcroForm",
                dictionary! { "Fields" => vec![field.into()] }.into(),
            );
            let ef = doc.add_object(Stream::new(
                dictionary! { "Type" => "EmbeddedFile" },
                b"hi".to_vec(),
            ));
            let spec = doc.add_object(dictionary! {
                "Type" => "Filespec", "F" => Object::string_literal("a.txt"),
                "EF" => dictionary! { "F" => ef },
            });
            catalog_set(
                doc,
                cat,
                "Names",
                dictionary! {
                    "EmbeddedFiles" => dictionary! {
                        "Names" => vec![Object::string_literal("a.txt"), spec.into()],
                    },
                }
                .into(),
            );
        }));
        assert_problem(&c, &["JavaScript", "/OpenAction"]);
        assert_problem(&c, &["holds JavaScript"]);
        assert_problem(&c, &["form fields"]);
        assert_problem(&c, &["embedded file"]);
    }

    #[test]
    fn metadata_is_found() {
        let c = check(&pdf("(x) Tj", |doc, cat| {
            let xmp = doc.add_object(Stream::new(
                dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
                b"<x:xmpmeta><dc:creator>Ann   Smith</dc:creator></x:xmpmeta>".to_vec(),
            ));
            catalog_set(doc, cat, "Metadata", xmp.into());
            let utf16: Vec<u8> = [0xFE, 0xFF]
                .into_iter()
                .chain("by ANN SMITH".encode_utf16().flat_map(|u| u.to_be_bytes()))
                .collect();
            let info = doc.add_object(dictionary! {
                "Title" => Object::string_literal("Referral"),
                "Author" => Object::String(Vec::new(), StringFormat::Literal),
                "Producer" => Object::String(utf16, StringFormat::Hexadecimal),
            });
            doc.trailer.set("Info", info);
        }));
        assert_problem(&c, &["Ann Smith", "XMP metadata"]);
        assert_problem(&c, &["Ann Smith", "a string in object"]);
        assert_problem(&c, &["/Title is set"]);
        assert!(
            !c.problems.iter().any(|p| p.contains("/Author")),
            "an empty Author is fine: {:?}",
            c.problems
        );
    }

    #[test]
    fn encrypted_and_broken_pdfs_fail_closed() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pdf/leaks");
        let owner_only = std::fs::read(dir.join("encrypted-owner-only.pdf")).unwrap();
        assert_problem(&check(&owner_only), &["encrypted"]);
        let user = std::fs::read(dir.join("encrypted-user-password.pdf")).unwrap();
        let c = check(&user);
        assert_problem(&c, &["the PDF is encrypted"]);
        let c = check(b"%PDF-1.7\n1 0 obj << /Type /Catalog");
        assert_problem(&c, &["not a readable PDF"]);
        assert_eq!(c.pages, 0);
    }

    #[test]
    fn xml_names_are_not_content() {
        assert_eq!(
            strip_xml_names("<rdf:li xml:lang=\"x\">Li Wei</rdf:li><?xpacket end='w'?>"),
            "  xml:lang=\"x\">Li Wei >  end='w'?>"
        );
        let terms = Forbidden::new(&["Li".to_string()]).unwrap();
        let c = check_pdf(
            &pdf("(x) Tj", |doc, cat| {
                let xmp = doc.add_object(Stream::new(
                    dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
                    b"<rdf:Seq><rdf:li>Report</rdf:li></rdf:Seq>".to_vec(),
                ));
                catalog_set(doc, cat, "Metadata", xmp.into());
            }),
            &terms,
        );
        assert!(c.problems.is_empty(), "{:?}", c.problems);
    }

    #[test]
    fn font_programs_and_pixels_are_not_read_as_text() {
        let c = check(&pdf("(x) Tj", |doc, _| {
            let font_file = doc.add_object(Stream::new(
                dictionary! { "Length1" => 20 },
                b"\x00\x01 Ann Smith \x02".to_vec(),
            ));
            doc.add_object(dictionary! {
                "Type" => "FontDescriptor", "FontName" => "ABCDEF+Sans",
                "FontFile2" => font_file,
            });
            doc.add_object(Stream::new(
                dictionary! { "Subtype" => "Image", "Width" => 9, "Height" => 1 },
                b"Ann Smith".to_vec(),
            ));
        }));
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        // Their dictionaries are still scanned.
        let c = check(&pdf("(x) Tj", |doc, _| {
            doc.add_object(dictionary! {
                "Type" => "FontDescriptor", "FontName" => "AnnSmith-Handwriting",
            });
        }));
        assert_problem(&c, &["Ann Smith", "a name in object"]);
    }

    #[test]
    fn an_extractor_panic_is_a_finding() {
        let terms = Forbidden::new(&[]).unwrap();
        let mut problems = Problems::default();
        check_text_from(
            || -> Result<String, String> { panic!("index out of bounds") },
            &terms,
            &mut problems,
        );
        assert_eq!(
            problems.list,
            ["could not extract text: the extractor crashed (index out of bounds)"]
        );
        let mut problems = Problems::default();
        check_text_from(|| Err("bad xref"), &terms, &mut problems);
        assert_eq!(problems.list, ["could not extract text: bad xref"]);
    }
}
