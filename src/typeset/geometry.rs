//! The page and its text block on a grid of lines (版心: a whole number of
//! characters wide and of lines high).

use super::Error;
use crate::style::Style;

pub const PT_PER_MM: f32 = 72.0 / 25.4;
/// Where the baseline sits below the top of an ideograph's em box (Noto and
/// most CJK fonts put the ideographic em box from −0.12 to 0.88 em).
pub const ASCENT: f32 = 0.88;

/// The page and its text block, in points.
#[derive(Debug, Clone, Copy)]
pub struct Geometry {
    pub page_w: f32,
    pub page_h: f32,
    pub inner: f32,
    pub outer: f32,
    pub top: f32,
    pub bottom: f32,
    pub text_w: f32,
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
            page_w,
            page_h,
            inner,
            outer,
            top,
            bottom,
            text_w,
            slots: slots as u16,
            pitch,
            em,
        })
    }

    /// Left edge of the text block on a right-hand (odd) or left-hand page.
    pub fn left(&self, recto: bool) -> f32 {
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

    /// Bottom of the text block (the last line's em box).
    pub fn block_bottom(&self) -> f32 {
        self.top + (self.slots - 1) as f32 * self.pitch + self.em
    }
}
