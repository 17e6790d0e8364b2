//! Where a line may end: UAX #14 tailored for Chinese (“ ‘ open, ” ’ close,
//! as typst's CJ segmenter has it) and for Latin text (URLs, hyphenated
//! words, standard numbers: see [`super::latin`]), then clreq's prohibition
//! rules at the strict level, then emergency breaks inside runs too long
//! for any line.

use super::latin::Verdict;
use super::shape::{Class, Shaped};
use crate::cjk;
use unicode_linebreak::{linebreaks, BreakOpportunity};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BreakKind {
    Normal,
    /// After a forced line break (and at the paragraph's end).
    Mandatory,
    /// Inside a run with no other break (an over-long URL); the value is
    /// the penalty.
    Emergency(f32),
    /// Inside a Latin word, at a syllable: the line ends with a hyphen.
    Hyphen,
    /// Between the parts of a URL (after a slash, a dot …): no hyphen.
    Url,
    /// Inside a part of a URL, between two letters or digits.
    InsideUrl,
}

/// A line may start at glyph `at` (the previous line ends before it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Opportunity {
    pub at: usize,
    pub kind: BreakKind,
}

/// Break opportunities of a shaped paragraph, in order; the last one is the
/// paragraph's end.
pub fn opportunities(shaped: &Shaped) -> Vec<Opportunity> {
    let text = &shaped.text;
    let tailored = tailor_quotes(text);
    // 0 = no break before this byte, 1 = allowed, 2 = mandatory.
    let mut at_byte = vec![0u8; text.len() + 1];
    for (i, op) in linebreaks(&tailored) {
        if i <= text.len() {
            at_byte[i] = match op {
                BreakOpportunity::Mandatory => 2,
                BreakOpportunity::Allowed => 1,
            };
        }
    }
    let glyphs = &shaped.glyphs;
    let mut out = Vec::new();
    for i in 1..glyphs.len() {
        let g = &glyphs[i];
        if !g.cluster_start {
            continue;
        }
        let byte = g.text.start as usize;
        if glyphs[i - 1].class == Class::Newline {
            out.push(Opportunity {
                at: i,
                kind: BreakKind::Mandatory,
            });
            continue;
        }
        if glyphs[i - 1].hyphen.is_some() {
            out.push(Opportunity {
                at: i,
                kind: BreakKind::Hyphen,
            });
            continue;
        }
        let kind = match shaped.latin.verdict(text, byte) {
            Some(Verdict::Never) => continue,
            Some(Verdict::Url) => BreakKind::Url,
            Some(Verdict::InsideUrl) => BreakKind::InsideUrl,
            None if at_byte.get(byte).copied().unwrap_or(0) == 0 => continue,
            None => BreakKind::Normal,
        };
        let before = text[..byte].chars().next_back();
        if !may_break_between(before, g.ch) || g.rise > glyphs[i - 1].rise {
            continue;
        }
        out.push(Opportunity { at: i, kind });
    }
    out.push(Opportunity {
        at: glyphs.len(),
        kind: BreakKind::Mandatory,
    });
    out
}

/// clreq's strict prohibitions: nothing that closes, pauses or stops (and
/// no interpunct) begins a line; nothing that opens ends one; —— and ……
/// neither split nor begin a line.
pub fn may_break_between(before: Option<char>, after: char) -> bool {
    if cjk::is_line_start_prohibited(after) || cjk::is_unbreakable_mark(after) {
        return false;
    }
    !before.is_some_and(cjk::is_line_end_prohibited)
}

/// Chinese quotes as brackets for UAX #14, when they stand next to wide
/// text; elsewhere (don’t) they stay quotes. Same byte lengths.
fn tailor_quotes(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['“', '”', '‘', '’']) {
        return text.into();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let wide_beside =
            (i > 0 && cjk::is_wide(chars[i - 1]) && !matches!(chars[i - 1], '“' | '”' | '‘' | '’'))
                || chars
                    .get(i + 1)
                    .is_some_and(|&n| cjk::is_wide(n) && !matches!(n, '“' | '”' | '‘' | '’'))
                || chars.get(i + 1).is_some_and(|&n| matches!(n, '“' | '‘'))
                || (i > 0 && matches!(chars[i - 1], '”' | '’'));
        out.push(match c {
            '“' | '‘' if wide_beside => '〈',
            '”' | '’' if wide_beside => '〉',
            _ => c,
        });
    }
    out.into()
}

/// Adds emergency breaks inside every stretch between opportunities that
/// is wider than `width`: after URL punctuation cheaply, elsewhere dearly,
/// never where the prohibition rules forbid.
pub fn add_emergency(shaped: &Shaped, opps: &mut Vec<Opportunity>, width: f32) {
    let glyphs = &shaped.glyphs;
    let mut extra = Vec::new();
    let mut start = 0;
    for op in opps.iter() {
        let seg = &glyphs[start..op.at];
        let w: f32 = seg.iter().map(|g| g.advance + g.gap).sum();
        if w > width {
            for (i, g) in glyphs.iter().enumerate().take(op.at).skip(start + 1) {
                if !g.cluster_start || g.class == Class::Newline {
                    continue;
                }
                let before = shaped.text[..g.text.start as usize].chars().next_back();
                if !may_break_between(before, g.ch)
                    && !before.is_some_and(|b| !cjk::is_wide(b) && !cjk::is_wide(g.ch))
                {
                    continue;
                }
                if cjk::is_line_start_prohibited(g.ch) && cjk::is_wide(g.ch) {
                    continue;
                }
                let cheap = before.is_some_and(|b| {
                    matches!(b, '/' | '.' | '-' | '_' | '?' | '&' | '=' | '#' | ',')
                });
                extra.push(Opportunity {
                    at: i,
                    kind: BreakKind::Emergency(if cheap { 500.0 } else { 1500.0 }),
                });
            }
        }
        start = op.at;
    }
    if !extra.is_empty() {
        opps.extend(extra);
        opps.sort_by_key(|o| o.at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_quotes_open_and_close_like_brackets() {
        let t = tailor_quotes("他说：“学而时习之”我问");
        assert_eq!(t, "他说：〈学而时习之〉我问");
        assert_eq!(t.len(), "他说：“学而时习之”我问".len());
        // Between Latin letters a quote stays an apostrophe.
        assert_eq!(tailor_quotes("don’t"), "don’t");
    }

    #[test]
    fn strict_prohibitions() {
        assert!(!may_break_between(Some('中'), '，'));
        assert!(!may_break_between(Some('中'), '·'));
        assert!(!may_break_between(Some('“'), '中'));
        assert!(!may_break_between(Some('中'), '…'));
        assert!(!may_break_between(Some('—'), '—'));
        assert!(may_break_between(Some('。'), '“'));
        assert!(may_break_between(Some('中'), '文'));
    }
}
