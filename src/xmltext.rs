//! The characters an EPUB's XML documents (XHTML, OPF, NCX) may carry. One
//! definition for every writer of XML text and for the source loader, which
//! removes the others once, with a warning, so that the PDF and the EPUB
//! print the same text.

use std::borrow::Cow;

/// Whether XML 1.0 (and, beyond it, HTML's parsing rules, which EPUB
/// readers apply) accepts `c` in text: no C0 controls but tab, line feed and
/// carriage return; no C1 controls; no noncharacters.
pub fn allowed(c: char) -> bool {
    let u = c as u32;
    match u {
        0x09 | 0x0A | 0x0D => true,
        0x00..=0x1F | 0x7F..=0x9F => false,
        0xFDD0..=0xFDEF => false,
        _ => u & 0xFFFE != 0xFFFE,
    }
}

/// `s` without the characters XML cannot hold.
pub fn clean(s: &str) -> Cow<'_, str> {
    if s.chars().all(allowed) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| allowed(c)).collect())
    }
}

/// A name for a removed character in a warning: `U+000C (form feed)`.
pub fn describe(c: char) -> String {
    let name = match c {
        '\u{0}' => " (NUL)",
        '\u{8}' => " (backspace)",
        '\u{B}' => " (vertical tab)",
        '\u{C}' => " (form feed)",
        '\u{1B}' => " (escape)",
        '\u{7F}' => " (delete)",
        '\u{80}'..='\u{9F}' => " (a C1 control character)",
        '\u{1}'..='\u{1F}' => " (a control character)",
        _ => " (a noncharacter)",
    };
    format!("U+{:04X}{name}", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_removed() {
        assert_eq!(
            clean("a\u{C}b\u{1}c\u{85}d\u{FFFE}e\u{1FFFF}f\u{FDD0}"),
            "abcdef"
        );
        assert!(matches!(clean("中文\t\n"), Cow::Borrowed(_)));
        for c in [
            '\t',
            '\n',
            '\r',
            ' ',
            '中',
            '\u{A0}',
            '\u{FFFD}',
            '\u{10000}',
            '\u{E000}',
        ] {
            assert!(allowed(c), "{c:?}");
        }
        assert_eq!(describe('\u{C}'), "U+000C (form feed)");
    }
}
