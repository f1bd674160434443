//! Whole dossiers, rendered: the truth agrees with the pages and the PDF, the
//! expected score follows the rubric, and a seed always gives the same bytes.

use anjuan_core::truth::DossierTruth;
use anjuan_core::CaseKind;
use anjuan_gen::dossier::{KindChoice, Spec};
use anjuan_gen::{family, GenerateArgs, Profile};
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
            // The contents names a document by its title or by the family's
            // own short name for it.
            let fam = family::get(&t.family).expect("a known family");
            let name = fam.contents_names.get(&d.doc_type).unwrap_or(&d.title);
            assert!(text.contains(name), "{}: contents lacks {name}", t.id);
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
        family: "default".into(),
    };
    anjuan_gen::run(&args(a.path(), 1)).unwrap();
    anjuan_gen::run(&args(b.path(), 2)).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(a.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    // Two dossiers (PDF and truth each) and the world's units registry.
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(names.iter().any(|n| n == "units.toml"), "{names:?}");
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
        family: "default".into(),
    };
    let e = anjuan_gen::run(&args).unwrap_err().to_string();
    assert!(
        e.contains("plain-file") && e.contains("not a directory"),
        "{e}"
    );
}

fn spec(seed: u64, index: u64, kind: KindChoice, profile: Profile) -> Spec {
    Spec {
        seed,
        index,
        kind,
        profile,
        dpi: None,
        forced: None,
    }
}

/// A page's text as read in order, lines joined without breaks (a
/// statement wrapped over lines reads whole).
fn page_text(p: &anjuan_core::truth::PageTruth) -> String {
    p.lines.iter().map(|l| l.text.as_str()).collect()
}

fn doc_text(t: &DossierTruth, d: &anjuan_core::truth::DocumentTruth) -> String {
    t.pages[d.pages[0] as usize - 1..d.pages[1] as usize]
        .iter()
        .map(page_text)
        .collect()
}

#[test]
fn every_family_prints_its_own_titles_labels_and_statements() {
    let r = renderer();
    let types = anjuan_core::doctype::DocTypes::builtin();
    let kinds = [(0, KindChoice::Penalty), (1, KindChoice::Coercion)];
    let bases: Vec<DossierTruth> = kinds
        .iter()
        .map(|&(index, kind)| {
            let s = spec(11, index, kind, Profile::Small);
            anjuan_gen::make(&s, r).unwrap().1
        })
        .collect();
    for fam in family::all().iter().filter(|f| !f.is_default()) {
        for (&(index, kind), base) in kinds.iter().zip(&bases) {
            let s = spec(11, index, kind, Profile::Small);
            let (pdf, t) = anjuan_gen::make_in(&s, &fam.key, r).unwrap();
            check_consistent(&t, &pdf);
            assert_eq!(t.family, fam.key);
            assert_eq!(base.family, "default");
            // Same case in both: the family changes the wording, not the case.
            assert_eq!((&t.case_number, &t.party), (&base.case_number, &base.party));

            let mut own_titles = 0;
            for d in &t.documents {
                // The type stays the canonical code; the printed title is
                // the family's, and it is what the page shows.
                assert!(
                    types.types.iter().any(|x| x.code == d.doc_type),
                    "{}",
                    d.doc_type
                );
                let first = page_text(&t.pages[d.pages[0] as usize - 1]);
                assert!(
                    first.contains(&d.title),
                    "{} {}: title {} not printed",
                    fam.key,
                    t.id,
                    d.title
                );
                if let Some(options) = fam.titles.get(&d.doc_type) {
                    let kind_word = if t.case_kind == CaseKind::Penalty {
                        "行政处罚"
                    } else {
                        "行政强制"
                    };
                    let options: Vec<String> = options
                        .iter()
                        .map(|o| o.replace("{kind}", kind_word))
                        .collect();
                    assert!(
                        options.contains(&d.title),
                        "{} {}: {} printed as {}",
                        fam.key,
                        t.id,
                        d.doc_type,
                        d.title
                    );
                    own_titles += 1;
                }
            }
            assert!(
                own_titles >= 3,
                "{} {}: {own_titles} family titles",
                fam.key,
                t.id
            );

            let plan = anjuan_gen::dossier::plan_in(&s, &fam.key, r);
            let w = &plan.words;
            let find = |code: &str| t.documents.iter().find(|d| d.doc_type == code);
            // Approval forms are ruled tables or prose lines, as the family prints them.
            let filing_or_measure = plan
                .docs
                .iter()
                .find(|b| {
                    ["case_filing_approval", "coercive_measure_approval"]
                        .contains(&b.spec.doc_type.as_str())
                })
                .expect("an approval form");
            let ruled = filing_or_measure
                .spec
                .blocks
                .iter()
                .any(|b| matches!(b, anjuan_paper::model::Block::Table(_)));
            assert_eq!(ruled, fam.forms == family::Forms::Table, "{}", fam.key);
            if t.case_kind == CaseKind::Penalty {
                let iv = doc_text(&t, find("interview_record").expect("an interview"));
                for key in ["interviewer", "interviewee", "interview_place", "recorder"] {
                    let l = format!("{}：", w.label(key));
                    assert!(iv.contains(&l), "{} {}: interview lacks {l}", fam.key, t.id);
                }
                let closing = w.say("interview_closing", &[]);
                assert!(iv.contains(&closing), "{}: {closing}", fam.key);
                if !plan
                    .defects
                    .has(anjuan_gen::defects::Defect::InterviewNoCert)
                {
                    assert!(iv.contains(w.label("cert")), "{}: cert label", fam.key);
                }
                if let Some(n) = find("penalty_notice") {
                    if !plan
                        .defects
                        .has(anjuan_gen::defects::Defect::NoticeNoDefenceRight)
                    {
                        let st = w.say("defence_right", &[]);
                        assert!(doc_text(&t, n).contains(&st), "{}: {st}", fam.key);
                    }
                }
                let dec = doc_text(&t, find("penalty_decision").unwrap());
                assert!(dec.contains(&format!("{}：", w.label("decision_party"))));
            } else if let Some(d) = find("coercive_measure_decision") {
                let custody = w.say("measure_custody", &[("measure", "查封".into())]);
                let custody2 = w.say("measure_custody", &[("measure", "扣押".into())]);
                let text = doc_text(&t, d);
                assert!(
                    text.contains(&custody) || text.contains(&custody2),
                    "{} {}: custody statement",
                    fam.key,
                    t.id
                );
                // Bound inside the decision, or filed as its own list.
                let bound = fam.attach.items_in_decision;
                assert_eq!(find("seized_items_list").is_none(), bound, "{}", fam.key);
            }

            // The archival number is stamped or written as the family does it.
            for p in t.pages.iter().filter(|p| p.rotation == 0).take(4) {
                let Some(n) = p.printed_page_number else {
                    continue;
                };
                let (bare, padded) = (n.to_string(), format!("{n:03}"));
                let has = |s: &str, hand: bool| {
                    p.lines.iter().any(|l| l.text == s && l.handwritten == hand)
                };
                let ok = match fam.page_number {
                    family::PageNumber::Boxed => has(&padded, false),
                    family::PageNumber::Plain => has(&bare, false) && !has(&padded, false),
                    family::PageNumber::Handwritten => has(&bare, true),
                    family::PageNumber::Stamped => has(&bare, false) || has(&padded, false),
                    family::PageNumber::Any => true,
                };
                assert!(
                    ok,
                    "{} {} page {}: number {n} not as the family stamps it",
                    fam.key, t.id, p.page
                );
            }

            // Families differ from the default on many pages, not on one,
            // and in the wording: the archival number's stamp is left out.
            let wording = |p: &anjuan_core::truth::PageTruth| -> String {
                let n = p
                    .printed_page_number
                    .map(|n| (n.to_string(), format!("{n:03}")));
                p.lines
                    .iter()
                    .filter(|l| n.as_ref().is_none_or(|(a, b)| l.text != *a && l.text != *b))
                    .map(|l| l.text.as_str())
                    .collect()
            };
            let differ = t
                .pages
                .iter()
                .zip(&base.pages)
                .filter(|(a, b)| wording(a) != wording(b))
                .count();
            assert!(
                differ * 2 >= t.pages.len().min(base.pages.len()),
                "{} {}: only {differ} of {} pages differ from the default",
                fam.key,
                t.id,
                t.pages.len()
            );
        }
    }
}

#[test]
fn a_family_gives_the_same_bytes_for_the_same_seed_and_mixed_draws_several() {
    let r = renderer();
    let s = spec(12, 3, KindChoice::Coercion, Profile::Small);
    let a = anjuan_gen::make_in(&s, "fda", r).unwrap();
    let b = anjuan_gen::make_in(&s, "fda", r).unwrap();
    assert!(a.0 == b.0, "the PDF differs between runs");
    assert_eq!(
        serde_json::to_string(&a.1).unwrap(),
        serde_json::to_string(&b.1).unwrap()
    );
    let json = serde_json::to_value(&a.1).unwrap();
    assert_eq!(json["family"], "fda");

    // `mixed`: each dossier draws its family from its own stream, the same
    // one every time, and a set holds several families.
    let mut seen = std::collections::BTreeSet::new();
    for index in 0..24 {
        let s = spec(12, index, KindChoice::Mixed, Profile::Small);
        let (f1, _) = family::resolve(family::MIXED, &s);
        let (f2, _) = family::resolve(family::MIXED, &s);
        assert_eq!(f1.key, f2.key);
        seen.insert(f1.key.as_str());
    }
    assert!(seen.len() >= 4, "{seen:?}");
    let s = spec(12, 0, KindChoice::Mixed, Profile::Small);
    let (f, _) = family::resolve(family::MIXED, &s);
    assert_eq!(
        anjuan_gen::dossier::plan_in(&s, family::MIXED, r).family,
        f.key
    );
}

/// The default family is the generator as it was: two of the shipped
/// samples (`samples/README.md` gives the commands) regenerate byte for byte,
/// and their truth loads with family "default" though it never names one.
#[test]
fn the_default_family_regenerates_the_shipped_samples() {
    let r = renderer();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
    for index in [25, 28] {
        let s = spec(2026, index, KindChoice::Mixed, Profile::Small);
        let (pdf, t) = anjuan_gen::make(&s, r).unwrap();
        let want_pdf = std::fs::read(dir.join(format!("{}.pdf", t.id))).unwrap();
        assert!(
            pdf == want_pdf,
            "{}.pdf differs from the shipped sample",
            t.id
        );
        let want = std::fs::read_to_string(dir.join(format!("{}.truth.json", t.id))).unwrap();
        let got = serde_json::to_string_pretty(&t).unwrap();
        assert_eq!(got.trim_end(), want.trim_end(), "{}.truth.json", t.id);
        let old: DossierTruth = serde_json::from_str(&want).unwrap();
        assert!(!want.contains("\"family\""));
        assert_eq!(old.family, "default");
    }
}
