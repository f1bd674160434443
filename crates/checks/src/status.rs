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
    d.pages.iter().enumerate().find_map(|(i, page)| {
        if page.doc_type == "contents" {
            return None;
        }
        let zone: String = page
            .lines
            .iter()
            .take(zone_lines)
            .map(|l| squash(l.text))
            .collect();
        let hay: Vec<char> = zone.chars().collect();
        needles
            .iter()
            .any(|n| fuzzy_find(&hay, n).is_some())
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
