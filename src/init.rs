//! `booklet init`: a new booklet project that builds at once with the
//! shipped fonts: a commented manifest, one sample article, the default style.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

const MANIFEST: &str = r#"# booklet manifest. Paths are relative to this file.
# Reference: the README of booklet, section "The manifest".

[book]
title = "学习读本"                 # required
# subtitle = "专题学习材料"
# authors = ["作者"]
# editor = "编辑"
# publisher = "出版者"
language = "zh-Hans"             # zh-Hans (Simplified) or zh-Hant (Traditional)
date = "2024-01-01"              # YYYY-MM-DD; also the timestamp in the outputs
# edition = "第一版"
# cover = "cover.jpg"

# [fonts]                        # default: the Noto Serif CJK shipped with booklet
# body = "Noto Serif CJK"
# heading = "Noto Serif CJK"

[style]
name = "default"                 # styles/default.toml and styles/default.css

[output]
dir = "out"
stem = "booklet"                 # out/booklet.epub and out/booklet.pdf

# [pdf]
# page = "A5"                    # A4, A5, B5 or "WIDTHxHEIGHT" in mm
# toc_depth = 2

# One [[article]] per source, in reading order.
[[article]]
source = "sources/01-sample.md"
"#;

const SAMPLE: &str = r#"---
title: 示例文章
author: 编者
date: 2024-01-01
---

这是一篇示例文章。把你的文章放进 sources/ 文件夹，在 booklet.toml 里为每一篇添加一个
[[article]] 条目，然后运行 booklet build，就能得到 EPUB 电子书和可以打印的 PDF。

## 一、段落与换行

中文段落里的换行会被直接连接，不会产生多余的空格。每个段落首行缩进两个字，段落之间不空行。

## 二、强调与引用

**“加粗”**可以紧贴中文标点。

> 引用的段落会左右缩进。
"#;

/// Creates the project in `dir` (created if needed). Refuses to overwrite
/// an existing manifest.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let manifest = dir.join("booklet.toml");
    if manifest.exists() {
        return Err(Diagnostic::error("a booklet already exists here")
            .in_file(&manifest)
            .with_hint("choose an empty folder: booklet init NEW-FOLDER"));
    }
    let files: [(PathBuf, &str); 4] = [
        (manifest, MANIFEST),
        (dir.join("sources/01-sample.md"), SAMPLE),
        (
            dir.join("styles/default.toml"),
            include_str!("../styles/default.toml"),
        ),
        (
            dir.join("styles/default.css"),
            include_str!("../styles/default.css"),
        ),
    ];
    let mut written = Vec::new();
    for (path, text) in files {
        if path.exists() {
            continue;
        }
        let parent = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| {
            Diagnostic::error(format!("cannot create the folder: {e}")).in_file(parent)
        })?;
        std::fs::write(&path, text)
            .map_err(|e| Diagnostic::error(format!("cannot write: {e}")).in_file(&path))?;
        written.push(path);
    }
    Ok(written)
}
