//! The human-readable report: compact aligned tables, under 100 columns.

use crate::report::{FamilySummary, Prf, Ratio, Report};
use std::fmt::Write;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The table fits a terminal this wide.
pub const COLUMNS: usize = 100;

/// Page doc_type confusions listed in the table (all are in the JSON).
const MAX_CONFUSIONS: usize = 10;

/// Splits `text` into lines of at most `width` terminal columns, at spaces
/// where it can and anywhere in a run without spaces (Chinese text).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let sep = usize::from(!line.is_empty());
        if !line.is_empty() && line.width() + sep + word.width() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        for c in word.chars() {
            if line.width() + c.width().unwrap_or(0) > width {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    lines.push(line);
    lines
}

/// Writes `text` wrapped to the table width: `first` before the first line,
/// as many spaces before the others.
fn write_wrapped(o: &mut String, first: &str, text: &str) -> std::fmt::Result {
    let indent = first.width();
    for (i, line) in wrap(text, COLUMNS - indent).iter().enumerate() {
        if i == 0 {
            writeln!(o, "{first}{line}")?;
        } else {
            writeln!(o, "{:indent$}{line}", "")?;
        }
    }
    Ok(())
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| format!("{:.2}%", v * 100.0))
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.2}"))
}

fn ratio(r: &Ratio, what: &str) -> String {
    format!("{} / {} {what}", r.hits, r.total)
}

fn prf(p: &Prf) -> String {
    format!(
        "P {} ({}/{})  R {} ({}/{})",
        pct(p.precision),
        p.matched,
        p.predicted,
        pct(p.recall),
        p.matched,
        p.truth
    )
}

/// Renders `report` as text for a terminal.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_report(&mut out, report);
    out
}

/// One line per dossier, worst page accuracy first (`--per-dossier`).
pub fn render_dossiers(report: &Report) -> String {
    let mut out = String::new();
    let _ = write_dossiers(&mut out, report);
    out
}

fn write_dossiers(o: &mut String, r: &Report) -> std::fmt::Result {
    let width = r
        .per_dossier
        .iter()
        .map(|d| d.id.width())
        .chain([7])
        .max()
        .unwrap_or(7)
        .min(24);
    writeln!(
        o,
        "{:<width$} {:>4} {:>8} {:>8} {:>4} {:>8} {:>8} {:>8} {:>8} {:>6} {:>6}",
        "dossier",
        "ok",
        "pages",
        "split F1",
        "kind",
        "recall",
        "precis.",
        "CER prt",
        "CER all",
        "draft",
        "expect"
    )?;
    let mut rows: Vec<_> = r.per_dossier.iter().collect();
    rows.sort_by(|a, b| {
        let key = |d: &&crate::report::DossierRow| d.pages.value.unwrap_or(1.0);
        key(a).total_cmp(&key(b))
    });
    for d in rows {
        let pad = width.saturating_sub(d.id.width());
        writeln!(
            o,
            "{}{:pad$} {:>4} {:>8} {:>8} {:>4} {:>8} {:>8} {:>8} {:>8} {:>6} {:>6}",
            d.id,
            "",
            if d.ok { "yes" } else { "NO" },
            pct(d.pages.value),
            pct(d.split.f1),
            if d.case_kind_correct { "ok" } else { "x" },
            pct(d.defects.recall),
            pct(d.defects.precision),
            pct(d.cer_printed.cer),
            pct(d.cer_full.cer),
            d.score_draft.map_or("-".to_string(), |s| format!("{s:.1}")),
            format!("{:.1}", d.score_expected),
        )?;
    }
    Ok(())
}

/// A row per template family, then the worst of each column.
fn write_families(o: &mut String, families: &[FamilySummary]) -> std::fmt::Result {
    type Get = fn(&FamilySummary) -> Option<f64>;
    // (heading, value, lower is worse, shown as a percentage)
    let cols: [(&str, Get, bool, bool); 11] = [
        ("pages", |f| f.pages.value, true, true),
        ("splitF1", |f| f.split_f1, true, true),
        ("prec", |f| f.precision, true, true),
        ("recall", |f| f.recall, true, true),
        ("+review", |f| f.recall_with_review, true, true),
        ("rev/file", |f| f.needs_review_per_dossier, false, false),
        ("0-false", |f| Some(f.false_zero as f64), false, false),
        ("|err|", |f| f.score_error, false, false),
        ("agency", |f| f.agency, true, true),
        ("case no", |f| f.case_number, true, true),
        ("fine", |f| f.fine, true, true),
    ];
    let show = |v: Option<f64>, as_pct: bool| match v {
        None => "n/a".to_string(),
        Some(v) if as_pct => format!("{:.1}%", v * 100.0),
        Some(v) => format!("{v:.2}"),
    };
    write!(o, "{:<12} {:>5}", "family", "files")?;
    for (h, ..) in &cols {
        write!(o, " {h:>8}")?;
    }
    writeln!(o)?;
    for f in families {
        write!(o, "  {:<10} {:>5}", f.family, f.dossiers)?;
        for (_, get, _, as_pct) in &cols {
            write!(o, " {:>8}", show(get(f), *as_pct))?;
        }
        writeln!(o)?;
    }
    write!(o, "  {:<10} {:>5}", "worst", "")?;
    for (_, get, lower_worse, as_pct) in &cols {
        let vals = families.iter().filter_map(get);
        let worst = if *lower_worse {
            vals.fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v))))
        } else {
            vals.fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
        };
        write!(o, " {:>8}", show(worst, *as_pct))?;
    }
    writeln!(o)?;
    writeln!(o)
}

fn write_report(o: &mut String, r: &Report) -> std::fmt::Result {
    writeln!(o, "anjuan eval")?;
    writeln!(o, "  truth {}", r.truth_dir)?;
    writeln!(o, "  run   {}", r.run_dir)?;
    writeln!(
        o,
        "{} dossiers in the truth: {} ok, {} failed",
        r.dossiers,
        r.ok,
        r.failed.len()
    )?;
    writeln!(o)?;

    let d = &r.defects.overall;
    let manual = if d.manual > 0 {
        format!(" ({} missed on manual items)", d.manual)
    } else {
        String::new()
    };
    let worst = r.score.worst.as_deref().unwrap_or("-");
    let rows: Vec<(&str, String, String)> = vec![
        (
            "page doc_type accuracy",
            pct(r.pages.value),
            ratio(&r.pages, "pages"),
        ),
        (
            "page number accuracy",
            pct(r.page_numbers.value),
            ratio(&r.page_numbers, "numbered pages"),
        ),
        (
            "split F1 (range + doc_type)",
            pct(r.split.exact.f1),
            prf(&r.split.exact),
        ),
        (
            "split F1 (range only)",
            pct(r.split.ranges_only.f1),
            prf(&r.split.ranges_only),
        ),
        (
            "document date accuracy",
            pct(r.split.dates.value),
            ratio(&r.split.dates, "matched dated documents"),
        ),
        (
            "case-kind accuracy",
            pct(r.case_kind.value),
            ratio(&r.case_kind, "dossiers"),
        ),
        (
            "defect recall (suggested)",
            pct(d.recall),
            format!("{} / {} truth defects{manual}", d.found, d.truth),
        ),
        (
            "defect precision (suggested)",
            pct(d.precision),
            format!("{} / {} findings", d.correct, d.findings),
        ),
        (
            "needs review per dossier",
            num(r.review.per_dossier),
            format!(
                "{} findings, {} of them true",
                r.review.needs_review, r.review.needs_review_true
            ),
        ),
        (
            "recall with needs review",
            pct(r.review.recall_with_review.value),
            ratio(&r.review.recall_with_review, "truth defects"),
        ),
        (
            "files zeroed, no basic defect",
            r.review.false_zero.to_string(),
            r.review.false_zero_ids.join(" "),
        ),
        (
            "case agency",
            pct(r.case_facts.agency.value),
            ratio(&r.case_facts.agency, "dossiers"),
        ),
        (
            "case number",
            pct(r.case_facts.case_number.value),
            ratio(&r.case_facts.case_number, "dossiers"),
        ),
        (
            "case party",
            pct(r.case_facts.party.value),
            ratio(&r.case_facts.party, "dossiers"),
        ),
        (
            "fine amount (penalty files)",
            pct(r.case_facts.fine.value),
            ratio(&r.case_facts.fine, "dossiers"),
        ),
        (
            "confiscated amount",
            pct(r.case_facts.confiscated.value),
            ratio(&r.case_facts.confiscated, "dossiers"),
        ),
        (
            "CER printed",
            pct(r.cer.printed.cer),
            format!(
                "{} edits / {} chars",
                r.cer.printed.edits, r.cer.printed.chars
            ),
        ),
        (
            "CER printed + handwriting",
            pct(r.cer.full.cer),
            format!("{} edits / {} chars", r.cer.full.edits, r.cer.full.chars),
        ),
        (
            "score |draft - expected| mean",
            num(r.score.mean_abs_error),
            format!("points over {} dossiers", r.score.dossiers),
        ),
        (
            "score |draft - expected| max",
            num(r.score.max_abs_error),
            format!("points ({worst})"),
        ),
        (
            "grade accuracy",
            pct(r.score.grade.value),
            ratio(&r.score.grade, "dossiers"),
        ),
        (
            "failed dossiers",
            r.failed.len().to_string(),
            if r.failed.is_empty() {
                ""
            } else {
                "listed below"
            }
            .to_string(),
        ),
    ];
    writeln!(o, "{:<32} {:>8}  detail", "overall", "value")?;
    for (name, value, detail) in rows {
        let row = format!("  {name:<30} {value:>8}  {detail}");
        writeln!(o, "{}", row.trim_end())?;
    }
    writeln!(o)?;

    if !r.families.is_empty() {
        write_families(o, &r.families)?;
    }

    if r.reliability.iter().any(|b| b.findings > 0) {
        writeln!(
            o,
            "{:<33} {:>8} {:>8} {:>9}",
            "reliability (all findings)", "findings", "true", "precision"
        )?;
        for b in &r.reliability {
            writeln!(
                o,
                "  confidence {:.1}-{:<17.1} {:>8} {:>8} {:>9}",
                b.low,
                b.high,
                b.findings,
                b.correct,
                pct(b.precision)
            )?;
        }
        writeln!(o)?;
    }

    let wrong: Vec<_> = r
        .doc_types
        .iter()
        .filter(|t| t.pages.hits < t.pages.total || t.documents.hits < t.documents.total)
        .collect();
    if !wrong.is_empty() {
        writeln!(
            o,
            "{:<33} {:>15} {:>20}",
            "doc types with errors", "pages right", "documents matched"
        )?;
        for t in wrong {
            writeln!(
                o,
                "  {:<31} {:>15} {:>20}",
                t.doc_type,
                format!("{} / {}", t.pages.hits, t.pages.total),
                format!("{} / {}", t.documents.hits, t.documents.total),
            )?;
        }
        writeln!(o)?;
    }
    if !r.confusions.is_empty() {
        writeln!(
            o,
            "{:<70} {:>6}",
            "page doc_type confusions (truth -> predicted)", "pages"
        )?;
        for c in r.confusions.iter().take(MAX_CONFUSIONS) {
            let pair = format!("{} -> {}", c.truth, c.predicted);
            writeln!(o, "  {pair:<68} {:>6}", c.pages)?;
        }
        if r.confusions.len() > MAX_CONFUSIONS {
            writeln!(
                o,
                "  ... {} more in --json",
                r.confusions.len() - MAX_CONFUSIONS
            )?;
        }
        writeln!(o)?;
    }

    writeln!(
        o,
        "{:<12} {:>6} {:>9} {:>19} {:>9} {:>19}",
        "CER by group", "pages", "printed", "edits / chars", "full", "edits / chars"
    )?;
    for g in &r.cer.groups {
        writeln!(
            o,
            "  {:<10} {:>6} {:>9} {:>19} {:>9} {:>19}",
            g.group,
            g.pages,
            pct(g.printed.cer),
            format!("{} / {}", g.printed.edits, g.printed.chars),
            pct(g.full.cer),
            format!("{} / {}", g.full.edits, g.full.chars),
        )?;
    }
    if let Some(gap) = r.cer.rotated_minus_upright {
        writeln!(
            o,
            "  rotated - upright (printed CER): {:+.2} points",
            gap * 100.0
        )?;
    }
    writeln!(o)?;

    writeln!(
        o,
        "{:<16} {:>6} {:>6} {:>7} {:>9} {:>8} {:>8} {:>10}",
        "defects by item", "truth", "found", "manual", "findings", "correct", "recall", "precision"
    )?;
    let kinds = r.defects.by_kind.iter();
    for s in r
        .defects
        .items
        .iter()
        .chain(kinds)
        .chain(std::iter::once(d))
    {
        writeln!(
            o,
            "  {:<14} {:>6} {:>6} {:>7} {:>9} {:>8} {:>8} {:>10}",
            s.item,
            s.truth,
            s.found,
            s.manual,
            s.findings,
            s.correct,
            pct(s.recall),
            pct(s.precision)
        )?;
    }

    if !r.failed.is_empty() {
        writeln!(o)?;
        writeln!(o, "failed dossiers")?;
        let width = r.failed.iter().map(|f| f.id.width()).max().unwrap_or(0);
        for f in &r.failed {
            let pad = width - f.id.width();
            write_wrapped(o, &format!("  {}{:pad$}  ", f.id, ""), &f.reason)?;
        }
    }
    if !r.notes.is_empty() {
        writeln!(o)?;
        for n in &r.notes {
            write_wrapped(o, "note: ", n)?;
        }
    }
    if !r.checks.is_empty() {
        writeln!(o)?;
        writeln!(o, "thresholds")?;
        for c in &r.checks {
            writeln!(
                o,
                "  {:<22} {} {:<8} actual {:<8} {}",
                c.flag,
                c.op,
                c.threshold,
                c.actual.map_or("n/a".to_string(), |a| format!("{a:.4}")),
                if c.passed { "ok" } else { "MISSED" }
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_inside_chinese_runs() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("询问笔录第2页", 6), ["询问笔", "录第2", "页"]);
        assert_eq!(wrap("", 10), [""]);
        for line in wrap(
            "review.json: 询问笔录第2页未见被询问人签名 and more words here",
            12,
        ) {
            assert!(line.width() <= 12, "{line}");
        }
    }
}
