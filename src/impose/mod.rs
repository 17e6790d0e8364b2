//! Imposition: the finished reading PDF's pages placed on printer sheets,
//! written as a second PDF (`<stem>-imposed.pdf`). It reads the reading
//! copy's bytes and knows nothing of the typesetter; each page becomes a
//! Form XObject drawn in its slot (pdfpages and pdfjam do the same).
//!
//! - `saddle`: 2-up, folded and stitched; blanks pad the pages to a
//!   multiple of 4 at the end; `creep_mm` moves inner sheets' pages toward
//!   the fold, growing linearly from 0 (outermost) to `creep_mm` (innermost).
//! - `2up`: cut-and-stack; cut the printed stack down the middle, lay the
//!   left half on the right, and the pages are in order.
//! - `4up`: the same with a 2×2 grid (cut both ways, stack TL, TR, BL, BR).
//!
//! Every sheet has both sides, blank or not, so duplex printing stays in
//! step. Pages are scaled down only when the sheet is too small for them
//! with their bleed and crop marks.

mod order;
mod sheet;

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};

pub use order::{plan, Side};
pub use sheet::Sheet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imposition {
    Saddle,
    TwoUp,
    FourUp,
}

impl Imposition {
    pub fn parse(s: &str) -> Result<Imposition, String> {
        match s.trim() {
            "saddle" => Ok(Imposition::Saddle),
            "2up" => Ok(Imposition::TwoUp),
            "4up" => Ok(Imposition::FourUp),
            other => Err(format!(
                "`imposition` is \"saddle\", \"2up\" or \"4up\", not `{other}`"
            )),
        }
    }

    /// Columns and rows of page slots on a sheet side.
    fn grid(self) -> (usize, usize) {
        match self {
            Imposition::Saddle | Imposition::TwoUp => (2, 1),
            Imposition::FourUp => (2, 2),
        }
    }
}

/// How an edition's pages go on sheets.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub imposition: Imposition,
    pub sheet: Sheet,
    pub creep_mm: f32,
    pub bleed_mm: f32,
    pub crop_marks: bool,
    /// Reading pages left off the sheets at the front (the cover and its
    /// verso).
    pub leave_out: usize,
}

const PT_PER_MM: f32 = 72.0 / 25.4;
/// Crop marks: how far from the trim they start, and how long they are.
const MARK_OFFSET_MM: f32 = 3.0;
const MARK_LENGTH_MM: f32 = 5.0;

/// The output path beside the reading copy: `<stem>-imposed.pdf`.
pub fn output_path(reading: &std::path::Path) -> std::path::PathBuf {
    let stem = reading
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    reading.with_file_name(format!("{stem}-imposed.pdf"))
}

/// A reading page as the sheet sees it.
struct Page {
    xobject: ObjectId,
}

/// Imposes `reading` (a whole PDF) and returns the imposed PDF.
pub fn impose(reading: &[u8], layout: &Layout) -> Result<Vec<u8>, String> {
    let mut doc =
        lopdf::Document::load_mem(reading).map_err(|e| format!("cannot read the PDF: {e}"))?;
    let page_ids: Vec<ObjectId> = doc.get_pages().values().copied().collect();
    if page_ids.len() <= layout.leave_out {
        return Err("the PDF has no pages to impose".into());
    }
    let (pw, ph) = media_size(&doc, page_ids[0])?;
    let mut pages = Vec::with_capacity(page_ids.len());
    for &id in &page_ids[layout.leave_out..] {
        pages.push(Page {
            xobject: page_to_xobject(&mut doc, id)?,
        });
    }
    let geometry = Geometry::new(layout, pw, ph);
    let sides = plan(layout.imposition, pages.len());
    let old_root = doc
        .catalog()
        .and_then(|c| c.get(b"Pages"))
        .and_then(Object::as_reference)
        .map_err(|e| format!("the PDF has no page tree: {e}"))?;
    let pages_id = doc.new_object_id();
    let mut kids = Vec::with_capacity(sides.len());
    for side in &sides {
        let id = sheet_page(&mut doc, side, &pages, &geometry, layout, pages_id);
        kids.push(Object::Reference(id));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Pages".to_vec())),
            ("Kids", Object::Array(kids)),
            ("Count", Object::Integer(count)),
        ])),
    );
    for id in page_ids.iter().chain([&old_root]) {
        doc.objects.remove(id);
    }
    let duplex: &[u8] = if geometry.sheet_w > geometry.sheet_h {
        b"DuplexFlipShortEdge"
    } else {
        b"DuplexFlipLongEdge"
    };
    let catalog = doc
        .catalog_mut()
        .map_err(|e| format!("the PDF has no catalog: {e}"))?;
    catalog.set("Pages", Object::Reference(pages_id));
    // Navigation and structure belong to the reading copy: on sheets the
    // pages are out of order and some appear twice.
    for key in [
        "Outlines",
        "PageLabels",
        "StructTreeRoot",
        "MarkInfo",
        "Names",
        "Dests",
        "OpenAction",
        "PageMode",
        "Metadata",
        "AcroForm",
    ] {
        catalog.remove(key.as_bytes());
    }
    catalog.set(
        "ViewerPreferences",
        Dictionary::from_iter(vec![
            ("Duplex", Object::Name(duplex.to_vec())),
            ("PrintScaling", Object::Name(b"None".to_vec())),
        ]),
    );
    doc.prune_objects();
    doc.renumber_objects();
    let id = blake3::hash(reading);
    let id = Object::String(id.as_bytes()[..16].to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| format!("cannot write the imposed PDF: {e}"))?;
    Ok(out)
}

fn media_size(doc: &lopdf::Document, page: ObjectId) -> Result<(f32, f32), String> {
    let mut node = doc.get_dictionary(page).map_err(|e| e.to_string())?;
    loop {
        if let Ok(b) = node.get(b"MediaBox").and_then(|o| doc.dereference(o)) {
            let nums: Vec<f32> =
                b.1.as_array()
                    .map_err(|e| e.to_string())?
                    .iter()
                    .filter_map(|o| o.as_float().ok())
                    .collect();
            if nums.len() == 4 {
                return Ok(((nums[2] - nums[0]).abs(), (nums[3] - nums[1]).abs()));
            }
        }
        let parent = node
            .get(b"Parent")
            .and_then(Object::as_reference)
            .map_err(|_| "a page has no MediaBox".to_string())?;
        node = doc.get_dictionary(parent).map_err(|e| e.to_string())?;
    }
}

/// Turns a page into a Form XObject with the page's resources.
fn page_to_xobject(doc: &mut lopdf::Document, page: ObjectId) -> Result<ObjectId, String> {
    let (pw, ph) = media_size(doc, page)?;
    let resources = {
        let dict = doc.get_dictionary(page).map_err(|e| e.to_string())?;
        match dict.get(b"Resources") {
            Ok(r) => r.clone(),
            Err(_) => {
                let (own, inherited) = doc.get_page_resources(page).map_err(|e| e.to_string())?;
                match (own, inherited.first()) {
                    (Some(d), _) => Object::Dictionary(d.clone()),
                    (None, Some(id)) => Object::Reference(*id),
                    (None, None) => Object::Dictionary(Dictionary::new()),
                }
            }
        }
    };
    let dict = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"XObject".to_vec())),
        ("Subtype", Object::Name(b"Form".to_vec())),
        (
            "BBox",
            Object::Array(vec![0.into(), 0.into(), pw.into(), ph.into()]),
        ),
        ("Resources", resources),
    ]);
    let stream = match page_content(doc, page) {
        // The page's one content stream as it is, still deflated: the form
        // takes its filter, and no byte is inflated or deflated again.
        Content::Encoded(stream) => {
            let mut dict = dict;
            for key in [&b"Filter"[..], b"DecodeParms"] {
                if let Ok(value) = stream.dict.get(key) {
                    dict.set(key, value.clone());
                }
            }
            Stream::new(dict, stream.content.clone())
        }
        Content::Decoded(bytes) => {
            let mut stream = Stream::new(dict, bytes);
            let _ = stream.compress();
            stream
        }
    };
    Ok(doc.add_object(stream))
}

/// A page's content: its one stream, or several joined and decoded.
enum Content<'d> {
    Encoded(&'d Stream),
    Decoded(Vec<u8>),
}

fn page_content(doc: &lopdf::Document, page: ObjectId) -> Content<'_> {
    if let [one] = doc.get_page_contents(page)[..] {
        if let Ok(stream) = doc.get_object(one).and_then(Object::as_stream) {
            return Content::Encoded(stream);
        }
    }
    Content::Decoded(doc.get_page_content(page))
}

/// Where things go on a sheet side, in points.
struct Geometry {
    sheet_w: f32,
    sheet_h: f32,
    /// Scale of the pages (1 unless the sheet is too small).
    scale: f32,
    /// Page size on the sheet.
    cell_w: f32,
    cell_h: f32,
    /// Space between neighbouring cells (0 at a saddle's fold).
    gutter: f32,
    /// Lower-left corner of the trimmed block of cells.
    x0: f32,
    y0: f32,
    cols: usize,
    rows: usize,
    bleed: f32,
    creep: f32,
}

impl Geometry {
    fn new(layout: &Layout, pw: f32, ph: f32) -> Geometry {
        let (cols, rows) = layout.imposition.grid();
        let bleed = layout.bleed_mm * PT_PER_MM;
        let marks = if layout.crop_marks {
            (MARK_OFFSET_MM.max(layout.bleed_mm) + MARK_LENGTH_MM) * PT_PER_MM
        } else {
            bleed
        };
        let gutter = match layout.imposition {
            Imposition::Saddle => 0.0,
            _ => 2.0 * bleed,
        };
        let fit = |sw: f32, sh: f32| {
            let aw = sw - 2.0 * marks - (cols - 1) as f32 * gutter;
            let ah = sh - 2.0 * marks - (rows - 1) as f32 * gutter;
            (aw / (cols as f32 * pw))
                .min(ah / (rows as f32 * ph))
                .min(1.0)
        };
        let (w, h) = (
            layout.sheet.width_mm * PT_PER_MM,
            layout.sheet.height_mm * PT_PER_MM,
        );
        // The sheet turned whichever way holds the pages larger.
        let (sheet_w, sheet_h) = if fit(h, w) > fit(w, h) {
            (h, w)
        } else {
            (w, h)
        };
        let scale = fit(sheet_w, sheet_h).max(0.05);
        let (cell_w, cell_h) = (pw * scale, ph * scale);
        let block_w = cols as f32 * cell_w + (cols - 1) as f32 * gutter;
        let block_h = rows as f32 * cell_h + (rows - 1) as f32 * gutter;
        Geometry {
            sheet_w,
            sheet_h,
            scale,
            cell_w,
            cell_h,
            gutter,
            x0: (sheet_w - block_w) / 2.0,
            y0: (sheet_h - block_h) / 2.0,
            cols,
            rows,
            bleed,
            creep: layout.creep_mm * PT_PER_MM,
        }
    }

    /// Lower-left corner of cell `k` (row-major from the top left).
    fn cell(&self, k: usize) -> (f32, f32) {
        let (col, row) = (k % self.cols, k / self.cols);
        let x = self.x0 + col as f32 * (self.cell_w + self.gutter);
        let y = self.y0 + (self.rows - 1 - row) as f32 * (self.cell_h + self.gutter);
        (x, y)
    }

    fn block(&self) -> [f32; 4] {
        let w = self.cols as f32 * self.cell_w + (self.cols - 1) as f32 * self.gutter;
        let h = self.rows as f32 * self.cell_h + (self.rows - 1) as f32 * self.gutter;
        [self.x0, self.y0, self.x0 + w, self.y0 + h]
    }
}

fn sheet_page(
    doc: &mut lopdf::Document,
    side: &Side,
    pages: &[Page],
    g: &Geometry,
    layout: &Layout,
    parent: ObjectId,
) -> ObjectId {
    let mut ops = String::new();
    let mut xobjects = Dictionary::new();
    let saddle = layout.imposition == Imposition::Saddle;
    // Creep grows from the outermost sheet (0) to the innermost.
    let creep = if saddle && side.sheets > 1 {
        g.creep * side.sheet as f32 / (side.sheets - 1) as f32
    } else {
        0.0
    };
    for (k, slot) in side.cells.iter().enumerate() {
        let Some(index) = *slot else { continue };
        let (x, y) = g.cell(k);
        let left = k % g.cols == 0;
        // Bleed on every edge but the fold.
        let (bl, br) = if saddle {
            if left {
                (g.bleed, 0.0)
            } else {
                (0.0, g.bleed)
            }
        } else {
            (g.bleed, g.bleed)
        };
        let shift = if left { creep } else { -creep };
        let name = format!("P{}", index + 1);
        xobjects.set(name.as_bytes(), Object::Reference(pages[index].xobject));
        ops.push_str(&format!(
            "q {} {} {} {} re W n {} 0 0 {} {} {} cm /{name} Do Q\n",
            f(x - bl),
            f(y - g.bleed),
            f(g.cell_w + bl + br),
            f(g.cell_h + 2.0 * g.bleed),
            f(g.scale),
            f(g.scale),
            f(x + shift),
            f(y),
        ));
    }
    if layout.crop_marks {
        ops.push_str(&marks(g, saddle));
    }
    let [tx0, ty0, tx1, ty1] = g.block();
    let bleed_box = [
        (tx0 - g.bleed).max(0.0),
        (ty0 - g.bleed).max(0.0),
        (tx1 + g.bleed).min(g.sheet_w),
        (ty1 + g.bleed).min(g.sheet_h),
    ];
    let mut content = Stream::new(Dictionary::new(), ops.into_bytes());
    let _ = content.compress();
    let content = doc.add_object(content);
    let rect = |r: [f32; 4]| Object::Array(r.iter().map(|v| Object::Real(round(*v))).collect());
    doc.add_object(Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Page".to_vec())),
        ("Parent", Object::Reference(parent)),
        ("MediaBox", rect([0.0, 0.0, g.sheet_w, g.sheet_h])),
        ("BleedBox", rect(bleed_box)),
        ("TrimBox", rect([tx0, ty0, tx1, ty1])),
        (
            "Resources",
            Object::Dictionary(Dictionary::from_iter(vec![(
                "XObject",
                Object::Dictionary(xobjects),
            )])),
        ),
        ("Contents", Object::Reference(content)),
    ]))
}

/// Crop marks at every trim line, outside the block (so they never enter
/// a page or its bleed), and fold marks at a saddle's spine.
fn marks(g: &Geometry, saddle: bool) -> String {
    let [bx0, by0, bx1, by1] = g.block();
    let offset = MARK_OFFSET_MM * PT_PER_MM;
    let start = offset.max(g.bleed);
    let len = MARK_LENGTH_MM * PT_PER_MM;
    let mut xs = Vec::new();
    for col in 0..g.cols {
        let x = g.x0 + col as f32 * (g.cell_w + g.gutter);
        if !(saddle && col > 0) {
            xs.push(x);
        }
        if !(saddle && col + 1 < g.cols) {
            xs.push(x + g.cell_w);
        }
    }
    let mut ys = Vec::new();
    for row in 0..g.rows {
        let y = g.y0 + row as f32 * (g.cell_h + g.gutter);
        ys.extend([y, y + g.cell_h]);
    }
    let mut ops = String::from("q 0.25 w 0 G [] 0 d\n");
    let line = |ops: &mut String, a: (f32, f32), b: (f32, f32)| {
        ops.push_str(&format!(
            "{} {} m {} {} l S\n",
            f(a.0),
            f(a.1),
            f(b.0),
            f(b.1)
        ));
    };
    for &x in &xs {
        line(&mut ops, (x, by1 + start), (x, by1 + start + len));
        line(&mut ops, (x, by0 - start), (x, by0 - start - len));
    }
    for &y in &ys {
        line(&mut ops, (bx0 - start, y), (bx0 - start - len, y));
        line(&mut ops, (bx1 + start, y), (bx1 + start + len, y));
    }
    if saddle {
        let fold = g.x0 + g.cell_w;
        ops.push_str("[2 2] 0 d\n");
        line(&mut ops, (fold, by1 + start), (fold, by1 + start + len));
        line(&mut ops, (fold, by0 - start), (fold, by0 - start - len));
    }
    ops.push_str("Q\n");
    ops
}

fn round(v: f32) -> f32 {
    (v * 1000.0).round() / 1000.0
}

/// A number for a content stream: three decimals, no trailing zeros.
fn f(v: f32) -> String {
    let s = format!("{:.3}", round(v));
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}
