//! Importing a scan's output folder (`anjuan scan --out DIR`) into a store:
//! every dossier `index.json` lists as `ok`, with its `review.json` as
//! written, its pages' text and their views (`pages/NNNN.jpg`). Idempotent: a dossier already imported (same
//! input sha256) is found, not added again.

use crate::{Imported, NewDossier, Store};
use anjuan_core::contract::{DossierStatus, Index, Review};
use std::path::Path;

/// What became of one dossier of the folder.
#[derive(Debug)]
pub struct ImportOutcome {
    /// The dossier's id in the scan (its folder name).
    pub scan_id: String,
    pub result: Result<Imported, String>,
}

/// Imports the dossiers of the scan folder `run_dir`. A dossier that cannot
/// be read costs that dossier (its outcome says why), never the rest; a
/// folder without a readable `index.json` is an error.
pub fn import_run(store: &dyn Store, run_dir: &Path) -> Result<Vec<ImportOutcome>, String> {
    let index_path = run_dir.join("index.json");
    let text = std::fs::read_to_string(&index_path)
        .map_err(|e| format!("{}: cannot read: {e}", index_path.display()))?;
    let index: Index = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a scan index: {e}", index_path.display()))?;
    Ok(index
        .dossiers
        .iter()
        .filter(|d| d.status == DossierStatus::Ok)
        .map(|d| ImportOutcome {
            scan_id: d.id.clone(),
            result: import_dossier(store, &run_dir.join(&d.id)),
        })
        .collect())
}

fn import_dossier(store: &dyn Store, dir: &Path) -> Result<Imported, String> {
    let review_path = dir.join("review.json");
    let review_json = std::fs::read_to_string(&review_path)
        .map_err(|e| format!("{}: cannot read: {e}", review_path.display()))?;
    let review: Review = serde_json::from_str(&review_json)
        .map_err(|e| format!("{}: {e}", review_path.display()))?;
    let mut page_texts = Vec::with_capacity(review.pages.len());
    let mut page_views = Vec::with_capacity(review.pages.len());
    for p in &review.pages {
        // The contract names the file; nothing outside the dossier's folder
        // is read whatever it says.
        let rel = Path::new(&p.ocr.text_file);
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(format!(
                "{}: page {}: text file {:?} is outside the dossier's folder",
                review_path.display(),
                p.page,
                p.ocr.text_file
            ));
        }
        let path = dir.join(rel);
        page_texts.push(
            std::fs::read_to_string(&path)
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))?,
        );
        // The page's view beside its text, when the scan made one.
        let view = path.with_extension("jpg");
        page_views.push(match std::fs::read(&view) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("{}: cannot read: {e}", view.display())),
        });
    }
    store
        .import(&NewDossier {
            review_json,
            page_texts,
            page_views,
        })
        .map_err(|e| format!("{}: {e}", review_path.display()))
}
