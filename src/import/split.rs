//! Several articles in one file, each opened by a marker line such as
//! `之一——` or `之二：`. The marker itself is not part of any article.

use super::Line;

const NUMERALS: &str = "一二三四五六七八九十";

/// `之` + Chinese numeral, optionally followed by a dash or colon, alone on
/// its line.
pub fn is_marker(line: &str) -> bool {
    let Some(rest) = line.trim().strip_prefix('之') else {
        return false;
    };
    let tail = rest.trim_start_matches(|c| NUMERALS.contains(c));
    tail.len() < rest.len()
        && tail
            .chars()
            .all(|c| matches!(c, '—' | '-' | '–' | '─' | ':' | '：' | ' ' | '　'))
}

/// Splits at marker lines. Text before the first marker (if any) stays with
/// the first article, so a shared header is not lost.
pub fn split(lines: Vec<Line>) -> Vec<Vec<Line>> {
    let mut parts: Vec<Vec<Line>> = vec![Vec::new()];
    let mut seen_marker = false;
    for line in lines {
        if is_marker(&line.text) {
            if seen_marker {
                parts.push(Vec::new());
            }
            seen_marker = true;
            continue;
        }
        if let Some(part) = parts.last_mut() {
            part.push(line);
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::numbered_lines as lines;

    #[test]
    fn markers() {
        assert!(is_marker("之一——") && is_marker("之十二：") && is_marker(" 之三 "));
        assert!(!is_marker("之") && !is_marker("之一是要") && !is_marker("总之，"));
    }

    #[test]
    fn splits_with_line_numbers() {
        let parts = split(lines("之一——\n甲标题\n正文。\n之二——\n乙标题\n正文。"));
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0][0].text, "甲标题");
        assert_eq!(parts[1][0].no, 5);
        assert_eq!(split(lines("标题\n正文。")).len(), 1);
    }
}
