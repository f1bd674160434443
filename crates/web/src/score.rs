//! A reviewer's live score (评分, annex 1): 100 less every deduction they
//! confirmed, adjusted or added; 0 when they failed a basic standard.
//! Suggestions they have not decided on count nothing yet and are counted
//! as pending.

use crate::sheet::Sheet;
use anjuan_core::contract::Review;
use anjuan_store::{current_state, Decision};

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
    let state = current_state(decisions);
    let sheet = Sheet::new(review, &state);
    let pending = review
        .findings
        .iter()
        .filter(|f| !state.contains_key(&f.item))
        .count();
    LiveScore {
        score: sheet.score,
        grade: sheet.grade,
        deducted: sheet.deducted,
        pending,
        basic_failed: !sheet.basic_failures.is_empty(),
    }
}
