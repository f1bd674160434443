//! anjuan-ocr: Chinese OCR of page images, with line boxes and confidences.
//!
//! Two engines behind one interface ([`OcrEngine`]): PP-OCRv4 detection +
//! recognition through ONNX Runtime, and Tesseract chi_sim through libtesseract.
//! [`orient`] finds and undoes page rotation (0/90/180/270) and skew before OCR.
//!
//! One engine instance per worker thread; engines are `Send`, not `Sync`.

use image::GrayImage;

/// A recognised word or character group inside a line.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrWord {
    pub text: String,
    /// `[x0, y0, x1, y1]` in pixels of the image given to the engine.
    pub bbox: [u32; 4],
    /// 0.0 … 1.0
    pub confidence: f32,
}

/// A recognised text line.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrLine {
    /// No spaces between Chinese characters.
    pub text: String,
    pub bbox: [u32; 4],
    pub confidence: f32,
    pub words: Vec<OcrWord>,
}

/// What OCR made of one page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageText {
    /// In reading order: top to bottom, lines of one row left to right.
    pub lines: Vec<OcrLine>,
    /// Width and height of the (oriented) image the boxes refer to.
    pub width: u32,
    pub height: u32,
}

impl PageText {
    /// Mean line confidence weighted by characters (0 when empty).
    pub fn mean_confidence(&self) -> f32 {
        let (sum, n) = self.lines.iter().fold((0.0f32, 0usize), |(s, n), l| {
            let c = l.text.chars().count();
            (s + l.confidence * c as f32, n + c)
        });
        if n == 0 {
            0.0
        } else {
            sum / n as f32
        }
    }

    /// One text line per line.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(&l.text);
            s.push('\n');
        }
        s
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("OCR engine setup failed: {0}")]
    Setup(String),
    #[error("OCR failed: {0}")]
    Run(String),
}

/// An OCR engine. Create one per worker thread.
pub trait OcrEngine: Send {
    /// Name and version as written to `review.json` (`ppocr-v4/onnx`, `tesseract-5.3/chi_sim`).
    fn name(&self) -> String;
    /// Everything that changes the output (models' hashes, parameters): part of the cache key.
    fn config_key(&self) -> String;
    /// Recognises an upright grayscale page.
    fn recognize(&mut self, image: &GrayImage) -> Result<PageText, OcrError>;
}
