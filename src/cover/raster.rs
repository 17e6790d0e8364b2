//! The drawing as a PNG (tiny-skia, through resvg), for the EPUB.

use resvg::tiny_skia::{Color, FillRule, Paint, PathBuilder, Pixmap, Transform};

use super::drawing::{Drawing, Seg};

pub fn png(d: &Drawing) -> Result<Vec<u8>, String> {
    let mut pixmap = Pixmap::new(d.width as u32, d.height as u32).ok_or("the cover has no size")?;
    let c = |rgb: super::drawing::Rgb| Color::from_rgba8(rgb.0, rgb.1, rgb.2, 255);
    pixmap.fill(c(d.background));
    for shape in &d.shapes {
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
        let Some(path) = pb.finish() else { continue };
        let mut paint = Paint::default();
        paint.set_color(c(shape.colour));
        paint.anti_alias = true;
        pixmap.fill_path(
            &path,
            &paint,
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
    // Opaque: three channels are enough, and smaller.
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Adaptive,
    )
    .write_image(
        &rgb,
        pixmap.width(),
        pixmap.height(),
        image::ExtendedColorType::Rgb8,
    )
    .map_err(|e| format!("the cover cannot be encoded: {e}"))?;
    Ok(out)
}

use image::ImageEncoder;
