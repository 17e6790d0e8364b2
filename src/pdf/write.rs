//! Pages to printpdf operations. Glyphs are drawn by their codes in the
//! subset fonts of [`super::embed`] (their text reaches copy, search and
//! pdftotext through each font's ToUnicode map), and every position is
//! reached through TJ offsets in thousandths of an em (Tw does nothing
//! with CID fonts).

use std::collections::{BTreeMap, BTreeSet};

use printpdf::{
    Actions, BorderArray, Codepoint, Color, ColorArray, Destination, DictItem, FontId, Greyscale,
    HighlightingMode, LinkAnnotation, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rect, TextItem, TextMatrix, TextRenderingMode,
    WindingOrder,
};

use super::embed::{embed, program_of, used_glyphs};
use super::fontfile::FontEntry;
use super::streams::{merge_shifted, PageFonts, PageStreams};
use crate::typeset::fontset::{FontIx, FontSet};
use crate::typeset::geometry::{Geometry, PT_PER_MM};
use crate::typeset::page::{Draw, Page, Target};

/// A placed anchor: absolute page index and y from the page top.
pub type AnchorPos = Option<(usize, f32)>;

/// An image to be drawn by the post-pass: page, image, and its box in PDF
/// coordinates (x, y of the lower-left corner, width, height).
#[derive(Debug, Clone, Copy)]
pub struct ImagePlacement {
    pub page: usize,
    pub image: u32,
    pub rect: [f32; 4],
}

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

/// What the post-pass needs besides the document.
pub struct Written {
    pub doc: lopdf::Document,
    pub images: Vec<ImagePlacement>,
    pub fonts: Vec<FontEntry>,
    pub shifted: Vec<ShiftedFont>,
    /// The page streams being kept for the next build.
    pub saving: Option<std::thread::JoinHandle<()>>,
}

/// Writes the pages into a printpdf document turned into lopdf's, plus
/// where images go and the fonts (all added by the post-pass: printpdf
/// would parse every subset again to write what is known already).
pub fn write(
    pages: &[Page],
    geo: &Geometry,
    fonts: &FontSet<'_>,
    anchors: &[AnchorPos],
    title: &str,
    cache: &std::sync::Arc<crate::cache::Cache>,
) -> Result<Written, String> {
    let program = program_of(fonts);
    let used = used_glyphs(pages, &program);
    let mut doc = PdfDocument::new(title);
    let mut embedded: BTreeMap<FontIx, EmbeddedFont> = BTreeMap::new();
    let mut entries = Vec::new();
    for (font, e) in embed(fonts, &used, cache)? {
        entries.push((e.id.clone(), e.base_font, e.metrics, e.cmap, e.program));
        embedded.insert(
            font,
            EmbeddedFont {
                id: e.id,
                map: e.map,
            },
        );
    }
    let mut shifted: BTreeMap<(FontIx, i64), ShiftedFont> = BTreeMap::new();

    let digest = fonts_digest(fonts, &embedded);
    let mut streams = PageStreams::look_up(pages, geo, &digest, cache);
    let resources: BTreeSet<String> = embedded.values().map(|e| e.id.clone()).collect();

    let mut images = Vec::new();
    let mut pdf_pages = Vec::with_capacity(pages.len());
    for (index, page) in pages.iter().enumerate() {
        // A page whose stream is kept is not drawn again: only its links
        // and images are placed.
        let kept = match streams.kept(index) {
            Some(fonts) => {
                merge_shifted(&mut shifted, &fonts.shifted);
                true
            }
            None => false,
        };
        let mut page_fonts = PageFonts::default();
        let mut ops = Vec::new();
        let mut graphics = Vec::new();
        let mut links = Vec::new();
        let flip = |y: f32| geo.page_h - y;
        ops.push(Op::StartTextSection);
        let mut state: Option<(String, f32)> = None;
        for draw in &page.draws {
            match draw {
                Draw::Text { .. } | Draw::Rule { .. } if kept => {}
                Draw::Text { x, y, line } => {
                    let mut out = TextOut {
                        fonts: &embedded,
                        program: &program,
                        shifted: &mut page_fonts.shifted,
                        state: &mut state,
                        ops: &mut ops,
                    };
                    out.line(line, *x, flip(*y));
                    dots(line, *x, flip(*y), &mut graphics);
                    missing_boxes(line, *x, flip(*y), &mut graphics);
                }
                Draw::Rule {
                    x0,
                    y0,
                    x1,
                    y1,
                    width,
                } => graphics.push(rule(*x0, flip(*y0), *x1, flip(*y1), *width)),
                Draw::Image { x, y, w, h, image } => images.push(ImagePlacement {
                    page: index,
                    image: *image,
                    rect: [*x, flip(*y + *h), *w, *h],
                }),
                Draw::Link {
                    x0,
                    y0,
                    x1,
                    y1,
                    target,
                } => {
                    let actions = match target {
                        Target::Uri(u) if u.starts_with('#') => continue,
                        Target::Uri(u) => Actions::Uri(u.clone()),
                        Target::Anchor(a) => match anchors.get(*a as usize).copied().flatten() {
                            Some((p, top)) => Actions::Goto(Destination::Xyz {
                                page: p + 1,
                                left: Some(0.0),
                                top: Some(flip(top - geo.em)),
                                zoom: None,
                            }),
                            None => continue,
                        },
                    };
                    let rect = Rect::from_xywh(Pt(*x0), Pt(flip(*y1)), Pt(x1 - x0), Pt(y1 - y0));
                    links.push(Op::LinkAnnotation {
                        link: LinkAnnotation::new(
                            rect,
                            actions,
                            Some(BorderArray::Solid([0.0, 0.0, 0.0])),
                            Some(ColorArray::Transparent),
                            Some(HighlightingMode::Invert),
                        ),
                    });
                }
            }
        }
        ops.push(Op::EndTextSection);
        if !graphics.is_empty() {
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetFillColor {
                col: Color::Greyscale(Greyscale {
                    percent: 0.0,
                    icc_profile: None,
                }),
            });
            ops.push(Op::SetOutlineColor {
                col: Color::Greyscale(Greyscale {
                    percent: 0.0,
                    icc_profile: None,
                }),
            });
            ops.extend(graphics);
            ops.push(Op::RestoreGraphicsState);
        }
        if kept {
            ops = links;
        } else {
            ops.extend(links);
            page_fonts.note_shown(&ops, &resources);
            merge_shifted(&mut shifted, &page_fonts.shifted);
            streams.drawn(index, page_fonts);
        }
        pdf_pages.push(PdfPage::new(
            printpdf::Mm(geo.page_w / PT_PER_MM),
            printpdf::Mm(geo.page_h / PT_PER_MM),
            ops,
        ));
    }
    doc.with_pages(pdf_pages);
    let opts = PdfSaveOptions {
        optimize: false,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut doc = doc.to_lopdf_document(&opts, &mut warnings);
    let shown = streams.shown().clone();
    let saving = streams.fill(&mut doc)?;
    let fonts = entries
        .into_iter()
        .map(|(resource, base_font, metrics, cmap, program)| {
            // The widths of the glyphs drawn through the unshifted resource.
            let width: BTreeMap<u16, i64> = embedded
                .values()
                .filter(|e| e.id == resource)
                .flat_map(|e| e.map.values().map(|&(_, code, w)| (code, w)))
                .collect();
            let widths = shown
                .get(&resource)
                .into_iter()
                .flatten()
                .filter_map(|code| Some((*code, *width.get(code)?)))
                .collect();
            FontEntry {
                resource,
                base_font,
                metrics,
                cmap,
                widths,
                program,
            }
        })
        .collect();
    Ok(Written {
        doc,
        images,
        fonts,
        shifted: shifted.into_values().collect(),
        saving,
    })
}

/// Identifies the embedded fonts as the content streams see them: each
/// subset's face, resource name and glyph codes and widths.
fn fonts_digest(fonts: &FontSet<'_>, embedded: &BTreeMap<FontIx, EmbeddedFont>) -> Vec<u8> {
    let mut d = Vec::new();
    for (&font, e) in embedded {
        let face = &fonts.choice.faces[font as usize];
        d.extend_from_slice(&face.identity());
        d.extend_from_slice(e.id.as_bytes());
        for (old, (new, code, width)) in &e.map {
            d.extend_from_slice(&old.to_le_bytes());
            d.extend_from_slice(&new.to_le_bytes());
            d.extend_from_slice(&code.to_le_bytes());
            d.extend_from_slice(&width.to_le_bytes());
        }
    }
    d
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
