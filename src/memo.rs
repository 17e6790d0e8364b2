//! The one incremental layer: a stage's result is kept under a key made
//! from everything the stage reads, and taken back when a rebuild asks with
//! the same inputs. Keys are written by [`Keyed`], implemented for each
//! input type by destructuring it whole, so that a field added to a type
//! is a compile error here rather than an input the key forgets.
//!
//! Results live in [`Cache`]: in memory for `watch`, whose rebuilds keep the
//! process (what pays at 3,000 pages: a page's content stream is made again
//! only when what it draws changed), and in the cache folder for the stages
//! whose results are worth reading back in a new process.

use std::any::Any;
use std::sync::Arc;

use crate::cache::{Cache, Key};
use crate::cover::{Drawing, Rgb, Seg};
use crate::typeset::geometry::{Point, Size};
use crate::typeset::line::{Line, Placed};
use crate::typeset::page::{CoverArt, Draw, Target};
use crate::typeset::structure::{Span, Tag};

/// The bytes a key is made of.
pub struct KeyWriter {
    kind: &'static str,
    bytes: Vec<u8>,
}

impl KeyWriter {
    /// A key for results of computation `kind`.
    pub fn new(kind: &'static str) -> KeyWriter {
        KeyWriter {
            kind,
            bytes: Vec::with_capacity(4096),
        }
    }

    pub fn put(&mut self, value: &(impl Keyed + ?Sized)) -> &mut Self {
        value.key_into(self);
        self
    }

    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(b);
        self
    }

    pub fn finish(&self) -> Key {
        Cache::key(self.kind, &[&self.bytes])
    }
}

/// A value that goes into a key whole.
pub trait Keyed {
    fn key_into(&self, k: &mut KeyWriter);
}

macro_rules! keyed_number {
    ($($t:ty),*) => {$(
        impl Keyed for $t {
            fn key_into(&self, k: &mut KeyWriter) {
                k.bytes(&self.to_le_bytes());
            }
        }
    )*};
}
keyed_number!(u8, u16, u32, u64, i64, f32);

impl Keyed for bool {
    fn key_into(&self, k: &mut KeyWriter) {
        k.bytes(&[u8::from(*self)]);
    }
}

impl Keyed for usize {
    fn key_into(&self, k: &mut KeyWriter) {
        k.put(&(*self as u64));
    }
}

impl Keyed for str {
    fn key_into(&self, k: &mut KeyWriter) {
        k.put(&self.len()).bytes(self.as_bytes());
    }
}

impl Keyed for String {
    fn key_into(&self, k: &mut KeyWriter) {
        k.put(self.as_str());
    }
}

impl<T: Keyed> Keyed for Option<T> {
    fn key_into(&self, k: &mut KeyWriter) {
        match self {
            None => k.put(&0u8),
            Some(v) => k.put(&1u8).put(v),
        };
    }
}

impl<T: Keyed> Keyed for [T] {
    fn key_into(&self, k: &mut KeyWriter) {
        k.put(&self.len());
        for v in self {
            v.key_into(k);
        }
    }
}

impl<T: Keyed + ?Sized> Keyed for std::sync::Arc<T> {
    fn key_into(&self, k: &mut KeyWriter) {
        (**self).key_into(k);
    }
}

impl<T: Keyed> Keyed for Vec<T> {
    fn key_into(&self, k: &mut KeyWriter) {
        k.put(self.as_slice());
    }
}

impl<T: Keyed> Keyed for std::ops::Range<T> {
    fn key_into(&self, k: &mut KeyWriter) {
        k.put(&self.start).put(&self.end);
    }
}

impl Keyed for Placed {
    fn key_into(&self, k: &mut KeyWriter) {
        let Placed {
            font,
            gid,
            size,
            x,
            rise,
            advance,
            text,
            emphasis,
            slant,
            link,
            colour,
        } = self;
        k.put(font)
            .put(gid)
            .put(size)
            .put(x)
            .put(rise)
            .put(advance)
            .put(text)
            .put(emphasis)
            .put(slant)
            .put(link)
            .put(colour);
    }
}

impl Keyed for Rgb {
    fn key_into(&self, k: &mut KeyWriter) {
        k.bytes(&[self.0, self.1, self.2]);
    }
}

impl Keyed for Line {
    fn key_into(&self, k: &mut KeyWriter) {
        let Line {
            glyphs,
            text,
            width,
            size,
            spaced,
        } = self;
        k.put(glyphs).put(text).put(width).put(size).put(spaced);
    }
}

impl Keyed for Target {
    fn key_into(&self, k: &mut KeyWriter) {
        match self {
            Target::Uri(uri) => k.put(&0u8).put(uri),
            Target::Anchor(anchor) => k.put(&1u8).put(anchor),
        };
    }
}

impl Keyed for Point {
    fn key_into(&self, k: &mut KeyWriter) {
        let Point { inline, block } = self;
        k.put(inline).put(block);
    }
}

impl Keyed for Size {
    fn key_into(&self, k: &mut KeyWriter) {
        let Size { inline, block } = self;
        k.put(inline).put(block);
    }
}

impl Keyed for Tag {
    fn key_into(&self, k: &mut KeyWriter) {
        match self {
            Tag::Node(node) => k.put(&0u8).put(node),
            Tag::Artifact(a) => k.put(&1u8).put(&(*a as u8)),
        };
    }
}

impl Keyed for Span {
    fn key_into(&self, k: &mut KeyWriter) {
        let Span { start, end, node } = self;
        k.put(start).put(end).put(node);
    }
}

impl Keyed for Draw {
    fn key_into(&self, k: &mut KeyWriter) {
        match self {
            Draw::Text {
                at,
                line,
                tag,
                spans,
            } => {
                k.put(&0u8).put(at).put(line).put(tag).put(spans);
            }
            Draw::Rule {
                from,
                to,
                width,
                tag,
            } => {
                k.put(&1u8).put(from).put(to).put(width).put(tag);
            }
            Draw::Image {
                at,
                size,
                image,
                tag,
            } => {
                k.put(&2u8).put(at).put(size).put(image).put(tag);
            }
            Draw::Link {
                from,
                to,
                target,
                node,
            } => {
                k.put(&3u8).put(from).put(to).put(target).put(node);
            }
            Draw::Tint { from, to } => {
                k.put(&4u8).put(from).put(to);
            }
            Draw::Cover { at, size, art, tag } => {
                k.put(&5u8).put(at).put(size).put(tag);
                match art {
                    CoverArt::Picture(image) => k.put(&0u8).put(image),
                    CoverArt::Drawing(d) => k.put(&1u8).put(&**d),
                };
            }
        };
    }
}

impl Keyed for Drawing {
    fn key_into(&self, k: &mut KeyWriter) {
        let Drawing {
            width,
            height,
            background,
            shapes,
            text,
        } = self;
        k.put(width).put(height);
        k.bytes(&[background.0, background.1, background.2]);
        k.put(&shapes.len()).put(&text.len());
        for shape in shapes {
            let c = shape.colour;
            k.bytes(&[c.0, c.1, c.2]).put(&(shape.path.len() as u64));
            for seg in &shape.path {
                let (tag, points): (u8, &[f32]) = match seg {
                    Seg::Move(x, y) | Seg::Line(x, y) => (0, &[*x, *y]),
                    Seg::Quad(a, b, c, d) => (1, &[*a, *b, *c, *d]),
                    Seg::Cubic(a, b, c, d, e, f) => (2, &[*a, *b, *c, *d, *e, *f]),
                    Seg::Close => (3, &[]),
                };
                k.put(&tag);
                for p in points {
                    k.put(p);
                }
            }
        }
        for t in text {
            k.put(t.as_str());
        }
    }
}

/// The result kept under `key` by this process, or `make`'s, kept for the
/// next build when the cache lasts across builds (`watch`): for results
/// cheap to make once but made by the thousand.
pub fn in_process<T: Any + Send + Sync, E>(
    cache: &Cache,
    key: &Key,
    make: impl FnOnce() -> Result<T, E>,
) -> Result<Arc<T>, E> {
    if !cache.is_lasting() {
        return make().map(Arc::new);
    }
    if let Some(kept) = cache.memo::<T>(key) {
        return Ok(kept);
    }
    Ok(cache.put_memo(key, make()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::structure::Artifact;

    #[test]
    fn keys_tell_fields_apart() {
        let key = |draw: &Draw| KeyWriter::new("t").put(draw).finish();
        let a = Draw::Rule {
            from: Point::new(1.0, 2.0),
            to: Point::new(3.0, 4.0),
            width: 0.5,
            tag: Tag::Artifact(Artifact::Layout),
        };
        let b = Draw::Rule {
            from: Point::new(2.0, 1.0),
            to: Point::new(3.0, 4.0),
            width: 0.5,
            tag: Tag::Artifact(Artifact::Layout),
        };
        assert_ne!(key(&a), key(&b));
        assert_eq!(key(&a), key(&a.clone()));
        // Strings carry their length: ("ab", "c") is not ("a", "bc").
        let two = |x: &str, y: &str| KeyWriter::new("t").put(x).put(y).finish();
        assert_ne!(two("ab", "c"), two("a", "bc"));
    }

    #[test]
    fn in_process_results_are_kept_only_by_a_lasting_cache() {
        let key = KeyWriter::new("t").put(&7u32).finish();
        let once = Cache::disabled();
        let mut made = 0;
        for _ in 0..2 {
            let v = in_process(&once, &key, || {
                made += 1;
                Ok::<_, ()>(made)
            });
            assert_eq!(*v.unwrap(), made);
        }
        assert_eq!(made, 2);
        let lasting = Cache::in_memory();
        let mut made = 0;
        for _ in 0..2 {
            let v = in_process(&lasting, &key, || {
                made += 1;
                Ok::<_, ()>(made)
            });
            assert_eq!(*v.unwrap(), 1);
        }
        assert_eq!(made, 1);
    }
}
