//! CER and speed of an engine on generated scanned pages, against their truth.
//!
//! `cargo run --release -p anjuan-ocr --example cer_gen -- [--engine tesseract] [--seed 7]
//!  [--dossiers 4] [--first 0] [--max-pages 30] [--profile small|full] [--dpi 200|300] [--show] [--save DIR | --save-only DIR]`
//!
//! `--save DIR` also writes each page's JPEG and truth text there.
//!
//! Pages are rendered in memory by anjuan-gen (the JPEG each PDF page holds),
//! read with `read_page` (orientation, deskew, OCR) and compared with the
//! page's full text (printed + handwritten), whitespace ignored, as `anjuan eval`
//! does. Prints one row per page and totals by DPI and rotation.

use anjuan_eval::cer::page_edits;
use anjuan_gen::{KindChoice, Profile, Spec};
use anjuan_ocr::{create_engine, read_page, EngineKind};
use std::collections::BTreeMap;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut kind = EngineKind::PpOcr;
    let (mut seed, mut dossiers, mut first, mut max_pages) = (7u64, 4u64, 0u64, usize::MAX);
    let mut profile = Profile::Small;
    let mut show = false;
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
    let mut engine = create_engine(kind, &tp)?;
    let renderer = anjuan_paper::Renderer::new()?;
    // (dpi, rotated) -> (edits, chars, ms, pages, wrong rotations)
    let mut totals: BTreeMap<(u32, bool), (u64, u64, f64, u32, u32)> = BTreeMap::new();
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
            let t = Instant::now();
            let read = read_page(engine.as_mut(), &img)?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            let hyp = read.text.text();
            let (edits, chars) = page_edits(&truth.full_text(), &hyp);
            let wrong = read.rotation != truth.rotation;
            println!(
                "{} p{:<3} {:>3} dpi rot {:>3}/{:<3} skew {:>5.2} {:>5} chars CER {:>5.1}% {:>6.0} ms {}{}",
                plan.id,
                truth.page,
                truth.dpi,
                truth.rotation,
                read.rotation,
                read.skew_deg,
                chars,
                100.0 * edits as f64 / chars.max(1) as f64,
                ms,
                truth.doc_type,
                if wrong { "  WRONG ROTATION" } else { "" }
            );
            if show {
                println!("--- truth\n{}--- ocr\n{}---", truth.full_text(), hyp);
            }
            let e = totals.entry((truth.dpi, truth.rotation != 0)).or_default();
            *e = (
                e.0 + edits,
                e.1 + chars,
                e.2 + ms,
                e.3 + 1,
                e.4 + wrong as u32,
            );
        }
    }
    println!("engine {} ({})", engine.name(), kind);
    let mut all = (0u64, 0u64, 0f64, 0u32, 0u32);
    for ((dpi, rotated), (e, c, ms, n, w)) in &totals {
        println!(
            "{dpi} dpi {:8}: {n:3} pages, CER {:5.2}%, {:6.0} ms/page, {w} wrong rotations",
            if *rotated { "rotated" } else { "upright" },
            100.0 * *e as f64 / (*c).max(1) as f64,
            ms / *n as f64
        );
        all = (all.0 + e, all.1 + c, all.2 + ms, all.3 + n, all.4 + w);
    }
    println!(
        "all         : {:3} pages, CER {:5.2}%, {:6.0} ms/page, {} wrong rotations",
        all.3,
        100.0 * all.0 as f64 / all.1.max(1) as f64,
        all.2 / all.3.max(1) as f64,
        all.4
    );
    Ok(())
}
