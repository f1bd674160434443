//! Why archival page numbers are missed: reads generated pages and, for each
//! page whose corner number OCR did not read, prints what the page OCR saw
//! in the top-right corner, what a permissive pass (no confidence floor)
//! saw, and what the corner pass ([`anjuan_ocr::corner`]) reads.
//!
//! `cargo run --release -p anjuan-ocr --example corner_diag -- [--seed 5412] [--dossiers 3] [--first 0] [--corner on|off] [--force missing|gap|repeat] [--cost] [--save DIR]`
//!
//! `--save DIR` writes the upright image of each page missed there. `--force` gives every dossier that page-numbering defect. `--cost` also
//! reads every page's upright image without the corner pass and with it
//! forced, and prints the CPU the pass adds where it runs and per page.
//!
//! Never run it on the reserved evaluation seeds 9000–9999.

use anjuan_gen::defects::Defect;
use anjuan_gen::{KindChoice, Profile, Spec};
use anjuan_ocr::corner::{corner_number, has_number, CornerParams};
use anjuan_ocr::{read_page, OcrEngine, PpOcrEngine, PpParams};

fn cpu() -> f64 {
    anjuan_ocr::process_cpu_seconds().unwrap_or(0.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut seed, mut dossiers, mut first) = (5412u64, 3u64, 0u64);
    let mut corner = true;
    let mut forced: Option<Vec<Defect>> = None;
    let mut cost = false;
    let mut save: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--seed" => seed = val()?.parse()?,
            "--dossiers" => dossiers = val()?.parse()?,
            "--first" => first = val()?.parse()?,
            "--corner" => corner = val()? == "on",
            "--cost" => cost = true,
            "--save" => save = Some(val()?.into()),
            "--force" => {
                forced = Some(vec![match val()?.as_str() {
                    "missing" => Defect::PageNumberMissing,
                    "gap" => Defect::PageNumberGap,
                    _ => Defect::PageNumberRepeat,
                }])
            }
            _ => return Err(format!("unknown argument {a}").into()),
        }
    }
    if (9000..=9999).contains(&seed) {
        return Err("seeds 9000-9999 are reserved for the final evaluation".into());
    }
    let tp = anjuan_core::paths::require_third_party()?;
    let params = PpParams {
        corner: CornerParams {
            enabled: corner,
            ..CornerParams::default()
        },
        ..PpParams::default()
    };
    let window = params.corner.clone();
    let mut engine = PpOcrEngine::new(&tp, params.clone())?;
    let mut loose = PpOcrEngine::new(
        &tp,
        PpParams {
            min_line_conf: 0.0,
            corner: CornerParams {
                enabled: false,
                ..CornerParams::default()
            },
            ..params
        },
    )?;
    let mut forced_pass = PpOcrEngine::new(
        &tp,
        PpParams {
            corner: CornerParams {
                trust_conf: f32::INFINITY,
                ..CornerParams::default()
            },
            ..PpParams::default()
        },
    )?;
    let mut no_pass = PpOcrEngine::new(
        &tp,
        PpParams {
            corner: CornerParams {
                enabled: false,
                ..CornerParams::default()
            },
            ..PpParams::default()
        },
    )?;
    // CPU without the pass, with it on every page; pages where it runs.
    let (mut cpu_off, mut cpu_forced, mut runs) = (0.0, 0.0, 0usize);
    let renderer = anjuan_paper::Renderer::new()?;
    let (mut numbered, mut read_ok, mut wrong, mut false_reads, mut pages) = (0, 0, 0, 0, 0);
    let mut cpu_total = 0.0;
    for index in first..first + dossiers {
        let spec = Spec {
            seed,
            index,
            kind: KindChoice::Mixed,
            profile: Profile::Small,
            dpi: None,
            forced: forced.clone(),
        };
        let plan = anjuan_gen::dossier::plan(&spec, &renderer);
        let (encoded, truths) = anjuan_gen::dossier::render(&plan, &renderer);
        for (page, truth) in encoded.iter().zip(&truths) {
            pages += 1;
            let img = image::load_from_memory(&page.jpeg)?;
            let c0 = cpu();
            let read = read_page(&mut engine, &img)?;
            cpu_total += cpu() - c0;
            let (w, h) = (read.text.width, read.text.height);
            if cost {
                let c0 = cpu();
                let plain = no_pass.recognize(&read.image)?;
                let c1 = cpu();
                forced_pass.recognize(&read.image)?;
                cpu_off += c1 - c0;
                cpu_forced += cpu() - c1;
                runs += usize::from(!has_number(&plain.lines, w, h, &window));
            }
            let got = read
                .text
                .lines
                .iter()
                .filter(|l| window.contains(l.bbox, w, h))
                .find_map(|l| corner_number(&l.text));
            let want = truth.printed_page_number;
            numbered += usize::from(want.is_some());
            match (want, got) {
                (Some(a), Some(b)) if a == b => {
                    read_ok += 1;
                    continue;
                }
                (None, None) => continue,
                (Some(_), Some(_)) => wrong += 1,
                (None, Some(_)) => false_reads += 1,
                (Some(_), None) => {}
            }
            if let Some(dir) = &save {
                std::fs::create_dir_all(dir)?;
                read.image
                    .save(dir.join(format!("{}-p{:03}.png", plan.id, truth.page)))?;
            }
            let tline = truth
                .lines
                .iter()
                .find(|l| want.is_some_and(|n| l.text == n.to_string()));
            println!(
                "{} p{:<3} {}dpi rot {}/{} {} want {:?} got {:?} truth box {:?}",
                plan.id,
                truth.page,
                truth.dpi,
                truth.rotation,
                read.rotation,
                if truth.grayscale { "gray" } else { "colour" },
                want,
                got,
                tline.map(|l| l.bbox)
            );
            for l in read.text.lines.iter().filter(|l| l.bbox[3] < h / 6) {
                println!("    page  {:?} {:.2} {:?}", l.text, l.confidence, l.bbox);
            }
            let loose_read = loose.recognize(&read.image)?;
            for l in loose_read.lines.iter().filter(|l| l.bbox[3] < h / 6) {
                println!("    loose {:?} {:.2} {:?}", l.text, l.confidence, l.bbox);
            }
        }
    }
    println!(
        "{pages} pages, {numbered} numbered: {read_ok} read right ({:.1} %), {wrong} misread, {false_reads} read where none; {:.0} ms CPU/page",
        100.0 * read_ok as f64 / numbered.max(1) as f64,
        1e3 * cpu_total / pages.max(1) as f64
    );
    if cost {
        let per_run = (cpu_forced - cpu_off) / pages.max(1) as f64;
        println!(
            "corner pass: {:.0} ms CPU where it runs ({:.0} vs {:.0} ms/page recognition), runs on {runs}/{pages} pages: {:.1} ms/page added",
            1e3 * per_run,
            1e3 * cpu_forced / pages.max(1) as f64,
            1e3 * cpu_off / pages.max(1) as f64,
            1e3 * per_run * runs as f64 / pages.max(1) as f64
        );
    }
    Ok(())
}
