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
//! Killed: two reviewers decide at once while the server is killed with
//! SIGKILL; after a restart every decision the server acknowledged is there
//! and the database passes SQLite's integrity check.

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
    let mut server = Proc(
        Command::new(BIN)
            .args(["serve", "--data", &shown(data), "--bind", "127.0.0.1:0"])
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

#[test]
fn decisions_acknowledged_before_a_sigkill_survive_it() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let d = tempfile::tempdir().unwrap();
    let data = data_folder(d.path());
    let (mut server, base) = serve(&data);
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let boss = Client::login(port, "王五");
    let (_, home) = boss.get("/").unwrap();
    let csrf = field_after(&home, "action=\"/rounds\"", "csrf");
    let round = [
        ("csrf", csrf.as_str()),
        ("name", "断电演练"),
        ("period_start", "2024-01-01"),
        ("period_end", "2024-12-31"),
        ("units", ""),
    ];
    assert_eq!(boss.post("/rounds", &round).unwrap(), 303);
    let assign = [
        ("csrf", csrf.as_str()),
        ("dossier", "1"),
        ("first", "1"),
        ("second", "2"),
    ];
    assert_eq!(boss.post("/rounds/1/assign", &assign).unwrap(), 303);

    // Two reviewers comment on their first item as fast as the server takes
    // it, each comment on the view that shows the one before; the server is
    // killed while they are at it.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    for (who, assignment) in [("张三", 1), ("李四", 2)] {
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        threads.push(std::thread::spawn(move || {
            let c = Client::login(port, who);
            let page = format!("/a/{assignment}");
            let (_, html) = c.get(&page).unwrap();
            let csrf = field_after(&html, "class=\"decide\"", "csrf");
            let item = field_after(&html, "class=\"decide\"", "item");
            let mut base_seq = field_after(&html, "class=\"decide\"", "base_seq");
            for i in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let reason = format!("{who} 第{i}条");
                let fields = [
                    ("csrf", csrf.as_str()),
                    ("item", &item),
                    ("action", "comment"),
                    ("reason", &reason),
                    ("base_seq", &base_seq),
                ];
                match c.post(&format!("{page}/decide"), &fields) {
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
    let deadline = Instant::now() + Duration::from_secs(120);
    while acknowledged.lock().unwrap().len() < 60 {
        assert!(Instant::now() < deadline, "too few decisions taken");
        std::thread::sleep(Duration::from_millis(5));
    }
    server.0.kill().unwrap(); // SIGKILL
    server.0.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        t.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    // Restarted: the database is whole and holds every acknowledged decision.
    let (_server, _) = serve(&data);
    let store = anjuan_store::SqliteStore::open(&data.join("anjuan.db")).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    use anjuan_store::Store;
    let mut kept: Vec<String> = (1..=2)
        .flat_map(|a| store.decisions(a).unwrap())
        .map(|d| d.reason)
        .collect();
    kept.sort();
    for reason in &acknowledged {
        assert!(
            kept.binary_search(reason).is_ok(),
            "{reason} was acknowledged and lost"
        );
    }
    eprintln!(
        "{} decisions acknowledged before SIGKILL, {} in the database after the restart",
        acknowledged.len(),
        kept.len()
    );
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
