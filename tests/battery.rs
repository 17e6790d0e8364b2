//! The held-out battery of issue 12: for every class of fault the issue
//! found, inputs of the same kind as its regression tests (tests/hostile.rs,
//! tests/files.rs, tests/fuzz/regressions) but none of theirs: other
//! control characters, other legacy encodings, other schemes, other
//! damage. The rule is the same for all: `booklet` exits 1 naming the file
//! (and the line, where there is one) and leaves the previous outputs, or
//! exits 0 with an EPUB EPUBCheck finds no fault in and a PDF qpdf accepts.
//! Never a panic, never a hang (every run has a deadline).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn project(name: &str, manifest: &str, files: &[(&str, &[u8])]) -> PathBuf {
    common::project(&format!("battery-{name}"), manifest, files)
}

const ONE_ARTICLE: &str = "[book]\ntitle = \"题库\"\n[[article]]\nsource = \"a.md\"\n";

/// Builds `a.md` = `md` alone; the rule holds (see [`build`]), and a
/// failure names `a.md`.
fn build_article(name: &str, md: &[u8]) -> (PathBuf, Run) {
    let dir = project(name, ONE_ARTICLE, &[("a.md", md)]);
    let r = build(&dir, &[]);
    if r.code != 0 {
        assert!(
            r.stderr.contains("a.md"),
            "{name}: a.md not named:\n{}",
            r.stderr
        );
    }
    (dir, r)
}

/// `--> a.md:N` or `a.md:N:` in the messages.
fn names_line(stderr: &str, file: &str, line: u32) -> bool {
    stderr.contains(&format!("{file}:{line}\n")) || stderr.contains(&format!("{file}:{line}:"))
}

fn epub_text(dir: &Path) -> String {
    let epub = std::fs::read(dir.join("out/booklet.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        if file.name().ends_with("html") || file.name().ends_with(".opf") {
            std::io::Read::read_to_string(&mut file, &mut all).unwrap();
        }
    }
    all
}

/// The PDF uncompressed (qpdf --qdf), or None without qpdf.
fn plain_pdf(dir: &Path) -> Option<String> {
    let pdf = dir.join("out/booklet.pdf");
    let plain = dir.join("plain.pdf");
    tool(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            pdf.to_str().unwrap(),
            plain.to_str().unwrap(),
        ],
    )?;
    Some(String::from_utf8_lossy(&std::fs::read(plain).unwrap()).into_owned())
}

// --- Panic → hang -------------------------------------------------------------

#[test]
fn markup_cut_short_or_nested_deep_neither_panics_nor_hangs() {
    let mut cases: Vec<(&str, String)> = vec![
        ("quote", "> 引文 <p 中文".into()),
        ("cell", "| 表 | 头 |\n|---|---|\n| <b 中 | 𠀀 |".into()),
        ("astral", "- 列表 <em 𠀀".into()),
        ("comment", "正文\n\n<!-- 注释未闭合 中文".into()),
        ("attribute", "正文<a href=\"中".into()),
        ("entity", "正文 &#x110000; &#0; &#xD800; &中;".into()),
        ("quotes", ">".repeat(5000) + " 深"),
        (
            "lists",
            (0..400)
                .map(|i| format!("{}- 层\n", "  ".repeat(i)))
                .collect(),
        ),
        ("brackets", "[".repeat(30000) + "中" + &"]".repeat(30000)),
        ("stars", "*".repeat(40000) + "中"),
        ("tags", "<div>".repeat(20000) + "中"),
        (
            "notes",
            (1..=2000)
                .map(|i| format!("[^{i}]: 注[^{}]\n\n", i + 1))
                .collect::<String>()
                + "正文[^1]",
        ),
    ];
    cases.push(("mixed", cases.iter().map(|(_, c)| c.as_str()).collect()));
    for (name, md) in &cases {
        let started = Instant::now();
        let (_, r) = build_article(&format!("cut-{name}"), md.as_bytes());
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{name}: took {:?}",
            started.elapsed()
        );
        drop(r);
    }
}

// --- Exit 0 with an invalid EPUB ------------------------------------------------

#[test]
fn control_characters_of_other_kinds_never_reach_the_epub() {
    // NUL, unit separator, a C1 control (CSI), a noncharacter.
    for (name, c) in [
        ("nul", '\u{0}'),
        ("us", '\u{1f}'),
        ("csi", '\u{9b}'),
        ("ffff", '\u{ffff}'),
    ] {
        let md = format!(
            "---\ntitle: 题{c}名\nauthor: 作{c}者\n---\n\n\
             ## 标题 {{#id{c}x}}\n\n\
             图：![说{c}明](pic.svg \"标{c}题\")\n\n\
             [链{c}接](https://example.com/{c}) 与 `代{c}码`[^n]\n\n\
             | 表{c} | 头 |\n|---|---|\n| 格 | 子{c} |\n\n\
             ```rust{c}\nfn main() {{}}\n```\n\n\
             [^n]: 注{c}释。\n"
        );
        let manifest = format!(
            "[book]\ntitle = \"书{}名\"\npublisher = \"出{}版\"\n\
             [[article]]\nsource = \"a.md\"\ntitle = \"篇{}名\"\n",
            c.escape_unicode(),
            c.escape_unicode(),
            c.escape_unicode()
        );
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
        let dir = project(
            &format!("controls-{name}"),
            &manifest,
            &[("a.md", md.as_bytes()), ("pic.svg", svg)],
        );
        let r = build(&dir, &[]);
        if r.code == 0 {
            let text = epub_text(&dir);
            assert!(!text.contains(c), "{name}: {c:?} reached the EPUB");
        } else {
            assert!(
                r.stderr.contains("a.md:") || r.stderr.contains("booklet.toml:"),
                "{name}: no file:line\n{}",
                r.stderr
            );
        }
    }
}

#[test]
fn empty_and_odd_articles_build_valid_epubs_or_say_where() {
    for (name, md) in [
        ("empty", ""),
        ("front-matter-only", "---\ntitle: 只有头\n---\n"),
        ("blank", " \n\t\n\u{3000}\n"),
        ("bare-heading", "#"),
        ("comment", "<!-- 只有注释 -->"),
        ("lone-definition", "[^a]: 只有脚注定义。"),
        ("rule", "---"),
        ("label-cjk", "正文[^注一]，又[^注一]，[^注二]。\n\n[^注一]: 一。\n\n[^注二]: 二[^注一]。"),
        (
            "ids",
            "## 一 {#nav}\n\n## 二 {#toc}\n\n## 三 {#1abc}\n\n## 四 {#a01}\n\n## 五 {#中文}\n\n## 六 {#中文}",
        ),
    ] {
        build_article(&format!("odd-{name}"), md.as_bytes());
    }
}

#[test]
fn impossible_dates_of_other_shapes_are_errors_at_their_line() {
    for date in ["2024-02-30", "2024-00-10", "2100-02-29"] {
        let md = format!("---\ntitle: 日期\ndate: \"{date}\"\n---\n\n正文。\n");
        let (_, r) = build_article("dates-fm", md.as_bytes());
        assert!(
            r.code == 1 && names_line(&r.stderr, "a.md", 3),
            "{date}:\n{}",
            r.stderr
        );
    }
    for date in ["2023-06-31", "2024-11-31", "1900-02-29"] {
        let manifest = format!(
            "[book]\ntitle = \"日期\"\ndate = \"{date}\"\n[[article]]\nsource = \"a.md\"\n"
        );
        let dir = project(
            "dates-manifest",
            &manifest,
            &[("a.md", "正文。".as_bytes())],
        );
        let r = build(&dir, &[]);
        assert!(
            r.code == 1 && names_line(&r.stderr, "booklet.toml", 3),
            "{date}:\n{}",
            r.stderr
        );
    }
    // A date that is no calendar day but reads as free text builds as one.
    let md = "---\ntitle: 日期\ndate: \"-001-01-01\"\n---\n\n正文。\n";
    build_article("dates-free", md.as_bytes());
    let dir = project("dates-epoch", ONE_ARTICLE, &[("a.md", "正文。".as_bytes())]);
    for epoch in ["1_000", "１２３", "0.0", " 1", "+5"] {
        let r = build(&dir, &[("SOURCE_DATE_EPOCH", epoch)]);
        // A sign or a space leaves the number plain: taken, or refused.
        let plain = epoch.trim().trim_start_matches('+').parse::<u32>().is_ok();
        assert!(
            (plain && r.code == 0) || (r.code == 1 && r.stderr.contains("SOURCE_DATE_EPOCH")),
            "{epoch:?}:\n{}",
            r.stderr
        );
    }
}

// --- Silent mojibake -------------------------------------------------------------

#[test]
fn other_encodings_in_a_utf8_file_are_named_at_their_line() {
    let head = "---\ntitle: 编码\n---\n\n第一段，全是正确的文字。\n\n";
    let with = |bad: &[u8]| {
        let mut bytes = head.as_bytes().to_vec();
        bytes.extend_from_slice(bad);
        bytes.extend_from_slice("\n\n最后一段。\n".as_bytes());
        bytes
    };
    let (big5, _, _) = encoding_rs::BIG5.encode("這一段是繁體舊網頁的文字。");
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("これは日本語の文章です。");
    let (euc_kr, _, _) = encoding_rs::EUC_KR.encode("한국어 문장입니다.");
    let mut cut = head.as_bytes().to_vec();
    cut.extend_from_slice(&"最后一个字被截".as_bytes()[..20]);
    let mut in_front_matter = b"---\ntitle: \x80\xbf\n---\n\n".to_vec();
    in_front_matter.extend_from_slice("正文。\n".as_bytes());
    for (name, bytes, line) in [
        ("big5", with(&big5), 7),
        ("shift-jis", with(&sjis), 7),
        ("euc-kr", with(&euc_kr), 7),
        ("overlong", with(b"slash \xC0\xAF here"), 7),
        ("surrogate", with(b"cesu \xED\xA0\x80\xED\xB0\x80"), 7),
        ("cut-at-end", cut, 7),
        ("front-matter", in_front_matter, 2),
    ] {
        let (dir, r) = build_article(&format!("encoding-{name}"), &bytes);
        assert!(
            r.code == 1 && names_line(&r.stderr, "a.md", line),
            "{name}: not an error at a.md:{line}\n{}",
            r.stderr
        );
        let import = run(&["import", "a.md", "--out", "imported"], &dir, &[]);
        assert_eq!(import.code, 1, "import took {name}:\n{}", import.stderr);
        assert!(
            import.stderr.contains(&format!("a.md:{line}")),
            "{}",
            import.stderr
        );
        assert!(!dir.join("imported").exists(), "{name}: import wrote");
    }
}

// --- Unsafe or broken PDF content ---------------------------------------------------

#[test]
fn links_of_other_schemes_are_clickable_in_neither_output() {
    let md = "---\ntitle: 链接\n---\n\n\
              [甲](JAVASCRIPT:alert(1)) [乙](%20javascript:alert(2)) [丙](blob:https://x.cn/1)\n\n\
              [丁](FILE:///etc/hostname) [戊](ftp://x.cn/f) [己](intent://x#Intent;end)\n\n\
              [庚](jar:file:///x!/y) [辛](smb://host/share) [壬](ms-settings:display)\n\n\
              <a href=\"javascript&#58;alert(3)\">癸</a> <a href=\" javascript:x\">子</a>\n\n\
              [好](HTTPS://EXAMPLE.COM/ok) <mailto:me@example.com>\n";
    let (dir, r) = build_article("schemes", md.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(names_line(&r.stderr, "a.md", 5), "{}", r.stderr);
    let xhtml = epub_text(&dir);
    for href in xhtml.split("href=\"").skip(1) {
        let href = &href[..href.find('"').unwrap()].to_ascii_lowercase();
        let web = ["http://", "https://", "mailto:"]
            .iter()
            .any(|s| href.starts_with(s));
        let inside = !href.contains(':');
        assert!(web || inside, "a link to {href} in the EPUB");
    }
    if let Some(pdf) = plain_pdf(&dir) {
        for uri in pdf.split("/URI (").skip(1) {
            let uri = uri[..uri.find(')').unwrap()].to_ascii_lowercase();
            assert!(
                ["http://", "https://", "mailto:"]
                    .iter()
                    .any(|s| uri.starts_with(s)),
                "a link to {uri} in the PDF"
            );
        }
        assert!(
            pdf.contains("mailto:me@example.com"),
            "the mail link is gone"
        );
        assert!(!pdf.contains("/Launch") && !pdf.contains("/JavaScript"));
    }
}

#[test]
fn damaged_pictures_of_other_kinds_are_errors_at_their_line() {
    let seeds = repo().join("tests/fuzz/corpus/image");
    let png = std::fs::read(seeds.join("rgb.png")).unwrap();
    let jpg = std::fs::read(seeds.join("rgb.jpg")).unwrap();
    let mut bad_crc = png.clone();
    bad_crc[29] ^= 0xFF; // inside IHDR's CRC
    let mut no_data = png[..33].to_vec(); // signature and IHDR only
    no_data.extend_from_slice(b"\0\0\0\0IEND\xaeB`\x82");
    let cut_jpeg = jpg[..jpg.len() * 6 / 10].to_vec();
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        ("png-crc", "p.png", bad_crc),
        ("png-no-data", "p.png", no_data),
        ("jpeg-cut", "p.jpg", cut_jpeg),
        ("gif-header", "p.gif", b"GIF89a\x10\x00\x10\x00".to_vec()),
        (
            "webp-header",
            "p.webp",
            b"RIFF\x04\x00\x00\x00WEBP".to_vec(),
        ),
        (
            "svg-unclosed",
            "p.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><g>".to_vec(),
        ),
        (
            "svg-no-size",
            "p.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"0\"/>".to_vec(),
        ),
        ("text", "p.png", "这不是图片".as_bytes().to_vec()),
    ];
    for (name, file, bytes) in cases {
        let md = format!("---\ntitle: 图\n---\n\n正文。\n\n![图]({file})\n");
        let dir = project(
            &format!("picture-{name}"),
            ONE_ARTICLE,
            &[("a.md", md.as_bytes()), (file, &bytes)],
        );
        let r = build(&dir, &[]);
        assert!(
            r.code == 1 && names_line(&r.stderr, "a.md", 7) && r.stderr.contains(file),
            "{name}: not an error at a.md:7 naming {file}\n{}",
            r.stderr
        );
    }
    // A drawing that points outside itself: refused, nothing outside read.
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"20\" height=\"20\"><image width=\"20\" height=\"20\" xlink:href=\"file:///etc/hostname\"/><image width=\"9\" height=\"9\" href=\"../secret.png\"/></svg>";
    let md = "---\ntitle: 图\n---\n\n![图](p.svg)\n";
    let dir = project(
        "picture-svg-outside",
        ONE_ARTICLE,
        &[("a.md", md.as_bytes()), ("p.svg", svg)],
    );
    let r = build(&dir, &[]);
    assert!(
        r.code == 1
            && names_line(&r.stderr, "a.md", 5)
            && r.stderr.contains("file:///etc/hostname"),
        "a drawing pointing outside itself: {}",
        r.stderr
    );
}

#[test]
fn absurd_numbers_of_other_shapes_are_errors_at_their_line() {
    for pdf in [
        "body_size_pt = 1e-300",
        "line_height = 1e300",
        "toc_depth = -1",
        "toc_depth = 99999999999",
        "page = \"-100x200\"",
        "page = \"100x\"",
        "page = \"148×210\"",
        "margin_bottom_mm = -0.0001",
    ] {
        let manifest =
            format!("[book]\ntitle = \"数\"\n[pdf]\n{pdf}\n[[article]]\nsource = \"a.md\"\n");
        let dir = project("numbers", &manifest, &[("a.md", "正文。".as_bytes())]);
        let r = build(&dir, &[]);
        assert!(
            r.code == 1 && names_line(&r.stderr, "booklet.toml", 4),
            "{pdf}: not an error at booklet.toml:4\n{}",
            r.stderr
        );
    }
}

// --- Outputs replaced together --------------------------------------------------------

fn pair(dir: &Path) -> [Vec<u8>; 2] {
    ["out/booklet.epub", "out/booklet.pdf"].map(|f| std::fs::read(dir.join(f)).unwrap())
}

/// Names in the output folder other than the lock and the cache.
fn out_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".booklet.lock" && n != ".booklet-cache" && n != ".booklet-edition.json")
        .collect();
    names.sort();
    names
}

#[test]
fn a_build_killed_or_panicking_between_its_renames_leaves_the_previous_pair() {
    let dir = project("killed", ONE_ARTICLE, &[("a.md", "第一版。".as_bytes())]);
    assert_eq!(build(&dir, &[]).code, 0);
    let first = pair(&dir);
    std::fs::write(dir.join("a.md"), "第二版。").unwrap();

    // A panic between the renames: an internal error, the first pair kept.
    let r = run(
        &["build"],
        &dir,
        &[("BOOKLET_TEST_PANIC", "between-renames")],
    );
    assert!(
        r.code == 1 && r.stderr.contains("internal error"),
        "{}",
        r.stderr
    );
    assert!(pair(&dir) == first, "a panicking build left a mix");
    assert_eq!(out_names(&dir), ["booklet.epub", "booklet.pdf"]);

    // Killed there: the mix stays until the next build, which puts the
    // first pair back even when it fails itself.
    let r = run(
        &["build"],
        &dir,
        &[("BOOKLET_TEST_PANIC", "kill:between-renames")],
    );
    assert_eq!(r.code, 137, "{}", r.stderr);
    assert!(pair(&dir) != first, "the kill came before any rename");
    std::fs::write(dir.join("a.md"), b"\xe7\xac\xac bad \xc3\x28 byte").unwrap();
    let r = run(&["build"], &dir, &[]);
    assert!(
        r.code == 1 && names_line(&r.stderr, "a.md", 1),
        "{}",
        r.stderr
    );
    assert!(pair(&dir) == first, "the killed build's mix was kept");
    assert_eq!(out_names(&dir), ["booklet.epub", "booklet.pdf"]);

    std::fs::write(dir.join("a.md"), "第三版。").unwrap();
    assert_eq!(build(&dir, &[]).code, 0);
    assert!(pair(&dir) != first);
    assert_eq!(out_names(&dir), ["booklet.epub", "booklet.pdf"]);
}

#[test]
fn three_builds_at_once_all_succeed_and_leave_one_consistent_pair() {
    let mut files: Vec<(String, Vec<u8>)> = vec![("a.md".into(), "正文。".as_bytes().to_vec())];
    for n in 1..=3 {
        files.push((
            format!("m{n}.toml"),
            format!("[book]\ntitle = \"第{n}种\"\n[[article]]\nsource = \"a.md\"\n").into_bytes(),
        ));
    }
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let dir = project("three", ONE_ARTICLE, &files);
    let children: Vec<_> = (1..=3)
        .map(|n| {
            Command::new(env!("CARGO_BIN_EXE_booklet"))
                .args(["build", &format!("m{n}.toml")])
                .current_dir(&dir)
                .env_remove("SOURCE_DATE_EPOCH")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let opf = epub_text(&dir);
    let title = (1..=3)
        .find(|n| opf.contains(&format!("第{n}种")))
        .expect("a title in the EPUB");
    if let Some(text) = tool("pdfinfo", &[dir.join("out/booklet.pdf").to_str().unwrap()]) {
        assert!(
            text.contains(&format!("第{title}种")),
            "the EPUB is of build {title}, the PDF is not:\n{text}"
        );
    }
    assert_eq!(out_names(&dir), ["booklet.epub", "booklet.pdf"]);
}

// --- Cache trust --------------------------------------------------------------------

#[test]
fn a_cache_damaged_in_other_ways_is_never_trusted() {
    let dir = scratch("battery-cache");
    copy_example(&dir);
    booklet_ok(&["build"], &dir, &[]);
    let clean = pair(&dir);
    let cache = dir.join("out/.booklet-cache");
    let entries = || -> Vec<PathBuf> {
        let mut list: Vec<PathBuf> = std::fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().len() == 64)
            .collect();
        list.sort();
        list
    };
    type Damage = fn(&Path, Vec<u8>);
    let damages: [(&str, Damage); 4] = [
        ("halved", |p, b| {
            std::fs::write(p, &b[..b.len() / 2]).unwrap()
        }),
        ("flipped", |p, mut b| {
            let middle = b.len() / 2;
            b[middle] ^= 0x20;
            std::fs::write(p, b).unwrap()
        }),
        ("emptied", |p, _| std::fs::write(p, b"").unwrap()),
        ("a folder", |p, _| {
            std::fs::remove_file(p).unwrap();
            std::fs::create_dir(p).unwrap();
        }),
    ];
    for (name, damage) in damages {
        // A fresh cache, then every entry damaged.
        let _ = std::fs::remove_dir_all(&cache);
        booklet_ok(&["build"], &dir, &[]);
        let list = entries();
        assert!(list.len() > 2, "{name}: {list:?}");
        for path in &list {
            damage(path, std::fs::read(path).unwrap());
        }
        let out = booklet_ok(&["build"], &dir, &[]);
        assert!(pair(&dir) == clean, "{name}: a damaged entry was used");
        let message = String::from_utf8_lossy(&out.stderr);
        assert!(!message.contains("panicked"), "{message}");
    }
    // The cache folder a plain file: built without it, the file left.
    let _ = std::fs::remove_dir_all(&cache);
    std::fs::write(&cache, "not a folder").unwrap();
    booklet_ok(&["build"], &dir, &[]);
    assert!(pair(&dir) == clean, "a build without a cache differs");
    assert_eq!(std::fs::read(&cache).unwrap(), b"not a folder");
}

// --- Lost work ------------------------------------------------------------------------

#[test]
fn an_import_that_fails_half_way_changes_no_file() {
    let gbk = encoding_rs::GBK.encode("旧网页的文字。").0.into_owned();
    let mut bad = "好的开头。\n".as_bytes().to_vec();
    bad.extend_from_slice(b"\xff\xfe\xfd\n");
    let dir = project(
        "import-half",
        ONE_ARTICLE,
        &[
            ("raw/1.txt", "第一篇，好的。".as_bytes()),
            ("raw/2.txt", &bad),
            ("raw/3.txt", &gbk),
        ],
    );
    let r = run(&["import", "raw/1.txt", "--out", "imported"], &dir, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let snapshot = |d: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let mut all = Vec::new();
        for e in std::fs::read_dir(d.join("imported")).unwrap() {
            let p = e.unwrap().path();
            all.push((p.clone(), std::fs::read(&p).unwrap()));
        }
        all.sort();
        all.push((
            d.join("booklet.toml"),
            std::fs::read(d.join("booklet.toml")).unwrap(),
        ));
        all
    };
    let before = snapshot(&dir);
    // The second file is refused: the first is not written again, the
    // manifest not touched.
    let r = run(
        &[
            "import",
            "raw/1.txt",
            "raw/2.txt",
            "raw/3.txt",
            "--out",
            "imported",
            "--force",
            "--add",
        ],
        &dir,
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("raw/2.txt"), "{}", r.stderr);
    assert!(snapshot(&dir) == before, "a failed import changed files");
}

// --- Non-regular files and stalls ---------------------------------------------------------

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let made = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(made.success());
}

#[test]
fn inputs_of_other_kinds_of_file_are_refused_at_once() {
    let md = "---\ntitle: 文\n---\n\n正文。\n\n![图](p.png)\n";
    let png = std::fs::read(repo().join("tests/fuzz/corpus/image/rgb.png")).unwrap();
    type Change = fn(&Path);
    let cases: [(&str, &[&str], Change, &str); 7] = [
        (
            "source-folder",
            &["build"],
            |d| {
                std::fs::remove_file(d.join("a.md")).unwrap();
                std::fs::create_dir(d.join("a.md")).unwrap();
            },
            "a.md",
        ),
        (
            "source-loop",
            &["build"],
            |d| {
                std::fs::remove_file(d.join("a.md")).unwrap();
                std::os::unix::fs::symlink("a.md", d.join("a.md")).unwrap();
            },
            "a.md",
        ),
        (
            "source-urandom",
            &["build"],
            |d| {
                std::fs::remove_file(d.join("a.md")).unwrap();
                std::os::unix::fs::symlink("/dev/urandom", d.join("a.md")).unwrap();
            },
            "a.md",
        ),
        (
            "image-fifo-link",
            &["build"],
            |d| {
                mkfifo(&d.join("pipe"));
                std::fs::remove_file(d.join("p.png")).unwrap();
                std::os::unix::fs::symlink("pipe", d.join("p.png")).unwrap();
            },
            "p.png",
        ),
        (
            "cover-null",
            &["build"],
            |d| {
                let m = std::fs::read_to_string(d.join("booklet.toml")).unwrap();
                let m = m.replacen("[book]\n", "[book]\ncover = \"cover.png\"\n", 1);
                std::fs::write(d.join("booklet.toml"), m).unwrap();
                std::os::unix::fs::symlink("/dev/null", d.join("cover.png")).unwrap();
            },
            "cover.png",
        ),
        (
            "manifest-folder",
            &["build", "dir.toml"],
            |d| {
                std::fs::create_dir(d.join("dir.toml")).unwrap();
            },
            "dir.toml",
        ),
        (
            "style-fifo",
            &["build"],
            |d| {
                let m = std::fs::read_to_string(d.join("booklet.toml")).unwrap();
                std::fs::write(
                    d.join("booklet.toml"),
                    format!("{m}[style]\nname = \"s\"\n"),
                )
                .unwrap();
                std::fs::create_dir_all(d.join("styles")).unwrap();
                mkfifo(&d.join("styles/s.toml"));
            },
            "styles/s.toml",
        ),
    ];
    for (name, args, change, file) in cases {
        let dir = project(
            &format!("kinds-{name}"),
            ONE_ARTICLE,
            &[("a.md", md.as_bytes()), ("p.png", &png)],
        );
        change(&dir);
        let started = Instant::now();
        let r = run(args, &dir, &[]);
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{name}: stalled"
        );
        assert_eq!(r.code, 1, "{name}: accepted\n{}", r.stderr);
        assert!(
            r.stderr.contains(file),
            "{name}: {file} not named\n{}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        assert!(
            !dir.join("out/booklet.epub").exists(),
            "{name}: wrote output"
        );
    }
    // A font folder holding a folder named like a font, a link to a pipe,
    // and a device: skipped, no stall.
    let dir = project(
        "kinds-fonts",
        ONE_ARTICLE,
        &[("a.md", md.as_bytes()), ("p.png", &png)],
    );
    std::fs::create_dir_all(dir.join("fonts/folder.ttf")).unwrap();
    mkfifo(&dir.join("pipe"));
    std::os::unix::fs::symlink(dir.join("pipe"), dir.join("fonts/pipe.otf")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("fonts/zero.ttc")).unwrap();
    let started = Instant::now();
    let r = build(&dir, &[]);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "font folder: stalled"
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("pipe.otf") && r.stderr.contains("zero.ttc"),
        "{}",
        r.stderr
    );
}

// --- watch ----------------------------------------------------------------------------------

#[test]
fn watch_hears_editor_saves_deletions_and_a_folder_made_anew() {
    let dir = scratch("battery-watch");
    copy_example(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_booklet"))
        .args(["watch", "--format", "epub"])
        .current_dir(&dir)
        .env_remove("BOOKLET_TEST_PANIC")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    struct Reaper(std::process::Child);
    impl Drop for Reaper {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _reaper = Reaper(child);
    let until = |needle: &str| -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(90);
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(line) => {
                    let hit = line.contains(needle);
                    seen.push(line);
                    if hit {
                        return seen;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("no `{needle}` within 90 s: {seen:?}");
    };
    until("built in");
    let article = dir.join("sources/05.md");

    // An editor's save: a new file renamed over the old one.
    let tmp = dir.join("sources/.05.md.swp");
    std::fs::write(&tmp, "---\ntitle: 存\n---\n\n编辑器保存的。\n").unwrap();
    std::fs::rename(&tmp, &article).unwrap();
    until("rebuilt in");

    // Deleted: an error, and still watching; back: built again.
    let kept = std::fs::read(&article).unwrap();
    std::fs::remove_file(&article).unwrap();
    until("still watching");
    std::fs::write(&article, &kept).unwrap();
    until("rebuilt in");

    // The whole folder removed and made anew (not renamed back).
    let saved: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir.join("sources"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    std::fs::remove_dir_all(dir.join("sources")).unwrap();
    until("still watching");
    std::fs::create_dir(dir.join("sources")).unwrap();
    for (p, b) in &saved {
        std::fs::write(p, b).unwrap();
    }
    until("rebuilt in");
    std::fs::write(&article, "---\ntitle: 再改\n---\n\n新文件夹里的改动。\n").unwrap();
    let seen = until("rebuilt in");
    assert!(seen.iter().any(|l| l.contains("05.md")), "{seen:?}");
}
