//! A crash, a hang or a memory hog in native code while reading one page
//! costs that page (or, when it is in the opening of the file, that file):
//! the rest of the dossier is reviewed and the batch goes on.

use crate::{anjuan, index, review};
use anjuan_core::contract::DossierStatus;

#[test]
fn a_crash_a_hang_or_a_memory_hog_in_one_page_costs_that_page_not_the_batch() {
    let (_serial, d, input) = crate::start(&[
        ("hog", "d2026-025", "1-3"),
        ("crash", "d2026-025", "4-6"),
        ("hang", "d2026-028", "1-3"),
        ("segv", "d2026-028", "4-6"),
        ("clean", "d2026-010", "1-3"),
    ]);
    let out = d.path().join("out");
    let faults = [
        "grow:read:hog.pdf:1",    // allocates without bound reading page 1
        "abort:read:crash.pdf:2", // aborts (SIGABRT) reading page 2
        "hang:ocr:hang.pdf:3",    // never returns from the OCR of page 3
        "segv:open:segv.pdf:0",   // segfaults opening the file
    ];
    let scan = || {
        anjuan()
            .args(["scan", "--jobs", "2", "--quiet", "--page-timeout", "15"])
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .env("ANJUAN_FAULT", faults.join(";"))
            .output()
            .unwrap()
    };
    let started = std::time::Instant::now();
    let result = scan();
    let stderr = String::from_utf8_lossy(&result.stderr);
    eprintln!("{stderr}");
    eprintln!(
        "scan with four faults: {:.0} s",
        started.elapsed().as_secs_f64()
    );
    // One dossier failed (the one that crashes when opened): status 1.
    assert_eq!(result.status.code(), Some(1), "{stderr}");

    let idx = index(&out);
    assert_eq!(idx.dossiers.len(), 5);
    let entry = |id: &str| idx.dossiers.iter().find(|e| e.id == id).unwrap();
    for id in ["hog", "crash", "hang", "clean"] {
        assert_eq!(
            entry(id).status,
            DossierStatus::Ok,
            "{id}: {:?}",
            entry(id).error
        );
    }
    let segv = entry("segv");
    assert_eq!(segv.status, DossierStatus::Failed);
    let why = segv.error.as_deref().unwrap();
    assert!(
        why.contains("segv.pdf") && why.contains("opening the file"),
        "{why}"
    );
    assert!(why.contains("SIGSEGV"), "{why}");

    // Each faulty page is written as unread, with its reason; every other
    // page was read; the unread page is a finding for the reviewers.
    for (id, bad, words) in [
        ("hog", 0, "--max-memory"),
        ("crash", 1, "SIGABRT"),
        ("hang", 2, "--page-timeout"),
    ] {
        let r = review(&out, id);
        assert_eq!(r.pages.len(), 3, "{id}");
        for (i, p) in r.pages.iter().enumerate() {
            if i == bad {
                let e = p.error.as_deref().unwrap_or_else(|| panic!("{id} p{i}"));
                assert!(e.contains(words), "{id} page {}: {e}", i + 1);
            } else {
                assert_eq!(p.error, None, "{id} page {}", i + 1);
                let text = std::fs::read_to_string(out.join(id).join(&p.ocr.text_file)).unwrap();
                assert!(
                    text.chars().count() > 20,
                    "{id} page {} read: {text}",
                    i + 1
                );
            }
        }
        let flagged = r.findings.iter().find(|f| {
            f.reason.contains(&format!("第{}页未能读取", bad + 1))
                && f.evidence.iter().any(|e| e.page == Some(bad as u32 + 1))
        });
        let f = flagged.unwrap_or_else(|| panic!("{id}: no finding for the unread page"));
        assert_eq!(
            f.status,
            anjuan_core::contract::FindingStatus::NeedsReview,
            "{id}: {f:?}"
        );
    }
    let clean = review(&out, "clean");
    assert!(clean.pages.iter().all(|p| p.error.is_none()));

    // The run's log says how long each dossier took; none took longer than
    // the page time limit and what it costs to start a worker again.
    let log = std::fs::read_to_string(out.join("scan-log.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 5, "{log}");

    // A rerun reads nothing again: the salvaged dossiers are finished.
    let before = std::fs::read(out.join("crash/review.json")).unwrap();
    let rerun = scan();
    assert_eq!(rerun.status.code(), Some(1));
    assert_eq!(
        std::fs::read(out.join("crash/review.json")).unwrap(),
        before
    );
    let relog = std::fs::read_to_string(out.join("scan-log.jsonl")).unwrap();
    assert_eq!(relog.matches("\"skipped\":true").count(), 4, "{relog}");
}
