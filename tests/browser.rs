//! The HTML report in a real browser: headless Chromium, driven through
//! chromedriver's W3C WebDriver protocol over a plain HTTP/1.1 connection on
//! localhost (a few requests; no client crate needed). It opens the reports
//! from disk, checks the conflict rows, selects the "Omar" value and reads
//! the evidence, checks that nothing the hostile cluster injected ran, and
//! saves `target/report.png` to look at.
//!
//! Without `chromium` and `chromedriver` the test says so and passes, unless
//! `CLAIMDIFF_REQUIRE_BROWSER` is set (as `.ci/run` does, after installing
//! them): then it fails.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "browser/hostile.rs"]
mod hostile;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The W3C key code of Enter.
const ENTER: &str = "\u{E007}";

/// One chromedriver process and the browser session it drives; both end
/// when this is dropped.
struct Driver {
    process: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl Driver {
    fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut driver = Driver {
            process,
            port,
            session: String::new(),
            _profile: profile,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while request(port, "GET", "/status", None).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1400,1100".into(),
            format!("--user-data-dir={}", driver._profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }}});
        let created = request(port, "POST", "/session", Some(&caps)).expect("a session");
        driver.session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        driver
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let url = format!("/session/{}{path}", self.session);
        let answer = request(self.port, method, &url, body).expect("chromedriver answers");
        if answer["value"].get("error").is_some() {
            panic!("{method} {path}: {answer}");
        }
        answer["value"].clone()
    }

    fn open(&self, file: &Path) {
        let url = format!("file://{}", file.display());
        self.call("POST", "/url", Some(&json!({ "url": url })));
    }

    fn run(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(&json!({"script": script, "args": []})),
        )
    }

    fn find(&self, css: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            Some(&json!({"using": "css selector", "value": css})),
        );
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }

    fn screenshot(&self, to: &Path) {
        use base64::Engine as _;
        let png = self.call("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().expect("base64 PNG"))
            .expect("valid base64");
        std::fs::write(to, bytes).expect("screenshot written");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = request(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
            );
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// One HTTP/1.1 request to chromedriver on localhost, its JSON answer.
fn request(port: u16, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // chromedriver keeps the connection open: read the head, then as many
    // bytes as it announces.
    let mut answer = Vec::new();
    let mut buf = [0u8; 8192];
    let split = loop {
        if let Some(i) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::Error::other("no HTTP header"));
        }
        answer.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
    let mut content = answer[split + 4..].to_vec();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    if let Some(length) = length {
        while content.len() < length {
            let n = stream.read(&mut buf)?;
            if n == 0 {
                break;
            }
            content.extend_from_slice(&buf[..n]);
        }
    } else {
        stream.read_to_end(&mut content)?;
        if head.contains("transfer-encoding: chunked") {
            content = unchunk(&content);
        }
    }
    serde_json::from_slice(&content).map_err(std::io::Error::other)
}

/// Joins the chunks of a chunked HTTP body.
fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&data[..line])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
    out
}

fn write_report(cluster: &str, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_claimdiff"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", cluster, "--format", "html", "--out"])
        .arg(out)
        .status()
        .expect("claimdiff runs");
    assert!(status.success());
}

fn target_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir).expect("target/");
    dir
}

#[test]
fn report_in_headless_chromium() {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        let message = "SKIPPED: the browser test needs Debian's chromium and chromium-driver \
                       (apt-get install -y chromium chromium-driver)";
        assert!(
            std::env::var_os("CLAIMDIFF_REQUIRE_BROWSER").is_none(),
            "{message}, and CLAIMDIFF_REQUIRE_BROWSER is set"
        );
        eprintln!("{message}");
        return;
    }
    let work = tempfile::tempdir().expect("temp dir");
    let report = work.path().join("report.html");
    write_report("fixtures/aleppo-omran", &report);
    let hostile_dir = work.path().join("hostile");
    std::fs::create_dir(&hostile_dir).expect("hostile dir");
    hostile::write_cluster(&hostile_dir);
    let hostile_report = work.path().join("hostile.html");
    write_report(&hostile_dir.display().to_string(), &hostile_report);

    let driver = Driver::start();
    driver.open(&report);

    // The conflict rows are there, labelled as conflicts.
    let conflicts = driver.run(
        "return Array.from(document.querySelectorAll('tr.finding[data-status=conflict]'))\
         .map(r => r.querySelector('th').firstChild.textContent.trim() + ' | ' \
         + r.querySelector('.badge').textContent.trim());",
    );
    let conflicts: Vec<&str> = conflicts
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        conflicts.contains(&"victim name | ✖ conflict"),
        "{conflicts:?}"
    );
    assert!(
        conflicts.contains(&"children injured | ✖ conflict"),
        "{conflicts:?}"
    );
    let hospital = driver.run(
        "var r = Array.from(document.querySelectorAll('tr.finding'))\
         .find(r => r.querySelector('th').firstChild.textContent.trim() === 'hospital');\
         return r ? r.getAttribute('data-status') + ' | ' + r.innerText : null;",
    );
    let hospital = hospital.as_str().expect("a hospital row");
    assert!(hospital.starts_with("review | "), "{hospital}");
    assert!(
        hospital.contains("M10") && hospital.contains("M2"),
        "{hospital}"
    );

    // Nothing selected yet: no evidence shown.
    assert_eq!(
        driver.run("return document.querySelectorAll('.ev.shown').length;"),
        json!(0)
    );

    // Select the "Omar" value with the keyboard, as an editor tabbing through.
    let omar = driver.find(".val[data-ev][aria-label*='Omar Daqneesh']");
    driver.call(
        "POST",
        &format!("/element/{omar}/value"),
        Some(&json!({"text": ENTER})),
    );
    let evidence = driver.run(
        "var e = document.querySelector('.ev.shown');\
         if (!e) return null;\
         var r = e.getBoundingClientRect();\
         return {text: e.innerText, marks: Array.from(e.querySelectorAll('blockquote mark')).map(m => m.textContent),\
          quotes: Array.from(e.querySelectorAll('blockquote')).map(b => b.textContent),\
          visible: r.height > 0 && r.top < window.innerHeight,\
          pressed: document.querySelector('.val[aria-pressed=true]').getAttribute('aria-label')};",
    );
    let quotes = evidence["quotes"].to_string();
    assert!(
        quotes.contains("His name is Omar Daqneesh and he is 5."),
        "{evidence}"
    );
    assert!(
        evidence["marks"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m == "Omar Daqneesh")),
        "{evidence}"
    );
    let text = evidence["text"].as_str().unwrap_or_default();
    assert!(text.contains("@rafsanchez"), "{text}");
    assert!(text.contains("Superseded: corrected to Omran"), "{text}");
    assert_eq!(evidence["visible"], json!(true), "{evidence}");

    // A click selects too, and filters hide what does not match.
    let m10 = driver.find(".val[data-ev][aria-label^='hospital'][aria-label*='M10']");
    driver.call("POST", &format!("/element/{m10}/click"), Some(&json!({})));
    let shown = driver.run("return document.querySelector('.ev.shown h3').textContent;");
    assert!(
        shown.as_str().unwrap_or_default().contains("M10"),
        "{shown}"
    );
    let conflicts_only = driver.find("input[value=conflict]");
    driver.call(
        "POST",
        &format!("/element/{conflicts_only}/click"),
        Some(&json!({})),
    );
    let visible = driver.run(
        "return Array.from(document.querySelectorAll('tr.finding')).filter(r => !r.hidden).length;",
    );
    assert_eq!(visible, json!(2));
    let all = driver.find("input[value=all]");
    driver.call("POST", &format!("/element/{all}/click"), Some(&json!({})));
    let search = driver.find("input[type=search]");
    driver.call(
        "POST",
        &format!("/element/{search}/value"),
        Some(&json!({"text": "qaterji"})),
    );
    let visible = driver.run(
        "return Array.from(document.querySelectorAll('tr.finding')).filter(r => !r.hidden)\
         .map(r => r.getAttribute('data-search').split(' ')[0]);",
    );
    assert_eq!(visible, json!(["neighbourhood"]));
    driver.run("var s = document.querySelector('input[type=search]'); s.value = ''; s.dispatchEvent(new Event('input', {bubbles: true})); return null;");

    // Show the Omar evidence again for the screenshot.
    driver.call("POST", &format!("/element/{omar}/click"), Some(&json!({})));
    let screenshot = target_dir().join("report.png");
    driver.screenshot(&screenshot);
    eprintln!("screenshot: {}", screenshot.display());

    // The hostile cluster: its markup is text and none of it ran.
    driver.open(&hostile_report);
    let state = driver.run(
        "document.querySelectorAll('.val[data-ev]').forEach(v => v.click());\
         document.querySelectorAll('details').forEach(d => d.open = true);\
         return {pwned: window.__pwned === undefined ? null : String(window.__pwned),\
          scripts: document.scripts.length,\
          injected: document.querySelectorAll('img, svg, iframe, object, embed, textarea, link, base').length,\
          handlers: Array.from(document.querySelectorAll('*')).filter(e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length,\
          jsLinks: Array.from(document.querySelectorAll('a[href]')).filter(a => !/^(#|https?:)/.test(a.getAttribute('href'))).length,\
          text: document.body.innerText, title: document.title};",
    );
    assert_eq!(state["pwned"], Value::Null, "{state}");
    assert_eq!(state["scripts"], json!(1), "{state}");
    assert_eq!(state["injected"], json!(0), "{state}");
    assert_eq!(state["handlers"], json!(0), "{state}");
    assert_eq!(state["jsLinks"], json!(0), "{state}");
    let text = state["text"].as_str().unwrap_or_default();
    for payload in hostile::PAYLOADS {
        assert!(text.contains(payload), "{payload} is not shown as text");
    }
    assert!(state["title"]
        .as_str()
        .unwrap_or_default()
        .contains("</title><script>"));
    driver.screenshot(&target_dir().join("report-hostile.png"));
}
