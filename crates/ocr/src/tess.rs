//! The Tesseract engine: chi_sim LSTM through libtesseract's C API.
//!
//! Needs `OMP_THREAD_LIMIT=1` in the environment before the process starts
//! (OpenMP reads it once at load time); without it each recognition spawns
//! threads on every core and, with one engine per worker, runs ~4× slower.

use crate::layout::{clean_spaces, reading_order};
use crate::orient::Orienter;
use crate::{models_key, OcrEngine, OcrError, OcrLine, OcrWord, PageText};
use image::GrayImage;
use std::ffi::{CStr, CString};
use std::path::Path;
use tesseract_sys as ts;

/// Owns a `TessBaseAPI` handle.
struct Api(*mut ts::TessBaseAPI);

// A TessBaseAPI may move between threads; it is never shared (no Sync).
unsafe impl Send for Api {}

impl Drop for Api {
    fn drop(&mut self) {
        unsafe { ts::TessBaseAPIDelete(self.0) }
    }
}

pub struct TesseractEngine {
    api: Api,
    orienter: Orienter,
    version: String,
    models: String,
    /// Pages whose mean confidence is below this are read again after a 3×3 median filter.
    pub median_retry_below: f32,
}

const LANG: &str = "chi_sim";

/// Tesseract variables set on every engine: quiet stderr; no second pass over
/// inverted text (none on these pages; it costs time).
const VARIABLES: [(&str, &str); 2] = [("debug_file", "/dev/null"), ("tessedit_do_invert", "0")];

impl TesseractEngine {
    pub fn new(third_party: &Path) -> Result<Self, OcrError> {
        let handle = unsafe { ts::TessBaseAPICreate() };
        if handle.is_null() {
            return Err(OcrError::Setup("TessBaseAPICreate failed".into()));
        }
        let api = Api(handle);
        let lang = CString::new(LANG).expect("no NUL");
        if unsafe { ts::TessBaseAPIInit3(api.0, std::ptr::null(), lang.as_ptr()) } != 0 {
            return Err(OcrError::Setup(format!(
                "tesseract could not load language {LANG} (apt-get install tesseract-ocr-chi-sim, or run `bash scripts/setup.sh`)"
            )));
        }
        for (k, v) in VARIABLES {
            let (k, v) = (
                CString::new(k).expect("no NUL"),
                CString::new(v).expect("no NUL"),
            );
            if unsafe { ts::TessBaseAPISetVariable(api.0, k.as_ptr(), v.as_ptr()) } == 0 {
                return Err(OcrError::Setup(format!(
                    "tesseract rejected variable {k:?}"
                )));
            }
        }
        unsafe { ts::TessBaseAPISetPageSegMode(api.0, ts::TessPageSegMode_PSM_AUTO) };
        let version = unsafe { CStr::from_ptr(ts::TessVersion()) }
            .to_string_lossy()
            .into_owned();
        Ok(TesseractEngine {
            api,
            orienter: Orienter::load(third_party)?,
            version,
            models: models_key(third_party),
            median_retry_below: 0.75,
        })
    }

    fn read(&mut self, image: &GrayImage) -> Result<PageText, OcrError> {
        let (w, h) = image.dimensions();
        let api = self.api.0;
        unsafe {
            ts::TessBaseAPISetImage(
                api,
                image.as_raw().as_ptr(),
                w as i32,
                h as i32,
                1,
                w as i32,
            );
            ts::TessBaseAPISetSourceResolution(api, 300);
            if ts::TessBaseAPIRecognize(api, std::ptr::null_mut()) != 0 {
                return Err(OcrError::Run("tesseract recognition failed".into()));
            }
        }
        let mut lines: Vec<OcrLine> = Vec::new();
        unsafe {
            let it = ts::TessBaseAPIGetIterator(api);
            if !it.is_null() {
                let pit = ts::TessResultIteratorGetPageIteratorConst(it);
                loop {
                    let bbox = |level| {
                        let (mut l, mut t, mut r, mut b) = (0, 0, 0, 0);
                        ts::TessPageIteratorBoundingBox(pit, level, &mut l, &mut t, &mut r, &mut b);
                        [
                            l.max(0) as u32,
                            t.max(0) as u32,
                            r.max(0) as u32,
                            b.max(0) as u32,
                        ]
                    };
                    if lines.is_empty()
                        || ts::TessPageIteratorIsAtBeginningOf(
                            pit,
                            ts::TessPageIteratorLevel_RIL_TEXTLINE,
                        ) != 0
                    {
                        lines.push(OcrLine {
                            text: String::new(),
                            bbox: bbox(ts::TessPageIteratorLevel_RIL_TEXTLINE),
                            confidence: 0.0,
                            words: Vec::new(),
                        });
                    }
                    let raw =
                        ts::TessResultIteratorGetUTF8Text(it, ts::TessPageIteratorLevel_RIL_WORD);
                    if !raw.is_null() {
                        let text = CStr::from_ptr(raw).to_string_lossy().trim().to_string();
                        ts::TessDeleteText(raw);
                        if !text.is_empty() {
                            let conf = ts::TessResultIteratorConfidence(
                                it,
                                ts::TessPageIteratorLevel_RIL_WORD,
                            ) / 100.0;
                            let line = lines.last_mut().expect("pushed above");
                            line.words.push(OcrWord {
                                text,
                                bbox: bbox(ts::TessPageIteratorLevel_RIL_WORD),
                                confidence: conf.clamp(0.0, 1.0),
                            });
                        }
                    }
                    if ts::TessResultIteratorNext(it, ts::TessPageIteratorLevel_RIL_WORD) == 0 {
                        break;
                    }
                }
                ts::TessResultIteratorDelete(it);
            }
            ts::TessBaseAPIClear(api);
        }
        let lines = lines
            .into_iter()
            .filter_map(|mut l| {
                let joined: Vec<&str> = l.words.iter().map(|w| w.text.as_str()).collect();
                l.text = clean_spaces(&joined.join(" "));
                let (sum, n) = l.words.iter().fold((0.0, 0usize), |(s, n), w| {
                    let c = w.text.chars().count();
                    (s + w.confidence * c as f32, n + c)
                });
                l.confidence = if n == 0 { 0.0 } else { sum / n as f32 };
                (!l.text.is_empty()).then_some(l)
            })
            .collect();
        Ok(PageText {
            lines: reading_order(lines),
            width: w,
            height: h,
        })
    }
}

impl OcrEngine for TesseractEngine {
    fn name(&self) -> String {
        let v: String = self
            .version
            .split('.')
            .take(2)
            .collect::<Vec<_>>()
            .join(".");
        format!("tesseract-{v}/{LANG}")
    }

    fn config_key(&self) -> String {
        format!(
            "tesseract-{}/{LANG} psm3 median<{} {} {}",
            self.version,
            self.median_retry_below,
            self.models,
            self.orienter.config_key()
        )
    }

    fn orienter(&mut self) -> &mut Orienter {
        &mut self.orienter
    }

    fn recognize(&mut self, image: &GrayImage) -> Result<PageText, OcrError> {
        let first = self.read(image)?;
        if first.lines.is_empty() || first.mean_confidence() >= self.median_retry_below {
            return Ok(first);
        }
        let filtered = imageproc::filter::median_filter(image, 1, 1);
        let second = self.read(&filtered)?;
        Ok(if second.mean_confidence() > first.mean_confidence() {
            second
        } else {
            first
        })
    }
}
