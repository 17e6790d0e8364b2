//! Markdown (pulldown-cmark events) to model blocks, with the Chinese rules
//! applied once, here:
//! - a soft line break between two CJK characters becomes nothing;
//! - `**“强调”**`-style emphasis, which CommonMark's flanking rules leave as
//!   literal asterisks next to CJK punctuation, is paired up again;
//! - raw HTML is reduced to its text (`<br>` to a line break), so no markup,
//!   script or event handler reaches an output.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use super::html_img::{self, image_path};
use crate::cjk;
use crate::model::{Align, Block, BlockKind, CellPicture, Footnote, Inline};

/// What a Markdown body turns into.
#[derive(Debug, Default)]
pub struct Parsed {
    pub blocks: Vec<Block>,
    pub footnotes: Vec<Footnote>,
    /// Footnote references with no definition: (label, line).
    pub undefined_footnotes: Vec<(String, u32)>,
    /// What was repaired or left out, for warnings: (line, message).
    pub warnings: Vec<(u32, String)>,
}

/// Parses `body`; `first_line` is the line number of its first line in the
/// file, `base` the folder images are resolved against.
pub fn parse(body: &str, first_line: u32, base: &Path) -> Parsed {
    parse_mapped(body, first_line, None, base)
}

/// [`parse`] of a body some of whose lines were put in by directives:
/// `lines[i]` is the file's line for the body's line `i`.
pub fn parse_mapped(body: &str, first_line: u32, lines: Option<&[u32]>, base: &Path) -> Parsed {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH;
    let mut builder = Builder {
        src: body,
        line_starts: std::iter::once(0)
            .chain(body.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
        first_line,
        line_map: lines,
        base,
        stack: vec![Frame::blocks(Container::Root, 1)],
        footnote_numbers: HashMap::new(),
        footnote_defs: HashMap::new(),
        footnote_refs: Vec::new(),
        text_run: 0..0,
        warnings: Vec::new(),
        skip_html_depth: 0,
        opened: Vec::new(),
    };
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        builder.event(event, range);
    }
    builder.finish()
}

/// An inline element before CJK fix-ups are applied.
#[derive(Debug, Clone)]
enum Raw {
    Done(Inline),
    SoftBreak,
    /// Literal `*`/`_` run that CommonMark did not pair.
    Delim(char, usize),
    Image {
        url: String,
        alt: String,
        title: String,
        line: u32,
        /// From HTML `<img width>`.
        width: Option<u32>,
        /// An HTML `<img>`, whose `alt` is no caption.
        html: bool,
    },
}

#[derive(Debug)]
enum Container {
    Root,
    Quote,
    List(Option<u64>),
    Item,
    Footnote(String),
    TableHead,
    TableRow,
}

#[derive(Debug)]
enum InlineOwner {
    Paragraph { implicit: bool },
    Heading { level: u8, id: Option<String> },
    Emphasis,
    Strong,
    Strike,
    Link(String),
    Image { url: String, title: String },
    Cell,
}

#[derive(Debug)]
enum Frame {
    Blocks {
        container: Container,
        line: u32,
        blocks: Vec<Block>,
        /// Items of a list, or cells of a table row.
        children: Vec<Vec<Block>>,
        cells: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
        align: Vec<Align>,
        /// A table's pictures in cells.
        pictures: Vec<CellPicture>,
    },
    Inlines {
        owner: InlineOwner,
        line: u32,
        items: Vec<Raw>,
    },
    Code {
        lang: Option<String>,
        line: u32,
        text: String,
    },
}

impl Frame {
    fn blocks(container: Container, line: u32) -> Frame {
        Frame::Blocks {
            container,
            line,
            blocks: Vec::new(),
            children: Vec::new(),
            cells: Vec::new(),
            rows: Vec::new(),
            align: Vec::new(),
            pictures: Vec::new(),
        }
    }
}

struct Builder<'a> {
    src: &'a str,
    line_starts: Vec<usize>,
    first_line: u32,
    line_map: Option<&'a [u32]>,
    base: &'a Path,
    stack: Vec<Frame>,
    footnote_numbers: HashMap<String, u32>,
    /// Label → (line, blocks) of each definition.
    footnote_defs: HashMap<String, (u32, Vec<Block>)>,
    footnote_refs: Vec<(String, u32)>,
    /// The source of the text events just seen, one after the other: a
    /// footnote mark with no definition comes as text, in pieces.
    text_run: Range<usize>,
    warnings: Vec<(u32, String)>,
    /// Inside `<script>`/`<style>` raw HTML: drop everything.
    skip_html_depth: u32,
    /// Per open tag, whether it opened a frame: tags nested deeper than
    /// [`MAX_NESTING`] are flattened into their parent, so that pathological
    /// input cannot exhaust the stack of the recursive back ends.
    opened: Vec<bool>,
}

const MAX_NESTING: usize = 100;

impl<'a> Builder<'a> {
    fn line(&self, offset: usize) -> u32 {
        let idx = self.line_starts.partition_point(|&s| s <= offset);
        let idx = idx.saturating_sub(1);
        match self.line_map.and_then(|m| m.get(idx)) {
            Some(&line) => line,
            None => self.first_line + idx as u32,
        }
    }

    /// A footnote mark `[^label]` ending the current text run: one the
    /// parser left as text, having found no definition for it.
    fn undefined_mark(&mut self) {
        let run = &self.src[self.text_run.clone()];
        let Some(open) = run.rfind("[^") else {
            return;
        };
        let label = &run[open + 2..run.len() - 1];
        let escaped = self.src[..self.text_run.start + open].ends_with('\\');
        let plain = !label.is_empty()
            && !label.contains(|c: char| c.is_whitespace() || c == '[' || c == ']');
        if plain && !escaped {
            let line = self.line(self.text_run.start + open);
            self.footnote_refs.push((label.to_string(), line));
        }
    }

    fn event(&mut self, event: Event<'a>, range: Range<usize>) {
        let line = self.line(range.start);
        match event {
            Event::Start(tag) => {
                let nests = !matches!(
                    tag,
                    Tag::Paragraph | Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::TableCell
                );
                let open = !(nests && self.stack.len() >= MAX_NESTING);
                self.opened.push(open);
                if open {
                    self.start(tag, line);
                }
            }
            Event::End(tag) => {
                if self.opened.pop() != Some(false) {
                    self.end(tag);
                }
            }
            Event::Text(text) => {
                if self.skip_html_depth > 0 {
                    return;
                }
                if let Some(Frame::Code { text: code, .. }) = self.stack.last_mut() {
                    code.push_str(&text);
                    return;
                }
                let source = &self.src[range.clone()];
                if range.start == self.text_run.end {
                    self.text_run.end = range.end;
                } else {
                    self.text_run = range.clone();
                }
                if source.ends_with(']') {
                    self.undefined_mark();
                }
                let raw = if !source.is_empty()
                    && source.chars().all(|c| c == '*' || c == '_')
                    && source
                        .chars()
                        .all(|c| c == source.chars().next().unwrap_or('*'))
                {
                    Raw::Delim(source.chars().next().unwrap_or('*'), source.len())
                } else {
                    Raw::Done(Inline::Text(text.into_string()))
                };
                self.push_inline(raw, line);
            }
            Event::Code(code) => {
                self.push_inline(Raw::Done(Inline::Code(code.into_string())), line)
            }
            Event::SoftBreak => self.push_inline(Raw::SoftBreak, line),
            Event::HardBreak => self.push_inline(Raw::Done(Inline::LineBreak), line),
            Event::FootnoteReference(label) => {
                let label = label.into_string();
                let next = self.footnote_numbers.len() as u32 + 1;
                let number = *self.footnote_numbers.entry(label.clone()).or_insert(next);
                self.footnote_refs.push((label, line));
                self.push_inline(Raw::Done(Inline::FootnoteRef(number)), line);
            }
            Event::Rule => {
                self.close_implicit();
                self.push_block(Block {
                    line,
                    kind: BlockKind::Rule,
                });
            }
            Event::Html(html) => self.html_block(&html, line),
            Event::InlineHtml(html) => self.inline_html(&html, line),
            Event::InlineMath(m) | Event::DisplayMath(m) => {
                self.push_inline(Raw::Done(Inline::Code(m.into_string())), line)
            }
            Event::TaskListMarker(done) => self.push_inline(
                Raw::Done(Inline::Text(if done { "☑ " } else { "☐ " }.into())),
                line,
            ),
        }
    }

    fn start(&mut self, tag: Tag<'a>, line: u32) {
        let is_block = matches!(
            tag,
            Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
                | Tag::List(_)
                | Tag::Item
                | Tag::FootnoteDefinition(_)
                | Tag::Table(_)
                | Tag::HtmlBlock
        );
        if is_block {
            self.close_implicit();
        }
        let frame = match tag {
            Tag::Paragraph => Frame::Inlines {
                owner: InlineOwner::Paragraph { implicit: false },
                line,
                items: Vec::new(),
            },
            Tag::Heading { level, id, .. } => Frame::Inlines {
                owner: InlineOwner::Heading {
                    level: heading_level(level),
                    id: id.map(|s| s.into_string()),
                },
                line,
                items: Vec::new(),
            },
            Tag::BlockQuote(_) => Frame::blocks(Container::Quote, line),
            Tag::CodeBlock(kind) => Frame::Code {
                lang: match kind {
                    pulldown_cmark::CodeBlockKind::Fenced(l) if !l.is_empty() => {
                        Some(l.into_string())
                    }
                    _ => None,
                },
                line,
                text: String::new(),
            },
            Tag::List(start) => Frame::blocks(Container::List(start), line),
            Tag::Item => Frame::blocks(Container::Item, line),
            Tag::FootnoteDefinition(label) => {
                Frame::blocks(Container::Footnote(label.into_string()), line)
            }
            Tag::Table(align) => {
                let mut f = Frame::blocks(Container::Root, line);
                if let Frame::Blocks { align: a, .. } = &mut f {
                    *a = align
                        .into_iter()
                        .map(|a| match a {
                            pulldown_cmark::Alignment::None => Align::None,
                            pulldown_cmark::Alignment::Left => Align::Left,
                            pulldown_cmark::Alignment::Center => Align::Center,
                            pulldown_cmark::Alignment::Right => Align::Right,
                        })
                        .collect();
                }
                f
            }
            Tag::TableHead => Frame::blocks(Container::TableHead, line),
            Tag::TableRow => Frame::blocks(Container::TableRow, line),
            Tag::TableCell => Frame::Inlines {
                owner: InlineOwner::Cell,
                line,
                items: Vec::new(),
            },
            Tag::Emphasis => self.inline_frame(InlineOwner::Emphasis, line),
            Tag::Strong => self.inline_frame(InlineOwner::Strong, line),
            Tag::Strikethrough => self.inline_frame(InlineOwner::Strike, line),
            Tag::Link { dest_url, .. } => {
                self.inline_frame(InlineOwner::Link(dest_url.into_string()), line)
            }
            Tag::Image {
                dest_url, title, ..
            } => self.inline_frame(
                InlineOwner::Image {
                    url: dest_url.into_string(),
                    title: title.into_string(),
                },
                line,
            ),
            // HTML blocks arrive as Html events; nothing to open.
            Tag::HtmlBlock => return,
            Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_)
            | Tag::Superscript
            | Tag::Subscript => return,
        };
        self.stack.push(frame);
    }

    /// Opens an inline frame, first opening an implicit paragraph when the
    /// inline sits directly in a block container (tight list items).
    fn inline_frame(&mut self, owner: InlineOwner, line: u32) -> Frame {
        self.ensure_inline_context(line);
        Frame::Inlines {
            owner,
            line,
            items: Vec::new(),
        }
    }

    fn ensure_inline_context(&mut self, line: u32) {
        if matches!(self.stack.last(), Some(Frame::Blocks { .. }) | None) {
            self.stack.push(Frame::Inlines {
                owner: InlineOwner::Paragraph { implicit: true },
                line,
                items: Vec::new(),
            });
        }
    }

    fn push_inline(&mut self, raw: Raw, line: u32) {
        self.ensure_inline_context(line);
        if let Some(Frame::Inlines { items, .. }) = self.stack.last_mut() {
            items.push(raw);
        }
    }

    fn close_implicit(&mut self) {
        if let Some(Frame::Inlines {
            owner: InlineOwner::Paragraph { implicit: true },
            ..
        }) = self.stack.last()
        {
            self.end_paragraph();
        }
    }

    fn push_block(&mut self, block: Block) {
        if let Some(Frame::Blocks { blocks, .. }) = self.stack.last_mut() {
            blocks.push(block);
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::HtmlBlock
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_)
            | TagEnd::Superscript
            | TagEnd::Subscript => return,
            TagEnd::Paragraph => {
                self.end_paragraph();
                return;
            }
            TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::FootnoteDefinition => {
                self.close_implicit()
            }
            _ => {}
        }
        let Some(frame) = self.stack.pop() else {
            return;
        };
        match frame {
            Frame::Code { lang, line, text } => self.push_block(Block {
                line,
                kind: BlockKind::Code {
                    lang,
                    text,
                    tokens: Vec::new(),
                },
            }),
            Frame::Inlines { owner, line, items } => self.end_inlines(owner, line, items),
            Frame::Blocks {
                container,
                line,
                blocks,
                children,
                cells,
                rows,
                align,
                pictures,
            } => match container {
                Container::Root => {
                    // A table: its head row was pushed as the first row.
                    let mut rows = rows;
                    let head = if rows.is_empty() {
                        Vec::new()
                    } else {
                        rows.remove(0)
                    };
                    self.push_block(Block {
                        line,
                        kind: BlockKind::Table {
                            align,
                            head,
                            rows,
                            pictures,
                        },
                    });
                }
                Container::Quote => self.push_block(Block {
                    line,
                    kind: BlockKind::Quote(blocks),
                }),
                Container::List(start) => self.push_block(Block {
                    line,
                    kind: BlockKind::List {
                        start,
                        items: children,
                    },
                }),
                Container::Item => {
                    if let Some(Frame::Blocks { children, .. }) = self.stack.last_mut() {
                        children.push(blocks);
                    }
                }
                Container::Footnote(label) => {
                    if let Some((first, _)) = self.footnote_defs.get(&label) {
                        let message = format!(
                            "footnote `[^{label}]` is defined again (first on line {first}); this definition is left out"
                        );
                        self.warnings.push((line, message));
                    } else {
                        self.footnote_defs.insert(label, (line, blocks));
                    }
                }
                Container::TableHead | Container::TableRow => {
                    if let Some(Frame::Blocks { rows, .. }) = self.stack.last_mut() {
                        rows.push(cells);
                    }
                }
            },
        }
    }

    fn end_paragraph(&mut self) {
        if let Some(Frame::Inlines {
            owner: owner @ InlineOwner::Paragraph { .. },
            line,
            items,
        }) = self.stack.pop()
        {
            self.end_inlines(owner, line, items);
        }
    }

    fn end_inlines(&mut self, owner: InlineOwner, line: u32, items: Vec<Raw>) {
        match owner {
            InlineOwner::Paragraph { .. } => {
                // Images are blocks in the model: lift them out of the text.
                let mut images = Vec::new();
                let mut rest = Vec::new();
                for item in items {
                    match item {
                        Raw::Image {
                            url,
                            alt,
                            title,
                            line,
                            width,
                            html,
                        } => images.push((url, alt, title, line, width, html)),
                        other => rest.push(other),
                    }
                }
                let content = finish_inlines(rest);
                if !is_blank(&content) {
                    self.push_block(Block {
                        line,
                        kind: BlockKind::Paragraph(trim_inlines(content)),
                    });
                }
                for (url, alt, title, line, width, html) in images {
                    let caption = match (title.is_empty(), html) {
                        (false, _) => &title,
                        (true, false) => &alt,
                        (true, true) => &String::new(),
                    };
                    let caption = if caption.is_empty() {
                        Vec::new()
                    } else {
                        vec![Inline::Text(caption.clone())]
                    };
                    self.push_block(Block {
                        line,
                        kind: BlockKind::Image {
                            path: image_path(self.base, &url),
                            alt,
                            caption,
                            width,
                        },
                    });
                }
            }
            InlineOwner::Heading { level, id } => {
                let (images, rest): (Vec<Raw>, Vec<Raw>) = items
                    .into_iter()
                    .partition(|i| matches!(i, Raw::Image { .. }));
                let content = trim_inlines(finish_inlines(rest));
                if crate::model::plain_text(&content).trim().is_empty() {
                    // A heading with no text would be an empty entry in the
                    // contents, which EPUB readers reject; what it did hold
                    // (a footnote mark) stays, as a paragraph.
                    self.warnings
                        .push((line, "a heading with no text; left out".to_string()));
                    if !is_blank(&content) {
                        self.push_block(Block {
                            line,
                            kind: BlockKind::Paragraph(content),
                        });
                    }
                } else {
                    self.push_block(Block {
                        line,
                        kind: BlockKind::Heading {
                            level,
                            id: id.unwrap_or_default(),
                            content,
                        },
                    });
                }
                // Images are blocks: after the heading, not lost with it.
                if !images.is_empty() {
                    self.end_inlines(InlineOwner::Paragraph { implicit: true }, line, images);
                }
            }
            InlineOwner::Cell => {
                let (images, rest): (Vec<Raw>, Vec<Raw>) = items
                    .into_iter()
                    .partition(|i| matches!(i, Raw::Image { .. }));
                let content = trim_inlines(finish_inlines(rest));
                let base = self.base;
                let depth = self.stack.len();
                let (row, column) = match &mut self.stack[..] {
                    [.., Frame::Blocks { rows, .. }, Frame::Blocks { cells, .. }] => {
                        cells.push(content);
                        (rows.len(), cells.len() - 1)
                    }
                    _ => return,
                };
                let Some(Frame::Blocks { pictures, .. }) = self.stack.get_mut(depth - 2) else {
                    return;
                };
                for image in images {
                    if let Raw::Image {
                        url,
                        alt,
                        line,
                        width,
                        ..
                    } = image
                    {
                        pictures.push(CellPicture {
                            row,
                            column,
                            picture: Block {
                                line,
                                kind: BlockKind::Image {
                                    path: image_path(base, &url),
                                    alt,
                                    caption: Vec::new(),
                                    width,
                                },
                            },
                        });
                    }
                }
            }
            InlineOwner::Image { url, title } => {
                let alt = crate::model::plain_text(&finish_inlines(items));
                self.push_inline(
                    Raw::Image {
                        url,
                        alt,
                        title,
                        line,
                        width: None,
                        html: false,
                    },
                    line,
                );
            }
            InlineOwner::Emphasis => self.push_nested(Inline::Emphasis, items, line),
            InlineOwner::Strong => self.push_nested(Inline::Strong, items, line),
            // No strike-through in print conventions we support: keep the text.
            InlineOwner::Strike => {
                for item in items {
                    self.push_inline(item, line);
                }
            }
            InlineOwner::Link(url) => {
                if let crate::scheme::Target::Other(scheme) = crate::scheme::classify(&url) {
                    // Never a link: its text stays, as text.
                    self.warnings.push((
                        line,
                        format!(
                            "a `{scheme}:` link is not kept as a link (only http, https and mailto are); its text is"
                        ),
                    ));
                    for item in items {
                        self.push_inline(item, line);
                    }
                    return;
                }
                let content = finish_inlines(items);
                self.push_inline(Raw::Done(Inline::Link { url, content }), line);
            }
        }
    }

    fn push_nested(&mut self, wrap: fn(Vec<Inline>) -> Inline, items: Vec<Raw>, line: u32) {
        // Images inside emphasis still become blocks.
        let (images, rest): (Vec<Raw>, Vec<Raw>) = items
            .into_iter()
            .partition(|i| matches!(i, Raw::Image { .. }));
        // Soft breaks stay raw so that the enclosing paragraph, which sees the
        // characters on both sides, decides what they become.
        let mut run = Vec::new();
        let mut out = Vec::new();
        for item in rest {
            if matches!(item, Raw::SoftBreak) {
                if !run.is_empty() {
                    out.push(Raw::Done(wrap(finish_inlines(std::mem::take(&mut run)))));
                }
                out.push(Raw::SoftBreak);
            } else {
                run.push(item);
            }
        }
        if !run.is_empty() {
            out.push(Raw::Done(wrap(finish_inlines(run))));
        }
        for item in out.into_iter().chain(images) {
            self.push_inline(item, line);
        }
    }

    fn html_block(&mut self, html: &str, line: u32) {
        let skipping = self.skip_html_depth > 0;
        let text = strip_html(html, &mut self.skip_html_depth);
        let text = text.trim();
        if !text.is_empty() {
            self.push_block(Block {
                line,
                kind: BlockKind::Paragraph(vec![Inline::Text(text.to_string())]),
            });
        }
        if skipping {
            return;
        }
        // An HTML picture's `alt` describes it for those who cannot see
        // it; the page around it holds its caption, if any.
        for img in html_img::find(html) {
            self.push_block(Block {
                line,
                kind: BlockKind::Image {
                    path: image_path(self.base, &img.src),
                    alt: img.alt,
                    caption: Vec::new(),
                    width: img.width,
                },
            });
        }
    }

    fn inline_html(&mut self, html: &str, line: u32) {
        let tag = html.trim_start_matches('<').trim_start_matches('/');
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
            "br" => self.push_inline(Raw::Done(Inline::LineBreak), line),
            "img" if self.skip_html_depth == 0 => {
                for img in html_img::find(html) {
                    self.push_inline(
                        Raw::Image {
                            url: img.src,
                            alt: img.alt,
                            title: String::new(),
                            line,
                            width: img.width,
                            html: true,
                        },
                        line,
                    );
                }
            }
            "script" | "style" => {
                if html.starts_with("</") {
                    self.skip_html_depth = self.skip_html_depth.saturating_sub(1);
                } else if !html.trim_end().ends_with("/>") {
                    self.skip_html_depth += 1;
                }
            }
            _ => {}
        }
    }

    fn finish(mut self) -> Parsed {
        while self.stack.len() > 1 {
            let top = self.stack.last();
            let tag = match top {
                Some(Frame::Inlines { .. }) => TagEnd::Paragraph,
                _ => TagEnd::BlockQuote(None),
            };
            self.end(tag);
        }
        let Some(Frame::Blocks { blocks, .. }) = self.stack.pop() else {
            return Parsed::default();
        };
        let mut notes = Notes {
            labels: self
                .footnote_numbers
                .iter()
                .map(|(label, n)| (*n, label.clone()))
                .collect(),
            defs: self.footnote_defs,
            numbers: HashMap::new(),
            pending: std::collections::VecDeque::new(),
        };
        let mut blocks = blocks;
        notes.resolve(&mut blocks);
        let mut footnotes = Vec::new();
        while let Some((number, mut note)) = notes.pending.pop_front() {
            notes.resolve(&mut note);
            footnotes.push(Footnote {
                number,
                blocks: note,
            });
        }
        let mut warnings = self.warnings;
        let mut unused: Vec<(String, u32)> = notes
            .defs
            .into_iter()
            .map(|(label, (line, _))| (label, line))
            .collect();
        unused.sort_by_key(|(_, line)| *line);
        for (label, line) in unused {
            warnings.push((
                line,
                format!("footnote `[^{label}]` is never referenced; left out"),
            ));
        }
        let mut undefined: Vec<(String, u32)> = Vec::new();
        for (label, line) in self.footnote_refs {
            if notes.numbers.contains_key(&label) || undefined.iter().any(|(l, _)| *l == label) {
                continue;
            }
            undefined.push((label, line));
        }
        warnings.sort_by_key(|(line, _)| *line);
        Parsed {
            blocks,
            footnotes,
            undefined_footnotes: undefined,
            warnings,
        }
    }
}

/// Footnotes as the outputs number them: in the order their first mark is
/// printed (the body's, then those in footnotes), each once, whatever the
/// cycles between them; those never printed are left out, marks with no
/// definition printed as written.
struct Notes {
    /// Number given at the mark while parsing → label.
    labels: HashMap<u32, String>,
    /// Definitions not yet numbered: label → (line, blocks).
    defs: HashMap<String, (u32, Vec<Block>)>,
    /// Label → final number.
    numbers: HashMap<String, u32>,
    /// Definitions numbered, whose own marks are still to be resolved.
    pending: std::collections::VecDeque<(u32, Vec<Block>)>,
}

impl Notes {
    fn resolve(&mut self, blocks: &mut [Block]) {
        for_each_inline(blocks, &mut |inline| {
            let Inline::FootnoteRef(parsed) = inline else {
                return;
            };
            let Some(label) = self.labels.get(parsed) else {
                return;
            };
            if let Some(n) = self.numbers.get(label) {
                *inline = Inline::FootnoteRef(*n);
            } else if let Some((_, note)) = self.defs.remove(label) {
                let n = self.numbers.len() as u32 + 1;
                self.numbers.insert(label.clone(), n);
                self.pending.push_back((n, note));
                *inline = Inline::FootnoteRef(n);
            } else {
                *inline = Inline::Text(format!("[^{label}]"));
            }
        });
    }
}

/// Calls `f` on every inline of `blocks`, in the order the outputs print
/// them (an inline before those nested in it).
fn for_each_inline(blocks: &mut [Block], f: &mut dyn FnMut(&mut Inline)) {
    fn inlines(list: &mut [Inline], f: &mut dyn FnMut(&mut Inline)) {
        for inline in list {
            f(inline);
            if let Inline::Emphasis(c) | Inline::Strong(c) | Inline::Link { content: c, .. } =
                inline
            {
                inlines(c, f);
            }
        }
    }
    for block in blocks {
        match &mut block.kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => {
                inlines(content, f)
            }
            BlockKind::Quote(inner) => for_each_inline(inner, f),
            BlockKind::List { items, .. } => {
                for item in items {
                    for_each_inline(item, f);
                }
            }
            BlockKind::Image { caption, .. } => inlines(caption, f),
            BlockKind::Table { head, rows, .. } => {
                for cell in head.iter_mut().chain(rows.iter_mut().flatten()) {
                    inlines(cell, f);
                }
            }
            BlockKind::Code { .. } | BlockKind::Rule => {}
        }
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Resolves soft breaks and unpaired emphasis delimiters, merges text.
fn finish_inlines(items: Vec<Raw>) -> Vec<Inline> {
    let items = pair_delimiters(items);
    let mut out: Vec<Inline> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let inline = match item {
            Raw::Done(inline) => inline.clone(),
            Raw::Delim(c, n) => Inline::Text(c.to_string().repeat(*n)),
            Raw::SoftBreak => {
                let before = last_char_of(&items[..i]);
                let after = first_char_of(&items[i + 1..]);
                match (before, after) {
                    (Some(b), Some(a)) if cjk::is_wide(b) && cjk::is_wide(a) => continue,
                    (None, _) | (_, None) => continue,
                    _ => Inline::Text(" ".into()),
                }
            }
            Raw::Image { alt, .. } => Inline::Text(alt.clone()),
        };
        match (out.last_mut(), inline) {
            (Some(Inline::Text(prev)), Inline::Text(t)) => prev.push_str(&t),
            (_, inline) => out.push(inline),
        }
    }
    out
}

/// Pairs literal `**`/`*` runs left by CommonMark's flanking rules (which
/// treat CJK punctuation like Western punctuation) into strong/emphasis.
fn pair_delimiters(items: Vec<Raw>) -> Vec<Raw> {
    // Merge adjacent delimiter runs of the same character first.
    let mut merged: Vec<Raw> = Vec::new();
    for item in items {
        if let (Some(Raw::Delim(c1, n1)), Raw::Delim(c2, n2)) = (merged.last_mut(), &item) {
            if c1 == c2 {
                *n1 += n2;
                continue;
            }
        }
        merged.push(item);
    }
    let open = merged
        .iter()
        .position(|i| matches!(i, Raw::Delim(_, n) if *n <= 3));
    let Some(open) = open else {
        return merged;
    };
    let Raw::Delim(c, n) = merged[open] else {
        return merged;
    };
    let close = merged[open + 1..]
        .iter()
        .position(|i| matches!(i, Raw::Delim(c2, n2) if *c2 == c && *n2 == n))
        .map(|p| p + open + 1);
    let Some(close) = close else {
        // Leave this run literal; pair what follows it.
        let mut rest = merged.split_off(open + 1);
        rest = pair_delimiters(rest);
        merged.extend(rest);
        return merged;
    };
    let mut tail = merged.split_off(close + 1);
    merged.pop(); // the closing run
    let inner = merged.split_off(open + 1);
    merged.pop(); // the opening run
    if inner.is_empty() {
        merged.push(Raw::Done(Inline::Text(c.to_string().repeat(n * 2))));
    } else {
        let content = finish_inlines(inner);
        let wrapped = match n {
            1 => Inline::Emphasis(content),
            2 => Inline::Strong(content),
            _ => Inline::Strong(vec![Inline::Emphasis(content)]),
        };
        merged.push(Raw::Done(wrapped));
    }
    tail = pair_delimiters(tail);
    merged.extend(tail);
    merged
}

fn last_char_of(items: &[Raw]) -> Option<char> {
    items.iter().rev().find_map(|i| match i {
        Raw::Done(inline) => last_char(inline),
        Raw::Delim(c, _) => Some(*c),
        _ => None,
    })
}

fn first_char_of(items: &[Raw]) -> Option<char> {
    items.iter().find_map(|i| match i {
        Raw::Done(inline) => first_char(inline),
        Raw::Delim(c, _) => Some(*c),
        _ => None,
    })
}

fn last_char(inline: &Inline) -> Option<char> {
    match inline {
        Inline::Text(t) | Inline::Code(t) => t.chars().last(),
        Inline::Emphasis(c) | Inline::Strong(c) | Inline::Link { content: c, .. } => {
            c.iter().rev().find_map(last_char)
        }
        _ => None,
    }
}

fn first_char(inline: &Inline) -> Option<char> {
    match inline {
        Inline::Text(t) | Inline::Code(t) => t.chars().next(),
        Inline::Emphasis(c) | Inline::Strong(c) | Inline::Link { content: c, .. } => {
            c.iter().find_map(first_char)
        }
        _ => None,
    }
}

fn is_blank(inlines: &[Inline]) -> bool {
    inlines.iter().all(|i| match i {
        Inline::Text(t) => t.trim().is_empty(),
        Inline::LineBreak => true,
        _ => false,
    })
}

/// Drops leading and trailing white space of a block's inline content.
fn trim_inlines(mut inlines: Vec<Inline>) -> Vec<Inline> {
    if let Some(Inline::Text(t)) = inlines.first_mut() {
        *t = t.trim_start().to_string();
    }
    if let Some(Inline::Text(t)) = inlines.last_mut() {
        *t = t.trim_end().to_string();
    }
    inlines.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
    while matches!(inlines.last(), Some(Inline::LineBreak)) {
        inlines.pop();
    }
    inlines
}

/// The text of an HTML fragment: tags and comments removed, `<script>` and
/// `<style>` contents dropped, common entities decoded.
fn strip_html(html: &str, skip_depth: &mut u32) -> String {
    let mut out = String::new();
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->").map_or("", |(_, r)| r);
            continue;
        }
        // A `<` that opens no tag (`a < b`, or a tag never closed before the
        // end of the block) is text, as a browser reads it.
        // `<` and `>` are single bytes, so slicing next to them never cuts a
        // character in two.
        let tag_len = rest
            .strip_prefix('<')
            .filter(|r| {
                r.starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'))
            })
            .and_then(|r| r.find('>'));
        if let Some(inner_len) = tag_len {
            let tag = rest[1..1 + inner_len].to_ascii_lowercase();
            let end = inner_len + 2;
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if name == "script" || name == "style" {
                if closing {
                    *skip_depth = skip_depth.saturating_sub(1);
                } else if !tag.ends_with('/') {
                    *skip_depth += 1;
                }
            } else if matches!(name.as_str(), "br" | "p" | "div") && *skip_depth == 0 {
                out.push('\n');
            }
            rest = &rest[end..];
            continue;
        }
        // Text up to the next `<` (a literal `<` itself counts as text).
        let first = rest.chars().next().map_or(1, char::len_utf8);
        let next = rest[first..].find('<').map_or(rest.len(), |i| i + first);
        if *skip_depth == 0 {
            out.push_str(&decode_entities(&rest[..next]));
        }
        rest = &rest[next..];
    }
    out
}

pub(super) fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(md: &str) -> Vec<Inline> {
        let parsed = parse(md, 1, Path::new("."));
        match &parsed.blocks[0].kind {
            BlockKind::Paragraph(p) => p.clone(),
            other => panic!("not a paragraph: {other:?}"),
        }
    }

    #[test]
    fn soft_break_between_cjk_is_dropped() {
        assert_eq!(para("中文\n文字"), vec![Inline::Text("中文文字".into())]);
        assert_eq!(
            para("English\nwords"),
            vec![Inline::Text("English words".into())]
        );
        assert_eq!(
            para("句子。\n“引号”"),
            vec![Inline::Text("句子。“引号”".into())]
        );
    }

    #[test]
    fn cjk_emphasis_is_recognised() {
        assert_eq!(
            para("这是**“强调”**文本"),
            vec![
                Inline::Text("这是".into()),
                Inline::Strong(vec![Inline::Text("“强调”".into())]),
                Inline::Text("文本".into()),
            ]
        );
        assert_eq!(
            para("**强调**文本"),
            vec![
                Inline::Strong(vec![Inline::Text("强调".into())]),
                Inline::Text("文本".into()),
            ]
        );
        // Escaped asterisks stay literal.
        assert_eq!(para("a \\*b\\* c"), vec![Inline::Text("a *b* c".into())]);
    }

    #[test]
    fn blocks_and_lines() {
        let md = "## 一、标题\n\n段落一\n\n> 引用\n\n- 甲\n- 乙\n\n```\ncode\n```\n\n---\n\n![图一](a.png)\n";
        let parsed = parse(md, 10, Path::new("src"));
        let kinds: Vec<&str> = parsed
            .blocks
            .iter()
            .map(|b| match b.kind {
                BlockKind::Heading { .. } => "h",
                BlockKind::Paragraph(_) => "p",
                BlockKind::Quote(_) => "q",
                BlockKind::List { .. } => "l",
                BlockKind::Code { .. } => "c",
                BlockKind::Rule => "r",
                BlockKind::Image { .. } => "i",
                BlockKind::Table { .. } => "t",
            })
            .collect();
        assert_eq!(kinds, ["h", "p", "q", "l", "c", "r", "i"]);
        assert_eq!(parsed.blocks[0].line, 10);
        assert_eq!(parsed.blocks[1].line, 12);
        match &parsed.blocks[3].kind {
            BlockKind::List { items, .. } => assert_eq!(items.len(), 2),
            _ => unreachable!(),
        }
    }

    #[test]
    fn footnotes_and_html() {
        let md = "正文[^a]。\n\n[^a]: 注释。\n\n<script>alert(1)</script>\n\n甲<br>乙\n";
        let parsed = parse(md, 1, Path::new("."));
        assert_eq!(parsed.footnotes.len(), 1);
        let all = format!("{:?}", parsed.blocks);
        assert!(!all.contains("alert"), "{all}");
        assert!(all.contains("LineBreak"), "{all}");
    }

    #[test]
    fn a_footnote_mark_with_no_definition_is_reported_at_its_line() {
        let undefined = |md: &str| parse(md, 1, Path::new(".")).undefined_footnotes;
        let md = "# 标题\n\n第一处[^1]，未定义[^x]。\n\n*又[^y]*\n\n[^1]: 注一。\n";
        assert_eq!(undefined(md), [("x".to_string(), 3), ("y".to_string(), 5)]);
        assert_eq!(undefined("[^ab]开头\n"), [("ab".to_string(), 1)]);
        // Escaped, in code, or not a label: nothing to report.
        for md in ["\\[^x] 与 `[^y]`\n", "```\n[^z]\n```\n", "[^ x] [^] [x]\n"] {
            assert!(undefined(md).is_empty(), "{md}: {:?}", undefined(md));
        }
    }

    #[test]
    fn unclosed_tags_before_cjk_neither_panic_nor_lose_text() {
        let mut depth = 0;
        assert_eq!(strip_html("<div\n中文", &mut depth), "<div\n中文");
        assert_eq!(strip_html("甲 < 乙 <b>丙</b>", &mut depth), "甲 < 乙 丙");
        for md in [
            "正文\n\n<div\n中文",
            "<div\n中文",
            "<details>中",
            "甲<span 乙",
            "<a href=\"中",
            "<?中",
            "</中",
            "<<中>",
        ] {
            let parsed = parse(md, 1, Path::new("."));
            let text = format!("{:?}", parsed.blocks);
            assert!(text.contains('中') || text.contains('乙'), "{md:?}: {text}");
        }
        // Every piece of a fragment mixing tags, comments and CJK.
        let html = "<div class=\"中\">文<b>字</b><!-- 注 --><script>x</script>尾<br/>";
        let cuts: Vec<usize> = html
            .char_indices()
            .map(|(i, _)| i)
            .chain([html.len()])
            .collect();
        for (n, &i) in cuts.iter().enumerate() {
            for &j in &cuts[n..] {
                strip_html(&html[i..j], &mut 0);
            }
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let md = format!("{}深", "> ".repeat(40));
        let parsed = parse(&md, 1, Path::new("."));
        assert_eq!(parsed.blocks.len(), 1);
        // Far deeper than anyone writes: flattened, text kept.
        let md = format!("{}底", "> ".repeat(5000));
        let parsed = parse(&md, 1, Path::new("."));
        assert!(format!("{:?}", parsed.blocks).contains('底'));
        let md = format!("{}深{}", "*".repeat(3000), "*".repeat(3000));
        let parsed = parse(&md, 1, Path::new("."));
        assert!(format!("{:?}", parsed.blocks).contains('深'));
        let md = "- a\n".to_string()
            + &(1..300)
                .map(|i| format!("{}- b\n", "  ".repeat(i)))
                .collect::<String>();
        let parsed = parse(&md, 1, Path::new("."));
        assert_eq!(parsed.blocks.len(), 1);
    }
}
