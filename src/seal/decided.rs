//! The DPO's decisions (decisions.toml) applied to what `scan` proposed, in the shape sealing
//! needs: the redactions per item, how each unreadable item was settled, and which stale
//! decisions must stop the seal.

use std::collections::HashSet;

use super::plan::Settlements;
use super::produce::{RegionToRedact, ToRedact};
use super::run::SealError;
use super::scanned::Scanned;
use crate::case::casefile::Case;
use crate::decide::{self, DecisionAction, ItemInfo};
use crate::detect::exemptions::Catalogue;
use crate::text::normalize;

pub struct StaleDecision {
    pub text: String,
    /// A stale redact or withhold decision may mean something the DPO wanted hidden is not:
    /// it stops the seal. A stale disclose decision only costs a warning.
    pub blocks: bool,
}

pub struct Decided {
    pub redactions: Vec<ToRedact>,
    pub regions: Vec<(String, RegionToRedact)>,
    pub settlements: Settlements,
    pub unmatched: Vec<StaleDecision>,
    /// Texts left visible somewhere on purpose (folded): verify must not call them leaks.
    disclosed: HashSet<String>,
}

impl Decided {
    /// Takes the scan's proposals out of `scanned`: they live on as the decided redactions,
    /// one copy each, for cases with tens of thousands.
    pub fn load(
        case: &Case,
        scanned: &mut Scanned,
        catalogue: &Catalogue,
    ) -> Result<Decided, SealError> {
        let path = case.dir.join("decisions.toml");
        let decisions =
            decide::load(&path, catalogue).map_err(|e| SealError::Setup(e.to_string()))?;
        // Items a decision may search for added terms: the in-scope readable ones.
        let items: Vec<ItemInfo> = scanned
            .items
            .iter()
            .map(|i| ItemInfo {
                item_id: i.item_id.clone(),
                sha256: i.sha256.clone(),
                source_path: i.source_path.clone(),
                kind: i.kind.clone(),
                state: i.state.clone(),
                text: (i.in_scope() && i.is_ok() && !decisions.decisions.is_empty())
                    .then(|| std::fs::read_to_string(scanned.text_path(&i.item_id)).ok())
                    .flatten(),
            })
            .collect();
        let proposals: Vec<_> = std::mem::take(&mut scanned.proposals)
            .into_iter()
            .map(|p| {
                let span = p.span.clone();
                (p, span)
            })
            .collect();
        let outcome = decide::apply(&proposals, &items, &decisions);
        drop(proposals);
        drop(items);
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
        let unmatched = outcome
            .unmatched
            .iter()
            .map(|u| StaleDecision {
                text: format!("  {}", u.summary()),
                blocks: matches!(
                    u.action,
                    DecisionAction::Redact
                        | DecisionAction::Withhold
                        | DecisionAction::RedactRegion
                ),
            })
            .collect();
        let disclosed = outcome
            .disclosed
            .iter()
            .map(|f| normalize(&f.text))
            .collect();
        let regions = outcome
            .regions
            .iter()
            .map(|r| {
                let [x0, y0, x1, y1] = r.rect;
                (
                    r.item_id.clone(),
                    RegionToRedact {
                        page: r.page,
                        rect: crate::pdf::geom::Rect {
                            x0: x0.min(x1),
                            y0: y0.min(y1),
                            x1: x0.max(x1),
                            y1: y0.max(y1),
                        },
                        reason: r.reason.clone(),
                        decided_by: r.decided_by.clone(),
                    },
                )
            })
            .collect();
        let redactions = outcome
            .redactions
            .into_iter()
            .map(|f| ToRedact {
                item_id: f.item_id,
                span: f.span,
                location: f.location,
                text: f.text,
                category: f.category,
                reason: f.reason,
                decided_by: f.decided_by,
                rule: f.rule,
            })
            .collect();
        Ok(Decided {
            redactions,
            regions,
            settlements,
            unmatched,
            disclosed,
        })
    }

    /// What the verifier must not find anywhere in the bundle: every redacted text except those
    /// deliberately left visible elsewhere, first names alone (a first name redacted beside a
    /// full name may rightly stand elsewhere for someone else) and surname-first readings (in
    /// prose "…Ramona Thompson.\n\nNoah Haigh…" reads "Thompson Noah" across a paragraph).
    pub fn forbidden_texts(&self) -> Vec<String> {
        let mut seen = HashSet::new();
        self.redactions
            .iter()
            .filter(|r| !r.rule.contains("first-name") && !r.rule.ends_with(":surname-first"))
            .filter(|r| {
                let k = normalize(&r.text);
                !self.disclosed.contains(&k) && seen.insert(k)
            })
            .map(|r| r.text.clone())
            .collect()
    }
}
