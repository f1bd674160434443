//! ONNX Runtime plumbing and the three PP-OCR networks: DB text detection,
//! CRNN/SVTR line recognition (CTC) and the 0°/180° line classifier.

use crate::{resample, OcrError};
use image::{GrayImage, Luma};
use imageproc::region_labelling::{connected_components, Connectivity};
use ort::environment::Environment;
use ort::session::Session;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// File names under `third_party/`.
pub const ORT_LIB: &str = "lib/libonnxruntime.so";
/// The networks the engine runs: the PP-OCR models below with their elementwise
/// chains folded into the convolutions by `scripts/ppocr_fuse.py` (setup.sh
/// writes them; outputs equal to ~1e-6, ~15 % less CPU).
pub const DET_MODEL: &str = "models/ppocr-v4/det-fused.onnx";
pub const REC_MODEL: &str = "models/ppocr-v4/rec-fused.onnx";
pub const CLS_MODEL: &str = "models/ppocr-v4/cls-fused.onnx";
/// The models as shipped by rapidocr-onnxruntime, which the fused ones are made from.
pub const DET_MODEL_SHIPPED: &str = "models/ppocr-v4/det.onnx";
pub const REC_MODEL_SHIPPED: &str = "models/ppocr-v4/rec.onnx";
pub const CLS_MODEL_SHIPPED: &str = "models/ppocr-v4/cls.onnx";

static ENV: Mutex<Option<Environment>> = Mutex::new(None);

/// The process-wide ONNX Runtime environment, loading `libonnxruntime.so` from
/// `third_party/lib` on first success (later calls reuse the library loaded first).
fn environment(third_party: &Path) -> Result<Environment, OcrError> {
    let mut env = ENV.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(e) = env.as_ref() {
        return Ok(e.clone());
    }
    let lib = third_party.join(ORT_LIB);
    if !lib.is_file() {
        return Err(OcrError::Setup(format!(
            "{} is missing (run `bash scripts/setup.sh`)",
            lib.display()
        )));
    }
    let built = ort::init_from(&lib)
        .map_err(|e| OcrError::Setup(format!("loading {}: {e}", lib.display())))?
        .with_name("anjuan-ocr")
        .build()
        .map_err(|e| {
            OcrError::Setup(format!(
                "ONNX Runtime environment from {}: {e}",
                lib.display()
            ))
        })?;
    *env = Some(built.clone());
    Ok(built)
}

/// A single-threaded, non-spinning session (one engine per worker thread).
pub fn session(third_party: &Path, model: &str) -> Result<Session, OcrError> {
    let env = environment(third_party)?;
    let path: PathBuf = third_party.join(model);
    if !path.is_file() {
        return Err(OcrError::Setup(format!(
            "{} is missing (run `bash scripts/setup.sh`)",
            path.display()
        )));
    }
    let setup = |e: String| OcrError::Setup(format!("{}: {e}", path.display()));
    Session::builder(&env)
        .map_err(|e| setup(e.to_string()))?
        .with_intra_threads(1)
        .map_err(|e| setup(e.to_string()))?
        .with_inter_threads(1)
        .map_err(|e| setup(e.to_string()))?
        .with_intra_op_spinning(false)
        .map_err(|e| setup(e.to_string()))?
        .with_inter_op_spinning(false)
        .map_err(|e| setup(e.to_string()))?
        // Input shapes change with every page and line: no memory pattern planning.
        .with_memory_pattern(std::env::var_os("ANJUAN_MEMPAT").is_some())
        .map_err(|e| setup(e.to_string()))?
        .commit_from_file(&path)
        .map_err(|e| setup(e.to_string()))
}

fn run_err(e: impl std::fmt::Display) -> OcrError {
    OcrError::Run(e.to_string())
}

/// Runs `session` on one f32 tensor and returns the first output's shape and data.
fn run(
    session: &mut Session,
    shape: [usize; 4],
    data: Vec<f32>,
) -> Result<(Vec<usize>, Vec<f32>), OcrError> {
    let input = ort::value::Tensor::from_array((shape, data)).map_err(run_err)?;
    let outputs = session.run(ort::inputs![input]).map_err(run_err)?;
    let (shape, data) = outputs[0].try_extract_tensor::<f32>().map_err(run_err)?;
    Ok((
        shape.iter().map(|&d| d.max(0) as usize).collect(),
        data.to_vec(),
    ))
}

/// An axis-aligned box in pixels of the image given to [`Det::detect`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetBox {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
    pub score: f32,
}

impl DetBox {
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
}

/// Parameters of text detection.
#[derive(Debug, Clone, PartialEq)]
pub struct DetParams {
    /// The longer side of the image is scaled down to at most this (never up).
    pub max_side: u32,
    /// Pixel threshold on the probability map.
    pub thresh: f32,
    /// Minimum mean probability of a region.
    pub box_thresh: f32,
    /// DB unclip ratio: how far the shrunk text kernel is grown back.
    pub unclip: f32,
    /// Regions whose shorter side (in det pixels) is below this are dropped.
    pub min_size: f32,
    /// Run the network on the inked part of the page only (at the same scale),
    /// not on its blank margins: about a third less time and memory on forms.
    pub crop_to_ink: bool,
}

impl Default for DetParams {
    fn default() -> Self {
        DetParams {
            max_side: 1280,
            thresh: 0.3,
            box_thresh: 0.5,
            unclip: 1.6,
            min_size: 3.0,
            crop_to_ink: true,
        }
    }
}

/// DB text detector (`det.onnx`).
pub struct Det {
    session: Session,
}

const DET_MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const DET_STD: [f32; 3] = [0.229, 0.224, 0.225];

impl Det {
    pub fn load(third_party: &Path) -> Result<Self, OcrError> {
        Self::load_model(third_party, DET_MODEL)
    }

    /// A DB detector from `model` (a path under `third_party/`).
    pub fn load_model(third_party: &Path, model: &str) -> Result<Self, OcrError> {
        Ok(Det {
            session: session(third_party, model)?,
        })
    }

    /// Text regions of `img`, in `img` pixels.
    pub fn detect(&mut self, img: &GrayImage, p: &DetParams) -> Result<Vec<DetBox>, OcrError> {
        let (w, h) = img.dimensions();
        if w == 0 || h == 0 {
            return Ok(Vec::new());
        }
        let scale = (p.max_side as f32 / w.max(h) as f32).min(1.0);
        let round32 = |v: u32| ((v as f32 * scale / 32.0).round() as u32).max(1) * 32;
        let (rw, rh) = (round32(w), round32(h));
        let resized;
        let src = if (rw, rh) == (w, h) {
            img
        } else {
            resized = resample::resize(img, rw, rh);
            &resized
        };
        // Only the inked part of the page goes through the network, at the
        // page's scale: blank margins cost time and memory and hold no text.
        let [cx, cy, cw, ch] = if p.crop_to_ink {
            content_window(src)
        } else {
            [0, 0, rw, rh]
        };
        let plane = (cw * ch) as usize;
        let mut data = vec![0f32; plane * 3];
        for c in 0..3 {
            let lut: Vec<f32> = (0..256)
                .map(|v| (v as f32 / 255.0 - DET_MEAN[c]) / DET_STD[c])
                .collect();
            let channel = &mut data[c * plane..(c + 1) * plane];
            for (row, y) in channel.chunks_exact_mut(cw as usize).zip(cy..cy + ch) {
                let start = (y * rw + cx) as usize;
                let src_row = &src.as_raw()[start..start + cw as usize];
                for (d, px) in row.iter_mut().zip(src_row) {
                    *d = lut[*px as usize];
                }
            }
        }
        let (shape, prob) = run(&mut self.session, [1, 3, ch as usize, cw as usize], data)?;
        if shape.len() != 4 || shape[2] * shape[3] != prob.len() || shape[3] != cw as usize {
            return Err(OcrError::Run(format!("det output of shape {shape:?}")));
        }
        let (pw, ph) = (shape[3] as u32, shape[2] as u32);
        let boxes = boxes_from_prob(&prob, pw, ph, p);
        let (sx, sy) = (w as f32 / rw as f32, h as f32 / rh as f32);
        Ok(boxes
            .into_iter()
            .map(|b| DetBox {
                x0: ((b.x0 + cx as f32) * sx).max(0.0),
                y0: ((b.y0 + cy as f32) * sy).max(0.0),
                x1: ((b.x1 + cx as f32) * sx).min(w as f32),
                y1: ((b.y1 + cy as f32) * sy).min(h as f32),
                score: b.score,
            })
            .collect())
    }
}

/// Pixels darker than this count as ink when finding a page's content window.
const INK: u8 = 192;
/// A row or column needs this many ink pixels to count (scan specks do not).
const INK_MIN: u32 = 3;
/// White kept around the ink, in detector pixels (the network's view of a
/// line's edge reaches about this far).
const CONTENT_MARGIN: u32 = 32;

/// `[x, y, width, height]` of the part of `img` (whose sides are multiples of
/// 32) that holds ink, widened by [`CONTENT_MARGIN`] and aligned to 32 pixels;
/// the whole image when it has no ink.
fn content_window(img: &GrayImage) -> [u32; 4] {
    let (w, h) = img.dimensions();
    let mut rows = vec![0u32; h as usize];
    let mut cols = vec![0u32; w as usize];
    for (y, row) in img.as_raw().chunks_exact(w as usize).enumerate() {
        for (x, &px) in row.iter().enumerate() {
            if px < INK {
                rows[y] += 1;
                cols[x] += 1;
            }
        }
    }
    let span = |counts: &[u32], len: u32| -> (u32, u32) {
        let first = counts.iter().position(|&c| c >= INK_MIN);
        let last = counts.iter().rposition(|&c| c >= INK_MIN);
        match (first, last) {
            (Some(a), Some(b)) => {
                let a = (a as u32).saturating_sub(CONTENT_MARGIN) / 32 * 32;
                let b = ((b as u32 + 1 + CONTENT_MARGIN).div_ceil(32) * 32).min(len);
                (a, b - a)
            }
            _ => (0, len),
        }
    };
    let (x, cw) = span(&cols, w);
    let (y, ch) = span(&rows, h);
    [x, y, cw, ch]
}

/// Regions of the probability map above `thresh`, as unclipped boxes.
fn boxes_from_prob(prob: &[f32], w: u32, h: u32, p: &DetParams) -> Vec<DetBox> {
    let bin = GrayImage::from_fn(w, h, |x, y| {
        Luma([if prob[(y * w + x) as usize] > p.thresh {
            255
        } else {
            0
        }])
    });
    let labels = connected_components(&bin, Connectivity::Eight, Luma([0u8]));
    #[derive(Clone)]
    struct Acc {
        x0: u32,
        y0: u32,
        x1: u32,
        y1: u32,
        sum: f32,
        n: u32,
    }
    let mut acc: Vec<Acc> = Vec::new();
    for (x, y, l) in labels.enumerate_pixels() {
        let l = l.0[0] as usize;
        if l == 0 {
            continue;
        }
        if acc.len() < l {
            acc.resize(
                l,
                Acc {
                    x0: u32::MAX,
                    y0: u32::MAX,
                    x1: 0,
                    y1: 0,
                    sum: 0.0,
                    n: 0,
                },
            );
        }
        let a = &mut acc[l - 1];
        a.x0 = a.x0.min(x);
        a.y0 = a.y0.min(y);
        a.x1 = a.x1.max(x + 1);
        a.y1 = a.y1.max(y + 1);
        a.sum += prob[(y * w + x) as usize];
        a.n += 1;
    }
    acc.into_iter()
        .filter(|a| a.n > 0)
        .filter_map(|a| {
            let (bw, bh) = ((a.x1 - a.x0) as f32, (a.y1 - a.y0) as f32);
            let score = a.sum / a.n as f32;
            if bw.min(bh) < p.min_size || score < p.box_thresh {
                return None;
            }
            // DB unclip of a rectangle: offset = area * ratio / perimeter.
            let d = bw * bh * p.unclip / (2.0 * (bw + bh));
            Some(DetBox {
                x0: (a.x0 as f32 - d).max(0.0),
                y0: (a.y0 as f32 - d).max(0.0),
                x1: (a.x1 as f32 + d).min(w as f32),
                y1: (a.y1 as f32 + d).min(h as f32),
                score,
            })
        })
        .collect()
}

/// Resizes a line crop to `height`, keeping its aspect ratio, width clamped to `[min_w, max_w]`.
fn resize_to_height(crop: &GrayImage, height: u32, min_w: u32, max_w: u32) -> GrayImage {
    let (w, h) = crop.dimensions();
    let rw = ((w as f32 * height as f32 / h.max(1) as f32).ceil() as u32).clamp(min_w, max_w);
    resample::resize(crop, rw, height)
}

/// Writes `imgs` into an `[n, 3, h, width]` tensor normalised to -1..1, padded with 0.
fn batch_tensor(imgs: &[GrayImage], h: u32, width: u32) -> Vec<f32> {
    let plane = (h * width) as usize;
    let mut data = vec![0f32; imgs.len() * 3 * plane];
    let lut: Vec<f32> = (0..256).map(|v| v as f32 / 127.5 - 1.0).collect();
    for (i, img) in imgs.iter().enumerate() {
        let iw = img.width().min(width) as usize;
        for c in 0..3 {
            let base = (i * 3 + c) * plane;
            for y in 0..h as usize {
                let row = &img.as_raw()[y * img.width() as usize..][..iw];
                for (d, px) in data[base + y * width as usize..][..iw].iter_mut().zip(row) {
                    *d = lut[*px as usize];
                }
            }
        }
    }
    data
}

/// 0°/180° line classifier (`cls.onnx`).
pub struct Cls {
    session: Session,
}

impl Cls {
    pub fn load(third_party: &Path) -> Result<Self, OcrError> {
        Self::load_model(third_party, CLS_MODEL)
    }

    /// A line classifier from `model` (a path under `third_party/`).
    pub fn load_model(third_party: &Path, model: &str) -> Result<Self, OcrError> {
        Ok(Cls {
            session: session(third_party, model)?,
        })
    }

    /// For each line crop, the probability that it is upside down.
    pub fn upside_down(&mut self, crops: &[GrayImage]) -> Result<Vec<f32>, OcrError> {
        if crops.is_empty() {
            return Ok(Vec::new());
        }
        let imgs: Vec<GrayImage> = crops
            .iter()
            .map(|c| resize_to_height(c, 48, 8, 192))
            .collect();
        let data = batch_tensor(&imgs, 48, 192);
        let (shape, out) = run(&mut self.session, [imgs.len(), 3, 48, 192], data)?;
        if shape.len() != 2 || shape[1] != 2 {
            return Err(OcrError::Run(format!("cls output of shape {shape:?}")));
        }
        Ok(out.chunks(2).map(|p| p[1]).collect())
    }
}

/// One recognised line crop.
#[derive(Debug, Clone, PartialEq)]
pub struct RecText {
    /// Characters with their confidence and centre x in crop pixels.
    pub chars: Vec<(char, f32, f32)>,
}

impl RecText {
    pub fn text(&self) -> String {
        self.chars.iter().map(|c| c.0).collect()
    }
    pub fn confidence(&self) -> f32 {
        if self.chars.is_empty() {
            0.0
        } else {
            self.chars.iter().map(|c| c.1).sum::<f32>() / self.chars.len() as f32
        }
    }
}

/// Line recogniser (`rec.onnx`), CTC over the dictionary in the model's metadata.
pub struct Rec {
    session: Session,
    /// Index 0 is the CTC blank.
    chars: Vec<char>,
    pub batch: usize,
}

pub const REC_HEIGHT: u32 = 48;
/// Widest crop fed in one piece (longer lines are split by the caller).
pub const REC_MAX_WIDTH: u32 = 1600;

impl Rec {
    pub fn load(third_party: &Path) -> Result<Self, OcrError> {
        Self::load_model(third_party, REC_MODEL)
    }

    /// A recogniser from `model` (a path under `third_party/`).
    pub fn load_model(third_party: &Path, model: &str) -> Result<Self, OcrError> {
        let session = session(third_party, model)?;
        let dict = session
            .metadata()
            .ok()
            .and_then(|m| m.custom("character"))
            .ok_or_else(|| {
                OcrError::Setup(format!(
                    "{}: no `character` dictionary in the model metadata",
                    third_party.join(model).display()
                ))
            })?;
        let mut chars = vec!['\0'];
        for line in dict.split('\n') {
            let mut cs = line.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => chars.push(c),
                (None, _) => {}
                _ => {
                    return Err(OcrError::Setup(format!(
                        "rec dictionary entry {line:?} is not one character"
                    )))
                }
            }
        }
        chars.push(' ');
        Ok(Rec {
            session,
            chars,
            batch: 8,
        })
    }

    /// Whether the dictionary holds `c`.
    pub fn can_read(&self, c: char) -> bool {
        c != '\0' && self.chars.contains(&c)
    }

    /// Recognises line crops (any height; scaled to 48 px).
    pub fn recognize(&mut self, crops: &[GrayImage]) -> Result<Vec<RecText>, OcrError> {
        let imgs: Vec<GrayImage> = crops
            .iter()
            .map(|c| resize_to_height(c, REC_HEIGHT, 16, REC_MAX_WIDTH))
            .collect();
        let mut order: Vec<usize> = (0..imgs.len()).collect();
        order.sort_by_key(|&i| imgs[i].width());
        let mut out = vec![RecText { chars: Vec::new() }; imgs.len()];
        for chunk in order.chunks(self.batch.max(1)) {
            let batch: Vec<GrayImage> = chunk.iter().map(|&i| imgs[i].clone()).collect();
            let width = batch
                .iter()
                .map(|b| b.width())
                .max()
                .unwrap_or(16)
                .div_ceil(8)
                * 8;
            let data = batch_tensor(&batch, REC_HEIGHT, width);
            let (shape, probs) = run(
                &mut self.session,
                [batch.len(), 3, REC_HEIGHT as usize, width as usize],
                data,
            )?;
            if shape.len() != 3 || shape[0] != batch.len() || shape[2] != self.chars.len() {
                return Err(OcrError::Run(format!(
                    "rec output of shape {shape:?} (dictionary has {} classes)",
                    self.chars.len()
                )));
            }
            let (t_len, classes) = (shape[1], shape[2]);
            let step = width as f32 / t_len as f32;
            for (k, &i) in chunk.iter().enumerate() {
                let back = crops[i].width() as f32 / imgs[i].width() as f32;
                let mut chars = Vec::new();
                let mut prev = 0usize;
                for t in 0..t_len {
                    let row = &probs[(k * t_len + t) * classes..][..classes];
                    let (best, p) = row.iter().enumerate().fold((0, f32::MIN), |b, (j, &v)| {
                        if v > b.1 {
                            (j, v)
                        } else {
                            b
                        }
                    });
                    if best != 0 && best != prev {
                        chars.push((self.chars[best], p, (t as f32 + 0.5) * step * back));
                    }
                    prev = best;
                }
                out[i] = RecText { chars };
            }
        }
        Ok(out)
    }
}
