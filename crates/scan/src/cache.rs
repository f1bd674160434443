//! The cache under `DIR/.cache/`: one small file per OCR'd page, keyed by the
//! page image's hash and the engine's configuration, and one record per
//! finished dossier (input hash + run configuration), so that a rerun skips
//! unchanged dossiers and a killed run loses at most the pages in flight.

use crate::page::OcrPage;
use anjuan_core::fsutil::atomic_write_json;
use image::DynamicImage;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const CACHE_DIR: &str = ".cache";

/// sha256 of a page image: size, pixel layout and pixels.
pub fn image_hash(image: &DynamicImage) -> String {
    let mut h = Sha256::new();
    h.update(image.width().to_le_bytes());
    h.update(image.height().to_le_bytes());
    h.update(format!("{:?}", image.color()).as_bytes());
    h.update(image.as_bytes());
    hex::encode(h.finalize())
}

pub fn short_hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))[..16].to_string()
}

#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

/// What a finished dossier was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DossierRecord {
    pub sha256: String,
    /// [`crate::RunConfig::key`] of the run that wrote it.
    pub config: String,
    pub page_count: u32,
}

impl Cache {
    pub fn new(out_dir: &Path) -> Self {
        Cache {
            root: out_dir.join(CACHE_DIR),
        }
    }

    fn page_path(&self, engine_key: &str, image_hash: &str) -> PathBuf {
        self.root
            .join("ocr")
            .join(short_hash(engine_key))
            .join(&image_hash[..2])
            .join(format!("{image_hash}.json"))
    }

    /// A cached OCR result; an unreadable or stale-format entry counts as a miss.
    pub fn get_page(&self, engine_key: &str, image_hash: &str) -> Option<OcrPage> {
        let bytes = std::fs::read(self.page_path(engine_key, image_hash)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn put_page(
        &self,
        engine_key: &str,
        image_hash: &str,
        page: &OcrPage,
    ) -> std::io::Result<()> {
        atomic_write_json(&self.page_path(engine_key, image_hash), page)
    }

    fn record_path(&self, id: &str) -> PathBuf {
        self.root.join("dossiers").join(format!("{id}.json"))
    }

    pub fn get_record(&self, id: &str) -> Option<DossierRecord> {
        let bytes = std::fs::read(self.record_path(id)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn put_record(&self, id: &str, record: &DossierRecord) -> std::io::Result<()> {
        atomic_write_json(&self.record_path(id), record)
    }

    pub fn remove_record(&self, id: &str) {
        let _ = std::fs::remove_file(self.record_path(id));
    }
}
