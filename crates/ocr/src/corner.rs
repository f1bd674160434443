//! The corner pass: a second, closer look at the top-right corner of a page,
//! where the archival page number (卷内页码) is handwritten or stamped.
//!
//! The page pass often loses that number: a lone small group of digits far
//! from any other text is detected weakly at the page's detection scale, and
//! when it is found its recognition confidence may fall below the page's line
//! floor ([`crate::PpParams::min_line_conf`]). So when the page's lines hold
//! no lone number in the corner window, [`complete`] crops the window,
//! enlarges it, runs the same detector and recogniser on it and keeps the
//! lines that are a number alone, with a lower confidence floor than the
//! page's (ten digits are a small alphabet, and a number alone in that
//! corner is what the corner holds). Page lines in the corner that such a
//! number overlaps (the same ink misread) are replaced by it.
//!
//! The window is the one `anjuan-classify` reads the page number from
//! (`page_number_top` × 1.2 of the height, `page_number_right` of the width,
//! in its `data/cues.toml`); [`CornerParams::default`] follows those values.

use crate::onnx::{Det, DetBox, DetParams, Rec};
use crate::orient::crop;
use crate::{OcrError, OcrLine};
use image::imageops::{self, FilterType};
use image::{GrayImage, Luma};
use imageproc::region_labelling::{connected_components, Connectivity};

/// Settings of the corner pass (part of [`crate::PpParams`], so of the OCR cache key).
#[derive(Debug, Clone, PartialEq)]
pub struct CornerParams {
    /// Whether the pass runs at all.
    pub enabled: bool,
    /// The window: this top fraction of the page height …
    pub top: f32,
    /// … and this right fraction of its width.
    pub right: f32,
    /// The window is enlarged so that the page it comes from would be this
    /// many pixels wide (never shrunk): the same digits at any DPI.
    pub page_width: u32,
    /// Recognised numbers below this mean character confidence are dropped.
    pub min_conf: f32,
    /// A number the page pass read with less confidence than this is read
    /// again (a boxed stamp's frame misleads the page pass: a boxed `15` as 5).
    pub trust_conf: f32,
    /// Detection on the enlarged window.
    pub det: DetParams,
}

impl Default for CornerParams {
    fn default() -> Self {
        CornerParams {
            enabled: true,
            top: 0.096,
            right: 0.25,
            page_width: 2480,
            min_conf: 0.3,
            trust_conf: 0.9,
            det: DetParams {
                box_thresh: 0.4,
                crop_to_ink: false,
                ..DetParams::default()
            },
        }
    }
}

impl CornerParams {
    /// `[x0, y0, x1, y1]` of the window on a `w` × `h` page.
    pub fn window(&self, w: u32, h: u32) -> [u32; 4] {
        let x0 = (w as f32 * (1.0 - self.right)).floor().max(0.0) as u32;
        let y1 = ((h as f32 * self.top).ceil() as u32).min(h);
        [x0.min(w), 0, w, y1]
    }

    /// Whether a line's box lies in the window (its bottom above the
    /// window's, its left edge right of the window's), as classify tests it.
    pub fn contains(&self, bbox: [u32; 4], w: u32, h: u32) -> bool {
        let [x0, _, _, y1] = self.window(w, h);
        bbox[3] <= y1 && bbox[0] >= x0
    }
}

/// The number a line holds when it holds a number alone: 1 to 4 digits,
/// possibly boxed or bracketed (`12`, `012`, `[12]`, `|12|`, `（12）`).
pub fn corner_number(text: &str) -> Option<u32> {
    let inner: String = text
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '(' | ')'
                        | '（'
                        | '）'
                        | '['
                        | ']'
                        | '【'
                        | '】'
                        | '〔'
                        | '〕'
                        | '|'
                        | '口'
                        | '□'
                )
        })
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    if inner.is_empty() || inner.len() > 4 || !inner.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    inner.parse().ok().filter(|&n| n > 0)
}

/// Whether the page's lines already hold a lone number in the window, read
/// with at least [`CornerParams::trust_conf`].
pub fn has_number(lines: &[OcrLine], w: u32, h: u32, p: &CornerParams) -> bool {
    lines.iter().any(|l| {
        p.contains(l.bbox, w, h)
            && l.confidence >= p.trust_conf
            && corner_number(&l.text).is_some()
            && !framed(l)
    })
}

/// Whether a number's box is wider than its digits (a digit is narrower
/// than tall): the page pass took a stamp's frame with it, and a digit
/// touching the frame may be lost (a boxed `15` read as 5).
fn framed(l: &OcrLine) -> bool {
    let [x0, y0, x1, y1] = l.bbox;
    let digits = l.text.chars().filter(|c| c.is_ascii_digit()).count().max(1) as u32;
    x1.saturating_sub(x0) > digits * y1.saturating_sub(y0)
}

/// Lone numbers read in the corner window of `image`, in page pixels.
pub fn read_corner(
    det: &mut Det,
    rec: &mut Rec,
    image: &GrayImage,
    p: &CornerParams,
) -> Result<Vec<OcrLine>, OcrError> {
    let (w, h) = image.dimensions();
    let [x0, y0, x1, y1] = p.window(w, h);
    if x1 <= x0 + 8 || y1 <= y0 + 8 {
        return Ok(Vec::new());
    }
    let mut window = crop(image, x0 as f32, y0 as f32, x1 as f32, y1 as f32);
    erase_frames(&mut window);
    let scale = (p.page_width as f32 / w as f32).max(1.0);
    let big = if scale > 1.0 {
        let (cw, ch) = window.dimensions();
        imageops::resize(
            &window,
            (cw as f32 * scale).round() as u32,
            (ch as f32 * scale).round() as u32,
            FilterType::Triangle,
        )
    } else {
        window
    };
    let boxes: Vec<DetBox> = det
        .detect(&big, &p.det)?
        .into_iter()
        .map(|b| {
            // A lone digit is a crop narrower than tall, too few time steps
            // for the recogniser: widen it with the paper around it.
            let pad = (b.height() * 0.15).max(b.height() - b.width() * 0.5);
            DetBox {
                x0: (b.x0 - pad).max(0.0),
                y0: (b.y0 - b.height() * 0.075).max(0.0),
                x1: (b.x1 + pad).min(big.width() as f32),
                y1: (b.y1 + b.height() * 0.075).min(big.height() as f32),
                score: b.score,
            }
        })
        .collect();
    if boxes.is_empty() {
        return Ok(Vec::new());
    }
    let crops: Vec<GrayImage> = boxes
        .iter()
        .map(|b| crop(&big, b.x0, b.y0, b.x1, b.y1))
        .collect();
    let texts = rec.recognize(&crops)?;
    let mut out = Vec::new();
    for (b, t) in boxes.iter().zip(&texts) {
        let text: String = t.text().chars().filter(|c| !c.is_whitespace()).collect();
        if corner_number(&text).is_none() || t.confidence() < p.min_conf {
            continue;
        }
        let to_page = |v: f32, origin: u32| origin + (v / scale).round() as u32;
        let bbox = [
            to_page(b.x0, x0),
            to_page(b.y0, y0),
            to_page(b.x1, x0).min(w),
            to_page(b.y1, y0).min(h),
        ];
        out.push(OcrLine::evenly_split(&text, bbox, t.confidence()));
    }
    Ok(out)
}

/// The corner pass on one page: when `lines` hold no lone number in the
/// window (or only an unsure one), reads the window closely and adds the
/// numbers found, replacing page lines they overlap. Returns whether the
/// window was read.
pub fn complete(
    lines: &mut Vec<OcrLine>,
    det: &mut Det,
    rec: &mut Rec,
    image: &GrayImage,
    p: &CornerParams,
) -> Result<bool, OcrError> {
    let (w, h) = image.dimensions();
    if !p.enabled || has_number(lines, w, h, p) {
        return Ok(false);
    }
    let found = read_corner(det, rec, image, p)?;
    for n in &found {
        lines.retain(|l| !(p.contains(l.bbox, w, h) && overlaps(l.bbox, n.bbox)));
    }
    lines.extend(found);
    Ok(true)
}

/// Pixels this much darker than the paper (the window's median) are ink.
const INK_CONTRAST: u8 = 50;
/// A frame's sides are inked along at least this share of their length.
const FRAME_SIDE_COVER: f32 = 0.7;
/// Frames are at least this many pixels on each side (specks are not frames).
const FRAME_MIN_SIDE: u32 = 10;

/// The paper's gray level in `img`: its median pixel (most of a corner, or
/// of a page, is paper).
pub fn paper_level(img: &GrayImage) -> u8 {
    let mut hist = [0u32; 256];
    for &p in img.as_raw() {
        hist[p as usize] += 1;
    }
    let half = (img.width() * img.height()).div_ceil(2);
    let mut seen = 0;
    (0..256)
        .find(|&v| {
            seen += hist[v];
            seen >= half
        })
        .unwrap_or(255) as u8
}

/// Erases the rectangular frames a numbering stamp may print around its
/// digits: the recogniser reads a boxed `3` as 图 and a boxed `15` as 5, and
/// the detector often sees no text in a hollow box at all. A frame is an ink
/// component whose four sides are inked along most of their length; the
/// pixels of its border band turn to paper.
fn erase_frames(img: &mut GrayImage) {
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return;
    }
    let paper = paper_level(img);
    let ink = paper.saturating_sub(INK_CONTRAST);
    let bin = GrayImage::from_fn(w, h, |x, y| {
        Luma([if img.get_pixel(x, y).0[0] < ink {
            255
        } else {
            0
        }])
    });
    let labels = connected_components(&bin, Connectivity::Eight, Luma([0u8]));
    let mut boxes: Vec<[u32; 4]> = Vec::new();
    for (x, y, l) in labels.enumerate_pixels() {
        let l = l.0[0] as usize;
        if l == 0 {
            continue;
        }
        if boxes.len() < l {
            boxes.resize(l, [u32::MAX, u32::MAX, 0, 0]);
        }
        let b = &mut boxes[l - 1];
        *b = [b[0].min(x), b[1].min(y), b[2].max(x + 1), b[3].max(y + 1)];
    }
    for (i, &[bx0, by0, bx1, by1]) in boxes.iter().enumerate() {
        let label = i as u32 + 1;
        let (bw, bh) = (bx1.saturating_sub(bx0), by1.saturating_sub(by0));
        if bw < FRAME_MIN_SIDE || bh < FRAME_MIN_SIDE {
            continue;
        }
        let band = (bw.min(bh) as f32 * 0.12).round().max(2.0) as u32;
        let mine = |x: u32, y: u32| labels.get_pixel(x, y).0[0] == label;
        let cover_h = |ys: std::ops::Range<u32>| {
            (bx0..bx1)
                .filter(|&x| ys.clone().any(|y| mine(x, y)))
                .count() as f32
                / bw as f32
        };
        let cover_v = |xs: std::ops::Range<u32>| {
            (by0..by1)
                .filter(|&y| xs.clone().any(|x| mine(x, y)))
                .count() as f32
                / bh as f32
        };
        let sides = [
            cover_h(by0..by0 + band),
            cover_h(by1 - band..by1),
            cover_v(bx0..bx0 + band),
            cover_v(bx1 - band..bx1),
        ];
        if sides.iter().any(|&c| c < FRAME_SIDE_COVER) {
            continue;
        }
        for y in by0..by1 {
            for x in bx0..bx1 {
                let edge = y < by0 + band || y >= by1 - band || x < bx0 + band || x >= bx1 - band;
                if edge && mine(x, y) {
                    img.put_pixel(x, y, Luma([paper]));
                }
            }
        }
    }
}

fn overlaps(a: [u32; 4], b: [u32; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_numbers_only() {
        assert_eq!(corner_number("12"), Some(12));
        assert_eq!(corner_number("012"), Some(12));
        assert_eq!(corner_number("[7]"), Some(7));
        assert_eq!(corner_number("|3|"), Some(3));
        assert_eq!(corner_number("１５"), Some(15));
        assert_eq!(corner_number("第2页"), None);
        assert_eq!(corner_number("20221"), None);
        assert_eq!(corner_number("0"), None);
        assert_eq!(corner_number(""), None);
    }

    #[test]
    fn the_window_is_the_top_right_corner() {
        let p = CornerParams::default();
        assert_eq!(p.window(1000, 2000), [750, 0, 1000, 192]);
        assert!(p.contains([900, 100, 950, 150], 1000, 2000));
        assert!(!p.contains([500, 100, 950, 150], 1000, 2000));
        assert!(!p.contains([900, 150, 950, 250], 1000, 2000));
    }
}
