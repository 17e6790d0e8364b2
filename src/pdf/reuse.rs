//! Set paragraphs kept between builds. Shaping and line breaking are most
//! of the typesetter's time, and a paragraph sets the same way whenever
//! its text, style, measure and fonts are the same; so after an edit only
//! the paragraphs that changed are set again.
//!
//! Each paragraph is keyed by everything [`crate::typeset::paragraph`] reads; the
//! paragraphs of the last build are kept in one [`Pack`] per font choice.

use std::collections::HashMap;
use std::sync::Arc;

use crate::cache::{Cache, Key, Pack, Packed};
use crate::cover::Rgb;
use crate::typeset::fontset::FontChoice;
use crate::typeset::line::{Line, Placed};
use crate::typeset::paragraph::{Align, Job, Memo, ParaSpec, SetParagraph};
use crate::typeset::shape::{ShapeParams, SpanStyle, StyledText};

type Known = Packed<SetParagraph>;

/// The kept paragraphs, in shards by key: an edit changes a few
/// paragraphs, and only their shards are written again.
pub struct Paragraphs(Vec<Pack<SetParagraph>>);

const SHARDS: u8 = 8;

impl Paragraphs {
    /// The paragraphs set with `choice` by the last build, if the cache has
    /// them.
    pub fn open(cache: &Arc<Cache>, choice: &FontChoice) -> Paragraphs {
        let faces: Vec<Vec<u8>> = choice.faces.iter().map(|f| f.identity()).collect();
        let shards = (0..SHARDS)
            .map(|shard| {
                let shard = [shard];
                let mut parts: Vec<&[u8]> = faces.iter().map(Vec::as_slice).collect();
                parts.push(&shard);
                Pack::open(cache, Cache::key("pdf-paragraphs", &parts), decode)
            })
            .collect();
        Paragraphs(shards)
    }

    fn shard(&self, key: &Key) -> &Pack<SetParagraph> {
        &self.0[usize::from(key[0] % SHARDS)]
    }

    /// The paragraph set under `key`, set by `set` if no build has yet.
    pub fn get_or(&self, key: Key, set: impl FnOnce() -> SetParagraph) -> SetParagraph {
        let shard = self.shard(&key);
        if !shard.is_enabled() {
            return set();
        }
        if let Some(found) = shard.get(&key) {
            return (*found).clone();
        }
        let value = set();
        shard.put(key, Arc::new(value.clone()));
        value
    }

    /// Keeps this build's paragraphs for the next one, in the background
    /// (join the handle before the build ends).
    pub fn save(&self) -> Option<std::thread::JoinHandle<()>> {
        let changed: Vec<_> = self.0.iter().filter_map(|s| s.changes(encode)).collect();
        (!changed.is_empty()).then(|| {
            std::thread::spawn(move || {
                for shard in changed {
                    shard.write();
                }
            })
        })
    }
}

impl Memo for Paragraphs {
    fn set(&self, job: &Job<'_>, set: &mut dyn FnMut() -> SetParagraph) -> SetParagraph {
        let key = match *job {
            Job::Paragraph { text, spec, cell } => key(text, spec, cell),
            Job::Plain { text, shape } => plain_key(text, shape),
        };
        self.get_or(key, set)
    }
}

/// The key of a paragraph: its styled text, how it is set, and whether it
/// is a table cell.
pub fn key(text: &StyledText, spec: &ParaSpec, cell: bool) -> Key {
    let mut k = Vec::with_capacity(text.text.len() + 16 * text.spans.len() + 32);
    let f = |k: &mut Vec<u8>, x: f32| k.extend_from_slice(&x.to_bits().to_le_bytes());
    f(&mut k, spec.shape.size);
    f(&mut k, spec.width);
    f(&mut k, spec.indent);
    k.push(spec.shape.script as u8);
    k.push(spec.shape.punct as u8);
    k.push(spec.shape.bold as u8);
    k.push(spec.shape.quote as u8);
    k.push(match spec.align {
        Align::Justify => 0,
        Align::Left => 1,
        Align::Center => 2,
    });
    k.push(cell as u8);
    for (range, style) in &text.spans {
        // Every field, so that one added to the style cannot be left out.
        let SpanStyle {
            bold,
            emphasis,
            sup,
            link,
            scale,
            mono,
            colour,
        } = *style;
        k.extend_from_slice(&(range.start as u32).to_le_bytes());
        k.extend_from_slice(&(range.end as u32).to_le_bytes());
        k.extend_from_slice(&[bold as u8, emphasis as u8, sup as u8, mono as u8]);
        k.extend_from_slice(&link.map_or(u32::MAX, u32::from).to_le_bytes());
        f(&mut k, scale);
        match colour {
            Some(Rgb(r, g, b)) => k.extend_from_slice(&[1, r, g, b]),
            None => k.push(0),
        }
    }
    Cache::key("pdf-paragraph", &[&k, text.text.as_bytes()])
}

/// The key of a line of plain text set at its natural width.
pub fn plain_key(text: &str, shape: &ShapeParams) -> Key {
    let mut k = shape.size.to_bits().to_le_bytes().to_vec();
    k.extend_from_slice(&[
        shape.script as u8,
        shape.punct as u8,
        shape.bold as u8,
        shape.quote as u8,
    ]);
    Cache::key("pdf-plain", &[&k, text.as_bytes()])
}

// A plain little-endian encoding: the pack is read back only by the same
// binary (cache keys carry its fingerprint), and checked against its CRC-32.

fn encode(paragraphs: &Known) -> Vec<u8> {
    // Sized exactly: a pack holds thousands of paragraphs, and a buffer
    // grown by doubling would take twice their size.
    let size: usize = paragraphs
        .values()
        .map(|p| {
            let lines: usize = p.lines.iter().map(|(_, l)| 4 + line_size(l)).sum();
            32 + 1 + 4 + 4 * p.missing.len() + 4 + lines
        })
        .sum();
    let mut out = Vec::with_capacity(4 + size);
    put_u32(&mut out, paragraphs.len() as u32);
    let mut keys: Vec<&Key> = paragraphs.keys().collect();
    keys.sort();
    for key in keys {
        let p = &paragraphs[key];
        out.extend_from_slice(key);
        out.push(p.phrased as u8);
        put_u32(&mut out, p.missing.len() as u32);
        for c in &p.missing {
            put_u32(&mut out, *c as u32);
        }
        put_u32(&mut out, p.lines.len() as u32);
        for (x, line) in &p.lines {
            put_f32(&mut out, *x);
            put_line(&mut out, line);
        }
    }
    debug_assert_eq!(out.len(), 4 + size);
    out
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_f32(out: &mut Vec<u8>, v: f32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Bytes per glyph in [`put_line`]'s encoding.
const GLYPH_BYTES: usize = 37;

/// The bytes [`put_line`] writes for `line`.
fn line_size(line: &Line) -> usize {
    4 + line.text.len() + 4 + 4 + 1 + 4 + line.glyphs.len() * GLYPH_BYTES
}

fn put_line(out: &mut Vec<u8>, line: &Line) {
    put_u32(out, line.text.len() as u32);
    out.extend_from_slice(line.text.as_bytes());
    put_f32(out, line.width);
    put_f32(out, line.size);
    out.push(line.spaced as u8);
    put_u32(out, line.glyphs.len() as u32);
    for g in &line.glyphs {
        out.extend_from_slice(&g.font.to_le_bytes());
        out.extend_from_slice(&g.gid.to_le_bytes());
        for v in [g.size, g.x, g.rise, g.advance] {
            put_f32(out, v);
        }
        put_u32(out, g.text.start);
        put_u32(out, g.text.end);
        // Emphasis dots and the slant share a byte (bits 0 and 1).
        out.push(g.emphasis as u8 | (g.slant as u8) << 1);
        out.extend_from_slice(&g.link.map_or(u32::MAX, u32::from).to_le_bytes());
        match g.colour {
            Some(Rgb(r, gr, b)) => out.extend_from_slice(&[1, r, gr, b]),
            None => out.extend_from_slice(&[0; 4]),
        }
    }
}

/// Reads what the packs' encoders write; `None` past the end.
struct Reader<'a>(pub &'a [u8]);

impl Reader<'_> {
    pub fn bytes(&mut self, n: usize) -> Option<&[u8]> {
        let (head, tail) = self.0.split_at_checked(n)?;
        self.0 = tail;
        Some(head)
    }
    pub fn u8(&mut self) -> Option<u8> {
        Some(self.bytes(1)?[0])
    }
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.bytes(4)?.try_into().ok()?))
    }
    pub fn f32(&mut self) -> Option<f32> {
        Some(f32::from_le_bytes(self.bytes(4)?.try_into().ok()?))
    }
    /// A count, bounded by what is left (each item takes at least a byte),
    /// so that a damaged entry cannot ask for a huge allocation.
    pub fn count(&mut self) -> Option<usize> {
        let n = self.u32()? as usize;
        (n <= self.0.len()).then_some(n)
    }
}

fn decode(bytes: &[u8]) -> Option<Known> {
    let mut r = Reader(bytes);
    let n = r.count()?;
    let mut out = HashMap::with_capacity(n);
    for _ in 0..n {
        let key: Key = r.bytes(32)?.try_into().ok()?;
        let phrased = r.u8()? != 0;
        let missing = (0..r.count()?)
            .map(|_| char::from_u32(r.u32()?))
            .collect::<Option<Vec<char>>>()?;
        let count = r.count()?;
        let mut lines = Vec::with_capacity(count);
        for _ in 0..count {
            let x = r.f32()?;
            lines.push((x, Arc::new(line(&mut r)?)));
        }
        let set = SetParagraph {
            lines,
            missing,
            phrased,
        };
        out.insert(key, Arc::new(set));
    }
    r.0.is_empty().then_some(out)
}

fn line(r: &mut Reader<'_>) -> Option<Line> {
    let len = r.count()?;
    let text = String::from_utf8(r.bytes(len)?.to_vec()).ok()?;
    let width = r.f32()?;
    let size = r.f32()?;
    let spaced = r.u8()? != 0;
    let count = r.count()?;
    // Glyphs are fixed-size records: one bounds check for all of them
    // (a paragraph pack holds every glyph of the book).
    let records = r.bytes(count.checked_mul(GLYPH_BYTES)?)?;
    let mut glyphs = Vec::with_capacity(count);
    for g in records.chunks_exact(GLYPH_BYTES) {
        let u16_at = |i: usize| u16::from_le_bytes([g[i], g[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes([g[i], g[i + 1], g[i + 2], g[i + 3]]);
        let f32_at = |i: usize| f32::from_bits(u32_at(i));
        let link = match u32_at(29) {
            u32::MAX => None,
            v => Some(u16::try_from(v).ok()?),
        };
        glyphs.push(Placed {
            font: u16_at(0),
            gid: u16_at(2),
            size: f32_at(4),
            x: f32_at(8),
            rise: f32_at(12),
            advance: f32_at(16),
            text: u32_at(20)..u32_at(24),
            emphasis: g[28] & 1 != 0,
            slant: g[28] & 2 != 0,
            link,
            colour: (g[33] != 0).then(|| Rgb(g[34], g[35], g[36])),
        });
    }
    Some(Line {
        glyphs,
        text,
        width,
        size,
        spaced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_round_trip_and_reject_damage() {
        let line = Line {
            glyphs: vec![Placed {
                font: 1,
                gid: 42,
                size: 10.5,
                x: 3.25,
                rise: -1.0,
                advance: 10.5,
                text: 0..3,
                emphasis: true,
                slant: true,
                link: Some(7),
                colour: Some(Rgb(1, 2, 3)),
            }],
            text: "中".into(),
            width: 10.5,
            size: 10.5,
            spaced: false,
        };
        let set = SetParagraph {
            lines: vec![(21.0, line.into())],
            missing: vec!['𠀀'],
            phrased: true,
        };
        let mut known = Known::new();
        known.insert([9; 32], Arc::new(set));
        let bytes = encode(&known);
        let back = decode(&bytes).expect("decodes");
        let p = &back[&[9; 32]];
        assert_eq!(p.lines[0].0, 21.0);
        assert_eq!(p.lines[0].1.glyphs[0].gid, 42);
        assert_eq!(p.lines[0].1.glyphs[0].link, Some(7));
        assert_eq!(p.lines[0].1.text, "中");
        assert_eq!(p.missing, vec!['𠀀']);
        assert!(decode(&bytes[..bytes.len() - 1]).is_none());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_none());
    }
}
