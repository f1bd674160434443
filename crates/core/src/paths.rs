//! Locating what `scripts/setup.sh` installed: libpdfium, libonnxruntime and
//! the PP-OCRv4 models, under `third_party/` of the checkout.
//!
//! Order: the `ANJUAN_THIRD_PARTY` environment variable; `third_party/` beside
//! the running executable or in any of its ancestors (so `target/release/anjuan`
//! finds the checkout's); `third_party/` in the current directory or its ancestors.

use std::path::{Path, PathBuf};

pub const ENV_VAR: &str = "ANJUAN_THIRD_PARTY";

pub fn third_party_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(ENV_VAR) {
        return Some(PathBuf::from(p));
    }
    let mut starts = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        starts.push(exe);
    }
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    starts.iter().find_map(|s| find_upwards(s))
}

fn find_upwards(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|a| a.join("third_party"))
        .find(|c| c.join("MANIFEST").is_file())
}

/// The `third_party/` directory or an error telling the user to run the setup script.
pub fn require_third_party() -> Result<PathBuf, String> {
    third_party_dir().ok_or_else(|| {
        format!(
            "third_party/ not found (set {ENV_VAR} or run `bash scripts/setup.sh` in the checkout)"
        )
    })
}
