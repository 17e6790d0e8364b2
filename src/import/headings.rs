//! Section headings. Chinese articles number their sections `一、…` and
//! subsections `（一）…`; unnumbered sections show as a short line standing
//! alone between paragraphs, that does not read as a sentence.

use super::punctuation::squeeze_spaces;
use super::text::{chars, ends_sentence, excerpt};
use super::{Block, Change, Report};

const NUMERALS: &str = "一二三四五六七八九十百零〇";

/// Longest numbered heading; a longer "一、…" is a list item.
const NUMBERED_MAX: usize = 60;
/// Longest unnumbered heading.
const STANDALONE_MAX: usize = 40;
const STANDALONE_MIN: usize = 4;

/// `一、…` → 2 (`##`), `（一）…` → 3 (`###`), `第一部分…` → 2.
pub fn numbered_level(text: &str) -> Option<u8> {
    let t = text.trim_start();
    let numeral_run = |s: &str| -> usize {
        s.chars()
            .take_while(|&c| NUMERALS.contains(c))
            .map(char::len_utf8)
            .sum()
    };
    if let Some(rest) = t.strip_prefix(['（', '(']) {
        let n = numeral_run(rest);
        let after = rest.get(n..)?;
        return (n > 0 && after.starts_with(['）', ')'])).then_some(3);
    }
    let n = numeral_run(t);
    if n > 0 && t.get(n..)?.starts_with('、') {
        return Some(2);
    }
    let rest = t.strip_prefix('第')?;
    let n = numeral_run(rest);
    let after = rest.get(n..)?;
    (n > 0
        && ["部分", "章", "篇", "讲"]
            .iter()
            .any(|k| after.starts_with(k)))
    .then_some(2)
}

/// A numbered line that is a heading rather than a numbered sentence.
pub fn is_numbered_heading(text: &str) -> bool {
    numbered_level(text).is_some()
        && chars(text) <= NUMBERED_MAX
        && !text.contains('。')
        && !text.trim_end().ends_with(['：', '；', '，', ':', ';', ','])
}

/// Marks headings in place and reports them.
pub fn mark(blocks: &mut [Block], file: &str, report: &mut Report) {
    for i in 0..blocks.len() {
        let has_next = i + 1 < blocks.len();
        let b = &blocks[i];
        let level = if is_numbered_heading(&b.text) {
            numbered_level(&b.text)
        } else if has_next && standalone(b) {
            Some(2)
        } else {
            None
        };
        if let Some(level) = level {
            let b = &mut blocks[i];
            b.heading = Some(level);
            report.add(Change::Heading, 1, || {
                format!(
                    "{file}:{}: {} {}",
                    b.line,
                    "#".repeat(level as usize),
                    excerpt(&squeeze_spaces(&b.text, true).0, 30)
                )
            });
        }
    }
}

/// A short line of its own in the source, not a sentence and not the
/// lead-in of one.
fn standalone(b: &Block) -> bool {
    let n = chars(&b.text);
    !b.rebuilt
        && !b.joined
        && (STANDALONE_MIN..=STANDALONE_MAX).contains(&n)
        && !b.text.contains(['。', '；', ';'])
        && !ends_sentence(&b.text)
        && !b
            .text
            .trim_end()
            .ends_with(['，', '、', '：', ',', ':', '—', '…'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering() {
        assert_eq!(numbered_level("一、以作风建设推动工作"), Some(2));
        assert_eq!(numbered_level("十二、总结"), Some(2));
        assert_eq!(numbered_level("（三）常思隐患之危"), Some(3));
        assert_eq!(numbered_level("(一)熔铸忠诚之魂"), Some(3));
        assert_eq!(numbered_level("第二部分 主要任务"), Some(2));
        assert_eq!(numbered_level("一是要坚持"), None);
        assert_eq!(numbered_level("一方面"), None);
        assert!(!is_numbered_heading("一、要坚持问题导向。这是根本。"));
    }

    #[test]
    fn marks_standalone_and_numbered() {
        let mut blocks = vec![
            Block::new(1, "开头一段。"),
            Block::new(2, "涵养为民情怀\u{3000}用心用情办好群众之事"),
            Block::new(3, "正文。"),
            Block::new(4, "（一）熔铸忠诚之魂：将过硬作风作为检验"),
            Block::new(5, "同志们："),
            Block::new(6, "正文。"),
            Block::new(7, "最后一行没有标点"),
        ];
        mark(&mut blocks, "a", &mut Report::default());
        let levels: Vec<Option<u8>> = blocks.iter().map(|b| b.heading).collect();
        assert_eq!(levels, [None, Some(2), None, Some(3), None, None, None]);
    }
}
