//! The generator's tables: counties, agencies, laws, people, holidays
//! (`data/world.toml`), case scenarios (`data/scenarios.toml`) and defects
//! (`data/defects.toml`), compiled in and parsed once.

use anjuan_core::CaseKind;
use serde::Deserialize;
use std::sync::OnceLock;

const WORLD: &str = include_str!("../data/world.toml");
const SCENARIOS: &str = include_str!("../data/scenarios.toml");

#[derive(Debug, Deserialize)]
pub struct World {
    pub title_exclude: Vec<String>,
    pub county: Vec<County>,
    pub agency: Vec<Agency>,
    pub law: Vec<Law>,
    pub people: People,
    pub company: Company,
    pub place: Place,
    pub holiday: Vec<Holiday>,
}

#[derive(Debug, Deserialize)]
pub struct County {
    pub name: String,
    pub short: String,
    pub city: String,
    /// Administrative division code (first six digits of ID numbers and 统一社会信用代码 area).
    pub code: String,
    pub towns: Vec<String>,
    pub roads: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Agency {
    pub key: String,
    pub name: String,
    pub short: String,
    pub upper: String,
    pub unit: String,
    pub seal_label: String,
}

#[derive(Debug, Deserialize)]
pub struct Law {
    pub key: String,
    /// The statute's file stem in `shared/statutes/`.
    pub statute: String,
    pub title: String,
    pub short: String,
}

#[derive(Debug, Deserialize)]
pub struct People {
    pub surnames: Vec<String>,
    pub given: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Company {
    pub words: Vec<String>,
    pub forms: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Place {
    pub villages: Vec<String>,
    pub streets: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Holiday {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

/// A law cited by key and article (`["food_safety", "第三十四条第（十）项"]`).
#[derive(Debug, Clone, Deserialize)]
pub struct Citation(pub String, pub String);

/// One kind of goods/object with its specification, unit and unit price.
#[derive(Debug, Clone, Deserialize)]
pub struct Goods(pub String, pub String, pub String, pub f64);

#[derive(Debug, Deserialize)]
pub struct Scenario {
    pub key: String,
    pub kind: CaseKind,
    pub agency: String,
    pub parties: Vec<PartyKind>,
    pub cause: String,
    /// Trades of company parties (鑫源{商贸}有限公司).
    pub industries: Vec<String>,
    /// Sign suffixes of individual businesses (鑫源{超市}).
    pub shops: Vec<String>,
    #[serde(default)]
    pub source: String,
    pub place: String,
    pub goods: Vec<Goods>,
    pub qty: [u32; 2],
    pub inspection: String,
    // penalty
    #[serde(default)]
    pub facts: String,
    #[serde(default)]
    pub questions: Vec<[String; 2]>,
    #[serde(default)]
    pub violated: Vec<Citation>,
    #[serde(default)]
    pub basis: Vec<Citation>,
    #[serde(default)]
    pub penalty: String,
    #[serde(default)]
    pub penalty_kinds: String,
    #[serde(default)]
    pub fine: [u32; 3],
    #[serde(default)]
    pub hearing: bool,
    #[serde(default)]
    pub preservation: bool,
    #[serde(default)]
    pub correction: String,
    #[serde(default)]
    pub correction_basis: Vec<Citation>,
    // coercion
    #[serde(default)]
    pub modes: Vec<CoercionMode>,
    #[serde(default)]
    pub measure: String,
    #[serde(default)]
    pub measure_basis: Vec<Citation>,
    #[serde(default)]
    pub measure_object: String,
    #[serde(default)]
    pub execution: String,
    #[serde(default)]
    pub exec_basis: Vec<Citation>,
    #[serde(default)]
    pub underlying: String,
    #[serde(default)]
    pub substitute: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartyKind {
    Company,
    Person,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CoercionMode {
    Measure,
    Execution,
    Both,
}

#[derive(Debug, Deserialize)]
struct ScenarioFile {
    scenario: Vec<Scenario>,
}

pub fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| toml::from_str(WORLD).expect("crates/gen/data/world.toml is valid"))
}

pub fn scenarios() -> &'static [Scenario] {
    static S: OnceLock<Vec<Scenario>> = OnceLock::new();
    S.get_or_init(|| {
        let f: ScenarioFile =
            toml::from_str(SCENARIOS).expect("crates/gen/data/scenarios.toml is valid");
        f.scenario
    })
}

impl World {
    pub fn law(&self, key: &str) -> &Law {
        self.law
            .iter()
            .find(|l| l.key == key)
            .unwrap_or_else(|| panic!("world.toml: no law `{key}`"))
    }

    /// The registry of this world's enforcement units, as a county keeps it
    /// (`anjuan scan --units`): every agency of every county, named as it
    /// signs, with the prefix of its case numbers.
    pub fn units_toml(&self) -> String {
        let mut out = String::from(
            "# The enforcement units of the generator's counties (anjuan scan --units).\n",
        );
        for c in &self.county {
            for a in &self.agency {
                let name = a
                    .name
                    .replace("{county}", &c.name)
                    .replace("{city}", &c.city);
                out.push_str(&format!(
                    "\n[[unit]]\nname = \"{name}\"\ncase_prefix = \"{}{}\"\n",
                    c.short, a.short
                ));
            }
        }
        out
    }

    pub fn agency(&self, key: &str) -> &Agency {
        self.agency
            .iter()
            .find(|a| a.key == key)
            .unwrap_or_else(|| panic!("world.toml: no agency `{key}`"))
    }

    pub fn is_holiday(&self, d: chrono::NaiveDate) -> bool {
        self.holiday.iter().any(|h| h.from <= d && d <= h.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_units_registry_names_every_agency_of_every_county() {
        let w = world();
        let units = anjuan_core::units::Units::parse(&w.units_toml(), "units.toml").unwrap();
        assert_eq!(units.units.len(), w.county.len() * w.agency.len());
        let xi = units
            .units
            .iter()
            .find(|u| u.name == "隰县应急管理局")
            .expect("隰县应急管理局 registered");
        assert_eq!(xi.case_prefix.as_deref(), Some("隰应急"));
    }

    #[test]
    fn tables_parse_and_every_reference_resolves() {
        let w = world();
        assert!(w.county.len() >= 3 && w.agency.len() >= 6);
        for s in scenarios() {
            w.agency(&s.agency);
            for c in s
                .violated
                .iter()
                .chain(&s.basis)
                .chain(&s.correction_basis)
                .chain(&s.measure_basis)
                .chain(&s.exec_basis)
            {
                w.law(&c.0);
                assert!(
                    c.1.starts_with('第') && c.1.contains('条'),
                    "{}: {}",
                    s.key,
                    c.1
                );
            }
            assert!(
                !s.goods.is_empty()
                    && !s.parties.is_empty()
                    && !s.industries.is_empty()
                    && !s.shops.is_empty(),
                "{}",
                s.key
            );
            match s.kind {
                CaseKind::Penalty => assert!(!s.basis.is_empty() && !s.penalty.is_empty()),
                CaseKind::Coercion => assert!(!s.modes.is_empty()),
                CaseKind::Unknown => panic!("{}: unknown kind", s.key),
            }
        }
        let kinds: Vec<_> = scenarios().iter().map(|s| s.kind).collect();
        assert!(kinds.contains(&CaseKind::Penalty) && kinds.contains(&CaseKind::Coercion));
    }
}
