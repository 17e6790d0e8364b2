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

/// One letter of the book's text and where it stands (a book holds
/// millions: the fields are kept small).
struct Letter {
    c: char,
    article: u32,
    /// The top-level block, `u32::MAX` for the title and byline.
    block: u32,
    offset: u32,
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
    let letters = letters(book);
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
        let found = (from..letters.len().saturating_sub(key.len() - 1)).find(|&p| {
            letters[p..p + key.len()]
                .iter()
                .zip(&key)
                .all(|(l, c)| l.c == *c)
        });
        let Some(p) = found else { continue };
        from = p + 1;
        let at = &letters[p];
        out.push(PageStart {
            article: at.article as usize,
            marker: Marker {
                block: (at.block != u32::MAX).then_some(at.block as usize),
                offset: at.offset as usize,
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

/// The letters of the book in reading order: each article's title and
/// byline, then its blocks (their footnotes are set apart on the page).
fn letters(book: &Book) -> Vec<Letter> {
    let mut out = Vec::new();
    for (article, a) in book.articles.iter().enumerate() {
        let article = article as u32;
        let heading = [Some(a.title.clone()), a.byline()];
        for text in heading.into_iter().flatten() {
            out.extend(text.chars().filter(|&c| is_letter(c)).map(|c| Letter {
                c,
                article,
                block: u32::MAX,
                offset: 0,
            }));
        }
        for (index, block) in a.blocks.iter().enumerate() {
            let paragraph = matches!(block.kind, BlockKind::Paragraph(_));
            for (offset, c) in block_text(block).chars().enumerate() {
                if is_letter(c) {
                    out.push(Letter {
                        c,
                        article,
                        block: index as u32,
                        offset: if paragraph { offset as u32 } else { 0 },
                    });
                }
            }
        }
    }
    out
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
