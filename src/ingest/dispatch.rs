//! Which reader reads which format.

use super::detect::Format;
use super::model::{ReadError, ReadFn};

pub fn reader_for(format: Format) -> Result<ReadFn, ReadError> {
    Ok(match format {
        Format::Pdf => super::pdf::read,
        Format::Image => {
            return Err(ReadError::Unsupported(
                "an image: a person must look at it".into(),
            ))
        }
        Format::Media => {
            return Err(ReadError::Unsupported(
                "audio or video: a person must listen to or watch it".into(),
            ))
        }
        Format::UnsupportedDocument(why) => return Err(ReadError::Unsupported(why.into())),
        Format::Unknown => return Err(ReadError::Unsupported("unrecognised format".into())),
        other => {
            return Err(ReadError::Unsupported(format!(
                "no reader yet for {other:?}"
            )))
        }
    })
}
