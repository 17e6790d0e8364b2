//! SVG: parsed with usvg (which proves it well formed) and, for print,
//! drawn by resvg at 300 dpi of the size it is printed at. Text in a drawing is set in the book's fonts,
//! so Chinese labels print. The EPUB carries the SVG itself.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use super::raster::{from_premultiplied, PdfImage};

/// Print resolution of drawings.
const DPI: f32 = 300.0;

/// No side of a drawing's raster goes past this, whatever its nominal size.
const MAX_SIDE: f32 = 6_000.0;

/// A parsed drawing.
pub struct Drawing {
    tree: usvg::Tree,
}

impl Drawing {
    /// Its nominal size in CSS pixels (1/96 in).
    pub fn size(&self) -> (f32, f32) {
        let s = self.tree.size();
        (s.width(), s.height())
    }
}

/// A font file's bytes, shared with the rest of the build.
pub type FontFile = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// Fonts for text in drawings: the book's fonts and the system's, loaded
/// once per build and only when a drawing has text.
pub struct DrawingFonts {
    files: Vec<FontFile>,
    family: String,
    db: OnceLock<Arc<usvg::fontdb::Database>>,
}

impl DrawingFonts {
    /// `files` (the book's fonts) come first; `family` is the face for
    /// text that names none (or names one the machine lacks).
    pub fn new(files: Vec<FontFile>, family: &str) -> DrawingFonts {
        DrawingFonts {
            files,
            family: family.to_string(),
            db: OnceLock::new(),
        }
    }

    fn db(&self) -> Arc<usvg::fontdb::Database> {
        self.db
            .get_or_init(|| {
                let mut db = usvg::fontdb::Database::new();
                for file in &self.files {
                    db.load_font_source(usvg::fontdb::Source::Binary(file.clone()));
                }
                db.load_system_fonts();
                db.set_serif_family(&self.family);
                db.set_sans_serif_family(&self.family);
                Arc::new(db)
            })
            .clone()
    }
}

pub fn parse(bytes: &[u8], fonts: &DrawingFonts) -> Result<Drawing, String> {
    let has_text = bytes.windows(5).any(|w| w == b"<text");
    let options = usvg::Options {
        font_family: fonts.family.clone(),
        fontdb: if has_text { fonts.db() } else { Arc::default() },
        // A drawing may only embed pictures as data URLs: a path would be
        // read from wherever the build runs.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    // usvg panics on some damaged drawings (a zero-sized picture inside a
    // clipped, transformed group): the drawing is bad, booklet is not.
    let tree = crate::crash::shielded(|| usvg::Tree::from_data(bytes, &options))
        .ok_or("the SVG drawing is damaged (its reader gave up on it)")?
        .map_err(|e| format!("it is not a valid SVG drawing ({e})"))?;
    let (w, h) = (tree.size().width(), tree.size().height());
    if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
        return Err("the SVG drawing has no size".into());
    }
    Ok(Drawing { tree })
}

/// The first reference of the drawing to a file outside itself (an
/// `href` that is neither a `#fragment` nor a `data:` URL, links aside):
/// the PDF cannot draw it, and EPUB forbids resources outside the book.
pub fn outside_reference(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let options = usvg::roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = usvg::roxmltree::Document::parse_with_options(text, options).ok()?;
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() != "a")
        .flat_map(|n| n.attributes())
        .filter(|a| a.name() == "href")
        .map(|a| a.value().trim())
        .find(|v| {
            !v.starts_with('#') && !v.get(..5).is_some_and(|s| s.eq_ignore_ascii_case("data:"))
        })
        .map(str::to_string)
}

/// The SVG as an EPUB carries it: without its document type declaration,
/// whose external DTD EPUB 3 forbids (graphviz and Inkscape write one).
pub fn for_epub(bytes: &[u8]) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return bytes.to_vec();
    };
    let Some(start) = text.find("<!DOCTYPE") else {
        return bytes.to_vec();
    };
    let Some(end) = super::format::declaration_end(&text[start..]).map(|e| start + e) else {
        return bytes.to_vec();
    };
    // Illustrator declares namespaces as entities (`xmlns="&ns_svg;"`):
    // spell them out before their declarations go.
    let mut body = text[end..].to_string();
    let mut decls = &text[start..end];
    while let Some(at) = decls.find("<!ENTITY") {
        decls = &decls[at + 8..];
        let mut parts = decls.trim_start().splitn(2, char::is_whitespace);
        let (Some(name), Some(rest)) = (parts.next(), parts.next()) else {
            break;
        };
        let rest = rest.trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if let Some(close) = rest[1..].find(quote) {
            body = body.replace(&format!("&{name};"), &rest[1..1 + close]);
        }
    }
    format!("{}{}", &text[..start], body).into_bytes()
}

/// The drawing at print resolution for `printed` (width and height in
/// points, as the pages draw it; its own size when not given), alpha kept
/// as a soft mask.
pub fn rasterise(drawing: &Drawing, printed: Option<(f32, f32)>) -> Result<PdfImage, String> {
    let (w, h) = drawing.size();
    // CSS pixels are 1/96 in, points 1/72 in.
    let printed_w = printed.map_or(w * 0.75, |(pw, _)| pw);
    let scale = DPI / 72.0 * printed_w / w.max(f32::MIN_POSITIVE);
    draw(drawing, scale.min(MAX_SIDE / w.max(h)))
}

/// Draws `drawing` once at a small size: what cannot be drawn is found
/// when the book is read, where its file and line are known, while the
/// print raster is made only for a PDF, at the size it is printed.
pub fn check(drawing: &Drawing) -> Result<(), String> {
    let (w, h) = drawing.size();
    draw(drawing, (CHECK_SIDE / w.max(h)).min(1.0)).map(|_| ())
}

/// The longest side of the raster that checks a drawing.
const CHECK_SIDE: f32 = 64.0;

fn draw(drawing: &Drawing, scale: f32) -> Result<PdfImage, String> {
    let (w, h) = drawing.size();
    let (pw, ph) = (
        (w * scale).ceil().max(1.0) as u32,
        (h * scale).ceil().max(1.0) as u32,
    );
    let mut pixmap =
        tiny_skia::Pixmap::new(pw, ph).ok_or("the SVG drawing is too large to draw")?;
    crate::crash::shielded(|| {
        resvg::render(
            &drawing.tree,
            tiny_skia::Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        )
    })
    .ok_or("the SVG drawing is damaged (it cannot be drawn)")?;
    Ok(from_premultiplied(pw, ph, pixmap.data()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctype_removed_for_epub() {
        let svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\"\n \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\" [ <!ENTITY a \"b\"> ]>\n<svg/>";
        assert_eq!(
            String::from_utf8(for_epub(svg.as_bytes())).unwrap(),
            "<?xml version=\"1.0\"?>\n\n<svg/>"
        );
        assert_eq!(for_epub(b"<svg/>"), b"<svg/>");
        let ai = "<!DOCTYPE svg [ <!ENTITY ns_svg \"http://www.w3.org/2000/svg\"> ]><svg xmlns=\"&ns_svg;\"/>";
        assert_eq!(
            String::from_utf8(for_epub(ai.as_bytes())).unwrap(),
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
        );
    }
}
