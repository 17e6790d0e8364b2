//! `booklet watch`: rebuild when the manifest, a source, a style or an image
//! changes. Rebuilds share one cache, so unchanged articles are not parsed
//! or laid out again. Errors are reported and watching goes on; Ctrl-C ends
//! it between builds, so no output is ever left half-written.

use std::collections::BTreeSet;
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
    let mut ignore = Diagnostics::default();
    let cache = Cache::disabled();
    for entry in &manifest.articles {
        files.insert(absolute(&manifest.resolve(&entry.source)));
    }
    if let Some(book) = crate::source::load_book(&manifest, &cache, &mut ignore) {
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
        Ok(m) => Cache::beside(&opts.out_dir.clone().unwrap_or_else(|| m.output_dir())),
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
        // Watch the folders holding the inputs (editors replace files by
        // renaming, which a watch on the file itself would lose), and do so
        // before building, so that a save during the build is not missed.
        let files = inputs(&opts.manifest);
        let folders: BTreeSet<PathBuf> = files
            .iter()
            .filter_map(|f| f.parent().map(Path::to_path_buf))
            .filter(|d| d.is_dir())
            .collect();
        for folder in &folders {
            let _ = watcher.watch(folder, RecursiveMode::NonRecursive);
        }

        let started = Instant::now();
        let result = build::build(&opts);
        reporter.built(&trigger, started.elapsed(), &result);

        // `booklet.toml` has the parent "", which is the current folder.
        let folder = opts.manifest.parent().filter(|p| !p.as_os_str().is_empty());
        let base = absolute(folder.unwrap_or(Path::new(".")));
        trigger = wait_for_change(&rx, &files, &stop)
            .into_iter()
            .map(|p| p.strip_prefix(&base).map(Path::to_path_buf).unwrap_or(p))
            .collect();
        for folder in &folders {
            let _ = watcher.unwatch(folder);
        }
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
    }
}

type Events = std::sync::mpsc::Receiver<notify::Result<notify::Event>>;

/// Blocks until an input changes (then waits out a burst of events, as an
/// editor's save is several) or Ctrl-C; returns the changed inputs.
fn wait_for_change(rx: &Events, files: &BTreeSet<PathBuf>, stop: &AtomicBool) -> Vec<PathBuf> {
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
                for p in event.paths {
                    if files.contains(&absolute(&p)) {
                        changed.insert(p);
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
    }
}
