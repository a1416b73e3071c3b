//! The statutory response deadline for a subject access request.
//!
//! A missed deadline is the complaint the ICO upholds most easily, and the arithmetic has
//! enough corners (short months, pauses for clarification, bank holidays) that a school doing
//! it by hand gets it wrong. So the result carries its own working: one line a DPO can check
//! against the ICO guidance without reading code.
//!
//! The rules (ICO, "What should we consider when responding to a request?"; UK GDPR Art 12(3)
//! and Art 12A): day one is the day the clock starts, the latest of receipt and identity
//! verification; the response is due on the corresponding calendar date one month later (three
//! months when extended for a complex or numerous request), or that month's last day when it
//! has no such date; each pause for clarification adds its days, first and last included;
//! and a due date on a weekend or bank holiday moves to the next working day.

use std::fmt::Write as _;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use super::holidays::Holidays;

/// The dates a deadline depends on, as the tracker records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineInput {
    /// The day the school received the request, by any channel.
    pub received: NaiveDate,
    /// When identity was confirmed; the clock waits for it when it comes after receipt.
    pub id_verified: Option<NaiveDate>,
    /// Three months in all instead of one (complex or numerous requests).
    pub extended: bool,
    /// Clarification asked .. answer received, both days inclusive.
    pub paused: Vec<(NaiveDate, NaiveDate)>,
}

impl DeadlineInput {
    /// A request with nothing else recorded yet: clock from receipt, one month, no pauses.
    pub fn received(received: NaiveDate) -> Self {
        DeadlineInput {
            received,
            id_verified: None,
            extended: false,
            paused: Vec::new(),
        }
    }
}

/// What started the clock, so the working can say which date it used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockStart {
    Received,
    IdVerified,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// Day one of the clock.
    pub start: NaiveDate,
    pub started_by: ClockStart,
    /// One (or three) months on from `start`, before pauses and rolling.
    pub base_due: NaiveDate,
    /// Distinct paused days on or after `start`.
    pub paused_days: u32,
    /// `base_due` plus the paused days, before moving off a weekend or holiday.
    pub before_roll: NaiveDate,
    /// The day the response is due: a working day.
    pub due: NaiveDate,
    /// Years whose bank holidays the roll relied on without them being verified (see
    /// [`Holidays::covers`]); the caller should warn when this is not empty.
    pub unverified_years: Vec<i32>,
    /// One line showing the arithmetic, for the tracker and for anyone checking it.
    pub working: String,
}

impl Deadline {
    /// Calendar days from `today` to the due date: 0 on the day, negative once overdue.
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        self.due.signed_duration_since(today).num_days()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("pause {from}..{to} ends before it starts; write it as first day..last day")]
    PauseEndsBeforeStart { from: NaiveDate, to: NaiveDate },
    #[error("the deadline falls outside the range of dates this tool can represent")]
    OutOfRange,
}

/// A pause after clipping to the clock start, remembering what the tracker said so the
/// working can show it as written.
#[derive(Debug, Clone, Copy)]
struct Piece {
    from: NaiveDate,
    to: NaiveDate,
    written: (NaiveDate, NaiveDate),
}

/// Overlapping pieces counted as one run of days.
struct Run {
    from: NaiveDate,
    to: NaiveDate,
    pieces: Vec<Piece>,
}

impl Run {
    fn days(&self) -> i64 {
        self.to.signed_duration_since(self.from).num_days() + 1
    }
}

/// The due date and its working. Fails only on input no tracker should hold (a pause written
/// backwards) or dates beyond chrono's range, so a caller can treat an error as a data-entry
/// mistake to report, never as a date to guess.
pub fn compute(input: &DeadlineInput, holidays: &Holidays) -> Result<Deadline, DeadlineError> {
    for &(from, to) in &input.paused {
        if to < from {
            return Err(DeadlineError::PauseEndsBeforeStart { from, to });
        }
    }

    let (start, started_by) = match input.id_verified {
        Some(id) if id > input.received => (id, ClockStart::IdVerified),
        _ => (input.received, ClockStart::Received),
    };
    let months: u32 = if input.extended { 3 } else { 1 };
    // chrono clamps to the month's last day, which is exactly the ICO rule.
    let base_due = start
        .checked_add_months(Months::new(months))
        .ok_or(DeadlineError::OutOfRange)?;

    let mut working = format!(
        "clock starts {start} ({}); + {}",
        match started_by {
            ClockStart::Received => "received",
            ClockStart::IdVerified => "ID verified",
        },
        if input.extended {
            "3 months (extended)"
        } else {
            "1 month"
        }
    );
    let _ = write!(working, " = {base_due}");
    let clamped = (base_due.day() != start.day()).then(|| {
        format!(
            "{} has no {}: last day of the month",
            month_name(base_due.month()),
            ordinal(start.day())
        )
    });

    let mut before_start = Vec::new();
    let mut pieces = Vec::new();
    for &(from, to) in &input.paused {
        if to < start {
            before_start.push((from, to));
        } else {
            pieces.push(Piece {
                from: from.max(start),
                to,
                written: (from, to),
            });
        }
    }
    let runs = merge(pieces);
    let paused_total: i64 = runs.iter().map(Run::days).sum();
    let paused_days = u32::try_from(paused_total).map_err(|_| DeadlineError::OutOfRange)?;
    let before_roll = base_due
        .checked_add_days(Days::new(u64::from(paused_days)))
        .ok_or(DeadlineError::OutOfRange)?;

    // The weekday belongs to the date that may roll; without pauses that is `base_due`, and
    // one bracket reads better than two.
    let mut notes: Vec<String> = Vec::new();
    if input.paused.is_empty() {
        notes.extend(clamped);
    } else {
        if let Some(clamped) = clamped {
            let _ = write!(working, " ({clamped})");
        }
        let mut parts: Vec<String> = before_start
            .iter()
            .map(|&(from, to)| format!("{from}..{to} before the clock start: not counted"))
            .collect();
        // A pause can only stop a clock that is still running; one that begins after the
        // deadline it would extend is counted as written but flagged, since the response was
        // already late by then.
        let mut running = base_due;
        for run in &runs {
            let mut part = describe_run(run);
            let in_force = roll(running, holidays)?.0;
            if run.from > in_force {
                let _ = write!(
                    part,
                    " begins after the {in_force} deadline it would extend"
                );
            }
            parts.push(part);
            running = running
                .checked_add_days(Days::new(u64::try_from(run.days()).unwrap_or(0)))
                .ok_or(DeadlineError::OutOfRange)?;
        }
        let _ = write!(
            working,
            "; + {paused_days} paused {} ({}) = {before_roll}",
            if paused_days == 1 { "day" } else { "days" },
            parts.join(", ")
        );
    }

    let (due, skipped) = roll(before_roll, holidays)?;
    let mut day_note = weekday_name(before_roll.weekday()).to_string();
    if let Some(name) = holidays.name(before_roll) {
        let _ = write!(day_note, ", bank holiday: {name}");
    }
    notes.push(day_note);
    let _ = write!(working, " ({})", notes.join("; "));
    if due != before_roll {
        let _ = write!(working, " -> next working day {due}");
        let later: Vec<String> = skipped
            .iter()
            .filter(|(date, _)| *date != before_roll)
            .map(|(date, name)| format!("{date} {name}"))
            .collect();
        if !later.is_empty() {
            let _ = write!(working, " (also past bank holiday {})", later.join(" and "));
        }
    }

    let mut unverified_years: Vec<i32> = before_roll
        .iter_days()
        .take_while(|d| *d <= due)
        .map(|d| d.year())
        .filter(|y| !holidays.covers(*y))
        .collect();
    unverified_years.dedup();
    for year in &unverified_years {
        let _ = write!(working, "; note: {}", holidays.coverage_note(*year));
    }

    Ok(Deadline {
        start,
        started_by,
        base_due,
        paused_days,
        before_roll,
        due,
        unverified_years,
        working,
    })
}

/// The first working day on or after `date`, with the bank holidays passed on the way.
fn roll(
    date: NaiveDate,
    holidays: &Holidays,
) -> Result<(NaiveDate, Vec<(NaiveDate, String)>), DeadlineError> {
    let mut day = date;
    let mut skipped = Vec::new();
    loop {
        if let Some(name) = holidays.name(day) {
            skipped.push((day, name));
        } else if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            return Ok((day, skipped));
        }
        day = day.succ_opt().ok_or(DeadlineError::OutOfRange)?;
    }
}

fn merge(mut pieces: Vec<Piece>) -> Vec<Run> {
    pieces.sort_by_key(|p| (p.from, p.to));
    let mut runs: Vec<Run> = Vec::new();
    for piece in pieces {
        match runs.last_mut() {
            // Only overlaps merge: touching pauses are already counted once each.
            Some(run) if piece.from <= run.to => {
                run.to = run.to.max(piece.to);
                run.pieces.push(piece);
            }
            _ => runs.push(Run {
                from: piece.from,
                to: piece.to,
                pieces: vec![piece],
            }),
        }
    }
    runs
}

fn describe_run(run: &Run) -> String {
    let written = |p: &Piece| format!("{}..{}", p.written.0, p.written.1);
    let clipped = run.pieces.iter().any(|p| p.from != p.written.0);
    match run.pieces.as_slice() {
        [one] if !clipped => written(one),
        [one] => format!(
            "{} counted from the clock start: {}..{}",
            written(one),
            run.from,
            run.to
        ),
        many => format!(
            "{} overlap: counted once as {}..{}{}",
            many.iter().map(written).collect::<Vec<_>>().join(" and "),
            run.from,
            run.to,
            if clipped { " from the clock start" } else { "" }
        ),
    }
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn month_name(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES
        .get(month.wrapping_sub(1) as usize)
        .copied()
        .unwrap_or("that month")
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::holidays::is_weekend;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn ew() -> Holidays {
        Holidays::england_and_wales()
    }

    fn due(input: &DeadlineInput) -> Deadline {
        compute(input, &ew()).expect("computes")
    }

    #[test]
    fn ico_example_corresponding_date() {
        let r = due(&DeadlineInput::received(d(2026, 11, 2)));
        assert_eq!(r.start, d(2026, 11, 2));
        assert_eq!(r.base_due, d(2026, 12, 2));
        assert_eq!(r.due, d(2026, 12, 2));
        assert_eq!(
            r.working,
            "clock starts 2026-11-02 (received); + 1 month = 2026-12-02 (Wednesday)"
        );
        assert!(r.unverified_years.is_empty());
    }

    #[test]
    fn ico_example_month_without_the_date() {
        // Non-leap: 28 February 2026 is a Saturday, so the 28th rolls to Monday 2 March.
        let r = due(&DeadlineInput::received(d(2026, 1, 31)));
        assert_eq!(r.base_due, d(2026, 2, 28));
        assert_eq!(r.due, d(2026, 3, 2));
        assert!(
            r.working
                .contains("= 2026-02-28 (February has no 31st: last day of the month; Saturday)"),
            "{}",
            r.working
        );
        // 2027: 28 February is a Sunday.
        assert_eq!(
            due(&DeadlineInput::received(d(2027, 1, 31))).base_due,
            d(2027, 2, 28)
        );
        // Leap year: 29 February 2028 is a Tuesday.
        let r = due(&DeadlineInput::received(d(2028, 1, 31)));
        assert_eq!((r.base_due, r.due), (d(2028, 2, 29), d(2028, 2, 29)));
        let r = due(&DeadlineInput::received(d(2024, 1, 30)));
        assert_eq!((r.base_due, r.due), (d(2024, 2, 29), d(2024, 2, 29)));
        // April has 30 days.
        assert_eq!(
            due(&DeadlineInput::received(d(2026, 3, 31))).base_due,
            d(2026, 4, 30)
        );
    }

    #[test]
    fn ico_example_extended_over_february() {
        let input = DeadlineInput {
            extended: true,
            ..DeadlineInput::received(d(2026, 11, 30))
        };
        let r = due(&input);
        assert_eq!(r.base_due, d(2027, 2, 28));
        assert_eq!(r.due, d(2027, 3, 1));
        assert_eq!(
            r.working,
            "clock starts 2026-11-30 (received); + 3 months (extended) = 2027-02-28 \
             (February has no 30th: last day of the month; Sunday) -> next working day 2027-03-01"
        );
    }

    #[test]
    fn case_file_example_from_the_issue() {
        let input = DeadlineInput {
            received: d(2026, 11, 2),
            id_verified: Some(d(2026, 11, 4)),
            extended: false,
            paused: vec![(d(2026, 11, 10), d(2026, 11, 17))],
        };
        let r = due(&input);
        assert_eq!(r.start, d(2026, 11, 4));
        assert_eq!(r.started_by, ClockStart::IdVerified);
        assert_eq!(r.paused_days, 8);
        assert_eq!(r.due, d(2026, 12, 14));
        assert_eq!(
            r.working,
            "clock starts 2026-11-04 (ID verified); + 1 month = 2026-12-04; \
             + 8 paused days (2026-11-10..2026-11-17) = 2026-12-12 (Saturday) \
             -> next working day 2026-12-14"
        );
    }

    #[test]
    fn id_verified_before_receipt_does_not_move_the_clock_back() {
        let input = DeadlineInput {
            id_verified: Some(d(2026, 10, 1)),
            ..DeadlineInput::received(d(2026, 11, 2))
        };
        let r = due(&input);
        assert_eq!(
            (r.start, r.started_by),
            (d(2026, 11, 2), ClockStart::Received)
        );
    }

    #[test]
    fn christmas_substitute_days() {
        // Base due Friday 25 Dec 2026; Saturday, Sunday, Monday 28 (Boxing Day substitute).
        let r = due(&DeadlineInput::received(d(2026, 11, 25)));
        assert_eq!(r.due, d(2026, 12, 29));
        assert!(
            r.working.ends_with(
                "= 2026-12-25 (Friday, bank holiday: Christmas Day) -> next working day 2026-12-29 \
                 (also past bank holiday 2026-12-28 Boxing Day (substitute day))"
            ),
            "{}",
            r.working
        );
        // 2027: both days fall at the weekend; Monday and Tuesday are substitutes.
        assert_eq!(
            due(&DeadlineInput::received(d(2027, 11, 25))).due,
            d(2027, 12, 29)
        );
        // Easter 2026: Good Friday 3 April to Easter Monday 6 April.
        assert_eq!(
            due(&DeadlineInput::received(d(2026, 3, 3))).due,
            d(2026, 4, 7)
        );
        // Spring bank holiday Monday 25 May 2026.
        assert_eq!(
            due(&DeadlineInput::received(d(2026, 4, 25))).due,
            d(2026, 5, 26)
        );
    }

    #[test]
    fn pauses_count_first_and_last_day() {
        let one_day = DeadlineInput {
            paused: vec![(d(2026, 11, 10), d(2026, 11, 10))],
            ..DeadlineInput::received(d(2026, 11, 2))
        };
        let r = due(&one_day);
        assert_eq!(r.paused_days, 1);
        assert_eq!(r.due, d(2026, 12, 3));
        assert!(r
            .working
            .contains("+ 1 paused day (2026-11-10..2026-11-10)"));

        let two = DeadlineInput {
            paused: vec![
                (d(2026, 11, 20), d(2026, 11, 21)),
                (d(2026, 11, 10), d(2026, 11, 12)),
            ],
            ..DeadlineInput::received(d(2026, 11, 2))
        };
        let r = due(&two);
        assert_eq!(r.paused_days, 5);
        assert!(
            r.working
                .contains("+ 5 paused days (2026-11-10..2026-11-12, 2026-11-20..2026-11-21)"),
            "{}",
            r.working
        );
    }

    #[test]
    fn overlapping_pauses_count_each_day_once() {
        let input = DeadlineInput {
            paused: vec![
                (d(2026, 11, 10), d(2026, 11, 17)),
                (d(2026, 11, 15), d(2026, 11, 19)),
                (d(2026, 11, 12), d(2026, 11, 13)),
            ],
            ..DeadlineInput::received(d(2026, 11, 2))
        };
        let r = due(&input);
        assert_eq!(r.paused_days, 10);
        assert!(
            r.working.contains(
                "+ 10 paused days (2026-11-10..2026-11-17 and 2026-11-12..2026-11-13 and \
                 2026-11-15..2026-11-19 overlap: counted once as 2026-11-10..2026-11-19)"
            ),
            "{}",
            r.working
        );
        // The same pause twice is one pause.
        let twice = DeadlineInput {
            paused: vec![(d(2026, 11, 10), d(2026, 11, 17)); 2],
            ..DeadlineInput::received(d(2026, 11, 2))
        };
        assert_eq!(due(&twice).paused_days, 8);
    }

    #[test]
    fn pauses_before_the_clock_start_count_from_it() {
        let input = DeadlineInput {
            received: d(2026, 11, 2),
            id_verified: Some(d(2026, 11, 6)),
            extended: false,
            paused: vec![
                (d(2026, 11, 3), d(2026, 11, 9)),
                (d(2026, 11, 2), d(2026, 11, 4)),
            ],
        };
        let r = due(&input);
        // Only 6..9 November count; 2..4 November is wholly before the clock.
        assert_eq!(r.paused_days, 4);
        assert_eq!(r.base_due, d(2026, 12, 6));
        assert_eq!(r.before_roll, d(2026, 12, 10));
        assert!(
            r.working.contains(
                "+ 4 paused days (2026-11-02..2026-11-04 before the clock start: not counted, \
                 2026-11-03..2026-11-09 counted from the clock start: 2026-11-06..2026-11-09)"
            ),
            "{}",
            r.working
        );
    }

    #[test]
    fn a_pause_after_the_deadline_is_flagged() {
        let input = DeadlineInput {
            paused: vec![(d(2026, 12, 10), d(2026, 12, 11))],
            ..DeadlineInput::received(d(2026, 11, 2))
        };
        let r = due(&input);
        assert_eq!(r.paused_days, 2);
        assert!(
            r.working.contains(
                "2026-12-10..2026-12-11 begins after the 2026-12-02 deadline it would extend"
            ),
            "{}",
            r.working
        );
    }

    #[test]
    fn errors() {
        let backwards = DeadlineInput {
            paused: vec![(d(2026, 11, 17), d(2026, 11, 10))],
            ..DeadlineInput::received(d(2026, 11, 2))
        };
        assert_eq!(
            compute(&backwards, &ew()),
            Err(DeadlineError::PauseEndsBeforeStart {
                from: d(2026, 11, 17),
                to: d(2026, 11, 10)
            })
        );
        assert_eq!(
            compute(&DeadlineInput::received(NaiveDate::MAX), &ew()),
            Err(DeadlineError::OutOfRange)
        );
        let huge = DeadlineInput {
            paused: vec![(d(2026, 11, 2), NaiveDate::MAX)],
            ..DeadlineInput::received(d(2026, 11, 2))
        };
        assert_eq!(compute(&huge, &ew()), Err(DeadlineError::OutOfRange));
    }

    #[test]
    fn unverified_holiday_years_are_reported() {
        let r = due(&DeadlineInput::received(d(2031, 3, 3)));
        assert_eq!(r.unverified_years, vec![2031]);
        assert!(r.working.contains("; note: "), "{}", r.working);
        let r = due(&DeadlineInput::received(d(2030, 11, 29)));
        assert_eq!(r.due, d(2030, 12, 30));
        assert!(r.unverified_years.is_empty());

        let scot =
            Holidays::parse("2026-11-30 St Andrew's Day\n", "scot.txt", None).expect("parses");
        let r = compute(&DeadlineInput::received(d(2026, 10, 30)), &scot).expect("computes");
        assert_eq!(r.due, d(2026, 12, 1));
        assert!(r.unverified_years.is_empty());
        let r = compute(&DeadlineInput::received(d(2027, 10, 30)), &scot).expect("computes");
        assert_eq!(r.unverified_years, vec![2027]);
    }

    #[test]
    fn days_left_counts_to_the_due_date() {
        let r = due(&DeadlineInput::received(d(2026, 11, 2)));
        assert_eq!(r.days_left(d(2026, 11, 30)), 2);
        assert_eq!(r.days_left(d(2026, 12, 2)), 0);
        assert_eq!(r.days_left(d(2026, 12, 3)), -1);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// 1990–2100: wide enough to reach unverified years and every weekday/month layout.
        fn date() -> impl Strategy<Value = NaiveDate> {
            (0i64..40_000).prop_map(|n| d(1990, 1, 1) + chrono::Duration::days(n))
        }

        /// Pauses near the receipt date, some before it, some overlapping, some long.
        fn pauses(received: NaiveDate) -> impl Strategy<Value = Vec<(NaiveDate, NaiveDate)>> {
            prop::collection::vec((-40i64..120, 0i64..45), 0..5).prop_map(move |v| {
                v.into_iter()
                    .map(|(offset, len)| {
                        let from = received + chrono::Duration::days(offset);
                        (from, from + chrono::Duration::days(len))
                    })
                    .collect()
            })
        }

        fn input() -> impl Strategy<Value = DeadlineInput> {
            (date(), prop::option::of(0i64..30), any::<bool>()).prop_flat_map(
                |(received, id_after, extended)| {
                    pauses(received).prop_map(move |paused| DeadlineInput {
                        received,
                        id_verified: id_after.map(|n| received + chrono::Duration::days(n - 5)),
                        extended,
                        paused,
                    })
                },
            )
        }

        /// Month arithmetic written out independently of chrono's `checked_add_months`.
        fn add_months_oracle(start: NaiveDate, months: i32) -> NaiveDate {
            let index = start.year() * 12 + start.month0() as i32 + months;
            let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            let len = match month {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            d(year, month, start.day().min(len))
        }

        /// Distinct days on or after `start` covered by any pause, by brute force.
        fn paused_oracle(start: NaiveDate, paused: &[(NaiveDate, NaiveDate)]) -> u32 {
            let days: std::collections::BTreeSet<NaiveDate> = paused
                .iter()
                .flat_map(|&(from, to)| from.iter_days().take_while(move |d| *d <= to))
                .filter(|d| *d >= start)
                .collect();
            days.len() as u32
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn arithmetic_matches_independent_oracles(input in input()) {
                let h = ew();
                let r = compute(&input, &h).expect("computes");
                let start = input.id_verified.map_or(input.received, |id| id.max(input.received));
                prop_assert_eq!(r.start, start);
                let months = if input.extended { 3 } else { 1 };
                prop_assert_eq!(r.base_due, add_months_oracle(start, months));
                prop_assert_eq!(r.paused_days, paused_oracle(start, &input.paused));
                prop_assert_eq!(
                    r.before_roll,
                    r.base_due + chrono::Duration::days(i64::from(r.paused_days))
                );
            }

            #[test]
            fn due_is_the_first_working_day_and_at_most_four_days_on(input in input()) {
                let h = ew();
                let r = compute(&input, &h).expect("computes");
                prop_assert!(!is_weekend(r.due), "{} is a weekend", r.due);
                prop_assert!(!h.is_holiday(r.due), "{} is a bank holiday", r.due);
                for day in r.before_roll.iter_days().take_while(|d| *d < r.due) {
                    prop_assert!(!h.is_working_day(day), "skipped working day {}", day);
                }
                // The longest England-and-Wales run of days off is four (Easter; Christmas
                // with substitutes), so the roll never moves further.
                prop_assert!((r.due - r.before_roll).num_days() <= 4);
                prop_assert!(!r.working.contains('\n'));
                prop_assert!(r.working.contains(&r.due.to_string()));
            }

            #[test]
            fn due_is_between_the_shortest_and_longest_month_counts(input in input()) {
                let r = compute(&input, &ew()).expect("computes");
                let span = (r.base_due - r.start).num_days();
                let (lo, hi) = if input.extended { (89, 92) } else { (28, 31) };
                prop_assert!((lo..=hi).contains(&span), "base span {}", span);
                prop_assert!((r.due - r.start).num_days() >= 28);
            }

            #[test]
            fn adding_a_pause_never_makes_it_earlier(
                input in input(),
                offset in -40i64..120,
                len in 0i64..45,
            ) {
                let h = ew();
                let before = compute(&input, &h).expect("computes");
                let mut more = input.clone();
                let from = input.received + chrono::Duration::days(offset);
                more.paused.push((from, from + chrono::Duration::days(len)));
                let after = compute(&more, &h).expect("computes");
                prop_assert!(after.due >= before.due);
                prop_assert!(after.paused_days >= before.paused_days);
            }

            #[test]
            fn extension_never_makes_it_earlier(input in input()) {
                let h = ew();
                let one = compute(&DeadlineInput { extended: false, ..input.clone() }, &h)
                    .expect("computes");
                let three = compute(&DeadlineInput { extended: true, ..input }, &h)
                    .expect("computes");
                prop_assert!(three.due >= one.due);
                prop_assert!((three.base_due - one.base_due).num_days() >= 59);
            }

            #[test]
            fn pause_order_does_not_matter(input in input()) {
                let h = ew();
                let a = compute(&input, &h).expect("computes");
                let mut reversed = input.clone();
                reversed.paused.reverse();
                let b = compute(&reversed, &h).expect("computes");
                prop_assert_eq!(a.due, b.due);
                prop_assert_eq!(a.paused_days, b.paused_days);
            }

            #[test]
            fn later_receipt_never_makes_it_earlier(a in date(), gap in 0i64..400) {
                let h = ew();
                let b = a + chrono::Duration::days(gap);
                let da = compute(&DeadlineInput::received(a), &h).expect("computes");
                let db = compute(&DeadlineInput::received(b), &h).expect("computes");
                prop_assert!(db.due >= da.due);
            }

            #[test]
            fn a_backwards_pause_is_always_an_error(input in input(), from in date(), back in 1i64..100) {
                let mut bad = input;
                bad.paused.push((from, from - chrono::Duration::days(back)));
                let is_backwards_error =
                    matches!(compute(&bad, &ew()), Err(DeadlineError::PauseEndsBeforeStart { .. }));
                prop_assert!(is_backwards_error);
            }
        }
    }
}
