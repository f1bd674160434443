//! Bytes as a folder of page images: the first byte picks the file's extension
//! (and whether a good page comes first), the rest is the file.
#![no_main]

#[path = "common.rs"]
mod common;

use anjuan_ingest::SourceKind;
use libfuzzer_sys::fuzz_target;

const EXTENSIONS: [&str; 5] = ["jpg", "png", "tif", "jpeg", "tiff"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let options = common::options();
    let dir = common::scratch().join("pages");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("pages folder");
    let ext = EXTENSIONS[(pick & 0x7f) as usize % EXTENSIONS.len()];
    // Top bit: the fuzzed file is page 2, after a 1 x 1 PNG.
    if pick & 0x80 != 0 {
        std::fs::write(dir.join("1.png"), TINY_PNG).expect("write page");
    }
    std::fs::write(dir.join(format!("2.{ext}")), bytes).expect("write page");
    let sources = anjuan_ingest::discover(std::slice::from_ref(&dir)).expect("discover");
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].kind, SourceKind::ImageFolder);
    sources[0].sha256().expect("hash");
    match anjuan_ingest::open(&sources[0], options) {
        Ok(reader) => common::read_pages(reader),
        Err(e) => assert!(
            e.file.starts_with(&dir),
            "the error names another file: {e}"
        ),
    }
});

/// A 1 x 1 gray PNG.
const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b,
    0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0x0f, 0x00, 0x01,
    0x01, 0x01, 0x00, 0xb1, 0x38, 0xf6, 0x14, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];
