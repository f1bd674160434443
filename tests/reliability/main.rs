//! Reliability (issue 14): what `anjuan scan` does with hostile files, native
//! crashes, hangs, memory hogs, kills, full and read-only disks, and Ctrl-C.
//! Every test runs the real program (`CARGO_BIN_EXE_anjuan`) on real PDFs
//! cut from the shipped samples, with real OCR; faults are real (an abort,
//! a segfault, a hang, a runaway allocation in the worker process, made on
//! demand by `ANJUAN_FAULT`, see `crates/scan/src/pipeline.rs`).
//!
//! Needs `bash scripts/setup.sh` (third_party, qpdf, strace) and root for
//! the tmpfs mounts of the disk tests.

mod corpus;
mod disk;
mod durability;
mod fuzz;
mod isolation;
mod resume;
mod workers;

use anjuan_core::contract::{Index, Review};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// One test at a time: they measure time and memory, which a neighbour
/// (the fuzzer's build, another scan) would spoil.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// The program under test.
pub fn anjuan() -> Command {
    Command::new(env!("CARGO_BIN_EXE_anjuan"))
}

/// Pages `range` (qpdf syntax, e.g. `1-3`) of the shipped sample `sample`,
/// as `dst`.
pub fn cut(sample: &str, range: &str, dst: &Path) {
    let src = Path::new(ROOT)
        .join("samples")
        .join(format!("{sample}.pdf"));
    let status = Command::new("qpdf")
        .arg("--empty")
        .arg("--pages")
        .arg(&src)
        .arg(range)
        .arg("--")
        .arg(dst)
        .status()
        .expect("qpdf (scripts/setup.sh installs it)");
    assert!(status.success(), "qpdf {range} of {}", src.display());
}

/// A folder `dir/in` of small dossiers (three pages each, every page
/// different), named `name.pdf` from (sample, pages).
pub fn inputs(dir: &Path, files: &[(&str, &str, &str)]) -> PathBuf {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    for (name, sample, range) in files {
        cut(sample, range, &input.join(format!("{name}.pdf")));
    }
    input
}

pub fn index(out: &Path) -> Index {
    let bytes = std::fs::read(out.join("index.json"))
        .unwrap_or_else(|e| panic!("{}/index.json: {e}", out.display()));
    serde_json::from_slice(&bytes).unwrap()
}

pub fn review(out: &Path, id: &str) -> Review {
    let path = out.join(id).join("review.json");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap()
}

/// A test's start: its turn ([`one_at_a_time`]), a scratch folder, and
/// its input dossiers in `scratch/in` ([`inputs`]).
pub fn start(
    files: &[(&str, &str, &str)],
) -> (
    std::sync::MutexGuard<'static, ()>,
    tempfile::TempDir,
    PathBuf,
) {
    let turn = one_at_a_time();
    let scratch = tempfile::tempdir().unwrap();
    let input = inputs(scratch.path(), files);
    (turn, scratch, input)
}

/// Every file under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, p: &Path, out: &mut Vec<PathBuf>) {
        if let Ok(rd) = std::fs::read_dir(p) {
            for e in rd.flatten() {
                let path = e.path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else {
                    out.push(path.strip_prefix(root).unwrap().to_path_buf());
                }
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

/// Peak RSS (KB) of the largest child process waited for so far.
pub fn children_peak_rss_kb() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss
}
