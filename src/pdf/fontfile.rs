//! The embedded fonts as PDF objects (PDF 32000-1 §9.7, §9.8): per subset
//! program a Type 0 font with its CIDFont, descriptor, program stream and
//! complete ToUnicode map, its /W the program's own advances. Written here rather than by printpdf, which would parse
//! every subset again to find what [`super::embed`] already knows.

use std::collections::BTreeMap;
use std::sync::Arc;

use lopdf::{Dictionary, Object, StringFormat};

use super::deflate::deflate;
use super::embed::{Metrics, ProgramKind};
use super::file::{Id, PdfFile};
use super::PdfError;
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
    Running(std::thread::JoinHandle<Result<FileStream, PdfError>>),
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

    fn finish(self) -> Result<FileStream, PdfError> {
        match self.file {
            Packing::Done(file) => Ok(file),
            Packing::Running(job) => job.join().map_err(|_| PdfError::Worker)?,
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

/// A ToUnicode CMap (PDF 32000-1 §9.10.3) giving the text of each code,
/// as printpdf writes one but without an allocation per entry: a CJK
/// subset has over a thousand.
pub fn to_unicode<'t>(tag: &str, texts: impl Iterator<Item = (u16, &'t str)>) -> String {
    let mut texts: Vec<(u16, &str)> = texts.collect();
    texts.sort_unstable_by_key(|&(code, _)| code);
    let mut out = String::with_capacity(600 + texts.len() * 16);
    out.push_str(
        "/CIDInit /ProcSet findresource begin\n\n12 dict begin\n\nbegincmap\n\n\
         %!PS-Adobe-3.0 Resource-CMap\n%%DocumentNeededResources: procset CIDInit\n\
         %%IncludeResource: procset CIDInit\n\n/CIDSystemInfo 3 dict dup begin\n\
         /Registry (FontSpecific) def\n/Ordering (",
    );
    out.push_str(tag);
    out.push_str(") def\n/Supplement 0 def\nend def\n\n/CMapName /FontSpecific-");
    out.push_str(tag);
    out.push_str(
        " def\n/CMapVersion 1 def\n/CMapType 2 def\n/WMode 0 def\n\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let hex = |out: &mut String, unit: u16| {
        for shift in [12, 8, 4, 0] {
            out.push(char::from(
                b"0123456789ABCDEF"[usize::from(unit >> shift & 0xF)],
            ));
        }
    };
    // Blocks of at most 100 entries that share the code's high byte.
    for group in texts.chunk_by(|a, b| a.0 >> 8 == b.0 >> 8) {
        for block in group.chunks(100) {
            out.push_str(&block.len().to_string());
            out.push_str(" beginbfchar\n");
            for &(code, text) in block {
                out.push('<');
                hex(&mut out, code);
                out.push_str("> <");
                for unit in text.encode_utf16() {
                    hex(&mut out, unit);
                }
                out.push_str(">\n");
            }
            out.push_str("endbfchar\n");
        }
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out
}

/// Writes the fonts, and the font resources every page shares as object
/// `font_dict`.
pub fn add_fonts(
    file: &mut PdfFile,
    font_dict: Id,
    fonts: Vec<FontEntry>,
    cache: &Cache,
) -> Result<(), PdfError> {
    let mut resources = Dictionary::new();
    for font in fonts {
        let name = |s: &str| Object::Name(s.as_bytes().to_vec());
        let mut dict = Dictionary::new();
        let kind = font.program.kind;
        let stream = font.program.finish()?;
        let (subtype, file_key) = match kind {
            ProgramKind::CidCff => {
                dict.set("Subtype", name("CIDFontType0C"));
                ("CIDFontType0", "FontFile3")
            }
            ProgramKind::OpenType => {
                dict.set("Subtype", name("OpenType"));
                ("CIDFontType0", "FontFile3")
            }
            ProgramKind::TrueType => {
                dict.set("Length1", Object::Integer(stream.raw_len as i64));
                ("CIDFontType2", "FontFile2")
            }
        };
        if stream.deflated {
            dict.set("Filter", name("FlateDecode"));
        }
        let program = file.add_stream(dict, &stream.bytes);
        drop(stream);
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
            (file_key, Object::Reference((program, 0))),
        ]);
        let descriptor = file.add(&Object::Dictionary(descriptor));
        let (cmap, deflated) = super::deflate::deflated(font.cmap.as_bytes(), cache)?;
        let mut dict = Dictionary::new();
        if deflated {
            dict.set("Filter", name("FlateDecode"));
        }
        let to_unicode = file.add_stream(dict, &cmap);
        let base = Shared {
            base_font: font.base_font,
            subtype,
            descriptor,
            to_unicode,
        };
        let id = file.add(&Object::Dictionary(base.type0(&font.widths)));
        resources.set(font.resource, Object::Reference((id, 0)));
    }
    file.object(font_dict, &Object::Dictionary(resources));
    Ok(())
}

/// What a program's Type 0 font refers to.
struct Shared {
    base_font: String,
    subtype: &'static str,
    descriptor: Id,
    to_unicode: Id,
}

impl Shared {
    /// A Type 0 font drawing the program with these widths.
    fn type0(&self, widths: &BTreeMap<u16, i64>) -> Dictionary {
        let name = |s: &str| Object::Name(s.as_bytes().to_vec());
        let literal = |s: &str| Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
        let mut cid_font = Dictionary::from_iter(vec![
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
            ("FontDescriptor", Object::Reference((self.descriptor, 0))),
            ("DW", Object::Integer(DEFAULT_WIDTH)),
            ("W", widths_array(widths)),
        ]);
        if self.subtype == "CIDFontType2" {
            // Codes are glyph ids (PDF/UA 7.21.3.2 wants the map named).
            cid_font.set("CIDToGIDMap", name("Identity"));
        }
        Dictionary::from_iter(vec![
            ("Type", name("Font")),
            ("Subtype", name("Type0")),
            ("BaseFont", name(&self.base_font)),
            ("Encoding", name("Identity-H")),
            (
                "DescendantFonts",
                Object::Array(vec![Object::Dictionary(cid_font)]),
            ),
            ("ToUnicode", Object::Reference((self.to_unicode, 0))),
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
    fn to_unicode_as_printpdf_writes_it() {
        let texts = [(0x0105, "学"), (0x0003, "ﬁ"), (0x0104, "𠀀")];
        let mut theirs = printpdf::ToUnicodeCMap {
            mappings: BTreeMap::new(),
        };
        for (code, text) in texts {
            let chars = text.chars().map(u32::from).collect();
            theirs.mappings.insert(u32::from(code), chars);
        }
        let ours = to_unicode("BKLTAA", texts.into_iter());
        assert_eq!(ours, theirs.to_cmap_string("BKLTAA"));
        assert!(ours.contains("<0104> <D840DC00>"));
    }

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
