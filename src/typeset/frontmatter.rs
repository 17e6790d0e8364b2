//! Front matter and page furniture: the title page, its verso with the
//! book's particulars, the table of contents (目录) with dot leaders, page
//! numbers and links; running heads and folios on every page.
//!
//! The body is numbered from 1 whatever the length of the front matter
//! (page labels restart there), so the TOC's numbers are final once the
//! body is paginated: one pass settles them, and the front matter is kept
//! to an even number of pages so that page 1 stays a right-hand page.

use std::collections::HashMap;
use std::sync::Arc;

use super::display::{fit_head, set_display, DisplaySpec, Pairs};
use super::geometry::{Geometry, Point, ASCENT};
use super::layout::Heading;
use super::line::{Line, Placed};
use super::page::{Draw, Item, NoteLines, NoteStyle, Page, Placement, Target};
use super::paginate::paginate;
use super::paragraph::{set_paragraph, set_plain, Align, ParaSpec, Setter};
use super::shape::{ShapeParams, SpanStyle, StyledText};
use super::structure::{Artifact, NodeId, Role, Structure, Tag};
use crate::lang::Script;
use crate::model::{Article, BookMeta};

/// What the contents list: the body's headings, where each landed, and
/// the articles they belong to with their pairs of ideographs.
pub struct Listed<'a> {
    pub headings: &'a [Heading],
    pub placed: &'a [Option<Placement>],
    pub articles: &'a [Article],
    pub pairs: &'a [Pairs],
}

/// What the front matter and the furniture need to set text.
pub struct Front<'a> {
    pub setter: Setter<'a>,
    pub geo: Geometry,
    pub meta: &'a BookMeta,
    pub shape: ShapeParams,
    pub title_scale: f32,
    /// How the book's date prints.
    pub dates: crate::dates::DateStyle,
}

fn styled(text: &str) -> StyledText {
    let mut s = StyledText::default();
    s.push(text, SpanStyle::default());
    s
}

impl Front<'_> {
    fn with(&self, size: f32, bold: bool) -> ShapeParams {
        ShapeParams {
            size,
            bold,
            ..self.shape
        }
    }

    fn centred(
        &self,
        text: &str,
        size: f32,
        bold: bool,
        y: f32,
        tag: Tag,
        out: &mut Vec<Draw>,
    ) -> f32 {
        let spec = DisplaySpec {
            pairs: None,
            shape: self.with(size, bold),
            width: self.geo.measure,
            hang: 0.0,
            align: Align::Center,
        };
        let set = set_display(self.setter, &styled(text), &spec);
        let mut y = y;
        let left = self.geo.inline_start(true);
        for (x, line) in set.lines {
            out.push(Draw::text(
                Point::new(left + x, y + ASCENT * size),
                line,
                tag,
            ));
            y += size * 1.5;
        }
        y
    }

    fn hant(&self) -> bool {
        self.shape.script == Script::Hant
    }

    /// Title page (recto) and its verso with the particulars, their
    /// nodes under `parent`.
    pub fn title_pages(&self, structure: &mut Structure, parent: NodeId) -> Vec<Page> {
        let geo = self.geo;
        let m = self.meta;
        let em = geo.em;
        let mut node = |role| Tag::Node(structure.add(role, Some(parent)));
        let mut draws = Vec::new();
        let mut y = geo.page_block() * 0.24;
        let (size, title) = (em * self.title_scale * 1.4, node(Role::H(1)));
        y = self.centred(&m.title, size, true, y, title, &mut draws);
        if let Some(sub) = &m.subtitle {
            self.centred(sub, em * 1.2, false, y + em, node(Role::P), &mut draws);
        }
        let by = m.editor.as_ref().map(|e| {
            let label = if self.hant() { "編" } else { "编" };
            format!("{e}　{label}")
        });
        let names = if m.authors.is_empty() {
            by
        } else {
            Some(m.authors.join("　"))
        };
        if let Some(n) = names {
            let y = geo.page_block() * 0.55;
            self.centred(&n, em * 1.1, false, y, node(Role::P), &mut draws);
        }
        if let Some(p) = &m.publisher {
            let y = geo.text_end() - 2.0 * geo.pitch;
            self.centred(p, em * 1.1, false, y, node(Role::P), &mut draws);
        }
        let title = Page {
            draws,
            recto: true,
            ..Page::default()
        };

        // The verso: the particulars at the foot, flush left.
        let hant = self.hant();
        let labels = if hant {
            ["書名", "編者", "作者", "出版", "版次", "內容簡介"]
        } else {
            ["书名", "编者", "作者", "出版", "版次", "内容简介"]
        };
        let mut rows: Vec<String> = Vec::new();
        let full_title = match &m.subtitle {
            Some(s) => format!("{}——{}", m.title, s),
            None => m.title.clone(),
        };
        rows.push(format!("{}：{full_title}", labels[0]));
        if let Some(e) = &m.editor {
            rows.push(format!("{}：{e}", labels[1]));
        }
        if !m.authors.is_empty() {
            rows.push(format!("{}：{}", labels[2], m.authors.join("、")));
        }
        if let Some(p) = &m.publisher {
            rows.push(format!("{}：{p}", labels[3]));
        }
        let date = m.date.as_deref();
        let date = date.map(|d| crate::dates::edition_date(d, &m.lang.tag, self.dates));
        let edition = [date, m.edition.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("　");
        if !edition.is_empty() {
            rows.push(format!("{}：{edition}", labels[4]));
        }
        if let Some(d) = &m.description {
            rows.push(format!("{}：{d}", labels[5]));
        }
        let size = em * 0.9;
        let pitch = size * 1.6;
        let spec = ParaSpec {
            shape: self.with(size, false),
            width: geo.measure,
            indent: 0.0,
            align: Align::Justify,
        };
        let set: Vec<(f32, Arc<Line>, Tag)> = rows
            .iter()
            .flat_map(|r| {
                let tag = node(Role::P);
                let lines = set_paragraph(self.setter, &styled(r), &spec).lines;
                lines.into_iter().map(move |(x, line)| (x, line, tag))
            })
            .collect();
        let left = geo.inline_start(false);
        let mut y = geo.text_end() - set.len() as f32 * pitch;
        let mut draws = Vec::new();
        for (x, line, tag) in set {
            draws.push(Draw::text(
                Point::new(left + x, y + ASCENT * size),
                line,
                tag,
            ));
            y += pitch;
        }
        let verso = Page {
            draws,
            recto: false,
            ..Page::default()
        };
        vec![title, verso]
    }

    /// The TOC: articles and their headings down to `depth` (1 = articles
    /// only), each with dot leaders, its page number and a link; its node
    /// goes under `parent`.
    pub fn contents(
        &self,
        listed: Listed<'_>,
        depth: u8,
        structure: &mut Structure,
        parent: NodeId,
    ) -> Vec<Page> {
        let Listed {
            headings,
            placed,
            articles,
            pairs,
        } = listed;
        let geo = self.geo;
        let em = geo.em;
        let mut items = Vec::new();
        let mut draws = Vec::new();
        let heading = if self.hant() { "目錄" } else { "目录" };
        let toc = structure.add(Role::Toc, Some(parent));
        let caption = Tag::Node(structure.add(Role::Caption, Some(toc)));
        self.centred_item(heading, em * self.title_scale, caption, &mut draws);
        items.push(Item {
            band: 4,
            draws,
            keep_next: true,
            ..Item::default()
        });
        for h in headings {
            if h.level >= depth {
                continue;
            }
            let Some(place) = placed.get(h.anchor as usize).copied().flatten() else {
                continue;
            };
            let article = articles.get(h.article);
            let script = article.map_or(self.shape.script, |a| a.lang.script());
            let number = (place.page + 1).to_string();
            let entry = structure.add(Role::TocItem, Some(toc));
            let link = structure.add(Role::Link, Some(entry));
            let node = structure.node_mut(link);
            node.alt = Some(format!("{}，{}", h.title, number));
            node.lang = article.map(|a| a.lang.tag.clone());
            let pairs = pairs.get(h.article);
            // A part's chapters and a chapter's sub-chapters step in.
            let nest = article.map_or(0, |a| a.depth.max(1) - 1);
            items.extend(self.entry(h, nest, script, &number, link, pairs));
        }
        let notes = NoteLines::new();
        let style = NoteStyle {
            pitch: em,
            size: em,
        };
        let (pages, _) = paginate(&items, &geo, &notes, style, false, 0);
        pages
    }

    fn centred_item(&self, text: &str, size: f32, tag: Tag, out: &mut Vec<Draw>) {
        let line = set_plain(self.setter, text, self.with(size, true));
        let x = (self.geo.measure - line.width) / 2.0;
        let at = Point::new(x, 1.5 * self.geo.pitch + ASCENT * size);
        out.push(Draw::text(at, line, tag));
    }

    /// An entry's lines, all of them its `link`'s but the leader dots.
    fn entry(
        &self,
        h: &Heading,
        nest: u8,
        script: Script,
        number: &str,
        link: NodeId,
        pairs: Option<&Pairs>,
    ) -> Vec<Item> {
        let geo = self.geo;
        let em = geo.em;
        let bold = h.level == 0;
        let shape = ShapeParams {
            script,
            punct: if script == Script::Hant {
                crate::lang::PunctStyle::Cns
            } else {
                crate::lang::PunctStyle::Gb
            },
            ..self.with(em, bold)
        };
        let indent = 2.0 * em * (h.level + nest) as f32;
        let num = set_plain(self.setter, number, self.with(em, false));
        let right = geo.measure;
        // Continuation lines hang a further em in, under the first's text.
        let spec = DisplaySpec {
            pairs,
            shape,
            width: (right - indent - num.width - 2.5 * em).max(4.0 * em),
            hang: em,
            align: Align::Left,
        };
        let set = set_display(self.setter, &styled(&h.title), &spec);
        let baseline = geo.baseline();
        let n = set.lines.len();
        let mut items = Vec::with_capacity(n);
        for (i, (x, line)) in set.lines.into_iter().enumerate() {
            let end = indent + x + line.width;
            let tag = Tag::Node(link);
            let mut draws = vec![Draw::text(Point::new(indent + x, baseline), line, tag)];
            if i + 1 == n {
                let num_x = right - num.width;
                if let Some(dots) = self.leader(end + 0.5 * em, num_x - 0.4 * em) {
                    let leader = Tag::Artifact(Artifact::Layout);
                    draws.push(Draw::text(Point::new(0.0, baseline), dots, leader));
                }
                draws.push(Draw::text(Point::new(num_x, baseline), num.clone(), tag));
            }
            draws.push(Draw::Link {
                from: Point::new(indent, baseline - ASCENT * em - 1.0),
                to: Point::new(right, baseline + (1.0 - ASCENT) * em + 1.0),
                target: Target::Anchor(h.anchor),
                node: Some(link),
            });
            items.push(Item {
                band: 1,
                draws,
                keep_next: i + 1 < n,
                ..Item::default()
            });
        }
        items
    }

    /// Leader dots between `from` and `to`, on a grid of half ems counted
    /// from the right edge so that the dots of all entries line up.
    fn leader(&self, from: f32, to: f32) -> Option<Line> {
        let em = self.geo.em;
        let step = em / 2.0;
        let dot = set_plain(self.setter, ".", self.with(em, false));
        let proto: &Placed = dot.glyphs.first()?;
        let right = self.geo.measure;
        let mut line = Line {
            size: em,
            spaced: true,
            ..Line::default()
        };
        let mut k = ((right - to) / step).ceil();
        loop {
            let x = right - k * step - proto.advance / 2.0;
            if x < from {
                break;
            }
            let start = line.text.len() as u32;
            line.text.push('.');
            line.glyphs.push(Placed {
                x,
                text: start..start + 1,
                ..proto.clone()
            });
            k += 1.0;
        }
        if line.glyphs.is_empty() {
            return None;
        }
        line.glyphs.reverse();
        // Text positions must follow the glyph order.
        for (i, g) in line.glyphs.iter_mut().enumerate() {
            g.text = i as u32..i as u32 + 1;
        }
        line.width = right;
        Some(line)
    }

    /// Running heads (book title on left pages, article title on right
    /// pages, none on an article's first page) and folios.
    pub fn furnish(&self, pages: &mut [Page], articles: &[Article], roman: bool, first: usize) {
        let geo = self.geo;
        let size = geo.em * 0.8;
        // An article's pages repeat two heads: each is set once, its line
        // shared by the pages (keyed by the article, and recto or verso).
        let mut heads: HashMap<(usize, bool), (f32, Arc<Line>)> = HashMap::new();
        for (i, page) in pages.iter_mut().enumerate() {
            if page.blank {
                continue;
            }
            let left = geo.inline_start(page.recto);
            let folio = if roman {
                roman_numeral(first + i)
            } else {
                (first + i).to_string()
            };
            let line = set_plain(self.setter, &folio, self.with(size, false));
            let y = geo.text_end() + (geo.page_block() - geo.text_end()) * 0.45;
            page.draws.push(Draw::text(
                Point::new(left + (geo.measure - line.width) / 2.0, y),
                line,
                Tag::Artifact(Artifact::Footer),
            ));
            if roman || page.opening {
                continue;
            }
            let Some((a, article)) = page
                .article
                .and_then(|a| articles.get(a).map(|article| (a, article)))
            else {
                continue;
            };
            let (width, head) = heads
                .entry((a, page.recto))
                .or_insert_with(|| {
                    let (text, script) = if page.recto {
                        (article.title.as_str(), article.lang.script())
                    } else {
                        (self.meta.title.as_str(), self.shape.script)
                    };
                    let shape = ShapeParams {
                        script,
                        ..self.with(size, false)
                    };
                    let head = fit_head(self.setter, text, shape, geo.measure);
                    (head.width, Arc::new(head))
                })
                .clone();
            // Far enough above the text that no reader (nor pdftotext)
            // takes the head for the first line of the page.
            let base = geo.block_start - 1.9 * geo.em;
            let rule_y = base + 0.4 * size;
            let furniture = Tag::Artifact(Artifact::Header);
            page.draws.push(Draw::Text {
                at: Point::new(left + (geo.measure - width) / 2.0, base),
                line: head,
                tag: furniture,
                spans: Vec::new(),
            });
            page.draws.push(Draw::Rule {
                from: Point::new(left, rule_y),
                to: Point::new(left + geo.measure, rule_y),
                width: 0.4,
                tag: furniture,
            });
        }
    }
}

pub fn roman_numeral(mut n: usize) -> String {
    const TABLE: [(usize, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn roman() {
        assert_eq!(super::roman_numeral(1), "i");
        assert_eq!(super::roman_numeral(4), "iv");
        assert_eq!(super::roman_numeral(14), "xiv");
    }
}
