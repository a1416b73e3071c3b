//! A mutation smoke run of the fuzz targets on stable Rust, for machines without cargo-fuzz.
//!
//! It takes real files as seeds (`../shared/corpus/` email, sheets and pdf when present,
//! `fixtures/`, and a generated export under `target/bench-ingest/` when there is one), mutates
//! them — bit flips, interesting integers over header fields, truncations, deletions,
//! duplications, repeats, splices from other seeds, format tokens, and for zip-based files a
//! re-zip with one entry mutated — and feeds each mutant to a target of `disclose_fuzz` for a
//! time budget per target.
//!
//! Each target runs in a worker process that this program supervises, so a crash of the
//! process (abort, stack overflow, failed allocation) or a hang is caught: the input that
//! caused it is kept in `fixtures/crashers/` with a note of the seed file, the mutations, the
//! reader and the message. A panic that escapes a reader is kept there too (in production the
//! driver turns it into "the reader crashed" for that file; it is still a bug). Panics that a
//! reader catches around a third-party parser are counted and listed, not kept.
//!
//! ```text
//! smoke [--seconds N] [--targets mail,pst,zip,pdf] [--seed S] [--timeout SECS]
//!       [--out DIR] [--crashers DIR] [--corpus DIR]... [--max-seed-bytes N]
//! smoke --replay TARGET FILE         # run one input in this process, say what happened
//! smoke --minimize TARGET FILE       # shrink a crashing input, keeping how it fails
//! ```

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use disclose_fuzz::{reader_stack, LOOP_GUARD_HITS, TARGETS};

/// Exit status a worker uses to say its watchdog fired.
const EXIT_HANG: i32 = 3;

// ---------------------------------------------------------------------------------------------
// Random numbers: xorshift64*, so a run is repeatable from its seed.

#[derive(Clone)]
struct Rng(u64);
impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

// ---------------------------------------------------------------------------------------------
// Seeds

struct Seed {
    /// Where it came from, as shown in reports.
    label: String,
    bytes: Vec<u8>,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("fuzz/ sits inside the repository")
        .to_path_buf()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn ext_of(p: &Path) -> String {
    p.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Which target a seed file feeds, by extension.
fn target_for_ext(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "eml" | "msg" | "mbox" | "mbx" => "mail",
        "pst" | "ost" => "pst",
        "zip" | "docx" | "docm" | "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" | "csv" | "tsv" => {
            "zip"
        }
        "pdf" => "pdf",
        _ => return None,
    })
}

fn load_seeds(dirs: &[PathBuf], max_bytes: u64, crashers: &Path) -> HashMap<&'static str, Vec<Seed>> {
    let mut seeds: HashMap<&'static str, Vec<Seed>> = HashMap::new();
    let root = repo_root();
    for dir in dirs {
        let mut files = Vec::new();
        files_under(dir, &mut files);
        // A generated export has thousands of .eml files: a sample is plenty.
        let mut per_dir_ext: HashMap<String, usize> = HashMap::new();
        for f in files {
            if f.starts_with(crashers) {
                continue;
            }
            let ext = ext_of(&f);
            let Some(t) = target_for_ext(&ext) else {
                continue;
            };
            let n = per_dir_ext.entry(ext.clone()).or_default();
            if *n >= 200 {
                continue;
            }
            let Ok(meta) = f.metadata() else { continue };
            if meta.len() > max_bytes {
                continue;
            }
            let Ok(bytes) = std::fs::read(&f) else {
                continue;
            };
            *n += 1;
            let label = f
                .strip_prefix(&root)
                .or_else(|_| f.strip_prefix(root.parent().unwrap_or(&root)))
                .unwrap_or(&f)
                .display()
                .to_string();
            seeds.entry(t).or_default().push(Seed { label, bytes });
        }
    }
    synthesize(&mut seeds);
    seeds
}

/// Seeds no corpus has: mboxes built from the .eml seeds (with `From ` lines, `>From ` quoting
/// and a body line that looks like a separator), a .docx and a zip of mixed entries, and
/// uncompressed rewrites of the PDFs so byte mutations reach content streams.
fn synthesize(seeds: &mut HashMap<&'static str, Vec<Seed>>) {
    let emls: Vec<Vec<u8>> = seeds
        .get("mail")
        .map(|v| {
            v.iter()
                .filter(|s| s.label.ends_with(".eml"))
                .map(|s| s.bytes.clone())
                .collect()
        })
        .unwrap_or_default();
    let mut extra = Vec::new();
    for (k, chunk) in emls.chunks(6).enumerate().take(12) {
        let mut mbox = Vec::new();
        for (i, m) in chunk.iter().enumerate() {
            mbox.extend_from_slice(
                format!("From 1234{i}@xxx Mon Apr 0{} 10:11:12 +0000 2024\n", 1 + i % 9).as_bytes(),
            );
            for line in m.split_inclusive(|&b| b == b'\n') {
                if line.starts_with(b"From ") || line.starts_with(b">From ") {
                    mbox.push(b'>');
                }
                mbox.extend_from_slice(line);
            }
            if i == 1 {
                mbox.extend_from_slice(b"\nFrom my side, see you Mon Jan  1 at 10:00\n");
            }
            mbox.extend_from_slice(b"\n");
        }
        extra.push(Seed {
            label: format!("(synthetic mbox #{k} of corpus .eml files)"),
            bytes: mbox,
        });
    }
    seeds.entry("mail").or_default().extend(extra);

    let docx = build_zip(&[
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.to_vec(),
        ),
        (
            "word/document.xml",
            br#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Ava Thompson (Year 9) was late.</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Zo&#235; O'Brien-Smith</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>07700 900123</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:del><w:r><w:delText>deleted words</w:delText></w:r></w:del></w:p></w:body></w:document>"#.to_vec(),
        ),
        (
            "word/header1.xml",
            br#"<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:r><w:t>Head</w:t></w:r></w:p></w:hdr>"#.to_vec(),
        ),
        (
            "word/comments.xml",
            br#"<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:comment w:id="0" w:author="Mr Jones"><w:p><w:r><w:t>Check with SENCo</w:t></w:r></w:p></w:comment></w:comments>"#.to_vec(),
        ),
        (
            "docProps/core.xml",
            br#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Mrs Patel</dc:creator></cp:coreProperties>"#.to_vec(),
        ),
    ]);
    let mut zips = vec![Seed {
        label: "(synthetic letter.docx)".into(),
        bytes: docx.clone(),
    }];
    let first_pdf = seeds
        .get("pdf")
        .and_then(|v| v.iter().find(|s| s.bytes.len() < 64 << 10))
        .map(|s| s.bytes.clone())
        .unwrap_or_else(|| b"%PDF-1.4\n%%EOF\n".to_vec());
    let inner = build_zip(&[("inner/notes.txt", b"nested notes".to_vec())]);
    let mut entries: Vec<(&str, Vec<u8>)> = vec![
        ("Results.csv", b"Subject,Sender\nHi,a@b.c\n".to_vec()),
        ("letter.docx", docx),
        ("statement.pdf", first_pdf),
        ("nested.zip", inner),
        ("dir/", Vec::new()),
    ];
    if let Some(e) = emls.first() {
        entries.push(("mail/first.eml", e.clone()));
    }
    zips.push(Seed {
        label: "(synthetic export.zip of mixed entries)".into(),
        bytes: build_zip(&entries),
    });
    seeds.entry("zip").or_default().extend(zips);

    let mut plain = Vec::new();
    for s in seeds.get("pdf").into_iter().flatten().take(40) {
        if let Some(b) = decompressed_pdf(&s.bytes) {
            plain.push(Seed {
                label: format!("{} (streams decompressed)", s.label),
                bytes: b,
            });
        }
    }
    seeds.entry("pdf").or_default().extend(plain);
}

fn build_zip(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    build_zip_with(entries, zip::CompressionMethod::Deflated)
}

fn build_zip_with(entries: &[(&str, Vec<u8>)], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in entries {
        if name.ends_with('/') {
            let _ = w.add_directory(*name, opts);
        } else if w.start_file(*name, opts).is_ok() {
            let _ = w.write_all(bytes);
        }
    }
    w.finish().map(|c| c.into_inner()).unwrap_or_default()
}

fn decompressed_pdf(bytes: &[u8]) -> Option<Vec<u8>> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut doc = lopdf::Document::load_mem(bytes).ok()?;
        if doc.is_encrypted() {
            return None;
        }
        doc.decompress();
        let mut out = Vec::new();
        doc.save_to(&mut out).ok()?;
        Some(out)
    }))
    .ok()
    .flatten()
}

fn unzip(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut a = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut out = Vec::new();
    for i in 0..a.len().min(400) {
        let mut f = a.by_index(i).ok()?;
        if f.size() > 16 << 20 {
            return None;
        }
        let name = f.name().ok()?.to_string();
        let mut b = Vec::new();
        f.read_to_end(&mut b).ok()?;
        out.push((name, b));
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Mutations

const INTERESTING_U32: &[u32] = &[
    0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x1_0000, 0x7fff_ffff, 0x8000_0000,
    0xffff_fffe, 0xffff_ffff, 0x0010_0000, 0x4000_0000,
];

fn tokens(target: &str) -> &'static [&'static [u8]] {
    match target {
        "mail" => &[
            b"\r\n\r\n",
            b"\n\n",
            b"--",
            b"--boundary--\n",
            b"Content-Type: multipart/mixed; boundary=\"b\"\n",
            b"Content-Type: message/rfc822\n",
            b"Content-Type: text/plain; charset=\"x-unknown-42\"\n",
            b"Content-Type: text/html; charset=iso-2022-jp\n",
            b"Content-Transfer-Encoding: base64\n",
            b"Content-Transfer-Encoding: quoted-printable\n",
            b"Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.pdf\n",
            b"=?utf-8?B?",
            b"=?iso-8859-1?Q?O=27Brien?=",
            b"?=",
            b"=\n",
            b"=XX",
            b"From ",
            b">From ",
            b"From x Mon Jan  1 00:00:00 2024\n",
            b"Subject: ",
            b"Message-ID: <",
            b"Date: Fri, 31 Dec 9999 25:61:61 +9999\n",
            b"To: \"O'Brien, Zo\xc3\xab\" <z@x>, ,,, <>\n",
            b"\xff\xfe",
            b"\x00",
        ],
        "pdf" => &[
            b" obj\n",
            b"endobj\n",
            b"stream\n",
            b"\nendstream\n",
            b"/Length 99999999",
            b"/Length -1",
            b" 0 R",
            b" 1 0 R",
            b"<<",
            b">>",
            b"[",
            b"]",
            b"(",
            b")",
            b"<FEFF",
            b"xref\n0 1\n0000000000 65535 f \n",
            b"trailer\n<< /Root 1 0 R /Size 999999 >>\n",
            b"startxref\n0\n%%EOF\n",
            b"/Filter /FlateDecode",
            b"/Filter [/ASCIIHexDecode /FlateDecode]",
            b"/Type /Page",
            b"/Kids [1 0 R 1 0 R]",
            b"/Parent 1 0 R",
            b"BT /F1 12 Tf (Ava Thompson) Tj ET",
            b"q 1 0 0 1 0 0 cm Q",
            b"/Font << /F1 << /Type /Font /Subtype /Type0 /Encoding /Identity-H >> >>",
            b"/ToUnicode",
            b"/W [0 [500 500] 1 65535 600]",
            b" Do ",
            b"/Contents",
            b"1e308",
            b"-999999999999",
        ],
        "zip" => &[
            b"PK\x03\x04",
            b"PK\x01\x02",
            b"PK\x05\x06",
            b"PK\x06\x06",
            b"<w:t>",
            b"</w:t>",
            b"<c r=\"XFD1048576\" t=\"s\"><v>99999</v></c>",
            b"<row r=\"4294967295\">",
            b"<![CDATA[",
            b"&#x0;",
            b"&unknown;",
            b"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\">]>",
            b"\"",
            b";",
            b",",
            b"\t",
            b"\r\n",
        ],
        _ => &[b"\x00\x00\x00\x00", b"\xff\xff\xff\xff", b"!BDN"],
    }
}

/// One mutant: its bytes and what was done to the seed.
struct Mutant {
    bytes: Vec<u8>,
    ops: Vec<String>,
}

fn mutate(rng: &mut Rng, target: &str, seeds: &[Seed], seed: &Seed) -> Mutant {
    let mut data = seed.bytes.clone();
    let mut ops = Vec::new();
    // For zip-based seeds, sometimes mutate inside one entry and re-zip, so XML parsers see
    // broken XML instead of the zip reader seeing a bad CRC.
    if target == "zip" && rng.chance(35) {
        if let Some(mut entries) = unzip(&data) {
            if !entries.is_empty() {
                let i = rng.below(entries.len());
                let n = 1 + rng.below(3);
                let mut inner_ops = Vec::new();
                for _ in 0..n {
                    inner_ops.push(byte_op(rng, target, seeds, &mut entries[i].1));
                }
                let stored = rng.chance(50);
                let method = if stored {
                    zip::CompressionMethod::Stored
                } else {
                    zip::CompressionMethod::Deflated
                };
                let refs: Vec<(&str, Vec<u8>)> =
                    entries.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
                let rebuilt = build_zip_with(&refs, method);
                if !rebuilt.is_empty() {
                    data = rebuilt;
                    ops.push(format!(
                        "rezip({}) entry {:?}: {}",
                        if stored { "stored" } else { "deflated" },
                        entries[i].0,
                        inner_ops.join("; ")
                    ));
                    if rng.chance(70) {
                        return Mutant { bytes: data, ops };
                    }
                }
            }
        }
    }
    let n = 1 + [0, 0, 0, 1, 1, 2, 3, 5][rng.below(8)];
    for _ in 0..n {
        ops.push(byte_op(rng, target, seeds, &mut data));
    }
    Mutant { bytes: data, ops }
}

/// One byte-level mutation of `data`; returns its description.
fn byte_op(rng: &mut Rng, target: &str, seeds: &[Seed], data: &mut Vec<u8>) -> String {
    let len = data.len();
    // Mutations cluster near the start (headers) half the time: most format structure is there.
    let pos = |rng: &mut Rng, len: usize| -> usize {
        if len == 0 {
            0
        } else if rng.chance(50) {
            rng.below(len.min(4096))
        } else {
            rng.below(len)
        }
    };
    match rng.below(11) {
        0 => {
            let k = 1 + rng.below(8);
            let mut at = Vec::new();
            for _ in 0..k {
                if len == 0 {
                    break;
                }
                let p = pos(rng, len);
                let bit = rng.below(8);
                data[p] ^= 1 << bit;
                at.push(format!("{p}.{bit}"));
            }
            format!("flip bits {}", at.join(","))
        }
        1 => {
            if len == 0 {
                return "noop".into();
            }
            let p = pos(rng, len);
            let v = [0u8, 0xff, 0x7f, 0x80, 0x01, b'\n', b'<', b'"'][rng.below(8)];
            data[p] = v;
            format!("set byte @{p} = {v:#04x}")
        }
        2 => {
            let v = INTERESTING_U32[rng.below(INTERESTING_U32.len())];
            let w = [2usize, 4, 4, 8][rng.below(4)];
            if len < w {
                return "noop".into();
            }
            let p = pos(rng, len - w + 1).min(len - w);
            let be = rng.chance(25);
            let bytes = (v as u64).to_le_bytes();
            for i in 0..w {
                data[p + i] = if be { bytes[w - 1 - i] } else { bytes[i] };
            }
            format!("int{} @{p} = {v:#x}{}", w * 8, if be { " BE" } else { "" })
        }
        3 => {
            if len < 4 {
                return "noop".into();
            }
            let p = pos(rng, len - 3).min(len - 4);
            let cur = u32::from_le_bytes([data[p], data[p + 1], data[p + 2], data[p + 3]]);
            let delta = rng.below(64) as i64 - 32;
            let v = (cur as i64 + delta) as u32;
            data[p..p + 4].copy_from_slice(&v.to_le_bytes());
            format!("u32 @{p} {cur:#x} -> {v:#x}")
        }
        4 => {
            let p = if rng.chance(50) { rng.below(len + 1) } else { len - rng.below(len.min(512) + 1) };
            data.truncate(p);
            format!("truncate at {p} of {len}")
        }
        5 => {
            if len == 0 {
                return "noop".into();
            }
            let a = pos(rng, len);
            let n = 1 + rng.below((len - a).min(4096));
            data.drain(a..a + n);
            format!("delete {n} @{a}")
        }
        6 => {
            if len == 0 {
                return "noop".into();
            }
            let a = rng.below(len);
            let n = 1 + rng.below((len - a).min(4096));
            let chunk = data[a..a + n].to_vec();
            let at = rng.below(len + 1);
            data.splice(at..at, chunk);
            format!("copy {n} from @{a} to @{at}")
        }
        7 => {
            if len == 0 {
                return "noop".into();
            }
            let a = rng.below(len);
            let n = 1 + rng.below((len - a).min(64));
            let times = 2 + rng.below(1024);
            let chunk = data[a..a + n].repeat(times);
            data.splice(a..a, chunk);
            format!("repeat {n} bytes @{a} x{times}")
        }
        8 | 9 => {
            let t = tokens(target);
            let tok = t[rng.below(t.len())];
            let at = pos(rng, len + 1).min(len);
            if rng.chance(50) && at + tok.len() <= len {
                data[at..at + tok.len()].copy_from_slice(tok);
                format!("overwrite @{at} with {:?}", String::from_utf8_lossy(tok))
            } else {
                data.splice(at..at, tok.iter().copied());
                format!("insert {:?} @{at}", String::from_utf8_lossy(tok))
            }
        }
        _ => {
            let other = &seeds[rng.below(seeds.len())];
            if other.bytes.is_empty() {
                return "noop".into();
            }
            let a = rng.below(other.bytes.len());
            let n = 1 + rng.below((other.bytes.len() - a).min(16 << 10));
            let at = pos(rng, len + 1).min(len);
            let chunk = &other.bytes[a..a + n];
            if rng.chance(50) {
                let end = (at + n).min(len);
                data.splice(at..end, chunk.iter().copied());
                format!("splice {n} bytes of {} @{a} over @{at}", other.label)
            } else {
                data.splice(at..at, chunk.iter().copied());
                format!("splice-insert {n} bytes of {} @{a} at @{at}", other.label)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Known issues: inputs that hit a bug already kept in fixtures/crashers/ but not yet fixed can be
// counted here and not run again, so one frequent hang does not eat the time budget. Empty now:
// the hangs found so far (see fixtures/crashers/README.md) are fixed. Add an entry while a fix
// is pending; DISCLOSE_FUZZ_NO_SUPPRESS=1 runs into them anyway.

fn known_issue(_target: &str, _bytes: &[u8]) -> Option<&'static str> {
    if std::env::var_os("DISCLOSE_FUZZ_NO_SUPPRESS").is_some() {
        return None;
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Worker: the mutation loop in one process.

struct PanicRec {
    message: String,
    location: String,
    readers: String,
}

static PANICS: Mutex<Vec<PanicRec>> = Mutex::new(Vec::new());

fn install_recording_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(non-string panic)".into());
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let readers = reader_stack();
        if let Ok(mut p) = PANICS.lock() {
            if p.len() < 64 {
                p.push(PanicRec {
                    message,
                    location,
                    readers,
                });
            }
        }
    }));
}

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn short(s: &str, n: usize) -> String {
    let one_line: String = s.chars().map(|c| if c == '\n' { ' ' } else { c }).collect();
    if one_line.chars().count() > n {
        format!("{}…", one_line.chars().take(n).collect::<String>())
    } else {
        one_line
    }
}

fn save_finding(dir: &Path, kind: &str, target: &str, bytes: &[u8], note: &str) -> PathBuf {
    let _ = std::fs::create_dir_all(dir);
    let h = fnv(bytes);
    let base = dir.join(format!("{target}-{kind}-{h:016x}"));
    let bin = base.with_extension("bin");
    let _ = std::fs::write(&bin, bytes);
    let _ = std::fs::write(base.with_extension("txt"), note);
    bin
}

fn fnv(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= x as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

struct WorkerArgs {
    target: String,
    seed: u64,
    seconds: f64,
    timeout: f64,
    out: PathBuf,
    crashers: PathBuf,
    corpus: Vec<PathBuf>,
    max_seed_bytes: u64,
}

fn worker(a: WorkerArgs) -> i32 {
    install_recording_hook();
    let (name, run) = *TARGETS
        .iter()
        .find(|(n, _)| *n == a.target)
        .expect("known target");
    let seeds = load_seeds(&a.corpus, a.max_seed_bytes, &a.crashers);
    let Some(seeds) = seeds.get(name).filter(|s| !s.is_empty()) else {
        println!("NOSEEDS {name}");
        return 0;
    };
    let _ = std::fs::create_dir_all(&a.out);
    let current = a.out.join(format!("current-{name}.bin"));
    let current_note = a.out.join(format!("current-{name}.txt"));

    // The watchdog: if one input runs past the timeout, say so and leave with EXIT_HANG.
    let started = Arc::new(AtomicU64::new(0));
    let busy = Arc::new(AtomicBool::new(false));
    let epoch = Instant::now();
    {
        let (started, busy) = (started.clone(), busy.clone());
        let timeout = a.timeout;
        let name = name.to_string();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(200));
            if busy.load(Ordering::SeqCst) {
                let t0 = started.load(Ordering::SeqCst) as f64 / 1000.0;
                let now = epoch.elapsed().as_secs_f64();
                if now - t0 > timeout {
                    println!(
                        "WATCHDOG {name}: one input ran over {timeout}s in reader {}",
                        reader_stack()
                    );
                    let _ = std::io::stdout().flush();
                    std::process::exit(EXIT_HANG);
                }
            }
        });
    }

    let mut rng = Rng::new(a.seed);
    let deadline = Instant::now() + Duration::from_secs_f64(a.seconds);
    let mut iters = 0u64;
    let mut results: BTreeMap<String, u64> = BTreeMap::new();
    let mut deep = 0u64;
    let mut caught: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut escaped_seen: HashMap<String, u64> = HashMap::new();
    let mut hwm = vm_hwm_kb();
    let mut slowest = (0.0f64, String::new());
    // Each seed unmutated first: a baseline, and it proves the seeds pass.
    let mut plain_next = 0usize;
    while Instant::now() < deadline {
        let (seed, mutant) = if plain_next < seeds.len() {
            let s = &seeds[plain_next];
            plain_next += 1;
            (
                s,
                Mutant {
                    bytes: s.bytes.clone(),
                    ops: vec!["(unmutated)".into()],
                },
            )
        } else {
            let s = &seeds[rng.below(seeds.len())];
            let m = mutate(&mut rng, name, seeds, s);
            (s, m)
        };
        if let Some(k) = known_issue(name, &mutant.bytes) {
            *results.entry(format!("skipped (known issue: {k})")).or_default() += 1;
            continue;
        }
        let note = format!(
            "target: {name}\nseed file: {}\nmutations: {}\nsize: {} bytes\n",
            seed.label,
            mutant.ops.join("; "),
            mutant.bytes.len()
        );
        let _ = std::fs::write(&current, &mutant.bytes);
        let _ = std::fs::write(&current_note, &note);
        PANICS.lock().map(|mut p| p.clear()).ok();
        started.store(epoch.elapsed().as_millis() as u64, Ordering::SeqCst);
        busy.store(true, Ordering::SeqCst);
        let t0 = Instant::now();
        let r = catch_unwind(AssertUnwindSafe(|| run(&mutant.bytes)));
        let dt = t0.elapsed().as_secs_f64();
        busy.store(false, Ordering::SeqCst);
        iters += 1;
        if dt > slowest.0 {
            slowest = (dt, note.clone());
        }
        let panics: Vec<PanicRec> = PANICS
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default();
        match r {
            Ok(outcomes) => {
                for o in &outcomes {
                    *results.entry(format!("{}:{}", o.reader, o.result)).or_default() += 1;
                    if o.children > 0 {
                        deep += 1;
                    }
                }
                // Every panic seen here was caught inside a reader.
                for p in panics {
                    let key = format!("{} | {} | {}", p.readers, p.location, short(&p.message, 160));
                    let e = caught.entry(key).or_insert((0, String::new()));
                    if e.0 == 0 {
                        e.1 = note.clone();
                    }
                    e.0 += 1;
                }
            }
            Err(_) => {
                // The last panic is the one that escaped; earlier ones were caught inside.
                let last = panics.last();
                let (msg, loc, readers) = last
                    .map(|p| (p.message.clone(), p.location.clone(), p.readers.clone()))
                    .unwrap_or_default();
                let key = format!("{loc} {}", short(&msg, 80));
                let seen = escaped_seen.entry(key).or_default();
                *seen += 1;
                if *seen == 1 {
                    let full = format!(
                        "{note}reader: {readers}\nkind: panic escaped the reader (the driver's catch_unwind turns it into \"the reader crashed on this file\")\nmessage: {msg}\nat: {loc}\n"
                    );
                    let path = save_finding(&a.crashers, "escaped-panic", name, &mutant.bytes, &full);
                    println!(
                        "ESCAPED {name} reader={readers} at={loc} msg={:?} seed={} ops={} saved={}",
                        short(&msg, 200),
                        seed.label,
                        short(&mutant.ops.join("; "), 300),
                        path.display()
                    );
                }
            }
        }
        let h = vm_hwm_kb();
        if h > hwm + (256 << 10) {
            println!(
                "MEMJUMP {name}: peak RSS {} MB -> {} MB on a {} byte input; seed={} ops={}",
                hwm >> 10,
                h >> 10,
                mutant.bytes.len(),
                seed.label,
                short(&mutant.ops.join("; "), 300)
            );
            save_finding(&a.out.join("memjumps"), "memjump", name, &mutant.bytes, &note);
        }
        hwm = hwm.max(h);
        let _ = std::io::stdout().flush();
    }
    println!(
        "STATS {name}: {iters} inputs from {} seeds, {:.0}/s, {} reader calls produced children, peak RSS {} MB, slowest input {:.2}s ({})",
        seeds.len(),
        iters as f64 / a.seconds.max(0.001),
        deep,
        hwm >> 10,
        slowest.0,
        short(&slowest.1, 300)
    );
    for (k, v) in &results {
        println!("RESULT {name} {k} {v}");
    }
    let hits = LOOP_GUARD_HITS.load(Ordering::Relaxed);
    if hits > 0 {
        println!("RESULT {name} children not read again: identical to a container above them (the driver's loop rule) {hits}");
    }
    for (k, (n, note)) in &caught {
        println!(
            "CAUGHT {name} x{n}: {k} ; first input: {}",
            short(note, 300)
        );
    }
    0
}

// ---------------------------------------------------------------------------------------------
// Supervisor: one worker per target, restarted after a crash or hang.

fn describe_status(s: &ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = s.signal() {
            let name = match sig {
                6 => "SIGABRT",
                9 => "SIGKILL",
                11 => "SIGSEGV",
                7 => "SIGBUS",
                4 => "SIGILL",
                8 => "SIGFPE",
                _ => "signal",
            };
            return format!("killed by {name} ({sig})");
        }
    }
    format!("exit status {}", s.code().unwrap_or(-1))
}

fn tail(path: &Path, lines: usize) -> String {
    let s = std::fs::read_to_string(path).unwrap_or_default();
    let v: Vec<&str> = s.lines().collect();
    v[v.len().saturating_sub(lines)..].join("\n")
}

struct Opts {
    seconds: f64,
    targets: Vec<String>,
    seed: u64,
    timeout: f64,
    out: PathBuf,
    crashers: PathBuf,
    corpus: Vec<PathBuf>,
    max_seed_bytes: u64,
}

fn worker_cmd(o: &Opts, target: &str, seed: u64, seconds: f64) -> Command {
    let mut c = Command::new(std::env::current_exe().expect("own path"));
    c.arg("--worker")
        .arg(target)
        .arg("--seed")
        .arg(seed.to_string())
        .arg("--seconds")
        .arg(format!("{seconds:.1}"))
        .arg("--timeout")
        .arg(o.timeout.to_string())
        .arg("--out")
        .arg(&o.out)
        .arg("--crashers")
        .arg(&o.crashers)
        .arg("--max-seed-bytes")
        .arg(o.max_seed_bytes.to_string());
    for d in &o.corpus {
        c.arg("--corpus").arg(d);
    }
    c
}

fn supervise(o: Opts) -> i32 {
    let _ = std::fs::create_dir_all(&o.out);
    let report_path = o.out.join("report.txt");
    let report = Mutex::new(std::fs::File::create(&report_path).expect("report file"));
    let say = |line: &str| {
        println!("{line}");
        if let Ok(mut f) = report.lock() {
            let _ = writeln!(f, "{line}");
        }
    };
    say(&format!(
        "fuzz smoke: targets {}, {}s each, seed {}, per-input timeout {}s, corpus {}",
        o.targets.join(","),
        o.seconds,
        o.seed,
        o.timeout,
        o.corpus
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let mut problems = 0;
    for target in &o.targets {
        let end = Instant::now() + Duration::from_secs_f64(o.seconds);
        let mut round = 0u64;
        while Instant::now() + Duration::from_millis(500) < end {
            let left = (end - Instant::now()).as_secs_f64();
            let stderr_path = o.out.join(format!("worker-{target}.stderr"));
            let stderr = std::fs::File::create(&stderr_path).expect("stderr file");
            let mut child = worker_cmd(&o, target, o.seed.wrapping_add(round * 7919), left)
                .stdout(Stdio::piped())
                .stderr(stderr)
                .spawn()
                .expect("start worker");
            let out = child.stdout.take().expect("piped");
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if line.starts_with("ESCAPED") || line.starts_with("HANG") {
                    problems += 1;
                }
                say(&line);
            }
            let status = child.wait().expect("worker status");
            round += 1;
            if status.success() {
                break;
            }
            let current = o.out.join(format!("current-{target}.bin"));
            let note = std::fs::read_to_string(o.out.join(format!("current-{target}.txt")))
                .unwrap_or_default();
            let bytes = std::fs::read(&current).unwrap_or_default();
            let kind = if status.code() == Some(EXIT_HANG) {
                "hang"
            } else {
                "crash"
            };
            problems += 1;
            let err_tail = tail(&stderr_path, 12);
            let full = format!(
                "{note}kind: {kind} of the whole process ({})\nstderr (last lines):\n{err_tail}\n",
                describe_status(&status)
            );
            let saved = save_finding(&o.crashers, kind, target, &bytes, &full);
            say(&format!(
                "{} {target}: worker {}; input saved as {}; {}",
                kind.to_uppercase(),
                describe_status(&status),
                saved.display(),
                short(&note, 400)
            ));
            say(&format!("  stderr: {}", short(&err_tail, 600)));
        }
    }
    say(&format!(
        "fuzz smoke done: {problems} finding(s); report in {}",
        report_path.display()
    ));
    if problems > 0 {
        1
    } else {
        0
    }
}

// ---------------------------------------------------------------------------------------------
// Replay and minimize

/// Runs one input in this process; exits 0 when nothing escaped, 2 for an escaped panic.
fn replay(target: &str, file: &Path) -> i32 {
    install_recording_hook();
    let (_, run) = *TARGETS.iter().find(|(n, _)| *n == target).expect("target");
    let bytes = std::fs::read(file).expect("read input");
    let t0 = Instant::now();
    let r = catch_unwind(AssertUnwindSafe(|| run(&bytes)));
    let panics: Vec<PanicRec> = PANICS
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default();
    for p in &panics {
        println!("panic in {}: {} at {}", p.readers, p.message, p.location);
    }
    match r {
        Ok(outcomes) => {
            for o in outcomes {
                println!("{o:?}");
            }
            println!("ok in {:.2}s", t0.elapsed().as_secs_f64());
            0
        }
        Err(_) => {
            println!("escaped panic after {:.2}s", t0.elapsed().as_secs_f64());
            2
        }
    }
}

/// How a replay of `bytes` fails: `Some(description)` or `None` when it does not.
fn failure_of(target: &str, bytes: &[u8], timeout: f64, scratch: &Path) -> Option<String> {
    std::fs::write(scratch, bytes).ok()?;
    let mut child = Command::new(std::env::current_exe().ok()?)
        .arg("--replay")
        .arg(target)
        .arg(scratch)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let t0 = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut out = String::new();
                if let Some(mut o) = child.stdout.take() {
                    let _ = o.read_to_string(&mut out);
                }
                return match status.code() {
                    Some(0) => None,
                    Some(2) => Some(format!(
                        "escaped panic: {}",
                        out.lines().rev().find(|l| l.starts_with("panic in")).unwrap_or("")
                    )),
                    _ => Some(describe_status(&status)),
                };
            }
            Ok(None) if t0.elapsed().as_secs_f64() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Some("hang".into());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => return None,
        }
    }
}

/// Shrinks a failing input by deleting chunks while it fails the same way.
fn minimize(target: &str, file: &Path, timeout: f64, budget: f64) -> i32 {
    let mut data = std::fs::read(file).expect("read input");
    let scratch = file.with_extension("min-try");
    let Some(want) = failure_of(target, &data, timeout, &scratch) else {
        println!("the input does not fail");
        return 1;
    };
    println!("failure: {want}; {} bytes", data.len());
    let same = |got: &Option<String>| got.as_deref() == Some(want.as_str());
    let t0 = Instant::now();
    let mut chunk = (data.len() / 2).max(1);
    while chunk >= 1 && t0.elapsed().as_secs_f64() < budget {
        let mut i = 0;
        let mut shrunk = false;
        while i < data.len() && t0.elapsed().as_secs_f64() < budget {
            let end = (i + chunk).min(data.len());
            let mut trial = data[..i].to_vec();
            trial.extend_from_slice(&data[end..]);
            if same(&failure_of(target, &trial, timeout, &scratch)) {
                data = trial;
                shrunk = true;
            } else {
                i += chunk;
            }
        }
        if !shrunk {
            if chunk == 1 {
                break;
            }
            chunk /= 2;
        }
    }
    let _ = std::fs::remove_file(&scratch);
    let out = file.with_extension("min.bin");
    std::fs::write(&out, &data).expect("write minimized");
    println!("minimized to {} bytes: {}", data.len(), out.display());
    0
}

// ---------------------------------------------------------------------------------------------

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = repo_root();
    let mut o = Opts {
        seconds: 60.0,
        targets: TARGETS.iter().map(|(n, _)| n.to_string()).collect(),
        seed: 1,
        timeout: 10.0,
        out: root.join("target/fuzz-smoke"),
        crashers: root.join("fixtures/crashers"),
        corpus: Vec::new(),
        max_seed_bytes: 4 << 20,
    };
    let mut worker_target = None;
    let mut i = 0;
    let val = |i: &mut usize| -> String {
        *i += 1;
        args.get(*i).cloned().unwrap_or_else(|| {
            eprintln!("{} needs a value", args[*i - 1]);
            std::process::exit(64)
        })
    };
    while i < args.len() {
        match args[i].as_str() {
            "--replay" => {
                let t = val(&mut i);
                let f = val(&mut i);
                std::process::exit(replay(&t, Path::new(&f)));
            }
            "--minimize" => {
                let t = val(&mut i);
                let f = val(&mut i);
                std::process::exit(minimize(&t, Path::new(&f), o.timeout, 300.0));
            }
            "--worker" => worker_target = Some(val(&mut i)),
            "--seconds" => o.seconds = val(&mut i).parse().expect("seconds"),
            "--targets" => o.targets = val(&mut i).split(',').map(String::from).collect(),
            "--seed" => o.seed = val(&mut i).parse().expect("seed"),
            "--timeout" => o.timeout = val(&mut i).parse().expect("timeout"),
            "--out" => o.out = PathBuf::from(val(&mut i)),
            "--crashers" => o.crashers = PathBuf::from(val(&mut i)),
            "--corpus" => o.corpus.push(PathBuf::from(val(&mut i))),
            "--max-seed-bytes" => o.max_seed_bytes = val(&mut i).parse().expect("bytes"),
            "-h" | "--help" => {
                println!("{}", include_str!("smoke.rs").lines().take_while(|l| l.starts_with("//!")).map(|l| l.trim_start_matches("//!").trim_start_matches(' ')).collect::<Vec<_>>().join("\n"));
                return;
            }
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(64);
            }
        }
        i += 1;
    }
    if o.corpus.is_empty() {
        let shared = root.join("../shared/corpus");
        for sub in ["email", "sheets", "pdf"] {
            let p = shared.join(sub);
            if p.is_dir() {
                o.corpus.push(p);
            }
        }
        o.corpus.push(root.join("fixtures"));
        let gen = root.join("target/bench-ingest/export-10000");
        if gen.is_dir() {
            o.corpus.push(gen);
        }
    }
    if let Some(t) = worker_target {
        if !TARGETS.iter().any(|(n, _)| *n == t) {
            eprintln!("unknown target {t}");
            std::process::exit(64);
        }
        std::process::exit(worker(WorkerArgs {
            target: t,
            seed: o.seed,
            seconds: o.seconds,
            timeout: o.timeout,
            out: o.out,
            crashers: o.crashers,
            corpus: o.corpus,
            max_seed_bytes: o.max_seed_bytes,
        }));
    }
    for t in &o.targets {
        if !TARGETS.iter().any(|(n, _)| n == t) {
            eprintln!("unknown target {t}; known: mail, pst, zip, pdf");
            std::process::exit(64);
        }
    }
    std::process::exit(supervise(o));
}

