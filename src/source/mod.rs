//! Sources to the document model: read each article the manifest lists,
//! decode it, split front matter, parse the body, and assemble the Book.

pub mod decode;
pub mod directives;
pub mod frontmatter;
pub mod highlight;
pub mod html_img;
pub mod links;
pub mod markdown;
pub mod summary;

use std::path::Path;
use std::sync::Arc;

use crate::cache::Cache;

use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Lang;
use crate::manifest::{ArticleEntry, Manifest};
use crate::model::{Article, Block, BlockKind, Book, BookMeta, Footnote, Inline};

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
    let mut seen = std::collections::HashMap::new();
    for entry in &manifest.articles {
        let times = seen.entry(manifest.resolve(&entry.source)).or_insert(0);
        *times += 1;
        if *times > 1 {
            let key = entry.source.to_string_lossy();
            let d = Diagnostic::warning(format!(
                "`{key}` is listed more than once; it will appear more than once"
            ));
            diags.push(manifest.nth_at("source", &key, *times - 1, d));
        }
    }
    // Articles are read, parsed and proofread side by side; their messages
    // come in the manifest's order whichever finished first.
    let loaded = crate::par::in_parallel(&manifest.articles, |index, entry| {
        let mut own = Diagnostics::default();
        let article = load_article_cached(manifest, entry, index, cache, &mut own);
        (article, own)
    });
    let mut articles = Vec::new();
    for ((article, own), entry) in loaded.into_iter().zip(&manifest.articles) {
        diags.extend(own);
        if let Some(title) = &entry.part {
            articles.push(part_title(manifest, &meta, title));
        }
        articles.extend(article);
    }
    if manifest.articles.iter().any(|e| e.part.is_some()) {
        // Ids follow the book's order, parts included.
        for (i, article) in articles.iter_mut().enumerate() {
            article.id = format!("a{:02}", i + 1);
        }
    }
    let book_dir = manifest
        .book
        .summary
        .as_deref()
        .and_then(Path::parent)
        .unwrap_or(Path::new(""));
    links::resolve(&mut articles, &manifest.root, book_dir, diags);
    Book { meta, articles }
}

/// The divider an mdBook summary's part title becomes: an article of the
/// summary's own, with its title and no text.
fn part_title(manifest: &Manifest, meta: &BookMeta, title: &str) -> Article {
    Article {
        id: String::new(),
        source: manifest.book.summary.clone().unwrap_or_default(),
        title: title.to_string(),
        author: None,
        origin: None,
        date: None,
        note: None,
        lang: meta.lang.clone(),
        blocks: Vec::new(),
        footnotes: Vec::new(),
        depth: 1,
        part: true,
    }
}

/// The book's metadata, from the manifest (and `SOURCE_DATE_EPOCH`).
pub fn book_meta(manifest: &Manifest, diags: &mut Diagnostics) -> BookMeta {
    let book = &manifest.book;
    let mut clean = |key: &str, value: &str| xml_field(manifest, key, value, diags);
    let title = clean("title", book.title.trim());
    let subtitle = book.subtitle.as_deref().map(|s| clean("subtitle", s));
    let authors = book.authors.iter().map(|a| clean("authors", a)).collect();
    let editor = book.editor.as_deref().map(|s| clean("editor", s));
    let publisher = book.publisher.as_deref().map(|s| clean("publisher", s));
    let edition = book.edition.as_deref().map(|s| clean("edition", s));
    let description = book.description.as_deref().map(|s| clean("description", s));
    let subjects = book.subjects.iter().map(|s| clean("subjects", s)).collect();
    let given_identifier = book.identifier.as_deref().map(|s| clean("identifier", s));
    if title.trim().is_empty() {
        diags.push(manifest.error_at(
            "title",
            "",
            "`book.title` has no printable text once control characters are removed",
        ));
    }
    let identifier = given_identifier
        .filter(|i| !i.trim().is_empty())
        .unwrap_or_else(|| {
            let seed = format!(
                "booklet:{}:{}",
                book.title,
                book.edition.as_deref().unwrap_or("")
            );
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, seed.as_bytes())
                .urn()
                .to_string()
        });
    let from_date = book.date.as_deref().map_or(0, crate::dates::date_to_epoch);
    let modified = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => match crate::dates::parse_epoch(&v) {
            Ok(secs) => secs.unwrap_or(from_date),
            Err(e) => {
                diags.push(Diagnostic::error(e).with_hint(
                    "set SOURCE_DATE_EPOCH to the output of `date +%s`, or unset it to use `book.date`",
                ));
                from_date
            }
        },
        Err(std::env::VarError::NotPresent) => from_date,
        Err(std::env::VarError::NotUnicode(_)) => {
            diags.push(Diagnostic::error(
                "SOURCE_DATE_EPOCH is not a whole number of seconds since 1970",
            ));
            from_date
        }
    };
    BookMeta {
        title,
        subtitle,
        authors,
        editor,
        publisher,
        lang: manifest.language(),
        date: book.date.clone(),
        edition,
        description,
        subjects,
        identifier,
        modified,
        cover: book.cover.as_ref().map(|c| manifest.resolve(c)),
    }
}

/// A manifest string with the characters XML cannot hold removed, and a
/// warning at its line when there were any.
fn xml_field(manifest: &Manifest, key: &str, value: &str, diags: &mut Diagnostics) -> String {
    let cleaned = crate::xmltext::clean(value);
    if let Some(c) = value.chars().find(|&c| !crate::xmltext::allowed(c)) {
        diags.push(manifest.warning_at(
            key,
            "",
            format!(
                "removed {} from `{key}`: the EPUB cannot hold it",
                crate::xmltext::describe(c)
            ),
        ));
    }
    cleaned.into_owned()
}

/// The text of a source without the characters XML cannot hold (form feeds
/// from old text files, stray control bytes), with a warning per line that
/// had any, so that both outputs print the same text.
fn remove_forbidden(text: String, shown: &Path, diags: &mut Diagnostics) -> String {
    if text.chars().all(crate::xmltext::allowed) {
        return text;
    }
    const SHOWN_LINES: usize = 5;
    let mut lines = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if let Some(c) = line.chars().find(|&c| !crate::xmltext::allowed(c)) {
            lines.push((i as u32 + 1, c));
        }
    }
    for (line, c) in lines.iter().take(SHOWN_LINES) {
        diags.push(
            Diagnostic::warning(format!(
                "removed {}: the EPUB cannot hold it",
                crate::xmltext::describe(*c)
            ))
            .in_file(shown)
            .at_line(*line),
        );
    }
    if lines.len() > SHOWN_LINES {
        diags.push(
            Diagnostic::warning(format!(
                "removed such characters from {} more lines",
                lines.len() - SHOWN_LINES
            ))
            .in_file(shown),
        );
    }
    crate::xmltext::clean(&text).into_owned()
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
    // What a directive includes may change while the article does not.
    let includes = bytes.windows(2).any(|w| w == b"{{");
    let key = Cache::key(
        "article",
        &[
            &bytes,
            entry.source.to_string_lossy().as_bytes(),
            format!(
                "{:?}|{:?}|{}|{index}|{}",
                entry.title,
                entry.language,
                manifest.language(),
                entry.depth
            )
            .as_bytes(),
        ],
    );
    let kept = cache.memo::<Loaded>(&key).filter(|_| !includes);
    let loaded: Arc<Loaded> = match kept {
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
    // Pictures live outside the source: crate::image checks them on every
    // build.
    loaded.0.clone()
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
    crate::crash::test_point("source");
    let shown = &entry.source;
    let key = shown.to_string_lossy();
    let path = manifest.resolve(&entry.source);
    let decoded = match decode::decode(bytes) {
        Ok(d) => d,
        Err(e) => {
            let mut d = Diagnostic::error(e.message).in_file(shown);
            if let Some(line) = e.line {
                d = d.at_line(line);
            }
            if let Some(hint) = e.hint {
                d = d.with_hint(hint);
            }
            diags.push(d);
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
    let text = remove_forbidden(decoded.text.replace("\r\n", "\n"), shown, diags);
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
    let mut included_title = None;
    if is_text {
        blocks = plain_text_blocks(body, skipped + 1);
        footnotes = Vec::new();
    } else {
        let parsed = if directives::present(body) {
            let expanded = directives::expand(body, skipped + 1, base, shown, diags);
            included_title = expanded.title;
            markdown::parse_mapped(&expanded.text, skipped + 1, Some(&expanded.lines), base)
        } else {
            markdown::parse(body, skipped + 1, base)
        };
        for (label, line) in parsed.undefined_footnotes {
            diags.push(
                Diagnostic::warning(format!("footnote `[^{label}]` is never defined"))
                    .in_file(shown)
                    .at_line(line),
            );
        }
        for (line, message) in parsed.warnings {
            diags.push(Diagnostic::warning(message).in_file(shown).at_line(line));
        }
        blocks = parsed.blocks;
        footnotes = parsed.footnotes;
    }
    // A blank title (or one blank once control characters are gone) is no
    // title: the EPUB's contents and nav need text to link.
    let given = entry.title.as_deref().map(|t| {
        let clean = crate::xmltext::clean(t);
        if let Some(c) = t.chars().find(|&c| !crate::xmltext::allowed(c)) {
            diags.push(manifest.warning_at(
                "source",
                &key,
                format!(
                    "removed {} from the title of `{key}`: the EPUB cannot hold it",
                    crate::xmltext::describe(c)
                ),
            ));
        }
        clean.trim().to_string()
    });
    if given.as_deref() == Some("") {
        diags.push(manifest.warning_at(
            "source",
            &key,
            format!("the title given for `{key}` is empty; ignored"),
        ));
    }
    let mut title = given
        .filter(|t| !t.is_empty())
        .or_else(|| {
            fm.get("title")
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
        })
        .or(included_title);
    // A leading heading (at any level: many chapters open with `##`) is
    // the title when the front matter has none, and is dropped as a
    // duplicate when it repeats the front-matter title.
    if let Some(Block {
        kind: BlockKind::Heading { content, .. },
        ..
    }) = blocks.first()
    {
        let heading = crate::model::plain_text(content);
        if title.is_none() || title.as_deref() == Some(heading.as_str()) {
            title.get_or_insert(heading);
            blocks.remove(0);
        }
    }
    // Else the first heading anywhere names the article (and stays).
    if title.is_none() {
        title = blocks.iter().find_map(|b| match &b.kind {
            BlockKind::Heading { content, .. } => Some(crate::model::plain_text(content)),
            _ => None,
        });
    }
    let title = title.unwrap_or_else(|| {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("第 {} 篇", index + 1));
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
    let date = fm.get("date");
    if let (Some(d), Some(line)) = (&date, fm.lines.get("date")) {
        if let Err(e) = check_front_matter_date(d) {
            diags.push(Diagnostic::error(e).in_file(shown).at_line(*line));
            return None;
        }
    }
    let mut footnotes = footnotes;
    normalise_headings(&mut blocks, &mut footnotes);
    hide_rust_setup_lines(&mut blocks);
    highlight::blocks(&mut blocks);
    Some(Article {
        id: format!("a{:02}", index + 1),
        source: entry.source.clone(),
        title,
        author: fm.get("author"),
        origin: fm.get("source"),
        date,
        note: fm.get("note"),
        lang,
        blocks,
        footnotes,
        depth: entry.depth.max(1),
        part: false,
    })
}

/// A front-matter date is free text (`2022年春`), but one written as a
/// calendar date (`2022-02-09`, `2022/2/9`, `2022年2月9日`) must be a day the
/// calendar has.
fn check_front_matter_date(value: &str) -> Result<(), String> {
    let v = value.trim().trim_end_matches('日');
    let parts: Vec<&str> = v.split(['-', '/', '.', '年', '月']).collect();
    let numeric = parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if !numeric {
        return Ok(());
    }
    let fits = parts[0].len() <= 4 && parts[1].len() <= 2 && parts[2].len() <= 2;
    let iso = format!("{:0>4}-{:0>2}-{:0>2}", parts[0], parts[1], parts[2]);
    let checked = if fits {
        crate::dates::check_date(&iso)
    } else {
        Err(format!(
            "`{value}` is not a date from 0001-01-01 to 9999-12-31"
        ))
    };
    checked.map_err(|e| format!("front-matter `date`: {e}"))
}

/// Rust code shows without mdBook's hidden `# ` lines.
fn hide_rust_setup_lines(blocks: &mut [Block]) {
    for block in blocks {
        match &mut block.kind {
            BlockKind::Code { lang, text, .. } if directives::is_rust(lang.as_deref()) => {
                *text = directives::drop_hidden_rust_lines(text);
            }
            BlockKind::Quote(inner) => hide_rust_setup_lines(inner),
            BlockKind::List { items, .. } => {
                for item in items {
                    hide_rust_setup_lines(item);
                }
            }
            _ => {}
        }
    }
}

/// Every block, depth first (quotes, list items and pictures in table
/// cells included).
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
            BlockKind::Table { pictures, .. } => {
                stack.extend(pictures.iter().rev().map(|p| &p.picture))
            }
            _ => {}
        }
    }
    out
}

/// The shallowest heading of the article's own blocks becomes level 1.
/// Every heading gets an id, unique in its document whatever the nesting:
/// the source's own when it is a valid XML id and not one the footnotes use
/// (`fn…`), else hierarchical section numbers (`s2-1`) for the article's
/// sections and `h1`, `h2`, … for headings inside quotes, lists and
/// footnotes.
fn normalise_headings(blocks: &mut [Block], footnotes: &mut [Footnote]) {
    let min = blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let mut ids = HeadingIds::default();
    let mut counters = [0u32; 6];
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
            *id = ids.assign(id, format!("s{numbered}"));
        } else {
            ids.nested(std::slice::from_mut(block), min);
        }
    }
    for note in footnotes {
        ids.nested(&mut note.blocks, min);
    }
}

#[derive(Default)]
struct HeadingIds {
    seen: std::collections::HashSet<String>,
    nested: u32,
}

impl HeadingIds {
    fn assign(&mut self, given: &str, generated: String) -> String {
        let valid = given
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && given
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let footnote_like = given
            .strip_prefix("fnref")
            .or_else(|| given.strip_prefix("fn"))
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
        let mut candidate = if valid && !footnote_like {
            given.to_string()
        } else {
            generated
        };
        while !self.seen.insert(candidate.clone()) {
            candidate.push('x');
        }
        candidate
    }

    /// Headings inside quotes and lists (any depth): not sections, but
    /// still given ids and levels the outputs can use.
    fn nested(&mut self, blocks: &mut [Block], min: u8) {
        for block in blocks {
            match &mut block.kind {
                BlockKind::Heading { level, id, .. } => {
                    *level = level.saturating_sub(min) + 1;
                    self.nested += 1;
                    let generated = format!("h{}", self.nested);
                    *id = self.assign(id, generated);
                }
                BlockKind::Quote(inner) => self.nested(inner, min),
                BlockKind::List { items, .. } => {
                    for item in items {
                        self.nested(item, min);
                    }
                }
                _ => {}
            }
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
        normalise_headings(&mut blocks, &mut []);
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
