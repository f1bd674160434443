//! anjuan-gen: realistic scanned case-file dossiers (行政处罚 and 行政强制
//! 案卷) with their ground truth.
//!
//! `anjuan generate --seed N --count K --out DIR` writes, for each dossier,
//! an image-only PDF `<id>.pdf` and its truth `<id>.truth.json`
//! ([`anjuan_core::truth::DossierTruth`]), and `units.toml`, the registry of
//! the world's units (`anjuan scan --units`). The same seed gives byte-identical
//! files whatever the number of threads: each dossier draws from its own
//! ChaCha8 stream (seed, index).
//!
//! - [`case`]: the sampled case (agency, party, officers, dates, amounts).
//! - [`defects`]: the defect table, each defect mapped to rubric items.
//! - [`penalty`], [`coercion`], [`common`]: the documents, as `DocSpec`s.
//! - [`dossier`]: layout, page numbers, contents, scan, truth.
//! - data tables: `data/world.toml`, `data/scenarios.toml`.

pub mod case;
pub mod coercion;
pub mod common;
pub mod data;
pub mod defects;
pub mod docs;
pub mod dossier;
pub mod family;
pub mod penalty;
pub mod score;
pub mod text;

pub use case::Profile;
pub use dossier::{KindChoice, Spec};

use anjuan_core::fsutil::{atomic_write, atomic_write_json};
use anjuan_core::truth::DossierTruth;
use anjuan_paper::Renderer;
use anyhow::{bail, Context};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// `anjuan generate`: make sample dossiers with their ground truth.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    /// Seed of the whole run; dossier i draws from the stream (seed, i).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of dossiers.
    #[arg(long, default_value_t = 10)]
    pub count: u64,
    /// Output directory (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Kind of files: penalty, coercion or mixed.
    #[arg(long, value_enum, default_value_t = KindChoice::Mixed)]
    pub kind: KindChoice,
    /// full: complete dossiers; small: short ones (one interview, 200 DPI mostly).
    #[arg(long, value_enum, default_value_t = Profile::Full)]
    pub profile: Profile,
    /// Scan resolution of every page (default: 200 or 300 per dossier).
    #[arg(long, value_parser = clap::value_parser!(u32).range(100..=600))]
    pub dpi: Option<u32>,
    /// Index of the first dossier (to extend a set without remaking it).
    #[arg(long, default_value_t = 0)]
    pub first: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Template family (`crates/gen/data/families.toml`): default, samr2021,
    /// tobacco, fda, henan2016, wuji, env2016, or mixed (one drawn per dossier).
    #[arg(long, default_value = "default")]
    pub family: String,
}

/// One dossier of the default family: PDF bytes and truth.
pub fn make(spec: &Spec, renderer: &Renderer) -> anyhow::Result<(Vec<u8>, DossierTruth)> {
    make_in(spec, family::DEFAULT, renderer)
}

/// One dossier of the family `choice` (a key or `mixed`): PDF bytes and truth.
pub fn make_in(
    spec: &Spec,
    choice: &str,
    renderer: &Renderer,
) -> anyhow::Result<(Vec<u8>, DossierTruth)> {
    let plan = dossier::plan_in(spec, choice, renderer);
    let (pages, page_truth) = dossier::render(&plan, renderer);
    let pdf = anjuan_paper::pdf::write_pdf(&pages)
        .with_context(|| format!("{}: writing the PDF", plan.id))?;
    Ok((pdf, dossier::truth(&plan, page_truth)))
}

/// Writes `<id>.pdf` and `<id>.truth.json` into `out`, atomically.
pub fn write(out: &Path, spec: &Spec, renderer: &Renderer) -> anyhow::Result<DossierTruth> {
    write_in(out, spec, family::DEFAULT, renderer)
}

/// [`write`] in the family `choice`.
pub fn write_in(
    out: &Path,
    spec: &Spec,
    choice: &str,
    renderer: &Renderer,
) -> anyhow::Result<DossierTruth> {
    let (pdf, truth) = make_in(spec, choice, renderer)?;
    let pdf_path = out.join(format!("{}.pdf", truth.id));
    atomic_write(&pdf_path, &pdf).with_context(|| format!("writing {}", pdf_path.display()))?;
    let truth_path = out.join(format!("{}.truth.json", truth.id));
    atomic_write_json(&truth_path, &truth)
        .with_context(|| format!("writing {}", truth_path.display()))?;
    Ok(truth)
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<()> {
    if args.count == 0 {
        bail!("--count must be at least 1");
    }
    family::check_choice(&args.family)?;
    if args.out.exists() && !args.out.is_dir() {
        bail!(
            "--out {}: exists and is not a directory",
            args.out.display()
        );
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    // The county's registry of its units, as `anjuan scan --units` reads it.
    let units = args.out.join("units.toml");
    atomic_write(&units, data::world().units_toml().as_bytes())
        .with_context(|| format!("writing {}", units.display()))?;
    let renderer = Renderer::new().context("loading fonts for the renderer")?;
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(j) = args.jobs {
        pool = pool.num_threads(j.max(1));
    }
    let pool = pool.build().context("starting worker threads")?;
    let started = std::time::Instant::now();
    let results: Vec<anyhow::Result<DossierTruth>> = pool.install(|| {
        (args.first..args.first + args.count)
            .into_par_iter()
            .map(|index| {
                let spec = Spec {
                    seed: args.seed,
                    index,
                    kind: args.kind,
                    profile: args.profile,
                    dpi: args.dpi,
                    forced: None,
                };
                write_in(&args.out, &spec, &args.family, &renderer)
            })
            .collect()
    });
    let mut pages = 0;
    for r in results {
        let t = r?;
        pages += t.pages.len();
        eprintln!(
            "{}  {:8}  {:9}  {:3} pages  {} defects  expected {} ({})",
            t.id,
            t.case_kind.as_str(),
            t.family,
            t.pages.len(),
            t.defects
                .iter()
                .map(|d| d.defect.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            t.expected.score,
            t.expected.grade
        );
    }
    eprintln!(
        "wrote {} dossiers ({pages} pages) to {} in {:.1} s",
        args.count,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
