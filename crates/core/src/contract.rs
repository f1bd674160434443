//! What `anjuan scan` writes: `index.json` and `<id>/review.json`
//! (`shared/output-contract.md`, schema `anjuan.review/2`).
//!
//! Field names and shapes are the contract; serde renames keep them exact.
//! Readers accept `anjuan.review/1` files too ([`REVIEW_SCHEMAS_READ`]): the
//! fields /2 added (`case`, `pages[].error`, `pages[].ocr.rotation` and
//! `size`) default to "not known" there.

use crate::CaseKind;
use serde::{Deserialize, Serialize};

pub const INDEX_SCHEMA: &str = "anjuan.index/1";
pub const REVIEW_SCHEMA: &str = "anjuan.review/2";
/// The review schemas a reader accepts: this one and the one before it.
pub const REVIEW_SCHEMAS_READ: &[&str] = &["anjuan.review/1", REVIEW_SCHEMA];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Index {
    pub schema: String,
    pub dossiers: Vec<IndexEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DossierStatus {
    Ok,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub id: String,
    pub source: String,
    pub status: DossierStatus,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub schema: String,
    pub dossier: DossierInfo,
    pub case_kind: CaseKind,
    /// The case's particulars as read from the file (absent in /1 files).
    #[serde(default)]
    pub case: CaseInfo,
    pub pages: Vec<PageEntry>,
    pub documents: Vec<DocumentEntry>,
    pub findings: Vec<Finding>,
    pub manual: Vec<String>,
    pub not_applicable: Vec<NotApplicable>,
    pub score: Score,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DossierInfo {
    pub id: String,
    pub source: String,
    pub sha256: String,
    pub page_count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageEntry {
    /// 1-based position in the PDF.
    pub page: u32,
    pub doc_type: String,
    /// 1-based index into `documents`.
    pub document: Option<u32>,
    /// The archival page number written or stamped on the page, as read.
    pub printed_page_number: Option<u32>,
    /// Why the page could not be read, or null (the rest of the dossier is
    /// still reviewed; the page counts as unread).
    #[serde(default)]
    pub error: Option<String>,
    pub ocr: PageOcr,
}

/// The case's particulars as read from the file; every field is null when
/// it was not found (`output-contract.md`, `case`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseInfo {
    /// The enforcing body (执法单位) as named on its documents.
    pub agency: Option<String>,
    /// The penalty decision's number; for coercion, the measure's or the
    /// execution decision's.
    pub case_number: Option<String>,
    pub party: Option<String>,
    /// 案由.
    pub cause: Option<String>,
    /// ISO dates of filing approval, decision and closing.
    pub filed: Option<String>,
    pub decided: Option<String>,
    pub closed: Option<String>,
    /// Kinds of penalty decided, as the law names them (警告, 罚款, …).
    pub penalty_kinds: Option<Vec<String>>,
    pub fine_yuan: Option<f64>,
    pub confiscated_yuan: Option<f64>,
    /// `查封`, `扣押` or null.
    pub measure: Option<String>,
    pub hearing: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageOcr {
    pub engine: String,
    pub dpi: u32,
    /// Clockwise degrees (0, 90, 180, 270) the scan was turned to make it
    /// upright (null in /1 files).
    #[serde(default)]
    pub rotation: Option<u16>,
    /// `[width, height]` in pixels of that upright image at `dpi`: the frame
    /// of every evidence box (null in /1 files).
    #[serde(default)]
    pub size: Option<[u32; 2]>,
    pub mean_confidence: f32,
    /// Relative to the dossier's directory: `pages/0001.txt`.
    pub text_file: String,
}

/// `ocr.rotation` for a scan that lies turned `scanned` degrees clockwise
/// from upright: the clockwise turn that makes it upright again.
pub fn upright_turn(scanned: u16) -> u16 {
    (360 - scanned % 360) % 360
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentEntry {
    /// 1-based.
    pub index: u32,
    pub doc_type: String,
    pub title: Option<String>,
    /// First and last page, 1-based, inclusive.
    pub pages: [u32; 2],
    pub confidence: f32,
    /// ISO 8601 date (`2022-03-15`) or null.
    pub date: Option<String>,
    pub number: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// A document-norm item; `points` is the suggested deduction.
    Deduction,
    /// A suspected breach of a basic standard; `points` is null.
    Basic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// The machine is confident: counts in the draft score.
    Suggested,
    /// 需人工复核: suspected, not confirmed by the machine (weak evidence,
    /// or documents it could not place); shown first, never scored.
    NeedsReview,
    /// Reviewers' states (never written by `anjuan scan`).
    Confirmed,
    Rejected,
}

impl FindingStatus {
    /// Whether a finding in this state deducts in a score.
    pub fn counts(self) -> bool {
        matches!(self, FindingStatus::Suggested | FindingStatus::Confirmed)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub item: String,
    pub kind: FindingKind,
    pub status: FindingStatus,
    pub points: Option<f64>,
    pub reason: String,
    pub confidence: f32,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub page: Option<u32>,
    /// `[x0, y0, x1, y1]` in pixels of the page image as OCR'd, or null.
    pub bbox: Option<[u32; 4]>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotApplicable {
    pub item: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub draft: f64,
    pub grade: String,
    pub basic_breach_suspected: bool,
}
