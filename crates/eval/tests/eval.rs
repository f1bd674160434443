//! `evaluate` on hand-made truth and fabricated scan output: a perfect run
//! scores 100 %, a damaged one exactly what the damage costs, and broken
//! output never panics.

use anjuan_core::contract::*;
use anjuan_core::fsutil::{atomic_write, atomic_write_json};
use anjuan_core::truth::*;
use anjuan_core::CaseKind;
use anjuan_eval::cer::strip_whitespace;
use anjuan_eval::oracle::{perfect_review, perfect_texts};
use anjuan_eval::report::Ratio;
use anjuan_eval::{evaluate, run, EvalArgs, Report, Thresholds};
use std::path::Path;
use unicode_width::UnicodeWidthStr;

struct PageSpec {
    doc_type: &'static str,
    document: u32,
    rotation: u16,
    dpi: u32,
    grayscale: bool,
    /// (text, handwritten)
    lines: &'static [(&'static str, bool)],
}

const fn page(
    doc_type: &'static str,
    document: u32,
    lines: &'static [(&'static str, bool)],
) -> PageSpec {
    PageSpec {
        doc_type,
        document,
        rotation: 0,
        dpi: 300,
        grayscale: false,
        lines,
    }
}

/// A penalty file of 7 pages and 6 documents with two defects.
fn penalty_pages() -> Vec<PageSpec> {
    vec![
        page(
            "cover",
            1,
            &[
                ("行政处罚案卷", false),
                ("蒲县市场监督管理局", false),
                ("蒲市监罚〔2022〕15号", false),
                ("当事人：蒲县好味食品店", false),
            ],
        ),
        page(
            "case_filing_approval",
            2,
            &[
                ("立案审批表", false),
                ("案由：销售超过保质期的食品", false),
                ("案件来源：投诉举报", false),
                ("承办机构意见：建议立案", false),
                ("2022年3月1日", true),
            ],
        ),
        page(
            "interview_record",
            3,
            &[
                ("询问笔录", false),
                ("询问时间：2022年3月3日 9时30分", false),
                ("问：你店是否销售过该批食品？", false),
                ("答：是的，共销售了十二袋。", true),
            ],
        ),
        PageSpec {
            rotation: 90,
            ..page(
                "interview_record",
                3,
                &[
                    ("问：你还有什么补充？", false),
                    ("答：没有。", true),
                    ("被询问人（签名）：", false),
                    ("询问人：李明 王强", true),
                ],
            )
        },
        page(
            "penalty_notice",
            4,
            &[
                ("行政处罚告知书", false),
                ("蒲市监罚告〔2022〕15号", false),
                ("拟对你作出罚款人民币五千元的行政处罚。", false),
                ("2022年3月10日", false),
            ],
        ),
        PageSpec {
            dpi: 200,
            grayscale: true,
            ..page(
                "penalty_decision",
                5,
                &[
                    ("行政处罚决定书", false),
                    ("蒲市监罚〔2022〕15号", false),
                    ("依据《中华人民共和国食品安全法》第一百二十四条", false),
                    ("决定罚款人民币五千元。", false),
                    ("2022年3月15日", false),
                ],
            )
        },
        PageSpec {
            rotation: 180,
            ..page(
                "service_receipt",
                6,
                &[
                    ("送达回证", false),
                    ("送达文书：行政处罚决定书", false),
                    ("受送达人签名：", false),
                    ("王小花", true),
                    ("2022年3月16日", true),
                ],
            )
        },
    ]
}

fn coercion_pages() -> Vec<PageSpec> {
    vec![
        page(
            "coercive_measure_decision",
            1,
            &[
                ("查封（扣押）决定书", false),
                ("蒲市监强〔2022〕3号", false),
                ("2022年5月6日", false),
            ],
        ),
        PageSpec {
            grayscale: true,
            ..page(
                "seized_items_list",
                2,
                &[
                    ("查封（扣押）物品清单", false),
                    ("过期奶粉 二十罐", true),
                    ("2022年5月6日", true),
                ],
            )
        },
        page(
            "seized_items_list",
            2,
            &[("当事人签名：", false), ("赵四", true)],
        ),
    ]
}

fn doc(
    index: u32,
    doc_type: &str,
    title: &str,
    pages: [u32; 2],
    date: Option<&str>,
) -> DocumentTruth {
    DocumentTruth {
        index,
        doc_type: doc_type.into(),
        title: title.into(),
        pages,
        date: date.map(Into::into),
        number: None,
        party: Some("蒲县好味食品店".into()),
    }
}

fn defect(name: &str, item: &str, kind: DefectKind, pages: Vec<u32>) -> DefectTruth {
    DefectTruth {
        defect: name.into(),
        item: item.into(),
        kind,
        points: (kind == DefectKind::Deduction).then_some(1.0),
        pages,
        description: "见卷".into(),
    }
}

fn build(id: &str, kind: CaseKind, specs: Vec<PageSpec>) -> DossierTruth {
    let pages = specs
        .into_iter()
        .enumerate()
        .map(|(i, s)| PageTruth {
            page: i as u32 + 1,
            doc_type: s.doc_type.into(),
            document: s.document,
            printed_page_number: Some(i as u32 + 1),
            rotation: s.rotation,
            dpi: s.dpi,
            grayscale: s.grayscale,
            lines: s
                .lines
                .iter()
                .enumerate()
                .map(|(n, (text, hw))| TruthLine {
                    text: text.to_string(),
                    bbox: [200, 300 + 120 * n as u32, 2200, 380 + 120 * n as u32],
                    handwritten: *hw,
                })
                .collect(),
        })
        .collect();
    let (documents, defects, expected) = match kind {
        CaseKind::Penalty => (
            vec![
                doc(1, "cover", "行政处罚案卷", [1, 1], None),
                doc(
                    2,
                    "case_filing_approval",
                    "立案审批表",
                    [2, 2],
                    Some("2022-03-01"),
                ),
                doc(
                    3,
                    "interview_record",
                    "询问笔录",
                    [3, 4],
                    Some("2022-03-03"),
                ),
                doc(
                    4,
                    "penalty_notice",
                    "行政处罚告知书",
                    [5, 5],
                    Some("2022-03-10"),
                ),
                doc(
                    5,
                    "penalty_decision",
                    "行政处罚决定书",
                    [6, 6],
                    Some("2022-03-15"),
                ),
                doc(6, "service_receipt", "送达回证", [7, 7], Some("2022-03-16")),
            ],
            vec![
                defect(
                    "missing_signature",
                    "P-2.2.7",
                    DefectKind::Deduction,
                    vec![4],
                ),
                defect(
                    "missing_dept_signature",
                    "P-1.1.6",
                    DefectKind::Deduction,
                    vec![2],
                ),
            ],
            ExpectedScore {
                score: 98.0,
                grade: "优秀".into(),
                basic_breach: false,
            },
        ),
        _ => (
            vec![
                doc(
                    1,
                    "coercive_measure_decision",
                    "查封（扣押）决定书",
                    [1, 1],
                    Some("2022-05-06"),
                ),
                doc(
                    2,
                    "seized_items_list",
                    "查封（扣押）物品清单",
                    [2, 3],
                    Some("2022-05-06"),
                ),
            ],
            vec![defect("late_measure", "C-B4-3", DefectKind::Basic, vec![])],
            ExpectedScore {
                score: 0.0,
                grade: "不合格".into(),
                basic_breach: true,
            },
        ),
    };
    DossierTruth {
        schema: TRUTH_SCHEMA.into(),
        id: id.into(),
        seed: 7,
        case_kind: kind,
        agency: "蒲县市场监督管理局".into(),
        case_number: "蒲市监罚〔2022〕15号".into(),
        party: "蒲县好味食品店".into(),
        family: "default".into(),
        fine_yuan: (kind == CaseKind::Penalty).then_some(5000.0),
        confiscated_yuan: None,
        facts: CaseFacts::default(),
        pages,
        documents,
        defects,
        expected,
    }
}

fn penalty(id: &str) -> DossierTruth {
    build(id, CaseKind::Penalty, penalty_pages())
}

fn coercion(id: &str) -> DossierTruth {
    build(id, CaseKind::Coercion, coercion_pages())
}

/// What a perfect scan writes for `t`: its review, and each page's full text.
fn perfect(t: &DossierTruth) -> (Review, Vec<String>) {
    (perfect_review(t), perfect_texts(t))
}

fn finding(item: &str, kind: DefectKind) -> Finding {
    Finding {
        item: item.into(),
        kind: match kind {
            DefectKind::Deduction => FindingKind::Deduction,
            DefectKind::Basic => FindingKind::Basic,
        },
        status: FindingStatus::Suggested,
        points: (kind == DefectKind::Deduction).then_some(1.0),
        reason: "见卷".into(),
        confidence: 0.8,
        evidence: vec![],
    }
}

fn write_truth(dir: &Path, truths: &[&DossierTruth]) {
    for t in truths {
        atomic_write_json(&dir.join(format!("{}.truth.json", t.id)), t).unwrap();
    }
}

/// Writes each (index id, review, page texts) and an index of `entries`.
fn write_run(dir: &Path, dossiers: &[(&str, &Review, &[String])], extra: Vec<IndexEntry>) {
    let mut entries = extra;
    for (id, review, texts) in dossiers {
        let d = dir.join(id);
        atomic_write_json(&d.join("review.json"), review).unwrap();
        for (i, t) in texts.iter().enumerate() {
            atomic_write(&d.join(format!("pages/{:04}.txt", i + 1)), t.as_bytes()).unwrap();
        }
        entries.push(ok_entry(id, &review.dossier.source));
    }
    let index = Index {
        schema: INDEX_SCHEMA.into(),
        dossiers: entries,
    };
    atomic_write_json(&dir.join("index.json"), &index).unwrap();
}

fn ok_entry(id: &str, source: &str) -> IndexEntry {
    IndexEntry {
        id: id.into(),
        source: source.into(),
        status: DossierStatus::Ok,
        error: None,
    }
}

fn chars(s: &str) -> u64 {
    strip_whitespace(s).len() as u64
}

fn printed_chars(t: &DossierTruth, pages: &[u32]) -> u64 {
    pages
        .iter()
        .map(|&p| chars(&t.pages[p as usize - 1].printed_text()))
        .sum()
}

fn full_chars(t: &DossierTruth, pages: &[u32]) -> u64 {
    pages
        .iter()
        .map(|&p| chars(&t.pages[p as usize - 1].full_text()))
        .sum()
}

fn args(truth: &Path, out: &Path, thresholds: Thresholds) -> EvalArgs {
    EvalArgs {
        truth: truth.to_path_buf(),
        out: out.to_path_buf(),
        json: true,
        per_dossier: false,
        report: None,
        thresholds,
    }
}

fn strict() -> Thresholds {
    Thresholds {
        min_page_accuracy: Some(0.98),
        min_split_f1: Some(0.95),
        min_case_kind: Some(1.0),
        min_recall: Some(0.9),
        min_precision: Some(0.85),
        min_date_accuracy: Some(0.9),
        max_cer: Some(0.05),
        max_cer_full: Some(0.1),
        max_rotated_gap: Some(0.01),
        max_score_error: Some(3.0),
        max_failed: Some(0),
    }
}

fn group<'a>(r: &'a Report, name: &str) -> &'a anjuan_eval::report::CerGroup {
    r.cer
        .groups
        .iter()
        .find(|g| g.group == name)
        .unwrap_or_else(|| panic!("no group {name}"))
}

#[test]
fn a_perfect_run_scores_one_hundred_percent() {
    let truth_dir = tempfile::tempdir().unwrap();
    let run_dir = tempfile::tempdir().unwrap();
    let a = penalty("2022-015");
    let d = coercion("2022-021");
    write_truth(truth_dir.path(), &[&a, &d]);
    let (ra, ta) = perfect(&a);
    let (rd, td) = perfect(&d);
    // The coercion file's output directory was made unique by the scanner:
    // it is found through the index entry's source stem.
    write_run(
        run_dir.path(),
        &[("2022-015", &ra, &ta), ("2022-021-1", &rd, &td)],
        vec![],
    );

    let r = evaluate(truth_dir.path(), run_dir.path()).unwrap();
    assert_eq!((r.dossiers, r.ok), (2, 2));
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    assert_eq!(r.pages, Ratio::new(10, 10));
    assert_eq!(r.pages.value, Some(1.0));
    assert_eq!(r.page_numbers, Ratio::new(10, 10));
    assert_eq!(
        (
            r.split.exact.matched,
            r.split.exact.predicted,
            r.split.exact.truth
        ),
        (8, 8, 8)
    );
    assert_eq!(r.split.exact.f1, Some(1.0));
    assert_eq!(r.split.ranges_only.f1, Some(1.0));
    assert_eq!(r.split.dates, Ratio::new(7, 7));
    assert_eq!(r.case_kind, Ratio::new(2, 2));
    assert_eq!(r.defects.overall.recall, Some(1.0));
    assert_eq!(r.defects.overall.precision, Some(1.0));
    assert_eq!(r.defects.overall.truth, 3);
    let all_pages: Vec<u32> = (1..=7).collect();
    let printed = printed_chars(&a, &all_pages) + printed_chars(&d, &[1, 2, 3]);
    assert_eq!(r.cer.printed.edits, 0);
    assert_eq!(r.cer.printed.chars, printed);
    assert_eq!(r.cer.printed.cer, Some(0.0));
    assert_eq!(r.cer.full.cer, Some(0.0));
    assert_eq!(r.cer.rotated_minus_upright, Some(0.0));
    assert_eq!(group(&r, "200dpi").pages, 1);
    assert_eq!(group(&r, "300dpi").pages, 9);
    assert_eq!(group(&r, "grayscale").pages, 2);
    assert_eq!(group(&r, "rotated").pages, 2);
    assert_eq!(r.score.max_abs_error, Some(0.0));
    assert_eq!(r.score.grade, Ratio::new(2, 2));
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    // The case block as the truth has it; nothing needs review; one family.
    let c = &r.case_facts;
    assert_eq!(
        (c.agency, c.case_number, c.party, c.fine),
        (
            Ratio::new(2, 2),
            Ratio::new(2, 2),
            Ratio::new(2, 2),
            Ratio::new(1, 1)
        )
    );
    assert_eq!(r.review.needs_review, 0);
    assert_eq!(r.review.recall_with_review, Ratio::new(3, 3));
    assert!(r.families.is_empty());

    let mut a = args(truth_dir.path(), run_dir.path(), strict());
    a.report = Some(run_dir.path().join("eval/report.json"));
    assert_eq!(run(&a).unwrap(), 0);
    let written: Report =
        serde_json::from_slice(&std::fs::read(a.report.unwrap()).unwrap()).unwrap();
    assert_eq!(written.checks.len(), 11);
    assert!(written.passed());
    assert_eq!(written.per_dossier, r.per_dossier);
}

#[test]
fn needs_review_false_zeros_reliability_case_facts_and_families() {
    let truth_dir = tempfile::tempdir().unwrap();
    let run_dir = tempfile::tempdir().unwrap();
    let mut a = penalty("f-a");
    a.family = "samr2021".into();
    let b = penalty("f-b");
    write_truth(truth_dir.path(), &[&a, &b]);
    assert!(a.defects.len() >= 2 && b.defects.iter().all(|d| d.kind == DefectKind::Deduction));

    // a: its first true defect only needs review; a false suspicion too; the
    // fine misread.
    let (mut ra, ta) = perfect(&a);
    ra.findings[0].status = FindingStatus::NeedsReview;
    ra.findings[0].confidence = 0.55;
    let mut suspicion = finding("P-2.5.1", DefectKind::Deduction);
    suspicion.status = FindingStatus::NeedsReview;
    suspicion.confidence = 0.52;
    ra.findings.push(suspicion);
    ra.case.fine_yuan = Some(500.0);
    // b: a basic standard suggested that the truth does not have (the file
    // drafted at 0), its agency not read.
    let (mut rb, tb) = perfect(&b);
    let mut basic = finding("P-B4-2", DefectKind::Basic);
    basic.confidence = 0.95;
    rb.findings.push(basic);
    rb.score.draft = 0.0;
    rb.case.agency = None;
    write_run(
        run_dir.path(),
        &[("f-a", &ra, &ta), ("f-b", &rb, &tb)],
        vec![],
    );

    let r = evaluate(truth_dir.path(), run_dir.path()).unwrap();
    let truth = (a.defects.len() + b.defects.len()) as u64;
    // Suggested: one true defect of a is only a suspicion.
    assert_eq!(r.defects.overall.found, truth - 1);
    assert_eq!(r.defects.overall.findings, truth);
    assert_eq!(r.defects.overall.correct, truth - 1);
    // With the suspicions, every defect is found.
    assert_eq!(r.review.recall_with_review, Ratio::new(truth, truth));
    assert_eq!((r.review.needs_review, r.review.needs_review_true), (2, 1));
    assert_eq!(r.review.per_dossier, Some(1.0));
    assert_eq!(r.review.false_zero_ids, ["f-b"]);
    // Reliability: the two suspicions in 0.5-0.6, one true; the basic at 0.95
    // false; the perfect findings at 1.0 true.
    let bin = |low: f64| r.reliability.iter().find(|x| x.low == low).unwrap();
    assert_eq!((bin(0.5).findings, bin(0.5).correct), (2, 1));
    assert_eq!(bin(0.9).findings, truth - 1 + 1);
    assert_eq!(bin(0.9).correct, truth - 1);
    // Case facts.
    assert_eq!(r.case_facts.agency, Ratio::new(1, 2));
    assert_eq!(r.case_facts.fine, Ratio::new(1, 2));
    assert_eq!(r.case_facts.case_number, Ratio::new(2, 2));
    // Families apart, in name order.
    let names: Vec<&str> = r.families.iter().map(|f| f.family.as_str()).collect();
    assert_eq!(names, ["default", "samr2021"]);
    assert_eq!(r.families[0].false_zero, 1);
    assert_eq!(r.families[1].needs_review_per_dossier, Some(2.0));
    let text = anjuan_eval::table::render(&r);
    assert!(
        text.contains("samr2021") && text.contains("worst"),
        "{text}"
    );
}

#[test]
fn a_damaged_run_scores_exactly_what_the_damage_costs() {
    let truth_dir = tempfile::tempdir().unwrap();
    let run_dir = tempfile::tempdir().unwrap();
    let a = penalty("2022-015");
    let b = penalty("2022-016");
    let c = penalty("2022-017");
    let d = coercion("2022-021");
    write_truth(truth_dir.path(), &[&a, &b, &c, &d]);

    // A: everything that can go wrong, a known amount each.
    let (mut ra, mut ta) = perfect(&a);
    // Wrong doc_type on 2 pages (the documents stay right).
    ra.pages[1].doc_type = "other".into();
    ra.pages[5].doc_type = "penalty_notice".into();
    // Page numbers: one misread, one not read.
    ra.pages[2].printed_page_number = Some(8);
    ra.pages[3].printed_page_number = None;
    // The interview record (pages 3-4) split in two.
    ra.documents[2].pages = [3, 3];
    ra.documents.insert(
        3,
        DocumentEntry {
            index: 4,
            doc_type: "interview_record".into(),
            title: None,
            pages: [4, 4],
            confidence: 0.5,
            date: None,
            number: None,
        },
    );
    // The decision's date misread.
    ra.documents[5].date = Some("2022-03-05".into());
    // P-1.1.6 missed (and left to manual review), P-2.5.1 spurious, a
    // rejected finding that must not count.
    ra.findings.retain(|f| f.item != "P-1.1.6");
    ra.manual.push("P-1.1.6".into());
    ra.findings.push(finding("P-2.5.1", DefectKind::Deduction));
    let mut rejected = finding("P-3.1.1", DefectKind::Deduction);
    rejected.status = FindingStatus::Rejected;
    ra.findings.push(rejected);
    ra.score.draft = 97.0;
    // Page 6: three substitutions. Page 7: the handwriting not read.
    ta[5] = ta[5]
        .replace("监罚", "监码")
        .replace("一百二十四", "一百二十囚")
        .replace("五千", "五干");
    ta[6] = a.pages[6].printed_text();

    let (rd, td) = perfect(&d);
    let mut corrupt = perfect(&c).0;
    corrupt.dossier.id = "2022-017".into();
    write_run(
        run_dir.path(),
        &[
            ("2022-015", &ra, &ta),
            ("2022-017", &corrupt, &[]),
            ("2022-021", &rd, &td),
        ],
        vec![],
    );
    // C's review.json is cut off mid-write; B is not in the index at all.
    std::fs::write(
        run_dir.path().join("2022-017/review.json"),
        "{\"schema\": \"anjuan.rev",
    )
    .unwrap();

    let r = evaluate(truth_dir.path(), run_dir.path()).unwrap();
    assert_eq!((r.dossiers, r.ok), (4, 2));
    let failed: Vec<&str> = r.failed.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(failed, ["2022-016", "2022-017"]);
    assert_eq!(r.failed[0].reason, "not in index.json");
    assert!(
        r.failed[1]
            .reason
            .starts_with("2022-017/review.json: not a valid anjuan.review/2"),
        "{}",
        r.failed[1].reason
    );

    // Pages: A 5 of 7, B and C 0 of 7, D 3 of 3.
    assert_eq!(r.pages, Ratio::new(8, 24));
    assert_eq!(r.page_numbers, Ratio::new(8, 24));
    // Documents: A 5 of 6 truth matched by 7 predicted, D 2 of 2, B and C 0 of 6.
    let confusions: Vec<(&str, &str, u64)> = r
        .confusions
        .iter()
        .map(|c| (c.truth.as_str(), c.predicted.as_str(), c.pages))
        .collect();
    assert_eq!(
        confusions,
        [
            ("case_filing_approval", "other", 1),
            ("penalty_decision", "penalty_notice", 1)
        ]
    );
    let interview = r
        .doc_types
        .iter()
        .find(|t| t.doc_type == "interview_record")
        .unwrap();
    // Right page types on A's and D's pages; B and C (failed) count as wrong.
    assert_eq!(interview.pages, Ratio::new(2, 6));
    assert_eq!(interview.documents, Ratio::new(0, 3));
    let decision = r
        .doc_types
        .iter()
        .find(|t| t.doc_type == "penalty_decision")
        .unwrap();
    assert_eq!(decision.pages, Ratio::new(0, 3));
    assert_eq!(decision.documents, Ratio::new(1, 3));
    let e = r.split.exact;
    assert_eq!((e.matched, e.predicted, e.truth), (7, 9, 20));
    assert_eq!(e.f1, Some(14.0 / 29.0));
    assert_eq!(e.precision, Some(7.0 / 9.0));
    assert_eq!(e.recall, Some(7.0 / 20.0));
    let ro = r.split.ranges_only;
    assert_eq!((ro.matched, ro.predicted, ro.truth), (7, 9, 20));
    // Dated and matched: A's documents 2, 4, 5, 6 (5 misdated), D's two.
    assert_eq!(r.split.dates, Ratio::new(5, 6));
    assert_eq!(r.case_kind, Ratio::new(2, 4));

    let o = &r.defects.overall;
    assert_eq!(
        (o.truth, o.found, o.manual, o.findings, o.correct),
        (7, 2, 1, 3, 2)
    );
    assert_eq!(o.recall, Some(2.0 / 7.0));
    assert_eq!(o.precision, Some(2.0 / 3.0));
    let items: Vec<(&str, u64, u64, u64, u64, u64)> = r
        .defects
        .items
        .iter()
        .map(|s| {
            (
                s.item.as_str(),
                s.truth,
                s.found,
                s.manual,
                s.findings,
                s.correct,
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("C-B4-3", 1, 1, 0, 1, 1),
            ("P-1.1.6", 3, 0, 1, 0, 0),
            ("P-2.2.7", 3, 1, 0, 1, 1),
            ("P-2.5.1", 0, 0, 0, 1, 0),
        ]
    );
    let kinds: Vec<(&str, u64, u64, u64, u64, u64)> = r
        .defects
        .by_kind
        .iter()
        .map(|s| {
            (
                s.item.as_str(),
                s.truth,
                s.found,
                s.manual,
                s.findings,
                s.correct,
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [("basic", 1, 1, 0, 1, 1), ("deduction", 6, 1, 1, 2, 1)]
    );
    assert_eq!(r.defects.items[3].recall, None);
    assert_eq!(r.defects.items[3].precision, Some(0.0));

    // CER: A has 3 printed edits, plus page 7's 13 handwritten characters on
    // the full measure; B and C lose every character; D is perfect.
    let all: Vec<u32> = (1..=7).collect();
    let pa = printed_chars(&a, &all);
    let fa = full_chars(&a, &all);
    assert_eq!(full_chars(&a, &[7]) - printed_chars(&a, &[7]), 13);
    assert_eq!(r.cer.printed.edits, 3 + 2 * pa);
    assert_eq!(r.cer.printed.chars, 3 * pa + printed_chars(&d, &[1, 2, 3]));
    assert_eq!(r.cer.full.edits, 3 + 13 + 2 * fa);
    assert_eq!(r.cer.full.chars, 3 * fa + full_chars(&d, &[1, 2, 3]));
    let dpi200 = group(&r, "200dpi");
    assert_eq!(dpi200.pages, 3);
    assert_eq!(dpi200.printed.edits, 3 + 2 * printed_chars(&a, &[6]));
    let rotated = group(&r, "rotated");
    assert_eq!(rotated.pages, 6);
    assert_eq!(rotated.printed.edits, 2 * printed_chars(&a, &[4, 7]));
    assert_eq!(rotated.full.edits, 13 + 2 * full_chars(&a, &[4, 7]));
    assert_eq!(r.cer.missing_text_pages, 0);

    // Score: A off by 1, B and C at their worst (98), D exact.
    assert_eq!(r.score.dossiers, 4);
    assert_eq!(r.score.mean_abs_error, Some((1.0 + 98.0 + 98.0) / 4.0));
    assert_eq!(r.score.max_abs_error, Some(98.0));
    assert_eq!(r.score.worst.as_deref(), Some("2022-016"));
    assert_eq!(r.score.grade, Ratio::new(2, 4));
    assert!(r.notes[0].contains("14 pages"), "{:?}", r.notes);

    let row = r
        .per_dossier
        .iter()
        .find(|row| row.id == "2022-015")
        .unwrap();
    assert_eq!(row.pages, Ratio::new(5, 7));
    assert_eq!(row.cer_printed.edits, 3);
    assert_eq!(row.score_draft, Some(97.0));

    // Every strict threshold is missed; exit status 1.
    let mut checks = strict().checks(&r);
    checks.retain(|c| c.passed);
    assert!(checks.is_empty(), "{checks:?}");
    assert_eq!(
        run(&args(truth_dir.path(), run_dir.path(), strict())).unwrap(),
        1
    );
    // Lenient thresholds pass.
    let lenient = Thresholds {
        min_page_accuracy: Some(0.3),
        max_failed: Some(2),
        ..Thresholds::default()
    };
    assert_eq!(
        run(&args(truth_dir.path(), run_dir.path(), lenient)).unwrap(),
        0
    );

    let text = anjuan_eval::table::render(&r);
    let too_wide = |l: &&str| l.width() > anjuan_eval::table::COLUMNS;
    assert!(!text.lines().any(|l| too_wide(&l)), "{text}");
    assert!(text.contains("  2022-016  not in index.json\n"), "{text}");
    assert!(text.contains("P-2.5.1"), "{text}");
    let lines = anjuan_eval::table::render_dossiers(&r);
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert!(lines
        .iter()
        .all(|l| l.width() <= anjuan_eval::table::COLUMNS));
    // Failed dossiers first (no page right), then A (5/7), then D.
    assert!(
        lines[1].starts_with("2022-016") && lines[1].contains(" NO "),
        "{lines:?}"
    );
    assert!(
        lines[3].starts_with("2022-015") && lines[3].contains("71.43%"),
        "{lines:?}"
    );
    assert!(lines[4].starts_with("2022-021"), "{lines:?}");
}

#[test]
fn broken_outputs_are_failures_with_reasons_never_panics() {
    let truth_dir = tempfile::tempdir().unwrap();
    let run_dir = tempfile::tempdir().unwrap();
    let ids = [
        "f-failed",
        "f-schema",
        "f-pagecount",
        "f-escape",
        "f-dir",
        "f-notext",
    ];
    let truths: Vec<DossierTruth> = ids.iter().map(|id| penalty(id)).collect();
    write_truth(truth_dir.path(), &truths.iter().collect::<Vec<_>>());
    let outputs: Vec<(Review, Vec<String>)> = truths.iter().map(perfect).collect();

    let mut schema = outputs[1].0.clone();
    schema.schema = "anjuan.review/0".into();
    let mut pagecount = outputs[2].0.clone();
    pagecount.dossier.page_count = 6;
    let dossiers: Vec<(&str, &Review, &[String])> = vec![
        ("f-schema", &schema, &outputs[1].1),
        ("f-pagecount", &pagecount, &outputs[2].1),
        ("f-notext", &outputs[5].0, &outputs[5].1),
    ];
    let failed_entry = IndexEntry {
        id: "f-failed".into(),
        source: "in/f-failed.pdf".into(),
        status: DossierStatus::Failed,
        error: Some("pdfium: cannot open".into()),
    };
    write_run(
        run_dir.path(),
        &dossiers,
        vec![
            failed_entry,
            ok_entry("../f-escape", "in/f-escape.pdf"),
            ok_entry("f-dir", "in/f-dir.pdf"),
        ],
    );
    // f-dir's review.json is a directory; f-notext lost its page 3 text.
    std::fs::create_dir_all(run_dir.path().join("f-dir/review.json")).unwrap();
    std::fs::remove_file(run_dir.path().join("f-notext/pages/0003.txt")).unwrap();

    let r = evaluate(truth_dir.path(), run_dir.path()).unwrap();
    let reasons: Vec<(&str, &str)> = r
        .failed
        .iter()
        .map(|f| (f.id.as_str(), f.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    let reason = |id: &str| reasons.iter().find(|r| r.0 == id).unwrap().1;
    assert_eq!(reason("f-failed"), "scan failed: pdfium: cannot open");
    assert_eq!(
        reason("f-schema"),
        "f-schema/review.json: schema `anjuan.review/0`, expected `anjuan.review/2` (or anjuan.review/1)"
    );
    assert_eq!(
        reason("f-pagecount"),
        "f-pagecount/review.json: page_count 6, the truth has 7 pages"
    );
    assert_eq!(
        reason("f-escape"),
        "index.json id `../f-escape` is not a plain directory name"
    );
    assert!(
        reason("f-dir").starts_with("f-dir/review.json: "),
        "{reasons:?}"
    );

    // The dossier with a missing page text is ok: that page is read as empty.
    assert_eq!(r.ok, 1);
    assert_eq!(r.cer.missing_text_pages, 1);
    let row = r
        .per_dossier
        .iter()
        .find(|row| row.id == "f-notext")
        .unwrap();
    assert_eq!(row.cer_printed.edits, printed_chars(&truths[5], &[3]));
    assert_eq!(row.cer_full.edits, full_chars(&truths[5], &[3]));
    assert!(
        r.notes.iter().any(|n| n.contains("1 page text file")),
        "{:?}",
        r.notes
    );

    // No index, then a corrupt one: every dossier fails, saying why.
    std::fs::remove_file(run_dir.path().join("index.json")).unwrap();
    let r = evaluate(truth_dir.path(), run_dir.path()).unwrap();
    assert_eq!((r.ok, r.failed.len()), (0, 6));
    assert!(
        r.failed[0].reason.starts_with("no usable index.json"),
        "{:?}",
        r.failed
    );
    assert_eq!(r.pages, Ratio::new(0, 42));
    assert_eq!(r.cer.printed.cer, Some(1.0));
    std::fs::write(run_dir.path().join("index.json"), b"\xff\xfe[").unwrap();
    let r = evaluate(truth_dir.path(), run_dir.path()).unwrap();
    assert_eq!(r.failed.len(), 6);
    assert!(
        r.notes[0].starts_with("index.json unusable"),
        "{:?}",
        r.notes
    );
    let strict_failed = Thresholds {
        max_failed: Some(0),
        ..Thresholds::default()
    };
    assert_eq!(
        run(&args(truth_dir.path(), run_dir.path(), strict_failed)).unwrap(),
        1
    );
}

#[test]
fn usage_errors_and_broken_truth_name_the_path() {
    let truth_dir = tempfile::tempdir().unwrap();
    let run_dir = tempfile::tempdir().unwrap();
    let nowhere = truth_dir.path().join("nowhere");

    let e = evaluate(&nowhere, run_dir.path()).unwrap_err().to_string();
    assert!(e.contains("nowhere") && e.contains("does not exist"), "{e}");
    assert_eq!(
        run(&args(&nowhere, run_dir.path(), Thresholds::default())).unwrap(),
        2
    );

    // An empty truth directory.
    let e = evaluate(truth_dir.path(), run_dir.path())
        .unwrap_err()
        .to_string();
    assert!(e.contains("no *.truth.json"), "{e}");

    write_truth(truth_dir.path(), &[&penalty("2022-015")]);
    let e = evaluate(truth_dir.path(), &nowhere)
        .unwrap_err()
        .to_string();
    assert!(e.contains("run directory") && e.contains("nowhere"), "{e}");
    assert_eq!(
        run(&args(truth_dir.path(), &nowhere, Thresholds::default())).unwrap(),
        2
    );

    // A truth file whose id is not its name, then one that is not JSON.
    let mut other = penalty("2022-099");
    other.id = "2022-100".into();
    atomic_write_json(&truth_dir.path().join("2022-099.truth.json"), &other).unwrap();
    let e = format!(
        "{:#}",
        evaluate(truth_dir.path(), run_dir.path()).unwrap_err()
    );
    assert!(
        e.contains("2022-099.truth.json") && e.contains("does not match"),
        "{e}"
    );
    std::fs::write(truth_dir.path().join("2022-099.truth.json"), "[1, 2").unwrap();
    let e = format!(
        "{:#}",
        evaluate(truth_dir.path(), run_dir.path()).unwrap_err()
    );
    assert!(
        e.contains("2022-099.truth.json") && e.contains("not a valid"),
        "{e}"
    );
}
