//! Code as technical books have it (tests/fixtures/code): compiler
//! diagnostics with Chinese in them, tabs, a line too long for the page,
//! inline code. The PDF is read back with pdffonts and pdftotext (every
//! word of code where its column puts it, consecutive lines agreeing within
//! 0.1 pt); the EPUB is checked by both EPUBChecks and laid out by chromium
//! with its own fonts only.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;

/// One column of code in the default style: half of the code size, which
/// is 0.9 of the 10.5 pt body.
const COLUMN: f64 = 10.5 * 0.9 * 0.5;
/// Code's tab stops, in columns.
const TAB: usize = 4;

fn fixture(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_tree(&repo().join("tests/fixtures/code"), &dir);
    dir
}

/// A word as pdftotext -bbox reads it.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    x_min: f64,
    x_max: f64,
}

/// The PDF's lines of text: (page, baseline) → words left to right.
type Lines = BTreeMap<(usize, i64), Vec<Word>>;

fn attr(tag: &str, name: &str) -> f64 {
    let at = tag.find(&format!(" {name}=\"")).expect("attribute") + name.len() + 3;
    tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn words(pdf: &Path) -> Option<Lines> {
    let xml = tool(
        "pdftotext",
        &["-bbox", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"],
    )?;
    let mut all: Vec<(usize, f64, Word)> = Vec::new();
    for (page, body) in xml.split("<page ").skip(1).enumerate() {
        for word in body.split("<word ").skip(1) {
            let (tag, rest) = word.split_once('>').unwrap();
            let tag = format!(" {tag}");
            let text = unescape(rest.split_once("</word>").unwrap().0);
            all.push((
                page,
                attr(&tag, "yMax"),
                Word {
                    text,
                    x_min: attr(&tag, "xMin"),
                    x_max: attr(&tag, "xMax"),
                },
            ));
        }
    }
    // Faces differ in how far below the baseline their boxes reach: words
    // less than a few points apart are on one line.
    all.sort_by(|a, b| (a.0, a.1).partial_cmp(&(b.0, b.1)).unwrap());
    let mut lines = Lines::new();
    let mut current: Option<(usize, f64)> = None;
    for (page, y, word) in all {
        let key = match current {
            Some((p, top)) if p == page && y - top < 4.0 => (p, top),
            _ => (page, y),
        };
        current = Some(key);
        lines
            .entry((key.0, (key.1 * 10.0).round() as i64))
            .or_default()
            .push(word);
    }
    for words in lines.values_mut() {
        words.sort_by(|a, b| a.x_min.total_cmp(&b.x_min));
    }
    Some(lines)
}

/// Columns a character takes: two for Chinese characters and full-width
/// marks, else one.
fn width(c: char) -> usize {
    let wide = matches!(c as u32, 0x4E00..=0x9FFF | 0x3000..=0x303F | 0xFF00..=0xFF60)
        || matches!(c, '“' | '”');
    if wide {
        2
    } else {
        1
    }
}

/// The fenced code blocks of a Markdown file, tabs expanded.
fn code_blocks(markdown: &str) -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    // The fence's indentation (a block in a list item), not the code's.
    let mut indent = 0;
    for line in markdown.lines() {
        let bare = line.trim_start();
        if bare.starts_with("```") {
            match current.take() {
                Some(block) => blocks.push(block),
                None => current = Some(Vec::new()),
            }
            indent = line.len() - bare.len();
            continue;
        }
        if let Some(block) = &mut current {
            let line = &line[indent.min(line.len() - line.trim_start().len())..];
            let mut out = String::new();
            let mut column = 0;
            for c in line.chars() {
                if c == '\t' {
                    let next = (column / TAB + 1) * TAB;
                    out.extend(std::iter::repeat_n(' ', next - column));
                    column = next;
                } else {
                    out.push(c);
                    column += width(c);
                }
            }
            block.push(out);
        }
    }
    blocks
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Each word's column in `source` (the words in order, as they occur).
fn columns_of(words: &[Word], source: &str) -> Option<Vec<usize>> {
    let mut from = 0;
    let mut out = Vec::new();
    for w in words {
        let at = from + source[from..].find(&w.text)?;
        out.push(source[..at].chars().map(width).sum());
        from = at + w.text.len();
    }
    Some(out)
}

/// Where column 0 of a line of code is, checking that every word of it
/// starts at its column, to 0.1 pt.
fn origin(words: &[Word], source: &str) -> f64 {
    let columns = columns_of(words, source).expect("words of the source line");
    let x0 = words[0].x_min - columns[0] as f64 * COLUMN;
    for (w, c) in words.iter().zip(&columns) {
        let expected = x0 + *c as f64 * COLUMN;
        assert!(
            (w.x_min - expected).abs() < 0.1,
            "`{}` of `{source}` starts at {:.3} pt, its column {c} is at {expected:.3} pt",
            w.text,
            w.x_min
        );
    }
    x0
}

#[test]
fn code_is_set_on_columns_in_the_monospace_face() {
    let dir = fixture("code-pdf");
    let fonts = booklet_ok(&["fonts"], &dir, &[]);
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    assert!(fonts.contains("code     Noto Sans Mono"), "{fonts}");
    booklet_ok(&["build", "--format", "pdf"], &dir, &[]);
    let pdf = dir.join("out/booklet.pdf");
    if let Some(check) = tool("qpdf", &["--check", pdf.to_str().unwrap()]) {
        assert!(
            check.contains("No syntax or stream encoding errors"),
            "{check}"
        );
    }
    if let Some(fonts) = tool("pdffonts", &[pdf.to_str().unwrap()]) {
        let mono = fonts
            .lines()
            .find(|l| l.contains("+NotoSansMono-Regular"))
            .unwrap_or_else(|| panic!("no subset of the monospace face:\n{fonts}"));
        let cols: Vec<&str> = mono.split_whitespace().collect();
        // emb sub uni
        assert_eq!(
            &cols[cols.len() - 5..cols.len() - 2],
            ["yes", "yes", "yes"],
            "{mono}"
        );
    }
    let Some(lines) = words(&pdf) else {
        return;
    };
    let source = std::fs::read_to_string(dir.join("sources/01.md")).unwrap();
    let blocks = code_blocks(&source);
    // The diagnostics, the tab-indented function, the list's table.
    let ordered: Vec<(&(usize, i64), &Vec<Word>)> = lines.iter().collect();
    for block in [&blocks[0], &blocks[1], &blocks[3]] {
        let mut origins: Vec<((usize, i64), f64)> = Vec::new();
        // A block's lines follow each other in the PDF.
        let mut from = 0;
        for line in block.iter().filter(|l| !l.trim().is_empty()) {
            let found = ordered[from..]
                .iter()
                .position(|(_, w)| {
                    let text: String = w.iter().map(|w| w.text.as_str()).collect();
                    text == squeeze(line)
                })
                .unwrap_or_else(|| panic!("`{line}` is not in the PDF as one line"));
            from += found;
            let (key, words) = ordered[from];
            from += 1;
            origins.push((*key, origin(words, line)));
        }
        // Consecutive lines on one page share their column 0.
        for pair in origins.windows(2) {
            let ((p, _), a) = pair[0];
            let ((q, _), b) = pair[1];
            if p == q {
                assert!((a - b).abs() < 0.1, "columns drift by {} pt", a - b);
            }
        }
    }

    // The long lines wrap: continued lines start after a mark, three
    // columns in, and no line passes the text block.
    let right = lines
        .values()
        .flatten()
        .map(|w| w.x_max)
        .fold(0.0f64, f64::max);
    for long in &blocks[2] {
        let first = lines
            .iter()
            .position(|(_, w)| {
                let text: String = w.iter().map(|w| w.text.as_str()).collect();
                squeeze(long).starts_with(&text) && text.len() > 10
            })
            .unwrap_or_else(|| panic!("`{long}` does not begin a line"));
        let all: Vec<&Vec<Word>> = lines.values().collect();
        let x0 = all[first][0].x_min;
        let mut joined: String = all[first].iter().map(|w| w.text.as_str()).collect();
        let mut next = first + 1;
        while joined.len() < squeeze(long).len() {
            let words = all[next];
            assert_eq!(words[0].text, "→", "no continuation mark before {words:?}");
            assert!(
                (words[0].x_min - x0).abs() < 0.1,
                "the mark is not in column 0"
            );
            assert!(
                (words[1].x_min - (x0 + 3.0 * COLUMN)).abs() < 0.1,
                "a continued line starts at {:.3}, not three columns in",
                words[1].x_min
            );
            joined.extend(words[1..].iter().map(|w| w.text.as_str()));
            next += 1;
        }
        assert_eq!(
            joined,
            squeeze(long),
            "the wrapped line lost or gained text"
        );
        assert!(next > first + 1, "`{long}` did not wrap");
        for words in &all[first..next] {
            let end = words.last().unwrap().x_max;
            assert!(
                end <= right - COLUMN + 0.1,
                "a line of code ends at {end:.2} pt, past the text block ({right:.2} pt)"
            );
        }
    }

    // Inline code, in text and headings, is in the monospace face too:
    // its letters are one column of the body size each.
    let layout = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]).unwrap();
    assert!(layout.contains("cargo build"), "{layout}");
    // `E0382` ends a paragraph's first line and starts its second.
    let inline = lines
        .values()
        .flatten()
        .find(|w| w.text == "E0382")
        .expect("inline `E0382` as a word");
    let em = 10.5;
    assert!(
        (inline.x_max - inline.x_min - 5.0 * em * 0.5).abs() < 0.1,
        "inline `E0382` is {:.2} pt wide, not 5 columns of {:.2}",
        inline.x_max - inline.x_min,
        em * 0.5
    );
}

/// Code blocks across page ends: for every place a block can start on a
/// page, a short block (five lines) stays whole and a long one (twelve)
/// leaves at least two lines on each page.
#[test]
fn short_code_blocks_stay_whole_and_long_ones_leave_no_line_alone() {
    let mut manifest = String::from("[book]\ntitle = \"分页\"\nlanguage = \"zh-Hans\"\n");
    let mut files = Vec::new();
    for k in 0..30 {
        let mut md = format!("# 第{k}篇\n\n");
        for i in 0..k {
            md += &format!("第{k}篇第{i}段。\n\n");
        }
        md += "```\n";
        for j in 0..5 {
            md += &format!("short_{k}_{j} = {j}\n");
        }
        md += "```\n\n";
        for i in 0..18 {
            md += &format!("后文第{i}段。\n\n");
        }
        md += "```\n";
        for j in 0..12 {
            md += &format!("long_{k}_{j} = {j}\n");
        }
        md += "```\n\n结尾。\n";
        manifest += &format!("\n[[article]]\nsource = \"{k:02}.md\"\n");
        files.push((format!("{k:02}.md"), md));
    }
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, m)| (n.as_str(), m.as_bytes()))
        .collect();
    let dir = project("code-pages", &manifest, &files);
    booklet_ok(&["build", "--format", "pdf"], &dir, &[]);
    let Some(lines) = words(&dir.join("out/booklet.pdf")) else {
        return;
    };
    let mut pages: BTreeMap<String, BTreeMap<usize, usize>> = BTreeMap::new();
    for ((page, _), words) in &lines {
        let Some(name) = words[0].text.rsplit_once('_').map(|(b, _)| b.to_string()) else {
            continue;
        };
        if name.starts_with("short_") || name.starts_with("long_") {
            *pages.entry(name).or_default().entry(*page).or_default() += 1;
        }
    }
    assert_eq!(pages.len(), 60, "{pages:?}");
    let mut split = 0;
    for (block, on) in &pages {
        if block.starts_with("short_") {
            assert_eq!(on.len(), 1, "{block} is split: {on:?}");
        } else {
            assert!(
                on.values().all(|&n| n >= 2),
                "{block} leaves a line alone: {on:?}"
            );
            split += usize::from(on.len() > 1);
        }
    }
    assert!(
        split > 0,
        "no long block met a page end: the test tests nothing"
    );
}

/// The EPUB: valid, the monospace subset embedded and declared, and in a
/// browser with no font but the EPUB's own, code's letters take half an
/// em (the subset with its size-adjust) and two of them the width of one
/// ideograph.
#[test]
fn the_epub_sets_code_in_its_own_monospace_subset() {
    let dir = fixture("code-epub");
    booklet_ok(&["build", "--format", "epub"], &dir, &[]);
    let epub = dir.join("out/booklet.epub");
    if let Some((fatal, errors, warnings, text)) = epubcheck(&epub) {
        assert_eq!((fatal, errors, warnings), (0, 0, 0), "{text}");
    }
    let unpacked = dir.join("unpacked");
    unzip_into(&epub, &unpacked);
    let font = unpacked.join("OEBPS/fonts/mono-regular.ttf");
    assert!(font.is_file(), "no monospace subset in the EPUB");
    let css = std::fs::read_to_string(unpacked.join("OEBPS/stylesheet.css")).unwrap();
    assert!(css.contains("font-family: \"Booklet mono\""), "{css}");
    assert!(css.contains("size-adjust: 83.333%"), "{css}");
    let chapter = std::fs::read_to_string(unpacked.join("OEBPS/a01.xhtml")).unwrap();
    // Tabs reach the reader expanded, as the PDF prints them.
    let source = std::fs::read_to_string(dir.join("sources/01.md")).unwrap();
    let expanded = &code_blocks(&source)[1][1];
    assert!(expanded.starts_with("    let 名字"), "{expanded}");
    let escaped = expanded.replace('"', "&quot;");
    // Highlighted tokens are in spans of their own (tests/highlight.rs).
    let text = without_highlighting(&chapter);
    assert!(
        text.contains(expanded.as_str()) || text.contains(&escaped),
        "`{expanded}` is not in the chapter:\n{chapter}"
    );

    if !have(
        "chromium",
        Command::new(CHROMIUM)
            .arg("--version")
            .stderr(Stdio::null()),
    ) {
        return;
    }
    let page = unpacked.join("OEBPS/measure.xhtml");
    std::fs::write(&page, MEASURE).unwrap();
    let m = measure_in_chromium(&dir, &page);
    eprintln!("measured: {m}");
    let fonts = m["fonts"].as_array().unwrap();
    assert!(
        fonts.iter().any(|f| f == "Booklet mono loaded"),
        "the monospace subset did not load: {fonts:?}"
    );
    let em = |id: &str| m[id].as_f64().unwrap();
    // Nine letters take nine columns, two ideographs four: a Latin face of
    // the machine (DejaVu, Liberation Mono: 0.6 em) or the subset without
    // its size-adjust would take 5.4 of the ideographs' half ems. (The
    // browser sets 0.9 em at a whole pixel size: ratios, not ems.)
    let ratio = em("latin") / em("han");
    assert!(
        (ratio - 9.0 / 4.0).abs() < 0.01,
        "9 letters of code are {ratio} × the width of 2 ideographs, not 9/4"
    );
    assert!(
        (em("han") - 2.0).abs() < 0.1,
        "2 ideographs of code are {} em",
        em("han")
    );
    assert!(
        (em("inline") - 2.5).abs() < 0.02,
        "inline `cargo` is {} em",
        em("inline")
    );
}

/// Code as the EPUB has it, measured in ems of its own size.
const MEASURE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="zh-Hans" xml:lang="zh-Hans">
<head><meta charset="utf-8"/><title>measure</title>
<link rel="stylesheet" type="text/css" href="stylesheet.css"/>
</head>
<body class="hans">
<pre><code><span id="latin">ownership</span>
<span id="han">中文</span></code></pre>
<p>用 <code id="inline">cargo</code> 编译</p>
<pre id="result"></pre>
<script><![CDATA[
document.fonts.ready.then(function () {
  var out = { fonts: [] };
  document.fonts.forEach(function (f) { out.fonts.push(f.family + ' ' + f.status); });
  ['latin', 'han', 'inline'].forEach(function (id) {
    var e = document.getElementById(id);
    out[id] = e.getBoundingClientRect().width / parseFloat(getComputedStyle(e).fontSize);
  });
  document.getElementById('result').textContent = JSON.stringify(out);
});
]]></script>
</body>
</html>
"#;
