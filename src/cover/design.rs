//! The generated cover's designs: where the title, subtitle, edition,
//! names and publisher go, over which rules and bands, on a canvas 1600
//! wide: 2560 high for the EPUB's cover image, the page's proportion for
//! the PDF's first page.

use super::drawing::{Drawing, Fonts, Rgb};
use super::{CoverStyle, Design};
use crate::lang::Script;
use crate::model::BookMeta;

pub const WIDTH: f32 = 1600.0;
/// The EPUB cover image's height (the size Kindle and Kobo ask for).
pub const HEIGHT: f32 = 2560.0;

/// The regular and bold faces of the cover's text.
pub struct Type<'a> {
    pub regular: Fonts<'a>,
    pub bold: Fonts<'a>,
}

/// Lays out the cover of `meta` in `style`'s design and colours, on a
/// canvas `WIDTH` wide and `height` high.
pub fn draw(meta: &BookMeta, style: &CoverStyle, fonts: &Type, height: f32) -> Drawing {
    let (bg, fg, accent) = (style.background.0, style.foreground.0, style.accent.0);
    let mut d = Drawing::new(WIDTH, height, bg);
    let margin = 200.0;
    let measure = WIDTH - 2.0 * margin;
    let cx = WIDTH / 2.0;
    // Colours of the title block and of the rest: a band design sets the
    // title in the background colour on an accent band.
    let (title_colour, rest_colour) = match style.design {
        Design::Band => (bg, fg),
        _ => (fg, fg),
    };
    let (title_top, title_bottom) = (height * 0.2, height * 0.56);
    match style.design {
        Design::Frame => {
            let outer = 80.0;
            let inner = 104.0;
            frame(&mut d, outer, 8.0, accent);
            frame(&mut d, inner, 3.0, accent);
            d.rect(margin, title_top, measure, 4.0, accent);
            d.rect(margin, title_bottom, measure, 4.0, accent);
        }
        Design::Band => {
            d.rect(0.0, title_top, WIDTH, title_bottom - title_top, accent);
            d.rect(0.0, title_bottom + 24.0, WIDTH, 8.0, accent);
        }
        Design::Plain => {
            d.rect(margin, title_top, measure, 3.0, accent);
            d.rect(margin, title_bottom, measure, 3.0, accent);
        }
    }

    // The title as large as three lines allow, then the subtitle, centred
    // together between the rules.
    let mut size = 170.0;
    let mut title = fonts.bold.wrap(&meta.title, size, measure);
    while title.len() > 3 && size > 80.0 {
        size *= 0.9;
        title = fonts.bold.wrap(&meta.title, size, measure);
    }
    let pitch = size * 1.3;
    let sub_size = 76.0;
    let subtitle = meta
        .subtitle
        .as_deref()
        .map(|s| fonts.regular.wrap(s, sub_size, measure))
        .unwrap_or_default();
    let sub_pitch = sub_size * 1.45;
    let block = title.len() as f32 * pitch
        + if subtitle.is_empty() {
            0.0
        } else {
            sub_size * 1.2 + subtitle.len() as f32 * sub_pitch
        };
    let mut y = (title_top + title_bottom) / 2.0 - block / 2.0 + size * 1.05;
    for line in &title {
        fonts.bold.centred(&mut d, line, size, cx, y, title_colour);
        y += pitch;
    }
    if !subtitle.is_empty() {
        // From the last title baseline: its descent, then a gap.
        y += size * 0.4 + sub_size * 1.3 - pitch;
        for line in &subtitle {
            fonts
                .regular
                .centred(&mut d, line, sub_size, cx, y, title_colour);
            y += sub_pitch;
        }
    }

    if let Some(edition) = &meta.edition {
        let colour = if style.design == Design::Band {
            fg
        } else {
            accent
        };
        fonts
            .regular
            .centred(&mut d, edition, 64.0, cx, title_top - 90.0, colour);
    }
    let mut y = title_bottom + 260.0;
    for line in people(meta)
        .iter()
        .flat_map(|p| fonts.regular.wrap(p, 80.0, measure))
    {
        fonts
            .regular
            .centred(&mut d, &line, 80.0, cx, y, rest_colour);
        y += 80.0 * 1.5;
    }
    if let Some(publisher) = &meta.publisher {
        let colour = if style.design == Design::Frame {
            accent
        } else {
            fg
        };
        fonts
            .regular
            .centred(&mut d, publisher, 68.0, cx, height - 300.0, colour);
    }
    d
}

/// The names under the title: the authors, else the editor with 编.
fn people(meta: &BookMeta) -> Vec<String> {
    if !meta.authors.is_empty() {
        return vec![meta.authors.join("　")];
    }
    let label = match meta.lang.script() {
        Script::Hans => "编",
        Script::Hant => "編",
    };
    meta.editor
        .iter()
        .map(|e| format!("{e}　{label}"))
        .collect()
}

/// A rectangular frame `inset` from the edges, `line` thick.
fn frame(d: &mut Drawing, inset: f32, line: f32, colour: Rgb) {
    let height = d.height;
    let (w, h) = (WIDTH - 2.0 * inset, height - 2.0 * inset);
    d.rect(inset, inset, w, line, colour);
    d.rect(inset, height - inset - line, w, line, colour);
    d.rect(inset, inset, line, h, colour);
    d.rect(WIDTH - inset - line, inset, line, h, colour);
}
