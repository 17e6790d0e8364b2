//! `cargo bench --bench editions`: the example booklet built as one
//! edition (EPUB + A5 PDF) and as three editions in one command (简体 A5
//! reading PDF + EPUB; 繁體 Taiwan, s2twp with 「」; an A4 saddle-stitched
//! handout), each a whole process with its cache removed first (cold),
//! median of N runs taken in turn so that both see the same machine.
//! Target: three editions in at most 2× the time of one.
//!
//! Wall time is what a user waits; CPU time (user + system, of the process
//! and its threads) is reported beside it, since on a shared machine it
//! moves less with the load.
//!
//! `BOOKLET_BIN=<another booklet binary>` measures that one instead (an
//! earlier build, to compare its ratio with this one's).

mod common;
use common::{measure, Run};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const RUNS: usize = 5;

/// The three editions of the issue, added to the example manifest.
const EDITIONS: &str = r#"
[[edition]]
name = "zh"

[[edition]]
name = "tw"
convert = "s2twp"
quotes = "「」"

[[edition]]
name = "handout"
formats = ["pdf"]
imposition = "saddle"
sheet = "A4"
"#;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// A copy of the example booklet in `dir`, its manifest extended by `extra`.
fn project(repo: &Path, dir: &Path, extra: &str) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("sources")).expect("bench folder");
    for entry in std::fs::read_dir(repo.join("sources")).expect("sources/") {
        let path = entry.expect("sources/").path();
        if path.is_file() {
            std::fs::copy(&path, dir.join("sources").join(path.file_name().unwrap()))
                .expect("copy a source");
        }
    }
    let manifest = dir.join("booklet.toml");
    let text = std::fs::read_to_string(repo.join("booklet.toml")).expect("booklet.toml");
    std::fs::write(&manifest, text + extra).expect("write the manifest");
    manifest
}

/// A cold build of `manifest`: its output folder (and so its cache) gone.
fn build(manifest: &Path) -> Run {
    let out = manifest.with_file_name("out");
    let _ = std::fs::remove_dir_all(&out);
    let bin = std::env::var_os("BOOKLET_BIN").unwrap_or(env!("CARGO_BIN_EXE_booklet").into());
    let mut cmd = Command::new(bin);
    cmd.args(["build", "--quiet", "--out"])
        .arg(&out)
        .arg(manifest);
    measure(&mut cmd).expect("booklet build failed")
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bench = repo.join("target/bench-out/editions");
    let one = project(&repo, &bench.join("one"), "");
    let three = project(&repo, &bench.join("three"), EDITIONS);
    if let Some(bin) = std::env::var_os("BOOKLET_BIN") {
        println!("binary: {}", bin.to_string_lossy());
    }
    println!("load average at start: {}", load());
    // Unmeasured: the page cache holds the binary, fonts and sources.
    build(&one);
    build(&three);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        a.push(build(&one));
        b.push(build(&three));
    }
    let wall = |runs: &[Run]| median(runs.iter().map(|r| r.wall).collect());
    let cpu = |runs: &[Run]| median(runs.iter().map(|r| r.cpu).collect());
    println!("example booklet, cold, whole process, median of {RUNS}:");
    println!(
        "  one edition (EPUB + A5 PDF):          {:>7.0} ms wall, {:>7.0} ms CPU",
        ms(wall(&a)),
        ms(cpu(&a))
    );
    println!(
        "  three editions (zh, tw s2twp, handout): {:>5.0} ms wall, {:>7.0} ms CPU",
        ms(wall(&b)),
        ms(cpu(&b))
    );
    println!(
        "  ratio: {:.2}× wall, {:.2}× CPU (target ≤ 2×)",
        ms(wall(&b)) / ms(wall(&a)),
        ms(cpu(&b)) / ms(cpu(&a))
    );
    println!("load average at end: {}", load());
}
