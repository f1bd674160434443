//! The shipped rubrics match `shared/rubric.md` item by item: IDs, order,
//! points, stage and document subtotals, basic standards, English meaning.
//! rubric.md is parsed here from `../shared` beside the checkout.

use anjuan_core::CaseKind;
use anjuan_rubric::Rubric;
use std::path::PathBuf;

fn rubric_md() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/rubric.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (shared/ must sit beside the checkout)",
            path.display()
        )
    })
}

#[derive(Debug, Default)]
struct MdRubric {
    basics: Vec<(String, String)>,
    stages: Vec<MdStage>,
    stage_sums_line: Vec<f64>,
}

#[derive(Debug)]
struct MdStage {
    name: String,
    points: f64,
    documents: Vec<MdDoc>,
}

#[derive(Debug)]
struct MdDoc {
    points: f64,
    items: Vec<(String, f64, String)>,
}

/// "调查询问笔录 10" or "案卷归档 8 (the file as a whole)" → (name, points).
fn name_points(s: &str) -> (String, f64) {
    let s = s.split(" (").next().unwrap().trim();
    let (name, pts) = s
        .rsplit_once(' ')
        .unwrap_or_else(|| panic!("no points in `{s}`"));
    (name.trim().to_string(), pts.parse().unwrap())
}

/// `P-2.2.7` → (2, 2, 7).
fn numbers(id: &str) -> (usize, usize, usize) {
    let n: Vec<usize> = id[2..].split('.').map(|x| x.parse().unwrap()).collect();
    (n[0], n[1], n[2])
}

fn parse_section(md: &str, heading: &str, prefix: char) -> MdRubric {
    let start = md
        .find(heading)
        .unwrap_or_else(|| panic!("no `{heading}` in rubric.md"));
    let rest = &md[start + heading.len()..];
    let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    let mut r = MdRubric::default();
    for line in section.lines() {
        if let Some(sums) = line.strip_prefix("Stage sums: ") {
            // "46 (12 + …) + 46 (…) + 8 = 100.": the numbers outside parentheses, before `=`.
            let mut depth = 0;
            let mut outside = String::new();
            for ch in sums.split('=').next().unwrap().chars() {
                match ch {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    c if depth == 0 => outside.push(c),
                    _ => {}
                }
            }
            r.stage_sums_line = outside
                .split('+')
                .map(|x| x.trim().parse().unwrap())
                .collect();
            continue;
        }
        if !line.starts_with(&format!("| {prefix}-")) {
            continue;
        }
        let cols: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        let id = cols[0];
        if id.contains("-B") {
            let en = cols[2];
            r.basics.push((id.to_string(), en.to_string()));
            continue;
        }
        // Rows to expand: "C-3.1.1 … C-3.1.7" with points "2,1,1,…".
        let rows: Vec<(String, f64, String)> = if let Some((a, b)) = id.split_once(" … ") {
            let (s, d, first) = numbers(a);
            let (_, _, last) = numbers(b);
            let pts: Vec<f64> = cols[3]
                .split(',')
                .map(|p| p.trim().parse().unwrap())
                .collect();
            assert_eq!(pts.len(), last - first + 1, "{line}");
            (first..=last)
                .zip(pts)
                .map(|(i, p)| (format!("{prefix}-{s}.{d}.{i}"), p, String::new()))
                .collect()
        } else {
            vec![(
                id.to_string(),
                cols[3].parse().unwrap(),
                cols[2].to_string(),
            )]
        };
        let (s, d, _) = numbers(&rows[0].0);
        if !cols[1].is_empty() {
            let parts: Vec<&str> = cols[1].split(" / ").collect();
            if s > r.stages.len() {
                let (name, points) = name_points(parts[0]);
                r.stages.push(MdStage {
                    name,
                    points,
                    documents: Vec::new(),
                });
                let doc = name_points(parts.get(1).copied().unwrap_or(parts[0])).1;
                r.stages.last_mut().unwrap().documents.push(MdDoc {
                    points: doc,
                    items: Vec::new(),
                });
            } else {
                assert_eq!(parts.len(), 1, "{line}");
                r.stages.last_mut().unwrap().documents.push(MdDoc {
                    points: name_points(parts[0]).1,
                    items: Vec::new(),
                });
            }
        }
        assert_eq!(r.stages.len(), s, "stage numbering at {line}");
        let stage = r.stages.last_mut().unwrap();
        assert_eq!(stage.documents.len(), d, "document numbering at {line}");
        stage.documents.last_mut().unwrap().items.extend(rows);
    }
    r
}

fn check(kind: CaseKind, heading: &str, prefix: char) {
    let md = rubric_md();
    let expected = parse_section(&md, heading, prefix);
    let rubric = Rubric::builtin(kind).unwrap();

    // Basic standards: same IDs in the same order, same meaning.
    let basics: Vec<_> = rubric.basic_items().collect();
    assert_eq!(
        basics.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        expected
            .basics
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>()
    );
    for (item, (id, en)) in basics.iter().zip(&expected.basics) {
        assert!(item.points.is_none(), "{id}");
        let ours = item
            .en
            .as_deref()
            .unwrap_or_else(|| panic!("{id} has no `en`"));
        assert!(en.starts_with(ours), "{id}: `{ours}` vs rubric.md `{en}`");
    }

    // Stages, documents and items, in order, with points.
    assert_eq!(rubric.stages.len(), expected.stages.len());
    let stage_points: Vec<f64> = rubric.stages.iter().map(|s| s.points).collect();
    assert_eq!(
        stage_points, expected.stage_sums_line,
        "the `Stage sums` line"
    );
    let mut norm = rubric.norm_items();
    let mut total = 0.0;
    for (s, es) in rubric.stages.iter().zip(&expected.stages) {
        assert_eq!(s.name, es.name);
        assert_eq!(s.points, es.points, "stage {}", s.name);
        assert_eq!(s.documents.len(), es.documents.len(), "stage {}", s.name);
        let mut stage_sum = 0.0;
        for (d, ed) in s.documents.iter().zip(&es.documents) {
            assert_eq!(d.points, ed.points, "document {}", d.name);
            stage_sum += d.points;
            let mut doc_sum = 0.0;
            for (id, points, en) in &ed.items {
                let item = norm.next().unwrap_or_else(|| panic!("{id} missing"));
                assert_eq!(&item.id, id);
                assert_eq!(item.points, Some(*points), "{id}");
                assert_eq!(item.stage.as_deref(), Some(s.name.as_str()), "{id}");
                assert_eq!(item.document.as_deref(), Some(d.name.as_str()), "{id}");
                if !en.is_empty() {
                    assert_eq!(item.en.as_deref(), Some(en.as_str()), "{id}");
                }
                doc_sum += points;
            }
            assert_eq!(doc_sum, d.points, "items of {}", d.name);
        }
        assert_eq!(stage_sum, s.points, "documents of {}", s.name);
        total += stage_sum;
    }
    assert!(norm.next().is_none(), "items beyond rubric.md");
    assert_eq!(total, 100.0);
    assert_eq!(rubric.total, 100.0);
}

#[test]
fn penalty_rubric_matches_rubric_md() {
    check(CaseKind::Penalty, "## Administrative penalty", 'P');
}

#[test]
fn coercion_rubric_matches_rubric_md() {
    check(CaseKind::Coercion, "## Administrative coercion", 'C');
}

#[test]
fn coercion_archive_items_repeat_the_penalty_ones() {
    let p = Rubric::builtin(CaseKind::Penalty).unwrap();
    let c = Rubric::builtin(CaseKind::Coercion).unwrap();
    for n in 1..=7 {
        let a = p.item(&format!("P-6.1.{n}")).unwrap();
        let b = c.item(&format!("C-3.1.{n}")).unwrap();
        assert_eq!((&a.text, a.points, &a.check), (&b.text, b.points, &b.check));
    }
}

#[test]
fn grades_are_annex_1s() {
    for kind in [CaseKind::Penalty, CaseKind::Coercion] {
        let r = Rubric::builtin(kind).unwrap();
        let g: Vec<(&str, f64)> = r.grades.iter().map(|g| (g.name.as_str(), g.min)).collect();
        assert_eq!(
            g,
            [
                ("优秀", 90.0),
                ("良好", 75.0),
                ("合格", 60.0),
                ("不合格", 0.0)
            ]
        );
    }
}
