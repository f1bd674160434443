//! The PP-OCRv4 engine: DB detection, then line recognition of each box.

use crate::corner::{self, CornerParams};
use crate::layout::{clean_spaces, is_cjk, reading_order};
use crate::onnx::{DetBox, DetParams, RecText};
use crate::orient::{crop, Orienter};
use crate::{models_key, OcrEngine, OcrError, OcrLine, OcrWord, PageText};
use image::GrayImage;
use std::path::Path;

/// Tunables of the PP-OCR engine (all part of [`OcrEngine::config_key`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PpParams {
    pub det: DetParams,
    /// Padding added around each detected box before recognition, as a fraction of its height.
    pub pad_x: f32,
    pub pad_y: f32,
    /// Lines whose mean character confidence is below this are dropped (seal rings, specks).
    pub min_line_conf: f32,
    /// Recognition batch size.
    pub rec_batch: usize,
    /// A closer look at the page-number corner when the page pass read no number there.
    pub corner: CornerParams,
}

impl Default for PpParams {
    fn default() -> Self {
        PpParams {
            det: DetParams::default(),
            pad_x: 0.15,
            pad_y: 0.08,
            min_line_conf: 0.5,
            rec_batch: 1,
            corner: CornerParams::default(),
        }
    }
}

pub struct PpOcrEngine {
    /// Holds the det and rec sessions this engine reads with.
    orienter: Orienter,
    params: PpParams,
    models: String,
}

impl PpOcrEngine {
    pub fn new(third_party: &Path, params: PpParams) -> Result<Self, OcrError> {
        Ok(PpOcrEngine {
            orienter: Orienter::load(third_party)?,
            params,
            models: models_key(third_party),
        })
    }

    pub fn params_mut(&mut self) -> &mut PpParams {
        &mut self.params
    }
}

impl OcrEngine for PpOcrEngine {
    fn name(&self) -> String {
        "ppocr-v4/onnx".into()
    }

    fn can_read(&self, c: char) -> bool {
        self.orienter.rec.can_read(c)
    }

    fn config_key(&self) -> String {
        format!(
            "ppocr-v4/onnx {} {:?} {}",
            self.models,
            self.params,
            self.orienter.config_key()
        )
    }

    fn orienter(&mut self) -> &mut Orienter {
        &mut self.orienter
    }

    fn recognize(&mut self, image: &GrayImage) -> Result<PageText, OcrError> {
        let (w, h) = image.dimensions();
        let boxes = self.orienter.det.detect(image, &self.params.det)?;
        let padded: Vec<DetBox> = boxes
            .iter()
            .map(|b| {
                let (px, py) = (
                    b.height() * self.params.pad_x,
                    b.height() * self.params.pad_y,
                );
                DetBox {
                    x0: (b.x0 - px).max(0.0),
                    y0: (b.y0 - py).max(0.0),
                    x1: (b.x1 + px).min(w as f32),
                    y1: (b.y1 + py).min(h as f32),
                    score: b.score,
                }
            })
            .collect();
        let crops: Vec<GrayImage> = padded
            .iter()
            .map(|b| crop(image, b.x0, b.y0, b.x1, b.y1))
            .collect();
        let rec = &mut self.orienter.rec;
        rec.batch = self.params.rec_batch;
        let texts = rec.recognize(&crops)?;
        let mut lines: Vec<OcrLine> = padded
            .iter()
            .zip(&texts)
            .filter_map(|(b, t)| to_line(b, t, self.params.min_line_conf))
            .collect();
        let o = &mut self.orienter;
        corner::complete(
            &mut lines,
            &mut o.det,
            &mut o.rec,
            image,
            &self.params.corner,
        )?;
        Ok(PageText {
            lines: reading_order(lines),
            width: w,
            height: h,
        })
    }
}

/// A line from a recognised crop at `b`: words are single CJK characters or runs of other characters.
fn to_line(b: &DetBox, t: &RecText, min_conf: f32) -> Option<OcrLine> {
    let text = clean_spaces(&t.text());
    if text.is_empty() || t.confidence() < min_conf {
        return None;
    }
    let half = b.height() * 0.45;
    let (y0, y1) = (b.y0 as u32, b.y1.ceil() as u32);
    let mut words: Vec<OcrWord> = Vec::new();
    let mut open = false;
    for &(c, p, cx) in &t.chars {
        if c.is_whitespace() {
            open = false;
            continue;
        }
        let x0 = (b.x0 + cx - half).max(b.x0) as u32;
        let x1 = (b.x0 + cx + half).min(b.x1).ceil() as u32;
        match words.last_mut() {
            Some(wd) if open && !is_cjk(c) => {
                wd.text.push(c);
                wd.bbox[2] = x1;
                let n = wd.text.chars().count() as f32;
                wd.confidence += (p - wd.confidence) / n;
            }
            _ => words.push(OcrWord {
                text: c.to_string(),
                bbox: [x0, y0, x1, y1],
                confidence: p,
            }),
        }
        open = !is_cjk(c);
    }
    Some(OcrLine {
        text,
        bbox: [b.x0 as u32, y0, b.x1.ceil() as u32, y1],
        confidence: t.confidence(),
        words,
    })
}
