//! mdBook's `{{#…}}` directives, expanded before Markdown is parsed, as
//! mdBook's `links` preprocessor does: `{{#include file}}` (whole, a line
//! range `file:N:M`, or an anchored region `file:name`),
//! `{{#rustdoc_include …}}` (the region only: the rest would be hidden
//! lines, which print cannot show), `{{#playground file}}` (a Rust code
//! block) and `{{#title …}}` (the article's title). Paths are relative to
//! the file that names them; included text is expanded in turn. An unknown
//! directive is left as written, with a warning; a file that cannot be
//! included is an error.
//!
//! Every line of the result remembers the source line it came from, so
//! that later messages still point into the article.

use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};

/// Includes nested deeper than this are taken for a cycle (mdBook's limit).
const MAX_DEPTH: usize = 10;

pub struct Expanded {
    pub text: String,
    /// For each line of `text`, the 1-based line of the article it comes
    /// from (an included line: the directive's line).
    pub lines: Vec<u32>,
    /// From `{{#title …}}`.
    pub title: Option<String>,
}

/// Whether `text` may hold a directive at all (most sources do not).
pub fn present(text: &str) -> bool {
    text.contains("{{")
}

/// Expands `body`, whose first line is line `first_line` of `file`, found
/// in folder `dir`.
pub fn expand(
    body: &str,
    first_line: u32,
    dir: &Path,
    file: &Path,
    diags: &mut Diagnostics,
) -> Expanded {
    let mut out = Expanded {
        text: String::with_capacity(body.len()),
        lines: Vec::new(),
        title: None,
    };
    let mut ctx = Context {
        file,
        diags,
        title: None,
    };
    for (i, line) in body.split('\n').enumerate() {
        let at = first_line + i as u32;
        let text = ctx.line(line, dir, at, 0);
        push_lines(&mut out, &text, at);
    }
    // `split` gives one line more than there are newlines.
    if out.text.ends_with('\n') {
        out.text.pop();
    }
    out.title = ctx.title;
    out
}

fn push_lines(out: &mut Expanded, text: &str, at: u32) {
    for l in text.split('\n') {
        out.text.push_str(l);
        out.text.push('\n');
        out.lines.push(at);
    }
}

struct Context<'a> {
    file: &'a Path,
    diags: &'a mut Diagnostics,
    title: Option<String>,
}

/// A directive found in a line: byte range and its parts.
struct Found<'t> {
    start: usize,
    end: usize,
    kind: &'t str,
    args: &'t str,
}

impl Context<'_> {
    /// One line with its directives replaced (possibly by many lines).
    fn line(&mut self, line: &str, dir: &Path, at: u32, depth: usize) -> String {
        if !line.contains("{{") {
            return line.to_string();
        }
        let mut out = String::new();
        let mut rest = line;
        let mut offset = 0;
        while let Some(found) = find(rest) {
            // `\{{#…}}` is the directive's text itself, unexpanded.
            if found.start > 0 && rest.as_bytes()[found.start - 1] == b'\\' {
                out.push_str(&rest[..found.start - 1]);
                out.push_str(&rest[found.start..found.end]);
                rest = &rest[found.end..];
                offset += found.end;
                continue;
            }
            let before = &rest[..found.start];
            out.push_str(before);
            // Text before the directive that is only indentation (a list
            // item's) is repeated on every included line.
            let indent = if line[..offset + found.start].trim().is_empty() {
                line[..offset + found.start].to_string()
            } else {
                String::new()
            };
            match self.directive(&found, dir, at, depth) {
                Some(text) => {
                    let mut first = true;
                    for l in text.split('\n') {
                        if !first {
                            out.push('\n');
                            out.push_str(&indent);
                        }
                        out.push_str(l);
                        first = false;
                    }
                }
                None => out.push_str(&rest[found.start..found.end]),
            }
            rest = &rest[found.end..];
            offset += found.end;
        }
        out.push_str(rest);
        out
    }

    /// The text a directive stands for; `None` to leave it as written.
    fn directive(&mut self, d: &Found<'_>, dir: &Path, at: u32, depth: usize) -> Option<String> {
        match d.kind {
            "title" => {
                self.title = Some(d.args.trim().to_string());
                Some(String::new())
            }
            "include" | "rustdoc_include" | "playground" | "playpen" => {
                let spec = d.args.split_whitespace().next().unwrap_or("");
                let (path, range) = match spec.split_once(':') {
                    Some((p, r)) => (p, Some(r)),
                    None => (spec, None),
                };
                let full = dir.join(path);
                if depth >= MAX_DEPTH {
                    self.error(at, format!("`{spec}` is included more than {MAX_DEPTH} deep; is it including itself?"));
                    return None;
                }
                let text = match read(&full) {
                    Ok(t) => t,
                    Err(e) => {
                        self.error(at, format!("cannot include `{spec}`: {e}"));
                        return None;
                    }
                };
                let taken = match range {
                    None => text.trim_end_matches('\n').to_string(),
                    Some(r) => take(&text, r),
                };
                let inner_dir = full
                    .parent()
                    .map_or_else(|| dir.to_path_buf(), Path::to_path_buf);
                let expanded: Vec<String> = taken
                    .split('\n')
                    .map(|l| self.line(l, &inner_dir, at, depth + 1))
                    .collect();
                let body = expanded.join("\n");
                if d.kind == "playground" || d.kind == "playpen" {
                    Some(format!("```rust\n{}\n```", body.trim_end_matches('\n')))
                } else {
                    Some(body)
                }
            }
            other => {
                self.diags.push(
                    Diagnostic::warning(format!(
                        "`{{{{#{other}}}}}` is not a directive booklet knows; it is printed as written"
                    ))
                    .in_file(self.file)
                    .at_line(at)
                    .with_hint("booklet expands include, rustdoc_include, playground and title"),
                );
                None
            }
        }
    }

    fn error(&mut self, at: u32, message: String) {
        self.diags
            .push(Diagnostic::error(message).in_file(self.file).at_line(at));
    }
}

fn read(path: &Path) -> Result<String, String> {
    let bytes = crate::input::read(path, crate::input::Kind::Source).map_err(|e| e.to_string())?;
    String::from_utf8(bytes)
        .map(|t| t.replace("\r\n", "\n"))
        .map_err(|_| "it is not UTF-8 text".into())
}

/// The first `{{ #kind args }}` in `s`.
fn find(s: &str) -> Option<Found<'_>> {
    let mut from = 0;
    while let Some(i) = s[from..].find("{{") {
        let start = from + i;
        let inner = &s[start + 2..];
        let trimmed = inner.trim_start();
        let lead = inner.len() - trimmed.len();
        if let Some(after_hash) = trimmed.strip_prefix('#') {
            let kind_len = after_hash
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after_hash.len());
            let kind = &after_hash[..kind_len];
            let rest = &after_hash[kind_len..];
            if !kind.is_empty() {
                if let Some(close) = rest.find("}}") {
                    let args = &rest[..close];
                    // A kind, white space, then arguments with no brace
                    // (so `{{#include}}` alone is text, as in mdBook).
                    if !args.contains('}')
                        && args.starts_with(char::is_whitespace)
                        && !args.trim().is_empty()
                    {
                        let end = start + 2 + lead + 1 + kind_len + close + 2;
                        return Some(Found {
                            start,
                            end,
                            kind,
                            args,
                        });
                    }
                }
            }
        }
        from = start + 2;
    }
    None
}

/// The lines `range` names: `N`, `N:M`, `N:`, `:M`, or an anchor name.
fn take(text: &str, range: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let (first, last) = match range.split_once(':') {
        Some((a, b)) => (a, Some(b)),
        None => (range, None),
    };
    let start = if first.is_empty() {
        Some(1)
    } else {
        first.parse::<usize>().ok()
    };
    let Some(start) = start else {
        return anchored(&lines, range);
    };
    let start = start.max(1);
    let end = match last {
        // `N` alone is that one line.
        None => start,
        Some(b) => b.parse::<usize>().unwrap_or(usize::MAX),
    };
    let end = end.min(lines.len());
    if start > end {
        return String::new();
    }
    lines[start - 1..end].join("\n")
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`, without lines
/// marking other anchors.
fn anchored(lines: &[&str], name: &str) -> String {
    let is_marker = |l: &str, tag: &str| -> Option<String> {
        let at = l.find(tag)?;
        let rest = l[at + tag.len()..].trim_start();
        Some(
            rest.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                .collect(),
        )
    };
    let mut out = Vec::new();
    let mut inside = false;
    for l in lines {
        if let Some(n) = is_marker(l, "ANCHOR_END:") {
            if inside && n == name {
                break;
            }
            continue;
        }
        if let Some(n) = is_marker(l, "ANCHOR:") {
            if n == name {
                inside = true;
            }
            continue;
        }
        if inside {
            out.push(*l);
        }
    }
    out.join("\n")
}

/// mdBook hides lines of Rust code that start with `# ` (or are `#`
/// alone): setup a reader need not see, and print cannot reveal. `##`
/// stands for a literal `#`.
pub fn drop_hidden_rust_lines(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let trimmed = body.trim_start();
        if trimmed == "#" || trimmed.starts_with("# ") {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("##") {
            let indent = &body[..body.len() - trimmed.len()];
            out.push_str(indent);
            out.push('#');
            out.push_str(rest);
            if line.ends_with('\n') {
                out.push('\n');
            }
            continue;
        }
        out.push_str(line);
    }
    out
}

/// Whether a code block's info string names Rust (`rust`, `rust,ignore`).
pub fn is_rust(lang: Option<&str>) -> bool {
    lang.is_some_and(|l| {
        l.split([',', ' ', '\t'])
            .next()
            .is_some_and(|first| first.eq_ignore_ascii_case("rust"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: &str, dir: &Path) -> (Expanded, Diagnostics) {
        let mut diags = Diagnostics::default();
        let e = expand(body, 1, dir, Path::new("ch.md"), &mut diags);
        (e, diags)
    }

    #[test]
    fn ranges_and_anchors() {
        let text = "a\nb\n// ANCHOR: 示例\nc\n// ANCHOR: other\nd\n// ANCHOR_END: other\n// ANCHOR_END: 示例\ne\n";
        assert_eq!(take(text, "2"), "b");
        assert_eq!(take(text, "2:4"), "b\n// ANCHOR: 示例\nc");
        assert_eq!(take(text, ":2"), "a\nb");
        assert_eq!(take(text, "8:"), "// ANCHOR_END: 示例\ne");
        assert_eq!(take(text, "3:x"), take(text, "3:"));
        assert_eq!(take(text, "5:2"), "");
        assert_eq!(take(text, "示例"), "c\nd");
        assert_eq!(take(text, "missing"), "");
    }

    #[test]
    fn expands_and_maps_lines() {
        let dir = std::env::temp_dir().join(format!("booklet-directives-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/a.rs"), "fn a() {}\n// {{#include b.txt}}\n").unwrap();
        std::fs::write(dir.join("sub/b.txt"), "B\n").unwrap();
        let body = "x\n{{#title 第一章}}\n```\n{{ #include sub/a.rs }}\n```\n\\{{#include no}}\n{{#unknown y}}\n- item\n  {{#include sub/b.txt}}\nend";
        let (e, diags) = run(body, &dir);
        assert_eq!(e.title.as_deref(), Some("第一章"));
        assert_eq!(
            e.text,
            "x\n\n```\nfn a() {}\n// B\n```\n{{#include no}}\n{{#unknown y}}\n- item\n  B\nend"
        );
        assert_eq!(e.lines, vec![1, 2, 3, 4, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(diags.warnings().count(), 1);
        assert!(!diags.has_errors());
        let (_, diags) = run("{{#include nowhere.rs}}", &dir);
        assert!(diags.has_errors());
        std::fs::write(dir.join("self.md"), "{{#include self.md}}").unwrap();
        let (_, diags) = run("{{#include self.md}}", &dir);
        assert!(diags.has_errors());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn hidden_rust_lines() {
        assert_eq!(
            drop_hidden_rust_lines(
                "# use x;\nfn main() {\n    # let y = 1;\n    #\n    ## z\n    #[derive]\n}\n"
            ),
            "fn main() {\n    # z\n    #[derive]\n}\n"
        );
        assert!(is_rust(Some("rust,ignore")));
        assert!(!is_rust(Some("rusty")));
    }
}
