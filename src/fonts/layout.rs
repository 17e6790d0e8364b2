//! The OpenType layout a CJK subset keeps for e-readers: allsorts drops
//! GSUB and GPOS, and without them a reader can neither trim punctuation
//! (`halt`/`vhal`, which CSS `text-spacing-trim` relies on), nor choose
//! regional forms (`locl`), nor set vertical text (`vert`/`vrt2`, `vmtx`).
//!
//! Kept: the single-substitution and single-adjustment lookups of
//! [`GSUB_FEATURES`] and [`GPOS_FEATURES`], under the default language
//! systems and the Chinese one the face is made for, with glyph ids
//! renumbered for the subset; and the vertical metrics of the subset's
//! glyphs. A pan-CJK face (Noto CJK SC) also carries, under `ZHT` or `JAN`,
//! thousands of other regions' forms: keeping those would add a glyph for
//! most characters of the book, while the text they serve is set in the
//! other region's face (the EPUB has one per script).

use std::collections::{BTreeMap, BTreeSet};

use ttf_parser::gpos::{PositioningSubtable, SingleAdjustment, ValueRecord};
use ttf_parser::gsub::{SingleSubstitution, SubstitutionSubtable};
use ttf_parser::opentype_layout::LayoutTable;
use ttf_parser::{GlyphId, Tag};

/// Substitutions kept: regional forms and vertical forms.
pub const GSUB_FEATURES: [&[u8; 4]; 3] = [b"locl", b"vert", b"vrt2"];
/// Positionings kept: half-width and proportional punctuation, horizontal
/// and vertical.
pub const GPOS_FEATURES: [&[u8; 4]; 4] = [b"halt", b"palt", b"vhal", b"vpal"];

/// A script's tag, its default language system's features and its kept
/// language systems with theirs (new feature indices).
type ScriptEntry = (Tag, Vec<u16>, Vec<(Tag, Vec<u16>)>);

/// The Chinese language systems, of which a face keeps its own.
const CHINESE: [&[u8; 4]; 3] = [b"ZHS ", b"ZHT ", b"ZHH "];

/// The language systems kept besides each script's default: the Chinese
/// one whose `locl` changes the fewest of the book's glyphs, that is the
/// region the face is drawn for (ZHS in an SC face, ZHT in a TC one).
#[derive(Debug, Clone, Default)]
pub struct Languages(Vec<Tag>);

impl Languages {
    fn keeps(&self, tag: Tag) -> bool {
        self.0.contains(&tag)
    }
}

fn native_languages(gsub: &LayoutTable<'_>, glyphs: &[u16]) -> Languages {
    let mut changed: Vec<(usize, Tag)> = Vec::new();
    for tag in CHINESE.map(Tag::from_bytes) {
        let only = Languages(vec![tag]);
        let lookups = kept_lookups(gsub, &[b"locl"], &only, false);
        let count = lookups
            .iter()
            .map(|&l| substitutions(gsub, l, glyphs).len())
            .sum();
        changed.push((count, tag));
    }
    let fewest = changed.iter().map(|(n, _)| *n).min().unwrap_or(0);
    Languages(
        changed
            .into_iter()
            .filter(|(n, _)| *n == fewest)
            .map(|(_, tag)| tag)
            .collect(),
    )
}

/// Adds to `gids` every glyph a kept substitution can turn one of them
/// into, so that the subset holds the vertical and regional forms; returns
/// the language systems kept, for [`tables`].
pub fn close_over(face: &ttf_parser::Face<'_>, gids: &mut BTreeSet<u16>) -> Languages {
    let Some(gsub) = face.tables().gsub else {
        return Languages::default();
    };
    let glyphs: Vec<u16> = gids.iter().copied().collect();
    let languages = native_languages(&gsub, &glyphs);
    let lookups = kept_lookups(&gsub, &GSUB_FEATURES, &languages, true);
    // Substitutions may feed each other (locl then vert): to a fixed point.
    let mut fresh: Vec<u16> = gids.iter().copied().collect();
    while !fresh.is_empty() {
        let mut added = BTreeSet::new();
        for &index in &lookups {
            for (_, to) in substitutions(&gsub, index, &fresh) {
                if !gids.contains(&to) {
                    added.insert(to);
                }
            }
        }
        gids.extend(added.iter().copied());
        fresh = added.into_iter().collect();
    }
    languages
}

/// The subset's GSUB, GPOS, vhea, vmtx and VORG tables, for the glyphs
/// `old_ids` (new glyph id = position in the list). Tables the face lacks,
/// or that would be empty, are left out.
pub fn tables(
    face: &ttf_parser::Face<'_>,
    old_ids: &[u16],
    languages: &Languages,
) -> Vec<([u8; 4], Vec<u8>)> {
    let new_id: BTreeMap<u16, u16> = old_ids
        .iter()
        .enumerate()
        .map(|(new, &old)| (old, new as u16))
        .collect();
    let mut out = Vec::new();
    if let Some(gsub) = face.tables().gsub {
        let build = |index| {
            let pairs: Vec<(u16, u16)> = substitutions(&gsub, index, old_ids)
                .into_iter()
                .filter_map(|(from, to)| Some((*new_id.get(&from)?, *new_id.get(&to)?)))
                .collect();
            single_substitution(&pairs)
        };
        if let Some(table) = layout(&gsub, &GSUB_FEATURES, languages, build) {
            out.push((*b"GSUB", table));
        }
    }
    if let Some(gpos) = face.tables().gpos {
        let build = |index| {
            let values: Vec<(u16, [i16; 4])> = adjustments(&gpos, index, old_ids)
                .into_iter()
                .filter_map(|(glyph, value)| Some((*new_id.get(&glyph)?, value)))
                .collect();
            single_adjustment(&values)
        };
        if let Some(table) = layout(&gpos, &GPOS_FEATURES, languages, build) {
            out.push((*b"GPOS", table));
        }
    }
    out.extend(vertical_metrics(face, old_ids));
    out
}

/// Indices of the lookups the kept features use in the kept language
/// systems (and the defaults, if `defaults`).
fn kept_lookups(
    table: &LayoutTable<'_>,
    features: &[&[u8; 4]],
    languages: &Languages,
    defaults: bool,
) -> BTreeSet<u16> {
    let mut out = BTreeSet::new();
    for index in kept_features(table, features, languages, defaults) {
        if let Some(feature) = table.features.get(index) {
            out.extend(feature.lookup_indices);
        }
    }
    out
}

/// Indices of the kept features: the wanted tags, referenced from a
/// script's default language system (if `defaults`) or a kept one.
fn kept_features(
    table: &LayoutTable<'_>,
    features: &[&[u8; 4]],
    languages: &Languages,
    defaults: bool,
) -> BTreeSet<u16> {
    let wanted = |index: u16| {
        table
            .features
            .get(index)
            .is_some_and(|f| features.iter().any(|t| Tag::from_bytes(t) == f.tag))
    };
    let mut out = BTreeSet::new();
    for script in table.scripts {
        let default = script.default_language.filter(|_| defaults);
        let systems = default.into_iter().chain(
            script
                .languages
                .into_iter()
                .filter(|l| languages.keeps(l.tag)),
        );
        for system in systems {
            out.extend(system.feature_indices.into_iter().filter(|&i| wanted(i)));
        }
    }
    out
}

/// A GSUB lookup's single substitutions of `glyphs` (old glyph ids).
fn substitutions(table: &LayoutTable<'_>, lookup: u16, glyphs: &[u16]) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    let Some(lookup) = table.lookups.get(lookup) else {
        return out;
    };
    for subtable in lookup.subtables.into_iter::<SubstitutionSubtable>() {
        let SubstitutionSubtable::Single(single) = subtable else {
            continue;
        };
        match single {
            SingleSubstitution::Format1 { coverage, delta } => {
                for &glyph in glyphs.iter().filter(|&&g| coverage.contains(GlyphId(g))) {
                    // Modulo 65536, as the specification says.
                    out.push((glyph, glyph.wrapping_add(delta as u16)));
                }
            }
            SingleSubstitution::Format2 {
                coverage,
                substitutes,
            } => {
                for &glyph in glyphs {
                    let index = coverage.get(GlyphId(glyph));
                    if let Some(to) = index.and_then(|i| substitutes.get(i)) {
                        out.push((glyph, to.0));
                    }
                }
            }
        }
    }
    out
}

/// A GPOS lookup's single adjustments of `glyphs` (old glyph ids): x and
/// y placement, x and y advance.
fn adjustments(table: &LayoutTable<'_>, lookup: u16, glyphs: &[u16]) -> Vec<(u16, [i16; 4])> {
    let mut out = Vec::new();
    let Some(lookup) = table.lookups.get(lookup) else {
        return out;
    };
    let value = |v: ValueRecord<'_>| [v.x_placement, v.y_placement, v.x_advance, v.y_advance];
    for subtable in lookup.subtables.into_iter::<PositioningSubtable>() {
        let PositioningSubtable::Single(single) = subtable else {
            continue;
        };
        match single {
            SingleAdjustment::Format1 { coverage, value: v } => {
                let v = value(v);
                out.extend(
                    glyphs
                        .iter()
                        .filter(|&&g| coverage.contains(GlyphId(g)))
                        .map(|&g| (g, v)),
                );
            }
            SingleAdjustment::Format2 { coverage, values } => {
                for &glyph in glyphs {
                    let index = coverage.get(GlyphId(glyph));
                    if let Some(v) = index.and_then(|i| values.get(i)) {
                        out.push((glyph, value(v)));
                    }
                }
            }
        }
    }
    out
}

/// A whole GSUB or GPOS: the kept features' lookups rebuilt by `build`
/// (None when nothing is left of one), the features that still have
/// lookups, and the scripts and language systems that refer to them.
fn layout(
    table: &LayoutTable<'_>,
    features: &[&[u8; 4]],
    languages: &Languages,
    build: impl Fn(u16) -> Option<(u16, Vec<u8>)>,
) -> Option<Vec<u8>> {
    // Old lookup index → new index, for the lookups that keep entries.
    let mut lookups: Vec<(u16, u16, Vec<u8>)> = Vec::new();
    let mut lookup_map: BTreeMap<u16, u16> = BTreeMap::new();
    let kept = kept_features(table, features, languages, true);
    let lookup_flags = |index: u16| {
        table
            .lookups
            .get(index)
            // Mark filtering sets need GDEF, which is not kept.
            .map_or(0, |l| l.flags.0 & !0x0010)
    };
    for &index in &kept_lookups(table, features, languages, true) {
        if let Some((kind, subtable)) = build(index) {
            lookup_map.insert(index, lookups.len() as u16);
            lookups.push((kind, lookup_flags(index), subtable));
        }
    }
    if lookups.is_empty() {
        return None;
    }
    // Old feature index → new, for features with lookups left.
    let mut feature_records: Vec<(Tag, Vec<u16>)> = Vec::new();
    let mut feature_map: BTreeMap<u16, u16> = BTreeMap::new();
    for index in 0..table.features.len() {
        if !kept.contains(&index) {
            continue;
        }
        let Some(feature) = table.features.get(index) else {
            continue;
        };
        let indices: Vec<u16> = feature
            .lookup_indices
            .into_iter()
            .filter_map(|l| lookup_map.get(&l).copied())
            .collect();
        if !indices.is_empty() {
            feature_map.insert(index, feature_records.len() as u16);
            feature_records.push((feature.tag, indices));
        }
    }
    let system = |l: &ttf_parser::opentype_layout::LanguageSystem<'_>| -> Vec<u16> {
        l.feature_indices
            .into_iter()
            .filter_map(|i| feature_map.get(&i).copied())
            .collect()
    };
    let mut scripts: Vec<ScriptEntry> = Vec::new();
    for script in table.scripts {
        let languages: Vec<(Tag, Vec<u16>)> = script
            .languages
            .into_iter()
            .filter(|l| languages.keeps(l.tag))
            .map(|l| (l.tag, system(&l)))
            .filter(|(_, f)| !f.is_empty())
            .collect();
        // Text in another language (zh-HK in a TC face, or none given)
        // gets the face's own forms too: they are its default. A tag is
        // listed once in a language system.
        let mut default: BTreeSet<u16> = languages
            .first()
            .map(|(_, f)| f.iter().copied().collect())
            .unwrap_or_default();
        let tag_of = |i: u16| feature_records[usize::from(i)].0;
        for f in script
            .default_language
            .as_ref()
            .map(system)
            .unwrap_or_default()
        {
            if !default.iter().any(|&d| tag_of(d) == tag_of(f)) {
                default.insert(f);
            }
        }
        let default: Vec<u16> = default.into_iter().collect();
        if !default.is_empty() || !languages.is_empty() {
            scripts.push((script.tag, default, languages));
        }
    }

    // Offsets are 16-bit: a table too large for them is left out.
    let script_list = script_list(&scripts)?;
    let feature_list = feature_list(&feature_records)?;
    let lookup_list = lookup_list(&lookups)?;
    let mut out = Vec::new();
    put16(&mut out, 1);
    put16(&mut out, 0);
    let header = 10;
    put16(&mut out, header);
    put16(&mut out, offset16(usize::from(header) + script_list.len())?);
    put16(
        &mut out,
        offset16(usize::from(header) + script_list.len() + feature_list.len())?,
    );
    out.extend(script_list);
    out.extend(feature_list);
    out.extend(lookup_list);
    Some(out)
}

fn offset16(offset: usize) -> Option<u16> {
    u16::try_from(offset).ok()
}

fn script_list(scripts: &[ScriptEntry]) -> Option<Vec<u8>> {
    let mut tables: Vec<Vec<u8>> = Vec::new();
    for (_, default, languages) in scripts {
        let mut t = Vec::new();
        let systems_at = 4 + 6 * languages.len();
        let default_size = if default.is_empty() {
            0
        } else {
            6 + 2 * default.len()
        };
        put16(
            &mut t,
            if default.is_empty() {
                0
            } else {
                offset16(systems_at)?
            },
        );
        put16(&mut t, languages.len() as u16);
        let mut offset = systems_at + default_size;
        for (tag, features) in languages {
            t.extend_from_slice(&tag.to_bytes());
            put16(&mut t, offset16(offset)?);
            offset += 6 + 2 * features.len();
        }
        if !default.is_empty() {
            language_system(&mut t, default);
        }
        for (_, features) in languages {
            language_system(&mut t, features);
        }
        tables.push(t);
    }
    let mut out = Vec::new();
    put16(&mut out, scripts.len() as u16);
    let mut offset = 2 + 6 * scripts.len();
    for ((tag, _, _), t) in scripts.iter().zip(&tables) {
        out.extend_from_slice(&tag.to_bytes());
        put16(&mut out, offset16(offset)?);
        offset += t.len();
    }
    for t in tables {
        out.extend(t);
    }
    Some(out)
}

fn language_system(out: &mut Vec<u8>, features: &[u16]) {
    put16(out, 0); // lookupOrder: reserved
    put16(out, 0xFFFF); // no required feature
    put16(out, features.len() as u16);
    for &f in features {
        put16(out, f);
    }
}

fn feature_list(features: &[(Tag, Vec<u16>)]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    put16(&mut out, features.len() as u16);
    let mut offset = 2 + 6 * features.len();
    for (tag, lookups) in features {
        out.extend_from_slice(&tag.to_bytes());
        put16(&mut out, offset16(offset)?);
        offset += 4 + 2 * lookups.len();
    }
    for (_, lookups) in features {
        put16(&mut out, 0); // no feature parameters
        put16(&mut out, lookups.len() as u16);
        for &l in lookups {
            put16(&mut out, l);
        }
    }
    Some(out)
}

/// Lookups of one subtable each: (type, flags, subtable).
fn lookup_list(lookups: &[(u16, u16, Vec<u8>)]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    put16(&mut out, lookups.len() as u16);
    let mut offset = 2 + 2 * lookups.len();
    for (_, _, subtable) in lookups {
        put16(&mut out, offset16(offset)?);
        offset += 8 + subtable.len();
    }
    for (kind, flags, subtable) in lookups {
        put16(&mut out, *kind);
        put16(&mut out, *flags);
        put16(&mut out, 1);
        put16(&mut out, 8); // the subtable follows this header
        out.extend_from_slice(subtable);
    }
    Some(out)
}

/// A format 2 single substitution over `pairs` (new ids), or None when
/// empty.
fn single_substitution(pairs: &[(u16, u16)]) -> Option<(u16, Vec<u8>)> {
    let pairs: BTreeMap<u16, u16> = pairs.iter().copied().collect();
    if pairs.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    put16(&mut out, 2);
    put16(&mut out, offset16(6 + 2 * pairs.len())?);
    put16(&mut out, pairs.len() as u16);
    for &to in pairs.values() {
        put16(&mut out, to);
    }
    coverage(&mut out, pairs.keys().copied());
    Some((1, out))
}

/// A format 2 single adjustment with every value field, or None when
/// empty.
fn single_adjustment(values: &[(u16, [i16; 4])]) -> Option<(u16, Vec<u8>)> {
    let values: BTreeMap<u16, [i16; 4]> = values.iter().copied().collect();
    if values.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    put16(&mut out, 2);
    put16(&mut out, offset16(8 + 8 * values.len())?);
    put16(&mut out, 0x000F); // x/y placement, x/y advance
    put16(&mut out, values.len() as u16);
    for v in values.values() {
        for &field in v {
            put16(&mut out, field as u16);
        }
    }
    coverage(&mut out, values.keys().copied());
    Some((1, out))
}

/// A format 1 coverage table of sorted glyph ids.
fn coverage(out: &mut Vec<u8>, glyphs: impl ExactSizeIterator<Item = u16>) {
    put16(out, 1);
    put16(out, glyphs.len() as u16);
    for g in glyphs {
        put16(out, g);
    }
}

/// vhea, vmtx and (for CFF outlines) VORG for the subset's glyphs, when
/// the face has vertical metrics.
fn vertical_metrics(face: &ttf_parser::Face<'_>, old_ids: &[u16]) -> Vec<([u8; 4], Vec<u8>)> {
    let raw = face.raw_face();
    let Some(vhea) = raw.table(Tag::from_bytes(b"vhea")) else {
        return Vec::new();
    };
    if vhea.len() < 36 || face.tables().vmtx.is_none() {
        return Vec::new();
    }
    let mut vmtx = Vec::with_capacity(old_ids.len() * 4);
    let mut max_advance = 0u16;
    for &old in old_ids {
        let glyph = GlyphId(old);
        let advance = face.glyph_ver_advance(glyph).unwrap_or(0);
        max_advance = max_advance.max(advance);
        put16(&mut vmtx, advance);
        put16(
            &mut vmtx,
            face.glyph_ver_side_bearing(glyph).unwrap_or(0) as u16,
        );
    }
    let mut header = vhea[..36].to_vec();
    header[4..6].copy_from_slice(&max_advance.to_be_bytes());
    header[34..36].copy_from_slice(&(old_ids.len() as u16).to_be_bytes());
    let mut out = vec![(*b"vhea", header), (*b"vmtx", vmtx)];
    if let Some(vorg) = raw.table(Tag::from_bytes(b"VORG")) {
        if vorg.len() >= 8 {
            let default = i16::from_be_bytes([vorg[4], vorg[5]]);
            let mut entries = Vec::new();
            for (new, &old) in old_ids.iter().enumerate() {
                let origin = face.glyph_y_origin(GlyphId(old)).unwrap_or(default);
                if origin != default {
                    entries.push((new as u16, origin));
                }
            }
            let mut table = vec![0, 1, 0, 0];
            put16(&mut table, default as u16);
            put16(&mut table, entries.len() as u16);
            for (glyph, origin) in entries {
                put16(&mut table, glyph);
                put16(&mut table, origin as u16);
            }
            out.push((*b"VORG", table));
        }
    }
    out
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}
