//! Killed at 20 random points across a batch (SIGKILL to the whole process
//! group: parent and worker, as a power cut would), then run to the end:
//! the outputs are byte for byte those of an uninterrupted run, no page
//! whose OCR was cached is OCR'd again, and no cache entry is corrupt.

use crate::{anjuan, files_under};
use rand::{Rng, SeedableRng};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::time::{Duration, Instant};

fn scan(input: &Path, out: &Path, ocr_log: &Path) -> std::process::Command {
    let mut c = anjuan();
    c.args(["scan", "--jobs", "2", "--quiet"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .env("ANJUAN_OCR_LOG", ocr_log)
        .stdout(std::process::Stdio::null())
        .process_group(0);
    c
}

#[test]
fn killed_at_twenty_random_points_a_batch_resumes_to_the_same_bytes() {
    let (_serial, d, input) = crate::start(&[
        ("a", "d2026-025", "1-3"),
        ("b", "d2026-028", "1-3"),
        ("c", "d2026-028", "4-6"),
        ("e", "d2026-010", "1-2"),
    ]);
    // The uninterrupted run.
    let reference = d.path().join("reference");
    let t = Instant::now();
    let status = scan(&input, &reference, &d.path().join("ref-ocr.log"))
        .status()
        .unwrap();
    let whole = t.elapsed();
    assert_eq!(status.code(), Some(0));

    // The same batch, killed again and again.
    let out = d.path().join("out");
    let log = d.path().join("ocr.log");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(14);
    let mut killed = 0;
    for _ in 0..20 {
        let at = Duration::from_secs_f64(rng.gen_range(0.2..whole.as_secs_f64() / 4.0));
        let mut child = scan(&input, &out, &log).spawn().unwrap();
        let t = Instant::now();
        while t.elapsed() < at {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        if child.try_wait().unwrap().is_none() {
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            killed += 1;
        }
        child.wait().unwrap();
    }
    let status = scan(&input, &out, &log).status().unwrap();
    assert_eq!(status.code(), Some(0));
    eprintln!(
        "uninterrupted: {:.1} s; {killed} of 20 runs killed before they ended",
        whole.as_secs_f64()
    );
    assert!(
        killed >= 15,
        "only {killed} runs were killed: the points are not across the batch"
    );

    // Byte for byte what the uninterrupted run wrote (the cache and the
    // run's log, which holds times, aside).
    let outputs = |dir: &Path| -> Vec<_> {
        files_under(dir)
            .into_iter()
            .filter(|p| !p.starts_with(".cache") && p != Path::new(anjuan_scan::SCAN_LOG))
            .collect()
    };
    let expected = outputs(&reference);
    assert_eq!(outputs(&out), expected);
    assert!(expected.len() > 20, "{expected:?}");
    for p in &expected {
        assert!(
            std::fs::read(reference.join(p)).unwrap() == std::fs::read(out.join(p)).unwrap(),
            "{} differs from the uninterrupted run's",
            p.display()
        );
    }
    // No page whose OCR was cached was OCR'd again.
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    let mut hashes: Vec<&str> = logged.lines().collect();
    let pages = hashes.len();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), pages, "a page was OCR'd twice");
    assert_eq!(pages, 11, "every page OCR'd once in all");
    // Every cache entry is whole; no temporary file is left.
    for p in files_under(&out) {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "{} left behind", p.display());
        if name.ends_with(".json") {
            let bytes = std::fs::read(out.join(&p)).unwrap();
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        }
    }
}
