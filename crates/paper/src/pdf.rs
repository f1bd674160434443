//! Image-only PDFs, one full-page image per page, like a scanner writes them.

use crate::model::RenderedPage;

/// A page image encoded for the PDF (JPEG for colour and gray scans).
pub struct EncodedPage {
    pub width: u32,
    pub height: u32,
    pub dpi: u32,
    pub gray: bool,
    /// JPEG bytes (DCTDecode).
    pub jpeg: Vec<u8>,
}

/// Encodes a rendered page (JPEG quality from its degradation) so that the
/// raster can be dropped at once.
pub fn encode_page(page: &RenderedPage, quality: u8) -> EncodedPage {
    let _ = (page, quality);
    todo!("anjuan-paper: encode_page")
}

/// Writes an image-only PDF; deterministic (same pages → same bytes).
pub fn write_pdf(pages: &[EncodedPage]) -> anyhow::Result<Vec<u8>> {
    let _ = pages;
    todo!("anjuan-paper: write_pdf")
}
