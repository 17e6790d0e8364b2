//! Small text facts every import rule leans on: where sentences end, how long
//! a line is in characters, and a Traditional → Simplified fold so that one
//! keyword list serves both scripts.

use std::sync::OnceLock;

use crate::cjk;

/// Marks that end a sentence. A closing quote or bracket after one of them
/// still ends it (`……。”`).
pub fn ends_sentence(s: &str) -> bool {
    let mut tail = s.trim_end().chars().rev();
    loop {
        match tail.next() {
            Some('”' | '’' | '」' | '』' | '）' | ')' | '》' | '】' | '"' | '\'') => {
                continue
            }
            Some('。' | '！' | '？' | '…' | '!' | '?' | '⋯') => return true,
            _ => return false,
        }
    }
}

/// Marks after which a paragraph cannot end: the sentence visibly goes on.
pub fn ends_mid_clause(s: &str) -> bool {
    match s.trim_end().chars().last() {
        Some(c) => {
            matches!(c, '，' | '、' | ',' | '—') || cjk::is_line_end_prohibited(c) || is_word(c)
        }
        None => false,
    }
}

/// A letter, digit or ideograph: text, not punctuation.
pub fn is_word(c: char) -> bool {
    cjk::is_han(c) || c.is_alphanumeric()
}

/// Length in characters (what a reader counts), not bytes.
pub fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Whitespace as it appears in scraped Chinese text: ASCII, tabs, the
/// ideographic space and no-break spaces.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}'
}

/// Shortens an example for the report.
pub fn excerpt(s: &str, max: usize) -> String {
    let s = s.trim();
    if chars(s) <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

/// Lower-case ASCII and Simplified forms of the Traditional characters that
/// occur in site-furniture and metadata keywords, for matching only.
pub fn fold(s: &str) -> String {
    s.chars()
        .map(|c| simplified(c).unwrap_or(c.to_ascii_lowercase()))
        .collect()
}

/// Traditional characters of the keyword lists and, at the same position,
/// their Simplified forms.
const TRADITIONAL: &str = "當購車跡載會員錄註冊權舉報電話違許證轉聲關閉發評論鍵類別標籤欄郵責編輯簽審對瀏覽點擊閱讀體號來時間佈網備掃頁頂鏈圖專題熱門薦繫聯視訊傳復製屬處臺稱贊碼藝動態單說務";
const SIMPLIFIED: &str = "当购车迹载会员录注册权举报电话违许证转声关闭发评论键类别标签栏邮责编辑签审对浏览点击阅读体号来时间布网备扫页顶链图专题热门荐系联视讯传复制属处台称赞码艺动态单说务";

fn simplified(c: char) -> Option<char> {
    if c.is_ascii() {
        return None;
    }
    // Every character of every line is folded: a sorted table, not a scan.
    static PAIRS: OnceLock<Vec<(char, char)>> = OnceLock::new();
    let pairs = PAIRS.get_or_init(|| {
        let mut pairs: Vec<(char, char)> = TRADITIONAL.chars().zip(SIMPLIFIED.chars()).collect();
        pairs.sort_unstable();
        pairs
    });
    let i = pairs.binary_search_by_key(&c, |&(t, _)| t).ok()?;
    Some(pairs[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_ends() {
        assert!(ends_sentence("好。"));
        assert!(ends_sentence("他说：“走吧。”"));
        assert!(ends_sentence("为什么?"));
        assert!(!ends_sentence("缺乏勇气和深度；"));
        assert!(!ends_sentence("体现为"));
        assert!(
            ends_mid_clause("体现为") && ends_mid_clause("一是，") && !ends_mid_clause("同志们：")
        );
    }

    #[test]
    fn folding_and_excerpts() {
        assert_eq!(fold("版權所有 ICP"), "版权所有 icp");
        assert_eq!(excerpt("一二三四五", 3), "一二三…");
        assert_eq!(chars("中a"), 2);
        assert_eq!(chars(TRADITIONAL), chars(SIMPLIFIED));
    }
}
