//! Reading the truth set and what `anjuan scan` wrote.
//!
//! The truth is the measuring stick: a broken truth file is an error.
//! Scan output is what is measured: anything broken in it becomes the
//! failure reason of its dossier, never an error.

use anjuan_core::contract::{
    DossierStatus, Index, IndexEntry, Review, INDEX_SCHEMA, REVIEW_SCHEMA, REVIEW_SCHEMAS_READ,
};
use anjuan_core::truth::{DossierTruth, TRUTH_SCHEMA};
use anyhow::{bail, Context};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

pub const TRUTH_SUFFIX: &str = ".truth.json";

/// Every `<id>.truth.json` directly in `dir`, sorted by id.
pub fn load_truths(dir: &Path) -> anyhow::Result<Vec<DossierTruth>> {
    if !dir.is_dir() {
        bail!("truth directory {} does not exist", dir.display());
    }
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading truth directory {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("reading truth directory {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(TRUTH_SUFFIX) {
            files.push((stem.to_string(), entry.path()));
        }
    }
    if files.is_empty() {
        bail!("{}: no *{TRUTH_SUFFIX} files", dir.display());
    }
    files.sort();
    let mut truths = Vec::with_capacity(files.len());
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for (stem, path) in files {
        let truth = read_truth(&path)?;
        if truth.id != stem {
            bail!(
                "{}: id `{}` does not match the file name (expected `{stem}`)",
                path.display(),
                truth.id
            );
        }
        if let Some(other) = seen.insert(truth.id.clone(), path.clone()) {
            bail!(
                "{} and {}: the same id `{}`",
                other.display(),
                path.display(),
                truth.id
            );
        }
        truths.push(truth);
    }
    Ok(truths)
}

fn read_truth(path: &Path) -> anyhow::Result<DossierTruth> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let truth: DossierTruth = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a valid {TRUTH_SCHEMA} document", path.display()))?;
    if truth.schema != TRUTH_SCHEMA {
        bail!(
            "{}: schema `{}`, expected `{TRUTH_SCHEMA}`",
            path.display(),
            truth.schema
        );
    }
    for (i, page) in truth.pages.iter().enumerate() {
        if page.page as usize != i + 1 {
            bail!(
                "{}: pages[{i}] is page {}, expected {}",
                path.display(),
                page.page,
                i + 1
            );
        }
    }
    Ok(truth)
}

/// `RUN_OUT/index.json`, or why it cannot be used.
pub fn load_index(run_dir: &Path) -> Result<Index, String> {
    let path = run_dir.join("index.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let index: Index =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if index.schema != INDEX_SCHEMA {
        return Err(format!(
            "{}: schema `{}`, expected `{INDEX_SCHEMA}`",
            path.display(),
            index.schema
        ));
    }
    Ok(index)
}

/// A review that passed every consistency check, and its dossier directory.
pub struct LoadedReview {
    pub review: Review,
    pub dir: PathBuf,
}

impl LoadedReview {
    /// The recognised text of page `page`, or None when its file is missing
    /// or unreadable. Invalid UTF-8 is replaced (and so counts as errors).
    pub fn page_text(&self, page: u32) -> Option<String> {
        let entry = self.review.pages.iter().find(|p| p.page == page)?;
        let bytes = std::fs::read(self.dir.join(&entry.ocr.text_file)).ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// The index entry of `truth_id`: the one whose id equals it, else the one
/// whose source file stem does; an ok entry is preferred over a failed one.
fn find_entry<'a>(index: &'a Index, truth_id: &str) -> Option<&'a IndexEntry> {
    let by_id: Vec<&IndexEntry> = index.dossiers.iter().filter(|e| e.id == truth_id).collect();
    let candidates = if by_id.is_empty() {
        index
            .dossiers
            .iter()
            .filter(|e| {
                Path::new(&e.source)
                    .file_stem()
                    .is_some_and(|s| s == truth_id)
            })
            .collect()
    } else {
        by_id
    };
    candidates
        .iter()
        .find(|e| e.status == DossierStatus::Ok)
        .or(candidates.first())
        .copied()
}

/// The review of the truth dossier `truth` (of `page_count` pages), or the
/// reason it cannot be used.
pub fn load_review(
    run_dir: &Path,
    index: &Result<Index, String>,
    truth_id: &str,
    page_count: usize,
) -> Result<LoadedReview, String> {
    let index = index
        .as_ref()
        .map_err(|e| format!("no usable index.json ({e})"))?;
    let entry = find_entry(index, truth_id).ok_or("not in index.json")?;
    if entry.status == DossierStatus::Failed {
        let why = entry.error.as_deref().unwrap_or("no error given");
        return Err(format!("scan failed: {why}"));
    }
    let mut parts = Path::new(&entry.id).components();
    if !matches!(
        (parts.next(), parts.next()),
        (Some(Component::Normal(_)), None)
    ) {
        return Err(format!(
            "index.json id `{}` is not a plain directory name",
            entry.id
        ));
    }
    let dir = run_dir.join(&entry.id);
    let path = dir.join("review.json");
    let shown = format!("{}/review.json", entry.id);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{shown}: {e}"))?;
    let review: Review = serde_json::from_str(&text)
        .map_err(|e| format!("{shown}: not a valid {REVIEW_SCHEMA} document: {e}"))?;
    if !REVIEW_SCHEMAS_READ.contains(&review.schema.as_str()) {
        return Err(format!(
            "{shown}: schema `{}`, expected `{REVIEW_SCHEMA}` (or {})",
            review.schema,
            REVIEW_SCHEMAS_READ[..REVIEW_SCHEMAS_READ.len() - 1].join(", ")
        ));
    }
    if review.dossier.page_count as usize != page_count {
        return Err(format!(
            "{shown}: page_count {}, the truth has {page_count} pages",
            review.dossier.page_count
        ));
    }
    let mut listed: Vec<u32> = review.pages.iter().map(|p| p.page).collect();
    listed.sort_unstable();
    if listed != (1..=page_count as u32).collect::<Vec<_>>() {
        return Err(format!(
            "{shown}: pages[] does not list pages 1 to {page_count} once each"
        ));
    }
    Ok(LoadedReview { review, dir })
}
