//! Document-type codes (`shared/doc-types.md`), read from `rubrics/doc-types.toml`.
//!
//! The table is data: adding a variant title or a type is an edit to the TOML
//! file, not to code. The shipped table is compiled in; [`DocTypes::load`]
//! reads another one.

use crate::CaseKind;
use serde::Deserialize;
use std::path::Path;
use std::sync::OnceLock;

const BUILTIN: &str = include_str!("../../../rubrics/doc-types.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct DocType {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub variants: Vec<String>,
    /// "penalty", "coercion" or "any"
    pub kinds: Vec<String>,
}

impl DocType {
    /// Whether files of `kind` may hold this type.
    pub fn in_kind(&self, kind: CaseKind) -> bool {
        self.kinds.iter().any(|k| k == "any" || k == kind.as_str())
    }

    /// The usual title followed by its variants.
    pub fn titles(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.title.as_str()).chain(self.variants.iter().map(String::as_str))
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DocTypes {
    #[serde(rename = "type")]
    pub types: Vec<DocType>,
}

#[derive(Debug, thiserror::Error)]
pub enum DocTypesError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl DocTypes {
    /// The shipped table (`rubrics/doc-types.toml`), parsed once.
    pub fn builtin() -> &'static DocTypes {
        static TABLE: OnceLock<DocTypes> = OnceLock::new();
        TABLE.get_or_init(|| {
            Self::parse(BUILTIN, "rubrics/doc-types.toml").expect("shipped doc-types.toml is valid")
        })
    }

    pub fn load(path: &Path) -> Result<DocTypes, DocTypesError> {
        let text = std::fs::read_to_string(path).map_err(|e| DocTypesError::Invalid {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, path: &str) -> Result<DocTypes, DocTypesError> {
        let invalid = |message: String| DocTypesError::Invalid {
            path: path.to_string(),
            message,
        };
        let table: DocTypes = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut seen = std::collections::HashSet::new();
        for t in &table.types {
            if !seen.insert(t.code.as_str()) {
                return Err(invalid(format!("duplicate code `{}`", t.code)));
            }
            for k in &t.kinds {
                if !matches!(k.as_str(), "any" | "penalty" | "coercion") {
                    return Err(invalid(format!("type `{}`: unknown kind `{k}`", t.code)));
                }
            }
        }
        for required in ["other", "cover", "contents", "reference_sheet"] {
            if !seen.contains(required) {
                return Err(invalid(format!("missing required code `{required}`")));
            }
        }
        Ok(table)
    }

    pub fn get(&self, code: &str) -> Option<&DocType> {
        self.types.iter().find(|t| t.code == code)
    }

    pub fn contains(&self, code: &str) -> bool {
        self.get(code).is_some()
    }

    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.types.iter().map(|t| t.code.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_has_every_code_of_doc_types_md() {
        let t = DocTypes::builtin();
        assert_eq!(t.types.len(), 36);
        for code in [
            "interview_record",
            "penalty_decision",
            "seized_items_list",
            "other",
        ] {
            assert!(t.contains(code), "{code}");
        }
        assert!(t
            .get("penalty_decision")
            .unwrap()
            .in_kind(CaseKind::Penalty));
        assert!(!t
            .get("penalty_decision")
            .unwrap()
            .in_kind(CaseKind::Coercion));
        assert!(t
            .get("service_receipt")
            .unwrap()
            .in_kind(CaseKind::Coercion));
    }

    #[test]
    fn duplicate_codes_are_rejected_with_the_file_name() {
        let text = "[[type]]\ncode='other'\ntitle='a'\nkinds=['any']\n[[type]]\ncode='other'\ntitle='b'\nkinds=['any']\n";
        let e = DocTypes::parse(text, "x.toml").unwrap_err().to_string();
        assert!(e.contains("x.toml") && e.contains("duplicate"), "{e}");
    }
}
