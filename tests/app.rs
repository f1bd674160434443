//! The reviewers' app end to end, as its users meet it: a real scan of a
//! shipped sample, `anjuan import`, `anjuan user add`, `anjuan serve`.
//!
//! In a real browser: the server and
//! Debian's Chromium driven through its WebDriver (chromedriver): a
//! supervisor makes a round and assigns the dossier, two reviewers review it
//! with the keyboard, reconcile, sign, the supervisor closes it, and the
//! 评查表 prints. Screenshots (and the printed form as PDF) are written under
//! `$CARGO_TARGET_TMPDIR/browser/` for people to look at.
//!
//! Chromium is started by chromedriver with the flags of the brief and a
//! fresh profile; nothing is downloaded.
//!
//! Reports: on a store whose figures are known by hand (the report crate's
//! fixture), a supervisor reads the gaps across units, drills down, sorts,
//! prints the half-year report on A4, renames a unit; a unit's head edits
//! the rectification list of their unit only; what the pages and exports
//! show is what `anjuan report` prints.
//!
//! Killed: 200 decisions are in flight at once (two reviewers, six
//! assignments, one writer per item) when the server is killed with
//! SIGKILL; after a restart every decision the server acknowledged is there
//! and the database passes SQLite's integrity check.
//!
//! Abused: clients that trickle a request head (slowloris) do not hold up
//! the others and are cut off after `HEADER_TIMEOUT`; a 100 MB form and
//! oversized heads are refused without the server's memory growing.
//!
//! Scaled out: on a throw-away PostgreSQL on loopback, dossiers enqueued
//! and scanned by an `anjuan worker` (one good, one poison), a supervisor
//! follows the queue on the jobs page and a reviewer opens the dossier the
//! worker committed, served from PostgreSQL.
//!
//! Scanned: Debian's wapiti attacks the pages of a signed-in reviewer and
//! of a supervisor on loopback (a few minutes at most) and finds nothing of
//! high or critical level; its reports are left in
//! `$CARGO_TARGET_TMPDIR/wapiti/`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "../crates/report/tests/fixture/mod.rs"]
mod fixture;

const BIN: &str = env!("CARGO_BIN_EXE_anjuan");
const PASSWORD: &str = "评查-口令-2024";

/// A child process killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A WebDriver command to chromedriver on `127.0.0.1:port`.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<Value> {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let (_, _, body) = request(
        port,
        method,
        path,
        &["Content-Type: application/json; charset=utf-8"],
        body.as_bytes(),
    )?;
    Ok(serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// One HTTP/1.1 request to `127.0.0.1:port`: status, header lines, body.
/// The body is read to the length the head announces (chromedriver keeps
/// the connection open whatever the request says).
fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &[u8],
) -> std::io::Result<(u16, Vec<String>, Vec<u8>)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    let mut r = BufReader::new(s);
    let mut status_line = String::new();
    r.read_line(&mut status_line)?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let (mut length, mut chunked, mut lines) = (None, false, Vec::new());
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim_end().to_string();
        if line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        }
        chunked |= lower.starts_with("transfer-encoding:") && lower.contains("chunked");
        lines.push(line);
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            r.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        r.read_exact(&mut body)?;
    } else {
        r.read_to_end(&mut body)?;
    }
    Ok((status, lines, body))
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let v: Vec<u32> = chunk.iter().map(|&c| val(c) as u32).collect();
        let n = v
            .iter()
            .enumerate()
            .fold(0u32, |a, (i, x)| a | x << (18 - 6 * i));
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}

/// A browser session.
struct Browser {
    port: u16,
    id: String,
    base: String,
    shots: PathBuf,
    _profile: tempfile::TempDir,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    fn new(driver: u16, base: &str, shots: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--window-size=1400,1000",
                     format!("--user-data-dir={}", profile.path().display())]
        }}}});
        let v = http(driver, "POST", "/session", Some(&caps)).unwrap();
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {v}"))
            .to_string();
        Browser {
            port: driver,
            id,
            base: base.to_string(),
            shots: shots.to_path_buf(),
            _profile: profile,
        }
    }

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let v = http(
            self.port,
            method,
            &format!("/session/{}{path}", self.id),
            if method == "GET" { None } else { Some(&body) },
        )
        .unwrap();
        if let Some(e) = v["value"].get("error") {
            panic!("webdriver {method} {path}: {e}: {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    fn go(&self, path: &str) {
        self.cmd(
            "POST",
            "/url",
            json!({"url": format!("{}{path}", self.base)}),
        );
    }

    /// Asks `f` again every 100 ms for 10 s until it answers; panics
    /// naming `what` and showing the page otherwise.
    fn poll<T>(&self, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(v) = f() {
                return v;
            }
            assert!(Instant::now() < deadline, "{what}:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn find(&self, css: &str) -> String {
        self.poll(&format!("{css}: not on the page"), || {
            let path = format!("/session/{}/element", self.id);
            let query = json!({"using": "css selector", "value": css});
            let v = http(self.port, "POST", &path, Some(&query)).unwrap();
            v["value"][ELEMENT].as_str().map(str::to_string)
        })
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/click"), json!({}));
    }

    fn type_in(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            json!({"text": text}),
        );
    }

    fn js(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
    }

    /// Waits until the script `cond` holds: the page a click led to has loaded.
    fn wait_until(&self, cond: &str) {
        let script = format!("try {{ return !!({cond}); }} catch (e) {{ return false; }}");
        self.poll(&format!("{cond} never held"), || {
            (self.js(&script) == true).then_some(())
        });
    }

    fn wait_text(&self, needle: &str) {
        self.wait_until(&format!(
            "document.body.innerText.includes({})",
            json!(needle)
        ));
    }

    fn text(&self) -> String {
        self.js("return document.body ? document.body.innerText : ''")
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn path(&self) -> String {
        self.js("return location.pathname + location.search")
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Presses keys on the page (WebDriver key actions).
    fn keys(&self, keys: &str) {
        let mut actions = Vec::new();
        for k in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": k.to_string()}));
            actions.push(json!({"type": "keyUp", "value": k.to_string()}));
        }
        self.cmd(
            "POST",
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        );
    }

    fn accept_dialog(&self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let v = http(
                self.port,
                "POST",
                &format!("/session/{}/alert/accept", self.id),
                Some(&json!({})),
            )
            .unwrap();
            if v["value"].get("error").is_none() {
                return;
            }
            assert!(Instant::now() < deadline, "no dialog: {v}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn shot(&self, name: &str) -> PathBuf {
        let v = self.cmd("GET", "/screenshot", Value::Null);
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, base64_decode(v.as_str().unwrap())).unwrap();
        path
    }

    /// Prints the page on A4 (WebDriver print) to `shots/NAME.pdf`.
    fn print_a4(&self, name: &str) {
        let pdf = self.cmd(
            "POST",
            "/print",
            json!({"page": {"width": 21.0, "height": 29.7}, "background": true}),
        );
        let pdf = base64_decode(pdf.as_str().unwrap());
        assert!(pdf.starts_with(b"%PDF"), "{name}: not a PDF");
        std::fs::write(self.shots.join(format!("{name}.pdf")), pdf).unwrap();
    }

    fn login(&self, name: &str) {
        self.go("/login");
        self.type_in("input[name=name]", name);
        self.type_in("input[name=password]", PASSWORD);
        self.click("form button[type=submit]");
        self.find("header.top .who");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(self.port, "DELETE", &format!("/session/{}", self.id), None);
    }
}

fn run(args: &[&str], stdin: Option<&str>) -> String {
    let mut c = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        c.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    let out = c.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "anjuan {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn shown(p: &Path) -> String {
    p.display().to_string()
}

/// The shipped sample d2026-025 scanned once for every test of this file.
fn scanned() -> &'static Path {
    static SCAN: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    &SCAN
        .get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let d = tempfile::tempdir().unwrap();
            let scan = d.path().join("scan");
            let sample = root.join("samples/d2026-025.pdf");
            run(
                &[
                    "scan",
                    &shown(&sample),
                    "--out",
                    &shown(&scan),
                    "--quiet",
                    "--summary",
                    "none",
                ],
                None,
            );
            (d, scan)
        })
        .1
}

/// A data folder with the scanned sample imported and three accounts.
fn data_folder(d: &Path) -> PathBuf {
    let data = d.join("data");
    assert!(run(
        &["import", &shown(scanned()), "--data", &shown(&data)],
        None
    )
    .contains('1'));
    for (name, role) in [
        ("张三", "reviewer"),
        ("李四", "reviewer"),
        ("王五", "supervisor"),
    ] {
        run(
            &["user", "add", name, "--role", role, "--data", &shown(&data)],
            Some(&format!("{PASSWORD}\n")),
        );
    }
    data
}

/// `anjuan serve` on a free loopback port: the server and its base URL.
fn serve(data: &Path) -> (Proc, String) {
    serve_on(&["--data", &shown(data)])
}

/// `anjuan serve STORE_ARGS` on a free loopback port.
fn serve_on(store: &[&str]) -> (Proc, String) {
    let mut server = Proc(
        Command::new(BIN)
            .arg("serve")
            .args(store)
            .args(["--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim_end_matches('/')
        .to_string();
    (server, base)
}

/// chromedriver on a free loopback port, ready: its port and process.
fn chromedriver() -> (u16, Proc) {
    let driver_port = free_port();
    let driver = Proc(
        Command::new("chromedriver")
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver; scripts/setup.sh installs it)"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while http(driver_port, "GET", "/status", None)
        .map(|v| v["value"]["ready"] != true)
        .unwrap_or(true)
    {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(200));
    }

    (driver_port, driver)
}

#[test]
fn two_reviewers_review_a_scanned_sample_in_a_real_browser() {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).unwrap();
    let d = tempfile::tempdir().unwrap();
    let scan = scanned();
    let review: Value =
        serde_json::from_str(&std::fs::read_to_string(scan.join("d2026-025/review.json")).unwrap())
            .unwrap();
    let findings = review["findings"].as_array().unwrap().len();
    assert!(findings >= 2, "the sample has findings to review: {review}");
    assert!(scan.join("d2026-025/pages/0001.jpg").is_file());
    let data = data_folder(d.path());
    let (server, base) = serve(&data);

    let (driver_port, _driver) = chromedriver();

    // The supervisor makes a round and gives the dossier to both reviewers.
    let boss = Browser::new(driver_port, &base, &shots);
    boss.login("王五");
    boss.type_in("input[name=name]", "2024年下半年案卷评查");
    boss.type_in("input[name=place]", "县司法局三楼会议室");
    boss.js("document.querySelector('input[name=period_start]').value='2024-07-01';document.querySelector('input[name=period_end]').value='2024-12-31';");
    boss.click("form[action='/rounds'] button[type=submit]");
    boss.click("form[action$='/assign'] button[type=submit]");
    boss.wait_text("张三、李四");
    boss.shot("1-round");
    let round_path = boss.path();

    // Each reviewer opens the dossier from their list and decides every
    // finding with the keyboard: 张三 confirms all (j c …), 李四 rejects the
    // first (r, a reason, Enter) and confirms the rest.
    let mut reviewers = Vec::new();
    for (name, reject_first) in [("张三", false), ("李四", true)] {
        let b = Browser::new(driver_port, &base, &shots);
        b.login(name);
        b.click("table.list a[href^='/a/']");
        let items = b
            .js("return document.querySelectorAll('.item').length")
            .as_i64()
            .unwrap();
        assert!(items as usize >= findings);
        for i in 0..findings {
            b.keys("j");
            if i == 0 && reject_first {
                b.keys("r");
                // "r" put the focus in the item's reason field.
                let active = b.cmd("GET", "/element/active", Value::Null);
                let e = active[ELEMENT].as_str().unwrap().to_string();
                assert_eq!(
                    b.js("return document.activeElement.name").as_str(),
                    Some("reason")
                );
                b.cmd(
                    "POST",
                    &format!("/element/{e}/value"),
                    json!({"text": "页码连续，不扣分"}),
                );
                b.keys("\u{E007}");
            } else {
                b.keys("c");
            }
            // The page comes back at the item just decided.
            let deadline = Instant::now() + Duration::from_secs(10);
            while b
                .js("return document.querySelectorAll('.item .state').length")
                .as_i64()
                .unwrap()
                < i as i64 + 1
            {
                assert!(
                    Instant::now() < deadline,
                    "decision {i} of {name} not shown:\n{}",
                    b.text()
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        if !reject_first {
            // The page with the first finding's evidence box, lit.
            let page = review["findings"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|f| f["evidence"].as_array().cloned().unwrap_or_default())
                .find(|e| e["bbox"].is_array())
                .and_then(|e| e["page"].as_u64());
            if let Some(p) = page {
                let here = b.path();
                let here = here.split('?').next().unwrap().to_string();
                b.go(&format!("{here}?page={p}"));
                let boxes = b
                    .js("return document.querySelectorAll('.pageview rect').length")
                    .as_i64()
                    .unwrap();
                assert!(boxes >= 1, "evidence box drawn on page {p}");
                let loaded = b.js("var i=document.querySelector('.pageview img');return i.complete && i.naturalWidth").as_i64().unwrap_or(0);
                assert!(loaded > 500, "the page view loaded: {loaded}");
                b.click("button[data-zoom='1.5']");
                b.keys("j");
                b.shot("2-dossier-page-with-box");
            }
        }
        let score = b.text();
        assert!(score.contains("评分 Score"), "{score}");
        b.keys("s");
        b.accept_dialog();
        b.find("p.notice");
        reviewers.push(b);
    }
    let (zhang, li) = (&reviewers[0], &reviewers[1]);

    // Reconcile: only the one difference, side by side; agree, sign twice.
    li.go("/");
    li.click("a[href^='/r/']");
    li.wait_until(
        "document.querySelector('h1') && document.querySelector('h1').innerText.startsWith('合议')",
    );
    let diffs = li
        .js("return document.querySelectorAll('article.diff').length")
        .as_i64()
        .unwrap();
    assert_eq!(diffs, 1, "{}", li.text());
    assert!(li.text().contains("页码连续，不扣分"));
    li.shot("3-reconcile");
    li.type_in("article.diff input[name=reason]", "合议：维持机器建议");
    li.click("article.diff button[value=confirm]");
    li.wait_until("!document.querySelector('#sign').disabled");
    li.click("#sign");
    li.wait_text("已签名");
    let reconcile = li.path();
    zhang.go(&reconcile);
    zhang.click("#sign");
    zhang.wait_until("document.querySelectorAll('.signers .pending').length == 0");
    boss.go(&reconcile);
    boss.click("#close");
    boss.accept_dialog();
    boss.find("#final");
    boss.type_in("input[name=head_name]", "赵局长");
    boss.js("document.querySelector('input[name=head_date]').value='2024-12-20';");
    boss.click("#ack");
    boss.wait_text("赵局长");

    // The 评查表, on screen and printed to A4.
    boss.click("a[href$='/form']");
    let form = boss.text();
    for part in [
        "行政执法案卷评查表",
        "一、基本情况",
        "县司法局三楼会议室",
        "二、基础标准",
        "三、规范性标准",
        "四、评定等次",
        "赵局长",
        "张三",
        "李四",
    ] {
        assert!(form.contains(part), "{part} on the form:\n{form}");
    }
    boss.shot("4-review-form");
    boss.print_a4("4-review-form");
    boss.go(&round_path);
    eprintln!("screenshots: {}", shots.display());
    drop(reviewers);
    drop(boss);
    drop(server);
}

/// A signed-in client of the app over plain HTTP.
struct Client {
    port: u16,
    cookie: String,
}

fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

impl Client {
    fn login(port: u16, name: &str) -> Client {
        let origin = format!("Origin: http://127.0.0.1:{port}");
        let (status, headers, _) = request(
            port,
            "POST",
            "/login",
            &[&origin, "Content-Type: application/x-www-form-urlencoded"],
            &form(&[("name", name), ("password", PASSWORD)]),
        )
        .unwrap();
        assert_eq!(status, 303);
        let cookie = headers
            .iter()
            .find(|h| h.to_ascii_lowercase().starts_with("set-cookie:"))
            .and_then(|h| h["set-cookie:".len()..].split(';').next())
            .expect("a session cookie")
            .trim()
            .to_string();
        Client { port, cookie }
    }

    fn get(&self, path: &str) -> std::io::Result<(u16, String)> {
        let cookie = format!("Cookie: {}", self.cookie);
        let (status, _, body) = request(self.port, "GET", path, &[&cookie], b"")?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }

    fn post(&self, path: &str, fields: &[(&str, &str)]) -> std::io::Result<u16> {
        let cookie = format!("Cookie: {}", self.cookie);
        let origin = format!("Origin: http://127.0.0.1:{}", self.port);
        let kind = "Content-Type: application/x-www-form-urlencoded";
        request(
            self.port,
            "POST",
            path,
            &[&cookie, &origin, kind],
            &form(fields),
        )
        .map(|r| r.0)
    }
}

/// A reviewer's comment on `item` of the assignment at `page` (`/a/N`),
/// saved on the view `base_seq`: the answer's status.
fn comment(
    c: &Client,
    page: &str,
    csrf: &str,
    item: &str,
    reason: &str,
    base_seq: &str,
) -> std::io::Result<u16> {
    let fields = [
        ("csrf", csrf),
        ("item", item),
        ("action", "comment"),
        ("reason", reason),
        ("base_seq", base_seq),
    ];
    c.post(&format!("{page}/decide"), &fields)
}

/// The value of the first `name="NAME" value="…"` after `from` in `html`.
fn field_after(html: &str, from: &str, name: &str) -> String {
    let at = html
        .find(from)
        .unwrap_or_else(|| panic!("{from} not in page"));
    let key = format!("name=\"{name}\" value=\"");
    let rest = &html[at..];
    let v = &rest[rest
        .find(&key)
        .unwrap_or_else(|| panic!("{name} after {from}"))
        + key.len()..];
    v[..v.find('"').unwrap()].to_string()
}

/// The items of the dossier page `html` that a decision can be made on,
/// each with the `base_seq` its form carries.
fn decide_forms(html: &str) -> Vec<(String, String)> {
    let mut items = Vec::new();
    for part in html.split("id=\"item-").skip(1) {
        let item = &part[..part.find('"').unwrap()];
        let at = format!("id=\"item-{item}\"");
        let block = &html[html.find(&at).unwrap()..];
        // Only the items with a form of their own (the next article's form
        // is not this item's).
        let form = block.find("class=\"decide\"");
        let next = block[at.len()..].find("id=\"item-").map(|n| n + at.len());
        if form.is_some_and(|f| next.is_none_or(|n| f < n)) {
            items.push((item.to_string(), field_after(html, &at, "base_seq")));
        }
    }
    items
}

/// The resident memory of process `pid`, in kB.
fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// How many decisions are sent at once while the server is killed.
const IN_FLIGHT: usize = 200;

/// The supervisor opens review round number `r` (2024) named `name`, and
/// gives dossier 1 to reviewers 1 and 2 in it.
fn open_round(boss: &Client, csrf: &str, r: u32, name: &str) {
    let round = [
        ("csrf", csrf),
        ("name", name),
        ("period_start", "2024-01-01"),
        ("period_end", "2024-12-31"),
        ("units", ""),
    ];
    assert_eq!(boss.post("/rounds", &round).unwrap(), 303);
    let assign = [
        ("csrf", csrf),
        ("dossier", "1"),
        ("first", "1"),
        ("second", "2"),
    ];
    let path = format!("/rounds/{r}/assign");
    assert_eq!(boss.post(&path, &assign).unwrap(), 303);
}

#[test]
fn decisions_acknowledged_before_a_sigkill_survive_it() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier, Mutex};
    let started = Instant::now();
    let d = tempfile::tempdir().unwrap();
    let data = data_folder(d.path());
    let (mut server, base) = serve(&data);
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();

    // Three rounds, the dossier given to both reviewers in each: six
    // assignments, each with its items to decide (a reviewer decides on
    // their own assignments only, an item one decision after another).
    let boss = Client::login(port, "王五");
    let (_, home) = boss.get("/").unwrap();
    let csrf = field_after(&home, "action=\"/rounds\"", "csrf");
    for r in 1..=3 {
        open_round(&boss, &csrf, r, &format!("断电演练{r}"));
    }

    // One writer per (assignment, item): 200 of them, from the two
    // reviewers' sessions.
    struct Lane {
        client: Arc<Client>,
        csrf: String,
        page: String,
        item: String,
        base_seq: String,
    }
    let mut lanes = Vec::new();
    let mut assignments = Vec::new();
    for who in ["张三", "李四"] {
        let c = Arc::new(Client::login(port, who));
        let (_, home) = c.get("/").unwrap();
        let mut pages: Vec<String> = home
            .split("href=\"/a/")
            .skip(1)
            .map(|s| format!("/a/{}", &s[..s.find('"').unwrap()]))
            .collect();
        pages.dedup();
        assert_eq!(pages.len(), 3, "{who}'s assignments: {pages:?}");
        for page in pages {
            let (_, html) = c.get(&page).unwrap();
            let csrf = field_after(&html, "class=\"decide\"", "csrf");
            assignments.push(page[3..].parse::<i64>().unwrap());
            for (item, base_seq) in decide_forms(&html) {
                lanes.push(Lane {
                    client: c.clone(),
                    csrf: csrf.clone(),
                    page: page.clone(),
                    item,
                    base_seq,
                });
            }
        }
    }
    assert!(
        lanes.len() >= IN_FLIGHT,
        "only {} items to decide on",
        lanes.len()
    );
    // Spread over the six assignments rather than the first ones filled.
    lanes.sort_by_key(|l| (l.item.clone(), l.page.clone()));
    let step = lanes.len() as f64 / IN_FLIGHT as f64;
    let mut picked = Vec::new();
    for (i, lane) in lanes.into_iter().enumerate() {
        if picked.len() < IN_FLIGHT && (i as f64) >= picked.len() as f64 * step {
            picked.push(lane);
        }
    }
    assert_eq!(picked.len(), IN_FLIGHT);

    // All 200 send their first decision at once, then go on, each decision
    // on the view that shows the one before, until the server is killed.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most_in_flight = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let go = Arc::new(Barrier::new(IN_FLIGHT + 1));
    let mut threads = Vec::new();
    for (n, lane) in picked.into_iter().enumerate() {
        let (acknowledged, stop, go) = (acknowledged.clone(), stop.clone(), go.clone());
        let (in_flight, most_in_flight) = (in_flight.clone(), most_in_flight.clone());
        threads.push(std::thread::spawn(move || {
            let Lane {
                client: c,
                csrf,
                page,
                item,
                mut base_seq,
            } = lane;
            go.wait();
            for i in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let reason = format!("{page} {item} 第{n}路第{i}条");
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most_in_flight.fetch_max(now, Ordering::SeqCst);
                let answer = comment(&c, &page, &csrf, &item, &reason, &base_seq);
                in_flight.fetch_sub(1, Ordering::SeqCst);
                match answer {
                    Ok(303) => acknowledged.lock().unwrap().push(reason),
                    Ok(0) | Err(_) => break, // the server died mid-answer
                    Ok(status) => panic!("{reason}: status {status}"),
                }
                match c.get(&page) {
                    Ok((200, html)) => {
                        base_seq = field_after(&html, &format!("id=\"item-{item}\""), "base_seq")
                    }
                    _ => break,
                }
            }
        }));
    }
    go.wait();
    let first = Instant::now();
    // Killed once the first wave is answered and the next is under way.
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 2 * IN_FLIGHT {
        assert!(Instant::now() < deadline, "too few decisions taken");
        std::thread::sleep(Duration::from_millis(2));
    }
    let sent_at_kill = in_flight.load(Ordering::SeqCst);
    server.0.kill().unwrap(); // SIGKILL
    server.0.wait().unwrap();
    let ran = first.elapsed();
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        t.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert_eq!(
        most_in_flight.load(Ordering::SeqCst),
        IN_FLIGHT,
        "all the decisions were in flight at once"
    );
    assert!(
        sent_at_kill >= IN_FLIGHT / 4,
        "only {sent_at_kill} decisions in flight when the server was killed"
    );

    // Restarted: the database is whole and holds every acknowledged decision.
    let (server, base) = serve(&data);
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let store = anjuan_store::SqliteStore::open(&data.join("anjuan.db")).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    use anjuan_store::Store;
    let mut kept: Vec<String> = assignments
        .iter()
        .flat_map(|&a| store.decisions(a).unwrap())
        .map(|d| d.reason)
        .collect();
    kept.sort();
    for reason in &acknowledged {
        assert!(
            kept.binary_search(reason).is_ok(),
            "{reason} was acknowledged and lost"
        );
    }
    // And the restarted server goes on taking them.
    let c = Client::login(port, "张三");
    let (status, html) = c.get(&format!("/a/{}", assignments[0])).unwrap();
    assert_eq!(status, 200);
    let (item, base_seq) = decide_forms(&html).swap_remove(0);
    let csrf = field_after(&html, "class=\"decide\"", "csrf");
    let page = format!("/a/{}", assignments[0]);
    assert_eq!(
        comment(&c, &page, &csrf, &item, "重启之后", &base_seq).unwrap(),
        303
    );
    drop(server);
    eprintln!(
        "{IN_FLIGHT} writers: {} decisions acknowledged in {ran:.1?} before SIGKILL, \
         {sent_at_kill} in flight at the kill; {} in the database after the restart \
         (integrity ok); test {:.1?}",
        acknowledged.len(),
        kept.len(),
        started.elapsed()
    );
}

/// A data folder with accounts only (no dossier): enough to sign in.
fn accounts_folder(d: &Path) -> PathBuf {
    let data = d.join("data");
    run(
        &[
            "user",
            "add",
            "张三",
            "--role",
            "reviewer",
            "--data",
            &shown(&data),
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    data
}

/// What a request that is too big got: its status, or 0 when the server
/// closed the connection before answering. Sending stops at the first
/// write the server no longer takes.
fn send_oversized(port: u16, head: &str, body_bytes: usize) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(30))).unwrap();
    if s.write_all(head.as_bytes()).is_ok() {
        let chunk = vec![b'a'; 1 << 20];
        let mut sent = 0;
        while sent < body_bytes {
            let n = chunk.len().min(body_bytes - sent);
            if s.write_all(&chunk[..n]).is_err() {
                break;
            }
            sent += n;
        }
    }
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    answer
        .strip_prefix("HTTP/1.1 ")
        .and_then(|a| a.get(..3))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn slow_clients_and_oversized_requests_are_cut_off_while_others_are_served() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let d = tempfile::tempdir().unwrap();
    let data = accounts_folder(d.path());
    let (server, base) = serve(&data);
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let pid = server.0.id();
    let timeout = anjuan_web::HEADER_TIMEOUT;

    // Slowloris: connections that send a request head a byte every 2 s and
    // never finish it. Each notes when the server closed it.
    const SLOW: usize = 50;
    let done = Arc::new(AtomicBool::new(false));
    let mut slow = Vec::new();
    for n in 0..SLOW {
        let done = done.clone();
        slow.push(std::thread::spawn(move || -> Option<Duration> {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            let opened = Instant::now();
            s.write_all(
                format!("GET /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow-{n}: ").as_bytes(),
            )
            .unwrap();
            s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            let mut buf = [0u8; 512];
            while !done.load(Ordering::SeqCst) {
                match s.read(&mut buf) {
                    // Closed (or answered, and then closed).
                    Ok(_) => return Some(opened.elapsed()),
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) =>
                    {
                        if s.write_all(b"a").is_err() {
                            return Some(opened.elapsed());
                        }
                    }
                    Err(_) => return Some(opened.elapsed()),
                }
            }
            None
        }));
    }
    std::thread::sleep(Duration::from_millis(500));

    // Meanwhile a reviewer is served at once: pages and a sign-in.
    let mut waits = Vec::new();
    let deadline = Instant::now() + timeout - Duration::from_secs(2);
    while Instant::now() < deadline {
        let t = Instant::now();
        let (status, _, body) = request(port, "GET", "/login", &[], b"").unwrap();
        waits.push(t.elapsed());
        assert_eq!(status, 200);
        assert!(String::from_utf8_lossy(&body).contains("password"));
        std::thread::sleep(Duration::from_millis(200));
    }
    let t = Instant::now();
    let c = Client::login(port, "张三");
    let sign_in = t.elapsed();
    assert_eq!(c.get("/").unwrap().0, 200);
    let slowest = *waits.iter().max().unwrap();
    assert!(
        slowest < Duration::from_secs(1),
        "a page took {slowest:?} beside {SLOW} slow clients"
    );

    // The slow ones are cut off once their head is HEADER_TIMEOUT late.
    let give_up = Instant::now() + timeout * 2 + Duration::from_secs(5);
    while slow.iter().any(|t| !t.is_finished()) && Instant::now() < give_up {
        std::thread::sleep(Duration::from_millis(100));
    }
    done.store(true, Ordering::SeqCst);
    let closed: Vec<Duration> = slow
        .into_iter()
        .map(|t| t.join().unwrap().expect("a slow client still connected"))
        .collect();
    let (first, last) = (closed.iter().min().unwrap(), closed.iter().max().unwrap());
    assert!(
        *first >= timeout - Duration::from_millis(100) && *last < timeout + Duration::from_secs(4),
        "slow clients closed after {first:?} to {last:?}, the limit being {timeout:?}"
    );

    // Too big: a 100 MB form, the same chunked, a 1 MB header, 1000
    // headers. Each is refused without the server holding it in memory.
    let before = rss_kb(pid);
    let huge = 100 << 20;
    let origin = format!("Origin: http://127.0.0.1:{port}");
    let form = "Content-Type: application/x-www-form-urlencoded";
    let head = format!(
        "POST /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{origin}\r\n{form}\r\nContent-Length: {huge}\r\n\r\n"
    );
    let t = Instant::now();
    let big_form = send_oversized(port, &head, huge);
    let big_form_took = t.elapsed();
    let after_form = rss_kb(pid);
    let head = format!(
        "POST /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{origin}\r\n{form}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        huge
    );
    let big_chunk = send_oversized(port, &head, huge);
    let head = format!(
        "GET /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Big: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let big_header = send_oversized(port, &head, 0);
    let head = format!(
        "GET /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{}\r\n",
        (0..1000)
            .map(|i| format!("X-H{i}: a\r\n"))
            .collect::<String>()
    );
    let many_headers = send_oversized(port, &head, 0);
    let after = rss_kb(pid);
    assert!(matches!(big_form, 413 | 0), "100 MB form: {big_form}");
    assert!(matches!(big_chunk, 413 | 0), "100 MB chunked: {big_chunk}");
    assert!(matches!(big_header, 431 | 0), "1 MB header: {big_header}");
    assert!(
        matches!(many_headers, 431 | 0),
        "1000 headers: {many_headers}"
    );
    assert!(
        after < before + 20 * 1024,
        "the server grew from {before} kB to {after} kB"
    );
    // And it goes on serving.
    assert_eq!(c.get("/").unwrap().0, 200);
    assert_eq!(Client::login(port, "张三").get("/").unwrap().0, 200);
    drop(server);
    eprintln!(
        "{SLOW} slow clients: pages beside them in at most {slowest:.1?} ({} pages), sign-in {sign_in:.1?}; \
         cut off after {first:.1?}..{last:.1?} (limit {timeout:?}). \
         100 MB form: {big_form} in {big_form_took:.1?}, chunked: {big_chunk}, 1 MB header: {big_header}, \
         1000 headers: {many_headers}; RSS {before} kB before, {after_form} kB after the form, {after} kB after all",
        waits.len()
    );
}

/// Runs Debian's wapiti 3.0.4 (`/usr/bin/wapiti`'s own code) with two
/// changes: its sockets may connect to loopback only, and its `-x` works
/// (3.0.4 builds the exclusion's regular expression with its flags last,
/// which Python 3.11 refuses).
const WAPITI: &str = r#"
import re, socket, sys
_connect = socket.socket.connect
def _loopback_only(self, address):
    if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1"):
        raise OSError("wapiti may reach loopback only, not %r" % (address,))
    return _connect(self, address)
socket.socket.connect = _loopback_only
from wapitiCore.net import crawler
def _wildcard(pattern):
    body = "".join(".*" if c == "*" else re.escape(c) for c in pattern)
    return re.compile("(?ms)" + body + r"\Z")
crawler.wildcard_translate = _wildcard
from wapitiCore.main.wapiti import wapiti_main
sys.argv[0] = "wapiti"
sys.exit(wapiti_main())
"#;

/// The attack modules run: all of 3.0.4's but those that reach beyond
/// this machine (ssrf, xxe: their endpoint is wapiti3.ovh; nikto, wapp:
/// databases from the web), brute force on the sign-in (argon2 by design
/// makes it slow) and backup (3.0.4 fails on a URL with a port).
const WAPITI_MODULES: &str = "xss,permanentxss,sql,blindsql,exec,file,crlf,redirect,shellshock,http_headers,csp,cookieflags,methods,htaccess,csrf";

/// A wapiti scan of `base` signed in with `cookie`, never following the
/// URLs `exclude`: the JSON report and what wapiti printed.
fn wapiti(
    base: &str,
    cookie: &str,
    exclude: &[&str],
    attack_secs: u32,
    out: &Path,
) -> (Value, String) {
    std::fs::create_dir_all(out).unwrap();
    let host = base.trim_start_matches("http://");
    let (domain, _) = host.split_once(':').unwrap();
    let cookies = out.join("cookies.json");
    let token = cookie.split_once('=').unwrap().1;
    std::fs::write(
        &cookies,
        json!({domain: {"/": {"anjuan_session": {
            "value": token, "expires": null, "secure": false, "port": null, "version": 0
        }}}})
        .to_string(),
    )
    .unwrap();
    // wapiti's config folder: an empty technology database, so that it does
    // not fetch one.
    let config = out.join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("apps.json"), "{}").unwrap();
    let report = out.join("report.json");
    let _ = std::fs::remove_file(&report);
    let mut args: Vec<String> = vec![
        "-c".into(),
        WAPITI.into(),
        "-u".into(),
        format!("{base}/"),
        "-c".into(),
        shown(&cookies),
        "-m".into(),
        WAPITI_MODULES.into(),
        "--flush-session".into(),
        "--store-session".into(),
        shown(&out.join("session")),
        "--store-config".into(),
        shown(&config),
        "-d".into(),
        "4".into(),
        "--max-scan-time".into(),
        "60".into(),
        "--max-attack-time".into(),
        attack_secs.to_string(),
        "-t".into(),
        "10".into(),
        "--no-bugreport".into(),
        "-v".into(),
        "1".into(),
        "-f".into(),
        "json".into(),
        "-o".into(),
        shown(&report),
    ];
    for x in exclude {
        args.push("-x".into());
        args.push(format!("{base}{x}"));
    }
    let home = out.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let run = Command::new("/usr/bin/python3")
        .args(&args)
        .env("HOME", &home)
        .env("LC_ALL", "C.UTF-8")
        .env("LANGUAGE", "en")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .stdin(Stdio::null())
        .output()
        .expect("wapiti (Debian's wapiti; scripts/setup.sh installs it)");
    let printed =
        String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
    std::fs::write(out.join("wapiti.out"), &printed).unwrap();
    assert!(run.status.success(), "wapiti failed: {printed}");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(&report).unwrap_or_else(|e| panic!("no report: {e}: {printed}")),
    )
    .unwrap();
    assert!(
        report["infos"]["version"]
            .as_str()
            .is_some_and(|v| v.contains("Wapiti 3")),
        "{}",
        report["infos"]
    );
    (report, printed)
}

/// The findings of a wapiti report (vulnerabilities and anomalies), as
/// (level, kind, method, path, parameter, what): wapiti's levels are
/// 4 critical, 3 high, 2 medium, 1 low, 0 information.
fn wapiti_findings(report: &Value) -> Vec<(u8, String, String, String, String, String)> {
    let mut all = Vec::new();
    for part in ["vulnerabilities", "anomalies"] {
        for (kind, list) in report[part].as_object().unwrap() {
            for v in list.as_array().unwrap() {
                let level = match &v["level"] {
                    Value::Number(n) => n.as_u64().unwrap() as u8,
                    Value::String(s) => s.parse().unwrap(),
                    other => panic!("level {other}"),
                };
                let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
                all.push((
                    level,
                    format!("{part}: {kind}"),
                    s("method"),
                    s("path"),
                    s("parameter"),
                    s("info"),
                ));
            }
        }
    }
    all
}

/// The number wapiti printed in "Wapiti found N URLs and forms".
fn wapiti_crawled(printed: &str) -> usize {
    printed
        .lines()
        .find_map(|l| {
            l.split_once("Wapiti found ")
                .and_then(|(_, r)| r.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or_else(|| panic!("wapiti did not say what it crawled: {printed}"))
}

#[test]
fn a_web_vulnerability_scan_of_the_app_finds_nothing_high() {
    let started = Instant::now();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wapiti");
    let _ = std::fs::remove_dir_all(&out);
    let d = tempfile::tempdir().unwrap();
    let data = data_folder(d.path());
    let (server, base) = serve(&data);
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let boss = Client::login(port, "王五");
    let (_, home) = boss.get("/").unwrap();
    let csrf = field_after(&home, "action=\"/rounds\"", "csrf");
    open_round(&boss, &csrf, 1, "安全扫描");
    let reviewer = Client::login(port, "张三");

    // Two scans at once: a reviewer's pages (the dossier page and its
    // forms; attacks on decisions are stored and looked for again) and a
    // supervisor's (rounds, reports and their parameters, exports). Neither
    // signs out, nor hands the review in.
    let scans = [
        (
            "reviewer",
            reviewer.cookie.clone(),
            vec!["/logout", "/a/*/submit"],
            40,
            40,
        ),
        ("supervisor", boss.cookie.clone(), vec!["/logout"], 15, 200),
    ];
    let runs: Vec<_> = scans
        .iter()
        .map(|(who, cookie, exclude, secs, _)| {
            let (base, cookie, exclude, secs) =
                (base.clone(), cookie.clone(), exclude.clone(), *secs);
            let out = out.join(who);
            std::thread::spawn(move || {
                let t = Instant::now();
                let (report, printed) = wapiti(&base, &cookie, &exclude, secs, &out);
                (report, printed, t.elapsed())
            })
        })
        .collect();
    let mut summary = Vec::new();
    for ((who, cookie, _, _, least), run) in scans.iter().zip(runs) {
        let (report, printed, took) = run.join().unwrap();
        let crawled = wapiti_crawled(&printed);
        assert!(
            crawled >= *least,
            "{who}: wapiti crawled {crawled} URLs and forms"
        );
        for module in ["xss", "permanentxss", "sql", "exec", "file"] {
            assert!(
                printed.contains(&format!("Launching module {module}\n")),
                "{who}: {module} did not run"
            );
        }
        // It scanned signed in, and still is.
        let signed_in = if *who == "reviewer" {
            "/a/1/decide"
        } else {
            "/reports/"
        };
        assert!(
            printed.contains(signed_in),
            "{who}: {signed_in} not scanned"
        );
        let c = Client {
            port,
            cookie: cookie.clone(),
        };
        let (status, page) = c.get("/").unwrap();
        assert!(
            status == 200 && page.contains("/logout"),
            "{who} signed out"
        );
        let findings = wapiti_findings(&report);
        let mut by_level = [0usize; 5];
        for f in &findings {
            by_level[f.0.min(4) as usize] += 1;
        }
        let high: Vec<_> = findings.iter().filter(|f| f.0 >= 3).collect();
        assert!(
            high.is_empty(),
            "{who}: high or critical findings: {high:#?}"
        );
        summary.push(format!(
            "{who}: {crawled} URLs and forms, {took:.0?}; findings critical {} high {} medium {} low {} info {}: {:?}",
            by_level[4],
            by_level[3],
            by_level[2],
            by_level[1],
            by_level[0],
            findings
                .iter()
                .map(|f| format!("[{}] {} {} {} {}", f.0, f.1, f.3, f.4, f.5))
                .collect::<Vec<_>>()
        ));
    }
    drop(server);
    for s in summary {
        eprintln!("{s}");
    }
    eprintln!("reports: {}; test {:.0?}", out.display(), started.elapsed());
}

/// The cells of the table captioned `caption` on the page, row by row.
fn page_table(b: &Browser, caption: &str) -> Vec<Vec<String>> {
    let script = format!(
        "var hs = Array.from(document.querySelectorAll('h2')).filter(h => h.innerText.startsWith({}));\
         if (!hs.length) return null;\
         var t = hs[0].nextElementSibling.querySelector('table');\
         return Array.from(t.tBodies[0].rows).map(r => Array.from(r.cells).map(c => c.innerText.trim()));",
        json!(caption)
    );
    let v = b.js(&script);
    serde_json::from_value(v).unwrap_or_else(|e| panic!("table {caption}: {e}:\n{}", b.text()))
}

/// The same table as `anjuan report … --format json` prints it.
fn cli_table(data: &Path, args: &[&str], caption: &str) -> Vec<Vec<String>> {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    let d = shown(data);
    all.extend(["--data", &d, "--format", "json"]);
    let r: Value = serde_json::from_str(&run(&all, None)).unwrap();
    let t = r["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"].as_str().unwrap().starts_with(caption))
        .unwrap_or_else(|| panic!("{caption} not in {r}"));
    t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|c| c["text"].as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn a_supervisor_and_a_unit_head_use_the_reports_in_a_real_browser() {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).unwrap();
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let hash = anjuan_web::auth::hash_password(PASSWORD).unwrap();
    let fx = fixture::build(&data.join("anjuan.db"), &hash);
    let (server, base) = serve(&data);
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let (driver_port, _driver) = chromedriver();

    // The supervisor: gaps across units, as `anjuan report gaps` counts them.
    let boss = Browser::new(driver_port, &base, &shots);
    boss.login("王五");
    boss.click("header.top a[href='/reports']");
    boss.click("a[href^='/reports/gaps']");
    boss.wait_text("单位×评查项目");
    let page = boss.text();
    assert!(page.contains("经评查确认（已定稿的评查表）"), "{page}");
    for caption in ["单位×评查项目", "等次分布与平均分", "问题明细"] {
        assert_eq!(
            page_table(&boss, caption),
            cli_table(&data, &["gaps"], caption),
            "{caption}: the page and anjuan report agree"
        );
    }
    // 市场's P-2.2.7: 2 files, 1.5 points (worked out in the fixture).
    let detail = page_table(&boss, "问题明细");
    assert!(detail
        .iter()
        .any(|r| r[0] == fixture::M && r[1] == "P-2.2.7" && r[3] == "2" && r[4] == "1.5"));
    assert_eq!(
        boss.js("return document.querySelectorAll('figure.chart svg').length"),
        json!(1)
    );
    boss.shot("5-report-gaps");

    // Sorting a column by a click; the drill-down behind a cell.
    boss.js("Array.from(document.querySelectorAll('h2')).find(h => h.innerText.startsWith('等次分布')).nextElementSibling.querySelector('th[data-col=\"2\"]').click()");
    let grades = page_table(&boss, "等次分布与平均分");
    let means: Vec<f64> = grades.iter().map(|r| r[2].parse().unwrap()).collect();
    let mut sorted = means.clone();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(means, sorted, "sorted by 平均分, ascending");
    boss.click("td a[href*='item=P-2.2.7'][href*='unit=%E8%92%B2%E5%8E%BF%E5%B8%82']");
    boss.wait_text("案卷与问题");
    let files: Vec<String> = page_table(&boss, "案卷")
        .iter()
        .map(|r| r[1].clone())
        .collect();
    assert_eq!(files, vec!["m1", "m2"]);
    boss.shot("6-report-drill");

    // The half-year report, compared with the half-year before, on A4.
    boss.go("/reports/half-year?period=2023H1&basis=confirmed");
    boss.wait_text("2023年上半年");
    assert_eq!(
        page_table(&boss, "各单位评查情况"),
        cli_table(
            &data,
            &["half-year", "--period", "2023H1"],
            "各单位评查情况"
        )
    );
    boss.shot("7-report-half-year");
    boss.print_a4("7-report-half-year");

    // The annual statistics table: the app's CSV is the command's, and the
    // XLSX is a workbook.
    let http = Client::login(port, "王五");
    let (status, csv) = http
        .get("/reports/annual/export?format=csv&period=2023&basis=confirmed")
        .unwrap();
    assert_eq!(status, 200);
    let cli_csv = run(
        &[
            "report",
            "annual",
            "--period",
            "2023",
            "--format",
            "csv",
            "--data",
            &shown(&data),
        ],
        None,
    );
    assert_eq!(csv, cli_csv);
    let (status, xlsx) = http
        .get("/reports/annual/export?format=xlsx&period=2023")
        .unwrap();
    assert_eq!(status, 200);
    assert!(xlsx.starts_with("PK"), "an xlsx is a zip");
    boss.go("/reports/annual?period=2023");
    boss.wait_text("行政执法数据");
    boss.shot("8-report-annual");

    // A unit renamed from the page.
    boss.go("/reports/units");
    boss.type_in("#rename input[name=name]", fixture::Z);
    boss.type_in("#rename input[name=becomes]", "蒲县黑龙关镇");
    boss.click("#rename button[type=submit]");
    boss.wait_text("已保存");
    let units = page_table(&boss, "执法单位");
    assert!(
        units
            .iter()
            .any(|r| r[0] == "蒲县黑龙关镇" && r[6] == fixture::Z),
        "{units:?}"
    );
    boss.shot("9-report-units");

    // The head of 市场 sees their unit only and edits its rectification.
    let head = Browser::new(driver_port, &base, &shots);
    head.login("赵局长");
    head.go(&format!(
        "/reports/gaps?unit={}",
        "%E8%92%B2%E5%8E%BF%E4%BA%A4%E9%80%9A%E8%BF%90%E8%BE%93%E5%B1%80"
    ));
    head.wait_text("单位×评查项目");
    assert!(head.text().contains(&format!("单位：{}", fixture::M)));
    assert!(!head.text().contains(fixture::T), "another unit's figures");
    let (status, _) = Client::login(port, "赵局长").get("/reports/units").unwrap();
    assert_eq!(status, 403);
    head.go("/reports/rectification?period=all");
    head.wait_text("整改清单");
    let rows = head
        .js("return document.querySelectorAll('table.rect tbody tr').length")
        .as_i64()
        .unwrap();
    assert_eq!(rows, 3, "市场's three confirmed problems");
    let line = format!("#p-{}-P-3\\.2\\.5", fx.ids["m2"]);
    head.type_in(
        &format!("{line} textarea[name=measure]"),
        "补盖印章，并对全局案卷逐卷核查",
    );
    head.js(&format!(
        "document.querySelector('{}').value='2099-06-30';document.querySelector('{}').value='in_progress';",
        format!("{line} input[name=deadline]").replace('\\', "\\\\"),
        format!("{line} select[name=status]").replace('\\', "\\\\")
    ));
    head.click(&format!("{line} button[type=submit]"));
    head.wait_text("已保存");
    let progress = page_table(&head, "整改进度");
    let want: Vec<String> = [fixture::M, "3", "0", "1", "2", "0"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(progress, vec![want]);
    head.shot("10-report-rectification");
    head.print_a4("10-report-rectification");
    // The edit is in the store, and the command line sees it.
    let list = cli_table(&data, &["rectification"], "整改清单");
    assert!(list.iter().any(|r| r[3] == "P-3.2.5"
        && r[7] == "补盖印章，并对全局案卷逐卷核查"
        && r[9] == "整改中"));
    // Not another unit's problem.
    let t1 = fx.ids["t1"].to_string();
    let round = fx.round.to_string();
    let zhao = Client::login(port, "赵局长");
    let (status, page) = zhao.get("/reports/rectification").unwrap();
    assert_eq!(status, 200);
    let csrf = field_after(&page, "action=\"/rectify\"", "csrf");
    let status = zhao
        .post(
            "/rectify",
            &[
                ("csrf", &csrf),
                ("round", &round),
                ("dossier", &t1),
                ("item", "P-B4-2"),
                ("measure", "x"),
                ("status", "done"),
            ],
        )
        .unwrap();
    assert_eq!(status, 403, "a head edits their own unit's list only");
    eprintln!("screenshots: {}", shots.display());
    drop(head);
    drop(boss);
    drop(server);
}

/// `out`: the pages `range` (qpdf's syntax) of the shipped sample d2026-025.
fn sample_pages(range: &str, out: &Path) {
    let status = Command::new("qpdf")
        .arg("--empty")
        .arg("--pages")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/d2026-025.pdf"))
        .arg(range)
        .arg("--")
        .arg(out)
        .status()
        .expect("qpdf (scripts/setup.sh installs it)");
    assert!(status.success(), "qpdf: pages {range} to {}", out.display());
}

#[test]
fn a_supervisor_follows_the_scan_queue_on_postgresql_in_a_real_browser() {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).unwrap();
    let d = tempfile::tempdir().unwrap();
    let cluster = anjuan_store::pgcluster::Cluster::shared()
        .expect("PostgreSQL (scripts/setup.sh installs it)");
    let url = cluster.new_database("app_jobs").unwrap();
    run(&["migrate", "--database", &url], None);
    for (name, role) in [("王五", "supervisor"), ("张三", "reviewer")] {
        run(
            &["user", "add", name, "--role", role, "--database", &url],
            Some(&format!("{PASSWORD}\n")),
        );
    }
    // An archive laid out by unit: four pages of a sample in one unit's
    // folder, a file that is not a PDF in another's.
    let unit = d.path().join("archive/蒲县市场监督管理局");
    std::fs::create_dir_all(&unit).unwrap();
    sample_pages("1-4", &unit.join("案卷一.pdf"));
    let other = d.path().join("archive/黑龙关镇");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("损坏.pdf"), b"%PDF-1.4\n%%EOF\n").unwrap();
    let jobs = run(
        &[
            "enqueue",
            &shown(&d.path().join("archive")),
            "--database",
            &url,
        ],
        None,
    );
    assert_eq!(jobs.lines().count(), 2, "{jobs}");
    let (server, base) = serve_on(&["--database", &url]);
    let (driver_port, _driver) = chromedriver();
    let boss = Browser::new(driver_port, &base, &shots);
    boss.login("王五");
    boss.click("a[href='/jobs']");
    boss.wait_text("排队 queued");
    assert!(boss.text().contains("案卷一.pdf"), "{}", boss.text());

    // One worker drains the queue: one attempt each, no wait.
    let (objects, work) = (
        shown(&d.path().join("objects")),
        shown(&d.path().join("work")),
    );
    let drain = || {
        run(
            &[
                "worker",
                "--database",
                &url,
                "--objects",
                &objects,
                "--drain",
                "--max-attempts",
                "1",
                "--retry-after",
                "0",
                "--poll",
                "0.2",
                "--name",
                "扫描机-1",
                "--work-dir",
                &work,
            ],
            None,
        )
    };
    drain();

    boss.go("/jobs");
    boss.wait_text("完成 done");
    // queued, running, retrying, done, dead, total.
    let counts = || -> Vec<String> {
        boss.js("return [...document.querySelectorAll('table.counts td')].map(td => td.innerText)")
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(counts(), ["0", "0", "0", "1", "1", "2"]);
    // The text of the first job row of `class`.
    let row = |class: &str| -> String {
        let script = format!("return document.querySelector('tr.{class}').innerText");
        boss.js(&script).as_str().unwrap().to_string()
    };
    let dead = row("job-dead");
    assert!(
        dead.contains("损坏.pdf") && dead.contains("扫描机-1") && dead.contains("黑龙关镇"),
        "{dead}"
    );
    // The dead row comes first, with the reason in words.
    let first = boss
        .js("return document.querySelector('table.jobs tbody tr').className")
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(first, "job-dead");
    boss.shot("8-scan-jobs");

    // The cause fixed (here: two good pages in its place), the supervisor
    // puts the dead job back on the queue; a worker then scans it.
    sample_pages("5-6", &other.join("损坏.pdf"));
    boss.click("tr.job-dead form.requeue button");
    boss.find("tr.job-queued");
    boss.shot("8b-scan-job-requeued");
    assert_eq!(counts(), ["1", "0", "0", "1", "0", "2"]);
    let requeued = row("job-queued");
    assert!(
        requeued.contains("损坏.pdf") && !requeued.contains("damaged"),
        "{requeued}"
    );
    let dead_letter: String = std::process::Command::new("psql")
        .args(["-XAtq", &url, "-c"])
        .arg("SELECT message->>'requeued_by' FROM pgmq.a_anjuan_scan_dead")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap();
    assert_eq!(
        dead_letter, "王五",
        "who requeued it is kept with the dead letter"
    );
    drain();
    boss.go("/jobs");
    boss.find("table.counts");
    assert_eq!(counts(), ["0", "0", "0", "2", "0", "2"]);

    // The committed dossier is in the store: a round gives it to a reviewer,
    // who sees its pages (served from PostgreSQL).
    boss.go("/");
    boss.type_in("input[name=name]", "2024年下半年案卷评查");
    boss.type_in("input[name=place]", "县司法局三楼会议室");
    boss.js("document.querySelector('input[name=period_start]').value='2024-07-01';document.querySelector('input[name=period_end]').value='2024-12-31';");
    boss.click("form[action='/rounds'] button[type=submit]");
    boss.find("table.list input[name=dossier]");
    let rows = boss
        .js("return document.querySelectorAll('table.list tbody tr').length")
        .as_i64();
    assert_eq!(rows, Some(2), "each dossier once: {}", boss.text());
    let id = boss
        .js("return document.querySelector('table.list input[name=dossier]').value")
        .as_str()
        .unwrap()
        .to_string();
    // Its first page as the worker's scan made it, from PostgreSQL.
    let kind = boss.js(&format!(
        "const x = new XMLHttpRequest(); x.open('GET', '/d/{id}/view/1', false); x.send(); \
         return x.status + ' ' + x.getResponseHeader('content-type') + ' ' + x.response.length"
    ));
    let kind = kind.as_str().unwrap();
    assert!(kind.starts_with("200 image/jpeg "), "{kind}");
    // A reviewer has no jobs page.
    let r = Browser::new(driver_port, &base, &shots);
    r.login("张三");
    assert!(
        !r.text().contains("扫描任务"),
        "a reviewer sees no jobs link"
    );
    // Nor may requeue one, with a valid form of their own session.
    let status = r.js(
        "const x = new XMLHttpRequest(); x.open('POST', '/jobs/2/requeue', false); \
         x.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded'); \
         x.send('csrf=' + encodeURIComponent(document.querySelector('input[name=csrf]').value)); \
         return x.status + ' ' + x.responseText",
    );
    let status = status.as_str().unwrap();
    assert!(
        status.starts_with("403 ") && status.contains("your role does not allow this"),
        "{status}"
    );
    r.go("/jobs");
    r.wait_text("403");
    drop(server);
}

/// Two `anjuan serve` processes on one PostgreSQL database, as a province
/// runs them behind a load balancer without sticky sessions: a session made
/// on one is honoured by the other; the same item saved at once from eight
/// tabs, half through each server, on the same view is taken once and the
/// other seven refused as stale, round after round; every acknowledged
/// decision is in the log, and nothing else; one server SIGKILLed, the
/// other goes on.
#[test]
fn two_servers_on_one_postgresql_take_each_save_once_and_refuse_the_stale_ones() {
    use std::sync::{Arc, Barrier, Mutex};
    const SENDERS: usize = 8;
    const ITEMS: usize = 12;
    const ROUNDS: usize = 4;
    let started = Instant::now();
    let cluster = anjuan_store::pgcluster::Cluster::shared()
        .expect("PostgreSQL (scripts/setup.sh installs it)");
    let url = cluster.new_database("app_two_servers").unwrap();
    run(&["migrate", "--database", &url], None);
    assert!(run(&["import", &shown(scanned()), "--database", &url], None).contains('1'));
    for (name, role) in [
        ("张三", "reviewer"),
        ("李四", "reviewer"),
        ("王五", "supervisor"),
    ] {
        run(
            &["user", "add", name, "--role", role, "--database", &url],
            Some(&format!("{PASSWORD}\n")),
        );
    }
    let port_of = |base: &str| -> u16 { base.rsplit(':').next().unwrap().parse().unwrap() };
    let (mut server_a, base_a) = serve_on(&["--database", &url]);
    let (server_b, base_b) = serve_on(&["--database", &url]);
    let ports = [port_of(&base_a), port_of(&base_b)];

    let boss = Client::login(ports[0], "王五");
    let (_, home) = boss.get("/").unwrap();
    let csrf = field_after(&home, "action=\"/rounds\"", "csrf");
    open_round(&boss, &csrf, 1, "两台服务器");

    // 张三 signs in on A; the same cookie is a session on B.
    let on_a = Client::login(ports[0], "张三");
    let on_b = Client {
        port: ports[1],
        cookie: on_a.cookie.clone(),
    };
    let (_, home) = on_b.get("/").unwrap();
    let page = home
        .split("href=\"/a/")
        .nth(1)
        .map(|s| format!("/a/{}", &s[..s.find('"').unwrap()]))
        .expect("张三's assignment, listed by server B");
    let assignment: i64 = page[3..].parse().unwrap();
    let (status, html) = on_b.get(&page).unwrap();
    assert_eq!(status, 200);
    let csrf = field_after(&html, "class=\"decide\"", "csrf");
    let items: Vec<String> = decide_forms(&html)
        .into_iter()
        .map(|(item, _)| item)
        .take(ITEMS)
        .collect();
    assert_eq!(items.len(), ITEMS, "items to decide on");
    let clients = Arc::new([on_a, on_b]);

    // Each round: every item's form as the page shows it now (from A or B
    // in turn), then SENDERS saves of it at once, half through each server.
    let accepted = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut refused = 0;
    for round in 0..ROUNDS {
        let (_, html) = clients[round % 2].get(&page).unwrap();
        let go = Arc::new(Barrier::new(ITEMS * SENDERS));
        let mut threads = Vec::new();
        for item in &items {
            let base_seq = field_after(&html, &format!("id=\"item-{item}\""), "base_seq");
            for sender in 0..SENDERS {
                let (clients, accepted, go) = (clients.clone(), accepted.clone(), go.clone());
                let (item, base_seq, csrf, page) =
                    (item.clone(), base_seq.clone(), csrf.clone(), page.clone());
                threads.push(std::thread::spawn(move || {
                    let reason = format!("{item} 第{round}轮 第{sender}页签");
                    go.wait();
                    let c = &clients[sender % 2];
                    let status = comment(c, &page, &csrf, &item, &reason, &base_seq).unwrap();
                    match status {
                        303 => accepted.lock().unwrap().push(reason),
                        409 => {}
                        other => panic!("{reason}: status {other}"),
                    }
                    status
                }));
            }
        }
        let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        refused += statuses.iter().filter(|&&s| s == 409).count();
        let accepted = accepted.lock().unwrap();
        for item in &items {
            let prefix = format!("{item} 第{round}轮 ");
            let n = accepted.iter().filter(|r| r.starts_with(&prefix)).count();
            assert_eq!(n, 1, "{item}, round {round}: {n} saves taken of {SENDERS}");
        }
    }
    assert_eq!(refused, ITEMS * ROUNDS * (SENDERS - 1));

    // Server A dies; B goes on, and the log holds exactly what was acknowledged.
    server_a.0.kill().unwrap();
    server_a.0.wait().unwrap();
    let (_, html) = clients[1].get(&page).unwrap();
    let item = &items[0];
    let base_seq = field_after(&html, &format!("id=\"item-{item}\""), "base_seq");
    assert_eq!(
        comment(&clients[1], &page, &csrf, item, "甲机停机之后", &base_seq).unwrap(),
        303
    );
    accepted.lock().unwrap().push("甲机停机之后".into());
    use anjuan_store::Store;
    let store = anjuan_store::PgStore::connect(&url).unwrap();
    let mut logged: Vec<String> = store
        .decisions(assignment)
        .unwrap()
        .into_iter()
        .map(|d| d.reason)
        .collect();
    let mut acknowledged = accepted.lock().unwrap().clone();
    logged.sort();
    acknowledged.sort();
    assert_eq!(logged, acknowledged, "the log is the acknowledged saves");
    drop(server_b);
    eprintln!(
        "two servers, {ITEMS} items × {ROUNDS} rounds × {SENDERS} tabs: {} saves taken, \
         {refused} refused as stale, the log equal to the taken ones (+1 after SIGKILL of A); {:.1?}",
        acknowledged.len() - 1,
        started.elapsed()
    );
}
