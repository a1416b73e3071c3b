//! MAPI properties as both containers hand them over: the ids this crate reads, the face
//! each container puts on its property bags, and how their stored values become text and
//! times.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Utc};

pub(crate) const PR_MESSAGE_CLASS: u16 = 0x001A;
pub(crate) const PR_SUBJECT: u16 = 0x0037;
pub(crate) const PR_CLIENT_SUBMIT_TIME: u16 = 0x0039;
pub(crate) const PR_SENT_REPRESENTING_NAME: u16 = 0x0042;
pub(crate) const PR_SENT_REPRESENTING_EMAIL: u16 = 0x0065;
pub(crate) const PR_TRANSPORT_HEADERS: u16 = 0x007D;
pub(crate) const PR_RECIPIENT_TYPE: u16 = 0x0C15;
pub(crate) const PR_SENDER_NAME: u16 = 0x0C1A;
pub(crate) const PR_SENDER_ADDRTYPE: u16 = 0x0C1E;
pub(crate) const PR_SENDER_EMAIL: u16 = 0x0C1F;
pub(crate) const PR_DELIVERY_TIME: u16 = 0x0E06;
pub(crate) const PR_BODY: u16 = 0x1000;
pub(crate) const PR_CREATION_TIME: u16 = 0x3007;
pub(crate) const PR_RTF_COMPRESSED: u16 = 0x1009;
pub(crate) const PR_HTML: u16 = 0x1013;
pub(crate) const PR_INTERNET_MESSAGE_ID: u16 = 0x1035;
pub(crate) const PR_DISPLAY_NAME: u16 = 0x3001;
pub(crate) const PR_ADDRTYPE: u16 = 0x3002;
pub(crate) const PR_EMAIL_ADDRESS: u16 = 0x3003;
pub(crate) const PR_ATTACH_DATA: u16 = 0x3701;
pub(crate) const PR_ATTACH_FILENAME: u16 = 0x3704;
pub(crate) const PR_ATTACH_METHOD: u16 = 0x3705;
pub(crate) const PR_ATTACH_LONG_FILENAME: u16 = 0x3707;
pub(crate) const PR_ATTACH_PATHNAME: u16 = 0x3708;
pub(crate) const PR_ATTACH_LONG_PATHNAME: u16 = 0x370D;
pub(crate) const PR_SMTP_ADDRESS: u16 = 0x39FE;
pub(crate) const PR_INTERNET_CODEPAGE: u16 = 0x3FDE;
pub(crate) const PR_MESSAGE_CODEPAGE: u16 = 0x3FFD;
pub(crate) const PR_CREATOR_EMAIL: u16 = 0x4023;
pub(crate) const PR_LAST_MODIFIER_EMAIL: u16 = 0x4025;
pub(crate) const PR_SENDER_SMTP: u16 = 0x5D01;
pub(crate) const PR_SENT_REPRESENTING_SMTP: u16 = 0x5D02;
pub(crate) const PR_CREATOR_SMTP: u16 = 0x5D0A;
pub(crate) const PR_LAST_MODIFIER_SMTP: u16 = 0x5D0B;
pub(crate) const PR_RECIPIENT_DISPLAY_NAME: u16 = 0x5FF6;

/// `PSETID_Address`, where contacts keep their e-mail addresses.
pub(crate) const PSETID_ADDRESS: [u8; 16] = guid(0x0006_2004);
/// `PSETID_Appointment`, where calendar items keep location and times.
pub(crate) const PSETID_APPOINTMENT: [u8; 16] = guid(0x0006_2002);
pub(crate) const PS_MAPI: [u8; 16] = guid(0x0002_0328);
pub(crate) const PS_PUBLIC_STRINGS: [u8; 16] = guid(0x0002_0329);

/// The `{xxxxxxxx-0000-0000-C000-000000000046}` family of Outlook GUIDs, in stored byte order.
const fn guid(data1: u32) -> [u8; 16] {
    let d = data1.to_le_bytes();
    [
        d[0], d[1], d[2], d[3], 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46,
    ]
}

/// Read access to one MAPI object's properties, whatever container holds them.
pub(crate) trait MapiProps {
    /// A string property (Unicode or 8-bit in the object's code page); `None` when absent or
    /// empty.
    fn string(&mut self, id: u16) -> Option<String>;
    fn binary(&mut self, id: u16) -> Option<Vec<u8>>;
    fn int(&mut self, id: u16) -> Option<i32>;
    fn time(&mut self, id: u16) -> Option<DateTime<Utc>>;
    /// The property id a named property has in this file, if it has one.
    fn named(&self, set: &[u8; 16], lid: u32) -> Option<u16>;
}

/// Named properties (ids 0x8000 and up) mean different things in every file; this maps
/// (property set, numeric id) to the id used in this file.
pub(crate) type NamedMap = HashMap<([u8; 16], u32), u16>;

/// The code page the object says its 8-bit strings are in; `None` when it does not say, so
/// the caller can fall back to the parent's.
pub(crate) fn declared_codepage(p: &mut dyn MapiProps) -> Option<u32> {
    p.int(PR_MESSAGE_CODEPAGE)
        .or_else(|| p.int(PR_INTERNET_CODEPAGE))
        .and_then(|c| u32::try_from(c).ok())
}

/// An 8-bit string property (PT_STRING8): NUL padding dropped, decoded in `codepage`.
pub(crate) fn string8(bytes: &[u8], codepage: Option<u32>) -> String {
    decode_codepage(trim_nul(bytes), codepage)
}

pub(crate) fn non_empty(s: String) -> Option<String> {
    if s.trim().is_empty() {
        None
    } else {
        Some(s)
    }
}

pub(crate) fn trim_nul(b: &[u8]) -> &[u8] {
    let end = b.iter().rposition(|&c| c != 0).map_or(0, |i| i + 1);
    &b[..end]
}

/// A Unicode string property (PT_UNICODE) as stored: UTF-16LE bytes.
pub(crate) fn utf16le(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    utf16_units(&units)
}

/// UTF-16 code units with their NUL padding dropped.
pub(crate) fn utf16_units(units: &[u16]) -> String {
    let end = units.iter().rposition(|&u| u != 0).map_or(0, |i| i + 1);
    String::from_utf16_lossy(&units[..end])
}

/// FILETIME (100 ns ticks since 1601) to UTC. Zero and Outlook's "no date" (year 4501) mean
/// absent.
pub(crate) fn filetime(ticks: i64) -> Option<DateTime<Utc>> {
    if ticks <= 0 {
        return None;
    }
    let secs = ticks / 10_000_000 - 11_644_473_600;
    let nanos = u32::try_from((ticks % 10_000_000) * 100).ok()?;
    let dt = DateTime::from_timestamp(secs, nanos)?;
    if dt.year() >= 4500 {
        return None;
    }
    Some(dt)
}

/// Decodes 8-bit text in a Windows code page. mail-parser's charset tables are used so the
/// whole crate agrees on what a code page means.
pub(crate) fn decode_codepage(bytes: &[u8], codepage: Option<u32>) -> String {
    let label: String = match codepage {
        None => match std::str::from_utf8(bytes) {
            Ok(s) => return s.to_string(),
            Err(_) => "cp1252".into(),
        },
        Some(65001) => return String::from_utf8_lossy(bytes).into_owned(),
        Some(1200) => return utf16le(bytes),
        Some(20127) | Some(28591) => "iso-8859-1".into(),
        Some(cp @ 1250..=1258) => format!("cp{cp}"),
        Some(874) => "windows-874".into(),
        Some(932) => "shift_jis".into(),
        Some(936) => "gbk".into(),
        Some(949) => "euc-kr".into(),
        Some(950) => "big5".into(),
        Some(866) => "cp866".into(),
        Some(850) => "cp850".into(),
        Some(20866) => "koi8-r".into(),
        Some(21866) => "koi8-u".into(),
        Some(cp @ 28592..=28606) => format!("iso-8859-{}", cp - 28590),
        Some(50220..=50222) => "iso-2022-jp".into(),
        Some(51932) | Some(20932) => "euc-jp".into(),
        Some(54936) => "gb18030".into(),
        Some(10000) => "macintosh".into(),
        Some(10007) => "x-mac-cyrillic".into(),
        Some(_) => "cp1252".into(),
    };
    match mail_parser::decoders::charsets::map::charset_decoder(label.as_bytes()) {
        Some(decode) => decode(bytes),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::mapi::message::strip_subject_prefix;

    #[test]
    fn ansi_strings_use_the_message_code_page() {
        assert_eq!(decode_codepage(b"\xcf\xf0\xe8", Some(1251)), "При");
        assert_eq!(decode_codepage(b"caf\xe9", Some(1252)), "café");
        assert_eq!(
            decode_codepage(b"caf\xe9", None),
            "café",
            "not UTF-8: Windows-1252"
        );
        assert_eq!(decode_codepage("café".as_bytes(), None), "café");
        assert_eq!(decode_codepage(b"\x82\xa0", Some(932)), "あ");
        assert_eq!(decode_codepage(b"\xa4\xa4", Some(950)), "中");
        assert_eq!(
            strip_subject_prefix("\u{1}\u{1}Test appointment"),
            "Test appointment"
        );
        assert_eq!(strip_subject_prefix("RE: x"), "RE: x");
        assert_eq!(filetime(0), None);
        assert_eq!(filetime(i64::MAX), None);
        assert_eq!(
            filetime(116_444_736_000_000_000).map(|d| d.timestamp()),
            Some(0)
        );
    }
}
