//! Links between the book's own articles. Sources link to each other as
//! files (`b.md`, `b.md#x`, or `b.html#x` as mdBook writes them, the
//! fragment being mdBook's id for a heading's text); in the book these
//! become links to the article and heading, written `#<article>` or
//! `#<article>/<heading>` in the model for the back ends to turn into an
//! XHTML href or a PDF destination. A link into the book that leads
//! nowhere is a warning; a link to a file outside the book keeps its text
//! only, as does any link whose scheme is not http, https or mailto.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Article, Block, BlockKind, Inline};

/// The prefix of a resolved link in the model.
pub const INTERNAL: char = '#';

/// Where a resolved link points: `(article id, heading id)`.
pub fn parse_internal(url: &str) -> Option<(&str, Option<&str>)> {
    let rest = url.strip_prefix(INTERNAL)?;
    Some(match rest.split_once('/') {
        Some((a, h)) => (a, Some(h)),
        None => (rest, None),
    })
}

/// Schemes a reader may follow out of the book (one rule for every output).
pub fn is_external(url: &str) -> bool {
    crate::scheme::is_web(url)
}

/// Each article's headings by the ids a link may use: mdBook's id for the
/// heading's text, and the heading's own id.
struct Target {
    id: String,
    /// mdBook's id for the article's title.
    title_id: String,
    headings: HashMap<String, String>,
}

/// Rewrites every link of the book; `root` is the folder article sources
/// are relative to, `book_dir` the book's own top folder (a GitBook's links
/// are often written from there rather than from the linking file).
pub fn resolve(articles: &mut [Article], root: &Path, book_dir: &Path, diags: &mut Diagnostics) {
    let book_dir = normalise(&root.join(book_dir));
    let mut by_path: HashMap<PathBuf, Target> = HashMap::new();
    for article in articles.iter() {
        let mut headings = HashMap::new();
        let mut used: HashMap<String, u32> = HashMap::new();
        // mdBook's chapters open with their title as a heading, which the
        // book prints as the article title: a link to it is a link to the
        // article.
        used.insert(mdbook_id(&article.title), 1);
        let all = super::all_blocks(&article.blocks);
        let nested = all.iter().filter_map(|b| match &b.kind {
            BlockKind::Heading { id, content, .. } if !id.is_empty() => Some((id, content)),
            _ => None,
        });
        for (id, content) in nested {
            let base = mdbook_id(&crate::model::plain_text(content));
            let n = used.entry(base.clone()).or_insert(0);
            let unique = if *n == 0 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            *n += 1;
            headings.insert(unique, id.to_string());
            headings.insert(id.to_string(), id.to_string());
        }
        by_path.insert(
            normalise(&root.join(&article.source)),
            Target {
                id: article.id.clone(),
                title_id: mdbook_id(&article.title),
                headings,
            },
        );
    }
    for article in articles.iter_mut() {
        let here = normalise(&root.join(&article.source));
        let dir = here.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut ctx = Context {
            by_path: &by_path,
            here: &here,
            dir: &dir,
            book_dir: &book_dir,
            file: &article.source,
            diags,
        };
        ctx.blocks(&mut article.blocks);
        for note in &mut article.footnotes {
            ctx.blocks(&mut note.blocks);
        }
    }
}

struct Context<'a> {
    by_path: &'a HashMap<PathBuf, Target>,
    here: &'a Path,
    dir: &'a Path,
    book_dir: &'a Path,
    file: &'a Path,
    diags: &'a mut Diagnostics,
}

impl Context<'_> {
    fn blocks(&mut self, blocks: &mut [Block]) {
        for block in blocks {
            let line = block.line;
            match &mut block.kind {
                BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => {
                    self.inlines(content, line)
                }
                BlockKind::Quote(inner) => self.blocks(inner),
                BlockKind::List { items, .. } => {
                    for item in items {
                        self.blocks(item);
                    }
                }
                BlockKind::Image { caption, .. } => self.inlines(caption, line),
                BlockKind::Table { head, rows, .. } => {
                    for cell in head.iter_mut().chain(rows.iter_mut().flatten()) {
                        self.inlines(cell, line);
                    }
                }
                BlockKind::Code { .. } | BlockKind::Rule => {}
            }
        }
    }

    fn inlines(&mut self, inlines: &mut Vec<Inline>, line: u32) {
        let mut i = 0;
        while i < inlines.len() {
            match &mut inlines[i] {
                Inline::Emphasis(c) | Inline::Strong(c) => self.inlines(c, line),
                Inline::Link { url, content } => {
                    self.inlines(content, line);
                    match self.target(url, line) {
                        Some(resolved) => *url = resolved,
                        None => {
                            // The words stay; the link goes.
                            let words = std::mem::take(content);
                            let n = words.len();
                            inlines.splice(i..=i, words);
                            i += n;
                            continue;
                        }
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// The link as the book has it, or `None` for one to drop.
    fn target(&mut self, url: &str, line: u32) -> Option<String> {
        if is_external(url) {
            return Some(url.to_string());
        }
        if has_scheme(url) {
            return None;
        }
        let (path, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (url, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        let file = if path.is_empty() {
            self.here.to_path_buf()
        } else {
            let decoded = percent_decode(path);
            let chapter = |base: &Path| {
                let mut p = normalise(&base.join(&decoded));
                // mdBook's HTML names for chapters.
                if p.extension().is_some_and(|e| e == "html" || e == "htm") {
                    p.set_extension("md");
                }
                if p.file_name().is_some_and(|n| n == "index.md") && !self.by_path.contains_key(&p)
                {
                    p.set_file_name("README.md");
                }
                p
            };
            let near = chapter(self.dir);
            if self.by_path.contains_key(&near) {
                near
            } else {
                let top = chapter(self.book_dir);
                if self.by_path.contains_key(&top) {
                    top
                } else {
                    near
                }
            }
        };
        let Some(target) = self.by_path.get(&file) else {
            let is_chapter = file
                .extension()
                .is_some_and(|e| e == "md" || e == "markdown");
            if is_chapter {
                self.warn(
                    line,
                    format!(
                        "links to `{url}`, which is not an article of the book; its text is kept"
                    ),
                );
            }
            return None;
        };
        let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
            return Some(format!("{INTERNAL}{}", target.id));
        };
        let fragment = percent_decode(fragment);
        if fragment == target.title_id {
            return Some(format!("{INTERNAL}{}", target.id));
        }
        let heading = target
            .headings
            .get(&fragment)
            .or_else(|| target.headings.get(&mdbook_id(&fragment)));
        match heading {
            Some(h) => Some(format!("{INTERNAL}{}/{h}", target.id)),
            None => {
                self.warn(
                    line,
                    format!("links to `{url}`, but no heading there has the id `{fragment}`; it leads to the article"),
                );
                Some(format!("{INTERNAL}{}", target.id))
            }
        }
    }

    fn warn(&mut self, line: u32, message: String) {
        self.diags.push(
            Diagnostic::warning(message)
                .in_file(self.file)
                .at_line(line),
        );
    }
}

fn has_scheme(url: &str) -> bool {
    let Some((scheme, _)) = url.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        // A Windows drive letter is a path.
        && scheme.len() > 1
}

/// mdBook's heading id: lower case, letters, digits, `_` and `-` kept,
/// white space to `-`, everything else dropped.
pub fn mdbook_id(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c)
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// `a/./b/../c` as `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    super::html_img::percent_decode(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_as_mdbook_makes_them() {
        assert_eq!(mdbook_id("第1章 概述"), "第1章-概述");
        assert_eq!(mdbook_id("什么是“所有权”？"), "什么是所有权");
        assert_eq!(mdbook_id("1.2 安装 Rust"), "12-安装-rust");
        assert_eq!(mdbook_id("《三体》：读后感"), "三体读后感");
    }

    #[test]
    fn schemes() {
        assert!(is_external("https://a.b/c"));
        assert!(is_external("mailto:a@b.c"));
        assert!(!is_external("javascript:alert(1)"));
        assert!(has_scheme("javascript:alert(1)"));
        assert!(has_scheme("file:///etc/passwd"));
        assert!(!has_scheme("ch01.md#a:b"));
        assert!(!has_scheme("c:/x.md"));
    }

    #[test]
    fn paths() {
        assert_eq!(
            normalise(Path::new("a/./b/../c.md")),
            PathBuf::from("a/c.md")
        );
        assert_eq!(parse_internal("#a01/s1"), Some(("a01", Some("s1"))));
        assert_eq!(parse_internal("#a01"), Some(("a01", None)));
        assert_eq!(parse_internal("https://x"), None);
    }
}
