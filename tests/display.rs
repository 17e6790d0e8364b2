//! Display text as a reader sees it: the torture booklet of
//! tests/fixtures/display (titles and headings dense with clreq cases)
//! built at the five page sizes of issue 13, its PDF read back with MuPDF
//! (`mutool draw -F stext`, every glyph's position) by
//! tests/scripts/display_lines.py, which finds each display text on the
//! pages and measures where its lines break and how its marks are spaced.

mod common;

use common::{
    booklet_ok, build_at, copy_tree, default_style_edited, epubcheck, have_mutool_python, repo,
    scratch, script_json, unzip, FIVE_SIZES,
};

/// Breaks inside a word on the narrow page (100×160 mm), as measured when
/// this test was written. The target is 0; on the four wider sizes
/// it is met (checked below), but on the narrow page a title of the
/// torture booklet must still break a run of ideographs where its short
/// articles give no evidence of the words. This number may only go down.
const NARROW_WORD_BREAKS_AT_MOST: usize = 4;

fn measure(pdf: &std::path::Path, body: &str) -> serde_json::Value {
    let listing = repo().join("tests/fixtures/display/display.txt");
    script_json(
        "display_lines.py",
        &[pdf.as_os_str(), listing.as_os_str(), body.as_ref()],
    )
}

#[test]
fn display_lines_break_at_phrases_with_full_width_marks_at_five_sizes() {
    if !have_mutool_python() {
        return;
    }
    let mut word_breaks = 0;
    let mut heads = 0;
    let mut report = Vec::new();
    for (name, page, body) in FIVE_SIZES {
        let dir = build_at("display", name, page, body);
        let m = measure(&dir.join("out/booklet.pdf"), body);
        let list = |k: &str| m[k].as_array().cloned().unwrap_or_default();
        assert!(
            list("missing").is_empty(),
            "{name}: display texts not found on the pages: {:?}",
            list("missing")
        );
        assert!(
            m["lines"].as_u64().unwrap() >= 14,
            "{name}: too few display lines: {m}"
        );
        assert!(
            list("squeezed").is_empty(),
            "{name}: punctuation squeezed in display lines: {:?}",
            list("squeezed")
        );
        assert!(
            list("bad_heads").is_empty(),
            "{name}: running heads cut inside a phrase: {:?}",
            list("bad_heads")
        );
        assert!(
            list("hanging").is_empty(),
            "{name}: TOC entries without a hanging indent: {:?}",
            list("hanging")
        );
        let shortest = m["shortest_last"].as_f64().unwrap();
        assert!(
            shortest >= 0.5,
            "{name}: a title's last line is {shortest} of its longest"
        );
        let broken = list("word_breaks");
        let allowed = if name == "narrow" {
            NARROW_WORD_BREAKS_AT_MOST
        } else {
            0
        };
        assert!(
            broken.len() <= allowed,
            "{name}: {} display lines broken inside a word (at most {allowed}): {broken:?}",
            broken.len()
        );
        word_breaks += broken.len();
        heads += m["heads"].as_u64().unwrap();
        report.push(format!("{name}: {broken:?}"));
    }
    eprintln!(
        "display lines broken inside a word: {word_breaks}\n{}",
        report.join("\n")
    );
    // The narrow page shortens running heads: the check above measured some.
    assert!(heads > 0, "no shortened running head was measured");
}

/// The torture booklet in `dir` with the shipped style, `dates` set.
fn with_dates(dir: &std::path::Path, dates: &str) {
    copy_tree(&repo().join("tests/fixtures/display"), dir);
    default_style_edited(dir, |toml| {
        assert!(toml.contains("dates = \"chinese\""));
        toml.replace("dates = \"chinese\"", &format!("dates = \"{dates}\""))
    });
}

#[test]
fn dates_read_the_chinese_way_and_bullets_are_marks_in_both_outputs() {
    for (dates, written, source) in [
        ("chinese", "2022年2月9日", "2022-02-09"),
        ("fullwidth", "２０２２年２月９日", "2022-02-09"),
        ("iso", "2022-02-09", "2022年2月9日"),
    ] {
        let dir = scratch(&format!("display-dates-{dates}"));
        with_dates(&dir, dates);
        booklet_ok(&["build", "-q"], &dir, &[]);
        let files = unzip(&dir.join("out/booklet.epub"));
        let xhtml: String = files
            .iter()
            .filter(|(name, _)| name.ends_with(".xhtml"))
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .collect();
        assert!(
            xhtml.contains(&format!("中国法治　{written}</p>")),
            "{dates}: the EPUB's byline does not read {written}"
        );
        assert!(
            !xhtml.contains(source),
            "{dates}: {source} left in the EPUB"
        );
        let css: String = files
            .iter()
            .filter(|(name, _)| name.ends_with(".css"))
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .collect();
        assert!(css.contains("list-style-type: \"●"), "no bullet in the CSS");
        assert!(
            css.contains(
                "nav#contents li { margin: 0.3em 0; padding-left: 1em; text-indent: -1em; }"
            ),
            "the EPUB's contents entries do not hang"
        );
        let title_page = String::from_utf8_lossy(&files["OEBPS/title.xhtml"]).into_owned();
        let title_page_date = if dates == "iso" {
            "2022-02-09"
        } else {
            &written[..written.find('月').unwrap() + '月'.len_utf8()]
        };
        assert!(
            title_page.contains(title_page_date),
            "{dates}: the EPUB's title page lacks {title_page_date}"
        );
        let pdf = dir.join("out/booklet.pdf");
        if let Some(text) = common::tool("pdftotext", &[pdf.to_str().unwrap(), "-"]) {
            // pdftotext may put the byline's parts on lines of their own.
            let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(
                text.contains(&format!("中国法治{written}")),
                "{dates}: the PDF's byline does not read {written}"
            );
            assert!(
                !text.contains(&format!("中国法治{source}")),
                "{dates}: {source} left in the PDF"
            );
            assert_eq!(text.matches('●').count(), 3, "one bullet per list item");
            let title_page_date = if dates == "iso" {
                "2022-02-09"
            } else {
                &written[..written.find('月').unwrap() + '月'.len_utf8()]
            };
            assert!(
                text.contains(title_page_date),
                "{dates}: the particulars lack {title_page_date}"
            );
            assert!(!text.contains('•'), "the old bullet is still set");
        }
        if dates == "chinese" {
            if let Some((fatals, errors, warnings, out)) = epubcheck(&dir.join("out/booklet.epub"))
            {
                assert_eq!((fatals, errors, warnings), (0, 0, 0), "{out}");
            }
        }
    }
}
