//! Incremental rebuilds of the example booklet (EPUB + PDF), on a copy in
//! target/: a full build without a cache, a rebuild after editing one
//! article (issue target: ≤ 30 % of the full build), and how soon `watch`
//! has rebuilt after a save (target: within 1 s). Medians of RUNS.
//! Run: `cargo bench --bench incremental`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 11;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn copy_example(repo: &Path, dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    std::fs::copy(repo.join("booklet.toml"), dir.join("booklet.toml")).unwrap();
    for e in std::fs::read_dir(repo.join("sources")).unwrap().flatten() {
        std::fs::copy(e.path(), dir.join("sources").join(e.file_name())).unwrap();
    }
}

fn build(dir: &Path) -> Duration {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_booklet"))
        .args(["build", "--quiet"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.elapsed()
}

/// Changes one article the way an editor fixes a sentence: a paragraph
/// rewritten with characters the article already uses.
fn edit(dir: &Path, round: usize) {
    let path = dir.join("sources/03.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = if round.is_multiple_of(2) {
        text.replacen("。", "。我们要坚持学习。", 1)
    } else {
        text.replacen("。我们要坚持学习。", "。", 1)
    };
    std::fs::write(path, edited).unwrap();
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = repo.join("target/bench-incremental");
    copy_example(&repo, &dir);
    let cache = dir.join("out/.booklet-cache");

    // Full and incremental builds alternate, so that both see the same
    // machine (a shared one drifts by tens of percent over a minute).
    let (mut full, mut incremental) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        let _ = std::fs::remove_dir_all(&cache);
        full.push(build(&dir));
        build(&dir); // the cache now holds the current text
        edit(&dir, i);
        incremental.push(build(&dir));
    }

    // watch: time from a save to the end of the rebuild it triggers.
    let mut child = Command::new(env!("CARGO_BIN_EXE_booklet"))
        .arg("watch")
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok);
    let mut wait_rebuilt = || lines.by_ref().find(|l| l.contains("built in "));
    wait_rebuilt();
    // Also what watch itself reports: the rebuild alone, in process.
    let mut inside = Vec::new();
    let watch: Vec<Duration> = (0..RUNS)
        .map(|i| {
            std::thread::sleep(Duration::from_millis(300));
            let t = Instant::now();
            edit(&dir, i + 1);
            let line = wait_rebuilt().unwrap_or_default();
            let took = t.elapsed();
            // `[15:04:05] rebuilt in 0.12 s: sources/03.md changed`
            let reported = line
                .split_once("built in ")
                .and_then(|(_, rest)| rest.split_once(" s"))
                .and_then(|(secs, _)| secs.parse::<f64>().ok());
            if let Some(secs) = reported {
                inside.push(Duration::from_secs_f64(secs));
            }
            took
        })
        .collect();
    let _ = child.kill();
    let _ = child.wait();

    let (f, i, w) = (median(full), median(incremental), median(watch));
    println!("example booklet, EPUB + PDF, median of {RUNS}:");
    println!("  full build (no cache):            {:>7.1} ms", ms(f));
    println!(
        "  rebuild after editing one article: {:>7.1} ms  ({:.0} % of full; target ≤ 30 %)",
        ms(i),
        100.0 * i.as_secs_f64() / f.as_secs_f64()
    );
    println!(
        "  watch: save → rebuilt:             {:>7.1} ms  (target ≤ 1000 ms)",
        ms(w)
    );
    if !inside.is_empty() {
        let r = median(inside);
        println!(
            "  watch: the rebuild alone:          {:>7.1} ms  ({:.0} % of full)",
            ms(r),
            100.0 * r.as_secs_f64() / f.as_secs_f64()
        );
    }
}
