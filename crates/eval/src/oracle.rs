//! The review a perfect scan would write for a dossier's ground truth: every
//! page, document and defect as the truth has them. A yardstick for the
//! evaluation itself (a perfect run must score 100 %) and a starting point
//! for runs damaged on purpose in tests and timings.

use anjuan_core::contract::*;
use anjuan_core::truth::{DefectKind, DossierTruth};

/// `t` as a perfect scan of `<id>.pdf` would review it: pages, documents and
/// one suggested finding per truth defect (with its points and description),
/// and the expected score.
pub fn perfect_review(t: &DossierTruth) -> Review {
    Review {
        schema: REVIEW_SCHEMA.into(),
        dossier: DossierInfo {
            id: t.id.clone(),
            source: format!("{}.pdf", t.id),
            sha256: "0".repeat(64),
            page_count: t.pages.len() as u32,
        },
        case_kind: t.case_kind,
        case: CaseInfo {
            agency: Some(t.agency.clone()),
            case_number: expected_case_number(t).map(str::to_string),
            party: Some(t.party.clone()),
            fine_yuan: t.fine_yuan,
            confiscated_yuan: t.confiscated_yuan,
            ..CaseInfo::default()
        },
        pages: t
            .pages
            .iter()
            .map(|p| PageEntry {
                page: p.page,
                doc_type: p.doc_type.clone(),
                document: Some(p.document),
                printed_page_number: p.printed_page_number,
                error: None,
                ocr: PageOcr {
                    engine: "truth".into(),
                    dpi: p.dpi,
                    rotation: Some(anjuan_core::contract::upright_turn(p.rotation)),
                    size: None,
                    mean_confidence: 1.0,
                    text_file: format!("pages/{:04}.txt", p.page),
                },
            })
            .collect(),
        documents: t
            .documents
            .iter()
            .map(|d| DocumentEntry {
                index: d.index,
                doc_type: d.doc_type.clone(),
                title: Some(d.title.clone()),
                pages: d.pages,
                confidence: 1.0,
                date: d.date.clone(),
                number: d.number.clone(),
            })
            .collect(),
        findings: t
            .defects
            .iter()
            .map(|d| Finding {
                item: d.item.clone(),
                kind: match d.kind {
                    DefectKind::Deduction => FindingKind::Deduction,
                    DefectKind::Basic => FindingKind::Basic,
                },
                status: FindingStatus::Suggested,
                points: d.points,
                reason: d.description.clone(),
                confidence: 1.0,
                evidence: vec![],
            })
            .collect(),
        manual: vec![],
        not_applicable: vec![],
        score: Score {
            draft: t.expected.score,
            grade: t.expected.grade.clone(),
            basic_breach_suspected: t.expected.basic_breach,
        },
    }
}

/// The case number the contract asks for: the penalty decision's number;
/// for coercion, the measure, execution or substitute-performance
/// decision's (the first of those the truth holds); else the truth's case
/// number.
pub fn expected_case_number(truth: &DossierTruth) -> Option<&str> {
    let types: &[&str] = match truth.case_kind {
        anjuan_core::CaseKind::Coercion => &[
            "coercive_measure_decision",
            "enforcement_decision",
            "substitute_performance_decision",
        ],
        _ => &["penalty_decision"],
    };
    types
        .iter()
        .find_map(|t| truth.documents.iter().find(|d| d.doc_type == *t))
        .and_then(|d| d.number.as_deref())
        .or(Some(truth.case_number.as_str()))
}

/// Each page's full text (printed and handwritten), as a perfect OCR reads it.
pub fn perfect_texts(t: &DossierTruth) -> Vec<String> {
    t.pages.iter().map(|p| p.full_text()).collect()
}
