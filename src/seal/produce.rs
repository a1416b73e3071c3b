//! One item's disclosed copy: PDFs through the redaction engine (the text is removed, not
//! covered), mail, sheets and documents rendered from their text with the redactions taken out
//! before layout, each page stamped with the case reference and its page number.

use std::ops::Range;
use std::path::Path;

use super::plan::Make;
use super::scanned::Item;
use crate::render::{self, Block, Document, Span, Stamp};
use crate::text::TermSet;

/// A redaction to apply, as the DPO's decisions left it.
#[derive(Debug, Clone)]
pub struct ToRedact {
    pub item_id: String,
    pub span: Range<usize>,
    pub location: String,
    pub text: String,
    pub category: String,
    pub reason: String,
    pub decided_by: String,
    pub rule: String,
}

/// A rectangle of a PDF page the DPO marked for removal.
#[derive(Debug, Clone)]
pub struct RegionToRedact {
    pub page: u32,
    pub rect: crate::pdf::geom::Rect,
    pub reason: String,
    pub decided_by: String,
}

/// What was applied, for the DPO's log.
#[derive(Debug, Clone)]
pub struct Applied {
    pub location: String,
    pub text: String,
    pub category: String,
    pub reason: String,
    pub decided_by: String,
}

#[derive(Debug)]
pub struct Produced {
    pub bytes: Vec<u8>,
    pub pages: usize,
    pub applied: Vec<Applied>,
    /// Things the engine could not vouch for: the item waits for a person unless the DPO
    /// settled it as it stands.
    pub reviews: Vec<String>,
    pub extension: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum ProduceError {
    #[error("cannot read {what}: {source}")]
    Read {
        what: String,
        source: std::io::Error,
    },
    #[error("redaction engine: {0}")]
    Engine(String),
    #[error("rendering: {0}")]
    Render(String),
}

pub struct Inputs<'a> {
    pub out: &'a Path,
    pub reference: &'a str,
    /// Terms that say a sheet row concerns the subject (their names and identifiers).
    pub subject_terms: &'a TermSet,
    /// The item's description for its heading: kind and date, never a subject line.
    pub heading: String,
}

pub fn produce(
    item: &Item,
    make: Make,
    redactions: &[&ToRedact],
    regions: &[&RegionToRedact],
    inp: &Inputs,
) -> Result<Produced, ProduceError> {
    if !regions.is_empty() && make != Make::RedactPdf {
        // Never silently skip a redaction: a region means something only on a PDF page.
        return Err(ProduceError::Engine(
            "a redact-region decision names this item, but it is not a PDF; redact its text with a term instead".into(),
        ));
    }
    match make {
        Make::RedactPdf => redact_pdf(item, redactions, regions, inp),
        Make::Original => {
            let bytes = read_blob(inp.out, item)?;
            Ok(Produced {
                bytes,
                pages: 0,
                applied: Vec::new(),
                reviews: Vec::new(),
                extension: original_extension(&item.source_path),
            })
        }
        Make::Email | Make::Sheet | Make::Text => {
            let path = inp.out.join("text").join(format!("{}.txt", item.item_id));
            let text = std::fs::read_to_string(&path).map_err(|source| ProduceError::Read {
                what: format!("the text of item {}", item.item_id),
                source,
            })?;
            let cuts: Vec<(Range<usize>, String)> = redactions
                .iter()
                .filter(|r| r.span.end <= text.len() && text.is_char_boundary(r.span.start))
                .map(|r| (r.span.clone(), r.reason.clone()))
                .collect();
            let mut blocks = vec![Block::Heading(inp.heading.clone())];
            match make {
                Make::Email => blocks.extend(email_blocks(&text, &cuts)),
                Make::Sheet => blocks.extend(sheet_blocks(&text, &cuts, inp.subject_terms)),
                _ => blocks.push(Block::Preformatted(render::spans_with_redactions(
                    &text, &cuts,
                ))),
            }
            let doc = Document { blocks };
            let r = render::render(
                &doc,
                &Stamp {
                    reference: inp.reference.to_string(),
                },
            )
            .map_err(|e| ProduceError::Render(e.to_string()))?;
            Ok(Produced {
                bytes: r.bytes,
                pages: r.pages,
                applied: redactions
                    .iter()
                    .map(|r| applied(r, r.location.clone()))
                    .collect(),
                reviews: Vec::new(),
                extension: "pdf",
            })
        }
    }
}

fn applied(r: &ToRedact, location: String) -> Applied {
    Applied {
        location,
        text: r.text.clone(),
        category: r.category.clone(),
        reason: r.reason.clone(),
        decided_by: r.decided_by.clone(),
    }
}

fn read_blob(out: &Path, item: &Item) -> Result<Vec<u8>, ProduceError> {
    // Checked against the item's SHA-256: the copy disclosed is the copy that was scanned.
    crate::ingest::read_item_blob(out, &item.sha256).map_err(|source| ProduceError::Read {
        what: format!("the stored copy of item {}", item.item_id),
        source,
    })
}

fn redact_pdf(
    item: &Item,
    redactions: &[&ToRedact],
    regions: &[&RegionToRedact],
    inp: &Inputs,
) -> Result<Produced, ProduceError> {
    let bytes = read_blob(inp.out, item)?;
    let texts: Vec<&str> = redactions.iter().map(|r| r.text.as_str()).collect();
    let terms = if texts.is_empty() {
        TermSet::none()
    } else {
        TermSet::new(&texts).map_err(|e| ProduceError::Engine(e.to_string()))?
    };
    let rects: Vec<(u32, crate::pdf::geom::Rect)> =
        regions.iter().map(|r| (r.page, r.rect)).collect();
    let red = crate::pdf::redact_pdf_with_regions(&bytes, &terms, &rects)
        .map_err(|e| ProduceError::Engine(e.to_string()))?;
    // Each box the engine drew, logged with the decision behind its term.
    let norm = |s: &str| crate::text::normalize(s);
    let mut applied_rows = Vec::new();
    for b in &red.redactions {
        // The same `page,x0,y0,x1,y1` as `disclose redact`'s log.
        let location = crate::report::dpo_log::pdf_location(
            b.page,
            [b.rect.x0, b.rect.y0, b.rect.x1, b.rect.y1],
        );
        if b.term == crate::pdf::REGION_TERM {
            if let Some(r) = regions.iter().find(|r| r.page == b.page) {
                applied_rows.push(Applied {
                    location,
                    text: b.text.clone(),
                    category: "region".into(),
                    reason: r.reason.clone(),
                    decided_by: r.decided_by.clone(),
                });
            }
            continue;
        }
        let key = norm(&b.term);
        let Some(r) = redactions.iter().find(|r| norm(&r.text) == key) else {
            continue;
        };
        let mut a = applied(r, location);
        a.text = b.text.clone();
        applied_rows.push(a);
    }
    let stamped = render::stamp_pdf(&red.bytes, inp.reference, 1, None)
        .map_err(|e| ProduceError::Render(e.to_string()))?;
    Ok(Produced {
        bytes: stamped.bytes,
        pages: red.pages,
        applied: applied_rows,
        reviews: red
            .reviews
            .iter()
            .map(|r| match r.page {
                Some(p) => format!("page {p}: {}", r.reason),
                None => r.reason.clone(),
            })
            .collect(),
        extension: "pdf",
    })
}

/// Spans for `text[range]`, with the cuts that fall inside it shifted to its start.
fn spans_in(text: &str, range: Range<usize>, cuts: &[(Range<usize>, String)]) -> Vec<Span> {
    let local: Vec<(Range<usize>, String)> = cuts
        .iter()
        .filter(|(r, _)| r.start < range.end && r.end > range.start)
        .map(|(r, code)| {
            (
                r.start.max(range.start) - range.start..r.end.min(range.end) - range.start,
                code.clone(),
            )
        })
        .collect();
    render::spans_with_redactions(&text[range], &local)
}

/// A message's text is its header lines, a blank line, then the body (see ingest's
/// `mail_header_text`): the headers become a field table, the body keeps its lines.
fn email_blocks(text: &str, cuts: &[(Range<usize>, String)]) -> Vec<Block> {
    let split = text.find("\n\n").map_or(text.len(), |i| i + 1);
    let mut fields = Vec::new();
    let mut pos = 0;
    for line in text[..split].split_inclusive('\n') {
        let end = pos + line.trim_end_matches('\n').len();
        if let Some(colon) = line.find(": ") {
            let label = line[..colon].to_string();
            fields.push((label, spans_in(text, pos + colon + 2..end, cuts)));
        } else if end > pos {
            fields.push((String::new(), spans_in(text, pos..end, cuts)));
        }
        pos += line.len();
    }
    let body_start = (split + 1).min(text.len());
    vec![
        Block::Fields(fields),
        Block::Preformatted(spans_in(text, body_start..text.len(), cuts)),
    ]
}

/// A sheet's text has one line per row, cells separated by tabs. The requester gets the
/// heading row and the rows that concern the subject; other rows are about other people.
fn sheet_blocks(text: &str, cuts: &[(Range<usize>, String)], subject: &TermSet) -> Vec<Block> {
    let mut lines = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        lines.push(pos..pos + body.len());
        pos += line.len();
    }
    let Some(first) = lines.first().cloned() else {
        return vec![Block::Paragraph(vec![Span::Text(
            "The sheet is empty.".into(),
        )])];
    };
    let cells = |r: &Range<usize>| -> Vec<Vec<Span>> {
        let mut out = Vec::new();
        let mut start = r.start;
        for cell in text[r.clone()].split('\t') {
            out.push(spans_in(text, start..start + cell.len(), cuts));
            start += cell.len() + 1;
        }
        out
    };
    let headings: Vec<String> = text[first.clone()]
        .split('\t')
        .map(str::to_string)
        .collect();
    let concerning: Vec<&Range<usize>> = lines[1..]
        .iter()
        .filter(|r| subject.occurs_in(&text[(*r).clone()]))
        .collect();
    let mut blocks = Vec::new();
    let rows: Vec<Vec<Vec<Span>>> = if concerning.is_empty() {
        blocks.push(Block::Paragraph(vec![Span::Text(
            "No row names the data subject, so the whole sheet is shown.".into(),
        )]));
        lines[1..].iter().map(cells).collect()
    } else {
        let left = lines.len() - 1 - concerning.len();
        if left > 0 {
            blocks.push(Block::Paragraph(vec![Span::Text(format!(
                "Only the rows about the data subject are shown; {left} other row(s) concern other people and are not part of this disclosure."
            ))]));
        }
        concerning.into_iter().map(cells).collect()
    };
    blocks.push(Block::Table { headings, rows });
    blocks
}

/// The extension an original disclosed as it stands keeps, from a short list of kinds a
/// requester can open; anything else is `bin`.
fn original_extension(source_path: &str) -> &'static str {
    let name = source_path
        .rsplit(crate::ingest::driver::PATH_SEP)
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    // One list of what a bundle may hold besides PDFs: the one `verify` checks names against.
    let ext = match name.rsplit('.').next().unwrap_or("") {
        "jpeg" => "jpg",
        "tiff" => "tif",
        other => other,
    };
    crate::bundle::ORIGINAL_EXTENSIONS
        .iter()
        .find(|e| **e == ext)
        .copied()
        .unwrap_or("bin")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(spans: &[Span]) -> String {
        spans
            .iter()
            .map(|s| match s {
                Span::Text(t) => t.clone(),
                Span::Redacted { code } => format!("[{code}]"),
            })
            .collect()
    }

    #[test]
    fn mail_headers_and_body_keep_their_redactions() {
        let text = "From: Ravi Patel <r.patel@x.sch.uk>\nTo: Delyth Evans <d.evans@x.sch.uk>\nSubject: Jayden Okafor\n\nJayden Okafor knocked a beaker.\n";
        let at = |s: &str, nth: usize| text.match_indices(s).nth(nth).unwrap().0;
        let j1 = at("Jayden Okafor", 0);
        let j2 = at("Jayden Okafor", 1);
        let cuts = vec![
            (j1..j1 + 13, "THIRD-PARTY".to_string()),
            (j2..j2 + 13, "THIRD-PARTY".to_string()),
        ];
        let blocks = email_blocks(text, &cuts);
        let Block::Fields(fields) = &blocks[0] else {
            panic!("fields first")
        };
        assert_eq!(fields.len(), 3);
        assert_eq!(fields[2].0, "Subject");
        assert_eq!(texts(&fields[2].1), "[THIRD-PARTY]");
        assert_eq!(texts(&fields[0].1), "Ravi Patel <r.patel@x.sch.uk>");
        let Block::Preformatted(body) = &blocks[1] else {
            panic!("body second")
        };
        assert_eq!(texts(body), "[THIRD-PARTY] knocked a beaker.\n");
    }

    #[test]
    fn sheets_keep_the_heading_and_the_subjects_rows() {
        let text = "Pupil\tUPN\tNeed\nAmelia Hartley\tA801224466017\tCheck-in\nJayden Okafor\tA123456789012\tSEN\nŁukasz Nowak\t\tBuddy: Amelia Hartley";
        let subject = TermSet::new(["Amelia Hartley"]).unwrap();
        let l = text.find("Łukasz Nowak").unwrap();
        let cuts = vec![(l..l + "Łukasz Nowak".len(), "THIRD-PARTY".to_string())];
        let blocks = sheet_blocks(text, &cuts, &subject);
        let Some(Block::Table { headings, rows }) = blocks.last() else {
            panic!("a table")
        };
        assert_eq!(headings, &["Pupil", "UPN", "Need"]);
        assert_eq!(rows.len(), 2, "Jayden's row is not about the subject");
        assert_eq!(texts(&rows[1][0]), "[THIRD-PARTY]");
        assert_eq!(texts(&rows[1][2]), "Buddy: Amelia Hartley");
        assert!(matches!(&blocks[0], Block::Paragraph(p) if texts(p).contains("1 other row")));
    }

    #[test]
    fn originals_keep_only_harmless_extensions() {
        assert_eq!(original_extension("a.eml › relay.JPG"), "jpg");
        assert_eq!(original_extension("a.eml › Jayden.exe"), "bin");
    }
}
