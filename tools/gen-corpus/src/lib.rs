//! `gen-corpus`: a deterministic synthetic school and Subject Access Request case with its
//! ground truth, for testing and benchmarking `disclose` (and anything else that claims to find
//! third-party data in a school's records).
//!
//! Independent of the `disclose` crate on purpose: the identifiers' check digits, the name
//! folding and the scope rules are implemented here from their published definitions, so a
//! misreading shared with the code under test cannot hide.
//!
//! ```no_run
//! let cfg = gen_corpus::Config { out: "case".into(), ..gen_corpus::Config::default() };
//! let summary = gen_corpus::generate(&cfg).unwrap();
//! println!("{} documents in the ground truth", summary.documents);
//! ```

use std::path::PathBuf;

use anyhow::Context;
use serde_json::json;

mod attach;
pub mod case;
mod content;
pub mod doc;
mod drive;
mod export;
pub mod fold;
pub mod ids;
pub mod mime;
mod mis;
pub mod names;
pub mod office;
pub mod pdf;
pub mod school;
mod truth;

/// What to generate. Sizes default to a small case that tests generate in well under a second.
#[derive(Debug, Clone)]
pub struct Config {
    pub out: PathBuf,
    pub seed: u64,
    pub mails: usize,
    pub pdfs: usize,
    pub sheets: usize,
    pub pupils: usize,
    pub staff: usize,
    pub contacts: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            out: PathBuf::from("corpus"),
            seed: 1,
            mails: 20,
            pdfs: 3,
            sheets: 2,
            pupils: 1500,
            staff: 150,
            contacts: 3000,
        }
    }
}

/// Counts of what was written.
#[derive(Debug, Clone)]
pub struct Summary {
    pub people: usize,
    pub messages: usize,
    pub attachments: usize,
    pub pdf_pages: usize,
    pub documents: usize,
    pub subject: String,
}

/// Writes the case into `cfg.out` (created if absent): `case.toml`, `mis/roster.csv`,
/// `export/`, `mis/*.pdf`, `drive/`, `ground-truth.json`. The same `cfg` gives the same bytes.
pub fn generate(cfg: &Config) -> anyhow::Result<Summary> {
    anyhow::ensure!(
        cfg.pupils >= 2 && cfg.staff >= 4,
        "need at least 2 pupils and 4 staff"
    );
    anyhow::ensure!(cfg.contacts >= 1, "need at least 1 contact");
    std::fs::create_dir_all(cfg.out.join("mis"))
        .with_context(|| format!("creating {}", cfg.out.display()))?;
    let school = school::School::generate(
        cfg.seed,
        &school::SchoolSize {
            pupils: cfg.pupils,
            staff: cfg.staff,
            contacts: cfg.contacts,
        },
    );
    std::fs::write(cfg.out.join("mis/roster.csv"), school.roster_csv())?;
    std::fs::write(cfg.out.join("case.toml"), case::case_toml(&school))?;
    let s = school.subject();
    let mut truth = truth::Truth::create(
        &cfg.out.join("ground-truth.json"),
        json!({
            "generator": concat!("gen-corpus ", env!("CARGO_PKG_VERSION")),
            "seed": cfg.seed,
            "sizes": {"mails": cfg.mails, "pdfs": cfg.pdfs, "sheets": cfg.sheets,
                      "pupils": cfg.pupils, "staff": cfg.staff, "contacts": cfg.contacts},
            "subject": {"roster_id": s.id, "name": s.full(), "upn": s.upn, "uln": s.uln,
                        "dob": s.dob, "email": s.email},
            "search_range": [export::search_from().to_string(), export::search_to().to_string()],
            "notes": "people[].text is the name as written (possessive 's left out); role is subject, pupil, contact or staff; identifiers[].whose is subject or other; in_scope follows the case's search rules",
        }),
    )?;
    let mail = export::write(cfg, &school, &mut truth)?;
    let pdf_pages = mis::write(cfg, &school, &mut truth)?;
    drive::write(cfg, &school, &mut truth)?;
    let documents = truth.documents;
    truth.finish()?;
    Ok(Summary {
        people: school.people.len(),
        messages: mail.messages,
        attachments: mail.attachments,
        pdf_pages,
        documents,
        subject: s.full(),
    })
}
