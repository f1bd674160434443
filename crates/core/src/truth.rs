//! Ground truth of a generated dossier (`<id>.truth.json` beside `<id>.pdf`),
//! written by `anjuan generate`, read by `anjuan eval`.
//!
//! Coordinates are pixels of the page image as it is stored in the PDF *after*
//! undoing the scan rotation, i.e. of the upright page at `dpi`.

use crate::CaseKind;
use serde::{Deserialize, Serialize};

pub const TRUTH_SCHEMA: &str = "anjuan.truth/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DossierTruth {
    pub schema: String,
    /// The PDF's file stem.
    pub id: String,
    /// The generator seed this dossier was made from.
    pub seed: u64,
    /// The template family the generator wrote it in (`crates/gen/data/families.toml`);
    /// "default" in truth written before families. Not written when it is
    /// "default", so default truth files stay byte-identical to those made
    /// before families existed.
    #[serde(default = "default_family", skip_serializing_if = "is_default_family")]
    pub family: String,
    pub case_kind: CaseKind,
    /// The agency that handled the case (e.g. 蒲县市场监督管理局).
    pub agency: String,
    /// The case number (e.g. 蒲市监罚〔2022〕15号).
    pub case_number: String,
    pub party: String,
    /// The fine decided, in yuan (null: none decided, or an older truth).
    #[serde(default)]
    pub fine_yuan: Option<f64>,
    /// The illegal gains confiscated, in yuan (null: none).
    #[serde(default)]
    pub confiscated_yuan: Option<f64>,
    /// Procedure facts that decide which rubric items apply.
    pub facts: CaseFacts,
    pub pages: Vec<PageTruth>,
    pub documents: Vec<DocumentTruth>,
    pub defects: Vec<DefectTruth>,
    pub expected: ExpectedScore,
}

fn default_family() -> String {
    "default".to_string()
}

fn is_default_family(f: &str) -> bool {
    f == "default"
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseFacts {
    /// A hearing was asked for (hearing documents apply).
    pub hearing_requested: bool,
    /// The penalty qualified for a hearing (the rights notice applies).
    pub hearing_qualified: bool,
    /// Evidence was preserved (先行登记保存 documents apply).
    pub evidence_preserved: bool,
    /// Coercion: a coercive measure was taken.
    pub coercive_measure: bool,
    /// Coercion: an execution was carried out.
    pub enforcement: bool,
    /// Coercion: substitute performance (代履行) was decided.
    pub substitute_performance: bool,
    /// Major case (collective discussion applies).
    pub major_case: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageTruth {
    /// 1-based position in the PDF.
    pub page: u32,
    pub doc_type: String,
    /// 1-based index into `documents`.
    pub document: u32,
    /// The archival page number written or stamped on the page, if any.
    pub printed_page_number: Option<u32>,
    /// Clockwise degrees (0, 90, 180, 270) the scanned image is turned from upright.
    pub rotation: u16,
    pub dpi: u32,
    pub grayscale: bool,
    /// Text lines in reading order (top to bottom, then left to right).
    pub lines: Vec<TruthLine>,
}

impl PageTruth {
    /// Printed text only, one line per line.
    pub fn printed_text(&self) -> String {
        self.text_where(|l| !l.handwritten)
    }

    /// Printed and handwritten text, one line per line, in reading order.
    pub fn full_text(&self) -> String {
        self.text_where(|_| true)
    }

    fn text_where(&self, keep: impl Fn(&TruthLine) -> bool) -> String {
        self.lines
            .iter()
            .filter(|l| keep(l))
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthLine {
    pub text: String,
    /// `[x0, y0, x1, y1]` on the upright page.
    pub bbox: [u32; 4],
    pub handwritten: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentTruth {
    /// 1-based.
    pub index: u32,
    pub doc_type: String,
    /// The title as printed.
    pub title: String,
    /// First and last page, 1-based, inclusive.
    pub pages: [u32; 2],
    /// The document's own date (signing or issuing), ISO 8601.
    pub date: Option<String>,
    pub number: Option<String>,
    pub party: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DefectKind {
    /// Deducts points of a document-norm item.
    Deduction,
    /// Breaches a basic standard (the file scores 0).
    Basic,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DefectTruth {
    /// Machine name of the injected defect (e.g. `missing_signature`).
    pub defect: String,
    /// Rubric item ID (`P-2.2.7`, `C-B2-8`, …).
    pub item: String,
    pub kind: DefectKind,
    /// Deduction the defect causes on its item (null for basic breaches).
    pub points: Option<f64>,
    /// Pages where it shows (empty when it is an absence in the whole file).
    pub pages: Vec<u32>,
    /// What is wrong, in Chinese, as a reviewer would write it.
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedScore {
    pub score: f64,
    pub grade: String,
    pub basic_breach: bool,
}
