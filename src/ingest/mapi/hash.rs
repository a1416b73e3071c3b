//! The identity of a message that has no bytes of its own, the same whichever container it
//! came from, so duplicates are found across mailboxes and export formats.

use chrono::SecondsFormat;

use crate::ingest::model::{Address, Child, ChildContent, Own};

/// What SHA-256 is taken over for a message that has no bytes of its own (a PST message, a
/// message embedded in a .msg): a fixed rendering of what the item says — kind, class,
/// Message-ID, date, sender, recipients, subject, each attachment's name and size, then the
/// searchable text. Two copies of the same message in different mailboxes give the same
/// bytes; flags, folder and read state, which differ between copies, are left out.
pub(crate) fn canonical_bytes(own: &Own, class: &str, attachments: &[(String, u64)]) -> Vec<u8> {
    let mut s = String::new();
    let join = |a: &[Address]| {
        a.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    s.push_str(&format!("Kind: {}\r\nClass: {class}\r\n", own.kind));
    if let Some(m) = &own.mail {
        s.push_str(&format!(
            "Message-ID: {}\r\nDate: {}\r\nFrom: {}\r\nTo: {}\r\nCc: {}\r\nBcc: {}\r\nSubject: {}\r\n",
            m.message_id.as_deref().unwrap_or(""),
            m.date.map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true)).unwrap_or_default(),
            join(&m.from),
            join(&m.to),
            join(&m.cc),
            join(&m.bcc),
            m.subject
        ));
    }
    for (name, size) in attachments {
        s.push_str(&format!("Attachment: {name} ({size} bytes)\r\n"));
    }
    s.push_str("\r\n");
    s.push_str(&own.text);
    s.into_bytes()
}

/// A message attached to a message, as a child: named by its attachment name, else its
/// subject, and identified by [`canonical_bytes`], whose length stands as its size.
pub(crate) fn embedded_message(
    name: Option<String>,
    fallback: String,
    own: Own,
    class: &str,
    attachments: &[(String, u64)],
    children: Vec<Child>,
) -> (String, u64, ChildContent) {
    let name = name
        .filter(|n| !n.is_empty())
        .or_else(|| {
            own.mail
                .as_ref()
                .map(|m| m.subject.clone())
                .filter(|s| !s.is_empty())
        })
        .unwrap_or(fallback);
    let hash_bytes = canonical_bytes(&own, class, attachments);
    let size = hash_bytes.len() as u64;
    (
        name,
        size,
        ChildContent::Parsed {
            own,
            hash_bytes,
            children,
        },
    )
}
