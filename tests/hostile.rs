//! Hostile input, class by class: whatever a source, the manifest, a style
//! or the environment holds, `booklet build` either fails with a message
//! naming the file and line (exit 1, no output) or exits 0 with outputs
//! EPUBCheck finds no fault in. Never a panic, never a hang.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn project(name: &str, manifest: &str, files: &[(&str, &[u8])]) -> PathBuf {
    common::project(&format!("hostile-{name}"), manifest, files)
}

fn manifest_with(body: &str) -> String {
    format!("[book]\ntitle = \"测试\"\n{body}")
}

/// A scratch project whose one article, `a.md`, is `md`.
fn article_project(name: &str, md: &str) -> PathBuf {
    let manifest = manifest_with("[[article]]\nsource = \"a.md\"\n");
    project(name, &manifest, &[("a.md", md.as_bytes())])
}

fn built(name: &str, md: &str) -> (PathBuf, Run) {
    let dir = article_project(name, md);
    let r = build(&dir, &[]);
    (dir, r)
}

fn assert_ok(r: &Run, needles: &[&str]) {
    assert_eq!(r.code, 0, "expected success:\n{}", r.stderr);
    for n in needles {
        assert!(r.stderr.contains(n), "missing `{n}` in:\n{}", r.stderr);
    }
}

fn assert_error(r: &Run, needles: &[&str]) {
    assert_eq!(r.code, 1, "expected exit 1:\n{}", r.stderr);
    for n in needles {
        assert!(r.stderr.contains(n), "missing `{n}` in:\n{}", r.stderr);
    }
}

fn epub_file(dir: &Path, name: &str) -> String {
    let epub = std::fs::read(dir.join("out/booklet.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
    text
}

// --- Panics: reported, never hung on ---------------------------------------

#[test]
fn unclosed_tags_before_chinese_at_the_end_of_a_file_build() {
    let tails = [
        "<div\n中文",
        "<div class=\"中",
        "<details>中文",
        "<p>正文<",
        "<?xml 中",
        "<!DOCTYPE 中",
        "<script>中文",
        "<style 中",
        "<![CDATA[中",
    ];
    // One article per case, each ending the file, in one booklet.
    let mut manifest = manifest_with("");
    let mut files = Vec::new();
    for (i, tail) in tails.iter().enumerate() {
        manifest.push_str(&format!("[[article]]\nsource = \"{i}.md\"\n"));
        let md = format!("---\ntitle: 标签{i}\n---\n\n正文。\n\n{tail}");
        files.push((format!("{i}.md"), md.into_bytes()));
    }
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let dir = project("unclosed", &manifest, &files);
    assert_ok(&build(&dir, &[]), &[]);
}

#[test]
fn a_panic_is_an_internal_error_not_a_hang() {
    let dir = article_project("panic", "---\ntitle: 题\n---\n\n正文。\n");
    for place in ["source", "epub", "pdf"] {
        let r = build(&dir, &[("BOOKLET_TEST_PANIC", place)]);
        assert_error(&r, &["internal error", place, "a bug in booklet"]);
        assert!(!dir.join("out/booklet.pdf").exists());
    }
    // And the next build, with nothing to panic about, is whole.
    assert_ok(&build(&dir, &[]), &[]);
}

#[test]
fn watch_survives_a_panicking_build() {
    let dir = article_project("panic-watch", "---\ntitle: 题\n---\n\n正文。\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_booklet"))
        .args(["watch", "--format", "epub"])
        .current_dir(&dir)
        .env("BOOKLET_TEST_PANIC", "source")
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
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
    let wait_for = |needle: &str| -> bool {
        let deadline = Instant::now() + Duration::from_secs(120);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    };
    let first = wait_for("still watching");
    // A second save: the session is still alive and builds again.
    std::fs::write(dir.join("a.md"), "---\ntitle: 改\n---\n\n改过。\n").unwrap();
    let second = wait_for("still watching");
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(first && second, "watch did not go on:\n{stderr}");
    assert!(stderr.contains("internal error"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

// --- Exit 0 means a valid EPUB ----------------------------------------------

#[test]
fn footnotes_referenced_twice_in_cycles_unused_or_undefined_give_a_valid_epub() {
    let md = "---\ntitle: 脚注\n---\n\n\
              甲[^a]乙[^a]丙[^b]，又见[^a]。\n\n\
              链接里的注：[文字[^c]](https://example.com)。\n\n\
              未定义[^missing]。\n\n\
              ## 标题[^d]\n\n\
              [^a]: 注一，引注二[^b]。\n\n\
              [^b]: 注二，引注一[^a]，引自身[^b]。\n\n\
              [^c]: 注三[^c]。\n\n\
              [^d]: 标题的注。\n\n\
              [^unused]: 没有人引用[^e]。\n\n\
              [^e]: 只被未用的注引用。\n\n\
              [^a]: 重复的定义。\n";
    let (dir, r) = built("footnotes", md);
    assert_ok(
        &r,
        &[
            "a.md:21",
            "`[^unused]` is never referenced",
            "a.md:23",
            "`[^e]` is never referenced",
            "a.md:25",
            "defined again",
        ],
    );
    let xhtml = epub_file(&dir, "OEBPS/a01.xhtml");
    // The undefined reference is printed as written (its Latin word in a
    // span of its own for the reader's hyphenation).
    assert!(
        visible_text(&xhtml).contains("未定义[^missing]。"),
        "{xhtml}"
    );
    assert!(!xhtml.contains("没有人引用"), "{xhtml}");
}

#[test]
fn heading_ids_are_unique_whatever_the_nesting_and_never_a_footnotes() {
    let md = "---\ntitle: 标识\n---\n\n\
              ## 一 {#fn1}\n\n正文[^1]。\n\n\
              ## 二 {#fnref1}\n\n\
              ## 三 {#same}\n\n## 四 {#same}\n\n## 五 {#s1}\n\n\
              > ## 引文里的标题\n>\n> ### 更深 {#same}\n\n\
              - ## 列表里的标题\n\n  > #### 又深一层\n\n\
              ## {#empty}\n\n\
              ## ![图](nothing.png)[^2]\n\n\
              [^1]: 注。\n\n    ## 注里的标题\n\n\
              [^2]: 空标题里的注。\n";
    let (dir, r) = built("ids", md);
    // The image the heading held is a block of its own: reported missing.
    assert_error(&r, &["nothing.png"]);
    let md = md.replace("![图](nothing.png)", "");
    let dir2 = article_project("ids-2", &md);
    let r = build(&dir2, &[]);
    assert_ok(&r, &["a.md:25", "a heading with no text"]);
    let xhtml = epub_file(&dir2, "OEBPS/a01.xhtml");
    let ids: Vec<&str> = xhtml
        .split(" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "duplicate ids: {ids:?}");
    assert!(!ids.contains(&""), "{ids:?}");
    drop(dir);
}

#[test]
fn control_characters_anywhere_are_removed_with_a_warning() {
    let manifest = "[book]\n\
                    title = \"控制\\f字符\"\n\
                    subtitle = \"副\\u0001题\"\n\
                    authors = [\"作\\u0085者\"]\n\
                    description = \"简\\u007f介\"\n\
                    subjects = [\"主\\u001b题\"]\n\
                    publisher = \"出\\uFFFE版\"\n\
                    edition = \"第\\u000b一版\"\n\
                    [[article]]\nsource = \"a.md\"\ntitle = \"篇\\u0008名\"\n\
                    [[article]]\nsource = \"b.md\"\n";
    let a = "---\nauthor: 作\u{c}者\n---\n\n正文\u{1}一。\n\n## 节\u{c}一\n\n```\n代码\u{7}\n```\n";
    let b = "---\ntitle: 标\u{1b}题\nnote: 附\u{85}注\n---\n\n| 表\u{2} | 头 |\n|---|---|\n| 格\u{fffe} | 子 |\n\n## \u{c}\n\n正文\u{c}。\n";
    let dir = project(
        "controls",
        manifest,
        &[("a.md", a.as_bytes()), ("b.md", b.as_bytes())],
    );
    let r = build(&dir, &[]);
    assert_ok(
        &r,
        &[
            "booklet.toml:2",
            "U+000C (form feed)",
            "booklet.toml:3",
            "booklet.toml:4",
            "booklet.toml:10",
            "a.md:2",
            "a.md:5",
            "a.md:7",
            "b.md:2",
            "b.md:6",
            "b.md:10",
            "a heading with no text",
        ],
    );
    let ncx = epub_file(&dir, "OEBPS/toc.ncx");
    assert!(ncx.contains("控制字符"), "{ncx}");
}

#[test]
fn empty_titles_fall_back_with_a_warning() {
    let manifest = manifest_with(
        "[[article]]\nsource = \"a.md\"\ntitle = \"  \"\n\
         [[article]]\nsource = \"b.md\"\n\
         [[article]]\nsource = \"c.md\"\n",
    );
    let dir = project(
        "titles",
        &manifest,
        &[
            ("a.md", "---\ntitle: 前言标题\n---\n\n正文。\n".as_bytes()),
            (
                "b.md",
                "---\ntitle: \"   \"\n---\n\n# \n\n正文。\n".as_bytes(),
            ),
            ("c.md", "#\n\n正文。\n".as_bytes()),
        ],
    );
    let r = build(&dir, &[]);
    assert_ok(&r, &["booklet.toml:4", "is empty", "using the file name"]);
    let nav = epub_file(&dir, "OEBPS/nav.xhtml");
    assert!(nav.contains("前言标题") && nav.contains(">b<"), "{nav}");

    let dir = project(
        "book-title",
        "[book]\ntitle = \"\\u0001\\u0002\"\n[[article]]\nsource = \"a.md\"\n",
        &[("a.md", b"text")],
    );
    assert_error(&build(&dir, &[]), &["booklet.toml:2", "title"]);
}

#[test]
fn out_of_range_dates_are_errors_at_their_line() {
    for date in [
        "0000-00-00",
        "9999-99-99",
        "10000-01-01",
        "2023-02-29",
        "2024-13-01",
        "2024-04-31",
    ] {
        let manifest = format!(
            "[book]\ntitle = \"日期\"\ndate = \"{date}\"\n[[article]]\nsource = \"a.md\"\n"
        );
        let dir = project("dates", &manifest, &[("a.md", b"text")]);
        assert_error(&build(&dir, &[]), &["booklet.toml:3", date]);
    }
    for date in [
        "0000-00-00",
        "9999-99-99",
        "2023/2/29",
        "2022年13月1日",
        "12345-1-1",
    ] {
        let (dir, r) = built(
            "fm-dates",
            &format!("---\ntitle: 题\ndate: {date}\n---\n\n正文。\n"),
        );
        assert_error(&r, &["a.md:3", "date"]);
        drop(dir);
    }
    // Free text and real days build, at the very ends of the range too.
    let fm = |date: &str| format!("---\ntitle: {date}\ndate: {date}\n---\n\n正文。\n");
    let (spring, leap, chinese) = (fm("2022年春"), fm("2024-02-29"), fm("2022年2月9日"));
    for date in ["0001-01-01", "9999-12-31"] {
        let manifest = format!(
            "[book]\ntitle = \"日期\"\ndate = \"{date}\"\n\
             [[article]]\nsource = \"a.md\"\n[[article]]\nsource = \"b.md\"\n\
             [[article]]\nsource = \"c.md\"\n"
        );
        let dir = project(
            "dates-ok",
            &manifest,
            &[
                ("a.md", spring.as_bytes()),
                ("b.md", leap.as_bytes()),
                ("c.md", chinese.as_bytes()),
            ],
        );
        assert_ok(&build(&dir, &[]), &[]);
    }
}

#[test]
fn out_of_range_source_date_epoch_is_an_error_naming_it() {
    let dir = article_project("epoch", "---\ntitle: 题\n---\n\n正文。\n");
    for value in [
        "-1",
        "99999999999999",
        "253402300800",
        "abc",
        "1e9",
        "1.5",
        "0x10",
        "18446744073709551616",
    ] {
        let r = build(&dir, &[("SOURCE_DATE_EPOCH", value)]);
        assert_error(&r, &["SOURCE_DATE_EPOCH"]);
    }
    for value in ["253402300799", ""] {
        assert_ok(&build(&dir, &[("SOURCE_DATE_EPOCH", value)]), &[]);
    }
}

// --- No silent mojibake -----------------------------------------------------

#[test]
fn a_bad_byte_in_utf8_is_an_error_at_its_line_in_build_and_import() {
    let good = "---\ntitle: 编码\n---\n\n组织工作学习读本，推动高质量发展。\n\n第二段文字。\n";
    let mut one_bad = good.as_bytes().to_vec();
    let at = good.find("第二段").unwrap();
    one_bad.insert(at, 0xFF);
    let (gbk, _, _) = encoding_rs::GBK.encode("这一段是从旧网页复制的文字。");
    let mut mixed = good.as_bytes().to_vec();
    mixed.extend_from_slice(b"\n");
    mixed.extend_from_slice(&gbk);
    mixed.extend_from_slice("\n\n最后一段。\n".as_bytes());
    let mut latin1 = good.as_bytes().to_vec();
    latin1.extend_from_slice(b"\ncaf\xE9 au lait\n");
    for (name, bytes, needles) in [
        ("one-bad", &one_bad, vec!["a.md:7", "0xFF"]),
        (
            "gbk-paste",
            &mixed,
            vec!["a.md:9", "GBK", "iconv -f GBK -t UTF-8"],
        ),
        ("latin1", &latin1, vec!["a.md:9", "0xE9"]),
    ] {
        let m = manifest_with("[[article]]\nsource = \"a.md\"\n");
        let dir = project(&format!("mojibake-{name}"), &m, &[("a.md", bytes)]);
        assert_error(&build(&dir, &[]), &needles);
        let r = run(&["import", "a.md", "--out", "imported"], &dir, &[]);
        assert_eq!(
            r.code, 1,
            "import accepted {name}:\n{}{}",
            r.stdout, r.stderr
        );
        assert!(r.stderr.contains(needles[0]), "{}", r.stderr);
        assert!(!dir.join("imported").exists());
    }
}

// --- Links and numbers checked at the boundary -------------------------------

#[test]
fn only_web_links_are_clickable_in_either_output() {
    let md = "---\ntitle: 链接\n---\n\n\
              [脚本](javascript:alert(1)) [大写](JavaScript:alert(2))\n\n\
              [文件](file:///etc/passwd) [数据](data:text/html;base64,PHNjcmlwdD4=)\n\n\
              [vb](vbscript:msgbox) <javascript:alert(3)>\n\n\
              [另一篇](02.md) [上级](../secret.pdf) [网](https://example.com/ok)\n";
    let (dir, r) = built("links", md);
    assert_ok(
        &r,
        &[
            "a.md:5",
            "`javascript:`",
            "a.md:7",
            "`file:`",
            "`data:`",
            "a.md:9",
            "`vbscript:`",
        ],
    );
    let xhtml = epub_file(&dir, "OEBPS/a01.xhtml");
    assert!(xhtml.contains("href=\"https://example.com/ok\""), "{xhtml}");
    for bad in [
        "javascript",
        "JavaScript",
        "file:",
        "data:",
        "vbscript",
        "02.md",
        "secret",
    ] {
        assert!(
            !xhtml.contains(&format!("href=\"{bad}")),
            "{bad} linked:\n{xhtml}"
        );
    }
    assert!(xhtml.contains("脚本") && xhtml.contains("另一篇"));
    let pdf = dir.join("out/booklet.pdf");
    let plain = dir.join("out/plain.pdf");
    if tool(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            pdf.to_str().unwrap(),
            plain.to_str().unwrap(),
        ],
    )
    .is_some()
    {
        let bytes = std::fs::read(&plain).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("https://example.com/ok"),
            "the web link is gone"
        );
        for bad in [
            "javascript",
            "JavaScript",
            "file:",
            "data:text",
            "vbscript",
            "02.md",
            "secret.pdf",
            "/Launch",
        ] {
            assert!(!text.contains(bad), "`{bad}` is in the PDF");
        }
    }
}

#[test]
fn absurd_style_numbers_are_errors_naming_the_line_and_range() {
    let article: &[(&str, &[u8])] = &[("a.md", "正文。".as_bytes())];
    for (pdf, line_needle) in [
        ("body_size_pt = nan", "body_size_pt"),
        ("body_size_pt = inf", "body_size_pt"),
        ("body_size_pt = 1e9", "body_size_pt"),
        ("body_size_pt = -10.5", "body_size_pt"),
        ("line_height = nan", "line_height"),
        ("line_height = 0.0", "line_height"),
        ("margin_inner_mm = 1e9", "margin_inner_mm"),
        ("margin_top_mm = -inf", "margin_top_mm"),
        ("page = \"0x0\"", "page"),
        ("page = \"nanx100\"", "page"),
        ("page = \"infxinf\"", "page"),
        ("page = \"1e9x1e9\"", "page"),
        ("margin_inner_mm = 100\nmargin_outer_mm = 100", "margin"),
        ("page = \"60x60\"\nbody_size_pt = 72", "page"),
    ] {
        let manifest =
            format!("[book]\ntitle = \"样式\"\n[pdf]\n{pdf}\n[[article]]\nsource = \"a.md\"\n");
        let dir = project("numbers", &manifest, article);
        let r = build(&dir, &[]);
        assert_error(&r, &["booklet.toml:4", line_needle]);
    }
    let default = include_str!("../styles/default.toml");
    for (from, to, key) in [
        ("indent_em = 2.0", "indent_em = nan", "indent_em"),
        ("title_scale = 1.6", "title_scale = inf", "title_scale"),
        (
            "heading_scales = [1.3, 1.15, 1.05]",
            "heading_scales = [1.3, nan]",
            "heading_scales",
        ),
        (
            "quote_indent_em = 2.0",
            "quote_indent_em = 1e9",
            "quote_indent_em",
        ),
        ("body_size_pt = 10.5", "body_size_pt = 0.0", "body_size_pt"),
        (
            "margin_top_mm = 20.0",
            "margin_top_mm = nan",
            "margin_top_mm",
        ),
        ("size = \"A5\"", "size = \"0x0\"", "size"),
    ] {
        let style = default.replace(from, to);
        assert_ne!(style, default, "{from}");
        let line = 1 + style.lines().position(|l| l.starts_with(key)).unwrap();
        let manifest =
            "[book]\ntitle = \"样式\"\n[style]\nname = \"custom\"\n[[article]]\nsource = \"a.md\"\n";
        let dir = project(
            "style-numbers",
            manifest,
            &[
                ("a.md", "正文。".as_bytes()),
                ("styles/custom.toml", style.as_bytes()),
                ("styles/default.css", b""),
            ],
        );
        let r = build(&dir, &[]);
        assert_error(&r, &[&format!("custom.toml:{line}"), key, "must be"]);
    }
}
