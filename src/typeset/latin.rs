//! Latin text inside Chinese: where a Latin word may be hyphenated, where a
//! URL may break, and where no break belongs although UAX #14 allows one
//! (after the slash of GB/T, before the number of a standard). Chinese
//! lines break between any two ideographs, so a Latin word that cannot
//! break leaves the line before it loose; typst and XeLaTeX hyphenate.

use std::ops::Range;

/// Letters kept together at a word's start and end (TeX's English
/// \lefthyphenmin and \righthyphenmin).
const LEFT_MIN: usize = 2;
const RIGHT_MIN: usize = 3;
/// Words shorter than this are not hyphenated.
const MIN_WORD: usize = 6;

/// What the Latin analysis of a paragraph's text found.
#[derive(Debug, Clone, Default)]
pub struct Latin {
    /// Byte ranges of URLs and e-mail addresses.
    pub urls: Vec<Range<usize>>,
    /// Byte offsets inside words where a hyphenated break may fall.
    pub hyphens: Vec<usize>,
}

impl Latin {
    pub fn of(text: &str) -> Latin {
        let urls = urls(text);
        let hyphens = hyphenation_points(text, &urls);
        Latin { urls, hyphens }
    }

    /// Whether `byte` lies inside a URL (not at its ends).
    pub fn url_at(&self, byte: usize) -> Option<&Range<usize>> {
        self.urls.iter().find(|r| r.start < byte && byte < r.end)
    }

    /// Whether a line may end before `byte` (a break UAX #14 allows, or
    /// one inside a URL): `None` leaves the decision to UAX #14, `Some` is
    /// the answer and, for a break inside a URL, its cost.
    pub fn verdict(&self, text: &str, byte: usize) -> Option<Verdict> {
        if let Some(url) = self.url_at(byte) {
            // The scheme (https, mailto) stays whole.
            let in_scheme = text[url.start..byte]
                .bytes()
                .all(|b| b.is_ascii_alphabetic())
                && text[byte..url.end].contains(':');
            return Some(if in_scheme {
                Verdict::Never
            } else {
                url_break(text, byte)
            });
        }
        if slash_in_word(text, byte) || tied_number(text, byte) {
            return Some(Verdict::Never);
        }
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Never,
    /// A break between the parts of a URL: allowed, at a cost, with no
    /// hyphen drawn.
    Url,
    /// A break inside a part of a URL, between two letters or digits:
    /// dearer, but better than a line letter-spaced to make room for it.
    InsideUrl,
}

fn is_url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// URLs (`scheme://…`, `www.…`) and e-mail addresses, up to the first
/// character a URL cannot hold (an ideograph, a space, a Chinese mark);
/// a trailing stop or bracket that closes the sentence is left out.
pub fn urls(text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let bytes = text.as_bytes();
    let run_start = |i: usize| {
        text[..i]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_url_char(c) && c != '(' && c != '[')
            .last()
            .map_or(i, |(j, _)| j)
    };
    let run_end = |i: usize| {
        text[i..]
            .char_indices()
            .find(|&(_, c)| !is_url_char(c))
            .map_or(text.len(), |(j, _)| i + j)
    };
    let mut i = 0;
    while i < bytes.len() {
        let found = text[i..]
            .find("://")
            .map(|j| (i + j, 0))
            .into_iter()
            .chain(text[i..].find("www.").map(|j| (i + j, 1)))
            .chain(text[i..].find('@').map(|j| (i + j, 2)))
            .min();
        let Some((at, kind)) = found else { break };
        let (start, end) = match kind {
            // The scheme's letters before ://.
            0 => (run_start(at), run_end(at)),
            1 if at == 0 || !is_url_char(text[..at].chars().next_back().unwrap_or(' ')) => {
                (at, run_end(at))
            }
            2 => {
                let start = run_start(at);
                let end = run_end(at + 1);
                // An address has a local part and a dotted domain.
                if start < at && text[at + 1..end].contains('.') {
                    (start, end)
                } else {
                    (at, at)
                }
            }
            _ => (at, at),
        };
        let mut end = end;
        while end > start {
            let last = text[..end].chars().next_back().unwrap_or(' ');
            let unmatched = last == ')' && !text[start..end].contains('(');
            if ".,;:!?'".contains(last) || unmatched {
                end -= last.len_utf8();
            } else {
                break;
            }
        }
        if end > start + 4 {
            out.push(start..end);
        }
        i = end.max(at + 1);
        while !text.is_char_boundary(i) {
            i += 1;
        }
    }
    out.dedup_by(|b, a| b.start < a.end);
    out
}

/// Where a URL breaks: after a slash (not between the two of `//`, nor
/// after the scheme's colon), after `.`, `_`, `?`, `&`, `=`, `#`, `~`, `@`,
/// before a letter or digit, and before a hyphen (so that the URL's own
/// hyphen does not end a line, where it would read as a hyphenation);
/// inside a part, between two letters or digits, dearly.
fn url_break(text: &str, byte: usize) -> Verdict {
    let before = text[..byte].chars().next_back();
    let after = text[byte..].chars().next();
    let (Some(b), Some(a)) = (before, after) else {
        return Verdict::Never;
    };
    if a == '-' && b.is_ascii_alphanumeric() {
        return Verdict::Url;
    }
    if !a.is_ascii_alphanumeric() {
        return Verdict::Never;
    }
    match b {
        '/' | '.' | '_' | '?' | '&' | '=' | '#' | '~' | '@' => Verdict::Url,
        _ if b.is_ascii_alphanumeric() => Verdict::InsideUrl,
        _ => Verdict::Never,
    }
}

/// A slash between Latin letters or digits outside a URL (GB/T, TCP/IP,
/// km/h) joins its parts: no break after it.
fn slash_in_word(text: &str, byte: usize) -> bool {
    let mut back = text[..byte].chars().rev();
    back.next() == Some('/')
        && back.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && text[byte..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// A capitalised Latin word and the number after it (GB/T 15834, ISO 690,
/// Unicode 15.1) stay on one line, as if a no-break space joined them.
fn tied_number(text: &str, byte: usize) -> bool {
    if !text[byte..].starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let Some(head) = text[..byte].strip_suffix(' ') else {
        return false;
    };
    let word: String = head
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    word.len() <= 8
        && word.starts_with(|c: char| c.is_ascii_uppercase())
        && word.ends_with(|c: char| c.is_ascii_alphabetic())
}

/// Byte offsets where a hyphenated break may fall: inside plain words of
/// lower-case letters (a capital only first), outside URLs, not in
/// identifiers (a word touching `_`, `@`, `.` followed by a letter, or a
/// digit).
pub fn hyphenation_points(text: &str, urls: &[Range<usize>]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let word = &text[start..i];
        if word.len() < MIN_WORD
            || urls.iter().any(|r| r.start < i && start < r.end)
            || word.bytes().all(|b| b.is_ascii_uppercase())
            || !plain_word_edge(text, start, i)
        {
            continue;
        }
        // CamelCase (JavaScript, WebAssembly) breaks between its parts
        // too, and each part by the patterns.
        let mut parts = vec![start];
        for (k, w) in word.as_bytes().windows(2).enumerate() {
            if w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase() {
                parts.push(start + k + 1);
            }
        }
        parts.push(i);
        for p in parts.windows(2) {
            let (a, b) = (p[0], p[1]);
            if a > start && a - start > LEFT_MIN && i - a >= RIGHT_MIN {
                out.push(a);
            }
            let part = &text[a..b];
            if part.len() < MIN_WORD || part[1..].bytes().any(|c| c.is_ascii_uppercase()) {
                continue;
            }
            let mut at = a;
            for syllable in
                hypher::hyphenate_bounded(part, hypher::Lang::English, LEFT_MIN, RIGHT_MIN)
            {
                if at > a {
                    out.push(at);
                }
                at += syllable.len();
            }
        }
    }
    out
}

fn plain_word_edge(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let joined = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || "_@".contains(c));
    let dotted_on = text[end..].starts_with('.')
        && text[end + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    let dotted_before = before == Some('.')
        && text[..start - 1]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    !joined(before) && !joined(after) && !dotted_on && !dotted_before
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str) -> String {
        let points = hyphenation_points(text, &urls(text));
        let mut out = String::new();
        for (i, c) in text.char_indices() {
            if points.contains(&i) {
                out.push('-');
            }
            out.push(c);
        }
        out
    }

    #[test]
    fn english_words_inside_chinese_are_hyphenated_by_the_patterns() {
        assert_eq!(
            marked("这是internationalization问题"),
            "这是in-ter-na-tion-al-iza-tion问题"
        );
        assert_eq!(
            marked("Kubernetes与hyphenation"),
            "Ku-ber-netes与hy-phen-ation"
        );
        // CamelCase breaks between its parts, and inside a long part.
        assert_eq!(
            marked("JavaScript、WebAssembly"),
            "Java-Script、Web-As-sem-bly"
        );
        assert_eq!(marked("PostgreSQL"), "Post-gre-SQL");
        // Short words, acronyms, identifiers are left whole.
        for whole in [
            "Rust语言",
            "iPhone",
            "rustc_middle",
            "HTTPS",
            "v2beta",
            "macOS",
        ] {
            assert!(!marked(whole).contains('-'), "{whole}: {}", marked(whole));
        }
    }

    #[test]
    fn urls_and_addresses_are_found_and_never_hyphenated() {
        let text = "见https://example.org/very-long-path/internationalization?q=1，或发邮件至editor@example.org。";
        let found: Vec<&str> = urls(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            found,
            [
                "https://example.org/very-long-path/internationalization?q=1",
                "editor@example.org"
            ]
        );
        assert!(!marked(text).contains("na-tion"));
        let www = "访问www.example.com/abc.";
        assert_eq!(
            urls(www).into_iter().map(|r| &www[r]).collect::<Vec<_>>(),
            ["www.example.com/abc"]
        );
    }

    #[test]
    fn urls_break_after_slashes_and_before_dots() {
        let text = "https://kubernetes.io/docs/a-b?x=1&y=2";
        let latin = Latin::of(text);
        let breaks: Vec<usize> = (1..text.len())
            .filter(|&i| latin.verdict(text, i) == Some(Verdict::Url))
            .collect();
        let shown: Vec<&str> = breaks.iter().map(|&i| &text[i..]).collect();
        assert_eq!(
            shown,
            [
                "kubernetes.io/docs/a-b?x=1&y=2",
                "io/docs/a-b?x=1&y=2",
                "docs/a-b?x=1&y=2",
                "a-b?x=1&y=2",
                "-b?x=1&y=2",
                "x=1&y=2",
                "1&y=2",
                "y=2",
                "2"
            ]
        );
        // Inside a part, between letters, a dear break; never in `://`.
        assert_eq!(latin.verdict(text, 10), Some(Verdict::InsideUrl));
        for i in 5..8 {
            assert_eq!(
                latin.verdict(text, i),
                Some(Verdict::Never),
                "{}",
                &text[i..]
            );
        }
    }

    #[test]
    fn standard_numbers_hold_together() {
        let text = "以GB/T 15834—2011为准，见ISO 690与TCP/IP，共3 个";
        let latin = Latin::of(text);
        let never = |s: &str| {
            let i = text.find(s).unwrap();
            latin.verdict(text, i) == Some(Verdict::Never)
        };
        assert!(never("T 15834"));
        assert!(never("15834"));
        assert!(never("690"));
        assert!(never("IP"));
        assert!(!never("3 个"));
    }
}
