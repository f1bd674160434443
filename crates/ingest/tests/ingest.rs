//! Reading real PDFs through pdfium: embedded JPEG and CCITT scans, /Rotate,
//! rendered vector pages, text layers, image folders and every kind of bad input.

mod support {
    pub mod pdfgen;
}

use anjuan_ingest::{
    discover, open, DossierSource, ImageOrigin, IngestOptions, PageContent, PageImage, SourceKind,
};
use image::GrayImage;
use std::path::{Path, PathBuf};
use support::pdfgen::*;

fn options() -> IngestOptions {
    let tp = anjuan_core::paths::third_party_dir()
        .expect("third_party/ (run scripts/setup.sh) with lib/libpdfium.so");
    IngestOptions::new(&tp)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn image_page(source: &DossierSource, index: u32) -> PageImage {
    let mut r = open(source, &options()).unwrap();
    match r.read_page(index).unwrap() {
        PageContent::Image(i) => i,
        PageContent::Text(t) => panic!("expected an image page, got text {:?}", t.text()),
    }
}

/// Mean gray of a small window centred on fractions of the width and height.
fn gray_at(img: &GrayImage, fx: f32, fy: f32) -> u8 {
    let (cx, cy) = (
        (fx * img.width() as f32) as u32,
        (fy * img.height() as f32) as u32,
    );
    let mut sum = 0u32;
    for y in cy - 2..=cy + 2 {
        for x in cx - 2..=cx + 2 {
            sum += img.get_pixel(x, y)[0] as u32;
        }
    }
    (sum / 25) as u8
}

#[test]
fn a_jpeg_scan_is_taken_from_its_stream_at_its_own_dpi() {
    let d = tempfile::tempdir().unwrap();
    // 200 dpi on A4: 1653 × 2339 pixels.
    let scan = test_scan(1653, 2339);
    let pdf = build_pdf(&[PageSpec::a4(PageKind::Jpeg {
        bytes: jpeg_bytes(&scan, 85),
        w: 1653,
        h: 2339,
    })]);
    let src = DossierSource::pdf(write(d.path(), "jpeg.pdf", &pdf));
    let page = image_page(&src, 0);
    assert_eq!(page.origin, ImageOrigin::EmbeddedJpeg);
    assert_eq!(page.dpi, 200);
    let img = page.image.to_luma8();
    assert_eq!(img.dimensions(), (1653, 2339));
    assert!(gray_at(&img, 0.17, 0.15) < 40, "block is dark");
    assert!(gray_at(&img, 0.83, 0.15) > 215, "mirror spot is light");
}

#[test]
fn a_ccitt_g4_scan_is_decoded_by_pdfium() {
    let d = tempfile::tempdir().unwrap();
    let scan = test_scan(2480, 3508);
    let pdf = build_pdf(&[PageSpec::a4(PageKind::Ccitt {
        bytes: ccitt_g4_bytes(&scan),
        w: 2480,
        h: 3508,
    })]);
    let src = DossierSource::pdf(write(d.path(), "g4.pdf", &pdf));
    let page = image_page(&src, 0);
    assert_eq!(page.origin, ImageOrigin::EmbeddedOther);
    assert_eq!(page.dpi, 300);
    let img = page.image.to_luma8();
    assert_eq!(img.dimensions(), (2480, 3508));
    assert_eq!(gray_at(&img, 0.17, 0.15), 0, "block is black");
    assert_eq!(gray_at(&img, 0.5, 0.5), 255, "paper is white");
}

#[test]
fn rotate_90_turns_the_embedded_scan_as_displayed() {
    let d = tempfile::tempdir().unwrap();
    let scan = test_scan(1653, 2339);
    let mut spec = PageSpec::a4(PageKind::Jpeg {
        bytes: jpeg_bytes(&scan, 85),
        w: 1653,
        h: 2339,
    });
    spec.rotate = 90;
    let src = DossierSource::pdf(write(d.path(), "rot.pdf", &build_pdf(&[spec])));
    let page = image_page(&src, 0);
    assert_eq!(page.dpi, 200);
    let img = page.image.to_luma8();
    // Turned clockwise: landscape, the top-left block is now top-right.
    assert_eq!(img.dimensions(), (2339, 1653));
    assert!(gray_at(&img, 0.85, 0.17) < 40);
    assert!(gray_at(&img, 0.15, 0.17) > 215);
}

#[test]
fn a_vector_page_is_rendered_gray_at_300_dpi_with_row_padding_removed() {
    let d = tempfile::tempdir().unwrap();
    // 301 pt wide → 1254 px at 300 dpi: not a multiple of 4, so pdfium pads rows.
    let spec = PageSpec {
        width_pt: 301.0,
        height_pt: 400.0,
        rotate: 0,
        kind: PageKind::Vector("0 g 30 300 60 50 re f".into()),
    };
    let src = DossierSource::pdf(write(d.path(), "vec.pdf", &build_pdf(&[spec])));
    let page = image_page(&src, 0);
    assert_eq!(page.origin, ImageOrigin::Rendered);
    assert_eq!(page.dpi, 300);
    let img = page.image.to_luma8();
    assert_eq!(img.width(), 1254);
    assert_eq!(img.width() % 4, 2);
    // The block spans x 125–375 px, y 208–417 px; its left edge is straight
    // from top to bottom (padding left in would shear it).
    let px = |x, y| img.get_pixel(x, y)[0];
    assert_eq!(px(250, 312), 0);
    assert_eq!(px(130, 215), 0);
    assert_eq!(px(130, 410), 0);
    assert_eq!(px(118, 410), 255);
    assert_eq!(px(380, 215), 255);
    assert_eq!(px(250, 700), 255);
}

#[test]
fn a_text_layer_page_gives_text_and_boxes_without_ocr() {
    let d = tempfile::tempdir().unwrap();
    let lines = vec![
        "行政处罚决定书".to_string(),
        "蒲市监罚〔2022〕15号 当事人：张三".to_string(),
    ];
    let src = DossierSource::pdf(write(
        d.path(),
        "text.pdf",
        &build_pdf(&[PageSpec::a4(PageKind::Text(lines))]),
    ));
    let mut r = open(&src, &options()).unwrap();
    let PageContent::Text(t) = r.read_page(0).unwrap() else {
        panic!("expected the text layer")
    };
    assert_eq!(t.dpi, 300);
    assert_eq!((t.width, t.height), (2479, 3508));
    let texts: Vec<_> = t.lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts,
        ["行政处罚决定书", "蒲市监罚〔2022〕15号当事人：张三"]
    );
    // First line: 72 pt from the left, baseline 72 pt from the top, 24 pt type.
    let b = t.lines[0].bbox;
    assert!((290..=310).contains(&b[0]), "{b:?}");
    assert!(
        (b[2] as i32 - b[0] as i32 - 700).abs() < 20,
        "7 glyphs of 100 px: {b:?}"
    );
    assert!(b[1] > 150 && b[3] < 340, "{b:?}");
    assert!(t.lines[1].bbox[1] > b[1]);
}

#[test]
fn a_folder_of_page_images_is_one_dossier_in_file_name_order() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("卷2022-015");
    std::fs::create_dir(&dir).unwrap();
    let a = test_scan(400, 600);
    a.save(dir.join("p1.png")).unwrap();
    std::fs::write(dir.join("p2.jpg"), jpeg_bytes(&a, 90)).unwrap();
    image::imageops::rotate180(&a)
        .save(dir.join("p10.tif"))
        .unwrap();
    let found = discover(&[d.path().to_path_buf()]).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, SourceKind::ImageFolder);
    assert_eq!(found[0].stem(), "卷2022-015");
    let mut r = open(&found[0], &options()).unwrap();
    assert_eq!(r.page_count(), 3);
    let PageContent::Image(last) = r.read_page(2).unwrap() else {
        panic!()
    };
    assert_eq!(last.origin, ImageOrigin::File);
    assert!(
        gray_at(&last.image.to_luma8(), 0.83, 0.85) < 40,
        "p10 comes last"
    );
    let sha = found[0].sha256().unwrap();
    assert_eq!(sha.len(), 64);
}

fn open_error(path: &Path) -> String {
    let src = DossierSource::pdf(path);
    match open(&src, &options()) {
        Ok(_) => panic!("{} opened", path.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_inputs_are_refused_with_the_file_and_the_problem() {
    let d = tempfile::tempdir().unwrap();
    let good = build_pdf(&[PageSpec::a4(PageKind::Vector(
        "0 g 10 10 50 50 re f".into(),
    ))]);

    let e = open_error(&write(d.path(), "empty.pdf", b""));
    assert!(e.contains("empty.pdf") && e.contains("empty file"), "{e}");

    let e = open_error(&write(d.path(), "notes.pdf", "这不是PDF文件".as_bytes()));
    assert!(e.contains("notes.pdf") && e.contains("not a PDF"), "{e}");

    let e = open_error(&write(d.path(), "cut.pdf", &good[..good.len() / 2]));
    assert!(e.contains("cut.pdf") && e.contains("truncated"), "{e}");

    let e = open_error(&write(d.path(), "zero.pdf", &build_pdf(&[])));
    assert!(e.contains("zero.pdf") && e.contains("no pages"), "{e}");

    let enc = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/encrypted.pdf");
    let e = open_error(&enc);
    assert!(e.contains("encrypted.pdf") && e.contains("password"), "{e}");

    let e = open_error(&d.path().join("missing.pdf"));
    assert!(e.contains("missing.pdf"), "{e}");
}

#[test]
fn an_unreadable_page_image_names_the_file() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("scans");
    std::fs::create_dir(&dir).unwrap();
    test_scan(100, 100).save(dir.join("1.png")).unwrap();
    std::fs::write(dir.join("2.jpg"), b"\xFF\xD8\xFF\xE0 garbage").unwrap();
    let found = discover(std::slice::from_ref(&dir)).unwrap();
    let mut r = open(&found[0], &options()).unwrap();
    assert!(r.read_page(0).is_ok());
    let e = r.read_page(1).unwrap_err().to_string();
    assert!(e.contains("2.jpg") && e.contains("unreadable image"), "{e}");
}

#[test]
fn a_page_bigger_than_the_pixel_cap_is_refused_or_rendered_smaller() {
    let d = tempfile::tempdir().unwrap();
    // A scan whose image declares 35000 × 35000 pixels (a decompression
    // bomb: 1.2 GB decoded), and the biggest page PDF allows, drawn.
    let bomb = PageSpec::a4(PageKind::Ccitt {
        bytes: vec![0; 64],
        w: 35_000,
        h: 35_000,
    });
    let poster = PageSpec {
        width_pt: 14_400.0,
        height_pt: 14_400.0,
        rotate: 0,
        kind: PageKind::Vector("0 g 100 100 7000 7000 re f".into()),
    };
    let pdf = write(d.path(), "big.pdf", &build_pdf(&[bomb, poster]));
    let source = DossierSource::pdf(&pdf);
    let mut r = open(&source, &options()).unwrap();
    let e = r.read_page(0).unwrap_err().to_string();
    assert!(
        e.contains("big.pdf (page 1)")
            && e.contains("35000 × 35000")
            && e.contains("--max-page-megapixels"),
        "{e}"
    );
    let PageContent::Image(poster) = r.read_page(1).unwrap() else {
        panic!("a vector page is rendered");
    };
    let pixels = poster.image.width() as u64 * poster.image.height() as u64;
    assert!(pixels <= 40_000_000, "{pixels}");
    assert!(poster.dpi < 300 && poster.dpi >= 30, "{}", poster.dpi);
    // Drawn where it was: the black square fills the lower left quarter.
    assert!(gray_at(&poster.image.to_luma8(), 0.25, 0.75) < 60);
    assert!(gray_at(&poster.image.to_luma8(), 0.75, 0.25) > 200);

    // A page image whose header claims 40000 × 40000 pixels is refused
    // before a pixel is decoded.
    let dir = d.path().join("scans");
    std::fs::create_dir(&dir).unwrap();
    let mut jpg = jpeg_bytes(&test_scan(64, 64), 80);
    let sof = jpg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpg[sof + 5..sof + 9].copy_from_slice(&[0x9C, 0x40, 0x9C, 0x40]);
    std::fs::write(dir.join("1.jpg"), &jpg).unwrap();
    let found = discover(std::slice::from_ref(&dir)).unwrap();
    let mut r = open(&found[0], &options()).unwrap();
    let e = r.read_page(0).unwrap_err().to_string();
    assert!(e.contains("40000 × 40000") && e.contains("1.jpg"), "{e}");
}
