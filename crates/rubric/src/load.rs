//! Reading and validating a rubric file (format: `docs/rubric-format.md`).
//!
//! Every problem found is reported, each with the file and line: unknown or
//! misspelt keys, duplicate IDs, points that do not add up to the stage,
//! document and total subtotals, unknown document types, checks and facts,
//! and grade tables that do not cover every score.

use crate::condition::Condition;
use crate::facts::Facts;
use crate::registry::Registry;
use crate::score::{fmt_points, milli};
use crate::{DocumentGroup, Grade, Item, Rubric, Stage};
use anjuan_core::doctype::DocTypes;
use anjuan_core::CaseKind;
use serde::Deserialize;
use std::fmt;
use std::path::Path;
use toml::Spanned;

/// One problem in a rubric file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line, when the problem has a place.
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    pub(crate) fn at(line: usize, message: impl Into<String>) -> Problem {
        Problem {
            line: Some(line),
            message: message.into(),
        }
    }

    pub(crate) fn new(message: impl Into<String>) -> Problem {
        Problem {
            line: None,
            message: message.into(),
        }
    }

    pub(crate) fn from_toml(text: &str, e: &toml::de::Error) -> Problem {
        Problem {
            line: e.span().map(|s| line_of(text, s.start)),
            message: e.message().trim().to_string(),
        }
    }
}

/// Why a rubric could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RubricError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// One line per problem: `path:line: message`.
    #[error("{}", format_problems(path, problems))]
    Invalid {
        path: String,
        problems: Vec<Problem>,
    },
}

pub(crate) fn format_problems(path: &str, problems: &[Problem]) -> String {
    struct Lines<'a>(&'a str, &'a [Problem]);
    impl fmt::Display for Lines<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            for (i, p) in self.1.iter().enumerate() {
                if i > 0 {
                    writeln!(f)?;
                }
                match p.line {
                    Some(l) => write!(f, "{}:{l}: {}", self.0, p.message)?,
                    None => write!(f, "{}: {}", self.0, p.message)?,
                }
            }
            Ok(())
        }
    }
    Lines(path, problems).to_string()
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRubric {
    kind: Spanned<String>,
    name: String,
    #[serde(default)]
    source: Option<String>,
    total: Spanned<f64>,
    #[serde(default, rename = "grade")]
    grades: Vec<RawGrade>,
    #[serde(default, rename = "basic")]
    basics: Vec<RawBasic>,
    #[serde(default, rename = "stage")]
    stages: Vec<RawStage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrade {
    name: Spanned<String>,
    min: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBasic {
    id: Spanned<String>,
    category: String,
    text: String,
    #[serde(default)]
    en: Option<String>,
    #[serde(default)]
    doc_types: Vec<Spanned<String>>,
    #[serde(default)]
    applies_when: Option<Spanned<String>>,
    check: Spanned<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    name: Spanned<String>,
    points: Spanned<f64>,
    #[serde(default)]
    applies_when: Option<Spanned<String>>,
    #[serde(default, rename = "document")]
    documents: Vec<RawDocument>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    name: Spanned<String>,
    points: Spanned<f64>,
    #[serde(default)]
    doc_types: Vec<Spanned<String>>,
    #[serde(default)]
    applies_when: Option<Spanned<String>>,
    #[serde(default, rename = "item")]
    items: Vec<RawItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    text: String,
    #[serde(default)]
    en: Option<String>,
    points: Spanned<f64>,
    /// Overrides the document's types when the item concerns only some.
    #[serde(default)]
    doc_types: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    applies_when: Option<Spanned<String>>,
    check: Spanned<String>,
    #[serde(default)]
    note: Option<String>,
}

impl Rubric {
    /// Reads and validates a rubric file against the shipped document types
    /// and check registry.
    pub fn load(path: &Path) -> Result<Rubric, RubricError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| RubricError::Read {
            path: p.clone(),
            source,
        })?;
        Rubric::parse(&text, &p)
    }

    /// Parses and validates rubric text; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Rubric, RubricError> {
        Rubric::parse_with(text, path, DocTypes::builtin(), Registry::builtin())
    }

    /// As [`Rubric::parse`], against other document types and checks.
    pub fn parse_with(
        text: &str,
        path: &str,
        doc_types: &DocTypes,
        registry: &Registry,
    ) -> Result<Rubric, RubricError> {
        let raw: RawRubric = toml::from_str(text).map_err(|e| RubricError::Invalid {
            path: path.to_string(),
            problems: vec![Problem::from_toml(text, &e)],
        })?;
        let mut v = Validator {
            text,
            doc_types,
            registry,
            kind: CaseKind::Unknown,
            problems: Vec::new(),
        };
        let rubric = v.build(raw, path);
        // File order; problems without a line (missing sections) last.
        v.problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
        if v.problems.is_empty() {
            Ok(rubric)
        } else {
            Err(RubricError::Invalid {
                path: path.to_string(),
                problems: v.problems,
            })
        }
    }
}

struct Validator<'a> {
    text: &'a str,
    doc_types: &'a DocTypes,
    registry: &'a Registry,
    kind: CaseKind,
    problems: Vec<Problem>,
}

impl Validator<'_> {
    fn line<T>(&self, s: &Spanned<T>) -> usize {
        line_of(self.text, s.span().start)
    }

    fn problem<T>(&mut self, at: &Spanned<T>, message: impl Into<String>) {
        let line = self.line(at);
        self.problems.push(Problem::at(line, message));
    }

    fn build(&mut self, raw: RawRubric, path: &str) -> Rubric {
        self.kind = match raw.kind.get_ref().as_str() {
            "penalty" => CaseKind::Penalty,
            "coercion" => CaseKind::Coercion,
            other => {
                self.problem(
                    &raw.kind,
                    format!("kind `{other}`: expected `penalty` or `coercion`"),
                );
                CaseKind::Unknown
            }
        };
        let total = self.points(&raw.total, "total");
        let grades = self.grades(&raw.grades, *raw.total.get_ref());

        let mut items = Vec::new();
        for b in &raw.basics {
            let doc_types = self.doc_types(&b.doc_types);
            let condition = b.applies_when.as_ref().and_then(|c| self.condition(c));
            items.push(Item {
                id: b.id.get_ref().clone(),
                basic: true,
                points: None,
                text: b.text.clone(),
                en: b.en.clone(),
                doc_types,
                applies_when: condition.as_ref().map(Condition::to_string),
                check: self.check(&b.check),
                stage: None,
                document: None,
                category: Some(b.category.clone()),
                note: b.note.clone(),
                line: self.line(&b.id),
                condition,
            });
        }

        let mut stages = Vec::new();
        let mut stage_sum = 0;
        for s in &raw.stages {
            let stage_points = self.points(&s.points, "stage points");
            stage_sum += milli(stage_points);
            let stage_cond = s.applies_when.as_ref().and_then(|c| self.condition(c));
            let mut documents = Vec::new();
            let mut doc_sum = 0;
            for d in &s.documents {
                let doc_points = self.points(&d.points, "document points");
                doc_sum += milli(doc_points);
                let doc_types = self.doc_types(&d.doc_types);
                let own = d.applies_when.as_ref().and_then(|c| self.condition(c));
                let doc_cond = join(stage_cond.clone(), own);
                let mut item_sum = 0;
                for it in &d.items {
                    let points = self.points(&it.points, "item points");
                    item_sum += milli(points);
                    let own = it.applies_when.as_ref().and_then(|c| self.condition(c));
                    let condition = join(doc_cond.clone(), own);
                    let types = match &it.doc_types {
                        Some(t) => {
                            let t = self.doc_types(t);
                            for code in &t {
                                if !doc_types.is_empty() && !doc_types.contains(code) {
                                    let at = it.id.clone();
                                    self.problem(
                                        &at,
                                        format!(
                                            "item `{}`: document type `{code}` is not one of its document's ({})",
                                            it.id.get_ref(),
                                            doc_types.join(", ")
                                        ),
                                    );
                                }
                            }
                            t
                        }
                        None => doc_types.clone(),
                    };
                    items.push(Item {
                        id: it.id.get_ref().clone(),
                        basic: false,
                        points: Some(points),
                        text: it.text.clone(),
                        en: it.en.clone(),
                        doc_types: types,
                        applies_when: condition.as_ref().map(Condition::to_string),
                        check: self.check(&it.check),
                        stage: Some(s.name.get_ref().clone()),
                        document: Some(d.name.get_ref().clone()),
                        category: None,
                        note: it.note.clone(),
                        line: self.line(&it.id),
                        condition,
                    });
                }
                if d.items.is_empty() {
                    self.problem(
                        &d.name,
                        format!("document `{}` has no items", d.name.get_ref()),
                    );
                } else if item_sum != milli(doc_points) {
                    self.problem(
                        &d.points,
                        format!(
                            "document `{}`: its items sum to {} points, it states {}",
                            d.name.get_ref(),
                            fmt_points(item_sum as f64 / 1000.0),
                            fmt_points(doc_points)
                        ),
                    );
                }
                documents.push(DocumentGroup {
                    name: d.name.get_ref().clone(),
                    points: doc_points,
                    doc_types,
                    applies_when: doc_cond.as_ref().map(Condition::to_string),
                });
            }
            if s.documents.is_empty() {
                self.problem(
                    &s.name,
                    format!("stage `{}` has no documents", s.name.get_ref()),
                );
            } else if doc_sum != milli(stage_points) {
                self.problem(
                    &s.points,
                    format!(
                        "stage `{}`: its documents sum to {} points, it states {}",
                        s.name.get_ref(),
                        fmt_points(doc_sum as f64 / 1000.0),
                        fmt_points(stage_points)
                    ),
                );
            }
            stages.push(Stage {
                name: s.name.get_ref().clone(),
                points: stage_points,
                applies_when: stage_cond.map(|c| c.to_string()),
                documents,
            });
        }
        if raw.stages.is_empty() {
            self.problems.push(Problem::new(
                "no `[[stage]]`: a rubric needs document-norm items",
            ));
        } else if stage_sum != milli(total) {
            self.problem(
                &raw.total,
                format!(
                    "the stages sum to {} points, `total` states {}",
                    fmt_points(stage_sum as f64 / 1000.0),
                    fmt_points(total)
                ),
            );
        }
        self.unique_ids(&raw);

        Rubric {
            kind: self.kind,
            name: raw.name,
            source: raw.source,
            total,
            grades,
            stages,
            items,
            path: path.to_string(),
        }
    }

    /// Points: positive, finite, in thousandths at most.
    fn points(&mut self, p: &Spanned<f64>, what: &str) -> f64 {
        let v = *p.get_ref();
        if !v.is_finite() || v <= 0.0 {
            self.problem(p, format!("{what} must be positive, found {v}"));
        } else if ((v * 1000.0).round() - v * 1000.0).abs() > 1e-6 {
            self.problem(p, format!("{what} {v}: at most three decimals"));
        }
        v
    }

    fn grades(&mut self, raw: &[RawGrade], total: f64) -> Vec<Grade> {
        let mut grades = Vec::new();
        let mut prev: Option<i64> = None;
        for g in raw {
            let min = *g.min.get_ref();
            if !min.is_finite() || min < 0.0 || milli(min) > milli(total) {
                self.problem(
                    &g.min,
                    format!(
                        "grade `{}`: min {min} is outside 0..=total",
                        g.name.get_ref()
                    ),
                );
            }
            if let Some(p) = prev {
                if milli(min) >= p {
                    self.problem(
                        &g.min,
                        format!(
                            "grade `{}`: thresholds must fall from the best grade to the worst",
                            g.name.get_ref()
                        ),
                    );
                }
            }
            if grades.iter().any(|x: &Grade| x.name == *g.name.get_ref()) {
                self.problem(&g.name, format!("duplicate grade `{}`", g.name.get_ref()));
            }
            prev = Some(milli(min));
            grades.push(Grade {
                name: g.name.get_ref().clone(),
                min,
            });
        }
        match raw.last() {
            None => self
                .problems
                .push(Problem::new("no `[[grade]]`: at least one grade is needed")),
            Some(g) if milli(*g.min.get_ref()) != 0 => self.problem(
                &g.min,
                format!("the lowest grade `{}` must have min = 0", g.name.get_ref()),
            ),
            Some(_) => {}
        }
        grades
    }

    fn doc_types(&mut self, codes: &[Spanned<String>]) -> Vec<String> {
        let mut out = Vec::new();
        for c in codes {
            let code = c.get_ref();
            match self.doc_types.get(code) {
                None => self.problem(
                    c,
                    format!("unknown document type `{code}` (see doc-types.md)"),
                ),
                Some(t) if self.kind != CaseKind::Unknown && !t.in_kind(self.kind) => self.problem(
                    c,
                    format!(
                        "document type `{code}` does not occur in {} files",
                        self.kind.as_str()
                    ),
                ),
                Some(_) if out.contains(code) => {
                    self.problem(c, format!("document type `{code}` listed twice"))
                }
                Some(_) => {}
            }
            out.push(code.clone());
        }
        out
    }

    fn check(&mut self, c: &Spanned<String>) -> String {
        let name = c.get_ref();
        if !self.registry.knows_check(name) {
            self.problem(
                c,
                format!("unknown check `{name}` (not `manual` and not in the check registry)"),
            );
        }
        name.clone()
    }

    fn condition(&mut self, c: &Spanned<String>) -> Option<Condition> {
        match Condition::parse(c.get_ref(), |n| Facts::default().get(n).is_ok()) {
            Ok(cond) => Some(cond),
            Err(e) => {
                self.problem(c, format!("applies_when: {e}"));
                None
            }
        }
    }

    fn unique_ids(&mut self, raw: &RawRubric) {
        let ids = raw
            .basics
            .iter()
            .map(|b| &b.id)
            .chain(raw.stages.iter().flat_map(|s| {
                s.documents
                    .iter()
                    .flat_map(|d| d.items.iter().map(|i| &i.id))
            }));
        let mut seen: Vec<(&str, usize)> = Vec::new();
        let mut problems = Vec::new();
        for id in ids {
            let line = self.line(id);
            let s = id.get_ref().as_str();
            if s.is_empty() || s.chars().any(char::is_whitespace) {
                problems.push(Problem::at(
                    line,
                    format!("item ID `{s}` is empty or holds spaces"),
                ));
            }
            match seen.iter().find(|(x, _)| *x == s) {
                Some((_, first)) => problems.push(Problem::at(
                    line,
                    format!("duplicate item ID `{s}` (first at line {first})"),
                )),
                None => seen.push((s, line)),
            }
        }
        self.problems.extend(problems);
    }
}

fn join(a: Option<Condition>, b: Option<Condition>) -> Option<Condition> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.and(b)),
        (a, None) => a,
        (None, b) => b,
    }
}
