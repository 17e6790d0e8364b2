//! Font subsetting with allsorts, the one subsetter that keeps cmap and OS/2
//! and so produces fonts that stand alone in an EPUB (crates.md §6).

use std::collections::BTreeSet;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{subset, CmapTarget, SubsetProfile};

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
    // Characters the face lacks are reported by fonts::coverage.
    for &c in chars.iter().filter(|c| !c.is_control()) {
        if let Some(g) = parsed.glyph_index(c).filter(|g| g.0 != 0) {
            gids.insert(g.0);
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
    let data = subset_glyphs(face, &list, SubsetProfile::Minimal, CmapTarget::Unicode)?;
    let data = super::sfnt::with_tables(&data, super::layout::tables(&parsed, &list, &languages))?;
    Ok(Subset {
        data,
        glyph_count: list.len(),
        media_type,
    })
}

/// Subsets `face` to `gids` in that order (new gid = position in the list).
pub fn subset_glyphs(
    face: &Face,
    gids: &[u16],
    profile: SubsetProfile,
    cmap: CmapTarget,
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
    // allsorts panics on some damaged CFF tables.
    crate::crash::shielded(|| subset(&provider, gids, &profile, cmap))
        .ok_or_else(|| format!("cannot subset {}: damaged font", face.path.display()))?
        .map_err(|e| format!("cannot subset {}: {e}", face.path.display()))
}
