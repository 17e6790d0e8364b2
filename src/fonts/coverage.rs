//! Which characters the book's fonts cannot show. Readers and printers draw
//! such characters as blank boxes, so each one is reported with the file and
//! line where it first appears.

use std::collections::HashMap;

use super::{Face, FontBook};
use crate::characters::Characters;
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Book;

/// Warns about every character of `book` (gathered in `characters`) that
/// neither `faces` (the body faces and configured fallbacks) nor any other
/// installed font covers.
pub fn report_uncovered(
    book: &Book,
    characters: &Characters,
    faces: &[Face],
    fonts: &FontBook,
    diags: &mut Diagnostics,
) {
    let parsed: Vec<ttf_parser::Face<'_>> = faces.iter().filter_map(Face::parse).collect();
    let mut verdicts = Verdicts::default();
    let decide = |c: char| {
        parsed
            .iter()
            .any(|f| f.glyph_index(c).is_some_and(|g| g.0 != 0))
            || fonts.face_covering(c).is_some()
    };
    for (article, seen) in book.articles.iter().zip(&characters.articles) {
        for s in seen {
            let c = s.c;
            if c.is_whitespace() || c.is_control() || is_invisible(c) || verdicts.get_or(c, decide)
            {
                continue;
            }
            diags.push(
                Diagnostic::warning(format!(
                    "no font has `{c}` (U+{:04X}); the PDF shows an outlined box",
                    c as u32
                ))
                .in_file(&article.source)
                .at_line(s.line),
            );
        }
    }
}

/// A yes or no per character, asked once each: these questions are put
/// for every character of the book on every build, so the answers for the
/// Basic Multilingual Plane sit in a table.
pub struct Verdicts {
    bmp: Vec<u8>,
    astral: HashMap<char, bool>,
}

impl Default for Verdicts {
    fn default() -> Verdicts {
        Verdicts {
            bmp: vec![0; 0x1_0000],
            astral: HashMap::new(),
        }
    }
}

impl Verdicts {
    pub fn get_or(&mut self, c: char, decide: impl FnOnce(char) -> bool) -> bool {
        match self.bmp.get_mut(c as usize) {
            Some(v) => {
                if *v == 0 {
                    *v = if decide(c) { 1 } else { 2 };
                }
                *v == 1
            }
            None => *self.astral.entry(c).or_insert_with(|| decide(c)),
        }
    }
}

/// Format characters that draw nothing and need no glyph.
fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF | 0xFE00..=0xFE0F)
}
