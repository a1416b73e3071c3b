//! Cell values as text, the same way for every format: numbers as Excel shows them, dates as
//! ISO dates, and nothing that would break a sheet's row and column layout.

use calamine::{DataType, ExcelDateTime};

/// Tabs and newlines inside a cell would break the row/column shape of the text; a space keeps
/// the words apart for search.
pub(super) fn one_line(s: &str) -> String {
    let s = s.replace("_x000D_", "");
    if !s.contains(['\t', '\n', '\r']) {
        return s.trim().to_string();
    }
    s.split(['\t', '\n', '\r'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A cell's value as text, for calamine's owned (xls, ods) and borrowed (xlsx, xlsb) cells
/// alike.
pub(super) fn cell_text(d: &impl DataType) -> String {
    if let Some(i) = d.get_int() {
        return i.to_string();
    }
    if let Some(f) = d.get_float() {
        return number_text(f);
    }
    if let Some(s) = d.get_string() {
        return one_line(s);
    }
    if let Some(b) = d.get_bool() {
        return bool_text(b);
    }
    if let Some(dt) = d.get_datetime() {
        return datetime_text(&dt);
    }
    if let Some(s) = d.get_datetime_iso() {
        return iso_text(s);
    }
    if let Some(s) = d.get_duration_iso() {
        return duration_iso_text(s);
    }
    if let Some(e) = d.get_error() {
        return e.to_string();
    }
    String::new()
}

fn bool_text(b: bool) -> String {
    if b { "TRUE" } else { "FALSE" }.to_string()
}

/// Numbers as Excel shows them: at most 15 significant digits, so binary float noise
/// (`0.30000000000000004`) does not leak into the text and break searches for `0.3`.
fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f == f.trunc() && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    let a = rounded.abs();
    if !(1e-6..1e15).contains(&a) {
        format!("{rounded:e}")
    } else {
        format!("{rounded}")
    }
}

/// Dates as ISO `YYYY-MM-DD`, with the time after a space only when there is one: a date is
/// what a redaction lead searches for (a date of birth, an incident date), and a `T` joined to
/// the time would hide the date from a whole-word search.
fn datetime_text(dt: &ExcelDateTime) -> String {
    let v = dt.as_f64();
    if dt.is_duration() {
        let total = (v * 86_400.0).round();
        let sign = if total < 0.0 { "-" } else { "" };
        let total = total.abs().min(1e15) as u64;
        return format!(
            "{sign}{}:{:02}:{:02}",
            total / 3600,
            (total / 60) % 60,
            total % 60
        );
    }
    let (y, mo, d, h, mi, s, _ms) = dt.to_ymd_hms_milli();
    if (0.0..1.0).contains(&v) {
        return format!("{h:02}:{mi:02}:{s:02}");
    }
    if h == 0 && mi == 0 && s == 0 {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

/// ods stores dates as ISO text already; drop a zero time so dates read like the other formats.
pub(super) fn iso_text(s: &str) -> String {
    let s = s.trim();
    let s = s.strip_suffix(".000").unwrap_or(s);
    let s = s.strip_suffix("T00:00:00").unwrap_or(s);
    s.replacen('T', " ", 1)
}

/// ods durations (`PT10H10M10S`) in the `H:MM:SS` form the other formats give.
fn duration_iso_text(s: &str) -> String {
    let parse = || -> Option<String> {
        let (neg, rest) = match s.trim().strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, s.trim()),
        };
        let rest = rest.strip_prefix('P')?;
        let (days, time) = match rest.split_once('T') {
            Some((d, t)) => (d, t),
            None => (rest, ""),
        };
        let days: f64 = if days.is_empty() {
            0.0
        } else {
            days.strip_suffix('D')?.parse().ok()?
        };
        let mut secs = days * 86_400.0;
        let mut num = String::new();
        for ch in time.chars() {
            match ch {
                'H' | 'M' | 'S' => {
                    let v: f64 = num.parse().ok()?;
                    secs += v * match ch {
                        'H' => 3600.0,
                        'M' => 60.0,
                        _ => 1.0,
                    };
                    num.clear();
                }
                c if c.is_ascii_digit() || c == '.' => num.push(c),
                _ => return None,
            }
        }
        if !num.is_empty() || !secs.is_finite() {
            return None;
        }
        let total = secs.round().min(1e15) as u64;
        let sign = if neg { "-" } else { "" };
        Some(format!(
            "{sign}{}:{:02}:{:02}",
            total / 3600,
            (total / 60) % 60,
            total % 60
        ))
    };
    parse().unwrap_or_else(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_without_float_noise() {
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(3.0), "3");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(1234.5678), "1234.5678");
        assert_eq!(number_text(1e20), "1e20");
        assert_eq!(number_text(f64::NAN), "NaN");
    }

    #[test]
    fn dates_render_as_iso() {
        use calamine::ExcelDateTimeType::{DateTime, TimeDelta};
        assert_eq!(
            datetime_text(&ExcelDateTime::new(44197.0, DateTime, false)),
            "2021-01-01"
        );
        assert_eq!(
            datetime_text(&ExcelDateTime::new(44197.5, DateTime, false)),
            "2021-01-01 12:00:00"
        );
        assert_eq!(
            datetime_text(&ExcelDateTime::new(0.75, DateTime, false)),
            "18:00:00"
        );
        assert_eq!(
            datetime_text(&ExcelDateTime::new(1.5, TimeDelta, false)),
            "36:00:00"
        );
        // The same day in the 1904 date system is 1462 days fewer.
        assert_eq!(
            datetime_text(&ExcelDateTime::new(42735.0, DateTime, true)),
            "2021-01-01"
        );
    }
}
