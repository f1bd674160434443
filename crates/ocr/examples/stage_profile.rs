//! Where a page's CPU time goes: orientation (as a whole and its detection),
//! deskew, detection and recognition, over page images given on the command line.
//!
//! `cargo run --release -p anjuan-ocr --example stage_profile -- PAGE.jpg...`

use anjuan_ocr::onnx::{Det, DetParams, Rec};
use anjuan_ocr::orient::crop;
use anjuan_ocr::{OcrEngine, PpOcrEngine, PpParams};
use image::imageops::{self, FilterType};
use std::collections::BTreeMap;

/// CPU seconds this process has used (user + system, all threads).
fn cpu() -> f64 {
    anjuan_ocr::process_cpu_seconds().unwrap_or(0.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files: Vec<String> = std::env::args().skip(1).collect();
    let tp = anjuan_core::paths::require_third_party()?;
    let mut engine = PpOcrEngine::new(&tp, PpParams::default())?;
    let mut det = Det::load(&tp)?;
    let mut rec = Rec::load(&tp)?;
    rec.batch = 1;
    let mut total: BTreeMap<&str, f64> = BTreeMap::new();
    for f in &files {
        let mut lap = cpu();
        let mut mark = |name: &'static str, total: &mut BTreeMap<&str, f64>| {
            let now = cpu();
            *total.entry(name).or_default() += now - lap;
            lap = now;
        };
        let img = image::open(f)?;
        mark("0 decode", &mut total);
        let gray = img.to_luma8();
        mark("1 to_luma", &mut total);
        let (w, h) = gray.dimensions();
        let s = 768.0 / w.max(h) as f32;
        let small = imageops::resize(
            &gray,
            (w as f32 * s) as u32,
            (h as f32 * s) as u32,
            FilterType::Triangle,
        );
        mark("2a orient resize", &mut total);
        det.detect(
            &small,
            &DetParams {
                max_side: 768,
                ..DetParams::default()
            },
        )?;
        mark("2b orient det768", &mut total);
        let o = engine.orienter().orient(&gray)?;
        mark("3 orient (all)", &mut total);
        let up = o.apply(gray);
        mark("4 apply (turn+deskew)", &mut total);
        let boxes = det.detect(&up, &DetParams::default())?;
        mark("5 det1280", &mut total);
        let crops: Vec<_> = boxes
            .iter()
            .map(|b| crop(&up, b.x0, b.y0, b.x1, b.y1))
            .collect();
        let texts = rec.recognize(&crops)?;
        mark("5b rec (unpadded)", &mut total);
        let widths: Vec<u32> = crops
            .iter()
            .map(|c| c.width() * 48 / c.height().max(1))
            .collect();
        let low: Vec<usize> = (0..texts.len())
            .filter(|&i| texts[i].confidence() < 0.5)
            .collect();
        println!(
            "{f}: {} boxes, rec width sum {}, {} below 0.5 conf (width {}), heights {:?}",
            boxes.len(),
            widths.iter().sum::<u32>(),
            low.len(),
            low.iter().map(|&i| widths[i]).sum::<u32>(),
            low.iter()
                .map(|&i| (crops[i].width(), crops[i].height(), texts[i].text()))
                .collect::<Vec<_>>()
        );
        engine.recognize(&up)?;
        mark("6 recognize (det+rec)", &mut total);
    }
    let n = files.len().max(1) as f64;
    for (k, v) in &total {
        println!("{k:24} {:7.0} ms cpu/page", v / n * 1e3);
    }
    Ok(())
}
