//! `booklet.toml`: what the user asks for, resolved against the manifest's
//! folder. Read strictly but in full: every key and value is checked against
//! [`schema`] (an unknown key gets a hint that knows where it belongs) and
//! every mistake is reported, while the valid rest still loads so that the
//! later phases can check sources, images and fonts in the same run.

mod schema;

use serde::Deserialize;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Lang;

pub use schema::Place;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub book: BookSection,
    #[serde(default)]
    pub fonts: FontsSection,
    #[serde(default)]
    pub style: StyleSection,
    #[serde(default)]
    pub output: OutputSection,
    #[serde(default)]
    pub pdf: PdfSection,
    #[serde(default, rename = "article")]
    pub articles: Vec<ArticleEntry>,
    /// `[[edition]]` and `[convert]`: see [`crate::editions`].
    #[serde(default, rename = "edition")]
    pub editions: Vec<crate::editions::EditionEntry>,
    #[serde(default)]
    pub convert: crate::editions::ConvertSection,
    /// The folder the manifest lives in; every relative path starts here.
    #[serde(skip)]
    pub root: PathBuf,
    /// The manifest file itself, for diagnostics.
    #[serde(skip)]
    pub path: PathBuf,
    /// Its text, to point diagnostics at the right line.
    #[serde(skip)]
    pub text: String,
    /// Where each key is written, in file order.
    #[serde(skip)]
    pub places: Vec<Place>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookSection {
    pub title: String,
    pub subtitle: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    pub editor: Option<String>,
    pub publisher: Option<String>,
    pub language: Option<String>,
    /// YYYY-MM-DD.
    pub date: Option<String>,
    pub edition: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub subjects: Vec<String>,
    pub identifier: Option<String>,
    pub cover: Option<PathBuf>,
    /// An mdBook `SUMMARY.md` listing the chapters (after any `[[article]]`).
    pub summary: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FontsSection {
    /// Family for body text; the SC or TC face is chosen by language.
    pub body: Option<String>,
    /// Family for headings (its bold face is used).
    pub heading: Option<String>,
    /// Families tried, in order, for characters the body font lacks.
    #[serde(default)]
    pub fallback: Vec<String>,
    /// Extra folders to load fonts from, relative to the manifest.
    #[serde(default)]
    pub dirs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleSection {
    /// A style in `styles/` (beside the manifest, else the shipped ones).
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSection {
    pub dir: Option<PathBuf>,
    /// File stem of the outputs (`<stem>.epub`, `<stem>.pdf`).
    pub stem: Option<String>,
}

/// Print settings; anything left out comes from the style.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PdfSection {
    /// `A4`, `A5`, `B5`, or `WIDTHxHEIGHT` in mm (e.g. `148x210`).
    pub page: Option<String>,
    pub margin_inner_mm: Option<f32>,
    pub margin_outer_mm: Option<f32>,
    pub margin_top_mm: Option<f32>,
    pub margin_bottom_mm: Option<f32>,
    pub body_size_pt: Option<f32>,
    pub line_height: Option<f32>,
    /// TOC depth: 1 = articles only, 2 = with sections (default), 3 = subsections.
    pub toc_depth: Option<u8>,
    /// Start every article on a right-hand (odd) page.
    pub right_hand_start: Option<bool>,
    /// "ua-1+a-2" (tagged PDF/UA-1 and PDF/A-2a, the default) or "none".
    pub standard: Option<String>,
    /// The cover (the `cover` image, else the generated one) as the first
    /// page; default on (imposed sheets leave it out, see `impose_cover`).
    pub cover: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleEntry {
    pub source: PathBuf,
    pub title: Option<String>,
    pub language: Option<String>,
    /// Nesting from an mdBook summary: 1 (or 0, unset) for a chapter, 2 for
    /// a sub-chapter, …
    #[serde(skip)]
    pub depth: u8,
    /// The part an mdBook summary opens with this chapter.
    #[serde(skip)]
    pub part: Option<String>,
}

impl Manifest {
    /// Reads and checks a manifest; every problem found is returned together.
    pub fn load(path: &Path) -> Result<Manifest, Diagnostics> {
        match Manifest::load_partial(path) {
            (Some(m), d) if !d.has_errors() => Ok(m),
            (_, d) => Err(d),
        }
    }

    /// Reads a manifest as far as it can be read: the problems, and the
    /// manifest without its bad keys when there is enough of it to go on.
    pub fn load_partial(path: &Path) -> (Option<Manifest>, Diagnostics) {
        if let Some(d) = not_a_manifest(path) {
            return (None, d.into());
        }
        let bytes = match crate::input::read(path, crate::input::Kind::Manifest) {
            Ok(b) => b,
            Err(e) => {
                let d = Diagnostic::error(format!("cannot read the manifest: {e}")).in_file(path);
                return (None, d.into());
            }
        };
        let Ok(text) = String::from_utf8(bytes) else {
            let d = Diagnostic::error("the manifest is not UTF-8 text").in_file(path);
            return (None, d.into());
        };
        let (manifest, mut diags) = Manifest::read(&text, path);
        let manifest = manifest.map(|mut m| {
            m.root = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf();
            if let Some(summary) = m.book.summary.clone() {
                match crate::source::summary::entries(&m.root, &summary) {
                    Ok(chapters) => m.articles.extend(chapters),
                    Err(d) => diags.extend(d),
                }
            }
            m
        });
        (manifest, diags)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Manifest, Diagnostics> {
        match Manifest::read(text, path) {
            (Some(m), d) if !d.has_errors() => Ok(m),
            (_, d) => Err(d),
        }
    }

    /// Parses `text` (named `path` in messages): what is valid, and every problem.
    pub fn read(text: &str, path: &Path) -> (Option<Manifest>, Diagnostics) {
        let checked = schema::check(text, path);
        let mut problems = checked.problems.clone();
        let mut manifest: Manifest = match toml::Value::Table(checked.valid.clone()).try_into() {
            Ok(m) => m,
            Err(e) => {
                problems.push(
                    Diagnostic::error(format!("the manifest cannot be read: {}", e.message()))
                        .in_file(path),
                );
                return (None, problems);
            }
        };
        manifest.path = path.to_path_buf();
        manifest.text = text.to_string();
        manifest.places = checked.places.clone();
        let mut values = Diagnostics::default();
        manifest.check_values(&mut values);
        for d in values.into_vec() {
            if checked.trust(&d) {
                problems.push(d);
            }
        }
        problems.sort();
        (Some(manifest), problems)
    }

    /// Checks of values the schema lets through: each reports at its key.
    /// Invalid values are reported and dropped, so that later phases use
    /// the defaults instead of reporting them again.
    fn check_values(&mut self, problems: &mut Diagnostics) {
        if self.book.title.trim().is_empty() && self.place("book.title").is_some() {
            problems.push(self.at_place("book.title", Diagnostic::error("`book.title` is empty")));
        }
        let languages = self
            .places
            .iter()
            .filter(|p| p.path == "book.language" || p.path == "article.language");
        let mut bad = Vec::new();
        for place in languages {
            if let Err(e) = Lang::parse(&place.value) {
                let d = Diagnostic::error(e).in_file(&self.path);
                problems.push(
                    place
                        .point(d, &self.text)
                        .with_hint(Lang::hint(&place.value)),
                );
                bad.push(place.value.clone());
            }
        }
        let drop_bad = |l: &mut Option<String>| {
            if l.as_ref().is_some_and(|l| bad.contains(l)) {
                *l = None;
            }
        };
        drop_bad(&mut self.book.language);
        self.articles
            .iter_mut()
            .for_each(|a| drop_bad(&mut a.language));
        if let Some(date) = &self.book.date {
            if let Err(e) = crate::dates::check_date(date) {
                let d =
                    Diagnostic::error(format!("`book.date` must be YYYY-MM-DD, a real day: {e}"))
                        .with_hint(
                            "a day from 0001-01-01 to 9999-12-31, e.g. date = \"2024-01-01\"",
                        );
                problems.push(self.at_place("book.date", d));
            }
        }
        if self.articles.is_empty()
            && !self.places.iter().any(|p| p.path == "article")
            && self.book.summary.is_none()
        {
            problems.push(
                Diagnostic::error("the manifest lists no articles")
                    .in_file(&self.path)
                    .with_hint("add one `[[article]]` table per source: source = \"sources/a.md\""),
            );
        }
        crate::editions::check(self, problems);
    }

    /// A diagnostic pointing at the first manifest line where `key` is set
    /// to a value containing `value` (or at the file when there is none).
    pub fn error_at(&self, key: &str, value: &str, message: impl Into<String>) -> Diagnostic {
        self.locate(Diagnostic::error(message), key, value)
    }

    pub fn warning_at(&self, key: &str, value: &str, message: impl Into<String>) -> Diagnostic {
        self.locate(Diagnostic::warning(message), key, value)
    }

    /// Points `d` at the `nth` (0-based) place where `key` is set to exactly
    /// `value`: the second listing of a source, not the first.
    pub fn nth_at(&self, key: &str, value: &str, nth: usize, d: Diagnostic) -> Diagnostic {
        let found = self
            .places
            .iter()
            .filter(|p| p.path.rsplit('.').next() == Some(key) && p.value == value)
            .nth(nth);
        match found {
            Some(place) => place.point(d.in_file(&self.path), &self.text),
            None => self.locate(d, key, value),
        }
    }

    /// Where the manifest sets `path` (`pdf.page`, `book.cover`), if it does.
    pub fn place(&self, path: &str) -> Option<&Place> {
        self.places.iter().find(|p| p.path == path)
    }

    /// Points `d` at the place of `path` in the manifest.
    pub fn at_place(&self, path: &str, d: Diagnostic) -> Diagnostic {
        match self.place(path) {
            Some(place) => place.point(d.in_file(&self.path), &self.text),
            None => d.in_file(&self.path),
        }
    }

    fn locate(&self, d: Diagnostic, key: &str, value: &str) -> Diagnostic {
        let d = d.in_file(&self.path);
        let named = |p: &&Place| p.path == key || p.path.rsplit('.').next() == Some(key);
        let found = self
            .places
            .iter()
            .filter(named)
            .find(|p| p.value == value)
            .or_else(|| {
                self.places
                    .iter()
                    .filter(named)
                    .find(|p| p.value.contains(value))
            });
        match found {
            Some(place) => place.point(d, &self.text),
            None => d,
        }
    }

    pub fn language(&self) -> Lang {
        self.book
            .language
            .as_deref()
            .and_then(|l| Lang::parse(l).ok())
            .unwrap_or_else(Lang::zh_hans)
    }

    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.root.join(p)
        }
    }

    pub fn output_dir(&self) -> PathBuf {
        self.resolve(self.output.dir.as_deref().unwrap_or(Path::new("out")))
    }

    pub fn output_stem(&self) -> String {
        self.output
            .stem
            .clone()
            .unwrap_or_else(|| "booklet".to_string())
    }
}

/// A Markdown or text source given where the manifest was expected.
fn not_a_manifest(path: &Path) -> Option<Diagnostic> {
    let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
    let kind = match ext.as_str() {
        "md" | "markdown" => "a Markdown source",
        "txt" => "a text source",
        "epub" | "pdf" => "an output of booklet",
        _ => return None,
    };
    Some(
        Diagnostic::error(format!("`{}` is {kind}, not a manifest", path.display()))
            .in_file(path)
            .with_hint(
                "pass the booklet.toml that lists it (or nothing, to use the one in this folder); \
             sources are listed there as [[article]] source = \"…\"",
            ),
    )
}

/// The manifest for a command given none: `booklet.toml` in `start` or the
/// nearest folder above it, as cargo finds `Cargo.toml`.
pub fn discover(start: &Path) -> Result<PathBuf, Diagnostic> {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    for dir in start.ancestors() {
        let candidate = dir.join("booklet.toml");
        if candidate.is_file() {
            // Shown relative to where the user is, as they would type it.
            return Ok(match candidate.strip_prefix(&start) {
                Ok(rel) => rel.to_path_buf(),
                Err(_) => relative_to(&candidate, &start),
            });
        }
    }
    Err(
        Diagnostic::error("no booklet.toml here or in any parent folder")
            .with_hint("create one with `booklet init`, or name the manifest: booklet check path/to/booklet.toml"),
    )
}

/// `target` as a path from `base` (`../booklet.toml`), both absolute.
fn relative_to(target: &Path, base: &Path) -> PathBuf {
    let mut up = PathBuf::new();
    for dir in base.ancestors() {
        if let Ok(rest) = target.strip_prefix(dir) {
            return up.join(rest);
        }
        up.push("..");
    }
    target.to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Manifest, Diagnostics> {
        Manifest::parse(s, Path::new("booklet.toml"))
    }

    #[test]
    fn minimal() {
        let m = parse("[book]\ntitle = \"T\"\n[[article]]\nsource = \"a.md\"\n").unwrap();
        assert_eq!(m.articles.len(), 1);
        assert_eq!(m.language().tag, "zh-Hans");
    }

    #[test]
    fn unknown_key_is_named_with_a_suggestion() {
        let err = parse("[book]\ntitel = \"T\"\n").unwrap_err();
        let text = err.iter().next().unwrap().to_string();
        assert!(text.contains("titel"), "{text}");
        assert!(text.contains("did you mean `title`"), "{text}");
        assert!(text.contains(":2:"), "{text}");
    }

    #[test]
    fn bad_language_and_no_articles_reported_together() {
        let err = parse("[book]\ntitle = \"T\"\nlanguage = \"chinese\"\n").unwrap_err();
        assert_eq!(err.errors().count(), 2);
    }
}
