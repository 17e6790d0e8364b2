//! A paragraph from the model's inlines to set lines: flatten the inline
//! tree into styled text, shape, find the break opportunities, choose the
//! breaks over the whole paragraph, set each line.

use std::sync::Arc;

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
    /// Each line with its offset; shared, so that the memo keeping a
    /// paragraph for the next build and the page drawing it hold one copy.
    pub lines: Vec<(f32, Arc<Line>)>,
    pub missing: Vec<char>,
    /// Every line but the last ends after a space or punctuation mark.
    pub phrased: bool,
}

/// A paragraph or a line to set, as a [`Memo`] sees it: everything the
/// setting reads besides the faces.
#[derive(Debug, Clone, Copy)]
pub enum Job<'a> {
    Paragraph {
        text: &'a StyledText,
        spec: &'a ParaSpec,
        /// A table cell: a run is broken only where it is wider than the
        /// column.
        cell: bool,
    },
    /// One line of plain text at its natural width: the result holds it as
    /// its only line.
    Plain {
        text: &'a str,
        shape: &'a ShapeParams,
    },
}

/// What may remember set paragraphs (between builds, say): the only seam
/// between the typesetter and any cache, which lives outside `typeset`.
pub trait Memo: Sync {
    /// The paragraph `job` asks for: remembered, or `set` now.
    fn set(&self, job: &Job<'_>, set: &mut dyn FnMut() -> SetParagraph) -> SetParagraph;
}

/// Remembers nothing: every paragraph is set.
pub struct NoMemo;

impl Memo for NoMemo {
    fn set(&self, _: &Job<'_>, set: &mut dyn FnMut() -> SetParagraph) -> SetParagraph {
        set()
    }
}

/// The faces paragraphs are set in, and the memo that may hold them set
/// already.
#[derive(Clone, Copy)]
pub struct Setter<'a> {
    pub fonts: &'a FontSet<'a>,
    pub memo: &'a dyn Memo,
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
            Inline::Text(t) => out.push(t, style),
            Inline::Code(t) => out.push(
                t,
                SpanStyle {
                    mono: true,
                    emphasis: false,
                    ..style
                },
            ),
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
pub fn set_paragraph(setter: Setter<'_>, text: &StyledText, spec: &ParaSpec) -> SetParagraph {
    set_paragraph_with(setter, text, spec, false)
}

/// Sets a table cell: as a paragraph, but a column is as wide as its
/// longest run already, so a run breaks only where it is wider than the
/// column (a body line breaks inside one wider than 0.6 of it, to keep its
/// lines even).
pub fn set_cell(setter: Setter<'_>, text: &StyledText, spec: &ParaSpec) -> SetParagraph {
    set_paragraph_with(setter, text, spec, true)
}

/// A break after a space or a punctuation mark ends a phrase; display
/// lines (titles) break there when they can.
fn is_phrase_break(shaped: &super::shape::Shaped, at: usize) -> bool {
    use super::shape::Class;
    shaped.glyphs[..at].last().is_some_and(|g| {
        g.ch == '\u{3000}'
            || matches!(
                g.class,
                Class::Space | Class::Close | Class::Middle | Class::CjkOther | Class::Dash
            )
    })
}

fn set_paragraph_with(
    setter: Setter<'_>,
    text: &StyledText,
    spec: &ParaSpec,
    cell: bool,
) -> SetParagraph {
    let job = Job::Paragraph { text, spec, cell };
    setter
        .memo
        .set(&job, &mut || set_anew(setter.fonts, text, spec, cell))
}

fn set_anew(fonts: &FontSet<'_>, text: &StyledText, spec: &ParaSpec, cell: bool) -> SetParagraph {
    let shaped = shape(fonts, text, &spec.shape);
    let mut opps = breaks::opportunities(&shaped);
    let first = (spec.width - spec.indent.max(0.0)).max(spec.shape.size);
    let fraction = if cell { 1.0 } else { 0.6 };
    breaks::add_emergency(&shaped, &mut opps, first.min(spec.width) * fraction);
    let measure = Measure {
        first,
        rest: spec.width,
        em: spec.shape.size,
        justify: spec.align == Align::Justify,
    };
    let ranges = break_lines(&shaped.glyphs, &opps, &measure);
    let phrased = ranges
        .iter()
        .take(ranges.len().saturating_sub(1))
        .all(|&(_, end)| is_phrase_break(&shaped, end));
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
            Align::Center => ((spec.width - inked_width(&line)) / 2.0).max(0.0),
            _ if start == 0 => spec.indent,
            _ => 0.0,
        };
        lines.push((x, Arc::new(line)));
    }
    SetParagraph {
        lines,
        missing: shaped.missing,
        phrased,
    }
}

/// A line's width without the ideographic spaces that end it: what a
/// centred line is centred on.
pub(super) fn inked_width(line: &Line) -> f32 {
    let blank: f32 = line
        .glyphs
        .iter()
        .rev()
        .take_while(|g| line.glyph_text(g) == "\u{3000}")
        .map(|g| g.advance)
        .sum();
    line.width - blank
}

/// Sets one line of plain text at its natural width (running heads,
/// folios, TOC entries).
pub fn set_plain(setter: Setter<'_>, text: &str, shape: ShapeParams) -> Line {
    let job = Job::Plain {
        text,
        shape: &shape,
    };
    let set = setter.memo.set(&job, &mut || SetParagraph {
        lines: vec![(0.0, Arc::new(set_plain_anew(setter.fonts, text, shape)))],
        ..SetParagraph::default()
    });
    set.lines
        .into_iter()
        .next()
        .map(|(_, l)| Arc::unwrap_or_clone(l))
        .unwrap_or_default()
}

fn set_plain_anew(fonts: &FontSet<'_>, text: &str, shape: ShapeParams) -> Line {
    let mut styled = StyledText::default();
    styled.push(text, SpanStyle::default());
    let shaped = self::shape(fonts, &styled, &shape);
    let metrics = Metrics::new(&shaped.glyphs);
    set_line(&shaped, &metrics, 0, shaped.glyphs.len(), f32::MAX, false)
}

/// `text` set on one line no wider than `width`, shortened with an
/// ellipsis if it must be.
pub fn set_fitting(setter: Setter<'_>, text: &str, shape: ShapeParams, width: f32) -> Line {
    let line = set_plain(setter, text, shape);
    if line.width <= width {
        return line;
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    let mut best = set_plain(setter, "……", shape);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "……";
        let l = set_plain(setter, &candidate, shape);
        if l.width <= width {
            best = l;
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cjk;
    use crate::lang::{PunctStyle, Script};
    use crate::typeset::fontset::testing::shipped;
    use crate::typeset::line::Placed;

    const SIZE: f32 = 10.0;

    fn params(script: Script) -> ShapeParams {
        ShapeParams {
            size: SIZE,
            script,
            punct: match script {
                Script::Hans => PunctStyle::Gb,
                Script::Hant => PunctStyle::Cns,
            },
            bold: false,
            quote: false,
        }
    }

    fn set_in(text: &str, width_em: f32, script: Script) -> SetParagraph {
        let fonts = FontSet::new(shipped()).unwrap();
        let mut styled = StyledText::default();
        styled.push(text, SpanStyle::default());
        let spec = ParaSpec {
            shape: params(script),
            width: width_em * SIZE,
            indent: 0.0,
            align: Align::Justify,
        };
        set_paragraph(
            Setter {
                fonts: &fonts,
                memo: &NoMemo,
            },
            &styled,
            &spec,
        )
    }

    fn lines(text: &str, width_em: f32) -> Vec<String> {
        let set = set_in(text, width_em, Script::Hans);
        let out: Vec<String> = set.lines.iter().map(|(_, l)| l.text.clone()).collect();
        assert_eq!(out.concat(), text, "text lost or changed");
        out
    }

    /// Every line boundary in `text` set `width` ems wide, placed at every
    /// offset of a run of ideographs before `mark`.
    fn each_offset(mark: &str, width: usize, check: impl Fn(&[String])) {
        for offset in 0..=width + 1 {
            let text = format!("{}{mark}{}", "永".repeat(offset), "永".repeat(2 * width));
            check(&lines(&text, width as f32));
        }
    }

    #[test]
    fn closing_marks_stops_and_interpuncts_never_start_a_line() {
        for mark in [
            "，", "。", "、", "；", "：", "？", "！", "”", "’", "）", "》", "」", "』", "·", "・",
            "%",
        ] {
            each_offset(mark, 12, |ls| {
                for l in &ls[1..] {
                    let first = l.chars().next().unwrap();
                    assert!(
                        !cjk::is_line_start_prohibited(first),
                        "line starts with {first}: {ls:?}"
                    );
                }
            });
        }
    }

    #[test]
    fn opening_brackets_and_quotes_never_end_a_line() {
        for mark in ["“", "‘", "（", "《", "「", "『", "【", "〈"] {
            each_offset(mark, 12, |ls| {
                for l in &ls[..ls.len() - 1] {
                    let last = l.chars().last().unwrap();
                    assert!(
                        !cjk::is_line_end_prohibited(last),
                        "line ends with {last}: {ls:?}"
                    );
                }
            });
        }
    }

    #[test]
    fn dashes_and_ellipses_never_split_nor_start_a_line() {
        for mark in ["——", "……"] {
            each_offset(mark, 12, |ls| {
                for l in &ls[1..] {
                    assert!(
                        !l.starts_with(['—', '…']),
                        "line starts with a dash or ellipsis: {ls:?}"
                    );
                }
                let joined = ls.join("|");
                assert!(
                    !joined.contains("—|—") && !joined.contains("…|…"),
                    "split: {ls:?}"
                );
            });
        }
    }

    fn placed(text: &str, script: Script) -> Line {
        let fonts = FontSet::new(shipped()).unwrap();
        set_plain(
            Setter {
                fonts: &fonts,
                memo: &NoMemo,
            },
            text,
            params(script),
        )
    }

    fn x_of(line: &Line, c: char, nth: usize) -> f32 {
        line.glyphs
            .iter()
            .filter(|g| line.glyph_text(g).starts_with(c))
            .nth(nth)
            .map(|g| g.x)
            .unwrap()
    }

    #[test]
    fn adjacent_punctuation_takes_one_and_a_half_ems_in_gb_style() {
        for pair in ["。”", "，“", "）。", "》，", "”、"] {
            let text = format!("中{pair}中");
            let line = placed(&text, Script::Hans);
            let start = x_of(&line, '中', 0) + SIZE;
            let end = x_of(&line, '中', 1);
            assert!(
                (end - start - 1.5 * SIZE).abs() < 0.01,
                "{pair}: {}",
                (end - start) / SIZE
            );
        }
    }

    #[test]
    fn cns_style_keeps_punctuation_full_width() {
        let line = placed("中。」中", Script::Hant);
        let span = x_of(&line, '中', 1) - x_of(&line, '中', 0) - SIZE;
        assert!((span - 2.0 * SIZE).abs() < 0.01, "{}", span / SIZE);
    }

    #[test]
    fn line_end_stop_is_trimmed_to_half_width_and_the_line_stays_flush() {
        let text = format!("{}。{}", "永".repeat(9), "永".repeat(12));
        let set = set_in(&text, 10.0, Script::Hans);
        let (_, first) = &set.lines[0];
        assert_eq!(first.text, format!("{}。", "永".repeat(9)));
        let stop = first.glyphs.last().unwrap();
        assert!((stop.advance - 0.5 * SIZE).abs() < 0.01, "{}", stop.advance);
        assert!((first.width - 10.0 * SIZE).abs() < 0.01, "{}", first.width);
    }

    #[test]
    fn opening_bracket_at_line_start_loses_its_blank_half() {
        let text = format!("{}“{}”{}", "永".repeat(10), "永".repeat(4), "永".repeat(12));
        let set = set_in(&text, 10.0, Script::Hans);
        let (_, second) = &set.lines[1];
        assert!(
            second.text.starts_with('“'),
            "{:?}",
            set.lines.iter().map(|l| &l.1.text).collect::<Vec<_>>()
        );
        assert!(
            (second.glyphs[0].x + 0.5 * SIZE).abs() < 0.01,
            "{}",
            second.glyphs[0].x
        );
    }

    #[test]
    fn a_quarter_em_between_han_and_latin_but_not_at_line_edges() {
        let line = placed("用Rust写", Script::Hans);
        let gap = x_of(&line, 'R', 0) - (x_of(&line, '用', 0) + SIZE);
        assert!((gap - 0.25 * SIZE).abs() < 0.01, "{gap}");
        let t = line
            .glyphs
            .iter()
            .find(|g| line.glyph_text(g) == "t")
            .unwrap();
        let gap = x_of(&line, '写', 0) - (t.x + t.advance);
        assert!((gap - 0.25 * SIZE).abs() < 0.01, "{gap}");
        // A Latin word that begins a line starts flush at the margin.
        let text = format!("{}Rust{}", "永".repeat(10), "永".repeat(12));
        let set = set_in(&text, 10.0, Script::Hans);
        let (_, second) = &set.lines[1];
        assert!(second.text.starts_with("Rust"), "{:?}", second.text);
        assert!(second.glyphs[0].x.abs() < 0.01);
    }

    #[test]
    fn latin_words_and_numbers_with_units_stay_whole() {
        for word in ["HTML5", "2.0", "3.5GHz", "100%", "Rust"] {
            each_offset(word, 12, |ls| {
                let joined = ls.join("|");
                assert!(joined.contains(word), "{word} broken: {ls:?}");
            });
        }
    }

    #[test]
    fn an_over_long_url_still_breaks_where_nothing_else_fits() {
        let url = format!("https://example.org/{}", "abcdefghij/".repeat(28));
        let text = format!("见{url}。");
        let set = set_in(&text, 12.0, Script::Hans);
        assert!(set.lines.len() > 5);
        for (_, l) in &set.lines {
            assert!(
                l.width <= 12.0 * SIZE + 0.01,
                "{} > measure: {}",
                l.width,
                l.text
            );
        }
    }

    #[test]
    fn no_paragraph_ends_with_a_lone_character() {
        for n in 25..60 {
            let text = "永".repeat(n) + "。";
            let ls = lines(&text, 12.0);
            if ls.len() > 1 {
                let last = ls
                    .last()
                    .unwrap()
                    .chars()
                    .filter(|c| cjk::is_han(*c))
                    .count();
                assert!(last >= 2, "{n}: {ls:?}");
            }
        }
    }

    /// The widest gap between two ideographs on any line but the last,
    /// in em.
    fn loosest(set: &SetParagraph) -> f32 {
        let mut worst: f32 = 0.0;
        for (_, l) in &set.lines[..set.lines.len() - 1] {
            for w in l.glyphs.windows(2) {
                let (a, b) = (&w[0], &w[1]);
                let han = |g: &Placed| cjk::is_han(l.glyph_text(g).chars().next().unwrap_or(' '));
                if han(a) && han(b) {
                    worst = worst.max((b.x - a.x - a.advance) / SIZE);
                }
            }
        }
        worst
    }

    #[test]
    fn long_latin_words_are_hyphenated_instead_of_spacing_out_the_line() {
        let text = "在分布式系统中，microservices architecture、event sourcing和command query responsibility segregation是三种常见的设计思路，它们各有长短，不能一概而论。";
        for width in [15.0, 17.0, 21.0, 26.0] {
            let set = set_in(text, width, Script::Hans);
            let texts: Vec<&str> = set.lines.iter().map(|(_, l)| l.text.as_str()).collect();
            assert!(
                loosest(&set) <= 0.25,
                "{width}: {} em: {texts:?}",
                loosest(&set)
            );
            for (_, l) in &set.lines {
                assert!(
                    l.width <= width * SIZE + 0.01,
                    "{width}: overfull {}",
                    l.text
                );
            }
        }
        let set = set_in(text, 17.0, Script::Hans);
        let hyphenated: Vec<&str> = set
            .lines
            .iter()
            .map(|(_, l)| l.text.as_str())
            .filter(|t| t.ends_with('-'))
            .collect();
        assert!(!hyphenated.is_empty(), "no line hyphenated");
        // The hyphen is drawn as a glyph of its own, in the text.
        let (_, l) = set
            .lines
            .iter()
            .find(|(_, l)| l.text.ends_with('-'))
            .unwrap();
        assert_eq!(l.glyph_text(l.glyphs.last().unwrap()), "-");
    }

    #[test]
    fn standard_numbers_and_slashed_words_stay_on_one_line() {
        let text = "标点符号的用法以GB/T 15834—2011为准，数字用法以GB/T 15835—2011为准，编码见GB 18030—2022，以及TCP/IP协议。";
        for width in 12..30 {
            let joined = lines(text, width as f32).join("|");
            for whole in ["GB/T 15834", "GB/T 15835", "GB 18030", "TCP/IP"] {
                assert!(joined.contains(whole), "{width}: {whole} broken: {joined}");
            }
        }
    }

    #[test]
    fn urls_break_at_their_slashes_and_never_letter_space_the_line() {
        let text = "相关文档托管在https://kubernetes.io/docs/concepts/overview/working-with-objects/kubernetes-objects/之下，欢迎读者查阅。";
        for width in [15.0, 17.0, 21.0, 26.0] {
            let set = set_in(text, width, Script::Hans);
            let texts: Vec<&str> = set.lines.iter().map(|(_, l)| l.text.as_str()).collect();
            assert!(
                loosest(&set) <= 0.25,
                "{width}: {} em: {texts:?}",
                loosest(&set)
            );
            // No hyphen is added inside a URL.
            assert_eq!(texts.concat(), text, "{width}");
        }
    }

    #[test]
    fn a_huge_paragraph_is_set_without_trouble() {
        let text = "中文排版，".repeat(20_000);
        let set = set_in(&text, 30.0, Script::Hans);
        assert!(set.lines.len() > 3000);
        assert!(set.lines.iter().all(|(_, l)| l.width <= 300.0 + 0.01));
    }
}
