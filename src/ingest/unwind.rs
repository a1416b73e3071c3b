//! Panics of third-party parsers, caught at the reader's edge.
//!
//! The parsers that do the format work (calamine, outlook-pst, cfb, compressed-rtf,
//! mail-parser) index unchecked in places. A reader must never take a whole run down over one
//! hostile file, so each call into them runs here and a panic becomes an error for that one
//! object.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, returning the panic's message (when it carried one) instead of unwinding further.
pub(crate) fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, Option<String>> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
    })
}

/// [`catch_panic`] with the panic worded as the failure of the `what` parser on this input.
pub(crate) fn guard<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    catch_panic(f).map_err(|msg| {
        let msg = msg.unwrap_or_else(|| "unknown panic".into());
        format!("the {what} parser crashed on this input ({msg})")
    })
}
