//! The page and its text block on a grid of lines (版心: a whole number of
//! characters wide and of lines high), and the axes positions are given
//! along: the inline axis, along which a line runs, and the block axis,
//! along which lines stack. Horizontal text runs left to right and stacks
//! top to bottom; vertical text (later) runs top to bottom and stacks right
//! to left. The typesetter works in these axes only; a writer maps them to
//! its own coordinates (PDF's y grows upwards).

use super::Error;
use crate::style::Style;

pub const PT_PER_MM: f32 = 72.0 / 25.4;
/// Where the baseline sits below the top of an ideograph's em box (Noto and
/// most CJK fonts put the ideographic em box from −0.12 to 0.88 em).
pub const ASCENT: f32 = 0.88;

/// A direction along one axis of the page (typst's `Dir`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Left to right.
    Ltr,
    /// Right to left.
    Rtl,
    /// Top to bottom.
    Ttb,
    /// Bottom to top.
    Btt,
}

impl Dir {
    pub fn is_horizontal(self) -> bool {
        matches!(self, Dir::Ltr | Dir::Rtl)
    }

    /// Whether positions grow towards the right or the bottom edge.
    pub fn is_positive(self) -> bool {
        matches!(self, Dir::Ltr | Dir::Ttb)
    }
}

/// How text flows on the page: the inline direction (a line's) and the
/// block direction (lines after lines); one horizontal, one vertical.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    pub inline: Dir,
    pub block: Dir,
}

impl Flow {
    /// Horizontal lines stacked top to bottom (横排).
    pub const HORIZONTAL: Flow = Flow {
        inline: Dir::Ltr,
        block: Dir::Ttb,
    };
    /// Vertical lines stacked right to left (竖排).
    pub const VERTICAL: Flow = Flow {
        inline: Dir::Ttb,
        block: Dir::Rtl,
    };
}

/// A position: how far along the inline axis from its start edge, and
/// along the block axis from its start edge.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    pub inline: f32,
    pub block: f32,
}

impl Point {
    pub fn new(inline: f32, block: f32) -> Point {
        Point { inline, block }
    }

    /// This point, measured from `origin` instead.
    pub fn offset(self, origin: Point) -> Point {
        Point::new(self.inline + origin.inline, self.block + origin.block)
    }
}

/// An extent along the inline and the block axis.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Size {
    pub inline: f32,
    pub block: f32,
}

impl Size {
    pub fn new(inline: f32, block: f32) -> Size {
        Size { inline, block }
    }
}

/// The page and its text block, in points.
#[derive(Debug, Clone, Copy)]
pub struct Geometry {
    pub flow: Flow,
    /// The page's physical width and height (for a writer's page box).
    pub page_w: f32,
    pub page_h: f32,
    /// Margins at the inline start of a right-hand page and of a
    /// left-hand page (the binding and the fore-edge).
    pub inner: f32,
    pub outer: f32,
    /// Margins at the block start and end (head and foot).
    pub block_start: f32,
    pub block_end: f32,
    /// The text block's extent along the inline axis.
    pub measure: f32,
    /// Lines per page.
    pub slots: u16,
    pub pitch: f32,
    pub em: f32,
}

impl Geometry {
    pub fn new(style: &Style) -> Result<Geometry, Error> {
        let (w, h) = style.page.size_mm().map_err(|reason| Error::PageSize {
            size: style.page.size.clone(),
            reason,
            file: None,
        })?;
        let p = &style.page;
        let (page_w, page_h) = (w * PT_PER_MM, h * PT_PER_MM);
        let em = style.text.body_size_pt;
        let pitch = em * style.text.line_height;
        let (mut inner, mut outer) = (p.margin_inner_mm * PT_PER_MM, p.margin_outer_mm * PT_PER_MM);
        let (mut top, mut bottom) = (p.margin_top_mm * PT_PER_MM, p.margin_bottom_mm * PT_PER_MM);
        // A whole number of characters per line, so that a line of
        // ideographs needs no justification; the rest goes to the margins.
        let avail_w = page_w - inner - outer;
        let chars = (avail_w / em + 1e-3).floor().max(4.0);
        let text_w = chars * em;
        let spare = (avail_w - text_w).max(0.0);
        let share = if inner + outer > 0.0 {
            inner / (inner + outer)
        } else {
            0.5
        };
        inner += spare * share;
        outer += spare * (1.0 - share);
        let avail_h = page_h - top - bottom;
        let slots = ((avail_h - em) / pitch + 1e-3).floor().max(2.0) + 1.0;
        let spare = (avail_h - (slots - 1.0) * pitch - em).max(0.0);
        top += spare / 2.0;
        bottom += spare / 2.0;
        Ok(Geometry {
            flow: Flow::HORIZONTAL,
            page_w,
            page_h,
            inner,
            outer,
            block_start: top,
            block_end: bottom,
            measure: text_w,
            slots: slots as u16,
            pitch,
            em,
        })
    }

    /// The page's extent along the block axis.
    pub fn page_block(&self) -> f32 {
        if self.flow.block.is_horizontal() {
            self.page_w
        } else {
            self.page_h
        }
    }

    /// Inline-start edge of the text block on a right-hand (odd) or
    /// left-hand page.
    pub fn inline_start(&self, recto: bool) -> f32 {
        if recto {
            self.inner
        } else {
            self.outer
        }
    }

    /// Baseline of a body line in a band, from the band's top.
    pub fn baseline(&self) -> f32 {
        ASCENT * self.em
    }

    /// Where the text block ends along the block axis (the last line's
    /// em box).
    pub fn text_end(&self) -> f32 {
        self.block_start + (self.slots - 1) as f32 * self.pitch + self.em
    }
}
