//! Pages of a real PDF, read back with pdftotext's boxes: a footnote
//! longer than a page goes on over the next pages, and no line of it is
//! drawn over the body or off the page.

mod common;

use common::*;

/// Line boxes per page: (page width, page height, [(x0, y0, x1, y1, text)]).
type Lines = Vec<(f32, f32, f32, f32, String)>;

fn attr(tag: &str, name: &str) -> f32 {
    let tag = format!(" {tag}");
    let start = tag.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
    tag[start..].split('"').next().unwrap().parse().unwrap()
}

fn pages(xml: &str) -> Vec<(f32, f32, Lines)> {
    let mut out = Vec::new();
    for page in xml.split("<page ").skip(1) {
        let head = page.split('>').next().unwrap();
        let (w, h) = (attr(head, "width"), attr(head, "height"));
        let mut lines = Vec::new();
        for line in page.split("<line ").skip(1) {
            let head = line.split('>').next().unwrap();
            let body = line.split("</line>").next().unwrap();
            let text: String = body
                .split("<word")
                .skip(1)
                .filter_map(|w| w.split('>').nth(1)?.split('<').next())
                .collect();
            lines.push((
                attr(head, "xMin"),
                attr(head, "yMin"),
                attr(head, "xMax"),
                attr(head, "yMax"),
                text,
            ));
        }
        out.push((w, h, lines));
    }
    out
}

#[test]
fn a_footnote_longer_than_the_page_goes_on_over_the_next_pages() {
    let mut article = String::from("---\ntitle: 长注\n---\n\n");
    for i in 0..12 {
        article += &format!("正文第{i}段，这一段讲述一件事情的经过和道理。");
        if i == 1 {
            article += "[^long]";
        }
        article += "\n\n";
    }
    // About 3,300 characters of note: several pages of footnote lines.
    article += "[^long]: 注释开始。";
    for i in 0..150 {
        article += &format!("注文第{i}句，说明出处与背景，并补充若干细节。");
    }
    article += "注释完毕。\n";
    let manifest = "[book]\ntitle = \"长注\"\n\n[[article]]\nsource = \"a.md\"\n";
    let dir = project(
        "pagination-long-note",
        manifest,
        &[("a.md", article.as_bytes())],
    );
    booklet_ok(&["build", "--format", "pdf"], &dir, &[]);
    let pdf = dir.join("out/booklet.pdf");
    let Some(xml) = tool(
        "pdftotext",
        &["-bbox-layout", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"],
    ) else {
        println!("SKIPPED: pdftotext is not installed");
        return;
    };
    let pages = pages(&xml);
    let all: String = pages
        .iter()
        .flat_map(|(_, _, l)| l.iter().map(|l| l.4.as_str()))
        .collect();
    assert!(all.contains("注释开始"), "the note's start is missing");
    assert!(all.contains("注释完毕"), "the note's end is missing");
    for i in 0..150 {
        assert!(
            all.contains(&format!("注文第{i}句")),
            "note sentence {i} is missing"
        );
    }
    for i in 0..12 {
        assert!(
            all.contains(&format!("正文第{i}段")),
            "paragraph {i} is missing"
        );
    }
    let start = pages
        .iter()
        .position(|(_, _, l)| l.iter().any(|l| l.4.contains("注释开始")))
        .unwrap();
    let end = pages
        .iter()
        .position(|(_, _, l)| l.iter().any(|l| l.4.contains("注释完毕")))
        .unwrap();
    assert!(
        end >= start + 2,
        "the note should span pages {start}..{end}"
    );
    for (n, (w, h, lines)) in pages.iter().enumerate() {
        for (i, a) in lines.iter().enumerate() {
            assert!(
                a.0 >= 0.0 && a.1 >= 0.0 && a.2 <= *w && a.3 <= *h,
                "page {n}: `{}` leaves the page",
                a.4
            );
            for b in &lines[i + 1..] {
                let across = a.0 < b.2 - 0.5 && b.0 < a.2 - 0.5;
                let down = a.1 < b.3 - 0.5 && b.1 < a.3 - 0.5;
                assert!(
                    !(across && down),
                    "page {n}: `{}` is drawn over `{}`",
                    a.4,
                    b.4
                );
            }
        }
    }
}
