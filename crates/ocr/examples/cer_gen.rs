//! CER and speed of an engine on generated scanned pages, against their truth.
//!
//! `cargo run --release -p anjuan-ocr --example cer_gen -- [--engine tesseract] [--seed 7]
//!  [--dossiers 4] [--first 0] [--max-pages 30] [--profile small|full] [--dpi 200|300] [--det-side N] [--turn 90|180|270] [--show] [--save DIR | --save-only DIR]`
//!
//! `--save DIR` also writes each page's JPEG and truth text there.
//!
//! Pages are rendered in memory by anjuan-gen (the JPEG each PDF page holds),
//! read with `read_page` (orientation, deskew, OCR) and compared with the
//! page's full text (printed + handwritten), whitespace ignored, as `anjuan eval`
//! does. Prints one row per page and totals by DPI and rotation.

use anjuan_eval::cer::page_edits;
use anjuan_gen::{KindChoice, Profile, Spec};
use anjuan_ocr::{create_engine, read_page, EngineKind, OcrEngine, PpOcrEngine, PpParams};
use std::collections::BTreeMap;
use std::time::Instant;

/// CPU seconds this process has used (user + system, all threads).
fn cpu() -> f64 {
    anjuan_ocr::process_cpu_seconds().unwrap_or(0.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut kind = EngineKind::PpOcr;
    let (mut seed, mut dossiers, mut first, mut max_pages) = (7u64, 4u64, 0u64, usize::MAX);
    let mut profile = Profile::Small;
    let mut show = false;
    let mut turn: u16 = 0;
    let mut det_side: Option<u32> = None;
    let mut dpi: Option<u32> = None;
    let mut save: Option<std::path::PathBuf> = None;
    let mut save_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--engine" => kind = val()?.parse()?,
            "--seed" => seed = val()?.parse()?,
            "--dossiers" => dossiers = val()?.parse()?,
            "--first" => first = val()?.parse()?,
            "--max-pages" => max_pages = val()?.parse()?,
            "--profile" => {
                profile = match val()?.as_str() {
                    "full" => Profile::Full,
                    _ => Profile::Small,
                }
            }
            "--show" => show = true,
            "--turn" => turn = val()?.parse()?,
            "--det-side" => det_side = Some(val()?.parse()?),
            "--dpi" => dpi = Some(val()?.parse()?),
            "--save" => save = Some(val()?.into()),
            "--save-only" => {
                save = Some(val()?.into());
                save_only = true;
            }
            _ => return Err(format!("unknown argument {a}").into()),
        }
    }
    let tp = anjuan_core::paths::require_third_party()?;
    let mut engine: Box<dyn OcrEngine> = match (kind, det_side) {
        (EngineKind::PpOcr, Some(side)) => {
            let mut params = PpParams::default();
            params.det.max_side = side;
            Box::new(PpOcrEngine::new(&tp, params)?)
        }
        _ => create_engine(kind, &tp)?,
    };
    let renderer = anjuan_paper::Renderer::new()?;
    let mut totals: BTreeMap<(u32, bool), Tally> = BTreeMap::new();
    let mut done = 0usize;
    'outer: for index in first..first + dossiers {
        let spec = Spec {
            seed,
            index,
            kind: KindChoice::Mixed,
            profile,
            dpi,
            forced: None,
        };
        let plan = anjuan_gen::dossier::plan(&spec, &renderer);
        let (pages, truths) = anjuan_gen::dossier::render(&plan, &renderer);
        for (page, truth) in pages.iter().zip(&truths) {
            if done >= max_pages {
                break 'outer;
            }
            done += 1;
            if let Some(dir) = &save {
                std::fs::create_dir_all(dir)?;
                let name = format!(
                    "{}-p{:03}-{}dpi-r{}",
                    plan.id, truth.page, truth.dpi, truth.rotation
                );
                std::fs::write(dir.join(format!("{name}.jpg")), &page.jpeg)?;
                std::fs::write(dir.join(format!("{name}.txt")), truth.full_text())?;
                if save_only {
                    continue;
                }
            }
            let img = image::load_from_memory(&page.jpeg)?;
            // Turn the scan further clockwise, to test orientation on any page.
            let img = match turn {
                90 => img.rotate90(),
                180 => img.rotate180(),
                270 => img.rotate270(),
                _ => img,
            };
            let expected = (truth.rotation + turn) % 360;
            let (t, c) = (Instant::now(), cpu());
            let read = read_page(engine.as_mut(), &img)?;
            let wall_ms = t.elapsed().as_secs_f64() * 1e3;
            let ms = (cpu() - c) * 1e3;
            let hyp = read.text.text();
            let (edits, chars) = page_edits(&truth.full_text(), &hyp);
            let wrong = read.rotation != expected;
            println!(
                "{} p{:<3} {:>3} dpi rot {:>3}/{:<3} skew {:>5.2} {:>5} chars CER {:>5.1}% {:>6.0} ms cpu {:>6.0} ms wall {}{}",
                plan.id,
                truth.page,
                truth.dpi,
                expected,
                read.rotation,
                read.skew_deg,
                chars,
                100.0 * edits as f64 / chars.max(1) as f64,
                ms,
                wall_ms,
                truth.doc_type,
                if wrong { "  WRONG ROTATION" } else { "" }
            );
            if show {
                println!("--- truth\n{}--- ocr\n{}---", truth.full_text(), hyp);
            }
            let e = totals.entry((truth.dpi, expected != 0)).or_default();
            e.add(edits, chars, ms, wrong);
        }
    }
    println!("engine {} ({})", engine.name(), kind);
    let mut all = Tally::default();
    for ((dpi, rotated), t) in &totals {
        let what = if *rotated { "rotated" } else { "upright" };
        println!("{dpi} dpi {what:8}: {t}");
        all.edits += t.edits;
        all.chars += t.chars;
        all.ms += t.ms;
        all.pages += t.pages;
        all.wrong += t.wrong;
    }
    println!("all         : {all}");
    Ok(())
}

/// Totals of a group of pages.
#[derive(Default)]
struct Tally {
    edits: u64,
    chars: u64,
    ms: f64,
    pages: u32,
    wrong: u32,
}

impl Tally {
    fn add(&mut self, edits: u64, chars: u64, ms: f64, wrong: bool) {
        self.edits += edits;
        self.chars += chars;
        self.ms += ms;
        self.pages += 1;
        self.wrong += u32::from(wrong);
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:3} pages, CER {:5.2}%, {:6.0} ms cpu/page, {} wrong rotations",
            self.pages,
            100.0 * self.edits as f64 / self.chars.max(1) as f64,
            self.ms / self.pages.max(1) as f64,
            self.wrong
        )
    }
}
