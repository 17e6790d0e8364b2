//! The example booklet's EPUB, built by the real binary and checked with
//! EPUBCheck and by reading the archive back.

mod common;

use std::path::Path;

use common::*;

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The visible text of an XHTML document: tags dropped, entities decoded.
fn visible_text(xhtml: &str) -> String {
    let body = xhtml.split("<body").nth(1).unwrap_or("");
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn build_example(dir: &Path, envs: &[(&str, &str)]) -> std::path::PathBuf {
    let out = dir.join("out");
    std::fs::create_dir_all(dir).unwrap();
    booklet_ok(
        &[
            "build",
            repo().join("booklet.toml").to_str().unwrap(),
            "--format",
            "epub",
            "--out",
            out.to_str().unwrap(),
        ],
        dir,
        envs,
    );
    out.join("booklet.epub")
}

#[test]
fn example_epub_is_valid_small_and_complete() {
    let dir = scratch("epub-example");
    let epub = build_example(&dir, &[]);
    let size = std::fs::metadata(&epub).unwrap().len();
    assert!(size <= 1_500_000, "EPUB is {size} bytes, over 1.5 MB");

    if let Some((fatals, errors, warnings, report)) = epubcheck(&epub) {
        assert_eq!(
            (fatals, errors, warnings),
            (0, 0, 0),
            "EPUBCheck found problems:\n{report}"
        );
    }

    let files = unzip(&epub);
    // mimetype first and stored.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&epub).unwrap()).unwrap();
    let first = zip.by_index(0).unwrap();
    assert_eq!(first.name(), "mimetype");
    assert_eq!(first.compression(), zip::CompressionMethod::Stored);
    drop(first);

    // Every embedded font is a subset.
    let fonts: Vec<_> = files
        .keys()
        .filter(|n| n.starts_with("OEBPS/fonts/"))
        .collect();
    assert!(!fonts.is_empty(), "no fonts embedded");
    for name in fonts {
        let face = ttf_parser::Face::parse(&files[name], 0).expect("embedded font parses");
        let glyphs = face.number_of_glyphs();
        assert!(glyphs <= 8000, "{name} has {glyphs} glyphs");
        assert!(face.glyph_index('组').is_some() || face.glyph_index('組').is_some());
    }

    // Spine order follows the manifest, and every article's text is there.
    let opf = text(&files["OEBPS/content.opf"]);
    let spine: Vec<&str> = opf
        .split("<itemref idref=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    let manifest = std::fs::read_to_string(repo().join("booklet.toml")).unwrap();
    let sources: Vec<String> = manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("source = \""))
        .map(|s| s.trim_end_matches('"').to_string())
        .collect();
    let articles: Vec<&&str> = spine.iter().filter(|s| s.starts_with("id_a")).collect();
    assert_eq!(articles.len(), sources.len(), "spine: {spine:?}");
    for (i, (idref, source)) in articles.iter().zip(&sources).enumerate() {
        assert_eq!(**idref, format!("id_a{:02}.xhtml", i + 1));
        let xhtml = text(&files[&format!("OEBPS/a{:02}.xhtml", i + 1)]);
        assert!(xhtml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
        assert!(
            xhtml.contains("xml:lang=\"zh-Han"),
            "no xml:lang in {source}"
        );
        let shown = visible_text(&xhtml);
        let md = std::fs::read_to_string(repo().join(source)).unwrap();
        let paragraphs = source_paragraphs(&md);
        assert!(!paragraphs.is_empty(), "{source} has no paragraphs");
        for p in paragraphs {
            assert!(
                shown.contains(&p),
                "{source}: paragraph missing from the EPUB: {p}"
            );
        }
    }

    // The nav nests article → section, and has a language.
    let nav = text(&files["OEBPS/nav.xhtml"]);
    assert!(nav.contains("xml:lang=\"zh-Hans\""));
    assert!(nav.matches("<ol>").count() > 1, "nav is not nested");
    assert!(
        nav.contains("a01.xhtml#s1"),
        "sections missing from the nav"
    );
    // No duplicate ids in the OPF (epub-builder's creator/language clash).
    assert!(
        !opf.contains("epub-creator-0\">zh"),
        "language id clash left in OPF"
    );
}

#[test]
fn rebuilds_are_byte_identical_and_honour_source_date_epoch() {
    let dir = scratch("epub-repro");
    let a = std::fs::read(build_example(&dir.join("a"), &[])).unwrap();
    let b = std::fs::read(build_example(&dir.join("b"), &[])).unwrap();
    assert!(a == b, "two builds differ");

    let epoch = build_example(&dir.join("c"), &[("SOURCE_DATE_EPOCH", "1700000000")]);
    let opf = text(&unzip(&epoch)["OEBPS/content.opf"]);
    assert!(
        opf.contains("<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"),
        "SOURCE_DATE_EPOCH not used:\n{opf}"
    );
    let default = text(&unzip(&dir.join("a/out/booklet.epub"))["OEBPS/content.opf"]);
    assert!(default.contains("dcterms:modified\">2024-01-01T00:00:00Z"));
}

#[test]
fn a_manifest_outside_the_repository_builds_with_the_shipped_fonts() {
    let dir = scratch("epub-elsewhere");
    copy_example(&dir);
    booklet_ok(&["build", "--format", "epub"], &dir, &[]);
    let built = std::fs::read(dir.join("out/booklet.epub")).unwrap();
    // The same inputs from another folder give the same bytes.
    let here = std::fs::read(build_example(&scratch("epub-elsewhere-ref"), &[])).unwrap();
    assert!(
        built == here,
        "output depends on the folder it was built from"
    );
}
