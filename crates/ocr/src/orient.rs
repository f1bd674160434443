//! Page orientation (0/90/180/270) and skew, found before OCR.
//!
//! Orientation uses the PP-OCR models whatever the OCR engine (Tesseract's OSD
//! has no data for chi_sim alone): DB detection on a page scaled to ~1024 px
//! tells horizontal from vertical text lines (a page turned by 90° or 270°
//! shows tall line boxes); the 0°/180° classifier over the longest line crops,
//! taken from the full-resolution page and turned upright-or-upside-down,
//! decides between the two remaining candidates; when it says "turned", the
//! recogniser must agree (more confident characters read turned than as is),
//! since the classifier is fooled by symmetric non-text such as redacted
//! photos. Skew comes from projection
//! profiles of the dark pixels of the upright, scaled page over ±6°.

use crate::onnx::{Cls, Det, DetBox, DetParams, Rec, RecText};
use crate::OcrError;
use image::imageops::{self, FilterType};
use image::{GrayImage, Luma};
use imageproc::geometric_transformations::{rotate_about_center, Interpolation};
use std::path::Path;

/// What [`Orienter::orient`] found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Orientation {
    /// Clockwise degrees (0, 90, 180, 270) the input is turned from upright.
    pub rotation: u16,
    /// Clockwise degrees the text of the turned-back page still leans by.
    pub skew_deg: f32,
}

impl Orientation {
    pub const UPRIGHT: Orientation = Orientation {
        rotation: 0,
        skew_deg: 0.0,
    };

    /// The upright, deskewed page. Skews under 0.1° are left alone.
    /// Deskewing samples the nearest pixel (a turn of a degree or two moves a
    /// pixel by less than one row over hundreds of columns): measured as good
    /// for recognition as bilinear and about half its cost on a 300 DPI page.
    pub fn apply(&self, img: GrayImage) -> GrayImage {
        let turned = turn_back(img, self.rotation);
        if self.skew_deg.abs() < 0.1 {
            return turned;
        }
        rotate_about_center(
            &turned,
            -self.skew_deg.to_radians(),
            DESKEW_INTERPOLATION,
            Luma([255]),
        )
    }
}

/// Undoes a clockwise turn of `rotation` degrees.
fn turn_back(img: GrayImage, rotation: u16) -> GrayImage {
    match rotation % 360 {
        90 => imageops::rotate270(&img),
        180 => imageops::rotate180(&img),
        270 => imageops::rotate90(&img),
        _ => img,
    }
}

/// Long side of the page image used for orientation and skew: line shapes
/// and the projection profile need little resolution (512 measured as right as
/// 768 on turned pages, and the detection there costs half); the classifier's
/// line crops come from the full page.
const ORIENT_SIDE: u32 = 512;
const DESKEW_INTERPOLATION: Interpolation = Interpolation::Nearest;
/// Line crops the classifier votes with.
const CLS_VOTES: usize = 12;
/// Line crops read both ways to confirm a turn the classifier found.
const REC_CHECKS: usize = 6;

/// Finds orientation and skew (PP-OCR det + cls models; one per worker thread).
pub struct Orienter {
    pub(crate) det: Det,
    cls: Cls,
    pub(crate) rec: Rec,
}

impl Orienter {
    pub fn load(third_party: &Path) -> Result<Self, OcrError> {
        Ok(Orienter {
            det: Det::load(third_party)?,
            cls: Cls::load(third_party)?,
            rec: Rec::load(third_party)?,
        })
    }

    /// Everything in orientation and deskew that changes the page OCR sees (for cache keys).
    pub fn config_key(&self) -> String {
        format!(
            "orient side {ORIENT_SIDE} cls {CLS_VOTES} rec {REC_CHECKS} deskew {DESKEW_INTERPOLATION:?} readback180 {}/{}",
            crate::DOUBT_BELOW_CONFIDENCE,
            crate::DOUBT_BELOW_CHARS
        )
    }

    pub fn orient(&mut self, img: &GrayImage) -> Result<Orientation, OcrError> {
        let (w, h) = img.dimensions();
        if w < 16 || h < 16 {
            return Ok(Orientation::UPRIGHT);
        }
        let scale = (ORIENT_SIDE as f32 / w.max(h) as f32).min(1.0);
        let (sw, sh) = (
            ((w as f32 * scale).round() as u32).max(1),
            ((h as f32 * scale).round() as u32).max(1),
        );
        // `image`'s own filter here, not `resample`: the skew is estimated on
        // this image, and the SIMD filter's rounding moved one page's estimate
        // enough to cost 37 characters (seed 7, d7-002 p6); ~50 ms a page.
        let small = imageops::resize(img, sw, sh, FilterType::Triangle);
        let params = DetParams {
            max_side: ORIENT_SIDE,
            ..DetParams::default()
        };
        let boxes = self.det.detect(&small, &params)?;
        let elongation = |b: &DetBox, tall: bool| {
            let (long, short) = if tall {
                (b.height(), b.width())
            } else {
                (b.width(), b.height())
            };
            if long > 2.0 * short {
                long
            } else {
                0.0
            }
        };
        let wide: f32 = boxes.iter().map(|b| elongation(b, false)).sum();
        let tall: f32 = boxes.iter().map(|b| elongation(b, true)).sum();
        if wide == 0.0 && tall == 0.0 {
            return Ok(Orientation::UPRIGHT);
        }
        let quarter = tall > wide;

        // Longest lines, cropped at full resolution, turned so that they read
        // left to right if the page is upright after a 90° clockwise turn.
        let mut lines: Vec<&DetBox> = boxes
            .iter()
            .filter(|b| elongation(b, quarter) > 0.0)
            .collect();
        lines.sort_by(|a, b| elongation(b, quarter).total_cmp(&elongation(a, quarter)));
        lines.truncate(CLS_VOTES);
        let crops: Vec<GrayImage> = lines
            .iter()
            .map(|b| {
                let inv = 1.0 / scale;
                let crop = crop(img, b.x0 * inv, b.y0 * inv, b.x1 * inv, b.y1 * inv);
                if quarter {
                    imageops::rotate90(&crop)
                } else {
                    crop
                }
            })
            .collect();
        let flips = self.cls.upside_down(&crops)?;
        let mut flipped = flips.iter().sum::<f32>() > flips.len() as f32 * 0.5;
        if flipped {
            // The classifier is fooled by symmetric non-text (redacted photos,
            // bar patterns): a turn is kept only if recognition agrees.
            let crops = &crops[..crops.len().min(REC_CHECKS)];
            let turned: Vec<GrayImage> = crops.iter().map(imageops::rotate180).collect();
            let score = |texts: Vec<RecText>| -> f32 {
                texts.iter().flat_map(|t| t.chars.iter().map(|c| c.1)).sum()
            };
            let as_is = score(self.rec.recognize(crops)?);
            let flip = score(self.rec.recognize(&turned)?);
            flipped = flip > as_is;
        }
        // Clockwise turn that makes the page upright, and so the input's turn.
        let undo: u16 = match (quarter, flipped) {
            (false, false) => 0,
            (false, true) => 180,
            (true, false) => 90,
            (true, true) => 270,
        };
        let rotation = (360 - undo) % 360;
        let upright_small = turn_back(small, rotation);
        Ok(Orientation {
            rotation,
            skew_deg: estimate_skew(&upright_small),
        })
    }
}

/// `img[x0..x1, y0..y1]`, clamped to the image, at least 1×1.
pub fn crop(img: &GrayImage, x0: f32, y0: f32, x1: f32, y1: f32) -> GrayImage {
    let (w, h) = img.dimensions();
    let x0 = (x0.max(0.0) as u32).min(w - 1);
    let y0 = (y0.max(0.0) as u32).min(h - 1);
    let x1 = (x1.ceil().max(0.0) as u32).clamp(x0 + 1, w);
    let y1 = (y1.ceil().max(0.0) as u32).clamp(y0 + 1, h);
    imageops::crop_imm(img, x0, y0, x1 - x0, y1 - y0).to_image()
}

/// Clockwise lean of the text lines in degrees (±6° at most), by maximising the
/// sharpness of the horizontal projection profile of the dark pixels.
pub fn estimate_skew(img: &GrayImage) -> f32 {
    let threshold = imageproc::contrast::otsu_level(img).min(200);
    let mut pts: Vec<(f32, f32)> = img
        .enumerate_pixels()
        .filter(|(_, _, p)| p.0[0] < threshold)
        .map(|(x, y, _)| (x as f32, y as f32))
        .collect();
    if pts.len() < 100 {
        return 0.0;
    }
    // Keep the cost bounded on dense pages.
    let stride = pts.len().div_ceil(150_000);
    if stride > 1 {
        pts = pts.into_iter().step_by(stride).collect();
    }
    let (w, h) = img.dimensions();
    let score = |deg: f32| {
        let t = deg.to_radians().tan();
        let off = w as f32 * t.abs();
        let mut bins = vec![0u32; (h as f32 + 2.0 * off) as usize + 2];
        let last = bins.len() - 1;
        for &(x, y) in &pts {
            let yy = y - x * t + off;
            bins[(yy as usize).min(last)] += 1;
        }
        bins.iter().map(|&b| (b as f64) * (b as f64)).sum::<f64>()
    };
    let best_in = |from: f32, to: f32, step: f32| {
        let n = ((to - from) / step).round() as i32;
        (0..=n)
            .map(|i| from + i as f32 * step)
            .map(|d| (d, score(d)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(0.0, |b| b.0)
    };
    let coarse = best_in(-6.0, 6.0, 0.5);
    let fine = best_in(coarse - 0.5, coarse + 0.5, 0.05);
    (fine * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Horizontal bars like text lines, leaned clockwise by `deg`.
    fn lined_page(deg: f32) -> GrayImage {
        let mut img = GrayImage::from_pixel(800, 1000, Luma([255]));
        for row in 0..20 {
            let y0 = 100 + row * 40;
            for y in y0..y0 + 14 {
                for x in 100..700 {
                    if (x / 20) % 3 != 2 {
                        img.put_pixel(x, y, Luma([0]));
                    }
                }
            }
        }
        rotate_about_center(&img, deg.to_radians(), Interpolation::Bilinear, Luma([255]))
    }

    #[test]
    fn skew_sign_and_size() {
        for deg in [-3.0f32, -0.8, 0.0, 1.5, 4.0] {
            let est = estimate_skew(&lined_page(deg));
            assert!((est - deg).abs() < 0.15, "leaned {deg}°, estimated {est}°");
            let fixed = Orientation {
                rotation: 0,
                skew_deg: est,
            }
            .apply(lined_page(deg));
            assert!(estimate_skew(&fixed).abs() < 0.15);
        }
    }
}
