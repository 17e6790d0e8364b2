//! Pages into the PDF file, one at a time: each page's operations are
//! built with printpdf and turned into its content stream, deflated and
//! dropped, on every core side by side; the streams are written in page
//! order (so the file is the same whatever thread made which page), each
//! object numbered as it is written ([`super::file`]). Glyphs are drawn by
//! their codes in the subset fonts of [`super::embed`] (their text reaches
//! copy, search and pdftotext through each font's ToUnicode map), and every
//! position is reached through TJ offsets in thousandths of an em (Tw does
//! nothing with CID fonts).

use std::collections::BTreeMap;
use std::sync::Arc;

use lopdf::{Dictionary, Object};
use printpdf::{
    Codepoint, Color, DictItem, FontId, Greyscale, Op, PaintMode, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, TextItem, TextMatrix,
    TextRenderingMode, WindingOrder,
};

use super::coords;
use super::embed::{self, program_of, used_glyphs, Plan};
use super::file::{Id, PdfFile};
use super::fontfile::FontEntry;
use super::post;
use super::tagged::{self, Mark, Marks};
use super::PdfError;
use crate::cache::Cache;
use crate::typeset::fontset::{FontIx, FontSet};
use crate::typeset::geometry::{self, Geometry, PT_PER_MM};
use crate::typeset::page::{CoverArt, Draw, Page, Target};
use crate::typeset::structure::{Artifact, NodeId, Span, Structure, Tag};

/// A placed anchor: absolute page index and y from the page top.
pub type AnchorPos = Option<(usize, f32)>;

/// A font as the content stream draws it: its plan (resource name, and
/// each glyph's code and width).
type EmbeddedFont<'p> = &'p Plan;

/// Character spacing (Tc) comes in steps of this many 1/1000 em, so that
/// what is left for TJ offsets stays far inside the word-break limits of
/// text extractors (pdftotext splits a word at a gap over 0.1 em or an
/// overlap over 0.2 em; pdf.js adds a space past 0.1 em). Extractors count
/// Tc into a glyph's box, so boxes meet where punctuation is compressed or
/// the Han–Latin gap is inserted, while /W keeps the font's own advances.
const SPACING_STEP: i64 = 125;

/// Pages handed to a worker at a time: enough to keep its compressor warm,
/// few enough that the two cores finish together.
const PAGES_PER_JOB: usize = 16;

/// What the pages are made of.
pub struct Book<'a, 'f> {
    pub pages: &'a [Page],
    pub geo: &'a Geometry,
    pub fonts: &'a FontSet<'f>,
    pub anchors: &'a [AnchorPos],
    pub cache: &'a Arc<Cache>,
    /// What the drawings are, for a tagged PDF; its Document node.
    pub structure: Option<(&'a Structure, NodeId)>,
}

/// A page's content, made by a worker.
struct PageOut {
    /// The content stream, and whether it is deflated.
    stream: Vec<u8>,
    deflated: bool,
    /// The pictures it places.
    images: Vec<u32>,
    /// The node of each MCID it marks (empty when untagged).
    marks: Vec<NodeId>,
}

/// The file with its pages written, and what the rest of it needs.
pub struct Written {
    file: PdfFile,
    catalog: Id,
    page_tree: Id,
    font_dict: Id,
    resources: Id,
    pages: Vec<Id>,
    /// The object reserved for each picture placed, by picture.
    pictures: BTreeMap<u32, Id>,
    /// The largest size each picture is printed at, in points.
    printed: BTreeMap<u32, (f32, f32)>,
    fonts: Vec<FontEntry>,
    /// What the pages marked, for the structure tree.
    pub marks: Option<Marks>,
}

/// Writes the pages (the fonts are known, their objects are written by
/// [`finish`]). The fonts' subsets are made while the pages are drawn:
/// the pages need only the codes of their glyphs, which are known before.
pub fn pages(book: &Book<'_, '_>) -> Result<Written, PdfError> {
    let fonts = book.fonts;
    let program = program_of(fonts);
    let used = used_glyphs(book.pages, &program);
    let mut plans = embed::plan(fonts, &used);
    let (programs, drawn) = crate::par::beside(
        || embed::programs(fonts, &plans, book.cache),
        || draw(book, &plans, &program),
    );
    let programs = programs?;
    let mut agree = true;
    for (plan, program) in plans.iter_mut().zip(&programs) {
        agree &= plan.agrees_with(program, fonts, &used);
    }
    // A subset that numbered its glyphs otherwise than foreseen (no font
    // known to us does) has the pages drawn again, by its codes.
    let mut written = if agree {
        drawn?
    } else {
        draw(book, &plans, &program)?
    };
    for (plan, program) in plans.into_iter().zip(programs) {
        written.fonts.push(FontEntry {
            widths: plan.map.values().map(|&(_, code, w)| (code, w)).collect(),
            resource: plan.id,
            base_font: plan.base_font,
            metrics: plan.metrics,
            cmap: plan.cmap,
            program,
        });
    }
    Ok(written)
}

/// The pages drawn with the fonts of `plans`.
fn draw(book: &Book<'_, '_>, plans: &[Plan], program: &[FontIx]) -> Result<Written, PdfError> {
    let embedded: BTreeMap<FontIx, EmbeddedFont> =
        plans.iter().map(|plan| (plan.font, plan)).collect();

    // Deflated page streams run about 4 KB.
    let mut file = PdfFile::new(book.pages.len() * 4096 + 1024 * 1024);
    let catalog = file.reserve();
    let page_tree = file.reserve();
    let font_dict = file.reserve();
    let resources = file.reserve();
    let first_page = file.reserve_many(book.pages.len());
    let page_ref = |i: usize| Object::Reference((first_page + i as Id, 0));

    let mut pictures: BTreeMap<u32, Id> = BTreeMap::new();
    let mut marks = book
        .structure
        .map(|(s, root)| Marks::new(s, root, book.pages.len()));
    let mut failure = None;
    let jobs = book.pages.len().div_ceil(PAGES_PER_JOB);
    crate::par::in_order(
        jobs,
        |job| {
            let start = job * PAGES_PER_JOB;
            let end = (start + PAGES_PER_JOB).min(book.pages.len());
            (start..end)
                .map(|i| {
                    let page = &book.pages[i];
                    let key = page_key(book, page, &embedded, program);
                    crate::memo::in_process(book.cache, &key, || {
                        page_content(book, page, &embedded, program)
                    })
                })
                .collect::<Result<Vec<Arc<PageOut>>, PdfError>>()
        },
        |job, out| {
            let outs = match out {
                Ok(outs) => outs,
                Err(e) => {
                    failure.get_or_insert(e);
                    return;
                }
            };
            for (k, page) in outs.into_iter().enumerate() {
                let index = job * PAGES_PER_JOB + k;
                let mut dict = Dictionary::new();
                if page.deflated {
                    dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
                }
                let contents = file.add_stream(dict, &page.stream);
                let resources = if page.images.is_empty() {
                    Object::Reference((resources, 0))
                } else {
                    let mut names = Dictionary::new();
                    for &image in &page.images {
                        let id = *pictures.entry(image).or_insert_with(|| file.reserve());
                        names.set(picture_name(image), Object::Reference((id, 0)));
                    }
                    Object::Dictionary(Dictionary::from_iter(vec![
                        ("Font", Object::Reference((font_dict, 0))),
                        ("XObject", Object::Dictionary(names)),
                    ]))
                };
                let (w, h) = (book.geo.page_w, book.geo.page_h);
                let media = || Object::Array(vec![0.into(), 0.into(), w.into(), h.into()]);
                let mut dict = Dictionary::from_iter(vec![
                    ("Type", Object::Name(b"Page".to_vec())),
                    ("MediaBox", media()),
                    ("TrimBox", media()),
                    ("CropBox", media()),
                    ("Parent", Object::Reference((page_tree, 0))),
                    ("Resources", resources),
                    ("Contents", Object::Reference((contents, 0))),
                ]);
                if let (Some(marks), Some((structure, _))) = (&mut marks, book.structure) {
                    marks.page(structure, index, &page.marks);
                    if !page.marks.is_empty() {
                        dict.set("StructParents", Object::Integer(index as i64));
                    }
                }
                let mut annots = Vec::new();
                for (mut link, node) in links(&book.pages[index], book, &page_ref) {
                    let id = file.reserve();
                    if let (Some(marks), Some((structure, _)), Some(node)) =
                        (&mut marks, book.structure, node)
                    {
                        let key = marks.annot(structure, node, index, id);
                        link.set("StructParent", Object::Integer(key as i64));
                    }
                    file.object(id, &Object::Dictionary(link));
                    annots.push(Object::Reference((id, 0)));
                }
                if !annots.is_empty() {
                    dict.set("Annots", Object::Array(annots));
                    if marks.is_some() {
                        // Tab order follows the structure (PDF/UA).
                        dict.set("Tabs", Object::Name(b"S".to_vec()));
                    }
                }
                file.object(first_page + index as Id, &Object::Dictionary(dict));
            }
        },
    );
    if let Some(e) = failure {
        return Err(e);
    }
    let mut printed: BTreeMap<u32, (f32, f32)> = BTreeMap::new();
    for draw in book.pages.iter().flat_map(|p| &p.draws) {
        let (image, at, size) = match draw {
            Draw::Image {
                image, at, size, ..
            }
            | Draw::Cover {
                art: CoverArt::Picture(image),
                at,
                size,
                ..
            } => (*image, *at, *size),
            _ => continue,
        };
        let [_, _, w, h] = coords::area(book.geo, at, size);
        let largest = printed.entry(image).or_insert((w, h));
        if w * h > largest.0 * largest.1 {
            *largest = (w, h);
        }
    }
    Ok(Written {
        printed,
        file,
        catalog,
        page_tree,
        font_dict,
        resources,
        pages: (0..book.pages.len())
            .map(|i| first_page + i as Id)
            .collect(),
        pictures,
        fonts: Vec::new(),
        marks,
    })
}

/// Writes the rest after the pages: pictures, fonts, the page tree, the
/// outline and catalog; the file's bytes.
pub fn finish(
    written: Written,
    images: &[Arc<crate::image::Picture>],
    cache: &Cache,
    f: &post::Finish<'_>,
) -> Result<Vec<u8>, PdfError> {
    let mut file = written.file;
    for (&image, &id) in &written.pictures {
        let picture = images
            .get(image as usize)
            .ok_or_else(|| PdfError::Picture("a page places one that is not in the book".into()))?;
        let image = picture
            .pdf_image(written.printed.get(&image).copied())
            .map_err(PdfError::Picture)?;
        post::add_image(&mut file, id, &image, cache)?;
    }
    super::fontfile::add_fonts(&mut file, written.font_dict, written.fonts, cache)?;
    file.object(
        written.resources,
        &Object::Dictionary(Dictionary::from_iter(vec![(
            "Font",
            Object::Reference((written.font_dict, 0)),
        )])),
    );
    let kids = written
        .pages
        .iter()
        .map(|&id| Object::Reference((id, 0)))
        .collect();
    file.object(
        written.page_tree,
        &Object::Dictionary(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Pages".to_vec())),
            ("Kids", Object::Array(kids)),
            ("Count", Object::Integer(written.pages.len() as i64)),
        ])),
    );
    let tree = match (written.marks, f.structure) {
        (Some(marks), Some(structure)) => {
            let root = file.reserve();
            marks.write(&mut file, structure, root, &written.pages, &f.meta.lang.tag)?;
            Some(root)
        }
        _ => None,
    };
    post::finish(
        file,
        written.catalog,
        written.page_tree,
        &written.pages,
        tree,
        f,
    )
}

/// Everything a page's content stream is made of: what it draws, and the
/// code and width of each glyph it draws (which stay the same when the
/// book gains a character: the codes are the fonts' own CIDs).
fn page_key(
    book: &Book<'_, '_>,
    page: &Page,
    embedded: &BTreeMap<FontIx, EmbeddedFont>,
    program: &[FontIx],
) -> crate::cache::Key {
    let mut k = crate::memo::KeyWriter::new("pdf-page-content");
    k.put(&book.geo.page_h);
    // Tagged content names each node's structure type.
    let structure = book.structure.map(|(s, _)| s);
    k.put(&structure.is_some());
    let role = |k: &mut crate::memo::KeyWriter, node: NodeId| {
        let name = structure
            .and_then(|s| s.get(node))
            .map_or("", |n| n.role.name());
        k.put(name);
    };
    for draw in &page.draws {
        k.put(draw);
        match draw {
            Draw::Text { tag, spans, .. } => {
                if let Tag::Node(n) = tag {
                    role(&mut k, *n);
                }
                for s in spans {
                    role(&mut k, s.node);
                }
            }
            Draw::Rule {
                tag: Tag::Node(n), ..
            }
            | Draw::Image {
                tag: Tag::Node(n), ..
            } => role(&mut k, *n),
            _ => {}
        }
        let Draw::Text { line, .. } = draw else {
            continue;
        };
        for g in &line.glyphs {
            let font = program[g.font as usize];
            match embedded.get(&font) {
                Some(e) => {
                    let (_, code, width) = e.entry(g.gid).unwrap_or_default();
                    k.put(&font).put(&e.id).put(&code).put(&width)
                }
                None => k.put(&u16::MAX),
            };
        }
    }
    k.finish()
}

/// The XObject name of picture `image` in a page's resources.
fn picture_name(image: u32) -> String {
    format!("BkIm{image}")
}

/// The link annotations of a page, and the link node of each.
fn links(
    page: &Page,
    book: &Book<'_, '_>,
    page_ref: &dyn Fn(usize) -> Object,
) -> Vec<(Dictionary, Option<NodeId>)> {
    let geo = book.geo;
    let mut out = Vec::new();
    for draw in &page.draws {
        let Draw::Link {
            from,
            to,
            target,
            node,
        } = draw
        else {
            continue;
        };
        let action = match target {
            Target::Uri(u) if u.starts_with('#') => continue,
            Target::Uri(u) => Dictionary::from_iter(vec![
                ("S", Object::Name(b"URI".to_vec())),
                (
                    "URI",
                    Object::String(u.as_bytes().to_vec(), lopdf::StringFormat::Literal),
                ),
            ]),
            Target::Anchor(a) => match book.anchors.get(*a as usize).copied().flatten() {
                Some((p, top)) if p < book.pages.len() => Dictionary::from_iter(vec![
                    ("S", Object::Name(b"GoTo".to_vec())),
                    (
                        "D",
                        Object::Array(vec![
                            page_ref(p),
                            Object::Name(b"XYZ".to_vec()),
                            Object::Real(0.0),
                            Object::Real(
                                coords::point(geo, geometry::Point::new(0.0, top - geo.em)).1,
                            ),
                            Object::Null,
                        ]),
                    ),
                ]),
                _ => continue,
            },
        };
        let rect = coords::corners(geo, *from, *to);
        let mut link = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Annot".to_vec())),
            ("Subtype", Object::Name(b"Link".to_vec())),
            (
                "Rect",
                Object::Array(rect.iter().map(|&v| Object::Real(v)).collect()),
            ),
            ("A", Object::Dictionary(action)),
            (
                "Border",
                Object::Array(vec![0.0.into(), 0.0.into(), 0.0.into()]),
            ),
            ("C", Object::Array(Vec::new())),
            ("H", Object::Name(b"I".to_vec())),
            // Printed (PDF/A): a link shows nothing of its own anyway.
            ("F", Object::Integer(4)),
        ]);
        // What the link does, in words, for a reader who cannot see it.
        let words = node
            .and_then(|n| book.structure?.0.get(n))
            .and_then(|n| n.alt.clone());
        if let Some(words) = words {
            link.set("Contents", post::text_string(&words));
        }
        out.push((link, *node));
    }
    out
}

/// Options for turning one page's operations into its content stream.
const SERIALISE: PdfSaveOptions = PdfSaveOptions {
    optimize: false,
    subset_fonts: false,
    secure: true,
    image_optimization: None,
};

/// A page's content stream: its text and graphics as printpdf operations,
/// serialised by printpdf (as the only page of a document of its own, the
/// one way printpdf offers), then its pictures, deflated where that pays.
fn page_content(
    book: &Book<'_, '_>,
    page: &Page,
    embedded: &BTreeMap<FontIx, EmbeddedFont>,
    program: &[FontIx],
) -> Result<PageOut, PdfError> {
    let geo = book.geo;
    let mut marked = Marked {
        structure: book.structure.map(|(s, _)| s),
        nodes: Vec::new(),
    };
    let mut ops = Vec::new();
    let mut graphics: Vec<(Tag, Op)> = Vec::new();
    // Pictures are placed after the text, but numbered where they are
    // drawn: the structure takes its reading order from the MCIDs.
    let mut placed: Vec<(Option<String>, String)> = Vec::new();
    let mut images = Vec::new();
    tints(page, geo, &mut marked, &mut ops);
    ops.push(Op::StartTextSection);
    let mut state = TextState::default();
    // The marked-content sequence open in the text, and how many EMCs
    // close it.
    let mut open: Option<(Tag, usize)> = None;
    for draw in &page.draws {
        match draw {
            Draw::Text {
                at,
                line,
                tag,
                spans,
            } => {
                let (x, y) = coords::point(geo, *at);
                let mut out = TextOut {
                    fonts: embedded,
                    program,
                    state: &mut state,
                    ops: &mut ops,
                };
                for (range, tag) in segments(line.glyphs.len(), *tag, spans) {
                    let actual = out.actual_text(line, range.clone());
                    // Lines of one node in a row share one sequence (one
                    // MCID); a run with ActualText has one of its own.
                    if actual.is_some() || open.is_some_and(|(t, _)| t != tag) {
                        let (_, count) = open.take().unwrap_or_default();
                        out.ops.extend((0..count).map(|_| Op::EndMarkedContent));
                    }
                    if open.is_none() {
                        let opened = marked.open(tag, actual.as_deref());
                        open = Some((tag, opened.len()));
                        out.ops.extend(opened);
                    }
                    out.line(line, x, y, range);
                    if actual.is_some() {
                        let (_, count) = open.take().unwrap_or_default();
                        out.ops.extend((0..count).map(|_| Op::EndMarkedContent));
                    }
                }
                let decoration = Tag::Artifact(Artifact::Layout);
                let mut drawn = Vec::new();
                dots(line, x, y, &mut drawn);
                missing_boxes(line, x, y, &mut drawn);
                graphics.extend(drawn.into_iter().map(|op| (decoration, op)));
            }
            Draw::Rule {
                from,
                to,
                width,
                tag,
            } => {
                let ((x0, y0), (x1, y1)) = (coords::point(geo, *from), coords::point(geo, *to));
                graphics.push((*tag, rule(x0, y0, x1, y1, *width)))
            }
            Draw::Image {
                at,
                size,
                image,
                tag,
            } => {
                let name = picture_name(*image);
                let [x, y, w, h] = coords::area(geo, *at, *size);
                placed.push((
                    marked.opening(*tag),
                    format!("q {w:.3} 0 0 {h:.3} {x:.3} {y:.3} cm /{name} Do Q\n"),
                ));
                if !images.contains(image) {
                    images.push(*image);
                }
            }
            Draw::Link { .. } | Draw::Tint { .. } => {}
            Draw::Cover { at, size, art, tag } => {
                let area = coords::area(geo, *at, *size);
                let drawing = match art {
                    CoverArt::Picture(image) => {
                        let [x, y, w, h] = area;
                        images.push(*image);
                        let name = picture_name(*image);
                        format!("q {w:.3} 0 0 {h:.3} {x:.3} {y:.3} cm /{name} Do Q\n")
                    }
                    CoverArt::Drawing(d) => {
                        crate::cover::pdf_ops(d, area, (geo.page_w, geo.page_h))
                    }
                };
                placed.push((marked.opening(*tag), drawing));
            }
        }
    }
    let (_, count) = open.take().unwrap_or_default();
    ops.extend((0..count).map(|_| Op::EndMarkedContent));
    ops.push(Op::EndTextSection);
    if !graphics.is_empty() {
        let black = || {
            Color::Greyscale(Greyscale {
                percent: 0.0,
                icc_profile: None,
            })
        };
        ops.push(Op::SaveGraphicsState);
        ops.push(Op::SetFillColor { col: black() });
        ops.push(Op::SetOutlineColor { col: black() });
        // One marked-content sequence for each run of the same tag.
        for group in graphics.chunk_by(|a, b| a.0 == b.0 && matches!(a.0, Tag::Artifact(_))) {
            let opened = marked.open(group[0].0, None);
            let count = opened.len();
            ops.extend(opened);
            ops.extend(group.iter().map(|(_, op)| op.clone()));
            ops.extend((0..count).map(|_| Op::EndMarkedContent));
        }
        ops.push(Op::RestoreGraphicsState);
    }
    let mut content = serialise(ops, geo)?;
    for (open, drawing) in placed {
        content.push(b'\n');
        if let Some(open) = &open {
            content.extend_from_slice(open.as_bytes());
        }
        content.extend_from_slice(drawing.as_bytes());
        if open.is_some() {
            content.extend_from_slice(b"EMC\n");
        }
    }
    let packed = super::deflate::deflate(&content)?;
    let (stream, deflated) = if packed.len() + 20 < content.len() {
        (packed, true)
    } else {
        (content, false)
    };
    Ok(PageOut {
        stream,
        deflated,
        images,
        marks: marked.nodes,
    })
}

/// The marked-content sequences of a page, numbered as they are opened.
struct Marked<'a> {
    /// None: an untagged PDF, nothing is marked.
    structure: Option<&'a Structure>,
    /// The node of each MCID.
    nodes: Vec<NodeId>,
}

impl Marked<'_> {
    /// The tag name and properties of a sequence for `tag`, its MCID taken.
    fn next(&mut self, tag: Tag) -> Option<(String, Vec<(&'static str, Mark)>)> {
        let structure = self.structure?;
        let mcid = self.nodes.len() as u32;
        if let Tag::Node(n) = tag {
            self.nodes.push(n);
        }
        Some(tagged::opening(structure, tag, mcid))
    }

    /// The BDC operations that open a sequence for `tag`, with `actual`
    /// as its ActualText. Untagged, only a sequence with ActualText is
    /// opened. Readers take ActualText from a Span only (poppler), so a
    /// node's content with ActualText is marked as a Span with its MCID:
    /// nested in the node's own sequence, it would end that sequence for
    /// poppler's structure reader, which closes at the first EMC.
    fn open(&mut self, tag: Tag, actual: Option<&str>) -> Vec<Op> {
        let span = |props: Vec<(&'static str, Mark)>| {
            let mut map = dict(props);
            if let Some(text) = actual {
                let data = utf16(text);
                map.insert(
                    "ActualText".to_string(),
                    DictItem::String {
                        data,
                        literal: false,
                    },
                );
            }
            Op::BeginMarkedContentWithProperties {
                tag: "Span".to_string(),
                properties: DictItem::Dict { map },
            }
        };
        let opening = |name: String, props| Op::BeginMarkedContentWithProperties {
            tag: name,
            properties: DictItem::Dict { map: dict(props) },
        };
        match (self.next(tag), actual.is_some(), tag) {
            (None, false, _) => Vec::new(),
            (None, true, _) => vec![span(Vec::new())],
            (Some((name, props)), false, _) => vec![opening(name, props)],
            (Some((_, props)), true, Tag::Node(_)) => vec![span(props)],
            (Some((name, props)), true, Tag::Artifact(_)) => {
                vec![opening(name, props), span(Vec::new())]
            }
        }
    }

    /// The same, as content-stream text.
    fn opening(&mut self, tag: Tag) -> Option<String> {
        let (name, props) = self.next(tag)?;
        let mut out = format!("/{name}<<");
        for (k, v) in props {
            match v {
                Mark::Int(i) => out.push_str(&format!("/{k} {i}")),
                Mark::Name(n) => out.push_str(&format!("/{k}/{n}")),
            }
        }
        out.push_str(">>BDC\n");
        Some(out)
    }
}

/// A marked-content property list.
fn dict(props: Vec<(&'static str, Mark)>) -> BTreeMap<String, DictItem> {
    props
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                Mark::Int(i) => DictItem::Int(i64::from(i)),
                Mark::Name(n) => DictItem::Name(n.as_bytes().to_vec()),
            };
            (k.to_string(), v)
        })
        .collect()
}

/// A line's glyphs in runs of one tag: the line's own, but where `spans`
/// give part of it to a node below.
fn segments(len: usize, tag: Tag, spans: &[Span]) -> Vec<(std::ops::Range<usize>, Tag)> {
    let mut out = Vec::new();
    let mut at = 0;
    for s in spans {
        let (start, end) = (usize::from(s.start).min(len), usize::from(s.end).min(len));
        if start < at || start >= end {
            continue;
        }
        if at < start {
            out.push((at..start, tag));
        }
        out.push((start..end, Tag::Node(s.node)));
        at = end;
    }
    if at < len {
        out.push((at..len, tag));
    }
    out
}

/// The content stream printpdf makes of `ops`.
fn serialise(ops: Vec<Op>, geo: &Geometry) -> Result<Vec<u8>, PdfError> {
    let mm = |pt: f32| printpdf::Mm(pt / PT_PER_MM);
    let mut doc = PdfDocument::new("");
    doc.with_pages(vec![PdfPage::new(mm(geo.page_w), mm(geo.page_h), ops)]);
    let mut warnings = Vec::new();
    let mut doc = doc.to_lopdf_document(&SERIALISE, &mut warnings);
    let page = doc.get_pages().values().next().copied();
    let contents = page
        .and_then(|p| doc.get_dictionary(p).ok())
        .and_then(|d| d.get(b"Contents").ok())
        .and_then(|c| c.as_reference().ok())
        .ok_or_else(|| PdfError::Content("printpdf made a page without content".into()))?;
    match doc.objects.remove(&contents) {
        Some(Object::Stream(s)) => Ok(s.content),
        _ => Err(PdfError::Content(
            "printpdf made a page without content".into(),
        )),
    }
}

/// The text state set so far in a page's content stream.
/// A text fill colour: the given one, else black.
fn fill(colour: Option<crate::cover::Rgb>) -> Color {
    match colour {
        Some(crate::cover::Rgb(r, g, b)) => Color::Rgb(printpdf::Rgb {
            r: f32::from(r) / 255.0,
            g: f32::from(g) / 255.0,
            b: f32::from(b) / 255.0,
            icc_profile: None,
        }),
        None => Color::Greyscale(Greyscale {
            percent: 0.0,
            icc_profile: None,
        }),
    }
}

#[derive(Default)]
struct TextState {
    font: Option<(String, f32)>,
    /// Character spacing (Tc), in points.
    spacing: f32,
    /// The fill colour set, when not the text's black.
    colour: Option<crate::cover::Rgb>,
}

struct TextOut<'a> {
    fonts: &'a BTreeMap<FontIx, EmbeddedFont<'a>>,
    program: &'a [FontIx],
    state: &'a mut TextState,
    ops: &'a mut Vec<Op>,
}

impl TextOut<'_> {
    /// The character spacing that makes glyph `k`'s box reach the next
    /// glyph.
    fn spacing(line: &crate::typeset::line::Line, k: usize, width: i64) -> i64 {
        if line.spaced {
            return 0;
        }
        let g = &line.glyphs[k];
        // The last glyph's box ends where the line does (a trimmed stop
        // stays inside the measure).
        let next_x = match line.glyphs.get(k + 1) {
            Some(next) if next.rise != g.rise => return 0,
            Some(next) => next.x,
            None => line.width,
        };
        let delta = ((next_x - g.x) * 1000.0 / g.size).round() as i64 - width;
        let shift = (delta as f64 / SPACING_STEP as f64).round() as i64 * SPACING_STEP;
        if width + shift > 0 {
            shift
        } else {
            0
        }
    }

    /// Draws glyphs `range` of `line`, which starts at `x` on `baseline`.
    fn line(
        &mut self,
        line: &crate::typeset::line::Line,
        x: f32,
        baseline: f32,
        range: std::ops::Range<usize>,
    ) {
        let glyphs = &line.glyphs;
        let mut i = range.start;
        while i < range.end {
            let first = &glyphs[i];
            let program = self.program[first.font as usize];
            let Some(font) = self.fonts.get(&program) else {
                i += 1;
                continue;
            };
            let width_of = |k: usize| font.entry(glyphs[k].gid).unwrap_or((0, 0, 0));
            let shift = Self::spacing(line, i, width_of(i).2);
            // A character no font has is drawn alone as .notdef (its text
            // is the ActualText of the run it is in: one .notdef stands for
            // many characters, so the font's ToUnicode map cannot give it).
            let missing = uncovered(line, first);
            let mut j = i + 1;
            while !missing
                && j < range.end
                && !uncovered(line, &glyphs[j])
                && self.program[glyphs[j].font as usize] == program
                && glyphs[j].size == first.size
                && glyphs[j].rise == first.rise
                && glyphs[j].colour == first.colour
                && glyphs[j].slant == first.slant
                && Self::spacing(line, j, width_of(j).2) == shift
            {
                j += 1;
            }
            let size = first.size;
            if self.state.font.as_ref() != Some(&(font.id.clone(), size)) {
                self.ops.push(Op::SetFont {
                    font: PdfFontHandle::External(FontId(font.id.clone())),
                    size: Pt(size),
                });
                self.state.font = Some((font.id.clone(), size));
            }
            let spacing = shift as f32 * size / 1000.0;
            if self.state.spacing != spacing {
                self.ops.push(Op::SetCharacterSpacing {
                    multiplier: spacing,
                });
                self.state.spacing = spacing;
            }
            if self.state.colour != first.colour {
                self.ops.push(Op::SetFillColor {
                    col: fill(first.colour),
                });
                self.state.colour = first.colour;
            }
            let start_x = x + first.x;
            let matrix = if first.slant {
                // A face without italics slanted as browsers do: the text
                // space sheared, so TJ offsets still move along the line.
                TextMatrix::Raw([1.0, 0.0, SLANT, 1.0, start_x, baseline + first.rise])
            } else {
                TextMatrix::Translate(Pt(start_x), Pt(baseline + first.rise))
            };
            self.ops.push(Op::SetTextMatrix { matrix });
            // The pen after each glyph moves by its PDF width; the offset
            // takes it to where the next glyph goes, rounded to 1/1000 em
            // without letting the rounding accumulate.
            let mut pen = start_x as f64;
            let mut items = Vec::with_capacity(j - i);
            for k in i..j {
                let (_, code, width) = width_of(k);
                pen += (width + shift) as f64 * size as f64 / 1000.0;
                let offset = if k + 1 < j {
                    let target = (x + glyphs[k + 1].x) as f64;
                    let o = ((pen - target) * 1000.0 / size as f64).round();
                    pen -= o * size as f64 / 1000.0;
                    o as f32
                } else {
                    0.0
                };
                // Codes go in directly (the fonts are written by the
                // post-pass, not known to printpdf); the text of each glyph
                // reaches the PDF through the font's ToUnicode map.
                items.push(Codepoint {
                    gid: code,
                    offset,
                    cid: Some(String::new()),
                });
            }
            // The .notdef glyph itself is not painted: fonts draw it in
            // their own ways, some not at all; `missing_boxes` draws one box.
            if missing {
                self.ops.push(Op::SetTextRenderingMode {
                    mode: TextRenderingMode::Invisible,
                });
            }
            self.ops.push(Op::ShowText {
                items: vec![TextItem::GlyphIds(items)],
            });
            if missing {
                self.ops.push(Op::SetTextRenderingMode {
                    mode: TextRenderingMode::Fill,
                });
            }
            i = j;
        }
    }
}

/// The shear of slanted (emphasised Latin) text: tan 14°, the angle of
/// CSS's `oblique` and of browsers' synthetic italics.
const SLANT: f32 = 0.25;

/// How far (1/1000 em) a glyph may sit from where its own advance would
/// put the next one before poppler sees a gap or an overlap between their
/// boxes (it splits words at a gap of 0.1 em, and at overlaps).
const IRREGULAR: i64 = 60;

impl TextOut<'_> {
    /// The text of glyphs `range` when it must be given as ActualText:
    /// where glyphs stand closer together or further apart than their
    /// advances (a compressed mark, the Han–Latin gap, a loose line),
    /// poppler then reads the run as one box, with no space or break
    /// inside, while the widths stay the font's own (PDF/A) and no
    /// character is added; and where a character no font has is drawn.
    fn actual_text(
        &self,
        line: &crate::typeset::line::Line,
        range: std::ops::Range<usize>,
    ) -> Option<String> {
        let glyphs = &line.glyphs;
        let irregular = |k: usize| {
            let g = &glyphs[k];
            if uncovered(line, g) {
                return true;
            }
            let Some(next) = glyphs.get(k + 1).filter(|_| k + 1 < range.end) else {
                return false;
            };
            if line.spaced || next.rise != g.rise || uncovered(line, next) {
                return false;
            }
            let program = self.program[g.font as usize];
            let Some(font) = self.fonts.get(&program) else {
                return false;
            };
            let width = font.entry(g.gid).map_or(0, |e| e.2);
            let placed = ((next.x - g.x) * 1000.0 / g.size).round() as i64;
            (placed - width).abs() > IRREGULAR
        };
        if !range.clone().any(irregular) {
            return None;
        }
        Some(range.map(|k| line.glyph_text(&glyphs[k])).collect())
    }
}

/// A glyph standing for a character no font covers.
fn uncovered(line: &crate::typeset::line::Line, g: &crate::typeset::line::Placed) -> bool {
    g.gid == 0 && !line.glyph_text(g).trim().is_empty()
}

/// `text` as a PDF text string in UTF-16BE.
fn utf16(text: &str) -> Vec<u8> {
    let mut data = vec![0xFE, 0xFF];
    data.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    data
}

/// An outlined box where a character no font covers stands, so the gap
/// shows on paper: the em box, less a margin.
fn missing_boxes(line: &crate::typeset::line::Line, x: f32, baseline: f32, out: &mut Vec<Op>) {
    for g in line.glyphs.iter().filter(|g| uncovered(line, g)) {
        let inset = 0.08 * g.size;
        let (x0, x1) = (
            x + g.x + inset,
            x + g.x + g.advance.max(g.size * 0.5) - inset,
        );
        let (y0, y1) = (
            baseline + g.rise - 0.12 * g.size + inset,
            baseline + g.rise + 0.88 * g.size - inset,
        );
        let t = 0.04 * g.size;
        let pt = |x: f32, y: f32| printpdf::LinePoint {
            p: Point { x: Pt(x), y: Pt(y) },
            bezier: false,
        };
        let ring = |x0: f32, y0: f32, x1: f32, y1: f32| PolygonRing {
            points: vec![pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1)],
        };
        // The outline as a filled frame: outer ring minus inner ring.
        out.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![ring(x0, y0, x1, y1), ring(x0 + t, y0 + t, x1 - t, y1 - t)],
                mode: PaintMode::Fill,
                winding_order: WindingOrder::EvenOdd,
            },
        });
    }
}

/// Emphasis dots (着重号) under marked ideographs.
fn dots(line: &crate::typeset::line::Line, x: f32, baseline: f32, out: &mut Vec<Op>) {
    for g in line.glyphs.iter().filter(|g| g.emphasis) {
        let cx = x + g.x + g.advance / 2.0;
        let cy = baseline - 0.27 * g.size;
        let r = 0.065 * g.size;
        out.push(circle(cx, cy, r));
    }
}

fn circle(cx: f32, cy: f32, r: f32) -> Op {
    const K: f32 = 0.552_284_8;
    let pt = |x: f32, y: f32, bezier: bool| printpdf::LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier,
    };
    let k = K * r;
    let points = vec![
        pt(cx + r, cy, false),
        pt(cx + r, cy + k, true),
        pt(cx + k, cy + r, true),
        pt(cx, cy + r, false),
        pt(cx - k, cy + r, true),
        pt(cx - r, cy + k, true),
        pt(cx - r, cy, false),
        pt(cx - r, cy - k, true),
        pt(cx - k, cy - r, true),
        pt(cx, cy - r, false),
        pt(cx + k, cy - r, true),
        pt(cx + r, cy - k, true),
        pt(cx + r, cy, false),
    ];
    Op::DrawPolygon {
        polygon: Polygon {
            rings: vec![PolygonRing { points }],
            mode: PaintMode::Fill,
            winding_order: WindingOrder::NonZero,
        },
    }
}

/// How light a tint behind code is: the grey level (1 is white), light
/// enough for any text on it to keep its contrast in greyscale print.
const TINT_GREY: f32 = 0.93;

/// The page's tints, painted first, under everything else, as one
/// artifact.
fn tints(page: &Page, geo: &Geometry, marked: &mut Marked<'_>, ops: &mut Vec<Op>) {
    let areas: Vec<Op> = page
        .draws
        .iter()
        .filter_map(|d| match d {
            Draw::Tint { from, to } => {
                let [x0, y0, x1, y1] = coords::corners(geo, *from, *to);
                Some(rule(x0, (y0 + y1) / 2.0, x1, (y0 + y1) / 2.0, y1 - y0))
            }
            _ => None,
        })
        .collect();
    if areas.is_empty() {
        return;
    }
    ops.push(Op::SaveGraphicsState);
    ops.push(Op::SetFillColor {
        col: Color::Greyscale(Greyscale {
            percent: TINT_GREY,
            icc_profile: None,
        }),
    });
    let opened = marked.open(Tag::Artifact(Artifact::Layout), None);
    let count = opened.len();
    ops.extend(opened);
    ops.extend(areas);
    ops.extend((0..count).map(|_| Op::EndMarkedContent));
    ops.push(Op::RestoreGraphicsState);
}

fn rule(x0: f32, y0: f32, x1: f32, y1: f32, width: f32) -> Op {
    let pt = |x: f32, y: f32| printpdf::LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier: false,
    };
    // A filled thin rectangle: one path op, no stroke state to manage.
    let h = width / 2.0;
    let points = if (y0 - y1).abs() < 0.01 {
        vec![
            pt(x0, y0 - h),
            pt(x1, y0 - h),
            pt(x1, y0 + h),
            pt(x0, y0 + h),
        ]
    } else {
        vec![
            pt(x0 - h, y0),
            pt(x0 + h, y0),
            pt(x1 + h, y1),
            pt(x1 - h, y1),
        ]
    };
    Op::DrawPolygon {
        polygon: Polygon {
            rings: vec![PolygonRing { points }],
            mode: PaintMode::Fill,
            winding_order: WindingOrder::NonZero,
        },
    }
}
