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
pub mod outdir;
pub mod page;
pub mod pipeline;
pub mod progress;
pub mod signals;
pub mod stages;
pub mod summary;
pub mod supervise;
pub mod view;

pub use bench::{run_bench, BenchArgs};
pub use page::OcrPage;
pub use pipeline::{scan, Dossier, EngineFactory, Outcome, RunConfig, ScanStats};

use anjuan_core::contract::{DossierStatus, Review};
use anjuan_ingest::DossierSource;
use anjuan_ocr::EngineKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

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
    /// The largest page image read, in megapixels: a bigger vector page is
    /// rendered at a lower resolution to fit; a page holding a bigger
    /// image, or a bigger image file, is refused (written as a page that
    /// could not be read, with the reason).
    #[arg(long, value_name = "MP", default_value_t = anjuan_ingest::DEFAULT_MAX_PAGE_MEGAPIXELS)]
    pub max_page_megapixels: u32,
    /// A page that is read or OCR'd for longer than this many seconds is
    /// stopped and written as a page that could not be read.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub page_timeout: u64,
    /// The worker process that reads the pages is stopped when it uses
    /// more memory than this (MB); the page it was on is written as a page
    /// that could not be read, and the run goes on. Default: 1400 with
    /// `--jobs 2` or fewer, 500 more for each further job.
    #[arg(long, value_name = "MB")]
    pub max_memory: Option<u64>,
    /// Read the pages in this process, without a worker process: a crash
    /// in native code then ends the run (for debugging).
    #[arg(long, hide = true)]
    pub in_process: bool,
    /// A page cache shared with other machines' scans (an absolute path,
    /// file:///PATH or s3://BUCKET/PREFIX): pages found there are not OCR'd
    /// again, and pages OCR'd here are put there.
    #[arg(long, value_name = "URL")]
    pub shared_cache: Option<String>,
    /// Internal: run as the worker process of a supervising `anjuan scan`.
    #[arg(long, hide = true)]
    pub worker: bool,
}

/// The log of the last run in the output folder: a JSON line per dossier
/// ([`supervise::LogLine`]: id, status, seconds, pages, error).
pub const SCAN_LOG: &str = "scan-log.jsonl";

/// Exit status: every dossier was processed.
pub const EXIT_OK: i32 = 0;
/// Exit status: some dossiers failed (each with its reason in `index.json`);
/// the others were written.
pub const EXIT_FAILED: i32 = 1;
/// Exit status: bad arguments, a `--rubric` / `--units` file that does not
/// validate, or an input path that does not exist or holds nothing to scan
/// (`output-contract.md`: 2 for a usage error; OCRmyPDF's 2 is its input).
pub const EXIT_USAGE: i32 = 2;
/// Exit status of an input problem before any work: the same as [`EXIT_USAGE`].
pub const EXIT_INPUT: i32 = EXIT_USAGE;
/// Exit status: something anjuan needs is missing (`third_party/`: run
/// `bash scripts/setup.sh`); OCRmyPDF's number for it.
pub const EXIT_DEPENDENCY: i32 = 3;
/// Exit status: the output folder cannot be written (read-only, full, or
/// another `anjuan scan` is writing to it); what was finished is kept
/// (OCRmyPDF's number for a file it cannot access).
pub const EXIT_OUTPUT: i32 = 5;
/// Exit status: interrupted (Ctrl-C, SIGTERM); what was finished is kept.
pub const EXIT_INTERRUPTED: i32 = 130;

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

/// `--max-memory` when not given: 1400 MB for two OCR workers or fewer, and
/// 500 MB for each further one (a page of 25 MP takes about 450 MB in OCR).
pub fn default_max_memory_mb(jobs: usize) -> u64 {
    1400 + 500 * jobs.saturating_sub(2) as u64
}

/// The number of cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// The dossiers under `paths` with their IDs.
pub fn plan(paths: &[PathBuf]) -> Result<Vec<Dossier>, anjuan_ingest::IngestError> {
    Ok(plan_all(paths)?.0)
}

/// [`plan`], and the files in the folders walked that are not scanned.
pub fn plan_all(
    paths: &[PathBuf],
) -> Result<(Vec<Dossier>, Vec<PathBuf>), anjuan_ingest::IngestError> {
    let found = anjuan_ingest::discover_all(paths)?;
    let sources = found.dossiers;
    let ids = ids::unique_ids(
        sources
            .iter()
            .map(|s| s.stem())
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    let dossiers = ids
        .into_iter()
        .zip(sources)
        .map(|(id, source)| Dossier { id, source })
        .collect();
    Ok((dossiers, found.skipped))
}

/// Says which files of the folders walked are not scanned (never silently).
fn tell_skipped(skipped: &[PathBuf]) {
    if skipped.is_empty() {
        return;
    }
    const SHOWN: usize = 10;
    let mut names: Vec<String> = skipped
        .iter()
        .take(SHOWN)
        .map(|p| p.display().to_string())
        .collect();
    if skipped.len() > SHOWN {
        names.push(format!("and {} more", skipped.len() - SHOWN));
    }
    eprintln!(
        "anjuan scan: skipped {} file(s) that are neither PDFs nor page images of a folder \
         without PDFs: {}",
        skipped.len(),
        names.join(", ")
    );
}

/// Runs `anjuan scan`; returns the exit status ([`EXIT_OK`] …
/// [`EXIT_INTERRUPTED`], documented in the README).
pub fn run(args: &ScanArgs) -> anyhow::Result<i32> {
    signals::catch_interrupts();
    // A worker is given its dossiers by its parent.
    let dossiers = match args.worker {
        true => Vec::new(),
        false => match plan_all(&args.paths) {
            Ok((d, skipped)) => {
                tell_skipped(&skipped);
                d
            }
            Err(e) => {
                eprintln!("anjuan scan: {e}");
                return Ok(EXIT_INPUT);
            }
        },
    };
    if dossiers.is_empty() && !args.worker {
        eprintln!("anjuan scan: no PDFs or page-image folders found in the given paths");
        return Ok(EXIT_INPUT);
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
                return Ok(EXIT_USAGE);
            }
            Ok(r) => rubrics.push(r),
            Err(e) => {
                eprintln!("anjuan scan: {e}");
                return Ok(EXIT_USAGE);
            }
        }
    }
    let units = match &args.units {
        None => anjuan_core::units::Units::default(),
        Some(path) => match anjuan_core::units::Units::load(path) {
            Ok(u) => u,
            Err(e) => {
                eprintln!("anjuan scan: {e}");
                return Ok(EXIT_USAGE);
            }
        },
    };
    let third_party = match anjuan_core::paths::require_third_party() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("anjuan scan: {e}");
            return Ok(EXIT_DEPENDENCY);
        }
    };
    let mut config = RunConfig::new(
        args.engine,
        &third_party,
        args.jobs.unwrap_or_else(default_jobs),
    );
    config.ingest.render_dpi = args.dpi;
    config.ingest.max_page_megapixels = args.max_page_megapixels.max(1);
    config.review = stages::ReviewSettings { rubrics, units };
    if let Some(url) = &args.shared_cache {
        match anjuan_objects::Objects::open(url) {
            Ok(o) => config.shared_cache = Some(std::sync::Arc::new(o)),
            Err(e) => {
                eprintln!("anjuan scan: --shared-cache {e}");
                return Ok(EXIT_USAGE);
            }
        }
    }
    if args.worker {
        return run_worker(&args.out, config);
    }
    let _lock = match outdir::prepare(&args.out) {
        Ok(lock) => lock,
        Err(e) => {
            eprintln!("anjuan scan: {e}");
            return Ok(EXIT_OUTPUT);
        }
    };
    let (outcomes, output_failed) = if args.in_process {
        let factory = config.engine_factory();
        let (outcomes, _) = scan(&dossiers, &args.out, &config, factory, args.quiet)?;
        (outcomes, pipeline::OUTPUT_FAILED.load(Ordering::Relaxed))
    } else {
        let sup = supervise::Supervision {
            command: worker_command(args)?,
            page_timeout: std::time::Duration::from_secs(args.page_timeout.max(1)),
            max_memory: args
                .max_memory
                .unwrap_or_else(|| default_max_memory_mb(config.jobs))
                .max(64)
                << 20,
            quiet: args.quiet,
            log: Some(args.out.join(SCAN_LOG)),
        };
        let mut index_error = None;
        let (outcomes, output_failed) = supervise::supervise(&dossiers, &sup, |so_far| {
            if let Err(e) = pipeline::write_index(&args.out, so_far) {
                index_error = Some(e.to_string());
            }
            Ok(())
        })?;
        if let Some(e) = index_error {
            eprintln!("anjuan scan: {e}");
        }
        (outcomes, output_failed)
    };
    let written = pipeline::write_index(
        &args.out,
        &outcomes.iter().cloned().map(Some).collect::<Vec<_>>(),
    );
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
    if let Err(e) = written {
        eprintln!("anjuan scan: {e:#}");
        return Ok(EXIT_OUTPUT);
    }
    if output_failed {
        eprintln!(
            "anjuan scan: stopped: the output folder {} could not be written (see above); \
             what was finished is kept: free space or fix the folder and run the same command again",
            args.out.display()
        );
        return Ok(EXIT_OUTPUT);
    }
    if pipeline::INTERRUPTED.load(Ordering::Relaxed) {
        eprintln!(
            "anjuan scan: interrupted; what was finished is kept: run the same command again to resume"
        );
        return Ok(EXIT_INTERRUPTED);
    }
    Ok(if failed > 0 { EXIT_FAILED } else { EXIT_OK })
}

/// `anjuan scan … --worker`: scans the dossiers its parent names on stdin,
/// telling it every step on stdout.
fn run_worker(out: &Path, mut config: RunConfig) -> anyhow::Result<i32> {
    let task = supervise::read_task()?;
    let dossiers: Vec<Dossier> = task.dossiers.iter().map(|d| d.dossier()).collect();
    config.known_sha256 = task
        .dossiers
        .iter()
        .filter_map(|d| Some((d.id.clone(), d.sha256.clone()?)))
        .collect();
    config.skip_pages = task.skip_pages;
    config.serial = task.serial;
    config.write_index = false;
    config.observer = Some(supervise::stdout_observer());
    let factory = config.engine_factory();
    scan(&dossiers, out, &config, factory, true)?;
    Ok(if pipeline::OUTPUT_FAILED.load(Ordering::Relaxed) {
        EXIT_OUTPUT
    } else if pipeline::INTERRUPTED.load(Ordering::Relaxed) {
        EXIT_INTERRUPTED
    } else {
        EXIT_OK
    })
}

/// This program with the arguments of `args`, as a worker.
fn worker_command(args: &ScanArgs) -> anyhow::Result<Vec<std::ffi::OsString>> {
    let mut c: Vec<std::ffi::OsString> = vec![supervise::this_program()?.into(), "scan".into()];
    c.extend(args.paths.iter().map(|p| p.clone().into_os_string()));
    c.push("--out".into());
    c.push(args.out.clone().into_os_string());
    if let Some(j) = args.jobs {
        c.push(format!("--jobs={j}").into());
    }
    c.push(format!("--engine={}", args.engine.as_str()).into());
    c.push(format!("--dpi={}", args.dpi).into());
    for r in &args.rubric {
        c.push("--rubric".into());
        c.push(r.clone().into_os_string());
    }
    if let Some(u) = &args.units {
        c.push("--units".into());
        c.push(u.clone().into_os_string());
    }
    c.push(format!("--max-page-megapixels={}", args.max_page_megapixels).into());
    if let Some(url) = &args.shared_cache {
        c.push(format!("--shared-cache={url}").into());
    }
    c.push("--quiet".into());
    c.push("--worker".into());
    Ok(c)
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
