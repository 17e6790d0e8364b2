//! The galley's less common blocks: footnotes (set apart for the page
//! breaker) and images scaled to the measure.

use std::sync::Arc;

use super::*;
use crate::typeset::geometry::Size;

impl Layout<'_> {
    pub(super) fn footnote(&mut self, number: u32, blocks: &[Block]) {
        let size = self.em() * NOTE_SCALE;
        let shape = ShapeParams { size, ..self.shape };
        let tag = Tag::Node(self.node(Role::Note));
        let mut lines: Vec<(f32, Line)> = Vec::new();
        let label = crate::typeset::paragraph::set_plain(self.setter, &format!("{number}"), shape);
        let hang = size * 1.5;
        for (i, block) in blocks.iter().enumerate() {
            let inlines: Vec<Inline> = match &block.kind {
                BlockKind::Paragraph(c) | BlockKind::Heading { content: c, .. } => c.clone(),
                BlockKind::Code { text, .. } => vec![Inline::Text(text.clone())],
                _ => vec![Inline::Text(block_plain(block))],
            };
            let text = styled_text(&inlines, SpanStyle::default(), &mut Vec::new());
            let spec = ParaSpec {
                shape,
                width: self.geo.measure - hang,
                indent: 0.0,
                align: Align::Justify,
            };
            let set = set_paragraph(self.setter, &text, &spec);
            for (x, line) in set.lines {
                lines.push((hang + x, Arc::unwrap_or_clone(line)));
            }
            if i == 0 && !lines.is_empty() {
                lines.insert(0, (0.0, label.clone()));
            }
        }
        // The label shares the first line's baseline: merge it in.
        if lines.len() >= 2 && lines[0].1.glyphs.len() == label.glyphs.len() {
            let (_, label_line) = lines.remove(0);
            let (x, first) = &mut lines[0];
            let offset = *x;
            let mut merged = label_line;
            let base = merged.text.len() as u32;
            merged.text.push_str(&first.text);
            for g in &first.glyphs {
                let mut g = g.clone();
                g.x += offset;
                g.text = g.text.start + base..g.text.end + base;
                merged.glyphs.push(g);
            }
            merged.width = offset + first.width;
            *x = 0.0;
            *first = merged;
        }
        let lines = lines.into_iter().map(|(x, l)| (x, l, tag)).collect();
        self.galley.notes.insert((self.article, number), lines);
    }

    /// A picture at its own size (bitmaps at 150 dpi, drawings at their
    /// CSS size, or the width HTML asked for), never past the measure or
    /// most of the page; a framed placeholder with its description when the
    /// picture could not be had (the library has warned).
    pub(super) fn image(
        &mut self,
        path: &std::path::Path,
        alt: &str,
        caption: &[Inline],
        css_width: Option<u32>,
        room: Room,
    ) {
        let geo = self.geo;
        let width = self.measure(room);
        let max_h = (geo.slots.saturating_sub(3).max(1)) as f32 * geo.pitch;
        self.space(1, true);
        // Described by its alternative text, else by its caption; with
        // neither, it is decoration to a reader who cannot see it.
        let description = [alt.trim().to_string(), crate::model::plain_text(caption)]
            .into_iter()
            .find(|d| !d.trim().is_empty());
        match self.images.place(path) {
            Some((index, picture)) => {
                let (nat_w, nat_h) = picture.natural;
                let (nat_w, nat_h) = (nat_w.max(0.1), nat_h.max(0.1));
                let natural = css_width.map_or(nat_w, |px| px as f32 * 0.75);
                let mut w = natural.min(width);
                let mut h = w * nat_h / nat_w;
                if h > max_h {
                    h = max_h;
                    w = h * nat_w / nat_h;
                }
                let band = (h / geo.pitch).ceil().max(1.0) as u16;
                let x = room.left + (width - w) / 2.0;
                let y = (band as f32 * geo.pitch - h) / 2.0;
                let tag = match description {
                    Some(d) => {
                        let figure = self.node(Role::Figure);
                        self.galley.structure.node_mut(figure).alt = Some(d);
                        Tag::Node(figure)
                    }
                    None => Tag::Artifact(Artifact::Layout),
                };
                self.galley.items.push(Item {
                    band,
                    draws: vec![Draw::Image {
                        at: Point::new(x, y),
                        size: Size::new(w, h),
                        image: index,
                        tag,
                    }],
                    keep_next: !caption.is_empty(),
                    figure: true,
                    ..Item::default()
                });
            }
            None => {
                self.placeholder(alt, room, !caption.is_empty());
                // The box shows the description already.
                if crate::model::plain_text(caption) == alt {
                    self.space(1, true);
                    return;
                }
            }
        }
        if !caption.is_empty() {
            let text = styled_text(caption, SpanStyle::default(), &mut Vec::new());
            let tag = Tag::Node(self.node(Role::Caption));
            self.paragraph(&text, room, 0.0, 0.9, Align::Center, Vec::new(), tag);
        }
        self.space(1, true);
    }

    /// A framed box, two thirds of the measure wide, with the picture's
    /// description (or 图) centred in it.
    fn placeholder(&mut self, alt: &str, room: Room, keep_next: bool) {
        let geo = self.geo;
        let measure = self.measure(room);
        let w = measure * 2.0 / 3.0;
        let inner = Room {
            left: room.left + (measure - w) / 2.0 + geo.em,
            right: room.right + (measure - w) / 2.0 + geo.em,
        };
        let label = if alt.trim().is_empty() {
            "图"
        } else {
            alt.trim()
        };
        let first = self.galley.items.len();
        self.space(1, false);
        // The box stands for the picture: a figure, its words the description.
        let figure = self.node(Role::Figure);
        self.galley.structure.node_mut(figure).alt = Some(label.to_string());
        let tag = Tag::Node(figure);
        self.paragraph(
            &plain(label),
            inner,
            0.0,
            0.9,
            Align::Center,
            Vec::new(),
            tag,
        );
        self.space(1, false);
        let items = &mut self.galley.items[first..];
        let bands: u16 = items.iter().map(|i| i.band).sum();
        let (x0, x1) = (
            room.left + (measure - w) / 2.0,
            room.left + (measure + w) / 2.0,
        );
        let (top, bottom) = (
            geo.pitch * 0.25,
            bands as f32 * geo.pitch - geo.pitch * 0.25,
        );
        let rule = |x0: f32, y0: f32, x1: f32, y1: f32| Draw::Rule {
            from: Point::new(x0, y0),
            to: Point::new(x1, y1),
            width: 0.5,
            tag: Tag::Artifact(Artifact::Layout),
        };
        if let Some(head) = items.first_mut() {
            head.draws.extend([
                rule(x0, top, x1, top),
                rule(x0, bottom, x1, bottom),
                rule(x0, top, x0, bottom),
                rule(x1, top, x1, bottom),
            ]);
        }
        // The frame is drawn from its first band: the bands stay together.
        let n = items.len();
        for (i, item) in items.iter_mut().enumerate() {
            item.keep_next = i + 1 < n || keep_next;
        }
    }
}

fn block_plain(block: &Block) -> String {
    match &block.kind {
        BlockKind::Paragraph(c) | BlockKind::Heading { content: c, .. } => {
            crate::model::plain_text(c)
        }
        BlockKind::Quote(inner) => inner.iter().map(block_plain).collect::<Vec<_>>().join(" "),
        BlockKind::List { items, .. } => items
            .iter()
            .flatten()
            .map(block_plain)
            .collect::<Vec<_>>()
            .join(" "),
        BlockKind::Code { text, .. } => text.clone(),
        BlockKind::Image { alt, .. } => alt.clone(),
        BlockKind::Rule => String::new(),
        BlockKind::Table { head, rows, .. } => head
            .iter()
            .chain(rows.iter().flatten())
            .map(|c| crate::model::plain_text(c))
            .collect::<Vec<_>>()
            .join(" "),
    }
}
