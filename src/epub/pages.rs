//! Where the print edition's pages begin, for the EPUB's page list: each
//! body page's first line of text, found in the book's text in reading
//! order. The page model knows lines, not blocks; the letters of a line
//! (punctuation, digits and spaces set aside, as footnote marks and
//! justification make them differ) are looked up from where the previous
//! page was found, so the pages come out in order and never go back.

use crate::model::{plain_text, Block, BlockKind, Book, Inline};
use crate::typeset::page::Draw;
use crate::typeset::Typeset;

/// A print page's start in an article: before the title (`block` None),
/// or in top-level block `block`, `offset` characters into its text (a
/// paragraph's; a page starting inside another kind of block is marked
/// before that block).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub block: Option<usize>,
    pub offset: usize,
    /// The printed folio, as the PDF's page labels show it.
    pub label: String,
}

/// A page start with its article (index into `book.articles`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageStart {
    pub article: usize,
    pub marker: Marker,
}

/// The id of a page's marker in its document.
pub fn marker_id(label: &str) -> String {
    format!("print-page-{label}")
}

/// How many letters of a line are looked up: enough to tell lines apart.
const KEY: usize = 12;

/// The book's letters in reading order (a book holds millions: a
/// character each), and the runs of them each title, byline or block
/// holds, to tell where a letter stands.
struct Letters {
    letters: Vec<char>,
    runs: Vec<Run>,
}

/// The letters of one title, byline or top-level block, from `first` on.
struct Run {
    first: u32,
    article: u32,
    /// The top-level block, `u32::MAX` for the title and byline.
    block: u32,
}

/// `c.is_alphabetic()`, answered at once for the letters most Chinese text
/// is made of: the standard library looks up every other non-ASCII
/// character in its tables.
fn is_letter(c: char) -> bool {
    match c as u32 {
        // The CJK ideographs and Extension A: every code point assigned,
        // all letters (Lo).
        0x3400..=0x4DBF | 0x4E00..=0x9FFF => true,
        _ if c.is_ascii() => c.is_ascii_alphabetic(),
        _ => c.is_alphabetic(),
    }
}

/// The body pages' starts, in page order; a page whose first line cannot
/// be found (no letters in it) has none.
pub fn page_starts(set: &Typeset, book: &Book) -> Vec<PageStart> {
    let letters = Letters::of(book);
    let mut from = 0;
    let mut out = Vec::new();
    for (i, page) in set.pages.iter().enumerate().skip(set.front_pages) {
        if page.blank {
            continue;
        }
        // The body's first line: the topmost text inside the text block
        // (the running head sits above it, the folio below).
        let first = page
            .draws
            .iter()
            .filter_map(|d| match d {
                Draw::Text { at, line, .. }
                    if at.block >= set.geo.block_start && at.block <= set.geo.text_end() =>
                {
                    Some((at.block, line))
                }
                _ => None,
            })
            .min_by(|a, b| a.0.total_cmp(&b.0));
        let Some((_, line)) = first else { continue };
        let key: Vec<char> = line
            .text
            .chars()
            .filter(|&c| is_letter(c))
            .take(KEY)
            .collect();
        if key.len() < 2 {
            continue;
        }
        let found = (from..letters.letters.len().saturating_sub(key.len() - 1))
            .find(|&p| letters.letters[p..p + key.len()] == key[..]);
        let Some(p) = found else { continue };
        from = p + 1;
        let (article, block, offset) = letters.place(p, book);
        out.push(PageStart {
            article,
            marker: Marker {
                block,
                offset,
                label: (i - set.front_pages + 1).to_string(),
            },
        });
    }
    // Two pages cannot start at one place: keep the first.
    out.dedup_by(|b, a| {
        a.article == b.article
            && a.marker.block == b.marker.block
            && a.marker.offset == b.marker.offset
    });
    out
}

impl Letters {
    /// The letters of the book in reading order: each article's title and
    /// byline, then its blocks (their footnotes are set apart on the page).
    fn of(book: &Book) -> Letters {
        let mut out = Letters {
            letters: Vec::new(),
            runs: Vec::new(),
        };
        for (article, a) in book.articles.iter().enumerate() {
            let article = article as u32;
            let heading = [Some(a.title.clone()), a.byline()];
            for text in heading.into_iter().flatten() {
                out.push(article, u32::MAX, &text);
            }
            for (index, block) in a.blocks.iter().enumerate() {
                out.push(article, index as u32, &block_text(block));
            }
        }
        out
    }

    fn push(&mut self, article: u32, block: u32, text: &str) {
        self.runs.push(Run {
            first: self.letters.len() as u32,
            article,
            block,
        });
        self.letters.extend(text.chars().filter(|&c| is_letter(c)));
    }

    /// Letter `p`'s article, its top-level block (`None`: the title or
    /// byline) and its offset in characters into the block's text (0 unless
    /// the block is a paragraph).
    fn place(&self, p: usize, book: &Book) -> (usize, Option<usize>, usize) {
        let run = &self.runs[self.runs.partition_point(|r| r.first as usize <= p) - 1];
        let article = run.article as usize;
        if run.block == u32::MAX {
            return (article, None, 0);
        }
        let block = &book.articles[article].blocks[run.block as usize];
        let offset = match block.kind {
            BlockKind::Paragraph(_) => block_text(block)
                .chars()
                .enumerate()
                .filter(|&(_, c)| is_letter(c))
                .nth(p - run.first as usize)
                .map_or(0, |(offset, _)| offset),
            _ => 0,
        };
        (article, Some(run.block as usize), offset)
    }
}

/// A block's text as the pages print it, in order.
fn block_text(block: &Block) -> String {
    let mut out = String::new();
    push_block(block, &mut out);
    out
}

fn push_block(block: &Block, out: &mut String) {
    let inlines = |c: &[Inline], out: &mut String| out.push_str(&plain_text(c));
    match &block.kind {
        BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => inlines(content, out),
        BlockKind::Quote(inner) => inner.iter().for_each(|b| push_block(b, out)),
        BlockKind::List { items, .. } => items.iter().flatten().for_each(|b| push_block(b, out)),
        BlockKind::Code { text, .. } => out.push_str(text),
        BlockKind::Rule => {}
        BlockKind::Image { caption, .. } => inlines(caption, out),
        BlockKind::Table { head, rows, .. } => {
            for cell in head.iter().chain(rows.iter().flatten()) {
                inlines(cell, out);
            }
        }
    }
}
