//! Locating what `scripts/setup.sh` installed: libpdfium, libonnxruntime and
//! the PP-OCRv4 models, under `third_party/` of the checkout.
//!
//! Order: the `ANJUAN_THIRD_PARTY` environment variable; `third_party/` beside
//! the running executable or in any of its ancestors (so `target/release/anjuan`
//! finds the checkout's); `third_party/` in the current directory or its ancestors.

use std::path::{Path, PathBuf};

pub const ENV_VAR: &str = "ANJUAN_THIRD_PARTY";

pub fn third_party_dir() -> Option<PathBuf> {
    locate(ENV_VAR, |dir| {
        let c = dir.join("third_party");
        c.join("MANIFEST").is_file().then_some(c)
    })
}

/// Where a shipped file is: the environment variable `env` when set, else the
/// first ancestor of the running executable (so `target/release/anjuan` finds
/// the checkout's), then of the current directory, for which `probe` gives a
/// path.
pub fn locate(env: &str, probe: impl Fn(&Path) -> Option<PathBuf>) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p));
    }
    let mut starts = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        starts.push(exe);
    }
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    starts.iter().find_map(|s| s.ancestors().find_map(&probe))
}

/// A file at `rel` (e.g. `models/classifier.json`) below the first ancestor
/// that has it, searched as [`locate`] does; `env` overrides.
pub fn locate_file(env: &str, rel: &str) -> Option<PathBuf> {
    locate(env, |dir| {
        let c = dir.join(rel);
        c.is_file().then_some(c)
    })
}

/// The `third_party/` directory or an error telling the user to run the setup script.
pub fn require_third_party() -> Result<PathBuf, String> {
    third_party_dir().ok_or_else(|| {
        format!(
            "third_party/ not found (set {ENV_VAR} or run `bash scripts/setup.sh` in the checkout)"
        )
    })
}
