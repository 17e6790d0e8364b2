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
use super::embed::{embed, program_of, used_glyphs};
use super::file::{Id, PdfFile};
use super::fontfile::FontEntry;
use super::post;
use crate::cache::Cache;
use crate::typeset::fontset::{FontIx, FontSet};
use crate::typeset::geometry::{self, Geometry, PT_PER_MM};
use crate::typeset::page::{Draw, Page, Target};

/// A placed anchor: absolute page index and y from the page top.
pub type AnchorPos = Option<(usize, f32)>;

/// A font as the content stream draws it.
struct EmbeddedFont {
    id: String,
    /// Original glyph id → (subset glyph id, code in the content stream,
    /// PDF width in 1/1000 em).
    map: BTreeMap<u16, (u16, u16, i64)>,
}

/// A font resource sharing an embedded program but with every width
/// shifted, so that text extraction sees glyph boxes that meet where
/// punctuation is compressed or the Han–Latin gap is inserted (the gap
/// stays positioning: no space character is drawn).
#[derive(Debug, Clone)]
pub struct ShiftedFont {
    pub base: String,
    pub name: String,
    pub shift: i64,
    /// (code, width) of the glyphs drawn through it.
    pub widths: BTreeMap<u16, i64>,
}

/// Shifted widths come in steps of this many 1/1000 em, so that what is
/// left over stays far inside pdftotext's word-break limits (a gap over
/// 0.1 em or an overlap over 0.2 em splits a word).
const SHIFT_STEP: i64 = 125;

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
}

/// A page's content, made by a worker.
struct PageOut {
    /// The content stream, and whether it is deflated.
    stream: Vec<u8>,
    deflated: bool,
    /// The shifted font resources it draws with.
    shifted: BTreeMap<(FontIx, i64), ShiftedFont>,
    /// The pictures it places.
    images: Vec<u32>,
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
    fonts: Vec<FontEntry>,
    shifted: Vec<ShiftedFont>,
}

/// Writes the pages (the fonts are known, their objects are written by
/// [`finish`]).
pub fn pages(book: &Book<'_, '_>) -> Result<Written, String> {
    let fonts = book.fonts;
    let program = program_of(fonts);
    let used = used_glyphs(book.pages, &program);
    let mut embedded: BTreeMap<FontIx, EmbeddedFont> = BTreeMap::new();
    let mut entries = Vec::new();
    for (font, e) in embed(fonts, &used, book.cache)? {
        let widths = e.map.values().map(|&(_, code, w)| (code, w)).collect();
        embedded.insert(
            font,
            EmbeddedFont {
                id: e.id.clone(),
                map: e.map,
            },
        );
        entries.push(FontEntry {
            resource: e.id,
            base_font: e.base_font,
            metrics: e.metrics,
            cmap: e.cmap,
            widths,
            program: e.program,
        });
    }

    // Deflated page streams run about 4 KB.
    let mut file = PdfFile::new(book.pages.len() * 4096 + 1024 * 1024);
    let catalog = file.reserve();
    let page_tree = file.reserve();
    let font_dict = file.reserve();
    let resources = file.reserve();
    let first_page = file.reserve_many(book.pages.len());
    let page_ref = |i: usize| Object::Reference((first_page + i as Id, 0));

    let mut pictures: BTreeMap<u32, Id> = BTreeMap::new();
    let mut shifted: BTreeMap<(FontIx, i64), ShiftedFont> = BTreeMap::new();
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
                    let key = page_key(book, page, &embedded, &program);
                    crate::memo::in_process(book.cache, &key, || {
                        page_content(book, page, &embedded, &program)
                    })
                })
                .collect::<Result<Vec<Arc<PageOut>>, String>>()
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
                merge_shifted(&mut shifted, &page.shifted);
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
                let links = links(&book.pages[index], book, &page_ref);
                if !links.is_empty() {
                    dict.set("Annots", Object::Array(links));
                }
                file.object(first_page + index as Id, &Object::Dictionary(dict));
            }
        },
    );
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(Written {
        file,
        catalog,
        page_tree,
        font_dict,
        resources,
        pages: (0..book.pages.len())
            .map(|i| first_page + i as Id)
            .collect(),
        pictures,
        fonts: entries,
        shifted: shifted.into_values().collect(),
    })
}

/// Writes the rest after the pages: pictures, fonts, the page tree, the
/// outline and catalog; the file's bytes.
pub fn finish(
    written: Written,
    images: &[Arc<crate::image::Picture>],
    cache: &Cache,
    f: &post::Finish<'_>,
) -> Result<Vec<u8>, String> {
    let mut file = written.file;
    for (&image, &id) in &written.pictures {
        let picture = images
            .get(image as usize)
            .ok_or("a page places a picture that is not in the book")?;
        post::add_image(&mut file, id, &picture.pdf, cache)?;
    }
    super::fontfile::add_fonts(
        &mut file,
        written.font_dict,
        written.fonts,
        &written.shifted,
        cache,
    )?;
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
    post::finish(file, written.catalog, written.page_tree, &written.pages, f)
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
    for draw in &page.draws {
        k.put(draw);
        let Draw::Text { line, .. } = draw else {
            continue;
        };
        for g in &line.glyphs {
            let font = program[g.font as usize];
            match embedded.get(&font) {
                Some(e) => {
                    let (_, code, width) = e.map.get(&g.gid).copied().unwrap_or_default();
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

/// Adds a page's shifted fonts and widths to those of the document.
fn merge_shifted(
    all: &mut BTreeMap<(FontIx, i64), ShiftedFont>,
    page: &BTreeMap<(FontIx, i64), ShiftedFont>,
) {
    for (k, s) in page {
        all.entry(*k)
            .or_insert_with(|| ShiftedFont {
                widths: BTreeMap::new(),
                ..s.clone()
            })
            .widths
            .extend(&s.widths);
    }
}

/// The link annotations of a page (direct dictionaries in its /Annots).
fn links(page: &Page, book: &Book<'_, '_>, page_ref: &dyn Fn(usize) -> Object) -> Vec<Object> {
    let geo = book.geo;
    let mut out = Vec::new();
    for draw in &page.draws {
        let Draw::Link { from, to, target } = draw else {
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
        out.push(Object::Dictionary(Dictionary::from_iter(vec![
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
        ])));
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
) -> Result<PageOut, String> {
    let geo = book.geo;
    let mut shifted = BTreeMap::new();
    let mut ops = Vec::new();
    let mut graphics = Vec::new();
    let mut placed = String::new();
    let mut images = Vec::new();
    ops.push(Op::StartTextSection);
    let mut state: Option<(String, f32)> = None;
    for draw in &page.draws {
        match draw {
            Draw::Text { at, line } => {
                let (x, y) = coords::point(geo, *at);
                let mut out = TextOut {
                    fonts: embedded,
                    program,
                    shifted: &mut shifted,
                    state: &mut state,
                    ops: &mut ops,
                };
                out.line(line, x, y);
                dots(line, x, y, &mut graphics);
                missing_boxes(line, x, y, &mut graphics);
            }
            Draw::Rule { from, to, width } => {
                let ((x0, y0), (x1, y1)) = (coords::point(geo, *from), coords::point(geo, *to));
                graphics.push(rule(x0, y0, x1, y1, *width))
            }
            Draw::Image { at, size, image } => {
                let name = picture_name(*image);
                let [x, y, w, h] = coords::area(geo, *at, *size);
                placed.push_str(&format!(
                    "q {w:.3} 0 0 {h:.3} {x:.3} {y:.3} cm /{name} Do Q\n"
                ));
                if !images.contains(image) {
                    images.push(*image);
                }
            }
            Draw::Link { .. } => {}
        }
    }
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
        ops.extend(graphics);
        ops.push(Op::RestoreGraphicsState);
    }
    let mut content = serialise(ops, geo)?;
    if !placed.is_empty() {
        content.push(b'\n');
        content.extend_from_slice(placed.as_bytes());
    }
    let packed = post::deflate(&content)?;
    let (stream, deflated) = if packed.len() + 20 < content.len() {
        (packed, true)
    } else {
        (content, false)
    };
    Ok(PageOut {
        stream,
        deflated,
        shifted,
        images,
    })
}

/// The content stream printpdf makes of `ops`.
fn serialise(ops: Vec<Op>, geo: &Geometry) -> Result<Vec<u8>, String> {
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
        .ok_or("printpdf made a page without content")?;
    match doc.objects.remove(&contents) {
        Some(Object::Stream(s)) => Ok(s.content),
        _ => Err("printpdf made a page without content".into()),
    }
}

struct TextOut<'a> {
    fonts: &'a BTreeMap<FontIx, EmbeddedFont>,
    program: &'a [FontIx],
    shifted: &'a mut BTreeMap<(FontIx, i64), ShiftedFont>,
    state: &'a mut Option<(String, f32)>,
    ops: &'a mut Vec<Op>,
}

impl TextOut<'_> {
    /// The width shift that makes glyph `k`'s box reach the next glyph.
    fn shift(line: &crate::typeset::line::Line, k: usize, width: i64) -> i64 {
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
        let shift = (delta as f64 / SHIFT_STEP as f64).round() as i64 * SHIFT_STEP;
        if width + shift > 0 {
            shift
        } else {
            0
        }
    }

    fn line(&mut self, line: &crate::typeset::line::Line, x: f32, baseline: f32) {
        let glyphs = &line.glyphs;
        let mut i = 0;
        while i < glyphs.len() {
            let first = &glyphs[i];
            let program = self.program[first.font as usize];
            let Some(font) = self.fonts.get(&program) else {
                i += 1;
                continue;
            };
            let width_of = |k: usize| font.map.get(&glyphs[k].gid).copied().unwrap_or((0, 0, 0));
            let shift = Self::shift(line, i, width_of(i).2);
            // A character no font has is drawn alone as .notdef, its text
            // given as ActualText (one .notdef stands for many characters,
            // so the font's ToUnicode map cannot give it).
            let missing = uncovered(line, first);
            let mut j = i + 1;
            while !missing
                && j < glyphs.len()
                && !uncovered(line, &glyphs[j])
                && self.program[glyphs[j].font as usize] == program
                && glyphs[j].size == first.size
                && glyphs[j].rise == first.rise
                && Self::shift(line, j, width_of(j).2) == shift
            {
                j += 1;
            }
            let size = first.size;
            let resource = if shift == 0 {
                font.id.clone()
            } else {
                let entry = self
                    .shifted
                    .entry((program, shift))
                    .or_insert_with(|| ShiftedFont {
                        base: font.id.clone(),
                        name: format!(
                            "{}{}{}",
                            font.id,
                            if shift < 0 { "M" } else { "P" },
                            shift.abs()
                        ),
                        shift,
                        widths: BTreeMap::new(),
                    });
                for k in i..j {
                    let (_, code, w) = width_of(k);
                    entry.widths.insert(code, w + shift);
                }
                entry.name.clone()
            };
            if self.state.as_ref() != Some(&(resource.clone(), size)) {
                self.ops.push(Op::SetFont {
                    font: PdfFontHandle::External(FontId(resource.clone())),
                    size: Pt(size),
                });
                *self.state = Some((resource, size));
            }
            let start_x = x + first.x;
            self.ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(start_x), Pt(baseline + first.rise)),
            });
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
                self.ops.push(actual_text(line.glyph_text(first)));
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
                self.ops.push(Op::EndMarkedContent);
            }
            i = j;
        }
    }
}

/// A glyph standing for a character no font covers.
fn uncovered(line: &crate::typeset::line::Line, g: &crate::typeset::line::Placed) -> bool {
    g.gid == 0 && !line.glyph_text(g).trim().is_empty()
}

/// `/Span << /ActualText (text) >> BDC`, the text in UTF-16BE.
fn actual_text(text: &str) -> Op {
    let mut data = vec![0xFE, 0xFF];
    data.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let map = BTreeMap::from([(
        "ActualText".to_string(),
        DictItem::String {
            data,
            literal: false,
        },
    )]);
    Op::BeginMarkedContentWithProperties {
        tag: "Span".to_string(),
        properties: DictItem::Dict { map },
    }
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
