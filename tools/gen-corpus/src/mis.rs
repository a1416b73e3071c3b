//! MIS reports as PDFs (`mis/*.pdf`): behaviour logs, attendance registers and safeguarding
//! chronologies, 2–10 pages each, in the producer styles of [`crate::pdf`].

use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::content;
use crate::doc::{Charset, Doc, Form};
use crate::pdf::{render, wrap, Line, Style};
use crate::school::School;
use crate::truth::{Record, Truth};
use crate::Config;

const LINES_PER_PAGE: usize = 50;

fn date_str(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{:02}/{:02}/20{}",
        rng.random_range(1..29),
        rng.random_range(1..13),
        rng.random_range(24..27)
    )
}

/// Pupils of one year group, the subject among them when `with_subject`.
fn cohort(school: &School, rng: &mut ChaCha8Rng, with_subject: bool) -> Vec<usize> {
    let year = if with_subject {
        school.subject().year
    } else {
        rng.random_range(7..14)
    };
    let mut v: Vec<usize> = school
        .pupils
        .iter()
        .copied()
        .filter(|&p| school.person(p).year == year && p != school.subject)
        .collect();
    if v.is_empty() {
        v.push(school.pupils[0]);
    }
    v
}

pub fn behaviour_pdf<'s>(
    school: &'s School,
    rng: &mut ChaCha8Rng,
    pages: usize,
    with_subject: bool,
) -> anyhow::Result<(Vec<u8>, Doc<'s>, Style)> {
    let style = if rng.random_bool(0.5) {
        Style::Sims
    } else {
        Style::Arbor
    };
    let mut d = Doc::new(school, Charset::Latin1);
    let pupils = cohort(school, rng, with_subject);
    let mut lines = vec![
        Line::Heading(format!("{} - Behaviour log", school.name)),
        Line::Cells(vec![
            (0.0, "Date".into()),
            (60.0, "Pupil".into()),
            (220.0, "Incident".into()),
            (470.0, "Logged by".into()),
        ]),
    ];
    let n = pages.saturating_sub(1) * LINES_PER_PAGE + rng.random_range(5..40);
    for k in 0..n {
        let p = if with_subject && k % 17 == 3 {
            school.subject
        } else {
            *pupils.choose(rng).unwrap_or(&0)
        };
        let (name, what, staff) = content::log_line(&mut d, rng, p);
        lines.push(Line::Cells(vec![
            (0.0, date_str(rng)),
            (60.0, name),
            (220.0, what),
            (470.0, staff),
        ]));
    }
    Ok((render(style, rng, "Behaviour log", &lines)?, d, style))
}

pub fn attendance_pdf<'s>(
    school: &'s School,
    rng: &mut ChaCha8Rng,
    pages: usize,
    with_subject: bool,
) -> anyhow::Result<(Vec<u8>, Doc<'s>, Style)> {
    let style = if rng.random_bool(0.5) {
        Style::Sims
    } else {
        Style::Cpoms
    };
    let mut d = Doc::new(school, Charset::Latin1);
    let mut pupils = cohort(school, rng, with_subject);
    let n = pages.saturating_sub(1) * LINES_PER_PAGE + rng.random_range(5..40);
    if with_subject {
        let at = rng.random_range(0..pupils.len().min(n));
        pupils.insert(at, school.subject);
    }
    let mut lines = vec![
        Line::Heading(format!("{} - Attendance summary", school.name)),
        Line::Cells(vec![
            (0.0, "Pupil".into()),
            (170.0, "UPN".into()),
            (270.0, "Reg".into()),
            (310.0, "Possible".into()),
            (370.0, "Present".into()),
            (430.0, "%".into()),
        ]),
    ];
    for &p in pupils.iter().take(n) {
        let name = d.name(p, Form::UpperReversed);
        let upn = school.person(p).upn.clone().unwrap_or_default();
        let upn = d.id("upn", &upn, Some(p));
        let poss = rng.random_range(120..140);
        let pres = poss - rng.random_range(0..25);
        lines.push(Line::Cells(vec![
            (0.0, name),
            (170.0, upn),
            (270.0, school.person(p).reg.clone()),
            (310.0, poss.to_string()),
            (370.0, pres.to_string()),
            (
                430.0,
                format!("{:.1}", f64::from(pres) * 100.0 / f64::from(poss)),
            ),
        ]));
    }
    Ok((render(style, rng, "Attendance summary", &lines)?, d, style))
}

pub fn safeguarding_pdf<'s>(
    school: &'s School,
    rng: &mut ChaCha8Rng,
    pupil: usize,
    pages: usize,
) -> anyhow::Result<(Vec<u8>, Doc<'s>, Style)> {
    let style = if rng.random_bool(0.5) {
        Style::Arbor
    } else {
        Style::Cpoms
    };
    let mut d = Doc::new(school, Charset::Latin1);
    let mut lines = vec![Line::Heading(
        "Safeguarding chronology (CONFIDENTIAL)".into(),
    )];
    let target = pages.saturating_sub(1) * LINES_PER_PAGE + 10;
    let mut first = true;
    while lines.len() < target || first {
        lines.push(Line::Heading(format!("Entry {}", date_str(rng))));
        let paras = if first || rng.random_bool(0.4) {
            content::safeguarding(&mut d, rng, pupil)
        } else {
            content::incident(&mut d, rng, pupil)
        };
        first = false;
        for p in paras {
            for l in wrap(&p, style.width_chars()) {
                lines.push(Line::Text(l));
            }
        }
    }
    Ok((
        render(style, rng, "Safeguarding chronology", &lines)?,
        d,
        style,
    ))
}

pub fn write(cfg: &Config, school: &School, truth: &mut Truth) -> anyhow::Result<usize> {
    let dir = cfg.out.join("mis");
    std::fs::create_dir_all(&dir)?;
    let mut pages_total = 0;
    for i in 0..cfg.pdfs {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x9df0_0003 ^ ((i as u64) << 20));
        let pages = rng.random_range(2..11);
        let with_subject = rng.random_bool(0.6);
        let (kind, (bytes, d, style)) = match i % 3 {
            0 => (
                "behaviour-log",
                behaviour_pdf(school, &mut rng, pages, with_subject)?,
            ),
            1 => (
                "attendance",
                attendance_pdf(school, &mut rng, pages, with_subject)?,
            ),
            _ => {
                let pupil = if with_subject {
                    school.subject
                } else {
                    content::other_pupil(school, &mut rng, &[school.subject])
                };
                (
                    "safeguarding",
                    safeguarding_pdf(school, &mut rng, pupil, pages)?,
                )
            }
        };
        pages_total += pages;
        let rel = format!("mis/{kind}-{i:04}.pdf");
        std::fs::write(cfg.out.join(&rel), bytes)?;
        let (in_scope, reason) = if d.mentions_subject {
            (true, "names the subject")
        } else {
            (false, "does not name the subject")
        };
        truth.add(
            &Record {
                key: rel.clone(),
                path: &rel,
                message_id: None,
                parent: None,
                kind: "pdf",
                producer: Some(style.label()),
                in_scope,
                scope_reason: reason,
            },
            &d,
        )?;
    }
    Ok(pages_total)
}
