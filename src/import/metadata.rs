//! Who wrote it, where and when it appeared, and what it is called: the
//! lines a page prints around an article become front matter.
//! - `来源：… 作者：… 日期：…` lines (any order, several on one line);
//! - `■张 三`-style author lines and `文/张三`;
//! - a date standing alone on a line, or a short dateline above the text
//!   (`原创 张三 某某公众号 2023-03-15 08:00`);
//! - the title: the first line left, when it is short and not a sentence,
//!   without a `栏目 |` column prefix;
//! - `（作者系……）` notes, standalone or closing the last paragraph;
//! - a title `作者：标题` whose prefix repeats the byline loses it;
//! - a journal issue (`《某某研究》2022年第3期`) is the date it gives.

use super::punctuation::{full_width, squeeze_spaces};
use super::text::{chars, ends_sentence, excerpt, fold, is_space};
use super::{Block, Change, Line, Report};

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Meta {
    pub title: Option<String>,
    pub author: Option<String>,
    pub source: Option<String>,
    /// YYYY-MM-DD.
    pub date: Option<String>,
    pub language: Option<&'static str>,
    pub note: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Field {
    Source,
    Author,
    Date,
    /// A key that only delimits the value before it (`字体：`, `编辑：`).
    Other,
}

/// Longest first, so `发布时间` wins over `时间`.
const KEYS: &[(&str, Field)] = &[
    ("发布时间", Field::Date),
    ("发布日期", Field::Date),
    ("发表时间", Field::Date),
    ("更新时间", Field::Date),
    ("责任编辑", Field::Other),
    ("来源", Field::Source),
    ("出处", Field::Source),
    ("稿源", Field::Source),
    ("作者", Field::Author),
    ("撰文", Field::Author),
    ("日期", Field::Date),
    ("时间", Field::Date),
    ("字体", Field::Other),
    ("字号", Field::Other),
    ("编辑", Field::Other),
    ("浏览", Field::Other),
    ("点击", Field::Other),
];

const TITLE_MAX: usize = 60;

/// Takes the metadata lines out of `lines`, returning what they said.
pub fn extract(lines: Vec<Line>, file: &str, report: &mut Report) -> (Meta, Vec<Line>) {
    let mut meta = Meta::default();
    let mut kept = Vec::with_capacity(lines.len());
    let mut in_header = true;
    for line in lines {
        in_header &= !is_prose(&line.text);
        if take_line(&line.text, &mut meta) || (in_header && dateline(&line.text, &mut meta)) {
            report.add(Change::Metadata, 1, || {
                format!("{file}:{}: {}", line.no, excerpt(&line.text, 40))
            });
        } else {
            kept.push(line);
        }
    }
    if let Some(pos) = kept.iter().position(|l| !l.text.trim().is_empty()) {
        if let Some(title) = title_of(&kept[pos].text) {
            report.add(Change::Metadata, 1, || {
                format!("{file}:{}: title = {title}", kept[pos].no)
            });
            meta.title = Some(title);
            kept.remove(pos);
        }
    }
    if let (Some(title), Some(author)) = (&meta.title, &meta.author) {
        if let Some(rest) = without_byline(title, author) {
            report.add(Change::Metadata, 1, || {
                format!("{file}: title `{title}` without the author's name")
            });
            meta.title = Some(rest);
        }
    }
    if meta.date.is_none() {
        if let Some(source) = &meta.source {
            if let Some((at, issue)) = journal_issue(source) {
                let rest = source[..at].trim_end().to_string();
                meta.date = Some(issue);
                meta.source = (!rest.is_empty()).then_some(rest);
            }
        }
    }
    (meta, kept)
}

/// `刘亚然：推动组织工作守正创新` by 刘亚然 → `推动组织工作守正创新`: the
/// author's name already stands in the byline.
fn without_byline(title: &str, author: &str) -> Option<String> {
    let rest = title.strip_prefix(author)?;
    let rest = rest.trim_start_matches(is_space);
    let rest = rest
        .strip_prefix(['：', ':', '｜', '|'])?
        .trim_start_matches(is_space);
    (chars(rest) >= 2).then(|| rest.to_string())
}

/// A journal's year and issue, `2022年第3期` (or `2022年3期`), where it ends
/// `text`: its byte offset and the issue as printed.
pub fn journal_issue(text: &str) -> Option<(usize, String)> {
    let t = text.trim_end();
    let chars: Vec<(usize, char)> = t.char_indices().collect();
    let mut i = chars.len();
    let mut back = |want: &dyn Fn(char) -> bool, max: usize| {
        let mut n = 0;
        while n < max && i > 0 && want(chars[i - 1].1) {
            i -= 1;
            n += 1;
        }
        n
    };
    let digit = |c: char| c.is_ascii_digit();
    let ok = back(&|c| c == '期', 1) == 1
        && (1..=3).contains(&back(&digit, 3))
        && back(&|c| c == '第', 1) <= 1
        && back(&|c| c == '年', 1) == 1
        && back(&digit, 4) == 4;
    if !ok || (i > 0 && digit(chars[i - 1].1)) {
        return None;
    }
    let at = chars[i].0;
    let year: u32 = t[at..at + 4].parse().ok()?;
    (1900..=2100)
        .contains(&year)
        .then(|| (at, t[at..].to_string()))
}

/// A line of running text rather than page furniture or a heading.
fn is_prose(line: &str) -> bool {
    line.contains('。') || chars(line.trim()) > TITLE_MAX
}

/// A short line above the text that carries the date, as blogs and WeChat
/// print it. After `原创`, the next words are the author and the account.
fn dateline(line: &str, meta: &mut Meta) -> bool {
    let trimmed = line.trim();
    if chars(trimmed) > TITLE_MAX || trimmed.contains(['，', ',']) {
        return false;
    }
    let Some(date) = parse_date(trimmed) else {
        return false;
    };
    let words: Vec<&str> = trimmed.split(is_space).filter(|w| !w.is_empty()).collect();
    if words.len() > 6 {
        return false;
    }
    if words.first().is_some_and(|w| fold(w) == "原创") {
        let no_digits = |w: &&&str| !w.chars().any(|c| c.is_ascii_digit());
        if let Some(author) = words.get(1).filter(no_digits).and_then(|w| marked_name(w)) {
            meta.author.get_or_insert(author);
        }
        if let Some(source) = words.get(2).filter(no_digits) {
            meta.source.get_or_insert(source.to_string());
        }
    }
    meta.date.get_or_insert(date);
    true
}

/// A `key：value` metadata line (which furniture rules must not eat, even
/// when it also names an editor).
pub fn is_key_value_line(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && chars(t) <= 100 && !t.contains('。') && !key_values(t).is_empty()
}

/// Reads a metadata line into `meta`; false when the line is text.
fn take_line(line: &str, meta: &mut Meta) -> bool {
    let trimmed = line.trim();
    if trimmed.is_empty() || chars(trimmed) > 100 || trimmed.contains('。') {
        return standalone_note(trimmed, meta);
    }
    let fields = key_values(trimmed);
    if !fields.is_empty() {
        for (field, value) in fields {
            let slot = match field {
                Field::Source => &mut meta.source,
                Field::Author => &mut meta.author,
                Field::Date => {
                    if let Some(d) = parse_date(&value) {
                        meta.date.get_or_insert(d);
                    }
                    continue;
                }
                Field::Other => continue,
            };
            if !value.is_empty() && slot.is_none() {
                *slot = Some(clean_value(&value, field == Field::Author));
            }
        }
        if meta.date.is_none() {
            meta.date = parse_date(trimmed);
        }
        return true;
    }
    if let Some(name) = marked_author(trimmed) {
        meta.author.get_or_insert(name);
        return true;
    }
    if chars(trimmed) <= 20 && date_only(trimmed) {
        if let Some(d) = parse_date(trimmed) {
            meta.date.get_or_insert(d);
            return true;
        }
    }
    if chars(trimmed) <= 12 {
        if let Some((0, issue)) = journal_issue(trimmed) {
            meta.date.get_or_insert(issue);
            return true;
        }
    }
    standalone_note(trimmed, meta)
}

/// `（作者系……）` on a line of its own.
fn standalone_note(trimmed: &str, meta: &mut Meta) -> bool {
    let Some(inner) = parenthesised(trimmed) else {
        return false;
    };
    let is_author_note = ["作者", "本文作者"]
        .iter()
        .any(|k| fold(inner).starts_with(k));
    if !is_author_note || chars(inner) > 120 || meta.note.is_some() {
        return false;
    }
    meta.note = Some(clean_value(inner, false));
    true
}

/// The text inside a line that is wholly one pair of parentheses.
fn parenthesised(s: &str) -> Option<&str> {
    let inner = s
        .strip_prefix('（')
        .and_then(|r| r.strip_suffix('）'))
        .or_else(|| s.strip_prefix('(').and_then(|r| r.strip_suffix(')')))?;
    (!inner.contains(['(', ')', '（', '）'])).then(|| inner.trim())
}

/// `key：value` pairs of a metadata line, in order. Empty when the line has
/// no key that opens it or follows a space.
fn key_values(line: &str) -> Vec<(Field, String)> {
    let orig: Vec<char> = line.chars().collect();
    let folded: Vec<char> = fold(line).chars().collect();
    let mut hits: Vec<(usize, usize, Field)> = Vec::new(); // (key start, value start, field)
    let mut i = 0;
    while i < folded.len() {
        let boundary = i == 0
            || folded
                .get(i - 1)
                .is_some_and(|&c| is_space(c) || "|｜[【(（-".contains(c));
        let found = boundary
            .then(|| {
                KEYS.iter().find_map(|(key, field)| {
                    let k: Vec<char> = key.chars().collect();
                    let end = i + k.len();
                    if folded.get(i..end)? != &k[..] {
                        return None;
                    }
                    let mut v = end;
                    while folded.get(v).is_some_and(|&c| is_space(c)) {
                        v += 1;
                    }
                    matches!(folded.get(v), Some(':' | '：')).then_some((v + 1, *field))
                })
            })
            .flatten();
        match found {
            Some((value_start, field)) => {
                hits.push((i, value_start, field));
                i = value_start;
            }
            None => i += 1,
        }
    }
    // A key must open the line, apart from leading bullets.
    let opens = hits.first().is_some_and(|&(start, _, _)| {
        orig.get(..start)
            .is_some_and(|pre| pre.iter().all(|&c| !c.is_alphanumeric()))
    });
    if !opens || hits.iter().all(|h| h.2 == Field::Other) {
        return Vec::new();
    }
    hits.iter()
        .enumerate()
        .map(|(n, &(_, value_start, field))| {
            let end = hits.get(n + 1).map_or(orig.len(), |h| h.0);
            let value: String = orig.get(value_start..end).unwrap_or(&[]).iter().collect();
            (
                field,
                value
                    .trim_matches(|c| is_space(c) || c == '|' || c == '｜')
                    .to_string(),
            )
        })
        .collect()
}

/// `■黄 峰`, `文/张三`, `文｜张三`: a short name after a marker.
fn marked_author(line: &str) -> Option<String> {
    let rest = line
        .strip_prefix(['■', '□', '▲', '●', '◆', '★', '▌', '▍'])
        .or_else(|| line.strip_prefix("文/"))
        .or_else(|| line.strip_prefix("文／"))
        .or_else(|| line.strip_prefix("文｜"))
        .or_else(|| line.strip_prefix("文|"))?;
    marked_name(rest)
}

/// A personal name (or a few, joined by 、): ideographs only, spaces gone.
fn marked_name(s: &str) -> Option<String> {
    let name: String = s.chars().filter(|&c| !is_space(c)).collect();
    let plausible = (2..=12).contains(&chars(&name))
        && name
            .chars()
            .all(|c| crate::cjk::is_han(c) || c == '·' || c == '、');
    plausible.then_some(name)
}

fn clean_value(value: &str, name: bool) -> String {
    let (v, _) = full_width(value);
    if name {
        return v.chars().filter(|&c| !is_space(c)).collect();
    }
    squeeze_spaces(&v, false).0
}

/// The title, if `line` reads like one: short, not a sentence, not a note.
fn title_of(line: &str) -> Option<String> {
    let trimmed = line.trim();
    let n = chars(trimmed);
    let sentence = trimmed.contains('。') || trimmed.ends_with(['，', ',', '；', ';', '：', ':']);
    if !(2..=TITLE_MAX).contains(&n) || sentence {
        return None;
    }
    let without_column = match trimmed.split_once(['|', '｜']) {
        Some((column, rest)) if chars(column.trim()) <= 8 && !rest.trim().is_empty() => rest,
        _ => trimmed,
    };
    let (title, _) = full_width(without_column);
    Some(squeeze_spaces(&title, true).0)
}

/// `2022/2/9`, `2022-02-09`, `2022.2.9`, `2022年2月9日` → `2022-02-09`.
pub fn parse_date(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    (0..chars.len()).find_map(|start| {
        if start > 0 && chars[start - 1].is_ascii_digit() {
            return None;
        }
        let mut i = start;
        let mut parts = [0u32; 3];
        for (n, part) in parts.iter_mut().enumerate() {
            let digits_start = i;
            while i < chars.len() && chars[i].is_ascii_digit() && i - digits_start < 4 {
                *part = *part * 10 + chars[i].to_digit(10).unwrap_or(0);
                i += 1;
            }
            let len = i - digits_start;
            let want = if n == 0 { 4..=4 } else { 1..=2 };
            if !want.contains(&len) {
                return None;
            }
            if n < 2 {
                let sep = chars.get(i)?;
                if !matches!(sep, '-' | '/' | '.' | '年' | '月') {
                    return None;
                }
                i += 1;
            }
        }
        let [y, m, d] = parts;
        let valid = (1900..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d);
        let followed_by_digit = chars.get(i).is_some_and(|c| c.is_ascii_digit());
        (valid && !followed_by_digit).then(|| format!("{y:04}-{m:02}-{d:02}"))
    })
}

/// A line that is a date and nothing else (a time of day may follow).
fn date_only(line: &str) -> bool {
    line.chars()
        .all(|c| c.is_ascii_digit() || is_space(c) || "-/.:年月日时分：".contains(c))
}

/// A last paragraph that closes with `（作者系……）` or `（某某单位）` after its
/// final sentence: the parenthesis is a note about the author, not text.
pub fn trailing_note(blocks: &mut Vec<Block>, meta: &mut Meta, file: &str, report: &mut Report) {
    if meta.note.is_some() {
        return;
    }
    let Some(last) = blocks.last_mut() else {
        return;
    };
    if last.heading.is_some() {
        return;
    }
    let text = last.text.trim_end();
    let Some(open) = opening_of_final_paren(text) else {
        return;
    };
    let before = text.get(..open).unwrap_or("").trim_end();
    let inner = text
        .get(open..)
        .unwrap_or("")
        .trim_start_matches(['(', '（'])
        .trim_end_matches([')', '）'])
        .trim();
    if inner.is_empty() || chars(inner) > 120 || inner.contains('。') {
        return;
    }
    if !before.is_empty() && !ends_sentence(before) {
        return;
    }
    let note = clean_value(inner, false);
    let line = last.line;
    report.add(Change::Metadata, 1, || {
        format!("{file}:{line}: note = {note}")
    });
    meta.note = Some(note);
    if before.is_empty() {
        blocks.pop();
    } else {
        last.text = before.to_string();
    }
}

/// Byte offset of the `(` matching a final `)`.
fn opening_of_final_paren(text: &str) -> Option<usize> {
    if !text.ends_with([')', '）']) {
        return None;
    }
    let mut depth = 0i32;
    for (i, c) in text.char_indices().rev() {
        match c {
            ')' | '）' => depth += 1,
            '(' | '（' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::numbered_lines as lines;

    #[test]
    fn key_value_lines() {
        let meta_of = |text: &str| extract(lines(text), "a", &mut Report::default());
        let (meta, rest) = meta_of(
            "张三:论学习\n来源:某某杂志 作者:张三  日期:2022/2/9 字体: [大][中][小]\n正文。",
        );
        // The title's `张三：` repeats the byline.
        assert_eq!(meta.title.as_deref(), Some("论学习"));
        assert_eq!(meta.source.as_deref(), Some("某某杂志"));
        assert_eq!(meta.author.as_deref(), Some("张三"));
        assert_eq!(meta.date.as_deref(), Some("2022-02-09"));
        assert_eq!(rest.len(), 1);
        // Traditional keys, a source with a book title, a note line.
        let (meta, rest) =
            meta_of("標題\n正文。\n(作者系某省委書記)\n來源:《某某研究》2022年第3期");
        assert_eq!(meta.source.as_deref(), Some("《某某研究》"));
        assert_eq!(meta.note.as_deref(), Some("作者系某省委書記"));
        assert_eq!(meta.date.as_deref(), Some("2022年第3期"));
        assert_eq!(rest.len(), 1);
        // An issue on a line of its own; a title prefix that is not the author.
        let (meta, _) = meta_of("党课：淬炼作风\n■张三\n2021年12期\n正文。");
        assert_eq!(meta.title.as_deref(), Some("党课：淬炼作风"));
        assert_eq!(meta.date.as_deref(), Some("2021年12期"));
        assert_eq!(
            journal_issue("刊于2022年第3期"),
            Some((6, "2022年第3期".into()))
        );
        assert_eq!(journal_issue("12022年第3期"), None);
        assert_eq!(journal_issue("2022年第期"), None);
        assert_eq!(journal_issue("第3期"), None);
    }

    #[test]
    fn marked_authors_titles_and_dates() {
        assert_eq!(marked_author("■黄 峰").as_deref(), Some("黄峰"));
        assert_eq!(marked_author("文/张三").as_deref(), Some("张三"));
        assert_eq!(marked_author("■ 要坚持问题导向，推动工作。"), None);
        let mut meta = Meta::default();
        assert!(dateline(
            "原创 张三 某某组工 2023-03-15 08:00 发表于北京",
            &mut meta
        ));
        assert_eq!(meta.author.as_deref(), Some("张三"));
        assert_eq!(meta.source.as_deref(), Some("某某组工"));
        assert_eq!(meta.date.as_deref(), Some("2023-03-15"));
        assert!(!dateline(
            "2023年5月6日，我们召开了会议",
            &mut Meta::default()
        ));
        assert_eq!(
            title_of("栏目名 | 全方位提升 筑牢堡垒").as_deref(),
            Some("全方位提升\u{3000}筑牢堡垒")
        );
        assert_eq!(
            title_of("党课:淬炼作风之剑,锻造精兵").as_deref(),
            Some("党课：淬炼作风之剑，锻造精兵")
        );
        assert_eq!(title_of("这是一句完整的话。"), None);
        assert_eq!(parse_date("2022年2月9日").as_deref(), Some("2022-02-09"));
        assert_eq!(
            parse_date("发布于 2021-12-31 10:30").as_deref(),
            Some("2021-12-31")
        );
        assert_eq!(parse_date("2022年第3期"), None);
        assert_eq!(parse_date("12022/1/1"), None);
        assert_eq!(parse_date("2022/13/1"), None);
    }

    #[test]
    fn notes_closing_the_last_paragraph() {
        let mut r = Report::default();
        let mut meta = Meta::default();
        let mut blocks = vec![Block::new(3, "迎接胜利召开。(作者系某县委常委,组织部部长)")];
        trailing_note(&mut blocks, &mut meta, "a", &mut r);
        assert_eq!(meta.note.as_deref(), Some("作者系某县委常委，组织部部长"));
        assert_eq!(blocks[0].text, "迎接胜利召开。");
        // Parentheses inside the sentence are text.
        let mut meta = Meta::default();
        let mut blocks = vec![Block::new(3, "发挥党委（党组）作用")];
        trailing_note(&mut blocks, &mut meta, "a", &mut r);
        assert_eq!(meta.note, None);
    }
}
