//! `anjuan bench DIR`: scans the PDFs of DIR into a fresh folder and reports
//! pages/s, time per stage, peak RSS, the rerun time, and CER against ground
//! truth (`<id>.truth.json` beside `<id>.pdf`); optionally runs OCRmyPDF and
//! the plain `tesseract` CLI on the same PDFs for comparison. Prints markdown.

use crate::pipeline::{scan, RunConfig, ScanStats};
use crate::{default_jobs, plan};
use anjuan_core::truth::DossierTruth;
use anjuan_ingest::{PageContent, SourceKind};
use anjuan_ocr::EngineKind;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Folder of scanned PDFs (with `<id>.truth.json` beside them for CER).
    pub dir: PathBuf,
    /// OCR worker threads (default: the number of cores).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// OCR engine: ppocr or tesseract.
    #[arg(long, default_value = "ppocr")]
    pub engine: EngineKind,
    /// Work folder (default: a temporary one, removed afterwards).
    #[arg(long)]
    pub work: Option<PathBuf>,
    /// Also run OCRmyPDF (`--ocrmypdf` command) and the `tesseract` CLI on the same PDFs.
    #[arg(long)]
    pub compare: bool,
    /// The OCRmyPDF command (e.g. a throwaway venv's `bin/ocrmypdf`).
    #[arg(long, default_value = "ocrmypdf")]
    pub ocrmypdf: PathBuf,
    /// Write the markdown table here too.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// One row of the comparison.
#[derive(Debug, Clone)]
pub struct BenchRow {
    pub tool: String,
    pub pages: u64,
    pub wall_secs: f64,
    pub cer: Option<f64>,
    pub peak_rss_mb: Option<f64>,
}

/// Character error rate over pages: Σ Levenshtein(ocr, truth) / Σ |truth|,
/// whitespace removed from both. `None` when no truth characters.
pub fn cer(pairs: &[(String, String)]) -> Option<f64> {
    let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let (mut errors, mut total) = (0usize, 0usize);
    for (ocr, truth) in pairs {
        let (o, t) = (strip(ocr), strip(truth));
        errors += strsim::levenshtein(&o, &t);
        total += t.chars().count();
    }
    (total > 0).then(|| errors as f64 / total as f64)
}

/// Peak resident set size of this process (VmHWM), in MB.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn cpu_secs() -> Option<f64> {
    anjuan_ocr::process_cpu_seconds()
}

/// Truth texts per page of `pdf`, when `<stem>.truth.json` is beside it.
fn truth_pages(pdf: &Path) -> Option<Vec<String>> {
    let path = pdf.with_extension("truth.json");
    let truth: DossierTruth = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    Some(truth.pages.iter().map(|p| p.full_text()).collect())
}

/// Runs `anjuan bench`; returns the exit status.
pub fn run_bench(args: &BenchArgs) -> anyhow::Result<i32> {
    let dossiers: Vec<_> = match plan(std::slice::from_ref(&args.dir)) {
        Ok(d) => d
            .into_iter()
            .filter(|d| d.source.kind == SourceKind::Pdf)
            .collect(),
        Err(e) => {
            eprintln!("anjuan bench: {e}");
            return Ok(2);
        }
    };
    if dossiers.is_empty() {
        eprintln!("anjuan bench: no PDFs in {}", args.dir.display());
        return Ok(2);
    }
    let third_party = anjuan_core::paths::require_third_party().map_err(anyhow::Error::msg)?;
    let jobs = args.jobs.unwrap_or_else(default_jobs);
    let config = RunConfig::new(args.engine, &third_party, jobs);
    let tmp = tempfile::tempdir()?;
    let work = args
        .work
        .clone()
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let out = work.join("anjuan-out");
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    std::fs::create_dir_all(&out)?;

    eprintln!(
        "anjuan bench: first run ({} PDFs, {jobs} jobs)",
        dossiers.len()
    );
    let cpu_before = cpu_secs();
    let (outcomes, first) = scan(&dossiers, &out, &config, config.engine_factory(), false)?;
    let cpu_first = cpu_secs().zip(cpu_before).map(|(a, b)| a - b);
    let rss = peak_rss_mb();
    eprintln!("anjuan bench: rerun over the same output");
    let (_, rerun) = scan(&dossiers, &out, &config, config.engine_factory(), true)?;

    // CER of our output.
    let mut pairs = Vec::new();
    for (d, o) in dossiers.iter().zip(&outcomes) {
        let Some(truth) = truth_pages(&d.source.path) else {
            continue;
        };
        for (i, t) in truth.iter().enumerate() {
            let f = out.join(&o.id).join(format!("pages/{:04}.txt", i + 1));
            pairs.push((std::fs::read_to_string(f).unwrap_or_default(), t.clone()));
        }
    }
    let pages = first.pages_ocr + first.pages_cached + first.pages_text_layer;
    let mut rows = vec![BenchRow {
        tool: format!("anjuan ({}, {jobs} jobs)", args.engine),
        pages,
        wall_secs: first.wall_secs,
        cer: cer(&pairs),
        peak_rss_mb: rss,
    }];
    if args.compare {
        let pdfs: Vec<PathBuf> = dossiers.iter().map(|d| d.source.path.clone()).collect();
        match run_tesseract_cli(&pdfs, &config, &work, jobs) {
            Ok(row) => rows.push(row),
            Err(e) => eprintln!("anjuan bench: tesseract CLI skipped: {e:#}"),
        }
        match run_ocrmypdf(&args.ocrmypdf, &pdfs, &work, jobs) {
            Ok(row) => rows.push(row),
            Err(e) => eprintln!("anjuan bench: OCRmyPDF skipped: {e:#}"),
        }
    }
    let mut report = render_report(&rows, &first, &rerun);
    if let Some(c) = cpu_first {
        let _ = writeln!(
            report,
            "anjuan CPU (user + system, all threads): {c:.1} s, {:.2} s per page",
            c / pages.max(1) as f64
        );
    }
    println!("{report}");
    if let Some(p) = &args.report {
        anjuan_core::fsutil::atomic_write(p, report.as_bytes())?;
    }
    Ok(0)
}

fn render_report(rows: &[BenchRow], first: &ScanStats, rerun: &ScanStats) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| tool | pages | wall s | pages/s | CER | peak RSS MB |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {:.1} | {:.2} | {} | {} |",
            r.tool,
            r.pages,
            r.wall_secs,
            r.pages as f64 / r.wall_secs.max(1e-9),
            r.cer
                .map(|c| format!("{:.2}%", c * 100.0))
                .unwrap_or("–".into()),
            r.peak_rss_mb
                .map(|m| format!("{m:.0}"))
                .unwrap_or("–".into()),
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "| anjuan stage | seconds |");
    let _ = writeln!(s, "|---|---:|");
    for (name, v) in [
        ("prepare (hash inputs, count pages)", first.prepare_secs),
        ("extract pages (pdfium / decode)", first.extract_secs),
        ("page hashes + cache lookups", first.hash_secs),
        ("OCR (summed over workers)", first.ocr_secs),
        ("classify + report + write", first.write_secs),
        ("wall", first.wall_secs),
    ] {
        let _ = writeln!(s, "| {name} | {v:.2} |");
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "pages: {} OCR'd, {} from the text layer, {} from cache; rerun: {:.2} s ({} dossiers skipped, {} pages OCR'd), {:.0}× faster",
        first.pages_ocr,
        first.pages_text_layer,
        first.pages_cached,
        rerun.wall_secs,
        rerun.dossiers_skipped,
        rerun.pages_ocr,
        first.wall_secs / rerun.wall_secs.max(1e-9)
    );
    s
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// Runs a command under GNU time; returns (wall seconds, max RSS MB, stdout).
fn timed(cmd: &mut Command) -> anyhow::Result<(f64, Option<f64>, String)> {
    let rss_file = tempfile::NamedTempFile::new()?;
    let mut wrapped = Command::new("/usr/bin/time");
    wrapped
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(rss_file.path())
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            wrapped.env(k, v);
        }
    }
    let start = Instant::now();
    let output = wrapped.output()?;
    let wall = start.elapsed().as_secs_f64();
    if !output.status.success() {
        anyhow::bail!(
            "{:?} failed: {}",
            cmd.get_program(),
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
    }
    let rss = std::fs::read_to_string(rss_file.path())
        .ok()
        .and_then(|s| s.lines().last()?.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    Ok((
        wall,
        rss,
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ))
}

/// The `tesseract` CLI (chi_sim) on the same page images anjuan reads,
/// `jobs` processes at a time; only the OCR is timed.
fn run_tesseract_cli(
    pdfs: &[PathBuf],
    config: &RunConfig,
    work: &Path,
    jobs: usize,
) -> anyhow::Result<BenchRow> {
    let dir = work.join("tesseract-pages");
    std::fs::create_dir_all(&dir)?;
    let mut pages = Vec::new(); // (png, truth)
    for pdf in pdfs {
        let truth = truth_pages(pdf);
        let mut r = anjuan_ingest::open(&anjuan_ingest::DossierSource::pdf(pdf), &config.ingest)?;
        for i in 0..r.page_count() {
            let PageContent::Image(img) = r.read_page(i)? else {
                continue;
            };
            let png = dir.join(format!("{}-{:04}.png", pages.len(), i + 1));
            img.image.save(&png)?;
            let t = truth.as_ref().and_then(|t| t.get(i as usize).cloned());
            pages.push((png, t));
        }
    }
    let queue = std::sync::Mutex::new(pages.iter().enumerate());
    let results = std::sync::Mutex::new(Vec::new());
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let Some((i, (png, _))) = queue.lock().unwrap().next() else {
                    return;
                };
                let mut cmd = Command::new("tesseract");
                cmd.arg(png)
                    .arg("stdout")
                    .arg("-l")
                    .arg("chi_sim")
                    .env("OMP_THREAD_LIMIT", "1");
                let r = timed(&mut cmd);
                results.lock().unwrap().push((i, r));
            });
        }
    });
    let wall = start.elapsed().as_secs_f64();
    let mut pairs = Vec::new();
    let mut rss: Option<f64> = None;
    for (i, r) in results.into_inner().unwrap() {
        let (_, m, text) = r?;
        rss = max_opt(rss, m);
        if let Some(t) = &pages[i].1 {
            pairs.push((text, t.clone()));
        }
    }
    Ok(BenchRow {
        tool: format!("tesseract CLI 5 chi_sim ({jobs} processes)"),
        pages: pages.len() as u64,
        wall_secs: wall,
        cer: cer(&pairs),
        peak_rss_mb: rss,
    })
}

/// OCRmyPDF with a text sidecar (pages separated by form feeds).
fn run_ocrmypdf(
    ocrmypdf: &Path,
    pdfs: &[PathBuf],
    work: &Path,
    jobs: usize,
) -> anyhow::Result<BenchRow> {
    let dir = work.join("ocrmypdf");
    std::fs::create_dir_all(&dir)?;
    let (mut wall, mut rss, mut pages) = (0.0, None::<f64>, 0u64);
    let mut pairs = Vec::new();
    for (n, pdf) in pdfs.iter().enumerate() {
        let sidecar = dir.join(format!("{n}.txt"));
        let mut cmd = Command::new(ocrmypdf);
        cmd.args([
            "-l",
            "chi_sim",
            "-j",
            &jobs.to_string(),
            "--output-type",
            "pdf",
            "-O0",
            "--sidecar",
        ])
        .arg(&sidecar)
        .arg(pdf)
        .arg(dir.join(format!("{n}.pdf")));
        let (w, m, _) = timed(&mut cmd)?;
        wall += w;
        rss = max_opt(rss, m);
        let text = std::fs::read_to_string(&sidecar)?;
        let page_texts: Vec<&str> = text.split('\u{c}').collect();
        pages += page_texts.iter().filter(|p| !p.trim().is_empty()).count() as u64;
        if let Some(truth) = truth_pages(pdf) {
            for (i, t) in truth.into_iter().enumerate() {
                pairs.push((page_texts.get(i).unwrap_or(&"").to_string(), t));
            }
        }
    }
    Ok(BenchRow {
        tool: format!("OCRmyPDF -l chi_sim -j {jobs} -O0"),
        pages: pages.max(pairs.len() as u64),
        wall_secs: wall,
        cer: cer(&pairs),
        peak_rss_mb: rss,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cer_ignores_whitespace_and_counts_edits_per_truth_character() {
        let pairs = vec![
            ("询 问 笔 录".to_string(), "询问笔录".to_string()),
            ("行政处罚决定".to_string(), "行政处罚决定书".to_string()),
        ];
        let c = cer(&pairs).unwrap();
        assert!((c - 1.0 / 11.0).abs() < 1e-9, "{c}");
        assert_eq!(cer(&[]), None);
    }
}
