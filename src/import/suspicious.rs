//! Text that went wrong on the way: mojibake (bytes decoded with the wrong
//! table, or decoded one byte out of step), repaired where the bytes can be
//! read back and otherwise pointed at; text that stops mid-sentence; quotes
//! that never close.

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

/// Repairs each dense run of junk and rare ideographs whose bytes read
/// back as clean text ([`repair`]), with a note; warns about the others.
pub fn mojibake(
    lines: &mut [Line],
    script: Script,
    charsets: &mut Charsets,
    file: &str,
    report: &mut Report,
) {
    for line in lines.iter_mut() {
        let mut chars: Vec<char> = line.text.chars().collect();
        let mut flags = junk_flags(&chars, script, charsets);
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
            if let Some(fix) = repair(&chars, i, last + 1, script, charsets) {
                if fix.start > i {
                    let lost: String = chars[i..fix.start].iter().collect();
                    report.warn(
                        file,
                        line.no,
                        format!(
                            "possible mojibake “{lost}”: a character lost before the text \
                             repaired next to it; compare with the original"
                        ),
                    );
                }
                let bad: String = chars[fix.start..fix.end].iter().collect();
                let good: String = fix.text.chars().collect();
                report.warn(
                    file,
                    line.no,
                    format!(
                        "mojibake “{bad}” repaired as “{good}” ({}): check it",
                        fix.how
                    ),
                );
                let n = good.chars().count();
                chars.splice(fix.start..fix.end, good.chars());
                flags = junk_flags(&chars, script, charsets);
                i = fix.start + n;
                continue;
            }
            report.warn(
                file,
                line.no,
                format!("possible mojibake “{run}”: compare with the original and fix it by hand"),
            );
            i = last + 1;
        }
        line.text = chars.into_iter().collect();
    }
}

fn junk_flags(chars: &[char], script: Script, charsets: &mut Charsets) -> Vec<bool> {
    (0..chars.len())
        .map(|i| {
            let c = chars[i];
            let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
            is_junk(c, prev, chars.get(i + 1).copied())
                || (is_han(c) && charsets.is_rare(c, script))
        })
        .collect()
}

/// A run of mojibake and the text its bytes really held.
#[derive(Debug, PartialEq)]
struct Repair {
    start: usize,
    end: usize,
    text: String,
    how: &'static str,
}

/// How far around a detected run the repair looks for the bytes' true
/// edges: a mis-decoded character can straddle the run's border.
const REACH: usize = 2;

/// Reads the run `start..end` of `chars` back: its characters encoded
/// with the table that mis-decoded them give bytes that decode cleanly
/// with the right one. Tried: UTF-8 bytes read as GBK; GBK bytes read as
/// Windows-1252 (Latin letters); GBK read one byte out of step (the lead
/// byte of the first character is lost, so what precedes stays). The
/// narrowest window around the run that reads back clean wins.
fn repair(
    chars: &[char],
    start: usize,
    end: usize,
    script: Script,
    charsets: &mut Charsets,
) -> Option<Repair> {
    type Reading = fn(&str) -> Option<String>;
    let readings: [(&str, Reading); 3] = [
        ("UTF-8 read as GBK", |s| {
            let (bytes, _, unmappable) = encoding_rs::GBK.encode(s);
            if unmappable {
                return None;
            }
            String::from_utf8(bytes.into_owned()).ok()
        }),
        ("GBK read as Windows-1252", |s| {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(s);
            if unmappable || bytes.is_ascii() {
                return None;
            }
            let (text, malformed) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
            (!malformed).then(|| text.into_owned())
        }),
        ("GBK read one byte out of step", |s| {
            let (bytes, _, unmappable) = encoding_rs::GBK.encode(s);
            if unmappable || bytes.len() < 3 {
                return None;
            }
            let (text, malformed) = encoding_rs::GBK.decode_without_bom_handling(&bytes[1..]);
            (!malformed).then(|| text.into_owned())
        }),
    ];
    let mut windows: Vec<(usize, usize)> = Vec::new();
    for grow in 0..=2 * REACH {
        for before in 0..=grow.min(REACH) {
            let after = grow - before;
            if after > REACH || before > start || end + after > chars.len() {
                continue;
            }
            windows.push((start - before, end + after));
        }
    }
    // A run may also begin with junk the bytes never held (a `?` for a
    // lost byte): narrower windows inside the run are tried last.
    for skip in 1..=(WINDOW / 2).min(end.saturating_sub(start + 3)) {
        windows.push((start + skip, end));
    }
    for (a, b) in windows {
        let bad: String = chars[a..b].iter().collect();
        for (how, read) in readings {
            let Some(text) = read(&bad) else { continue };
            if clean(&text, script, charsets) && text != bad {
                return Some(Repair {
                    start: a,
                    end: b,
                    text,
                    how,
                });
            }
        }
    }
    None
}

/// Text as an article holds it: ideographs common in its script (or the
/// other script: a quotation may be in either), punctuation, ASCII; and
/// at least two ideographs, so that chance does not pass for a reading.
fn clean(text: &str, script: Script, charsets: &mut Charsets) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut han = 0;
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        if is_junk(c, prev, chars.get(i + 1).copied()) || c.is_control() {
            return false;
        }
        if is_han(c) {
            let other = match script {
                Script::Simplified => Script::Traditional,
                Script::Traditional => Script::Simplified,
            };
            if charsets.is_rare(c, script) && charsets.is_rare(c, other) {
                return false;
            }
            han += 1;
        } else if !(c.is_ascii() || crate::cjk::is_cjk_punct(c)) {
            return false;
        }
    }
    han >= 2
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
        let mut lines = [
            Line::new(1, "更加堅定地?fù)泶骱诵摹⑿刨嚭诵摹⒅艺\\核心、維護核心。"),
            Line::new(2, "還是熱衷於走馬觀花、蜻蜓點水?為基層減負。"),
            Line::new(3, "蜻蜓点水?为基层减负，砝码锒铛。"),
        ];
        let mut r = Report::default();
        let mut cs = Charsets;
        mojibake(&mut lines[..2], Script::Traditional, &mut cs, "a", &mut r);
        mojibake(&mut lines[2..], Script::Simplified, &mut cs, "a", &mut r);
        assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
        assert!(r.warnings.iter().all(|w| w.line == 1));
        // The run was GBK read one byte out of step: all but the character
        // whose first byte is gone reads back; that one is pointed at.
        assert!(r.warnings[0].message.contains("“?fù)”"), "{:?}", r.warnings);
        assert!(
            r.warnings[1].message.contains("repaired"),
            "{:?}",
            r.warnings
        );
        assert!(
            lines[0].text.contains("戴核心、信賴核心、忠誠核心"),
            "{}",
            lines[0].text
        );
        assert_eq!(r.count(Change::Furniture), 0);
    }

    /// The line after the mojibake pass, and the report.
    fn pass(text: &str) -> (String, Report) {
        let mut lines = [Line::new(4, text)];
        let mut r = Report::default();
        mojibake(&mut lines, Script::Simplified, &mut Charsets, "a", &mut r);
        (lines[0].text.clone(), r)
    }

    #[test]
    fn repairs_reversible_mojibake_and_leaves_the_rest() {
        // Sixteen characters: 48 bytes of UTF-8, 24 GBK pairs.
        let original = "全面贯彻新发展理念推动高质量发展";
        // UTF-8 bytes read as GBK.
        let (garbled, _, _) = encoding_rs::GBK.decode(original.as_bytes());
        let (text, r) = pass(&format!("我们要{garbled}，推动发展。"));
        assert_eq!(text, format!("我们要{original}，推动发展。"));
        assert_eq!(r.warnings.len(), 1);
        let note = &r.warnings[0];
        assert!(note.message.contains("UTF-8 read as GBK"), "{note:?}");
        assert_eq!(note.line, 4);

        // GBK bytes read as Windows-1252.
        let (bytes, _, _) = encoding_rs::GBK.encode(original);
        let (latin, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
        let (text, _) = pass(&format!("我们要{latin}。"));
        assert_eq!(text, format!("我们要{original}。"));

        // Junk that reads back as nothing clean stays, with a warning.
        let junk = format!("正文{}正文。", "①②③④⑤⑥⑦⑧");
        let (text, r) = pass(&junk);
        assert_eq!(text, junk);
        assert!(r.warnings[0].message.contains("possible mojibake"));
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
