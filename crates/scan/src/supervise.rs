//! Crash isolation: `anjuan scan` is a small supervising parent; the native
//! code that reads and OCRs pages (pdfium, the image decoders, ONNX Runtime)
//! runs in a worker process, the same program started as `anjuan scan
//! --worker`. The worker tells the parent, a JSON line at a time on its
//! stdout ([`Event`]), which dossier and page native code is working on and
//! which dossiers are done; the parent writes `index.json`.
//!
//! When the worker dies (a signal or an abort in native code), hangs on a
//! page (`--page-timeout`) or grows past `--max-memory`, the parent kills
//! it if need be and starts another, which resumes from the cache:
//! - the dossiers that were being worked on are suspects: each is run again
//!   alone, one page at a time, so that a second failure is known to be in
//!   one page;
//! - that page is then written as a page that could not be read, with the
//!   reason (`pages[].error`), and the rest of the dossier is reviewed;
//!   a dossier whose opening fails so, or that loses more than
//!   [`MAX_BAD_PAGES`] pages, fails with the reason;
//! - every other dossier goes on as before. A bad file costs one file (or one
//!   page), never the batch.

use crate::pipeline::{Event, Stage, INTERRUPTED, INTERRUPTED_ERROR};
use crate::progress::Progress;
use crate::{Dossier, Outcome};
use anjuan_core::contract::DossierStatus;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Pages of one dossier that may crash or hang a worker before the dossier
/// is failed instead.
pub const MAX_BAD_PAGES: usize = 5;

/// What the parent gives a worker on its stdin.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WorkerTask {
    /// The dossiers to scan, as the parent planned them (the worker does
    /// not look at the folders again: they may have changed meanwhile).
    pub dossiers: Vec<TaskDossier>,
    /// Pages not to read, by dossier (0-based page, why).
    pub skip_pages: HashMap<String, Vec<(u32, String)>>,
    /// One page at a time.
    pub serial: bool,
}

/// One dossier of a [`WorkerTask`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskDossier {
    pub id: String,
    /// The PDF, or the folder of page images.
    pub path: PathBuf,
    /// The page images in page order (none for a PDF).
    pub images: Vec<PathBuf>,
    /// Its sha256, when an earlier worker of the run hashed it.
    #[serde(default)]
    pub sha256: Option<String>,
}

impl TaskDossier {
    fn of(d: &Dossier, hashes: &HashMap<String, String>) -> Self {
        TaskDossier {
            id: d.id.clone(),
            path: d.source.path.clone(),
            images: d.source.files.clone(),
            sha256: hashes.get(&d.id).cloned(),
        }
    }

    /// The dossier to scan.
    pub fn dossier(&self) -> Dossier {
        use anjuan_ingest::{DossierSource, SourceKind};
        Dossier {
            id: self.id.clone(),
            source: DossierSource {
                path: self.path.clone(),
                kind: if self.images.is_empty() {
                    SourceKind::Pdf
                } else {
                    SourceKind::ImageFolder
                },
                files: self.images.clone(),
            },
        }
    }
}

impl WorkerTask {
    fn ids(&self) -> impl Iterator<Item = &String> {
        self.dossiers.iter().map(|d| &d.id)
    }
}

/// How the supervisor runs workers.
#[derive(Debug, Clone)]
pub struct Supervision {
    /// The worker command: the program and its arguments up to the task
    /// (`anjuan scan PATHS --out DIR … --worker`).
    pub command: Vec<std::ffi::OsString>,
    /// A page that native code works on longer than this is stopped.
    pub page_timeout: Duration,
    /// A worker whose resident memory passes this is stopped (bytes).
    pub max_memory: u64,
    pub quiet: bool,
    /// Where to write the run's log: a JSON line per dossier as it is
    /// settled (id, status, seconds, pages, error).
    pub log: Option<PathBuf>,
}

/// One line of the run's log (`DIR/scan-log.jsonl`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogLine {
    pub id: String,
    pub status: DossierStatus,
    /// From when its pages began to be read (or its file to be opened) to
    /// when it was settled, in seconds.
    pub seconds: f64,
    pub pages: u32,
    pub skipped: bool,
    pub error: Option<String>,
}

/// How a worker ended.
enum End {
    /// It exited by itself with this code.
    Exited(i32),
    /// It died of a signal (or was killed by the parent for `why`).
    Died(String),
    /// The parent stopped it: this page of this dossier ran too long.
    TimedOut { id: String, page: Option<u32> },
    /// The parent stopped it: it used too much memory.
    TooBig,
}

/// What a worker run left.
struct Run {
    end: End,
    /// What native code was working on when it ended.
    in_flight: Vec<(String, Stage, Option<u32>)>,
    /// Whether any dossier was done in this run.
    progressed: bool,
    /// Dossiers whose pages were begun and that were not done (suspects
    /// when nothing was in native code: the fault was in building the review).
    touched: Vec<String>,
    /// The worker's last lines on stderr (for the reason of a crash).
    last_stderr: Vec<String>,
}

/// Runs the scan of `dossiers` in worker processes; returns each dossier's
/// outcome (in plan order) and whether the run had to stop because the
/// output could not be written (a worker exited with
/// [`crate::EXIT_OUTPUT`]). `on_outcome` is called as each dossier is
/// settled (to keep `index.json` current).
pub fn supervise(
    dossiers: &[Dossier],
    sup: &Supervision,
    mut on_outcome: impl FnMut(&[Option<Outcome>]) -> anyhow::Result<()>,
) -> anyhow::Result<(Vec<Outcome>, bool)> {
    let index: HashMap<&str, usize> = dossiers
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; dossiers.len()];
    let mut pending: Vec<String> = dossiers.iter().map(|d| d.id.clone()).collect();
    let mut quarantine: VecDeque<String> = VecDeque::new();
    let mut skip: HashMap<String, Vec<(u32, String)>> = HashMap::new();
    let mut hashes: HashMap<String, String> = HashMap::new();
    let mut fruitless = 0;
    let mut progress = Progress::new(sup.quiet, dossiers.len() as u64, 0);
    let mut output_failed = false;
    let log = sup.log.as_ref().and_then(|p| {
        std::fs::File::create(p)
            .map_err(|e| eprintln!("anjuan scan: warning: {}: cannot write: {e}", p.display()))
            .ok()
    });
    let log = Mutex::new(log);
    let started: Mutex<HashMap<String, (Instant, bool)>> = Mutex::new(HashMap::new());
    let settle = |outcomes: &mut Vec<Option<Outcome>>, o: Outcome, progress: &mut Progress| {
        progress.dossier_done(&crate::pipeline::outcome_line(&o));
        let since = started
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&o.id)
            .map(|(t, _)| t);
        if let Some(file) = log.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            let line = LogLine {
                id: o.id.clone(),
                status: o.status,
                seconds: since.map_or(0.0, |t| (t.elapsed().as_secs_f64() * 100.0).round() / 100.0),
                pages: o.page_count,
                skipped: o.skipped,
                error: o.error.clone(),
            };
            if let Ok(json) = serde_json::to_string(&line) {
                let _ = writeln!(file, "{json}");
            }
        }
        if let Some(&d) = index.get(o.id.as_str()) {
            outcomes[d] = Some(o);
        }
    };
    // A failed dossier; its reason is `what`, after its file's name.
    let failure = |id: &str, what: &str| Outcome {
        id: id.to_string(),
        source: index
            .get(id)
            .map(|&d| dossiers[d].source.path.display().to_string())
            .unwrap_or_default(),
        status: DossierStatus::Failed,
        error: Some(format!("{}: {what}", source_of(dossiers, &index, id))),
        skipped: false,
        page_count: 0,
    };
    // A dossier given up on: no more workers for it.
    let give_up = |id: &str,
                   what: &str,
                   pending: &mut Vec<String>,
                   outcomes: &mut Vec<Option<Outcome>>,
                   progress: &mut Progress| {
        pending.retain(|p| p != id);
        settle(outcomes, failure(id, what), progress);
    };
    loop {
        if INTERRUPTED.load(Ordering::Relaxed) {
            break;
        }
        let (task, solo) = if let Some(id) = quarantine.pop_front() {
            let task = WorkerTask {
                skip_pages: skip
                    .get(&id)
                    .map(|s| HashMap::from([(id.clone(), s.clone())]))
                    .unwrap_or_default(),
                dossiers: index
                    .get(id.as_str())
                    .map(|&d| TaskDossier::of(&dossiers[d], &hashes))
                    .into_iter()
                    .collect(),
                serial: true,
            };
            (task, true)
        } else if !pending.is_empty() {
            let task = WorkerTask {
                dossiers: pending
                    .iter()
                    .filter_map(|id| index.get(id.as_str()))
                    .map(|&d| TaskDossier::of(&dossiers[d], &hashes))
                    .collect(),
                skip_pages: skip.clone(),
                serial: false,
            };
            (task, false)
        } else {
            break;
        };
        // A dossier's time is counted in the worker that finishes it.
        started.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let run = run_worker(sup, &task, &mut |event| match event {
            Event::Planned { pages, .. } => progress.pages_left(pages),
            Event::Hashed { id, sha256 } => {
                hashes.insert(id, sha256);
            }
            Event::PageDone { .. } => progress.pages_done(1),
            Event::Done {
                id,
                status,
                error,
                skipped,
                page_count,
            } => {
                let o = Outcome {
                    id: id.clone(),
                    source: index
                        .get(id.as_str())
                        .map(|&d| dossiers[d].source.path.display().to_string())
                        .unwrap_or_default(),
                    status,
                    error,
                    skipped,
                    page_count,
                };
                pending.retain(|p| *p != id);
                settle(&mut outcomes, o, &mut progress);
                if let Err(e) = on_outcome(&outcomes) {
                    eprintln!("anjuan scan: {e:#}");
                }
            }
            Event::Begin { id, stage, .. } => {
                // A dossier's time runs from its first page read (the
                // opening that counts pages, for all of them at once, only
                // when nothing comes after it).
                let reading = stage != Stage::Open;
                let mut started = started.lock().unwrap_or_else(|p| p.into_inner());
                if !started
                    .get(&id)
                    .is_some_and(|(_, was_reading)| *was_reading)
                {
                    started.insert(id, (Instant::now(), reading));
                }
            }
            Event::End { .. } => {}
        })?;
        let unfinished: Vec<String> = task
            .ids()
            .filter(|id| {
                index
                    .get(id.as_str())
                    .is_some_and(|&d| outcomes[d].is_none())
            })
            .cloned()
            .collect();
        let suspects: Vec<String> = {
            let mut seen = HashSet::new();
            let in_native = run.in_flight.iter().map(|(id, _, _)| id);
            let begun = run.touched.iter();
            let from = if run.in_flight.is_empty() {
                begun.collect::<Vec<_>>()
            } else {
                in_native.collect()
            };
            from.into_iter()
                .filter(|id| unfinished.contains(id) && seen.insert((*id).clone()))
                .cloned()
                .collect()
        };
        let page_why;
        let why = match &run.end {
            End::Exited(0) | End::Exited(1) => {
                if !INTERRUPTED.load(Ordering::Relaxed) {
                    for id in &unfinished {
                        let what = "not processed (internal error)";
                        give_up(id, what, &mut pending, &mut outcomes, &mut progress);
                    }
                }
                continue;
            }
            End::Exited(code) if *code == crate::EXIT_OUTPUT => {
                output_failed = true;
                break;
            }
            End::Exited(code) if *code == crate::EXIT_INTERRUPTED => break,
            End::Exited(code) => {
                page_why = format!("reading this page ended the worker process (status {code})");
                format!("the worker process ended with status {code}")
            }
            End::Died(signal) => {
                page_why = format!("reading this page crashed the worker process ({signal})");
                format!("the worker process crashed ({signal})")
            }
            End::TimedOut { id, page } => {
                // The page is known: it is not read again, and the rest
                // of its dossier and of the batch go on.
                let secs = sup.page_timeout.as_secs();
                match page {
                    Some(p) => {
                        let why = format!(
                            "reading this page took longer than {secs} s (--page-timeout): stopped"
                        );
                        let pages = skip.entry(id.clone()).or_default();
                        pages.push((*p, why));
                        if pages.len() <= MAX_BAD_PAGES && solo {
                            quarantine.push_front(id.clone());
                        }
                        if pages.len() > MAX_BAD_PAGES {
                            let what = format!(
                                "more than {MAX_BAD_PAGES} pages could not be read in time"
                            );
                            give_up(id, &what, &mut pending, &mut outcomes, &mut progress);
                        }
                    }
                    None => {
                        let what = format!(
                            "opening the file took longer than {secs} s (--page-timeout): stopped"
                        );
                        give_up(id, &what, &mut pending, &mut outcomes, &mut progress);
                    }
                }
                on_outcome(&outcomes)?;
                fruitless = 0;
                continue;
            }
            End::TooBig => {
                let mb = sup.max_memory >> 20;
                page_why = format!(
                    "reading this page took more than {mb} MB of memory (--max-memory): stopped"
                );
                format!(
                    "the worker process used more than {mb} MB of memory (--max-memory): stopped"
                )
            }
        };
        // What a crashed worker said last may tell why (a stopped one's
        // last words are about something else).
        let said = match (&run.end, last_words(&run.last_stderr)) {
            (End::Died(_) | End::Exited(_), Some(line)) => format!("; it said: {line}"),
            _ => String::new(),
        };
        let (why, page_why) = (format!("{why}{said}"), format!("{page_why}{said}"));
        if solo {
            let id = &task.dossiers[0].id;
            let pages: Vec<Option<u32>> = run
                .in_flight
                .iter()
                .filter(|(i, _, _)| i == id)
                .map(|(_, _, p)| *p)
                .collect();
            let known = skip.get(id).map_or(0, Vec::len);
            match pages.as_slice() {
                [Some(p)] if known < MAX_BAD_PAGES => {
                    skip.entry(id.clone()).or_default().push((*p, page_why));
                    quarantine.push_front(id.clone());
                }
                _ if !unfinished.contains(id) => {}
                _ => {
                    let at = match pages.as_slice() {
                        [None] => "opening the file".to_string(),
                        [Some(p)] => format!("page {}", p + 1),
                        _ => "reading it".to_string(),
                    };
                    let what = format!("{at}: {why}");
                    give_up(id, &what, &mut pending, &mut outcomes, &mut progress);
                    on_outcome(&outcomes)?;
                }
            }
            fruitless = 0;
        } else if suspects.is_empty() {
            // Nothing was being read: a crash outside any dossier (the
            // engine's start, say). Try again, but not for ever.
            fruitless = if run.progressed { 0 } else { fruitless + 1 };
            if fruitless >= 3 {
                for id in &unfinished {
                    let what = format!("not scanned: {why}");
                    give_up(id, &what, &mut pending, &mut outcomes, &mut progress);
                }
                on_outcome(&outcomes)?;
            }
        } else {
            for id in suspects {
                pending.retain(|p| *p != id);
                quarantine.push_back(id);
            }
            fruitless = 0;
        }
    }
    progress.finish();
    let interrupted = INTERRUPTED.load(Ordering::Relaxed);
    let outcomes = outcomes
        .into_iter()
        .enumerate()
        .map(|(d, o)| {
            o.unwrap_or_else(|| {
                let what = if output_failed {
                    "not scanned: the output folder could not be written"
                } else if interrupted {
                    INTERRUPTED_ERROR
                } else {
                    "not processed (internal error)"
                };
                failure(&dossiers[d].id, what)
            })
        })
        .collect();
    Ok((outcomes, output_failed))
}

/// What a worker said last before it ended, worth repeating: a panic's
/// message (the line after "panicked at"), else its last line that is not
/// a note about backtraces.
fn last_words(lines: &[String]) -> Option<String> {
    if let Some(i) = lines.iter().rposition(|l| l.contains("panicked at")) {
        if let Some(message) = lines.get(i + 1).filter(|l| !l.trim().is_empty()) {
            return Some(message.trim().to_string());
        }
    }
    lines
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| !l.is_empty() && !l.starts_with("note:") && !l.starts_with("stack backtrace"))
        .map(str::to_string)
}

fn source_of(dossiers: &[Dossier], index: &HashMap<&str, usize>, id: &str) -> String {
    index
        .get(id)
        .map(|&d| dossiers[d].source.path.display().to_string())
        .unwrap_or_else(|| id.to_string())
}

/// Starts a worker on `task`, follows its events until it ends, stopping it
/// when a page runs too long or it grows too big.
fn run_worker(
    sup: &Supervision,
    task: &WorkerTask,
    on_event: &mut dyn FnMut(Event),
) -> anyhow::Result<Run> {
    let (program, args) = sup
        .command
        .split_first()
        .ok_or_else(|| anyhow::anyhow!("no worker command"))?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        // A panic is told in one message, not a backtrace.
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // The worker dies with the parent: a killed `anjuan scan` leaves no
    // worker writing behind it.
    // SAFETY: the hook makes one syscall (async-signal-safe).
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(anjuan_core::process::die_with_parent);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start the worker process {program:?}: {e}"))?;
    {
        let mut stdin = child.stdin.take().expect("piped");
        let task = serde_json::to_vec(task)?;
        // A worker that dies at once closes its stdin: that shows as its end.
        let _ = stdin.write_all(&task).and_then(|()| stdin.write_all(b"\n"));
    }
    let (tx, rx) = channel::<Option<Event>>();
    let stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Ok(ev) = serde_json::from_str::<Event>(&line) {
                if tx.send(Some(ev)).is_err() {
                    break;
                }
            }
        }
        let _ = tx.send(None);
    });
    let last_stderr = Arc::new(Mutex::new(VecDeque::<String>::new()));
    let stderr = child.stderr.take().expect("piped");
    let forward = {
        let last = last_stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                eprintln!("{line}");
                let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
                last.push_back(line);
                if last.len() > 12 {
                    last.pop_front();
                }
            }
        })
    };
    let mut in_flight: HashMap<(String, Stage, Option<u32>), Instant> = HashMap::new();
    let mut progressed = false;
    let mut touched: Vec<String> = Vec::new();
    let mut stopped: Option<End> = None;
    let mut interrupt_sent: Option<Instant> = None;
    loop {
        match rx.recv_timeout(Duration::from_millis(25)) {
            Ok(Some(ev)) => {
                match &ev {
                    Event::Begin { id, stage, page } => {
                        in_flight.insert((id.clone(), *stage, *page), Instant::now());
                        if *stage != Stage::Open && !touched.contains(id) {
                            touched.push(id.clone());
                        }
                    }
                    Event::End { id, stage, page } => {
                        in_flight.remove(&(id.clone(), *stage, *page));
                    }
                    Event::Done { id, .. } => {
                        in_flight.retain(|(i, _, _), _| i != id);
                        touched.retain(|t| t != id);
                        progressed = true;
                    }
                    _ => {}
                }
                on_event(ev);
            }
            Ok(None) | Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {}
        }
        if stopped.is_some() {
            continue;
        }
        if INTERRUPTED.load(Ordering::Relaxed) {
            // Ctrl-C reaches the worker too when it comes from the
            // terminal; a signal to the parent alone is passed on. The
            // worker keeps what it finished and exits.
            match interrupt_sent {
                None => {
                    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
                    interrupt_sent = Some(Instant::now());
                }
                Some(at) if at.elapsed() > Duration::from_secs(20) => {
                    let _ = child.kill();
                    stopped = Some(End::Died("interrupted".into()));
                }
                Some(_) => {}
            }
            continue;
        }
        if let Some(((id, _, page), _)) = in_flight
            .iter()
            .find(|(_, since)| since.elapsed() > sup.page_timeout)
        {
            stopped = Some(End::TimedOut {
                id: id.clone(),
                page: *page,
            });
            let _ = child.kill();
            continue;
        }
        if resident_bytes(child.id()).is_some_and(|rss| rss > sup.max_memory) {
            stopped = Some(End::TooBig);
            let _ = child.kill();
        }
    }
    let status = child.wait()?;
    let _ = reader.join();
    let _ = forward.join();
    let end = match stopped {
        Some(end) => end,
        None => match status.code() {
            Some(code) => End::Exited(code),
            None => {
                use std::os::unix::process::ExitStatusExt;
                let sig = status.signal().unwrap_or(0);
                End::Died(signal_name(sig))
            }
        },
    };
    let last_stderr = last_stderr
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .cloned()
        .collect();
    let mut in_flight: Vec<(String, Stage, Option<u32>)> = in_flight.into_keys().collect();
    in_flight.sort_by(|a, b| (&a.0, a.2).cmp(&(&b.0, b.2)));
    Ok(Run {
        end,
        in_flight,
        progressed,
        touched,
        last_stderr,
    })
}

/// Resident memory of a process (Linux: `/proc/PID/status`).
fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn signal_name(sig: i32) -> String {
    let name = match sig {
        libc::SIGABRT => "SIGABRT: aborted",
        libc::SIGSEGV => "SIGSEGV: invalid memory access",
        libc::SIGBUS => "SIGBUS: bus error",
        libc::SIGFPE => "SIGFPE: arithmetic error",
        libc::SIGILL => "SIGILL: illegal instruction",
        libc::SIGKILL => "SIGKILL: killed, perhaps by the system for want of memory",
        libc::SIGTERM => "SIGTERM: terminated",
        libc::SIGINT => "SIGINT: interrupted",
        _ => return format!("signal {sig}"),
    };
    name.to_string()
}

/// The worker side: reads its [`WorkerTask`] from stdin.
pub fn read_task() -> anyhow::Result<WorkerTask> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(serde_json::from_str(&line)?)
}

/// The worker side: an observer that writes each event as a JSON line on
/// stdout. When the parent is gone (the pipe is closed), the run stops.
pub fn stdout_observer() -> crate::pipeline::Observer {
    let out = Mutex::new(std::io::stdout());
    crate::pipeline::Observer(Arc::new(move |event: &Event| {
        let Ok(line) = serde_json::to_string(event) else {
            return;
        };
        let mut out = out.lock().unwrap_or_else(|p| p.into_inner());
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            INTERRUPTED.store(true, Ordering::Relaxed);
        }
    }))
}

/// The program to start workers with: this one.
pub fn this_program() -> anyhow::Result<PathBuf> {
    std::env::current_exe().map_err(|e| anyhow::anyhow!("cannot tell this program's path: {e}"))
}
