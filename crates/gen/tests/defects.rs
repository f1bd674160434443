//! Every defect kind, forced into a case where it is possible: the truth
//! records it with its rubric items and pages, and the documents really show
//! it (and do not show it when the same case is made without the defect).

use anjuan_core::truth::DefectKind;
use anjuan_core::CaseKind;
use anjuan_gen::case::is_workday;
use anjuan_gen::defects::{Defect, DefectDef, TABLE};
use anjuan_gen::docs::BLANK_DATE;
use anjuan_gen::dossier::{self, KindChoice, Plan, Spec};
use anjuan_gen::{data, family, score, Profile};
use anjuan_paper::model::{Block, DocSpec, Ink, TextLine};
use anjuan_paper::Renderer;
use chrono::NaiveDate;
use std::sync::OnceLock;

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new().expect("fonts installed"))
}

fn spec(kind: KindChoice, index: u64, forced: Vec<Defect>) -> Spec {
    Spec {
        seed: 7,
        index,
        kind,
        profile: Profile::Full,
        dpi: None,
        forced: Some(forced),
    }
}

/// The first index whose case makes `d` possible.
fn spec_for(d: Defect) -> Spec {
    let def = DefectDef::get(d);
    let kinds: &[KindChoice] = match def.kind {
        Some(CaseKind::Penalty) => &[KindChoice::Penalty],
        Some(_) => &[KindChoice::Coercion],
        None => &[KindChoice::Penalty, KindChoice::Coercion],
    };
    for &k in kinds {
        for index in 0..400 {
            let s = spec(k, index, vec![d]);
            let case = dossier::case_for(&s, &mut s.rng());
            if def.possible(&case) {
                return s;
            }
        }
    }
    panic!("no case makes {d:?} possible");
}

fn lines(doc: &DocSpec) -> Vec<&TextLine> {
    let mut out = Vec::new();
    for b in &doc.blocks {
        match b {
            Block::Line(l) => out.push(l),
            Block::Photo { caption, .. } => out.push(caption),
            Block::Table(t) => {
                for r in &t.rows {
                    for c in &r.cells {
                        out.extend(c.lines.iter());
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(f) = &doc.footer {
        out.extend(f.lines.iter());
    }
    out
}

/// All text of a document (both inks), footer included.
fn text(doc: &DocSpec) -> String {
    let mut s = String::new();
    for b in &doc.blocks {
        match b {
            Block::Agency(t) | Block::Title(t) => s.push_str(t),
            Block::Paragraph { runs, .. } => runs.iter().for_each(|r| s.push_str(&r.text)),
            _ => {}
        }
        s.push('\n');
    }
    for l in lines(doc) {
        l.runs.iter().for_each(|r| s.push_str(&r.text));
        s.push('\n');
    }
    s
}

fn hand(doc: &DocSpec) -> String {
    let mut s = String::new();
    for l in lines(doc) {
        l.runs
            .iter()
            .filter(|r| r.ink == Ink::Handwritten)
            .for_each(|r| s.push_str(&r.text));
    }
    s
}

/// Whether the line labelled `label` carries a handwritten signature.
fn signed(doc: &DocSpec, label: &str) -> bool {
    lines(doc).iter().any(|l| {
        l.runs
            .iter()
            .position(|r| r.text.starts_with(label))
            .is_some_and(|i| {
                l.runs
                    .get(i + 1)
                    .is_some_and(|r| r.ink == Ink::Handwritten && !r.text.trim().is_empty())
            })
    })
}

fn sealed(doc: &DocSpec) -> bool {
    lines(doc).iter().any(|l| l.marks.seal.is_some())
}

fn doc<'a>(p: &'a Plan, code: &str) -> Option<&'a DocSpec> {
    p.docs.iter().map(|b| &b.spec).find(|d| d.doc_type == code)
}

fn must<'a>(p: &'a Plan, code: &str) -> &'a DocSpec {
    doc(p, code).unwrap_or_else(|| panic!("{}: no {code}", p.id))
}

fn date(d: &DocSpec) -> NaiveDate {
    NaiveDate::parse_from_str(d.date.as_deref().expect("dated"), "%Y-%m-%d").expect("ISO date")
}

/// The seized-items list, or the decision it is bound in (some families).
fn items_list(p: &Plan) -> &DocSpec {
    doc(p, "seized_items_list").unwrap_or_else(|| must(p, "coercive_measure_decision"))
}

fn position(p: &Plan, code: &str) -> Option<usize> {
    p.docs.iter().position(|b| b.spec.doc_type == code)
}

/// Whether the plan's documents show `d`.
fn shows(d: Defect, p: &Plan) -> bool {
    use Defect as D;
    let c = &p.case;
    let w = data::world();
    match d {
        D::FilingAbbrevLaw => text(must(p, "case_filing_approval")).contains("《行政处罚法》"),
        D::FilingNoApproval => !text(must(p, "case_filing_approval")).contains(&c.agency_head),
        D::SiteRecordUnsigned => !signed(
            must(p, "site_inspection_record"),
            "当事人（现场负责人）签名",
        ),
        D::PhotoCaptionIncomplete => !text(must(p, "evidence_photos")).contains("拍摄人"),
        D::InterviewUnsignedPage => must(p, "interview_record")
            .footer
            .as_ref()
            .is_some_and(|f| !f.unsigned_pages.is_empty()),
        D::InterviewNoRecusal => !text(must(p, "interview_record")).contains("回避"),
        D::InterviewNoTime => !text(must(p, "interview_record"))
            .contains(&format!("{}：20", p.words.label("interview_time"))),
        D::InterviewOneOfficer => !text(must(p, "interview_record")).contains(&c.officers[1].name),
        D::InterviewNoCert => !text(must(p, "interview_record")).contains(p.words.label("cert")),
        D::PreservationLate => {
            date(must(p, "evidence_preservation_decision"))
                - date(must(p, "evidence_preservation_notice"))
                > chrono::Duration::days(7)
        }
        D::PreservationNoApproval => {
            !text(must(p, "evidence_preservation_notice")).contains(&c.agency_head)
        }
        D::CorrectionNoDeadline => !text(must(p, "correction_order")).contains("前改正"),
        D::NoticeNoDefenceRight => {
            !text(must(p, "penalty_notice")).contains(&p.words.say("defence_right", &[]))
        }
        D::NoticeNoSeal => !sealed(must(p, "penalty_notice")),
        D::NoticeNoDate => text(must(p, "penalty_notice")).contains(BLANK_DATE),
        D::DecisionNoDate => text(must(p, "penalty_decision")).contains(BLANK_DATE),
        D::InterviewNoFingerprint => {
            let f = must(p, "interview_record").footer.as_ref().unwrap();
            f.lines.iter().all(|l| !l.marks.fingerprint) && f.unsigned_pages.is_empty()
        }
        D::RightsNoticeWrongPeriod => {
            text(must(p, "hearing_rights_notice")).contains("三日内向本局")
        }
        D::HearingNoticeNoSeal => !sealed(must(p, "hearing_notice")),
        D::HearingRecordUnsigned => must(p, "hearing_record")
            .footer
            .as_ref()
            .is_some_and(|f| !f.unsigned_pages.is_empty()),
        D::ApprovalNoHeadSign => {
            !text(must(p, "penalty_decision_approval")).contains(&c.agency_head)
        }
        D::DecisionWrongRemedy => text(must(p, "penalty_decision")).contains("三十日内"),
        D::DecisionOmitsLitigation => !text(must(p, "penalty_decision")).contains("行政诉讼"),
        D::DecisionNoSeal => !sealed(must(p, "penalty_decision")),
        D::DecisionAbbrevLaw => {
            text(must(p, "penalty_decision")).contains(&w.law(&c.scenario.basis[0].0).short)
        }
        D::DecisionNoArticle => text(must(p, "penalty_decision")).contains(&format!(
            "{}的规定，本局决定",
            w.law(&c.scenario.basis.last().unwrap().0).title
        )),
        D::DecisionPartyIncomplete => {
            let t = text(must(p, "penalty_decision"));
            !t.contains("统一社会信用代码：") && !t.contains("身份证号码")
        }
        D::DecisionBeforeNotice => {
            date(must(p, "penalty_decision")) < date(must(p, "penalty_notice"))
        }
        D::ServiceReceiptMissing | D::CoercionServiceReceiptMissing => {
            doc(p, "service_receipt").is_none()
        }
        D::ServiceReceiptUnsigned => p
            .docs
            .iter()
            .filter(|b| b.spec.doc_type == "service_receipt")
            .any(|b| !hand(&b.spec).contains(&c.party.signer)),
        D::ClosingNoHeadSign => !text(must(p, "closing_report")).contains(&c.agency_head),
        D::LegalReviewMissing => doc(p, "legal_review_opinion").is_none(),
        D::NoticeMissing => doc(p, "penalty_notice").is_none(),
        D::ApprovalMissing => doc(p, "penalty_decision_approval").is_none(),
        D::PageNumberGap => p
            .numbers
            .windows(2)
            .any(|w| matches!(w, [Some(a), Some(b)] if *b > a + 1)),
        D::PageNumberRepeat => p
            .numbers
            .windows(2)
            .any(|w| matches!(w, [Some(a), Some(b)] if a == b)),
        D::PageNumberMissing => p.numbers.iter().any(Option::is_none),
        D::ContentsMissing => doc(p, "contents").is_none(),
        D::ReferenceSheetMissing => doc(p, "reference_sheet").is_none(),
        D::OutOfOrder => [
            ("penalty_decision_approval", "penalty_decision"),
            ("coercive_measure_approval", "coercive_measure_decision"),
            ("performance_demand", "enforcement_decision"),
            ("performance_demand", "substitute_performance_decision"),
        ]
        .iter()
        .any(|(a, b)| matches!((position(p, a), position(p, b)), (Some(x), Some(y)) if x > y)),
        D::MeasureApprovalNoHead => {
            !text(must(p, "coercive_measure_approval")).contains(&c.agency_head)
        }
        D::MeasureDecisionNoSeal => !sealed(must(p, "coercive_measure_decision")),
        D::MeasureDecisionWrongRemedy => {
            text(must(p, "coercive_measure_decision")).contains("三十日内")
        }
        D::MeasureDecisionNoDuration => {
            !text(must(p, "coercive_measure_decision")).contains("期限为")
        }
        D::MeasureRecordUnsigned => !signed(must(p, "coercive_measure_record"), "当事人签名"),
        D::MeasureRecordNoRights => {
            !text(must(p, "coercive_measure_record")).contains("申请行政复议")
        }
        D::ItemsListNoNumber => !text(items_list(p)).contains(&c.number("强措")),
        D::ItemsListUnsigned => !signed(items_list(p), "当事人签名"),
        D::MeasureOverdue => {
            date(must(p, "coercive_measure_release")) - c.cd().measure.date()
                > chrono::Duration::days(30)
        }
        D::DemandNoDeadline => !text(must(p, "performance_demand")).contains("前自行拆除"),
        D::DemandNoConsequence => !text(must(p, "performance_demand")).contains("逾期仍不履行"),
        D::EnforcementDecisionNoSeal => !sealed(must(p, "enforcement_decision")),
        D::EnforcementDecisionWrongRemedy => {
            text(must(p, "enforcement_decision")).contains("三十日内")
        }
        D::ExecutionAtNight => text(must(p, "enforcement_record")).contains("21时30分"),
        D::ExecutionOnHoliday => !is_workday(date(must(p, "enforcement_record"))),
        D::EnforcementBeforeDeadline => {
            date(must(p, "enforcement_decision")) <= c.cd().demand_deadline
        }
        D::EnforcementRecordNoTime => !text(must(p, "enforcement_record")).contains("执行时间：20"),
        D::EnforcementRecordUnsigned => !signed(must(p, "enforcement_record"), "被执行人签名"),
        D::SubstituteNoCost => {
            !text(must(p, "substitute_performance_decision")).contains("费用预算")
        }
        D::SubstituteNoSeal => !sealed(must(p, "substitute_performance_decision")),
        D::MeasureDecisionMissing => doc(p, "coercive_measure_decision").is_none(),
    }
}

#[test]
fn every_defect_is_injected_shown_and_recorded() {
    every_defect_in(family::DEFAULT);
}

/// Each template family words its documents its own way; a defect still
/// shows in that wording (a statement left out is the family's statement).
#[test]
fn every_defect_is_injected_in_every_family() {
    for f in family::all().iter().filter(|f| !f.is_default()) {
        every_defect_in(&f.key);
    }
}

fn every_defect_in(fam: &str) {
    let r = renderer();
    for def in TABLE {
        let d = def.defect;
        let with = spec_for(d);
        let without = Spec {
            forced: Some(vec![]),
            ..with.clone()
        };
        let p = dossier::plan_in(&with, fam, r);
        let clean = dossier::plan_in(&without, fam, r);
        assert_eq!(p.family, fam);
        assert!(shows(d, &p), "{fam}: {d:?}: not visible in {}", p.id);
        assert!(
            !shows(d, &clean),
            "{fam}: {d:?}: visible without the defect in {}",
            clean.id
        );

        let ranges = p.ranges();
        let truth = dossier::defect_truth(&p, &ranges);
        let kind = p.case.kind;
        let expect_items: Vec<&str> = def.items_for(kind).iter().map(|(i, _)| *i).collect();
        let got_items: Vec<&str> = truth.iter().map(|t| t.item.as_str()).collect();
        assert_eq!(got_items, expect_items, "{d:?}");
        for t in &truth {
            assert_eq!(t.defect, def.key);
            assert_eq!(t.kind == DefectKind::Basic, t.points.is_none());
            score::validate(kind, &t.item, t.points).unwrap_or_else(|e| panic!("{d:?}: {e}"));
            if def.removes_doc {
                assert!(t.pages.is_empty(), "{d:?}: an absence shows on no page");
            } else {
                assert!(!t.pages.is_empty(), "{d:?}: no pages recorded");
            }
            // Pages of a defect on a document lie within a document of that type.
            if !def.doc.is_empty() && !def.removes_doc {
                for &pg in &t.pages {
                    let di = ranges
                        .iter()
                        .position(|r| r[0] <= pg && pg <= r[1])
                        .unwrap();
                    let code = &p.docs[di].spec.doc_type;
                    let related = code == def.doc
                        || matches!(
                            d,
                            Defect::DecisionBeforeNotice | Defect::EnforcementBeforeDeadline
                        );
                    assert!(related, "{d:?}: page {pg} is on {code}");
                }
            }
        }
        // The clean twin records nothing.
        assert!(dossier::defect_truth(&clean, &clean.ranges()).is_empty());
    }
}

#[test]
fn an_unsigned_interview_page_really_lacks_the_signature_on_the_scan() {
    let r = renderer();
    let s = spec_for(Defect::InterviewUnsignedPage);
    let p = dossier::plan(&s, r);
    let di = p
        .docs
        .iter()
        .position(|b| b.spec.doc_type == "interview_record")
        .unwrap();
    let doc = &p.docs[di].spec;
    let f = doc.footer.as_ref().unwrap();
    let bad = f.unsigned_pages[0];
    let signer = &p.case.party.signer;
    let signed_text = |page: usize| {
        let scan = anjuan_paper::model::ScanParams {
            dpi: 100,
            grayscale: true,
            rotation: 0,
            skew_deg: 0.0,
            degradation: 0.0,
            seed: 1,
        };
        let rp = r.draw(&p.layouts[di][page], doc, None, &scan);
        rp.lines
            .iter()
            .filter(|l| l.handwritten && l.text.contains(signer.as_str()))
            .count()
    };
    assert_eq!(
        signed_text(bad),
        0,
        "page {bad} still shows the interviewee's signature"
    );
    let good = if bad == 0 { 1 } else { 0 };
    if p.layouts[di].len() > 1 {
        assert!(signed_text(good) > 0, "page {good} lacks the signature too");
    }
}

#[test]
fn drawn_defects_respect_conflicts_and_one_basic_breach() {
    for index in 0..300 {
        let s = Spec {
            seed: 3,
            index,
            kind: KindChoice::Mixed,
            profile: Profile::Full,
            dpi: None,
            forced: None,
        };
        let mut rng = s.rng();
        let case = dossier::case_for(&s, &mut rng);
        let d = anjuan_gen::defects::Defects::draw(&mut rng, &case, 4);
        let defs: Vec<&DefectDef> = d.0.iter().map(|x| DefectDef::get(*x)).collect();
        assert!(defs.iter().filter(|x| x.basic(case.kind)).count() <= 1);
        for (i, a) in defs.iter().enumerate() {
            assert!(a.possible(&case));
            for b in &defs[i + 1..] {
                assert!(
                    !a.conflicts(b, case.kind),
                    "{:?} with {:?}",
                    a.defect,
                    b.defect
                );
            }
        }
    }
}
