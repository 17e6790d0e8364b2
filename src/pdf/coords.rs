//! Where the typesetter's positions land on a PDF page: the one place
//! that maps the inline and block axes to PDF's coordinates (points from
//! the page's bottom-left corner, y upwards). Lines of text are drawn
//! horizontally; a vertical flow will need vertical glyph runs as well.

use crate::typeset::geometry::{Geometry, Point, Size};

/// `p` in PDF coordinates.
pub fn point(geo: &Geometry, p: Point) -> (f32, f32) {
    let flow = geo.flow;
    let (across, across_dir, down, down_dir) = if flow.inline.is_horizontal() {
        (p.inline, flow.inline, p.block, flow.block)
    } else {
        (p.block, flow.block, p.inline, flow.inline)
    };
    let x = if across_dir.is_positive() {
        across
    } else {
        geo.page_w - across
    };
    let from_top = if down_dir.is_positive() {
        down
    } else {
        geo.page_h - down
    };
    (x, geo.page_h - from_top)
}

/// The rectangle between two opposite corners as PDF writes one:
/// `[left, bottom, right, top]`.
pub fn corners(geo: &Geometry, from: Point, to: Point) -> [f32; 4] {
    let (a, b) = (point(geo, from), point(geo, to));
    [a.0.min(b.0), a.1.min(b.1), a.0.max(b.0), a.1.max(b.1)]
}

/// The rectangle of `size` from its start corner `at`: `[x, y, width,
/// height]` with (x, y) its bottom-left corner.
pub fn area(geo: &Geometry, at: Point, size: Size) -> [f32; 4] {
    let far = Point::new(at.inline + size.inline, at.block + size.block);
    let (a, b) = (point(geo, at), point(geo, far));
    let (w, h) = physical(geo, (size.inline, size.block));
    [a.0.min(b.0), a.1.min(b.1), w, h]
}

/// (width, height) of extents along (inline, block).
fn physical(geo: &Geometry, (inline, block): (f32, f32)) -> (f32, f32) {
    if geo.flow.inline.is_horizontal() {
        (inline, block)
    } else {
        (block, inline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::geometry::Flow;

    fn geo(flow: Flow) -> Geometry {
        Geometry {
            flow,
            page_w: 400.0,
            page_h: 600.0,
            inner: 50.0,
            outer: 40.0,
            block_start: 60.0,
            block_end: 60.0,
            measure: 300.0,
            slots: 30,
            pitch: 16.0,
            em: 10.0,
        }
    }

    #[test]
    fn horizontal_text_starts_top_left_and_pdf_y_grows_upwards() {
        let g = geo(Flow::HORIZONTAL);
        assert_eq!(point(&g, Point::new(0.0, 0.0)), (0.0, 600.0));
        assert_eq!(point(&g, Point::new(30.0, 100.0)), (30.0, 500.0));
        // A box from (30, 100), 50 wide and 15 high: its bottom at 600 − 115.
        let a = area(&g, Point::new(30.0, 100.0), Size::new(50.0, 15.0));
        assert_eq!(a, [30.0, 485.0, 50.0, 15.0]);
        let c = corners(&g, Point::new(30.0, 100.0), Point::new(80.0, 115.0));
        assert_eq!(c, [30.0, 485.0, 80.0, 500.0]);
    }

    #[test]
    fn vertical_text_runs_down_and_stacks_from_the_right() {
        let g = geo(Flow::VERTICAL);
        // The first line is at the right edge, running down from the top.
        assert_eq!(point(&g, Point::new(0.0, 0.0)), (400.0, 600.0));
        assert_eq!(point(&g, Point::new(100.0, 30.0)), (370.0, 500.0));
        // 50 along the line (down) and 15 across lines (leftwards).
        let r = area(&g, Point::new(100.0, 30.0), Size::new(50.0, 15.0));
        assert_eq!(r, [355.0, 450.0, 15.0, 50.0]);
        let c = corners(&g, Point::new(100.0, 30.0), Point::new(150.0, 45.0));
        assert_eq!(c, [355.0, 450.0, 370.0, 500.0]);
    }
}
