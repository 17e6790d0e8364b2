//! The EPUB's punctuation as a reader sets it: headless chromium, with no
//! Chinese font but the EPUB's own (a fontconfig of Latin fonts only:
//! chromium needs one to start), measures marks set by the EPUB's
//! stylesheet and subset fonts. Mainland pairs such as 。” take
//! at most 1.5 em where the engine trims punctuation, Traditional marks stay
//! full width, —— is 2 em, and the subsets keep what that needs.

mod common;

use std::process::{Command, Stdio};

use common::*;

/// A copy of tests/fixtures/accessible: pictures, tables, notes, code, a
/// Traditional article with 「」, a Simplified one with （）“”——.
fn fixture(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    let from = repo().join("tests/fixtures/accessible");
    for path in [
        "booklet.toml",
        "sources/01.md",
        "sources/02.md",
        "sources/img/chart.png",
        "sources/img/photo.jpg",
    ] {
        std::fs::create_dir_all(dir.join(path).parent().unwrap()).unwrap();
        std::fs::copy(from.join(path), dir.join(path)).unwrap();
    }
    dir
}

/// The page that measures: samples in the EPUB's classes and languages,
/// each a span whose width is reported in ems of the body font.
const MEASURE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="zh-Hans" xml:lang="zh-Hans">
<head><meta charset="utf-8"/><title>measure</title>
<link rel="stylesheet" type="text/css" href="stylesheet.css"/>
<style>p { text-indent: 0; text-align: left; white-space: nowrap; }</style>
</head>
<body class="hans">
<p><span id="latin">A</span></p>
<p><span class="pair" id="hans-period-quote">“引号。”</span></p>
<p><span class="pair" id="hans-comma-quote">，“</span></p>
<p><span class="pair" id="hans-paren-period">）。</span></p>
<p><span class="pair" id="hans-quote-paren">“（</span></p>
<p><span id="dash">中——中</span></p>
<p><span id="han-latin">中A</span></p>
<p lang="zh-Hant" xml:lang="zh-Hant" class="hant"><span class="pair" id="hant-period-bracket">「引號。」</span></p>
<pre id="result"></pre>
<script><![CDATA[
document.fonts.ready.then(function () {
  var em = parseFloat(getComputedStyle(document.getElementById('latin')).fontSize);
  var out = { em: em, fonts: [], trim: CSS.supports('text-spacing-trim', 'trim-start'),
              autospace: CSS.supports('text-autospace', 'normal') };
  document.fonts.forEach(function (f) { out.fonts.push(f.family + ' ' + f.status); });
  ['hans-period-quote', 'hans-comma-quote', 'hans-paren-period', 'hans-quote-paren',
   'dash', 'han-latin', 'hant-period-bracket', 'latin'].forEach(function (id) {
    out[id] = document.getElementById(id).getBoundingClientRect().width / em;
  });
  document.getElementById('result').textContent = JSON.stringify(out);
});
]]></script>
</body>
</html>
"#;

#[test]
fn punctuation_is_trimmed_in_a_browser_with_the_epubs_fonts_only() {
    if !have(
        "chromium",
        Command::new(CHROMIUM)
            .arg("--version")
            .stderr(Stdio::null()),
    ) {
        return;
    }
    let dir = fixture("epub-typography");
    booklet_ok(&["build", "--format", "epub"], &dir, &[]);
    let unpacked = dir.join("unpacked");
    unzip_into(&dir.join("out/booklet.epub"), &unpacked);
    let page = unpacked.join("OEBPS/measure.xhtml");
    std::fs::write(&page, MEASURE).unwrap();
    let m = measure_in_chromium(&dir, &page);
    eprintln!("measured (em): {m}");

    let fonts = m["fonts"].as_array().unwrap();
    assert!(
        fonts.iter().any(|f| f == "Booklet hans loaded")
            && fonts.iter().any(|f| f == "Booklet hant loaded"),
        "the EPUB's fonts did not load: {fonts:?}"
    );
    let em = |id: &str| m[id].as_f64().unwrap();
    // The dash is full width in Chinese (locl): 2 em, as in the PDF.
    assert!(
        (em("dash") - 4.0).abs() < 0.02,
        "中——中 is {} em",
        em("dash")
    );
    // Traditional marks keep their full width.
    assert!(
        (em("hant-period-bracket") - 5.0).abs() < 0.02,
        "「引號。」 is {} em",
        em("hant-period-bracket")
    );
    if m["trim"] != true {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium under CI must support text-spacing-trim"
        );
        eprintln!("SKIPPED: this chromium does not trim punctuation; pairs not checked");
        return;
    }
    // “引号。”: the opening quote at the line's start loses its blank
    // half, and 。” share one: 5 characters in 4 em.
    assert!(
        em("hans-period-quote") <= 4.0 + 0.02,
        "“引号。” is {} em",
        em("hans-period-quote")
    );
    for pair in ["hans-comma-quote", "hans-paren-period", "hans-quote-paren"] {
        // A pair at a line start may lose a further half (trim-start).
        assert!(em(pair) <= 1.5 + 0.02, "{pair} is {} em", em(pair));
    }
    if m["autospace"] == true {
        assert!(
            em("han-latin") >= 1.0 + em("latin") + 0.1,
            "no space between 中 and A: {} em",
            em("han-latin")
        );
    }
}

/// The subsets carry the layout tables trimming and vertical text need,
/// and OTS (the font sanitiser in Chrome and Firefox) accepts them.
#[test]
fn subset_fonts_keep_their_layout_tables_and_pass_ots() {
    let dir = fixture("epub-typography-fonts");
    booklet_ok(&["build", "--format", "epub"], &dir, &[]);
    let unpacked = dir.join("unpacked");
    unzip_into(&dir.join("out/booklet.epub"), &unpacked);
    let fonts: Vec<_> = std::fs::read_dir(unpacked.join("OEBPS/fonts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(fonts.len() >= 2);
    for font in &fonts {
        let data = std::fs::read(font).unwrap();
        let face = ttf_parser::Face::parse(&data, 0).expect("a subset parses");
        let features = |table: Option<ttf_parser::opentype_layout::LayoutTable>| -> Vec<String> {
            table
                .map(|t| t.features.into_iter().map(|f| f.tag.to_string()).collect())
                .unwrap_or_default()
        };
        let gsub = features(face.tables().gsub);
        let gpos = features(face.tables().gpos);
        // A bold face that sets a few titles may hold nothing to
        // substitute; the body's regular faces hold every mark (code's
        // monospace face is a Latin one, with no Chinese features).
        let name = font.to_string_lossy();
        let chinese = !name.contains("mono");
        let regular = name.contains("regular") && chinese;
        for tag in ["locl", "vert"].iter().filter(|_| regular) {
            assert!(
                gsub.iter().any(|t| t == tag),
                "{}: GSUB {gsub:?}",
                font.display()
            );
        }
        for tag in ["halt", "vhal"].iter().filter(|_| regular) {
            assert!(
                gpos.iter().any(|t| t == tag),
                "{}: GPOS {gpos:?}",
                font.display()
            );
        }
        assert!(
            face.tables().vmtx.is_some() || !chinese,
            "{}: no vmtx",
            font.display()
        );
        // The vertical forms of the marks the font holds are in the subset
        // and reached by `vert` (brackets turn in both regions; CNS stops
        // are centred and stay as they are).
        let marks: Vec<_> = "「（".chars().filter_map(|c| face.glyph_index(c)).collect();
        if regular {
            assert!(!marks.is_empty(), "{}: no marks", font.display());
        }
        for glyph in marks {
            let vertical = vertical_form(&face, glyph);
            assert!(
                vertical.is_some_and(|g| g != glyph && g.0 < face.number_of_glyphs()),
                "{}: no vertical form of glyph {}",
                font.display(),
                glyph.0
            );
        }
        if let Some(out) = tool(
            "ots-sanitize",
            &[
                font.to_str().unwrap(),
                dir.join("ots.out").to_str().unwrap(),
            ],
        ) {
            assert!(
                !out.contains("Failed") && !out.to_lowercase().contains("error"),
                "OTS rejects {}:\n{out}",
                font.display()
            );
            // OTS drops a table it finds faulty, with only a warning.
            let sanitized = std::fs::read(dir.join("ots.out")).unwrap();
            let kept = ttf_parser::Face::parse(&sanitized, 0).unwrap();
            assert_eq!(
                (kept.tables().gsub.is_some(), kept.tables().gpos.is_some()),
                (face.tables().gsub.is_some(), face.tables().gpos.is_some()),
                "OTS dropped layout tables of {}:\n{out}",
                font.display()
            );
        }
    }
}

/// What the `vert` feature turns `glyph` into.
fn vertical_form(
    face: &ttf_parser::Face,
    glyph: ttf_parser::GlyphId,
) -> Option<ttf_parser::GlyphId> {
    use ttf_parser::gsub::{SingleSubstitution, SubstitutionSubtable};
    let gsub = face.tables().gsub?;
    let feature = gsub
        .features
        .into_iter()
        .find(|f| f.tag == ttf_parser::Tag::from_bytes(b"vert"))?;
    for index in feature.lookup_indices {
        let lookup = gsub.lookups.get(index)?;
        for subtable in lookup.subtables.into_iter::<SubstitutionSubtable>() {
            if let SubstitutionSubtable::Single(single) = subtable {
                match single {
                    SingleSubstitution::Format1 { coverage, delta } => {
                        if coverage.contains(glyph) {
                            return Some(ttf_parser::GlyphId(glyph.0.wrapping_add(delta as u16)));
                        }
                    }
                    SingleSubstitution::Format2 {
                        coverage,
                        substitutes,
                    } => {
                        if let Some(i) = coverage.get(glyph) {
                            return substitutes.get(i);
                        }
                    }
                }
            }
        }
    }
    None
}
