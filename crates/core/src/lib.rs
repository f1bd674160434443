//! Shared vocabulary of the anjuan pipeline.
//!
//! - [`doctype`]: the document-type codes of `doc-types.md`, loaded from
//!   `rubrics/doc-types.toml`.
//! - [`contract`]: what `anjuan scan` writes (`index.json`, `review.json`),
//!   per `output-contract.md` (`anjuan.review/2`).
//! - [`truth`]: the ground truth the generator writes beside each dossier and
//!   `anjuan eval` reads.
//! - [`fsutil`]: atomic writes (temp file + rename).
//! - [`paths`]: where the setup script put third-party binaries and models.
//! - [`marks`]: seals, signatures and fingerprints found on a page image.
//! - [`normalize`]: the one normalisation of OCR text before classification
//!   and checks (look-alikes, widths, punctuation), as data.
//! - [`units`]: the county's registered enforcement units (`anjuan scan
//!   --units`), to name a unit whose name the OCR misread.

pub mod contract;
pub mod doctype;
pub mod fsutil;
pub mod marks;
pub mod normalize;
pub mod paths;
pub mod process;
pub mod truth;
pub mod units;

use serde::{Deserialize, Serialize};

/// The kind of case a dossier documents; it selects the rubric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseKind {
    /// 行政处罚
    Penalty,
    /// 行政强制
    Coercion,
    Unknown,
}

impl CaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Penalty => "penalty",
            CaseKind::Coercion => "coercion",
            CaseKind::Unknown => "unknown",
        }
    }
}
