//! Outputs replaced atomically: each file is staged under a temporary name
//! beside its target (written and synced as soon as its back end is done,
//! while the other still works), then all are renamed into place together,
//! and only when the whole build succeeded. A failed or interrupted build
//! leaves yesterday's files; its temporaries are removed, now or by the
//! next build.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diag::Diagnostic;

pub struct Staging {
    /// (temporary, target) of each staged file.
    staged: Mutex<Vec<(PathBuf, PathBuf)>>,
}

impl Staging {
    /// Prepares `dir` for `targets`: creates it and removes temporaries a
    /// killed build left.
    pub fn open(dir: &Path, targets: &[PathBuf]) -> Result<Staging, Diagnostic> {
        std::fs::create_dir_all(dir).map_err(|e| {
            Diagnostic::error(format!("cannot create the output folder: {e}")).in_file(dir)
        })?;
        remove_stale_temps(dir, targets);
        Ok(Staging {
            staged: Mutex::new(Vec::new()),
        })
    }

    /// Writes `bytes` for `target` under its temporary name.
    pub fn stage(&self, target: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
        let tmp = temp_path(target);
        if let Err(e) = write_synced(&tmp, bytes) {
            let _ = std::fs::remove_file(&tmp);
            return Err(Diagnostic::error(format!("cannot write the output: {e}")).in_file(target));
        }
        self.lock().push((tmp, target.to_path_buf()));
        Ok(())
    }

    /// Renames every staged file into place.
    pub fn commit(self) -> Result<(), Diagnostic> {
        let staged = std::mem::take(&mut *self.lock());
        let mut result = Ok(());
        for (tmp, target) in staged {
            if result.is_err() {
                let _ = std::fs::remove_file(&tmp);
                continue;
            }
            if let Err(e) = std::fs::rename(&tmp, &target) {
                let _ = std::fs::remove_file(&tmp);
                result =
                    Err(Diagnostic::error(format!("cannot replace the output: {e}"))
                        .in_file(&target));
            }
        }
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(PathBuf, PathBuf)>> {
        self.staged.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Staging {
    /// Files staged but never committed (the build failed) are removed.
    fn drop(&mut self) {
        for (tmp, _) in self.lock().drain(..) {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Temporary files left by a build that was killed mid-write.
fn remove_stale_temps(dir: &Path, targets: &[PathBuf]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefixes: Vec<String> = targets
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| format!(".{}.", n.to_string_lossy()))
        .collect();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".tmp") && prefixes.iter().any(|p| name.starts_with(p)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Written and on the disk before it replaces anything: the data, not the
/// file's times, is what must survive a crash.
fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_data()
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}
