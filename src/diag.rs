//! Diagnostics: every problem a run finds, with where it is, reported
//! together (as krilla collects its validation errors) rather than one at a time,
//! and shown the way rustc and typst show theirs.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: Option<PathBuf>,
    /// 1-based.
    pub line: Option<u32>,
    /// 1-based, in characters.
    pub column: Option<u32>,
    /// How many characters from `column` the caret underlines (u16 keeps a
    /// diagnostic small enough to return by value).
    pub length: Option<u16>,
    pub message: String,
    /// The offending source line, shown under the message.
    pub snippet: Option<String>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: None,
            line: None,
            column: None,
            length: None,
            message: message.into(),
            snippet: None,
            hint: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    pub fn at_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    pub fn at(mut self, line: u32, column: u32) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Underlines `length` characters from the column.
    pub fn spanning(mut self, length: u32) -> Self {
        self.length = Some(length.min(u32::from(u16::MAX)) as u16);
        self
    }

    pub fn with_snippet(mut self, snippet: impl Into<String>) -> Self {
        self.snippet = Some(snippet.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// ANSI styles for a terminal; empty strings when colour is off.
struct Palette {
    severity: &'static str,
    strong: &'static str,
    frame: &'static str,
    reset: &'static str,
}

impl Palette {
    fn new(severity: Severity, color: bool) -> Palette {
        if !color {
            return Palette {
                severity: "",
                strong: "",
                frame: "",
                reset: "",
            };
        }
        Palette {
            severity: match severity {
                Severity::Error => "\x1b[1;31m",
                Severity::Warning => "\x1b[1;33m",
            },
            strong: "\x1b[1m",
            frame: "\x1b[1;34m",
            reset: "\x1b[0m",
        }
    }
}

/// A source line longer than a terminal's, cut to the part around
/// `column` (a minified or generated file may hold a book in one line);
/// the column counted in what is shown.
fn window(line: &str, column: Option<u32>) -> (String, Option<u32>) {
    const WIDTH: usize = 100;
    let count = line.chars().count();
    if count <= WIDTH {
        return (line.to_string(), column);
    }
    let at = column
        .map_or(0, |c| c.saturating_sub(1) as usize)
        .min(count);
    let end = (at.saturating_sub(WIDTH / 2) + WIDTH).min(count);
    let start = end - WIDTH;
    let mut shown: String = if start > 0 {
        "…".into()
    } else {
        String::new()
    };
    let lead = shown.chars().count();
    shown.extend(line.chars().skip(start).take(WIDTH));
    if end < count {
        shown.push('…');
    }
    let column = column.map(|c| {
        let index = (c.saturating_sub(1) as usize).saturating_sub(start);
        (index + lead + 1) as u32
    });
    (shown, column)
}

impl Diagnostic {
    /// rustc's layout: the message, `--> file:line:col`, the source line
    /// with a caret under the column, and the hint.
    pub fn render(&self, color: bool) -> String {
        use fmt::Write as _;
        let p = Palette::new(self.severity, color);
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = String::new();
        let _ = write!(
            out,
            "{}{label}{}{}: {}{}",
            p.severity, p.reset, p.strong, self.message, p.reset
        );
        let number = self.line.map(|l| l.to_string()).unwrap_or_default();
        let pad = " ".repeat(number.len().max(1));
        if let Some(file) = &self.file {
            let _ = write!(out, "\n{pad}{}-->{} {}", p.frame, p.reset, file.display());
            if let Some(line) = self.line {
                let _ = write!(out, ":{line}");
                if let Some(col) = self.column {
                    let _ = write!(out, ":{col}");
                }
            }
        }
        if let (Some(line), Some(_)) = (&self.snippet, self.line) {
            let (snippet, column) = window(line, self.column);
            let _ = write!(
                out,
                "\n{pad} {f}|{r}\n{f}{number} |{r} {snippet}",
                f = p.frame,
                r = p.reset
            );
            if let Some(col) = column {
                let width = |c: char| if crate::cjk::is_wide(c) { 2 } else { 1 };
                let skip = col.saturating_sub(1) as usize;
                let caret_at: usize = snippet.chars().take(skip).map(width).sum();
                let marked: usize = snippet
                    .chars()
                    .skip(skip)
                    .take(self.length.unwrap_or(1).max(1) as usize)
                    .map(width)
                    .sum();
                let _ = write!(
                    out,
                    "\n{pad} {f}|{r} {}{}{}{}",
                    " ".repeat(caret_at),
                    p.severity,
                    "^".repeat(marked.max(1)),
                    p.reset,
                    f = p.frame,
                    r = p.reset
                );
            }
        }
        if let Some(hint) = &self.hint {
            let _ = write!(
                out,
                "\n{pad} {}={} {}hint{}: {hint}",
                p.frame, p.reset, p.strong, p.reset
            );
        }
        out
    }

    /// One line of JSON for editors and CI, in the spirit of cargo's
    /// `--message-format json`.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "type": "diagnostic",
            "severity": match self.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            "message": self.message,
            "file": self.file.as_ref().map(|f| f.display().to_string()),
            "line": self.line,
            "column": self.column,
            "length": self.length,
            "hint": self.hint,
            "rendered": self.render(false),
        })
        .to_string()
    }
}

/// "1 article", "2 articles".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Problems collected over a run.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        if !self.items.contains(&d) {
            self.items.push(d);
        }
    }

    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.items {
            self.push(d);
        }
    }

    /// Orders by file, line and column; what has no line comes after
    /// what has, in the order it was found.
    pub fn sort(&mut self) {
        self.items.sort_by_key(|d| {
            (
                d.file.clone(),
                d.line.unwrap_or(u32::MAX),
                d.column.unwrap_or(0),
            )
        });
    }

    /// Makes every file named relative to where the user is (sources are
    /// named relative to the manifest's folder `root`, which may be a parent
    /// folder), and shows the line of each message that has a line but no
    /// snippet yet.
    pub fn anchor(&mut self, root: &Path) {
        let mut texts: std::collections::HashMap<PathBuf, Option<String>> = Default::default();
        for d in &mut self.items {
            let Some(file) = &d.file else { continue };
            if file.is_relative() && !file.exists() && root.join(file).exists() {
                d.file = Some(root.join(file));
            }
            let (Some(file), Some(line), None) = (&d.file, d.line, &d.snippet) else {
                continue;
            };
            let text = texts.entry(file.clone()).or_insert_with(|| {
                std::fs::read(file)
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
            });
            if let Some(text) = text {
                let snippet = line_text(text, line);
                if !snippet.trim().is_empty() {
                    d.snippet = Some(snippet.to_string());
                }
            }
        }
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| !d.is_error())
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics { items: vec![d] }
    }
}

/// Line and column (1-based, characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line as u32, col as u32)
}

/// The text of 1-based line `line`.
pub fn line_text(text: &str, line: u32) -> &str {
    text.lines()
        .nth(line.saturating_sub(1) as usize)
        .unwrap_or("")
        .trim_end_matches('\r')
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Levenshtein distance, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The closest of `candidates` to `word`, if close enough to be a typo.
pub fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_shown_around_its_column() {
        let line = format!("{}错{}", "甲".repeat(3000), "乙".repeat(3000));
        let d = Diagnostic::error("here")
            .in_file("a.md")
            .at(1, 3001)
            .with_snippet(line);
        let shown = d.render(false);
        assert!(shown.len() < 1000, "{shown}");
        let lines: Vec<&str> = shown.lines().collect();
        let (text, caret) = (lines[3], lines[4]);
        // The caret is under the character the column names.
        let before = caret.find('^').unwrap() - 4;
        let upto: usize = text[4..]
            .chars()
            .take_while(|&c| c != '错')
            .map(|c| if crate::cjk::is_wide(c) { 2 } else { 1 })
            .sum();
        assert_eq!(before, upto, "{shown}");
        assert!(text.starts_with("1 | …") && text.ends_with('…'), "{text}");
    }

    #[test]
    fn positions_and_suggestions() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(
            suggest("titel", &["title", "subtitle", "date"]),
            Some("title")
        );
        assert_eq!(suggest("zzzzzz", &["title"]), None);
        let d = Diagnostic::error("bad")
            .in_file("a.toml")
            .at(2, 3)
            .with_snippet("x = 1");
        let s = d.to_string();
        assert_eq!(s, "error: bad\n --> a.toml:2:3\n  |\n2 | x = 1\n  |   ^");
        assert_eq!(count(1, "warning"), "1 warning");
        assert_eq!(count(2, "warning"), "2 warnings");
    }
}
