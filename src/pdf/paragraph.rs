//! A paragraph from the model's inlines to set lines: flatten the inline
//! tree into styled text, shape, find the break opportunities, choose the
//! breaks over the whole paragraph, set each line.

use super::breaks;
use super::fontset::FontSet;
use super::line::{set_line, Line};
use super::linebreak::{break_lines, Measure, Metrics};
use super::shape::{shape, ShapeParams, SpanStyle, StyledText};
use crate::model::Inline;

/// Where a link on a line leads.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkTarget {
    Uri(String),
    Footnote(u32),
}

/// How a paragraph is set.
#[derive(Debug, Clone, Copy)]
pub struct ParaSpec {
    pub shape: ShapeParams,
    pub width: f32,
    /// First-line indent (may be negative for hanging markers).
    pub indent: f32,
    pub align: Align,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Justified, the last line flush left.
    Justify,
    Left,
    Center,
}

/// A set paragraph: lines with their offsets from the measure's left edge.
#[derive(Debug, Clone, Default)]
pub struct SetParagraph {
    pub lines: Vec<(f32, Line)>,
    pub links: Vec<LinkTarget>,
    pub missing: Vec<char>,
}

/// Flattens inlines into styled text; links and footnote marks are
/// numbered into `links`.
pub fn styled_text(inlines: &[Inline], base: SpanStyle, links: &mut Vec<LinkTarget>) -> StyledText {
    let mut out = StyledText::default();
    push_inlines(inlines, base, links, &mut out);
    out
}

fn push_inlines(
    inlines: &[Inline],
    style: SpanStyle,
    links: &mut Vec<LinkTarget>,
    out: &mut StyledText,
) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => out.push(t, style),
            Inline::Emphasis(c) => push_inlines(
                c,
                SpanStyle {
                    emphasis: true,
                    ..style
                },
                links,
                out,
            ),
            Inline::Strong(c) => push_inlines(
                c,
                SpanStyle {
                    bold: true,
                    ..style
                },
                links,
                out,
            ),
            Inline::Link { url, content } => {
                links.push(LinkTarget::Uri(url.clone()));
                let link = Some((links.len() - 1) as u16);
                push_inlines(content, SpanStyle { link, ..style }, links, out);
            }
            Inline::FootnoteRef(n) => {
                links.push(LinkTarget::Footnote(*n));
                let link = Some((links.len() - 1) as u16);
                out.push(
                    &n.to_string(),
                    SpanStyle {
                        sup: true,
                        link,
                        ..style
                    },
                );
            }
            Inline::LineBreak => out.push("\n", style),
        }
    }
}

/// Sets styled text as a paragraph.
pub fn set_paragraph(fonts: &FontSet<'_>, text: &StyledText, spec: &ParaSpec) -> SetParagraph {
    let shaped = shape(fonts, text, &spec.shape);
    let mut opps = breaks::opportunities(&shaped);
    let first = (spec.width - spec.indent.max(0.0)).max(spec.shape.size);
    breaks::add_emergency(&shaped, &mut opps, first.min(spec.width));
    let measure = Measure {
        first,
        rest: spec.width,
        em: spec.shape.size,
        justify: spec.align == Align::Justify,
    };
    let ranges = break_lines(&shaped.glyphs, &opps, &measure);
    let metrics = Metrics::new(&shaped.glyphs);
    let count = ranges.len();
    let mut lines = Vec::with_capacity(count);
    for (i, &(start, end)) in ranges.iter().enumerate() {
        let width = if start == 0 { first } else { spec.width };
        let forced = shaped.glyphs[..end]
            .last()
            .is_some_and(|g| g.class == super::shape::Class::Newline);
        let justify = spec.align == Align::Justify && i + 1 < count && !forced;
        let line = set_line(&shaped, &metrics, start, end, width, justify);
        let x = match spec.align {
            Align::Center => ((spec.width - line.width) / 2.0).max(0.0),
            _ if start == 0 => spec.indent,
            _ => 0.0,
        };
        lines.push((x, line));
    }
    SetParagraph {
        lines,
        links: Vec::new(),
        missing: shaped.missing,
    }
}

/// Sets one line of plain text at its natural width (running heads,
/// folios, TOC entries).
pub fn set_plain(fonts: &FontSet<'_>, text: &str, shape: ShapeParams) -> Line {
    let mut styled = StyledText::default();
    styled.push(text, SpanStyle::default());
    let shaped = self::shape(fonts, &styled, &shape);
    let metrics = Metrics::new(&shaped.glyphs);
    set_line(&shaped, &metrics, 0, shaped.glyphs.len(), f32::MAX, false)
}

/// `text` set on one line no wider than `width`, shortened with an
/// ellipsis if it must be.
pub fn set_fitting(fonts: &FontSet<'_>, text: &str, shape: ShapeParams, width: f32) -> Line {
    let line = set_plain(fonts, text, shape);
    if line.width <= width {
        return line;
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    let mut best = set_plain(fonts, "……", shape);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "……";
        let l = set_plain(fonts, &candidate, shape);
        if l.width <= width {
            best = l;
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    best
}

/// The narrowest measure (down to half) that sets `text` centred in the
/// same number of lines: balanced display lines for titles.
pub fn set_balanced(fonts: &FontSet<'_>, text: &StyledText, spec: &ParaSpec) -> SetParagraph {
    let full = set_paragraph(fonts, text, spec);
    let n = full.lines.len();
    if n < 2 {
        return full;
    }
    let (mut lo, mut hi) = (spec.width / 2.0, spec.width);
    let mut best = full;
    for _ in 0..8 {
        let mid = (lo + hi) / 2.0;
        let trial = set_paragraph(
            fonts,
            text,
            &ParaSpec {
                width: mid,
                ..*spec
            },
        );
        if trial.lines.len() == n && trial.lines.iter().all(|(_, l)| l.width <= mid + 0.01) {
            best = trial;
            hi = mid;
        } else {
            lo = mid;
        }
    }
    // Centre within the full measure.
    for (x, line) in &mut best.lines {
        *x = ((spec.width - line.width) / 2.0).max(0.0);
    }
    best
}
