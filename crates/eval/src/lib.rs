//! anjuan-eval: `anjuan eval --truth DIR --out RUN_OUT`.
//!
//! Reads what `anjuan scan` wrote (`index.json`, `<id>/review.json`,
//! `<id>/pages/NNNN.txt`) and scores it against the generator's ground truth
//! (`<id>.truth.json`): page doc_type accuracy, document split F1, case-kind
//! accuracy, defect recall and precision (overall and per rubric item), CER,
//! score error, failed dossiers.
//!
//! - [`evaluate`]: the library entry point, returning a [`Report`].
//! - [`oracle::perfect_review`]: the review a perfect scan would write.
//! - [`EvalArgs`] / [`run`]: the CLI subcommand; exit status 0 when every given
//!   threshold is met, 1 when one is missed, 2 on a usage error.

pub mod cer;
pub mod load;
mod metrics;
pub mod oracle;
pub mod report;
pub mod table;
pub mod thresholds;

pub use metrics::evaluate;
pub use report::Report;
pub use thresholds::Thresholds;

use anyhow::Context;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct EvalArgs {
    /// Directory of `<id>.truth.json` files (with the `<id>.pdf` that were scanned).
    #[arg(long, value_name = "DIR")]
    pub truth: PathBuf,
    /// The directory `anjuan scan --out` wrote.
    #[arg(long, value_name = "RUN_OUT")]
    pub out: PathBuf,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write the JSON report to FILE (atomically).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Add a line per dossier to the table (the JSON always has them).
    #[arg(long)]
    pub per_dossier: bool,
    #[command(flatten)]
    pub thresholds: Thresholds,
}

/// Runs `anjuan eval`; returns the exit status.
pub fn run(args: &EvalArgs) -> anyhow::Result<i32> {
    let mut report = match evaluate(&args.truth, &args.out) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("anjuan eval: {e:#}");
            return Ok(2);
        }
    };
    report.checks = args.thresholds.checks(&report);
    if let Some(path) = &args.report {
        anjuan_core::fsutil::atomic_write_json(path, &report)
            .with_context(|| format!("writing the report to {}", path.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", table::render(&report));
        if args.per_dossier {
            println!();
            print!("{}", table::render_dossiers(&report));
        }
    }
    let missed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.flag.as_str())
        .collect();
    if missed.is_empty() {
        Ok(0)
    } else {
        eprintln!("anjuan eval: thresholds missed: {}", missed.join(", "));
        Ok(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        eval: EvalArgs,
    }

    #[test]
    fn flags_parse_as_documented() {
        let cli = Cli::try_parse_from([
            "eval",
            "--truth",
            "t",
            "--out",
            "r",
            "--json",
            "--min-page-accuracy",
            "0.98",
            "--min-split-f1",
            "0.95",
            "--min-case-kind",
            "1.0",
            "--min-recall",
            "0.9",
            "--min-precision",
            "0.85",
            "--max-cer",
            "0.05",
            "--max-score-error",
            "3",
            "--max-failed",
            "0",
        ])
        .unwrap();
        let a = cli.eval;
        assert_eq!((a.truth, a.out, a.json), ("t".into(), "r".into(), true));
        assert_eq!(a.thresholds.min_page_accuracy, Some(0.98));
        assert_eq!(a.thresholds.min_case_kind, Some(1.0));
        assert_eq!(a.thresholds.max_score_error, Some(3.0));
        assert_eq!(a.thresholds.max_failed, Some(0));
        assert_eq!(a.thresholds.max_cer_full, None);
    }

    #[test]
    fn a_percentage_given_for_a_fraction_is_a_usage_error() {
        let e = Cli::try_parse_from(["eval", "--truth", "t", "--out", "r", "--max-cer", "5"])
            .err()
            .unwrap();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("0.98 for 98 %"), "{e}");
        assert!(Cli::try_parse_from(["eval", "--out", "r"]).is_err());
    }
}
