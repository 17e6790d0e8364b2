//! Every picture of a book, loaded once for both back ends. A local file
//! that is missing, damaged or of an unknown kind is an error at the first
//! line that shows it; a remote picture that cannot be had (or is damaged)
//! is a warning, and both outputs print a framed placeholder with its
//! description instead.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::raster::{self, PdfImage};
use super::remote::{self, Download, Fetcher};
use super::vector::{self, DrawingFonts};
use super::Format;
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{BlockKind, Book};
use crate::source::all_blocks;

/// Bitmaps are printed at this resolution unless the page is narrower.
const PRINT_DPI: f32 = 150.0;

/// A picture, ready for both outputs.
pub struct Picture {
    pub format: Format,
    /// What the EPUB carries: the original, or a PNG for a WebP.
    pub epub: Arc<Vec<u8>>,
    pub media_type: &'static str,
    pub ext: &'static str,
    print: Print,
    /// Width and height in points at the picture's own size.
    pub natural: (f32, f32),
}

/// What the PDF is given of a picture.
enum Print {
    /// Decoded samples (or JPEG bytes).
    Raster(PdfImage),
    /// A drawing, drawn when a PDF needs it at the size it prints: a
    /// raster at 300 dpi of its own size held for the whole build would
    /// take tens of megabytes for one wide diagram.
    Drawing(Box<vector::Drawing>),
}

impl Picture {
    /// The image XObject's content for the picture printed `printed`
    /// points wide and high (its own size if not given).
    pub fn pdf_image(
        &self,
        printed: Option<(f32, f32)>,
    ) -> Result<std::borrow::Cow<'_, PdfImage>, String> {
        match &self.print {
            Print::Raster(image) => Ok(std::borrow::Cow::Borrowed(image)),
            Print::Drawing(d) => vector::rasterise(d, printed).map(std::borrow::Cow::Owned),
        }
    }
}

#[derive(Default)]
pub struct Library {
    pictures: HashMap<PathBuf, Arc<Picture>>,
}

/// Where a picture is first shown, for messages.
struct FirstUse<'a> {
    path: &'a Path,
    file: &'a Path,
    line: u32,
}

impl Library {
    /// The picture a block names; `None` for a remote one that could not
    /// be had (the back ends print a placeholder).
    pub fn get(&self, path: &Path) -> Option<&Arc<Picture>> {
        self.pictures.get(path)
    }

    pub fn load(
        book: &Book,
        fetcher: &Fetcher,
        fonts: &DrawingFonts,
        diags: &mut Diagnostics,
    ) -> Library {
        let mut uses: Vec<FirstUse<'_>> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for article in &book.articles {
            let notes = article.footnotes.iter().flat_map(|n| all_blocks(&n.blocks));
            for block in all_blocks(&article.blocks).into_iter().chain(notes) {
                if let BlockKind::Image { path, .. } = &block.kind {
                    if seen.insert(path.as_path()) {
                        uses.push(FirstUse {
                            path,
                            file: &article.source,
                            line: block.line,
                        });
                    }
                }
            }
        }
        let remote_urls: Vec<String> = uses
            .iter()
            .filter_map(|u| remote_url(u.path))
            .map(str::to_string)
            .collect();
        let mut downloads = fetcher.fetch_all(&remote_urls).into_iter();
        let mut inputs: Vec<(usize, Download)> = Vec::with_capacity(uses.len());
        for (i, u) in uses.iter().enumerate() {
            let bytes = if remote_url(u.path).is_some() {
                downloads
                    .next()
                    .unwrap_or_else(|| Err("not downloaded".into()))
            } else {
                crate::input::read(u.path, crate::input::Kind::Image).map_err(|e| {
                    if e.is_not_found() {
                        "not found".into()
                    } else {
                        format!("cannot be read ({e})")
                    }
                })
            };
            inputs.push((i, bytes));
        }
        // Decoding is the costly part: spread it over the cores.
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let groups: Vec<Vec<(usize, Download)>> = {
            let mut groups: Vec<Vec<_>> = (0..workers).map(|_| Vec::new()).collect();
            for (n, input) in inputs.into_iter().enumerate() {
                groups[n % workers].push(input);
            }
            groups.retain(|g| !g.is_empty());
            groups
        };
        let decoded = crate::par::map(&groups, |group| -> Result<_, String> {
            Ok(group
                .iter()
                .map(|(i, bytes)| {
                    let picture = match bytes {
                        Ok(bytes) => prepare(bytes, fonts),
                        Err(e) => Err(e.clone()),
                    };
                    (*i, picture)
                })
                .collect::<Vec<_>>())
        });
        let mut results: Vec<(usize, Result<Picture, String>)> = Vec::new();
        for group in decoded {
            match group {
                Ok(g) => results.extend(g),
                Err(e) => diags.push(Diagnostic::error(format!("cannot read the images: {e}"))),
            }
        }
        results.sort_by_key(|(i, _)| *i);
        let mut library = Library::default();
        for (i, picture) in results {
            let u = &uses[i];
            match picture {
                Ok(p) => {
                    library.pictures.insert(u.path.to_path_buf(), Arc::new(p));
                }
                Err(e) => diags.push(match remote_url(u.path) {
                    Some(url) => Diagnostic::warning(format!(
                        "image `{url}` cannot be used: {e}; a placeholder with its description is printed"
                    )),
                    None => Diagnostic::error(format!("image `{}` {e}", u.path.display())),
                }
                .in_file(u.file)
                .at_line(u.line)),
            }
        }
        library
    }
}

/// The address of a remote picture (the model keeps it as its path).
pub fn remote_url(path: &Path) -> Option<&str> {
    path.to_str().filter(|s| remote::is_remote(s))
}

/// A picture from its bytes alone, text in drawings set in `fonts` (for
/// fuzzing the decoders).
pub fn read_picture(bytes: &[u8], fonts: &DrawingFonts) -> Result<Picture, String> {
    prepare(bytes, fonts)
}

fn prepare(bytes: &[u8], fonts: &DrawingFonts) -> Result<Picture, String> {
    let format =
        Format::of(bytes).ok_or("is not a picture booklet reads (PNG, JPEG, GIF, WebP or SVG)")?;
    let damaged = |e: String| format!("cannot be used: {e}");
    if format == Format::Svg {
        if let Some(outside) = vector::outside_reference(bytes) {
            return Err(format!(
                "the drawing refers to `{outside}` outside itself; embed pictures in it as data: URLs"
            ));
        }
        let drawing = vector::parse(bytes, fonts).map_err(damaged)?;
        let (w, h) = drawing.size();
        vector::check(&drawing).map_err(damaged)?;
        return Ok(Picture {
            format,
            epub: Arc::new(vector::for_epub(bytes)),
            media_type: "image/svg+xml",
            ext: "svg",
            print: Print::Drawing(Box::new(drawing)),
            // CSS pixels are 1/96 in.
            natural: (w * 0.75, h * 0.75),
        });
    }
    let decoded = raster::decode(bytes, format).map_err(damaged)?;
    let (w, h) = (decoded.pdf.width as f32, decoded.pdf.height as f32);
    let natural = (w * 72.0 / PRINT_DPI, h * 72.0 / PRINT_DPI);
    let (epub, media_type, ext) = match (decoded.epub_png, format) {
        (Some(png), _) => (png, "image/png", "png"),
        (None, Format::Jpeg) => (bytes.to_vec(), "image/jpeg", "jpg"),
        (None, Format::Gif) => (bytes.to_vec(), "image/gif", "gif"),
        (None, _) => (bytes.to_vec(), "image/png", "png"),
    };
    Ok(Picture {
        format,
        epub: Arc::new(epub),
        media_type,
        ext,
        print: Print::Raster(decoded.pdf),
        natural,
    })
}
