//! The cover page at the front of the print edition: the manifest's cover
//! image or the generated cover, fitted whole into the page (its
//! proportion kept, centred), then a blank verso (the inside of the
//! cover), so that the title page stays a right-hand page.

use std::sync::Arc;

use super::geometry::{Geometry, Point, Size};
use super::page::{CoverArt, Draw, Page};
use super::structure::Tag;
use crate::cover::Drawing;
use crate::image::Picture;

/// The pages the cover takes: itself and its verso.
pub const COVER_PAGES: usize = 2;

/// What the cover page shows.
pub enum FrontCover {
    Picture(Arc<Picture>),
    Drawing(Arc<Drawing>),
}

/// The cover page and its verso, the cover drawn as `tag`; a picture
/// joins the book's `pictures`.
pub fn pages(
    cover: FrontCover,
    geo: &Geometry,
    pictures: &mut Vec<Arc<Picture>>,
    tag: Tag,
) -> Vec<Page> {
    let ((width, height), art) = match cover {
        FrontCover::Picture(p) => {
            let natural = p.natural;
            pictures.push(p);
            (natural, CoverArt::Picture(pictures.len() as u32 - 1))
        }
        FrontCover::Drawing(d) => ((d.width, d.height), CoverArt::Drawing(d)),
    };
    // Extents along the inline and block axes, the page's and the art's.
    let (page, art_extent) = if geo.flow.inline.is_horizontal() {
        ((geo.page_w, geo.page_h), (width, height))
    } else {
        ((geo.page_h, geo.page_w), (height, width))
    };
    let scale = (page.0 / art_extent.0.max(1e-3)).min(page.1 / art_extent.1.max(1e-3));
    let size = Size::new(art_extent.0 * scale, art_extent.1 * scale);
    let at = Point::new((page.0 - size.inline) / 2.0, (page.1 - size.block) / 2.0);
    vec![
        Page {
            draws: vec![Draw::Cover { at, size, art, tag }],
            recto: true,
            ..Page::default()
        },
        Page {
            blank: true,
            ..Page::default()
        },
    ]
}
