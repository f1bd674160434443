//! Thresholds that set the exit status.

use crate::report::{Check, Report};
use serde::{Deserialize, Serialize};

fn fraction(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{v} is not a fraction in [0, 1] (write 0.98 for 98 %)"
        ))
    }
}

fn non_negative(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if v >= 0.0 && v.is_finite() {
        Ok(v)
    } else {
        Err(format!("{v} is not a non-negative number"))
    }
}

/// Each given threshold is checked; any one missed makes the exit status 1.
/// Rates are fractions (0.98), not percentages.
#[derive(Debug, Clone, Default, PartialEq, clap::Args, Serialize, Deserialize)]
pub struct Thresholds {
    /// Least page doc_type accuracy.
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub min_page_accuracy: Option<f64>,
    /// Least document split F1 (exact page range and doc_type).
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub min_split_f1: Option<f64>,
    /// Least case-kind accuracy.
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub min_case_kind: Option<f64>,
    /// Least defect recall, over all items.
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub min_recall: Option<f64>,
    /// Least defect precision, over all items.
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub min_precision: Option<f64>,
    /// Least document date accuracy.
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub min_date_accuracy: Option<f64>,
    /// Most CER against the printed text.
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub max_cer: Option<f64>,
    /// Most CER against printed plus handwritten text.
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub max_cer_full: Option<f64>,
    /// Most printed CER of rotated pages above that of upright ones (0.01 = 1 point).
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub max_rotated_gap: Option<f64>,
    /// Most |draft − expected| score of any dossier, in points.
    #[arg(long, value_name = "POINTS", value_parser = non_negative)]
    pub max_score_error: Option<f64>,
    /// Most failed dossiers.
    #[arg(long, value_name = "N")]
    pub max_failed: Option<u64>,
}

impl Thresholds {
    /// The checks of every given threshold against `report`. A metric without
    /// data (e.g. precision with no findings at all) passes: nothing was wrong.
    pub fn checks(&self, report: &Report) -> Vec<Check> {
        let rotated_gap = report.cer.rotated_minus_upright;
        let table: [(&str, Option<f64>, bool, Option<f64>); 11] = [
            (
                "--min-page-accuracy",
                self.min_page_accuracy,
                true,
                report.pages.value,
            ),
            (
                "--min-split-f1",
                self.min_split_f1,
                true,
                report.split.exact.f1,
            ),
            (
                "--min-case-kind",
                self.min_case_kind,
                true,
                report.case_kind.value,
            ),
            (
                "--min-recall",
                self.min_recall,
                true,
                report.defects.overall.recall,
            ),
            (
                "--min-precision",
                self.min_precision,
                true,
                report.defects.overall.precision,
            ),
            (
                "--min-date-accuracy",
                self.min_date_accuracy,
                true,
                report.split.dates.value,
            ),
            ("--max-cer", self.max_cer, false, report.cer.printed.cer),
            (
                "--max-cer-full",
                self.max_cer_full,
                false,
                report.cer.full.cer,
            ),
            (
                "--max-rotated-gap",
                self.max_rotated_gap,
                false,
                rotated_gap,
            ),
            (
                "--max-score-error",
                self.max_score_error,
                false,
                report.score.max_abs_error,
            ),
            (
                "--max-failed",
                self.max_failed.map(|n| n as f64),
                false,
                Some(report.failed.len() as f64),
            ),
        ];
        table
            .into_iter()
            .filter_map(|(flag, threshold, at_least, actual)| {
                let threshold = threshold?;
                let passed = match actual {
                    None => true,
                    Some(a) if at_least => a >= threshold,
                    Some(a) => a <= threshold,
                };
                Some(Check {
                    flag: flag.to_string(),
                    op: if at_least { ">=" } else { "<=" }.to_string(),
                    threshold,
                    actual,
                    passed,
                })
            })
            .collect()
    }
}
