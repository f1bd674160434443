//! One page as the pipeline passes it on after OCR (or after reading a text
//! layer): what the later stages (classification, checks) work from, and what
//! the page cache stores.

use anjuan_core::marks::PageMarks;
use anjuan_ingest::TextLayerPage;
use anjuan_ocr::{OcrLine, OcrWord, PageRead, PageText};
use serde::{Deserialize, Serialize};

/// Engine name written for pages read from a PDF's text layer.
pub const TEXT_LAYER_ENGINE: &str = "pdf-text-layer";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub bbox: [u32; 4],
    pub confidence: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub text: String,
    /// `[x0, y0, x1, y1]` in pixels of the upright page at `dpi`.
    pub bbox: [u32; 4],
    pub confidence: f32,
    pub words: Vec<Word>,
}

/// The recognised text of one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcrPage {
    /// As written to `review.json` (`ppocr-v4/onnx`, `pdf-text-layer`, …).
    pub engine: String,
    pub dpi: u32,
    /// Clockwise degrees the scan was turned (undone before OCR).
    pub rotation: u16,
    pub skew_deg: f32,
    /// Size of the upright page the boxes refer to.
    pub width: u32,
    pub height: u32,
    pub mean_confidence: f32,
    /// Reading order.
    pub lines: Vec<Line>,
    /// Seals, signatures and fingerprints on the page image (none for a
    /// text-layer page).
    #[serde(default)]
    pub marks: PageMarks,
    /// Why the page could not be read (`pages[].error`); such a page has
    /// no lines and is never cached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Engine name written for a page that could not be read.
pub const UNREAD_ENGINE: &str = "none";

impl OcrPage {
    /// A page that could not be read, and why.
    pub fn unread(error: String) -> Self {
        OcrPage {
            engine: UNREAD_ENGINE.to_string(),
            dpi: 0,
            rotation: 0,
            skew_deg: 0.0,
            width: 0,
            height: 0,
            mean_confidence: 0.0,
            lines: Vec::new(),
            marks: PageMarks::default(),
            error: Some(error),
        }
    }

    pub fn from_read(read: &PageRead, engine: String, dpi: u32) -> Self {
        OcrPage {
            engine,
            dpi,
            rotation: read.rotation,
            skew_deg: read.skew_deg,
            width: read.text.width,
            height: read.text.height,
            mean_confidence: read.text.mean_confidence(),
            lines: read.text.lines.iter().map(line_from_ocr).collect(),
            marks: PageMarks::default(),
            error: None,
        }
    }

    pub fn from_text_layer(t: &TextLayerPage) -> Self {
        OcrPage {
            engine: TEXT_LAYER_ENGINE.to_string(),
            dpi: t.dpi,
            rotation: 0,
            skew_deg: 0.0,
            width: t.width,
            height: t.height,
            mean_confidence: if t.lines.is_empty() { 0.0 } else { 1.0 },
            lines: t
                .lines
                .iter()
                .map(|l| Line {
                    text: l.text.clone(),
                    bbox: l.bbox,
                    confidence: 1.0,
                    words: l
                        .words
                        .iter()
                        .map(|w| Word {
                            text: w.text.clone(),
                            bbox: w.bbox,
                            confidence: 1.0,
                        })
                        .collect(),
                })
                .collect(),
            marks: PageMarks::default(),
            error: None,
        }
    }

    /// The page in the OCR crate's shape.
    pub fn page_text(&self) -> PageText {
        PageText {
            lines: self
                .lines
                .iter()
                .map(|l| OcrLine {
                    text: l.text.clone(),
                    bbox: l.bbox,
                    confidence: l.confidence,
                    words: l
                        .words
                        .iter()
                        .map(|w| OcrWord {
                            text: w.text.clone(),
                            bbox: w.bbox,
                            confidence: w.confidence,
                        })
                        .collect(),
                })
                .collect(),
            width: self.width,
            height: self.height,
        }
    }

    /// The page as classification and the checks read it: every line's and
    /// word's text through the one normalisation step
    /// (`anjuan_core::normalize`); boxes, confidences and character
    /// positions unchanged, so the page as read stays the evidence.
    pub fn normalized(&self) -> OcrPage {
        let norm = |s: &str| anjuan_core::normalize::normalize(s).into_owned();
        OcrPage {
            lines: self
                .lines
                .iter()
                .map(|l| Line {
                    text: norm(&l.text),
                    words: l
                        .words
                        .iter()
                        .map(|w| Word {
                            text: norm(&w.text),
                            ..w.clone()
                        })
                        .collect(),
                    ..l.clone()
                })
                .collect(),
            ..self.clone()
        }
    }

    /// `pages/NNNN.txt`: one text line per line, no spaces between Chinese characters.
    pub fn text_file(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            let t = tidy_line(&l.text);
            if !t.is_empty() {
                s.push_str(&t);
                s.push('\n');
            }
        }
        s
    }
}

fn line_from_ocr(l: &OcrLine) -> Line {
    Line {
        text: l.text.clone(),
        bbox: l.bbox,
        confidence: l.confidence,
        words: l
            .words
            .iter()
            .map(|w| Word {
                text: w.text.clone(),
                bbox: w.bbox,
                confidence: w.confidence,
            })
            .collect(),
    }
}

/// CJK ideographs, CJK punctuation and full-width forms.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF
        | 0x20000..=0x2FFFF)
}

/// Trims the line, folds runs of blanks, drops blanks next to a Chinese
/// character, and removes characters that would break "one line per line".
pub(crate) fn tidy_line(text: &str) -> String {
    let chars: Vec<char> = text
        .trim()
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = out.chars().last();
            let next = chars[i + 1..].iter().find(|&&n| n != ' ');
            let keep =
                prev.is_some_and(|p| p != ' ' && !is_cjk(p)) && next.is_some_and(|&n| !is_cjk(n));
            if keep {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_lose_spaces_between_chinese_but_keep_them_between_latin() {
        assert_eq!(tidy_line(" 询 问  笔录 "), "询问笔录");
        assert_eq!(tidy_line("No.  12 号\tA b"), "No. 12号A b");
        assert_eq!(tidy_line("a\u{3000}b"), "a b");
    }
}
