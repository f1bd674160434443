//! The scan pipeline on real PDFs with the real OCR engine: outputs per the
//! contract, JPEG / CCITT / text-layer / 180°-turned pages, bad inputs,
//! reruns that OCR nothing, and a killed run that resumes without OCR'ing a
//! finished page twice.

#[path = "../../ingest/tests/support/pdfgen.rs"]
mod pdfgen;

use anjuan_core::contract::{DossierStatus, Index, Review};
use anjuan_ingest::{DossierSource, IngestOptions, PageContent};
use anjuan_ocr::{EngineKind, OcrEngine, OcrError, Orienter, PageText};
use anjuan_scan::{plan, scan, EngineFactory, RunConfig};
use image::GrayImage;
use pdfgen::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const PAGE_1: [&str; 3] = [
    "行政处罚决定书",
    "当事人：蒲县宏达商贸有限公司",
    "违法事实和证据如下",
];
const PAGE_2: [&str; 3] = [
    "现场检查笔录",
    "检查时间：二〇二二年三月十五日",
    "检查地点：蒲县城关镇",
];

fn third_party() -> PathBuf {
    anjuan_core::paths::third_party_dir().expect("third_party/ (run scripts/setup.sh)")
}

/// Counts recognitions through the real engine.
struct Counting {
    inner: Box<dyn OcrEngine>,
    calls: Arc<AtomicUsize>,
}

impl OcrEngine for Counting {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn config_key(&self) -> String {
        self.inner.config_key()
    }
    fn recognize(&mut self, image: &GrayImage) -> Result<PageText, OcrError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.recognize(image)
    }
    fn orienter(&mut self) -> &mut Orienter {
        self.inner.orienter()
    }
}

fn config() -> RunConfig {
    RunConfig::new(EngineKind::PpOcr, &third_party(), 2)
}

fn counting_factory(config: &RunConfig, calls: Arc<AtomicUsize>) -> EngineFactory {
    let real = config.engine_factory();
    Arc::new(move || {
        Ok(Box::new(Counting {
            inner: real()?,
            calls: calls.clone(),
        }) as Box<dyn OcrEngine>)
    })
}

/// A page of Chinese text as a scanner would give it: pdfium renders a
/// text page (system CJK font) at 200 dpi, which becomes the scan.
fn scanned_text(lines: &[&str]) -> GrayImage {
    let pdf = build_pdf(&[PageSpec::a4(PageKind::Text(
        lines.iter().map(|s| s.to_string()).collect(),
    ))]);
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("t.pdf");
    std::fs::write(&p, pdf).unwrap();
    let mut opts = IngestOptions::new(&third_party());
    opts.min_text_layer_chars = usize::MAX; // render instead of reading the text
    opts.render_dpi = 200;
    let mut r = anjuan_ingest::open(&DossierSource::pdf(&p), &opts).unwrap();
    match r.read_page(0).unwrap() {
        PageContent::Image(i) => i.image.to_luma8(),
        PageContent::Text(_) => unreachable!(),
    }
}

fn jpeg_page(img: &GrayImage) -> PageSpec {
    PageSpec::a4(PageKind::Jpeg {
        bytes: jpeg_bytes(img, 85),
        w: img.width(),
        h: img.height(),
    })
}

fn ccitt_page(img: &GrayImage) -> PageSpec {
    PageSpec::a4(PageKind::Ccitt {
        bytes: ccitt_g4_bytes(img),
        w: img.width(),
        h: img.height(),
    })
}

/// Character error rate, whitespace ignored.
fn cer(ocr: &str, truth: &[&str]) -> f64 {
    let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let t = strip(&truth.concat());
    strsim::levenshtein(&strip(ocr), &t) as f64 / t.chars().count() as f64
}

fn read_json<T: serde::de::DeserializeOwned>(p: &Path) -> T {
    serde_json::from_slice(&std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap()
}

#[test]
fn scan_writes_the_contract_and_a_rerun_ocrs_nothing() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    let p1 = scanned_text(&PAGE_1);
    let p2 = scanned_text(&PAGE_2);
    // 2022-015: a JPEG page, a CCITT page turned 180°.
    let turned = image::imageops::rotate180(&p2);
    std::fs::write(
        input.join("2022-015.pdf"),
        build_pdf(&[jpeg_page(&p1), ccitt_page(&turned)]),
    )
    .unwrap();
    // Another 2022-015 (same stem) with a text-layer page: no OCR for it.
    std::fs::write(
        input.join("sub/2022-015.pdf"),
        build_pdf(&[PageSpec::a4(PageKind::Text(
            PAGE_1.iter().map(|s| s.to_string()).collect(),
        ))]),
    )
    .unwrap();
    // A folder of page images is one dossier.
    std::fs::create_dir(input.join("卷宗2022-016")).unwrap();
    p2.save(input.join("卷宗2022-016/page-1.png")).unwrap();
    // Bad inputs.
    std::fs::write(input.join("empty.pdf"), b"").unwrap();
    std::fs::write(input.join("note.pdf"), "不是PDF".as_bytes()).unwrap();
    let good = build_pdf(&[jpeg_page(&p1)]);
    std::fs::write(input.join("cut.pdf"), &good[..good.len() / 3]).unwrap();
    std::fs::write(input.join("zero.pdf"), build_pdf(&[])).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ingest/tests/data/encrypted.pdf"),
        input.join("locked.pdf"),
    )
    .unwrap();

    let out = d.path().join("out");
    let dossiers = plan(std::slice::from_ref(&input)).unwrap();
    let config = config();
    let calls = Arc::new(AtomicUsize::new(0));
    let (outcomes, stats) = scan(
        &dossiers,
        &out,
        &config,
        counting_factory(&config, calls.clone()),
        true,
    )
    .unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "three scanned pages OCR'd once each"
    );
    assert_eq!((stats.pages_ocr, stats.pages_text_layer), (3, 1));

    let index: Index = read_json(&out.join("index.json"));
    assert_eq!(index.schema, "anjuan.index/1");
    assert_eq!(index.dossiers.len(), 8);
    let entry = |id: &str| index.dossiers.iter().find(|e| e.id == id).unwrap();
    for (id, problem) in [
        ("empty", "empty file"),
        ("note", "not a PDF"),
        ("cut", "truncated"),
        ("zero", "no pages"),
        ("locked", "password"),
    ] {
        let e = entry(id);
        assert_eq!(e.status, DossierStatus::Failed, "{id}");
        let msg = e.error.as_deref().unwrap();
        assert!(
            msg.contains(&format!("{id}.pdf")) && msg.contains(problem),
            "{msg}"
        );
    }
    assert_eq!(entry("2022-015").status, DossierStatus::Ok);
    assert_eq!(entry("2022-015-2").status, DossierStatus::Ok);
    assert!(entry("2022-015-2").source.ends_with("sub/2022-015.pdf"));
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| o.status == DossierStatus::Ok)
            .count(),
        3
    );
    let folder: Review = read_json(&out.join("卷宗2022-016/review.json"));
    assert_eq!(folder.dossier.page_count, 1);
    let folder_source = dossiers.iter().find(|d| d.id == "卷宗2022-016").unwrap();
    assert_eq!(
        folder.dossier.sha256,
        folder_source.source.sha256().unwrap()
    );
    let ft = std::fs::read_to_string(out.join("卷宗2022-016/pages/0001.txt")).unwrap();
    assert!(cer(&ft, &PAGE_2) < 0.15, "image folder page: {ft}");

    let review: Review = read_json(&out.join("2022-015/review.json"));
    assert_eq!(review.schema, "anjuan.review/2");
    assert_eq!(review.dossier.id, "2022-015");
    assert_eq!(review.dossier.page_count, 2);
    assert_eq!(
        review.dossier.sha256,
        dossiers[0].source.sha256().unwrap(),
        "sha256 of the input file"
    );
    // Classified from the OCR'd titles: a decision, then an inspection record.
    assert_eq!(review.case_kind, anjuan_core::CaseKind::Penalty);
    assert_eq!(review.pages[0].doc_type, "penalty_decision");
    assert_eq!(review.pages[1].doc_type, "site_inspection_record");
    assert_eq!(review.pages[1].document, Some(2));
    let ranges: Vec<[u32; 2]> = review.documents.iter().map(|d| d.pages).collect();
    assert_eq!(ranges, vec![[1, 1], [2, 2]]);
    assert_eq!(review.pages[1].ocr.text_file, "pages/0002.txt");
    assert_eq!(review.pages[0].ocr.dpi, 200);
    assert!(review.pages[0].ocr.mean_confidence > 0.5);
    // anjuan.review/2: the turn that made each page upright, and the upright
    // image's size, the frame of every evidence box.
    assert_eq!(review.pages[0].ocr.rotation, Some(0));
    assert_eq!(
        review.pages[1].ocr.rotation,
        Some(180),
        "CCITT page turned 180°"
    );
    for p in &review.pages {
        let [w, h] = p.ocr.size.expect("size");
        assert!(
            w > 1000 && h > 1000 && h > w,
            "A4 portrait at 200 dpi: {w}×{h}"
        );
        assert_eq!(p.error, None);
        for f in &review.findings {
            for e in f.evidence.iter().filter(|e| e.page == Some(p.page)) {
                if let Some(b) = e.bbox {
                    assert!(b[2] <= w && b[3] <= h, "box {b:?} inside {w}×{h}");
                }
            }
        }
    }
    // A two-page file lacks most of a penalty case's documents: the checks
    // say so, each finding on an item of the penalty rubric, with a reason.
    assert!(!review.findings.is_empty());
    for f in &review.findings {
        assert!(f.item.starts_with("P-"), "penalty item: {f:?}");
        assert!(!f.reason.is_empty() && f.confidence > 0.0, "{f:?}");
    }

    let t1 = std::fs::read_to_string(out.join("2022-015/pages/0001.txt")).unwrap();
    let t2 = std::fs::read_to_string(out.join("2022-015/pages/0002.txt")).unwrap();
    assert!(cer(&t1, &PAGE_1) < 0.15, "JPEG page: {t1}");
    assert!(cer(&t2, &PAGE_2) < 0.15, "CCITT page turned 180°: {t2}");
    assert!(t1.lines().count() >= 3, "one line per line: {t1}");
    let no_spaces = t1.lines().chain(t2.lines()).all(|l| !l.contains(' '));
    assert!(no_spaces, "no spaces between Chinese characters: {t1}{t2}");

    // The reviewers' view of each page: the upright page as OCR read it
    // (the page turned 180° comes back upright), scaled like its boxes.
    let view_diff = |page: u32, truth: &GrayImage| {
        let view = image::open(out.join(format!("2022-015/pages/{page:04}.jpg")))
            .unwrap()
            .to_luma8();
        let [w, h] = review.pages[page as usize - 1].ocr.size.unwrap();
        assert!(view.width() <= anjuan_scan::view::VIEW_WIDTH);
        let ratio = |a: u32, b: u32| a as f64 / b as f64;
        assert!((ratio(view.width(), view.height()) - ratio(w, h)).abs() < 0.01);
        let t = image::imageops::resize(
            truth,
            view.width(),
            view.height(),
            image::imageops::FilterType::Triangle,
        );
        let sum: u64 = view
            .pixels()
            .zip(t.pixels())
            .map(|(a, b)| a.0[0].abs_diff(b.0[0]) as u64)
            .sum();
        sum as f64 / (view.width() * view.height()) as f64
    };
    let upright = view_diff(2, &p2);
    let as_scanned = view_diff(2, &turned);
    assert!(
        upright * 2.0 < as_scanned,
        "the turned page's view is upright: {upright:.1} vs {as_scanned:.1}"
    );
    assert!(view_diff(1, &p1) < upright.max(5.0) * 2.0);
    assert!(
        !out.join("2022-015-2/pages/0001.jpg").exists(),
        "a text-layer page has no scan to show"
    );

    let text_review: Review = read_json(&out.join("2022-015-2/review.json"));
    assert_eq!(text_review.pages[0].ocr.engine, "pdf-text-layer");
    let tt = std::fs::read_to_string(out.join("2022-015-2/pages/0001.txt")).unwrap();
    assert_eq!(tt, format!("{}\n", PAGE_1.join("\n")));

    // Rerun: unchanged dossiers are skipped, nothing is OCR'd.
    let before = std::fs::read(out.join("2022-015/review.json")).unwrap();
    let (_, again) = scan(
        &dossiers,
        &out,
        &config,
        counting_factory(&config, calls.clone()),
        true,
    )
    .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3, "no OCR on the rerun");
    assert_eq!(again.dossiers_skipped, 3);
    assert_eq!(
        std::fs::read(out.join("2022-015/review.json")).unwrap(),
        before
    );

    // Outputs deleted: the dossier is written again, its pages come from the cache.
    std::fs::remove_file(out.join("2022-015/pages/0002.txt")).unwrap();
    std::fs::remove_file(out.join("2022-015/pages/0001.jpg")).unwrap();
    let (_, third) = scan(
        &dossiers,
        &out,
        &config,
        counting_factory(&config, calls.clone()),
        true,
    )
    .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!((third.pages_cached, third.dossiers_skipped), (2, 2));
    assert_eq!(
        std::fs::read_to_string(out.join("2022-015/pages/0002.txt")).unwrap(),
        t2
    );
    assert!(
        out.join("2022-015/pages/0001.jpg").is_file(),
        "view from the cache"
    );
}

#[test]
fn exit_status_is_2_for_usage_errors_5_for_an_unwritable_output_and_1_when_a_dossier_fails() {
    let d = tempfile::tempdir().unwrap();
    let args = |paths: Vec<PathBuf>| anjuan_scan::ScanArgs {
        paths,
        out: d.path().join("out"),
        jobs: Some(1),
        engine: EngineKind::PpOcr,
        dpi: 300,
        quiet: true,
        rubric: Vec::new(),
        units: None,
        summary: anjuan_scan::SummaryMode::None,
        max_page_megapixels: 60,
        page_timeout: 120,
        max_memory: None,
        in_process: true,
        shared_cache: None,
        worker: false,
    };
    assert_eq!(
        anjuan_scan::run(&args(vec![d.path().join("missing.pdf")])).unwrap(),
        anjuan_scan::EXIT_INPUT
    );
    let bad = d.path().join("bad.pdf");
    std::fs::write(&bad, b"hello").unwrap();
    // A --rubric file that does not validate is a usage error, before any work.
    let broken = d.path().join("broken.toml");
    std::fs::write(&broken, "kind = \"penalty\"\n[[item]]\nid = 3\n").unwrap();
    let mut with_rubric = args(vec![bad.clone()]);
    with_rubric.rubric = vec![broken];
    assert_eq!(anjuan_scan::run(&with_rubric).unwrap(), 2);
    // So is a --units registry that does not parse.
    let units = d.path().join("units.toml");
    std::fs::write(
        &units,
        "[[unit]]\nname = \"蒲县应急管理局\"\nprefix = \"蒲\"\n",
    )
    .unwrap();
    let mut with_units = args(vec![bad.clone()]);
    with_units.units = Some(units);
    assert_eq!(anjuan_scan::run(&with_units).unwrap(), 2);
    assert!(!d.path().join("out/index.json").exists());
    // An output folder that cannot be made: status 5, before any work.
    let blocked = d.path().join("file");
    std::fs::write(&blocked, b"").unwrap();
    let mut no_out = args(vec![bad.clone()]);
    no_out.out = blocked.join("out");
    assert_eq!(anjuan_scan::run(&no_out).unwrap(), anjuan_scan::EXIT_OUTPUT);
    assert_eq!(anjuan_scan::run(&args(vec![bad])).unwrap(), 1);
    let index: Index = read_json(&d.path().join("out/index.json"));
    assert_eq!(index.dossiers[0].status, DossierStatus::Failed);
}

const CHILD_ENV: &str = "ANJUAN_SCAN_TEST_CHILD";

/// Runs a scan when started by `a_killed_run_resumes_without_ocr_twice`.
#[test]
#[ignore = "a helper: the child process of a_killed_run_resumes_without_ocr_twice"]
fn child_scan() {
    let spec = std::env::var(CHILD_ENV).expect("run by a_killed_run_resumes_without_ocr_twice");
    let (input, out) = spec.split_once('|').unwrap();
    let dossiers = plan(&[PathBuf::from(input)]).unwrap();
    let config = RunConfig::new(EngineKind::PpOcr, &third_party(), 1);
    scan(
        &dossiers,
        Path::new(out),
        &config,
        config.engine_factory(),
        true,
    )
    .unwrap();
}

fn cached_pages(out: &Path) -> usize {
    fn walk(p: &Path) -> usize {
        std::fs::read_dir(p)
            .map(|rd| {
                rd.flatten()
                    .map(|e| {
                        let p = e.path();
                        if p.is_dir() {
                            walk(&p)
                        } else {
                            usize::from(p.extension().is_some_and(|x| x == "json"))
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&out.join(".cache/ocr"))
}

#[test]
fn a_killed_run_resumes_without_ocr_twice() {
    let d = tempfile::tempdir().unwrap();
    let p1 = scanned_text(&PAGE_1);
    let p2 = scanned_text(&PAGE_2);
    let pages: Vec<PageSpec> = [&p1, &p2, &p1, &p2]
        .iter()
        .enumerate()
        .map(|(i, p)| {
            // Four distinct page images (a mark in a corner tells them apart).
            let mut img = (*p).clone();
            for y in 10..20 {
                for x in 10 + i as u32 * 12..20 + i as u32 * 12 {
                    img.put_pixel(x, y, image::Luma([0]));
                }
            }
            jpeg_page(&img)
        })
        .collect();
    let pdf = d.path().join("long.pdf");
    std::fs::write(&pdf, build_pdf(&pages)).unwrap();
    let out = d.path().join("out");

    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "child_scan",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, format!("{}|{}", pdf.display(), out.display()))
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while cached_pages(&out) < 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the child OCR'd no page"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the child ended before the kill"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no cleanup
    child.wait().unwrap();
    let done = cached_pages(&out);
    assert!(done < 4, "killed before the end ({done} pages cached)");
    assert!(!out.join("long/review.json").exists());

    let config = config();
    let calls = Arc::new(AtomicUsize::new(0));
    let dossiers = plan(std::slice::from_ref(&pdf)).unwrap();
    let (outcomes, stats) = scan(
        &dossiers,
        &out,
        &config,
        counting_factory(&config, calls.clone()),
        true,
    )
    .unwrap();
    assert_eq!(
        outcomes[0].status,
        DossierStatus::Ok,
        "{:?}",
        outcomes[0].error
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        4 - done,
        "finished pages are not OCR'd again"
    );
    assert_eq!(stats.pages_cached as usize, done);
    let t3 = std::fs::read_to_string(out.join("long/pages/0003.txt")).unwrap();
    assert!(cer(&t3, &PAGE_1) < 0.15, "{t3}");
    // Every cache entry left by the killed run is whole (atomic writes).
    for path in walk_files(&out.join(".cache/ocr")) {
        if path.extension().is_some_and(|x| x == "json") {
            let page: anjuan_scan::OcrPage = read_json(&path);
            assert!(!page.lines.is_empty(), "{}", path.display());
        }
    }
}

fn walk_files(p: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            if e.path().is_dir() {
                v.extend(walk_files(&e.path()));
            } else {
                v.push(e.path());
            }
        }
    }
    v
}
