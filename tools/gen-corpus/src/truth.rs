//! `ground-truth.json`, written as documents are generated (one JSON object per line inside
//! the `documents` array), so a 20,000-message export never sits in memory.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use serde_json::{json, Value};

use crate::doc::Doc;

pub struct Truth {
    w: BufWriter<File>,
    first: bool,
    pub documents: usize,
}

/// Where a document sits and whether it belongs in the disclosure.
pub struct Record<'a> {
    /// How the test finds the item: a Message-ID for mail; otherwise the parent's key and
    /// ` › ` and the part's name, or the path under the case folder for a top-level file.
    pub key: String,
    pub path: &'a str,
    pub message_id: Option<&'a str>,
    pub parent: Option<&'a str>,
    pub kind: &'a str,
    pub producer: Option<&'a str>,
    pub in_scope: bool,
    pub scope_reason: &'a str,
}

impl Truth {
    pub fn create(path: &Path, header: Value) -> anyhow::Result<Truth> {
        let f = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut w = BufWriter::new(f);
        let mut head = serde_json::to_string_pretty(&header)?;
        // Re-open the object to append the streamed array.
        head.truncate(head.trim_end().len() - 1);
        write!(w, "{head},\n  \"documents\": [")?;
        Ok(Truth {
            w,
            first: true,
            documents: 0,
        })
    }

    pub fn add(&mut self, r: &Record, doc: &Doc) -> anyhow::Result<()> {
        let v = json!({
            "key": r.key,
            "path": r.path,
            "message_id": r.message_id,
            "parent": r.parent,
            "kind": r.kind,
            "producer": r.producer,
            "in_scope": r.in_scope,
            "scope_reason": r.scope_reason,
            "people": doc.people_json(),
            "identifiers": doc.ids_json(),
        });
        let sep = if self.first { "\n    " } else { ",\n    " };
        self.first = false;
        write!(self.w, "{sep}{}", serde_json::to_string(&v)?)?;
        self.documents += 1;
        Ok(())
    }

    pub fn finish(mut self) -> anyhow::Result<()> {
        write!(self.w, "\n  ]\n}}\n")?;
        self.w.flush()?;
        Ok(())
    }
}
