//! anjuan-paper: turns documents ([`model::DocSpec`]) into scanned-looking
//! page images with their ground-truth text lines, and page images into
//! image-only PDFs.
//!
//! - [`layout`]: pagination of a document's blocks onto A4 pages.
//! - [`draw`]: drawing a laid-out page: fonts, ruled tables, handwriting,
//!   seals, fingerprints, page numbers; then the scanner (skew, rotation,
//!   blur, noise, uneven light, grayscale).
//! - [`pdf`]: writing pages as an image-only PDF.

pub mod draw;
pub mod layout;
pub mod model;
pub mod pdf;

pub use draw::Renderer;
