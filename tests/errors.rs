//! Bad input: every class gets a clear message naming the file (and line),
//! the documented exit code, and no partial output.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const OK_ARTICLE: &str = "---\ntitle: 标题\n---\n\n正文第一段。\n";

/// A scratch project with `booklet.toml` = `manifest` and extra files.
fn project(name: &str, manifest: &str, files: &[(&str, &[u8])]) -> PathBuf {
    common::project(&format!("errors-{name}"), manifest, files)
}

/// Runs `booklet build` (EPUB only: the checks here are about input).
fn build(dir: &Path) -> (i32, String) {
    let out = booklet(&["build", "--format", "epub"], dir, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), stderr)
}

fn manifest_with(body: &str) -> String {
    format!("[book]\ntitle = \"测试\"\n{body}")
}

fn assert_failed(dir: &Path, code: i32, stderr: &str, needles: &[&str]) {
    assert_eq!(code, 1, "expected exit 1:\n{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "missing `{n}` in:\n{stderr}");
    }
    assert!(!dir.join("out").exists(), "a failed build wrote output");
}

#[test]
fn toml_syntax_error_names_line_and_column() {
    let dir = project("syntax", "[book\ntitle = \"x\"\n", &[]);
    let (code, err) = build(&dir);
    assert_failed(&dir, code, &err, &["booklet.toml:1:6", "[book"]);
}

#[test]
fn missing_title_and_unknown_key() {
    let dir = project("missing", "[book]\nsubtitle = \"x\"\n", &[]);
    let (code, err) = build(&dir);
    assert_failed(&dir, code, &err, &["no `title`", "booklet.toml:1"]);

    let m = manifest_with("autor = \"x\"\n[[article]]\nsource = \"a.md\"\n");
    let dir = project("unknown", &m, &[("a.md", OK_ARTICLE.as_bytes())]);
    let (code, err) = build(&dir);
    assert_failed(
        &dir,
        code,
        &err,
        &["booklet.toml:3", "autor", "did you mean"],
    );
}

#[test]
fn bad_language_and_no_articles_are_reported_together() {
    let dir = project("lang", &manifest_with("language = \"chinese\"\n"), &[]);
    let (code, err) = build(&dir);
    assert_failed(
        &dir,
        code,
        &err,
        &["`chinese` is not a BCP 47", "no articles", "2 errors"],
    );
}

#[test]
fn missing_and_folder_sources_point_at_the_manifest_line() {
    let m = manifest_with("[[article]]\nsource = \"gone.md\"\n[[article]]\nsource = \"dir\"\n");
    let dir = project("paths", &m, &[("dir/x.md", b"x")]);
    let (code, err) = build(&dir);
    assert_failed(
        &dir,
        code,
        &err,
        &[
            "booklet.toml:4",
            "gone.md",
            "no such file",
            "booklet.toml:6",
            "folder",
        ],
    );
}

#[test]
fn an_article_listed_twice_builds_with_unique_ids() {
    let m = manifest_with("[[article]]\nsource = \"a.md\"\n[[article]]\nsource = \"a.md\"\n");
    let dir = project("twice", &m, &[("a.md", OK_ARTICLE.as_bytes())]);
    let (code, err) = build(&dir);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("listed more than once"), "{err}");
    if let Some((f, e, w, report)) = epubcheck(&dir.join("out/booklet.epub")) {
        assert_eq!((f, e, w), (0, 0, 0), "{report}");
    }
}

#[test]
fn binary_and_legacy_encodings() {
    let m = manifest_with("[[article]]\nsource = \"bin.md\"\n");
    let dir = project("binary", &m, &[("bin.md", b"\x00\x01\x02\x03PK\x00")]);
    let (code, err) = build(&dir);
    assert_failed(&dir, code, &err, &["bin.md", "binary"]);

    let (gbk, _, _) =
        encoding_rs::GBK.encode("---\ntitle: 旧编码\n---\n\n组织工作学习读本，推动高质量发展。\n");
    let (big5, _, _) =
        encoding_rs::BIG5.encode("---\ntitle: 舊編碼\n---\n\n組織工作學習讀本，推動高質量發展。\n");
    let m = manifest_with("[[article]]\nsource = \"gbk.md\"\n[[article]]\nsource = \"big5.md\"\n");
    let dir = project("encodings", &m, &[("gbk.md", &gbk), ("big5.md", &big5)]);
    let (code, err) = build(&dir);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("gbk.md") && err.contains("not UTF-8"), "{err}");
    assert!(err.contains("big5.md"), "{err}");
}

#[test]
fn empty_and_untitled_articles_are_warnings() {
    let m =
        manifest_with("[[article]]\nsource = \"empty.md\"\n[[article]]\nsource = \"notitle.md\"\n");
    let dir = project(
        "empty",
        &m,
        &[("empty.md", b""), ("notitle.md", "只有正文。".as_bytes())],
    );
    let (code, err) = build(&dir);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("empty.md") && err.contains("no text"), "{err}");
    assert!(
        err.contains("notitle.md") && err.contains("using the file name"),
        "{err}"
    );
}

#[test]
fn raw_html_never_reaches_the_epub_as_markup() {
    let md = "---\ntitle: 网页\n---\n\n<script>alert('x')</script>\n\n<div onclick=\"evil()\">块<b>粗</b></div>\n\n行内<span onmouseover=\"x()\">文字</span>。\n";
    let m = manifest_with("[[article]]\nsource = \"h.md\"\n");
    let dir = project("html", &m, &[("h.md", md.as_bytes())]);
    let (code, err) = build(&dir);
    assert_eq!(code, 0, "{err}");
    let epub = std::fs::read(dir.join("out/booklet.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let mut xhtml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("OEBPS/a01.xhtml").unwrap(), &mut xhtml)
        .unwrap();
    // The print edition's page-break markers are booklet's own spans.
    while let Some(at) = xhtml.find("<span epub:type=\"pagebreak\"") {
        let end = at + xhtml[at..].find("</span>").expect("a closed marker") + "</span>".len();
        xhtml.replace_range(at..end, "");
    }
    for bad in [
        "<script",
        "alert",
        "onclick",
        "onmouseover",
        "<div",
        "<span",
    ] {
        assert!(!xhtml.contains(bad), "`{bad}` reached the EPUB:\n{xhtml}");
    }
    assert!(xhtml.contains("文字"));
    drop(zip);
    if let Some((f, e, w, report)) = epubcheck(&dir.join("out/booklet.epub")) {
        assert_eq!((f, e, w), (0, 0, 0), "{report}");
    }
}

#[test]
fn missing_and_unsupported_images_name_file_and_line() {
    let md = "---\ntitle: 图\n---\n\n![缺](missing.png)\n\n![坏](fake.png)\n";
    let m = manifest_with("[[article]]\nsource = \"i.md\"\n");
    let dir = project(
        "images",
        &m,
        &[
            ("i.md", md.as_bytes()),
            ("fake.png", b"BM\x1e\0\0\0 a bitmap"),
        ],
    );
    let (code, err) = build(&dir);
    assert_failed(
        &dir,
        code,
        &err,
        &[
            "i.md:5",
            "not found",
            "i.md:7",
            "not a picture booklet reads",
        ],
    );
}

#[test]
fn huge_paragraph_long_url_and_deep_nesting_build() {
    let long = "长".repeat(100_000);
    let url = format!("https://example.com/{}", "a".repeat(300));
    let nested = format!(
        "{}深\n\n{}项\n",
        "> ".repeat(40),
        (0..40)
            .map(|i| format!("{}- ", "  ".repeat(i)))
            .collect::<String>()
    );
    let md = format!("---\ntitle: 极端\n---\n\n{long}\n\n{url}\n\n{nested}");
    let m = manifest_with("[[article]]\nsource = \"x.md\"\n");
    let dir = project("extreme", &m, &[("x.md", md.as_bytes())]);
    let out = booklet(&["build"], &dir, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if let Some((f, e, w, report)) = epubcheck(&dir.join("out/booklet.epub")) {
        assert_eq!((f, e, w), (0, 0, 0), "{report}");
    }
}

#[test]
fn unknown_font_family_lists_the_available_ones() {
    let m = manifest_with("[fonts]\nbody = \"No Such Font\"\n[[article]]\nsource = \"a.md\"\n");
    let dir = project("font", &m, &[("a.md", OK_ARTICLE.as_bytes())]);
    let (code, err) = build(&dir);
    assert_failed(
        &dir,
        code,
        &err,
        &["booklet.toml:4", "No Such Font", "Noto Serif CJK SC"],
    );
    assert_eq!(err.matches("error:").count(), 1, "reported twice:\n{err}");
}

#[test]
fn uncovered_characters_are_warned_with_file_and_line() {
    let md = "---\ntitle: 缺字\n---\n\n正文\n\n第二段有私用区字符\u{F8FF}。\n";
    let m = manifest_with("[[article]]\nsource = \"u.md\"\n");
    let dir = project("coverage", &m, &[("u.md", md.as_bytes())]);
    let (code, err) = build(&dir);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("u.md:7") && err.contains("U+F8FF"), "{err}");
}

#[test]
fn unwritable_output_folder_is_named_and_old_outputs_survive() {
    let m = manifest_with("[[article]]\nsource = \"a.md\"\n");
    let dir = project(
        "output",
        &m,
        &[("a.md", OK_ARTICLE.as_bytes()), ("blocker", b"a file")],
    );
    let out = booklet(
        &["build", "--format", "epub", "--out", "blocker/out"],
        &dir,
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("blocker/out") && err.contains("cannot create"),
        "{err}"
    );

    // A good build, then a broken source: the good EPUB stays as it was.
    let (code, err) = build(&dir);
    assert_eq!(code, 0, "{err}");
    let good = std::fs::read(dir.join("out/booklet.epub")).unwrap();
    std::fs::write(dir.join("a.md"), b"\x00binary now").unwrap();
    let (code, _) = build(&dir);
    assert_eq!(code, 1);
    assert_eq!(std::fs::read(dir.join("out/booklet.epub")).unwrap(), good);
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn usage_errors_exit_2() {
    let dir = scratch("errors-usage");
    assert_eq!(
        booklet(&["build", "--bogus"], &dir, &[]).status.code(),
        Some(2)
    );
    assert_eq!(booklet(&["frobnicate"], &dir, &[]).status.code(), Some(2));
    let out = booklet(&["build", "missing.toml"], &dir, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("missing.toml") && err.contains("cannot read the manifest"),
        "{err}"
    );
}
