//! Validated UK identifiers in free text (`../shared/DOMAIN.md` §5).
//!
//! School documents are full of numbers shaped like identifiers that are not: admission numbers,
//! candidate numbers, row counts, Unix timestamps, spreadsheet floats. About one random ten-digit
//! string in six passes either the NHS or the ULN check, so shape alone would bury the DPO in
//! proposals to undo, while a missed pupil number is a breach. So every detector here validates
//! first (check letter, check digit, prefix rules, a real calendar date, a real postcode area) and
//! reports nothing it cannot validate; each report names its rule and rule version for the
//! redaction log; and confidence is [`Confidence::High`] only when something independent of the
//! shape confirms the reading — a checksum strong enough to matter, a label such as `NHS No:` or
//! `Tel:`, a `+44`, the customary 3-3-4 grouping of an NHS number.
//!
//! Some shapes are ambiguous enough that they are reported only with such confirmation: a bare
//! eleven-digit run is a phone number only next to a phone label (spreadsheets are full of
//! eleven-digit IDs), and a date is a date of birth only shortly after a birth label.
//!
//! All patterns use ASCII classes: identifiers are written in ASCII digits and letters, and Unicode
//! case folding would let look-alikes such as the Kelvin sign into a "UPN".

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Utc};
use regex::{Captures, Regex};

/// Rule ids recorded against each finding. Bump the version when a rule's behaviour changes, so
/// a redaction log written by an older build can still be explained.
pub const RULE_UPN: &str = "upn-check-letter/1";
pub const RULE_ULN: &str = "uln-check-digit/1";
pub const RULE_NHS: &str = "nhs-mod11/1";
pub const RULE_NINO: &str = "nino-prefix-suffix/1";
pub const RULE_POSTCODE: &str = "postcode-bs7666-area/1";
pub const RULE_BFPO: &str = "postcode-bfpo/1";
pub const RULE_PHONE: &str = "phone-uk-ofcom/1";
pub const RULE_EMAIL: &str = "email/1";
pub const RULE_X500: &str = "exchange-x500-dn/1";
pub const RULE_DOB: &str = "dob-labelled-uk-order/1";

/// What kind of identifier was found; drives the proposal's category and how values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    Upn,
    Uln,
    Nhs,
    Nino,
    Postcode,
    Phone,
    Email,
    X500,
    Dob,
}

impl IdKind {
    pub const ALL: [IdKind; 9] = [
        IdKind::Upn,
        IdKind::Uln,
        IdKind::Nhs,
        IdKind::Nino,
        IdKind::Postcode,
        IdKind::Phone,
        IdKind::Email,
        IdKind::X500,
        IdKind::Dob,
    ];

    /// Stable lower-case name, used as the category in `proposals.csv` and the logs.
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Upn => "upn",
            IdKind::Uln => "uln",
            IdKind::Nhs => "nhs",
            IdKind::Nino => "nino",
            IdKind::Postcode => "postcode",
            IdKind::Phone => "phone",
            IdKind::Email => "email",
            IdKind::X500 => "x500",
            IdKind::Dob => "dob",
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure a finding is. Both levels are validated; `Medium` means only the shape and checksum
/// vouch for it, so a reviewer may want to glance at it, while `High` means a label, a `+44`, a
/// conventional layout or a distinctive format confirms it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Confidence {
    Medium,
    High,
}

/// One validated identifier in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: IdKind,
    /// Byte range in the text that was searched; always on `char` boundaries.
    pub start: usize,
    pub end: usize,
    /// The text as written, `&text[start..end]`.
    pub text: String,
    /// Canonical form: UPN and NINO upper-case without spaces, ULN/NHS digits only, postcode
    /// upper-case with one space, phone as national digits (`07700900819`), email lower-case,
    /// X.500 DN upper-case, date of birth as ISO `yyyy-mm-dd`.
    pub normalized: String,
    /// Rule id and version, e.g. `upn-check-letter/1`.
    pub rule: &'static str,
    pub confidence: Confidence,
}

impl Found {
    /// Key for deciding whether this is the subject's own identifier; see [`normalize_for_compare`].
    pub fn compare_key(&self) -> String {
        normalize_for_compare(self.kind, &self.normalized)
    }
}

/// Every validated identifier in `text`, sorted by start and non-overlapping.
///
/// Where candidates overlap, the longest wins (an email address swallows the pupil number in its
/// local part), then the more confident, then the earlier [`IdKind`].
pub fn find_identifiers(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    if text.bytes().any(|b| b.is_ascii_digit()) {
        find_upns(text, &mut out);
        find_ten_digit(text, &mut out);
        find_ninos(text, &mut out);
        find_postcodes(text, &mut out);
        find_phones(text, &mut out);
        find_dobs(text, &mut out);
    }
    find_emails(text, &mut out);
    find_x500(text, &mut out);
    resolve_overlaps(out)
}

/// Identifiers in a value whose label sits elsewhere: a spreadsheet cell under its column header,
/// a form field, a mail header. The label confirms the reading exactly as an inline label would,
/// so a bare `07700900819` under "Mobile" is a phone number and `03/09/2012` under "DOB" a date
/// of birth, while the same cells under "Candidate no" or "Start date" are left alone.
///
/// Offsets are into `value`.
pub fn find_identifiers_in_field(label: &str, value: &str) -> Vec<Found> {
    // A newline keeps the label from joining any value-side match (none of them cross lines)
    // while the label rules still accept a value on the line below its label.
    let joined = format!("{label}:\n{value}");
    let offset = joined.len() - value.len();
    find_identifiers(&joined)
        .into_iter()
        .filter(|f| f.start >= offset)
        .map(|mut f| {
            f.start -= offset;
            f.end -= offset;
            f
        })
        .collect()
}

/// Comparison key, so that the subject's own identifiers (from the case file or the roster, typed
/// by a person in any case or spacing) can be told apart from everyone else's.
///
/// NINO keys drop the A–D suffix: HMRC does not treat it as part of the identity, and forms often
/// omit it. Postcode keys drop the space. Phone keys are national digits. A date that does not
/// parse is compared as trimmed lower-case text.
pub fn normalize_for_compare(kind: IdKind, s: &str) -> String {
    let s = s.trim();
    match kind {
        IdKind::Upn | IdKind::Postcode => compact_upper(s),
        IdKind::Uln | IdKind::Nhs => s.chars().filter(char::is_ascii_digit).collect(),
        IdKind::Nino => {
            let mut c = compact_upper(s);
            if c.len() == 9 && c.ends_with(['A', 'B', 'C', 'D']) {
                c.truncate(8);
            }
            c
        }
        IdKind::Phone => normalize_phone(s),
        IdKind::Email => s
            .trim_start_matches("mailto:")
            .trim_matches(['<', '>'])
            .to_lowercase(),
        IdKind::X500 => s.to_uppercase(),
        IdKind::Dob => match parse_date(s) {
            Some(d) => d.format("%Y-%m-%d").to_string(),
            None => s.to_lowercase(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Check digits and validators

/// The 23 letters used for UPN check letters; I, O and S are left out to avoid confusion with
/// 1, 0 and 5.
const UPN_ALPHABET: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

/// Value of a UPN character at positions 2–13: digits at face value, and a temporary UPN's final
/// letter at its index in [`UPN_ALPHABET`].
fn upn_char_value(c: u8) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(u32::from(c - b'0'));
    }
    let up = c.to_ascii_uppercase();
    UPN_ALPHABET
        .iter()
        .position(|&a| a == up)
        .and_then(|i| u32::try_from(i).ok())
}

/// The check letter for the last twelve characters of a UPN (eleven digits and a final digit or,
/// for a temporary UPN, a letter). `None` if they cannot be part of a UPN.
pub fn upn_check_letter(rest12: &str) -> Option<char> {
    let b = rest12.as_bytes();
    if b.len() != 12 || !b[..11].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut sum = 0u32;
    for (pos, &c) in (2u32..).zip(b) {
        sum += pos * upn_char_value(c)?;
    }
    UPN_ALPHABET
        .get(usize::try_from(sum % 23).ok()?)
        .map(|&c| char::from(c))
}

/// Whether `s` is a UPN with a correct check letter, in any case, ignoring whitespace.
///
/// The LA number is not checked against the DfE list: that list changes with local-government
/// reorganisation, and rejecting a real UPN from a new authority would be a missed redaction.
pub fn valid_upn(s: &str) -> bool {
    let c = compact_upper(s);
    if c.len() != 13 || !c.is_ascii() {
        return false;
    }
    let first = char::from(c.as_bytes()[0]);
    upn_check_letter(&c[1..]) == Some(first)
}

/// The ten digits of `s`, allowing the space, no-break space and hyphen separators seen in
/// documents.
fn ten_digits(s: &str) -> Option<[u8; 10]> {
    let mut out = [0u8; 10];
    let mut n = 0;
    for c in s.trim().chars() {
        match c {
            '0'..='9' => {
                *out.get_mut(n)? = c as u8 - b'0';
                n += 1;
            }
            ' ' | '\u{a0}' | '-' => {}
            _ => return None,
        }
    }
    (n == 10).then_some(out)
}

fn nine_digits(s: &str) -> Option<[u8; 9]> {
    let b = s.as_bytes();
    if b.len() != 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut out = [0u8; 9];
    for (o, &c) in out.iter_mut().zip(b) {
        *o = c - b'0';
    }
    Some(out)
}

/// Σ dᵢ·wᵢ over the first nine digits with weights 10 down to 2, shared by ULN and NHS.
fn weighted_mod11(first9: &[u8]) -> u32 {
    first9
        .iter()
        .zip((2u32..=10).rev())
        .map(|(&d, w)| u32::from(d) * w)
        .sum::<u32>()
        % 11
}

/// A string of one repeated digit. Every such string passes the NHS check (its weighted sum is
/// −d mod 11), and `0000000000` and `9999999999` (the temporary ULN) are placeholders in MIS
/// exports; none identifies anybody.
fn is_repdigit(d: &[u8]) -> bool {
    d.windows(2).all(|w| w[0] == w[1])
}

/// The ULN check digit for the first nine digits; `None` when no check digit exists (remainder 0)
/// or the first digit is 0.
pub fn uln_check_digit(first9: &str) -> Option<u8> {
    let d = nine_digits(first9)?;
    if d[0] == 0 {
        return None;
    }
    match weighted_mod11(&d) {
        0 => None,
        r => u8::try_from(10 - r).ok(),
    }
}

/// The NHS number check digit for the first nine digits; `None` when the remainder would give 10.
pub fn nhs_check_digit(first9: &str) -> Option<u8> {
    let d = nine_digits(first9)?;
    match 11 - weighted_mod11(&d) {
        11 => Some(0),
        10 => None,
        c => u8::try_from(c).ok(),
    }
}

fn split9(d: &[u8; 10]) -> String {
    d[..9].iter().map(|&x| char::from(b'0' + x)).collect()
}

/// Whether `s` is a ULN (ten digits, separators ignored) with a correct check digit.
/// The temporary ULN `9999999999` is rejected: it identifies nobody.
pub fn valid_uln(s: &str) -> bool {
    match ten_digits(s) {
        Some(d) => !is_repdigit(&d) && uln_check_digit(&split9(&d)) == Some(d[9]),
        None => false,
    }
}

/// Whether `s` is an NHS number (ten digits, often 3-3-4 with spaces or hyphens) with a correct
/// check digit. Repeated-digit strings are rejected although they pass the arithmetic: they are
/// placeholders.
///
/// No string is both a valid ULN and a valid NHS number: for the same first nine digits with
/// remainder r, the NHS check digit is 11 − r (0 when r = 0) and the ULN's is 10 − r (none when
/// r = 0), and these never agree.
pub fn valid_nhs(s: &str) -> bool {
    match ten_digits(s) {
        Some(d) => !is_repdigit(&d) && nhs_check_digit(&split9(&d)) == Some(d[9]),
        None => false,
    }
}

/// Prefixes HMRC never issues (BG, GB, NK, KN, TN, NT, ZZ): administrative or temporary.
const NINO_BANNED_PREFIXES: [&str; 7] = ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"];

fn nino_prefix_ok(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() == 2
        && b.iter().all(u8::is_ascii_uppercase)
        && !b"DFIQUV".contains(&b[0])
        && !b"DFIOQUV".contains(&b[1])
        && !NINO_BANNED_PREFIXES.contains(&p)
}

/// Whether `s` is a National Insurance number with its A–D suffix, in any case, ignoring spaces.
/// `QQ123456C`, HMRC's own example, fails because Q is never a first letter.
pub fn valid_nino(s: &str) -> bool {
    let c = compact_upper(s);
    c.len() == 9
        && c.is_ascii()
        && nino_prefix_ok(&c[..2])
        && c[2..8].bytes().all(|b| b.is_ascii_digit())
        && matches!(c.as_bytes()[8], b'A'..=b'D')
}

/// The postcode areas in use (Royal Mail), plus BF (BFPO) and BX (non-geographic). The BS 7666
/// pattern alone admits outward codes like `Y7` and `KS2`, which in a school are year groups and
/// key stages, not places.
const POSTCODE_AREAS: &[&str] = &[
    "AB", "AL", "B", "BA", "BB", "BD", "BF", "BH", "BL", "BN", "BR", "BS", "BT", "BX", "CA", "CB",
    "CF", "CH", "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT",
    "DY", "E", "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "GY", "HA", "HD", "HG", "HP",
    "HR", "HS", "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L", "LA", "LD",
    "LE", "LL", "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW",
    "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG", "SK",
    "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR",
    "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE",
];

/// Whether `s` is a UK postcode (BS 7666 shape in a real postcode area, or `GIR 0AA`) or a BFPO
/// number, in any case, with or without the space.
pub fn valid_postcode(s: &str) -> bool {
    let t = s.trim();
    let mut v = Vec::new();
    find_postcodes(t, &mut v);
    v.iter().any(|f| f.start == 0 && f.end == t.len())
}

fn postcode_area_ok(outward: &str) -> bool {
    if outward.eq_ignore_ascii_case("GIR") {
        return true;
    }
    let letters: String = outward
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    POSTCODE_AREAS.contains(&letters.as_str())
}

/// Whether `s` is a UK phone number of a kind that reaches a person (mobile, geographic,
/// non-geographic 03, freephone 080), after [`normalize_phone`]. Premium and personal-number
/// ranges are not people's own numbers and are left out.
pub fn valid_phone(s: &str) -> bool {
    RE_PHONE_NATIONAL.is_match(&normalize_phone(s))
}

/// National digits of a phone number as written: separators and a trunk `(0)` dropped, `+44` and
/// `0044` turned into `0`, so every spelling of one number compares equal.
pub fn normalize_phone(s: &str) -> String {
    let s = s.trim().replace("(0)", "");
    let intl = s.starts_with('+');
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    if intl {
        match digits.strip_prefix("44") {
            Some(rest) => format!("0{rest}"),
            None => format!("+{digits}"),
        }
    } else if let Some(rest) = digits.strip_prefix("0044") {
        format!("0{rest}")
    } else {
        digits
    }
}

/// The mailbox alias inside an Exchange X.500 DN (its last `CN=`), lower-case, without the
/// 32-hex-digit prefix Exchange Online adds, so a DN can be tied to the SMTP address of the same
/// person.
pub fn x500_alias(dn: &str) -> Option<String> {
    let up = dn.to_ascii_uppercase();
    let i = up.rfind("/CN=")?;
    let cn = dn.get(i + 4..)?.trim().to_ascii_lowercase();
    let alias = match cn.split_once('-') {
        Some((hex, rest))
            if hex.len() == 32
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
                && !rest.is_empty() =>
        {
            rest.to_owned()
        }
        _ => cn,
    };
    (!alias.is_empty()).then_some(alias)
}

// ---------------------------------------------------------------------------------------------
// Patterns

fn re(pattern: &str) -> Regex {
    match Regex::new(pattern) {
        Ok(r) => r,
        // The patterns are constants; a failure is a programming error caught by every test.
        Err(e) => panic!("identifier pattern {pattern:?} does not compile: {e}"),
    }
}

static RE_UPN: LazyLock<Regex> = LazyLock::new(|| re(r"\b[A-Za-z][0-9]{11}[0-9A-Za-z]\b"));

static RE_TEN: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b([0-9]{3})([ \u{a0}-]?)([0-9]{3})([ \u{a0}-]?)([0-9]{4})\b"));

static RE_NINO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b([A-Za-z]{2})[ \u{a0}]?([0-9]{2})[ \u{a0}]?([0-9]{2})[ \u{a0}]?([0-9]{2})(?:[ \u{a0}]?([A-Da-d]))?\b",
    )
});

const OUTWARD: &str = r"GIR|[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]";
const INWARD: &str = r"[0-9][ABD-HJLNP-UW-Z]{2}";

static RE_POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?P<out>(?i-u:{OUTWARD}))[ \u{{a0}}]?(?P<inw>(?i-u:{INWARD}))\b"
    ))
});
static RE_BFPO: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?i-u:BFPO)[ \u{a0}]?([0-9]{1,4})\b"));

/// Ofcom ranges that reach a person: mobiles 071–075 and 077–079 plus 07624 (Isle of Man),
/// geographic 01/02, non-geographic 03 and freephone 080.
static RE_PHONE_NATIONAL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:07[1-57-9][0-9]{8}|07624[0-9]{6}|0[12][0-9]{8,9}|03[0-9]{9}|080[0-9]{7,8})$")
});
static RE_PHONE_START: LazyLock<Regex> = LazyLock::new(|| re(r"\+[ \u{a0}]?44|\b0044|\(0|\b0"));

static RE_EMAIL: LazyLock<Regex> =
    LazyLock::new(|| re(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"));

static RE_X500: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"(?i-u:/o=)[^/\r\n<>"]+(?:(?i-u:/ou=)[^/\r\n<>"]+)*(?:(?i-u:/cn=)[^/\s<>"',;\])]+)+"#)
});

const MONTH: &str = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

/// Date shapes read as a date of birth. Numeric dates are day first, always: a school in England
/// writes `03/09/2012` for 3 September, and reading it the US way would redact (or miss) the
/// wrong day. Forms with the month in words or the year first are unambiguous and accepted.
static RE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        concat!(
            r"\b(?:",
            r"(?P<iy>[0-9]{{4}})(?P<is1>[-/])(?P<im>[0-9]{{1,2}})(?P<is2>[-/])(?P<id>[0-9]{{1,2}})",
            r"|(?P<td>[0-9]{{1,2}})(?i-u:st|nd|rd|th)?(?:[ \u{{a0}}]+(?i-u:of))?[ \u{{a0}}-]+",
            r"(?P<tm>(?i-u:{m}))\.?,?[ \u{{a0}}-]+(?P<ty>[0-9]{{4}}|[0-9]{{2}})",
            r"|(?P<um>(?i-u:{m}))\.?[ \u{{a0}}]+(?P<ud>[0-9]{{1,2}})(?i-u:st|nd|rd|th)?,?[ \u{{a0}}]+(?P<uy>[0-9]{{4}})",
            r"|(?P<nd>[0-9]{{1,2}})(?P<ns1>[/.-])(?P<nm>[0-9]{{1,2}})(?P<ns2>[/.-])(?P<ny>[0-9]{{4}}|[0-9]{{2}})",
            r")\b"
        ),
        m = MONTH
    ))
});

static RE_DOB_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i-u)\b(?:d\.?[ ]?o\.?[ ]?b(?:\.|\b)|date[ ]+of[ ]+birth|birth[ ]?date|birthday|born)")
});

/// What may sit between a label and its value: a parenthesised qualifier (`Tel (home)`), `No.`
/// or `number`, one punctuation mark, and white space (a value may sit on the line below).
const LABEL_TAIL: &str = r"[^\S\r\n]*(?:\([^()\r\n]{0,20}\))?[^\S\r\n]*(?:no\b\.?|num(?:ber)?\b\.?)?[^\S\r\n]*[:.#=\x{2013}-]?\s*$";

fn label_re(words: &str) -> Regex {
    re(&format!(r"(?i)\b(?:{words}){LABEL_TAIL}"))
}

static RE_LABEL_ULN: LazyLock<Regex> = LazyLock::new(|| label_re(r"uln|unique[ ]learner"));
static RE_LABEL_NHS: LazyLock<Regex> = LazyLock::new(|| label_re(r"nhs"));
static RE_LABEL_NINO: LazyLock<Regex> =
    LazyLock::new(|| label_re(r"nino|ni|n\.i\.|national[ ]insurance"));
static RE_LABEL_PHONE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:\b(?:tel(?:ephone)?|phone|mob(?:ile)?|home|work|landline|contact|fax){LABEL_TAIL}|\b[tmh][^\S\r\n]*:\s*$)"
    ))
});

/// How far back (bytes) a label may start before its value.
const LABEL_WINDOW: usize = 48;
/// How far (characters) a date of birth may follow its label: enough for `Date of Birth (dd/mm/yyyy):`
/// or `born in Leeds on`, not so far that a later date in the paragraph is taken for it.
const DOB_WINDOW: usize = 40;

// ---------------------------------------------------------------------------------------------
// Detectors

fn found(
    text: &str,
    kind: IdKind,
    (start, end): (usize, usize),
    normalized: String,
    rule: &'static str,
    confidence: Confidence,
) -> Found {
    Found {
        kind,
        start,
        end,
        text: text[start..end].to_owned(),
        normalized,
        rule,
        confidence,
    }
}

fn find_upns(text: &str, out: &mut Vec<Found>) {
    for m in RE_UPN.find_iter(text) {
        if valid_upn(m.as_str()) && !glued_to_number(text, m.start(), m.end()) {
            out.push(found(
                text,
                IdKind::Upn,
                (m.start(), m.end()),
                m.as_str().to_ascii_uppercase(),
                RULE_UPN,
                // Thirteen characters of this exact shape with a matching check letter are
                // distinctive enough without a label.
                Confidence::High,
            ));
        }
    }
}

/// ULN and NHS numbers share a shape, so one pass decides which (at most one) a number is.
fn find_ten_digit(text: &str, out: &mut Vec<Found>) {
    for c in RE_TEN.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        let (s1, s2) = (cap(&c, 2), cap(&c, 4));
        // Either no separators or both: `943 4765919` is not how anyone writes either number.
        if s1.is_empty() != s2.is_empty() || glued_to_number(text, m.start(), m.end()) {
            continue;
        }
        // A hyphen-joined run like `12-943-476-5919` is one longer token.
        if s1 == "-"
            && (ends_with_digit_then(text, m.start(), '-')
                || starts_with_then_digit(text, m.end(), '-'))
        {
            continue;
        }
        let digits = format!("{}{}{}", cap(&c, 1), cap(&c, 3), cap(&c, 5));
        let span = (m.start(), m.end());
        if valid_uln(&digits) {
            let conf = if label_before(text, m.start(), &RE_LABEL_ULN) {
                Confidence::High
            } else {
                Confidence::Medium
            };
            out.push(found(text, IdKind::Uln, span, digits, RULE_ULN, conf));
        } else if valid_nhs(&digits) {
            // The 3-3-4 grouping is the NHS convention, but landlines are grouped the same
            // way; under a phone label the grouping proves nothing and the phone reading wins.
            let grouped = !s1.is_empty() && !label_before(text, m.start(), &RE_LABEL_PHONE);
            let conf = if grouped || label_before(text, m.start(), &RE_LABEL_NHS) {
                Confidence::High
            } else {
                Confidence::Medium
            };
            out.push(found(text, IdKind::Nhs, span, digits, RULE_NHS, conf));
        }
    }
}

fn find_ninos(text: &str, out: &mut Vec<Found>) {
    for c in RE_NINO.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        let prefix = cap(&c, 1).to_ascii_uppercase();
        if !nino_prefix_ok(&prefix) || glued_to_number(text, m.start(), m.end()) {
            continue;
        }
        let body = format!("{prefix}{}{}{}", cap(&c, 2), cap(&c, 3), cap(&c, 4));
        let suffix = cap(&c, 5).to_ascii_uppercase();
        // Forms and payroll often drop the suffix; without it the shape is weak, so a label
        // must vouch for it.
        if suffix.is_empty() && !label_before(text, m.start(), &RE_LABEL_NINO) {
            continue;
        }
        out.push(found(
            text,
            IdKind::Nino,
            (m.start(), m.end()),
            format!("{body}{suffix}"),
            RULE_NINO,
            Confidence::High,
        ));
    }
}

fn find_postcodes(text: &str, out: &mut Vec<Found>) {
    for c in RE_POSTCODE.captures_iter(text) {
        let (Some(m), Some(o), Some(i)) = (c.get(0), c.name("out"), c.name("inw")) else {
            continue;
        };
        let (outward, inward) = (o.as_str().to_ascii_uppercase(), i.as_str());
        if outward == "GIR" && !inward.eq_ignore_ascii_case("0AA") {
            continue;
        }
        if !postcode_area_ok(&outward) || lower_case_ordinal(inward) {
            continue;
        }
        // Addresses are printed in capitals; a lower-case match is more likely prose.
        let conf = if m.as_str().bytes().any(|b| b.is_ascii_lowercase()) {
            Confidence::Medium
        } else {
            Confidence::High
        };
        let normalized = format!("{outward} {}", inward.to_ascii_uppercase());
        out.push(found(
            text,
            IdKind::Postcode,
            (m.start(), m.end()),
            normalized,
            RULE_POSTCODE,
            conf,
        ));
    }
    for c in RE_BFPO.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        let normalized = format!("BFPO {}", cap(&c, 1));
        out.push(found(
            text,
            IdKind::Postcode,
            (m.start(), m.end()),
            normalized,
            RULE_BFPO,
            Confidence::High,
        ));
    }
}

/// `Y7 2nd`, `S1 3rd`, `L1 4th`: ordinals after a year group or set, which the BS 7666 shape
/// cannot tell from an inward code. Real inward codes are printed in capitals.
fn lower_case_ordinal(inward: &str) -> bool {
    matches!(inward.get(1..), Some("st" | "nd" | "rd" | "th"))
}

fn find_phones(text: &str, out: &mut Vec<Found>) {
    let mut pos = 0;
    while let Some(m) = RE_PHONE_START.find_at(text, pos) {
        match phone_at(text, m.start(), m.end()) {
            Some(f) => {
                pos = f.end;
                out.push(f);
            }
            None => pos = m.end(),
        }
    }
}

fn is_phone_sep(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '-' | '(' | ')')
}

/// Reads the phone number starting at a `+44`, `0044`, `(0` or `0`: digit groups joined by short
/// runs of separators. The longest prefix of the run that is a valid number wins, so a number
/// followed by an unrelated figure (`0113 496 0000 2 children`) is still found.
fn phone_at(text: &str, start: usize, prefix_end: usize) -> Option<Found> {
    let prefix = &text[start..prefix_end];
    let intl = prefix.starts_with('+') || prefix == "0044";
    // For a domestic number the leading 0 is the first digit of the first group.
    let mut i = if intl { prefix_end } else { prefix_end - 1 };
    let mut national = String::from(if intl { "0" } else { "" });
    let mut groups = 0;
    let mut best: Option<(usize, String)> = None;
    loop {
        let rest = &text[i..];
        let sep_len: usize = rest
            .chars()
            .take_while(|&c| is_phone_sep(c))
            .map(char::len_utf8)
            .sum();
        let seps = rest[..sep_len].chars().count();
        let g_start = i + sep_len;
        let g_len = text[g_start..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        if seps > 3 || g_len == 0 {
            break;
        }
        let g_end = g_start + g_len;
        let group = &text[g_start..g_end];
        // The trunk zero in `+44 (0)20 …` is written for domestic callers, not dialled.
        if intl
            && groups == 0
            && group == "0"
            && rest[..sep_len].ends_with('(')
            && text[g_end..].starts_with(')')
        {
            i = g_end + 1;
            continue;
        }
        // One-digit groups are how score rows and lists look (`0 1 2 0 3`), not phone numbers.
        if g_len < 2 || groups == 4 {
            break;
        }
        groups += 1;
        national.push_str(group);
        i = g_end;
        if national.len() > 11 {
            break;
        }
        if RE_PHONE_NATIONAL.is_match(&national) {
            best = Some((g_end, national.clone()));
        }
    }
    let (end, national) = best?;
    if glued_to_number(text, start, end)
        || text[end..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
    {
        return None;
    }
    let written = &text[start..end];
    let has_sep = written.chars().any(|c| !c.is_ascii_digit());
    let labelled = label_before(text, start, &RE_LABEL_PHONE);
    if !(intl || has_sep || labelled) {
        // A bare eleven-digit run: in spreadsheets these are usually other IDs.
        return None;
    }
    let conf = if intl || labelled {
        Confidence::High
    } else {
        Confidence::Medium
    };
    Some(found(
        text,
        IdKind::Phone,
        (start, end),
        national,
        RULE_PHONE,
        conf,
    ))
}

fn find_emails(text: &str, out: &mut Vec<Found>) {
    for m in RE_EMAIL.find_iter(text) {
        let s = m.as_str();
        let lead = s.len() - s.trim_start_matches(['.', '\'']).len();
        let Some((local, domain)) = s[lead..].split_once('@') else {
            continue;
        };
        let domain = domain.trim_end_matches(['.', '-']);
        let tld_ok = domain
            .rsplit_once('.')
            .is_some_and(|(_, tld)| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
        if local.is_empty() || !tld_ok {
            continue;
        }
        let start = m.start() + lead;
        let end = start + local.len() + 1 + domain.len();
        let normalized = text[start..end].to_ascii_lowercase();
        out.push(found(
            text,
            IdKind::Email,
            (start, end),
            normalized,
            RULE_EMAIL,
            Confidence::High,
        ));
    }
}

fn find_x500(text: &str, out: &mut Vec<Found>) {
    for m in RE_X500.find_iter(text) {
        let s = m.as_str().trim_end_matches('.');
        let span = (m.start(), m.start() + s.len());
        out.push(found(
            text,
            IdKind::X500,
            span,
            s.to_ascii_uppercase(),
            RULE_X500,
            Confidence::High,
        ));
    }
}

/// A date is reported only as the first date within [`DOB_WINDOW`] characters after a birth label:
/// a school's documents are full of dates, and an unlabelled one is not a date of birth.
fn find_dobs(text: &str, out: &mut Vec<Found>) {
    let dates: Vec<(usize, usize, Option<NaiveDate>)> = RE_DATE
        .captures_iter(text)
        .filter_map(|c| {
            let m = c.get(0)?;
            Some((m.start(), m.end(), date_from(&c)))
        })
        .collect();
    if dates.is_empty() {
        return;
    }
    let mut last_start = None;
    for l in RE_DOB_LABEL.find_iter(text) {
        let idx = dates.partition_point(|d| d.0 < l.end());
        let Some(&(s, e, date)) = dates.get(idx) else {
            break;
        };
        let gap = text[l.end()..s].chars().take(DOB_WINDOW + 1).count();
        if gap > DOB_WINDOW || last_start == Some(s) {
            continue;
        }
        // An impossible date next to a label is a typo or not a date; either way not provable.
        let Some(date) = date else { continue };
        last_start = Some(s);
        out.push(found(
            text,
            IdKind::Dob,
            (s, e),
            date.format("%Y-%m-%d").to_string(),
            RULE_DOB,
            Confidence::High,
        ));
    }
}

fn date_from(c: &Captures<'_>) -> Option<NaiveDate> {
    let num = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    let year = |name: &str| {
        let y = num(name)?;
        Some(if c.name(name)?.as_str().len() == 2 {
            expand_year(y)
        } else {
            y
        })
    };
    let same = |a: &str, b: &str| c.name(a).map(|m| m.as_str()) == c.name(b).map(|m| m.as_str());
    let (y, m, d) = if c.name("iy").is_some() {
        if !same("is1", "is2") {
            return None;
        }
        (year("iy")?, num("im")?, num("id")?)
    } else if c.name("td").is_some() {
        (
            year("ty")?,
            month_number(c.name("tm")?.as_str())?,
            num("td")?,
        )
    } else if c.name("um").is_some() {
        (
            year("uy")?,
            month_number(c.name("um")?.as_str())?,
            num("ud")?,
        )
    } else {
        // `03/09-2012` is not a date anyone writes; mixed separators are more likely a range.
        if !same("ns1", "ns2") {
            return None;
        }
        (year("ny")?, num("nm")?, num("nd")?)
    };
    if !(1900..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let key = name.get(..3)?.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|&m| m == key)
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// A two-digit year of birth is in the past: this century up to the current year, else the last.
fn expand_year(yy: u32) -> u32 {
    let now = u32::try_from(Utc::now().year()).unwrap_or(2000);
    let century = now - now % 100;
    if yy <= now % 100 {
        century + yy
    } else {
        century - 100 + yy
    }
}

/// Reads a date of birth as written in the case file or a document (UK order, ISO, month words).
fn parse_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    let c = RE_DATE.captures(t)?;
    let whole = c.get(0)?;
    if whole.start() != 0 || whole.end() != t.len() {
        return None;
    }
    date_from(&c)
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn cap<'t>(c: &Captures<'t>, i: usize) -> &'t str {
    c.get(i).map_or("", |m| m.as_str())
}

fn compact_upper(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Whether the label rule `re` matches the text just before `start`.
fn label_before(text: &str, start: usize, re: &Regex) -> bool {
    let from = floor_boundary(text, start.saturating_sub(LABEL_WINDOW));
    re.is_match(&text[from..start])
}

/// Whether the match is part of a decimal number (`0.9434765919`, `9434765919.5`): spreadsheet
/// floats rendered as text produce endless ten-digit runs.
fn glued_to_number(text: &str, start: usize, end: usize) -> bool {
    ends_with_digit_then(text, start, '.') || starts_with_then_digit(text, end, '.')
}

/// Whether the text before `at` ends with a digit followed by `sep`.
fn ends_with_digit_then(text: &str, at: usize, sep: char) -> bool {
    let mut before = text[..at].chars().rev();
    before.next() == Some(sep) && before.next().is_some_and(|c| c.is_ascii_digit())
}

/// Whether the text from `at` starts with `sep` followed by a digit.
fn starts_with_then_digit(text: &str, at: usize, sep: char) -> bool {
    let mut after = text[at..].chars();
    after.next() == Some(sep) && after.next().is_some_and(|c| c.is_ascii_digit())
}

/// Keeps the longest of overlapping candidates, then the more confident, then the earlier kind.
fn resolve_overlaps(mut v: Vec<Found>) -> Vec<Found> {
    v.sort_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(b.confidence.cmp(&a.confidence))
            .then(a.kind.cmp(&b.kind))
            .then(a.start.cmp(&b.start))
    });
    // Chosen spans never overlap, so the one with the greatest start below a candidate's end is
    // the only one that can overlap it.
    let mut taken: BTreeMap<usize, usize> = BTreeMap::new();
    let mut keep = Vec::with_capacity(v.len());
    for f in v {
        let clash = taken
            .range(..f.end)
            .next_back()
            .is_some_and(|(_, &e)| e > f.start);
        if !clash {
            taken.insert(f.start, f.end);
            keep.push(f);
        }
    }
    keep.sort_by_key(|f| f.start);
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The findings of one kind, as (text, normalized) pairs.
    fn of(kind: IdKind, text: &str) -> Vec<(String, String)> {
        find_identifiers(text)
            .into_iter()
            .filter(|f| f.kind == kind)
            .map(|f| (f.text, f.normalized))
            .collect()
    }

    fn one(text: &str) -> Found {
        let v = find_identifiers(text);
        assert_eq!(
            v.len(),
            1,
            "expected exactly one identifier in {text:?}, got {v:#?}"
        );
        v.into_iter().next().unwrap_or_else(|| unreachable!())
    }

    fn none(text: &str) {
        let v = find_identifiers(text);
        assert!(v.is_empty(), "expected nothing in {text:?}, got {v:#?}");
    }

    fn kinds(text: &str) -> Vec<IdKind> {
        find_identifiers(text).into_iter().map(|f| f.kind).collect()
    }

    // --- UPN -----------------------------------------------------------------------------------

    #[test]
    fn upn_reference_example() {
        assert!(valid_upn("B801200005001"));
        assert!(valid_upn("b801200005001"), "case is not significant");
        assert!(valid_upn(" B801 2000 05001 "), "spacing is not significant");
        assert_eq!(upn_check_letter("801200005001"), Some('B'));
    }

    #[test]
    fn upn_neighbours_are_invalid() {
        for bad in [
            "A801200005001",  // wrong check letter
            "B801200005002",  // one digit changed
            "B811200005001",  // one digit changed
            "X80120000A001",  // letter in the middle
            "B80120000500",   // too short
            "B8012000050011", // too long
            "I801200005001",  // I is not in the alphabet
            "B80120000500I",  // nor as a temporary letter
            "",
        ] {
            assert!(!valid_upn(bad), "{bad} should be invalid");
        }
        assert_eq!(upn_check_letter("80120000A001"), None);
        assert_eq!(upn_check_letter("80120000500"), None);
    }

    #[test]
    fn temporary_upn_letter_counts_at_its_index() {
        let rest = "80120000500A";
        let check = upn_check_letter(rest).unwrap_or('?');
        assert!(valid_upn(&format!("{check}{rest}")));
        // The index of A is 0, so it weighs the same as a final digit 0: the scheme cannot tell a
        // temporary `…A` from a permanent `…0`. Documented, not a bug of ours.
        assert_eq!(upn_check_letter("801200005000"), Some(check));
        // Every other temporary letter gives a different check letter.
        let others: Vec<char> = UPN_ALPHABET[1..]
            .iter()
            .filter_map(|&l| upn_check_letter(&format!("80120000500{}", char::from(l))))
            .collect();
        assert_eq!(others.len(), 22);
        assert!(!others.contains(&check));
    }

    #[test]
    fn upn_in_text() {
        let f = one("Pupil b801200005001 joined Y7.");
        assert_eq!(
            (f.kind, f.normalized.as_str()),
            (IdKind::Upn, "B801200005001")
        );
        assert_eq!(f.rule, RULE_UPN);
        assert_eq!(f.confidence, Confidence::High);
        none("Pupil XB801200005001 joined");
        none("Pupil B8012000050011 joined");
        none("Pupil A801200005001 joined");
    }

    // --- ULN and NHS ------------------------------------------------------------------------------

    #[test]
    fn uln_reference_example() {
        assert!(valid_uln("1000000043"));
        assert_eq!(uln_check_digit("100000004"), Some(3));
        assert!(!valid_nhs("1000000043"));
        for bad in [
            "1000000044",
            "1000000053",
            "2000000043",
            "0000000043",
            "100000004",
            "10000000433",
        ] {
            assert!(!valid_uln(bad), "{bad} should be invalid");
        }
    }

    #[test]
    fn temporary_uln_is_not_reported() {
        assert!(!valid_uln("9999999999"));
        // It passes the NHS arithmetic (as every repeated-digit string does) but is no one's number.
        assert_eq!(nhs_check_digit("999999999"), Some(9));
        assert!(!valid_nhs("9999999999"));
        none("ULN: 9999999999");
        none("NHS 0000000000 and 4444444444");
    }

    #[test]
    fn remainder_zero_has_no_uln_but_an_nhs_number() {
        // 1·10 + 6·2 = 22 ≡ 0 (mod 11).
        assert_eq!(uln_check_digit("100000006"), None);
        assert_eq!(nhs_check_digit("100000006"), Some(0));
        assert!(valid_nhs("1000000060"));
        assert!((0..10).all(|c| !valid_uln(&format!("100000006{c}"))));
        assert_eq!(
            uln_check_digit("012345678"),
            None,
            "a ULN never starts with 0"
        );
    }

    #[test]
    fn nhs_reference_example() {
        for ok in [
            "943 476 5919",
            "9434765919",
            "943-476-5919",
            "943\u{a0}476\u{a0}5919",
        ] {
            assert!(valid_nhs(ok), "{ok} should be valid");
        }
        assert_eq!(nhs_check_digit("943476591"), Some(9));
        assert!(!valid_uln("9434765919"));
        for bad in [
            "943 476 5918",
            "943 476 5929",
            "953 476 5919",
            "943 476 591",
            "943/476/5919",
        ] {
            assert!(!valid_nhs(bad), "{bad} should be invalid");
        }
    }

    #[test]
    fn nhs_remainder_ten_has_no_number() {
        // 6·2 = 12 ≡ 1, so the check would be 10.
        assert_eq!(nhs_check_digit("000000006"), None);
        assert!((0..10).all(|c| !valid_nhs(&format!("000000006{c}"))));
    }

    #[test]
    fn ten_digit_numbers_in_text() {
        let f = one("NHS No: 943 476 5919.");
        assert_eq!(
            (f.kind, f.normalized.as_str(), f.text.as_str()),
            (IdKind::Nhs, "9434765919", "943 476 5919")
        );
        assert_eq!((f.rule, f.confidence), (RULE_NHS, Confidence::High));
        assert_eq!(one("NHS number 9434765919").confidence, Confidence::High);
        assert_eq!(one("row 9434765919").confidence, Confidence::Medium);
        assert_eq!(
            one("ref 943-476-5919").confidence,
            Confidence::High,
            "3-3-4 grouping"
        );

        let f = one("ULN: 1000000043");
        assert_eq!(
            (f.kind, f.normalized.as_str(), f.confidence),
            (IdKind::Uln, "1000000043", Confidence::High)
        );
        assert_eq!(
            one("Unique Learner Number 1000000043").confidence,
            Confidence::High
        );
        assert_eq!(one("id 1000000043").confidence, Confidence::Medium);

        // A label does not make an invalid number valid.
        none("NHS No: 943 476 5917");
        none("ULN 1000000045");
        // The ULN check digit is the NHS one minus 1, so an NHS number whose last digit slipped
        // down by one is a valid ULN (and a ULN slipped up by one a valid NHS number). It is still
        // reported, as what its checksum says, but the mismatched label earns no confidence.
        let f = one("NHS No: 943 476 5918");
        assert_eq!((f.kind, f.confidence), (IdKind::Uln, Confidence::Medium));
        let f = one("ULN 1000000044");
        assert_eq!((f.kind, f.confidence), (IdKind::Nhs, Confidence::Medium));
    }

    #[test]
    fn ten_digit_boundaries() {
        for text in [
            "X9434765919",
            "9434765919X",
            "19434765919",
            "94347659190",
            "0.9434765919",
            "9434765919.5",
            "12-943-476-5919",
            "943-476-5919-2",
            "943 4765919",
            "9434765919_",
        ] {
            assert!(of(IdKind::Nhs, text).is_empty(), "{text:?}");
        }
        assert_eq!(of(IdKind::Nhs, "(9434765919)").len(), 1);
        assert_eq!(
            of(IdKind::Nhs, "9434765919,1000000043").len(),
            1,
            "CSV fields are separate"
        );
        assert_eq!(of(IdKind::Uln, "9434765919,1000000043").len(), 1);
    }

    // --- NINO -----------------------------------------------------------------------------------

    #[test]
    fn nino_rules() {
        for ok in [
            "AB123456C",
            "AB 12 34 56 C",
            "ab123456c",
            "JG103759A",
            "CE123456D",
        ] {
            assert!(valid_nino(ok), "{ok} should be valid");
        }
        let mut bad = vec![
            "QQ123456C".to_owned(), // HMRC's example
            "AB123456E".to_owned(), // suffix
            "AB12345C".to_owned(),
            "AB1234567".to_owned(),
            "A1123456C".to_owned(),
        ];
        bad.extend(["D", "F", "I", "Q", "U", "V"].map(|l| format!("{l}A123456A")));
        bad.extend(["D", "F", "I", "O", "Q", "U", "V"].map(|l| format!("A{l}123456A")));
        bad.extend(NINO_BANNED_PREFIXES.map(|p| format!("{p}123456A")));
        for b in &bad {
            assert!(!valid_nino(b), "{b} should be invalid");
        }
    }

    #[test]
    fn nino_in_text() {
        let f = one("NI number: AB 12 34 56 C");
        assert_eq!(
            (f.kind, f.normalized.as_str(), f.text.as_str()),
            (IdKind::Nino, "AB123456C", "AB 12 34 56 C")
        );
        assert_eq!(f.rule, RULE_NINO);
        assert_eq!(one("payroll ab123456c").normalized, "AB123456C");
        // Without the suffix only a label vouches for it.
        assert_eq!(
            one("National Insurance No: AB123456").normalized,
            "AB123456"
        );
        none("ref AB123456 today");
        none("QQ123456C");
        none("GB123456A");
        none("XAB123456C");
    }

    // --- Postcodes ------------------------------------------------------------------------------

    #[test]
    fn postcode_shapes() {
        for ok in [
            "SW1A 1AA",
            "sw1a1aa",
            "EC1A 1BB",
            "W1A 0AX",
            "M1 1AE",
            "B33 8TH",
            "CR2 6XH",
            "DN55 1PT",
            "GIR 0AA",
            "BFPO 1234",
            "bfpo 57",
            "LS1 4AP",
            "BT1 5GS",
            "ZE1 0AA",
        ] {
            assert!(valid_postcode(ok), "{ok} should be valid");
        }
        for bad in [
            "Y7 2ND",   // year group: no Y area
            "KS2 3RD",  // key stage: no KS area
            "SW1A 1AC", // C never in the inward letters
            "QA1 1AA",  // Q never first
            "GIR 1AA",
            "SW1A  1AA", // two spaces
            "SW1A 1A",
            "BFPO 12345",
            "LS1 4AP X",
        ] {
            assert!(!valid_postcode(bad), "{bad} should be invalid");
        }
    }

    #[test]
    fn postcodes_in_text() {
        let f = one("lives at 12 High St, Leeds LS1 4AP.");
        assert_eq!(
            (f.kind, f.normalized.as_str(), f.confidence),
            (IdKind::Postcode, "LS1 4AP", Confidence::High)
        );
        assert_eq!(f.rule, RULE_POSTCODE);
        let f = one("leeds ls14ap");
        assert_eq!(
            (f.normalized.as_str(), f.confidence),
            ("LS1 4AP", Confidence::Medium)
        );
        let f = one("Posted to BFPO 57 last year");
        assert_eq!((f.normalized.as_str(), f.rule), ("BFPO 57", RULE_BFPO));
        // School shorthand that the bare BS 7666 shape accepts.
        none("Y7 2nd half term, Y10 1st XI, KS2 3RD");
        none("s1 2nd lesson");
        none("XLS1 4AP");
    }

    // --- Phones ---------------------------------------------------------------------------------

    fn phone(text: &str) -> Option<Found> {
        find_identifiers(text)
            .into_iter()
            .find(|f| f.kind == IdKind::Phone)
    }

    #[test]
    fn phone_spellings_normalise() {
        for (text, written, national) in [
            ("Call 07700 900819 today", "07700 900819", "07700900819"),
            ("Call 07700 900 819.", "07700 900 819", "07700900819"),
            ("+44 7700 900819", "+44 7700 900819", "07700900819"),
            ("+447700900819", "+447700900819", "07700900819"),
            (
                "on +44 (0)20 7946 0958",
                "+44 (0)20 7946 0958",
                "02079460958",
            ),
            ("on +44(0)113 496 0000", "+44(0)113 496 0000", "01134960000"),
            ("0044 113 496 0000", "0044 113 496 0000", "01134960000"),
            ("ring (01632) 960000", "(01632) 960000", "01632960000"),
            ("0113-496-0000", "0113-496-0000", "01134960000"),
            ("0300 123 4567", "0300 123 4567", "03001234567"),
            ("0800 123 4567", "0800 123 4567", "08001234567"),
            ("0808 157 0000", "0808 157 0000", "08081570000"),
            ("07624 123456", "07624 123456", "07624123456"),
        ] {
            let f = phone(text).unwrap_or_else(|| panic!("no phone in {text:?}"));
            assert_eq!(
                (f.text.as_str(), f.normalized.as_str()),
                (written, national),
                "{text:?}"
            );
            assert_eq!(f.rule, RULE_PHONE);
        }
    }

    #[test]
    fn phone_confidence() {
        let conf = |t: &str| phone(t).map(|f| f.confidence);
        assert_eq!(conf("07700 900819"), Some(Confidence::Medium));
        assert_eq!(conf("+44 7700 900819"), Some(Confidence::High));
        assert_eq!(conf("Tel: 07700 900819"), Some(Confidence::High));
    }

    #[test]
    fn bare_eleven_digits_need_a_label() {
        // The DOMAIN.md trap: spreadsheets are full of eleven-digit IDs.
        none("07700900819");
        none("A1234,07700900819,Y7");
        for text in [
            "Tel: 07700900819",
            "Tel. 07700900819",
            "Mob 07700900819",
            "Mobile No. 07700900819",
            "Home phone: 01134960000",
            "Tel (home): 07700900819",
            "Work:\n07700900819",
            "M: 07700900819",
        ] {
            let f = phone(text).unwrap_or_else(|| panic!("no phone in {text:?}"));
            assert_eq!(
                (f.normalized.as_str(), f.confidence),
                (&f.text[..], Confidence::High),
                "{text:?}"
            );
        }
        assert_eq!(find_identifiers_in_field("Mobile", "07700900819").len(), 1);
        assert!(find_identifiers_in_field("Candidate No", "07700900819").is_empty());
        none("I'm 07700900819");
    }

    #[test]
    fn phone_edges() {
        let f = phone("0113 496 0000 2 children").unwrap_or_else(|| panic!("no phone"));
        assert_eq!(f.text, "0113 496 0000");
        let v = of(IdKind::Phone, "07700 900819 07700 900820");
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!(v[1].1, "07700900820");
        for text in [
            "070 1234 5678",         // personal numbering
            "0909 879 0000",         // premium rate
            "07600 123456",          // pagers, not 07624
            "0 1 2 0 3 4 5 6 7 8 9", // a row of scores
            "0 20 7946 0958",        // a lone 0 is a list entry, not a trunk prefix
            "01 02 03 04 05 06",
            "01/02/2012",
            "07700 900819abc",
            "x07700 900819",
            "0.07700 900819",
            "+33 1 23 45 67 89",
        ] {
            assert!(phone(text).is_none(), "{text:?}");
        }
    }

    // --- Email and X.500 --------------------------------------------------------------------------

    #[test]
    fn emails() {
        let f = one("Contact jane.o'brien@school.sch.uk.");
        assert_eq!(
            (f.kind, f.text.as_str()),
            (IdKind::Email, "jane.o'brien@school.sch.uk")
        );
        assert_eq!(one("'jane@x.com'").text, "jane@x.com");
        assert_eq!(
            one("<mailto:Jane.Smith@X.com>").normalized,
            "jane.smith@x.com"
        );
        assert_eq!(one("a@b.co-").text, "a@b.co");
        none("not an email: a@b");
        none("a@1.2 and @school");
    }

    #[test]
    fn exchange_dns() {
        let dn = "/O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP (FYDIBOHF23SPDLT)/CN=RECIPIENTS/CN=5B8B0E6A3F2C4D1E9A7B6C5D4E3F2A1B-JSMITH";
        let f = one(&format!("From: Smith, Jane <{dn}>"));
        assert_eq!(
            (f.kind, f.text.as_str(), f.rule),
            (IdKind::X500, dn, RULE_X500)
        );
        assert_eq!(x500_alias(&f.text).as_deref(), Some("jsmith"));
        let legacy = "/o=First Organization/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=jsmith";
        let f = one(&format!("X-Sender: {legacy}."));
        assert_eq!(f.text, legacy);
        assert_eq!(f.normalized, legacy.to_uppercase());
        assert_eq!(x500_alias(legacy).as_deref(), Some("jsmith"));
        none("and/or=maybe /O=ORG with no common name");
    }

    // --- Dates of birth -------------------------------------------------------------------------

    fn dob(text: &str) -> Option<String> {
        let v = of(IdKind::Dob, text);
        assert!(v.len() <= 1, "{v:?}");
        v.into_iter().next().map(|(_, n)| n)
    }

    #[test]
    fn dob_formats_read_day_first() {
        for text in [
            "DOB: 03/09/2012",
            "D.O.B. 3/9/12",
            "DoB 3/9/2012",
            "Date of Birth: 03-09-2012",
            "date of birth 03.09.2012",
            "Born 3 September 2012",
            "born in Leeds on the 3rd Sept 2012",
            "DOB 03-Sep-2012",
            "DOB 03-Sep-12",
            "Date of birth: 3rd of September, 2012",
            "Birthday: September 3rd, 2012",
            "Birth date 2012-09-03",
            "Date of Birth (dd/mm/yyyy): 03/09/2012",
        ] {
            assert_eq!(dob(text).as_deref(), Some("2012-09-03"), "{text:?}");
        }
        let f = one("DOB: 03/09/2012");
        assert_eq!(
            (f.text.as_str(), f.rule, f.confidence),
            ("03/09/2012", RULE_DOB, Confidence::High)
        );
    }

    #[test]
    fn dob_never_us_order_or_impossible() {
        assert_eq!(
            dob("DOB: 09/13/2012"),
            None,
            "month 13 is not read as US order"
        );
        assert_eq!(dob("DOB: 31/02/2012"), None);
        assert_eq!(dob("DOB: 29/02/2013"), None);
        assert_eq!(dob("DOB: 29/02/2012").as_deref(), Some("2012-02-29"));
        assert_eq!(dob("DOB: 03/09-2012"), None);
        assert_eq!(dob("DOB: 03/09/1850"), None);
    }

    #[test]
    fn dob_needs_a_nearby_label() {
        none("Meeting on 03/09/2012");
        none("Dobson saw her on 03/09/2012");
        none("Date of birth is recorded in the office file which was updated on 05/09/2016");
        assert_eq!(
            dob("DOB: 03/09/2012, admitted 05/09/2016").as_deref(),
            Some("2012-09-03"),
            "only the first date after a label"
        );
        assert_eq!(find_identifiers_in_field("DOB", "03/09/2012").len(), 1);
        assert!(find_identifiers_in_field("Start date", "03/09/2012").is_empty());
        let f = &find_identifiers_in_field("Date of Birth", " 3 Sept 2012")[0];
        assert_eq!(
            (f.start, f.end, f.normalized.as_str()),
            (1, 12, "2012-09-03")
        );
    }

    // --- Comparing with the subject's own identifiers ---------------------------------------------

    #[test]
    fn compare_keys() {
        let same = |k: IdKind, a: &str, b: &str| {
            assert_eq!(
                normalize_for_compare(k, a),
                normalize_for_compare(k, b),
                "{k}: {a:?} vs {b:?}"
            );
        };
        same(IdKind::Upn, "b801 2000 05001", "B801200005001");
        same(IdKind::Nhs, "943-476-5919", "9434765919");
        same(IdKind::Uln, " 1000000043", "1000000043");
        same(IdKind::Nino, "ab 12 34 56 c", "AB123456");
        same(IdKind::Postcode, "ls14ap", "LS1 4AP");
        same(IdKind::Phone, "+44 (0)7700 900819", "07700 900 819");
        same(IdKind::Email, "<Jane@School.org>", "jane@school.org");
        same(IdKind::Dob, "3 September 2012", "03/09/2012");
        same(IdKind::Dob, "2012-09-03", "03/09/2012");
        assert_ne!(
            normalize_for_compare(IdKind::Dob, "03/09/2012"),
            normalize_for_compare(IdKind::Dob, "09/03/2012")
        );
        assert_ne!(
            normalize_for_compare(IdKind::Nhs, "9434765919"),
            normalize_for_compare(IdKind::Nhs, "9434765918")
        );
        let f = one("NI: ab 12 34 56 c");
        assert_eq!(
            f.compare_key(),
            normalize_for_compare(IdKind::Nino, "AB123456D")
        );
    }

    // --- Whole texts ----------------------------------------------------------------------------

    #[test]
    fn overlapping_candidates_keep_the_longest() {
        let f = one("b801200005001@students.school.org");
        assert_eq!(f.kind, IdKind::Email);
        // Shaped like a landline and a valid NHS number; the label decides.
        assert!(valid_nhs("0123456789") && valid_phone("012 345 6789"));
        assert_eq!(kinds("NHS No: 012 345 6789"), vec![IdKind::Nhs]);
        assert_eq!(kinds("Tel: 012 345 6789"), vec![IdKind::Phone]);
    }

    #[test]
    fn a_safeguarding_note() {
        let text = "Concern raised about Jack (UPN B801200005001, DOB: 03/09/2012, NHS 943 476 5919). \
                    Mum rang from 07700 900819 and emailed mum@example.org; address 1 Park Rd, LS1 4AP. \
                    Dad's NI number AB 12 34 56 C. Case number 12345678901, meeting 05/10/2023.";
        let got: Vec<(IdKind, &str)> = find_identifiers(text)
            .iter()
            .map(|f| (f.kind, &text[f.start..f.end]))
            .collect();
        assert_eq!(
            got,
            vec![
                (IdKind::Upn, "B801200005001"),
                (IdKind::Dob, "03/09/2012"),
                (IdKind::Nhs, "943 476 5919"),
                (IdKind::Phone, "07700 900819"),
                (IdKind::Email, "mum@example.org"),
                (IdKind::Postcode, "LS1 4AP"),
                (IdKind::Nino, "AB 12 34 56 C"),
            ]
        );
    }

    #[test]
    fn kind_names_are_distinct() {
        let names: std::collections::BTreeSet<&str> =
            IdKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), IdKind::ALL.len());
        assert_eq!(IdKind::Nhs.to_string(), "nhs");
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn digit_changes(s: &str, positions: std::ops::Range<usize>) -> Vec<String> {
            let mut out = Vec::new();
            for i in positions {
                let Some(orig) = s.as_bytes().get(i).copied() else {
                    continue;
                };
                if !orig.is_ascii_digit() {
                    continue;
                }
                for d in b'0'..=b'9' {
                    if d != orig {
                        let mut b = s.as_bytes().to_vec();
                        b[i] = d;
                        out.push(String::from_utf8(b).unwrap_or_default());
                    }
                }
            }
            out
        }

        fn upn_strategy() -> impl Strategy<Value = String> {
            let last = prop_oneof![
                (0u8..10).prop_map(|d| char::from(b'0' + d)),
                (0usize..23).prop_map(|i| char::from(UPN_ALPHABET[i])),
            ];
            ("[0-9]{11}", last).prop_filter_map("has a check letter", |(body, last)| {
                let rest = format!("{body}{last}");
                upn_check_letter(&rest).map(|c| format!("{c}{rest}"))
            })
        }

        fn uln_strategy() -> impl Strategy<Value = String> {
            "[1-9][0-9]{8}".prop_filter_map("has a check digit", |f| {
                uln_check_digit(&f).map(|c| format!("{f}{c}"))
            })
        }

        fn nhs_strategy() -> impl Strategy<Value = String> {
            "[0-9]{9}".prop_filter_map("has a check digit and is not a placeholder", |f| {
                let n = format!("{f}{}", nhs_check_digit(&f)?);
                (!is_repdigit(n.as_bytes())).then_some(n)
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn generated_upns_are_valid_and_found(upn in upn_strategy(), lower in any::<bool>()) {
                prop_assert!(valid_upn(&upn));
                prop_assert!(upn.chars().all(|c| !matches!(c, 'I' | 'O' | 'S')));
                let written = if lower { upn.to_lowercase() } else { upn.clone() };
                let text = format!("Pupil {written}, Y7 tutor group.");
                let v = find_identifiers(&text);
                prop_assert_eq!(v.len(), 1);
                prop_assert_eq!(v[0].kind, IdKind::Upn);
                prop_assert_eq!(&v[0].normalized, &upn);
                prop_assert_eq!(&text[v[0].start..v[0].end], written.as_str());
            }

            #[test]
            fn changing_one_upn_character_breaks_it(upn in upn_strategy()) {
                // Positions 2–13 carry weights 2–13 and 23 is prime, so any single change of a
                // value at one position changes the sum mod 23.
                for changed in digit_changes(&upn, 1..13) {
                    prop_assert!(!valid_upn(&changed), "{} -> {}", upn, changed);
                }
                for &l in UPN_ALPHABET {
                    let c = char::from(l);
                    if !upn.starts_with(c) {
                        let other = format!("{c}{}", &upn[1..]);
                        prop_assert!(!valid_upn(&other), "{}", other);
                    }
                }
            }

            #[test]
            fn generated_ulns_are_valid_found_and_not_nhs(uln in uln_strategy()) {
                prop_assert!(valid_uln(&uln));
                prop_assert!(!valid_nhs(&uln));
                let v = find_identifiers(&format!("Learner (ULN: {uln}) enrolled"));
                prop_assert_eq!(v.len(), 1);
                prop_assert_eq!((v[0].kind, v[0].confidence), (IdKind::Uln, Confidence::High));
                prop_assert_eq!(&v[0].normalized, &uln);
            }

            #[test]
            fn changing_one_uln_digit_breaks_it(uln in uln_strategy()) {
                // Weights 10..2 and 1 for the check digit are all units mod 11, and a digit
                // changes by 1..9, never a multiple of 11.
                for changed in digit_changes(&uln, 0..10) {
                    prop_assert!(!valid_uln(&changed), "{} -> {}", uln, changed);
                }
            }

            #[test]
            fn generated_nhs_numbers_are_valid_found_and_not_uln(
                nhs in nhs_strategy(),
                sep in prop::sample::select(vec!["", " ", "-"]),
                labelled in any::<bool>(),
            ) {
                prop_assert!(valid_nhs(&nhs));
                prop_assert!(!valid_uln(&nhs));
                let written = format!("{}{sep}{}{sep}{}", &nhs[..3], &nhs[3..6], &nhs[6..]);
                prop_assert!(valid_nhs(&written));
                let label = if labelled { "NHS No: " } else { "see " };
                let text = format!("{label}{written} today");
                let v = find_identifiers(&text);
                prop_assert_eq!(v.len(), 1, "{:?}", v);
                prop_assert_eq!(v[0].kind, IdKind::Nhs);
                prop_assert_eq!(&v[0].normalized, &nhs);
                prop_assert_eq!(&v[0].text, &written);
                let expect = if labelled || !sep.is_empty() { Confidence::High } else { Confidence::Medium };
                prop_assert_eq!(v[0].confidence, expect);
            }

            #[test]
            fn changing_one_nhs_digit_breaks_it(nhs in nhs_strategy()) {
                for changed in digit_changes(&nhs, 0..10) {
                    prop_assert!(!valid_nhs(&changed), "{} -> {}", nhs, changed);
                }
            }

            #[test]
            fn no_ten_digit_string_is_both(d in "[0-9]{10}") {
                prop_assert!(!(valid_uln(&d) && valid_nhs(&d)));
                // And a valid one is found as exactly what its checksum says.
                let v = find_identifiers(&d);
                let expect: Vec<IdKind> = if valid_uln(&d) {
                    vec![IdKind::Uln]
                } else if valid_nhs(&d) {
                    vec![IdKind::Nhs]
                } else {
                    vec![]
                };
                prop_assert_eq!(v.iter().map(|f| f.kind).collect::<Vec<_>>(), expect);
            }

            #[test]
            fn generated_mobiles(rest in "[1-57-9][0-9]{8}", label in any::<bool>()) {
                let national = format!("07{rest}");
                prop_assert!(valid_phone(&national));
                let spaced = format!("{} {}", &national[..5], &national[5..]);
                let v = of(IdKind::Phone, &format!("call {spaced} now"));
                prop_assert_eq!(v, vec![(spaced.clone(), national.clone())]);
                let intl = format!("+44 {} {}", &national[1..5], &national[5..]);
                prop_assert_eq!(of(IdKind::Phone, &intl), vec![(intl.clone(), national.clone())]);
                let bare = if label { format!("Mob: {national}") } else { format!("id {national}") };
                prop_assert_eq!(of(IdKind::Phone, &bare).len(), usize::from(label));
            }

            #[test]
            fn labelled_dates_of_birth(
                y in 1950i32..2025,
                m in 1u32..=12,
                d in 1u32..=28,
                fmt in 0usize..5,
                label in prop::sample::select(vec!["DOB: ", "D.O.B. ", "Date of Birth ", "born on ", "Birthday - "]),
            ) {
                let date = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
                let written = match fmt {
                    0 => date.format("%d/%m/%Y").to_string(),
                    1 => format!("{d}/{m}/{y}"),
                    2 => date.format("%d-%b-%Y").to_string(),
                    3 => date.format("%-d %B %Y").to_string(),
                    _ => date.format("%d.%m.%Y").to_string(),
                };
                let iso = date.format("%Y-%m-%d").to_string();
                let text = format!("{label}{written}; seen 01/01/2024");
                prop_assert_eq!(of(IdKind::Dob, &text), vec![(written.clone(), iso)]);
                let unlabelled = format!("On {written} we met");
                prop_assert!(of(IdKind::Dob, &unlabelled).is_empty());
                // Read the other way round it would be a different day: never do that.
                if d > 12 {
                    let us = format!("DOB: {m:02}/{d:02}/{y}");
                    prop_assert!(of(IdKind::Dob, &us).is_empty(), "{}", us);
                }
            }

            #[test]
            fn text_without_digits_has_no_numeric_identifier(text in "[^0-9]{0,200}") {
                for f in find_identifiers(&text) {
                    prop_assert!(matches!(f.kind, IdKind::Email | IdKind::X500), "{:?}", f);
                }
            }

            #[test]
            fn label_soup_finds_nothing(
                words in prop::collection::vec(
                    prop::sample::select(vec![
                        "DOB:", "Tel:", "Mob", "NHS No:", "ULN", "UPN", "NI number", "+", "(", ")",
                        "-", "/", "September", "3rd", "SW1A", "AA", "GIR", "BFPO", "AB", "C", "O",
                        "Y", "nd", " ", "\n", "Jack", "born", ".", "QQ",
                    ]),
                    // Labels, month names, outward codes and ordinals in any order, but never a
                    // whole identifier: `SW1A 3rd` is an outward code and an ordinal.
                    0..40,
                ),
            ) {
                let text = words.concat();
                prop_assert_eq!(find_identifiers(&text), vec![]);
            }

            #[test]
            fn findings_are_sorted_disjoint_and_exact(
                text in prop_oneof![
                    "\\PC{0,200}",
                    "[0-9A-Za-z +()/:.@\u{a0}\n-]{0,120}",
                    "(DOB: |Tel |NHS |)[0-9 ]{0,30}",
                ],
            ) {
                let v = find_identifiers(&text);
                for w in v.windows(2) {
                    prop_assert!(w[0].end <= w[1].start, "{:?}", w);
                }
                for f in &v {
                    prop_assert!(f.start < f.end);
                    prop_assert_eq!(text.get(f.start..f.end), Some(f.text.as_str()));
                }
            }
        }
    }
}
