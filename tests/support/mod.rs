//! Builders for small mail exports the integration tests write at run time.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

pub fn eml(id: &str, subject: &str, body: &str, attachment: Option<(&str, &[u8])>) -> Vec<u8> {
    mail(
        id,
        "\"Jane Doe\" <jane.doe@oakfield.sch.uk>",
        "\"Head of Year\" <hoy@oakfield.sch.uk>",
        "Fri, 14 Mar 2025 10:22:00 +0000",
        subject,
        body,
        attachment,
    )
}

/// A message with the given sender, recipients and RFC 5322 date.
pub fn mail(
    id: &str,
    from: &str,
    to: &str,
    date: &str,
    subject: &str,
    body: &str,
    attachment: Option<(&str, &[u8])>,
) -> Vec<u8> {
    let mut m = format!(
        "From: {from}\r\nTo: {to}\r\n\
         Subject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\n"
    );
    match attachment {
        None => m.push_str(&format!(
            "Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        )),
        Some((name, bytes)) => {
            let b64: String = base64_encode(bytes);
            m.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n\
                 --XX\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--XX--\r\n"
            ));
        }
    }
    m.into_bytes()
}

pub fn base64_encode(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in data.chunks(3).enumerate() {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
        if i % 19 == 18 {
            out.push_str("\r\n");
        }
    }
    out
}

pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("zip entry");
        w.write_all(bytes).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

pub fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write fixture");
}
