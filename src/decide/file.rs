//! Reading `decisions.toml`. The file is written by a DPO, not a programmer, so every problem
//! is reported at once and names the decision by its number and line, in plain words.

use std::path::Path;

use chrono::NaiveDate;
use toml::Value;

use crate::detect::exemptions::Catalogue;

/// Shortest SHA-256 prefix accepted: 12 hex digits (48 bits) cannot collide by accident in
/// any school's disclosure, yet are short enough to copy by hand.
pub const MIN_PREFIX: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionAction {
    /// Accept a proposed redaction, redact a flagged name, or redact more text.
    Redact,
    /// Reject a proposed redaction or disclose a flagged name.
    Disclose,
    /// Leave a whole item out, with a reason.
    Withhold,
    /// Black out a rectangle of a PDF page (a signature, a photo, handwriting).
    RedactRegion,
    /// Disclose an item the tool could not read, as it is.
    DiscloseAsIs,
    /// Disclose an item the tool could not read, redacted by hand on paper.
    OnPaper,
}

impl DecisionAction {
    pub const ALL: [DecisionAction; 6] = [
        DecisionAction::Redact,
        DecisionAction::Disclose,
        DecisionAction::Withhold,
        DecisionAction::RedactRegion,
        DecisionAction::DiscloseAsIs,
        DecisionAction::OnPaper,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DecisionAction::Redact => "redact",
            DecisionAction::Disclose => "disclose",
            DecisionAction::Withhold => "withhold",
            DecisionAction::RedactRegion => "redact-region",
            DecisionAction::DiscloseAsIs => "disclose-as-is",
            DecisionAction::OnPaper => "on-paper",
        }
    }

    fn parse(s: &str) -> Option<DecisionAction> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL.into_iter().find(|a| a.label() == s)
    }
}

/// One `[[decision]]` table, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// 1-based position in the file: how messages and the log name it.
    pub number: usize,
    /// Line of its `[[decision]]` header, when the file uses that form.
    pub line: Option<usize>,
    pub action: DecisionAction,
    /// Lower-case SHA-256 prefix of the item, if given.
    pub item: Option<String>,
    /// A location as written in `proposals.csv`.
    pub location: Option<String>,
    /// The text at `location` (a check), or with no location: every occurrence in the item.
    pub text: Option<String>,
    /// Text to act on wherever it occurs (in `item` if given, else in every item).
    pub term: Option<String>,
    /// 1-based page for `redact-region`.
    pub page: Option<u32>,
    /// `[x0, y0, x1, y1]` in PDF user space (points), for `redact-region`.
    pub rect: Option<[f64; 4]>,
    /// Canonical catalogue code (aliases resolved).
    pub reason: Option<String>,
    pub who: String,
    pub when: NaiveDate,
    pub note: Option<String>,
}

impl Decision {
    /// "decision 3 (line 27)": how every message names a decision.
    pub fn label(&self) -> String {
        label(self.number, self.line)
    }

    /// "J. Patel (DPO), 2026-11-20": the log's `decided_by`.
    pub fn decided_by(&self) -> String {
        format!("{}, {}", self.who, self.when.format("%Y-%m-%d"))
    }
}

fn label(number: usize, line: Option<usize>) -> String {
    match line {
        Some(l) => format!("decision {number} (line {l})"),
        None => format!("decision {number}"),
    }
}

/// Every decision in the file, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decisions {
    pub decisions: Vec<Decision>,
}

#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not valid TOML: {message}")]
    Syntax { path: String, message: String },
    /// One line per problem, each naming its decision.
    #[error("{path}: {} problem(s) to fix:\n{}", problems.len(), problems.join("\n"))]
    Invalid { path: String, problems: Vec<String> },
}

/// Reads `path`. A missing file means the DPO has decided nothing yet: every proposal keeps
/// its proposed action.
pub fn load(path: &Path, catalogue: &Catalogue) -> Result<Decisions, DecisionError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path, catalogue),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Decisions::default()),
        Err(source) => Err(DecisionError::Io {
            path: path.display().to_string(),
            source,
        }),
    }
}

const FIELDS: [&str; 12] = [
    "action", "item", "location", "text", "term", "page", "box", "reason", "who", "when", "note",
    "date",
];

/// Parses the text of a decisions file; `path` only names it in messages.
pub fn parse(text: &str, path: &Path, catalogue: &Catalogue) -> Result<Decisions, DecisionError> {
    let path_s = path.display().to_string();
    let table: toml::Table = toml::from_str(text).map_err(|e| DecisionError::Syntax {
        path: path_s.clone(),
        message: syntax_message(text, &e),
    })?;
    let mut problems = Vec::new();
    for key in table.keys() {
        if key != "decision" {
            problems.push(format!(
                "unknown setting {key:?} at the top of the file: every decision starts with a \
                 [[decision]] line"
            ));
        }
    }
    let raw: Vec<&toml::Table> = match table.get("decision") {
        None => Vec::new(),
        Some(Value::Array(a)) => {
            let tables: Vec<&toml::Table> = a.iter().filter_map(Value::as_table).collect();
            if tables.len() != a.len() {
                problems.push("\"decision\" must be a list of [[decision]] tables".into());
            }
            tables
        }
        Some(_) => {
            problems.push("\"decision\" must be written as [[decision]] tables".into());
            Vec::new()
        }
    };
    let lines = header_lines(text);
    let lines = (lines.len() == raw.len()).then_some(lines);
    let mut decisions = Vec::new();
    for (i, t) in raw.into_iter().enumerate() {
        let line = lines.as_ref().and_then(|l| l.get(i).copied());
        match check(t, i + 1, line, catalogue) {
            Ok(d) => decisions.push(d),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(Decisions { decisions })
    } else {
        Err(DecisionError::Invalid {
            path: path_s,
            problems,
        })
    }
}

/// Where and what, without the quoted source line the TOML parser would add: that line may
/// hold a name, and this message can end up on a terminal or in a log.
fn syntax_message(text: &str, e: &toml::de::Error) -> String {
    let what = e.message().trim_end();
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {what}")
        }
        None => what.to_string(),
    }
}

/// 1-based lines of the `[[decision]]` headers, in order. TOML parsers do not report where a
/// table began, and a line number is what lets a DPO find the decision a message is about.
fn header_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let l = l.split('#').next().unwrap_or("").trim();
            l.strip_prefix("[[")
                .and_then(|r| r.strip_suffix("]]"))
                .is_some_and(|n| n.trim() == "decision")
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// Checks one table; every problem with it is returned, each naming the decision.
fn check(
    t: &toml::Table,
    number: usize,
    line: Option<usize>,
    catalogue: &Catalogue,
) -> Result<Decision, Vec<String>> {
    let name = label(number, line);
    let mut problems: Vec<String> = Vec::new();
    let mut bad = |msg: String| problems.push(format!("{name}: {msg}"));
    for key in t.keys() {
        if !FIELDS.contains(&key.as_str()) {
            bad(format!(
                "unknown field {key:?} (allowed: action, item, location, text, term, page, box, \
                 reason, who, when, note)"
            ));
        }
    }
    let string = |key: &str, bad: &mut dyn FnMut(String)| -> Option<String> {
        match t.get(key) {
            None => None,
            Some(Value::String(s)) if s.trim().is_empty() => {
                bad(format!("`{key}` is empty"));
                None
            }
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(_) => {
                bad(format!("`{key}` must be text in quotes"));
                None
            }
        }
    };
    let action_s = string("action", &mut bad);
    let item = string("item", &mut bad);
    let location = string("location", &mut bad);
    let text = string("text", &mut bad);
    let term = string("term", &mut bad);
    let reason_s = string("reason", &mut bad);
    let who = string("who", &mut bad);
    let note = string("note", &mut bad);

    let action = match &action_s {
        None => {
            bad(format!(
                "`action` is missing: write one of {}",
                action_list()
            ));
            None
        }
        Some(a) => {
            let parsed = DecisionAction::parse(a);
            if parsed.is_none() {
                bad(format!(
                    "unknown action {a:?}: write one of {}",
                    action_list()
                ));
            }
            parsed
        }
    };
    if who.is_none() && !t.contains_key("who") {
        bad("`who` is missing: write who made the decision, e.g. who = \"J. Patel (DPO)\"".into());
    }
    let when = match t.get("when").or_else(|| t.get("date")) {
        None => {
            bad("`when` is missing: write the date of the decision, e.g. when = 2026-11-20".into());
            None
        }
        Some(v) => {
            let d = date(v);
            if d.is_none() {
                bad(format!(
                    "`when` is not a date: write it as YYYY-MM-DD, e.g. when = 2026-11-20 (found {v})"
                ));
            }
            d
        }
    };
    if t.contains_key("when") && t.contains_key("date") {
        bad("give `when` only once (`date` is another name for it)".into());
    }
    let item = item.and_then(|i| {
        let i = i.to_ascii_lowercase();
        if !i.chars().all(|c| c.is_ascii_hexdigit()) || i.len() > 64 {
            bad(format!(
                "`item` must be the item's SHA-256 (the sha256 column of inventory.csv), found {i:?}"
            ));
            None
        } else if i.len() < MIN_PREFIX {
            bad(format!(
                "`item` is too short: give at least {MIN_PREFIX} characters of the SHA-256"
            ));
            None
        } else {
            Some(i)
        }
    });
    let reason = reason_s.and_then(|r| match catalogue.get(&r) {
        None => {
            bad(format!(
                "unknown reason code {r:?}: `disclose reasons` lists the codes, and the case file \
                 can add its own with [[reason]]"
            ));
            None
        }
        Some(e) => Some(e),
    });
    let page = match t.get("page") {
        None => None,
        Some(Value::Integer(n)) if *n >= 1 && *n <= i64::from(u32::MAX) => u32::try_from(*n).ok(),
        Some(v) => {
            bad(format!("`page` must be a page number from 1 (found {v})"));
            None
        }
    };
    let rect = match t.get("box") {
        None => None,
        Some(v) => {
            let r = rect(v);
            if r.is_none() {
                bad(format!(
                    "bad `box` {v}: write [x0, y0, x1, y1] in points from the page's bottom-left \
                     corner, with x0 < x1 and y0 < y1"
                ));
            }
            r
        }
    };

    if let Some(action) = action {
        use DecisionAction::*;
        let has = |k: &str| t.contains_key(k);
        let forbid = |keys: &[&str], bad: &mut dyn FnMut(String)| {
            for k in keys {
                if has(k) {
                    bad(format!(
                        "`{k}` does not apply to action \"{}\"",
                        action.label()
                    ));
                }
            }
        };
        match action {
            Redact | Disclose => {
                forbid(&["page", "box"], &mut bad);
                if has("term") {
                    forbid(&["location", "text"], &mut bad);
                } else if !has("item") {
                    bad(format!(
                        "`item` is missing: say which item (its SHA-256), or use `term` to {} \
                         the text in every item",
                        action.label()
                    ));
                } else if !has("location") && !has("text") {
                    bad("give `location` (as in proposals.csv) or `text`, or both".into());
                }
                // Without a location the decision can redact text nobody proposed, which has
                // no proposed reason to fall back on.
                if action == Redact && !has("location") && !has("reason") {
                    bad("`reason` is missing: redacting text wherever it occurs needs an exemption code, e.g. reason = \"THIRD-PARTY\"".into());
                }
            }
            Withhold => {
                forbid(&["location", "text", "term", "page", "box"], &mut bad);
                if !has("item") {
                    bad("`item` is missing: say which item to withhold (its SHA-256)".into());
                }
                if !has("reason") {
                    bad("`reason` is missing: withholding an item needs an exemption code".into());
                }
            }
            RedactRegion => {
                forbid(&["location", "text", "term"], &mut bad);
                for k in ["item", "page", "box", "reason"] {
                    if !has(k) {
                        bad(format!(
                            "`{k}` is missing: redact-region needs item, page, box and reason"
                        ));
                    }
                }
            }
            DiscloseAsIs | OnPaper => {
                forbid(
                    &["location", "text", "term", "page", "box", "reason"],
                    &mut bad,
                );
                if !has("item") {
                    bad(format!(
                        "`item` is missing: say which item to settle as \"{}\" (its SHA-256)",
                        action.label()
                    ));
                }
            }
        }
        if let Some(e) = reason {
            let fits = match action {
                Redact | RedactRegion => e.applies_to.allows_redaction(),
                Withhold => e.applies_to.allows_whole_item(),
                _ => true,
            };
            if !fits {
                bad(format!(
                    "reason {} cannot be used to {}: it applies to {}",
                    e.code,
                    action.label(),
                    e.applies_to.label()
                ));
            }
        }
    }

    match (action, who, when) {
        (Some(action), Some(who), Some(when)) if problems.is_empty() => Ok(Decision {
            number,
            line,
            action,
            item,
            location,
            text,
            term,
            page,
            rect,
            reason: reason.map(|e| e.code.clone()),
            who,
            when,
            note,
        }),
        _ => Err(problems),
    }
}

fn action_list() -> String {
    DecisionAction::ALL
        .iter()
        .map(|a| a.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A TOML date (`2026-11-20`) or a quoted one (`"2026-11-20"`).
fn date(v: &Value) -> Option<NaiveDate> {
    match v {
        Value::Datetime(dt) => {
            let d = dt.date?;
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        }
        Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
        _ => None,
    }
}

fn rect(v: &Value) -> Option<[f64; 4]> {
    let a = v.as_array()?;
    if a.len() != 4 {
        return None;
    }
    let mut r = [0.0; 4];
    for (slot, x) in r.iter_mut().zip(a) {
        *slot = match x {
            Value::Integer(n) => *n as f64,
            Value::Float(f) => *f,
            _ => return None,
        };
    }
    (r.iter().all(|x| x.is_finite()) && r[0] < r[2] && r[1] < r[3]).then_some(r)
}
