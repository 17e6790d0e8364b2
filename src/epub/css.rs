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
