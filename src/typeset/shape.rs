//! Shaping: styled text → glyphs that know their width and how far each
//! side may give or take (typst's model, crates.md §8). Punctuation widths
//! come from the font's `halt` feature, so they follow the font's own idea
//! of where the ink of each mark sits (corner in GB fonts, centre in CNS).

use std::ops::Range;

use super::fontset::{is_invisible, FontIx, FontSet};
use super::latin::Latin;
use crate::cjk;
use crate::cover::Rgb;
use crate::lang::{PunctStyle, Script};

/// How a span of text is set.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SpanStyle {
    pub bold: bool,
    /// Emphasis dots (着重号) under Han characters.
    pub emphasis: bool,
    /// A footnote mark: smaller and raised.
    pub sup: bool,
    /// Index into the paragraph's link targets.
    pub link: Option<u16>,
    /// Relative size (1.0 = the paragraph's size).
    pub scale: f32,
    /// Code: set in columns, half an em each (see [`COLUMN`]), in the
    /// monospace face.
    pub mono: bool,
    /// Drawn in this colour rather than the text's (highlighted code).
    pub colour: Option<Rgb>,
}

/// A paragraph's text and its styled spans, in order and covering the text.
#[derive(Debug, Clone, Default)]
pub struct StyledText {
    pub text: String,
    pub spans: Vec<(Range<usize>, SpanStyle)>,
}

impl StyledText {
    pub fn push(&mut self, s: &str, style: SpanStyle) {
        if s.is_empty() {
            return;
        }
        let start = self.text.len();
        self.text.push_str(s);
        match self.spans.last_mut() {
            Some((r, st)) if *st == style && r.end == start => r.end = self.text.len(),
            _ => self.spans.push((start..self.text.len(), style)),
        }
    }
}

/// What a glyph is, for breaking and spacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Han, kana and other characters set on the square grid.
    Ideograph,
    /// Opening brackets and quotes (ink on the right).
    Open,
    /// Closing brackets and quotes, pause and stop marks.
    Close,
    /// Interpuncts.
    Middle,
    /// —— and ……: two ems that never split.
    Dash,
    /// Other full-width punctuation.
    CjkOther,
    /// Latin letters and digits.
    Alnum,
    Space,
    /// A forced line break.
    Newline,
    Other,
}

impl Class {
    fn of(c: char) -> Class {
        if c == '\n' {
            Class::Newline
        } else if c == ' ' {
            Class::Space
        } else if c == '\u{3000}' {
            // The ideographic space is text (a title's two halves, say): set
            // it as a blank character, so the text layer keeps it.
            Class::Ideograph
        } else if cjk::is_unbreakable_mark(c) {
            Class::Dash
        } else if cjk::is_opening(c) {
            Class::Open
        } else if cjk::is_closing(c) {
            Class::Close
        } else if cjk::is_middle_punct(c) {
            Class::Middle
        } else if cjk::is_cjk_punct(c) {
            Class::CjkOther
        } else if cjk::is_wide(c) {
            Class::Ideograph
        } else if cjk::is_latin_alnum(c) {
            Class::Alnum
        } else {
            Class::Other
        }
    }

    pub fn is_cjk(self) -> bool {
        matches!(
            self,
            Class::Ideograph
                | Class::Open
                | Class::Close
                | Class::Middle
                | Class::Dash
                | Class::CjkOther
        )
    }

    pub fn is_punct(self) -> bool {
        matches!(
            self,
            Class::Open | Class::Close | Class::Middle | Class::CjkOther
        )
    }
}

/// One shaped glyph. Lengths are in points.
#[derive(Debug, Clone)]
pub struct Glyph {
    pub font: FontIx,
    pub gid: u16,
    pub size: f32,
    /// Width taken on the line, after punctuation compression.
    pub advance: f32,
    /// Where the ink is drawn relative to the pen (negative: to the left).
    pub dx: f32,
    /// Baseline shift upwards.
    pub rise: f32,
    /// The cluster's text (byte range); empty for the second and later
    /// glyphs of a cluster.
    pub text: Range<u32>,
    /// First character of the cluster.
    pub ch: char,
    pub class: Class,
    /// Whether a line may begin here (first glyph of a cluster).
    pub cluster_start: bool,
    /// How much blank the glyph may give up on each side.
    pub shrink_l: f32,
    pub shrink_r: f32,
    /// Extra space after the glyph (¼ em between Han and Latin) and how it
    /// may shrink or stretch comfortably.
    pub gap: f32,
    pub gap_shrink: f32,
    pub gap_stretch: f32,
    /// Whether justification may widen the gap after this glyph beyond its
    /// comfortable stretch.
    pub justifiable: bool,
    pub emphasis: bool,
    pub link: Option<u16>,
    /// Code: a whole number of columns wide, never stretched or shrunk.
    pub mono: bool,
    pub colour: Option<Rgb>,
    /// Drawn slanted: a Latin letter of emphasised text (an ideograph
    /// keeps its dots instead), as browsers slant a face without italics.
    pub slant: bool,
    /// The hyphen drawn after this glyph when a line ends here, inside a
    /// Latin word (its glyph in this glyph's face, and its width): `None`
    /// where no hyphenated break may fall.
    pub hyphen: Option<Hyphen>,
}

/// A hyphen that ends a line broken inside a word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hyphen {
    pub gid: u16,
    pub advance: f32,
}

/// Shaping settings for one paragraph.
#[derive(Debug, Clone, Copy)]
pub struct ShapeParams {
    pub size: f32,
    pub script: Script,
    pub punct: PunctStyle,
    /// Every glyph bold (headings).
    pub bold: bool,
    /// In a block quote: set in the style's quote face.
    pub quote: bool,
}

impl ShapeParams {
    fn lang_tag(&self) -> &'static str {
        match self.script {
            Script::Hans => "zh-CN",
            Script::Hant => "zh-TW",
        }
    }
}

/// One column of code, in em of its size: an ideograph takes two.
pub const COLUMN: f32 = 0.5;

/// Comfortable stretch between two ideographs, in em: a line that needs
/// this much per gap has stretch ratio 1.
pub const IDEOGRAPH_STRETCH: f32 = 0.1;
/// The space between Han and Latin letters or digits (clreq §3.2.2), and
/// how far it may shrink and stretch.
pub const CJK_LATIN_GAP: f32 = 0.25;
const CJK_LATIN_SHRINK: f32 = 0.125;
const CJK_LATIN_STRETCH: f32 = 0.0833;
/// How far Latin letters (and the marks of a URL) may move apart at most,
/// in em, reached only when the gaps between ideographs widen a quarter
/// em (they take a fifth of those gaps' widening): a line of long words
/// or a URL has few other gaps to justify with.
const LATIN_STRETCH: f32 = 0.05;

/// A shaped paragraph.
#[derive(Debug, Clone, Default)]
pub struct Shaped {
    pub text: String,
    pub glyphs: Vec<Glyph>,
    /// Characters drawn as .notdef because no font has them.
    pub missing: Vec<char>,
    /// Its URLs and the places its Latin words may be hyphenated.
    pub latin: Latin,
}

impl Shaped {
    pub fn cluster_text(&self, g: &Glyph) -> &str {
        self.text
            .get(g.text.start as usize..g.text.end as usize)
            .unwrap_or("")
    }
}

pub fn shape(fonts: &FontSet<'_>, input: &StyledText, params: &ShapeParams) -> Shaped {
    let mut out = Shaped {
        text: input.text.clone(),
        glyphs: Vec::with_capacity(input.text.len() / 2),
        missing: Vec::new(),
        latin: Latin::of(&input.text),
    };
    for (range, style) in &input.spans {
        shape_span(fonts, input, range.clone(), style, params, &mut out);
    }
    hyphens(fonts, &mut out);
    adjust(fonts, &mut out, params);
    out
}

/// Gives the glyph before each hyphenation point the hyphen a line broken
/// there ends with, in that glyph's face and size (code is never
/// hyphenated).
fn hyphens(fonts: &FontSet<'_>, out: &mut Shaped) {
    let points = &out.latin.hyphens;
    if points.is_empty() {
        return;
    }
    let mut next = 0;
    for i in 1..out.glyphs.len() {
        let at = out.glyphs[i].text.start as usize;
        while next < points.len() && points[next] < at {
            next += 1;
        }
        if next == points.len() {
            break;
        }
        let (g, before) = (&out.glyphs[i], &out.glyphs[i - 1]);
        if points[next] != at || !g.cluster_start || g.mono || before.mono || before.rise != g.rise
        {
            continue;
        }
        out.glyphs[i - 1].hyphen = fonts.hyphen(before.font, before.size);
    }
}

fn shape_span(
    fonts: &FontSet<'_>,
    input: &StyledText,
    range: Range<usize>,
    style: &SpanStyle,
    params: &ShapeParams,
    out: &mut Shaped,
) {
    let text = &input.text[range.clone()];
    let bold = params.bold || style.bold;
    let scale = if style.scale > 0.0 { style.scale } else { 1.0 };
    let (size, rise) = if style.sup {
        (params.size * 0.6 * scale, params.size * 0.38)
    } else {
        (params.size * scale, 0.0)
    };
    // Runs of one face: an invisible character stays with its neighbour.
    let mut runs: Vec<(usize, usize, FontIx)> = Vec::new();
    for (i, c) in text.char_indices() {
        let at = range.start + i;
        if c == '\n' {
            runs.push((at, at + 1, FontIx::MAX));
            continue;
        }
        let font = match runs.last() {
            Some(&(_, _, f)) if is_invisible(c) && f != FontIx::MAX => f,
            _ => {
                let (f, covered) = if style.mono {
                    fonts.face_for_code(c, bold, params.script)
                } else {
                    fonts.face_for(c, bold, params.script, params.quote)
                };
                if !covered && !c.is_whitespace() && !out.missing.contains(&c) {
                    out.missing.push(c);
                }
                f
            }
        };
        match runs.last_mut() {
            Some(r) if r.2 == font => r.1 = at + c.len_utf8(),
            _ => runs.push((at, at + c.len_utf8(), font)),
        }
    }
    for (start, end, font) in runs {
        if font == FontIx::MAX {
            out.glyphs.push(Glyph {
                font: fonts.choice.primary(bold, params.script),
                gid: 0,
                size,
                advance: 0.0,
                dx: 0.0,
                rise: 0.0,
                text: start as u32..start as u32,
                ch: '\n',
                class: Class::Newline,
                cluster_start: true,
                shrink_l: 0.0,
                shrink_r: 0.0,
                gap: 0.0,
                gap_shrink: 0.0,
                gap_stretch: 0.0,
                justifiable: false,
                emphasis: false,
                link: style.link,
                colour: style.colour,
                mono: style.mono,
                slant: false,
                hyphen: None,
            });
            continue;
        }
        shape_run(
            fonts,
            &input.text,
            start..end,
            font,
            size,
            rise,
            style,
            params,
            out,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn shape_run(
    fonts: &FontSet<'_>,
    full: &str,
    range: Range<usize>,
    font: FontIx,
    size: f32,
    rise: f32,
    style: &SpanStyle,
    params: &ShapeParams,
    out: &mut Shaped,
) {
    let face = fonts.shaper(font);
    let upem = fonts.units_per_em(font);
    // Code's monospace face is scaled to one column; `size` stays the
    // code's size, that of its ideographs.
    let glyph_size = if style.mono {
        fonts.mono_size(font, size)
    } else {
        size
    };
    let mut buf = rustybuzz::UnicodeBuffer::new();
    buf.push_str(&full[range.clone()]);
    if let Ok(lang) = params.lang_tag().parse() {
        buf.set_language(lang);
    }
    buf.guess_segment_properties();
    buf.set_direction(rustybuzz::Direction::LeftToRight);
    let shaped = rustybuzz::shape(face, &[], buf);
    let infos = shaped.glyph_infos();
    let positions = shaped.glyph_positions();
    let k = glyph_size / upem;
    let first = out.glyphs.len();
    for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
        let cluster = info.cluster as usize;
        let starts = i == 0 || infos[i - 1].cluster != info.cluster;
        let next = infos[i + 1..]
            .iter()
            .map(|g| g.cluster as usize)
            .find(|&c| c != cluster)
            .unwrap_or(range.len());
        let (a, b) = (range.start + cluster, range.start + next.max(cluster));
        let ch = full[a..].chars().next().unwrap_or(' ');
        let text = if starts {
            a as u32..b as u32
        } else {
            b as u32..b as u32
        };
        let class = Class::of(ch);
        out.glyphs.push(Glyph {
            font,
            gid: info.glyph_id as u16,
            size: glyph_size,
            advance: pos.x_advance as f32 * k,
            dx: pos.x_offset as f32 * k,
            rise: rise + pos.y_offset as f32 * k,
            text,
            ch,
            class,
            cluster_start: starts,
            shrink_l: 0.0,
            shrink_r: 0.0,
            gap: 0.0,
            gap_shrink: 0.0,
            gap_stretch: 0.0,
            justifiable: false,
            emphasis: style.emphasis && class == Class::Ideograph,
            link: style.link,
            colour: style.colour,
            mono: style.mono,
            slant: style.emphasis && !class.is_cjk() && !style.mono,
            hyphen: None,
        });
    }
    if style.mono {
        columns(&mut out.glyphs[first..], size);
        return;
    }
    for g in &mut out.glyphs[first..] {
        let cluster = &full[g.text.start as usize..g.text.end as usize];
        // The 2-em dash ligature is narrower than two ems in some fonts;
        // centre it in its two ems.
        if matches!(cluster, "——" | "⸺") && g.advance < 2.0 * size {
            g.dx += (2.0 * size - g.advance) / 2.0;
            g.advance = 2.0 * size;
        }
        // GB/T 15834 gives the interpunct (·) half an em; fonts draw it
        // narrower, as the Latin middle dot.
        if g.ch == '·'
            && params.punct == PunctStyle::Gb
            && g.cluster_start
            && g.advance < 0.5 * size
        {
            g.dx += (0.5 * size - g.advance) / 2.0;
            g.advance = 0.5 * size;
        }
        if g.class.is_punct() && params.punct == PunctStyle::Gb && g.cluster_start {
            let full_width = (g.advance - size).abs() < 0.02 * size;
            if full_width {
                let (l, r) = fonts.halt_blanks(font, g.ch, params.lang_tag());
                let (l, r) = if l + r > 0.0 {
                    (l, r)
                } else {
                    match g.class {
                        Class::Open => (0.5, 0.0),
                        Class::Close => (0.0, 0.5),
                        Class::Middle => (0.25, 0.25),
                        _ => (0.0, 0.0),
                    }
                };
                g.shrink_l = l * size;
                g.shrink_r = r * size;
            }
        }
        if g.class == Class::Space {
            g.shrink_r = g.advance / 3.0;
        }
    }
}

/// Code's glyphs on its columns: each cluster takes the whole number of
/// columns nearest its width (one at least, two for an ideograph), its ink
/// centred in them; marks that combine with it take none. A face without
/// the character, or a monospace face of another width, cannot then put
/// a column out of line.
fn columns(glyphs: &mut [Glyph], size: f32) {
    let column = COLUMN * size;
    let mut i = 0;
    while i < glyphs.len() {
        let mut end = i + 1;
        while end < glyphs.len() && !glyphs[end].cluster_start {
            end += 1;
        }
        let natural: f32 = glyphs[i..end].iter().map(|g| g.advance).sum();
        let wide = (natural / column).round().max(1.0) * column;
        glyphs[i].dx += (wide - natural) / 2.0;
        glyphs[i].advance += wide - natural;
        i = end;
    }
}

/// Compression of adjacent punctuation (GB), the Han–Latin gap, and which
/// gaps justification may widen.
fn adjust(_fonts: &FontSet<'_>, out: &mut Shaped, params: &ShapeParams) {
    let g = &mut out.glyphs;
    let n = g.len();
    if params.punct == PunctStyle::Gb {
        // clreq §3.1.6.1: two adjacent full-width marks take 1.5 em. The
        // first gives up its right blank if it has one, else the second its
        // left blank.
        for i in 0..n.saturating_sub(1) {
            if !(g[i].class.is_punct() && g[i + 1].class.is_punct() && g[i + 1].cluster_start)
                || g[i].mono
                || g[i + 1].mono
            {
                continue;
            }
            let delta = g[i].size / 2.0;
            if g[i].shrink_r + g[i + 1].shrink_l + 1e-3 < delta {
                continue;
            }
            let right = g[i].shrink_r.min(delta);
            g[i].shrink_r -= right;
            g[i].advance -= right;
            let left = delta - right;
            g[i + 1].shrink_l -= left;
            g[i + 1].advance -= left;
            g[i + 1].dx -= left;
        }
    }
    for i in 0..n.saturating_sub(1) {
        let (a, b) = (&g[i], &g[i + 1]);
        // Code keeps its columns; text meets inline code as it meets
        // Latin words.
        if !b.cluster_start || (a.mono && b.mono) {
            continue;
        }
        let em = a.size.max(b.size);
        let han_latin = (a.class == Class::Ideograph && b.class == Class::Alnum)
            || (a.class == Class::Alnum && b.class == Class::Ideograph);
        let (gap, shrink, stretch, justifiable) = if han_latin && a.rise == b.rise {
            (
                CJK_LATIN_GAP * em,
                CJK_LATIN_SHRINK * em,
                CJK_LATIN_STRETCH * em,
                true,
            )
        } else if a.class == Class::Space {
            (0.0, 0.0, a.advance / 2.0, true)
        } else if is_ideographic_gap(a.class, b.class)
            || (outside_marks(a.class, b.class) && a.rise == b.rise)
        {
            (0.0, 0.0, IDEOGRAPH_STRETCH * em, true)
        } else if is_latin_pair(a, b) {
            (0.0, 0.0, LATIN_STRETCH * em, false)
        } else {
            (0.0, 0.0, 0.0, false)
        };
        let a = &mut g[i];
        a.gap = gap;
        a.gap_shrink = shrink;
        a.gap_stretch = stretch;
        a.justifiable = justifiable;
    }
}

/// The gap after a closing or pausing mark and before an opening one
/// widens too (clreq §3.8.2 spreads a line over all gaps between
/// characters but those inside unbreakable marks and around connectors):
/// a line of long Latin words has few other gaps to spread over.
fn outside_marks(a: Class, b: Class) -> bool {
    matches!(
        (a, b),
        (Class::Close, Class::Ideograph | Class::Alnum | Class::Dash)
            | (Class::Ideograph | Class::Alnum | Class::Dash, Class::Open)
    )
}

/// Two neighbours inside a Latin word or a URL (not code, not a space).
fn is_latin_pair(a: &Glyph, b: &Glyph) -> bool {
    let latin = |g: &Glyph| matches!(g.class, Class::Alnum | Class::Other) && !g.mono;
    latin(a) && latin(b) && a.rise == b.rise && !a.ch.is_whitespace() && !b.ch.is_whitespace()
}

/// Justification widens the gaps between ideographs, not those inside
/// brackets or next to stops, which already carry blank (clreq §3.8).
fn is_ideographic_gap(a: Class, b: Class) -> bool {
    matches!(
        (a, b),
        (Class::Ideograph, Class::Ideograph | Class::Dash) | (Class::Dash, Class::Ideograph)
    )
}
