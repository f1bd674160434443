//! `anjuan rubric show|check|checks`.

use anjuan_core::CaseKind;
use anjuan_rubric::{run_with, Rubric, RubricCommand, ShowKind};

fn show(kind: ShowKind, implemented: &[&str]) -> String {
    run_with(
        &RubricCommand::Show {
            kind: Some(kind),
            rubric: None,
        },
        implemented,
    )
    .unwrap()
}

#[test]
fn show_lists_every_item_with_its_mark_and_the_honest_coverage() {
    let r = Rubric::builtin(CaseKind::Penalty).unwrap();
    let out = show(ShowKind::Penalty, &[]);
    for item in &r.items {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(item.id.as_str()))
            .unwrap_or_else(|| panic!("{} not shown:\n{out}", item.id));
        assert!(line.contains(&item.text), "{line}");
        assert!(line.contains(&item.check), "{line}");
        let mark = if item.check == "manual" {
            "manual"
        } else {
            "planned"
        };
        assert!(line.contains(mark), "{line}");
    }
    assert!(
        out.contains("coverage: 0 of 100 points pre-checked by implemented checks (0.0%)"),
        "{out}"
    );
    let planned = r.planned_points();
    assert!(planned > 0.0 && planned < 100.0);
    assert!(out.contains(&format!("planned: {planned} points")), "{out}");
    assert!(out.contains("审查决定 40分"));
}

#[test]
fn coverage_counts_only_implemented_checks() {
    let r = Rubric::builtin(CaseKind::Penalty).unwrap();
    // signature: P-2.1.3 1 + P-2.3.2 0.5 + P-2.4.3 0.5 + P-4.1.4 2; page_numbers: P-6.1.3 1.
    assert_eq!(r.covered_points(&["signature", "page_numbers"]), 5.0);
    let out = show(ShowKind::Penalty, &["signature", "page_numbers"]);
    assert!(
        out.contains("coverage: 5 of 100 points pre-checked by implemented checks (5.0%)"),
        "{out}"
    );
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("P-4.1.4"))
        .unwrap();
    assert!(line.contains("machine"), "{line}");
    // Everything planned, implemented: the planned figure.
    let all: Vec<&str> = r
        .items
        .iter()
        .map(|i| i.check.as_str())
        .filter(|c| *c != "manual")
        .collect();
    assert_eq!(r.covered_points(&all), r.planned_points());
}

#[test]
fn show_without_a_kind_prints_both_and_a_file_can_be_shown() {
    let both = run_with(
        &RubricCommand::Show {
            kind: None,
            rubric: None,
        },
        &[],
    )
    .unwrap();
    assert!(both.contains("行政处罚案卷评查标准") && both.contains("行政强制案卷评查标准"));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rubrics/coercion.toml");
    let one = run_with(
        &RubricCommand::Show {
            kind: None,
            rubric: Some(path),
        },
        &[],
    )
    .unwrap();
    assert!(one.contains("C-2.4.6") && !one.contains("P-1.1.1"));
}

#[test]
fn check_reports_problems_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "kind = \"penalty\"\nname = \"x\"\ntotal = 100\n[[grade]]\nname = \"a\"\nmin = 0\n[[stage]]\nname = \"s\"\npoints = 100\n").unwrap();
    let e = run_with(
        &RubricCommand::Check {
            files: vec![bad.clone()],
        },
        &[],
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains(&format!("{}:8: stage `s` has no documents", bad.display())),
        "{e}"
    );
    let good = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rubrics/penalty.toml");
    let ok = run_with(&RubricCommand::Check { files: vec![good] }, &[]).unwrap();
    assert!(
        ok.contains("ok: 行政处罚案卷评查标准 (penalty), 17 basic standards, 73 items, 100 points"),
        "{ok}"
    );
}

#[test]
fn checks_lists_the_registry() {
    let out = run_with(&RubricCommand::Checks, &[]).unwrap();
    for name in [
        "signature",
        "fingerprint",
        "seal",
        "date_order",
        "remedy",
        "citation",
        "manual",
        "hearing_requested",
    ] {
        assert!(out.contains(name), "{name}");
    }
}

#[test]
fn every_registered_check_is_used_by_a_shipped_rubric() {
    let reg = anjuan_rubric::Registry::builtin();
    let used: Vec<&str> = [CaseKind::Penalty, CaseKind::Coercion]
        .iter()
        .flat_map(|k| {
            Rubric::builtin(*k)
                .unwrap()
                .items
                .iter()
                .map(|i| i.check.as_str())
        })
        .collect();
    for c in &reg.checks {
        assert!(
            used.contains(&c.name.as_str()),
            "check `{}` is used by no item",
            c.name
        );
    }
}
