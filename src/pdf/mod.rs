//! The print PDF back end: the pages [`crate::typeset`] made, written with
//! printpdf, which draws glyphs but lays out nothing.
//!
//! [`Typeset`] pages → [`write`](mod@write) (pages streamed into a
//! [`file`], fonts by [`embed`] and [`fontfile`], the document's own
//! objects by [`post`], every stream through [`deflate`]) → bytes. [`reuse`] keeps set paragraphs between
//! builds for the typesetter.

pub mod conformance;
pub mod coords;
pub mod deflate;
pub mod embed;
pub mod error;
pub mod file;
pub mod fontfile;
pub mod post;
pub mod reuse;
pub mod tagged;
pub mod write;

use std::sync::Arc;

use crate::cache::Cache;
use crate::model::BookMeta;
use crate::typeset::fontset::FontSet;
use crate::typeset::geometry::Point;
use crate::typeset::Typeset;
pub use error::PdfError;
use post::OutlineEntry;

/// Writes the typeset book, its pages set in `fonts`.
pub fn write(
    set: &Typeset,
    fonts: &FontSet<'_>,
    meta: &BookMeta,
    cache: &Arc<Cache>,
    standard: conformance::Standard,
) -> Result<Vec<u8>, PdfError> {
    let tagged = standard.tagged();
    let geo = &set.geo;
    let anchors: Vec<write::AnchorPos> = set
        .anchors
        .iter()
        .map(|p| p.map(|p| (p.page, p.block)))
        .collect();
    let written = write::pages(&write::Book {
        pages: &set.pages,
        geo,
        fonts,
        anchors: &anchors,
        cache,
        structure: tagged.then_some((&set.structure, set.root)),
    })?;
    let outline: Vec<OutlineEntry> = set
        .bookmarks
        .iter()
        .map(|b| OutlineEntry {
            level: b.level,
            title: b.title.clone(),
            page: b.at.page,
            top: coords::point(geo, Point::new(0.0, b.at.block)).1 + geo.em,
        })
        .collect();
    let producer = format!("booklet {} (printpdf 0.12.8)", env!("CARGO_PKG_VERSION"));
    write::finish(
        written,
        &set.images,
        cache,
        &post::Finish {
            meta,
            outline: &outline,
            front_pages: set.front_pages,
            cover_pages: set.cover_pages,
            producer: &producer,
            structure: tagged.then_some(&set.structure),
            standard,
        },
    )
}
