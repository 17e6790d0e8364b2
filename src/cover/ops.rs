//! The generated cover as PDF content-stream operators: the page filled
//! with the background colour, then every outline filled in its colour,
//! the drawing scaled into its box. Quadratic segments (TrueType glyphs)
//! become the cubic curves PDF draws.

use std::fmt::Write as _;

use super::drawing::{Drawing, Rgb, Seg};

/// Operators drawing `d` into the box `[x, y, width, height]` (PDF points,
/// `(x, y)` its bottom-left corner) of a page `page` (width, height) wide,
/// over a fill of the whole page in the background colour, so that a box
/// narrower than the page leaves no paper showing.
pub fn pdf_ops(d: &Drawing, [x, y, w, h]: [f32; 4], page: (f32, f32)) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("q\n");
    fill(&mut out, d.background);
    let _ = writeln!(out, "0 0 {} {} re f", num(page.0), num(page.1));
    // From the box's top-left corner, y down, in tenths of a point (a
    // thirtieth of a millimetre, finer than any printer): whole numbers,
    // the shortest that outlines of the title's glyphs can be written in.
    let _ = writeln!(out, "0.1 0 0 -0.1 {} {} cm", num(x), num(y + h));
    let mut pen = Pen {
        out,
        scale: (10.0 * w / d.width, 10.0 * h / d.height),
    };
    for shape in &d.shapes {
        fill(&mut pen.out, shape.colour);
        let mut current = (0.0, 0.0);
        let mut start = (0.0, 0.0);
        for seg in &shape.path {
            match *seg {
                Seg::Move(x, y) => {
                    pen.op(&[(x, y)], "m");
                    current = (x, y);
                    start = current;
                }
                Seg::Line(x, y) => {
                    pen.op(&[(x, y)], "l");
                    current = (x, y);
                }
                Seg::Quad(x1, y1, x, y) => {
                    // The cubic with the same curve: control points two
                    // thirds of the way to the quadratic's.
                    let c1 = lerp(current, (x1, y1), 2.0 / 3.0);
                    let c2 = lerp((x, y), (x1, y1), 2.0 / 3.0);
                    pen.op(&[c1, c2, (x, y)], "c");
                    current = (x, y);
                }
                Seg::Cubic(x1, y1, x2, y2, x, y) => {
                    pen.op(&[(x1, y1), (x2, y2), (x, y)], "c");
                    current = (x, y);
                }
                Seg::Close => {
                    pen.out.push_str("h\n");
                    current = start;
                }
            }
        }
        // Non-zero winding, as glyphs are filled.
        pen.out.push_str("f\n");
    }
    pen.out.push_str("Q\n");
    pen.out
}

/// Writes path operators with the drawing's pixels scaled to tenths of a
/// point.
struct Pen {
    out: String,
    scale: (f32, f32),
}

impl Pen {
    fn op(&mut self, points: &[(f32, f32)], op: &str) {
        for &(x, y) in points {
            let _ = write!(
                self.out,
                "{} {} ",
                whole(x * self.scale.0),
                whole(y * self.scale.1)
            );
        }
        self.out.push_str(op);
        self.out.push('\n');
    }
}

fn fill(out: &mut String, Rgb(r, g, b): Rgb) {
    let c = |v: u8| num(f32::from(v) / 255.0);
    let _ = writeln!(out, "{} {} {} rg", c(r), c(g), c(b));
}

fn lerp(from: (f32, f32), to: (f32, f32), t: f32) -> (f32, f32) {
    (from.0 + (to.0 - from.0) * t, from.1 + (to.1 - from.1) * t)
}

/// A number as PDF writes one: at most three decimals, no exponent, no
/// trailing zeros (the same number always gives the same bytes).
fn num(v: f32) -> String {
    decimals(v, 3)
}

fn whole(v: f32) -> String {
    decimals(v, 0)
}

fn decimals(v: f32, places: usize) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.places$}");
    let s = if places > 0 {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    match s {
        "-0" | "" => "0".to_string(),
        s => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cover::Shape;

    #[test]
    fn a_drawing_fills_the_page_then_its_outlines_in_the_box() {
        let mut d = Drawing::new(100.0, 200.0, Rgb(255, 0, 0));
        d.rect(10.0, 20.0, 30.0, 40.0, Rgb(0, 0, 255));
        d.shapes.push(Shape {
            colour: Rgb(0, 0, 0),
            path: vec![
                Seg::Move(0.0, 0.0),
                Seg::Quad(30.0, 0.0, 30.0, 30.0),
                Seg::Close,
            ],
        });
        let ops = pdf_ops(&d, [5.0, 0.0, 50.0, 100.0], (60.0, 100.0));
        assert!(
            ops.starts_with("q\n1 0 0 rg\n0 0 60 100 re f\n0.1 0 0 -0.1 5 100 cm\n"),
            "{ops}"
        );
        // Pixels at half scale, in tenths of a point from the box's
        // top-left corner.
        assert!(
            ops.contains("0 0 1 rg\n50 100 m\n200 100 l\n200 300 l\n50 300 l\nh\nf\n"),
            "{ops}"
        );
        // The quadratic's cubic: control points at 2/3 towards (30, 0).
        assert!(
            ops.contains("0 0 m\n100 0 150 50 150 150 c\nh\nf\n"),
            "{ops}"
        );
        assert_eq!((whole(120.2), whole(-0.3)), ("120".into(), "0".into()));
        assert!(ops.ends_with("Q\n"));
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(1.23456), "1.235");
        assert_eq!(num(f32::NAN), "0");
    }
}
