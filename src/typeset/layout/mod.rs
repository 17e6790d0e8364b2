//! The body: each article's blocks set into a galley of grid bands (title,
//! byline, paragraphs, headings, quotes, lists, code, rules, images,
//! tables), with footnotes set apart for the page breaker.

use std::path::PathBuf;

mod figures;

use super::geometry::{Geometry, Point, ASCENT};
use super::images::Images;
use super::line::Line;
use super::page::{Draw, Item, NoteLines, ParaPos, Target};
use super::paragraph::{
    set_balanced, set_paragraph, styled_text, Align, LinkTarget, ParaSpec, Setter,
};
use super::shape::{ShapeParams, SpanStyle, StyledText};
use crate::lang::PunctStyle;
use crate::model::{Article, Block, BlockKind, Inline};
use crate::style::Style;

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
}

/// No measure gets narrower than this many ems, however deep the nesting.
impl Galley {
    /// Adds the next article's galley: its anchors are numbered after
    /// this one's, and its pictures by `pictures` (its numbers → the
    /// book's).
    pub fn append(&mut self, next: Galley, pictures: &[u32]) {
        let offset = self.anchors;
        for mut item in next.items {
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
        self.notes.extend(next.notes);
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
}

/// Horizontal room for a block: indents from the text block's edges.
#[derive(Debug, Clone, Copy, Default)]
struct Room {
    left: f32,
    right: f32,
}

impl<'a> Layout<'a> {
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
            },
            source: PathBuf::new(),
        }
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
        self.shape = ShapeParams {
            size: self.em(),
            script: article.lang.script(),
            punct: article.lang.punct_style(),
            bold: false,
        };
        self.title_block(index, article);
        self.blocks(&article.blocks, Room::default(), 0);
        if let Some(note) = &article.note {
            self.space(1, true);
            let text = plain(note);
            self.paragraph(&text, Room::default(), 0.0, 0.9, Align::Justify, Vec::new());
        }
        for note in &article.footnotes {
            self.footnote(note.number, &note.blocks);
        }
    }

    /// Title, then the author / source / date line, centred below some
    /// space, as one band that opens the article's first page.
    fn title_block(&mut self, index: usize, article: &Article) {
        let geo = self.geo;
        let size = geo.em * self.style.text.title_scale;
        let spec = ParaSpec {
            shape: ShapeParams {
                size,
                bold: true,
                ..self.shape
            },
            width: geo.measure,
            indent: 0.0,
            align: Align::Center,
        };
        let title = set_balanced(self.setter, &plain(&article.title), &spec);
        let mut draws = Vec::new();
        let mut y = 2.0 * geo.pitch;
        let title_pitch = size * 1.45;
        for (x, line) in title.lines {
            draws.push(Draw::Text {
                at: Point::new(x, y + ASCENT * size),
                line,
            });
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
            for (x, line) in set_paragraph(self.setter, &plain(&byline), &spec).lines {
                draws.push(Draw::Text {
                    at: Point::new(x, y + ASCENT * size),
                    line,
                });
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
            band: (y / geo.pitch).ceil() as u16,
            draws,
            keep_next: true,
            anchors: vec![anchor],
            starts_article: Some(index),
            ..Item::default()
        });
    }

    fn space(&mut self, band: u16, discardable: bool) {
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
                self.paragraph(&text, room, indent, 1.0, Align::Justify, links);
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
                // Nesting deeper than any reader follows is set flat, so
                // that depth costs nothing.
                if depth > 64 {
                    self.blocks_flat(inner, inner_room);
                } else {
                    self.blocks(inner, inner_room, depth + 1);
                }
                self.space(1, true);
            }
            BlockKind::List { start, items } => self.list(*start, items, room, depth),
            BlockKind::Code { text, .. } => self.code(text, room),
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
            BlockKind::Table { head, rows, .. } => self.table(head, rows, room),
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

    /// A paragraph: one band per line.
    fn paragraph(
        &mut self,
        text: &StyledText,
        room: Room,
        indent: f32,
        scale: f32,
        align: Align,
        links: Vec<LinkTarget>,
    ) -> usize {
        let size = self.em() * scale;
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
            let (draws, notes) = line_draws(line, x, baseline, &links);
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

    /// Bold, one band per line plus one, centred in them; kept with what
    /// follows.
    fn heading(&mut self, level: u8, content: &[Inline], room: Room) -> u32 {
        let geo = self.geo;
        let size = geo.em * self.style.text.heading_scale(level);
        let spec = ParaSpec {
            shape: ShapeParams {
                size,
                bold: true,
                ..self.shape
            },
            width: self.measure(room),
            indent: 0.0,
            align: Align::Justify,
        };
        let text = styled_text(content, SpanStyle::default(), &mut Vec::new());
        let set = set_paragraph(self.setter, &text, &spec);
        let anchor = self.anchor();
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
                draws: vec![Draw::Text {
                    at: Point::new(room.left + x, baseline),
                    line,
                }],
                keep_next: true,
                anchors: if i == 0 { vec![anchor] } else { Vec::new() },
                ..Item::default()
            });
            if i + 1 == n && shift > 0.0 {
                self.galley.items.push(Item {
                    band: 1,
                    keep_next: true,
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
        for (i, item) in items.iter().enumerate() {
            let marker = match start {
                Some(n) => format!("{}.", n.saturating_add(i as u64)),
                None => "•".to_string(),
            };
            let first = self.galley.items.len();
            for (j, block) in item.iter().enumerate() {
                match &block.kind {
                    BlockKind::Paragraph(inlines) if j == 0 => {
                        let mut links = Vec::new();
                        let text = styled_text(inlines, SpanStyle::default(), &mut links);
                        self.paragraph(&text, inner, 0.0, 1.0, Align::Justify, links);
                    }
                    _ => self.block(block, inner, depth + 1),
                }
            }
            let line = super::paragraph::set_plain(self.setter, &marker, self.shape);
            let x = (inner.left - line.width - 0.5 * em).max(room.left);
            let y = self.geo.baseline();
            if let Some(it) = self.galley.items.get_mut(first) {
                it.draws.push(Draw::Text {
                    at: Point::new(x, y),
                    line,
                });
            }
        }
    }

    /// Code: line by line at a smaller size, flush left, long lines
    /// wrapped.
    fn code(&mut self, text: &str, room: Room) {
        self.space(1, true);
        for source_line in text.lines() {
            let styled = plain(if source_line.is_empty() {
                " "
            } else {
                source_line
            });
            self.paragraph(&styled, room, 0.0, 0.9, Align::Left, Vec::new());
        }
        self.space(1, true);
    }
}

/// Draws for one set line at `x`, with link areas; and the footnotes it
/// marks.
fn line_draws(line: Line, x: f32, baseline: f32, links: &[LinkTarget]) -> (Vec<Draw>, Vec<u32>) {
    let mut draws = Vec::new();
    let mut notes = Vec::new();
    let mut run: Option<(u16, f32, f32)> = None;
    let flush = |run: &mut Option<(u16, f32, f32)>, draws: &mut Vec<Draw>, size: f32| {
        if let Some((l, x0, x1)) = run.take() {
            // Only web and mail links are clickable: a path would have the
            // viewer open (or launch) a local file.
            if let Some(LinkTarget::Uri(u)) = links
                .get(l as usize)
                .filter(|t| matches!(t, LinkTarget::Uri(u) if crate::scheme::is_web(u)))
            {
                draws.push(Draw::Link {
                    from: Point::new(x + x0, baseline - ASCENT * size),
                    to: Point::new(x + x1, baseline + (1.0 - ASCENT) * size),
                    target: Target::Uri(u.clone()),
                });
            }
        }
    };
    for g in &line.glyphs {
        match (g.link, run) {
            (Some(l), Some((rl, x0, _))) if rl == l => run = Some((l, x0, g.x + g.advance)),
            (Some(l), _) => {
                flush(&mut run, &mut draws, line.size);
                run = Some((l, g.x, g.x + g.advance));
                if let Some(LinkTarget::Footnote(n)) = links.get(l as usize) {
                    if !notes.contains(n) {
                        notes.push(*n);
                    }
                }
            }
            (None, _) => flush(&mut run, &mut draws, line.size),
        }
    }
    flush(&mut run, &mut draws, line.size);
    draws.insert(
        0,
        Draw::Text {
            at: Point::new(x, baseline),
            line,
        },
    );
    (draws, notes)
}

fn plain(text: &str) -> StyledText {
    let mut s = StyledText::default();
    s.push(text, SpanStyle::default());
    s
}
