//! Re-emitting a content stream without the removed glyphs.
//!
//! A text-showing operator that loses glyphs is split into runs of survivors. The first run
//! keeps the operator's own position; every run after a removal starts with an absolute `Tm`
//! computed from the original layout, so survivors stay exactly where they were and no `TJ`
//! offset is left that measures the removed text (the glyph-position side channel of Bland,
//! Iyer and Levchenko, PETS 2023). An absolute `Tm` also moves the text line matrix, so the
//! true line matrix is restored, lazily, before the next operator that reads it (`Td`, `TD`,
//! `T*`, `'`, `"`); an untouched show operator that follows gets its own `Tm` instead of an
//! offset. Marked-content property lists with the term in `/ActualText` or `/Alt` are scrubbed.

use std::collections::HashMap;

use lopdf::content::Operation;
use lopdf::{Object, StringFormat};

use super::geom::Matrix;
use super::interpret::{ShowItem, ShowOp};
use super::strings::redact_text_string;
use crate::text::TermSet;

pub struct SiteEdits<'a> {
    pub shows: HashMap<usize, &'a ShowOp>,
    pub removed: &'a [bool],
    /// New names for `Do` operators whose Form XObject was replaced.
    pub renames: HashMap<usize, Vec<u8>>,
    pub terms: &'a TermSet,
}

#[derive(Default)]
struct TextPos {
    /// The true line matrix, when the emitted stream's differs from it.
    tlm_to_restore: Option<Matrix>,
    /// False when the emitted stream's text matrix is not where the original's would be.
    tm_ok: bool,
}

fn tm_op(m: &Matrix) -> Operation {
    Operation::new(
        "Tm",
        [m.a, m.b, m.c, m.d, m.e, m.f]
            .iter()
            .map(|v| Object::Real(*v as f32))
            .collect(),
    )
}

/// True when any glyph of this operator is to be removed.
pub fn show_is_touched(show: &ShowOp, removed: &[bool]) -> bool {
    show.items
        .iter()
        .any(|i| matches!(i, ShowItem::Glyph { glyph, .. } if removed[*glyph]))
}

/// True when a marked-content operator carries the term in an inline property list.
pub fn marked_content_has_term(op: &Operation, terms: &TermSet) -> bool {
    matches!(op.operator.as_str(), "BDC" | "DP")
        && op.operands.iter().any(|o| match o {
            Object::Dictionary(d) => d.iter().any(|(_, v)| match v {
                Object::String(s, _) => terms.occurs_in(&super::objects::decode_text_string(s)),
                _ => false,
            }),
            _ => false,
        })
}

/// Rewrites one content stream; returns the new operators and how many property lists were
/// scrubbed.
pub fn rewrite_site(ops: &[Operation], edits: &SiteEdits) -> (Vec<Operation>, usize) {
    let mut out = Vec::with_capacity(ops.len() + 8);
    let mut pos = TextPos {
        tlm_to_restore: None,
        tm_ok: true,
    };
    let mut scrubbed = 0;
    for (idx, op) in ops.iter().enumerate() {
        match op.operator.as_str() {
            "BT" | "ET" | "Tm" => {
                out.push(op.clone());
                pos = TextPos {
                    tlm_to_restore: None,
                    tm_ok: true,
                };
            }
            "Td" | "TD" | "T*" => {
                if let Some(t) = pos.tlm_to_restore.take() {
                    out.push(tm_op(&t));
                }
                out.push(op.clone());
                pos.tm_ok = true;
            }
            "Tj" | "TJ" | "'" | "\"" => match edits.shows.get(&idx) {
                Some(show) if show_is_touched(show, edits.removed) => {
                    rewrite_show(op, show, edits.removed, &mut pos, &mut out)
                }
                Some(show) => {
                    let newline = op.operator == "'" || op.operator == "\"";
                    if newline {
                        if let Some(t) = pos.tlm_to_restore.take() {
                            out.push(tm_op(&t));
                        }
                    } else if !pos.tm_ok {
                        out.push(tm_op(&show.tm_before));
                        pos.tlm_to_restore = Some(show.tlm);
                    }
                    out.push(op.clone());
                    pos.tm_ok = true;
                }
                None => out.push(op.clone()),
            },
            "BDC" | "DP" if marked_content_has_term(op, edits.terms) => {
                let mut op = op.clone();
                for o in &mut op.operands {
                    if let Object::Dictionary(d) = o {
                        for (_, v) in d.iter_mut() {
                            if let Object::String(s, _) = v {
                                if let Some(new) = redact_text_string(s, edits.terms) {
                                    *v = Object::String(new, StringFormat::Literal);
                                    scrubbed += 1;
                                }
                            }
                        }
                    }
                }
                out.push(op);
            }
            "Do" => match edits.renames.get(&idx) {
                Some(name) => out.push(Operation::new("Do", vec![Object::Name(name.clone())])),
                None => out.push(op.clone()),
            },
            _ => out.push(op.clone()),
        }
    }
    (out, scrubbed)
}

fn rewrite_show(
    op: &Operation,
    show: &ShowOp,
    removed: &[bool],
    pos: &mut TextPos,
    out: &mut Vec<Operation>,
) {
    // The implicit new line of ' and ", made explicit (and after the true line matrix).
    if op.operator == "'" || op.operator == "\"" {
        if let Some(t) = pos.tlm_to_restore.take() {
            out.push(tm_op(&t));
        }
        if op.operator == "\"" && op.operands.len() >= 3 {
            out.push(Operation::new("Tw", vec![op.operands[0].clone()]));
            out.push(Operation::new("Tc", vec![op.operands[1].clone()]));
        }
        out.push(Operation::new("T*", vec![]));
        pos.tm_ok = true;
    }
    let mut run: Vec<Object> = Vec::new();
    let mut text: Vec<u8> = Vec::new();
    let mut open = false;
    let mut adjust: Option<f64> = None;

    let close =
        |run: &mut Vec<Object>, text: &mut Vec<u8>, open: &mut bool, out: &mut Vec<Operation>| {
            if !*open {
                return;
            }
            if !text.is_empty() {
                run.push(Object::String(
                    std::mem::take(text),
                    StringFormat::Hexadecimal,
                ));
            }
            let items = std::mem::take(run);
            if items.len() == 1 && matches!(items[0], Object::String(..)) {
                out.push(Operation::new("Tj", items));
            } else if !items.is_empty() {
                out.push(Operation::new("TJ", vec![Object::Array(items)]));
            }
            *open = false;
        };

    for item in &show.items {
        match item {
            ShowItem::Glyph {
                bytes,
                offset,
                glyph,
            } if removed[*glyph] => {
                close(&mut run, &mut text, &mut open, out);
                adjust = None;
                pos.tm_ok = false;
            }
            ShowItem::Glyph { bytes, offset, .. } => {
                if !open {
                    if !pos.tm_ok {
                        out.push(tm_op(
                            &Matrix::translate(offset.0, offset.1).then(&show.tm_before),
                        ));
                        pos.tlm_to_restore = Some(show.tlm);
                    }
                    open = true;
                    pos.tm_ok = true;
                }
                if let Some(a) = adjust.take() {
                    if !text.is_empty() {
                        run.push(Object::String(
                            std::mem::take(&mut text),
                            StringFormat::Hexadecimal,
                        ));
                    }
                    run.push(Object::Real(a as f32));
                }
                text.extend_from_slice(bytes);
            }
            ShowItem::Adjust(n) => {
                if open {
                    adjust = Some(adjust.unwrap_or(0.0) + n);
                } else {
                    // An offset before any survivor: the next survivor is placed absolutely.
                    pos.tm_ok = false;
                }
            }
        }
    }
    if adjust.is_some() {
        // A trailing offset is dropped: the position after the operator is then unknown.
        pos.tm_ok = false;
    }
    close(&mut run, &mut text, &mut open, out);
}
