//! `anjuan rubric show|check|checks`: the rubric as a table, with what the
//! machine pre-checks and the coverage in points.

use crate::registry::{Registry, MANUAL};
use crate::score::fmt_points;
use crate::{Item, Rubric};
use anjuan_core::CaseKind;
use anyhow::Context;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct RubricArgs {
    #[command(subcommand)]
    pub command: RubricCommand,
    /// The check names implemented by the pipeline (filled in by the caller,
    /// not a flag): coverage counts only these.
    #[arg(skip)]
    pub implemented: Vec<String>,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum RubricCommand {
    /// Print a rubric as a table, marking the items the machine pre-checks,
    /// with the coverage in points.
    Show {
        /// Which shipped rubric (both when omitted and no --rubric is given).
        #[arg(value_enum)]
        kind: Option<ShowKind>,
        /// Show this rubric file instead of a shipped one.
        #[arg(long, value_name = "FILE", conflicts_with = "kind")]
        rubric: Option<PathBuf>,
    },
    /// Validate rubric files: every problem with its file and line.
    Check {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// List the machine checks and procedure facts rubrics may name.
    Checks,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowKind {
    Penalty,
    Coercion,
}

impl From<ShowKind> for CaseKind {
    fn from(k: ShowKind) -> CaseKind {
        match k {
            ShowKind::Penalty => CaseKind::Penalty,
            ShowKind::Coercion => CaseKind::Coercion,
        }
    }
}

/// Runs `anjuan rubric …` with the implemented checks in `args.implemented`.
pub fn run(args: &RubricArgs) -> anyhow::Result<()> {
    let implemented: Vec<&str> = args.implemented.iter().map(String::as_str).collect();
    let out = run_with(&args.command, &implemented)?;
    print!("{out}");
    Ok(())
}

/// Renders the output of `anjuan rubric …` given the implemented checks.
pub fn run_with(command: &RubricCommand, implemented: &[&str]) -> anyhow::Result<String> {
    match command {
        RubricCommand::Show { kind, rubric } => {
            let owned;
            let rubrics: Vec<&Rubric> = match (rubric, kind) {
                (Some(path), _) => {
                    owned = Rubric::load(path)?;
                    vec![&owned]
                }
                (None, Some(k)) => vec![builtin((*k).into())?],
                (None, None) => vec![builtin(CaseKind::Penalty)?, builtin(CaseKind::Coercion)?],
            };
            Ok(rubrics
                .iter()
                .map(|r| render(r, implemented))
                .collect::<Vec<_>>()
                .join("\n"))
        }
        RubricCommand::Check { files } => {
            let mut out = String::new();
            let mut failed = Vec::new();
            for f in files {
                match Rubric::load(f) {
                    Ok(r) => writeln!(
                        out,
                        "{}: ok: {} ({}), {} basic standards, {} items, {} points",
                        f.display(),
                        r.name,
                        r.kind.as_str(),
                        r.basic_items().count(),
                        r.norm_items().count(),
                        fmt_points(r.total)
                    )?,
                    Err(e) => failed.push(e.to_string()),
                }
            }
            if failed.is_empty() {
                Ok(out)
            } else {
                print!("{out}");
                anyhow::bail!("invalid rubric:\n{}", failed.join("\n"))
            }
        }
        RubricCommand::Checks => Ok(render_registry(Registry::builtin())),
    }
}

fn builtin(kind: CaseKind) -> anyhow::Result<&'static Rubric> {
    Rubric::builtin(kind).with_context(|| format!("no shipped rubric for {}", kind.as_str()))
}

fn mark(item: &Item, implemented: &[&str]) -> &'static str {
    if implemented.contains(&item.check.as_str()) {
        "machine"
    } else if item.check == MANUAL {
        "manual"
    } else {
        "planned"
    }
}

fn pct(points: f64, total: f64) -> String {
    format!("{:.1}%", 100.0 * points / total)
}

/// The table of one rubric.
pub(crate) fn render(r: &Rubric, implemented: &[&str]) -> String {
    let mut s = String::new();
    let covered = r.covered_points(implemented);
    let planned = r.planned_points();
    let basic_total = r.basic_items().count();
    let basic_done = r
        .basic_items()
        .filter(|i| implemented.contains(&i.check.as_str()))
        .count();
    let basic_planned = r.basic_items().filter(|i| i.has_machine_check()).count();
    let _ = writeln!(s, "{} ({}; {})", r.name, r.kind.as_str(), r.path);
    if let Some(src) = &r.source {
        let _ = writeln!(s, "source: {src}");
    }
    let _ = writeln!(
        s,
        "coverage: {} of {} points pre-checked by implemented checks ({}); planned: {} points with a machine check assigned ({})",
        fmt_points(covered),
        fmt_points(r.total),
        pct(covered, r.total),
        fmt_points(planned),
        pct(planned, r.total)
    );
    let _ = writeln!(
        s,
        "basic standards: {basic_done} of {basic_total} pre-checked; planned: {basic_planned}"
    );
    let grades: Vec<String> = r
        .grades
        .iter()
        .map(|g| format!("{} ≥ {}", g.name, fmt_points(g.min)))
        .collect();
    let _ = writeln!(s, "grades: {}", grades.join(", "));
    let _ = writeln!(
        s,
        "marks: machine = an implemented check judges it; planned = a check is assigned, not yet implemented; manual = only a person can judge it"
    );

    let _ = writeln!(
        s,
        "\n基础标准 (basic standards: any breach scores the file 0)"
    );
    let _ = writeln!(
        s,
        "  {:<9} {:>5}  {:<20} {:<8} 内容",
        "ID", "", "check", "mark"
    );
    let mut category = None;
    for i in r.basic_items() {
        if i.category != category {
            category = i.category.clone();
            let _ = writeln!(s, "  [{}]", category.as_deref().unwrap_or(""));
        }
        row(&mut s, i, "—", implemented, i.applies_when.as_ref());
    }
    let _ = writeln!(
        s,
        "\n文书规范标准 (document norms: deductions, {} points)",
        fmt_points(r.total)
    );
    let _ = writeln!(
        s,
        "  {:<9} {:>5}  {:<20} {:<8} 内容",
        "ID", "points", "check", "mark"
    );
    let mut norm = r.norm_items().peekable();
    for stage in &r.stages {
        let when = stage
            .applies_when
            .as_deref()
            .map(|w| format!("  (applies when: {w})"))
            .unwrap_or_default();
        let _ = writeln!(s, "{} {}分{when}", stage.name, fmt_points(stage.points));
        for doc in &stage.documents {
            let types = if doc.doc_types.is_empty() {
                "the whole file".to_string()
            } else {
                doc.doc_types.join(", ")
            };
            let when = match (&doc.applies_when, &stage.applies_when) {
                (Some(d), s) if Some(d) != s.as_ref() => format!("  (applies when: {d})"),
                _ => String::new(),
            };
            let _ = writeln!(
                s,
                "  {} {}分 [{types}]{when}",
                doc.name,
                fmt_points(doc.points)
            );
            while let Some(i) = norm.next_if(|i| {
                i.stage.as_deref() == Some(stage.name.as_str())
                    && i.document.as_deref() == Some(doc.name.as_str())
            }) {
                let own = i
                    .applies_when
                    .as_ref()
                    .filter(|w| Some(*w) != doc.applies_when.as_ref());
                row(
                    &mut s,
                    i,
                    &fmt_points(i.points.unwrap_or(0.0)),
                    implemented,
                    own,
                );
            }
        }
    }
    s
}

fn row(s: &mut String, i: &Item, points: &str, implemented: &[&str], when: Option<&String>) {
    let when = when
        .map(|w| format!("  (applies when: {w})"))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "  {:<9} {:>5}  {:<20} {:<8} {}{when}",
        i.id,
        points,
        i.check,
        mark(i, implemented),
        i.text
    );
}

fn render_registry(reg: &Registry) -> String {
    let mut s = String::from("checks (name: 中文 / English)\n");
    for c in &reg.checks {
        let _ = writeln!(s, "  {:<20} {} / {}", c.name, c.zh, c.en);
    }
    let _ = writeln!(
        s,
        "  {:<20} 只能由评查人员判断 / only a person can judge",
        MANUAL
    );
    s.push_str("\nfacts for applies_when (name: holds / does not hold / English)\n");
    for f in &reg.facts {
        let _ = writeln!(s, "  {:<24} {} / {} / {}", f.name, f.yes, f.no, f.en);
    }
    s
}
