//! The 评查表 (annex 2 of the county's rules) of a review: what was
//! deducted and why, the basic standards, the score and grade. Built from
//! the machine's draft and a state of decisions (one reviewer's, or the
//! agreed review); the print page, the exports and the live score read it.

use anjuan_core::contract::{Finding, FindingKind, Review};
use anjuan_core::CaseKind;
use anjuan_store::{Action, Decision};
use serde::Serialize;
use std::collections::BTreeMap;

/// One line of 三、规范性标准: an item that lost points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deduction {
    pub item: String,
    pub text: String,
    pub points: f64,
    pub reason: String,
    /// The pages it was found on: the reviewer's drawn boxes, else the
    /// machine's evidence (empty: about the whole file).
    pub pages: Vec<u32>,
}

/// A basic standard the file failed (二、基础标准 不合格原因).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BasicFailure {
    pub item: String,
    pub text: String,
    pub reason: String,
    pub pages: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sheet {
    pub deductions: Vec<Deduction>,
    pub basic_failures: Vec<BasicFailure>,
    pub deducted: f64,
    /// 100 less the deductions, 0 when a basic standard failed (annex 1).
    pub score: f64,
    pub grade: String,
    /// The rubric's grades, best first, for the form's tick boxes.
    pub grades: Vec<String>,
}

impl Sheet {
    pub fn new(review: &Review, state: &BTreeMap<String, &Decision>) -> Sheet {
        Sheet::of(review.case_kind, &review.findings, state)
    }

    /// The sheet of a file of `kind` whose draft found `findings`.
    pub fn of(kind: CaseKind, findings: &[Finding], state: &BTreeMap<String, &Decision>) -> Sheet {
        let rubric = anjuan_rubric::Rubric::for_kind(kind, &[]);
        let item = |id: &str| rubric.and_then(|r| r.item(id));
        let text = |id: &str| item(id).map(|i| i.text.clone()).unwrap_or_default();
        let mut deductions = Vec::new();
        let mut basic_failures = Vec::new();
        for (id, d) in state {
            let finding = findings.iter().find(|f| &f.item == id);
            let mut pages: Vec<u32> = if d.marks.is_empty() {
                finding
                    .map(|f| f.evidence.iter().filter_map(|e| e.page).collect())
                    .unwrap_or_default()
            } else {
                d.marks.iter().map(|m| m.page).collect()
            };
            pages.sort_unstable();
            pages.dedup();
            let cap = item(id).and_then(|i| i.points).unwrap_or(f64::INFINITY);
            // The reviewer's words when they gave any, else the machine's.
            let reason = if d.reason.trim().is_empty() {
                finding.map(|f| f.reason.clone()).unwrap_or_default()
            } else {
                d.reason.trim().to_string()
            };
            let basic = item(id).is_some_and(|i| i.basic)
                || finding.is_some_and(|f| f.kind == FindingKind::Basic);
            let points = match d.action {
                Action::Confirm if basic => {
                    basic_failures.push(BasicFailure {
                        item: id.clone(),
                        text: text(id),
                        reason,
                        pages,
                    });
                    continue;
                }
                Action::Fail => {
                    basic_failures.push(BasicFailure {
                        item: id.clone(),
                        text: text(id),
                        reason,
                        pages,
                    });
                    continue;
                }
                Action::Confirm => finding.and_then(|f| f.points).unwrap_or(0.0),
                Action::Adjust | Action::Add => d.points.unwrap_or(0.0),
                _ => continue,
            }
            .min(cap);
            if points > 0.0 {
                deductions.push(Deduction {
                    item: id.clone(),
                    text: text(id),
                    points,
                    reason,
                    pages,
                });
            }
        }
        let deducted: f64 = deductions.iter().map(|d| d.points).sum();
        let score = if basic_failures.is_empty() {
            (100.0 - deducted).max(0.0)
        } else {
            0.0
        };
        Sheet {
            grade: rubric
                .map(|r| r.grade_for(score).to_string())
                .unwrap_or_default(),
            grades: rubric
                .map(|r| r.grades.iter().map(|g| g.name.clone()).collect())
                .unwrap_or_default(),
            deductions,
            basic_failures,
            deducted,
            score,
        }
    }
}
