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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defects::TABLE;

    #[test]
    fn every_defect_item_exists_with_points_within_the_item() {
        for d in TABLE {
            let kinds: &[CaseKind] = match d.kind {
                Some(k) => &[k][..],
                None => &[CaseKind::Penalty, CaseKind::Coercion][..],
            };
            for &k in kinds {
                for &(item, points) in d.items_for(k) {
                    validate(k, item, points).unwrap_or_else(|e| panic!("{:?}: {e}", d.defect));
                }
            }
        }
    }

    #[test]
    fn a_wrong_item_or_excess_points_are_refused() {
        assert!(validate(CaseKind::Penalty, "P-9.9.9", Some(1.0)).is_err());
        assert!(validate(CaseKind::Penalty, "P-2.2.7", Some(3.0)).is_err());
        assert!(validate(CaseKind::Penalty, "P-B4-3", Some(1.0)).is_err());
        assert!(validate(CaseKind::Coercion, "C-B2-8", None).is_ok());
    }

    #[test]
    fn missing_documents_deduct_their_items_in_full_and_zero_with_a_basic_breach() {
        use anjuan_core::truth::DefectKind;
        let t = |item: &str, points: Option<f64>| DefectTruth {
            defect: "x".into(),
            item: item.into(),
            kind: if points.is_some() {
                DefectKind::Deduction
            } else {
                DefectKind::Basic
            },
            points,
            pages: vec![],
            description: String::new(),
        };
        let e = expected(
            CaseKind::Penalty,
            &[
                t("P-3.7.4", Some(1.0)),
                t("P-2.2.7", Some(1.0)),
                t("P-4.1.4", Some(2.0)),
            ],
        );
        assert_eq!(
            (e.score, e.grade.as_str(), e.basic_breach),
            (96.0, "优秀", false)
        );
        let e = expected(
            CaseKind::Penalty,
            &[t("P-3.7.4", Some(1.0)), t("P-B4-6", None)],
        );
        assert_eq!((e.score, e.basic_breach), (0.0, true));
        let e = expected(
            CaseKind::Coercion,
            &[
                t("C-2.1.1", Some(5.0)),
                t("C-1.2.2", Some(6.0)),
                t("C-2.3.3", Some(9.0)),
            ],
        );
        assert_eq!((e.score, e.grade.as_str()), (80.0, "良好"));
    }
}
