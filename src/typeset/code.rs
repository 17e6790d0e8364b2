//! Code: each source line set on code's columns (half an em of the code
//! size each, an ideograph two, see [`shape::COLUMN`]) and never
//! justified, so that what lines up in the source lines up on the page. A
//! line too long for the measure is cut at the last space or mark before
//! the edge (or at the edge, when there is none in its second half) and
//! goes on, indented, after a continuation mark.

use super::fontset::FontSet;
use super::line::{Line, Placed};
use super::shape::{shape, Class, ShapeParams, Shaped, SpanStyle, StyledText, COLUMN};
use crate::model::CodeLine;
use crate::style::HighlightStyle;

/// Columns a continued line is indented by: the mark takes the first two.
pub const HANG: usize = 3;

/// What marks a line continued from the line above.
pub const CONTINUATION: &str = "→";

/// Sets one source line of code (tabs already expanded), its tokens in
/// their colours: its first line holds at most `columns`, each continued
/// line `columns - HANG`. A blank source line gives one empty line.
pub fn wrap(
    fonts: &FontSet<'_>,
    source: &CodeLine,
    look: &HighlightStyle,
    shape_params: &ShapeParams,
    columns: usize,
) -> Vec<Line> {
    let shaped = shape_code(fonts, source, look, shape_params);
    let column = COLUMN * shape_params.size;
    let glyphs = &shaped.glyphs;
    // Where each glyph starts, in columns from the line's start.
    let mut at = Vec::with_capacity(glyphs.len() + 1);
    let mut x = 0.0f32;
    for g in glyphs {
        at.push((x / column).round() as usize);
        x += g.advance;
    }
    at.push((x / column).round() as usize);
    let mut lines = Vec::new();
    let mut start = 0;
    while start < glyphs.len() || lines.is_empty() {
        let room = if lines.is_empty() {
            columns
        } else {
            columns.saturating_sub(HANG)
        }
        .max(4);
        let limit = at[start] + room;
        // The furthest cluster boundary that fits.
        let mut end = start;
        while end < glyphs.len() && at[end + 1] <= limit {
            end += 1;
        }
        while end > start && end < glyphs.len() && !glyphs[end].cluster_start {
            end -= 1;
        }
        if end < glyphs.len() {
            let half = at[start] + room / 2;
            if let Some(b) = (start + 1..=end)
                .rev()
                .take_while(|&b| at[b] > half)
                .find(|&b| breaks_after(&glyphs[b - 1], &glyphs[b]))
            {
                end = b;
            }
            // A cluster wider than the whole measure still moves on.
            if end == start {
                end = (start + 1..=glyphs.len())
                    .find(|&b| b == glyphs.len() || glyphs[b].cluster_start)
                    .unwrap_or(glyphs.len());
            }
        }
        lines.push(line_of(&shaped, start, end));
        start = end;
        // A continued line does not begin with the blanks the cut fell on.
        while lines.len() > 1 && start < glyphs.len() && glyphs[start].class == Class::Space {
            start += 1;
        }
        if end >= glyphs.len() {
            break;
        }
    }
    lines
}

/// The continuation mark, in the body face: its full-width arrow fills
/// the [`HANG`] columns, larger and clearer than a monospace one.
pub fn mark(fonts: &FontSet<'_>, shape_params: &ShapeParams) -> Line {
    let mut styled = StyledText::default();
    styled.push(CONTINUATION, SpanStyle::default());
    let shaped = shape(fonts, &styled, shape_params);
    line_of(&shaped, 0, shaped.glyphs.len())
}

fn shape_code(
    fonts: &FontSet<'_>,
    line: &CodeLine,
    look: &HighlightStyle,
    params: &ShapeParams,
) -> Shaped {
    let plain = SpanStyle {
        mono: true,
        ..SpanStyle::default()
    };
    let mut styled = StyledText::default();
    let mut at = 0;
    for (range, tone) in &line.tones {
        styled.push(&line.text[at..range.start], plain);
        let toned = SpanStyle {
            colour: look.colour(*tone),
            bold: look.bold(*tone),
            ..plain
        };
        styled.push(&line.text[range.clone()], toned);
        at = range.end;
    }
    styled.push(&line.text[at..], plain);
    shape(fonts, &styled, params)
}

/// Whether a cut between `a` and `b` reads well: after a blank, a
/// punctuation mark or an operator, or next to an ideograph.
fn breaks_after(a: &Glyph, b: &Glyph) -> bool {
    b.cluster_start
        && (a.class == Class::Space
            || a.class.is_cjk()
            || b.class.is_cjk()
            || matches!(
                a.ch,
                ',' | ';'
                    | '.'
                    | '('
                    | '['
                    | '{'
                    | ')'
                    | ']'
                    | '}'
                    | '>'
                    | '/'
                    | '-'
                    | '='
                    | '&'
                    | '|'
                    | ':'
            ))
        && b.class != Class::Space
}

type Glyph = super::shape::Glyph;

/// Glyphs `start..end` as a line at their natural widths.
fn line_of(shaped: &Shaped, start: usize, end: usize) -> Line {
    let mut line = Line::default();
    let mut x = 0.0f32;
    for g in &shaped.glyphs[start..end] {
        let text_start = line.text.len() as u32;
        line.text.push_str(shaped.cluster_text(g));
        line.glyphs.push(Placed {
            font: g.font,
            gid: g.gid,
            size: g.size,
            x: x + g.dx,
            rise: g.rise,
            advance: g.advance,
            text: text_start..line.text.len() as u32,
            emphasis: false,
            slant: false,
            link: None,
            colour: g.colour,
        });
        line.size = line.size.max(g.size);
        x += g.advance;
    }
    line.width = x;
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{PunctStyle, Script};
    use crate::typeset::fontset::testing::shipped;

    fn params() -> ShapeParams {
        ShapeParams {
            size: 10.0,
            script: Script::Hans,
            punct: PunctStyle::Gb,
            bold: false,
            quote: false,
        }
    }

    fn plain(text: &str) -> CodeLine {
        CodeLine {
            text: text.to_string(),
            tones: Vec::new(),
        }
    }

    /// Every glyph's start, in columns of 5 pt.
    fn columns(line: &Line) -> Vec<f32> {
        line.glyphs.iter().map(|g| g.x / 5.0).collect()
    }

    #[test]
    fn latin_takes_one_column_and_ideographs_two() {
        let fonts = FontSet::new(shipped()).unwrap();
        let lines = wrap(
            &fonts,
            &plain("a中b，c“d”"),
            &HighlightStyle::default(),
            &params(),
            80,
        );
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line.width, 5.0 * 12.0);
        // a | 中中 | b | ，， | c | “ “ | d | ” ”
        let advances: Vec<f32> = line.glyphs.iter().map(|g| g.advance / 5.0).collect();
        assert_eq!(advances, [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0]);
        // The monospace face is set so that its advance is one column.
        let a = &line.glyphs[0];
        assert!((a.size - 10.0 * 0.5 / 0.6).abs() < 0.01, "{}", a.size);
        assert!(columns(line)[0].abs() < 1e-3);
    }

    #[test]
    fn long_lines_break_after_a_blank_and_continue_shorter() {
        let fonts = FontSet::new(shipped()).unwrap();
        let source = "let value = compute(first_argument, second_argument);";
        let lines = wrap(
            &fonts,
            &plain(source),
            &HighlightStyle::default(),
            &params(),
            30,
        );
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "let value = compute(",
                "first_argument, ",
                "second_argument);"
            ]
        );
        assert!(lines[0].width <= 30.0 * 5.0);
        assert!(lines[1..].iter().all(|l| l.width <= 28.0 * 5.0));
        // Nothing is lost or doubled but the blanks at the cuts.
        assert_eq!(texts.concat().replace(' ', ""), source.replace(' ', ""));
    }

    #[test]
    fn a_word_longer_than_the_measure_is_cut_at_the_edge() {
        let fonts = FontSet::new(shipped()).unwrap();
        let source = "x".repeat(25);
        let lines = wrap(
            &fonts,
            &plain(&source),
            &HighlightStyle::default(),
            &params(),
            10,
        );
        let counts: Vec<usize> = lines.iter().map(|l| l.glyphs.len()).collect();
        assert_eq!(counts, [10, 7, 7, 1]);
        let blank = wrap(
            &fonts,
            &plain(""),
            &HighlightStyle::default(),
            &params(),
            10,
        );
        assert_eq!(blank.len(), 1);
        assert!(blank[0].glyphs.is_empty());
    }
}
