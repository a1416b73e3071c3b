//! Attachments for about one message in ten: a PDF report, a class-list workbook, a Word
//! document, a zip of documents, or a forwarded message (message/rfc822). Each attachment (and
//! each zip entry and sheet) is its own ground-truth document.

use chrono::NaiveDateTime;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::content;
use crate::doc::{Charset, Doc, Form};
use crate::export::{in_range, OwnedRecord};
use crate::mime::{Addr, Mail, Part, Transfer};
use crate::mis;
use crate::office::{self, Cell};
use crate::school::School;

pub struct Attachment<'s> {
    pub part: Part,
    pub records: Vec<(OwnedRecord, Doc<'s>)>,
}

fn scope(parent_in: bool, d: &Doc) -> (bool, String) {
    if !parent_in {
        (false, "attached to mail that is out of scope".into())
    } else if d.mentions_subject {
        (true, "names the subject".into())
    } else {
        (
            false,
            "attachment of in-scope mail that does not name the subject".into(),
        )
    }
}

fn rec(
    key: String,
    parent: &str,
    kind: &'static str,
    producer: Option<&'static str>,
    scope: (bool, String),
) -> OwnedRecord {
    OwnedRecord {
        key,
        message_id: None,
        parent: Some(parent.to_string()),
        kind,
        producer,
        in_scope: scope.0,
        scope_reason: scope.1,
    }
}

/// A pupil for the attachment: the mail's focus half the time.
fn who(school: &School, rng: &mut ChaCha8Rng, focus: usize) -> usize {
    if rng.random_bool(0.5) {
        focus
    } else {
        content::other_pupil(school, rng, &[school.subject])
    }
}

/// Twenty-odd pupils of the focus pupil's year, as a class list.
fn class_list<'s>(
    school: &'s School,
    rng: &mut ChaCha8Rng,
    focus: usize,
) -> (Vec<Vec<Cell>>, Doc<'s>) {
    let mut d = Doc::new(school, Charset::Unicode);
    let mut rows = vec![vec![
        Cell::S("Name".into()),
        Cell::S("UPN".into()),
        Cell::S("Reg".into()),
        Cell::S("Reading age".into()),
    ]];
    let year = school.person(focus).year;
    let mut picked = vec![focus];
    for p in school
        .pupils
        .iter()
        .copied()
        .filter(|&p| school.person(p).year == year && p != focus)
    {
        if picked.len() >= 24 {
            break;
        }
        if rng.random_bool(0.2) {
            picked.push(p);
        }
    }
    for p in picked {
        let name = d.name(p, Form::Reversed);
        let upn = school.person(p).upn.clone().unwrap_or_default();
        let upn = d.id("upn", &upn, Some(p));
        rows.push(vec![
            Cell::S(name),
            Cell::S(upn),
            Cell::S(school.person(p).reg.clone()),
            Cell::N(f64::from(rng.random_range(90u32..190)) / 10.0),
        ]);
    }
    (rows, d)
}

pub fn make<'s>(
    school: &'s School,
    rng: &mut ChaCha8Rng,
    focus: usize,
    mid: &str,
    parent_in: bool,
    date: NaiveDateTime,
    i: usize,
) -> anyhow::Result<Vec<Attachment<'s>>> {
    let mut out = Vec::new();
    match rng.random_range(0..100) {
        0..35 => {
            let pupil = who(school, rng, focus);
            let mut sub = ChaCha8Rng::seed_from_u64(rng.random());
            let (bytes, d, style) = mis::safeguarding_pdf(school, &mut sub, pupil, 2)?;
            let name = format!("report-{i}.pdf");
            out.push(Attachment {
                records: vec![(
                    rec(
                        format!("{mid} › {name}"),
                        mid,
                        "pdf",
                        Some(style.label()),
                        scope(parent_in, &d),
                    ),
                    d,
                )],
                part: Part::File(name, "application/pdf", bytes),
            });
        }
        35..50 => {
            let w = who(school, rng, focus);
            let (rows, d) = class_list(school, rng, w);
            let name = format!("class-list-{i}.xlsx");
            let bytes = office::xlsx(&[("Class list".to_string(), rows)])?;
            out.push(Attachment {
                records: vec![(
                    rec(
                        format!("{mid} › {name} › Class list"),
                        mid,
                        "sheet",
                        None,
                        scope(parent_in, &d),
                    ),
                    d,
                )],
                part: Part::File(
                    name,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    bytes,
                ),
            });
        }
        50..70 => {
            let mut d = Doc::new(school, Charset::Unicode);
            let pupil = who(school, rng, focus);
            let paras = content::incident(&mut d, rng, pupil);
            let name = format!("notes-{i}.docx");
            out.push(Attachment {
                records: vec![(
                    rec(
                        format!("{mid} › {name}"),
                        mid,
                        "docx",
                        None,
                        scope(parent_in, &d),
                    ),
                    d,
                )],
                part: Part::File(
                    name,
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    office::docx(&paras)?,
                ),
            });
        }
        70..85 => {
            let zname = format!("documents-{i}.zip");
            let zkey = format!("{mid} › {zname}");
            let mut d1 = Doc::new(school, Charset::Unicode);
            let pupil = who(school, rng, focus);
            let paras = content::safeguarding(&mut d1, rng, pupil);
            let w = who(school, rng, focus);
            let (rows, d2) = class_list(school, rng, w);
            let csv: String = rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Cell::S(s) => crate::school::csv_cell(s),
                            Cell::N(n) => format!("{n}"),
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect::<Vec<_>>()
                .join("\r\n");
            let bytes = office::zip(&[
                ("chronology.docx".to_string(), office::docx(&paras)?),
                ("class-list.csv".to_string(), csv.into_bytes()),
            ])?;
            let s1 = scope(parent_in, &d1);
            let s2 = scope(parent_in, &d2);
            out.push(Attachment {
                records: vec![
                    (
                        rec(format!("{zkey} › chronology.docx"), &zkey, "docx", None, s1),
                        d1,
                    ),
                    (
                        rec(format!("{zkey} › class-list.csv"), &zkey, "csv", None, s2),
                        d2,
                    ),
                ],
                part: Part::File(zname, "application/zip", bytes),
            });
        }
        _ => {
            // A parent's message forwarded by a member of staff.
            let pupil = who(school, rng, focus);
            let Some(parent) = content::contact_of(school, rng, pupil) else {
                return Ok(out);
            };
            let staff = school.staff[rng.random_range(0..school.staff.len())];
            let inner_date = date - chrono::Duration::hours(rng.random_range(2..72));
            let mut body = Doc::new(school, Charset::Unicode);
            let paras = content::from_parent(&mut body, rng, pupil, parent);
            let mut item = Doc::new(school, Charset::Unicode);
            item.name(parent, Form::Full);
            item.id("email", &school.person(parent).email, Some(parent));
            item.name(staff, Form::Full);
            item.id("email", &school.person(staff).email, Some(staff));
            item.merge(&body);
            let inner_mid = format!("<fwd.{i}.{:08x}@mail.gmail.com>", rng.random::<u32>());
            let mail = Mail {
                from: Addr {
                    name: school.person(parent).full(),
                    email: school.person(parent).email.clone(),
                },
                to: vec![Addr {
                    name: school.person(staff).full(),
                    email: school.person(staff).email.clone(),
                }],
                cc: Vec::new(),
                date: inner_date.format("%a, %d %b %Y %H:%M:%S +0000").to_string(),
                subject: "Message from home".into(),
                message_id: inner_mid.clone(),
                in_reply_to: None,
                plain: paras.join("\n\n"),
                html: false,
                html_only: false,
                transfer: Transfer::QuotedPrintable,
                parts: Vec::new(),
                boundary_key: format!("inner{i}"),
            };
            let sc = if !parent_in {
                (false, "attached to mail that is out of scope".to_string())
            } else if !in_range(inner_date) {
                (
                    false,
                    "forwarded message dated outside the search range".to_string(),
                )
            } else {
                scope(true, &item)
            };
            out.push(Attachment {
                records: vec![(
                    OwnedRecord {
                        key: inner_mid.clone(),
                        message_id: Some(inner_mid),
                        parent: Some(mid.to_string()),
                        kind: "attached-mail",
                        producer: None,
                        in_scope: sc.0,
                        scope_reason: sc.1,
                    },
                    item,
                )],
                part: Part::Message("Message from home.eml".into(), mail.render()),
            });
        }
    }
    Ok(out)
}
