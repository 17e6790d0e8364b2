//! Editions from one manifest: the example booklet in Simplified, in Taiwan
//! Traditional (s2twp, 「」) and as an A4 saddle-stitched handout, built by
//! one command and checked with EPUBCheck, qpdf and pdftotext.

mod common;

use std::path::Path;
use std::process::Command;

use common::{booklet, booklet_ok, copy_example, epubcheck, have, scratch};

const EDITIONS: &str = r#"
[[edition]]
name = "zh"

[[edition]]
name = "tw"
convert = "s2twp"
quotes = "「」"

[[edition]]
name = "handout"
formats = ["pdf"]
imposition = "saddle"
sheet = "A4"

[convert]
keep = ["皇后"]
"#;

fn project(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    copy_example(&dir);
    let manifest = dir.join("booklet.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(EDITIONS);
    std::fs::write(&manifest, text).unwrap();
    dir
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pdf_pages(pdf: &Path) -> usize {
    lopdf::Document::load(pdf).unwrap().get_pages().len()
}

fn epub_entry(epub: &Path, name: &str) -> String {
    String::from_utf8(epub_bytes(epub, name)).unwrap()
}

fn epub_bytes(epub: &Path, name: &str) -> Vec<u8> {
    let file = std::fs::File::open(epub).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut entry = zip.by_name(name).unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
    bytes
}

/// The EPUB has a cover image of 1600×2560 in the OPF, its cover page shows
/// it, and calibre reads the author and the cover from it.
fn check_cover(epub: &Path, author: &str) {
    let opf = epub_entry(epub, "OEBPS/content.opf");
    let item = opf
        .lines()
        .find(|l| l.contains("properties=\"cover-image\""))
        .unwrap_or_else(|| panic!("no cover-image in {}:\n{opf}", epub.display()));
    let href = item
        .split("href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let png = epub_bytes(epub, &format!("OEBPS/{href}"));
    let image = image::load_from_memory(&png).unwrap();
    assert_eq!((image.width(), image.height()), (1600, 2560));
    assert!(epub_entry(epub, "OEBPS/cover.xhtml").contains(&format!("src=\"{href}\"")));
    if have(
        "ebook-meta (calibre)",
        Command::new("ebook-meta").arg("--version"),
    ) {
        let out = Command::new("ebook-meta").arg(epub).output().unwrap();
        let meta = String::from_utf8_lossy(&out.stdout);
        let shown = meta
            .lines()
            .find(|l| l.starts_with("Author(s)"))
            .unwrap_or_else(|| panic!("no author from ebook-meta:\n{meta}"));
        assert!(shown.contains(author), "{meta}");
        let got = epub.with_extension("calibre-cover.png");
        let out = Command::new("ebook-meta")
            .arg(epub)
            .arg("--get-cover")
            .arg(&got)
            .output()
            .unwrap();
        assert!(
            std::fs::read(&got).ok().as_deref() == Some(&png[..]),
            "calibre found no cover: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn three_editions_in_one_command() {
    let dir = project("editions-all");
    let out = booklet_ok(&["build"], &dir, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let o = dir.join("out");
    for f in [
        "booklet-zh.epub",
        "booklet-zh.pdf",
        "booklet-tw.epub",
        "booklet-tw.pdf",
        "booklet-tw-review.txt",
        "booklet-handout.pdf",
        "booklet-handout-imposed.pdf",
    ] {
        assert!(o.join(f).is_file(), "{f} missing; stdout:\n{stdout}");
        assert!(stdout.contains(f), "{f} not reported:\n{stdout}");
    }
    assert!(!o.join("booklet-handout.epub").exists());
    assert!(stdout.contains("[tw] s2twp:"), "{stdout}");
    for name in ["[zh] edition:", "[tw] edition:", "[handout] edition:"] {
        assert!(stdout.contains(name), "{name} missing:\n{stdout}");
    }

    // The handout's reading copy is the Simplified edition's PDF.
    let zh_pdf = std::fs::read(o.join("booklet-zh.pdf")).unwrap();
    assert!(zh_pdf == std::fs::read(o.join("booklet-handout.pdf")).unwrap());

    // Taiwan edition: converted text, Taiwan vocabulary, corner quotes.
    let tw_xhtml = epub_entry(&o.join("booklet-tw.epub"), "OEBPS/a01.xhtml");
    assert!(
        tw_xhtml.contains("lang=\"zh-Hant-TW\""),
        "{}",
        &tw_xhtml[..400]
    );
    assert!(!tw_xhtml.contains('“') && tw_xhtml.contains('「'));
    let opf = epub_entry(&o.join("booklet-tw.epub"), "OEBPS/content.opf");
    assert!(opf.contains("組織工作學習讀本"), "title converted:\n{opf}");
    assert!(opf.contains("<dc:language id=\"lang-0\">zh-Hant-TW</dc:language>"));
    let zh_opf = epub_entry(&o.join("booklet-zh.epub"), "OEBPS/content.opf");
    // No authors: the editor is the creator; one toc guide entry, in the spine.
    assert!(zh_opf.contains("<dc:creator id=\"editor\">booklet 示例编辑组</dc:creator>"));
    let toc: Vec<&str> = zh_opf
        .lines()
        .filter(|l| l.contains("type=\"toc\""))
        .collect();
    assert_eq!(toc.len(), 1, "{zh_opf}");
    assert!(
        toc[0].contains("href=\"contents.xhtml\"")
            && zh_opf.contains("idref=\"id_contents.xhtml\""),
        "{zh_opf}"
    );
    let id = |opf: &str| {
        opf.lines()
            .find(|l| l.contains("<dc:identifier"))
            .unwrap()
            .to_string()
    };
    assert_ne!(id(&opf), id(&zh_opf), "each text its own identifier");

    // The review lists one-to-many characters at lines that hold them.
    let review = std::fs::read_to_string(o.join("booklet-tw-review.txt")).unwrap();
    let mut checked = 0;
    for line in review.lines().filter(|l| l.starts_with("  ")) {
        let (place, _) = line.trim().split_once(": ").unwrap();
        let (file, number) = place.rsplit_once(':').unwrap();
        let number: usize = number.parse().unwrap();
        let source = std::fs::read_to_string(dir.join(file)).unwrap();
        let text = source.lines().nth(number - 1).unwrap();
        let heading = review[..review.find(line).unwrap()]
            .lines()
            .rfind(|l| !l.starts_with("  "))
            .unwrap();
        let from = heading.chars().next().unwrap();
        assert!(text.contains(from), "{from} not on {file}:{number}: {text}");
        checked += 1;
    }
    assert!(checked > 20, "{review}");

    if have("pdftotext", Command::new("pdftotext").arg("-v")) {
        let tw = pdftotext(&o.join("booklet-tw.pdf"));
        assert!(tw.contains("組織工作學習讀本"));
        assert!(!tw.contains('“'), "curly quotes left in the Taiwan PDF");
        let zh = pdftotext(&o.join("booklet-zh.pdf"));
        assert!(zh.contains("组织工作学习读本"));
    }
    // Imposed: two sides per A4 sheet, each with two A5 pages; the reading
    // copy's cover and its verso are left off the sheets.
    let pages = pdf_pages(&o.join("booklet-zh.pdf"));
    let sides = pdf_pages(&o.join("booklet-handout-imposed.pdf"));
    assert_eq!(sides, (pages - 2).div_ceil(4) * 2, "{pages} pages");
    if have("qpdf", Command::new("qpdf").arg("--version")) {
        for f in [
            "booklet-zh.pdf",
            "booklet-tw.pdf",
            "booklet-handout-imposed.pdf",
        ] {
            let out = Command::new("qpdf")
                .arg("--check")
                .arg(o.join(f))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "qpdf {f}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
    for (epub, editor) in [
        ("booklet-zh.epub", "booklet 示例编辑组"),
        ("booklet-tw.epub", "booklet 示例編輯組"),
    ] {
        if let Some((fatal, errors, warnings, text)) = epubcheck(&o.join(epub)) {
            assert_eq!((fatal, errors, warnings), (0, 0, 0), "{epub}:\n{text}");
        }
        check_cover(&o.join(epub), editor);
    }
    // Each edition's cover is drawn in its own script.
    assert!(
        epub_bytes(&o.join("booklet-zh.epub"), "OEBPS/images/cover.png")
            != epub_bytes(&o.join("booklet-tw.epub"), "OEBPS/images/cover.png")
    );

    // Same inputs, same bytes; and one edition alone gives the same files.
    let again = dir.join("again");
    booklet_ok(&["build", "--out", "again"], &dir, &[]);
    for f in [
        "booklet-tw.epub",
        "booklet-tw.pdf",
        "booklet-handout-imposed.pdf",
    ] {
        assert!(
            std::fs::read(o.join(f)).unwrap() == std::fs::read(again.join(f)).unwrap(),
            "{f} differs between two builds"
        );
    }
    let one = dir.join("one");
    let out = booklet_ok(
        &["build", "--edition", "handout", "--out", "one"],
        &dir,
        &[],
    );
    let names: Vec<String> = std::fs::read_dir(&one)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(
        names.len(),
        2,
        "{names:?}\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        std::fs::read(one.join("booklet-handout-imposed.pdf")).unwrap()
            == std::fs::read(o.join("booklet-handout-imposed.pdf")).unwrap()
    );
}

#[test]
fn unknown_edition_and_bad_tables_fail_clearly() {
    let dir = project("editions-bad");
    let out = booklet(&["build", "--edition", "hk"], &dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no edition named `hk`") && err.contains("zh, tw, handout"),
        "{err}"
    );
    assert!(!dir.join("out").exists(), "nothing written");

    let manifest = dir.join("booklet.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("\"s2twp\"", "\"s2tx\"")).unwrap();
    let out = booklet(&["check"], &dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("booklet.toml:") && err.contains("s2tx"),
        "{err}"
    );
}

#[test]
fn a_manifest_without_editions_builds_as_before() {
    let dir = scratch("editions-none");
    copy_example(&dir);
    let out = booklet_ok(&["build"], &dir, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(dir.join("out/booklet.epub").is_file() && dir.join("out/booklet.pdf").is_file());
    assert!(!stdout.contains('['), "no edition labels:\n{stdout}");
    let out = booklet(&["build", "--edition", "tw"], &dir, &[]);
    assert_eq!(out.status.code(), Some(1));
}

/// The labels a PDF viewer shows for its first `n` pages, from its
/// /PageLabels number tree (prefix, then the number in its style).
fn page_labels(pdf: &Path, n: usize) -> Vec<String> {
    let doc = lopdf::Document::load(pdf).unwrap();
    let nums = doc
        .catalog()
        .unwrap()
        .get(b"PageLabels")
        .and_then(|l| doc.dereference(l))
        .and_then(|(_, l)| l.as_dict())
        .and_then(|l| l.get(b"Nums"))
        .and_then(|n| n.as_array())
        .unwrap()
        .clone();
    let ranges: Vec<(usize, &lopdf::Dictionary)> = nums
        .chunks(2)
        .map(|c| (c[0].as_i64().unwrap() as usize, c[1].as_dict().unwrap()))
        .collect();
    (0..n)
        .map(|page| {
            let (start, dict) = ranges.iter().rev().find(|(s, _)| *s <= page).unwrap();
            let prefix = match dict.get(b"P") {
                Ok(lopdf::Object::String(bytes, _)) => {
                    let units: Vec<u16> = bytes[2..]
                        .chunks(2)
                        .map(|c| u16::from_be_bytes([c[0], c[1]]))
                        .collect();
                    String::from_utf16(&units).unwrap()
                }
                _ => String::new(),
            };
            let number =
                dict.get(b"St").and_then(|s| s.as_i64()).unwrap_or(1) as usize + (page - start);
            let number = match dict.get(b"S").and_then(|s| s.as_name()) {
                Ok(b"D") => number.to_string(),
                Ok(b"r") => {
                    ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii"][number - 1].to_string()
                }
                _ => String::new(),
            };
            prefix + &number
        })
        .collect()
}

/// Text on page `page` (1-based) as pdftotext reads it.
fn page_text(pdf: &Path, page: usize) -> String {
    let p = page.to_string();
    let out = Command::new("pdftotext")
        .args(["-f", &p, "-l", &p])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The reading PDF opens with the cover and a blank verso, labelled 封面
/// and 封二, so that the title page is i and the body's first page 1, as
/// their printed folios say; qpdf finds the file sound.
fn check_pdf_cover_pages(pdf: &Path) {
    let labels = page_labels(pdf, 7);
    assert_eq!(labels[..4], ["封面", "封二", "i", "ii"], "{labels:?}");
    if have("pdftotext", Command::new("pdftotext").arg("-v")) {
        assert!(
            page_text(pdf, 1).trim().is_empty(),
            "the cover is a picture"
        );
        assert!(page_text(pdf, 2).trim().is_empty(), "a blank verso");
        assert!(
            page_text(pdf, 3).contains("组织工作学习读本"),
            "title page third"
        );
        let first_body = labels.iter().position(|l| l == "1").unwrap();
        let text = page_text(pdf, first_body + 1);
        assert!(
            text.trim_end().ends_with('1'),
            "folio 1 on label 1:\n{text}"
        );
    }
    if have("qpdf", Command::new("qpdf").arg("--version")) {
        let out = Command::new("qpdf")
            .arg("--check")
            .arg(pdf)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn a_given_cover_is_the_first_page_of_both_outputs() {
    let dir = scratch("editions-given-cover");
    copy_example(&dir);
    let mut png = Vec::new();
    image::RgbImage::from_pixel(60, 96, image::Rgb([20, 60, 120]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    std::fs::write(dir.join("cover.png"), &png).unwrap();
    let manifest = dir.join("booklet.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replacen("[book]\n", "[book]\ncover = \"cover.png\"\n", 1),
    )
    .unwrap();
    booklet_ok(&["build"], &dir, &[]);
    let epub = dir.join("out/booklet.epub");
    assert!(epub_bytes(&epub, "OEBPS/images/cover.png") == png);
    let opf = epub_entry(&epub, "OEBPS/content.opf");
    assert!(opf.contains("properties=\"cover-image\""), "{opf}");
    if let Some((fatal, errors, warnings, text)) = epubcheck(&epub) {
        assert_eq!((fatal, errors, warnings), (0, 0, 0), "{text}");
    }

    let pdf = dir.join("out/booklet.pdf");
    check_pdf_cover_pages(&pdf);
    if have("pdfimages", Command::new("pdfimages").arg("-v")) {
        let out = Command::new("pdfimages")
            .arg("-list")
            .arg(&pdf)
            .output()
            .unwrap();
        let list = String::from_utf8_lossy(&out.stdout);
        // page num type width height …: the cover, whole, on page 1 only.
        let rows: Vec<Vec<&str>> = list
            .lines()
            .skip(2)
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(rows.len(), 1, "{list}");
        assert_eq!(rows[0][..5], ["1", "0", "image", "60", "96"], "{list}");
    }
    // Fitted whole and centred: the page is wider in proportion than the
    // picture, so paper shows at the sides and the middle is the cover's.
    if have("pdftoppm", Command::new("pdftoppm").arg("-v")) {
        let page = render_page(&pdf, 1);
        let (w, h) = page.dimensions();
        assert_eq!(page.get_pixel(w / 2, h / 2).0, [20, 60, 120]);
        assert_eq!(page.get_pixel(2, h / 2).0, [255, 255, 255]);
        assert_eq!(page.get_pixel(w - 3, h / 2).0, [255, 255, 255]);
        assert_eq!(page.get_pixel(w / 2, 2).0, [20, 60, 120], "full height");
    }

    // `cover = false` under [pdf]: the PDF opens with the title page.
    std::fs::write(
        &manifest,
        std::fs::read_to_string(&manifest).unwrap() + "\n[pdf]\ncover = false\n",
    )
    .unwrap();
    booklet_ok(&["build"], &dir, &[]);
    assert_eq!(page_labels(&pdf, 1), ["i"]);
}

/// Page `page` (1-based) of `pdf` as pixels, by poppler.
fn render_page(pdf: &Path, page: usize) -> image::RgbImage {
    let p = page.to_string();
    let prefix = pdf.with_extension(format!("page{page}"));
    let out = Command::new("pdftoppm")
        .args(["-f", &p, "-l", &p, "-r", "30", "-png", "-singlefile"])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    image::open(prefix.with_extension(format!("page{page}.png")))
        .unwrap()
        .to_rgb8()
}

/// Without a `cover`, the PDF's first page is the generated cover, drawn
/// as vectors over the whole page in the style's colours.
#[test]
fn the_generated_cover_opens_the_pdf() {
    let dir = scratch("editions-generated-cover");
    copy_example(&dir);
    booklet_ok(&["build", "--format", "pdf"], &dir, &[]);
    let pdf = dir.join("out/booklet.pdf");
    check_pdf_cover_pages(&pdf);
    if have("pdfimages", Command::new("pdfimages").arg("-v")) {
        let out = Command::new("pdfimages")
            .arg("-list")
            .arg(&pdf)
            .output()
            .unwrap();
        let list = String::from_utf8_lossy(&out.stdout);
        assert_eq!(list.lines().count(), 2, "vectors, no picture:\n{list}");
    }
    if have("pdftoppm", Command::new("pdftoppm").arg("-v")) {
        let page = render_page(&pdf, 1);
        let (w, h) = page.dimensions();
        // The default design: background #8c1c13 to the page's edges, text
        // in #fdf6e3 (the title, bold, across the middle of the upper half).
        for (x, y) in [(1, 1), (w - 2, 1), (1, h - 2), (w - 2, h - 2)] {
            assert_eq!(page.get_pixel(x, y).0, [0x8c, 0x1c, 0x13], "corner {x},{y}");
        }
        let near = |p: [u8; 3], q: [u8; 3]| p.iter().zip(q).all(|(a, b)| a.abs_diff(b) < 40);
        let title_ink = (h / 5..h / 2)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .filter(|&(x, y)| near(page.get_pixel(x, y).0, [0xfd, 0xf6, 0xe3]))
            .count();
        assert!(title_ink > 200, "{title_ink} pixels of title");
    }
}

/// A vertical Traditional EPUB: columns right to left, pages turned from the
/// left, corner brackets; valid; and laid out vertically by chromium.
#[test]
fn a_vertical_traditional_epub() {
    let dir = scratch("editions-vertical");
    copy_example(&dir);
    let manifest = dir.join("booklet.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(
        "\n[[edition]]\nname = \"v\"\nconvert = \"s2t\"\nwriting = \"vertical\"\nformats = [\"epub\"]\n",
    );
    std::fs::write(&manifest, text).unwrap();
    booklet_ok(&["build"], &dir, &[]);
    let epub = dir.join("out/booklet-v.epub");
    let opf = epub_entry(&epub, "OEBPS/content.opf");
    assert!(opf.contains("page-progression-direction=\"rtl\""), "{opf}");
    assert!(opf.contains("<meta name=\"primary-writing-mode\" content=\"vertical-rl\"/>"));
    let css = epub_entry(&epub, "OEBPS/stylesheet.css");
    assert!(css.contains("writing-mode: vertical-rl"), "{css}");
    let page = epub_entry(&epub, "OEBPS/a01.xhtml");
    assert!(
        page.contains('「') && !page.contains('“'),
        "corner brackets"
    );
    if let Some((fatal, errors, warnings, text)) = epubcheck(&epub) {
        assert_eq!((fatal, errors, warnings), (0, 0, 0), "{text}");
    }
    check_cover(&epub, "booklet 示例編輯組");

    // chromium lays the article out: the first paragraph is a column
    // taller than wide, and the second column stands left of the first.
    if !have(
        "chromium",
        Command::new("/usr/bin/chromium").arg("--version"),
    ) {
        return;
    }
    let site = dir.join("site");
    let file = std::fs::File::open(&epub).unwrap();
    zip::ZipArchive::new(file).unwrap().extract(&site).unwrap();
    let probe = "<script>addEventListener('load', () => { \
        const p = document.querySelectorAll('p:not(.byline)'); \
        const a = p[0].getBoundingClientRect(), b = p[1].getBoundingClientRect(); \
        document.body.setAttribute('data-probe', [getComputedStyle(document.documentElement).writingMode, \
        Math.round(a.width), Math.round(a.height), Math.round(a.left), Math.round(b.right)].join(' ')); });</script></body>";
    let page_path = site.join("OEBPS/a01.xhtml");
    std::fs::write(&page_path, page.replacen("</body>", probe, 1)).unwrap();
    let out = Command::new("/usr/bin/chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=800,1000",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", page_path.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let probe = dom
        .split("data-probe=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| {
            panic!(
                "no probe in chromium's DOM:\n{}",
                &dom[..dom.len().min(2000)]
            )
        });
    let v: Vec<&str> = probe.split(' ').collect();
    let n = |i: usize| v[i].parse::<i64>().unwrap();
    assert_eq!(v[0], "vertical-rl", "{probe}");
    assert!(n(2) > n(1), "first paragraph not a column: {probe}");
    assert!(
        n(4) <= n(3),
        "second paragraph not left of the first: {probe}"
    );

    // 「 set in a column turns through the subset font's `vert` into ﹁:
    // its long stroke hangs from the right end of the short one, where the
    // horizontal form's stands at the left.
    let head = &page[..page.find("<body").unwrap()];
    let bracket = site.join("OEBPS/bracket.xhtml");
    std::fs::write(
        &bracket,
        format!("{head}<body class=\"hant\"><p style=\"font-size:120px;margin:0;text-indent:0\">「</p></body></html>"),
    )
    .unwrap();
    let shot = site.join("bracket.png");
    let out = Command::new("/usr/bin/chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=300,300",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", bracket.display()))
        .output()
        .unwrap();
    let image = image::open(&shot)
        .unwrap_or_else(|e| {
            panic!(
                "no screenshot ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
        .to_luma8();
    let ink: Vec<(u32, u32)> = image
        .enumerate_pixels()
        .filter(|(_, _, p)| p.0[0] < 128)
        .map(|(x, y, _)| (x, y))
        .collect();
    assert!(ink.len() > 100, "the bracket is not drawn");
    let (left, right) = (
        ink.iter().map(|p| p.0).min().unwrap(),
        ink.iter().map(|p| p.0).max().unwrap(),
    );
    let (top, bottom) = (
        ink.iter().map(|p| p.1).min().unwrap(),
        ink.iter().map(|p| p.1).max().unwrap(),
    );
    // Ink in the lower half of the glyph, by side: only the long stroke.
    let lower = |from: u32, to: u32| {
        ink.iter()
            .filter(|&&(x, y)| y > (top + bottom) / 2 && (from..=to).contains(&x))
            .count()
    };
    let third = (right - left) / 3;
    assert!(
        lower(right - third, right) > 0 && lower(left, left + third) == 0,
        "「 keeps its horizontal form in a vertical column ({left}..{right} × {top}..{bottom})"
    );
}
