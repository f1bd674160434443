//! `anjuan`: the thin command line over the pipeline crates.
//!
//! Each subcommand's flags and behaviour live in its crate (`anjuan-gen`,
//! `anjuan-scan`, `anjuan-eval`, `anjuan-rubric`, `anjuan-statutes`,
//! `anjuan-classify`, `anjuan-web`); this file only dispatches.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "anjuan",
    version,
    about = "Reviews scanned administrative law-enforcement case files (案卷)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan PDF dossiers (or folders of page images) and write draft reviews.
    Scan(anjuan_scan::ScanArgs),
    /// Measure scan throughput, stage times, memory and CER, against OCRmyPDF and tesseract.
    Bench(anjuan_scan::BenchArgs),
    /// Generate realistic scanned sample dossiers with their ground truth.
    Generate(anjuan_gen::GenerateArgs),
    /// Compare a scan's output with the ground truth and report accuracy.
    Eval(anjuan_eval::EvalArgs),
    /// Show a rubric and how much of it the machine pre-checks.
    Rubric(anjuan_rubric::RubricArgs),
    /// Build the statute index under models/ or check the citations in a text.
    #[command(subcommand)]
    Statutes(anjuan_statutes::cli::StatutesCmd),
    /// Train the page classifier (models/classifier.json) on scanned generated dossiers.
    TrainClassifier(TrainClassifierArgs),
    /// Import scan folders into the reviewers' data folder.
    Import(anjuan_web::cli::ImportArgs),
    /// Serve the reviewers' app over a data folder.
    Serve(anjuan_web::cli::ServeArgs),
    /// Manage the app's accounts.
    #[command(subcommand)]
    User(anjuan_web::cli::UserCmd),
    /// Bring a PostgreSQL database to this program's schema (store and queue), then stop.
    Migrate(anjuan_worker::cli::MigrateArgs),
    /// Put dossiers on the scan queue of a PostgreSQL database, for `anjuan worker`s.
    Enqueue(anjuan_worker::cli::EnqueueArgs),
    /// Take dossiers from the scan queue, scan them and commit them into the store.
    Worker(anjuan_worker::cli::WorkerArgs),
    /// Measure the scan queue's throughput with 1, 2, 3 … workers on this machine.
    BenchWorkers(anjuan_worker::bench::BenchWorkersArgs),
    /// Supervisors' reports from the data folder: gaps across units, the
    /// half-year report, rectification, risk points, assessment, annual
    /// statistics, machine against reviewer, the sampling plan.
    Report(anjuan_report::cli::ReportArgs),
}

#[derive(clap::Args)]
struct TrainClassifierArgs {
    /// Folder of `<id>.truth.json` files (the generator's output); repeat
    /// together with --run for several sets.
    #[arg(long, value_name = "DIR", required = true)]
    truth: Vec<std::path::PathBuf>,
    /// The folder `anjuan scan --out` wrote for the --truth folder at the same position.
    #[arg(long, value_name = "DIR", required = true)]
    run: Vec<std::path::PathBuf>,
    /// The model file to write.
    #[arg(long, value_name = "FILE", default_value = "models/classifier.json")]
    out: std::path::PathBuf,
}

fn main() -> ExitCode {
    pin_openmp_threads();
    let mut cli = Cli::parse();
    if let Command::Rubric(args) = &mut cli.command {
        args.implemented = anjuan_checks::IMPLEMENTED
            .iter()
            .map(|s| s.to_string())
            .collect();
    }
    let result = match cli.command {
        Command::Scan(args) => anjuan_scan::run(&args),
        Command::Bench(args) => anjuan_scan::bench::run_bench(&args),
        Command::Generate(args) => anjuan_gen::run(&args).map(|()| 0),
        Command::Eval(args) => anjuan_eval::run(&args),
        Command::Rubric(args) => anjuan_rubric::run(&args).map(|()| 0),
        Command::Statutes(cmd) => anjuan_statutes::cli::run(cmd).map(|()| 0),
        Command::Import(args) => anjuan_web::cli::import(&args),
        Command::Serve(args) => anjuan_web::cli::serve(&args),
        Command::User(cmd) => anjuan_web::cli::user(&cmd),
        Command::Report(args) => anjuan_report::cli::report(&args),
        Command::BenchWorkers(args) => anjuan_worker::bench::bench_workers(&args),
        Command::Migrate(args) => anjuan_worker::cli::migrate(&args),
        Command::Enqueue(args) => anjuan_worker::cli::enqueue(&args),
        Command::Worker(args) => anjuan_worker::cli::worker(&args),
        Command::TrainClassifier(a) => {
            anjuan_classify::train::train(&a.truth, &a.run, &a.out).map(|r| {
                println!("{}: {r}", a.out.display());
                0
            })
        }
    };
    match result {
        Ok(code) => ExitCode::from(code.clamp(0, 255) as u8),
        Err(e) => {
            eprintln!("anjuan: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Tesseract's OpenMP reads `OMP_THREAD_LIMIT` once, when the library loads;
/// with one engine per worker, its own threads only make it ~4× slower. The
/// variable must be set before the process starts, so set it and re-exec.
fn pin_openmp_threads() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("OMP_THREAD_LIMIT", "1")
        // glibc gives each thread's allocations an arena of its own; with
        // OCR workers allocating page-sized buffers that grows the resident
        // set through a long dossier. Two arenas keep it bounded.
        .env(
            "MALLOC_ARENA_MAX",
            std::env::var_os("MALLOC_ARENA_MAX").unwrap_or_else(|| "2".into()),
        )
        .exec();
    // exec only returns on failure: carry on without the limit.
    eprintln!(
        "anjuan: warning: could not re-exec with OMP_THREAD_LIMIT=1 ({err}); Tesseract may be slow"
    );
}
