//! `applies_when` expressions: fact names joined by `and`, `or`, `not` and
//! parentheses (`coercive_measure and emergency_measure`), evaluated in
//! three-valued logic: an unknown fact may leave the answer unknown.

use crate::facts::Facts;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Fact(String),
    Not(Box<Condition>),
    And(Vec<Condition>),
    Or(Vec<Condition>),
}

impl Condition {
    /// Parses an expression; `is_fact` says which names are facts.
    pub fn parse(text: &str, is_fact: impl Fn(&str) -> bool) -> Result<Condition, String> {
        let tokens = tokenize(text);
        if tokens.is_empty() {
            return Err("empty condition".into());
        }
        let mut p = Parser {
            tokens: &tokens,
            pos: 0,
            is_fact: &is_fact,
        };
        let c = p.or()?;
        match p.tokens.get(p.pos) {
            None => Ok(c),
            Some(t) => Err(format!("unexpected `{t}` in condition `{text}`")),
        }
    }

    /// Kleene evaluation: `None` when unknown facts leave it open.
    pub fn eval(&self, facts: &Facts) -> Option<bool> {
        match self {
            // Names were checked at parse time.
            Condition::Fact(n) => facts.get(n).ok().flatten(),
            Condition::Not(c) => c.eval(facts).map(|v| !v),
            Condition::And(cs) => {
                let vals: Vec<_> = cs.iter().map(|c| c.eval(facts)).collect();
                if vals.contains(&Some(false)) {
                    Some(false)
                } else if vals.iter().all(|v| *v == Some(true)) {
                    Some(true)
                } else {
                    None
                }
            }
            Condition::Or(cs) => {
                let vals: Vec<_> = cs.iter().map(|c| c.eval(facts)).collect();
                if vals.contains(&Some(true)) {
                    Some(true)
                } else if vals.iter().all(|v| *v == Some(false)) {
                    Some(false)
                } else {
                    None
                }
            }
        }
    }

    /// The facts (name, value) that make the condition evaluate to `want`:
    /// what a `not_applicable` reason should name.
    pub fn explain(&self, facts: &Facts, want: bool) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        self.explain_into(facts, want, &mut out);
        out
    }

    fn explain_into(&self, facts: &Facts, want: bool, out: &mut Vec<(String, bool)>) {
        match self {
            Condition::Fact(n) => {
                if facts.get(n).ok().flatten() == Some(want) && !out.iter().any(|(m, _)| m == n) {
                    out.push((n.clone(), want));
                }
            }
            Condition::Not(c) => c.explain_into(facts, !want, out),
            // `and` is false through any false part, `or` true through any true part.
            Condition::And(cs) | Condition::Or(cs) => {
                let decisive = matches!(self, Condition::Or(_)) == want;
                for c in cs {
                    if !decisive || c.eval(facts) == Some(want) {
                        c.explain_into(facts, want, out);
                    }
                }
            }
        }
    }

    /// Both conditions must hold.
    pub fn and(self, other: Condition) -> Condition {
        let mut parts = Vec::new();
        for c in [self, other] {
            match c {
                Condition::And(cs) => parts.extend(cs),
                c => parts.push(c),
            }
        }
        Condition::And(parts)
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, cs: &[Condition], op: &str| {
            for (i, c) in cs.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                match c {
                    Condition::And(_) | Condition::Or(_) => write!(f, "({c})")?,
                    _ => write!(f, "{c}")?,
                }
            }
            Ok(())
        };
        match self {
            Condition::Fact(n) => write!(f, "{n}"),
            Condition::Not(c) => match **c {
                Condition::Fact(_) | Condition::Not(_) => write!(f, "not {c}"),
                _ => write!(f, "not ({c})"),
            },
            Condition::And(cs) => join(f, cs, "and"),
            Condition::Or(cs) => join(f, cs, "or"),
        }
    }
}

fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for ch in text.chars() {
        if ch.is_whitespace() || ch == '(' || ch == ')' {
            if !word.is_empty() {
                tokens.push(std::mem::take(&mut word));
            }
            if !ch.is_whitespace() {
                tokens.push(ch.to_string());
            }
        } else {
            word.push(ch);
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    tokens
}

struct Parser<'a> {
    tokens: &'a [String],
    pos: usize,
    is_fact: &'a dyn Fn(&str) -> bool,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(String::as_str)
    }

    fn or(&mut self) -> Result<Condition, String> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some("or") {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Condition::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Condition, String> {
        let mut parts = vec![self.unary()?];
        while self.peek() == Some("and") {
            self.pos += 1;
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Condition::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Condition, String> {
        let Some(tok) = self.peek().map(str::to_string) else {
            return Err("condition ends where a fact was expected".into());
        };
        self.pos += 1;
        match tok.as_str() {
            "not" => Ok(Condition::Not(Box::new(self.unary()?))),
            "(" => {
                let c = self.or()?;
                if self.peek() != Some(")") {
                    return Err("missing `)` in condition".into());
                }
                self.pos += 1;
                Ok(c)
            }
            ")" | "and" | "or" => Err(format!("unexpected `{tok}` where a fact was expected")),
            name if (self.is_fact)(name) => Ok(Condition::Fact(name.to_string())),
            name => Err(format!("unknown fact `{name}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::FACT_NAMES;

    fn parse(s: &str) -> Result<Condition, String> {
        Condition::parse(s, |n| FACT_NAMES.contains(&n))
    }

    #[test]
    fn parses_precedence_and_parentheses() {
        let c = parse("enforcement or coercive_measure and not emergency_measure").unwrap();
        assert_eq!(
            c.to_string(),
            "enforcement or (coercive_measure and not emergency_measure)"
        );
        let c = parse("(enforcement or coercive_measure) and major_case").unwrap();
        assert_eq!(
            c.to_string(),
            "(enforcement or coercive_measure) and major_case"
        );
        assert_eq!(parse(&c.to_string()).unwrap(), c);
    }

    #[test]
    fn rejects_unknown_facts_and_bad_syntax() {
        assert!(parse("hearing")
            .unwrap_err()
            .contains("unknown fact `hearing`"));
        assert!(parse("enforcement and").is_err());
        assert!(parse("(enforcement").unwrap_err().contains("missing `)`"));
        assert!(parse("enforcement major_case").is_err());
        assert!(parse("  ").is_err());
    }

    #[test]
    fn three_valued_evaluation() {
        let c = parse("coercive_measure and emergency_measure").unwrap();
        let mut f = Facts {
            coercive_measure: Some(false),
            ..Facts::default()
        };
        assert_eq!(c.eval(&f), Some(false), "false and unknown is false");
        assert_eq!(
            c.explain(&f, false),
            vec![("coercive_measure".into(), false)]
        );
        f.coercive_measure = Some(true);
        assert_eq!(c.eval(&f), None, "true and unknown is unknown");
        f.emergency_measure = Some(true);
        assert_eq!(c.eval(&f), Some(true));
        let n = parse("not hearing_requested or major_case").unwrap();
        let g = Facts {
            hearing_requested: Some(true),
            major_case: Some(false),
            ..Facts::default()
        };
        assert_eq!(n.eval(&g), Some(false));
        assert_eq!(
            n.explain(&g, false),
            vec![
                ("hearing_requested".into(), true),
                ("major_case".into(), false)
            ]
        );
    }
}
