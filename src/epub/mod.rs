//! The EPUB 3 back end: the model as XHTML, assembled by epub-builder, then
//! re-packed deterministically with its known defects patched (package.rs).

pub mod accessibility;
mod css;
pub mod nav;
mod package;
pub mod pages;
mod vertical;
pub mod xhtml;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use epub_builder::{EpubBuilder, EpubContent, EpubVersion, ReferenceType, TocElement, ZipLibrary};

use crate::prepared::Prepared;
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics};
use crate::image::Library;
use crate::lang::Script;
use crate::model::BlockKind;

/// What the EPUB holds, for reports and tests.
#[derive(Debug, Default)]
pub struct EpubReport {
    /// (file in the EPUB, glyph count) per embedded font.
    pub fonts: Vec<(String, usize)>,
}

/// The cover page shows the whole cover image, whatever the screen.
const COVER_CSS: &str = "section.cover { margin: 0; padding: 0; text-align: center; }\n\
section.cover img { max-width: 100%; max-height: 100vh; }\n";

/// Builds the EPUB in memory. Warnings go to `diags`; errors too, and then
/// nothing is returned. `print` answers the print edition's pages, when
/// the edition is printed (an EPUB-only edition has no print pages to
/// point to, so no page list); it is asked only once the fonts and the
/// cover are made, which need no pages, so that they can be made while
/// the pages are typeset.
pub fn render<'p>(
    prepared: &Prepared,
    print: Option<&dyn Fn() -> Option<&'p crate::typeset::Typeset>>,
    diags: &mut Diagnostics,
) -> Option<(Vec<u8>, EpubReport)> {
    let print = || {
        let set = print?()?;
        Some(Print {
            starts: pages::page_starts(set, &prepared.book),
            source: print_source(prepared, set),
        })
    };
    match build(prepared, &print, diags) {
        Ok(x) => Some(x),
        Err(e) => {
            diags.push(e);
            None
        }
    }
}

/// The print edition, as the EPUB's page list refers to it.
struct Print {
    starts: Vec<pages::PageStart>,
    /// The pagination source, `dc:source` (EPUB Accessibility: no ISBN,
    /// so the edition described).
    source: String,
}

/// "组织工作学习读本（第一版，印刷版，148×210 mm）".
fn print_source(prepared: &Prepared, set: &crate::typeset::Typeset) -> String {
    let meta = &prepared.book.meta;
    let labels = crate::labels::for_script(meta.lang.script());
    let mm = |pt: f32| (pt * 25.4 / 72.0).round() as u32;
    let mut parts: Vec<String> = meta.edition.iter().cloned().collect();
    parts.push(labels.print_edition.to_string());
    parts.push(format!("{}×{} mm", mm(set.geo.page_w), mm(set.geo.page_h)));
    format!("{}（{}）", meta.title.trim(), parts.join("，"))
}

/// Which face of a script a subset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weight {
    Regular,
    Bold,
    /// The style's quote face.
    Quote,
}

impl Weight {
    fn name(self) -> &'static str {
        match self {
            Weight::Regular => "regular",
            Weight::Bold => "bold",
            Weight::Quote => "quote",
        }
    }
}

/// Block quotes of the script of `class`: in the quote face at its scale
/// when it is there (`face`), else in the body face at the fallback
/// scale, as the PDF sets them. Sizes are the body's times the scale at
/// any depth.
fn quote_css(class: &str, face: bool, quote: &crate::style::QuoteStyle) -> String {
    let mut css = String::new();
    let scale = if face {
        css.push_str(&format!(
            ".{class} blockquote {{ font-family: \"Booklet quote {class}\", \"Booklet {class}\", serif; }}\n\
             .{class} blockquote strong, .{class} blockquote b {{ font-family: \"Booklet {class}\", serif; }}\n"
        ));
        quote.scale
    } else {
        quote.fallback_scale
    };
    css.push_str(&format!(
        ".{class} blockquote {{ font-size: {scale}em; }}\n.{class} blockquote blockquote {{ font-size: 1em; }}\n"
    ));
    css
}

fn script_class(script: Script) -> &'static str {
    match script {
        Script::Hans => "hans",
        Script::Hant => "hant",
    }
}

/// Code's monospace face, subset to the characters of code it draws (the
/// body faces draw its ideographs), and the `size-adjust` (percent) that
/// makes its advance half an em, as in the PDF: two of its columns then
/// take the width of one ideograph. None when the book has no code.
fn code_font(
    book: &crate::model::Book,
    face: &crate::fonts::Face,
    cache: &crate::cache::Cache,
) -> Result<Option<(package::Font, f32)>, Diagnostic> {
    let Some(parsed) = face.parse() else {
        return Ok(None);
    };
    let mut code: BTreeSet<char> = BTreeSet::new();
    for article in &book.articles {
        crate::model::visit_code(article, &mut |text| code.extend(text.chars()));
    }
    code.retain(|&c| !crate::cjk::is_wide(c) && parsed.glyph_index(c).is_some_and(|g| g.0 != 0));
    let advance = parsed
        .glyph_index('0')
        .and_then(|g| parsed.glyph_hor_advance(g))
        .map_or(0.0, f32::from);
    if code.is_empty() || advance <= 0.0 {
        return Ok(None);
    }
    let size_adjust =
        100.0 * crate::typeset::shape::COLUMN * f32::from(parsed.units_per_em()) / advance;
    let font =
        package::font("fonts/mono-regular", face, &code, cache).map_err(Diagnostic::error)?;
    Ok(Some((font, size_adjust)))
}

fn build(
    prepared: &Prepared,
    print: &dyn Fn() -> Option<Print>,
    diags: &mut Diagnostics,
) -> Result<(Vec<u8>, EpubReport), Diagnostic> {
    let book = &prepared.book;
    let characters = &prepared.characters;
    let style = &prepared.style;
    let faces = &prepared.faces;
    let cache = &prepared.cache;
    let library: &Library = &prepared.images;
    let vertical = prepared.writing == crate::editions::Writing::Vertical;
    let meta = &book.meta;
    let book_script = meta.lang.script();
    let labels = crate::labels::for_script(book_script);
    let depth = style.page.toc_depth;
    // Characters per script, regular and bold, for subsetting.
    let mut chars: BTreeMap<(Script, bool), BTreeSet<char>> = BTreeMap::new();
    let mut add = |script: Script, text: &str, bold: bool| {
        let set = chars.entry((script, false)).or_default();
        set.extend(text.chars());
        if bold {
            chars
                .entry((script, true))
                .or_default()
                .extend(text.chars());
        }
    };
    add(book_script, &meta.title, true);
    add(book_script, labels.contents, true);
    add(book_script, labels.edited_by, false);
    add(book_script, labels.picture, false);
    add(book_script, "　0123456789", false);
    // The list bullet (a CSS marker) and the date as the title page writes it.
    add(book_script, &style.text.bullet, false);
    if let Some(d) = &meta.date {
        let date = crate::dates::edition_date(d, &meta.lang.tag, style.text.dates);
        add(book_script, &date, false);
    }
    for s in meta.printed_texts() {
        add(book_script, s, false);
    }
    // Code's continuation mark (a CSS mark, see css::code_lines) is the
    // body face's, as in the PDF.
    let has_code = book.articles.iter().any(|a| {
        let notes = a.footnotes.iter().flat_map(|n| &n.blocks);
        crate::source::all_blocks(&a.blocks)
            .into_iter()
            .chain(notes)
            .any(|b| matches!(b.kind, BlockKind::Code { .. }))
    });
    if has_code {
        add(book_script, crate::typeset::code::CONTINUATION, false);
    }
    for article in &book.articles {
        // The contents page and nav list an article's titles in its
        // language, so in its script's font.
        let script = article.lang.script();
        add(script, &article.title, false);
        for (_, _, content) in article.headings() {
            add(script, &crate::model::plain_text(content), false);
        }
    }
    for (article, seen) in book.articles.iter().zip(&characters.articles) {
        let script = article.lang.script();
        let regular = chars.entry((script, false)).or_default();
        regular.extend(seen.iter().map(|s| s.c));
        let bold: Vec<char> = seen.iter().filter(|s| s.bold).map(|s| s.c).collect();
        if !bold.is_empty() {
            chars.entry((script, true)).or_default().extend(bold);
        }
    }

    // Block quotes' text, for the quote face of its script.
    let mut quoted: BTreeMap<Script, BTreeSet<char>> = BTreeMap::new();
    for article in &book.articles {
        let script = article.lang.script();
        if faces.quote.contains_key(&script) {
            let set = quoted.entry(script).or_default();
            crate::model::visit_quotes(article, &mut |t| set.extend(t.chars()));
        }
    }

    // Subset fonts, one regular and one bold per script in use, and the
    // quote face of each script with quotes.
    let mut report = EpubReport::default();
    let mut font_files: Vec<(String, &'static str)> = Vec::new();
    let mut font_css = String::from("@charset \"utf-8\";\n");
    // Subsetting dominates the build: one thread per font.
    let mut jobs: Vec<(Script, Weight, &crate::fonts::Face, &BTreeSet<char>)> = chars
        .iter()
        .filter_map(|((script, bold), set)| {
            let table = if *bold { &faces.bold } else { &faces.regular };
            let weight = if *bold { Weight::Bold } else { Weight::Regular };
            // No bold face: readers synthesise bold from the regular one.
            table.get(script).map(|face| (*script, weight, face, set))
        })
        .collect();
    for (script, set) in &quoted {
        if let Some(face) = faces.quote.get(script).filter(|_| !set.is_empty()) {
            jobs.push((*script, Weight::Quote, face, set));
        }
    }
    // Each job subsets its font and makes its archive entry (see
    // package::font); the cover is painted meanwhile.
    let cover_image = || match &meta.cover {
        Some(cover) => read_image(cover).map_err(|e| e.in_file(cover)),
        None => {
            let png =
                crate::cover::png(meta, faces, &style.cover, cache).map_err(Diagnostic::error)?;
            Ok((png.to_vec(), "image/png", "png"))
        }
    };
    let (cover, built) = crate::par::beside(
        || Ok::<_, String>(cover_image()),
        || {
            crate::par::map(&jobs, |(script, weight, face, set)| {
                let stem = format!("fonts/{}-{}", script_class(*script), weight.name());
                package::font(&stem, face, set, cache)
            })
        },
    );
    let mut prebuilt = BTreeMap::new();
    for ((script, weight, _, _), result) in jobs.iter().zip(built) {
        let font = result.map_err(Diagnostic::error)?;
        let name = font.name;
        let css_family = match weight {
            Weight::Quote => format!("Booklet quote {}", script_class(*script)),
            _ => format!("Booklet {}", script_class(*script)),
        };
        font_css.push_str(&format!(
            "@font-face {{ font-family: \"{css_family}\"; font-weight: {}; font-style: normal; src: url(\"{name}\"); }}\n",
            if *weight == Weight::Bold { "bold" } else { "normal" }
        ));
        report.fonts.push((name.clone(), font.glyph_count));
        font_files.push((name.clone(), font.media_type));
        prebuilt.insert(name, font.entry);
    }
    let mono = match &faces.mono {
        Some(face) => code_font(book, face, cache)?,
        None => None,
    };
    if let Some((font, size_adjust)) = mono {
        font_css.push_str(&format!(
            "@font-face {{ font-family: \"Booklet mono\"; font-weight: normal; font-style: normal; src: url(\"{}\"); size-adjust: {size_adjust:.3}%; }}\n",
            font.name
        ));
        report.fonts.push((font.name.clone(), font.glyph_count));
        font_files.push((font.name.clone(), font.media_type));
        prebuilt.insert(font.name, font.entry);
    }
    for script in chars.keys().map(|(s, _)| *s).collect::<BTreeSet<_>>() {
        // On the body, and on an element in the other script inside it;
        // quotes in the quote face (their bold words in the body's bold);
        // code in the monospace face, its ideographs in the script's.
        font_css.push_str(&format!(
            ".{c} {{ font-family: \"Booklet {c}\", serif; }}\n",
            c = script_class(script)
        ));
        font_css.push_str(&quote_css(
            script_class(script),
            quoted.contains_key(&script),
            &style.quote,
        ));
        font_css.push_str(&format!(
            ".{c} pre, .{c} code {{ font-family: \"Booklet mono\", \"Booklet {c}\", monospace; }}\n",
            c = script_class(script)
        ));
    }
    // Vertical text keeps code as the reader wraps it: the marks hang
    // from the left.
    let code_lines = if vertical {
        String::new()
    } else {
        css::code_lines(style.text.line_height)
    };
    let mut css = format!(
        "{font_css}{COVER_CSS}{}{code_lines}{}",
        css::TYPOGRAPHY,
        style.css()
    );
    if vertical {
        css.push_str(vertical::CSS);
    }

    let epub_err = |e: epub_builder::Error| Diagnostic::error(format!("EPUB assembly failed: {e}"));
    let zip = ZipLibrary::new().map_err(epub_err)?;
    let mut builder = EpubBuilder::new(zip).map_err(epub_err)?;
    builder.epub_version(EpubVersion::V30);
    if vertical {
        vertical::package(&mut builder).map_err(epub_err)?;
    }
    builder
        .metadata("title", xml(&meta.title))
        .map_err(epub_err)?;
    for author in &meta.authors {
        builder.metadata("author", xml(author)).map_err(epub_err)?;
    }
    builder.metadata("lang", &meta.lang.tag).map_err(epub_err)?;
    builder
        .metadata("toc_name", labels.contents)
        .map_err(epub_err)?;
    builder.metadata("generator", "booklet").map_err(epub_err)?;
    if let Some(d) = &meta.description {
        builder.metadata("description", xml(d)).map_err(epub_err)?;
    }
    for s in &meta.subjects {
        builder.metadata("subject", xml(s)).map_err(epub_err)?;
    }
    builder.set_uuid(uuid::Uuid::nil());
    // Documents go in as empty placeholders too: epub-builder would deflate
    // them all on every build; package::documents compresses each once and
    // keeps it for the next build.
    let mut docs: Vec<(String, Vec<u8>)> = vec![("stylesheet.css".into(), css.into_bytes())];
    builder.stylesheet(&b""[..]).map_err(epub_err)?;
    // Fonts go in already compressed; the builder gets empty placeholders
    // so that its manifest lists them.
    for (name, media) in &font_files {
        builder
            .add_resource(name, &b""[..], *media)
            .map_err(epub_err)?;
    }

    let lang = meta.lang.tag.as_str();
    let class = script_class(book_script);
    {
        // Every EPUB has a cover image: reading systems show a blank tile
        // (or the title page, rasterised) for a book without one.
        let (bytes, media, ext) = cover.map_err(Diagnostic::error)??;
        let name = format!("images/cover.{ext}");
        // In as a placeholder, like the fonts: the picture is stored, not
        // deflated a second time.
        builder
            .add_cover_image(&name, &b""[..], media)
            .map_err(epub_err)?;
        let entry = package::stored_entry(&name, &bytes).map_err(Diagnostic::error)?;
        prebuilt.insert(name.clone(), entry);
        let body = format!(
            "<section class=\"cover\" epub:type=\"cover\"><img role=\"doc-cover\" src=\"{name}\" alt=\"{}\"/></section>\n",
            xhtml::escape(&meta.title)
        );
        builder
            .add_content(
                EpubContent::new(
                    "cover.xhtml",
                    xhtml::document(lang, class, &meta.title, &body).as_bytes(),
                )
                .reftype(ReferenceType::Cover),
            )
            .map_err(epub_err)?;
    }
    let title_doc = xhtml::document(
        lang,
        class,
        &meta.title,
        &xhtml::title_page(meta, labels, style.text.dates),
    );
    docs.push(("title.xhtml".into(), title_doc.into_bytes()));
    builder
        .add_content(EpubContent::new("title.xhtml", &b""[..]))
        .map_err(epub_err)?;
    let contents = xhtml::contents_page(labels.contents, &book.articles, depth, lang);
    let contents_doc = xhtml::document(lang, class, labels.contents, &contents);
    docs.push(("contents.xhtml".into(), contents_doc.into_bytes()));
    builder
        .add_content(
            EpubContent::new("contents.xhtml", &b""[..])
                .title(labels.contents)
                .reftype(ReferenceType::Toc),
        )
        .map_err(epub_err)?;

    // The pages now, not before: what came before needs none.
    let print = print();
    let starts = print.as_ref().map_or(&[][..], |p| &p.starts[..]);
    let pages: Vec<nav::PageTarget> = starts
        .iter()
        .filter_map(|s| {
            let article = book.articles.get(s.article)?;
            Some(nav::PageTarget {
                label: s.marker.label.clone(),
                href: format!("{}.xhtml#{}", article.id, pages::marker_id(&s.marker.label)),
            })
        })
        .collect();
    let facts = accessibility::Facts::gather(book, !pages.is_empty());
    for warning in facts.warnings() {
        diags.push(warning);
    }

    // Each picture goes in once, however often it is shown.
    let mut images: Vec<(String, Arc<Vec<u8>>, &'static str)> = Vec::new();
    let mut names: HashMap<PathBuf, String> = HashMap::new();
    for (i, article) in book.articles.iter().enumerate() {
        let file = format!("{}.xhtml", article.id);
        let mut image_name = |path: &Path| -> Option<String> {
            if let Some(name) = names.get(path) {
                return Some(name.clone());
            }
            let picture = library.get(path)?;
            let name = format!("images/{}-{}.{}", article.id, images.len() + 1, picture.ext);
            images.push((name.clone(), picture.epub.clone(), picture.media_type));
            names.insert(path.to_path_buf(), name.clone());
            Some(name)
        };
        let article_labels = crate::labels::for_script(article.lang.script());
        let markers: Vec<pages::Marker> = starts
            .iter()
            .filter(|s| s.article == i)
            .map(|s| s.marker.clone())
            .collect();
        let body = xhtml::article(article, article_labels, &markers, &mut image_name);
        let doc = xhtml::document(
            &article.lang.tag,
            script_class(article.lang.script()),
            &article.title,
            &body,
        );
        docs.push((file.clone(), doc.into_bytes()));
        let mut content = EpubContent::new(file.clone(), &b""[..])
            .title(xml(&article.title))
            .level(i32::from(article.depth.max(1)));
        if i == 0 {
            content = content.reftype(ReferenceType::Text);
        }
        for element in toc_children(&file, article) {
            content = content.child(element);
        }
        builder.add_content(content).map_err(epub_err)?;
    }
    for (name, data, media) in &images {
        // Bitmaps are compressed already: stored as they are, like the
        // cover. Drawings (SVG) are text and are deflated with the rest.
        if *media == "image/svg+xml" {
            builder
                .add_resource(name, data.as_slice(), *media)
                .map_err(epub_err)?;
            continue;
        }
        builder
            .add_resource(name, &b""[..], *media)
            .map_err(epub_err)?;
        let entry = package::stored_entry(name, data).map_err(Diagnostic::error)?;
        prebuilt.insert(name.clone(), entry);
    }

    let kept = package::open_kept(cache);
    prebuilt.extend(package::documents(docs, &kept).map_err(Diagnostic::error)?);
    let saving = kept.save(package::encode);
    let mut raw = Vec::new();
    builder.generate(&mut raw).map_err(epub_err)?;
    let nav = nav::document(lang, class, labels, &book.articles, &pages);
    let certifier = meta.publisher.as_deref().unwrap_or("booklet");
    let mut package_meta = facts.metadata(labels, lang, certifier);
    if let Some(print) = print.filter(|_| !pages.is_empty()) {
        // `source-of pagination` rather than EPUB 3.4's pageBreakSource,
        // which EPUBCheck 4.2.6 does not know (standards.md §3.2).
        package_meta.push_str(&format!(
            "    <dc:source id=\"print-source\">{}</dc:source>\n    <meta refines=\"#print-source\" property=\"source-of\">pagination</meta>\n",
            xhtml::escape(&print.source)
        ));
    }
    let bytes =
        package::repack(&raw, book, &nav, &package_meta, &prebuilt).map_err(Diagnostic::error)?;
    if let Some(saving) = saving {
        let _ = saving.join();
    }
    Ok((bytes, report))
}

/// epub-builder escapes what it is given but keeps characters XML forbids.
fn xml(s: &str) -> String {
    crate::xmltext::clean(s).into_owned()
}

/// Nav entries below an article: sections and their subsections. The nav
/// always goes three deep (readers fold it); `toc_depth` governs only the
/// printed contents page.
fn toc_children(file: &str, article: &crate::model::Article) -> Vec<TocElement> {
    let mut out: Vec<TocElement> = Vec::new();
    let mut pending: Option<TocElement> = None;
    for (level, id, content) in article.headings() {
        if level > 2 {
            continue;
        }
        let title = xml(&crate::model::plain_text(content));
        let element = TocElement::new(format!("{file}#{id}"), title);
        if level == 1 {
            if let Some(p) = pending.take() {
                out.push(p);
            }
            pending = Some(element.level(2));
        } else if let Some(p) = pending.take() {
            pending = Some(p.child(element.level(3)));
        } else {
            out.push(element.level(2));
        }
    }
    out.extend(pending);
    out
}

/// Reads an image the EPUB can carry (core media types only).
fn read_image(path: &Path) -> Result<(Vec<u8>, &'static str, &'static str), Diagnostic> {
    let bytes = crate::input::read(path, crate::input::Kind::Image)
        .map_err(|e| Diagnostic::error(format!("cannot read image `{}`: {e}", path.display())))?;
    let info = crate::image::sniff(&bytes).ok_or_else(|| {
        Diagnostic::error(format!(
            "image `{}` is not PNG, JPEG or GIF",
            path.display()
        ))
    })?;
    Ok((bytes, info.media_type, info.ext))
}

/// Where an output goes: `<dir>/<stem>.epub`.
pub fn output_path(dir: &Path, stem: &str) -> PathBuf {
    dir.join(format!("{stem}.epub"))
}
