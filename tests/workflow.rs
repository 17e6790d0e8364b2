//! The everyday loop: init, check, fonts, incremental builds with a cache,
//! the edition report, and watch.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

#[test]
fn init_then_build_works_in_an_empty_folder() {
    let dir = scratch("workflow-init");
    booklet_ok(&["init", "project"], &dir, &[]);
    let project = dir.join("project");
    booklet_ok(&["build"], &project, &[]);
    assert!(project.join("out/booklet.epub").is_file());
    if let Some((f, e, w, report)) = epubcheck(&project.join("out/booklet.epub")) {
        assert_eq!((f, e, w), (0, 0, 0), "{report}");
    }
    // A second init must not clobber the project.
    let again = booklet(&["init", "project"], &dir, &[]);
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn check_reports_like_build_and_writes_nothing() {
    let dir = scratch("workflow-check");
    copy_example(&dir);
    let out = booklet_ok(&["check"], &dir, &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("checked 6 articles"));
    assert!(!dir.join("out").exists(), "check wrote output");

    std::fs::write(dir.join("sources/02.md"), b"\x00\x01binary").unwrap();
    let check = booklet(&["check"], &dir, &[]);
    let build = booklet(&["build"], &dir, &[]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(build.status.code(), Some(1));
    // The same problems; only the closing line names the command.
    let (check, build) = (
        String::from_utf8_lossy(&check.stderr),
        String::from_utf8_lossy(&build.stderr),
    );
    assert_eq!(
        check.replace("check failed", "build failed"),
        build,
        "check and build disagree"
    );
    assert!(check.contains("check failed"), "{check}");
    assert!(!dir.join("out").exists());
}

#[test]
fn fonts_lists_families_and_the_resolution() {
    let dir = scratch("workflow-fonts");
    copy_example(&dir);
    let out = booklet_ok(&["fonts"], &dir, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Noto Serif CJK SC"), "{text}");
    assert!(text.contains("resolves to"), "{text}");
    assert!(text.contains("Hant: Noto Serif CJK TC"), "{text}");
}

#[test]
fn incremental_builds_match_clean_builds_and_report_the_edition() {
    let dir = scratch("workflow-incremental");
    copy_example(&dir);
    let first = booklet_ok(&["build"], &dir, &[]);
    assert!(String::from_utf8_lossy(&first.stdout).contains("6 articles recorded"));
    let outputs = |dir: &std::path::Path| {
        ["out/booklet.epub", "out/booklet.pdf"].map(|f| std::fs::read(dir.join(f)).unwrap())
    };
    let path = dir.join("sources/03.md");
    let text = std::fs::read_to_string(&path).unwrap();
    // Two edits: one with new characters (every font subset and page
    // changes), then one with characters the article already has (most
    // paragraphs and pages are reused). Each time the report names the
    // article, and the cached build equals a clean one.
    let edits = [
        text.replacen("。", "。\n\n新加的一段。", 1),
        text.replacen("。", "。我们要坚持学习。", 1),
    ];
    let mut clean = outputs(&dir);
    for edited in edits {
        std::fs::write(&path, edited).unwrap();
        let second = booklet_ok(&["build"], &dir, &[]);
        let stdout = String::from_utf8_lossy(&second.stdout);
        assert!(stdout.contains("changed: sources/03.md"), "{stdout}");
        let cached = outputs(&dir);
        let kept = dir.join("kept-cache");
        let _ = std::fs::remove_dir_all(&kept);
        std::fs::rename(dir.join("out/.booklet-cache"), &kept).unwrap();
        booklet_ok(&["build"], &dir, &[]);
        clean = outputs(&dir);
        assert!(
            cached[0] == clean[0],
            "incremental EPUB differs from a clean build"
        );
        assert!(
            cached[1] == clean[1],
            "incremental PDF differs from a clean build"
        );
        // Go on from the cache of the incremental builds.
        std::fs::remove_dir_all(dir.join("out/.booklet-cache")).unwrap();
        std::fs::rename(&kept, dir.join("out/.booklet-cache")).unwrap();
    }

    // A corrupt cache costs time, never correctness.
    let cache = dir.join("out/.booklet-cache");
    let mut corrupted = 0;
    for entry in std::fs::read_dir(&cache).unwrap().flatten() {
        let mut bytes = std::fs::read(entry.path()).unwrap();
        if let Some(b) = bytes.last_mut() {
            *b ^= 0xFF;
            corrupted += 1;
        }
        std::fs::write(entry.path(), bytes).unwrap();
    }
    assert!(corrupted > 0, "nothing was cached");
    booklet_ok(&["build"], &dir, &[]);
    assert!(outputs(&dir) == clean);
}

/// Lines a child prints, read on a thread so that a silent child cannot
/// hang the test.
struct Lines(std::sync::mpsc::Receiver<String>);

impl Lines {
    fn of(stdout: std::process::ChildStdout) -> Lines {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines(rx)
    }

    /// Lines up to one containing `needle`, or all within a minute.
    fn until(&self, needle: &str) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.0.recv_timeout(left) {
                Ok(line) => {
                    let hit = line.contains(needle);
                    seen.push(line);
                    if hit {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        seen
    }
}

/// Kills the child if the test fails half-way.
struct Reaper(std::process::Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `booklet watch --format epub` in `dir`: what it prints, and the guard
/// that ends it.
fn watch_epub(dir: &std::path::Path) -> (Lines, Reaper) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_booklet"))
        .args(["watch", "--format", "epub"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = Lines::of(child.stdout.take().unwrap());
    (lines, Reaper(child))
}

/// An edit of `sources/05.md`.
const EDITED: &str = "---\ntitle: 改\n---\n\n改过的文章。\n";

#[test]
fn watch_rebuilds_on_change_keeps_going_after_errors_and_stops_on_ctrl_c() {
    let dir = scratch("workflow-watch");
    copy_example(&dir);
    let (lines, mut child) = watch_epub(&dir);
    let seen = lines.until("] built in");
    assert!(seen.iter().any(|l| l.contains("wrote")), "{seen:?}");
    // `[15:04:05] built in 0.52 s`: a time of day, then the duration.
    let last = seen.last().unwrap();
    let stamp = last.get(1..9).unwrap_or("");
    assert!(
        last.starts_with('[')
            && stamp.len() == 8
            && stamp.chars().enumerate().all(|(i, c)| if i % 3 == 2 {
                c == ':'
            } else {
                c.is_ascii_digit()
            })
            && last.ends_with(" s"),
        "{last}"
    );

    std::fs::write(dir.join("sources/05.md"), EDITED).unwrap();
    let seen = lines.until("rebuilt in");
    assert!(
        seen.iter()
            .any(|l| l.contains("] rebuilt in ") && l.ends_with(" s: sources/05.md changed")),
        "{seen:?}"
    );

    std::fs::write(dir.join("sources/05.md"), b"\x00binary").unwrap();
    let seen = lines.until("still watching");
    assert!(
        seen.iter().any(|l| l.contains("still watching")),
        "{seen:?}"
    );

    // Ctrl-C ends it cleanly.
    let pid = child.0.id().to_string();
    Command::new("kill").args(["-INT", &pid]).status().unwrap();
    let seen = lines.until("stopped");
    assert!(seen.iter().any(|l| l == "stopped"), "{seen:?}");
    let status = child.0.wait().unwrap();
    assert!(status.success(), "watch exited with {status:?}");
}

#[test]
fn watch_keeps_hearing_a_folder_renamed_away_and_back() {
    let dir = scratch("workflow-watch-rename");
    copy_example(&dir);
    let (lines, _child) = watch_epub(&dir);
    // The first build says "built in", the next ones "rebuilt in".
    let seen = lines.until("built in");
    assert!(seen.iter().any(|l| l.contains("wrote")), "{seen:?}");

    std::fs::rename(dir.join("sources"), dir.join("sources-away")).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    std::fs::rename(dir.join("sources-away"), dir.join("sources")).unwrap();
    // Back: its files may have changed meanwhile, so it is built again.
    let seen = lines.until("rebuilt in");
    assert!(
        seen.iter()
            .any(|l| l.contains("rebuilt in") && l.contains("sources")),
        "{seen:?}"
    );

    std::fs::write(dir.join("sources/05.md"), EDITED).unwrap();
    let seen = lines.until("rebuilt in");
    assert!(
        seen.iter()
            .any(|l| l.contains("rebuilt in") && l.contains("sources/05.md")),
        "{seen:?}"
    );
}
