//! The cache under `DIR/.cache/`: one small file per OCR'd page, keyed by the
//! page image's hash and the engine's configuration; the page's marks (seals,
//! signatures, fingerprints) beside it under `marks/`, keyed also by the
//! detectors' version, so that new detectors redo the marks but not the OCR;
//! the page as OCR read it, scaled for reviewers, under `view/`;
//! and one record per
//! finished dossier (input hash + run configuration), so that a rerun skips
//! unchanged dossiers and a killed run loses at most the pages in flight.
//!
//! With a shared cache (`--shared-cache URL`, [`anjuan_objects::Objects`]:
//! a folder all workers mount, or S3), the pages' entries (OCR, marks,
//! views; not the per-folder dossier records) are also written there as
//! each page is done, and a page missing here is looked for there before it
//! is OCR'd: workers on many machines OCR each page once between them, and
//! a dossier a killed worker left half done is finished from its pages.

use crate::page::OcrPage;
use anjuan_core::fsutil::atomic_write_json;
use anjuan_core::marks::PageMarks;
use anjuan_objects::Objects;
use image::DynamicImage;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// What the marks of a page depend on besides the page: the OCR engine (the
/// labels are read by it) and the detectors' version.
pub fn marks_key(engine_key: &str) -> String {
    format!("{engine_key} marks={}", anjuan_marks::MARKS_VERSION)
}

/// The page's key for its marks: the gray image's hash, and on a colour scan
/// also its red plane (two scans may agree in gray and differ in red).
pub fn marks_hash(image_hash: &str, red: Option<&image::GrayImage>) -> String {
    match red {
        None => image_hash.to_string(),
        Some(r) => {
            let mut h = Sha256::new();
            h.update(image_hash.as_bytes());
            h.update(r.as_raw());
            hex::encode(h.finalize())
        }
    }
}

pub fn short_hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))[..16].to_string()
}

#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
    shared: Option<Arc<Objects>>,
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
            shared: None,
        }
    }

    /// This cache with a shared tier behind it.
    pub fn with_shared(mut self, shared: Option<Arc<Objects>>) -> Self {
        self.shared = shared;
        self
    }

    /// The entry's key in the shared cache: its path below the cache folder.
    fn shared_key(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).ok()?;
        Some(
            rel.components()
                .filter_map(|c| c.as_os_str().to_str())
                .collect::<Vec<_>>()
                .join("/"),
        )
    }

    /// The entry at `path`: here, or else from the shared cache (copied
    /// here). A shared cache that cannot be read is a miss, with a warning.
    fn read_entry(&self, path: &Path) -> Option<Vec<u8>> {
        if let Ok(bytes) = std::fs::read(path) {
            return Some(bytes);
        }
        let shared = self.shared.as_ref()?;
        let key = self.shared_key(path)?;
        match shared.get(&key) {
            Ok(Some(bytes)) => {
                if let Err(e) = anjuan_core::fsutil::atomic_write(path, &bytes) {
                    eprintln!("anjuan: warning: cannot copy {key} from the shared cache: {e}");
                }
                Some(bytes)
            }
            Ok(None) => None,
            Err(e) => {
                eprintln!("anjuan: warning: shared cache: {e}");
                None
            }
        }
    }

    /// Writes the entry here and to the shared cache. Only the local write
    /// is an error: a shared cache that cannot be written costs other
    /// workers a page's OCR, not this page.
    fn write_entry(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        anjuan_core::fsutil::atomic_write(path, bytes)?;
        if let (Some(shared), Some(key)) = (&self.shared, self.shared_key(path)) {
            if let Err(e) = shared.put(&key, bytes.to_vec()) {
                eprintln!("anjuan: warning: shared cache: {e}");
            }
        }
        Ok(())
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
        let bytes = self.read_entry(&self.page_path(engine_key, image_hash))?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn put_page(
        &self,
        engine_key: &str,
        image_hash: &str,
        page: &OcrPage,
    ) -> std::io::Result<()> {
        self.write_entry(&self.page_path(engine_key, image_hash), &to_json(page)?)
    }

    fn marks_path(&self, marks_key: &str, marks_hash: &str) -> PathBuf {
        self.root
            .join("marks")
            .join(short_hash(marks_key))
            .join(&marks_hash[..2])
            .join(format!("{marks_hash}.json"))
    }

    /// Cached marks of a page: `marks_key` is [`marks_key`] of the engine,
    /// `marks_hash` [`marks_hash`] of the page. Marks of another detector
    /// version count as a miss.
    pub fn get_marks(&self, marks_key: &str, marks_hash: &str) -> Option<PageMarks> {
        let bytes = self.read_entry(&self.marks_path(marks_key, marks_hash))?;
        let marks: PageMarks = serde_json::from_slice(&bytes).ok()?;
        (marks.version == anjuan_marks::MARKS_VERSION).then_some(marks)
    }

    pub fn put_marks(
        &self,
        marks_key: &str,
        marks_hash: &str,
        marks: &PageMarks,
    ) -> std::io::Result<()> {
        self.write_entry(&self.marks_path(marks_key, marks_hash), &to_json(marks)?)
    }

    /// Where the page's view is cached.
    pub fn view_path(&self, engine_key: &str, image_hash: &str) -> PathBuf {
        self.root
            .join("view")
            .join(short_hash(engine_key))
            .join(&image_hash[..2])
            .join(format!("{image_hash}.jpg"))
    }

    /// Whether the page's view ([`crate::view`]) is cached.
    /// With a shared cache, a view found there is copied here.
    pub fn has_view(&self, engine_key: &str, image_hash: &str) -> bool {
        let path = self.view_path(engine_key, image_hash);
        path.is_file() || (self.shared.is_some() && self.read_entry(&path).is_some())
    }

    pub fn put_view(&self, engine_key: &str, image_hash: &str, jpeg: &[u8]) -> std::io::Result<()> {
        self.write_entry(&self.view_path(engine_key, image_hash), jpeg)
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

/// An entry as [`atomic_write_json`] writes it.
fn to_json(value: &impl Serialize) -> std::io::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_of_another_detector_version_are_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let key = marks_key("engine-x");
        let hash = "ab".repeat(32);
        let mut marks = PageMarks {
            version: anjuan_marks::MARKS_VERSION,
            colour: true,
            ..PageMarks::default()
        };
        cache.put_marks(&key, &hash, &marks).unwrap();
        assert_eq!(cache.get_marks(&key, &hash), Some(marks.clone()));
        // Another engine is another key.
        assert_eq!(cache.get_marks(&marks_key("engine-y"), &hash), None);
        marks.version += 1;
        cache.put_marks(&key, &hash, &marks).unwrap();
        assert_eq!(cache.get_marks(&key, &hash), None);
    }

    #[test]
    fn a_colour_page_keys_its_marks_by_its_red_plane_too() {
        let gray_hash = "cd".repeat(32);
        let a = image::GrayImage::from_pixel(4, 4, image::Luma([255]));
        let b = image::GrayImage::from_pixel(4, 4, image::Luma([10]));
        assert_eq!(marks_hash(&gray_hash, None), gray_hash);
        assert_ne!(
            marks_hash(&gray_hash, Some(&a)),
            marks_hash(&gray_hash, Some(&b))
        );
    }
}
