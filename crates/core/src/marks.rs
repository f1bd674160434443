//! What a page image shows beyond its text: seals, handwritten signatures in
//! the places forms ask for them, fingerprints. Found by `anjuan-marks` on the
//! upright page image while it is in memory (after OCR, using the OCR'd
//! labels), cached with the page, and read by the checks.
//!
//! Boxes are `[x0, y0, x1, y1]` in pixels of the upright page as OCR'd, like
//! the OCR boxes.

use serde::{Deserialize, Serialize};

/// Marks found on one page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageMarks {
    /// Version of the detectors that produced this; marks of another version
    /// are found again.
    pub version: u32,
    /// The page image had colour (red detection meaningful); false for
    /// grayscale or bilevel scans, where seals are judged by shape alone.
    pub colour: bool,
    pub seals: Vec<SealMark>,
    /// One per signature label found on the page (签名, 被询问人, 受送达人 …).
    pub signatures: Vec<SignatureSlot>,
    pub fingerprints: Vec<FingerprintMark>,
    /// Ink in the page-number corner (top right) that no OCR'd line
    /// crossing into the corner explains: a number stamped or written there,
    /// read or not. `None`: not looked for (marks of an older detector).
    #[serde(default)]
    pub corner_ink: Option<bool>,
}

/// A round (or oval) seal impression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealMark {
    pub bbox: [u32; 4],
    /// 0.0 … 1.0: how sure the detector is that this is a seal.
    pub confidence: f32,
    /// Found by its red colour (true) or by its ring shape on a grayscale page.
    pub red: bool,
}

/// The place a form asks someone to sign, and what is in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureSlot {
    /// The label as read, e.g. `被询问人（签名）：`.
    pub label: String,
    pub label_bbox: [u32; 4],
    /// Where the signature belongs (right of or below the label).
    pub area: [u32; 4],
    /// Handwriting-like ink found in `area`.
    pub signed: bool,
    /// 0.0 … 1.0: confidence in `signed` (either way).
    pub confidence: f32,
    /// Handwritten text OCR read in the area, if any.
    pub text: Option<String>,
    /// Who signs here, from the label vocabulary (`crates/marks/data/labels.toml`):
    /// `party`, `interviewee`, `interviewer`, `officer`, `recorder`, `head`,
    /// `approver`, `recipient`, `server`, `witness`, `provider`, `host`,
    /// `participant`, `executed`, or `signer` for a bare 签名 whose row says no more.
    #[serde(default)]
    pub kind: String,
}

/// A red fingerprint impression (dark-gray ridged oval on a grayscale scan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FingerprintMark {
    pub bbox: [u32; 4],
    pub confidence: f32,
    /// Found by its red colour (true) or by its gray ridged oval (false).
    #[serde(default)]
    pub red: bool,
}
