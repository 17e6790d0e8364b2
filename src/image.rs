//! Image formats both outputs can carry (PNG, JPEG, GIF: EPUB core media
//! types), recognised by their bytes rather than their file names.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    pub media_type: &'static str,
    pub ext: &'static str,
    /// Pixels, when the header gives them.
    pub width: u32,
    pub height: u32,
}

pub fn sniff(bytes: &[u8]) -> Option<ImageInfo> {
    let be16 = |i: usize| -> u32 {
        bytes
            .get(i..i + 2)
            .map_or(0, |b| u32::from(u16::from_be_bytes([b[0], b[1]])))
    };
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let be32 = |i: usize| -> u32 {
            bytes
                .get(i..i + 4)
                .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        };
        return Some(ImageInfo {
            media_type: "image/png",
            ext: "png",
            width: be32(16),
            height: be32(20),
        });
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        let le16 = |i: usize| -> u32 {
            bytes
                .get(i..i + 2)
                .map_or(0, |b| u32::from(u16::from_le_bytes([b[0], b[1]])))
        };
        return Some(ImageInfo {
            media_type: "image/gif",
            ext: "gif",
            width: le16(6),
            height: le16(8),
        });
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        // Walk the segments to the first start-of-frame marker.
        let (mut width, mut height) = (0, 0);
        let mut i = 2;
        while i + 9 < bytes.len() {
            if bytes[i] != 0xFF {
                break;
            }
            let marker = bytes[i + 1];
            let len = be16(i + 2) as usize;
            let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
            if is_sof {
                height = be16(i + 5);
                width = be16(i + 7);
                break;
            }
            if len < 2 {
                break;
            }
            i += 2 + len;
        }
        return Some(ImageInfo {
            media_type: "image/jpeg",
            ext: "jpg",
            width,
            height,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_formats() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&[0, 0, 1, 0, 0, 0, 0, 200]);
        let info = sniff(&png).unwrap();
        assert_eq!((info.ext, info.width, info.height), ("png", 256, 200));
        assert_eq!(sniff(b"GIF89a\x10\0\x20\0").unwrap().height, 32);
        assert!(sniff(b"RIFF....WEBP").is_none());
        assert!(sniff(&[0xFF, 0xD8, 0xFF]).is_some());
    }
}
