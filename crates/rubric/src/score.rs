//! Scoring per annex 1 (评查规则): base 100, minus deductions, never
//! negative; any basic-standard breach scores 0; grades by threshold.
//!
//! Points are summed in thousandths (integers), so half points and any
//! three-decimal points stay exact.

use crate::{Item, Rubric};
use anjuan_core::contract::{Finding, FindingKind};
use std::collections::HashMap;

/// The draft score of a file: `review.json`'s `score`.
pub use anjuan_core::contract::Score;

/// A deduction on one item: `points` is the suggested deduction of a
/// document-norm item (`None` there means its full points); on a basic
/// standard (`points` `None`) it is a suspected breach.
#[derive(Debug, Clone, PartialEq)]
pub struct Deduction {
    pub item: String,
    pub points: Option<f64>,
}

impl Deduction {
    pub fn new(item: impl Into<String>, points: f64) -> Deduction {
        Deduction {
            item: item.into(),
            points: Some(points),
        }
    }

    /// A suspected breach of a basic standard.
    pub fn basic(item: impl Into<String>) -> Deduction {
        Deduction {
            item: item.into(),
            points: None,
        }
    }

    /// The deductions that findings stand for: suggested and confirmed ones;
    /// rejected findings and those that need review deduct nothing.
    pub fn from_findings(findings: &[Finding]) -> Vec<Deduction> {
        findings
            .iter()
            .filter(|f| f.status.counts())
            .map(|f| Deduction {
                item: f.item.clone(),
                points: match f.kind {
                    FindingKind::Basic => None,
                    FindingKind::Deduction => f.points,
                },
            })
            .collect()
    }
}

pub(crate) fn milli(points: f64) -> i64 {
    (points * 1000.0).round() as i64
}

pub(crate) fn sum_points<'a>(items: impl Iterator<Item = &'a Item>) -> f64 {
    items.map(|i| milli(i.points.unwrap_or(0.0))).sum::<i64>() as f64 / 1000.0
}

/// `8`, `0.5`, `87.5`: points without needless decimals.
pub(crate) fn fmt_points(p: f64) -> String {
    let s = format!("{:.3}", p);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Rubric {
    /// Scores a file from its deductions.
    ///
    /// - Each item deducts once per file, however many deductions name it
    ///   (copies of a document sharing a defect): the largest, capped at the
    ///   item's points; negative deductions count as none.
    /// - Items the rubric does not name are not scored (annex 1, rule 2).
    /// - A deduction on a basic standard scores the file 0.
    /// - Score = max(0, total − Σ); grade by the rubric's thresholds.
    pub fn score(&self, deductions: &[Deduction]) -> Score {
        let mut per_item: HashMap<&str, i64> = HashMap::new();
        let mut breach = false;
        for d in deductions {
            let Some(item) = self.item(&d.item) else {
                continue;
            };
            let Some(max) = item.points else {
                breach = true;
                continue;
            };
            let max = milli(max);
            let amount = d.points.map(milli).unwrap_or(max).clamp(0, max);
            let slot = per_item.entry(item.id.as_str()).or_insert(0);
            *slot = (*slot).max(amount);
        }
        let deducted: i64 = per_item.values().sum();
        let draft = if breach {
            0
        } else {
            (milli(self.total) - deducted).max(0)
        };
        let draft = draft as f64 / 1000.0;
        Score {
            draft,
            grade: self.grade_for(draft).to_string(),
            basic_breach_suspected: breach,
        }
    }
}
