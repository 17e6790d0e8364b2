//! What the orchestrator hands every back end: one edition, prepared.

use std::sync::Arc;

use crate::cache::Cache;
use crate::characters::Characters;
use crate::editions::Writing;
use crate::fonts::{Faces, FontBook};
use crate::image::Library;
use crate::manifest::Manifest;
use crate::model::Book;
use crate::style::Style;

/// Everything the back ends need for one edition.
pub struct Prepared {
    /// The manifest as this edition sees it.
    pub manifest: Manifest,
    pub style: Style,
    pub fonts: Arc<FontBook>,
    pub faces: Faces,
    /// The book, converted for this edition.
    pub book: Book,
    pub characters: Characters,
    pub cache: Arc<Cache>,
    pub writing: Writing,
    pub images: Arc<Library>,
    /// The edition is printed too (it makes a PDF): the EPUB then carries
    /// the print pages' list.
    pub print: bool,
}
