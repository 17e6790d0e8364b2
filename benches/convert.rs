//! `cargo bench --bench convert`: Simplified ⇄ Traditional throughput on
//! the six example articles (repeated to about 8 MB), median of N runs per
//! configuration, in MB of input per second. Target: ≥ 20 MB/s.
//!
//! The peer, measured in the same run, is one pass that looks every
//! character up in a hash map of OpenCC's size (what any converter must at
//! least do), so that the ratio says how far the phrase matching is from
//! that floor on this machine and load.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use booklet::convert::{Config, Conversion, Converter};

const RUNS: usize = 7;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sources");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("sources/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    let articles: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let simplified = articles.repeat((8 << 20) / articles.len() + 1);
    let mb = simplified.len() as f64 / (1 << 20) as f64;

    let table: HashMap<char, char> = simplified.chars().map(|c| (c, c)).collect();
    let floor = median(|| {
        let out: String = simplified
            .chars()
            .map(|c| *table.get(&c).unwrap_or(&c))
            .collect();
        std::hint::black_box(out);
    });
    println!(
        "{mb:.1} MB, {RUNS} runs each; peer (one hash lookup a character): {:.0} MB/s",
        mb / floor.as_secs_f64()
    );
    let s2t = converter("s2t").convert(&simplified);
    for (name, input) in [
        ("s2t", &simplified),
        ("s2twp", &simplified),
        ("s2hk", &simplified),
        ("t2s", &s2t),
        ("tw2sp", &s2t),
    ] {
        let c = converter(name);
        let time = median(|| {
            std::hint::black_box(c.convert(input));
        });
        println!(
            "{name:>6}: median {:.0} ms, {:.1} MB/s ({:.1}× the peer's time; target ≥ 20 MB/s)",
            time.as_secs_f64() * 1000.0,
            mb / time.as_secs_f64(),
            time.as_secs_f64() / floor.as_secs_f64()
        );
    }
}

fn converter(name: &str) -> Converter {
    Converter::new(&Conversion {
        config: Config::parse(name).unwrap(),
        keep: vec![],
        replace: Default::default(),
    })
    .unwrap()
}

fn median(mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}
