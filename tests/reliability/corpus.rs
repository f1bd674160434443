//! The hostile corpus (issue 14, item 5): `scripts/hostile_corpus.py` writes
//! 300-odd broken, encrypted, huge, looping and non-PDF inputs (and folders
//! of broken page images), plus the 62 test PDFs of the pypdf 5.1.0 sdist;
//! one `anjuan scan CORPUS --jobs 2` must end, report
//! every input exactly once as `ok` or `failed` with a reason naming the
//! file, stay under 1.5 GB peak RSS, and spend at most 20 s on any dossier.
//!
//! Needs python3 (3.11), qpdf and poppler-utils (`scripts/setup.sh` installs
//! them). `ANJUAN_HOSTILE_CORPUS=DIR` scans an existing corpus instead of
//! building one (e.g. while fixing a file the test found);
//! `ANJUAN_HOSTILE_KEEP=1` keeps the corpus and the scan's output.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Peak RSS of the scan, KB (1.5 GB).
const MAX_RSS_KB: i64 = 1_572_864;
/// The scan is killed above this (KB), so that a memory bomb fails the test
/// instead of the machine.
const KILL_RSS_KB: i64 = 4 * 1_048_576;
/// Time any one dossier may take.
const MAX_DOSSIER_SECS: f64 = 20.0;
/// The whole scan: it is killed after this, and the test fails ("did not end").
const MAX_SCAN: Duration = Duration::from_secs(30 * 60);

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

struct Input {
    /// As in MANIFEST.tsv: `x.pdf`, or `folder/` for a folder of page images.
    name: String,
    category: String,
    what: String,
}

fn manifest(corpus: &Path) -> Vec<Input> {
    let text = std::fs::read_to_string(corpus.join("MANIFEST.tsv"))
        .unwrap_or_else(|e| panic!("{}/MANIFEST.tsv: {e}", corpus.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut f = l.splitn(3, '\t');
            Input {
                name: f.next().unwrap().to_string(),
                category: f.next().expect("category").to_string(),
                what: f.next().unwrap_or("").to_string(),
            }
        })
        .collect()
}

fn build_corpus(dir: &Path) {
    let script = Path::new(ROOT).join("scripts/hostile_corpus.py");
    let t = Instant::now();
    // Plus pypdf's test PDFs (a pinned, hash-checked sdist from PyPI, cached
    // under target/tmp; skipped with a warning when PyPI cannot be reached).
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-public-cache");
    let out = Command::new("python3")
        .arg(&script)
        .arg(dir)
        .arg("--public")
        .arg(&cache)
        .output()
        .unwrap_or_else(|e| panic!("python3 {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "{} failed:\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "corpus built in {:.1} s: {}\n{}",
        t.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&out.stdout).trim(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
}

/// The inputs the fuzzer found (`crates/ingest/tests/data/fuzz/`), added to
/// the corpus as regression tests: each must end like the rest.
fn add_regressions(corpus: &Path) {
    let dir = Path::new(ROOT).join("crates/ingest/tests/data/fuzz");
    let mut manifest = std::fs::OpenOptions::new()
        .append(true)
        .open(corpus.join("MANIFEST.tsv"))
        .unwrap();
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    found.sort();
    for path in found {
        let name = format!("fuzz-{}", path.file_name().unwrap().to_string_lossy());
        std::fs::copy(&path, corpus.join(&name)).unwrap();
        use std::io::Write;
        writeln!(
            manifest,
            "{name}\tfuzz_regression\tfound by scripts/fuzz.sh"
        )
        .unwrap();
    }
}

/// Resident set of a process, KB.
fn rss_kb(pid: i32) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A process and all its descendants (worker processes).
fn process_tree(root: i32) -> Vec<i32> {
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
                continue;
            };
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces.
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            let ppid = stat
                .rfind(')')
                .and_then(|i| stat[i + 1..].split_whitespace().nth(1))
                .and_then(|s| s.parse::<i32>().ok());
            if let Some(ppid) = ppid {
                children.entry(ppid).or_default().push(pid);
            }
        }
    }
    let (mut tree, mut stack) = (Vec::new(), vec![root]);
    while let Some(p) = stack.pop() {
        tree.push(p);
        stack.extend(children.get(&p).into_iter().flatten());
    }
    tree
}

struct Run {
    /// Exit code, or None when killed by a signal.
    code: Option<i32>,
    signal: Option<i32>,
    /// Peak RSS from wait4's rusage (the largest of the process and the
    /// children it waited for), KB.
    max_rss_kb: i64,
    /// Peak of the process tree's summed RSS, sampled every 100 ms, KB.
    tree_rss_kb: i64,
    wall: Duration,
    /// Why the test killed it, if it did.
    killed: Option<String>,
    stderr: String,
}

/// Runs `cmd`, waiting with wait4 so that the rusage is this child's alone;
/// kills it past `deadline` or `KILL_RSS_KB`.
#[allow(clippy::zombie_processes)] // reaped by libc::wait4, not Child::wait
fn run_watched(mut cmd: Command, deadline: Duration) -> Run {
    let t = Instant::now();
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn anjuan");
    let pid = child.id() as i32;
    // Drain stderr on a thread so that a chatty child never blocks on a full pipe.
    let mut err_pipe = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err_pipe.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let mut killed = None;
    let mut tree_peak = 0;
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: plain libc call on our own child's pid, with valid out-pointers.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break (status, usage);
        }
        assert!(r == 0, "wait4: {}", std::io::Error::last_os_error());
        let tree = process_tree(pid);
        let tree_rss: i64 = tree.iter().map(|&p| rss_kb(p).unwrap_or(0)).sum();
        tree_peak = tree_peak.max(tree_rss);
        if killed.is_none() {
            if let Some(rss) = Some(tree_rss).filter(|&r| r > KILL_RSS_KB) {
                killed = Some(format!("killed by the test at {} MB resident", rss / 1024));
            } else if t.elapsed() > deadline {
                killed = Some(format!("killed by the test after {} s", deadline.as_secs()));
            }
            if killed.is_some() {
                // The scan and its workers. SAFETY: plain kill(2); the scan is
                // not reaped yet, so its pid (and its children's) are still theirs.
                for &p in &tree {
                    unsafe { libc::kill(p, libc::SIGKILL) };
                }
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let exited = libc::WIFEXITED(status);
    Run {
        code: exited.then(|| libc::WEXITSTATUS(status)),
        signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
        max_rss_kb: usage.ru_maxrss,
        tree_rss_kb: tree_peak,
        wall: t.elapsed(),
        killed,
        stderr: err_reader.join().unwrap_or_default(),
    }
}

fn tail(s: &str, n: usize) -> &str {
    let start = s.len().saturating_sub(n);
    let start = (start..s.len())
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(s.len());
    &s[start..]
}

#[test]
fn every_hostile_input_ends_ok_or_failed_quickly_and_within_the_memory_bound() {
    let _serial = crate::one_at_a_time();
    let tmp = tempfile::Builder::new()
        .prefix("hostile")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    // ANJUAN_HOSTILE_KEEP=1 keeps the corpus and the scan's output to look at.
    let keep = std::env::var_os("ANJUAN_HOSTILE_KEEP").is_some();
    let corpus = match std::env::var_os("ANJUAN_HOSTILE_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let dir = tmp.path().join("corpus");
            build_corpus(&dir);
            add_regressions(&dir);
            dir
        }
    };
    let inputs = manifest(&corpus);
    assert!(inputs.len() >= 200, "only {} inputs", inputs.len());
    let out = tmp.path().join("out");

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_anjuan"));
    cmd.arg("scan")
        .arg(&corpus)
        .arg("--out")
        .arg(&out)
        .args(["--jobs", "2", "--quiet"]);
    let run = run_watched(cmd, MAX_SCAN);
    eprintln!(
        "scan of {} inputs: {:.1} s, peak RSS {} MB (largest process), {} MB (process tree, sampled), \
         exit {:?} signal {:?}",
        inputs.len(),
        run.wall.as_secs_f64(),
        run.max_rss_kb / 1024,
        run.tree_rss_kb / 1024,
        run.code,
        run.signal
    );

    let mut problems: Vec<String> = Vec::new();
    // 1. The process ended by itself, with 0 (all ok) or 1 (some failed).
    if let Some(why) = &run.killed {
        problems.push(format!("the scan did not end: {why}"));
    }
    if !matches!(run.code, Some(0 | 1)) {
        problems.push(format!(
            "the scan crashed: exit {:?}, signal {:?}; stderr ends:\n{}",
            run.code,
            run.signal,
            tail(&run.stderr, 3000)
        ));
    }
    // 2. The memory bound, on the largest process and on the tree's sum.
    let peak = run.max_rss_kb.max(run.tree_rss_kb);
    if peak > MAX_RSS_KB {
        problems.push(format!(
            "peak RSS {} MB > {} MB",
            peak / 1024,
            MAX_RSS_KB / 1024
        ));
    }

    // 3. index.json: every input exactly once, ok or failed, failures with a reason naming the file.
    let index: serde_json::Value = match std::fs::read(out.join("index.json")) {
        Ok(b) => serde_json::from_slice(&b).expect("index.json is JSON"),
        Err(e) => panic!("no index.json ({e}); problems so far: {problems:#?}"),
    };
    let entries = index["dossiers"].as_array().expect("dossiers[]");
    let mut by_source: HashMap<PathBuf, Vec<&serde_json::Value>> = HashMap::new();
    for e in entries {
        let source = PathBuf::from(e["source"].as_str().unwrap_or_default());
        by_source.entry(source).or_default().push(e);
    }
    // category -> (ok, failed, missing)
    let mut table: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    let mut id_of: HashMap<String, &Input> = HashMap::new();
    let mut expected_sources = Vec::new();
    for input in &inputs {
        let path = corpus.join(input.name.trim_end_matches('/'));
        expected_sources.push(path.clone());
        let row = table.entry(input.category.as_str()).or_default();
        let found = by_source.get(&path).map(Vec::as_slice).unwrap_or(&[]);
        let [e] = found else {
            row[2] += 1;
            problems.push(format!(
                "{}: listed {} times in index.json ({})",
                input.name,
                found.len(),
                input.what
            ));
            continue;
        };
        if let Some(id) = e["id"].as_str() {
            id_of.insert(id.to_string(), input);
        }
        let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
        match e["status"].as_str() {
            Some("ok") => row[0] += 1,
            Some("failed") => {
                row[1] += 1;
                let error = e["error"].as_str().unwrap_or("").trim();
                if error.is_empty() {
                    problems.push(format!("{}: failed without a reason", input.name));
                } else if !error.contains(&file_name) {
                    problems.push(format!(
                        "{}: the reason does not name the file: {error}",
                        input.name
                    ));
                }
                if input.category == "control" {
                    problems.push(format!(
                        "{}: a valid control input failed: {error}",
                        input.name
                    ));
                }
                // A password-protected file must say so.
                if input.name.starts_with("enc-r")
                    && input.name.ends_with("-pw.pdf")
                    && !error.to_lowercase().contains("password")
                {
                    problems.push(format!(
                        "{}: encrypted with a user password, but the reason does not say so: {error}",
                        input.name
                    ));
                }
            }
            other => {
                row[2] += 1;
                problems.push(format!("{}: status {other:?}", input.name));
            }
        }
        if input.name.starts_with("enc-r")
            && input.name.ends_with("-pw.pdf")
            && e["status"].as_str() == Some("ok")
        {
            problems.push(format!(
                "{}: encrypted with a user password, yet read",
                input.name
            ));
        }
    }
    for (source, es) in &by_source {
        if !expected_sources.contains(source) {
            problems.push(format!(
                "index.json lists {} ({} times), which is not in the corpus",
                source.display(),
                es.len()
            ));
        }
    }

    // 4. Time per dossier: the scan's log (`OUT/scan-log.jsonl`, a line per
    // dossier with the seconds from its first page read to its end).
    let log = out.join("scan-log.jsonl");
    let mut slowest: Vec<(f64, String)> = Vec::new();
    match std::fs::read_to_string(&log) {
        Ok(text) => {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let v: serde_json::Value = match serde_json::from_str(line) {
                    Ok(v) => v,
                    Err(e) => {
                        problems.push(format!("{}: bad line {line:?}: {e}", log.display()));
                        continue;
                    }
                };
                let id = v["id"].as_str().unwrap_or_default().to_string();
                let secs = v["seconds"].as_f64().unwrap_or(f64::INFINITY);
                let name = id_of.get(&id).map(|i| i.name.clone()).unwrap_or(id);
                if secs > MAX_DOSSIER_SECS {
                    problems.push(format!(
                        "{name}: took {secs:.1} s (> {MAX_DOSSIER_SECS} s), status {}",
                        v["status"]
                    ));
                }
                slowest.push((secs, name));
            }
        }
        Err(e) => problems.push(format!("{}: {e}", log.display())),
    }
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (secs, name) in slowest.iter().take(10) {
        eprintln!("  slow: {secs:6.1} s  {name}");
    }

    // The table: category x outcome.
    eprintln!(
        "{:<14} {:>5} {:>7} {:>8}",
        "category", "ok", "failed", "missing"
    );
    for (cat, [ok, failed, missing]) in &table {
        eprintln!("{cat:<14} {ok:>5} {failed:>7} {missing:>8}");
    }
    let sum = table
        .values()
        .fold([0; 3], |a, r| [a[0] + r[0], a[1] + r[1], a[2] + r[2]]);
    eprintln!("{:<14} {:>5} {:>7} {:>8}", "total", sum[0], sum[1], sum[2]);

    if keep {
        eprintln!("kept: {}", tmp.keep().display());
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
