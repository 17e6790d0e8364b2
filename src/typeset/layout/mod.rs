//! The body: each article's blocks set into a galley of grid bands (title,
//! byline, paragraphs, headings, quotes, lists, code, rules, images,
//! tables), with footnotes set apart for the page breaker.

use std::path::PathBuf;
use std::sync::Arc;

mod figures;
mod table;

use super::code::{self, HANG};
use super::display::{set_display, DisplaySpec, Pairs};
use super::geometry::{Geometry, Point, ASCENT};
use super::images::Images;
use super::line::Line;
use super::page::{Draw, Item, NoteLines, ParaPos, Target};
use super::paragraph::{set_paragraph, styled_text, Align, LinkTarget, ParaSpec, Setter};
use super::shape::{ShapeParams, SpanStyle, StyledText, COLUMN};
use super::structure::{Artifact, NodeId, Role, Span, Structure, Tag};
use crate::lang::PunctStyle;
use crate::model::{Article, Block, BlockKind, Inline, Token};
use crate::style::{NoteAlign, Style};

/// A heading or article title, for the TOC and the outline.
#[derive(Debug, Clone)]
pub struct Heading {
    /// 0 for the article title, then the heading level.
    pub level: u8,
    pub title: String,
    pub anchor: u32,
    pub article: usize,
}

/// The body, ready for the page breaker.
#[derive(Debug, Default)]
pub struct Galley {
    pub items: Vec<Item>,
    pub notes: NoteLines,
    pub headings: Vec<Heading>,
    pub anchors: u32,
    /// Anchors by the names links in the model use (`#a01`, `#a01/s2`).
    pub named: std::collections::HashMap<String, u32>,
    /// What the draws are; each article is a root.
    pub structure: Structure,
}

/// No measure gets narrower than this many ems, however deep the nesting.
impl Galley {
    /// Adds the next article's galley: its anchors are numbered after
    /// this one's, and its pictures by `pictures` (its numbers → the
    /// book's).
    pub fn append(&mut self, next: Galley, pictures: &[u32]) {
        let offset = self.anchors;
        let nodes = self.structure.absorb(next.structure);
        for mut item in next.items {
            item.draws = std::mem::take(&mut item.draws)
                .into_iter()
                .map(|d| d.renumbered(nodes))
                .collect();
            for a in &mut item.anchors {
                *a += offset;
            }
            for draw in &mut item.draws {
                match draw {
                    Draw::Image { image, .. } => *image = pictures[*image as usize],
                    Draw::Link {
                        target: Target::Anchor(a),
                        ..
                    } => *a += offset,
                    _ => {}
                }
            }
            self.items.push(item);
        }
        self.notes.extend(next.notes.into_iter().map(|(k, lines)| {
            let lines = lines
                .into_iter()
                .map(|(x, line, tag)| (x, line, tag.offset(nodes)))
                .collect();
            (k, lines)
        }));
        self.headings
            .extend(next.headings.into_iter().map(|h| Heading {
                anchor: h.anchor + offset,
                ..h
            }));
        self.named
            .extend(next.named.into_iter().map(|(name, a)| (name, a + offset)));
        self.anchors += next.anchors;
    }
}

const MIN_MEASURE_EM: f32 = 8.0;
/// Footnote size and line height, relative to the body.
pub const NOTE_SCALE: f32 = 0.8;
pub const NOTE_LEADING: f32 = 1.45;

pub struct Layout<'a> {
    pub setter: Setter<'a>,
    pub geo: Geometry,
    pub style: &'a Style,
    pub images: Images,
    pub galley: Galley,
    article: usize,
    article_id: String,
    shape: ShapeParams,
    source: PathBuf,
    /// The node new blocks go into.
    parent: NodeId,
    /// The last heading's level in the structure (1 for the title).
    heading_level: u8,
    /// The article's highest heading level in the source: its H2s.
    heading_top: u8,
    /// Which pairs of ideographs recur in the article: words its title
    /// and headings should not be broken inside.
    pairs: Pairs,
    /// Text size × the body size for paragraphs (smaller in a quote set
    /// in the body face).
    text_scale: f32,
}

/// Horizontal room for a block: indents from the text block's edges.
#[derive(Debug, Clone, Copy, Default)]
struct Room {
    left: f32,
    right: f32,
}

impl<'a> Layout<'a> {
    /// The pairs of ideographs of the article just laid out.
    pub fn take_pairs(&mut self) -> Pairs {
        std::mem::take(&mut self.pairs)
    }

    pub fn new(setter: Setter<'a>, geo: Geometry, style: &'a Style, images: Images) -> Layout<'a> {
        Layout {
            setter,
            geo,
            style,
            images,
            galley: Galley::default(),
            article: 0,
            article_id: String::new(),
            shape: ShapeParams {
                size: geo.em,
                script: crate::lang::Script::Hans,
                punct: PunctStyle::Gb,
                bold: false,
                quote: false,
            },
            source: PathBuf::new(),
            parent: 0,
            heading_level: 1,
            heading_top: 1,
            pairs: Pairs::default(),
            text_scale: 1.0,
        }
    }

    fn node(&mut self, role: Role) -> NodeId {
        self.galley.structure.add(role, Some(self.parent))
    }

    /// Sets blocks into a new node of `role`.
    fn within(&mut self, role: Role, set: impl FnOnce(&mut Self)) -> NodeId {
        let node = self.node(role);
        let outer = std::mem::replace(&mut self.parent, node);
        set(self);
        self.parent = outer;
        node
    }

    fn anchor(&mut self) -> u32 {
        self.galley.anchors += 1;
        self.galley.anchors - 1
    }

    fn em(&self) -> f32 {
        self.geo.em
    }

    pub fn article(&mut self, index: usize, article: &Article) {
        self.article = index;
        self.article_id = article.id.clone();
        self.source = article.source.clone();
        let sect = self.galley.structure.add(Role::Sect, None);
        self.galley.structure.node_mut(sect).lang = Some(article.lang.tag.clone());
        self.parent = sect;
        self.heading_level = 1;
        self.pairs = Pairs::of(article);
        self.heading_top = article
            .blocks
            .iter()
            .filter_map(|b| match b.kind {
                BlockKind::Heading { level, .. } => Some(level),
                _ => None,
            })
            .min()
            .unwrap_or(1);
        self.shape = ShapeParams {
            size: self.em(),
            script: article.lang.script(),
            punct: article.lang.punct_style(),
            bold: false,
            quote: false,
        };
        self.title_block(index, article);
        if article.part {
            return;
        }
        self.blocks(&article.blocks, Room::default(), 0);
        if let Some(note) = &article.note {
            self.closing_note(note);
        }
        for note in &article.footnotes {
            self.footnote(note.number, &note.blocks);
        }
    }

    /// Title, then the author / source / date line, centred below some
    /// space, as one band that opens the article's first page. A part's
    /// title, larger, a third of the way down, fills its page alone.
    fn title_block(&mut self, index: usize, article: &Article) {
        let geo = self.geo;
        let size = geo.em * self.style.text.title_scale * if article.part { 1.25 } else { 1.0 };
        let spec = DisplaySpec {
            pairs: Some(&self.pairs),
            shape: ShapeParams {
                size,
                bold: true,
                ..self.shape
            },
            width: geo.measure,
            hang: 0.0,
            align: Align::Center,
        };
        let title = set_display(self.setter, &plain(&article.title), &spec);
        let mut draws = Vec::new();
        let mut y = if article.part {
            (geo.slots / 3) as f32 * geo.pitch
        } else {
            2.0 * geo.pitch
        };
        let title_pitch = size * 1.45;
        let heading = Tag::Node(self.node(Role::H(1)));
        for (x, line) in title.lines {
            draws.push(Draw::text(Point::new(x, y + ASCENT * size), line, heading));
            y += title_pitch;
        }
        if let Some(byline) = article.byline() {
            let size = geo.em * 0.9;
            y += geo.pitch * 0.6;
            let spec = ParaSpec {
                shape: ShapeParams { size, ..self.shape },
                width: geo.measure,
                indent: 0.0,
                align: Align::Center,
            };
            let tag = Tag::Node(self.node(Role::P));
            for (x, line) in set_paragraph(self.setter, &plain(&byline), &spec).lines {
                draws.push(Draw::text(Point::new(x, y + ASCENT * size), line, tag));
                y += geo.pitch;
            }
        }
        y += geo.pitch * 1.5;
        let anchor = self.anchor();
        let name = format!("{}{}", crate::source::links::INTERNAL, article.id);
        self.galley.named.insert(name, anchor);
        self.galley.headings.push(Heading {
            level: 0,
            title: article.title.clone(),
            anchor,
            article: index,
        });
        self.galley.items.push(Item {
            band: if article.part {
                geo.slots.max(1)
            } else {
                (y / geo.pitch).ceil() as u16
            },
            draws,
            keep_next: !article.part,
            heading: true,
            anchors: vec![anchor],
            starts_article: Some(index),
            ..Item::default()
        });
    }

    fn space(&mut self, band: u16, discardable: bool) {
        // A heading brings its own space: a block below it is as far from
        // it as a paragraph is.
        // and one space between blocks is enough.
        let last = self.galley.items.last();
        if discardable && last.is_some_and(|i| i.heading || i.discardable) {
            return;
        }
        self.galley.items.push(Item {
            band,
            discardable,
            ..Item::default()
        });
    }

    fn measure(&self, room: Room) -> f32 {
        (self.geo.measure - room.left - room.right).max(MIN_MEASURE_EM * self.em())
    }

    fn blocks(&mut self, blocks: &[Block], room: Room, depth: usize) {
        for block in blocks {
            self.block(block, room, depth);
        }
    }

    fn block(&mut self, block: &Block, room: Room, depth: usize) {
        let em = self.em();
        match &block.kind {
            BlockKind::Paragraph(inlines) => {
                let mut links = Vec::new();
                let text = styled_text(inlines, SpanStyle::default(), &mut links);
                let indent = self.style.text.indent_em * em;
                let tag = Tag::Node(self.node(Role::P));
                self.paragraph(&text, room, indent, 1.0, Align::Justify, links, tag);
            }
            BlockKind::Heading { level, id, content } => {
                let anchor = self.heading(*level, content, room);
                let name = format!("{}{}/{id}", crate::source::links::INTERNAL, self.article_id);
                self.galley.named.insert(name, anchor);
            }
            BlockKind::Quote(inner) => {
                let q = self.style.text.quote_indent_em * em;
                let inner_room =
                    if self.geo.measure - room.left - room.right - 2.0 * q >= MIN_MEASURE_EM * em {
                        Room {
                            left: room.left + q,
                            right: room.right + q,
                        }
                    } else {
                        room
                    };
                self.space(1, true);
                // In the style's quote face, else in the body face, smaller.
                let (shape, scale) = (self.shape, self.text_scale);
                let look = &self.style.quote;
                let face = self.setter.fonts.choice.quote(shape.script).is_some();
                self.shape.quote = face;
                self.text_scale = if face {
                    look.scale
                } else {
                    look.fallback_scale
                };
                // Nesting deeper than any reader follows is set flat, so
                // that depth costs nothing.
                if depth > 64 {
                    self.blocks_flat(inner, inner_room);
                } else {
                    self.within(Role::BlockQuote, |me| {
                        me.blocks(inner, inner_room, depth + 1)
                    });
                }
                (self.shape, self.text_scale) = (shape, scale);
                self.space(1, true);
            }
            BlockKind::List { start, items } => self.list(*start, items, room, depth),
            BlockKind::Code { text, tokens, .. } => self.code(text, tokens, room),
            BlockKind::Rule => {
                let w = self.measure(room) / 3.0;
                let x0 = room.left + (self.measure(room) - w) / 2.0;
                let y = self.geo.pitch / 2.0;
                self.galley.items.push(Item {
                    band: 1,
                    draws: vec![Draw::Rule {
                        from: Point::new(x0, y),
                        to: Point::new(x0 + w, y),
                        width: 0.5,
                        tag: Tag::Artifact(Artifact::Layout),
                    }],
                    ..Item::default()
                });
            }
            BlockKind::Image {
                path,
                alt,
                caption,
                width,
            } => self.image(path, alt, caption, *width, room),
            BlockKind::Table {
                align,
                head,
                rows,
                pictures,
            } => self.table(align, head, rows, pictures, room),
        }
    }

    fn blocks_flat(&mut self, blocks: &[Block], room: Room) {
        let mut stack: Vec<&Block> = blocks.iter().rev().collect();
        while let Some(b) = stack.pop() {
            match &b.kind {
                BlockKind::Quote(inner) => stack.extend(inner.iter().rev()),
                _ => self.block(b, room, usize::MAX / 2),
            }
        }
    }

    /// A paragraph: one band per line, `tag`'s.
    #[allow(clippy::too_many_arguments)] // each is a setting of its own
    fn paragraph(
        &mut self,
        text: &StyledText,
        room: Room,
        indent: f32,
        scale: f32,
        align: Align,
        links: Vec<LinkTarget>,
        tag: Tag,
    ) -> usize {
        let size = self.em() * scale * self.text_scale;
        let spec = ParaSpec {
            shape: ShapeParams { size, ..self.shape },
            width: self.measure(room),
            indent,
            align,
        };
        let set = set_paragraph(self.setter, text, &spec);
        let count = set.lines.len();
        let first_item = self.galley.items.len();
        let baseline = self.geo.baseline();
        for (i, (x, line)) in set.lines.into_iter().enumerate() {
            let x = room.left + x;
            let (draws, notes) =
                line_draws(line, x, baseline, &links, tag, &mut self.galley.structure);
            self.galley.items.push(Item {
                band: 1,
                draws,
                para: Some(ParaPos {
                    index: i.min(u16::MAX as usize) as u16,
                    count: count.min(u16::MAX as usize) as u16,
                }),
                notes,
                ..Item::default()
            });
        }
        first_item
    }

    /// The article's closing note, as the style's `[note]` sets it:
    /// smaller, flush right (its last line; the lines before it are
    /// justified), flush left, or flush left below a short rule.
    fn closing_note(&mut self, note: &str) {
        let look = &self.style.note;
        let (align, scale) = (look.align, look.scale);
        let geo = self.geo;
        self.space(1, true);
        if align == NoteAlign::Rule {
            let y = geo.pitch / 2.0;
            self.galley.items.push(Item {
                band: 1,
                draws: vec![Draw::Rule {
                    from: Point::new(0.0, y),
                    to: Point::new(NOTE_RULE_EM * geo.em, y),
                    width: 0.5,
                    tag: Tag::Artifact(Artifact::Layout),
                }],
                keep_next: true,
                ..Item::default()
            });
        }
        let tag = Tag::Node(self.node(Role::P));
        let room = Room::default();
        let first = self.paragraph(
            &plain(note),
            room,
            0.0,
            scale,
            Align::Justify,
            Vec::new(),
            tag,
        );
        let measure = self.measure(room);
        if align == NoteAlign::Right && first < self.galley.items.len() {
            if let Some(Draw::Text { at, line, .. }) = self
                .galley
                .items
                .last_mut()
                .and_then(|item| item.draws.first_mut())
            {
                at.inline = room.left + (measure - line.width).max(0.0);
            }
        }
    }

    /// Bold, one band per line plus one, centred in them; kept with what
    /// follows.
    fn heading(&mut self, level: u8, content: &[Inline], room: Room) -> u32 {
        let geo = self.geo;
        let size = geo.em * self.style.text.heading_scale(level);
        let spec = DisplaySpec {
            pairs: Some(&self.pairs),
            shape: ShapeParams {
                size,
                bold: true,
                ..self.shape
            },
            width: self.measure(room),
            hang: 0.0,
            align: Align::Left,
        };
        let text = styled_text(content, SpanStyle::default(), &mut Vec::new());
        let set = set_display(self.setter, &text, &spec);
        let anchor = self.anchor();
        // Below the article's title (H1), the source's highest level is H2;
        // one level deeper than the heading before at most: a source that
        // skips a level does not skip it here.
        let below_title = level.saturating_sub(self.heading_top).saturating_add(2);
        let nested = below_title.clamp(2, 6).min(self.heading_level + 1);
        self.heading_level = nested;
        let tag = Tag::Node(self.node(Role::H(nested)));
        self.galley.headings.push(Heading {
            level,
            title: crate::model::plain_text(content),
            anchor,
            article: self.article,
        });
        let shift = if level <= 2 { geo.pitch / 2.0 } else { 0.0 };
        let baseline = shift + (geo.em - size) / 2.0 + ASCENT * size;
        let n = set.lines.len();
        for (i, (x, line)) in set.lines.into_iter().enumerate() {
            self.galley.items.push(Item {
                band: 1,
                draws: vec![Draw::text(Point::new(room.left + x, baseline), line, tag)],
                keep_next: true,
                heading: true,
                anchors: if i == 0 { vec![anchor] } else { Vec::new() },
                ..Item::default()
            });
            if i + 1 == n && shift > 0.0 {
                self.galley.items.push(Item {
                    band: 1,
                    keep_next: true,
                    heading: true,
                    ..Item::default()
                });
            }
        }
        anchor
    }

    fn list(&mut self, start: Option<u64>, items: &[Vec<Block>], room: Room, depth: usize) {
        let em = self.em();
        let hang = 2.0 * em;
        let inner = if self.geo.measure - room.left - room.right - hang >= MIN_MEASURE_EM * em {
            Room {
                left: room.left + hang,
                right: room.right,
            }
        } else {
            room
        };
        let list = self.node(Role::L {
            numbered: start.is_some(),
        });
        let outer = std::mem::replace(&mut self.parent, list);
        for (i, item) in items.iter().enumerate() {
            let marker = match start {
                Some(n) => format!("{}.", n.saturating_add(i as u64)),
                None => self.style.text.bullet.clone(),
            };
            let first = self.galley.items.len();
            let li = self.node(Role::LI);
            self.parent = li;
            let label = Tag::Node(self.node(Role::Lbl));
            self.within(Role::LBody, |me| {
                for (j, block) in item.iter().enumerate() {
                    match &block.kind {
                        BlockKind::Paragraph(inlines) if j == 0 => {
                            let mut links = Vec::new();
                            let text = styled_text(inlines, SpanStyle::default(), &mut links);
                            let tag = Tag::Node(me.node(Role::P));
                            me.paragraph(&text, inner, 0.0, 1.0, Align::Justify, links, tag);
                        }
                        _ => me.block(block, inner, depth + 1),
                    }
                }
            });
            self.parent = list;
            // A bullet at 0.6 of the text's size, centred on its em box,
            // so that it reads as a mark, not an interpunct.
            let size = if start.is_some() { em } else { 0.6 * em };
            let shape = ShapeParams { size, ..self.shape };
            let line = super::paragraph::set_plain(self.setter, &marker, shape);
            let x = (inner.left - line.width - 0.5 * em).max(room.left);
            let y = self.geo.baseline() - (ASCENT - 0.5) * (em - size);
            if let Some(it) = self.galley.items.get_mut(first) {
                // First in the item's draws: the label is read first.
                it.draws
                    .insert(0, Draw::text(Point::new(x, y), line, label));
            }
        }
        self.parent = outer;
    }

    /// Code: on its columns at `code_scale`, flush left, on a light tint;
    /// long lines wrap after a continuation mark. A short block is not
    /// split across pages, a long one leaves no line alone.
    fn code(&mut self, text: &str, tokens: &[Token], room: Room) {
        let geo = self.geo;
        let size = geo.em * self.style.text.code_scale;
        let column = COLUMN * size;
        let measure = self.measure(room);
        // The tint reaches a column beyond the text on either side.
        let columns = ((measure - 2.0 * column) / column).floor().max(8.0) as usize;
        let shape = ShapeParams {
            size,
            bold: false,
            ..self.shape
        };
        let fonts = self.setter.fonts;
        let mut rows: Vec<(Line, bool)> = Vec::new();
        let look = &self.style.highlight;
        for source in crate::model::toned_code_lines(text, tokens) {
            for (i, line) in code::wrap(fonts, &source, look, &shape, columns)
                .into_iter()
                .enumerate()
            {
                rows.push((line, i > 0));
            }
        }
        if rows.is_empty() {
            return;
        }
        let mark = code::mark(fonts, &shape);
        self.space(1, true);
        let tag = Tag::Node(self.node(Role::Code));
        // Centred on the body's em box, as the tint is.
        let baseline = (geo.em - size) / 2.0 + ASCENT * size;
        let lead = (geo.pitch - geo.em) / 2.0;
        let count = rows.len().min(u16::MAX as usize);
        let whole = count <= SHORT_CODE;
        for (i, (line, continued)) in rows.into_iter().enumerate() {
            let mut draws = vec![Draw::Tint {
                from: Point::new(room.left, -lead),
                to: Point::new(room.left + measure, geo.em + lead),
            }];
            let x = room.left + column;
            if !line.glyphs.is_empty() {
                let indent = if continued { HANG as f32 * column } else { 0.0 };
                draws.push(Draw::text(Point::new(x + indent, baseline), line, tag));
            }
            // After the text: what a page's first line is read from.
            if continued {
                draws.push(Draw::text(
                    Point::new(x, baseline),
                    mark.clone(),
                    Tag::Artifact(Artifact::Layout),
                ));
            }
            self.galley.items.push(Item {
                band: 1,
                draws,
                para: Some(ParaPos {
                    index: i.min(u16::MAX as usize) as u16,
                    count: count as u16,
                }),
                keep_next: whole && i + 1 < count,
                ..Item::default()
            });
        }
        self.space(1, true);
    }
}

/// The rule above a note set after one, in ems.
const NOTE_RULE_EM: f32 = 4.0;

/// Code blocks of at most this many lines are never split across pages.
const SHORT_CODE: usize = 6;

/// Draws for one set line at `x`, all `tag`'s but for its links and
/// footnote marks (nodes of their own below it), with link areas; and the
/// footnotes it marks.
fn line_draws(
    line: Arc<Line>,
    x: f32,
    baseline: f32,
    links: &[LinkTarget],
    tag: Tag,
    structure: &mut Structure,
) -> (Vec<Draw>, Vec<u32>) {
    /// A run of glyphs of one link: its number, first glyph, extent.
    type Run = (u16, usize, f32, f32);
    let mut draws = Vec::new();
    let mut notes = Vec::new();
    let mut spans = Vec::new();
    let mut run: Option<Run> = None;
    let parent = match tag {
        Tag::Node(n) => Some(n),
        Tag::Artifact(_) => None,
    };
    let mut flush = |run: &mut Option<Run>, end: usize, draws: &mut Vec<Draw>, size: f32| {
        let Some((l, first, x0, x1)) = run.take() else {
            return;
        };
        let Some(parent) = parent else {
            return;
        };
        let span = |node| Span {
            start: first.min(u16::MAX as usize) as u16,
            end: end.min(u16::MAX as usize) as u16,
            node,
        };
        match links.get(l as usize) {
            // Only web and mail links are clickable: a path would have the
            // viewer open (or launch) a local file.
            Some(LinkTarget::Uri(u)) if crate::scheme::is_web(u) => {
                let node = structure.add(Role::Link, Some(parent));
                structure.node_mut(node).alt = Some(u.clone());
                spans.push(span(node));
                draws.push(Draw::Link {
                    from: Point::new(x + x0, baseline - ASCENT * size),
                    to: Point::new(x + x1, baseline + (1.0 - ASCENT) * size),
                    target: Target::Uri(u.clone()),
                    node: Some(node),
                });
            }
            Some(LinkTarget::Footnote(_)) => {
                spans.push(span(structure.add(Role::Reference, Some(parent))));
            }
            _ => {}
        }
    };
    for (k, g) in line.glyphs.iter().enumerate() {
        match (g.link, run) {
            (Some(l), Some((rl, first, x0, _))) if rl == l => {
                run = Some((l, first, x0, g.x + g.advance))
            }
            (Some(l), _) => {
                flush(&mut run, k, &mut draws, line.size);
                run = Some((l, k, g.x, g.x + g.advance));
                if let Some(LinkTarget::Footnote(n)) = links.get(l as usize) {
                    if !notes.contains(n) {
                        notes.push(*n);
                    }
                }
            }
            (None, _) => flush(&mut run, k, &mut draws, line.size),
        }
    }
    flush(&mut run, line.glyphs.len(), &mut draws, line.size);
    draws.insert(
        0,
        Draw::Text {
            at: Point::new(x, baseline),
            line,
            tag,
            spans,
        },
    );
    (draws, notes)
}

fn plain(text: &str) -> StyledText {
    let mut s = StyledText::default();
    s.push(text, SpanStyle::default());
    s
}
