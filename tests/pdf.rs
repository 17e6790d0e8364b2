//! The example booklet's PDF, built by the real binary and checked with
//! qpdf, pdffonts and pdftotext: validity, fonts, the text round trip,
//! line starts and ends, the TOC's page numbers, the outline, and
//! byte-identical rebuilds; then a booklet built to break things.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const CJK_PUNCT_CLOSING: &str = "，。、；：？！”’）》」』〉】…·";
const CJK_PUNCT_OPENING: &str = "“‘（《「『〈【";

fn build_example(dir: &Path) -> PathBuf {
    copy_example(dir);
    booklet_ok(&["build", "--format", "pdf", "--out", "out"], dir, &[]);
    let pdf = dir.join("out/booklet.pdf");
    assert!(pdf.is_file());
    pdf
}

fn run(name: &str, args: &[&str]) -> Option<String> {
    tool(name, args)
}

fn pdftotext(pdf: &Path, extra: &[&str]) -> Option<String> {
    let mut args: Vec<&str> = extra.to_vec();
    let p = pdf.to_str().unwrap();
    args.extend(["-enc", "UTF-8", p, "-"]);
    run("pdftotext", &args)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
        || CJK_PUNCT_CLOSING.contains(c)
        || CJK_PUNCT_OPENING.contains(c)
}

fn front_matter(md: &str, key: &str) -> Option<String> {
    let head = md.strip_prefix("---\n")?.split("\n---\n").next()?;
    head.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().trim_matches('"').to_string())
}

/// Physical index (0-based) of the first body page: the page labels say
/// where arabic numbering starts.
fn first_body_page(pdf: &Path) -> Option<usize> {
    let json = run(
        "qpdf",
        &["--json", "--json-key=pagelabels", pdf.to_str().unwrap()],
    )?;
    let v: serde_json::Value = serde_json::from_str(&json).expect("qpdf json");
    v["pagelabels"]
        .as_array()?
        .iter()
        .find(|l| l["label"]["/S"] == "/D")
        .and_then(|l| l["index"].as_u64())
        .map(|i| i as usize)
}

#[test]
fn example_pdf_is_valid_with_every_font_embedded_and_subset() {
    let dir = scratch("pdf-valid");
    let pdf = build_example(&dir);
    let size = std::fs::metadata(&pdf).unwrap().len();
    // The budget holds the generated cover on page 1 too (its title,
    // subtitle and names as vector outlines, about 14 KB).
    assert!(size <= 700 * 1024, "PDF is {size} bytes");
    if let Some(out) = run("qpdf", &["--check", pdf.to_str().unwrap()]) {
        assert!(out.contains("No syntax or stream encoding errors"), "{out}");
        assert!(!out.contains("WARNING"), "{out}");
    }
    if let Some(out) = run("pdffonts", &[pdf.to_str().unwrap()]) {
        let fonts: Vec<&str> = out.lines().skip(2).collect();
        assert!(!fonts.is_empty(), "{out}");
        for f in fonts {
            let cols: Vec<&str> = f.split_whitespace().collect();
            let n = cols.len();
            assert_eq!(
                &cols[n - 5..n - 2],
                &["yes", "yes", "yes"],
                "not embedded/subset/unicode: {f}"
            );
            assert!(cols[0].as_bytes()[6] == b'+', "no subset tag: {f}");
        }
    }
}

#[test]
fn every_paragraph_comes_back_verbatim_with_no_space_inside_chinese() {
    let dir = scratch("pdf-text");
    let pdf = build_example(&dir);
    let Some(text) = pdftotext(&pdf, &[]) else {
        return;
    };
    let manifest = std::fs::read_to_string(dir.join("booklet.toml")).unwrap();
    let book_title = manifest
        .lines()
        .find_map(|l| l.strip_prefix("title = "))
        .unwrap()
        .trim_matches('"')
        .to_string();
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(dir.join("sources")).unwrap() {
        sources.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    let titles: Vec<String> = sources
        .iter()
        .filter_map(|s| front_matter(s, "title"))
        .collect();
    // Page furniture (folios, running heads) interrupts the text at page
    // breaks: drop those lines, then join the rest.
    // Titles may hold an ideographic space, which running heads drop.
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let titles: Vec<String> = titles.iter().map(|t| squash(t)).collect();
    let body: String = text
        .lines()
        .filter(|l| {
            let t = squash(l);
            !(t.chars().all(|c| c.is_ascii_digit() || "ivxlc".contains(c))
                || t == squash(&book_title)
                || titles.contains(&t)
                // A running head: a title, either part of a title split at
                // its ideographic space, or a title shortened.
                || t.chars().count() >= 4
                    && titles.iter().any(|a| {
                        a.starts_with(t.trim_end_matches('…')) || a.ends_with(t.as_str())
                    }))
        })
        .collect();
    let mut checked = 0;
    for src in &sources {
        for p in source_paragraphs(src) {
            assert!(body.contains(&p), "paragraph not found verbatim: {p}");
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} paragraphs");
    let spaces = spaces_between_chinese(&text, &sources);
    assert!(
        spaces.is_empty(),
        "space between CJK characters: {spaces:?}"
    );
    for src in &sources {
        for p in source_paragraphs(src) {
            // Chinese next to Latin letters or digits without a space in
            // the source must come back without one.
            let pc: Vec<char> = p.chars().collect();
            for w in pc.windows(2) {
                let mixed = (is_cjk(w[0]) && w[1].is_ascii_alphanumeric())
                    || (w[0].is_ascii_alphanumeric() && is_cjk(w[1]));
                if mixed {
                    let spaced = format!("{} {}", w[0], w[1]);
                    assert!(
                        !text.contains(&spaced) || p.contains(&spaced),
                        "space inserted in {spaced:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn no_line_starts_with_a_closing_mark_or_ends_with_an_opening_one() {
    let dir = scratch("pdf-kinsoku");
    let pdf = build_example(&dir);
    let Some(xml) = pdftotext(&pdf, &["-bbox-layout"]) else {
        return;
    };
    let mut lines = 0;
    for line in xml.split("<line").skip(1) {
        let line = line.split("</line>").next().unwrap();
        let words: String = line
            .split("<word")
            .skip(1)
            .filter_map(|w| w.split('>').nth(1)?.split('<').next())
            .collect();
        let Some(first) = words.chars().next() else {
            continue;
        };
        let last = words.chars().last().unwrap();
        lines += 1;
        assert!(
            !CJK_PUNCT_CLOSING.contains(first),
            "line starts with {first}: {words}"
        );
        assert!(
            !CJK_PUNCT_OPENING.contains(last),
            "line ends with {last}: {words}"
        );
    }
    assert!(lines > 400, "only {lines} lines");
}

#[test]
fn toc_page_numbers_are_the_pages_where_articles_start_and_are_linked() {
    let dir = scratch("pdf-toc");
    let pdf = build_example(&dir);
    let Some(first_body) = first_body_page(&pdf) else {
        return;
    };
    let p = pdf.to_str().unwrap();
    let pages: Vec<String> = match pdftotext(&pdf, &["-layout"]) {
        Some(t) => t
            .split('\u{c}')
            .map(|s| s.chars().filter(|c| !c.is_whitespace()).collect())
            .collect(),
        None => return,
    };
    let toc: String = pages[..first_body].concat().replace('.', "");
    let mut titles = Vec::new();
    for entry in std::fs::read_dir(dir.join("sources")).unwrap() {
        let md = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        titles.push(front_matter(&md, "title").unwrap());
    }
    assert!(titles.len() >= 6);
    for title in &titles {
        let flat: String = title.chars().filter(|c| !c.is_whitespace()).collect();
        let at = toc
            .find(&flat)
            .unwrap_or_else(|| panic!("{title} not in the TOC"));
        let number: String = toc[at + flat.len()..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let number: usize = number
            .parse()
            .unwrap_or_else(|_| panic!("no page number for {title}"));
        let start = (first_body..pages.len())
            .find(|&i| pages[i].contains(&flat))
            .unwrap_or_else(|| panic!("{title} not in the body"));
        assert_eq!(number, start - first_body + 1, "TOC number of {title}");
    }
    // Links: one GoTo annotation per TOC entry, on the TOC pages.
    let Some(json) = run("qpdf", &["--json", "--json-key=qpdf", p]) else {
        return;
    };
    let links = json.matches("\"/S\": \"/GoTo\"").count();
    assert!(links >= titles.len(), "{links} links");
    let Some(json) = run("qpdf", &["--json", "--json-key=outlines", p]) else {
        return;
    };
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let top = v["outlines"].as_array().unwrap();
    assert!(top.len() >= 6, "{} top-level outline entries", top.len());
    assert!(
        top.iter()
            .any(|o| !o["kids"].as_array().unwrap().is_empty()),
        "outline not nested"
    );
    let outline_titles: Vec<&str> = top.iter().map(|o| o["title"].as_str().unwrap()).collect();
    for title in &titles {
        assert!(
            outline_titles.contains(&title.as_str()),
            "{title} not in the outline"
        );
    }
}

#[test]
fn rebuilds_are_byte_identical_in_two_processes_and_in_one() {
    let dir = scratch("pdf-rebuild");
    let first = std::fs::read(build_example(&dir)).unwrap();
    booklet_ok(&["build", "--format", "pdf", "--out", "again"], &dir, &[]);
    let second = std::fs::read(dir.join("again/booklet.pdf")).unwrap();
    assert!(first == second, "two processes gave different PDFs");
    let build = |out: &str| {
        let opts = booklet::build::BuildOptions {
            out_dir: Some(dir.join(out)),
            format: booklet::build::Format::Pdf,
            ..booklet::build::BuildOptions::new(dir.join("booklet.toml"))
        };
        booklet::build::build(&opts).expect("build in process");
        std::fs::read(dir.join(out).join("booklet.pdf")).unwrap()
    };
    let (a, b) = (build("p1"), build("p2"));
    assert!(a == b && a == first, "builds in one process differ");
}

/// A tiny grey PNG, made here so that the test needs no binary file.
fn png() -> Vec<u8> {
    use std::io::Write;
    fn crc(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in bytes {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend(&body);
        out.extend(crc(&body).to_be_bytes());
    }
    let (w, h) = (40u32, 20u32);
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0);
        raw.extend((0..w).map(|x| ((x + y) * 6) as u8));
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).unwrap();
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z.finish().unwrap());
    chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn hostile_input_builds_and_missing_characters_are_reported() {
    let dir = scratch("pdf-hostile");
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    std::fs::write(dir.join("sources/fig.png"), png()).unwrap();
    std::fs::write(
        dir.join("booklet.toml"),
        "[book]\ntitle = \"压力测试\"\nlanguage = \"zh-Hans\"\n\
         [pdf]\npage = \"B5\"\nright_hand_start = true\ntoc_depth = 3\n\
         [[article]]\nsource = \"sources/a.md\"\n[[article]]\nsource = \"sources/b.md\"\nlanguage = \"zh-Hant\"\n",
    )
    .unwrap();
    let long = "长段落测试，".repeat(16_700);
    let url = format!("https://example.org/{}", "abcdefghi/".repeat(28));
    let quotes = format!("{} 深层引用。", "> ".repeat(40));
    let a = format!(
        "---\ntitle: \"第一篇\"\nauthor: \"某人\"\n---\n\n{long}\n\n链接{url}结束。\n\n{quotes}\n\n\
         ## 小节\n\n### 更小的节\n\n- 一项\n- 两项\n\n1. 第一\n2. 第二\n\n```\nfn main() {{}}\n```\n\n\
         ---\n\n![图](fig.png \"图注\")\n\n| 甲 | 乙 |\n|---|---|\n| 一 | 二 |\n\n\
         有注释[^1]，还有*强调*和**加粗**，以及缺字\u{10FFFD}。\n\n价格₹100，字母ǅ在别的字体里。\n\n[^1]: 注释内容。\n"
    );
    std::fs::write(dir.join("sources/a.md"), a).unwrap();
    std::fs::write(
        dir.join("sources/b.md"),
        "---\ntitle: \"第二篇\"\n---\n\n這是繁體中文的段落，「引號」與標點置中。\n",
    )
    .unwrap();
    let out = booklet_ok(&["build", "--format", "pdf", "--out", "out"], &dir, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("sources/a.md:") && stderr.contains('\u{10FFFD}'),
        "missing character not reported: {stderr}"
    );
    let pdf = dir.join("out/booklet.pdf");
    if let Some(out) = run("qpdf", &["--check", pdf.to_str().unwrap()]) {
        assert!(out.contains("No syntax or stream encoding errors"), "{out}");
    }
    if let Some(text) = pdftotext(&pdf, &[]) {
        let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(flat.contains("這是繁體中文的段落"));
        assert!(flat.contains("https://example.org/abcdefghi/"));
        assert!(flat.contains("深层引用"));
        assert!(flat.contains("注释内容"));
        // Characters the body font lacks come from another font, or at
        // worst stay in the text layer.
        assert!(flat.contains("价格₹100，字母ǅ在别的字体里"), "{flat}");
    }
    if let Some(info) = run("pdfinfo", &[pdf.to_str().unwrap()]) {
        assert!(
            info.contains("498.9 x 708.66") || info.contains("498.898 x 708.661"),
            "{info}"
        );
    }
}

/// Inked pixels of a page rendered in grey at 200 dpi (pdftoppm's PGM).
fn dark_pixels(pdf: &Path, page: usize) -> Option<usize> {
    let dir = pdf.parent().unwrap();
    let stem = dir.join(format!("render-{page}"));
    let p = page.to_string();
    run(
        "pdftoppm",
        &[
            "-f",
            &p,
            "-l",
            &p,
            "-r",
            "200",
            "-gray",
            "-singlefile",
            pdf.to_str()?,
            stem.to_str()?,
        ],
    )?;
    let pgm = std::fs::read(stem.with_extension("pgm")).ok()?;
    Some(pnm_samples(&pgm).iter().filter(|&&v| v < 200).count())
}

#[test]
fn characters_no_font_has_keep_their_text_and_show_a_box() {
    let dir = scratch("pdf-no-font");
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    std::fs::write(
        dir.join("booklet.toml"),
        "[book]\ntitle = \"缺字\"\n[[article]]\nsource = \"sources/a.md\"\n",
    )
    .unwrap();
    // Two different characters no font has (one of them twice), and one
    // from a private-use plane no font maps.
    let missing = "甲𪚥乙𠀀丙𪚥丁\u{F0001}戊";
    let write = |body: &str| {
        std::fs::write(
            dir.join("sources/a.md"),
            format!("---\ntitle: 缺字篇\n---\n\n{body}\n"),
        )
        .unwrap()
    };
    write(missing);
    let out = booklet_ok(&["build", "--format", "pdf"], &dir, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for c in ['𪚥', '𠀀', '\u{F0001}'] {
        assert!(stderr.contains(&format!("no font has `{c}`")), "{stderr}");
    }
    let pdf = dir.join("out/booklet.pdf");
    if let Some(out) = run("qpdf", &["--check", pdf.to_str().unwrap()]) {
        assert!(out.contains("No syntax or stream encoding errors"), "{out}");
    }
    let Some(text) = pdftotext(&pdf, &[]) else {
        return;
    };
    assert!(
        text.lines().any(|l| l.trim() == missing),
        "the text layer lost the characters: {text}"
    );
    // Each stands as a box: the page draws more than with spaces in their place.
    let page = first_body_page(&pdf).expect("the article's page") + 1;
    let with_boxes = dark_pixels(&pdf, page);
    write(&missing.replace(['𪚥', '𠀀', '\u{F0001}'], "\u{3000}"));
    booklet_ok(&["build", "--format", "pdf"], &dir, &[]);
    let with_spaces = dark_pixels(&pdf, page);
    if let (Some(boxes), Some(spaces)) = (with_boxes, with_spaces) {
        // A 10.5 pt box's outline is about 100 pixels at 200 dpi; four boxes.
        assert!(
            boxes > spaces + 4 * 60,
            "no boxes drawn: {boxes} vs {spaces} inked pixels"
        );
    }
}
