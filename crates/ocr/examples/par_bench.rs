//! Throughput, CPU per page, peak RSS and CER of the default engine with N
//! worker threads (one engine each, as the scan pipeline runs them), over page
//! images saved by `cer_gen --save-only DIR` (`<name>-r<rotation>.jpg` with the
//! page's truth in `<name>-r<rotation>.txt`).
//!
//! `cargo run --release -p anjuan-ocr --example par_bench -- [--jobs 2] [--turn 90|180|270] [--det-side N] DIR`

use anjuan_eval::cer::page_edits;
use anjuan_ocr::{read_page, OcrEngine, PpOcrEngine, PpParams};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// CPU seconds this process has used (user + system, all threads).
fn cpu() -> f64 {
    anjuan_ocr::process_cpu_seconds().unwrap_or(0.0)
}

/// Peak resident set size of this process in MB (VmHWM).
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[derive(Default)]
struct Tally {
    pages: usize,
    edits: u64,
    chars: u64,
    wrong: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut jobs, mut turn, mut det_side, mut dir) = (2usize, 0u16, None::<u32>, None);
    let mut pad_y: Option<f32> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--jobs" => jobs = val()?.parse()?,
            "--turn" => turn = val()?.parse()?,
            "--det-side" => det_side = Some(val()?.parse()?),
            "--pad-y" => pad_y = Some(val()?.parse()?),
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let dir = dir.ok_or("usage: par_bench [--jobs N] [--turn D] DIR")?;
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .collect();
    pages.sort();
    let tp = anjuan_core::paths::require_third_party()?;
    let next = AtomicUsize::new(0);
    let tallies = Mutex::new([Tally::default(), Tally::default()]);
    let (t0, c0) = (Instant::now(), cpu());
    std::thread::scope(|s| -> Result<(), String> {
        let workers: Vec<_> = (0..jobs)
            .map(|_| {
                s.spawn(|| -> Result<(), String> {
                    let mut params = PpParams::default();
                    if let Some(p) = pad_y {
                        params.pad_y = p;
                    }
                    if let Some(side) = det_side {
                        params.det.max_side = side;
                    }
                    let mut engine = PpOcrEngine::new(&tp, params).map_err(|e| e.to_string())?;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = pages.get(i) else {
                            return Ok(());
                        };
                        let img =
                            image::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
                        let img = match turn {
                            90 => img.rotate90(),
                            180 => img.rotate180(),
                            270 => img.rotate270(),
                            _ => img,
                        };
                        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
                        let scanned: u16 = stem
                            .rsplit_once("-r")
                            .and_then(|(_, r)| r.parse().ok())
                            .unwrap_or(0);
                        let expected = (scanned + turn) % 360;
                        let read = read_page(&mut engine as &mut dyn OcrEngine, &img)
                            .map_err(|e| format!("{}: {e}", path.display()))?;
                        let truth = std::fs::read_to_string(path.with_extension("txt"))
                            .map_err(|e| format!("{}: {e}", path.display()))?;
                        let (edits, chars) = page_edits(&truth, &read.text.text());
                        println!(
                            "{stem} CER {:.2}% ({edits}/{chars}) rot {}",
                            100.0 * edits as f64 / chars.max(1) as f64,
                            read.rotation
                        );
                        let mut t = tallies.lock().unwrap();
                        let t = &mut t[usize::from(expected != 0)];
                        t.pages += 1;
                        t.edits += edits;
                        t.chars += chars;
                        t.wrong += usize::from(read.rotation != expected);
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().map_err(|_| "worker panicked".to_string())??;
        }
        Ok(())
    })?;
    let (wall, cpu_s) = (t0.elapsed().as_secs_f64(), cpu() - c0);
    let n = pages.len().max(1) as f64;
    println!(
        "{} pages, {jobs} jobs: {wall:.1} s wall, {:.2} pages/s, {:.2} s cpu/page, peak RSS {:.0} MB",
        pages.len(),
        n / wall,
        cpu_s / n,
        peak_rss_mb()
    );
    for (name, t) in ["upright", "rotated"]
        .iter()
        .zip(tallies.lock().unwrap().iter())
    {
        if t.pages > 0 {
            println!(
                "{name:8} {:4} pages CER {:5.2}% ({} / {} chars), {} wrong rotations",
                t.pages,
                100.0 * t.edits as f64 / t.chars.max(1) as f64,
                t.edits,
                t.chars,
                t.wrong
            );
        }
    }
    Ok(())
}
