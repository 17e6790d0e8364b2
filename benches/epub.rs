//! EPUB build time of the example booklet (issue target: < 0.2 s, release).
//! Measured two ways: in-process (what `watch` will pay) and as a whole
//! process (what a user typing `booklet build --format epub` pays).
//! Run: `cargo bench --bench epub`.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use booklet::build::{build, BuildOptions, Format};

const RUNS: usize = 15;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = repo.join("target/bench-out/epub");
    let manifest = repo.join("booklet.toml");
    // A cold build each time: no cache carried between runs.
    let opts = BuildOptions {
        out_dir: Some(out.clone()),
        format: Format::Epub,
        cache: Some(std::sync::Arc::new(booklet::cache::Cache::disabled())),
        ..BuildOptions::new(manifest.clone())
    };
    build(&opts).expect("warm-up build");

    let in_process: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            build(&opts).expect("build");
            t.elapsed()
        })
        .collect();

    let whole: Vec<Duration> = (0..RUNS)
        .map(|_| {
            // Cold: without the cache an earlier run left.
            let _ = std::fs::remove_dir_all(booklet::cache::Cache::folder(&out));
            let t = Instant::now();
            let status = Command::new(env!("CARGO_BIN_EXE_booklet"))
                .args(["build", "--format", "epub", "--out"])
                .arg(&out)
                .arg(&manifest)
                .output()
                .expect("run booklet");
            assert!(status.status.success());
            t.elapsed()
        })
        .collect();

    let size = std::fs::metadata(out.join("booklet.epub"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!("example booklet EPUB ({size} bytes), median of {RUNS}:");
    println!(
        "  in-process build:    {:>7.1} ms",
        median(in_process).as_secs_f64() * 1e3
    );
    println!(
        "  whole process:       {:>7.1} ms",
        median(whole).as_secs_f64() * 1e3
    );
    println!("  target:              < 200 ms");
}
