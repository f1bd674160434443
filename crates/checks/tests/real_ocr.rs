//! The checks on real scans: generated dossiers rendered, scanned and OCR'd
//! by `anjuan scan` (PP-OCRv4), with their marks, captured as fixtures by
//! `examples/replay.rs --capture` (`tests/fixtures/<id>.json`). Each test
//! names dossiers whose ground truth holds a defect and dossiers that do not.

use anjuan_checks::{CheckInput, Line, Page};
use anjuan_core::contract::{DocumentEntry, Finding, FindingKind, FindingStatus};
use anjuan_core::marks::PageMarks;
use anjuan_core::CaseKind;
use anjuan_rubric::Rubric;
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Deserialize)]
struct FLine {
    text: String,
    bbox: [u32; 4],
    confidence: f32,
    /// `text` through the scan's normalisation step, filled on load.
    #[serde(skip)]
    norm: String,
}

#[derive(Deserialize)]
struct FOcr {
    dpi: u32,
    width: u32,
    height: u32,
    lines: Vec<FLine>,
    #[serde(default)]
    marks: PageMarks,
}

#[derive(Deserialize)]
struct FPage {
    doc_type: String,
    document: Option<u32>,
    printed_page_number: Option<u32>,
    page: FOcr,
}

impl FPage {
    /// The captured page as the checks read it, typed and placed as given
    /// (as captured, or as a fresh classification found it).
    fn as_page<'a>(
        &'a self,
        doc_type: &'a str,
        document: u32,
        printed_page_number: Option<u32>,
    ) -> Page<'a> {
        Page {
            lines: self
                .page
                .lines
                .iter()
                .map(|l| Line {
                    text: &l.norm,
                    raw: &l.text,
                    bbox: l.bbox,
                    confidence: l.confidence,
                })
                .collect(),
            marks: &self.page.marks,
            dpi: self.page.dpi,
            width: self.page.width,
            height: self.page.height,
            doc_type,
            document,
            printed_page_number,
            unread: None,
        }
    }
}

#[derive(Deserialize)]
struct Fixture {
    case_kind: CaseKind,
    documents: Vec<DocumentEntry>,
    pages: Vec<FPage>,
}

fn fixture(id: &str) -> Fixture {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{id}.json"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut f: Fixture =
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for l in f.pages.iter_mut().flat_map(|p| p.page.lines.iter_mut()) {
        l.norm = anjuan_core::normalize::normalize(&l.text).into_owned();
    }
    f
}

/// The findings of the checks on a captured dossier.
fn findings(id: &str) -> Vec<Finding> {
    findings_of(&fixture(id))
}

/// The findings on a captured dossier with one page's OCR lines edited:
/// `edit` maps a line's text to its replacement, or `None` to drop it (a
/// defect the generator does not make, on otherwise real OCR).
fn findings_edited(id: &str, page: usize, edit: impl Fn(&str) -> Option<String>) -> Vec<Finding> {
    let mut f = fixture(id);
    let lines = std::mem::take(&mut f.pages[page - 1].page.lines);
    f.pages[page - 1].page.lines = lines
        .into_iter()
        .filter_map(|l| {
            let text = edit(&l.text)?;
            let norm = anjuan_core::normalize::normalize(&text).into_owned();
            Some(FLine { text, norm, ..l })
        })
        .collect();
    findings_of(&f)
}

fn findings_of(f: &Fixture) -> Vec<Finding> {
    findings_judged(f, None)
}

/// The findings on a captured dossier, typed and placed as captured;
/// `contents`: the contents reconciliation's disagreements, if judged.
fn findings_judged(f: &Fixture, contents: Option<&[anjuan_checks::ContentsIssue]>) -> Vec<Finding> {
    let pages: Vec<Page> = f
        .pages
        .iter()
        .map(|p| p.as_page(&p.doc_type, p.document.unwrap_or(0), p.printed_page_number))
        .collect();
    let input = CheckInput {
        case_kind: f.case_kind,
        pages,
        documents: &f.documents,
        rubric: Rubric::builtin(f.case_kind),
    };
    anjuan_checks::run_with_contents(&input, contents).findings
}

fn has(findings: &[Finding], item: &str) -> bool {
    findings.iter().any(|f| f.item == item)
}

fn items(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| format!("{} {}", f.item, f.reason))
        .collect()
}

/// Dossiers whose truth holds no defect at all.
const CLEAN: &[&str] = &["d4242-003", "d5151-005"];

#[test]
fn clean_dossiers_have_no_findings() {
    for id in CLEAN {
        let f = findings(id);
        assert!(f.is_empty(), "{id}: {:?}", items(&f));
    }
}

#[test]
fn every_finding_has_evidence_reason_and_a_meaningful_confidence() {
    for id in ["d4242-009", "d5151-004", "d5151-000"] {
        for f in findings(id) {
            assert!(!f.reason.is_empty());
            assert!(f.confidence > 0.3 && f.confidence <= 1.0, "{id}: {f:?}");
            assert!(!f.evidence.is_empty(), "{id}: {f:?}");
            match f.kind {
                FindingKind::Basic => assert!(f.points.is_none()),
                FindingKind::Deduction => assert!(f.points.is_some_and(|p| p > 0.0)),
            }
        }
    }
}

#[test]
fn unsigned_signature_places() {
    // d4242-009: page 8 of the interview record unsigned by the interviewee.
    let f = findings("d4242-009");
    let p = f
        .iter()
        .find(|f| f.item == "P-2.2.7")
        .expect("unsigned page");
    assert_eq!(p.evidence[0].page, Some(8));
    assert!(p.evidence[0].bbox.is_some());
    // d5151-004: the recipient did not sign the service receipt.
    assert!(has(&findings("d5151-004"), "P-4.1.4"));
    // Signed ones pass.
    for id in CLEAN {
        let f = findings(id);
        for item in ["P-2.1.3", "P-2.2.7", "P-4.1.4", "C-1.4.2", "C-1.5.3"] {
            assert!(!has(&f, item), "{id}: {item}");
        }
    }
}

#[test]
fn undated_documents() {
    let f = findings("d4242-009");
    assert!(has(&f, "P-3.2.5"), "notice undated");
    assert!(has(&f, "P-3.7.5"), "decision undated");
    // 3年月: a seal's edge read as a digit in the blank date.
    assert!(has(&findings("d5151-003"), "P-3.2.5"));
}

#[test]
fn fixed_statements() {
    assert!(has(&findings("d5151-004"), "P-3.2.4"), "no right to defend");
    assert!(
        has(&findings("d5151-002"), "P-3.3.3"),
        "hearing period 三日"
    );
    assert!(
        has(&findings("d5151-009"), "P-3.7.4"),
        "wrong remedy periods"
    );
    assert!(has(&findings("d5151-007"), "P-3.7.4"), "litigation omitted");
    let c = findings("d5151-000");
    assert!(has(&c, "C-1.2.3"), "measure duration");
    assert!(has(&c, "C-1.4.1"), "rights not told");
}

#[test]
fn page_numbers_gaps_and_repeats() {
    let f = findings("d4242-000");
    let p = f.iter().find(|f| f.item == "P-6.1.3").expect("repeat");
    assert!(p.reason.contains("重号"), "{}", p.reason);
    let f = findings("d4242-002");
    let p = f.iter().find(|f| f.item == "P-6.1.3").expect("gap");
    assert!(p.reason.contains("不连续"), "{}", p.reason);
    assert!(has(&findings("d5151-000"), "C-3.1.3"));
    // d4242-009 reads 13 as 3 and 16 as 6: misreads, not a defect.
    assert!(!has(&findings("d4242-009"), "P-6.1.3"));
}

#[test]
fn citations_abbreviated() {
    assert!(
        has(&findings("d5151-007"), "P-1.1.5"),
        "《土地管理法》 on the filing form"
    );
    assert!(
        has(&findings("d5151-009"), "P-3.7.3"),
        "《烟花条例》 in the decision"
    );
}

#[test]
fn required_documents_and_basic_standards() {
    let f = findings("d4242-008");
    for item in ["P-3.6.1", "P-3.6.2", "P-3.6.3", "P-3.6.4"] {
        assert!(has(&f, item), "{item}");
    }
    let basic = f.iter().find(|f| f.item == "P-B4-5").expect("basic");
    assert_eq!(basic.kind, FindingKind::Basic);
    assert!(has(&findings("d5151-004"), "P-6.1.2"), "no contents");
    assert!(has(&findings("d5151-001"), "C-3.1.2"), "no reference sheet");
}

#[test]
fn approval_boxes_record_times_officers_party_order() {
    assert!(
        has(&findings("d5151-003"), "P-1.1.7"),
        "filing: no head approval"
    );
    assert!(
        has(&findings("d5151-002"), "P-2.2.1"),
        "interview time blank"
    );
    assert!(
        has(&findings("d4242-008"), "P-2.2.5"),
        "no certificate numbers"
    );
    assert!(has(&findings("d5151-007"), "P-3.7.1"), "party particulars");
    assert!(
        has(&findings("d5151-010"), "P-6.1.7"),
        "documents out of order"
    );
}

#[test]
fn copies_without_the_marking() {
    // d5151-005 page 9: an ID card copy marked 此复印件与原件核对无异.
    let unmarked = findings_edited("d5151-005", 9, |t| {
        (!t.contains("核对无异")).then(|| t.to_string())
    });
    let f = unmarked
        .iter()
        .find(|f| f.item == "P-6.1.5")
        .expect("copy unmarked");
    assert_eq!(f.evidence[0].page, Some(9));
    assert!(f.reason.contains("身份证复印件"), "{}", f.reason);
    // Marked copies pass everywhere (every fixture holds one).
    for id in [
        "d4242-000",
        "d4242-002",
        "d5151-002",
        "d5151-010",
        "d5151-000",
    ] {
        assert!(
            !has(&findings(id), "P-6.1.5") && !has(&findings(id), "C-3.1.5"),
            "{id}"
        );
    }
}

#[test]
fn one_interviewee_per_record() {
    // d5151-005 page 7: the head of the record names 任燕 alone.
    let two = findings_edited("d5151-005", 7, |t| {
        Some(t.replacen("被询问人：任燕", "被询问人：任燕、杨瑞", 1))
    });
    let f = two
        .iter()
        .find(|f| f.item == "P-2.2.2")
        .expect("two interviewees");
    assert!(f.reason.contains("任燕、杨瑞"), "{}", f.reason);
    assert_eq!(f.evidence[0].page, Some(7));
    // Files with several records, one interviewee each, pass.
    for id in ["d4242-002", "d5151-004", "d5151-010"] {
        assert!(!has(&findings(id), "P-2.2.2"), "{id}");
    }
}

#[test]
fn correction_orders_without_a_deadline() {
    // d7321-005: 本局责令你（单位）改正上述违法行为 — no date, no period.
    let f = findings("d7321-005");
    let p = f.iter().find(|f| f.item == "P-3.1.4").expect("no deadline");
    assert!(p.reason.contains("改正期限"), "{}", p.reason);
    // The title 责令（限期）改正通知书 is no deadline; 于…前 is.
    for id in ["d4242-000", "d4242-002", "d5151-005", "d5151-010"] {
        assert!(!has(&findings(id), "P-3.1.4"), "{id}");
    }
}

/// The checks on a captured dossier classified afresh (without the pages of
/// document `drop`, 1-based as captured), its contents page reconciled by
/// anjuan-classify.
fn findings_reclassified(id: &str, drop: Option<u32>) -> Vec<Finding> {
    let f = fixture(id);
    let kept: Vec<&FPage> = f.pages.iter().filter(|p| p.document != drop).collect();
    let lines: Vec<Vec<anjuan_ocr::OcrLine>> = kept
        .iter()
        .map(|p| {
            p.page
                .lines
                .iter()
                .map(|l| anjuan_ocr::OcrLine::unsplit(&l.norm, l.bbox, l.confidence))
                .collect()
        })
        .collect();
    let inputs: Vec<anjuan_classify::PageInput> = kept
        .iter()
        .zip(&lines)
        .map(|(p, l)| anjuan_classify::PageInput {
            lines: l,
            width: p.page.width,
            height: p.page.height,
        })
        .collect();
    let class = anjuan_classify::classify_dossier(&inputs);
    let pages: Vec<Page> = kept
        .iter()
        .zip(&class.pages)
        .map(|(p, c)| p.as_page(&c.doc_type, c.document, c.printed_page_number))
        .collect();
    let input = CheckInput {
        case_kind: class.case_kind,
        pages,
        documents: &class.documents,
        rubric: Rubric::builtin(class.case_kind),
    };
    let issues = class
        .contents
        .as_ref()
        .map(anjuan_checks::contents_issues)
        .unwrap_or_default();
    let result = anjuan_checks::run_with_contents(&input, Some(&issues));
    assert!(result.implemented.contains(&"contents_reconcile"));
    result.findings
}

/// The findings on a captured dossier whose documents of type `from` were
/// taken for `to` (with `title`): a classifier that did not know them.
fn findings_retyped(id: &str, from: &str, to: &str, title: &str) -> Vec<Finding> {
    let mut f = fixture(id);
    let mut hit = false;
    for d in f.documents.iter_mut().filter(|d| d.doc_type == from) {
        d.doc_type = to.to_string();
        d.title = Some(title.to_string());
        hit = true;
    }
    for p in f.pages.iter_mut().filter(|p| p.doc_type == from) {
        p.doc_type = to.to_string();
    }
    assert!(hit, "{id} has no {from}");
    findings_of(&f)
}

#[test]
fn an_absence_is_suggested_only_with_positive_evidence() {
    // d4242-008 lacks its hearing documents, every document placed: the
    // basic standard is suggested.
    let f = findings("d4242-008");
    let basic = f.iter().find(|f| f.item == "P-B4-5").expect("basic");
    assert_eq!(basic.status, FindingStatus::Suggested, "{basic:?}");

    // A clean file whose legal-review form goes by a county's own title the
    // classifier could not place: its absence (a basic standard) needs
    // review, pointing at the unplaced document, and zeroes nothing.
    let f = findings_retyped("d5151-005", "legal_review_opinion", "other", "案件审核表");
    let legal: Vec<&Finding> = f.iter().filter(|x| x.reason.contains("法制审核")).collect();
    assert!(!legal.is_empty(), "{:?}", items(&f));
    for x in &legal {
        assert_eq!(x.status, FindingStatus::NeedsReview, "{x:?}");
        assert!(x.reason.contains("未能识别类型"), "{}", x.reason);
        assert!(x.reason.contains("案件审核表"), "{}", x.reason);
    }
    assert!(
        !f.iter()
            .any(|x| x.kind == FindingKind::Basic && x.status == FindingStatus::Suggested),
        "{:?}",
        items(&f)
    );

    // Taken for a near-neighbour type instead: the page still reads as the
    // legal-review form in its title zone, so the absence needs review and
    // the evidence names that page.
    let f = findings_retyped(
        "d5151-005",
        "legal_review_opinion",
        "investigation_report",
        "法制审核意见书",
    );
    let legal: Vec<&Finding> = f
        .iter()
        .filter(|x| x.reason.contains("卷内未见法制审核"))
        .collect();
    assert!(!legal.is_empty(), "{:?}", items(&f));
    for x in &legal {
        assert_eq!(x.status, FindingStatus::NeedsReview, "{x:?}");
        assert!(x.reason.contains("标题近似该文书"), "{}", x.reason);
        assert!(x.evidence.iter().any(|e| e.page.is_some()), "{x:?}");
    }
}

#[test]
fn officers_and_names_written_another_way() {
    // d5151-005 is clean; its first interview (page 7) names two officers
    // with 执法证号 and one interviewee.
    assert!(findings("d5151-005").is_empty());
    // Another county's label for the certificate: still two officers.
    let f = findings_edited("d5151-005", 7, |t| {
        Some(t.replace("执法证号", "执法证件号码"))
    });
    assert!(
        !f.iter().any(|x| x.item == "P-B4-2" || x.item == "P-2.2.5"),
        "{:?}",
        items(&f)
    );
    // One officer, the interviewee's identity card number beside: one
    // certificate, not two (身份证号码 is no officer's).
    let f = findings_edited("d5151-005", 7, |t| {
        Some(if t.starts_with("询问人：") {
            "询问人：梁芳（执法证号：14103339392）".to_string()
        } else if t.starts_with("14103341908") {
            return None;
        } else {
            t.to_string()
        })
    });
    assert!(has(&f, "P-2.2.5") && has(&f, "P-B4-2"), "{:?}", items(&f));
    // Two interviewees whose enumeration comma OCR read as a look-alike
    // (丶): the normalisation step keeps them two.
    let two = |sep: &str| {
        findings_edited("d5151-005", 7, |t| {
            Some(if t.starts_with("被询问人：任燕") {
                t.replacen("任燕", &format!("任燕{sep}王芳"), 1)
            } else {
                t.to_string()
            })
        })
    };
    for sep in ["、", "丶", "､"] {
        let f = two(sep);
        assert!(
            f.iter()
                .any(|x| x.item == "P-2.2.2" && x.reason.contains("王芳")),
            "{sep}: {:?}",
            items(&f)
        );
    }
}

/// The findings on a captured dossier judged with `issues` as the contents
/// reconciliation found them.
fn findings_with_contents(f: &Fixture, issues: &[anjuan_checks::ContentsIssue]) -> Vec<Finding> {
    findings_judged(f, Some(issues))
}

#[test]
fn a_document_the_contents_page_names_is_not_unlisted() {
    use anjuan_checks::ContentsIssue;
    // d5151-005's contents page lists the correction order (document 9);
    // its row taken as unread (a page cell misread), the reconciliation
    // reports it unlisted: the page still names it, so nothing is claimed.
    let unlisted = [ContentsIssue::PresentButUnlisted { document: 9 }];
    let f = fixture("d5151-005");
    let found = findings_with_contents(&f, &unlisted);
    assert!(!has(&found, "P-6.1.2"), "{:?}", items(&found));
    // Without that row on the contents page, it is unlisted.
    let mut f = fixture("d5151-005");
    f.pages[1]
        .page
        .lines
        .retain(|l| !l.text.contains("改正通知书"));
    let found = findings_with_contents(&f, &unlisted);
    assert!(has(&found, "P-6.1.2"), "{:?}", items(&found));
    // A row the split matched to nothing may be it under another name.
    let with_unmatched = [
        unlisted[0].clone(),
        ContentsIssue::ListedButAbsent {
            title: "整改通知单".into(),
            page: 2,
            bbox: None,
        },
    ];
    let found = findings_with_contents(&f, &with_unmatched);
    assert!(
        !found.iter().any(|x| x.reason.contains("未列入卷内目录")),
        "{:?}",
        items(&found)
    );
    // The contents page's own title (卷内文件目录) read as a row lists no
    // absent document; another title does.
    let f = fixture("d5151-005");
    let listed = |title: &str| {
        findings_with_contents(
            &f,
            &[ContentsIssue::ListedButAbsent {
                title: title.into(),
                page: 2,
                bbox: None,
            }],
        )
    };
    assert!(!has(&listed("卷内文件目录"), "P-6.1.2"));
    assert!(has(&listed("整改通知单"), "P-6.1.2"));
}

#[test]
fn contents_against_the_documents_found() {
    // d5151-005 without its correction order (page 11), which the contents
    // page still lists.
    let f = findings_reclassified("d5151-005", Some(9));
    let c = f
        .iter()
        .find(|f| f.item == "P-6.1.2")
        .unwrap_or_else(|| panic!("listed but absent: {:?}", items(&f)));
    assert!(c.reason.contains("改正通知书"), "{}", c.reason);
    assert_eq!(c.evidence[0].page, Some(2), "the contents row");
    // Contents and documents agree: nothing, also where the numbering has a
    // repeat or a gap (d4242-000, d4242-002) that shifts the listed pages.
    for id in [
        "d5151-005",
        "d5151-010",
        "d4242-000",
        "d4242-002",
        "d5151-002",
    ] {
        let f = findings_reclassified(id, None);
        // (d5151-010 lacks its reference sheet: that finding stays.)
        let reconciled = f.iter().any(|f| {
            ["P-6.1.2", "C-3.1.2"].contains(&f.item.as_str())
                && ["目录列有", "未列入卷内目录", "目录所列"]
                    .iter()
                    .any(|w| f.reason.contains(w))
        });
        assert!(!reconciled, "{id}: {:?}", items(&f));
    }
    // Not reconciled: left to people, not judged.
    assert!(!anjuan_checks::run(&CheckInput {
        case_kind: CaseKind::Penalty,
        pages: Vec::new(),
        documents: &[],
        rubric: Rubric::builtin(CaseKind::Penalty),
    })
    .implemented
    .contains(&"contents_reconcile"));
}
