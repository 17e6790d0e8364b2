//! `booklet build`: manifest → sources → model → back ends → files.
//! Outputs are written to a temporary file beside the target and renamed
//! into place, so a failed or interrupted build leaves yesterday's files.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cache::Cache;
use crate::diag::{Diagnostic, Diagnostics};
use crate::edition::{self, Changes};
use crate::fonts::{Faces, FontBook};
use crate::manifest::Manifest;
use crate::model::Book;
use crate::style::Style;
use crate::{epub, pdf, source};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Epub,
    Pdf,
    All,
}

impl Format {
    fn epub(self) -> bool {
        matches!(self, Format::Epub | Format::All)
    }
    fn pdf(self) -> bool {
        matches!(self, Format::Pdf | Format::All)
    }
}

pub struct BuildOptions {
    pub manifest: PathBuf,
    pub out_dir: Option<PathBuf>,
    pub format: Format,
    /// Render but write nothing (`booklet check`).
    pub dry_run: bool,
    /// A cache shared across builds (`watch`); by default a cache beside
    /// the outputs, or none for a dry run.
    pub cache: Option<Arc<Cache>>,
}

impl BuildOptions {
    pub fn new(manifest: impl Into<PathBuf>) -> Self {
        BuildOptions {
            manifest: manifest.into(),
            out_dir: None,
            format: Format::All,
            dry_run: false,
            cache: None,
        }
    }
}

/// What a successful build wrote, and the warnings it had.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub written: Vec<PathBuf>,
    pub diagnostics: Diagnostics,
    pub epub: Option<epub::EpubReport>,
    /// Wall time per phase, in order, for `--verbose`.
    pub timings: Vec<(&'static str, Duration)>,
    /// Articles changed, added or removed since the last build here.
    pub edition: Changes,
    pub articles: usize,
}

/// Records how long each phase of a build took.
struct Stopwatch {
    last: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl Stopwatch {
    fn start() -> Self {
        Stopwatch {
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, phase: &'static str) {
        let now = Instant::now();
        self.laps.push((phase, now - self.last));
        self.last = now;
    }
}

/// Everything the back ends need, loaded once.
pub struct Prepared {
    pub manifest: Manifest,
    pub style: Style,
    pub fonts: FontBook,
    pub faces: Faces,
    pub book: Book,
    pub cache: Arc<Cache>,
}

/// Loads and checks the manifest, style, sources and fonts. All problems
/// found are returned together.
pub fn prepare(
    manifest_path: &Path,
    cache: Option<Arc<Cache>>,
    dry_run: bool,
    out_dir: Option<&Path>,
    diags: &mut Diagnostics,
) -> Option<Prepared> {
    let manifest = match Manifest::load(manifest_path) {
        Ok(m) => m,
        Err(d) => {
            diags.extend(d);
            return None;
        }
    };
    let cache = cache.unwrap_or_else(|| {
        Arc::new(if dry_run {
            Cache::disabled()
        } else {
            Cache::beside(&out_dir.map_or_else(|| manifest.output_dir(), Path::to_path_buf))
        })
    });
    let style = match Style::load(&manifest) {
        Ok(s) => Some(s),
        Err(d) => {
            diags.push(d);
            None
        }
    };
    let book = source::load_book(&manifest, &cache, diags);
    let fonts = FontBook::load(&manifest);
    let faces = book
        .as_ref()
        .and_then(|b| crate::fonts::resolve_faces(&manifest, b, &fonts, diags));
    let (style, book, faces) = (style?, book?, faces?);
    if diags.has_errors() {
        return None;
    }
    Some(Prepared {
        manifest,
        style,
        fonts,
        faces,
        book,
        cache,
    })
}

pub fn build(opts: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut clock = Stopwatch::start();
    let Some(prepared) = prepare(
        &opts.manifest,
        opts.cache.clone(),
        opts.dry_run,
        opts.out_dir.as_deref(),
        &mut diags,
    ) else {
        return Err(diags);
    };
    clock.lap("read manifest, sources and fonts");
    let out_dir = opts
        .out_dir
        .clone()
        .unwrap_or_else(|| prepared.manifest.output_dir());
    let stem = prepared.manifest.output_stem();

    // Render everything first; write only when every output succeeded. The
    // two back ends share nothing mutable, so they run side by side; their
    // messages are kept in a fixed order (EPUB, then PDF).
    let mut outputs: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut report = BuildReport::default();
    let (mut epub_diags, mut pdf_diags) = (Diagnostics::default(), Diagnostics::default());
    let ((epub_result, epub_time), (pdf_result, pdf_time)) = std::thread::scope(|scope| {
        let pdf = opts.format.pdf().then(|| {
            scope.spawn(|| {
                let t = Instant::now();
                (pdf::render(&prepared, &mut pdf_diags), t.elapsed())
            })
        });
        let t = Instant::now();
        let epub = if opts.format.epub() {
            epub::render(&prepared, &mut epub_diags)
        } else {
            None
        };
        let epub = (epub, t.elapsed());
        let pdf = pdf
            .and_then(|h| h.join().ok())
            .unwrap_or((None, Duration::ZERO));
        (epub, pdf)
    });
    clock.lap("EPUB and PDF, side by side");
    clock.laps.push(("  of which EPUB", epub_time));
    clock.laps.push(("  of which PDF", pdf_time));
    diags.extend(epub_diags);
    diags.extend(pdf_diags);
    if let Some((bytes, epub_report)) = epub_result {
        outputs.push((epub::output_path(&out_dir, &stem), bytes));
        report.epub = Some(epub_report);
    }
    if let Some(bytes) = pdf_result {
        outputs.push((out_dir.join(format!("{stem}.pdf")), bytes));
    }
    if diags.has_errors() {
        return Err(diags);
    }
    report.articles = prepared.book.articles.len();
    if opts.dry_run {
        report.diagnostics = diags;
        report.timings = clock.laps;
        return Ok(report);
    }
    if let Err(d) = write_outputs(&out_dir, &outputs) {
        diags.push(d);
        return Err(diags);
    }
    let titles: Vec<String> = prepared
        .book
        .articles
        .iter()
        .map(|a| a.title.clone())
        .collect();
    report.edition =
        edition::compare_and_record(&out_dir, &edition::current(&prepared.manifest, &titles));
    prepared.cache.prune();
    clock.lap("write");
    report.written = outputs.into_iter().map(|(p, _)| p).collect();
    report.diagnostics = diags;
    report.timings = clock.laps;
    Ok(report)
}

fn write_outputs(dir: &Path, outputs: &[(PathBuf, Vec<u8>)]) -> Result<(), Diagnostic> {
    if outputs.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Diagnostic::error(format!("cannot create the output folder: {e}")).in_file(dir)
    })?;
    remove_stale_temps(dir, outputs);
    // Stage every file first, then rename them all: either all outputs are
    // new or none is.
    // Side by side: most of the time is waiting for the disk.
    let written = crate::par::map(outputs, |(path, bytes)| {
        let tmp = temp_path(path);
        write_synced(&tmp, bytes)
            .map(|()| tmp)
            .map_err(|e| e.to_string())
    });
    let mut staged = Vec::new();
    let mut failed = None;
    for ((path, _), result) in outputs.iter().zip(written) {
        match result {
            Ok(tmp) => staged.push(tmp),
            Err(e) => {
                let _ = std::fs::remove_file(temp_path(path));
                failed.get_or_insert((path, e));
            }
        }
    }
    if let Some((path, e)) = failed {
        for t in &staged {
            let _ = std::fs::remove_file(t);
        }
        return Err(Diagnostic::error(format!("cannot write the output: {e}")).in_file(path));
    }
    for ((path, _), tmp) in outputs.iter().zip(&staged) {
        std::fs::rename(tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(tmp);
            Diagnostic::error(format!("cannot replace the output: {e}")).in_file(path)
        })?;
    }
    Ok(())
}

/// Temporary files left by a build that was killed mid-write.
fn remove_stale_temps(dir: &Path, outputs: &[(PathBuf, Vec<u8>)]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefixes: Vec<String> = outputs
        .iter()
        .filter_map(|(p, _)| p.file_name())
        .map(|n| format!(".{}.", n.to_string_lossy()))
        .collect();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".tmp") && prefixes.iter().any(|p| name.starts_with(p)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}
