//! What `anjuan scan` writes: `index.json` and `<id>/review.json`
//! (`shared/output-contract.md`, schema `anjuan.review/1`).
//!
//! Field names and shapes are the contract; serde renames keep them exact.

use crate::CaseKind;
use serde::{Deserialize, Serialize};

pub const INDEX_SCHEMA: &str = "anjuan.index/1";
pub const REVIEW_SCHEMA: &str = "anjuan.review/1";

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
    pub ocr: PageOcr,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageOcr {
    pub engine: String,
    pub dpi: u32,
    pub mean_confidence: f32,
    /// Relative to the dossier's directory: `pages/0001.txt`.
    pub text_file: String,
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
#[serde(rename_all = "lowercase")]
pub enum FindingStatus {
    Suggested,
    Confirmed,
    Rejected,
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
