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
//! - The trained page model ([`model`], `models/classifier.json`, trained by
//!   [`train::train`]) reads every page too: a strong title match wins, but a
//!   weak (garbled) title or a title-less page goes the model's way when the
//!   model is sure (`[model]` in `data/cues.toml`). Without a model file the
//!   rules decide alone, and stderr says so once.
//! - The contents page is read as a table and reconciled with the split
//!   ([`contents`]); each document's party is read where it states one
//!   ([`DocumentFacts`]).
//! - No I/O but loading the model once. A page given with `width == 0 || height == 0` has
//!   no usable geometry: the first lines stand in for the title zone and the
//!   first line for the page-number corner (this is how `pages/*.txt` files,
//!   which carry no boxes, are classified).

pub mod case;
pub mod contents;
mod fields;
pub mod model;
mod text;
pub mod train;

use anjuan_core::contract::DocumentEntry;
use anjuan_core::doctype::DocTypes;
use anjuan_core::CaseKind;
use anjuan_ocr::OcrLine;
use serde::Deserialize;
use std::sync::OnceLock;

pub use contents::{Contents, ContentsDiscrepancy, ContentsEntry};
pub use fields::{find_dates, find_number, find_party, parse_date};
pub use model::{Model, PageContext, Prediction};
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
    pub(crate) fn has_geometry(&self) -> bool {
        self.width > 0 && self.height > 0
    }
}

/// What the classifier made of a dossier.
#[derive(Debug, Clone, PartialEq)]
pub struct Classified {
    pub case_kind: CaseKind,
    pub pages: Vec<PageClass>,
    pub documents: Vec<DocumentEntry>,
    /// Per document (same order and length as `documents`): what the
    /// contract's [`DocumentEntry`] has no room for.
    pub facts: Vec<DocumentFacts>,
    /// The contents page read as a table and reconciled with `documents`;
    /// None when the file has no contents page.
    pub contents: Option<Contents>,
    /// The case's particulars as read (`review.json`'s `case`).
    pub case: anjuan_core::contract::CaseInfo,
    /// Whether the trained model took part (false: rules only).
    pub model_used: bool,
}

/// Facts of one document beside its [`DocumentEntry`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DocumentFacts {
    /// 1-based, as [`DocumentEntry::index`].
    pub index: u32,
    /// The party (当事人) the document names, where it names one.
    pub party: Option<String>,
    /// First and last archival page number (as read on the pages, estimated
    /// where unreadable; see [`contents::printed_ranges`]).
    pub printed_pages: Option<[u32; 2]>,
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
    dated_by_first: Vec<String>,
    reference_labels: Vec<String>,
    kind_title: Vec<KindTitle>,
    cue: Vec<Cue>,
    unknown_title: UnknownTitleCues,
    case: case::CaseCues,
    model: ModelCues,
    contents: ContentsCues,
    party: PartyCues,
}

/// What makes a line in the title zone a document's title the shipped
/// types do not know (a county's own paper): its document is `other`, with
/// the title as read, never the nearest known type by force.
#[derive(Debug, Deserialize)]
struct UnknownTitleCues {
    /// A title ends with one of these (书, 表, 笔录, …).
    suffixes: Vec<String>,
    min_chars: usize,
    max_chars: usize,
    /// Its centre within this fraction of the page width from the middle.
    max_offcentre: f32,
    /// Taller than the page's median line by this factor.
    min_height_ratio: f32,
}

#[derive(Debug, Deserialize)]
struct ModelCues {
    strong_title: f32,
    override_probability: f32,
    override_min_chars: usize,
}

#[derive(Debug, Deserialize)]
struct ContentsCues {
    /// A page on which this many lines are (near-)exactly known titles is a
    /// contents page, whatever it is titled.
    listing_titles: usize,
    header: Vec<String>,
    unlisted: Vec<String>,
    untitled_types: Vec<String>,
    title_cue: Vec<TitleCue>,
}

#[derive(Debug, Deserialize)]
struct TitleCue {
    contains: String,
    code: String,
}

#[derive(Debug, Deserialize)]
struct PartyCues {
    labels: Vec<String>,
    stops: Vec<String>,
    salutation_lines: usize,
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
        let codes = cues
            .cue
            .iter()
            .map(|c| &c.code)
            .chain(cues.contents.title_cue.iter().map(|c| &c.code))
            .chain(&cues.contents.unlisted)
            .chain(&cues.contents.untitled_types);
        for code in codes {
            assert!(types.contains(code), "cues.toml: unknown code {code}");
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
pub(crate) fn median_line_height(page: &PageInput) -> u32 {
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

/// A line of the title zone that looks like a document's title (centred,
/// larger than the body, ending as titles do) but matches no known type.
pub fn unknown_title(page: &PageInput) -> Option<String> {
    let u = &cues().unknown_title;
    if !page.has_geometry() {
        return None;
    }
    let body_height = median_line_height(page) as f32;
    title_zone(page).into_iter().find_map(|line| {
        let norm = normalize(&line.text);
        let n = norm.chars().count();
        let cjk = norm
            .chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .count();
        let centre = (line.bbox[0] + line.bbox[2]) as f32 / 2.0;
        let offcentre = (centre - page.width as f32 / 2.0).abs() / page.width.max(1) as f32;
        let height = line.bbox[3].saturating_sub(line.bbox[1]) as f32;
        let looks = (u.min_chars..=u.max_chars).contains(&n)
            && cjk == n
            && !line.text.contains(['：', ':'])
            && offcentre <= u.max_offcentre
            && body_height > 0.0
            && height >= body_height * u.min_height_ratio
            && u.suffixes.iter().any(|s| norm.ends_with(s.as_str()));
        looks.then(|| line.text.trim().to_string())
    })
}

/// How many lines of the whole page are (near-)exactly a title: a contents
/// page lists many.
fn titled_lines(page: &PageInput) -> usize {
    let types = DocTypes::builtin();
    page.lines
        .iter()
        .filter(|l| {
            let norm = normalize(&l.text);
            norm.chars().count() >= 2
                && types
                    .types
                    .iter()
                    .flat_map(|t| t.titles())
                    .any(|title| similarity(&norm, &normalize(title)) >= 0.85)
        })
        .count()
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

/// The sheet marker a record prints at the foot of each page, `第2页共3页`:
/// (page, of). Read from the foot of the page (its last lines without
/// geometry).
pub fn sheet_marker(page: &PageInput) -> Option<(u32, u32)> {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"第\s*([0-9]{1,3})\s*页\s*[，,]?\s*共\s*([0-9]{1,3})\s*页")
            .expect("valid regex")
    });
    let foot: Vec<&OcrLine> = if page.has_geometry() {
        let y = page.height as f32 * 0.8;
        page.lines
            .iter()
            .filter(|l| l.bbox[1] as f32 >= y)
            .collect()
    } else {
        page.lines.iter().rev().take(3).collect()
    };
    foot.iter().find_map(|l| {
        let c = re.captures(&l.text)?;
        let n: u32 = c[1].parse().ok()?;
        let of: u32 = c[2].parse().ok()?;
        (n >= 1 && n <= of).then_some((n, of))
    })
}

/// Classifies every page of a dossier and splits it into documents, with the
/// process's trained model when there is one ([`model::model`]).
pub fn classify_dossier(pages: &[PageInput]) -> Classified {
    classify_dossier_with(pages, model::model())
}

/// How the rules read a page on their own.
struct RuleRead {
    doc_type: String,
    confidence: f32,
    new_doc: bool,
    title: Option<String>,
}

/// Classifies every page of a dossier and splits it into documents, with
/// `model` (None: rules only).
pub fn classify_dossier_with(pages: &[PageInput], model: Option<&Model>) -> Classified {
    let c = cues();
    let mut classes: Vec<PageClass> = Vec::with_capacity(pages.len());
    let mut docs: Vec<DocDraft> = Vec::new();
    let mut kind_from_cover: Option<CaseKind> = None;
    let mut markers: Vec<Option<(u32, u32)>> = Vec::with_capacity(pages.len());

    for (i, page) in pages.iter().enumerate() {
        let title = detect_title(page);
        if let Some(t) = &title {
            if let Some(k) = kind_title(&t.text) {
                kind_from_cover = Some(k);
            }
        }
        // A page listing titles under the previous contents page is its
        // second page, not the document its first row names.
        let title = title.filter(|t| {
            t.code == "contents"
                || docs.last().is_none_or(|d| d.doc_type != "contents")
                || titled_lines(page) < 3
        });
        // A page that lists many documents' titles is a contents page,
        // whatever its own title is called (案卷目录, 卷内文件目录 …), not
        // the document its first row names.
        let listing = title.as_ref().is_none_or(|t| t.code != "contents")
            && titled_lines(page) >= c.contents.listing_titles;
        let strong = listing
            || title
                .as_ref()
                .is_some_and(|t| t.similarity >= c.model.strong_title);
        let unknown = title.is_none().then(|| unknown_title(page)).flatten();
        let rules = match title {
            _ if listing => RuleRead {
                doc_type: "contents".to_string(),
                confidence: 0.8,
                new_doc: docs.last().is_none_or(|d| d.doc_type != "contents"),
                title: title_zone(page)
                    .into_iter()
                    .map(|l| l.text.trim())
                    .find(|t| {
                        t.chars()
                            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
                            .count()
                            >= 2
                    })
                    .map(str::to_string),
            },
            Some(t) => RuleRead {
                doc_type: t.code,
                confidence: t.similarity,
                new_doc: true,
                title: Some(t.text),
            },
            None if unknown.is_some() => RuleRead {
                doc_type: "other".to_string(),
                confidence: 0.4,
                new_doc: true,
                title: unknown,
            },
            None => {
                let (doc_type, confidence, new_doc) = match (cue_for(page), docs.last()) {
                    (Some(cue), Some(prev)) if prev.doc_type == cue.code => {
                        (cue.code.clone(), 0.7, false)
                    }
                    (Some(cue), _) if cue.starts_document => (cue.code.clone(), 0.6, true),
                    (_, Some(prev)) => (prev.doc_type.clone(), 0.5, false),
                    (_, None) => ("other".to_string(), 0.3, true),
                };
                RuleRead {
                    doc_type,
                    confidence,
                    new_doc,
                    title: None,
                }
            }
        };
        let read = match model {
            Some(m) if !strong => {
                let lines: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
                let ctx = PageContext {
                    index: i,
                    count: pages.len(),
                    prev: classes.last().map(|p| p.doc_type.as_str()),
                };
                let chars = lines
                    .iter()
                    .flat_map(|l| l.chars())
                    .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
                    .count();
                combine(rules, &m.predict(&lines, &ctx), chars, docs.last())
            }
            _ => rules,
        };
        // A record's first sheet (第1页共N页) after the last sheet of one
        // (第N页共N页) starts a record of its own, titled or not.
        let marker = sheet_marker(page);
        let read = match (marker, markers.last().copied().flatten()) {
            (Some((1, _)), Some((k, of))) if !read.new_doc && k == of => RuleRead {
                new_doc: true,
                ..read
            },
            _ => read,
        };
        markers.push(marker);
        if read.new_doc {
            docs.push(DocDraft {
                doc_type: read.doc_type.clone(),
                title: read.title,
                first: i,
                last: i,
                confidence: read.confidence,
            });
        } else if let Some(d) = docs.last_mut() {
            d.last = i;
            d.confidence = d.confidence.min(read.confidence.max(0.5));
        }
        classes.push(PageClass {
            doc_type: read.doc_type,
            document: docs.len() as u32,
            printed_page_number: printed_page_number(page),
            confidence: read.confidence,
        });
    }

    let documents: Vec<DocumentEntry> = docs
        .iter()
        .enumerate()
        .map(|(n, d)| {
            let lines = doc_lines(pages, d);
            let mut dates = lines.iter().flat_map(|l| find_dates(l));
            let date = if c.undated.contains(&d.doc_type) {
                None
            } else if c.dated_by_first.contains(&d.doc_type) {
                dates.next()
            } else {
                dates.last()
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
                number: find_number(&first_page_lines, &c.reference_labels),
            }
        })
        .collect();

    let ranges = contents::printed_ranges(&classes, &documents);
    let facts: Vec<DocumentFacts> = docs
        .iter()
        .zip(&documents)
        .zip(ranges)
        .map(|((d, e), printed_pages)| DocumentFacts {
            index: e.index,
            party: find_party(
                &doc_lines(pages, d),
                &c.party.labels,
                &c.party.stops,
                c.party.salutation_lines,
            ),
            printed_pages,
        })
        .collect();
    let contents = contents::contents(pages, &classes, &documents);
    let case_kind = kind_from_cover.unwrap_or_else(|| kind_from_types(&documents));
    let mut class = Classified {
        case_kind,
        pages: classes,
        documents,
        facts,
        contents,
        case: Default::default(),
        model_used: model.is_some(),
    };
    class.case = case::case_info(pages, &class);
    class
}

/// Every line of a document's pages, in order.
fn doc_lines<'a>(pages: &[PageInput<'a>], d: &DocDraft) -> Vec<&'a str> {
    pages[d.first..=d.last]
        .iter()
        .flat_map(|p| p.lines.iter().map(|l| l.text.as_str()))
        .collect()
}

/// The rules' reading of a page without a strong title, weighed against the
/// model's: the model wins when it is sure, disagrees and the page has text
/// enough (`chars` Chinese characters) to go on. Its type continues the
/// previous document when that is of the same type (a weak "title" was body
/// text), else starts a document.
fn combine(rules: RuleRead, pred: &Prediction, chars: usize, prev: Option<&DocDraft>) -> RuleRead {
    if pred.code == rules.doc_type {
        return RuleRead {
            confidence: rules.confidence.max(pred.probability),
            ..rules
        };
    }
    let m = &cues().model;
    if pred.probability < m.override_probability || chars < m.override_min_chars {
        return rules;
    }
    // A title the rules read at the top of the page that repeats the
    // previous document's own title is a second document of its kind (two
    // interview records back to back), whatever type the model gives it.
    let repeats_title = match (&rules.title, prev.and_then(|d| d.title.as_deref())) {
        (Some(t), Some(p)) if rules.new_doc => {
            similarity(&normalize(t), &normalize(p)) >= cues().title_min_similarity
        }
        _ => false,
    };
    let continues = prev.is_some_and(|d| d.doc_type == pred.code) && !repeats_title;
    RuleRead {
        doc_type: pred.code.clone(),
        confidence: pred.probability,
        new_doc: !continues,
        title: if continues { None } else { rules.title },
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

#[cfg(test)]
mod tests {
    //! Geometry paths, on synthetic line boxes laid out like a generated A4
    //! page at 200 dpi (1654 × 2339 px); the real-OCR tests are in
    //! `tests/real_ocr.rs`.
    use super::*;

    fn line(text: &str, bbox: [u32; 4]) -> OcrLine {
        OcrLine {
            text: text.to_string(),
            bbox,
            confidence: 0.9,
            words: Vec::new(),
        }
    }

    fn page(lines: &[OcrLine]) -> PageInput<'_> {
        PageInput {
            lines,
            width: 1654,
            height: 2339,
        }
    }

    #[test]
    fn agency_above_the_title_is_not_the_title() {
        let lines = [
            line("12", [1500, 90, 1530, 120]),
            line("蒲县市场监督管理局", [606, 313, 1066, 381]),
            line("查封（扣押）决定书", [560, 426, 1100, 486]),
            line("蒲市监强〔2022〕3号", [975, 530, 1449, 569]),
        ];
        let t = detect_title(&page(&lines)).unwrap();
        assert_eq!(t.code, "coercive_measure_decision");
        assert_eq!(t.text, "查封（扣押）决定书");
        assert_eq!(printed_page_number(&page(&lines)), Some(12));
    }

    #[test]
    fn a_title_phrase_low_on_the_page_is_body_text() {
        let lines = [
            line("问：你对行政处罚决定书有什么意见？", [221, 300, 1300, 340]),
            line("行政处罚决定书", [621, 1500, 1047, 1540]),
        ];
        assert_eq!(detect_title(&page(&lines)), None);
        // Without geometry the first lines are the title zone.
        let blind = PageInput {
            lines: &lines,
            width: 0,
            height: 0,
        };
        assert_eq!(detect_title(&blind).unwrap().code, "penalty_decision");
    }

    #[test]
    fn a_first_sheet_after_a_last_sheet_starts_a_record() {
        let first = [
            line("询问笔录", [640, 300, 1010, 360]),
            line("询问时间：2022年10月13日10时45分", [221, 430, 1300, 468]),
            line("第1页共2页", [760, 2200, 900, 2240]),
        ];
        let last = [
            line("答：以上笔录我已看过。", [221, 300, 1200, 338]),
            line("第2页共2页", [760, 2200, 900, 2240]),
        ];
        // The second record's title not read as one: only its sheet marker
        // tells it starts.
        let second = [
            line("询问时间：2022年10月13日14时40分", [221, 300, 1300, 338]),
            line("第1页共1页", [760, 2200, 900, 2240]),
        ];
        // A marker in the body is no sheet marker.
        let body = [
            line("第1页共1页", [221, 300, 500, 338]),
            line("答：是的。", [221, 400, 600, 438]),
        ];
        let pages = [page(&first), page(&last), page(&second), page(&body)];
        assert_eq!(sheet_marker(&pages[1]), Some((2, 2)));
        assert_eq!(sheet_marker(&pages[3]), None);
        let got = classify_dossier_with(&pages, None);
        let docs: Vec<(&str, [u32; 2])> = got
            .documents
            .iter()
            .map(|d| (d.doc_type.as_str(), d.pages))
            .collect();
        assert_eq!(
            docs,
            [("interview_record", [1, 2]), ("interview_record", [3, 4])]
        );
    }

    #[test]
    fn a_repeated_unknown_title_starts_a_second_document_of_the_models_type() {
        // A county's name for an interview record (询问调查笔录) is no known
        // title; the model reads both records as interview records. The
        // second record's title repeats the first's: a new document.
        let prev = DocDraft {
            doc_type: "interview_record".to_string(),
            title: Some("询问调查笔录".to_string()),
            first: 7,
            last: 8,
            confidence: 0.9,
        };
        let pred = Prediction {
            code: "interview_record".to_string(),
            probability: 0.97,
            second: None,
        };
        let read = |title: Option<&str>| RuleRead {
            doc_type: "other".to_string(),
            confidence: 0.4,
            new_doc: title.is_some(),
            title: title.map(str::to_string),
        };
        let second = combine(read(Some("询问调查笔录")), &pred, 200, Some(&prev));
        assert_eq!(second.doc_type, "interview_record");
        assert!(second.new_doc);
        assert_eq!(second.title.as_deref(), Some("询问调查笔录"));
        // Another title at the top (a line the rules took for a title) or
        // none: the page continues the record the model says it belongs to.
        let other = combine(read(Some("现场情况说明")), &pred, 200, Some(&prev));
        assert!(!other.new_doc);
        let untitled = combine(read(None), &pred, 200, Some(&prev));
        assert!(!untitled.new_doc);
    }

    #[test]
    fn a_title_no_type_knows_starts_an_other_document_with_that_title() {
        let decision = [
            line("行政处罚决定书", [621, 300, 1047, 360]),
            line("当事人：张三", [221, 430, 800, 468]),
            line("经查，当事人存在违法行为。", [221, 500, 1200, 538]),
        ];
        // A county's own paper: centred, larger than the body, ends as a
        // title does, but no type's title.
        let own = [
            line("案件移送函回执单", [600, 300, 1060, 360]),
            line("移送单位：某某局", [221, 430, 800, 468]),
            line("接收人：李四", [221, 500, 700, 538]),
        ];
        let got = classify_dossier_with(&[page(&decision), page(&own)], None);
        let docs: Vec<(&str, Option<&str>)> = got
            .documents
            .iter()
            .map(|d| (d.doc_type.as_str(), d.title.as_deref()))
            .collect();
        assert_eq!(
            docs,
            [
                ("penalty_decision", Some("行政处罚决定书")),
                ("other", Some("案件移送函回执单"))
            ]
        );
        // A label line, an off-centre line or body-sized text is no title:
        // the page continues the decision.
        for l in [
            line("移送单位：某某局回执单", [600, 300, 1060, 360]),
            line("案件移送函回执单", [221, 300, 680, 360]),
            line("案件移送函回执单", [600, 300, 1060, 338]),
        ] {
            let p = [
                l,
                line("接收人：李四", [221, 500, 700, 538]),
                line("接收时间：2022年3月1日", [221, 570, 900, 608]),
            ];
            let got = classify_dossier_with(&[page(&decision), page(&p)], None);
            assert_eq!(got.documents.len(), 1, "{:?}", got.documents);
        }
    }

    #[test]
    fn a_page_listing_titles_is_a_contents_page_whatever_its_title() {
        // 案卷目录 is no title of doc-types.toml; its rows name documents.
        let mut lines = vec![line("案卷目录", [700, 200, 960, 260])];
        for (i, t) in [
            "行政强制措施审批表",
            "查封（扣押）决定书",
            "实施行政强制措施通知书",
            "查封（扣押）现场笔录",
            "送达回证",
        ]
        .iter()
        .enumerate()
        {
            let y = 400 + 80 * i as u32;
            lines.push(line(t, [300, y, 900, y + 40]));
        }
        let got = classify_dossier_with(&[page(&lines)], None);
        assert_eq!(got.documents.len(), 1);
        assert_eq!(got.documents[0].doc_type, "contents");
        assert_eq!(got.documents[0].title.as_deref(), Some("案卷目录"));
        // With two rows only, the page is what its title zone says.
        let got = classify_dossier_with(&[page(&lines[..3])], None);
        assert_ne!(got.documents[0].doc_type, "contents");
    }

    #[test]
    fn page_number_only_in_the_top_right_corner() {
        let lines = [
            line("3", [200, 90, 230, 120]),
            line("[7]", [1480, 80, 1540, 125]),
        ];
        assert_eq!(printed_page_number(&page(&lines)), Some(7));
        let lines = [line("7", [800, 1200, 830, 1240])];
        assert_eq!(printed_page_number(&page(&lines)), None);
    }

    #[test]
    fn two_titled_documents_of_one_type_stay_two_and_photos_start_their_own() {
        let p1 = [
            line("询问笔录", [653, 426, 1017, 486]),
            line("询问时间：2022年3月1日", [221, 530, 900, 568]),
        ];
        let p2 = [
            line("问：你叫什么名字？", [221, 300, 900, 340]),
            line("答：张三。", [221, 370, 600, 410]),
            line("问：还有补充吗？", [221, 440, 900, 480]),
            line("答：没有。二〇二二年三月一日", [221, 510, 900, 550]),
        ];
        let p3 = [
            line("询问笔录", [653, 426, 1017, 486]),
            line("询问时间：2022年3月2日", [221, 530, 900, 568]),
        ];
        let p4 = [
            line(
                "照片1：现场全景，拍摄时间：2022年3月2日",
                [221, 1176, 1300, 1215],
            ),
            line("拍摄地点：某村，拍摄人：李四", [221, 1238, 1140, 1290]),
        ];
        let pages = [page(&p1), page(&p2), page(&p3), page(&p4)];
        let got = classify_dossier_with(&pages, None);
        let docs: Vec<(&str, [u32; 2])> = got
            .documents
            .iter()
            .map(|d| (d.doc_type.as_str(), d.pages))
            .collect();
        assert_eq!(
            docs,
            [
                ("interview_record", [1, 2]),
                ("interview_record", [3, 3]),
                ("evidence_photos", [4, 4]),
            ]
        );
        assert_eq!(got.documents[0].date.as_deref(), Some("2022-03-01"));
        assert_eq!(got.case_kind, CaseKind::Penalty);
    }

    #[test]
    fn a_second_contents_page_continues_the_contents() {
        let p1 = [
            line("卷内目录", [713, 217, 956, 277]),
            line("卷宗封面", [300, 400, 452, 430]),
            line("立案审批表", [300, 460, 452, 490]),
        ];
        let p2 = [
            line("询问笔录", [300, 300, 452, 330]),
            line("行政处罚告知书", [300, 360, 452, 390]),
            line("行政处罚决定书", [300, 420, 452, 450]),
            line("送达回证", [300, 480, 452, 510]),
        ];
        let p3 = [line("立案审批表", [622, 324, 1048, 384])];
        let got = classify_dossier_with(&[page(&p1), page(&p2), page(&p3)], None);
        let docs: Vec<(&str, [u32; 2])> = got
            .documents
            .iter()
            .map(|d| (d.doc_type.as_str(), d.pages))
            .collect();
        assert_eq!(
            docs,
            [("contents", [1, 2]), ("case_filing_approval", [3, 3])]
        );
    }

    #[test]
    fn the_cover_title_names_the_case_kind() {
        let cover = [line("行政强制案卷", [600, 320, 1050, 380])];
        let other = [line("询问笔录", [653, 426, 1017, 486])];
        let got = classify_dossier_with(&[page(&cover), page(&other)], None);
        assert_eq!(got.pages[0].doc_type, "cover");
        assert_eq!(got.case_kind, CaseKind::Coercion);
    }
}
