//! The Internet headers an Outlook item may keep (PidTagTransportMessageHeaders): where the
//! properties lack a sender's SMTP address, the recipients or the Message-ID, the headers the
//! message arrived with often still have them.

use chrono::{DateTime, Utc};

use super::message::address;
use crate::ingest::model::Address;

#[derive(Default)]
pub(crate) struct HeaderInfo {
    pub(crate) from: Vec<Address>,
    pub(crate) to: Vec<Address>,
    pub(crate) cc: Vec<Address>,
    pub(crate) bcc: Vec<Address>,
    pub(crate) message_id: Option<String>,
    pub(crate) date: Option<DateTime<Utc>>,
}

impl HeaderInfo {
    pub(crate) fn is_empty(&self) -> bool {
        self.from.is_empty()
            && self.to.is_empty()
            && self.cc.is_empty()
            && self.bcc.is_empty()
            && self.message_id.is_none()
            && self.date.is_none()
    }
}

pub(crate) fn parse_headers(text: &str) -> HeaderInfo {
    let mut raw = text.replace("\r\n", "\n").replace('\n', "\r\n");
    raw.push_str("\r\n\r\n");
    let Some(m) = mail_parser::MessageParser::default().parse_headers(raw.as_bytes()) else {
        return HeaderInfo::default();
    };
    let list = |a: Option<&mail_parser::Address>| -> Vec<Address> {
        a.map(|a| {
            a.iter()
                .map(|x| {
                    address(
                        x.name.as_ref().map(|n| n.to_string()),
                        x.address.as_ref().map(|e| e.to_string()),
                    )
                })
                .filter(|x| x.name.is_some() || x.email.is_some())
                .collect()
        })
        .unwrap_or_default()
    };
    HeaderInfo {
        from: list(m.from()),
        to: list(m.to()),
        cc: list(m.cc()),
        bcc: list(m.bcc()),
        message_id: m.message_id().map(|id| format!("<{id}>")),
        date: m
            .date()
            .filter(|d| d.is_valid())
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
    }
}
