//! Quotation marks in an edition's style: “” ‘’ (mainland) or 「」 『』
//! (Taiwan, Hong Kong). OpenCC's dictionaries have no quote entries, so
//! this is a pass of its own: outer marks map to outer marks and inner to
//! inner, and an apostrophe inside a Latin word (don’t) is left alone.

use crate::model::Inline;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quotes {
    /// “…” outside, ‘…’ inside.
    Curly,
    /// 「…」 outside, 『…』 inside.
    Corner,
}

impl Quotes {
    pub fn parse(s: &str) -> Result<Quotes, String> {
        match s.trim() {
            "“”" | "curly" => Ok(Quotes::Curly),
            "「」" | "corner" => Ok(Quotes::Corner),
            other => Err(format!("`quotes` is \"“”\" or \"「」\", not `{other}`")),
        }
    }

    fn map(self, c: char, prev: Option<char>, next: Option<char>) -> char {
        match (self, c) {
            (Quotes::Corner, '“') => '「',
            (Quotes::Corner, '”') => '」',
            (Quotes::Corner, '‘') => '『',
            (Quotes::Corner, '’') if !is_apostrophe(prev, next) => '』',
            (Quotes::Curly, '「') => '“',
            (Quotes::Curly, '」') => '”',
            (Quotes::Curly, '『') => '‘',
            (Quotes::Curly, '』') => '’',
            _ => c,
        }
    }
}

fn is_apostrophe(prev: Option<char>, next: Option<char>) -> bool {
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    latin(prev) && (latin(next) || next.is_none_or(|c| c.is_ascii()))
}

/// Sets the quotes of a run of inlines (code spans untouched).
pub fn apply(inlines: &mut [Inline], quotes: Quotes) {
    let mut prev = None;
    walk(inlines, quotes, &mut prev);
}

fn walk(inlines: &mut [Inline], quotes: Quotes, prev: &mut Option<char>) {
    for inline in inlines {
        match inline {
            Inline::Text(t) => {
                *t = convert(t, quotes, prev);
            }
            Inline::Emphasis(c) | Inline::Strong(c) | Inline::Link { content: c, .. } => {
                walk(c, quotes, prev)
            }
            Inline::Code(_) => *prev = Some('x'),
            Inline::FootnoteRef(_) | Inline::LineBreak => {}
        }
    }
}

/// Sets the quotes of a plain string (titles, metadata).
pub fn apply_str(text: &str, quotes: Quotes) -> String {
    convert(text, quotes, &mut None)
}

fn convert(text: &str, quotes: Quotes, prev: &mut Option<char>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(quotes.map(c, *prev, chars.peek().copied()));
        *prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ways_with_nesting_and_apostrophes() {
        let q = apply_str("他说：“‘学’而时习之”。Don’t", Quotes::Corner);
        assert_eq!(q, "他说：「『学』而时习之」。Don’t");
        let back = apply_str(&q, Quotes::Curly);
        assert_eq!(back, "他说：“‘学’而时习之”。Don’t");
    }

    #[test]
    fn across_inlines_and_not_in_code() {
        let mut run = vec![
            Inline::Text("“".into()),
            Inline::Strong(vec![Inline::Text("重点".into())]),
            Inline::Text("”".into()),
            Inline::Code("“x”".into()),
        ];
        apply(&mut run, Quotes::Corner);
        assert_eq!(run[0], Inline::Text("「".into()));
        assert_eq!(run[2], Inline::Text("」".into()));
        assert_eq!(run[3], Inline::Code("“x”".into()));
    }
}
