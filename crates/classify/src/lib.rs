//! anjuan-classify: page classification and document segmentation of an
//! OCR'd case file (案卷).
//!
//! [`classify_dossier`] takes every page's OCR lines and returns, per page,
//! its document type, the 1-based document it belongs to, and the archival
//! page number written in the top-right corner; per document, its title as
//! read, its own date, its number (文号) and a confidence; and the case kind.
//!
//! - Titles: lines of the title zone (top of the page) are matched against
//!   every title and variant of [`DocTypes::builtin`] by normalised
//!   character-level edit distance, so OCR slips still match. A page with a
//!   title starts a document.
//! - Pages without a title continue the previous document, unless their text
//!   carries the cues (`data/cues.toml`) of a photo page or a copy of an
//!   identity document / licence, which start their own document.
//! - Pure functions, no I/O. A page given with `width == 0 || height == 0` has
//!   no usable geometry: the first lines stand in for the title zone and the
//!   first line for the page-number corner (this is how `pages/*.txt` files,
//!   which carry no boxes, are classified).

mod fields;
mod text;

use anjuan_core::contract::DocumentEntry;
use anjuan_core::doctype::DocTypes;
use anjuan_core::CaseKind;
use anjuan_ocr::OcrLine;
use serde::Deserialize;
use std::sync::OnceLock;

pub use fields::{find_dates, find_number, parse_date};
pub use text::{normalize, similarity};

/// One OCR'd page, in reading order on the upright page.
#[derive(Debug, Clone, Copy)]
pub struct PageInput<'a> {
    pub lines: &'a [OcrLine],
    /// Size of the image the boxes refer to; 0 when boxes are meaningless.
    pub width: u32,
    pub height: u32,
}

impl PageInput<'_> {
    fn has_geometry(&self) -> bool {
        self.width > 0 && self.height > 0
    }
}

/// What the classifier made of a dossier.
#[derive(Debug, Clone, PartialEq)]
pub struct Classified {
    pub case_kind: CaseKind,
    pub pages: Vec<PageClass>,
    pub documents: Vec<DocumentEntry>,
}

/// What one page is.
#[derive(Debug, Clone, PartialEq)]
pub struct PageClass {
    pub doc_type: String,
    /// 1-based index into [`Classified::documents`].
    pub document: u32,
    /// The archival page number in the top-right corner, as read.
    pub printed_page_number: Option<u32>,
    /// 0.0 … 1.0
    pub confidence: f32,
}

/// A recognised title on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct TitleMatch {
    pub code: String,
    /// The line as OCR read it.
    pub text: String,
    /// Similarity to the closest title or variant, 0.0 … 1.0.
    pub similarity: f32,
}

#[derive(Debug, Deserialize)]
struct Cues {
    title_min_similarity: f32,
    title_zone_lines: usize,
    title_zone_fraction: f32,
    page_number_top: f32,
    page_number_right: f32,
    undated: Vec<String>,
    kind_title: Vec<KindTitle>,
    cue: Vec<Cue>,
}

#[derive(Debug, Deserialize)]
struct KindTitle {
    text: String,
    kind: CaseKind,
}

#[derive(Debug, Deserialize)]
struct Cue {
    code: String,
    phrases: Vec<String>,
    min_hits: usize,
    starts_document: bool,
}

fn cues() -> &'static Cues {
    static CUES: OnceLock<Cues> = OnceLock::new();
    CUES.get_or_init(|| {
        let cues: Cues = toml::from_str(include_str!("../data/cues.toml"))
            .expect("crates/classify/data/cues.toml is valid");
        let types = DocTypes::builtin();
        for c in &cues.cue {
            assert!(
                types.contains(&c.code),
                "cues.toml: unknown code {}",
                c.code
            );
        }
        cues
    })
}

/// The title-zone lines of a page, in reading order.
fn title_zone<'a>(page: &PageInput<'a>) -> Vec<&'a OcrLine> {
    let c = cues();
    if page.has_geometry() {
        let limit = page.height as f32 * c.title_zone_fraction;
        page.lines
            .iter()
            .filter(|l| (l.bbox[1] as f32) < limit)
            .collect()
    } else {
        page.lines
            .iter()
            .filter(|l| !l.text.trim().is_empty())
            .take(c.title_zone_lines)
            .collect()
    }
}

/// Median line height of a page (0 without geometry).
fn median_line_height(page: &PageInput) -> u32 {
    let mut h: Vec<u32> = page
        .lines
        .iter()
        .map(|l| l.bbox[3].saturating_sub(l.bbox[1]))
        .collect();
    if h.is_empty() {
        return 0;
    }
    h.sort_unstable();
    h[h.len() / 2]
}

/// The best title match in the title zone of a page, if any line is close
/// enough to a title or variant of the shipped document types.
pub fn detect_title(page: &PageInput) -> Option<TitleMatch> {
    let c = cues();
    let types = DocTypes::builtin();
    let body_height = median_line_height(page);
    let mut best: Option<(f32, TitleMatch)> = None;
    for line in title_zone(page) {
        let norm = normalize(&line.text);
        if norm.chars().count() < 2 {
            continue;
        }
        let tall = page.has_geometry()
            && body_height > 0
            && line.bbox[3].saturating_sub(line.bbox[1]) as f32 > body_height as f32 * 1.2;
        for t in &types.types {
            for title in t.titles() {
                let sim = similarity(&norm, &normalize(title));
                if sim < c.title_min_similarity {
                    continue;
                }
                // Larger glyphs break ties between near-equal matches.
                let score = sim + if tall { 0.05 } else { 0.0 };
                if best.as_ref().is_none_or(|(s, _)| score > *s) {
                    best = Some((
                        score,
                        TitleMatch {
                            code: t.code.clone(),
                            text: line.text.trim().to_string(),
                            similarity: sim,
                        },
                    ));
                }
            }
        }
    }
    best.map(|(_, m)| m)
}

/// The archival page number: digits alone in the top-right corner (possibly
/// boxed, so bracket-like characters around them are ignored).
pub fn printed_page_number(page: &PageInput) -> Option<u32> {
    let c = cues();
    let candidates: Vec<&OcrLine> = if page.has_geometry() {
        let top = page.height as f32 * c.page_number_top;
        let left = page.width as f32 * (1.0 - c.page_number_right);
        page.lines
            .iter()
            .filter(|l| (l.bbox[3] as f32) <= top * 1.2 && (l.bbox[0] as f32) >= left)
            .collect()
    } else {
        page.lines
            .iter()
            .filter(|l| !l.text.trim().is_empty())
            .take(1)
            .collect()
    };
    candidates.iter().find_map(|l| text::lone_number(&l.text))
}

/// The continuation cue a title-less page matches, if any.
fn cue_for(page: &PageInput) -> Option<&'static Cue> {
    let all: String = page.lines.iter().map(|l| l.text.as_str()).collect();
    cues().cue.iter().find(|cue| {
        cue.phrases
            .iter()
            .map(|p| all.matches(p.as_str()).count())
            .sum::<usize>()
            >= cue.min_hits
    })
}

/// Classifies every page of a dossier and splits it into documents.
pub fn classify_dossier(pages: &[PageInput]) -> Classified {
    let mut classes: Vec<PageClass> = Vec::with_capacity(pages.len());
    // (doc_type, title, first page index, last page index, confidence)
    let mut docs: Vec<DocDraft> = Vec::new();
    let mut kind_from_cover: Option<CaseKind> = None;

    for (i, page) in pages.iter().enumerate() {
        let title = detect_title(page);
        if let Some(t) = &title {
            if let Some(k) = kind_title(&t.text) {
                kind_from_cover = Some(k);
            }
        }
        let (doc_type, confidence, new_doc, title_text) = match title {
            Some(t) => (t.code, t.similarity, true, Some(t.text)),
            None => match (cue_for(page), docs.last()) {
                (Some(cue), Some(prev)) if prev.doc_type == cue.code => {
                    (cue.code.clone(), 0.7, false, None)
                }
                (Some(cue), _) if cue.starts_document => (cue.code.clone(), 0.6, true, None),
                (_, Some(prev)) => (prev.doc_type.clone(), 0.5, false, None),
                (_, None) => ("other".to_string(), 0.3, true, None),
            },
        };
        if new_doc {
            docs.push(DocDraft {
                doc_type: doc_type.clone(),
                title: title_text,
                first: i,
                last: i,
                confidence,
            });
        } else if let Some(d) = docs.last_mut() {
            d.last = i;
            d.confidence = d.confidence.min(confidence.max(0.5));
        }
        classes.push(PageClass {
            doc_type,
            document: docs.len() as u32,
            printed_page_number: printed_page_number(page),
            confidence,
        });
    }

    let undated = &cues().undated;
    let documents: Vec<DocumentEntry> = docs
        .iter()
        .enumerate()
        .map(|(n, d)| {
            let doc_pages = &pages[d.first..=d.last];
            let lines: Vec<&str> = doc_pages
                .iter()
                .flat_map(|p| p.lines.iter().map(|l| l.text.as_str()))
                .collect();
            let date = if undated.contains(&d.doc_type) {
                None
            } else {
                lines.iter().flat_map(|l| find_dates(l)).last()
            };
            let first_page_lines: Vec<&str> = pages[d.first]
                .lines
                .iter()
                .map(|l| l.text.as_str())
                .collect();
            DocumentEntry {
                index: n as u32 + 1,
                doc_type: d.doc_type.clone(),
                title: d.title.clone(),
                pages: [d.first as u32 + 1, d.last as u32 + 1],
                confidence: d.confidence,
                date,
                number: find_number(&first_page_lines),
            }
        })
        .collect();

    let case_kind = kind_from_cover.unwrap_or_else(|| kind_from_types(&documents));
    Classified {
        case_kind,
        pages: classes,
        documents,
    }
}

struct DocDraft {
    doc_type: String,
    title: Option<String>,
    first: usize,
    last: usize,
    confidence: f32,
}

fn kind_title(title: &str) -> Option<CaseKind> {
    let norm = normalize(title);
    cues()
        .kind_title
        .iter()
        .find(|k| similarity(&norm, &normalize(&k.text)) >= cues().title_min_similarity)
        .map(|k| k.kind)
}

/// Penalty if penalty-only types outnumber coercion-only ones, coercion if the
/// reverse, else unknown.
fn kind_from_types(documents: &[DocumentEntry]) -> CaseKind {
    let types = DocTypes::builtin();
    let only = |code: &str, kind: &str| {
        types
            .get(code)
            .is_some_and(|t| t.kinds.len() == 1 && t.kinds[0] == kind)
    };
    let penalty = documents
        .iter()
        .filter(|d| only(&d.doc_type, "penalty"))
        .count();
    let coercion = documents
        .iter()
        .filter(|d| only(&d.doc_type, "coercion"))
        .count();
    match penalty.cmp(&coercion) {
        std::cmp::Ordering::Greater => CaseKind::Penalty,
        std::cmp::Ordering::Less => CaseKind::Coercion,
        std::cmp::Ordering::Equal => CaseKind::Unknown,
    }
}
