//! `booklet.toml`: what the user asks for. Parsed strictly (unknown keys are
//! errors with a suggestion) and resolved against the manifest's folder.

use serde::Deserialize;
use std::path::{Path, PathBuf};

use crate::diag::{self, Diagnostic, Diagnostics};
use crate::lang::Lang;

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
    /// The folder the manifest lives in; every relative path starts here.
    #[serde(skip)]
    pub root: PathBuf,
    /// The manifest file itself, for diagnostics.
    #[serde(skip)]
    pub path: PathBuf,
    /// Its text, to point diagnostics at the right line.
    #[serde(skip)]
    pub text: String,
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleEntry {
    pub source: PathBuf,
    pub title: Option<String>,
    pub language: Option<String>,
}

const KEYS: &[&str] = &[
    "book",
    "fonts",
    "style",
    "output",
    "pdf",
    "article",
    "title",
    "subtitle",
    "authors",
    "editor",
    "publisher",
    "language",
    "date",
    "edition",
    "description",
    "subjects",
    "identifier",
    "cover",
    "body",
    "heading",
    "fallback",
    "dirs",
    "name",
    "dir",
    "stem",
    "page",
    "margin_inner_mm",
    "margin_outer_mm",
    "margin_top_mm",
    "margin_bottom_mm",
    "body_size_pt",
    "line_height",
    "toc_depth",
    "right_hand_start",
    "source",
];

impl Manifest {
    /// Reads and checks a manifest; every problem found is returned together.
    pub fn load(path: &Path) -> Result<Manifest, Diagnostics> {
        let text = std::fs::read(path).map_err(|e| {
            Diagnostic::error(format!("cannot read the manifest: {e}")).in_file(path)
        })?;
        let text = String::from_utf8(text)
            .map_err(|_| Diagnostic::error("the manifest is not UTF-8 text").in_file(path))?;
        let mut manifest = Manifest::parse(&text, path)?;
        manifest.path = path.to_path_buf();
        manifest.text = text;
        manifest.root = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        Ok(manifest)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Manifest, Diagnostics> {
        let mut manifest: Manifest =
            toml::from_str(text).map_err(|e| toml_error(&e, text, path))?;
        manifest.path = path.to_path_buf();
        manifest.text = text.to_string();
        let mut problems = Diagnostics::default();
        let at_key = |key: &str, message: String| {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(key))
                .map(|i| i as u32 + 1);
            let mut d = Diagnostic::error(message).in_file(path);
            if let Some(line) = line {
                d = d.at_line(line).with_snippet(diag::line_text(text, line));
            }
            d
        };
        if manifest.book.title.trim().is_empty() {
            problems.push(at_key("title", "`book.title` is empty".into()));
        }
        if let Some(lang) = &manifest.book.language {
            if let Err(e) = Lang::parse(lang) {
                problems.push(at_key("language", e));
            }
        }
        for a in &manifest.articles {
            if let Some(lang) = &a.language {
                if let Err(e) = Lang::parse(lang) {
                    problems.push(at_key("language", e));
                }
            }
        }
        if let Some(date) = &manifest.book.date {
            if !is_iso_date(date) {
                problems.push(at_key(
                    "date",
                    format!("`book.date` must be YYYY-MM-DD, not `{date}`"),
                ));
            }
        }
        if manifest.articles.is_empty() {
            problems.push(
                Diagnostic::error("the manifest lists no articles")
                    .in_file(path)
                    .with_hint("add one `[[article]]` table per source: source = \"sources/a.md\""),
            );
        }
        if problems.has_errors() {
            return Err(problems);
        }
        Ok(manifest)
    }

    /// A diagnostic pointing at the first manifest line where `key` is set
    /// to a value containing `value` (or at the file when there is none).
    pub fn error_at(&self, key: &str, value: &str, message: impl Into<String>) -> Diagnostic {
        self.locate(Diagnostic::error(message), key, value)
    }

    pub fn warning_at(&self, key: &str, value: &str, message: impl Into<String>) -> Diagnostic {
        self.locate(Diagnostic::warning(message), key, value)
    }

    fn locate(&self, d: Diagnostic, key: &str, value: &str) -> Diagnostic {
        let d = d.in_file(&self.path);
        let found = self.text.lines().position(|l| {
            let l = l.trim_start();
            l.starts_with(key) && l[key.len()..].trim_start().starts_with('=') && l.contains(value)
        });
        match found {
            Some(i) => {
                let line = i as u32 + 1;
                d.at_line(line)
                    .with_snippet(diag::line_text(&self.text, line))
            }
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

pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

fn toml_error(e: &toml::de::Error, text: &str, path: &Path) -> Diagnostic {
    let message = e.message().trim().to_string();
    let mut d = Diagnostic::error(message.clone()).in_file(path);
    if let Some(span) = e.span() {
        let (line, col) = diag::line_col(text, span.start);
        d = d.at(line, col).with_snippet(diag::line_text(text, line));
    }
    if message.starts_with("missing field `title`") {
        d = d.with_hint("every manifest needs `title = \"…\"` under `[book]`");
    }
    // "unknown field `titel`, expected one of …": offer the closest key.
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some(key) = rest.split('`').next() {
            if let Some(s) = diag::suggest(key, KEYS) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            }
        }
    }
    d
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
