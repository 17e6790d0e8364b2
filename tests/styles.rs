//! The styles: block quotes in the shipped Kai face (or the body face,
//! smaller, when a style names one that is not there), closing notes in
//! parentheses, smaller and flush right, A4 at about 39 characters a line,
//! and the shipped large-print and handout styles, each building the
//! example with a clean EPUB and clean body lines. Checked on real
//! booklets with pdffonts, MuPDF (tests/scripts/styled_lines.py,
//! loose_lines.py) and EPUBCheck.

mod common;

use common::{
    booklet, booklet_ok, copy_example, copy_tree, epubcheck, have_mutool_python, repo, scratch,
    script_json, tool, unzip,
};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// One text line of a PDF as MuPDF reads it.
#[derive(Debug)]
struct Line {
    page: u64,
    text: String,
    font: String,
    size: f64,
    x0: f64,
    x1: f64,
}

/// The lines of `pdf` with their faces and sizes, or None (SKIPPED, or a
/// failure under CI) without mutool.
fn lines(pdf: &Path) -> Option<Vec<Line>> {
    if !have_mutool_python() {
        return None;
    }
    let json = script_json("styled_lines.py", &[pdf.as_os_str()]);
    let lines = json["lines"].as_array().expect("lines").iter();
    Some(
        lines
            .map(|l| Line {
                page: l["page"].as_u64().unwrap(),
                text: l["text"].as_str().unwrap().to_string(),
                font: l["font"].as_str().unwrap().to_string(),
                size: l["size"].as_f64().unwrap(),
                x0: l["x0"].as_f64().unwrap(),
                x1: l["x1"].as_f64().unwrap(),
            })
            .collect(),
    )
}

fn line_with<'a>(lines: &'a [Line], text: &str) -> &'a Line {
    lines
        .iter()
        .find(|l| l.text.contains(text))
        .unwrap_or_else(|| panic!("no line holds {text}: {lines:#?}"))
}

/// The fixture's booklet in a scratch folder, with `style` (a TOML file's
/// text) as its style `name` when given.
fn fixture(name: &str, style: Option<&str>) -> PathBuf {
    let dir = scratch(name);
    copy_tree(&repo().join("tests/fixtures/styles"), &dir);
    if let Some(text) = style {
        let styles = dir.join("styles");
        std::fs::create_dir_all(&styles).unwrap();
        std::fs::write(styles.join("custom.toml"), text).unwrap();
        std::fs::copy(
            repo().join("styles/default.css"),
            styles.join("default.css"),
        )
        .unwrap();
        let manifest = std::fs::read_to_string(dir.join("booklet.toml")).unwrap();
        std::fs::write(
            dir.join("booklet.toml"),
            format!("{manifest}\n[style]\nname = \"custom\"\n"),
        )
        .unwrap();
    }
    dir
}

/// The shipped default style with `key = value` lines replaced.
fn default_style_with(changes: &[(&str, &str)]) -> String {
    let text = std::fs::read_to_string(repo().join("styles/default.toml")).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let key = line.split('=').next().unwrap_or("").trim();
        match changes.iter().find(|(k, _)| *k == key) {
            Some((k, v)) => out.push_str(&format!("{k} = {v}\n")),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

fn check_epub(epub: &Path) {
    if let Some((fatals, errors, warnings, text)) = epubcheck(epub) {
        assert_eq!((fatals, errors, warnings), (0, 0, 0), "{text}");
    }
}

fn css(files: &BTreeMap<String, Vec<u8>>) -> String {
    String::from_utf8(files["OEBPS/stylesheet.css"].clone()).unwrap()
}

const QUOTE: &str = "办好中国的事情";
const QUOTE_HANT: &str = "學而時習之";
const BODY: &str = "中国出版物的正文";

#[test]
fn quotes_are_set_in_the_kai_face_subset_into_both_outputs() {
    let dir = fixture("styles-kai", None);
    booklet_ok(&["build", "-q"], &dir, &[]);
    let pdf = dir.join("out/booklet.pdf");
    if let Some(fonts) = tool("pdffonts", &[pdf.to_str().unwrap()]) {
        let kai = fonts
            .lines()
            .find(|l| l.contains("+WenKaiBooklet-Regular"))
            .unwrap_or_else(|| panic!("no subset of the Kai face: {fonts}"));
        assert!(
            kai.split_whitespace()
                .collect::<Vec<_>>()
                .windows(3)
                .any(|w| w == ["yes"; 3]),
            "the Kai face is embedded, subset, with ToUnicode: {kai}"
        );
    }
    if let Some(lines) = lines(&pdf) {
        for text in [QUOTE, QUOTE_HANT] {
            let quote = line_with(&lines, text);
            assert_eq!(quote.font, "WenKaiBooklet-Regular", "{quote:?}");
            assert_eq!(quote.size, 10.5, "{quote:?}");
        }
        let body = line_with(&lines, BODY);
        assert!(body.font.starts_with("NotoSerifCJK"), "{body:?}");
        // The quote is indented by 2 em on both sides.
        let quote = line_with(&lines, "能使力量倍增");
        let text = line_with(&lines, "别。引文前后");
        assert!(
            (quote.x0 - text.x0 - 21.0).abs() < 0.5,
            "{quote:?} {text:?}"
        );
    }
    let epub = dir.join("out/booklet.epub");
    let files = unzip(&epub);
    let css = css(&files);
    assert!(
        css.contains(".hans blockquote { font-family: \"Booklet quote hans\""),
        "{css}"
    );
    assert!(css.contains("src: url(\"fonts/hans-quote.ttf\")"), "{css}");
    for (name, chars) in [("hans", "办党”"), ("hant", "學說《")] {
        let font = &files[&format!("OEBPS/fonts/{name}-quote.ttf")];
        let face = ttf_parser::Face::parse(font, 0).expect("the quote subset parses");
        assert!(
            face.number_of_glyphs() < 200,
            "{name}: a subset of the quotes' characters, not the face's 9,700 glyphs: {}",
            face.number_of_glyphs()
        );
        for c in chars.chars() {
            assert!(
                face.glyph_index(c).is_some(),
                "{name} quote subset lacks {c}"
            );
        }
        // Text outside quotes is not in it.
        assert!(face.glyph_index('宋').is_none(), "{name}");
    }
    check_epub(&epub);
}

#[test]
fn a_quote_face_that_is_not_there_gives_smaller_body_text_and_a_warning() {
    let style = default_style_with(&[("family", "\"No Such Kai\"")]);
    let dir = fixture("styles-no-kai", Some(&style));
    let out = booklet(&["build"], &dir, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: quote font `No Such Kai` not found")
            && stderr.contains("at 0.9 of its size"),
        "{stderr}"
    );
    let pdf = dir.join("out/booklet.pdf");
    if let Some(fonts) = tool("pdffonts", &[pdf.to_str().unwrap()]) {
        assert!(!fonts.contains("WenKai"), "{fonts}");
    }
    if let Some(lines) = lines(&pdf) {
        let quote = line_with(&lines, QUOTE);
        assert!(quote.font.starts_with("NotoSerifCJK"), "{quote:?}");
        assert!((quote.size - 9.45).abs() < 0.01, "0.9 × 10.5 pt: {quote:?}");
        assert_eq!(line_with(&lines, BODY).size, 10.5);
    }
    let epub = dir.join("out/booklet.epub");
    let files = unzip(&epub);
    assert!(
        !files.keys().any(|f| f.contains("quote")),
        "{:?}",
        files.keys()
    );
    let css = css(&files);
    assert!(
        css.contains(".hans blockquote { font-size: 0.9em; }"),
        "{css}"
    );
    assert!(!css.contains("Booklet quote"), "{css}");
    check_epub(&epub);
}

/// The right edge of the body lines on `page`: where most of them end.
fn right_edge(lines: &[Line], page: u64, size: f64) -> f64 {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for l in lines.iter().filter(|l| l.page == page && l.size == size) {
        *counts.entry((l.x1 * 2.0).round() as i64).or_default() += 1;
    }
    let (edge, _) = counts.into_iter().max_by_key(|&(x, n)| (n, x)).unwrap();
    edge as f64 / 2.0
}

#[test]
fn closing_notes_are_in_parentheses_smaller_and_flush_right() {
    let dir = fixture("styles-notes", None);
    booklet_ok(&["build", "-q"], &dir, &[]);
    let pdf = dir.join("out/booklet.pdf");
    if let Some(lines) = lines(&pdf) {
        // A last paragraph that is a note, and a front matter note: both
        // in one pair of parentheses, at 0.9 of the body size, flush with
        // the right edge: in GB punctuation the closing parenthesis's ink
        // (its blank half beyond the edge, as a line-end stop's), in
        // Taiwan's its centred em.
        for (note, trimmed) in [
            ("（作者系某某大学出版研究院教授）", 0.5),
            ("（作者為某某大學教授）", 0.0),
        ] {
            let line = line_with(&lines, note);
            assert_eq!(line.text, note);
            assert!((line.size - 9.45).abs() < 0.01, "{line:?}");
            let right = right_edge(&lines, line.page, 10.5);
            let ink = line.x1 - trimmed * line.size;
            assert!(
                (ink - right).abs() < 1.0,
                "{line:?} ends at {ink}, not {right}"
            );
            assert!(line.x0 > right - 200.0, "flush right, not left: {line:?}");
        }
    }
    let files = unzip(&dir.join("out/booklet.epub"));
    let article = files
        .iter()
        .find(|(name, data)| {
            name.ends_with(".xhtml") && String::from_utf8_lossy(data).contains(BODY)
        })
        .map(|(_, data)| String::from_utf8_lossy(data).into_owned())
        .expect("the first article's document");
    assert!(
        article.contains("<p class=\"note\">（作者系某某大学出版研究院教授）</p>"),
        "{article}"
    );
    assert_eq!(
        article.matches("作者系").count(),
        1,
        "the note is not also a paragraph"
    );
    assert!(css(&files).contains("p.note { text-indent: 0; font-size: 0.9em;"));
    assert!(css(&files).contains("text-align-last: right;"));
    check_epub(&dir.join("out/booklet.epub"));
}

#[test]
fn a_style_sets_notes_flush_left_below_a_rule_without_parentheses() {
    let style = default_style_with(&[("align", "\"rule\""), ("parentheses", "false")]);
    let dir = fixture("styles-notes-rule", Some(&style));
    booklet_ok(&["build", "-q"], &dir, &[]);
    if let Some(lines) = lines(&dir.join("out/booklet.pdf")) {
        let note = line_with(&lines, "作者系某某大学出版研究院教授");
        assert_eq!(note.text, "作者系某某大学出版研究院教授");
        let text = line_with(&lines, "避头尾。组织工作");
        assert!((note.x0 - text.x0).abs() < 0.5, "{note:?} {text:?}");
    }
    let files = unzip(&dir.join("out/booklet.epub"));
    let css = css(&files);
    assert!(css.contains("p.note::before { content: \"\"; display: block; width: 4em; border-top"));
    assert!(css.contains("text-align-last: left;"));
    check_epub(&dir.join("out/booklet.epub"));
}

/// The most common count of ideographs and full-width marks on the body
/// lines (at `size`) of `lines`: a full line's characters.
fn characters_a_line(lines: &[Line], size: f64) -> usize {
    let mut counts: HashMap<usize, usize> = HashMap::new();
    for l in lines.iter().filter(|l| (l.size - size).abs() < 0.01) {
        let n = l
            .text
            .chars()
            .filter(|&c| c as u32 >= 0x2E80 || "“”‘’".contains(c))
            .count();
        if n >= 10 {
            *counts.entry(n).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(n, k)| (k, n))
        .map_or(0, |(n, _)| n)
}

/// The example built in `style` (with `[pdf]` lines `pdf` added), both
/// outputs checked: EPUBCheck, no line starting with a closing mark or
/// ending with an opening one, every body line that its paragraph
/// continues flush with the right edge. Returns its lines.
fn example_in(name: &str, style: &str, pdf: &str, body_size: &str) -> Option<Vec<Line>> {
    let dir = scratch(name);
    copy_example(&dir);
    let manifest = std::fs::read_to_string(dir.join("booklet.toml")).unwrap();
    std::fs::write(
        dir.join("booklet.toml"),
        format!("{manifest}\n[style]\nname = \"{style}\"\n\n[pdf]\ncover = false\n{pdf}\n"),
    )
    .unwrap();
    booklet_ok(&["build", "-q"], &dir, &[]);
    check_epub(&dir.join("out/booklet.epub"));
    let book = dir.join("out/booklet.pdf");
    let lines = lines(&book)?;
    for l in &lines {
        let (first, last) = (
            l.text.chars().next().unwrap(),
            l.text.chars().last().unwrap(),
        );
        assert!(
            !"，。、；：？！”’）》」』".contains(first),
            "{style}: line starts with {first}: {l:?}"
        );
        assert!(
            !"“‘（《「『".contains(last),
            "{style}: line ends with {last}: {l:?}"
        );
    }
    let loose = script_json(
        "loose_lines.py",
        &[book.as_os_str(), std::ffi::OsStr::new(body_size)],
    );
    assert!(loose["lines"].as_u64().unwrap() > 300, "{style}: {loose}");
    let ragged = loose["ragged"].as_array().unwrap();
    assert!(ragged.is_empty(), "{style}: lines not flush: {ragged:?}");
    Some(lines)
}

#[test]
fn the_default_style_gives_a4_about_39_characters_a_line() {
    if let Some(lines) = example_in("styles-a4", "default", "page = \"A4\"", "12") {
        let n = characters_a_line(&lines, 12.0);
        assert!((38..=40).contains(&n), "{n} characters a line at A4");
    }
    if let Some(lines) = example_in("styles-a5", "default", "", "10.5") {
        assert_eq!(characters_a_line(&lines, 10.5), 30, "A5 as before");
    }
}

#[test]
fn the_large_print_and_handout_styles_set_14_pt_and_compact_a4() {
    let Some(large) = example_in("styles-large-print", "large-print", "", "14") else {
        return;
    };
    let n = characters_a_line(&large, 14.0);
    assert!((32..=34).contains(&n), "large print: {n} characters a line");
    // Nothing smaller than the body but folios and footnotes: the note too.
    let note = large
        .iter()
        .find(|l| l.text.starts_with("（作者系"))
        .expect("a note");
    assert_eq!(note.size, 14.0, "{note:?}");
    let handout = example_in("styles-handout", "handout", "", "10.5").unwrap();
    let n = characters_a_line(&handout, 10.5);
    assert!((44..=47).contains(&n), "handout: {n} characters a line");
    let pages = |lines: &[Line]| lines.iter().map(|l| l.page).max().unwrap();
    assert!(
        3 * pages(&handout) < 2 * pages(&large),
        "handout {} pages, large print {}",
        pages(&handout),
        pages(&large)
    );
}
