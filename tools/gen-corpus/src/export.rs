//! The mail export: one Google Vault-style mbox per mailbox for half the staff mailboxes
//! (`export/Vault/<address>.mbox`) and Purview-style .eml folders for the other half
//! (`export/Exchange/<address> (Primary)/Inbox|Sent Items/*.eml`). Messages are written as they
//! are made; only a short ring of open threads is kept for replies.

use std::collections::{HashMap, VecDeque};
use std::fs::{self, File};
use std::io::{BufWriter, Write};

use chrono::{Days, NaiveDate, NaiveDateTime};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::attach;
use crate::content;
use crate::doc::{Charset, Doc, Form};
use crate::mime::{Addr, Mail, Transfer};
use crate::school::School;
use crate::truth::{Record, Truth};
use crate::Config;

pub fn search_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 9, 1).unwrap_or_default()
}
pub fn search_to() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default()
}

pub fn in_range(d: NaiveDateTime) -> bool {
    let day = d.date();
    day >= search_from() && day <= search_to()
}

fn rfc2822(d: NaiveDateTime) -> String {
    d.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// A sent time: mostly inside the search range, some before it, a few after the request.
fn mail_time(rng: &mut ChaCha8Rng) -> NaiveDateTime {
    let (start, span) = match rng.random_range(0..100) {
        0..6 => (NaiveDate::from_ymd_opt(2022, 1, 10), 590),
        6..8 => (NaiveDate::from_ymd_opt(2026, 11, 5), 20),
        _ => (NaiveDate::from_ymd_opt(2023, 9, 4), 1152),
    };
    let day = start.unwrap_or_default() + Days::new(rng.random_range(0..span));
    day.and_hms_opt(
        rng.random_range(7..19),
        rng.random_range(0..60),
        rng.random_range(0..60),
    )
    .unwrap_or_default()
}

/// The part of a thread a reply needs.
struct Thread {
    subject: String,
    subject_doc: Vec<(usize, Form)>,
    message_id: String,
    last_from: usize,
    last_to: usize,
    date: NaiveDateTime,
    body: String,
    body_doc: DocState,
    depth: u8,
    kind: Kind,
    focus: usize,
}

/// The recorded part of a body, to be re-recorded when the body is quoted.
#[derive(Clone, Default)]
struct DocState {
    mentions: Vec<crate::doc::Mention>,
    ids: Vec<crate::doc::Planted>,
    subject: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    StaffStaff,
    ToParent,
    FromParent,
    Routine,
    SubjectAccount,
    ToPupil,
}

enum Sink {
    Mbox(BufWriter<File>),
    Folder(std::path::PathBuf),
}

fn addr_of(s: &School, p: usize) -> Addr {
    let person = s.person(p);
    Addr {
        name: person.full(),
        email: person.email.clone(),
    }
}

fn sanitize(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == ' ' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    t.trim().to_string()
}

pub struct MailStats {
    pub messages: usize,
    pub attachments: usize,
}

pub fn write(cfg: &Config, school: &School, truth: &mut Truth) -> anyhow::Result<MailStats> {
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0xe4a1_0002);
    let export = cfg.out.join("export");
    let mut sinks: HashMap<usize, Sink> = HashMap::new();
    for (k, &m) in school.mailboxes.iter().enumerate() {
        let email = &school.person(m).email;
        let sink = if k % 2 == 0 {
            let dir = export.join("Vault");
            fs::create_dir_all(&dir)?;
            Sink::Mbox(BufWriter::new(File::create(
                dir.join(format!("{email}.mbox")),
            )?))
        } else {
            let dir = export.join("Exchange").join(format!("{email} (Primary)"));
            fs::create_dir_all(dir.join("Inbox"))?;
            fs::create_dir_all(dir.join("Sent Items"))?;
            Sink::Folder(dir)
        };
        sinks.insert(m, sink);
    }
    let mut threads: VecDeque<Thread> = VecDeque::new();
    let mut stats = MailStats {
        messages: 0,
        attachments: 0,
    };
    for i in 0..cfg.mails {
        let owner = *school
            .mailboxes
            .choose(&mut rng)
            .unwrap_or(&school.staff[0]);
        let reply = if !threads.is_empty() && rng.random_bool(0.3) {
            let k = rng.random_range(0..threads.len());
            threads.remove(k)
        } else {
            None
        };
        let made = make_mail(cfg, school, &mut rng, i, owner, reply)?;
        stats.attachments += made.attachments;
        let raw = made.mail.render();
        let sent_by_owner = made.from == owner;
        let rel = match sinks.get_mut(&owner) {
            Some(Sink::Mbox(w)) => {
                let from_line = format!(
                    "From {} {}\r\n",
                    school.person(made.from).email,
                    made.date.format("%a %b %e %H:%M:%S %Y")
                );
                w.write_all(from_line.as_bytes())?;
                for line in raw.split_inclusive(|&b| b == b'\n') {
                    let stripped = line.iter().position(|&b| b != b'>').unwrap_or(line.len());
                    if line[stripped..].starts_with(b"From ") {
                        w.write_all(b">")?;
                    }
                    w.write_all(line)?;
                }
                w.write_all(b"\r\n")?;
                format!("export/Vault/{}.mbox", school.person(owner).email)
            }
            Some(Sink::Folder(dir)) => {
                let folder = if sent_by_owner { "Sent Items" } else { "Inbox" };
                let name = format!("{i:06} {}.eml", sanitize(&made.mail.subject));
                fs::write(dir.join(folder).join(&name), &raw)?;
                format!(
                    "export/Exchange/{} (Primary)/{folder}/{name}",
                    school.person(owner).email
                )
            }
            None => anyhow::bail!("no sink for mailbox {owner}"),
        };
        for (r, d) in made.records {
            let rec = Record {
                path: &rel,
                ..r.as_record()
            };
            truth.add(&rec, &d)?;
        }
        stats.messages += 1;
        if let Some(t) = made.thread {
            threads.push_back(t);
            if threads.len() > 40 {
                threads.pop_front();
            }
        }
    }
    for (_, s) in sinks {
        if let Sink::Mbox(mut w) = s {
            w.flush()?;
        }
    }
    Ok(stats)
}

/// A ground-truth record whose path is filled in once the message is placed.
pub struct OwnedRecord {
    pub key: String,
    pub message_id: Option<String>,
    pub parent: Option<String>,
    pub kind: &'static str,
    pub producer: Option<&'static str>,
    pub in_scope: bool,
    pub scope_reason: String,
}

impl OwnedRecord {
    pub fn as_record(&self) -> Record<'_> {
        Record {
            key: self.key.clone(),
            path: "",
            message_id: self.message_id.as_deref(),
            parent: self.parent.as_deref(),
            kind: self.kind,
            producer: self.producer,
            in_scope: self.in_scope,
            scope_reason: &self.scope_reason,
        }
    }
}

struct Made<'s> {
    mail: Mail,
    from: usize,
    date: NaiveDateTime,
    records: Vec<(OwnedRecord, Doc<'s>)>,
    thread: Option<Thread>,
    attachments: usize,
}

fn restore(d: &mut Doc, st: &DocState) {
    d.mentions.extend(st.mentions.iter().cloned());
    d.ids.extend(st.ids.iter().cloned());
    d.mentions_subject |= st.subject;
}

fn state_of(d: &Doc) -> DocState {
    DocState {
        mentions: d.mentions.clone(),
        ids: d.ids.clone(),
        subject: d.mentions_subject,
    }
}

/// Wraps plain text at 76 columns without breaking inside a name (names carry no-break
/// markers while wrapping).
fn wrap_mail(paras: &[String]) -> String {
    paras
        .iter()
        .map(|p| {
            p.split('\n')
                .flat_map(|l| crate::pdf::wrap(l, 76))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
        .replace('\u{a0}', " ")
}

fn make_mail<'s>(
    cfg: &Config,
    school: &'s School,
    rng: &mut ChaCha8Rng,
    i: usize,
    owner: usize,
    reply: Option<Thread>,
) -> anyhow::Result<Made<'s>> {
    let subj = school.subject;
    let focus = match &reply {
        Some(t) => t.focus,
        None if rng.random_bool(0.4) => subj,
        None => content::other_pupil(school, rng, &[subj]),
    };
    let kind = match &reply {
        Some(t) => t.kind,
        None => match rng.random_range(0..100) {
            0..40 => Kind::StaffStaff,
            40..58 => Kind::ToParent,
            58..72 => Kind::FromParent,
            72..84 => Kind::Routine,
            84..88 => Kind::SubjectAccount,
            _ => Kind::ToPupil,
        },
    };
    let date = match &reply {
        Some(t) => t.date + chrono::Duration::minutes(rng.random_range(20..3000)),
        None => mail_time(rng),
    };
    let other_staff = loop {
        let s = *school.staff.choose(rng).unwrap_or(&owner);
        if s != owner || school.staff.len() == 1 {
            break s;
        }
    };
    let parent = content::contact_of(school, rng, focus);
    // Who writes to whom.
    let (from, to, kind) = match (&reply, kind, parent) {
        (Some(t), _, _) => (t.last_to, t.last_from, kind),
        (None, Kind::ToParent, Some(p)) => (owner, p, kind),
        (None, Kind::FromParent, Some(p)) => (p, owner, kind),
        (None, Kind::SubjectAccount, _) => {
            if rng.random_bool(0.5) {
                (owner, subj, kind)
            } else {
                (subj, owner, kind)
            }
        }
        (None, Kind::ToPupil, _) => (owner, focus, kind),
        (None, Kind::Routine, _) => (other_staff, owner, kind),
        _ => {
            if rng.random_bool(0.5) {
                (owner, other_staff, Kind::StaffStaff)
            } else {
                (other_staff, owner, Kind::StaffStaff)
            }
        }
    };
    // A reply to a parent's mail is a mail to the parent, and the other way round.
    let kind = match kind {
        Kind::ToParent | Kind::FromParent
            if school.person(from).role == crate::school::Role::Contact =>
        {
            Kind::FromParent
        }
        Kind::ToParent | Kind::FromParent => Kind::ToParent,
        k => k,
    };
    // The body.
    let mut body = Doc::new(school, Charset::Unicode);
    body.no_break = true;
    let paras: Vec<String> = match kind {
        Kind::Routine => content::routine(&mut body, rng),
        Kind::ToParent => content::to_parent(&mut body, rng, focus, to, from),
        Kind::FromParent => content::from_parent(&mut body, rng, focus, from),
        Kind::SubjectAccount | Kind::ToPupil => {
            let pupil = if from == owner { to } else { from };
            let n = body.name(pupil, Form::FirstOnly);
            let sig = body.staff_name(owner);
            vec![
                format!("Hi {n},"),
                "Please remember to hand in your coursework by Friday; the submission folder is on Teams.".into(),
                format!("Thanks,\n{sig}"),
            ]
        }
        Kind::StaffStaff => content::incident(&mut body, rng, focus),
    };
    let mut plain = wrap_mail(&paras);
    let mut depth = 0;
    let mut subject_forms: Vec<(usize, Form)> = Vec::new();
    let subject_line = match &reply {
        Some(t) => {
            // Quote the previous message.
            let prev_from = school.person(t.last_from);
            body.no_break = false;
            let on = format!(
                "On {}, {} <{}> wrote:",
                t.date.format("%d/%m/%Y %H:%M"),
                body.name(t.last_from, Form::Full),
                body.id("email", &prev_from.email, Some(t.last_from))
            );
            let quoted: String = t
                .body
                .lines()
                .map(|l| {
                    if l.is_empty() {
                        ">".to_string()
                    } else {
                        format!("> {l}")
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            plain = format!("{plain}\n\n{on}\n{quoted}");
            restore(&mut body, &t.body_doc);
            depth = t.depth + 1;
            subject_forms = t.subject_doc.clone();
            if t.subject.starts_with("Re: ") {
                t.subject.clone()
            } else {
                format!("Re: {}", t.subject)
            }
        }
        None => {
            let topic = match kind {
                Kind::Routine => ["INSET day", "Reports deadline", "Duty rota", "Fire drill"]
                    [rng.random_range(0..4)],
                Kind::ToParent | Kind::FromParent => [
                    "Attendance",
                    "Parents' evening",
                    "Detention",
                    "Change of address",
                ][rng.random_range(0..4)],
                Kind::SubjectAccount | Kind::ToPupil => "Coursework",
                Kind::StaffStaff => [
                    "Incident at lunch",
                    "Behaviour – Year 9",
                    "Pastoral meeting",
                    "Safeguarding concern",
                ][rng.random_range(0..4)],
            };
            if kind != Kind::Routine && rng.random_bool(0.3) {
                let form = if rng.random_bool(0.3) {
                    Form::Unaccented
                } else {
                    Form::Full
                };
                subject_forms.push((focus, form));
                let mut tmp = Doc::new(school, Charset::Unicode);
                format!("{topic} – {}", tmp.name(focus, form))
            } else {
                topic.to_string()
            }
        }
    };
    // Headers, the subject line and the body make one searchable item.
    let mut item = Doc::new(school, Charset::Unicode);
    item.name(from, Form::Full);
    item.id("email", &school.person(from).email, Some(from));
    item.name(to, Form::Full);
    item.id("email", &school.person(to).email, Some(to));
    let mut cc = Vec::new();
    if matches!(kind, Kind::StaffStaff) && rng.random_bool(0.25) {
        let c = *school.staff.choose(rng).unwrap_or(&owner);
        if c != from && c != to {
            item.name(c, Form::Full);
            item.id("email", &school.person(c).email, Some(c));
            cc.push(addr_of(school, c));
        }
    }
    for (p, f) in &subject_forms {
        item.name(*p, *f);
    }
    item.merge(&body);
    let message_id = format!(
        "<{:08x}.{i}.{}@{}>",
        rng.random::<u32>(),
        cfg.seed,
        if school.person(from).role == crate::school::Role::Contact {
            "mail.gmail.com"
        } else {
            "oakfield.sch.uk"
        }
    );
    let excluded_account = from == subj || to == subj;
    let (in_scope, reason) = if excluded_account {
        (
            false,
            "participant is the subject's own account".to_string(),
        )
    } else if !in_range(date) {
        (
            false,
            format!("dated {}, outside the search range", date.date()),
        )
    } else if item.mentions_subject {
        (true, "names the subject".to_string())
    } else {
        (false, "does not name the subject".to_string())
    };
    let transfer = match rng.random_range(0..10) {
        0..5 => Transfer::QuotedPrintable,
        5..7 => Transfer::Base64,
        _ => Transfer::SevenBit,
    };
    let html_roll = rng.random_range(0..10);
    let mut mail = Mail {
        from: addr_of(school, from),
        to: vec![addr_of(school, to)],
        cc,
        date: rfc2822(date),
        subject: subject_line.clone(),
        message_id: message_id.clone(),
        in_reply_to: reply.as_ref().map(|t| t.message_id.clone()),
        plain: plain.clone(),
        html: html_roll < 5,
        html_only: html_roll == 5,
        transfer,
        parts: Vec::new(),
        boundary_key: format!("{:016x}", rng.random::<u64>()),
    };
    let mut records = Vec::new();
    let mut attachments = 0;
    if rng.random_bool(0.1) {
        let parts = attach::make(school, rng, focus, &message_id, in_scope, date, i)?;
        for a in parts {
            attachments += 1;
            mail.parts.push(a.part);
            records.extend(a.records);
        }
    }
    let thread = (depth < 3 && kind != Kind::Routine).then(|| Thread {
        subject: subject_line,
        subject_doc: subject_forms,
        message_id: message_id.clone(),
        last_from: from,
        last_to: to,
        date,
        body: plain,
        body_doc: state_of(&body),
        depth,
        kind,
        focus,
    });
    records.insert(
        0,
        (
            OwnedRecord {
                key: message_id.clone(),
                message_id: Some(message_id),
                parent: None,
                kind: "mail",
                producer: None,
                in_scope,
                scope_reason: reason,
            },
            item,
        ),
    );
    Ok(Made {
        mail,
        from,
        date,
        records,
        thread,
        attachments,
    })
}
