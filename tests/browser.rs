//! The reviewers' app end to end, as its users meet it: a real scan of a
//! shipped sample, `anjuan import`, `anjuan user add`, `anjuan serve`, and
//! Debian's Chromium driven through its WebDriver (chromedriver): a
//! supervisor makes a round and assigns the dossier, two reviewers review it
//! with the keyboard, reconcile, sign, the supervisor closes it, and the
//! 评查表 prints. Screenshots (and the printed form as PDF) are written under
//! `$CARGO_TARGET_TMPDIR/browser/` for people to look at.
//!
//! Chromium is started by chromedriver with the flags of the brief and a
//! fresh profile; nothing is downloaded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

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

/// One HTTP/1.1 request to `127.0.0.1:port` (chromedriver answers with a
/// Content-Length and closes).
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<Value> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(120)))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // Read the head, then exactly the body it announces (chromedriver keeps
    // the connection open whatever the request says).
    let mut r = BufReader::new(s);
    let (mut length, mut chunked) = (None, false);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        }
        chunked |= lower.starts_with("transfer-encoding:") && lower.contains("chunked");
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
    Ok(serde_json::from_slice(&body).unwrap_or(Value::Null))
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

    fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = http(
                self.port,
                "POST",
                &format!("/session/{}/element", self.id),
                Some(&json!({"using": "css selector", "value": css})),
            )
            .unwrap();
            if let Some(e) = v["value"][ELEMENT].as_str() {
                return e.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "{css}: not on the page:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
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

#[test]
fn two_reviewers_review_a_scanned_sample_in_a_real_browser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).unwrap();
    let d = tempfile::tempdir().unwrap();
    let (scan, data) = (d.path().join("scan"), d.path().join("data"));
    let s = |p: &Path| p.display().to_string();

    // A real scan of a shipped sample, imported; three accounts.
    run(
        &[
            "scan",
            &s(&root.join("samples/d2026-025.pdf")),
            "--out",
            &s(&scan),
            "--quiet",
            "--summary",
            "none",
        ],
        None,
    );
    let review: Value =
        serde_json::from_str(&std::fs::read_to_string(scan.join("d2026-025/review.json")).unwrap())
            .unwrap();
    let findings = review["findings"].as_array().unwrap().len();
    assert!(findings >= 2, "the sample has findings to review: {review}");
    assert!(scan.join("d2026-025/pages/0001.jpg").is_file());
    assert!(run(&["import", &s(&scan), "--data", &s(&data)], None).contains("1"));
    for (name, role) in [
        ("张三", "reviewer"),
        ("李四", "reviewer"),
        ("王五", "supervisor"),
    ] {
        run(
            &["user", "add", name, "--role", role, "--data", &s(&data)],
            Some(&format!("{PASSWORD}\n")),
        );
    }

    // The server on a free loopback port; it says where.
    let mut server = Proc(
        Command::new(BIN)
            .args(["serve", "--data", &s(&data), "--bind", "127.0.0.1:0"])
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

    let driver_port = free_port();
    let _driver = Proc(
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

    // The supervisor makes a round and gives the dossier to both reviewers.
    let boss = Browser::new(driver_port, &base, &shots);
    boss.login("王五");
    boss.type_in("input[name=name]", "2024年下半年案卷评查");
    boss.type_in("input[name=place]", "县司法局三楼会议室");
    boss.js("document.querySelector('input[name=period_start]').value='2024-07-01';document.querySelector('input[name=period_end]').value='2024-12-31';");
    boss.click("form[action='/rounds'] button[type=submit]");
    boss.click("form[action$='/assign'] button[type=submit]");
    assert!(boss.text().contains("张三、李四"), "{}", boss.text());
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
    let diffs = li
        .js("return document.querySelectorAll('article.diff').length")
        .as_i64()
        .unwrap();
    assert_eq!(diffs, 1, "{}", li.text());
    assert!(li.text().contains("页码连续，不扣分"));
    li.shot("3-reconcile");
    li.type_in("article.diff input[name=reason]", "合议：维持机器建议");
    li.click("article.diff button[value=confirm]");
    li.click("#sign");
    let reconcile = li.path();
    zhang.go(&reconcile);
    zhang.click("#sign");
    boss.go(&reconcile);
    boss.click("#close");
    boss.accept_dialog();
    boss.find("#final");
    boss.type_in("input[name=head_name]", "赵局长");
    boss.js("document.querySelector('input[name=head_date]').value='2024-12-20';");
    boss.click("#ack");
    assert!(boss.text().contains("赵局长"));

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
    let pdf = boss.cmd(
        "POST",
        "/print",
        json!({"page": {"width": 21.0, "height": 29.7}, "background": true}),
    );
    let pdf = base64_decode(pdf.as_str().unwrap());
    assert!(pdf.starts_with(b"%PDF"));
    std::fs::write(shots.join("4-review-form.pdf"), pdf).unwrap();
    boss.go(&round_path);
    eprintln!("screenshots: {}", shots.display());
    drop(reviewers);
    drop(boss);
    drop(server);
}
