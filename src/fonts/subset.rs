//! Font subsetting with allsorts, the one subsetter that keeps cmap and OS/2
//! and so produces fonts that stand alone in an EPUB (crates.md §6).

use std::collections::BTreeSet;

use std::borrow::Cow;

use allsorts::binary::read::ReadScope;
use allsorts::error::ParseError;
use allsorts::font_data::FontData;
use allsorts::subset::{subset, CmapTarget, SubsetProfile};
use allsorts::tables::FontTableProvider;

use super::Face;

/// A standalone subset font and what it holds.
pub struct Subset {
    pub data: Vec<u8>,
    pub glyph_count: usize,
    /// `font/otf` for CFF outlines, `font/ttf` for TrueType.
    pub media_type: &'static str,
}

/// Subsets `face` to the glyphs of `chars` (plus .notdef), with the
/// layout tables e-readers use (fonts::layout) and the glyphs those reach.
pub fn subset_for_chars(face: &Face, chars: &BTreeSet<char>) -> Result<Subset, String> {
    let parsed = face
        .parse()
        .ok_or_else(|| format!("cannot parse {}", face.path.display()))?;
    let mut gids = BTreeSet::new();
    let mut mapped = Vec::new();
    // Characters the face lacks are reported by fonts::coverage.
    for &c in chars.iter().filter(|c| !c.is_control()) {
        if let Some(g) = parsed.glyph_index(c).filter(|g| g.0 != 0) {
            gids.insert(g.0);
            mapped.push((c, g.0));
        }
    }
    let languages = super::layout::close_over(&parsed, &mut gids);
    gids.remove(&0);
    let mut list: Vec<u16> = vec![0];
    list.extend(gids);
    let media_type = if parsed.tables().cff.is_some() {
        "font/otf"
    } else {
        "font/ttf"
    };
    let data = subset_glyphs(
        face,
        &list,
        SubsetProfile::Minimal,
        CmapTarget::Unicode,
        Some(cmap_of(&mapped)),
    )?;
    let data = super::sfnt::with_tables(&data, super::layout::tables(&parsed, &list, &languages))?;
    Ok(Subset {
        data,
        glyph_count: list.len(),
        media_type,
    })
}

/// Subsets `face` to `gids` in that order (new gid = position in the list),
/// reading the face's cmap as `cmap` when given (see `WithCmap`).
pub fn subset_glyphs(
    face: &Face,
    gids: &[u16],
    profile: SubsetProfile,
    target: CmapTarget,
    cmap: Option<Vec<u8>>,
) -> Result<Vec<u8>, String> {
    let scope = ReadScope::new(&face.data);
    let font_data = scope
        .read::<FontData<'_>>()
        .map_err(|e| format!("cannot read {}: {e}", face.path.display()))?;
    let provider = font_data.table_provider(face.index as usize).map_err(|e| {
        format!(
            "cannot read face {} of {}: {e}",
            face.index,
            face.path.display()
        )
    })?;
    let provider = WithCmap {
        face: provider,
        cmap,
    };
    // allsorts panics on some damaged CFF tables.
    crate::crash::shielded(|| subset(&provider, gids, &profile, target))
        .ok_or_else(|| format!("cannot subset {}: damaged font", face.path.display()))?
        .map_err(|e| format!("cannot subset {}: {e}", face.path.display()))
}

/// A face's tables, with its cmap replaced when `cmap` is given. allsorts
/// builds a subset's cmap by testing each mapping of the face against the
/// kept glyphs one by one, which for a 65 000-character CJK face costs more
/// than the outlines; handed only the mappings the subset keeps, it does
/// the same work on a few thousand.
pub struct WithCmap<P> {
    pub face: P,
    pub cmap: Option<Vec<u8>>,
}

impl<P: FontTableProvider> FontTableProvider for WithCmap<P> {
    fn table_data(&self, tag: u32) -> Result<Option<Cow<'_, [u8]>>, ParseError> {
        match &self.cmap {
            Some(cmap) if tag == allsorts::tag::CMAP => Ok(Some(Cow::Borrowed(cmap))),
            _ => self.face.table_data(tag),
        }
    }

    fn has_table(&self, tag: u32) -> bool {
        (tag == allsorts::tag::CMAP && self.cmap.is_some()) || self.face.has_table(tag)
    }

    fn table_tags(&self) -> Option<Vec<u32>> {
        self.face.table_tags()
    }
}

/// A cmap of `mapped` (character, glyph) pairs, in character order: one
/// format 12 subtable (Windows, full Unicode), a group per run of
/// consecutive characters on consecutive glyphs.
pub fn cmap_of(mapped: &[(char, u16)]) -> Vec<u8> {
    let mut groups: Vec<(u32, u32, u32)> = Vec::new();
    for &(c, g) in mapped {
        let (c, g) = (c as u32, u32::from(g));
        match groups.last_mut() {
            Some((start, end, first)) if c == *end + 1 && g == *first + (c - *start) => *end = c,
            _ => groups.push((c, c, g)),
        }
    }
    let length = 16 + 12 * groups.len() as u32;
    let mut t = Vec::with_capacity(12 + length as usize);
    t.extend_from_slice(&[0, 0, 0, 1]); // version, one subtable
    t.extend_from_slice(&[0, 3, 0, 10, 0, 0, 0, 12]); // Windows, full Unicode, at 12
    t.extend_from_slice(&[0, 12, 0, 0]); // format 12, reserved
    t.extend_from_slice(&length.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes()); // language
    t.extend_from_slice(&(groups.len() as u32).to_be_bytes());
    for (start, end, glyph) in groups {
        for v in [start, end, glyph] {
            t.extend_from_slice(&v.to_be_bytes());
        }
    }
    t
}
