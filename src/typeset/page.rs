//! What is drawn on a page: the galley's items, whole pages, where
//! anchors landed, and the footnotes waiting for their page.

use std::sync::Arc;

use super::geometry::{Point, Size};
use super::line::Line;
use super::paragraph::LinkTarget;
use super::structure::{NodeId, Span, Tag};
use crate::cover::Drawing;

/// Something drawn on a page. Positions are along the page's inline and
/// block axes (see [`Flow`](super::geometry::Flow)), from the start edges of whatever holds them
/// (an item's band, then the page); only a writer turns them into its own
/// coordinates. Each says what it is in the book's
/// [`Structure`](super::structure::Structure): a node's content, or page
/// furniture.
#[derive(Debug, Clone)]
pub enum Draw {
    /// A line of text, `at` the start of its baseline; `spans` of its
    /// glyphs belong to nodes below `tag`'s (links, footnote marks).
    Text {
        at: Point,
        /// Shared: pagination may pour a page twice (spreads), and a page
        /// holds its lines, so they are handed out, not copied.
        line: Arc<Line>,
        tag: Tag,
        spans: Vec<Span>,
    },
    Rule {
        from: Point,
        to: Point,
        width: f32,
        tag: Tag,
    },
    /// A light tint behind text (code) between two opposite corners:
    /// page furniture, painted before any text.
    Tint { from: Point, to: Point },
    /// An image, `at` its inline-start, block-start corner.
    Image {
        at: Point,
        size: Size,
        image: u32,
        tag: Tag,
    },
    /// A clickable area between two opposite corners, and the link node
    /// it belongs to.
    Link {
        from: Point,
        to: Point,
        target: Target,
        node: Option<NodeId>,
    },
    /// The book's cover, `at` its inline-start, block-start corner: the
    /// only drawing on the first page.
    Cover {
        at: Point,
        size: Size,
        art: CoverArt,
        tag: Tag,
    },
}

/// What the cover page shows.
#[derive(Debug, Clone)]
pub enum CoverArt {
    /// The manifest's `cover` image: a picture of the book, by number,
    /// like [`Draw::Image`]'s.
    Picture(u32),
    /// The generated cover, drawn over the whole page in its background
    /// colour.
    Drawing(Arc<Drawing>),
}

impl Draw {
    /// A line of text that is all `tag`'s.
    pub fn text(at: Point, line: impl Into<Arc<Line>>, tag: Tag) -> Draw {
        Draw::Text {
            at,
            line: line.into(),
            tag,
            spans: Vec::new(),
        }
    }

    /// The drawing with its nodes renumbered by `offset`.
    pub(super) fn renumbered(mut self, offset: NodeId) -> Draw {
        match &mut self {
            Draw::Text { tag, spans, .. } => {
                *tag = tag.offset(offset);
                for s in spans {
                    s.node += offset;
                }
            }
            Draw::Rule { tag, .. } | Draw::Image { tag, .. } | Draw::Cover { tag, .. } => {
                *tag = tag.offset(offset)
            }
            Draw::Link { node, .. } => *node = node.map(|n| n + offset),
            Draw::Tint { .. } => {}
        }
        self
    }

    pub(super) fn shifted(mut self, by: Point) -> Draw {
        match &mut self {
            Draw::Text { at, .. } | Draw::Image { at, .. } | Draw::Cover { at, .. } => {
                *at = at.offset(by)
            }
            Draw::Rule { from, to, .. } | Draw::Link { from, to, .. } | Draw::Tint { from, to } => {
                *from = from.offset(by);
                *to = to.offset(by);
            }
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Uri(String),
    /// An anchor (heading, article, footnote), resolved once placed.
    Anchor(u32),
}

impl From<&LinkTarget> for Target {
    fn from(t: &LinkTarget) -> Target {
        match t {
            LinkTarget::Uri(u) => Target::Uri(u.clone()),
            LinkTarget::Footnote(n) => Target::Uri(format!("#fn{n}")),
        }
    }
}

/// A line's place in its paragraph, for widow and orphan control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParaPos {
    pub index: u16,
    pub count: u16,
}

/// One entry of the galley: a band of whole grid lines.
#[derive(Debug, Clone, Default)]
pub struct Item {
    /// Grid lines taken.
    pub band: u16,
    /// Relative to the text block's left edge and the band's top.
    pub draws: Vec<Draw>,
    pub para: Option<ParaPos>,
    /// Never the last item on a page (headings, titles).
    pub keep_next: bool,
    /// A heading's band: a picture waiting for the next page is not
    /// carried past it into the next section.
    pub heading: bool,
    /// A picture: when it does not fit in the rest of a page, it goes to
    /// the top of the next one (with its caption, the items it keeps with)
    /// and the text after it fills the page.
    pub figure: bool,
    /// Dropped at the top of a page (space between blocks).
    pub discardable: bool,
    /// Anchors placed at this item's top.
    pub anchors: Vec<u32>,
    /// Footnotes marked in this item.
    pub notes: Vec<u32>,
    /// Starts a new page: an article, whose index is given.
    pub starts_article: Option<usize>,
    /// A table's row (or its header): what a page break inside its table
    /// draws.
    pub table: Option<Arc<TableBreak>>,
}

/// What a table draws where a page breaks inside it, shared by its rows.
#[derive(Debug, Clone, Default)]
pub struct TableBreak {
    /// The header band, page furniture this time, with the table's top
    /// rule: repeated at the top of every page the table goes on to.
    pub head: Item,
    /// The table's bottom rule, from the bottom of the last row a page
    /// holds when the table goes on after it.
    pub close: Vec<Draw>,
}

/// A finished page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub draws: Vec<Draw>,
    /// Right-hand page.
    pub recto: bool,
    /// The article on the page (for the running head), if any.
    pub article: Option<usize>,
    /// The page opens an article (no running head there).
    pub opening: bool,
    pub blank: bool,
}

/// Where an anchor was placed: page index (in its sequence) and where its
/// band begins along the block axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub page: usize,
    pub block: f32,
}

/// Footnote bodies, already set, by number: each line's inline offset,
/// the line, and what it is.
pub type NoteLines = std::collections::BTreeMap<(usize, u32), Vec<(f32, Line, Tag)>>;

/// Settings of the footnote area.
#[derive(Debug, Clone, Copy)]
pub struct NoteStyle {
    pub pitch: f32,
    pub size: f32,
}
