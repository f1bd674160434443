//! What both targets share: the ingest options and a scratch folder per process.

use anjuan_ingest::{IngestOptions, PageContent, PageReader};
use std::path::PathBuf;
use std::sync::OnceLock;

/// Pages read per input: enough to reach the page tree's later kids, bounded
/// so that one input stays quick.
pub const MAX_PAGES: u32 = 3;

pub fn options() -> &'static IngestOptions {
    static OPTIONS: OnceLock<IngestOptions> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let tp = anjuan_core::paths::third_party_dir()
            .or_else(|| {
                let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../third_party"));
                p.is_dir().then_some(p)
            })
            .expect("third_party/ (run scripts/setup.sh) with lib/libpdfium.so");
        let options = IngestOptions::new(&tp);
        anjuan_ingest::bind_pdfium(&options.pdfium_lib_dir).expect("libpdfium");
        options
    })
}

/// An empty folder of this process's own (the fuzzer may run several processes).
pub fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("anjuan-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("scratch folder");
        d
    })
}

/// Reads the first pages; every outcome but a crash, hang or runaway memory is fine.
/// An error must name the file it is about.
pub fn read_pages(mut reader: Box<dyn PageReader>) {
    let n = reader.page_count().min(MAX_PAGES);
    for i in 0..n {
        match reader.read_page(i) {
            Ok(PageContent::Image(img)) => {
                assert!(
                    img.image.width() > 0 && img.image.height() > 0,
                    "empty image"
                );
                assert!(img.dpi > 0);
            }
            Ok(PageContent::Text(_)) => {}
            Err(e) => assert!(!e.problem.is_empty(), "error without a message"),
        }
    }
}
