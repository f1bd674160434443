//! Precision before recall: which findings the machine suggests (they count
//! in the draft score) and which it only flags for people (`needs_review`,
//! 需人工复核). The policy is data (`[status]` in `data/rules.toml`).
//!
//! - A finding below the confidence floor needs review.
//! - A basic-standard finding zeroes a file: it is suggested only above a
//!   higher floor, and never while the file holds documents the classifier
//!   could not place (one of them may be what the standard asks for).
//! - "I could not find X" is not "X is missing": a claim that a document is
//!   absent is suggested only when no page reads as that document (its
//!   titles or the rule's cues in a page's title zone) *and* no document of
//!   the file is unplaced. Otherwise it needs review, with the page that
//!   might be it as evidence.

use crate::rules::{Rules, StatusPolicy};
use crate::text::{fuzzy_find, squash};
use crate::view::{page_evidence, Dossier};
use anjuan_core::contract::{Finding, FindingKind, FindingStatus};
use anjuan_core::doctype::DocTypes;
use anjuan_rubric::Rubric;

/// What a finding claims is absent from the file, for the policy to look
/// for positive evidence of it.
#[derive(Debug, Clone, PartialEq)]
pub enum Absence {
    /// No document of this type (a code of `doc-types.md`) was found.
    Document(String),
    /// The contents page lists a document under this title that was not found.
    Listed(String),
}

/// Documents of the file the classifier could not place: `other` (or no
/// type), with the title as read, if any.
fn unplaced<'d>(d: &'d Dossier) -> Vec<&'d crate::view::Doc> {
    d.docs
        .iter()
        .filter(|doc| matches!(doc.doc_type.as_str(), "other" | ""))
        .collect()
}

/// The first page (0-based) whose title zone reads as one of `phrases`
/// (fuzzily, as the checks match phrases), skipping pages of `skip_type`
/// (the contents page lists every title).
fn page_reading_as(d: &Dossier, phrases: &[String], zone_lines: usize) -> Option<usize> {
    let needles: Vec<Vec<char>> = phrases
        .iter()
        .map(|p| squash(p).chars().collect::<Vec<char>>())
        .filter(|n| n.len() >= 2)
        .collect();
    // A title opens a document: on a page that continues one, the heading
    // zone holds rows of a form ("审批意见" is one stroke from "审核意见"),
    // so only an exact reading counts there.
    let openers: Vec<usize> = d.docs.iter().map(|doc| doc.first_page()).collect();
    d.pages.iter().enumerate().find_map(|(i, page)| {
        if page.doc_type == "contents" {
            return None;
        }
        let opens = openers.contains(&i);
        let zone: String = page
            .lines
            .iter()
            .take(zone_lines)
            .map(|l| squash(l.text))
            .collect();
        let hay: Vec<char> = zone.chars().collect();
        needles
            .iter()
            .any(|n| match fuzzy_find(&hay, n) {
                Some((_, _, sim)) => opens || sim >= 1.0,
                None => false,
            })
            .then_some(i)
    })
}

/// The first page (0-based, not the contents page) whose text holds `title`
/// (fuzzily): an attachment bound inside another document is still there.
pub(crate) fn page_holding(d: &Dossier, title: &str) -> Option<usize> {
    let needle: Vec<char> = squash(title).chars().collect();
    if needle.len() < 2 {
        return None;
    }
    d.pages.iter().enumerate().find_map(|(i, page)| {
        if page.doc_type == "contents" {
            return None;
        }
        let hay: Vec<char> = page
            .lines
            .iter()
            .map(|l| squash(l.text))
            .collect::<String>()
            .chars()
            .collect();
        fuzzy_find(&hay, &needle).map(|_| i)
    })
}

/// Sets each finding's status by the policy; `absences[i]` is what finding
/// `i` claims is absent, if anything, and `doubts[i]` why its evidence is
/// doubtful (a date not read whole, …). A finding that needs review says why
/// in its reason, and points at the page that may hold what it missed.
pub fn apply(
    findings: &mut [Finding],
    absences: &[Option<Absence>],
    doubts: &[Vec<String>],
    d: &Dossier,
    rules: &Rules,
    rubric: &Rubric,
) {
    let policy: &StatusPolicy = &rules.status;
    let unplaced = unplaced(d);
    for ((f, absence), doubts) in findings.iter_mut().zip(absences).zip(doubts) {
        let mut why: Vec<String> = doubts.clone();
        let basic = f.kind == FindingKind::Basic;
        let check = rubric
            .item(&f.item)
            .map(|i| i.check.as_str())
            .unwrap_or_default();
        let floor = if basic {
            policy.basic_min_confidence
        } else {
            policy.min_confidence
        }
        .max(
            policy
                .check_min_confidence
                .get(check)
                .copied()
                .unwrap_or(0.0),
        );
        if f.confidence < floor {
            why.push(format!("把握不足（{:.0}%）", f.confidence * 100.0));
        }
        if basic || absence.is_some() {
            for p in d
                .pages
                .iter()
                .enumerate()
                .filter(|(_, p)| p.unread.is_some())
            {
                why.push(format!("第{}页未能读取，可能即为所缺", p.0 + 1));
                f.evidence.push(page_evidence(p.0, None));
            }
        }
        if (basic || absence.is_some()) && !unplaced.is_empty() {
            let names: Vec<String> = unplaced
                .iter()
                .take(3)
                .map(|doc| {
                    format!(
                        "第{}页{}",
                        doc.first_page() + 1,
                        doc.title
                            .as_deref()
                            .map_or(String::new(), |t| format!("“{t}”"))
                    )
                })
                .collect();
            why.push(format!(
                "卷内有{}份文书未能识别类型（{}），可能即为所缺",
                unplaced.len(),
                names.join("、")
            ));
            f.evidence
                .extend(unplaced.iter().take(3).map(|doc| doc.title_evidence(d)));
        }
        match absence {
            Some(Absence::Document(code)) => {
                let mut phrases: Vec<String> = DocTypes::builtin()
                    .get(code)
                    .map(|t| t.titles().map(str::to_string).collect())
                    .unwrap_or_default();
                if let Some(r) = rules.required.iter().find(|r| &r.doc_type == code) {
                    phrases.extend(r.cues.iter().cloned());
                }
                if let Some(p) = page_reading_as(d, &phrases, policy.title_zone_lines) {
                    why.push(format!("第{}页标题近似该文书，请核对", p + 1));
                    f.evidence.push(page_evidence(p, None));
                }
            }
            Some(Absence::Listed(title)) => {
                if let Some(p) = page_holding(d, title) {
                    why.push(format!("第{}页载有“{title}”，可能附于其他文书内", p + 1));
                    f.evidence.push(page_evidence(p, None));
                }
            }
            None => {}
        }
        if !why.is_empty() {
            f.status = FindingStatus::NeedsReview;
            f.reason = format!("{}（需人工复核：{}）", f.reason, why.join("；"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{file_findings, stacked, TestDoc};
    use anjuan_core::contract::FindingStatus;
    use anjuan_core::marks::PageMarks;
    use anjuan_core::CaseKind;

    /// The status of the legal-review absence (P-B5-1) in a file of a
    /// two-page filing approval whose second page opens with `row`, and a
    /// decision whose first page opens with `decision_head`.
    fn legal_review_absence(row: &str, decision_head: &str) -> Option<FindingStatus> {
        let docs = vec![
            TestDoc {
                doc_type: "case_filing_approval",
                title: "立案审批表",
                date: Some("2024-06-18"),
                pages: vec![
                    stacked(
                        &["立案审批表", "案由：销售过期食品案"],
                        [200, 300, 1800],
                        0.98,
                    ),
                    stacked(
                        &[row, "2024年6月19日", "签名：闫慧敏"],
                        [200, 300, 1800],
                        0.98,
                    ),
                ],
            },
            TestDoc {
                doc_type: "penalty_decision",
                title: "行政处罚决定书",
                date: Some("2024-07-10"),
                pages: vec![stacked(
                    &[decision_head, "行政处罚决定书", "当事人：蒲县某商店"],
                    [200, 300, 1800],
                    0.98,
                )],
            },
        ];
        file_findings(CaseKind::Penalty, docs, &PageMarks::default())
            .into_iter()
            .find(|f| f.item == "P-B5-1")
            .map(|f| f.status)
    }

    #[test]
    fn a_form_row_one_stroke_from_the_missing_title_does_not_stand_for_it() {
        // 审批意见 is one edit from the cue 审核意见; on a page that continues
        // the filing approval it is a row of the form, not a title.
        assert_eq!(
            legal_review_absence("分管负责人审批意见：同意立案。", "蒲县市场监督管理局"),
            Some(FindingStatus::Suggested)
        );
        // Read exactly, the cue still asks a reviewer wherever it stands.
        assert_eq!(
            legal_review_absence("法制审核意见：同意。", "蒲县市场监督管理局"),
            Some(FindingStatus::NeedsReview)
        );
        // A page that opens a document and reads close to the title does too.
        assert_eq!(
            legal_review_absence("分管负责人审批意见：同意立案。", "法制审核意贝书"),
            Some(FindingStatus::NeedsReview)
        );
    }
}
