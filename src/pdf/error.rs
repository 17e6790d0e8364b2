//! Why the PDF could not be written. Everything the writer reads was
//! checked when the book was loaded (sources, pictures, fonts' coverage),
//! so what is left is a font program that cannot be subset, named by its
//! file, and failures that are bugs.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfError {
    /// A face's program could not be subset (damaged outlines).
    Subset {
        font: PathBuf,
        family: String,
        reason: String,
    },
    /// A picture could not be drawn at the size it prints (the drawing was
    /// checked when the book was read, at a small size).
    Picture(String),
    /// A stream could not be compressed.
    Deflate(String),
    /// printpdf could not serialise a page's operations.
    Content(String),
    /// A worker thread panicked (the crash hook reported the panic).
    Worker,
    /// An object was reserved and never written: a reference would dangle.
    Dangling(u32),
}

impl PdfError {
    /// The file the error is about, if it is about one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            PdfError::Subset { font, .. } => Some(font),
            _ => None,
        }
    }
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::Subset { family, reason, .. } => {
                write!(f, "the font {family} cannot be subset: {reason}")
            }
            PdfError::Picture(e) => write!(f, "a picture cannot be printed: {e}"),
            PdfError::Deflate(e) => write!(f, "a stream cannot be compressed: {e}"),
            PdfError::Content(e) => write!(f, "a page cannot be written: {e}"),
            PdfError::Worker => write!(f, "a worker thread failed"),
            PdfError::Dangling(id) => write!(f, "PDF object {id} was never written"),
        }
    }
}

impl std::error::Error for PdfError {}

impl From<PdfError> for Diagnostic {
    fn from(e: PdfError) -> Diagnostic {
        let d = Diagnostic::error(format!("cannot make the PDF: {e}"));
        match e.file() {
            Some(font) => d.in_file(font),
            None => d,
        }
    }
}

impl From<crate::par::Panicked> for PdfError {
    fn from(_: crate::par::Panicked) -> PdfError {
        PdfError::Worker
    }
}
