//! The drawing as a PNG (tiny-skia, through resvg), for the EPUB.
//!
//! A cover is four million pixels in a few colours: its own and their
//! anti-aliased blends, a few dozen in all. So it is painted a band of rows
//! at a time (a small pixmap the processor keeps in its cache, instead of
//! sixteen megabytes touched once) and written as a palette PNG, one byte a
//! pixel, each band's indices deflated as soon as it is painted; a drawing
//! with more than 256 colours is written as RGB.

use std::io::Write;

use resvg::tiny_skia::{Color, FillRule, Paint, Path, PathBuilder, Pixmap, Transform};
use rustc_hash::FxHashMap;

use super::drawing::{Drawing, Rgb, Seg};

/// Rows painted at once.
const BAND: u32 = 64;

/// Level 2: the rows repeat within the window, and deflate finds most of
/// them without lazy matching, at a fraction of level 6's time.
const LEVEL: u32 = 2;

pub fn png(d: &Drawing) -> Result<Vec<u8>, String> {
    if let Some(png) = palette_png(d)? {
        return Ok(png);
    }
    let (width, height) = (d.width as usize, d.height as usize);
    let mut pixels = vec![0u8; width * height * 3];
    paint(d, |first, rgba| {
        let out = &mut pixels[first * 3..(first + rgba.len() / 4) * 3];
        for (o, p) in out.chunks_exact_mut(3).zip(rgba.chunks_exact(4)) {
            o.copy_from_slice(&p[..3]);
        }
        true
    })?;
    encode_rgb(d, &pixels)
}

/// The drawing as a palette PNG; `None` past 256 colours. Palette indices
/// are given in the order colours are met, so a row's never change once
/// written: each row goes to the compressor as soon as it is painted, and
/// the palette, which the file wants first, is put in front at the end.
fn palette_png(d: &Drawing) -> Result<Option<Vec<u8>>, String> {
    let width = d.width as usize;
    let mut palette = Palette::default();
    let mut idat = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(LEVEL));
    // The row before, as painted and as indices (after its filter byte,
    // 0: none; filters predict gradients, and palette indices have none).
    let mut last_rgba: Vec<u8> = Vec::new();
    let mut row = vec![0u8; 1 + width];
    let mut failed = None;
    let complete = paint(d, |_, rgba| {
        for painted in rgba.chunks_exact(width * 4) {
            // Most rows repeat the one above: the same indices again.
            if painted != last_rgba.as_slice() {
                if !palette.index(painted, &mut row[1..]) {
                    return false;
                }
                last_rgba.clear();
                last_rgba.extend_from_slice(painted);
            }
            if let Err(e) = idat.write_all(&row) {
                failed = Some(e);
                return false;
            }
        }
        true
    })?;
    let fail = |e: std::io::Error| format!("the cover cannot be encoded: {e}");
    if let Some(e) = failed {
        return Err(fail(e));
    }
    if !complete {
        return Ok(None);
    }
    let idat = idat.finish().map_err(fail)?;
    let colours: Vec<u8> = palette.colours.iter().flat_map(|c| rgb(*c)).collect();
    let mut out = Vec::with_capacity(idat.len() + colours.len() + 64);
    out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&(d.width as u32).to_be_bytes());
    header.extend_from_slice(&(d.height as u32).to_be_bytes());
    // 8 bits an index, colour type 3 (palette), deflate, no filter
    // method variant, not interlaced.
    header.extend_from_slice(&[8, 3, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"PLTE", &colours);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    Ok(Some(out))
}

/// A PNG chunk: length, type, data, and the CRC of type and data.
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// Paints `d` band by band, handing each band's pixels (RGBA, opaque, so
/// premultiplied is plain) to `take` with the index of its first pixel;
/// stops, answering false, when `take` does.
fn paint(d: &Drawing, mut take: impl FnMut(usize, &[u8]) -> bool) -> Result<bool, String> {
    let (width, height) = (d.width as u32, d.height as u32);
    let mut band = Pixmap::new(width, BAND.min(height)).ok_or("the cover has no size")?;
    let shapes: Vec<(Path, Paint<'_>)> = d.shapes.iter().filter_map(outline).collect();
    for top in (0..height).step_by(BAND as usize) {
        let rows = BAND.min(height - top);
        band.fill(colour(d.background));
        let (from, to) = (top as f32, (top + rows) as f32);
        let shift = Transform::from_translate(0.0, -from);
        for (path, paint) in &shapes {
            let b = path.bounds();
            if b.bottom() >= from && b.top() <= to {
                band.fill_path(path, paint, FillRule::Winding, shift, None);
            }
        }
        let painted = &band.data()[..(rows * width * 4) as usize];
        if !take((top * width) as usize, painted) {
            return Ok(false);
        }
    }
    Ok(true)
}

fn colour(rgb: Rgb) -> Color {
    Color::from_rgba8(rgb.0, rgb.1, rgb.2, 255)
}

fn rgb(c: u32) -> [u8; 3] {
    let [r, g, b, _] = c.to_le_bytes();
    [r, g, b]
}

fn outline(shape: &super::drawing::Shape) -> Option<(Path, Paint<'static>)> {
    let mut pb = PathBuilder::new();
    for seg in &shape.path {
        match *seg {
            Seg::Move(x, y) => pb.move_to(x, y),
            Seg::Line(x, y) => pb.line_to(x, y),
            Seg::Quad(x1, y1, x, y) => pb.quad_to(x1, y1, x, y),
            Seg::Cubic(x1, y1, x2, y2, x, y) => pb.cubic_to(x1, y1, x2, y2, x, y),
            Seg::Close => pb.close(),
        }
    }
    let mut paint = Paint::default();
    paint.set_color(colour(shape.colour));
    paint.anti_alias = true;
    Some((pb.finish()?, paint))
}

/// The colours met so far, in order of appearance, at most 256.
#[derive(Default)]
struct Palette {
    colours: Vec<u32>,
    index: FxHashMap<u32, u8>,
}

impl Palette {
    /// Writes the palette index of each RGBA pixel into `out`; false when
    /// a 257th colour comes.
    fn index(&mut self, rgba: &[u8], out: &mut [u8]) -> bool {
        // Runs of one colour are the rule: sixteen pixels at a time are
        // compared with the last colour met, and most need no look-up.
        let mut run = [0u8; 64];
        let mut last = None;
        let mut i = 0;
        while i < out.len() {
            let at = 4 * i;
            if let Some(index) = last {
                if rgba.get(at..at + 64) == Some(&run[..]) {
                    out[i..i + 16].fill(index);
                    i += 16;
                    continue;
                }
            }
            let p = &rgba[at..at + 4];
            let index = match last {
                Some(index) if p == &run[..4] => index,
                _ => match self.find(u32::from_le_bytes([p[0], p[1], p[2], 0])) {
                    Some(index) => index,
                    None => return false,
                },
            };
            if last != Some(index) {
                for px in run.chunks_exact_mut(4) {
                    px.copy_from_slice(p);
                }
                last = Some(index);
            }
            out[i] = index;
            i += 1;
        }
        true
    }

    fn find(&mut self, c: u32) -> Option<u8> {
        if let Some(&i) = self.index.get(&c) {
            return Some(i);
        }
        let i = u8::try_from(self.colours.len()).ok()?;
        self.colours.push(c);
        self.index.insert(c, i);
        Some(i)
    }
}

fn encode_rgb(d: &Drawing, data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, d.width as u32, d.height as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_filter(png::Filter::Adaptive);
    encoder.set_deflate_compression(png::DeflateCompression::Level(LEVEL as u8));
    let fail = |e: png::EncodingError| format!("the cover cannot be encoded: {e}");
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(data).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `paint` draws, as RGB, to compare the PNGs against.
    fn painted(d: &Drawing) -> Vec<u8> {
        let mut rgb = Vec::new();
        paint(d, |_, rgba| {
            rgba.chunks_exact(4)
                .for_each(|p| rgb.extend_from_slice(&p[..3]));
            true
        })
        .unwrap();
        rgb
    }

    fn decoded(png: &[u8]) -> (image::ColorType, Vec<u8>) {
        let image = image::load_from_memory(png).unwrap();
        (image.color(), image.to_rgb8().into_raw())
    }

    #[test]
    fn a_few_colours_make_a_palette_png_with_every_pixel_kept() {
        let mut d = Drawing::new(300.0, 200.0, Rgb(10, 20, 30));
        d.rect(10.5, 10.5, 100.0, 50.0, Rgb(200, 180, 90));
        d.rect(50.25, 100.75, 200.0, 70.0, Rgb(250, 250, 250));
        let png = png(&d).unwrap();
        // PNG colour type 3: palette.
        assert_eq!(png[25], 3, "not a palette PNG");
        let (_, rgb) = decoded(&png);
        assert_eq!(rgb, painted(&d));
    }

    #[test]
    fn more_than_256_colours_make_an_rgb_png() {
        // A band of 300 greys and blues, one a column.
        let mut d = Drawing::new(300.0, 40.0, Rgb(0, 0, 0));
        for x in 0..300u32 {
            let c = Rgb((x % 256) as u8, (x / 2) as u8, (x / 256 * 200) as u8);
            d.rect(x as f32, 0.0, 1.0, 40.0, c);
        }
        let png = png(&d).unwrap();
        let (colour, rgb) = decoded(&png);
        assert_eq!(colour, image::ColorType::Rgb8);
        assert_eq!(rgb, painted(&d));
    }
}
