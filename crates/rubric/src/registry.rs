//! The registry of machine checks and procedure facts (`rubrics/checks.toml`).
//!
//! Rubric items name the check that judges them; the checks themselves are
//! implemented elsewhere, by these names. Facts are what `applies_when`
//! conditions are written in; the registry gives each its wording for
//! `not_applicable` reasons.

use crate::facts::FACT_NAMES;
use crate::load::{line_of, Problem};
use serde::Deserialize;
use std::path::Path;
use std::sync::OnceLock;
use toml::Spanned;

/// The check name of items that only a person can judge.
pub const MANUAL: &str = "manual";

const BUILTIN: &str = include_str!("../../../rubrics/checks.toml");

/// A machine check, by name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDef {
    pub name: String,
    /// What it judges, in Chinese.
    pub zh: String,
    /// What it judges, in English.
    pub en: String,
}

/// A procedure fact and how a reason names it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactDef {
    pub name: String,
    /// The fact holding, in Chinese (当事人申请听证).
    pub yes: String,
    /// The fact not holding, in Chinese (当事人未申请听证).
    pub no: String,
    pub en: String,
    /// Document types whose presence in a file shows the fact holds.
    #[serde(default)]
    pub evidenced_by: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Registry {
    pub checks: Vec<CheckDef>,
    pub facts: Vec<FactDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    #[serde(default, rename = "check")]
    checks: Vec<Spanned<CheckDef>>,
    #[serde(default, rename = "fact")]
    facts: Vec<Spanned<FactDef>>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", crate::load::format_problems(path, problems))]
    Invalid {
        path: String,
        problems: Vec<Problem>,
    },
}

impl Registry {
    /// The shipped registry (`rubrics/checks.toml`), parsed once.
    pub fn builtin() -> &'static Registry {
        static REG: OnceLock<Registry> = OnceLock::new();
        REG.get_or_init(|| {
            Registry::parse(BUILTIN, "rubrics/checks.toml")
                .unwrap_or_else(|e| panic!("shipped checks.toml is invalid:\n{e}"))
        })
    }

    pub fn load(path: &Path) -> Result<Registry, RegistryError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| RegistryError::Read {
            path: p.clone(),
            source,
        })?;
        Registry::parse(&text, &p)
    }

    pub fn parse(text: &str, path: &str) -> Result<Registry, RegistryError> {
        let invalid = |problems| RegistryError::Invalid {
            path: path.to_string(),
            problems,
        };
        let raw: RawRegistry =
            toml::from_str(text).map_err(|e| invalid(vec![Problem::from_toml(text, &e)]))?;
        let mut problems = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        for c in &raw.checks {
            let line = line_of(text, c.span().start);
            let name = c.get_ref().name.as_str();
            if name == MANUAL {
                problems.push(Problem::at(
                    line,
                    format!("`{MANUAL}` is reserved, not a check"),
                ));
            } else if !is_name(name) {
                problems.push(Problem::at(
                    line,
                    format!("check name `{name}`: use lower-case letters, digits and `_`"),
                ));
            } else if names.contains(&name) {
                problems.push(Problem::at(line, format!("duplicate check `{name}`")));
            }
            names.push(name);
        }
        let mut facts: Vec<&str> = Vec::new();
        for f in &raw.facts {
            let line = line_of(text, f.span().start);
            let name = f.get_ref().name.as_str();
            if !FACT_NAMES.contains(&name) {
                problems.push(Problem::at(
                    line,
                    format!("unknown fact `{name}` (facts: {})", FACT_NAMES.join(", ")),
                ));
            } else if facts.contains(&name) {
                problems.push(Problem::at(line, format!("duplicate fact `{name}`")));
            }
            for code in &f.get_ref().evidenced_by {
                if !anjuan_core::doctype::DocTypes::builtin().contains(code) {
                    problems.push(Problem::at(
                        line,
                        format!("fact `{name}`: unknown document type `{code}`"),
                    ));
                }
            }
            facts.push(name);
        }
        for name in FACT_NAMES {
            if !facts.contains(name) {
                problems.push(Problem::new(format!("fact `{name}` is not described")));
            }
        }
        if !problems.is_empty() {
            return Err(invalid(problems));
        }
        Ok(Registry {
            checks: raw.checks.into_iter().map(Spanned::into_inner).collect(),
            facts: raw.facts.into_iter().map(Spanned::into_inner).collect(),
        })
    }

    pub fn check(&self, name: &str) -> Option<&CheckDef> {
        self.checks.iter().find(|c| c.name == name)
    }

    pub fn fact(&self, name: &str) -> Option<&FactDef> {
        self.facts.iter().find(|f| f.name == name)
    }

    /// Whether `name` is a registered check or `manual`.
    pub fn knows_check(&self, name: &str) -> bool {
        name == MANUAL || self.check(name).is_some()
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_registry_describes_every_fact() {
        let r = Registry::builtin();
        for name in FACT_NAMES {
            assert!(r.fact(name).is_some(), "{name}");
        }
        assert!(r.knows_check("manual"));
        assert!(r.knows_check("signature"));
        assert!(!r.knows_check("telepathy"));
    }

    #[test]
    fn duplicate_and_reserved_checks_are_named_with_their_line() {
        let mut text = String::from(BUILTIN);
        text.push_str("\n[[check]]\nname = \"signature\"\nzh = \"x\"\nen = \"x\"\n");
        text.push_str("\n[[check]]\nname = \"manual\"\nzh = \"x\"\nen = \"x\"\n");
        let lines = BUILTIN.lines().count();
        let e = Registry::parse(&text, "my-checks.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!(
                "my-checks.toml:{}: duplicate check `signature`",
                lines + 2
            )),
            "{e}"
        );
        assert!(
            e.contains(&format!(
                "my-checks.toml:{}: `manual` is reserved",
                lines + 7
            )),
            "{e}"
        );
    }
}
