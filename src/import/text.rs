//! Small text facts every import rule leans on: where sentences end, how long
//! a line is in characters, and a Traditional → Simplified fold so that one
//! keyword list serves both scripts.

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

fn simplified(c: char) -> Option<char> {
    Some(match c {
        '當' => '当',
        '購' => '购',
        '車' => '车',
        '跡' => '迹',
        '載' => '载',
        '會' => '会',
        '員' => '员',
        '錄' => '录',
        '註' => '注',
        '冊' => '册',
        '權' => '权',
        '舉' => '举',
        '報' => '报',
        '電' => '电',
        '話' => '话',
        '違' => '违',
        '許' => '许',
        '證' => '证',
        '轉' => '转',
        '聲' => '声',
        '關' => '关',
        '閉' => '闭',
        '發' => '发',
        '評' => '评',
        '論' => '论',
        '鍵' => '键',
        '類' => '类',
        '別' => '别',
        '標' => '标',
        '籤' => '签',
        '欄' => '栏',
        '郵' => '邮',
        '責' => '责',
        '編' => '编',
        '輯' => '辑',
        '簽' => '签',
        '審' => '审',
        '對' => '对',
        '瀏' => '浏',
        '覽' => '览',
        '點' => '点',
        '擊' => '击',
        '閱' => '阅',
        '讀' => '读',
        '體' => '体',
        '號' => '号',
        '來' => '来',
        '時' => '时',
        '間' => '间',
        '佈' => '布',
        '網' => '网',
        '備' => '备',
        '掃' => '扫',
        '頁' => '页',
        '頂' => '顶',
        '鏈' => '链',
        '圖' => '图',
        '專' => '专',
        '題' => '题',
        '熱' => '热',
        '門' => '门',
        '薦' => '荐',
        '繫' => '系',
        '聯' => '联',
        '視' => '视',
        '訊' => '讯',
        '傳' => '传',
        '復' => '复',
        '製' => '制',
        '屬' => '属',
        '處' => '处',
        '臺' => '台',
        '稱' => '称',
        '贊' => '赞',
        '碼' => '码',
        '藝' => '艺',
        '動' => '动',
        '態' => '态',
        '單' => '单',
        '說' => '说',
        '務' => '务',
        _ => return None,
    })
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
    }
}
