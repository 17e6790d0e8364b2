//! HTML `<img>` tags in Markdown (`<img src="a.png" alt="图" width="300">`,
//! often inside `<p align="center">`): the one piece of raw HTML that is
//! kept as what it means, a picture, rather than reduced to its text.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImgTag {
    pub src: String,
    pub alt: String,
    /// CSS pixels, when given as a plain number (`300` or `300px`).
    pub width: Option<u32>,
}

/// Every `<img>` in `html`, in order; tags without a `src` are skipped.
pub fn find(html: &str) -> Vec<ImgTag> {
    let html = &without_comments(html);
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<img") {
        let start = from + at + 4;
        // `<imgfoo>` is another element.
        if !lower[start..].starts_with(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>') {
            from = start;
            continue;
        }
        let attrs = attributes(&html[start..]);
        from = start + attrs.1;
        let get = |name: &str| {
            attrs
                .0
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let Some(src) = get("src").filter(|s| !s.trim().is_empty()) else {
            continue;
        };
        let width = get("width").and_then(|w| {
            w.trim()
                .trim_end_matches("px")
                .parse::<u32>()
                .ok()
                .filter(|&w| w > 0)
        });
        out.push(ImgTag {
            src: super::markdown::decode_entities(src.trim()),
            alt: super::markdown::decode_entities(&get("alt").unwrap_or_default()),
            width,
        });
    }
    out
}

/// A commented-out picture is no picture.
fn without_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<!--") {
        out.push_str(&rest[..at]);
        rest = rest[at + 4..].split_once("-->").map_or("", |(_, r)| r);
    }
    out.push_str(rest);
    out
}

/// The attributes of a tag whose name has been read, and how many bytes
/// they took (up to and including the closing `>`).
fn attributes(s: &str) -> (Vec<(String, String)>, usize) {
    let bytes = s.as_bytes();
    let mut attrs = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'>' {
            return (attrs, (i + 1).min(bytes.len()));
        }
        let name_start = i;
        while i < bytes.len()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
            && !bytes[i].is_ascii_whitespace()
        {
            i += 1;
        }
        let name = s[name_start..i].to_string();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let start = i + 1;
                let end = bytes[start..]
                    .iter()
                    .position(|&b| b == quote)
                    .map_or(bytes.len(), |p| start + p);
                value = s[start..end].to_string();
                i = (end + 1).min(bytes.len());
            } else {
                let start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                value = s[start..i].to_string();
            }
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
    }
}

/// Where a picture's address points: a remote address stays as written;
/// a local one is resolved against the source's folder, `%20`-style
/// escapes decoded (as mdBook and browsers do).
pub fn image_path(base: &Path, url: &str) -> PathBuf {
    if crate::image::remote::is_remote(url) {
        return PathBuf::from(url);
    }
    let path = url.split(['?', '#']).next().unwrap_or(url);
    base.join(percent_decode(path))
}

/// `%E4%B8%AD` → `中`; malformed escapes, or bytes that are not UTF-8
/// once decoded, leave the text as written.
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        let html = "<p align=\"center\">\n  <IMG SRC='a b.png' alt=\"图 &quot;一&quot;\" width=300>\n\
                    <img alt=x><imgx src=y><!-- <img src=gone.png> --><img src=\"c.svg\" width=\"50%\"/></p>";
        assert_eq!(
            find(html),
            vec![
                ImgTag {
                    src: "a b.png".into(),
                    alt: "图 \"一\"".into(),
                    width: Some(300)
                },
                ImgTag {
                    src: "c.svg".into(),
                    alt: String::new(),
                    width: None
                },
            ]
        );
    }

    #[test]
    fn paths() {
        let base = Path::new("src");
        assert_eq!(
            image_path(base, "img/a%20b.png"),
            PathBuf::from("src/img/a b.png")
        );
        assert_eq!(
            image_path(base, "a.png?raw=true"),
            PathBuf::from("src/a.png")
        );
        assert_eq!(
            image_path(base, "https://x.org/a.png?w=1"),
            PathBuf::from("https://x.org/a.png?w=1")
        );
        assert_eq!(percent_decode("%E5%9B%BE%2"), "图%2");
    }
}
