//! One line from its glyphs: edge adjustments (an opening bracket at the
//! start and a closing mark at the end lose their blank half, the Han–Latin
//! gap never reaches an edge), then justification spread evenly over the
//! gaps between characters (ideographs, Han–Latin boundaries, word spaces,
//! the outer side of punctuation), gaps inside Latin words taking a fifth
//! as much up to a twentieth of an em.

use std::ops::Range;

use super::fontset::FontIx;
use super::linebreak::{LineFit, Metrics};
use super::shape::{Class, Shaped};
use crate::cover::Rgb;

/// A glyph at its place on the line.
#[derive(Debug, Clone)]
pub struct Placed {
    pub font: FontIx,
    pub gid: u16,
    pub size: f32,
    /// Where the glyph's origin is drawn, from the line's start.
    pub x: f32,
    pub rise: f32,
    /// The width the glyph takes on the line.
    pub advance: f32,
    /// Its text, in [`Line::text`].
    pub text: Range<u32>,
    pub emphasis: bool,
    /// Drawn slanted (Latin emphasis).
    pub slant: bool,
    pub link: Option<u16>,
    /// Drawn in this colour rather than the text's (highlighted code).
    pub colour: Option<Rgb>,
}

/// A set line. `width` is what it occupies, from 0.
#[derive(Debug, Clone, Default)]
pub struct Line {
    pub glyphs: Vec<Placed>,
    pub text: String,
    pub width: f32,
    /// The largest glyph size on the line.
    pub size: f32,
    /// Glyphs set apart on purpose (leader dots): text extraction should
    /// see them apart too.
    pub spaced: bool,
}

impl Line {
    pub fn glyph_text(&self, p: &Placed) -> &str {
        self.text
            .get(p.text.start as usize..p.text.end as usize)
            .unwrap_or("")
    }
}

/// Sets glyphs `start..end` of `shaped` as a line of `width`, justified or
/// at natural width.
pub fn set_line(
    shaped: &Shaped,
    metrics: &Metrics<'_>,
    start: usize,
    end: usize,
    width: f32,
    justify: bool,
) -> Line {
    let fit = metrics.fit(start, end);
    let glyphs = &shaped.glyphs;
    let e = fit.end;
    let mut line = Line {
        glyphs: Vec::with_capacity(e.saturating_sub(start)),
        ..Line::default()
    };
    if e <= start {
        return line;
    }
    let em = glyphs[start..e].iter().map(|g| g.size).fold(0.0, f32::max) as f64;
    let spread = Spread::new(&fit, width as f64, justify, em);
    let mut x = 0.0f64;
    for (i, g) in glyphs.iter().enumerate().take(e).skip(start) {
        let mut advance = g.advance as f64;
        let mut dx = g.dx as f64;
        let (mut sl, mut sr) = (g.shrink_l as f64, g.shrink_r as f64);
        if i == start && fit.trim_start > 0.0 {
            advance -= fit.trim_start;
            dx -= fit.trim_start;
            sl = 0.0;
        }
        if i == e - 1 && fit.trim_end > 0.0 {
            advance -= fit.trim_end;
            sr = 0.0;
        }
        // Shrinking takes the same share of every glyph's blank.
        advance -= (sl + sr) * spread.shrink;
        dx -= sl * spread.shrink;
        if g.class != Class::Newline {
            let text_start = line.text.len() as u32;
            line.text.push_str(shaped.cluster_text(g));
            line.glyphs.push(Placed {
                font: g.font,
                gid: g.gid,
                size: g.size,
                x: (x + dx) as f32,
                rise: g.rise,
                advance: advance as f32,
                text: text_start..line.text.len() as u32,
                emphasis: g.emphasis,
                colour: g.colour,
                slant: g.slant,
                link: g.link,
            });
            line.size = line.size.max(g.size);
        }
        x += advance;
        if i + 1 < e {
            x += g.gap as f64 - g.gap_shrink as f64 * spread.shrink;
            x += if g.justifiable {
                spread.level
            } else {
                g.gap_stretch as f64 * spread.letters
            };
        }
    }
    if let (Some(h), Some(last)) = (fit.hyphen, line.glyphs.last()) {
        // The hyphen is text (extraction reads it), in the word's face and
        // link.
        let (font, size, rise, link, colour, slant) = (
            last.font,
            last.size,
            last.rise,
            last.link,
            last.colour,
            last.slant,
        );
        let text_start = line.text.len() as u32;
        line.text.push('-');
        line.glyphs.push(Placed {
            font,
            gid: h.gid,
            size,
            x: x as f32,
            rise,
            advance: h.advance,
            text: text_start..line.text.len() as u32,
            emphasis: false,
            slant,
            link,
            colour,
        });
        x += h.advance as f64;
    }
    line.width = x as f32;
    line
}

/// How a line's slack is shared out.
struct Spread {
    /// Extra width for each gap between characters.
    level: f64,
    /// The share of their stretch the gaps inside Latin words take.
    letters: f64,
    /// Fraction of every shrinkable blank given up (0..=1).
    shrink: f64,
}

/// The most a gap widens; a line that would need more (a few words
/// before an unbreakable URL) is left short instead.
const MAX_LEVEL: f64 = 0.6;

impl Spread {
    fn new(fit: &LineFit, width: f64, justify: bool, em: f64) -> Spread {
        let delta = width - fit.natural;
        let mut s = Spread {
            level: 0.0,
            letters: 0.0,
            shrink: 0.0,
        };
        if delta < -0.001 {
            if fit.shrink > 0.0 {
                s.shrink = (-delta / fit.shrink).min(1.0);
            }
        } else if justify && delta > 0.001 {
            s.level = fit.level(width, em).min(MAX_LEVEL * em);
            s.letters = LineFit::letter_share(s.level, em);
        }
        s
    }
}
