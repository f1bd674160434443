//! anjuan-ingest: turns a dossier (a PDF, or a folder of page images) into pages.
//!
//! - [`discover`] finds the dossiers under the paths given on the command line.
//! - [`open`] opens one dossier as a [`PageReader`]; [`PageReader::read_page`]
//!   yields one page at a time, so a caller never holds a whole dossier's rasters.
//!
//! A PDF page is read the cheapest faithful way: a page with a real text layer
//! gives its text and boxes ([`PageContent::Text`]); a page that is one
//! full-page scanned image gives that image at its own resolution (JPEG streams
//! decoded by `image`, other filters by pdfium), turned by the page's /Rotate;
//! anything else is rendered in grayscale at [`IngestOptions::render_dpi`].
//!
//! Pdfium is bound once per process from `third_party/lib/libpdfium.so`. It is
//! not thread-safe: read pages from one thread and hand images to workers.

mod discover;
mod images;
mod pdf;
mod textlayer;

pub use discover::{discover, DossierSource, SourceKind};
pub use pdf::{bind_pdfium, pdfium_library_path};
pub use textlayer::{TextLayerLine, TextLayerPage, TextLayerWord};

use image::DynamicImage;
use std::path::{Path, PathBuf};

/// A problem with an input, naming the file (and the page when there is one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {problem}", file.display(), page.map(|p| format!(" (page {p})")).unwrap_or_default())]
pub struct IngestError {
    pub file: PathBuf,
    /// 1-based page, when the problem is in one page.
    pub page: Option<u32>,
    pub problem: String,
}

impl IngestError {
    pub fn new(file: &Path, problem: impl Into<String>) -> Self {
        IngestError {
            file: file.to_path_buf(),
            page: None,
            problem: problem.into(),
        }
    }

    pub fn on_page(file: &Path, page: u32, problem: impl Into<String>) -> Self {
        IngestError {
            file: file.to_path_buf(),
            page: Some(page),
            problem: problem.into(),
        }
    }
}

/// How pages are read.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Where `libpdfium.so` lives (usually `third_party/lib`).
    pub pdfium_lib_dir: PathBuf,
    /// Resolution of pages that must be rendered.
    pub render_dpi: u32,
    /// A PDF page whose text layer has at least this many non-blank characters
    /// is read from the text layer instead of being OCR'd.
    pub min_text_layer_chars: usize,
    /// Resolution assumed for image files that do not record one.
    pub default_image_dpi: u32,
}

impl IngestOptions {
    pub fn new(third_party_dir: &Path) -> Self {
        IngestOptions {
            pdfium_lib_dir: third_party_dir.join("lib"),
            render_dpi: 300,
            min_text_layer_chars: 20,
            default_image_dpi: 300,
        }
    }
}

/// Where a page image came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageOrigin {
    /// A full-page JPEG stream, decoded by `image`.
    EmbeddedJpeg,
    /// A full-page image of another filter (CCITT, Flate, JBIG2, …), decoded by pdfium.
    EmbeddedOther,
    /// The page rendered by pdfium in grayscale.
    Rendered,
    /// An image file of a page-image folder.
    File,
}

/// A page to OCR.
#[derive(Debug, Clone)]
pub struct PageImage {
    /// Upright as the PDF displays it (/Rotate applied); the scan itself may still be turned.
    pub image: DynamicImage,
    /// Pixels per inch of `image`.
    pub dpi: u32,
    pub origin: ImageOrigin,
}

/// One page of a dossier.
#[derive(Debug, Clone)]
pub enum PageContent {
    /// An image that needs OCR.
    Image(PageImage),
    /// A PDF page with a real text layer: no OCR needed.
    Text(TextLayerPage),
}

/// Reads the pages of one dossier, one at a time.
pub trait PageReader {
    fn page_count(&self) -> u32;
    /// `index` is 0-based.
    fn read_page(&mut self, index: u32) -> Result<PageContent, IngestError>;
}

/// Opens a dossier for reading. Fails with a message naming the file when it
/// cannot be read at all (missing, empty, not a PDF, truncated, encrypted, no pages).
pub fn open(
    source: &DossierSource,
    options: &IngestOptions,
) -> Result<Box<dyn PageReader>, IngestError> {
    match source.kind {
        SourceKind::Pdf => Ok(Box::new(pdf::PdfReader::open(&source.path, options)?)),
        SourceKind::ImageFolder => Ok(Box::new(images::ImageFolderReader::open(
            &source.path,
            &source.files,
            options,
        )?)),
    }
}
