//! MAPI, the property model under every Outlook item: a .msg file and a PST hold the same
//! properties in different containers. Reading them here, once, means a message reads (and
//! hashes) the same whichever way it was exported; `msg` and `pst` only walk their containers.

pub(crate) mod body;
pub(crate) mod hash;
pub(crate) mod headers;
pub(crate) mod message;
pub(crate) mod props;
pub(crate) mod rtf;

/// Property sources and corpus streams for the tests of the MAPI readers.
#[cfg(test)]
pub(crate) mod test_support {
    use std::collections::HashMap;
    use std::io::{Cursor, Read};

    use chrono::{DateTime, Utc};

    use super::props::MapiProps;
    use crate::ingest::model::Address;
    use crate::ingest::testutil::corpus_file;

    /// A property source with nothing but what a test puts in it.
    #[derive(Default)]
    pub(crate) struct Fake {
        pub(crate) strings: HashMap<u16, String>,
        pub(crate) binaries: HashMap<u16, Vec<u8>>,
        pub(crate) ints: HashMap<u16, i32>,
    }

    impl MapiProps for Fake {
        fn string(&mut self, id: u16) -> Option<String> {
            self.strings.get(&id).cloned()
        }
        fn binary(&mut self, id: u16) -> Option<Vec<u8>> {
            self.binaries.get(&id).cloned()
        }
        fn int(&mut self, id: u16) -> Option<i32> {
            self.ints.get(&id).copied()
        }
        fn time(&mut self, _: u16) -> Option<DateTime<Utc>> {
            None
        }
        fn named(&self, _: &[u8; 16], _: u32) -> Option<u16> {
            None
        }
    }

    /// Reads one stream of a corpus .msg file directly, to feed a body converter.
    pub(crate) fn msg_stream(file: &str, path: &str) -> Option<Vec<u8>> {
        let bytes = corpus_file(&format!("email/msg/{file}"))?;
        let mut cf = cfb::CompoundFile::open(Cursor::new(&bytes[..])).expect("cfb");
        let mut out = Vec::new();
        cf.open_stream(path)
            .expect("stream")
            .read_to_end(&mut out)
            .expect("read");
        Some(out)
    }

    pub(crate) fn addr(name: &str, email: &str) -> Address {
        Address {
            name: Some(name.into()),
            email: Some(email.into()),
        }
    }
}
