//! `booklet init`: a new booklet project that builds at once with the
//! shipped fonts: a commented manifest, one sample article, the default
//! style, and a `.gitignore` for the outputs.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

const MANIFEST: &str = r#"# booklet manifest. Paths are relative to this file.
# Reference: the README of booklet, section "The manifest".

[book]
title = "学习读本"                 # required
# subtitle = "专题学习材料"
authors = ["作者"]
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

/// Outputs and the build cache are made again by every build.
const GITIGNORE: &str = "out/\n";

/// What the new manifest says about the book.
#[derive(Debug, Default, Clone)]
pub struct Answers {
    pub title: Option<String>,
    pub author: Option<String>,
}

const DEFAULT_TITLE: &str = "学习读本";

impl Answers {
    /// Asks for what was not given on the command line, one line each; an
    /// empty answer keeps the default.
    pub fn ask(&mut self, input: &mut dyn BufRead, prompt: &mut dyn Write) {
        let mut ask = |question: &str, default: &str| -> Option<String> {
            let _ = write!(prompt, "{question} [{default}]: ");
            let _ = prompt.flush();
            let mut line = String::new();
            input.read_line(&mut line).ok()?;
            let answer = line.trim();
            (!answer.is_empty()).then(|| answer.to_string())
        };
        if self.title.is_none() {
            self.title = ask("书名 (title)", DEFAULT_TITLE);
        }
        if self.author.is_none() {
            self.author = ask("作者 (author)", "none");
        }
    }

    /// The manifest with the answers in place of the sample values.
    fn manifest(&self) -> String {
        let quoted = |s: &str| toml_edit::Value::from(s).to_string();
        let title = self.title.as_deref().unwrap_or(DEFAULT_TITLE);
        let mut text = MANIFEST.replacen(
            &format!("title = {}", quoted(DEFAULT_TITLE)),
            &format!("title = {}", quoted(title)),
            1,
        );
        let authors = match &self.author {
            Some(a) => format!("authors = [{}]", quoted(a)),
            None => "# authors = [\"作者\"]".to_string(),
        };
        text = text.replacen("authors = [\"作者\"]", &authors, 1);
        text
    }
}

/// Creates the project in `dir` (created if needed). Refuses to overwrite
/// an existing manifest; keeps any other file already there.
pub fn init(dir: &Path, answers: &Answers) -> Result<Vec<PathBuf>, Diagnostic> {
    let manifest = dir.join("booklet.toml");
    if manifest.exists() {
        return Err(Diagnostic::error("a booklet already exists here")
            .in_file(&manifest)
            .with_hint("choose an empty folder: booklet init NEW-FOLDER"));
    }
    let manifest_text = answers.manifest();
    let files: [(PathBuf, &str); 5] = [
        (manifest, &manifest_text),
        (dir.join(".gitignore"), GITIGNORE),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_fill_the_manifest_and_it_parses() {
        let mut answers = Answers {
            title: Some("读本 \"一\"".into()),
            author: None,
        };
        let mut input = std::io::Cursor::new("张三\n");
        let mut prompt = Vec::new();
        answers.ask(&mut input, &mut prompt);
        assert_eq!(answers.author.as_deref(), Some("张三"));
        assert!(String::from_utf8_lossy(&prompt).contains("作者"));
        let text = answers.manifest();
        let m = crate::manifest::Manifest::parse(&text, Path::new("booklet.toml")).unwrap();
        assert_eq!(m.book.title, "读本 \"一\"");
        assert_eq!(m.book.authors, ["张三"]);

        // Empty answers keep the defaults; no author leaves the line commented.
        let mut answers = Answers::default();
        answers.ask(&mut std::io::Cursor::new("\n\n"), &mut Vec::new());
        let m = crate::manifest::Manifest::parse(&answers.manifest(), Path::new("b.toml")).unwrap();
        assert_eq!(m.book.title, DEFAULT_TITLE);
        assert!(m.book.authors.is_empty());
    }
}
