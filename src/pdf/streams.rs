//! Page content streams kept between builds. Turning a page's operations
//! into its content stream (printpdf) and deflating it are, after layout,
//! the largest part of a rebuild; after an edit most pages draw exactly
//! what they drew before.
//!
//! A page's stream depends only on what the page draws and on the
//! embedded fonts (the code and width of each glyph), so a hash of those
//! is its key. A kept page still goes through printpdf, with its links and
//! none of its drawing; the glyphs it draws are shown once on the first
//! kept page, so that printpdf's font dictionaries (which list the widths
//! of the glyphs drawn) come out as in a build from scratch. Its stream is
//! then replaced by the kept one.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use lopdf::Object;
use printpdf::{Codepoint, FontId, Op, PdfFontHandle, Pt, TextItem};

use super::line::Line;
use super::page::{Draw, Geometry, Page};
use super::post::deflate;
use crate::cache::{Cache, Key, Pack, Packed};

pub struct PageStreams {
    pack: Pack<Vec<u8>>,
    keys: Vec<Key>,
    kept: Vec<Option<Arc<Vec<u8>>>>,
    /// Per font resource, the glyphs the kept pages draw.
    shown: BTreeMap<String, BTreeSet<u16>>,
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
        let keys: Vec<Key> = pages.iter().map(|p| page_key(p, geo, fonts)).collect();
        let kept = keys.iter().map(|k| pack.get(k)).collect();
        PageStreams {
            pack,
            keys,
            kept,
            shown: BTreeMap::new(),
        }
    }

    pub fn is_kept(&self, page: usize) -> bool {
        self.kept.get(page).is_some_and(Option::is_some)
    }

    /// What printpdf gets for a kept page: its links (annotations, not
    /// drawing); the glyphs it shows are noted for [`Self::shown_ops`].
    pub fn strip(&mut self, ops: Vec<Op>, resources: &BTreeSet<String>) -> Vec<Op> {
        let mut font = None;
        let mut links = Vec::new();
        for op in ops {
            match op {
                Op::SetFont {
                    font: PdfFontHandle::External(FontId(name)),
                    ..
                } => font = resources.contains(&name).then_some(name),
                Op::ShowText { items } => {
                    let Some(name) = &font else { continue };
                    let set = self.shown.entry(name.clone()).or_default();
                    for item in items {
                        if let TextItem::GlyphIds(glyphs) = item {
                            set.extend(glyphs.iter().map(|g| g.gid));
                        }
                    }
                }
                link @ Op::LinkAnnotation { .. } => links.push(link),
                _ => {}
            }
        }
        links
    }

    /// Operations showing every glyph the kept pages draw, for the first
    /// kept page (whose stream is replaced anyway).
    pub fn shown_ops(&self) -> Option<(usize, Vec<Op>)> {
        let first = self.kept.iter().position(Option::is_some)?;
        let mut ops = vec![Op::StartTextSection];
        for (name, glyphs) in &self.shown {
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(FontId(name.clone())),
                size: Pt(1.0),
            });
            let items = glyphs
                .iter()
                .map(|&gid| Codepoint {
                    gid,
                    offset: 0.0,
                    cid: Some(String::new()),
                })
                .collect();
            ops.push(Op::ShowText {
                items: vec![TextItem::GlyphIds(items)],
            });
        }
        ops.push(Op::EndTextSection);
        Some((first, ops))
    }

    /// Puts the kept streams in place and deflates the others side by
    /// side, keeping them for the next build.
    pub fn fill(&self, doc: &mut lopdf::Document) -> Result<(), String> {
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
                Some(kept) => set_stream(doc, id, &kept),
                None => {
                    if let Some(Object::Stream(s)) = doc.objects.get(&id) {
                        fresh.push((i, id, s.content.clone()));
                    }
                }
            }
        }
        // One job per half, in page order: deflating is the cost here.
        let half = fresh.len().div_ceil(2).max(1);
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
            for (i, id, stored) in chunk? {
                set_stream(doc, id, &stored);
                if self.pack.is_enabled() {
                    self.pack.put(self.keys[i], Arc::new(stored));
                }
            }
        }
        self.pack.save(encode);
        Ok(())
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
fn page_key(page: &Page, geo: &Geometry, fonts: &[u8]) -> Key {
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
    Cache::key("pdf-page-stream", &[fonts, &k])
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
    }
}

fn encode(streams: &Packed<Vec<u8>>) -> Vec<u8> {
    let mut keys: Vec<&Key> = streams.keys().collect();
    keys.sort();
    let mut out = Vec::new();
    for key in keys {
        out.extend_from_slice(key);
        out.extend_from_slice(&(streams[key].len() as u32).to_le_bytes());
        out.extend_from_slice(&streams[key]);
    }
    out
}

fn decode(mut bytes: &[u8]) -> Option<Packed<Vec<u8>>> {
    let mut out = Packed::new();
    while !bytes.is_empty() {
        let (key, rest) = bytes.split_at_checked(32)?;
        let (len, rest) = rest.split_at_checked(4)?;
        let len = u32::from_le_bytes(len.try_into().ok()?) as usize;
        let (stream, rest) = rest.split_at_checked(len)?;
        out.insert(key.try_into().ok()?, Arc::new(stream.to_vec()));
        bytes = rest;
    }
    Some(out)
}
