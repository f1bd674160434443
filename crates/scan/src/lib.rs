//! anjuan-scan: `anjuan scan PATH... --out DIR` and `anjuan bench DIR`.
//!
//! Stages, each behind a small typed interface:
//! ingest ([`anjuan_ingest`]: pages as images or text layers) → OCR
//! ([`anjuan_ocr::read_page`], cached per page under `DIR/.cache/`) →
//! [`stages::classify`] → [`stages::check`] → [`stages::assess`] (rubric) →
//! report ([`stages::write_dossier`]: `pages/NNNN.txt`, `review.json`) and
//! `index.json` (`shared/output-contract.md`).
//!
//! [`scan`] runs many dossiers with one page-reading thread and `jobs` OCR
//! workers; [`scan_dossier`] runs one (for the web app).

pub mod bench;
pub mod cache;
pub mod ids;
pub mod page;
pub mod pipeline;
pub mod progress;
pub mod stages;
pub mod summary;
pub mod view;

pub use bench::{run_bench, BenchArgs};
pub use page::OcrPage;
pub use pipeline::{scan, Dossier, EngineFactory, Outcome, RunConfig, ScanStats};

use anjuan_core::contract::{DossierStatus, Review};
use anjuan_ingest::DossierSource;
use anjuan_ocr::EngineKind;
use std::path::{Path, PathBuf};

/// `anjuan scan`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScanArgs {
    /// PDFs, or folders searched recursively for PDFs (a folder of only page
    /// images is one dossier).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output folder: index.json, <id>/review.json, <id>/pages/NNNN.txt.
    #[arg(long, short)]
    pub out: PathBuf,
    /// OCR worker threads (default: the number of cores).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// OCR engine: ppocr or tesseract.
    #[arg(long, default_value = "ppocr")]
    pub engine: EngineKind,
    /// Resolution for pages that have to be rendered.
    #[arg(long, default_value_t = 300)]
    pub dpi: u32,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
    /// Review against this rubric file instead of the shipped rubric of its
    /// kind (penalty or coercion); may be given once per kind. Format:
    /// docs/rubric-format.md.
    #[arg(long, value_name = "FILE")]
    pub rubric: Vec<PathBuf>,
    /// The county's registered enforcement units (TOML: name, case_prefix,
    /// aliases; see docs/units-format.md): a unit whose name or case-number
    /// prefix the OCR misread is named as registered.
    #[arg(long, value_name = "FILE")]
    pub units: Option<PathBuf>,
    /// Print each dossier's summary (documents, draft score, findings) when
    /// the run ends: `auto` does so for up to 20 dossiers and prints one line
    /// per dossier beyond that.
    #[arg(long, value_enum, default_value = "auto")]
    pub summary: SummaryMode,
}

/// How much of the reviews `anjuan scan` prints when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryMode {
    /// Full summaries for up to 20 dossiers, one line each beyond that.
    Auto,
    /// A full summary of every dossier.
    Full,
    /// One line per dossier.
    Brief,
    /// Nothing.
    None,
}

/// Dossiers up to which `--summary auto` prints full summaries.
const FULL_SUMMARY_LIMIT: usize = 20;

/// One line for a dossier: id, kind, pages, draft score and findings.
fn brief(r: &Review) -> String {
    let basic = r
        .findings
        .iter()
        .filter(|f| f.kind == anjuan_core::contract::FindingKind::Basic)
        .count();
    format!(
        "{}  {}  {} pages  {} documents  draft {} ({})  {} findings{}",
        r.dossier.id,
        r.case_kind.as_str(),
        r.dossier.page_count,
        r.documents.len(),
        r.score.draft,
        r.score.grade,
        r.findings.len(),
        if basic > 0 {
            format!(", {basic} suspected basic-standard breaches")
        } else {
            String::new()
        }
    )
}

/// Prints the reviews of the dossiers that were written, on stdout.
fn print_summaries(outcomes: &[Outcome], out: &Path, mode: SummaryMode) {
    let ok: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.status == DossierStatus::Ok)
        .collect();
    let full = match mode {
        SummaryMode::None => return,
        SummaryMode::Full => true,
        SummaryMode::Brief => false,
        SummaryMode::Auto => ok.len() <= FULL_SUMMARY_LIMIT,
    };
    for o in ok {
        let path = out.join(&o.id).join("review.json");
        let review: Review = match std::fs::read(&path)
            .map_err(anyhow::Error::from)
            .and_then(|b| Ok(serde_json::from_slice(&b)?))
        {
            Ok(r) => r,
            Err(e) => {
                eprintln!(
                    "anjuan scan: {}: cannot read the review: {e}",
                    path.display()
                );
                continue;
            }
        };
        if full {
            println!("{}", summary::summary(&review));
        } else {
            println!("{}", brief(&review));
        }
    }
}

/// The number of cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// The dossiers under `paths` with their IDs.
pub fn plan(paths: &[PathBuf]) -> Result<Vec<Dossier>, anjuan_ingest::IngestError> {
    let sources = anjuan_ingest::discover(paths)?;
    let ids = ids::unique_ids(
        sources
            .iter()
            .map(|s| s.stem())
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    Ok(ids
        .into_iter()
        .zip(sources)
        .map(|(id, source)| Dossier { id, source })
        .collect())
}

/// Runs `anjuan scan`; returns the exit status: 0 all ok, 1 some failed, 2 usage error.
pub fn run(args: &ScanArgs) -> anyhow::Result<i32> {
    let dossiers = match plan(&args.paths) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("anjuan scan: {e}");
            return Ok(2);
        }
    };
    if dossiers.is_empty() {
        eprintln!("anjuan scan: no PDFs or page-image folders found in the given paths");
        return Ok(2);
    }
    let mut rubrics = Vec::new();
    for path in &args.rubric {
        match anjuan_rubric::Rubric::load(path) {
            Ok(r)
                if rubrics
                    .iter()
                    .any(|o: &anjuan_rubric::Rubric| o.kind == r.kind) =>
            {
                eprintln!(
                    "anjuan scan: {}: a second --rubric for {} files",
                    path.display(),
                    r.kind.as_str()
                );
                return Ok(2);
            }
            Ok(r) => rubrics.push(r),
            Err(e) => {
                eprintln!("anjuan scan: {e}");
                return Ok(2);
            }
        }
    }
    let units = match &args.units {
        None => anjuan_core::units::Units::default(),
        Some(path) => match anjuan_core::units::Units::load(path) {
            Ok(u) => u,
            Err(e) => {
                eprintln!("anjuan scan: {e}");
                return Ok(2);
            }
        },
    };
    let third_party = match anjuan_core::paths::require_third_party() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("anjuan scan: {e}");
            return Ok(1);
        }
    };
    let mut config = RunConfig::new(
        args.engine,
        &third_party,
        args.jobs.unwrap_or_else(default_jobs),
    );
    config.ingest.render_dpi = args.dpi;
    config.review = stages::ReviewSettings { rubrics, units };
    std::fs::create_dir_all(&args.out)
        .map_err(|e| anyhow::anyhow!("{}: cannot create: {e}", args.out.display()))?;
    let factory = config.engine_factory();
    let (outcomes, _) = scan(&dossiers, &args.out, &config, factory, args.quiet)?;
    let failed = outcomes
        .iter()
        .filter(|o| o.status == DossierStatus::Failed)
        .count();
    if !args.quiet {
        print_summaries(&outcomes, &args.out, args.summary);
        eprintln!(
            "anjuan scan: {} ok, {failed} failed; index: {}",
            outcomes.len() - failed,
            args.out.join("index.json").display()
        );
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

/// Scans one dossier into `out/<id>/` and returns its review (errors name the file).
pub fn scan_dossier(
    source: DossierSource,
    id: &str,
    out: &Path,
    config: &RunConfig,
    factory: EngineFactory,
) -> anyhow::Result<Review> {
    let dossier = Dossier {
        id: ids::safe_id(id),
        source,
    };
    let (outcomes, _) = scan(std::slice::from_ref(&dossier), out, config, factory, true)?;
    let o = &outcomes[0];
    if o.status == DossierStatus::Failed {
        anyhow::bail!("{}", o.error.as_deref().unwrap_or("failed"));
    }
    let path = out.join(&dossier.id).join("review.json");
    let bytes = std::fs::read(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(serde_json::from_slice(&bytes)?)
}
