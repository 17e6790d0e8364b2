//! The print PDF is tagged and claims PDF/UA-1 and PDF/A-2a: checked with
//! poppler (`pdfinfo`, `pdftotext`), MuPDF (`mutool`), pdf.js (`pdfjs-dist`
//! in node) and a structural checker on pikepdf and fontTools
//! (tests/scripts/pdf_structure.py) that runs the machine-checkable rules
//! of both standards: the structure tree, marked content, metadata, output
//! intent and font widths against the embedded programs.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn example(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_example(&dir);
    booklet_ok(&["build", "--format", "pdf"], &dir, &[]);
    dir
}

fn fixture(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_tree(&repo().join("tests/fixtures/accessible"), &dir);
    booklet_ok(&["build", "--format", "pdf"], &dir, &[]);
    dir
}

/// The checker's verdict: its failures and its facts (`fact NAME VALUE`).
struct Verdict {
    failures: Vec<String>,
    facts: Vec<(String, String)>,
}

impl Verdict {
    fn fact(&self, name: &str) -> Option<&str> {
        self.facts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn number(&self, name: &str) -> usize {
        self.fact(name).and_then(|v| v.parse().ok()).unwrap_or(0)
    }
}

fn check_structure(pdf: &Path) -> Option<Verdict> {
    let python = have(
        "python3 with pikepdf and fontTools",
        Command::new("python3").args(["-c", "import pikepdf, fontTools.cffLib"]),
    );
    if !python {
        return None;
    }
    let script = repo().join("tests/scripts/pdf_structure.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(pdf)
        .output()
        .expect("run the checker");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.code().is_some(),
        "checker crashed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("Traceback"), "checker crashed: {stderr}");
    let mut v = Verdict {
        failures: Vec::new(),
        facts: Vec::new(),
    };
    for line in text.lines() {
        match line.strip_prefix("fact ") {
            Some(f) => {
                let (n, value) = f.split_once(' ').unwrap_or((f, ""));
                v.facts.push((n.to_string(), value.to_string()));
            }
            None => v.failures.push(line.to_string()),
        }
    }
    Some(v)
}

fn sources_of(dir: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("sources"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

#[test]
fn the_example_is_tagged_and_passes_the_pdf_ua_and_pdf_a_checks() {
    let dir = example("tagged-example");
    let pdf = dir.join("out/booklet.pdf");
    if let Some(info) = tool("pdfinfo", &[pdf.to_str().unwrap()]) {
        assert!(
            info.lines()
                .any(|l| l.starts_with("Tagged:") && l.ends_with("yes")),
            "{info}"
        );
    }
    let Some(v) = check_structure(&pdf) else {
        return;
    };
    assert!(v.failures.is_empty(), "{}", v.failures.join("\n"));
    assert_eq!(v.fact("pdfa"), Some("2A"));
    assert_eq!(v.fact("lang"), Some("zh-Hans"));
    // The Traditional article says so; nothing else repeats the language.
    let langs: Vec<&str> = v
        .facts
        .iter()
        .filter(|(n, _)| n == "elem_lang")
        .map(|(_, l)| l.as_str())
        .collect();
    assert!(langs.contains(&"Sect:zh-Hant"), "{langs:?}");
    assert!(langs.iter().all(|l| l.ends_with("zh-Hant")), "{langs:?}");
    // Every article, heading and paragraph is there, and every glyph's
    // width was compared with its program.
    assert_eq!(v.number("count_Sect"), 6);
    assert!(v.number("headings") >= 20, "{:?}", v.fact("headings"));
    assert!(v.number("count_P") >= 60);
    assert_eq!(v.number("count_TOC"), 1);
    assert!(v.number("count_TOCI") >= 6);
    assert!(v.number("links") >= 6);
    assert!(v.number("glyphs_checked") > 1000);
    assert!(v.number("painting_ops") > 1000);
}

#[test]
fn figures_tables_notes_lists_and_code_are_tagged() {
    let dir = fixture("tagged-accessible");
    let pdf = dir.join("out/booklet.pdf");
    let Some(v) = check_structure(&pdf) else {
        return;
    };
    assert!(v.failures.is_empty(), "{}", v.failures.join("\n"));
    for (role, at_least) in [
        ("Figure", 2),
        ("Table", 1),
        ("TH", 3),
        ("TD", 6),
        ("Note", 2),
        ("Reference", 2),
        ("L", 1),
        ("LI", 2),
        ("Lbl", 2),
        ("Code", 1),
        ("BlockQuote", 1),
        ("Link", 1),
    ] {
        let n = v.number(&format!("count_{role}"));
        assert!(n >= at_least, "{n} {role} elements, expected {at_least}");
    }
    // The figures' descriptions are the pictures' alternative texts.
    if let Some(tree) = tool("pdfinfo", &["-struct", pdf.to_str().unwrap()]) {
        assert!(tree.contains("Figure"), "{tree}");
    }
    let alts: Vec<&str> = v
        .facts
        .iter()
        .filter(|(n, _)| n == "figure_alt")
        .map(|(_, a)| a.as_str())
        .collect();
    assert!(
        alts.contains(&"一张柱状图：三个季度的学习人数逐季上升"),
        "the chart's description is not its /Alt: {alts:?}"
    );
}

/// The structure tree's text, element by element, as poppler reads it.
fn struct_text(pdf: &Path) -> Option<Vec<String>> {
    let out = tool("pdfinfo", &["-struct-text", pdf.to_str().unwrap()])?;
    Some(
        out.lines()
            .filter_map(|l| {
                let t = l.trim();
                (t.starts_with('"') && t.ends_with('"') && t.len() >= 2)
                    .then(|| t[1..t.len() - 1].to_string())
            })
            .collect(),
    )
}

#[test]
fn the_structure_reads_the_articles_in_order() {
    let dir = example("tagged-order");
    let pdf = dir.join("out/booklet.pdf");
    let Some(lines) = struct_text(&pdf) else {
        return;
    };
    let text: String = lines.concat();
    // Every paragraph of every article, in the manifest's order, each
    // found after the one before.
    let manifest = std::fs::read_to_string(dir.join("booklet.toml")).unwrap();
    let mut at = 0;
    let mut found = 0;
    for line in manifest.lines() {
        let Some(source) = line
            .strip_prefix("source = \"")
            .and_then(|s| s.strip_suffix('"'))
        else {
            continue;
        };
        let md = std::fs::read_to_string(dir.join(source)).unwrap();
        for p in source_paragraphs(&md) {
            match text[at..].find(&p) {
                Some(i) => {
                    at += i + p.len();
                    found += 1;
                }
                None => panic!("not in the structure's text, or out of order: {p}"),
            }
        }
    }
    assert!(found > 50, "only {found} paragraphs");
}

/// pdf.js's text, through tests/scripts/pdfjs_text.mjs: None when node or
/// pdfjs-dist (PDFJS_DIST, else /opt/pdfjs/node_modules/pdfjs-dist) is
/// missing.
fn pdfjs_text(pdf: &Path) -> Option<String> {
    let dist = std::env::var_os("PDFJS_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/pdfjs/node_modules/pdfjs-dist"));
    let script = repo().join("tests/scripts/pdfjs_text.mjs");
    let ok = have(
        "node with pdfjs-dist",
        Command::new("node").args([
            "-e",
            &format!("require.resolve({:?})", dist.join("package.json")),
        ]),
    );
    if !ok {
        return None;
    }
    let out = Command::new("node")
        .arg(&script)
        .arg(&dist)
        .arg(pdf)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "pdf.js failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn no_extractor_puts_a_space_between_chinese_characters() {
    let dir = example("tagged-extraction");
    let pdf = dir.join("out/booklet.pdf");
    let path = pdf.to_str().unwrap();
    let mut sources = sources_of(&dir);
    let mut extracted = Vec::new();
    if let Some(t) = tool("pdftotext", &[path, "-"]) {
        extracted.push(("pdftotext", t));
    }
    if let Some(t) = tool("pdftotext", &["-raw", path, "-"]) {
        extracted.push(("pdftotext -raw", t));
    }
    if let Some(t) = tool("mutool", &["draw", "-q", "-F", "txt", "-o", "-", path]) {
        extracted.push(("mutool draw -F txt", t));
    }
    if let Some(t) = pdfjs_text(&pdf) {
        extracted.push(("pdf.js", t));
    }
    // Ideographic spaces booklet prints itself (the byline, the editor's
    // 编), which poppler and MuPDF give as plain spaces, are not faults
    // either: the structure's text (the glyphs' own) shows where they are.
    sources.extend(struct_text(&pdf).unwrap_or_default());
    for (name, text) in &extracted {
        let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            flat.contains("党史是忠党爱党、坚定理想信念的活教材。"),
            "{name} lost the text"
        );
        let spaces = spaces_between_chinese(text, &sources);
        assert!(spaces.is_empty(), "{name}: {spaces:?}");
    }
}

#[test]
fn standard_none_writes_a_smaller_untagged_file_and_a_bad_value_is_an_error() {
    let dir = example("tagged-none");
    let tagged = std::fs::metadata(dir.join("out/booklet.pdf"))
        .unwrap()
        .len();
    let manifest = std::fs::read_to_string(dir.join("booklet.toml")).unwrap();
    std::fs::write(
        dir.join("booklet.toml"),
        format!("{manifest}\n[pdf]\nstandard = \"none\"\n"),
    )
    .unwrap();
    booklet_ok(&["build", "--format", "pdf"], &dir, &[]);
    let pdf = dir.join("out/booklet.pdf");
    let plain = std::fs::metadata(&pdf).unwrap().len();
    assert!(plain < tagged, "untagged {plain} ≥ tagged {tagged}");
    let bytes = std::fs::read(&pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    for absent in ["/StructTreeRoot", "/MCID", "pdfuaid", "/OutputIntents"] {
        assert!(!text.contains(absent), "{absent} in an untagged PDF");
    }
    if let Some(info) = tool("pdfinfo", &[pdf.to_str().unwrap()]) {
        assert!(
            info.lines()
                .any(|l| l.starts_with("Tagged:") && l.ends_with("no")),
            "{info}"
        );
    }
    std::fs::write(
        dir.join("booklet.toml"),
        format!("{manifest}\n[pdf]\nstandard = \"pdf/a-1b\"\n"),
    )
    .unwrap();
    let out = booklet(&["build", "--format", "pdf"], &dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    let messages = String::from_utf8_lossy(&out.stderr);
    assert!(
        messages.contains("standard") && messages.contains("booklet.toml"),
        "{messages}"
    );
}
