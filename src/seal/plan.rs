//! What happens to each in-scope item, decided before anything is written: redacted and
//! disclosed, withheld under an exemption, provided on paper, or waiting for a person. Sealing
//! refuses while any item waits, so nothing in scope can slip out of the bundle unaccounted.

use std::collections::HashMap;

use super::scanned::{Item, Scanned};

/// How an item's disclosed copy is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Make {
    /// Through the redaction engine (true removal), then stamped.
    RedactPdf,
    /// Rendered from its text with the redactions applied before layout.
    Email,
    Sheet,
    Text,
    /// Disclosed as it stands, by the DPO's decision (a photo, say): the original file.
    Original,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Treatment {
    Disclose(Make),
    Withheld {
        reason: String,
        decided_by: String,
    },
    OnPaper {
        decided_by: String,
    },
    /// A person must decide: why.
    Undecided(String),
}

/// The DPO's item-level decisions, keyed by item id.
#[derive(Debug, Default, Clone)]
pub struct Settlements {
    pub withheld: HashMap<String, (String, String)>,
    pub as_is: HashMap<String, String>,
    pub on_paper: HashMap<String, String>,
}

/// One in-scope item's fate, in bundle order.
#[derive(Debug, Clone)]
pub struct Planned {
    pub item: usize,
    pub treatment: Treatment,
    /// `NNNN-kind[-date]` (no extension) for disclosed items.
    pub stem: Option<String>,
    /// The date the item is filed under (its own, or its message's for an attachment).
    pub day: Option<String>,
}

const CONTAINERS: &[&str] = &["workbook", "zip", "pst", "mbox", "export-metadata"];

fn treatment(item: &Item, s: &Settlements) -> Option<Treatment> {
    if CONTAINERS.contains(&item.kind.as_str()) && item.is_ok() {
        return None; // its items are judged one by one
    }
    if let Some((reason, by)) = s.withheld.get(&item.item_id) {
        return Some(Treatment::Withheld {
            reason: reason.clone(),
            decided_by: by.clone(),
        });
    }
    if let Some(by) = s.on_paper.get(&item.item_id) {
        return Some(Treatment::OnPaper {
            decided_by: by.clone(),
        });
    }
    let as_is = s.as_is.contains_key(&item.item_id);
    if !item.is_ok() {
        return Some(if as_is && item.state == "unsupported" {
            Treatment::Disclose(Make::Original)
        } else {
            Treatment::Undecided(format!(
                "{}: {} (withhold it, disclose it as it stands, or provide it on paper)",
                item.state, item.detail
            ))
        });
    }
    let make = match item.kind.as_str() {
        "email" => Make::Email,
        "sheet" => Make::Sheet,
        "docx" | "text" | "html" => Make::Text,
        "pdf" => {
            let unsearchable = item.detail.contains("image with no text layer")
                || item.detail.contains("no Unicode mapping");
            if unsearchable && !as_is {
                return Some(Treatment::Undecided(format!(
                    "PDF text that cannot be read or redacted: {}",
                    item.detail
                )));
            }
            Make::RedactPdf
        }
        _ if as_is => Make::Original,
        other => {
            return Some(Treatment::Undecided(format!(
                "a {other} cannot be searched or redacted by the tool: {}",
                if item.detail.is_empty() {
                    "a person must look at it"
                } else {
                    &item.detail
                }
            )))
        }
    };
    Some(Treatment::Disclose(make))
}

/// The word an entry name uses for the item: it says what it is, never what it is about.
fn kind_word(item: &Item, make: Make) -> &'static str {
    match (make, item.kind.as_str()) {
        (Make::Email, _) => "email",
        (Make::Sheet, _) => "spreadsheet",
        (Make::Original, "image") => "image",
        (Make::Original, _) => "file",
        _ => "document",
    }
}

/// Plans every in-scope item in bundle order: by source folder, then by date (an attachment
/// files under its message's date, right after it), then inventory order.
pub fn plan(scanned: &Scanned, s: &Settlements) -> Vec<Planned> {
    let index: HashMap<&str, usize> = scanned
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.item_id.as_str(), i))
        .collect();
    // The outermost dated ancestor gives an item its date and its place.
    let filed_under = |mut i: usize| -> (usize, Option<String>) {
        let mut day = scanned.items[i].day().map(str::to_string);
        let mut root = i;
        let mut guard = 0;
        while let Some(&p) = index.get(scanned.items[i].parent_id.as_str()) {
            guard += 1;
            if guard > 64 {
                break;
            }
            i = p;
            root = p;
            if let Some(d) = scanned.items[p].day() {
                day = Some(d.to_string());
            }
        }
        (root, day)
    };
    let mut planned: Vec<(String, String, usize, usize, Planned)> = Vec::new();
    for (i, item) in scanned.items.iter().enumerate() {
        if !item.in_scope() {
            continue;
        }
        let Some(t) = treatment(item, s) else {
            continue;
        };
        let (root, day) = filed_under(i);
        let group = source_group(&scanned.items[root].source_path);
        planned.push((
            group,
            day.clone().unwrap_or_default(),
            root,
            i,
            Planned {
                item: i,
                treatment: t,
                stem: None,
                day,
            },
        ));
    }
    planned.sort_by(|a, b| (&a.0, &a.1, a.2, a.3).cmp(&(&b.0, &b.1, b.2, b.3)));
    // Numbers as wide as the largest, so names sort in bundle order (0001 … 9999, or
    // 00001 … 12345 for a bundle of more than 9,999 documents).
    let total = planned
        .iter()
        .filter(|p| matches!(p.4.treatment, Treatment::Disclose(_)))
        .count();
    let width = total.to_string().len().max(4);
    let mut n = 0;
    planned
        .into_iter()
        .map(|(_, _, _, _, mut p)| {
            if let Treatment::Disclose(make) = p.treatment {
                n += 1;
                let word = kind_word(&scanned.items[p.item], make);
                p.stem = Some(match &p.day {
                    Some(d) => format!("{n:0width$}-{word}-{d}"),
                    None => format!("{n:0width$}-{word}"),
                });
            }
            p
        })
        .collect()
}

/// The folder a top-level source file sits in: mail exports, MIS reports and drives stay
/// together in the bundle.
fn source_group(source_path: &str) -> String {
    let top = source_path
        .split(crate::ingest::driver::PATH_SEP)
        .next()
        .unwrap_or("");
    match top.rfind('/') {
        Some(i) => top[..i].to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, parent: &str, path: &str, kind: &str, state: &str, date: &str) -> Item {
        Item {
            item_id: id.into(),
            parent_id: parent.into(),
            source_path: path.into(),
            kind: kind.into(),
            sha256: format!("{id:0>64}"),
            size: 1,
            state: state.into(),
            detail: if state == "ok" {
                String::new()
            } else {
                "an image: a person must look at it".into()
            },
            date: date.into(),
            in_scope: "yes".into(),
        }
    }

    fn scanned(items: Vec<Item>) -> Scanned {
        let n = items.len();
        Scanned::new("out".into(), items, n)
    }

    #[test]
    fn attachments_follow_their_message_and_take_its_date() {
        let s = scanned(vec![
            item(
                "m2",
                "",
                "export/b.eml",
                "email",
                "ok",
                "2023-10-04T12:30:00Z",
            ),
            item("x", "m2", "export/b.eml › t.xlsx", "workbook", "ok", ""),
            item("s", "x", "export/b.eml › t.xlsx › 8RH", "sheet", "ok", ""),
            item(
                "m1",
                "",
                "export/a.eml",
                "email",
                "ok",
                "2023-09-12T16:05:00Z",
            ),
            item("p", "", "mis/log.pdf", "pdf", "ok", ""),
        ]);
        let p = plan(&s, &Settlements::default());
        let stems: Vec<_> = p.iter().filter_map(|p| p.stem.clone()).collect();
        assert_eq!(
            stems,
            [
                "0001-email-2023-09-12",
                "0002-email-2023-10-04",
                "0003-spreadsheet-2023-10-04",
                "0004-document"
            ]
        );
    }

    #[test]
    fn unreadable_items_wait_for_a_decision_and_decisions_settle_them() {
        let s = scanned(vec![
            item(
                "m",
                "",
                "export/a.eml",
                "email",
                "ok",
                "2023-10-06T09:00:00Z",
            ),
            item(
                "j",
                "m",
                "export/a.eml › relay.jpg",
                "image",
                "unsupported",
                "",
            ),
        ]);
        let p = plan(&s, &Settlements::default());
        assert!(matches!(p[1].treatment, Treatment::Undecided(_)));
        let mut settle = Settlements::default();
        settle.withheld.insert(
            "j".into(),
            ("THIRD-PARTY".into(), "J. Okonkwo, 2023-11-01".into()),
        );
        let p = plan(&s, &settle);
        assert!(matches!(p[1].treatment, Treatment::Withheld { .. }));
        assert_eq!(p[1].stem, None, "withheld items get no bundle entry");
        let mut settle = Settlements::default();
        settle.as_is.insert("j".into(), "J. Okonkwo".into());
        let p = plan(&s, &settle);
        assert_eq!(p[1].treatment, Treatment::Disclose(Make::Original));
        assert_eq!(p[1].stem.as_deref(), Some("0002-image-2023-10-06"));
    }

    #[test]
    fn ten_thousand_documents_get_five_digit_numbers_that_sort() {
        let items: Vec<Item> = (0..10_000)
            .map(|i| {
                item(
                    &format!("m{i}"),
                    "",
                    &format!("export/{i:05}.eml"),
                    "email",
                    "ok",
                    "",
                )
            })
            .collect();
        let p = plan(&scanned(items), &Settlements::default());
        assert_eq!(p[0].stem.as_deref(), Some("00001-email"));
        assert_eq!(p[9_999].stem.as_deref(), Some("10000-email"));
        for s in p.iter().filter_map(|p| p.stem.as_deref()) {
            assert!(
                crate::bundle::is_safe_entry_name(&format!("{s}.pdf")),
                "{s}"
            );
        }
    }

    #[test]
    fn out_of_scope_items_and_containers_are_not_planned() {
        let mut out = item("o", "", "export/o.eml", "email", "ok", "");
        out.in_scope = "no".into();
        let s = scanned(vec![out, item("z", "", "export/a.zip", "zip", "ok", "")]);
        assert!(plan(&s, &Settlements::default()).is_empty());
    }
}
