//! What a manifest may contain, and the check of a parsed TOML document
//! against it. Mistakes are collected, never fatal: a bad key or value is
//! reported at its line and left out, and the rest goes on to load. Knowing
//! every table's keys is what makes the hints right: a key in the wrong
//! table, a missing `[book]` line, `[article]` for `[[article]]`.

use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::diag::{self, Diagnostic, Diagnostics};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Texts,
    /// Integer or decimal.
    Number,
    /// A small whole number.
    Count,
    Flag,
    /// `"2024-01-01"`, or the same written as a bare TOML date.
    Date,
}

use Kind::*;

/// Every table and its keys. `article` is the one array of tables.
const TABLES: &[(&str, &[(&str, Kind)])] = &[
    (
        "book",
        &[
            ("title", Text),
            ("subtitle", Text),
            ("authors", Texts),
            ("editor", Text),
            ("publisher", Text),
            ("language", Text),
            ("date", Date),
            ("edition", Text),
            ("description", Text),
            ("subjects", Texts),
            ("identifier", Text),
            ("cover", Text),
            ("summary", Text),
        ],
    ),
    (
        "fonts",
        &[
            ("body", Text),
            ("heading", Text),
            ("fallback", Texts),
            ("dirs", Texts),
        ],
    ),
    ("style", &[("name", Text)]),
    ("output", &[("dir", Text), ("stem", Text)]),
    (
        "pdf",
        &[
            ("page", Text),
            ("margin_inner_mm", Number),
            ("margin_outer_mm", Number),
            ("margin_top_mm", Number),
            ("margin_bottom_mm", Number),
            ("body_size_pt", Number),
            ("line_height", Number),
            ("toc_depth", Count),
            ("right_hand_start", Flag),
            ("standard", Text),
            ("cover", Flag),
        ],
    ),
    (
        "article",
        &[("source", Text), ("title", Text), ("language", Text)],
    ),
];

const ARRAY_OF_TABLES: &str = "article";

fn keys_of(table: &str) -> &'static [(&'static str, Kind)] {
    TABLES
        .iter()
        .find(|(t, _)| *t == table)
        .map_or(&[], |(_, keys)| keys)
}

/// The tables other than `except` that have `key`.
fn owners(key: &str, except: &str) -> Vec<&'static str> {
    TABLES
        .iter()
        .filter(|(t, keys)| *t != except && keys.iter().any(|(k, _)| *k == key))
        .map(|(t, _)| *t)
        .collect()
}

/// `[book]`, or `[[article]]` for the array of tables.
fn header(table: &str) -> String {
    if table == ARRAY_OF_TABLES {
        format!("[[{table}]]")
    } else {
        format!("[{table}]")
    }
}

/// Where a key is written: the key itself and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// `book.cover`, `article.source`, `pdf.page`; `article` for an
    /// `[[article]]` header.
    pub path: String,
    /// The value as written, when it is a string (else empty).
    pub value: String,
    pub key: Range<usize>,
    pub span: Range<usize>,
}

impl Place {
    /// `d` pointed at the value: line, column, the line's text and a caret
    /// under the value.
    pub fn point(&self, d: Diagnostic, text: &str) -> Diagnostic {
        point_at(d, text, &self.span)
    }
}

fn point_at(d: Diagnostic, text: &str, span: &Range<usize>) -> Diagnostic {
    let (line, col) = diag::line_col(text, span.start);
    let snippet = diag::line_text(text, line);
    let (end_line, end_col) = diag::line_col(text, span.end);
    let length = if end_line == line {
        end_col.saturating_sub(col)
    } else {
        (snippet.chars().count() as u32 + 1).saturating_sub(col)
    };
    d.at(line, col)
        .spanning(length.max(1))
        .with_snippet(snippet)
}

/// What [`check`] found.
pub struct Checked {
    /// The valid keys, as a table serde can read.
    pub valid: toml::Table,
    /// Where every key is, in file order.
    pub places: Vec<Place>,
    pub problems: Diagnostics,
    /// Lines with TOML syntax errors, where the parser's recovery guessed.
    pub broken_lines: Vec<u32>,
}

impl Checked {
    /// Whether a problem found after the syntax check is worth reporting:
    /// not on a broken line, where it would only echo the syntax error, and
    /// not about the whole file (no title, no articles) when part of the
    /// file could not be read.
    pub fn trust(&self, d: &Diagnostic) -> bool {
        match d.line {
            Some(line) => !self.broken_lines.contains(&line),
            None => self.broken_lines.is_empty(),
        }
    }
}

/// Checks `text` against the schema: the valid keys, where every key is,
/// and every problem.
pub fn check(text: &str, path: &Path) -> Checked {
    let mut checker = Checker {
        text,
        path,
        places: Vec::new(),
        problems: Vec::new(),
        title_misspelt: false,
        present: Vec::new(),
    };
    let (root, syntax) = DeTable::parse_recoverable(text);
    let mut syntax_errors = Vec::new();
    for e in &syntax {
        checker.syntax_error(e);
        syntax_errors.extend(checker.problems.pop());
    }
    let valid = checker.root(root.get_ref());
    let Checker {
        mut places,
        problems,
        ..
    } = checker;
    places.sort_by_key(|p| p.span.start);
    let mut checked = Checked {
        valid,
        places,
        problems: Diagnostics::default(),
        broken_lines: syntax_errors.iter().filter_map(|(_, d)| d.line).collect(),
    };
    let mut all: Vec<(usize, Diagnostic)> = problems
        .into_iter()
        .filter(|(_, d)| checked.trust(d))
        .chain(syntax_errors)
        .collect();
    // Keys come out of the parser sorted by name; report in reading order.
    all.sort_by_key(|(at, _)| *at);
    for (_, d) in all {
        checked.problems.push(d);
    }
    checked
}

struct Checker<'a> {
    text: &'a str,
    path: &'a Path,
    places: Vec<Place>,
    /// With the byte offset they point at, to sort them by.
    problems: Vec<(usize, Diagnostic)>,
    /// An unknown key in [book] taken for `title`: its error is enough.
    title_misspelt: bool,
    /// The tables the manifest has, to say "move it" or "add the table".
    present: Vec<String>,
}

impl Checker<'_> {
    fn error(&mut self, span: &Range<usize>, message: String, hint: Option<String>) {
        let mut d = point_at(
            Diagnostic::error(message).in_file(self.path),
            self.text,
            span,
        );
        d.hint = hint;
        self.problems.push((span.start, d));
    }

    /// Whether the header whose name is at `key` is written `[[…]]`.
    fn double_brackets(&self, key: &Range<usize>) -> bool {
        let before = self.text[..key.start].trim_end_matches([' ', '\t']);
        before.ends_with("[[")
    }

    fn syntax_error(&mut self, e: &toml::de::Error) {
        let message = e.message().trim().to_string();
        let span = e.span().unwrap_or(0..0);
        let (line, _) = diag::line_col(self.text, span.start);
        let written = diag::line_text(self.text, line);
        let key = written.split('=').next().unwrap_or("").trim();
        let kind = TABLES
            .iter()
            .flat_map(|(_, keys)| keys.iter())
            .find(|(k, _)| *k == key && written.contains('='))
            .map(|(_, kind)| *kind);
        let value = written.split_once('=').map_or("", |(_, v)| v.trim());
        let hint = Some(match kind {
            Some(Date) => format!("write dates in quotes, as YYYY-MM-DD: {key} = \"2024-01-01\""),
            Some(Text) if !value.starts_with(['"', '\'']) => {
                format!("text goes in quotes: {key} = \"{value}\"")
            }
            _ => "booklet.toml is TOML: `key = \"text\"` lines under `[table]` headers".to_string(),
        });
        let mut d = Diagnostic::error(message).in_file(self.path);
        if e.span().is_some() {
            let (line, col) = diag::line_col(self.text, span.start);
            d = d
                .at(line, col)
                .with_snippet(diag::line_text(self.text, line));
        }
        d.hint = hint;
        self.problems.push((span.start, d));
    }

    fn root(&mut self, root: &DeTable<'_>) -> toml::Table {
        self.present = root
            .iter()
            .filter(|(_, v)| matches!(v.get_ref(), DeValue::Table(_) | DeValue::Array(_)))
            .map(|(k, _)| k.get_ref().to_string())
            .collect();
        let mut valid = toml::Table::new();
        // Keys written before any table header, to place after the tables are read.
        let mut loose = Vec::new();
        for (key, value) in root {
            let name: &str = key.get_ref();
            let span = key.span();
            if crate::editions::TABLES.contains(&name) {
                self.editions_table(name, value, &mut valid);
                continue;
            }
            let is_table = TABLES.iter().any(|(t, _)| *t == name);
            match (is_table, value.get_ref()) {
                (false, _) => loose.push((key, value)),
                (true, DeValue::Array(items)) if name == ARRAY_OF_TABLES => {
                    let mut articles = Vec::new();
                    for item in items.iter() {
                        match item.get_ref() {
                            DeValue::Table(t) => {
                                self.place("article", "", &item.span(), &item.span());
                                if let Some(a) = self.article(t, &item.span()) {
                                    articles.push(toml::Value::Table(a));
                                }
                            }
                            _ => self.error(
                                &item.span(),
                                "each article must be a table".into(),
                                Some(
                                    "write `[[article]]` on a line, then source = \"…\" below it"
                                        .into(),
                                ),
                            ),
                        }
                    }
                    valid.insert(name.into(), toml::Value::Array(articles));
                }
                (true, DeValue::Table(t))
                    if name == ARRAY_OF_TABLES && !self.double_brackets(&span) =>
                {
                    self.error(
                        &span,
                        "`[article]` makes one table; articles are an array of tables".into(),
                        Some(
                            "use [[article]] (double brackets), once above each source = \"…\""
                                .into(),
                        ),
                    );
                    // Still read it as the one article it describes.
                    self.place("article", "", &value.span(), &value.span());
                    let articles = self.article(t, &value.span()).map(toml::Value::Table);
                    valid.insert(
                        name.into(),
                        toml::Value::Array(articles.into_iter().collect()),
                    );
                }
                (true, DeValue::Table(t)) if name == ARRAY_OF_TABLES => {
                    // `[[article]]` the parser's error recovery read as a table.
                    self.place("article", "", &value.span(), &value.span());
                    let articles = self.article(t, &value.span()).map(toml::Value::Table);
                    valid.insert(
                        name.into(),
                        toml::Value::Array(articles.into_iter().collect()),
                    );
                }
                (true, DeValue::Table(t)) => {
                    let table = self.table(name, t);
                    valid.insert(name.into(), toml::Value::Table(table));
                }
                (true, DeValue::Array(items)) => {
                    self.error(
                        &span,
                        format!(
                            "[[{name}]] makes a list of tables; there is one {}",
                            header(name)
                        ),
                        Some(format!("use {} (single brackets)", header(name))),
                    );
                    if let Some(DeValue::Table(t)) = items.first().map(|i| i.get_ref()) {
                        let table = self.table(name, t);
                        valid.insert(name.into(), toml::Value::Table(table));
                    }
                }
                (true, _) => self.error(
                    &span,
                    format!("`{name}` must be a table"),
                    Some(format!(
                        "write {} on a line of its own, with its keys below it",
                        header(name)
                    )),
                ),
            }
        }
        self.loose_keys(loose, &mut valid);
        self.require_title(root, &mut valid);
        valid
    }

    /// Keys outside any table. Book keys there mean the `[book]` line is
    /// missing: one error says so, and the keys are read as the book's.
    fn loose_keys(
        &mut self,
        loose: Vec<(&Spanned<std::borrow::Cow<'_, str>>, &Spanned<DeValue<'_>>)>,
        valid: &mut toml::Table,
    ) {
        let has_book = valid.contains_key("book");
        let mut book = toml::Table::new();
        let mut orphans: Vec<(&str, Range<usize>)> = Vec::new();
        for (key, value) in loose {
            let name: &str = key.get_ref();
            let owners = owners(name, "");
            if owners.contains(&"book") && !has_book {
                orphans.push((name, key.span()));
                if let Some(v) = self.value("book", name, key, value) {
                    book.insert(name.into(), v);
                }
            } else if let Some(&owner) = owners.first() {
                let hint = self.move_to(owner);
                self.error(
                    &key.span(),
                    format!(
                        "`{name}` is outside any table; it belongs in {}",
                        header(owner)
                    ),
                    Some(hint),
                );
            } else if let DeValue::Table(_) = value.get_ref() {
                let tables: Vec<&str> = TABLES.iter().map(|(t, _)| *t).collect();
                let hint = diag::suggest(name, &tables)
                    .map(|t| format!("did you mean [{t}]?"))
                    .unwrap_or_else(|| {
                        let all: Vec<String> = TABLES.iter().map(|(t, _)| header(t)).collect();
                        format!("the tables are {}", all.join(", "))
                    });
                self.error(&key.span(), format!("unknown table [{name}]"), Some(hint));
            } else {
                let tables: Vec<&str> = TABLES.iter().map(|(t, _)| *t).collect();
                let hint = diag::suggest(name, &tables)
                    .map(|t| format!("did you mean the table {}?", header(t)))
                    .or_else(|| self.anywhere(name));
                self.error(&key.span(), format!("unknown key `{name}`"), hint);
            }
        }
        orphans.sort_by_key(|(_, span)| span.start);
        if let Some((_, first)) = orphans.first() {
            let names: Vec<String> = orphans.iter().map(|(n, _)| format!("`{n}`")).collect();
            let (line, _) = diag::line_col(self.text, first.start);
            self.error(
                first,
                format!(
                    "{} {} outside any table: the manifest has no [book] table",
                    names.join(", "),
                    if names.len() == 1 { "is" } else { "are" }
                ),
                Some(format!("add a line `[book]` above line {line}")),
            );
            valid.insert("book".into(), toml::Value::Table(book));
        }
    }

    /// `title` is the one required key; without it the rest is still read.
    fn require_title(&mut self, root: &DeTable<'_>, valid: &mut toml::Table) {
        let book = valid
            .entry("book")
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let Some(book) = book.as_table_mut() else {
            return;
        };
        if book.contains_key("title") {
            return;
        }
        book.insert("title".into(), toml::Value::String(String::new()));
        let header = root
            .iter()
            .find(|(k, _)| k.get_ref() == "book")
            .map(|(_, v)| v.span());
        // An unreadable or misspelt title was reported already.
        if self.places.iter().any(|p| p.path == "book.title") || self.title_misspelt {
            return;
        }
        let message = "the manifest has no `title`".to_string();
        let hint = Some("every manifest needs `title = \"…\"` under [book]".to_string());
        match header {
            Some(span) => self.error(&span, message, hint),
            None => {
                let mut d = Diagnostic::error(message).in_file(self.path);
                d.hint = hint;
                self.problems.push((0, d));
            }
        }
    }

    fn article(&mut self, t: &DeTable<'_>, span: &Range<usize>) -> Option<toml::Table> {
        let table = self.table(ARRAY_OF_TABLES, t);
        if table.contains_key("source") {
            return Some(table);
        }
        if !t.iter().any(|(k, _)| k.get_ref() == "source") {
            self.error(
                span,
                "this [[article]] has no `source`".into(),
                Some("add source = \"sources/….md\" below it".into()),
            );
        }
        None
    }

    /// The keys of table `name` that are valid; the others reported.
    fn table(&mut self, name: &str, t: &DeTable<'_>) -> toml::Table {
        let mut valid = toml::Table::new();
        for (key, value) in t {
            let k: &str = key.get_ref();
            if keys_of(name).iter().any(|(known, _)| *known == k) {
                if let Some(v) = self.value(name, k, key, value) {
                    valid.insert(k.into(), v);
                }
            } else {
                self.unknown(name, k, &key.span());
            }
        }
        valid
    }

    fn unknown(&mut self, table: &str, key: &str, span: &Range<usize>) {
        let here = header(table);
        let elsewhere = owners(key, table);
        if let Some(&owner) = elsewhere.first() {
            let takes = keys_of(table)
                .iter()
                .map(|(k, _)| *k)
                .collect::<Vec<_>>()
                .join(", ");
            let hint = format!("{}; {here} takes {takes}", self.move_to(owner));
            self.error(
                span,
                format!("`{key}` belongs in {}, not {here}", header(owner)),
                Some(hint),
            );
            return;
        }
        let keys: Vec<&str> = keys_of(table).iter().map(|(k, _)| *k).collect();
        let close = diag::suggest(key, &keys);
        self.title_misspelt |= table == "book" && close == Some("title");
        let hint = close
            .map(|k| format!("did you mean `{k}`?"))
            .or_else(|| self.anywhere(key))
            .unwrap_or_else(|| format!("{here} takes {}", keys.join(", ")));
        self.error(span, format!("unknown key `{key}` in {here}"), Some(hint));
    }

    /// Where to move a key that belongs in `table`.
    fn move_to(&self, table: &str) -> String {
        if self.present.iter().any(|t| t == table) {
            format!("move it below the {} line", header(table))
        } else {
            format!("add a line `{}` and move it below that", header(table))
        }
    }

    /// "did you mean" over the keys of every table.
    fn anywhere(&self, key: &str) -> Option<String> {
        let all: Vec<&str> = TABLES
            .iter()
            .flat_map(|(_, keys)| keys.iter().map(|(k, _)| *k))
            .collect();
        let close = diag::suggest(key, &all)?;
        let owner = owners(close, "")[0];
        Some(format!("did you mean `{close}` (under {})?", header(owner)))
    }

    /// The value of `table.key` if it has the right type, as serde will
    /// read it; else a problem naming the type wanted.
    fn value(
        &mut self,
        table: &str,
        key: &str,
        key_span: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
    ) -> Option<toml::Value> {
        let kind = keys_of(table)
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, kind)| *kind)?;
        let span = value.span();
        let source = self.text;
        let written = &source[span.clone()];
        let v = value.get_ref();
        let text = |v: &DeValue<'_>| match v {
            DeValue::String(s) => Some(s.to_string()),
            _ => None,
        };
        let converted = match (kind, v) {
            (Text, DeValue::String(s)) => Some(toml::Value::String(s.to_string())),
            (Texts, DeValue::Array(items)) => items
                .iter()
                .map(|i| text(i.get_ref()).map(toml::Value::String))
                .collect::<Option<Vec<_>>>()
                .map(toml::Value::Array),
            (Number, DeValue::Integer(i)) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(toml::Value::Integer),
            (Number, DeValue::Float(f)) => f.as_str().parse().ok().map(toml::Value::Float),
            (Count, DeValue::Integer(i)) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .filter(|n| (0..=255).contains(n))
                .map(toml::Value::Integer),
            (Flag, DeValue::Boolean(b)) => Some(toml::Value::Boolean(*b)),
            (Date, DeValue::String(s)) => Some(toml::Value::String(s.to_string())),
            (Date, DeValue::Datetime(d)) if d.time.is_none() && d.offset.is_none() => {
                Some(toml::Value::String(d.to_string()))
            }
            _ => None,
        };
        let path = format!("{table}.{key}");
        self.place(&path, &text(v).unwrap_or_default(), &key_span.span(), &span);
        if converted.is_some() {
            return converted;
        }
        let (wanted, example) = match kind {
            Text => (
                "text in quotes",
                format!("{key} = \"{}\"", unquoted(written)),
            ),
            Texts => (
                "a list of texts",
                match v {
                    DeValue::String(_) => format!("{key} = [{written}]"),
                    _ => format!("{key} = [\"…\", \"…\"]"),
                },
            ),
            Number => ("a number", format!("{key} = {}", number_like(written))),
            Count => ("a whole number", format!("{key} = 2")),
            Flag => ("true or false", format!("{key} = true")),
            Date => ("a date", format!("{key} = \"2024-01-01\"")),
        };
        self.error(
            &span,
            format!("`{path}` must be {wanted}, not `{written}`"),
            Some(format!("write {example}")),
        );
        None
    }

    /// `[[edition]]` and `[convert]` are checked by [`crate::editions`]:
    /// here each table is read on its own, so that a mistake in one is
    /// reported at its line and drops only that table.
    fn editions_table(
        &mut self,
        name: &str,
        value: &Spanned<DeValue<'_>>,
        valid: &mut toml::Table,
    ) {
        let items: Vec<&Spanned<DeValue<'_>>> = match value.get_ref() {
            DeValue::Array(items) => items.iter().collect(),
            _ => vec![value],
        };
        let mut kept = Vec::new();
        for item in items {
            self.places_within(name, item);
            let Some(raw) = plain(item.get_ref()) else {
                continue;
            };
            match crate::editions::read_table(name, raw.clone()) {
                Ok(()) => kept.push(raw),
                Err((message, hint)) => self.error(&item.span(), message, hint),
            }
        }
        if name == "edition" {
            valid.insert(name.into(), toml::Value::Array(kept));
        } else if let Some(table) = kept.pop() {
            valid.insert(name.into(), table);
        }
    }

    /// Places of the keys inside an editions table, for messages.
    fn places_within(&mut self, path: &str, value: &Spanned<DeValue<'_>>) {
        if let DeValue::Table(t) = value.get_ref() {
            for (key, inner) in t {
                let p = format!("{path}.{}", key.get_ref());
                let text = match inner.get_ref() {
                    DeValue::String(s) => s.to_string(),
                    // A list of texts: all of them, for messages about one.
                    DeValue::Array(items) => items
                        .iter()
                        .filter_map(|i| match i.get_ref() {
                            DeValue::String(s) => Some(s.to_string()),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    _ => String::new(),
                };
                self.place(&p, &text, &key.span(), &inner.span());
                self.places_within(&p, inner);
            }
        }
    }

    fn place(&mut self, path: &str, value: &str, key: &Range<usize>, span: &Range<usize>) {
        self.places.push(Place {
            path: path.to_string(),
            value: value.to_string(),
            key: key.clone(),
            span: span.clone(),
        });
    }
}

/// A TOML value as written, for tables the schema does not list.
fn plain(v: &DeValue<'_>) -> Option<toml::Value> {
    Some(match v {
        DeValue::String(s) => toml::Value::String(s.to_string()),
        DeValue::Integer(i) => {
            toml::Value::Integer(i64::from_str_radix(i.as_str(), i.radix()).ok()?)
        }
        DeValue::Float(f) => toml::Value::Float(f.as_str().parse().ok()?),
        DeValue::Boolean(b) => toml::Value::Boolean(*b),
        DeValue::Datetime(d) => toml::Value::String(d.to_string()),
        DeValue::Array(items) => toml::Value::Array(
            items
                .iter()
                .map(|i| plain(i.get_ref()))
                .collect::<Option<Vec<_>>>()?,
        ),
        DeValue::Table(t) => toml::Value::Table(
            t.iter()
                .map(|(k, v)| Some((k.get_ref().to_string(), plain(v.get_ref())?)))
                .collect::<Option<toml::Table>>()?,
        ),
    })
}

fn unquoted(written: &str) -> &str {
    written.trim_matches(|c| c == '"' || c == '\'')
}

/// `"20"` → `20`; anything else → a sample number.
fn number_like(written: &str) -> String {
    let bare = unquoted(written)
        .trim_end_matches("mm")
        .trim_end_matches("pt")
        .trim();
    if bare.parse::<f64>().is_ok() {
        bare.to_string()
    } else {
        "10".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;

    /// Every key the schema lets through is one the manifest's serde types
    /// read: the two lists cannot drift apart unnoticed.
    #[test]
    fn schema_matches_the_manifest_types() {
        let mut text = String::new();
        for (table, keys) in TABLES {
            text.push_str(&format!("{}\n", header(table)));
            for (key, kind) in *keys {
                let value = match kind {
                    Text => "\"zh-Hans\"",
                    Texts => "[\"x\"]",
                    Number => "12.5",
                    Count => "2",
                    Flag => "true",
                    Date => "2024-01-01",
                };
                text.push_str(&format!("{key} = {value}\n"));
            }
        }
        let (m, diags) = Manifest::read(&text, Path::new("booklet.toml"));
        assert!(!diags.has_errors(), "{:?}", diags.into_vec());
        let m = m.unwrap();
        assert_eq!(m.book.date.as_deref(), Some("2024-01-01"));
        assert_eq!(m.pdf.toc_depth, Some(2));
    }

    fn messages(text: &str) -> Vec<String> {
        let (_, diags) = Manifest::read(text, Path::new("booklet.toml"));
        diags.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn hints_know_where_keys_belong() {
        let m = messages("title = \"T\"\ncover = \"c.jpg\"\n[[article]]\nsource = \"a.md\"\n");
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].contains("no [book] table") && m[0].contains("above line 1"),
            "{m:?}"
        );

        let m =
            messages("[book]\ntitle = \"T\"\n[[article]]\nsource = \"a.md\"\nauthors = [\"x\"]\n");
        assert!(
            m[0].contains("`authors` belongs in [book], not [[article]]"),
            "{m:?}"
        );
        assert!(m[0].contains("booklet.toml:5:1"), "{m:?}");

        let m = messages("[book]\ntitle = \"T\"\nstem = \"s\"\n[[article]]\nsource = \"a.md\"\n");
        assert!(
            m[0].contains("add a line `[output]` and move it below"),
            "{m:?}"
        );

        let m = messages("[book]\ntitle = \"T\"\n[pfd]\n[[article]]\nsource = \"a.md\"\n");
        assert!(
            m[0].contains("unknown table [pfd]") && m[0].contains("did you mean [pdf]?"),
            "{m:?}"
        );

        let m = messages("[book]\ntitle = \"T\"\n[article]\nsource = \"a.md\"\n");
        assert!(m[0].contains("use [[article]]"), "{m:?}");

        let m = messages("[book]\ntitel = \"T\"\n[[article]]\nsource = \"a.md\"\n");
        assert!(
            m.iter().any(|s| s.contains("did you mean `title`?")),
            "{m:?}"
        );
    }

    #[test]
    fn every_bad_value_is_reported_and_the_rest_still_loads() {
        let text = "[book]\ntitle = \"T\"\nauthors = \"张三\"\ndate = \"2024-13-45\"\n\
                    [pdf]\nmargin_top_mm = \"20\"\ntoc_depth = -1\n\
                    [[article]]\nsource = \"a.md\"\n";
        let (m, diags) = Manifest::read(text, Path::new("booklet.toml"));
        let all: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(diags.errors().count(), 4, "{all:?}");
        assert!(all[0].contains("authors = [\"张三\"]"), "{all:?}");
        assert!(all[2].contains("margin_top_mm = 20"), "{all:?}");
        let m = m.unwrap();
        assert_eq!(m.articles.len(), 1);
        assert_eq!(m.book.title, "T");
    }
}
