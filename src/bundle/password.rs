//! Bundle passwords: strong enough to stand alone, readable enough to read out over a phone.
//!
//! The ICO expects the password to travel by a different channel from the bundle, often
//! spoken or typed by hand, so it uses one case and no look-alike symbols (no 0/O, 1/l/I).

use std::io::{self, Write};
use std::path::Path;

/// 32 symbols, so each carries exactly 5 bits and a random byte maps onto one without bias
/// (256 is a multiple of 32). Lower-case letters without `l` and `o`, digits without `0`
/// and `1`.
pub const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
/// Groups of [`GROUP_LEN`] symbols joined by `-`.
pub const GROUPS: usize = 6;
pub const GROUP_LEN: usize = 4;

/// Bits of entropy in a generated password: symbols times bits per symbol.
pub fn password_bits() -> u32 {
    (GROUPS * GROUP_LEN) as u32 * ALPHABET.len().ilog2()
}

/// A fresh password from the operating system's CSPRNG, e.g. `k7mq-x3vd-9tfe-...`
/// (6 groups of 4, 120 bits).
///
/// # Panics
/// Only if the operating system cannot supply random bytes, which leaves no safe way to
/// continue (a weak password would be worse than stopping).
pub fn generate_password() -> String {
    let mut bytes = [0u8; GROUPS * GROUP_LEN];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    encode(&bytes)
}

/// Maps random bytes onto the alphabet and groups them.
fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / GROUP_LEN);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % GROUP_LEN == 0 {
            out.push('-');
        }
        out.push(ALPHABET[usize::from(b % 32)] as char);
    }
    out
}

/// Writes a password file: readable by the owner only (0600), atomically, so a crash never
/// leaves a truncated password next to a finished bundle.
pub fn write_secret(path: &Path, text: &str) -> io::Result<()> {
    crate::fsutil::write_atomic_with(path, |f| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The temp file is created 0600, but a stale one left by a killed run keeps its
            // old mode: set it explicitly before writing the secret.
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        f.write_all(text.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn entropy_is_at_least_100_bits() {
        assert_eq!(ALPHABET.len(), 32);
        assert_eq!(password_bits(), 120);
        assert!(password_bits() >= 100);
    }

    #[test]
    fn alphabet_has_no_look_alikes_or_repeats() {
        let set: HashSet<u8> = ALPHABET.iter().copied().collect();
        assert_eq!(set.len(), 32, "symbols repeat");
        for bad in b"0O1lI" {
            assert!(!set.contains(bad), "look-alike {}", *bad as char);
        }
        assert!(ALPHABET
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    }

    #[test]
    fn every_byte_maps_evenly() {
        let all: Vec<u8> = (0..=255).collect();
        let mut counts = [0usize; 32];
        for c in encode(&all).bytes().filter(|&c| c != b'-') {
            let i = ALPHABET.iter().position(|&a| a == c).unwrap();
            counts[i] += 1;
        }
        assert!(counts.iter().all(|&n| n == 8), "{counts:?}");
    }

    #[test]
    fn shape_and_freshness() {
        let a = generate_password();
        let b = generate_password();
        assert_ne!(a, b);
        let groups: Vec<&str> = a.split('-').collect();
        assert_eq!(groups.len(), GROUPS, "{a}");
        for g in groups {
            assert_eq!(g.len(), GROUP_LEN);
            assert!(g.bytes().all(|c| ALPHABET.contains(&c)), "{a}");
        }
    }

    #[test]
    fn secret_file_is_private_and_complete() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("REF-password.txt");
        write_secret(&p, "abcd-efgh\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "abcd-efgh\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        write_secret(&p, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "temp files left behind");
    }
}
