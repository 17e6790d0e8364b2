//! Bitmaps (PNG, JPEG, GIF, WebP) decoded with the `image` crate, which
//! both proves a file whole and gives the samples the PDF needs: PNG of
//! any kind (alpha, 16-bit, interlaced, palette), a GIF's first frame and
//! WebP become 8-bit samples with alpha as a separate soft mask; JPEG is
//! carried as it is once it has decoded cleanly.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use super::Format;

/// Pictures larger than this on a side are refused rather than decoded: no
/// page needs them, and a forged header could ask for gigabytes.
const MAX_SIDE: u32 = 16_384;

/// An image ready to become a PDF image XObject.
#[derive(Debug, Clone)]
pub struct PdfImage {
    pub width: u32,
    pub height: u32,
    /// JPEG bytes, or uncompressed 8-bit samples (the PDF writer deflates
    /// them, through its cache).
    pub data: Vec<u8>,
    pub kind: PdfImageKind,
}

#[derive(Debug, Clone)]
pub enum PdfImageKind {
    Jpeg {
        components: u8,
        /// Adobe's CMYK JPEGs store their samples inverted.
        inverted: bool,
    },
    Samples {
        /// 1 (grey) or 3 (RGB).
        colors: u8,
        /// One 8-bit opacity per pixel, when any pixel is not opaque.
        alpha: Option<Vec<u8>>,
    },
}

/// A decoded bitmap: what each back end needs, and its size in pixels.
pub struct Decoded {
    pub pdf: PdfImage,
    /// Bytes for the EPUB when the original cannot go in as it is (WebP).
    pub epub_png: Option<Vec<u8>>,
}

pub fn decode(bytes: &[u8], format: Format) -> Result<Decoded, String> {
    let image_format = match format {
        Format::Png => ImageFormat::Png,
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Gif => ImageFormat::Gif,
        Format::Webp => ImageFormat::WebP,
        Format::Svg => return Err("an SVG is not a bitmap".into()),
    };
    match format {
        Format::Jpeg => check_jpeg_end(bytes)?,
        Format::Png => check_png_chunks(bytes)?,
        _ => {}
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| describe(&e))?;
    if image.width() == 0 || image.height() == 0 {
        return Err("the picture is empty (0 pixels)".into());
    }
    let pdf = match format {
        Format::Jpeg => jpeg(bytes, &image)?,
        _ => samples(&image),
    };
    let epub_png = if format == Format::Webp {
        Some(encode_png(&image)?)
    } else {
        None
    };
    Ok(Decoded { pdf, epub_png })
}

fn describe(e: &image::ImageError) -> String {
    match e {
        image::ImageError::Limits(_) => {
            format!("it is larger than {MAX_SIDE} pixels on a side, or needs too much memory")
        }
        image::ImageError::Unsupported(u) => format!("this kind is not supported ({u})"),
        other => format!("it is damaged or truncated ({other})"),
    }
}

/// A JPEG whose data stops before its end-of-image marker decodes "fine"
/// (the rest is painted grey): ask for the marker.
fn check_jpeg_end(bytes: &[u8]) -> Result<(), String> {
    let end = bytes
        .iter()
        .rposition(|&b| b != 0 && b != b'\n' && b != b'\r')
        .map_or(0, |i| i + 1);
    let tail = &bytes[end.saturating_sub(64)..end];
    if tail.windows(2).any(|w| w == [0xFF, 0xD9]) {
        Ok(())
    } else {
        Err("it is truncated (the JPEG has no end-of-image marker)".into())
    }
}

/// A PNG cut short can still decode when its last rows compress to
/// nothing: walk the chunks to the end marker.
fn check_png_chunks(bytes: &[u8]) -> Result<(), String> {
    let mut i = 8;
    while i + 8 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize;
        let end = i.saturating_add(12).saturating_add(len);
        if end > bytes.len() {
            break;
        }
        if &bytes[i + 4..i + 8] == b"IEND" {
            return Ok(());
        }
        i = end;
    }
    Err("it is truncated (the PNG stops before its end chunk)".into())
}

/// The JPEG as it is (DCTDecode), with what its frame header says.
fn jpeg(bytes: &[u8], image: &DynamicImage) -> Result<PdfImage, String> {
    let components = jpeg_components(bytes).ok_or("the JPEG has no readable frame header")?;
    if !matches!(components, 1 | 3 | 4) {
        return Err(format!("a JPEG with {components} colour components"));
    }
    Ok(PdfImage {
        width: image.width(),
        height: image.height(),
        data: bytes.to_vec(),
        kind: PdfImageKind::Jpeg {
            components,
            inverted: components == 4 && has_adobe_marker(bytes),
        },
    })
}

/// Walks the segments to the first start-of-frame marker.
fn jpeg_components(bytes: &[u8]) -> Option<u8> {
    let mut i = 2;
    while i + 9 < bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            return bytes.get(i + 9).copied();
        }
        i += 2 + len;
    }
    None
}

fn has_adobe_marker(bytes: &[u8]) -> bool {
    let mut i = 2;
    while i + 4 < bytes.len() && bytes[i] == 0xFF {
        let marker = bytes[i + 1];
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        if marker == 0xEE && bytes.get(i + 4..i + 9) == Some(b"Adobe") {
            return true;
        }
        if marker == 0xDA {
            return false;
        }
        i += 2 + len;
    }
    false
}

/// 8-bit grey or RGB samples, alpha apart (PDF's soft mask).
fn samples(image: &DynamicImage) -> PdfImage {
    let (width, height) = (image.width(), image.height());
    let grey = !image.color().has_color();
    let alpha = image.color().has_alpha().then(|| {
        image
            .to_luma_alpha8()
            .pixels()
            .map(|p| p.0[1])
            .collect::<Vec<u8>>()
    });
    let alpha = alpha.filter(|a| a.iter().any(|&v| v != 255));
    let (colors, data) = if grey {
        (1, image.to_luma8().into_raw())
    } else {
        (3, image.to_rgb8().into_raw())
    };
    PdfImage {
        width,
        height,
        data,
        kind: PdfImageKind::Samples { colors, alpha },
    }
}

fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    // 8-bit RGBA is what every reader's PNG decoder takes.
    DynamicImage::ImageRgba8(image.to_rgba8())
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|e| format!("cannot convert it to PNG ({e})"))?;
    Ok(out.into_inner())
}

/// Premultiplied RGBA pixels (as a vector renderer draws them) to samples.
pub fn from_premultiplied(width: u32, height: u32, rgba: &[u8]) -> PdfImage {
    let mut data = Vec::with_capacity(rgba.len() / 4 * 3);
    let mut alpha = Vec::with_capacity(rgba.len() / 4);
    for px in rgba.chunks_exact(4) {
        let a = px[3];
        for &c in &px[..3] {
            let straight = if a == 0 {
                255
            } else {
                ((u32::from(c) * 255 + u32::from(a) / 2) / u32::from(a)).min(255) as u8
            };
            data.push(straight);
        }
        alpha.push(a);
    }
    let alpha = alpha.iter().any(|&v| v != 255).then_some(alpha);
    PdfImage {
        width,
        height,
        data,
        kind: PdfImageKind::Samples { colors: 3, alpha },
    }
}
