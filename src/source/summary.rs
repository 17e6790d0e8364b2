//! An mdBook `SUMMARY.md`: the book's chapters, in order, with their
//! titles, nesting and parts. Read as CommonMark, as mdBook reads it: a
//! leading `# Title`, prefix chapters (bare links), parts (`# 第一部分`)
//! holding lists of links (nested lists are sub-chapters), suffix
//! chapters. Draft chapters (`[x]()`) have no file and are left out;
//! separators are skipped. A part's chapters sit one level under it; a part
//! title may be a heading of any level, as GitBook and HonKit have them
//! (`## 入门指南`), where mdBook's own HTML would drop all but `#`.

use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::diag::{Diagnostic, Diagnostics};
use crate::manifest::ArticleEntry;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    pub title: String,
    /// As written, relative to the SUMMARY's folder (`%20` decoded).
    pub path: String,
    /// 1 for a top-level chapter, 2 for its sub-chapters, … (a part's
    /// chapters from 2: the part is 1).
    pub depth: u8,
    /// The part this chapter opens, if it is the first of one.
    pub part: Option<String>,
    /// 1-based line of the SUMMARY, for messages.
    pub line: u32,
}

/// The manifest's article entries for the chapters of the SUMMARY at
/// `summary` (relative to the manifest's folder `root`).
pub fn entries(root: &Path, summary: &Path) -> Result<Vec<ArticleEntry>, Diagnostics> {
    let full = root.join(summary);
    let text = std::fs::read_to_string(&full).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error(format!(
                "cannot read the summary `{}`: {e}",
                summary.display()
            ))
            .with_hint("`[book] summary` names an mdBook SUMMARY.md, relative to the manifest"),
        )
    })?;
    let dir = summary.parent().unwrap_or(Path::new(""));
    let mut problems = Diagnostics::default();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for chapter in parse(&text) {
        let source = dir.join(&chapter.path);
        let at = |message: String| {
            Diagnostic::error(message)
                .in_file(summary)
                .at_line(chapter.line)
        };
        if !seen.insert(source.clone()) {
            problems.push(at(format!("`{}` is listed twice", chapter.path)));
            continue;
        }
        if !root.join(&source).is_file() {
            problems.push(at(format!("chapter `{}` not found", chapter.path)));
            continue;
        }
        out.push(ArticleEntry {
            source,
            title: Some(chapter.title).filter(|t| !t.is_empty()),
            language: None,
            depth: chapter.depth,
            part: chapter.part,
        });
    }
    if out.is_empty() && !problems.has_errors() {
        problems.push(Diagnostic::error("the summary lists no chapters").in_file(summary));
    }
    if problems.has_errors() {
        return Err(problems);
    }
    Ok(out)
}

pub fn parse(text: &str) -> Vec<Chapter> {
    let line_of = |offset: usize| text[..offset].matches('\n').count() as u32 + 1;
    let mut chapters = Vec::new();
    let mut depth = 0u8;
    let mut pending_part: Option<String> = None;
    // Chapters after a part title, up to a suffix chapter, are the part's.
    let mut in_part = false;
    let mut seen_block = false;
    // Inside a heading: its text so far.
    let mut heading: Option<String> = None;
    // Inside a link: destination, text so far, line.
    let mut link: Option<(String, String, u32)> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(title) = heading.take() {
                    // The first block's heading is the summary's own title;
                    // a part with no text has no title to show.
                    let title = title.trim().to_string();
                    if seen_block && !title.is_empty() {
                        pending_part = Some(title);
                        in_part = true;
                    }
                }
                seen_block = true;
            }
            Event::Start(Tag::List(_)) => depth = depth.saturating_add(1),
            Event::End(TagEnd::List(_)) => {
                depth = depth.saturating_sub(1);
                seen_block = true;
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((dest_url.into_string(), String::new(), line_of(range.start)))
            }
            Event::End(TagEnd::Link) => {
                if let Some((dest, title, line)) = link.take() {
                    // A bare link after a part is a suffix chapter.
                    if depth == 0 && pending_part.is_none() {
                        in_part = false;
                    }
                    if !dest.trim().is_empty() {
                        chapters.push(Chapter {
                            title: title.trim().to_string(),
                            path: super::html_img::percent_decode(dest.trim()),
                            depth: depth.max(1).saturating_add(u8::from(in_part)),
                            part: pending_part.take(),
                            line,
                        });
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, title, _)) = &mut link {
                    title.push_str(&t);
                } else if let Some(title) = &mut heading {
                    title.push_str(&t);
                }
            }
            Event::SoftBreak => {
                if let Some((_, title, _)) = &mut link {
                    title.push(' ');
                }
            }
            Event::End(TagEnd::Paragraph) | Event::Rule => seen_block = true,
            _ => {}
        }
    }
    chapters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_parts_and_nesting() {
        let text = "# Summary\n\n[前言](preface.md)\n\n# 第一部分\n\n- [第一章](ch1.md)\n  - [1.1 小节](ch1/s1.md)\n  - [待写]()\n- [第二章 `code`](ch2%20x.md)\n\n---\n\n# 第二部分\n\n* [第三章](ch3.md)\n\n[附录](appendix.md)\n";
        let got = parse(text);
        let summary: Vec<(&str, &str, u8, Option<&str>)> = got
            .iter()
            .map(|c| {
                (
                    c.title.as_str(),
                    c.path.as_str(),
                    c.depth,
                    c.part.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("前言", "preface.md", 1, None),
                ("第一章", "ch1.md", 2, Some("第一部分")),
                ("1.1 小节", "ch1/s1.md", 3, None),
                ("第二章 code", "ch2 x.md", 2, None),
                ("第三章", "ch3.md", 2, Some("第二部分")),
                ("附录", "appendix.md", 1, None),
            ]
        );
        assert_eq!(got[2].line, 8);
    }

    #[test]
    fn parts_at_any_heading_level_hold_their_lists_only() {
        // As the Chinese Rust book writes its summary: `##` parts whose
        // first chapter bears the part's name.
        let text = "# 书名\n\n[前言](foreword.md)\n\n## 入门指南\n\n- [入门指南](ch01.md)\n  - [安装](ch01-01.md)\n\n##   \n\n- [无名](x.md)\n\n[附录](app.md)\n";
        let got: Vec<(u8, Option<String>)> =
            parse(text).into_iter().map(|c| (c.depth, c.part)).collect();
        assert_eq!(
            got,
            vec![
                (1, None),
                (2, Some("入门指南".to_string())),
                (3, None),
                // An empty heading opens no part: the list stays in the one before.
                (2, None),
                (1, None),
            ]
        );
    }
}
