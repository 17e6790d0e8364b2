//! Incremental rebuilds (EPUB + PDF). The example booklet, on a copy in
//! target/: a full build without a cache, a rebuild after editing one
//! article (issue target: ≤ 30 % of the full build), and how soon `watch`
//! has rebuilt after a save (target: within 1 s). Then 200 generated
//! articles (`benches/make_big.py`, 3,400 pages): how soon `watch` has both
//! files on disk after one sentence of one article is edited (target:
//! 0.5 s), and after a character new to the book is added. Medians of RUNS.
//! Run: `cargo bench --bench incremental` (`BENCH_QUICK=1`: the example only).

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
    report(full, incremental, watch, inside);
    if std::env::var_os("BENCH_QUICK").is_none() {
        big(&repo);
    }
}

fn report(
    full: Vec<Duration>,
    incremental: Vec<Duration>,
    watch: Vec<Duration>,
    inside: Vec<Duration>,
) {
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

/// Starts `booklet watch` in `dir`; the child and a function that waits
/// for its next "built in" line and returns it.
fn watch(dir: &Path) -> (std::process::Child, impl FnMut() -> Option<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_booklet"))
        .arg("watch")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok);
    (child, move || {
        lines.by_ref().find(|l| l.contains("built in "))
    })
}

/// One sentence of one article of 200 edited under `watch`: save → both
/// files rebuilt on disk.
fn big(repo: &Path) {
    let dir = repo.join("target/bench-incremental-big");
    let _ = std::fs::remove_dir_all(&dir);
    let made = Command::new("python3")
        .arg(repo.join("benches/make_big.py"))
        .args(["--seeds", "sources", "--out"])
        .arg(&dir)
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(made.status.success(), "make_big.py failed");
    let article = std::fs::read_dir(dir.join("sources"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains("100-"))
        .min()
        .expect("an article 100");
    let original = std::fs::read_to_string(&article).unwrap();
    let (mut child, mut rebuilt) = watch(&dir);
    rebuilt();
    let timed = |text: String, rebuilt: &mut dyn FnMut() -> Option<String>| {
        std::thread::sleep(Duration::from_millis(300));
        let t = Instant::now();
        std::fs::write(&article, text).unwrap();
        rebuilt();
        t.elapsed()
    };
    let mut sentence = Vec::new();
    for i in 0..RUNS {
        let text = if i % 2 == 0 {
            original.replacen("。", "。我们要坚持学习。", 1)
        } else {
            original.clone()
        };
        sentence.push(timed(text, &mut rebuilt));
    }
    // A character no article has: the fonts' subsets change.
    let mut new_char = Vec::new();
    for (i, c) in ['龘', '靐', '齉', '爩', '籱'].iter().enumerate() {
        let text = if i % 2 == 0 {
            original.replacen("。", &format!("。{c}。"), 1)
        } else {
            original.replacen("。", &format!("。{c}{c}。"), 1)
        };
        new_char.push(timed(text, &mut rebuilt));
    }
    std::fs::write(&article, &original).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    println!("200 articles, watch, median:");
    println!(
        "  one sentence edited: save → EPUB and PDF on disk: {:>7.1} ms  (target ≤ 500 ms)",
        ms(median(sentence))
    );
    println!(
        "  a character new to the book added:                {:>7.1} ms",
        ms(median(new_char))
    );
}
