//! Character classes for Chinese text, shared by the parser, the importer and
//! the typesetter so that each rule is stated once.

/// Han ideographs (URO, extensions A–H, compatibility) and the CJK symbol block.
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F | 0x3007)
}

/// Full-width CJK punctuation and the marks Chinese text uses at full width
/// (curly quotes, em dash, ellipsis, interpunct).
pub fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x3006 | 0x3008..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20
        | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65 | 0xFE10..=0xFE1F | 0xFE30..=0xFE4F)
        || matches!(c, '“' | '”' | '‘' | '’' | '—' | '…' | '·' | '⸺' | '⋯')
}

/// Characters set on the CJK grid: ideographs, kana, Hangul, CJK punctuation.
pub fn is_wide(c: char) -> bool {
    is_han(c)
        || is_cjk_punct(c)
        || matches!(c as u32, 0x3040..=0x30FF | 0xAC00..=0xD7AF | 0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A)
}

/// Closing marks, pause/stop marks and interpuncts: never at a line start
/// (clreq strict level, together with [`is_unbreakable_mark`]).
pub fn is_line_start_prohibited(c: char) -> bool {
    is_closing(c)
        || is_middle_punct(c)
        || matches!(
            c,
            '%' | '％' | ',' | '.' | ';' | ':' | '?' | '!' | ')' | ']' | '}'
        )
}

/// Opening quotes and brackets: never at a line end.
pub fn is_line_end_prohibited(c: char) -> bool {
    is_opening(c) || matches!(c, '(' | '[' | '{')
}

/// Marks that take two ems and must not be split: —— and ……
pub fn is_unbreakable_mark(c: char) -> bool {
    matches!(c, '—' | '…' | '⸺' | '⋯')
}

/// Opening brackets and quotes whose ink sits on the right half of the frame.
pub fn is_opening(c: char) -> bool {
    matches!(
        c,
        '“' | '‘'
            | '「'
            | '『'
            | '（'
            | '［'
            | '｛'
            | '〔'
            | '【'
            | '〖'
            | '《'
            | '〈'
            | '〘'
            | '〚'
    )
}

/// Closing brackets, quotes and (in GB style) stops whose ink sits on the left.
pub fn is_closing(c: char) -> bool {
    matches!(
        c,
        '”' | '’'
            | '」'
            | '』'
            | '）'
            | '］'
            | '｝'
            | '〕'
            | '】'
            | '〗'
            | '》'
            | '〉'
            | '〙'
            | '〛'
            | '，'
            | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '．'
    )
}

/// Centred marks (interpuncts) that may shrink by a quarter on each side.
pub fn is_middle_punct(c: char) -> bool {
    matches!(c, '·' | '・' | '‧')
}

/// Letters and digits of Latin-like scripts, which get a quarter-em gap
/// beside Han (clreq §3.2.2).
pub fn is_latin_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric() || (c.is_alphabetic() && !is_wide(c) && (c as u32) < 0x2E80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is_han('中') && !is_han('。'));
        assert!(is_cjk_punct('，') && is_cjk_punct('“') && !is_cjk_punct(','));
        assert!(is_line_start_prohibited('·') && is_line_start_prohibited('”'));
        assert!(is_line_end_prohibited('“') && !is_line_end_prohibited('”'));
        assert!(is_latin_alnum('a') && is_latin_alnum('9') && !is_latin_alnum('中'));
    }
}
