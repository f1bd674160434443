//! Finding dossiers: PDFs named directly or found in folders (recursively), and
//! folders whose files are only page images.

use crate::IngestError;
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Extensions (lower case) of page-image files.
pub(crate) const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "tif", "tiff"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Pdf,
    ImageFolder,
}

/// One dossier to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierSource {
    /// The PDF, or the folder of page images.
    pub path: PathBuf,
    pub kind: SourceKind,
    /// Page images in page order (empty for a PDF).
    pub files: Vec<PathBuf>,
}

impl DossierSource {
    pub fn pdf(path: impl Into<PathBuf>) -> Self {
        DossierSource {
            path: path.into(),
            kind: SourceKind::Pdf,
            files: Vec::new(),
        }
    }

    /// The file stem (PDF) or folder name (image folder).
    pub fn stem(&self) -> String {
        let name = match self.kind {
            SourceKind::Pdf => self.path.file_stem(),
            SourceKind::ImageFolder => self.path.file_name(),
        };
        name.map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "dossier".to_string())
    }

    /// sha256 of the PDF, or of the image files' sha256s in page order.
    pub fn sha256(&self) -> Result<String, IngestError> {
        match self.kind {
            SourceKind::Pdf => file_sha256(&self.path),
            SourceKind::ImageFolder => {
                let mut h = Sha256::new();
                for f in &self.files {
                    h.update(file_sha256(f)?.as_bytes());
                    h.update(b"\n");
                }
                Ok(hex::encode(h.finalize()))
            }
        }
    }
}

pub(crate) fn file_sha256(path: &Path) -> Result<String, IngestError> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| IngestError::new(path, format!("cannot open: {e}")))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| IngestError::new(path, format!("cannot read: {e}")))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

fn is_image_file(path: &Path) -> bool {
    extension(path).is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str()))
}

fn is_pdf_file(path: &Path) -> bool {
    extension(path).is_some_and(|e| e == "pdf")
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// The dossiers under `paths`, in order: a file is one PDF dossier (whatever its
/// extension: a non-PDF fails when opened, naming the file); a folder is walked
/// recursively (hidden entries skipped, names in natural order) for PDFs and for
/// folders of page images. A path that does not exist is an error.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<DossierSource>, IngestError> {
    Ok(discover_all(paths)?.dossiers)
}

/// What is under the paths of a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub dossiers: Vec<DossierSource>,
    /// Files in the folders walked that are not scanned: neither PDFs nor
    /// page images, or page images beside PDFs (a folder of page images is
    /// one dossier only when it holds no PDF). Hidden files are not listed.
    pub skipped: Vec<PathBuf>,
}

/// [`discover`], with the files it skips.
pub fn discover_all(paths: &[PathBuf]) -> Result<Found, IngestError> {
    let mut found = Found::default();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| IngestError::new(p, format!("{e}")))?;
        if meta.is_dir() {
            walk(p, &mut found.dossiers, &mut found.skipped)?;
        } else {
            found.dossiers.push(DossierSource::pdf(p));
        }
    }
    Ok(found)
}

fn walk(
    dir: &Path,
    out: &mut Vec<DossierSource>,
    skipped: &mut Vec<PathBuf>,
) -> Result<(), IngestError> {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| IngestError::new(dir, format!("cannot list folder: {e}")))?;
    for entry in entries {
        let entry = entry.map_err(|e| IngestError::new(dir, format!("cannot list folder: {e}")))?;
        let path = entry.path();
        if is_hidden(&path) {
            continue;
        }
        // Follows symlinks: a linked PDF or folder counts like a real one.
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => dirs.push(path),
            Ok(_) => files.push(path),
            Err(_) => files.push(path), // dangling link: reported when opened
        }
    }
    files.sort_by(|a, b| natural_cmp(a, b));
    dirs.sort_by(|a, b| natural_cmp(a, b));
    let (pdfs, rest): (Vec<PathBuf>, Vec<PathBuf>) =
        files.into_iter().partition(|f| is_pdf_file(f));
    let (images, others): (Vec<PathBuf>, Vec<PathBuf>) =
        rest.into_iter().partition(|f| is_image_file(f));
    if pdfs.is_empty() && !images.is_empty() {
        // A folder of page scans is one dossier, whatever else lies beside
        // them (Thumbs.db, a note): those are listed as skipped.
        out.push(DossierSource {
            path: dir.to_path_buf(),
            kind: SourceKind::ImageFolder,
            files: images,
        });
    } else {
        out.extend(pdfs.into_iter().map(DossierSource::pdf));
        skipped.extend(images);
    }
    skipped.extend(others);
    for d in dirs {
        walk(&d, out, skipped)?;
    }
    Ok(())
}

/// File-name order with runs of digits compared as numbers (`p2` before `p10`).
pub(crate) fn natural_cmp(a: &Path, b: &Path) -> Ordering {
    let a = a
        .file_name()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    let b = b
        .file_name()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return a.cmp(&b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let take = |it: &mut std::iter::Peekable<std::str::Chars>| {
                    let mut s = String::new();
                    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
                        s.push(c);
                        it.next();
                    }
                    s
                };
                let (m, n) = (take(&mut x), take(&mut y));
                let (mt, nt) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                let ord = mt.len().cmp(&nt.len()).then_with(|| mt.cmp(nt));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(&d);
                }
                x.next();
                y.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_numbers_by_value() {
        let mut v: Vec<PathBuf> = ["p10.png", "p2.png", "p1.png", "a.png"]
            .iter()
            .map(PathBuf::from)
            .collect();
        v.sort_by(|a, b| natural_cmp(a, b));
        let names: Vec<_> = v.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["a.png", "p1.png", "p2.png", "p10.png"]);
    }

    #[test]
    fn folders_of_images_are_dossiers_and_pdfs_are_found_recursively() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir_all(root.join("a/scans")).unwrap();
        std::fs::write(root.join("a/x.pdf"), b"%PDF").unwrap();
        std::fs::write(root.join("a/x.truth.json"), b"{}").unwrap();
        std::fs::write(root.join("a/scans/2.png"), b"").unwrap();
        std::fs::write(root.join("a/scans/10.png"), b"").unwrap();
        std::fs::write(root.join("b.PDF"), b"%PDF").unwrap();
        std::fs::write(root.join("a/scans/Thumbs.db"), b"").unwrap();
        let all = discover_all(&[root.to_path_buf()]).unwrap();
        assert_eq!(
            all.skipped,
            vec![root.join("a/x.truth.json"), root.join("a/scans/Thumbs.db")]
        );
        let found = discover(&[root.to_path_buf()]).unwrap();
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].path, root.join("b.PDF"));
        assert_eq!(found[1].path, root.join("a/x.pdf"));
        assert_eq!(found[2].kind, SourceKind::ImageFolder);
        assert_eq!(
            found[2].files,
            vec![root.join("a/scans/2.png"), root.join("a/scans/10.png")]
        );
        assert_eq!(found[2].stem(), "scans");
        let missing = discover(&[root.join("nope.pdf")]).unwrap_err();
        assert!(missing.to_string().contains("nope.pdf"), "{missing}");
    }
}
