//! Outputs replaced together, by one build at a time.
//!
//! A build takes the output folder's lock file first: a second build into
//! the same folder (`watch` and a manual `build`) waits for it rather than
//! meddling with its files. Each output is staged under a temporary name
//! beside its target (written and synced as soon as its back end is done,
//! while the other still works); when the whole build succeeded they are
//! renamed into place, each previous file kept as a backup until every
//! rename went through, so that a failed rename puts the previous files
//! back: the user sees the old pair or the new pair, never a mix. A journal
//! in the folder names the files being replaced while the renames run: a
//! build killed among them leaves it, and the next build puts the previous
//! files back before anything else. A failed or interrupted build leaves
//! yesterday's files; its temporaries are removed, now or, under the lock,
//! by the next build.
//!
//! [`write_atomic`] is the same discipline for a single file (imported
//! sources, the edition record).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::diag::Diagnostic;

/// The lock file every build into a folder holds while it runs.
pub const LOCK_FILE: &str = ".booklet.lock";

/// The journal of the renames under way (see the module's comment).
pub const JOURNAL: &str = ".booklet.replacing";

/// How long a build waits for the lock quietly before saying why it waits.
const PATIENCE: Duration = Duration::from_millis(300);

pub struct Staging {
    dir: PathBuf,
    /// Targets in the order they are replaced.
    targets: Vec<PathBuf>,
    /// (temporary, target) of each staged file.
    staged: Mutex<Vec<(PathBuf, PathBuf)>>,
    /// Held until the build is over (dropped with the staging).
    _lock: FolderLock,
}

impl Staging {
    /// Prepares `dir` for `targets`: creates it, takes its lock (calling
    /// `waiting` once if another build holds it for more than a moment),
    /// and removes what killed builds left.
    pub fn open(
        dir: &Path,
        targets: &[PathBuf],
        waiting: &dyn Fn(&Path),
    ) -> Result<Staging, Diagnostic> {
        std::fs::create_dir_all(dir).map_err(|e| {
            Diagnostic::error(format!("cannot create the output folder: {e}")).in_file(dir)
        })?;
        let lock = FolderLock::take(dir, waiting)?;
        roll_back_killed(dir);
        remove_leftovers(dir, targets);
        Ok(Staging {
            dir: dir.to_path_buf(),
            targets: targets.to_vec(),
            staged: Mutex::new(Vec::new()),
            _lock: lock,
        })
    }

    /// Writes `bytes` for `target` under its temporary name.
    pub fn stage(&self, target: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
        let tmp = sibling(target, "tmp");
        if let Err(e) = write_synced(&tmp, bytes) {
            let _ = std::fs::remove_file(&tmp);
            return Err(Diagnostic::error(format!("cannot write the output: {e}")).in_file(target));
        }
        self.lock().push((tmp, target.to_path_buf()));
        Ok(())
    }

    /// Renames every staged file into place, all or none: when one rename
    /// fails, the files already replaced get their previous contents back.
    /// The folder stays locked until the staging is dropped.
    pub fn commit(&self) -> Result<(), Diagnostic> {
        // Still listed while the renames run: a panic among them leaves
        // the temporaries to the drop.
        let mut staged = self.lock().clone();
        staged.sort_by_key(|(_, target)| self.targets.iter().position(|t| t == target));
        let result = replace_all(&self.dir, &staged);
        for (tmp, _) in self.lock().drain(..) {
            let _ = std::fs::remove_file(tmp);
        }
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(PathBuf, PathBuf)>> {
        self.staged.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Staging {
    /// Files staged but never committed (the build failed) are removed; a
    /// commit cut short by a panic is rolled back.
    fn drop(&mut self) {
        for (tmp, _) in self.lock().drain(..) {
            let _ = std::fs::remove_file(tmp);
        }
        roll_back_killed(&self.dir);
    }
}

/// An output folder's lock, held while the value lives.
pub struct FolderLock {
    _file: File,
    path: PathBuf,
}

impl FolderLock {
    /// Takes `dir`'s lock file, waiting for the build that holds it.
    pub fn take(dir: &Path, waiting: &dyn Fn(&Path)) -> Result<FolderLock, Diagnostic> {
        let path = dir.join(LOCK_FILE);
        let file = lock_file(&path, dir, waiting)?;
        Ok(FolderLock { _file: file, path })
    }

    /// Removes the lock file and releases the lock (`booklet clean`).
    pub fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn lock_file(path: &Path, dir: &Path, waiting: &dyn Fn(&Path)) -> Result<File, Diagnostic> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| {
            Diagnostic::error(format!("cannot create the lock file: {e}")).in_file(path)
        })?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < PATIENCE => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                waiting(dir);
                return file.lock().map(|()| file).map_err(|e| {
                    Diagnostic::error(format!("cannot lock the output folder: {e}")).in_file(path)
                });
            }
            // A file system without locks: build unguarded, as before locks.
            Err(std::fs::TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
                return Ok(file)
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(
                    Diagnostic::error(format!("cannot lock the output folder: {e}")).in_file(path),
                )
            }
        }
    }
}

/// Renames each (temporary, target) in `dir`, keeping each previous
/// target as a backup until all went through; on failure puts the backups
/// back. The journal lists the backups while the renames run.
fn replace_all(dir: &Path, staged: &[(PathBuf, PathBuf)]) -> Result<(), Diagnostic> {
    let mut backups: Vec<Option<PathBuf>> = Vec::new();
    let mut failure = None;
    for (_, target) in staged {
        match back_up(target) {
            Ok(b) => backups.push(b),
            Err(e) => {
                failure = Some(
                    Diagnostic::error(format!("cannot keep the previous output aside: {e}"))
                        .in_file(target),
                );
                break;
            }
        }
    }
    let journal = dir.join(JOURNAL);
    if failure.is_none() {
        let entries: Vec<(&Path, Option<&Path>)> = staged
            .iter()
            .zip(&backups)
            .map(|((_, target), backup)| (target.as_path(), backup.as_deref()))
            .collect();
        if let Err(e) = write_atomic(&journal, journal_text(&entries).as_bytes()) {
            failure = Some(
                Diagnostic::error(format!("cannot write the output journal: {e}"))
                    .in_file(&journal),
            );
        }
    }
    // (target, its backup if it existed) of each file already replaced.
    let mut replaced: Vec<(&Path, &Option<PathBuf>)> = Vec::new();
    if failure.is_none() {
        for ((tmp, target), backup) in staged.iter().zip(&backups) {
            if let Err(e) = std::fs::rename(tmp, target) {
                failure = Some(
                    Diagnostic::error(format!("cannot replace the output: {e}")).in_file(target),
                );
                break;
            }
            replaced.push((target, backup));
            crate::crash::test_point("between-renames");
        }
    }
    let Some(mut failure) = failure else {
        let _ = std::fs::remove_file(&journal);
        for b in backups.iter().flatten() {
            let _ = std::fs::remove_file(b);
        }
        return Ok(());
    };
    let mut unrestored = Vec::new();
    for (target, backup) in replaced.into_iter().rev() {
        let restored = match backup {
            Some(b) => std::fs::rename(b, target),
            // There was none before this build: none after it either.
            None => std::fs::remove_file(target),
        };
        if restored.is_err() {
            unrestored.push(match backup {
                Some(b) => format!("{} is kept as {}", target.display(), b.display()),
                None => format!("{} is new", target.display()),
            });
        }
    }
    if unrestored.is_empty() {
        let _ = std::fs::remove_file(&journal);
        for b in backups.iter().flatten() {
            let _ = std::fs::remove_file(b);
        }
        failure = failure.with_hint("the previous outputs are unchanged");
    } else {
        failure = failure.with_hint(format!(
            "the previous outputs could not all be put back: {}",
            unrestored.join("; ")
        ));
    }
    Err(failure)
}

/// The journal's lines: `kept<TAB>target<TAB>backup` for a target that had
/// a file before (now its backup), `new<TAB>target` for one that had none.
/// File names only: all live in the journal's folder.
fn journal_text(entries: &[(&Path, Option<&Path>)]) -> String {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut text = String::new();
    for (target, backup) in entries {
        match backup {
            Some(b) => text.push_str(&format!("kept\t{}\t{}\n", name(target), name(b))),
            None => text.push_str(&format!("new\t{}\n", name(target))),
        }
    }
    text
}

/// What [`Staging::open`] does first, for a build that may fail before it
/// gets there: puts back the outputs a build killed among its renames
/// mixed, under the folder's lock.
pub fn recover(dir: &Path) {
    if dir.join(JOURNAL).is_file() {
        if let Ok(_lock) = FolderLock::take(dir, &|_| {}) {
            roll_back_killed(dir);
        }
    }
}

/// Puts back the previous files of a build killed among its renames (its
/// journal is still there): every target gets its backup back, and one
/// that had no file before is removed. Called under the lock.
fn roll_back_killed(dir: &Path) {
    let journal = dir.join(JOURNAL);
    let Ok(text) = std::fs::read_to_string(&journal) else {
        return;
    };
    // Only names of files in this folder, and only backups of their target.
    let plain = |n: &str| !n.is_empty() && !n.contains(['/', '\\']) && n != "." && n != "..";
    let mut targets = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        if let Some(target) = fields.get(1).filter(|t| plain(t)) {
            targets.push(dir.join(target));
        }
        match fields[..] {
            ["kept", target, backup] if plain(target) && is_leftover(backup, target) => {
                let backup = dir.join(backup);
                let target = dir.join(target);
                if backup.is_file() {
                    let _ = std::fs::rename(&backup, &target);
                    // A backup not yet replaced is still a link to its
                    // target, and renaming a file onto itself leaves both.
                    if same_file(&backup, &target) {
                        let _ = std::fs::remove_file(&backup);
                    }
                }
            }
            ["new", target] if plain(target) => {
                let _ = std::fs::remove_file(dir.join(target));
            }
            _ => {}
        }
    }
    remove_leftovers(dir, &targets);
    let _ = std::fs::remove_file(&journal);
}

/// Whether both names are links to one file.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// A second name for `target`'s current file (a hard link, else a copy),
/// or `None` when there is no file to keep. A folder in the way is left
/// alone: the rename onto it fails and nothing is replaced.
fn back_up(target: &Path) -> std::io::Result<Option<PathBuf>> {
    match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
        Ok(meta) if meta.is_dir() => return Ok(None),
        Ok(_) => {}
    }
    let backup = sibling(target, "bak");
    let _ = std::fs::remove_file(&backup);
    if std::fs::hard_link(target, &backup).is_err() {
        std::fs::copy(target, &backup)?;
    }
    Ok(Some(backup))
}

/// Temporaries and backups a killed build left beside `targets`. Called
/// under the lock: no live build has any.
fn remove_leftovers(dir: &Path, targets: &[PathBuf]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let names: Vec<String> = targets
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if names.iter().any(|target| is_leftover(&name, target)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether `name` is a temporary or backup a killed build left beside
/// `target` (a file name).
pub fn is_leftover(name: &str, target: &str) -> bool {
    is_sibling_of(name, target, &["tmp", "bak"])
}

/// Whether `name` is what [`write_atomic`] or [`write_record`] writes
/// before it becomes `target`.
pub fn is_temporary_of(name: &str, target: &str) -> bool {
    is_sibling_of(name, target, &["tmp"])
}

/// Whether `name` is of the form [`sibling`] gives `target`'s file name,
/// with one of `suffixes`.
fn is_sibling_of(name: &str, target: &str, suffixes: &[&str]) -> bool {
    let Some(rest) = name
        .strip_prefix('.')
        .and_then(|n| n.strip_prefix(target))
        .and_then(|n| n.strip_prefix('.'))
    else {
        return false;
    };
    let Some((pid, suffix)) = rest.split_once('.') else {
        return false;
    };
    !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) && suffixes.contains(&suffix)
}

/// A hidden file beside `path`, named after it and this process:
/// `.NAME.PID.SUFFIX`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.{suffix}", std::process::id()))
}

/// Written and on the disk before it replaces anything: the data, not the
/// file's times, is what must survive a crash. (Syncing is also what
/// reports a full disk for certain: a write may succeed into the page
/// cache and fail later.)
fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = File::create(path)?;
    f.write_all(bytes)?;
    f.sync_data()
}

/// Replaces `path` with `bytes` whole or not at all: written beside it under
/// a temporary name, synced, then renamed over it. On failure (a full disk)
/// the previous file is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace(path, |tmp| write_synced(tmp, bytes))
}

/// Like [`write_atomic`] but not synced, for a record booklet keeps for
/// itself: a crash may lose it (which costs nothing), never tear it.
pub fn write_record(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace(path, |tmp| std::fs::write(tmp, bytes))
}

fn replace(path: &Path, write: impl FnOnce(&Path) -> std::io::Result<()>) -> std::io::Result<()> {
    let tmp = sibling(path, "tmp");
    let result = write(&tmp).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("booklet-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != LOCK_FILE)
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_second_rename_puts_the_first_output_back() {
        let dir = scratch("rollback");
        let (epub, pdf) = (dir.join("b.epub"), dir.join("b.pdf"));
        std::fs::write(&epub, "old epub").unwrap();
        // A folder that is not empty cannot be renamed over.
        std::fs::create_dir_all(pdf.join("in-the-way")).unwrap();
        let targets = [epub.clone(), pdf.clone()];
        let staging = Staging::open(&dir, &targets, &|_| {}).unwrap();
        staging.stage(&pdf, b"new pdf").unwrap();
        staging.stage(&epub, b"new epub").unwrap();
        let err = staging.commit().unwrap_err();
        assert!(err.message.contains("cannot replace the output"), "{err}");
        drop(staging);
        assert_eq!(std::fs::read(&epub).unwrap(), b"old epub");
        assert!(pdf.join("in-the-way").is_dir());
        assert_eq!(files_in(&dir), ["b.epub", "b.pdf"]);

        // With no previous EPUB, none is left behind either.
        std::fs::remove_file(&epub).unwrap();
        let staging = Staging::open(&dir, &targets, &|_| {}).unwrap();
        staging.stage(&epub, b"new epub").unwrap();
        staging.stage(&pdf, b"new pdf").unwrap();
        assert!(staging.commit().is_err());
        drop(staging);
        assert_eq!(files_in(&dir), ["b.pdf"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_successful_commit_replaces_both_and_leaves_nothing_else() {
        let dir = scratch("commit");
        let (epub, pdf) = (dir.join("b.epub"), dir.join("b.pdf"));
        std::fs::write(&epub, "old epub").unwrap();
        std::fs::write(&pdf, "old pdf").unwrap();
        // What a killed build left, and a user's file that only looks alike.
        std::fs::write(dir.join(".b.pdf.999999.tmp"), "stale").unwrap();
        std::fs::write(dir.join(".b.epub.999999.bak"), "stale").unwrap();
        std::fs::write(dir.join(".b.pdf.notes.tmp"), "mine").unwrap();
        let targets = [epub.clone(), pdf.clone()];
        let staging = Staging::open(&dir, &targets, &|_| {}).unwrap();
        staging.stage(&epub, b"new epub").unwrap();
        staging.stage(&pdf, b"new pdf").unwrap();
        staging.commit().unwrap();
        drop(staging);
        assert_eq!(std::fs::read(&epub).unwrap(), b"new epub");
        assert_eq!(std::fs::read(&pdf).unwrap(), b"new pdf");
        assert_eq!(files_in(&dir), [".b.pdf.notes.tmp", "b.epub", "b.pdf"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_build_killed_among_its_renames_is_rolled_back_by_the_next() {
        let dir = scratch("killed");
        let (epub, pdf) = (dir.join("b.epub"), dir.join("b.pdf"));
        let pid = 999_999;
        // The killed build: both backups and the journal made, the EPUB
        // replaced, the PDF not yet; it had no review file before.
        let review = dir.join("b-review.txt");
        std::fs::write(&epub, "new epub").unwrap();
        std::fs::write(&pdf, "old pdf").unwrap();
        std::fs::write(&review, "new review").unwrap();
        let (epub_bak, pdf_bak) = (
            dir.join(".b.epub.999999.bak"),
            dir.join(".b.pdf.999999.bak"),
        );
        std::fs::write(&epub_bak, "old epub").unwrap();
        std::fs::write(&pdf_bak, "old pdf").unwrap();
        std::fs::write(dir.join(format!(".b.pdf.{pid}.tmp")), "new pdf").unwrap();
        let journal = journal_text(&[
            (&epub, Some(&epub_bak)),
            (&pdf, Some(&pdf_bak)),
            (&review, None),
        ]);
        std::fs::write(dir.join(JOURNAL), journal).unwrap();
        let targets = [epub.clone(), pdf.clone(), review.clone()];
        drop(Staging::open(&dir, &targets, &|_| {}).unwrap());
        assert_eq!(std::fs::read(&epub).unwrap(), b"old epub");
        assert_eq!(std::fs::read(&pdf).unwrap(), b"old pdf");
        assert_eq!(files_in(&dir), ["b.epub", "b.pdf"]);

        // Killed after the renames, the journal gone: the new pair stays.
        std::fs::write(&epub, "new epub").unwrap();
        std::fs::write(&epub_bak, "old epub").unwrap();
        drop(Staging::open(&dir, &targets, &|_| {}).unwrap());
        assert_eq!(std::fs::read(&epub).unwrap(), b"new epub");
        assert_eq!(files_in(&dir), ["b.epub", "b.pdf"]);

        // A journal naming files elsewhere is not followed.
        std::fs::write(
            dir.join(JOURNAL),
            "new\t../b.epub\nkept\tb.pdf\t/etc/passwd\n",
        )
        .unwrap();
        drop(Staging::open(&dir, &targets, &|_| {}).unwrap());
        assert_eq!(files_in(&dir), ["b.epub", "b.pdf"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_second_build_waits_for_the_first() {
        let dir = scratch("wait");
        let targets = [dir.join("b.pdf")];
        let first = Staging::open(&dir, &targets, &|_| {}).unwrap();
        first.stage(&targets[0], b"first").unwrap();
        let waited = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            let second = s.spawn(|| {
                let second = Staging::open(&dir, &targets, &|_| {
                    waited.store(true, std::sync::atomic::Ordering::SeqCst)
                })
                .unwrap();
                second.stage(&targets[0], b"second").unwrap();
                second.commit().unwrap();
            });
            std::thread::sleep(PATIENCE * 2);
            // The waiting build has not touched the first one's staged file.
            first.commit().unwrap();
            drop(first);
            second.join().unwrap();
        });
        assert!(waited.load(std::sync::atomic::Ordering::SeqCst));
        assert_eq!(std::fs::read(&targets[0]).unwrap(), b"second");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn atomic_writes_leave_the_old_file_on_failure() {
        let dir = scratch("atomic");
        let file = dir.join("01.md");
        write_atomic(&file, b"hand edited").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"hand edited");
        write_atomic(&file, b"again").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"again");
        // The temporary cannot be created: the file keeps its contents.
        let blocked = dir.join("sub");
        std::fs::create_dir_all(&blocked).unwrap();
        std::fs::create_dir_all(sibling(&blocked.join("x.md"), "tmp")).unwrap();
        std::fs::write(blocked.join("x.md"), "kept").unwrap();
        assert!(write_atomic(&blocked.join("x.md"), b"lost?").is_err());
        assert_eq!(std::fs::read(blocked.join("x.md")).unwrap(), b"kept");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
