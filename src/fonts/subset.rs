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
    /// Characters the face does not have.
    pub missing: Vec<char>,
}

/// [`subset_for_chars`], reusing the result of an earlier build with the
/// same face and characters.
pub fn subset_cached(
    face: &Face,
    chars: &BTreeSet<char>,
    cache: &crate::cache::Cache,
) -> Result<Subset, String> {
    let text: String = chars.iter().collect();
    let key = crate::cache::Cache::key("epub-subset", &[&face.identity(), text.as_bytes()]);
    if let Some(hit) = cache.get(&key) {
        let parsed = ttf_parser::Face::parse(&hit, 0).map_err(|e| e.to_string())?;
        return Ok(Subset {
            glyph_count: usize::from(parsed.number_of_glyphs()),
            media_type: if parsed.tables().cff.is_some() {
                "font/otf"
            } else {
                "font/ttf"
            },
            missing: Vec::new(),
            data: hit.to_vec(),
        });
    }
    let sub = subset_for_chars(face, chars)?;
    cache.put(&key, sub.data.clone());
    Ok(sub)
}

/// Subsets `face` to the glyphs of `chars` (plus .notdef).
pub fn subset_for_chars(face: &Face, chars: &BTreeSet<char>) -> Result<Subset, String> {
    let parsed = face
        .parse()
        .ok_or_else(|| format!("cannot parse {}", face.path.display()))?;
    let mut gids = BTreeSet::new();
    let mut missing = Vec::new();
    for &c in chars {
        if c.is_control() {
            continue;
        }
        match parsed.glyph_index(c) {
            Some(g) if g.0 != 0 => {
                gids.insert(g.0);
            }
            _ => missing.push(c),
        }
    }
    let mut list: Vec<u16> = vec![0];
    list.extend(gids);
    let media_type = if parsed.tables().cff.is_some() {
        "font/otf"
    } else {
        "font/ttf"
    };
    let data = subset_glyphs(face, &list, SubsetProfile::Minimal, CmapTarget::Unicode)?;
    Ok(Subset {
        data,
        glyph_count: list.len(),
        media_type,
        missing,
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
    subset(&provider, gids, &profile, cmap)
        .map_err(|e| format!("cannot subset {}: {e}", face.path.display()))
}
