//! Bundle entry names. Zip encryption covers contents, not names: anyone holding the file,
//! password or not, can list them. So a bundle name says only where a document sits in the
//! bundle, what kind it is and its date, never a subject line or an original file name.

/// The one non-PDF entry of a bundle.
pub const MANIFEST_NAME: &str = "manifest.sha256";

/// Originals a DPO disclosed as they stand (a photo, a recording) keep one of these
/// extensions; everything the tool redacted is a PDF.
pub const ORIGINAL_EXTENSIONS: &[&str] = &[
    "jpg", "png", "gif", "tif", "heic", "mp3", "mp4", "m4a", "wav", "txt", "bin",
];

/// True for `manifest.sha256` and for `NNNN-<kind>[-YYYY-MM-DD].pdf`: four to seven digits, a kind of
/// lower-case ASCII letters and single inner hyphens (`email`, `mis-report`), and an optional
/// real calendar date; or the same with one of [`ORIGINAL_EXTENSIONS`].
pub fn is_safe_entry_name(name: &str) -> bool {
    if name == MANIFEST_NAME {
        return true;
    }
    let Some(stem) = name.strip_suffix(".pdf").or_else(|| original_stem(name)) else {
        return false;
    };
    // Four digits, or as many as the bundle needs (a disclosure of 10,000 documents or more).
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    if !(4..=7).contains(&digits) {
        return false;
    }
    let rest = &stem[digits..];
    let Some(rest) = rest.strip_prefix('-') else {
        return false;
    };
    let (kind, date) = split_date(rest);
    is_kind(kind) && date.is_none_or(is_date)
}

/// The stem of an original's name, when its extension is one of [`ORIGINAL_EXTENSIONS`].
pub fn original_stem(name: &str) -> Option<&str> {
    let (stem, ext) = name.rsplit_once('.')?;
    ORIGINAL_EXTENSIONS.contains(&ext).then_some(stem)
}

/// Splits a trailing `-YYYY-MM-DD` off `rest` when it has that shape.
fn split_date(rest: &str) -> (&str, Option<&str>) {
    if rest.len() > 11 && rest.is_char_boundary(rest.len() - 11) {
        let (kind, tail) = rest.split_at(rest.len() - 11);
        if let Some(date) = tail.strip_prefix('-') {
            if date.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
                return (kind, Some(date));
            }
        }
    }
    (rest, None)
}

fn is_kind(kind: &str) -> bool {
    !kind.is_empty()
        && kind.len() <= 32
        && kind
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase()))
}

fn is_date(date: &str) -> bool {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok()
        && date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_bundle_scheme() {
        for ok in [
            "0000-index.pdf",
            "0007-email-2025-03-14.pdf",
            "0012-spreadsheet.pdf",
            "0003-mis-report-2024-09-01.pdf",
            "9999-pdf.pdf",
            "manifest.sha256",
        ] {
            assert!(is_safe_entry_name(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_anything_that_could_carry_personal_data() {
        for bad in [
            "0007-email-Ava Thompson.pdf",
            "0007-ava-thompson-referral.PDF",
            "Re: Jayden's behaviour.pdf",
            "0007-Email-2025-03-14.pdf",
            "007-email.pdf",
            "12345678-email.pdf",
            "0007-email-2025-02-30.pdf",
            "0007-email-2025-3-14.pdf",
            "0007-email-20250314.pdf",
            "0007-.pdf",
            "0007--email.pdf",
            "0007-email-.pdf",
            "0007-emaïl.pdf",
            "dir/0007-email.pdf",
            "0007-email.pdf/",
            "0007-email.exe",
            "0007-email.pdf.exe",
            "0007-image.JPG",
            "Manifest.sha256",
            "manifest.sha256 ",
            "",
        ] {
            assert!(!is_safe_entry_name(bad), "{bad:?}");
        }
        for good in [
            "0007-image-2023-10-06.jpg",
            "0008-recording.m4a",
            "0009-file.bin",
        ] {
            assert!(
                is_safe_entry_name(good),
                "an original disclosed as it stands: {good}"
            );
        }
    }
}
