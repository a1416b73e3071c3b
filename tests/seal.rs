//! The whole pipeline on the built-in demo case, checked from outside: the `disclose` binary
//! scans and seals, then this test opens the bundle with the zip crate, re-extracts every PDF
//! with pdf-extract and scans the decompressed streams itself, so nothing here trusts the code
//! that redacted.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_disclose");

/// Third parties in the demo case, and the DPO's extra redaction: none may reach the bundle.
const NEVER: &[&str] = &[
    "Jayden Okafor",
    "Zoë Brennan-Whyte",
    "Siobhán O'Neill",
    "Łukasz Nowak",
    "Marta Nowak",
    "Nguyễn Thị Mai",
    "07700 900819",
    "A123456789012",
    "A556120987034",
    "older girls",
];

fn case_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("case");
    disclose::demo::write_case(&dir).unwrap();
    (tmp, dir)
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("runs disclose")
}

fn scan_and_seal(dir: &Path) -> std::process::Output {
    let case = dir.join("case.toml");
    let scan = run(&["scan", case.to_str().unwrap(), "--quiet"]);
    assert!(
        scan.status.success(),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    run(&["seal", case.to_str().unwrap()])
}

/// Every entry of an AES zip, decrypted with the password.
fn entries(zip: &Path, password: &str) -> Vec<(String, Vec<u8>)> {
    let mut a = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..a.len())
        .map(|i| {
            let mut f = a.by_index_decrypt(i, password.as_bytes()).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect()
}

fn fold(s: &str) -> String {
    disclose::text::normalize(s)
}

/// Every stream of the PDF, decompressed where it is Flate, as text (lossy).
fn raw_streams(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let mut out = String::new();
    for obj in doc.objects.values() {
        if let Ok(s) = obj.as_stream() {
            let mut d = flate2::read::ZlibDecoder::new(&s.content[..]);
            let mut buf = Vec::new();
            if d.read_to_end(&mut buf).is_err() {
                buf = s.content.clone();
            }
            out.push_str(&String::from_utf8_lossy(&buf));
        }
    }
    out
}

#[test]
fn the_demo_case_seals_and_nothing_redacted_survives() {
    let (_tmp, dir) = case_dir();
    let sealed = scan_and_seal(&dir);
    let stdout = String::from_utf8_lossy(&sealed.stdout);
    assert!(
        sealed.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&sealed.stderr)
    );
    let out = dir.join("out");
    let bundle = out.join("SAR-2023-031.zip");
    let password_file = out.join("SAR-2023-031-password.txt");
    let password = std::fs::read_to_string(&password_file).unwrap();
    let password = password.trim();
    assert!(
        stdout.contains(password),
        "the password is shown once to the person sealing"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&password_file), 0o600);
        assert_eq!(mode(&out), 0o700);
        assert_eq!(mode(&out.join("SAR-2023-031-master-password.txt")), 0o600);
    }

    let files = entries(&bundle, password);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names[0], "0000-index.pdf", "{names:?}");
    assert!(names.contains(&"manifest.sha256"));
    assert!(names.contains(&"0001-email-2023-09-12.pdf"), "{names:?}");
    for n in &names {
        assert!(
            disclose::bundle::is_safe_entry_name(n),
            "entry names carry no personal data: {n}"
        );
    }

    // The manifest, recomputed here.
    let manifest = &files
        .iter()
        .find(|(n, _)| n == "manifest.sha256")
        .unwrap()
        .1;
    let manifest = String::from_utf8_lossy(manifest);
    for (name, bytes) in files.iter().filter(|(n, _)| n != "manifest.sha256") {
        let hex: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(
            manifest.contains(&format!("{hex}  {name}")),
            "{name} in the manifest"
        );
    }

    // Every PDF, read two ways: extracted text and raw decompressed streams.
    let mut all_text = String::new();
    for (name, bytes) in files.iter().filter(|(n, _)| n.ends_with(".pdf")) {
        let text =
            pdf_extract::extract_text_from_mem(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let folded = fold(&text);
        let raw = raw_streams(bytes);
        for t in NEVER {
            assert!(
                !folded.contains(&fold(t)),
                "{t:?} survives in {name}:\n{text}"
            );
            assert!(!raw.contains(t), "{t:?} in a stream of {name}");
        }
        assert!(
            text.contains("SAR-2023-031") && text.contains("page 1 of"),
            "{name} is stamped"
        );
        let doc = lopdf::Document::load_mem(bytes).unwrap();
        assert!(doc.trailer.get(b"Info").is_err(), "{name} has no /Info");
        all_text.push_str(&text);
    }
    let all = fold(&all_text);
    // What the requester is entitled to stays: her daughter's data, staff acting in their
    // role, her own phone number (the DPO's decision).
    assert!(all.contains("amelia hartley"));
    assert!(all.contains("ravi patel"));
    assert!(
        all.contains("07700 900555"),
        "the requester's own number is disclosed"
    );
    assert!(all.contains("third-party"), "boxes carry their reason code");
    // Withheld items are not in the bundle, but the index says they were withheld and why.
    assert!(
        !all.contains("referral form pr-2"),
        "the withheld referral is absent"
    );
    assert!(all.contains("withheld (third-party)"));
    assert!(
        all.contains("information commissioner"),
        "Art 15 information"
    );

    // The master copy holds the originals and the DPO's log.
    let master_pw = std::fs::read_to_string(out.join("SAR-2023-031-master-password.txt")).unwrap();
    let master = entries(&out.join("SAR-2023-031-master.zip"), master_pw.trim());
    let mnames: Vec<&str> = master.iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "case.toml",
        "decisions.toml",
        "inventory.csv",
        "redaction-log.csv",
        "redaction-log.xlsx",
    ] {
        assert!(mnames.contains(&want), "{want} in the master: {mnames:?}");
    }
    assert!(mnames
        .iter()
        .any(|n| n.starts_with("originals/") && n.ends_with("relay.jpg")));
    let log = std::fs::read_to_string(out.join("redaction-log.csv")).unwrap();
    assert!(log
        .starts_with("item_id,source_path,location,text,category,reason,citation,decided_by,date"));
    assert!(log.contains("Jayden Okafor") && log.contains("Sch 2 Pt 3 para 16"));
    assert!(
        log.contains("J. Okonkwo (DPO)"),
        "decisions name who made them"
    );
    assert!(log.contains("whole item withheld"));
    // Locations a person can find: a box on a PDF page, a cell of a sheet.
    let proposals = std::fs::read_to_string(out.join("proposals.csv")).unwrap();
    assert!(
        proposals.contains("8RH!A3,Siobhán O'Neill"),
        "the tracker's proposals name their cells"
    );
    assert!(
        proposals.contains(",\"page 1 box "),
        "PDF proposals name page and box"
    );
    assert!(log.contains("8RH!A3"), "the DPO's log names the cell");
    // PDF boxes in the log have `disclose redact`'s form: page,x0,y0,x1,y1 to two places.
    let pdf_row = log
        .lines()
        .find(|l| l.contains("behaviour-log-8RH.pdf") && l.contains("Jayden Okafor"))
        .expect("a logged box on the behaviour log");
    let loc = pdf_row.split('"').nth(1).expect("quoted location");
    let parts: Vec<&str> = loc.split(',').collect();
    assert_eq!(parts.len(), 5, "{loc}");
    assert!(
        parts[1..]
            .iter()
            .all(|n| n.split_once('.').is_some_and(|(_, d)| d.len() == 2)),
        "{loc}"
    );

    // The case record holds the bundle's SHA-256.
    let zip_hash: String = Sha256::digest(std::fs::read(&bundle).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let case = std::fs::read_to_string(dir.join("case.toml")).unwrap();
    assert!(
        case.contains(&format!("bundle_sha256 = \"{zip_hash}\"")),
        "{case}"
    );

    // And `verify` agrees, as a separate command.
    let v = run(&[
        "verify",
        bundle.to_str().unwrap(),
        "--password-file",
        password_file.to_str().unwrap(),
        "--case",
        dir.join("case.toml").to_str().unwrap(),
    ]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}

#[test]
fn sealing_twice_gives_the_same_documents() {
    let (_tmp, dir) = case_dir();
    let manifest = |dir: &Path| {
        let out = dir.join("out");
        let pw = std::fs::read_to_string(out.join("SAR-2023-031-password.txt")).unwrap();
        entries(&out.join("SAR-2023-031.zip"), pw.trim())
            .into_iter()
            .find(|(n, _)| n == "manifest.sha256")
            .unwrap()
            .1
    };
    assert!(scan_and_seal(&dir).status.success());
    let first = manifest(&dir);
    assert!(scan_and_seal(&dir).status.success());
    assert_eq!(
        first,
        manifest(&dir),
        "same inputs and decisions, same PDFs"
    );
}

#[test]
fn an_undecided_item_stops_the_seal_and_nothing_is_published() {
    let (_tmp, dir) = case_dir();
    std::fs::remove_file(dir.join("decisions.toml")).unwrap();
    let sealed = scan_and_seal(&dir);
    assert_eq!(sealed.status.code(), Some(1));
    let err = String::from_utf8_lossy(&sealed.stderr);
    assert!(
        err.contains("need a decision") && err.contains("relay.jpg"),
        "{err}"
    );
    assert!(!dir.join("out/SAR-2023-031.zip").exists());
    assert!(!dir.join("out/SAR-2023-031-password.txt").exists());
}

#[test]
fn a_redaction_decision_that_matches_nothing_stops_the_seal() {
    let (_tmp, dir) = case_dir();
    let mut d = std::fs::read_to_string(dir.join("decisions.toml")).unwrap();
    d.push_str(
        "\n[[decision]]\naction = \"redact\"\nitem = \"0123456789abcdef0123\"\nlocation = \"chars 1-5\"\n\
         text = \"Kai\"\nreason = \"THIRD-PARTY\"\nwho = \"J. Okonkwo (DPO)\"\nwhen = 2023-11-02\n",
    );
    std::fs::write(dir.join("decisions.toml"), d).unwrap();
    let sealed = scan_and_seal(&dir);
    assert_eq!(sealed.status.code(), Some(1));
    let err = String::from_utf8_lossy(&sealed.stderr);
    assert!(err.contains("match nothing"), "{err}");
    assert!(
        !err.contains("Kai"),
        "no personal data on the terminal: {err}"
    );
    assert!(!dir.join("out/SAR-2023-031.zip").exists());
}

#[test]
fn verify_with_a_wrong_password_says_so() {
    let (_tmp, dir) = case_dir();
    assert!(scan_and_seal(&dir).status.success());
    let wrong = dir.join("wrong.txt");
    std::fs::write(&wrong, "not-the-password").unwrap();
    let v = run(&[
        "verify",
        dir.join("out/SAR-2023-031.zip").to_str().unwrap(),
        "--password-file",
        wrong.to_str().unwrap(),
    ]);
    assert_eq!(v.status.code(), Some(1));
    let err = String::from_utf8_lossy(&v.stderr).to_lowercase();
    assert!(err.contains("password"), "{err}");
}
