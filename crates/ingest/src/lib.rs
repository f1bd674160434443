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

pub use discover::{discover, discover_all, DossierSource, Found, SourceKind};
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
    /// The largest page image read, in megapixels (`--max-page-megapixels`):
    /// a page rendered by pdfium is rendered at a lower resolution to fit;
    /// a page holding a bigger image, or an image file bigger than this, is
    /// refused with a message naming the page, its size and the flag. This
    /// is what bounds the memory of a page in flight, whatever the input.
    pub max_page_megapixels: u32,
}

/// The default of [`IngestOptions::max_page_megapixels`]: an A3 page scanned
/// at 400 dpi (31 MP), or an A4 page at 600 dpi (35 MP), fits.
pub const DEFAULT_MAX_PAGE_MEGAPIXELS: u32 = 40;

/// The most pixels a page is OCR'd at: a bigger page is scaled down to this
/// before OCR (an A4 page at 300 dpi is 8.7 MP; at 500 dpi, 24 MP). What a
/// page costs in memory on its way through OCR grows with its pixels; this
/// keeps two pages in OCR at once within the memory bound.
pub const OCR_MAX_MEGAPIXELS: u32 = 25;

/// A page image whose short side is this many times shorter than its long
/// side is not a page (a strip, a line), refused.
pub const MAX_ASPECT: u64 = 20;

impl IngestOptions {
    /// The pixel cap as a pixel count.
    pub fn max_page_pixels(&self) -> u64 {
        self.max_page_megapixels.max(1) as u64 * 1_000_000
    }

    /// Why a page image of `width` × `height` pixels is refused, or `None`
    /// when it is within [`IngestOptions::max_page_megapixels`].
    pub fn refuse_size(&self, what: &str, width: u64, height: u64) -> Option<String> {
        let pixels = width.saturating_mul(height);
        (pixels > self.max_page_pixels()).then(|| {
            format!(
                "{what} of {width} × {height} pixels ({:.0} megapixels) is bigger than the \
                 limit of {} megapixels (--max-page-megapixels): refused",
                pixels as f64 / 1e6,
                self.max_page_megapixels
            )
        })
    }
}

/// Why a page image of `width` × `height` pixels is not a page (a strip, a
/// line, nothing), or `None`.
pub fn not_a_page(width: u64, height: u64) -> Option<String> {
    let (short, long) = (width.min(height), width.max(height));
    (short == 0 || long / short.max(1) > MAX_ASPECT).then(|| {
        format!(
            "a page image of {width} × {height} pixels is not a page (its sides differ more \
             than {MAX_ASPECT} times): refused"
        )
    })
}

impl IngestOptions {
    /// The `image` crate's decoder limits for one page: nothing bigger than
    /// the pixel cap is ever allocated, whatever a file's header claims.
    pub fn image_limits(&self) -> image::Limits {
        let mut limits = image::Limits::default();
        let side = self.max_page_pixels().min(u32::MAX as u64) as u32;
        limits.max_image_width = Some(side);
        limits.max_image_height = Some(side);
        // Four bytes a pixel (RGBA) is the most a page decodes to, plus slack.
        limits.max_alloc = Some(self.max_page_pixels() * 4 + (64 << 20));
        limits
    }

    pub fn new(third_party_dir: &Path) -> Self {
        IngestOptions {
            pdfium_lib_dir: third_party_dir.join("lib"),
            render_dpi: 300,
            min_text_layer_chars: 20,
            default_image_dpi: 300,
            max_page_megapixels: DEFAULT_MAX_PAGE_MEGAPIXELS,
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
