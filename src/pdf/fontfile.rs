//! The embedded fonts as PDF objects (PDF 32000-1 §9.7, §9.8): per subset
//! program a Type 0 font with its CIDFont, descriptor, program stream and
//! complete ToUnicode map, plus the resources with shifted widths that
//! share them. Written here rather than by printpdf, which would parse
//! every subset again to find what [`super::embed`] already knows.

use std::collections::BTreeMap;
use std::sync::Arc;

use lopdf::{Dictionary, Object, Stream, StringFormat};

use super::embed::{Metrics, ProgramKind};
use super::post::deflate;
use super::write::ShiftedFont;
use crate::cache::Cache;

/// An embedded font, as the post-pass writes it.
pub struct FontEntry {
    /// The resource name the content streams use.
    pub resource: String,
    pub base_font: String,
    pub kind: ProgramKind,
    pub metrics: Metrics,
    pub cmap: String,
    /// Code → width of the glyphs drawn through this resource.
    pub widths: BTreeMap<u16, i64>,
    pub program: Prepacked,
}

/// A font program being deflated in the background while the pages are
/// written: its compression is the largest single job of a first build.
pub struct Prepacked {
    program: Arc<Vec<u8>>,
    packed: Packing,
}

enum Packing {
    Done(Arc<Vec<u8>>),
    Running(std::thread::JoinHandle<Result<Arc<Vec<u8>>, String>>),
}

impl Prepacked {
    /// Starts deflating `program` (or takes an earlier build's result).
    pub fn start(program: Vec<u8>, cache: &Arc<Cache>) -> Prepacked {
        let key = Cache::key("pdf-deflate", &[&program]);
        let program = Arc::new(program);
        // Only a miss is worth a thread.
        let packed = match cache.get(&key) {
            Some(hit) => Packing::Done(hit),
            None => {
                let (input, cache) = (program.clone(), cache.clone());
                Packing::Running(std::thread::spawn(move || {
                    Ok(cache.put(&key, deflate(&input)?))
                }))
            }
        };
        Prepacked { program, packed }
    }

    /// The program's stream: deflated where that pays.
    fn stream(self, mut dict: Dictionary) -> Result<Stream, String> {
        let packed = match self.packed {
            Packing::Done(packed) => packed,
            Packing::Running(job) => job
                .join()
                .map_err(|_| "a compression thread failed".to_string())??,
        };
        let mut stream = if packed.len() + 20 < self.program.len() {
            dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            Stream::new(dict, packed.to_vec())
        } else {
            Stream::new(dict, self.program.to_vec())
        };
        stream.allows_compression = false;
        Ok(stream)
    }
}

/// Adds the fonts to the font resources every page shares.
pub fn add_fonts(
    doc: &mut lopdf::Document,
    pages: &[lopdf::ObjectId],
    fonts: Vec<FontEntry>,
    shifted: &[ShiftedFont],
) -> Result<(), String> {
    let Some(&first) = pages.first() else {
        return Ok(());
    };
    let page = doc.get_dictionary(first).map_err(|e| e.to_string())?;
    let resources = match page.get(b"Resources") {
        Ok(Object::Reference(r)) => *r,
        _ => return Err("page resources are not shared".into()),
    };
    let font_dict_id = match doc.get_dictionary(resources).and_then(|r| r.get(b"Font")) {
        Ok(Object::Reference(r)) => *r,
        _ => return Err("font resources are not shared".into()),
    };
    let mut resources = doc
        .get_dictionary(font_dict_id)
        .map_err(|e| e.to_string())?
        .clone();
    // Per base resource: what its shifted copies share with it.
    let mut shared: BTreeMap<String, Shared> = BTreeMap::new();
    for font in fonts {
        let name = |s: &str| Object::Name(s.as_bytes().to_vec());
        let mut file = Dictionary::new();
        let (subtype, file_key) = match font.kind {
            ProgramKind::CidCff => {
                file.set("Subtype", name("CIDFontType0C"));
                ("CIDFontType0", "FontFile3")
            }
            ProgramKind::OpenType => {
                file.set("Subtype", name("OpenType"));
                ("CIDFontType0", "FontFile3")
            }
            ProgramKind::TrueType => {
                file.set(
                    "Length1",
                    Object::Integer(font.program.program.len() as i64),
                );
                ("CIDFontType2", "FontFile2")
            }
        };
        let program = doc.add_object(font.program.stream(file)?);
        let m = font.metrics;
        let italic = if m.italic_angle != 0 { 1 << 6 } else { 0 };
        let descriptor = Dictionary::from_iter(vec![
            ("Type", name("FontDescriptor")),
            ("FontName", name(&font.base_font)),
            ("Ascent", Object::Integer(m.ascent)),
            ("Descent", Object::Integer(m.descent)),
            ("CapHeight", Object::Integer(m.cap_height)),
            ("ItalicAngle", Object::Integer(m.italic_angle)),
            // Non-symbolic, and italic if slanted (Table 123).
            ("Flags", Object::Integer((1 << 5) | italic)),
            ("StemV", Object::Integer(m.stem_v)),
            (
                "FontBBox",
                Object::Array(m.bbox.iter().map(|&v| Object::Integer(v)).collect()),
            ),
            (file_key, Object::Reference(program)),
        ]);
        let descriptor = doc.add_object(descriptor);
        let to_unicode = doc.add_object(Stream::new(Dictionary::new(), font.cmap.into_bytes()));
        let base = Shared {
            base_font: font.base_font,
            subtype,
            descriptor,
            to_unicode,
        };
        let id = doc.add_object(base.type0(&font.widths));
        resources.set(font.resource.clone(), Object::Reference(id));
        shared.insert(font.resource, base);
    }
    for s in shifted {
        let Some(base) = shared.get(&s.base) else {
            continue;
        };
        let id = doc.add_object(base.type0(&s.widths));
        resources.set(s.name.clone(), Object::Reference(id));
    }
    doc.objects
        .insert(font_dict_id, Object::Dictionary(resources));
    Ok(())
}

/// What the resources of one program share.
struct Shared {
    base_font: String,
    subtype: &'static str,
    descriptor: lopdf::ObjectId,
    to_unicode: lopdf::ObjectId,
}

impl Shared {
    /// A Type 0 font drawing the program with these widths.
    fn type0(&self, widths: &BTreeMap<u16, i64>) -> Dictionary {
        let name = |s: &str| Object::Name(s.as_bytes().to_vec());
        let literal = |s: &str| Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
        let cid_font = Dictionary::from_iter(vec![
            ("Type", name("Font")),
            ("Subtype", name(self.subtype)),
            ("BaseFont", name(&self.base_font)),
            (
                "CIDSystemInfo",
                Object::Dictionary(Dictionary::from_iter(vec![
                    ("Registry", literal("Adobe")),
                    ("Ordering", literal("Identity")),
                    ("Supplement", Object::Integer(0)),
                ])),
            ),
            ("FontDescriptor", Object::Reference(self.descriptor)),
            ("DW", Object::Integer(1000)),
            ("W", widths_array(widths)),
        ]);
        Dictionary::from_iter(vec![
            ("Type", name("Font")),
            ("Subtype", name("Type0")),
            ("BaseFont", name(&self.base_font)),
            ("Encoding", name("Identity-H")),
            (
                "DescendantFonts",
                Object::Array(vec![Object::Dictionary(cid_font)]),
            ),
            ("ToUnicode", Object::Reference(self.to_unicode)),
        ])
    }
}

/// A /W array: runs of consecutive codes with their widths.
fn widths_array(widths: &BTreeMap<u16, i64>) -> Object {
    let mut out = Vec::new();
    let mut run: Vec<Object> = Vec::new();
    let mut run_start = 0u16;
    let mut prev: Option<u16> = None;
    for (&code, &w) in widths {
        if prev.is_some_and(|p| p + 1 == code) {
            run.push(Object::Integer(w));
        } else {
            if !run.is_empty() {
                out.push(Object::Integer(run_start as i64));
                out.push(Object::Array(std::mem::take(&mut run)));
            }
            run_start = code;
            run.push(Object::Integer(w));
        }
        prev = Some(code);
    }
    if !run.is_empty() {
        out.push(Object::Integer(run_start as i64));
        out.push(Object::Array(run));
    }
    Object::Array(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_runs() {
        let w: BTreeMap<u16, i64> = [(3, 500), (4, 750), (9, 1000)].into_iter().collect();
        let Object::Array(a) = widths_array(&w) else {
            panic!()
        };
        assert_eq!(a.len(), 4);
        assert_eq!(a[0], Object::Integer(3));
        assert_eq!(a[2], Object::Integer(9));
    }
}
