//! An article's closing note (作者系……, the author's post): front matter
//! `note`, or a last paragraph the style's `[note] starts` marks as one,
//! written as the style asks, the same for both outputs.

use crate::model::{plain_text, BlockKind, Book, Inline};
use crate::style::NoteStyle;

/// No closing note is longer: a long last paragraph is text.
const MOST_CHARS: usize = 160;

/// Gives every article its note as the style writes it: a last paragraph
/// that begins as a note does becomes the note (when the front matter
/// gives none), and the note is put in parentheses or out of them.
pub fn close_articles(book: &mut Book, style: &NoteStyle) {
    for article in &mut book.articles {
        if article.note.is_none() {
            let found = match article.blocks.last().map(|b| &b.kind) {
                Some(BlockKind::Paragraph(inlines)) if plain(inlines) => {
                    let text = plain_text(inlines);
                    is_note(&text, &style.starts).then_some(text)
                }
                _ => None,
            };
            if let Some(text) = found {
                article.blocks.pop();
                article.note = Some(text);
            }
        }
        if let Some(note) = &mut article.note {
            *note = written(note, style.parentheses);
        }
    }
}

/// Text without footnote marks, links or pictures, which a note printed
/// as plain text would lose.
fn plain(inlines: &[Inline]) -> bool {
    inlines.iter().all(|i| match i {
        Inline::Text(_) | Inline::LineBreak => true,
        Inline::Emphasis(c) | Inline::Strong(c) => plain(c),
        _ => false,
    })
}

/// The words inside `text`'s enclosing brackets, if it is one aside in
/// brackets.
fn within_brackets(text: &str) -> Option<&str> {
    let t = text.trim();
    let open = t.strip_prefix('（').or_else(|| t.strip_prefix('('))?;
    let inner = open.strip_suffix('）').or_else(|| open.strip_suffix(')'))?;
    // （甲）……（乙） is two asides and the text between them.
    (!inner.contains(['（', '(', '）', ')'])).then_some(inner.trim())
}

/// Whether `text` is one aside in brackets, such as （作者系……）.
pub fn bracketed(text: &str) -> bool {
    within_brackets(text).is_some()
}

/// The note's words, out of their brackets.
fn inner(text: &str) -> &str {
    within_brackets(text).unwrap_or(text.trim())
}

fn is_note(text: &str, starts: &[String]) -> bool {
    let words = inner(text);
    text.chars().count() <= MOST_CHARS
        && starts
            .iter()
            .any(|s| !s.is_empty() && words.starts_with(s.as_str()))
}

/// The note as printed: in full-width parentheses, or without any.
pub fn written(note: &str, parentheses: bool) -> String {
    let words = inner(note);
    if parentheses {
        format!("（{words}）")
    } else {
        words.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_written_in_or_out_of_parentheses() {
        assert_eq!(written("作者系某县委常委", true), "（作者系某县委常委）");
        assert_eq!(
            written("（作者系某县委常委）", true),
            "（作者系某县委常委）"
        );
        assert_eq!(written("(作者系某县委常委)", false), "作者系某县委常委");
        let starts = NoteStyle::default().starts;
        assert!(is_note("（作者系某县委常委）", &starts));
        assert!(is_note("作者單位：某大學", &starts));
        assert!(!is_note("作者认为，组织工作……", &starts));
        assert!(!is_note(&format!("作者系{}", "长".repeat(200)), &starts));
        assert!(bracketed("（作者系某县委常委）"));
        assert!(!bracketed("（一）总体要求（试行）"));
    }
}
