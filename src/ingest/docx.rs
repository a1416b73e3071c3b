//! Word .docx, the commonest attachment in a school.
//!
//! Everything a school holds in the file is text to search, not only what Word shows on the
//! page: the body (tables as tab-separated rows), headers, footers, footnotes and endnotes,
//! comments with their authors, text deleted under tracked changes (still stored in the file,
//! so still disclosable), and the author fields of the document properties. Files embedded in
//! the document (word/embeddings) are passed on as children for the driver to read.
//!
//! A .docx is a zip, so the same bomb rules as any archive apply: the zip directory is checked
//! against [`Limits`] before anything is inflated (see [`open_checked`]), and each part is
//! read no further than its declared size.

use std::collections::BTreeSet;
use std::io::Cursor;

use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use super::model::{Child, ChildContent, Input, ItemKind, Own, ReadError};
use super::ole::{Ole, OLE_MAGIC};
use super::textconv::{attr_value, tidy, trim_end_spaces, xml_events, xml_text};
use super::ziputil::{find_part, open_checked, part_names, read_part};

/// Reads a .docx. Own text: body, then labelled sections for headers, footers, notes,
/// comments, tracked deletions and document properties.
pub fn read(input: &Input, emit: &mut dyn FnMut(Child)) -> Result<Own, ReadError> {
    let limits = input.limits;
    let bytes = input.bytes;
    if bytes.len() as u64 > limits.max_item_bytes {
        return Err(ReadError::Limit(format!(
            "document is {} bytes, over the {} byte item limit",
            bytes.len(),
            limits.max_item_bytes
        )));
    }
    if bytes.starts_with(&OLE_MAGIC) {
        let ole = Ole::parse(bytes).map_err(|e| ReadError::Corrupt(format!("OLE file: {e}")))?;
        if ole.find("EncryptedPackage").is_some() || ole.find("EncryptionInfo").is_some() {
            return Err(ReadError::Encrypted(
                "password-protected Word document".into(),
            ));
        }
        if ole.find("WordDocument").is_some() {
            return Err(ReadError::Unsupported(
                "legacy .doc: convert to .docx or PDF".into(),
            ));
        }
        return Err(ReadError::Corrupt(
            "an OLE file, but not a Word document".into(),
        ));
    }
    if !bytes.starts_with(b"PK") {
        return Err(ReadError::Corrupt("not a .docx (not a zip file)".into()));
    }
    let mut zip = open_checked(bytes, limits)?;
    let names = part_names(&zip);

    let main = find_part(&names, "_rels/.rels")
        .and_then(|i| read_part(&mut zip, i, limits).ok())
        .and_then(|x| office_document(&x))
        .and_then(|p| find_part(&names, &p))
        .or_else(|| find_part(&names, "word/document.xml"))
        .ok_or_else(|| {
            ReadError::Corrupt("zip without word/document.xml: not a Word document".into())
        })?;

    let mut notes = Vec::new();
    let mut deletions = Vec::new();
    let body = read_part(&mut zip, main, limits)?;
    let body = word_text(&body, &mut deletions)
        .map_err(|e| ReadError::Corrupt(format!("word/document.xml: {e}")))?;
    let mut text = body;

    let mut section = |title: &str, parts: Vec<String>| {
        let parts: Vec<String> = parts.into_iter().filter(|p| !p.trim().is_empty()).collect();
        if parts.is_empty() {
            return;
        }
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(title);
        text.push_str(":\n");
        text.push_str(&parts.join("\n"));
    };

    let part_texts = |prefix: &str,
                      zip: &mut ZipArchive<Cursor<&[u8]>>,
                      deletions: &mut Vec<String>,
                      notes: &mut Vec<String>| {
        let mut matching: Vec<&(String, usize)> = names
            .iter()
            .filter(|(n, _)| {
                n.starts_with(prefix) && n.ends_with(".xml") && !n[prefix.len()..].contains('/')
            })
            .collect();
        matching.sort_by_key(|(n, _)| natural_key(n));
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (name, i) in matching {
            match read_part(zip, *i, limits)
                .map_err(|e| e.to_string())
                .and_then(|x| word_text(&x, deletions))
            {
                Ok(t) => {
                    // First-page, even and default headers often repeat one another.
                    if seen.insert(t.clone()) {
                        out.push(t);
                    }
                }
                Err(e) => notes.push(format!("{name} could not be read: {e}")),
            }
        }
        out
    };
    let headers = part_texts("word/header", &mut zip, &mut deletions, &mut notes);
    let footers = part_texts("word/footer", &mut zip, &mut deletions, &mut notes);
    let footnotes = part_texts("word/footnotes", &mut zip, &mut deletions, &mut notes);
    let endnotes = part_texts("word/endnotes", &mut zip, &mut deletions, &mut notes);
    section("Headers", headers);
    section("Footers", footers);
    section("Footnotes", footnotes);
    section("Endnotes", endnotes);

    if let Some(i) = find_part(&names, "word/comments.xml") {
        match read_part(&mut zip, i, limits)
            .map_err(|e| e.to_string())
            .and_then(|x| comments(&x, &mut deletions))
        {
            Ok(list) => {
                if !list.is_empty() {
                    notes.push(format!(
                        "{} comment{}",
                        list.len(),
                        if list.len() == 1 { "" } else { "s" }
                    ));
                }
                section("Comments", list);
            }
            Err(e) => notes.push(format!("word/comments.xml could not be read: {e}")),
        }
    }

    if !deletions.is_empty() {
        notes.push(format!(
            "{} tracked deletion{} (deleted text is still held in the file and is included in the text)",
            deletions.len(),
            if deletions.len() == 1 { "" } else { "s" }
        ));
    }
    section("Deleted text (tracked changes)", deletions);

    if let Some(i) = find_part(&names, "docprops/core.xml") {
        if let Ok(x) = read_part(&mut zip, i, limits) {
            section("Properties", core_properties(&x));
        }
    }

    let images = names
        .iter()
        .filter(|(n, _)| n.starts_with("word/media/"))
        .count();
    if images > 0 {
        notes.push(format!(
            "{images} image{} in the document not extracted (a human must look at them)",
            if images == 1 { "" } else { "s" }
        ));
    }
    if find_part(&names, "word/vbadata.xml").is_some()
        || find_part(&names, "word/vbaproject.bin").is_some()
    {
        notes.push("contains macros".into());
    }

    let embedded: Vec<(String, usize)> = names
        .iter()
        .filter(|(n, _)| n.starts_with("word/embeddings/") && !n.ends_with('/'))
        .cloned()
        .collect();
    for (name, i) in embedded {
        let original = zip
            .by_index_data(i)
            .ok()
            .and_then(|e| e.name().ok().map(|n| n.replace('\\', "/")))
            .unwrap_or(name);
        let label = original.rsplit('/').next().unwrap_or(&original).to_string();
        let content = match read_part(&mut zip, i, limits) {
            Ok(bytes) => ChildContent::Bytes(bytes),
            Err(e) => ChildContent::Failed {
                reason: e.to_string(),
                hash_bytes: None,
            },
        };
        emit(Child {
            levels: vec![label],
            content,
        });
    }

    let mut own = Own::new(ItemKind::Docx, text);
    own.notes = notes;
    Ok(own)
}

/// Sort key that puts header2 before header10.
fn natural_key(name: &str) -> (String, u64) {
    let stem = name.trim_end_matches(".xml");
    let digits = stem.len() - stem.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (head, num) = stem.split_at(stem.len() - digits);
    (head.to_string(), num.parse().unwrap_or(0))
}

/// Target of the officeDocument relationship in `_rels/.rels`, normalised.
fn office_document(xml: &[u8]) -> Option<String> {
    // The first officeDocument relationship decides, even when it names no target.
    let mut found: Option<Option<String>> = None;
    xml_events(xml, |ev| match ev {
        Event::Start(e) | Event::Empty(e)
            if found.is_none() && e.local_name().as_ref() == "Relationship" =>
        {
            let typ = attr(&e, "Type").unwrap_or_default();
            if typ.ends_with("/officeDocument") {
                found = Some(attr(&e, "Target").map(|t| {
                    let t = t.replace('\\', "/");
                    t.trim_start_matches('/').to_ascii_lowercase()
                }));
            }
        }
        _ => {}
    });
    found.flatten()
}

fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| attr_value(&a).unwrap_or_else(|| a.value.to_string()))
}

/// Text of a WordprocessingML part (document, header, footer, notes): paragraphs become lines,
/// table cells are separated by tabs and rows by newlines. Deleted runs go to `deletions`
/// instead, one entry per `w:del`, so the body reads as the document now reads.
fn word_text(xml: &[u8], deletions: &mut Vec<String>) -> Result<String, String> {
    let mut out = String::new();
    let mut r = quick_xml::Reader::from_reader(xml);
    r.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    // Table nesting: for each open table, how many cells the current row has had.
    let mut tables: Vec<usize> = Vec::new();
    let mut in_text = false;
    let mut in_del_text = false;
    let mut del = String::new();
    let mut del_depth = 0usize;
    // mc:Fallback repeats the mc:Choice content (text boxes) for older readers.
    let mut fallback = 0usize;
    loop {
        let ev = r
            .read_event_into(&mut buf)
            .map_err(|e| format!("XML error at byte {}: {e}", r.buffer_position()))?;
        if fallback > 0 {
            match &ev {
                Event::Start(e) if e.name().as_ref() == "mc:Fallback" => fallback += 1,
                Event::End(e) if e.name().as_ref() == "mc:Fallback" => fallback -= 1,
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
            continue;
        }
        let in_table = !tables.is_empty();
        match ev {
            Event::Start(e) => match e.name().as_ref() {
                "w:t" => in_text = true,
                "w:delText" => in_del_text = true,
                "w:del" => del_depth += 1,
                "w:tbl" => {
                    line_break(&mut out);
                    tables.push(0);
                }
                "w:tr" => {
                    if let Some(n) = tables.last_mut() {
                        *n = 0;
                    }
                }
                "w:tc" => cell_start(&mut out, &mut tables),
                "mc:Fallback" => fallback = 1,
                _ => {}
            },
            Event::Empty(e) => match e.name().as_ref() {
                "w:tab" if !in_table => out.push('\t'),
                "w:tab" | "w:br" | "w:cr" if in_table => out.push(' '),
                "w:br" | "w:cr" => out.push('\n'),
                "w:noBreakHyphen" => out.push('-'),
                "w:tc" => cell_start(&mut out, &mut tables),
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:delText" => in_del_text = false,
                "w:del" => {
                    del_depth = del_depth.saturating_sub(1);
                    if del_depth == 0 {
                        let d = del.split_whitespace().collect::<Vec<_>>().join(" ");
                        if !d.is_empty() {
                            deletions.push(d);
                        }
                        del.clear();
                    }
                }
                "w:p" => {
                    if in_table {
                        trim_end_spaces(&mut out);
                        out.push(' ');
                    } else {
                        trim_end_spaces(&mut out);
                        out.push('\n');
                    }
                }
                "w:tc" => trim_end_spaces(&mut out),
                "w:tr" => {
                    trim_end_spaces(&mut out);
                    if tables.len() > 1 {
                        out.push(' ');
                    } else {
                        out.push('\n');
                    }
                }
                "w:tbl" => {
                    tables.pop();
                }
                _ => {}
            },
            ev @ (Event::Text(_) | Event::GeneralRef(_)) if in_del_text || in_text => {
                let t = xml_text(&ev).unwrap_or_default();
                if in_del_text {
                    del.push_str(&t);
                } else {
                    out.push_str(&t);
                }
            }
            Event::CData(t) if in_text => out.push_str(&t),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(tidy(&out))
}

fn cell_start(out: &mut String, tables: &mut [usize]) {
    let nested = tables.len() > 1;
    if let Some(n) = tables.last_mut() {
        if *n > 0 {
            trim_end_spaces(out);
            out.push(if nested { ' ' } else { '\t' });
        }
        *n += 1;
    }
}

fn line_break(out: &mut String) {
    trim_end_spaces(out);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// `Author (date): text` for each comment of word/comments.xml.
fn comments(xml: &[u8], deletions: &mut Vec<String>) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut r = quick_xml::Reader::from_reader(xml);
    r.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut start = None;
    let mut head = String::new();
    loop {
        let pos = r.buffer_position() as usize;
        let ev = r
            .read_event_into(&mut buf)
            .map_err(|e| format!("XML error: {e}"))?;
        match ev {
            Event::Start(e) if e.name().as_ref() == "w:comment" => {
                let author = attr(&e, "author").unwrap_or_default();
                let date = attr(&e, "date").unwrap_or_default();
                head = match (author.trim(), date.get(..10).unwrap_or(&date)) {
                    ("", "") => "Comment".to_string(),
                    (a, "") => a.to_string(),
                    ("", d) => format!("Comment ({d})"),
                    (a, d) => format!("{a} ({d})"),
                };
                start = Some(pos);
            }
            Event::End(e) if e.name().as_ref() == "w:comment" => {
                if let Some(s) = start.take() {
                    let end = r.buffer_position() as usize;
                    let inner = xml.get(s..end).unwrap_or_default();
                    let body = word_text(inner, deletions)?;
                    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
                    out.push(format!("{head}: {body}"));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// Who wrote and last saved the document, and its title: often a member of staff's name.
fn core_properties(xml: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<&'static str> = None;
    let mut value = String::new();
    xml_events(xml, |ev| match ev {
        Event::Start(e) => {
            current = match e.local_name().as_ref() {
                "title" => Some("Title"),
                "subject" => Some("Subject"),
                "creator" => Some("Creator"),
                "lastModifiedBy" => Some("Last modified by"),
                "description" => Some("Description"),
                "keywords" => Some("Keywords"),
                "category" => Some("Category"),
                _ => None,
            };
            value.clear();
        }
        ev @ (Event::Text(_) | Event::GeneralRef(_)) if current.is_some() => {
            value.push_str(&xml_text(&ev).unwrap_or_default());
        }
        Event::End(_) => {
            if let Some(label) = current.take() {
                let v = value.split_whitespace().collect::<Vec<_>>().join(" ");
                if !v.is_empty() {
                    out.push(format!("{label}: {v}"));
                }
            }
        }
        _ => {}
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::model::Limits;
    use crate::ingest::ziputil::test_support::{build_zip, deflated};

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

    fn docx(parts: &[(&str, &str)]) -> Vec<u8> {
        let entries: Vec<_> = parts
            .iter()
            .map(|(name, body)| (*name, body.as_bytes(), deflated()))
            .collect();
        build_zip(&entries)
    }

    fn sample() -> Vec<(String, String)> {
        let document = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {W}><w:body>
<w:p><w:r><w:t>Pastoral note for </w:t></w:r><w:r><w:t>Jane Smith</w:t></w:r><w:r><w:tab/><w:t>Year 9</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">She was </w:t></w:r><w:del w:id="1" w:author="Mr Brown"><w:r><w:delText>very rude</w:delText></w:r></w:del><w:ins w:id="2"><w:r><w:t>upset</w:t></w:r></w:ins><w:r><w:t> in class &amp; left.</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Date</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Incident</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>3 May</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Left lesson</w:t></w:r></w:p><w:p><w:r><w:t>Returned later</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:txbxContent><w:p><w:r><w:t>Boxed</w:t></w:r></w:p></w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r><w:t>Boxed</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>
<w:p><w:r><w:t>Line one</w:t><w:br/><w:t>Line two</w:t><w:commentReference w:id="0"/></w:r></w:p>
</w:body></w:document>"#
        );
        let header = format!(
            r#"<w:hdr {W}><w:p><w:r><w:t>Oakfield Academy - CONFIDENTIAL</w:t></w:r></w:p></w:hdr>"#
        );
        let footer =
            format!(r#"<w:ftr {W}><w:p><w:r><w:t>Page footer text</w:t></w:r></w:p></w:ftr>"#);
        let comments = format!(
            r#"<w:comments {W}><w:comment w:id="0" w:author="Ms Green" w:date="2024-03-05T10:00:00Z" w:initials="MG"><w:p><w:r><w:t>Check with parent</w:t></w:r></w:p></w:comment></w:comments>"#
        );
        let core = r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Incident log</dc:title><dc:creator>Tom Brown</dc:creator><cp:lastModifiedBy>Amy Green</cp:lastModifiedBy></cp:coreProperties>"#;
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
        vec![
            ("[Content_Types].xml".into(), "<Types/>".into()),
            ("_rels/.rels".into(), rels.into()),
            ("word/document.xml".into(), document),
            ("word/header1.xml".into(), header.clone()),
            ("word/header2.xml".into(), header),
            ("word/footer1.xml".into(), footer),
            ("word/comments.xml".into(), comments),
            ("docProps/core.xml".into(), core.into()),
            ("word/media/image1.png".into(), "\u{89}PNG".into()),
            (
                "word/embeddings/Microsoft_Excel_Worksheet.xlsx".into(),
                "PK-embedded".into(),
            ),
        ]
    }

    fn build(parts: &[(String, String)]) -> Vec<u8> {
        let refs: Vec<(&str, &str)> = parts
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        docx(&refs)
    }

    fn run(bytes: &[u8], limits: &Limits) -> (Result<Own, ReadError>, Vec<Child>) {
        let input = Input {
            bytes,
            name: "note.docx",
            limits,
        };
        let mut children = Vec::new();
        let r = read(&input, &mut |c| children.push(c));
        (r, children)
    }

    #[test]
    fn reads_body_tables_headers_comments_deletions_and_properties() {
        let (r, children) = run(&build(&sample()), &Limits::default());
        let own = r.expect("docx reads");
        assert_eq!(own.kind, ItemKind::Docx);
        let t = &own.text;
        eprintln!("{t}\n{:?}", own.notes);
        assert!(
            t.starts_with("Pastoral note for Jane Smith\tYear 9\nShe was upset in class & left.\n"),
            "{t}"
        );
        assert!(
            t.contains("\nDate\tIncident\n3 May\tLeft lesson Returned later\n"),
            "{t}"
        );
        assert_eq!(
            t.matches("Boxed").count(),
            1,
            "fallback text box not repeated: {t}"
        );
        assert!(t.contains("Line one\nLine two"), "{t}");
        assert!(
            t.contains("Headers:\nOakfield Academy - CONFIDENTIAL\n\nFooters:\nPage footer text"),
            "{t}"
        );
        assert_eq!(
            t.matches("Oakfield").count(),
            1,
            "identical headers once: {t}"
        );
        assert!(
            t.contains("Comments:\nMs Green (2024-03-05): Check with parent"),
            "{t}"
        );
        assert!(
            t.contains("Deleted text (tracked changes):\nvery rude"),
            "{t}"
        );
        assert!(
            !t[..t.find("Headers:").unwrap_or(0)].contains("very rude"),
            "deletion not in the body: {t}"
        );
        assert!(
            t.contains(
                "Properties:\nTitle: Incident log\nCreator: Tom Brown\nLast modified by: Amy Green"
            ),
            "{t}"
        );
        assert!(
            own.notes.iter().any(|n| n.contains("1 tracked deletion")),
            "{:?}",
            own.notes
        );
        assert!(
            own.notes.iter().any(|n| n.contains("1 comment")),
            "{:?}",
            own.notes
        );
        assert!(
            own.notes.iter().any(|n| n.contains("1 image")),
            "{:?}",
            own.notes
        );
        assert_eq!(children.len(), 1);
        assert_eq!(children[0].levels, ["Microsoft_Excel_Worksheet.xlsx"]);
        assert!(matches!(&children[0].content, ChildContent::Bytes(b) if b == b"PK-embedded"));
    }

    #[test]
    fn corrupt_variants_fail_cleanly() {
        let good = build(&sample());
        let limits = Limits::default();
        // Truncated at many points, and bytes flipped.
        for cut in [
            0,
            2,
            10,
            100,
            good.len() / 2,
            good.len() - 30,
            good.len() - 1,
        ] {
            let (r, _) = run(&good[..cut], &limits);
            assert!(r.is_err(), "truncated at {cut} read as {r:?}");
        }
        for i in (0..good.len()).step_by(97) {
            let mut bad = good.clone();
            bad[i] ^= 0x5A;
            let _ = run(&bad, &limits); // any outcome but a panic
        }
        // Not XML where the body should be.
        let mut parts = sample();
        parts[2].1 = "<w:document><w:body><w:p><w:t>unterminated".into();
        let (r, _) = run(&build(&parts), &limits);
        assert!(
            r.is_ok() || matches!(r, Err(ReadError::Corrupt(_))),
            "{r:?}"
        );
        parts[2].1 = "\u{0}\u{1}binary</<<>".into();
        assert!(matches!(
            run(&build(&parts), &limits).0,
            Err(ReadError::Corrupt(_))
        ));
        // A zip that is not a Word document.
        let other = docx(&[("readme.txt", "hello")]);
        assert!(
            matches!(run(&other, &limits).0, Err(ReadError::Corrupt(m)) if m.contains("word/document.xml"))
        );
        assert!(matches!(
            run(b"hello", &limits).0,
            Err(ReadError::Corrupt(_))
        ));
    }

    fn with_body(text: &str) -> Vec<u8> {
        let mut parts = sample();
        parts[2].1 = format!(
            "<w:document {W}><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
        );
        build(&parts)
    }

    #[test]
    fn bombs_are_refused_by_declared_size_and_ratio() {
        // 4 MB of one letter inflates about a thousandfold.
        let bomb = with_body(&"a".repeat(4 << 20));
        assert!(
            matches!(run(&bomb, &Limits::default()).0, Err(ReadError::Limit(m)) if m.contains("ratio"))
        );
        // 4 MB of varied words is an ordinary large document, held to the size bounds only.
        let mut x: u32 = 1;
        let words: Vec<String> = (0..600_000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                format!("w{:x}", x >> 12)
            })
            .collect();
        let big = with_body(&words.join(" "));
        let (r, _) = run(&big, &Limits::default());
        assert!(r.expect("large document reads").text.len() > 3 << 20);
        let limits = Limits {
            max_item_bytes: 1 << 20,
            ..Limits::default()
        };
        assert!(
            matches!(run(&big, &limits).0, Err(ReadError::Limit(m)) if m.contains("item limit"))
        );
        let limits = Limits {
            max_archive_total: 2 << 20,
            ..Limits::default()
        };
        assert!(matches!(run(&big, &limits).0, Err(ReadError::Limit(m)) if m.contains("total")));
        let limits = Limits {
            max_entries: 3,
            ..Limits::default()
        };
        assert!(matches!(run(&big, &limits).0, Err(ReadError::Limit(m)) if m.contains("entries")));
    }

    #[test]
    fn lying_declared_size_is_caught() {
        // Rewrite the declared uncompressed size of word/document.xml in the central directory
        // to something small: inflating must stop there with an error, not read on.
        let bytes = build(&sample());
        let mut bad = bytes.clone();
        let name = b"word/document.xml";
        let mut patched = 0;
        let mut i = 0;
        while let Some(off) = bad[i..].windows(4).position(|w| w == b"PK\x01\x02") {
            let at = i + off;
            let name_len = u16::from_le_bytes([bad[at + 28], bad[at + 29]]) as usize;
            if bad.get(at + 46..at + 46 + name_len) == Some(&name[..]) {
                bad[at + 24..at + 28].copy_from_slice(&10u32.to_le_bytes());
                patched += 1;
            }
            i = at + 4;
        }
        assert_eq!(patched, 1);
        let (r, _) = run(&bad, &Limits::default());
        assert!(matches!(r, Err(ReadError::Corrupt(_))), "{r:?}");
    }

    #[test]
    fn ole_documents() {
        use crate::ingest::ole::test_support::tiny_ole;
        let limits = Limits::default();
        let encrypted = tiny_ole(&["EncryptionInfo", "EncryptedPackage"]);
        assert_eq!(
            run(&encrypted, &limits).0.err(),
            Some(ReadError::Encrypted(
                "password-protected Word document".into()
            ))
        );
        let legacy = tiny_ole(&["WordDocument", "1Table"]);
        assert_eq!(
            run(&legacy, &limits).0.err(),
            Some(ReadError::Unsupported(
                "legacy .doc: convert to .docx or PDF".into()
            ))
        );
        assert!(matches!(
            run(&tiny_ole(&["Workbook"]), &limits).0,
            Err(ReadError::Corrupt(_))
        ));
        let mut header_only = OLE_MAGIC.to_vec();
        header_only.resize(1024, 0);
        assert!(matches!(
            run(&header_only, &limits).0,
            Err(ReadError::Corrupt(_))
        ));
    }

    #[test]
    fn natural_order_of_parts() {
        let mut v = vec!["word/header10.xml", "word/header2.xml", "word/header1.xml"];
        v.sort_by_key(|n| natural_key(n));
        assert_eq!(
            v,
            ["word/header1.xml", "word/header2.xml", "word/header10.xml"]
        );
    }
}
