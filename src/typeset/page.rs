//! Pages: the text block on a grid of lines (版心: a whole number of
//! characters wide and of lines high), what is drawn on a page, and the
//! page breaker: the galley of items is poured into pages, keeping
//! headings with what follows, avoiding widows and orphans, keeping each
//! footnote on the page of its mark; then running heads and folios.

use super::line::Line;
use super::paragraph::LinkTarget;
use crate::style::Style;

pub const PT_PER_MM: f32 = 72.0 / 25.4;
/// Where the baseline sits below the top of an ideograph's em box (Noto and
/// most CJK fonts put the ideographic em box from −0.12 to 0.88 em).
pub const ASCENT: f32 = 0.88;

/// The page and its text block, in points.
#[derive(Debug, Clone, Copy)]
pub struct Geometry {
    pub page_w: f32,
    pub page_h: f32,
    pub inner: f32,
    pub outer: f32,
    pub top: f32,
    pub bottom: f32,
    pub text_w: f32,
    /// Lines per page.
    pub slots: u16,
    pub pitch: f32,
    pub em: f32,
}

impl Geometry {
    pub fn new(style: &Style) -> Result<Geometry, String> {
        let (w, h) = style.page.size_mm()?;
        let p = &style.page;
        let (page_w, page_h) = (w * PT_PER_MM, h * PT_PER_MM);
        let em = style.text.body_size_pt;
        let pitch = em * style.text.line_height;
        let (mut inner, mut outer) = (p.margin_inner_mm * PT_PER_MM, p.margin_outer_mm * PT_PER_MM);
        let (mut top, mut bottom) = (p.margin_top_mm * PT_PER_MM, p.margin_bottom_mm * PT_PER_MM);
        // A whole number of characters per line, so that a line of
        // ideographs needs no justification; the rest goes to the margins.
        let avail_w = page_w - inner - outer;
        let chars = (avail_w / em + 1e-3).floor().max(4.0);
        let text_w = chars * em;
        let spare = (avail_w - text_w).max(0.0);
        let share = if inner + outer > 0.0 {
            inner / (inner + outer)
        } else {
            0.5
        };
        inner += spare * share;
        outer += spare * (1.0 - share);
        let avail_h = page_h - top - bottom;
        let slots = ((avail_h - em) / pitch + 1e-3).floor().max(2.0) + 1.0;
        let spare = (avail_h - (slots - 1.0) * pitch - em).max(0.0);
        top += spare / 2.0;
        bottom += spare / 2.0;
        Ok(Geometry {
            page_w,
            page_h,
            inner,
            outer,
            top,
            bottom,
            text_w,
            slots: slots as u16,
            pitch,
            em,
        })
    }

    /// Left edge of the text block on a right-hand (odd) or left-hand page.
    pub fn left(&self, recto: bool) -> f32 {
        if recto {
            self.inner
        } else {
            self.outer
        }
    }

    /// Baseline of a body line in a band, from the band's top.
    pub fn baseline(&self) -> f32 {
        ASCENT * self.em
    }

    /// Bottom of the text block (the last line's em box).
    pub fn block_bottom(&self) -> f32 {
        self.top + (self.slots - 1) as f32 * self.pitch + self.em
    }
}

/// Something drawn on a page. Positions are from the top-left corner of
/// whatever holds them (an item's band, then the page).
#[derive(Debug, Clone)]
pub enum Draw {
    /// A line of text; `y` is its baseline.
    Text { x: f32, y: f32, line: Line },
    Rule {
        x0: f32,
        y0: f32,
        x1: f32,
        y1: f32,
        width: f32,
    },
    /// An image, `y` its top.
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        image: u32,
    },
    /// A clickable area (top-left and bottom-right).
    Link {
        x0: f32,
        y0: f32,
        x1: f32,
        y1: f32,
        target: Target,
    },
}

impl Draw {
    fn shifted(mut self, dx: f32, dy: f32) -> Draw {
        match &mut self {
            Draw::Text { x, y, .. } | Draw::Image { x, y, .. } => {
                *x += dx;
                *y += dy;
            }
            Draw::Rule { x0, y0, x1, y1, .. } | Draw::Link { x0, y0, x1, y1, .. } => {
                *x0 += dx;
                *x1 += dx;
                *y0 += dy;
                *y1 += dy;
            }
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Uri(String),
    /// An anchor (heading, article, footnote), resolved once placed.
    Anchor(u32),
}

impl From<&LinkTarget> for Target {
    fn from(t: &LinkTarget) -> Target {
        match t {
            LinkTarget::Uri(u) => Target::Uri(u.clone()),
            LinkTarget::Footnote(n) => Target::Uri(format!("#fn{n}")),
        }
    }
}

/// A line's place in its paragraph, for widow and orphan control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParaPos {
    pub index: u16,
    pub count: u16,
}

/// One entry of the galley: a band of whole grid lines.
#[derive(Debug, Clone, Default)]
pub struct Item {
    /// Grid lines taken.
    pub band: u16,
    /// Relative to the text block's left edge and the band's top.
    pub draws: Vec<Draw>,
    pub para: Option<ParaPos>,
    /// Never the last item on a page (headings, titles).
    pub keep_next: bool,
    /// Dropped at the top of a page (space between blocks).
    pub discardable: bool,
    /// Anchors placed at this item's top.
    pub anchors: Vec<u32>,
    /// Footnotes marked in this item.
    pub notes: Vec<u32>,
    /// Starts a new page: an article, whose index is given.
    pub starts_article: Option<usize>,
}

/// A finished page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub draws: Vec<Draw>,
    /// Right-hand page.
    pub recto: bool,
    /// The article on the page (for the running head), if any.
    pub article: Option<usize>,
    /// The page opens an article (no running head there).
    pub opening: bool,
    pub blank: bool,
}

/// Where an anchor was placed: page index (in its sequence) and the y of
/// its top.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub page: usize,
    pub y: f32,
}

/// Footnote bodies, already set, by number.
pub type NoteLines = std::collections::BTreeMap<(usize, u32), Vec<(f32, Line)>>;

/// Settings of the footnote area.
#[derive(Debug, Clone, Copy)]
pub struct NoteStyle {
    pub pitch: f32,
    pub size: f32,
}

/// Pours the galley into pages (the first a right-hand page). Returns the
/// pages and where each anchor landed.
pub fn paginate(
    items: &[Item],
    geo: &Geometry,
    notes: &NoteLines,
    note_style: NoteStyle,
    right_hand_start: bool,
    anchor_count: usize,
) -> (Vec<Page>, Vec<Option<Placement>>) {
    let mut p = Paginator {
        items,
        geo,
        notes,
        note_style,
        pages: Vec::new(),
        anchors: vec![None; anchor_count],
        current: Vec::new(),
        used: 0,
        page_notes: Vec::new(),
        article: None,
        opening: false,
    };
    let mut i = 0;
    while i < items.len() {
        let item = &items[i];
        if let Some(a) = item.starts_article {
            p.finish();
            p.article = Some(a);
            if right_hand_start && !p.pages.len().is_multiple_of(2) {
                p.pages.push(Page {
                    recto: false,
                    blank: true,
                    article: Some(a),
                    ..Page::default()
                });
            }
            p.opening = true;
        }
        if p.current.is_empty() && item.discardable {
            i += 1;
            continue;
        }
        if p.current.is_empty() || p.fits(item) {
            p.place(i, item);
            i += 1;
            continue;
        }
        // The item does not fit: choose where this page really ends.
        let cut = p.choose_cut(i);
        let first = p.current[0].0;
        p.current.truncate(cut - first);
        p.finish();
        i = cut;
    }
    p.finish();
    (p.pages, p.anchors)
}

struct Paginator<'a> {
    items: &'a [Item],
    geo: &'a Geometry,
    notes: &'a NoteLines,
    note_style: NoteStyle,
    pages: Vec<Page>,
    anchors: Vec<Option<Placement>>,
    /// (item index, first slot) on the page being filled.
    current: Vec<(usize, u16)>,
    used: u16,
    page_notes: Vec<(usize, u32)>,
    article: Option<usize>,
    opening: bool,
}

impl Paginator<'_> {
    fn note_lines(&self, keys: &[(usize, u32)]) -> usize {
        keys.iter()
            .filter_map(|k| self.notes.get(k))
            .map(Vec::len)
            .sum()
    }

    fn note_slots(&self, keys: &[(usize, u32)]) -> u16 {
        let lines = self.note_lines(keys);
        if lines == 0 {
            return 0;
        }
        let height = self.geo.em + lines as f32 * self.note_style.pitch;
        (height / self.geo.pitch).ceil() as u16
    }

    fn keys(&self, item: &Item) -> Vec<(usize, u32)> {
        let article = self.article.unwrap_or(0);
        item.notes
            .iter()
            .map(|&n| (article, n))
            .filter(|k| self.notes.contains_key(k))
            .collect()
    }

    fn fits(&self, item: &Item) -> bool {
        let mut keys = self.page_notes.clone();
        for k in self.keys(item) {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        self.used + item.band + self.note_slots(&keys) <= self.geo.slots
    }

    fn place(&mut self, index: usize, item: &Item) {
        self.current.push((index, self.used));
        self.used += item.band;
        for k in self.keys(item) {
            if !self.page_notes.contains(&k) {
                self.page_notes.push(k);
            }
        }
    }

    /// The index of the first item of the next page, given that item `at`
    /// does not fit: a paragraph's first line does not stay alone at the
    /// foot (orphan), its last line does not go alone to the next page
    /// (widow), and headings go with what follows them.
    fn choose_cut(&self, at: usize) -> usize {
        let items = self.items;
        let first = self.current[0].0;
        let mut cut = at;
        if let Some(pos) = items[at].para {
            if pos.index == 1 {
                cut -= 1;
            } else if pos.count >= 3 && pos.index + 1 == pos.count {
                // Two lines go over; if that would leave one behind, the
                // whole paragraph does.
                cut -= if pos.index >= 3 { 1 } else { 2 };
            }
        }
        while cut > first && items[cut - 1].keep_next {
            cut -= 1;
        }
        if cut <= first {
            at
        } else {
            cut
        }
    }

    fn finish(&mut self) {
        if self.current.is_empty() {
            return;
        }
        let geo = self.geo;
        let page_index = self.pages.len();
        let recto = page_index.is_multiple_of(2);
        let left = geo.left(recto);
        let mut page = Page {
            recto,
            article: self.article,
            opening: self.opening,
            ..Page::default()
        };
        self.opening = false;
        let mut keys: Vec<(usize, u32)> = Vec::new();
        for &(i, slot) in &std::mem::take(&mut self.current) {
            let item = &self.items[i];
            let top = geo.top + slot as f32 * geo.pitch;
            for &a in &item.anchors {
                if let Some(s) = self.anchors.get_mut(a as usize) {
                    *s = Some(Placement {
                        page: page_index,
                        y: top,
                    });
                }
            }
            page.draws
                .extend(item.draws.iter().cloned().map(|d| d.shifted(left, top)));
            for k in self.keys(item) {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        let lines = self.note_lines(&keys);
        if lines > 0 {
            let ns = self.note_style;
            let area_top = geo.block_bottom() - geo.em - lines as f32 * ns.pitch;
            let rule_y = area_top + geo.em * 0.5;
            page.draws.push(Draw::Rule {
                x0: left,
                y0: rule_y,
                x1: left + geo.text_w / 4.0,
                y1: rule_y,
                width: 0.4,
            });
            let mut y = area_top + geo.em + (ns.pitch - ns.size) / 2.0 + ASCENT * ns.size;
            for k in &keys {
                for (x, line) in self.notes.get(k).into_iter().flatten() {
                    page.draws.push(Draw::Text {
                        x: left + x,
                        y,
                        line: line.clone(),
                    });
                    y += ns.pitch;
                }
            }
        }
        self.pages.push(page);
        self.used = 0;
        self.page_notes.clear();
    }
}
