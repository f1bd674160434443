//! Times detection and recognition separately (batch sizes, det side) on one page.
//!
//! `cargo run --release -p anjuan-ocr --example stage_bench -- page.png`

use anjuan_ocr::onnx::{Det, DetParams, Rec};
use anjuan_ocr::orient::crop;
use std::time::Instant;

/// CPU seconds this process has used (user + system, all threads).
fn cpu() -> f64 {
    anjuan_ocr::process_cpu_seconds().unwrap_or(0.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let f = std::env::args()
        .nth(1)
        .ok_or("usage: stage_bench PAGE.png")?;
    let img = image::open(&f)?.to_luma8();
    let tp = anjuan_core::paths::require_third_party()?;
    let mut det = Det::load(&tp)?;
    let mut rec = Rec::load(&tp)?;
    for side in [960u32, 1280, 1600, 1920, 2560] {
        let p = DetParams {
            max_side: side,
            ..DetParams::default()
        };
        det.detect(&img, &p)?;
        let (t, c) = (Instant::now(), cpu());
        let boxes = det.detect(&img, &p)?;
        eprintln!(
            "det max_side {side}: {} boxes, {:.0} ms wall, {:.0} ms cpu",
            boxes.len(),
            t.elapsed().as_secs_f64() * 1e3,
            (cpu() - c) * 1e3
        );
    }
    let boxes = det.detect(&img, &DetParams::default())?;
    let crops: Vec<_> = boxes
        .iter()
        .map(|b| crop(&img, b.x0, b.y0, b.x1, b.y1))
        .collect();
    for batch in [1usize, 2, 4, 8, 16] {
        rec.batch = batch;
        let (t, c) = (Instant::now(), cpu());
        rec.recognize(&crops)?;
        eprintln!(
            "rec batch {batch}: {} crops, {:.0} ms wall, {:.0} ms cpu",
            crops.len(),
            t.elapsed().as_secs_f64() * 1e3,
            (cpu() - c) * 1e3
        );
    }
    Ok(())
}
