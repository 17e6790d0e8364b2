//! The typesetter: Chinese text set on pages, with no knowledge of PDF.
//!
//! model → [`layout`] (paragraphs through [`shape`], [`breaks`],
//! [`linebreak`] and [`line`](mod@line)) → [`paginate`] (onto the
//! [`geometry`], into [`page`]s) → [`frontmatter`] → pages that
//! [`crate::pdf`] writes.

pub mod breaks;
pub mod fontset;
pub mod frontmatter;
pub mod geometry;
pub mod images;
pub mod layout;
pub mod line;
pub mod linebreak;
pub mod page;
pub mod paginate;
pub mod paragraph;
pub mod shape;
