//! The output folder on a full disk, on a read-only disk, and a run
//! interrupted by Ctrl-C: a clear error naming the path, its own exit
//! status, what was finished kept, and a rerun that completes.
//!
//! The disks are small tmpfs mounts: this needs root (as `.ci/run` has).

use crate::{anjuan, index};
use anjuan_core::contract::DossierStatus;
use std::path::Path;
use std::process::Command;

/// A tmpfs of `size` at `dir`, unmounted when dropped.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, options: &str) -> Tmpfs {
        std::fs::create_dir_all(dir).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(
            status.success(),
            "mount -t tmpfs -o {options} {}: these tests need root",
            dir.display()
        );
        Tmpfs(dir.to_path_buf())
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn scan(input: &Path, out: &Path) -> std::process::Output {
    anjuan()
        .args(["scan", "--jobs", "2", "--summary", "none"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn a_full_disk_stops_the_run_naming_the_path_and_a_rerun_after_space_is_freed_completes() {
    let (_serial, d, input) = crate::start(&[("a", "d2026-025", "1-3"), ("b", "d2026-028", "1-3")]);
    let disk = Tmpfs::mount(&d.path().join("disk"), "size=600k");
    let out = disk.0.join("out");
    let full = scan(&input, &out);
    let stderr = String::from_utf8_lossy(&full.stderr);
    eprintln!("{stderr}");
    assert_eq!(full.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(
        stderr.contains(&*out.to_string_lossy()),
        "names the folder: {stderr}"
    );

    disk.remount("size=64m");
    let rerun = scan(&input, &out);
    let stderr = String::from_utf8_lossy(&rerun.stderr);
    assert_eq!(rerun.status.code(), Some(0), "{stderr}");
    let idx = index(&out);
    assert_eq!(idx.dossiers.len(), 2);
    assert!(idx.dossiers.iter().all(|e| e.status == DossierStatus::Ok));
}

#[test]
fn a_read_only_output_folder_is_refused_naming_it() {
    let (_serial, d, input) = crate::start(&[("a", "d2026-025", "1-1")]);
    let disk = Tmpfs::mount(&d.path().join("ro"), "size=1m,ro");
    let out = disk.0.join("out");
    let result = scan(&input, &out);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("Read-only file system"), "{stderr}");
    assert!(stderr.contains(&*out.to_string_lossy()), "{stderr}");
}

#[test]
fn ctrl_c_ends_the_run_cleanly_keeping_what_was_finished() {
    use std::os::unix::process::CommandExt;
    let (_serial, d, input) = crate::start(&[
        ("a", "d2026-025", "1-2"),
        ("b", "d2026-028", "1-6"),
        ("c", "d2026-010", "1-6"),
    ]);
    let out = d.path().join("out");
    let mut child = anjuan()
        .args(["scan", "--jobs", "2", "--quiet"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .process_group(0)
        .spawn()
        .unwrap();
    // Ctrl-C once the first dossier is written: the terminal sends SIGINT
    // to the whole foreground group.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while !out.join("a/review.json").exists() {
        assert!(std::time::Instant::now() < deadline, "a was never written");
        assert!(child.try_wait().unwrap().is_none(), "ended before Ctrl-C");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let pressed = std::time::Instant::now();
    unsafe { libc::kill(-(child.id() as i32), libc::SIGINT) };
    let status = child.wait().unwrap();
    let took = pressed.elapsed();
    assert_eq!(status.code(), Some(130));
    assert!(took.as_secs() < 30, "took {took:?} to stop");
    let idx = index(&out);
    assert_eq!(idx.dossiers.len(), 3);
    let a = &idx.dossiers[0];
    assert_eq!((a.id.as_str(), a.status), ("a", DossierStatus::Ok));
    let c = idx.dossiers.iter().find(|e| e.id == "c").unwrap();
    assert_eq!(c.status, DossierStatus::Failed);
    assert!(c.error.as_deref().unwrap().contains("interrupted"), "{c:?}");
    // No temporary file is left; a rerun finishes, keeping `a`.
    assert!(crate::files_under(&out)
        .iter()
        .all(|p| !p.to_string_lossy().ends_with(".tmp")));
    let before = std::fs::read(out.join("a/review.json")).unwrap();
    let rerun = scan(&input, &out);
    assert_eq!(rerun.status.code(), Some(0));
    assert_eq!(std::fs::read(out.join("a/review.json")).unwrap(), before);
    assert!(index(&out)
        .dossiers
        .iter()
        .all(|e| e.status == DossierStatus::Ok));
    eprintln!("Ctrl-C: stopped in {:.1} s", took.as_secs_f64());
}
