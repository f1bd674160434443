//! Findings under the rubric's item IDs. A check says what it judged (its
//! check name, the document type, optionally a word of the item's text to
//! choose among several items); the rubric data says which item that is.

use crate::rules::Rules;
use crate::status::Absence;
use crate::view::Dossier;
use anjuan_core::contract::{Evidence, Finding, FindingKind, FindingStatus};
use anjuan_rubric::{Item, Rubric};
use serde::Deserialize;

/// What a finding is about, in the rubric's terms.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// A check name of `rubrics/checks.toml`.
    pub check: String,
    /// The document type judged; "" for the file as a whole.
    #[serde(default)]
    pub doc_type: String,
    /// Words of which the item's text must contain one (`|`-separated), to
    /// choose among items the check and type share.
    #[serde(default)]
    pub hint: Option<String>,
    /// Deduct this much instead of the item's full points (never more).
    #[serde(default)]
    pub points: Option<f64>,
    /// Only basic standards (`Some(true)`), only document-norm items
    /// (`Some(false)`), or both.
    #[serde(default)]
    pub basic: Option<bool>,
    /// When no item is assigned this check, an item left to people
    /// (`manual`) that the hint picks: the check judges part of it, and a
    /// defect found there is worth suggesting.
    #[serde(default)]
    pub manual_part: bool,
}

impl Target {
    pub fn new(check: &str, doc_type: &str) -> Target {
        Target {
            check: check.to_string(),
            doc_type: doc_type.to_string(),
            ..Target::default()
        }
    }

    pub fn hint(mut self, hint: &str) -> Target {
        self.hint = Some(hint.to_string());
        self
    }

    pub fn basic(mut self, basic: bool) -> Target {
        self.basic = Some(basic);
        self
    }
}

/// Collects findings for one dossier.
pub struct Sink<'r> {
    rubric: &'r Rubric,
    findings: Vec<Finding>,
    /// For each finding: what it claims is absent, if anything.
    absences: Vec<Option<Absence>>,
    /// For each finding: why its evidence is doubtful, as said to a reviewer.
    doubts: Vec<Vec<String>>,
}

impl<'r> Sink<'r> {
    pub fn new(rubric: &'r Rubric) -> Self {
        Sink {
            rubric,
            findings: Vec::new(),
            absences: Vec::new(),
            doubts: Vec::new(),
        }
    }

    pub fn rubric(&self) -> &'r Rubric {
        self.rubric
    }

    fn matches(item: &Item, check: &str, t: &Target) -> bool {
        item.check == check
            && (if t.doc_type.is_empty() {
                item.doc_types.is_empty()
            } else {
                item.doc_types.contains(&t.doc_type)
            })
            && t.basic.is_none_or(|b| b == item.basic)
            && t.hint
                .as_deref()
                .is_none_or(|h| h.split('|').any(|w| item.text.contains(w)))
    }

    /// The items a target names.
    pub fn items(&self, t: &Target) -> Vec<&'r Item> {
        let found: Vec<&Item> = self
            .rubric
            .items
            .iter()
            .filter(|i| Self::matches(i, &t.check, t))
            .collect();
        if found.is_empty() && t.manual_part && t.hint.is_some() {
            return self
                .rubric
                .items
                .iter()
                .filter(|i| Self::matches(i, "manual", t))
                .collect();
        }
        found
    }

    /// A finding on every item the target names. `confidence` is clamped to 0 … 1.
    pub fn emit(&mut self, t: &Target, reason: &str, confidence: f32, evidence: Vec<Evidence>) {
        for item in self.items(t) {
            self.emit_item(item, t.points, reason, confidence, evidence.clone());
        }
    }

    /// A finding on one item.
    pub fn emit_item(
        &mut self,
        item: &Item,
        points: Option<f64>,
        reason: &str,
        confidence: f32,
        evidence: Vec<Evidence>,
    ) {
        let (kind, points) = if item.basic {
            (FindingKind::Basic, None)
        } else {
            let max = item.points.unwrap_or(0.0);
            (
                FindingKind::Deduction,
                Some(points.map_or(max, |p| p.min(max))),
            )
        };
        self.findings.push(Finding {
            item: item.id.clone(),
            kind,
            status: FindingStatus::Suggested,
            points,
            reason: reason.to_string(),
            confidence: (confidence.clamp(0.0, 1.0) * 100.0).round() / 100.0,
            evidence,
        });
        self.absences.push(None);
        self.doubts.push(Vec::new());
    }

    /// How many findings so far (to mark those emitted after it).
    pub fn len(&self) -> usize {
        self.findings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// Marks the findings emitted since `from` as claiming `absence`: the
    /// status policy looks for positive evidence before suggesting them.
    pub fn mark_absent(&mut self, from: usize, absence: Absence) {
        for a in self.absences.iter_mut().skip(from) {
            *a = Some(absence.clone());
        }
    }

    /// Marks the findings emitted since `from` as resting on doubtful
    /// evidence (`why`, said to the reviewer): they need review.
    pub fn mark_doubt(&mut self, from: usize, why: &str) {
        for d in self.doubts.iter_mut().skip(from) {
            d.push(why.to_string());
        }
    }

    /// Whether a finding so far is on an item judged by `check`.
    pub fn found_by(&self, check: &str) -> bool {
        self.findings.iter().any(|f| {
            self.rubric
                .items
                .iter()
                .any(|i| i.id == f.item && i.check == check)
        })
    }

    /// The findings, in the order found (scan merges those on one item),
    /// with their status set by the policy ([`crate::status`]).
    pub fn finish(mut self, d: &Dossier, rules: &Rules) -> Vec<Finding> {
        crate::status::apply(
            &mut self.findings,
            &self.absences,
            &self.doubts,
            d,
            rules,
            self.rubric,
        );
        self.findings
    }
}
