//! What tagging costs (issue 15's targets: PDF size ≤ 10 % larger and
//! build time ≤ 10 % slower than untagged): the same booklet built to PDF
//! with the default `[pdf] standard` ("ua-1+a-2": tagged, XMP, output
//! intent) and with `standard = "none"`, alternately in the same run, as
//! whole processes with the cache removed before each build (cold). The
//! example booklet, then a generated corpus of 25 articles
//! (`benches/make_big.py`). Medians; the ratio is what counts.
//! Run: `cargo bench --bench tagged`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 9;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A copy of the booklet whose manifest is `manifest` with `standard`
/// appended under `[pdf]` (the manifests measured have no `[pdf]` table).
fn variant(manifest: &Path, dir: &Path, standard: &str) -> PathBuf {
    let text = std::fs::read_to_string(manifest).expect("read manifest");
    assert!(!text.contains("\n[pdf]"), "the manifest has a [pdf] table");
    std::fs::create_dir_all(dir).unwrap();
    let root = manifest.parent().unwrap();
    let sources = root.join("sources");
    let copy = dir.join("sources");
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(&sources).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
    }
    let out = dir.join("booklet.toml");
    std::fs::write(&out, format!("{text}\n[pdf]\nstandard = \"{standard}\"\n")).unwrap();
    out
}

/// One cold build of the PDF: its wall time and size.
fn build(manifest: &Path) -> (Duration, u64) {
    let out = manifest.parent().unwrap().join("out");
    let _ = std::fs::remove_dir_all(&out);
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_booklet"))
        .args(["build", "--format", "pdf", "--quiet"])
        .arg(manifest)
        .status()
        .expect("run booklet");
    let took = start.elapsed();
    assert!(status.success(), "booklet build failed");
    let size = std::fs::metadata(out.join("booklet.pdf")).unwrap().len();
    (took, size)
}

fn compare(label: &str, manifest: &Path, scratch: &Path) {
    let tagged = variant(manifest, &scratch.join("tagged"), "ua-1+a-2");
    let plain = variant(manifest, &scratch.join("none"), "none");
    // One unmeasured build of each: the page cache holds the inputs.
    build(&tagged);
    build(&plain);
    let (mut t, mut p) = (Vec::new(), Vec::new());
    let (mut t_size, mut p_size) = (0, 0);
    for _ in 0..RUNS {
        let (d, s) = build(&tagged);
        t.push(d);
        t_size = s;
        let (d, s) = build(&plain);
        p.push(d);
        p_size = s;
    }
    let (t, p) = (median(t), median(p));
    println!("{label}: cold PDF builds, whole process, median of {RUNS} each, alternating");
    println!("  tagged (ua-1+a-2): {:>8.1} ms  {t_size:>9} bytes", ms(t));
    println!("  untagged (none):   {:>8.1} ms  {p_size:>9} bytes", ms(p));
    println!(
        "  tagged / untagged: time {:.3}, size {:.3}",
        t.as_secs_f64() / p.as_secs_f64(),
        t_size as f64 / p_size as f64
    );
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let scratch = repo.join("target/bench-tagged");
    compare(
        "example booklet",
        &repo.join("booklet.toml"),
        &scratch.join("example"),
    );
    let big = scratch.join("corpus-25");
    let made = Command::new("python3")
        .arg(repo.join("benches/make_big.py"))
        .args(["--seeds", "sources", "--out"])
        .arg(&big)
        .args(["-n", "25", "--chars", "250000"])
        .current_dir(&repo)
        .output();
    match made {
        Ok(m) if m.status.success() => compare(
            "25 generated articles",
            &big.join("booklet.toml"),
            &big.join("runs"),
        ),
        _ => println!("25 generated articles: SKIPPED (python3 benches/make_big.py failed)"),
    }
}
