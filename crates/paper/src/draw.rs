//! Drawing laid-out pages and scanning them.

use crate::model::{DocSpec, PageLayout, PageNumberStyle, RenderedPage, ScanParams};

/// Holds the loaded fonts; cheap to share between threads (`Sync`).
pub struct Renderer {}

impl Renderer {
    /// Loads the system fonts (`fonts-arphic-uming`, `fonts-arphic-ukai`,
    /// `fonts-noto-cjk`); an error names the missing font file.
    pub fn new() -> anyhow::Result<Renderer> {
        todo!("anjuan-paper: Renderer::new")
    }

    /// Splits a document into pages. `doc_index` is its 0-based position in the dossier.
    pub fn paginate(&self, doc: &DocSpec, doc_index: usize) -> Vec<PageLayout> {
        let _ = (doc, doc_index);
        todo!("anjuan-paper: paginate")
    }

    /// Draws one page, puts the archival page number in the top-right corner
    /// (when given), then scans it.
    pub fn draw(
        &self,
        page: &PageLayout,
        doc: &DocSpec,
        page_number: Option<(u32, PageNumberStyle)>,
        scan: &ScanParams,
    ) -> RenderedPage {
        let _ = (page, doc, page_number, scan);
        todo!("anjuan-paper: draw")
    }
}
