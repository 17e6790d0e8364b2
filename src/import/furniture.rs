//! Site furniture: the lines a web page, document library or WeChat post
//! wraps around an article. Recognised by keyword classes, matched on a
//! Simplified, lower-cased fold of the line so one list serves both scripts.
//! Prose is protected: a line holding a full stop is text, whatever words it
//! uses, unless it is mostly registration numbers.

use super::text::{chars, fold};
use super::Line;

/// Keywords that mark a whole line as furniture wherever they appear.
const STRONG: &[&str] = &[
    // navigation trails
    "当前位置",
    "您的位置",
    "你的位置",
    "您现在的位置",
    "首页 >",
    "首页>",
    "首页 »",
    // shop, download, membership
    "购物车",
    "我的足迹",
    "免费下载",
    "立即下载",
    "加入vip",
    "开通vip",
    "开通会员",
    "下载文档",
    "扫码下载",
    "立即购买",
    // share, print, close, back
    "[打印",
    "【打印",
    "打印本页",
    "[关闭",
    "【关闭",
    "关闭窗口",
    "返回顶部",
    "分享到",
    "扫一扫",
    "微信扫码",
    "上一篇",
    "下一篇",
    // comments and counters
    "发表评论",
    "评论(共",
    "评论（共",
    "浏览次数",
    "阅读次数",
    "点击数",
    "点击量",
    "阅读量",
    // WeChat prompts
    "点击上方",
    "点击蓝字",
    "关注我们",
    "阅读原文",
    "往期推荐",
    "往期回顾",
    "长按识别",
    "长按二维码",
    "扫描二维码",
    "扫码关注",
    "点个在看",
    "预览时标签不可点",
    // document libraries
    "如有侵权",
    "侵权请联系",
    "下载后可编辑",
    "仅供参考",
    "本文档由",
    "文档来源于网络",
    // related articles
    "相关文章",
    "相关阅读",
    "推荐阅读",
    "延伸阅读",
    "相关新闻",
    "猜你喜欢",
    // copyright, registration, licences, reporting
    "版权所有",
    "版权声明",
    "copyright",
    "©",
    "all rights reserved",
    "转载请注明",
    "未经授权",
    "icp备",
    "icp证",
    "公网安备",
    "举报电话",
    "举报邮箱",
    "违法和不良信息",
    // contributors, editors, sign-off
    "投稿邮箱",
    "投稿信箱",
    "责任编辑",
    "送签",
    "签发",
    "审校",
    "校对：",
    "校对:",
];

/// Keywords that are furniture only next to a number: `许可证0120672`.
const NUMBERED: &[&str] = &["许可证", "备案号", "电话", "传真", "邮编"];

/// Keywords that make a line furniture when they open it: `编辑：张三`,
/// `关键字：`, `字体：[大][中][小]`.
const LEADING: &[&str] = &[
    "编辑",
    "审核",
    "责编",
    "主编",
    "关键字",
    "关键词",
    "标签",
    "类别",
    "分类",
    "栏目",
    "字体",
    "字号",
    "来源网站",
];

/// Keywords that only count on a short line (a button or a link), since
/// prose uses them too.
const SHORT_ONLY: &[&str] = &[
    "下载", "vip", "会员", "登录", "注册", "打印", "关闭", "分享", "收藏", "点赞", "评论", "首页",
    "返回", "转发", "在看",
];

const SHORT: usize = 16;

/// Why a line is furniture, or `None` when it is text.
pub fn classify(line: &str) -> Option<&'static str> {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return None;
    }
    let folded = fold(trimmed);
    let len = chars(trimmed);
    let prose = trimmed.contains('。') && len > 40;
    let digits = trimmed.chars().filter(|c| c.is_ascii_digit()).count();
    if !prose {
        if let Some(k) = STRONG.iter().find(|k| folded.contains(*k)) {
            return Some(k);
        }
        let opener =
            folded.trim_start_matches(|c: char| !c.is_alphanumeric() || c == '-' || c == '_');
        if let Some(k) = LEADING.iter().find(|k| {
            opener
                .strip_prefix(*k)
                .is_some_and(|rest| rest.trim_start().starts_with([':', '：']))
        }) {
            return Some(k);
        }
        if digits >= 5 {
            if let Some(k) = NUMBERED.iter().find(|k| folded.contains(*k)) {
                return Some(k);
            }
        }
        if len <= SHORT {
            if let Some(k) = SHORT_ONLY.iter().find(|k| folded.contains(*k)) {
                return Some(k);
            }
        }
    }
    if is_page_number(trimmed) {
        return Some("page number");
    }
    // A long run of registration and phone numbers is furniture even in a
    // line with a full stop. (A dateline has as many digits; it is
    // metadata, not furniture.)
    let numbers = digits >= 12 && digits * 4 >= len && !trimmed.contains('，');
    (numbers && super::metadata::parse_date(trimmed).is_none()).then_some("numbers")
}

/// `- 3 -`, `第 3 页 共 10 页`, `3/10`, `Page 3 of 10`: a page number left by
/// PDF extraction. A date or a year is not one.
fn is_page_number(line: &str) -> bool {
    let has_digit = line.chars().any(|c| c.is_ascii_digit());
    let only_page_chars = line
        .chars()
        .all(|c| c.is_ascii_digit() || " -—–/第页共頁pageofPAGEOF".contains(c) || c == '\u{3000}');
    let longest_number = line
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    has_digit
        && longest_number <= 3
        && only_page_chars
        && chars(line) <= 20
        && super::metadata::parse_date(line).is_none()
}

/// Drops furniture lines and reports each.
pub fn strip(lines: Vec<Line>, file: &str, report: &mut super::Report) -> Vec<Line> {
    lines
        .into_iter()
        .filter(|line| match classify(&line.text) {
            Some(_) => {
                report.add(super::Change::Furniture, 1, || {
                    format!(
                        "{file}:{}: {}",
                        line.no,
                        super::text::excerpt(&line.text, 40)
                    )
                });
                false
            }
            None => true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture_classes() {
        for junk in [
            "当前位置:首 页法治论坛党建廉政详细内容",
            "购物车",
            "我的足迹",
            "加入Vip免费下载 立即下载",
            "↓ [相关文章]   [发表评论(共0条)] [↑返回顶部] [打印本页] [关闭窗口]",
            "关键字:",
            "类别:",
            "- 投稿郵箱:someone@example.com",
            "( 編輯:王五 送簽:王五 簽發:趙六 )",
            "某某雜誌社版權所有 某網承建 版權聲明",
            "轉載請注明來源,京ICP備12345678號-1,京公網安備11010102000000號",
            "違法和不良信息舉報電話:(010)12345678",
            "责任编辑：张三",
            "分享",
            "点击上方蓝字关注我们",
            "阅读原文",
            "- 3 -",
            "第 3 页 共 10 页",
            "Page 3 of 10",
        ] {
            assert!(classify(junk).is_some(), "{junk}");
        }
    }

    #[test]
    fn prose_is_kept() {
        for text in [
            "要坚持问题导向，把群众意见作为下载到基层的第一手资料，切实维护版权所有人的合法权益，推动工作落实。",
            "涵养爱党情怀 入脑入心筑牢思想之魂",
            "来源:中国法治 作者:刘亚然",
            "编辑部的同志们在会上发言。",
            "2021年，全省共发展党员12000名。",
            "深化许可证制度改革",
            "2022-02-09",
            "2022",
        ] {
            assert_eq!(classify(text), None, "{text}");
        }
    }
}
