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
    pub metrics: Metrics,
    pub cmap: String,
    /// Code → width of the glyphs drawn through this resource.
    pub widths: BTreeMap<u16, i64>,
    pub program: Program,
}

/// A subset program as the PDF stores it: its kind, the code each subset
/// glyph is drawn by, and its stream (deflated in the background on a
/// first build, while the pages are written: the largest single job).
pub struct Program {
    pub kind: ProgramKind,
    pub codes: Vec<u16>,
    file: Packing,
}

enum Packing {
    Done(FileStream),
    Running(std::thread::JoinHandle<Result<FileStream, String>>),
}

/// A program's stream bytes, and its length before any filter.
struct FileStream {
    bytes: Vec<u8>,
    deflated: bool,
    raw_len: usize,
}

impl Program {
    /// The program an earlier build stored under `key`, for a subset of
    /// `count` glyphs: all a rebuild reads of it is what it writes.
    pub fn cached(cache: &Cache, key: &crate::cache::Key, count: usize) -> Option<Program> {
        cache.with(key, |entry| decode(entry, count)).flatten()
    }

    /// Starts deflating a fresh `program`, stored under `key` once done.
    pub fn start(
        kind: ProgramKind,
        codes: Vec<u16>,
        program: Vec<u8>,
        key: crate::cache::Key,
        cache: &Arc<Cache>,
    ) -> Program {
        let cache = cache.clone();
        let stored_codes = codes.clone();
        let job = std::thread::spawn(move || {
            let packed = deflate(&program)?;
            let raw_len = program.len();
            // Deflated only where that pays.
            let file = if packed.len() + 20 < raw_len {
                FileStream {
                    bytes: packed,
                    deflated: true,
                    raw_len,
                }
            } else {
                FileStream {
                    bytes: program,
                    deflated: false,
                    raw_len,
                }
            };
            cache.put(&key, encode(kind, &stored_codes, &file));
            Ok(file)
        });
        Program {
            kind,
            codes,
            file: Packing::Running(job),
        }
    }

    fn finish(self) -> Result<FileStream, String> {
        match self.file {
            Packing::Done(file) => Ok(file),
            Packing::Running(job) => job
                .join()
                .map_err(|_| "a compression thread failed".to_string())?,
        }
    }
}

/// The stored form: kind, codes, unfiltered length, whether deflated, then
/// the stream bytes.
fn encode(kind: ProgramKind, codes: &[u16], file: &FileStream) -> Vec<u8> {
    let mut out = Vec::with_capacity(10 + codes.len() * 2 + file.bytes.len());
    out.push(kind as u8);
    for code in codes {
        out.extend_from_slice(&code.to_le_bytes());
    }
    out.extend_from_slice(&(file.raw_len as u64).to_le_bytes());
    out.push(u8::from(file.deflated));
    out.extend_from_slice(&file.bytes);
    out
}

fn decode(entry: &[u8], count: usize) -> Option<Program> {
    let (&kind, rest) = entry.split_first()?;
    let kind = match kind {
        0 => ProgramKind::CidCff,
        1 => ProgramKind::OpenType,
        2 => ProgramKind::TrueType,
        _ => return None,
    };
    let (codes, rest) = rest.split_at_checked(count * 2)?;
    let codes = codes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let (raw_len, rest) = rest.split_at_checked(8)?;
    let (&deflated, bytes) = rest.split_first()?;
    Some(Program {
        kind,
        codes,
        file: Packing::Done(FileStream {
            bytes: bytes.to_vec(),
            deflated: deflated == 1,
            raw_len: u64::from_le_bytes(raw_len.try_into().ok()?) as usize,
        }),
    })
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
        let kind = font.program.kind;
        let stream = font.program.finish()?;
        let (subtype, file_key) = match kind {
            ProgramKind::CidCff => {
                file.set("Subtype", name("CIDFontType0C"));
                ("CIDFontType0", "FontFile3")
            }
            ProgramKind::OpenType => {
                file.set("Subtype", name("OpenType"));
                ("CIDFontType0", "FontFile3")
            }
            ProgramKind::TrueType => {
                file.set("Length1", Object::Integer(stream.raw_len as i64));
                ("CIDFontType2", "FontFile2")
            }
        };
        if stream.deflated {
            file.set("Filter", name("FlateDecode"));
        }
        let mut stream = Stream::new(file, stream.bytes);
        stream.allows_compression = false;
        let program = doc.add_object(stream);
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
            ("DW", Object::Integer(DEFAULT_WIDTH)),
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

/// The width of every glyph the /W array leaves out: a CJK font's
/// ideographs and full-width marks, most of what a Chinese book draws.
const DEFAULT_WIDTH: i64 = 1000;

/// A /W array: runs of consecutive codes with their widths, but for the
/// glyphs of [`DEFAULT_WIDTH`].
fn widths_array(widths: &BTreeMap<u16, i64>) -> Object {
    let mut out = Vec::new();
    let mut run: Vec<Object> = Vec::new();
    let mut run_start = 0u16;
    let mut prev: Option<u16> = None;
    for (&code, &w) in widths.iter().filter(|(_, &w)| w != DEFAULT_WIDTH) {
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
        let w: BTreeMap<u16, i64> = [(3, 500), (4, 750), (9, 600), (10, 1000), (11, 250)]
            .into_iter()
            .collect();
        let Object::Array(a) = widths_array(&w) else {
            panic!()
        };
        // 3–4, 9, then 11: the full-width glyph 10 is left to /DW.
        assert_eq!(a.len(), 6);
        assert_eq!(a[0], Object::Integer(3));
        assert_eq!(a[2], Object::Integer(9));
        assert_eq!(a[4], Object::Integer(11));
    }
}
