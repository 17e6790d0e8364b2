//! Font resolution: families named in the manifest (or the shipped Noto
//! Serif CJK) found through fontdb in a fixed order: `fonts/` beside the
//! manifest, configured folders, the shipped fonts, then system fonts. The
//! face follows the language: SC for Simplified, TC for Traditional.

pub mod subset;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diag::Diagnostic;
use crate::lang::Script;
use crate::manifest::Manifest;

/// The family shipped in `fonts/`.
pub const DEFAULT_FAMILY: &str = "Noto Serif CJK";

/// One face of a font file, with the file's bytes.
#[derive(Clone)]
pub struct Face {
    pub family: String,
    pub post_script_name: String,
    pub path: PathBuf,
    pub index: u32,
    pub bold: bool,
    pub data: Arc<Vec<u8>>,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Face({} #{} in {})", self.family, self.index, self.path.display())
    }
}

impl Face {
    pub fn parse(&self) -> Option<ttf_parser::Face<'_>> {
        ttf_parser::Face::parse(&self.data, self.index).ok()
    }

    /// Whether the face has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.parse()
            .and_then(|f| f.glyph_index(c))
            .is_some_and(|g| g.0 != 0)
    }
}

/// The folder holding the shipped fonts: `BOOKLET_FONTS`, else the
/// checkout this binary was built from, else `fonts/` beside the executable.
pub fn shipped_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("BOOKLET_FONTS") {
        return PathBuf::from(dir);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
    if built.is_dir() {
        return built;
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|p| p.join("fonts")))
        .unwrap_or(built)
}

/// Every font the build may use, indexed once.
pub struct FontBook {
    db: fontdb::Database,
    /// File bytes, read once per path.
    files: Mutex<HashMap<PathBuf, Arc<Vec<u8>>>>,
}

impl FontBook {
    pub fn load(manifest: &Manifest) -> FontBook {
        let mut db = fontdb::Database::new();
        let project = manifest.root.join("fonts");
        if project.is_dir() {
            db.load_fonts_dir(&project);
        }
        for dir in &manifest.fonts.dirs {
            db.load_fonts_dir(manifest.resolve(dir));
        }
        let shipped = shipped_dir();
        if shipped != project && shipped.is_dir() {
            db.load_fonts_dir(&shipped);
        }
        db.load_system_fonts();
        FontBook {
            db,
            files: Mutex::new(HashMap::new()),
        }
    }

    /// Family names available, sorted, for error messages and `booklet fonts`.
    pub fn families(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .db
            .faces()
            .flat_map(|f| f.families.iter().map(|(n, _)| n.clone()))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Finds `family` (or the default) for `script`, regular or bold.
    /// `Noto Serif CJK` resolves to `Noto Serif CJK SC` or `… TC`.
    pub fn resolve(&self, family: Option<&str>, bold: bool, script: Script) -> Result<Face, Diagnostic> {
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
        let id = [with_script.as_str(), family]
            .into_iter()
            .find_map(|name| {
                self.db.query(&fontdb::Query {
                    families: &[fontdb::Family::Name(name)],
                    weight,
                    ..Default::default()
                })
            })
            .ok_or_else(|| {
                let available = self.families();
                let cjk: Vec<&String> = available
                    .iter()
                    .filter(|n| n.contains("CJK") || n.contains("Song") || n.contains("Kai") || n.contains("Hei") || n.contains("Ming"))
                    .collect();
                let list = if cjk.is_empty() { available.iter().take(30).collect() } else { cjk };
                Diagnostic::error(format!("font family `{family}` not found"))
                    .with_hint(format!(
                        "available families include: {}",
                        list.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    ))
            })?;
        let info = self
            .db
            .face(id)
            .ok_or_else(|| Diagnostic::error(format!("font family `{family}` vanished")))?;
        let path = match &info.source {
            fontdb::Source::File(p) | fontdb::Source::SharedFile(p, _) => p.clone(),
            fontdb::Source::Binary(_) => PathBuf::from("<memory>"),
        };
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

    fn read(&self, path: &Path) -> Result<Arc<Vec<u8>>, Diagnostic> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(d) = files.get(path) {
            return Ok(d.clone());
        }
        let data = std::fs::read(path)
            .map(Arc::new)
            .map_err(|e| Diagnostic::error(format!("cannot read font file: {e}")).in_file(path))?;
        files.insert(path.to_path_buf(), data.clone());
        Ok(data)
    }
}
