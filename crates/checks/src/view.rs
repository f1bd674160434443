//! The dossier as the checks read it: documents with their pages and a
//! searchable text that maps every character back to its line and box.

use crate::text::{fuzzy_find, squash};
use crate::{CheckInput, Line, Page};
use anjuan_core::contract::Evidence;
use anjuan_core::CaseKind;
use chrono::NaiveDate;

/// A place on a page: the evidence of a finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Spot {
    /// 0-based page index.
    pub page: usize,
    pub bbox: [u32; 4],
    pub text: String,
    /// OCR confidence of the lines.
    pub confidence: f32,
}

impl Spot {
    pub fn of_line(page: usize, line: &Line) -> Spot {
        Spot {
            page,
            bbox: line.bbox,
            text: line.raw.to_string(),
            confidence: line.confidence,
        }
    }

    pub fn evidence(&self) -> Evidence {
        Evidence {
            page: Some(self.page as u32 + 1),
            bbox: Some(self.bbox),
            text: Some(self.text.clone()),
        }
    }
}

/// A page without a box to point at (e.g. an absence on that page).
pub fn page_evidence(page: usize, text: Option<String>) -> Evidence {
    Evidence {
        page: Some(page as u32 + 1),
        bbox: None,
        text,
    }
}

/// One document of the dossier.
#[derive(Debug, Clone)]
pub struct Doc {
    /// 1-based, as in `review.json`.
    pub index: u32,
    pub doc_type: String,
    /// 0-based page indices, in order.
    pub pages: Vec<usize>,
    /// Classification's date of the document.
    pub date: Option<NaiveDate>,
    pub number: Option<String>,
    pub title: Option<String>,
    /// Squashed text of all its lines, in reading order.
    chars: Vec<char>,
    /// For each char of `chars`: (page index, line index).
    origin: Vec<(usize, usize)>,
}

/// A dossier ready for checking.
pub struct Dossier<'i, 'a> {
    pub kind: CaseKind,
    pub pages: &'i [Page<'a>],
    pub docs: Vec<Doc>,
}

impl<'i, 'a> Dossier<'i, 'a> {
    pub fn new(input: &'i CheckInput<'a>) -> Self {
        let mut docs: Vec<Doc> = input
            .documents
            .iter()
            .map(|d| Doc {
                index: d.index,
                doc_type: d.doc_type.clone(),
                pages: Vec::new(),
                date: d
                    .date
                    .as_deref()
                    .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()),
                number: d.number.clone(),
                title: d.title.clone(),
                chars: Vec::new(),
                origin: Vec::new(),
            })
            .collect();
        for (pi, page) in input.pages.iter().enumerate() {
            let Some(doc) = docs.iter_mut().find(|d| d.index == page.document) else {
                continue;
            };
            doc.pages.push(pi);
            for (li, line) in page.lines.iter().enumerate() {
                for c in squash(line.text).chars() {
                    doc.chars.push(c);
                    doc.origin.push((pi, li));
                }
            }
        }
        docs.retain(|d| !d.pages.is_empty());
        Dossier {
            kind: input.case_kind,
            pages: &input.pages,
            docs,
        }
    }

    /// Documents of a type, in file order.
    pub fn docs_of<'s>(&'s self, doc_type: &'s str) -> impl Iterator<Item = &'s Doc> + 's {
        self.docs.iter().filter(move |d| d.doc_type == doc_type)
    }

    pub fn has(&self, doc_type: &str) -> bool {
        self.docs.iter().any(|d| d.doc_type == doc_type)
    }

    /// The lines of a page with their indices.
    pub fn lines(&self, page: usize) -> &[Line<'a>] {
        &self.pages[page].lines
    }

    /// The spot covering the lines of `doc` that chars `start..end` came from
    /// (the first page's part when the match crosses a page).
    pub fn spot(&self, doc: &Doc, start: usize, end: usize) -> Option<Spot> {
        let (page, first) = *doc.origin.get(start)?;
        let mut last = first;
        for &(p, l) in &doc.origin[start..end.min(doc.origin.len())] {
            if p == page {
                last = last.max(l);
            }
        }
        let lines = &self.pages[page].lines[first..=last];
        let bbox = lines.iter().fold([u32::MAX, u32::MAX, 0, 0], |b, l| {
            [
                b[0].min(l.bbox[0]),
                b[1].min(l.bbox[1]),
                b[2].max(l.bbox[2]),
                b[3].max(l.bbox[3]),
            ]
        });
        let text: Vec<&str> = lines.iter().map(|l| l.raw).collect();
        let confidence = lines.iter().map(|l| l.confidence).fold(1.0, f32::min);
        Some(Spot {
            page,
            bbox,
            text: text.join(""),
            confidence,
        })
    }

    /// The first place `phrase` (fuzzily) occurs in `doc`.
    pub fn find(&self, doc: &Doc, phrase: &str) -> Option<(Spot, f32)> {
        let needle: Vec<char> = squash(phrase).chars().collect();
        let (s, e, sim) = fuzzy_find(&doc.chars, &needle)?;
        Some((self.spot(doc, s, e)?, sim))
    }

    /// The first match of a regex over `doc`'s squashed text.
    pub fn find_re(&self, doc: &Doc, re: &regex::Regex) -> Option<Spot> {
        let text = doc.text();
        let m = re.find(&text)?;
        let start = text[..m.start()].chars().count();
        let end = start + m.as_str().chars().count();
        self.spot(doc, start, end)
    }
}

impl Doc {
    /// The squashed text.
    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    /// The squashed text of one of its pages.
    pub fn page_text(&self, page: usize) -> String {
        self.chars
            .iter()
            .zip(&self.origin)
            .filter(|(_, o)| o.0 == page)
            .map(|(c, _)| *c)
            .collect()
    }

    pub fn first_page(&self) -> usize {
        self.pages[0]
    }

    pub fn last_page(&self) -> usize {
        *self.pages.last().expect("documents have pages")
    }

    /// Mean OCR confidence of the document's lines (by characters).
    pub fn confidence(&self, dossier: &Dossier) -> f32 {
        let mut sum = 0.0;
        let mut n = 0usize;
        for &p in &self.pages {
            for l in dossier.lines(p) {
                let k = l.text.chars().count();
                sum += l.confidence * k as f32;
                n += k;
            }
        }
        if n == 0 {
            0.0
        } else {
            sum / n as f32
        }
    }

    /// Whole-document evidence: the title line of its first page.
    pub fn title_evidence(&self, dossier: &Dossier) -> Evidence {
        let page = self.first_page();
        let title = self.title.as_deref().map(squash);
        let line = title.as_ref().and_then(|t| {
            dossier
                .lines(page)
                .iter()
                .find(|l| !t.is_empty() && squash(l.text).contains(t.as_str()))
        });
        match line {
            Some(l) => Spot::of_line(page, l).evidence(),
            None => page_evidence(page, self.title.clone()),
        }
    }

    /// A readable name: the title as read, else the type code.
    pub fn name(&self) -> String {
        self.title.clone().unwrap_or_else(|| self.doc_type.clone())
    }
}
