//! The model as XHTML content documents: well-formed, escaped, `lang` on
//! every document, UTF-8 declared (Kindle assumes Latin-1 without it).

use std::fmt::Write;

use crate::epub::pages::Marker;
use crate::labels::Labels;
use crate::model::{Align, Article, Block, BlockKind, BookMeta, CellPicture, Inline};

/// Escapes text for XML, dropping characters XML 1.0 forbids.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if crate::xmltext::allowed(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// A complete content document around `body`.
pub fn document(lang: &str, class: &str, title: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <!DOCTYPE html>\n\
         <html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"{lang}\" xml:lang=\"{lang}\">\n\
         <head>\n<meta charset=\"utf-8\"/>\n<title>{title}</title>\n\
         <link rel=\"stylesheet\" type=\"text/css\" href=\"stylesheet.css\"/>\n</head>\n\
         <body class=\"{class}\">\n{body}</body>\n</html>\n",
        lang = escape(lang),
        title = escape(title),
    )
}

pub fn title_page(meta: &BookMeta, labels: &Labels, dates: crate::dates::DateStyle) -> String {
    let mut b = String::from("<section class=\"title-page\" epub:type=\"titlepage\">\n");
    let _ = writeln!(b, "<h1>{}</h1>", escape(&meta.title));
    if let Some(s) = &meta.subtitle {
        let _ = writeln!(b, "<p class=\"subtitle\">{}</p>", escape(s));
    }
    let people: Vec<String> = meta
        .authors
        .iter()
        .cloned()
        .chain(
            meta.editor
                .iter()
                .map(|e| format!("{e}　{}", labels.edited_by)),
        )
        .collect();
    if !people.is_empty() {
        let _ = writeln!(b, "<p class=\"authors\">{}</p>", escape(&people.join("　")));
    }
    if let Some(p) = &meta.publisher {
        let _ = writeln!(b, "<p class=\"publisher\">{}</p>", escape(p));
    }
    // As the PDF's particulars say it: the date, then the edition.
    let date = meta.date.as_deref();
    let date = date.map(|d| crate::dates::edition_date(d, &meta.lang.tag, dates));
    let edition: Vec<String> = [date, meta.edition.clone()].into_iter().flatten().collect();
    if !edition.is_empty() {
        let _ = writeln!(
            b,
            "<p class=\"edition\">{}</p>",
            escape(&edition.join("　"))
        );
    }
    b.push_str("</section>\n");
    b
}

/// `lang` and `xml:lang` for an element whose language differs from the
/// document's (readers choose glyph forms and punctuation positions by it).
pub fn lang_attrs(lang: &str, doc_lang: &str) -> String {
    if lang == doc_lang {
        String::new()
    } else {
        lang_attrs_always(lang)
    }
}

/// `lang`, `xml:lang` and the class that selects the script's font.
pub fn lang_attrs_always(lang: &str) -> String {
    let script = crate::lang::Lang {
        tag: lang.to_string(),
    }
    .script();
    let class = match script {
        crate::lang::Script::Hans => "hans",
        crate::lang::Script::Hant => "hant",
    };
    format!(
        " lang=\"{l}\" xml:lang=\"{l}\" class=\"{class}\"",
        l = escape(lang)
    )
}

/// The in-book table of contents page (Kindle wants one besides the nav).
/// Entries of an article in another language than the book's carry it.
pub fn contents_page(heading: &str, articles: &[Article], depth: u8, doc_lang: &str) -> String {
    let mut b = format!(
        "<nav id=\"contents\" role=\"doc-toc\" aria-labelledby=\"contents-title\">\n<h1 id=\"contents-title\" class=\"article-title\">{}</h1>\n<ol>\n",
        escape(heading)
    );
    for a in articles {
        let file = format!("{}.xhtml", a.id);
        let _ = write!(
            b,
            "<li{}><a href=\"{file}\">{}</a>",
            lang_attrs(&a.lang.tag, doc_lang),
            escape(&a.title)
        );
        let sections: Vec<_> = a.headings().filter(|(l, _, _)| *l < depth).collect();
        if !sections.is_empty() {
            b.push_str("\n<ol>\n");
            let mut open_sub = false;
            for (i, (level, id, content)) in sections.iter().enumerate() {
                let text = escape(&crate::model::plain_text(content));
                if *level == 1 {
                    if open_sub {
                        b.push_str("</ol></li>\n");
                        open_sub = false;
                    }
                    let _ = write!(b, "<li><a href=\"{file}#{id}\">{text}</a>");
                    let next_is_sub = sections.get(i + 1).is_some_and(|(l, _, _)| *l > 1);
                    if next_is_sub {
                        b.push_str("<ol>\n");
                        open_sub = true;
                    } else {
                        b.push_str("</li>\n");
                    }
                } else {
                    let _ = writeln!(b, "<li><a href=\"{file}#{id}\">{text}</a></li>");
                }
            }
            if open_sub {
                b.push_str("</ol></li>\n");
            }
            b.push_str("</ol>\n");
        }
        b.push_str("</li>\n");
    }
    b.push_str("</ol>\n</nav>\n");
    b
}

/// Renders an article; `image_name` maps a block's image to its EPUB path.
/// Renders an article; `markers` are where the print edition's pages
/// begin in it (epub::pages), in order.
pub fn article(
    a: &Article,
    labels: &Labels,
    markers: &[Marker],
    image_name: &mut dyn FnMut(&std::path::Path) -> Option<String>,
) -> String {
    // The chapter is named by its title; a heading given this id in the
    // source (`{#a01-title}`) keeps it, and the name is then written out.
    let title_id = format!("{}-title", a.id);
    let named = if a.headings().any(|(_, id, _)| id == title_id) {
        format!("aria-label=\"{}\"", escape(&a.title))
    } else {
        format!("aria-labelledby=\"{title_id}\"")
    };
    // A part's divider holds its title only.
    let (kind, class) = if a.part {
        ("part", "article-title part-title")
    } else {
        ("chapter", "article-title")
    };
    let mut b = format!("<section epub:type=\"{kind}\" role=\"doc-{kind}\" {named}>\n");
    for marker in markers.iter().filter(|m| m.block.is_none()) {
        b.push_str(&page_break(&marker.label));
    }
    let _ = writeln!(
        b,
        "<h1 id=\"{title_id}\" class=\"{class}\">{}</h1>",
        escape(&a.title)
    );
    if let Some(byline) = a.byline() {
        let _ = writeln!(b, "<p class=\"byline\">{}</p>", escape(&byline));
    }
    let mut body = Body {
        image_name,
        labels,
        marks: std::collections::HashMap::new(),
        deferred: None,
        cuts: Vec::new(),
        counted: 0,
    };
    for (index, block) in a.blocks.iter().enumerate() {
        // A paragraph longer than a page holds several page starts.
        for marker in markers.iter().filter(|m| m.block == Some(index)) {
            if marker.offset == 0 {
                b.push_str(&page_break(&marker.label));
            } else {
                body.cuts.push((marker.offset, page_break(&marker.label)));
            }
        }
        body.counted = 0;
        body.blocks(&mut b, std::slice::from_ref(block));
        // A page start the text did not reach (it cannot happen with the
        // counts epub::pages makes) still gets its marker.
        for (_, marker) in body.cuts.drain(..) {
            b.push_str(&marker);
        }
    }
    if let Some(note) = &a.note {
        let _ = writeln!(b, "<p class=\"note\">{}</p>", escape(note));
    }
    if !a.footnotes.is_empty() {
        let _ = writeln!(
            b,
            "<section class=\"footnotes\" epub:type=\"footnotes\" aria-label=\"{}\">\n<hr/>",
            labels.notes
        );
        for f in &a.footnotes {
            let _ = write!(
                b,
                "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn{n}\">\n<p><a epub:type=\"backlink\" role=\"doc-backlink\" href=\"#fnref{n}\">{n}</a>",
                n = f.number
            );
            // The number opens the first paragraph; anything else (a list,
            // a quote) follows a paragraph of its own.
            let mut rest = String::new();
            body.blocks(&mut rest, &f.blocks);
            match rest.strip_prefix("<p>") {
                Some(first) => {
                    b.push('　');
                    b.push_str(first);
                }
                None => {
                    b.push_str("</p>\n");
                    b.push_str(&rest);
                }
            }
            b.push_str("</aside>\n");
        }
        b.push_str("</section>\n");
    }
    b.push_str("</section>\n");
    b
}

/// An article's body and footnotes, written in order.
struct Body<'a> {
    image_name: &'a mut dyn FnMut(&std::path::Path) -> Option<String>,
    labels: &'a Labels,
    /// Footnote number → marks written so far: the first mark has the id
    /// the footnote links back to, each later one an id of its own.
    marks: std::collections::HashMap<u32, u32>,
    /// Inside a link: footnote marks waiting for it to close.
    deferred: Option<Vec<u32>>,
    /// Page breaks to write inside the block being written, at these
    /// counts of its characters, in order.
    cuts: Vec<(usize, String)>,
    /// Characters of the block's text written so far.
    counted: usize,
}

/// The marker where a print page begins (EPUB Accessibility: page break
/// markers), named by its folio.
fn page_break(label: &str) -> String {
    format!(
        "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"{}\" aria-label=\"{}\"></span>",
        escape(&crate::epub::pages::marker_id(label)),
        escape(label)
    )
}

impl Body<'_> {
    fn blocks(&mut self, b: &mut String, list: &[Block]) {
        for block in list {
            match &block.kind {
                BlockKind::Heading { level, id, content } => {
                    let h = (level + 1).min(6);
                    let _ = writeln!(
                        b,
                        "<h{h} id=\"{}\">{}</h{h}>",
                        escape(id),
                        self.inlines(content)
                    );
                }
                BlockKind::Paragraph(content) => {
                    let _ = writeln!(b, "<p>{}</p>", self.inlines(content));
                }
                BlockKind::Quote(inner) => {
                    b.push_str("<blockquote>\n");
                    self.blocks(b, inner);
                    b.push_str("</blockquote>\n");
                }
                BlockKind::List { start, items } => {
                    match start {
                        Some(1) => b.push_str("<ol>\n"),
                        Some(n) => {
                            let _ = writeln!(b, "<ol start=\"{n}\">");
                        }
                        None => b.push_str("<ul>\n"),
                    }
                    for item in items {
                        b.push_str("<li>");
                        self.blocks(b, item);
                        b.push_str("</li>\n");
                    }
                    b.push_str(if start.is_some() {
                        "</ol>\n"
                    } else {
                        "</ul>\n"
                    });
                }
                BlockKind::Code { text, tokens, .. } => {
                    b.push_str("<pre><code>");
                    let lines = crate::model::toned_code_lines(text, tokens);
                    for (n, line) in lines.iter().enumerate() {
                        // A line of its own for css::code_lines; its line
                        // break inside it, so that code reads the same
                        // without that CSS.
                        if n > 0 {
                            b.push_str("\n</span>");
                        }
                        b.push_str("<span class=\"cl\">");
                        let mut at = 0;
                        for (range, tone) in &line.tones {
                            b.push_str(&escape(&line.text[at..range.start]));
                            let _ = write!(
                                b,
                                "<span class=\"{}\">{}</span>",
                                tone.class(),
                                escape(&line.text[range.clone()])
                            );
                            at = range.end;
                        }
                        b.push_str(&escape(&line.text[at..]));
                    }
                    if !lines.is_empty() {
                        b.push_str("</span>");
                    }
                    b.push_str("</code></pre>\n");
                }
                BlockKind::Rule => b.push_str("<hr/>\n"),
                BlockKind::Image {
                    path,
                    alt,
                    caption,
                    width,
                } => {
                    // One without a description is reported by epub::accessibility.
                    let alt = if alt.trim().is_empty() {
                        self.labels.picture
                    } else {
                        alt.as_str()
                    };
                    b.push_str("<figure>\n");
                    match (self.image_name)(path) {
                        Some(src) => {
                            b.push_str(&img(&src, alt, *width));
                            b.push('\n');
                        }
                        // A remote picture that could not be had.
                        None => {
                            let _ =
                                writeln!(b, "<div class=\"missing-image\">{}</div>", escape(alt));
                            // The box shows the description already.
                            if crate::model::plain_text(caption) == alt {
                                b.push_str("</figure>\n");
                                continue;
                            }
                        }
                    }
                    if !caption.is_empty() {
                        let _ = writeln!(b, "<figcaption>{}</figcaption>", self.inlines(caption));
                    }
                    b.push_str("</figure>\n");
                }
                BlockKind::Table {
                    align,
                    head,
                    rows,
                    pictures,
                } => {
                    let short = short_columns(head, rows, pictures);
                    let class = |i: usize| {
                        if short.contains(&i) {
                            " class=\"short\""
                        } else {
                            ""
                        }
                    };
                    b.push_str("<table>\n");
                    if !head.is_empty() {
                        b.push_str("<thead><tr>");
                        for (i, cell) in head.iter().enumerate() {
                            let _ = write!(
                                b,
                                "<th scope=\"col\"{}{}>{}</th>",
                                class(i),
                                align_attr(align, i),
                                self.cell(pictures, 0, i, cell)
                            );
                        }
                        b.push_str("</tr></thead>\n");
                    }
                    b.push_str("<tbody>\n");
                    for (r, row) in rows.iter().enumerate() {
                        b.push_str("<tr>");
                        for (i, cell) in row.iter().enumerate() {
                            let _ = write!(
                                b,
                                "<td{}{}>{}</td>",
                                class(i),
                                align_attr(align, i),
                                self.cell(pictures, r + 1, i, cell)
                            );
                        }
                        b.push_str("</tr>\n");
                    }
                    b.push_str("</tbody>\n</table>\n");
                }
            }
        }
    }

    /// A table cell's content: its pictures, each on a line of its own,
    /// then its text.
    fn cell(
        &mut self,
        pictures: &[CellPicture],
        row: usize,
        column: usize,
        text: &[Inline],
    ) -> String {
        let mut b = String::new();
        for picture in BlockKind::cell_pictures(pictures, row, column) {
            let BlockKind::Image {
                path, alt, width, ..
            } = &picture.kind
            else {
                continue;
            };
            let alt = if alt.trim().is_empty() {
                self.labels.picture
            } else {
                alt.as_str()
            };
            match (self.image_name)(path) {
                Some(src) => b.push_str(&img(&src, alt, *width)),
                // A remote picture that could not be had: its description.
                None => {
                    let _ = write!(b, "<span class=\"missing-image\">{}</span>", escape(alt));
                }
            }
            b.push_str("<br/>");
        }
        let text = self.inlines(text);
        if text.is_empty() {
            // No line after the last picture.
            if let Some(cut) = b.strip_suffix("<br/>") {
                return cut.to_string();
            }
        }
        b.push_str(&text);
        b
    }

    fn inlines(&mut self, list: &[Inline]) -> String {
        let mut b = String::new();
        for inline in list {
            match inline {
                Inline::Text(t) => self.text(&mut b, t),
                Inline::Emphasis(c) => {
                    let _ = write!(b, "<em>{}</em>", self.inlines(c));
                }
                Inline::Strong(c) => {
                    let _ = write!(b, "<strong>{}</strong>", self.inlines(c));
                }
                Inline::Code(t) => {
                    // A page starting inside inline code is marked before it.
                    let n = t.chars().count();
                    while self
                        .cuts
                        .first()
                        .is_some_and(|(at, _)| *at < self.counted + n)
                    {
                        b.push_str(&self.cuts.remove(0).1);
                    }
                    self.counted += n;
                    let _ = write!(b, "<code>{}</code>", escape(t));
                }
                Inline::Link { url, content } => {
                    let href = match crate::source::links::parse_internal(url) {
                        Some((article, Some(heading))) => {
                            Some(format!("{article}.xhtml#{heading}"))
                        }
                        Some((article, None)) => Some(format!("{article}.xhtml")),
                        None if crate::scheme::is_web(url) => Some(url.clone()),
                        None => None,
                    };
                    if let Some(href) = href {
                        // A footnote mark is a link of its own, and links do not
                        // nest: the marks inside go right after this one.
                        let outer = self.deferred.replace(Vec::new());
                        let text = self.inlines(content);
                        let marks =
                            std::mem::replace(&mut self.deferred, outer).unwrap_or_default();
                        // An address shown as itself may break anywhere (css.rs).
                        let shown = crate::model::plain_text(content);
                        let class = if shown.contains("://") || shown.starts_with("www.") {
                            " class=\"url\""
                        } else {
                            ""
                        };
                        let _ = write!(b, "<a{class} href=\"{}\">{text}</a>", escape(&href));
                        for n in marks {
                            self.mark(&mut b, n);
                        }
                    } else {
                        // Links into the sources' own tree do not exist in the book.
                        b.push_str(&self.inlines(content));
                    }
                }
                Inline::FootnoteRef(n) => match &mut self.deferred {
                    Some(marks) => marks.push(*n),
                    None => self.mark(&mut b, *n),
                },
                Inline::LineBreak => b.push_str("<br/>"),
            }
        }
        b
    }

    /// Text, with the pending page breaks where their counts fall.
    fn text(&mut self, b: &mut String, t: &str) {
        let n = t.chars().count();
        let mut rest = t;
        let mut written = 0;
        while let Some(&(at, _)) = self.cuts.first() {
            if at >= self.counted + n {
                break;
            }
            let local = at.saturating_sub(self.counted).max(written);
            let split = rest
                .char_indices()
                .nth(local - written)
                .map_or(rest.len(), |(i, _)| i);
            b.push_str(&latin_words(&rest[..split]));
            rest = &rest[split..];
            written = local;
            b.push_str(&self.cuts.remove(0).1);
        }
        b.push_str(&latin_words(rest));
        self.counted += n;
    }

    fn mark(&mut self, b: &mut String, n: u32) {
        let count = self.marks.entry(n).or_insert(0);
        *count += 1;
        let id = if *count == 1 {
            format!("fnref{n}")
        } else {
            format!("fnref{n}-{count}")
        };
        let _ = write!(
            b,
            "<a epub:type=\"noteref\" role=\"doc-noteref\" href=\"#fn{n}\" id=\"{id}\"><sup>{n}</sup></a>"
        );
    }
}

/// `t` escaped, its runs of English words (one of six letters at least,
/// as the PDF hyphenates) marked `lang="en"` so that a reader hyphenates
/// them by English rules (`hyphens: auto`, css.rs); a word touching a
/// slash, dot, `@`, `_` or digit is part of an address or a name and left
/// as it is.
fn latin_words(t: &str) -> String {
    let bytes = t.as_bytes();
    let mut out = String::with_capacity(t.len());
    let mut done = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        // A run of words: letters, with single spaces, hyphens or
        // apostrophes between them.
        let start = i;
        let mut end = i;
        let mut longest = 0;
        let mut word = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if c.is_ascii_alphabetic() {
                word += 1;
                longest = longest.max(word);
                end = i + 1;
            } else if matches!(c, b' ' | b'-' | b'\'')
                && bytes.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic())
                && word > 0
            {
                word = 0;
            } else {
                break;
            }
            i += 1;
        }
        let joined = |b: Option<&u8>| {
            b.is_some_and(|&b| b.is_ascii_digit() || matches!(b, b'/' | b'.' | b'@' | b'_' | b':'))
        };
        let before = start.checked_sub(1).map(|k| &bytes[k]);
        if longest < 6 || joined(before) || joined(bytes.get(end)) {
            i = end.max(start + 1);
            continue;
        }
        out.push_str(&escape(&t[done..start]));
        out.push_str("<span class=\"latin\" lang=\"en\" xml:lang=\"en\">");
        out.push_str(&escape(&t[start..end]));
        out.push_str("</span>");
        done = end;
        i = end;
    }
    out.push_str(&escape(&t[done..]));
    out
}

/// Columns whose every cell is a few characters (a name, a number): the
/// CSS keeps them on one line, as the PDF does, rather than wrap 基础设施
/// to give a long column a little more; only as many as leave a phone's
/// screen room for the rest.
fn short_columns(
    head: &[Vec<Inline>],
    rows: &[Vec<Vec<Inline>>],
    pictures: &[CellPicture],
) -> Vec<usize> {
    /// The most ems a short column holds, and short columns hold together.
    const SHORT_EM: f32 = 6.0;
    const ALL_SHORT_EM: f32 = 16.0;
    let ems = |cell: &[Inline]| -> f32 {
        let text = crate::model::plain_text(cell);
        text.chars()
            .map(|c| if crate::cjk::is_wide(c) { 1.0 } else { 0.55 })
            .sum()
    };
    let cols = head.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut widths: Vec<(f32, usize)> = (0..cols)
        .map(|i| {
            let cells = std::iter::once(head.get(i)).chain(rows.iter().map(|r| r.get(i)));
            let widest = cells.flatten().map(|c| ems(c)).fold(0.0, f32::max);
            (widest, i)
        })
        // A picture shrinks to its column: never hold it wide.
        .filter(|(w, i)| *w <= SHORT_EM && !pictures.iter().any(|p| p.column == *i))
        .collect();
    // Every column short: the reader's own layout wraps none of them anyway
    // when the table fits, and must be free to when it does not.
    if widths.len() == cols {
        return Vec::new();
    }
    widths.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut total = 0.0;
    widths
        .into_iter()
        .take_while(|(w, _)| {
            total += w;
            total <= ALL_SHORT_EM
        })
        .map(|(_, i)| i)
        .collect()
}

/// A picture's element; `width` as HTML `<img width>` asked, in CSS pixels.
fn img(src: &str, alt: &str, width: Option<u32>) -> String {
    let style = width
        .map(|w| format!(" style=\"width:{w}px\""))
        .unwrap_or_default();
    format!(
        "<img src=\"{}\" alt=\"{}\"{style}/>",
        escape(src),
        escape(alt)
    )
}

fn align_attr(align: &[Align], i: usize) -> &'static str {
    match align.get(i) {
        Some(Align::Left) => " style=\"text-align:left\"",
        Some(Align::Center) => " style=\"text-align:center\"",
        Some(Align::Right) => " style=\"text-align:right\"",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_words_are_marked_for_the_reader_to_hyphenate() {
        assert_eq!(
            latin_words("见Kubernetes的internationalization与the big group，v2，Rust。"),
            "见<span class=\"latin\" lang=\"en\" xml:lang=\"en\">Kubernetes</span>的\
             <span class=\"latin\" lang=\"en\" xml:lang=\"en\">internationalization</span>与\
             the big group，v2，Rust。"
        );
        assert_eq!(
            latin_words("a microservices architecture<b>"),
            "<span class=\"latin\" lang=\"en\" xml:lang=\"en\">a microservices architecture</span>&lt;b&gt;"
        );
        // Addresses and names are left alone.
        for t in [
            "https://example.org/internationalization",
            "editorial@example.org",
            "rustc_middle",
        ] {
            assert_eq!(latin_words(t), escape(t));
        }
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("a<b>&\"\u{1}"), "a&lt;b&gt;&amp;&quot;");
        let mut no_images = |_: &std::path::Path| None;
        let mut body = Body {
            image_name: &mut no_images,
            labels: crate::labels::for_script(crate::lang::Script::Hans),
            cuts: Vec::new(),
            counted: 0,
            marks: Default::default(),
            deferred: None,
        };
        let html = body.inlines(&[
            Inline::Text("甲".into()),
            Inline::Strong(vec![Inline::Text("乙".into())]),
            Inline::Link {
                url: "javascript:alert(1)".into(),
                content: vec![Inline::Text("丙".into())],
            },
        ]);
        assert_eq!(html, "甲<strong>乙</strong>丙");
    }
}
