//! Malformed rubric files give errors naming the file, the line and the problem.

use anjuan_rubric::{Rubric, RubricError};
use std::path::{Path, PathBuf};

const PENALTY: &str = include_str!("../../../rubrics/penalty.toml");
const COERCION: &str = include_str!("../../../rubrics/coercion.toml");

/// 1-based line of the `n`th (0-based) occurrence of `needle`.
fn line_of(text: &str, needle: &str, n: usize) -> usize {
    let (pos, _) = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("`{needle}` not found"));
    text[..pos].matches('\n').count() + 1
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replacen(from, to, 1)
}

/// Writes `text` to a file and loads it; returns the path and the error text.
fn load_err(dir: &Path, text: &str) -> (PathBuf, String) {
    let path = dir.join("custom.toml");
    std::fs::write(&path, text).unwrap();
    let e = Rubric::load(&path).expect_err("the rubric should be rejected");
    assert!(matches!(e, RubricError::Invalid { .. }), "{e}");
    (path, e.to_string())
}

fn assert_problem(err: &str, path: &Path, line: usize, needle: &str) {
    let prefix = format!("{}:{line}: ", path.display());
    assert!(
        err.lines()
            .any(|l| l.starts_with(&prefix) && l.contains(needle)),
        "expected `{prefix}…{needle}…` in:\n{err}"
    );
}

#[test]
fn the_shipped_rubrics_load_from_their_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rubrics");
    let p = Rubric::load(&root.join("penalty.toml")).unwrap();
    let c = Rubric::load(&root.join("coercion.toml")).unwrap();
    assert_eq!(p.items.len(), 17 + 73);
    assert_eq!(c.items.len(), 23 + 42);
}

#[test]
fn unreadable_file_names_the_path() {
    let e = Rubric::load(Path::new("/nonexistent/rubric.toml")).unwrap_err();
    assert!(matches!(e, RubricError::Read { .. }));
    assert!(
        e.to_string()
            .starts_with("/nonexistent/rubric.toml: cannot read"),
        "{e}"
    );
}

#[test]
fn duplicate_ids_name_both_lines() {
    let dir = tempfile::tempdir().unwrap();
    let text = replace_once(PENALTY, "id = \"P-1.1.2\"", "id = \"P-1.1.1\"");
    let (path, err) = load_err(dir.path(), &text);
    let first = line_of(&text, "id = \"P-1.1.1\"", 0);
    let second = line_of(&text, "id = \"P-1.1.1\"", 1);
    assert_problem(
        &err,
        &path,
        second,
        &format!("duplicate item ID `P-1.1.1` (first at line {first})"),
    );
}

#[test]
fn points_that_do_not_add_up_are_named_at_every_level() {
    let dir = tempfile::tempdir().unwrap();
    // P-1.1.4 is worth 2; make it 3: the document, the stage and the total all break.
    let from = "en = \"case summary clear\"\npoints = 2";
    let text = replace_once(PENALTY, from, "en = \"case summary clear\"\npoints = 3");
    let (path, err) = load_err(dir.path(), &text);
    let doc_points = line_of(&text, "name = \"立案审批表\"\npoints = 8", 0) + 1;
    assert_problem(
        &err,
        &path,
        doc_points,
        "document `立案审批表`: its items sum to 9 points, it states 8",
    );
    // Stages still sum to 100, so the total holds; now fix the document and break the stage.
    let text = replace_once(
        &text,
        "name = \"立案审批表\"\npoints = 8",
        "name = \"立案审批表\"\npoints = 9",
    );
    let (path, err) = load_err(dir.path(), &text);
    let stage_points = line_of(&text, "name = \"立案\"\npoints = 8", 0) + 1;
    assert_problem(
        &err,
        &path,
        stage_points,
        "stage `立案`: its documents sum to 9 points, it states 8",
    );
    let text = replace_once(
        &text,
        "name = \"立案\"\npoints = 8",
        "name = \"立案\"\npoints = 9",
    );
    let (path, err) = load_err(dir.path(), &text);
    assert_problem(
        &err,
        &path,
        line_of(&text, "total = 100", 0),
        "the stages sum to 101 points, `total` states 100",
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn unknown_document_types_checks_and_facts_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let text = replace_once(
        PENALTY,
        "doc_types = [\"case_filing_approval\"]",
        "doc_types = [\"case_filling_approval\"]",
    );
    let text = replace_once(
        &text,
        "points = 0.5\ncheck = \"one_interviewee\"",
        "points = 0.5\ncheck = \"one_interviwee\"",
    );
    let text = replace_once(
        &text,
        "applies_when = \"hearing_qualified\"",
        "applies_when = \"hearing_qualifed\"",
    );
    let (path, err) = load_err(dir.path(), &text);
    assert_problem(
        &err,
        &path,
        line_of(&text, "case_filling_approval", 0),
        "unknown document type `case_filling_approval`",
    );
    assert_problem(
        &err,
        &path,
        line_of(&text, "one_interviwee", 0),
        "unknown check `one_interviwee`",
    );
    assert_problem(
        &err,
        &path,
        line_of(&text, "hearing_qualifed", 0),
        "applies_when: unknown fact `hearing_qualifed`",
    );
    assert_eq!(
        err.lines().count(),
        3,
        "every problem is reported at once:\n{err}"
    );
}

#[test]
fn a_document_type_of_the_other_kind_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let text = replace_once(
        COERCION,
        "doc_types = [\"performance_demand\"]",
        "doc_types = [\"penalty_decision\"]",
    );
    let (path, err) = load_err(dir.path(), &text);
    assert_problem(
        &err,
        &path,
        line_of(&text, "[\"penalty_decision\"]", 0),
        "document type `penalty_decision` does not occur in coercion files",
    );
}

#[test]
fn toml_syntax_and_shape_errors_give_the_line() {
    let dir = tempfile::tempdir().unwrap();
    // An unterminated string.
    let text = replace_once(PENALTY, "text = \"有案件来源\"", "text = \"有案件来源");
    let (path, err) = load_err(dir.path(), &text);
    assert_problem(&err, &path, line_of(&text, "text = \"有案件来源", 0), "");
    // A misspelt key.
    let text = replace_once(
        PENALTY,
        "en = \"case source stated\"\npoints = 1",
        "en = \"case source stated\"\npionts = 1",
    );
    let (path, err) = load_err(dir.path(), &text);
    assert_problem(
        &err,
        &path,
        line_of(&text, "pionts", 0),
        "unknown field `pionts`",
    );
    // Points on a basic standard.
    let text = replace_once(
        PENALTY,
        "text = \"法制审核意见明确\"",
        "text = \"法制审核意见明确\"\npoints = 1",
    );
    let (path, err) = load_err(dir.path(), &text);
    assert_problem(
        &err,
        &path,
        line_of(&text, "points = 1", 0),
        "unknown field `points`",
    );
    // An item without its check.
    let text = replace_once(
        PENALTY,
        "en = \"case source stated\"\npoints = 1\ncheck = \"required_field\"\n",
        "en = \"case source stated\"\npoints = 1\n",
    );
    let (_, err) = load_err(dir.path(), &text);
    assert!(err.contains("missing field `check`"), "{err}");
    assert!(
        err.starts_with(&format!("{}:", dir.path().join("custom.toml").display())),
        "{err}"
    );
}

#[test]
fn bad_kind_points_and_grades_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let text = replace_once(PENALTY, "kind = \"penalty\"", "kind = \"unknown\"");
    let (path, err) = load_err(dir.path(), &text);
    assert_problem(&err, &path, line_of(&text, "kind = ", 0), "kind `unknown`");

    let text = replace_once(
        PENALTY,
        "name = \"合格\"\nmin = 60",
        "name = \"合格\"\nmin = 80",
    );
    let (path, err) = load_err(dir.path(), &text);
    assert_problem(
        &err,
        &path,
        line_of(&text, "min = 80", 0),
        "thresholds must fall",
    );

    let text = replace_once(
        PENALTY,
        "name = \"不合格\"\nmin = 0",
        "name = \"不合格\"\nmin = 10",
    );
    let (path, err) = load_err(dir.path(), &text);
    assert_problem(
        &err,
        &path,
        line_of(&text, "min = 10", 0),
        "must have min = 0",
    );

    let text = replace_once(
        PENALTY,
        "en = \"one record per interviewee\"\npoints = 0.5",
        "en = \"one record per interviewee\"\npoints = -0.5",
    );
    let (path, err) = load_err(dir.path(), &text);
    assert_problem(
        &err,
        &path,
        line_of(&text, "points = -0.5", 0),
        "must be positive",
    );
}

#[test]
fn a_custom_rubric_with_its_own_shape_loads() {
    // Another county's rubric: two stages, other grades, a condition on a stage.
    let text = r#"
kind = "penalty"
name = "某县行政处罚案卷评查标准"
total = 100

[[grade]]
name = "合格"
min = 70

[[grade]]
name = "不合格"
min = 0

[[basic]]
id = "X-B1"
category = "程序合法"
text = "有送达回证"
doc_types = ["service_receipt"]
check = "required_document"

[[stage]]
name = "决定"
points = 60.5

[[stage.document]]
name = "行政处罚决定书"
points = 60.5
doc_types = ["penalty_decision"]

[[stage.document.item]]
id = "X-1"
text = "救济途径告知正确"
points = 60.5
check = "remedy"

[[stage]]
name = "听证"
points = 39.5
applies_when = "hearing_requested"

[[stage.document]]
name = "听证笔录"
points = 39.5
doc_types = ["hearing_record"]
applies_when = "not major_case"

[[stage.document.item]]
id = "X-2"
text = "逐页签名按指印"
points = 39.5
check = "fingerprint"
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.toml");
    std::fs::write(&path, text).unwrap();
    let r = Rubric::load(&path).unwrap();
    assert_eq!(r.items.len(), 3);
    let x2 = r.item("X-2").unwrap();
    assert_eq!(
        x2.applies_when.as_deref(),
        Some("hearing_requested and not major_case")
    );
    assert_eq!(x2.doc_types, ["hearing_record"]);
    assert_eq!(r.grade_for(70.0), "合格");
    assert_eq!(r.grade_for(69.5), "不合格");
    assert_eq!(r.path, path.display().to_string());
}
