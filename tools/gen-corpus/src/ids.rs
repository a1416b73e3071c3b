//! Valid UK identifiers, built from the published check rules (DfE UPN check letter, ULN and
//! NHS mod-11 check digits, HMRC National Insurance prefixes, Royal Mail postcode areas, Ofcom
//! drama-range phone numbers). Written independently of the `disclose` detectors so that a
//! shared misreading of a rule cannot make both agree on a wrong answer.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// UPN check letters: 23 letters, I, O and S left out.
const UPN_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

/// The check letter of a permanent UPN from its twelve digits: Σ digit × position (positions
/// 2–13), mod 23, indexes the letter table.
pub fn upn_check(digits12: &[u8; 12]) -> char {
    let sum: u32 = digits12
        .iter()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * (i as u32 + 2))
        .sum();
    char::from(UPN_LETTERS[(sum % 23) as usize])
}

/// A permanent UPN: check letter, 3-digit LA code, 4-digit establishment, 2-digit year, serial.
pub fn upn(rng: &mut ChaCha8Rng, la: u16, estab: u16) -> String {
    let year: u8 = rng.random_range(10..24);
    let serial: u16 = rng.random_range(0..1000);
    let body = format!("{la:03}{estab:04}{year:02}{serial:03}");
    let mut d = [0u8; 12];
    for (o, c) in d.iter_mut().zip(body.bytes()) {
        *o = c - b'0';
    }
    format!("{}{body}", upn_check(&d))
}

fn mod11(d9: &[u8; 9]) -> u32 {
    d9.iter()
        .zip((2u32..=10).rev())
        .map(|(&d, w)| u32::from(d) * w)
        .sum::<u32>()
        % 11
}

fn nine(rng: &mut ChaCha8Rng, first_nonzero: bool) -> [u8; 9] {
    let mut d = [0u8; 9];
    for (i, x) in d.iter_mut().enumerate() {
        *x = if i == 0 && first_nonzero {
            rng.random_range(1..10)
        } else {
            rng.random_range(0..10)
        };
    }
    d
}

fn join(d9: &[u8; 9], check: u32) -> String {
    let mut s: String = d9.iter().map(|&x| char::from(b'0' + x)).collect();
    s.push(char::from_digit(check, 10).unwrap_or('0'));
    s
}

/// A ULN: ten digits, first not zero, check digit 10 − (Σ dᵢ·wᵢ mod 11); remainder 0 has no
/// check digit and is drawn again.
pub fn uln(rng: &mut ChaCha8Rng) -> String {
    loop {
        let d = nine(rng, true);
        let r = mod11(&d);
        if r != 0 {
            return join(&d, 10 - r);
        }
    }
}

/// An NHS number: check digit 11 − (Σ dᵢ·wᵢ mod 11), 11 → 0, 10 → invalid (drawn again).
pub fn nhs(rng: &mut ChaCha8Rng) -> String {
    loop {
        let d = nine(rng, true);
        let c = 11 - mod11(&d);
        if c == 10 || d.windows(2).all(|w| w[0] == w[1]) {
            continue;
        }
        return join(&d, if c == 11 { 0 } else { c });
    }
}

/// NHS numbers are printed 3-3-4.
pub fn nhs_spaced(n: &str) -> String {
    if n.len() == 10 {
        format!("{} {} {}", &n[..3], &n[3..6], &n[6..])
    } else {
        n.to_string()
    }
}

/// A National Insurance number `AB 12 34 56 C`: first letter not D F I Q U V, second not
/// D F I O Q U V, not an unissued prefix, suffix A–D.
pub fn nino(rng: &mut ChaCha8Rng) -> String {
    const FIRST: &[u8] = b"ABCEGHJKLMNOPRSTWXYZ";
    const SECOND: &[u8] = b"ABCEGHJKLMNPRSTWXYZ";
    const BANNED: [&str; 7] = ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"];
    loop {
        let a = char::from(FIRST[rng.random_range(0..FIRST.len())]);
        let b = char::from(SECOND[rng.random_range(0..SECOND.len())]);
        let p = format!("{a}{b}");
        if BANNED.contains(&p.as_str()) {
            continue;
        }
        let n: u32 = rng.random_range(0..1_000_000);
        let s = format!("{n:06}");
        let suffix = char::from(b"ABCD"[rng.random_range(0..4)]);
        return format!("{p} {} {} {} {suffix}", &s[..2], &s[2..4], &s[4..]);
    }
}

/// Postcode areas around a plausible school catchment (all real Royal Mail areas).
const AREAS: &[&str] = &["LS", "BD", "HX", "WF", "HD", "M", "OL", "S", "YO", "HG"];
/// Letters allowed in the inward code's last two places (no C I K M O V).
const INWARD: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

/// A UK postcode in capitals with its space, e.g. `LS6 2QT`.
pub fn postcode(rng: &mut ChaCha8Rng) -> String {
    let area = AREAS[rng.random_range(0..AREAS.len())];
    let district: u8 = rng.random_range(1..20);
    let sector: u8 = rng.random_range(0..10);
    let a = char::from(INWARD[rng.random_range(0..INWARD.len())]);
    let b = char::from(INWARD[rng.random_range(0..INWARD.len())]);
    format!("{area}{district} {sector}{a}{b}")
}

/// Phone numbers from Ofcom's ranges reserved for drama (they reach nobody), written the ways
/// people write them.
pub fn mobile(rng: &mut ChaCha8Rng) -> String {
    let n: u16 = rng.random_range(0..1000);
    match rng.random_range(0..4) {
        0 => format!("07700 900{n:03}"),
        1 => format!("07700 900 {n:03}"),
        2 => format!("+44 7700 900{n:03}"),
        _ => format!("07700-900-{n:03}"),
    }
}

pub fn landline(rng: &mut ChaCha8Rng) -> String {
    let n: u16 = rng.random_range(0..1000);
    match rng.random_range(0..3) {
        0 => format!("0113 496 0{n:03}"),
        1 => format!("0161 496 0{n:03}"),
        _ => format!("020 7946 0{n:03}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn known_values() {
        // DfE's worked example digits and NHS Digital's published test number.
        let d: [u8; 12] = [8, 0, 1, 2, 0, 0, 0, 0, 5, 0, 0, 1];
        assert_eq!(upn_check(&d), 'B');
        assert_eq!(
            join(
                &[9, 4, 3, 4, 7, 6, 5, 9, 1],
                11 - mod11(&[9, 4, 3, 4, 7, 6, 5, 9, 1])
            ),
            "9434765919"
        );
    }

    #[test]
    fn generated_values_have_their_shapes() {
        let mut r = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..200 {
            let u = upn(&mut r, 383, 4012);
            assert_eq!(u.len(), 13);
            assert!(u.as_bytes()[0].is_ascii_uppercase());
            let l = uln(&mut r);
            assert!(l.len() == 10 && !l.starts_with('0'));
            assert_eq!(nhs(&mut r).len(), 10);
            assert_eq!(nino(&mut r).len(), 13);
            let p = postcode(&mut r);
            assert!(p.contains(' ') && p.len() <= 8, "{p}");
        }
    }
}
