//! The book's cover, for both outputs: the manifest's `cover` image when it
//! names one, else a cover generated from the book's metadata (title,
//! subtitle, edition, authors or editor, publisher) in the book's own
//! faces over the style's design (`[cover]` in a style).
//!
//! The generated cover is one [`Drawing`] of filled outlines: rendered to a
//! 1600×2560 PNG (the size Kindle and Kobo ask for) for the EPUB's
//! `cover-image`, and drawn as vectors, in the page's proportion, on the
//! PDF's first page ([`pdf_ops`]).

pub mod design;
pub mod drawing;
mod ops;
mod raster;

use std::sync::Arc;

use serde::Deserialize;

use crate::cache::Cache;
use crate::fonts::Faces;
use crate::model::BookMeta;
pub use drawing::{Drawing, Rgb, Seg, Shape};
pub use ops::pdf_ops;

/// The designs a style can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Design {
    /// A double frame and two rules round the title.
    Frame,
    /// The title on a band of the accent colour across the cover.
    Band,
    /// Two thin rules round the title, nothing else.
    Plain,
}

/// A `#rrggbb` colour in a style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Colour(pub Rgb);

impl TryFrom<String> for Colour {
    type Error = String;
    fn try_from(s: String) -> Result<Colour, String> {
        Rgb::parse(&s).map(Colour).ok_or_else(|| {
            format!("`{s}` is not a colour: write it as \"#rrggbb\", e.g. \"#8c1c13\"")
        })
    }
}

/// A style's `[cover]` table: the generated cover's design and colours.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CoverStyle {
    pub design: Design,
    pub background: Colour,
    /// The text.
    pub foreground: Colour,
    /// Rules, frames, bands, the edition line.
    pub accent: Colour,
}

impl Default for CoverStyle {
    fn default() -> Self {
        CoverStyle {
            design: Design::Frame,
            background: Colour(Rgb(0x8c, 0x1c, 0x13)),
            foreground: Colour(Rgb(0xfd, 0xf6, 0xe3)),
            accent: Colour(Rgb(0xe0, 0xb8, 0x60)),
        }
    }
}

/// The generated cover of `meta` in `faces` (the book's script first, its
/// bold face for the title), on a canvas [`design::WIDTH`] wide and
/// `height` high.
pub fn generate(meta: &BookMeta, faces: &Faces, style: &CoverStyle, height: f32) -> Drawing {
    let script = meta.lang.script();
    let first = |table: &std::collections::BTreeMap<crate::lang::Script, crate::fonts::Face>| {
        table
            .get(&script)
            .into_iter()
            .chain(table.values())
            .chain(&faces.fallback)
            .cloned()
            .collect::<Vec<_>>()
    };
    let regular = first(&faces.regular);
    let mut bold = first(&faces.bold);
    // No bold face: the title is set in the regular one.
    bold.extend(regular.iter().cloned());
    let fonts = design::Type {
        regular: drawing::Fonts::new(&regular),
        bold: drawing::Fonts::new(&bold),
    };
    design::draw(meta, style, &fonts, height)
}

/// The generated cover as a PNG, kept in `cache`: encoding four million
/// pixels costs more than the rest of a small EPUB.
pub fn png(
    meta: &BookMeta,
    faces: &Faces,
    style: &CoverStyle,
    cache: &Cache,
) -> Result<Arc<Vec<u8>>, String> {
    let texts = format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}",
        meta.title,
        meta.subtitle,
        meta.edition,
        meta.editor,
        meta.publisher,
        meta.authors,
        meta.lang.tag
    );
    let mut identities: Vec<Vec<u8>> = Vec::new();
    for face in faces
        .regular
        .values()
        .chain(faces.bold.values())
        .chain(&faces.fallback)
    {
        identities.push(face.identity());
    }
    let style_key = format!("{style:?}");
    let mut parts: Vec<&[u8]> = vec![texts.as_bytes(), style_key.as_bytes()];
    parts.extend(identities.iter().map(Vec::as_slice));
    let key = Cache::key("cover-png", &parts);
    if let Some(png) = cache.get(&key) {
        return Ok(png);
    }
    let png = raster::png(&generate(meta, faces, style, design::HEIGHT))?;
    Ok(cache.put(&key, png))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::{Face, FontBytes};
    use crate::lang::Lang;

    /// The shipped Noto Serif CJK SC, regular and bold.
    fn faces() -> Faces {
        let face = |file: &str, bold: bool| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fonts")
                .join(file);
            Face {
                family: "Noto Serif CJK SC".into(),
                post_script_name: String::new(),
                data: Arc::new(FontBytes::owned(std::fs::read(&path).unwrap())),
                path,
                // SC in the collection (JP, KR, SC, TC, HK).
                index: 2,
                bold,
            }
        };
        let script = crate::lang::Script::Hans;
        Faces {
            regular: [(script, face("NotoSerifCJK-Regular.ttc", false))].into(),
            bold: [(script, face("NotoSerifCJK-Bold.ttc", true))].into(),
            fallback: Vec::new(),
            quote: Default::default(),
            mono: None,
            mono_bold: None,
        }
    }

    fn meta(title: &str) -> BookMeta {
        BookMeta {
            title: title.into(),
            subtitle: Some("作风建设与基层组织力专题".into()),
            authors: vec![],
            editor: Some("编辑组".into()),
            publisher: Some("某出版社".into()),
            lang: Lang {
                tag: "zh-Hans".into(),
            },
            date: None,
            edition: Some("第一版".into()),
            description: None,
            subjects: vec![],
            identifier: String::new(),
            modified: 0,
            cover: None,
        }
    }

    #[test]
    fn a_long_title_is_broken_into_even_lines_never_before_a_closing_mark() {
        let faces = faces();
        let fonts = drawing::Fonts::new(faces.bold.values());
        let title = "关于进一步加强和改进新时代基层党组织建设工作的若干意见（试行）";
        let lines = fonts.wrap(title, 170.0, 1200.0);
        assert_eq!(lines.concat(), title);
        assert!(lines.len() >= 2, "{lines:?}");
        let widths: Vec<f32> = lines.iter().map(|l| fonts.width(l, 170.0)).collect();
        assert!(widths.iter().all(|&w| w <= 1200.0), "{widths:?}");
        // Even: the last line is not a stub.
        let last = *widths.last().unwrap();
        assert!(last >= 0.5 * widths[0], "{lines:?}");
        assert!(lines.iter().all(|l| !l.starts_with('）')), "{lines:?}");
        // Two short words: one line.
        assert_eq!(fonts.wrap("学习读本", 170.0, 1200.0), ["学习读本"]);
    }

    #[test]
    fn the_generated_cover_holds_the_metadata_in_the_book_s_faces() {
        let faces = faces();
        let style = CoverStyle::default();
        let d = generate(&meta("组织工作学习读本"), &faces, &style, design::HEIGHT);
        assert_eq!((d.width, d.height), (design::WIDTH, design::HEIGHT));
        assert_eq!(
            d.text,
            [
                "组织工作",
                "学习读本",
                "作风建设与基层组织力专题",
                "第一版",
                "编辑组　编",
                "某出版社"
            ]
        );
        // Every shape lies on the canvas.
        for shape in &d.shapes {
            for seg in &shape.path {
                if let Seg::Move(x, y) | Seg::Line(x, y) = *seg {
                    assert!((0.0..=d.width).contains(&x) && (0.0..=d.height).contains(&y));
                }
            }
        }
        let png = raster::png(&d).unwrap();
        let image = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(image.dimensions(), (1600, 2560));
        assert_eq!(image.get_pixel(5, 5).0, [0x8c, 0x1c, 0x13], "background");
        // The title's glyphs are in the text colour.
        let fg = style.foreground.0;
        let inked = image.pixels().filter(|p| p.0 == [fg.0, fg.1, fg.2]).count();
        assert!(inked > 20_000, "{inked} pixels of text");
        // Another title, another cover; the same, the same bytes.
        assert_eq!(
            png,
            raster::png(&generate(
                &meta("组织工作学习读本"),
                &faces,
                &style,
                design::HEIGHT
            ))
            .unwrap()
        );
        assert_ne!(
            png,
            raster::png(&generate(&meta("作风建设"), &faces, &style, design::HEIGHT)).unwrap()
        );
    }

    #[test]
    fn colours_and_designs_parse() {
        assert_eq!(Rgb::parse("#8c1c13"), Some(Rgb(0x8c, 0x1c, 0x13)));
        assert!(Rgb::parse("red").is_none() && Rgb::parse("#12").is_none());
        let s: CoverStyle = toml::from_str("design = \"band\"\naccent = \"#000000\"").unwrap();
        assert_eq!(s.design, Design::Band);
        assert_eq!(s.accent, Colour(Rgb(0, 0, 0)));
        assert_eq!(s.background, CoverStyle::default().background);
        let e = toml::from_str::<CoverStyle>("accent = \"gold\"").unwrap_err();
        assert!(e.message().contains("`gold` is not a colour"), "{e}");
        assert!(toml::from_str::<CoverStyle>("design = \"poster\"").is_err());
    }
}
