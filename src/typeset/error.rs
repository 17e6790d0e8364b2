//! What can stop the typesetter, with where it happened.

use std::fmt;
use std::path::PathBuf;

use crate::diag::Diagnostic;

#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The page size the style asks for cannot be read.
    PageSize {
        size: String,
        reason: String,
        /// The manifest or style that sets it.
        file: Option<PathBuf>,
    },
    /// A face chosen for the book cannot be read for shaping.
    Face {
        path: PathBuf,
        index: u32,
        reason: String,
    },
}

impl Error {
    /// The error, said to come from `file` when it names no file itself.
    pub fn in_file(self, file: &std::path::Path) -> Error {
        match self {
            Error::PageSize {
                size,
                reason,
                file: None,
            } => Error::PageSize {
                size,
                reason,
                file: Some(file.to_path_buf()),
            },
            other => other,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::PageSize { size, reason, .. } => {
                write!(f, "cannot set pages of size `{size}`: {reason}")
            }
            Error::Face {
                path,
                index,
                reason,
            } => write!(
                f,
                "cannot read face {index} of `{}` for shaping: {reason}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<Error> for Diagnostic {
    fn from(e: Error) -> Diagnostic {
        let message = format!("cannot make the PDF: {e}");
        match e {
            Error::PageSize { file, .. } => {
                let d = Diagnostic::error(message)
                    .with_hint("give `page` as A4, A5, A6, B5, B6, 16K, 32K or WIDTHxHEIGHT in mm");
                match file {
                    Some(file) => d.in_file(file),
                    None => d,
                }
            }
            Error::Face { path, .. } => Diagnostic::error(message)
                .in_file(path)
                .with_hint("replace the font file, or name another family under [fonts]"),
        }
    }
}
