//! What a stored object is, from its first bytes and its name. Content wins over the name
//! (a `.pdf` that is really a zip is read as a zip), except where the bytes cannot tell
//! formats apart (OLE files hold mail, workbooks and Word documents alike; zips hold Office
//! documents and plain archives).

/// The format a reader will be chosen for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Pst,
    Msg,
    Eml,
    Mbox,
    Zip,
    Docx,
    Workbook,
    Csv,
    Html,
    Text,
    Image,
    Media,
    /// A legacy Word document (OLE) and the like.
    UnsupportedDocument(&'static str),
    /// An Office file that opens only with a password.
    Encrypted(&'static str),
    Unknown,
}

fn ext(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

pub fn detect(bytes: &[u8], name: &str) -> Format {
    let e = ext(name);
    let head = &bytes[..bytes.len().min(4096)];
    if head.len() >= 5 && contains(&head[..head.len().min(1024)], b"%PDF-") {
        return Format::Pdf;
    }
    if head.starts_with(b"!BDN") {
        return Format::Pst;
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return zip_kind(bytes, &e);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return ole_kind(bytes, &e);
    }
    if let Some(f) = media_kind(head) {
        return f;
    }
    match e.as_str() {
        "csv" | "tsv" => return Format::Csv,
        "eml" => return Format::Eml,
        "mbox" | "mbx" => return Format::Mbox,
        "htm" | "html" => return Format::Html,
        _ => {}
    }
    if super::mbox::looks_like_mbox(head) {
        return Format::Mbox;
    }
    if super::eml::looks_like_eml(head) || looks_like_headers(head) {
        return Format::Eml;
    }
    let lower: Vec<u8> = head.iter().take(512).map(u8::to_ascii_lowercase).collect();
    let trimmed = lower
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&lower[..0], |p| &lower[p..]);
    if trimmed.starts_with(b"<!doctype html") || trimmed.starts_with(b"<html") {
        return Format::Html;
    }
    if matches!(
        e.as_str(),
        "txt" | "text" | "log" | "md" | "rtf" | "xml" | "json" | "ics" | "vcf"
    ) || is_texty(head)
    {
        return Format::Text;
    }
    Format::Unknown
}

/// RFC 5322-looking: the first lines are `Name: value` headers mail carries.
fn looks_like_headers(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(2048)]);
    let known = [
        "received:",
        "from:",
        "to:",
        "subject:",
        "date:",
        "message-id:",
        "mime-version:",
        "return-path:",
        "delivered-to:",
        "x-",
    ];
    let mut hits = 0;
    for line in text.lines().take(40) {
        if line.is_empty() {
            break;
        }
        let l = line.to_ascii_lowercase();
        if known.iter().any(|k| l.starts_with(k)) {
            hits += 1;
        }
    }
    hits >= 2
}

fn is_texty(head: &[u8]) -> bool {
    if head.is_empty() {
        return true;
    }
    if head.starts_with(&[0xFF, 0xFE])
        || head.starts_with(&[0xFE, 0xFF])
        || head.starts_with(&[0xEF, 0xBB, 0xBF])
    {
        return true;
    }
    let bad = head
        .iter()
        .filter(|&&b| b < 0x09 || (b > 0x0D && b < 0x20 && b != 0x1B))
        .count();
    bad * 100 < head.len()
}

fn media_kind(head: &[u8]) -> Option<Format> {
    let at = |i: usize, m: &[u8]| head.len() >= i + m.len() && &head[i..i + m.len()] == m;
    if at(0, b"\x89PNG")
        || at(0, &[0xFF, 0xD8, 0xFF])
        || at(0, b"GIF8")
        || at(0, b"BM") && head.len() > 14
        || at(0, b"II*\0")
        || at(0, b"MM\0*")
        || (at(0, b"RIFF") && at(8, b"WEBP"))
        || (at(4, b"ftyp") && (at(8, b"heic") || at(8, b"heix") || at(8, b"mif1")))
    {
        return Some(Format::Image);
    }
    if at(0, b"ID3")
        || at(0, &[0xFF, 0xFB])
        || at(0, b"OggS")
        || at(0, b"fLaC")
        || at(0, &[0x1A, 0x45, 0xDF, 0xA3])
        || (at(0, b"RIFF") && (at(8, b"WAVE") || at(8, b"AVI ")))
        || at(4, b"ftyp")
    {
        return Some(Format::Media);
    }
    None
}

fn zip_kind(bytes: &[u8], e: &str) -> Format {
    match e {
        "docx" | "docm" | "dotx" | "dotm" => return Format::Docx,
        "xlsx" | "xlsm" | "xlsb" | "xltx" | "xltm" | "ods" => return Format::Workbook,
        _ => {}
    }
    // The central directory is at the end; its names tell Office documents from archives.
    let tail = &bytes[bytes.len().saturating_sub(64 * 1024)..];
    if contains(tail, b"word/document.xml") {
        Format::Docx
    } else if contains(tail, b"xl/workbook.xml")
        || contains(tail, b"xl/workbook.bin")
        || contains(
            &bytes[..bytes.len().min(128)],
            b"application/vnd.oasis.opendocument.spreadsheet",
        )
    {
        Format::Workbook
    } else {
        Format::Zip
    }
}

fn ole_kind(bytes: &[u8], e: &str) -> Format {
    match e {
        "msg" => return Format::Msg,
        "xls" | "xlt" => return Format::Workbook,
        _ => {}
    }
    let dir = &bytes[..bytes.len().min(1 << 20)];
    if contains(dir, &utf16("__substg1.0_")) {
        Format::Msg
    } else if contains(dir, &utf16("EncryptedPackage")) {
        Format::Encrypted("Office document that opens only with a password")
    } else if contains(dir, &utf16("Workbook")) || contains(dir, &utf16("Book")) {
        Format::Workbook
    } else if contains(dir, &utf16("WordDocument")) {
        Format::UnsupportedDocument("legacy Word .doc: convert it to .docx or PDF")
    } else if contains(dir, &utf16("PowerPoint Document")) {
        Format::UnsupportedDocument("legacy PowerPoint file")
    } else {
        Format::UnsupportedDocument("unrecognised OLE (Office 97-2003) file")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_before_names() {
        assert_eq!(detect(b"%PDF-1.7\n...", "letter.txt"), Format::Pdf);
        assert_eq!(detect(b"!BDN\x00\x00", "mail.dat"), Format::Pst);
        assert_eq!(
            detect(b"From: a@b.c\nTo: d@e.f\nSubject: hi\n\nbody", "x"),
            Format::Eml
        );
        assert_eq!(
            detect(
                b"From jane@x Mon Jan  1 00:00:00 2024\nFrom: a@b\nSubject: s\n\nhi",
                "all"
            ),
            Format::Mbox
        );
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n....", "photo.pdf"), Format::Image);
        assert_eq!(detect(b"name,upn\nAva,A123\n", "roster.csv"), Format::Csv);
        assert_eq!(detect(b"<!DOCTYPE html><p>x", "page"), Format::Html);
        assert_eq!(
            detect(b"Plain notes about a meeting.\n", "notes"),
            Format::Text
        );
        assert_eq!(
            detect(&[0u8, 1, 2, 3, 4, 5, 6, 7, 0, 0, 9, 1, 2], "blob.bin"),
            Format::Unknown
        );
        assert_eq!(detect(b"PK\x03\x04rest", "report.docx"), Format::Docx);
        assert_eq!(detect(b"PK\x03\x04rest", "export.zip"), Format::Zip);
    }
}
