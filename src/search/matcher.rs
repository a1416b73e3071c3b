//! Evaluates include terms against items: one automaton pass per field, then the query trees
//! over the hits.
//!
//! A case has a handful of include terms and, for the redaction stage, thousands of roster
//! names, and a mailbox export has hundreds of thousands of items. Running each term (or each
//! name) over each item separately would read every item once per term; instead every literal
//! of every query and every extra term goes into one Aho-Corasick automaton, each field of an
//! item is folded once and scanned once, and the queries are then decided from the set of hits
//! alone. The automaton knows nothing of words or fields, so word boundaries are checked on each
//! raw hit, and hits are counted per (literal, field), which is also what the explanation needs.
//!
//! People fields are the exception: `participants:jane.doe@school.org` must not match
//! `jane.doe@school.org.evil.com`, and `participants:school.org` must not match a subdomain, so
//! address-like values in from/to/cc/bcc/participants/recipients are compared with each
//! header's address exactly, not found by the automaton.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};
use chrono::{DateTime, Utc};

use super::query::{DateField, DocKind, Field, Literal, LiteralKind, Query};
use crate::text::terms::is_word_edge;
use crate::text::{normalize, MappedText};

/// The parts of one item the search looks at. People are `"Name <addr>"` strings (either part
/// may be missing), as ingest prints them.
#[derive(Debug, Clone, Copy)]
pub struct SearchDoc<'a> {
    pub subject: &'a str,
    pub body: &'a str,
    pub from: &'a [String],
    pub to: &'a [String],
    pub cc: &'a [String],
    pub bcc: &'a [String],
    pub attachment_names: &'a [String],
    /// Compared as a UTC calendar day, as Purview does.
    pub sent: Option<DateTime<Utc>>,
    pub is_email: bool,
    pub has_attachments: bool,
}

/// Where in an item a hit was found. The order is the order explanations list them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    Body,
    Subject,
    From,
    To,
    Cc,
    Bcc,
    AttachmentName,
}

impl Place {
    pub const ALL: [Place; 7] = [
        Place::Body,
        Place::Subject,
        Place::From,
        Place::To,
        Place::Cc,
        Place::Bcc,
        Place::AttachmentName,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Place::Body => "body",
            Place::Subject => "subject",
            Place::From => "from",
            Place::To => "to",
            Place::Cc => "cc",
            Place::Bcc => "bcc",
            Place::AttachmentName => "attachment name",
        }
    }

    /// The places a literal restricted to `field` may match in.
    fn of(field: Field) -> &'static [Place] {
        match field {
            Field::Any => &Place::ALL,
            Field::Subject => &[Place::Subject],
            Field::From => &[Place::From],
            Field::To => &[Place::To],
            Field::Cc => &[Place::Cc],
            Field::Bcc => &[Place::Bcc],
            Field::Participants => &[Place::From, Place::To, Place::Cc, Place::Bcc],
            Field::Recipients => &[Place::To, Place::Cc, Place::Bcc],
            Field::AttachmentNames => &[Place::AttachmentName],
        }
    }
}

/// Hits per place, indexed by `Place as usize`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlaceCounts(pub [u32; 7]);

impl PlaceCounts {
    pub fn get(&self, place: Place) -> u32 {
        self.0[place as usize]
    }

    pub fn total(&self) -> u32 {
        self.0.iter().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    fn add(&mut self, other: &PlaceCounts) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a = a.saturating_add(b);
        }
    }

    /// `body x3, subject`: places with hits, a count only where above one.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        for p in Place::ALL {
            match self.get(p) {
                0 => {}
                1 => parts.push(p.label().to_string()),
                n => parts.push(format!("{} x{n}", p.label())),
            }
        }
        parts.join(", ")
    }
}

impl std::fmt::Display for PlaceCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Whether a query matched an item, and the evidence a person reviewing the decision needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub matched: bool,
    /// `"Ava AND Thompson": body x3, subject (Ava: body x2, subject; Thompson: body)` or
    /// `"Ava Thompson": no match`.
    pub explanation: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MatcherError {
    #[error("could not build the search automaton: {0}")]
    Build(String),
}

/// How one literal is looked for.
#[derive(Debug, Clone)]
enum How {
    /// Through the automaton: whole word, or (prefix) word start only.
    Text { pattern: u32, prefix: bool },
    /// Compared with each header's address.
    Address(AddrRule),
}

#[derive(Debug, Clone)]
enum AddrRule {
    /// `jane.doe@school.org`
    Exact(String),
    /// `"ronnie@contoso*"`
    Prefix(String),
    /// `school.org` (the domain, not its subdomains) or `jane.doe` (the part before the `@`).
    DomainOrLocal(String),
}

impl AddrRule {
    fn matches(&self, addr: &str) -> bool {
        match self {
            AddrRule::Exact(v) => addr == v,
            AddrRule::Prefix(v) => addr.starts_with(v.as_str()),
            AddrRule::DomainOrLocal(v) => match addr.rsplit_once('@') {
                Some((local, domain)) => domain == v || local == v,
                None => false,
            },
        }
    }
}

#[derive(Debug, Clone)]
struct Lit {
    label: String,
    field: Field,
    how: How,
}

#[derive(Debug, Clone)]
enum Node {
    Lit(usize),
    /// A date, kind or hasattachment condition.
    Cond(Query),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
}

/// Every include term of a case (and any extra terms) compiled for scanning. Build once per
/// case; share between threads.
#[derive(Debug, Clone)]
pub struct Matcher {
    queries: Vec<Query>,
    labels: Vec<String>,
    nodes: Vec<Node>,
    lits: Vec<Lit>,
    automaton: AhoCorasick,
    /// Per pattern: some prefix literal uses it, so hits without an end boundary count.
    prefix_used: Vec<bool>,
    /// Per extra term: its pattern, `None` for a term with no letters or digits.
    extra: Vec<Option<u32>>,
    /// (pattern, extra term) pairs sorted by pattern: which terms a hit belongs to, without
    /// walking thousands of terms per item.
    extra_by_pattern: Vec<(u32, u32)>,
    has_address_rules: bool,
}

impl Matcher {
    /// Compiles `queries` and `extra_terms` (plain terms matched as whole words, such as roster
    /// names for the redaction stage; a term with no letters or digits is kept, so indexes stay
    /// the caller's, but never matches).
    pub fn new(queries: &[Query], extra_terms: &[&str]) -> Result<Matcher, MatcherError> {
        let mut b = Builder::default();
        let nodes = queries.iter().map(|q| b.node(q)).collect();
        let extra: Vec<Option<u32>> = extra_terms
            .iter()
            .map(|t| {
                let f = normalize(t);
                f.chars()
                    .any(char::is_alphanumeric)
                    .then(|| b.pattern(f, false))
            })
            .collect();
        // The builder's own choice (a contiguous NFA for a roster's worth of names) measured as
        // fast as a forced DFA, which needs several times the memory: see `part_automaton*` in
        // benches/matcher.rs.
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&b.patterns)
            .map_err(|e| MatcherError::Build(e.to_string()))?;
        let has_address_rules = b.lits.iter().any(|l| matches!(l.how, How::Address(_)));
        let mut extra_by_pattern: Vec<(u32, u32)> = extra
            .iter()
            .enumerate()
            .filter_map(|(t, p)| Some(((*p)?, u32::try_from(t).ok()?)))
            .collect();
        extra_by_pattern.sort_unstable();
        Ok(Matcher {
            queries: queries.to_vec(),
            labels: queries.iter().map(label).collect(),
            nodes,
            lits: b.lits,
            automaton,
            prefix_used: b.prefix_used,
            extra,
            extra_by_pattern,
            has_address_rules,
        })
    }

    pub fn queries(&self) -> &[Query] {
        &self.queries
    }

    pub fn extra_len(&self) -> usize {
        self.extra.len()
    }

    /// Distinct strings in the automaton.
    pub fn pattern_count(&self) -> usize {
        self.prefix_used.len()
    }

    /// Folds each field of `doc` once and runs the automaton once over each.
    pub fn scan(&self, doc: &SearchDoc<'_>) -> Hits<'_> {
        let mut events = Vec::new();
        let mut spans = Vec::new();

        let subject = normalize(doc.subject);
        self.run(&subject, Place::Subject, &mut events, None);

        let body = fold_with_offsets(doc.body);
        self.run(&body.text, Place::Body, &mut events, Some(&mut spans));

        let mut addresses = Vec::new();
        for (place, list) in people(doc) {
            for entry in list {
                self.run(&normalize(entry), place, &mut events, None);
                if self.has_address_rules {
                    if let Some(a) = address_of(entry) {
                        addresses.push((place, a));
                    }
                }
            }
        }
        for name in doc.attachment_names {
            self.run(&normalize(name), Place::AttachmentName, &mut events, None);
        }

        events.sort_unstable();
        let mut counts: Vec<Count> = Vec::new();
        for (pattern, place, whole) in events {
            match counts.last_mut() {
                Some(c) if c.pattern == pattern && c.place == place => {
                    c.any += 1;
                    c.whole += u32::from(whole);
                }
                _ => counts.push(Count {
                    pattern,
                    place,
                    any: 1,
                    whole: u32::from(whole),
                }),
            }
        }
        spans.sort_unstable_by_key(|(p, s): &(u32, BodySpan)| (*p, s.folded.start, s.folded.end));
        for (_, s) in &mut spans {
            s.source = source_range(&body, doc.body, &s.folded);
        }
        let (span_patterns, spans) = spans.into_iter().unzip();
        Hits {
            matcher: self,
            counts,
            span_patterns,
            spans,
            addresses,
            body,
        }
    }

    fn run(
        &self,
        text: &str,
        place: Place,
        events: &mut Vec<(u32, Place, bool)>,
        mut spans: Option<&mut Vec<(u32, BodySpan)>>,
    ) {
        for m in self.automaton.find_overlapping_iter(text) {
            let (start, end) = (m.start(), m.end());
            if !is_word_edge(text, start, true) {
                continue;
            }
            // Pattern ids come from a Vec the automaton was built from, so they fit in u32.
            let pattern = m.pattern().as_u32();
            let whole = is_word_edge(text, end, false);
            if !whole
                && !self
                    .prefix_used
                    .get(pattern as usize)
                    .copied()
                    .unwrap_or(false)
            {
                continue;
            }
            events.push((pattern, place, whole));
            if whole {
                if let Some(s) = spans.as_deref_mut() {
                    s.push((
                        pattern,
                        BodySpan {
                            folded: start..end,
                            source: 0..0,
                        },
                    ));
                }
            }
        }
    }

    /// Whether query `query` matches; the fast path when no explanation is needed.
    ///
    /// # Panics
    /// When `query` is not an index into the queries the matcher was built with.
    pub fn is_match(&self, query: usize, hits: &Hits<'_>, doc: &SearchDoc<'_>) -> bool {
        Eval { m: self, hits, doc }.truth(&self.nodes[query])
    }

    /// Decides query `query` for the item `hits` came from, with the evidence.
    ///
    /// # Panics
    /// When `query` is not an index into the queries the matcher was built with.
    pub fn eval(&self, query: usize, hits: &Hits<'_>, doc: &SearchDoc<'_>) -> Verdict {
        let node = &self.nodes[query];
        let ev = Eval { m: self, hits, doc };
        let label = &self.labels[query];
        let mut e = Evidence::default();
        if ev.truth(node) {
            ev.collect(node, &mut e);
            let mut parts = Vec::new();
            let mut total = PlaceCounts::default();
            for (_, c) in &e.found {
                total.add(c);
            }
            if !total.is_empty() {
                parts.push(total.describe());
            }
            parts.extend(e.conds);
            if parts.is_empty() {
                parts.push("nothing it excludes was found".into());
            }
            let mut explanation = format!("{label}: {}", parts.join(", "));
            if e.found.len() > 1 {
                let detail: Vec<String> = e
                    .found
                    .iter()
                    .map(|(l, c)| format!("{}: {}", self.lits[*l].label, c.describe()))
                    .collect();
                let _ = write!(explanation, " ({})", detail.join("; "));
            }
            Verdict {
                matched: true,
                explanation,
            }
        } else {
            ev.collect_failure(node, &mut e);
            let mut parts = Vec::new();
            if !e.found.is_empty() {
                let found: Vec<String> = e
                    .found
                    .iter()
                    .map(|(l, c)| format!("{}: {}", self.lits[*l].label, c.describe()))
                    .collect();
                parts.push(format!("found only {}", found.join("; ")));
            }
            parts.extend(e.blocked);
            parts.extend(e.conds);
            let mut explanation = format!("{label}: no match");
            if !parts.is_empty() {
                let _ = write!(explanation, " ({})", parts.join("; "));
            }
            Verdict {
                matched: false,
                explanation,
            }
        }
    }
}

/// The source bytes a folded range came from: from the first source character to the end of
/// the last one (a ligature or accented letter is covered whole).
fn source_range(body: &MappedText, source: &str, folded: &Range<usize>) -> Range<usize> {
    match body.origin_span(folded.start, folded.end) {
        Some((first, last)) => {
            let (first, last) = (first as usize, last as usize);
            let len = source
                .get(last..)
                .and_then(|r| r.chars().next())
                .map_or(0, char::len_utf8);
            first..last + len
        }
        None => 0..0,
    }
}

/// How a query is named in explanations: its normalised text in quotes, unless it already is
/// one quoted phrase.
fn label(q: &Query) -> String {
    let s = q.to_string();
    match q {
        Query::Literal(l) if l.field == Field::Any && s.starts_with('"') => s,
        _ => format!("\"{s}\""),
    }
}

fn people<'a>(doc: &SearchDoc<'a>) -> [(Place, &'a [String]); 4] {
    [
        (Place::From, doc.from),
        (Place::To, doc.to),
        (Place::Cc, doc.cc),
        (Place::Bcc, doc.bcc),
    ]
}

#[derive(Default)]
struct Builder {
    patterns: Vec<String>,
    prefix_used: Vec<bool>,
    index: HashMap<String, u32>,
    lits: Vec<Lit>,
    lit_index: HashMap<Literal, usize>,
}

impl Builder {
    fn pattern(&mut self, folded: String, prefix: bool) -> u32 {
        let id = match self.index.get(&folded) {
            Some(&id) => id,
            None => {
                // More than 4 billion distinct terms cannot be built into an automaton anyway.
                let id = u32::try_from(self.patterns.len()).unwrap_or(u32::MAX);
                self.index.insert(folded.clone(), id);
                self.patterns.push(folded);
                self.prefix_used.push(false);
                id
            }
        };
        if prefix {
            if let Some(p) = self.prefix_used.get_mut(id as usize) {
                *p = true;
            }
        }
        id
    }

    fn lit(&mut self, l: &Literal) -> usize {
        if let Some(&i) = self.lit_index.get(l) {
            return i;
        }
        let folded = l.folded();
        let prefix = l.kind == LiteralKind::Prefix;
        let how = match address_rule(l, &folded) {
            Some(rule) => How::Address(rule),
            None => How::Text {
                pattern: self.pattern(folded, prefix),
                prefix,
            },
        };
        self.lits.push(Lit {
            label: l.to_string(),
            field: l.field,
            how,
        });
        self.lit_index.insert(l.clone(), self.lits.len() - 1);
        self.lits.len() - 1
    }

    fn node(&mut self, q: &Query) -> Node {
        match q {
            Query::Literal(l) => Node::Lit(self.lit(l)),
            Query::Not(q) => Node::Not(Box::new(self.node(q))),
            Query::And(v) => Node::And(v.iter().map(|q| self.node(q)).collect()),
            Query::Or(v) => Node::Or(v.iter().map(|q| self.node(q)).collect()),
            Query::Date(..) | Query::Kind(_) | Query::HasAttachment(_) => Node::Cond(q.clone()),
        }
    }
}

/// People-field values that name an address or domain are compared with addresses; names
/// (`from:"Jane Doe"`, `to:jane`) are found as words in the whole header.
fn address_rule(l: &Literal, folded: &str) -> Option<AddrRule> {
    if !l.field.is_person() {
        return None;
    }
    if folded.contains('@') {
        return Some(match l.kind {
            LiteralKind::Prefix => AddrRule::Prefix(folded.to_string()),
            _ => AddrRule::Exact(folded.to_string()),
        });
    }
    let dotted = l.kind == LiteralKind::Word
        && folded.contains('.')
        && !folded.starts_with('.')
        && !folded.ends_with('.')
        && folded
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '+' | '\''));
    dotted.then(|| AddrRule::DomainOrLocal(folded.to_string()))
}

/// The folded address in a `"Name <addr>"` header (or a bare address).
fn address_of(entry: &str) -> Option<String> {
    let inner = match entry.rfind('<') {
        Some(open) => {
            let rest = &entry[open + 1..];
            &rest[..rest.find('>')?]
        }
        None => entry,
    };
    let a = normalize(inner.trim());
    let a = a.strip_prefix("mailto:").unwrap_or(&a);
    (a.contains('@') && !a.contains(' ')).then(|| a.to_string())
}

/// The body in matching form, each folded byte pointing back at the byte offset of the source
/// character it came from, so hits can be turned into ranges of the original text.
///
/// Folding one character at a time costs about three times folding the whole text, so runs
/// of ASCII whitespace and pure-ASCII words are folded whole: a whitespace run yields at most
/// one space, which came from the run's first character; an ASCII word folds byte for byte,
/// which is checked (lengths equal) before its offsets are filled in, and any other run falls
/// back to one character at a time.
pub fn fold_with_offsets(body: &str) -> MappedText {
    // Offsets past u32 are clamped: items are capped far below 4 GiB at ingest.
    let off = |i: usize| u32::try_from(i).unwrap_or(u32::MAX - 1);
    let is_space = |b: u8| b.is_ascii_whitespace() || b.is_ascii_control();
    let bytes = body.as_bytes();
    let mut m = MappedText::new();
    m.text.reserve(body.len());
    m.origin.reserve(body.len());
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if is_space(bytes[i]) {
            while i < bytes.len() && is_space(bytes[i]) {
                i += 1;
            }
            m.push(&body[start..i], off(start));
            continue;
        }
        let mut ascii = true;
        while i < bytes.len() && !is_space(bytes[i]) {
            ascii &= bytes[i].is_ascii();
            i += 1;
        }
        // `i` stops at an ASCII byte or the end: a character boundary.
        let run = &body[start..i];
        if ascii {
            let before = m.text.len();
            m.push(run, off(start));
            if m.text.len() - before == run.len() {
                for (k, o) in m.origin[before..].iter_mut().enumerate() {
                    *o = off(start + k);
                }
                continue;
            }
            m.text.truncate(before);
            m.origin.truncate(before);
        }
        for (k, c) in run.char_indices() {
            m.push(&run[k..k + c.len_utf8()], off(start + k));
        }
    }
    m
}

#[derive(Debug, Clone, Copy)]
struct Count {
    pattern: u32,
    place: Place,
    /// Hits with a word boundary at the start (what a prefix needs).
    any: u32,
    /// Hits with word boundaries at both ends.
    whole: u32,
}

/// A whole-word hit in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodySpan {
    /// Byte range in the folded body ([`Hits::body`]).
    pub folded: Range<usize>,
    /// Byte range in the body as given in [`SearchDoc::body`].
    pub source: Range<usize>,
}

/// Everything the automaton found in one item.
#[derive(Debug, Clone)]
pub struct Hits<'m> {
    matcher: &'m Matcher,
    /// Sorted by (pattern, place).
    counts: Vec<Count>,
    /// Parallel to `spans`, sorted.
    span_patterns: Vec<u32>,
    spans: Vec<BodySpan>,
    addresses: Vec<(Place, String)>,
    body: MappedText,
}

/// Hits of one extra term.
#[derive(Debug, Clone, Copy)]
pub struct TermHits<'a> {
    pub counts: PlaceCounts,
    /// Whole-word occurrences in the body, in order.
    pub body: &'a [BodySpan],
}

impl<'m> Hits<'m> {
    /// The body in matching form; its `origin` holds source byte offsets.
    pub fn body(&self) -> &MappedText {
        &self.body
    }

    /// Hits of extra term `term` (as passed to [`Matcher::new`]); empty for an index out of
    /// range or a term with nothing to match.
    pub fn extra(&self, term: usize) -> TermHits<'_> {
        match self.matcher.extra.get(term).copied().flatten() {
            Some(p) => TermHits {
                counts: self.pattern_counts(p, &Place::ALL, false),
                body: self.body_spans(p),
            },
            None => TermHits {
                counts: PlaceCounts::default(),
                body: &[],
            },
        }
    }

    /// Extra terms with at least one whole-word hit anywhere, in index order.
    pub fn extra_found(&self) -> Vec<usize> {
        let pairs = &self.matcher.extra_by_pattern;
        let mut out = Vec::new();
        let mut last = None;
        for c in &self.counts {
            if c.whole == 0 || last == Some(c.pattern) {
                continue;
            }
            last = Some(c.pattern);
            let a = pairs.partition_point(|&(p, _)| p < c.pattern);
            out.extend(
                pairs[a..]
                    .iter()
                    .take_while(|&&(p, _)| p == c.pattern)
                    .map(|&(_, t)| t as usize),
            );
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn count_range(&self, pattern: u32) -> (usize, usize) {
        let a = self.counts.partition_point(|c| c.pattern < pattern);
        let b = a + self.counts[a..].partition_point(|c| c.pattern == pattern);
        (a, b)
    }

    fn pattern_counts(&self, pattern: u32, places: &[Place], prefix: bool) -> PlaceCounts {
        let mut out = PlaceCounts::default();
        let (a, b) = self.count_range(pattern);
        for c in &self.counts[a..b] {
            if places.contains(&c.place) {
                out.0[c.place as usize] = if prefix { c.any } else { c.whole };
            }
        }
        out
    }

    fn body_spans(&self, pattern: u32) -> &[BodySpan] {
        let a = self.span_patterns.partition_point(|&p| p < pattern);
        let b = a + self.span_patterns[a..].partition_point(|&p| p == pattern);
        &self.spans[a..b]
    }
}

struct Eval<'e, 'm> {
    m: &'m Matcher,
    hits: &'e Hits<'m>,
    doc: &'e SearchDoc<'e>,
}

#[derive(Default)]
struct Evidence {
    /// Literals that hit, first appearance order, no repeats.
    found: Vec<(usize, PlaceCounts)>,
    /// Conditions that held (on a match) or failed (on no match).
    conds: Vec<String>,
    /// NOTs that excluded the item.
    blocked: Vec<String>,
}

impl Evidence {
    fn add_found(&mut self, lit: usize, c: PlaceCounts) {
        if !c.is_empty() && !self.found.iter().any(|(l, _)| *l == lit) {
            self.found.push((lit, c));
        }
    }
}

impl Eval<'_, '_> {
    fn lit_counts(&self, lit: usize) -> PlaceCounts {
        let Some(l) = self.m.lits.get(lit) else {
            return PlaceCounts::default();
        };
        let places = Place::of(l.field);
        match &l.how {
            How::Text { pattern, prefix } => self.hits.pattern_counts(*pattern, places, *prefix),
            How::Address(rule) => {
                let mut out = PlaceCounts::default();
                for (place, addr) in &self.hits.addresses {
                    if places.contains(place) && rule.matches(addr) {
                        out.0[*place as usize] += 1;
                    }
                }
                out
            }
        }
    }

    fn cond(&self, q: &Query) -> bool {
        match q {
            Query::Date(_, cmp) => self.doc.sent.is_some_and(|d| cmp.contains(d.date_naive())),
            Query::Kind(DocKind::Email) => self.doc.is_email,
            Query::Kind(DocKind::Docs) => !self.doc.is_email,
            Query::HasAttachment(b) => self.doc.has_attachments == *b,
            _ => false,
        }
    }

    /// What a condition saw, for the explanation.
    fn describe_cond(&self, q: &Query, held: bool) -> String {
        match q {
            Query::Date(field, _) => {
                let what = match field {
                    DateField::Sent => "sent",
                    DateField::Received => "received (sent date)",
                };
                match self.doc.sent {
                    Some(d) if held => format!("{what} {}", d.date_naive()),
                    Some(d) => format!("{what} {}, not {q}", d.date_naive()),
                    None => format!("no {what} date for {q}"),
                }
            }
            Query::HasAttachment(_) => {
                if self.doc.has_attachments {
                    "has attachments".into()
                } else {
                    "no attachments".into()
                }
            }
            _ if held => q.to_string(),
            _ => format!("not {q}"),
        }
    }

    fn truth(&self, n: &Node) -> bool {
        match n {
            Node::Lit(l) => !self.lit_counts(*l).is_empty(),
            Node::Cond(q) => self.cond(q),
            Node::Not(n) => !self.truth(n),
            Node::And(v) => v.iter().all(|n| self.truth(n)),
            Node::Or(v) => v.iter().any(|n| self.truth(n)),
        }
    }

    /// Evidence for a node that holds.
    fn collect(&self, n: &Node, e: &mut Evidence) {
        match n {
            Node::Lit(l) => e.add_found(*l, self.lit_counts(*l)),
            Node::Cond(q) => e.conds.push(self.describe_cond(q, true)),
            Node::Not(_) => {}
            Node::And(v) => v.iter().for_each(|n| self.collect(n, e)),
            Node::Or(v) => v
                .iter()
                .filter(|n| self.truth(n))
                .for_each(|n| self.collect(n, e)),
        }
    }

    /// Evidence for a node that does not hold: what was found all the same, which NOT
    /// excluded the item, which condition failed.
    fn collect_failure(&self, n: &Node, e: &mut Evidence) {
        match n {
            Node::Lit(_) => {}
            Node::Cond(q) => e.conds.push(self.describe_cond(q, false)),
            Node::Not(inner) => {
                let mut why = Evidence::default();
                self.collect(inner, &mut why);
                let mut total = PlaceCounts::default();
                for (_, c) in &why.found {
                    total.add(c);
                }
                let mut parts = Vec::new();
                if !total.is_empty() {
                    parts.push(total.describe());
                }
                parts.extend(why.conds);
                e.blocked.push(format!(
                    "excluded by NOT {}: {}",
                    self.node_text(inner),
                    parts.join(", ")
                ));
            }
            Node::And(v) => {
                for c in v {
                    if self.truth(c) {
                        self.collect(c, e);
                    } else {
                        self.collect_failure(c, e);
                    }
                }
            }
            Node::Or(v) => v.iter().for_each(|n| self.collect_failure(n, e)),
        }
    }

    fn node_text(&self, n: &Node) -> String {
        match n {
            Node::Lit(l) => self
                .m
                .lits
                .get(*l)
                .map_or_else(String::new, |l| l.label.clone()),
            Node::Cond(q) => q.to_string(),
            Node::Not(n) => format!("NOT {}", self.node_text(n)),
            Node::And(v) => format!(
                "({})",
                v.iter()
                    .map(|n| self.node_text(n))
                    .collect::<Vec<_>>()
                    .join(" AND ")
            ),
            Node::Or(v) => format!(
                "({})",
                v.iter()
                    .map(|n| self.node_text(n))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;
    use chrono::TimeZone;

    fn query(s: &str) -> Query {
        match parse(s) {
            Ok(p) => p.query,
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    /// An item; header lists are leaked so tests can build `SearchDoc`s inline.
    struct Item {
        subject: String,
        body: String,
        from: Vec<String>,
        to: Vec<String>,
        cc: Vec<String>,
        bcc: Vec<String>,
        attachments: Vec<String>,
        sent: Option<DateTime<Utc>>,
        is_email: bool,
    }

    impl Item {
        fn mail(subject: &str, body: &str) -> Item {
            Item {
                subject: subject.into(),
                body: body.into(),
                from: vec!["Jane Doe <jane.doe@oakfield.sch.uk>".into()],
                to: vec!["ava.thompson@pupils.oakfield.sch.uk".into()],
                cc: vec![],
                bcc: vec![],
                attachments: vec![],
                sent: Some(Utc.with_ymd_and_hms(2024, 3, 5, 9, 30, 0).unwrap()),
                is_email: true,
            }
        }

        fn doc(&self) -> SearchDoc<'_> {
            SearchDoc {
                subject: &self.subject,
                body: &self.body,
                from: &self.from,
                to: &self.to,
                cc: &self.cc,
                bcc: &self.bcc,
                attachment_names: &self.attachments,
                sent: self.sent,
                is_email: self.is_email,
                has_attachments: !self.attachments.is_empty(),
            }
        }
    }

    fn verdict(q: &str, item: &Item) -> Verdict {
        let m = Matcher::new(&[query(q)], &[]).unwrap();
        let doc = item.doc();
        let hits = m.scan(&doc);
        let v = m.eval(0, &hits, &doc);
        assert_eq!(
            v.matched,
            m.is_match(0, &hits, &doc),
            "{q}: is_match disagrees"
        );
        v
    }

    fn matches(q: &str, item: &Item) -> bool {
        verdict(q, item).matched
    }

    /// A mail with only a body and a date: no headers to match by accident.
    fn body(text: &str) -> Item {
        let mut it = Item::mail("", text);
        it.from.clear();
        it.to.clear();
        it
    }

    #[test]
    fn whole_words_only() {
        assert!(matches("Ava", &body("Hello Ava, how are you")));
        assert!(matches("Ava", &body("Ava's coat")));
        assert!(!matches("Ava", &body("Avatar and Java")));
        assert!(!matches("Ava", &body("ava_x")));
        assert!(matches("A123456789012", &body("UPN: A123456789012.")));
        assert!(!matches("A123456789012", &body("A1234567890123")));
    }

    #[test]
    fn phrases_span_line_breaks_and_spaces() {
        assert!(matches(
            "\"Ava Thompson\"",
            &body("from Ava\r\n   Thompson's mum")
        ));
        assert!(matches("\"Ava Thompson\"", &body("Ava\u{00A0}Thompson")));
        assert!(!matches("\"Ava Thompson\"", &body("Ava, Thompson")));
        assert!(!matches("\"Ava Thompson\"", &body("Thompson Ava")));
    }

    #[test]
    fn prefixes_need_a_boundary_only_at_the_start() {
        assert!(matches("Thomp*", &body("Mr THOMPSON called")));
        assert!(matches("Thomp*", &body("thomp")));
        assert!(!matches("Thomp*", &body("Athompson")));
        // The same text as a prefix and as a word in one automaton.
        let m = Matcher::new(&[query("thomp*"), query("thomp")], &[]).unwrap();
        let it = body("Thompson");
        let doc = it.doc();
        let h = m.scan(&doc);
        assert!(m.is_match(0, &h, &doc));
        assert!(!m.is_match(1, &h, &doc));
    }

    #[test]
    fn accents_case_and_ligatures_fold() {
        assert!(matches("Zoe", &body("ZOË")));
        assert!(matches("Zoë", &body("zoe")));
        assert!(matches(
            "\"Siobhán O'Neill\"",
            &body("SIOBHAN O\u{2019}NEILL")
        ));
        assert!(matches("office", &body("the Oﬃce")));
        assert!(matches("Brennan-Whyte", &body("Brennan\u{2010}Whyte")));
        assert!(matches("Jayden", &body("Jay\u{00AD}den")));
    }

    #[test]
    fn boolean_operators() {
        let it = body("Ava Thompson was late");
        assert!(matches("Ava AND Thompson", &it));
        assert!(matches("Ava Thompson", &it));
        assert!(!matches("Ava AND Jones", &it));
        assert!(matches("Jones OR Thompson", &it));
        assert!(!matches("Ava NOT late", &it));
        assert!(!matches("Ava -late", &it));
        assert!(matches("Ava NOT early", &it));
        assert!(matches(
            "(Ava OR \"Ava-Mae\") AND Thompson NOT subject:newsletter",
            &it
        ));
        let news = Item::mail("Newsletter", "Ava Thompson won");
        assert!(!matches(
            "(Ava OR \"Ava-Mae\") AND Thompson NOT subject:newsletter",
            &news
        ));
        // Lowercase operators are words.
        assert!(!matches("Ava or Jones", &it));
        assert!(matches("Ava or Jones", &body("Ava or Jones")));
    }

    #[test]
    fn unrestricted_words_search_headers_and_attachment_names() {
        let mut it = Item::mail("Year 9 trip", "nothing");
        it.attachments = vec!["Pastoral log.docx".into()];
        // "Jane Doe <jane.doe@…>": the name and the address's first word.
        assert_eq!(verdict("Jane", &it).explanation, "\"Jane\": from x2");
        assert_eq!(
            verdict("pastoral", &it).explanation,
            "\"pastoral\": attachment name"
        );
        assert_eq!(verdict("trip", &it).explanation, "\"trip\": subject");
        assert!(matches("oakfield", &it));
    }

    #[test]
    fn field_restrictions() {
        let mut it = Item::mail("Year 9 trip", "Jane said the trip was fine");
        it.cc = vec!["\"Brown, Tom\" <tom.brown@oakfield.sch.uk>".into()];
        it.attachments = vec!["trip-letter.pdf".into()];
        assert!(matches("subject:trip", &it));
        assert!(matches("subject:\"year 9\"", &it));
        assert!(!matches("subject:Jane", &it));
        assert!(matches("from:\"Jane Doe\"", &it));
        assert!(matches("from:jane", &it));
        assert!(!matches("to:jane", &it));
        assert!(matches("cc:tom", &it));
        assert!(matches("recipients:brown", &it));
        assert!(!matches("recipients:jane", &it));
        assert!(matches("participants:brown", &it));
        assert!(!matches("bcc:tom", &it));
        assert!(matches("attachmentnames:letter", &it));
        assert!(matches("attachmentnames:\"trip-letter.pdf\"", &it));
        assert!(!matches("attachmentnames:year", &it));
    }

    #[test]
    fn participants_by_address_and_domain() {
        let it = Item::mail("x", "y");
        assert!(matches("participants:jane.doe@oakfield.sch.uk", &it));
        assert!(matches("participants:JANE.DOE@Oakfield.SCH.uk", &it));
        assert!(matches("from:jane.doe@oakfield.sch.uk", &it));
        assert!(!matches("to:jane.doe@oakfield.sch.uk", &it));
        assert!(matches(
            "participants:ava.thompson@pupils.oakfield.sch.uk",
            &it
        ));
        // Exact address: no longer addresses, no subdomains.
        let mut other = Item::mail("x", "y");
        other.from = vec!["Jane <jane.doe@oakfield.sch.uk.evil.com>".into()];
        other.to = vec!["x@evil.com".into()];
        assert!(!matches("participants:jane.doe@oakfield.sch.uk", &other));
        // Domains match exactly.
        assert!(matches("participants:oakfield.sch.uk", &it));
        assert!(matches("participants:pupils.oakfield.sch.uk", &it));
        assert!(!matches("to:oakfield.sch.uk", &it));
        assert!(!matches("participants:sch.uk", &it));
        // An alias (the part before @).
        assert!(matches("from:jane.doe", &it));
        // Address prefix.
        assert!(matches("participants:\"ava.thompson@pupils*\"", &it));
        assert!(!matches("from:\"ava.thompson@pupils*\"", &it));
        assert_eq!(
            verdict("participants:oakfield.sch.uk", &it).explanation,
            "\"participants:oakfield.sch.uk\": from"
        );
    }

    #[test]
    fn dates_are_utc_days_inclusive_at_both_ends() {
        let at = |y, mo, d, h, mi| {
            let mut it = body("Ava");
            it.sent = Some(Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap());
            it
        };
        let first = at(2024, 9, 1, 0, 0);
        let last = at(2025, 7, 31, 23, 59);
        let before = at(2024, 8, 31, 23, 59);
        let after = at(2025, 8, 1, 0, 0);
        let r = "Ava AND sent:2024-09-01..2025-07-31";
        assert!(matches(r, &first));
        assert!(matches(r, &last));
        assert!(!matches(r, &before));
        assert!(!matches(r, &after));
        let r2 = "Ava sent>=2024-09-01 sent<=2025-07-31";
        for (it, want) in [
            (&first, true),
            (&last, true),
            (&before, false),
            (&after, false),
        ] {
            assert_eq!(matches(r2, it), want);
        }
        assert!(matches("sent>2024-08-31", &first));
        assert!(!matches("sent>2024-09-01", &first));
        assert!(matches("sent<2024-09-01", &before));
        assert!(!matches("sent<2024-08-31", &before));
        assert!(matches("sent:2024-08-31", &before));
        assert!(matches("received:2024-08-31", &before));
        // 23:30 on 31 August in London (BST) is 22:30 UTC, still the 31st; 00:30 BST on
        // 1 September is 23:30 UTC on the 31st: the UTC day counts.
        let bst = chrono::FixedOffset::east_opt(3600).unwrap();
        let mut late = body("Ava");
        late.sent = Some(
            bst.with_ymd_and_hms(2024, 9, 1, 0, 30, 0)
                .unwrap()
                .with_timezone(&Utc),
        );
        assert!(!matches(r, &late));
        let mut undated = body("Ava");
        undated.sent = None;
        assert!(!matches(r, &undated));
        assert_eq!(
            verdict(r, &undated).explanation,
            "\"Ava AND sent:2024-09-01..2025-07-31\": no match (found only Ava: body; \
             no sent date for sent:2024-09-01..2025-07-31)"
        );
        assert_eq!(
            verdict(r, &first).explanation,
            "\"Ava AND sent:2024-09-01..2025-07-31\": body, sent 2024-09-01"
        );
    }

    #[test]
    fn kind_and_attachments() {
        let mut it = body("Ava");
        assert!(matches("Ava kind:email", &it));
        assert!(!matches("Ava kind:docs", &it));
        assert!(matches("hasattachment:false", &it));
        it.attachments = vec!["a.pdf".into()];
        it.is_email = false;
        assert!(matches("Ava kind:docs hasattachment:true", &it));
        assert_eq!(
            verdict("Ava kind:email", &it).explanation,
            "\"Ava AND kind:email\": no match (found only Ava: body; not kind:email)"
        );
    }

    #[test]
    fn explanations_count_hits_per_field() {
        let mut it = body("Ava Thompson met Ava's teacher. Thompson?");
        it.subject = "About Ava".into();
        assert_eq!(
            verdict("Ava AND Thompson", &it).explanation,
            "\"Ava AND Thompson\": body x4, subject (Ava: body x2, subject; Thompson: body x2)"
        );
        assert_eq!(
            verdict("\"Ava Thompson\"", &it).explanation,
            "\"Ava Thompson\": body"
        );
        assert_eq!(
            verdict("\"Ava Jones\"", &it).explanation,
            "\"Ava Jones\": no match"
        );
        assert_eq!(
            verdict("Jones OR Thompson", &it).explanation,
            "\"Jones OR Thompson\": body x2"
        );
        assert_eq!(
            verdict("Ava AND Jones", &it).explanation,
            "\"Ava AND Jones\": no match (found only Ava: body x2, subject)"
        );
        assert_eq!(
            verdict("Ava NOT subject:about", &it).explanation,
            "\"Ava AND NOT subject:about\": no match (found only Ava: body x2, subject; \
             excluded by NOT subject:about: subject)"
        );
        assert_eq!(
            verdict("NOT draft", &it).explanation,
            "\"NOT draft\": nothing it excludes was found"
        );
        assert_eq!(verdict("Thomp*", &it).explanation, "\"Thomp*\": body x2");
    }

    #[test]
    fn many_queries_share_one_scan() {
        let qs: Vec<Query> = [
            "\"Ava Thompson\"",
            "Ava AND Thompson",
            "A123456789012",
            "Jones",
        ]
        .iter()
        .map(|s| query(s))
        .collect();
        let m = Matcher::new(&qs, &["Thompson", "Ava", "--"]).unwrap();
        // Ava, Thompson and the extra terms share patterns.
        assert_eq!(m.pattern_count(), 5);
        let it = body("Ava Thompson, UPN A123456789012");
        let doc = it.doc();
        let h = m.scan(&doc);
        let got: Vec<bool> = (0..4).map(|i| m.eval(i, &h, &doc).matched).collect();
        assert_eq!(got, [true, true, true, false]);
    }

    #[test]
    fn extra_terms_report_body_ranges_in_the_source() {
        let m = Matcher::new(&[], &["Zoë Brennan-Whyte", "Jayden", "nobody", "", "Ava"]).unwrap();
        let mut it = body("Dear Mrs ZOE\n  Brennan\u{2010}Whyte, re: Jayden and JAYDEN.");
        it.subject = "Jayden".into();
        let doc = it.doc();
        let h = m.scan(&doc);
        let zoe = h.extra(0);
        assert_eq!(zoe.counts.get(Place::Body), 1);
        assert_eq!(zoe.body.len(), 1);
        let src = zoe.body[0].source.clone();
        assert_eq!(&it.body[src], "ZOE\n  Brennan\u{2010}Whyte");
        let f = zoe.body[0].folded.clone();
        assert_eq!(&h.body().text[f], "zoe brennan-whyte");
        let jayden = h.extra(1);
        assert_eq!(jayden.counts.get(Place::Body), 2);
        assert_eq!(jayden.counts.get(Place::Subject), 1);
        let spans: Vec<&str> = jayden
            .body
            .iter()
            .map(|s| &it.body[s.source.clone()])
            .collect();
        assert_eq!(spans, ["Jayden", "JAYDEN"]);
        assert!(h.extra(2).body.is_empty());
        assert!(h.extra(3).counts.is_empty());
        assert!(h.extra(99).counts.is_empty());
        assert_eq!(h.extra_found(), [0, 1]);
    }

    #[test]
    fn source_ranges_cover_whole_multibyte_characters() {
        let m = Matcher::new(&[], &["office", "Zoe"]).unwrap();
        let it = body("the Oﬃce of Zoë");
        let doc = it.doc();
        let h = m.scan(&doc);
        assert_eq!(&it.body[h.extra(0).body[0].source.clone()], "Oﬃce");
        assert_eq!(&it.body[h.extra(1).body[0].source.clone()], "Zoë");
    }

    #[test]
    fn empty_matcher_and_empty_item() {
        let m = Matcher::new(&[], &[]).unwrap();
        let it = body("");
        let doc = it.doc();
        let h = m.scan(&doc);
        assert!(h.extra_found().is_empty());
        assert!(!matches("Ava", &body("")));
        // The pupil's own address is a header like any other for an unrestricted word.
        assert_eq!(
            verdict("Thompson", &Item::mail("", "")).explanation,
            "\"Thompson\": to"
        );
    }

    #[test]
    fn matcher_is_shareable_across_threads() {
        fn sync<T: Sync + Send>() {}
        sync::<Matcher>();
        sync::<Hits<'static>>();
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// The obvious slow way: every whole-word occurrence in the folded text.
        fn naive_count(word: &str, text: &str) -> usize {
            let w = normalize(word);
            let t = normalize(text);
            t.match_indices(&w)
                .filter(|(i, _)| is_word_edge(&t, *i, true) && is_word_edge(&t, i + w.len(), false))
                .count()
        }

        /// One character at a time: the obviously right offsets.
        fn fold_per_char(s: &str) -> MappedText {
            let mut m = MappedText::new();
            for (i, c) in s.char_indices() {
                m.push(&s[i..i + c.len_utf8()], i as u32);
            }
            m
        }

        proptest! {
            #[test]
            fn fast_fold_equals_per_character_fold(
                s in "([a-zA-Z0-9 .'`_\t\r\n\x00-]|é|ß|ﬃ|Ł|\u{00A0}|\u{00AD}|’|\u{2010}|\u{0301}){0,40}",
            ) {
                let fast = fold_with_offsets(&s);
                let slow = fold_per_char(&s);
                prop_assert_eq!(&fast.text, &slow.text);
                prop_assert_eq!(&fast.origin, &slow.origin);
            }

            #[test]
            fn word_counts_agree_with_a_naive_search(
                word in "[a-cé]{1,3}",
                text in "[a-cé A-C_.\\n-]{0,60}",
            ) {
                let m = Matcher::new(&[query(&word)], &[&word]).unwrap();
                let it = body(&text);
                let doc = it.doc();
                let h = m.scan(&doc);
                let n = naive_count(&word, &text);
                prop_assert_eq!(h.extra(0).counts.get(Place::Body) as usize, n);
                prop_assert_eq!(m.is_match(0, &h, &doc), n > 0);
                for s in h.extra(0).body {
                    prop_assert_eq!(normalize(&text[s.source.clone()]), normalize(&word));
                }
            }
        }
    }
}
