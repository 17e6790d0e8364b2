//! `booklet build`: manifest → sources → model → back ends → files (staged
//! and replaced together by [`crate::output`]).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cache::Cache;
use crate::characters::Characters;
use crate::diag::Diagnostics;
use crate::edition::{self, Changes};
use crate::fonts::{Faces, FontBook};
use crate::manifest::Manifest;
use crate::model::Book;
use crate::output::Staging;
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
    /// Told the output folder when another build into it makes this one wait.
    pub waiting: fn(&Path),
}

impl BuildOptions {
    pub fn new(manifest: impl Into<PathBuf>) -> Self {
        BuildOptions {
            manifest: manifest.into(),
            out_dir: None,
            format: Format::All,
            dry_run: false,
            cache: None,
            waiting: |_| {},
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
    pub characters: Characters,
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
    // Every phase runs as far as its inputs allow, so that one run reports
    // every problem: a bad manifest key does not hide a missing source.
    let (manifest, problems) = Manifest::load_partial(manifest_path);
    diags.extend(problems);
    let manifest = manifest?;
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
            diags.extend(d);
            None
        }
    };
    let book = source::load_articles(&manifest, &cache, diags);
    check_cover(&manifest, diags);
    let fonts = FontBook::load(&manifest);
    for d in &fonts.skipped {
        diags.push(d.clone());
    }
    let faces = crate::fonts::resolve_faces(&manifest, &book, &fonts, diags);
    if let Some(w) = cache.refusal() {
        diags.push(w.clone());
    }
    let (style, faces) = (style?, faces?);
    if diags.has_errors() {
        return None;
    }
    Some(Prepared {
        characters: Characters::of(&book),
        manifest,
        style,
        fonts,
        faces,
        book,
        cache,
    })
}

/// The cover must be an image both outputs can carry; the error points at
/// the manifest's `cover` line, where the fix is.
fn check_cover(manifest: &Manifest, diags: &mut Diagnostics) {
    let Some(cover) = &manifest.book.cover else {
        return;
    };
    let path = manifest.resolve(cover);
    let problem = match crate::input::read(&path, crate::input::Kind::Image) {
        Err(e) if e.is_not_found() => "not found".to_string(),
        Err(e) => format!("cannot be read: {e}"),
        Ok(bytes) if crate::image::sniff(&bytes).is_none() => {
            "is not a PNG, JPEG or GIF image".to_string()
        }
        Ok(_) => return,
    };
    let d = crate::diag::Diagnostic::error(format!("cover `{}` {problem}", cover.display()))
        .with_hint("`cover` is relative to the manifest's folder; PNG, JPEG or GIF");
    diags.push(manifest.at_place("book.cover", d));
}

pub fn build(opts: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    let root = opts
        .manifest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut result = build_unanchored(opts);
    match &mut result {
        Ok(report) => report.diagnostics.anchor(root),
        Err(diags) => diags.anchor(root),
    }
    result
}

fn build_unanchored(opts: &BuildOptions) -> Result<BuildReport, Diagnostics> {
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

    // The two back ends share nothing mutable, so they run side by side;
    // each stages its file as soon as it is done, and the files replace the
    // old ones only when everything succeeded. Messages are kept in a fixed
    // order (EPUB, then PDF).
    let epub_path = epub::output_path(&out_dir, &stem);
    let pdf_path = out_dir.join(format!("{stem}.pdf"));
    let staging = if opts.dry_run {
        None
    } else {
        let targets = [epub_path.clone(), pdf_path.clone()];
        match Staging::open(&out_dir, &targets, &opts.waiting) {
            Ok(s) => Some(s),
            Err(d) => {
                diags.push(d);
                return Err(diags);
            }
        }
    };
    let stage = |path: &Path, bytes: &[u8], diags: &mut Diagnostics| {
        if let Some(staging) = &staging {
            if let Err(d) = staging.stage(path, bytes) {
                diags.push(d);
            }
        }
    };
    let mut report = BuildReport::default();
    let (mut epub_diags, mut pdf_diags) = (Diagnostics::default(), Diagnostics::default());
    let mut coverage = Diagnostics::default();
    let ((epub_report, epub_time), (pdf_done, pdf_time)) = std::thread::scope(|scope| {
        // Warnings only, so the back ends need not wait for them.
        scope.spawn(|| {
            let primary = prepared.faces.primary();
            crate::fonts::coverage::report_uncovered(
                &prepared.book,
                &prepared.characters,
                &primary,
                &prepared.fonts,
                &mut coverage,
            );
        });
        let pdf = opts.format.pdf().then(|| {
            scope.spawn(|| {
                let t = Instant::now();
                let pdf = pdf::render(&prepared, &mut pdf_diags);
                if let Some(bytes) = &pdf {
                    stage(&pdf_path, bytes, &mut pdf_diags);
                }
                (pdf.is_some(), t.elapsed())
            })
        });
        let t = Instant::now();
        let epub = if opts.format.epub() {
            epub::render(&prepared, &mut epub_diags)
        } else {
            None
        };
        let epub = epub.map(|(bytes, epub_report)| {
            stage(&epub_path, &bytes, &mut epub_diags);
            epub_report
        });
        let epub = (epub, t.elapsed());
        let pdf = pdf
            .and_then(|h| h.join().ok())
            .unwrap_or((false, Duration::ZERO));
        (epub, pdf)
    });
    clock.lap("EPUB and PDF, side by side");
    clock.laps.push(("  of which EPUB", epub_time));
    clock.laps.push(("  of which PDF", pdf_time));
    diags.extend(coverage);
    diags.extend(epub_diags);
    diags.extend(pdf_diags);
    let mut written = Vec::new();
    if let Some(epub_report) = epub_report {
        written.push(epub_path);
        report.epub = Some(epub_report);
    }
    if pdf_done {
        written.push(pdf_path);
    }
    if diags.has_errors() {
        return Err(diags);
    }
    report.articles = prepared.book.articles.len();
    // The folder stays locked until the staging is dropped, so that the
    // edition record and the cache are this build's too.
    let Some(staging) = staging else {
        report.diagnostics = diags;
        report.timings = clock.laps;
        return Ok(report);
    };
    if let Err(d) = staging.commit() {
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
    // Only a build of both formats knows every entry still in use: one of
    // them alone would drop the other's.
    if opts.format == Format::All {
        prepared.cache.prune();
    }
    clock.lap("write");
    report.written = written;
    report.diagnostics = diags;
    report.timings = clock.laps;
    Ok(report)
}
