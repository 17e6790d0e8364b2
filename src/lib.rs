//! booklet: Chinese articles and a TOML manifest compiled into a study
//! booklet, as an EPUB 3 e-book and a print PDF.
//!
//! One pipeline: [`manifest`] → [`source`] → one document [`model`] →
//! [`typeset`] (for print) → the outputs, [`pdf`] and [`epub`], each behind a
//! [`render::Renderer`]; they share the [`style`] and [`fonts`].

pub mod build;
pub mod cache;
pub mod characters;
pub mod cjk;
pub mod clean;
pub mod convert;
pub mod cover;
pub mod crash;
pub mod dates;
pub mod diag;
pub mod edition;
pub mod editions;
pub mod epub;
pub mod fonts;
#[doc(hidden)]
pub mod fuzzing;
pub mod image;
pub mod import;
pub mod impose;
pub mod init;
pub mod input;
pub mod labels;
pub mod lang;
pub mod manifest;
pub mod memo;
pub mod memory;
pub mod model;
pub mod notes;
pub mod output;
pub mod par;
pub mod pdf;
pub mod prepared;
pub mod proofread;
pub mod render;
pub mod scheme;
pub mod serve;
pub mod source;
pub mod style;
pub mod typeset;
pub mod watch;
pub mod xmltext;
