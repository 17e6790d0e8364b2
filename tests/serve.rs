//! `booklet serve` in a real browser: Debian's chromium, headless, driven
//! over the DevTools protocol. The page must show the booklet, reload by
//! itself within 2 s of a saved edit, and show a failed build's errors.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";

/// A child process in a group of its own, ended with all it started
/// (chromium's renderers) when the test ends, pass or fail.
struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        let pgid = self.0.id() as libc::pid_t;
        // SAFETY: signals only the process group this test created.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
        let _ = self.0.wait();
    }
}

fn spawn_group(cmd: &mut Command) -> Group {
    Group(cmd.process_group(0).spawn().expect("spawn"))
}

/// Lines a child prints, read on a thread so a silent child cannot hang us.
fn lines_of(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for_line(rx: &Receiver<String>, needle: &str, within: Duration) -> String {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    panic!("no line with `{needle}` within {within:?}; saw {seen:?}");
}

/// A GET over plain TCP: (status line, body). The body is read to its
/// Content-Length (chromium keeps the connection open), else to the end.
fn http_get(port: u16, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(s);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    let mut length = None;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim_end().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            reader.read_exact(&mut body).unwrap();
        }
        None => {
            reader.read_to_end(&mut body).unwrap();
        }
    }
    (
        status.trim_end().to_string(),
        String::from_utf8_lossy(&body).into_owned(),
    )
}

/// One page of chromium, driven over its DevTools websocket.
struct Page {
    socket: tungstenite::WebSocket<TcpStream>,
    next_id: u64,
}

impl Page {
    /// Opens the first page target of the chromium whose profile is `profile`.
    fn attach(profile: &Path) -> Page {
        let deadline = Instant::now() + Duration::from_secs(30);
        let port: u16 = loop {
            let file =
                std::fs::read_to_string(profile.join("DevToolsActivePort")).unwrap_or_default();
            if let Some(p) = file.lines().next().and_then(|l| l.trim().parse().ok()) {
                break p;
            }
            assert!(
                Instant::now() < deadline,
                "chromium never opened its DevTools port"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        let ws_url = loop {
            let (_, body) = http_get(port, "/json/list");
            let targets: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let page = targets
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| t["type"] == "page")
                .and_then(|t| t["webSocketDebuggerUrl"].as_str())
                .map(str::to_string);
            if let Some(url) = page {
                break url;
            }
            assert!(Instant::now() < deadline, "chromium shows no page: {body}");
            std::thread::sleep(Duration::from_millis(100));
        };
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let (socket, _) = tungstenite::client(ws_url.as_str(), stream).expect("websocket");
        Page { socket, next_id: 1 }
    }

    /// Sends a command and returns its result (events in between are skipped).
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let message = json!({"id": id, "method": method, "params": params}).to_string();
        self.socket
            .send(tungstenite::Message::text(message))
            .unwrap();
        loop {
            let reply = self.socket.read().expect("DevTools reply");
            let Ok(text) = reply.to_text() else { continue };
            let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            if v["id"] == id {
                return v;
            }
        }
    }

    /// The value of a JavaScript expression in the page; `None` while the
    /// page is between documents.
    fn eval(&mut self, expression: &str) -> Option<Value> {
        let v = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        if v.get("error").is_some() || v["result"].get("exceptionDetails").is_some() {
            return None;
        }
        Some(v["result"]["result"]["value"].clone())
    }

    /// Polls `expression` until it is true; returns how long that took.
    fn wait_until(&mut self, expression: &str, within: Duration) -> Option<Duration> {
        let started = Instant::now();
        while started.elapsed() < within {
            if self.eval(expression) == Some(Value::Bool(true)) {
                return Some(started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        None
    }

    fn text(&mut self) -> String {
        self.eval("document.body ? document.body.innerText : ''")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

fn chromium_available() -> bool {
    have(
        "chromium",
        Command::new(CHROMIUM)
            .arg("--version")
            .stderr(Stdio::null()),
    )
}

#[test]
fn the_open_page_reloads_after_an_edit_and_shows_errors() {
    if !chromium_available() {
        return;
    }
    let dir = scratch("serve-browser");
    booklet_ok(&["init", "book", "--title", "浏览器测试读本"], &dir, &[]);
    let book = dir.join("book");

    let mut serve = Command::new(env!("CARGO_BIN_EXE_booklet"));
    serve
        .args(["serve", "--port", "0"])
        .current_dir(&book)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut server = spawn_group(&mut serve);
    let out = lines_of(server.0.stdout.take().unwrap());
    let url = wait_for_line(&out, "serving http://127.0.0.1:", Duration::from_secs(30));
    let url = url
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_end_matches(';')
        .to_string();
    let port: u16 = url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    wait_for_line(&out, "] built in", Duration::from_secs(120));

    // The index lists the documents and the outputs.
    let (status, index) = http_get(port, "/");
    assert!(status.contains("200"), "{status}");
    assert!(
        index.contains("示例文章") && index.contains("booklet.pdf"),
        "{index}"
    );
    let (status, _) = http_get(port, "/booklet.pdf");
    assert!(status.contains("200"), "{status}");
    let (status, _) = http_get(port, "/book/../../etc/passwd");
    assert!(status.contains("404"), "{status}");

    let profile: PathBuf = dir.join("chromium-profile");
    let mut browser_cmd = Command::new(CHROMIUM);
    browser_cmd
        .args(CHROMIUM_HEADLESS)
        .arg("--remote-debugging-port=0")
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(&url)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _browser = spawn_group(&mut browser_cmd);
    let mut page = Page::attach(&profile);

    // The index, then the article through its link.
    assert!(
        page.wait_until(
            "document.querySelectorAll('ol.documents a').length > 0",
            Duration::from_secs(30)
        )
        .is_some(),
        "the index never showed: {}",
        page.text()
    );
    let href = page
        .eval("[...document.querySelectorAll('ol.documents a')].find(a => a.textContent === '示例文章').href")
        .and_then(|v| v.as_str().map(str::to_string))
        .expect("a link to the sample article");
    page.call("Page.navigate", json!({ "url": href }));
    assert!(
        page.wait_until(
            "document.body.innerText.includes('这是一篇示例文章')",
            Duration::from_secs(30)
        )
        .is_some(),
        "the article never showed: {}",
        page.text()
    );
    // The page is styled by the EPUB's stylesheet and font.
    let fonts_used = page.wait_until(
        "document.fonts.status === 'loaded' && [...document.fonts].some(f => f.status === 'loaded')",
        Duration::from_secs(10),
    );
    assert!(fonts_used.is_some(), "the EPUB's fonts did not load");

    // An edit: the open page shows it by itself, within 2 s of the save.
    let source = book.join("sources/01-sample.md");
    let text = std::fs::read_to_string(&source).unwrap();
    page.eval("window.notReloaded = true").unwrap();
    std::fs::write(
        &source,
        text.replace("这是一篇示例文章。", "这是改过的示例文章。"),
    )
    .unwrap();
    let took = page.wait_until(
        "!window.notReloaded && document.body.innerText.includes('这是改过的示例文章')",
        Duration::from_secs(10),
    );
    let took = took.unwrap_or_else(|| panic!("no reload after the edit: {}", page.text()));
    println!("edit seen in the browser after {took:?}");
    assert!(took < Duration::from_secs(2), "the reload took {took:?}");

    // A broken source: the errors show over the page, naming the file.
    page.eval("window.notReloaded = true").unwrap();
    std::fs::write(&source, b"\x00\x01 not text").unwrap();
    assert!(
        page.wait_until(
            "!!document.getElementById('booklet-errors') && \
             document.getElementById('booklet-errors').innerText.includes('01-sample.md')",
            Duration::from_secs(10)
        )
        .is_some(),
        "no error overlay: {}",
        page.text()
    );
    wait_for_line(&out, "still watching", Duration::from_secs(10));

    // Fixed again: the page reloads and the overlay is gone.
    std::fs::write(
        &source,
        text.replace("这是一篇示例文章。", "第三版的示例文章。"),
    )
    .unwrap();
    assert!(
        page.wait_until(
            "!window.notReloaded && document.body.innerText.includes('第三版的示例文章') && \
             !document.getElementById('booklet-errors')",
            Duration::from_secs(10)
        )
        .is_some(),
        "no reload after the fix: {}",
        page.text()
    );
}

#[test]
fn open_without_a_desktop_warns_and_succeeds() {
    let dir = scratch("serve-open");
    booklet_ok(&["init", "book", "--title", "打开"], &dir, &[]);
    // No opener on PATH: the build succeeds and says why nothing opened.
    let out = booklet(
        &["build", "--open", "--format", "epub"],
        &dir.join("book"),
        &[("PATH", "/nonexistent")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: cannot open") && stderr.contains("booklet.epub"),
        "{stderr}"
    );
}
