//! The classifier on real OCR output: the page texts `anjuan scan` (PP-OCRv4)
//! read from generated dossier d4242-000, checked against its ground truth.
//! The text files carry no boxes, so pages are given without geometry.

use anjuan_classify::{classify_dossier, PageInput};
use anjuan_core::CaseKind;
use anjuan_ocr::OcrLine;
use std::path::Path;

struct TruthPage {
    doc_type: String,
    document: u32,
    printed: Option<u32>,
}

struct TruthDoc {
    doc_type: String,
    pages: [u32; 2],
    date: Option<String>,
    number: Option<String>,
}

fn load(dir: &Path) -> (Vec<Vec<OcrLine>>, Vec<TruthPage>, Vec<TruthDoc>) {
    let tsv = std::fs::read_to_string(dir.join("truth.tsv")).unwrap();
    let mut pages = Vec::new();
    let mut docs = Vec::new();
    for row in tsv.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = row.split('\t').collect();
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        match f[0] {
            "page" => pages.push(TruthPage {
                doc_type: f[2].to_string(),
                document: f[3].parse().unwrap(),
                printed: f[4].parse().ok(),
            }),
            "doc" => docs.push(TruthDoc {
                doc_type: f[2].to_string(),
                pages: [f[3].parse().unwrap(), f[4].parse().unwrap()],
                date: opt(f[5]),
                number: opt(f[6]),
            }),
            other => panic!("truth.tsv: unknown row kind {other}"),
        }
    }
    let texts = (1..=pages.len())
        .map(|n| {
            let text = std::fs::read_to_string(dir.join(format!("{n:04}.txt"))).unwrap();
            text.lines()
                .map(|l| OcrLine {
                    text: l.to_string(),
                    bbox: [0; 4],
                    confidence: 1.0,
                    words: Vec::new(),
                })
                .collect()
        })
        .collect();
    (texts, pages, docs)
}

fn classify_fixture(name: &str) -> (anjuan_classify::Classified, Vec<TruthPage>, Vec<TruthDoc>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let (texts, truth_pages, truth_docs) = load(&dir);
    let inputs: Vec<PageInput> = texts
        .iter()
        .map(|lines| PageInput {
            lines,
            width: 0,
            height: 0,
        })
        .collect();
    (classify_dossier(&inputs), truth_pages, truth_docs)
}

#[test]
fn a_scanned_coercion_dossier_is_split_and_dated() {
    let (got, truth_pages, truth_docs) = classify_fixture("d4243-000");
    assert_eq!(got.case_kind, CaseKind::Coercion);
    for (n, (t, g)) in truth_pages.iter().zip(&got.pages).enumerate() {
        assert_eq!(
            (&g.doc_type, g.document),
            (&t.doc_type, t.document),
            "page {}",
            n + 1
        );
    }
    assert_eq!(got.documents.len(), truth_docs.len());
    for (t, g) in truth_docs.iter().zip(&got.documents) {
        assert_eq!(g.pages, t.pages, "{}", t.doc_type);
        assert_eq!(g.date, t.date, "{}", t.doc_type);
        assert_eq!(g.number, t.number, "{}", t.doc_type);
    }
    // The title variant with full-width brackets, kept as read.
    assert_eq!(
        got.documents[5].title.as_deref(),
        Some("查封（扣押）现场笔录")
    );
}

#[test]
fn a_scanned_penalty_dossier_is_split_into_its_documents() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/d4242-000");
    let (texts, truth_pages, truth_docs) = load(&dir);
    let inputs: Vec<PageInput> = texts
        .iter()
        .map(|lines| PageInput {
            lines,
            width: 0,
            height: 0,
        })
        .collect();
    let got = classify_dossier(&inputs);

    assert_eq!(got.case_kind, CaseKind::Penalty);
    assert_eq!(got.pages.len(), truth_pages.len());
    for (n, (t, g)) in truth_pages.iter().zip(&got.pages).enumerate() {
        assert_eq!(g.doc_type, t.doc_type, "page {}", n + 1);
        assert_eq!(g.document, t.document, "page {}", n + 1);
    }
    // Archival page numbers: all but at most one page read right.
    let printed_right = truth_pages
        .iter()
        .zip(&got.pages)
        .filter(|(t, g)| t.printed == g.printed_page_number)
        .count();
    assert!(printed_right + 1 >= truth_pages.len(), "{printed_right}");

    assert_eq!(got.documents.len(), truth_docs.len());
    for (t, g) in truth_docs.iter().zip(&got.documents) {
        assert_eq!(g.doc_type, t.doc_type);
        assert_eq!(g.pages, t.pages, "{}", t.doc_type);
    }
    // Dates: the interview record's time was left blank on the page (the
    // truth still knows it); every other dated document's date is read.
    let dates_right = truth_docs
        .iter()
        .zip(&got.documents)
        .filter(|(t, g)| t.date.is_some() && t.date == g.date)
        .count();
    let dated = truth_docs.iter().filter(|t| t.date.is_some()).count();
    assert_eq!(dates_right + 1, dated);
    // Titles are kept as read; the two-page interview record is one document.
    let interview = got
        .documents
        .iter()
        .find(|d| d.doc_type == "interview_record")
        .unwrap();
    assert_eq!(interview.title.as_deref(), Some("调查询问笔录"));
    assert_eq!(interview.pages, [6, 7]);
    // Its own number, not the one a service receipt quotes.
    let decision = got
        .documents
        .iter()
        .find(|d| d.doc_type == "penalty_decision")
        .unwrap();
    assert!(decision
        .number
        .as_deref()
        .is_some_and(|n| n.ends_with("罚〔2022〕15号")));
    let receipt = got
        .documents
        .iter()
        .find(|d| d.doc_type == "service_receipt")
        .unwrap();
    assert_eq!(receipt.number, None);
    // Nor the one a closing report's table quotes under 决定书文号.
    let closing = got
        .documents
        .iter()
        .find(|d| d.doc_type == "closing_report")
        .unwrap();
    assert_eq!(closing.number, None);
}

/// The scanned coercion dossier d4243-000 (a seed the model was not trained
/// on) with each document's title line taken out of its first page, as if OCR
/// had lost it: the title rules alone call such pages continuations of the
/// previous document; the trained model (models/classifier.json) reads them
/// from their bodies.
#[test]
fn the_model_reads_pages_whose_title_ocr_lost() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/d4243-000");
    let (mut texts, truth_pages, truth_docs) = load(&dir);
    for d in &truth_docs {
        let lines = &mut texts[d.pages[0] as usize - 1];
        if let Some(t) = anjuan_classify::detect_title(&PageInput {
            lines,
            width: 0,
            height: 0,
        }) {
            lines.retain(|l| l.text.trim() != t.text);
        }
    }
    let inputs: Vec<PageInput> = texts
        .iter()
        .map(|lines| PageInput {
            lines,
            width: 0,
            height: 0,
        })
        .collect();
    let right = |got: &anjuan_classify::Classified| {
        truth_pages
            .iter()
            .zip(&got.pages)
            .filter(|(t, g)| t.doc_type == g.doc_type)
            .count()
    };
    let rules = anjuan_classify::classify_dossier_with(&inputs, None);
    let model = anjuan_classify::model::model().expect("models/classifier.json in the checkout");
    let with_model = anjuan_classify::classify_dossier_with(&inputs, Some(model));
    assert!(right(&rules) <= 3, "rules: {}", right(&rules));
    assert!(
        right(&with_model) + 1 >= truth_pages.len(),
        "model: {} of {}",
        right(&with_model),
        truth_pages.len()
    );
    // Every document found starts where a true one does; at most one is
    // missed (merged into the one before).
    let starts: Vec<u32> = with_model.documents.iter().map(|d| d.pages[0]).collect();
    let true_starts: Vec<u32> = truth_docs.iter().map(|d| d.pages[0]).collect();
    assert!(starts.iter().all(|s| true_starts.contains(s)), "{starts:?}");
    assert!(starts.len() + 1 >= true_starts.len(), "{starts:?}");
    assert!(
        rules.documents.len() <= 3,
        "rules: {}",
        rules.documents.len()
    );
}
