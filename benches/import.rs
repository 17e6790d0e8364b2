//! `cargo bench --bench import`: imports the five seed scrapes in-process
//! (read, decode, convert, render; nothing written, as with --dry-run) and
//! prints the median of N runs. Target: < 50 ms.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const RUNS: usize = 50;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/seeds");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: seeds not found at {}", dir.display());
        return;
    };
    let mut seeds: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    seeds.sort();

    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut articles = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let plan = booklet::import::plan(&seeds).expect("seeds import");
        times.push(start.elapsed());
        articles = plan.documents.len();
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "import of {} seed files ({articles} articles), {RUNS} runs: median {:.2} ms, min {:.2} ms, max {:.2} ms (target < 50 ms)",
        seeds.len(),
        ms(times[RUNS / 2]),
        ms(times[0]),
        ms(times[RUNS - 1]),
    );
}
