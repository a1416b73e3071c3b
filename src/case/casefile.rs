//! `case.toml`: the SAR tracker record as a file. Everything a later step needs — who asked,
//! about whom, by when, what to search and where — lives here, so each step can be checked and
//! re-run, and the file itself is the record a DPO shows when asked how the request was handled.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(Date)
            .map_err(|_| {
                serde::de::Error::custom(format!("expected a date written YYYY-MM-DD, found {s:?}"))
            })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relationship {
    Pupil,
    Parent,
    Staff,
    Solicitor,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResponseFormat {
    Electronic,
    Paper,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub received: Date,
    pub requester: String,
    pub relationship: Relationship,
    #[serde(default = "default_format")]
    pub format: ResponseFormat,
    /// How the request arrived (email, letter, verbal...), for the SAR log.
    #[serde(default)]
    pub channel: Option<String>,
    pub id_verified: Option<Date>,
    #[serde(default)]
    pub extended: bool,
    /// Why the deadline was extended (the requester must be told within the first month).
    #[serde(default)]
    pub extension_reason: Option<String>,
    /// Clarification asked .. answer received, both days counted (UK GDPR Art 12A).
    #[serde(default)]
    pub paused: Vec<[Date; 2]>,
}

fn default_format() -> ResponseFormat {
    ResponseFormat::Electronic
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    pub name: String,
    #[serde(default)]
    pub also_known_as: Vec<String>,
    pub upn: Option<String>,
    pub uln: Option<String>,
    pub dob: Option<Date>,
    #[serde(default)]
    pub other_ids: Vec<String>,
    /// The subject's own mailboxes: mail to or from them is theirs already, not searched.
    #[serde(default)]
    pub accounts: Vec<String>,
    /// First and last day on roll (the last may be absent while the pupil is still at school).
    #[serde(default)]
    pub on_roll: Vec<Date>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Search {
    pub terms: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub staff_domains: Vec<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redaction {
    #[serde(default)]
    pub always: Vec<String>,
    #[serde(default)]
    pub never: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    pub roster: Option<PathBuf>,
    pub paths: Vec<PathBuf>,
    /// Bank holidays for a nation other than England and Wales (one date a line, or gov.uk JSON).
    pub holidays: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    #[serde(default = "default_out")]
    pub dir: PathBuf,
}

fn default_out() -> PathBuf {
    PathBuf::from("out")
}

impl Default for Output {
    fn default() -> Self {
        Output { dir: default_out() }
    }
}

/// Dates the redaction lead records as the tracker's manual steps are done.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tracker {
    pub acknowledged: Option<Date>,
    pub extension_notified: Option<Date>,
    pub reviewed: Option<Date>,
    pub sent: Option<Date>,
    pub password_sent: Option<Date>,
}

/// The cover letter's wording: who writes, and the supplementary information UK GDPR Art 15
/// requires alongside the data. Every field has a default a school can use as it stands, so a
/// case without `[letter]` still produces a complete letter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Letter {
    pub school: String,
    /// Who signs the letter and how to reach the Data Protection Officer.
    pub signatory: String,
    pub dpo_contact: String,
    /// Art 15(1)(a)
    pub purposes: String,
    /// Art 15(1)(b)
    pub categories: String,
    /// Art 15(1)(c)
    pub recipients: String,
    /// Art 15(1)(d)
    pub retention: String,
    /// Art 15(1)(g)
    pub source: String,
    /// Art 15(1)(h)
    pub automated_decisions: String,
    /// Art 15(2)
    pub transfers: String,
}

impl Default for Letter {
    fn default() -> Self {
        Letter {
            school: "The school".into(),
            signatory: "The Data Protection Officer".into(),
            dpo_contact: "the school office, marked for the attention of the Data Protection Officer".into(),
            purposes: "To provide education and pastoral care; to safeguard and promote the welfare of pupils;                 to monitor attendance, behaviour and progress; to meet the school's legal duties, including                 reporting to the Department for Education and the local authority.".into(),
            categories: "Personal details and contacts; attendance and behaviour records; assessment and                 progress information; special educational needs, medical and safeguarding information where                 held; correspondence about the pupil.".into(),
            recipients: "School staff who need the information for their work; the local authority; the                 Department for Education; health and social care professionals where the law requires or                 allows it; examination boards. None of these recipients is in a third country.".into(),
            retention: "Records are kept as set out in the school's retention schedule (the Information and                 Records Management Society toolkit for schools): most pupil records until the pupil is 25.".into(),
            source: "Most of the information came from you, your child and the school's staff; some came                 from previous schools, the local authority and other professionals.".into(),
            automated_decisions: "The school makes no decisions about your child based solely on automated                 processing, including profiling.".into(),
            transfers: "The information is not transferred outside the UK.".into(),
        }
    }
}

/// What `disclose seal` records about the bundle it sealed, so the case file shows what was
/// sent and lets anyone check the copy later.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sealed {
    pub bundle: Option<String>,
    pub bundle_sha256: Option<String>,
    pub master_sha256: Option<String>,
    pub sealed_at: Option<String>,
    pub documents: Option<u64>,
    pub pages: Option<u64>,
}

/// An exemption the school adds to the built-in catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomReason {
    pub code: String,
    pub citation: String,
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    pub reference: String,
    pub request: Request,
    pub subject: Subject,
    pub search: Search,
    #[serde(default)]
    pub redaction: Redaction,
    pub sources: Sources,
    #[serde(default)]
    pub output: Output,
    #[serde(default)]
    pub tracker: Tracker,
    #[serde(default)]
    pub letter: Letter,
    /// Written by `disclose seal`.
    #[serde(default)]
    pub sealed: Sealed,
    /// Exemption codes the school adds to the built-in catalogue (`[[reason]]` tables).
    #[serde(default, rename = "reason")]
    pub reasons: Vec<CustomReason>,
}

/// A loaded case: the record plus the folder its relative paths are relative to.
#[derive(Debug, Clone)]
pub struct Case {
    pub file: CaseFile,
    pub path: PathBuf,
    pub dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Case {
    pub fn load(path: &Path) -> Result<Case, CaseError> {
        let text = std::fs::read_to_string(path).map_err(|source| CaseError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Case, CaseError> {
        let invalid = |message: String| CaseError::Invalid {
            path: path.display().to_string(),
            message,
        };
        let file: CaseFile =
            toml::from_str(text).map_err(|e| invalid(e.to_string().trim_end().to_string()))?;
        file.validate().map_err(invalid)?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Case {
            file,
            path: path.to_path_buf(),
            dir,
        })
    }

    /// A path from the case file, relative to the case file's folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.dir.join(p)
        }
    }

    pub fn out_dir(&self) -> PathBuf {
        self.resolve(&self.file.output.dir)
    }

    pub fn roster_path(&self) -> Option<PathBuf> {
        self.file.sources.roster.as_ref().map(|p| self.resolve(p))
    }

    pub fn source_paths(&self) -> Vec<PathBuf> {
        self.file
            .sources
            .paths
            .iter()
            .map(|p| self.resolve(p))
            .collect()
    }

    /// The search date range: `[search] from/to`, defaulting to the first day on roll and the
    /// day the request was received.
    pub fn date_range(&self) -> (Option<NaiveDate>, NaiveDate) {
        let s = &self.file.search;
        let from = s
            .from
            .or_else(|| self.file.subject.on_roll.first().copied())
            .map(|d| d.0);
        let to = s.to.map(|d| d.0).unwrap_or(self.file.request.received.0);
        (from, to)
    }
}

impl CaseFile {
    /// Checks that deserialising cannot: relations between fields, and values that would make a
    /// step silently do the wrong thing.
    fn validate(&self) -> Result<(), String> {
        if self.reference.trim().is_empty() {
            return Err("reference: must not be empty (e.g. \"SAR-2026-014\")".into());
        }
        if self.subject.name.trim().is_empty() {
            return Err("subject.name: must not be empty".into());
        }
        if self.search.terms.iter().all(|t| t.trim().is_empty()) {
            return Err(
                "search.terms: give at least one include term, e.g. '\"Ava Thompson\"'".into(),
            );
        }
        if self.sources.paths.is_empty() {
            return Err("sources.paths: list at least one folder or file to search".into());
        }
        for (i, [a, b]) in self.request.paused.iter().enumerate() {
            if b < a {
                return Err(format!(
                    "request.paused[{i}]: ends ({b}) before it starts ({a})"
                ));
            }
        }
        if let Some(v) = self.request.id_verified {
            if v < self.request.received {
                return Err(format!(
                    "request.id_verified: {v} is before request.received {}",
                    self.request.received
                ));
            }
        }
        if self.subject.on_roll.len() > 2 {
            return Err("subject.on_roll: give [first day] or [first day, last day]".into());
        }
        if let [a, b] = self.subject.on_roll[..] {
            if b < a {
                return Err(format!(
                    "subject.on_roll: last day {b} is before first day {a}"
                ));
            }
        }
        if let (Some(a), Some(b)) = (self.search.from, self.search.to) {
            if b < a {
                return Err(format!("search.to: {b} is before search.from {a}"));
            }
        }
        for d in &self.search.staff_domains {
            if d.contains('@') || d.trim().is_empty() || d.contains(' ') {
                return Err(format!(
                    "search.staff_domains: {d:?} is not a domain (write e.g. \"oakfield.sch.uk\")"
                ));
            }
        }
        for a in &self.subject.accounts {
            if !a.contains('@') {
                return Err(format!("subject.accounts: {a:?} is not an email address"));
            }
        }
        Ok(())
    }
}

/// The commented template `disclose case new` writes.
pub const TEMPLATE: &str = r#"# The SAR record for one Subject Access Request. Relative paths are relative to this file.
reference = "SAR-2026-014"

[request]
received = "2026-11-02"        # day the school received it, by any channel (the clock starts here)
requester = "Mrs K. Thompson"
relationship = "parent"        # pupil | parent | staff | solicitor | other
format = "electronic"          # electronic | paper
channel = "email"              # how it arrived
# id_verified = "2026-11-04"   # if ID was needed: the clock starts at the later of received / id_verified
extended = false               # true: complex or numerous, three months in all (tell the requester in month one)
# extension_reason = "..."
paused = []                    # clarification asked .. answer received, e.g. [["2026-11-10", "2026-11-17"]]

[subject]
name = "Ava Thompson"
also_known_as = []             # other names the subject is known by, e.g. ["Ava-Mae Thompson"]
# upn = "A123456789012"
# uln = "1000000043"
# dob = "2012-09-03"
other_ids = []
accounts = []                  # the subject's own mailboxes, e.g. ["ava.thompson@pupils.oakfield.sch.uk"]
on_roll = ["2019-09-04"]       # first day on roll, and the last day if they have left

[search]
# Purview keyword syntax: "phrases", AND, OR, NOT (upper case only), (brackets), prefix*.
terms = ['"Ava Thompson"', 'Ava AND Thompson']
exclude = []                   # e.g. ['participants:ava.thompson@pupils.oakfield.sch.uk']
staff_domains = ["oakfield.sch.uk"]
# from = "2023-09-01"          # default: first day on roll
# to = "2026-11-02"            # default: the day the request was received

[redaction]
always = []                    # always redact these, e.g. ["Jayden's dad"]
never = []                     # never redact these, e.g. ["Oakfield Academy"]

[sources]
roster = "mis/roster.csv"      # the MIS export of pupils, staff and contacts (CSV or XLSX)
paths = ["export/", "mis/", "drive/"]
# holidays = "scotland.txt"    # bank holidays for another nation (default: England and Wales)

[output]
dir = "out"

# Exemption codes beyond the built-in catalogue (`disclose reasons` lists them all):
# [[reason]]
# code = "LA-SAFEGUARDING"
# citation = "DPA 2018 Sch 2 Pt 2 para 7"
# description = "Information from the local authority's safeguarding team, withheld at its request."

[letter]                       # the cover letter; omitted fields use neutral wording
school = "Oakfield Academy"
signatory = "Mr J. Patel, Data Protection Officer"
dpo_contact = "dpo@oakfield.sch.uk, or by post to the school office"
# purposes = "..."             # Art 15(1)(a); also categories, recipients, retention, source,
#                              # automated_decisions, transfers (Art 15(1)(b)-(h) and 15(2))

[tracker]                      # dates the manual steps were done
# acknowledged = "2026-11-03"
# reviewed = "2026-11-20"
# sent = "2026-11-25"
# password_sent = "2026-11-25"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_a_valid_case() {
        let case = Case::parse(TEMPLATE, Path::new("/cases/x/case.toml")).expect("template parses");
        assert_eq!(case.file.reference, "SAR-2026-014");
        assert_eq!(case.out_dir(), PathBuf::from("/cases/x/out"));
        assert_eq!(
            case.roster_path(),
            Some(PathBuf::from("/cases/x/mis/roster.csv"))
        );
        let (from, to) = case.date_range();
        assert_eq!(from, NaiveDate::from_ymd_opt(2019, 9, 4));
        assert_eq!(to, NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
    }

    #[test]
    fn errors_name_the_field_and_what_is_allowed() {
        let bad = TEMPLATE.replace("relationship = \"parent\"", "relationship = \"aunt\"");
        let e = Case::parse(&bad, Path::new("case.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("relationship") && e.contains("pupil") && e.contains("solicitor"),
            "{e}"
        );
        let bad = TEMPLATE.replace("received = \"2026-11-02\"", "received = \"02/11/2026\"");
        let e = Case::parse(&bad, Path::new("case.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("received") && e.contains("YYYY-MM-DD"), "{e}");
        let bad = TEMPLATE.replace("[output]", "colour = \"red\"\n[output]");
        let e = Case::parse(&bad, Path::new("case.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("colour"), "{e}");
        let bad = TEMPLATE.replace("paused = []", "paused = [[\"2026-11-17\", \"2026-11-10\"]]");
        let e = Case::parse(&bad, Path::new("case.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("request.paused[0]"), "{e}");
        let bad = TEMPLATE.replace(
            "staff_domains = [\"oakfield.sch.uk\"]",
            "staff_domains = [\"head@oakfield.sch.uk\"]",
        );
        let e = Case::parse(&bad, Path::new("case.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("staff_domains"), "{e}");
    }
}
