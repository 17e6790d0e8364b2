//! Fonts into the PDF: each program subset to the glyphs drawn (printpdf's
//! lean build would embed whole 20 MB faces), with fixed names so that
//! rebuilds are identical, and a complete ToUnicode map per program.

use std::collections::BTreeMap;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{subset, CmapTarget, SubsetProfile};

use super::fontfile::Program;
use super::PdfError;
use crate::cache::Cache;
use crate::fonts::Face;
use crate::typeset::fontset::{FontIx, FontSet};
use crate::typeset::page::{Draw, Page};
use std::sync::Arc;

/// The glyphs in use per embedded font program: original id → text.
pub type Used = BTreeMap<FontIx, BTreeMap<u16, String>>;

/// The complete ToUnicode map of an embedded font (printpdf only knows the
/// glyphs drawn through its own resource).
#[derive(Debug, Clone)]
pub struct FontText {
    pub resource: String,
    pub cmap: String,
}

/// Faces of one collection that share their outlines (Noto CJK's SC, TC,
/// JP … faces share one CFF table) are embedded once: glyph ids mean the
/// same outline in each of them.
pub fn program_of(fonts: &FontSet<'_>) -> Vec<FontIx> {
    let key = |i: usize| {
        let face = &fonts.choice.faces[i];
        let raw = ttf_parser::RawFace::parse(&face.data, face.index).ok();
        let offset = |tag: &[u8; 4]| {
            raw.as_ref()
                .and_then(|r| r.table(ttf_parser::Tag::from_bytes(tag)))
                .map(|t| t.as_ptr() as usize - face.data.as_ptr() as usize)
        };
        (
            face.path.clone(),
            offset(b"CFF ").or(offset(b"glyf")),
            offset(b"hmtx"),
        )
    };
    let keys: Vec<_> = (0..fonts.choice.faces.len()).map(key).collect();
    (0..keys.len())
        .map(|i| {
            let same = keys[..i]
                .iter()
                .position(|k| k == &keys[i] && k.1.is_some());
            same.unwrap_or(i) as FontIx
        })
        .collect()
}

/// Every glyph drawn, per face, with its text. A glyph drawn for several
/// texts keeps the first non-empty one (the font's ToUnicode map has one
/// entry per glyph).
pub fn used_glyphs(pages: &[Page], program: &[FontIx]) -> Used {
    // Every glyph of the book passes here: per program, which glyph ids
    // were seen as bits, rather than a hash map.
    struct Seen<'a> {
        font: FontIx,
        seen: Vec<u64>,
        /// Glyphs seen so far only without text (rare).
        untold: Vec<u64>,
        list: Vec<(u16, &'a str)>,
    }
    let bit = |gid: u16| (usize::from(gid) / 64, 1u64 << (gid % 64));
    let mut programs: Vec<Seen<'_>> = Vec::new();
    for page in pages {
        for draw in &page.draws {
            let Draw::Text { line, .. } = draw else {
                continue;
            };
            for g in &line.glyphs {
                let font = program[g.font as usize];
                let at = match programs.iter().position(|p| p.font == font) {
                    Some(at) => at,
                    None => {
                        programs.push(Seen {
                            font,
                            seen: vec![0; 1024],
                            untold: vec![0; 1024],
                            list: Vec::new(),
                        });
                        programs.len() - 1
                    }
                };
                let p = &mut programs[at];
                // .notdef stands for every character no font has: no one
                // text is right for it (write.rs gives each its ActualText).
                let text = if g.gid == 0 { "" } else { line.glyph_text(g) };
                let (word, mask) = bit(g.gid);
                if p.seen[word] & mask == 0 {
                    p.seen[word] |= mask;
                    p.list.push((g.gid, text));
                    if text.is_empty() {
                        p.untold[word] |= mask;
                    }
                } else if p.untold[word] & mask != 0 && !text.is_empty() {
                    p.untold[word] &= !mask;
                    if let Some(slot) = p.list.iter_mut().find(|(gid, _)| *gid == g.gid) {
                        slot.1 = text;
                    }
                }
            }
        }
    }
    programs
        .into_iter()
        .map(|p| {
            let glyphs = p
                .list
                .into_iter()
                .map(|(gid, text)| (gid, text.to_string()))
                .collect();
            (p.font, glyphs)
        })
        .collect()
}

/// How a program is embedded (PDF 32000-1 §9.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramKind {
    /// A bare CID-keyed CFF table: `/FontFile3`, `/CIDFontType0C`.
    CidCff,
    /// A whole OpenType font with name-keyed CFF outlines: `/FontFile3`,
    /// `/OpenType`.
    OpenType,
    /// TrueType outlines: `/FontFile2`.
    TrueType,
}

/// What the font descriptor says, in 1/1000 em.
#[derive(Debug, Clone, Copy, Default)]
pub struct Metrics {
    pub ascent: i64,
    pub descent: i64,
    pub cap_height: i64,
    pub bbox: [i64; 4],
    pub italic_angle: i64,
    pub stem_v: i64,
}

/// One program as the pages draw it: all of it but the subset itself,
/// which is made beside the pages ([`programs`]). The codes are known
/// before the subset is: a CID-keyed CFF keeps the face's own CIDs, any
/// other subset numbers its glyphs in order.
pub struct Plan {
    pub font: FontIx,
    /// Resource name, and the subset tag of the PostScript name.
    pub id: String,
    pub base_font: String,
    /// Original glyph id → (subset glyph id, code in the content stream,
    /// PDF width in 1/1000 em).
    pub map: BTreeMap<u16, (u16, u16, i64)>,
    /// The same, for the look-up of every glyph drawn.
    entries: rustc_hash::FxHashMap<u16, (u16, u16, i64)>,
    pub cmap: String,
    pub metrics: Metrics,
    /// The subset's glyphs, .notdef first (new id = position).
    glyphs: Vec<u16>,
}

/// The plan of every program in use.
pub fn plan(fonts: &FontSet<'_>, used: &Used) -> Vec<Plan> {
    used.iter()
        .enumerate()
        .map(|(n, (&font, texts))| plan_one(fonts, n, font, texts))
        .collect()
}

fn plan_one(fonts: &FontSet<'_>, n: usize, font: FontIx, texts: &BTreeMap<u16, String>) -> Plan {
    let face = &fonts.choice.faces[font as usize];
    let parsed = &fonts.faces[font as usize];
    let mut glyphs: Vec<u16> = vec![0];
    glyphs.extend(texts.keys().copied().filter(|&g| g != 0));
    let cff = parsed.tables().cff;
    let codes: Vec<u16> = glyphs
        .iter()
        .enumerate()
        .map(|(new, &old)| {
            cff.as_ref()
                .and_then(|cff| cff.glyph_cid(ttf_parser::GlyphId(old)))
                .unwrap_or(new as u16)
        })
        .collect();
    // Six capitals: the subset tag, fixed so that rebuilds are identical.
    let id = format!(
        "BKLT{}{}",
        (b'A' + (n / 26 % 26) as u8) as char,
        (b'A' + (n % 26) as u8) as char
    );
    let ps = if face.post_script_name.is_empty() {
        face.family.replace(' ', "")
    } else {
        face.post_script_name.clone()
    };
    let mut plan = Plan {
        font,
        base_font: format!("{id}+{ps}"),
        id,
        map: BTreeMap::new(),
        entries: Default::default(),
        cmap: String::new(),
        metrics: metrics(parsed),
        glyphs,
    };
    plan.draw_by(fonts, &codes, texts);
    plan
}

impl Plan {
    /// Original glyph `gid`'s (subset glyph id, code, width), if planned.
    pub fn entry(&self, gid: u16) -> Option<(u16, u16, i64)> {
        self.entries.get(&gid).copied()
    }

    /// Draws subset glyph `n` by `codes[n]`.
    fn draw_by(&mut self, fonts: &FontSet<'_>, codes: &[u16], texts: &BTreeMap<u16, String>) {
        let parsed = &fonts.faces[self.font as usize];
        let upem = parsed.units_per_em().max(1) as f32;
        // Truncated, as printpdf's widths were: the text engine places
        // glyphs by the same numbers.
        let width = |gid: u16| {
            let w = parsed
                .glyph_hor_advance(ttf_parser::GlyphId(gid))
                .unwrap_or(0);
            (f32::from(w) * 1000.0 / upem) as i64
        };
        self.map = self
            .glyphs
            .iter()
            .zip(codes)
            .enumerate()
            .map(|(new, (&old, &code))| (old, (new as u16, code, width(old))))
            .collect();
        self.entries = self.map.iter().map(|(&old, &e)| (old, e)).collect();
        let drawn = self.map.iter().filter_map(|(old, &(_, code, _))| {
            let text = texts.get(old).filter(|t| !t.is_empty())?;
            Some((code, text.as_str()))
        });
        self.cmap = super::fontfile::to_unicode(&self.id, drawn);
    }

    /// Whether the pages drew the glyphs of `program` by its codes; if
    /// not, the plan takes them, for the pages to be drawn again.
    pub fn agrees_with(&mut self, program: &Program, fonts: &FontSet<'_>, used: &Used) -> bool {
        let planned = self.glyphs.iter().map(|g| self.map[g].1);
        if planned.eq(program.codes.iter().copied()) {
            return true;
        }
        self.draw_by(fonts, &program.codes, &used[&self.font]);
        false
    }
}

/// Subsets every program in `plans`, side by side (or takes the subset an
/// earlier build made of the same glyphs).
pub fn programs(
    fonts: &FontSet<'_>,
    plans: &[Plan],
    cache: &Arc<Cache>,
) -> Result<Vec<Program>, PdfError> {
    let results = crate::par::map(plans, |plan| program(fonts, plan, cache));
    results.into_iter().collect()
}

fn program(fonts: &FontSet<'_>, plan: &Plan, cache: &Arc<Cache>) -> Result<Program, PdfError> {
    let face = &fonts.choice.faces[plan.font as usize];
    let list = &plan.glyphs;
    let ids: Vec<u8> = list.iter().flat_map(|g| g.to_le_bytes()).collect();
    let key = Cache::key("pdf-font-program", &[&face.identity(), &ids]);
    if let Some(program) = Program::cached(cache, &key, list.len()) {
        return Ok(program);
    }
    let subset = subset_without_cmap(face, list)?;
    let (kind, codes, program) = split_program(&subset, list.len());
    Ok(Program::start(kind, codes, program, key, cache))
}

/// What the PDF needs of a subset: its kind, the code of each subset glyph
/// (the charset's CIDs in a CID-keyed CFF, else the glyph ids), and the
/// program.
fn split_program(subset: &[u8], count: usize) -> (ProgramKind, Vec<u16>, Vec<u8>) {
    let (kind, program) = match printpdf::extract_cid_keyed_cff(subset, 0) {
        Some(cff) => (ProgramKind::CidCff, cff),
        None if subset.starts_with(b"OTTO") => (ProgramKind::OpenType, subset.to_vec()),
        None => (ProgramKind::TrueType, subset.to_vec()),
    };
    let cids = printpdf::cff_charset_gid_to_cid_map(subset, 0);
    let codes = (0..count as u16)
        .map(|new| {
            cids.as_ref()
                .and_then(|m| m.get(&new).copied())
                .unwrap_or(new)
        })
        .collect();
    (kind, codes, program)
}

/// The descriptor's metrics from the face, as printpdf derived them.
fn metrics(face: &ttf_parser::Face<'_>) -> Metrics {
    let scale = 1000.0 / f32::from(face.units_per_em().max(1));
    let s = |v: i16| (f32::from(v) * scale).round() as i64;
    let b = face.global_bounding_box();
    let italic_angle = face.italic_angle().round() as i64;
    let weight = face.weight().to_number();
    Metrics {
        ascent: s(face.ascender()),
        descent: s(face.descender()),
        cap_height: face.capital_height().map_or(s(face.ascender()), s),
        bbox: [s(b.x_min), s(b.y_min), s(b.x_max), s(b.y_max)],
        italic_angle,
        // No table gives the stem width: estimated from the weight class,
        // as PDF producers do (about 88 at 400, 166 at 700).
        stem_v: 50 + (f32::from(weight) / 65.0).powi(2).round() as i64,
    }
}

/// The cmap a PDF subset is made from: the PDF reaches glyphs by id and
/// text through ToUnicode, so it needs none (see fonts::subset::WithCmap).
/// The smallest valid cmap: one format 4 subtable with only the final
/// 0xFFFF segment.
const EMPTY_CMAP: [u8; 36] = [
    0, 0, 0, 1, // version, one subtable
    0, 3, 0, 1, 0, 0, 0, 12, // Windows Unicode BMP at offset 12
    0, 4, 0, 24, 0, 0, // format 4, length 24, language 0
    0, 2, 0, 2, 0, 0, 0, 0, // segCountX2, searchRange, entrySelector, rangeShift
    0xFF, 0xFF, 0, 0, // endCode, reservedPad
    0xFF, 0xFF, 0, 1, 0, 0, // startCode, idDelta, idRangeOffset
];

/// Subsets `face` to `gids` (new id = position in the list).
pub fn subset_without_cmap(face: &Face, gids: &[u16]) -> Result<Vec<u8>, PdfError> {
    let damaged = |reason: String| PdfError::Subset {
        font: face.path.clone(),
        family: face.family.clone(),
        reason,
    };
    let font_data = ReadScope::new(&face.data)
        .read::<FontData<'_>>()
        .map_err(|e| damaged(e.to_string()))?;
    let provider = font_data
        .table_provider(face.index as usize)
        .map_err(|e| damaged(e.to_string()))?;
    let provider = crate::fonts::subset::WithCmap {
        face: provider,
        cmap: Some(EMPTY_CMAP.to_vec()),
    };
    // allsorts panics on some damaged CFF tables.
    crate::crash::shielded(|| subset(&provider, gids, &SubsetProfile::Pdf, CmapTarget::Unicode))
        .ok_or_else(|| damaged("damaged outlines".into()))?
        .map_err(|e| damaged(e.to_string()))
}
