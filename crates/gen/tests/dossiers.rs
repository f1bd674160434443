//! Whole dossiers, rendered: the truth agrees with the pages and the PDF, the
//! expected score follows the rubric, and a seed always gives the same bytes.

use anjuan_core::truth::DossierTruth;
use anjuan_core::CaseKind;
use anjuan_gen::dossier::{KindChoice, Spec};
use anjuan_gen::{GenerateArgs, Profile};
use anjuan_paper::Renderer;
use anjuan_rubric::Rubric;
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new().expect("fonts installed"))
}

fn check_consistent(t: &DossierTruth, pdf: &[u8]) {
    let n = t.pages.len() as u32;
    // The PDF has one page per truth page.
    let doc = lopdf::Document::load_mem(pdf).expect("a readable PDF");
    assert_eq!(doc.get_pages().len() as u32, n, "{}", t.id);

    // Documents are contiguous, in order, and cover every page once.
    let mut next = 1;
    for (i, d) in t.documents.iter().enumerate() {
        assert_eq!(d.index as usize, i + 1);
        assert_eq!(
            d.pages[0], next,
            "{}: document {} does not start where the last ended",
            t.id, d.index
        );
        assert!(d.pages[1] >= d.pages[0]);
        next = d.pages[1] + 1;
    }
    assert_eq!(next, n + 1, "{}: documents do not cover all pages", t.id);
    for p in &t.pages {
        let d = &t.documents[p.document as usize - 1];
        assert!(
            d.pages[0] <= p.page && p.page <= d.pages[1],
            "{}: page {} outside its document",
            t.id,
            p.page
        );
        assert_eq!(p.doc_type, d.doc_type);
        assert!([0, 90, 180, 270].contains(&p.rotation));
        assert!([200, 300].contains(&p.dpi));
        assert!(!p.lines.is_empty(), "{}: page {} has no text", t.id, p.page);
    }

    // Archival numbers run 1..n unless a page-numbering defect says otherwise,
    // and then the irregularity is on the pages the defect names.
    let numbering: Vec<_> = t
        .defects
        .iter()
        .filter(|d| d.defect.starts_with("page_number_"))
        .collect();
    let irregular: Vec<u32> = t
        .pages
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            let prev = if *i == 0 {
                Some(0)
            } else {
                t.pages[i - 1].printed_page_number
            };
            match (prev, p.printed_page_number) {
                (Some(a), Some(b)) => b != a + 1,
                _ => true,
            }
        })
        .map(|(_, p)| p.page)
        .collect();
    if numbering.is_empty() {
        for p in &t.pages {
            assert_eq!(p.printed_page_number, Some(p.page), "{}", t.id);
        }
    } else {
        let named = &numbering[0].pages;
        assert!(!irregular.is_empty());
        assert!(
            irregular
                .iter()
                .all(|p| named.contains(p) || named.contains(&(p - 1))),
            "{}: {irregular:?} vs {named:?}",
            t.id
        );
    }

    // The contents lists every later document with the page numbers written on it.
    if let Some(c) = t.documents.iter().find(|d| d.doc_type == "contents") {
        let text: String = t.pages[c.pages[0] as usize - 1..c.pages[1] as usize]
            .iter()
            .map(|p| p.full_text())
            .collect::<Vec<_>>()
            .join("\n");
        let printed = |pg: u32| t.pages[pg as usize - 1].printed_page_number.unwrap_or(pg);
        for d in t.documents.iter().filter(|d| d.index > c.index) {
            let (a, b) = (printed(d.pages[0]), printed(d.pages[1]));
            let range = if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            };
            assert!(
                text.contains(&d.title),
                "{}: contents lacks {}",
                t.id,
                d.title
            );
            assert!(
                text.contains(&range),
                "{}: contents lacks range {range} of {}",
                t.id,
                d.title
            );
        }
    }

    // Expected score: 100 − Σ capped deductions, 0 with a basic breach.
    let rubric = Rubric::builtin(t.case_kind).unwrap();
    let mut per_item: BTreeMap<&str, f64> = BTreeMap::new();
    let mut basic = false;
    for d in &t.defects {
        let item = rubric
            .item(&d.item)
            .unwrap_or_else(|| panic!("{}: unknown item {}", t.id, d.item));
        match (item.points, d.points) {
            (Some(max), Some(p)) => {
                assert!(p <= max);
                let e = per_item.entry(&d.item).or_insert(0.0);
                *e = e.max(p);
            }
            (None, None) => basic = true,
            _ => panic!("{}: {} kind mismatch", t.id, d.item),
        }
    }
    let want = if basic {
        0.0
    } else {
        100.0 - per_item.values().sum::<f64>()
    };
    assert!(
        (t.expected.score - want).abs() < 1e-9,
        "{}: {} vs {want}",
        t.id,
        t.expected.score
    );
    assert_eq!(t.expected.basic_breach, basic);
    let grade = match want {
        s if s >= 90.0 => "优秀",
        s if s >= 75.0 => "良好",
        s if s >= 60.0 => "合格",
        _ => "不合格",
    };
    assert_eq!(t.expected.grade, grade);
}

#[test]
fn rendered_dossiers_agree_with_their_truth() {
    let r = renderer();
    let mut kinds = Vec::new();
    for (index, kind) in [
        (0, KindChoice::Penalty),
        (1, KindChoice::Coercion),
        (2, KindChoice::Mixed),
    ] {
        let spec = Spec {
            seed: 11,
            index,
            kind,
            profile: Profile::Small,
            dpi: None,
            forced: None,
        };
        let (pdf, t) = anjuan_gen::make(&spec, r).unwrap();
        check_consistent(&t, &pdf);
        kinds.push(t.case_kind);
    }
    assert!(kinds.contains(&CaseKind::Penalty) && kinds.contains(&CaseKind::Coercion));
}

#[test]
fn page_number_defects_survive_rendering() {
    use anjuan_gen::defects::Defect;
    let r = renderer();
    for (i, d) in [
        Defect::PageNumberGap,
        Defect::PageNumberRepeat,
        Defect::PageNumberMissing,
    ]
    .into_iter()
    .enumerate()
    {
        let spec = Spec {
            seed: 5,
            index: i as u64,
            kind: KindChoice::Coercion,
            profile: Profile::Small,
            dpi: None,
            forced: Some(vec![d]),
        };
        let (pdf, t) = anjuan_gen::make(&spec, r).unwrap();
        check_consistent(&t, &pdf);
        assert_eq!(t.defects.len(), 1);
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes_whatever_the_threads() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let args = |out: &std::path::Path, jobs| GenerateArgs {
        seed: 42,
        count: 2,
        out: out.to_path_buf(),
        kind: KindChoice::Coercion,
        profile: Profile::Small,
        dpi: None,
        first: 0,
        jobs: Some(jobs),
    };
    anjuan_gen::run(&args(a.path(), 1)).unwrap();
    anjuan_gen::run(&args(b.path(), 2)).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(a.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 4);
    for n in names {
        let x = std::fs::read(a.path().join(&n)).unwrap();
        let y = std::fs::read(b.path().join(&n)).unwrap();
        assert!(x == y, "{n:?} differs between runs");
    }
    // A different seed gives different dossiers.
    let c = tempfile::tempdir().unwrap();
    anjuan_gen::run(&GenerateArgs {
        seed: 43,
        ..args(c.path(), 2)
    })
    .unwrap();
    assert_ne!(
        std::fs::read(a.path().join("d42-000.truth.json"))
            .unwrap()
            .len(),
        0
    );
    assert!(!c.path().join("d42-000.pdf").exists() && c.path().join("d43-000.pdf").exists());
}

#[test]
fn bad_output_paths_are_reported_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let args = GenerateArgs {
        seed: 1,
        count: 1,
        out: file.clone(),
        kind: KindChoice::Mixed,
        profile: Profile::Small,
        dpi: None,
        first: 0,
        jobs: Some(1),
    };
    let e = anjuan_gen::run(&args).unwrap_err().to_string();
    assert!(
        e.contains("plain-file") && e.contains("not a directory"),
        "{e}"
    );
}
