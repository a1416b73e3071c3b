//! The sealed bundle end to end: small PDFs built here with lopdf, bundled with
//! `disclose::bundle`, opened by two other zip implementations (Python's pyzipper and 7-Zip,
//! skipped with a message when missing), and checked by `disclose::verify`, which must pass
//! the clean bundle and name the problem in every leaky or broken one.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use disclose::bundle::{
    add_manifest, generate_password, hex, manifest, sha256_reader, write_encrypted_zip, Entry,
    EntrySource,
};
use disclose::verify::{verify_bundle, VerifyError, VerifyReport};
use lopdf::{dictionary, Document, Object, ObjectId, Stream, StringFormat};

const NAME: &str = "Ann Smith";

fn terms() -> Vec<String> {
    vec![NAME.to_string(), "Ann".to_string()]
}

/// A one-page PDF showing `lines` in Helvetica, its content stream Flate-compressed so a
/// raw byte search would miss a name in it. `tweak` adds whatever the test needs.
fn pdf(lines: &[&str], tweak: impl FnOnce(&mut Document, ObjectId)) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let mut ops = String::from("BT /F1 12 Tf 72 720 Td 14 TL\n");
    for l in lines {
        ops.push_str(&format!("({l}) Tj T*\n"));
    }
    ops.push_str("ET\n");
    let mut content = Stream::new(dictionary! {}, ops.into_bytes());
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
    tweak(&mut doc, page);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn clean_pdf() -> Vec<u8> {
    pdf(
        &[
            "Annual review for the pupil.",
            "Attendance 96%. Joanne's class.",
        ],
        |_, _| {},
    )
}

fn bytes(name: &str, b: Vec<u8>) -> Entry {
    Entry {
        name: name.to_string(),
        source: EntrySource::Bytes(b),
    }
}

/// A bundle of `docs` plus its manifest, with a fresh password.
fn bundle(dir: &Path, file: &str, docs: Vec<Entry>) -> (PathBuf, String) {
    let mut entries = docs;
    add_manifest(&mut entries).unwrap();
    let path = dir.join(file);
    let password = generate_password();
    let written = write_encrypted_zip(&path, &entries, &password).unwrap();
    assert_eq!(written.entries, entries.len());
    assert_eq!(
        written.sha256,
        hex(&sha256_reader(std::fs::File::open(&path).unwrap()).unwrap())
    );
    (path, password)
}

fn verify(path: &Path, password: &str) -> VerifyReport {
    verify_bundle(path, password, &terms()).unwrap()
}

/// Asserts some finding is about `entry` and mentions every one of `words`.
fn assert_finding(r: &VerifyReport, entry: &str, words: &[&str]) {
    assert!(!r.passed(), "{r}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.entry == entry && words.iter().all(|w| f.problem.contains(w))),
        "no finding on {entry} mentioning {words:?} in:\n{r}"
    );
}

#[test]
fn clean_bundle_passes_and_opens_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let on_disk = dir.path().join("attachment.pdf");
    std::fs::write(&on_disk, clean_pdf()).unwrap();
    let docs = vec![
        bytes("0000-index.pdf", pdf(&["Index of documents"], |_, _| {})),
        Entry {
            name: "0001-email-2025-03-14.pdf".into(),
            source: EntrySource::File(on_disk.clone()),
        },
        bytes("0002-spreadsheet.pdf", clean_pdf()),
    ];
    let expected: Vec<(String, String)> = docs
        .iter()
        .map(|e| (e.name.clone(), hex(&e.source.sha256().unwrap())))
        .collect();
    let (zip, pw) = bundle(dir.path(), "SAR-2025-001.zip", docs);

    let r = verify(&zip, &pw);
    assert!(r.passed(), "{r}");
    assert_eq!((r.entries, r.pdfs, r.pages), (4, 3, 3));
    assert!(r.to_string().starts_with("PASSED"), "{r}");

    open_with_pyzipper(&zip, &pw, &expected);
    open_with_7zip(&zip, &pw, &expected, dir.path());
}

/// pyzipper: every entry WinZip AES-256 (strength 3), contents as written.
fn open_with_pyzipper(zip: &Path, pw: &str, expected: &[(String, String)]) {
    let has = Command::new("python3")
        .args(["-c", "import pyzipper"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !has {
        eprintln!("SKIP: python3 with pyzipper not available (pip install pyzipper)");
        return;
    }
    let script = r#"
import hashlib, sys, pyzipper
with pyzipper.AESZipFile(sys.argv[1]) as z:
    z.setpassword(sys.argv[2].encode())
    for i in z.infolist():
        data = z.read(i.filename)
        print(i.filename, i.flag_bits & 1, i.wz_aes_strength, i.compress_type,
              hashlib.sha256(data).hexdigest())
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(zip)
        .arg(pw)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pyzipper failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(lines.len(), expected.len() + 1, "{text}");
    for l in &lines {
        // Encrypted flag, AES strength 3 = 256-bit; PDFs stored (0), the manifest deflated (8).
        let method = if l[0].ends_with(".pdf") { "0" } else { "8" };
        assert_eq!(&l[1..4], ["1", "3", method], "{text}");
    }
    for (name, digest) in expected {
        assert!(
            lines.iter().any(|l| l[0] == name && l[4] == digest),
            "{name} missing or changed in:\n{text}"
        );
    }
    let manifest_line = lines.iter().find(|l| l[0] == "manifest.sha256");
    assert!(manifest_line.is_some(), "{text}");
}

fn seven_zip() -> Option<&'static str> {
    ["7z", "7zz", "7za"].into_iter().find(|b| {
        Command::new(b)
            .arg("i")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    })
}

/// 7-Zip: the archive tests clean, lists AES-256 for every entry, extracts as written, and
/// rejects a wrong password.
fn open_with_7zip(zip: &Path, pw: &str, expected: &[(String, String)], dir: &Path) {
    let Some(bin) = seven_zip() else {
        eprintln!("SKIP: 7-Zip (7z) not installed (apt-get install p7zip-full)");
        return;
    };
    let run = |args: &[&str]| {
        let out = Command::new(bin).args(args).arg(zip).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let p = format!("-p{pw}");
    let (ok, text) = run(&["t", &p]);
    assert!(ok && text.contains("Everything is Ok"), "{text}");
    let (ok, text) = run(&["l", "-slt", &p]);
    assert!(ok, "{text}");
    let methods: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("Method = "))
        .collect();
    assert_eq!(methods.len(), expected.len() + 1, "{text}");
    assert!(methods.iter().all(|m| m.contains("AES-256")), "{methods:?}");
    let out_dir = dir.join("7z-out");
    let o = format!("-o{}", out_dir.display());
    let (ok, text) = run(&["x", "-y", &p, &o]);
    assert!(ok, "{text}");
    for (name, digest) in expected {
        let got = std::fs::read(out_dir.join(name)).unwrap();
        assert_eq!(&hex(&sha256_reader(got.as_slice()).unwrap()), digest);
    }
    let (ok, _) = run(&["t", "-pnot-the-password"]);
    assert!(!ok, "7-Zip accepted a wrong password");
}

#[test]
fn leaks_in_pdfs_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    let leaky = pdf(&["Report written about Ann Smith today."], |_, _| {});
    let annotated = pdf(&["Annual summary."], |doc, page| {
        let annot = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Text",
            "Rect" => vec![10.into(), 10.into(), 30.into(), 30.into()],
            "Contents" => Object::String(b"see note".to_vec(), StringFormat::Literal),
        });
        if let Ok(Object::Dictionary(p)) = doc.get_object_mut(page) {
            p.set("Annots", vec![annot.into()]);
        }
    });
    let with_author = pdf(&["Annual summary."], |doc, _| {
        let info = doc.add_object(dictionary! {
            "Author" => Object::string_literal("Mr J Teacher"),
            "Producer" => Object::string_literal("disclose"),
        });
        doc.trailer.set("Info", info);
    });
    let (zip, pw) = bundle(
        dir.path(),
        "leaky.zip",
        vec![
            bytes("0000-index.pdf", clean_pdf()),
            bytes("0001-email-2025-03-14.pdf", leaky),
            bytes("0002-document.pdf", annotated),
            bytes("0003-document.pdf", with_author),
        ],
    );
    let r = verify(&zip, &pw);
    let leak = "0001-email-2025-03-14.pdf";
    assert_finding(&r, leak, &[NAME, "extracted text"]);
    assert_finding(&r, leak, &[NAME, "stream"]);
    assert_finding(&r, leak, &["\"Ann\"", "extracted text"]);
    assert_finding(&r, "0002-document.pdf", &["page 1", "1 annotation"]);
    assert_finding(&r, "0003-document.pdf", &["/Author"]);
    // The clean PDF ("Annual", "Joanne's") gives nothing, and nothing else is wrong.
    assert!(
        r.findings.iter().all(|f| f.entry != "0000-index.pdf"),
        "{r}"
    );
    assert_eq!(
        r.findings
            .iter()
            .filter(|f| f.entry == "0002-document.pdf" || f.entry == "0003-document.pdf")
            .count(),
        2,
        "{r}"
    );
    assert!(r.to_string().contains(leak), "{r}");
}

#[test]
fn tampered_entry_fails_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let original = clean_pdf();
    let swapped = pdf(&["Annual summary, edited later."], |_, _| {});
    let digest = sha256_reader(original.as_slice()).unwrap();
    let entries = vec![
        bytes("0000-index.pdf", swapped),
        bytes(
            "manifest.sha256",
            manifest(&[("0000-index.pdf".into(), digest)]).into_bytes(),
        ),
    ];
    let zip = dir.path().join("t.zip");
    write_encrypted_zip(&zip, &entries, "pw-tamper").unwrap();
    let r = verify(&zip, "pw-tamper");
    assert_finding(&r, "0000-index.pdf", &["SHA-256 does not match"]);
    assert_eq!(r.findings.len(), 1, "{r}");
}

#[test]
fn manifest_must_list_every_entry_once() {
    let dir = tempfile::tempdir().unwrap();
    let a = clean_pdf();
    let d = sha256_reader(a.as_slice()).unwrap();
    let text = manifest(&[("0000-index.pdf".into(), d), ("0009-gone.pdf".into(), d)]);
    let entries = vec![
        bytes("0000-index.pdf", a.clone()),
        bytes("0001-document.pdf", a),
        bytes("manifest.sha256", text.into_bytes()),
    ];
    let zip = dir.path().join("m.zip");
    write_encrypted_zip(&zip, &entries, "pw").unwrap();
    let r = verify(&zip, "pw");
    assert_finding(&r, "0001-document.pdf", &["not listed"]);
    assert_finding(&r, "manifest.sha256", &["0009-gone.pdf", "not in the zip"]);

    let no_manifest = dir.path().join("n.zip");
    write_encrypted_zip(&no_manifest, &[bytes("0000-index.pdf", clean_pdf())], "pw").unwrap();
    assert_finding(
        &verify(&no_manifest, "pw"),
        "(zip)",
        &["no manifest.sha256"],
    );
}

#[test]
fn wrong_password_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (zip, _) = bundle(
        dir.path(),
        "SAR-7.zip",
        vec![bytes("0000-index.pdf", clean_pdf())],
    );
    let err = verify_bundle(&zip, "not-it", &terms()).unwrap_err();
    assert!(matches!(err, VerifyError::WrongPassword { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("wrong password") && msg.contains("SAR-7.zip"),
        "{msg}"
    );
}

#[test]
fn unreadable_inputs_are_errors_not_passes() {
    let dir = tempfile::tempdir().unwrap();
    let missing = verify_bundle(&dir.path().join("none.zip"), "pw", &terms()).unwrap_err();
    assert!(matches!(missing, VerifyError::Open { .. }), "{missing:?}");
    let not_zip = dir.path().join("x.zip");
    std::fs::write(&not_zip, clean_pdf()).unwrap();
    let err = verify_bundle(&not_zip, "pw", &terms()).unwrap_err();
    assert!(matches!(err, VerifyError::NotAZip { .. }), "{err:?}");
    assert!(err.to_string().contains("x.zip"), "{err}");
}

#[test]
fn unsafe_names_and_broken_pdfs_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    let (zip, pw) = bundle(
        dir.path(),
        "names.zip",
        vec![
            bytes("0001-Ann Smith referral.pdf", clean_pdf()),
            bytes(
                "0002-document.pdf",
                b"%PDF-1.7\nthis is not really a PDF".to_vec(),
            ),
            bytes("0003-notes.pdf", b"plain text notes".to_vec()),
        ],
    );
    let r = verify(&zip, &pw);
    assert_finding(&r, "0001-Ann Smith referral.pdf", &["entry name is not"]);
    assert_finding(&r, "0001-Ann Smith referral.pdf", &[NAME, "entry name"]);
    assert_finding(&r, "0002-document.pdf", &["not a readable PDF"]);
    assert_finding(&r, "0003-notes.pdf", &["not a PDF"]);
}

#[test]
fn entries_not_aes256_are_findings() {
    use zip::write::SimpleFileOptions;
    use zip::{AesMode, ZipWriter};
    let dir = tempfile::tempdir().unwrap();
    let pdf_bytes = clean_pdf();
    let d = sha256_reader(pdf_bytes.as_slice()).unwrap();
    let text = manifest(&[
        ("0000-index.pdf".into(), d),
        ("0001-document.pdf".into(), d),
    ]);
    let zip_path = dir.path().join("mixed.zip");
    let mut w = ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let aes256 = SimpleFileOptions::default().with_aes_encryption(AesMode::Aes256, "pw");
    let aes128 = SimpleFileOptions::default().with_aes_encryption(AesMode::Aes128, "pw");
    w.start_file("0000-index.pdf", SimpleFileOptions::default())
        .unwrap();
    w.write_all(&pdf_bytes).unwrap();
    w.start_file("0001-document.pdf", aes128).unwrap();
    w.write_all(&pdf_bytes).unwrap();
    w.start_file("manifest.sha256", aes256).unwrap();
    w.write_all(text.as_bytes()).unwrap();
    w.finish().unwrap();

    let r = verify(&zip_path, "pw");
    assert_finding(&r, "0000-index.pdf", &["is not encrypted"]);
    assert_finding(&r, "0001-document.pdf", &["AES-128"]);
    assert_eq!(r.findings.len(), 2, "{r}");
}

#[test]
fn zipcrypto_made_by_7zip_is_a_finding() {
    let Some(bin) = seven_zip() else {
        eprintln!("SKIP: 7-Zip (7z) not installed; ZipCrypto bundle not made");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    let pdf_bytes = clean_pdf();
    std::fs::write(src.join("0000-index.pdf"), &pdf_bytes).unwrap();
    let d = sha256_reader(pdf_bytes.as_slice()).unwrap();
    std::fs::write(
        src.join("manifest.sha256"),
        manifest(&[("0000-index.pdf".into(), d)]),
    )
    .unwrap();
    let zip = dir.path().join("zc.zip");
    let out = Command::new(bin)
        .args(["a", "-tzip", "-mem=ZipCrypto", "-ppw-zc"])
        .arg(&zip)
        .args(["0000-index.pdf", "manifest.sha256"])
        .current_dir(&src)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = verify(&zip, "pw-zc");
    assert_finding(&r, "0000-index.pdf", &["ZipCrypto"]);
    assert_finding(&r, "manifest.sha256", &["ZipCrypto"]);
    assert_eq!(r.findings.len(), 2, "{r}");
}
