//! The county's registered enforcement units (执法单位): their names as they
//! sign their documents and the prefix of their case numbers (文号).
//!
//! A county knows its own units; the OCR does not always read their names.
//! A place name may hold a character the recogniser has no class for (隰 of
//! 隰县 is not in PP-OCRv4's dictionary: 隰县应急管理局 comes back as
//! 县应急管理局, 隰应急罚〔2024〕41号 as 应急罚〔2024〕41号). With the
//! registry given (`anjuan scan --units FILE`), a name read close to a
//! registered one is that unit, and a case number whose prefix lost its
//! first characters gets them back from the unit's registered prefix.
//! Nothing is guessed without the registry, and a reading close to no unit
//! stays as read.
//!
//! The scan tells the registry which of its characters the recogniser has
//! no class for ([`Units::mark_unreadable`]): such a character missing from
//! a reading costs nothing (县应急管理局 is 隰县应急管理局, not 蒲县应急管理局,
//! when 蒲 can be read and 隰 cannot), and only such characters are put back
//! at the head of a case number.
//!
//! The file (TOML):
//!
//! ```toml
//! [[unit]]
//! name = "隰县应急管理局"
//! case_prefix = "隰应急"        # optional: 隰应急罚〔2024〕41号
//! aliases = ["隰县应急局"]      # optional: other names it signs with
//! ```

use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Units {
    #[serde(default, rename = "unit")]
    pub units: Vec<Unit>,
    /// Characters of the registry the OCR engine cannot read (set by the
    /// scan from its engine, not by the file).
    #[serde(skip)]
    pub unreadable: BTreeSet<char>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub name: String,
    #[serde(default)]
    pub case_prefix: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A name read counts as a registered one when at most this share of its
/// characters differ (one in five: 县应急管理局 for 隰县应急管理局).
const MIN_SIMILARITY: f32 = 0.8;

impl Units {
    pub fn parse(text: &str, origin: &str) -> Result<Units, String> {
        let units: Units = toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        for u in &units.units {
            if u.name.trim().is_empty() {
                return Err(format!("{origin}: a unit with an empty name"));
            }
        }
        Ok(units)
    }

    pub fn load(path: &Path) -> Result<Units, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        Units::parse(&text, &path.display().to_string())
    }

    /// Records which of the registry's characters `can_read` says the
    /// recogniser cannot read.
    pub fn mark_unreadable(&mut self, can_read: impl Fn(char) -> bool) {
        let chars: BTreeSet<char> = self
            .units
            .iter()
            .flat_map(|u| {
                std::iter::once(&u.name)
                    .chain(&u.aliases)
                    .chain(u.case_prefix.as_ref())
            })
            .flat_map(|s| s.chars())
            .filter(|c| !c.is_whitespace())
            .collect();
        self.unreadable = chars.into_iter().filter(|&c| !can_read(c)).collect();
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// The registered unit an agency name read on the documents stands for:
    /// the one whose name (or alias) is closest, if close enough and no
    /// other unit is as close.
    pub fn unit_of(&self, read: &str) -> Option<&Unit> {
        let read = squash(read);
        if read.is_empty() {
            return None;
        }
        let mut best: Option<(&Unit, f32)> = None;
        let mut tie = false;
        for u in &self.units {
            let s = std::iter::once(&u.name)
                .chain(&u.aliases)
                .map(|n| self.similarity(&read, &squash(n)))
                .fold(0.0, f32::max);
            match best {
                Some((_, b)) if s < b => {}
                Some((_, b)) if s == b => tie = true,
                _ => {
                    best = Some((u, s));
                    tie = false;
                }
            }
        }
        best.filter(|&(_, s)| s >= MIN_SIMILARITY && !tie)
            .map(|(u, _)| u)
    }

    /// `read` (the agency) and `number` (the case number) as the registry
    /// has them: the unit's registered name, and the number with the
    /// characters its prefix lost put back (a number that begins with the
    /// tail of the unit's prefix, not with the prefix).
    pub fn resolve(
        &self,
        read: Option<&str>,
        number: Option<&str>,
    ) -> (Option<String>, Option<String>) {
        let unit = read.and_then(|r| self.unit_of(r));
        let agency = unit.map(|u| u.name.clone()).or(read.map(str::to_string));
        let number = match (unit.and_then(|u| u.case_prefix.as_deref()), number) {
            (Some(prefix), Some(n)) => Some(self.restore_prefix(prefix, n)),
            (_, n) => n.map(str::to_string),
        };
        (agency, number)
    }
}

impl Units {
    /// `number` with the head of `prefix` it lost, when that head is
    /// characters the OCR cannot read: 应急罚〔2024〕41号 with prefix 隰应急
    /// → 隰应急罚〔2024〕41号. Any other number is left as read.
    fn restore_prefix(&self, prefix: &str, number: &str) -> String {
        if number.starts_with(prefix) {
            return number.to_string();
        }
        let chars: Vec<char> = prefix.chars().collect();
        for k in 1..chars.len() {
            let tail: String = chars[k..].iter().collect();
            if number.starts_with(&tail) {
                if !chars[..k].iter().all(|c| self.unreadable.contains(c)) {
                    break;
                }
                let head: String = chars[..k].iter().collect();
                return format!("{head}{number}");
            }
        }
        number.to_string()
    }

    /// 1 − edit cost / longer length, on characters, `read` against a
    /// registered `name`; a character of `name` the OCR cannot read costs
    /// nothing when missing from `read` and half when read as another.
    fn similarity(&self, read: &str, name: &str) -> f32 {
        let a: Vec<char> = read.chars().collect();
        let b: Vec<char> = name.chars().collect();
        let longer = a.len().max(b.len());
        if longer == 0 {
            return 1.0;
        }
        let lost = |c: &char| {
            if self.unreadable.contains(c) {
                0.0
            } else {
                1.0
            }
        };
        let swapped = |c: &char| {
            if self.unreadable.contains(c) {
                0.5
            } else {
                1.0
            }
        };
        // row[j]: cost of a[..i] against b[..j].
        let mut row: Vec<f32> = std::iter::once(0.0)
            .chain(b.iter().scan(0.0, |acc, c| {
                *acc += lost(c);
                Some(*acc)
            }))
            .collect();
        for ca in &a {
            let mut diag = row[0];
            row[0] += 1.0;
            for (j, cb) in b.iter().enumerate() {
                let up = row[j + 1];
                let subst = diag + if ca == cb { 0.0 } else { swapped(cb) };
                row[j + 1] = subst.min(up + 1.0).min(row[j] + lost(cb));
                diag = up;
            }
        }
        1.0 - row[b.len()] / longer as f32
    }
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> Units {
        let mut u = Units::parse(
            r#"
            [[unit]]
            name = "隰县应急管理局"
            case_prefix = "隰应急"
            [[unit]]
            name = "蒲县应急管理局"
            case_prefix = "蒲应急"
            [[unit]]
            name = "临汾市生态环境局隰县分局"
            case_prefix = "临环隰"
            aliases = ["隰县环保分局"]
            "#,
            "test",
        )
        .unwrap();
        u.mark_unreadable(|c| c != '隰');
        u
    }

    #[test]
    fn a_name_that_lost_a_character_the_ocr_cannot_read_is_its_unit() {
        let u = registry();
        assert_eq!(
            u.resolve(Some("县应急管理局"), Some("应急罚〔2024〕41号")),
            (
                Some("隰县应急管理局".to_string()),
                Some("隰应急罚〔2024〕41号".to_string())
            )
        );
        // Read right: as read.
        assert_eq!(
            u.resolve(Some("蒲县应急管理局"), Some("蒲应急罚〔2024〕7号")),
            (
                Some("蒲县应急管理局".to_string()),
                Some("蒲应急罚〔2024〕7号".to_string())
            )
        );
        assert_eq!(
            u.unit_of("隰县环保分局").unwrap().name,
            "临汾市生态环境局隰县分局"
        );
        // Read as a look-alike: still the unit.
        assert_eq!(u.unit_of("湿县应急管理局").unwrap().name, "隰县应急管理局");
    }

    #[test]
    fn a_character_the_ocr_can_read_is_not_taken_for_lost() {
        let u = registry();
        // 蒲 can be read: a number without it is not given it back.
        assert_eq!(
            u.resolve(Some("蒲县应急管理局"), Some("应急罚〔2024〕7号"))
                .1
                .as_deref(),
            Some("应急罚〔2024〕7号")
        );
        // Without the engine's word, a lost county name matches two units:
        // neither.
        let mut blind = registry();
        blind.unreadable.clear();
        assert_eq!(blind.unit_of("县应急管理局"), None);
        assert_eq!(
            blind.resolve(Some("县应急管理局"), Some("应急罚〔2024〕41号")),
            (
                Some("县应急管理局".to_string()),
                Some("应急罚〔2024〕41号".to_string())
            )
        );
    }

    #[test]
    fn a_name_close_to_no_unit_or_to_two_stays_as_read() {
        let u = registry();
        assert_eq!(
            u.resolve(Some("吉县自然资源局"), Some("吉自然资罚〔2024〕3号")),
            (
                Some("吉县自然资源局".to_string()),
                Some("吉自然资罚〔2024〕3号".to_string())
            )
        );
        // 某县应急管理局: 隰 may come back as another character, 蒲 would be
        // read; with no word from the engine it is as close to both: neither.
        assert_eq!(u.unit_of("某县应急管理局").unwrap().name, "隰县应急管理局");
        let mut blind = registry();
        blind.unreadable.clear();
        assert_eq!(blind.unit_of("某县应急管理局"), None);
        assert_eq!(
            u.resolve(None, Some("应急罚〔2024〕41号")).1.as_deref(),
            Some("应急罚〔2024〕41号")
        );
        assert!(
            Units::default()
                .resolve(Some("县应急管理局"), None)
                .0
                .as_deref()
                == Some("县应急管理局")
        );
    }

    #[test]
    fn a_bad_registry_names_its_file() {
        let e = Units::parse("[[unit]]\nnam = \"x\"\n", "units.toml").unwrap_err();
        assert!(e.starts_with("units.toml:"), "{e}");
        let e = Units::parse("[[unit]]\nname = \" \"\n", "units.toml").unwrap_err();
        assert!(e.contains("empty name"), "{e}");
    }
}
