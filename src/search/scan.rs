//! `disclose scan`: the case's sources ingested, every item judged in or out of scope with its
//! reason, and the inventory written with the two scope columns.

use std::path::PathBuf;

use super::matcher::Matcher;
use super::query::parse;
use rayon::prelude::*;

use super::scope::{AttachmentRule, Scope, ScopeRules};
use super::term_check::{check_terms, Judgement, Verdict};
use crate::case::casefile::Case;
use crate::case::roster::Roster;
use crate::detect::proposals::{NameTerms, Proposal, Proposer};
use crate::fsutil::AtomicWriter;
use crate::ingest::{ingest, IngestOptions, IngestReport, Row};

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{0}")]
    Roster(String),
    #[error("search terms are forbidden by the tracker's rules; fix them and run `disclose terms check`:\n{0}")]
    Forbidden(String),
    #[error("search term {term:?}: {message}")]
    Query { term: String, message: String },
    #[error("{0}")]
    Matcher(String),
    #[error("cannot write to {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// What a scan found, in counts: the items and their decisions are in `OUT/inventory.csv`
/// (and the row file `crate::ingest::read_rows` streams), not held here.
pub struct ScanReport {
    /// Redactions and flags proposed in OUT/proposals.csv.
    pub proposals: usize,
    /// Items in the inventory.
    pub items: usize,
    pub in_scope: usize,
    /// Items that could not be read (they stay in scope until a person decides).
    pub failed: usize,
    pub ingest: IngestReport,
    pub judgements: Vec<Judgement>,
    pub out: PathBuf,
    pub timings: crate::stopwatch::Timings,
}

impl ScanReport {
    pub fn in_scope(&self) -> usize {
        self.in_scope
    }
}

/// In-scope items the review page shows in full; past this, the page says how many more there
/// are and proposals.csv lists them (a page with every item of a huge export would not open).
const REVIEW_ITEMS: usize = 3000;

/// Rows decided and proposed on at a time: enough to keep both cores busy, few enough that
/// memory does not depend on the export.
const CHUNK: usize = 256;

pub fn load_roster(case: &Case) -> Result<Option<Roster>, ScanError> {
    case.roster_path()
        .map(|p| Roster::load(&p).map_err(|e| ScanError::Roster(e.to_string())))
        .transpose()
}

pub fn scan(case: &Case, progress: bool) -> Result<ScanReport, ScanError> {
    let mut timings = crate::stopwatch::Timings::start();
    let roster = load_roster(case)?;
    let judgements = check_terms(case, roster.as_ref());
    let forbidden: Vec<String> = judgements
        .iter()
        .filter(|j| j.verdict == Verdict::Forbidden)
        .map(|j| j.to_string())
        .collect();
    if !forbidden.is_empty() {
        return Err(ScanError::Forbidden(forbidden.join("\n")));
    }
    let f = &case.file.search;
    let mut queries = Vec::new();
    for t in f
        .terms
        .iter()
        .chain(&f.exclude)
        .filter(|t| !t.trim().is_empty())
    {
        let q = parse(t).map_err(|e| ScanError::Query {
            term: t.clone(),
            message: e.to_string(),
        })?;
        queries.push(q.query);
    }
    let n_include = f.terms.iter().filter(|t| !t.trim().is_empty()).count();
    let matcher = Matcher::new(&queries, &[]).map_err(|e| ScanError::Matcher(e.to_string()))?;
    let includes = f
        .terms
        .iter()
        .filter(|t| !t.trim().is_empty())
        .cloned()
        .enumerate()
        .collect();
    let excludes = f
        .exclude
        .iter()
        .filter(|t| !t.trim().is_empty())
        .cloned()
        .enumerate()
        .map(|(i, t)| (n_include + i, t))
        .collect();

    let out = case.out_dir();
    let io = |source| ScanError::Io {
        path: out.display().to_string(),
        source,
    };
    let report = ingest(
        &case.source_paths(),
        &out,
        &IngestOptions {
            limits: Default::default(),
            progress,
        },
    )
    .map_err(io)?;
    timings.mark("ingest");
    let rules = ScopeRules {
        case,
        matcher: &matcher,
        includes,
        excludes,
        roster_path: case.roster_path(),
        text_dir: &out.join("text"),
    };
    let names = NameTerms::new(case, roster.as_ref());
    let refs: Vec<&str> = names.terms.iter().map(String::as_str).collect();
    let name_matcher = Matcher::new(&[], &refs).map_err(|e| ScanError::Matcher(e.to_string()))?;
    let proposer = Proposer::new(case, roster.as_ref(), &names, &name_matcher);

    // Rows stream from the ingest's row file in inventory order, a chunk at a time: each
    // chunk's own decisions and proposals in parallel, the attachment rule in order. While one
    // chunk is judged, the one before it is written, so the serial writing hides behind it.
    let mut rows = crate::ingest::read_rows(&out).map_err(io)?;
    let mut inventory = InventoryWriter::create(&out.join("inventory.csv")).map_err(io)?;
    let mut proposals_out = ProposalWriter::create(&out.join("proposals.csv")).map_err(io)?;
    let spans_path = out.join(crate::detect::proposals::SPANS_FILE);
    if let Some(dir) = spans_path.parent() {
        crate::fsutil::private_dir(dir).map_err(io)?;
    }
    let mut spans_out = std::io::BufWriter::new(AtomicWriter::create(&spans_path).map_err(io)?);
    let mut review = ReviewData::default();
    let mut rule = AttachmentRule::default();
    let (mut items, mut in_scope, mut failed, mut proposals) = (0, 0, 0, 0);
    let mut judge = || -> std::io::Result<Option<Judged>> {
        let chunk: Vec<Row> = rows.by_ref().take(CHUNK).collect::<std::io::Result<_>>()?;
        if chunk.is_empty() {
            return Ok(None);
        }
        let own: Vec<Scope> = chunk.par_iter().map(|r| rules.decide_own(r)).collect();
        let scopes: Vec<Scope> = chunk
            .iter()
            .zip(own)
            .map(|(r, s)| rule.resolve(r, s))
            .collect();
        let props = propose_chunk(&proposer, &chunk, &scopes, &out);
        Ok(Some((chunk, scopes, props)))
    };
    let mut write = |(chunk, scopes, props): Judged| -> std::io::Result<()> {
        for (r, s) in chunk.iter().zip(&scopes) {
            items += 1;
            in_scope += usize::from(s.in_scope);
            failed += usize::from(r.state == crate::ingest::State::Failed);
            inventory.write(r, s)?;
            if s.in_scope {
                review.add_item(r, &out);
            }
        }
        for p in props.iter().flatten() {
            proposals += 1;
            proposals_out.write(p)?;
            serde_json::to_writer(&mut spans_out, p)?;
            std::io::Write::write_all(&mut spans_out, b"\n")?;
            review.add_proposal(p);
        }
        Ok(())
    };
    let mut judged = judge().map_err(io)?;
    while let Some(done) = judged.take() {
        let (next, written) = rayon::join(&mut judge, || write(done));
        written.map_err(io)?;
        judged = next.map_err(io)?;
    }
    proposals_out.commit().map_err(io)?;
    spans_out
        .into_inner()
        .map_err(|e| io(e.into_error()))?
        .commit(true)
        .map_err(io)?;
    inventory.commit().map_err(io)?;
    timings.mark("scope, detection, inventory");
    review.write(case, &out).map_err(io)?;
    timings.mark("review page");
    Ok(ScanReport {
        proposals,
        items,
        in_scope,
        failed,
        ingest: report,
        judgements,
        out,
        timings,
    })
}

/// One chunk of rows judged: each row's scope and, for the readable in-scope ones, proposals.
type Judged = (Vec<Row>, Vec<Scope>, Vec<Vec<Proposal>>);

/// Proposed redactions for the readable in-scope items of one chunk, in order. A PDF's
/// proposals are located on the page (page and box) from its kept copy.
fn propose_chunk(
    proposer: &Proposer,
    rows: &[Row],
    scopes: &[Scope],
    out: &std::path::Path,
) -> Vec<Vec<Proposal>> {
    let text_dir = out.join("text");
    rows.par_iter()
        .zip(scopes)
        .filter(|(r, s)| s.in_scope && r.state == crate::ingest::State::Ok)
        .map(
            |(r, _)| match std::fs::read_to_string(text_dir.join(format!("{}.txt", r.id))) {
                Ok(text) => {
                    let mut props = proposer.propose(&r.id, &text);
                    if r.kind == crate::ingest::ItemKind::Pdf && !props.is_empty() {
                        locate_on_pages(out, r, &text, &mut props);
                    }
                    if r.kind == crate::ingest::ItemKind::Sheet && !props.is_empty() {
                        locate_in_cells(&text_dir, r, &text, &mut props);
                    }
                    props
                }
                Err(_) => Vec::new(),
            },
        )
        .collect()
}

/// Replaces `chars A-B` with `page N box …` where the PDF can be re-read; where it cannot, the
/// character location stands (the redaction is still applied by text).
fn locate_on_pages(out: &std::path::Path, r: &Row, text: &str, props: &mut [Proposal]) {
    let Ok(bytes) = std::fs::read(crate::ingest::item_blob_path(out, &r.sha256)) else {
        return;
    };
    let Ok(Some(locator)) = crate::detect::locate::PdfLocator::new(&bytes, text) else {
        return;
    };
    for p in props {
        if let Some(loc) = locator.locate(&p.span) {
            p.location = loc;
        }
    }
}

/// Replaces `chars A-B` with the cell (`8RH!B7`) from the row map ingest wrote beside the
/// sheet's text; without one the character location stands.
fn locate_in_cells(text_dir: &std::path::Path, r: &Row, text: &str, props: &mut [Proposal]) {
    let Ok(map) = std::fs::read_to_string(text_dir.join(format!("{}.rows", r.id))) else {
        return;
    };
    let rows: Vec<(u32, u32)> = map
        .lines()
        .filter_map(|l| {
            let (a, b) = l.split_once(' ')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect();
    let sheet = r
        .source_path
        .rsplit(crate::ingest::driver::PATH_SEP)
        .next()
        .unwrap_or("Sheet1");
    let cells = crate::detect::locate::SheetCells::new(sheet, &rows, text);
    for p in props {
        if let Some(cell) = cells.cell(&p.span) {
            p.location = cell;
        }
    }
}

/// What the review page and the decisions template need, gathered as rows stream past and
/// capped at [`REVIEW_ITEMS`] items so memory stays bounded.
#[derive(Default)]
struct ReviewData {
    items: Vec<crate::decide::ItemInfo>,
    shown: std::collections::HashSet<String>,
    proposals: Vec<(Proposal, std::ops::Range<usize>)>,
    left_out: usize,
}

impl ReviewData {
    fn add_item(&mut self, r: &Row, out: &std::path::Path) {
        if self.items.len() >= REVIEW_ITEMS {
            self.left_out += 1;
            return;
        }
        let text = (r.state == crate::ingest::State::Ok)
            .then(|| std::fs::read_to_string(out.join("text").join(format!("{}.txt", r.id))).ok())
            .flatten();
        self.shown.insert(r.id.clone());
        self.items.push(crate::decide::ItemInfo {
            item_id: r.id.clone(),
            sha256: r.sha256.clone(),
            source_path: r.source_path.clone(),
            kind: r.kind.label().to_string(),
            state: r.state.label().to_string(),
            text,
        });
    }

    fn add_proposal(&mut self, p: &Proposal) {
        if self.shown.contains(&p.item_id) {
            self.proposals.push((p.clone(), p.span.clone()));
        }
    }

    /// OUT/review.html, and decisions.toml beside the case when there is none yet (a
    /// commented starter: it decides nothing until the DPO writes in it).
    fn write(self, case: &Case, out: &std::path::Path) -> std::io::Result<()> {
        use crate::detect::exemptions::Catalogue;
        let catalogue =
            Catalogue::with_custom(&case.file.reasons).map_err(std::io::Error::other)?;
        let decisions_path = case.dir.join("decisions.toml");
        let decisions = match crate::decide::load(&decisions_path, &catalogue) {
            Ok(d) => d,
            Err(e) => {
                // The review page still helps while the file has a mistake; seal will refuse.
                eprintln!("disclose: {e}");
                crate::decide::Decisions::default()
            }
        };
        let outcome = crate::decide::apply(&self.proposals, &self.items, &decisions);
        let generated = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
        let mut input = crate::report::review::ReviewInput::build(
            &case.file.reference,
            &case.file.subject.name,
            &generated,
            &self.items,
            &self.proposals,
            &outcome,
            &decisions,
            &catalogue,
        );
        if self.left_out > 0 {
            input.generated.push_str(&format!(
                " — showing the first {} in-scope items; {} more are listed in inventory.csv and proposals.csv",
                self.items.len(),
                self.left_out
            ));
        }
        crate::fsutil::write_atomic(
            &out.join("review.html"),
            crate::report::review::review_html(&input).as_bytes(),
        )?;
        if !decisions_path.exists() {
            crate::fsutil::write_atomic(
                &decisions_path,
                crate::decide::template(&self.proposals, &self.items).as_bytes(),
            )?;
        }
        Ok(())
    }
}

/// `OUT/proposals.csv`, written a row at a time and renamed into place when complete.
struct ProposalWriter {
    w: csv::Writer<AtomicWriter>,
}

impl ProposalWriter {
    fn create(path: &std::path::Path) -> std::io::Result<Self> {
        let mut w = csv::Writer::from_writer(AtomicWriter::create(path)?);
        w.write_record(crate::detect::proposals::HEADER)
            .map_err(std::io::Error::other)?;
        Ok(ProposalWriter { w })
    }

    fn write(&mut self, p: &Proposal) -> std::io::Result<()> {
        self.w
            .write_record([
                &p.item_id,
                &p.location,
                &p.text,
                &p.category,
                &p.reason,
                &p.rule,
                p.action.label(),
            ])
            .map_err(std::io::Error::other)
    }

    fn commit(self) -> std::io::Result<()> {
        self.w
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?
            .commit(true)
    }
}

/// The ingest inventory with `in_scope` and `scope_reason` added, a row at a time.
struct InventoryWriter {
    w: csv::Writer<AtomicWriter>,
}

impl InventoryWriter {
    fn create(path: &std::path::Path) -> std::io::Result<Self> {
        let mut w = csv::Writer::from_writer(AtomicWriter::create(path)?);
        let mut header: Vec<&str> = crate::ingest::inventory::HEADER.to_vec();
        header.extend(["in_scope", "scope_reason"]);
        w.write_record(&header).map_err(std::io::Error::other)?;
        Ok(InventoryWriter { w })
    }

    fn write(&mut self, r: &Row, s: &Scope) -> std::io::Result<()> {
        let mut rec = crate::ingest::inventory::csv_record(r);
        rec.push(if s.in_scope { "yes" } else { "no" }.into());
        rec.push(s.reason.clone());
        self.w.write_record(&rec).map_err(std::io::Error::other)
    }

    fn commit(self) -> std::io::Result<()> {
        self.w
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?
            .commit(true)
    }
}
