//! `booklet build`: manifest → sources → model → back ends → files (staged
//! and replaced together by [`crate::output`]).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cache::Cache;
use crate::characters::Characters;
use crate::convert::{self, Converter};
use crate::diag::Diagnostic;
use crate::diag::Diagnostics;
use crate::edition::{self, Changes};
use crate::editions::{self, Edition};
use crate::fonts::{Faces, FontBook};
use crate::image::remote::Fetcher;
use crate::image::vector::DrawingFonts;
use crate::image::Library;
use crate::manifest::Manifest;
use crate::model::Book;
use crate::output::Staging;
use crate::prepared::Prepared;
use crate::render::{self, Renderer};
use crate::source;
use crate::style::Style;
use std::sync::Arc;

pub use crate::render::Format;

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
    /// Build only this `[[edition]]`.
    pub edition: Option<String>,
    /// Remote pictures only from earlier downloads (`--offline`).
    pub offline: bool,
    /// The process ends with this build (`build`, `check`): what it read
    /// is left for the exit to free.
    pub last: bool,
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
            edition: None,
            offline: false,
            last: false,
        }
    }
}

/// What a successful build wrote, and the warnings it had.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub written: Vec<PathBuf>,
    pub diagnostics: Diagnostics,
    /// Wall time per phase, in order, for `--verbose`.
    pub timings: Vec<(String, Duration)>,
    /// Articles changed, added or removed since the last build here.
    pub edition: Changes,
    pub articles: usize,
    /// Per edition built: what it wrote, what changed, what was converted.
    pub editions: Vec<EditionReport>,
}

/// One edition's part of a build.
#[derive(Debug, Default)]
pub struct EditionReport {
    /// `None` for a manifest without `[[edition]]`.
    pub name: Option<String>,
    pub written: Vec<PathBuf>,
    pub changes: Changes,
    pub conversion: Option<convert::Report>,
    /// The list of one-to-many characters converted, for an editor.
    pub review: Option<PathBuf>,
}

/// Records how long each phase of a build took.
struct Stopwatch {
    last: Instant,
    laps: Vec<(String, Duration)>,
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
        self.laps.push((phase.to_string(), now - self.last));
        self.last = now;
    }
}

/// What every edition shares: read and parsed once.
struct Shared {
    manifest: Manifest,
    cache: Arc<Cache>,
    fonts: Arc<FontBook>,
    book: Book,
    style: Style,
    faces: Faces,
    images: Arc<Library>,
}

/// Loads and checks the manifest, style, sources and fonts of the first
/// edition (the manifest itself when it has no `[[edition]]`). All problems
/// found are returned together.
pub fn prepare(
    manifest_path: &Path,
    cache: Option<Arc<Cache>>,
    dry_run: bool,
    out_dir: Option<&Path>,
    diags: &mut Diagnostics,
) -> Option<Prepared> {
    let shared = load(manifest_path, cache, dry_run, out_dir, false, None, diags)?;
    let edition = match editions::resolve(&shared.manifest, None) {
        Ok(mut e) => e.remove(0),
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let style = edition_style(&shared, &edition, diags)?;
    for_edition(&shared, &edition, style, diags).map(|(p, _)| p)
}

/// [`prepare`]'s reading, with remote pictures taken only from earlier
/// downloads when `offline`; `edition`, when only that one is built.
fn load(
    manifest_path: &Path,
    cache: Option<Arc<Cache>>,
    dry_run: bool,
    out_dir: Option<&Path>,
    offline: bool,
    edition: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<Shared> {
    // Every phase runs as far as its inputs allow, so that one run reports
    // every problem: a bad manifest key does not hide a missing source.
    let (manifest, problems) = Manifest::load_partial(manifest_path);
    diags.extend(problems);
    let manifest = manifest?;
    editions::prepare_conversions(&manifest, edition);
    if !dry_run {
        // Whatever becomes of this build, the outputs a killed one mixed
        // are put back first.
        crate::output::recover(&out_dir.map_or_else(|| manifest.output_dir(), Path::to_path_buf));
    }
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
    let fonts = Arc::new(FontBook::load(&manifest));
    for d in &fonts.skipped {
        diags.push(d.clone());
    }
    // The book's own faces: font problems are reported even when another
    // phase failed, and the manifest's own edition uses them.
    let faces = crate::fonts::resolve_faces(&manifest, &book, &fonts, diags);
    if let Some(w) = cache.refusal() {
        diags.push(w.clone());
    }
    // Pictures are checked even when the fonts are wrong, so that one run
    // reports both.
    let out_dir = out_dir.map_or_else(|| manifest.output_dir(), Path::to_path_buf);
    let fetcher = Fetcher::new(&Cache::folder(&out_dir).join("remote"), !dry_run, offline);
    let drawing = faces.as_ref().map_or_else(
        || DrawingFonts::new(Vec::new(), crate::fonts::DEFAULT_FAMILY),
        drawing_fonts,
    );
    let images = Arc::new(Library::load(&book, &fetcher, &drawing, diags));
    let (style, faces) = (style?, faces?);
    if diags.has_errors() {
        return None;
    }
    Some(Shared {
        images,
        manifest,
        cache,
        fonts,
        book,
        style,
        faces,
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

/// Text in SVG drawings is set in the book's own faces.
fn drawing_fonts(faces: &Faces) -> DrawingFonts {
    let mut files: Vec<crate::image::vector::FontFile> = Vec::new();
    let mut seen = Vec::new();
    let all = faces
        .regular
        .values()
        .chain(faces.bold.values())
        .chain(&faces.fallback);
    for face in all {
        if !seen.contains(&Arc::as_ptr(&face.data)) {
            seen.push(Arc::as_ptr(&face.data));
            files.push(face.data.clone());
        }
    }
    let family = faces
        .regular
        .values()
        .next()
        .map_or(crate::fonts::DEFAULT_FAMILY, |f| f.family.as_str());
    DrawingFonts::new(files, family)
}

/// The style `edition` is set in: the book's unless it names another or
/// other print settings.
fn edition_style(shared: &Shared, edition: &Edition, diags: &mut Diagnostics) -> Option<Style> {
    let m = &edition.manifest;
    let same_style = m.style.name == shared.manifest.style.name
        && format!("{:?}", m.pdf) == format!("{:?}", shared.manifest.pdf);
    if same_style {
        return Some(shared.style.clone());
    }
    Style::load(m).map_err(|d| diags.extend(d)).ok()
}

/// One edition's model and settings: its style, the converted book, the
/// faces its languages need.
fn for_edition(
    shared: &Shared,
    edition: &Edition,
    style: Style,
    diags: &mut Diagnostics,
) -> Option<(Prepared, Option<convert::Report>)> {
    let m = &edition.manifest;
    let (book, report) = if edition.name.is_none() {
        (shared.book.clone(), None)
    } else {
        let converter = match edition.conversion.as_ref().map(Converter::new).transpose() {
            Ok(c) => c,
            Err(e) => {
                diags.push(Diagnostic::error(e).in_file(&m.path));
                return None;
            }
        };
        let (mut book, report) = convert::convert_book(
            &shared.book,
            converter.as_ref(),
            edition.quotes,
            &m.language(),
            &m.root,
        );
        if let Some(id) = &m.book.identifier {
            book.meta.identifier = id.clone();
        }
        (book, edition.conversion.is_some().then_some(report))
    };
    let mut book = book;
    for article in &mut book.articles {
        if article.lang.tag.starts_with("zh") {
            if let Some(d) = &mut article.date {
                *d = crate::dates::written(d, style.text.dates);
            }
        }
    }
    let mut faces = if edition.name.is_none() {
        shared.faces.clone()
    } else {
        crate::fonts::resolve_faces(m, &book, &shared.fonts, diags)?
    };
    crate::notes::close_articles(&mut book, &style.note);
    faces.quote = crate::fonts::resolve_quote_faces(&style.quote, &book, &shared.fonts, diags);
    let characters = Characters::of(&book);
    crate::memory::book_of(characters.count);
    Some((
        Prepared {
            characters,
            manifest: m.clone(),
            style,
            fonts: shared.fonts.clone(),
            faces,
            book,
            cache: shared.cache.clone(),
            writing: edition.writing,
            images: shared.images.clone(),
            print: edition.pdf,
        },
        report,
    ))
}

/// Adds `more` to `diags`, leaving out what is there already (every
/// edition checks the same sources and fonts).
fn merge(diags: &mut Diagnostics, more: Diagnostics) {
    for d in more.into_vec() {
        if !diags.iter().any(|x| *x == d) {
            diags.push(d);
        }
    }
}

/// One edition's place in the build, known before its model is made: where
/// its files go, and which of them an earlier edition makes.
struct Job {
    edition: Edition,
    style: Style,
    /// Per renderer: where its output goes.
    paths: Vec<PathBuf>,
    review_path: PathBuf,
    /// Per renderer: an earlier edition whose output is this one's, byte
    /// for byte.
    from: Vec<Option<usize>>,
}

/// What one renderer made for one edition.
#[derive(Default)]
struct Made {
    bytes: Option<Arc<Vec<u8>>>,
    time: Duration,
    /// The files made from it (imposed sheets), staged.
    derived: Vec<PathBuf>,
    diags: Diagnostics,
}

/// One edition through the back ends. Messages are kept apart by phase so
/// that they are reported in a fixed order whatever finished first.
#[derive(Default)]
struct Done {
    /// Making the edition's model.
    preparing: Diagnostics,
    conversion: Option<convert::Report>,
    /// Setting up its print pages.
    printing: Diagnostics,
    /// Characters its fonts lack (warnings).
    coverage: Diagnostics,
    /// (edition, renderer, output): its own, and those of the later editions
    /// that share them.
    made: Vec<(usize, usize, Made)>,
}

/// The build's outputs: which renderer each edition asks for, and where the
/// files are staged.
struct Outputs<'a> {
    renderers: [&'static dyn Renderer; 2],
    format: Format,
    /// `None` for a dry run.
    staging: Option<&'a Staging>,
    jobs: &'a [Job],
}

impl Outputs<'_> {
    fn wants(&self, n: usize, job: &Job) -> bool {
        let r = self.renderers[n];
        self.format.wants(r.name()) && r.wanted(&job.edition)
    }

    /// The edition makes renderer `n`'s file itself, not an earlier one.
    fn makes(&self, n: usize, job: &Job) -> bool {
        self.wants(n, job) && job.from[n].is_none()
    }

    fn stage(&self, path: &Path, bytes: &[u8], diags: &mut Diagnostics) {
        if let Some(staging) = self.staging {
            if let Err(d) = staging.stage(path, bytes) {
                diags.push(d);
            }
        }
    }

    /// Renderer `n`'s output staged for `job`, and the files made from it.
    fn deliver(&self, n: usize, job: &Job, bytes: &Arc<Vec<u8>>) -> Made {
        let r = self.renderers[n];
        let path = &job.paths[n];
        let mut made = Made::default();
        self.stage(path, bytes, &mut made.diags);
        for (derived, bytes) in r.derive(&job.edition, path, bytes, &mut made.diags) {
            self.stage(&derived, &bytes, &mut made.diags);
            made.derived.push(derived);
        }
        made.bytes = Some(bytes.clone());
        made
    }

    /// One edition, from its model to its files: those it makes itself and
    /// those later editions share (an imposed handout of the reading PDF is
    /// made as soon as that PDF is).
    fn edition(&self, shared: &Shared, i: usize) -> Done {
        let job = &self.jobs[i];
        let mut done = Done::default();
        let makes: Vec<usize> = (0..self.renderers.len())
            .filter(|&n| self.makes(n, job))
            .collect();
        if makes.is_empty() && job.edition.conversion.is_none() {
            return done;
        }
        let prepared = for_edition(shared, &job.edition, job.style.clone(), &mut done.preparing);
        let Some((prepared, conversion)) = prepared else {
            return done;
        };
        done.conversion = conversion;
        let prepared = &prepared;
        let needed = makes
            .iter()
            .any(|&n| self.renderers[n].needs_print(prepared));
        done.made = render::with_print(&[(prepared, needed)], &mut done.printing, |prints| {
            let print = prints[0].as_ref();
            std::thread::scope(|scope| {
                let handles: Vec<_> = makes
                    .iter()
                    .filter(|&&n| !self.renderers[n].needs_print(prepared) || print.is_some())
                    .map(|&n| (n, scope.spawn(move || self.render(i, n, prepared, print))))
                    .collect();
                // Warnings only, found while the renderers work.
                crate::fonts::coverage::report_uncovered(
                    &prepared.book,
                    &prepared.characters,
                    &prepared.faces.primary(),
                    &prepared.fonts,
                    &mut done.coverage,
                );
                handles
                    .into_iter()
                    .flat_map(|(n, h)| {
                        h.join().unwrap_or_else(|panic| {
                            let mut made = Made::default();
                            made.diags
                                .push(crate::crash::internal_error(panic.as_ref()));
                            vec![(i, n, made)]
                        })
                    })
                    .collect()
            })
        });
        done
    }

    /// Renderer `n`'s file for edition `i`, delivered to it and to every
    /// edition that shares it.
    fn render(
        &self,
        i: usize,
        n: usize,
        prepared: &Prepared,
        print: Option<&render::Print<'_, '_>>,
    ) -> Vec<(usize, usize, Made)> {
        let r = self.renderers[n];
        crate::crash::test_point(r.name());
        let t = Instant::now();
        let mut diags = Diagnostics::default();
        let bytes = r.render(prepared, print, &mut diags).map(Arc::new);
        let mut own = match &bytes {
            Some(bytes) => self.deliver(n, &self.jobs[i], bytes),
            None => Made::default(),
        };
        diags.extend(own.diags);
        own.diags = diags;
        own.time = t.elapsed();
        let mut all = vec![(i, n, own)];
        if let Some(bytes) = &bytes {
            for (k, job) in self.jobs.iter().enumerate() {
                if job.from[n] == Some(i) && self.wants(n, job) {
                    all.push((k, n, self.deliver(n, job, bytes)));
                }
            }
        }
        all
    }
}

/// Builds; a bug that panics anywhere in it is an error like any other, so
/// that no caller (`watch` above all) goes down with it.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    let root = opts
        .manifest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut result = crate::crash::catch(|| build_unanchored(opts)).unwrap_or_else(|d| {
        let mut diags = Diagnostics::default();
        diags.push(d);
        Err(diags)
    });
    match &mut result {
        Ok(report) => report.diagnostics.anchor(root),
        Err(diags) => diags.anchor(root),
    }
    result
}

fn build_unanchored(opts: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut clock = Stopwatch::start();
    let Some(shared) = load(
        &opts.manifest,
        opts.cache.clone(),
        opts.dry_run,
        opts.out_dir.as_deref(),
        opts.offline,
        opts.edition.as_deref(),
        &mut diags,
    ) else {
        return Err(diags);
    };
    let editions = match editions::resolve(&shared.manifest, opts.edition.as_deref()) {
        Ok(e) => e,
        Err(d) => {
            diags.push(d);
            return Err(diags);
        }
    };
    let out_dir = opts
        .out_dir
        .clone()
        .unwrap_or_else(|| shared.manifest.output_dir());
    let renderers = render::all();
    let mut jobs: Vec<Job> = Vec::new();
    let mut keys: Vec<Vec<Option<String>>> = Vec::new();
    for edition in editions {
        let Some(style) = edition_style(&shared, &edition, &mut diags) else {
            continue;
        };
        let stem = edition.manifest.output_stem();
        let own_keys: Vec<Option<String>> =
            renderers.iter().map(|r| r.share_key(&edition)).collect();
        let from = renderers
            .iter()
            .enumerate()
            .map(|(n, r)| {
                let key = own_keys[n].as_ref()?;
                keys.iter()
                    .position(|k| k[n].as_ref() == Some(key))
                    .filter(|&i| r.wanted(&jobs[i].edition) && jobs[i].from[n].is_none())
            })
            .collect();
        keys.push(own_keys);
        jobs.push(Job {
            paths: renderers
                .iter()
                .map(|r| r.output_path(&out_dir, &stem))
                .collect(),
            review_path: out_dir.join(format!("{stem}-review.txt")),
            style,
            from,
            edition,
        });
    }
    if diags.has_errors() || jobs.is_empty() {
        return Err(diags);
    }
    clock.lap("read manifest, sources and fonts");

    let staging = if opts.dry_run {
        None
    } else {
        let mut targets = Vec::new();
        for j in &jobs {
            for (r, path) in renderers.iter().zip(&j.paths) {
                targets.push(path.clone());
                if opts.format.wants(r.name()) && r.wanted(&j.edition) {
                    targets.extend(r.derived_paths(&j.edition, path));
                }
            }
            if j.edition.conversion.is_some() {
                targets.push(j.review_path.clone());
            }
        }
        match Staging::open(&out_dir, &targets, &opts.waiting) {
            Ok(s) => Some(s),
            Err(d) => {
                diags.push(d);
                return Err(diags);
            }
        }
    };
    let outputs = Outputs {
        renderers,
        format: opts.format,
        staging: staging.as_ref(),
        jobs: &jobs,
    };

    // Every edition goes from its model to its files side by side with the
    // others, so that converting one (waiting for its dictionaries) does
    // not hold up the rest. Each file is staged as soon as it is made; the
    // files replace the old ones only when everything succeeded.
    let done: Vec<Done> = std::thread::scope(|scope| {
        let outputs = &outputs;
        let shared = &shared;
        let handles: Vec<_> = (0..jobs.len())
            .map(|i| scope.spawn(move || outputs.edition(shared, i)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|panic| {
                    let mut done = Done::default();
                    done.preparing
                        .push(crate::crash::internal_error(panic.as_ref()));
                    done
                })
            })
            .collect()
    });
    clock.lap("editions side by side");
    // Messages in a fixed order: every edition's model, its print pages,
    // its fonts' coverage, then per edition its files in the renderers'
    // order.
    let mut made: Vec<Vec<Made>> = jobs
        .iter()
        .map(|_| renderers.iter().map(|_| Made::default()).collect())
        .collect();
    let mut conversions = Vec::new();
    let mut coverage = Diagnostics::default();
    for d in done {
        merge(&mut diags, d.preparing);
        merge(&mut diags, d.printing);
        merge(&mut coverage, d.coverage);
        conversions.push(d.conversion);
        for (i, n, m) in d.made {
            made[i][n] = m;
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    for (n, r) in renderers.iter().enumerate() {
        let time = made.iter().map(|row| row[n].time).sum();
        clock.laps.push((format!("  of which {}", r.title()), time));
    }
    merge(&mut diags, coverage);
    let mut report = BuildReport::default();
    let mut made_editions = Vec::new();
    for ((j, row), conversion) in jobs.iter().zip(made).zip(conversions) {
        let mut written = Vec::new();
        for (path, m) in j.paths.iter().zip(row) {
            merge(&mut diags, m.diags);
            if m.bytes.is_some() {
                written.push(path.clone());
            }
            written.extend(m.derived);
        }
        let mut review = None;
        if let Some(r) = conversion.as_ref().filter(|r| !r.reviews.is_empty()) {
            outputs.stage(&j.review_path, r.review_text().as_bytes(), &mut diags);
            written.push(j.review_path.clone());
            review = Some(j.review_path.clone());
        }
        made_editions.push(EditionReport {
            name: j.edition.name.clone(),
            written,
            changes: Changes::default(),
            conversion,
            review,
        });
    }
    if diags.has_errors() {
        return Err(diags);
    }
    report.articles = shared.book.articles.len();
    // The folder stays locked until the staging is dropped, so that the
    // edition record and the cache are this build's too.
    let Some(staging) = staging else {
        // A dry run writes nothing.
        for e in &mut made_editions {
            e.written.clear();
            e.review = None;
        }
        report.editions = made_editions;
        report.diagnostics = diags;
        report.timings = clock.laps;
        return Ok(report);
    };
    if let Err(d) = staging.commit() {
        diags.push(d);
        return Err(diags);
    }
    let titles: Vec<String> = shared
        .book
        .articles
        .iter()
        .filter(|a| !a.part)
        .map(|a| a.title.clone())
        .collect();
    let now = edition::current(&shared.manifest, &titles);
    for (e, j) in made_editions.iter_mut().zip(&jobs) {
        e.changes = edition::compare_and_record(&out_dir, j.edition.name.as_deref(), &now);
    }
    report.edition = made_editions
        .first()
        .map(|e| e.changes.clone())
        .unwrap_or_default();
    // Only a build of every edition in both formats knows every entry still
    // in use: less would drop the others'.
    if opts.format == Format::All && opts.edition.is_none() {
        shared.cache.prune();
    }
    clock.lap("write");
    report.written = made_editions
        .iter()
        .flat_map(|e| e.written.clone())
        .collect();
    report.editions = made_editions;
    report.diagnostics = diags;
    report.timings = clock.laps;
    if opts.last {
        // The exit frees the whole process at once, faster than unmapping
        // each font file first, one by one, on this thread.
        std::mem::forget(shared);
    }
    Ok(report)
}
