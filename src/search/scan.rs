//! `disclose scan`: the case's sources ingested, every item judged in or out of scope with its
//! reason, and the inventory written with the two scope columns.

use std::path::PathBuf;

use super::matcher::Matcher;
use super::query::parse;
use super::scope::{Scope, ScopeRules};
use super::term_check::{check_terms, Judgement, Verdict};
use crate::case::casefile::Case;
use crate::case::roster::Roster;
use crate::detect::proposals::{NameTerms, Proposal, Proposer};
use crate::ingest::{ingest, IngestOptions, Row};

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

pub struct ScanReport {
    /// Redactions and flags proposed in OUT/proposals.csv.
    pub proposals: usize,
    pub rows: Vec<Row>,
    pub scopes: Vec<Scope>,
    pub judgements: Vec<Judgement>,
    pub out: PathBuf,
}

impl ScanReport {
    pub fn in_scope(&self) -> usize {
        self.scopes.iter().filter(|s| s.in_scope).count()
    }
}

pub fn load_roster(case: &Case) -> Result<Option<Roster>, ScanError> {
    case.roster_path()
        .map(|p| Roster::load(&p).map_err(|e| ScanError::Roster(e.to_string())))
        .transpose()
}

pub fn scan(case: &Case, progress: bool) -> Result<ScanReport, ScanError> {
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
    let rules = ScopeRules {
        case,
        matcher: &matcher,
        includes,
        excludes,
        roster_path: case.roster_path(),
        text_dir: &out.join("text"),
    };
    let scopes = rules.decide_all(&report.rows);
    write_inventory(&report.rows, &scopes, &out.join("inventory.csv")).map_err(io)?;
    let proposals = propose_all(
        case,
        roster.as_ref(),
        &report.rows,
        &scopes,
        &out.join("text"),
    )?;
    write_proposals(&proposals, &out.join("proposals.csv")).map_err(io)?;
    Ok(ScanReport {
        proposals: proposals.len(),
        rows: report.rows,
        scopes,
        judgements,
        out,
    })
}

/// Proposed redactions for every readable in-scope item, in inventory order.
fn propose_all(
    case: &Case,
    roster: Option<&Roster>,
    rows: &[Row],
    scopes: &[Scope],
    text_dir: &std::path::Path,
) -> Result<Vec<Proposal>, ScanError> {
    use rayon::prelude::*;
    let names = NameTerms::new(case, roster);
    let refs: Vec<&str> = names.terms.iter().map(String::as_str).collect();
    let matcher = Matcher::new(&[], &refs).map_err(|e| ScanError::Matcher(e.to_string()))?;
    let proposer = Proposer::new(case, roster, &names, &matcher);
    let per_item: Vec<Vec<Proposal>> = rows
        .par_iter()
        .zip(scopes)
        .filter(|(r, s)| s.in_scope && r.state == crate::ingest::State::Ok)
        .map(
            |(r, _)| match std::fs::read_to_string(text_dir.join(format!("{}.txt", r.id))) {
                Ok(text) => proposer.propose(&r.id, &text),
                Err(_) => Vec::new(),
            },
        )
        .collect();
    Ok(per_item.into_iter().flatten().collect())
}

fn write_proposals(props: &[Proposal], path: &std::path::Path) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(crate::detect::proposals::HEADER)
        .map_err(std::io::Error::other)?;
    for p in props {
        w.write_record([
            &p.item_id,
            &p.location,
            &p.text,
            &p.category,
            &p.reason,
            &p.rule,
            p.action.label(),
        ])
        .map_err(std::io::Error::other)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    crate::fsutil::write_atomic(path, &bytes)
}

/// The ingest inventory with `in_scope` and `scope_reason` added.
fn write_inventory(rows: &[Row], scopes: &[Scope], path: &std::path::Path) -> std::io::Result<()> {
    let base = crate::ingest::inventory::csv_records(rows)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = crate::ingest::inventory::HEADER.to_vec();
    header.extend(["in_scope", "scope_reason"]);
    w.write_record(&header).map_err(std::io::Error::other)?;
    for (mut rec, s) in base.into_iter().zip(scopes) {
        rec.push(if s.in_scope {
            "yes".into()
        } else {
            "no".into()
        });
        rec.push(s.reason.clone());
        w.write_record(&rec).map_err(std::io::Error::other)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    crate::fsutil::write_atomic(path, &bytes)
}
