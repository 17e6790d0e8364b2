//! The outputs, one [`Renderer`] each (as mdBook has them): the build asks
//! every renderer for its file, so a new output is a new module and one
//! line in [`all`], not edits to the build.
//!
//! This is also the one place that decides what runs side by side: the
//! stages themselves ([`crate::typeset`] above all) hold no threads.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diag::{Diagnostic, Diagnostics};
use crate::editions::Edition;
use crate::prepared::Prepared;
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
    fn share_key(&self, _prepared: &Prepared, _edition: &Edition) -> Option<String> {
        None
    }

    /// The file's bytes; `None` when it cannot be made (the reasons are in
    /// `diags`).
    fn render(&self, prepared: &Prepared, diags: &mut Diagnostics) -> Option<Vec<u8>>;

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

    fn render(&self, prepared: &Prepared, diags: &mut Diagnostics) -> Option<Vec<u8>> {
        epub::render(prepared, diags).map(|(bytes, _)| bytes)
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
    fn share_key(&self, prepared: &Prepared, edition: &Edition) -> Option<String> {
        Some(format!(
            "{}|{:?}|{:?}",
            edition.render_key(),
            prepared.manifest.book.identifier,
            prepared.book.meta.identifier
        ))
    }

    fn render(&self, prepared: &Prepared, diags: &mut Diagnostics) -> Option<Vec<u8>> {
        match render_pdf(prepared) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                diags.push(e);
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

/// The print PDF: the book typeset (articles side by side), then written.
fn render_pdf(prepared: &Prepared) -> Result<Vec<u8>, Diagnostic> {
    let book = &prepared.book;
    let (geo, choice) = print_setup(prepared)?;
    let fonts = FontSet::new(&choice)?;
    let memo = pdf::reuse::Paragraphs::open(&prepared.cache, &choice);
    let setter = Setter {
        fonts: &fonts,
        memo: &memo,
    };
    let set = typeset_book(setter, geo, prepared);
    // Every paragraph is set: keep them for the next build while the
    // pages are written.
    let saving = memo.save();
    let standard = pdf::conformance::Standard::parse(&prepared.style.page.standard);
    let bytes = pdf::write(
        &set,
        &fonts,
        &book.meta,
        &prepared.cache,
        standard.unwrap_or_default(),
    );
    if let Some(saving) = saving {
        // A saver that panicked is a bug like any other: it is reported.
        if let Err(panic) = saving.join() {
            std::panic::resume_unwind(panic);
        }
    }
    bytes.map_err(|e| Diagnostic::error(format!("cannot make the PDF: {e}")))
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

/// The print edition's pages, as the PDF has them, for the EPUB's page
/// list: paragraphs an earlier PDF build set are taken from its memo,
/// which only the PDF keeps.
pub fn print_pages(prepared: &Prepared) -> Result<Typeset, Diagnostic> {
    let (geo, choice) = print_setup(prepared)?;
    let fonts = FontSet::new(&choice)?;
    let memo = pdf::reuse::Paragraphs::open(&prepared.cache, &choice);
    let setter = Setter {
        fonts: &fonts,
        memo: &memo,
    };
    Ok(typeset_book(setter, geo, prepared))
}

/// The book typeset: its articles set side by side on every core, then
/// paginated in order. The pages are the same whatever the number of
/// cores: each article is set on its own and the galleys are joined in the
/// book's order.
pub fn typeset_book<'a>(setter: Setter<'a>, geo: Geometry, prepared: &'a Prepared) -> Typeset {
    let book = &prepared.book;
    let style = &prepared.style;
    let galleys = in_parallel(&book.articles, |index, article| {
        typeset::article(setter, geo, style, &prepared.images, index, article)
    });
    typeset::book(setter, geo, style, book, galleys)
}

/// `f` applied to every item, on as many threads as the machine has cores
/// (each takes the next item left), the results in the items' order.
pub fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if workers <= 1 {
        return items.iter().enumerate().map(|(i, t)| f(i, t)).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(i, item)));
        }
    };
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
        let mut all = work();
        for helper in helpers {
            match helper.join() {
                Ok(done) => all.extend(done),
                // A bug in one article is the build's internal error.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    results.sort_unstable_by_key(|&(i, _)| i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::in_parallel;

    #[test]
    fn results_come_in_the_items_order() {
        let items: Vec<u64> = (0..200).collect();
        let out = in_parallel(&items, |i, &x| {
            // Uneven work, so that the threads finish out of order.
            let spin = (x * 7919) % 1000;
            (0..spin).fold(i as u64, |a, b| a.wrapping_add(b)) - (0..spin).sum::<u64>()
        });
        assert_eq!(out, items);
    }

    #[test]
    fn no_items_no_results() {
        let out: Vec<u8> = in_parallel(&[] as &[u8], |_, &x| x);
        assert!(out.is_empty());
    }
}
