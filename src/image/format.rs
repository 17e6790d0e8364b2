//! Image formats recognised by their bytes rather than their file names
//! (a `.png` that is really a JPEG is common on the web).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
    Gif,
    Webp,
    Svg,
}

impl Format {
    pub fn of(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Format::Gif)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Format::Webp)
        } else if looks_like_svg(bytes) {
            Some(Format::Svg)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::Gif => "GIF",
            Format::Webp => "WebP",
            Format::Svg => "SVG",
        }
    }
}

/// An SVG document: XML whose first element is `<svg`, possibly after a
/// byte-order mark, an XML declaration, comments and a doctype.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let Ok(text) = std::str::from_utf8(head).or_else(|e| {
        // The cut may fall inside a character.
        std::str::from_utf8(&head[..e.valid_up_to()])
    }) else {
        return false;
    };
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("<?") {
            let Some(end) = r.find("?>") else {
                return false;
            };
            rest = r[end + 2..].trim_start();
        } else if let Some(r) = rest.strip_prefix("<!--") {
            let Some(end) = r.find("-->") else {
                return false;
            };
            rest = r[end + 3..].trim_start();
        } else if rest.starts_with("<!") {
            let Some(end) = declaration_end(rest) else {
                return false;
            };
            rest = rest[end..].trim_start();
        } else {
            return rest.starts_with("<svg") || rest.starts_with("<svg:svg");
        }
    }
}

/// Where the declaration `text` starts with (`<!DOCTYPE …>`) ends: after
/// the `>` that closes it, past an internal subset in brackets, whose
/// entity declarations hold `>` of their own (Illustrator writes them).
pub fn declaration_end(text: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '>' if depth <= 0 => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// What the EPUB writer needs to know of a cover image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    pub media_type: &'static str,
    pub ext: &'static str,
}

/// The formats every e-reader takes as they are (EPUB core media types).
pub fn sniff(bytes: &[u8]) -> Option<ImageInfo> {
    let (media_type, ext) = match Format::of(bytes)? {
        Format::Png => ("image/png", "png"),
        Format::Jpeg => ("image/jpeg", "jpg"),
        Format::Gif => ("image/gif", "gif"),
        Format::Svg => ("image/svg+xml", "svg"),
        Format::Webp => return None,
    };
    Some(ImageInfo { media_type, ext })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_formats() {
        assert_eq!(Format::of(b"\x89PNG\r\n\x1a\n\0"), Some(Format::Png));
        assert_eq!(Format::of(b"GIF89a\x10\0\x20\0"), Some(Format::Gif));
        assert_eq!(Format::of(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(Format::of(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Format::Jpeg));
        let svg = "\u{feff}<?xml version=\"1.0\"?>\n<!-- made by hand -->\n\
                   <!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\">\n<svg width=\"1\"/>";
        assert_eq!(Format::of(svg.as_bytes()), Some(Format::Svg));
        // Entities in an internal subset (Illustrator's namespaces).
        let ai = "<!DOCTYPE svg [ <!ENTITY ns_svg \"http://www.w3.org/2000/svg\"> ]>\n\
                  <svg xmlns=\"&ns_svg;\"/>";
        assert_eq!(Format::of(ai.as_bytes()), Some(Format::Svg));
        assert_eq!(Format::of(b"<html><svg/></html>"), None);
        assert_eq!(Format::of(b"plain text"), None);
        assert!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").is_none());
        assert_eq!(sniff(b"<svg/>").unwrap().media_type, "image/svg+xml");
    }
}
