//! What printpdf cannot write, added to its lopdf document (crates.md §3):
//! a nested outline with in-page destinations in document order, page
//! labels (roman front matter, arabic body from 1), /Lang, /PageMode as a
//! name, the Info dictionary with dates from the manifest, a fixed /ID,
//! the fonts ([`super::fontfile`]) and the images. Then compression and
//! the bytes.

use lopdf::{Dictionary, Object, Stream, StringFormat};

use crate::cache::{Cache, Key};

use super::fontfile::{add_fonts, FontEntry};
use super::write::{ImagePlacement, ShiftedFont};
use crate::image::{PdfImage, PdfImageKind};
use crate::model::BookMeta;

/// An outline entry: its title, nesting level (0 = top) and destination.
#[derive(Debug, Clone)]
pub struct OutlineEntry {
    pub level: u8,
    pub title: String,
    pub page: usize,
    /// Top of the destination in PDF coordinates.
    pub top: f32,
}

pub struct Finish<'a> {
    pub meta: &'a BookMeta,
    pub outline: &'a [OutlineEntry],
    /// Pages before the body (labelled i, ii, …).
    pub front_pages: usize,
    pub images: &'a [std::sync::Arc<crate::image::Picture>],
    pub placements: &'a [ImagePlacement],
    pub shifted: &'a [ShiftedFont],
    pub producer: &'a str,
    pub cache: &'a Cache,
}

pub fn finish(
    mut doc: lopdf::Document,
    fonts: Vec<FontEntry>,
    f: &Finish<'_>,
) -> Result<Vec<u8>, String> {
    doc.version = "1.7".into();
    let pages: Vec<lopdf::ObjectId> = doc.get_pages().values().copied().collect();
    add_images(&mut doc, &pages, f);
    add_fonts(&mut doc, &pages, fonts, f.shifted)?;
    let outline = add_outline(&mut doc, &pages, f.outline);
    let mut labels = vec![];
    if f.front_pages > 0 {
        labels.push(Object::Integer(0));
        labels.push(Object::Dictionary(Dictionary::from_iter(vec![(
            "S",
            Object::Name(b"r".to_vec()),
        )])));
    }
    if f.front_pages < pages.len() {
        labels.push(Object::Integer(f.front_pages as i64));
        labels.push(Object::Dictionary(Dictionary::from_iter(vec![
            ("S", Object::Name(b"D".to_vec())),
            ("St", Object::Integer(1)),
        ])));
    }
    let info = info_dict(f);
    let info_id = doc.add_object(info);
    let catalog = doc.catalog_mut().map_err(|e| e.to_string())?;
    catalog.set(
        "PageLabels",
        Dictionary::from_iter(vec![("Nums", Object::Array(labels))]),
    );
    catalog.set("Lang", text_string(&f.meta.lang.tag));
    catalog.set(
        "ViewerPreferences",
        Dictionary::from_iter(vec![("DisplayDocTitle", Object::Boolean(true))]),
    );
    match outline {
        Some(id) => {
            catalog.set("Outlines", Object::Reference(id));
            catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
        }
        None => catalog.set("PageMode", Object::Name(b"UseNone".to_vec())),
    }
    doc.trailer.set("Info", Object::Reference(info_id));
    // The same identifier in both halves: a first edition of this book.
    let id = document_id(f.meta);
    doc.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ]),
    );
    doc.prune_objects();
    doc.renumber_objects();
    compress(&mut doc, f.cache);
    // Sized for the streams and some: growing by doubling would touch
    // twice the memory.
    let streams: usize = doc
        .objects
        .values()
        .map(|o| match o {
            Object::Stream(s) => s.content.len(),
            _ => 0,
        })
        .sum();
    let mut out = Vec::with_capacity(streams + streams / 8 + 64 * 1024);
    // A cross-reference stream, but no object streams: packing the 20 KB
    // of dictionaries would save 16 KB of the file and cost every build
    // twice the time of writing them (lopdf starts a compressor per stream).
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceStream;
    doc.save_to(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// PDF text string: ASCII as is, anything else as UTF-16BE with a BOM.
pub fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        return Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn info_dict(f: &Finish<'_>) -> Dictionary {
    let m = f.meta;
    let date = pdf_date(m.modified);
    let author = if m.authors.is_empty() {
        m.editor.clone().unwrap_or_default()
    } else {
        m.authors.join("、")
    };
    let mut d = Dictionary::new();
    d.set("Title", text_string(&m.title));
    if !author.is_empty() {
        d.set("Author", text_string(&author));
    }
    if let Some(s) = &m.description {
        d.set("Subject", text_string(s));
    }
    if !m.subjects.is_empty() {
        d.set("Keywords", text_string(&m.subjects.join(", ")));
    }
    d.set("Creator", text_string("booklet"));
    d.set("Producer", text_string(f.producer));
    d.set(
        "CreationDate",
        Object::String(date.clone().into_bytes(), StringFormat::Literal),
    );
    d.set(
        "ModDate",
        Object::String(date.into_bytes(), StringFormat::Literal),
    );
    d
}

/// `D:YYYYMMDDHHmmSSZ` for seconds since the Unix epoch (UTC).
pub fn pdf_date(epoch: i64) -> String {
    let (y, m, d, h, mi, s) = crate::dates::civil(epoch);
    format!("D:{y:04}{m:02}{d:02}{h:02}{mi:02}{s:02}Z")
}

/// 16 bytes derived from the book's identifier (FNV-1a, twice seeded), so
/// that every build of the same book carries the same ID.
fn document_id(meta: &BookMeta) -> Vec<u8> {
    let hash = |seed: u64| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for b in meta.identifier.bytes().chain(meta.title.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
        h
    };
    let mut id = hash(0).to_be_bytes().to_vec();
    id.extend_from_slice(&hash(0x9E37_79B9_7F4A_7C15).to_be_bytes());
    id
}

fn add_outline(
    doc: &mut lopdf::Document,
    pages: &[lopdf::ObjectId],
    entries: &[OutlineEntry],
) -> Option<lopdf::ObjectId> {
    if entries.is_empty() {
        return None;
    }
    let root = doc.new_object_id();
    let ids: Vec<lopdf::ObjectId> = entries.iter().map(|_| doc.new_object_id()).collect();
    // Parent of each entry: the nearest earlier entry of a lower level.
    let mut parent: Vec<Option<usize>> = Vec::with_capacity(entries.len());
    let mut stack: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        while stack.last().is_some_and(|&s| entries[s].level >= e.level) {
            stack.pop();
        }
        parent.push(stack.last().copied());
        stack.push(i);
    }
    let children = |p: Option<usize>| -> Vec<usize> {
        (0..entries.len()).filter(|&i| parent[i] == p).collect()
    };
    let mut dicts: Vec<Dictionary> = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let mut d = Dictionary::new();
        d.set("Title", text_string(&e.title));
        d.set(
            "Parent",
            Object::Reference(parent[i].map_or(root, |p| ids[p])),
        );
        let page = pages.get(e.page).copied().unwrap_or(pages[0]);
        d.set(
            "Dest",
            Object::Array(vec![
                Object::Reference(page),
                Object::Name(b"XYZ".to_vec()),
                Object::Real(0.0),
                Object::Real(e.top),
                Object::Null,
            ]),
        );
        dicts.push(d);
    }
    let link = |dicts: &mut Vec<Dictionary>, kids: &[usize]| {
        for (k, &c) in kids.iter().enumerate() {
            if k > 0 {
                dicts[c].set("Prev", Object::Reference(ids[kids[k - 1]]));
            }
            if k + 1 < kids.len() {
                dicts[c].set("Next", Object::Reference(ids[kids[k + 1]]));
            }
        }
    };
    let top = children(None);
    link(&mut dicts, &top);
    for i in 0..entries.len() {
        let kids = children(Some(i));
        if kids.is_empty() {
            continue;
        }
        link(&mut dicts, &kids);
        dicts[i].set("First", Object::Reference(ids[kids[0]]));
        dicts[i].set(
            "Last",
            Object::Reference(ids[*kids.last().expect("non-empty")]),
        );
        // Negative: the entry starts closed (sections fold under articles).
        dicts[i].set("Count", Object::Integer(-(kids.len() as i64)));
    }
    for (id, d) in ids.iter().zip(dicts) {
        doc.objects.insert(*id, Object::Dictionary(d));
    }
    let mut r = Dictionary::new();
    r.set("Type", Object::Name(b"Outlines".to_vec()));
    r.set("First", Object::Reference(ids[top[0]]));
    r.set(
        "Last",
        Object::Reference(ids[*top.last().expect("non-empty")]),
    );
    r.set("Count", Object::Integer(top.len() as i64));
    doc.objects.insert(root, Object::Dictionary(r));
    Some(root)
}

fn add_images(doc: &mut lopdf::Document, pages: &[lopdf::ObjectId], f: &Finish<'_>) {
    if f.placements.is_empty() {
        return;
    }
    let xobjects: Vec<lopdf::ObjectId> = f
        .images
        .iter()
        .map(|picture| add_image(doc, &picture.pdf))
        .collect();
    for (pi, page_id) in pages.iter().enumerate() {
        let here: Vec<&ImagePlacement> = f.placements.iter().filter(|p| p.page == pi).collect();
        if here.is_empty() {
            continue;
        }
        let mut content = String::new();
        let mut names = Dictionary::new();
        for p in here {
            let [x, y, w, h] = p.rect;
            let name = format!("BkIm{}", p.image);
            content.push_str(&format!(
                "q {w:.3} 0 0 {h:.3} {x:.3} {y:.3} cm /{name} Do Q\n"
            ));
            if let Some(&id) = xobjects.get(p.image as usize) {
                names.set(name, Object::Reference(id));
            }
        }
        let stream_id = doc.add_object(Stream::new(Dictionary::new(), content.into_bytes()));
        let Ok(page) = doc.get_dictionary(*page_id).cloned() else {
            continue;
        };
        let mut page = page;
        let contents = match page.get(b"Contents") {
            Ok(Object::Reference(r)) => vec![Object::Reference(*r), Object::Reference(stream_id)],
            Ok(Object::Array(a)) => {
                let mut a = a.clone();
                a.push(Object::Reference(stream_id));
                a
            }
            _ => vec![Object::Reference(stream_id)],
        };
        page.set("Contents", Object::Array(contents));
        // Own resources for this page: the shared ones plus its images.
        let mut resources = match page.get(b"Resources") {
            Ok(Object::Reference(r)) => doc.get_dictionary(*r).cloned().unwrap_or_default(),
            Ok(Object::Dictionary(d)) => d.clone(),
            _ => Dictionary::new(),
        };
        let mut xobj = match resources.get(b"XObject") {
            Ok(Object::Reference(r)) => doc.get_dictionary(*r).cloned().unwrap_or_default(),
            Ok(Object::Dictionary(d)) => d.clone(),
            _ => Dictionary::new(),
        };
        for (k, v) in names.iter() {
            xobj.set(k.clone(), v.clone());
        }
        resources.set("XObject", Object::Dictionary(xobj));
        page.set("Resources", Object::Dictionary(resources));
        doc.objects.insert(*page_id, Object::Dictionary(page));
    }
}

/// An image XObject (and its soft mask). Samples go in unfiltered: the
/// compression pass deflates them and keeps the result in the cache.
fn add_image(doc: &mut lopdf::Document, image: &PdfImage) -> lopdf::ObjectId {
    // 8-bit samples, for the picture and its mask alike.
    let xobject = || {
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"XObject".to_vec()));
        dict.set("Subtype", Object::Name(b"Image".to_vec()));
        dict.set("Width", Object::Integer(image.width as i64));
        dict.set("Height", Object::Integer(image.height as i64));
        dict.set("BitsPerComponent", Object::Integer(8));
        dict
    };
    let mut dict = xobject();
    let grey = |colors: u8| {
        Object::Name(if colors == 1 {
            b"DeviceGray".to_vec()
        } else {
            b"DeviceRGB".to_vec()
        })
    };
    let compress = match &image.kind {
        PdfImageKind::Jpeg {
            components,
            inverted,
        } => {
            let cs: &[u8] = match components {
                1 => b"DeviceGray",
                4 => b"DeviceCMYK",
                _ => b"DeviceRGB",
            };
            dict.set("ColorSpace", Object::Name(cs.to_vec()));
            dict.set("Filter", Object::Name(b"DCTDecode".to_vec()));
            if *inverted {
                dict.set(
                    "Decode",
                    Object::Array([1, 0, 1, 0, 1, 0, 1, 0].map(Object::Integer).to_vec()),
                );
            }
            false
        }
        PdfImageKind::Samples { colors, alpha } => {
            dict.set("ColorSpace", grey(*colors));
            if let Some(alpha) = alpha {
                let mut mask = xobject();
                mask.set("ColorSpace", grey(1));
                let id = doc.add_object(Stream::new(mask, alpha.clone()));
                dict.set("SMask", Object::Reference(id));
            }
            true
        }
    };
    doc.add_object(Stream::new(dict, image.data.clone()).with_compression(compress))
}

/// Streams this large (the fonts' ToUnicode maps, images) are deflated
/// once and the result kept in the build cache: they change only when the
/// glyphs or images used do.
const CACHED_STREAM: usize = 8 * 1024;

/// Level 4: within a few KB of lopdf's level 9 (font programs barely
/// compress further) in far less time.
const LEVEL: u32 = 4;

/// `content` as a zlib stream, by this thread's compressor: setting one up
/// takes more memory than a page stream holds, and fresh memory is dear.
pub(super) fn deflate(content: &[u8]) -> Result<Vec<u8>, String> {
    thread_local! {
        static DEFLATER: std::cell::RefCell<Deflater> = std::cell::RefCell::new(Deflater::new());
    }
    DEFLATER.with_borrow_mut(|d| d.deflate(content))
}

struct Deflater(flate2::Compress);

impl Deflater {
    fn new() -> Deflater {
        Deflater(flate2::Compress::new(flate2::Compression::new(LEVEL), true))
    }

    fn deflate(&mut self, content: &[u8]) -> Result<Vec<u8>, String> {
        self.0.reset();
        let mut out = Vec::with_capacity(content.len() / 2 + 64);
        loop {
            let done = self.0.total_in() as usize;
            let status = self
                .0
                .compress_vec(&content[done..], &mut out, flate2::FlushCompress::Finish)
                .map_err(|e| e.to_string())?;
            if status == flate2::Status::StreamEnd {
                return Ok(out);
            }
            out.reserve(out.capacity().max(64));
        }
    }
}

/// A stream's content, and the key it is kept under if it is large.
type ToDeflate<'a> = (lopdf::ObjectId, &'a [u8], Option<Key>);

/// Deflates every stream not yet filtered, side by side.
fn compress(doc: &mut lopdf::Document, cache: &Cache) {
    let mut packed: Vec<(lopdf::ObjectId, Vec<u8>)> = Vec::new();
    // Each large stream not in the cache gets a job; the small ones go
    // together in one.
    let mut jobs: Vec<Vec<ToDeflate<'_>>> = Vec::new();
    let mut small = Vec::new();
    for (id, object) in &doc.objects {
        let Object::Stream(s) = object else { continue };
        if !s.allows_compression || s.dict.get(b"Filter").is_ok() {
            continue;
        }
        if s.content.len() < CACHED_STREAM {
            small.push((*id, s.content.as_slice(), None));
            continue;
        }
        let key = Cache::key("pdf-deflate", &[&s.content]);
        match cache.get(&key) {
            Some(hit) => packed.push((*id, hit.to_vec())),
            None => jobs.push(vec![(*id, s.content.as_slice(), Some(key))]),
        }
    }
    jobs.push(small);
    let fresh = crate::par::map(&jobs, |group| {
        group
            .iter()
            .map(|(id, content, key)| {
                let out = deflate(content)?;
                Ok(match key {
                    Some(key) => (*id, cache.put(key, out).to_vec()),
                    None => (*id, out),
                })
            })
            .collect::<Result<Vec<_>, String>>()
    });
    packed.extend(fresh.into_iter().flatten().flatten());
    for (id, packed) in packed {
        if let Some(Object::Stream(stream)) = doc.objects.get_mut(&id) {
            if packed.len() + 20 < stream.content.len() {
                stream
                    .dict
                    .set("Filter", Object::Name(b"FlateDecode".to_vec()));
                stream.set_content(packed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(pdf_date(0), "D:19700101000000Z");
        assert_eq!(pdf_date(1_704_067_200), "D:20240101000000Z");
        assert_eq!(pdf_date(951_782_400 + 3661), "D:20000229010101Z");
    }

    #[test]
    fn text_strings() {
        assert_eq!(
            text_string("zh-Hans"),
            Object::String(b"zh-Hans".to_vec(), StringFormat::Literal)
        );
        let Object::String(b, _) = text_string("中") else {
            panic!()
        };
        assert_eq!(b, vec![0xFE, 0xFF, 0x4E, 0x2D]);
    }
}
