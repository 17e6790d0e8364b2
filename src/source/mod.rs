//! Sources to the document model: read each article the manifest lists,
//! decode it, split front matter, parse the body, and assemble the Book.

pub mod decode;
pub mod frontmatter;
pub mod markdown;

use std::path::Path;
use std::sync::Arc;

use crate::cache::Cache;

use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Lang;
use crate::manifest::{ArticleEntry, Manifest};
use crate::model::{Article, Block, BlockKind, Book, BookMeta, Inline};

const FRONT_MATTER_KEYS: &[&str] = &[
    "title", "author", "source", "date", "language", "note", "edits", "url",
];

/// Reads every article; problems are collected, not returned one by one.
/// An article whose source and settings are unchanged since a build in this
/// process is reused from `cache` rather than parsed again.
pub fn load_book(manifest: &Manifest, cache: &Cache, diags: &mut Diagnostics) -> Option<Book> {
    let book = load_articles(manifest, cache, diags);
    (!diags.has_errors()).then_some(book)
}

/// The book with every article that loaded, even when others did not, so
/// that later checks (fonts, coverage) still run on what is there.
pub fn load_articles(manifest: &Manifest, cache: &Cache, diags: &mut Diagnostics) -> Book {
    let meta = book_meta(manifest, diags);
    let mut articles = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (index, entry) in manifest.articles.iter().enumerate() {
        let times = seen.entry(manifest.resolve(&entry.source)).or_insert(0);
        *times += 1;
        if *times > 1 {
            let key = entry.source.to_string_lossy();
            let d = Diagnostic::warning(format!(
                "`{key}` is listed more than once; it will appear more than once"
            ));
            diags.push(manifest.nth_at("source", &key, *times - 1, d));
        }
        if let Some(article) = load_article_cached(manifest, entry, index, cache, diags) {
            articles.push(article);
        }
    }
    Book { meta, articles }
}

/// The book's metadata, from the manifest (and `SOURCE_DATE_EPOCH`).
pub fn book_meta(manifest: &Manifest, diags: &mut Diagnostics) -> BookMeta {
    let book = &manifest.book;
    let identifier = book.identifier.clone().unwrap_or_else(|| {
        let seed = format!(
            "booklet:{}:{}",
            book.title,
            book.edition.as_deref().unwrap_or("")
        );
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, seed.as_bytes())
            .urn()
            .to_string()
    });
    let modified = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => match v.trim().parse::<i64>() {
            Ok(secs) => secs,
            Err(_) => {
                diags.push(Diagnostic::warning(format!(
                    "SOURCE_DATE_EPOCH=`{v}` is not a number of seconds; ignored"
                )));
                book.date.as_deref().map_or(0, crate::dates::date_to_epoch)
            }
        },
        Err(_) => book.date.as_deref().map_or(0, crate::dates::date_to_epoch),
    };
    BookMeta {
        title: book.title.trim().to_string(),
        subtitle: book.subtitle.clone(),
        authors: book.authors.clone(),
        editor: book.editor.clone(),
        publisher: book.publisher.clone(),
        lang: manifest.language(),
        date: book.date.clone(),
        edition: book.edition.clone(),
        description: book.description.clone(),
        subjects: book.subjects.clone(),
        identifier,
        modified,
        cover: book.cover.as_ref().map(|c| manifest.resolve(c)),
    }
}

/// A loaded article and the warnings loading it gave.
type Loaded = (Option<Article>, Vec<Diagnostic>);

fn load_article_cached(
    manifest: &Manifest,
    entry: &ArticleEntry,
    index: usize,
    cache: &Cache,
    diags: &mut Diagnostics,
) -> Option<Article> {
    let bytes = read_source(manifest, entry, diags)?;
    let key = Cache::key(
        "article",
        &[
            &bytes,
            entry.source.to_string_lossy().as_bytes(),
            format!(
                "{:?}|{:?}|{}|{index}",
                entry.title,
                entry.language,
                manifest.language()
            )
            .as_bytes(),
        ],
    );
    let loaded: Arc<Loaded> = match cache.memo::<Loaded>(&key) {
        Some(hit) => hit,
        None => {
            let mut own = Diagnostics::default();
            let article = load_article(manifest, entry, index, &bytes, &mut own);
            // Kept with the article, so an unchanged one is not proofread again.
            if let Some(article) = &article {
                crate::proofread::check_article(article, &mut own);
            }
            cache.put_memo(&key, (article, own.into_vec()))
        }
    };
    for d in &loaded.1 {
        diags.push(d.clone());
    }
    let article = loaded.0.clone()?;
    // Images live outside the source: check them on every build.
    check_images(&article, diags);
    Some(article)
}

/// An article's source bytes, read once per build.
fn read_source(
    manifest: &Manifest,
    entry: &ArticleEntry,
    diags: &mut Diagnostics,
) -> Option<Vec<u8>> {
    let key = entry.source.to_string_lossy();
    let path = manifest.resolve(&entry.source);
    if path.is_dir() {
        diags.push(
            manifest
                .error_at(
                    "source",
                    &key,
                    "this article source is a folder, not a file",
                )
                .with_hint(format!("`{key}` must name a .md or .txt file")),
        );
        return None;
    }
    match crate::input::read(&path, crate::input::Kind::Source) {
        Ok(bytes) => Some(bytes),
        Err(reason) => {
            diags.push(manifest.error_at(
                "source",
                &key,
                format!("cannot read article `{key}`: {reason}"),
            ));
            None
        }
    }
}

/// An article from its source's bytes: decoding, front matter, body, title
/// and heading ids. Reads no file (images are checked by the caller).
pub fn load_article(
    manifest: &Manifest,
    entry: &ArticleEntry,
    index: usize,
    bytes: &[u8],
    diags: &mut Diagnostics,
) -> Option<Article> {
    let shown = &entry.source;
    let path = manifest.resolve(&entry.source);
    let decoded = match decode::decode(bytes) {
        Ok(d) => d,
        Err(e) => {
            diags.push(Diagnostic::error(e).in_file(shown));
            return None;
        }
    };
    if let Some(enc) = decoded.encoding {
        diags.push(
            Diagnostic::warning(format!("decoded as {enc}; the file is not UTF-8"))
                .in_file(shown)
                .with_hint("convert it to UTF-8 (booklet import does this)"),
        );
    }
    let text = decoded.text.replace("\r\n", "\n");
    let (fm, body, skipped) = match frontmatter::split(&text) {
        Ok(x) => x,
        Err((line, message)) => {
            diags.push(Diagnostic::error(message).in_file(shown).at_line(line));
            return None;
        }
    };
    for (key, line) in &fm.lines {
        if !FRONT_MATTER_KEYS.contains(&key.as_str()) {
            let mut d = Diagnostic::warning(format!("unknown front-matter key `{key}`; ignored"))
                .in_file(shown)
                .at_line(*line);
            if let Some(s) = crate::diag::suggest(key, FRONT_MATTER_KEYS) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            }
            diags.push(d);
        }
    }
    let lang_tag = entry.language.clone().or_else(|| fm.get("language"));
    let lang = match lang_tag {
        Some(tag) => match Lang::parse(&tag) {
            Ok(l) => l,
            Err(e) => {
                let line = fm.lines.get("language").copied().unwrap_or(1);
                diags.push(
                    Diagnostic::error(e)
                        .in_file(shown)
                        .at_line(line)
                        .with_hint(Lang::hint(&tag)),
                );
                return None;
            }
        },
        None => manifest.language(),
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let is_text = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"));
    let mut blocks;
    let footnotes;
    if is_text {
        blocks = plain_text_blocks(body, skipped + 1);
        footnotes = Vec::new();
    } else {
        let parsed = markdown::parse(body, skipped + 1, base);
        for (label, line) in parsed.undefined_footnotes {
            diags.push(
                Diagnostic::warning(format!("footnote `[^{label}]` is never defined"))
                    .in_file(shown)
                    .at_line(line),
            );
        }
        blocks = parsed.blocks;
        footnotes = parsed.footnotes;
    }
    let mut title = entry.title.clone().or_else(|| fm.get("title"));
    // A leading `# Title` is the title when the front matter has none, and
    // is dropped as a duplicate when it repeats the front-matter title.
    if let Some(Block {
        kind: BlockKind::Heading {
            level: 1, content, ..
        },
        ..
    }) = blocks.first()
    {
        let heading = crate::model::plain_text(content);
        if title.is_none() || title.as_deref() == Some(heading.as_str()) {
            title.get_or_insert(heading);
            blocks.remove(0);
        }
    }
    let title = title.unwrap_or_else(|| {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        diags.push(
            Diagnostic::warning(format!("no title; using the file name `{stem}`"))
                .in_file(shown)
                .with_hint("add `title:` to the front matter or `title =` to the manifest entry"),
        );
        stem
    });
    if blocks.is_empty() {
        diags.push(Diagnostic::warning("the article has no text").in_file(shown));
    }
    normalise_headings(&mut blocks);
    Some(Article {
        id: format!("a{:02}", index + 1),
        source: entry.source.clone(),
        title,
        author: fm.get("author"),
        origin: fm.get("source"),
        date: fm.get("date"),
        note: fm.get("note"),
        lang,
        blocks,
        footnotes,
    })
}

/// Images that are missing or in a format the outputs cannot carry.
fn check_images(article: &Article, diags: &mut Diagnostics) {
    let shown = &article.source;
    for block in all_blocks(&article.blocks) {
        if let BlockKind::Image { path, .. } = &block.kind {
            let problem = match crate::input::read(path, crate::input::Kind::Image) {
                Err(e) if e.is_not_found() => Some("not found".to_string()),
                Err(e) => Some(format!("cannot be read: {e}")),
                Ok(bytes) if crate::image::sniff(&bytes).is_none() => Some(
                    "is not PNG, JPEG or GIF, the formats every reader and printer takes"
                        .to_string(),
                ),
                Ok(_) => None,
            };
            if let Some(problem) = problem {
                diags.push(
                    Diagnostic::error(format!("image `{}` {problem}", path.display()))
                        .in_file(shown)
                        .at_line(block.line),
                );
            }
        }
    }
}

/// Every block, depth first (quotes and list items included).
pub fn all_blocks(blocks: &[Block]) -> Vec<&Block> {
    let mut out = Vec::new();
    let mut stack: Vec<&Block> = blocks.iter().rev().collect();
    while let Some(b) = stack.pop() {
        out.push(b);
        match &b.kind {
            BlockKind::Quote(inner) => stack.extend(inner.iter().rev()),
            BlockKind::List { items, .. } => {
                stack.extend(items.iter().rev().flat_map(|i| i.iter().rev()))
            }
            _ => {}
        }
    }
    out
}

/// The shallowest heading becomes level 1; ids are hierarchical section
/// numbers (`s2-1`) unless the source gave an ASCII id, and unique per article.
fn normalise_headings(blocks: &mut [Block]) {
    let min = blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let mut counters = [0u32; 6];
    let mut seen = std::collections::HashSet::new();
    for block in blocks.iter_mut() {
        if let BlockKind::Heading { level, id, .. } = &mut block.kind {
            *level = *level - min + 1;
            let depth = *level as usize;
            counters[depth - 1] += 1;
            counters[depth..].iter_mut().for_each(|c| *c = 0);
            let numbered = counters[..depth]
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("-");
            let valid_given = !id.is_empty()
                && id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            let mut candidate = if valid_given {
                id.clone()
            } else {
                format!("s{numbered}")
            };
            while !seen.insert(candidate.clone()) {
                candidate.push('x');
            }
            *id = candidate;
        }
    }
}

/// `.txt` sources: one paragraph per blank-line-separated block; line breaks
/// inside a paragraph are joined (without a space between CJK characters).
fn plain_text_blocks(body: &str, first_line: u32) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<(u32, String)> = None;
    for (i, line) in body.lines().enumerate() {
        let line_no = first_line + i as u32;
        let text = line.trim();
        if text.is_empty() {
            if let Some((l, t)) = current.take() {
                blocks.push(paragraph(l, t));
            }
            continue;
        }
        match &mut current {
            None => current = Some((line_no, text.to_string())),
            Some((_, acc)) => {
                let join = match (acc.chars().last(), text.chars().next()) {
                    (Some(a), Some(b)) if crate::cjk::is_wide(a) && crate::cjk::is_wide(b) => "",
                    _ => " ",
                };
                acc.push_str(join);
                acc.push_str(text);
            }
        }
    }
    if let Some((l, t)) = current {
        blocks.push(paragraph(l, t));
    }
    blocks
}

fn paragraph(line: u32, text: String) -> Block {
    Block {
        line,
        kind: BlockKind::Paragraph(vec![Inline::Text(text)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_ids() {
        let md = "## 甲\n\n### 乙\n\n### 丙\n\n## 丁 {#custom}\n";
        let mut blocks = markdown::parse(md, 1, Path::new(".")).blocks;
        normalise_headings(&mut blocks);
        let ids: Vec<(u8, String)> = blocks
            .iter()
            .filter_map(|b| match &b.kind {
                BlockKind::Heading { level, id, .. } => Some((*level, id.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            ids,
            vec![
                (1, "s1".into()),
                (2, "s1-1".into()),
                (2, "s1-2".into()),
                (1, "custom".into())
            ]
        );
    }

    #[test]
    fn text_paragraphs() {
        let blocks = plain_text_blocks("第一段\n续行\n\nSecond\nline\n", 1);
        assert_eq!(blocks.len(), 2);
        assert_eq!(
            blocks[0].kind,
            BlockKind::Paragraph(vec![Inline::Text("第一段续行".into())])
        );
        assert_eq!(blocks[1].line, 4);
    }
}
