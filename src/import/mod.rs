//! `booklet import`: raw text collected from web pages, WeChat posts and
//! document libraries → the Markdown sources a booklet is built from, with a
//! report of every change and of what a human should check.
//!
//! Each input goes through the same steps, each in its own module:
//! decode ([`crate::source::decode`]) → pinyin annotations out
//! ([`punctuation`]) → one article per `之一——` part ([`split`]) → metadata
//! and furniture lines out ([`metadata`], [`furniture`]) → half-width
//! punctuation → paragraphs rebuilt ([`paragraphs`]) → captions out, broken
//! paragraphs rejoined → trailing note → spaces → headings ([`headings`]) →
//! warnings ([`suspicious`]) → Markdown ([`writer`]).
//!
//! Rules are generic (keyword classes, line structure, character sets); none
//! knows a particular site. The input files are only ever read.

pub mod furniture;
pub mod headings;
pub mod manifest;
pub mod metadata;
pub mod paragraphs;
pub mod punctuation;
pub mod report;
pub mod script;
pub mod split;
pub mod suspicious;
pub mod text;
pub mod writer;

use std::path::PathBuf;

pub use metadata::Meta;
pub use report::{Change, Report, Warning};

use script::{Charsets, Script};

/// A source line and its 1-based number in the input file.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub no: u32,
    pub text: String,
}

impl Line {
    pub fn new(no: u32, text: impl Into<String>) -> Self {
        Line {
            no,
            text: text.into(),
        }
    }
}

/// Test input: one `Line` per line of `text`, numbered from 1.
#[cfg(test)]
pub(crate) fn numbered_lines(text: &str) -> Vec<Line> {
    text.lines()
        .enumerate()
        .map(|(i, t)| Line::new(i as u32 + 1, t))
        .collect()
}

/// A paragraph or heading of the rebuilt body.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    /// First source line it came from.
    pub line: u32,
    pub text: String,
    /// `Some(2)` for `##`, `Some(3)` for `###`.
    pub heading: Option<u8>,
    /// Blank lines in front of it in the source: a wide gap is where a
    /// picture stood.
    pub gap_before: u32,
    /// Rebuilt from PDF or hard-wrapped lines rather than one source line.
    pub rebuilt: bool,
    /// Made by rejoining pieces of a broken paragraph.
    pub joined: bool,
}

impl Block {
    pub fn new(line: u32, text: &str) -> Self {
        Block {
            line,
            text: text.to_string(),
            ..Block::default()
        }
    }
}

/// One imported article, ready to write.
#[derive(Debug, Clone)]
pub struct Document {
    /// `01.md`, …
    pub file_name: String,
    /// The input it came from, as named on the command line.
    pub input: String,
    pub meta: Meta,
    pub markdown: String,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub out_dir: PathBuf,
    pub dry_run: bool,
    /// Number from 01 again, replacing files already there.
    pub force: bool,
    /// The manifest to list the new files in, as `[[article]]` entries.
    pub add_to: Option<PathBuf>,
}

/// Everything an import would write, and the report; nothing written yet.
#[derive(Debug)]
pub struct Plan {
    pub documents: Vec<Document>,
    pub report: Report,
}

/// What `run` did, or for a dry run would do.
#[derive(Debug)]
pub struct Outcome {
    pub plan: Plan,
    /// The source files, in order.
    pub files: Vec<PathBuf>,
    /// Written (empty for a dry run).
    pub written: Vec<PathBuf>,
    /// `source` of each `[[article]]` added to the manifest.
    pub added: Vec<String>,
    /// Why a real run would refuse (a dry run reports it after the report).
    pub refused: Option<String>,
}

/// Reads and converts every input. Fails, naming the file, on the first
/// input that cannot be read, is not text, or holds no article.
pub fn plan(inputs: &[PathBuf]) -> Result<Plan, String> {
    plan_from(inputs, 0)
}

/// [`plan`], with the first file numbered `first + 1`.
pub fn plan_from(inputs: &[PathBuf], first: usize) -> Result<Plan, String> {
    let mut report = Report::default();
    let mut documents = Vec::new();
    let mut charsets = Charsets;
    for path in inputs {
        let name = path.display().to_string();
        if path.is_dir() {
            return Err(format!("{name}: is a folder, not a text file"));
        }
        let bytes = crate::input::read(path, crate::input::Kind::Import)
            .map_err(|e| format!("{name}: cannot read: {e}"))?;
        let articles = convert(&name, &bytes, &mut charsets, &mut report)?;
        for (meta, markdown) in articles {
            documents.push(Document {
                file_name: writer::file_name(first + documents.len()),
                input: name.clone(),
                meta,
                markdown,
            });
        }
    }
    Ok(Plan { documents, report })
}

/// `booklet import`: plans, then (unless a dry run) writes every file or
/// none, then lists them in the manifest. Numbering goes on after the
/// numbered files already in the folder, unless `force`.
pub fn run(inputs: &[PathBuf], opts: &Options) -> Result<Outcome, String> {
    let first = if opts.force {
        0
    } else {
        writer::numbered_files(&opts.out_dir)
    };
    let plan = plan_from(inputs, first)?;
    let targets: Vec<PathBuf> = plan
        .documents
        .iter()
        .map(|d| opts.out_dir.join(&d.file_name))
        .collect();
    let refused = writer::check_targets(&targets, inputs, opts.force).err();
    let addition = match &opts.add_to {
        Some(manifest) => Some(manifest::Addition::plan(manifest, &targets)?),
        None => None,
    };
    let mut written = Vec::new();
    if !opts.dry_run {
        if let Some(why) = &refused {
            return Err(why.clone());
        }
        let files: Vec<(PathBuf, &str)> = targets
            .iter()
            .cloned()
            .zip(plan.documents.iter().map(|d| d.markdown.as_str()))
            .collect();
        written = writer::write_all(&opts.out_dir, &files)?;
        if let Some(addition) = &addition {
            addition.write()?;
        }
    }
    Ok(Outcome {
        plan,
        files: targets,
        written,
        added: addition.map_or_else(Vec::new, |a| a.sources),
        refused,
    })
}

/// One input file's bytes → (front matter, Markdown) per article.
pub fn convert(
    name: &str,
    bytes: &[u8],
    charsets: &mut Charsets,
    report: &mut Report,
) -> Result<Vec<(Meta, String)>, String> {
    let decoded = crate::source::decode::decode(bytes).map_err(|e| match e.line {
        Some(line) => format!("{name}:{line}: {e}"),
        None => format!("{name}: {e}"),
    })?;
    let encoding = match decoded.encoding {
        Some(e) => e,
        None if bytes.starts_with(b"\xEF\xBB\xBF") => "UTF-8 (with BOM)",
        None => "UTF-8",
    };
    report.inputs.push((name.to_string(), encoding));
    let lines = read_lines(&decoded.text, name, report);
    let parts = split::split(lines);
    if parts.len() > 1 {
        report.add(Change::Split, parts.len(), || {
            format!("{name}: {} articles", parts.len())
        });
    }
    let mut out = Vec::new();
    for part in parts {
        if let Some(article) = convert_article(part, name, charsets, report) {
            out.push(article);
        }
    }
    if out.is_empty() {
        return Err(format!("{name}: no article text found"));
    }
    Ok(out)
}

/// Lines with line endings, zero-width characters and pinyin annotations
/// dealt with; numbering follows the file.
fn read_lines(text: &str, name: &str, report: &mut Report) -> Vec<Line> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let toneless = punctuation::count_toned_pinyin(&text) >= 3;
    text.split('\n')
        .enumerate()
        .map(|(i, raw)| {
            let no = i as u32 + 1;
            let clean: String = raw
                .chars()
                .filter(|c| {
                    !matches!(
                        c,
                        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{00AD}'
                    )
                })
                .map(|c| if c == '\u{A0}' { ' ' } else { c })
                .collect();
            let (clean, n) = punctuation::remove_pinyin(&clean, toneless);
            report.add(Change::Pinyin, n, || {
                format!("{name}:{no}: {}", text::excerpt(raw, 16))
            });
            Line::new(no, clean)
        })
        .collect()
}

fn convert_article(
    lines: Vec<Line>,
    file: &str,
    charsets: &mut Charsets,
    report: &mut Report,
) -> Option<(Meta, String)> {
    if lines.iter().all(|l| l.text.trim().is_empty()) {
        return None;
    }
    let all_text: String = lines.iter().map(|l| l.text.as_str()).collect();
    let script = charsets.script(&all_text);
    let (metadata_lines, rest): (Vec<Line>, Vec<Line>) = lines
        .into_iter()
        .partition(|l| metadata::is_key_value_line(&l.text));
    let rest = furniture::strip(rest, file, report);
    let mut lines = metadata_lines;
    lines.extend(rest);
    lines.sort_by_key(|l| l.no);
    let (mut meta, mut lines) = metadata::extract(lines, file, report);
    meta.language = (script == Script::Traditional).then_some("zh-Hant");
    suspicious::mojibake(&mut lines, script, charsets, file, report);

    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| {
            let (text, n) = punctuation::full_width(&l.text);
            report.add(Change::Punctuation, n, || {
                format!("{file}:{}: {}", l.no, text::excerpt(&text, 20))
            });
            Line::new(l.no, text)
        })
        .collect();
    let mut blocks = paragraphs::build(&lines, meta.title.as_deref(), file, report);
    drop_repeated_title(&mut blocks, meta.title.as_deref(), file, report);
    paragraphs::drop_captions(&mut blocks, file, report);
    paragraphs::rejoin(&mut blocks, file, report);
    metadata::trailing_note(&mut blocks, &mut meta, file, report);
    blocks.retain(|b| !b.text.trim().is_empty());
    if blocks.is_empty() {
        report.warn(file, 1, "an article with no body text was skipped");
        return None;
    }
    headings::mark(&mut blocks, file, report);
    for b in blocks.iter_mut() {
        let (text, n) = punctuation::squeeze_spaces(&b.text, b.heading.is_some());
        report.add(Change::Spaces, n, || {
            format!("{file}:{}: {}", b.line, text::excerpt(&text, 20))
        });
        b.text = text;
    }
    if meta.title.is_none() {
        let line = blocks.first().map_or(1, |b| b.line);
        report.warn(
            file,
            line,
            "no title found: add `title:` to the front matter",
        );
    }
    suspicious::truncated(&blocks, file, report);
    suspicious::unbalanced_quotes(&blocks, file, report);
    let markdown = writer::render(&meta, &blocks, report, file);
    Some((meta, markdown))
}

/// A first paragraph that only repeats the title.
fn drop_repeated_title(
    blocks: &mut Vec<Block>,
    title: Option<&str>,
    file: &str,
    report: &mut Report,
) {
    let Some(title) = title else { return };
    if blocks
        .first()
        .is_some_and(|b| punctuation::comparable(&b.text) == punctuation::comparable(title))
    {
        let b = blocks.remove(0);
        report.add(Change::DuplicateTitle, 1, || {
            format!("{file}:{}: {}", b.line, text::excerpt(&b.text, 30))
        });
    }
}
