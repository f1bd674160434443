//! anjuan-ocr: Chinese OCR of page images, with line boxes and confidences.
//!
//! Two engines behind one interface ([`OcrEngine`]): PP-OCRv4 detection +
//! recognition through ONNX Runtime, and Tesseract chi_sim through libtesseract.
//! [`orient`] finds and undoes page rotation (0/90/180/270) and skew before OCR.
//!
//! One engine instance per worker thread; engines are `Send`, not `Sync`.
//!
//! Entry points: [`create_engine`] (by [`EngineKind`]) and [`read_page`]
//! (orientation + deskew + OCR of one page image).
//!
//! **Default engine: PP-OCR.** Measured with `examples/cer_gen` (pages of
//! `anjuan-gen` seed 7, dossiers 2–3, first 20 pages, full text incl.
//! handwriting, whitespace ignored): PP-OCRv4 CER 5.6 % at 200 DPI and 5.3 % at
//! 300 DPI (4.4 % / 4.3 % without the two cover pages, whose label/value rows
//! order differently from the truth), Tesseract chi_sim 15.0 % / 13.1 %. CPU per
//! page (orientation + deskew + OCR, one core) 2.5–2.7 s for PP-OCR, 1.6–2.1 s
//! for Tesseract, measured on a 2-core machine shared with builds at load ~8,
//! so upper bounds.
//!
//! **Speed.** Measured per page (orientation + deskew + OCR, one worker) with
//! `examples/par_bench --jobs 1` on 78 pages of `anjuan-gen` seed 5311
//! (dossiers 0–3 at 200 DPI, 4–5 at 300 DPI, 6 of them turned 90/180/270°),
//! three runs side by side on the same shared machine (load 8–13):
//!
//! | models / resampling | CPU s/page | CER upright / turned |
//! |---|---:|---:|
//! | shipped PP-OCRv4, `image` resize | 1.84 | 3.40 % / 2.91 % |
//! | fused models ([`onnx::DET_MODEL`], `scripts/ppocr_fuse.py`) | 1.58 | 3.40 % / 2.91 % |
//! | fused + [`resample`] (`fast_image_resize`, AVX2) | 1.39 | 3.40 % / 2.91 % |
//!
//! (the same 632 + 60 character edits in all three; the last row resampled the
//! orientation image with `fast_image_resize` too, which is no longer done, see
//! below: on 28 pages of seed 7 at 2 jobs that costs 1.21 → 1.29 s/page).
//! Where the time went:
//! ONNX Runtime's per-operator profile of the recogniser put a third of it in
//! the elementwise ops PP-LCNetV3 wraps around every convolution (a scalar
//! affine block, hard-swish as five ops, another affine block) and in the
//! layout reorders they force; `ppocr_fuse.py` folds the affine blocks into
//! the convolutions and hard-swish into HardSigmoid × x, exact up to float
//! rounding (`tests/fused.rs`): recogniser −15 %, detector −13 %. `perf` then
//! put 13 % of a page in `image`'s resize (page → detector size, page → 512 px
//! for orientation, line crops): `fast_image_resize` for the detector and the
//! crops; orientation keeps `image`'s filter, since its skew estimate moved on
//! one page of seed 7's d7-002 with the other rounding (62 → 99 edits there;
//! 28 pages 545 edits with it, 549 without, on the same run). After both (`perf`, 8
//! pages), 83 % of a page's CPU is inside ONNX Runtime, deskew 3 %, the
//! kernel (page faults) 5 %.
//!
//! Measured and rejected: int8 recogniser (ORT static QDQ of the convolutions,
//! calibrated on 317 crops of seed 6101 from `examples/rec_crops`): per-channel
//! −18 % rec CPU but 2.9 % of characters read differently from float on 629
//! crops of seed 5311; per-tensor −20 % and unusable (99 %). Earlier: recognition
//! batches of 2–16 width-sorted crops (1.2–2.3× slower than batch 1), ORT arena
//! off (−100 MB, +27 % CPU), flush-to-zero (no gain), det side 1120 or rec crops
//! padded to 16 % (−12 % CPU, +1 point CER).
//!
//! **Threads.** Every engine runs single-threaded (ONNX Runtime: one intra-op
//! thread, no spinning); run one engine per worker thread. The Tesseract engine
//! additionally needs `OMP_THREAD_LIMIT=1` in the process environment *before
//! the process starts* (OpenMP reads it at load time; setting it later has no
//! effect): without it Tesseract spreads every page over all cores and with
//! several workers runs ~4× slower. The CLI re-executes itself with it set.
//!
//! **Files.** Both engines need `third_party/` from `scripts/setup.sh`
//! (`lib/libonnxruntime.so`, `models/ppocr-v4/{det,rec,cls}.onnx`): the
//! Tesseract engine too, because orientation uses the PP-OCR detector and
//! 0°/180° classifier (Tesseract's OSD needs `osd.traineddata`, which chi_sim
//! does not provide). Tesseract itself uses the system's chi_sim data.

use image::{DynamicImage, GrayImage};
use std::path::Path;
use std::str::FromStr;

pub mod corner;
pub mod layout;
pub mod onnx;
pub mod orient;
pub mod ppocr;
pub mod resample;
pub mod tess;

pub use orient::{Orientation, Orienter};
pub use ppocr::{PpOcrEngine, PpParams};
pub use tess::TesseractEngine;

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

impl OcrLine {
    /// A line known only by its text and box (a capture, a cache), without
    /// word boxes.
    pub fn unsplit(text: &str, bbox: [u32; 4], confidence: f32) -> OcrLine {
        OcrLine {
            text: text.to_string(),
            bbox,
            confidence,
            words: Vec::new(),
        }
    }

    /// A line known from elsewhere (a text layer, a generator's truth), with
    /// whitespace dropped and one word per character, the box split evenly
    /// among them.
    pub fn evenly_split(text: &str, bbox: [u32; 4], confidence: f32) -> OcrLine {
        let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        let n = chars.len().max(1) as u32;
        let w = bbox[2].saturating_sub(bbox[0]);
        OcrLine {
            text: chars.iter().collect(),
            bbox,
            confidence,
            words: chars
                .iter()
                .enumerate()
                .map(|(k, c)| OcrWord {
                    text: c.to_string(),
                    bbox: [
                        bbox[0] + w * k as u32 / n,
                        bbox[1],
                        bbox[0] + w * (k as u32 + 1) / n,
                        bbox[3],
                    ],
                    confidence,
                })
                .collect(),
        }
    }
}

/// CPU seconds (user + system, all threads) this process has used so far:
/// what pages cost the cores, less disturbed than wall time by other work on
/// a shared machine. None where `/proc/self/stat` can't be read.
pub fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    Some((ticks(11)? + ticks(12)?) / 100.0)
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
    /// The orientation/skew finder this engine's [`read_page`] uses.
    fn orienter(&mut self) -> &mut Orienter;
    /// Whether the recogniser has a class for `c`: a character it cannot
    /// read comes back dropped or as another (隰 for PP-OCRv4). `true` when
    /// the engine does not say.
    fn can_read(&self, c: char) -> bool {
        let _ = c;
        true
    }
}

/// Which OCR engine: `ppocr` (default) or `tesseract`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EngineKind {
    #[default]
    PpOcr,
    Tesseract,
}

impl EngineKind {
    pub const ALL: [EngineKind; 2] = [EngineKind::PpOcr, EngineKind::Tesseract];

    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::PpOcr => "ppocr",
            EngineKind::Tesseract => "tesseract",
        }
    }
}

impl std::fmt::Display for EngineKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EngineKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "ppocr" | "pp-ocr" | "paddle" | "ppocr-v4" => Ok(EngineKind::PpOcr),
            "tesseract" | "tess" => Ok(EngineKind::Tesseract),
            _ => Err(format!(
                "unknown OCR engine {s:?} (expected ppocr or tesseract)"
            )),
        }
    }
}

/// Creates an engine (one per worker thread), with models and libraries from
/// `third_party_dir` (see [`anjuan_core::paths::third_party_dir`]).
pub fn create_engine(
    kind: EngineKind,
    third_party_dir: &Path,
) -> Result<Box<dyn OcrEngine>, OcrError> {
    Ok(match kind {
        EngineKind::PpOcr => Box::new(PpOcrEngine::new(third_party_dir, PpParams::default())?),
        EngineKind::Tesseract => Box::new(TesseractEngine::new(third_party_dir)?),
    })
}

/// One page read by [`read_page`].
#[derive(Debug, Clone)]
pub struct PageRead {
    /// Boxes refer to `image`.
    pub text: PageText,
    /// Clockwise degrees (0, 90, 180, 270) the input was turned; now undone.
    pub rotation: u16,
    /// Clockwise lean (degrees) of the text after undoing `rotation`; now undone.
    pub skew_deg: f32,
    /// The upright, deskewed grayscale page the boxes refer to.
    pub image: GrayImage,
}

/// Orients, deskews and recognises one page image.
pub fn read_page(engine: &mut dyn OcrEngine, image: &DynamicImage) -> Result<PageRead, OcrError> {
    let gray = image.to_luma8();
    if gray.width() == 0 || gray.height() == 0 {
        return Err(OcrError::Run("empty page image".into()));
    }
    let o = engine.orienter().orient(&gray)?;
    read_upright(engine, o.apply(gray), o)
}

/// A page whose reading is this poor was perhaps turned the wrong way up:
/// upright pages read at a mean confidence of 0.95 or more (seed 9041, 226
/// pages: the lowest 0.955), text read upside down falls apart.
const DOUBT_BELOW_CONFIDENCE: f32 = 0.9;
/// ... or holds this few Chinese characters (a photo page holds 50 or more).
const DOUBT_BELOW_CHARS: usize = 20;

/// What a reading is worth: the confidence summed over its characters.
fn reading_score(t: &PageText) -> f32 {
    t.lines
        .iter()
        .map(|l| l.confidence * l.text.chars().count() as f32)
        .sum()
}

/// Recognises a page `orientation` turned upright. The orientation is found
/// on line shapes and a classifier that fonts and inks it was not trained
/// on can fool; a page read poorly is read again turned 180°, and the
/// reading with clearly more confident characters wins (checked by outcome,
/// whatever fooled the classifier).
pub fn read_upright(
    engine: &mut dyn OcrEngine,
    upright: GrayImage,
    orientation: orient::Orientation,
) -> Result<PageRead, OcrError> {
    let text = engine.recognize(&upright)?;
    let cjk = text
        .lines
        .iter()
        .flat_map(|l| l.text.chars())
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .count();
    if text.mean_confidence() < DOUBT_BELOW_CONFIDENCE || cjk < DOUBT_BELOW_CHARS {
        let turned = image::imageops::rotate180(&upright);
        let other = engine.recognize(&turned)?;
        if reading_score(&other) > 1.5 * reading_score(&text) + 10.0 {
            return Ok(PageRead {
                text: other,
                rotation: (orientation.rotation + 180) % 360,
                skew_deg: orientation.skew_deg,
                image: turned,
            });
        }
    }
    Ok(PageRead {
        text,
        rotation: orientation.rotation,
        skew_deg: orientation.skew_deg,
        image: upright,
    })
}

/// Short hashes of the installed models, from `third_party/MANIFEST` (for cache keys).
pub(crate) fn models_key(third_party: &Path) -> String {
    let manifest = std::fs::read_to_string(third_party.join("MANIFEST")).unwrap_or_default();
    let mut parts: Vec<String> = manifest
        .lines()
        .filter_map(|l| l.split_once("  "))
        .filter(|(_, p)| p.starts_with("models/"))
        .map(|(h, p)| {
            format!(
                "{}={}",
                p.trim_start_matches("models/"),
                &h[..h.len().min(12)]
            )
        })
        .collect();
    parts.sort();
    parts.join(",")
}
