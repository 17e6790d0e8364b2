//! The print PDF back end: the pages [`crate::typeset`] made, written with
//! printpdf, which draws glyphs but lays out nothing.
//!
//! model → [`crate::typeset`] (paragraphs kept from the last build by
//! [`reuse`]) → [`write`](mod@write) (printpdf; unchanged pages from
//! [`streams`]) → [`post`] (lopdf; fonts by [`fontfile`]) → bytes.

pub mod embed;
pub mod fontfile;
pub mod post;
pub mod reuse;
pub mod streams;
pub mod write;

use crate::diag::{Diagnostic, Diagnostics};
use crate::prepared::Prepared;
use crate::typeset::fontset::{FontChoice, FontSet};
use crate::typeset::frontmatter::Front;
use crate::typeset::geometry::Geometry;
use crate::typeset::images;
use crate::typeset::layout::{self, Layout, NOTE_LEADING, NOTE_SCALE};
use crate::typeset::page::{self, NoteStyle, Page};
use crate::typeset::paginate::paginate;
use crate::typeset::paragraph::Setter;
use crate::typeset::shape::ShapeParams;
use post::{Finish, OutlineEntry};

/// Links to other articles and their headings (named in the model, see
/// [`crate::source::links`]) go to those anchors; the rest are external.
fn link_articles(galley: &mut layout::Galley) {
    for item in &mut galley.items {
        for draw in &mut item.draws {
            if let page::Draw::Link { target, .. } = draw {
                if let page::Target::Uri(name) = target {
                    if let Some(&anchor) = galley.named.get(name.as_str()) {
                        *target = page::Target::Anchor(anchor);
                    }
                }
            }
        }
    }
}

/// Typesets the book. Problems go to `diags`; `None` when no PDF could be
/// made.
pub fn render(prepared: &Prepared, diags: &mut Diagnostics) -> Option<Vec<u8>> {
    match render_inner(prepared, diags) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            diags.push(Diagnostic::error(format!("cannot make the PDF: {e}")));
            None
        }
    }
}

fn render_inner(prepared: &Prepared, diags: &mut Diagnostics) -> Result<Vec<u8>, String> {
    let book = &prepared.book;
    let style = &prepared.style;
    let geo = Geometry::new(style)?;
    let choice = FontChoice::new(
        &prepared.faces,
        &prepared.manifest,
        book,
        &prepared.characters,
        &prepared.fonts,
    );
    let fonts = FontSet::new(&choice).ok_or("a font cannot be read for shaping")?;
    let memo = reuse::Paragraphs::open(&prepared.cache, &choice);
    let setter = Setter {
        fonts: &fonts,
        memo: &memo,
    };

    let mut images = images::Images::new(prepared.images.clone());
    let mut layout = Layout::new(setter, geo, style, &mut images, diags);
    for (i, article) in book.articles.iter().enumerate() {
        layout.article(i, article);
    }
    let mut galley = std::mem::take(&mut layout.galley);
    drop(layout);
    link_articles(&mut galley);
    let note_style = NoteStyle {
        size: geo.em * NOTE_SCALE,
        pitch: geo.em * NOTE_SCALE * NOTE_LEADING,
    };
    let (mut body, placed) = paginate(
        &galley.items,
        &geo,
        &galley.notes,
        note_style,
        style.page.right_hand_start,
        galley.anchors as usize,
    );

    let lang = &book.meta.lang;
    let front = Front {
        setter,
        geo,
        meta: &book.meta,
        shape: ShapeParams {
            size: geo.em,
            script: lang.script(),
            punct: lang.punct_style(),
            bold: false,
        },
        title_scale: style.text.title_scale,
    };
    front.furnish(&mut body, &book.articles, false, 1);
    let mut front_pages = front.title_pages();
    let mut contents = front.contents(
        &galley.headings,
        &placed,
        &book.articles,
        style.page.toc_depth,
    );
    front.furnish(&mut contents, &book.articles, true, front_pages.len() + 1);
    // The title page and its verso carry no folio.
    front_pages.append(&mut contents);
    if front_pages.len() % 2 == 1 {
        front_pages.push(Page {
            blank: true,
            ..Page::default()
        });
    }
    // Every paragraph is set: keep them for the next build while the
    // pages are written.
    let saving = memo.save();
    let front_count = front_pages.len();
    let mut pages = front_pages;
    pages.extend(body);

    let anchors: Vec<write::AnchorPos> = placed
        .iter()
        .map(|p| p.map(|p| (p.page + front_count, p.y)))
        .collect();
    let written = write::write(
        &pages,
        &geo,
        &fonts,
        &anchors,
        &book.meta.title,
        &prepared.cache,
    )?;
    if let Some(saving) = saving {
        let _ = saving.join();
    }
    let outline: Vec<OutlineEntry> = galley
        .headings
        .iter()
        .filter_map(|h| {
            let (page, y) = anchors.get(h.anchor as usize).copied().flatten()?;
            // A sub-chapter and its headings sit under the chapter before.
            let depth = book.articles.get(h.article).map_or(1, |a| a.depth.max(1));
            Some(OutlineEntry {
                level: h.level + depth - 1,
                title: h.title.clone(),
                page,
                top: geo.page_h - y + geo.em,
            })
        })
        .collect();
    let producer = format!(
        "booklet {} (printpdf 0.12.8, lopdf 0.44)",
        env!("CARGO_PKG_VERSION")
    );
    let saving_pages = written.saving;
    let bytes = post::finish(
        written.doc,
        written.fonts,
        &Finish {
            meta: &book.meta,
            outline: &outline,
            front_pages: front_count,
            images: &images.list,
            placements: &written.images,
            shifted: &written.shifted,
            producer: &producer,
            cache: &prepared.cache,
        },
    );
    if let Some(saving) = saving_pages {
        let _ = saving.join();
    }
    bytes
}
