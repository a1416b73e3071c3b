//! Writing the redacted document from scratch: one revision, only the objects reachable from
//! a fresh trailer, no encryption dictionary, streams compressed.

use lopdf::{Dictionary, Document};

pub fn write(doc: &mut Document) -> Result<Vec<u8>, String> {
    let mut trailer = Dictionary::new();
    for key in [&b"Root"[..], b"Info", b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key.to_vec(), v.clone());
        }
    }
    doc.trailer = trailer;
    doc.encryption_state = None;
    doc.prune_objects();
    doc.renumber_objects();
    doc.compress();
    doc.max_id = doc.objects.keys().map(|id| id.0).max().unwrap_or(0);
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| e.to_string())?;
    if !out.starts_with(b"%PDF") {
        return Err("writer produced no PDF header".into());
    }
    Ok(out)
}
