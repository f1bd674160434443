//! PDF pages through pdfium.

use crate::textlayer::{group_lines, Glyph, TextLayerPage};
use crate::{ImageOrigin, IngestError, IngestOptions, PageContent, PageImage, PageReader};
use image::{DynamicImage, GrayImage};
use pdfium_render::prelude::*;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

static PDFIUM: OnceLock<Result<Pdfium, String>> = OnceLock::new();

/// `libpdfium.so` in `lib_dir`.
pub fn pdfium_library_path(lib_dir: &Path) -> PathBuf {
    lib_dir.join(Pdfium::pdfium_platform_library_name())
}

/// Binds pdfium from `lib_dir` (once per process; later calls return the first binding).
pub fn bind_pdfium(lib_dir: &Path) -> Result<&'static Pdfium, String> {
    PDFIUM
        .get_or_init(|| {
            let path = pdfium_library_path(lib_dir);
            Pdfium::bind_to_library(&path)
                .map(Pdfium::new)
                .map_err(|e| {
                    format!(
                        "cannot load pdfium from {}: {e:?} (run `bash scripts/setup.sh`)",
                        path.display()
                    )
                })
        })
        .as_ref()
        .map_err(Clone::clone)
}

pub(crate) struct PdfReader {
    path: PathBuf,
    doc: PdfDocument<'static>,
    page_count: u32,
    options: IngestOptions,
}

/// Checks what pdfium would silently tolerate or misreport: empty files,
/// files that are not PDFs, and files cut short (no `%%EOF` at the end).
fn check_pdf_file(path: &Path) -> Result<(), IngestError> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| IngestError::new(path, format!("cannot open: {e}")))?;
    let len = f
        .metadata()
        .map_err(|e| IngestError::new(path, format!("cannot read: {e}")))?
        .len();
    if len == 0 {
        return Err(IngestError::new(path, "empty file (0 bytes)"));
    }
    let mut head = vec![0u8; len.min(1024) as usize];
    f.read_exact(&mut head)
        .map_err(|e| IngestError::new(path, format!("cannot read: {e}")))?;
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(IngestError::new(path, "not a PDF (no %PDF- header)"));
    }
    // Writers pad after %%EOF (NULs, blanks): look in the last 1 MB.
    let tail_len = len.min(1 << 20);
    f.seek(SeekFrom::End(-(tail_len as i64)))
        .map_err(|e| IngestError::new(path, format!("cannot read: {e}")))?;
    let mut tail = vec![0u8; tail_len as usize];
    f.read_exact(&mut tail)
        .map_err(|e| IngestError::new(path, format!("cannot read: {e}")))?;
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(IngestError::new(
            path,
            "truncated PDF (no %%EOF at the end of the file)",
        ));
    }
    Ok(())
}

/// A page-level pdfium error, in words.
fn pdfium_problem(e: &PdfiumError) -> String {
    match e {
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::Unknown) => {
            "pdfium cannot make sense of it (damaged page tree or page content)".into()
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FormatError) => {
            "damaged page: pdfium cannot parse it".into()
        }
        PdfiumError::ImageError => "its image cannot be decoded".into(),
        other => format!("pdfium: {other:?}"),
    }
}

fn describe_load_error(e: &PdfiumError) -> String {
    match e {
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::PasswordError) => {
            "encrypted PDF: a password is needed to open it".into()
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::SecurityError) => {
            "encrypted PDF with an unsupported security handler".into()
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FormatError) => {
            "damaged PDF: pdfium cannot parse it".into()
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FileError) => {
            "cannot read the file".into()
        }
        PdfiumError::IoError(io) => format!("cannot read: {io}"),
        other => format!("cannot open PDF: {other:?}"),
    }
}

impl PdfReader {
    pub(crate) fn open(path: &Path, options: &IngestOptions) -> Result<Self, IngestError> {
        check_pdf_file(path)?;
        let pdfium = bind_pdfium(&options.pdfium_lib_dir).map_err(|e| IngestError::new(path, e))?;
        let doc = pdfium
            .load_pdf_from_file(path, None)
            .map_err(|e| IngestError::new(path, describe_load_error(&e)))?;
        let page_count = doc.pages().len().max(0) as u32;
        if page_count == 0 {
            return Err(IngestError::new(path, "PDF has no pages"));
        }
        Ok(PdfReader {
            path: path.to_path_buf(),
            doc,
            page_count,
            options: options.clone(),
        })
    }
}

impl PageReader for PdfReader {
    fn page_count(&self) -> u32 {
        self.page_count
    }

    fn read_page(&mut self, index: u32) -> Result<PageContent, IngestError> {
        let n = index + 1;
        let err = |problem: String| IngestError::on_page(&self.path, n, problem);
        let page = self
            .doc
            .pages()
            .get(index as PdfPageIndex)
            .map_err(|e| err(format!("cannot load the page: {}", pdfium_problem(&e))))?;
        let rotation = page_rotation(&page);
        let o = &self.options;
        if let Some(text) = text_layer(&page, rotation, o.render_dpi, o.min_text_layer_chars)
            .map_err(|e| {
                err(format!(
                    "cannot read the text layer: {}",
                    pdfium_problem(&e)
                ))
            })?
        {
            return Ok(PageContent::Text(text));
        }
        // An image bigger than the cap is refused before pdfium decodes it
        // (to show it, or to render the page it is on).
        if let Some((w, h)) = largest_image(&page.objects().iter().collect::<Vec<_>>(), 0) {
            if let Some(problem) = o.refuse_size("an image on the page", w, h) {
                return Err(err(problem));
            }
        }
        if let Some(img) = full_page_image(&page, rotation, o) {
            let (w, h) = (img.image.width() as u64, img.image.height() as u64);
            if let Some(problem) = crate::not_a_page(w, h) {
                return Err(err(problem));
            }
            return Ok(PageContent::Image(img));
        }
        let (w, h) = (page.width().value, page.height().value);
        let dpi = capped_dpi(w, h, o.render_dpi, o.max_page_pixels()) as f32 / 72.0;
        if let Some(problem) = crate::not_a_page((w * dpi) as u64, (h * dpi) as u64) {
            return Err(err(problem));
        }
        render_gray(&page, o)
            .map(PageContent::Image)
            .map_err(|e| err(format!("cannot render the page: {}", pdfium_problem(&e))))
    }
}

/// Form XObjects are looked into this deep, and this many objects at most.
const MAX_FORM_DEPTH: u32 = 8;
const MAX_OBJECTS_LOOKED_AT: usize = 20_000;

/// The pixel size of the largest image among `objects` and in the forms
/// they hold (by pixel count), as the image dictionaries declare it.
fn largest_image(objects: &[PdfPageObject], depth: u32) -> Option<(u64, u64)> {
    let mut best: Option<(u64, u64)> = None;
    let mut consider = |w: u64, h: u64| {
        if best.is_none_or(|(bw, bh)| w.saturating_mul(h) > bw.saturating_mul(bh)) {
            best = Some((w, h));
        }
    };
    for object in objects.iter().take(MAX_OBJECTS_LOOKED_AT) {
        if let Some(img) = object.as_image_object() {
            if let (Ok(w), Ok(h)) = (img.width(), img.height()) {
                consider(w as u64, h as u64);
            }
        } else if let Some(form) = object.as_x_object_form_object() {
            if depth < MAX_FORM_DEPTH {
                let inner: Vec<PdfPageObject> = form.iter().take(MAX_OBJECTS_LOOKED_AT).collect();
                if let Some((w, h)) = largest_image(&inner, depth + 1) {
                    consider(w, h);
                }
            }
        }
    }
    best
}

/// The page's /Rotate, clockwise degrees.
fn page_rotation(page: &PdfPage) -> u16 {
    match page.rotation() {
        Ok(PdfPageRenderRotation::Degrees90) => 90,
        Ok(PdfPageRenderRotation::Degrees180) => 180,
        Ok(PdfPageRenderRotation::Degrees270) => 270,
        _ => 0,
    }
}

/// The page's size in points before /Rotate (pdfium reports it rotated).
fn unrotated_size(page: &PdfPage, rotation: u16) -> (f32, f32) {
    let (w, h) = (page.width().value, page.height().value);
    if rotation % 180 == 90 {
        (h, w)
    } else {
        (w, h)
    }
}

/// Maps a point of the unrotated page (points, bottom-left origin) to the
/// displayed page (points, top-left origin).
fn to_display(x: f32, y: f32, w: f32, h: f32, rotation: u16) -> (f32, f32) {
    match rotation {
        90 => (y, x),
        180 => (w - x, y),
        270 => (h - y, w - x),
        _ => (x, h - y),
    }
}

fn text_layer(
    page: &PdfPage,
    rotation: u16,
    dpi: u32,
    min_chars: usize,
) -> Result<Option<TextLayerPage>, PdfiumError> {
    let text = page.text()?;
    let visible = text.all().chars().filter(|c| !c.is_whitespace()).count();
    if visible < min_chars {
        return Ok(None);
    }
    let (w, h) = unrotated_size(page, rotation);
    let scale = dpi as f32 / 72.0;
    let mut glyphs = Vec::new();
    for ch in text.chars().iter() {
        let Some(c) = ch.unicode_char() else { continue };
        let b = if c.is_whitespace() {
            PdfRect::ZERO
        } else {
            ch.loose_bounds()?
        };
        let (x0, y0) = to_display(b.left().value, b.top().value, w, h, rotation);
        let (x1, y1) = to_display(b.right().value, b.bottom().value, w, h, rotation);
        glyphs.push(Glyph {
            ch: c,
            bbox: [
                x0.min(x1) * scale,
                y0.min(y1) * scale,
                x0.max(x1) * scale,
                y0.max(y1) * scale,
            ],
        });
    }
    let (dw, dh) = (page.width().value, page.height().value);
    Ok(Some(TextLayerPage {
        lines: group_lines(&glyphs),
        width: (dw * scale).round() as u32,
        height: (dh * scale).round() as u32,
        dpi,
    }))
}

/// The page's one scanned image when the page is nothing but that image,
/// placed upright (no rotation or flip in its matrix), covering the page.
fn full_page_image(page: &PdfPage, rotation: u16, options: &IngestOptions) -> Option<PageImage> {
    let objects = page.objects();
    let mut image = None;
    for object in objects.iter() {
        match object.object_type() {
            PdfPageObjectType::Image if image.is_none() => image = Some(object),
            // Invisible OCR text beside a scan does not stop the scan from being used.
            PdfPageObjectType::Text => {}
            _ => return None,
        }
    }
    let object = image?;
    let img = object.as_image_object()?;
    let m = img.matrix().ok()?;
    if m.b().abs() > 1e-3 || m.c().abs() > 1e-3 || m.a() <= 0.0 || m.d() <= 0.0 {
        return None;
    }
    let bounds = object.bounds().ok()?.to_rect();
    let (w, h) = unrotated_size(page, rotation);
    let covered = bounds.width().value * bounds.height().value;
    if covered < 0.85 * w * h {
        return None;
    }
    let filters: Vec<String> = img.filters().iter().map(|f| f.name().to_string()).collect();
    let (decoded, origin) = match filters.as_slice() {
        [f] if f == "DCTDecode" => match img.get_raw_image_data().ok().and_then(|bytes| {
            let mut reader = image::ImageReader::with_format(
                std::io::Cursor::new(&bytes),
                image::ImageFormat::Jpeg,
            );
            reader.limits(options.image_limits());
            reader.decode().ok()
        }) {
            Some(d) => (d, ImageOrigin::EmbeddedJpeg),
            None => (img.get_raw_image().ok()?, ImageOrigin::EmbeddedOther),
        },
        _ => (img.get_raw_image().ok()?, ImageOrigin::EmbeddedOther),
    };
    let decoded = match decoded {
        // pdfium hands back BGRA/RGBA even for gray scans; keep gray scans gray.
        DynamicImage::ImageRgba8(rgba) if is_gray(&rgba) => {
            DynamicImage::ImageLuma8(image::DynamicImage::ImageRgba8(rgba).to_luma8())
        }
        DynamicImage::ImageRgba8(rgba) => {
            DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(rgba).to_rgb8())
        }
        other => other,
    };
    let dpi = (decoded.width() as f32 / (bounds.width().value / 72.0)).round() as u32;
    let decoded = match rotation {
        90 => decoded.rotate90(),
        180 => decoded.rotate180(),
        270 => decoded.rotate270(),
        _ => decoded,
    };
    Some(PageImage {
        image: decoded,
        dpi: dpi.max(1),
        origin,
    })
}

/// The render resolution, lowered so that a page of `w` × `h` points comes
/// to at most `max_pixels` (at least 1 dpi).
fn capped_dpi(w: f32, h: f32, dpi: u32, max_pixels: u64) -> u32 {
    let (w_in, h_in) = ((w / 72.0).max(0.01) as f64, (h / 72.0).max(0.01) as f64);
    let at = |d: f64| (w_in * d).ceil() * (h_in * d).ceil();
    if at(dpi as f64) <= max_pixels as f64 {
        return dpi;
    }
    let fit = (max_pixels as f64 / (w_in * h_in)).sqrt().floor();
    let mut d = (fit as u32).clamp(1, dpi);
    while d > 1 && at(d as f64) > max_pixels as f64 {
        d -= 1;
    }
    d
}

fn is_gray(img: &image::RgbaImage) -> bool {
    img.pixels().all(|p| p[0] == p[1] && p[1] == p[2])
}

/// Renders the page in grayscale at the render resolution, or lower when
/// the page is so big that it would exceed the pixel cap; /Rotate applied.
fn render_gray(page: &PdfPage, options: &IngestOptions) -> Result<PageImage, PdfiumError> {
    let dpi = capped_dpi(
        page.width().value,
        page.height().value,
        options.render_dpi,
        options.max_page_pixels(),
    );
    let config = PdfRenderConfig::new()
        .scale_page_by_factor(dpi as f32 / 72.0)
        .set_format(PdfBitmapFormat::Gray)
        .use_grayscale_rendering(true)
        // Byte-order reversal on a gray bitmap gives blank pages or aborts pdfium.
        .set_reverse_byte_order(false)
        .render_form_data(true)
        .render_annotations(true);
    let bitmap = page.render_with_config(&config)?;
    let (w, h) = (bitmap.width() as usize, bitmap.height() as usize);
    let raw = bitmap.as_raw_bytes();
    let stride = raw.len().checked_div(h).unwrap_or(0);
    if stride < w {
        return Err(PdfiumError::ImageError);
    }
    // Rows of gray bitmaps are padded to 4 bytes: copy the pixels only.
    let mut pixels = Vec::with_capacity(w * h);
    for row in raw.chunks_exact(stride).take(h) {
        pixels.extend_from_slice(&row[..w]);
    }
    let gray = GrayImage::from_raw(w as u32, h as u32, pixels).ok_or(PdfiumError::ImageError)?;
    Ok(PageImage {
        image: DynamicImage::ImageLuma8(gray),
        dpi,
        origin: ImageOrigin::Rendered,
    })
}

#[cfg(test)]
mod tests {
    use super::capped_dpi;

    #[test]
    fn a_page_too_big_for_the_cap_is_rendered_at_a_lower_resolution() {
        // A4 at 300 dpi is 8.7 MP: within 60 MP, rendered as asked.
        assert_eq!(capped_dpi(595.0, 842.0, 300, 60_000_000), 300);
        // The largest page PDF allows (200 × 200 inches) at 300 dpi would be
        // 3.6 GP: rendered at the resolution that fits 60 MP.
        let d = capped_dpi(14_400.0, 14_400.0, 300, 60_000_000);
        assert_eq!(d, 38);
        assert!((200.0 * d as f64).powi(2) <= 60e6);
        assert!((200.0 * (d + 1) as f64).powi(2) > 60e6);
        // A degenerate page never asks for 0 dpi.
        assert_eq!(capped_dpi(1e9, 1e9, 300, 1), 1);
    }
}
