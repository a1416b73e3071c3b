//! Throughput benches for the redaction engine (divan).
//!
//!   cargo bench --bench redact                 all benches
//!   cargo bench --bench redact -- redact_pdf   only the PDF ones
//!
//! * `redact_pdf/mis_report`: pages per second of `disclose::pdf::redact_pdf` on a 10-page
//!   MIS-style pupil report (40 table rows a page: name, UPN, date of birth, attendance),
//!   generated here with lopdf so the bench needs no files: standard-14 Helvetica with
//!   WinAnsiEncoding, names drawn with TJ kerning arrays, Flate-compressed content.
//! * `redact_pdf/fixture`: the same on the real-producer fixtures in
//!   `fixtures/pdf/producers/` that are present (read at start; missing ones are skipped).
//! * `matcher/*`: the term matcher with 5,000 names over ~1 MB of report text
//!   (`TermSet::find_all(&normalize(text))`), reported in bytes per second, plus building
//!   the 5,000-term `TermSet`.

use std::path::PathBuf;
use std::sync::LazyLock;

use divan::counter::{BytesCount, ItemsCount};
use divan::{black_box, Bencher};
use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream, StringFormat};

use disclose::pdf::redact_pdf;
use disclose::text::{normalize, TermSet};

fn main() {
    divan::main();
}

// ------------------------------------------------------------------ invented pupil data

const FIRST: &[&str] = &[
    "Oliver", "Amelia", "Jayden", "Zoë", "Siobhán", "Harry", "Grace", "Mohammed", "Sophie",
    "Ethan", "Priya", "Noah", "Isla", "Leo", "Freya", "Ruby", "Callum", "Maya", "Archie", "Evie",
    "Reuben", "Hannah", "Dylan", "Poppy", "Ibrahim", "Lily", "Tomasz", "Alfie", "Chloe", "Daniel",
    "Ella", "Finley", "Georgia", "Hamza", "Imogen", "Jack", "Kiera", "Liam", "Megan", "Nathan",
    "Olivia", "Patrick", "Rosie", "Samuel", "Tia", "Usman", "Violet", "William", "Yasmin", "Zac",
    "Amber", "Ben", "Cara", "Dev", "Erin", "Felix", "Gemma", "Aisha", "Connor", "Niamh", "Kacper",
    "Fatima", "Oscar", "Esme", "Rhys", "Ffion", "Kwame", "Amara", "Jude",
];

const LAST: &[&str] = &[
    "Bennett",
    "Hartley",
    "Okafor",
    "Brennan-Whyte",
    "O'Neill",
    "Whitfield",
    "Adeyemi",
    "Iqbal",
    "Clarke",
    "Doyle",
    "Sharma",
    "Fletcher",
    "McKenzie",
    "Kowalczyk",
    "Lindqvist",
    "Ashworth",
    "Reid",
    "Osei",
    "Turner",
    "Sutherland",
    "Cohen",
    "Mensah",
    "Evans",
    "Gallagher",
    "Hassan",
    "Fairbairn",
    "Barker",
    "Dunmore",
    "Ferreira",
    "Grant",
    "Hughes",
    "Ingram",
    "Javed",
    "Kerr",
    "Lowther",
    "Marsh",
    "Nolan",
    "Oduya",
    "Price",
    "Quinn",
    "Russo",
    "Stone",
    "Thorne",
    "Underwood",
    "Vaughan",
    "Walsh",
    "Yates",
    "Zaman",
    "Abbott",
    "Bose",
    "Carver",
    "Dlamini",
    "Eastwood",
    "Foley",
    "Greaves",
    "Hollis",
    "Rahman",
    "Patel",
    "Murphy",
    "Kaur",
    "Begum",
    "Jones",
    "Williams",
    "Davies",
    "Roberts",
    "Lewis",
    "Morgan",
    "Griffiths",
    "Edwards",
    "Mahmood",
    "Nowak",
    "Campbell",
];

/// Small deterministic generator (xorshift64*), so every run benches the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

struct Pupil {
    first: &'static str,
    last: &'static str,
    upn: String,
    dob: String,
}

fn pupils(n: usize, seed: u64) -> Vec<Pupil> {
    let mut r = Rng(seed);
    (0..n)
        .map(|_| Pupil {
            first: r.pick(FIRST),
            last: r.pick(LAST),
            upn: format!("A{:012}", r.next() % 1_000_000_000_000),
            dob: format!(
                "{:02}/{:02}/{}",
                1 + r.below(28),
                1 + r.below(12),
                2010 + r.below(3)
            ),
        })
        .collect()
}

// ------------------------------------------------------------------ the MIS report PDF

const PAGES: usize = 10;
const ROWS: usize = 40;

/// WinAnsi bytes of `s` (the data above only uses Latin-1 letters).
fn winansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '\u{2019}' => 0x92,
            '\u{2014}' => 0x97,
            c if (c as u32) < 256 => c as u8,
            _ => b'?',
        })
        .collect()
}

fn lit(s: &str) -> Object {
    Object::String(winansi(s), StringFormat::Literal)
}

fn op(name: &str, operands: Vec<Object>) -> Operation {
    Operation::new(name, operands)
}

/// `text` as a TJ array with kerning adjustments between some letter pairs, the way word
/// processors and MIS report engines emit it.
fn kerned(text: &str, r: &mut Rng) -> Object {
    let mut arr = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        cur.push(c);
        if c.is_alphabetic() && r.below(4) == 0 {
            arr.push(lit(&cur));
            arr.push(Object::Integer(-(r.below(30) as i64) + 10));
            cur.clear();
        }
    }
    if !cur.is_empty() {
        arr.push(lit(&cur));
    }
    Object::Array(arr)
}

fn text_at(ops: &mut Vec<Operation>, font: &str, size: f32, x: f32, y: f32, tj: Object) {
    ops.push(op("BT", vec![]));
    ops.push(op("Tf", vec![Object::Name(font.into()), size.into()]));
    ops.push(op("Td", vec![x.into(), y.into()]));
    match tj {
        Object::Array(_) => ops.push(op("TJ", vec![tj])),
        other => ops.push(op("Tj", vec![other])),
    }
    ops.push(op("ET", vec![]));
}

fn page_content(page: usize, rows: &[Pupil], r: &mut Rng) -> Vec<u8> {
    let mut ops = Vec::new();
    let (left, top) = (40.0_f32, 800.0_f32);
    text_at(
        &mut ops,
        "F2",
        13.0,
        left,
        top,
        lit("Riverside Academy \u{2014} Attendance register, Year 9"),
    );
    text_at(
        &mut ops,
        "F1",
        8.0,
        left,
        top - 14.0,
        lit(&format!(
            "Autumn term 2023 \u{b7} exported from the MIS on 10/10/2023 \u{b7} page {} of {PAGES}",
            page + 1
        )),
    );
    // header band and grid
    ops.push(op("q", vec![]));
    ops.push(op("rg", vec![0.85.into(), 0.88.into(), 0.95.into()]));
    ops.push(op(
        "re",
        vec![left.into(), (top - 40.0).into(), 515.into(), 14.into()],
    ));
    ops.push(op("f", vec![]));
    ops.push(op("Q", vec![]));
    let cols = [
        ("Pupil", 0.0),
        ("UPN", 150.0),
        ("DOB", 235.0),
        ("Tutor", 290.0),
        ("Sessions", 330.0),
        ("Att. %", 380.0),
        ("Notes", 420.0),
    ];
    for (h, dx) in cols {
        text_at(&mut ops, "F2", 8.0, left + 2.0 + dx, top - 36.0, lit(h));
    }
    ops.push(op("w", vec![0.4.into()]));
    ops.push(op("RG", vec![0.6.into(), 0.6.into(), 0.6.into()]));
    for (i, p) in rows.iter().enumerate() {
        let y = top - 54.0 - 17.5 * i as f32;
        let name = format!("{}, {}", p.last, p.first);
        text_at(&mut ops, "F1", 8.0, left + 2.0, y, kerned(&name, r));
        text_at(&mut ops, "F1", 8.0, left + 152.0, y, lit(&p.upn));
        text_at(&mut ops, "F1", 8.0, left + 237.0, y, lit(&p.dob));
        text_at(
            &mut ops,
            "F1",
            8.0,
            left + 292.0,
            y,
            lit(&format!("9{}", ["RH", "KB", "TS"][i % 3])),
        );
        let present = 120 + r.below(41);
        text_at(
            &mut ops,
            "F1",
            8.0,
            left + 332.0,
            y,
            lit(&format!("{present}/160")),
        );
        text_at(
            &mut ops,
            "F1",
            8.0,
            left + 382.0,
            y,
            lit(&format!("{:.1}", present as f32 / 1.6)),
        );
        let note = match r.below(6) {
            0 => format!("Letter sent to {} {}\u{2019}s parent", p.first, p.last),
            1 => "Medical evidence seen".to_string(),
            2 => "Persistent absence watch".to_string(),
            _ => String::new(),
        };
        if !note.is_empty() {
            text_at(&mut ops, "F1", 7.0, left + 422.0, y, kerned(&note, r));
        }
        ops.push(op(
            "re",
            vec![left.into(), (y - 5.5).into(), 515.into(), 17.5.into()],
        ));
        ops.push(op("S", vec![]));
    }
    Content { operations: ops }
        .encode()
        .expect("content encodes")
}

/// A 10-page report and the terms a SAR would redact in it: the full names and UPNs of 12
/// of its pupils, as "First Last" (the way staff type them; the table prints "Last, First",
/// so the UPN and the notes carry most hits) and as "Last, First".
fn mis_report() -> (Vec<u8>, TermSet) {
    let all = pupils(PAGES * ROWS, 0x5eed_0001);
    let mut r = Rng(0x5eed_0002);
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let helv = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let bold = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold", "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => helv, "F2" => bold },
    });
    let mut kids = Vec::new();
    for (p, rows) in all.chunks(ROWS).enumerate() {
        let mut s = Stream::new(dictionary! {}, page_content(p, rows, &mut r));
        s.compress().expect("compress");
        let content = doc.add_object(s);
        kids.push(Object::Reference(doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content,
            "Resources" => resources,
        })));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Count" => kids.len() as i64, "Kids" => kids },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let info = doc.add_object(dictionary! {
        "Title" => Object::string_literal("Attendance register Year 9"),
        "Author" => Object::string_literal("MIS export"),
    });
    doc.trailer.set("Info", info);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");

    let mut terms = Vec::new();
    for p in all.iter().step_by(all.len() / 12).take(12) {
        terms.push(format!("{} {}", p.first, p.last));
        terms.push(format!("{}, {}", p.last, p.first));
        terms.push(p.upn.clone());
    }
    let set = TermSet::new(&terms).expect("terms");
    (bytes, set)
}

static MIS: LazyLock<(Vec<u8>, TermSet)> = LazyLock::new(|| {
    let (bytes, terms) = mis_report();
    let out = redact_pdf(&bytes, &terms).expect("the generated report redacts");
    assert_eq!(out.pages, PAGES);
    assert!(
        !out.redactions.is_empty(),
        "the generated report should have hits"
    );
    (bytes, terms)
});

// ------------------------------------------------------------------ fixtures (optional)

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/pdf/producers")
}

const FIXTURES: &[&str] = &[
    "chromium-attendance-register.pdf",
    "libreoffice-calc-attendance-summary.pdf",
    "reportlab-behaviour-log.pdf",
];

/// The fixtures that exist in this checkout (the bench must run without them).
fn present_fixtures() -> Vec<&'static str> {
    FIXTURES
        .iter()
        .copied()
        .filter(|f| fixture_dir().join(f).is_file())
        .collect()
}

/// The union of the fixtures' redact terms, fixed here so the bench reads no JSON.
const FIXTURE_TERMS: &[&str] = &[
    "Okafor, Jayden",
    "Brennan-Whyte, Zoë",
    "O'Neill, Siobhán",
    "Nowak, Łukasz",
    "Nguyễn, Thị Mai",
    "A123456789012",
    "A884512093317",
    "A556120987034",
    "A672093145528",
    "A309817264450",
    "Jayden Okafor",
    "Zoë Brennan-Whyte",
    "Siobhán O'Neill",
    "Nguyễn Thị Mai",
    "Łukasz Nowak",
    "lan.tran@example.org",
];

// ------------------------------------------------------------------ benches: PDF

mod redact_pdf {
    use super::*;

    /// 10 pages of 40 rows; throughput in pages (items) per second.
    #[divan::bench(sample_count = 30)]
    fn mis_report(bencher: Bencher) {
        let (bytes, terms) = &*MIS;
        bencher
            .counter(ItemsCount::new(PAGES))
            .bench(|| redact_pdf(black_box(bytes), terms).expect("redacts"));
    }

    /// One real-producer fixture; throughput in pages per second.
    #[divan::bench(args = present_fixtures(), sample_count = 30)]
    fn fixture(bencher: Bencher, name: &str) {
        let bytes = std::fs::read(fixture_dir().join(name)).expect("fixture readable");
        let terms = TermSet::new(FIXTURE_TERMS).expect("terms");
        let pages = disclose::pdf::load(&bytes)
            .expect("loads")
            .get_pages()
            .len();
        bencher
            .counter(ItemsCount::new(pages))
            .bench(|| redact_pdf(black_box(&bytes), &terms).expect("redacts"));
    }
}

// ------------------------------------------------------------------ benches: matcher

const MATCHER_TERMS: usize = 5_000;
const TEXT_BYTES: usize = 1 << 20;

/// 5,000 distinct "First Last" names: every first name with every surname, then (once those
/// run out) first names with a digit suffix.
fn matcher_terms() -> Vec<String> {
    let mut out = Vec::with_capacity(MATCHER_TERMS);
    'outer: for round in 0.. {
        for l in LAST {
            for f in FIRST {
                if out.len() == MATCHER_TERMS {
                    break 'outer;
                }
                out.push(if round == 0 {
                    format!("{f} {l}")
                } else {
                    format!("{f}{round} {l}")
                });
            }
        }
    }
    out
}

/// ~1 MB of MIS-like prose and table lines, mentioning names (some of them terms).
fn matcher_text() -> String {
    let mut r = Rng(0x5eed_0003);
    let mut s = String::with_capacity(TEXT_BYTES + 200);
    while s.len() < TEXT_BYTES {
        let (f, l) = (r.pick(FIRST), r.pick(LAST));
        match r.below(4) {
            0 => s.push_str(&format!(
                "{l}, {f}\tA{:012}\t{:02}/09/2011\t152/160\t95.0\n",
                r.next() % 1_000_000_000_000,
                1 + r.below(28)
            )),
            1 => s.push_str(&format!(
                "On {:02}/10/2023 {f} {l} was involved in an argument in the canteen with {} {}; both were moved. ",
                1 + r.below(28),
                r.pick(FIRST),
                r.pick(LAST)
            )),
            2 => s.push_str("Attendance panel letter 1 sent; medical evidence seen by the school nurse. "),
            _ => s.push_str(&format!("Mrs {l}\u{2019}s note: {f} has been ill this week and will catch up on the reading. ")),
        }
    }
    s
}

static MATCHER: LazyLock<(TermSet, String, String)> = LazyLock::new(|| {
    let set = TermSet::new(matcher_terms()).expect("terms");
    assert_eq!(set.len(), MATCHER_TERMS);
    let text = matcher_text();
    let folded = normalize(&text);
    assert!(!set.find_all(&folded).is_empty());
    (set, text, folded)
});

mod matcher {
    use super::*;

    /// Fold ~1 MB of text and find every whole-word occurrence of 5,000 names.
    #[divan::bench(sample_count = 20)]
    fn normalize_and_find_all(bencher: Bencher) {
        let (set, text, _) = &*MATCHER;
        bencher
            .counter(BytesCount::of_str(text))
            .bench(|| set.find_all(&normalize(black_box(text))).len());
    }

    /// `find_all` alone on text already folded.
    #[divan::bench(sample_count = 20)]
    fn find_all(bencher: Bencher) {
        let (set, _, folded) = &*MATCHER;
        bencher
            .counter(BytesCount::of_str(folded))
            .bench(|| set.find_all(black_box(folded)).len());
    }

    /// `normalize` alone.
    #[divan::bench(sample_count = 20)]
    fn normalize_only(bencher: Bencher) {
        let (_, text, _) = &*MATCHER;
        bencher
            .counter(BytesCount::of_str(text))
            .bench(|| normalize(black_box(text)).len());
    }

    /// Building the automaton for 5,000 names.
    #[divan::bench(sample_count = 10)]
    fn build_5000_terms(bencher: Bencher) {
        let terms = matcher_terms();
        bencher
            .counter(ItemsCount::new(terms.len()))
            .bench(|| TermSet::new(black_box(&terms)).expect("terms").len());
    }
}
