//! Filling `review.json`'s `manual`, `not_applicable` and `score` from the
//! rubric, the facts of the case, the findings and the checks implemented.
//!
//! Every item of the rubric lands in exactly one place (output contract):
//! - it has a finding → only in `findings`;
//! - its `applies_when` is false for the file's facts → `not_applicable`
//!   with a reason naming the facts;
//! - it is judged by no implemented check, or whether it applies is unknown
//!   → `manual`;
//! - otherwise an implemented check judged it and found nothing → nowhere.

use crate::registry::Registry;
use crate::score::{fmt_points, milli, Deduction, Score};
use crate::{Facts, Item, Rubric};
use anjuan_core::contract::{Finding, FindingKind, NotApplicable, Review};

/// `review.json`'s rubric-derived parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub manual: Vec<String>,
    pub not_applicable: Vec<NotApplicable>,
    pub score: Score,
}

/// Whether an item applies to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applicability {
    Applies,
    /// It does not; the reason names the facts (Chinese).
    NotApplicable(String),
    /// The facts it turns on are unknown: a person decides.
    Undetermined,
}

/// A finding that contradicts the rubric: a bug in whatever made it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AssessError {
    #[error("finding on item `{item}`, which rubric {rubric} does not have")]
    UnknownItem { item: String, rubric: String },
    #[error("finding on `{item}` is of kind {found}, the item needs {expected}")]
    KindMismatch {
        item: String,
        found: &'static str,
        expected: &'static str,
    },
    #[error("finding on `{item}` deducts {points} points, the item allows 0 to {max}")]
    PointsOutOfRange {
        item: String,
        points: String,
        max: String,
    },
}

impl Rubric {
    /// Whether `item` applies to a file with these facts.
    pub fn applicability(&self, item: &Item, facts: &Facts) -> Applicability {
        let Some(cond) = item.condition() else {
            return Applicability::Applies;
        };
        match cond.eval(facts) {
            Some(true) => Applicability::Applies,
            None => Applicability::Undetermined,
            Some(false) => {
                let reg = Registry::builtin();
                let reason: Vec<&str> = cond
                    .explain(facts, false)
                    .iter()
                    .filter_map(|(name, value)| {
                        reg.fact(name).map(|f| {
                            if *value {
                                f.yes.as_str()
                            } else {
                                f.no.as_str()
                            }
                        })
                    })
                    .collect();
                Applicability::NotApplicable(reason.join("；"))
            }
        }
    }

    /// `manual`, `not_applicable` and `score` for a file.
    ///
    /// `implemented`: the check names that actually ran on the file. Findings
    /// must name items of this rubric, with the item's kind, and deduct no
    /// more than the item's points.
    pub fn assess(
        &self,
        facts: &Facts,
        findings: &[Finding],
        implemented: &[&str],
    ) -> Result<Assessment, AssessError> {
        for f in findings {
            self.validate_finding(f)?;
        }
        let mut manual = Vec::new();
        let mut not_applicable = Vec::new();
        for item in &self.items {
            if findings.iter().any(|f| f.item == item.id) {
                continue;
            }
            match self.applicability(item, facts) {
                Applicability::NotApplicable(reason) => not_applicable.push(NotApplicable {
                    item: item.id.clone(),
                    reason,
                }),
                Applicability::Undetermined => manual.push(item.id.clone()),
                Applicability::Applies => {
                    if !implemented.contains(&item.check.as_str()) {
                        manual.push(item.id.clone());
                    }
                }
            }
        }
        Ok(Assessment {
            manual,
            not_applicable,
            score: self.score(&Deduction::from_findings(findings)),
        })
    }

    fn validate_finding(&self, f: &Finding) -> Result<(), AssessError> {
        let Some(item) = self.item(&f.item) else {
            return Err(AssessError::UnknownItem {
                item: f.item.clone(),
                rubric: self.path.clone(),
            });
        };
        let (found, expected) = match f.kind {
            FindingKind::Basic => ("basic", if item.basic { None } else { Some("deduction") }),
            FindingKind::Deduction => ("deduction", if item.basic { Some("basic") } else { None }),
        };
        if let Some(expected) = expected {
            return Err(AssessError::KindMismatch {
                item: f.item.clone(),
                found,
                expected,
            });
        }
        if let (Some(max), FindingKind::Deduction) = (item.points, f.kind) {
            let p = f.points.unwrap_or(max);
            if milli(p) < 0 || milli(p) > milli(max) {
                return Err(AssessError::PointsOutOfRange {
                    item: f.item.clone(),
                    points: fmt_points(p),
                    max: fmt_points(max),
                });
            }
        }
        Ok(())
    }
}

/// Merges findings on the same item into one (the contract lists each item
/// once): the largest deduction, every piece of evidence, the reasons joined,
/// the highest confidence. Order: first appearance.
pub fn merge_findings(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for f in findings {
        match out.iter_mut().find(|g| g.item == f.item) {
            None => out.push(f),
            Some(g) => {
                // A stronger status wins (confirmed > suggested > needs
                // review > rejected) and brings its points and confidence:
                // a suspicion never raises what a sure finding deducts.
                match rank(f.status).cmp(&rank(g.status)) {
                    std::cmp::Ordering::Greater => {
                        g.status = f.status;
                        g.points = f.points.or(g.points);
                        g.confidence = f.confidence;
                    }
                    std::cmp::Ordering::Equal => {
                        g.points = match (g.points, f.points) {
                            (Some(a), Some(b)) => Some(a.max(b)),
                            (a, b) => a.or(b),
                        };
                        g.confidence = g.confidence.max(f.confidence);
                    }
                    std::cmp::Ordering::Less => {}
                }
                if !g.reason.contains(&f.reason) {
                    g.reason = format!("{}；{}", g.reason, f.reason);
                }
                g.evidence.extend(f.evidence);
            }
        }
    }
    out
}

fn rank(s: anjuan_core::contract::FindingStatus) -> u8 {
    use anjuan_core::contract::FindingStatus::*;
    match s {
        Rejected => 0,
        NeedsReview => 1,
        Suggested => 2,
        Confirmed => 3,
    }
}

/// Fills `review`'s `manual`, `not_applicable` and `score` (merging findings
/// on one item first), so that every item of `rubric` appears exactly once.
pub fn fill_review(
    review: &mut Review,
    rubric: &Rubric,
    facts: &Facts,
    implemented: &[&str],
) -> Result<(), AssessError> {
    review.findings = merge_findings(std::mem::take(&mut review.findings));
    let a = rubric.assess(facts, &review.findings, implemented)?;
    review.manual = a.manual;
    review.not_applicable = a.not_applicable;
    review.score = a.score;
    Ok(())
}
