//! Proposals plus decisions in, the final word on every proposal out.
//!
//! Matching is by item SHA-256 and location, with the text as a check, so a decision made
//! before a re-run of `scan` still finds its proposal when item ids change. When several
//! decisions reach the same proposal, one naming its exact location beats one naming only the
//! text (a DPO who discloses "Priya Patel" everywhere but redacts one mention in a
//! safeguarding note means exactly that); between equals, the later in the file wins.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use chrono::NaiveDate;

use super::file::{Decision, DecisionAction, Decisions};
use super::ItemInfo;
use crate::detect::proposals::{Action, Proposal};
use crate::search::matcher::{Matcher, SearchDoc};
use crate::text::normalize;

/// One redaction to apply, or one proposal the DPO chose to disclose.
#[derive(Debug, Clone, PartialEq)]
pub struct Final {
    pub item_id: String,
    pub location: String,
    /// Byte range in the item's text.
    pub span: Range<usize>,
    pub text: String,
    pub category: String,
    /// Canonical exemption code.
    pub reason: String,
    /// The detection rule that proposed it, or `decision N` for text the DPO added.
    pub rule: String,
    /// `rule: <rule>`, `<who>, <when>`, or `not reviewed (flag)`.
    pub decided_by: String,
    /// The decision's date; `None` where no person decided (the log uses the run's date).
    pub date: Option<NaiveDate>,
    /// Index into the proposals given to [`apply`]; `None` for text the DPO added.
    pub proposal: Option<usize>,
    /// Number of the decision that settled it, if any.
    pub decision: Option<usize>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegionRedaction {
    pub item_id: String,
    /// 1-based page.
    pub page: u32,
    /// `[x0, y0, x1, y1]` in PDF user space (points).
    pub rect: [f64; 4],
    pub reason: String,
    pub decided_by: String,
    pub date: NaiveDate,
    pub decision: usize,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withheld {
    pub item_id: String,
    pub reason: String,
    pub who: String,
    pub when: NaiveDate,
    pub note: Option<String>,
    pub decision: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub item_id: String,
    /// [`DecisionAction::DiscloseAsIs`] or [`DecisionAction::OnPaper`].
    pub how: DecisionAction,
    pub who: String,
    pub when: NaiveDate,
    pub note: Option<String>,
    pub decision: usize,
}

/// A decision that reached nothing in this scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    pub number: usize,
    pub line: Option<usize>,
    pub action: DecisionAction,
    pub item: Option<String>,
    pub location: Option<String>,
    /// The decision's `text` or `term`: personal data, so never for stderr.
    pub text: Option<String>,
    /// Why nothing matched, without personal data.
    pub why: String,
}

impl Unmatched {
    /// One line for the terminal: no names or other personal data, only where to look.
    pub fn summary(&self) -> String {
        let name = match self.line {
            Some(l) => format!("decision {} (line {l})", self.number),
            None => format!("decision {}", self.number),
        };
        format!("{name}, {}: {}", self.action.label(), self.why)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Every redaction to apply, in item order then position.
    pub redactions: Vec<Final>,
    /// Proposals left visible: by a decision, or flags nobody decided on.
    pub disclosed: Vec<Final>,
    pub regions: Vec<RegionRedaction>,
    pub withheld: Vec<Withheld>,
    pub settled: Vec<Settled>,
    pub unmatched: Vec<Unmatched>,
}

/// `chars START-END`: the location of a span of an item's text where no finer one is known.
pub fn chars_location(_item: &ItemInfo, span: &Range<usize>) -> String {
    format!("chars {}-{}", span.start, span.end)
}

/// [`apply_with`] naming added redactions `chars START-END`.
pub fn apply(proposals: &[(Proposal, Range<usize>)], items: &[ItemInfo], d: &Decisions) -> Outcome {
    apply_with(proposals, items, d, &chars_location)
}

/// How strongly a decision names a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    /// By its text, wherever it occurs.
    Text,
    /// By its location.
    Location,
}

/// Applies the decisions. `locate` gives the location string of a span of an item's text (page
/// and box for PDFs, cell for sheets); it names redactions the DPO added and lets a decision
/// with a location find an occurrence nobody proposed.
pub fn apply_with(
    proposals: &[(Proposal, Range<usize>)],
    items: &[ItemInfo],
    d: &Decisions,
    locate: &dyn Fn(&ItemInfo, &Range<usize>) -> String,
) -> Outcome {
    let mut by_item: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (p, _)) in proposals.iter().enumerate() {
        by_item.entry(p.item_id.as_str()).or_default().push(i);
    }
    let occurrences = Occurrences::find(items, &d.decisions);
    let mut verdict: Vec<Option<(Rank, usize)>> = vec![None; proposals.len()];
    // (item index, span) -> decision index, for text nobody proposed.
    let mut added: Vec<((usize, Range<usize>), usize)> = Vec::new();
    let mut out = Outcome::default();

    for (k, dec) in d.decisions.iter().enumerate() {
        let targets = match targets(dec, items) {
            Ok(t) => t,
            Err(why) => {
                out.unmatched.push(unmatched(dec, why));
                continue;
            }
        };
        let set = |i: usize, rank: Rank, verdict: &mut Vec<Option<(Rank, usize)>>| {
            if verdict[i].is_none_or(|(r, _)| rank >= r) {
                verdict[i] = Some((rank, k));
            }
        };
        match dec.action {
            DecisionAction::Redact | DecisionAction::Disclose => {
                let mut hit = false;
                let mut why = None;
                if let Some(loc) = &dec.location {
                    let want = norm_loc(loc);
                    for &ti in &targets {
                        let item = &items[ti];
                        let at: Vec<usize> = by_item
                            .get(item.item_id.as_str())
                            .into_iter()
                            .flatten()
                            .copied()
                            .filter(|&i| norm_loc(&proposals[i].0.location) == want)
                            .collect();
                        let same: Vec<usize> = at
                            .iter()
                            .copied()
                            .filter(|&i| {
                                dec.text
                                    .as_ref()
                                    .is_none_or(|t| normalize(t) == normalize(&proposals[i].0.text))
                            })
                            .collect();
                        if !at.is_empty() && same.is_empty() {
                            why = Some(format!(
                                "the proposal at {loc} in item {} has different text now (the item \
                                 or the detection changed); check it and update the decision",
                                short(&item.sha256)
                            ));
                        }
                        for i in same {
                            set(i, Rank::Location, &mut verdict);
                            hit = true;
                        }
                        if !hit && at.is_empty() && dec.action == DecisionAction::Redact {
                            // Text nobody proposed, named by where it is.
                            for span in occurrences.of(dec, ti) {
                                if norm_loc(&locate(item, span)) == want {
                                    if dec.reason.is_none() {
                                        why = Some(format!(
                                            "nothing was proposed at {loc}; to redact text the tool \
                                             did not propose, add a `reason`"
                                        ));
                                    } else {
                                        added.push(((ti, span.clone()), k));
                                        hit = true;
                                    }
                                }
                            }
                        }
                    }
                    if !hit {
                        out.unmatched.push(unmatched(
                            dec,
                            why.unwrap_or_else(|| {
                                format!(
                                    "nothing was proposed at {loc} in this item any more (the \
                                     item's text or the detection changed)"
                                )
                            }),
                        ));
                    }
                } else {
                    let needle = dec
                        .text
                        .as_ref()
                        .or(dec.term.as_ref())
                        .map(|t| normalize(t));
                    for &ti in &targets {
                        let item = &items[ti];
                        let here = by_item.get(item.item_id.as_str());
                        let props = here.into_iter().flatten().copied();
                        match dec.action {
                            DecisionAction::Disclose => {
                                for i in props {
                                    if needle.as_deref() == Some(&normalize(&proposals[i].0.text)) {
                                        set(i, Rank::Text, &mut verdict);
                                        hit = true;
                                    }
                                }
                            }
                            _ => {
                                let spans: HashMap<Range<usize>, Vec<usize>> =
                                    props.fold(HashMap::new(), |mut m, i| {
                                        m.entry(proposals[i].1.clone()).or_default().push(i);
                                        m
                                    });
                                for span in occurrences.of(dec, ti) {
                                    hit = true;
                                    match spans.get(span) {
                                        Some(is) => {
                                            for &i in is {
                                                set(i, Rank::Text, &mut verdict);
                                            }
                                        }
                                        None => added.push(((ti, span.clone()), k)),
                                    }
                                }
                            }
                        }
                    }
                    if !hit {
                        let whom = if dec.item.is_some() {
                            "in this item"
                        } else {
                            "in any item"
                        };
                        let what = if dec.action == DecisionAction::Disclose {
                            "no proposal has this text"
                        } else {
                            "this text does not occur as a whole word"
                        };
                        out.unmatched
                            .push(unmatched(dec, format!("{what} {whom} any more")));
                    }
                }
            }
            DecisionAction::Withhold => {
                for &ti in &targets {
                    out.withheld.push(Withheld {
                        item_id: items[ti].item_id.clone(),
                        reason: dec.reason.clone().unwrap_or_default(),
                        who: dec.who.clone(),
                        when: dec.when,
                        note: dec.note.clone(),
                        decision: dec.number,
                    });
                }
            }
            DecisionAction::RedactRegion => {
                for &ti in &targets {
                    if let (Some(page), Some(rect)) = (dec.page, dec.rect) {
                        out.regions.push(RegionRedaction {
                            item_id: items[ti].item_id.clone(),
                            page,
                            rect,
                            reason: dec.reason.clone().unwrap_or_default(),
                            decided_by: dec.decided_by(),
                            date: dec.when,
                            decision: dec.number,
                            note: dec.note.clone(),
                        });
                    }
                }
            }
            DecisionAction::DiscloseAsIs | DecisionAction::OnPaper => {
                for &ti in &targets {
                    out.settled.push(Settled {
                        item_id: items[ti].item_id.clone(),
                        how: dec.action,
                        who: dec.who.clone(),
                        when: dec.when,
                        note: dec.note.clone(),
                        decision: dec.number,
                    });
                }
            }
        }
    }

    let withheld: HashSet<&str> = out.withheld.iter().map(|w| w.item_id.as_str()).collect();
    for (i, (p, span)) in proposals.iter().enumerate() {
        if withheld.contains(p.item_id.as_str()) {
            continue;
        }
        let base = Final {
            item_id: p.item_id.clone(),
            location: p.location.clone(),
            span: span.clone(),
            text: p.text.clone(),
            category: p.category.clone(),
            reason: p.reason.clone(),
            rule: p.rule.clone(),
            decided_by: String::new(),
            date: None,
            proposal: Some(i),
            decision: None,
            note: None,
        };
        match verdict[i] {
            None if p.action == Action::Redact => out.redactions.push(Final {
                decided_by: format!("rule: {}", p.rule),
                ..base
            }),
            None => out.disclosed.push(Final {
                decided_by: "not reviewed (flag)".into(),
                ..base
            }),
            Some((_, k)) => {
                let dec = &d.decisions[k];
                let f = Final {
                    reason: dec.reason.clone().unwrap_or(base.reason.clone()),
                    decided_by: dec.decided_by(),
                    date: Some(dec.when),
                    decision: Some(dec.number),
                    note: dec.note.clone(),
                    ..base
                };
                if dec.action == DecisionAction::Redact {
                    out.redactions.push(f);
                } else {
                    out.disclosed.push(f);
                }
            }
        }
    }
    let mut seen = HashSet::new();
    for ((ti, span), k) in added {
        let item = &items[ti];
        if withheld.contains(item.item_id.as_str()) || !seen.insert((ti, span.clone())) {
            continue;
        }
        let dec = &d.decisions[k];
        let text = item
            .text
            .as_deref()
            .and_then(|t| t.get(span.clone()))
            .unwrap_or_default()
            .to_string();
        out.redactions.push(Final {
            item_id: item.item_id.clone(),
            location: locate(item, &span),
            span,
            text,
            category: "custom".into(),
            reason: dec.reason.clone().unwrap_or_default(),
            rule: format!("decision {}", dec.number),
            decided_by: dec.decided_by(),
            date: Some(dec.when),
            proposal: None,
            decision: Some(dec.number),
            note: dec.note.clone(),
        });
    }
    let order: HashMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.item_id.as_str(), i))
        .collect();
    let key = |f: &Final| {
        (
            order.get(f.item_id.as_str()).copied().unwrap_or(usize::MAX),
            f.span.start,
            f.span.end,
        )
    };
    out.redactions.sort_by_key(key);
    out.disclosed.sort_by_key(key);
    out
}

fn unmatched(dec: &Decision, why: String) -> Unmatched {
    Unmatched {
        number: dec.number,
        line: dec.line,
        action: dec.action,
        item: dec.item.clone(),
        location: dec.location.clone(),
        text: dec.text.clone().or(dec.term.clone()),
        why,
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// Locations compare with case and spacing forgiven: they are copied by hand.
fn norm_loc(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

/// The items a decision is about: those whose SHA-256 starts with its `item`, or every item.
/// `Err` says why a decision's `item` names no item, or more than one.
pub fn targets(dec: &Decision, items: &[ItemInfo]) -> Result<Vec<usize>, String> {
    let Some(prefix) = &dec.item else {
        return Ok((0..items.len()).collect());
    };
    let found: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, it)| it.sha256.to_ascii_lowercase().starts_with(prefix.as_str()))
        .map(|(i, _)| i)
        .collect();
    let shas: HashSet<&str> = found.iter().map(|&i| items[i].sha256.as_str()).collect();
    if shas.len() > 1 {
        return Err(format!(
            "`item` {prefix} starts the SHA-256 of {} different items; give more of it",
            shas.len()
        ));
    }
    if found.is_empty() {
        if items
            .iter()
            .any(|it| it.item_id.eq_ignore_ascii_case(prefix))
        {
            return Err(format!(
                "`item` {prefix} is an item_id, which changes when scan is re-run; use the item's \
                 sha256 from inventory.csv instead"
            ));
        }
        return Err(format!(
            "no item in this scan has a SHA-256 starting {prefix} (the file was removed, changed, \
             or is out of scope now)"
        ));
    }
    Ok(found)
}

/// Whole-word occurrences of every decision's `text` or `term` (for redactions), found with
/// one automaton and one pass per item, as detection finds names.
struct Occurrences {
    /// (decision index, item index) -> source byte ranges.
    spans: HashMap<(usize, usize), Vec<Range<usize>>>,
    /// Decision number -> index into `d.decisions`.
    index: HashMap<usize, usize>,
}

impl Occurrences {
    fn find(items: &[ItemInfo], decisions: &[Decision]) -> Occurrences {
        let mut spans: HashMap<(usize, usize), Vec<Range<usize>>> = HashMap::new();
        let index = decisions
            .iter()
            .enumerate()
            .map(|(k, d)| (d.number, k))
            .collect();
        let wanted: Vec<(usize, &str)> = decisions
            .iter()
            .enumerate()
            .filter(|(_, d)| d.action == DecisionAction::Redact)
            .filter_map(|(k, d)| Some((k, d.text.as_deref().or(d.term.as_deref())?)))
            .collect();
        if wanted.is_empty() {
            return Occurrences { spans, index };
        }
        let terms: Vec<&str> = wanted.iter().map(|(_, t)| *t).collect();
        let Ok(matcher) = Matcher::new(&[], &terms) else {
            return Occurrences { spans, index };
        };
        let prefixes: Vec<Option<&str>> = wanted
            .iter()
            .map(|(k, _)| decisions[*k].item.as_deref())
            .collect();
        for (ti, item) in items.iter().enumerate() {
            let Some(text) = item.text.as_deref() else {
                continue;
            };
            let sha = item.sha256.to_ascii_lowercase();
            if !prefixes
                .iter()
                .any(|p| p.is_none_or(|p| sha.starts_with(p)))
            {
                continue;
            }
            let doc = SearchDoc {
                subject: "",
                body: text,
                from: &[],
                to: &[],
                cc: &[],
                bcc: &[],
                attachment_names: &[],
                sent: None,
                is_email: false,
                has_attachments: false,
            };
            let hits = matcher.scan(&doc);
            for t in hits.extra_found() {
                let (k, _) = wanted[t];
                if prefixes[t].is_some_and(|p| !sha.starts_with(p)) {
                    continue;
                }
                let found: Vec<Range<usize>> = hits
                    .extra(t)
                    .body
                    .iter()
                    .map(|s| s.source.clone())
                    .filter(|s| !s.is_empty())
                    .collect();
                if !found.is_empty() {
                    spans.insert((k, ti), found);
                }
            }
        }
        Occurrences { spans, index }
    }

    fn of(&self, dec: &Decision, item: usize) -> &[Range<usize>] {
        self.index
            .get(&dec.number)
            .and_then(|k| self.spans.get(&(*k, item)))
            .map_or(&[], Vec::as_slice)
    }
}
