//! Precision and recall of the mark detectors on a generated set.
//!
//! ```text
//! cargo run --release -p anjuan-marks --example marks_eval -- TRUTH_DIR [RUN_DIR] [-v]
//! ```
//!
//! TRUTH_DIR holds `anjuan generate` output (`<id>.pdf` + `<id>.truth.json`,
//! made with the default kind and profile). Pages are read from the PDFs
//! through anjuan-ingest, as the scan reads them. With RUN_DIR (an `anjuan
//! scan` output of the same PDFs) the OCR lines and the page orientation come
//! from its page cache — the real path; without it the truth's text lines
//! stand in for OCR (boxes split evenly into characters).
//!
//! `ONLY=ID:PAGE` looks at one page (all its slots printed, its upright
//! image saved in /tmp); `UNSIGNED=1` with `-v` lists every slot judged
//! unsigned, to hold against the truth's unsigned defects.
//!
//! Truth: seals and fingerprints are where the generator's layout placed
//! them (re-planned from the seed; the renderer jitters them by ≤ 3 mm); a
//! slot is truly signed when a handwritten truth line lies mostly in it.

use anjuan_core::marks::PageMarks;
use anjuan_core::truth::{DossierTruth, PageTruth};
use anjuan_gen::{KindChoice, Profile, Spec};
use anjuan_ingest::{DossierSource, IngestOptions, PageContent};
use anjuan_ocr::{OcrLine, OcrWord, Orientation};
use anjuan_paper::layout::Item;
use image::DynamicImage;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Default, Clone, Copy)]
struct Count {
    tp: u32,
    fp: u32,
    fn_: u32,
}

impl Count {
    fn line(&self, name: &str) -> String {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        format!(
            "{name:<28} {:>5} {:>5} {:>5}   {:>6.1}% {:>6.1}%",
            self.tp,
            self.fp,
            self.fn_,
            100.0 * p,
            100.0 * r
        )
    }
}

#[derive(Default)]
struct Tally {
    seal_colour: Count,
    seal_gray: Count,
    print_colour: Count,
    print_gray: Count,
    signed_colour: Count,
    signed_gray: Count,
    unsigned_colour: Count,
    unsigned_gray: Count,
    slots: u32,
    pages: u32,
    secs_prepare: f64,
    secs_find: f64,
}

/// A mark the generator placed: centre in px.
struct Placed {
    cx: f32,
    cy: f32,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let Some(truth_dir) = paths.first().map(PathBuf::from) else {
        anyhow::bail!("usage: marks_eval TRUTH_DIR [RUN_DIR] [-v]");
    };
    let run_dir = paths.get(1).map(PathBuf::from);
    let cache_dir = match &run_dir {
        Some(r) => {
            let ocr = r.join(".cache").join("ocr");
            let mut dirs: Vec<PathBuf> = std::fs::read_dir(&ocr)
                .map_err(|e| anyhow::anyhow!("{}: {e}", ocr.display()))?
                .flatten()
                .map(|e| e.path())
                .collect();
            dirs.sort();
            Some(
                dirs.pop()
                    .ok_or_else(|| anyhow::anyhow!("{}: no OCR cache", ocr.display()))?,
            )
        }
        None => None,
    };
    let third_party = anjuan_core::paths::third_party_dir()
        .ok_or_else(|| anyhow::anyhow!("third_party not found"))?;
    let ingest = IngestOptions::new(&third_party);
    let renderer = anjuan_paper::Renderer::new()?;
    let mut truths: Vec<PathBuf> = std::fs::read_dir(&truth_dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    truths.sort();
    let mut t = Tally::default();
    for path in truths {
        let truth: DossierTruth = serde_json::from_slice(&std::fs::read(&path)?)?;
        let index: u64 = truth.id.rsplit('-').next().unwrap_or("0").parse()?;
        let spec = Spec {
            seed: truth.seed,
            index,
            kind: KindChoice::Mixed,
            profile: Profile::Full,
            dpi: None,
            forced: None,
        };
        let plan = anjuan_gen::dossier::plan(&spec, &renderer);
        if plan.id != truth.id || plan.page_count() != truth.pages.len() {
            anyhow::bail!("{}: not made with the default kind/profile", truth.id);
        }
        let layouts: Vec<_> = plan.layouts.iter().flatten().collect();
        let pdf = truth_dir.join(format!("{}.pdf", truth.id));
        let mut reader = anjuan_ingest::open(&DossierSource::pdf(&pdf), &ingest)?;
        // ONLY=ID:PAGE looks at one page: all its slots, its image in /tmp.
        let only = std::env::var("ONLY").ok();
        if only
            .as_ref()
            .is_some_and(|o| !o.starts_with(&format!("{}:", truth.id)))
        {
            continue;
        }
        for (i, pt) in truth.pages.iter().enumerate() {
            if only
                .as_ref()
                .is_some_and(|o| *o != format!("{}:{}", truth.id, i + 1))
            {
                continue;
            }
            let PageContent::Image(page) = reader.read_page(i as u32)? else {
                continue;
            };
            let ppm = pt.dpi as f32 / 25.4;
            let (mut seals, mut prints) = (Vec::new(), Vec::new());
            for p in &layouts[i].items {
                match p.item {
                    Item::Seal { cx, cy, .. } => seals.push(Placed {
                        cx: cx * ppm,
                        cy: cy * ppm,
                    }),
                    Item::Fingerprint { cx, cy } => prints.push(Placed {
                        cx: cx * ppm,
                        cy: cy * ppm,
                    }),
                    _ => {}
                }
            }
            let start = Instant::now();
            let red = anjuan_marks::red_plane(&page.image);
            t.secs_prepare += start.elapsed().as_secs_f64();
            let gray = page.image.to_luma8();
            let (orient, lines) = match &cache_dir {
                Some(dir) => match cached_page(dir, &gray) {
                    Some(x) => x,
                    None => {
                        eprintln!("{} p{}: not in the OCR cache, skipped", truth.id, i + 1);
                        continue;
                    }
                },
                None => (
                    Orientation {
                        rotation: pt.rotation,
                        skew_deg: 0.0,
                    },
                    truth_lines(pt),
                ),
            };
            let gray = orient.apply(gray);
            let start = Instant::now();
            let red = red.map(|r| anjuan_marks::upright(r, orient.rotation, orient.skew_deg));
            let prepared = Instant::now();
            let marks = anjuan_marks::find_marks(&gray, red.as_ref(), &lines, pt.dpi);
            t.secs_prepare += (prepared - start).as_secs_f64();
            t.secs_find += prepared.elapsed().as_secs_f64();
            if std::env::var_os("PROFILE").is_some() {
                let ppm = pt.dpi as f32 / 25.4;
                let a = Instant::now();
                let found = anjuan_marks::blobs::find_blobs(&gray, red.as_ref(), ppm);
                let b = Instant::now();
                anjuan_marks::slots::find_slots(&gray, red.as_ref(), &lines, ppm, &found);
                eprintln!(
                    "profile {} p{} dpi {} gray={}: blobs {:.1} ms, slots {:.1} ms, red+upright {:.1} ms",
                    truth.id,
                    i + 1,
                    pt.dpi,
                    pt.grayscale,
                    (b - a).as_secs_f64() * 1000.0,
                    b.elapsed().as_secs_f64() * 1000.0,
                    (prepared - start).as_secs_f64() * 1000.0
                );
            }
            t.pages += 1;
            if only.is_some() {
                let out = format!("/tmp/marks_{}_{}.png", truth.id, i + 1);
                gray.save(&out)?;
                eprintln!("{out}\n{:#?}", marks.signatures);
            }
            if verbose {
                eprintln!(
                    "{} p{} {} gray={} seals {:?} prints {:?}",
                    truth.id,
                    i + 1,
                    pt.doc_type,
                    pt.grayscale,
                    marks
                        .seals
                        .iter()
                        .map(|s| (s.bbox, s.confidence))
                        .collect::<Vec<_>>(),
                    marks
                        .fingerprints
                        .iter()
                        .map(|s| (s.bbox, s.confidence))
                        .collect::<Vec<_>>()
                );
                if std::env::var_os("BLOBS").is_some() {
                    for b in anjuan_marks::blobs::describe_blobs(&gray, red.as_ref(), ppm) {
                        eprintln!("    blob {b}");
                    }
                }
            }
            let colour = !pt.grayscale;
            score_blobs(
                &marks,
                &seals,
                &prints,
                10.0 * ppm,
                8.0 * ppm,
                colour,
                &mut t,
                verbose.then(|| format!("{} p{}", truth.id, i + 1)),
            );
            score_slots(&marks, pt, colour, &mut t, verbose, &truth.id, i + 1);
        }
    }
    println!(
        "{} pages, {} signature slots; detectors {:.1} ms/page (+{:.1} ms/page red plane, upright turn)",
        t.pages,
        t.slots,
        1000.0 * t.secs_find / t.pages.max(1) as f64,
        1000.0 * t.secs_prepare / t.pages.max(1) as f64
    );
    println!(
        "{:<28} {:>5} {:>5} {:>5}   {:>7} {:>7}",
        "detector", "TP", "FP", "FN", "prec", "recall"
    );
    for (name, c) in [
        ("seal (colour)", t.seal_colour),
        ("seal (grayscale)", t.seal_gray),
        ("fingerprint (colour)", t.print_colour),
        ("fingerprint (grayscale)", t.print_gray),
        ("slot signed (colour)", t.signed_colour),
        ("slot signed (grayscale)", t.signed_gray),
        ("slot unsigned (colour)", t.unsigned_colour),
        ("slot unsigned (grayscale)", t.unsigned_gray),
    ] {
        println!("{}", c.line(name));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn score_blobs(
    marks: &PageMarks,
    seals: &[Placed],
    prints: &[Placed],
    seal_tol: f32,
    print_tol: f32,
    colour: bool,
    t: &mut Tally,
    tag: Option<String>,
) {
    let centre = |b: [u32; 4]| ((b[0] + b[2]) as f32 / 2.0, (b[1] + b[3]) as f32 / 2.0);
    let matched = |found: &[[u32; 4]], truth: &[Placed], tol: f32| -> Count {
        let mut used = vec![false; found.len()];
        let mut c = Count::default();
        for p in truth {
            let hit = found.iter().enumerate().position(|(k, b)| {
                let (x, y) = centre(*b);
                !used[k] && ((x - p.cx).powi(2) + (y - p.cy).powi(2)).sqrt() <= tol
            });
            match hit {
                Some(k) => {
                    used[k] = true;
                    c.tp += 1;
                }
                None => c.fn_ += 1,
            }
        }
        c.fp = used.iter().filter(|u| !**u).count() as u32;
        c
    };
    let s = matched(
        &marks.seals.iter().map(|s| s.bbox).collect::<Vec<_>>(),
        seals,
        seal_tol,
    );
    let f = matched(
        &marks
            .fingerprints
            .iter()
            .map(|s| s.bbox)
            .collect::<Vec<_>>(),
        prints,
        print_tol,
    );
    if let Some(tag) = tag {
        if s.fp + s.fn_ + f.fp + f.fn_ > 0 {
            eprintln!(
                "  {tag}: seal fp {} fn {}, fingerprint fp {} fn {} (truth seals at {:?}, prints at {:?})",
                s.fp,
                s.fn_,
                f.fp,
                f.fn_,
                seals.iter().map(|p| (p.cx as u32, p.cy as u32)).collect::<Vec<_>>(),
                prints.iter().map(|p| (p.cx as u32, p.cy as u32)).collect::<Vec<_>>()
            );
        }
    }
    let (sc, fc) = if colour {
        (&mut t.seal_colour, &mut t.print_colour)
    } else {
        (&mut t.seal_gray, &mut t.print_gray)
    };
    for (dst, src) in [(sc, s), (fc, f)] {
        dst.tp += src.tp;
        dst.fp += src.fp;
        dst.fn_ += src.fn_;
    }
}

fn score_slots(
    marks: &PageMarks,
    pt: &PageTruth,
    colour: bool,
    t: &mut Tally,
    verbose: bool,
    id: &str,
    page: usize,
) {
    for s in &marks.signatures {
        t.slots += 1;
        let a = s.area;
        let truly = pt.lines.iter().filter(|l| l.handwritten).any(|l| {
            let b = l.bbox;
            let ix = (a[2].min(b[2]) as i64 - a[0].max(b[0]) as i64).max(0);
            let iy = (a[3].min(b[3]) as i64 - a[1].max(b[1]) as i64).max(0);
            let area = ((b[2] - b[0]) as i64 * (b[3] - b[1]) as i64).max(1);
            ix * iy * 10 >= area * 3
        });
        let (signed, unsigned) = if colour {
            (&mut t.signed_colour, &mut t.unsigned_colour)
        } else {
            (&mut t.signed_gray, &mut t.unsigned_gray)
        };
        match (s.signed, truly) {
            (true, true) => signed.tp += 1,
            (true, false) => {
                signed.fp += 1;
                unsigned.fn_ += 1
            }
            (false, true) => {
                signed.fn_ += 1;
                unsigned.fp += 1
            }
            (false, false) => unsigned.tp += 1,
        }
        if verbose && (s.signed != truly || std::env::var_os("UNSIGNED").is_some() && !s.signed) {
            eprintln!(
                "  {id} p{page}: slot {} ({}) area {:?} said signed={} conf {:.2} text {:?}, truth {}",
                s.label, s.kind, s.area, s.signed, s.confidence, s.text, truly
            );
        }
    }
}

/// The truth's text lines as OCR lines (characters split evenly).
fn truth_lines(pt: &PageTruth) -> Vec<OcrLine> {
    pt.lines
        .iter()
        .map(|l| OcrLine::evenly_split(&l.text, l.bbox, 1.0))
        .collect()
}

/// The scan's cached OCR of this page (keyed as anjuan-scan keys it).
fn cached_page(dir: &Path, gray: &image::GrayImage) -> Option<(Orientation, Vec<OcrLine>)> {
    let image = DynamicImage::ImageLuma8(gray.clone());
    let mut h = Sha256::new();
    h.update(image.width().to_le_bytes());
    h.update(image.height().to_le_bytes());
    h.update(format!("{:?}", image.color()).as_bytes());
    h.update(image.as_bytes());
    let hash = hex::encode(h.finalize());
    let bytes = std::fs::read(dir.join(&hash[..2]).join(format!("{hash}.json"))).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let orient = Orientation {
        rotation: v["rotation"].as_u64()? as u16,
        skew_deg: v["skew_deg"].as_f64()? as f32,
    };
    let lines = v["lines"]
        .as_array()?
        .iter()
        .map(|l| OcrLine {
            text: l["text"].as_str().unwrap_or_default().to_string(),
            bbox: bbox_of(&l["bbox"]),
            confidence: l["confidence"].as_f64().unwrap_or(0.0) as f32,
            words: l["words"]
                .as_array()
                .map(|ws| {
                    ws.iter()
                        .map(|w| OcrWord {
                            text: w["text"].as_str().unwrap_or_default().to_string(),
                            bbox: bbox_of(&w["bbox"]),
                            confidence: w["confidence"].as_f64().unwrap_or(0.0) as f32,
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    Some((orient, lines))
}

fn bbox_of(v: &serde_json::Value) -> [u32; 4] {
    let n = |i: usize| v[i].as_u64().unwrap_or(0) as u32;
    [n(0), n(1), n(2), n(3)]
}
