//! Scoring per annex 1 on the shipped rubrics: grade boundaries, caps,
//! once-per-file deductions, basic breaches, exact half points.

use anjuan_core::contract::{Finding, FindingKind, FindingStatus};
use anjuan_core::CaseKind;
use anjuan_rubric::{Deduction, Rubric};

fn penalty() -> &'static Rubric {
    Rubric::builtin(CaseKind::Penalty).unwrap()
}

fn d(item: &str, points: f64) -> Deduction {
    Deduction::new(item, points)
}

/// Full deductions on big items: 6 + 4 + 4 + 4 + 3 + 3 = 24.
fn base_24() -> Vec<Deduction> {
    vec![
        d("P-3.7.3", 6.0),
        d("P-2.2.4", 4.0),
        d("P-2.5.2", 4.0),
        d("P-2.5.3", 4.0),
        d("P-3.6.1", 3.0),
        d("P-3.6.2", 3.0),
    ]
}

fn assert_score(deductions: &[Deduction], draft: f64, grade: &str) {
    let s = penalty().score(deductions);
    assert_eq!(s.draft, draft, "{deductions:?}");
    assert_eq!(s.grade, grade, "{deductions:?}");
    assert!(!s.basic_breach_suspected);
}

#[test]
fn no_deductions_is_100_excellent() {
    assert_score(&[], 100.0, "优秀");
}

#[test]
fn grade_boundaries_90_and_89_5() {
    let ten = vec![d("P-3.7.3", 6.0), d("P-2.2.4", 4.0)];
    assert_score(&ten, 90.0, "优秀");
    let mut ten_half = ten.clone();
    ten_half.push(d("P-2.2.1", 0.5));
    assert_score(&ten_half, 89.5, "良好");
}

#[test]
fn grade_boundaries_75_and_74_5() {
    let mut v = base_24();
    v.push(d("P-3.7.4", 1.0));
    assert_score(&v, 75.0, "良好");
    v.push(d("P-2.2.2", 0.5));
    assert_score(&v, 74.5, "合格");
}

#[test]
fn grade_boundaries_60_and_59_5() {
    let mut v = base_24();
    // 送达回证 4 × 2 and 结案报告表 4 × 2: 24 + 16 = 40.
    for id in ["P-4.1.1", "P-4.1.2", "P-4.1.3", "P-4.1.4"] {
        v.push(d(id, 2.0));
    }
    for id in ["P-5.1.1", "P-5.1.2", "P-5.1.3", "P-5.1.4"] {
        v.push(d(id, 2.0));
    }
    assert_score(&v, 60.0, "合格");
    v.push(d("P-2.2.3", 0.5));
    assert_score(&v, 59.5, "不合格");
}

#[test]
fn half_points_stay_exact() {
    // Seven half-point items: 3.5 exactly, not 3.4999….
    let v: Vec<_> = [
        "P-2.2.1", "P-2.2.2", "P-2.2.3", "P-2.2.5", "P-2.3.2", "P-2.3.3", "P-3.3.3",
    ]
    .iter()
    .map(|id| d(id, 0.5))
    .collect();
    assert_score(&v, 96.5, "优秀");
    // Tenths too: 0.1 + 0.2 is 0.3 here, unlike in f64.
    assert_score(&[d("P-1.1.1", 0.1), d("P-1.1.2", 0.2)], 99.7, "优秀");
}

#[test]
fn an_item_deducts_once_per_file_and_at_most_its_points() {
    // Three copies of an interview record, each missing signatures: one deduction.
    let dup = [d("P-2.2.7", 1.0), d("P-2.2.7", 1.0), d("P-2.2.7", 1.0)];
    assert_score(&dup, 99.0, "优秀");
    // Different suggested amounts on one item: the largest counts.
    assert_score(&[d("P-3.7.3", 2.0), d("P-3.7.3", 4.5)], 95.5, "优秀");
    // More than the item's points: capped.
    assert_score(&[d("P-2.2.7", 5.0)], 99.0, "优秀");
    // No amount given on a document-norm item: its full points.
    let full = Deduction {
        item: "P-3.7.3".into(),
        points: None,
    };
    let s = penalty().score(&[full]);
    assert_eq!((s.draft, s.basic_breach_suspected), (94.0, false));
    // Negative amounts deduct nothing.
    assert_score(&[d("P-2.2.7", -3.0)], 100.0, "优秀");
}

#[test]
fn the_score_never_goes_negative() {
    let r = penalty();
    // Every item deducted twice, at three times its points.
    let mut v = Vec::new();
    for item in r.norm_items() {
        let p = item.points.unwrap();
        v.push(d(&item.id, 3.0 * p));
        v.push(d(&item.id, 3.0 * p));
    }
    let s = r.score(&v);
    assert_eq!(s.draft, 0.0);
    assert!(s.draft.is_sign_positive(), "0, not -0");
    assert_eq!(s.grade, "不合格");
}

#[test]
fn a_basic_breach_scores_zero() {
    let r = penalty();
    let s = r.score(&[Deduction::basic("P-B4-6")]);
    assert_eq!(
        (s.draft, s.grade.as_str(), s.basic_breach_suspected),
        (0.0, "不合格", true)
    );
    // Whatever else the file has.
    let s = r.score(&[d("P-2.2.7", 1.0), Deduction::basic("P-B2-2")]);
    assert_eq!((s.draft, s.basic_breach_suspected), (0.0, true));
    // Coercion too.
    let c = Rubric::builtin(CaseKind::Coercion).unwrap();
    let s = c.score(&[Deduction::basic("C-B2-8")]);
    assert_eq!((s.draft, s.basic_breach_suspected), (0.0, true));
}

#[test]
fn items_the_rubric_does_not_name_are_not_scored() {
    // Annex 1, rule 2; and a coercion ID means nothing to the penalty rubric.
    assert_score(&[d("P-9.9.9", 5.0), d("C-2.2.2", 10.0)], 100.0, "优秀");
    let s = penalty().score(&[Deduction::basic("C-B1-1")]);
    assert!(!s.basic_breach_suspected);
}

fn finding(item: &str, kind: FindingKind, status: FindingStatus, points: Option<f64>) -> Finding {
    Finding {
        item: item.into(),
        kind,
        status,
        points,
        reason: "测试".into(),
        confidence: 0.9,
        evidence: vec![],
    }
}

#[test]
fn findings_become_deductions_except_rejected_ones() {
    let findings = [
        finding(
            "P-2.2.7",
            FindingKind::Deduction,
            FindingStatus::Suggested,
            Some(1.0),
        ),
        finding(
            "P-3.7.4",
            FindingKind::Deduction,
            FindingStatus::Confirmed,
            Some(1.0),
        ),
        finding(
            "P-2.2.6",
            FindingKind::Deduction,
            FindingStatus::Rejected,
            Some(2.0),
        ),
        finding("P-B4-6", FindingKind::Basic, FindingStatus::Rejected, None),
    ];
    let ded = Deduction::from_findings(&findings);
    assert_eq!(ded, vec![d("P-2.2.7", 1.0), d("P-3.7.4", 1.0)]);
    assert_score(&ded, 98.0, "优秀");
    // A confirmed basic finding zeroes the file.
    let basic = [finding(
        "P-B4-6",
        FindingKind::Basic,
        FindingStatus::Confirmed,
        None,
    )];
    let s = penalty().score(&Deduction::from_findings(&basic));
    assert!(s.basic_breach_suspected);
    assert_eq!(s.draft, 0.0);
}
