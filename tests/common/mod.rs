//! Shared helpers for the integration tests: run the real binary on real
//! booklets in scratch folders, and find the external validators.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh scratch folder under target/, unique per test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = repo().join("target").join("test-scratch").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch folder");
    dir
}

/// A scratch project: `booklet.toml` = `manifest`, and `files` (path, bytes).
pub fn project(name: &str, manifest: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("booklet.toml"), manifest).unwrap();
    for (path, bytes) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    dir
}

/// Runs an external tool's command line, or None (SKIPPED, or a failure
/// under CI) when it is not installed; its stdout and stderr together.
pub fn tool(name: &str, args: &[&str]) -> Option<String> {
    if !have(
        name,
        Command::new("sh").args(["-c", &format!("command -v {name}")]),
    ) {
        return None;
    }
    let out = Command::new(name).args(args).output().expect("run tool");
    Some(String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

pub fn booklet(args: &[&str], cwd: &Path, envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_booklet"));
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run booklet")
}

/// Runs booklet and insists on success, showing its messages otherwise.
pub fn booklet_ok(args: &[&str], cwd: &Path, envs: &[(&str, &str)]) -> Output {
    let out = booklet(args, cwd, envs);
    assert!(
        out.status.success(),
        "booklet {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Copies the example booklet (manifest + sources) into `dir`.
pub fn copy_example(dir: &Path) {
    std::fs::copy(repo().join("booklet.toml"), dir.join("booklet.toml")).unwrap();
    let src = dir.join("sources");
    std::fs::create_dir_all(&src).unwrap();
    for entry in std::fs::read_dir(repo().join("sources")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), src.join(entry.file_name())).unwrap();
    }
}

/// Whether an external validator can be used. Missing under CI is a test
/// failure; locally the test is skipped, and says so.
pub fn have(tool: &str, probe: &mut Command) -> bool {
    let ok = probe.output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required under CI but is not installed"
        );
        eprintln!("SKIPPED: {tool} is not installed; this check did not run");
    }
    ok
}

/// The EPUBCheck jar: EPUBCHECK_JAR, else Debian's.
pub fn epubcheck_jar() -> Option<PathBuf> {
    if let Some(j) = std::env::var_os("EPUBCHECK_JAR") {
        return Some(PathBuf::from(j));
    }
    let debian = PathBuf::from("/usr/share/java/epubcheck.jar");
    debian.is_file().then_some(debian)
}

/// Runs EPUBCheck; returns (fatals, errors, warnings, full output), or None
/// when it is not installed (and not required).
pub fn epubcheck(epub: &Path) -> Option<(u32, u32, u32, String)> {
    let jar = epubcheck_jar();
    let available = jar.is_some()
        && have(
            "epubcheck (java -jar /usr/share/java/epubcheck.jar)",
            Command::new("java").arg("-version"),
        );
    if !available {
        if jar.is_none() {
            assert!(
                std::env::var_os("CI").is_none(),
                "epubcheck is required under CI but is not installed"
            );
            eprintln!("SKIPPED: epubcheck is not installed; this check did not run");
        }
        return None;
    }
    let out = Command::new("java")
        .arg("-jar")
        .arg(jar.unwrap())
        .arg(epub)
        .output()
        .expect("run epubcheck");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("Messages:"))
        .unwrap_or_else(|| panic!("no summary from epubcheck:\n{text}"));
    let num = |label: &str| -> u32 {
        line.split('/')
            .find(|p| p.contains(label))
            .and_then(|p| p.split_whitespace().find_map(|w| w.parse().ok()))
            .unwrap_or(u32::MAX)
    };
    Some((num("fatal"), num("error"), num("warning"), text))
}

/// Paragraph texts of a Markdown source, read independently of the
/// library's parser: blocks that are not headings, markup stripped.
pub fn source_paragraphs(md: &str) -> Vec<String> {
    let body = match md.strip_prefix("---\n") {
        Some(rest) => rest.split_once("\n---\n").map_or(rest, |(_, b)| b),
        None => md,
    };
    body.split("\n\n")
        .map(|p| p.trim())
        .filter(|p| !p.is_empty() && !p.starts_with('#'))
        .map(|p| p.replace("**", "").replace("\\*", "*").replace('\n', ""))
        .collect()
}
