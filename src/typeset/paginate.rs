//! The page breaker: the galley of items is poured into pages, keeping
//! headings with what follows, avoiding widows and orphans, keeping each
//! footnote on the page of its mark.

use super::geometry::{Geometry, ASCENT};
use super::page::{Draw, Item, NoteLines, NoteStyle, Page, Placement};

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
