//! The document's own objects, written once the pages are: a nested
//! outline with in-page destinations in document order, page labels (roman
//! front matter, arabic body from 1), /Lang, /PageMode, the Info dictionary
//! with dates from the manifest, a fixed /ID; the images.

use lopdf::{Dictionary, Object, StringFormat};

use super::conformance::{Particulars, Standard};
use super::file::{Id, PdfFile};
use crate::cache::Cache;
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
    /// Of those, the cover and its verso, labelled 封面 and 封二 (the
    /// front matter's i is the title page, as its folios count).
    pub cover_pages: usize,
    pub producer: &'a str,
    /// The structure the pages were tagged with (None: untagged).
    pub structure: Option<&'a crate::typeset::structure::Structure>,
    pub standard: Standard,
}

/// Writes the outline, the Info dictionary and the catalog (object
/// `catalog`, its pages under `page_tree`), and ends the file.
pub fn finish(
    mut file: PdfFile,
    catalog: Id,
    page_tree: Id,
    pages: &[Id],
    struct_tree: Option<Id>,
    f: &Finish<'_>,
) -> Result<Vec<u8>, super::PdfError> {
    let outline = add_outline(&mut file, pages, f.outline);
    let mut labels = vec![];
    for (page, name) in ["封面", "封二"].iter().enumerate().take(f.cover_pages) {
        labels.push(Object::Integer(page as i64));
        labels.push(Object::Dictionary(Dictionary::from_iter(vec![(
            "P",
            text_string(name),
        )])));
    }
    if f.front_pages > f.cover_pages {
        labels.push(Object::Integer(f.cover_pages as i64));
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
    let particulars = particulars(f);
    let info = file.add(&Object::Dictionary(info_dict(&particulars)));
    let claims = match f.standard {
        Standard::UaA2 => super::conformance::objects(&mut file, &particulars)?,
        Standard::None => Vec::new(),
    };
    let mut dict = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Catalog".to_vec())),
        ("PageLayout", Object::Name(b"OneColumn".to_vec())),
        ("Pages", Object::Reference((page_tree, 0))),
    ]);
    dict.set(
        "PageLabels",
        Dictionary::from_iter(vec![("Nums", Object::Array(labels))]),
    );
    dict.set("Lang", text_string(&f.meta.lang.tag));
    for (key, value) in claims {
        dict.set(key, value);
    }
    dict.set(
        "ViewerPreferences",
        Dictionary::from_iter(vec![("DisplayDocTitle", Object::Boolean(true))]),
    );
    if let Some(tree) = struct_tree {
        dict.set("StructTreeRoot", Object::Reference((tree, 0)));
        dict.set(
            "MarkInfo",
            Dictionary::from_iter(vec![("Marked", Object::Boolean(true))]),
        );
    }
    match outline {
        Some(id) => {
            dict.set("Outlines", Object::Reference((id, 0)));
            dict.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
        }
        None => dict.set("PageMode", Object::Name(b"UseNone".to_vec())),
    }
    file.object(catalog, &Object::Dictionary(dict));
    // The same identifier in both halves: a first edition of this book.
    let id = document_id(f.meta);
    file.finish(Dictionary::from_iter(vec![
        ("Root", Object::Reference((catalog, 0))),
        ("Info", Object::Reference((info, 0))),
        (
            "ID",
            Object::Array(vec![
                Object::String(id.clone(), StringFormat::Hexadecimal),
                Object::String(id, StringFormat::Hexadecimal),
            ]),
        ),
    ]))
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

/// What the Info dictionary and the XMP metadata both say.
fn particulars<'a>(f: &'a Finish<'a>) -> Particulars<'a> {
    let m = f.meta;
    Particulars {
        title: &m.title,
        // One string for all of them: the Info dictionary has one entry,
        // and PDF/A wants XMP's dc:creator to be the same single name.
        author: if m.authors.is_empty() {
            m.editor.clone().unwrap_or_default()
        } else {
            m.authors.join("、")
        },
        subject: m.description.as_deref(),
        keywords: (!m.subjects.is_empty()).then(|| m.subjects.join(", ")),
        creator: "booklet",
        producer: f.producer,
        lang: &m.lang.tag,
        date: m.modified,
    }
}

fn info_dict(p: &Particulars<'_>) -> Dictionary {
    let date = pdf_date(p.date);
    let mut d = Dictionary::new();
    d.set("Title", text_string(p.title));
    if !p.author.is_empty() {
        d.set("Author", text_string(&p.author));
    }
    if let Some(s) = p.subject {
        d.set("Subject", text_string(s));
    }
    if let Some(k) = &p.keywords {
        d.set("Keywords", text_string(k));
    }
    d.set("Creator", text_string(p.creator));
    d.set("Producer", text_string(p.producer));
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

fn add_outline(file: &mut PdfFile, pages: &[Id], entries: &[OutlineEntry]) -> Option<Id> {
    if entries.is_empty() || pages.is_empty() {
        return None;
    }
    let root = file.reserve();
    let first = file.reserve_many(entries.len());
    let ids: Vec<lopdf::ObjectId> = (0..entries.len()).map(|i| (first + i as Id, 0)).collect();
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
            Object::Reference(parent[i].map_or((root, 0), |p| ids[p])),
        );
        let page = pages.get(e.page).copied().unwrap_or(pages[0]);
        d.set(
            "Dest",
            Object::Array(vec![
                Object::Reference((page, 0)),
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
        file.object(id.0, &Object::Dictionary(d));
    }
    let mut r = Dictionary::new();
    r.set("Type", Object::Name(b"Outlines".to_vec()));
    r.set("First", Object::Reference(ids[top[0]]));
    r.set(
        "Last",
        Object::Reference(ids[*top.last().expect("non-empty")]),
    );
    r.set("Count", Object::Integer(top.len() as i64));
    file.object(root, &Object::Dictionary(r));
    Some(root)
}

/// An image XObject (and its soft mask) as object `id`. Samples are
/// deflated once and kept in the cache.
pub fn add_image(
    file: &mut PdfFile,
    id: Id,
    image: &PdfImage,
    cache: &Cache,
) -> Result<(), super::PdfError> {
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
                let (bytes, deflated) = super::deflate::deflated(alpha, cache)?;
                if deflated {
                    mask.set("Filter", Object::Name(b"FlateDecode".to_vec()));
                }
                let mask = file.add_stream(mask, &bytes);
                dict.set("SMask", Object::Reference((mask, 0)));
            }
            true
        }
    };
    if compress {
        let (bytes, deflated) = super::deflate::deflated(&image.data, cache)?;
        if deflated {
            dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        }
        file.stream(id, dict, &bytes);
    } else {
        file.stream(id, dict, &image.data);
    }
    Ok(())
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
