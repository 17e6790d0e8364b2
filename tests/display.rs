//! Display text as a reader sees it: the torture booklet of
//! tests/fixtures/display (titles and headings dense with clreq cases)
//! built at the five page sizes of issue 13, its PDF read back with MuPDF
//! (`mutool draw -F stext`, every glyph's position) by
//! tests/scripts/display_lines.py, which finds each display text on the
//! pages and measures where its lines break and how its marks are spaced.

mod common;

use common::{booklet_ok, copy_tree, have, repo, scratch};
use std::process::Command;

/// (name, page, body size in pt)
const SIZES: [(&str, &str, &str); 5] = [
    ("a5", "A5", "10.5"),
    ("a4", "A4", "10.5"),
    ("b5", "B5", "10.5"),
    ("a5-12pt", "A5", "12"),
    ("narrow", "100x160", "10.5"),
];

/// Breaks inside a word, summed over the five sizes, as measured when this
/// test was written. The target is 0; without a word list a break
/// inside a run of ideographs is a guess, and on the narrow page and at
/// 12 pt some still fall inside a word. This number may only go down.
const WORD_BREAKS_AT_MOST: u64 = 11;

fn measure(pdf: &std::path::Path, body: &str) -> serde_json::Value {
    let script = repo().join("tests/scripts/display_lines.py");
    let listing = repo().join("tests/fixtures/display/display.txt");
    let out = Command::new("python3")
        .arg(script)
        .arg(pdf)
        .arg(listing)
        .arg(body)
        .output()
        .expect("run display_lines.py");
    assert!(
        out.status.success(),
        "display_lines.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("display_lines.py prints JSON")
}

#[test]
fn display_lines_break_at_phrases_with_full_width_marks_at_five_sizes() {
    if !have("mutool", Command::new("mutool").arg("-v"))
        || !have("python3", Command::new("python3").arg("--version"))
    {
        return;
    }
    let fixture = repo().join("tests/fixtures/display");
    let manifest = std::fs::read_to_string(fixture.join("booklet.toml")).unwrap();
    let mut word_breaks = 0;
    let mut heads = 0;
    let mut report = Vec::new();
    for (name, page, body) in SIZES {
        let dir = scratch(&format!("display-{name}"));
        copy_tree(&fixture, &dir);
        std::fs::write(
            dir.join("booklet.toml"),
            format!("{manifest}\n[pdf]\npage = \"{page}\"\nbody_size_pt = {body}\ncover = false\n"),
        )
        .unwrap();
        booklet_ok(&["build", "--format", "pdf", "-q"], &dir, &[]);
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
        word_breaks += list("word_breaks").len() as u64;
        heads += m["heads"].as_u64().unwrap();
        report.push(format!("{name}: {:?}", list("word_breaks")));
    }
    eprintln!(
        "display lines broken inside a word: {word_breaks}\n{}",
        report.join("\n")
    );
    // The narrow page shortens running heads: the check above measured some.
    assert!(heads > 0, "no shortened running head was measured");
    assert!(
        word_breaks <= WORD_BREAKS_AT_MOST,
        "{word_breaks} display lines broken inside a word (at most {WORD_BREAKS_AT_MOST}):\n{}",
        report.join("\n")
    );
}
