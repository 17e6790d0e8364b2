//! The EPUB's typography rules that follow the PDF's (clreq): punctuation
//! trimmed as the PDF trims it, a little space between Han and Latin,
//! long addresses and code that wrap instead of stretching the line
//! before them. Each property is one a reader may not know: it then
//! ignores it and sets the text as before (full-width marks, no extra
//! space), so nothing here can make a page worse. The style's own CSS
//! comes after these rules and may override them.
//!
//! Trimming needs the fonts' `halt` (GPOS) and the `locl` forms (——
//! full-width in Chinese): fonts::layout keeps them in the subsets.

pub const TYPOGRAPHY: &str = "\
/* Mainland (GB) punctuation: adjacent marks share their blank halves and a bracket starting a line is set half width, as in the PDF (CSS Text 4; readers without it keep full width). */
.hans { text-spacing-trim: normal; text-spacing-trim: trim-start; }
/* Taiwan and Hong Kong (CNS): centred marks, never compressed. */
.hant { text-spacing-trim: space-all; }
/* A little space between Han and Latin letters or digits (the PDF's quarter em, as close as CSS comes). */
body { text-autospace: normal; }
pre, code, .url { text-autospace: no-autospace; }
/* Long addresses and code break where they must rather than stretch the line before them. */
a.url { word-break: break-all; overflow-wrap: anywhere; }
code { overflow-wrap: anywhere; }
pre { overflow-wrap: anywhere; }
/* Latin words in Chinese text are hyphenated at line ends, as in the PDF, where the reader has English patterns. */
span.latin { -webkit-hyphens: auto; hyphens: auto; }
";

/// Continued code lines, as the PDF marks them (see
/// [`crate::typeset::code`]): each source line of a code block is a
/// `span.cl` of its own; where the reader wraps it, the lines it goes on
/// to hang in and each opens with the continuation mark. The marks are one
/// column of them beside the whole line, below its first line and clipped
/// to its height, so that a line that does not wrap shows none: CSS cannot
/// reach a wrap itself. `line_height` is the body's, which code inherits.
pub fn code_lines(line_height: f32) -> String {
    let mark = crate::typeset::code::CONTINUATION;
    let marks = vec![mark; 24].join("\\A");
    format!(
        "pre span.cl {{ display: block; position: relative; padding-left: 1.5em; text-indent: -1.5em; line-height: {line_height}; }}\n\
         pre span.cl::after {{ content: \"{marks}\"; white-space: pre; position: absolute; left: 0; top: {line_height}em; bottom: 0; overflow: hidden; text-indent: 0; line-height: {line_height}; color: #666; }}\n"
    )
}
