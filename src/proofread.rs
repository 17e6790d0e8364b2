//! What a proofreader would flag in the loaded sources, as warnings with
//! file and line: the importer's suspicious-text checks (mojibake, text
//! that stops mid-sentence, unpaired quotes) run again, since sources are
//! edited by hand after import, and Traditional text set as Simplified.

use crate::diag::{Diagnostic, Diagnostics};
use crate::import::script::{Charsets, Script};
use crate::import::{suspicious, Block as TextBlock, Line, Report};
use crate::lang::Script as LangScript;
use crate::model::{plain_text, Article, Block, BlockKind};

/// Warnings about one loaded article.
pub fn check_article(article: &Article, diags: &mut Diagnostics) {
    let mut charsets = Charsets;
    let file = article.source.display().to_string();
    let blocks = text_blocks(&article.blocks);
    let all: String = blocks.iter().map(|b| b.text.as_str()).collect();
    let script = charsets.script(&all);
    if script == Script::Traditional && article.lang.script() == LangScript::Hans {
        diags.push(
            Diagnostic::warning(format!(
                "the article is written in Traditional characters but set as {}",
                article.lang
            ))
            .in_file(&article.source)
            .at_line(1)
            .with_hint(
                "add `language: zh-Hant` to its front matter (or language = \"zh-Hant\" to its \
                 [[article]] entry) for Traditional glyphs and punctuation",
            ),
        );
    }
    let mut report = Report::default();
    let mut lines: Vec<Line> = blocks.iter().map(|b| Line::new(b.line, &b.text)).collect();
    suspicious::mojibake(&mut lines, script, &mut charsets, &file, &mut report);
    suspicious::unbalanced_quotes(&blocks, &file, &mut report);
    // Only prose can be cut off mid-sentence: an article may well end on a
    // list, a table or a picture, or on a note in brackets (（作者系……）).
    if matches!(
        article.blocks.last().map(|b| &b.kind),
        Some(BlockKind::Paragraph(c)) if !crate::notes::bracketed(&plain_text(c))
    ) {
        suspicious::truncated(&blocks, &file, &mut report);
    }
    for w in report.warnings {
        // The importer repairs what it can read back; here the source stays
        // as it is, so the repair is only a suggestion.
        let message = w
            .message
            .replace(" repaired as ", " reads back as ")
            .replace(": check it", ": fix the source");
        diags.push(
            Diagnostic::warning(message)
                .in_file(&article.source)
                .at_line(w.line),
        );
    }
}

/// Paragraphs and headings as the importer's checks see them.
fn text_blocks(blocks: &[Block]) -> Vec<TextBlock> {
    crate::source::all_blocks(blocks)
        .into_iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Paragraph(content) => Some(TextBlock::new(b.line, &plain_text(content))),
            BlockKind::Heading { level, content, .. } => Some(TextBlock {
                heading: Some(*level),
                ..TextBlock::new(b.line, &plain_text(content))
            }),
            _ => None,
        })
        .collect()
}
