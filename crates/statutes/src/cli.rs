//! `anjuan statutes …`: the subcommands for the main CLI to mount
//! (`#[command(subcommand)] statutes: anjuan_statutes::cli::StatutesCmd`, then
//! `anjuan_statutes::cli::run(cmd)`).

use crate::index::{build_index, Index};
use anyhow::{Context, Result};
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum StatutesCmd {
    /// Build the statute index (models/statutes.json) from the statute texts
    Build(BuildArgs),
    /// Parse and check the statutory citations in a text
    Check(CheckArgs),
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Folder of statute texts (category folders of `<title>(<YYYY-MM-DD>).md`)
    #[arg(long, default_value = "../shared/statutes")]
    pub from: PathBuf,
    /// Index file to write
    #[arg(long, default_value = "models/statutes.json")]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Text file to read (e.g. an OCR'd page, `pages/0018.txt`); `-` for stdin
    pub file: PathBuf,
    /// The document's date (YYYY-MM-DD): which statute versions it may cite
    #[arg(long)]
    pub date: Option<String>,
    /// Index file (default: models/statutes.json found upward from the executable or the current directory)
    #[arg(long)]
    pub index: Option<PathBuf>,
}

pub fn run(cmd: StatutesCmd) -> Result<()> {
    match cmd {
        StatutesCmd::Build(a) => {
            let r = build_index(&a.from, &a.out)?;
            println!(
                "{}: {} files → {} laws, {} versions, {} articles ({} bytes)",
                a.out.display(),
                r.files,
                r.laws,
                r.versions,
                r.articles,
                r.bytes
            );
            for (f, why) in &r.skipped {
                println!("  skipped {f}: {why}");
            }
            Ok(())
        }
        StatutesCmd::Check(a) => {
            let idx = match &a.index {
                Some(p) => Index::load(p)?,
                None => Index::load_default()?,
            };
            let text = if a.file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).context("stdin")?
            } else {
                std::fs::read_to_string(&a.file)
                    .with_context(|| format!("{}: cannot read", a.file.display()))?
            };
            let on = match &a.date {
                Some(s) => {
                    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .with_context(|| format!("--date {s}: not a date YYYY-MM-DD"))?;
                    use chrono::Datelike;
                    Some((d.year(), d.month(), d.day()))
                }
                None => None,
            };
            let checked = idx.check_text(&text, on);
            if checked.is_empty() {
                println!("no citations");
            }
            for (c, ps) in &checked {
                let verdict = if ps.is_empty() { "ok" } else { "PROBLEM" };
                println!("{verdict:<7} {}", c.raw.replace('\n', ""));
                for p in ps {
                    println!("        {:?}: {}", p.kind, p.message_zh);
                }
            }
            Ok(())
        }
    }
}
