//! Procedure facts of a case: what decides whether an item applies.
//!
//! `None` is "not known": an item whose applicability turns on an unknown
//! fact goes to a person (`manual`), never silently passed or dropped.

use anjuan_core::truth::CaseFacts;

/// The fact names a rubric's `applies_when` may use; `rubrics/checks.toml`
/// describes each (`[[fact]]`).
pub const FACT_NAMES: &[&str] = &[
    "hearing_requested",
    "hearing_qualified",
    "evidence_preserved",
    "coercive_measure",
    "emergency_measure",
    "enforcement",
    "substitute_performance",
    "major_case",
];

/// What is known about the procedure of one file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// A hearing was asked for (hearing notice, record, report apply).
    pub hearing_requested: Option<bool>,
    /// The penalty qualified for a hearing (the hearing-rights notice applies).
    pub hearing_qualified: Option<bool>,
    /// Evidence was preserved (先行登记保存 documents apply).
    pub evidence_preserved: Option<bool>,
    /// Coercion: a coercive measure was taken.
    pub coercive_measure: Option<bool>,
    /// Coercion: the measure was taken on the spot in an emergency, approval
    /// following (行政强制法 第十九条).
    pub emergency_measure: Option<bool>,
    /// Coercion: an execution was carried out.
    pub enforcement: Option<bool>,
    /// Coercion: substitute performance (代履行) was decided.
    pub substitute_performance: Option<bool>,
    /// A major case (collective discussion applies).
    pub major_case: Option<bool>,
}

impl Facts {
    /// The value of a fact; `Err` for a name that is not a fact.
    pub fn get(&self, name: &str) -> Result<Option<bool>, UnknownFact> {
        let mut copy = *self;
        copy.slot(name).map(|v| *v)
    }

    /// Sets a fact by name.
    pub fn set(&mut self, name: &str, value: Option<bool>) -> Result<(), UnknownFact> {
        *self.slot(name)? = value;
        Ok(())
    }

    fn slot(&mut self, name: &str) -> Result<&mut Option<bool>, UnknownFact> {
        Ok(match name {
            "hearing_requested" => &mut self.hearing_requested,
            "hearing_qualified" => &mut self.hearing_qualified,
            "evidence_preserved" => &mut self.evidence_preserved,
            "coercive_measure" => &mut self.coercive_measure,
            "emergency_measure" => &mut self.emergency_measure,
            "enforcement" => &mut self.enforcement,
            "substitute_performance" => &mut self.substitute_performance,
            "major_case" => &mut self.major_case,
            _ => return Err(UnknownFact),
        })
    }

    /// What the document types found in a file show, by the registry's
    /// `evidenced_by` (`rubrics/checks.toml`): a fact is true when a document
    /// that evidences it is present, and otherwise stays unknown, because a
    /// missing document may itself be the defect (a hearing asked for and
    /// never held). Refine with what the pages say before assessing.
    pub fn from_doc_types<'a>(doc_types: impl IntoIterator<Item = &'a str>) -> Facts {
        let present: Vec<&str> = doc_types.into_iter().collect();
        let mut facts = Facts::default();
        for def in &crate::Registry::builtin().facts {
            if def
                .evidenced_by
                .iter()
                .any(|t| present.contains(&t.as_str()))
            {
                // Names were validated when the registry was read.
                let _ = facts.set(&def.name, Some(true));
            }
        }
        facts
    }
}

/// A name that is not one of [`FACT_NAMES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownFact;

/// The ground truth knows every fact it models; it does not model emergency
/// measures, so `emergency_measure` stays unknown.
impl From<&CaseFacts> for Facts {
    fn from(f: &CaseFacts) -> Facts {
        Facts {
            hearing_requested: Some(f.hearing_requested),
            hearing_qualified: Some(f.hearing_qualified),
            evidence_preserved: Some(f.evidence_preserved),
            coercive_measure: Some(f.coercive_measure),
            emergency_measure: None,
            enforcement: Some(f.enforcement),
            substitute_performance: Some(f.substitute_performance),
            major_case: Some(f.major_case),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fact_name_is_readable_and_nothing_else() {
        let f = Facts::default();
        for name in FACT_NAMES {
            assert_eq!(f.get(name), Ok(None), "{name}");
        }
        assert_eq!(f.get("hearing"), Err(UnknownFact));
        let mut g = f;
        g.set("major_case", Some(true)).unwrap();
        assert_eq!(g.major_case, Some(true));
        assert_eq!(g.set("majr_case", Some(true)), Err(UnknownFact));
    }

    #[test]
    fn documents_present_prove_facts_and_absent_ones_leave_them_open() {
        let f = Facts::from_doc_types(["cover", "hearing_record", "penalty_decision"]);
        assert_eq!(f.hearing_requested, Some(true));
        assert_eq!(f.evidence_preserved, None);
        let f = Facts::from_doc_types(["seized_items_list", "coercive_measure_decision"]);
        assert_eq!(f.coercive_measure, Some(true));
        assert_eq!(f.enforcement, None);
        let f = Facts::from_doc_types(["substitute_performance_decision"]);
        assert_eq!(
            (f.enforcement, f.substitute_performance),
            (Some(true), Some(true))
        );
        assert_eq!(Facts::from_doc_types([]), Facts::default());
    }

    #[test]
    fn case_facts_convert_field_by_field() {
        let cf = CaseFacts {
            hearing_requested: true,
            evidence_preserved: true,
            ..CaseFacts::default()
        };
        let f = Facts::from(&cf);
        assert_eq!(f.hearing_requested, Some(true));
        assert_eq!(f.evidence_preserved, Some(true));
        assert_eq!(f.hearing_qualified, Some(false));
        assert_eq!(f.emergency_measure, None);
    }
}
