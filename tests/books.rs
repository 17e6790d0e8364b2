//! Leftovers of real books on a small mdBook of our own
//! (tests/fixtures/books): pictures in table cells, the SUMMARY's part
//! titles, the continuation mark of a wrapped code line in the EPUB, bold
//! runs falling back to a bold face, TOML highlighted. The PDF is read back
//! with qpdf (where each picture and rule is drawn), pdftotext (where the
//! words are) and pdffonts; the EPUB by both EPUBChecks and its markup.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;

/// The fixture's A5 page height: pdftotext and the checks below measure
/// from the top.
const PAGE_H: f64 = 595.276;

/// The fixture built once for every test here, and its EPUB's entries.
struct Built {
    dir: PathBuf,
    epub: BTreeMap<String, String>,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = scratch("books");
        copy_tree(&repo().join("tests/fixtures/books"), &dir);
        booklet_ok(&["build"], &dir, &[]);
        let epub = unzip(&dir.join("out/booklet.epub"))
            .into_iter()
            .map(|(n, b)| (n, String::from_utf8_lossy(&b).into_owned()))
            .collect();
        Built { dir, epub }
    })
}

impl Built {
    fn pdf(&self) -> PathBuf {
        self.dir.join("out/booklet.pdf")
    }

    /// The EPUB document whose article title is `title`.
    fn doc(&self, title: &str) -> &str {
        self.epub
            .iter()
            .find(|(n, t)| n.ends_with(".xhtml") && t.contains(&format!("\">{title}</h1>")))
            .map(|(_, t)| t.as_str())
            .unwrap_or_else(|| panic!("no document titled {title}"))
    }
}

/// A picture or a rule drawn on a page, in points, y from the page's top.
#[derive(Debug, Clone, Copy)]
struct Box2 {
    page: usize,
    x0: f64,
    x1: f64,
    top: f64,
    bottom: f64,
}

/// The pictures (`q w 0 0 h x y cm /Name Do Q`) and the horizontal rules
/// (filled rectangles a few points high) of every page, from the content
/// streams as qpdf writes them uncompressed.
fn drawn(pdf: &Path, dir: &Path) -> Option<(Vec<Box2>, Vec<Box2>)> {
    let nums = |l: &str| -> Vec<f64> {
        l.split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect()
    };
    let (mut pictures, mut rules) = (Vec::new(), Vec::new());
    for (page, body) in page_streams(pdf, dir)? {
        let lines: Vec<&str> = body.lines().collect();
        for line in &lines {
            if let Some(m) = line
                .strip_prefix("q ")
                .and_then(|l| l.split(" cm /").next())
            {
                let n = nums(m);
                if line.ends_with(" Do Q") && n.len() == 6 {
                    pictures.push(Box2 {
                        page: page - 1,
                        x0: n[4],
                        x1: n[4] + n[0],
                        top: PAGE_H - n[5] - n[3],
                        bottom: PAGE_H - n[5],
                    });
                }
            }
        }
        for w in lines.windows(6) {
            if !(w[0].ends_with(" m") && w[1].ends_with(" l") && w[4] == "h" && w[5] == "f") {
                continue;
            }
            let (a, b, c) = (nums(w[0]), nums(w[1]), nums(w[2]));
            if a.len() == 2 && b.len() == 2 && c.len() == 2 && c[1] - a[1] < 3.0 {
                rules.push(Box2 {
                    page: page - 1,
                    x0: a[0],
                    x1: b[0],
                    top: PAGE_H - c[1],
                    bottom: PAGE_H - a[1],
                });
            }
        }
    }
    Some((pictures, rules))
}

/// Words as pdftotext -bbox reads them: (page, text, x_min, y_min).
fn words(pdf: &Path) -> Option<Vec<(usize, String, f64, f64)>> {
    let xml = tool(
        "pdftotext",
        &["-bbox", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"],
    )?;
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
    };
    let mut all = Vec::new();
    for (page, body) in xml.split("<page ").skip(1).enumerate() {
        for word in body.split("<word ").skip(1) {
            let (tag, rest) = word.split_once('>').unwrap();
            let tag = format!(" {tag}");
            let text = rest.split_once("</word>").unwrap().0.to_string();
            all.push((page, text, attr(&tag, "xMin"), attr(&tag, "yMin")));
        }
    }
    Some(all)
}

#[test]
fn the_book_is_valid() {
    let b = built();
    if let Some((fatals, errors, warnings, report)) = epubcheck(&b.dir.join("out/booklet.epub")) {
        assert_eq!((fatals, errors, warnings), (0, 0, 0), "{report}");
    }
    if let Some(out) = tool("qpdf", &["--check", b.pdf().to_str().unwrap()]) {
        assert!(out.contains("No syntax or stream encoding errors"), "{out}");
        assert!(!out.contains("WARNING"), "{out}");
    }
}

#[test]
fn pictures_in_table_cells_are_shown_in_both_outputs() {
    let b = built();
    // EPUB: each picture an <img> in its cell, with its description; the
    // picture in a cell with text stands above it.
    let doc = b.doc("表格里的图");
    for alt in ["红色方框里的蓝色圆", "蓝底红方块"] {
        let at = doc
            .find(&format!("alt=\"{alt}\""))
            .unwrap_or_else(|| panic!("no picture {alt}:\n{doc}"));
        let cell = &doc[doc[..at].rfind('<').unwrap()..];
        let open = doc[..at].rfind("<td").unwrap();
        assert!(
            !doc[open..at].contains("</td>"),
            "{alt} is not in a cell: {cell}"
        );
        let src = doc[..at].rsplit("src=\"").next().unwrap();
        let src = &src[..src.find('"').unwrap()];
        assert!(
            b.epub.contains_key(&format!("OEBPS/{src}")),
            "{src} is not in the EPUB"
        );
    }
    let more = b.doc("表格的小节");
    assert!(
        more.contains("alt=\"方块图标\"/><br/>图标</td>"),
        "picture and text of one cell:\n{more}"
    );
    assert!(b.epub["OEBPS/stylesheet.css"].contains("td img"));

    // PDF: three placements, each inside its table's rules and its column,
    // the wide one scaled down to its column, beside (not over) the text.
    let Some((pictures, rules)) = drawn(&b.pdf(), &b.dir) else {
        return;
    };
    assert_eq!(pictures.len(), 3, "{pictures:?}");
    for p in &pictures {
        let on_page: Vec<&Box2> = rules.iter().filter(|r| r.page == p.page).collect();
        let above = on_page.iter().filter(|r| r.bottom <= p.top + 0.01).count();
        let below = on_page.iter().filter(|r| r.top >= p.bottom - 0.01).count();
        let table = on_page
            .iter()
            .find(|r| r.x1 - r.x0 > 100.0)
            .expect("a table rule");
        assert!(
            above >= 2 && below >= 1,
            "picture {p:?} not between the table's rules {on_page:?}"
        );
        assert!(
            p.x0 >= table.x0 && p.x1 <= table.x1,
            "picture {p:?} outside the table {table:?}"
        );
    }
    let wide = pictures
        .iter()
        .find(|p| p.x1 - p.x0 > 60.0)
        .expect("the wide picture");
    // 600 px at 150 dpi would be 288 pt: it was shrunk to its column.
    assert!(wide.x1 - wide.x0 < 288.0 * 0.9, "{wide:?}");
    let ratio = (wide.x1 - wide.x0) / (wide.bottom - wide.top);
    assert!((ratio - 3.0).abs() < 0.05, "aspect lost: {wide:?}");
    if let Some(words) = words(&b.pdf()) {
        let text = words
            .iter()
            .find(|(page, w, _, _)| *page == wide.page && w.starts_with("宽图"))
            .expect("the wide picture's text");
        assert!(
            text.2 >= wide.x1,
            "text {text:?} overlaps the picture {wide:?}"
        );
        // The row after the picture's starts below it.
        let next = words
            .iter()
            .find(|(page, w, _, _)| *page == wide.page && w.starts_with("小图"))
            .unwrap();
        assert!(next.3 >= wide.bottom, "{next:?} over {wide:?}");
    }
}

#[test]
fn summary_parts_head_their_chapters_in_both_outputs() {
    let b = built();
    // EPUB nav: each entry's nesting, counted in open lists.
    let nav = &b.epub["OEBPS/nav.xhtml"];
    let toc = &nav[..nav.find("</nav>").unwrap()];
    let depth_of = |title: &str| -> usize {
        let at = toc
            .find(&format!(">{title}</a>"))
            .unwrap_or_else(|| panic!("nav lacks {title}:\n{toc}"));
        toc[..at].matches("<ol").count() - toc[..at].matches("</ol>").count()
    };
    let expected = [
        ("序言", 1),
        ("第一部分　表格", 1),
        ("表格里的图", 2),
        ("表格的小节", 3),
        ("第二部分　代码", 1),
        ("代码", 2),
        ("后记", 1),
    ];
    for (title, depth) in expected {
        assert_eq!(depth_of(title), depth, "{title} in\n{toc}");
    }
    let part = b.doc("第一部分　表格");
    assert!(
        part.contains("epub:type=\"part\" role=\"doc-part\""),
        "{part}"
    );
    assert!(
        !part.contains("<p"),
        "a part's divider holds its title only:\n{part}"
    );

    // PDF: a divider page with the part's title alone, the contents
    // stepping in under each part, the outline nesting as the nav.
    let Some(words) = words(&b.pdf()) else {
        return;
    };
    let page_of = |w: &str| words.iter().find(|(_, t, _, _)| t == w).map(|x| x.0);
    let divider = words
        .iter()
        .filter(|(_, t, _, _)| t == "第一部分")
        .map(|w| w.0)
        .max()
        .expect("no part title in the PDF");
    let on_divider: Vec<&str> = words
        .iter()
        .filter(|w| w.0 == divider)
        .map(|w| w.1.as_str())
        .collect();
    assert!(
        on_divider.len() <= 3 && on_divider.contains(&"表格"),
        "{on_divider:?}"
    );
    let contents = page_of("目录").expect("the contents page");
    let x_in_contents = |title: &str| {
        words
            .iter()
            .find(|w| w.0 == contents && w.1 == title)
            .unwrap_or_else(|| panic!("contents lack {title}"))
            .2
    };
    let part_x = x_in_contents("第一部分");
    assert!((x_in_contents("序言") - part_x).abs() < 1.0);
    assert!((x_in_contents("后记") - part_x).abs() < 1.0);
    assert!(x_in_contents("表格里的图") > part_x + 5.0);
    assert!(x_in_contents("表格的小节") > x_in_contents("表格里的图") + 5.0);
    if let Some(json) = tool(
        "qpdf",
        &["--json", "--json-key=outlines", b.pdf().to_str().unwrap()],
    ) {
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        let top: Vec<&str> = json["outlines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["title"].as_str().unwrap())
            .collect();
        assert!(
            top.contains(&"第一部分　表格") && top.contains(&"后记"),
            "{top:?}"
        );
        assert!(!top.contains(&"表格里的图"), "{top:?}");
    }
}

/// The EPUB's code lines: each source line a `span.cl`, its text the
/// source's; the stylesheet hangs what a reader wraps and marks it with
/// the PDF's continuation mark, which the body subset carries. In a
/// browser with no font but the EPUB's own, at a width where the long Rust
/// line wraps and the TOML does not, the marks stand on the wrapped rows
/// alone, one on each row after the first, and the rows they mark hang
/// in.
#[test]
fn wrapped_code_lines_carry_the_continuation_mark_in_the_epub() {
    let b = built();
    let doc = b.doc("代码");
    let source = std::fs::read_to_string(b.dir.join("src/code.md")).unwrap();
    let fences: Vec<Vec<&str>> = source
        .split("```")
        .skip(1)
        .step_by(2)
        .map(|f| f.lines().skip(1).collect())
        .collect();
    let blocks: Vec<&str> = doc
        .split("<pre><code>")
        .skip(1)
        .map(|p| &p[..p.find("</code></pre>").unwrap()])
        .collect();
    assert_eq!(blocks.len(), fences.len(), "{doc}");
    for (block, lines) in blocks.iter().zip(&fences) {
        let marked: Vec<String> = block
            .split("<span class=\"cl\">")
            .skip(1)
            .map(|l| {
                visible_text(l)
                    .trim_end_matches('\n')
                    .replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&")
            })
            .collect();
        assert_eq!(&marked, lines, "code lines in\n{block}");
        // Read without the stylesheet, the lines still break where the
        // source's do.
        assert_eq!(
            visible_text(block).matches('\n').count(),
            lines.len() - 1,
            "{block}"
        );
    }
    let css = &b.epub["OEBPS/stylesheet.css"];
    let rule = |selector: &str| -> &str {
        let at = css
            .find(&format!("\n{selector} {{"))
            .unwrap_or_else(|| panic!("no `{selector}` rule:\n{css}"));
        let rule = &css[at + 1..];
        &rule[..rule.find('}').unwrap()]
    };
    assert!(rule("pre span.cl").contains("text-indent: -1.5em"), "{css}");
    let after = rule("pre span.cl::after");
    assert!(
        after.contains("content: \"→\\A→") && after.contains("overflow: hidden"),
        "{after}"
    );
    // The mark is drawn from the book's own body face.
    let subset = &unzip(&b.dir.join("out/booklet.epub"))["OEBPS/fonts/hans-regular.otf"];
    let face = ttf_parser::Face::parse(subset, 0).unwrap();
    assert!(
        face.glyph_index('→').is_some_and(|g| g.0 != 0),
        "the body subset lacks the continuation mark"
    );

    if !have(
        "chromium",
        std::process::Command::new(CHROMIUM)
            .arg("--version")
            .stderr(std::process::Stdio::null()),
    ) {
        return;
    }
    let dir = scratch("books-code-lines");
    unzip_into(&b.dir.join("out/booklet.epub"), &dir);
    let name = b
        .epub
        .iter()
        .find(|(_, t)| t.as_str() == doc)
        .map(|(n, _)| n.clone())
        .unwrap();
    let page = dir.join(&name).with_file_name("measure.xhtml");
    let measured = doc
        .replace(
            "</head>",
            "<style type=\"text/css\">body { width: 26em; }</style>\n</head>",
        )
        .replace("</body>", &format!("{MEASURE_LINES}</body>"));
    std::fs::write(&page, measured).unwrap();
    let m = measure_in_chromium(&dir, &page);
    eprintln!("measured: {m}");
    let fonts = m["fonts"].as_array().unwrap();
    assert!(
        fonts
            .iter()
            .all(|f| f.as_str().unwrap().ends_with("loaded")),
        "the EPUB's fonts did not all load: {fonts:?}"
    );
    let lines = m["lines"].as_array().unwrap();
    assert_eq!(
        lines.len(),
        fences.iter().map(Vec::len).sum::<usize>(),
        "{m}"
    );
    let mut wrapped = 0;
    for (n, line) in lines.iter().enumerate() {
        let f = |k: &str| line[k].as_f64().unwrap();
        let rows: Vec<f64> = line["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_f64().unwrap())
            .collect();
        let (lh, em) = (f("lineHeight"), f("em"));
        // A blank line keeps its height; every line is whole rows.
        assert!(
            (f("height") - lh * rows.len().max(1) as f64).abs() < 1.0,
            "line {n}: {line}"
        );
        // Marks shown: the rows of the mark column left visible.
        let marks = (f("marksHeight") / lh + 0.25).floor() as usize;
        assert_eq!(
            marks,
            rows.len().saturating_sub(1),
            "line {n} has {} rows and {marks} marks: {line}",
            rows.len()
        );
        for (i, middle) in rows.iter().enumerate().skip(1) {
            let mark = f("marksTop") + (i as f64 - 0.5) * lh;
            assert!(
                (mark - middle).abs() < 0.25 * lh,
                "line {n}: mark {i} centred at {mark} px, its row at {middle}: {line}"
            );
            let left = line["lefts"][i].as_f64().unwrap();
            assert!(
                (left - line["lefts"][0].as_f64().unwrap() - 1.5 * em).abs() < 1.0,
                "line {n}: row {i} does not hang in 1.5 em: {line}"
            );
        }
        if rows.len() > 1 {
            wrapped += 1;
        }
    }
    assert_eq!(wrapped, 1, "only the long Rust line wraps at 26 em: {m}");
    let rust_rows = lines[0]["rows"].as_array().unwrap().len();
    assert!(rust_rows >= 3, "the Rust line takes {rust_rows} rows: {m}");
}

/// Each code line's rows (the middle of each row's first piece of text,
/// from the line's top), where each row starts, and the box of its column of marks (`::after`), in px.
const MEASURE_LINES: &str = r#"<pre id="result"></pre>
<script><![CDATA[
document.fonts.ready.then(function () {
  var out = { fonts: [], lines: [] };
  document.fonts.forEach(function (f) { out.fonts.push(f.family + ' ' + f.status); });
  document.querySelectorAll('pre span.cl').forEach(function (line) {
    var box = line.getBoundingClientRect();
    var style = getComputedStyle(line);
    var after = getComputedStyle(line, '::after');
    var lh = parseFloat(style.lineHeight);
    var range = document.createRange();
    range.selectNodeContents(line);
    var rects = Array.prototype.slice.call(range.getClientRects())
      .filter(function (r) { return r.width > 0; })
      .sort(function (a, b) { return a.top - b.top || a.left - b.left; });
    var rows = [], lefts = [];
    rects.forEach(function (r) {
      var mid = (r.top + r.bottom) / 2 - box.top;
      var row = Math.floor(mid / lh);
      if (rows.length === 0 || row > rows[rows.length - 1].row) {
        rows.push({ row: row, middle: mid });
        lefts.push(r.left - box.left);
      } else {
        lefts[lefts.length - 1] = Math.min(lefts[lefts.length - 1], r.left - box.left);
      }
    });
    out.lines.push({
      height: box.height,
      lineHeight: lh,
      em: parseFloat(style.fontSize),
      rows: rows.map(function (r) { return r.middle; }),
      lefts: lefts,
      marksTop: parseFloat(after.top),
      marksHeight: after.overflow === 'hidden' ? parseFloat(after.height) : 1e9,
    });
  });
  document.getElementById('result').textContent = JSON.stringify(out);
});
]]></script>
"#;

/// The fonts of a PDF as pdffonts lists them, without their subset tags.
fn font_names(pdf: &Path) -> Option<Vec<String>> {
    let list = tool("pdffonts", &[pdf.to_str().unwrap()])?;
    Some(
        list.lines()
            .skip(2)
            .filter_map(|l| l.split_whitespace().next())
            .map(|n| n.split_once('+').map_or(n, |(_, name)| name).to_string())
            .collect(),
    )
}

/// A family named under `[fonts] fallback` draws bold text in its bold.
#[test]
fn a_configured_fallback_family_draws_bold_text_in_its_bold() {
    let dir = project(
        "books-configured-fallback",
        "[book]\ntitle = \"备用字体\"\nlanguage = \"zh-Hans\"\ndate = \"2024-01-01\"\n\n[fonts]\nfallback = [\"DejaVu Sans\"]\n\n[[article]]\nsource = \"a.md\"\n",
        &[(
            "a.md",
            "# 棋\n\n正文的马♞，**粗体的车♜**。\n".as_bytes(),
        )],
    );
    booklet_ok(&["build", "--format", "pdf"], &dir, &[]);
    let Some(names) = font_names(&dir.join("out/booklet.pdf")) else {
        return;
    };
    let mut fallbacks: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !n.starts_with("Noto"))
        .collect();
    fallbacks.sort();
    assert_eq!(
        fallbacks,
        ["DejaVuSans", "DejaVuSans-Bold"],
        "apt-get install fonts-dejavu-core: {names:?}"
    );
}

/// A character the CJK faces lack falls back to a face at the weight of
/// its text: the chess pieces of a bold run in the bold of the family the
/// regular text's pieces are in (pdffonts lists both; MuPDF says which
/// face draws each piece), never one face for both weights.
#[test]
fn fallback_faces_keep_the_weight_of_their_text() {
    let b = built();
    let pdf = b.pdf();
    let Some(names) = font_names(&pdf) else {
        return;
    };
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let family = |name: &str| name.split('-').next().unwrap().to_string();
    let fallbacks: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !n.starts_with("Noto"))
        .collect();
    let bold: Vec<&str> = fallbacks
        .iter()
        .copied()
        .filter(|n| n.contains("Bold"))
        .collect();
    assert!(
        bold.iter().any(|b| fallbacks
            .iter()
            .any(|r| !r.contains("Bold") && family(r) == family(b))),
        "no fallback family in both weights: {names:?}"
    );

    if !have("mutool", std::process::Command::new("mutool").arg("-v")) {
        return;
    }
    let stext = b.dir.join("pages.stext");
    tool(
        "mutool",
        &[
            "draw",
            "-q",
            "-F",
            "stext",
            "-o",
            stext.to_str().unwrap(),
            pdf.to_str().unwrap(),
        ],
    )
    .expect("mutool draw");
    let stext = std::fs::read_to_string(&stext).unwrap();
    // Every drawn character with the face that draws it, in order.
    let mut drawn: Vec<(char, String)> = Vec::new();
    let mut face = String::new();
    for tag in stext.split('<').skip(1) {
        if let Some(rest) = tag.strip_prefix("font name=\"") {
            face = rest[..rest.find('"').unwrap()].to_string();
        } else if tag.starts_with("char ") {
            let c = tag.split(" c=\"").nth(1).unwrap();
            let c = &c[..c.find('"').unwrap()];
            let c = match c.strip_prefix("&#x") {
                Some(hex) => {
                    char::from_u32(u32::from_str_radix(hex.trim_end_matches(';'), 16).unwrap())
                        .unwrap()
                }
                None => c.chars().next().unwrap_or(' '),
            };
            drawn.push((c, face.clone()));
        }
    }
    let mut pieces = Vec::new();
    for (i, (c, face)) in drawn.iter().enumerate() {
        if *c == '♞' || *c == '♜' {
            // The ideograph before it says the run's weight.
            let run = &drawn[i - 1].1;
            assert!(run.contains("NotoSerifCJK"), "{c} after {run}");
            assert_eq!(
                face.contains("Bold"),
                run.contains("Bold"),
                "{c} of a run in {run} drawn in {face}"
            );
            assert!(!face.contains("NotoSerifCJK"), "{c} in {face}");
            pieces.push(face.clone());
        }
    }
    assert_eq!(pieces.len(), 4, "{pieces:?}");
    let families: std::collections::BTreeSet<String> = pieces
        .iter()
        .map(|f| family(f.split_once('+').map_or(f, |(_, n)| n)))
        .collect();
    assert_eq!(families.len(), 1, "one fallback family: {pieces:?}");
}
