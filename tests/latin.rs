//! Latin text inside Chinese, as a reader sees it: the torture booklet of
//! tests/fixtures/latin (long words, URLs, standard numbers, clreq cases)
//! built at the five page sizes of issue 13, its PDF read back with MuPDF
//! by tests/scripts/loose_lines.py (how far apart the characters of each
//! body line stand) and with pdftotext (hyphens, breaks, kinsoku).

mod common;

use common::{
    booklet_ok, build_at, copy_tree, epubcheck, have_mutool_python, repo, scratch, script_json,
    tool, unzip, FIVE_SIZES,
};
use std::path::Path;

/// The target for the loosest body line: at most a quarter em of
/// extra space between two characters.
const TARGET: f64 = 0.25;
/// What justification may add between two letters of a Latin word, at
/// most: a twentieth of an em, and what the face's own spacing of a pair
/// (kerning) shows on top (0.011 em before justification went past
/// 0.033 em).
const LETTER_SPACING: f64 = 0.065;

fn loose_lines(pdf: &Path, body: &str) -> serde_json::Value {
    script_json("loose_lines.py", &[pdf.as_os_str(), body.as_ref()])
}

#[test]
fn latin_words_and_urls_leave_no_line_spaced_out_at_five_sizes() {
    if !have_mutool_python() {
        return;
    }
    let mut report = Vec::new();
    for (name, page, body) in FIVE_SIZES {
        let pdf = build_at("latin", name, page, body).join("out/booklet.pdf");
        let m = loose_lines(&pdf, body);
        let loosest = m["loosest"].as_f64().unwrap();
        assert!(
            m["lines"].as_u64().unwrap() > 25,
            "{name}: too few lines: {m}"
        );
        assert!(
            loosest <= TARGET,
            "{name}: a body line has {loosest} em between characters (at most {TARGET}): {}",
            m["worst"]
        );
        let ragged = m["ragged"].as_array().unwrap();
        assert!(ragged.is_empty(), "{name}: lines not flush: {ragged:?}");
        let letters = m["letters"].as_f64().unwrap();
        assert!(
            letters <= LETTER_SPACING,
            "{name}: a Latin word letter-spaced by {letters} em"
        );
        report.push(format!("{name}: {loosest} em (letters {letters} em)"));

        let Some(text) = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]) else {
            continue;
        };
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        // Hyphens drawn at breaks are text, and only inside words.
        let hyphenated: Vec<&&str> = lines
            .iter()
            .filter(|l| {
                l.ends_with('-') && l[..l.len() - 1].ends_with(|c: char| c.is_ascii_lowercase())
            })
            .collect();
        assert!(!hyphenated.is_empty(), "{name}: no hyphenated line");
        for l in &lines {
            assert!(
                !l.ends_with("GB/") && !l.ends_with("GB/T") && !l.ends_with("ISO"),
                "{name}: a standard's designation split: {l}"
            );
            assert!(
                !l.starts_with([
                    '，', '。', '、', '；', '：', '？', '！', '”', '）', '》', '.'
                ]) && !l.ends_with(['“', '（', '《']),
                "{name}: kinsoku fault: {l}"
            );
        }
        // The URL ends its line after a slash, a dot or a mark, never
        // before a slash; the scheme stays whole.
        for l in &lines {
            assert!(
                !l.ends_with("http") && !l.ends_with("https:"),
                "{name}: {l}"
            );
        }
    }
    eprintln!("loosest body lines: {}", report.join(", "));
}

#[test]
fn the_example_has_no_line_spaced_out_on_the_narrow_page() {
    if !have_mutool_python() {
        return;
    }
    let dir = scratch("latin-example-narrow");
    std::fs::copy(repo().join("booklet.toml"), dir.join("booklet.toml")).unwrap();
    copy_tree(&repo().join("sources"), &dir.join("sources"));
    let pdf = {
        let manifest = std::fs::read_to_string(dir.join("booklet.toml")).unwrap();
        std::fs::write(
            dir.join("booklet.toml"),
            format!("{manifest}\n[pdf]\npage = \"100x160\"\ncover = false\n"),
        )
        .unwrap();
        booklet_ok(&["build", "--format", "pdf", "-q"], &dir, &[]);
        dir.join("out/booklet.pdf")
    };
    let m = loose_lines(&pdf, "10.5");
    assert!(m["lines"].as_u64().unwrap() > 500, "{m}");
    assert!(
        m["loosest"].as_f64().unwrap() <= TARGET,
        "a body line of the example is spaced out: {}",
        m["worst"]
    );
    assert!(
        m["ragged"].as_array().unwrap().is_empty(),
        "{}",
        m["ragged"]
    );
}

#[test]
fn the_epub_marks_english_words_for_hyphenation_and_stays_valid() {
    let dir = scratch("latin-epub");
    copy_tree(&repo().join("tests/fixtures/latin"), &dir);
    booklet_ok(&["build", "--format", "epub", "-q"], &dir, &[]);
    let epub = dir.join("out/booklet.epub");
    let files = unzip(&epub);
    let xhtml: String = files
        .iter()
        .filter(|(name, _)| name.ends_with(".xhtml"))
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    let span = "<span class=\"latin\" lang=\"en\" xml:lang=\"en\">";
    assert!(
        xhtml.contains(&format!("{span}internationalization</span>")),
        "English words are not marked as English"
    );
    // Addresses are not marked (they wrap by css.rs's own rule).
    assert!(!xhtml.contains(&format!("{span}kubernetes")));
    let css: String = files
        .iter()
        .filter(|(name, _)| name.ends_with(".css"))
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    assert!(css.contains("span.latin { -webkit-hyphens: auto; hyphens: auto; }"));
    if let Some((fatals, errors, warnings, text)) = epubcheck(&epub) {
        assert_eq!((fatals, errors, warnings), (0, 0, 0), "{text}");
    }
}

#[test]
fn latin_emphasis_is_slanted_and_chinese_emphasis_keeps_its_dots() {
    let dir = scratch("latin-italic");
    copy_tree(&repo().join("tests/fixtures/latin"), &dir);
    booklet_ok(&["build", "--format", "pdf", "-q"], &dir, &[]);
    let pdf = dir.join("out/booklet.pdf");
    let qdf = dir.join("qdf.pdf");
    let Some(_) = tool(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            pdf.to_str().unwrap(),
            qdf.to_str().unwrap(),
        ],
    ) else {
        return;
    };
    let content = String::from_utf8_lossy(&std::fs::read(&qdf).unwrap()).into_owned();
    // The text space sheared by tan 14° where Latin emphasis is drawn:
    // *emphasis in Latin text*, *Typography* and *English* (the last
    // inside emphasis mixing scripts), each a run of its own.
    let slanted = content
        .lines()
        .filter(|l| l.starts_with("1 0 0.25 1 ") && l.ends_with(" Tm"))
        .count();
    assert!(slanted >= 3, "{slanted} slanted runs");
    let Some(text) = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]) else {
        return;
    };
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for shown in ["emphasis in Latin text", "Typography", "重要的事情说三遍"] {
        assert!(text.contains(shown), "{shown} not read back: {text}");
    }
    // Chinese emphasis is still marked with dots (drawn as paths, never
    // slanted): the upright text of 重要的事情说三遍 is not sheared.
    let upright_han = content
        .lines()
        .filter(|l| l.starts_with("1 0 0 1 ") && l.ends_with(" Tm"))
        .count();
    assert!(upright_han > 0);
}
