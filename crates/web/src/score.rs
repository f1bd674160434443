//! A reviewer's live score (评分, annex 1): 100 less every deduction they
//! confirmed, adjusted or added; 0 when they failed a basic standard.
//! Suggestions they have not decided on count nothing yet and are counted
//! as pending.

use anjuan_core::contract::{FindingKind, Review};
use anjuan_store::{current_state, Action, Decision};

#[derive(Debug, Clone, PartialEq)]
pub struct LiveScore {
    pub score: f64,
    pub grade: String,
    pub deducted: f64,
    /// Machine findings with no decision yet.
    pub pending: usize,
    /// A basic standard failed: the file scores 0.
    pub basic_failed: bool,
}

pub fn live_score(review: &Review, decisions: &[Decision]) -> LiveScore {
    let rubric = anjuan_rubric::Rubric::for_kind(review.case_kind, &[]);
    let state = current_state(decisions);
    let mut deducted = 0.0;
    let mut basic_failed = false;
    for (item, d) in &state {
        let finding = review.findings.iter().find(|f| &f.item == item);
        let cap = rubric
            .and_then(|r| r.item(item))
            .and_then(|i| i.points)
            .unwrap_or(f64::INFINITY);
        match d.action {
            Action::Confirm => match finding {
                Some(f) if f.kind == FindingKind::Basic => basic_failed = true,
                Some(f) => deducted += f.points.unwrap_or(0.0).min(cap),
                None => {}
            },
            Action::Adjust | Action::Add => deducted += d.points.unwrap_or(0.0).min(cap),
            Action::Fail => basic_failed = true,
            _ => {}
        }
    }
    let pending = review
        .findings
        .iter()
        .filter(|f| !state.contains_key(&f.item))
        .count();
    let score = if basic_failed {
        0.0
    } else {
        (100.0 - deducted).max(0.0)
    };
    let grade = rubric
        .map(|r| r.grade_for(score).to_string())
        .unwrap_or_default();
    LiveScore {
        score,
        grade,
        deducted,
        pending,
        basic_failed,
    }
}
