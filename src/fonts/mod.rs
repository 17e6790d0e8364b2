//! Font resolution: families named in the manifest (or the shipped Noto
//! Serif CJK) found through fontdb in a fixed order: `fonts/` beside the
//! manifest, configured folders, the shipped fonts, then system fonts. The
//! face follows the language: SC for Simplified, TC for Traditional.

pub mod coverage;
pub mod layout;
pub mod list;
pub mod names;
mod sfnt;
pub mod subset;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Script;
use crate::manifest::Manifest;
use crate::model::Book;

/// The family shipped in `fonts/`.
pub const DEFAULT_FAMILY: &str = "Noto Serif CJK";
/// The monospace family shipped in `fonts/`, for code: its Latin letters
/// are set at half an em of the code size, beside the body family's
/// ideographs at a whole em.
pub const CODE_FAMILY: &str = "Noto Sans Mono";
/// The Kai family shipped in `fonts/`, for block quotes (a subset of LXGW
/// WenKai, renamed as its licence asks: see `fonts/make_kai.py`).
pub const QUOTE_FAMILY: &str = "WenKai Booklet";

/// A font file's bytes, mapped rather than read: CJK collections are tens of
/// megabytes of which a build touches a small part.
pub struct FontBytes {
    bytes: Bytes,
    /// The fingerprint of the bytes, once known.
    id: OnceLock<[u8; 32]>,
}

enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
    /// Built into the binary.
    Static(&'static [u8]),
}

impl FontBytes {
    pub fn owned(bytes: Vec<u8>) -> FontBytes {
        FontBytes::from(Bytes::Owned(bytes))
    }

    fn from(bytes: Bytes) -> FontBytes {
        FontBytes {
            bytes,
            id: OnceLock::new(),
        }
    }

    /// What identifies the file's contents (see [`fingerprint`]).
    pub fn content_id(&self) -> &[u8; 32] {
        self.id.get_or_init(|| fingerprint(self))
    }
}

/// A fingerprint of a font file's contents that reads a few kilobytes of
/// it, not all of it (reading tens of megabytes would cost a build more
/// than the cache saves): its length, its table directories with each
/// table's checksum, and its small tables whole (among them `head`, whose
/// checksum adjustment covers the whole file). Font tools write those
/// checksums whenever they change a table, so a font replaced by another,
/// even of the same length, has another fingerprint. A file that is not a
/// well-formed font is hashed whole.
fn fingerprint(bytes: &[u8]) -> [u8; 32] {
    const SMALL_TABLE: usize = 64 << 10;
    let structure = || -> Option<[u8; 32]> {
        let be32 = |at: usize| -> Option<usize> {
            Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize)
        };
        let faces: Vec<usize> = if bytes.starts_with(b"ttcf") {
            let count = be32(8)?;
            (count as u32 <= MAX_FACES)
                .then(|| (0..count).map(|i| be32(12 + 4 * i)).collect::<Option<_>>())??
        } else {
            vec![0]
        };
        let mut h = blake3::Hasher::new();
        h.update(b"booklet font fingerprint 1");
        h.update(&(bytes.len() as u64).to_le_bytes());
        let mut hashed = HashSet::new();
        for face in faces {
            let tables = u16::from_be_bytes(bytes.get(face + 4..face + 6)?.try_into().ok()?);
            let directory = bytes.get(face..face + 12 + 16 * usize::from(tables))?;
            h.update(directory);
            for record in directory[12..].chunks_exact(16) {
                let offset = u32::from_be_bytes(record[8..12].try_into().ok()?) as usize;
                let length = u32::from_be_bytes(record[12..16].try_into().ok()?) as usize;
                if length <= SMALL_TABLE && hashed.insert(offset) {
                    h.update(bytes.get(offset..offset.checked_add(length)?)?);
                }
            }
        }
        Some(*h.finalize().as_bytes())
    };
    structure().unwrap_or_else(|| *blake3::hash(bytes).as_bytes())
}

impl std::ops::Deref for FontBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
            Bytes::Static(s) => s,
        }
    }
}

impl AsRef<[u8]> for FontBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

/// One face of a font file, with the file's bytes.
#[derive(Clone)]
pub struct Face {
    pub family: String,
    pub post_script_name: String,
    pub path: PathBuf,
    pub index: u32,
    pub bold: bool,
    pub data: Arc<FontBytes>,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Face({} #{} in {})",
            self.family,
            self.index,
            self.path.display()
        )
    }
}

impl Face {
    /// What identifies the face's outlines in cache keys: its file's
    /// contents and its place in a collection.
    pub fn identity(&self) -> Vec<u8> {
        let mut id = self.data.content_id().to_vec();
        id.extend_from_slice(&self.index.to_le_bytes());
        id
    }

    pub fn parse(&self) -> Option<ttf_parser::Face<'_>> {
        parse_face(&self.data, self.index)
    }

    /// Whether the face has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.parse()
            .and_then(|f| f.glyph_index(c))
            .is_some_and(|g| g.0 != 0)
    }
}

/// A face of a font file, if it parses and its character map can be read.
/// ttf-parser panics on some damaged cmap subtables (an array said to run
/// past 4 GiB) when a lookup reaches them, so each subtable is read once
/// here, shielded, before any lookup: the font is damaged, booklet is not.
pub fn parse_face(data: &[u8], index: u32) -> Option<ttf_parser::Face<'_>> {
    let face = ttf_parser::Face::parse(data, index).ok()?;
    let readable = crate::crash::shielded(|| {
        if let Some(cmap) = face.tables().cmap {
            for subtable in cmap.subtables {
                let _ = subtable.glyph_index(u32::from('中'));
            }
        }
    });
    readable.map(|()| face)
}

/// Font files built into the binary: (file name, bytes).
pub type BuiltIn = &'static [(&'static str, &'static [u8])];

static BUILT_IN: OnceLock<BuiltIn> = OnceLock::new();

/// Where built-in fonts appear to be, in messages and `booklet fonts`.
pub const BUILT_IN_DIR: &str = "<built into booklet>";

/// Makes `fonts` the shipped fonts, unless `BOOKLET_FONTS` or a `fonts/`
/// folder beside the executable names others. The binary calls this with
/// the fonts it embeds, so an installed booklet needs no other file.
pub fn set_built_in(fonts: BuiltIn) {
    let _ = BUILT_IN.set(fonts);
}

fn built_in() -> BuiltIn {
    BUILT_IN.get().copied().unwrap_or(&[])
}

/// The folder holding the shipped fonts: `BOOKLET_FONTS`, else `fonts/`
/// beside the executable; `None` when the built-in fonts serve instead.
/// Without either (a program using the library without embedding them),
/// the checkout the library was built from.
pub fn shipped_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("BOOKLET_FONTS") {
        return Some(PathBuf::from(dir));
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|p| p.join("fonts")))
        .filter(|d| d.is_dir());
    if beside.is_some() {
        return beside;
    }
    if !built_in().is_empty() {
        return None;
    }
    Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts"))
}

/// Where a face's bytes come from, as a path (built-in fonts get one
/// under [`BUILT_IN_DIR`]); `None` for other fonts held in memory.
pub(crate) fn source_path(source: &fontdb::Source) -> Option<PathBuf> {
    match source {
        fontdb::Source::File(p) | fontdb::Source::SharedFile(p, _) => Some(p.clone()),
        fontdb::Source::Binary(data) => {
            let bytes: &[u8] = (**data).as_ref();
            built_in()
                .iter()
                .find(|(_, b)| b.as_ptr() == bytes.as_ptr())
                .map(|(name, _)| Path::new(BUILT_IN_DIR).join(name))
        }
    }
}

/// Every font the build may use, indexed once.
pub struct FontBook {
    /// The project's, configured and shipped fonts.
    local: fontdb::Database,
    /// System fonts, indexed only when the local ones do not do: scanning
    /// them costs more than many a rebuild.
    system: OnceLock<fontdb::Database>,
    /// File bytes, read once per path.
    files: Mutex<HashMap<PathBuf, Arc<FontBytes>>>,
    /// Font files in the project's and configured folders that were
    /// skipped, as warnings.
    pub skipped: Vec<Diagnostic>,
}

impl FontBook {
    pub fn load(manifest: &Manifest) -> FontBook {
        let mut db = fontdb::Database::new();
        let mut folder = FontFolder {
            seen: HashSet::new(),
            skipped: Vec::new(),
        };
        let project = manifest.root.join("fonts");
        if project.is_dir() {
            folder.load(&mut db, &project);
        }
        for dir in &manifest.fonts.dirs {
            folder.load(&mut db, &manifest.resolve(dir));
        }
        match shipped_dir() {
            Some(shipped) if shipped != project && shipped.is_dir() => {
                folder.load(&mut db, &shipped);
            }
            Some(_) => {}
            None => {
                for (_, bytes) in built_in() {
                    db.load_font_source(fontdb::Source::Binary(Arc::new(*bytes)));
                }
            }
        }
        FontBook {
            local: db,
            system: OnceLock::new(),
            files: Mutex::new(HashMap::new()),
            skipped: folder.skipped,
        }
    }

    /// The fonts of `dir` alone, without the shipped or the system fonts:
    /// what fuzzing sets books in, the same on every machine.
    pub fn only(dir: &Path) -> FontBook {
        let mut db = fontdb::Database::new();
        let mut folder = FontFolder {
            seen: HashSet::new(),
            skipped: Vec::new(),
        };
        folder.load(&mut db, dir);
        FontBook {
            local: db,
            system: OnceLock::from(fontdb::Database::new()),
            files: Mutex::new(HashMap::new()),
            skipped: folder.skipped,
        }
    }

    /// The font databases in the order they are searched.
    pub(crate) fn databases(&self) -> [&fontdb::Database; 2] {
        let system = self.system.get_or_init(|| {
            let mut db = fontdb::Database::new();
            db.load_system_fonts();
            db
        });
        [&self.local, system]
    }

    /// Family names available, sorted, for error messages and `booklet fonts`.
    pub fn families(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .databases()
            .into_iter()
            .flat_map(|db| db.faces())
            .flat_map(|f| f.families.iter().map(|(n, _)| n.clone()))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Finds `family` (or the default) for `script`, regular or bold.
    /// `Noto Serif CJK` resolves to `Noto Serif CJK SC` or `… TC`.
    pub fn resolve(
        &self,
        family: Option<&str>,
        bold: bool,
        script: Script,
    ) -> Result<Face, Diagnostic> {
        let family = family.unwrap_or(DEFAULT_FAMILY);
        let suffix = match script {
            Script::Hans => "SC",
            Script::Hant => "TC",
        };
        let weight = if bold {
            fontdb::Weight::BOLD
        } else {
            fontdb::Weight::NORMAL
        };
        let with_script = format!("{family} {suffix}");
        let find = |db: &fontdb::Database| {
            [with_script.as_str(), family].into_iter().find_map(|name| {
                db.query(&fontdb::Query {
                    families: &[fontdb::Family::Name(name)],
                    weight,
                    ..Default::default()
                })
            })
        };
        let (db, id) = find(&self.local)
            .map(|id| (&self.local, id))
            .or_else(|| {
                let system = self.databases()[1];
                find(system).map(|id| (system, id))
            })
            .ok_or_else(|| {
                Diagnostic::error(format!("font family `{family}` not found"))
                    .with_hint(names::hint(family, &self.families()))
            })?;
        let info = db
            .face(id)
            .ok_or_else(|| Diagnostic::error(format!("font family `{family}` vanished")))?;
        let path = source_path(&info.source).unwrap_or_else(|| PathBuf::from("<memory>"));
        let data = self.read(&path)?;
        let face = Face {
            family: info
                .families
                .first()
                .map(|(n, _)| n.clone())
                .unwrap_or_else(|| family.to_string()),
            post_script_name: info.post_script_name.clone(),
            path,
            index: info.index,
            bold: info.weight.0 >= 600,
            data,
        };
        if face.parse().is_none() {
            return Err(Diagnostic::error(format!(
                "cannot parse font face {} of `{}`",
                face.index,
                face.path.display()
            )));
        }
        Ok(face)
    }

    fn read(&self, path: &Path) -> Result<Arc<FontBytes>, Diagnostic> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(d) = files.get(path) {
            return Ok(d.clone());
        }
        if let Ok(name) = path.strip_prefix(BUILT_IN_DIR) {
            if let Some((_, bytes)) = built_in().iter().find(|(n, _)| Path::new(n) == name) {
                let data = Arc::new(FontBytes::from(Bytes::Static(bytes)));
                files.insert(path.to_path_buf(), data.clone());
                return Ok(data);
            }
        }
        let unreadable = |e: std::io::Error| {
            Diagnostic::error(format!("cannot read font file: {e}")).in_file(path)
        };
        let file = crate::input::open(path)
            .and_then(|f| {
                crate::input::regular(&f.metadata()?)?;
                Ok(f)
            })
            .map_err(|e| Diagnostic::error(format!("cannot read font file: {e}")).in_file(path))?;
        // SAFETY: the map is read-only. A font file truncated by another
        // program while we build could fault; fonts are not edited mid-build,
        // and fontdb maps the same files the same way.
        let bytes = match unsafe { memmap2::Mmap::map(&file) } {
            Ok(map) => Bytes::Mapped(map),
            Err(_) => Bytes::Owned(std::fs::read(path).map_err(unreadable)?),
        };
        let data = Arc::new(FontBytes::from(bytes));
        files.insert(path.to_path_buf(), data.clone());
        Ok(data)
    }

    /// The first installed face (project, configured, shipped, then system
    /// fonts) with a glyph for `c`, of regular weight and upright where one
    /// is: the last resort of character fallback. Its bold is
    /// [`FontBook::bold_of`].
    pub fn face_covering(&self, c: char) -> Option<Face> {
        // A light, bold or slanted face found first would set every
        // weight of the text in it.
        fn find(db: &fontdb::Database, c: char) -> Option<&fontdb::FaceInfo> {
            let mut first = None;
            for info in db.faces() {
                let covers = db
                    .with_face_data(info.id, |data, index| {
                        parse_face(data, index)
                            .and_then(|f| f.glyph_index(c))
                            .is_some_and(|g| g.0 != 0)
                    })
                    .unwrap_or(false);
                if !covers {
                    continue;
                }
                let regular = (350..=500).contains(&info.weight.0)
                    && info.style == fontdb::Style::Normal
                    && info.stretch == fontdb::Stretch::Normal;
                if regular {
                    return Some(info);
                }
                first.get_or_insert(info);
            }
            first
        }
        let info = find(&self.local, c).or_else(|| find(self.databases()[1], c))?;
        self.face_of(info)
    }

    /// The bold face of `face`'s family, where it has one (a family's
    /// bold is found where its regular face was: project, configured and
    /// shipped fonts, then the system's).
    pub fn bold_of(&self, face: &Face) -> Option<Face> {
        if face.bold {
            return None;
        }
        let query = fontdb::Query {
            families: &[fontdb::Family::Name(&face.family)],
            weight: fontdb::Weight::BOLD,
            ..Default::default()
        };
        self.databases().into_iter().find_map(|db| {
            let info = db.face(db.query(&query)?)?;
            let family = info.families.iter().any(|(n, _)| *n == face.family);
            (family && info.weight.0 >= 600 && info.style == fontdb::Style::Normal)
                .then(|| self.face_of(info))
                .flatten()
        })
    }

    fn face_of(&self, info: &fontdb::FaceInfo) -> Option<Face> {
        let path = source_path(&info.source)?;
        Some(Face {
            family: info.families.first().map(|(n, _)| n.clone())?,
            post_script_name: info.post_script_name.clone(),
            data: self.read(&path).ok()?,
            path,
            index: info.index,
            bold: info.weight.0 >= 600,
        })
    }
}

/// Loads font folders into a database as fontdb would (recursively, each
/// file once), but looks at every file first: fontdb trusts a collection's
/// face count, and a 28-byte file claiming four billion faces keeps it
/// busy for a minute.
struct FontFolder {
    /// Canonical paths loaded: a folder reached twice (a link) is skipped.
    seen: HashSet<PathBuf>,
    skipped: Vec<Diagnostic>,
}

/// More faces than any real collection holds (Noto CJK's hold ten).
const MAX_FACES: u32 = 256;

impl FontFolder {
    fn load(&mut self, db: &mut fontdb::Database, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let Ok(canonical) = std::fs::canonicalize(&path) else {
                continue;
            };
            if !self.seen.insert(canonical.clone()) {
                continue;
            }
            if canonical.is_dir() {
                self.load(db, &canonical);
                continue;
            }
            let is_font = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                ["ttf", "ttc", "otf", "otc"].contains(&e.to_ascii_lowercase().as_str())
            });
            if !is_font {
                continue;
            }
            let before = db.len();
            match font_file_problem(&canonical) {
                Some(problem) => self.skip(&path, problem),
                None => {
                    if let Err(e) = db.load_font_file(&canonical) {
                        self.skip(&path, e.to_string());
                    } else if db.len() == before {
                        self.skip(&path, "no face in it could be read".into());
                    }
                }
            }
        }
    }

    fn skip(&mut self, path: &Path, problem: String) {
        self.skipped
            .push(Diagnostic::warning(format!("font file skipped: {problem}")).in_file(path));
    }
}

/// Why a font file must not reach fontdb, if it must not: it is not a
/// regular file, or is a collection whose face count its size cannot hold.
fn font_file_problem(path: &Path) -> Option<String> {
    let checked = crate::input::open(path).and_then(|mut f| {
        crate::input::regular(&f.metadata()?)?;
        let mut head = [0u8; 12];
        let len = f.metadata()?.len();
        use std::io::Read;
        let read = f.read(&mut head)?;
        Ok((head, read, len))
    });
    let (head, read, len) = match checked {
        Ok(x) => x,
        Err(e) => return Some(e.to_string()),
    };
    collection_problem(&head[..read], len)
}

/// Why a font file that starts with `head` and is `len` bytes long must
/// not reach fontdb: a collection whose face count its size cannot hold.
pub fn collection_problem(head: &[u8], len: u64) -> Option<String> {
    if !head.starts_with(b"ttcf") {
        return None;
    }
    if head.len() < 12 {
        return Some("a font collection cut short".into());
    }
    let faces = u32::from_be_bytes([head[8], head[9], head[10], head[11]]);
    if faces == 0 || faces > MAX_FACES || 12 + 4 * u64::from(faces) > len {
        return Some(format!(
            "a font collection claiming {faces} faces in {len} bytes"
        ));
    }
    None
}

/// The faces a book is set in: regular and bold per script in use, and the
/// configured fallbacks.
#[derive(Debug, Clone)]
pub struct Faces {
    pub regular: BTreeMap<Script, Face>,
    /// Missing where the heading family has no bold face.
    pub bold: BTreeMap<Script, Face>,
    pub fallback: Vec<Face>,
    /// The faces of block quotes per script: the style's `[quote]
    /// family`; none where it is not found (see [`resolve_quote_faces`]).
    pub quote: BTreeMap<Script, Face>,
    /// The monospace faces of code, regular and bold; none when the code
    /// family is not found (code is then set in the body faces).
    pub mono: Option<Face>,
    pub mono_bold: Option<Face>,
}

/// Resolves the manifest's families for every script the book uses,
/// reporting each problem against the manifest line that caused it.
/// (Characters no font covers: [`coverage::report_uncovered`].)
pub fn resolve_faces(
    manifest: &Manifest,
    book: &Book,
    fonts: &FontBook,
    diags: &mut Diagnostics,
) -> Option<Faces> {
    for dir in &manifest.fonts.dirs {
        if !manifest.resolve(dir).is_dir() {
            let shown = dir.to_string_lossy();
            diags.push(manifest.error_at(
                "dirs",
                &shown,
                format!("font folder `{shown}` not found"),
            ));
        }
    }
    let scripts: BTreeSet<Script> = std::iter::once(book.meta.lang.script())
        .chain(book.articles.iter().map(|a| a.lang.script()))
        .collect();
    let body = manifest.fonts.body.as_deref();
    let heading = manifest.fonts.heading.as_deref().or(body);
    let mut faces = Faces {
        regular: BTreeMap::new(),
        bold: BTreeMap::new(),
        fallback: Vec::new(),
        quote: BTreeMap::new(),
        mono: None,
        mono_bold: None,
    };
    let mut failed = Diagnostics::default();
    let mut locate = |key: &str, family: Option<&str>, d: Diagnostic| {
        let mut located = manifest.error_at(key, family.unwrap_or(DEFAULT_FAMILY), d.message);
        located.hint = d.hint;
        failed.push(located);
    };
    for &script in &scripts {
        match fonts.resolve(body, false, script) {
            Ok(f) => {
                faces.regular.insert(script, f);
            }
            Err(d) => locate("body", body, d),
        }
        match fonts.resolve(heading, true, script) {
            Ok(f) if f.bold => {
                faces.bold.insert(script, f);
            }
            Ok(f) => diags.push(Diagnostic::warning(format!(
                "`{}` has no bold face; headings use the regular face",
                f.family
            ))),
            // An unset heading family is the body family: one error is enough.
            Err(d) if manifest.fonts.heading.is_none() => locate("body", heading, d),
            Err(d) => locate("heading", heading, d),
        }
    }
    for family in &manifest.fonts.fallback {
        match fonts.resolve(Some(family), false, book.meta.lang.script()) {
            Ok(f) => faces.fallback.push(f),
            Err(d) => locate("fallback", Some(family), d),
        }
    }
    let script = book.meta.lang.script();
    faces.mono = fonts.resolve(Some(CODE_FAMILY), false, script).ok();
    faces.mono_bold = fonts
        .resolve(Some(CODE_FAMILY), true, script)
        .ok()
        .filter(|f| f.bold);
    if failed.has_errors() {
        diags.extend(failed);
        return None;
    }
    Some(faces)
}

/// The faces block quotes are set in: the style's `[quote] family` for
/// every script the book uses. A family that is not found is a warning, not
/// an error (quotes are then set in the body face, smaller), and so is one
/// that lacks most of the quotes' characters (a Kai face of Simplified
/// characters for a Traditional article, say): quotes in that script take
/// the body face rather than a patchwork of two.
pub fn resolve_quote_faces(
    quote: &crate::style::QuoteStyle,
    book: &Book,
    fonts: &FontBook,
    diags: &mut Diagnostics,
) -> BTreeMap<Script, Face> {
    let mut faces = BTreeMap::new();
    let family = quote.family.trim();
    if family.is_empty() {
        return faces;
    }
    let mut text: BTreeMap<Script, Vec<char>> = BTreeMap::new();
    for article in &book.articles {
        let chars = text.entry(article.lang.script()).or_default();
        crate::model::visit_quotes(article, &mut |t| {
            chars.extend(t.chars().filter(|c| crate::cjk::is_wide(*c)))
        });
    }
    let fallback = format!(
        "block quotes are set in the body face at {} of its size",
        quote.fallback_scale
    );
    for (script, chars) in text {
        if chars.is_empty() {
            continue;
        }
        let face = match fonts.resolve(Some(family), false, script) {
            Ok(face) => face,
            Err(d) => {
                diags.push(
                    Diagnostic::warning(format!("quote font `{family}` not found: {fallback}"))
                        .with_hint(format!(
                            "name an installed family under [quote] family in the style, or \"\" for the body face{}",
                            d.hint.map(|h| format!("; {h}")).unwrap_or_default()
                        )),
                );
                return BTreeMap::new();
            }
        };
        let lacking = chars.iter().filter(|&&c| !face.covers(c)).count();
        // A few rare characters may come from the body face; more would
        // set the quotes in two faces.
        if lacking * 20 > chars.len() {
            diags.push(
                Diagnostic::warning(format!(
                    "quote font `{family}` lacks {lacking} of the {} characters of the {} quotes: {fallback}",
                    chars.len(),
                    match script {
                        Script::Hans => "Simplified",
                        Script::Hant => "Traditional",
                    }
                ))
                .with_hint("name a family under [quote] family in the style that covers them"),
            );
            continue;
        }
        faces.insert(script, face);
    }
    faces
}

impl Faces {
    /// The faces every character is first looked for in: the body faces
    /// and the configured fallbacks.
    pub fn primary(&self) -> Vec<Face> {
        self.regular
            .values()
            .chain(&self.fallback)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_of_one_length_but_other_contents_have_other_ids() {
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/NotoSerifCJK-Regular.ttc");
        let font = std::fs::read(shipped).unwrap();
        let id = fingerprint(&font);
        let be32 = |at: usize| u32::from_be_bytes(font[at..at + 4].try_into().unwrap()) as usize;
        let face = be32(12);
        let records = face + 12;
        // Another checksum in the table directory: what a font tool writes
        // when it changes a table.
        let mut other = font.clone();
        other[records + 4] ^= 1;
        assert_ne!(fingerprint(&other), id);
        // A change inside a small table (`head` and its kind).
        let tables = usize::from(u16::from_be_bytes([font[face + 4], font[face + 5]]));
        let small = (0..tables)
            .map(|i| records + 16 * i)
            .find(|&r| be32(r + 12) < 1024)
            .expect("a small table");
        let mut other = font.clone();
        other[be32(small + 8)] ^= 1;
        assert_eq!(other.len(), font.len());
        assert_ne!(fingerprint(&other), id);
        // Not a font at all: hashed whole, so any change counts.
        let junk = vec![7u8; 100];
        let mut changed = junk.clone();
        changed[99] = 8;
        assert_ne!(fingerprint(&junk), fingerprint(&changed));
    }
}
