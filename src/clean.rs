//! `booklet clean`: removes what builds leave in the output folder (the
//! EPUB, the PDF, the edition record, the cache, temporaries of killed
//! builds) and nothing else. The folder itself goes only when that leaves
//! it empty, so files a user keeps there survive.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics};
use crate::manifest::Manifest;

/// Removes the outputs of the booklet of `manifest_path` from `out_dir`
/// (default: the manifest's). Returns what was removed.
pub fn clean(manifest_path: &Path, out_dir: Option<&Path>) -> Result<Vec<PathBuf>, Diagnostics> {
    let manifest = Manifest::load(manifest_path)?;
    let dir = out_dir.map_or_else(|| manifest.output_dir(), Path::to_path_buf);
    // Every edition's files (the manifest itself when it has none).
    let editions = crate::editions::resolve(&manifest, None).map_err(Diagnostics::from)?;
    let mut outputs = Vec::new();
    let mut targets = Vec::new();
    for edition in &editions {
        let stem = edition.manifest.output_stem();
        let pdf = dir.join(format!("{stem}.pdf"));
        outputs.extend([
            crate::epub::output_path(&dir, &stem),
            crate::impose::output_path(&pdf),
            dir.join(format!("{stem}-review.txt")),
            pdf,
            crate::edition::path(&dir, edition.name.as_deref()),
        ]);
        targets.extend([
            format!("{stem}.epub"),
            format!("{stem}.pdf"),
            format!("{stem}-imposed.pdf"),
            format!("{stem}-review.txt"),
        ]);
    }
    // Not while a build writes there.
    let lock = if dir.is_dir() {
        Some(crate::output::FolderLock::take(&dir, &|_| {}).map_err(Diagnostics::from)?)
    } else {
        None
    };
    let mut removed = Vec::new();
    let mut diags = Diagnostics::default();
    let mut remove = |path: PathBuf, result: std::io::Result<()>| match result {
        Ok(()) => removed.push(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => diags.push(Diagnostic::error(format!("cannot remove: {e}")).in_file(&path)),
    };
    for path in outputs {
        let result = std::fs::remove_file(&path);
        remove(path, result);
    }
    let cache = crate::cache::Cache::folder(&dir);
    if cache.is_dir() {
        let result = std::fs::remove_dir_all(&cache);
        remove(cache, result);
    }
    // Staged files of a build that was killed: `.booklet.pdf.1234.tmp`.
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == crate::output::JOURNAL
            || targets.iter().any(|t| crate::output::is_leftover(&name, t))
        {
            let result = std::fs::remove_file(entry.path());
            remove(entry.path(), result);
        }
    }
    if let Some(lock) = lock {
        lock.remove();
    }
    // Only an empty folder: remove_dir refuses anything else.
    if !removed.is_empty() && std::fs::remove_dir(&dir).is_ok() {
        removed.push(dir);
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(removed)
}
