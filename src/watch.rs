//! `booklet watch`: rebuild when the manifest, a source, a style or an image
//! changes. Rebuilds share one cache, so unchanged articles are not parsed
//! or laid out again. Errors are reported and watching goes on; Ctrl-C ends
//! it between builds, so no output is ever left half-written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::build::{self, BuildOptions, BuildReport};
use crate::cache::Cache;
use crate::diag::{Diagnostic, Diagnostics};
use crate::manifest::Manifest;
use crate::source::all_blocks;

/// How a watch session reports each rebuild.
pub trait Reporter {
    fn built(
        &mut self,
        trigger: &[PathBuf],
        took: Duration,
        result: &Result<BuildReport, Diagnostics>,
    );
}

/// Files whose change means a rebuild: the manifest, sources, styles,
/// images and cover.
fn inputs(manifest_path: &Path) -> BTreeSet<PathBuf> {
    let mut files = BTreeSet::new();
    files.insert(absolute(manifest_path));
    let Ok(manifest) = Manifest::load(manifest_path) else {
        return files;
    };
    let style = manifest
        .style
        .name
        .clone()
        .unwrap_or_else(|| "default".into());
    files.insert(absolute(
        &manifest.root.join("styles").join(format!("{style}.toml")),
    ));
    files.insert(absolute(
        &manifest.root.join("styles").join(format!("{style}.css")),
    ));
    if let Some(cover) = &manifest.book.cover {
        files.insert(absolute(&manifest.resolve(cover)));
    }
    files.extend(
        crate::editions::files(&manifest)
            .iter()
            .map(|f| absolute(f)),
    );
    let mut ignore = Diagnostics::default();
    let cache = Cache::disabled();
    for entry in &manifest.articles {
        files.insert(absolute(&manifest.resolve(&entry.source)));
    }
    // A source that makes the loader panic is still watched, so that
    // fixing it triggers the rebuild.
    let book = crate::crash::catch(|| crate::source::load_book(&manifest, &cache, &mut ignore));
    if let Ok(Some(book)) = book {
        for article in &book.articles {
            for block in all_blocks(&article.blocks) {
                if let crate::model::BlockKind::Image { path, .. } = &block.kind {
                    files.insert(absolute(path));
                }
            }
        }
    }
    files
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Watches until Ctrl-C. Returns an error only when watching cannot start.
pub fn watch(opts: BuildOptions, reporter: &mut dyn Reporter) -> Result<(), Diagnostic> {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // Without a handler Ctrl-C would kill a build mid-way; with it the
        // loop ends between builds.
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let cache = Arc::new(match Manifest::load(&opts.manifest) {
        Ok(m) => Cache::beside(&opts.out_dir.clone().unwrap_or_else(|| m.output_dir())).lasting(),
        Err(_) => Cache::disabled(),
    });
    let opts = BuildOptions {
        cache: Some(cache),
        ..opts
    };
    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(tx)
        .map_err(|e| Diagnostic::error(format!("cannot watch files: {e}")))?;

    let mut trigger: Vec<PathBuf> = Vec::new();
    loop {
        // Watched before building, so that a save during the build is not
        // missed.
        let files = inputs(&opts.manifest);
        let mut folders = Folders::of(&files);
        let _ = folders.restore(&mut watcher);

        let started = Instant::now();
        let result = build::build(&opts);
        reporter.built(&trigger, started.elapsed(), &result);

        // `booklet.toml` has the parent "", which is the current folder.
        let folder = opts.manifest.parent().filter(|p| !p.as_os_str().is_empty());
        let base = absolute(folder.unwrap_or(Path::new(".")));
        trigger = wait_for_change(&rx, &files, &mut folders, &mut watcher, &stop)
            .into_iter()
            .map(|p| p.strip_prefix(&base).map(Path::to_path_buf).unwrap_or(p))
            .collect();
        folders.unwatch(&mut watcher);
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
    }
}

/// The folders holding the inputs, watched rather than the files (editors
/// replace a file by renaming another over it, which a watch on the file
/// itself would lose). A folder's watch is lost when the folder is renamed
/// or removed (it followed the old folder, or notify dropped it), and a
/// folder may be missing for a while: each is looked at again on every
/// event that touches it and a few times a second, and watched again once
/// it is back.
struct Folders(BTreeMap<PathBuf, Option<FolderId>>);

/// Which folder a path names (device and inode): another one when it was
/// replaced.
type FolderId = (u64, u64);

fn folder_id(path: &Path) -> Option<FolderId> {
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_dir())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some((0, 0))
    }
}

impl Folders {
    /// The folders of `files`, none watched yet.
    fn of(files: &BTreeSet<PathBuf>) -> Folders {
        Folders(
            files
                .iter()
                .filter_map(|f| Some((f.parent()?.to_path_buf(), None)))
                .collect(),
        )
    }

    /// An event on `path`: a watched folder at or below it may have gone.
    fn touched(&mut self, path: &Path) {
        for (folder, id) in &mut self.0 {
            if folder.starts_with(path) {
                *id = None;
            }
        }
    }

    /// Watches every folder that is there and not watched as it is now;
    /// returns those it watched (lost, replaced or missing before).
    fn restore(&mut self, watcher: &mut impl Watcher) -> Vec<PathBuf> {
        let mut back = Vec::new();
        for (folder, watched) in &mut self.0 {
            let now = folder_id(folder);
            if now.is_none() || now == *watched {
                continue;
            }
            let _ = watcher.unwatch(folder);
            if watcher.watch(folder, RecursiveMode::NonRecursive).is_ok() {
                back.push(folder.clone());
                *watched = now;
            }
        }
        back
    }

    fn unwatch(&mut self, watcher: &mut impl Watcher) {
        for (folder, watched) in &mut self.0 {
            if watched.take().is_some() {
                let _ = watcher.unwatch(folder);
            }
        }
    }
}

type Events = std::sync::mpsc::Receiver<notify::Result<notify::Event>>;

/// Blocks until an input changes (then waits out a burst of events, as an
/// editor's save is several) or Ctrl-C; returns the changed inputs. A
/// folder of inputs that comes back after it was lost counts as changed:
/// its files may have been edited meanwhile.
fn wait_for_change(
    rx: &Events,
    files: &BTreeSet<PathBuf>,
    folders: &mut Folders,
    watcher: &mut impl Watcher,
    stop: &AtomicBool,
) -> Vec<PathBuf> {
    let mut changed = BTreeSet::new();
    loop {
        let timeout = if changed.is_empty() {
            Duration::from_millis(200)
        } else {
            Duration::from_millis(30)
        };
        match rx.recv_timeout(timeout) {
            Ok(Ok(event)) => {
                if matches!(event.kind, notify::EventKind::Access(_)) {
                    continue;
                }
                // What may take a folder's watch away with it.
                let moved = matches!(
                    event.kind,
                    notify::EventKind::Remove(_)
                        | notify::EventKind::Create(_)
                        | notify::EventKind::Modify(notify::event::ModifyKind::Name(_))
                );
                for p in event.paths {
                    let path = absolute(&p);
                    if files.contains(&path) {
                        changed.insert(p);
                    } else if moved {
                        folders.touched(&path);
                    }
                }
            }
            Ok(Err(_)) => {}
            Err(RecvTimeoutError::Timeout) => {
                if !changed.is_empty() || stop.load(Ordering::SeqCst) {
                    return changed.into_iter().collect();
                }
            }
            Err(RecvTimeoutError::Disconnected) => return changed.into_iter().collect(),
        }
        changed.extend(folders.restore(watcher));
    }
}
