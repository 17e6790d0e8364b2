//! The example booklet's cold build (EPUB + PDF, no cache) against an earlier
//! booklet binary, alternating in the same run so both see the same machine.
//! It answers "did the reliability work make the build slower?": the issue
//! that brought strict decoding, validation, staging and locks asks the cold
//! build to stay within 5 % of the binary from before it.
//!
//! Build the earlier binary once, then point the bench at it:
//!
//! ```text
//! git worktree add --detach ../booklet-base 6a4038d
//! (cd ../booklet-base && cargo build --release --bin booklet)
//! BOOKLET_BASELINE=../booklet-base/target/release/booklet cargo bench --bench baseline
//! ```
//!
//! Both binaries read this checkout's `booklet.toml` and sources, each into
//! its own output folder, which is removed before every run (cold: no cache).
//! The earlier binary reads a copy whose style leaves out the keys added
//! since, which it would refuse (their defaults apply, and the example
//! shows nothing they change).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 11;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn cold_build(binary: &Path, manifest: &Path, out: &Path) -> Duration {
    let _ = std::fs::remove_dir_all(out);
    let t = Instant::now();
    let status = Command::new(binary)
        .args(["build", "--format", "all", "--quiet", "--out"])
        .arg(out)
        .arg(manifest)
        .status()
        .expect("run booklet");
    let wall = t.elapsed();
    assert!(
        status.success(),
        "{} failed to build the example",
        binary.display()
    );
    wall
}

fn main() {
    let Some(base) = std::env::var_os("BOOKLET_BASELINE").map(PathBuf::from) else {
        println!(
            "baseline: SKIPPED, BOOKLET_BASELINE is not set (see benches/baseline.rs for how to build it)"
        );
        return;
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = repo.join("booklet.toml");
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_booklet"));
    let out = repo.join("target/bench-out/baseline");
    let (out_base, out_ours) = (out.join("base"), out.join("ours"));
    let base_manifest = example_for(&base, repo, &out.join("example"), &out_base);

    // One unmeasured run of each: the page cache holds both binaries and the inputs.
    cold_build(&base, &base_manifest, &out_base);
    cold_build(&ours, &manifest, &out_ours);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        a.push(cold_build(&base, &base_manifest, &out_base));
        b.push(cold_build(&ours, &manifest, &out_ours));
    }
    let (a, b) = (median(a), median(b));
    let ratio = b.as_secs_f64() / a.as_secs_f64();
    println!("example booklet, cold EPUB + PDF, median of {RUNS} alternating runs:");
    println!(
        "  baseline {}: {:>8.1} ms",
        base.display(),
        a.as_secs_f64() * 1e3
    );
    println!("  this build:        {:>8.1} ms", b.as_secs_f64() * 1e3);
    println!(
        "  ratio {ratio:.3} ({})",
        if ratio <= 1.05 {
            "within 5 %"
        } else {
            "MORE than 5 % slower"
        }
    );
}

/// A copy of the example in `dir` that `binary` builds: each style line it
/// refuses as an unknown field (a key added since it was made) is left out.
fn example_for(binary: &Path, repo: &Path, dir: &Path, out: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    for sub in ["sources", "styles"] {
        std::fs::create_dir_all(dir.join(sub)).expect("make the example's copy");
        for entry in std::fs::read_dir(repo.join(sub)).expect("read the example") {
            let path = entry.expect("read the example").path();
            if path.is_file() {
                std::fs::copy(&path, dir.join(sub).join(path.file_name().unwrap()))
                    .expect("copy the example");
            }
        }
    }
    // The shipped fonts, which an earlier binary finds beside the manifest.
    #[cfg(unix)]
    std::os::unix::fs::symlink(repo.join("fonts"), dir.join("fonts")).expect("link the fonts");
    let manifest = dir.join("booklet.toml");
    std::fs::copy(repo.join("booklet.toml"), &manifest).expect("copy the manifest");
    for _ in 0..100 {
        let _ = std::fs::remove_dir_all(out);
        let run = Command::new(binary)
            .args(["build", "--format", "all", "--quiet", "--out"])
            .arg(out)
            .arg(&manifest)
            .output()
            .expect("run the earlier booklet");
        if run.status.success() {
            return manifest;
        }
        // "error: ./styles/default.toml:18:1: invalid style: unknown field `x`…",
        // or the same with the place on a "--> …/styles/default.toml:18:1" line.
        let stderr = String::from_utf8_lossy(&run.stderr);
        let refused = stderr.contains("unknown field").then(|| {
            stderr.lines().find_map(|l| {
                let rest = l.split_once("styles/")?.1;
                let (file, rest) = rest.split_once(':')?;
                let line = rest.split(':').next()?.trim().parse::<usize>().ok();
                Some((file.to_string(), line))
            })
        });
        let refused = refused.flatten();
        let Some((file, Some(line))) = refused else {
            panic!("{} cannot build the example: {stderr}", binary.display());
        };
        let path = dir.join("styles").join(file);
        let text = std::fs::read_to_string(&path).expect("read the style copy");
        let lines: Vec<&str> = text.lines().collect();
        // A refused table goes whole: its keys would otherwise join the
        // table before it.
        let end = if lines[line - 1].trim_start().starts_with('[') {
            (line..lines.len())
                .find(|&n| lines[n].trim_start().starts_with('['))
                .unwrap_or(lines.len())
        } else {
            line
        };
        let kept: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|&(n, _)| n + 1 < line || n >= end)
            .map(|(_, l)| *l)
            .collect();
        std::fs::write(&path, kept.join("\n") + "\n").expect("write the style copy");
    }
    panic!("{} refuses too much of the example", binary.display());
}
