//! Entry points for the fuzz targets (`tests/fuzz`) and their regression
//! test: arbitrary bytes through the real pipeline, in process, with the
//! expensive set-up (font lookup) done once.

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use crate::build::{prepare, Prepared};
use crate::cache::Cache;
use crate::diag::Diagnostics;

/// A scratch project whose first article is replaced by each input.
struct Harness {
    dir: PathBuf,
    prepared: Prepared,
}

fn harness() -> &'static Mutex<Harness> {
    static H: OnceLock<Mutex<Harness>> = OnceLock::new();
    H.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("booklet-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let manifest = "[book]\ntitle = \"模糊测试\"\n\n[[article]]\nsource = \"input.md\"\n\n[[article]]\nsource = \"hant.md\"\nlanguage = \"zh-Hant\"\n";
        let _ = std::fs::write(dir.join("booklet.toml"), manifest);
        let _ = std::fs::write(dir.join("input.md"), "甲");
        let _ = std::fs::write(dir.join("hant.md"), "乙");
        let mut diags = Diagnostics::default();
        let prepared = prepare(&dir.join("booklet.toml"), Some(std::sync::Arc::new(Cache::disabled())), true, None, &mut diags)
            .expect("the fuzz harness project builds");
        Mutex::new(Harness { dir, prepared })
    })
}

/// Bytes as a Markdown source: decode, front matter, parse, model, EPUB and
/// PDF. Errors are fine; panics, hangs and invalid output are not.
pub fn render_source(bytes: &[u8]) {
    let mut h = harness().lock().unwrap_or_else(|e| e.into_inner());
    if std::fs::write(h.dir.join("input.md"), bytes).is_err() {
        return;
    }
    let mut diags = Diagnostics::default();
    let cache = Cache::disabled();
    let Some(book) = crate::source::load_book(&h.prepared.manifest, &cache, &mut diags) else {
        return;
    };
    h.prepared.book = book;
    let _ = crate::epub::render(&h.prepared, &mut diags);
    let _ = crate::pdf::render(&h.prepared, &mut diags);
}

/// Bytes as a raw scraped article for `booklet import`.
pub fn import(bytes: &[u8]) {
    let mut charsets = crate::import::script::Charsets::default();
    let mut report = crate::import::report::Report::default();
    let _ = crate::import::convert("input.txt", bytes, &mut charsets, &mut report);
}
