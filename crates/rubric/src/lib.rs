//! anjuan-rubric: the review standard as data.
//!
//! A rubric (`rubrics/penalty.toml`, `rubrics/coercion.toml`, or any file in
//! the format of `docs/rubric-format.md`) lists the basic standards (基础标准,
//! any breach scores the file 0) and the document-norm items (文书规范标准,
//! each deducting at most its points), grouped by stage and document, with the
//! document types each item concerns, when it applies, and which machine check
//! judges it (or `manual`).
//!
//! - [`Rubric::builtin`] / [`Rubric::load`]: the shipped rubrics, or another
//!   one read from a file and validated (errors name file, line and problem).
//! - [`Rubric::score`]: scoring per annex 1 of the county's rules.
//! - [`Rubric::assess`] / [`fill_review`]: `review.json`'s `manual`,
//!   `not_applicable` and `score` from the facts of the case, the findings and
//!   the set of checks actually implemented.
//! - [`Registry`]: the check names and procedure facts (`rubrics/checks.toml`).
//! - [`RubricArgs`] / [`run`]: `anjuan rubric show|check|checks`.

mod assess;
mod condition;
mod facts;
mod load;
mod registry;
mod score;
mod show;

pub use assess::{fill_review, merge_findings, Applicability, AssessError, Assessment};
pub use condition::Condition;
pub use facts::{Facts, FACT_NAMES};
pub use load::{Problem, RubricError};
pub use registry::{CheckDef, FactDef, Registry, RegistryError, MANUAL};
pub use score::{Deduction, Score};
pub use show::{run, run_with, RubricArgs, RubricCommand, ShowKind};

use anjuan_core::CaseKind;
use std::sync::OnceLock;

const PENALTY_TOML: &str = include_str!("../../../rubrics/penalty.toml");
const COERCION_TOML: &str = include_str!("../../../rubrics/coercion.toml");

/// A review rubric: basic standards and document-norm items.
#[derive(Debug, Clone)]
pub struct Rubric {
    pub kind: CaseKind,
    /// e.g. 行政处罚案卷评查标准
    pub name: String,
    /// Where the standard comes from (document number, annex).
    pub source: Option<String>,
    /// The base score (100): document-norm points sum to it.
    pub total: f64,
    /// Grades, highest threshold first.
    pub grades: Vec<Grade>,
    /// The document-norm stages with their documents, in the standard's order.
    pub stages: Vec<Stage>,
    /// Every item: basic standards first, then the document-norm items, in
    /// the order of the file.
    pub items: Vec<Item>,
    /// The file the rubric was read from (`rubrics/penalty.toml` when built in).
    pub path: String,
}

/// A grade: a score at or above `min` (and below the next grade up) earns it.
#[derive(Debug, Clone, PartialEq)]
pub struct Grade {
    pub name: String,
    pub min: f64,
}

/// A stage of the procedure (立案, 调查取证, …) and its subtotal.
#[derive(Debug, Clone)]
pub struct Stage {
    pub name: String,
    pub points: f64,
    pub applies_when: Option<String>,
    pub documents: Vec<DocumentGroup>,
}

/// A document of a stage (立案审批表, …) and its subtotal.
#[derive(Debug, Clone)]
pub struct DocumentGroup {
    pub name: String,
    pub points: f64,
    /// Document-type codes (`doc-types.md`); empty for the file as a whole.
    pub doc_types: Vec<String>,
    pub applies_when: Option<String>,
}

/// One rubric item: a basic standard or a document-norm item.
#[derive(Debug, Clone)]
pub struct Item {
    /// Stable ID (`P-2.2.7`, `C-B2-8`).
    pub id: String,
    /// A basic standard: a breach scores the file 0.
    pub basic: bool,
    /// The most the item deducts; `None` for basic standards.
    pub points: Option<f64>,
    /// The requirement in Chinese, as the standard words it.
    pub text: String,
    /// The same in English, if the file gives it.
    pub en: Option<String>,
    /// Document-type codes the item concerns (the item's own, or its document's).
    pub doc_types: Vec<String>,
    /// When the item applies, over procedure facts (its stage's, document's
    /// and own conditions joined by `and`); `None`: always.
    pub applies_when: Option<String>,
    /// A check name of the registry, or `manual`.
    pub check: String,
    /// Document-norm items: the stage name.
    pub stage: Option<String>,
    /// Document-norm items: the document name.
    pub document: Option<String>,
    /// Basic standards: the category (主体合法, 事实证据, …).
    pub category: Option<String>,
    /// A transcription note (e.g. where a restoration is a judgement).
    pub note: Option<String>,
    /// The line of the rubric file where the item starts.
    pub line: usize,
    condition: Option<Condition>,
}

impl Item {
    /// The parsed `applies_when`.
    pub fn condition(&self) -> Option<&Condition> {
        self.condition.as_ref()
    }

    /// Whether a machine check (not `manual`) is assigned.
    pub fn has_machine_check(&self) -> bool {
        self.check != MANUAL
    }
}

impl Rubric {
    /// The shipped rubric for `kind` (compiled in), `None` for `Unknown`.
    pub fn builtin(kind: CaseKind) -> Option<&'static Rubric> {
        static PENALTY: OnceLock<Rubric> = OnceLock::new();
        static COERCION: OnceLock<Rubric> = OnceLock::new();
        let (cell, text, path) = match kind {
            CaseKind::Penalty => (&PENALTY, PENALTY_TOML, "rubrics/penalty.toml"),
            CaseKind::Coercion => (&COERCION, COERCION_TOML, "rubrics/coercion.toml"),
            CaseKind::Unknown => return None,
        };
        Some(cell.get_or_init(|| {
            Rubric::parse(text, path).unwrap_or_else(|e| panic!("shipped rubric is invalid:\n{e}"))
        }))
    }

    /// The rubric to review a file of `kind` against: the first of `custom`
    /// (rubrics given with `--rubric FILE`) of that kind, else the shipped one.
    pub fn for_kind(kind: CaseKind, custom: &[Rubric]) -> Option<&Rubric> {
        custom
            .iter()
            .find(|r| r.kind == kind)
            .or_else(|| Rubric::builtin(kind))
    }

    /// The item with this ID.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The basic standards.
    pub fn basic_items(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.basic)
    }

    /// The document-norm items.
    pub fn norm_items(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| !i.basic)
    }

    /// The grade a score earns.
    pub fn grade_for(&self, score: f64) -> &str {
        let s = score::milli(score);
        self.grades
            .iter()
            .find(|g| s >= score::milli(g.min))
            .or(self.grades.last())
            .map(|g| g.name.as_str())
            .unwrap_or("")
    }

    /// Points of document-norm items whose check is in `implemented`.
    pub fn covered_points(&self, implemented: &[&str]) -> f64 {
        score::sum_points(
            self.norm_items()
                .filter(|i| implemented.contains(&i.check.as_str())),
        )
    }

    /// Points of document-norm items with a machine check assigned
    /// (implemented or not): the planned coverage.
    pub fn planned_points(&self) -> f64 {
        score::sum_points(self.norm_items().filter(|i| i.has_machine_check()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rubrics_load() {
        let p = Rubric::builtin(CaseKind::Penalty).unwrap();
        let c = Rubric::builtin(CaseKind::Coercion).unwrap();
        assert!(Rubric::builtin(CaseKind::Unknown).is_none());
        assert_eq!(p.kind, CaseKind::Penalty);
        assert_eq!(c.kind, CaseKind::Coercion);
        assert_eq!(p.item("P-2.2.7").unwrap().points, Some(1.0));
        assert_eq!(c.item("C-B2-8").unwrap().points, None);
    }

    #[test]
    fn a_custom_rubric_replaces_the_shipped_one_of_its_kind_only() {
        let mut mine = Rubric::builtin(CaseKind::Penalty).unwrap().clone();
        mine.name = "某县行政处罚案卷评查标准".into();
        let custom = [mine];
        let p = Rubric::for_kind(CaseKind::Penalty, &custom).unwrap();
        assert_eq!(p.name, "某县行政处罚案卷评查标准");
        let c = Rubric::for_kind(CaseKind::Coercion, &custom).unwrap();
        assert_eq!(c.name, "行政强制案卷评查标准");
        assert!(Rubric::for_kind(CaseKind::Unknown, &custom).is_none());
    }
}
