//! Bank holidays, for rolling a statutory deadline past days the school is not expected to work.
//!
//! England and Wales are built in because most schools using this tool are there, and because
//! their holidays follow fixed rules (Banking and Financial Dealings Act 1971 plus the usual
//! royal proclamations) that can be computed instead of shipped as a list that silently runs
//! out. The rules cannot foresee one-off holidays (2012, 2022 and 2023 had them; 2020 moved the
//! early May holiday), so only 2024–2030 — checked against the published lists — count as
//! verified; outside that range the dates are still computed, but [`Holidays::covers`] says
//! no so a caller can warn. Scotland and Northern Ireland have different holidays: they load a
//! file with [`Holidays::from_file`], either a plain list or gov.uk's `bank-holidays.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde_json::Value;

/// Years whose built-in dates have been compared with the published lists; any other year may
/// hold a one-off holiday the rules cannot know about.
pub const VERIFIED_YEARS: RangeInclusive<i32> = 2024..=2030;

/// One observed bank holiday: the day offices close, so a substitute day rather than the
/// weekend day it replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHoliday {
    pub date: NaiveDate,
    pub name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum HolidaysError {
    #[error("cannot read the bank holiday file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}, line {line}: expected a date written YYYY-MM-DD, found {found:?}")]
    Line {
        origin: String,
        line: usize,
        found: String,
    },
    #[error("{origin}: not a gov.uk bank-holidays.json file: {reason}")]
    Json { origin: String, reason: String },
    #[error("{origin}: the file holds several divisions ({}); choose one", .available.join(", "))]
    ChooseDivision {
        origin: String,
        available: Vec<String>,
    },
    #[error("{origin}: no division {wanted:?}; the file holds {}", .available.join(", "))]
    UnknownDivision {
        origin: String,
        wanted: String,
        available: Vec<String>,
    },
    #[error("{origin}: a division can only be chosen in gov.uk's JSON format; this file is a plain list of dates")]
    DivisionInPlainList { origin: String },
    #[error("{origin}: no bank holiday dates found")]
    Empty { origin: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// England and Wales, from the rules; the map holds [`VERIFIED_YEARS`] precomputed.
    BuiltIn,
    /// A replacement list: only the years it mentions are known, every other year is a guess
    /// that only weekends are non-working.
    File {
        origin: String,
        division: Option<String>,
        years: BTreeSet<i32>,
    },
}

/// The bank holidays a deadline is rolled past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holidays {
    days: BTreeMap<NaiveDate, String>,
    source: Source,
}

impl Default for Holidays {
    fn default() -> Self {
        Self::england_and_wales()
    }
}

impl Holidays {
    /// England and Wales, computed from the rules for any year.
    pub fn england_and_wales() -> Self {
        let days = VERIFIED_YEARS
            .flat_map(england_and_wales)
            .map(|h| (h.date, h.name))
            .collect();
        Holidays {
            days,
            source: Source::BuiltIn,
        }
    }

    /// Replaces the built-in list entirely, for schools outside England and Wales.
    ///
    /// The file is either one `YYYY-MM-DD` per line (a name may follow the date; `#` starts a
    /// comment) or gov.uk's `bank-holidays.json`, in which case `division` picks one of its
    /// divisions (`england-and-wales`, `scotland`, `northern-ireland`); it may be left out
    /// only when the file holds a single division.
    pub fn from_file(path: &Path, division: Option<&str>) -> Result<Self, HolidaysError> {
        let text = std::fs::read_to_string(path).map_err(|source| HolidaysError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string(), division)
    }

    /// [`Holidays::from_file`] on text already read; `origin` names it in errors and notes.
    pub fn parse(text: &str, origin: &str, division: Option<&str>) -> Result<Self, HolidaysError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (days, division) = if text.trim_start().starts_with('{') {
            let (days, name) = parse_json(text, origin, division)?;
            (days, Some(name))
        } else {
            if division.is_some() {
                return Err(HolidaysError::DivisionInPlainList {
                    origin: origin.to_string(),
                });
            }
            (parse_lines(text, origin)?, None)
        };
        if days.is_empty() {
            return Err(HolidaysError::Empty {
                origin: origin.to_string(),
            });
        }
        let years = days.keys().map(|d| d.year()).collect();
        Ok(Holidays {
            days,
            source: Source::File {
                origin: origin.to_string(),
                division,
                years,
            },
        })
    }

    /// The holiday's name, or `None` on an ordinary day.
    pub fn name(&self, date: NaiveDate) -> Option<String> {
        if let Some(name) = self.days.get(&date) {
            return Some(name.clone());
        }
        match self.source {
            Source::BuiltIn if !VERIFIED_YEARS.contains(&date.year()) => {
                england_and_wales(date.year())
                    .into_iter()
                    .find(|h| h.date == date)
                    .map(|h| h.name)
            }
            _ => None,
        }
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.name(date).is_some()
    }

    /// Monday to Friday and not a bank holiday: the day a deadline may fall on.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !is_weekend(date) && !self.is_holiday(date)
    }

    /// Whether `year`'s holidays are known rather than guessed, so a caller can warn when a
    /// deadline depends on a guess.
    pub fn covers(&self, year: i32) -> bool {
        match &self.source {
            Source::BuiltIn => VERIFIED_YEARS.contains(&year),
            Source::File { years, .. } => years.contains(&year),
        }
    }

    /// Why `year` is not covered, worded for a note beside a deadline.
    pub fn coverage_note(&self, year: i32) -> String {
        match &self.source {
            Source::BuiltIn => format!(
                "England and Wales bank holidays for {year} are computed from the rules but not verified (verified: {}–{})",
                VERIFIED_YEARS.start(),
                VERIFIED_YEARS.end()
            ),
            Source::File { origin, .. } => {
                format!("{origin} lists no bank holidays in {year}; only weekends were skipped")
            }
        }
    }

    /// Where the dates come from, for reports.
    pub fn describe(&self) -> String {
        match &self.source {
            Source::BuiltIn => format!(
                "England and Wales bank holidays (built in, verified {}–{})",
                VERIFIED_YEARS.start(),
                VERIFIED_YEARS.end()
            ),
            Source::File {
                origin,
                division: Some(d),
                ..
            } => format!("bank holidays from {origin} ({d})"),
            Source::File { origin, .. } => format!("bank holidays from {origin}"),
        }
    }

    /// The holidays observed in `year`, in date order.
    pub fn in_year(&self, year: i32) -> Vec<BankHoliday> {
        if self.source == Source::BuiltIn && !VERIFIED_YEARS.contains(&year) {
            return england_and_wales(year);
        }
        let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Vec::new();
        };
        self.days
            .range(first..=last)
            .map(|(date, name)| BankHoliday {
                date: *date,
                name: name.clone(),
            })
            .collect()
    }
}

/// Saturdays and Sundays are never working days, whatever holiday list is loaded.
pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
/// `None` only where the date cannot be represented.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    // Euclidean division so proleptic and negative years cannot produce negative remainders.
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    let month = u32::try_from(n / 31).ok()?;
    let day = u32::try_from(n % 31 + 1).ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// England and Wales bank holidays for `year` from the standing rules, as observed (a weekend
/// New Year's Day, Christmas Day or Boxing Day is replaced by its substitute weekday).
pub fn england_and_wales(year: i32) -> Vec<BankHoliday> {
    let mut out: Vec<BankHoliday> = Vec::with_capacity(8);
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let fixed = |out: &mut Vec<BankHoliday>, date: Option<NaiveDate>, name: &str| {
        if let Some(date) = date {
            out.push(BankHoliday {
                date,
                name: name.to_string(),
            });
        }
    };

    if let Some(easter) = easter_sunday(year) {
        fixed(
            &mut out,
            easter.checked_sub_days(Days::new(2)),
            "Good Friday",
        );
        fixed(
            &mut out,
            easter.checked_add_days(Days::new(1)),
            "Easter Monday",
        );
    }
    fixed(
        &mut out,
        NaiveDate::from_weekday_of_month_opt(year, 5, Weekday::Mon, 1),
        "Early May bank holiday",
    );
    fixed(&mut out, last_monday(year, 5), "Spring bank holiday");
    fixed(&mut out, last_monday(year, 8), "Summer bank holiday");
    // Fixed dates that fall on weekdays first, so a substitute cannot take a day that another
    // holiday already holds (Christmas on a Sunday must not take Boxing Day's Monday); then
    // substitutes in date order, so when both fall at a weekend Christmas takes the Monday.
    let fixed_dates = [
        (ymd(1, 1), "New Year's Day"),
        (ymd(12, 25), "Christmas Day"),
        (ymd(12, 26), "Boxing Day"),
    ];
    for (date, name) in fixed_dates {
        if date.is_some_and(|d| !is_weekend(d)) {
            fixed(&mut out, date, name);
        }
    }
    for (date, name) in fixed_dates {
        if let Some(date) = date.filter(|d| is_weekend(*d)) {
            substitute(&mut out, date, name);
        }
    }
    out.sort_by_key(|h| h.date);
    out
}

/// A weekend holiday's substitute: the next weekday not already taken by another holiday,
/// which is how the substitute days are proclaimed.
fn substitute(out: &mut Vec<BankHoliday>, date: NaiveDate, name: &str) {
    let mut day = date;
    while is_weekend(day) || out.iter().any(|h| h.date == day) {
        let Some(next) = day.succ_opt() else { return };
        day = next;
    }
    out.push(BankHoliday {
        date: day,
        name: format!("{name} (substitute day)"),
    });
}

fn last_monday(year: i32, month: u32) -> Option<NaiveDate> {
    let (next_year, next_month) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month + 1)
    };
    let mut day = NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()?;
    while day.weekday() != Weekday::Mon {
        day = day.pred_opt()?;
    }
    Some(day)
}

fn parse_lines(text: &str, origin: &str) -> Result<BTreeMap<NaiveDate, String>, HolidaysError> {
    let mut days = BTreeMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (date_text, name) = match line.split_once(char::is_whitespace) {
            Some((d, n)) => (d, n.trim()),
            None => (line, ""),
        };
        let date = parse_date(date_text).ok_or_else(|| HolidaysError::Line {
            origin: origin.to_string(),
            line: index + 1,
            found: raw.trim().to_string(),
        })?;
        let name = if name.is_empty() {
            "bank holiday"
        } else {
            name
        };
        days.insert(date, name.to_string());
    }
    Ok(days)
}

/// Strict `YYYY-MM-DD`: chrono alone would also take `2026-1-5`, and a file that writes dates
/// loosely is more likely to hold other mistakes, such as day and month swapped.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Makes `England and Wales`, `england_and_wales` and `england-and-wales` the same division.
fn division_key(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .replace([' ', '_'], "-")
        .replace('&', "and")
}

fn parse_json(
    text: &str,
    origin: &str,
    wanted: Option<&str>,
) -> Result<(BTreeMap<NaiveDate, String>, String), HolidaysError> {
    let json_err = |reason: String| HolidaysError::Json {
        origin: origin.to_string(),
        reason,
    };
    let top: Value = serde_json::from_str(text).map_err(|e| json_err(e.to_string()))?;
    let Some(top) = top.as_object() else {
        return Err(json_err("expected an object at the top".into()));
    };

    // gov.uk serves both the whole file (divisions by name) and one division on its own.
    let divisions: Vec<(String, &Value)> = if top.contains_key("events") {
        let name = top
            .get("division")
            .and_then(Value::as_str)
            .unwrap_or("unnamed")
            .to_string();
        vec![(name, &top["events"])]
    } else {
        top.iter()
            .filter_map(|(name, v)| v.get("events").map(|events| (name.clone(), events)))
            .collect()
    };
    if divisions.is_empty() {
        return Err(json_err(
            "no division with an \"events\" list (expected {\"england-and-wales\": {\"events\": [...]}, ...})".into(),
        ));
    }
    let available = || divisions.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    let (name, events) = match wanted {
        Some(w) => divisions
            .iter()
            .find(|(n, _)| division_key(n) == division_key(w))
            .ok_or_else(|| HolidaysError::UnknownDivision {
                origin: origin.to_string(),
                wanted: w.to_string(),
                available: available(),
            })?,
        None if divisions.len() == 1 => &divisions[0],
        None => {
            return Err(HolidaysError::ChooseDivision {
                origin: origin.to_string(),
                available: available(),
            })
        }
    };

    let Some(events) = events.as_array() else {
        return Err(json_err(format!("\"{name}\".events is not a list")));
    };
    let mut days = BTreeMap::new();
    for (index, event) in events.iter().enumerate() {
        let date_text = event.get("date").and_then(Value::as_str);
        let date = date_text.and_then(parse_date).ok_or_else(|| {
            json_err(format!(
                "\"{name}\" event {}: expected \"date\": \"YYYY-MM-DD\", found {}",
                index + 1,
                event.get("date").map_or("nothing".into(), Value::to_string)
            ))
        })?;
        let title = event
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("bank holiday");
        days.insert(date, title.to_string());
    }
    Ok((days, name.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn dates(year: i32) -> Vec<NaiveDate> {
        england_and_wales(year)
            .into_iter()
            .map(|h| h.date)
            .collect()
    }

    #[test]
    fn matches_the_published_2024_list() {
        assert_eq!(
            dates(2024),
            [
                d(2024, 1, 1),
                d(2024, 3, 29),
                d(2024, 4, 1),
                d(2024, 5, 6),
                d(2024, 5, 27),
                d(2024, 8, 26),
                d(2024, 12, 25),
                d(2024, 12, 26)
            ]
        );
    }

    #[test]
    fn matches_the_domain_table_2025_to_2027() {
        assert_eq!(
            dates(2025),
            [
                d(2025, 1, 1),
                d(2025, 4, 18),
                d(2025, 4, 21),
                d(2025, 5, 5),
                d(2025, 5, 26),
                d(2025, 8, 25),
                d(2025, 12, 25),
                d(2025, 12, 26)
            ]
        );
        assert_eq!(
            dates(2026),
            [
                d(2026, 1, 1),
                d(2026, 4, 3),
                d(2026, 4, 6),
                d(2026, 5, 4),
                d(2026, 5, 25),
                d(2026, 8, 31),
                d(2026, 12, 25),
                d(2026, 12, 28)
            ]
        );
        assert_eq!(
            dates(2027),
            [
                d(2027, 1, 1),
                d(2027, 3, 26),
                d(2027, 3, 29),
                d(2027, 5, 3),
                d(2027, 5, 31),
                d(2027, 8, 30),
                d(2027, 12, 27),
                d(2027, 12, 28)
            ]
        );
    }

    #[test]
    fn substitute_days_are_named_for_what_they_replace() {
        let h = Holidays::england_and_wales();
        assert_eq!(
            h.name(d(2026, 12, 28)).as_deref(),
            Some("Boxing Day (substitute day)")
        );
        assert_eq!(
            h.name(d(2027, 12, 27)).as_deref(),
            Some("Christmas Day (substitute day)")
        );
        assert_eq!(
            h.name(d(2027, 12, 28)).as_deref(),
            Some("Boxing Day (substitute day)")
        );
        // Christmas on a Sunday: Boxing Day keeps its Monday, Christmas moves to Tuesday.
        assert_eq!(dates(2022)[6..], [d(2022, 12, 26), d(2022, 12, 27)]);
        assert_eq!(
            england_and_wales(2022)[7].name,
            "Christmas Day (substitute day)"
        );
        // New Year's Day on a Saturday and on a Sunday.
        assert_eq!(dates(2022)[0], d(2022, 1, 3));
        assert_eq!(dates(2023)[0], d(2023, 1, 2));
        // Weekend days themselves are not listed as holidays.
        assert!(!h.is_holiday(d(2026, 12, 26)));
        assert!(!h.is_working_day(d(2026, 12, 26)));
    }

    #[test]
    fn easter_on_known_dates() {
        for (y, m, day) in [
            (1818, 3, 22),
            (1943, 4, 25),
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(y), Some(d(y, m, day)), "Easter {y}");
        }
    }

    #[test]
    fn years_outside_the_verified_range_are_computed_but_flagged() {
        let h = Holidays::england_and_wales();
        assert!(h.covers(2024) && h.covers(2030));
        assert!(!h.covers(2023) && !h.covers(2031));
        assert!(h.is_holiday(d(2031, 12, 25)));
        assert_eq!(h.in_year(2031).len(), 8);
        assert!(h.coverage_note(2031).contains("not verified"));
        // The rules cannot know one-off holidays: 2022's state funeral is missing, which is why
        // 2022 is not verified.
        assert!(!h.is_holiday(d(2022, 9, 19)));
        assert!(!h.covers(2022));
    }

    #[test]
    fn plain_list_with_comments_and_names() {
        let text = "# Scotland 2026\n2026-01-01 New Year's Day\n2026-01-02   # 2nd January\n\n  2026-08-03 Summer bank holiday\n2026-11-30\n";
        let h = Holidays::parse(text, "scotland.txt", None).expect("parses");
        assert!(h.is_holiday(d(2026, 1, 2)));
        assert_eq!(
            h.name(d(2026, 8, 3)).as_deref(),
            Some("Summer bank holiday")
        );
        assert!(h.is_holiday(d(2026, 11, 30)));
        // The file replaces the built-in list.
        assert!(!h.is_holiday(d(2026, 8, 31)));
        assert!(!h.is_holiday(d(2026, 12, 25)));
        assert!(h.covers(2026) && !h.covers(2027));
        assert!(h.coverage_note(2027).contains("scotland.txt"));
    }

    #[test]
    fn plain_list_errors_name_the_line() {
        let err = Holidays::parse("2026-01-01\n01/05/2026\n", "x.txt", None).unwrap_err();
        assert!(matches!(err, HolidaysError::Line { line: 2, .. }), "{err}");
        assert!(err.to_string().contains("x.txt, line 2"), "{err}");
        for bad in ["2026-1-05", "2026-02-30", "20260105"] {
            assert!(Holidays::parse(bad, "x", None).is_err(), "{bad}");
        }
        assert!(matches!(
            Holidays::parse("# nothing\n\n", "x", None),
            Err(HolidaysError::Empty { .. })
        ));
        assert!(matches!(
            Holidays::parse("2026-01-01", "x", Some("scotland")),
            Err(HolidaysError::DivisionInPlainList { .. })
        ));
    }

    const GOV_UK: &str = r#"{
      "england-and-wales": {"division": "england-and-wales", "events": [
        {"title": "Christmas Day", "date": "2026-12-25", "notes": "", "bunting": true},
        {"title": "Boxing Day", "date": "2026-12-28", "notes": "Substitute day", "bunting": true}]},
      "scotland": {"division": "scotland", "events": [
        {"title": "2nd January", "date": "2026-01-02", "notes": "", "bunting": true},
        {"title": "St Andrew\u2019s Day", "date": "2026-11-30", "notes": "", "bunting": true}]},
      "northern-ireland": {"division": "northern-ireland", "events": [
        {"title": "St Patrick\u2019s Day", "date": "2026-03-17", "notes": "", "bunting": true}]}
    }"#;

    #[test]
    fn gov_uk_json_by_division() {
        let scot = Holidays::parse(GOV_UK, "bank-holidays.json", Some("scotland")).expect("ok");
        assert!(scot.is_holiday(d(2026, 11, 30)));
        assert!(!scot.is_holiday(d(2026, 12, 25)));
        assert_eq!(
            scot.name(d(2026, 11, 30)).as_deref(),
            Some("St Andrew\u{2019}s Day")
        );
        assert!(scot.describe().contains("scotland"));
        let ni = Holidays::parse(GOV_UK, "f", Some("Northern Ireland")).expect("ok");
        assert!(ni.is_holiday(d(2026, 3, 17)));
        let ew = Holidays::parse(GOV_UK, "f", Some("England and Wales")).expect("ok");
        assert!(ew.is_holiday(d(2026, 12, 28)));
    }

    #[test]
    fn gov_uk_json_errors() {
        let err = Holidays::parse(GOV_UK, "f", None).unwrap_err();
        assert!(matches!(err, HolidaysError::ChooseDivision { .. }), "{err}");
        assert!(err.to_string().contains("scotland"), "{err}");
        let err = Holidays::parse(GOV_UK, "f", Some("wales")).unwrap_err();
        assert!(
            matches!(err, HolidaysError::UnknownDivision { .. }),
            "{err}"
        );
        let bad_date = r#"{"scotland": {"events": [{"title": "x", "date": "30/11/2026"}]}}"#;
        let err = Holidays::parse(bad_date, "f", None).unwrap_err();
        assert!(err.to_string().contains("event 1"), "{err}");
        assert!(Holidays::parse("{not json", "f", None).is_err());
        assert!(Holidays::parse(r#"{"a": 1}"#, "f", None).is_err());
        assert!(matches!(
            Holidays::parse(r#"{"scotland": {"events": []}}"#, "f", None),
            Err(HolidaysError::Empty { .. })
        ));
    }

    #[test]
    fn gov_uk_single_division_file() {
        let one = r#"{"division": "scotland", "events": [{"title": "St Andrew's Day", "date": "2027-11-30"}]}"#;
        let h = Holidays::parse(one, "f", None).expect("ok");
        assert!(h.is_holiday(d(2027, 11, 30)));
        assert!(Holidays::parse(one, "f", Some("scotland")).is_ok());
        assert!(Holidays::parse(one, "f", Some("england-and-wales")).is_err());
    }

    #[test]
    fn from_file_reads_and_reports_missing_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ni.txt");
        std::fs::write(&path, "2026-03-17 St Patrick's Day\n").expect("write");
        let h = Holidays::from_file(&path, None).expect("reads");
        assert!(h.is_holiday(d(2026, 3, 17)));
        let err = Holidays::from_file(&dir.path().join("missing.txt"), None).unwrap_err();
        assert!(matches!(err, HolidaysError::Read { .. }), "{err}");
    }

    /// Knuth's Algorithm E (TAOCP 1.3.2, exercise 14): a different derivation of the same
    /// Gregorian computus, to cross-check `easter_sunday`.
    fn knuth_easter(year: i32) -> NaiveDate {
        let g = year % 19 + 1;
        let c = year / 100 + 1;
        let x = 3 * c / 4 - 12;
        let z = (8 * c + 5) / 25 - 5;
        let dd = 5 * year / 4 - x - 10;
        let mut e = (11 * g + 20 + z - x).rem_euclid(30);
        if (e == 25 && g > 11) || e == 24 {
            e += 1;
        }
        let mut n = 44 - e;
        if n < 21 {
            n += 30;
        }
        n = n + 7 - (dd + n).rem_euclid(7);
        if n > 31 {
            d(year, 4, (n - 31) as u32)
        } else {
            d(year, 3, n as u32)
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn easter_agrees_with_knuth_and_is_a_plausible_sunday(year in 1583i32..=9999) {
                let easter = easter_sunday(year).expect("representable");
                prop_assert_eq!(easter, knuth_easter(year));
                prop_assert_eq!(easter.weekday(), Weekday::Sun);
                prop_assert!(easter >= d(year, 3, 22) && easter <= d(year, 4, 25));
            }

            #[test]
            fn every_year_has_eight_distinct_weekday_holidays(year in 1900i32..=2300) {
                let list = england_and_wales(year);
                prop_assert_eq!(list.len(), 8);
                let distinct: BTreeSet<_> = list.iter().map(|h| h.date).collect();
                prop_assert_eq!(distinct.len(), 8);
                for h in &list {
                    prop_assert_eq!(h.date.year(), year);
                    prop_assert!(!is_weekend(h.date), "{} {} is a weekend", h.date, h.name);
                }
            }
        }
    }
}
