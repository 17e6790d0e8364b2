//! Tables as a Chinese publisher sets them (tests/fixtures/tables): a wide
//! Chinese table whose columns share the measure by their content, a
//! narrow numeric one aligned right and centred, one long enough to go
//! over pages, one with a URL and code longer than any column. The PDF is
//! read back with pdftotext -bbox (where each cell's words are) and qpdf
//! (the rules each page draws, the structure tree); the EPUB is checked by
//! both EPUBChecks and read for its markup and CSS.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The fixture's A5 page height: pdftotext measures from the top.
const PAGE_H: f64 = 595.276;

fn fixture(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_tree(&repo().join("tests/fixtures/tables"), &dir);
    dir
}

/// A word as pdftotext -bbox reads it; y from the top of the page.
#[derive(Debug, Clone)]
struct Word {
    page: usize,
    text: String,
    x_min: f64,
    x_max: f64,
    y_min: f64,
    y_max: f64,
}

fn attr(tag: &str, name: &str) -> f64 {
    let at = tag.find(&format!(" {name}=\"")).expect("attribute") + name.len() + 3;
    tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
}

fn words(pdf: &Path) -> Option<Vec<Word>> {
    let xml = tool(
        "pdftotext",
        &["-bbox", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"],
    )?;
    let mut all = Vec::new();
    for (page, body) in xml.split("<page ").skip(1).enumerate() {
        for word in body.split("<word ").skip(1) {
            let (tag, rest) = word.split_once('>').unwrap();
            let tag = format!(" {tag}");
            let text = rest.split_once("</word>").unwrap().0;
            all.push(Word {
                page,
                text: text.replace("&amp;", "&"),
                x_min: attr(&tag, "xMin"),
                x_max: attr(&tag, "xMax"),
                y_min: attr(&tag, "yMin"),
                y_max: attr(&tag, "yMax"),
            });
        }
    }
    Some(all)
}

/// A horizontal rule drawn on a page: a filled rectangle at most a few
/// points high (how the PDF writer draws every rule).
#[derive(Debug, Clone, Copy)]
struct Rule {
    page: usize,
    /// Its middle, from the top of the page.
    y: f64,
    weight: f64,
    x0: f64,
    x1: f64,
}

/// Every horizontal rule of every page, read from the page's content
/// stream as qpdf writes it uncompressed (QDF).
fn rules(pdf: &Path, dir: &Path) -> Option<Vec<Rule>> {
    let mut out = Vec::new();
    for (page, body) in page_streams(pdf, dir)? {
        let lines: Vec<&str> = body.lines().collect();
        for w in lines.windows(6) {
            let nums = |l: &str| -> Vec<f64> {
                l.split_whitespace()
                    .filter_map(|n| n.parse().ok())
                    .collect()
            };
            if !(w[0].ends_with(" m") && w[1].ends_with(" l") && w[4] == "h" && w[5] == "f") {
                continue;
            }
            let (a, b, c) = (nums(w[0]), nums(w[1]), nums(w[2]));
            if a.len() != 2 || b.len() != 2 || c.len() != 2 {
                continue;
            }
            let weight = c[1] - a[1];
            if weight > 0.0 && weight < 3.0 && b[0] - a[0] > 20.0 {
                out.push(Rule {
                    page: page - 1,
                    y: PAGE_H - (a[1] + c[1]) / 2.0,
                    weight: (weight * 100.0).round() / 100.0,
                    x0: a[0],
                    x1: b[0],
                });
            }
        }
    }
    Some(out)
}

/// The running head's rule is 0.4 pt; a table's are its own.
fn table_rules(rules: &[Rule], page: usize) -> Vec<Rule> {
    let mut r: Vec<Rule> = rules
        .iter()
        .filter(|r| r.page == page && (r.weight - 0.4).abs() > 0.01)
        .copied()
        .collect();
    r.sort_by(|a, b| a.y.total_cmp(&b.y));
    r
}

fn find<'a>(words: &'a [Word], text: &str) -> &'a Word {
    words
        .iter()
        .find(|w| w.text == text)
        .unwrap_or_else(|| panic!("no word `{text}` in the PDF"))
}

fn close(a: f64, b: f64, within: f64) -> bool {
    (a - b).abs() <= within
}

/// The text block's inline extent on each kind of page, from the running
/// heads' rules, which span it: (recto's, verso's).
fn text_blocks(rules: &[Rule]) -> ((f64, f64), (f64, f64)) {
    let head = |recto: bool| {
        rules
            .iter()
            .find(|r| (r.weight - 0.4).abs() < 0.01 && r.page.is_multiple_of(2) == recto)
            .map(|r| (r.x0, r.x1))
            .expect("a running head's rule")
    };
    (head(true), head(false))
}

#[test]
fn tables_are_three_line_tables_sized_by_content_in_both_outputs() {
    let dir = fixture("tables-three-line");
    let r = build(&dir, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pdf = dir.join("out/booklet.pdf");
    let (Some(words), Some(rules)) = (words(&pdf), rules(&pdf, &dir)) else {
        return;
    };
    let ((recto_l, recto_r), (verso_l, verso_r)) = text_blocks(&rules);
    let block = |page: usize| {
        if page.is_multiple_of(2) {
            (recto_l, recto_r)
        } else {
            (verso_l, verso_r)
        }
    };

    // No cell leaves the text block, not even the URL or the code.
    let mut checked = 0;
    for w in &words {
        let t = table_rules(&rules, w.page);
        let (Some(top), Some(bottom)) = (t.first(), t.last()) else {
            continue;
        };
        if w.y_min < top.y || w.y_max > bottom.y {
            continue;
        }
        checked += 1;
        let (l, r) = block(w.page);
        assert!(
            w.x_min >= l - 0.5 && w.x_max <= r + 0.5,
            "`{}` on page {} runs out of the text block ({:.1}..{:.1} not in {l:.1}..{r:.1})",
            w.text,
            w.page + 1,
            w.x_min,
            w.x_max
        );
    }
    assert!(checked > 300, "{checked} words in tables");

    // The wide table: short cells keep their line, the long column takes
    // the rest and starts at one x in every row.
    for label in [
        "基础设施",
        "科技创新",
        "生态环境",
        "民生保障",
        "人力资源社会保障部",
    ] {
        find(&words, label);
    }
    let wide = find(&words, "主要内容和要求").page;
    let starts: Vec<&Word> = words
        .iter()
        .filter(|w| {
            w.page == wide
                && ["统筹", "加强", "持续", "实施"]
                    .iter()
                    .any(|s| w.text.starts_with(s))
        })
        .collect();
    assert_eq!(starts.len(), 4, "{starts:?}");
    assert!(
        starts.iter().all(|w| close(w.x_min, starts[0].x_min, 0.5)),
        "{starts:?}"
    );
    assert!(find(&words, "人力资源社会保障部").x_max < starts[0].x_min);
    let (l, r) = block(wide);
    let t = table_rules(&rules, wide);
    let weights: Vec<f64> = t.iter().map(|r| r.weight).collect();
    assert_eq!(
        weights,
        [1.0, 0.5, 1.0],
        "三线表: thick, thin, thick: {t:?}"
    );
    assert!(
        t.iter().all(|x| close(x.x0, l, 0.5) && close(x.x1, r, 0.5)),
        "a wide table spans the measure: {t:?}"
    );
    let head = find(&words, "项目");
    let first = find(&words, "基础设施");
    let last = find(&words, "民生保障");
    assert!(
        t[0].y < head.y_min && head.y_max < t[1].y,
        "header between the top rules"
    );
    assert!(
        t[1].y < first.y_min && last.y_max < t[2].y,
        "body between the thin and the bottom rule"
    );

    // The numeric table: right-aligned columns (header too), the table
    // centred and no wider than its content.
    let numbers = ["1,234.5", "1,301.8", "987.0", "12,045.6"];
    let ends: Vec<f64> = numbers.iter().map(|n| find(&words, n).x_max).collect();
    assert!(
        ends.iter().all(|e| close(*e, ends[0], 0.5)),
        "{numbers:?} end at {ends:?}"
    );
    // The closing bracket's blank half hangs past the column (pdftotext
    // counts it): its ink ends where the numbers do.
    let bracket = find(&words, "产量（万吨）").x_max;
    assert!(bracket >= ends[0] - 0.5 && bracket <= ends[0] + 0.5 * 9.45 + 0.5);
    let rates = ["3.2%", "5.5%", "-24.2%", "1120.4%", "增长率"];
    let ends: Vec<f64> = rates.iter().map(|n| find(&words, n).x_max).collect();
    assert!(
        ends.iter().all(|e| close(*e, ends[0], 0.5)),
        "{rates:?} end at {ends:?}"
    );
    let page = find(&words, "1,234.5").page;
    let t = table_rules(&rules, page);
    assert_eq!(
        t.iter().map(|r| r.weight).collect::<Vec<_>>(),
        [1.0, 0.5, 1.0]
    );
    let (l, r) = block(page);
    assert!(
        t[0].x1 - t[0].x0 < (r - l) * 0.7,
        "a narrow table stays narrow"
    );
    assert!(
        close((t[0].x0 + t[0].x1) / 2.0, (l + r) / 2.0, 0.5),
        "and is centred"
    );
    assert!(close(
        t[0].x1 - find(&words, "1120.4%").x_max,
        find(&words, "2019").x_min - t[0].x0,
        0.5
    ));

    // The long table: rows 1..62 once each, in order, over several pages;
    // every page it is on opens its part with the header between a thick
    // and a thin rule and closes it with a thick rule; no part holds fewer
    // than two rows.
    let mut lines: std::collections::BTreeMap<(usize, i64), Vec<&Word>> = Default::default();
    for w in &words {
        lines
            .entry((w.page, w.y_max.round() as i64))
            .or_default()
            .push(w);
    }
    let mut rows: Vec<(usize, u32, f64)> = Vec::new();
    let mut headers: Vec<(usize, f64)> = Vec::new();
    for ((page, _), line) in &lines {
        let mut line = line.clone();
        line.sort_by(|a, b| a.x_min.total_cmp(&b.x_min));
        if line.len() >= 5 && line[0].text == "序号" && line[1].text == "地区" {
            headers.push((*page, line[0].y_max));
        }
        if line.len() >= 5 && line.iter().any(|w| w.text.contains("行的备注")) {
            let n: u32 = line[0].text.parse().expect("a row number first");
            rows.push((*page, n, line[0].y_max));
        }
    }
    assert_eq!(
        rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        (1..=62).collect::<Vec<_>>()
    );
    let pages: Vec<usize> = {
        let mut p: Vec<usize> = rows.iter().map(|r| r.0).collect();
        p.dedup();
        p
    };
    assert!(
        pages.len() >= 2,
        "the long table goes over pages: {pages:?}"
    );
    assert_eq!(
        headers.iter().map(|h| h.0).collect::<Vec<_>>(),
        pages,
        "one header on each page, no more"
    );
    for &page in &pages {
        let here: Vec<&(usize, u32, f64)> = rows.iter().filter(|r| r.0 == page).collect();
        assert!(
            here.len() >= 2,
            "page {}: a part of {} row(s)",
            page + 1,
            here.len()
        );
        let header = headers.iter().find(|h| h.0 == page).unwrap();
        assert!(header.1 < here[0].2, "the header comes first");
        let t = table_rules(&rules, page);
        let t: Vec<&Rule> = t
            .iter()
            .filter(|r| r.y > header.1 - 20.0 && r.y < here.last().unwrap().2 + 20.0)
            .collect();
        assert_eq!(
            t.iter().map(|r| r.weight).collect::<Vec<_>>(),
            [1.0, 0.5, 1.0],
            "page {}: {t:?}",
            page + 1
        );
        assert!(t[0].y < header.1 && header.1 < t[1].y && t[1].y < here[0].2);
        assert!(here.last().unwrap().2 < t[2].y);
    }

    // The URL: broken inside its cell, every character kept, in order.
    let url =
        "https://example.com/a/very/long/path/that/goes/on/and/on/index.html?query=string&and=more";
    let start = words
        .iter()
        .find(|w| w.text.starts_with("https://"))
        .expect("the URL");
    let mut pieces: Vec<&Word> = words
        .iter()
        .filter(|w| {
            w.page == start.page && close(w.x_min, start.x_min, 0.5) && w.y_min >= start.y_min
        })
        .collect();
    pieces.sort_by(|a, b| a.y_min.total_cmp(&b.y_min));
    let joined: String = pieces.iter().map(|w| w.text.as_str()).collect();
    assert!(joined.starts_with(url), "the URL cell reads {joined}");
    assert!(
        pieces
            .iter()
            .take_while(|w| !w.text.starts_with("std::"))
            .count()
            >= 2,
        "the URL is broken"
    );

    // The structure tree: 4 tables, one TH per header cell (the repeated
    // headers are page furniture), one TR per row.
    let qdf = String::from_utf8_lossy(&std::fs::read(dir.join("qdf.pdf")).unwrap()).into_owned();
    let count = |s: &str| {
        qdf.lines()
            .filter(|l| l.trim() == format!("/S /{s}"))
            .count()
    };
    assert_eq!(
        (count("Table"), count("TR"), count("TH"), count("TD")),
        (4, 76, 14, 340)
    );

    // The EPUB: header cells with a scope, the Markdown's alignment, the
    // three-line rules in its CSS.
    let files = unzip(&dir.join("out/booklet.epub"));
    let text = |name: &str| String::from_utf8_lossy(&files[name]).into_owned();
    let a01 = text("OEBPS/a01.xhtml");
    assert_eq!(a01.matches("<thead>").count(), 2);
    assert_eq!(a01.matches("<th scope=\"col\"").count(), 6);
    assert_eq!(a01.matches("<td style=\"text-align:right\">").count(), 8);
    let css = text("OEBPS/stylesheet.css");
    for rule in [
        "border-top: 1pt solid",
        "border-bottom: 1pt solid",
        "thead th { border-bottom: 0.5pt solid; }",
    ] {
        assert!(css.contains(rule), "no `{rule}` in the CSS");
    }
    assert!(
        !css.contains("th, td { border: 1px"),
        "no grid of cell borders"
    );
}

/// The rule weights and the rules between rows are the style's: a style
/// asking for heavier rules and ruled rows gets them.
#[test]
fn a_style_changes_the_rules() {
    let dir = fixture("tables-style");
    let style = default_style_edited(&dir, |style| {
        style
            .replace("thick_rule_pt = 1.0", "thick_rule_pt = 1.5")
            .replace("row_rule_pt = 0.0", "row_rule_pt = 0.25")
    });
    assert!(style.contains("thick_rule_pt = 1.5") && style.contains("row_rule_pt = 0.25"));
    let r = build(&dir, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pdf = dir.join("out/booklet.pdf");
    let (Some(words), Some(rules)) = (words(&pdf), rules(&pdf, &dir)) else {
        return;
    };
    let wide = find(&words, "主要内容和要求").page;
    let weights: Vec<f64> = table_rules(&rules, wide).iter().map(|r| r.weight).collect();
    assert_eq!(weights, [1.5, 0.5, 0.25, 0.25, 0.25, 1.5]);
    let css =
        String::from_utf8_lossy(&unzip(&dir.join("out/booklet.epub"))["OEBPS/stylesheet.css"])
            .into_owned();
    assert!(
        css.contains("border-top: 1.5pt solid")
            && css.contains("tbody tr + tr td { border-top: 0.25pt solid; }")
    );

    // A value out of range is an error at its line.
    let bad = std::fs::read_to_string(dir.join("styles/default.toml"))
        .unwrap()
        .replace("thin_rule_pt = 0.5", "thin_rule_pt = 9");
    std::fs::write(dir.join("styles/default.toml"), bad).unwrap();
    let r = run(&["build"], &dir, &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("thin_rule_pt") && r.stderr.contains("styles/default.toml"),
        "{}",
        r.stderr
    );
}
