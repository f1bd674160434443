//! The 卷内目录 (contents page) read as a table — 序号, 文书名称, 日期,
//! 页码 / 页号 / 起止页 — and reconciled with the documents the classifier
//! found: documents listed but absent, present but unlisted, page ranges that
//! disagree.
//!
//! Rows come from the OCR lines' boxes (lines whose vertical centres are
//! close form a row, cells left to right); a page given without geometry is
//! cut into rows at each lone row number that follows a row holding a title.
//! Within a row, cells are told apart by what they hold, not by where a
//! header says columns are (headers vary and a second contents page has
//! none): a date, a page number or range, a small row number, and Chinese
//! text — the cell most like a known document title is the title.
//!
//! Listed page numbers are the archival page numbers written on the pages
//! (the same numbers [`crate::PageClass::printed_page_number`] reads), so
//! the split is compared in those numbers; where a page's number could not
//! be read, or was read as an isolated odd number (20 as 2), it is estimated
//! from the numbers read on the other pages.

use crate::text::{lone_number, normalize, similarity};
use crate::{cues, find_dates, PageClass, PageInput};
use anjuan_core::contract::DocumentEntry;
use anjuan_core::doctype::DocTypes;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The contents of a dossier as listed, and how they square with the split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contents {
    /// 1-based PDF pages the table was read from.
    pub pages: Vec<u32>,
    /// Rows in order.
    pub entries: Vec<ContentsEntry>,
    /// How the rows and the documents found disagree; empty when they agree.
    pub discrepancies: Vec<ContentsDiscrepancy>,
}

/// One row of the contents table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentsEntry {
    /// 序号 as read.
    pub seq: Option<u32>,
    /// 文书名称 as read.
    pub title: String,
    /// The doc type the title names, when it names one.
    pub doc_type: Option<String>,
    /// The date listed, ISO 8601.
    pub date: Option<String>,
    /// First and last archival page number listed (equal for one page).
    pub pages: Option<[u32; 2]>,
    /// 1-based PDF page the row is on.
    pub page: u32,
    /// Union of the row's cells `[x0, y0, x1, y1]` on the upright page
    /// (None when the page was given without geometry).
    pub bbox: Option<[u32; 4]>,
    /// 1-based index of the document this row was matched to
    /// ([`crate::Classified::documents`]).
    pub document: Option<u32>,
}

/// A disagreement between the contents table and the documents found.
/// `entry` indexes [`Contents::entries`] (0-based); `document` is the
/// 1-based document index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ContentsDiscrepancy {
    /// A row names a document the file does not hold.
    ListedButAbsent {
        entry: usize,
        title: String,
        doc_type: Option<String>,
    },
    /// A document of the file that no row names (cover and contents are
    /// never listed).
    PresentButUnlisted { document: u32, doc_type: String },
    /// A row and its document disagree on the archival page range.
    PagesDisagree {
        entry: usize,
        document: u32,
        listed: [u32; 2],
        /// As read on the pages (estimated where a number was unreadable).
        actual: [u32; 2],
    },
}

#[derive(Debug, Clone)]
struct Cell {
    text: String,
    bbox: Option<[u32; 4]>,
}

fn dotted_date() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"((?:19|20)\d{2})\s*[.．\-/／]\s*(\d{1,2})\s*[.．\-/／]\s*(\d{1,2})")
            .expect("valid regex")
    })
}

fn page_range() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // OCR reads the dash of 5-6 as 一 or ～ now and then.
    RE.get_or_init(|| {
        Regex::new(r"^[(（\[]?(\d{1,4})(?:\s*[-－—–一~～至]+\s*(\d{1,4}))?[)）\]]?$")
            .expect("valid regex")
    })
}

/// A date in a contents cell: `2022.09.30`, `2022-9-30` or `2022年9月30日`.
fn cell_date(text: &str) -> Option<String> {
    if let Some(d) = find_dates(text).into_iter().next() {
        return Some(d);
    }
    let c = dotted_date().captures(text)?;
    let n = |i: usize| c[i].parse::<u32>().ok();
    let (y, m, d) = (n(1)?, n(2)?, n(3)?);
    crate::fields::iso(y, m, d)
}

/// A page number or range in a contents cell: `5`, `5-6`.
fn cell_pages(text: &str) -> Option<[u32; 2]> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let c = page_range().captures(&compact)?;
    let a: u32 = c[1].parse().ok()?;
    let b: u32 = c.get(2).map_or(Some(a), |m| m.as_str().parse().ok())?;
    (a > 0 && b >= a).then_some([a, b])
}

fn has_han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Header cells name columns; they are not rows.
fn is_header_cell(text: &str) -> bool {
    let n = normalize(text);
    cues().contents.header.contains(&n)
}

/// The doc type a listed title names: a title or variant, else a data cue
/// (`营业执照复印件` is other evidence).
pub fn listed_type(title: &str) -> Option<String> {
    let n = normalize(title);
    let types = DocTypes::builtin();
    let nr = &n;
    let best = types
        .types
        .iter()
        .flat_map(|t| t.titles().map(move |x| (t, similarity(nr, &normalize(x)))))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((t, _)) = best.filter(|(_, s)| *s >= cues().title_min_similarity) {
        return Some(t.code.clone());
    }
    cues()
        .contents
        .title_cue
        .iter()
        .find(|c| n.contains(c.contains.as_str()))
        .map(|c| c.code.clone())
}

fn title_score(text: &str) -> f32 {
    let n = normalize(text);
    DocTypes::builtin()
        .types
        .iter()
        .flat_map(|t| t.titles())
        .map(|x| similarity(&n, &normalize(x)))
        .fold(0.0, f32::max)
}

fn union(a: Option<[u32; 4]>, b: Option<[u32; 4]>) -> Option<[u32; 4]> {
    match (a, b) {
        (Some(a), Some(b)) => Some([
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]),
        (a, None) => a,
        (None, b) => b,
    }
}

/// One table row from its cells (left to right); None for a row without a
/// title (the header, a stray line).
fn parse_row(cells: &[Cell], page: u32) -> Option<ContentsEntry> {
    if cells.iter().any(|c| is_header_cell(&c.text)) {
        return None;
    }
    let title_at = cells
        .iter()
        .enumerate()
        .filter(|(_, c)| has_han(&c.text) && cell_date(&c.text).is_none())
        .max_by(|a, b| {
            title_score(&a.1.text)
                .total_cmp(&title_score(&b.1.text))
                .then(b.0.cmp(&a.0))
        })
        .map(|(i, _)| i)?;
    let seq = cells[..title_at]
        .iter()
        .find_map(|c| lone_number(&c.text).filter(|&n| n < 1000));
    let date = cells.iter().find_map(|c| cell_date(&c.text));
    let pages = cells[title_at + 1..]
        .iter()
        .filter(|c| cell_date(&c.text).is_none())
        .find_map(|c| cell_pages(&c.text));
    Some(ContentsEntry {
        seq,
        title: cells[title_at].text.trim().to_string(),
        doc_type: listed_type(&cells[title_at].text),
        date,
        pages,
        page,
        bbox: cells.iter().fold(None, |acc, c| union(acc, c.bbox)),
        document: None,
    })
}

/// The rows of one contents page, as cells left to right.
fn rows_of(page: &PageInput) -> Vec<Vec<Cell>> {
    let c = cues();
    let title_like = |t: &str| {
        let n = normalize(t);
        DocTypes::builtin()
            .get("contents")
            .is_some_and(|ty| ty.titles().any(|x| similarity(&n, &normalize(x)) >= 0.75))
    };
    if page.has_geometry() {
        let corner_y = page.height as f32 * c.page_number_top * 1.2;
        let corner_x = page.width as f32 * (1.0 - c.page_number_right);
        let mut lines: Vec<&anjuan_ocr::OcrLine> = page
            .lines
            .iter()
            .filter(|l| !l.text.trim().is_empty() && !title_like(&l.text))
            .filter(|l| {
                // The archival page number in the corner is not a cell.
                !((l.bbox[3] as f32) <= corner_y
                    && (l.bbox[0] as f32) >= corner_x
                    && lone_number(&l.text).is_some())
            })
            .collect();
        let mid = |l: &anjuan_ocr::OcrLine| (l.bbox[1] + l.bbox[3]) as f32 / 2.0;
        lines.sort_by(|a, b| mid(a).total_cmp(&mid(b)).then(a.bbox[0].cmp(&b.bbox[0])));
        let tol = crate::median_line_height(page) as f32 * 0.5;
        let mut rows: Vec<(f32, Vec<&anjuan_ocr::OcrLine>)> = Vec::new();
        for l in lines {
            match rows.last_mut() {
                Some((y, row)) if (mid(l) - *y).abs() <= tol => {
                    row.push(l);
                    *y = row.iter().map(|l| mid(l)).sum::<f32>() / row.len() as f32;
                }
                _ => rows.push((mid(l), vec![l])),
            }
        }
        rows.into_iter()
            .map(|(_, mut row)| {
                row.sort_by_key(|l| l.bbox[0]);
                row.into_iter()
                    .map(|l| Cell {
                        text: l.text.clone(),
                        bbox: Some(l.bbox),
                    })
                    .collect()
            })
            .collect()
    } else {
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        let mut current: Vec<Cell> = Vec::new();
        let mut first = true;
        let lines: Vec<&anjuan_ocr::OcrLine> = page
            .lines
            .iter()
            .filter(|l| !l.text.trim().is_empty() && !is_header_cell(&l.text))
            .collect();
        for (i, l) in lines.iter().enumerate() {
            // The first line of a page without boxes is where the archival
            // page number is read from.
            if std::mem::take(&mut first) && lone_number(&l.text).is_some() {
                continue;
            }
            if title_like(&l.text) {
                continue;
            }
            let next = lines.get(i + 1).map(|l| l.text.as_str());
            if starts_row(&current, &l.text, next) {
                rows.push(std::mem::take(&mut current));
            }
            current.push(Cell {
                text: l.text.clone(),
                bbox: None,
            });
        }
        if !current.is_empty() {
            rows.push(current);
        }
        rows
    }
}

/// Whether a line read after the cells of `current` (reading order, no
/// boxes) starts the next row: a lone number after a title is either the
/// row's page cell or the next row's 序号. Followed by a title it is a 序号.
/// After the row's date it is the page cell until the row has one; else it is
/// the next 序号 when it follows this row's (or, when this row's is
/// unreadable, once the row has its pages).
fn starts_row(current: &[Cell], line: &str, next: Option<&str>) -> bool {
    let Some(n) = lone_number(line) else {
        return false;
    };
    let Some(title_at) = current.iter().position(|c| has_han(&c.text)) else {
        return false;
    };
    if next.is_some_and(|t| has_han(t) && cell_date(t).is_none()) {
        return true;
    }
    let after = &current[title_at + 1..];
    let has_pages = after
        .iter()
        .any(|c| cell_date(&c.text).is_none() && cell_pages(&c.text).is_some());
    let has_date = current.iter().any(|c| cell_date(&c.text).is_some());
    if has_date && !has_pages {
        return false;
    }
    match current[..title_at]
        .iter()
        .find_map(|c| lone_number(&c.text))
    {
        Some(seq) => n == seq + 1,
        None => has_pages,
    }
}

/// Reads the table rows of the contents pages (`(1-based PDF page, page)`).
pub fn read_table(pages: &[(u32, &PageInput)]) -> Vec<ContentsEntry> {
    pages
        .iter()
        .flat_map(|(n, p)| {
            rows_of(p)
                .into_iter()
                .filter_map(move |r| parse_row(&r, *n))
        })
        .collect()
}

/// The archival page range of each document, in the numbers read on its
/// pages where they are believable, else estimated.
///
/// A number read is believed when at least [`MIN_RUN`] pages read numbers at
/// the same offset from their PDF position: a gap or repeat shifts all later
/// pages alike, while a misread (20 read as 2, and 21 as 1 after it) stands
/// alone. An unread or unbelieved page's number is counted back from the
/// next believed one (a gap or repeat on this very page shows in the pages
/// after it), else on from the one before.
pub fn printed_ranges(pages: &[PageClass], documents: &[DocumentEntry]) -> Vec<Option<[u32; 2]>> {
    let offset = |i: usize| pages[i].printed_page_number.map(|n| n as i64 - i as i64);
    let mut runs: HashMap<i64, usize> = HashMap::new();
    for i in 0..pages.len() {
        if let Some(o) = offset(i) {
            *runs.entry(o).or_default() += 1;
        }
    }
    let believed: Vec<Option<i64>> = (0..pages.len())
        .map(|i| offset(i).filter(|o| runs[o] >= MIN_RUN))
        .collect();
    let number = |pdf_page: u32| -> Option<u32> {
        let i = (pdf_page as usize).checked_sub(1)?;
        let o = believed
            .get(i)
            .copied()
            .flatten()
            .or_else(|| believed.iter().skip(i + 1).find_map(|o| *o))
            .or_else(|| {
                believed[..i.min(believed.len())]
                    .iter()
                    .rev()
                    .find_map(|o| *o)
            })?;
        let n = i as i64 + o;
        (n > 0).then_some(n as u32)
    };
    documents
        .iter()
        .map(|d| Some([number(d.pages[0])?, number(d.pages[1])?]))
        .collect()
}

/// A row at least this similar to a document's title as printed names it.
const AS_PRINTED: f32 = 0.9;

/// Pages that must share an offset for their numbers to be believed.
pub const MIN_RUN: usize = 3;

/// Matches rows to documents and lists the disagreements. Rows are matched
/// in order to a document of their type, preferring one whose archival range
/// starts where the row says; a row whose type is unknown is matched by its
/// start page alone.
pub fn reconcile(
    entries: &mut [ContentsEntry],
    documents: &[DocumentEntry],
    ranges: &[Option<[u32; 2]>],
) -> Vec<ContentsDiscrepancy> {
    let unlisted = &cues().contents.unlisted;
    let listable: Vec<usize> = (0..documents.len())
        .filter(|&i| !unlisted.contains(&documents[i].doc_type))
        .collect();
    // A row that names a document of this file by the title printed on it
    // (a county's own title) has that document's type, even where the title
    // is closer to another type's usual one (听证告知书 to 听证通知书).
    for e in entries.iter_mut() {
        let row = normalize(&e.title);
        let by_title = documents
            .iter()
            .filter(|d| !unlisted.contains(&d.doc_type))
            .filter_map(|d| {
                let t = normalize(d.title.as_deref()?);
                Some((similarity(&row, &t), d))
            })
            .filter(|(sim, _)| *sim >= AS_PRINTED)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, d)) = by_title {
            e.doc_type = Some(d.doc_type.clone());
        }
    }
    let mut taken = vec![false; documents.len()];
    let mut out = Vec::new();
    for (ei, e) in entries.iter_mut().enumerate() {
        let start = e.pages.map(|p| p[0]);
        let free = |i: &&usize| !taken[**i];
        let same_type =
            |i: &&usize| e.doc_type.as_deref() == Some(documents[**i].doc_type.as_str());
        let starts_here = |i: &&usize| start.is_some() && ranges[**i].map(|r| r[0]) == start;
        let found = match &e.doc_type {
            Some(_) => listable
                .iter()
                .filter(free)
                .filter(same_type)
                .find(starts_here)
                .or_else(|| listable.iter().filter(free).find(same_type)),
            None => listable
                .iter()
                .filter(free)
                .filter(|i| often_untitled(&documents[**i].doc_type))
                .find(starts_here)
                .or_else(|| listable.iter().filter(free).find(starts_here)),
        }
        .copied();
        match found {
            Some(d) => {
                taken[d] = true;
                e.document = Some(d as u32 + 1);
                if let (Some(listed), Some(actual)) = (e.pages, ranges[d]) {
                    if listed != actual {
                        out.push(ContentsDiscrepancy::PagesDisagree {
                            entry: ei,
                            document: d as u32 + 1,
                            listed,
                            actual,
                        });
                    }
                }
            }
            None => out.push(ContentsDiscrepancy::ListedButAbsent {
                entry: ei,
                title: e.title.clone(),
                doc_type: e.doc_type.clone(),
            }),
        }
    }
    for &d in &listable {
        if !taken[d] {
            out.push(ContentsDiscrepancy::PresentButUnlisted {
                document: d as u32 + 1,
                doc_type: documents[d].doc_type.clone(),
            });
        }
    }
    out
}

/// Types a listed title that names no known type most likely stands for:
/// the evidence types, whose titles vary most.
fn often_untitled(code: &str) -> bool {
    cues().contents.untitled_types.iter().any(|c| c == code)
}

/// The dossier's contents: the table of its contents document(s), matched
/// to the documents found. None when no page is a contents page.
pub fn contents(
    pages: &[PageInput],
    classes: &[PageClass],
    documents: &[DocumentEntry],
) -> Option<Contents> {
    let on: Vec<(u32, &PageInput)> = classes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.doc_type == "contents")
        .map(|(i, _)| (i as u32 + 1, &pages[i]))
        .collect();
    if on.is_empty() {
        return None;
    }
    let mut entries = read_table(&on);
    let ranges = printed_ranges(classes, documents);
    let discrepancies = reconcile(&mut entries, documents, &ranges);
    Some(Contents {
        pages: on.iter().map(|(n, _)| *n).collect(),
        entries,
        discrepancies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(cell_pages("5-6"), Some([5, 6]));
        assert_eq!(cell_pages("16一17"), Some([16, 17]));
        assert_eq!(cell_pages(" 9 "), Some([9, 9]));
        assert_eq!(cell_pages("6-5"), None);
        assert_eq!(cell_pages("2022.09.30"), None);
        assert_eq!(cell_date("2022.09.30").as_deref(), Some("2022-09-30"));
        assert_eq!(cell_date("2022年9月30日").as_deref(), Some("2022-09-30"));
        assert_eq!(
            listed_type("检查(勘验)笔录").as_deref(),
            Some("site_inspection_record")
        );
        assert_eq!(
            listed_type("营业执照复印件").as_deref(),
            Some("evidence_other")
        );
        assert_eq!(
            listed_type("非税收入缴款书").as_deref(),
            Some("fine_receipt")
        );
    }

    #[test]
    fn a_row_names_the_document_whose_printed_title_it_repeats() {
        let doc = |index: u32, doc_type: &str, title: &str, page: u32| DocumentEntry {
            index,
            doc_type: doc_type.into(),
            title: Some(title.into()),
            pages: [page, page],
            confidence: 1.0,
            date: None,
            number: None,
        };
        // A county that titles the hearing-rights notice 听证告知书, which
        // the usual titles put nearer 听证通知书.
        let documents = [
            doc(1, "hearing_rights_notice", "听证告知书", 19),
            doc(2, "hearing_notice", "听证通知书", 20),
        ];
        let row = |title: &str, page: u32| ContentsEntry {
            seq: None,
            title: title.into(),
            doc_type: listed_type(title),
            date: None,
            pages: Some([page, page]),
            page: 2,
            bbox: None,
            document: None,
        };
        let mut entries = [row("听证告知书", 19), row("听证通知书", 20)];
        let ranges = [Some([19, 19]), Some([20, 20])];
        let found = reconcile(&mut entries, &documents, &ranges);
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(entries[0].document, Some(1));
        assert_eq!(entries[1].document, Some(2));
    }
}
