//! The characters of the book, gathered in one walk over its text. Font
//! coverage warnings, the PDF's fallback faces and the EPUB's subsets all
//! ask which characters occur; each used to walk every text for it.

use std::collections::hash_map::{Entry, HashMap};

use crate::model::{visit_text, Book};

/// A character as an article uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub c: char,
    /// The source line it first occurs on.
    pub line: u32,
    /// Whether any of its occurrences is set bold.
    pub bold: bool,
}

/// Per article (in book order), its distinct characters in code point
/// order.
#[derive(Debug, Clone, Default)]
pub struct Characters {
    pub articles: Vec<Vec<Seen>>,
    /// Every character of the book's text, repeats included.
    pub count: usize,
}

impl Characters {
    pub fn of(book: &Book) -> Characters {
        // Slot + 1 of each Basic Multilingual Plane character in the
        // current article's list (0: not seen yet); reset after each one.
        let mut bmp = vec![0u32; 0x1_0000];
        let mut astral: HashMap<char, usize> = HashMap::new();
        let mut count = 0;
        let articles = book
            .articles
            .iter()
            .map(|article| {
                let mut seen: Vec<Seen> = Vec::new();
                visit_text(article, &mut |text, bold, line| {
                    for c in text.chars() {
                        count += 1;
                        let slot = match bmp.get_mut(c as usize) {
                            Some(slot) if *slot > 0 => Some(*slot as usize - 1),
                            Some(slot) => {
                                *slot = seen.len() as u32 + 1;
                                None
                            }
                            None => match astral.entry(c) {
                                Entry::Occupied(slot) => Some(*slot.get()),
                                Entry::Vacant(slot) => {
                                    slot.insert(seen.len());
                                    None
                                }
                            },
                        };
                        match slot {
                            Some(i) => seen[i].bold |= bold,
                            None => seen.push(Seen { c, line, bold }),
                        }
                    }
                });
                for s in &seen {
                    if let Some(slot) = bmp.get_mut(s.c as usize) {
                        *slot = 0;
                    }
                }
                astral.clear();
                seen.sort_unstable_by_key(|s| s.c);
                seen
            })
            .collect();
        Characters { articles, count }
    }

    /// Every distinct character of the book's articles, some more than
    /// once.
    pub fn all(&self) -> impl Iterator<Item = char> + '_ {
        self.articles.iter().flatten().map(|s| s.c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::model::{Article, BookMeta};

    fn article(markdown: &str) -> Article {
        let parsed = crate::source::markdown::parse(markdown, 1, std::path::Path::new("."));
        Article {
            id: "a01".into(),
            source: "a.md".into(),
            title: "题".into(),
            author: None,
            origin: None,
            date: None,
            note: None,
            lang: Lang::zh_hans(),
            blocks: parsed.blocks,
            footnotes: parsed.footnotes,
            depth: 1,
            part: false,
        }
    }

    #[test]
    fn first_line_and_weight_per_article() {
        let meta = BookMeta {
            title: "书".into(),
            subtitle: None,
            authors: Vec::new(),
            editor: None,
            publisher: None,
            lang: Lang::zh_hans(),
            date: None,
            edition: None,
            description: None,
            subjects: Vec::new(),
            identifier: String::new(),
            modified: 0,
            cover: None,
        };
        let book = Book {
            meta,
            articles: vec![article("学习𠀀\n\n**习们𠀀**\n"), article("学\n")],
        };
        let chars = Characters::of(&book);
        let first = &chars.articles[0];
        let get = |c| first.iter().find(|s| s.c == c).copied();
        let seen = |c, line, bold| Some(Seen { c, line, bold });
        assert_eq!(get('学'), seen('学', 1, false));
        // Plain on line 1, then bold on line 3.
        assert_eq!(get('习'), seen('习', 1, true));
        assert_eq!(get('们'), seen('们', 3, true));
        assert_eq!(get('𠀀'), seen('𠀀', 1, true));
        // The title is bold.
        assert_eq!(get('题'), seen('题', 1, true));
        assert!(first.windows(2).all(|w| w[0].c < w[1].c));
        // The second article starts afresh.
        let second: Vec<char> = chars.articles[1].iter().map(|s| s.c).collect();
        assert_eq!(second, vec!['学', '题']);
    }
}
