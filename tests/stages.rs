//! The stages stay apart: the typesetter knows nothing of PDF, of the
//! cache or of threads (the orchestrator decides what runs where and what
//! is remembered), and no back end reaches back into the orchestrator.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `path:line: text` for every line of code (comments left out) under
/// `dir` that names one of `forbidden`.
fn offending(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(!files.is_empty(), "no Rust files under {dir}");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in forbidden {
                if code.contains(word) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn the_typesetter_imports_no_writer_cache_or_threads() {
    let found = offending(
        "src/typeset",
        &[
            "printpdf",
            "lopdf",
            "crate::pdf",
            "crate::epub",
            "crate::cache",
            "crate::build",
            "crate::par",
            "thread::",
            "rayon",
        ],
    );
    assert!(
        found.is_empty(),
        "typeset/ reaches outside its stage:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_back_ends_do_not_import_the_orchestrator() {
    for dir in ["src/pdf", "src/epub", "src/typeset"] {
        let found = offending(dir, &["crate::build"]);
        assert!(
            found.is_empty(),
            "{dir} imports build.rs:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn the_check_sees_a_forbidden_import() {
    // The check itself must be able to fail: pdf/ does use printpdf.
    assert!(!offending("src/pdf", &["printpdf"]).is_empty());
}
