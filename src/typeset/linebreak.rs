//! Choosing line breaks over the whole paragraph (total fit, Knuth–Plass
//! with typst's cost model) from the glyphs' widths and adjustabilities,
//! with first fit for paragraphs too long to be worth it.

use super::breaks::{BreakKind, Opportunity};
use super::shape::{Class, Glyph};

/// Paragraphs with more glyphs than this are broken first-fit.
const TOTAL_FIT_LIMIT: usize = 60_000;
/// No line holds more glyphs than this (zero-width runs would otherwise
/// keep every earlier break alive).
const MAX_LINE_GLYPHS: usize = 4_000;
/// Penalty for a last line holding a single character (clreq: no lone
/// character ends a paragraph), and for one of two characters.
const LONE_CHAR_PENALTY: f64 = 3000.0;
const SHORT_LAST_PENALTY: f64 = 40.0;
/// Penalty for ending a line with a hyphen inside a Latin word, and for
/// breaking a URL: a little stretch between ideographs is the lesser evil,
/// letter-spacing a whole line (a gap over 0.25 em) the greater.
const HYPHEN_PENALTY: f64 = 60.0;
const URL_PENALTY: f64 = 30.0;
const INSIDE_URL_PENALTY: f64 = 150.0;
/// A quarter em of extra space between characters, what crossing it
/// costs, and what each em beyond it costs.
pub const LOOSE_LEVEL: f64 = 0.25;
const LOOSE_STEP: f64 = 2000.0;
const LOOSE_PENALTY: f64 = 30000.0;

/// The measure of each line: the first may differ (indent).
#[derive(Debug, Clone, Copy)]
pub struct Measure {
    pub first: f32,
    pub rest: f32,
    /// Body size, for normalising stretch beyond the comfortable.
    pub em: f32,
    /// Justify (all lines but the last and those before a forced break).
    pub justify: bool,
}

impl Measure {
    fn width(&self, start: usize) -> f32 {
        if start == 0 {
            self.first
        } else {
            self.rest
        }
    }
}

/// Cumulative sums over the glyphs, so that any line's metrics cost O(1).
pub struct Metrics<'a> {
    pub glyphs: &'a [Glyph],
    adv: Vec<f64>,
    gap: Vec<f64>,
    stretch: Vec<f64>,
    shrink: Vec<f64>,
    punct_shrink: Vec<f64>,
    justifiables: Vec<u32>,
    /// Stretch of the gaps inside Latin words.
    letter_stretch: Vec<f64>,
}

/// A candidate line's width and how far it may give.
#[derive(Debug, Clone, Copy, Default)]
pub struct LineFit {
    /// First glyph after trailing spaces are dropped.
    pub end: usize,
    pub natural: f64,
    pub stretch: f64,
    pub shrink: f64,
    pub justifiables: u32,
    /// How much the gaps inside Latin words may widen in all.
    pub letter_stretch: f64,
    /// Trimmed from an opening bracket at the start, and from a closing
    /// mark at the end.
    pub trim_start: f64,
    pub trim_end: f64,
    /// The hyphen that ends a line broken inside a word (its width is in
    /// `natural`).
    pub hyphen: Option<super::shape::Hyphen>,
}

impl<'a> Metrics<'a> {
    pub fn new(glyphs: &'a [Glyph]) -> Metrics<'a> {
        let n = glyphs.len();
        let mut m = Metrics {
            glyphs,
            adv: Vec::with_capacity(n + 1),
            gap: Vec::with_capacity(n + 1),
            stretch: Vec::with_capacity(n + 1),
            shrink: Vec::with_capacity(n + 1),
            punct_shrink: Vec::with_capacity(n + 1),
            justifiables: Vec::with_capacity(n + 1),
            letter_stretch: Vec::with_capacity(n + 1),
        };
        // Prefix sums: entry i covers glyphs[..i], so a line's totals are
        // differences of two entries.
        let (mut a, mut g, mut st, mut sh, mut ps, mut j) = (0.0, 0.0, 0.0, 0.0, 0.0, 0);
        let mut ls = 0.0;
        for gl in std::iter::once(None).chain(glyphs.iter().map(Some)) {
            if let Some(gl) = gl {
                a += gl.advance as f64;
                g += gl.gap as f64;
                st += gl.gap_stretch as f64;
                sh += gl.gap_shrink as f64;
                ps += (gl.shrink_l + gl.shrink_r) as f64;
                j += gl.justifiable as u32;
                if !gl.justifiable {
                    ls += gl.gap_stretch as f64;
                }
            }
            m.adv.push(a);
            m.gap.push(g);
            m.stretch.push(st);
            m.shrink.push(sh);
            m.punct_shrink.push(ps);
            m.justifiables.push(j);
            m.letter_stretch.push(ls);
        }
        m
    }

    /// Metrics of the line holding glyphs `start..end`.
    pub fn fit(&self, start: usize, end: usize) -> LineFit {
        let g = self.glyphs;
        let mut e = end;
        while e > start && matches!(g[e - 1].class, Class::Space | Class::Newline) {
            e -= 1;
        }
        if e <= start {
            return LineFit {
                end: start,
                ..LineFit::default()
            };
        }
        let last = e - 1;
        let trim_start = if g[start].class == Class::Open {
            g[start].shrink_l as f64
        } else {
            0.0
        };
        let trim_end = if g[last].class == Class::Close && last != start {
            g[last].shrink_r as f64
        } else {
            0.0
        };
        let hyphen = if e == end { g[last].hyphen } else { None };
        let natural = self.adv[e] - self.adv[start] + self.gap[last]
            - self.gap[start]
            - trim_start
            - trim_end
            + hyphen.map_or(0.0, |h| h.advance as f64);
        LineFit {
            hyphen,
            end: e,
            natural,
            stretch: self.stretch[last] - self.stretch[start],
            shrink: self.shrink[last] - self.shrink[start] + self.punct_shrink[e]
                - self.punct_shrink[start]
                - trim_start
                - trim_end,
            justifiables: self.justifiables[last] - self.justifiables[start],
            letter_stretch: self.letter_stretch[last] - self.letter_stretch[start],
            trim_start,
            trim_end,
        }
    }
}

impl LineFit {
    /// How far apart a justified line of `width` sets its characters: the
    /// extra width each gap between characters takes, the same in every
    /// one (which leaves the widest as narrow as it can be). Gaps inside
    /// Latin words widen in proportion, to their own small stretch when
    /// the others reach a quarter em. Infinite when only those could widen
    /// and they do not suffice.
    pub fn level(&self, width: f64, em: f64) -> f64 {
        let slack = width - self.natural;
        if slack <= 0.0 {
            return 0.0;
        }
        let full = LOOSE_LEVEL * em;
        let per = self.justifiables as f64 + self.letter_stretch / full;
        if per > 0.0 && slack / per <= full {
            slack / per
        } else if self.justifiables > 0 {
            (slack - self.letter_stretch) / self.justifiables as f64
        } else {
            f64::INFINITY
        }
    }

    /// The share of its stretch a gap inside a Latin word takes at `level`.
    pub fn letter_share(level: f64, em: f64) -> f64 {
        (level / (LOOSE_LEVEL * em)).min(1.0)
    }
}

/// How much a line must stretch (> 0) or shrink (< 0) relative to what it
/// comfortably can; below −1 it is overfull. Beyond its comfortable stretch
/// a line stretches its justifiable gaps, measured in half ems (typst).
pub fn ratio(fit: &LineFit, width: f64, em: f64) -> f64 {
    let mut delta = width - fit.natural;
    if delta.abs() < 0.01 {
        delta = 0.0;
    }
    let r = if delta >= 0.0 {
        if delta == 0.0 {
            0.0
        } else if fit.stretch > 0.0 && delta <= fit.stretch {
            delta / fit.stretch
        } else if fit.justifiables > 0 {
            let extra = (delta - fit.stretch) / fit.justifiables as f64;
            1.0 + extra / (em / 2.0)
        } else {
            10.0
        }
    } else if fit.shrink > 0.0 {
        delta / fit.shrink
    } else {
        -2.0
    };
    r.clamp(-2.0, 10.0)
}

/// Breaks `glyphs` into lines (glyph ranges) at some of `opps`.
pub fn break_lines(
    glyphs: &[Glyph],
    opps: &[Opportunity],
    measure: &Measure,
) -> Vec<(usize, usize)> {
    if glyphs.is_empty() {
        return Vec::new();
    }
    let metrics = Metrics::new(glyphs);
    let ends = if glyphs.len() > TOTAL_FIT_LIMIT {
        first_fit(&metrics, opps, measure)
    } else {
        total_fit(&metrics, opps, measure)
    };
    let mut lines = Vec::with_capacity(ends.len());
    let mut start = 0;
    for end in ends {
        if end > start {
            lines.push((start, end));
        }
        start = end;
    }
    lines
}

/// The cost of a line, Knuth–Plass style: (1 + badness + penalty)².
fn cost(
    metrics: &Metrics<'_>,
    start: usize,
    op: &Opportunity,
    measure: &Measure,
    last: bool,
) -> (f64, f64) {
    let fit = metrics.fit(start, op.at);
    let width = measure.width(start) as f64;
    let r = ratio(&fit, width, measure.em as f64);
    // Ragged lines pay for their slack too, so that they fill evenly; only
    // a paragraph's last line (and one before a forced break) is free.
    let ends_paragraph = last || op.kind == BreakKind::Mandatory;
    let mut badness = if r < -1.0 {
        1.0e6
    } else if !ends_paragraph || r < 0.0 {
        100.0 * r.abs().powi(3)
    } else {
        0.0
    };
    // A justified line letter-spaced beyond a quarter em between
    // characters reads as spaced out: worse than any number of
    // comfortable lines (the sum of costs alone would trade one such line
    // for a few slightly loose ones), whence a step at the threshold.
    if measure.justify && !ends_paragraph {
        let level = fit.level(width, measure.em as f64) / measure.em as f64;
        if level > LOOSE_LEVEL {
            badness += LOOSE_STEP + LOOSE_PENALTY * (level - LOOSE_LEVEL).min(10.0);
        }
    }
    let mut penalty = match op.kind {
        BreakKind::Emergency(p) => p as f64,
        BreakKind::Hyphen => HYPHEN_PENALTY,
        BreakKind::Url => URL_PENALTY,
        BreakKind::InsideUrl => INSIDE_URL_PENALTY,
        BreakKind::Normal | BreakKind::Mandatory => 0.0,
    };
    if last && op.kind == BreakKind::Mandatory {
        let chars = metrics.glyphs[start..fit.end]
            .iter()
            .filter(|g| {
                g.cluster_start && matches!(g.class, Class::Ideograph | Class::Alnum | Class::Other)
            })
            .count();
        if start > 0 && chars <= 1 {
            penalty += LONE_CHAR_PENALTY;
        } else if start > 0 && chars == 2 {
            penalty += SHORT_LAST_PENALTY;
        }
    }
    (r, (1.0 + badness + penalty).powi(2))
}

fn total_fit(metrics: &Metrics<'_>, opps: &[Opportunity], measure: &Measure) -> Vec<usize> {
    struct Entry {
        at: usize,
        total: f64,
        pred: usize,
    }
    let mut table = vec![Entry {
        at: 0,
        total: 0.0,
        pred: usize::MAX,
    }];
    let mut active = 0;
    let n = metrics.glyphs.len();
    for op in opps {
        let last = op.at == n;
        let mut best: Option<Entry> = None;
        let preds = table.len();
        let mut pi = active;
        while pi < preds {
            let start = table[pi].at;
            if start >= op.at {
                pi += 1;
                continue;
            }
            let (r, c) = cost(metrics, start, op, measure, last);
            // An overfull line stays overfull for every later end: the
            // earliest start leaves the active set.
            if (r < -1.0 || op.at - start > MAX_LINE_GLYPHS) && active == pi {
                active += 1;
            }
            let total = table[pi].total + c;
            if best.as_ref().is_none_or(|b| total < b.total) {
                best = Some(Entry {
                    at: op.at,
                    total,
                    pred: pi,
                });
            }
            // Later starts give shorter, looser lines still: once a line is
            // this loose and a fitting one has been found, stop looking.
            if r > 2.0 && !last && best.as_ref().is_some_and(|b| b.total < 1.0e11) {
                break;
            }
            pi += 1;
        }
        if op.kind == BreakKind::Mandatory {
            active = table.len();
        }
        if let Some(b) = best {
            table.push(b);
        } else if op.kind == BreakKind::Mandatory || last {
            // Nothing could reach here (cannot happen: the active set is
            // never empty); keep the chain unbroken anyway.
            let pred = table.len() - 1;
            table.push(Entry {
                at: op.at,
                total: table[pred].total + 1.0e12,
                pred,
            });
        }
        active = active.min(table.len() - 1);
    }
    let mut ends = Vec::new();
    let mut i = table.len() - 1;
    while i != 0 && i != usize::MAX {
        ends.push(table[i].at);
        i = table[i].pred;
    }
    ends.reverse();
    ends
}

/// Greedy: each line takes as much as fits (shrinking if need be), ending
/// at a normal break when there is one, else at an emergency one.
pub fn first_fit(metrics: &Metrics<'_>, opps: &[Opportunity], measure: &Measure) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut start = 0;
    let (mut normal, mut emergency): (Option<usize>, Option<usize>) = (None, None);
    let mut i = 0;
    while i < opps.len() {
        let op = &opps[i];
        if op.at <= start {
            i += 1;
            continue;
        }
        let fit = metrics.fit(start, op.at);
        let r = ratio(&fit, measure.width(start) as f64, measure.em as f64);
        let fits = r >= -1.0 && op.at - start <= MAX_LINE_GLYPHS;
        if fits && op.kind != BreakKind::Mandatory {
            match op.kind {
                BreakKind::Emergency(_) => emergency = Some(op.at),
                _ => normal = Some(op.at),
            }
            i += 1;
            continue;
        }
        let end = if fits {
            op.at
        } else {
            normal.or(emergency).unwrap_or(op.at)
        };
        ends.push(end);
        start = end;
        normal = None;
        emergency = None;
        if end == op.at {
            i += 1;
        }
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::breaks::{BreakKind, Opportunity};

    /// A Latin-like glyph stream: words of the given widths (in ems of size
    /// 10) separated by spaces, with a break after each space.
    fn words(widths: &[f32]) -> (Vec<Glyph>, Vec<Opportunity>) {
        let mut glyphs = Vec::new();
        let mut opps = Vec::new();
        let glyph = |class: Class, advance: f32| Glyph {
            font: 0,
            gid: 1,
            size: 10.0,
            advance,
            dx: 0.0,
            rise: 0.0,
            text: 0..0,
            ch: 'a',
            class,
            cluster_start: true,
            shrink_l: 0.0,
            shrink_r: if class == Class::Space {
                advance / 3.0
            } else {
                0.0
            },
            gap: 0.0,
            gap_shrink: 0.0,
            gap_stretch: if class == Class::Space {
                advance / 2.0
            } else {
                0.0
            },
            justifiable: class == Class::Space,
            emphasis: false,
            link: None,
            mono: false,
            slant: false,
            hyphen: None,
            colour: None,
        };
        for (i, &w) in widths.iter().enumerate() {
            if i > 0 {
                glyphs.push(glyph(Class::Space, 3.3));
                opps.push(Opportunity {
                    at: glyphs.len(),
                    kind: BreakKind::Normal,
                });
            }
            glyphs.push(glyph(Class::Alnum, w * 10.0));
        }
        opps.push(Opportunity {
            at: glyphs.len(),
            kind: BreakKind::Mandatory,
        });
        (glyphs, opps)
    }

    fn worst_ratio(glyphs: &[Glyph], ends: &[usize], m: &Measure) -> f64 {
        let metrics = Metrics::new(glyphs);
        let mut start = 0;
        let mut worst: f64 = 0.0;
        for (i, &end) in ends.iter().enumerate() {
            if i + 1 < ends.len() {
                let r = ratio(&metrics.fit(start, end), m.width(start) as f64, m.em as f64);
                worst = worst.max(r.abs());
            }
            start = end;
        }
        worst
    }

    #[test]
    fn total_fit_avoids_the_loose_line_first_fit_leaves() {
        // First fit fills line one, which leaves too little to fill line
        // two; total fit takes a word less on line one and evens them out.
        let (glyphs, opps) = words(&[
            2.5, 3.0, 2.5, 4.5, 2.5, 2.0, 2.5, 2.0, 1.0, 3.5, 4.5, 2.5, 3.0, 3.0, 4.5, 4.5, 1.5,
        ]);
        let m = Measure {
            first: 248.0,
            rest: 248.0,
            em: 10.0,
            justify: true,
        };
        let metrics = Metrics::new(&glyphs);
        let greedy = first_fit(&metrics, &opps, &m);
        let total = total_fit(&metrics, &opps, &m);
        let (g, t) = (
            worst_ratio(&glyphs, &greedy, &m),
            worst_ratio(&glyphs, &total, &m),
        );
        assert!(
            g > 1.0,
            "first fit should leave a loose line: {g} {greedy:?}"
        );
        assert!(t <= 1.0, "total fit should not: {t} {total:?}");
    }

    #[test]
    fn every_gap_widens_alike_and_letters_only_a_little() {
        let fit = |justifiables: u32, letter_stretch: f64| LineFit {
            natural: 100.0,
            justifiables,
            letter_stretch,
            ..LineFit::default()
        };
        // Ten gaps share 5 pt evenly; none is needed when the line is full.
        assert!((fit(10, 0.0).level(105.0, 10.0) - 0.5).abs() < 1e-9);
        assert_eq!(fit(10, 0.0).level(100.0, 10.0), 0.0);
        // Letters (2 pt of stretch in all) take a fifth of a gap's widening
        // while it is under a quarter em: 10 gaps of 1.0 + 2 × 0.4.
        let level = fit(10, 2.0).level(110.8, 10.0);
        assert!((level - 1.0).abs() < 1e-9, "{level}");
        assert!((LineFit::letter_share(level, 10.0) - 0.4).abs() < 1e-9);
        // Beyond a quarter em, letters stay at their stretch.
        let level = fit(10, 2.0).level(132.0, 10.0);
        assert!((level - 3.0).abs() < 1e-9, "{level}");
        assert_eq!(LineFit::letter_share(level, 10.0), 1.0);
        // Letters alone cannot fill a line.
        assert!(fit(0, 2.0).level(110.0, 10.0).is_infinite());
    }

    #[test]
    fn first_fit_and_total_fit_agree_when_everything_fits_exactly() {
        let (glyphs, opps) = words(&[3.0; 12]);
        let m = Measure {
            first: 3.0 * 30.0 + 2.0 * 3.3,
            rest: 3.0 * 30.0 + 2.0 * 3.3,
            em: 10.0,
            justify: true,
        };
        let metrics = Metrics::new(&glyphs);
        assert_eq!(
            first_fit(&metrics, &opps, &m),
            total_fit(&metrics, &opps, &m)
        );
    }
}
