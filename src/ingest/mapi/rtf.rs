//! Outlook's RTF bodies (PidTagRtfCompressed): unpacked, then reduced to the text a reader
//! sees. Many messages, and most calendar items, have no other body.

use super::props::decode_codepage;
use crate::ingest::textconv::tidy_all_space;
use crate::ingest::unwind::guard;

const RTF_LZFU: u32 = 0x7546_5A4C;
const RTF_MELA: u32 = 0x414C_454D;

/// Unpacks PidTagRtfCompressed. The `compressed-rtf` crate slices without checking and
/// reserves the declared size up front, so the header is checked here first (a lying size
/// would abort the process, which no `catch_unwind` can stop).
pub(crate) fn decompress_rtf(data: &[u8]) -> Result<Vec<u8>, String> {
    if data.len() < 16 {
        return Err("compressed RTF shorter than its 16-byte header".into());
    }
    let word = |at: usize| u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
    let (comp_size, raw_size, kind) = (word(0) as usize, word(4) as u64, word(8));
    match kind {
        RTF_MELA => {
            let end = 16usize.saturating_add(raw_size as usize).min(data.len());
            Ok(data[16..end].to_vec())
        }
        RTF_LZFU => {
            // Each 2-byte reference expands to at most 17 bytes.
            if raw_size > (data.len() as u64) * 9 + 4096 {
                return Err(format!(
                    "compressed RTF claims {raw_size} bytes, implausible"
                ));
            }
            let total = comp_size.saturating_add(4);
            if total > data.len() {
                return Err("compressed RTF is truncated".into());
            }
            let body = &data[..total];
            let text = guard("compressed RTF", || compressed_rtf::decompress_rtf(body))?
                .map_err(|e| format!("compressed RTF: {e}"))?;
            // The crate widens each byte to a char; narrow them back for the RTF reader.
            Ok(text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect())
        }
        other => Err(format!("unknown compressed RTF type 0x{other:08X}")),
    }
}

/// Destinations whose content is never shown to a reader.
const RTF_SKIP: &[&str] = &[
    "fonttbl",
    "colortbl",
    "stylesheet",
    "info",
    "pict",
    "objdata",
    "listtable",
    "listoverridetable",
    "revtbl",
    "rsidtbl",
    "generator",
    "themedata",
    "colorschememapping",
    "datastore",
    "latentstyles",
    "xmlnstbl",
    "mmathPr",
    "fldinst",
    "filetbl",
    "pgdsctbl",
    "protusertbl",
    "wgrffmtfilter",
    "pnseclvl",
    "xe",
    "tc",
    "nonshppict",
    "bkmkstart",
    "bkmkend",
    "listtext",
    "pntext",
    "pntxta",
    "pntxtb",
    "template",
    "userprops",
    "docvar",
    "fchars",
    "lchars",
];

/// Plain text from RTF, including RTF that encapsulates HTML (`\fromhtml`): the HTML tags sit
/// in ignorable `\*\htmltag` groups and the text around them is what a reader sees.
pub(crate) fn rtf_to_text(rtf: &[u8], max_out: usize) -> String {
    #[derive(Clone, Copy)]
    struct State {
        skip: bool,
        uc: usize,
    }
    let mut stack = vec![State { skip: false, uc: 1 }];
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut codepage: u32 = 1252;
    let mut skip_chars = 0usize;
    let mut high_surrogate: Option<u16> = None;
    let mut group_start = false;
    let mut i = 0usize;
    let n = rtf.len();

    let flush = |pending: &mut Vec<u8>, out: &mut String, cp: u32| {
        if !pending.is_empty() {
            out.push_str(&decode_codepage(pending, Some(cp)));
            pending.clear();
        }
    };

    while i < n && out.len() + pending.len() < max_out {
        let top = stack
            .last()
            .copied()
            .unwrap_or(State { skip: false, uc: 1 });
        let c = rtf[i];
        match c {
            b'{' => {
                flush(&mut pending, &mut out, codepage);
                if stack.len() < 4096 {
                    stack.push(top);
                }
                group_start = true;
                skip_chars = 0;
                i += 1;
                continue;
            }
            b'}' => {
                flush(&mut pending, &mut out, codepage);
                if stack.len() > 1 {
                    stack.pop();
                }
                skip_chars = 0;
                i += 1;
            }
            b'\\' => {
                i += 1;
                let Some(&c2) = rtf.get(i) else { break };
                if c2.is_ascii_alphabetic() {
                    let start = i;
                    while i < n && rtf[i].is_ascii_alphabetic() && i - start < 32 {
                        i += 1;
                    }
                    let word = std::str::from_utf8(&rtf[start..i]).unwrap_or("");
                    let mut neg = false;
                    if rtf.get(i) == Some(&b'-') {
                        neg = true;
                        i += 1;
                    }
                    let pstart = i;
                    while i < n && rtf[i].is_ascii_digit() && i - pstart < 10 {
                        i += 1;
                    }
                    let param: Option<i64> = std::str::from_utf8(&rtf[pstart..i])
                        .ok()
                        .and_then(|d| d.parse::<i64>().ok())
                        .map(|v| if neg { -v } else { v });
                    if rtf.get(i) == Some(&b' ') {
                        i += 1;
                    }
                    if group_start && RTF_SKIP.contains(&word) {
                        if let Some(s) = stack.last_mut() {
                            s.skip = true;
                        }
                    }
                    group_start = false;
                    if word == "bin" {
                        let len = usize::try_from(param.unwrap_or(0).max(0)).unwrap_or(usize::MAX);
                        i = i.saturating_add(len).min(n);
                        continue;
                    }
                    if word == "uc" {
                        if let Some(s) = stack.last_mut() {
                            s.uc = usize::try_from(param.unwrap_or(1).clamp(0, 10)).unwrap_or(1);
                        }
                        continue;
                    }
                    if word == "ansicpg" {
                        if let Some(cp) = param.and_then(|p| u32::try_from(p).ok()) {
                            codepage = cp;
                        }
                        continue;
                    }
                    if top.skip {
                        continue;
                    }
                    let emit: Option<&str> = match word {
                        "par" | "line" | "sect" | "page" | "row" => Some("\n"),
                        "tab" | "cell" => Some("\t"),
                        "emdash" => Some("\u{2014}"),
                        "endash" => Some("\u{2013}"),
                        "bullet" => Some("\u{2022}"),
                        "lquote" => Some("\u{2018}"),
                        "rquote" => Some("\u{2019}"),
                        "ldblquote" => Some("\u{201C}"),
                        "rdblquote" => Some("\u{201D}"),
                        "emspace" | "enspace" | "qmspace" => Some(" "),
                        _ => None,
                    };
                    if let Some(s) = emit {
                        flush(&mut pending, &mut out, codepage);
                        out.push_str(s);
                        skip_chars = 0;
                    } else if word == "u" {
                        if let Some(v) = param {
                            flush(&mut pending, &mut out, codepage);
                            let unit = (if v < 0 { v + 65536 } else { v }) as u32 as u16;
                            if (0xD800..0xDC00).contains(&unit) {
                                high_surrogate = Some(unit);
                            } else if (0xDC00..0xE000).contains(&unit) {
                                if let Some(h) = high_surrogate.take() {
                                    out.push_str(&String::from_utf16_lossy(&[h, unit]));
                                }
                            } else {
                                high_surrogate = None;
                                out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'));
                            }
                            skip_chars = top.uc;
                        }
                    }
                } else {
                    group_start = false;
                    i += 1;
                    match c2 {
                        b'\'' => {
                            let hex = rtf.get(i..i + 2).and_then(|h| std::str::from_utf8(h).ok());
                            let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
                            i = (i + 2).min(n);
                            if let Some(b) = byte {
                                if skip_chars > 0 {
                                    skip_chars -= 1;
                                } else if !top.skip {
                                    pending.push(b);
                                }
                            }
                        }
                        b'*' => {
                            if let Some(s) = stack.last_mut() {
                                s.skip = true;
                            }
                        }
                        b'\\' | b'{' | b'}' if !top.skip => {
                            if skip_chars > 0 {
                                skip_chars -= 1;
                            } else {
                                pending.push(c2);
                            }
                        }
                        b'~' if !top.skip => {
                            flush(&mut pending, &mut out, codepage);
                            out.push(' ');
                        }
                        b'_' if !top.skip => {
                            flush(&mut pending, &mut out, codepage);
                            out.push('-');
                        }
                        b'\n' | b'\r' if !top.skip => {
                            flush(&mut pending, &mut out, codepage);
                            out.push('\n');
                        }
                        _ => {}
                    }
                }
                continue;
            }
            b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            _ => {
                if skip_chars > 0 {
                    skip_chars -= 1;
                } else if !top.skip {
                    pending.push(c);
                }
                i += 1;
            }
        }
        group_start = false;
    }
    flush(&mut pending, &mut out, codepage);
    tidy_all_space(&out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::mapi::test_support::msg_stream as stream;

    #[test]
    fn rtf_bodies_convert_to_the_text_outlook_shows() {
        // Native RTF.
        let Some(rtf) = stream("RtfSampleEmail.msg", "/__substg1.0_10090102") else {
            return;
        };
        let text = rtf_to_text(&decompress_rtf(&rtf).expect("decompress"), usize::MAX);
        assert!(
            text.starts_with("BOOK ONE: 1805"),
            "{:?}",
            &text[..80.min(text.len())]
        );
        assert!(
            text.contains("“Well, Prince, so Genoa and Lucca are now just family estates of the")
        );
        assert!(
            !text.contains("fonttbl") && !text.contains('\\'),
            "{:?}",
            &text[..200]
        );
        // HTML encapsulated in RTF (\fromhtml1): the tags are dropped, the text kept.
        let Some(rtf) = stream("HtmlSampleEmail.msg", "/__substg1.0_10090102") else {
            return;
        };
        let text = rtf_to_text(&decompress_rtf(&rtf).expect("decompress"), usize::MAX);
        assert!(
            text.contains("so Genoa and Lucca are now just family estates"),
            "{text:.300}"
        );
        assert!(
            !text.contains("<p") && !text.contains("MsoNormal"),
            "{text:.300}"
        );
        // Cyrillic in \'xx escapes or \u.
        let Some(rtf) = stream("RtfWithShortRussianString.msg", "/__substg1.0_10090102") else {
            return;
        };
        let text = rtf_to_text(&decompress_rtf(&rtf).expect("decompress"), usize::MAX);
        assert!(text.contains("«Имя пользователя» (email)"), "{text:?}");
    }

    #[test]
    fn rtf_to_text_handles_control_words() {
        let rtf = concat!(
            r"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}{\colortbl;\red0;}",
            "\r\n",
            r"{\*\generator Riched20;}\uc1 caf\'e9\par na\u239?ve\tab x\line ",
            r"{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 Jane\htmlrtf}\htmlrtf0  ",
            r"\bin3 abcd\u-4064?\~end\}}"
        );
        let text = rtf_to_text(rtf.as_bytes(), usize::MAX);
        assert_eq!(text, "café\nnaïve\tx\nJane d\u{F020} end}");
        let cyr = br"{\rtf1\ansi\ansicpg1251 \'cf\'f0\'e8\'e2\'e5\'f2}";
        assert_eq!(rtf_to_text(cyr, usize::MAX), "Привет");
        let emoji = br"{\rtf1 \u-10179?\u-8704?}";
        assert_eq!(rtf_to_text(emoji, usize::MAX), "\u{1F600}");
        for s in [
            &b"{"[..],
            b"\\",
            b"\\'",
            b"\\'4",
            b"\\u",
            b"\\bin999999999 x",
            b"}}}{{{",
            b"\\u-",
            b"\\uc99999999999",
        ] {
            let _ = rtf_to_text(s, usize::MAX);
        }
        assert!(rtf_to_text(b"{\\rtf1 aaaaaaaaaaaaaaaaaaaaaaaaaaaa}", 5).len() <= 12);
    }

    #[test]
    fn hostile_compressed_rtf_is_an_error_not_a_crash() {
        assert!(decompress_rtf(b"").is_err());
        assert!(decompress_rtf(&[0u8; 15]).is_err());
        // LZFu claiming 4 GB of output from 20 bytes.
        let mut lying = vec![0u8; 20];
        lying[0..4].copy_from_slice(&16u32.to_le_bytes());
        lying[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        lying[8..12].copy_from_slice(&RTF_LZFU.to_le_bytes());
        assert!(decompress_rtf(&lying).is_err());
        // Compressed size larger than the data.
        lying[0..4].copy_from_slice(&1000u32.to_le_bytes());
        lying[4..8].copy_from_slice(&10u32.to_le_bytes());
        assert!(decompress_rtf(&lying).is_err());
        // Uncompressed (MELA) with a size past the end is cut to what is there.
        let mut mela = vec![0u8; 16];
        mela[4..8].copy_from_slice(&1000u32.to_le_bytes());
        mela[8..12].copy_from_slice(&RTF_MELA.to_le_bytes());
        mela.extend_from_slice(b"{\\rtf1 hi}");
        assert_eq!(decompress_rtf(&mela).expect("mela"), b"{\\rtf1 hi}");
        // Every prefix and a corrupted body of a real one.
        let Some(rtf) = stream("RtfSampleEmail.msg", "/__substg1.0_10090102") else {
            return;
        };
        for cut in 0..64.min(rtf.len()) {
            let _ = decompress_rtf(&rtf[..cut]);
        }
        let mut bad = rtf.clone();
        for b in bad.iter_mut().skip(16).step_by(7) {
            *b ^= 0x5A;
        }
        assert!(decompress_rtf(&bad).is_err(), "CRC must catch it");
    }
}
