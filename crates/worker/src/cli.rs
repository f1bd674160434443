//! The commands: `anjuan enqueue` and `anjuan worker`.

use crate::queue::Queue;
use crate::run::{run, WorkerConfig};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct EnqueueArgs {
    /// PDFs, folders of page images, or folders holding them (as `anjuan
    /// scan` takes them); each dossier found is one job. The workers must
    /// see the same paths (a shared mount).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The reviewers' PostgreSQL database (postgres://…), which holds the queue.
    #[arg(long, value_name = "URL", env = "ANJUAN_DATABASE")]
    pub database: String,
}

#[derive(clap::Args, Debug)]
pub struct WorkerArgs {
    /// The reviewers' PostgreSQL database (postgres://…), which holds the queue.
    #[arg(long, value_name = "URL", env = "ANJUAN_DATABASE")]
    pub database: String,
    /// Object storage for the outputs and the page cache shared by all
    /// workers: an absolute path (a folder every worker mounts),
    /// file:///PATH, or s3://BUCKET/PREFIX (credentials and endpoint from
    /// AWS_* variables).
    #[arg(long, value_name = "URL", env = "ANJUAN_OBJECTS")]
    pub objects: Option<String>,
    /// The worker's name in the jobs it holds (default: host and process id).
    #[arg(long)]
    pub name: Option<String>,
    /// Seconds a job stays with this worker without a heartbeat (the
    /// heartbeat renews it every third of that).
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub lease: u64,
    /// Attempts of a job before it is a dead letter.
    #[arg(long, default_value_t = 3)]
    pub max_attempts: i32,
    /// Seconds before a failed job is tried again.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub retry_after: u64,
    /// OCR threads of each scan (default: the cores).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Stop once no job is left open, instead of waiting for more.
    #[arg(long)]
    pub drain: bool,
    /// Where jobs are scanned before their results are committed.
    #[arg(long, value_name = "DIR", default_value_os_t = std::env::temp_dir())]
    pub work_dir: PathBuf,
    /// Seconds an idle worker waits before it looks for work again.
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0)]
    pub poll: f64,
    /// Further options for each `anjuan scan` (e.g. --scan-arg=--page-timeout=60).
    #[arg(long = "scan-arg", value_name = "ARG", allow_hyphen_values = true)]
    pub scan_args: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct MigrateArgs {
    /// The reviewers' PostgreSQL database (postgres://…).
    #[arg(long, value_name = "URL", env = "ANJUAN_DATABASE")]
    pub database: String,
}

/// `anjuan migrate`: brings a PostgreSQL database to this program's schema
/// (the store's migrations, pgmq and its queues) and stops: the deployment's
/// one-off step before servers and workers of a new version start (they
/// would do it too, one at a time, but a failed migration is better seen
/// once, in one place).
pub fn migrate(args: &MigrateArgs) -> anyhow::Result<i32> {
    runtime()?.block_on(async {
        let queue = Queue::connect(&args.database, 2).await?;
        eprintln!("anjuan migrate: {} is up to date", queue.url());
        Ok(0)
    })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

pub fn enqueue(args: &EnqueueArgs) -> anyhow::Result<i32> {
    let found = anjuan_ingest::discover_all(&args.paths).map_err(|e| anyhow::anyhow!("{e}"))?;
    for s in &found.skipped {
        eprintln!("anjuan enqueue: skipped {}", s.display());
    }
    if found.dossiers.is_empty() {
        eprintln!("anjuan enqueue: no PDFs or page-image folders found in the given paths");
        return Ok(2);
    }
    let sources: Vec<String> = found
        .dossiers
        .iter()
        .map(|d| {
            std::fs::canonicalize(&d.path)
                .map(|p| p.to_string_lossy().into_owned())
                .map_err(|e| anyhow::anyhow!("{}: {e}", d.path.display()))
        })
        .collect::<anyhow::Result<_>>()?;
    let refs: Vec<&str> = sources.iter().map(String::as_str).collect();
    runtime()?.block_on(async {
        let queue = Queue::connect(&args.database, 2).await?;
        for s in &sources {
            let unit = anjuan_store::import::folder_unit(&refs, s);
            let job = queue.enqueue(s, unit.as_deref()).await?;
            println!("{job}\t{s}");
        }
        eprintln!("anjuan enqueue: {} jobs on {}", sources.len(), queue.url());
        Ok(0)
    })
}

pub fn worker(args: &WorkerArgs) -> anyhow::Result<i32> {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "worker".into());
    let cfg = WorkerConfig {
        database: args.database.clone(),
        objects: args.objects.clone(),
        name: args
            .name
            .clone()
            .unwrap_or_else(|| format!("{host}:{}", std::process::id())),
        lease: Duration::from_secs(args.lease.max(1)),
        max_attempts: args.max_attempts.max(1),
        retry_after: Duration::from_secs(args.retry_after),
        scan_jobs: args.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        }),
        drain: args.drain,
        poll: Duration::from_secs_f64(args.poll.clamp(0.05, 3600.0)),
        work_dir: args.work_dir.clone(),
        scan_args: args.scan_args.clone(),
    };
    runtime()?.block_on(run(cfg))
}
