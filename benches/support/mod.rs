//! Generators the benches share: invented names and a deterministic random source, so each
//! bench builds the same workload on every run without files.
#![allow(dead_code)] // each bench binary uses a different subset

/// Given names, some shared and some accented, as a school roster has them.
pub const FIRST: &[&str] = &[
    "Oliver", "Amelia", "Jayden", "Zoë", "Siobhán", "Harry", "Grace", "Mohammed", "Sophie",
    "Ethan", "Priya", "Noah", "Isla", "Leo", "Freya", "Ruby", "Callum", "Maya", "Archie", "Evie",
    "Reuben", "Hannah", "Dylan", "Poppy", "Ibrahim", "Lily", "Tomasz", "Alfie", "Chloe", "Daniel",
    "Ella", "Finley", "Georgia", "Hamza", "Imogen", "Jack", "Kiera", "Liam", "Megan", "Nathan",
    "Olivia", "Patrick", "Rosie", "Samuel", "Tia", "Usman", "Violet", "William", "Yasmin", "Zac",
    "Amber", "Ben", "Cara", "Dev", "Erin", "Felix", "Gemma", "Aisha", "Connor", "Niamh", "Kacper",
    "Fatima", "Oscar", "Esme", "Rhys", "Ffion", "Kwame", "Amara", "Jude", "Ava",
];

/// Surnames with hyphens and apostrophes, as a roster has them.
pub const LAST: &[&str] = &[
    "Bennett",
    "Hartley",
    "Okafor",
    "Brennan-Whyte",
    "O'Neill",
    "Whitfield",
    "Adeyemi",
    "Iqbal",
    "Clarke",
    "Doyle",
    "Sharma",
    "Fletcher",
    "McKenzie",
    "Kowalczyk",
    "Lindqvist",
    "Ashworth",
    "Reid",
    "Thompson",
    "Nowak",
    "Patel",
    "Evans",
    "Hughes",
    "Murphy",
    "Khan",
    "Ali",
    "Wilson",
    "Taylor",
    "Davies",
    "Roberts",
    "Walker",
    "Wright",
    "Robinson",
    "Wood",
    "Thomson",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Jackson",
    "Turner",
    "Hill",
    "Moore",
    "Cooper",
    "Ward",
    "Morris",
    "King",
    "Watson",
    "Baker",
    "Young",
    "Allen",
    "Mitchell",
    "Carter",
    "Phillips",
    "Parker",
    "Bailey",
    "Bell",
    "Collins",
    "Cook",
    "Richardson",
    "Cox",
    "Howard",
    "Marshall",
    "Owen",
    "Graham",
    "Kelly",
    "Lloyd",
    "Morgan",
    "Price",
    "Webb",
    "Gray",
    "Hussain",
    "Begum",
];

/// Sentences staff write, for padding bodies.
pub const PHRASES: &[&str] = &[
    "Thanks for letting me know about this afternoon.",
    "Please can you update the behaviour log before Friday.",
    "The attendance panel meets on Tuesday in the small hall.",
    "I have spoken to the head of year and we agreed a plan.",
    "Parents' evening bookings close at the end of the week.",
    "Homework was not handed in again; a detention has been set.",
    "The trip letter and consent form are attached.",
    "Can we discuss this at the pastoral meeting?",
];

/// Small deterministic generator (xorshift64), so every run benches the same bytes.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len())]
    }
}

/// `n` distinct "First Last" names: every first name with every surname, then (once those
/// run out) first names with a digit suffix.
pub fn roster(n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    'outer: for round in 0.. {
        for l in LAST {
            for f in FIRST {
                if out.len() == n {
                    break 'outer;
                }
                out.push(if round == 0 {
                    format!("{f} {l}")
                } else {
                    format!("{f}{round} {l}")
                });
            }
        }
    }
    out
}

/// `First Last <first.last@oakfield.sch.uk>` for a random member of staff.
pub fn person(r: &mut Rng) -> String {
    let (f, l) = (r.pick(FIRST), r.pick(LAST));
    let addr = format!("{}.{}@oakfield.sch.uk", f.to_lowercase(), l.to_lowercase())
        .replace(['\'', 'ë', 'á'], "");
    format!("{f} {l} <{addr}>")
}

/// Whether this run measures (`cargo bench` passes `--bench`) rather than being run once as
/// a test by `cargo test --all-targets`, which must stay quick: benches size their workload
/// down in that mode.
pub fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}
