//! Real OCR on real images with both engines: text, orientation, skew, spaces.
//!
//! Needs `third_party/` (run `bash scripts/setup.sh`) and tesseract chi_sim.

use anjuan_eval::cer::page_edits;
use anjuan_ocr::layout::is_cjk;
use anjuan_ocr::{create_engine, read_page, EngineKind, OcrEngine, PageText};
use image::{imageops, DynamicImage, GrayImage, Luma};
use imageproc::geometric_transformations::{rotate_about_center, Interpolation};
use std::path::{Path, PathBuf};

fn third_party() -> PathBuf {
    anjuan_core::paths::third_party_dir().unwrap_or_else(|| {
        panic!(
            "third_party/ not found: run `bash scripts/setup.sh` in the checkout \
             (or set ANJUAN_THIRD_PARTY) before `cargo test -p anjuan-ocr`"
        )
    })
}

fn engine(kind: EngineKind) -> Box<dyn OcrEngine> {
    create_engine(kind, &third_party()).unwrap_or_else(|e| panic!("{kind} engine: {e}"))
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn fixture(name: &str) -> (DynamicImage, String) {
    let img = image::open(data(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let stem = name.rsplit_once('.').map_or(name, |s| s.0);
    let truth = std::fs::read_to_string(data(&format!("{stem}.txt"))).expect("truth text");
    (img, truth)
}

fn cer(truth: &str, page: &PageText) -> f64 {
    let (edits, chars) = page_edits(truth, &page.text());
    edits as f64 / chars as f64
}

/// No line has a space next to a CJK character.
fn assert_no_cjk_spaces(page: &PageText) {
    for l in &page.lines {
        let cs: Vec<char> = l.text.chars().collect();
        for (i, c) in cs.iter().enumerate() {
            if *c == ' ' {
                let near_cjk =
                    (i > 0 && is_cjk(cs[i - 1])) || cs.get(i + 1).is_some_and(|n| is_cjk(*n));
                assert!(
                    !near_cjk,
                    "space next to a Chinese character in {:?}",
                    l.text
                );
            }
        }
    }
}

#[test]
fn ppocr_reads_a_printed_page() {
    let (img, truth) = fixture("page.png");
    let mut e = engine(EngineKind::PpOcr);
    let read = read_page(e.as_mut(), &img).unwrap();
    assert_eq!(read.rotation, 0);
    let c = cer(&truth, &read.text);
    assert!(c <= 0.02, "CER {c:.3}:\n{}", read.text.text());
    assert_eq!(read.text.lines.len(), 13, "{}", read.text.text());
    // Reading order and a known line exactly.
    assert_eq!(read.text.lines[0].text, "蒲县市场监督管理局");
    assert!(read
        .text
        .lines
        .iter()
        .any(|l| l.text == "住所：蒲县城关镇东大街28号"));
    assert!(read.text.mean_confidence() > 0.9);
    assert_no_cjk_spaces(&read.text);
    // Word boxes lie inside their line box.
    for l in &read.text.lines {
        assert!(!l.words.is_empty());
        for w in &l.words {
            assert!(
                w.bbox[0] >= l.bbox[0] && w.bbox[2] <= l.bbox[2],
                "{w:?} outside {:?}",
                l.bbox
            );
        }
    }
}

/// The units registry (`anjuan scan --units`) relies on the engine saying
/// which characters it has no class for: PP-OCRv4's dictionary lacks 隰 (of
/// 隰县), holds 蒲 (of 蒲县) and the common ones.
#[test]
fn ppocr_says_which_characters_it_cannot_read() {
    let e = engine(EngineKind::PpOcr);
    assert!(!e.can_read('隰'));
    for c in "蒲县吉汾西应急管理局罚〔〕号0123456789".chars() {
        assert!(e.can_read(c), "{c}");
    }
}

#[test]
fn tesseract_reads_a_printed_page() {
    let (img, truth) = fixture("page.png");
    let mut e = engine(EngineKind::Tesseract);
    assert!(e.name().starts_with("tesseract-5"), "{}", e.name());
    let read = read_page(e.as_mut(), &img).unwrap();
    assert_eq!(read.rotation, 0);
    let c = cer(&truth, &read.text);
    assert!(c <= 0.10, "CER {c:.3}:\n{}", read.text.text());
    assert!(read.text.lines.len() >= 12, "{}", read.text.text());
    assert_no_cjk_spaces(&read.text);
    assert!(read.text.lines.iter().all(|l| !l.words.is_empty()));
}

#[test]
fn a_page_taken_upright_while_upside_down_is_read_again_turned() {
    // As if orientation had been fooled: the page is upside down and taken
    // for upright. Read by outcome, it comes back the right way up.
    let (img, truth) = fixture("page.png");
    let gray = img.to_luma8();
    let mut e = engine(EngineKind::PpOcr);
    let fooled = anjuan_ocr::orient::Orientation {
        rotation: 0,
        skew_deg: 0.0,
    };
    let read = anjuan_ocr::read_upright(e.as_mut(), imageops::rotate180(&gray), fooled).unwrap();
    assert_eq!(read.rotation, 180);
    let c = cer(&truth, &read.text);
    assert!(c <= 0.02, "CER {c:.3}:\n{}", read.text.text());
    // An upright page is read once, as is.
    let read = anjuan_ocr::read_upright(e.as_mut(), gray.clone(), fooled).unwrap();
    assert_eq!(read.rotation, 0);
    assert!(cer(&truth, &read.text) <= 0.02);
}

#[test]
fn turned_pages_come_back_upright() {
    let (img, truth) = fixture("page.png");
    let gray = img.to_luma8();
    let mut e = engine(EngineKind::PpOcr);
    type Turn = fn(&GrayImage) -> GrayImage;
    let turns: [(u16, Turn); 3] = [
        (90, |g| imageops::rotate90(g)),
        (180, |g| imageops::rotate180(g)),
        (270, |g| imageops::rotate270(g)),
    ];
    for (deg, turn) in turns {
        let read = read_page(e.as_mut(), &DynamicImage::ImageLuma8(turn(&gray))).unwrap();
        assert_eq!(read.rotation, deg, "page turned {deg}° clockwise");
        assert_eq!(read.image.dimensions(), gray.dimensions());
        let c = cer(&truth, &read.text);
        assert!(
            c <= 0.02,
            "turned {deg}°: CER {c:.3}:\n{}",
            read.text.text()
        );
    }
}

#[test]
fn generated_scan_turned_90_reads_with_both_engines() {
    let (img, truth) = fixture("gen_r90.jpg");
    for (kind, max_cer) in [(EngineKind::PpOcr, 0.08), (EngineKind::Tesseract, 0.30)] {
        let mut e = engine(kind);
        let read = read_page(e.as_mut(), &img).unwrap();
        assert_eq!(read.rotation, 90, "{kind}");
        assert!(
            read.image.height() > read.image.width(),
            "{kind}: upright A4 is portrait"
        );
        let c = cer(&truth, &read.text);
        assert!(c <= max_cer, "{kind}: CER {c:.3}:\n{}", read.text.text());
        assert_no_cjk_spaces(&read.text);
    }
}

#[test]
fn skewed_page_deskews() {
    let (img, truth) = fixture("page.png");
    let gray = img.to_luma8();
    let mut e = engine(EngineKind::PpOcr);
    for deg in [2.0f32, -1.5] {
        let skewed = rotate_about_center(
            &gray,
            deg.to_radians(),
            Interpolation::Bilinear,
            Luma([255]),
        );
        let read = read_page(e.as_mut(), &DynamicImage::ImageLuma8(skewed)).unwrap();
        assert_eq!(read.rotation, 0);
        assert!(
            (read.skew_deg - deg).abs() < 0.3,
            "leaned {deg}°, found {}°",
            read.skew_deg
        );
        let c = cer(&truth, &read.text);
        assert!(
            c <= 0.03,
            "leaned {deg}°: CER {c:.3}:\n{}",
            read.text.text()
        );
        // The deskewed title's box is as flat as the upright one's (~48 px).
        let title = &read.text.lines[0];
        assert!(
            title.bbox[3] - title.bbox[1] < 70,
            "title box {:?}",
            title.bbox
        );
    }
}

#[test]
fn engine_kinds_parse_and_print() {
    for k in EngineKind::ALL {
        assert_eq!(k.to_string().parse::<EngineKind>().unwrap(), k);
    }
    assert_eq!(
        "Tesseract".parse::<EngineKind>().unwrap(),
        EngineKind::Tesseract
    );
    assert!("abbyy".parse::<EngineKind>().unwrap_err().contains("abbyy"));
    assert_eq!(EngineKind::default(), EngineKind::PpOcr);
}

#[test]
fn missing_models_name_the_file_and_the_fix() {
    let dir = tempfile_dir();
    let err = create_engine(EngineKind::PpOcr, &dir)
        .err()
        .expect("no models there");
    let msg = err.to_string();
    assert!(msg.contains("setup.sh"), "{msg}");
}

fn tempfile_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("anjuan-ocr-empty-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
