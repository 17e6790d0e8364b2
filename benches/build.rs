//! Build time and peak memory, EPUB + PDF, as a whole process (what a user
//! typing `booklet build` pays), side by side with typst compiling the same
//! articles to PDF in the same run: the example booklet, then corpora of 25,
//! 100, 200 and 400 generated articles (`benches/make_big.py`, about 10,000
//! characters each; 200 is 3,400 A5 pages), and how time grows from 200 to
//! 400 articles. Run: `cargo bench --bench build` (`BENCH_QUICK=1`: the
//! example and 25 articles only).
//!
//! typst comes from the PyPI package `typst` (its compiler, as a Python
//! extension): `python3 -c "import typst; typst.compile(…)"`, also a whole
//! process, so both sides pay their start-up. The .typ is generated from
//! the same model: article titles, section headings and paragraphs as
//! plain text, Noto Serif CJK SC, A5, justified, 2-em first-line indent.

mod common;
use common::{measure, Run};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use booklet::diag::Diagnostics;
use booklet::model::{plain_text, BlockKind};

const RUNS: usize = 5;
/// Runs per generated corpus (typst takes 12 s on the 200 articles).
const BIG_RUNS: usize = 3;
/// Generated corpora: articles, and whether typst runs on them too.
const CORPORA: [(usize, bool); 4] = [(25, true), (100, true), (200, true), (400, false)];

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

fn booklet(manifest: &Path, out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_booklet"));
    cmd.args(["build", "--format", "all", "--quiet", "--out"])
        .arg(out)
        .arg(manifest);
    cmd
}

fn typst(typ: &Path, pdf: &Path) -> Command {
    let mut cmd = Command::new("python3");
    cmd.args([
        "-c",
        "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2])",
    ])
    .arg(typ)
    .arg(pdf);
    cmd
}

/// Median wall time and median peak memory of some runs.
fn summary(runs: &[Run]) -> (Duration, u64) {
    let mut peaks: Vec<u64> = runs.iter().map(|r| r.peak_kib).collect();
    peaks.sort();
    (
        median(runs.iter().map(|r| r.wall).collect()),
        peaks[peaks.len() / 2],
    )
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let quick = std::env::var_os("BENCH_QUICK").is_some();
    let typst_ok = Command::new("python3")
        .args(["-c", "import typst"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !typst_ok {
        println!("typst is unavailable (python3 -c 'import typst' failed): timing booklet alone");
    }
    example(&repo, typst_ok);
    let mut times = Vec::new();
    for (articles, with_typst) in CORPORA {
        if quick && articles > 25 {
            break;
        }
        let wall = corpus(&repo, articles, with_typst && typst_ok);
        times.push((articles, wall));
    }
    let at = |n: usize| times.iter().find(|t| t.0 == n).map(|t| t.1);
    if let (Some(a), Some(b)) = (at(200), at(400)) {
        println!(
            "linearity: 400 articles cost {:.2}x 200 articles (target: at most 2.1x)",
            b.as_secs_f64() / a.as_secs_f64()
        );
    }
}

/// Cold builds of a generated corpus of `articles` (cache removed before
/// each), alternating with typst; the median wall time.
fn corpus(repo: &Path, articles: usize, with_typst: bool) -> Duration {
    let dir = repo.join(format!("target/bench-big/{articles}"));
    let made = Command::new("python3")
        .arg(repo.join("benches/make_big.py"))
        .args(["--seeds", "sources", "--out"])
        .arg(&dir)
        .args(["-n", &articles.to_string()])
        .args(["--chars", &(articles * 10_000).to_string()])
        .current_dir(repo)
        .output()
        .expect("run make_big.py");
    assert!(
        made.status.success(),
        "make_big.py: {}",
        String::from_utf8_lossy(&made.stderr)
    );
    let manifest = dir.join("booklet.toml");
    let out = dir.join("out");
    let typ = dir.join("articles.typ");
    let typst_pdf = dir.join("typst.pdf");
    if with_typst {
        std::fs::write(&typ, typst_source(&manifest)).expect("write .typ");
    }
    let cache = booklet::cache::Cache::folder(&out);
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    // One unmeasured run of each: the page cache holds the inputs.
    let _ = measure(&mut booklet(&manifest, &out));
    for _ in 0..BIG_RUNS {
        let _ = std::fs::remove_dir_all(&cache);
        ours.push(measure(&mut booklet(&manifest, &out)).expect("booklet build failed"));
        if with_typst {
            theirs.extend(measure(&mut typst(&typ, &typst_pdf)));
        }
    }
    let (wall, peak) = summary(&ours);
    let pages = std::fs::read(out.join("booklet.pdf"))
        .ok()
        .and_then(|b| lopdf::Document::load_mem(&b).ok())
        .map_or(0, |d| d.get_pages().len());
    println!("{articles} articles ({pages} pages), cold, whole process, median of {BIG_RUNS}:");
    println!(
        "  booklet EPUB + PDF: {:>8.1} ms  peak {:>6.1} MiB",
        ms(wall),
        mib(peak)
    );
    if !theirs.is_empty() {
        let (twall, tpeak) = summary(&theirs);
        println!(
            "  typst PDF alone:    {:>8.1} ms  peak {:>6.1} MiB",
            ms(twall),
            mib(tpeak)
        );
        println!(
            "  ratio: {:.1}x faster, {:.1}x less memory",
            ms(twall) / ms(wall),
            tpeak as f64 / peak as f64
        );
    }
    wall
}

/// The example booklet: cold, rebuilt with the cache warm, and typst.
fn example(repo: &Path, typst_ok: bool) {
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
        measure(&mut booklet(&manifest, &out)).expect("booklet build failed")
    };

    // Warm both (page cache, font caches), then alternate the runs so that
    // both see the same machine.
    ours(false);
    if typst_ok {
        let _ = measure(&mut typst(&typ, &typst_pdf));
    }
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        c.push(ours(true));
        a.push(ours(false));
        if typst_ok {
            b.extend(measure(&mut typst(&typ, &typst_pdf)));
        }
    }
    let size = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let (warm, _) = summary(&a);
    let (cold, peak) = summary(&c);
    println!("example booklet, whole process, median of {RUNS}:");
    println!(
        "  booklet EPUB + PDF:   {:>7.1} ms  cold, no cache, peak {:.1} MiB (PDF {} bytes, EPUB {} bytes)",
        ms(cold),
        mib(peak),
        size(out.join("booklet.pdf")),
        size(out.join("booklet.epub"))
    );
    println!(
        "  booklet EPUB + PDF:   {:>7.1} ms  rebuild, cache warm",
        ms(warm)
    );
    if !b.is_empty() {
        let (typst_ms, _) = summary(&b);
        println!(
            "  typst PDF alone:      {:>7.1} ms  ({} bytes)",
            ms(typst_ms),
            size(typst_pdf)
        );
        println!(
            "  ratio:                {:>7.1}x cold, {:.1}x rebuild  (target: at least 5x cold)",
            ms(typst_ms) / ms(cold),
            ms(typst_ms) / ms(warm)
        );
    }
}
