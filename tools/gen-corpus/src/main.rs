//! `gen-corpus --out DIR --seed N --mails N --pdfs N --sheets N [--pupils N --staff N --contacts N]`

use std::path::PathBuf;

use clap::Parser;

/// Writes a synthetic school and SAR case with its ground truth (deterministic from --seed).
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Folder to write the case into (created if absent).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 20)]
    mails: usize,
    #[arg(long, default_value_t = 3)]
    pdfs: usize,
    #[arg(long, default_value_t = 2)]
    sheets: usize,
    #[arg(long, default_value_t = 1500)]
    pupils: usize,
    #[arg(long, default_value_t = 150)]
    staff: usize,
    #[arg(long, default_value_t = 3000)]
    contacts: usize,
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let cfg = gen_corpus::Config {
        out: a.out,
        seed: a.seed,
        mails: a.mails,
        pdfs: a.pdfs,
        sheets: a.sheets,
        pupils: a.pupils,
        staff: a.staff,
        contacts: a.contacts,
    };
    let s = gen_corpus::generate(&cfg)?;
    println!(
        "{}: {} people, {} messages ({} attachments), {} PDF pages, {} documents in ground-truth.json; subject {}",
        cfg.out.display(),
        s.people,
        s.messages,
        s.attachments,
        s.pdf_pages,
        s.documents,
        s.subject
    );
    Ok(())
}
