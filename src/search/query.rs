//! The include-term language: the part of Purview's keyword query language (KQL) that a SAR
//! search procedure relies on, parsed into a [`Query`] tree.
//!
//! The case file's terms are written by people used to the Purview search box, so the rules
//! follow Purview's rather than any programmer's intuition: operators count only in UPPERCASE
//! (`and` is a word to look for), adjacent terms are ANDed, `-x` is `NOT x`, only prefix
//! wildcards exist, dates are whole UTC days. Where Purview would silently do something the
//! writer probably did not mean (a lowercase `or`), the parser still follows Purview but says so
//! in a [`Warning`], because a SAR search that quietly finds too little is the costly mistake.
//!
//! Precedence: `NOT` (and `-`) binds tightest, then `AND` (written or implied), then `OR`.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::text::normalize;

/// Which part of an item a literal is restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// No restriction: text, subject, headers and attachment names.
    Any,
    Subject,
    From,
    To,
    Cc,
    Bcc,
    /// From, To, Cc or Bcc.
    Participants,
    /// To, Cc or Bcc.
    Recipients,
    AttachmentNames,
}

impl Field {
    /// The property name as written before the colon (`None` for [`Field::Any`]).
    pub fn property(self) -> Option<&'static str> {
        Some(match self {
            Field::Any => return None,
            Field::Subject => "subject",
            Field::From => "from",
            Field::To => "to",
            Field::Cc => "cc",
            Field::Bcc => "bcc",
            Field::Participants => "participants",
            Field::Recipients => "recipients",
            Field::AttachmentNames => "attachmentnames",
        })
    }

    /// True for the fields whose values are people (matched by address or display name).
    pub fn is_person(self) -> bool {
        matches!(
            self,
            Field::From
                | Field::To
                | Field::Cc
                | Field::Bcc
                | Field::Participants
                | Field::Recipients
        )
    }

    fn from_property(name: &str) -> Option<Field> {
        Some(match name {
            "subject" => Field::Subject,
            "from" => Field::From,
            "to" => Field::To,
            "cc" => Field::Cc,
            "bcc" => Field::Bcc,
            "participants" => Field::Participants,
            "recipients" => Field::Recipients,
            "attachmentnames" => Field::AttachmentNames,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LiteralKind {
    /// A bare word such as `Thompson` or `A123456789012`.
    Word,
    /// A quoted phrase: its words in order, any whitespace between them.
    Phrase,
    /// `word*`: whole word at the start, anything after.
    Prefix,
}

/// A piece of text to look for: a word, phrase or prefix, maybe restricted to one field.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Literal {
    pub field: Field,
    pub kind: LiteralKind,
    /// As written, without quotes or the trailing `*`.
    pub text: String,
}

impl Literal {
    /// The text in matching form (see [`crate::text::normalize`]).
    pub fn folded(&self) -> String {
        normalize(&self.text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateField {
    Sent,
    /// Purview's "received or created"; the search view holds one date per item, the sent
    /// date, so the matcher compares this against that.
    Received,
}

/// A date condition in whole UTC days, kept in the form it was written so it prints back the
/// same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateCmp {
    /// `sent:2024-01-05` (also `sent=2024-01-05`): that whole day.
    On(NaiveDate),
    /// `sent:2024-01-05..2024-02-01`: both days included.
    Range(NaiveDate, NaiveDate),
    Before(NaiveDate),
    OnOrBefore(NaiveDate),
    After(NaiveDate),
    OnOrAfter(NaiveDate),
}

impl DateCmp {
    /// First and last day included (`None`: unbounded on that side).
    pub fn bounds(self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        match self {
            DateCmp::On(d) => (Some(d), Some(d)),
            DateCmp::Range(a, b) => (Some(a), Some(b)),
            DateCmp::Before(d) => (None, d.pred_opt()),
            DateCmp::OnOrBefore(d) => (None, Some(d)),
            DateCmp::After(d) => (d.succ_opt(), None),
            DateCmp::OnOrAfter(d) => (Some(d), None),
        }
    }

    /// Whether the UTC day `day` satisfies the condition.
    pub fn contains(self, day: NaiveDate) -> bool {
        match self {
            DateCmp::On(d) => day == d,
            DateCmp::Range(a, b) => a <= day && day <= b,
            DateCmp::Before(d) => day < d,
            DateCmp::OnOrBefore(d) => day <= d,
            DateCmp::After(d) => day > d,
            DateCmp::OnOrAfter(d) => day >= d,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    Email,
    Docs,
}

/// One include (or exclude) term, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Query {
    Literal(Literal),
    Date(DateField, DateCmp),
    Kind(DocKind),
    HasAttachment(bool),
    Not(Box<Query>),
    /// At least two operands, none of them an `And` (see [`Query::and`]).
    And(Vec<Query>),
    /// At least two operands, none of them an `Or`.
    Or(Vec<Query>),
}

/// Something legal that the writer probably did not mean; the query still means what Purview
/// would make of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based character column in the term.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (column {})", self.message, self.column)
    }
}

/// Why a term could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at column {column}")]
pub struct QueryError {
    /// 1-based character column in the term; one past the end when the term ended too soon.
    pub column: usize,
    pub message: String,
}

/// A parsed term with the warnings it raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub query: Query,
    pub warnings: Vec<Warning>,
}

/// Parses one include term (one line of the case file's `[search] terms`).
pub fn parse(input: &str) -> Result<Parsed, QueryError> {
    let mut warnings = Vec::new();
    let toks = lex(input, &mut warnings)?;
    let end = input.chars().count() + 1;
    if toks.is_empty() {
        return Err(QueryError {
            column: 1,
            message: "empty search term".into(),
        });
    }
    let mut p = Parser {
        toks,
        pos: 0,
        end,
        depth: 0,
    };
    let query = p.parse_or()?;
    if let Some(t) = p.toks.get(p.pos) {
        // parse_and takes every token that can start a term, so only a stray ')' is left.
        return Err(QueryError {
            column: t.col,
            message: format!("unexpected {} with no '(' to close", t.tok.describe()),
        });
    }
    if !query.requires_text() {
        warnings.push(Warning {
            column: 1,
            message: "this term matches items that contain none of its words (a branch has only \
                      NOT, dates, kind or hasattachment conditions)"
                .into(),
        });
    }
    Ok(Parsed { query, warnings })
}

impl FromStr for Query {
    type Err = QueryError;

    /// Parses and drops the warnings; use [`parse`] where they can be shown to someone.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s).map(|p| p.query)
    }
}

impl Query {
    /// `AND` of `items`, flattening nested ANDs so equal queries have equal trees.
    pub fn and(items: Vec<Query>) -> Query {
        Self::join(items, true)
    }

    /// `OR` of `items`, flattening nested ORs.
    pub fn or(items: Vec<Query>) -> Query {
        Self::join(items, false)
    }

    fn join(items: Vec<Query>, is_and: bool) -> Query {
        let mut flat = Vec::with_capacity(items.len());
        for q in items {
            match (q, is_and) {
                (Query::And(v), true) | (Query::Or(v), false) => flat.extend(v),
                (q, _) => flat.push(q),
            }
        }
        if flat.len() == 1 {
            if let Some(q) = flat.pop() {
                return q;
            }
        }
        if is_and {
            Query::And(flat)
        } else {
            Query::Or(flat)
        }
    }

    /// The top-level OR branches (the query itself when it is not an OR). The terms check
    /// judges each side of an OR as if it stood alone.
    pub fn split_or(&self) -> Vec<Query> {
        match self {
            Query::Or(v) => v.clone(),
            q => vec![q.clone()],
        }
    }

    /// The query as an OR of ANDs (disjunctive normal form), NOTs pushed down to single
    /// conditions. `(Ava OR "Ava-Mae") AND Thompson` gives `Ava AND Thompson` and
    /// `"Ava-Mae" AND Thompson`: what each way of matching actually requires, which
    /// [`Query::split_or`] cannot show when the OR sits inside an AND. `None` when there would
    /// be more than `limit` branches (the expansion is exponential in the worst case).
    pub fn dnf(&self, limit: usize) -> Option<Vec<Query>> {
        let branches = dnf_of(self, false, limit)?;
        Some(branches.into_iter().map(Query::and).collect())
    }

    /// Every word, phrase and prefix in the query, in order of appearance, with its field,
    /// including those under NOT.
    pub fn literals(&self) -> Vec<Literal> {
        let mut out = Vec::new();
        self.walk_literals(false, &mut |l, _| out.push(l.clone()));
        out
    }

    /// The literals a match is looked for with: those under an even number of NOTs.
    pub fn positive_literals(&self) -> Vec<Literal> {
        let mut out = Vec::new();
        self.walk_literals(false, &mut |l, negated| {
            if !negated {
                out.push(l.clone())
            }
        });
        out
    }

    fn walk_literals(&self, negated: bool, f: &mut impl FnMut(&Literal, bool)) {
        match self {
            Query::Literal(l) => f(l, negated),
            Query::Not(q) => q.walk_literals(!negated, f),
            Query::And(v) | Query::Or(v) => v.iter().for_each(|q| q.walk_literals(negated, f)),
            Query::Date(..) | Query::Kind(_) | Query::HasAttachment(_) => {}
        }
    }

    /// False when some way of satisfying the query needs no literal to be found, e.g.
    /// `NOT draft` or `Ava OR kind:email`: such a term would put most of a mailbox in scope.
    pub fn requires_text(&self) -> bool {
        match self {
            Query::Literal(_) => true,
            Query::Date(..) | Query::Kind(_) | Query::HasAttachment(_) | Query::Not(_) => false,
            Query::And(v) => v.iter().any(Query::requires_text),
            Query::Or(v) => v.iter().all(Query::requires_text),
        }
    }
}

/// DNF of `q` (negated when `neg`): a list of conjunctions of atoms.
fn dnf_of(q: &Query, neg: bool, limit: usize) -> Option<Vec<Vec<Query>>> {
    let atom = |q: &Query| {
        if neg {
            Query::Not(Box::new(q.clone()))
        } else {
            q.clone()
        }
    };
    match (q, neg) {
        (Query::Not(inner), _) => dnf_of(inner, !neg, limit),
        (Query::Or(v), false) | (Query::And(v), true) => {
            let mut out = Vec::new();
            for c in v {
                out.extend(dnf_of(c, neg, limit)?);
                if out.len() > limit {
                    return None;
                }
            }
            Some(out)
        }
        (Query::And(v), false) | (Query::Or(v), true) => {
            let mut out: Vec<Vec<Query>> = vec![Vec::new()];
            for c in v {
                let parts = dnf_of(c, neg, limit)?;
                if out.len().saturating_mul(parts.len()) > limit {
                    return None;
                }
                let mut next = Vec::with_capacity(out.len() * parts.len());
                for a in &out {
                    for b in &parts {
                        let mut ab = a.clone();
                        ab.extend(b.iter().cloned());
                        next.push(ab);
                    }
                }
                out = next;
            }
            Some(out)
        }
        _ => Some(vec![vec![atom(q)]]),
    }
}

// ------------------------------------------------------------------ printing

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.field.property() {
            write!(f, "{p}:")?;
        }
        let star = if self.kind == LiteralKind::Prefix {
            "*"
        } else {
            ""
        };
        if self.kind == LiteralKind::Phrase || !prints_bare(&self.text, self.field) {
            write!(f, "\"{}{star}\"", self.text)
        } else {
            write!(f, "{}{star}", self.text)
        }
    }
}

/// Whether `text` reads back as the same word when printed without quotes. After a
/// property's colon everything up to a space, parenthesis or quote is the value; elsewhere a
/// bare word must also not read as an operator, a `-`, or a property.
fn prints_bare(text: &str, field: Field) -> bool {
    let plain = !text.is_empty()
        && !text.contains(|c: char| c.is_whitespace() || is_special(c) || c == '*');
    if field != Field::Any {
        return plain;
    }
    plain
        && !text.starts_with('-')
        && !matches!(text, "AND" | "OR" | "NOT" | "NEAR" | "ONEAR")
        && property_prefix(text).is_none()
}

impl fmt::Display for DateCmp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateCmp::On(d) => write!(f, ":{d}"),
            DateCmp::Range(a, b) => write!(f, ":{a}..{b}"),
            DateCmp::Before(d) => write!(f, "<{d}"),
            DateCmp::OnOrBefore(d) => write!(f, "<={d}"),
            DateCmp::After(d) => write!(f, ">{d}"),
            DateCmp::OnOrAfter(d) => write!(f, ">={d}"),
        }
    }
}

impl fmt::Display for Query {
    /// The normalised form: uppercase operators, explicit `AND`, `NOT` for `-`, parentheses
    /// only where precedence needs them. It parses back to the same tree.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Query::Literal(l) => l.fmt(f),
            Query::Date(field, cmp) => {
                let name = match field {
                    DateField::Sent => "sent",
                    DateField::Received => "received",
                };
                write!(f, "{name}{cmp}")
            }
            Query::Kind(DocKind::Email) => f.write_str("kind:email"),
            Query::Kind(DocKind::Docs) => f.write_str("kind:docs"),
            Query::HasAttachment(b) => write!(f, "hasattachment:{b}"),
            Query::Not(q) => {
                f.write_str("NOT ")?;
                write_operand(f, q, matches!(**q, Query::And(_) | Query::Or(_)))
            }
            Query::And(v) => {
                for (i, q) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" AND ")?;
                    }
                    write_operand(f, q, matches!(q, Query::And(_) | Query::Or(_)))?;
                }
                Ok(())
            }
            Query::Or(v) => {
                for (i, q) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" OR ")?;
                    }
                    write_operand(f, q, matches!(q, Query::Or(_)))?;
                }
                Ok(())
            }
        }
    }
}

fn write_operand(f: &mut fmt::Formatter<'_>, q: &Query, parens: bool) -> fmt::Result {
    if parens {
        write!(f, "({q})")
    } else {
        write!(f, "{q}")
    }
}

// ------------------------------------------------------------------ lexing

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Minus,
    And,
    Or,
    Not,
    Atom(Query),
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::Minus => "'-'".into(),
            Tok::And => "'AND'".into(),
            Tok::Or => "'OR'".into(),
            Tok::Not => "'NOT'".into(),
            Tok::Atom(q) => format!("'{q}'"),
        }
    }
}

#[derive(Debug, Clone)]
struct Spanned {
    tok: Tok,
    col: usize,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201D}' | '\u{201E}')
}

fn is_special(c: char) -> bool {
    c == '(' || c == ')' || is_quote(c)
}

fn err(column: usize, message: impl Into<String>) -> QueryError {
    QueryError {
        column,
        message: message.into(),
    }
}

/// Purview properties this tool does not implement; naming them gives a clear error instead
/// of a silent search for the text `size>1000`.
const UNSUPPORTED_PROPERTIES: &[&str] = &[
    "author",
    "category",
    "contenttype",
    "created",
    "detailednames",
    "filename",
    "filetype",
    "importance",
    "isread",
    "itemclass",
    "lastmodifiedtime",
    "path",
    "senderauthor",
    "site",
    "size",
    "title",
];

const SUPPORTED: &str = "subject, from, to, cc, bcc, participants, recipients, \
                         attachmentnames, sent, received, kind, hasattachment";

/// The property name and what follows it, when `word` starts with a known or reserved
/// property and an operator (`subject:`, `sent>=`).
fn property_prefix(word: &str) -> Option<(String, &str)> {
    let name_len = word
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(word.len());
    let name = word[..name_len].to_ascii_lowercase();
    let rest = &word[name_len..];
    let known = Field::from_property(&name).is_some()
        || matches!(
            name.as_str(),
            "sent" | "received" | "kind" | "hasattachment"
        )
        || UNSUPPORTED_PROPERTIES.contains(&name.as_str());
    let op = rest.starts_with(':')
        || (matches!(name.as_str(), "sent" | "received" | "size")
            && rest.starts_with(['<', '>', '=']));
    (known && op).then_some((name, rest))
}

fn lex(input: &str, warnings: &mut Vec<Warning>) -> Result<Vec<Spanned>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            toks.push(Spanned {
                tok: Tok::LParen,
                col,
            });
            i += 1;
        } else if c == ')' {
            toks.push(Spanned {
                tok: Tok::RParen,
                col,
            });
            i += 1;
        } else if is_quote(c) {
            let (text, next) = read_quoted(&chars, i)?;
            toks.push(Spanned {
                tok: Tok::Atom(quoted_literal(Field::Any, text, col)?),
                col,
            });
            i = next;
        } else if c == '-' {
            match chars.get(i + 1) {
                Some(&n) if !n.is_whitespace() && n != ')' => {
                    toks.push(Spanned {
                        tok: Tok::Minus,
                        col,
                    });
                    i += 1;
                }
                _ => {
                    return Err(err(
                        col,
                        "'-' must be directly followed by a term to exclude",
                    ))
                }
            }
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !is_special(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let (tok, next) = bare_token(&word, &chars, start, i, warnings)?;
            toks.push(Spanned { tok, col });
            i = next;
        }
    }
    Ok(toks)
}

/// Reads a quoted phrase starting at `open`; returns its text and the index after the
/// closing quote.
fn read_quoted(chars: &[char], open: usize) -> Result<(String, usize), QueryError> {
    let mut j = open + 1;
    while j < chars.len() && !is_quote(chars[j]) {
        j += 1;
    }
    if j >= chars.len() {
        return Err(err(open + 1, "unclosed quote: no closing '\"' for the one"));
    }
    Ok((chars[open + 1..j].iter().collect(), j + 1))
}

/// Interprets one bare run of characters (`word`, covering `chars[start..end]`); may read on
/// past `end` for a quoted property value (`subject:"Year 9"`).
fn bare_token(
    word: &str,
    chars: &[char],
    start: usize,
    end: usize,
    warnings: &mut Vec<Warning>,
) -> Result<(Tok, usize), QueryError> {
    let col = start + 1;
    match word {
        "AND" => return Ok((Tok::And, end)),
        "OR" => return Ok((Tok::Or, end)),
        "NOT" => return Ok((Tok::Not, end)),
        "NEAR" | "ONEAR" => {
            return Err(err(
                col,
                format!("{word} is not supported: use AND, or a quoted phrase"),
            ))
        }
        _ => {}
    }
    let lower = word.to_lowercase();
    if matches!(lower.as_str(), "and" | "or" | "not") {
        warnings.push(Warning {
            column: col,
            message: format!(
                "'{word}' is searched for as a word: operators count only in UPPERCASE \
                 (write {} to combine terms)",
                lower.to_uppercase()
            ),
        });
    }
    let Some((name, rest)) = property_prefix(word) else {
        return Ok((Tok::Atom(bare_literal(Field::Any, word, col)?), end));
    };
    // Column of the first character after the property name.
    let op_col = col + name.chars().count();
    let value_col = op_col + 1;
    if UNSUPPORTED_PROPERTIES.contains(&name.as_str()) {
        return Err(err(
            col,
            format!("property '{name}' is not supported (supported: {SUPPORTED})"),
        ));
    }
    if name == "sent" || name == "received" {
        let field = if name == "sent" {
            DateField::Sent
        } else {
            DateField::Received
        };
        return Ok((Tok::Atom(date_condition(field, rest, op_col)?), end));
    }
    // Everything else takes a ':' (property_prefix only lets '<', '>', '=' through for dates
    // and size).
    let value = &rest[1..];
    if value.is_empty() {
        if let Some(&q) = chars.get(end) {
            if is_quote(q) && Field::from_property(&name).is_some() {
                let (text, next) = read_quoted(chars, end)?;
                let field = Field::from_property(&name).unwrap_or(Field::Any);
                return Ok((Tok::Atom(quoted_literal(field, text, end + 1)?), next));
            }
            if q == '(' {
                return Err(err(
                    end + 1,
                    format!(
                        "a property cannot take a group: write {name}:a OR {name}:b instead of \
                         {name}:(a OR b)"
                    ),
                ));
            }
        }
        return Err(err(value_col, format!("expected a value after '{name}:'")));
    }
    match name.as_str() {
        "kind" => match value.to_ascii_lowercase().as_str() {
            "email" => Ok((Tok::Atom(Query::Kind(DocKind::Email)), end)),
            "docs" => Ok((Tok::Atom(Query::Kind(DocKind::Docs)), end)),
            _ => Err(err(
                value_col,
                format!("kind:{value} is not supported (use kind:email or kind:docs)"),
            )),
        },
        "hasattachment" => match value.to_ascii_lowercase().as_str() {
            "true" => Ok((Tok::Atom(Query::HasAttachment(true)), end)),
            "false" => Ok((Tok::Atom(Query::HasAttachment(false)), end)),
            _ => Err(err(
                value_col,
                format!("hasattachment takes true or false, not '{value}'"),
            )),
        },
        _ => {
            let field = Field::from_property(&name).unwrap_or(Field::Any);
            Ok((Tok::Atom(bare_literal(field, value, value_col)?), end))
        }
    }
}

fn check_has_word_chars(text: &str, col: usize) -> Result<(), QueryError> {
    if normalize(text).chars().any(char::is_alphanumeric) {
        Ok(())
    } else {
        Err(err(
            col,
            format!("'{text}' has no letters or digits to search for"),
        ))
    }
}

/// A bare word or `prefix*` starting at column `col`.
fn bare_literal(field: Field, word: &str, col: usize) -> Result<Query, QueryError> {
    if let Some(star) = word.find('*') {
        let star_col = col + word[..star].chars().count();
        if star + 1 != word.len() {
            return Err(err(
                star_col,
                "a wildcard '*' may only end a word (prefix search, e.g. Thomp*)",
            ));
        }
        let prefix = &word[..star];
        if prefix.is_empty() {
            return Err(err(star_col, "a wildcard '*' needs letters before it"));
        }
        check_has_word_chars(prefix, col)?;
        return Ok(Query::Literal(Literal {
            field,
            kind: LiteralKind::Prefix,
            text: prefix.to_string(),
        }));
    }
    check_has_word_chars(word, col)?;
    Ok(Query::Literal(Literal {
        field,
        kind: LiteralKind::Word,
        text: word.to_string(),
    }))
}

/// A quoted phrase whose opening quote is at column `col`; a final `*` makes it a prefix
/// (Purview's `participants:"ronnie@contoso*"`).
fn quoted_literal(field: Field, text: String, col: usize) -> Result<Query, QueryError> {
    let (body, kind) = match text.strip_suffix('*') {
        Some(b) => (b.to_string(), LiteralKind::Prefix),
        None => (text, LiteralKind::Phrase),
    };
    if let Some(star) = body.find('*') {
        return Err(err(
            col + 1 + body[..star].chars().count(),
            "a wildcard '*' may only end a phrase",
        ));
    }
    if body.trim().is_empty() {
        return Err(err(col, "empty phrase"));
    }
    check_has_word_chars(&body, col)?;
    Ok(Query::Literal(Literal {
        field,
        kind,
        text: body,
    }))
}

/// Parses a date condition; `rest` starts at the operator, which is at column `col`.
fn date_condition(field: DateField, rest: &str, col: usize) -> Result<Query, QueryError> {
    let (op, value) = [">=", "<=", ":", "=", "<", ">"]
        .iter()
        .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v)))
        .ok_or_else(|| {
            err(
                col,
                "expected ':', '<', '>', '<=' or '>=' after a date property",
            )
        })?;
    let value_col = col + op.len();
    if value.is_empty() {
        return Err(err(value_col, "expected a date (YYYY-MM-DD)"));
    }
    let cmp = match op {
        ":" | "=" => match value.split_once("..") {
            Some((a, b)) => {
                let from = parse_date(a, value_col)?;
                let to = parse_date(b, value_col + a.chars().count() + 2)?;
                if to < from {
                    return Err(err(
                        value_col,
                        format!("date range {from}..{to} ends before it starts"),
                    ));
                }
                DateCmp::Range(from, to)
            }
            None => DateCmp::On(parse_date(value, value_col)?),
        },
        "<" => DateCmp::Before(parse_date(value, value_col)?),
        "<=" => DateCmp::OnOrBefore(parse_date(value, value_col)?),
        ">" => DateCmp::After(parse_date(value, value_col)?),
        _ => DateCmp::OnOrAfter(parse_date(value, value_col)?),
    };
    Ok(Query::Date(field, cmp))
}

/// Strict `YYYY-MM-DD`: a SAR date range is evidence, so `2024-1-5` or `05/01/2024`
/// (day or month first?) is refused rather than guessed.
fn parse_date(s: &str, col: usize) -> Result<NaiveDate, QueryError> {
    let bad = || err(col, format!("expected a date as YYYY-MM-DD, found '{s}'"));
    let b = s.as_bytes();
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !b
            .iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().map_err(|_| bad());
    let year = i32::try_from(num(0..4)?).map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)
        .ok_or_else(|| err(col, format!("{s} is not a real date")))
}

// ------------------------------------------------------------------ parsing

/// Deepest nesting of parentheses and NOTs; keeps recursion bounded on hostile input.
const MAX_DEPTH: usize = 64;

struct Parser {
    toks: Vec<Spanned>,
    pos: usize,
    /// Column one past the end of the input, for "expected … at column N" at the end.
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn col(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |t| t.col)
    }

    fn enter(&mut self) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(self.col(), "term is nested too deeply"));
        }
        Ok(())
    }

    fn parse_or(&mut self) -> Result<Query, QueryError> {
        let mut items = vec![self.parse_and()?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            items.push(self.parse_and()?);
        }
        Ok(Query::or(items))
    }

    fn parse_and(&mut self) -> Result<Query, QueryError> {
        let mut items = vec![self.parse_unary()?];
        loop {
            match self.peek() {
                Some(Tok::And) => self.pos += 1,
                // Purview's implicit AND between adjacent terms.
                Some(Tok::Not | Tok::Minus | Tok::LParen | Tok::Atom(_)) => {}
                _ => break,
            }
            items.push(self.parse_unary()?);
        }
        Ok(Query::and(items))
    }

    fn parse_unary(&mut self) -> Result<Query, QueryError> {
        if matches!(self.peek(), Some(Tok::Not | Tok::Minus)) {
            self.pos += 1;
            self.enter()?;
            let q = self.parse_unary()?;
            self.depth -= 1;
            return Ok(Query::Not(Box::new(q)));
        }
        self.parse_primary()
    }

    fn parse_primary(&mut self) -> Result<Query, QueryError> {
        let col = self.col();
        let after = match self.pos.checked_sub(1).and_then(|p| self.toks.get(p)) {
            Some(t)
                if matches!(
                    t.tok,
                    Tok::And | Tok::Or | Tok::Not | Tok::Minus | Tok::LParen
                ) =>
            {
                format!(" after {}", t.tok.describe())
            }
            _ => String::new(),
        };
        let Some(tok) = self.peek().cloned() else {
            return Err(err(col, format!("expected a term{after}")));
        };
        match tok {
            Tok::Atom(q) => {
                self.pos += 1;
                Ok(q)
            }
            Tok::LParen => {
                self.pos += 1;
                self.enter()?;
                let q = self.parse_or()?;
                self.depth -= 1;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(err(self.col(), "expected ')'"));
                }
                self.pos += 1;
                Ok(q)
            }
            other => Err(err(
                col,
                format!("expected a term{after}, found {}", other.describe()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Query {
        match parse(s) {
            Ok(p) => p.query,
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    fn show(s: &str) -> String {
        q(s).to_string()
    }

    fn error(s: &str) -> String {
        match parse(s) {
            Ok(p) => panic!("{s:?} parsed as {}", p.query),
            Err(e) => e.to_string(),
        }
    }

    fn warnings(s: &str) -> Vec<String> {
        match parse(s) {
            Ok(p) => p.warnings.iter().map(|w| w.to_string()).collect(),
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    fn word(t: &str) -> Query {
        lit(Field::Any, LiteralKind::Word, t)
    }

    fn lit(field: Field, kind: LiteralKind, t: &str) -> Query {
        Query::Literal(Literal {
            field,
            kind,
            text: t.into(),
        })
    }

    fn d(s: &str) -> NaiveDate {
        parse_date(s, 1).unwrap()
    }

    #[test]
    fn words_phrases_prefixes() {
        assert_eq!(q("Thompson"), word("Thompson"));
        assert_eq!(q("A123456789012"), word("A123456789012"));
        assert_eq!(
            q("\"Ava Thompson\""),
            lit(Field::Any, LiteralKind::Phrase, "Ava Thompson")
        );
        assert_eq!(
            q("“Ava Thompson”"),
            lit(Field::Any, LiteralKind::Phrase, "Ava Thompson")
        );
        assert_eq!(q("Thomp*"), lit(Field::Any, LiteralKind::Prefix, "Thomp"));
        assert_eq!(q("Ava-Mae"), word("Ava-Mae"));
        assert_eq!(q("O'Neill"), word("O'Neill"));
        // Not a property: a word with a colon in it.
        assert_eq!(q("10:30"), word("10:30"));
        assert_eq!(q("Re:"), word("Re:"));
    }

    #[test]
    fn implicit_and_and_explicit_and_are_the_same() {
        assert_eq!(q("Ava Thompson"), q("Ava AND Thompson"));
        assert_eq!(
            q("Ava Thompson"),
            Query::And(vec![word("Ava"), word("Thompson")])
        );
        assert_eq!(
            show("Ava \"Year 9\" Thomp*"),
            "Ava AND \"Year 9\" AND Thomp*"
        );
    }

    #[test]
    fn precedence_not_and_or() {
        // NOT > AND > OR.
        assert_eq!(
            q("a OR b AND c"),
            Query::Or(vec![word("a"), Query::And(vec![word("b"), word("c")])])
        );
        assert_eq!(
            q("a AND b OR c"),
            Query::Or(vec![Query::And(vec![word("a"), word("b")]), word("c")])
        );
        assert_eq!(
            q("NOT a AND b"),
            Query::And(vec![Query::Not(Box::new(word("a"))), word("b")])
        );
        assert_eq!(
            q("a NOT b"),
            Query::And(vec![word("a"), Query::Not(Box::new(word("b")))])
        );
        assert_eq!(show("a OR b c OR d"), "a OR b AND c OR d");
        assert_eq!(show("(a OR b) c"), "(a OR b) AND c");
        assert_eq!(show("NOT (a OR b)"), "NOT (a OR b)");
        assert_eq!(show("a AND (b AND c)"), "a AND b AND c");
        assert_eq!(show("((a))"), "a");
    }

    #[test]
    fn minus_is_not() {
        assert_eq!(q("-draft"), Query::Not(Box::new(word("draft"))));
        assert_eq!(show("Ava -draft"), "Ava AND NOT draft");
        assert_eq!(show("Ava -\"first draft\""), "Ava AND NOT \"first draft\"");
        assert_eq!(show("Ava -(a OR b)"), "Ava AND NOT (a OR b)");
        assert_eq!(
            show("Ava -subject:newsletter"),
            "Ava AND NOT subject:newsletter"
        );
        // A hyphen inside a word is part of it.
        assert_eq!(q("Ava-Mae"), word("Ava-Mae"));
    }

    #[test]
    fn the_issue_example() {
        let s = "(Ava OR \"Ava-Mae\") AND Thompson NOT subject:newsletter";
        assert_eq!(
            q(s),
            Query::And(vec![
                Query::Or(vec![
                    word("Ava"),
                    lit(Field::Any, LiteralKind::Phrase, "Ava-Mae")
                ]),
                word("Thompson"),
                Query::Not(Box::new(lit(
                    Field::Subject,
                    LiteralKind::Word,
                    "newsletter"
                ))),
            ])
        );
        assert_eq!(
            show(s),
            "(Ava OR \"Ava-Mae\") AND Thompson AND NOT subject:newsletter"
        );
    }

    #[test]
    fn lowercase_operators_are_words_with_a_warning() {
        assert_eq!(
            q("Ava and Thompson"),
            Query::And(vec![word("Ava"), word("and"), word("Thompson")])
        );
        assert_eq!(
            q("Ava or Thompson"),
            Query::And(vec![word("Ava"), word("or"), word("Thompson")])
        );
        assert_eq!(
            q("Ava Not Thompson"),
            Query::And(vec![word("Ava"), word("Not"), word("Thompson")])
        );
        let w = warnings("Ava or Thompson");
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("'or' is searched for as a word"), "{w:?}");
        assert!(w[0].contains("write OR"), "{w:?}");
        assert!(w[0].ends_with("(column 5)"), "{w:?}");
        assert!(warnings("Ava AND Thompson").is_empty());
        assert!(warnings("\"Ava Thompson\"").is_empty());
    }

    #[test]
    fn negative_only_terms_warn() {
        assert_eq!(warnings("NOT draft").len(), 1);
        assert_eq!(warnings("Ava OR kind:email").len(), 1);
        assert!(warnings("Ava kind:email").is_empty());
        assert!(warnings("Ava NOT draft").is_empty());
    }

    #[test]
    fn properties() {
        assert_eq!(
            q("subject:newsletter"),
            lit(Field::Subject, LiteralKind::Word, "newsletter")
        );
        assert_eq!(
            q("Subject:\"Year 9\""),
            lit(Field::Subject, LiteralKind::Phrase, "Year 9")
        );
        assert_eq!(
            q("participants:jane.doe@school.org"),
            lit(
                Field::Participants,
                LiteralKind::Word,
                "jane.doe@school.org"
            )
        );
        assert_eq!(
            q("participants:\"ronnie@contoso*\""),
            lit(Field::Participants, LiteralKind::Prefix, "ronnie@contoso")
        );
        assert_eq!(
            q("from:Jane*"),
            lit(Field::From, LiteralKind::Prefix, "Jane")
        );
        for (p, f) in [
            ("to", Field::To),
            ("cc", Field::Cc),
            ("bcc", Field::Bcc),
            ("recipients", Field::Recipients),
            ("attachmentnames", Field::AttachmentNames),
        ] {
            assert_eq!(q(&format!("{p}:x")), lit(f, LiteralKind::Word, "x"));
            assert_eq!(show(&format!("{p}:x")), format!("{p}:x"));
        }
        assert_eq!(q("kind:email"), Query::Kind(DocKind::Email));
        assert_eq!(q("KIND:Docs"), Query::Kind(DocKind::Docs));
        assert_eq!(q("hasattachment:true"), Query::HasAttachment(true));
        assert_eq!(q("hasattachment:FALSE"), Query::HasAttachment(false));
    }

    #[test]
    fn dates() {
        use DateCmp::*;
        let sent = |c| Query::Date(DateField::Sent, c);
        assert_eq!(q("sent:2024-09-01"), sent(On(d("2024-09-01"))));
        assert_eq!(q("sent=2024-09-01"), sent(On(d("2024-09-01"))));
        assert_eq!(
            q("sent:2024-09-01..2025-07-31"),
            sent(Range(d("2024-09-01"), d("2025-07-31")))
        );
        assert_eq!(q("sent<2024-09-01"), sent(Before(d("2024-09-01"))));
        assert_eq!(q("sent<=2024-09-01"), sent(OnOrBefore(d("2024-09-01"))));
        assert_eq!(q("sent>2024-09-01"), sent(After(d("2024-09-01"))));
        assert_eq!(q("sent>=2024-09-01"), sent(OnOrAfter(d("2024-09-01"))));
        assert_eq!(
            q("received:2025-01-01..2025-03-31"),
            Query::Date(DateField::Received, Range(d("2025-01-01"), d("2025-03-31")))
        );
        assert_eq!(
            show("sent>=2024-09-01 sent<=2025-07-31"),
            "sent>=2024-09-01 AND sent<=2025-07-31"
        );
        assert_eq!(
            After(d("2024-12-31")).bounds(),
            (Some(d("2025-01-01")), None)
        );
        assert_eq!(
            Before(d("2025-01-01")).bounds(),
            (None, Some(d("2024-12-31")))
        );
        assert!(Range(d("2024-01-01"), d("2024-01-31")).contains(d("2024-01-31")));
        assert!(!After(d("2024-01-01")).contains(d("2024-01-01")));
    }

    #[test]
    fn errors_name_the_problem_and_column() {
        assert_eq!(error("(Ava OR Thomp"), "expected ')' at column 14");
        assert_eq!(
            error("(Ava OR Thomp) )"),
            "unexpected ')' with no '(' to close at column 16"
        );
        assert_eq!(error("Ava AND"), "expected a term after 'AND' at column 8");
        assert_eq!(
            error("Ava OR OR b"),
            "expected a term after 'OR', found 'OR' at column 8"
        );
        assert_eq!(error("OR Ava"), "expected a term, found 'OR' at column 1");
        assert_eq!(
            error("()"),
            "expected a term after '(', found ')' at column 2"
        );
        assert_eq!(error(""), "empty search term at column 1");
        assert_eq!(error("   "), "empty search term at column 1");
        assert_eq!(
            error("Ava *son"),
            "a wildcard '*' may only end a word (prefix search, e.g. Thomp*) at column 5"
        );
        assert_eq!(
            error("Th*mpson"),
            "a wildcard '*' may only end a word (prefix search, e.g. Thomp*) at column 3"
        );
        assert_eq!(
            error("x *"),
            "a wildcard '*' needs letters before it at column 3"
        );
        assert_eq!(
            error("Ava \"Thompson"),
            "unclosed quote: no closing '\"' for the one at column 5"
        );
        assert_eq!(error("\"\""), "empty phrase at column 1");
        assert_eq!(
            error("Ava - x"),
            "'-' must be directly followed by a term to exclude at column 5"
        );
        assert_eq!(
            error("subject:"),
            "expected a value after 'subject:' at column 9"
        );
        assert_eq!(
            error("subject:(a OR b)"),
            "a property cannot take a group: write subject:a OR subject:b instead of \
             subject:(a OR b) at column 9"
        );
        assert_eq!(
            error("sent>=2024-13-01"),
            "2024-13-01 is not a real date at column 7"
        );
        assert_eq!(
            error("sent:2024-01-01..01/02/2024"),
            "expected a date as YYYY-MM-DD, found '01/02/2024' at column 18"
        );
        assert_eq!(
            error("sent:2025-01-01..2024-01-01"),
            "date range 2025-01-01..2024-01-01 ends before it starts at column 6"
        );
        assert_eq!(error("sent:"), "expected a date (YYYY-MM-DD) at column 6");
        assert_eq!(
            error("kind:im"),
            "kind:im is not supported (use kind:email or kind:docs) at column 6"
        );
        assert_eq!(
            error("hasattachment:yes"),
            "hasattachment takes true or false, not 'yes' at column 15"
        );
        assert!(error("size>1000").starts_with("property 'size' is not supported"));
        assert_eq!(
            error("a NEAR b"),
            "NEAR is not supported: use AND, or a quoted phrase at column 3"
        );
        assert_eq!(
            error("Ava --"),
            "'-' must be directly followed by a term to exclude at column 6"
        );
        assert_eq!(
            error("Ava ..."),
            "'...' has no letters or digits to search for at column 5"
        );
        assert_eq!(
            error("\"Ava* Thompson\""),
            "a wildcard '*' may only end a phrase at column 5"
        );
        let deep = "(".repeat(100) + "a" + &")".repeat(100);
        assert!(error(&deep).starts_with("term is nested too deeply"));
        let nots = "NOT ".repeat(100) + "a";
        assert!(error(&nots).starts_with("term is nested too deeply"));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(error("Zoë (Brennan"), "expected ')' at column 13");
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "\"Ava Thompson\"",
            "Ava AND Thompson",
            "A123456789012",
            "(Ava OR \"Ava-Mae\") AND Thompson AND NOT subject:newsletter",
            "Thomp* OR participants:ronnie@contoso*",
            "NOT NOT a",
            "NOT (a AND b) OR c",
            "from:\"Jane Doe\" AND sent:2024-01-01..2024-02-01 AND kind:email",
            "hasattachment:false AND attachmentnames:report* AND received<2024-01-01",
            "Ava AND and",
            "\"AND\" OR \"subject:x\"",
        ] {
            let once = show(s);
            assert_eq!(once, s, "normalised form");
            assert_eq!(q(&once), q(s), "{s}");
        }
        // A literal that cannot print bare gets quotes and stays the same search.
        let l = lit(Field::Any, LiteralKind::Prefix, "ronnie@contoso.com sch");
        assert_eq!(l.to_string(), "\"ronnie@contoso.com sch*\"");
        assert_eq!(q(&l.to_string()), l);
        assert_eq!(
            show("participants:\"ronnie@contoso*\""),
            "participants:ronnie@contoso*"
        );
    }

    #[test]
    fn split_or_and_literals() {
        let x = q("(Ava OR \"Ava-Mae\") AND Thompson NOT subject:newsletter OR A123456789012");
        let sides: Vec<String> = x.split_or().iter().map(|b| b.to_string()).collect();
        assert_eq!(
            sides,
            [
                "(Ava OR \"Ava-Mae\") AND Thompson AND NOT subject:newsletter",
                "A123456789012"
            ]
        );
        let lits: Vec<String> = x.literals().iter().map(|l| l.to_string()).collect();
        assert_eq!(
            lits,
            [
                "Ava",
                "\"Ava-Mae\"",
                "Thompson",
                "subject:newsletter",
                "A123456789012"
            ]
        );
        let pos: Vec<String> = x
            .positive_literals()
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert_eq!(pos, ["Ava", "\"Ava-Mae\"", "Thompson", "A123456789012"]);
        assert_eq!(x.literals()[3].field, Field::Subject);
        assert_eq!(q("Ava").split_or(), vec![word("Ava")]);
    }

    #[test]
    fn dnf_expands_ors_inside_ands() {
        let x = q("(Ava OR \"Ava-Mae\") AND Thompson NOT (draft OR x)");
        let b: Vec<String> = x.dnf(16).unwrap().iter().map(|b| b.to_string()).collect();
        assert_eq!(
            b,
            [
                "Ava AND Thompson AND NOT draft AND NOT x",
                "\"Ava-Mae\" AND Thompson AND NOT draft AND NOT x"
            ]
        );
        let big = q("(a OR b) (c OR d) (e OR f) (g OR h)");
        assert_eq!(big.dnf(16).map(|v| v.len()), Some(16));
        assert_eq!(big.dnf(15), None);
        assert_eq!(
            q("NOT (a AND b)").dnf(8).unwrap(),
            vec![
                Query::Not(Box::new(word("a"))),
                Query::Not(Box::new(word("b")))
            ]
        );
    }

    #[test]
    fn from_str_parses() {
        let x: Query = "Ava AND Thompson".parse().unwrap();
        assert_eq!(x, q("Ava Thompson"));
        assert!("(".parse::<Query>().is_err());
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        fn word_text() -> impl Strategy<Value = String> {
            prop_oneof![
                "[A-Za-z][A-Za-z0-9]{0,6}".prop_filter("operators print quoted", |t| {
                    !matches!(t.as_str(), "AND" | "OR" | "NOT" | "NEAR" | "ONEAR")
                }),
                Just("Zoë".to_string()),
                Just("O'Neill".to_string()),
                Just("Ava-Mae".to_string()),
                Just("and".to_string()),
            ]
        }

        fn field() -> impl Strategy<Value = Field> {
            prop_oneof![
                4 => Just(Field::Any),
                1 => Just(Field::Subject),
                1 => Just(Field::From),
                1 => Just(Field::Participants),
                1 => Just(Field::AttachmentNames),
            ]
        }

        fn leaf() -> impl Strategy<Value = Query> {
            prop_oneof![
                6 => (field(), word_text(), 0..3u8).prop_map(|(field, t, k)| {
                    let (kind, text) = match k {
                        0 => (LiteralKind::Word, t),
                        1 => (LiteralKind::Prefix, t),
                        _ => (LiteralKind::Phrase, format!("{t} {t}")),
                    };
                    Query::Literal(Literal { field, kind, text })
                }),
                1 => (0..4000i32, 0..60u32).prop_map(|(a, n)| {
                    let from = NaiveDate::from_num_days_from_ce_opt(738000 + a).unwrap();
                    let to = from + chrono::Days::new(u64::from(n));
                    Query::Date(DateField::Sent, DateCmp::Range(from, to))
                }),
                1 => any::<bool>().prop_map(Query::HasAttachment),
                1 => Just(Query::Kind(DocKind::Email)),
            ]
        }

        fn tree() -> impl Strategy<Value = Query> {
            leaf().prop_recursive(4, 24, 4, |inner| {
                prop_oneof![
                    inner.clone().prop_map(|q| Query::Not(Box::new(q))),
                    prop::collection::vec(inner.clone(), 2..4).prop_map(Query::and),
                    prop::collection::vec(inner, 2..4).prop_map(Query::or),
                ]
            })
        }

        proptest! {
            #[test]
            fn display_then_parse_is_identity(x in tree()) {
                let printed = x.to_string();
                let back = parse(&printed).map(|p| p.query);
                prop_assert_eq!(back, Ok(x), "{}", printed);
            }

            #[test]
            fn parse_never_panics(s in "[ a-zA-Z0-9():\"*<>=.@-]{0,40}") {
                let _ = parse(&s);
            }

            #[test]
            fn parse_never_panics_on_any_unicode(s in "\\PC{0,30}") {
                if let Ok(p) = parse(&s) {
                    // Whatever parsed prints to something that parses to the same tree.
                    let printed = p.query.to_string();
                    prop_assert_eq!(parse(&printed).map(|p| p.query), Ok(p.query), "{}", printed);
                }
            }
        }
    }
}
