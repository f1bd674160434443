//! Template families (`data/families.toml`): how one county's or agency's
//! documents are titled, labelled and worded. The first family, `default`,
//! is complete and reproduces the generator's original output; the others
//! list what differs and inherit the rest.
//!
//! A dossier's family is chosen by `--family NAME|mixed`. What a family
//! leaves to chance (one of several titles, old or new wording, a separator)
//! is drawn from the dossier's *family stream*, a ChaCha8 stream apart from
//! the one the case, defects and scan draw from, so that the same seed gives
//! the same case in every family and the default family draws nothing new.

use crate::dossier::Spec;
use crate::text::{fill, Vars};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const FAMILIES: &str = include_str!("../data/families.toml");

/// The name `--family` takes to draw a family per dossier.
pub const MIXED: &str = "mixed";
pub const DEFAULT: &str = "default";

/// Mixed into the seed of the family stream (the bytes of "family").
const STREAM_SALT: u64 = 0x6661_6d69_6c79;

/// One text or several lawful alternatives of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Alt {
    One(String),
    Many(Vec<String>),
}

impl Alt {
    pub fn options(&self) -> &[String] {
        match self {
            Alt::One(s) => std::slice::from_ref(s),
            Alt::Many(v) => v,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Attach {
    /// The seized-items list is printed inside the 查封(扣押) decision.
    pub items_in_decision: bool,
    /// The ID-card copy is bound with the licence copy.
    pub id_with_licence: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageNumber {
    /// Handwritten or stamped, drawn per dossier (the default's way).
    Any,
    Handwritten,
    /// Stamped, boxed or not by chance.
    Stamped,
    /// Stamped, zero-padded in a box.
    Boxed,
    /// Stamped, bare digits.
    Plain,
}

/// How approval and review forms are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Forms {
    /// Ruled tables (label cells beside opinion cells).
    Table,
    /// `label：` lines down the page, as on forms printed without rules.
    Prose,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Family {
    pub key: String,
    pub name: String,
    /// The template files (`shared/templates/`) the family is modelled on.
    pub source: Vec<String>,
    #[serde(default)]
    pub titles: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub contents_names: BTreeMap<String, String>,
    pub labels: BTreeMap<String, Alt>,
    pub statements: BTreeMap<String, Alt>,
    pub separators: Vec<String>,
    #[serde(default)]
    pub sign_separator: Option<String>,
    pub attach: Attach,
    pub page_number: PageNumber,
    pub forms: Forms,
}

impl Family {
    pub fn is_default(&self) -> bool {
        self.key == DEFAULT
    }
}

/// Every family, `default` first.
pub fn all() -> &'static [Family] {
    static F: OnceLock<Vec<Family>> = OnceLock::new();
    F.get_or_init(|| parse(FAMILIES).expect("crates/gen/data/families.toml is valid"))
}

/// The family called `key`.
pub fn get(key: &str) -> Option<&'static Family> {
    all().iter().find(|f| f.key == key)
}

pub fn names() -> Vec<&'static str> {
    all().iter().map(|f| f.key.as_str()).collect()
}

/// Checks a `--family` value: a family's key or `mixed`.
pub fn check_choice(choice: &str) -> anyhow::Result<()> {
    if choice == MIXED || get(choice).is_some() {
        Ok(())
    } else {
        anyhow::bail!(
            "--family {choice}: no such family (known: {}, or {MIXED})",
            names().join(", ")
        )
    }
}

/// The dossier's family stream: depends only on (seed, index).
pub fn stream(spec: &Spec) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ STREAM_SALT);
    rng.set_stream(spec.index);
    rng
}

/// The family of a dossier for a `--family` value, and its family stream
/// after any draw `mixed` made.
pub fn resolve(choice: &str, spec: &Spec) -> (&'static Family, ChaCha8Rng) {
    let mut rng = stream(spec);
    let family = if choice == MIXED {
        all().choose(&mut rng).expect("at least one family")
    } else {
        get(choice).unwrap_or_else(|| panic!("unknown family `{choice}`"))
    };
    (family, rng)
}

/// Parses the families, each merged over the first.
fn parse(text: &str) -> anyhow::Result<Vec<Family>> {
    let root: toml::Table = toml::from_str(text)?;
    let list = root
        .get("family")
        .and_then(|v| v.as_array())
        .ok_or_else(|| anyhow::anyhow!("no [[family]]"))?;
    let base = list
        .first()
        .and_then(|v| v.as_table())
        .ok_or_else(|| anyhow::anyhow!("the first family is not a table"))?
        .clone();
    let mut out: Vec<Family> = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let own = v
            .as_table()
            .ok_or_else(|| anyhow::anyhow!("family {i} is not a table"))?;
        let mut merged = base.clone();
        if i > 0 {
            // A family inherits the default's statements and labels, not its
            // title choices (the default draws those from doc-types.toml).
            merged.remove("titles");
            merged.remove("contents_names");
            merged.remove("sign_separator");
            merge(&mut merged, own);
        }
        let f: Family = toml::Value::Table(merged).try_into()?;
        if out.iter().any(|o| o.key == f.key) {
            anyhow::bail!("family `{}` twice", f.key);
        }
        for (k, _) in f.labels.iter().chain(&f.statements) {
            if !base_has(&base, k) {
                anyhow::bail!(
                    "family `{}`: `{k}` is not a key of the default family",
                    f.key
                );
            }
        }
        out.push(f);
    }
    Ok(out)
}

fn base_has(base: &toml::Table, key: &str) -> bool {
    ["labels", "statements"].iter().any(|t| {
        base.get(*t)
            .and_then(|v| v.as_table())
            .is_some_and(|t| t.contains_key(key))
    })
}

/// Tables merge key by key; anything else replaces.
fn merge(into: &mut toml::Table, from: &toml::Table) {
    for (k, v) in from {
        match (into.get_mut(k), v) {
            (Some(toml::Value::Table(a)), toml::Value::Table(b)) => merge(a, b),
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// A family's wording as drawn for one dossier.
#[derive(Debug, Clone)]
pub struct Wording {
    pub family: &'static Family,
    pub labels: BTreeMap<String, String>,
    pub statements: BTreeMap<String, String>,
    pub separator: String,
}

impl Wording {
    /// Draws the alternatives of `family` from `rng` (nothing is drawn where
    /// there is one option, so the default family draws nothing).
    pub fn draw(family: &'static Family, rng: &mut ChaCha8Rng) -> Wording {
        let mut pick = |a: &Alt| -> String {
            let o = a.options();
            if o.len() == 1 {
                o[0].clone()
            } else {
                o.choose(rng).expect("an option").clone()
            }
        };
        let labels = family
            .labels
            .iter()
            .map(|(k, a)| (k.clone(), pick(a)))
            .collect();
        let statements = family
            .statements
            .iter()
            .map(|(k, a)| (k.clone(), pick(a)))
            .collect();
        let separator = pick(&Alt::Many(family.separators.clone()));
        Wording {
            family,
            labels,
            statements,
            separator,
        }
    }

    pub fn label(&self, key: &str) -> &str {
        self.labels
            .get(key)
            .unwrap_or_else(|| panic!("families.toml: no label `{key}`"))
    }

    /// A statement with its `{placeholders}` filled.
    pub fn say(&self, key: &str, vars: &[(&'static str, String)]) -> String {
        let t = self
            .statements
            .get(key)
            .unwrap_or_else(|| panic!("families.toml: no statement `{key}`"));
        let vars: Vars = vars.iter().cloned().collect();
        fill(t, &vars)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_parse_inherit_and_differ() {
        let fams = all();
        assert!(fams.len() >= 6, "{}", fams.len());
        assert_eq!(fams[0].key, DEFAULT);
        let d = &fams[0];
        let types = anjuan_core::doctype::DocTypes::builtin();
        for f in fams {
            // Everything the default has, every family has (inherited).
            assert_eq!(
                f.labels.keys().collect::<Vec<_>>(),
                d.labels.keys().collect::<Vec<_>>(),
                "{}",
                f.key
            );
            assert_eq!(f.statements.len(), d.statements.len(), "{}", f.key);
            assert!(!f.source.is_empty() && !f.separators.is_empty());
            for code in f.titles.keys().chain(f.contents_names.keys()) {
                assert!(
                    types.types.iter().any(|t| &t.code == code),
                    "{}: `{code}` is no doc-type code",
                    f.key
                );
            }
            if !f.is_default() {
                let differs = f
                    .labels
                    .iter()
                    .filter(|(k, v)| v.options() != d.labels[*k].options())
                    .count()
                    + f.statements
                        .iter()
                        .filter(|(k, v)| v.options() != d.statements[*k].options())
                        .count();
                assert!(
                    differs >= 4,
                    "{} differs from default in {differs} texts",
                    f.key
                );
                assert!(f.titles.len() >= 8, "{}", f.key);
            }
        }
        check_choice("mixed").unwrap();
        assert!(check_choice("nosuch")
            .unwrap_err()
            .to_string()
            .contains("wuji"));
    }
}
