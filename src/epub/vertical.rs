//! Vertical writing (`writing = "vertical"` in an edition): columns top to
//! bottom, right to left, pages turned from the left. Only the EPUB is set
//! vertically; the PDF stays horizontal.

use epub_builder::{EpubBuilder, MetadataOpf, ZipLibrary};

/// Rules after the style's own: the whole book vertical, the cover page
/// (a picture) left as it is.
pub const CSS: &str = "\
html { -epub-writing-mode: vertical-rl; -webkit-writing-mode: vertical-rl; writing-mode: vertical-rl; }
section.cover { -epub-writing-mode: horizontal-tb; -webkit-writing-mode: horizontal-tb; writing-mode: horizontal-tb; }
figure img { max-width: none; max-height: 100%; }
";

/// The package of a vertical book: the spine goes right to left, and
/// Kindle's own switch says the text is vertical.
pub fn package(builder: &mut EpubBuilder<ZipLibrary>) -> Result<(), epub_builder::Error> {
    builder.metadata("direction", "rtl")?;
    builder.add_metadata_opf(Box::new(MetadataOpf {
        name: "primary-writing-mode".into(),
        content: "vertical-rl".into(),
    }));
    Ok(())
}
