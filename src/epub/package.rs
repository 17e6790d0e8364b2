//! Re-packs epub-builder's archive so that it is valid and reproducible:
//! - entries in a fixed order, mimetype first and stored, fixed timestamps
//!   and permissions (epub-builder stamps "now");
//! - content.opf: language ids that do not collide with creator ids
//!   (epub-builder writes `epub-creator-0` for both), our identifier,
//!   `dcterms:modified` from the book, publisher, date and editor;
//! - nav.xhtml: replaced by ours (nav.rs);
//! - the accessibility metadata (accessibility.rs);
//! - toc.ncx: `dtb:uid` matching the OPF identifier, and the real depth.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read, Write};
use std::sync::Arc;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use crate::cache::{Cache, Pack, Packed};
use crate::epub::xhtml::escape;
use crate::fonts::{subset, Face};
use crate::model::Book;

fn fixed_options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644)
}

/// CFF outlines compress poorly for the time it takes: on the example
/// booklet the fastest level keeps the fonts at 77 % of their size in half
/// the time of level 3 (68 %), which was half the EPUB's build time.
const FONT_LEVEL: i64 = 1;

/// A subset font as a one-entry archive, to be copied into the EPUB as it
/// is. Fonts are most of an EPUB's bytes and of its build time: unchanged
/// ones are neither subset nor compressed again on the next build.
pub struct Font {
    /// `<stem>.otf` for CFF outlines, `<stem>.ttf` for TrueType.
    pub name: String,
    pub glyph_count: usize,
    pub media_type: &'static str,
    pub entry: Arc<Vec<u8>>,
}

/// `face` subset to `chars`, as the archive entry `OEBPS/<stem>.<ext>`.
pub fn font(
    stem: &str,
    face: &Face,
    chars: &BTreeSet<char>,
    cache: &Cache,
) -> Result<Font, String> {
    let text: String = chars.iter().collect();
    let key = Cache::key(
        "epub-font",
        &[&face.identity(), stem.as_bytes(), text.as_bytes()],
    );
    if let Some(font) = cache
        .with(&key, |stored| Font::decode(stem, stored))
        .flatten()
    {
        return Ok(font);
    }
    let sub = subset::subset_for_chars(face, chars)?;
    let otf = sub.media_type == "font/otf";
    let name = format!("{stem}.{}", if otf { "otf" } else { "ttf" });
    let entry = deflated_entry(&format!("OEBPS/{name}"), &sub.data, Some(FONT_LEVEL))?;
    let mut stored = Vec::with_capacity(5 + entry.len());
    stored.extend_from_slice(&(sub.glyph_count as u32).to_le_bytes());
    stored.push(u8::from(otf));
    stored.extend_from_slice(&entry);
    cache.put(&key, stored);
    Ok(Font {
        name,
        glyph_count: sub.glyph_count,
        media_type: sub.media_type,
        entry: Arc::new(entry),
    })
}

impl Font {
    /// A font as stored: its glyph count, whether CFF, then the archive.
    fn decode(stem: &str, stored: &[u8]) -> Option<Font> {
        let (count, rest) = stored.split_at_checked(4)?;
        let (&otf, entry) = rest.split_first()?;
        let (ext, media_type) = if otf == 1 {
            ("otf", "font/otf")
        } else {
            ("ttf", "font/ttf")
        };
        Some(Font {
            name: format!("{stem}.{ext}"),
            glyph_count: u32::from_le_bytes(count.try_into().ok()?) as usize,
            media_type,
            entry: Arc::new(entry.to_vec()),
        })
    }
}

/// A one-entry archive holding `data` as it is, as `OEBPS/{name}`: for
/// pictures, which are compressed already. Keyed by `name` like the other
/// prebuilt entries.
pub fn stored_entry(name: &str, data: &[u8]) -> Result<Arc<Vec<u8>>, String> {
    let path = format!("OEBPS/{name}");
    let zerr = |e: zip::result::ZipError| format!("storing {path}: {e}");
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    out.start_file(
        path.as_str(),
        fixed_options().compression_method(CompressionMethod::Stored),
    )
    .map_err(zerr)?;
    out.write_all(data).map_err(|e| e.to_string())?;
    Ok(Arc::new(out.finish().map_err(zerr)?.into_inner()))
}

/// A one-entry archive holding `data` deflated (at zip's default level if
/// none is given).
fn deflated_entry(name: &str, data: &[u8], level: Option<i64>) -> Result<Vec<u8>, String> {
    let zerr = |e: zip::result::ZipError| format!("compressing {name}: {e}");
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    out.start_file(
        name,
        fixed_options()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(level),
    )
    .map_err(zerr)?;
    out.write_all(data).map_err(|e| e.to_string())?;
    Ok(out.finish().map_err(zerr)?.into_inner())
}

/// One-entry archives of the documents (name, content), each compressed
/// once: the ones an earlier build compressed are taken from `kept`.
pub fn documents(
    docs: Vec<(String, Vec<u8>)>,
    kept: &Pack<Vec<u8>>,
) -> Result<BTreeMap<String, Arc<Vec<u8>>>, String> {
    let keyed: Vec<(String, Vec<u8>, crate::cache::Key)> = docs
        .into_iter()
        .map(|(name, data)| {
            let key = Cache::key("epub-document", &[name.as_bytes(), &data]);
            (name, data, key)
        })
        .collect();
    let mut found: BTreeMap<crate::cache::Key, Arc<Vec<u8>>> = BTreeMap::new();
    let mut missing = Vec::new();
    for doc in &keyed {
        match kept.get(&doc.2) {
            Some(entry) => {
                found.insert(doc.2, entry);
            }
            None => missing.push(doc),
        }
    }
    // Side by side in two halves: on a first build this is all the text.
    let half = missing.len().div_ceil(2).max(1);
    let jobs: Vec<&[&(String, Vec<u8>, crate::cache::Key)]> = missing.chunks(half).collect();
    let made = crate::par::map(&jobs, |chunk| {
        chunk
            .iter()
            .map(|(name, data, key)| {
                let entry = deflated_entry(&format!("OEBPS/{name}"), data, None)?;
                Ok((*key, Arc::new(entry)))
            })
            .collect::<Result<Vec<_>, String>>()
    });
    for chunk in made {
        for (key, entry) in chunk? {
            if kept.is_enabled() {
                kept.put(key, entry.clone());
            }
            found.insert(key, entry);
        }
    }
    keyed
        .into_iter()
        .map(|(name, _, key)| {
            let entry = found.get(&key).cloned();
            Ok((name, entry.ok_or("a compressed document went missing")?))
        })
        .collect()
}

/// The documents kept between builds, in one cache entry.
pub fn open_kept(cache: &Arc<Cache>) -> Pack<Vec<u8>> {
    Pack::open(cache, Cache::key("epub-documents", &[]), decode)
}

pub fn encode(entries: &Packed<Vec<u8>>) -> Vec<u8> {
    let mut keys: Vec<&crate::cache::Key> = entries.keys().collect();
    keys.sort();
    let mut out = Vec::new();
    for key in keys {
        out.extend_from_slice(key);
        out.extend_from_slice(&(entries[key].len() as u32).to_le_bytes());
        out.extend_from_slice(&entries[key]);
    }
    out
}

fn decode(mut bytes: &[u8]) -> Option<Packed<Vec<u8>>> {
    let mut out = Packed::new();
    while !bytes.is_empty() {
        let (key, rest) = bytes.split_at_checked(32)?;
        let (len, rest) = rest.split_at_checked(4)?;
        let len = u32::from_le_bytes(len.try_into().ok()?) as usize;
        let (entry, rest) = rest.split_at_checked(len)?;
        out.insert(key.try_into().ok()?, Arc::new(entry.to_vec()));
        bytes = rest;
    }
    Some(out)
}

/// `prebuilt` maps entry names to one-entry archives ([`Font`], documents) that replace
/// epub-builder's (placeholder) entries of the same name.
/// `nav` is the navigation document and `package_meta` the `<meta>` lines
/// added to the package's metadata.
pub fn repack(
    raw: &[u8],
    book: &Book,
    nav: &str,
    package_meta: &str,
    prebuilt: &BTreeMap<String, Arc<Vec<u8>>>,
) -> Result<Vec<u8>, String> {
    let mut archive =
        ZipArchive::new(Cursor::new(raw)).map_err(|e| format!("re-reading the EPUB: {e}"))?;
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .map_err(|e| format!("re-reading the EPUB: {e}"))?;
        if file.is_dir() {
            continue;
        }
        let mut data = Vec::new();
        file.read_to_end(&mut data)
            .map_err(|e| format!("re-reading the EPUB: {e}"))?;
        entries.push((file.name().to_string(), data));
    }
    for (name, data) in &mut entries {
        let patched = match name.as_str() {
            "OEBPS/content.opf" => Some(patch_opf(as_text(data)?, book, package_meta)),
            "OEBPS/nav.xhtml" => Some(nav.to_string()),
            "OEBPS/toc.ncx" => Some(patch_ncx(as_text(data)?, &book.meta)),
            _ => None,
        };
        if let Some(p) = patched {
            *data = p.into_bytes();
        }
    }
    // mimetype first; the rest in a stable order.
    entries.retain(|(n, _)| n != "mimetype");
    entries.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then_with(|| a.0.cmp(&b.0)));

    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let fixed = fixed_options();
    let zerr = |e: zip::result::ZipError| format!("writing the EPUB: {e}");
    out.start_file(
        "mimetype",
        fixed.compression_method(CompressionMethod::Stored),
    )
    .map_err(zerr)?;
    out.write_all(b"application/epub+zip")
        .map_err(|e| e.to_string())?;
    for (name, data) in &entries {
        if let Some(single) = prebuilt.get(name.strip_prefix("OEBPS/").unwrap_or(name)) {
            let mut archive = ZipArchive::new(Cursor::new(single.as_slice())).map_err(zerr)?;
            let file = archive.by_index_raw(0).map_err(zerr)?;
            out.raw_copy_file_rename(file, name.as_str())
                .map_err(zerr)?;
            continue;
        }
        out.start_file(
            name.as_str(),
            fixed.compression_method(CompressionMethod::Deflated),
        )
        .map_err(zerr)?;
        out.write_all(data).map_err(|e| e.to_string())?;
    }
    Ok(out.finish().map_err(zerr)?.into_inner())
}

fn as_text(data: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(data).map_err(|_| "epub-builder wrote a non-UTF-8 file".to_string())
}

fn rank(name: &str) -> u8 {
    match name {
        "META-INF/container.xml" => 0,
        n if n.starts_with("META-INF/") => 1,
        "OEBPS/content.opf" => 2,
        "OEBPS/toc.ncx" | "OEBPS/nav.xhtml" => 3,
        _ => 4,
    }
}

fn patch_opf(opf: &str, book: &Book, package_meta: &str) -> String {
    let meta = &book.meta;
    let mut out = String::with_capacity(opf.len() + 512);
    let mut lang_index = 0;
    let mut extra = String::from(package_meta);
    if let Some(p) = &meta.publisher {
        extra.push_str(&format!(
            "    <dc:publisher>{}</dc:publisher>\n",
            escape(p.trim())
        ));
    }
    if let Some(d) = &meta.date {
        extra.push_str(&format!("    <dc:date>{}</dc:date>\n", escape(d.trim())));
    }
    if let Some(e) = &meta.editor {
        // With no author the editor is the creator: reading systems show
        // dc:creator as the author, and "Unknown" without one.
        let element = if meta.authors.is_empty() {
            "creator"
        } else {
            "contributor"
        };
        extra.push_str(&format!(
            "    <dc:{element} id=\"editor\">{}</dc:{element}>\n    <meta refines=\"#editor\" property=\"role\" scheme=\"marc:relators\">edt</meta>\n",
            escape(e.trim())
        ));
    }
    for line in opf.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with("<dc:language id=\"epub-creator-") {
            let value = between(trimmed, ">", "</").unwrap_or("");
            out.push_str(&format!(
                "    <dc:language id=\"lang-{lang_index}\">{value}</dc:language>\n"
            ));
            lang_index += 1;
            continue;
        }
        // epub-builder's own guide entry names nav.xhtml, outside the
        // spine; with the contents page's entry there were two, and
        // calibre's Kindle conversion appended a stray 目录 for it.
        if trimmed.starts_with("<reference type=\"toc\"") && trimmed.contains("href=\"nav.xhtml\"")
        {
            continue;
        }
        if trimmed.starts_with("<dc:identifier") {
            out.push_str(&format!(
                "    <dc:identifier id=\"epub-id-1\">{}</dc:identifier>\n",
                escape(meta.identifier.trim())
            ));
            continue;
        }
        if trimmed.starts_with("<meta property=\"dcterms:modified\">") {
            out.push_str(&format!(
                "    <meta property=\"dcterms:modified\">{}</meta>\n",
                iso_timestamp(meta.modified)
            ));
            out.push_str(&extra);
            continue;
        }
        if trimmed.starts_with("<package ") {
            out.push_str(&line.replacen(
                "<package ",
                &format!("<package xml:lang=\"{}\" ", escape(&meta.lang.tag)),
                1,
            ));
            out.push('\n');
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The NCX names the book (epub-builder writes the TOC heading there).
fn patch_ncx(ncx: &str, meta: &crate::model::BookMeta) -> String {
    let depth = ncx_depth(ncx);
    let identifier = &meta.identifier;
    let title = between(ncx, "<docTitle>", "</docTitle>").unwrap_or("");
    let ncx = if title.is_empty() {
        ncx.to_string()
    } else {
        ncx.replacen(
            title,
            &format!("\n    <text>{}</text>\n  ", escape(meta.title.trim())),
            1,
        )
    };
    ncx.replacen(
        "<meta name=\"dtb:depth\" content=\"1\" />",
        &format!(
            "<meta name=\"dtb:uid\" content=\"{}\" />\n    <meta name=\"dtb:depth\" content=\"{depth}\" />",
            escape(identifier.trim())
        ),
        1,
    )
}

/// The deepest nesting of navPoints.
fn ncx_depth(ncx: &str) -> usize {
    let mut depth = 0usize;
    let mut max = 1usize;
    let mut rest = ncx;
    while let Some(i) = rest.find("navPoint") {
        let before = &rest[..i];
        if before.ends_with("</") {
            depth = depth.saturating_sub(1);
        } else if before.ends_with('<') {
            depth += 1;
            max = max.max(depth);
        }
        rest = &rest[i + "navPoint".len()..];
    }
    max
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let a = s.find(start)? + start.len();
    let b = s[a..].find(end)? + a;
    Some(&s[a..b])
}

/// `YYYY-MM-DDThh:mm:ssZ` for seconds since the epoch (UTC).
pub fn iso_timestamp(secs: i64) -> String {
    let (y, m, d, h, mi, s) = crate::dates::civil(secs);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(iso_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_timestamp(1709251200 + 3661), "2024-03-01T01:01:01Z");
    }

    #[test]
    fn depth() {
        let ncx = "<navPoint><navPoint></navPoint></navPoint><navPoint></navPoint>";
        assert_eq!(ncx_depth(ncx), 2);
    }
}
