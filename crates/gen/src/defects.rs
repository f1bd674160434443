//! The defects the generator can inject, each mapped to the rubric items it
//! breaches (`shared/rubric.md`). The table is data; the document builders
//! ask `Defects::has` where a defect changes what they put on paper.

use crate::case::Case;
use anjuan_core::CaseKind;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Defect {
    // penalty
    FilingAbbrevLaw,
    FilingNoApproval,
    SiteRecordUnsigned,
    PhotoCaptionIncomplete,
    InterviewUnsignedPage,
    InterviewNoRecusal,
    InterviewNoTime,
    InterviewOneOfficer,
    InterviewNoCert,
    InterviewNoFingerprint,
    PreservationLate,
    PreservationNoApproval,
    CorrectionNoDeadline,
    NoticeNoDefenceRight,
    NoticeNoSeal,
    NoticeNoDate,
    RightsNoticeWrongPeriod,
    HearingNoticeNoSeal,
    HearingRecordUnsigned,
    ApprovalNoHeadSign,
    DecisionWrongRemedy,
    DecisionOmitsLitigation,
    DecisionNoSeal,
    DecisionNoDate,
    DecisionAbbrevLaw,
    DecisionNoArticle,
    DecisionPartyIncomplete,
    DecisionBeforeNotice,
    ServiceReceiptMissing,
    ServiceReceiptUnsigned,
    ClosingNoHeadSign,
    LegalReviewMissing,
    NoticeMissing,
    ApprovalMissing,
    // both kinds
    PageNumberGap,
    PageNumberRepeat,
    PageNumberMissing,
    ContentsMissing,
    ReferenceSheetMissing,
    OutOfOrder,
    // coercion
    MeasureApprovalNoHead,
    MeasureDecisionNoSeal,
    MeasureDecisionWrongRemedy,
    MeasureDecisionNoDuration,
    MeasureRecordUnsigned,
    MeasureRecordNoRights,
    ItemsListNoNumber,
    ItemsListUnsigned,
    MeasureOverdue,
    DemandNoDeadline,
    DemandNoConsequence,
    EnforcementDecisionNoSeal,
    EnforcementDecisionWrongRemedy,
    ExecutionAtNight,
    ExecutionOnHoliday,
    EnforcementBeforeDeadline,
    EnforcementRecordNoTime,
    EnforcementRecordUnsigned,
    SubstituteNoCost,
    SubstituteNoSeal,
    CoercionServiceReceiptMissing,
    MeasureDecisionMissing,
}

/// What a case must have for a defect to be possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    Preservation,
    HearingQualified,
    HearingRequested,
    Fine,
    Measure,
    Release,
    Execution,
    /// An execution by the agency itself (强制执行决定书).
    OwnExecution,
    Substitute,
}

/// One row of the defect table.
#[derive(Debug, Clone, Copy)]
pub struct DefectDef {
    pub defect: Defect,
    /// Machine name written in the truth.
    pub key: &'static str,
    /// `Some(kind)`: only files of that kind; `None`: both kinds.
    pub kind: Option<CaseKind>,
    /// Items of a penalty file (or of the only kind): `(item, Some(points))`
    /// for a deduction, `(item, None)` for a basic-standard breach.
    pub items: &'static [(&'static str, Option<f64>)],
    /// The same for coercion files, where `kind` is `None`.
    pub coercion_items: &'static [(&'static str, Option<f64>)],
    /// The document type that shows it ("" = the file as a whole).
    pub doc: &'static str,
    /// The document is left out of the file altogether.
    pub removes_doc: bool,
    pub needs: Needs,
    pub description: &'static str,
}

use Defect as D;
use Needs as N;

const fn def(
    defect: Defect,
    key: &'static str,
    kind: Option<CaseKind>,
    items: &'static [(&'static str, Option<f64>)],
    doc: &'static str,
    needs: Needs,
    description: &'static str,
) -> DefectDef {
    DefectDef {
        defect,
        key,
        kind,
        items,
        coercion_items: &[],
        doc,
        removes_doc: false,
        needs,
        description,
    }
}

const P: Option<CaseKind> = Some(CaseKind::Penalty);
const C: Option<CaseKind> = Some(CaseKind::Coercion);

pub const TABLE: &[DefectDef] = &[
    def(
        D::FilingAbbrevLaw,
        "filing_abbreviated_law",
        P,
        &[("P-1.1.5", Some(1.0))],
        "case_filing_approval",
        N::Nothing,
        "立案审批表立案依据引用法律名称使用简称",
    ),
    def(
        D::FilingNoApproval,
        "filing_no_head_approval",
        P,
        &[("P-1.1.7", Some(1.0))],
        "case_filing_approval",
        N::Nothing,
        "立案审批表缺少机关负责人审批意见、签名和日期",
    ),
    def(
        D::SiteRecordUnsigned,
        "site_record_unsigned",
        P,
        &[("P-2.1.3", Some(1.0))],
        "site_inspection_record",
        N::Nothing,
        "现场检查笔录无当事人签名，也未注明拒签原因",
    ),
    def(
        D::PhotoCaptionIncomplete,
        "photo_caption_incomplete",
        P,
        &[("P-2.1.2", Some(2.0))],
        "evidence_photos",
        N::Nothing,
        "证据照片未注明拍摄时间、地点和取证人",
    ),
    def(
        D::InterviewUnsignedPage,
        "interview_unsigned_page",
        P,
        &[("P-2.2.7", Some(1.0))],
        "interview_record",
        N::Nothing,
        "询问笔录有页面被询问人未签名、捺指印",
    ),
    def(
        D::InterviewNoRecusal,
        "interview_no_recusal",
        P,
        &[("P-2.2.6", Some(2.0))],
        "interview_record",
        N::Nothing,
        "询问笔录未告知被询问人申请回避的权利",
    ),
    def(
        D::InterviewNoTime,
        "interview_no_time",
        P,
        &[("P-2.2.1", Some(0.5))],
        "interview_record",
        N::Nothing,
        "询问笔录未记录询问起止时间",
    ),
    def(
        D::InterviewOneOfficer,
        "interview_one_officer",
        P,
        &[("P-B4-2", None), ("P-2.2.5", Some(0.5))],
        "interview_record",
        N::Nothing,
        "询问笔录仅有一名执法人员询问、签名",
    ),
    def(
        D::InterviewNoCert,
        "interview_no_certificate",
        P,
        &[("P-2.2.5", Some(0.5))],
        "interview_record",
        N::Nothing,
        "询问笔录未记载执法人员执法证号",
    ),
    def(
        D::InterviewNoFingerprint,
        "interview_no_fingerprint",
        P,
        &[("P-2.2.7", Some(1.0))],
        "interview_record",
        N::Nothing,
        "询问笔录被询问人签名处未捺指印",
    ),
    def(
        D::PreservationLate,
        "preservation_decision_late",
        P,
        &[("P-2.4.1", Some(1.0))],
        "evidence_preservation_decision",
        N::Preservation,
        "先行登记保存证据超过七日才作出处理决定",
    ),
    def(
        D::PreservationNoApproval,
        "preservation_no_head_approval",
        P,
        &[("P-2.3.2", Some(0.5))],
        "evidence_preservation_notice",
        N::Preservation,
        "先行登记保存证据通知书无机关负责人批准签字",
    ),
    def(
        D::CorrectionNoDeadline,
        "correction_no_deadline",
        P,
        &[("P-3.1.4", Some(1.0))],
        "correction_order",
        N::Nothing,
        "责令改正通知书未写明改正期限",
    ),
    def(
        D::NoticeNoDefenceRight,
        "notice_no_defence_right",
        P,
        &[("P-3.2.4", Some(1.0))],
        "penalty_notice",
        N::Nothing,
        "行政处罚告知书未告知当事人陈述、申辩的权利",
    ),
    def(
        D::NoticeNoSeal,
        "notice_no_seal",
        P,
        &[("P-3.2.5", Some(1.0))],
        "penalty_notice",
        N::Nothing,
        "行政处罚告知书未加盖行政机关印章",
    ),
    def(
        D::NoticeNoDate,
        "notice_no_date",
        P,
        &[("P-3.2.5", Some(1.0))],
        "penalty_notice",
        N::Nothing,
        "行政处罚告知书落款未填写日期",
    ),
    def(
        D::RightsNoticeWrongPeriod,
        "hearing_rights_wrong_period",
        P,
        &[("P-3.3.3", Some(0.5))],
        "hearing_rights_notice",
        N::HearingQualified,
        "听证告知书告知的申请听证期限错误（应为五日）",
    ),
    def(
        D::HearingNoticeNoSeal,
        "hearing_notice_no_seal",
        P,
        &[("P-3.4.3", Some(1.0))],
        "hearing_notice",
        N::HearingRequested,
        "听证通知书未加盖印章",
    ),
    def(
        D::HearingRecordUnsigned,
        "hearing_record_unsigned",
        P,
        &[("P-3.5.4", Some(1.0))],
        "hearing_record",
        N::HearingRequested,
        "听证笔录当事人未逐页签名、捺指印",
    ),
    def(
        D::ApprovalNoHeadSign,
        "approval_no_head_signature",
        P,
        &[("P-3.6.4", Some(1.0))],
        "penalty_decision_approval",
        N::Nothing,
        "行政处罚决定审批表缺少机关负责人审批签名和日期",
    ),
    def(
        D::DecisionWrongRemedy,
        "decision_wrong_remedy_period",
        P,
        &[("P-3.7.4", Some(1.0))],
        "penalty_decision",
        N::Nothing,
        "行政处罚决定书告知的复议、诉讼期限错误",
    ),
    def(
        D::DecisionOmitsLitigation,
        "decision_omits_litigation",
        P,
        &[("P-3.7.4", Some(1.0))],
        "penalty_decision",
        N::Nothing,
        "行政处罚决定书未告知提起行政诉讼的途径和期限",
    ),
    def(
        D::DecisionNoSeal,
        "decision_no_seal",
        P,
        &[("P-3.7.5", Some(1.0))],
        "penalty_decision",
        N::Nothing,
        "行政处罚决定书未加盖行政机关印章",
    ),
    def(
        D::DecisionNoDate,
        "decision_no_date",
        P,
        &[("P-3.7.5", Some(1.0))],
        "penalty_decision",
        N::Nothing,
        "行政处罚决定书落款未填写日期",
    ),
    def(
        D::DecisionAbbrevLaw,
        "decision_abbreviated_law",
        P,
        &[("P-3.7.3", Some(1.0))],
        "penalty_decision",
        N::Nothing,
        "行政处罚决定书引用法律名称使用简称",
    ),
    def(
        D::DecisionNoArticle,
        "decision_missing_article",
        P,
        &[("P-B3-2", None)],
        "penalty_decision",
        N::Nothing,
        "行政处罚决定书处罚依据未引用具体条款",
    ),
    def(
        D::DecisionPartyIncomplete,
        "decision_party_incomplete",
        P,
        &[("P-3.7.1", Some(1.0))],
        "penalty_decision",
        N::Nothing,
        "行政处罚决定书当事人基本情况缺项",
    ),
    def(
        D::DecisionBeforeNotice,
        "decision_before_notice",
        P,
        &[("P-B4-3", None)],
        "penalty_decision",
        N::Nothing,
        "行政处罚决定书日期早于行政处罚告知书，作出决定前未听取陈述申辩",
    ),
    DefectDef {
        removes_doc: true,
        ..def(
            D::ServiceReceiptMissing,
            "service_receipt_missing",
            P,
            &[
                ("P-4.1.1", Some(2.0)),
                ("P-4.1.2", Some(2.0)),
                ("P-4.1.3", Some(2.0)),
                ("P-4.1.4", Some(2.0)),
                ("P-B4-6", None),
            ],
            "service_receipt",
            N::Nothing,
            "案卷中无送达回证，无法证明文书已依法送达",
        )
    },
    def(
        D::ServiceReceiptUnsigned,
        "service_receipt_unsigned",
        P,
        &[("P-4.1.4", Some(2.0))],
        "service_receipt",
        N::Nothing,
        "送达回证无受送达人签名",
    ),
    def(
        D::ClosingNoHeadSign,
        "closing_no_head_signature",
        P,
        &[("P-5.1.4", Some(2.0))],
        "closing_report",
        N::Nothing,
        "结案报告缺少机关负责人同意结案的签名和日期",
    ),
    DefectDef {
        removes_doc: true,
        ..def(
            D::LegalReviewMissing,
            "legal_review_missing",
            P,
            &[("P-B5-1", None)],
            "legal_review_opinion",
            N::Nothing,
            "案卷中无法制审核意见，未经法制审核即作出决定",
        )
    },
    DefectDef {
        removes_doc: true,
        ..def(
            D::NoticeMissing,
            "penalty_notice_missing",
            P,
            &[
                ("P-3.2.1", Some(1.0)),
                ("P-3.2.2", Some(2.0)),
                ("P-3.2.3", Some(2.0)),
                ("P-3.2.4", Some(1.0)),
                ("P-3.2.5", Some(1.0)),
                ("P-B4-3", None),
            ],
            "penalty_notice",
            N::Nothing,
            "案卷中无行政处罚告知书，作出处罚决定前未告知当事人",
        )
    },
    DefectDef {
        removes_doc: true,
        ..def(
            D::ApprovalMissing,
            "decision_approval_missing",
            P,
            &[
                ("P-3.6.1", Some(3.0)),
                ("P-3.6.2", Some(3.0)),
                ("P-3.6.3", Some(1.0)),
                ("P-3.6.4", Some(1.0)),
                ("P-B4-5", None),
            ],
            "penalty_decision_approval",
            N::Nothing,
            "案卷中无行政处罚决定审批表，处罚决定未经负责人批准",
        )
    },
    DefectDef {
        coercion_items: &[("C-3.1.3", Some(1.0))],
        ..def(
            D::PageNumberGap,
            "page_number_gap",
            None,
            &[("P-6.1.3", Some(1.0))],
            "",
            N::Nothing,
            "卷内页码不连续（跳号）",
        )
    },
    DefectDef {
        coercion_items: &[("C-3.1.3", Some(1.0))],
        ..def(
            D::PageNumberRepeat,
            "page_number_repeat",
            None,
            &[("P-6.1.3", Some(1.0))],
            "",
            N::Nothing,
            "卷内页码重号",
        )
    },
    DefectDef {
        coercion_items: &[("C-3.1.3", Some(1.0))],
        ..def(
            D::PageNumberMissing,
            "page_number_missing",
            None,
            &[("P-6.1.3", Some(1.0))],
            "",
            N::Nothing,
            "卷内有页面未编页码",
        )
    },
    DefectDef {
        removes_doc: true,
        coercion_items: &[("C-3.1.2", Some(1.0))],
        ..def(
            D::ContentsMissing,
            "contents_missing",
            None,
            &[("P-6.1.2", Some(1.0))],
            "contents",
            N::Nothing,
            "案卷无卷内目录",
        )
    },
    DefectDef {
        removes_doc: true,
        coercion_items: &[("C-3.1.2", Some(1.0))],
        ..def(
            D::ReferenceSheetMissing,
            "reference_sheet_missing",
            None,
            &[("P-6.1.2", Some(1.0))],
            "reference_sheet",
            N::Nothing,
            "案卷无卷内备考表",
        )
    },
    DefectDef {
        coercion_items: &[("C-3.1.7", Some(1.0))],
        ..def(
            D::OutOfOrder,
            "documents_out_of_order",
            None,
            &[("P-6.1.7", Some(1.0))],
            "",
            N::Nothing,
            "卷内文书排列顺序错误",
        )
    },
    def(
        D::MeasureApprovalNoHead,
        "measure_approval_no_head",
        C,
        &[("C-1.1.5", Some(2.0))],
        "coercive_measure_approval",
        N::Measure,
        "行政强制措施审批表缺少机关负责人审批意见、签名和日期",
    ),
    def(
        D::MeasureDecisionNoSeal,
        "measure_decision_no_seal",
        C,
        &[("C-1.2.5", Some(1.0))],
        "coercive_measure_decision",
        N::Measure,
        "查封（扣押）决定书未加盖行政机关印章",
    ),
    def(
        D::MeasureDecisionWrongRemedy,
        "measure_decision_wrong_remedy_period",
        C,
        &[("C-1.2.4", Some(1.0))],
        "coercive_measure_decision",
        N::Measure,
        "查封（扣押）决定书告知的复议、诉讼期限错误",
    ),
    def(
        D::MeasureDecisionNoDuration,
        "measure_decision_no_duration",
        C,
        &[("C-1.2.3", Some(1.5))],
        "coercive_measure_decision",
        N::Measure,
        "查封（扣押）决定书未写明强制措施期限",
    ),
    def(
        D::MeasureRecordUnsigned,
        "measure_record_unsigned",
        C,
        &[("C-1.4.2", Some(2.0))],
        "coercive_measure_record",
        N::Measure,
        "现场笔录无当事人或见证人签名，也未注明拒签情况",
    ),
    def(
        D::MeasureRecordNoRights,
        "measure_record_no_rights",
        C,
        &[("C-1.4.1", Some(2.0))],
        "coercive_measure_record",
        N::Measure,
        "现场笔录未记载告知当事人理由、依据、权利和救济途径",
    ),
    def(
        D::ItemsListNoNumber,
        "items_list_no_decision_number",
        C,
        &[("C-1.5.1", Some(1.0))],
        "seized_items_list",
        N::Measure,
        "物品清单未载明查封（扣押）决定书文号",
    ),
    def(
        D::ItemsListUnsigned,
        "items_list_unsigned",
        C,
        &[("C-1.5.3", Some(1.0))],
        "seized_items_list",
        N::Measure,
        "物品清单无当事人或见证人签名",
    ),
    def(
        D::MeasureOverdue,
        "measure_over_30_days",
        C,
        &[("C-B4-3", None)],
        "coercive_measure_release",
        N::Release,
        "查封（扣押）超过三十日未依法延长即解除，超过法定期限",
    ),
    def(
        D::DemandNoDeadline,
        "demand_no_deadline",
        C,
        &[("C-2.1.1", Some(5.0))],
        "performance_demand",
        N::Execution,
        "催告书未写明履行义务的期限",
    ),
    def(
        D::DemandNoConsequence,
        "demand_no_consequence",
        C,
        &[("C-2.1.2", Some(2.0))],
        "performance_demand",
        N::Execution,
        "催告书未告知逾期不履行的法律后果",
    ),
    def(
        D::EnforcementDecisionNoSeal,
        "enforcement_decision_no_seal",
        C,
        &[("C-2.2.4", Some(1.0))],
        "enforcement_decision",
        N::OwnExecution,
        "强制执行决定书未加盖行政机关印章",
    ),
    def(
        D::EnforcementDecisionWrongRemedy,
        "enforcement_decision_wrong_remedy_period",
        C,
        &[("C-2.2.3", Some(1.0))],
        "enforcement_decision",
        N::OwnExecution,
        "强制执行决定书告知的复议、诉讼期限错误",
    ),
    def(
        D::ExecutionAtNight,
        "execution_at_night",
        C,
        &[("C-B2-8", None)],
        "enforcement_record",
        N::Execution,
        "在夜间实施行政强制执行，且无紧急情况",
    ),
    def(
        D::ExecutionOnHoliday,
        "execution_on_holiday",
        C,
        &[("C-B2-8", None)],
        "enforcement_record",
        N::Execution,
        "在法定节假日实施行政强制执行，且无紧急情况",
    ),
    def(
        D::EnforcementBeforeDeadline,
        "enforcement_before_demand_deadline",
        C,
        &[("C-B4-1", None)],
        "enforcement_decision",
        N::OwnExecution,
        "催告期限届满前即作出强制执行决定",
    ),
    def(
        D::EnforcementRecordNoTime,
        "enforcement_record_no_time",
        C,
        &[("C-2.3.1", Some(2.0))],
        "enforcement_record",
        N::Execution,
        "强制执行现场笔录未记录起止时间",
    ),
    def(
        D::EnforcementRecordUnsigned,
        "enforcement_record_unsigned",
        C,
        &[("C-2.3.4", Some(2.0))],
        "enforcement_record",
        N::Execution,
        "强制执行现场笔录无当事人或见证人签名，也未注明拒签情况",
    ),
    def(
        D::SubstituteNoCost,
        "substitute_no_cost",
        C,
        &[("C-2.4.4", Some(1.0))],
        "substitute_performance_decision",
        N::Substitute,
        "代履行决定书未载明费用预算及当事人负担",
    ),
    def(
        D::SubstituteNoSeal,
        "substitute_no_seal",
        C,
        &[("C-2.4.6", Some(1.0))],
        "substitute_performance_decision",
        N::Substitute,
        "代履行决定书未加盖行政机关印章",
    ),
    DefectDef {
        removes_doc: true,
        ..def(
            D::CoercionServiceReceiptMissing,
            "service_receipt_missing",
            C,
            &[("C-B4-4", None)],
            "service_receipt",
            N::Nothing,
            "案卷中无送达回证，无法证明文书已依法送达",
        )
    },
    DefectDef {
        removes_doc: true,
        ..def(
            D::MeasureDecisionMissing,
            "measure_decision_missing",
            C,
            &[
                ("C-1.2.1", Some(1.0)),
                ("C-1.2.2", Some(6.0)),
                ("C-1.2.3", Some(3.0)),
                ("C-1.2.4", Some(1.0)),
                ("C-1.2.5", Some(1.0)),
                ("C-B4-2", None),
            ],
            "coercive_measure_decision",
            N::Measure,
            "案卷中无查封（扣押）决定书，实施强制措施无书面决定",
        )
    },
];

impl DefectDef {
    pub fn get(defect: Defect) -> &'static DefectDef {
        TABLE
            .iter()
            .find(|d| d.defect == defect)
            .expect("every defect has a table row")
    }

    /// The rubric items this defect breaches in a file of `kind`.
    pub fn items_for(&self, kind: CaseKind) -> &'static [(&'static str, Option<f64>)] {
        if self.kind.is_none() && kind == CaseKind::Coercion {
            self.coercion_items
        } else {
            self.items
        }
    }

    pub fn basic(&self, kind: CaseKind) -> bool {
        self.items_for(kind).iter().any(|(_, p)| p.is_none())
    }

    pub fn possible(&self, case: &Case) -> bool {
        if let Some(k) = self.kind {
            if k != case.kind {
                return false;
            }
        }
        match self.needs {
            N::Nothing => true,
            N::Preservation => case.preservation,
            N::HearingQualified => case.hearing_qualified,
            N::HearingRequested => case.hearing_requested,
            N::Fine => case.fine > 0,
            N::Measure => case.measure(),
            N::Release => case.measure() && case.release,
            N::Execution => case.execution(),
            N::OwnExecution => case.execution() && !case.substitute(),
            N::Substitute => case.substitute(),
        }
    }

    /// Two defects cannot go together when they breach the same item or one
    /// removes the document the other changes.
    pub fn conflicts(&self, other: &DefectDef, kind: CaseKind) -> bool {
        let a = self.items_for(kind);
        let b = other.items_for(kind);
        a.iter().any(|(i, _)| b.iter().any(|(j, _)| i == j))
            || (self.removes_doc && self.doc == other.doc)
            || (other.removes_doc && other.doc == self.doc)
            || (self.doc.is_empty()
                && other.doc.is_empty()
                && self.defect != other.defect
                && page_numbering(self.defect)
                && page_numbering(other.defect))
            || pair_conflict(self.defect, other.defect)
            || pair_conflict(other.defect, self.defect)
    }
}

fn page_numbering(d: Defect) -> bool {
    matches!(
        d,
        D::PageNumberGap | D::PageNumberRepeat | D::PageNumberMissing
    )
}

/// Combinations that would hide each other on paper.
fn pair_conflict(a: Defect, b: Defect) -> bool {
    matches!(
        (a, b),
        (D::DecisionBeforeNotice, D::NoticeMissing)
            | (D::DecisionBeforeNotice, D::OutOfOrder)
            | (D::InterviewOneOfficer, D::InterviewNoCert)
            | (D::DecisionBeforeNotice, D::DecisionNoDate)
            | (D::DecisionBeforeNotice, D::NoticeNoDate)
            | (D::ApprovalMissing, D::OutOfOrder)
            | (D::MeasureDecisionMissing, D::OutOfOrder)
            | (D::MeasureDecisionMissing, D::ItemsListNoNumber)
            | (D::ExecutionAtNight, D::EnforcementRecordNoTime)
            | (D::ContentsMissing, D::PageNumberGap)
            | (D::ContentsMissing, D::PageNumberRepeat)
            | (D::ContentsMissing, D::PageNumberMissing)
    )
}

/// The defects of one dossier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Defects(pub Vec<Defect>);

impl Defects {
    pub fn has(&self, d: Defect) -> bool {
        self.0.contains(&d)
    }

    /// Draws zero to several compatible defects for `case`. At most one basic
    /// breach, and only in about a quarter of the files.
    pub fn draw(rng: &mut ChaCha8Rng, case: &Case, max: usize) -> Defects {
        let n = if rng.gen_bool(0.2) {
            0
        } else {
            rng.gen_range(1..=max.max(1))
        };
        let allow_basic = rng.gen_bool(0.25);
        let mut pool: Vec<&DefectDef> = TABLE
            .iter()
            .filter(|d| d.possible(case) && (allow_basic || !d.basic(case.kind)))
            .collect();
        pool.shuffle(rng);
        let mut chosen: Vec<&DefectDef> = Vec::new();
        for d in pool {
            if chosen.len() >= n {
                break;
            }
            let basic_taken = chosen.iter().any(|c| c.basic(case.kind));
            if (basic_taken && d.basic(case.kind))
                || chosen.iter().any(|c| c.conflicts(d, case.kind))
            {
                continue;
            }
            chosen.push(d);
        }
        let mut v: Vec<Defect> = chosen.iter().map(|d| d.defect).collect();
        v.sort();
        Defects(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_defect_has_one_row_with_items_of_its_kind() {
        let mut seen = std::collections::HashSet::new();
        for d in TABLE {
            assert!(seen.insert(d.defect), "{:?} twice", d.defect);
            let kinds: &[CaseKind] = match d.kind {
                Some(k) => &[k][..],
                None => &[CaseKind::Penalty, CaseKind::Coercion][..],
            };
            for &k in kinds {
                let items = d.items_for(k);
                assert!(!items.is_empty(), "{:?}", d.defect);
                let prefix = if k == CaseKind::Penalty { "P-" } else { "C-" };
                assert!(
                    items.iter().all(|(i, _)| i.starts_with(prefix)),
                    "{:?}",
                    d.defect
                );
            }
        }
    }
}
