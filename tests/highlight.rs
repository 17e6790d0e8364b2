//! Code highlighting in both outputs: a fence naming its language gets its
//! tokens coloured (the EPUB as classed spans and CSS, the PDF as fill
//! colours, seen by rendering the page with pdftoppm), its text unchanged
//! for pdftotext; a `text` fence, a terminal's output and a style with
//! highlighting off stay in the text colour.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const MANIFEST: &str = r#"[book]
title = "高亮测试"
authors = ["测试组"]
language = "zh-Hans"
date = "2024-01-01"

[[article]]
source = "sources/01.md"

[[article]]
source = "sources/02.md"
"#;

const CODE: &str = r#"use std::collections::HashMap;

/// 计算得分
fn main() {
    let mut scores = HashMap::new(); // 插入一个键值对
    scores.insert(String::from("蓝队"), 10);
    println!("{:?}", scores);
}
"#;

/// A manifest, in TOML: the grammars lack it, booklet reads it itself.
const TOML: &str = r#"[package]
name = "scores"   # 名字
version = "0.1.0"
publish = false

[dependencies]
serde = { version = "1", features = ["derive"] }
"#;

/// The same code highlighted (article 1, with a terminal session and a
/// TOML manifest after it) and as plain text (article 2).
fn project_files() -> Vec<(&'static str, Vec<u8>)> {
    let session = "```console\n$ cargo run --release\n   Compiling scores v0.1.0\nerror[E0382]: borrow of moved value\n```\n";
    vec![
        (
            "sources/01.md",
            format!("---\ntitle: 高亮的代码\n---\n\n下面是一段代码：\n\n```rust\n{CODE}```\n\n{session}\n```toml\n{TOML}```\n")
                .into_bytes(),
        ),
        (
            "sources/02.md",
            format!("---\ntitle: 不高亮的代码\n---\n\n同一段代码：\n\n```text\n{CODE}```\n").into_bytes(),
        ),
    ]
}

fn fixture(name: &str) -> PathBuf {
    let files = project_files();
    let files: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (*p, b.as_slice())).collect();
    let dir = project(name, MANIFEST, &files);
    std::os::unix::fs::symlink(repo().join("fonts"), dir.join("fonts")).unwrap();
    dir
}

/// The 1-based page whose text holds `needle`.
fn page_with(pdf: &Path, needle: &str) -> Option<usize> {
    let text = tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"])?;
    let at = text
        .split('\u{c}')
        .position(|page| page.contains(needle))
        .unwrap_or_else(|| panic!("no page has {needle:?}"));
    Some(at + 1)
}

/// Pixels of page `page` (rendered at 100 dpi) whose colour is far from
/// any grey: coloured ink.
fn coloured_pixels(pdf: &Path, page: usize, dir: &Path) -> Option<usize> {
    let stem = dir.join(format!("page{page}"));
    let p = page.to_string();
    tool(
        "pdftoppm",
        &[
            "-r",
            "100",
            "-f",
            &p,
            "-l",
            &p,
            "-singlefile",
            pdf.to_str().unwrap(),
            stem.to_str().unwrap(),
        ],
    )?;
    let ppm = std::fs::read(stem.with_extension("ppm")).expect("pdftoppm wrote the page");
    let pixels = pnm_samples(&ppm);
    Some(
        pixels
            .chunks_exact(3)
            .filter(|p| {
                let (hi, lo) = (*p.iter().max().unwrap(), *p.iter().min().unwrap());
                hi - lo > 40
            })
            .count(),
    )
}

fn epub_text(dir: &Path, ends: &str) -> String {
    let files = unzip(&dir.join("out/booklet.epub"));
    let (_, bytes) = files
        .iter()
        .find(|(name, _)| name.ends_with(ends))
        .unwrap_or_else(|| panic!("no {ends} in the EPUB"));
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_fenced_language_is_highlighted_in_both_outputs() {
    let dir = fixture("highlight");
    let r = build(&dir, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // EPUB: tokens as classed spans, coloured by the stylesheet.
    let a01 = epub_text(&dir, "a01.xhtml");
    for span in [
        "<span class=\"tk-k\">fn</span>",
        "<span class=\"tk-k\">let</span>",
        "<span class=\"tk-n\">main</span>",
        "<span class=\"tk-s\">&quot;蓝队&quot;</span>",
        "<span class=\"tk-c\">// 插入一个键值对</span>",
        "<span class=\"tk-d\">10</span>",
        "<span class=\"tk-n\">cargo</span>",
        // TOML: headers, keys (in an inline table too), values, comments.
        "<span class=\"tk-k\">[package]</span>",
        "<span class=\"tk-k\">[dependencies]</span>",
        "<span class=\"tk-n\">name</span> = <span class=\"tk-s\">&quot;scores&quot;</span>",
        "<span class=\"tk-c\"># 名字</span>",
        "<span class=\"tk-d\">false</span>",
        "{ <span class=\"tk-n\">version</span> = <span class=\"tk-s\">&quot;1&quot;</span>, <span class=\"tk-n\">features</span> = [<span class=\"tk-s\">&quot;derive&quot;</span>] }",
    ] {
        assert!(a01.contains(span), "{span} missing from:\n{a01}");
    }
    // A terminal's output is not a command (each line a `span.cl` of its
    // own, see tests/books.rs).
    assert!(
        a01.contains(
            "<span class=\"cl\">   Compiling scores v0.1.0\n</span><span class=\"cl\">error[E0382]: borrow of moved value"
        ),
        "{a01}"
    );
    let a02 = epub_text(&dir, "a02.xhtml");
    assert!(
        !a02.contains("<span class=\"tk-"),
        "a text fence is plain:\n{a02}"
    );
    let css = epub_text(&dir, "stylesheet.css");
    assert!(
        css.contains("pre span.tk-k { color: #8b1a4a; font-weight: bold; }")
            && css.contains("pre span.tk-c { color: #5f6670; }"),
        "{css}"
    );

    // PDF: the text is as written, and only the highlighted page has ink
    // that is not grey.
    let pdf = dir.join("out/booklet.pdf");
    let Some(text) = tool(
        "pdftotext",
        &["-layout", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"],
    ) else {
        return;
    };
    for line in CODE.lines().filter(|l| l.trim().len() > 3) {
        assert_eq!(
            text.matches(line.trim()).count(),
            2,
            "{line:?} not twice (highlighted and plain) in:\n{text}"
        );
    }
    let squeezed = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let words = squeezed(&text);
    for line in TOML.lines().filter(|l| !l.is_empty()) {
        assert!(words.contains(&squeezed(line)), "{line:?} not in:\n{text}");
    }
    let (Some(coloured), Some(plain)) = (
        page_with(&pdf, "下面是一段代码"),
        page_with(&pdf, "同一段代码"),
    ) else {
        return;
    };
    let (Some(on), Some(off)) = (
        coloured_pixels(&pdf, coloured, &dir),
        coloured_pixels(&pdf, plain, &dir),
    ) else {
        return;
    };
    assert!(on > 500, "{on} coloured pixels on the highlighted page");
    assert_eq!(off, 0, "coloured pixels on the plain page");
}

#[test]
fn a_style_can_turn_highlighting_off() {
    let dir = fixture("highlight-off");
    let off = default_style_edited(&dir, |style| {
        style
            .replace("[highlight]\n", "[highlight]\nenabled = false\n")
            .replacen("enabled = true\n", "", 1)
    });
    assert!(off.contains("[highlight]\nenabled = false\n"), "{off}");
    let r = build(&dir, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let css = epub_text(&dir, "stylesheet.css");
    assert!(!css.contains("span.tk-"), "{css}");
    let pdf = dir.join("out/booklet.pdf");
    let Some(page) = page_with(&pdf, "下面是一段代码") else {
        return;
    };
    if let Some(coloured) = coloured_pixels(&pdf, page, &dir) {
        assert_eq!(coloured, 0, "coloured pixels with highlighting off");
    }
}
