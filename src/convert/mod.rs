//! Simplified ⇄ Traditional conversion, a stage on the document model
//! between the sources and the back ends: sources → model → convert →
//! typesetter and EPUB writer. Neither back end knows an edition was
//! converted.
//!
//! Phrases are converted as OpenCC 1.4.2 converts them, with its own
//! dictionaries and configurations ([`opencc`]), after the project's own
//! `[convert]` words. Code, URLs and
//! articles written in the other script are left as they are. Every
//! character with more than one possible conversion is recorded with its
//! file and line for an editor to review.

mod ambiguous;
pub mod opencc;
pub mod quotes;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use opencc::OpenCc;

pub use quotes::Quotes;

use crate::lang::{Lang, Script};
use crate::model::{Article, Block, BlockKind, Book, BookMeta, Inline};

/// An OpenCC configuration, by the name OpenCC gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Config {
    S2t,
    S2tw,
    S2twp,
    S2hk,
    T2s,
    Tw2s,
    Tw2sp,
    Hk2s,
    T2tw,
    Tw2t,
    T2hk,
    Hk2t,
}

const CONFIGS: &[(&str, Config)] = &[
    ("s2t", Config::S2t),
    ("s2tw", Config::S2tw),
    ("s2twp", Config::S2twp),
    ("s2hk", Config::S2hk),
    ("t2s", Config::T2s),
    ("tw2s", Config::Tw2s),
    ("tw2sp", Config::Tw2sp),
    ("hk2s", Config::Hk2s),
    ("t2tw", Config::T2tw),
    ("tw2t", Config::Tw2t),
    ("t2hk", Config::T2hk),
    ("hk2t", Config::Hk2t),
];

impl Config {
    pub fn parse(name: &str) -> Result<Config, String> {
        let name = name.trim().trim_end_matches(".json");
        CONFIGS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, c)| *c)
            .ok_or_else(|| {
                let names: Vec<&str> = CONFIGS.iter().map(|(n, _)| *n).collect();
                format!(
                    "`{name}` is not an OpenCC configuration booklet knows; use one of {}",
                    names.join(", ")
                )
            })
    }

    pub fn name(self) -> &'static str {
        CONFIGS
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("", |(n, _)| n)
    }

    /// The script the configuration reads.
    pub fn source_script(self) -> Script {
        if self.name().starts_with('s') {
            Script::Hans
        } else {
            Script::Hant
        }
    }

    /// The script it writes.
    pub fn target_script(self) -> Script {
        if self.name().ends_with('s') || self.name().ends_with("sp") {
            Script::Hans
        } else {
            Script::Hant
        }
    }

    /// The language of what it writes, when an edition does not say.
    pub fn default_language(self) -> Lang {
        let tag = match self {
            Config::S2t | Config::Hk2t | Config::Tw2t => "zh-Hant",
            Config::S2tw | Config::S2twp | Config::T2tw => "zh-Hant-TW",
            Config::S2hk | Config::T2hk => "zh-Hant-HK",
            _ => "zh-Hans",
        };
        Lang { tag: tag.into() }
    }
}

/// What an edition asks to be converted, and the project's own words.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    pub config: Config,
    /// Words left exactly as written.
    pub keep: Vec<String>,
    /// Words written as given, whatever OpenCC would do.
    pub replace: BTreeMap<String, String>,
}

/// A converter ready to run: OpenCC's dictionaries and the overrides.
pub struct Converter {
    opencc: OpenCc,
    config: Config,
    /// (word, replacement; `None` = keep), longest first so that the
    /// longest word wins where two start at the same place.
    overrides: Vec<(String, Option<String>)>,
}

/// Starts building the dictionaries of `configs` on a thread of their own,
/// unless they are built already: the phrase tables take a while, and a
/// build has other work (its sources and fonts to read) meanwhile. A
/// [`Converter`] made before they are done waits for them.
pub fn prepare(configs: Vec<Config>) {
    let configs: Vec<Config> = configs.into_iter().filter(|&c| !OpenCc::ready(c)).collect();
    if configs.is_empty() {
        return;
    }
    std::thread::spawn(move || {
        for config in configs {
            OpenCc::new(config);
        }
    });
}

impl Converter {
    pub fn new(conversion: &Conversion) -> Result<Converter, String> {
        let opencc = OpenCc::new(conversion.config);
        let mut overrides: Vec<(String, Option<String>)> = conversion
            .keep
            .iter()
            .map(|k| (k.clone(), None))
            .chain(
                conversion
                    .replace
                    .iter()
                    .map(|(k, v)| (k.clone(), Some(v.clone()))),
            )
            .filter(|(k, _)| !k.is_empty())
            .collect();
        overrides.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Ok(Converter {
            opencc,
            config: conversion.config,
            overrides,
        })
    }

    pub fn config(&self) -> Config {
        self.config
    }

    /// Converts running text: the project's words first, URLs untouched,
    /// the rest through OpenCC.
    pub fn convert(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + text.len() / 8);
        for (piece, kind) in split_urls(text) {
            if kind == Piece::Url {
                out.push_str(piece);
            } else {
                self.convert_words(piece, &mut out);
            }
        }
        out
    }

    fn convert_words(&self, text: &str, out: &mut String) {
        if self.overrides.is_empty() {
            self.opencc.convert_into(text, out);
            return;
        }
        let mut start = 0;
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            if let Some((word, with)) = self.overrides.iter().find(|(w, _)| rest.starts_with(w)) {
                self.opencc.convert_into(&text[start..i], out);
                out.push_str(with.as_deref().unwrap_or(word));
                i += word.len();
                start = i;
            } else {
                i += rest.chars().next().map_or(1, char::len_utf8);
            }
        }
        self.opencc.convert_into(&text[start..], out);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Text,
    Url,
}

/// Splits out `http://…`, `https://…` and `www.…` runs (see [`ends_url`]).
fn split_urls(text: &str) -> Vec<(&str, Piece)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        // URLs start with an ASCII letter, which is always a char boundary.
        if !matches!(bytes[i], b'h' | b'H' | b'w' | b'W') {
            i += 1;
            continue;
        }
        let rest = &text[i..];
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if at_word_start
            && (starts_with_ignore_case(rest, "http://")
                || starts_with_ignore_case(rest, "https://")
                || starts_with_ignore_case(rest, "www."))
        {
            let len = rest
                .char_indices()
                .find(|&(_, c)| ends_url(c))
                .map_or(rest.len(), |(at, _)| at);
            if start < i {
                pieces.push((&text[start..i], Piece::Text));
            }
            pieces.push((&text[i..i + len], Piece::Url));
            i += len;
            start = i;
        } else {
            i += 1;
        }
    }
    if start < text.len() {
        pieces.push((&text[start..], Piece::Text));
    }
    pieces
}

/// A URL may hold Chinese (an IRI), but not spaces or Chinese punctuation,
/// which in running text end it.
fn ends_url(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}' | '“' | '”' | '‘' | '’' | '<' | '>' | '"')
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// One converted character that had more than one possible conversion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub file: PathBuf,
    pub line: u32,
    pub from: char,
    /// What it became here ("?" when the phrase changed length and the
    /// character cannot be paired with one in the output).
    pub to: String,
    /// The words around it, converted.
    pub context: String,
}

/// What conversion did to one edition, for the build report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub config: Option<&'static str>,
    /// Characters that came out different.
    pub changed: usize,
    /// Articles left alone because they are written in the other script.
    pub left_alone: Vec<PathBuf>,
    pub reviews: Vec<Review>,
}

impl Report {
    /// One line for the build's output.
    pub fn summary(&self, review: Option<&Path>) -> String {
        let mut counts: BTreeMap<char, usize> = BTreeMap::new();
        for r in &self.reviews {
            *counts.entry(r.from).or_default() += 1;
        }
        let mut top: Vec<(char, usize)> = counts.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let listed: Vec<String> = top
            .iter()
            .take(8)
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        let mut line = format!(
            "{}: {} characters converted",
            self.config.unwrap_or("conversion"),
            self.changed
        );
        if !self.reviews.is_empty() {
            line.push_str(&format!(
                "; {} one-to-many to review ({}{})",
                self.reviews.len(),
                listed.join(", "),
                if top.len() > 8 { ", …" } else { "" }
            ));
            if let Some(path) = review {
                line.push_str(&format!(", listed in {}", path.display()));
            }
        }
        for source in &self.left_alone {
            line.push_str(&format!(
                "; {} left alone (written in the other script)",
                source.display()
            ));
        }
        line
    }

    /// The one-to-many characters, one line each, for an editor.
    pub fn review_text(&self) -> String {
        let mut by_char: BTreeMap<(char, &str), Vec<&Review>> = BTreeMap::new();
        for r in &self.reviews {
            by_char.entry((r.from, r.to.as_str())).or_default().push(r);
        }
        let mut out = String::new();
        for ((from, to), list) in by_char {
            out.push_str(&format!("{from}→{to} ({}×)\n", list.len()));
            for r in list {
                out.push_str(&format!(
                    "  {}:{}: {}\n",
                    r.file.display(),
                    r.line,
                    r.context
                ));
            }
        }
        out
    }
}

/// Source lines, read once per file, to turn a block's first line into the
/// line a character is on.
#[derive(Default)]
struct Lines {
    files: BTreeMap<PathBuf, Vec<String>>,
}

impl Lines {
    /// The first line at or after `from` whose text holds `needle`.
    fn find(&mut self, root: &Path, file: &Path, from: u32, needle: &str) -> u32 {
        let lines = self.files.entry(file.to_path_buf()).or_insert_with(|| {
            std::fs::read_to_string(root.join(file))
                .map(|t| t.lines().map(str::to_string).collect())
                .unwrap_or_default()
        });
        let start = from.saturating_sub(1) as usize;
        lines
            .iter()
            .enumerate()
            .skip(start)
            .take(200)
            .find(|(_, l)| l.contains(needle))
            .map_or(from, |(i, _)| i as u32 + 1)
    }
}

/// Converts a book for an edition written in `lang`: metadata and every
/// article in the configuration's source script; quotes are set in the
/// edition's style afterwards. `root` is where article sources are found
/// (for the review's line numbers).
pub fn convert_book(
    book: &Book,
    converter: Option<&Converter>,
    quotes: Option<Quotes>,
    lang: &Lang,
    root: &Path,
) -> (Book, Report) {
    let mut report = Report {
        config: converter.map(|c| c.config().name()),
        ..Report::default()
    };
    let base_lang = book.meta.lang.clone();
    let mut pass = Pass {
        converter,
        quotes,
        report: &mut report,
        lines: Lines::default(),
        root,
        file: PathBuf::new(),
        line: 1,
    };
    let mut out = book.clone();
    pass.meta(&mut out.meta);
    out.meta.lang = lang.clone();
    for article in &mut out.articles {
        let converts =
            converter.is_none_or(|c| article.lang.script() == c.config().source_script());
        if converts {
            if article.lang == base_lang || converter.is_some() {
                article.lang = lang.clone();
            }
            pass.converter = converter;
        } else {
            // Written in the other script: its words are left as they are,
            // but its quotes follow the edition.
            pass.report.left_alone.push(article.source.clone());
            pass.converter = None;
        }
        pass.article(article);
    }
    (out, report)
}

struct Pass<'a> {
    converter: Option<&'a Converter>,
    quotes: Option<Quotes>,
    report: &'a mut Report,
    lines: Lines,
    root: &'a Path,
    /// Where the text being converted comes from.
    file: PathBuf,
    line: u32,
}

impl Pass<'_> {
    fn meta(&mut self, meta: &mut BookMeta) {
        // Metadata has no source line to review; it is converted plainly.
        let saved = self.report.reviews.len();
        for field in [
            &mut meta.subtitle,
            &mut meta.editor,
            &mut meta.publisher,
            &mut meta.edition,
            &mut meta.description,
        ]
        .into_iter()
        .flatten()
        {
            *field = self.text(field);
        }
        meta.title = self.text(&meta.title);
        for s in meta.authors.iter_mut().chain(meta.subjects.iter_mut()) {
            *s = self.text(s);
        }
        self.report.reviews.truncate(saved);
    }

    fn article(&mut self, article: &mut Article) {
        self.file = article.source.clone();
        self.line = 1;
        article.title = self.text(&article.title);
        for field in [&mut article.author, &mut article.origin, &mut article.note]
            .into_iter()
            .flatten()
        {
            *field = self.text(field);
        }
        self.blocks(&mut article.blocks);
        for note in &mut article.footnotes {
            self.blocks(&mut note.blocks);
        }
    }

    fn blocks(&mut self, blocks: &mut [Block]) {
        for block in blocks {
            self.line = block.line;
            match &mut block.kind {
                BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => {
                    self.inlines(content)
                }
                BlockKind::Quote(inner) => self.blocks(inner),
                BlockKind::List { items, .. } => {
                    for item in items {
                        self.blocks(item);
                    }
                }
                // Code is quoted exactly.
                BlockKind::Code { .. } | BlockKind::Rule => {}
                BlockKind::Image { alt, caption, .. } => {
                    *alt = self.text(alt);
                    self.inlines(caption);
                }
                BlockKind::Table {
                    head,
                    rows,
                    pictures,
                    ..
                } => {
                    for cell in head.iter_mut().chain(rows.iter_mut().flatten()) {
                        self.inlines(cell);
                    }
                    for cell in pictures.iter_mut() {
                        self.blocks(std::slice::from_mut(&mut cell.picture));
                    }
                }
            }
        }
    }

    fn inlines(&mut self, inlines: &mut [Inline]) {
        // Quotes pair across inline boundaries (“**重点**”), so the quote
        // pass sees the run's whole text.
        for inline in inlines.iter_mut() {
            match inline {
                Inline::Text(t) => *t = self.convert(t),
                Inline::Emphasis(c) | Inline::Strong(c) | Inline::Link { content: c, .. } => {
                    self.inlines(c)
                }
                Inline::Code(_) | Inline::FootnoteRef(_) | Inline::LineBreak => {}
            }
        }
        if let Some(q) = self.quotes {
            quotes::apply(inlines, q);
        }
    }

    /// Metadata-like text: converted, quotes set.
    fn text(&mut self, text: &str) -> String {
        let converted = self.convert(text);
        match self.quotes {
            Some(q) => quotes::apply_str(&converted, q),
            None => converted,
        }
    }

    fn convert(&mut self, text: &str) -> String {
        let Some(converter) = self.converter else {
            return text.to_string();
        };
        let out = converter.convert(text);
        self.review(text, &out, converter.config());
        out
    }

    /// Records every one-to-many character of `from` with what it became.
    fn review(&mut self, from: &str, to: &str, config: Config) {
        let table = ambiguous::table(config.source_script());
        if !from.chars().any(|c| table.contains_key(&c)) {
            return;
        }
        let (src, out): (Vec<char>, Vec<char>) = (from.chars().collect(), to.chars().collect());
        let aligned = src.len() == out.len();
        for (i, &c) in src.iter().enumerate() {
            if !table.contains_key(&c) {
                continue;
            }
            let (lo, hi) = (i.saturating_sub(4), (i + 5).min(src.len()));
            let context: String = if aligned {
                out[lo..hi].iter().collect()
            } else {
                to.chars().take(40).collect()
            };
            let needle: String = src[i.saturating_sub(1)..(i + 2).min(src.len())]
                .iter()
                .collect();
            let line = self.lines.find(self.root, &self.file, self.line, &needle);
            self.report.reviews.push(Review {
                file: self.file.clone(),
                line,
                from: c,
                to: if aligned {
                    out[i].to_string()
                } else {
                    "?".into()
                },
                context,
            });
        }
        self.report.changed += src
            .iter()
            .zip(&out)
            .filter(|(a, b)| a != b)
            .count()
            .max(usize::from(!aligned));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converter(config: &str, keep: &[&str], replace: &[(&str, &str)]) -> Converter {
        Converter::new(&Conversion {
            config: Config::parse(config).unwrap(),
            keep: keep.iter().map(|s| s.to_string()).collect(),
            replace: replace
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        })
        .unwrap()
    }

    #[test]
    fn phrases_not_characters() {
        let c = converter("s2t", &[], &[]);
        assert_eq!(c.convert("头发和发展"), "頭髮和發展");
        assert_eq!(c.convert("皇后在后面"), "皇后在後面");
        let tw = converter("s2twp", &[], &[]);
        assert_eq!(tw.convert("软件和鼠标"), "軟體和滑鼠");
        let s = converter("tw2sp", &[], &[]);
        assert_eq!(s.convert("軟體和滑鼠"), "软件和鼠标");
    }

    #[test]
    fn overrides_and_urls() {
        let c = converter("s2t", &["天后"], &[("后", "後")]);
        assert_eq!(c.convert("天后在后面"), "天后在後面");
        let c = converter("s2t", &[], &[]);
        assert_eq!(
            c.convert("见 https://example.com/后台 与 www.a.cn/发，后"),
            "見 https://example.com/后台 與 www.a.cn/发，後"
        );
    }

    #[test]
    fn config_names_and_scripts() {
        assert!(Config::parse("s2x").is_err());
        let c = Config::parse("s2twp").unwrap();
        assert_eq!(
            (c.source_script(), c.target_script()),
            (Script::Hans, Script::Hant)
        );
        let c = Config::parse("tw2sp").unwrap();
        assert_eq!(
            (c.source_script(), c.target_script()),
            (Script::Hant, Script::Hans)
        );
        assert_eq!(Config::parse("hk2t").unwrap().target_script(), Script::Hant);
        assert_eq!(
            Config::parse("t2hk").unwrap().default_language().tag,
            "zh-Hant-HK"
        );
    }
}
