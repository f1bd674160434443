//! `cargo fuzz` on ingest, for a bounded time (`scripts/fuzz.sh`): both
//! targets (bytes as a PDF dossier; bytes as a page image of a folder) run
//! `FUZZ_SECONDS` each from the hostile corpus's small inputs; a crash fails
//! the test (the input is kept in `fuzz/artifacts/`, and becomes a
//! regression input under `crates/ingest/tests/data/fuzz/`, which the
//! corpus test scans). The first run installs cargo-fuzz from crates.io and
//! builds the targets (`fuzz/target/`): a few minutes.

use std::process::Command;

const FUZZ_SECONDS: u32 = 45;

#[test]
fn ingest_survives_fuzzing_for_a_bounded_time() {
    let _serial = crate::one_at_a_time();
    let t = std::time::Instant::now();
    let out = Command::new("bash")
        .arg(std::path::Path::new(crate::ROOT).join("scripts/fuzz.sh"))
        .arg(FUZZ_SECONDS.to_string())
        // Its own cargo: not the flags of the build running this test.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("bash scripts/fuzz.sh");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary: Vec<&str> = stderr
        .lines()
        .filter(|l| {
            l.starts_with("fuzz:")
                || l.contains("oom/timeout/crash")
                || l.starts_with("INFO: exiting")
        })
        .collect();
    eprintln!("{}", summary.join("\n"));
    eprintln!(
        "fuzzing, build included: {:.0} s",
        t.elapsed().as_secs_f64()
    );
    assert!(
        out.status.success(),
        "scripts/fuzz.sh failed:\n{}",
        &stderr[stderr.len().saturating_sub(4000)..]
    );
    // It really ran: each target executed inputs and wrapped up by itself.
    let runs = stderr.matches("INFO: exiting: 0").count();
    assert!(
        runs >= 2,
        "the fuzzers did not both run to the end:\n{stderr}"
    );
    assert!(
        stderr.contains("exec/s"),
        "no fuzzing was reported:\n{stderr}"
    );
}
