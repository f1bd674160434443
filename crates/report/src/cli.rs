//! `anjuan report`: a supervisor's report from the command line, the same
//! numbers the app shows (both make them with [`crate::reports`]).

use crate::data::Dataset;
use crate::period::Period;
use crate::{export, reports, Basis, Query};
use std::io::Write;
use std::path::PathBuf;

/// The environment variable `--database` is read from when not given: a
/// URL with a password there stays out of `ps`.
pub const DATABASE_ENV: &str = "ANJUAN_DATABASE";

/// Flags that name a store: `--data DIR` (`required_unless_present =
/// "database"`) and `--database URL` (`env = DATABASE_ENV`, no
/// `conflicts_with`: [`StoreChoice`] keeps that rule).
pub trait StoreFlags: clap::Args + clap::FromArgMatches {
    /// Forgets the database: an explicit `--data` overrides the one the
    /// environment names.
    fn forget_database(&mut self);
}

/// Store flags `F`, with their rule: `--data` and `--database` exclude each
/// other on the command line, and one of them is needed; `ANJUAN_DATABASE`
/// stands for `--database` unless `--data` is given, which wins (so the
/// single PC's `--data` works the same where the environment names a
/// database).
#[derive(Debug, Clone)]
pub struct StoreChoice<F>(pub F);

impl<F> std::ops::Deref for StoreChoice<F> {
    type Target = F;

    fn deref(&self) -> &F {
        &self.0
    }
}

impl<F: StoreFlags> clap::FromArgMatches for StoreChoice<F> {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        use clap::parser::ValueSource;
        let mut flags = F::from_arg_matches(m)?;
        match (m.value_source("data"), m.value_source("database")) {
            (Some(_), Some(ValueSource::EnvVariable)) => flags.forget_database(),
            (Some(_), Some(_)) => {
                return Err(clap::Error::raw(
                    clap::error::ErrorKind::ArgumentConflict,
                    "the argument '--data <DIR>' cannot be used with '--database <URL>'\n",
                ))
            }
            _ => {}
        }
        Ok(StoreChoice(flags))
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl<F: StoreFlags> clap::Args for StoreChoice<F> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        F::augment_args(cmd)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        F::augment_args_for_update(cmd)
    }
}

/// Where `anjuan report` reads: the store of `anjuan serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportStore {
    /// The data folder of `anjuan serve` (its anjuan.db).
    #[arg(long, value_name = "DIR", required_unless_present = "database")]
    pub data: Option<PathBuf>,
    /// The PostgreSQL database of `anjuan serve --database` instead
    /// (postgres://USER:PASSWORD@HOST:PORT/NAME); also read from
    /// ANJUAN_DATABASE, which keeps the password out of `ps` (an explicit
    /// --data wins over it).
    #[arg(long, value_name = "URL", env = DATABASE_ENV, hide_env_values = true)]
    pub database: Option<String>,
}

impl StoreFlags for ReportStore {
    fn forget_database(&mut self) {
        self.database = None;
    }
}

/// `anjuan report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// gaps, half-year, rectification, risks, assessment, annual,
    /// calibration, sample, units.
    pub report: String,
    #[command(flatten)]
    pub store: StoreChoice<ReportStore>,
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
    let store = anjuan_store::open_existing_store(
        args.store.data.as_deref(),
        args.store.database.as_deref(),
    )?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::path::Path;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        report: ReportArgs,
    }

    #[test]
    fn the_database_comes_from_the_environment_unless_data_is_given() {
        // The one test here that parses a store (it sets ANJUAN_DATABASE).
        let both = [
            "report",
            "gaps",
            "--data",
            "d",
            "--database",
            "postgres://h/db",
        ];
        std::env::remove_var(DATABASE_ENV);
        assert!(Cli::try_parse_from(["report", "gaps"]).is_err());
        for env in [None, Some("postgres://u:env@h/envdb")] {
            if let Some(url) = env {
                std::env::set_var(DATABASE_ENV, url);
                let from_env = Cli::try_parse_from(["report", "gaps"]).unwrap();
                assert_eq!(from_env.report.store.database.as_deref(), Some(url));
            }
            // An explicit --data wins over the environment; --data and
            // --database on the command line stay an error.
            let data = Cli::try_parse_from(["report", "gaps", "--data", "d"]).unwrap();
            assert_eq!(data.report.store.data.as_deref(), Some(Path::new("d")));
            assert_eq!(data.report.store.database, None);
            assert!(Cli::try_parse_from(both).is_err());
        }
        std::env::remove_var(DATABASE_ENV);
    }
}
