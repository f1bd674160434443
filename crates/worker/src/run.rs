//! `anjuan worker`: takes jobs until told to stop (or, with `--drain`, until
//! none are left), scans each with the ordinary supervised `anjuan scan` of
//! one dossier in a folder of its own, and commits it.

use crate::queue::{Commit, Failure, Lease, Queue};
use anjuan_core::contract::{DossierStatus, Index};
use anjuan_objects::Objects;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// postgres://…
    pub database: String,
    /// Outputs and the shared page cache (`Objects` URL); none: the
    /// dossiers go into the store only, and pages are cached per job.
    pub objects: Option<String>,
    /// How the worker names itself in the jobs it holds.
    pub name: String,
    /// How long a job stays invisible to other workers without a heartbeat.
    pub lease: Duration,
    /// Reads of a job before it is a dead letter.
    pub max_attempts: i32,
    /// Wait before a failed job is tried again.
    pub retry_after: Duration,
    /// `--jobs` of each scan (OCR threads).
    pub scan_jobs: usize,
    /// Stop when no job is open (queued, running or to be retried).
    pub drain: bool,
    /// How often an idle worker looks for work.
    pub poll: Duration,
    /// Where each job's scan writes before its result is committed.
    pub work_dir: PathBuf,
    /// Further arguments for each `anjuan scan` (e.g. `--page-timeout=60`).
    pub scan_args: Vec<String>,
}

/// Exit status: the worker stopped as asked, or drained the queue.
pub const EXIT_OK: i32 = 0;
/// Exit status: this machine cannot scan (a missing dependency); the job is
/// left to another worker.
pub const EXIT_DEPENDENCY: i32 = 3;

/// Stop requests: 1 = finish the job in hand, then stop; 2 = now.
static STOP: AtomicU32 = AtomicU32::new(0);

fn log(cfg: &WorkerConfig, msg: impl std::fmt::Display) {
    eprintln!("anjuan worker {}: {msg}", cfg.name);
}

pub async fn run(cfg: WorkerConfig) -> anyhow::Result<i32> {
    let queue = Queue::connect(&cfg.database, 4).await?;
    let objects = match &cfg.objects {
        Some(url) => Some(Arc::new(
            Objects::open(url).map_err(|e| anyhow::anyhow!("--objects {e}"))?,
        )),
        None => None,
    };
    std::fs::create_dir_all(&cfg.work_dir)
        .map_err(|e| anyhow::anyhow!("{}: cannot make it: {e}", cfg.work_dir.display()))?;
    tokio::spawn(watch_signals());
    log(
        &cfg,
        format!("on {} (lease {} s)", queue.url(), cfg.lease.as_secs()),
    );
    let mut done = 0u64;
    while STOP.load(Ordering::Relaxed) == 0 {
        match queue.take(cfg.lease, &cfg.name, cfg.max_attempts).await? {
            Some(lease) => {
                if let Some(code) = handle(&queue, &cfg, objects.as_deref(), lease).await? {
                    return Ok(code);
                }
                done += 1;
            }
            None => {
                if cfg.drain && queue.open_jobs().await? == 0 {
                    break;
                }
                tokio::time::sleep(cfg.poll).await;
            }
        }
    }
    log(&cfg, format!("stopping after {done} jobs"));
    Ok(EXIT_OK)
}

async fn watch_signals() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return;
    };
    loop {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        STOP.fetch_add(1, Ordering::Relaxed);
    }
}

/// One job: scan, then commit or record the failure. `Some(code)`: the
/// worker must stop with that status.
async fn handle(
    queue: &Queue,
    cfg: &WorkerConfig,
    objects: Option<&Objects>,
    lease: Lease,
) -> anyhow::Result<Option<i32>> {
    let job = lease.job.job;
    let started = Instant::now();
    log(
        cfg,
        format!(
            "job {job}: {} (attempt {})",
            lease.job.source, lease.read_ct
        ),
    );
    let dir = tempfile::Builder::new()
        .prefix(&format!("anjuan-job-{job}-"))
        .tempdir_in(&cfg.work_dir)?;
    let out = dir.path().join("out");
    let mut cmd = tokio::process::Command::new(std::env::current_exe()?);
    cmd.arg("scan")
        .arg(&lease.job.source)
        .arg("--out")
        .arg(&out)
        .arg(format!("--jobs={}", cfg.scan_jobs.max(1)))
        .arg("--quiet")
        .args(&cfg.scan_args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    if let Some(o) = objects {
        cmd.arg(format!(
            "--shared-cache={}/cache",
            o.url().trim_end_matches('/')
        ));
    }
    // The scan dies with its worker, however the worker dies.
    // SAFETY: the hook makes one syscall (async-signal-safe).
    unsafe {
        cmd.pre_exec(anjuan_core::process::die_with_parent);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start anjuan scan: {e}"))?;
    let stderr = child.stderr.take();
    let tail = tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let mut buf = Vec::new();
        if let Some(mut s) = stderr {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = s.read(&mut chunk).await {
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                if buf.len() > 16 * 1024 {
                    buf.drain(..buf.len() - 8 * 1024);
                }
            }
        }
        String::from_utf8_lossy(&buf).trim().to_string()
    });
    let mut beat = tokio::time::interval((cfg.lease / 3).max(Duration::from_millis(200)));
    beat.tick().await;
    let status = loop {
        tokio::select! {
            // A scan that has ended goes to its commit (which the fence
            // refuses if the lease was lost meanwhile), even when a
            // heartbeat is due too (a worker woken from a freeze).
            biased;
            s = child.wait() => break s?,
            _ = beat.tick() => {
                if STOP.load(Ordering::Relaxed) >= 2 {
                    let _ = child.start_kill();
                    log(cfg, format!("job {job}: stopped at once; it goes back to the queue when its lease ends"));
                    return Ok(Some(EXIT_OK));
                }
                match queue.renew(&lease, cfg.lease).await {
                    Ok(true) => {}
                    Ok(false) => {
                        let _ = child.start_kill();
                        log(cfg, format!("job {job}: lease lost (another worker has it); scan stopped"));
                        return Ok(None);
                    }
                    // The database away for a moment: the lease may still
                    // hold; if it ends, the commit is refused.
                    Err(e) => log(cfg, format!("job {job}: warning: cannot renew the lease: {e}")),
                }
            }
        }
    };
    let tail = tail.await.unwrap_or_default();
    if status.code() == Some(EXIT_DEPENDENCY) {
        log(cfg, format!("job {job}: this machine cannot scan: {tail}"));
        return Ok(Some(EXIT_DEPENDENCY));
    }
    match outcome(&out, &lease, status, &tail) {
        Ok(dossier_dir) => {
            let dossier = anjuan_store::read_dossier(&dossier_dir, lease.job.folder_unit.clone())
                .map_err(|e| anyhow::anyhow!("job {job}: {e}"))?;
            if let Some(o) = objects {
                upload(o, &dossier_dir, &dossier).await?;
            }
            match queue.commit(&lease, &dossier, &cfg.name).await? {
                Commit::Done(id) => log(
                    cfg,
                    format!(
                        "job {job}: done: dossier {id}, {} pages, {:.1} s",
                        dossier.page_texts.len(),
                        started.elapsed().as_secs_f64()
                    ),
                ),
                Commit::Refused(why) => log(cfg, format!("job {job}: result refused: {why}")),
            }
        }
        Err(error) => {
            let what = queue
                .fail(&lease, &error, cfg.max_attempts, cfg.retry_after)
                .await?;
            log(
                cfg,
                format!(
                    "job {job}: failed ({}): {error}",
                    match what {
                        Failure::Retrying => "to be retried",
                        Failure::Dead => "attempts used up: dead letter",
                        Failure::Lost => "lease lost meanwhile",
                    }
                ),
            );
        }
    }
    Ok(None)
}

/// The scanned dossier's folder, or why there is none.
fn outcome(
    out: &Path,
    lease: &Lease,
    status: std::process::ExitStatus,
    tail: &str,
) -> Result<PathBuf, String> {
    let index = std::fs::read_to_string(out.join("index.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Index>(&t).ok());
    let last_line = tail.lines().last().unwrap_or("").to_string();
    let Some(index) = index else {
        return Err(format!(
            "{}: the scan wrote no index ({status}){}",
            lease.job.source,
            if last_line.is_empty() {
                String::new()
            } else {
                format!(": {last_line}")
            }
        ));
    };
    match index.dossiers.as_slice() {
        [d] if d.status == DossierStatus::Ok => Ok(out.join(&d.id)),
        [d] => Err(d
            .error
            .clone()
            .unwrap_or_else(|| format!("{}: failed ({status})", d.source))),
        ds => Err(format!(
            "{}: not one dossier but {} (a job is one PDF or one folder of page images)",
            lease.job.source,
            ds.len()
        )),
    }
}

/// The dossier's outputs to object storage, under `dossiers/<sha256>/`
/// (its input's hash: a dossier scanned twice writes the same objects).
async fn upload(
    objects: &Objects,
    dir: &Path,
    dossier: &anjuan_store::NewDossier,
) -> anyhow::Result<()> {
    let review: anjuan_core::contract::Review = serde_json::from_str(&dossier.review_json)?;
    let base = format!("dossiers/{}", review.dossier.sha256);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let e = e?;
            let path = e.path();
            if e.file_type()?.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(dir)?;
            let key = format!(
                "{base}/{}",
                rel.components()
                    .filter_map(|c| c.as_os_str().to_str())
                    .collect::<Vec<_>>()
                    .join("/")
            );
            objects
                .put_async(&key, tokio::fs::read(&path).await?)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    Ok(())
}
