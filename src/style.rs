//! The style: one definition of the values both back ends share (sizes,
//! indent, page), read from `styles/<name>.toml`, with the manifest's `[pdf]`
//! table applied on top.

use serde::Deserialize;
use std::path::{Path, PathBuf};

use crate::cover::{Colour, Rgb};
use crate::diag::{self, Diagnostic, Diagnostics};
use crate::manifest::Manifest;
use crate::model::Tone;

/// The shipped styles, built in so that a manifest anywhere can use them.
const SHIPPED: &[(&str, &str, &str)] = &[
    (
        "default",
        include_str!("../styles/default.toml"),
        include_str!("../styles/default.css"),
    ),
    (
        "large-print",
        include_str!("../styles/large-print.toml"),
        include_str!("../styles/large-print.css"),
    ),
    (
        "handout",
        include_str!("../styles/handout.toml"),
        include_str!("../styles/handout.css"),
    ),
];

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Style {
    pub text: TextStyle,
    pub page: PageStyle,
    pub epub: EpubStyle,
    /// How tables look (a three-line table by default).
    #[serde(default)]
    pub table: TableStyle,
    /// The generated cover's design and colours.
    #[serde(default)]
    pub cover: crate::cover::CoverStyle,
    /// How highlighted code looks.
    #[serde(default)]
    pub highlight: HighlightStyle,
    /// Block quotes' face and size.
    #[serde(default)]
    pub quote: QuoteStyle,
    /// How an article's closing note (作者系……) is set.
    #[serde(default)]
    pub note: NoteStyle,
    /// Settings for one page size (`[sizes.A4]`), used when the page is
    /// that size and the manifest's `[pdf]` does not set them.
    #[serde(default)]
    pub sizes: std::collections::BTreeMap<String, SizeStyle>,
    /// The extra CSS named by `epub.css`, loaded.
    #[serde(skip)]
    pub extra_css: String,
    /// The TOML this style was read from, to point errors at its lines.
    #[serde(skip)]
    source_text: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TextStyle {
    pub body_size_pt: f32,
    pub line_height: f32,
    pub indent_em: f32,
    pub title_scale: f32,
    pub heading_scales: Vec<f32>,
    pub quote_indent_em: f32,
    /// Code's size as a multiple of the body size: that of its ideographs,
    /// two columns each; its Latin letters take one column.
    #[serde(default = "default_code_scale")]
    pub code_scale: f32,
    /// How dates print in Chinese text (bylines): 2022年2月9日 by default.
    #[serde(default)]
    pub dates: crate::dates::DateStyle,
    /// The mark before each item of a bulleted list.
    #[serde(default = "default_bullet")]
    pub bullet: String,
}

fn default_bullet() -> String {
    "●".to_string()
}

fn default_code_scale() -> f32 {
    0.9
}

/// Tables: a three-line table (三线表) by default, a thick rule above and
/// below, a thin one under the header, nothing between body rows.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TableStyle {
    /// Table text size as a multiple of the body size.
    pub scale: f32,
    /// The top and bottom rules, in points.
    pub thick_rule_pt: f32,
    /// The rule under the header, in points.
    pub thin_rule_pt: f32,
    /// A rule between body rows, in points; 0 for none.
    pub row_rule_pt: f32,
    /// Every other body row on a light tint.
    pub row_tint: bool,
}

impl Default for TableStyle {
    fn default() -> TableStyle {
        TableStyle {
            scale: 0.9,
            thick_rule_pt: 1.0,
            thin_rule_pt: 0.5,
            row_rule_pt: 0.0,
            row_tint: false,
        }
    }
}

/// A style's `[highlight]` table: the colour of each kind of code token
/// (see [`crate::source::highlight`]). The defaults are dark enough to
/// read at 4.5:1 or better on code's tint, in colour and in greyscale
/// print, where keywords still stand out by their weight.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HighlightStyle {
    /// `false` sets all code in the text colour.
    pub enabled: bool,
    /// Keywords in the monospace face's bold.
    pub bold_keywords: bool,
    pub keyword: Colour,
    #[serde(rename = "type")]
    pub type_name: Colour,
    /// Functions and macros.
    pub name: Colour,
    pub string: Colour,
    pub number: Colour,
    pub comment: Colour,
    /// Attributes, annotations, preprocessor lines.
    pub meta: Colour,
}

impl Default for HighlightStyle {
    fn default() -> HighlightStyle {
        HighlightStyle {
            enabled: true,
            bold_keywords: true,
            keyword: Colour(Rgb(0x8b, 0x1a, 0x4a)),
            type_name: Colour(Rgb(0x1f, 0x4e, 0x8c)),
            name: Colour(Rgb(0x5b, 0x2a, 0x86)),
            string: Colour(Rgb(0x1d, 0x6b, 0x34)),
            number: Colour(Rgb(0x8a, 0x45, 0x00)),
            comment: Colour(Rgb(0x5f, 0x66, 0x70)),
            meta: Colour(Rgb(0x6b, 0x5a, 0x00)),
        }
    }
}

impl HighlightStyle {
    /// The colour of a token of `tone`; `None` when highlighting is off.
    pub fn colour(&self, tone: Tone) -> Option<Rgb> {
        if !self.enabled {
            return None;
        }
        let Colour(rgb) = match tone {
            Tone::Keyword => self.keyword,
            Tone::Type => self.type_name,
            Tone::Name => self.name,
            Tone::String => self.string,
            Tone::Number => self.number,
            Tone::Comment => self.comment,
            Tone::Meta => self.meta,
        };
        Some(rgb)
    }

    /// Whether a token of `tone` is set in bold.
    pub fn bold(&self, tone: Tone) -> bool {
        self.enabled && self.bold_keywords && tone == Tone::Keyword
    }

    /// The EPUB's rules for the token classes.
    fn css(&self) -> String {
        if !self.enabled {
            return String::new();
        }
        let mut css = String::new();
        for tone in Tone::ALL {
            let Some(Rgb(r, g, b)) = self.colour(tone) else {
                continue;
            };
            let weight = if self.bold(tone) {
                " font-weight: bold;"
            } else {
                ""
            };
            css.push_str(&format!(
                "pre span.{} {{ color: #{r:02x}{g:02x}{b:02x};{weight} }}\n",
                tone.class()
            ));
        }
        css
    }
}

/// A style's `[quote]` table: block quotes in a face of their own (a Kai
/// or Fangsong face, as Chinese publishers set them), or, where that face
/// is not found, in the body face a little smaller.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct QuoteStyle {
    /// The family; empty for the body face.
    pub family: String,
    /// Quote text size as a multiple of the body size, in `family`.
    pub scale: f32,
    /// The size in the body face, when `family` is empty or not found.
    pub fallback_scale: f32,
}

impl Default for QuoteStyle {
    fn default() -> QuoteStyle {
        QuoteStyle {
            family: crate::fonts::QUOTE_FAMILY.to_string(),
            scale: 1.0,
            fallback_scale: 0.9,
        }
    }
}

/// Where an article's closing note stands.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum NoteAlign {
    /// Flush right, as Chinese journals set 作者系…….
    Right,
    /// Flush left.
    Left,
    /// Flush left below a short rule.
    Rule,
}

/// A style's `[note]` table: the article's closing note (front matter
/// `note`, or a last paragraph that begins with one of `starts`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct NoteStyle {
    /// Set in full-width parentheses （……）.
    pub parentheses: bool,
    /// Size as a multiple of the body size.
    pub scale: f32,
    pub align: NoteAlign,
    /// A last paragraph of an article that begins so (brackets aside) is
    /// its note.
    pub starts: Vec<String>,
}

impl Default for NoteStyle {
    fn default() -> NoteStyle {
        NoteStyle {
            parentheses: true,
            scale: 0.9,
            align: NoteAlign::Right,
            starts: ["作者系", "作者為", "作者为", "作者單位", "作者单位"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// Settings a style gives one page size: a wider page wants wider margins
/// or a larger size to keep lines short enough to read.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SizeStyle {
    pub body_size_pt: Option<f32>,
    pub line_height: Option<f32>,
    pub margin_inner_mm: Option<f32>,
    pub margin_outer_mm: Option<f32>,
    pub margin_top_mm: Option<f32>,
    pub margin_bottom_mm: Option<f32>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PageStyle {
    pub size: String,
    pub margin_inner_mm: f32,
    pub margin_outer_mm: f32,
    pub margin_top_mm: f32,
    pub margin_bottom_mm: f32,
    pub toc_depth: u8,
    pub right_hand_start: bool,
    /// What the PDF conforms to: "ua-1+a-2" (tagged, the default) or
    /// "none".
    #[serde(default = "default_standard")]
    pub standard: String,
}

fn default_standard() -> String {
    crate::pdf::conformance::Standard::NAMES[0].to_string()
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EpubStyle {
    pub css: Option<String>,
}

impl TextStyle {
    /// Size multiple for a heading of `level` (1-based).
    pub fn heading_scale(&self, level: u8) -> f32 {
        let i = (level.max(1) - 1) as usize;
        self.heading_scales
            .get(i)
            .or(self.heading_scales.last())
            .copied()
            .unwrap_or(1.0)
    }
}

impl PageStyle {
    /// Page width and height in mm.
    pub fn size_mm(&self) -> Result<(f32, f32), String> {
        parse_page_size(&self.size)
    }
}

pub fn parse_page_size(size: &str) -> Result<(f32, f32), String> {
    match size.trim().to_ascii_uppercase().as_str() {
        "A4" => Ok((210.0, 297.0)),
        "A5" => Ok((148.0, 210.0)),
        "A6" => Ok((105.0, 148.0)),
        "B5" => Ok((176.0, 250.0)),
        "B6" => Ok((125.0, 176.0)),
        "16K" => Ok((185.0, 260.0)),
        "32K" => Ok((130.0, 184.0)),
        other => {
            let (w, h) = other
                .trim_end_matches("MM")
                .split_once('X')
                .ok_or_else(|| {
                    format!("unknown page size `{size}` (A4, A5, B5 or e.g. 148x210)")
                })?;
            let w: f32 = w
                .trim()
                .parse()
                .map_err(|_| format!("bad page width in `{size}`"))?;
            let h: f32 = h
                .trim()
                .parse()
                .map_err(|_| format!("bad page height in `{size}`"))?;
            if !(50.0..=1000.0).contains(&w) || !(50.0..=1000.0).contains(&h) {
                return Err(format!("page size `{size}` must be between 50 and 1000 mm"));
            }
            Ok((w, h))
        }
    }
}

/// A style file's text (TOML or CSS).
fn read_text(path: &Path) -> Result<String, String> {
    let bytes = crate::input::read(path, crate::input::Kind::Style).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
}

/// The accepted range of every number a style or the manifest's `[pdf]`
/// table sets: key, least, most, unit, hint.
const RANGES: &[(&str, f32, f32, &str, &str)] = &[
    (
        "body_size_pt",
        4.0,
        72.0,
        " pt",
        "10.5 is the usual size for an A5 booklet",
    ),
    (
        "line_height",
        1.0,
        4.0,
        " × the body size",
        "1.7 suits Chinese text",
    ),
    (
        "indent_em",
        0.0,
        4.0,
        " em",
        "clreq indents paragraphs by 2 em",
    ),
    (
        "title_scale",
        0.5,
        4.0,
        " × the body size",
        "the default is 1.6",
    ),
    (
        "heading_scales",
        0.5,
        4.0,
        " × the body size",
        "the default is [1.3, 1.15, 1.05]",
    ),
    ("quote_indent_em", 0.0, 4.0, " em", "the default is 2"),
    (
        "code_scale",
        0.5,
        2.0,
        " × the body size",
        "the default is 0.9",
    ),
    (
        "scale",
        0.5,
        2.0,
        " × the body size",
        "a size as a multiple of the body size: tables, notes 0.9",
    ),
    (
        "fallback_scale",
        0.5,
        2.0,
        " × the body size",
        "quotes in the body face are set at 0.9 of the body size by default",
    ),
    (
        "thick_rule_pt",
        0.0,
        5.0,
        " pt",
        "a three-line table's top and bottom rules are 1 pt by default",
    ),
    (
        "thin_rule_pt",
        0.0,
        5.0,
        " pt",
        "the rule under a table's header is 0.5 pt by default",
    ),
    (
        "row_rule_pt",
        0.0,
        5.0,
        " pt",
        "0 leaves body rows unruled, as a three-line table has them",
    ),
    (
        "margin_inner_mm",
        0.0,
        200.0,
        " mm",
        "margins are in millimetres",
    ),
    (
        "margin_outer_mm",
        0.0,
        200.0,
        " mm",
        "margins are in millimetres",
    ),
    (
        "margin_top_mm",
        0.0,
        200.0,
        " mm",
        "margins are in millimetres",
    ),
    (
        "margin_bottom_mm",
        0.0,
        200.0,
        " mm",
        "margins are in millimetres",
    ),
];

/// The problem of page, margins and sizes together, blamed on the first of
/// [`SIZES`] that is set.
const TEXT_AREA: &str = "text area";

const SIZES: [&str; 11] = [
    "page",
    "margin_inner_mm",
    "margin_outer_mm",
    "margin_top_mm",
    "margin_bottom_mm",
    "body_size_pt",
    "line_height",
    "indent_em",
    "quote_indent_em",
    "title_scale",
    "heading_scales",
];

/// `d` at the first line of the style's `text` that sets one of `keys`
/// (the page size is `size` in a style, `page` in the manifest).
fn at_style_key(d: Diagnostic, text: &str, keys: &[&str]) -> Diagnostic {
    let line = text.lines().position(|l| {
        keys.iter().any(|key| {
            let key = if *key == "page" { "size" } else { key };
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
    });
    match line {
        Some(i) => {
            let line = i as u32 + 1;
            d.at_line(line).with_snippet(diag::line_text(text, line))
        }
        None => d,
    }
}

impl Style {
    /// Loads the manifest's style: `styles/<name>.toml` beside the manifest,
    /// else a shipped one; then applies `[pdf]` overrides.
    pub fn load(manifest: &Manifest) -> Result<Style, Diagnostics> {
        let name = manifest.style.name.as_deref().unwrap_or("default");
        let local: PathBuf = manifest.root.join("styles").join(format!("{name}.toml"));
        let (mut style, css_dir) = if local.exists() {
            let text = read_text(&local).map_err(|e| {
                Diagnostic::error(format!("cannot read the style: {e}")).in_file(&local)
            })?;
            let style = parse(&text, &local)?;
            let dir = local.parent().unwrap_or(Path::new(".")).to_path_buf();
            (style, Some(dir))
        } else if let Some((_, toml, css)) = SHIPPED.iter().find(|(n, _, _)| *n == name) {
            let mut s = parse(toml, &Path::new("styles").join(format!("{name}.toml")))?;
            s.extra_css = css.to_string();
            (s, None)
        } else {
            let known: Vec<&str> = SHIPPED.iter().map(|(n, _, _)| *n).collect();
            let d = Diagnostic::error(format!("no style named `{name}`"));
            return Err(manifest
                .at_place("style.name", d)
                .with_hint(format!(
                    "put styles/{name}.toml beside the manifest, or use one of: {}",
                    known.join(", ")
                ))
                .into());
        };
        if let (Some(dir), Some(css)) = (css_dir, style.epub.css.clone()) {
            let path = dir.join(&css);
            style.extra_css = read_text(&path).map_err(|e| {
                Diagnostic::error(format!("cannot read the style's CSS `{css}`: {e}"))
                    .in_file(&path)
            })?;
        }
        let file = if local.is_file() {
            &local
        } else {
            &manifest.path
        };
        style.with_overrides(manifest, file)
    }

    /// The manifest's `[pdf]` values applied on top, then every value
    /// checked; a value not set by the manifest is reported in `file`.
    pub fn with_overrides(
        mut self,
        manifest: &Manifest,
        file: &Path,
    ) -> Result<Style, Diagnostics> {
        let style = &mut self;
        let pdf = &manifest.pdf;
        if let Some(p) = &pdf.page {
            style.page.size = p.clone();
        }
        style.apply_size_settings();
        let page = &mut style.page;
        let overrides = [
            (pdf.margin_inner_mm, &mut page.margin_inner_mm),
            (pdf.margin_outer_mm, &mut page.margin_outer_mm),
            (pdf.margin_top_mm, &mut page.margin_top_mm),
            (pdf.margin_bottom_mm, &mut page.margin_bottom_mm),
        ];
        for (value, slot) in overrides {
            if let Some(v) = value {
                *slot = v;
            }
        }
        if let Some(d) = pdf.toc_depth {
            page.toc_depth = d;
        }
        if let Some(r) = pdf.right_hand_start {
            page.right_hand_start = r;
        }
        if let Some(s) = &pdf.standard {
            page.standard.clone_from(s);
        }
        if let Some(s) = pdf.body_size_pt {
            style.text.body_size_pt = s;
        }
        if let Some(l) = pdf.line_height {
            style.text.line_height = l;
        }
        let mut problems = Diagnostics::default();
        for (key, message, hint) in style.check() {
            let d = Diagnostic::error(message).with_hint(hint);
            // The fix is where the value was set: the manifest's [pdf]
            // table, else the style file, at the key's line.
            let keys: &[&str] = if key == TEXT_AREA { &SIZES } else { &[key] };
            let in_manifest = keys
                .iter()
                .find(|k| manifest.place(&format!("pdf.{k}")).is_some());
            let d = match in_manifest {
                Some(k) => manifest.at_place(&format!("pdf.{k}"), d),
                None if file != manifest.path => {
                    at_style_key(d.in_file(file), &self.source_text, keys)
                }
                None => d.in_file(file),
            };
            problems.push(d);
        }
        if problems.has_errors() {
            return Err(problems);
        }
        Ok(self)
    }

    /// The style's `[sizes.X]` settings for the page size in use, over
    /// its own (the manifest's `[pdf]` values go over both).
    fn apply_size_settings(&mut self) {
        let Ok(page) = self.page.size_mm() else {
            return;
        };
        let Some(size) = self
            .sizes
            .iter()
            .find(|(name, _)| parse_page_size(name) == Ok(page))
            .map(|(_, size)| size.clone())
        else {
            return;
        };
        let (t, p) = (&mut self.text, &mut self.page);
        let settings = [
            (size.body_size_pt, &mut t.body_size_pt),
            (size.line_height, &mut t.line_height),
            (size.margin_inner_mm, &mut p.margin_inner_mm),
            (size.margin_outer_mm, &mut p.margin_outer_mm),
            (size.margin_top_mm, &mut p.margin_top_mm),
            (size.margin_bottom_mm, &mut p.margin_bottom_mm),
        ];
        for (value, slot) in settings {
            if let Some(v) = value {
                *slot = v;
            }
        }
    }

    /// Every value out of range: (the `[pdf]` or style key that sets it,
    /// message, hint). Every number is checked, so that no NaN, infinity
    /// or absurd size reaches a content stream or the CSS.
    fn check(&self) -> Vec<(&'static str, String, String)> {
        let mut problems = Vec::new();
        let size = match self.page.size_mm() {
            Ok(size) => Some(size),
            Err(e) => {
                problems.push((
                    "page",
                    e,
                    "use A4, A5, A6, B5, B6, 16K, 32K, or WIDTHxHEIGHT in mm such as \"148x210\""
                        .to_string(),
                ));
                None
            }
        };
        let t = &self.text;
        let p = &self.page;
        let scales = t.heading_scales.iter().map(|&s| ("heading_scales", s));
        let numbers = [
            ("body_size_pt", t.body_size_pt),
            ("line_height", t.line_height),
            ("indent_em", t.indent_em),
            ("title_scale", t.title_scale),
            ("quote_indent_em", t.quote_indent_em),
            ("code_scale", t.code_scale),
            ("scale", self.table.scale),
            ("scale", self.quote.scale),
            ("fallback_scale", self.quote.fallback_scale),
            ("scale", self.note.scale),
            ("thick_rule_pt", self.table.thick_rule_pt),
            ("thin_rule_pt", self.table.thin_rule_pt),
            ("row_rule_pt", self.table.row_rule_pt),
            ("margin_inner_mm", p.margin_inner_mm),
            ("margin_outer_mm", p.margin_outer_mm),
            ("margin_top_mm", p.margin_top_mm),
            ("margin_bottom_mm", p.margin_bottom_mm),
        ];
        let mut numbers_ok = true;
        for (key, value) in numbers.into_iter().chain(scales) {
            let Some(&(_, min, max, unit, hint)) = RANGES.iter().find(|r| r.0 == key) else {
                continue;
            };
            if !(min..=max).contains(&value) {
                numbers_ok = false;
                problems.push((
                    key,
                    format!(
                        "`{key}` = {value} is out of range: it must be from {min} to {max}{unit}"
                    ),
                    hint.to_string(),
                ));
            }
        }
        if let (Some((w, h)), true) = (size, numbers_ok) {
            if let Some((message, hint)) = self.text_area_problem(w, h) {
                problems.push((TEXT_AREA, message, hint));
            }
        }
        if !(1..=3).contains(&p.toc_depth) {
            problems.push((
                "toc_depth",
                format!("toc_depth {} must be 1, 2 or 3", p.toc_depth),
                "1 lists articles, 2 adds their sections, 3 their subsections".to_string(),
            ));
        }
        let standards = crate::pdf::conformance::Standard::NAMES;
        if crate::pdf::conformance::Standard::parse(&p.standard).is_none() {
            problems.push((
                "standard",
                format!("standard {:?} is not one booklet writes", p.standard),
                format!(
                    "\"{}\" (tagged, PDF/UA-1 and PDF/A-2a, the default) or \"{}\" (untagged, smaller)",
                    standards[0], standards[1]
                ),
            ));
        }
        problems
    }

    /// The text area must hold a few lines of the largest text: a page
    /// that cannot would leave the page breaker nowhere to put them.
    fn text_area_problem(&self, w: f32, h: f32) -> Option<(String, String)> {
        let p = &self.page;
        let t = &self.text;
        let text_w = w - p.margin_inner_mm - p.margin_outer_mm;
        let text_h = h - p.margin_top_mm - p.margin_bottom_mm;
        let em = t.body_size_pt * 25.4 / 72.0;
        let largest = t
            .heading_scales
            .iter()
            .copied()
            .fold(t.title_scale.max(1.0), f32::max);
        // Four characters of body text beside the indents and of the
        // largest heading; ten lines of body text, and the title page's
        // title with room to spare.
        let need_w = (em * (4.0 + t.indent_em + 2.0 * t.quote_indent_em)).max(4.0 * em * largest);
        let need_h = (10.0 * em * t.line_height).max(4.0 * em * largest * 1.45);
        (text_w < need_w || text_h < need_h).then(|| {
            (
                format!(
                    "the margins leave a text area of {text_w:.0} × {text_h:.0} mm on a {w:.0} × {h:.0} mm page; \
                     at {} pt it must be at least {need_w:.0} × {need_h:.0} mm",
                    t.body_size_pt
                ),
                "use smaller margins or body size, or a larger page".to_string(),
            )
        })
    }

    /// CSS for the EPUB: the shared values first, then the style's own CSS.
    /// Font faces are declared by the EPUB writer, which knows the files.
    pub fn css(&self) -> String {
        let t = &self.text;
        let mut css = format!(
            "body {{ line-height: {lh}; margin: 0 0.5em; }}\n\
             p {{ text-indent: {indent}em; text-align: justify; margin: 0; line-break: strict; }}\n\
             h1, h2, h3, h4, h5, h6, strong, b, th {{ font-weight: bold; }}\n\
             h1 {{ font-size: {title}em; line-height: 1.3; }}\n\
             em {{ font-style: normal; text-emphasis: filled dot; -webkit-text-emphasis: filled dot; text-emphasis-position: under right; -webkit-text-emphasis-position: under right; }}\n",
            lh = t.line_height,
            indent = t.indent_em,
            title = t.title_scale,
        );
        for level in 1..=3u8 {
            css.push_str(&format!(
                "h{} {{ font-size: {}em; line-height: 1.4; }}\n",
                level + 1,
                t.heading_scale(level)
            ));
        }
        css.push_str(&format!(
            "blockquote {{ margin-left: {q}em; margin-right: {q}em; }}\n",
            q = t.quote_indent_em
        ));
        css.push_str(&format!("pre {{ font-size: {}em; }}\n", t.code_scale));
        css.push_str(&self.note_css());
        css.push_str(&self.table_css());
        css.push_str(&self.highlight.css());
        // The bullet as the PDF sets it, smaller than the text; readers
        // without string markers keep their disc.
        let bullet: String = t
            .bullet
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '"' | '\\'))
            .collect();
        if !bullet.is_empty() {
            css.push_str(&format!(
                "ul {{ list-style-type: \"{bullet}\u{3000}\"; }}\nul > li::marker {{ font-size: 0.6em; }}\n"
            ));
        }
        css.push_str(&self.extra_css);
        css
    }
}

impl Style {
    /// The closing note as the PDF sets it: smaller, its lines but the
    /// last justified, the last flush right or left, a short rule above.
    fn note_css(&self) -> String {
        let n = &self.note;
        let last = match n.align {
            NoteAlign::Right => "right",
            NoteAlign::Left | NoteAlign::Rule => "left",
        };
        let mut css = format!(
            "p.note {{ text-indent: 0; font-size: {}em; margin-top: 1.5em; text-align: justify; text-align-last: {last}; }}\n",
            n.scale
        );
        if n.align == NoteAlign::Rule {
            css.push_str(
                "p.note::before { content: \"\"; display: block; width: 4em; border-top: 0.5pt solid; margin-bottom: 0.5em; }\n",
            );
        }
        css
    }

    /// The three-line table (三线表) from `[table]`, as the PDF draws it:
    /// rules only above, under the header and below, cells padded by half
    /// an em, the header centred unless the Markdown aligns its column.
    fn table_css(&self) -> String {
        let t = &self.table;
        let mut css = format!(
            "table {{ border-collapse: collapse; margin: 1em auto; font-size: {scale}em; \
             border-top: {thick}pt solid; border-bottom: {thick}pt solid; }}\n\
             th, td {{ border: none; padding: 0.2em 0.5em; text-indent: 0; vertical-align: top; }}\n\
             th {{ text-align: center; }}\n\
             td {{ text-align: left; }}\n\
             thead th {{ border-bottom: {thin}pt solid; }}\n\
             td a, td code {{ overflow-wrap: anywhere; }}\n\
             th.short, td.short {{ white-space: nowrap; }}\n\
             th img, td img {{ max-width: 100%; height: auto; }}\n",
            scale = t.scale,
            thick = t.thick_rule_pt,
            thin = t.thin_rule_pt,
        );
        if t.row_rule_pt > 0.0 {
            css.push_str(&format!(
                "tbody tr + tr td {{ border-top: {}pt solid; }}\n",
                t.row_rule_pt
            ));
        }
        if t.row_tint {
            css.push_str("tbody tr:nth-child(even) td { background-color: #eee; }\n");
        }
        css
    }
}

/// A style's TOML text, unchecked until [`Style::with_overrides`].
pub fn parse(text: &str, path: &Path) -> Result<Style, Diagnostic> {
    let parsed: Result<Style, _> = toml::from_str(text);
    parsed
        .map(|style| Style {
            source_text: text.to_string(),
            ..style
        })
        .map_err(|e| {
            let mut d =
                Diagnostic::error(format!("invalid style: {}", e.message().trim())).in_file(path);
            if let Some(span) = e.span() {
                let (line, col) = diag::line_col(text, span.start);
                d = d.at(line, col).with_snippet(diag::line_text(text, line));
            }
            d
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_style_parses_and_sizes() {
        let s = parse(SHIPPED[0].1, Path::new("x")).unwrap();
        assert_eq!(s.page.size_mm().unwrap(), (148.0, 210.0));
        assert!(s.check().is_empty());
        assert_eq!(parse_page_size("b5").unwrap(), (176.0, 250.0));
        assert_eq!(parse_page_size("100x150").unwrap(), (100.0, 150.0));
        assert!(parse_page_size("Letterish").is_err());
    }
}
