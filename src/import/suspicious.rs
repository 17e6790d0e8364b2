//! Text only a human can repair, so the importer points at it instead:
//! mojibake (bytes decoded with the wrong table, or decoded one byte out of
//! step), text that stops mid-sentence, and quotes that never close.

use super::script::{Charsets, Script};
use super::text::{ends_sentence, excerpt};
use super::{Block, Line, Report};
use crate::cjk::is_han;

/// Window and threshold: this many suspicious characters among this many
/// consecutive ones. Real text has an occasional rare character; a
/// mis-decoded run is dense with them.
const WINDOW: usize = 8;
const DENSE: usize = 4;

/// Characters that do not occur in clean Chinese prose: enclosed numbers
/// (GBK's A2 row, hit when decoding slips by a byte), replacement and
/// private-use characters, box drawing, Latin-1 letters from UTF-8 read as
/// Windows-1252, and a backslash or question mark inside Chinese text.
fn is_junk(c: char, prev: Option<char>, next: Option<char>) -> bool {
    let non_ascii = |o: Option<char>| o.is_some_and(|c| !c.is_ascii());
    match c {
        '\u{2460}'..='\u{24FF}'
        | '\u{FFFD}'
        | '\u{E000}'..='\u{F8FF}'
        | '\u{2500}'..='\u{257F}' => true,
        '\u{C0}'..='\u{FF}' => true,
        '\\' | '?' => non_ascii(prev) || non_ascii(next),
        _ => false,
    }
}

/// Warns about each dense run of junk and rare ideographs, with its line.
pub fn mojibake(
    lines: &[Line],
    script: Script,
    charsets: &mut Charsets,
    file: &str,
    report: &mut Report,
) {
    for line in lines {
        let chars: Vec<char> = line.text.chars().collect();
        let flags: Vec<bool> = (0..chars.len())
            .map(|i| {
                let c = chars[i];
                let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
                is_junk(c, prev, chars.get(i + 1).copied())
                    || (is_han(c) && charsets.is_rare(c, script))
            })
            .collect();
        let mut i = 0;
        while i < chars.len() {
            let end = (i + WINDOW).min(chars.len());
            let dense = flags[i] && flags[i..end].iter().filter(|&&f| f).count() >= DENSE;
            if !dense {
                i += 1;
                continue;
            }
            // Extend while suspicious characters keep coming within a window.
            let mut last = i;
            let mut j = i;
            while j < chars.len() && j <= last + WINDOW / 2 {
                if flags[j] {
                    last = j;
                }
                j += 1;
            }
            let run: String = chars[i..=last].iter().collect();
            report.warn(
                file,
                line.no,
                format!("possible mojibake “{run}”: compare with the original and fix it by hand"),
            );
            i = last + 1;
        }
    }
}

/// The last paragraph should end a sentence; if not, the source was
/// probably cut off.
pub fn truncated(blocks: &[Block], file: &str, report: &mut Report) {
    if let Some(last) = blocks.iter().rev().find(|b| b.heading.is_none()) {
        if !ends_sentence(&last.text) {
            let tail: String = {
                let n = last.text.chars().count();
                last.text.chars().skip(n.saturating_sub(12)).collect()
            };
            report.warn(
                file,
                last.line,
                format!("the text ends mid-sentence (“…{tail}”): the source may be truncated"),
            );
        }
    }
}

/// Paragraphs whose curly quotes do not pair up: often a “ typed for ”.
pub fn unbalanced_quotes(blocks: &[Block], file: &str, report: &mut Report) {
    for b in blocks {
        let open = b.text.matches('“').count();
        let close = b.text.matches('”').count();
        if open != close {
            report.warn(
                file,
                b.line,
                format!(
                    "{open} opening and {close} closing quotes in the paragraph “{}”",
                    excerpt(&b.text, 16)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Change;

    #[test]
    fn finds_mojibake_runs() {
        let lines = [
            Line::new(1, "更加堅定地?fù)泶骱诵摹⑿刨嚭诵摹⒅艺\\核心、維護核心。"),
            Line::new(2, "還是熱衷於走馬觀花、蜻蜓點水?為基層減負。"),
            Line::new(3, "蜻蜓点水?为基层减负，砝码锒铛。"),
        ];
        let mut r = Report::default();
        let mut cs = Charsets::default();
        mojibake(&lines[..2], Script::Traditional, &mut cs, "a", &mut r);
        mojibake(&lines[2..], Script::Simplified, &mut cs, "a", &mut r);
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert_eq!(r.warnings[0].line, 1);
        assert!(r.warnings[0].message.contains("泶骱诵摹"));
        assert_eq!(r.count(Change::Furniture), 0);
    }

    #[test]
    fn truncation_and_quotes() {
        let mut r = Report::default();
        truncated(
            &[
                Block::new(3, "完整的一句。"),
                Block::new(9, "缺乏勇气和深度；"),
            ],
            "a",
            &mut r,
        );
        truncated(&[Block::new(3, "他说：“走吧。”")], "a", &mut r);
        unbalanced_quotes(
            &[Block::new(4, "坚持“智圆行简、实心实政“的作风。")],
            "a",
            &mut r,
        );
        let lines: Vec<u32> = r.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [9, 4]);
    }
}
