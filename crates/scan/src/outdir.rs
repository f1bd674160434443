//! The output folder of a run: made, checked writable, locked against a
//! second `anjuan scan` writing to it at the same time, and cleared of the
//! temporary files a killed run leaves.

use crate::cache::CACHE_DIR;
use std::os::unix::io::AsRawFd;
use std::path::Path;

/// Held while a run writes to its output folder.
pub struct OutLock {
    _file: std::fs::File,
}

/// Makes `out` ready; the error names the folder and the problem.
pub fn prepare(out: &Path) -> Result<OutLock, String> {
    let cache = out.join(CACHE_DIR);
    std::fs::create_dir_all(&cache)
        .map_err(|e| format!("{}: cannot create the output folder: {e}", cache.display()))?;
    let path = cache.join("lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("{}: cannot write to the output folder: {e}", path.display()))?;
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        return Err(format!(
            "{}: another `anjuan scan` is writing to this output folder",
            out.display()
        ));
    }
    remove_stale_temporaries(out);
    Ok(OutLock { _file: file })
}

/// Removes the temporary files (`.anjuan-*.tmp`) that a run killed while
/// writing leaves; they are never read.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in listing.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        match entry.file_type() {
            Ok(t) if t.is_dir() => remove_stale_temporaries(&entry.path()),
            Ok(_) if name.starts_with(".anjuan-") && name.ends_with(".tmp") => {
                let _ = std::fs::remove_file(entry.path());
            }
            _ => {}
        }
    }
}
