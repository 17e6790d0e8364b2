//! The web edition of a build: the EPUB's own documents, styles, fonts and
//! images served as they are in the archive (so a page looks as it does in
//! a reader), the PDF and the EPUB themselves, and an index of the
//! documents in reading order. Pages served get the live-reload script;
//! the EPUB file never does.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use super::http::Response;
use crate::epub::xhtml::escape;

/// Where the archive's entries are served: `/book/OEBPS/…`, so that the
/// documents' relative links work unchanged.
pub const BOOK_PREFIX: &str = "/book/";
pub const LIVE_SCRIPT: &str = "/_booklet/live.js";

/// One build's outputs, in memory.
pub struct Edition {
    title: String,
    /// Archive entry name → bytes.
    entries: HashMap<String, Vec<u8>>,
    /// (entry name, title) of each spine document, in reading order.
    documents: Vec<(String, String)>,
    /// (URL path, bytes, content type) of the EPUB and the PDF.
    files: Vec<(String, Vec<u8>, &'static str)>,
}

impl Edition {
    /// Reads the EPUB (and the PDF, when built) a build wrote.
    pub fn read(epub: &Path, pdf: Option<&Path>) -> Result<Edition, String> {
        let bytes = std::fs::read(epub).map_err(|e| format!("{}: {e}", epub.display()))?;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes))
            .map_err(|e| format!("{}: {e}", epub.display()))?;
        let mut entries = HashMap::new();
        for i in 0..archive.len() {
            let mut entry = archive
                .by_index(i)
                .map_err(|e| format!("{}: {e}", epub.display()))?;
            let mut data = Vec::with_capacity(entry.size() as usize);
            entry
                .read_to_end(&mut data)
                .map_err(|e| format!("{}: {}: {e}", epub.display(), entry.name()))?;
            entries.insert(entry.name().to_string(), data);
        }
        let (title, documents) = reading_order(&entries)
            .ok_or_else(|| format!("{}: no package document", epub.display()))?;
        let mut files = Vec::new();
        let url = |p: &Path| format!("/{}", p.file_name().unwrap_or_default().to_string_lossy());
        files.push((url(epub), bytes, "application/epub+zip"));
        if let Some(pdf) = pdf {
            let data = std::fs::read(pdf).map_err(|e| format!("{}: {e}", pdf.display()))?;
            files.push((url(pdf), data, "application/pdf"));
        }
        Ok(Edition {
            title,
            entries,
            documents,
            files,
        })
    }

    /// The answer to a GET of `path`; pages carry the live script for
    /// build `generation`.
    pub fn respond(&self, path: &str, generation: u64) -> Response {
        if path == "/" || path == "/index.html" {
            return Response::ok("text/html; charset=utf-8", self.index(generation));
        }
        if let Some((_, bytes, kind)) = self.files.iter().find(|(url, _, _)| url == path) {
            return Response::ok(kind, bytes.clone());
        }
        let Some(name) = path.strip_prefix(BOOK_PREFIX) else {
            return Response::not_found(path);
        };
        let Some(bytes) = self.entries.get(name) else {
            return Response::not_found(path);
        };
        let kind = content_type(name);
        if kind.starts_with("application/xhtml+xml") {
            return Response::ok(kind, with_live_script(bytes, generation));
        }
        Response::ok(kind, bytes.clone())
    }

    /// The index: the book's documents in reading order, and its files.
    fn index(&self, generation: u64) -> String {
        let mut items = String::new();
        for (name, title) in &self.documents {
            items.push_str(&format!(
                "<li><a href=\"{BOOK_PREFIX}{}\">{}</a></li>\n",
                escape(name),
                escape(title)
            ));
        }
        let files: Vec<String> = self
            .files
            .iter()
            .map(|(url, _, kind)| {
                let label = if kind.ends_with("pdf") { "PDF" } else { "EPUB" };
                format!("<a href=\"{}\">{label}</a>", escape(url))
            })
            .collect();
        page(
            &self.title,
            &format!(
                "<p class=\"files\">{}</p>\n<ol class=\"documents\">\n{items}</ol>\n",
                files.join(" · ")
            ),
            generation,
        )
    }
}

/// A page of this server's own (the index, or the wait for a first
/// build), with the live script.
pub fn page(title: &str, body: &str, generation: u64) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <title>{t}</title>\n<style>body {{ max-width: 40em; margin: 2em auto; \
         font-family: serif; line-height: 1.6; }}</style>\n</head>\n<body>\n\
         <h1>{t}</h1>\n{body}{}</body>\n</html>\n",
        script_tag(generation),
        t = escape(title),
    )
}

fn script_tag(generation: u64) -> String {
    format!("<script src=\"{LIVE_SCRIPT}?since={generation}\"></script>\n")
}

/// The document with the live script before its `</body>`.
fn with_live_script(xhtml: &[u8], generation: u64) -> Vec<u8> {
    const END: &[u8] = b"</body>";
    let Some(at) = xhtml.windows(END.len()).rposition(|w| w == END) else {
        return xhtml.to_vec();
    };
    let mut out = Vec::with_capacity(xhtml.len() + 64);
    out.extend_from_slice(&xhtml[..at]);
    out.extend_from_slice(script_tag(generation).as_bytes());
    out.extend_from_slice(&xhtml[at..]);
    out
}

fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "xhtml" | "html" => "application/xhtml+xml; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "otf" => "font/otf",
        "ttf" => "font/ttf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "opf" => "application/oebps-package+xml",
        "ncx" => "application/x-dtbncx+xml",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The book title and the spine's documents with their titles, from the
/// package document the container names.
fn reading_order(entries: &HashMap<String, Vec<u8>>) -> Option<(String, Vec<(String, String)>)> {
    let text = |name: &str| entries.get(name).map(|b| String::from_utf8_lossy(b));
    let container = text("META-INF/container.xml")?;
    let opf_name = tags(&container, "rootfile")
        .into_iter()
        .find_map(|t| attribute(t, "full-path"))?
        .to_string();
    let opf = text(&opf_name)?;
    let base = opf_name.rsplit_once('/').map_or("", |(dir, _)| dir);
    let href_of: HashMap<&str, &str> = tags(&opf, "item")
        .into_iter()
        .filter_map(|t| Some((attribute(t, "id")?, attribute(t, "href")?)))
        .collect();
    let title = element_text(&opf, "dc:title").unwrap_or_default();
    let mut documents = Vec::new();
    for itemref in tags(&opf, "itemref") {
        let Some(href) = attribute(itemref, "idref").and_then(|id| href_of.get(id)) else {
            continue;
        };
        let name = if base.is_empty() {
            href.to_string()
        } else {
            format!("{base}/{href}")
        };
        let doc_title = text(&name)
            .and_then(|doc| element_text(&doc, "title"))
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| href.to_string());
        documents.push((name, doc_title));
    }
    Some((title, documents))
}

/// The insides of each `<name …>` tag in `xml`.
fn tags<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    xml.match_indices(open.as_str())
        .filter_map(|(at, _)| {
            let rest = &xml[at + open.len()..];
            let boundary = rest.starts_with(|c: char| c.is_whitespace() || c == '/' || c == '>');
            boundary.then(|| &rest[..rest.find('>').unwrap_or(rest.len())])
        })
        .collect()
}

/// The value of `name="…"` in a tag's insides.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = tag;
    loop {
        let at = rest.find(name)?;
        let before_ok = rest[..at].ends_with(char::is_whitespace);
        let after = rest[at + name.len()..].trim_start();
        if before_ok {
            if let Some(value) = after.strip_prefix('=') {
                let value = value.trim_start();
                let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
                let value = &value[1..];
                return value.find(quote).map(|end| &value[..end]);
            }
        }
        rest = &rest[at + name.len()..];
    }
}

/// The text of the first `<name>…</name>`, entities decoded.
fn element_text(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}");
    let start = xml.match_indices(open.as_str()).find_map(|(at, _)| {
        let rest = &xml[at + open.len()..];
        if !rest.starts_with(|c: char| c.is_whitespace() || c == '>') {
            return None;
        }
        Some(at + open.len() + rest.find('>')? + 1)
    })?;
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    Some(unescape(xml[start..end].trim()))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> HashMap<String, Vec<u8>> {
        let mut e = HashMap::new();
        let mut put = |k: &str, v: &str| e.insert(k.to_string(), v.as_bytes().to_vec());
        put(
            "META-INF/container.xml",
            "<container><rootfiles><rootfile full-path=\"OEBPS/content.opf\" \
             media-type=\"application/oebps-package+xml\"/></rootfiles></container>",
        );
        put(
            "OEBPS/content.opf",
            "<package><metadata><dc:title id=\"t\">读本 &amp; 书</dc:title></metadata>\
             <manifest><item id=\"a\" href=\"a.xhtml\" media-type=\"application/xhtml+xml\"/>\
             <item href=\"b.xhtml\" id=\"b\"/><item id=\"itemref\" href=\"x\"/></manifest>\
             <spine><itemref idref=\"b\"/><itemref idref=\"a\"/><itemref idref=\"gone\"/></spine></package>",
        );
        put(
            "OEBPS/a.xhtml",
            "<html><head><title>甲</title></head><body>甲文</body></html>",
        );
        put(
            "OEBPS/b.xhtml",
            "<html><head><title></title></head><body/></html>",
        );
        e
    }

    #[test]
    fn reads_the_spine_in_order_with_titles() {
        let (title, docs) = reading_order(&sample()).unwrap();
        assert_eq!(title, "读本 & 书");
        assert_eq!(
            docs,
            [
                ("OEBPS/b.xhtml".to_string(), "b.xhtml".to_string()),
                ("OEBPS/a.xhtml".to_string(), "甲".to_string())
            ]
        );
    }

    #[test]
    fn pages_get_the_script_before_the_body_ends() {
        let edition = Edition {
            title: "t".into(),
            entries: sample(),
            documents: vec![],
            files: vec![],
        };
        let r = edition.respond("/book/OEBPS/a.xhtml", 7);
        assert_eq!(r.status, 200);
        assert!(r.content_type.starts_with("application/xhtml+xml"));
        let body = String::from_utf8(r.body).unwrap();
        assert!(body
            .ends_with("甲文<script src=\"/_booklet/live.js?since=7\"></script>\n</body></html>"));
        assert_eq!(edition.respond("/book/OEBPS/nothing", 7).status, 404);
        assert_eq!(edition.respond("/../etc/passwd", 7).status, 404);
        let css = edition.respond("/book/META-INF/container.xml", 7);
        assert!(!String::from_utf8(css.body).unwrap().contains("live.js"));
    }
}
