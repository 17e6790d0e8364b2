//! The print PDF back end: the pages [`crate::typeset`] made, written with
//! printpdf, which draws glyphs but lays out nothing.
//!
//! [`Typeset`] pages → [`write`](mod@write) (printpdf; unchanged pages
//! from [`streams`]) → [`post`] (lopdf; fonts by [`fontfile`]) → bytes.
//! [`reuse`] keeps set paragraphs between builds for the typesetter.

pub mod embed;
pub mod fontfile;
pub mod post;
pub mod reuse;
pub mod streams;
pub mod write;

use std::sync::Arc;

use crate::cache::Cache;
use crate::model::BookMeta;
use crate::typeset::fontset::FontSet;
use crate::typeset::Typeset;
use post::{Finish, OutlineEntry};

/// Writes the typeset book, its pages set in `fonts`.
pub fn write(
    set: &Typeset,
    fonts: &FontSet<'_>,
    meta: &BookMeta,
    cache: &Arc<Cache>,
) -> Result<Vec<u8>, String> {
    let geo = &set.geo;
    let anchors: Vec<write::AnchorPos> = set
        .anchors
        .iter()
        .map(|p| p.map(|p| (p.page, p.y)))
        .collect();
    let written = write::write(&set.pages, geo, fonts, &anchors, &meta.title, cache)?;
    let outline: Vec<OutlineEntry> = set
        .bookmarks
        .iter()
        .map(|b| OutlineEntry {
            level: b.level,
            title: b.title.clone(),
            page: b.at.page,
            top: geo.page_h - b.at.y + geo.em,
        })
        .collect();
    let producer = format!(
        "booklet {} (printpdf 0.12.8, lopdf 0.44)",
        env!("CARGO_PKG_VERSION")
    );
    let saving_pages = written.saving;
    let bytes = post::finish(
        written.doc,
        written.fonts,
        &Finish {
            meta,
            outline: &outline,
            front_pages: set.front_pages,
            images: &set.images,
            placements: &written.images,
            shifted: &written.shifted,
            producer: &producer,
            cache,
        },
    );
    if let Some(saving) = saving_pages {
        // A saver that panicked is a bug like any other: it is reported.
        if let Err(panic) = saving.join() {
            std::panic::resume_unwind(panic);
        }
    }
    bytes
}
