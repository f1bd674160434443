//! The corner pass on a real generated scan: the archival page number the
//! page pass misses is read, and a page without one gains none.
//!
//! Fixture `tests/data/boxed_page_number.jpg`: page 7 of `anjuan generate
//! --seed 5412` dossier d5412-001 (an interview record page, 200 DPI,
//! colour), numbered 7 with a boxed numbering stamp in the top-right corner,
//! which the page pass of PP-OCRv4 does not detect at all.
//!
//! Needs `third_party/` (run `bash scripts/setup.sh`).

use anjuan_ocr::corner::{corner_number, CornerParams};
use anjuan_ocr::{read_page, PageText, PpOcrEngine, PpParams};
use image::{DynamicImage, Luma};
use std::path::Path;

fn engine(corner: bool) -> PpOcrEngine {
    let tp = anjuan_core::paths::third_party_dir()
        .expect("third_party/ not found: run `bash scripts/setup.sh`");
    let params = PpParams {
        corner: CornerParams {
            enabled: corner,
            ..CornerParams::default()
        },
        ..PpParams::default()
    };
    PpOcrEngine::new(&tp, params).expect("PP-OCR engine")
}

fn page() -> DynamicImage {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/boxed_page_number.jpg");
    image::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lone numbers read in the corner window.
fn corner_numbers(text: &PageText) -> Vec<u32> {
    let p = CornerParams::default();
    text.lines
        .iter()
        .filter(|l| p.contains(l.bbox, text.width, text.height))
        .filter_map(|l| corner_number(&l.text))
        .collect()
}

#[test]
fn the_corner_pass_reads_a_boxed_stamp_the_page_pass_misses() {
    let img = page();
    let plain = read_page(&mut engine(false), &img).expect("plain read");
    assert_eq!(
        corner_numbers(&plain.text),
        Vec::<u32>::new(),
        "the page pass alone now reads the number: the fixture no longer shows the miss"
    );
    let read = read_page(&mut engine(true), &img).expect("read with corner pass");
    assert_eq!(corner_numbers(&read.text), vec![7]);
    // The rest of the page is the page pass's.
    let others = |t: &PageText| t.lines.len() - corner_numbers(t).len();
    assert_eq!(others(&read.text), others(&plain.text));
    // The number's box is in page pixels, on the stamp (truth box
    // [1528, 117, 1546, 143] on the upright page).
    let line = read
        .text
        .lines
        .iter()
        .find(|l| l.text == "7")
        .expect("line 7");
    let [x0, y0, x1, y1] = line.bbox;
    assert!(
        x0 < 1546 && x1 > 1528 && y0 < 143 && y1 > 117,
        "{:?}",
        line.bbox
    );
}

#[test]
fn a_page_without_number_gains_none() {
    // The same page with its corner whitened: nothing is written there now.
    let mut gray = page().to_luma8();
    let (w, h) = gray.dimensions();
    let [x0, _, x1, y1] = CornerParams::default().window(w, h);
    let paper = *gray.get_pixel(x0 + 5, y1 + 5);
    for y in 0..y1 {
        for x in x0..x1 {
            gray.put_pixel(x, y, Luma([paper.0[0].max(200)]));
        }
    }
    let read = read_page(&mut engine(true), &DynamicImage::ImageLuma8(gray)).expect("read");
    assert_eq!(corner_numbers(&read.text), Vec::<u32>::new());
    let p = CornerParams::default();
    assert!(
        !read
            .text
            .lines
            .iter()
            .any(|l| p.contains(l.bbox, read.text.width, read.text.height)),
        "something read in an empty corner"
    );
}
