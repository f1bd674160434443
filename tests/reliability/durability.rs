//! Every output and cache entry reaches the disk in the order that survives
//! a power cut: written to a temporary file, fsync'd, renamed over its
//! name, and its folder fsync'd; so do the objects of a shared page cache
//! in a folder (`--shared-cache`, as the workers use it). Shown on the
//! system calls themselves, recorded by strace.

use crate::files_under;
use std::collections::HashMap;

#[test]
fn every_file_is_synced_renamed_and_its_folder_synced() {
    let (_serial, d, input) = crate::start(&[("one", "d2026-025", "1-2")]);
    let out = d.path().join("out");
    let shared = d.path().join("shared-cache");
    let trace = d.path().join("strace.log");
    let status = std::process::Command::new("strace")
        .args(["-f", "-y", "-qq", "--seccomp-bpf", "-s", "512"])
        .args(["-e", "trace=fsync,fdatasync,rename,renameat,renameat2"])
        .arg("-o")
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_anjuan"))
        .args(["scan", "--jobs", "1", "--quiet"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .arg("--shared-cache")
        .arg(&shared)
        .status()
        .expect("strace (scripts/setup.sh installs it)");
    assert!(status.success());
    let log = std::fs::read_to_string(&trace).unwrap();

    // (line number, kind, path(s)) of each call, in the order made.
    let mut synced: Vec<(usize, String)> = Vec::new();
    let mut renamed: HashMap<String, (usize, String)> = HashMap::new();
    for (n, line) in log.lines().enumerate() {
        let call = line
            .split_once(' ')
            .map_or(line, |(_, rest)| rest)
            .trim_start();
        if call.starts_with("fsync(") || call.starts_with("fdatasync(") {
            // fsync(5</path/to/file>) = 0
            if let Some(path) = call.split_once('<').and_then(|(_, r)| r.split_once('>')) {
                synced.push((n, path.0.to_string()));
            }
        } else if call.starts_with("rename") {
            let quoted: Vec<&str> = call.split('"').skip(1).step_by(2).collect();
            if let [from, to, ..] = quoted[..] {
                renamed.insert(to.to_string(), (n, from.to_string()));
            }
        }
    }
    let files: Vec<_> = files_under(&out)
        .into_iter()
        .filter(|p| !p.ends_with("lock") && !p.ends_with(anjuan_scan::SCAN_LOG))
        .collect();
    assert!(
        files.iter().any(|p| p.ends_with("review.json"))
            && files.iter().any(|p| p.starts_with(".cache/ocr"))
            && files
                .iter()
                .any(|p| p.extension().is_some_and(|e| e == "jpg")),
        "{files:?}"
    );
    let objects = files_under(&shared);
    assert!(
        objects.iter().any(|p| p.to_string_lossy().contains("ocr")),
        "the shared cache got no OCR entry: {objects:?}"
    );
    let paths: Vec<_> = (files.iter().map(|rel| out.join(rel)))
        .chain(objects.iter().map(|rel| shared.join(rel)))
        .collect();
    for path in &paths {
        let name = path.to_string_lossy().into_owned();
        let (at, from) = renamed
            .get(&name)
            .unwrap_or_else(|| panic!("{name} was not written by a rename"));
        assert!(
            synced.iter().any(|(n, p)| n < at && p == from),
            "{name}: its temporary file {from} was not fsync'd before the rename"
        );
        let dir = path.parent().unwrap().to_string_lossy().into_owned();
        assert!(
            synced.iter().any(|(n, p)| n > at && *p == dir),
            "{name}: its folder was not fsync'd after the rename"
        );
    }
    eprintln!(
        "{} files and {} objects of the shared cache, each: fsync of the temporary file, rename, fsync of the folder ({} fsyncs in all)",
        files.len(),
        objects.len(),
        synced.len()
    );
}
