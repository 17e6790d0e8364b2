//! `cargo bench --bench convert`: Simplified ⇄ Traditional throughput of
//! every OpenCC configuration on the six example articles (repeated to
//! about 8 MB), median of N runs per configuration, in MB of input per
//! second. Target: ≥ 20 MB/s for each.
//!
//! A configuration reads text in its own source script: the s… ones the
//! articles, t2… the articles through s2t, tw2… through s2twp, hk2…
//! through s2hk, so that every stage of every chain meets real text.
//!
//! The peer, measured in the same run, is one pass that looks every
//! character up in a hash map of OpenCC's size (what any converter must at
//! least do), so that the ratio says how far the phrase matching is from
//! that floor on this machine and load. The first use of each
//! configuration (its dictionaries read and indexed) is timed on its own.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use booklet::convert::{Config, Conversion, Converter};

const RUNS: usize = 7;

/// Every configuration booklet offers, with the one whose output it reads
/// (`None`: the Simplified articles).
const CONFIGS: [(&str, Option<&str>); 12] = [
    ("s2t", None),
    ("s2tw", None),
    ("s2twp", None),
    ("s2hk", None),
    ("t2s", Some("s2t")),
    ("t2tw", Some("s2t")),
    ("t2hk", Some("s2t")),
    ("tw2s", Some("s2twp")),
    ("tw2sp", Some("s2twp")),
    ("tw2t", Some("s2twp")),
    ("hk2s", Some("s2hk")),
    ("hk2t", Some("s2hk")),
];

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
    println!("load average at start: {}", load());

    let table: HashMap<char, char> = simplified.chars().map(|c| (c, c)).collect();
    let floor = median(|| {
        let out: String = simplified
            .chars()
            .map(|c| *table.get(&c).unwrap_or(&c))
            .collect();
        std::hint::black_box(out);
    });
    println!(
        "{mb:.1} MB of Simplified text, {RUNS} runs each; peer (one hash lookup a character): {:.0} MB/s",
        mb / floor.as_secs_f64()
    );
    let mut inputs: HashMap<&str, String> = HashMap::new();
    let mut slowest = f64::INFINITY;
    for (name, from) in CONFIGS {
        let input = match from {
            None => &simplified,
            Some(f) => inputs
                .get(f)
                .expect("its source configuration runs earlier"),
        };
        let mb = input.len() as f64 / (1 << 20) as f64;
        let t = Instant::now();
        let c = converter(name);
        std::hint::black_box(c.convert("头发"));
        let first_use = t.elapsed();
        let time = median(|| {
            std::hint::black_box(c.convert(input));
        });
        let rate = mb / time.as_secs_f64();
        slowest = slowest.min(rate);
        println!(
            "{name:>6}: median {:>4.0} ms for {mb:.1} MB, {rate:>5.1} MB/s ({:.1}× the peer's time); first use {:.0} ms",
            time.as_secs_f64() * 1000.0,
            time.as_secs_f64() / floor.as_secs_f64(),
            first_use.as_secs_f64() * 1000.0,
        );
        if from.is_none() {
            inputs.insert(name, c.convert(input));
        }
    }
    println!("slowest configuration: {slowest:.1} MB/s (target ≥ 20 MB/s)");
    println!("load average at end: {}", load());
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
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
