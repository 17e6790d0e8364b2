//! Entry points for the fuzz targets (`tests/fuzz`) and for the test that
//! replays what they found (`tests/fuzz_regressions.rs`): bytes through the
//! real code, in process, reading no file per input. What is costly and
//! the same for every input (the manifest, the shipped style, the fonts) is
//! set up once.
//!
//! Errors are expected answers to bad input. An entry point panics only
//! when the code under test panics, or when a render that reported no
//! error made a file that breaks a rule every build keeps (well-formed,
//! unique-id EPUB documents; a PDF that parses).

use std::collections::{BTreeSet, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::cache::Cache;
use crate::characters::Characters;
use crate::diag::Diagnostics;
use crate::fonts::{Face, FontBook, FontBytes};
use crate::image::vector::{DrawingFonts, FontFile};
use crate::manifest::Manifest;
use crate::model::{Article, Book};
use crate::prepared::Prepared;
use crate::style::Style;

/// A fuzz target: any bytes at all.
pub type Target = fn(&[u8]);

/// The targets by name: `tests/fuzz/fuzz_targets/<name>.rs` calls the
/// function, and `tests/fuzz/regressions/<name>/` holds what it found.
pub const TARGETS: &[(&str, Target)] = &[
    ("source", source),
    ("import", import),
    ("manifest", manifest),
    ("style", style),
    ("font", font),
    ("image", image),
    ("book", book),
];

/// Splits the parts of a `book` input: Simplified article, Traditional
/// article, manifest (without its `[[article]]` tables).
pub const BOOK_SEPARATOR: &[u8] = b"\n%%%%\n";

/// The folder the fixed manifest pretends to live in. It does not exist, so
/// no project font, style or image is ever found there.
const ROOT: &str = "/nonexistent/booklet-fuzz";

const MANIFEST: &str = "[book]\ntitle = \"模糊测试\"\ndate = \"2024-01-01\"\n";

const ARTICLES: &str = "\n[[article]]\nsource = \"sources/a.md\"\n\n\
                        [[article]]\nsource = \"sources/b.md\"\nlanguage = \"zh-Hant\"\n\n\
                        [[article]]\nsource = \"sources/c.txt\"\n";

/// `text` and the fixed articles as a manifest rooted at [`ROOT`].
fn fixed_manifest(text: &str) -> Result<Manifest, Diagnostics> {
    let path = Path::new(ROOT).join("booklet.toml");
    let mut manifest = Manifest::parse(&format!("{text}{ARTICLES}"), &path)?;
    manifest.root = PathBuf::from(ROOT);
    Ok(manifest)
}

fn default_manifest() -> &'static Manifest {
    static M: OnceLock<Manifest> = OnceLock::new();
    M.get_or_init(|| fixed_manifest(MANIFEST).expect("the fixed manifest parses"))
}

/// The shipped style, checked, before any `[pdf]` override.
fn shipped_style() -> &'static Style {
    static S: OnceLock<Style> = OnceLock::new();
    S.get_or_init(|| Style::load(default_manifest()).expect("the shipped style loads"))
}

/// Every message rendered as the terminal shows it (snippets, carets).
fn render_messages(diags: &Diagnostics) {
    for d in diags.iter() {
        let _ = d.to_string();
    }
}

/// Bytes as an article source, Markdown and plain text: decoding, front
/// matter, parsing, the model and the characters the fonts are asked for.
pub fn source(data: &[u8]) {
    let manifest = default_manifest();
    let mut diags = Diagnostics::default();
    let mut articles = Vec::new();
    // The Markdown article and the plain text one.
    for index in [0, 2] {
        let entry = &manifest.articles[index];
        articles.extend(crate::source::load_article(
            manifest, entry, index, data, &mut diags,
        ));
    }
    let meta = crate::source::book_meta(manifest, &mut diags);
    let _ = Characters::of(&Book { meta, articles });
    render_messages(&diags);
}

/// Bytes as a raw scraped article for `booklet import`.
pub fn import(data: &[u8]) {
    let mut charsets = crate::import::script::Charsets;
    let mut report = crate::import::report::Report::default();
    let _ = crate::import::convert("input.txt", data, &mut charsets, &mut report);
}

/// Bytes as `booklet.toml`: parsing, checks, book metadata, and the
/// `[pdf]` overrides applied to the shipped style.
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut manifest = match Manifest::parse(text, Path::new("booklet.toml")) {
        Ok(m) => m,
        Err(diags) => return render_messages(&diags),
    };
    manifest.root = PathBuf::from(ROOT);
    let mut diags = Diagnostics::default();
    let _ = crate::source::book_meta(&manifest, &mut diags);
    let _ = (manifest.output_dir(), manifest.output_stem());
    for entry in &manifest.articles {
        let shown = entry.source.to_string_lossy();
        diags.push(manifest.error_at("source", &shown, "located"));
    }
    match shipped_style()
        .clone()
        .with_overrides(&manifest, &manifest.path)
    {
        Ok(style) => use_style(&style),
        Err(problems) => diags.extend(problems),
    }
    render_messages(&diags);
}

/// Bytes as `styles/<name>.toml`: parsing and checks, then what both back
/// ends derive from it.
pub fn style(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new(ROOT).join("styles/fuzz.toml");
    match crate::style::parse(text, &path) {
        Ok(style) => match style.with_overrides(default_manifest(), &path) {
            Ok(style) => use_style(&style),
            Err(problems) => render_messages(&problems),
        },
        Err(d) => {
            let _ = d.to_string();
        }
    }
}

fn use_style(style: &Style) {
    let _ = style.css();
    let _ = crate::typeset::geometry::Geometry::new(style);
}

/// Characters asked of a font file: Chinese, Latin, punctuation, a
/// character outside the Basic Multilingual Plane.
const FONT_PROBES: &str = "中文國這说，。「」——…Aa1 𠀀";

/// Bytes as a font file: indexing (fontdb, as for a font folder), parsing
/// and coverage, the EPUB subset (with cmap) and the PDF subset (without).
pub fn font(data: &[u8]) {
    // What a font folder refuses never reaches fontdb.
    if crate::fonts::collection_problem(data, data.len() as u64).is_some() {
        return;
    }
    let mut db = fontdb::Database::new();
    db.load_font_data(data.to_vec());
    let bytes = Arc::new(FontBytes::owned(data.to_vec()));
    for info in db.faces() {
        let face = Face {
            family: info
                .families
                .first()
                .map(|(n, _)| n.clone())
                .unwrap_or_default(),
            post_script_name: info.post_script_name.clone(),
            path: PathBuf::from("fuzz.otf"),
            index: info.index,
            bold: info.weight.0 >= 600,
            data: bytes.clone(),
        };
        let _ = face.identity();
        // FontBook::resolve refuses a face that does not parse.
        let Some(parsed) = face.parse() else {
            continue;
        };
        let chars: BTreeSet<char> = FONT_PROBES.chars().filter(|&c| face.covers(c)).collect();
        let mut gids: Vec<u16> = vec![0];
        gids.extend(
            chars
                .iter()
                .filter_map(|&c| parsed.glyph_index(c))
                .map(|g| g.0),
        );
        gids.dedup();
        let _ = crate::fonts::subset::subset_for_chars(&face, &chars);
        let _ = crate::pdf::embed::subset_without_cmap(&face, &gids);
    }
}

/// Bytes as an image file: recognised for the EPUB, read for the PDF
/// (SVG drawings drawn, their text set in the small fonts).
pub fn image(data: &[u8]) {
    static FONTS: OnceLock<DrawingFonts> = OnceLock::new();
    let fonts = FONTS.get_or_init(|| {
        let files = font_files()
            .into_iter()
            .map(|bytes| Arc::new(bytes) as FontFile)
            .collect();
        DrawingFonts::new(files, "Noto Serif CJK SC")
    });
    let _ = crate::image::sniff(data);
    let _ = crate::image::library::read_picture(data, fonts);
}

/// Small subsets of the shipped fonts (`tests/fuzz/fonts/`), a few hundred
/// glyphs each: what a book is set in while fuzzing. Subsetting the full
/// fonts for every input would spend most of the time there, and their
/// own damage is the `font` target's business.
fn fonts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/fonts")
}

fn font_files() -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fonts_dir())
        .expect("tests/fuzz/fonts is there")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ttc"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read(p).expect("a fuzzing font reads"))
        .collect()
}

/// The fonts, faces and style of the fixed manifest, found once.
struct Setting {
    prepared: Prepared,
}

fn setting() -> &'static Mutex<Setting> {
    static S: OnceLock<Mutex<Setting>> = OnceLock::new();
    S.get_or_init(|| {
        let manifest = default_manifest().clone();
        let fonts = FontBook::only(&fonts_dir());
        let mut diags = Diagnostics::default();
        // Both scripts, so that an article of either finds its faces.
        let book = Book {
            meta: crate::source::book_meta(&manifest, &mut diags),
            articles: manifest
                .articles
                .iter()
                .enumerate()
                .filter_map(|(i, e)| {
                    crate::source::load_article(&manifest, e, i, "甲".as_bytes(), &mut diags)
                })
                .collect(),
        };
        let faces = crate::fonts::resolve_faces(&manifest, &book, &fonts, &mut diags)
            .expect("the shipped fonts resolve");
        Mutex::new(Setting {
            prepared: Prepared {
                characters: Characters::of(&book),
                style: shipped_style().clone(),
                manifest,
                fonts: Arc::new(fonts),
                faces,
                book,
                cache: Arc::new(Cache::disabled()),
                writing: crate::editions::Writing::Horizontal,
                images: Arc::default(),
                print: true,
            },
        })
    })
}

/// End to end: bytes as a small booklet (a Simplified article, then after
/// [`BOOK_SEPARATOR`] a Traditional one, then the manifest's own tables)
/// through the model, the coverage check and both back ends, in memory.
pub fn book(data: &[u8]) {
    let mut parts = split(data, BOOK_SEPARATOR);
    let hans = parts.next().unwrap_or_default();
    let hant = parts.next().unwrap_or("乙".as_bytes());
    let manifest_text = match parts.next() {
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => return,
        },
        None => MANIFEST,
    };
    let mut setting = setting().lock().unwrap_or_else(|e| e.into_inner());
    let prepared = &mut setting.prepared;
    let mut manifest = match fixed_manifest(manifest_text) {
        Ok(m) => m,
        Err(diags) => return render_messages(&diags),
    };
    // The fonts were found once, for the fixed manifest.
    manifest.fonts = prepared.manifest.fonts.clone();
    manifest.articles.truncate(3);
    let mut diags = Diagnostics::default();
    let style = match shipped_style()
        .clone()
        .with_overrides(&manifest, &manifest.path)
    {
        Ok(s) => s,
        Err(problems) => return render_messages(&problems),
    };
    let sources: [&[u8]; 3] = [hans, hant, "丙".as_bytes()];
    let articles: Vec<Article> = manifest
        .articles
        .iter()
        .zip(sources)
        .enumerate()
        .filter_map(|(i, (entry, bytes))| {
            crate::source::load_article(&manifest, entry, i, bytes, &mut diags)
        })
        .collect();
    if diags.has_errors() {
        return render_messages(&diags);
    }
    let book = Book {
        meta: crate::source::book_meta(&manifest, &mut diags),
        articles,
    };
    prepared.characters = Characters::of(&book);
    prepared.book = book;
    prepared.style = style;
    prepared.manifest = manifest;
    let primary = prepared.faces.primary();
    crate::fonts::coverage::report_uncovered(
        &prepared.book,
        &prepared.characters,
        &primary,
        &prepared.fonts,
        &mut diags,
    );
    let mut made = Diagnostics::default();
    let (epub, pdf) = crate::render::with_print(&[(&*prepared, true)], &mut made, |prints| {
        let print = prints[0].as_ref();
        use crate::render::{Epub, Pdf, Renderer};
        let epub = Epub.render(prepared, print, &mut diags);
        let pdf = Pdf.render(prepared, print, &mut diags);
        (epub, pdf)
    });
    for d in made.into_vec() {
        diags.push(d);
    }
    render_messages(&diags);
    if diags.has_errors() {
        return;
    }
    if let Some(epub) = epub {
        check_epub(&epub);
    }
    if let Some(pdf) = pdf {
        if let Err(e) = lopdf::Document::load_mem(&pdf) {
            panic!("a PDF made without an error does not parse: {e}");
        }
    }
}

fn split<'a>(data: &'a [u8], sep: &'a [u8]) -> impl Iterator<Item = &'a [u8]> {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.windows(sep.len()).position(|w| w == sep) {
            Some(i) => {
                rest = Some(&r[i + sep.len()..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Every XML document of an EPUB is well formed, and no id appears twice
/// in one: what EPUBCheck rejects first.
fn check_epub(epub: &[u8]) {
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("the EPUB is a Zip archive");
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).expect("a Zip entry reads");
        let name = file.name().to_string();
        let is_xml = [".xhtml", ".opf", ".ncx", ".xml"]
            .iter()
            .any(|ext| name.ends_with(ext));
        if !is_xml {
            continue;
        }
        let mut text = String::new();
        file.read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("{name} is not UTF-8: {e}"));
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(&text, options)
            .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"));
        let mut ids = HashSet::new();
        for node in doc.descendants() {
            if let Some(id) = node.attribute("id") {
                assert!(ids.insert(id), "{name}: id `{id}` appears twice");
            }
        }
    }
}
