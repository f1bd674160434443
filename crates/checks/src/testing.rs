//! Unit-test support: the checks run over small files of given lines.

use crate::{CheckInput, Line, Page};
use anjuan_core::contract::{DocumentEntry, Finding};
use anjuan_core::marks::PageMarks;
use anjuan_core::CaseKind;
use anjuan_rubric::Rubric;

/// `texts` as lines one under another, 60 px apart, from `[x0, y0]` to `x1`.
pub fn stacked<'a>(texts: &[&'a str], [x0, y0, x1]: [u32; 3], confidence: f32) -> Vec<Line<'a>> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| Line {
            text: t,
            raw: t,
            bbox: [x0, y0 + 60 * i as u32, x1, y0 + 50 + 60 * i as u32],
            confidence,
        })
        .collect()
}

/// The findings of every check on a file of one A4 page at 300 DPI holding
/// one document of `doc_type`, titled `title`, dated `date`.
pub fn one_page_findings(
    kind: CaseKind,
    doc_type: &str,
    title: &str,
    date: Option<&str>,
    lines: Vec<Line>,
    marks: &PageMarks,
) -> Vec<Finding> {
    one_document_findings(kind, doc_type, title, date, vec![lines], marks)
}

/// The same for one document of several pages (`pages`: each page's lines).
pub fn one_document_findings(
    kind: CaseKind,
    doc_type: &str,
    title: &str,
    date: Option<&str>,
    pages: Vec<Vec<Line>>,
    marks: &PageMarks,
) -> Vec<Finding> {
    let doc = TestDoc {
        doc_type,
        title,
        date,
        pages,
    };
    file_findings(kind, vec![doc], marks)
}

/// One document of a test file.
pub struct TestDoc<'a> {
    pub doc_type: &'a str,
    pub title: &'a str,
    pub date: Option<&'a str>,
    /// Each page's lines.
    pub pages: Vec<Vec<Line<'a>>>,
}

/// The findings of every check on a file of these documents, in order.
pub fn file_findings(kind: CaseKind, docs: Vec<TestDoc>, marks: &PageMarks) -> Vec<Finding> {
    let mut entries = Vec::new();
    let mut pages = Vec::new();
    for (i, doc) in docs.into_iter().enumerate() {
        let first = pages.len() as u32 + 1;
        for lines in doc.pages {
            pages.push(Page {
                lines,
                marks,
                dpi: 300,
                width: 2480,
                height: 3508,
                doc_type: doc.doc_type,
                document: i as u32 + 1,
                printed_page_number: None,
                unread: None,
            });
        }
        entries.push(DocumentEntry {
            index: i as u32 + 1,
            doc_type: doc.doc_type.into(),
            title: Some(doc.title.into()),
            pages: [first, pages.len() as u32],
            confidence: 1.0,
            date: doc.date.map(str::to_string),
            number: None,
        });
    }
    let input = CheckInput {
        case_kind: kind,
        pages,
        documents: &entries,
        rubric: Rubric::builtin(kind),
    };
    crate::run(&input).findings
}
