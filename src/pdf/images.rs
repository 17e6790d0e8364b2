//! Images the PDF can carry without decoding them: JPEG as it is
//! (DCTDecode), and non-interlaced PNG whose compressed rows PDF reads
//! directly (FlateDecode with the PNG predictors). Anything else is
//! reported and replaced by its description.

use std::path::{Path, PathBuf};

/// An image ready to become a PDF image XObject.
#[derive(Debug, Clone)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
    pub kind: ImageKind,
}

#[derive(Debug, Clone)]
pub enum ImageKind {
    Jpeg {
        components: u8,
    },
    Png {
        /// 1 (grey) or 3 (RGB), or 1 with a palette.
        colors: u8,
        bits: u8,
        /// RGB triples of an indexed image.
        palette: Option<Vec<u8>>,
    },
}

/// The images of the book, each loaded once.
#[derive(Debug, Default)]
pub struct Images {
    pub list: Vec<Image>,
    paths: Vec<PathBuf>,
}

impl Images {
    /// Loads `path` (once); returns its index and size in pixels.
    pub fn load(&mut self, path: &Path) -> Result<(u32, u32, u32), String> {
        if let Some(i) = self.paths.iter().position(|p| p == path) {
            let img = &self.list[i];
            return Ok((i as u32, img.width, img.height));
        }
        let bytes = crate::input::read(path, crate::input::Kind::Image)
            .map_err(|e| format!("cannot read it ({e})"))?;
        let image = Image::decode(bytes)?;
        self.list.push(image);
        self.paths.push(path.to_path_buf());
        let img = self.list.last().expect("just pushed");
        Ok(((self.list.len() - 1) as u32, img.width, img.height))
    }
}

impl Image {
    /// An image file's bytes, made ready for the PDF.
    pub fn decode(bytes: Vec<u8>) -> Result<Image, String> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            jpeg(bytes)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            png(&bytes)
        } else {
            Err("only JPEG and PNG images are supported".into())
        }
    }
}

fn be16(b: &[u8], i: usize) -> Option<u32> {
    b.get(i..i + 2)
        .map(|s| u32::from(u16::from_be_bytes([s[0], s[1]])))
}

fn be32(b: &[u8], i: usize) -> Option<u32> {
    b.get(i..i + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn jpeg(bytes: Vec<u8>) -> Result<Image, String> {
    let mut i = 2;
    while i + 9 < bytes.len() {
        if bytes[i] != 0xFF {
            break;
        }
        let marker = bytes[i + 1];
        let len = be16(&bytes, i + 2).unwrap_or(0) as usize;
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let height = be16(&bytes, i + 5).unwrap_or(0);
            let width = be16(&bytes, i + 7).unwrap_or(0);
            let components = bytes.get(i + 9).copied().unwrap_or(3);
            if width == 0 || height == 0 || !matches!(components, 1 | 3 | 4) {
                break;
            }
            return Ok(Image {
                width,
                height,
                data: bytes,
                kind: ImageKind::Jpeg { components },
            });
        }
        i += 2 + len;
    }
    Err("the JPEG has no readable frame header".into())
}

fn png(bytes: &[u8]) -> Result<Image, String> {
    let (mut width, mut height, mut bits, mut color, mut interlace) = (0, 0, 0u8, 0u8, 0u8);
    let mut palette = None;
    let mut data = Vec::new();
    let mut i = 8;
    while i + 8 <= bytes.len() {
        let len = be32(bytes, i).unwrap_or(0) as usize;
        let kind = &bytes[i + 4..i + 8];
        let body = bytes
            .get(i + 8..i + 8 + len)
            .ok_or("the PNG is truncated")?;
        match kind {
            b"IHDR" if len >= 13 => {
                width = be32(body, 0).unwrap_or(0);
                height = be32(body, 4).unwrap_or(0);
                bits = body[8];
                color = body[9];
                interlace = body[12];
            }
            b"PLTE" => palette = Some(body.to_vec()),
            b"IDAT" => data.extend_from_slice(body),
            b"IEND" => break,
            _ => {}
        }
        i += 12 + len;
    }
    if width == 0 || height == 0 || data.is_empty() {
        return Err("the PNG has no image data".into());
    }
    if interlace != 0 {
        return Err("interlaced PNG is not supported".into());
    }
    let colors = match color {
        0 => 1,
        2 => 3,
        3 => 1,
        _ => return Err("PNG with transparency (alpha) is not supported".into()),
    };
    if color == 3 && palette.is_none() {
        return Err("the indexed PNG has no palette".into());
    }
    if !matches!(bits, 1 | 2 | 4 | 8 | 16) {
        return Err("unusual PNG bit depth".into());
    }
    Ok(Image {
        width,
        height,
        data,
        kind: ImageKind::Png {
            colors,
            bits,
            palette: if color == 3 { palette } else { None },
        },
    })
}
