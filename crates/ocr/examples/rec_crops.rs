//! Writes the line crops the PP-OCR engine recognises on page images, scaled to
//! the recogniser's 48 px height, as PNGs: calibration data for a quantized
//! recogniser (see the speed notes in lib.rs), or material to look at.
//!
//! `cargo run --release -p anjuan-ocr --example rec_crops -- OUT_DIR PAGE.jpg...`

use anjuan_ocr::onnx::{Det, DetParams, REC_HEIGHT, REC_MAX_WIDTH};
use anjuan_ocr::orient::{crop, Orienter};
use anjuan_ocr::{resample, PpParams};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: rec_crops OUT_DIR PAGE...")?);
    let pages: Vec<String> = args.collect();
    std::fs::create_dir_all(&out)?;
    let tp = anjuan_core::paths::require_third_party()?;
    let mut orienter = Orienter::load(&tp)?;
    let mut det = Det::load(&tp)?;
    let params = PpParams::default();
    let mut n = 0usize;
    for (k, page) in pages.iter().enumerate() {
        let gray = image::open(page)
            .map_err(|e| format!("{page}: {e}"))?
            .to_luma8();
        let upright = orienter.orient(&gray)?.apply(gray);
        let (w, h) = (upright.width() as f32, upright.height() as f32);
        for b in det.detect(&upright, &DetParams::default())? {
            let (px, py) = (b.height() * params.pad_x, b.height() * params.pad_y);
            let c = crop(
                &upright,
                (b.x0 - px).max(0.0),
                (b.y0 - py).max(0.0),
                (b.x1 + px).min(w),
                (b.y1 + py).min(h),
            );
            let rw =
                ((c.width() * REC_HEIGHT).div_ceil(c.height().max(1))).clamp(16, REC_MAX_WIDTH);
            resample::resize(&c, rw, REC_HEIGHT).save(out.join(format!("p{k:03}-{n:05}.png")))?;
            n += 1;
        }
    }
    eprintln!("{n} crops from {} pages in {}", pages.len(), out.display());
    Ok(())
}
