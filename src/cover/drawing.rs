//! A drawing in pixels of the 1600×2560 cover (y down): filled outlines
//! only, so that the PNG for the EPUB and the vectors on the PDF's first
//! page are made from one description.

use crate::fonts::Face;

/// An opaque colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`.
    pub fn parse(s: &str) -> Option<Rgb> {
        let hex = s.trim().strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let v = u32::from_str_radix(hex, 16).ok()?;
        Some(Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Seg {
    Move(f32, f32),
    Line(f32, f32),
    Quad(f32, f32, f32, f32),
    Cubic(f32, f32, f32, f32, f32, f32),
    Close,
}

/// One filled outline (non-zero winding), as glyphs are drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub colour: Rgb,
    pub path: Vec<Seg>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Drawing {
    pub width: f32,
    pub height: f32,
    pub background: Rgb,
    pub shapes: Vec<Shape>,
    /// The text drawn, in reading order, for the PDF's ActualText and for
    /// tests.
    pub text: Vec<String>,
}

impl Drawing {
    pub fn new(width: f32, height: f32, background: Rgb) -> Drawing {
        Drawing {
            width,
            height,
            background,
            shapes: Vec::new(),
            text: Vec::new(),
        }
    }

    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: Rgb) {
        self.shapes.push(Shape {
            colour,
            path: vec![
                Seg::Move(x, y),
                Seg::Line(x + w, y),
                Seg::Line(x + w, y + h),
                Seg::Line(x, y + h),
                Seg::Close,
            ],
        });
    }
}

/// The faces a cover's text is set in: the first that has a character
/// draws it.
pub struct Fonts<'a> {
    faces: Vec<ttf_parser::Face<'a>>,
}

impl<'a> Fonts<'a> {
    pub fn new(faces: impl IntoIterator<Item = &'a Face>) -> Fonts<'a> {
        Fonts {
            faces: faces.into_iter().filter_map(Face::parse).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.faces.is_empty()
    }

    /// The face and glyph for `c`, and its advance at `size` px.
    fn glyph(
        &self,
        c: char,
        size: f32,
    ) -> Option<(&ttf_parser::Face<'a>, ttf_parser::GlyphId, f32)> {
        self.faces.iter().find_map(|f| {
            let g = f.glyph_index(c).filter(|g| g.0 != 0)?;
            let scale = size / f32::from(f.units_per_em());
            Some((f, g, f32::from(f.glyph_hor_advance(g).unwrap_or(0)) * scale))
        })
    }

    /// The width of `s` at `size` px (a character no face has counts as
    /// half an em, and is not drawn).
    pub fn width(&self, s: &str, size: f32) -> f32 {
        s.chars()
            .map(|c| self.glyph(c, size).map_or(size / 2.0, |(_, _, a)| a))
            .sum()
    }

    /// Breaks `s` into lines no wider than `width`, at the places UAX #14
    /// allows (between Han characters, never before a closing mark), with
    /// the lines as even as the breaks allow: a title of two lines is
    /// broken near its middle, not after as much as fits.
    pub fn wrap(&self, s: &str, size: f32, width: f32) -> Vec<String> {
        let s = s.trim();
        let greedy = self.wrap_greedy(s, size, width);
        if greedy.len() < 2 {
            return greedy;
        }
        // The narrowest measure that still takes no more lines.
        let (mut lo, mut hi) = (width / greedy.len() as f32, width);
        let mut best = greedy.clone();
        for _ in 0..12 {
            let mid = (lo + hi) / 2.0;
            let lines = self.wrap_greedy(s, size, mid);
            if lines.len() <= greedy.len() && lines.iter().all(|l| self.width(l, size) <= mid + 0.5)
            {
                best = lines;
                hi = mid;
            } else {
                lo = mid;
            }
        }
        best
    }

    fn wrap_greedy(&self, s: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut start = 0;
        let mut last_fit: Option<usize> = None;
        for (at, _) in unicode_linebreak::linebreaks(s) {
            let piece = s[start..at].trim_end();
            if self.width(piece, size) <= width || last_fit.is_none() {
                last_fit = Some(at);
                if at == s.len() {
                    break;
                }
                continue;
            }
            let end = last_fit.take().unwrap_or(at);
            lines.push(s[start..end].trim().to_string());
            start = end;
            last_fit = Some(at);
        }
        if start < s.len() {
            lines.push(s[start..].trim().to_string());
        }
        lines.retain(|l| !l.is_empty());
        lines
    }

    /// Draws `s` at `size` px, centred on `cx`, its baseline at `y`.
    pub fn centred(&self, d: &mut Drawing, s: &str, size: f32, cx: f32, y: f32, colour: Rgb) {
        let mut x = cx - self.width(s, size) / 2.0;
        let mut path = Vec::new();
        for c in s.chars() {
            let Some((face, g, advance)) = self.glyph(c, size) else {
                x += size / 2.0;
                continue;
            };
            let scale = size / f32::from(face.units_per_em());
            let mut outline = Outline {
                path: &mut path,
                x,
                y,
                scale,
            };
            face.outline_glyph(g, &mut outline);
            x += advance;
        }
        if !path.is_empty() {
            d.shapes.push(Shape { colour, path });
        }
        d.text.push(s.to_string());
    }
}

/// A glyph's outline moved into place: font units up, pixels down.
struct Outline<'p> {
    path: &'p mut Vec<Seg>,
    x: f32,
    y: f32,
    scale: f32,
}

impl Outline<'_> {
    fn at(&self, x: f32, y: f32) -> (f32, f32) {
        (self.x + x * self.scale, self.y - y * self.scale)
    }
}

impl ttf_parser::OutlineBuilder for Outline<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.path.push(Seg::Move(x, y));
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.path.push(Seg::Line(x, y));
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (x1, y1) = self.at(x1, y1);
        let (x, y) = self.at(x, y);
        self.path.push(Seg::Quad(x1, y1, x, y));
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (x1, y1) = self.at(x1, y1);
        let (x2, y2) = self.at(x2, y2);
        let (x, y) = self.at(x, y);
        self.path.push(Seg::Cubic(x1, y1, x2, y2, x, y));
    }
    fn close(&mut self) {
        self.path.push(Seg::Close);
    }
}
