//! The evaluation report: what `anjuan eval --json` prints.

use crate::cer::CerStat;
use serde::{Deserialize, Serialize};

pub const REPORT_SCHEMA: &str = "anjuan.eval/1";

/// `hits` of `total`; `value` is null when `total` is 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Ratio {
    pub hits: u64,
    pub total: u64,
    pub value: Option<f64>,
}

impl Ratio {
    pub fn new(hits: u64, total: u64) -> Ratio {
        Ratio {
            hits,
            total,
            value: fraction(hits, total),
        }
    }
}

pub(crate) fn fraction(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Precision, recall and F1 of a matching.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Prf {
    pub matched: u64,
    pub predicted: u64,
    pub truth: u64,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

impl Prf {
    pub fn new(matched: u64, predicted: u64, truth: u64) -> Prf {
        let precision = fraction(matched, predicted);
        let recall = fraction(matched, truth);
        // F1 = 2·TP / (predicted + truth): defined whenever either side is non-empty.
        let f1 = fraction(2 * matched, predicted + truth);
        Prf {
            matched,
            predicted,
            truth,
            precision,
            recall,
            f1,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SplitReport {
    /// A predicted document matches a truth document with the same first and
    /// last page and the same doc_type.
    pub exact: Prf,
    /// The same, ignoring doc_type: how well the page ranges alone are found.
    pub ranges_only: Prf,
    /// Of the exactly matched truth documents that carry a date, those whose
    /// predicted date is equal.
    pub dates: Ratio,
}

/// Defect detection for one rubric item (or all of them, `item` = "all").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemStats {
    pub item: String,
    /// Truth defects on this item.
    pub truth: u64,
    /// Truth defects recalled: the review has a finding with this item and kind.
    pub found: u64,
    /// Truth defects missed on an item the review lists as `manual`.
    pub manual: u64,
    /// Findings (suggested or confirmed) on this item.
    pub findings: u64,
    /// Findings matching a truth defect of the same item and kind.
    pub correct: u64,
    pub recall: Option<f64>,
    pub precision: Option<f64>,
}

impl ItemStats {
    pub(crate) fn finish(&mut self) {
        self.recall = fraction(self.found, self.truth);
        self.precision = fraction(self.correct, self.findings);
    }
}

/// One template family's headline figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FamilySummary {
    pub family: String,
    pub dossiers: u64,
    pub pages: Ratio,
    pub split_f1: Option<f64>,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub recall_with_review: Option<f64>,
    pub needs_review_per_dossier: Option<f64>,
    pub false_zero: u64,
    pub score_error: Option<f64>,
    pub rotated_minus_upright: Option<f64>,
    pub agency: Option<f64>,
    pub case_number: Option<f64>,
    pub fine: Option<f64>,
}

impl FamilySummary {
    pub fn of(family: &str, r: &Report) -> FamilySummary {
        FamilySummary {
            family: family.to_string(),
            dossiers: r.dossiers,
            pages: r.pages,
            split_f1: r.split.exact.f1,
            precision: r.defects.overall.precision,
            recall: r.defects.overall.recall,
            recall_with_review: r.review.recall_with_review.value,
            needs_review_per_dossier: r.review.per_dossier,
            false_zero: r.review.false_zero,
            score_error: r.score.mean_abs_error,
            rotated_minus_upright: r.cer.rotated_minus_upright,
            agency: r.case_facts.agency.value,
            case_number: r.case_facts.case_number.value,
            fine: r.case_facts.fine.value,
        }
    }
}

/// Findings that need review (需人工复核), and what a reviewer would see.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewQueue {
    /// Findings written as `needs_review`, and those matching a truth defect.
    pub needs_review: u64,
    pub needs_review_true: u64,
    /// Needs-review findings per ok dossier.
    pub per_dossier: Option<f64>,
    /// Truth defects found by a suggested or a needs-review finding.
    pub recall_with_review: Ratio,
    /// Dossiers drafted at 0 by a suggested basic finding while the truth
    /// has no basic defect.
    pub false_zero: u64,
    pub false_zero_ids: Vec<String>,
}

/// Findings whose confidence lies in `[low, high)` (the last bin includes 1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    pub low: f64,
    pub high: f64,
    /// Findings in the bin (any status but rejected), and those true.
    pub findings: u64,
    pub correct: u64,
    pub precision: Option<f64>,
}

/// The `case` block's fields right (equal to the truth) over the dossiers
/// whose truth has the field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseFactsReport {
    pub agency: Ratio,
    pub case_number: Ratio,
    pub party: Ratio,
    pub fine: Ratio,
    pub confiscated: Ratio,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DefectReport {
    pub overall: ItemStats,
    /// Basic-standard breaches and deductions apart (`item` = the kind).
    pub by_kind: Vec<ItemStats>,
    /// Every item named by a truth defect or a finding, in rubric order.
    pub items: Vec<ItemStats>,
}

/// CER of a group of pages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CerGroup {
    /// `all`, `200dpi`, `300dpi`, `grayscale`, `colour`, `upright`, `rotated`.
    pub group: String,
    pub pages: u64,
    /// Against the printed text only.
    pub printed: CerStat,
    /// Against printed plus handwritten text.
    pub full: CerStat,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CerReport {
    pub printed: CerStat,
    pub full: CerStat,
    pub groups: Vec<CerGroup>,
    /// Printed CER of rotated pages minus that of upright pages.
    pub rotated_minus_upright: Option<f64>,
    /// Pages of ok dossiers whose text file was missing or unreadable (read
    /// as empty: every truth character an error).
    pub missing_text_pages: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreReport {
    /// Dossiers counted (all of the truth: failed ones at their worst case).
    pub dossiers: u64,
    pub mean_abs_error: Option<f64>,
    pub max_abs_error: Option<f64>,
    /// The dossier with the largest error.
    pub worst: Option<String>,
    /// Draft grade equal to the expected grade.
    pub grade: Ratio,
}

/// Pages and documents of one truth doc_type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocTypeStats {
    pub doc_type: String,
    /// Truth pages of this type, and those predicted as this type.
    pub pages: Ratio,
    /// Truth documents of this type, and those exactly matched.
    pub documents: Ratio,
}

/// Pages of truth type `truth` that the review called `predicted`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Confusion {
    pub truth: String,
    pub predicted: String,
    pub pages: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedDossier {
    pub id: String,
    pub reason: String,
}

/// One dossier's own numbers, for finding the bad ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DossierRow {
    pub id: String,
    pub ok: bool,
    pub pages: Ratio,
    pub split: Prf,
    pub case_kind_correct: bool,
    pub defects: ItemStats,
    pub cer_printed: CerStat,
    pub cer_full: CerStat,
    pub score_draft: Option<f64>,
    pub score_expected: f64,
}

/// A threshold given on the command line and whether the run met it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// The flag, e.g. `--min-page-accuracy`.
    pub flag: String,
    /// `>=` or `<=`.
    pub op: String,
    pub threshold: f64,
    pub actual: Option<f64>,
    pub passed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub truth_dir: String,
    pub run_dir: String,
    /// Dossiers in the truth.
    pub dossiers: u64,
    /// Those with a usable review.
    pub ok: u64,
    /// Those without, and why. They count as failures in every metric.
    pub failed: Vec<FailedDossier>,
    /// Page doc_type accuracy.
    pub pages: Ratio,
    /// Of the truth pages that carry an archival page number, those whose
    /// `printed_page_number` was read equal.
    pub page_numbers: Ratio,
    pub split: SplitReport,
    /// Page and document accuracy per truth doc_type, by code.
    pub doc_types: Vec<DocTypeStats>,
    /// Page doc_type confusions of ok dossiers, most frequent first.
    pub confusions: Vec<Confusion>,
    pub case_kind: Ratio,
    /// Suggested (and confirmed) findings: what the draft score counts.
    pub defects: DefectReport,
    /// What reviewers are asked to look at: findings that need review, and
    /// files zeroed by a basic finding the truth does not have.
    #[serde(default)]
    pub review: ReviewQueue,
    /// Findings binned by confidence against the share that were true.
    #[serde(default)]
    pub reliability: Vec<ReliabilityBin>,
    /// The `case` block against the truth.
    #[serde(default)]
    pub case_facts: CaseFactsReport,
    /// The headline figures per template family of the truth (`family`),
    /// when the truth holds more than one; the worst family is what a new
    /// county should expect.
    #[serde(default)]
    pub families: Vec<FamilySummary>,
    pub cer: CerReport,
    pub score: ScoreReport,
    pub per_dossier: Vec<DossierRow>,
    /// How failures and gaps were counted.
    pub notes: Vec<String>,
    /// Threshold checks (empty unless thresholds were given).
    #[serde(default)]
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether every threshold check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
}
