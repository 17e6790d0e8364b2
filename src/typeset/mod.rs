//! The typesetter: Chinese text set on pages, with no knowledge of PDF.
//!
//! model → [`layout`] (paragraphs through [`shape`], [`breaks`],
//! [`linebreak`] and [`line`](mod@line)) → [`paginate`] (onto the
//! [`geometry`], into [`page`]s) → [`frontmatter`] → pages that
//! [`crate::pdf`] writes.

pub mod breaks;
pub mod code;
pub mod columns;
pub mod cover;
pub mod display;
mod error;
pub mod fontset;
pub mod frontmatter;
pub mod geometry;
pub mod images;
pub mod latin;
pub mod layout;
pub mod line;
pub mod linebreak;
pub mod page;
pub mod paginate;
pub mod paragraph;
pub mod shape;
pub mod structure;

use std::sync::Arc;

pub use error::Error;

use crate::image::{Library, Picture};
use crate::model::{Article, Book};
use crate::style::Style;
use cover::FrontCover;
use display::Pairs;
use frontmatter::Front;
use geometry::Geometry;
use images::Images;
use layout::{Galley, Layout, NOTE_LEADING, NOTE_SCALE};
use page::{Draw, NoteStyle, Page, Placement, Target};
use paragraph::Setter;
use shape::ShapeParams;
use structure::{Role, Structure, Tag};

/// One article set on its own: nothing in it depends on another article,
/// so articles may be set in any order, or side by side.
pub struct ArticleGalley {
    galley: Galley,
    images: Images,
    /// The article's recurring pairs of ideographs, for its entries in
    /// the contents (counted once, over the whole article).
    pairs: Pairs,
}

/// A heading's entry in the book's outline.
#[derive(Debug, Clone)]
pub struct Bookmark {
    /// 1 for an article, deeper for its headings and sub-chapters.
    pub level: u8,
    pub title: String,
    /// Where the heading's band begins, in [`Typeset::pages`].
    pub at: Placement,
}

/// The typeset book: every page, front matter first, ready for a writer.
pub struct Typeset {
    pub geo: Geometry,
    pub pages: Vec<Page>,
    /// Pages before the body's page 1 (cover, title pages and contents).
    pub front_pages: usize,
    /// Of those, the cover and its verso (0 or 2): they carry no folio,
    /// and the front matter's numbers begin after them.
    pub cover_pages: usize,
    /// Where each anchor landed, by anchor number, in `pages`.
    pub anchors: Vec<Option<Placement>>,
    pub bookmarks: Vec<Bookmark>,
    /// The pictures placed, in the order the pages number them.
    pub images: Vec<Arc<Picture>>,
    /// What the pages' drawings are: one Document node over the title
    /// pages, the contents and every article.
    pub structure: Structure,
    /// The Document node.
    pub root: structure::NodeId,
}

/// Sets article `index` of the book into its galley.
pub fn article<'a>(
    setter: Setter<'a>,
    geo: Geometry,
    style: &'a Style,
    library: &Arc<Library>,
    index: usize,
    article: &Article,
) -> ArticleGalley {
    let mut layout = Layout::new(setter, geo, style, Images::new(library.clone()));
    layout.article(index, article);
    ArticleGalley {
        pairs: layout.take_pairs(),
        galley: layout.galley,
        images: layout.images,
    }
}

/// The book's pages from its articles' galleys (in the book's order):
/// the body paginated, then the cover, title pages and contents before it.
pub fn book<'a>(
    setter: Setter<'a>,
    geo: Geometry,
    style: &Style,
    book: &'a Book,
    articles: Vec<ArticleGalley>,
    cover: Option<FrontCover>,
) -> Typeset {
    let mut galley = Galley::default();
    let mut images: Option<Images> = None;
    let mut pairs = Vec::with_capacity(articles.len());
    for part in articles {
        pairs.push(part.pairs);
        let pictures = match &mut images {
            Some(all) => all.absorb(part.images),
            None => {
                let own = (0..part.images.list.len() as u32).collect();
                images = Some(part.images);
                own
            }
        };
        galley.append(part.galley, &pictures);
    }
    link_articles(&mut galley);
    let note_style = NoteStyle {
        size: geo.em * NOTE_SCALE,
        pitch: geo.em * NOTE_SCALE * NOTE_LEADING,
    };
    let (mut body, placed) = paginate::paginate(
        &galley.items,
        &geo,
        &galley.notes,
        note_style,
        style.page.right_hand_start,
        galley.anchors as usize,
    );

    let mut structure = std::mem::take(&mut galley.structure);
    let root = structure.add(Role::Document, None);
    structure.node_mut(root).lang = Some(book.meta.lang.tag.clone());
    for (id, node) in structure.nodes.iter_mut().enumerate() {
        if node.parent.is_none() && id != root as usize {
            node.parent = Some(root);
        }
    }
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
            quote: false,
        },
        title_scale: style.text.title_scale,
        dates: style.text.dates,
    };
    front.furnish(&mut body, &book.articles, false, 1);
    let mut pictures = images.map(|i| i.list).unwrap_or_default();
    let mut pages = match cover {
        Some(cover) => {
            // The cover, to a screen reader: a figure described by the title.
            let figure = structure.add(Role::Figure, Some(root));
            structure.node_mut(figure).alt = Some(book.meta.title.clone());
            cover::pages(cover, &geo, &mut pictures, Tag::Node(figure))
        }
        None => Vec::new(),
    };
    let cover_pages = pages.len();
    pages.extend(front.title_pages(&mut structure, root));
    let listed = frontmatter::Listed {
        headings: &galley.headings,
        placed: &placed,
        articles: &book.articles,
        pairs: &pairs,
    };
    let mut contents = front.contents(listed, style.page.toc_depth, &mut structure, root);
    front.furnish(
        &mut contents,
        &book.articles,
        true,
        pages.len() - cover_pages + 1,
    );
    // The title page and its verso carry no folio.
    pages.append(&mut contents);
    if pages.len() % 2 == 1 {
        pages.push(Page {
            blank: true,
            ..Page::default()
        });
    }
    let front_pages = pages.len();
    pages.extend(body);
    let anchors: Vec<Option<Placement>> = placed
        .iter()
        .map(|p| {
            p.map(|p| Placement {
                page: p.page + front_pages,
                ..p
            })
        })
        .collect();
    let bookmarks = galley
        .headings
        .iter()
        .filter_map(|h| {
            let at = anchors.get(h.anchor as usize).copied().flatten()?;
            // A sub-chapter and its headings sit under the chapter before.
            let depth = book.articles.get(h.article).map_or(1, |a| a.depth.max(1));
            Some(Bookmark {
                level: h.level + depth - 1,
                title: h.title.clone(),
                at,
            })
        })
        .collect();
    Typeset {
        geo,
        pages,
        front_pages,
        cover_pages,
        anchors,
        bookmarks,
        images: pictures,
        structure,
        root,
    }
}

/// Links to other articles and their headings (named in the model, see
/// [`crate::source::links`]) go to those anchors; the rest are external.
fn link_articles(galley: &mut Galley) {
    for item in &mut galley.items {
        for draw in &mut item.draws {
            if let Draw::Link { target, .. } = draw {
                if let Target::Uri(name) = target {
                    if let Some(&anchor) = galley.named.get(name.as_str()) {
                        *target = Target::Anchor(anchor);
                    }
                }
            }
        }
    }
}
