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
pub const MARKS_VERSION: u32 = 5;

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
        corner_ink: Some(corner_ink(gray, red, lines, ppm)),
    }
}

/// The page-number corner: this top fraction of the height and right
/// fraction of the width (the window classify reads the number from, and
/// the OCR's corner pass reads again), less a margin at the paper's edges
/// where a scan shows the edge's shadow.
const CORNER: [f32; 2] = [0.115, 0.25];
const CORNER_EDGE: f32 = 0.015;
/// Ink this much darker than the paper (the corner's median), or this red
/// on the red plane, counts.
const CORNER_CONTRAST: u8 = 50;
const CORNER_RED: u8 = 200;
/// A number's ink covers at least this many square millimetres (a stamped
/// `7` about 3 mm²; dust and speckle much less).
const CORNER_MIN_MM2: f32 = 1.5;

/// Whether the page-number corner holds ink of its own: ink no OCR line
/// that reaches beyond the corner (a header, a wide body line) explains.
/// Lines wholly inside the corner do not explain it: they are what was
/// read of whatever is there. A corner with ink and no number read holds
/// a number the OCR lost, not a page left unnumbered.
pub fn corner_ink(gray: &GrayImage, red: Option<&GrayImage>, lines: &[OcrLine], ppm: f32) -> bool {
    let (w, h) = gray.dimensions();
    let (wf, hf) = (w as f32, h as f32);
    let x0 = (wf * (1.0 - CORNER[1])) as u32;
    let x1 = (wf * (1.0 - CORNER_EDGE)) as u32;
    let y0 = (hf * CORNER_EDGE) as u32;
    let y1 = (hf * CORNER[0]) as u32;
    if x1 <= x0 || y1 <= y0 {
        return false;
    }
    let inside = |b: [u32; 4]| b[0] >= x0 && b[1] >= y0 && b[2] <= x1 && b[3] <= y1;
    let crossing: Vec<[u32; 4]> = lines
        .iter()
        .map(|l| l.bbox)
        .filter(|&b| b[2] > x0 && b[3] > y0 && b[0] < x1 && b[1] < y1 && !inside(b))
        .collect();
    let window = image::imageops::crop_imm(gray, x0, y0, x1 - x0, y1 - y0).to_image();
    let dark = anjuan_ocr::corner::paper_level(&window).saturating_sub(CORNER_CONTRAST);
    let mut ink = 0u32;
    for y in y0..y1 {
        for x in x0..x1 {
            let inked = gray.get_pixel(x, y).0[0] < dark
                || red.is_some_and(|r| r.get_pixel(x, y).0[0] < CORNER_RED);
            if inked
                && !crossing
                    .iter()
                    .any(|b| x >= b[0] && x < b[2] && y >= b[1] && y < b[3])
            {
                ink += 1;
            }
        }
    }
    ink as f32 >= CORNER_MIN_MM2 * ppm * ppm
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

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// An A4 page at 300 DPI with the boxes in `ink` painted black.
    fn page(ink: &[[u32; 4]]) -> GrayImage {
        let mut g = GrayImage::from_pixel(2480, 3508, Luma([245]));
        for b in ink {
            for y in b[1]..b[3] {
                for x in b[0]..b[2] {
                    g.put_pixel(x, y, Luma([30]));
                }
            }
        }
        g
    }

    fn line(text: &str, bbox: [u32; 4]) -> OcrLine {
        OcrLine::evenly_split(text, bbox, 0.9)
    }

    #[test]
    fn ink_in_the_number_corner_is_seen_unless_a_wider_line_explains_it() {
        let ppm = 300.0 / 25.4;
        // A stamped number's strokes, 4 mm tall, about 3 mm² of ink.
        let stamp = [[2200, 200, 2205, 247], [2180, 200, 2220, 205]];
        assert!(corner_ink(&page(&stamp), None, &[], ppm));
        // What the OCR read of it inside the corner does not explain it away.
        let read = [line("图", [2170, 195, 2225, 250])];
        assert!(corner_ink(&page(&stamp), None, &read, ppm));
        // A blank corner, and a speck of dust, hold no number.
        assert!(!corner_ink(&page(&[]), None, &[], ppm));
        assert!(!corner_ink(
            &page(&[[2200, 200, 2204, 204]]),
            None,
            &[],
            ppm
        ));
        // A header line running into the corner is text, not a number.
        let header = [[1200, 200, 2300, 260]];
        let header_line = [line(
            "汾西县综合行政执法局调查询问笔录",
            [1200, 195, 2305, 265],
        )];
        assert!(corner_ink(&page(&header), None, &[], ppm));
        assert!(!corner_ink(&page(&header), None, &header_line, ppm));
        // Red ink on a colour scan counts where the gray is light.
        let mut red = GrayImage::from_pixel(2480, 3508, Luma([255]));
        for y in 200..247 {
            for x in 2180..2220 {
                red.put_pixel(x, y, Luma([60]));
            }
        }
        assert!(corner_ink(&page(&[]), Some(&red), &[], ppm));
    }
}
