//! Bytes as a PDF dossier: discover, hash, open, read the first pages.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = common::options();
    let path = common::scratch().join("input.pdf");
    std::fs::write(&path, data).expect("write input");
    let sources = anjuan_ingest::discover(std::slice::from_ref(&path)).expect("discover a file");
    assert_eq!(sources.len(), 1);
    let source = &sources[0];
    source.sha256().expect("hash");
    match anjuan_ingest::open(source, options) {
        Ok(reader) => common::read_pages(reader),
        Err(e) => assert_eq!(e.file, path, "the error names another file: {e}"),
    }
});
