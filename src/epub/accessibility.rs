//! EPUB Accessibility 1.1 discovery metadata, decided by what the book
//! holds: a book with pictures is not "textual only", alternative text is
//! claimed only when every picture has a description, and conformance
//! (`dcterms:conformsTo`) only when the checks below hold.

use std::fmt::Write;
use std::path::PathBuf;

use crate::diag::Diagnostic;
use crate::epub::xhtml::escape;
use crate::labels::Labels;
use crate::model::{Block, BlockKind, Book};

/// The conformance claim, exactly as EPUB Accessibility 1.1 spells it.
pub const CONFORMS_TO: &str = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA";

/// What the book holds that its accessibility metadata depends on.
#[derive(Debug, Default)]
pub struct Facts {
    pub pictures: usize,
    /// Pictures without a description: (source file, line, picture).
    pub undescribed: Vec<(PathBuf, u32, PathBuf)>,
    pub tables: usize,
    /// Tables without a header row (screen readers cannot name a cell).
    pub headless_tables: Vec<(PathBuf, u32)>,
    /// Whether the EPUB carries the print edition's page list.
    pub page_list: bool,
}

impl Facts {
    pub fn gather(book: &Book, page_list: bool) -> Facts {
        let mut facts = Facts {
            page_list,
            ..Facts::default()
        };
        for article in &book.articles {
            facts.blocks(&article.source, &article.blocks);
            for note in &article.footnotes {
                facts.blocks(&article.source, &note.blocks);
            }
        }
        facts
    }

    fn blocks(&mut self, source: &std::path::Path, blocks: &[Block]) {
        for block in blocks {
            match &block.kind {
                BlockKind::Image { path, alt, .. } => {
                    self.pictures += 1;
                    if alt.trim().is_empty() {
                        self.undescribed
                            .push((source.to_path_buf(), block.line, path.clone()));
                    }
                }
                BlockKind::Table { head, pictures, .. } => {
                    for cell in pictures {
                        self.blocks(source, std::slice::from_ref(&cell.picture));
                    }
                    self.tables += 1;
                    if head.is_empty() {
                        self.headless_tables
                            .push((source.to_path_buf(), block.line));
                    }
                }
                BlockKind::Quote(inner) => self.blocks(source, inner),
                BlockKind::List { items, .. } => {
                    for item in items {
                        self.blocks(source, item);
                    }
                }
                _ => {}
            }
        }
    }

    /// Everything the book offers is described in text and structured:
    /// the EPUB meets EPUB Accessibility 1.1 at WCAG 2.1 AA (the rest of
    /// what that takes is how every booklet EPUB is written, and checked by
    /// tests/accessibility.rs with DAISY Ace).
    pub fn conforms(&self) -> bool {
        self.undescribed.is_empty() && self.headless_tables.is_empty()
    }

    /// A warning at each picture without a description.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        self.undescribed
            .iter()
            .map(|(source, line, picture)| {
                let name = picture
                    .file_name()
                    .map_or_else(|| picture.display().to_string(), |n| n.to_string_lossy().into_owned());
                Diagnostic::warning(format!(
                    "picture `{name}` has no description: a screen reader can only say that a picture is there"
                ))
                .in_file(source)
                .at_line(*line)
                .with_hint(format!(
                    "describe what it shows: ![描述]({name}) or <img alt=\"描述\">"
                ))
            })
            .collect()
    }

    /// The package's `<meta>` lines. `book_lang` is the package's
    /// `xml:lang`; the summary is written in the book's script.
    pub fn metadata(&self, labels: &Labels, book_lang: &str, certifier: &str) -> String {
        let mut modes = vec!["textual"];
        if self.pictures > 0 {
            modes.push("visual");
        }
        let mut sufficient = Vec::new();
        if self.undescribed.is_empty() {
            sufficient.push("textual".to_string());
        }
        if self.pictures > 0 {
            sufficient.push("textual,visual".to_string());
        }
        let mut features = vec!["tableOfContents", "readingOrder", "structuralNavigation"];
        if self.pictures > 0 && self.undescribed.is_empty() {
            features.push("alternativeText");
        }
        if self.page_list {
            // printPageNumbers is the deprecated name of pageBreakMarkers.
            features.extend(["pageBreakMarkers", "pageNavigation"]);
        }

        let s = &labels.summary;
        let mut summary = String::from(s.text);
        if self.pictures > 0 {
            summary.push_str(if self.undescribed.is_empty() {
                s.pictures_described
            } else {
                s.pictures_undescribed
            });
        }
        if self.tables > 0 && self.headless_tables.is_empty() {
            summary.push_str(s.tables);
        }
        if self.page_list {
            summary.push_str(s.page_list);
        }
        if self.conforms() {
            summary.push_str(s.conforms);
        }

        let mut out = String::new();
        for mode in modes {
            let _ = writeln!(
                out,
                "    <meta property=\"schema:accessMode\">{mode}</meta>"
            );
        }
        for set in sufficient {
            let _ = writeln!(
                out,
                "    <meta property=\"schema:accessModeSufficient\">{set}</meta>"
            );
        }
        for feature in features {
            let _ = writeln!(
                out,
                "    <meta property=\"schema:accessibilityFeature\">{feature}</meta>"
            );
        }
        out.push_str("    <meta property=\"schema:accessibilityHazard\">none</meta>\n");
        // The summary's words are Chinese even in a book tagged otherwise.
        let summary_lang = if book_lang.eq_ignore_ascii_case("zh")
            || book_lang.to_ascii_lowercase().starts_with("zh-")
        {
            String::new()
        } else {
            format!(" xml:lang=\"{}\"", labels.lang)
        };
        let _ = writeln!(
            out,
            "    <meta property=\"schema:accessibilitySummary\"{summary_lang}>{}</meta>",
            escape(&summary)
        );
        if self.conforms() {
            let _ = writeln!(
                out,
                "    <meta property=\"dcterms:conformsTo\" id=\"conformance\">{CONFORMS_TO}</meta>"
            );
            let _ = writeln!(
                out,
                "    <meta property=\"a11y:certifiedBy\" refines=\"#conformance\">{}</meta>",
                escape(certifier)
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::for_script;
    use crate::lang::Script;

    #[test]
    fn pictures_change_the_access_modes_and_the_claim() {
        let text = Facts::default();
        let meta = text.metadata(for_script(Script::Hans), "zh-Hans", "booklet");
        assert!(!meta.contains(">visual<"));
        assert!(meta.contains(CONFORMS_TO));
        assert!(!meta.contains("alternativeText"));

        let described = Facts {
            pictures: 2,
            ..Facts::default()
        };
        let meta = described.metadata(for_script(Script::Hant), "zh-Hant", "booklet");
        assert!(meta.contains("accessMode\">visual<"));
        assert!(meta.contains("alternativeText"));
        assert!(meta.contains("圖片均附有文字說明"));
        assert!(meta.contains(CONFORMS_TO));

        let undescribed = Facts {
            pictures: 1,
            undescribed: vec![("a.md".into(), 3, "x.png".into())],
            ..Facts::default()
        };
        let meta = undescribed.metadata(for_script(Script::Hans), "en", "booklet");
        assert!(!meta.contains("alternativeText"));
        assert!(!meta.contains("conformsTo"));
        assert!(!meta.contains("accessModeSufficient\">textual<"));
        assert!(meta.contains("xml:lang=\"zh-Hans\""));
        let warning = &undescribed.warnings()[0];
        assert_eq!(warning.line, Some(3));
        assert!(warning.message.contains("x.png"));
    }

    #[test]
    fn a_page_list_is_announced() {
        let facts = Facts {
            page_list: true,
            ..Facts::default()
        };
        let meta = facts.metadata(for_script(Script::Hans), "zh-Hans", "booklet");
        assert!(meta.contains("pageBreakMarkers"));
        assert!(meta.contains("pageNavigation"));
    }
}
