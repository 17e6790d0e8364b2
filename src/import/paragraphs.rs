//! Paragraph structure. Web text puts one paragraph on a line, but scrapes
//! break it: a paragraph split mid-sentence by blank lines, an image caption
//! dropped into the middle of a sentence, PDF text whose lines arrive joined
//! by spaces (or hard-wrapped), with section titles run into the text.
//!
//! PDF lines are rebuilt from their lengths: a full-width line continues the
//! paragraph, a clearly shorter one ends it, and a line opening with a
//! section number starts a heading.

use super::headings::is_numbered_heading;
use super::punctuation::comparable;
use super::text::{chars, ends_mid_clause, ends_sentence, excerpt, is_space};
use super::{Block, Change, Line, Report};
use crate::cjk::is_wide;

/// Fewest joined PDF lines that make a line "PDF-extracted".
const PDF_MIN_BREAKS: usize = 4;
/// Fewest consecutive lines of equal length that make a hard-wrapped run.
const WRAPPED_MIN_LINES: usize = 5;
/// Longest line that may be an unnumbered heading; a longer line without a
/// sentence end was cut off.
const HEADING_MAX: usize = 40;

/// One physical line of a PDF page: its source line and text, and whether
/// it was indented (which starts a paragraph).
struct Segment<'a> {
    line: u32,
    text: &'a str,
    indented: bool,
}

/// Turns lines into blocks: one per line, PDF lines rebuilt, indentation
/// gone. `gap_before` counts the blank lines in front of each block.
pub fn build(lines: &[Line], title: Option<&str>, file: &str, report: &mut Report) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut gap = 0u32;
    let mut plain_until = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let text = line.text.trim_end_matches(is_space);
        if text.trim().is_empty() {
            gap += 1;
            i += 1;
            continue;
        }
        // Each run of lines is judged once, from its first line.
        let wrapped = if i < plain_until {
            0
        } else {
            let (run, wrapped) = wrapped_run(&lines[i..]);
            plain_until = i + run;
            if wrapped {
                run
            } else {
                0
            }
        };
        let first = blocks.len();
        if wrapped > 0 {
            let segments: Vec<Segment> = lines[i..i + wrapped]
                .iter()
                .map(|l| Segment {
                    line: l.no,
                    text: l.text.trim(),
                    indented: l.text.starts_with(is_space),
                })
                .collect();
            rebuild(&segments, title, &mut blocks, file, report);
            i += wrapped;
        } else {
            let body = strip_indent(text, line.no, file, report);
            if pdf_breaks(body) >= PDF_MIN_BREAKS {
                rebuild(
                    &pdf_segments(body, line.no),
                    title,
                    &mut blocks,
                    file,
                    report,
                );
            } else {
                blocks.push(Block::new(line.no, body));
            }
            i += 1;
        }
        if let Some(b) = blocks.get_mut(first) {
            b.gap_before = gap;
        }
        gap = 0;
    }
    blocks
}

fn strip_indent<'a>(text: &'a str, line: u32, file: &str, report: &mut Report) -> &'a str {
    let body = text.trim_start_matches(is_space);
    let indent = &text[..text.len() - body.len()];
    if indent.contains('\u{3000}') || indent.chars().count() >= 2 {
        report.add(Change::Indentation, 1, || {
            format!("{file}:{line}: {:?}", indent)
        });
    }
    body
}

/// Spaces standing between two wide characters: where PDF lines were joined.
fn pdf_breaks(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut n = 0;
    for w in chars.windows(3) {
        if w[1] == ' ' && is_wide(w[0]) && is_wide(w[2]) {
            n += 1;
        }
    }
    n
}

/// Cuts a PDF line at its line-break spaces. Spaces next to Latin text are
/// kept inside a segment: they may be real word spaces.
fn pdf_segments(text: &str, line: u32) -> Vec<Segment<'_>> {
    let mut segments = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c == ' ' {
            let next = iter.peek().map(|&(_, n)| n);
            if prev.is_some_and(is_wide) && next.is_some_and(is_wide) {
                segments.push(Segment {
                    line,
                    text: &text[start..i],
                    indented: false,
                });
                start = i + c.len_utf8();
            }
        }
        prev = Some(c);
    }
    segments.push(Segment {
        line,
        text: &text[start..],
        indented: false,
    });
    segments.retain(|s| !s.text.trim().is_empty());
    segments
}

/// The run of non-blank lines from the start, and whether it is
/// hard-wrapped: most lines the same length (the page width), and those
/// full lines mostly stopping mid-sentence.
fn wrapped_run(lines: &[Line]) -> (usize, bool) {
    let n = lines
        .iter()
        .take_while(|l| !l.text.trim().is_empty())
        .count();
    if n < WRAPPED_MIN_LINES {
        return (n, false);
    }
    let lens: Vec<usize> = lines[..n].iter().map(|l| chars(l.text.trim())).collect();
    let width = lens.iter().copied().max().unwrap_or(0);
    let full: Vec<&Line> = lines[..n]
        .iter()
        .zip(&lens)
        .filter(|(_, &l)| l * 100 >= width * 85)
        .map(|(line, _)| line)
        .collect();
    // A list of one-line paragraphs of similar length ends each with a
    // full stop; wrapped text mostly does not.
    let cut = full.iter().filter(|l| !ends_sentence(&l.text)).count();
    let wrapped =
        (15..=120).contains(&width) && full.len() * 10 >= n * 6 && cut * 10 >= full.len() * 6;
    (n, wrapped)
}

/// Rebuilds paragraphs and headings from page lines.
fn rebuild(
    segments: &[Segment],
    title: Option<&str>,
    out: &mut Vec<Block>,
    file: &str,
    report: &mut Report,
) {
    let width = median(segments.iter().map(|s| chars(s.text)).collect());
    // A line clearly shorter than the page width ends its paragraph.
    let short = |s: &Segment| chars(s.text) * 5 < width * 4;
    // A heading's second line is short and is not a sentence.
    let tail = |s: &Segment| chars(s.text) * 5 < width * 3 && !ends_sentence(s.text);
    let mut i = skip_title(segments, title, file, report);
    let mut current: Option<Block> = None;
    while i < segments.len() {
        let seg = &segments[i];
        i += 1;
        if seg.indented {
            if let Some(done) = current.take() {
                finish(done, out, file, report);
            }
        }
        if current.is_none() && is_numbered_heading(seg.text) {
            let mut heading = Block::new(seg.line, seg.text.trim());
            if let Some(next) = segments
                .get(i)
                .filter(|n| tail(n) && !is_numbered_heading(n.text))
            {
                join_line(&mut heading.text, next, file, report);
                i += 1;
            }
            report.add(Change::InlineHeading, 1, || {
                format!("{file}:{}: {}", seg.line, excerpt(&heading.text, 30))
            });
            heading.rebuilt = true;
            out.push(heading);
            continue;
        }
        let block = current.get_or_insert_with(|| {
            let mut b = Block::new(seg.line, "");
            b.rebuilt = true;
            b
        });
        join_line(&mut block.text, seg, file, report);
        let next = segments.get(i);
        let heading_next =
            next.is_some_and(|n| is_numbered_heading(n.text)) && ends_sentence(seg.text);
        if short(seg) || heading_next || next.is_none() {
            if let Some(done) = current.take() {
                finish(done, out, file, report);
            }
        }
    }
}

fn finish(done: Block, out: &mut Vec<Block>, file: &str, report: &mut Report) {
    report.add(Change::PdfParagraphs, 1, || {
        format!("{file}:{}: {}", done.line, excerpt(&done.text, 24))
    });
    out.push(done);
}

/// Appends a page line, dropping the line-break space between two wide
/// characters.
fn join_line(acc: &mut String, next: &Segment, file: &str, report: &mut Report) {
    let text = next.text.trim();
    if let (Some(a), Some(b)) = (acc.chars().last(), text.chars().next()) {
        if is_wide(a) && is_wide(b) {
            report.add(Change::PdfSpaces, 1, || {
                format!("{file}:{}: “{a} {b}” → “{a}{b}”", next.line)
            });
        } else {
            acc.push(' ');
        }
    }
    acc.push_str(text);
}

/// PDF text often repeats the title at the top of the page: skip the lines
/// that spell it exactly.
fn skip_title(segments: &[Segment], title: Option<&str>, file: &str, report: &mut Report) -> usize {
    let Some(title) = title.map(comparable) else {
        return 0;
    };
    let mut seen = String::new();
    for (n, seg) in segments.iter().enumerate() {
        seen.push_str(&comparable(seg.text));
        if seen == title {
            report.add(Change::DuplicateTitle, 1, || {
                format!("{file}:{}: {}", seg.line, excerpt(&title, 30))
            });
            return n + 1;
        }
        if !title.starts_with(&seen) {
            break;
        }
    }
    0
}

fn median(mut v: Vec<usize>) -> usize {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

/// An image caption left in the text: a single sentence set off by a gap of
/// two or more blank lines (where the picture was), that either interrupts
/// an unfinished sentence or trails after the article's end.
pub fn drop_captions(blocks: &mut Vec<Block>, file: &str, report: &mut Report) {
    let mut i = 0;
    while i < blocks.len() {
        let b = &blocks[i];
        let candidate = b.gap_before >= 2
            && !b.rebuilt
            && chars(&b.text) <= 150
            && !is_numbered_heading(&b.text)
            && sentences(&b.text) <= 1;
        let prev_unfinished = i
            .checked_sub(1)
            .and_then(|p| blocks.get(p))
            .is_some_and(unfinished);
        let interrupts = prev_unfinished && i + 1 < blocks.len();
        let trails = i + 1 == blocks.len() && blocks.len() >= 3;
        if candidate && (interrupts || trails) {
            let line = b.line;
            report.add(Change::Caption, 1, || {
                format!("{file}:{line}: {}", excerpt(&blocks[i].text, 30))
            });
            blocks.remove(i);
        } else {
            i += 1;
        }
    }
}

fn sentences(text: &str) -> usize {
    text.chars()
        .filter(|c| matches!(c, '。' | '！' | '？' | '!' | '?'))
        .count()
}

/// A paragraph that visibly stops mid-sentence: after a comma, or a long
/// line (too long for a heading) without a sentence end.
fn unfinished(b: &Block) -> bool {
    if b.heading.is_some() || is_numbered_heading(&b.text) || ends_sentence(&b.text) {
        return false;
    }
    let text = b.text.trim_end();
    let after_comma = text.ends_with(['，', '、', ',', '—'])
        || text.ends_with(crate::cjk::is_line_end_prohibited);
    after_comma || (ends_mid_clause(text) && chars(text) > HEADING_MAX)
}

/// Joins a paragraph to the next when it stops mid-sentence.
pub fn rejoin(blocks: &mut Vec<Block>, file: &str, report: &mut Report) {
    let mut i = 0;
    while i + 1 < blocks.len() {
        if unfinished(&blocks[i]) && !is_numbered_heading(&blocks[i + 1].text) {
            let next = blocks.remove(i + 1);
            let a = &mut blocks[i];
            report.add(Change::Rejoined, 1, || {
                format!(
                    "{file}:{}+{}: …{}|{}…",
                    a.line,
                    next.line,
                    tail_of(&a.text, 6),
                    excerpt(&next.text, 6)
                )
            });
            let sep = match (a.text.chars().last(), next.text.chars().next()) {
                (Some(x), Some(y)) if is_wide(x) || is_wide(y) => "",
                _ => " ",
            };
            a.text.push_str(sep);
            a.text.push_str(next.text.trim_start());
            a.joined = true;
        } else {
            i += 1;
        }
    }
}

fn tail_of(s: &str, n: usize) -> String {
    let total = chars(s);
    s.chars().skip(total.saturating_sub(n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::numbered_lines as lines;

    fn texts(blocks: &[Block]) -> Vec<&str> {
        blocks.iter().map(|b| b.text.as_str()).collect()
    }

    /// Blocks, captions out, broken paragraphs rejoined.
    fn cleaned(text: &str) -> (Vec<String>, Report) {
        let mut r = Report::default();
        let mut blocks = build(&lines(text), None, "a", &mut r);
        drop_captions(&mut blocks, "a", &mut r);
        rejoin(&mut blocks, "a", &mut r);
        (blocks.into_iter().map(|b| b.text).collect(), r)
    }

    #[test]
    fn caption_inside_a_sentence_and_rejoin() {
        let long = "组织部门要持续唱好党史学习主角，把党史学习纳入干部教育培训体系，切实把学习成果转化为坚定立场，体现为";
        let text = format!("{long}\n\n\n\n某某同志到某公司指导党建工作。\n\n推进事业发展的实际成效。\n\n不断完善解决民\n\n生问题的体制机制。");
        let (texts, r) = cleaned(&text);
        let joined = format!("{long}推进事业发展的实际成效。");
        assert_eq!(
            texts,
            [joined.as_str(), "不断完善解决民", "生问题的体制机制。"]
        );
        assert_eq!(r.count(Change::Caption), 1);
    }

    #[test]
    fn long_fragments_rejoin_but_headings_stay() {
        let long = "要健全完善党史学习教育融入日常、抓在经常工作制度，发挥理论学习中心组龙头作用，用好学校思政课有效渠道和学习";
        let text = format!("{long}\n\n教育的良好机制。\n\n涵养为民情怀 用心用情办好群众之事\n\n正文。\n\n\n\n某某同志主持学习例会。");
        let (texts, r) = cleaned(&text);
        let joined = format!("{long}教育的良好机制。");
        assert_eq!(
            texts,
            [
                joined.as_str(),
                "涵养为民情怀 用心用情办好群众之事",
                "正文。"
            ]
        );
        assert_eq!(r.count(Change::Caption), 1);
    }

    #[test]
    fn pdf_lines_rebuilt() {
        let line = "标题第一行 标题第二行 同志们： 今天我们齐聚一堂，围绕加强组织部门作风 建设这一核心议题，共上一堂专题党课。组织 部门作为党的政治机关，肩负光荣使命。 一、校准政治定盘星，铸就作风之魂，深刻 把握方位坐标 组织工作的政治属性决定了作风建设必须 以最高标准来衡量，我们必须站在政治的维 度深刻领悟作风建设的极端重要性。 （一）熔铸忠诚之魂：过硬作风是政治忠诚 过硬作风是组工干部政治忠诚最鲜明的印 记，我们必须以铁的作风守护铁的忠诚和担";
        let mut r = Report::default();
        let blocks = build(&lines(line), Some("标题第一行标题第二行"), "a", &mut r);
        assert_eq!(
            texts(&blocks),
            [
                "同志们：",
                "今天我们齐聚一堂，围绕加强组织部门作风建设这一核心议题，共上一堂专题党课。组织部门作为党的政治机关，肩负光荣使命。",
                "一、校准政治定盘星，铸就作风之魂，深刻把握方位坐标",
                "组织工作的政治属性决定了作风建设必须以最高标准来衡量，我们必须站在政治的维度深刻领悟作风建设的极端重要性。",
                "（一）熔铸忠诚之魂：过硬作风是政治忠诚",
                "过硬作风是组工干部政治忠诚最鲜明的印记，我们必须以铁的作风守护铁的忠诚和担",
            ]
        );
        assert_eq!(r.count(Change::DuplicateTitle), 1);
        assert_eq!(r.count(Change::InlineHeading), 2);
    }

    #[test]
    fn hard_wrapped_lines_and_indentation() {
        let text = "　　第一段第一行文字第一段第一行文字\n第一段第二行文字第一段第二行文字\n第一段到此结束。\n　　第二段第一行文字第二段第一行文\n字第二段第二行文字第二段第二行文\n字结束。";
        let mut r = Report::default();
        let blocks = build(&lines(text), None, "a", &mut r);
        assert_eq!(
            texts(&blocks),
            [
                "第一段第一行文字第一段第一行文字第一段第二行文字第一段第二行文字第一段到此结束。",
                "第二段第一行文字第二段第一行文字第二段第二行文字第二段第二行文字结束。",
            ]
        );
        let mut r = Report::default();
        let blocks = build(&lines("    以史为鉴，开创未来。"), None, "a", &mut r);
        assert_eq!(texts(&blocks), ["以史为鉴，开创未来。"]);
        assert_eq!(r.count(Change::Indentation), 1);
    }
}
