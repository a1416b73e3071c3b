//! A compact binary form of an inventory [`Row`], for the rows ingest spills to disk while it
//! runs and the final row file `scan` streams back. Hand-written rather than a serde format so
//! the shared model types need no new derives or crates; every field round-trips exactly,
//! including the mail fields `inventory.csv` does not carry (bcc, attachment names, mailbox)
//! that scoping needs.
//!
//! Layout: a record is a little-endian `u32` length then that many bytes; strings are a `u32`
//! length then UTF-8; optional values carry a 0/1 tag.

use std::io::{self, Read, Write};

use super::driver::{Row, State};
use super::model::{Address, ItemKind, MailMeta};

/// Refuse records larger than this when reading back: a damaged spill file must not make the
/// reader allocate gigabytes.
const MAX_RECORD: usize = 64 << 20;

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
        None => out.push(0),
    }
}

fn put_addresses(out: &mut Vec<u8>, v: &[Address]) {
    put_u32(out, v.len() as u32);
    for a in v {
        put_opt_str(out, a.name.as_deref());
        put_opt_str(out, a.email.as_deref());
    }
}

/// The row as one record payload (without the length prefix).
pub fn encode(row: &Row) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    put_u32(&mut out, row.order.len() as u32);
    for o in &row.order {
        put_u32(&mut out, *o);
    }
    put_str(&mut out, &row.id);
    put_opt_str(&mut out, row.parent_id.as_deref());
    put_str(&mut out, &row.source_path);
    out.push(kind_index(row.kind));
    put_str(&mut out, &row.sha256);
    out.extend_from_slice(&row.size.to_le_bytes());
    out.push(state_index(row.state));
    put_str(&mut out, &row.detail);
    put_str(&mut out, &row.key);
    match &row.mail {
        None => out.push(0),
        Some(m) => {
            out.push(1);
            put_opt_str(&mut out, m.message_id.as_deref());
            put_addresses(&mut out, &m.from);
            put_addresses(&mut out, &m.to);
            put_addresses(&mut out, &m.cc);
            put_addresses(&mut out, &m.bcc);
            match m.date {
                Some(d) => {
                    out.push(1);
                    out.extend_from_slice(&d.timestamp().to_le_bytes());
                    put_u32(&mut out, d.timestamp_subsec_nanos());
                }
                None => out.push(0),
            }
            put_str(&mut out, &m.subject);
            put_u32(&mut out, m.attachment_names.len() as u32);
            for n in &m.attachment_names {
                put_str(&mut out, n);
            }
            put_opt_str(&mut out, m.mailbox.as_deref());
        }
    }
    out
}

/// Writes one length-prefixed record.
pub fn write_record(w: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    w.write_all(&(payload.len() as u32).to_le_bytes())?;
    w.write_all(payload)
}

/// Reads one length-prefixed record into `buf`; `Ok(false)` at a clean end of file.
pub fn read_record(r: &mut impl Read, buf: &mut Vec<u8>) -> io::Result<bool> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_RECORD {
        return Err(corrupt("record longer than 64 MB"));
    }
    buf.clear();
    buf.resize(len, 0);
    r.read_exact(buf)?;
    Ok(true)
}

fn corrupt(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("damaged row file: {what}"),
    )
}

/// A cursor over one record's payload.
pub struct Cursor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes }
    }

    fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        if self.bytes.len() < n {
            return Err(corrupt("record ends early"));
        }
        let (a, b) = self.bytes.split_at(n);
        self.bytes = b;
        Ok(a)
    }

    pub fn u8(&mut self) -> io::Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> io::Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn u64(&mut self) -> io::Result<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    pub fn string(&mut self) -> io::Result<String> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| corrupt("text is not UTF-8"))
    }

    pub fn opt_string(&mut self) -> io::Result<Option<String>> {
        match self.u8()? {
            0 => Ok(None),
            _ => self.string().map(Some),
        }
    }

    fn addresses(&mut self) -> io::Result<Vec<Address>> {
        let n = self.u32()? as usize;
        let mut v = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            v.push(Address {
                name: self.opt_string()?,
                email: self.opt_string()?,
            });
        }
        Ok(v)
    }
}

pub fn put_string(out: &mut Vec<u8>, s: &str) {
    put_str(out, s);
}

pub fn put_opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    put_opt_str(out, s);
}

/// Only the stable-order key of an encoded row: what the merge compares.
pub fn decode_order(payload: &[u8]) -> io::Result<Vec<u32>> {
    let mut c = Cursor::new(payload);
    let n = c.u32()? as usize;
    (0..n).map(|_| c.u32()).collect()
}

pub fn decode(payload: &[u8]) -> io::Result<Row> {
    let mut c = Cursor::new(payload);
    let n = c.u32()? as usize;
    let order = (0..n).map(|_| c.u32()).collect::<io::Result<Vec<u32>>>()?;
    let id = c.string()?;
    let parent_id = c.opt_string()?;
    let source_path = c.string()?;
    let kind = *ItemKind::ALL
        .get(c.u8()? as usize)
        .ok_or_else(|| corrupt("unknown item kind"))?;
    let sha256 = c.string()?;
    let size = c.u64()?;
    let state = *State::ALL
        .get(c.u8()? as usize)
        .ok_or_else(|| corrupt("unknown state"))?;
    let detail = c.string()?;
    let key = c.string()?;
    let mail = match c.u8()? {
        0 => None,
        _ => {
            let message_id = c.opt_string()?;
            let from = c.addresses()?;
            let to = c.addresses()?;
            let cc = c.addresses()?;
            let bcc = c.addresses()?;
            let date = match c.u8()? {
                0 => None,
                _ => {
                    let secs = c.u64()? as i64;
                    let nanos = c.u32()?;
                    Some(
                        chrono::DateTime::from_timestamp(secs, nanos)
                            .ok_or_else(|| corrupt("date out of range"))?,
                    )
                }
            };
            let subject = c.string()?;
            let k = c.u32()? as usize;
            let mut attachment_names = Vec::with_capacity(k.min(1024));
            for _ in 0..k {
                attachment_names.push(c.string()?);
            }
            let mailbox = c.opt_string()?;
            Some(MailMeta {
                message_id,
                from,
                to,
                cc,
                bcc,
                date,
                subject,
                attachment_names,
                mailbox,
            })
        }
    };
    Ok(Row {
        id,
        parent_id,
        source_path,
        kind,
        sha256,
        size,
        state,
        detail,
        mail,
        order,
        key,
    })
}

fn kind_index(k: ItemKind) -> u8 {
    ItemKind::ALL.iter().position(|x| *x == k).unwrap_or(0) as u8
}

fn state_index(s: State) -> u8 {
    State::ALL.iter().position(|x| *x == s).unwrap_or(0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_with_every_mail_field() {
        let row = Row {
            id: "0123456789abcdef".into(),
            parent_id: Some("fedcba9876543210".into()),
            source_path: "export/jane.pst › Inbox › Re: Year 9 › report.pdf".into(),
            kind: ItemKind::Email,
            sha256: "ab".repeat(32),
            size: 12345,
            state: State::Duplicate,
            detail: "duplicate of 1111222233334444".into(),
            mail: Some(MailMeta {
                message_id: Some("<m1@x>".into()),
                from: vec![Address {
                    name: Some("Zoë O'Neil".into()),
                    email: Some("z@x.org".into()),
                }],
                to: vec![Address {
                    name: None,
                    email: Some("a@b".into()),
                }],
                cc: vec![],
                bcc: vec![Address {
                    name: Some("Hidden".into()),
                    email: None,
                }],
                date: chrono::DateTime::from_timestamp(1_712_345_678, 5),
                subject: "Re: trip".into(),
                attachment_names: vec!["a.pdf".into(), "b.csv".into()],
                mailbox: Some("head@school.org".into()),
            }),
            order: vec![3, 0, u32::MAX],
            key: "export/jane.pst\u{0}0\u{0}7".into(),
        };
        let mut file = Vec::new();
        write_record(&mut file, &encode(&row)).unwrap();
        let mut buf = Vec::new();
        let mut r = &file[..];
        assert!(read_record(&mut r, &mut buf).unwrap());
        assert_eq!(decode_order(&buf).unwrap(), row.order);
        let back = decode(&buf).unwrap();
        assert_eq!(format!("{back:?}"), format!("{row:?}"));
        assert!(!read_record(&mut r, &mut buf).unwrap());
        // A record cut short is an error, not a silently shorter row.
        assert!(decode(&buf[..buf.len() - 3]).is_err());
    }
}
