//! Which reader reads which format.

use super::detect::Format;
use super::model::{ReadError, ReadFn};

pub fn reader_for(format: Format) -> Result<ReadFn, ReadError> {
    Ok(match format {
        Format::Pdf => super::pdf::read,
        Format::Pst => super::pst::read,
        Format::Msg => super::msg::read,
        Format::Eml => super::eml::read,
        Format::Mbox => super::mbox::read,
        Format::Zip => super::zip::read,
        Format::Docx => super::docx::read,
        Format::Workbook | Format::Csv => super::sheet::read,
        Format::Html | Format::Text => super::plain::read,
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
        Format::Encrypted(why) => return Err(ReadError::Encrypted(why.into())),
        Format::Unknown => return Err(ReadError::Unsupported("unrecognised format".into())),
    })
}
