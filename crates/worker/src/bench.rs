//! `anjuan bench-workers PATH…`: the queue's throughput with 1, 2, 3 …
//! workers on this machine. Each round: a fresh database on a throw-away
//! PostgreSQL cluster on loopback, a fresh (empty) shared page cache, every
//! dossier under PATH enqueued, N `anjuan worker --drain` processes started
//! together; the round ends when all have drained the queue. Reported:
//! wall time, pages/s, pages/s per core, CPU seconds per page (the workers'
//! and their scans', from the kernel's accounting) and the largest process.

use crate::queue::Queue;
use anjuan_store::pgcluster::Cluster;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct BenchWorkersArgs {
    /// Dossiers to scan (PDFs, folders of page images, or folders of them).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The numbers of workers to measure, one round each.
    #[arg(long, value_delimiter = ',', default_value = "1,2,3")]
    pub workers: Vec<usize>,
    /// OCR threads of each worker's scans (default: the cores ÷ workers,
    /// at least 1).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Also write the rows as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

#[derive(Debug, serde::Serialize)]
struct Row {
    workers: usize,
    jobs_per_worker: usize,
    dossiers: i64,
    pages: i64,
    wall_s: f64,
    pages_per_s: f64,
    pages_per_s_per_core: f64,
    cpu_s_per_page: f64,
    peak_rss_mb: f64,
}

fn children_usage() -> (f64, i64) {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (secs(u.ru_utime) + secs(u.ru_stime), u.ru_maxrss)
}

pub fn bench_workers(args: &BenchWorkersArgs) -> anyhow::Result<i32> {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let found = anjuan_ingest::discover_all(&args.paths).map_err(|e| anyhow::anyhow!("{e}"))?;
    let sources: Vec<String> = found
        .dossiers
        .iter()
        .map(|d| std::fs::canonicalize(&d.path).map(|p| p.to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    anyhow::ensure!(!sources.is_empty(), "no dossiers under the given paths");
    let cluster = Cluster::start()?;
    let scratch = tempfile::tempdir()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let exe = std::env::current_exe()?;
    eprintln!(
        "anjuan bench-workers: {} dossiers, {cores} cores, PostgreSQL on 127.0.0.1:{}",
        sources.len(),
        cluster.port()
    );
    println!("| workers | OCR threads each | dossiers | pages | wall | pages/s | pages/s per core | CPU s/page | largest process |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut rows = Vec::new();
    for &n in &args.workers {
        let n = n.max(1);
        let jobs = args.jobs.unwrap_or((cores / n).max(1));
        let url = cluster.new_database(&format!("bench_{n}"))?;
        let objects = scratch.path().join(format!("objects-{n}"));
        let queue = rt.block_on(Queue::connect(&url, 2))?;
        for s in &sources {
            rt.block_on(queue.enqueue(s, None))?;
        }
        let (cpu0, _) = children_usage();
        let t = Instant::now();
        let children: Vec<_> = (0..n)
            .map(|i| {
                Command::new(&exe)
                    .arg("worker")
                    .args(["--database", &url, "--objects"])
                    .arg(&objects)
                    .args(["--drain", "--poll", "0.2"])
                    .arg(format!("--jobs={jobs}"))
                    .arg(format!("--name=bench-{n}-{i}"))
                    .arg("--work-dir")
                    .arg(scratch.path().join(format!("work-{n}-{i}")))
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
            })
            .collect::<Result<_, _>>()?;
        for mut c in children {
            let status = c.wait()?;
            anyhow::ensure!(status.success(), "a worker ended with {status}");
        }
        let wall = t.elapsed().as_secs_f64();
        let (cpu1, rss_kb) = children_usage();
        let (dossiers, pages): (i64, i64) = rt.block_on(async {
            sqlx::query_as("SELECT count(*), coalesce(sum(page_count), 0)::bigint FROM dossiers")
                .fetch_one(queue.pool())
                .await
        })?;
        let row = Row {
            workers: n,
            jobs_per_worker: jobs,
            dossiers,
            pages,
            wall_s: wall,
            pages_per_s: pages as f64 / wall,
            pages_per_s_per_core: pages as f64 / wall / cores as f64,
            cpu_s_per_page: (cpu1 - cpu0) / pages.max(1) as f64,
            peak_rss_mb: rss_kb as f64 / 1024.0,
        };
        println!(
            "| {} | {} | {} | {} | {:.1} s | {:.2} | {:.2} | {:.2} | {:.0} MB |",
            row.workers,
            row.jobs_per_worker,
            row.dossiers,
            row.pages,
            row.wall_s,
            row.pages_per_s,
            row.pages_per_s_per_core,
            row.cpu_s_per_page,
            row.peak_rss_mb
        );
        rows.push(row);
    }
    if let Some(path) = &args.json {
        anjuan_core::fsutil::atomic_write_json(path, &rows)?;
    }
    Ok(0)
}
