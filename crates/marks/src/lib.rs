//! Seals, handwritten signatures and fingerprints on page images, found where
//! the OCR'd labels say they belong.
//!
//! Works on the upright, deskewed page the OCR ran on (boxes in its pixels):
//! the gray image, and on colour scans a *red plane* — the page's redness in
//! ink convention (255 = no red, darker = redder), made from the colour scan
//! by [`red_plane`] before the page is turned to gray and turned upright with
//! the same [`upright`] transform as the gray page.
//!
//! * Seals and fingerprints ([`blobs`]): red (colour) or mid-gray (grayscale)
//!   ink gathered on a 1 mm grid into blobs; a seal is a ring ~42 mm across,
//!   a fingerprint a ridged oval ~12 × 16 mm.
//! * Signature slots ([`slots`]): labels of `data/labels.toml` found in the
//!   OCR lines; the slot right of the label is judged for ink that is not a
//!   printed placeholder (年 月 日, 签名 …), a table rule, a seal or a print.

pub mod blobs;
pub mod slots;

use anjuan_core::marks::PageMarks;
use anjuan_ocr::{OcrLine, Orientation};
use image::{DynamicImage, GrayImage};

/// Version of the detectors; cached marks of another version are found again.
pub const MARKS_VERSION: u32 = 4;

/// The redness of a colour page in ink convention (255 = none, 0 = strong
/// red), or `None` when the image has no colour (a grayscale scan, also one
/// stored as RGB).
pub fn red_plane(image: &DynamicImage) -> Option<GrayImage> {
    if matches!(
        image,
        DynamicImage::ImageLuma8(_)
            | DynamicImage::ImageLumaA8(_)
            | DynamicImage::ImageLuma16(_)
            | DynamicImage::ImageLumaA16(_)
    ) {
        return None;
    }
    let converted;
    let rgb = match image {
        DynamicImage::ImageRgb8(rgb) => rgb,
        other => {
            converted = other.to_rgb8();
            &converted
        }
    };
    let (w, h) = rgb.dimensions();
    // Colour shows as channels that differ somewhere beyond compression noise.
    let mut chroma_sum = 0u64;
    let mut plane = GrayImage::new(w, h);
    for (p, o) in rgb.pixels().zip(plane.pixels_mut()) {
        let [r, g, b] = p.0;
        let (r, g, b) = (r as i32, g as i32, b as i32);
        let red = (r - g.max(b)).max(0);
        o.0[0] = (255 - (red * 2).min(255)) as u8;
        chroma_sum += (r.max(g).max(b) - r.min(g).min(b)) as u64;
    }
    let mean_chroma = chroma_sum as f64 / (w as f64 * h as f64).max(1.0);
    (mean_chroma >= 2.5).then_some(plane)
}

/// The plane turned and deskewed as `read_page` turned the gray page
/// (rotation and skew of its `PageRead`).
pub fn upright(plane: GrayImage, rotation: u16, skew_deg: f32) -> GrayImage {
    Orientation { rotation, skew_deg }.apply(plane)
}

/// Marks on an upright page: `gray` as OCR'd, `red` its red plane on a colour
/// scan (see [`red_plane`], same size), `lines` the OCR lines with boxes in
/// the same pixels, `dpi` the page's resolution.
pub fn find_marks(
    gray: &GrayImage,
    red: Option<&GrayImage>,
    lines: &[OcrLine],
    dpi: u32,
) -> PageMarks {
    let red = red.filter(|r| r.dimensions() == gray.dimensions());
    let ppm = dpi.max(50) as f32 / 25.4;
    let found = blobs::find_blobs(gray, red, ppm);
    let signatures = slots::find_slots(gray, red, lines, ppm, &found);
    PageMarks {
        version: MARKS_VERSION,
        colour: red.is_some(),
        seals: found.seals,
        signatures,
        fingerprints: found.fingerprints,
    }
}

/// [`find_marks`] on an upright page image as it is (colour or gray).
pub fn find_marks_in(image: &DynamicImage, lines: &[OcrLine], dpi: u32) -> PageMarks {
    let red = red_plane(image);
    let gray = match image {
        DynamicImage::ImageLuma8(g) => std::borrow::Cow::Borrowed(g),
        other => std::borrow::Cow::Owned(other.to_luma8()),
    };
    find_marks(&gray, red.as_ref(), lines, dpi)
}
