//! Build time of the example booklet, EPUB + PDF, as a whole process
//! (what a user typing `booklet build` pays), side by side with typst
//! compiling the same six articles to PDF: the speed bar.
//! Run: `cargo bench --bench build`.
//!
//! typst comes from the PyPI package `typst` (its compiler, as a Python
//! extension): `python3 -c "import typst; typst.compile(…)"`, also a whole
//! process, so both sides pay their start-up. The .typ is generated from
//! the same model: article titles, section headings and paragraphs as
//! plain text, Noto Serif CJK SC, A5, justified, 2-em first-line indent.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use booklet::diag::Diagnostics;
use booklet::model::{plain_text, BlockKind};

const RUNS: usize = 5;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A typst string literal holding `text` (so no markup character in it
/// means anything).
fn literal(text: &str) -> String {
    let mut s = String::from("#\"");
    for c in text.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push(' '),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

fn typst_source(manifest: &Path) -> String {
    let mut diags = Diagnostics::default();
    let prepared = booklet::build::prepare(manifest, None, true, None, &mut diags)
        .expect("example booklet loads");
    let mut t = String::from(
        "#set page(paper: \"a5\", margin: (inside: 20mm, outside: 16mm, top: 20mm, bottom: 20mm))\n\
         #set text(font: \"Noto Serif CJK SC\", size: 10.5pt, lang: \"zh\", region: \"cn\")\n\
         #set par(justify: true, first-line-indent: (amount: 2em, all: true), leading: 0.7em, spacing: 0.7em)\n\
         #show heading: set text(weight: \"bold\")\n\n",
    );
    for (i, article) in prepared.book.articles.iter().enumerate() {
        if i > 0 {
            t.push_str("#pagebreak()\n");
        }
        let _ = writeln!(t, "= {}\n", literal(&article.title));
        for block in &article.blocks {
            match &block.kind {
                BlockKind::Heading { level, content, .. } => {
                    let marks = "=".repeat(*level as usize + 1);
                    let _ = writeln!(t, "{marks} {}\n", literal(&plain_text(content)));
                }
                BlockKind::Paragraph(content) => {
                    let _ = writeln!(t, "{}\n", literal(&plain_text(content)));
                }
                _ => {}
            }
        }
    }
    t
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = repo.join("target/bench-out/build");
    std::fs::create_dir_all(&out).expect("bench output folder");
    let manifest = repo.join("booklet.toml");
    let typ = out.join("articles.typ");
    std::fs::write(&typ, typst_source(&manifest)).expect("write .typ");
    let typst_pdf = out.join("typst.pdf");

    // Cold builds are the fair comparison (typst keeps no cache between
    // runs); rebuilds with the cache warm are what `booklet build` costs
    // after the first time.
    let cache = booklet::cache::Cache::folder(&out);
    let ours = |cold: bool| {
        if cold {
            let _ = std::fs::remove_dir_all(&cache);
        }
        let t = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_booklet"))
            .args(["build", "--format", "all", "--out"])
            .arg(&out)
            .arg(&manifest)
            .output()
            .expect("run booklet");
        assert!(status.status.success(), "booklet build failed");
        t.elapsed()
    };
    let typst = || -> Option<Duration> {
        let t = Instant::now();
        let status = Command::new("python3")
            .args([
                "-c",
                "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2])",
            ])
            .arg(&typ)
            .arg(&typst_pdf)
            .output()
            .ok()?;
        status.status.success().then(|| t.elapsed())
    };

    // Warm both (page cache, font caches), then alternate the runs so that
    // both see the same machine.
    ours(false);
    let typst_ok = typst().is_some();
    if !typst_ok {
        println!("typst is unavailable (python3 -c 'import typst' failed): timing booklet alone");
    }
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        c.push(ours(true));
        a.push(ours(false));
        if typst_ok {
            if let Some(d) = typst() {
                b.push(d);
            }
        }
    }
    let size = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let ours_ms = ms(median(a));
    let cold_ms = ms(median(c));
    println!("example booklet, whole process, median of {RUNS}:");
    println!(
        "  booklet EPUB + PDF:   {cold_ms:>7.1} ms  cold, no cache (PDF {} bytes, EPUB {} bytes)",
        size(out.join("booklet.pdf")),
        size(out.join("booklet.epub"))
    );
    println!("  booklet EPUB + PDF:   {ours_ms:>7.1} ms  rebuild, cache warm");
    if !b.is_empty() {
        let typst_ms = ms(median(b));
        println!(
            "  typst PDF alone:      {typst_ms:>7.1} ms  ({} bytes)",
            size(typst_pdf)
        );
        println!(
            "  ratio:                {:>7.1}x cold, {:.1}x rebuild  (target: at least 4x)",
            typst_ms / cold_ms,
            typst_ms / ours_ms
        );
    }
}
