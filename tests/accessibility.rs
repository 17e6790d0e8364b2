//! The EPUB's accessibility, checked with DAISY Ace (axe in a real
//! chromium) and EPUBCheck 4.2.6 and 5: the example booklet and a book
//! with pictures, tables, footnotes, code and a Traditional article
//! (tests/fixtures/accessible) must pass with no violation; what the
//! package says must follow from what the book holds.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

/// The archive's text entries.
fn unzip_text(path: &Path) -> BTreeMap<String, String> {
    unzip(path)
        .into_iter()
        .filter_map(|(name, data)| Some((name, String::from_utf8(data).ok()?)))
        .collect()
}

fn fixture(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_tree(&repo().join("tests/fixtures/accessible"), &dir);
    dir
}

/// Builds the EPUB of the project in `dir`; returns it and the messages.
fn build_epub(dir: &Path) -> (PathBuf, String) {
    let out = booklet_ok(&["build", "--format", "epub"], dir, &[]);
    let messages =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    (dir.join("out/booklet.epub"), messages)
}

fn assert_valid(epub: &Path) {
    if let Some((fatals, errors, warnings, report)) = epubcheck(epub) {
        assert_eq!(
            (fatals, errors, warnings),
            (0, 0, 0),
            "EPUBCheck on {}:\n{report}",
            epub.display()
        );
    }
}

fn assert_ace_clean(epub: &Path, name: &str) {
    let reports = scratch(&format!("{name}-ace"));
    if let Some(report) = ace(epub, &reports) {
        let violations = ace_violations(&report);
        assert!(
            violations.is_empty(),
            "Ace found {} violations in {}:\n{}",
            violations.len(),
            epub.display(),
            violations.join("\n")
        );
        assert_eq!(report["earl:result"]["earl:outcome"], "pass");
    }
}

/// The `<meta property=…>` values of the package, in order.
fn properties(opf: &str, property: &str) -> Vec<String> {
    let open = format!("<meta property=\"{property}\"");
    opf.lines()
        .filter(|l| l.trim_start().starts_with(&open))
        .filter_map(|l| {
            let value = l.split_once('>')?.1;
            Some(value.split_once("</meta>")?.0.to_string())
        })
        .collect()
}

#[test]
fn the_example_passes_ace_and_epubcheck() {
    let dir = scratch("a11y-example");
    copy_example(&dir);
    let (epub, _) = build_epub(&dir);
    assert_valid(&epub);
    assert_ace_clean(&epub, "a11y-example");
    let files = unzip_text(&epub);
    let opf = &files["OEBPS/content.opf"];
    // Text only: no picture, so no visual access mode.
    assert_eq!(properties(opf, "schema:accessMode"), ["textual"]);
    assert_eq!(
        properties(opf, "dcterms:conformsTo"),
        ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    );
    assert!(opf.contains("property=\"a11y:certifiedBy\" refines=\"#conformance\""));
    // The summary is in the book's language, not English.
    let summary = &properties(opf, "schema:accessibilitySummary")[0];
    assert!(summary.contains("目录"), "{summary}");
    assert!(!summary.is_ascii());
}

#[test]
fn a_book_with_pictures_tables_notes_code_and_a_traditional_article() {
    let dir = fixture("a11y-fixture");
    let (epub, messages) = build_epub(&dir);
    assert!(
        !messages.contains("no description"),
        "every picture is described:\n{messages}"
    );
    assert_valid(&epub);
    assert_ace_clean(&epub, "a11y-fixture");

    let files = unzip_text(&epub);
    let opf = &files["OEBPS/content.opf"];
    assert_eq!(properties(opf, "schema:accessMode"), ["textual", "visual"]);
    let features = properties(opf, "schema:accessibilityFeature");
    for feature in [
        "alternativeText",
        "tableOfContents",
        "readingOrder",
        "structuralNavigation",
    ] {
        assert!(
            features.iter().any(|f| f == feature),
            "{feature}: {features:?}"
        );
    }
    assert_eq!(properties(opf, "dcterms:conformsTo").len(), 1);

    // Roles beside epub:type, every nav named.
    let nav = &files["OEBPS/nav.xhtml"];
    assert!(nav.contains("<nav epub:type=\"toc\" role=\"doc-toc\""));
    for line in nav.lines().filter(|l| l.starts_with("<nav ")) {
        assert!(line.contains("aria-label"), "an unnamed nav: {line}");
    }
    let a01 = &files["OEBPS/a01.xhtml"];
    assert!(a01.contains("epub:type=\"chapter\" role=\"doc-chapter\""));
    assert!(a01.contains("epub:type=\"noteref\" role=\"doc-noteref\""));
    assert!(a01.contains("epub:type=\"footnote\" role=\"doc-footnote\""));
    assert!(a01.contains("<th scope=\"col\""));

    // The Traditional article: its own document, its nav entries and its
    // line on the contents page all say zh-Hant, with the TC font's class.
    assert!(files["OEBPS/a02.xhtml"].contains("lang=\"zh-Hant\" xml:lang=\"zh-Hant\""));
    for doc in ["OEBPS/nav.xhtml", "OEBPS/contents.xhtml"] {
        let entry = files[doc]
            .lines()
            .find(|l| l.contains("a02.xhtml\""))
            .unwrap_or_else(|| panic!("{doc} lists a02"));
        assert!(
            entry.contains("<li lang=\"zh-Hant\" xml:lang=\"zh-Hant\" class=\"hant\">"),
            "{doc}: {entry}"
        );
        let section = files[doc]
            .lines()
            .find(|l| l.contains("a02.xhtml#"))
            .expect("a02's sections");
        assert!(!section.contains("zh-Hans"), "{doc}: {section}");
    }
    // The Simplified book still says 目录.
    assert!(files["OEBPS/contents.xhtml"].contains(">目录</h1>"));
}

#[test]
fn a_traditional_book_prints_traditional_labels() {
    let dir = fixture("a11y-hant");
    let manifest = std::fs::read_to_string(dir.join("booklet.toml"))
        .unwrap()
        .replace("language = \"zh-Hans\"", "language = \"zh-Hant\"")
        .replace("authors = [\"测试组\"]", "editor = \"測試組\"");
    std::fs::write(dir.join("booklet.toml"), manifest).unwrap();
    let (epub, _) = build_epub(&dir);
    assert_valid(&epub);
    let files = unzip_text(&epub);
    assert!(files["OEBPS/contents.xhtml"].contains(">目錄</h1>"));
    assert!(files["OEBPS/nav.xhtml"].contains(">目錄</h1>"));
    assert!(files["OEBPS/title.xhtml"].contains("測試組　編"));
    // The Simplified article of a Traditional book is tagged the other way.
    let entry = files["OEBPS/nav.xhtml"]
        .lines()
        .find(|l| l.contains("a01.xhtml\""))
        .unwrap()
        .to_string();
    assert!(entry.contains("lang=\"zh-Hans\""), "{entry}");
    let summary = &properties(&files["OEBPS/content.opf"], "schema:accessibilitySummary")[0];
    assert!(summary.contains("目錄"), "{summary}");
    for labels in ["目录", "编", "页"] {
        for (name, doc) in &files {
            if name.ends_with(".xhtml") && name != "OEBPS/a01.xhtml" {
                assert!(!doc.contains(labels), "{labels} in {name}");
            }
        }
    }
}

#[test]
fn a_picture_without_a_description_is_reported_and_not_claimed() {
    let dir = fixture("a11y-undescribed");
    let source = dir.join("sources/01.md");
    let text = std::fs::read_to_string(&source).unwrap().replace(
        "![一张柱状图：三个季度的学习人数逐季上升](img/chart.png)",
        "![](img/chart.png)",
    );
    std::fs::write(&source, text).unwrap();
    let (epub, messages) = build_epub(&dir);
    assert!(
        messages.contains("picture `chart.png` has no description")
            && messages.contains("sources/01.md:12"),
        "{messages}"
    );
    assert_valid(&epub);
    assert_ace_clean(&epub, "a11y-undescribed");
    let opf = &unzip_text(&epub)["OEBPS/content.opf"];
    let features = properties(opf, "schema:accessibilityFeature");
    assert!(!features.iter().any(|f| f == "alternativeText"));
    assert!(properties(opf, "dcterms:conformsTo").is_empty());
    assert_eq!(
        properties(opf, "schema:accessModeSufficient"),
        ["textual,visual"]
    );
}

/// The letters of a text (punctuation, digits and spaces left out), as
/// the page list's check compares the two editions.
fn letters(text: &str) -> String {
    text.chars().filter(|c| c.is_alphabetic()).collect()
}

#[test]
fn the_page_list_follows_the_print_edition() {
    let dir = fixture("a11y-pages");
    // A small page, so the articles run over several.
    let manifest = std::fs::read_to_string(dir.join("booklet.toml")).unwrap()
        + "\n[pdf]\npage = \"100x140\"\n";
    std::fs::write(dir.join("booklet.toml"), manifest).unwrap();
    booklet_ok(&["build"], &dir, &[]);
    let epub = dir.join("out/booklet.epub");
    assert_valid(&epub);
    assert_ace_clean(&epub, "a11y-pages");
    let files = unzip_text(&epub);
    let opf = &files["OEBPS/content.opf"];
    let features = properties(opf, "schema:accessibilityFeature");
    assert!(
        features.iter().any(|f| f == "pageBreakMarkers"),
        "{features:?}"
    );
    assert!(
        features.iter().any(|f| f == "pageNavigation"),
        "{features:?}"
    );
    assert!(
        opf.contains("<meta refines=\"#print-source\" property=\"source-of\">pagination</meta>")
    );
    assert!(opf.contains(
        "<dc:source id=\"print-source\">无障碍测试读本（印刷版，100×140 mm）</dc:source>"
    ));

    // The page list: labels in print order, each leading to its marker.
    let nav = &files["OEBPS/nav.xhtml"];
    let list = nav
        .split("epub:type=\"page-list\"")
        .nth(1)
        .expect("a page list")
        .split("</nav>")
        .next()
        .unwrap();
    let entries: Vec<(String, String)> = list
        .lines()
        .filter_map(|l| {
            let href = l.split("href=\"").nth(1)?.split('"').next()?.to_string();
            let label = l.split("\">").nth(1)?.split('<').next()?.to_string();
            Some((href, label))
        })
        .collect();
    assert!(entries.len() >= 4, "{entries:?}");
    let numbers: Vec<u32> = entries.iter().map(|(_, l)| l.parse().unwrap()).collect();
    assert_eq!(numbers[0], 1, "the body's first page is 1: {numbers:?}");
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");

    // Each marker stands where that page of the PDF begins: the text after
    // it is on that page of the PDF (pdftotext, page by page).
    let pdf = dir.join("out/booklet.pdf");
    let Some(info) = tool("pdfinfo", &[pdf.to_str().unwrap()]) else {
        return;
    };
    let total: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo names the page count");
    let pages: Vec<String> = (1..=total)
        .map(|p| {
            let p = p.to_string();
            tool(
                "pdftotext",
                &["-f", &p, "-l", &p, pdf.to_str().unwrap(), "-"],
            )
            .unwrap()
        })
        .collect();
    for (href, label) in &entries {
        let (file, id) = href.split_once('#').unwrap();
        let doc = &files[&format!("OEBPS/{file}")];
        let marker = format!("id=\"{id}\"");
        assert!(doc.contains(&marker), "{href}: no marker");
        assert!(doc.contains(&format!(
            "epub:type=\"pagebreak\" role=\"doc-pagebreak\" {marker} aria-label=\"{label}\""
        )));
        // What follows the marker element.
        let after = doc.split(&marker).nth(1).unwrap();
        let after = after.split_once("</span>").unwrap().1;
        // The visible letters after the marker (tags dropped).
        let mut text = String::new();
        let mut in_tag = false;
        for c in after.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        let start: String = letters(&text).chars().take(3).collect();
        // The PDF page whose folio is `label`: its last line.
        let page = pages
            .iter()
            .find(|p| {
                p.lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .map(str::trim)
                    == Some(label)
            })
            .unwrap_or_else(|| panic!("no PDF page has folio {label}"));
        // The running head, then the page's first line.
        let head: String = page
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(3)
            .collect::<Vec<_>>()
            .join("");
        assert!(
            letters(&head).contains(&start),
            "page {label} begins with “{start}” in the EPUB but the PDF page begins:\n{head}"
        );
    }
}

#[test]
fn an_epub_only_edition_has_no_page_list() {
    let dir = fixture("a11y-epub-only");
    let manifest = std::fs::read_to_string(dir.join("booklet.toml")).unwrap()
        + "\n[[edition]]\nname = \"e\"\nformats = [\"epub\"]\n";
    std::fs::write(dir.join("booklet.toml"), manifest).unwrap();
    booklet_ok(&["build"], &dir, &[]);
    let files = unzip_text(&dir.join("out/booklet-e.epub"));
    assert!(!files["OEBPS/nav.xhtml"].contains("page-list"));
    assert!(!files["OEBPS/content.opf"].contains("pageBreakMarkers"));
    assert!(!files["OEBPS/a01.xhtml"].contains("pagebreak"));
}
