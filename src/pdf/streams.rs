//! Page content streams kept between builds. Turning a page's operations
//! into its content stream (printpdf) and deflating it are, after layout,
//! the largest part of a rebuild; after an edit most pages draw exactly
//! what they drew before.
//!
//! A page's stream depends only on what the page draws and on the
//! embedded fonts (the code and width of each glyph): the streams are kept
//! in one pack per set of embedded fonts, each under a hash of what its
//! page draws. A kept page goes through printpdf with its links and none
//! of its drawing, and its stream is replaced by the kept one; what its
//! drawing added to the fonts (glyphs shown, shifted widths) is kept with
//! it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use lopdf::Object;
use printpdf::{FontId, Op, PdfFontHandle, TextItem};

use super::post::deflate;
use super::reuse::Reader;
use super::write::ShiftedFont;
use crate::typeset::fontset::FontIx;
use crate::typeset::geometry::Geometry;
use crate::typeset::line::Line;
use crate::typeset::page::{Draw, Page};

/// Fewest pages worth a thread of their own: a rebuild after an edit draws
/// a few pages, and a second compressor costs more than they do.
const MIN_JOB: usize = 8;
use crate::cache::{Cache, Key, Pack, Packed};

/// What a page's drawing adds to the document besides its stream: the
/// glyphs it shows per font resource (printpdf lists their widths) and the
/// shifted font resources it draws with.
#[derive(Debug, Clone, Default)]
pub struct PageFonts {
    pub shown: BTreeMap<String, BTreeSet<u16>>,
    pub shifted: BTreeMap<(FontIx, i64), ShiftedFont>,
}

impl PageFonts {
    /// Notes the glyphs `ops` show through the fonts in `resources`.
    pub fn note_shown(&mut self, ops: &[Op], resources: &BTreeSet<String>) {
        let mut font = None;
        for op in ops {
            match op {
                Op::SetFont {
                    font: PdfFontHandle::External(FontId(name)),
                    ..
                } => font = resources.contains(name).then_some(name),
                Op::ShowText { items } => {
                    let Some(name) = font else { continue };
                    let set = self.shown.entry(name.clone()).or_default();
                    for item in items {
                        if let TextItem::GlyphIds(glyphs) = item {
                            set.extend(glyphs.iter().map(|g| g.gid));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Adds the glyphs `other` shows to these.
    fn add_shown(&mut self, other: &PageFonts) {
        for (name, glyphs) in &other.shown {
            self.shown.entry(name.clone()).or_default().extend(glyphs);
        }
    }
}

/// Adds a page's shifted fonts and widths to those of the document.
pub fn merge_shifted(
    all: &mut BTreeMap<(FontIx, i64), ShiftedFont>,
    page: &BTreeMap<(FontIx, i64), ShiftedFont>,
) {
    for (k, s) in page {
        all.entry(*k)
            .or_insert_with(|| ShiftedFont {
                widths: BTreeMap::new(),
                ..s.clone()
            })
            .widths
            .extend(&s.widths);
    }
}

struct Kept {
    /// A flag (1 = deflated), then the stream's bytes.
    stream: Vec<u8>,
    fonts: PageFonts,
}

pub struct PageStreams {
    pack: Pack<Kept>,
    keys: Vec<Key>,
    kept: Vec<Option<Arc<Kept>>>,
    /// The fonts of the pages drawn anew, by page.
    fresh: BTreeMap<usize, PageFonts>,
    /// Everything the pages show.
    shown: PageFonts,
}

impl PageStreams {
    /// Looks up every page's stream. `fonts` identifies the embedded fonts.
    pub fn look_up(
        pages: &[Page],
        geo: &Geometry,
        fonts: &[u8],
        cache: &Arc<Cache>,
    ) -> PageStreams {
        let pack = Pack::open(cache, Cache::key("pdf-page-streams", &[fonts]), decode);
        let keys: Vec<Key> = pages.iter().map(|p| page_key(p, geo)).collect();
        let kept = keys.iter().map(|k| pack.get(k)).collect();
        PageStreams {
            pack,
            keys,
            kept,
            fresh: BTreeMap::new(),
            shown: PageFonts::default(),
        }
    }

    /// The fonts of page `page` if its stream is kept: then nothing of it
    /// need be drawn, only its links given to printpdf.
    pub fn kept(&mut self, page: usize) -> Option<&PageFonts> {
        let kept = self.kept.get(page)?.as_ref()?;
        self.shown.add_shown(&kept.fonts);
        Some(&kept.fonts)
    }

    /// The fonts of page `page`, drawn anew, to be kept with its stream.
    pub fn drawn(&mut self, page: usize, fonts: PageFonts) {
        self.shown.add_shown(&fonts);
        if self.pack.is_enabled() {
            self.fresh.insert(page, fonts);
        }
    }

    /// The codes each font resource shows, over all pages.
    pub fn shown(&self) -> &BTreeMap<String, BTreeSet<u16>> {
        &self.shown.shown
    }

    /// Puts the kept streams in place and deflates the others side by
    /// side, keeping them for the next build (saved in the background: join
    /// the handle before the build ends).
    pub fn fill(
        mut self,
        doc: &mut lopdf::Document,
    ) -> Result<Option<std::thread::JoinHandle<()>>, String> {
        let contents: Vec<Option<lopdf::ObjectId>> = doc
            .get_pages()
            .values()
            .map(|&page| {
                let dict = doc.get_dictionary(page).ok()?;
                dict.get(b"Contents").ok()?.as_reference().ok()
            })
            .collect();
        let mut fresh = Vec::new();
        for (i, id) in contents.iter().enumerate() {
            let Some(id) = *id else { continue };
            match self.kept.get(i).cloned().flatten() {
                Some(kept) => set_stream(doc, id, &kept.stream),
                None => {
                    if let Some(Object::Stream(s)) = doc.objects.get(&id) {
                        fresh.push((i, id, s.content.clone()));
                    }
                }
            }
        }
        // Deflating is the cost here: many pages (a first build) are done
        // in two halves side by side, in page order.
        let half = fresh.len().div_ceil(2).max(MIN_JOB);
        let jobs: Vec<&[(usize, lopdf::ObjectId, Vec<u8>)]> = fresh.chunks(half).collect();
        let packed = crate::par::map(&jobs, |chunk| {
            chunk
                .iter()
                .map(|(i, id, content)| {
                    let packed = deflate(content)?;
                    // As the post-pass would: deflated only where it pays.
                    let mut stored = Vec::with_capacity(packed.len().min(content.len()) + 1);
                    if packed.len() + 20 < content.len() {
                        stored.push(1);
                        stored.extend_from_slice(&packed);
                    } else {
                        stored.push(0);
                        stored.extend_from_slice(content);
                    }
                    Ok((*i, *id, stored))
                })
                .collect::<Result<Vec<_>, String>>()
        });
        for chunk in packed {
            for (i, id, stream) in chunk? {
                set_stream(doc, id, &stream);
                if let Some(fonts) = self.fresh.remove(&i) {
                    self.pack
                        .put(self.keys[i], Arc::new(Kept { stream, fonts }));
                }
            }
        }
        Ok(self.pack.save(encode))
    }
}

/// Sets a content stream from its stored form: a flag (1 = deflated), then
/// the bytes.
fn set_stream(doc: &mut lopdf::Document, id: lopdf::ObjectId, stored: &[u8]) {
    let Some((&flag, bytes)) = stored.split_first() else {
        return;
    };
    if let Some(Object::Stream(stream)) = doc.objects.get_mut(&id) {
        if flag == 1 {
            stream
                .dict
                .set("Filter", Object::Name(b"FlateDecode".to_vec()));
        }
        stream.set_content(bytes.to_vec());
        // Done: the post-pass's compression leaves it alone.
        stream.allows_compression = false;
    }
}

/// Everything of a page that reaches its content stream. Links and images
/// are not drawn by the stream (annotations, and a stream of their own).
fn page_key(page: &Page, geo: &Geometry) -> Key {
    let mut k: Vec<u8> = Vec::with_capacity(16 * 1024);
    let f = |k: &mut Vec<u8>, v: f32| k.extend_from_slice(&v.to_bits().to_le_bytes());
    f(&mut k, geo.page_h);
    for draw in &page.draws {
        match draw {
            Draw::Text { x, y, line } => {
                k.push(b'T');
                f(&mut k, *x);
                f(&mut k, *y);
                line_bytes(&mut k, line);
            }
            Draw::Rule {
                x0,
                y0,
                x1,
                y1,
                width,
            } => {
                k.push(b'R');
                for v in [x0, y0, x1, y1, width] {
                    f(&mut k, *v);
                }
            }
            Draw::Image { .. } | Draw::Link { .. } => {}
        }
    }
    Cache::key("pdf-page-stream", &[&k])
}

fn line_bytes(k: &mut Vec<u8>, line: &Line) {
    k.extend_from_slice(&line.width.to_bits().to_le_bytes());
    k.push(line.spaced as u8);
    k.extend_from_slice(&(line.glyphs.len() as u32).to_le_bytes());
    for g in &line.glyphs {
        k.extend_from_slice(&g.font.to_le_bytes());
        k.extend_from_slice(&g.gid.to_le_bytes());
        for v in [g.size, g.x, g.rise, g.advance] {
            k.extend_from_slice(&v.to_bits().to_le_bytes());
        }
        k.push(g.emphasis as u8);
        // .notdef carries its character in the stream (ActualText).
        if g.gid == 0 {
            k.extend_from_slice(line.glyph_text(g).as_bytes());
            k.push(0);
        }
    }
}

fn encode(pages: &Packed<Kept>) -> Vec<u8> {
    let mut keys: Vec<&Key> = pages.keys().collect();
    keys.sort();
    let mut out = Vec::new();
    let put_u32 = |out: &mut Vec<u8>, v: usize| out.extend_from_slice(&(v as u32).to_le_bytes());
    let put_str = |out: &mut Vec<u8>, s: &str| {
        put_u32(out, s.len());
        out.extend_from_slice(s.as_bytes());
    };
    for key in keys {
        let kept = &pages[key];
        out.extend_from_slice(key);
        put_u32(&mut out, kept.stream.len());
        out.extend_from_slice(&kept.stream);
        put_u32(&mut out, kept.fonts.shown.len());
        for (name, glyphs) in &kept.fonts.shown {
            put_str(&mut out, name);
            put_u32(&mut out, glyphs.len());
            for g in glyphs {
                out.extend_from_slice(&g.to_le_bytes());
            }
        }
        put_u32(&mut out, kept.fonts.shifted.len());
        for ((font, shift), s) in &kept.fonts.shifted {
            out.extend_from_slice(&font.to_le_bytes());
            out.extend_from_slice(&shift.to_le_bytes());
            put_str(&mut out, &s.base);
            put_str(&mut out, &s.name);
            put_u32(&mut out, s.widths.len());
            for (code, width) in &s.widths {
                out.extend_from_slice(&code.to_le_bytes());
                out.extend_from_slice(&width.to_le_bytes());
            }
        }
    }
    out
}

fn decode(bytes: &[u8]) -> Option<Packed<Kept>> {
    let mut r = Reader(bytes);
    let mut out = Packed::new();
    while !r.0.is_empty() {
        let key: Key = r.bytes(32)?.try_into().ok()?;
        let len = r.count()?;
        let stream = r.bytes(len)?.to_vec();
        let mut fonts = PageFonts::default();
        for _ in 0..r.count()? {
            let name = r.string()?;
            let glyphs = (0..r.count()?)
                .map(|_| r.u16())
                .collect::<Option<BTreeSet<u16>>>()?;
            fonts.shown.insert(name, glyphs);
        }
        for _ in 0..r.count()? {
            let font = r.u16()?;
            let shift = r.i64()?;
            let base = r.string()?;
            let name = r.string()?;
            let widths = (0..r.count()?)
                .map(|_| Some((r.u16()?, r.i64()?)))
                .collect::<Option<BTreeMap<u16, i64>>>()?;
            let shifted = ShiftedFont {
                base,
                name,
                shift,
                widths,
            };
            fonts.shifted.insert((font, shift), shifted);
        }
        out.insert(key, Arc::new(Kept { stream, fonts }));
    }
    Some(out)
}
