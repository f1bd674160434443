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
//!
//! Use: `let r = Renderer::new()?;` once (fonts from fonts-noto-cjk and
//! fonts-arphic-*; `Sync`, share it across threads), then per document
//! `r.paginate(&doc, i)`, per page `r.draw(&layout, &doc, number, &scan)`
//! (image + truth lines), `pdf::encode_page(&page, page.jpeg_quality)` at
//! once to drop the raster, and `pdf::write_pdf(&encoded)` for the file.
//! Every random choice comes from `ScanParams::seed`: the same inputs give
//! the same bytes. `cargo run --release -p anjuan-paper --example demo -- DIR`
//! writes demo pages (PNG + truth text) and a PDF to look at.

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
