//! `OUT/review.html`: the page a DPO reads to check every proposed redaction before sealing.
//!
//! One self-contained file: inline CSS and script, no fonts, no network (a Content Security
//! Policy forbids it), so it opens from the case folder on a school laptop with nothing to
//! install and nothing leaves the machine. Every piece of document text is HTML-escaped, and
//! the script reads only attributes the page itself wrote, never document text as code.
//!
//! Spans may overlap ("Jayden Okafor" and "Okafor"): the text is cut at every span edge and
//! each piece is one element listing all the proposals covering it, so markup never nests
//! across tags. Items with no proposals start collapsed and very long texts are cut, so a case
//! of thousands of items stays usable in a browser.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::ops::Range;

use crate::decide::{Decisions, Final, ItemInfo, Outcome};
use crate::detect::exemptions::Catalogue;
use crate::detect::proposals::Proposal;

/// Longest text shown per item, in bytes; the rest is cut with a notice (the proposals past
/// the cut are still listed in the item's table).
pub const MAX_TEXT: usize = 200 * 1024;

/// Everything the page shows. Built by [`ReviewInput::build`] or by hand.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub reference: String,
    pub subject: String,
    /// When the page was made, as it should be shown (e.g. "2026-11-20 14:03").
    pub generated: String,
    /// How many decisions `decisions.toml` holds.
    pub decisions: usize,
    /// In-scope items, in inventory order.
    pub items: Vec<ReviewItem>,
    /// The codes used, with citation and plain-English description.
    pub reasons: Vec<ReasonInfo>,
    pub unmatched: Vec<UnmatchedNote>,
}

#[derive(Debug, Clone, Default)]
pub struct ReviewItem {
    pub item_id: String,
    pub sha256: String,
    pub source_path: String,
    pub kind: String,
    pub state: String,
    pub text: Option<String>,
    pub marks: Vec<Mark>,
    /// "LPP: J. Patel (DPO), 2026-11-20 (note)" when the whole item is withheld.
    pub withheld: Option<String>,
    /// "on-paper: J. Patel (DPO), 2026-11-20" when an unreadable item was settled.
    pub settled: Option<String>,
    /// Rectangles the DPO redacted, described ("page 2 [72, 700, 300, 720] THIRD-PARTY ...").
    pub regions: Vec<String>,
}

/// One proposal or DPO-added redaction over a byte span of the item's text.
#[derive(Debug, Clone, Default)]
pub struct Mark {
    pub span: Range<usize>,
    pub location: String,
    pub text: String,
    pub category: String,
    pub reason: String,
    pub rule: String,
    /// What detection proposed: `redact`, `flag`, or `added` (by the DPO).
    pub proposed: String,
    /// What will happen: `redact`, `disclose`, or `withheld` (the whole item is).
    pub outcome: String,
    pub decided_by: String,
}

#[derive(Debug, Clone, Default)]
pub struct ReasonInfo {
    pub code: String,
    pub citation: String,
    pub description: String,
}

#[derive(Debug, Clone, Default)]
pub struct UnmatchedNote {
    /// "decision 3 (line 27)".
    pub decision: String,
    pub action: String,
    pub why: String,
    /// The decision's text or term, shown so the DPO recognises it (the page is internal).
    pub text: Option<String>,
}

impl ReviewInput {
    /// The page's data from a scan and its decisions. `items` are the in-scope items with
    /// their text; `proposals` and `outcome` as given to and returned by [`crate::decide::apply`].
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        reference: &str,
        subject: &str,
        generated: &str,
        items: &[ItemInfo],
        proposals: &[(Proposal, Range<usize>)],
        outcome: &Outcome,
        decisions: &Decisions,
        catalogue: &Catalogue,
    ) -> ReviewInput {
        let mut decided: HashMap<usize, (&Final, &str)> = HashMap::new();
        for f in &outcome.redactions {
            if let Some(i) = f.proposal {
                decided.insert(i, (f, "redact"));
            }
        }
        for f in &outcome.disclosed {
            if let Some(i) = f.proposal {
                decided.insert(i, (f, "disclose"));
            }
        }
        let withheld: HashMap<&str, String> = outcome
            .withheld
            .iter()
            .map(|w| {
                let note = w
                    .note
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                (
                    w.item_id.as_str(),
                    format!(
                        "{}: {}, {}{note}",
                        w.reason,
                        w.who,
                        w.when.format("%Y-%m-%d")
                    ),
                )
            })
            .collect();
        let mut marks: HashMap<&str, Vec<Mark>> = HashMap::new();
        for (i, (p, span)) in proposals.iter().enumerate() {
            let (reason, outcome_label, decided_by) = match decided.get(&i) {
                Some((f, o)) => (f.reason.clone(), o.to_string(), f.decided_by.clone()),
                None if withheld.contains_key(p.item_id.as_str()) => (
                    p.reason.clone(),
                    "withheld".to_string(),
                    "whole item withheld".to_string(),
                ),
                None => (
                    p.reason.clone(),
                    p.action.label().to_string(),
                    String::new(),
                ),
            };
            marks.entry(p.item_id.as_str()).or_default().push(Mark {
                span: span.clone(),
                location: p.location.clone(),
                text: p.text.clone(),
                category: p.category.clone(),
                reason,
                rule: p.rule.clone(),
                proposed: p.action.label().to_string(),
                outcome: outcome_label,
                decided_by,
            });
        }
        for f in outcome.redactions.iter().filter(|f| f.proposal.is_none()) {
            marks.entry(f.item_id.as_str()).or_default().push(Mark {
                span: f.span.clone(),
                location: f.location.clone(),
                text: f.text.clone(),
                category: f.category.clone(),
                reason: f.reason.clone(),
                rule: f.rule.clone(),
                proposed: "added".into(),
                outcome: "redact".into(),
                decided_by: f.decided_by.clone(),
            });
        }
        let mut used: BTreeSet<String> = BTreeSet::new();
        let items: Vec<ReviewItem> = items
            .iter()
            .map(|it| {
                let mut m = marks.remove(it.item_id.as_str()).unwrap_or_default();
                m.sort_by_key(|x| (x.span.start, x.span.end));
                used.extend(m.iter().map(|x| x.reason.clone()));
                let regions: Vec<String> = outcome
                    .regions
                    .iter()
                    .filter(|r| r.item_id == it.item_id)
                    .map(|r| {
                        used.insert(r.reason.clone());
                        format!(
                            "page {} box [{}, {}, {}, {}]: {} ({})",
                            r.page,
                            r.rect[0],
                            r.rect[1],
                            r.rect[2],
                            r.rect[3],
                            r.reason,
                            r.decided_by
                        )
                    })
                    .collect();
                ReviewItem {
                    item_id: it.item_id.clone(),
                    sha256: it.sha256.clone(),
                    source_path: it.source_path.clone(),
                    kind: it.kind.clone(),
                    state: it.state.clone(),
                    text: it.text.clone(),
                    marks: m,
                    withheld: withheld.get(it.item_id.as_str()).cloned(),
                    settled: outcome
                        .settled
                        .iter()
                        .find(|s| s.item_id == it.item_id)
                        .map(|s| {
                            format!(
                                "{}: {}, {}",
                                s.how.label(),
                                s.who,
                                s.when.format("%Y-%m-%d")
                            )
                        }),
                    regions,
                }
            })
            .collect();
        used.extend(outcome.withheld.iter().map(|w| w.reason.clone()));
        let reasons = used
            .iter()
            .map(|code| match catalogue.get(code) {
                Some(e) => ReasonInfo {
                    code: e.code.clone(),
                    citation: e.citation.clone(),
                    description: e.description.clone(),
                },
                None => ReasonInfo {
                    code: code.clone(),
                    ..Default::default()
                },
            })
            .collect();
        ReviewInput {
            reference: reference.into(),
            subject: subject.into(),
            generated: generated.into(),
            decisions: decisions.decisions.len(),
            items,
            reasons,
            unmatched: outcome
                .unmatched
                .iter()
                .map(|u| UnmatchedNote {
                    decision: match u.line {
                        Some(l) => format!("decision {} (line {l})", u.number),
                        None => format!("decision {}", u.number),
                    },
                    action: u.action.label().into(),
                    why: u.why.clone(),
                    text: u.text.clone(),
                })
                .collect(),
        }
    }
}

/// HTML-escapes text for element content and quoted attributes alike.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A value as a CSS class suffix: lower-case letters, digits and hyphens only.
fn class_of(s: &str) -> String {
    let c: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if c.is_empty() {
        "none".into()
    } else {
        c
    }
}

/// A stable hue per category, so the same category has the same colour in every case.
fn hue(s: &str) -> u32 {
    let h = s.bytes().fold(2166136261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16777619)
    });
    h % 360
}

const CSS: &str = r#"
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1d1f;background:#f6f6f4}
header,section,main{max-width:1100px;margin:0 auto;padding:8px 20px}
header{background:#fff;border-bottom:1px solid #ddd}
h1{font-size:1.4em;margin:.4em 0}h2{font-size:1.1em;margin:.8em 0 .3em}
.internal{color:#8a1c1c;font-weight:600}
table{border-collapse:collapse;background:#fff;margin:4px 0}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#efefec}
.counts{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
#filters{position:sticky;top:0;background:#fffdf3;border-bottom:1px solid #e5dfc0;z-index:2}
#filters fieldset{display:inline-block;border:1px solid #ddd;margin:2px 6px 2px 0;padding:2px 8px}
#filters label{margin-right:8px;white-space:nowrap}
.item{background:#fff;border:1px solid #ddd;border-radius:4px;margin:8px 0;padding:4px 10px}
.item>summary{cursor:pointer;padding:4px 0}
.item.withheld{border-left:6px solid #8a1c1c}
.meta{color:#555;font-size:.85em}
.badge{display:inline-block;border-radius:3px;padding:0 5px;font-size:.8em;background:#eee;margin-left:4px}
.badge.warn{background:#f9d7d7}
pre.text{white-space:pre-wrap;word-wrap:break-word;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;background:#fafafa;border:1px solid #eee;padding:8px;max-height:70vh;overflow:auto}
.hl{border-radius:2px;cursor:help}
.hl.act-redact{border-bottom:2px solid #333}
.hl.act-flag{border-bottom:2px dashed #333}
.hl.act-added{border-bottom:2px dotted #333}
.hl.out-redact{font-weight:600}
.hl.out-disclose{text-decoration:underline wavy #0a7}
.hl.multi{outline:1px solid #555}
.hl.off{background:none!important;border:0;outline:0;font-weight:inherit;text-decoration:none}
tr.prop.out-redact td:first-child{border-left:4px solid #333}
tr.prop.out-disclose td:first-child{border-left:4px solid #0a7}
.notice{color:#8a5a00}
"#;

const SCRIPT: &str = r#"
(function () {
  var body = document.body;
  var form = document.getElementById('filters');
  var items = Array.prototype.slice.call(document.querySelectorAll('details.item'));
  var total = Number(body.getAttribute('data-highlights'));
  function boxes(name) {
    return Array.prototype.slice.call(form.querySelectorAll('input[name="' + name + '"]'));
  }
  function chosen(name) {
    var s = {};
    boxes(name).forEach(function (b) { if (b.checked) s[b.value] = true; });
    return s;
  }
  function narrowed(name) {
    return boxes(name).some(function (b) { return !b.checked; });
  }
  function fromHash() {
    var h = window.location.hash.replace(/^#/, '');
    if (!h) return;
    h.split('&').forEach(function (pair) {
      var kv = pair.split('=');
      var key = decodeURIComponent(kv[0] || '');
      var vals = decodeURIComponent(kv[1] || '').split(',');
      if (key === 'reason') {
        document.getElementById('f-reason').value = vals[0];
      } else if (key === 'only') {
        document.getElementById('f-only').checked = vals[0] === '1';
      } else if (key === 'category' || key === 'action' || key === 'outcome') {
        boxes(key).forEach(function (b) { b.checked = vals.indexOf(b.value) >= 0; });
      }
    });
  }
  function apply() {
    var reason = document.getElementById('f-reason').value;
    var cats = chosen('category'), acts = chosen('action'), outs = chosen('outcome');
    var only = document.getElementById('f-only').checked;
    var narrow = reason !== '' || narrowed('category') || narrowed('action') || narrowed('outcome');
    var visible = 0, hiddenItems = 0, shownRows = 0;
    items.forEach(function (it) {
      var rows = it.querySelectorAll('tr.prop');
      var on = {}, n = 0;
      Array.prototype.forEach.call(rows, function (r) {
        var ok = (reason === '' || r.getAttribute('data-reason') === reason) &&
          cats[r.getAttribute('data-category')] && acts[r.getAttribute('data-action')] &&
          outs[r.getAttribute('data-outcome')];
        r.hidden = !ok;
        if (ok) {
          on[r.getAttribute('data-i')] = true;
          n++;
          if (r.getAttribute('data-shown') === '1') visible++;
        }
      });
      shownRows += n;
      Array.prototype.forEach.call(it.querySelectorAll('span.hl'), function (s) {
        var lit = s.getAttribute('data-m').split(' ').some(function (m) { return on[m]; });
        s.classList.toggle('off', !lit);
      });
      var hide = (narrow && n === 0) || (only && rows.length === 0);
      it.hidden = hide;
      if (hide) hiddenItems++;
    });
    body.setAttribute('data-visible-highlights', String(visible));
    body.setAttribute('data-hidden-highlights', String(total - visible));
    body.setAttribute('data-hidden-items', String(hiddenItems));
    document.getElementById('shown').textContent = shownRows + ' proposals shown in ' +
      (items.length - hiddenItems) + ' of ' + items.length + ' items';
  }
  function toHash() {
    var parts = [];
    var reason = document.getElementById('f-reason').value;
    if (reason) parts.push('reason=' + encodeURIComponent(reason));
    ['category', 'action', 'outcome'].forEach(function (k) {
      if (narrowed(k)) {
        parts.push(k + '=' + boxes(k).filter(function (b) { return b.checked; })
          .map(function (b) { return encodeURIComponent(b.value); }).join(','));
      }
    });
    if (document.getElementById('f-only').checked) parts.push('only=1');
    try { history.replaceState(null, '', parts.length ? '#' + parts.join('&') : '#'); } catch (e) { }
  }
  form.addEventListener('change', function () { apply(); toHash(); });
  window.addEventListener('hashchange', function () { fromHash(); apply(); });
  fromHash();
  apply();
  body.setAttribute('data-ready', '1');
})();
"#;

/// The review page.
pub fn review_html(input: &ReviewInput) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let all_marks = input.items.iter().flat_map(|i| &i.marks);
    let mut categories: BTreeSet<&str> = BTreeSet::new();
    let mut actions: BTreeSet<&str> = BTreeSet::new();
    let mut outcomes: BTreeSet<&str> = BTreeSet::new();
    let mut reasons: BTreeSet<&str> = BTreeSet::new();
    let mut by_action: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_category: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_reason: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_outcome: BTreeMap<&str, usize> = BTreeMap::new();
    for m in all_marks {
        categories.insert(&m.category);
        actions.insert(&m.proposed);
        outcomes.insert(&m.outcome);
        reasons.insert(&m.reason);
        *by_action.entry(&m.proposed).or_default() += 1;
        *by_category.entry(&m.category).or_default() += 1;
        *by_reason.entry(&m.reason).or_default() += 1;
        *by_outcome.entry(&m.outcome).or_default() += 1;
    }
    let rendered: Vec<Rendered> = input.items.iter().map(render_text).collect();
    let highlights: usize = rendered.iter().map(|r| r.shown.len()).sum();

    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>Review {}</title><style>{CSS}",
        esc(&input.reference)
    );
    for c in &categories {
        let _ = write!(
            h,
            ".cat-{}{{background:hsl({},85%,82%)}}",
            class_of(c),
            hue(c)
        );
    }
    let _ = write!(
        h,
        "</style></head>\n<body data-ready=\"0\" data-highlights=\"{highlights}\" \
         data-marks=\"{}\" data-items=\"{}\">\n<header><h1>Review of proposed redactions: {}</h1>\
         <p>Subject: <strong>{}</strong> · generated {}</p><p class=\"internal\">Internal: this page \
         shows other people's personal data. Never send it to the requester.</p></header>\n",
        by_action.values().sum::<usize>(),
        input.items.len(),
        esc(&input.reference),
        esc(&input.subject),
        esc(&input.generated),
    );

    // Summary.
    h.push_str("<section id=\"summary\"><h2>Summary</h2><div class=\"counts\">");
    let withheld = input.items.iter().filter(|i| i.withheld.is_some()).count();
    let unsettled = input
        .items
        .iter()
        .filter(|i| {
            i.withheld.is_none()
                && i.settled.is_none()
                && (i.text.is_none() || i.state == "failed" || i.state == "unsupported")
        })
        .count();
    count_table(
        &mut h,
        "Case",
        &[
            ("items in scope", input.items.len()),
            (
                "items with proposals",
                input.items.iter().filter(|i| !i.marks.is_empty()).count(),
            ),
            ("decisions", input.decisions),
            ("decisions matching nothing", input.unmatched.len()),
            ("items withheld", withheld),
            ("unreadable items not yet settled", unsettled),
            (
                "page regions redacted",
                input.items.iter().map(|i| i.regions.len()).sum(),
            ),
        ],
    );
    count_map(&mut h, "Proposed action", &by_action);
    count_map(&mut h, "Outcome", &by_outcome);
    count_map(&mut h, "Category", &by_category);
    count_map(&mut h, "Reason", &by_reason);
    h.push_str("</div></section>\n");

    if !input.unmatched.is_empty() {
        h.push_str(
            "<section id=\"unmatched\"><h2>Decisions that match nothing</h2>\
             <p class=\"notice\">These decisions in decisions.toml did not apply to anything in \
             this scan. Check each, then correct or remove it.</p><table><tr><th>decision</th>\
             <th>action</th><th>text</th><th>why</th></tr>",
        );
        for u in &input.unmatched {
            let _ = write!(
                h,
                "<tr class=\"unmatched\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&u.decision),
                esc(&u.action),
                esc(u.text.as_deref().unwrap_or("")),
                esc(&u.why)
            );
        }
        h.push_str("</table></section>\n");
    }

    // Filters.
    h.push_str("<section id=\"filters\"><form id=\"filter-form\" onsubmit=\"return false\">");
    h.push_str("<label>Reason <select id=\"f-reason\"><option value=\"\">all reasons</option>");
    for r in &reasons {
        let _ = write!(h, "<option value=\"{0}\">{0}</option>", esc(r));
    }
    h.push_str("</select></label>");
    for (name, title, set) in [
        ("category", "Category", &categories),
        ("action", "Proposed", &actions),
        ("outcome", "Outcome", &outcomes),
    ] {
        let _ = write!(h, "<fieldset><legend>{title}</legend>");
        for v in set.iter() {
            let _ = write!(
                h,
                "<label><input type=\"checkbox\" name=\"{name}\" value=\"{0}\" checked> {0}</label>",
                esc(v)
            );
        }
        h.push_str("</fieldset>");
    }
    h.push_str(
        "<label><input type=\"checkbox\" id=\"f-only\"> only items with proposals</label> \
         <span id=\"shown\"></span></form></section>\n",
    );

    // Reason legend.
    if !input.reasons.is_empty() {
        h.push_str(
            "<section id=\"reasons\"><h2>Reasons used</h2><table><tr><th>code</th>\
             <th>law</th><th>what the requester is told</th></tr>",
        );
        for r in &input.reasons {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.code),
                esc(&r.citation),
                esc(&r.description)
            );
        }
        h.push_str("</table></section>\n");
    }

    h.push_str("<main id=\"items\"><h2>Items</h2>\n");
    for (item, r) in input.items.iter().zip(&rendered) {
        item_html(&mut h, item, r);
    }
    let _ = write!(h, "</main>\n<script>{SCRIPT}</script>\n</body></html>\n");
    h
}

fn count_table(h: &mut String, title: &str, rows: &[(&str, usize)]) {
    let _ = write!(h, "<table><tr><th colspan=\"2\">{}</th></tr>", esc(title));
    for (k, v) in rows {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\" data-count=\"{}\">{v}</td></tr>",
            esc(k),
            esc(&class_of(k))
        );
    }
    h.push_str("</table>");
}

fn count_map(h: &mut String, title: &str, m: &BTreeMap<&str, usize>) {
    let rows: Vec<(&str, usize)> = m.iter().map(|(k, v)| (*k, *v)).collect();
    if rows.is_empty() {
        count_table(h, title, &[("none", 0)]);
    } else {
        count_table(h, title, &rows);
    }
}

/// An item's text cut into highlighted pieces.
struct Rendered {
    html: String,
    /// Marks drawn in the text (span inside the shown text, on character boundaries).
    shown: Vec<usize>,
    truncated: Option<usize>,
}

fn render_text(item: &ReviewItem) -> Rendered {
    let Some(text) = item.text.as_deref() else {
        return Rendered {
            html: String::new(),
            shown: Vec::new(),
            truncated: None,
        };
    };
    let mut cut = text.len().min(MAX_TEXT);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let shown_text = &text[..cut];
    let shown: Vec<usize> = item
        .marks
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            m.span.start < m.span.end
                && m.span.end <= cut
                && shown_text.is_char_boundary(m.span.start)
                && shown_text.is_char_boundary(m.span.end)
        })
        .map(|(i, _)| i)
        .collect();
    let mut edges: Vec<usize> = vec![0, cut];
    for &i in &shown {
        edges.push(item.marks[i].span.start);
        edges.push(item.marks[i].span.end);
    }
    edges.sort_unstable();
    edges.dedup();
    let mut html = String::with_capacity(cut + cut / 4);
    // A sweep over the edges: marks join the active set where they start and leave where they
    // end, so an item with thousands of marks (a contacts sheet) stays linear.
    let mut by_start = shown.clone();
    by_start.sort_by_key(|&i| item.marks[i].span.start);
    let mut next = 0;
    let mut active: Vec<usize> = Vec::new();
    for w in edges.windows(2) {
        let (a, b) = (w[0], w[1]);
        let piece = esc(&shown_text[a..b]);
        while next < by_start.len() && item.marks[by_start[next]].span.start <= a {
            active.push(by_start[next]);
            next += 1;
        }
        active.retain(|&i| item.marks[i].span.end > a);
        let mut covering: Vec<usize> = active
            .iter()
            .copied()
            .filter(|&i| b <= item.marks[i].span.end)
            .collect();
        covering.sort_unstable();
        if covering.is_empty() {
            html.push_str(&piece);
            continue;
        }
        // The strongest outcome styles the piece: a redaction over a disclosed flag shows as
        // a redaction, because that is what the requester will see.
        let lead = covering
            .iter()
            .copied()
            .max_by_key(|&i| {
                let m = &item.marks[i];
                (m.outcome == "redact", m.span.end - m.span.start)
            })
            .unwrap_or(covering[0]);
        let m = &item.marks[lead];
        let ids: Vec<String> = covering.iter().map(|i| i.to_string()).collect();
        let title: Vec<String> = covering.iter().map(|&i| tooltip(&item.marks[i])).collect();
        let _ = write!(
            html,
            "<span class=\"hl cat-{} act-{} out-{} reason-{}{}\" data-m=\"{}\" title=\"{}\">{piece}</span>",
            class_of(&m.category),
            class_of(&m.proposed),
            class_of(&m.outcome),
            class_of(&m.reason),
            if covering.len() > 1 { " multi" } else { "" },
            ids.join(" "),
            esc(&title.join("\n")),
        );
    }
    Rendered {
        html,
        shown,
        truncated: (cut < text.len()).then_some(text.len()),
    }
}

fn tooltip(m: &Mark) -> String {
    let by = if m.decided_by.is_empty() {
        "no decision".to_string()
    } else {
        m.decided_by.clone()
    };
    format!(
        "{} · {} · rule {} · proposed {} → {} · {}",
        m.category, m.reason, m.rule, m.proposed, m.outcome, by
    )
}

fn item_html(h: &mut String, item: &ReviewItem, r: &Rendered) {
    let open = !item.marks.is_empty() || item.withheld.is_some() || !item.regions.is_empty();
    let _ =
        write!(
        h,
        "<details class=\"item{}\" id=\"item-{}\" data-marks=\"{}\"{}>\n<summary><code>{}</code>\
         <span class=\"badge\">{}</span><span class=\"badge\">{}</span><span class=\"badge\">{} \
         proposal(s)</span>",
        if item.withheld.is_some() { " withheld" } else { "" },
        esc(&class_of(&item.item_id)),
        item.marks.len(),
        if open { " open" } else { "" },
        esc(&item.source_path),
        esc(&item.kind),
        esc(&item.state),
        item.marks.len(),
    );
    if let Some(w) = &item.withheld {
        let _ = write!(h, "<span class=\"badge warn\">withheld: {}</span>", esc(w));
    }
    if let Some(s) = &item.settled {
        let _ = write!(h, "<span class=\"badge\">settled: {}</span>", esc(s));
    }
    let _ = write!(
        h,
        "</summary>\n<div class=\"meta\">item {} · SHA-256 {}</div>\n",
        esc(&item.item_id),
        esc(&item.sha256)
    );
    match &item.text {
        Some(_) => {
            let _ = writeln!(h, "<pre class=\"text\">{}</pre>", r.html);
            if let Some(full) = r.truncated {
                let _ = writeln!(
                    h,
                    "<p class=\"notice\">Text cut at {} KB of {} KB to keep this page usable; \
                     proposals past the cut are listed below but not highlighted.</p>",
                    MAX_TEXT / 1024,
                    full / 1024
                );
            }
        }
        None if item.settled.is_none() && item.withheld.is_none() => {
            let _ = writeln!(
                h,
                "<p class=\"notice\">No text could be read from this item ({}). Settle it in \
                 decisions.toml: disclose-as-is, on-paper or withhold.</p>",
                esc(&item.state)
            );
        }
        None => h.push_str("<p class=\"meta\">No text.</p>\n"),
    }
    for reg in &item.regions {
        let _ = writeln!(h, "<p class=\"region\">Region redacted: {}</p>", esc(reg));
    }
    if !item.marks.is_empty() {
        h.push_str(
            "<table class=\"props\"><tr><th>location</th><th>text</th><th>category</th>\
             <th>reason</th><th>rule</th><th>proposed</th><th>outcome</th><th>decided by</th></tr>\n",
        );
        for (i, m) in item.marks.iter().enumerate() {
            let shown = r.shown.contains(&i);
            let _ = writeln!(
                h,
                "<tr class=\"prop out-{}\" data-i=\"{i}\" data-shown=\"{}\" data-reason=\"{}\" \
                 data-category=\"{}\" data-action=\"{}\" data-outcome=\"{}\"><td>{}{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                class_of(&m.outcome),
                u8::from(shown),
                esc(&m.reason),
                esc(&m.category),
                esc(&m.proposed),
                esc(&m.outcome),
                esc(&m.location),
                if shown { "" } else { " (not highlighted)" },
                esc(&m.text),
                esc(&m.category),
                esc(&m.reason),
                esc(&m.rule),
                esc(&m.proposed),
                esc(&m.outcome),
                esc(if m.decided_by.is_empty() {
                    "no decision"
                } else {
                    &m.decided_by
                }),
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("</details>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(span: Range<usize>, text: &str, outcome: &str) -> Mark {
        Mark {
            span,
            location: String::new(),
            text: text.into(),
            category: "pupil".into(),
            reason: "THIRD-PARTY".into(),
            rule: "roster:full-name".into(),
            proposed: "redact".into(),
            outcome: outcome.into(),
            decided_by: String::new(),
        }
    }

    fn one_item(text: String, marks: Vec<Mark>) -> ReviewInput {
        ReviewInput {
            reference: "SAR-1".into(),
            subject: "Ava".into(),
            items: vec![ReviewItem {
                item_id: "i1".into(),
                text: Some(text),
                marks,
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    /// The text between `<pre class="text">` and `</pre>` with every tag removed.
    fn plain(html: &str) -> String {
        let start = html.find("<pre class=\"text\">").expect("pre") + 18;
        let body = &html[start..start + html[start..].find("</pre>").expect("end")];
        let mut out = String::new();
        let mut in_tag = false;
        for c in body.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn overlapping_and_nested_spans_keep_the_markup_balanced_and_the_text_whole() {
        let text = "Jayden Okafor and Grace Okafor & co".to_string();
        let marks = vec![
            mark(0..13, "Jayden Okafor", "redact"),
            mark(7..13, "Okafor", "redact"),
            mark(7..30, "Okafor and Grace Okafor", "disclose"),
            mark(24..30, "Okafor", "redact"),
            mark(3..3, "", "redact"),   // empty: not drawn
            mark(20..99, "", "redact"), // past the end: not drawn
        ];
        let html = review_html(&one_item(text.clone(), marks));
        let pre_start = html.find("<pre class=\"text\">").expect("pre");
        let pre = &html[pre_start..pre_start + html[pre_start..].find("</pre>").expect("end")];
        assert_eq!(pre.matches("<span").count(), pre.matches("</span>").count());
        assert_eq!(plain(&html), "Jayden Okafor and Grace Okafor &amp; co");
        assert!(pre.contains("data-m=\"0 1 2\""), "{pre}");
        assert_eq!(html.matches("(not highlighted)").count(), 2);
        assert!(html.contains("data-highlights=\"4\""));
    }

    #[test]
    fn spans_off_character_boundaries_are_listed_not_drawn() {
        let text = "Zoë went home".to_string();
        let html = review_html(&one_item(text, vec![mark(0..3, "Zo", "redact")]));
        assert!(html.contains("data-highlights=\"0\""));
        assert!(html.contains("(not highlighted)"));
        assert_eq!(plain(&html), "Zoë went home");
    }

    #[test]
    fn long_texts_are_cut_with_a_notice() {
        let filler = "lorem ipsum ".repeat(MAX_TEXT / 12 + 100);
        let text = format!("Jayden Okafor {filler} Grace Okafor");
        let end = text.len();
        let html = review_html(&one_item(
            text,
            vec![
                mark(0..13, "Jayden Okafor", "redact"),
                mark(end - 12..end, "Grace Okafor", "redact"),
            ],
        ));
        assert!(html.contains("Text cut at 200 KB"));
        assert!(html.contains("data-highlights=\"1\""));
        assert!(plain(&html).len() <= MAX_TEXT);
        assert!(html.len() < MAX_TEXT + 64 * 1024);
    }

    #[test]
    fn items_without_proposals_start_collapsed() {
        let mut input = one_item("Nothing here.".into(), Vec::new());
        input.items.push(ReviewItem {
            item_id: "i2".into(),
            text: Some("Jayden Okafor".into()),
            marks: vec![mark(0..13, "Jayden Okafor", "redact")],
            ..Default::default()
        });
        let html = review_html(&input);
        assert!(html.contains("id=\"item-i1\" data-marks=\"0\">"));
        assert!(html.contains("id=\"item-i2\" data-marks=\"1\" open>"));
    }
}
