//! The editions one manifest asks for: `[[edition]]` tables (language,
//! conversion, quotes, formats, page setup, imposition, writing mode) and the
//! `[convert]` overrides they share. With no `[[edition]]` the manifest is
//! one edition, built exactly as it always was.
//!
//! Parsing lives here rather than in `manifest.rs` so that manifest error
//! reporting and editions can change independently; the manifest only holds
//! the two fields and calls [`check`].

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::convert::{self, Conversion, Quotes};
use crate::diag::{Diagnostic, Diagnostics};
use crate::impose::{Imposition, Layout, Sheet};
use crate::lang::{Lang, Script};
use crate::manifest::{Manifest, PdfSection};
use crate::typeset::cover::COVER_PAGES;

/// One `[[edition]]` table, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditionEntry {
    /// Chosen with `--edition NAME`; also the default output stem suffix.
    pub name: String,
    /// BCP 47: zh-Hans, zh-Hant, zh-Hant-TW, zh-Hant-HK…; defaults to what
    /// `convert` produces, else the book's language.
    pub language: Option<String>,
    /// An OpenCC configuration: s2t, s2tw, s2twp, s2hk, t2s, tw2s, tw2sp, …
    pub convert: Option<String>,
    /// "“”" or "「」": the quotation marks of this edition.
    pub quotes: Option<String>,
    /// Which outputs: ["epub", "pdf"] (the default: both).
    pub formats: Option<Vec<String>>,
    /// File stem; default `<[output] stem>-<name>`.
    pub stem: Option<String>,
    /// A style other than the book's.
    pub style: Option<String>,
    /// Print settings over the book's `[pdf]`, key by key.
    pub pdf: Option<PdfSection>,
    /// "saddle", "2up" or "4up": also write `<stem>-imposed.pdf`.
    pub imposition: Option<String>,
    /// Sheet for the imposed PDF: A4, A3, Letter, or `WxH` in mm.
    pub sheet: Option<String>,
    /// Saddle stitch: how far each inner sheet's pages move toward the fold.
    pub creep_mm: Option<f32>,
    /// Bleed around every page on the sheet (content of the page beyond
    /// the trim is kept up to this far).
    pub bleed_mm: Option<f32>,
    pub crop_marks: Option<bool>,
    /// Print the reading copy's cover on the first sheet too.
    pub impose_cover: Option<bool>,
    /// "horizontal" (default) or "vertical" (EPUB only; the PDF stays horizontal).
    pub writing: Option<String>,
}

/// `[convert]`: the project's own words, applied before OpenCC's dictionaries.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvertSection {
    /// Words never converted (e.g. 皇后, where 后 must stay).
    #[serde(default)]
    pub keep: Vec<String>,
    /// Words always converted to the given text.
    #[serde(default)]
    pub replace: BTreeMap<String, String>,
}

/// The manifest tables this module reads.
pub const TABLES: &[&str] = &["edition", "convert"];

/// Reads one `[[edition]]` or the `[convert]` table on its own: an error
/// message and a hint when it cannot be read (an unknown key, a wrong type).
pub fn read_table(name: &str, value: toml::Value) -> Result<(), (String, Option<String>)> {
    let result = if name == "edition" {
        value.try_into::<EditionEntry>().map(drop)
    } else {
        value.try_into::<ConvertSection>().map(drop)
    };
    let header = if name == "edition" {
        "[[edition]]"
    } else {
        "[convert]"
    };
    result.map_err(|e| {
        let message = e.message().trim().to_string();
        let hint = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next())
            .and_then(|key| crate::diag::suggest(key, KEYS))
            .map(|k| format!("did you mean `{k}`?"))
            .or_else(|| {
                (name == "edition" && message.contains("missing field `name`"))
                    .then(|| "every edition needs name = \"…\"".to_string())
            });
        (format!("in {header}: {message}"), hint)
    })
}

/// Keys of `[[edition]]` and `[convert]`, for "did you mean" hints.
pub const KEYS: &[&str] = &[
    "name",
    "language",
    "stem",
    "convert",
    "quotes",
    "formats",
    "style",
    "pdf",
    "imposition",
    "sheet",
    "creep_mm",
    "bleed_mm",
    "crop_marks",
    "impose_cover",
    "writing",
    "keep",
    "replace",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writing {
    Horizontal,
    /// Top to bottom, columns right to left (EPUB only).
    Vertical,
}

/// One edition, resolved: the manifest as this edition sees it (language,
/// style, `[pdf]`, stem) and what is done to the book on the way.
#[derive(Debug, Clone)]
pub struct Edition {
    /// `None` for the single edition of a manifest without `[[edition]]`.
    pub name: Option<String>,
    pub manifest: Manifest,
    pub conversion: Option<Conversion>,
    pub quotes: Option<Quotes>,
    pub epub: bool,
    pub pdf: bool,
    pub imposition: Option<Layout>,
    pub writing: Writing,
}

impl Edition {
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or("booklet")
    }

    /// Everything that shapes this edition's model and rendering, so that
    /// two editions that would render the same file render it once.
    pub fn render_key(&self) -> String {
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            self.manifest.book,
            self.manifest.style.name,
            self.manifest.pdf,
            self.conversion,
            self.quotes,
            self.writing,
            self.name.is_some(),
        )
    }
}

/// Starts building the conversion dictionaries `manifest`'s editions (or
/// only the one named) ask for, see [`convert::prepare`]; a configuration
/// misspelt is left for [`resolve`] to report.
pub fn prepare_conversions(manifest: &Manifest, only: Option<&str>) {
    let configs = manifest
        .editions
        .iter()
        .filter(|e| only.is_none_or(|name| e.name == name))
        .filter_map(|e| convert::Config::parse(e.convert.as_deref()?).ok())
        .collect();
    convert::prepare(configs);
}

/// Checks every `[[edition]]` and `[convert]`; problems go to `problems`.
pub fn check(manifest: &Manifest, problems: &mut Diagnostics) {
    let mut seen = std::collections::HashSet::new();
    for entry in &manifest.editions {
        if let Err(d) = resolve_entry(manifest, entry) {
            problems.push(d);
        }
        if !seen.insert(entry.name.as_str()) {
            problems.push(manifest.error_at(
                "name",
                &entry.name,
                format!("two editions are named `{}`", entry.name),
            ));
        }
    }
    for key in manifest
        .convert
        .keep
        .iter()
        .chain(manifest.convert.replace.keys())
    {
        if key.is_empty() {
            problems.push(manifest.error_at(
                "keep",
                "",
                "`[convert]` lists an empty word; remove it",
            ));
        }
    }
}

/// The editions to build: every `[[edition]]`, or the one named `only`, or
/// the manifest itself when it has none.
pub fn resolve(manifest: &Manifest, only: Option<&str>) -> Result<Vec<Edition>, Diagnostic> {
    if manifest.editions.is_empty() {
        if let Some(name) = only {
            return Err(Diagnostic::error(format!(
                "no edition named `{name}`: the manifest has no [[edition]] tables"
            ))
            .in_file(&manifest.path));
        }
        return Ok(vec![Edition {
            name: None,
            manifest: manifest.clone(),
            conversion: None,
            quotes: None,
            epub: true,
            pdf: true,
            imposition: None,
            writing: Writing::Horizontal,
        }]);
    }
    if let Some(name) = only {
        if !manifest.editions.iter().any(|e| e.name == name) {
            let names: Vec<&str> = manifest.editions.iter().map(|e| e.name.as_str()).collect();
            let mut hint = format!("the manifest has: {}", names.join(", "));
            if let Some(s) = crate::diag::suggest(name, &names) {
                hint = format!("did you mean `{s}`? {hint}");
            }
            return Err(Diagnostic::error(format!("no edition named `{name}`"))
                .in_file(&manifest.path)
                .with_hint(hint));
        }
    }
    manifest
        .editions
        .iter()
        .filter(|e| only.is_none_or(|n| n == e.name))
        .map(|e| resolve_entry(manifest, e))
        .collect()
}

fn resolve_entry(manifest: &Manifest, entry: &EditionEntry) -> Result<Edition, Diagnostic> {
    let at = |key: &str, value: &str, message: String| manifest.error_at(key, value, message);
    let name = entry.name.trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return Err(at(
            "name",
            &entry.name,
            format!(
                "edition name `{}` must be letters, digits, `-` or `_` (it names files and `--edition`)",
                entry.name
            ),
        ));
    }
    let config = match &entry.convert {
        None => None,
        Some(c) => Some(convert::Config::parse(c).map_err(|e| at("convert", c, e))?),
    };
    let language = match (&entry.language, config) {
        (Some(l), _) => Lang::parse(l).map_err(|e| at("language", l, e))?,
        (None, Some(c)) => c.default_language(),
        (None, None) => manifest.language(),
    };
    if let Some(c) = config {
        if language.script() != c.target_script() {
            let (l, want) = (&language.tag, script_name(c.target_script()));
            return Err(at(
                "convert",
                c.name(),
                format!(
                    "edition `{name}` converts with `{}` to {want} but its language is `{l}`",
                    c.name()
                ),
            ));
        }
    }
    let quotes = match &entry.quotes {
        None => None,
        Some(q) => Some(Quotes::parse(q).map_err(|e| at("quotes", q, e))?),
    };
    let (mut epub, mut pdf) = (true, true);
    if let Some(formats) = &entry.formats {
        (epub, pdf) = (false, false);
        for f in formats {
            match f.as_str() {
                "epub" => epub = true,
                "pdf" => pdf = true,
                other => {
                    return Err(at(
                        "formats",
                        other,
                        format!("unknown format `{other}`: use \"epub\" and/or \"pdf\""),
                    ))
                }
            }
        }
        if !epub && !pdf {
            return Err(at(
                "formats",
                "[",
                format!("edition `{name}` has no formats"),
            ));
        }
    }
    let writing = match entry.writing.as_deref() {
        None | Some("horizontal") => Writing::Horizontal,
        Some("vertical") => Writing::Vertical,
        Some(other) => {
            return Err(at(
                "writing",
                other,
                format!("`writing` is \"horizontal\" or \"vertical\", not `{other}`"),
            ))
        }
    };
    // “” lie across a vertical column; corner brackets turn with it.
    let quotes = quotes.or((writing == Writing::Vertical).then_some(Quotes::Corner));
    let reading_cover = entry
        .pdf
        .as_ref()
        .and_then(|p| p.cover)
        .or(manifest.pdf.cover)
        .unwrap_or(true);
    let imposition = match &entry.imposition {
        None => {
            for (key, set) in [
                ("sheet", entry.sheet.is_some()),
                ("creep_mm", entry.creep_mm.is_some()),
                ("bleed_mm", entry.bleed_mm.is_some()),
                ("crop_marks", entry.crop_marks.is_some()),
                ("impose_cover", entry.impose_cover.is_some()),
            ] {
                if set {
                    return Err(at(
                        key,
                        "",
                        format!("`{key}` of edition `{name}` needs `imposition`"),
                    ));
                }
            }
            None
        }
        Some(kind) => {
            if !pdf {
                return Err(at(
                    "imposition",
                    kind,
                    format!("edition `{name}` imposes pages but builds no PDF"),
                ));
            }
            let imposition = Imposition::parse(kind).map_err(|e| at("imposition", kind, e))?;
            let sheet = match &entry.sheet {
                Some(s) => Sheet::parse(s).map_err(|e| at("sheet", s, e))?,
                None => Sheet::default_for(imposition),
            };
            let mm = |key: &str, v: Option<f32>, max: f32| -> Result<f32, Diagnostic> {
                let v = v.unwrap_or(0.0);
                if !(0.0..=max).contains(&v) || !v.is_finite() {
                    return Err(at(
                        key,
                        "",
                        format!("`{key}` must be between 0 and {max} mm, not {v}"),
                    ));
                }
                Ok(v)
            };
            Some(Layout {
                imposition,
                sheet,
                creep_mm: mm("creep_mm", entry.creep_mm, 5.0)?,
                bleed_mm: mm("bleed_mm", entry.bleed_mm, 10.0)?,
                crop_marks: entry.crop_marks.unwrap_or(false),
                // A handout's sheets, printed on office paper that cannot
                // print to the edge, leave the reading copy's cover and its
                // verso out unless asked.
                leave_out: if reading_cover && !entry.impose_cover.unwrap_or(false) {
                    COVER_PAGES
                } else {
                    0
                },
            })
        }
    };
    let mut derived = manifest.clone();
    derived.editions.clear();
    derived.book.language = Some(language.tag.clone());
    if let Some(style) = &entry.style {
        derived.style.name = Some(style.clone());
    }
    if let Some(over) = &entry.pdf {
        merge_pdf(&mut derived.pdf, over);
    }
    derived.output.stem = Some(
        entry
            .stem
            .clone()
            .unwrap_or_else(|| format!("{}-{name}", manifest.output_stem())),
    );
    let same_text = config.is_none()
        && quotes.is_none()
        && writing == Writing::Horizontal
        && language == manifest.language();
    if derived.book.identifier.is_none() && !same_text {
        // Another text is another publication to a reading system; an
        // edition of the same text (a handout, another page size) keeps
        // the book's identifier, so its reading PDF is the same file.
        let seed = format!(
            "booklet:{}:{}:{}:{}:{:?}:{:?}",
            manifest.book.title,
            manifest.book.edition.as_deref().unwrap_or(""),
            language.tag,
            config.map_or("", |c| c.name()),
            quotes,
            writing,
        );
        derived.book.identifier = Some(
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, seed.as_bytes())
                .urn()
                .to_string(),
        );
    }
    Ok(Edition {
        name: Some(name.to_string()),
        conversion: config.map(|config| Conversion {
            config,
            keep: manifest.convert.keep.clone(),
            replace: manifest.convert.replace.clone(),
        }),
        manifest: derived,
        quotes,
        epub,
        pdf,
        imposition,
        writing,
    })
}

fn merge_pdf(base: &mut PdfSection, over: &PdfSection) {
    fn set<T: Clone>(slot: &mut Option<T>, v: &Option<T>) {
        if v.is_some() {
            slot.clone_from(v);
        }
    }
    set(&mut base.page, &over.page);
    set(&mut base.margin_inner_mm, &over.margin_inner_mm);
    set(&mut base.margin_outer_mm, &over.margin_outer_mm);
    set(&mut base.margin_top_mm, &over.margin_top_mm);
    set(&mut base.margin_bottom_mm, &over.margin_bottom_mm);
    set(&mut base.body_size_pt, &over.body_size_pt);
    set(&mut base.line_height, &over.line_height);
    set(&mut base.toc_depth, &over.toc_depth);
    set(&mut base.right_hand_start, &over.right_hand_start);
    set(&mut base.standard, &over.standard);
    set(&mut base.cover, &over.cover);
}

fn script_name(s: Script) -> &'static str {
    match s {
        Script::Hans => "Simplified (zh-Hans)",
        Script::Hant => "Traditional (zh-Hant…)",
    }
}

/// The style files editions name, for the watcher.
pub fn files(manifest: &Manifest) -> Vec<PathBuf> {
    manifest
        .editions
        .iter()
        .filter_map(|e| e.style.as_ref())
        .flat_map(|s| {
            let dir = manifest.root.join("styles");
            [dir.join(format!("{s}.toml")), dir.join(format!("{s}.css"))]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn manifest(extra: &str) -> Result<Manifest, Diagnostics> {
        Manifest::parse(
            &format!("[book]\ntitle = \"T\"\n[[article]]\nsource = \"a.md\"\n{extra}"),
            Path::new("booklet.toml"),
        )
    }

    #[test]
    fn no_editions_is_the_manifest_itself() {
        let m = manifest("").unwrap();
        let e = resolve(&m, None).unwrap();
        assert_eq!(e.len(), 1);
        assert!(e[0].name.is_none() && e[0].conversion.is_none());
        assert_eq!(e[0].manifest.output_stem(), "booklet");
        assert!(resolve(&m, Some("tw")).is_err());
    }

    #[test]
    fn editions_resolve_with_defaults() {
        let m = manifest(
            "[[edition]]\nname = \"tw\"\nconvert = \"s2twp\"\nquotes = \"「」\"\n\
             [[edition]]\nname = \"handout\"\nformats = [\"pdf\"]\nimposition = \"saddle\"\n\
             [edition.pdf]\npage = \"A5\"\n[convert]\nkeep = [\"皇后\"]\n",
        )
        .unwrap();
        let e = resolve(&m, None).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].manifest.language().tag, "zh-Hant-TW");
        assert_eq!(e[0].manifest.output_stem(), "booklet-tw");
        assert_eq!(e[0].conversion.as_ref().unwrap().keep, ["皇后"]);
        assert_eq!(e[0].quotes, Some(Quotes::Corner));
        assert!(!e[1].epub && e[1].pdf && e[1].imposition.is_some());
        assert_eq!(e[1].manifest.pdf.page.as_deref(), Some("A5"));
        assert!(e[0].manifest.book.identifier.is_some());
        assert!(
            e[1].manifest.book.identifier.is_none(),
            "same text, same identifier"
        );
        assert_eq!(resolve(&m, Some("handout")).unwrap().len(), 1);
        // The sheets leave the reading copy's cover out unless asked, and
        // there is none to leave out when the PDF has no cover.
        let leave_out = |extra: &str| {
            let m = manifest(&format!(
                "[[edition]]\nname = \"h\"\nimposition = \"2up\"\n{extra}"
            ))
            .unwrap();
            resolve(&m, None).unwrap()[0]
                .imposition
                .as_ref()
                .unwrap()
                .leave_out
        };
        assert_eq!(leave_out(""), 2);
        assert_eq!(leave_out("impose_cover = true\n"), 0);
        assert_eq!(leave_out("[edition.pdf]\ncover = false\n"), 0);
        let err = resolve(&m, Some("handot")).unwrap_err();
        assert!(err.to_string().contains("did you mean `handout`"), "{err}");
    }

    #[test]
    fn bad_editions_are_named_with_their_line() {
        for (extra, needle) in [
            ("[[edition]]\nname = \"x\"\nconvert = \"s2x\"\n", "s2x"),
            (
                "[[edition]]\nname = \"x\"\nconvert = \"s2tw\"\nlanguage = \"zh-Hans\"\n",
                "zh-Hans",
            ),
            ("[[edition]]\nname = \"x\"\nquotes = \"<>\"\n", "quotes"),
            ("[[edition]]\nname = \"x\"\nimposition = \"8up\"\n", "8up"),
            ("[[edition]]\nname = \"x\"\nformats = [\"mobi\"]\n", "mobi"),
            (
                "[[edition]]\nname = \"x\"\nsheet = \"A4\"\n",
                "needs `imposition`",
            ),
            ("[[edition]]\nname = \"a b\"\n", "must be letters"),
            (
                "[[edition]]\nname = \"x\"\n[[edition]]\nname = \"x\"\n",
                "two editions",
            ),
            (
                "[[edition]]\nname = \"x\"\nwriting = \"diagonal\"\n",
                "diagonal",
            ),
            (
                "[[edition]]\nname = \"x\"\nconvrt = \"s2t\"\n",
                "did you mean `convert`",
            ),
            ("[convert]\nkeep = \"皇后\"\n", "[convert]"),
        ] {
            let err = manifest(extra).unwrap_err();
            let text = err.iter().next().unwrap().to_string();
            assert!(text.contains(needle), "{extra}: {text}");
            assert!(text.contains("booklet.toml:"), "{extra}: {text}");
        }
    }
}
