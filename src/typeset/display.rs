//! Display text (titles, headings, TOC entries, running heads) set by its
//! own rules rather than the body's: lines break where a phrase ends
//! (after ，：、；！？。 and spaces, either side of ——), are balanced
//! (no last line left short), and are set at their natural width, never
//! justified, so that no punctuation is squeezed to make a word fit.
//!
//! Within a run of characters without punctuation no word list is at
//! hand: a break there is dear, a little less so next to a few
//! single-character function words (的, 与, 以 …), and the line lengths
//! decide.

use std::sync::Arc;

use super::breaks::{self, BreakKind};
use super::line::{set_line, Line};
use super::linebreak::Metrics;
use super::paragraph::{
    inked_width, set_paragraph, set_plain, Align, ParaSpec, SetParagraph, Setter,
};
use super::shape::{shape, Class, Glyph, ShapeParams, StyledText};

/// Evidence of which two ideographs make a word: how often each pair of
/// adjacent ideographs occurs in the text the display text belongs to (an
/// article's title and headings, in that article). A pair that recurs more
/// than its neighbours is most likely a word (组织, 工作); one rarer than a
/// neighbour most likely spans two.
#[derive(Debug, Default)]
pub struct Pairs(rustc_hash::FxHashMap<(char, char), u32>);

/// A pair seen this often may be taken for a word.
const RECURS: u32 = 3;
/// Added for breaking inside a word so found, taken off for breaking
/// between two.
const RECURRING: f64 = 30.0;
const BETWEEN: f64 = 10.0;

impl Pairs {
    /// The pairs of everything an article prints.
    pub fn of(article: &crate::model::Article) -> Pairs {
        let mut pairs = Pairs::default();
        crate::model::visit_text(article, &mut |text, _, _| pairs.add(text));
        pairs
    }

    fn add(&mut self, text: &str) {
        let mut prev: Option<char> = None;
        for c in text.chars() {
            let han = crate::cjk::is_han(c);
            if let (Some(p), true) = (prev, han) {
                *self.0.entry((p, c)).or_default() += 1;
            }
            prev = han.then_some(c);
        }
    }

    fn count(&self, a: char, b: char) -> u32 {
        self.0.get(&(a, b)).copied().unwrap_or(0)
    }
}

/// How display text is set.
#[derive(Debug, Clone, Copy)]
pub struct DisplaySpec<'a> {
    /// What tells words apart inside a run of ideographs, if anything.
    pub pairs: Option<&'a Pairs>,
    pub shape: ShapeParams,
    /// The first line's measure.
    pub width: f32,
    /// How much further in continuation lines stand (a TOC entry's
    /// hanging indent); they are that much narrower.
    pub hang: f32,
    /// `Center` centres each line on its ink within the measure;
    /// anything else sets lines flush left.
    pub align: Align,
}

/// Texts longer than this many glyphs are not display text (a pasted
/// paragraph as a title): they are set as a paragraph.
const MAX_GLYPHS: usize = 400;
/// At most this many lines are weighed.
const MAX_LINES: usize = 12;
/// Costs, in squared ems of imbalance: a break inside a run of
/// ideographs may split a word; next to a function word it is likelier
/// not to; at a bracket, a quote or a change of script a word ends.
const INNER: f64 = 40.0;
const HINTED: f64 = 14.0;
const BOUNDARY: f64 = 5.0;
/// Taken off `INNER` for a break an even number of characters from
/// either end of its run.
const PAIRED: f64 = 12.0;
/// A line more than the fewest possible.
const EXTRA_LINE: f64 = 12.0;
/// A line holding fewer than two characters.
const LONE: f64 = 80.0;

/// Sets display text: phrase breaks, balanced lines, natural widths.
/// Offsets are from the first line's left edge (continuation lines
/// include `hang`).
pub fn set_display(setter: Setter<'_>, text: &StyledText, spec: &DisplaySpec<'_>) -> SetParagraph {
    let shaped = shape(setter.fonts, text, &spec.shape);
    let n = shaped.glyphs.len();
    let rest = (spec.width - spec.hang).max(spec.shape.size);
    let fallback = || {
        let para = ParaSpec {
            shape: spec.shape,
            width: spec.width,
            indent: 0.0,
            align: spec.align,
        };
        set_paragraph(setter, text, &para)
    };
    if n == 0 || n > MAX_GLYPHS {
        return fallback();
    }
    let metrics = Metrics::new(&shaped.glyphs);
    let opps = breaks::opportunities(&shaped);
    // Candidate line starts: the text's start, every break, its end.
    let mut at = vec![0usize];
    let mut cost = vec![0.0f64];
    let mut forced = vec![false];
    for o in &opps {
        // Display lines never end in a hyphen: a title keeps its words.
        if o.at == 0 || o.at > n || at.last() == Some(&o.at) || o.kind == BreakKind::Hyphen {
            continue;
        }
        at.push(o.at);
        cost.push(if o.at == n {
            0.0
        } else {
            break_cost(&shaped.glyphs, o.at, spec.pairs)
        });
        forced.push(o.kind == BreakKind::Mandatory);
    }
    if at.last() != Some(&n) {
        at.push(n);
        cost.push(0.0);
        forced.push(true);
    }
    let m = at.len();
    let em = spec.shape.size as f64;
    // width[i][j]: the natural width of the line from candidate i to j, in
    // ems, when it fits.
    let fits = |i: usize, j: usize| -> Option<f64> {
        let fit = metrics.fit(at[i], at[j]);
        let limit = if i == 0 { spec.width } else { rest } as f64;
        (fit.natural <= limit + 0.01).then_some(fit.natural / em)
    };
    // Ideographs and letters before each glyph, to count a line's in O(1).
    let mut counted = Vec::with_capacity(n + 1);
    counted.push(0usize);
    for g in &shaped.glyphs {
        let word = g.cluster_start && matches!(g.class, Class::Ideograph | Class::Alnum);
        counted.push(counted.last().copied().unwrap_or(0) + usize::from(word));
    }
    let chars = |i: usize, j: usize| counted[at[j]] - counted[at[i]];
    // The lines that may end at each candidate j, as (start i, width in
    // ems, penalty for a lone character), nearest start first: the same
    // for every line count weighed below, so measured once.
    let lines_to: Vec<Vec<(usize, f64, f64)>> = (0..m)
        .map(|j| {
            let mut ending = Vec::new();
            let mut line = |i: usize, w: f64| {
                let lone = if chars(i, j) < 2 && n > 1 { LONE } else { 0.0 };
                ending.push((i, w, lone));
            };
            for i in (0..j).rev() {
                if i + 1 < j && forced[i + 1] {
                    break;
                }
                match fits(i, j) {
                    Some(w) => line(i, w),
                    // Lines from further back are wider still, but the
                    // first line may be wider than the rest (a hanging
                    // indent): it may still fit.
                    None => {
                        if i > 0 && !forced[1..=i].contains(&true) {
                            if let Some(w) = fits(0, j) {
                                line(0, w);
                            }
                        }
                        break;
                    }
                }
            }
            ending
        })
        .collect();
    let total = metrics.fit(0, n).natural / em;
    let mut best: Option<(f64, Vec<usize>)> = None;
    let mut fewest = None;
    for k in 1..=MAX_LINES.min(m - 1) {
        if fewest.is_some_and(|f: usize| k > f + 2) {
            break;
        }
        let target = total / k as f64;
        // dp[l][j]: the cheapest setting of candidates 0..j in l lines.
        let mut dp = vec![vec![f64::INFINITY; m]; k + 1];
        let mut from = vec![vec![usize::MAX; m]; k + 1];
        dp[0][0] = 0.0;
        for l in 1..=k {
            for j in 1..m {
                for &(i, w, lone) in &lines_to[j] {
                    if !dp[l - 1][i].is_finite() {
                        continue;
                    }
                    let c = dp[l - 1][i] + imbalance(w, target, j == m - 1) + cost[j] + lone;
                    if c < dp[l][j] {
                        dp[l][j] = c;
                        from[l][j] = i;
                    }
                }
            }
        }
        let c = dp[k][m - 1];
        if !c.is_finite() {
            continue;
        }
        let f = *fewest.get_or_insert(k);
        let c = c + EXTRA_LINE * (k - f) as f64;
        if best.as_ref().is_none_or(|(b, _)| c < *b) {
            let mut ends = Vec::with_capacity(k);
            let mut j = m - 1;
            for l in (1..=k).rev() {
                ends.push(at[j]);
                j = from[l][j];
            }
            ends.reverse();
            best = Some((c, ends));
        }
    }
    let Some((_, ends)) = best else {
        return fallback();
    };
    let mut lines = Vec::with_capacity(ends.len());
    let mut start = 0;
    for (i, &end) in ends.iter().enumerate() {
        let (left, width) = if i == 0 {
            (0.0, spec.width)
        } else {
            (spec.hang, rest)
        };
        let line = set_line(&shaped, &metrics, start, end, width, false);
        let x = match spec.align {
            Align::Center => ((spec.width - inked_width(&line)) / 2.0).max(0.0),
            _ => left,
        };
        lines.push((x, Arc::new(line)));
        start = end;
    }
    SetParagraph {
        lines,
        missing: shaped.missing,
        phrased: true,
    }
}

/// What a line `w` ems long costs where balanced lines would be `target`
/// long: a short last line most, a long last line least (the eye reads a
/// title's lines as a block standing on its last).
fn imbalance(w: f64, target: f64, last: bool) -> f64 {
    let d = (w - target).powi(2);
    match (last, w < target) {
        (true, true) => d,
        (true, false) => d / 4.0,
        (false, _) => d / 2.0,
    }
}

/// Marks after which a phrase ends.
fn ends_phrase(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | ','
            | ';'
            | ':'
            | '?'
            | '!'
            | ' '
            | '\u{3000}'
    )
}

/// Single-character function words that begin what follows them, and the
/// characters before them that would make them the end of a word instead
/// (可以, 作为, 存在 …).
const LEADS: &str = "以为与和及在把将从并";
/// Particles that end what comes before them.
const TRAILS: &str = "的了着过们地得";
const LEAD_BREAKERS: &str = "可所予加难足得作成认因称行实存现正自好内外更即必旨";

/// What breaking before glyph `at` costs.
fn break_cost(glyphs: &[Glyph], at: usize, pairs: Option<&Pairs>) -> f64 {
    let Some(prev) = glyphs[..at].iter().rev().find(|g| g.cluster_start) else {
        return 0.0;
    };
    let next = &glyphs[at];
    let before_prev = glyphs[..at]
        .iter()
        .rev()
        .filter(|g| g.cluster_start)
        .nth(1)
        .map_or(' ', |g| g.ch);
    // A space between Latin words or numbers (GB/T 7714) is no phrase end.
    if prev.class == Class::Space
        && next.class == Class::Alnum
        && crate::cjk::is_latin_alnum(before_prev)
    {
        return INNER;
    }
    if ends_phrase(prev.ch) || prev.class == Class::Dash || next.class == Class::Dash {
        return 0.0;
    }
    // Inside Latin text (GB/T, a URL) only where nothing else will do.
    if !prev.class.is_cjk() && !next.class.is_cjk() && prev.class != Class::Space {
        return INNER + LONE;
    }
    if prev.class == Class::Close
        || next.class == Class::Open
        || prev.class == Class::Space
        || (prev.class == Class::Alnum) != (next.class == Class::Alnum)
    {
        return BOUNDARY;
    }
    // 的 and the particles never begin a line; a function word leads into
    // what follows it, so a line does not end on it.
    if TRAILS.contains(next.ch) {
        return INNER + LONE;
    }
    if LEADS.contains(prev.ch) && !LEAD_BREAKERS.contains(before_prev) {
        return INNER;
    }
    if prev.ch == '的' || (LEADS.contains(next.ch) && !LEAD_BREAKERS.contains(prev.ch)) {
        return HINTED;
    }
    // Most words of display text have two characters, and a run of
    // ideographs starts and ends a word: a break an even number of
    // characters from either end is likelier to fall between words.
    let cells: Vec<&Glyph> = glyphs.iter().filter(|g| g.cluster_start).collect();
    let Some(k) = cells.iter().position(|g| std::ptr::eq(*g, next)) else {
        return INNER;
    };
    // Back to where the word before the break must start at the latest.
    let mut j = k;
    while j > 0 && cells[j - 1].class == Class::Ideograph {
        j -= 1;
        let starts = j == 0
            || cells[j - 1].class != Class::Ideograph
            || cells[j - 1].ch == '的'
            || LEADS.contains(cells[j].ch);
        if starts {
            break;
        }
    }
    // A function word is a word of its own.
    if j < k && LEADS.contains(cells[j].ch) {
        j += 1;
    }
    let before = k - j;
    let after = cells[k..]
        .iter()
        .take_while(|g| g.class == Class::Ideograph && g.ch != '的')
        .count();
    let mut cost = INNER;
    if before % 2 == 0 {
        cost -= PAIRED;
    }
    if after % 2 == 0 {
        cost -= PAIRED;
    }
    if before == 1 || after == 1 {
        cost += LONE / 2.0;
    }
    if let Some(pairs) = pairs {
        // A pair that recurs at least as often as its neighbours is a word;
        // one rarer than a neighbour that recurs lies between two (作高 in
        // 工作高质量, however often the phrase recurs).
        let after_next = cells.get(k + 1).map_or(' ', |g| g.ch);
        let here = pairs.count(prev.ch, next.ch);
        let around = pairs
            .count(before_prev, prev.ch)
            .max(pairs.count(next.ch, after_next));
        if here >= RECURS && here >= around {
            cost += RECURRING;
        } else if around >= RECURS && here < around {
            cost -= BETWEEN;
        }
    }
    cost
}

/// `text` on one line no wider than `width`: whole if it fits, else cut
/// where a phrase ends (the mark left out) and followed by ……; only a
/// first phrase too long for the line is cut elsewhere (at a change of
/// script or a bracket, else between characters).
pub fn fit_head(setter: Setter<'_>, text: &str, shape: ShapeParams, width: f32) -> Line {
    let line = set_plain(setter, text, shape);
    if line.width <= width {
        return line;
    }
    let chars: Vec<char> = text.chars().collect();
    let trim = |end: usize| -> String {
        let s: String = chars[..end].iter().collect();
        s.trim_end_matches(|c: char| ends_phrase(c) || c == '—' || c.is_whitespace())
            .to_string()
    };
    let mut phrases: Vec<usize> = Vec::new();
    let mut words: Vec<usize> = Vec::new();
    for i in 1..chars.len() {
        let (a, b) = (chars[i - 1], chars[i]);
        if ends_phrase(b) || b == '—' && a != '—' {
            phrases.push(i);
        } else if crate::cjk::is_closing(a)
            || crate::cjk::is_opening(b)
            || crate::cjk::is_latin_alnum(a) != crate::cjk::is_latin_alnum(b)
        {
            words.push(i);
        }
    }
    for cuts in [&phrases, &words] {
        for &end in cuts.iter().rev() {
            let shown = trim(end);
            if shown.is_empty() {
                continue;
            }
            let l = set_plain(setter, &(shown + "……"), shape);
            if l.width <= width {
                return l;
            }
        }
    }
    super::paragraph::set_fitting(setter, text, shape, width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{PunctStyle, Script};
    use crate::typeset::fontset::testing::shipped;
    use crate::typeset::fontset::FontSet;
    use crate::typeset::paragraph::NoMemo;
    use crate::typeset::shape::SpanStyle;

    const SIZE: f32 = 10.0;

    fn params() -> ShapeParams {
        ShapeParams {
            size: SIZE,
            script: Script::Hans,
            punct: PunctStyle::Gb,
            bold: true,
            quote: false,
        }
    }

    fn lines(text: &str, width_em: f32) -> Vec<String> {
        let fonts = FontSet::new(shipped()).unwrap();
        let mut styled = StyledText::default();
        styled.push(text, SpanStyle::default());
        let spec = DisplaySpec {
            pairs: None,
            shape: params(),
            width: width_em * SIZE,
            hang: 0.0,
            align: Align::Center,
        };
        let setter = Setter {
            fonts: &fonts,
            memo: &NoMemo,
        };
        let set = set_display(setter, &styled, &spec);
        for (_, l) in &set.lines {
            assert!(l.width <= width_em * SIZE + 0.01, "{} overfull", l.text);
        }
        set.lines.into_iter().map(|(_, l)| l.text.clone()).collect()
    }

    #[test]
    fn titles_break_after_their_phrases_and_keep_full_width_marks() {
        let title = "党课：淬炼作风之剑，锻造组工精兵，为新时代组织工作高质量发展注入澎湃动能";
        let got = lines(title, 20.0);
        assert_eq!(got.concat(), title);
        assert!(got.len() <= 3, "{got:?}");
        for l in &got[..got.len() - 1] {
            assert!(l.ends_with(['，', '：']) || !l.ends_with("为新"), "{got:?}");
        }
        assert!(!got.join("|").contains("为新|"), "{got:?}");
        // Natural width: a mark followed by a character keeps its em.
        let fonts = FontSet::new(shipped()).unwrap();
        let setter = Setter {
            fonts: &fonts,
            memo: &NoMemo,
        };
        let mut styled = StyledText::default();
        styled.push(title, SpanStyle::default());
        let spec = DisplaySpec {
            pairs: None,
            shape: params(),
            width: 19.0 * SIZE,
            hang: 0.0,
            align: Align::Left,
        };
        for (_, l) in set_display(setter, &styled, &spec).lines {
            for (a, b) in l.glyphs.iter().zip(&l.glyphs[1..]) {
                if l.glyph_text(a) == "，" {
                    assert!(b.x - a.x >= SIZE - 0.01, "squeezed in {}", l.text);
                }
            }
        }
    }

    #[test]
    fn a_run_without_punctuation_is_balanced() {
        let got = lines(
            "以高质量党建引领基层治理现代化推动共同富裕取得更为明显的实质性进展",
            20.0,
        );
        assert_eq!(got.len(), 2, "{got:?}");
        let (a, b) = (got[0].chars().count(), got[1].chars().count());
        assert!(a.abs_diff(b) <= 4, "{got:?}");
    }

    #[test]
    fn running_heads_are_cut_where_a_phrase_ends() {
        let fonts = FontSet::new(shipped()).unwrap();
        let setter = Setter {
            fonts: &fonts,
            memo: &NoMemo,
        };
        let title = "党课：淬炼作风之剑，锻造组工精兵，为新时代组织工作高质量发展注入澎湃动能";
        let head = fit_head(setter, title, params(), 22.0 * SIZE);
        assert_eq!(head.text, "党课：淬炼作风之剑，锻造组工精兵……");
        let short = fit_head(setter, "短标题", params(), 22.0 * SIZE);
        assert_eq!(short.text, "短标题");
    }
}
