//! The stages after OCR: classify → check → assess → report.

use crate::page::OcrPage;
use anjuan_core::contract::{DossierInfo, PageEntry, PageOcr, Review, Score, REVIEW_SCHEMA};
use anjuan_core::fsutil::{atomic_write, atomic_write_json};
use anjuan_rubric::{Facts, Rubric};
use std::path::Path;

/// Page types, documents, the kind of case and the facts read on the way
/// (contents page, dates, numbers), as `anjuan-classify` finds them.
pub use anjuan_classify::Classified as Classification;

/// Classification of the dossier's pages into document types and documents
/// (`anjuan-classify`), and the kind of case from the documents found.
pub fn classify(pages: &[OcrPage]) -> Classification {
    let texts: Vec<anjuan_ocr::PageText> = pages.iter().map(OcrPage::page_text).collect();
    let inputs: Vec<anjuan_classify::PageInput> = texts
        .iter()
        .map(|t| anjuan_classify::PageInput {
            lines: &t.lines,
            width: t.width,
            height: t.height,
        })
        .collect();
    anjuan_classify::classify_dossier(&inputs)
}

/// What the checks found, and which checks ran.
pub use anjuan_checks::CheckResult;

/// The rubric pre-checks (`anjuan-checks`) on the classified pages, judged
/// against the rubric of the case's kind (`rubrics`: given with `--rubric`,
/// else the shipped one). A case of unknown kind is not judged. `read`:
/// the pages as OCR read them (the evidence); `pages`: the same pages
/// normalised ([`OcrPage::normalized`]), which the checks read.
pub fn check(
    read: &[OcrPage],
    pages: &[OcrPage],
    class: &Classification,
    rubrics: &[Rubric],
) -> CheckResult {
    let input = anjuan_checks::CheckInput {
        case_kind: class.case_kind,
        pages: pages
            .iter()
            .zip(read)
            .zip(&class.pages)
            .map(|((p, r), c)| anjuan_checks::Page {
                lines: p
                    .lines
                    .iter()
                    .zip(&r.lines)
                    .map(|(l, raw)| anjuan_checks::Line {
                        text: &l.text,
                        raw: &raw.text,
                        bbox: l.bbox,
                        confidence: l.confidence,
                    })
                    .collect(),
                marks: &p.marks,
                dpi: p.dpi,
                width: p.width,
                height: p.height,
                doc_type: &c.doc_type,
                document: c.document,
                printed_page_number: c.printed_page_number,
                unread: p.error.as_deref(),
            })
            .collect(),
        documents: &class.documents,
        rubric: Rubric::for_kind(class.case_kind, rubrics),
    };
    // The contents page (卷内目录) as the classifier reconciled it with the
    // documents found; without one, `contents_reconcile` is left to people.
    let contents = class.contents.as_ref().map(anjuan_checks::contents_issues);
    anjuan_checks::run_with_contents(&input, contents.as_deref())
}

/// Fills `manual`, `not_applicable` and `score` from the rubric of the
/// review's case kind; with no rubric (kind unknown) nothing is judged and
/// the score is that of no findings.
pub fn assess(review: &mut Review, implemented: &[&str], rubrics: &[Rubric]) -> anyhow::Result<()> {
    match Rubric::for_kind(review.case_kind, rubrics) {
        Some(rubric) => {
            let facts = Facts::from_doc_types(review.pages.iter().map(|p| p.doc_type.as_str()));
            anjuan_rubric::fill_review(review, rubric, &facts, implemented)?;
        }
        None => {
            review.manual = Vec::new();
            review.not_applicable = Vec::new();
            review.score = Score {
                draft: 100.0,
                grade: "优秀".to_string(),
                basic_breach_suspected: false,
            };
        }
    }
    Ok(())
}

/// `pages/0001.txt` for page 1.
pub fn text_file_name(page: u32) -> String {
    format!("pages/{page:04}.txt")
}

/// What a review is made with besides the pages.
#[derive(Debug, Clone, Default)]
pub struct ReviewSettings {
    /// Rubric files given with `--rubric`, used instead of the shipped
    /// rubric of their kind.
    pub rubrics: Vec<Rubric>,
    /// The county's registered units (`--units`); empty: names and case
    /// numbers stay as read.
    pub units: anjuan_core::units::Units,
}

/// The review of one dossier from its pages.
pub fn build_review(
    info: DossierInfo,
    pages: &[OcrPage],
    settings: &ReviewSettings,
) -> anyhow::Result<Review> {
    let rubrics = &settings.rubrics[..];
    // One normalisation between OCR and everything downstream; the text as
    // read stays in pages/NNNN.txt and in the findings' evidence.
    let normalized: Vec<OcrPage> = pages.iter().map(OcrPage::normalized).collect();
    let class = classify(&normalized);
    let checks = check(pages, &normalized, &class, rubrics);
    let mut review = Review {
        schema: REVIEW_SCHEMA.to_string(),
        dossier: info,
        case_kind: class.case_kind,
        case: {
            let mut case = class.case.clone();
            let (agency, number) = settings
                .units
                .resolve(case.agency.as_deref(), case.case_number.as_deref());
            (case.agency, case.case_number) = (agency, number);
            case
        },
        pages: pages
            .iter()
            .zip(&class.pages)
            .enumerate()
            .map(|(i, (p, c))| PageEntry {
                page: i as u32 + 1,
                doc_type: c.doc_type.clone(),
                document: Some(c.document),
                printed_page_number: c.printed_page_number,
                error: p.error.clone(),
                ocr: PageOcr {
                    engine: p.engine.clone(),
                    dpi: p.dpi,
                    rotation: Some(anjuan_core::contract::upright_turn(p.rotation)),
                    size: Some([p.width, p.height]),
                    mean_confidence: (p.mean_confidence * 1000.0).round() / 1000.0,
                    text_file: text_file_name(i as u32 + 1),
                },
            })
            .collect(),
        documents: class.documents,
        findings: checks.findings,
        manual: Vec::new(),
        not_applicable: Vec::new(),
        score: Score {
            draft: 100.0,
            grade: String::new(),
            basic_breach_suspected: false,
        },
    };
    assess(&mut review, &checks.implemented, rubrics)?;
    Ok(review)
}

/// Writes `dir/pages/NNNN.txt` and then `dir/review.json` (each atomically),
/// and removes page files (text and views) left from an earlier, longer version of the input.
pub fn write_dossier(dir: &Path, review: &Review, pages: &[OcrPage]) -> std::io::Result<()> {
    for (entry, page) in review.pages.iter().zip(pages) {
        atomic_write(&dir.join(&entry.ocr.text_file), page.text_file().as_bytes())?;
    }
    if let Ok(listing) = std::fs::read_dir(dir.join("pages")) {
        for e in listing.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let stale = name
                .strip_suffix(".txt")
                .or_else(|| name.strip_suffix(".jpg"))
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| n == 0 || n > review.pages.len() as u32);
            if stale {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    atomic_write_json(&dir.join("review.json"), review)
}

/// Whether `dir` holds a complete output of `page_count` pages.
pub fn outputs_complete(dir: &Path, page_count: u32) -> bool {
    let Ok(bytes) = std::fs::read(dir.join("review.json")) else {
        return false;
    };
    let Ok(review) = serde_json::from_slice::<Review>(&bytes) else {
        return false;
    };
    review.dossier.page_count == page_count
        && review.pages.len() == page_count as usize
        && review
            .pages
            .iter()
            .all(|p| dir.join(&p.ocr.text_file).is_file())
}
