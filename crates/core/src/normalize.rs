//! The one normalisation step between OCR and everything downstream:
//! look-alike characters, full/half width and punctuation variants, as data
//! (`data/normalize.toml`). Every rule maps one character to one, so a
//! normalised line has the characters of the line as read at the same
//! positions: the text as read stays the evidence, the normalised text is
//! what classification and the checks read.

use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

const NORMALIZE_TOML: &str = include_str!("../data/normalize.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    #[serde(default)]
    fullwidth_alnum: bool,
    #[serde(default, rename = "char")]
    chars: Vec<Rule>,
    #[serde(default)]
    between_cjk: Vec<Rule>,
    #[serde(default)]
    between_digits: Vec<Rule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    to: String,
    from: Vec<String>,
}

/// A loaded normalisation table.
#[derive(Debug, Default)]
pub struct Normalizer {
    fullwidth_alnum: bool,
    always: HashMap<char, char>,
    between_cjk: HashMap<char, char>,
    between_digits: HashMap<char, char>,
}

#[derive(Debug, thiserror::Error)]
pub enum NormalizeError {
    #[error("{0}: {1}")]
    Parse(String, toml::de::Error),
    #[error("{0}: rule `{1}` ← `{2}`: each side must be one character")]
    NotOneChar(String, String, String),
}

fn one_char(s: &str) -> Option<char> {
    let mut it = s.chars();
    let c = it.next()?;
    it.next().is_none().then_some(c)
}

fn table(rules: &[Rule], origin: &str) -> Result<HashMap<char, char>, NormalizeError> {
    let mut map = HashMap::new();
    for r in rules {
        for f in &r.from {
            let (Some(to), Some(from)) = (one_char(&r.to), one_char(f)) else {
                return Err(NormalizeError::NotOneChar(
                    origin.into(),
                    r.to.clone(),
                    f.clone(),
                ));
            };
            map.insert(from, to);
        }
    }
    Ok(map)
}

/// A Chinese character (CJK unified ideographs and extension A).
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

impl Normalizer {
    /// The shipped table (`crates/core/data/normalize.toml`).
    pub fn builtin() -> &'static Normalizer {
        static N: OnceLock<Normalizer> = OnceLock::new();
        N.get_or_init(|| {
            Normalizer::parse(NORMALIZE_TOML, "normalize.toml").expect("shipped normalize.toml")
        })
    }

    pub fn parse(text: &str, origin: &str) -> Result<Normalizer, NormalizeError> {
        let spec: Spec =
            toml::from_str(text).map_err(|e| NormalizeError::Parse(origin.into(), e))?;
        Ok(Normalizer {
            fullwidth_alnum: spec.fullwidth_alnum,
            always: table(&spec.chars, origin)?,
            between_cjk: table(&spec.between_cjk, origin)?,
            between_digits: table(&spec.between_digits, origin)?,
        })
    }

    /// `s` normalised; the same number of characters, borrowed when nothing
    /// changes.
    pub fn normalize<'s>(&self, s: &'s str) -> Cow<'s, str> {
        let chars: Vec<char> = s.chars().collect();
        let mut out: Option<Vec<char>> = None;
        for i in 0..chars.len() {
            let c = chars[i];
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let around = |test: fn(char) -> bool| prev.is_some_and(test) && next.is_some_and(test);
            let mapped = if let Some(&m) = self.always.get(&c) {
                m
            } else if self.fullwidth_alnum
                && c.is_alphanumeric()
                && ('\u{FF10}'..='\u{FF5A}').contains(&c)
            {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            } else if let Some(&m) = self.between_cjk.get(&c).filter(|_| around(is_cjk)) {
                m
            } else if let Some(&m) = self
                .between_digits
                .get(&c)
                .filter(|_| around(|x| x.is_ascii_digit() || ('０'..='９').contains(&x)))
            {
                m
            } else {
                c
            };
            if mapped != c {
                out.get_or_insert_with(|| chars.clone())[i] = mapped;
            }
        }
        match out {
            None => Cow::Borrowed(s),
            Some(v) => Cow::Owned(v.into_iter().collect()),
        }
    }
}

/// `s` through the shipped table.
pub fn normalize(s: &str) -> Cow<'_, str> {
    Normalizer::builtin().normalize(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alike_separators_become_structure() {
        // Two officers, not one: the enumeration comma's look-alikes.
        assert_eq!(normalize("执法人员：张伟丶李娜"), "执法人员：张伟、李娜");
        assert_eq!(normalize("执法人员:张伟\\李娜"), "执法人员：张伟、李娜");
        assert_eq!(normalize("张伟,李娜"), "张伟，李娜");
        // Full width to half width, numbers' misreads between digits.
        assert_eq!(normalize("执法证号：１４１０３３"), "执法证号：141033");
        assert_eq!(normalize("蒲市监罚［2O22］15号"), "蒲市监罚〔2022〕15号");
        // Left alone: ASCII punctuation among Latin text or digits, a time,
        // 〇 in a Chinese-numeral year, a lone O.
        assert_eq!(normalize("9:00"), "9:00");
        assert_eq!(normalize("二〇二二年"), "二〇二二年");
        assert_eq!(normalize("ISO 9001, O"), "ISO 9001, O");
        assert!(matches!(normalize("询问笔录"), Cow::Borrowed(_)));
    }

    #[test]
    fn normalising_keeps_every_position() {
        for s in ["张伟丶李娜、王芳", "2O22年l月", "ＡＢ：１２", "a,b:c", ""] {
            assert_eq!(normalize(s).chars().count(), s.chars().count(), "{s}");
        }
    }

    #[test]
    fn a_rule_of_two_characters_is_refused() {
        let bad = "[[char]]\nto = \"、\"\nfrom = [\"ab\"]\n";
        assert!(matches!(
            Normalizer::parse(bad, "t.toml"),
            Err(NormalizeError::NotOneChar(..))
        ));
    }
}
