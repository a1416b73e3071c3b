//! Export metadata: Purview's `Results.csv` and `Manifest.xml`, Google Vault's metadata CSV and
//! XML. They are not documents to search; they are the export's own account of what it holds,
//! so each listed message is checked off against what was actually found.

use std::collections::HashMap;

/// One message (or document) an export says it contains.
#[derive(Debug, Clone, Default)]
pub struct Listed {
    pub listing: String,
    pub message_id: Option<String>,
    pub subject: String,
    pub location: Option<String>,
    pub original_path: Option<String>,
    /// Purview de-duplication: this row's copy was not exported, the named item was.
    pub duplicate_of: Option<String>,
}

/// Recognises an export metadata file by its name and content.
pub fn is_export_metadata(name: &str, bytes: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    if lower.ends_with(".csv") {
        let named = lower == "results.csv"
            || lower.starts_with("resultslog")
            || lower.starts_with("export_results")
            || lower.ends_with("-metadata.csv")
            || lower.ends_with("_metadata.csv");
        let first = head.lines().next().unwrap_or("");
        return named
            && (first.contains("internet message id")
                || first.contains("rfc822messageid")
                || first.contains("subject or title")
                || first.contains("item identity")
                || first.contains("document id"));
    }
    if lower.ends_with(".xml") {
        return (lower == "manifest.xml"
            || lower.ends_with("-metadata.xml")
            || lower.ends_with("_metadata.xml"))
            && head.contains("<document");
    }
    false
}

pub fn normalize_message_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_ascii_lowercase()
}

/// Reads the listed items; the error names what is wrong with the file.
pub fn parse(name: &str, label: &str, bytes: &[u8]) -> Result<Vec<Listed>, String> {
    let mut out = Vec::new();
    parse_each(name, label, bytes, &mut |l| {
        out.push(l);
        Ok(())
    })?;
    Ok(out)
}

/// Streams the listed items to `each` as they are read, so a listing of a hundred thousand
/// messages is never held whole; returns how many there were. An error from `each` stops the
/// read and is returned.
pub fn parse_each(
    name: &str,
    label: &str,
    mut r: impl std::io::BufRead,
    each: &mut dyn FnMut(Listed) -> Result<(), String>,
) -> Result<usize, String> {
    if r.fill_buf()
        .map_err(|e| e.to_string())?
        .starts_with(b"\xEF\xBB\xBF")
    {
        r.consume(3);
    }
    if name.to_ascii_lowercase().ends_with(".xml") {
        parse_xml(label, r, each)
    } else {
        parse_csv(label, r, each)
    }
}

fn parse_csv(
    label: &str,
    bytes: impl std::io::Read,
    each: &mut dyn FnMut(Listed) -> Result<(), String>,
) -> Result<usize, String> {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| headers.iter().position(|h| h == n))
    };
    let mid = col(&[
        "internet message id",
        "rfc822messageid",
        "message id",
        "internetmessageid",
    ]);
    let subject = col(&["subject or title", "subject"]);
    let location = col(&["location", "location name", "account", "custodian"]);
    let original = col(&["original path", "filename", "file name"]);
    let dup = col(&["duplicate to item"]);
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        let get = |i: Option<usize>| {
            i.and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        each(Listed {
            listing: label.to_string(),
            message_id: get(mid),
            subject: get(subject).unwrap_or_default(),
            location: get(location),
            original_path: get(original),
            duplicate_of: get(dup),
        })?;
        n += 1;
    }
    Ok(n)
}

/// EDRM-style XML: `<Document DocID=..>` with `<Tag TagName=".." TagValue=".."/>` children.
fn parse_xml(
    label: &str,
    bytes: impl std::io::BufRead,
    each: &mut dyn FnMut(Listed) -> Result<(), String>,
) -> Result<usize, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut n = 0;
    let mut current: Option<HashMap<String, String>> = None;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                let attrs: HashMap<String, String> = e
                    .attributes()
                    .flatten()
                    .map(|a| {
                        let k = a.key.local_name().as_ref().to_ascii_lowercase();
                        let v = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map(|v| v.into_owned())
                            .unwrap_or_default();
                        (k, v)
                    })
                    .collect();
                if name == "document" {
                    current = Some(HashMap::new());
                } else if name == "tag" {
                    if let (Some(doc), Some(k), Some(v)) = (
                        current.as_mut(),
                        attrs.get("tagname"),
                        attrs.get("tagvalue"),
                    ) {
                        doc.insert(k.trim_start_matches('#').to_ascii_lowercase(), v.clone());
                    }
                } else if name == "custodian" {
                    if let Some(doc) = current.as_mut() {
                        doc.insert(
                            "custodian".into(),
                            attrs.get("name").cloned().unwrap_or_default(),
                        );
                    }
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref().eq_ignore_ascii_case("document") => {
                if let Some(doc) = current.take() {
                    let find = |pred: &dyn Fn(&str) -> bool| {
                        doc.iter()
                            .find(|(k, _)| pred(k))
                            .map(|(_, v)| v.clone())
                            .filter(|v| !v.is_empty())
                    };
                    each(Listed {
                        listing: label.to_string(),
                        message_id: find(&|k| k.replace(['-', '_', ' '], "").contains("messageid")),
                        subject: find(&|k| k == "subject").unwrap_or_default(),
                        location: find(&|k| k == "custodian" || k == "source" || k == "account"),
                        original_path: find(&|k| k == "targetpath" || k == "filename"),
                        duplicate_of: None,
                    })?;
                    n += 1;
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => {
                return Err(format!(
                    "XML error at byte {}: {e}",
                    reader.buffer_position()
                ))
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_purview_results_csv() {
        let csv = "\u{feff}Document ID,Location,Subject or Title,Internet Message Id,Duplicate to Item,Original Path\n\
                   1,jane.doe@school.org,Re: Year 9,<abc@x>,,Inbox\n\
                   2,john@school.org,Re: Year 9,<abc@x>,1,Inbox\n";
        assert!(is_export_metadata("Results.csv", csv.as_bytes()));
        let rows = parse("Results.csv", "export/Results.csv", csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].message_id.as_deref(), Some("<abc@x>"));
        assert_eq!(rows[0].location.as_deref(), Some("jane.doe@school.org"));
        assert_eq!(rows[1].duplicate_of.as_deref(), Some("1"));
        assert_eq!(normalize_message_id(" <ABC@x> "), "abc@x");
        assert!(!is_export_metadata("roster.csv", b"name,upn\n"));
    }

    #[test]
    fn reads_edrm_manifest() {
        let xml = r##"<Root><Batch><Documents>
            <Document DocID="1"><Tags><Tag TagName="#Subject" TagValue="Trip &amp; form"/>
            <Tag TagName="#InternetMessageId" TagValue="&lt;m1@x&gt;"/></Tags><Custodian Name="jane"/></Document>
            </Documents></Batch></Root>"##;
        assert!(is_export_metadata("Manifest.xml", xml.as_bytes()));
        let rows = parse("Manifest.xml", "Manifest.xml", xml.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].subject, "Trip & form");
        assert_eq!(rows[0].message_id.as_deref(), Some("<m1@x>"));
        assert_eq!(rows[0].location.as_deref(), Some("jane"));
    }
}
