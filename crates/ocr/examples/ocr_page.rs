//! Reads page images and prints lines, confidences and time per stage.
//!
//! `cargo run --release -p anjuan-ocr --example ocr_page -- page.png [more.png …] [--engine tesseract] [--quiet]`

use anjuan_ocr::{create_engine, EngineKind};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut kind = EngineKind::PpOcr;
    let mut quiet = false;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--engine" => kind = args.next().ok_or("--engine needs a value")?.parse()?,
            "--quiet" => quiet = true,
            _ => files.push(a),
        }
    }
    if files.is_empty() {
        return Err("usage: ocr_page PAGE.png… [--engine ppocr|tesseract] [--quiet]".into());
    }
    let tp = anjuan_core::paths::require_third_party()?;
    let t = Instant::now();
    let mut engine = create_engine(kind, &tp)?;
    eprintln!("{} loaded in {} ms", engine.name(), t.elapsed().as_millis());
    let mut total = 0.0;
    for f in &files {
        let t0 = Instant::now();
        let img = image::open(f).map_err(|e| format!("{f}: {e}"))?;
        let gray = img.to_luma8();
        let t1 = Instant::now();
        let o = engine.orienter().orient(&gray)?;
        let t2 = Instant::now();
        let upright = o.apply(gray);
        let t3 = Instant::now();
        let text = engine.recognize(&upright)?;
        let t4 = Instant::now();
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1000.0;
        total += ms(t1, t4);
        if !quiet {
            for l in &text.lines {
                println!("{:.2} {:?} {}", l.confidence, l.bbox, l.text);
            }
        }
        eprintln!(
            "{f}: {}x{} rotation {} skew {:.2}° | {} lines, conf {:.3} | load {:.0} ms, orient {:.0} ms, deskew {:.0} ms, ocr {:.0} ms",
            upright.width(),
            upright.height(),
            o.rotation,
            o.skew_deg,
            text.lines.len(),
            text.mean_confidence(),
            ms(t0, t1),
            ms(t1, t2),
            ms(t2, t3),
            ms(t3, t4)
        );
    }
    eprintln!(
        "mean {:.0} ms/page (orient+deskew+ocr)",
        total / files.len() as f64
    );
    Ok(())
}
