//! `import --add`: the imported files listed in the manifest as
//! `[[article]]` entries after the existing ones, the rest of the file (its
//! comments, order and layout) left as the user wrote it. Paths are written
//! relative to the manifest, as the manifest reads them.

use std::path::{Component, Path, PathBuf};

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

/// The manifest as it will be written, and what is added to it.
#[derive(Debug)]
pub struct Addition {
    path: PathBuf,
    text: String,
    /// `source` of each new entry.
    pub sources: Vec<String>,
}

impl Addition {
    /// Plans entries for `files` (those already listed are skipped).
    /// Fails, naming the manifest, when it cannot be read or edited.
    pub fn plan(manifest: &Path, files: &[PathBuf]) -> Result<Addition, String> {
        let name = manifest.display();
        let text = crate::input::read(manifest, crate::input::Kind::Manifest)
            .map_err(|e| e.to_string())
            .and_then(|b| String::from_utf8(b).map_err(|_| "it is not UTF-8 text".to_string()))
            .map_err(|e| format!("{name}: cannot read the manifest to add the articles to: {e}"))?;
        let mut doc: DocumentMut = text
            .parse()
            .map_err(|e| format!("{name}: not valid TOML, so nothing was added: {e}"))?;
        let root = manifest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let articles = doc
            .entry("article")
            .or_insert(Item::ArrayOfTables(ArrayOfTables::new()))
            .as_array_of_tables_mut()
            .ok_or_else(|| format!("{name}: `article` is not a list of [[article]] tables"))?;
        let listed: Vec<PathBuf> = articles
            .iter()
            .filter_map(|t| t.get("source")?.as_str().map(|s| normal(&root.join(s))))
            .collect();
        let mut sources = Vec::new();
        for file in files {
            if listed.contains(&normal(file)) {
                continue;
            }
            let source = relative(file, root);
            let mut table = Table::new();
            table.insert("source", toml_edit::value(source.clone()));
            articles.push(table);
            sources.push(source);
        }
        Ok(Addition {
            path: manifest.to_path_buf(),
            text: doc.to_string(),
            sources,
        })
    }

    /// Replaces the manifest (through a temporary file, so that it is
    /// never left half-written).
    pub fn write(&self) -> Result<(), String> {
        if self.sources.is_empty() {
            return Ok(());
        }
        crate::output::write_atomic(&self.path, self.text.as_bytes())
            .map_err(|e| format!("{}: cannot update the manifest: {e}", self.path.display()))
    }
}

/// `path` as written from `base` (both taken from the current folder),
/// with `/` separators; absolute when they share no root.
fn relative(path: &Path, base: &Path) -> String {
    let path = normal(path);
    let base = normal(base);
    let common = path
        .components()
        .zip(base.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return path.to_string_lossy().into_owned();
    }
    let ups = base.components().count() - common;
    let parts: Vec<String> = std::iter::repeat_n("..".to_string(), ups)
        .chain(
            path.components()
                .skip(common)
                .map(|c| c.as_os_str().to_string_lossy().into_owned()),
        )
        .collect();
    parts.join("/")
}

/// Absolute, with `.` and `..` resolved by name (the files may not exist yet).
fn normal(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("a/sources/01.md"), Path::new("a")),
            "sources/01.md"
        );
        assert_eq!(
            relative(Path::new("sources/01.md"), Path::new(".")),
            "sources/01.md"
        );
        assert_eq!(
            relative(Path::new("x/01.md"), Path::new("a/b")),
            "../../x/01.md"
        );
        assert_eq!(
            relative(Path::new("a/./s/../t/01.md"), Path::new("a")),
            "t/01.md"
        );
    }

    #[test]
    fn entries_go_after_the_existing_ones_and_comments_stay() {
        let dir = std::env::temp_dir().join(format!("booklet-add-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = dir.join("booklet.toml");
        let before = "# my booklet\n[book]\ntitle = \"书\"   # the title\n\n\
                      # reading order\n[[article]]\nsource = \"sources/01.md\"\n";
        std::fs::write(&manifest, before).unwrap();
        let files = [dir.join("sources/01.md"), dir.join("sources/02.md")];
        let addition = Addition::plan(&manifest, &files).unwrap();
        assert_eq!(addition.sources, ["sources/02.md"]);
        addition.write().unwrap();
        let after = std::fs::read_to_string(&manifest).unwrap();
        assert!(after.starts_with(before), "{after}");
        assert!(
            after.ends_with("\n[[article]]\nsource = \"sources/02.md\"\n"),
            "{after}"
        );
        let parsed = crate::manifest::Manifest::parse(&after, &manifest).unwrap();
        assert_eq!(parsed.articles.len(), 2);

        std::fs::write(&manifest, "article = 3\n[book]\ntitle = \"x\"\n").unwrap();
        assert!(Addition::plan(&manifest, &files).is_err());
        std::fs::write(&manifest, "[book\n").unwrap();
        let err = Addition::plan(&manifest, &files).unwrap_err();
        assert!(err.contains("booklet.toml"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
