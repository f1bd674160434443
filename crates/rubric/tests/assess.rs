//! `review.json`'s `manual`, `not_applicable` and `score`: every item of the
//! rubric exactly once across findings, manual, not_applicable, or none.

use anjuan_core::contract::{
    DossierInfo, Evidence, Finding, FindingKind, FindingStatus, Review, Score, REVIEW_SCHEMA,
};
use anjuan_core::truth::CaseFacts;
use anjuan_core::CaseKind;
use anjuan_rubric::{fill_review, Applicability, AssessError, Assessment, Facts, Rubric};
use std::collections::BTreeMap;

fn penalty() -> &'static Rubric {
    Rubric::builtin(CaseKind::Penalty).unwrap()
}

fn coercion() -> &'static Rubric {
    Rubric::builtin(CaseKind::Coercion).unwrap()
}

fn finding(item: &str, kind: FindingKind, points: Option<f64>, page: u32) -> Finding {
    Finding {
        item: item.into(),
        kind,
        status: FindingStatus::Suggested,
        points,
        reason: format!("第{page}页"),
        confidence: 0.8,
        evidence: vec![Evidence {
            page: Some(page),
            bbox: None,
            text: None,
        }],
    }
}

/// Asserts the contract: every item exactly once across the four places.
fn assert_each_item_once(r: &Rubric, findings: &[Finding], a: &Assessment) {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    let mut seen = |id: &str| {
        assert!(r.item(id).is_some(), "{id} is not in the rubric");
        *count.entry(r.item(id).unwrap().id.as_str()).or_default() += 1;
    };
    let mut finding_items: Vec<&str> = findings.iter().map(|f| f.item.as_str()).collect();
    finding_items.dedup();
    finding_items.iter().for_each(|id| seen(id));
    a.manual.iter().for_each(|id| seen(id));
    a.not_applicable.iter().for_each(|n| seen(&n.item));
    for (id, n) in &count {
        assert_eq!(*n, 1, "{id} appears {n} times");
    }
}

fn ids(v: &[anjuan_core::contract::NotApplicable]) -> Vec<&str> {
    v.iter().map(|n| n.item.as_str()).collect()
}

#[test]
fn with_no_checks_implemented_every_applicable_item_is_manual() {
    let r = penalty();
    // An ordinary file: no hearing qualified or asked for, no preservation.
    let facts = Facts::from(&CaseFacts::default());
    let a = r.assess(&facts, &[], &[]).unwrap();
    assert_each_item_once(r, &[], &a);
    let na = ids(&a.not_applicable);
    let mut expected: Vec<String> = vec!["P-B4-4".into()];
    for doc in ["2.3", "2.4", "3.3", "3.4", "3.5"] {
        expected.extend(
            r.norm_items()
                .filter(|i| i.id.starts_with(&format!("P-{doc}.")))
                .map(|i| i.id.clone()),
        );
    }
    assert_eq!(na, expected);
    assert_eq!(
        a.manual.len() + na.len(),
        r.items.len(),
        "nothing passes unjudged"
    );
    let hearing = a
        .not_applicable
        .iter()
        .find(|n| n.item == "P-3.4.1")
        .unwrap();
    assert_eq!(hearing.reason, "卷内无听证申请");
    let preserve = a
        .not_applicable
        .iter()
        .find(|n| n.item == "P-2.3.1")
        .unwrap();
    assert_eq!(preserve.reason, "未采取先行登记保存");
    assert_eq!(
        a.score,
        Score {
            draft: 100.0,
            grade: "优秀".into(),
            basic_breach_suspected: false
        }
    );
}

#[test]
fn a_hearing_makes_the_hearing_items_apply() {
    let r = penalty();
    let facts = Facts::from(&CaseFacts {
        hearing_requested: true,
        hearing_qualified: true,
        evidence_preserved: true,
        ..CaseFacts::default()
    });
    let a = r.assess(&facts, &[], &[]).unwrap();
    assert!(a.not_applicable.is_empty(), "{:?}", a.not_applicable);
    assert_eq!(a.manual.len(), r.items.len());
}

#[test]
fn unknown_facts_send_conditional_items_to_a_person() {
    let r = penalty();
    let a = r.assess(&Facts::default(), &[], &[]).unwrap();
    assert!(a.not_applicable.is_empty());
    assert_eq!(a.manual.len(), r.items.len());
    assert_eq!(
        r.applicability(r.item("P-3.4.1").unwrap(), &Facts::default()),
        Applicability::Undetermined
    );
    // Even when the item's check is implemented, applicability needs a person.
    let a = r
        .assess(&Facts::default(), &[], &["required_field"])
        .unwrap();
    assert!(a.manual.contains(&"P-3.4.1".to_string()));
    assert!(
        !a.manual.contains(&"P-1.1.1".to_string()),
        "applies always, judged by required_field"
    );
}

#[test]
fn items_of_implemented_checks_that_found_nothing_appear_nowhere() {
    let r = penalty();
    let facts = Facts::from(&CaseFacts::default());
    let implemented = ["signature", "fingerprint", "page_numbers"];
    let a = r.assess(&facts, &[], &implemented).unwrap();
    assert_each_item_once(r, &[], &a);
    for id in ["P-2.2.7", "P-2.1.3", "P-6.1.3", "P-4.1.4"] {
        assert!(!a.manual.iter().any(|m| m == id), "{id} was judged");
        assert!(!ids(&a.not_applicable).contains(&id));
    }
    // Not applicable stays not applicable even with a check (P-2.3.2: signature).
    assert!(ids(&a.not_applicable).contains(&"P-2.3.2"));
    assert!(
        a.manual.iter().any(|m| m == "P-2.2.4"),
        "manual items stay manual"
    );
    let passed = r.items.len() - a.manual.len() - a.not_applicable.len();
    let expected = r
        .items
        .iter()
        .filter(|i| implemented.contains(&i.check.as_str()))
        .filter(|i| r.applicability(i, &facts) == Applicability::Applies)
        .count();
    assert_eq!(passed, expected);
}

#[test]
fn findings_take_their_items_out_of_manual_and_set_the_score() {
    let r = penalty();
    let facts = Facts::from(&CaseFacts::default());
    let findings = vec![
        finding("P-2.2.7", FindingKind::Deduction, Some(1.0), 7),
        finding("P-3.7.4", FindingKind::Deduction, Some(1.0), 30),
        finding("P-3.2.5", FindingKind::Deduction, Some(0.5), 25),
    ];
    let a = r.assess(&facts, &findings, &["fingerprint"]).unwrap();
    assert_each_item_once(r, &findings, &a);
    assert!(!a.manual.iter().any(|m| m == "P-3.7.4"));
    assert_eq!(a.score.draft, 97.5);
    assert_eq!(a.score.grade, "优秀");
    // A basic finding zeroes it.
    let mut with_basic = findings.clone();
    with_basic.push(finding("P-B5-1", FindingKind::Basic, None, 1));
    let a = r.assess(&facts, &with_basic, &[]).unwrap();
    assert_each_item_once(r, &with_basic, &a);
    assert_eq!((a.score.draft, a.score.basic_breach_suspected), (0.0, true));
}

#[test]
fn findings_that_contradict_the_rubric_are_errors() {
    let r = penalty();
    let f = Facts::default();
    let e = r
        .assess(
            &f,
            &[finding("C-1.1.1", FindingKind::Deduction, Some(1.0), 1)],
            &[],
        )
        .unwrap_err();
    assert!(matches!(e, AssessError::UnknownItem { .. }));
    assert!(e.to_string().contains("C-1.1.1") && e.to_string().contains("rubrics/penalty.toml"));
    let e = r
        .assess(
            &f,
            &[finding("P-B4-6", FindingKind::Deduction, Some(1.0), 1)],
            &[],
        )
        .unwrap_err();
    assert!(matches!(e, AssessError::KindMismatch { .. }), "{e}");
    let e = r
        .assess(&f, &[finding("P-2.2.1", FindingKind::Basic, None, 1)], &[])
        .unwrap_err();
    assert!(matches!(e, AssessError::KindMismatch { .. }), "{e}");
    let e = r
        .assess(
            &f,
            &[finding("P-2.2.1", FindingKind::Deduction, Some(1.0), 1)],
            &[],
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "finding on `P-2.2.1` deducts 1 points, the item allows 0 to 0.5"
    );
}

fn review(kind: CaseKind, findings: Vec<Finding>) -> Review {
    Review {
        schema: REVIEW_SCHEMA.into(),
        dossier: DossierInfo {
            id: "t".into(),
            source: "t.pdf".into(),
            sha256: String::new(),
            page_count: 40,
        },
        case_kind: kind,
        case: Default::default(),
        pages: vec![],
        documents: vec![],
        findings,
        manual: vec![],
        not_applicable: vec![],
        score: Score {
            draft: 0.0,
            grade: String::new(),
            basic_breach_suspected: false,
        },
    }
}

#[test]
fn fill_review_merges_findings_on_one_item_and_scores_once() {
    // The same defect on three copies of the interview record.
    let findings = vec![
        finding("P-2.2.7", FindingKind::Deduction, Some(1.0), 7),
        finding("P-2.2.6", FindingKind::Deduction, Some(2.0), 8),
        finding("P-2.2.7", FindingKind::Deduction, Some(0.5), 12),
        finding("P-2.2.7", FindingKind::Deduction, Some(1.0), 15),
    ];
    let mut rv = review(CaseKind::Penalty, findings);
    let facts = Facts::from(&CaseFacts::default());
    fill_review(&mut rv, penalty(), &facts, &[]).unwrap();
    assert_eq!(rv.findings.len(), 2);
    let f = &rv.findings[0];
    assert_eq!((f.item.as_str(), f.points), ("P-2.2.7", Some(1.0)));
    let pages: Vec<_> = f.evidence.iter().map(|e| e.page.unwrap()).collect();
    assert_eq!(pages, [7, 12, 15], "every copy is evidence");
    assert_eq!(f.reason, "第7页；第12页；第15页");
    assert_eq!(rv.score.draft, 97.0);
    assert!(!rv.manual.contains(&"P-2.2.7".to_string()));
    let a = Assessment {
        manual: rv.manual.clone(),
        not_applicable: rv.not_applicable.clone(),
        score: rv.score.clone(),
    };
    assert_each_item_once(penalty(), &rv.findings, &a);
    // It serialises as the contract says.
    let json = serde_json::to_value(&rv).unwrap();
    assert_eq!(json["score"]["draft"], 97.0);
    assert_eq!(json["not_applicable"][0]["item"], "P-B4-4");
}

#[test]
fn coercion_measure_only_file() {
    let r = coercion();
    let facts = Facts::from(&CaseFacts {
        coercive_measure: true,
        ..CaseFacts::default()
    });
    let a = r.assess(&facts, &[], &[]).unwrap();
    assert_each_item_once(r, &[], &a);
    let na = ids(&a.not_applicable);
    // The whole execution stage and the execution-side basic standards.
    for i in r.norm_items().filter(|i| i.id.starts_with("C-2.")) {
        assert!(na.contains(&i.id.as_str()), "{}", i.id);
    }
    for id in ["C-B1-6", "C-B2-3", "C-B2-8"] {
        assert!(na.contains(&id), "{id}");
    }
    assert!(!na.iter().any(|id| id.starts_with("C-1.")));
    let reason = &a
        .not_applicable
        .iter()
        .find(|n| n.item == "C-2.1.1")
        .unwrap()
        .reason;
    assert_eq!(reason, "未实施行政强制执行");
    let sub = &a
        .not_applicable
        .iter()
        .find(|n| n.item == "C-2.4.1")
        .unwrap()
        .reason;
    assert_eq!(sub, "未实施行政强制执行；未作出代履行决定");
    // Whether the measure was an emergency one is not known from the truth.
    assert!(a.manual.contains(&"C-1.1.6".to_string()));
    let known = Facts {
        emergency_measure: Some(false),
        ..facts
    };
    let a = r.assess(&known, &[], &[]).unwrap();
    let e = a
        .not_applicable
        .iter()
        .find(|n| n.item == "C-1.1.6")
        .unwrap();
    assert_eq!(e.reason, "非情况紧急当场实施的行政强制措施");
}
