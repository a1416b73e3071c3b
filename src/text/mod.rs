//! The shared text model: one normalisation and one matcher, used by every stage that
//! compares text, so a term that matches in a PDF also matches in a mail or a sheet.

pub mod normalize;
pub mod terms;

pub use normalize::{normalize, MappedText, NO_ORIGIN};
pub use terms::{TermError, TermMatch, TermSet};
