//! Tables as a Chinese publisher sets them: a three-line table (三线表),
//! a thick rule above and below and a thin one under the header, no
//! vertical rules; columns as wide as their content wants (see
//! [`columns`](crate::typeset::columns)), cells set by the body's line
//! breaker with the body's kinsoku, aligned as the Markdown says. Each line
//! of a row is a band of the grid, so that a long table can break between
//! rows: the page it goes on to repeats its header, the page it leaves
//! closes it with its bottom rule. A cell's pictures stand above its text,
//! scaled to the column, on whole lines of the grid.

use std::sync::Arc;

use super::*;
use crate::model::Align as Column;
use crate::model::CellPicture;
use crate::typeset::columns::{self, Extent};
use crate::typeset::geometry::Size;
use crate::typeset::page::TableBreak;
use crate::typeset::paragraph::set_cell;
use crate::typeset::shape::shape;
use crate::typeset::structure::NodeId;

/// Cell padding on either side, in ems of the table's text.
const PAD_EM: f32 = 0.5;

/// The narrowest a picture in a cell is shrunk to (unless it is narrower
/// itself), in ems of the table's text: its min-content width, so that text
/// columns keep their words whole before a picture becomes a speck.
const PICTURE_MIN_EM: f32 = 4.0;

/// The tallest a picture in a cell is, in lines of the page: a row is
/// never split, so it must fit a page with room to spare.
const PICTURE_MAX_SHARE: f32 = 0.4;

/// One cell, ready to set.
struct Cell {
    text: StyledText,
    links: Vec<LinkTarget>,
    node: NodeId,
    pictures: Vec<CellImage>,
}

/// A picture of a cell, as the library has it.
struct CellImage {
    index: u32,
    /// Its own width and height, in points.
    natural: (f32, f32),
    description: Option<String>,
}

impl Layout<'_> {
    pub(super) fn table(
        &mut self,
        align: &[Column],
        head: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
        pictures: &[CellPicture],
        room: Room,
    ) {
        let geo = self.geo;
        let look = self.style.table.clone();
        let measure = self.measure(room);
        let cols = head.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
        if cols == 0 {
            return;
        }
        let size = geo.em * look.scale;
        let body = self.shape;
        let shape_of = |bold: bool| ShapeParams { size, bold, ..body };
        // Padding shrinks when many columns would leave no room for text.
        let pad = (size * PAD_EM).min(measure / (cols as f32 * 6.0));
        self.space(1, true);
        let table = self.node(Role::Table);
        let all = std::iter::once((head, true)).chain(rows.iter().map(|r| (&r[..], false)));
        let mut grid: Vec<(Vec<Cell>, bool)> = Vec::new();
        let mut extents = vec![Extent::default(); cols];
        for (ri, (cells, header)) in all.enumerate() {
            let images = |ci| BlockKind::cell_pictures(pictures, ri, ci);
            if header
                && cells.iter().all(Vec::is_empty)
                && (0..cols).all(|ci| images(ci).next().is_none())
            {
                continue;
            }
            let row = self.galley.structure.add(Role::TR, Some(table));
            let role = if header { Role::TH } else { Role::TD };
            let mut set = Vec::with_capacity(cols);
            for (ci, extent) in extents.iter_mut().enumerate() {
                let mut links = Vec::new();
                let mut inlines = cells.get(ci).cloned().unwrap_or_default();
                let mut found = Vec::new();
                for (at, (path, alt, css_width)) in images(ci)
                    .filter_map(|b| match &b.kind {
                        BlockKind::Image {
                            path, alt, width, ..
                        } => Some((path, alt, width)),
                        _ => None,
                    })
                    .enumerate()
                {
                    match self.images.place(path) {
                        Some((index, picture)) => {
                            let (w, h) = picture.natural;
                            let (w, h) = (w.max(0.1), h.max(0.1));
                            let shown = css_width.map_or(w, |px| px as f32 * 0.75);
                            let natural = (shown, shown * h / w);
                            *extent = extent.widen(Extent {
                                min: natural.0.min(size * PICTURE_MIN_EM),
                                max: natural.0,
                            });
                            found.push(CellImage {
                                index,
                                natural,
                                description: Some(alt.trim().to_string()).filter(|d| !d.is_empty()),
                            });
                        }
                        // One the library could not have (it has warned):
                        // its description, as the cell's text.
                        None => {
                            let label = if alt.trim().is_empty() {
                                "图"
                            } else {
                                alt.trim()
                            };
                            inlines.insert(at, Inline::Text(format!("[{label}]")));
                            inlines.insert(at + 1, Inline::LineBreak);
                        }
                    }
                }
                let text = styled_text(&inlines, SpanStyle::default(), &mut links);
                let shaped = shape(self.setter.fonts, &text, &shape_of(header));
                *extent = extent.widen(columns::extent(&shaped));
                // Short rows are filled with empty cells: the grid stays
                // regular for a screen reader too.
                let node = self.galley.structure.add(role, Some(row));
                set.push(Cell {
                    text,
                    links,
                    node,
                    pictures: found,
                });
            }
            grid.push((set, header));
        }
        let widths = columns::widths(&extents, measure - 2.0 * pad * cols as f32);
        let table_w = widths.iter().sum::<f32>() + 2.0 * pad * cols as f32;
        // A table narrower than the measure is centred on it.
        let left = room.left + ((measure - table_w) / 2.0).max(0.0);
        let lefts: Vec<f32> = widths
            .iter()
            .scan(left, |x, w| {
                let at = *x;
                *x += w + 2.0 * pad;
                Some(at + pad)
            })
            .collect();
        // The rows' lines sit on the grid, their text centred on the body's
        // em box; rules fall midway between lines.
        let lead = (geo.pitch - geo.em) / 2.0;
        let baseline = (geo.em - size) / 2.0 + ASCENT * size;
        let rule = |y: f32, width: f32| Draw::Rule {
            from: Point::new(left, y),
            to: Point::new(left + table_w, y),
            width,
            tag: Tag::Artifact(Artifact::Layout),
        };
        let first = self.galley.items.len();
        let body_rows = grid.iter().filter(|(_, h)| !*h).count();
        let mut head_items = 0..0;
        let mut body_row = 0;
        let mut row_ends = Vec::new();
        let max_h = (geo.slots as f32 * PICTURE_MAX_SHARE).floor().max(1.0) * geo.pitch;
        for (cells, header) in grid {
            let mut lines: Vec<Vec<Draw>> = Vec::new();
            let mut notes: Vec<Vec<u32>> = Vec::new();
            let tall = cells.iter().any(|c| !c.pictures.is_empty());
            for (ci, cell) in cells.into_iter().enumerate() {
                let how = match align.get(ci).copied().unwrap_or(Column::None) {
                    Column::None if header => Column::Center,
                    other => other,
                };
                let across = |w: f32| {
                    let slack = (widths[ci] - w).max(0.0);
                    lefts[ci]
                        + match how {
                            Column::Right => slack,
                            Column::Center => slack / 2.0,
                            _ => 0.0,
                        }
                };
                // The pictures first, each on whole lines, centred on them.
                let mut skip = 0;
                for picture in &cell.pictures {
                    let (nat_w, nat_h) = picture.natural;
                    let mut w = nat_w.min(widths[ci]);
                    let mut h = w * nat_h / nat_w;
                    if h > max_h {
                        h = max_h;
                        w = h * nat_w / nat_h;
                    }
                    let band = (h / geo.pitch + 0.2).ceil().max(1.0) as usize;
                    let y = -lead + (band as f32 * geo.pitch - h) / 2.0;
                    let tag = match &picture.description {
                        Some(d) => {
                            let figure = self.galley.structure.add(Role::Figure, Some(cell.node));
                            self.galley.structure.node_mut(figure).alt = Some(d.clone());
                            Tag::Node(figure)
                        }
                        None => Tag::Artifact(Artifact::Layout),
                    };
                    if lines.len() < skip + band {
                        lines.resize_with(skip + band, Vec::new);
                        notes.resize_with(skip + band, Vec::new);
                    }
                    lines[skip].push(Draw::Image {
                        at: Point::new(across(w), y),
                        size: Size::new(w, h),
                        image: picture.index,
                        tag,
                    });
                    skip += band;
                }
                let spec = ParaSpec {
                    shape: shape_of(header),
                    // A hair more than the column: a run that fits at
                    // min-content is never broken by rounding.
                    width: widths[ci] + size * 0.01,
                    indent: 0.0,
                    align: Align::Left,
                };
                let set = set_cell(self.setter, &cell.text, &spec);
                for (li, (_, line)) in set.lines.into_iter().enumerate() {
                    let li = li + skip;
                    let x = across(line.width);
                    let (draws, marks) = line_draws(
                        line,
                        x,
                        baseline,
                        &cell.links,
                        Tag::Node(cell.node),
                        &mut self.galley.structure,
                    );
                    if lines.len() <= li {
                        lines.resize_with(li + 1, Vec::new);
                        notes.resize_with(li + 1, Vec::new);
                    }
                    lines[li].extend(draws);
                    notes[li].extend(marks);
                }
            }
            if lines.is_empty() {
                lines.push(Vec::new());
                notes.push(Vec::new());
            }
            let start = self.galley.items.len();
            let count = lines.len();
            let last_body = !header && body_row + 1 == body_rows;
            for (li, (mut draws, notes)) in lines.into_iter().zip(notes).enumerate() {
                // A row with pictures is tinted whole from its first line:
                // the next lines' tints would cover its pictures.
                let lines_tinted = if tall { count } else { 1 };
                if !header && look.row_tint && body_row % 2 == 1 && (li == 0 || !tall) {
                    draws.insert(
                        0,
                        Draw::Tint {
                            from: Point::new(left, -lead),
                            to: Point::new(left + table_w, lines_tinted as f32 * geo.pitch - lead),
                        },
                    );
                }
                if header && li == 0 {
                    draws.push(rule(-lead, look.thick_rule_pt));
                }
                if li + 1 == count {
                    let under = geo.pitch - lead;
                    if header && body_rows == 0 {
                        draws.push(rule(under, look.thick_rule_pt));
                    } else if header {
                        draws.push(rule(under, look.thin_rule_pt));
                    } else if last_body {
                        draws.push(rule(under, look.thick_rule_pt));
                    } else if look.row_rule_pt > 0.0 {
                        draws.push(rule(under, look.row_rule_pt));
                    }
                }
                draws.retain(|d| !matches!(d, Draw::Rule { width, .. } if *width <= 0.0));
                self.galley.items.push(Item {
                    band: 1,
                    draws,
                    notes,
                    // A row is not split across pages.
                    keep_next: li + 1 < count,
                    ..Item::default()
                });
            }
            if header {
                head_items = start..self.galley.items.len();
            } else {
                body_row += 1;
            }
            row_ends.push(self.galley.items.len() - 1);
        }
        let end = self.galley.items.len();
        if end == first {
            return;
        }
        let head_rows = usize::from(!head_items.is_empty());
        // The header goes with two rows at least, and the last row does not
        // go alone to a page: a table breaks between its second and its
        // second-to-last rows, if at all. A table of at most half a page
        // moves whole to the next page rather than break.
        let keep_to = row_ends
            .get(head_rows + 1)
            .or(row_ends.last())
            .copied()
            .unwrap_or(first);
        let whole = end - first <= (geo.slots / 2).max(1) as usize;
        for (k, item) in self.galley.items[first..end].iter_mut().enumerate() {
            let at = first + k;
            let near_end = row_ends.len() >= 2 && at == row_ends[row_ends.len() - 2];
            if at < keep_to || near_end || (whole && at + 1 < end) {
                item.keep_next = true;
            }
        }
        let mut repeated = Item {
            band: head_items.len() as u16,
            ..Item::default()
        };
        for (li, item) in self.galley.items[head_items.clone()].iter().enumerate() {
            let down = Point::new(0.0, li as f32 * geo.pitch);
            repeated.draws.extend(item.draws.iter().filter_map(|d| {
                let d = match d {
                    Draw::Text { at, line, .. } => Draw::Text {
                        at: *at,
                        line: line.clone(),
                        tag: Tag::Artifact(Artifact::Layout),
                        spans: Vec::new(),
                    },
                    Draw::Image {
                        at, size, image, ..
                    } => Draw::Image {
                        at: *at,
                        size: *size,
                        image: *image,
                        tag: Tag::Artifact(Artifact::Layout),
                    },
                    Draw::Link { .. } => return None,
                    other => other.clone(),
                };
                Some(d.shifted(down))
            }));
        }
        let shared = Arc::new(TableBreak {
            head: repeated,
            close: vec![rule(-lead, look.thick_rule_pt)],
        });
        for item in &mut self.galley.items[first..end] {
            item.table = Some(Arc::clone(&shared));
        }
        self.space(1, true);
    }
}
