//! Markdown out: front matter the build's parser reads, then the body as
//! blank-line-separated paragraphs and `##`/`###` headings, never wrapped.
//!
//! File names are `01.md`, `02.md`, … numbered across all inputs in the
//! order given: ASCII, sortable, and stable whatever the titles say.
//! Nothing is written until every target has been checked, so a refusal
//! leaves the folder as it was.

use std::path::{Path, PathBuf};

use super::metadata::Meta;
use super::{Block, Change, Report};

/// The name of the `index`-th article (0-based).
pub fn file_name(index: usize) -> String {
    format!("{:02}.md", index + 1)
}

/// The highest number among the `NN.md` files in `dir` (0 when none):
/// where a further import goes on numbering.
pub fn numbered_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name();
            let stem = name.to_str()?.strip_suffix(".md")?;
            let all_digits = !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit());
            all_digits.then(|| stem.parse::<usize>().ok()).flatten()
        })
        .max()
        .unwrap_or(0)
}

/// The whole Markdown file for one article.
pub fn render(meta: &Meta, blocks: &[Block], report: &mut Report, file: &str) -> String {
    let mut out = String::from("---\n");
    let fields = [
        ("title", meta.title.as_deref()),
        ("author", meta.author.as_deref()),
        ("source", meta.source.as_deref()),
        ("date", meta.date.as_deref()),
        ("language", meta.language),
        ("note", meta.note.as_deref()),
    ];
    for (key, value) in fields {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            out.push_str(key);
            out.push_str(": ");
            out.push_str(&yaml_value(v));
            out.push('\n');
        }
    }
    out.push_str("---\n");
    for b in blocks {
        out.push('\n');
        if let Some(level) = b.heading {
            out.push_str(&"#".repeat(level as usize));
            out.push(' ');
        }
        let (text, escaped) = escape(&b.text);
        report.add(Change::Escaped, escaped, || {
            format!("{file}:{}: {}", b.line, super::text::excerpt(&text, 20))
        });
        out.push_str(&text);
        out.push('\n');
    }
    out
}

/// A front-matter value, double-quoted when YAML would misread it bare.
pub fn yaml_value(v: &str) -> String {
    let special_start =
        v.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c) || c.is_whitespace());
    let needs_quotes = special_start
        || v.contains(": ")
        || v.contains(':')
        || v.contains(" #")
        || v.ends_with(char::is_whitespace)
        || v.contains(['\n', '\\', '"']);
    if !needs_quotes {
        return v.to_string();
    }
    let inner = v
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', " ");
    format!("\"{inner}\"")
}

/// Backslash-escapes what Markdown would read as markup in running text,
/// and a `#`, `>` , `-`, `+` or `1.` that would open a block.
fn escape(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut n = 0;
    for (i, c) in text.char_indices() {
        let inline = matches!(c, '\\' | '*' | '_' | '`' | '<' | '[' | ']');
        let at_start = i == 0 && matches!(c, '#' | '>' | '-' | '+' | '=' | '|');
        if inline || at_start {
            out.push('\\');
            n += 1;
        }
        out.push(c);
    }
    if let Some(dot) = ordered_list_marker(&out) {
        out.insert(dot, '\\');
        n += 1;
    }
    (out, n)
}

/// Byte offset of the `.` or `)` in a leading `12.` / `3)`.
fn ordered_list_marker(s: &str) -> Option<usize> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let after = s.as_bytes().get(digits)?;
    (digits > 0 && digits <= 9 && matches!(after, b'.' | b')')).then_some(digits)
}

/// Why a set of targets may not be written, before anything is.
pub fn check_targets(targets: &[PathBuf], inputs: &[PathBuf], force: bool) -> Result<(), String> {
    let canonical = |p: &Path| p.canonicalize().ok();
    let input_paths: Vec<PathBuf> = inputs.iter().filter_map(|p| canonical(p)).collect();
    let mut existing = Vec::new();
    for t in targets {
        if canonical(t).is_some_and(|c| input_paths.contains(&c)) {
            return Err(format!(
                "{}: is one of the inputs; the importer never overwrites its input",
                t.display()
            ));
        }
        if t.is_dir() {
            return Err(format!("{}: is a folder", t.display()));
        }
        if t.exists() && !force {
            existing.push(t.display().to_string());
        }
    }
    if existing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "would overwrite {} (use --force to replace): {}",
            if existing.len() == 1 {
                "an existing file"
            } else {
                "existing files"
            },
            existing.join(", ")
        ))
    }
}

/// Writes each (path, text); stops at the first error and names the file.
pub fn write_all(out_dir: &Path, files: &[(PathBuf, &str)]) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(out_dir)
        .map_err(|e| format!("{}: cannot create folder: {e}", out_dir.display()))?;
    let mut written = Vec::new();
    for (path, text) in files {
        // Never in place: a full disk must not cut short a file the user
        // edited by hand and now replaces with --force.
        crate::output::write_atomic(path, text.as_bytes()).map_err(|e| {
            let done: Vec<String> = written
                .iter()
                .map(|p: &PathBuf| p.display().to_string())
                .collect();
            format!(
                "{}: cannot write: {e} (written before this: {})",
                path.display(),
                if done.is_empty() {
                    "none".to_string()
                } else {
                    done.join(", ")
                }
            )
        })?;
        written.push(path.clone());
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::frontmatter;

    #[test]
    fn front_matter_round_trips_through_the_build_parser() {
        let meta = Meta {
            title: Some("刘亚然：推动组织工作\u{3000}守正创新".into()),
            author: Some("刘亚然".into()),
            source: Some("《某某研究》2022年第3期".into()),
            date: Some("2022-02-09".into()),
            language: Some("zh-Hant"),
            note: Some("note: with \"quotes\" and \\".into()),
        };
        let mut heading = Block::new(2, "一、总体要求");
        heading.heading = Some(2);
        let blocks = [
            Block::new(1, "为*区谱写新篇章。"),
            heading,
            Block::new(3, "1. 不是列表"),
        ];
        let md = render(&meta, &blocks, &mut Report::default(), "a");
        let (fm, body, _) = frontmatter::split(&md).unwrap();
        assert_eq!(fm.get("title"), meta.title);
        assert_eq!(fm.get("source"), meta.source);
        assert_eq!(fm.get("date").as_deref(), Some("2022-02-09"));
        assert_eq!(fm.get("language").as_deref(), Some("zh-Hant"));
        assert_eq!(fm.get("note"), meta.note);
        assert_eq!(
            body,
            "\n为\\*区谱写新篇章。\n\n## 一、总体要求\n\n1\\. 不是列表\n"
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(yaml_value("黄峰"), "黄峰");
        assert_eq!(yaml_value("a: b"), "\"a: b\"");
        assert_eq!(yaml_value("- x"), "\"- x\"");
        assert_eq!(yaml_value("《书》"), "《书》");
        assert_eq!(file_name(0), "01.md");
        assert_eq!(file_name(99), "100.md");
    }

    #[test]
    fn refuses_to_overwrite() {
        let dir = std::env::temp_dir().join(format!("booklet-writer-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let existing = dir.join("01.md");
        std::fs::write(&existing, "keep").unwrap();
        let targets = [existing.clone(), dir.join("02.md")];
        assert!(check_targets(&targets, &[], false)
            .unwrap_err()
            .contains("01.md"));
        assert!(check_targets(&targets, &[], true).is_ok());
        assert!(check_targets(&targets, std::slice::from_ref(&existing), true).is_err());
        assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
