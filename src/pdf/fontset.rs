//! The faces the PDF is set in, and which face draws each character.
//!
//! Faces are chosen in two steps because rustybuzz faces borrow the font
//! bytes: [`FontChoice`] owns the faces (found once by walking every text of
//! the book), then [`FontSet`] borrows them for shaping.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use crate::diag::{Diagnostic, Diagnostics};
use crate::fonts::{Face, FontBook, DEFAULT_FAMILY};
use crate::lang::Script;
use crate::manifest::Manifest;
use crate::model::{visit_text, Book};

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
    /// Configured fallback families, then the shipped family.
    fallback: Vec<FontIx>,
    /// Characters no face above has: the installed face that has them, or
    /// `None` when no font at all does.
    extra: HashMap<char, Option<FontIx>>,
}

/// Format characters that draw nothing and need no glyph.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c as u32, 0xAD | 0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF | 0xFE00..=0xFE0F)
}

impl FontChoice {
    /// Resolves the faces for every script the book uses and finds a face
    /// for every character it prints; characters no font has are reported
    /// with the file and line where they first occur.
    pub fn resolve(
        manifest: &Manifest,
        book: &Book,
        fonts: &FontBook,
        diags: &mut Diagnostics,
    ) -> Option<FontChoice> {
        let scripts: BTreeSet<Script> = std::iter::once(book.meta.lang.script())
            .chain(book.articles.iter().map(|a| a.lang.script()))
            .collect();
        let body = manifest.fonts.body.as_deref();
        let heading = manifest.fonts.heading.as_deref().or(body);
        let mut choice = FontChoice {
            faces: Vec::new(),
            regular: BTreeMap::new(),
            bold: BTreeMap::new(),
            fallback: Vec::new(),
            extra: HashMap::new(),
        };
        let mut failed = false;
        for &script in &scripts {
            match fonts.resolve(body, false, script) {
                Ok(f) => {
                    let ix = choice.add(f);
                    choice.regular.insert(script, ix);
                }
                Err(d) => {
                    diags.push(d.in_file(&manifest.path));
                    failed = true;
                    continue;
                }
            }
            // A family without a bold face sets headings in its regular face.
            let bold = match fonts.resolve(heading, true, script) {
                Ok(f) if f.bold => choice.add(f),
                _ => choice.regular[&script],
            };
            choice.bold.insert(script, bold);
        }
        if failed {
            return None;
        }
        let main_script = book.meta.lang.script();
        for family in &manifest.fonts.fallback {
            match fonts.resolve(Some(family), false, main_script) {
                Ok(f) => {
                    let ix = choice.add(f);
                    choice.fallback.push(ix);
                }
                Err(d) => diags.push(Diagnostic::warning(d.message).in_file(&manifest.path)),
            }
        }
        if body.is_some_and(|b| b != DEFAULT_FAMILY) {
            if let Ok(f) = fonts.resolve(None, false, main_script) {
                let ix = choice.add(f);
                choice.fallback.push(ix);
            }
        }
        choice.find_extra_faces(book, fonts, diags);
        Some(choice)
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

    fn find_extra_faces(&mut self, book: &Book, fonts: &FontBook, diags: &mut Diagnostics) {
        let parsed: Vec<Option<ttf_parser::Face<'_>>> =
            self.faces.iter().map(|f| f.parse()).collect();
        let known: Vec<usize> = (0..parsed.len()).collect();
        let covered_by_known = |c: char| {
            known
                .iter()
                .any(|&i| parsed[i].as_ref().is_some_and(|f| has_glyph(f, c)))
        };
        let mut uncovered: BTreeMap<char, ()> = BTreeMap::new();
        let mut first_seen: Vec<(std::path::PathBuf, BTreeMap<char, u32>)> = Vec::new();
        let mut scan = |text: &str, line: u32, seen: &mut BTreeMap<char, u32>| {
            for c in text.chars() {
                if is_invisible(c) || c.is_whitespace() || uncovered.contains_key(&c) {
                    if uncovered.contains_key(&c) {
                        seen.entry(c).or_insert(line);
                    }
                    continue;
                }
                if !covered_by_known(c) {
                    uncovered.insert(c, ());
                    seen.entry(c).or_insert(line);
                }
            }
        };
        let meta = &book.meta;
        let mut front = BTreeMap::new();
        for t in [
            &meta.subtitle,
            &meta.editor,
            &meta.publisher,
            &meta.edition,
            &meta.date,
        ]
        .into_iter()
        .flatten()
        .chain([&meta.title])
        .chain(&meta.authors)
        {
            scan(t, 1, &mut front);
        }
        scan(FIXED_TEXT, 1, &mut front);
        for article in &book.articles {
            let mut seen = BTreeMap::new();
            visit_text(article, &mut |text, _, line| scan(text, line, &mut seen));
            first_seen.push((article.source.clone(), seen));
        }
        drop(parsed);
        let mut found: BTreeMap<char, Option<FontIx>> = BTreeMap::new();
        for &c in uncovered.keys() {
            let face = fonts.face_covering(c).map(|f| self.add(f));
            found.insert(c, face);
        }
        for (source, seen) in &first_seen {
            for (c, line) in seen {
                if found.get(c) == Some(&None) {
                    diags.push(
                        Diagnostic::warning(format!(
                            "no font has `{c}` (U+{:04X}); the PDF shows a blank box there",
                            *c as u32
                        ))
                        .in_file(source)
                        .at_line(*line),
                    );
                }
            }
        }
        self.extra = found.into_iter().collect();
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

/// The faces ready for shaping.
pub struct FontSet<'a> {
    pub choice: &'a FontChoice,
    pub faces: Vec<rustybuzz::Face<'a>>,
    /// Per face: PDF width units (1/1000 em, truncated as printpdf does)
    /// per font unit.
    pub scale: Vec<f32>,
    /// (face, char) → (blank on the left, blank on the right) in em, from
    /// the font's `halt` feature.
    halt: Mutex<HashMap<(FontIx, char), (f32, f32)>>,
}

impl<'a> FontSet<'a> {
    pub fn new(choice: &'a FontChoice) -> Option<FontSet<'a>> {
        let mut faces = Vec::new();
        let mut scale = Vec::new();
        for f in &choice.faces {
            let face = rustybuzz::Face::from_slice(&f.data, f.index)?;
            scale.push(1000.0 / face.units_per_em() as f32);
            faces.push(face);
        }
        Some(FontSet {
            choice,
            faces,
            scale,
            halt: Mutex::new(HashMap::new()),
        })
    }

    /// The face that draws `c` in text of weight `bold` and `script`, and
    /// whether it really has the character.
    pub fn face_for(&self, c: char, bold: bool, script: Script) -> (FontIx, bool) {
        let primary = self.choice.primary(bold, script);
        if is_invisible(c) || self.covers(primary, c) {
            return (primary, true);
        }
        let regular = self.choice.primary(false, script);
        if regular != primary && self.covers(regular, c) {
            return (regular, true);
        }
        for &f in &self.choice.fallback {
            if self.covers(f, c) {
                return (f, true);
            }
        }
        match self.choice.extra.get(&c) {
            Some(Some(f)) => (*f, true),
            _ => (primary, false),
        }
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
            let face = &self.faces[font as usize];
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
            data: Arc::new(FontBytes::Owned(data)),
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
            FontChoice {
                faces: vec![regular, bold, tc],
                regular: [(Script::Hans, 0), (Script::Hant, 2)].into_iter().collect(),
                bold: [(Script::Hans, 1), (Script::Hant, 1)].into_iter().collect(),
                fallback: Vec::new(),
                extra: HashMap::new(),
            }
        })
    }
}
