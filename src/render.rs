//! The outputs, one [`Renderer`] each (as mdBook has them): the build asks
//! every renderer for its file, so a new output is a new module and one
//! line in [`all`], not edits to the build.
//!
//! This is also the one place that decides what runs side by side: the
//! stages themselves ([`crate::typeset`] above all) hold no threads.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::diag::{Diagnostic, Diagnostics};
use crate::editions::Edition;
use crate::image::vector::DrawingFonts;
use crate::prepared::Prepared;
use crate::typeset::cover::FrontCover;
use crate::typeset::fontset::{FontChoice, FontSet};
use crate::typeset::geometry::Geometry;
use crate::typeset::paragraph::Setter;
use crate::typeset::{self, Typeset};
use crate::{epub, impose, pdf};

/// Which outputs a build makes (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Epub,
    Pdf,
    All,
}

impl Format {
    /// Whether the renderer called `name` is among them.
    pub fn wants(self, name: &str) -> bool {
        match self {
            Format::All => true,
            Format::Epub => name == "epub",
            Format::Pdf => name == "pdf",
        }
    }
}

/// One kind of output.
pub trait Renderer: Sync {
    /// Its name, as `--format` gives it.
    fn name(&self) -> &'static str;

    /// Its name in messages and timings.
    fn title(&self) -> &'static str;

    /// Whether `edition` asks for it.
    fn wanted(&self, edition: &Edition) -> bool;

    /// The file it is written to, for an edition whose files are named
    /// `stem`.
    fn output_path(&self, out_dir: &Path, stem: &str) -> PathBuf;

    /// Editions whose keys are equal get the same bytes, made once; `None`
    /// makes every edition's own.
    fn share_key(&self, _edition: &Edition) -> Option<String> {
        None
    }

    /// Whether it needs the print edition's pages for `prepared`: they are
    /// typeset once per edition, by the first renderer that asks for them
    /// (see [`Print`]).
    fn needs_print(&self, _prepared: &Prepared) -> bool {
        false
    }

    /// The file's bytes; `None` when it cannot be made (the reasons are in
    /// `diags`). `print` is there whenever [`Renderer::needs_print`] said so.
    fn render(
        &self,
        prepared: &Prepared,
        print: Option<&Print<'_, '_>>,
        diags: &mut Diagnostics,
    ) -> Option<Vec<u8>>;

    /// More files made from the output (the PDF's imposed sheets), where
    /// they go.
    fn derived_paths(&self, _edition: &Edition, _output: &Path) -> Vec<PathBuf> {
        Vec::new()
    }

    /// Those files' bytes, each with its path.
    fn derive(
        &self,
        _edition: &Edition,
        _output: &Path,
        _bytes: &[u8],
        _diags: &mut Diagnostics,
    ) -> Vec<(PathBuf, Vec<u8>)> {
        Vec::new()
    }
}

/// Every output, in the order their messages are reported.
pub fn all() -> [&'static dyn Renderer; 2] {
    [&Epub, &Pdf]
}

pub struct Epub;

impl Renderer for Epub {
    fn name(&self) -> &'static str {
        "epub"
    }

    fn title(&self) -> &'static str {
        "EPUB"
    }

    fn wanted(&self, edition: &Edition) -> bool {
        edition.epub
    }

    fn output_path(&self, out_dir: &Path, stem: &str) -> PathBuf {
        epub::output_path(out_dir, stem)
    }

    /// A printed edition's EPUB lists the print pages.
    fn needs_print(&self, prepared: &Prepared) -> bool {
        prepared.print
    }

    fn render(
        &self,
        prepared: &Prepared,
        print: Option<&Print<'_, '_>>,
        diags: &mut Diagnostics,
    ) -> Option<Vec<u8>> {
        let pages = print.map(|p| move || p.set());
        epub::render(prepared, pages.as_ref().map(|f| f as _), diags).map(|(bytes, _)| bytes)
    }
}

pub struct Pdf;

impl Renderer for Pdf {
    fn name(&self) -> &'static str {
        "pdf"
    }

    fn title(&self) -> &'static str {
        "PDF"
    }

    fn wanted(&self, edition: &Edition) -> bool {
        edition.pdf
    }

    fn output_path(&self, out_dir: &Path, stem: &str) -> PathBuf {
        out_dir.join(format!("{stem}.pdf"))
    }

    /// Editions that differ only in what the PDF does not show (the EPUB's
    /// writing mode, say) share one PDF.
    fn share_key(&self, edition: &Edition) -> Option<String> {
        // The render key holds the manifest's `[book]`, and so the
        // identifier the PDF's file ID is made from.
        Some(edition.render_key())
    }

    fn needs_print(&self, _prepared: &Prepared) -> bool {
        true
    }

    fn render(
        &self,
        prepared: &Prepared,
        print: Option<&Print<'_, '_>>,
        diags: &mut Diagnostics,
    ) -> Option<Vec<u8>> {
        let Some(print) = print else {
            diags.push(Diagnostic::error(
                "internal error: the PDF was asked for without its pages (please report this)",
            ));
            return None;
        };
        // No pages: why is reported by with_print.
        let set = print.set()?;
        let standard = pdf::conformance::Standard::parse(&prepared.style.page.standard);
        match pdf::write(
            set,
            print.fonts,
            &prepared.book.meta,
            &prepared.cache,
            standard.unwrap_or_default(),
        ) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                diags.push(e.into());
                None
            }
        }
    }

    fn derived_paths(&self, edition: &Edition, output: &Path) -> Vec<PathBuf> {
        match edition.imposition {
            Some(_) => vec![impose::output_path(output)],
            None => Vec::new(),
        }
    }

    fn derive(
        &self,
        edition: &Edition,
        output: &Path,
        bytes: &[u8],
        diags: &mut Diagnostics,
    ) -> Vec<(PathBuf, Vec<u8>)> {
        let Some(layout) = &edition.imposition else {
            return Vec::new();
        };
        let path = impose::output_path(output);
        match impose::impose(bytes, layout) {
            Ok(sheets) => vec![(path, sheets)],
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!(
                        "edition `{}`: cannot impose the PDF: {e}",
                        edition.label()
                    ))
                    .in_file(&path),
                );
                Vec::new()
            }
        }
    }
}

/// The print edition's pages, typeset once per edition by the first
/// renderer that asks (any other asking meanwhile waits for them): the PDF
/// draws them at once, the EPUB's page list points into them, and the EPUB
/// asks last, so that its fonts and cover are made while they are set.
pub struct Print<'p, 'f> {
    pub fonts: &'p FontSet<'f>,
    setter: Setter<'p>,
    memo: &'p pdf::reuse::Paragraphs,
    geo: Geometry,
    prepared: &'p Prepared,
    set: OnceLock<Option<Typeset>>,
    /// Why the pages could not be made, and the saving of the paragraphs
    /// set, for [`with_print`] to report and wait for.
    after: &'p Mutex<After>,
}

#[derive(Default)]
struct After {
    problems: Vec<Diagnostic>,
    savings: Vec<std::thread::JoinHandle<()>>,
}

impl Print<'_, '_> {
    /// The pages; `None` when they cannot be made (the reason is reported
    /// by [`with_print`]).
    pub fn set(&self) -> Option<&Typeset> {
        self.set
            .get_or_init(|| {
                let set = typeset_book(self.setter, self.geo, self.prepared);
                let mut after = self.after.lock().unwrap_or_else(|e| e.into_inner());
                // The paragraphs set now are saved for the next build while
                // the renderers go on.
                after.savings.extend(self.memo.save());
                set.map_err(|d| after.problems.push(d)).ok()
            })
            .as_ref()
    }
}

/// Runs `then` with the print pages of every edition marked as needing
/// them (see [`Print`]). An edition whose pages cannot be set up gets
/// `None`, its reasons in `diags`.
pub fn with_print<R>(
    editions: &[(&Prepared, bool)],
    diags: &mut Diagnostics,
    then: impl FnOnce(&[Option<Print<'_, '_>>]) -> R,
) -> R {
    // Each stage borrows the one before it, so they all live here, in
    // this frame, until `then` is done.
    let setups: Vec<Option<(Geometry, FontChoice)>> = editions
        .iter()
        .map(|&(prepared, needed)| {
            needed
                .then(|| print_setup(prepared))?
                .map_err(|d| diags.push(d))
                .ok()
        })
        .collect();
    let fonts: Vec<Option<FontSet>> = setups
        .iter()
        .map(|setup| {
            let (_, choice) = setup.as_ref()?;
            FontSet::new(choice).map_err(|e| diags.push(e.into())).ok()
        })
        .collect();
    let memos: Vec<Option<pdf::reuse::Paragraphs>> = editions
        .iter()
        .zip(&setups)
        .map(|(&(prepared, _), setup)| {
            let (_, choice) = setup.as_ref()?;
            Some(pdf::reuse::Paragraphs::open(&prepared.cache, choice))
        })
        .collect();
    let after = Mutex::new(After::default());
    let prints: Vec<Option<Print>> = editions
        .iter()
        .zip(&setups)
        .zip(fonts.iter().zip(&memos))
        .map(|((&(prepared, _), setup), (fonts, memo))| {
            let (fonts, memo) = (fonts.as_ref()?, memo.as_ref()?);
            Some(Print {
                fonts,
                setter: Setter { fonts, memo },
                memo,
                geo: setup.as_ref()?.0,
                prepared,
                set: OnceLock::new(),
                after: &after,
            })
        })
        .collect();
    let result = then(&prints);
    drop(prints);
    let after = after.into_inner().unwrap_or_else(|e| e.into_inner());
    for problem in after.problems {
        diags.push(problem);
    }
    for saving in after.savings {
        // A saver that panicked is a bug like any other: it is reported.
        if let Err(panic) = saving.join() {
            diags.push(crate::crash::internal_error(panic.as_ref()));
        }
    }
    result
}

/// The print edition's page geometry and fonts.
fn print_setup(prepared: &Prepared) -> Result<(Geometry, FontChoice), Diagnostic> {
    let geo = Geometry::new(&prepared.style).map_err(|e| e.in_file(&prepared.manifest.path))?;
    let choice = FontChoice::new(
        &prepared.faces,
        &prepared.manifest,
        &prepared.book,
        &prepared.characters,
        &prepared.fonts,
    );
    Ok((geo, choice))
}

/// The book typeset: its articles set side by side on every core, then
/// paginated in order. The pages are the same whatever the number of
/// cores: each article is set on its own and the galleys are joined in the
/// book's order.
pub fn typeset_book<'a>(
    setter: Setter<'a>,
    geo: Geometry,
    prepared: &'a Prepared,
) -> Result<Typeset, Diagnostic> {
    let book = &prepared.book;
    let style = &prepared.style;
    // The cover is drawn while the articles are set.
    let (cover, galleys) = crate::par::beside(
        || Ok::<_, String>(front_cover(prepared, &geo)),
        || {
            crate::par::in_parallel(&book.articles, |index, article| {
                typeset::article(setter, geo, style, &prepared.images, index, article)
            })
        },
    );
    let cover = cover.map_err(Diagnostic::error)??;
    Ok(typeset::book(setter, geo, style, book, galleys, cover))
}

/// The cover the PDF opens with, when `[pdf] cover` wants one (it does
/// unless the edition is imposed, see [`crate::editions`]): the manifest's
/// `cover` image, else the generated cover in the page's proportion.
fn front_cover(prepared: &Prepared, geo: &Geometry) -> Result<Option<FrontCover>, Diagnostic> {
    if !prepared.manifest.pdf.cover.unwrap_or(true) {
        return Ok(None);
    }
    let meta = &prepared.book.meta;
    let Some(path) = &meta.cover else {
        let height = crate::cover::design::WIDTH * geo.page_h / geo.page_w;
        let drawing = crate::cover::generate(meta, &prepared.faces, &prepared.style.cover, height);
        return Ok(Some(FrontCover::Drawing(Arc::new(drawing))));
    };
    // A cover is a PNG, JPEG or GIF (the manifest's check), never a
    // drawing with text: no fonts to lend it.
    let no_fonts = DrawingFonts::new(Vec::new(), crate::fonts::DEFAULT_FAMILY);
    let picture = crate::input::read(path, crate::input::Kind::Image)
        .map_err(|e| e.to_string())
        .and_then(|bytes| crate::image::library::read_picture(&bytes, &no_fonts))
        .map_err(|e| {
            Diagnostic::error(format!("the cover cannot be printed: {e}")).in_file(path)
        })?;
    Ok(Some(FrontCover::Picture(Arc::new(picture))))
}
