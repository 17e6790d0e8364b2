//! Character-level clean-up inside a line: pinyin annotations that some
//! sites print after every "difficult" character, half-width punctuation
//! typed in Chinese text, and spaces that do not belong between ideographs.

use super::text::is_space;
use crate::cjk::{is_han, is_wide};

/// Removes `字(zì)` annotations. Only a single valid pinyin syllable after an
/// ideograph counts, so `党委(党组)`, `APP(应用)` or `(a)` lists stay. When
/// `toneless` is false, the syllable must carry a tone mark.
pub fn remove_pinyin(line: &str, toneless: bool) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut removed = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        out.push(c);
        i += 1;
        if !is_han(c) {
            continue;
        }
        if let Some(len) = pinyin_group_at(&chars[i..], toneless) {
            i += len;
            removed += 1;
        }
    }
    (out, removed)
}

/// How many tone-marked annotations a text holds: a text that has several
/// is annotated throughout, so toneless syllables there are annotations too.
pub fn count_toned_pinyin(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    (1..chars.len())
        .filter(|&i| is_han(chars[i - 1]) && pinyin_group_at(&chars[i..], false).is_some())
        .count()
}

/// Length in chars of a `(syllable)` group at the start of `rest`.
fn pinyin_group_at(rest: &[char], toneless: bool) -> Option<usize> {
    let close = match rest.first()? {
        '(' => ')',
        '（' => '）',
        _ => return None,
    };
    let end = rest.iter().take(9).position(|&c| c == close)?;
    let inner = rest.get(1..end)?;
    let toned = inner.iter().any(|&c| tone_base(c).is_some());
    if inner.is_empty() || !(toned || toneless) {
        return None;
    }
    let plain: Option<String> = inner
        .iter()
        .map(|&c| {
            if c.is_ascii_lowercase() {
                Some(c)
            } else {
                tone_base(c)
            }
        })
        .collect();
    is_syllable(&plain?).then_some(end + 1)
}

/// The base letter of a tone-marked vowel (ü counts as `v`).
fn tone_base(c: char) -> Option<char> {
    Some(match c {
        'ā' | 'á' | 'ǎ' | 'à' => 'a',
        'ē' | 'é' | 'ě' | 'è' | 'ê' => 'e',
        'ī' | 'í' | 'ǐ' | 'ì' => 'i',
        'ō' | 'ó' | 'ǒ' | 'ò' => 'o',
        'ū' | 'ú' | 'ǔ' | 'ù' => 'u',
        'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'ü' => 'v',
        _ => return None,
    })
}

/// Initial + final, Hanyu Pinyin spelling (tone marks already removed).
fn is_syllable(s: &str) -> bool {
    const INITIALS: [&str; 23] = [
        "zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
        "r", "z", "c", "s", "y", "w",
    ];
    const FINALS: [&str; 38] = [
        "a", "o", "e", "i", "u", "v", "ai", "ei", "ui", "ao", "ou", "iu", "ie", "ve", "ue", "er",
        "an", "en", "in", "un", "vn", "ang", "eng", "ing", "ong", "ia", "iao", "ian", "iang",
        "iong", "ua", "uo", "uai", "uan", "uang", "van", "uei", "uen",
    ];
    let rest = INITIALS.iter().find_map(|i| s.strip_prefix(i)).unwrap_or(s);
    FINALS.contains(&rest) || (rest.is_empty() && matches!(s, "m" | "n" | "ng"))
}

/// Half-width `, : ; ? ! ( )` in Chinese context become `，：；？！（）`.
/// Between Latin letters or digits (`1,000`, `10:30`, `f(x)`) they stay.
pub fn full_width(line: &str) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    let mut changed = 0;
    let mut pending_close = std::collections::HashSet::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = neighbour(&chars, i, -1);
        let next = neighbour(&chars, i, 1);
        let chinese = |p: Option<char>| p.is_some_and(is_wide);
        let replacement = match c {
            ',' | ';' | ':' if chinese(prev) || chinese(next) => {
                let latin_both = prev.is_some_and(|p| p.is_ascii_alphanumeric())
                    && next.is_some_and(|n| n.is_ascii_alphanumeric());
                let url = c == ':' && chars.get(i + 1) == Some(&'/');
                (!latin_both && !url).then(|| full(c))
            }
            // `字?f` glued to a Latin letter is not a question: leave it
            // (it is usually part of a mis-decoded run a human must see as is).
            '?' | '!'
                if chinese(prev)
                    && !chars
                        .get(i + 1)
                        .is_some_and(|n| n.is_alphanumeric() && !is_wide(*n)) =>
            {
                Some(full(c))
            }
            '(' => {
                let close = matching(&chars, i);
                let inner_wide = close.is_some_and(|j| chars[i + 1..j].iter().any(|&c| is_wide(c)));
                let outer_wide = close.is_none() && chinese(next);
                if inner_wide || outer_wide {
                    if let Some(j) = close {
                        pending_close.insert(j);
                    }
                    Some('（')
                } else {
                    None
                }
            }
            ')' if pending_close.contains(&i)
                || (matching(&chars, i).is_none() && chinese(prev)) =>
            {
                Some('）')
            }
            _ => None,
        };
        match replacement {
            Some(r) => {
                out.push(r);
                changed += 1;
            }
            None => out.push(c),
        }
    }
    (out, changed)
}

/// The full-width form of a half-width mark this module converts.
fn full(c: char) -> char {
    match c {
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '?' => '？',
        '!' => '！',
        '(' => '（',
        ')' => '）',
        _ => c,
    }
}

/// A form for comparing two renderings of the same words: no spaces,
/// full-width punctuation.
pub fn comparable(s: &str) -> String {
    s.chars().filter(|&c| !is_space(c)).map(full).collect()
}

/// The nearest character before (`dir` = -1) or after (+1) `i`, skipping spaces.
fn neighbour(chars: &[char], i: usize, dir: isize) -> Option<char> {
    let mut j = i as isize + dir;
    while j >= 0 && (j as usize) < chars.len() {
        let c = chars[j as usize];
        if c != ' ' {
            return Some(c);
        }
        j += dir;
    }
    None
}

/// The index of the parenthesis matching the one at `at`, searching
/// forwards from a `(` or backwards from a `)`, within a sentence's reach.
fn matching(chars: &[char], at: usize) -> Option<usize> {
    let forward = chars.get(at) == Some(&'(');
    let (open, close) = if forward { ('(', ')') } else { (')', '(') };
    let mut depth = 0;
    let steps: Box<dyn Iterator<Item = usize>> = if forward {
        Box::new(at..chars.len().min(at + 200))
    } else {
        Box::new((at.saturating_sub(200)..=at).rev())
    };
    for j in steps {
        match chars.get(j) {
            Some(&c) if c == open => depth += 1,
            Some(&c) if c == close => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// Removes spaces between two wide characters and around full-width
/// punctuation; leading and trailing space goes too. In a `title`, a space
/// between two ideographs separates clauses (`赓续… 推动…`) and becomes one
/// ideographic space instead. Returns the text and how many runs went.
pub fn squeeze_spaces(line: &str, title: bool) -> (String, usize) {
    let trimmed = line.trim_matches(is_space);
    let mut out = String::with_capacity(trimmed.len());
    let mut removed = 0;
    let mut chars = trimmed.chars().peekable();
    while let Some(c) = chars.next() {
        if !is_space(c) {
            out.push(c);
            continue;
        }
        while chars.peek().is_some_and(|&n| is_space(n)) {
            chars.next();
        }
        let prev = out.chars().last();
        let next = chars.peek().copied();
        let (Some(p), Some(n)) = (prev, next) else {
            continue;
        };
        if title && is_han(p) && is_han(n) {
            out.push('\u{3000}');
        } else if (is_wide(p) && is_wide(n))
            || (is_wide(p) && !is_han(p))
            || (is_wide(n) && !is_han(n))
        {
            removed += 1;
        } else {
            out.push(' ');
        }
    }
    (out, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_after_characters() {
        let (s, n) = remove_pinyin("學(xué)思踐悟，強(qiáng)調(diào)", false);
        assert_eq!((s.as_str(), n), ("學思踐悟，強調", 3));
        // Real parenthesised text and Latin stay.
        for keep in ["党委(党组)", "政务APP(xué)", "方案(a)", "f(x)", "發(fa)"] {
            assert_eq!(remove_pinyin(keep, false).0, keep);
        }
        assert_eq!(remove_pinyin("的(de)", true).0, "的");
        assert_eq!(remove_pinyin("的(de)", false).0, "的(de)");
        assert_eq!(count_toned_pinyin("學(xué)習(xí)的(de)"), 2);
        // A broken group at the end of the line is left alone.
        assert_eq!(remove_pinyin("學(xué", false).0, "學(xué");
    }

    #[test]
    fn half_width_in_chinese_context() {
        let (s, n) = full_width("他说:“好,走吧!”党委(党组)负责?是");
        assert_eq!(s, "他说：“好，走吧！”党委（党组）负责？是");
        assert_eq!(n, 6);
        for keep in [
            "1,000",
            "10:30",
            "f(x)",
            "http://a.cn",
            "Hello, world!",
            "(010)64068010",
        ] {
            assert_eq!(full_width(keep).0, keep, "{keep}");
        }
        assert_eq!(full_width("2022年,共3人").0, "2022年，共3人");
        assert_eq!(full_width("(一)总体要求").0, "（一）总体要求");
        assert_eq!(full_width("谈何忠诚?倘若").0, "谈何忠诚？倘若");
        assert_eq!(full_width("地?fù)泶").0, "地?fù)泶");
    }

    #[test]
    fn spaces_between_chinese() {
        assert_eq!(
            squeeze_spaces("　　为 新时代， 组织", false),
            ("为新时代，组织".into(), 2)
        );
        assert_eq!(squeeze_spaces("使用 Rust 语言", false).0, "使用 Rust 语言");
        assert_eq!(
            squeeze_spaces("赓续精神 推动发展", true).0,
            "赓续精神\u{3000}推动发展"
        );
        assert_eq!(squeeze_spaces("黄 峰 ", false).0, "黄峰");
    }
}
