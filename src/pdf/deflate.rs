//! The deflating every PDF stream goes through, by libdeflate: whole
//! buffers in one call, at its level 2, which compresses font programs and
//! page streams a little better than zlib's level 3 in about half the time.
//! The font programs, the largest streams, are made last (they need the
//! pages' glyphs), so their compression is the tail of every build.

use std::cell::RefCell;

use libdeflater::{CompressionLvl, Compressor};

use super::PdfError;
use crate::cache::Cache;

const LEVEL: i32 = 2;

/// `content` as a zlib stream, by this thread's compressor: setting one up
/// takes more memory than a page stream holds, and fresh memory is dear.
pub fn deflate(content: &[u8]) -> Result<Vec<u8>, PdfError> {
    thread_local! {
        static COMPRESSOR: RefCell<Option<Compressor>> = const { RefCell::new(None) };
    }
    COMPRESSOR.with_borrow_mut(|compressor| {
        let compressor = compressor
            .get_or_insert_with(|| Compressor::new(CompressionLvl::new(LEVEL).unwrap_or_default()));
        let mut out = vec![0; compressor.zlib_compress_bound(content.len())];
        let len = compressor
            .zlib_compress(content, &mut out)
            .map_err(|e| PdfError::Deflate(format!("{e:?}")))?;
        out.truncate(len);
        out.shrink_to_fit();
        Ok(out)
    })
}

/// Streams this large (the fonts' ToUnicode maps, images) are deflated
/// once and the result kept in the build cache: they change only when the
/// glyphs or images used do.
const CACHED_STREAM: usize = 8 * 1024;

/// `content` deflated if that makes it smaller (and whether it did);
/// large streams are deflated once and the result kept in the cache.
pub fn deflated(content: &[u8], cache: &Cache) -> Result<(Vec<u8>, bool), PdfError> {
    let packed = if content.len() < CACHED_STREAM {
        deflate(content)?
    } else {
        let key = Cache::key("pdf-deflate", &[content]);
        match cache.get(&key) {
            Some(hit) => hit.to_vec(),
            None => cache.put(&key, deflate(content)?).to_vec(),
        }
    };
    Ok(if packed.len() + 20 < content.len() {
        (packed, true)
    } else {
        (content.to_vec(), false)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn streams_inflate_to_what_went_in() {
        // Text-like bytes with repeats at every distance a window holds.
        let content: Vec<u8> = (0..300_000u32)
            .map(|i| b"glyph outlines and subroutines "[(i * 7 % 31) as usize] ^ (i / 4096) as u8)
            .collect();
        for content in [&content[..], b"", b"q 1 0 0 1 72 72 cm Q"] {
            let packed = deflate(content).unwrap();
            let mut back = Vec::new();
            // The decoder checks the Adler-32 at the end.
            flate2::read::ZlibDecoder::new(&packed[..])
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, content);
        }
        assert!(deflate(&content).unwrap().len() < content.len() / 4);
    }
}
