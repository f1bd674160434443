//! The scan of many dossiers: one thread reads pages (pdfium is not
//! thread-safe) and feeds OCR workers through a bounded channel, so at most
//! `jobs × 2 + 1` page images are in memory; this thread collects the results,
//! and writes each dossier's outputs when its last page is in.
//!
//! The workers also find the page's marks (seals, signatures, fingerprints)
//! right after OCR while the upright page is in memory; a page whose OCR is
//! cached but whose marks are not (new detectors) goes to a worker for the
//! marks alone. Colour pages carry their red plane (one byte per pixel) to
//! the worker, since OCR reads gray.

use crate::cache::{image_hash, marks_hash, marks_key, Cache, DossierRecord};
use crate::page::OcrPage;
use crate::progress::Progress;
use crate::stages::{build_review, outputs_complete, write_dossier, ReviewSettings};
use anjuan_core::contract::{DossierInfo, DossierStatus, Index, IndexEntry, INDEX_SCHEMA};
use anjuan_core::fsutil::atomic_write_json;
use anjuan_ingest::{DossierSource, IngestOptions, PageContent, PageImage};
use anjuan_ocr::{EngineKind, OcrEngine, OcrError};
use image::{DynamicImage, GrayImage};
use sha2::{Digest, Sha256};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Makes one OCR engine (called once per worker that has work).
pub type EngineFactory = Arc<dyn Fn() -> Result<Box<dyn OcrEngine>, OcrError> + Send + Sync>;

/// Set (by a signal handler: Ctrl-C) to stop a run: no new page is read,
/// what is finished is kept, and the dossiers not finished are reported as
/// interrupted.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Set when an output could not be written for want of space or of
/// permission: the run stops (every later dossier would fail the same way).
pub static OUTPUT_FAILED: AtomicBool = AtomicBool::new(false);

/// A real fault on demand, for the tests of crash isolation:
/// `ANJUAN_FAULT=KIND:STAGE:NAME:PAGE` (several separated by `;`) makes this process `abort` (as a C
/// library's failed assertion does), `hang`, `grow` (allocate without
/// bound) or `segv` (an invalid memory access) when it comes to page PAGE
/// (1-based; 0: opening the file) at STAGE (`open`, `read` or `ocr`) of a
/// dossier whose path contains NAME. Unset, it costs one look per page.
fn injected_fault(source: &Path, stage: Stage, page: Option<u32>) {
    type Fault = (String, String, String, u32);
    static FAULTS: std::sync::OnceLock<Vec<Fault>> = std::sync::OnceLock::new();
    let faults = FAULTS.get_or_init(|| {
        let spec = std::env::var("ANJUAN_FAULT").unwrap_or_default();
        spec.split(';')
            .filter_map(|one| {
                let mut parts = one.splitn(4, ':');
                let kind = parts.next()?.to_string();
                let stage = parts.next()?.to_string();
                let name = parts.next()?.to_string();
                let page = parts.next()?.parse().ok()?;
                Some((kind, stage, name, page))
            })
            .collect()
    });
    if faults.is_empty() {
        return;
    }
    let stage_name = match stage {
        Stage::Open => "open",
        Stage::Read => "read",
        Stage::Ocr => "ocr",
    };
    let path = source.to_string_lossy();
    let Some((kind, _, _, n)) = faults.iter().find(|(_, at, name, n)| {
        at == stage_name && page.map_or(0, |p| p + 1) == *n && path.contains(name.as_str())
    }) else {
        return;
    };
    eprintln!(
        "anjuan: ANJUAN_FAULT: {kind} at {stage_name} of {} page {n}",
        source.display()
    );
    match kind.as_str() {
        "abort" => std::process::abort(),
        // A real invalid access, as a bug in C code makes.
        "segv" => unsafe {
            std::ptr::null_mut::<u8>().write_volatile(1);
        },
        "hang" => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
        "grow" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 16 << 20]);
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        _ => {}
    }
}

/// For the tests of resuming: `ANJUAN_OCR_LOG=FILE` appends the hash of
/// every page OCR'd, once its OCR is in the cache (so a page logged twice
/// was OCR'd again although cached).
fn log_ocr(hash: &str) {
    use std::io::Write;
    let Some(path) = std::env::var_os("ANJUAN_OCR_LOG") else {
        return;
    };
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = f.write_all(format!("{hash}\n").as_bytes());
    }
}

/// Whether a write error is the output folder's (full, read-only, not
/// permitted) rather than one file's: then the run stops.
fn output_folder_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    if matches!(
        e.kind(),
        StorageFull | ReadOnlyFilesystem | PermissionDenied | QuotaExceeded
    ) {
        OUTPUT_FAILED.store(true, Ordering::SeqCst);
        INTERRUPTED.store(true, Ordering::SeqCst);
        return true;
    }
    false
}

/// Where native code (pdfium, the image decoders, ONNX Runtime) works on a
/// dossier: what the supervising parent of `anjuan scan` follows, to tell
/// which dossier and page a crash or a hang was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Opening the file and counting its pages.
    Open,
    /// Reading a page: its text layer, its image decoded or rendered.
    Read,
    /// OCR, marks and the view of a page.
    Ocr,
}

/// What a run reports as it goes ([`RunConfig::observer`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A dossier's input was hashed (sha256).
    Hashed { id: String, sha256: String },
    /// The dossiers to read are prepared: this many pages in all.
    Planned { dossiers: u64, pages: u64 },
    /// Native code starts on a dossier (`page`: 0-based, none when opening).
    Begin {
        id: String,
        stage: Stage,
        page: Option<u32>,
    },
    /// ... and is done with it.
    End {
        id: String,
        stage: Stage,
        page: Option<u32>,
    },
    /// A page of a dossier is in (read, OCR'd or from the cache).
    PageDone { id: String },
    /// A dossier is finished, well or not.
    Done {
        id: String,
        status: DossierStatus,
        error: Option<String>,
        skipped: bool,
        page_count: u32,
    },
}

/// Told every [`Event`] of a run, from any of its threads.
#[derive(Clone)]
pub struct Observer(pub Arc<dyn Fn(&Event) + Send + Sync>);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer")
    }
}

/// What decides a run's output besides the input.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub engine: EngineKind,
    pub third_party: PathBuf,
    pub ingest: IngestOptions,
    /// OCR worker threads.
    pub jobs: usize,
    /// What the reviews are made with besides the pages: `--rubric` files
    /// and the `--units` registry.
    pub review: ReviewSettings,
    /// Pages not to read, by dossier id (0-based page, why): pages that
    /// crashed or hung a worker process before. Each is written as a page
    /// that could not be read, with the reason.
    pub skip_pages: std::collections::HashMap<String, Vec<(u32, String)>>,
    /// The sha256 of inputs already hashed in this run, by dossier id.
    pub known_sha256: std::collections::HashMap<String, String>,
    /// One page at a time: a page is read only once the one before is
    /// through OCR, so that a crash is known to be in that page.
    pub serial: bool,
    /// Whether [`scan`] writes `index.json` (a supervising parent writes it
    /// itself from the workers' events).
    pub write_index: bool,
    pub observer: Option<Observer>,
    /// The cache shared by the workers of a cluster (`--shared-cache`).
    pub shared_cache: Option<Arc<anjuan_objects::Objects>>,
}

impl RunConfig {
    pub fn new(engine: EngineKind, third_party: &Path, jobs: usize) -> Self {
        RunConfig {
            engine,
            third_party: third_party.to_path_buf(),
            ingest: IngestOptions::new(third_party),
            jobs: jobs.max(1),
            review: ReviewSettings::default(),
            skip_pages: Default::default(),
            known_sha256: Default::default(),
            serial: false,
            write_index: true,
            observer: None,
            shared_cache: None,
        }
    }

    /// Tells the observer, if any.
    pub fn tell(&self, event: Event) {
        if let Some(o) = &self.observer {
            (o.0)(&event);
        }
    }

    fn begin(&self, id: &str, stage: Stage, page: Option<u32>) {
        self.tell_stage(true, id, stage, page);
    }

    fn end(&self, id: &str, stage: Stage, page: Option<u32>) {
        self.tell_stage(false, id, stage, page);
    }

    /// [`Event::Begin`] or [`Event::End`], made only when someone listens.
    fn tell_stage(&self, begin: bool, id: &str, stage: Stage, page: Option<u32>) {
        if self.observer.is_none() {
            return;
        }
        let id = id.to_string();
        self.tell(match begin {
            true => Event::Begin { id, stage, page },
            false => Event::End { id, stage, page },
        });
    }

    /// Everything that changes a dossier's output: the program version, the
    /// engine, the installed models and libraries (`third_party/MANIFEST`),
    /// the ingest settings and the mark detectors' version. A finished dossier made under another key is redone.
    pub fn key(&self) -> String {
        let manifest = std::fs::read(self.third_party.join("MANIFEST")).unwrap_or_default();
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(self.engine.as_str().as_bytes());
        h.update(&manifest);
        h.update(
            format!(
                "dpi={} text={} imgdpi={} maxmp={}",
                self.ingest.render_dpi,
                self.ingest.min_text_layer_chars,
                self.ingest.default_image_dpi,
                self.ingest.max_page_megapixels
            )
            .as_bytes(),
        );
        for r in &self.review.rubrics {
            h.update(format!("rubric={r:?}").as_bytes());
        }
        h.update(format!("units={:?}", self.review.units).as_bytes());
        // New detectors change the marks, and so the checks' findings.
        h.update(format!("marks={}", anjuan_marks::MARKS_VERSION).as_bytes());
        // The reviews depend on the classifier, the checks and the model
        // files as well as on the OCR: a new build or model redoes the
        // reviews (the OCR and the marks stay cached, so that is quick).
        h.update(build_identity().as_bytes());
        hex::encode(h.finalize())[..16].to_string()
    }

    /// A factory of this run's engine.
    pub fn engine_factory(&self) -> EngineFactory {
        let (kind, tp) = (self.engine, self.third_party.clone());
        Arc::new(move || anjuan_ocr::create_engine(kind, &tp))
    }
}

/// One dossier of a run.
/// What the reviews of this process depend on besides the input and the
/// OCR: the program itself and the model files it loads (found as the
/// stages find them). Computed once per process.
fn build_identity() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let mut h = Sha256::new();
        if let Some(bytes) = std::env::current_exe()
            .ok()
            .and_then(|p| std::fs::read(p).ok())
        {
            h.update(&bytes);
        }
        h.update(format!("checks={:x}", anjuan_checks::rules_fingerprint()).as_bytes());
        let models = [
            anjuan_classify::model::model_path(),
            anjuan_statutes::default_index_path(),
        ];
        for path in models.into_iter().flatten() {
            h.update(path.to_string_lossy().as_bytes());
            h.update(std::fs::read(&path).unwrap_or_default());
        }
        hex::encode(h.finalize())
    })
}

#[derive(Debug, Clone)]
pub struct Dossier {
    pub id: String,
    pub source: DossierSource,
}

/// How one dossier went.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub id: String,
    pub source: String,
    pub status: DossierStatus,
    pub error: Option<String>,
    /// Unchanged since a finished earlier run: nothing was read.
    pub skipped: bool,
    pub page_count: u32,
}

/// Counts and time per stage (seconds; stage times are summed over threads).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanStats {
    pub wall_secs: f64,
    pub prepare_secs: f64,
    pub extract_secs: f64,
    pub hash_secs: f64,
    pub ocr_secs: f64,
    /// Finding marks (seals, signatures, fingerprints), summed over workers,
    /// with the red plane and the turn of it upright.
    pub marks_secs: f64,
    /// Making the reviewers' page views (scaled JPEGs), summed over workers.
    pub view_secs: f64,
    pub write_secs: f64,
    pub pages_ocr: u64,
    pub pages_cached: u64,
    pub pages_text_layer: u64,
    /// Pages whose OCR came from the cache but whose marks were found anew.
    pub pages_marks_only: u64,
    /// Pages that could not be read (written with their error).
    pub pages_unread: u64,
    pub dossiers_skipped: u64,
}

#[derive(Default)]
struct Timers {
    extract: AtomicU64,
    hash: AtomicU64,
    ocr: AtomicU64,
    marks: AtomicU64,
    view: AtomicU64,
}

fn add(t: &AtomicU64, since: Instant) {
    t.fetch_add(since.elapsed().as_nanos() as u64, Ordering::Relaxed);
}

fn secs(t: &AtomicU64) -> f64 {
    Duration::from_nanos(t.load(Ordering::Relaxed)).as_secs_f64()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Ocr,
    Cache,
    /// OCR from the cache, marks found anew.
    MarksOnly,
    TextLayer,
    /// The page could not be read: written with its error.
    Unread,
}

enum Msg {
    Page {
        d: usize,
        index: u32,
        page: OcrPage,
        via: Via,
        /// The page's view in the cache (none for a text-layer page).
        view: Option<PathBuf>,
    },
    Failed {
        d: usize,
        error: String,
    },
}

struct Work {
    d: usize,
    index: u32,
    hash: String,
    /// The page's key in the marks cache.
    marks_hash: String,
    /// Gray (OCR reads gray).
    page: PageImage,
    /// The red plane of a colour scan, as the scan lies (not yet upright).
    red: Option<GrayImage>,
    /// The page's OCR from the cache: only the marks are to be found.
    cached: Option<OcrPage>,
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// A dossier to read, with what the preparation learnt.
struct Todo {
    d: usize,
    sha256: String,
    page_count: u32,
}

/// Scans `dossiers` into `out`: skips those finished before with the same
/// input and configuration, reads and OCRs the rest (pages found in the cache
/// are not OCR'd again) and writes `index.json` after every dossier.
pub fn scan(
    dossiers: &[Dossier],
    out: &Path,
    config: &RunConfig,
    factory: EngineFactory,
    quiet: bool,
) -> anyhow::Result<(Vec<Outcome>, ScanStats)> {
    let t0 = Instant::now();
    let cache = Cache::new(out).with_shared(config.shared_cache.clone());
    let run_key = config.key();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; dossiers.len()];
    let mut todo = Vec::new();
    let mut stats = ScanStats::default();

    // Prepare: hash inputs, skip unchanged finished dossiers, count pages.
    for (d, dossier) in dossiers.iter().enumerate() {
        let source = dossier.source.path.display().to_string();
        let fail = |error: String| Outcome {
            id: dossier.id.clone(),
            source: source.clone(),
            status: DossierStatus::Failed,
            error: Some(error),
            skipped: false,
            page_count: 0,
        };
        // A worker started again after a crash is told the hashes its
        // parent learnt: a batch's inputs are read in whole once.
        let sha256 = match config.known_sha256.get(&dossier.id) {
            Some(s) => s.clone(),
            None => match dossier.source.sha256() {
                Ok(s) => s,
                Err(e) => {
                    outcomes[d] = Some(fail(e.to_string()));
                    continue;
                }
            },
        };
        config.tell(Event::Hashed {
            id: dossier.id.clone(),
            sha256: sha256.clone(),
        });
        if let Some(rec) = cache.get_record(&dossier.id) {
            if rec.sha256 == sha256
                && rec.config == run_key
                && outputs_complete(&out.join(&dossier.id), rec.page_count)
            {
                stats.dossiers_skipped += 1;
                refresh_source(&out.join(&dossier.id), &source);
                outcomes[d] = Some(Outcome {
                    id: dossier.id.clone(),
                    source,
                    status: DossierStatus::Ok,
                    error: None,
                    skipped: true,
                    page_count: rec.page_count,
                });
                continue;
            }
        }
        config.begin(&dossier.id, Stage::Open, None);
        let opened = anjuan_ingest::open(&dossier.source, &config.ingest).map(|r| r.page_count());
        config.end(&dossier.id, Stage::Open, None);
        match opened {
            Ok(page_count) => todo.push(Todo {
                d,
                sha256,
                page_count,
            }),
            Err(e) => outcomes[d] = Some(fail(e.to_string())),
        }
    }
    stats.prepare_secs = t0.elapsed().as_secs_f64();

    let total_pages: u64 = todo.iter().map(|t| t.page_count as u64).sum();
    let mut progress = Progress::new(quiet, dossiers.len() as u64, total_pages);
    for o in outcomes.iter().flatten() {
        progress.dossier_done(&outcome_line(o));
        config.tell(done_event(o));
    }
    config.tell(Event::Planned {
        dossiers: todo.len() as u64,
        pages: total_pages,
    });
    if config.write_index {
        write_index(out, &outcomes)?;
    }

    if !todo.is_empty() {
        run_pipeline(
            dossiers,
            &todo,
            out,
            config,
            &run_key,
            factory,
            &cache,
            &mut outcomes,
            &mut stats,
            &mut progress,
        )?;
    }
    progress.finish();
    stats.wall_secs = t0.elapsed().as_secs_f64();
    let outcomes: Vec<Outcome> = outcomes
        .into_iter()
        .enumerate()
        .map(|(d, o)| {
            o.unwrap_or_else(|| Outcome {
                id: dossiers[d].id.clone(),
                source: dossiers[d].source.path.display().to_string(),
                status: DossierStatus::Failed,
                error: Some(if INTERRUPTED.load(Ordering::Relaxed) {
                    INTERRUPTED_ERROR.into()
                } else {
                    "not processed (internal error)".into()
                }),
                skipped: false,
                page_count: 0,
            })
        })
        .collect();
    if config.write_index {
        write_index(out, &outcomes.iter().cloned().map(Some).collect::<Vec<_>>())?;
    }
    Ok((outcomes, stats))
}

/// What a dossier not finished when a run was interrupted is reported as.
pub const INTERRUPTED_ERROR: &str =
    "interrupted before it was finished (run the same command again to resume)";

fn done_event(o: &Outcome) -> Event {
    Event::Done {
        id: o.id.clone(),
        status: o.status,
        error: o.error.clone(),
        skipped: o.skipped,
        page_count: o.page_count,
    }
}

/// An unchanged dossier found at another path (moved or copied input): its
/// review names where it is now.
fn refresh_source(dir: &Path, source: &str) {
    let path = dir.join("review.json");
    let Ok(bytes) = std::fs::read(&path) else {
        return;
    };
    let Ok(mut review) = serde_json::from_slice::<anjuan_core::contract::Review>(&bytes) else {
        return;
    };
    if review.dossier.source != source {
        review.dossier.source = source.to_string();
        if let Err(e) = atomic_write_json(&path, &review) {
            eprintln!("anjuan: warning: {}: cannot update: {e}", path.display());
        }
    }
}

pub(crate) fn outcome_line(o: &Outcome) -> String {
    match (&o.status, o.skipped) {
        (DossierStatus::Ok, true) => format!("{}: unchanged, skipped", o.id),
        (DossierStatus::Ok, false) => format!("{}: ok, {} pages", o.id, o.page_count),
        (DossierStatus::Failed, _) => format!(
            "{}: FAILED: {}",
            o.id,
            o.error.as_deref().unwrap_or("unknown error")
        ),
    }
}

pub(crate) fn write_index(out: &Path, outcomes: &[Option<Outcome>]) -> anyhow::Result<()> {
    let index = Index {
        schema: INDEX_SCHEMA.to_string(),
        dossiers: outcomes
            .iter()
            .flatten()
            .map(|o| IndexEntry {
                id: o.id.clone(),
                source: o.source.clone(),
                status: o.status,
                error: o.error.clone(),
            })
            .collect(),
    };
    atomic_write_json(&out.join("index.json"), &index)
        .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", out.join("index.json").display()))
}

struct Collecting {
    pages: Vec<Option<OcrPage>>,
    views: Vec<Option<PathBuf>>,
    missing: u32,
    done: bool,
}

#[allow(clippy::too_many_arguments)]
fn run_pipeline(
    dossiers: &[Dossier],
    todo: &[Todo],
    out: &Path,
    config: &RunConfig,
    run_key: &str,
    factory: EngineFactory,
    cache: &Cache,
    outcomes: &mut [Option<Outcome>],
    stats: &mut ScanStats,
    progress: &mut Progress,
) -> anyhow::Result<()> {
    // The first engine tells the cache key; it then serves worker 0.
    let first = match factory() {
        Ok(e) => e,
        Err(e) => {
            for t in todo {
                let o = Outcome {
                    id: dossiers[t.d].id.clone(),
                    source: dossiers[t.d].source.path.display().to_string(),
                    status: DossierStatus::Failed,
                    error: Some(format!("cannot start the OCR engine: {e}")),
                    skipped: false,
                    page_count: 0,
                };
                progress.dossier_done(&outcome_line(&o));
                outcomes[t.d] = Some(o);
            }
            return Ok(());
        }
    };
    let engine_key = first.config_key();
    let marks_key = marks_key(&engine_key);
    // The registry learns which of its characters this engine cannot read.
    let mut settings = config.review.clone();
    settings.units.mark_unreadable(|c| first.can_read(c));
    let failed: Vec<AtomicBool> = dossiers.iter().map(|_| AtomicBool::new(false)).collect();
    let timers = Timers::default();
    let (msg_tx, msg_rx) = channel::<Msg>();
    let (work_tx, work_rx) = sync_channel::<Work>(config.jobs);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let mut collecting: Vec<Option<Collecting>> = dossiers.iter().map(|_| None).collect();
    for t in todo {
        collecting[t.d] = Some(Collecting {
            pages: vec![None; t.page_count as usize],
            views: vec![None; t.page_count as usize],
            missing: t.page_count,
            done: false,
        });
        cache.remove_record(&dossiers[t.d].id);
    }

    let in_flight = &InFlight::default();
    std::thread::scope(|s| -> anyhow::Result<()> {
        // Reader: the only thread that touches pdfium.
        {
            let (msg_tx, failed, timers) = (msg_tx.clone(), &failed, &timers);
            let (engine_key, marks_key) = (engine_key.clone(), marks_key.clone());
            s.spawn(move || {
                read_pages(
                    dossiers,
                    todo,
                    config,
                    cache,
                    (&engine_key, &marks_key),
                    failed,
                    timers,
                    &msg_tx,
                    work_tx,
                    in_flight,
                )
            });
        }
        let mut first = Some(first);
        for _ in 0..config.jobs {
            let engine = first.take();
            let (msg_tx, work_rx, factory) = (msg_tx.clone(), work_rx.clone(), factory.clone());
            let (failed, timers) = (&failed, &timers);
            let (engine_key, marks_key) = (engine_key.clone(), marks_key.clone());
            s.spawn(move || {
                let env = WorkerEnv {
                    factory: &factory,
                    msg_tx: &msg_tx,
                    cache,
                    engine_key: &engine_key,
                    marks_key: &marks_key,
                    failed,
                    dossiers,
                    timers,
                    config,
                    in_flight,
                };
                ocr_worker(engine, &work_rx, &env)
            });
        }
        drop(msg_tx);
        collect(
            dossiers,
            todo,
            out,
            run_key,
            config,
            &settings,
            cache,
            &msg_rx,
            &mut collecting,
            &failed,
            outcomes,
            stats,
            progress,
        )
    })?;
    stats.extract_secs = secs(&timers.extract);
    stats.hash_secs = secs(&timers.hash);
    stats.ocr_secs = secs(&timers.ocr);
    stats.marks_secs = secs(&timers.marks);
    stats.view_secs = secs(&timers.view);
    Ok(())
}

/// A page of more than [`anjuan_ingest::OCR_MAX_MEGAPIXELS`] scaled down to
/// it (its resolution with it): what a page costs on its way through OCR
/// grows with its pixels.
fn fit_for_ocr(mut page: PageImage) -> PageImage {
    let (w, h) = (page.image.width() as f64, page.image.height() as f64);
    let cap = anjuan_ingest::OCR_MAX_MEGAPIXELS as f64 * 1e6;
    if w * h <= cap {
        return page;
    }
    let scale = (cap / (w * h)).sqrt();
    let (nw, nh) = (
        ((w * scale).floor() as u32).max(1),
        ((h * scale).floor() as u32).max(1),
    );
    page.image = page
        .image
        .resize_exact(nw, nh, image::imageops::FilterType::Triangle);
    page.dpi = ((page.dpi as f64 * scale).round() as u32).max(1);
    page
}

/// Pages handed to OCR workers and not yet through: in a serial run the
/// reader waits for none before it reads the next page.
#[derive(Default)]
struct InFlight {
    count: Mutex<u32>,
    none: std::sync::Condvar,
}

impl InFlight {
    fn add(&self) {
        *self.count.lock().unwrap_or_else(|p| p.into_inner()) += 1;
    }

    fn done(&self) {
        let mut n = self.count.lock().unwrap_or_else(|p| p.into_inner());
        *n = n.saturating_sub(1);
        if *n == 0 {
            self.none.notify_all();
        }
    }

    fn wait_for_none(&self) {
        let mut n = self.count.lock().unwrap_or_else(|p| p.into_inner());
        while *n > 0 {
            n = self.none.wait(n).unwrap_or_else(|p| p.into_inner());
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn read_pages(
    dossiers: &[Dossier],
    todo: &[Todo],
    config: &RunConfig,
    cache: &Cache,
    (engine_key, marks_key): (&str, &str),
    failed: &[AtomicBool],
    timers: &Timers,
    msg_tx: &Sender<Msg>,
    work_tx: std::sync::mpsc::SyncSender<Work>,
    in_flight: &InFlight,
) {
    for t in todo {
        let d = t.d;
        let id = dossiers[d].id.as_str();
        let source = &dossiers[d].source;
        let skip = config.skip_pages.get(id);
        let result = catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
            config.begin(id, Stage::Open, None);
            injected_fault(&source.path, Stage::Open, None);
            let reader = anjuan_ingest::open(source, &config.ingest);
            config.end(id, Stage::Open, None);
            let mut reader = reader.map_err(|e| e.to_string())?;
            for index in 0..reader.page_count() {
                if failed[d].load(Ordering::Relaxed) || INTERRUPTED.load(Ordering::Relaxed) {
                    return Ok(());
                }
                if config.serial {
                    in_flight.wait_for_none();
                }
                let unread = |error: String| Msg::Page {
                    d,
                    index,
                    page: OcrPage::unread(error),
                    via: Via::Unread,
                    view: None,
                };
                // A page that crashed or hung a worker before is not read again.
                if let Some((_, why)) = skip.and_then(|s| s.iter().find(|(i, _)| *i == index)) {
                    let _ = msg_tx.send(unread(why.clone()));
                    continue;
                }
                let start = Instant::now();
                config.begin(id, Stage::Read, Some(index));
                injected_fault(&source.path, Stage::Read, Some(index));
                let content = reader.read_page(index);
                config.end(id, Stage::Read, Some(index));
                add(&timers.extract, start);
                // A page that cannot be read costs that page: the rest of
                // the dossier is still read and reviewed.
                let content = match content {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = msg_tx.send(unread(e.problem));
                        continue;
                    }
                };
                match content {
                    PageContent::Text(text) => {
                        let page = OcrPage::from_text_layer(&text);
                        let _ = msg_tx.send(Msg::Page {
                            d,
                            index,
                            page,
                            via: Via::TextLayer,
                            view: None,
                        });
                    }
                    PageContent::Image(image) => {
                        let mut image = fit_for_ocr(image);
                        // The marks need the red of a colour scan; OCR reads
                        // gray: with the red plane, two thirds of the memory
                        // of RGB per page in flight.
                        let start = Instant::now();
                        let red = anjuan_marks::red_plane(&image.image);
                        add(&timers.marks, start);
                        if !matches!(image.image, DynamicImage::ImageLuma8(_)) {
                            image.image = DynamicImage::ImageLuma8(image.image.to_luma8());
                        }
                        let start = Instant::now();
                        let hash = image_hash(&image.image);
                        let marks_hash = marks_hash(&hash, red.as_ref());
                        let cached = cache.get_page(engine_key, &hash);
                        let marks = cached
                            .as_ref()
                            .and_then(|_| cache.get_marks(marks_key, &marks_hash));
                        add(&timers.hash, start);
                        // A page cached before views were made goes to a
                        // worker once, as for new marks.
                        let marks = marks.filter(|_| cache.has_view(engine_key, &hash));
                        match (cached, marks) {
                            (Some(mut page), Some(marks)) => {
                                page.dpi = image.dpi;
                                page.marks = marks;
                                let _ = msg_tx.send(Msg::Page {
                                    d,
                                    index,
                                    page,
                                    via: Via::Cache,
                                    view: Some(cache.view_path(engine_key, &hash)),
                                });
                            }
                            (cached, _) => {
                                let work = Work {
                                    d,
                                    index,
                                    hash,
                                    marks_hash,
                                    page: image,
                                    red,
                                    cached,
                                };
                                in_flight.add();
                                if work_tx.send(work).is_err() {
                                    return Err("OCR workers stopped".into());
                                }
                            }
                        }
                    }
                }
            }
            Ok(())
        }));
        let error = match result {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(p) => Some(format!(
                "{}: internal error while reading: {}",
                source.path.display(),
                panic_message(p.as_ref())
            )),
        };
        if let Some(error) = error {
            failed[d].store(true, Ordering::Relaxed);
            let _ = msg_tx.send(Msg::Failed { d, error });
        }
    }
}

/// What an OCR worker works with, besides its engine and the page.
struct WorkerEnv<'a> {
    factory: &'a EngineFactory,
    msg_tx: &'a Sender<Msg>,
    cache: &'a Cache,
    engine_key: &'a str,
    marks_key: &'a str,
    failed: &'a [AtomicBool],
    dossiers: &'a [Dossier],
    timers: &'a Timers,
    config: &'a RunConfig,
    in_flight: &'a InFlight,
}

fn ocr_worker(
    mut engine: Option<Box<dyn OcrEngine>>,
    work_rx: &Mutex<Receiver<Work>>,
    env: &WorkerEnv,
) {
    loop {
        let work = {
            let rx = work_rx.lock().unwrap_or_else(|p| p.into_inner());
            match rx.recv() {
                Ok(w) => w,
                Err(_) => return,
            }
        };
        let (id, index) = (env.dossiers[work.d].id.as_str(), work.index);
        env.config.begin(id, Stage::Ocr, Some(index));
        injected_fault(&env.dossiers[work.d].source.path, Stage::Ocr, Some(index));
        ocr_one(work, &mut engine, env);
        env.config.end(id, Stage::Ocr, Some(index));
        env.in_flight.done();
    }
}

/// OCRs one page (or finds its marks, when its OCR is cached) and sends it on.
fn ocr_one(work: Work, engine: &mut Option<Box<dyn OcrEngine>>, env: &WorkerEnv) {
    let WorkerEnv {
        factory,
        msg_tx,
        cache,
        engine_key,
        marks_key,
        failed,
        dossiers,
        timers,
        ..
    } = *env;
    let Work {
        d,
        index,
        hash,
        marks_hash,
        page,
        red,
        cached,
    } = work;
    if failed[d].load(Ordering::Relaxed) {
        return;
    }
    let where_ = format!("{} (page {})", dossiers[d].source.path.display(), index + 1);
    // OCR from the cache: the marks alone, on the page turned as OCR turned it.
    if let Some(mut ocr_page) = cached {
        ocr_page.dpi = page.dpi;
        let start = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let gray = match page.image {
                DynamicImage::ImageLuma8(g) => g,
                other => other.to_luma8(),
            };
            let upright = anjuan_ocr::Orientation {
                rotation: ocr_page.rotation,
                skew_deg: ocr_page.skew_deg,
            }
            .apply(gray);
            let marks = page_marks(&upright, red, &ocr_page);
            (marks, upright)
        }));
        add(&timers.marks, start);
        match result {
            Ok((marks, upright)) => {
                if let Err(e) = cache.put_marks(marks_key, &marks_hash, &marks) {
                    eprintln!("anjuan: warning: cannot write the marks cache: {e}");
                }
                ocr_page.marks = marks;
                let view = put_view(cache, engine_key, &hash, &upright, timers);
                let _ = msg_tx.send(Msg::Page {
                    d,
                    index,
                    page: ocr_page,
                    via: Via::MarksOnly,
                    view,
                });
            }
            Err(p) => marks_crashed(msg_tx, d, &where_, p.as_ref()),
        }
        return;
    }
    if engine.is_none() {
        match factory() {
            Ok(e) => *engine = Some(e),
            Err(e) => {
                let _ = msg_tx.send(Msg::Failed {
                    d,
                    error: format!("{where_}: {e}"),
                });
                return;
            }
        }
    }
    let eng = engine.as_mut().expect("engine was just made");
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| {
        anjuan_ocr::read_page(eng.as_mut(), &page.image)
    }));
    add(&timers.ocr, start);
    drop(page.image);
    match result {
        Ok(Ok(read)) => {
            let mut ocr_page = OcrPage::from_read(&read, eng.name(), page.dpi);
            // A page that cannot be cached is still a good page; it is OCR'd again next time.
            match cache.put_page(engine_key, &hash, &ocr_page) {
                Ok(()) => log_ocr(&hash),
                Err(e) => eprintln!("anjuan: warning: cannot write the OCR cache: {e}"),
            }
            let start = Instant::now();
            let marks = catch_unwind(AssertUnwindSafe(|| page_marks(&read.image, red, &ocr_page)));
            add(&timers.marks, start);
            let marks = match marks {
                Ok(m) => m,
                Err(p) => return marks_crashed(msg_tx, d, &where_, p.as_ref()),
            };
            if let Err(e) = cache.put_marks(marks_key, &marks_hash, &marks) {
                eprintln!("anjuan: warning: cannot write the marks cache: {e}");
            }
            ocr_page.marks = marks;
            let view = put_view(cache, engine_key, &hash, &read.image, timers);
            let _ = msg_tx.send(Msg::Page {
                d,
                index,
                page: ocr_page,
                via: Via::Ocr,
                view,
            });
        }
        Ok(Err(e)) => {
            let _ = msg_tx.send(Msg::Failed {
                d,
                error: format!("{where_}: {e}"),
            });
        }
        Err(p) => {
            // The engine may be left in a bad state: make a new one next time.
            *engine = None;
            let _ = msg_tx.send(Msg::Failed {
                d,
                error: format!("{where_}: OCR crashed: {}", panic_message(p.as_ref())),
            });
        }
    }
}

fn marks_crashed(msg_tx: &Sender<Msg>, d: usize, where_: &str, p: &(dyn std::any::Any + Send)) {
    let _ = msg_tx.send(Msg::Failed {
        d,
        error: format!(
            "{where_}: finding seals and signatures crashed: {}",
            panic_message(p)
        ),
    });
}

/// Makes and caches the reviewers' view of an upright page; `None` (the
/// page shown without its image) when the cache cannot be written.
fn put_view(
    cache: &Cache,
    engine_key: &str,
    hash: &str,
    upright: &GrayImage,
    timers: &Timers,
) -> Option<PathBuf> {
    let start = Instant::now();
    // A page JPEG cannot hold (a strip of absurd length) has no view.
    let jpeg = crate::view::page_view(upright)?;
    let written = cache.put_view(engine_key, hash, &jpeg);
    add(&timers.view, start);
    match written {
        Ok(()) => Some(cache.view_path(engine_key, hash)),
        Err(e) => {
            eprintln!("anjuan: warning: cannot write a page view to the cache: {e}");
            None
        }
    }
}

/// The marks of an OCR'd page: `upright` is the gray page as OCR read it,
/// `red` the scan's red plane as the scan lies (turned here as OCR turned the page).
fn page_marks(
    upright: &GrayImage,
    red: Option<GrayImage>,
    ocr_page: &OcrPage,
) -> anjuan_core::marks::PageMarks {
    // Seals, signatures and fingerprints are looked for on paper: not on a
    // page of more than a metre a side, or one too coarse to show them.
    let (w_mm, h_mm) = (
        upright.width() as f32 / ocr_page.dpi.max(1) as f32 * 25.4,
        upright.height() as f32 / ocr_page.dpi.max(1) as f32 * 25.4,
    );
    if w_mm.max(h_mm) > 1000.0 || ocr_page.dpi < 50 {
        return anjuan_core::marks::PageMarks {
            version: anjuan_marks::MARKS_VERSION,
            ..Default::default()
        };
    }
    let red = red.map(|r| anjuan_marks::upright(r, ocr_page.rotation, ocr_page.skew_deg));
    anjuan_marks::find_marks(
        upright,
        red.as_ref(),
        &ocr_page.page_text().lines,
        ocr_page.dpi,
    )
}

#[allow(clippy::too_many_arguments)]
fn collect(
    dossiers: &[Dossier],
    todo: &[Todo],
    out: &Path,
    run_key: &str,
    config: &RunConfig,
    settings: &ReviewSettings,
    cache: &Cache,
    msg_rx: &Receiver<Msg>,
    collecting: &mut [Option<Collecting>],
    failed: &[AtomicBool],
    outcomes: &mut [Option<Outcome>],
    stats: &mut ScanStats,
    progress: &mut Progress,
) -> anyhow::Result<()> {
    let sha_of = |d: usize| todo.iter().find(|t| t.d == d).map(|t| t.sha256.clone());
    let source_of = |d: usize| dossiers[d].source.path.display().to_string();
    for msg in msg_rx {
        match msg {
            Msg::Failed { d, error } => {
                failed[d].store(true, Ordering::Relaxed);
                let Some(c) = collecting[d].as_mut() else {
                    continue;
                };
                if c.done {
                    continue;
                }
                c.done = true;
                c.pages.clear();
                let o = Outcome {
                    id: dossiers[d].id.clone(),
                    source: source_of(d),
                    status: DossierStatus::Failed,
                    error: Some(error),
                    skipped: false,
                    page_count: 0,
                };
                progress.dossier_done(&outcome_line(&o));
                config.tell(done_event(&o));
                outcomes[d] = Some(o);
                if config.write_index {
                    write_index(out, outcomes)?;
                }
            }
            Msg::Page {
                d,
                index,
                page,
                via,
                view,
            } => {
                progress.pages_done(1);
                config.tell(Event::PageDone {
                    id: dossiers[d].id.clone(),
                });
                match via {
                    Via::Ocr => stats.pages_ocr += 1,
                    Via::Cache => stats.pages_cached += 1,
                    Via::MarksOnly => {
                        stats.pages_cached += 1;
                        stats.pages_marks_only += 1;
                    }
                    Via::TextLayer => stats.pages_text_layer += 1,
                    Via::Unread => stats.pages_unread += 1,
                }
                let Some(c) = collecting[d].as_mut() else {
                    continue;
                };
                if c.done {
                    continue;
                }
                c.views[index as usize] = view;
                if c.pages[index as usize].replace(page).is_none() {
                    c.missing -= 1;
                }
                if c.missing > 0 {
                    continue;
                }
                c.done = true;
                let pages: Vec<OcrPage> =
                    std::mem::take(&mut c.pages).into_iter().flatten().collect();
                let views = std::mem::take(&mut c.views);
                let start = Instant::now();
                let sha256 = sha_of(d).unwrap_or_default();
                let unread: Vec<(usize, &str)> = pages
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| p.error.as_deref().map(|e| (i, e)))
                    .collect();
                let finished = if !pages.is_empty() && unread.len() == pages.len() {
                    // Nothing to review: the file fails, saying why.
                    Err(anyhow::anyhow!(
                        "no page could be read; page 1: {}",
                        unread[0].1
                    ))
                } else {
                    finish_dossier(
                        &dossiers[d],
                        &sha256,
                        &pages,
                        &views,
                        out,
                        run_key,
                        settings,
                        cache,
                    )
                };
                let o = match finished {
                    Ok(()) => Outcome {
                        id: dossiers[d].id.clone(),
                        source: source_of(d),
                        status: DossierStatus::Ok,
                        error: None,
                        skipped: false,
                        page_count: pages.len() as u32,
                    },
                    Err(e) => Outcome {
                        id: dossiers[d].id.clone(),
                        source: source_of(d),
                        status: DossierStatus::Failed,
                        error: Some(format!("{}: {e:#}", source_of(d))),
                        skipped: false,
                        page_count: 0,
                    },
                };
                stats.write_secs += start.elapsed().as_secs_f64();
                progress.dossier_done(&outcome_line(&o));
                config.tell(done_event(&o));
                outcomes[d] = Some(o);
                if config.write_index {
                    write_index(out, outcomes)?;
                }
            }
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn finish_dossier(
    dossier: &Dossier,
    sha256: &str,
    pages: &[OcrPage],
    views: &[Option<PathBuf>],
    out: &Path,
    run_key: &str,
    settings: &ReviewSettings,
    cache: &Cache,
) -> anyhow::Result<()> {
    let info = DossierInfo {
        id: dossier.id.clone(),
        source: dossier.source.path.display().to_string(),
        sha256: sha256.to_string(),
        page_count: pages.len() as u32,
    };
    let review = build_review(info, pages, settings)?;
    let dir = out.join(&dossier.id);
    // The views first: review.json, written last, says the dossier is whole.
    for (i, view) in views.iter().enumerate() {
        let path = dir.join(crate::view::view_file_name(i as u32 + 1));
        match view {
            Some(cached) => {
                let copied = std::fs::read(cached)
                    .and_then(|b| anjuan_core::fsutil::atomic_write(&path, &b));
                if let Err(e) = copied {
                    eprintln!(
                        "anjuan: warning: {}: page view not written: {e}",
                        path.display()
                    );
                }
            }
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    write_dossier(&dir, &review, pages).map_err(|e| {
        output_folder_error(&e);
        anyhow::anyhow!("cannot write {}: {e}", dir.display())
    })?;
    cache
        .put_record(
            &dossier.id,
            &DossierRecord {
                sha256: sha256.to_string(),
                config: run_key.to_string(),
                page_count: pages.len() as u32,
            },
        )
        .map_err(|e| {
            output_folder_error(&e);
            anyhow::anyhow!("cannot write the cache record: {e}")
        })?;
    Ok(())
}
