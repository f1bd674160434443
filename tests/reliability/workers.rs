//! Scanning on a cluster (issue 15): three `anjuan worker`s on one queue in a
//! real PostgreSQL (a throw-away cluster on loopback), sharing a page cache
//! in a folder; one SIGKILLed mid-dossier, one frozen (SIGSTOP) past its
//! lease and woken; a poison dossier among good ones.

use crate::{anjuan, start};
use anjuan_store::pgcluster::Cluster;
use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-tAc", sql])
        .output()
        .expect("psql (PostgreSQL's client, scripts/setup.sh installs it)");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn worker(url: &str, objects: &Path, scratch: &Path, name: &str) -> Child {
    worker_on(url, &objects.display().to_string(), &[], scratch, name)
}

/// A worker on the object store `objects`, with `env` besides.
fn worker_on(
    url: &str,
    objects: &str,
    env: &[(&str, String)],
    scratch: &Path,
    name: &str,
) -> Child {
    let log = std::fs::File::create(scratch.join(format!("{name}.log"))).unwrap();
    anjuan()
        .args(["worker", "--database", url, "--objects", objects])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args([
            "--name",
            name,
            "--lease",
            "8",
            "--max-attempts",
            "3",
            "--retry-after",
            "1",
            "--jobs",
            "1",
            "--poll",
            "0.2",
            "--drain",
        ])
        .arg("--work-dir")
        .arg(scratch.join(format!("work-{name}")))
        .env("ANJUAN_OCR_LOG", scratch.join(format!("ocr-{name}.log")))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

/// Whether every child of `pid` has ended (is a zombie not yet reaped).
fn children_ended(pid: u32) -> bool {
    let children = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|c| {
            c.split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok())
                .collect::<Vec<_>>()
        });
    children
        .map(|c| std::fs::read_to_string(format!("/proc/{c}/stat")).unwrap_or_default())
        .all(|stat| {
            // The state follows the command's closing parenthesis.
            stat.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().starts_with('Z'))
                .unwrap_or(true)
        })
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Waits for `what` to hold, polling; panics after `limit`.
fn wait_for<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let t = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(t.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn three_workers_one_killed_one_frozen_every_dossier_committed_once_poison_dead() {
    let (_turn, scratch, input) = start(&[
        ("a", "d2026-010", "1-3"),
        ("b", "d2026-010", "4-6"),
        ("c", "d2026-022", "1-3"),
        ("d", "d2026-022", "4-6"),
        ("e", "d2026-025", "1-3"),
        ("f", "d2026-028", "1-3"),
    ]);
    let d = scratch.path();
    // A poison dossier: not a PDF, whatever its name says.
    std::fs::write(input.join("poison.pdf"), b"%PDF-1.7\nthis is not a PDF\n").unwrap();
    let cluster = Cluster::shared().expect("PostgreSQL (scripts/setup.sh installs it)");
    let url = cluster.new_database("workers_kill_stop").unwrap();
    let objects = d.join("objects");

    let out = anjuan()
        .args(["enqueue", "--database", &url])
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(psql(&url, "SELECT count(*) FROM scan_jobs"), "7");

    let t = Instant::now();
    let mut w1 = worker(&url, &objects, d, "w1");
    let mut w2 = worker(&url, &objects, d, "w2");
    let mut w3 = worker(&url, &objects, d, "w3");

    // w1 mid-dossier: it holds a good job and has OCR'd a page of it.
    let killed_job: i64 = wait_for(Duration::from_secs(180), "w1 to OCR a page", || {
        let job = psql(
            &url,
            "SELECT id FROM scan_jobs WHERE worker = 'w1' AND state = 'running' AND source NOT LIKE '%poison%'",
        );
        (!job.is_empty() && !lines(&d.join("ocr-w1.log")).is_empty()).then(|| job.parse().unwrap())
    });
    w1.kill().unwrap();
    w1.wait().unwrap();
    let w1_pages: HashSet<String> = lines(&d.join("ocr-w1.log")).into_iter().collect();
    eprintln!(
        "w1 SIGKILLed at {:.1} s on job {killed_job}, {} pages OCR'd",
        t.elapsed().as_secs_f64(),
        w1_pages.len()
    );

    // w2 frozen while it holds a good job.
    let frozen_job: i64 = wait_for(Duration::from_secs(180), "w2 to hold a job", || {
        let job = psql(
            &url,
            "SELECT id FROM scan_jobs WHERE worker = 'w2' AND state = 'running' AND source NOT LIKE '%poison%'",
        );
        (!job.is_empty()).then(|| job.parse().unwrap())
    });
    // The worker alone: its scan goes on and ends while the worker is frozen.
    unsafe { libc::kill(w2.id() as i32, libc::SIGSTOP) };
    eprintln!(
        "w2 SIGSTOPped at {:.1} s on job {frozen_job}",
        t.elapsed().as_secs_f64()
    );
    // Past its lease, another worker takes the job and commits it.
    wait_for(
        Duration::from_secs(240),
        "the frozen worker's job to be done by another",
        || {
            (psql(
                &url,
                &format!("SELECT state || ' ' || worker FROM scan_jobs WHERE id = {frozen_job}"),
            ) == "done w3")
                .then_some(())
        },
    );
    wait_for(
        Duration::from_secs(120),
        "the frozen worker's scan to end",
        || children_ended(w2.id()).then_some(()),
    );
    unsafe { libc::kill(w2.id() as i32, libc::SIGCONT) };
    eprintln!("w2 woken at {:.1} s", t.elapsed().as_secs_f64());

    for (name, w) in [("w2", &mut w2), ("w3", &mut w3)] {
        let status = wait_for(Duration::from_secs(300), "the workers to drain", || {
            w.try_wait().unwrap()
        });
        assert!(
            status.success(),
            "{name}: {status}\n{}",
            std::fs::read_to_string(d.join(format!("{name}.log"))).unwrap()
        );
    }
    let wall = t.elapsed().as_secs_f64();

    // Every good dossier committed exactly once.
    assert_eq!(
        psql(
            &url,
            "SELECT state, count(*) FROM scan_jobs GROUP BY state ORDER BY state"
        ),
        "dead|1\ndone|6"
    );
    assert_eq!(
        psql(
            &url,
            "SELECT count(DISTINCT dossier_id) FROM scan_jobs WHERE state = 'done'"
        ),
        "6"
    );
    assert_eq!(psql(&url, "SELECT count(*) FROM dossiers"), "6");
    // The killed and the frozen worker's jobs were finished by another.
    for job in [killed_job, frozen_job] {
        let by = psql(
            &url,
            &format!("SELECT worker FROM scan_jobs WHERE id = {job}"),
        );
        assert!(
            by == "w3" || by == "w2" && job == killed_job,
            "job {job} by {by}"
        );
    }
    // The woken worker's late result was refused (or its lease found lost
    // before the scan ended), and nothing it did after was recorded twice.
    let w2_log = std::fs::read_to_string(d.join("w2.log")).unwrap();
    for l in w2_log
        .lines()
        .filter(|l| l.contains(&format!("job {frozen_job}:")))
    {
        eprintln!("{l}");
    }
    assert!(
        w2_log.contains(&format!(
            "job {frozen_job}: result refused: job {frozen_job}: finished by another worker"
        )),
        "{w2_log}"
    );
    // The killed dossier was finished from the shared cache: no page w1
    // OCR'd was OCR'd again by the others.
    for other in ["w2", "w3"] {
        let again: Vec<String> = lines(&d.join(format!("ocr-{other}.log")))
            .into_iter()
            .filter(|h| w1_pages.contains(h))
            .collect();
        assert!(
            again.is_empty(),
            "{other} OCR'd again {} pages w1 had put in the shared cache",
            again.len()
        );
    }
    // The poison dossier: a dead letter after its three attempts, with why.
    let poison = psql(
        &url,
        "SELECT attempts || '|' || error FROM scan_jobs WHERE state = 'dead'",
    );
    assert!(
        poison.starts_with("3|") && poison.contains("poison.pdf"),
        "{poison}"
    );
    assert_eq!(
        psql(&url, "SELECT count(*) FROM pgmq.q_anjuan_scan_dead"),
        "1"
    );
    assert_eq!(psql(&url, "SELECT count(*) FROM pgmq.q_anjuan_scan"), "0");
    // The outputs are in object storage, by input hash.
    let reviews = crate::files_under(&objects.join("dossiers"))
        .into_iter()
        .filter(|p| p.ends_with("review.json"))
        .count();
    assert_eq!(reviews, 6);
    let pages: Vec<String> = ["w1", "w2", "w3"]
        .iter()
        .flat_map(|w| lines(&d.join(format!("ocr-{w}.log"))))
        .collect();
    eprintln!(
        "3 workers, 7 jobs (18 pages + a poison file): {wall:.1} s; pages OCR'd: {} (w1 {} before its kill)",
        pages.len(),
        w1_pages.len()
    );
}

/// moto's S3 server (`scripts/setup.sh` installs it, pinned) on a loopback
/// port, stopped when dropped.
struct S3Server {
    child: Child,
    port: u16,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One plain HTTP/1.1 request to the S3 server: its status and body.
fn s3_request(port: u16, method: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        c,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    c.read_to_string(&mut out).unwrap();
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = out.split_once("\r\n\r\n").map(|b| b.1).unwrap_or("");
    (status, body.to_string())
}

impl S3Server {
    fn start(scratch: &Path) -> S3Server {
        let cache = std::env::var_os("ANJUAN_WHEEL_CACHE")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(&std::env::var_os("HOME").unwrap()).join(".cache/anjuan/wheels")
            });
        let tools = cache.join("s3-test");
        assert!(
            tools.join("moto/server.py").is_file(),
            "{}: no S3 test server (scripts/setup.sh installs it)",
            tools.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .env("PYTHONPATH", &tools)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(scratch.join("s3.log")).unwrap())
            .spawn()
            .expect("python3");
        let server = S3Server { child, port };
        wait_for(Duration::from_secs(60), "the S3 server to listen", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        });
        server
    }

    /// The keys under `prefix` in `bucket`.
    fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let (status, xml) = s3_request(self.port, "GET", &format!("/{bucket}?prefix={prefix}"));
        assert_eq!(status, 200, "{xml}");
        xml.split("<Key>")
            .skip(1)
            .filter_map(|k| k.split_once("</Key>").map(|k| k.0.to_string()))
            .collect()
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT", format!("http://127.0.0.1:{}", self.port)),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_ACCESS_KEY_ID", "anjuan-test".into()),
            ("AWS_SECRET_ACCESS_KEY", "anjuan-test-secret".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }
}

#[test]
fn workers_share_outputs_and_the_page_cache_through_s3() {
    let (_turn, scratch, input) = start(&[("g", "d2026-025", "4-5"), ("h", "d2026-028", "4-5")]);
    let d = scratch.path();
    let s3 = S3Server::start(d);
    assert_eq!(s3_request(s3.port, "PUT", "/anjuan").0, 200);
    let objects = "s3://anjuan/province";
    let cluster = Cluster::shared().expect("PostgreSQL (scripts/setup.sh installs it)");

    // Two workers on two machines' worth of folders scan the batch.
    let url = cluster.new_database("workers_s3").unwrap();
    assert!(anjuan()
        .args(["enqueue", "--database", &url])
        .arg(&input)
        .status()
        .unwrap()
        .success());
    let mut ws: Vec<Child> = ["s1", "s2"]
        .iter()
        .map(|n| worker_on(&url, objects, &s3.env(), d, n))
        .collect();
    for (w, name) in ws.iter_mut().zip(["s1", "s2"]) {
        let status = w.wait().unwrap();
        assert!(
            status.success(),
            "{name}: {status}\n{}",
            std::fs::read_to_string(d.join(format!("{name}.log"))).unwrap()
        );
    }
    assert_eq!(
        psql(&url, "SELECT state, count(*) FROM scan_jobs GROUP BY state"),
        "done|2"
    );
    let outputs = s3.keys("anjuan", "province/dossiers/");
    assert_eq!(
        outputs
            .iter()
            .filter(|k| k.ends_with("/review.json"))
            .count(),
        2,
        "{outputs:?}"
    );
    assert_eq!(
        outputs.iter().filter(|k| k.ends_with(".txt")).count(),
        4,
        "{outputs:?}"
    );
    let cached = s3.keys("anjuan", "province/cache/ocr/");
    assert_eq!(cached.len(), 4, "{cached:?}");
    let first: usize = ["s1", "s2"]
        .iter()
        .map(|n| lines(&d.join(format!("ocr-{n}.log"))).len())
        .sum();
    assert_eq!(first, 4);

    // Another cluster's worker (its own database, its own empty work
    // folder) scanning the same dossiers finds every page in S3.
    let again = cluster.new_database("workers_s3_again").unwrap();
    assert!(anjuan()
        .args(["enqueue", "--database", &again])
        .arg(&input)
        .status()
        .unwrap()
        .success());
    let status = worker_on(&again, objects, &s3.env(), d, "s3")
        .wait()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        psql(
            &again,
            "SELECT state, count(*) FROM scan_jobs GROUP BY state"
        ),
        "done|2"
    );
    assert!(
        lines(&d.join("ocr-s3.log")).is_empty(),
        "pages OCR'd again although in the shared cache on S3"
    );
    // The same reviews as the first cluster's.
    assert_eq!(
        psql(
            &url,
            "SELECT string_agg(review_json, '' ORDER BY sha256) FROM dossiers"
        ),
        psql(
            &again,
            "SELECT string_agg(review_json, '' ORDER BY sha256) FROM dossiers"
        )
    );
}

#[test]
fn the_deployment_files_name_real_commands_and_the_units_verify() {
    let out = Command::new("bash")
        .arg(Path::new(crate::ROOT).join("deploy/check.sh"))
        .args(["--binary", env!("CARGO_BIN_EXE_anjuan"), "--verify-units"])
        .current_dir(crate::ROOT)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("all deployment checks passed"), "{text}");
    assert!(text.contains("anjuan worker --help"), "{text}");
}
