//! The document model every back end reads: Book → Article → Block → Inline.
//!
//! Sources are parsed into this once; the EPUB writer and the PDF typesetter
//! never see Markdown. The model is serialisable (as mdBook's is) so that a
//! cache or an external renderer can take it as JSON.

use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::PathBuf;

use crate::lang::Lang;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Book {
    pub meta: BookMeta,
    pub articles: Vec<Article>,
}

/// Book-level metadata, resolved from the manifest (defaults applied).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BookMeta {
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub editor: Option<String>,
    pub publisher: Option<String>,
    pub lang: Lang,
    /// Publication date, YYYY-MM-DD.
    pub date: Option<String>,
    pub edition: Option<String>,
    pub description: Option<String>,
    pub subjects: Vec<String>,
    /// `urn:uuid:…` or whatever the manifest gave.
    pub identifier: String,
    /// Timestamp stamped into the outputs (never the clock): SOURCE_DATE_EPOCH,
    /// else the manifest date, else the Unix epoch. Seconds since the epoch.
    pub modified: i64,
    pub cover: Option<PathBuf>,
}

impl BookMeta {
    /// Every metadata string a title page prints, for subsetting and
    /// coverage checks.
    pub fn printed_texts(&self) -> impl Iterator<Item = &String> {
        [
            &self.subtitle,
            &self.editor,
            &self.publisher,
            &self.edition,
            &self.date,
        ]
        .into_iter()
        .flatten()
        .chain([&self.title])
        .chain(&self.authors)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Article {
    /// Stable ASCII id from the article's position: `a01`, `a02`, …
    pub id: String,
    /// The source file, as the manifest names it (relative to the manifest).
    pub source: PathBuf,
    pub title: String,
    pub author: Option<String>,
    /// Where the article was published (front matter `source`).
    pub origin: Option<String>,
    pub date: Option<String>,
    pub note: Option<String>,
    pub lang: Lang,
    pub blocks: Vec<Block>,
    pub footnotes: Vec<Footnote>,
    /// 1 for a chapter, 2 for a sub-chapter of the one before, … (from an
    /// mdBook summary; 1 otherwise).
    #[serde(default)]
    pub depth: u8,
    /// A part's title (an mdBook summary's `# 第一部分`), with no text of
    /// its own: a divider page before its chapters, which follow one level
    /// deeper.
    #[serde(default)]
    pub part: bool,
}

impl Article {
    /// The "author / source / date" line under the article title.
    pub fn byline(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.author, &self.origin, &self.date]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        (!parts.is_empty()).then(|| parts.join("　"))
    }

    /// Headings in document order, for tables of contents and outlines.
    pub fn headings(&self) -> impl Iterator<Item = (u8, &str, &[Inline])> {
        self.blocks.iter().filter_map(|b| match &b.kind {
            BlockKind::Heading { level, id, content } => Some((*level, id.as_str(), &content[..])),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Block {
    /// 1-based line in the source file, for diagnostics.
    pub line: u32,
    pub kind: BlockKind,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum BlockKind {
    /// Level 1 is a section of the article (the article title itself is not a
    /// block): Markdown `##` and `#` inside an article both map here.
    Heading {
        level: u8,
        id: String,
        content: Vec<Inline>,
    },
    Paragraph(Vec<Inline>),
    Quote(Vec<Block>),
    List {
        /// First number of an ordered list; `None` for bullets.
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    Code {
        lang: Option<String>,
        text: String,
        /// Its highlighted tokens (see [`crate::source::highlight`]), in order.
        #[serde(default)]
        tokens: Vec<Token>,
    },
    Rule,
    Image {
        /// Resolved against the source file's folder; a remote picture's
        /// `http(s)://` address as written.
        path: PathBuf,
        alt: String,
        caption: Vec<Inline>,
        /// Width asked for by HTML `<img width>`, in CSS pixels.
        width: Option<u32>,
    },
    Table {
        align: Vec<Align>,
        head: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
        /// The pictures in its cells, in source order; a cell shows its
        /// pictures above its text.
        #[serde(default)]
        pictures: Vec<CellPicture>,
    },
}

/// A picture in a table cell. It is a [`BlockKind::Image`] of its own, so
/// that whatever finds, loads or checks pictures finds it with the others.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CellPicture {
    /// 0 for the header row, `n` for the body's `rows[n - 1]`.
    pub row: usize,
    pub column: usize,
    /// An [`BlockKind::Image`] without caption.
    pub picture: Block,
}

impl BlockKind {
    /// A table's pictures in the cell at `row` (0 the header) and `column`.
    pub fn cell_pictures(
        pictures: &[CellPicture],
        row: usize,
        column: usize,
    ) -> impl Iterator<Item = &Block> {
        pictures
            .iter()
            .filter(move |p| p.row == row && p.column == column)
            .map(|p| &p.picture)
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Footnote {
    /// 1-based number, in order of first reference.
    pub number: u32,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Inline {
    Text(String),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Code(String),
    Link { url: String, content: Vec<Inline> },
    FootnoteRef(u32),
    LineBreak,
}

/// The plain text of a run of inlines (footnote marks and breaks dropped).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain(inlines, &mut out);
    out
}

fn push_plain(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Emphasis(c) | Inline::Strong(c) | Inline::Link { content: c, .. } => {
                push_plain(c, out)
            }
            Inline::FootnoteRef(_) | Inline::LineBreak => {}
        }
    }
}

/// Calls `f(text, bold, line)` for every piece of text an article prints:
/// title, byline, headings, body, footnotes and note. Font subsetting and
/// coverage checks walk the book through this one function.
pub fn visit_text(article: &Article, f: &mut dyn FnMut(&str, bool, u32)) {
    f(&article.title, true, 1);
    if let Some(byline) = article.byline() {
        f(&byline, false, 1);
    }
    if let Some(note) = &article.note {
        f(note, false, 1);
    }
    visit_blocks(&article.blocks, f);
    for note in &article.footnotes {
        f(&note.number.to_string(), false, 1);
        visit_blocks(&note.blocks, f);
    }
}

fn visit_blocks(blocks: &[Block], f: &mut dyn FnMut(&str, bool, u32)) {
    for block in blocks {
        let line = block.line;
        match &block.kind {
            BlockKind::Heading { content, .. } => visit_inlines(content, true, line, f),
            BlockKind::Paragraph(content) => visit_inlines(content, false, line, f),
            BlockKind::Quote(inner) => visit_blocks(inner, f),
            BlockKind::List { start, items } => {
                if let Some(first) = start {
                    let last = first.saturating_add(items.len() as u64);
                    f(&format!("0123456789.{first}{last}"), false, line);
                } else {
                    f("•", false, line);
                }
                for item in items {
                    visit_blocks(item, f);
                }
            }
            BlockKind::Code { text, .. } => f(text, false, line),
            BlockKind::Rule => {}
            BlockKind::Image { caption, .. } => visit_inlines(caption, false, line, f),
            BlockKind::Table { head, rows, .. } => {
                for cell in head {
                    visit_inlines(cell, true, line, f);
                }
                for cell in rows.iter().flatten() {
                    visit_inlines(cell, false, line, f);
                }
            }
        }
    }
}

fn visit_inlines(inlines: &[Inline], bold: bool, line: u32, f: &mut dyn FnMut(&str, bool, u32)) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => f(t, bold, line),
            Inline::Emphasis(c) | Inline::Link { content: c, .. } => {
                visit_inlines(c, bold, line, f)
            }
            Inline::Strong(c) => visit_inlines(c, true, line, f),
            Inline::FootnoteRef(n) => f(&n.to_string(), bold, line),
            Inline::LineBreak => {}
        }
    }
}

/// Code's tab stops, in columns (an ideograph takes two).
pub const TAB_STOP: usize = 4;

/// The lines of a code block as both outputs print them: tabs expanded to
/// the next stop of [`TAB_STOP`] columns, blank lines at the end dropped.
pub fn code_lines(text: &str) -> Vec<String> {
    toned_code_lines(text, &[])
        .into_iter()
        .map(|l| l.text)
        .collect()
}

/// One printed line of a code block, and its tokens' tones.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeLine {
    pub text: String,
    /// Byte ranges of `text`, in order.
    pub tones: Vec<(Range<usize>, Tone)>,
}

/// [`code_lines`], each with the tones of the `tokens` on it (which never
/// cross a line break).
pub fn toned_code_lines(text: &str, tokens: &[Token]) -> Vec<CodeLine> {
    let mut lines = Vec::new();
    let mut tokens = tokens.iter().peekable();
    let mut offset = 0;
    // Where each byte of the source line went in the printed one.
    let mut moved: Vec<usize> = Vec::new();
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut out = String::with_capacity(line.len() + 8);
        moved.clear();
        moved.resize(line.len() + 1, 0);
        let mut column = 0;
        for (i, c) in line.char_indices() {
            moved[i] = out.len();
            if c == '\t' {
                let next = (column / TAB_STOP + 1) * TAB_STOP;
                out.extend(std::iter::repeat_n(' ', next - column));
                column = next;
            } else {
                out.push(c);
                column += code_columns(c);
            }
        }
        moved[line.len()] = out.len();
        let mut tones = Vec::new();
        while let Some(t) = tokens.next_if(|t| (t.start as usize) < offset) {
            let (from, to) = (t.start as usize, t.end as usize);
            if from >= start && to <= start + line.len() && from < to {
                tones.push((moved[from - start]..moved[to - start], t.tone));
            }
        }
        lines.push(CodeLine { text: out, tones });
    }
    while lines.last().is_some_and(|l| l.text.trim().is_empty()) {
        lines.pop();
    }
    lines
}

/// The columns a character takes in code: two for ideographs, kana,
/// hangul and full-width marks, none for marks that combine, else one.
pub fn code_columns(c: char) -> usize {
    if crate::cjk::is_wide(c) {
        2
    } else if c.is_control()
        || matches!(c as u32, 0x300..=0x36F | 0x200B..=0x200F | 0xFE00..=0xFE0F)
    {
        0
    } else {
        1
    }
}

/// Calls `f` with the text of every block quote of an article (footnotes'
/// too) set in regular weight: what the quote face must hold.
pub fn visit_quotes(article: &Article, f: &mut dyn FnMut(&str)) {
    fn blocks(list: &[Block], f: &mut dyn FnMut(&str)) {
        for block in list {
            match &block.kind {
                BlockKind::Quote(inner) => visit_blocks(inner, &mut |t, bold, _| {
                    if !bold {
                        f(t)
                    }
                }),
                BlockKind::List { items, .. } => items.iter().for_each(|i| blocks(i, f)),
                _ => {}
            }
        }
    }
    blocks(&article.blocks, f);
    for note in &article.footnotes {
        blocks(&note.blocks, f);
    }
}

/// Calls `f` with every piece of code an article prints (blocks and
/// inline code, footnotes too): what the monospace face must hold.
pub fn visit_code(article: &Article, f: &mut dyn FnMut(&str)) {
    fn blocks(list: &[Block], f: &mut dyn FnMut(&str)) {
        for block in list {
            match &block.kind {
                BlockKind::Code { text, .. } => f(text),
                BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => {
                    inlines(content, f)
                }
                BlockKind::Quote(inner) => blocks(inner, f),
                BlockKind::List { items, .. } => items.iter().for_each(|i| blocks(i, f)),
                BlockKind::Image { caption, .. } => inlines(caption, f),
                BlockKind::Table { head, rows, .. } => head
                    .iter()
                    .chain(rows.iter().flatten())
                    .for_each(|cell| inlines(cell, f)),
                BlockKind::Rule => {}
            }
        }
    }
    fn inlines(list: &[Inline], f: &mut dyn FnMut(&str)) {
        for inline in list {
            match inline {
                Inline::Code(t) => f(t),
                Inline::Emphasis(c) | Inline::Strong(c) | Inline::Link { content: c, .. } => {
                    inlines(c, f)
                }
                Inline::Text(_) | Inline::FootnoteRef(_) | Inline::LineBreak => {}
            }
        }
    }
    blocks(&article.blocks, f);
    for note in &article.footnotes {
        blocks(&note.blocks, f);
    }
}

/// What a token is, as far as its look goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tone {
    Keyword,
    Type,
    /// Functions and macros.
    Name,
    String,
    Number,
    Comment,
    /// Attributes, annotations, preprocessor lines.
    Meta,
}

impl Tone {
    pub const ALL: [Tone; 7] = [
        Tone::Keyword,
        Tone::Type,
        Tone::Name,
        Tone::String,
        Tone::Number,
        Tone::Comment,
        Tone::Meta,
    ];

    /// Its class in the EPUB's markup.
    pub fn class(self) -> &'static str {
        match self {
            Tone::Keyword => "tk-k",
            Tone::Type => "tk-t",
            Tone::Name => "tk-n",
            Tone::String => "tk-s",
            Tone::Number => "tk-d",
            Tone::Comment => "tk-c",
            Tone::Meta => "tk-m",
        }
    }
}

/// A token of a code block: a byte range of its text, and its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    pub start: u32,
    pub end: u32,
    pub tone: Tone,
}

impl Token {
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[cfg(test)]
mod code_tests {
    use super::*;

    #[test]
    fn tones_follow_their_text_through_tab_expansion() {
        let text = "a\t\"中\"\tb\r\n\tc\n";
        let tokens = [
            Token {
                start: 2,
                end: 7,
                tone: Tone::String,
            },
            Token {
                start: 8,
                end: 9,
                tone: Tone::Name,
            },
            Token {
                start: 12,
                end: 13,
                tone: Tone::Keyword,
            },
        ];
        let lines = toned_code_lines(text, &tokens);
        let shown: Vec<Vec<(&str, Tone)>> = lines
            .iter()
            .map(|l| {
                l.tones
                    .iter()
                    .map(|(r, t)| (&l.text[r.clone()], *t))
                    .collect()
            })
            .collect();
        assert_eq!(lines[0].text, "a   \"中\"    b");
        assert_eq!(
            shown,
            [
                vec![("\"中\"", Tone::String), ("b", Tone::Name)],
                vec![("c", Tone::Keyword)]
            ]
        );
    }

    #[test]
    fn tabs_expand_to_the_next_stop_counting_ideographs_twice() {
        let lines = code_lines("\tx\na\tb\n中\tc\nabcd\te\n\n  \n");
        assert_eq!(lines, ["    x", "a   b", "中  c", "abcd    e"]);
    }
}
