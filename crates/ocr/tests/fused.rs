//! The fused models (`scripts/ppocr_fuse.py`) compute what the shipped PP-OCR
//! models compute, on a real scanned page: same boxes, same text, same confidences
//! up to float rounding.
//!
//! Needs `third_party/` (run `bash scripts/setup.sh`).

use anjuan_ocr::onnx::{self, Cls, Det, DetParams, Rec};
use anjuan_ocr::orient::crop;
use image::GrayImage;
use std::path::{Path, PathBuf};

fn third_party() -> PathBuf {
    anjuan_core::paths::third_party_dir()
        .expect("third_party/ not found: run `bash scripts/setup.sh` (or set ANJUAN_THIRD_PARTY)")
}

/// A generated 200 DPI scan (form, handwriting, seal), turned upright.
fn page() -> GrayImage {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/gen_r90.jpg");
    image::open(&p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .rotate270()
        .to_luma8()
}

#[test]
fn fused_models_read_as_the_shipped_ones() {
    let tp = third_party();
    let img = page();
    let params = DetParams::default();
    let mut det = Det::load(&tp).unwrap();
    let mut det0 = Det::load_model(&tp, onnx::DET_MODEL_SHIPPED).unwrap();
    let boxes = det.detect(&img, &params).unwrap();
    let boxes0 = det0.detect(&img, &params).unwrap();
    assert!(boxes.len() >= 20, "{} boxes", boxes.len());
    assert_eq!(boxes.len(), boxes0.len());
    for (b, b0) in boxes.iter().zip(&boxes0) {
        let moved = [b.x0 - b0.x0, b.y0 - b0.y0, b.x1 - b0.x1, b.y1 - b0.y1];
        assert!(moved.iter().all(|d| d.abs() < 0.5), "{b:?} vs {b0:?}");
        assert!((b.score - b0.score).abs() < 1e-3);
    }

    let crops: Vec<GrayImage> = boxes
        .iter()
        .map(|b| crop(&img, b.x0, b.y0, b.x1, b.y1))
        .collect();
    let mut rec = Rec::load(&tp).unwrap();
    let mut rec0 = Rec::load_model(&tp, onnx::REC_MODEL_SHIPPED).unwrap();
    let texts = rec.recognize(&crops).unwrap();
    let texts0 = rec0.recognize(&crops).unwrap();
    let chars: usize = texts.iter().map(|t| t.chars.len()).sum();
    assert!(chars > 200, "{chars} characters read");
    for (t, t0) in texts.iter().zip(&texts0) {
        assert_eq!(t.text(), t0.text());
        for (c, c0) in t.chars.iter().zip(&t0.chars) {
            assert!((c.1 - c0.1).abs() < 1e-3, "{:?}: {} vs {}", c.0, c.1, c0.1);
        }
    }

    let mut cls = Cls::load(&tp).unwrap();
    let mut cls0 = Cls::load_model(&tp, onnx::CLS_MODEL_SHIPPED).unwrap();
    let some = &crops[..crops.len().min(12)];
    for (p, p0) in cls
        .upside_down(some)
        .unwrap()
        .iter()
        .zip(&cls0.upside_down(some).unwrap())
    {
        assert!((p - p0).abs() < 1e-3, "{p} vs {p0}");
    }
}
