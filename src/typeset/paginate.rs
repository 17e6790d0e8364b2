//! The page breaker: the galley of items is poured into pages, keeping
//! headings with what follows, avoiding widows and orphans, keeping each
//! footnote on the page of its mark. A footnote too long for any page
//! starts on the page of its mark and continues at the foot of the next
//! pages, before their own notes.

use super::geometry::{Geometry, Point, ASCENT};
use super::line::Line;
use super::page::{Draw, Item, NoteLines, NoteStyle, Page, Placement, TableBreak};
use super::structure::{Artifact, Tag};

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
        carried: Vec::new(),
        article: None,
        opening: false,
        repeated: None,
        waiting: Vec::new(),
        lead_in: 0,
        resumed: 0,
        next: 0,
        spreads: Spreads::default(),
        scaled: std::collections::BTreeMap::new(),
    };
    let mut i = 0;
    loop {
        if i >= items.len() {
            p.next = i;
            p.close_article();
            match p.level_spreads(true) {
                Some(back) => {
                    i = back;
                    continue;
                }
                None => break,
            }
        }
        if let Some(back) = p.level_spreads(false) {
            i = back;
            continue;
        }
        let item = &items[i];
        p.next = i;
        if let Some(a) = item.starts_article {
            p.close_article();
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
        let continued = match (&item.table, i.checked_sub(1)) {
            (Some(table), Some(before)) if same_table(&items[before], table) => Some(&**table),
            _ => None,
        };
        if p.current.is_empty() && p.repeated.is_none() {
            match continued {
                // A table going on from the page before opens with its
                // header; pictures waiting wait for the page after it.
                Some(table) => {
                    p.used = table.head.band;
                    p.repeated = Some(table);
                }
                None => p.place_waiting(),
            }
        }
        if item.discardable && p.after_space() {
            i += 1;
            continue;
        }
        if !p.waiting.is_empty() {
            // Pictures keep their order, and do not leave their section.
            if item.figure {
                i = p.defer(i);
                continue;
            }
            if item.heading && p.flow() > 0 {
                p.finish();
                continue;
            }
        }
        if p.current.is_empty() || p.fits(item) {
            p.place(i, item);
            i += 1;
            continue;
        }
        if item.figure && p.flow() > 0 && !p.kept_before(i) {
            i = p.defer(i);
            continue;
        }
        if item.figure && p.kept_before(i) {
            if let Some(band) = p.shrunk(i) {
                p.scaled.insert(i, band);
                p.place(i, item);
                i += 1;
                continue;
            }
        }
        // The item does not fit: choose where this page really ends.
        let cut = p.choose_cut(i);
        let keep = p.current[p.lead_in..]
            .iter()
            .take_while(|c| c.0 < cut)
            .count();
        p.current.truncate(p.lead_in + keep);
        p.next = cut;
        p.finish();
        i = cut;
    }
    (p.pages, p.anchors)
}

/// A picture scaled down to `room` along the block axis, centred where it
/// was across and in its band down.
fn fitted(draw: Draw, room: f32) -> Draw {
    match draw {
        Draw::Image {
            at,
            size,
            image,
            tag,
        } if size.block > room => {
            let scale = room / size.block;
            let w = size.inline * scale;
            Draw::Image {
                at: Point::new(at.inline + (size.inline - w) / 2.0, 0.0),
                size: crate::typeset::geometry::Size::new(w, room),
                image,
                tag,
            }
        }
        other => other,
    }
}

/// What it takes to pour the galley again from the top of a page.
#[derive(Clone)]
struct Mark<'a> {
    next: usize,
    carried: Vec<&'a (f32, Line, Tag)>,
    article: Option<usize>,
    opening: bool,
    waiting: Vec<std::ops::Range<usize>>,
    resumed: usize,
}

/// Facing pages that end on the same grid line: what each page ended on,
/// how many lines each may hold, and where to start a page again from.
#[derive(Default)]
struct Spreads<'a> {
    /// By page: the grid lines down to its last line (the whole block when
    /// it has footnotes, which stand at the foot).
    ends: Vec<u16>,
    /// By page: fewer lines than the grid, to end level with the page
    /// facing it.
    limits: Vec<Option<u16>>,
    /// By page: the paginator's state at its top.
    marks: Vec<Option<Mark<'a>>>,
    /// Pages before this one are settled.
    settled: usize,
    /// For the spread being levelled: by how many lines each page was
    /// shortened, and the grid lines they then ended on.
    tried: Vec<((u16, u16), (u16, u16))>,
    /// The spread is being poured with the lines chosen for it.
    last_pour: bool,
}

impl Spreads<'_> {
    /// The spread whose recto is `recto` is done with.
    fn settle(&mut self, recto: usize) {
        self.settled = recto + 1;
        self.tried.clear();
        self.last_pour = false;
    }
}

/// Facing pages are not shortened by more than this many lines to level
/// them: an uneven spread is better than a half-empty one.
const SPREAD_SHORTEN_AT_MOST: u16 = 4;

/// How many lines to take from a spread's verso and recto, in the order
/// they are tried: those that can end lower first.
fn spread_trials() -> impl Iterator<Item = (u16, u16)> {
    let all = (0..=SPREAD_SHORTEN_AT_MOST)
        .flat_map(|a| (0..=SPREAD_SHORTEN_AT_MOST).map(move |b| (a, b)));
    let mut all: Vec<(u16, u16)> = all.filter(|&t| t != (0, 0)).collect();
    all.sort_by_key(|&(a, b)| (a.max(b), a + b, b));
    all.into_iter()
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
    /// Lines of a footnote begun on an earlier page, still to be set.
    carried: Vec<&'a (f32, Line, Tag)>,
    article: Option<usize>,
    opening: bool,
    /// The header of a table continued from the page before, at the top
    /// of the page being filled.
    repeated: Option<&'a TableBreak>,
    /// Pictures (with what they keep with) that did not fit in the rest
    /// of a page, in order, for the top of the next.
    waiting: Vec<std::ops::Range<usize>>,
    /// How many of `current`'s items, at its start, are such pictures.
    lead_in: usize,
    /// Where the text went on after the last picture set aside: a page
    /// break is never chosen before it.
    resumed: usize,
    /// The item the text goes on from once the page being finished is.
    next: usize,
    spreads: Spreads<'a>,
    /// Pictures set smaller to stay below their heading: the grid lines
    /// each is set in, by item.
    scaled: std::collections::BTreeMap<usize, u16>,
}

/// A picture right below a heading, too tall for the rest of the page, is
/// scaled down to fit there, to no less than this share of its size;
/// smaller, it would not read as the same picture, and goes over with its
/// heading instead.
const PICTURE_SCALE_AT_LEAST: f32 = 0.7;

/// Whether `item` is a row of `table`.
fn same_table(item: &Item, table: &TableBreak) -> bool {
    item.table
        .as_deref()
        .is_some_and(|t| std::ptr::eq(t, table))
}

impl<'a> Paginator<'a> {
    fn note_lines(&self, keys: &[(usize, u32)]) -> usize {
        keys.iter()
            .filter_map(|k| self.notes.get(k))
            .map(Vec::len)
            .sum()
    }

    /// Grid lines that `lines` lines of footnotes take, with their rule.
    fn slots_for(&self, lines: usize) -> u16 {
        if lines == 0 {
            return 0;
        }
        let height = self.geo.em + lines as f32 * self.note_style.pitch;
        (height / self.geo.pitch).ceil() as u16
    }

    fn note_slots(&self, keys: &[(usize, u32)]) -> u16 {
        self.slots_for(self.carried_here() + self.note_lines(keys))
    }

    /// Lines of a continued footnote this page must take: at most half the
    /// text block, so that the body goes on beside a long note.
    fn carried_here(&self) -> usize {
        self.carried
            .len()
            .min(self.note_room(self.geo.slots / 2).max(1))
    }

    /// How many lines of footnotes fit below `body` grid lines of text.
    fn note_room(&self, body: u16) -> usize {
        let mut lines = 0;
        while body + self.slots_for(lines + 1) <= self.geo.slots {
            lines += 1;
        }
        lines
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
        if self.used + item.band + self.note_slots(&keys) <= self.limit() {
            return true;
        }
        // A note too long to go whole on any page with its mark starts
        // here if its first lines fit, and goes on over the next pages.
        let new: Vec<(usize, u32)> = self
            .keys(item)
            .into_iter()
            .filter(|k| !self.page_notes.contains(k))
            .collect();
        let new_lines = self.note_lines(&new);
        let too_long = new
            .iter()
            .any(|k| item.band + self.slots_for(self.note_lines(&[*k])) > self.geo.slots);
        let earlier = self.carried_here() + self.note_lines(&self.page_notes);
        too_long
            && self.used + item.band + self.slots_for(earlier + new_lines.min(2)) <= self.geo.slots
    }

    fn place(&mut self, index: usize, item: &Item) {
        self.current.push((index, self.used));
        self.used += self.scaled.get(&index).copied().unwrap_or(item.band);
        for k in self.keys(item) {
            if !self.page_notes.contains(&k) {
                self.page_notes.push(k);
            }
        }
    }

    /// Grid lines the page being filled may hold.
    fn limit(&self) -> u16 {
        let page = self.pages.len();
        let limit = self.spreads.limits.get(page).copied().flatten();
        limit.unwrap_or(self.geo.slots)
    }

    fn mark(&self) -> Mark<'a> {
        Mark {
            next: self.next,
            carried: self.carried.clone(),
            article: self.article,
            opening: self.opening,
            waiting: self.waiting.clone(),
            resumed: self.resumed,
        }
    }

    /// Checks the spreads finished since the last call (with `done`, the
    /// last too). When a verso and its recto end on different grid lines,
    /// and neither ends its article, the spread is poured again with each
    /// page up to [`SPREAD_SHORTEN_AT_MOST`] lines shorter, until both end
    /// on the same line, as low as they can; if no such pair is found it
    /// stays as it first came. Returns the item to go on from when it
    /// pours again.
    fn level_spreads(&mut self, done: bool) -> Option<usize> {
        let slots = self.geo.slots;
        loop {
            let verso = self.spreads.settled.max(1) | 1;
            let recto = verso + 1;
            let searching = !self.spreads.tried.is_empty();
            // Whether the recto is its article's last page is known once
            // the page after it is begun, or the book is done.
            if recto >= self.pages.len() || (!searching && recto + 1 >= self.pages.len() && !done) {
                return None;
            }
            let ends = (self.spreads.ends[verso], self.spreads.ends[recto]);
            let limit = |k: usize| {
                let limits = &self.spreads.limits;
                slots - limits.get(k).copied().flatten().unwrap_or(slots)
            };
            let shorter = (limit(verso), limit(recto));
            if !searching {
                let ends_article = |k: usize| {
                    let page = &self.pages[k];
                    let after = self.pages.get(k + 1);
                    page.blank
                        || after.is_none_or(|n| n.opening || n.blank || n.article != page.article)
                };
                let mark = self.spreads.marks.get(verso).is_some_and(Option::is_some);
                if ends.0 == ends.1 || ends_article(verso) || ends_article(recto) || !mark {
                    self.spreads.settle(recto);
                    continue;
                }
            }
            if std::mem::take(&mut self.spreads.last_pour) {
                self.spreads.settle(recto);
                continue;
            }
            self.spreads.tried.push((shorter, ends));
            let best = self
                .spreads
                .tried
                .iter()
                .filter(|(_, (v, r))| v == r)
                .max_by_key(|(_, (v, _))| *v)
                .map(|&(s, (v, _))| (s, v));
            let next = spread_trials().find(|(a, b)| {
                let bound = slots - (*a).max(*b);
                !self.spreads.tried.iter().any(|(s, _)| s == &(*a, *b))
                    && best.is_none_or(|(_, e)| bound > e)
            });
            let (a, b) = match next {
                Some(trial) => trial,
                None => {
                    // The best level pair, else the spread as it first came.
                    self.spreads.last_pour = true;
                    best.map_or((0, 0), |(s, _)| s)
                }
            };
            let limits = &mut self.spreads.limits;
            if limits.len() <= recto {
                limits.resize(recto + 1, None);
            }
            limits[verso] = (a > 0).then_some(slots - a);
            limits[recto] = (b > 0).then_some(slots - b);
            return Some(self.rewind(verso));
        }
    }

    /// Back to the top of page `page`, as it was: returns the item to go
    /// on from.
    fn rewind(&mut self, page: usize) -> usize {
        let mark = self.spreads.marks[page].clone().expect("a mark");
        self.pages.truncate(page);
        self.spreads.ends.truncate(page);
        self.spreads.marks.truncate(page + 1);
        self.current.clear();
        self.used = 0;
        self.page_notes.clear();
        self.lead_in = 0;
        self.repeated = None;
        self.carried = mark.carried;
        self.article = mark.article;
        self.opening = mark.opening;
        self.waiting = mark.waiting;
        self.resumed = mark.resumed;
        self.next = mark.next;
        self.scaled.split_off(&mark.next);
        mark.next
    }

    /// Items on the page in the order of the text (not pictures moved there
    /// from the page before).
    fn flow(&self) -> usize {
        self.current.len() - self.lead_in
    }

    /// The first item of the text on this page, if any.
    fn first_flow(&self) -> Option<usize> {
        let &(first, _) = self.current.get(self.lead_in)?;
        Some(first.max(self.resumed))
    }

    /// Whether the page is empty or ends with space between blocks: one
    /// such space is enough.
    fn after_space(&self) -> bool {
        self.current
            .last()
            .is_none_or(|&(i, _)| self.items[i].discardable)
    }

    /// Whether item `at` is kept with an item before it on this page (a
    /// heading above a picture): then they move together.
    fn kept_before(&self, at: usize) -> bool {
        let first = self.first_flow().unwrap_or(at);
        (first..at)
            .rev()
            .find(|&k| !self.items[k].discardable)
            .is_some_and(|k| self.items[k].keep_next)
    }

    /// Sets the picture at `at` aside for the top of the next page, with
    /// what it keeps with and the space after it, taking back the space
    /// before it; returns the index the text goes on from.
    fn defer(&mut self, at: usize) -> usize {
        let items = self.items;
        let mut end = self.caption_end(at);
        if items.get(end).is_some_and(|i| i.discardable) {
            end += 1;
        }
        if self.flow() > 0 {
            if let Some(&(last, _)) = self.current.last() {
                if items[last].discardable && last + 1 == at {
                    self.current.pop();
                    self.used -= items[last].band;
                }
            }
        }
        self.waiting.push(at..end);
        self.resumed = end;
        end
    }

    /// The item after the picture at `at` and what it keeps with (its
    /// caption).
    fn caption_end(&self, at: usize) -> usize {
        let items = self.items;
        let mut end = at;
        while end + 1 < items.len() && items[end].keep_next {
            end += 1;
        }
        end += 1;
        // The rest of a caption.
        while items
            .get(end)
            .is_some_and(|i| i.para.is_some_and(|p| p.index > 0))
        {
            end += 1;
        }
        end
    }

    /// The grid lines the picture at `at`, kept below a heading, may be
    /// set in to go on this page with its caption: scaled down, to no less
    /// than [`PICTURE_SCALE_AT_LEAST`] of its size.
    fn shrunk(&self, at: usize) -> Option<u16> {
        let items = self.items;
        let picture = &items[at];
        let Some(Draw::Image { size, .. }) = picture.draws.first() else {
            return None;
        };
        let end = self.caption_end(at);
        let caption: u16 = items[at + 1..end].iter().map(|i| i.band).sum();
        let mut keys = self.page_notes.clone();
        for i in &items[at..end] {
            keys.extend(self.keys(i));
        }
        let taken = self.used + caption + self.note_slots(&keys);
        let band = self.limit().checked_sub(taken)?;
        let scale = band as f32 * self.geo.pitch / size.block;
        (band > 0 && band < picture.band && scale >= PICTURE_SCALE_AT_LEAST).then_some(band)
    }

    /// Puts the pictures waiting at the top of the (empty) page, as many
    /// as fit; the first always goes.
    fn place_waiting(&mut self) {
        while let Some(group) = self.waiting.first().cloned() {
            let band: u16 = self.items[group.clone()].iter().map(|i| i.band).sum();
            let mut keys = self.page_notes.clone();
            for i in group.clone() {
                keys.extend(self.keys(&self.items[i]));
            }
            if !self.current.is_empty() && self.used + band + self.note_slots(&keys) > self.limit()
            {
                break;
            }
            self.waiting.remove(0);
            for i in group {
                self.place(i, &self.items[i]);
            }
        }
        self.lead_in = self.current.len();
    }

    /// Ends an article: its last page, then pages for pictures still
    /// waiting and for the rest of a long footnote.
    fn close_article(&mut self) {
        self.finish();
        while !self.waiting.is_empty() {
            self.place_waiting();
            self.finish();
        }
        self.finish_notes();
    }

    /// The index of the first item of the next page, given that item `at`
    /// does not fit: a paragraph's first line does not stay alone at the
    /// foot (orphan), its last line does not go alone to the next page
    /// (widow), and headings go with what follows them.
    fn choose_cut(&self, at: usize) -> usize {
        let items = self.items;
        let Some(first) = self.first_flow() else {
            return at;
        };
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
        // Space between blocks does not part a heading from a picture or
        // table below it.
        loop {
            let mut above = cut;
            while above > first && items[above - 1].discardable {
                above -= 1;
            }
            if above > first && items[above - 1].keep_next {
                cut = above - 1;
            } else {
                break;
            }
        }
        if cut > first {
            cut
        } else if self.lead_in > 0 || self.current[self.lead_in].0 < first {
            // What came before (pictures moved here, text before a picture
            // set aside) fills this page; the text goes on on the next.
            first
        } else {
            at
        }
    }

    /// Pages holding nothing but the rest of a long footnote, at the end
    /// of its article.
    fn finish_notes(&mut self) {
        while !self.carried.is_empty() {
            self.finish();
        }
    }

    /// Notes what the page just finished ended on, and the state the next
    /// page begins from.
    fn record(&mut self, end: u16) {
        let page = self.pages.len() - 1;
        self.spreads.ends.resize(page, 0);
        self.spreads.ends.push(end);
        self.spreads.marks.resize(page + 1, None);
        self.spreads.marks.push(Some(self.mark()));
    }

    fn finish(&mut self) {
        if self.current.is_empty() && self.carried.is_empty() {
            return;
        }
        let geo = self.geo;
        let page_index = self.pages.len();
        let recto = page_index.is_multiple_of(2);
        let left = geo.inline_start(recto);
        let mut page = Page {
            recto,
            article: self.article,
            opening: self.opening,
            ..Page::default()
        };
        self.opening = false;
        let mut keys: Vec<(usize, u32)> = Vec::new();
        let mut body = 0;
        if let Some(table) = self.repeated.take() {
            page.draws.extend(
                table
                    .head
                    .draws
                    .iter()
                    .cloned()
                    .map(|d| d.shifted(Point::new(left, geo.block_start))),
            );
            body = table.head.band;
        }
        // The grid lines down to the last that shows something.
        let mut ink = body;
        let placed = std::mem::take(&mut self.current);
        for &(i, slot) in &placed {
            let item = &self.items[i];
            let top = geo.block_start + slot as f32 * geo.pitch;
            body = slot + self.scaled.get(&i).copied().unwrap_or(item.band);
            if !item.draws.is_empty() {
                ink = body;
            }
            for &a in &item.anchors {
                if let Some(s) = self.anchors.get_mut(a as usize) {
                    *s = Some(Placement {
                        page: page_index,
                        block: top,
                    });
                }
            }
            let scaled = self.scaled.get(&i).map(|&band| band as f32 * geo.pitch);
            page.draws.extend(
                item.draws
                    .iter()
                    .cloned()
                    .map(|d| match scaled {
                        Some(room) => fitted(d, room),
                        None => d,
                    })
                    .map(|d| d.shifted(Point::new(left, top))),
            );
            for k in self.keys(item) {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        // A table the page breaks inside is closed by its bottom rule.
        if let Some(&(last, slot)) = placed.last() {
            let row = &self.items[last];
            if let (Some(table), Some(next)) = (&row.table, self.items.get(last + 1)) {
                if same_table(next, table) {
                    let bottom = geo.block_start + (slot + row.band) as f32 * geo.pitch;
                    page.draws.extend(
                        table
                            .close
                            .iter()
                            .cloned()
                            .map(|d| d.shifted(Point::new(left, bottom))),
                    );
                }
            }
        }
        // Lines carried from the page before come first, then this page's
        // notes, in order; what does not fit goes on to the next page.
        let notes = self.notes;
        let mut lines = std::mem::take(&mut self.carried);
        lines.extend(keys.iter().filter_map(|k| notes.get(k)).flatten());
        let room = self.note_room(body);
        if lines.len() > room {
            self.carried = lines.split_off(room);
        }
        let lines_drawn = !lines.is_empty();
        if lines_drawn {
            let ns = self.note_style;
            let area_top = geo.text_end() - geo.em - lines.len() as f32 * ns.pitch;
            let rule_y = area_top + geo.em * 0.5;
            page.draws.push(Draw::Rule {
                from: Point::new(left, rule_y),
                to: Point::new(left + geo.measure / 4.0, rule_y),
                width: 0.4,
                tag: Tag::Artifact(Artifact::Layout),
            });
            let mut y = area_top + geo.em + (ns.pitch - ns.size) / 2.0 + ASCENT * ns.size;
            for (x, line, tag) in lines {
                page.draws
                    .push(Draw::text(Point::new(left + x, y), line.clone(), *tag));
                y += ns.pitch;
            }
        }
        let end = if lines_drawn { geo.slots } else { ink };
        self.pages.push(page);
        self.used = 0;
        self.lead_in = 0;
        self.page_notes.clear();
        self.record(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::page::ParaPos;

    /// Ten grid lines of 14 pt, a 10 pt em, 50 pt margins.
    fn geo() -> Geometry {
        Geometry {
            flow: crate::typeset::geometry::Flow::HORIZONTAL,
            page_w: 200.0,
            page_h: 50.0 + 9.0 * 14.0 + 10.0 + 50.0,
            inner: 30.0,
            outer: 20.0,
            block_start: 50.0,
            block_end: 50.0,
            measure: 150.0,
            slots: 10,
            pitch: 14.0,
            em: 10.0,
        }
    }

    const NOTE: NoteStyle = NoteStyle {
        pitch: 11.6,
        size: 8.0,
    };

    fn text(s: &str) -> Line {
        Line {
            text: s.to_string(),
            ..Line::default()
        }
    }

    /// One grid line of body text, anchor `anchor`.
    fn line(anchor: u32) -> Item {
        Item {
            band: 1,
            draws: vec![Draw::text(
                Point::new(0.0, ASCENT * 10.0),
                text(&format!("body {anchor}")),
                Tag::default(),
            )],
            anchors: vec![anchor],
            ..Item::default()
        }
    }

    /// A paragraph of `count` lines, anchors from `first`.
    fn paragraph(first: u32, count: u16) -> Vec<Item> {
        (0..count)
            .map(|index| Item {
                para: Some(ParaPos { index, count }),
                ..line(first + u32::from(index))
            })
            .collect()
    }

    fn pages_of(items: &[Item], notes: &NoteLines) -> (Vec<Page>, Vec<usize>) {
        let anchors = items.iter().flat_map(|i| i.anchors.clone()).count();
        let (pages, placed) = paginate(items, &geo(), notes, NOTE, false, anchors);
        let at = placed.iter().map(|p| p.expect("placed").page).collect();
        (pages, at)
    }

    fn texts(page: &Page) -> Vec<(String, f32)> {
        page.draws
            .iter()
            .filter_map(|d| match d {
                Draw::Text { at, line, .. } => Some((line.text.clone(), at.block)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_paragraph_does_not_leave_its_first_line_alone_at_the_foot() {
        let mut items = paragraph(0, 9);
        items.extend(paragraph(9, 3));
        let (_, at) = pages_of(&items, &NoteLines::new());
        assert_eq!(at[8], 0);
        // Its first line would fit on page 0, alone: the paragraph moves.
        assert_eq!(&at[9..12], &[1, 1, 1]);
    }

    #[test]
    fn a_paragraph_does_not_leave_its_last_line_alone_at_the_head() {
        let mut items = paragraph(0, 7);
        items.extend(paragraph(7, 4));
        let (_, at) = pages_of(&items, &NoteLines::new());
        // Three lines would fit, the fourth would be a widow: two go over.
        assert_eq!(&at[7..11], &[0, 0, 1, 1]);
    }

    #[test]
    fn a_short_paragraph_moves_whole_rather_than_split_one_and_one() {
        let mut items = paragraph(0, 8);
        items.extend(paragraph(8, 3));
        let (_, at) = pages_of(&items, &NoteLines::new());
        assert_eq!(&at[8..11], &[1, 1, 1]);
    }

    #[test]
    fn a_heading_goes_with_what_follows_it() {
        let mut items = paragraph(0, 9);
        items.push(Item {
            keep_next: true,
            ..line(9)
        });
        items.extend(paragraph(10, 2));
        let (pages, at) = pages_of(&items, &NoteLines::new());
        assert_eq!(at[9], 1, "the heading is not left at the foot");
        assert_eq!(at[10], 1);
        assert_eq!(texts(&pages[0]).len(), 9);
    }

    #[test]
    fn space_between_blocks_is_dropped_at_the_top_of_a_page() {
        let mut items = paragraph(0, 10);
        items.push(Item {
            band: 1,
            discardable: true,
            ..Item::default()
        });
        items.push(line(10));
        let (_, at) = pages_of(&items, &NoteLines::new());
        let geo = geo();
        let (pages, placed) = paginate(&items, &geo, &NoteLines::new(), NOTE, false, 11);
        assert_eq!(at[10], 1);
        assert_eq!(
            placed[10].unwrap().block,
            geo.block_start,
            "no blank line above it"
        );
        assert_eq!(pages.len(), 2);
    }

    /// Items marking footnote 1 of article 0 on item `mark`.
    fn with_note(count: u32, mark: u32, note_lines: usize) -> (Vec<Item>, NoteLines) {
        let items = (0..count)
            .map(|a| Item {
                notes: if a == mark { vec![1] } else { Vec::new() },
                ..line(a)
            })
            .collect();
        let mut notes = NoteLines::new();
        let body = (0..note_lines).map(|n| (0.0, text(&format!("note {n}")), Tag::default()));
        notes.insert((0, 1), body.collect());
        (items, notes)
    }

    /// On every page: no footnote line above the last body line or past
    /// the text block, none drawn twice; returns the note lines in order.
    fn check_notes(pages: &[Page]) -> Vec<(usize, String)> {
        let geo = geo();
        let mut seen = Vec::new();
        for (n, page) in pages.iter().enumerate() {
            let all = texts(page);
            let lowest_body = all
                .iter()
                .filter(|(t, _)| t.starts_with("body"))
                .map(|&(_, y)| y)
                .fold(f32::MIN, f32::max);
            for (t, y) in all.iter().filter(|(t, _)| t.starts_with("note")) {
                assert!(
                    *y > lowest_body + 10.0,
                    "page {n}: `{t}` overprints the body"
                );
                assert!(
                    *y <= geo.text_end(),
                    "page {n}: `{t}` leaves the text block"
                );
                assert!(
                    *y >= geo.block_start,
                    "page {n}: `{t}` above the text block"
                );
                seen.push((n, t.clone()));
            }
        }
        seen
    }

    #[test]
    fn a_footnote_sits_at_the_foot_of_the_page_of_its_mark() {
        let (items, notes) = with_note(12, 3, 2);
        let (pages, at) = pages_of(&items, &notes);
        let seen = check_notes(&pages);
        assert_eq!(
            seen,
            vec![(at[3], "note 0".into()), (at[3], "note 1".into())]
        );
        // Two note lines and their rule take three grid lines of ten.
        assert_eq!(at.iter().filter(|&&p| p == 0).count(), 7);
    }

    #[test]
    fn the_line_of_a_mark_goes_to_the_next_page_with_its_note() {
        // The mark is on the page's last line: its note does not fit below.
        let (items, notes) = with_note(12, 9, 2);
        let (pages, at) = pages_of(&items, &notes);
        assert_eq!(at[9], 1);
        assert_eq!(check_notes(&pages).len(), 2);
        assert!(check_notes(&pages).iter().all(|&(p, _)| p == 1));
    }

    #[test]
    fn a_footnote_longer_than_the_page_continues_on_the_next_pages() {
        let (items, notes) = with_note(30, 2, 40);
        let (pages, at) = pages_of(&items, &notes);
        let seen = check_notes(&pages);
        let order: Vec<String> = seen.iter().map(|(_, t)| t.clone()).collect();
        let expected: Vec<String> = (0..40).map(|n| format!("note {n}")).collect();
        assert_eq!(order, expected, "every line once, in order");
        assert_eq!(seen[0].0, at[2], "it starts on the page of its mark");
        assert!(
            seen.last().unwrap().0 > at[2],
            "it goes on over later pages"
        );
        // Every body line is placed, each once.
        let body: usize = pages
            .iter()
            .map(|p| {
                texts(p)
                    .iter()
                    .filter(|(t, _)| t.starts_with("body"))
                    .count()
            })
            .sum();
        assert_eq!(body, 30);
        // The body goes on beside the continued note.
        let beside = |p: &Page| {
            let t = texts(p);
            let n = |w: &str| t.iter().filter(|(s, _)| s.starts_with(w)).count();
            n("body") >= 3 && n("note") >= 3
        };
        assert!(pages[at[2] + 1..].iter().filter(|p| beside(p)).count() >= 2);
    }

    #[test]
    fn a_long_footnote_at_the_end_gets_pages_of_its_own() {
        let (items, notes) = with_note(2, 1, 40);
        let (pages, _) = pages_of(&items, &notes);
        let seen = check_notes(&pages);
        assert_eq!(seen.len(), 40);
        assert!(pages.len() >= 4, "40 note lines need several pages");
        assert!(pages[1..]
            .iter()
            .all(|p| texts(p).iter().all(|(t, _)| t.starts_with("note"))));
    }

    #[test]
    fn a_long_footnote_ends_before_the_next_article_begins() {
        let (mut items, notes) = with_note(3, 1, 25);
        items[0].starts_article = Some(0);
        items.push(Item {
            starts_article: Some(1),
            ..line(3)
        });
        let (pages, at) = pages_of(&items, &notes);
        let seen = check_notes(&pages);
        assert_eq!(seen.len(), 25);
        let last_note_page = seen.last().unwrap().0;
        assert!(at[3] > last_note_page, "the next article opens after it");
        assert_eq!(pages[at[3]].article, Some(1));
        assert!(pages[last_note_page].article == Some(0));
    }

    #[test]
    fn with_right_hand_starts_every_article_opens_a_spread_on_the_right() {
        let mut items = Vec::new();
        for (a, first) in [(0, 0u32), (1, 3), (2, 6)] {
            items.push(Item {
                starts_article: Some(a),
                ..line(first)
            });
            items.push(line(first + 1));
            items.push(line(first + 2));
        }
        let geo = geo();
        let (pages, placed) = paginate(&items, &geo, &NoteLines::new(), NOTE, true, 9);
        for first in [0, 3, 6] {
            let page = placed[first].unwrap().page;
            assert!(
                page.is_multiple_of(2),
                "article at {first} opens on page {page}"
            );
            assert!(pages[page].recto && pages[page].opening);
        }
        // The versos between them are blank and carry no text.
        assert!(pages[1].blank && !pages[1].recto && pages[1].draws.is_empty());
        let (pages, _) = paginate(&items, &geo, &NoteLines::new(), NOTE, false, 9);
        assert_eq!(pages.len(), 3, "without right-hand starts no blank pages");
        assert!(pages
            .iter()
            .enumerate()
            .all(|(i, p)| p.recto == (i % 2 == 0)));
    }

    /// A picture `band` grid lines high, anchor `anchor`.
    fn picture(anchor: u32, band: u16) -> Item {
        Item {
            band,
            draws: vec![Draw::Image {
                at: Point::new(0.0, 0.0),
                size: crate::typeset::geometry::Size::new(100.0, band as f32 * 14.0),
                image: anchor,
                tag: Tag::default(),
            }],
            anchors: vec![anchor],
            figure: true,
            ..Item::default()
        }
    }

    fn space() -> Item {
        Item {
            band: 1,
            discardable: true,
            ..Item::default()
        }
    }

    /// A heading's line and the grid line below it, anchor `anchor`.
    fn heading(anchor: u32) -> Vec<Item> {
        let head = Item {
            keep_next: true,
            heading: true,
            ..line(anchor)
        };
        let under = Item {
            band: 1,
            keep_next: true,
            heading: true,
            ..Item::default()
        };
        vec![head, under]
    }

    fn anchors(items: &[Item]) -> usize {
        items.iter().flat_map(|i| i.anchors.clone()).count()
    }

    #[test]
    fn a_heading_goes_with_the_picture_below_it_across_the_space_between() {
        let mut items = paragraph(0, 5);
        items.extend(heading(5));
        items.push(space());
        items.push(picture(6, 4));
        items.push(space());
        items.extend(paragraph(7, 2));
        let (pages, at) = pages_of(&items, &NoteLines::new());
        assert_eq!(at[5], 1, "the heading is not left at the foot");
        assert_eq!(at[6], 1);
        let last = texts(&pages[0]).last().cloned().unwrap();
        assert_eq!(last.0, "body 4", "page 0 ends with the paragraph");
    }

    #[test]
    fn a_heading_goes_with_the_table_below_it_across_the_space_between() {
        let table = std::sync::Arc::new(TableBreak::default());
        let mut items = paragraph(0, 6);
        items.extend(heading(6));
        items.push(space());
        for a in 7..10 {
            items.push(Item {
                keep_next: a < 9,
                table: Some(table.clone()),
                ..line(a)
            });
        }
        let (_, at) = pages_of(&items, &NoteLines::new());
        assert_eq!(&at[6..10], &[1, 1, 1, 1]);
    }

    #[test]
    fn a_picture_too_tall_for_the_rest_of_the_page_waits_for_the_next_and_text_fills_the_gap() {
        let mut items = paragraph(0, 5);
        items.push(space());
        items.push(picture(5, 6));
        items.push(space());
        items.extend(paragraph(6, 8));
        let geo = geo();
        let (pages, placed) = paginate(&items, &geo, &NoteLines::new(), NOTE, false, 14);
        let at = |a: usize| placed[a].unwrap();
        assert_eq!(at(5).page, 1, "the picture goes over");
        assert_eq!(at(5).block, geo.block_start, "to the top of the next page");
        // The text after it fills page 0: five lines before, five after.
        let page0: Vec<_> = (0..14).filter(|&a| a != 5 && at(a).page == 0).collect();
        assert_eq!(page0, (0..5).chain(6..11).collect::<Vec<_>>());
        for (k, a) in (0..5).chain(6..11).enumerate() {
            assert_eq!(at(a).block, geo.block_start + k as f32 * geo.pitch);
        }
        // On page 1 the rest of the text comes below the picture and a space.
        assert_eq!(at(11).page, 1);
        assert_eq!(at(11).block, geo.block_start + 7.0 * geo.pitch);
        assert_eq!(pages.len(), 2);
        assert!(matches!(pages[1].draws[0], Draw::Image { .. }));
    }

    #[test]
    fn pictures_waiting_keep_their_order_and_do_not_pass_a_heading() {
        let mut items = paragraph(0, 6);
        items.push(space());
        items.push(picture(6, 6));
        items.push(space());
        items.extend(paragraph(7, 1));
        items.push(space());
        items.push(picture(8, 2));
        items.push(space());
        items.extend(paragraph(9, 1));
        items.extend(heading(10));
        items.extend(paragraph(11, 3));
        let (_, at) = pages_of(&items, &NoteLines::new());
        // The second picture would fit on page 0, but not before the first.
        assert_eq!(at[6], 1);
        assert_eq!(at[8], 1);
        assert_eq!(at[7], 0);
        assert_eq!(at[9], 0);
        // The heading waits until the pictures of its section are set.
        assert!(
            at[10] >= at[8],
            "heading on {}, picture on {}",
            at[10],
            at[8]
        );
    }

    #[test]
    fn a_picture_waiting_at_the_end_of_an_article_gets_a_page_before_the_next_article() {
        let mut items = paragraph(0, 8);
        items[0].starts_article = Some(0);
        items.push(space());
        items.push(picture(8, 5));
        items.extend(paragraph(9, 1));
        let mut next = paragraph(10, 2);
        next[0].starts_article = Some(1);
        items.extend(next);
        let (pages, at) = pages_of(&items, &NoteLines::new());
        assert_eq!(at[9], 0, "the last line fills the page");
        assert_eq!(at[8], 1);
        assert_eq!(pages[1].article, Some(0));
        assert_eq!(at[10], 2);
        assert_eq!(anchors(&items), 12);
    }

    #[test]
    fn a_picture_below_a_heading_does_not_wait_but_takes_the_heading_along() {
        let mut items = paragraph(0, 6);
        items.extend(heading(6));
        items.push(picture(7, 6));
        items.extend(paragraph(8, 2));
        let (_, at) = pages_of(&items, &NoteLines::new());
        assert_eq!(&at[6..9], &[1, 1, 1]);
    }

    /// The grid line (from 1) the lowest text of `page` stands on.
    fn end_line(page: &Page) -> usize {
        let geo = geo();
        texts(page)
            .iter()
            .map(|&(_, y)| ((y - geo.block_start) / geo.pitch).ceil() as usize)
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn facing_pages_end_on_the_same_line() {
        // Page 0 alone; on the spread of pages 1 and 2 a heading with the
        // two lines it keeps would leave the recto two lines short.
        let mut items = paragraph(0, 10);
        items.extend(paragraph(10, 10));
        items.extend(paragraph(20, 8));
        items.extend(heading(28));
        items.extend(paragraph(29, 12));
        items.extend(paragraph(41, 12));
        let (pages, at) = pages_of(&items, &NoteLines::new());
        assert!(pages.len() >= 4);
        assert_eq!(
            end_line(&pages[1]),
            end_line(&pages[2]),
            "the spread is level"
        );
        assert!(end_line(&pages[1]) >= 7, "no more than three lines short");
        // Nothing is lost or set twice.
        let mut seen: Vec<usize> = pages.iter().map(|p| texts(p).len()).collect();
        seen.retain(|&n| n > 0);
        assert_eq!(seen.iter().sum::<usize>(), 53);
        assert!(at.windows(2).all(|w| w[0] <= w[1]), "in order");
    }

    #[test]
    fn an_articles_last_spread_is_left_as_it_falls() {
        let mut items = paragraph(0, 10);
        items[0].starts_article = Some(0);
        items.extend(paragraph(10, 10));
        items.extend(paragraph(20, 4));
        let mut next = paragraph(24, 3);
        next[0].starts_article = Some(1);
        items.extend(next);
        let (pages, _) = pages_of(&items, &NoteLines::new());
        assert_eq!(end_line(&pages[1]), 10);
        assert_eq!(end_line(&pages[2]), 4, "the article ends there");
    }

    #[test]
    fn a_picture_below_a_heading_is_scaled_to_stay_there_but_not_below_seven_tenths() {
        // Two lines of text, a heading, a picture of 8 lines: 6 are left.
        let mut items = paragraph(0, 2);
        items.extend(heading(2));
        items.push(picture(3, 8));
        items.extend(paragraph(4, 2));
        let (pages, at) = pages_of(&items, &NoteLines::new());
        assert_eq!(&at[..4], &[0, 0, 0, 0], "6 of 8 lines: scaled to 3/4");
        let image = pages[0]
            .draws
            .iter()
            .find_map(|d| match d {
                Draw::Image { at, size, .. } => Some((*at, *size)),
                _ => None,
            })
            .unwrap();
        let geo = geo();
        assert_eq!(image.1.block, 6.0 * geo.pitch);
        assert_eq!(image.1.inline, 75.0);
        assert!(image.0.block + image.1.block <= geo.block_start + 10.0 * geo.pitch);
        // With 5 of 8 lines left it goes over with its heading.
        let mut items = paragraph(0, 3);
        items.extend(heading(3));
        items.push(picture(4, 8));
        items.extend(paragraph(5, 2));
        let (_, at) = pages_of(&items, &NoteLines::new());
        assert_eq!(&at[3..5], &[1, 1]);
    }
}
