//! The faces the PDF is set in, and which face draws each character.
//!
//! Faces are chosen in two steps because rustybuzz faces borrow the font
//! bytes: [`FontChoice`] owns the faces (found once by walking every text of
//! the book), then [`FontSet`] borrows them for shaping.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock, RwLock};

use rustc_hash::FxHashMap;

use super::Error;
use crate::characters::Characters;
use crate::fonts::{Face, Faces, FontBook, DEFAULT_FAMILY};
use crate::lang::Script;
use crate::manifest::Manifest;
use crate::model::Book;

/// Index of a face in [`FontChoice::faces`].
pub type FontIx = u16;

/// Text printed by the PDF that is not in the model (front matter labels,
/// folios, list markers, the ellipsis of shortened running heads).
pub const FIXED_TEXT: &str =
    "目录目錄0123456789ivxlcdm.…•·　 年月——、：编者著作出版版次书名内容简介編書內簡";

/// The owned faces: body regular and bold per script, then fallbacks.
pub struct FontChoice {
    pub faces: Vec<Face>,
    regular: BTreeMap<Script, FontIx>,
    bold: BTreeMap<Script, FontIx>,
    /// Configured fallback families, then the shipped family, each with
    /// its bold where the family has one.
    fallback: Vec<(FontIx, Option<FontIx>)>,
    /// The faces of block quotes per script, where the style's is found.
    quote: BTreeMap<Script, FontIx>,
    /// The monospace faces of code (regular, bold), if found.
    mono: Option<FontIx>,
    mono_bold: Option<FontIx>,
    /// Characters no face above has: the installed face that has them
    /// and the bold of its family where that has them too, or `None` when
    /// no font at all does.
    extra: HashMap<char, Option<(FontIx, Option<FontIx>)>>,
}

/// Format characters that draw nothing and need no glyph.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c as u32, 0xAD | 0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF | 0xFE00..=0xFE0F)
}

impl FontChoice {
    /// Takes the book's faces (resolved, and characters no font has
    /// reported, when the book was prepared) and finds an installed face for
    /// every character they lack.
    pub fn new(
        faces: &Faces,
        manifest: &Manifest,
        book: &Book,
        characters: &Characters,
        fonts: &FontBook,
    ) -> FontChoice {
        let mut choice = FontChoice {
            faces: Vec::new(),
            regular: BTreeMap::new(),
            bold: BTreeMap::new(),
            fallback: Vec::new(),
            quote: BTreeMap::new(),
            mono: None,
            mono_bold: None,
            extra: HashMap::new(),
        };
        for (&script, face) in &faces.regular {
            let ix = choice.add(face.clone());
            choice.regular.insert(script, ix);
            // A family without a bold face sets headings in its regular face.
            let bold = match faces.bold.get(&script) {
                Some(b) => choice.add(b.clone()),
                None => ix,
            };
            choice.bold.insert(script, bold);
        }
        for face in &faces.fallback {
            choice.add_fallback(face.clone(), fonts);
        }
        for (&script, face) in &faces.quote {
            let ix = choice.add(face.clone());
            choice.quote.insert(script, ix);
        }
        choice.mono = faces.mono.clone().map(|f| choice.add(f));
        choice.mono_bold = faces.mono_bold.clone().map(|f| choice.add(f));
        let main_script = book.meta.lang.script();
        if manifest
            .fonts
            .body
            .as_deref()
            .is_some_and(|b| b != DEFAULT_FAMILY)
        {
            if let Ok(f) = fonts.resolve(None, false, main_script) {
                choice.add_fallback(f, fonts);
            }
        }
        choice.find_extra_faces(book, characters, fonts);
        choice
    }

    fn add(&mut self, face: Face) -> FontIx {
        if let Some(i) = self
            .faces
            .iter()
            .position(|f| f.path == face.path && f.index == face.index)
        {
            return i as FontIx;
        }
        self.faces.push(face);
        (self.faces.len() - 1) as FontIx
    }

    /// A fallback family: `face` and its bold.
    fn add_fallback(&mut self, face: Face, fonts: &FontBook) {
        let bold = fonts.bold_of(&face).map(|b| self.add(b));
        let ix = self.add(face);
        self.fallback.push((ix, bold));
    }

    fn find_extra_faces(&mut self, book: &Book, characters: &Characters, fonts: &FontBook) {
        let parsed: Vec<Option<ttf_parser::Face<'_>>> =
            self.faces.iter().map(|f| f.parse()).collect();
        let mut uncovered: BTreeSet<char> = BTreeSet::new();
        let mut known = crate::fonts::coverage::Verdicts::default();
        let printed = book.meta.printed_texts().flat_map(|t| t.chars());
        for c in printed.chain(FIXED_TEXT.chars()).chain(characters.all()) {
            if is_invisible(c) || c.is_whitespace() {
                continue;
            }
            let covered = known.get_or(c, |c| {
                parsed
                    .iter()
                    .any(|f| f.as_ref().is_some_and(|f| has_glyph(f, c)))
            });
            if !covered {
                uncovered.insert(c);
            }
        }
        drop(parsed);
        // Families' bold faces, looked up once per family.
        let mut bolds: HashMap<FontIx, Option<Face>> = HashMap::new();
        for c in uncovered {
            let Some(face) = fonts.face_covering(c) else {
                self.extra.insert(c, None);
                continue;
            };
            let ix = self.add(face);
            let bold = bolds
                .entry(ix)
                .or_insert_with(|| fonts.bold_of(&self.faces[ix as usize]))
                .clone()
                .filter(|b| b.covers(c))
                .map(|b| self.add(b));
            self.extra.insert(c, Some((ix, bold)));
        }
    }

    /// The monospace face of code of weight `bold`: the bold one, else
    /// the regular one.
    pub fn mono(&self, bold: bool) -> Option<FontIx> {
        if bold {
            self.mono_bold.or(self.mono)
        } else {
            self.mono
        }
    }

    /// The face of block quotes in `script`, if the style's was found.
    pub fn quote(&self, script: Script) -> Option<FontIx> {
        self.quote.get(&script).copied()
    }

    pub fn primary(&self, bold: bool, script: Script) -> FontIx {
        let map = if bold { &self.bold } else { &self.regular };
        map.get(&script)
            .or_else(|| map.values().next())
            .copied()
            .unwrap_or(0)
    }
}

fn has_glyph(face: &ttf_parser::Face<'_>, c: char) -> bool {
    face.glyph_index(c).is_some_and(|g| g.0 != 0)
}

/// A character as text of some weight and script, in a quote or not,
/// wants it drawn.
type Wanted = (char, bool, Script, bool);

/// The faces ready for shaping.
pub struct FontSet<'a> {
    pub choice: &'a FontChoice,
    /// The faces, read for metrics and coverage.
    pub faces: Vec<ttf_parser::Face<'a>>,
    /// The same faces ready for shaping, made on first use: readying one
    /// indexes all its layout tables, and a rebuild that keeps every
    /// paragraph shapes nothing.
    shapers: Vec<OnceLock<rustybuzz::Face<'a>>>,
    /// Per face: PDF width units (1/1000 em, truncated as printpdf does)
    /// per font unit.
    pub scale: Vec<f32>,
    /// (face, char) → (blank on the left, blank on the right) in em, from
    /// the font's `halt` feature.
    halt: Mutex<FxHashMap<(FontIx, char), (f32, f32)>>,
    /// (char, bold, script, quote) → [`FontSet::face_for`]: a cmap lookup
    /// per character and face costs more than remembering the answer. Read
    /// for every character by every typesetting thread, written once per
    /// character: a read lock lets the threads look up side by side.
    chosen: RwLock<FxHashMap<Wanted, (FontIx, bool)>>,
}

impl<'a> FontSet<'a> {
    pub fn new(choice: &'a FontChoice) -> Result<FontSet<'a>, Error> {
        let mut faces = Vec::new();
        let mut scale = Vec::new();
        for f in &choice.faces {
            let face = ttf_parser::Face::parse(&f.data, f.index).map_err(|e| Error::Face {
                path: f.path.clone(),
                index: f.index,
                reason: e.to_string(),
            })?;
            scale.push(1000.0 / face.units_per_em() as f32);
            faces.push(face);
        }
        Ok(FontSet {
            choice,
            shapers: faces.iter().map(|_| OnceLock::new()).collect(),
            faces,
            scale,
            halt: Mutex::new(FxHashMap::default()),
            chosen: RwLock::new(FxHashMap::default()),
        })
    }

    /// Face `font`, ready for shaping.
    pub fn shaper(&self, font: FontIx) -> &rustybuzz::Face<'a> {
        let i = font as usize;
        self.shapers[i].get_or_init(|| rustybuzz::Face::from_face(self.faces[i].clone()))
    }

    /// The face that draws `c` in text of weight `bold` and `script`
    /// (in a block quote: `quote`), and whether it really has the
    /// character.
    pub fn face_for(&self, c: char, bold: bool, script: Script, quote: bool) -> (FontIx, bool) {
        let wanted = (c, bold, script, quote);
        let known = self.chosen.read().unwrap_or_else(|e| e.into_inner());
        if let Some(&chosen) = known.get(&wanted) {
            return chosen;
        }
        drop(known);
        let chosen = self.choose(c, bold, script, quote);
        self.chosen
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(wanted, chosen);
        chosen
    }

    fn choose(&self, c: char, bold: bool, script: Script, quote: bool) -> (FontIx, bool) {
        // Quotes' bold words stand out in the body's bold; a character the
        // quote face lacks is the body face's.
        if let Some(face) = self.choice.quote(script).filter(|_| quote && !bold) {
            if is_invisible(c) || self.covers(face, c) {
                return (face, true);
            }
        }
        let primary = self.choice.primary(bold, script);
        if is_invisible(c) || self.covers(primary, c) {
            return (primary, true);
        }
        let regular = self.choice.primary(false, script);
        if regular != primary && self.covers(regular, c) {
            return (regular, true);
        }
        // A fallback family draws bold text in its bold where it has one.
        let weighted = |(regular_face, bold_face): (FontIx, Option<FontIx>)| {
            bold_face
                .filter(|&b| bold && self.covers(b, c))
                .unwrap_or(regular_face)
        };
        for &(f, b) in &self.choice.fallback {
            if self.covers(f, c) {
                return (weighted((f, b)), true);
            }
        }
        match self.choice.extra.get(&c) {
            Some(Some(faces)) => (weighted(*faces), true),
            _ => (primary, false),
        }
    }

    /// The face that draws `c` in code: the monospace face, but for
    /// ideographs, kana, hangul and full-width marks (two columns each, in
    /// the body faces) and what it lacks.
    pub fn face_for_code(&self, c: char, bold: bool, script: Script) -> (FontIx, bool) {
        match self.choice.mono(bold) {
            Some(mono) if !crate::cjk::is_wide(c) && (is_invisible(c) || self.covers(mono, c)) => {
                (mono, true)
            }
            _ => self.face_for(c, bold, script, false),
        }
    }

    /// The size the monospace face `font` is set at so that its advance
    /// is half of `size` (one column of code): code's Latin letters then
    /// take one column and its ideographs, at `size`, exactly two.
    pub fn mono_size(&self, font: FontIx, size: f32) -> f32 {
        let face = &self.faces[font as usize];
        let advance = face
            .glyph_index('0')
            .and_then(|g| face.glyph_hor_advance(g))
            .map_or(0.0, f32::from);
        let mono = [self.choice.mono, self.choice.mono_bold].contains(&Some(font));
        if mono && advance > 0.0 {
            size * 0.5 * self.units_per_em(font) / advance
        } else {
            size
        }
    }

    /// The hyphen of face `font` at `size`: the hyphen-minus, which text
    /// extraction reads as the hyphen it is.
    pub fn hyphen(&self, font: FontIx, size: f32) -> Option<super::shape::Hyphen> {
        let face = &self.faces[font as usize];
        let gid = face.glyph_index('-').filter(|g| g.0 != 0)?;
        let advance = face.glyph_hor_advance(gid)? as f32 * size / self.units_per_em(font);
        Some(super::shape::Hyphen {
            gid: gid.0,
            advance,
        })
    }

    pub fn covers(&self, font: FontIx, c: char) -> bool {
        has_glyph(&self.faces[font as usize], c)
    }

    pub fn units_per_em(&self, font: FontIx) -> f32 {
        self.faces[font as usize].units_per_em() as f32
    }

    /// How much of a full-width punctuation mark is blank on each side, in
    /// em, as the font's `halt` (alternate half widths) feature says: an
    /// opening bracket is blank on the left, a GB-style stop on the right, a
    /// centred mark on both sides. `(0, 0)` when the font does not adjust it.
    pub fn halt_blanks(&self, font: FontIx, c: char, lang: &str) -> (f32, f32) {
        let mut cache = self.halt.lock().unwrap_or_else(|e| e.into_inner());
        *cache.entry((font, c)).or_insert_with(|| {
            let face = self.shaper(font);
            let upem = face.units_per_em() as f32;
            let shape_one = |features: &[rustybuzz::Feature]| {
                let mut buf = rustybuzz::UnicodeBuffer::new();
                buf.push_str(c.encode_utf8(&mut [0; 4]));
                if let Ok(l) = lang.parse() {
                    buf.set_language(l);
                }
                buf.guess_segment_properties();
                let out = rustybuzz::shape(face, features, buf);
                out.glyph_positions()
                    .first()
                    .map(|p| (p.x_advance as f32 / upem, p.x_offset as f32 / upem))
            };
            let halt =
                rustybuzz::Feature::new(rustybuzz::ttf_parser::Tag::from_bytes(b"halt"), 1, ..);
            match (shape_one(&[]), shape_one(&[halt])) {
                (Some((full, _)), Some((half, offset))) if half < full - 0.01 => {
                    let left = (-offset).clamp(0.0, full - half);
                    (left, (full - half - left).max(0.0))
                }
                _ => (0.0, 0.0),
            }
        })
    }
}

/// The shipped Noto Serif CJK faces (SC and TC, regular and bold), loaded
/// once per test binary.
#[cfg(test)]
pub mod testing {
    use std::sync::{Arc, OnceLock};

    use super::*;
    use crate::fonts::FontBytes;

    fn face(file: &str, index: u32, bold: bool, ps: &str) -> Face {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fonts")
            .join(file);
        let data = std::fs::read(&path).expect("shipped font");
        Face {
            family: "Noto Serif CJK".into(),
            post_script_name: ps.into(),
            path,
            index,
            bold,
            data: Arc::new(FontBytes::owned(data)),
        }
    }

    pub fn shipped() -> &'static FontChoice {
        static CHOICE: OnceLock<FontChoice> = OnceLock::new();
        CHOICE.get_or_init(|| {
            let regular = face(
                "NotoSerifCJK-Regular.ttc",
                2,
                false,
                "NotoSerifCJKsc-Regular",
            );
            let bold = face("NotoSerifCJK-Bold.ttc", 2, true, "NotoSerifCJKsc-Bold");
            let mut tc = regular.clone();
            tc.index = 3;
            tc.post_script_name = "NotoSerifCJKtc-Regular".into();
            let mut mono = face("NotoSansMono-Regular.ttf", 0, false, "NotoSansMono-Regular");
            mono.family = crate::fonts::CODE_FAMILY.into();
            let mut mono_bold = face("NotoSansMono-Bold.ttf", 0, true, "NotoSansMono-Bold");
            mono_bold.family = crate::fonts::CODE_FAMILY.into();
            FontChoice {
                faces: vec![regular, bold, tc, mono, mono_bold],
                regular: [(Script::Hans, 0), (Script::Hant, 2)].into_iter().collect(),
                bold: [(Script::Hans, 1), (Script::Hant, 1)].into_iter().collect(),
                fallback: Vec::new(),
                quote: BTreeMap::new(),
                mono: Some(3),
                mono_bold: Some(4),
                extra: HashMap::new(),
            }
        })
    }
}
