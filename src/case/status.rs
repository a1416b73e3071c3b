//! Where a case stands: its statutory clock and the tracker's steps, for `disclose case status`
//! and for the SAR log of every case under a folder (`disclose log`).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::casefile::Case;
use super::deadline::{compute, Deadline, DeadlineInput};
use super::holidays::Holidays;
use super::roster::Roster;

/// The case's deadline, with its holidays (the case's own file, or England and Wales).
pub fn case_deadline(case: &Case) -> Result<Deadline, String> {
    let holidays = match &case.file.sources.holidays {
        Some(p) => Holidays::from_file(&case.resolve(p), None).map_err(|e| e.to_string())?,
        None => Holidays::england_and_wales(),
    };
    let r = &case.file.request;
    let input = DeadlineInput {
        received: r.received.0,
        id_verified: r.id_verified.map(|d| d.0),
        extended: r.extended,
        paused: r.paused.iter().map(|[a, b]| (a.0, b.0)).collect(),
    };
    compute(&input, &holidays).map_err(|e| e.to_string())
}

/// One tracker step: done or not, and what shows it.
pub struct Step {
    pub name: &'static str,
    pub done: bool,
    pub note: String,
}

fn step(name: &'static str, done: bool, note: impl Into<String>) -> Step {
    Step {
        name,
        done,
        note: note.into(),
    }
}

/// The tracker's steps, each judged from the case file and what the pipeline has written.
pub fn steps(case: &Case) -> Vec<Step> {
    let f = &case.file;
    let mut out = vec![step(
        "request logged",
        true,
        format!(
            "received {}, from {}",
            f.request.received, f.request.requester
        ),
    )];
    out.push(match f.tracker.acknowledged {
        Some(d) => step("acknowledged", true, format!("on {d}")),
        None => step("acknowledged", false, "record [tracker] acknowledged"),
    });
    out.push(match f.request.id_verified {
        Some(d) => step("identity verified", true, format!("on {d}")),
        None => step(
            "identity verified",
            false,
            "record [request] id_verified when ID was needed and checked",
        ),
    });
    if f.request.extended {
        out.push(match f.tracker.extension_notified {
            Some(d) => step("extension notified", true, format!("on {d}")),
            None => step("extension notified", false, "tell the requester within the first month, then record [tracker] extension_notified"),
        });
    }
    out.push(match case.roster_path() {
        None => step(
            "subject unique in the roster",
            false,
            "no roster in [sources] roster",
        ),
        Some(p) => match Roster::load(&p) {
            Err(e) => step("subject unique in the roster", false, e.to_string()),
            Ok(r) => {
                let same: Vec<_> = r
                    .people
                    .iter()
                    .filter(|p| {
                        crate::text::normalize(&p.full_name())
                            == crate::text::normalize(&f.subject.name)
                    })
                    .collect();
                match same.len() {
                    0 => step(
                        "subject unique in the roster",
                        false,
                        format!(
                            "{} is not in the roster ({} people)",
                            f.subject.name,
                            r.people.len()
                        ),
                    ),
                    1 => step(
                        "subject unique in the roster",
                        true,
                        format!("one {} among {} people", f.subject.name, r.people.len()),
                    ),
                    n => step(
                        "subject unique in the roster",
                        false,
                        format!(
                            "{n} people are called {}: use the UPN or another identifier too",
                            f.subject.name
                        ),
                    ),
                }
            }
        },
    });
    let inventory = case.out_dir().join("inventory.csv");
    out.push(match std::fs::read_to_string(&inventory) {
        Ok(text) if text.lines().next().is_some_and(|h| h.contains("in_scope")) => {
            let n = text.lines().skip(1).filter(|l| l.contains(",yes,")).count();
            step(
                "searched",
                true,
                format!("{n} item(s) in scope ({})", inventory.display()),
            )
        }
        _ => step(
            "searched",
            false,
            format!("run `disclose scan {}`", case.path.display()),
        ),
    });
    out.push(match f.tracker.reviewed {
        Some(d) => step("reviewed by the DPO", true, format!("on {d}")),
        None => step("reviewed by the DPO", false, "record [tracker] reviewed"),
    });
    out.push(match f.tracker.sent {
        Some(d) => step("sent", true, format!("on {d}")),
        None => step("sent", false, "record [tracker] sent"),
    });
    out.push(match f.tracker.password_sent {
        Some(d) => step("password sent separately", true, format!("on {d}")),
        None => step(
            "password sent separately",
            false,
            "record [tracker] password_sent",
        ),
    });
    out
}

pub fn status_text(case: &Case, today: NaiveDate) -> String {
    let f = &case.file;
    let mut s = format!(
        "{}: subject access request about {} from {} ({:?})\n",
        f.reference, f.subject.name, f.request.requester, f.request.relationship
    );
    match case_deadline(case) {
        Ok(d) => {
            let left = d.days_left(today);
            let when = if f.tracker.sent.is_some() {
                "sent".to_string()
            } else if left < 0 {
                format!("OVERDUE by {} day(s)", -left)
            } else {
                format!("{left} day(s) left")
            };
            s.push_str(&format!(
                "due {} ({when})\n  {}\n",
                d.due.format("%Y-%m-%d"),
                d.working
            ));
        }
        Err(e) => s.push_str(&format!("due date: cannot be worked out: {e}\n")),
    }
    for st in steps(case) {
        s.push_str(&format!(
            "  [{}] {:<30} {}\n",
            if st.done { "x" } else { " " },
            st.name,
            st.note
        ));
    }
    s
}

/// One line of the SAR log.
pub struct LogEntry {
    pub path: PathBuf,
    pub reference: String,
    pub received: String,
    pub due: Option<NaiveDate>,
    pub sent: Option<String>,
    pub problem: Option<String>,
}

/// Every `case.toml` under `dir`, soonest due first (sent cases last, broken ones listed too).
pub fn sar_log(dir: &Path) -> Vec<LogEntry> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if e.file_name() != "case.toml" {
            continue;
        }
        let path = e.into_path();
        match Case::load(&path) {
            Ok(case) => {
                let d = case_deadline(&case);
                out.push(LogEntry {
                    reference: case.file.reference.clone(),
                    received: case.file.request.received.to_string(),
                    due: d.as_ref().ok().map(|d| d.due),
                    sent: case.file.tracker.sent.map(|d| d.to_string()),
                    problem: d.err(),
                    path,
                });
            }
            Err(err) => out.push(LogEntry {
                reference: "?".into(),
                received: String::new(),
                due: None,
                sent: None,
                problem: Some(err.to_string()),
                path,
            }),
        }
    }
    out.sort_by_key(|e| (e.sent.is_some(), e.due.is_none(), e.due));
    out
}
