//! The words booklet prints on its own (目录, 编, 第 12 页 …), one table per
//! script, so that a Traditional book says 目錄 in the EPUB as in the PDF and
//! both back ends take their words from one place.

use crate::lang::Script;

/// Printed labels for one script.
#[derive(Debug)]
pub struct Labels {
    /// The tag to put on these words where the surrounding text is in
    /// another language (the accessibility summary of an English book).
    pub lang: &'static str,
    /// The table of contents: its heading, the nav's name.
    pub contents: &'static str,
    /// After an editor's name on the title page: 张三　编.
    pub edited_by: &'static str,
    /// The particulars on the title page's verso.
    pub book_title: &'static str,
    pub editor: &'static str,
    pub author: &'static str,
    pub publisher: &'static str,
    pub edition: &'static str,
    pub description: &'static str,
    /// The footnotes at an article's end (their section's name).
    pub notes: &'static str,
    /// A picture with no description of its own.
    pub picture: &'static str,
    /// The page list's name (the print edition's page numbers).
    pub page_list: &'static str,
    /// The landmarks nav's name.
    pub landmarks: &'static str,
    /// The body's first page, in the landmarks.
    pub body: &'static str,
    /// Around a page number: 第 + 12 + 页.
    pub page_before: &'static str,
    pub page_after: &'static str,
    /// The print edition, named as the source of the page list.
    pub print_edition: &'static str,
    /// Sentences of the accessibility summary, in the order they are used.
    pub summary: Summary,
}

/// The parts of an EPUB's accessibility summary.
#[derive(Debug)]
pub struct Summary {
    pub text: &'static str,
    pub pictures_described: &'static str,
    pub pictures_undescribed: &'static str,
    pub tables: &'static str,
    pub page_list: &'static str,
    pub conforms: &'static str,
}

const HANS: Labels = Labels {
    lang: "zh-Hans",
    contents: "目录",
    edited_by: "编",
    book_title: "书名",
    editor: "编者",
    author: "作者",
    publisher: "出版",
    edition: "版次",
    description: "内容简介",
    notes: "注释",
    picture: "图",
    page_list: "页码",
    landmarks: "导航",
    body: "正文",
    page_before: "第 ",
    page_after: " 页",
    print_edition: "印刷版",
    summary: Summary {
        text: "本书以文字为主，有分级标题、目录和按阅读顺序排列的正文，字体已嵌入。",
        pictures_described: "图片均附有文字说明。",
        pictures_undescribed: "部分图片没有文字说明。",
        tables: "表格有表头。",
        page_list: "附有与印刷版对应的页码。",
        conforms: "符合 EPUB 无障碍 1.1 与 WCAG 2.1 AA 级。",
    },
};

const HANT: Labels = Labels {
    lang: "zh-Hant",
    contents: "目錄",
    edited_by: "編",
    book_title: "書名",
    editor: "編者",
    author: "作者",
    publisher: "出版",
    edition: "版次",
    description: "內容簡介",
    notes: "註釋",
    picture: "圖",
    page_list: "頁碼",
    landmarks: "導覽",
    body: "正文",
    page_before: "第 ",
    page_after: " 頁",
    print_edition: "印刷版",
    summary: Summary {
        text: "本書以文字為主，有分級標題、目錄和按閱讀順序排列的正文，字型已嵌入。",
        pictures_described: "圖片均附有文字說明。",
        pictures_undescribed: "部分圖片沒有文字說明。",
        tables: "表格有表頭。",
        page_list: "附有與印刷版對應的頁碼。",
        conforms: "符合 EPUB 無障礙 1.1 與 WCAG 2.1 AA 級。",
    },
};

/// The labels printed in a book (or article) of `script`.
pub fn for_script(script: Script) -> &'static Labels {
    match script {
        Script::Hans => &HANS,
        Script::Hant => &HANT,
    }
}

impl Labels {
    /// "第 12 页": a print page, named as the printed book names it.
    pub fn page(&self, folio: &str) -> String {
        format!("{}{folio}{}", self.page_before, self.page_after)
    }

    /// Every character these labels print, for font subsets.
    pub fn characters(&self) -> String {
        let s = &self.summary;
        [
            self.contents,
            self.edited_by,
            self.book_title,
            self.editor,
            self.author,
            self.publisher,
            self.edition,
            self.description,
            self.notes,
            self.picture,
            self.page_list,
            self.landmarks,
            self.body,
            self.page_before,
            self.page_after,
            self.print_edition,
            s.text,
            s.pictures_described,
            s.pictures_undescribed,
            s.tables,
            s.page_list,
            s.conforms,
        ]
        .concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_script_prints_its_own_forms() {
        assert_eq!(for_script(Script::Hans).contents, "目录");
        assert_eq!(for_script(Script::Hant).contents, "目錄");
        assert_eq!(for_script(Script::Hant).edited_by, "編");
        assert_eq!(for_script(Script::Hant).page("12"), "第 12 頁");
        // No Simplified-only form slips into the Traditional table.
        let hant = for_script(Script::Hant).characters();
        for c in "录编书简页导图说规".chars() {
            assert!(!hant.contains(c), "{c} in the Traditional labels");
        }
    }
}
