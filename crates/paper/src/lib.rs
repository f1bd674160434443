//! anjuan-paper: turns documents ([`model::DocSpec`]) into scanned-looking
//! page images with their ground-truth text lines, and page images into
//! image-only PDFs.
//!
//! - [`layout`]: pagination of a document's blocks onto A4 pages.
//! - [`draw`]: drawing a laid-out page: fonts, ruled tables, handwriting,
//!   seals, fingerprints, page numbers; then the scanner (skew, rotation,
//!   blur, noise, uneven light, grayscale).
//! - [`pdf`]: writing pages as an image-only PDF.
//! - [`reading_order`]: the order of truth lines on a page.

mod canvas;
pub mod draw;
mod font;
pub mod layout;
mod marks;
pub mod model;
mod noise;
mod order;
pub mod pdf;
mod scan;

pub use draw::Renderer;
pub use font::Face;
pub use marks::PhotoKind;
pub use order::reading_order;
