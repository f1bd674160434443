//! The rubric pre-checks: findings with evidence from OCR'd, classified pages
//! and their marks (issue 6).
//!
//! [`run`] takes a dossier as the pipeline has it after OCR, marks and
//! classification ([`CheckInput`]) and returns draft findings under the item
//! IDs of the case kind's rubric. A check never names an item itself: it
//! names the rubric check it performs and the document type it looked at, and
//! the rubric data says which item that is ([`sink`]). What the checks look
//! for (required documents, fixed statements, labels, time limits, holidays)
//! is data: `data/rules.toml`.
//!
//! The checks:
//! - [`required`]: documents the procedure needs but the file lacks;
//! - [`content`]: fixed statements and filled-in fields, blank dates,
//!   empty signature places and approval boxes, officers and certificates,
//!   the party's particulars, citations;
//! - [`dates`]: order of the procedure and statutory time limits, execution
//!   at night or on a statutory holiday;
//! - [`pages`]: archival page numbers and the order of the documents;
//! - [`marks`]: seals and fingerprints found on the page images;
//! - [`archive`]: copies marked as checked against the original; the
//!   contents page against the documents found ([`run_with_contents`]).

pub mod archive;
pub mod content;
pub mod dates;
pub mod marks;
pub mod pages;
pub mod required;
pub mod rules;
pub mod sink;
pub mod status;
#[cfg(test)]
mod testing;
pub mod text;
pub mod view;

use anjuan_core::contract::{DocumentEntry, Finding};
use anjuan_core::marks::PageMarks;
use anjuan_core::CaseKind;
use anjuan_rubric::Rubric;

pub use rules::rules_fingerprint;

/// One OCR'd text line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line<'a> {
    /// Normalised (`anjuan_core::normalize`): what the checks read.
    pub text: &'a str,
    /// As OCR read it, character for character: what evidence quotes.
    pub raw: &'a str,
    /// `[x0, y0, x1, y1]` in pixels of the upright page at its DPI.
    pub bbox: [u32; 4],
    /// Recognition confidence 0 … 1.
    pub confidence: f32,
}

/// One page: its lines, marks and what classification made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<'a> {
    /// Reading order.
    pub lines: Vec<Line<'a>>,
    pub marks: &'a PageMarks,
    pub dpi: u32,
    pub width: u32,
    pub height: u32,
    /// Document type code (`doc-types.md`).
    pub doc_type: &'a str,
    /// 1-based index into [`CheckInput::documents`].
    pub document: u32,
    /// The archival page number as read, if any.
    pub printed_page_number: Option<u32>,
    /// Why the page could not be read (`pages[].error`): it has no lines,
    /// and what the checks miss may be on it.
    pub unread: Option<&'a str>,
}

/// A classified dossier and the rubric to judge it by.
#[derive(Debug, Clone)]
pub struct CheckInput<'a> {
    pub case_kind: CaseKind,
    pub pages: Vec<Page<'a>>,
    /// The documents as classification split them (dates, numbers).
    pub documents: &'a [DocumentEntry],
    /// The rubric of the case kind; `None` (kind unknown): nothing is judged.
    pub rubric: Option<&'a Rubric>,
}

/// How the contents page (卷内目录) and the documents found disagree, as
/// classification reconciled them (`anjuan_classify::ContentsDiscrepancy`),
/// with where the row was read. Pages are 1-based PDF pages.
#[derive(Debug, Clone, PartialEq)]
pub enum ContentsIssue {
    /// A row names a document the file does not hold.
    ListedButAbsent {
        title: String,
        page: u32,
        bbox: Option<[u32; 4]>,
    },
    /// A document of the file that no row names (1-based document index).
    PresentButUnlisted { document: u32 },
    /// A row and its document disagree on the archival page range.
    PagesDisagree {
        document: u32,
        title: String,
        listed: [u32; 2],
        actual: [u32; 2],
        page: u32,
        bbox: Option<[u32; 4]>,
    },
}

/// The disagreements classification found between a file's contents page
/// and its documents, with the rows they concern.
pub fn contents_issues(c: &anjuan_classify::Contents) -> Vec<ContentsIssue> {
    use anjuan_classify::ContentsDiscrepancy as D;
    let row = |entry: usize| c.entries.get(entry);
    c.discrepancies
        .iter()
        .map(|x| match x {
            D::ListedButAbsent { entry, title, .. } => ContentsIssue::ListedButAbsent {
                title: title.clone(),
                page: row(*entry).map_or(c.pages.first().copied().unwrap_or(1), |e| e.page),
                bbox: row(*entry).and_then(|e| e.bbox),
            },
            D::PresentButUnlisted { document, .. } => ContentsIssue::PresentButUnlisted {
                document: *document,
            },
            D::PagesDisagree {
                entry,
                document,
                listed,
                actual,
            } => ContentsIssue::PagesDisagree {
                document: *document,
                title: row(*entry).map(|e| e.title.clone()).unwrap_or_default(),
                listed: *listed,
                actual: *actual,
                page: row(*entry).map_or(c.pages.first().copied().unwrap_or(1), |e| e.page),
                bbox: row(*entry).and_then(|e| e.bbox),
            },
        })
        .collect()
}

/// What the checks found, and which checks ran.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckResult {
    pub findings: Vec<Finding>,
    pub implemented: Vec<&'static str>,
}

/// The rubric checks (names of `rubrics/checks.toml`) that this crate
/// implements: an item assigned one of them is judged by the machine.
pub const IMPLEMENTED: &[&str] = &[
    "required_document",
    "required_field",
    "party_particulars",
    "approval_block",
    "signature",
    "fingerprint",
    "seal",
    "officers_two",
    "record_time_place",
    "recusal_notice",
    "statement_right",
    "hearing_right",
    "remedy",
    "citation",
    "document_number",
    "time_limit",
    "forbidden_time",
    "date_order",
    "page_numbers",
    "copy_marking",
    "one_interviewee",
    "contents_reconcile",
];

/// The implemented check names (for `anjuan rubric show`).
pub fn implemented() -> &'static [&'static str] {
    IMPLEMENTED
}

/// Runs every check on a dossier whose contents page was not reconciled:
/// `contents_reconcile` is left to people.
pub fn run(input: &CheckInput) -> CheckResult {
    run_with_contents(input, None)
}

/// Runs every check on a dossier; `contents`: how its contents page and its
/// documents disagree (empty when they agree), `None` when that was not
/// judged (then `contents_reconcile` is not among the checks that ran).
pub fn run_with_contents(input: &CheckInput, contents: Option<&[ContentsIssue]>) -> CheckResult {
    let Some(rubric) = input.rubric else {
        return CheckResult::default();
    };
    let rules = rules::rules();
    let dossier = view::Dossier::new(input);
    let mut sink = sink::Sink::new(rubric);
    required::check(&dossier, rules, &mut sink);
    content::check(&dossier, rules, &mut sink);
    dates::check(&dossier, rules, &mut sink);
    pages::check(&dossier, rules, &mut sink);
    marks::check(&dossier, rules, &mut sink);
    archive::check(&dossier, rules, &mut sink);
    if let Some(issues) = contents {
        archive::contents(&dossier, rules, issues, &mut sink);
    }
    unread_pages(&dossier, &mut sink);
    let implemented = IMPLEMENTED
        .iter()
        .copied()
        .filter(|c| contents.is_some() || *c != "contents_reconcile")
        .collect();
    CheckResult {
        findings: sink.finish(&dossier, rules),
        implemented,
    }
}

/// A page that could not be read is a finding for people (缺页): the file
/// may lack that page, or hold it damaged. It is flagged on the archival
/// item that every page be there and numbered, never counted by the machine.
fn unread_pages(d: &view::Dossier, sink: &mut sink::Sink) {
    for (i, page) in d.pages.iter().enumerate() {
        let Some(why) = page.unread else { continue };
        let from = sink.len();
        sink.emit(
            &sink::Target::new("page_numbers", ""),
            &format!("第{}页未能读取，疑似缺页或页面损坏：{why}", i + 1),
            1.0,
            vec![view::page_evidence(i, None)],
        );
        sink.mark_doubt(from, "机器未能读取该页，请对照原卷核对");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::Target;

    #[test]
    fn implemented_checks_cover_half_of_each_rubric() {
        for kind in [CaseKind::Penalty, CaseKind::Coercion] {
            let r = Rubric::builtin(kind).expect("shipped rubric");
            let covered = r.covered_points(IMPLEMENTED);
            assert!(covered >= 50.0, "{kind:?}: {covered}");
        }
        let registry = include_str!("../../../rubrics/checks.toml");
        for name in IMPLEMENTED {
            assert!(
                registry.contains(&format!("name = \"{name}\"")),
                "{name} not in rubrics/checks.toml"
            );
        }
    }

    #[test]
    fn every_rule_names_rubric_items() {
        let r = rules::rules();
        let mut targets: Vec<(&sink::Target, &[String])> = Vec::new();
        for x in &r.phrase {
            targets.push((&x.target, &x.doc_types));
        }
        for x in &r.field {
            targets.push((&x.target, &x.doc_types));
        }
        for x in &r.sign {
            targets.push((&x.target, &x.doc_types));
        }
        for x in &r.approval {
            targets.push((&x.target, &x.doc_types));
        }
        for x in &r.undated {
            targets.push((&x.target, &x.doc_types));
        }
        for x in &r.party {
            targets.push((&x.target, &x.doc_types));
        }
        for x in &r.seal {
            targets.push((&x.target, &x.doc_types));
        }
        for x in &r.interviewee {
            targets.push((&x.target, &x.doc_types));
        }
        // Rules on the file as a whole or on one document, as the checks
        // name them (`for_doc` with the judged document's type, or none).
        let none: &[String] = &[String::new()];
        let mut whole: Vec<(Target, Vec<String>)> = Vec::new();
        for x in &r.order {
            whole.push((x.target.clone(), none.to_vec()));
        }
        for x in &r.limit {
            whole.push((x.target.clone(), none.to_vec()));
        }
        for x in &r.deadline {
            whole.push((x.target.clone(), none.to_vec()));
        }
        whole.push((
            r.forbidden_time.target.clone(),
            r.forbidden_time.doc_types.clone(),
        ));
        for x in &r.officers {
            whole.push((x.target.clone(), x.doc_types.clone()));
            whole.push((x.target_basic.clone(), x.doc_types.clone()));
        }
        for x in &r.citation {
            for t in [&x.abbreviated, &x.no_article].into_iter().flatten() {
                whole.push((t.clone(), x.doc_types.clone()));
            }
        }
        for x in &r.copy {
            whole.push((x.target.clone(), none.to_vec()));
        }
        whole.push((r.contents.target.clone(), none.to_vec()));
        for x in &r.sequence {
            whole.push((x.target.clone(), none.to_vec()));
        }
        whole.push((r.page_numbers.target.clone(), none.to_vec()));
        for (t, types) in &whole {
            targets.push((t, types));
        }
        for (t, types) in targets {
            for ty in types {
                let found = [CaseKind::Penalty, CaseKind::Coercion].iter().any(|&k| {
                    let rubric = Rubric::builtin(k).expect("rubric");
                    let sink = sink::Sink::new(rubric);
                    !sink.items(&content::for_doc(t, ty)).is_empty()
                });
                assert!(found, "{t:?} on {ty} names no item");
            }
        }
    }
}
