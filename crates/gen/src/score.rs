//! The expected score of a dossier from its defects, by the shipped rubric.

use anjuan_core::truth::{DefectTruth, ExpectedScore};
use anjuan_core::CaseKind;
use anjuan_rubric::{Deduction, Rubric};

fn rubric(kind: CaseKind) -> &'static Rubric {
    Rubric::builtin(kind).expect("dossiers are penalty or coercion files")
}

/// 100 − Σ deductions (each item capped at its points, once per file), or 0
/// with a basic-standard breach; the grade by the rubric's thresholds.
pub fn expected(kind: CaseKind, defects: &[DefectTruth]) -> ExpectedScore {
    let deductions: Vec<Deduction> = defects
        .iter()
        .map(|d| Deduction {
            item: d.item.clone(),
            points: d.points,
        })
        .collect();
    let s = rubric(kind).score(&deductions);
    ExpectedScore {
        score: s.draft,
        grade: s.grade,
        basic_breach: s.basic_breach_suspected,
    }
}

/// Checks that an item exists in the rubric of `kind`, is basic exactly when
/// `points` is `None`, and that `points` do not exceed the item's.
pub fn validate(kind: CaseKind, item: &str, points: Option<f64>) -> Result<(), String> {
    let r = rubric(kind);
    let it = r
        .item(item)
        .ok_or_else(|| format!("{item}: not in the {} rubric", kind.as_str()))?;
    match (it.points, points) {
        (None, None) => Ok(()),
        (Some(max), Some(p)) if p > 0.0 && p <= max => Ok(()),
        (Some(max), Some(p)) => Err(format!("{item}: deduction {p} outside (0, {max}]")),
        (None, Some(_)) => Err(format!("{item}: a basic standard given points")),
        (Some(_), None) => Err(format!("{item}: a document-norm item given no points")),
    }
}
