//! Vertical writing (`writing = "vertical"` in an edition): columns top to
//! bottom, right to left, pages turned from the left. Only the EPUB is set
//! vertically; the PDF stays horizontal.

/// Rules after the style's own: the whole book vertical, the cover page
/// (a picture) left as it is.
pub const CSS: &str = "\
html { -epub-writing-mode: vertical-rl; -webkit-writing-mode: vertical-rl; writing-mode: vertical-rl; }
section.cover { -epub-writing-mode: horizontal-tb; -webkit-writing-mode: horizontal-tb; writing-mode: horizontal-tb; }
figure img { max-width: none; max-height: 100%; }
";

/// The package document of a vertical book (its spine already goes right
/// to left, by epub-builder): Kindle's own switch says the text is vertical.
pub fn patch_opf(opf: &str) -> String {
    opf.replacen(
            "</metadata>",
            "    <meta name=\"primary-writing-mode\" content=\"vertical-rl\"/>\n  </metadata>",
            1,
        )
}

#[cfg(test)]
mod tests {
    #[test]
    fn kindle_is_told_the_text_is_vertical() {
        let opf = "<metadata>\n  </metadata>\n<spine toc=\"ncx\">\n</spine>";
        let v = super::patch_opf(opf);
        assert!(v.contains("content=\"vertical-rl\"/>\n  </metadata>"));
    }
}
