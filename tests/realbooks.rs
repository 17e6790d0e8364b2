//! A small book distilled from real Chinese Markdown books
//! (tests/fixtures/realbook): an mdBook SUMMARY with parts and
//! sub-chapters, `{{#include}}`-style directives, every kind of picture,
//! remote pictures served by this test on 127.0.0.1, links between
//! chapters. Built with the real binary and checked with EPUBCheck, qpdf,
//! pdfimages and pdftotext.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;

/// A picture server on 127.0.0.1 for the remote chapter: one good picture,
/// a redirect, a 404, one too slow and one too large. It stops when
/// dropped, after at most two minutes, or after 200 requests.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let png = std::fs::read(dir.join("src/img/alpha.png")).unwrap();
        let jpg = std::fs::read(dir.join("src/img/photo.jpg")).unwrap();
        let flag = stop.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            let mut served = 0;
            while !flag.load(Ordering::SeqCst) && Instant::now() < deadline && served < 200 {
                let Ok((mut stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                served += 1;
                let (png, jpg) = (png.clone(), jpg.clone());
                std::thread::spawn(move || {
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut buf = [0u8; 2048];
                    let n = stream.read(&mut buf).unwrap_or(0);
                    let request = String::from_utf8_lossy(&buf[..n]).to_string();
                    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let reply = |stream: &mut std::net::TcpStream, head: &str, body: &[u8]| {
                        let _ = stream.write_all(
                            format!(
                                "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                body.len()
                            )
                            .as_bytes(),
                        );
                        let _ = stream.write_all(body);
                    };
                    match path.as_str() {
                        "/pic.png" => reply(
                            &mut stream,
                            "HTTP/1.1 200 OK\r\nContent-Type: image/png",
                            &png,
                        ),
                        "/photo.jpg" => reply(
                            &mut stream,
                            "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg",
                            &jpg,
                        ),
                        "/redirect.jpg" => reply(
                            &mut stream,
                            "HTTP/1.1 302 Found\r\nLocation: /photo.jpg",
                            b"",
                        ),
                        "/slow.png" => {
                            std::thread::sleep(Duration::from_secs(4));
                            reply(&mut stream, "HTTP/1.1 200 OK", &png);
                        }
                        "/huge.png" => {
                            let size = 21 * 1024 * 1024;
                            let _ = stream.write_all(
                                format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n")
                                    .as_bytes(),
                            );
                            let mut body = png.clone();
                            body.resize(size, 0);
                            let _ = stream.write_all(&body);
                        }
                        _ => reply(&mut stream, "HTTP/1.1 404 Not Found", b"no"),
                    }
                });
            }
        });
        Server { port, stop }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn fixture(name: &str, port: Option<u16>) -> PathBuf {
    let dir = scratch(name);
    copy_tree(&repo().join("tests/fixtures/realbook"), &dir);
    let remote = dir.join("src/remote.md");
    let text = std::fs::read_to_string(&remote).unwrap();
    let port = port.map_or("9".to_string(), |p| p.to_string());
    std::fs::write(&remote, text.replace(":PORT/", &format!(":{port}/"))).unwrap();
    dir
}

/// The 1-based line of `file` (in the fixture) holding `needle`.
fn line_of(file: &str, needle: &str) -> String {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/realbook").join(file)).unwrap();
    let line = text.lines().position(|l| l.contains(needle)).expect(needle) + 1;
    format!("{file}:{line}")
}

/// Whether a diagnostic mentioning `needle` points at `at` (`file:line`),
/// on its own line or on the `-->` line under it.
fn has_diag(messages: &str, at: &str, needle: &str) -> bool {
    let lines: Vec<&str> = messages.lines().collect();
    let points = |l: &str| {
        l.split_whitespace()
            .any(|w| w == at || w.strip_prefix(at).is_some_and(|r| r.starts_with(':')))
    };
    lines.iter().enumerate().any(|(i, l)| {
        l.contains(needle) && (points(l) || lines.get(i + 1).is_some_and(|n| points(n)))
    })
}

fn text_of(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn tool(name: &str) -> bool {
    have(name, Command::new(name).arg("-v"))
}

/// `pdfimages -list` rows: (type, width, height) of every image and mask.
fn pdf_images(pdf: &Path) -> Option<Vec<(String, u32, u32)>> {
    if !tool("pdfimages") {
        return None;
    }
    let out = Command::new("pdfimages")
        .arg("-list")
        .arg(pdf)
        .output()
        .unwrap();
    assert!(out.status.success(), "pdfimages failed");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    Some(
        text.lines()
            .skip(2)
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                Some((
                    f.get(2)?.to_string(),
                    f.get(3)?.parse().ok()?,
                    f.get(4)?.parse().ok()?,
                ))
            })
            .collect(),
    )
}

fn pdf_text(pdf: &Path) -> Option<String> {
    if !tool("pdftotext") {
        return None;
    }
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    Some(String::from_utf8_lossy(&out.stdout).to_string())
}

/// The PDF's objects uncompressed, to count link actions.
fn pdf_objects(pdf: &Path) -> Option<String> {
    if !have("qpdf", Command::new("qpdf").arg("--version")) {
        return None;
    }
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(pdf)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "qpdf --check failed:\n{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let out = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    Some(String::from_utf8_lossy(&out.stdout).to_string())
}

fn epub_entries(epub: &Path) -> Vec<(String, String)> {
    let file = std::fs::File::open(epub).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (
                entry.name().to_string(),
                String::from_utf8_lossy(&bytes).to_string(),
            )
        })
        .collect()
}

#[test]
fn real_book_builds_and_reads_right() {
    let server = Server::start(&repo().join("tests/fixtures/realbook"));
    let dir = fixture("realbook", Some(server.port));
    let out = booklet_ok(&["build"], &dir, &[("BOOKLET_DOWNLOAD_TIMEOUT", "1.5")]);
    let messages = text_of(&out);
    let (epub, pdf) = (dir.join("out/booklet.epub"), dir.join("out/booklet.pdf"));

    // Remote pictures that cannot be had are warnings at their lines.
    for (name, why) in [
        ("missing.png", "HTTP 404"),
        ("slow.png", "timed out"),
        ("huge.png", "larger than"),
    ] {
        let at = line_of("src/remote.md", name);
        assert!(
            has_diag(&messages, &at, why),
            "no warning `{why}` at {at}:\n{messages}"
        );
    }
    // Directives: the unknown one is a warning; links that lead nowhere too.
    for (file, needle) in [
        ("src/code.md", "unknown_directive"),
        ("src/links.md", "nowhere.md"),
        ("src/links.md", "没有这一节"),
    ] {
        let at = line_of(file, needle);
        assert!(
            has_diag(&messages, &at, needle),
            "no warning about `{needle}` at {at}:\n{messages}"
        );
    }

    // EPUB: valid, pictures in formats readers take, placeholders for the
    // three that failed, links to the other chapters' files.
    if let Some((fatals, errors, warnings, report)) = epubcheck(&epub) {
        assert_eq!((fatals, errors, warnings), (0, 0, 0), "{report}");
    }
    let entries = epub_entries(&epub);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    // The generated cover apart.
    assert!(names.contains(&"OEBPS/images/cover.png"), "{names:?}");
    let pictures: Vec<&&str> = names
        .iter()
        .filter(|n| n.contains("/images/") && !n.ends_with("/cover.png"))
        .collect();
    for ext in ["png", "jpg", "gif", "svg"] {
        assert!(
            pictures.iter().any(|n| n.ends_with(ext)),
            "no .{ext} in {pictures:?}"
        );
    }
    assert!(
        !pictures.iter().any(|n| n.ends_with("webp")),
        "{pictures:?}"
    );
    // 10 local files (alpha.png shown twice, kept once), the HTML one, 2
    // downloaded.
    assert_eq!(pictures.len(), 13, "{pictures:?}");
    let xhtml: String = entries
        .iter()
        .filter(|(n, _)| n.ends_with(".xhtml"))
        .map(|(_, t)| without_highlighting(t))
        .collect();
    assert_eq!(xhtml.matches("class=\"missing-image\"").count(), 3);
    assert!(xhtml.contains("不存在的图"));
    assert!(
        xhtml.contains("width:120px"),
        "the HTML picture's width is lost"
    );
    assert!(
        !xhtml.contains("{{#include ../listings/main.rs:"),
        "a directive was printed"
    );
    assert!(!xhtml.contains("{{#rustdoc_include") && !xhtml.contains("{{#title"));
    // The escaped one is printed as written, without its backslash.
    // (Its Latin word has a span of its own, for the reader's hyphenation.)
    let text = visible_text(&xhtml);
    assert!(!text.contains("\\{{#include") && text.contains("{{#include ../listings/main.rs}}"));
    assert!(
        xhtml.contains("scores.insert(&quot;蓝队&quot;, 10);")
            || xhtml.contains("scores.insert(\"蓝队\", 10);")
    );
    assert!(
        !xhtml.contains("hidden_setup"),
        "a hidden Rust line was printed"
    );
    let links_doc = &entries
        .iter()
        .find(|(n, t)| n.ends_with(".xhtml") && t.contains("article-title\">章节之间的链接"))
        .unwrap()
        .1;
    assert!(links_doc.contains("href=\"https://www.rust-lang.org/\""));
    assert!(links_doc.contains("href=\"mailto:someone@example.com\""));
    assert!(!links_doc.contains("javascript:") && !links_doc.contains("file:"));
    let internal = links_doc.matches(".xhtml#").count() + links_doc.matches(".xhtml\"").count();
    assert!(internal >= 5, "internal links: {internal}\n{links_doc}");
    // Titles: from the summary, else the first heading at any level.
    let nav = &entries
        .iter()
        .find(|(n, _)| n.ends_with("nav.xhtml"))
        .unwrap()
        .1;
    for title in [
        "附注：标题取自第一个标题",
        "前言",
        "图片的种类",
        "远程图片",
        "代码与包含",
        "章节之间的链接",
    ] {
        assert!(nav.contains(title), "nav lacks {title}:\n{nav}");
    }

    // PDF: valid, every picture decoded into an image (two with soft
    // masks: the translucent PNG and the drawing), no file links.
    if let Some(objects) = pdf_objects(&pdf) {
        assert_eq!(objects.matches("/Launch").count(), 0);
        assert!(
            objects.matches("/S /GoTo").count() >= 5,
            "internal links missing"
        );
        assert!(objects.contains("/URI (https://www.rust-lang.org/)"));
    }
    // pdfimages lists each placement: alpha.png is shown twice, and the
    // downloaded pic.png is a copy of it.
    if let Some(images) = pdf_images(&pdf) {
        let kinds = |k: &str| images.iter().filter(|(t, _, _)| t == k).count();
        assert_eq!(kinds("image"), 14, "{images:?}");
        assert_eq!(kinds("smask"), 4, "{images:?}");
        // The drawing is drawn at 300 dpi: 240 CSS px wide is 750 pixels.
        assert!(
            images.iter().any(|(_, w, h)| (*w, *h) == (750, 250)),
            "{images:?}"
        );
    }
    if let Some(text) = pdf_text(&pdf) {
        assert!(
            !text.contains("{{#include ../listings/main.rs:"),
            "a directive was printed"
        );
        assert!(text.contains("不存在的图") && text.contains("太大的图"));
        assert!(text.contains("蓝队"));
        assert!(!text.contains("hidden_setup"));
    }

    // Offline, from what was kept: the same pictures, no network.
    drop(server);
    let again = booklet_ok(&["build", "--offline"], &dir, &[]);
    let messages = text_of(&again);
    assert!(messages.contains("offline"), "{messages}");
    if let Some(images) = pdf_images(&pdf) {
        assert_eq!(images.iter().filter(|(t, _, _)| t == "image").count(), 14);
    }
}

#[test]
fn damaged_pictures_are_errors_at_their_line() {
    let dir = fixture("realbook-damaged", None);
    let img = dir.join("src/img");
    let jpg = std::fs::read(img.join("photo.jpg")).unwrap();
    std::fs::write(img.join("photo.jpg"), &jpg[..jpg.len() / 2]).unwrap();
    let png = std::fs::read(img.join("deep.png")).unwrap();
    std::fs::write(img.join("deep.png"), &png[..png.len() - 40]).unwrap();
    std::fs::write(
        img.join("diagram.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect",
    )
    .unwrap();
    std::fs::write(
        img.join("pic.webp"),
        b"RIFF\x10\0\0\0WEBPVP8 \x04\0\0\0junk",
    )
    .unwrap();
    let out = booklet(&["build", "--offline"], &dir, &[]);
    let messages = text_of(&out);
    assert_eq!(out.status.code(), Some(1), "{messages}");
    for name in ["photo.jpg", "deep.png", "diagram.svg", "pic.webp"] {
        let at = line_of("src/images.md", name);
        assert!(
            has_diag(&messages, &at, name),
            "no error at {at}:\n{messages}"
        );
    }
    assert!(!dir.join("out/booklet.pdf").exists() && !dir.join("out/booklet.epub").exists());
}

/// A drawing much wider than the page (a wide diagram from a real book,
/// 2,884 CSS pixels across) is printed scaled down to the measure: its
/// raster is 300 dpi of that width, not of its own, which took 6,000
/// pixels and tens of megabytes a picture. The EPUB keeps the SVG.
#[test]
fn a_wide_drawing_is_drawn_for_the_width_it_prints_at() {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"2884\" height=\"775\" viewBox=\"0 0 2884 775\">\
               <rect x=\"10\" y=\"10\" width=\"2864\" height=\"755\" fill=\"#cde\" stroke=\"#123\" stroke-width=\"8\"/></svg>";
    let dir = project(
        "realbook-wide-drawing",
        "[book]\ntitle = \"宽图\"\n[[article]]\nsource = \"a.md\"\n[pdf]\npage = \"A5\"\ncover = false\n",
        &[
            ("a.md", "# 宽图\n\n一张很宽的图。\n\n![宽图](wide.svg)\n".as_bytes()),
            ("wide.svg", svg.as_bytes()),
        ],
    );
    booklet_ok(&["build", "--offline", "-q"], &dir, &[]);
    let epub = unzip(&dir.join("out/booklet.epub"));
    assert!(
        epub.keys().any(|name| name.ends_with(".svg")),
        "the EPUB lost the drawing: {:?}",
        epub.keys()
    );
    let Some(images) = pdf_images(&dir.join("out/booklet.pdf")) else {
        return;
    };
    let (_, width, height) = images
        .iter()
        .find(|(kind, _, _)| kind == "image")
        .unwrap_or_else(|| panic!("no image in the PDF: {images:?}"));
    // A5's measure is about 4.3 in: 1,300 pixels at 300 dpi.
    assert!(
        (1000..=1600).contains(width),
        "the drawing is {width}×{height} pixels, not 300 dpi of the measure"
    );
    let expected = f64::from(*width) * 775.0 / 2884.0;
    assert!(
        (f64::from(*height) - expected).abs() <= 1.0,
        "{width}×{height} pixels: not the drawing's proportions"
    );
}
