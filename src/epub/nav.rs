//! The EPUB navigation document, written here rather than by epub-builder:
//! each nav a named landmark with its DPUB-ARIA role, entries of an article
//! in another language than the book's tagged with it (readers pick glyph
//! forms by `lang`), and the print edition's page list.

use std::fmt::Write;

use crate::epub::xhtml::{escape, lang_attrs_always};
use crate::labels::Labels;
use crate::model::{plain_text, Article};

/// A print page's start in the EPUB: its folio and the marker's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageTarget {
    pub label: String,
    /// `a03.xhtml#page-12`.
    pub href: String,
}

/// One entry of the toc nav, with what nests under it.
struct Entry {
    href: String,
    title: String,
    lang: String,
    children: Vec<Entry>,
}

/// The nav document: toc, page list (when the EPUB has one), landmarks.
pub fn document(
    lang: &str,
    class: &str,
    labels: &Labels,
    articles: &[Article],
    pages: &[PageTarget],
) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        "<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\" aria-labelledby=\"toc-title\">\n<h1 id=\"toc-title\">{}</h1>\n<ol>\n<li><a href=\"contents.xhtml\">{}</a></li>\n",
        escape(labels.contents),
        escape(labels.contents)
    );
    for entry in entries(articles) {
        write_entry(&mut b, &entry, lang);
    }
    b.push_str("</ol>\n</nav>\n");
    if !pages.is_empty() {
        // Hidden: reading systems offer it as "go to page", it is not read.
        let _ = writeln!(
            b,
            "<nav epub:type=\"page-list\" role=\"doc-pagelist\" aria-label=\"{}\" hidden=\"hidden\">\n<ol>",
            escape(labels.page_list)
        );
        for page in pages {
            let _ = writeln!(
                b,
                "<li><a href=\"{}\">{}</a></li>",
                escape(&page.href),
                escape(&page.label)
            );
        }
        b.push_str("</ol>\n</nav>\n");
    }
    let _ = writeln!(
        b,
        "<nav epub:type=\"landmarks\" aria-label=\"{}\" hidden=\"hidden\">\n<ol>\n<li><a epub:type=\"toc\" href=\"contents.xhtml\">{}</a></li>",
        escape(labels.landmarks),
        escape(labels.contents)
    );
    if let Some(first) = articles.first() {
        let _ = writeln!(
            b,
            "<li><a epub:type=\"bodymatter\" href=\"{}.xhtml\">{}</a></li>",
            first.id,
            escape(labels.body)
        );
    }
    b.push_str("</ol>\n</nav>\n");
    super::xhtml::document(lang, class, labels.contents, &b)
}

/// Articles nested by their depth (an mdBook summary's sub-chapters under
/// their chapter), each with its sections and subsections: the nav always
/// goes three heading levels deep, readers fold it.
fn entries(articles: &[Article]) -> Vec<Entry> {
    let mut top: Vec<Entry> = Vec::new();
    for article in articles {
        let file = format!("{}.xhtml", article.id);
        let mut entry = Entry {
            href: file.clone(),
            title: article.title.clone(),
            lang: article.lang.tag.clone(),
            children: Vec::new(),
        };
        for (level, id, content) in article.headings() {
            let child = Entry {
                href: format!("{file}#{id}"),
                title: plain_text(content),
                lang: article.lang.tag.clone(),
                children: Vec::new(),
            };
            match level {
                1 => entry.children.push(child),
                2 => match entry.children.last_mut() {
                    Some(section) => section.children.push(child),
                    None => entry.children.push(child),
                },
                _ => {}
            }
        }
        // Under the last entry one level up, or at the top.
        let mut siblings = &mut top;
        for _ in 1..article.depth.max(1) {
            if siblings.is_empty() {
                break;
            }
            let last = siblings.len() - 1;
            siblings = &mut siblings[last].children;
        }
        siblings.push(entry);
    }
    top
}

fn write_entry(b: &mut String, entry: &Entry, parent_lang: &str) {
    // The language is said once, on the outermost entry that differs.
    let attrs = if entry.lang == parent_lang {
        String::new()
    } else {
        lang_attrs_always(&entry.lang)
    };
    let _ = write!(
        b,
        "<li{attrs}><a href=\"{}\">{}</a>",
        escape(&entry.href),
        escape(&entry.title)
    );
    if !entry.children.is_empty() {
        b.push_str("\n<ol>\n");
        for child in &entry.children {
            write_entry(b, child, &entry.lang);
        }
        b.push_str("</ol>\n");
    }
    b.push_str("</li>\n");
}
