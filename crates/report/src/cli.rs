//! `anjuan report`: a supervisor's report from the command line, the same
//! numbers the app shows (both make them with [`crate::reports`]).

use crate::data::Dataset;
use crate::period::Period;
use crate::{export, reports, Basis, Query};
use std::io::Write;
use std::path::PathBuf;

/// `anjuan report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// gaps, half-year, rectification, risks, assessment, annual,
    /// calibration, sample, units.
    pub report: String,
    /// The data folder of `anjuan serve` (its anjuan.db).
    #[arg(long, value_name = "DIR", required_unless_present = "database")]
    pub data: Option<PathBuf>,
    /// The PostgreSQL database of `anjuan serve --database` instead
    /// (postgres://USER:PASSWORD@HOST:PORT/NAME).
    #[arg(long, value_name = "URL", conflicts_with = "data")]
    pub database: Option<String>,
    /// all, a year (2023), a half-year (2023H1, 2023H2) or a range
    /// (2023-01-01..2023-03-31); files fall in it by closing date, else
    /// decision date.
    #[arg(long, default_value = "all")]
    pub period: String,
    /// confirmed (final reviews) or draft (the machine's suggestions).
    #[arg(long, default_value = "confirmed")]
    pub basis: String,
    /// One unit only.
    #[arg(long)]
    pub unit: Option<String>,
    /// text, csv (the main table), xlsx (every table), json.
    #[arg(long, default_value = "text")]
    pub format: String,
    /// Write to FILE (atomically) instead of standard output; needed for xlsx.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// sample: files per unit (评查制度 第八条: usually at least five).
    #[arg(long, default_value_t = 5)]
    pub per_unit: usize,
    /// sample: the seed of the draw; the same seed, the same plan.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// rectification: the day deadlines are checked against (default today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
}

pub fn report(args: &ReportArgs) -> anyhow::Result<i32> {
    let usage = |m: String| {
        eprintln!("anjuan report: {m}");
        Ok(2)
    };
    if reports::title_of(&args.report).is_none() {
        let names: Vec<&str> = reports::REPORTS.iter().map(|(s, _)| *s).collect();
        return usage(format!(
            "{:?} is not a report; one of: {}",
            args.report,
            names.join(", ")
        ));
    }
    let period = match Period::parse(&args.period) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    let Some(basis) = Basis::parse(&args.basis) else {
        return usage(format!("--basis {:?}: confirmed or draft", args.basis));
    };
    if !["text", "csv", "xlsx", "json"].contains(&args.format.as_str()) {
        return usage(format!(
            "--format {:?}: text, csv, xlsx or json",
            args.format
        ));
    }
    if args.format == "xlsx" && args.out.is_none() {
        return usage("--format xlsx writes a file: give --out FILE.xlsx".into());
    }
    let store = anjuan_store::open_existing_store(args.data.as_deref(), args.database.as_deref())?;
    let ds = Dataset::load(store.as_ref())?;
    let q = Query {
        period,
        basis,
        unit: args.unit.clone(),
    };
    let today = args.today.clone().unwrap_or_else(crate::period::today);
    let r = reports::by_slug(&ds, &args.report, &q, &today, args.per_unit, args.seed)
        .expect("a listed report");
    let bytes = match args.format.as_str() {
        // The plan a line per file, as the reviewers take it to the shelves.
        "text" if args.report == "sample" => reports::sample_lines(&reports::sample_plan(
            &ds,
            &q.period,
            args.per_unit,
            args.seed,
        ))
        .into_bytes(),
        "text" => export::report_text(&r).into_bytes(),
        "csv" => export::report_csv(&r).into_bytes(),
        "json" => serde_json::to_vec_pretty(&r)?,
        _ => export::report_xlsx(&r).map_err(anyhow::Error::msg)?,
    };
    match &args.out {
        Some(path) => {
            anjuan_core::fsutil::atomic_write(path, &bytes)
                .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", path.display()))?;
            eprintln!("{}: {} ({})", path.display(), r.title, r.period);
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(0)
}
