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
    let sources: Vec<&str> = index.dossiers.iter().map(|d| d.source.as_str()).collect();
    Ok(index
        .dossiers
        .iter()
        .filter(|d| d.status == DossierStatus::Ok)
        .map(|d| ImportOutcome {
            scan_id: d.id.clone(),
            result: import_dossier(
                store,
                &run_dir.join(&d.id),
                folder_unit(&sources, &d.source),
            ),
        })
        .collect())
}

/// The unit folder of a dossier when the scanned archive is laid out by
/// unit (`anjuan scan ARCHIVE`, ARCHIVE holding a folder per unit,
/// `ARCHIVE/<unit>/…/<dossier>.pdf`): the first folder of its source below
/// the folder all the run's sources share. None when the dossier lies in
/// that folder itself (a run of one unit's folder, or of loose files).
pub fn folder_unit(sources: &[&str], source: &str) -> Option<String> {
    let parents = |s: &str| -> Vec<String> {
        let mut parts: Vec<String> = Path::new(s)
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(p) => p.to_str().map(str::to_string),
                _ => None,
            })
            .collect();
        parts.pop();
        parts
    };
    let mine = parents(source);
    let shared = sources
        .iter()
        .map(|s| parents(s))
        .map(|p| p.iter().zip(&mine).take_while(|(a, b)| a == b).count())
        .min()
        .unwrap_or(0);
    mine.get(shared).cloned()
}

fn import_dossier(
    store: &dyn Store,
    dir: &Path,
    folder_unit: Option<String>,
) -> Result<Imported, String> {
    let dossier = read_dossier(dir, folder_unit)?;
    store
        .import(&dossier)
        .map_err(|e| format!("{}: {e}", dir.join("review.json").display()))
}

/// A dossier's folder of a scan (`DIR/<id>/`: `review.json`, its pages'
/// text and views) as a dossier to import. Errors name the file.
pub fn read_dossier(dir: &Path, folder_unit: Option<String>) -> Result<NewDossier, String> {
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
    Ok(NewDossier {
        review_json,
        page_texts,
        page_views,
        folder_unit,
    })
}

#[cfg(test)]
mod tests {
    use super::folder_unit;

    #[test]
    fn the_unit_is_the_first_folder_below_the_archive() {
        let run = [
            "archive/蒲县市场监督管理局/2023/a.pdf",
            "archive/蒲县市场监督管理局/b.pdf",
            "archive/黑龙关镇/c.pdf",
        ];
        assert_eq!(
            folder_unit(&run, run[0]).as_deref(),
            Some("蒲县市场监督管理局")
        );
        assert_eq!(folder_unit(&run, run[2]).as_deref(), Some("黑龙关镇"));
        // One unit's folder scanned alone, or loose files: no folder unit.
        let one = ["archive/黑龙关镇/c.pdf", "archive/黑龙关镇/d.pdf"];
        assert_eq!(folder_unit(&one, one[0]), None);
        assert_eq!(folder_unit(&["samples/x.pdf"], "samples/x.pdf"), None);
    }
}
