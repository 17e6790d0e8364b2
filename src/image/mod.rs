//! The book's pictures, each read, recognised by its bytes, decoded and
//! checked once, before either back end runs: a damaged file is an error at
//! the line that shows it, never a broken stream in an output.
//!
//! - [`format`]: what a file is (PNG, JPEG, GIF, WebP, SVG);
//! - [`raster`]: bitmaps decoded (the `image` crate) into what the PDF
//!   carries, and WebP re-encoded as PNG for e-readers;
//! - [`vector`]: SVG parsed (usvg) and drawn at print resolution (resvg);
//! - [`remote`]: `http(s)://` pictures downloaded once and kept;
//! - [`library`]: all of it for a whole book, with the diagnostics.

pub mod format;
pub mod library;
pub mod raster;
pub mod remote;
pub mod vector;

pub use format::{sniff, Format, ImageInfo};
pub use library::{Library, Picture};
pub use raster::{PdfImage, PdfImageKind};
