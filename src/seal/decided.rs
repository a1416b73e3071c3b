//! The DPO's decisions (decisions.toml) applied to what `scan` proposed, in the shape sealing
//! needs: how each item is settled (withheld, on paper, as it stands, regions), then the
//! redactions a run of items at a time, and at the end which decisions matched nothing.
//!
//! Proposals are applied in chunks of items as they stream from disk, so a case with millions
//! of proposals seals in the memory of one chunk. That is exact because every decision acts
//! within single items: an item-level decision needs no proposals at all, and a text decision
//! reaches a proposal only in its own item. What crosses chunks is small: which decisions
//! matched somewhere, and the distinct texts redacted or left visible (for verify).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use rayon::prelude::*;

use super::plan::Settlements;
use super::produce::{RegionToRedact, ToRedact};
use super::run::SealError;
use super::scanned::Scanned;
use crate::case::casefile::Case;
use crate::decide::{self, Decision, DecisionAction, Decisions, ItemInfo};
use crate::detect::exemptions::Catalogue;
use crate::detect::proposals::Proposal;
use crate::text::normalize;

pub struct StaleDecision {
    pub text: String,
    /// A stale redact or withhold decision may mean something the DPO wanted hidden is not:
    /// it stops the seal. A stale disclose decision only costs a warning.
    pub blocks: bool,
}

impl StaleDecision {
    fn new(u: &decide::Unmatched) -> StaleDecision {
        StaleDecision {
            text: format!("  {}", u.summary()),
            blocks: matches!(
                u.action,
                DecisionAction::Redact | DecisionAction::Withhold | DecisionAction::RedactRegion
            ),
        }
    }
}

pub struct Decided {
    pub settlements: Settlements,
    pub regions: HashMap<String, Vec<RegionToRedact>>,
    /// Stale decisions found so far; complete after [`Decided::finish`].
    pub unmatched: Vec<StaleDecision>,
    /// The redact and disclose decisions applied chunk by chunk.
    text_decisions: Decisions,
    /// Whether a decision searches item text (a `term`, or `text` nobody proposed).
    needs_text: bool,
    /// Numbers of text decisions that matched in some chunk.
    matched: HashSet<usize>,
    /// Why each text decision matched nothing, from the chunk that holds its item.
    why: HashMap<usize, (decide::Unmatched, bool)>,
    /// Distinct redacted texts, first spelling kept, in first-seen order (for verify).
    redacted: Vec<String>,
    redacted_keys: HashSet<String>,
    /// Texts left visible somewhere on purpose (folded): verify must not call them leaks.
    disclosed: HashSet<String>,
}

/// Item-level actions: they name whole items (or rectangles of their pages), not text.
fn is_item_level(d: &Decision) -> bool {
    !matches!(d.action, DecisionAction::Redact | DecisionAction::Disclose)
}

fn item_info(it: &super::scanned::Item, text: Option<String>) -> ItemInfo {
    ItemInfo {
        item_id: it.item_id.clone(),
        sha256: it.sha256.clone(),
        source_path: it.source_path.clone(),
        kind: it.kind.clone(),
        state: it.state.clone(),
        text,
    }
}

impl Decided {
    /// Reads decisions.toml and settles every item-level decision against the whole scan.
    pub fn load(
        case: &Case,
        scanned: &Scanned,
        catalogue: &Catalogue,
    ) -> Result<Decided, SealError> {
        let path = case.dir.join("decisions.toml");
        let all = decide::load(&path, catalogue).map_err(|e| SealError::Setup(e.to_string()))?;
        Ok(Decided::new(all, scanned))
    }

    fn new(all: Decisions, scanned: &Scanned) -> Decided {
        let items: Vec<ItemInfo> = scanned.items.iter().map(|i| item_info(i, None)).collect();
        let (item_level, text_level): (Vec<Decision>, Vec<Decision>) =
            all.decisions.into_iter().partition(is_item_level);
        let outcome = decide::apply(
            &[],
            &items,
            &Decisions {
                decisions: item_level,
            },
        );
        let mut settlements = Settlements::default();
        for w in &outcome.withheld {
            settlements.withheld.insert(
                w.item_id.clone(),
                (w.reason.clone(), format!("{}, {}", w.who, w.when)),
            );
        }
        for s in &outcome.settled {
            let by = format!("{}, {}", s.who, s.when);
            match s.how {
                DecisionAction::OnPaper => {
                    settlements.on_paper.insert(s.item_id.clone(), by);
                }
                _ => {
                    settlements.as_is.insert(s.item_id.clone(), by);
                }
            }
        }
        let mut regions: HashMap<String, Vec<RegionToRedact>> = HashMap::new();
        for r in &outcome.regions {
            let [x0, y0, x1, y1] = r.rect;
            regions
                .entry(r.item_id.clone())
                .or_default()
                .push(RegionToRedact {
                    page: r.page,
                    rect: crate::pdf::geom::Rect {
                        x0: x0.min(x1),
                        y0: y0.min(y1),
                        x1: x0.max(x1),
                        y1: y0.max(y1),
                    },
                    reason: r.reason.clone(),
                    decided_by: r.decided_by.clone(),
                });
        }
        let mut unmatched: Vec<StaleDecision> =
            outcome.unmatched.iter().map(StaleDecision::new).collect();
        // A text decision whose `item` names no item, or several, is stale for the whole scan:
        // decided here, against every item, not chunk by chunk.
        let mut kept = Vec::new();
        for d in text_level {
            if d.item.is_some() {
                if let Err(why) = decide::targets(&d, &items) {
                    let u = decide::Unmatched {
                        number: d.number,
                        line: d.line,
                        action: d.action,
                        item: d.item.clone(),
                        location: d.location.clone(),
                        text: d.text.clone().or(d.term.clone()),
                        why,
                    };
                    unmatched.push(StaleDecision::new(&u));
                    continue;
                }
            }
            kept.push(d);
        }
        let needs_text = kept
            .iter()
            .any(|d| d.action == DecisionAction::Redact && (d.term.is_some() || d.text.is_some()));
        Decided {
            settlements,
            regions,
            unmatched,
            text_decisions: Decisions { decisions: kept },
            needs_text,
            matched: HashSet::new(),
            why: HashMap::new(),
            redacted: Vec::new(),
            redacted_keys: HashSet::new(),
            disclosed: HashSet::new(),
        }
    }

    /// Applies the text decisions to one chunk's proposals (`range` of `scanned.items`), and
    /// returns its redactions in item order, then position.
    pub fn chunk(
        &mut self,
        scanned: &Scanned,
        range: Range<usize>,
        proposals: Vec<Proposal>,
    ) -> Vec<ToRedact> {
        let part = &scanned.items[range];
        // Item text is read only when a decision searches it, and only for this chunk.
        let items: Vec<ItemInfo> = part
            .par_iter()
            .map(|i| {
                let text = (self.needs_text && i.in_scope() && i.is_ok())
                    .then(|| std::fs::read_to_string(scanned.text_path(&i.item_id)).ok())
                    .flatten();
                item_info(i, text)
            })
            .collect();
        let proposals: Vec<(Proposal, Range<usize>)> = proposals
            .into_iter()
            .map(|p| {
                let span = p.span.clone();
                (p, span)
            })
            .collect();
        let outcome = decide::apply(&proposals, &items, &self.text_decisions);
        drop(proposals);
        let stale: HashSet<usize> = outcome.unmatched.iter().map(|u| u.number).collect();
        for d in &self.text_decisions.decisions {
            if !stale.contains(&d.number) {
                self.matched.insert(d.number);
            }
        }
        for u in outcome.unmatched {
            if self.matched.contains(&u.number) {
                continue;
            }
            // The chunk holding a decision's item explains best why it matched nothing there.
            let here = self
                .text_decisions
                .decisions
                .iter()
                .find(|d| d.number == u.number)
                .is_some_and(|d| d.item.is_some() && decide::targets(d, &items).is_ok());
            match self.why.get(&u.number) {
                Some((_, true)) => {}
                Some((_, false)) if !here => {}
                _ => {
                    self.why.insert(u.number, (u, here));
                }
            }
        }
        for f in &outcome.disclosed {
            self.disclosed.insert(normalize(&f.text));
        }
        outcome
            .redactions
            .into_iter()
            .map(|f| {
                // First names alone and surname-first readings are not checked by verify (see
                // `forbidden_texts`).
                if !f.rule.contains("first-name") && !f.rule.ends_with(":surname-first") {
                    let k = normalize(&f.text);
                    if self.redacted_keys.insert(k) {
                        self.redacted.push(f.text.clone());
                    }
                }
                ToRedact {
                    item_id: f.item_id,
                    span: f.span,
                    location: f.location,
                    text: f.text,
                    category: f.category,
                    reason: f.reason,
                    decided_by: f.decided_by,
                    rule: f.rule,
                }
            })
            .collect()
    }

    /// After the last chunk: every text decision that matched in no chunk is stale.
    pub fn finish(&mut self) {
        let mut stale: Vec<(usize, StaleDecision)> = Vec::new();
        for d in &self.text_decisions.decisions {
            if self.matched.contains(&d.number) {
                continue;
            }
            let u = match self.why.get(&d.number) {
                Some((u, _)) => u.clone(),
                // No chunk saw it: the scan has no items at all.
                None => decide::Unmatched {
                    number: d.number,
                    line: d.line,
                    action: d.action,
                    item: d.item.clone(),
                    location: d.location.clone(),
                    text: d.text.clone().or(d.term.clone()),
                    why: "there are no items in this scan".into(),
                },
            };
            stale.push((d.number, StaleDecision::new(&u)));
        }
        stale.sort_by_key(|(n, _)| *n);
        let mut stale: Vec<StaleDecision> = stale.into_iter().map(|(_, s)| s).collect();
        self.unmatched.append(&mut stale);
        self.why.clear();
    }

    /// What the verifier must not find anywhere in the bundle: every redacted text except those
    /// deliberately left visible elsewhere, first names alone (a first name redacted beside a
    /// full name may rightly stand elsewhere for someone else) and surname-first readings (in
    /// prose "…Ramona Thompson.\n\nNoah Haigh…" reads "Thompson Noah" across a paragraph).
    pub fn forbidden_texts(&self) -> Vec<String> {
        self.redacted
            .iter()
            .filter(|t| !self.disclosed.contains(&normalize(t)))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::proposals::Action;
    use crate::seal::scanned::Item;

    const TEXTS: [&str; 3] = [
        "Behaviour log. Ava Thompson was pushed by Jayden Okafor. Mrs Priya Patel separated them.",
        "Attendance: Jayden Okafor late again.",
        "Safeguarding note. Ava's brother Jack Smith (age 9) was present.",
    ];

    fn proposal(n: usize, text: &str, action: Action) -> Proposal {
        let start = TEXTS[n].find(text).expect("in fixture");
        Proposal {
            item_id: format!("it{n}"),
            location: format!("chars {}-{}", start, start + text.len()),
            span: start..start + text.len(),
            text: text.into(),
            category: "pupil".into(),
            reason: "THIRD-PARTY".into(),
            rule: "roster:full-name".into(),
            action,
        }
    }

    fn proposals() -> Vec<Proposal> {
        vec![
            proposal(0, "Ava Thompson", Action::Redact),
            proposal(0, "Jayden Okafor", Action::Redact),
            proposal(0, "Priya Patel", Action::Flag),
            proposal(1, "Jayden Okafor", Action::Redact),
        ]
    }

    fn decisions() -> Decisions {
        let toml = format!(
            r#"
[[decision]]
action = "redact"
term = "Jack Smith"
reason = "THIRD-PARTY"
who = "J. Patel (DPO)"
when = 2026-11-20

[[decision]]
action = "disclose"
term = "Priya Patel"
who = "J. Patel (DPO)"
when = 2026-11-20

[[decision]]
action = "redact"
item = "{}"
location = "chars 900-906"
text = "Nobody"
reason = "THIRD-PARTY"
who = "J. Patel (DPO)"
when = 2026-11-20

[[decision]]
action = "redact"
item = "ffffffffffff"
term = "Ava"
reason = "THIRD-PARTY"
who = "J. Patel (DPO)"
when = 2026-11-20

[[decision]]
action = "disclose"
term = "Nobody Else"
who = "J. Patel (DPO)"
when = 2026-11-20
"#,
            &Item::example(1).sha256[..12]
        );
        decide::parse(
            &toml,
            std::path::Path::new("decisions.toml"),
            &Catalogue::built_in(),
        )
        .expect("decisions parse")
    }

    fn scanned(dir: &std::path::Path) -> Scanned {
        std::fs::create_dir_all(dir.join("text")).unwrap();
        for (n, t) in TEXTS.iter().enumerate() {
            std::fs::write(dir.join("text").join(format!("it{n}.txt")), t).unwrap();
        }
        Scanned::new(dir.to_path_buf(), (0..3).map(Item::example).collect(), 3)
    }

    fn key(r: &ToRedact) -> (String, usize, usize, String, String) {
        (
            r.item_id.clone(),
            r.span.start,
            r.span.end,
            r.text.clone(),
            r.decided_by.clone(),
        )
    }

    #[test]
    fn one_item_at_a_time_decides_exactly_what_the_whole_scan_at_once_does() {
        let dir = tempfile::tempdir().unwrap();
        let scanned = scanned(dir.path());

        let mut whole = Decided::new(decisions(), &scanned);
        let all: Vec<_> = whole
            .chunk(&scanned, 0..3, proposals())
            .iter()
            .map(key)
            .collect();
        whole.finish();

        let mut chunked = Decided::new(decisions(), &scanned);
        let mut pieces = Vec::new();
        for i in 0..3 {
            let mine: Vec<Proposal> = proposals()
                .into_iter()
                .filter(|p| p.item_id == format!("it{i}"))
                .collect();
            pieces.extend(chunked.chunk(&scanned, i..i + 1, mine).iter().map(key));
        }
        chunked.finish();

        assert_eq!(pieces, all);
        // The term found only in the last item is redacted there, by the DPO's decision.
        assert!(all
            .iter()
            .any(|k| k.0 == "it2" && k.3 == "Jack Smith" && k.4.contains("J. Patel")));
        // The flagged name the DPO disclosed is not redacted and not forbidden.
        assert!(!all.iter().any(|k| k.3 == "Priya Patel"));
        for d in [&whole, &chunked] {
            let forbidden = d.forbidden_texts();
            assert_eq!(forbidden, ["Ava Thompson", "Jayden Okafor", "Jack Smith"]);
            // Stale: the located redaction in item 1 (its own chunk's reason), the unknown
            // item, the disclosure of text nobody proposed. Not stale: decisions that matched
            // in one chunk only.
            let stale: Vec<(&str, bool)> = d
                .unmatched
                .iter()
                .map(|u| (u.text.as_str(), u.blocks))
                .collect();
            assert_eq!(stale.len(), 3, "{:?}", stale);
            assert!(stale
                .iter()
                .any(|(t, b)| t.contains("decision 3") && t.contains("chars 900-906") && *b));
            assert!(stale
                .iter()
                .any(|(t, b)| t.contains("decision 4") && t.contains("ffffffffffff") && *b));
            assert!(stale.iter().any(|(t, b)| t.contains("decision 5") && !*b));
        }
    }
}
