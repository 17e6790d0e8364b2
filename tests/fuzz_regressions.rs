//! Replays, through the fuzz targets' own entry points
//! ([`booklet::fuzzing`]), every input the fuzzers found failing (minimised,
//! in `tests/fuzz/regressions/<target>/`) and the seed corpora checked in
//! under `tests/fuzz/corpus/<target>/`. An input fails the test if it
//! panics or does not finish within a minute.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use booklet::fuzzing::TARGETS;

/// Generous for a debug build; a fuzzer gives each input a few seconds.
const LIMIT: Duration = Duration::from_secs(60);

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz")
}

/// Files of `dir`, sorted, without those a fuzzer adds to a corpus (named
/// by their SHA-1, and not checked in).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            !(name.len() == 40 && name.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .collect();
    files.sort();
    files
}

fn replay(target: &str) {
    let run = TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, run)| *run)
        .expect("a fuzz target of that name");
    let mut files = inputs(&fuzz_dir().join("regressions").join(target));
    files.extend(inputs(&fuzz_dir().join("corpus").join(target)));
    assert!(!files.is_empty(), "no inputs for the `{target}` target");
    let mut failures = Vec::new();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            let outcome = std::panic::catch_unwind(|| run(&bytes));
            let _ = done.send(outcome.is_ok());
        });
        match finished.recv_timeout(LIMIT) {
            Ok(true) => {}
            Ok(false) => failures.push(format!("{}: panicked", path.display())),
            Err(_) => failures.push(format!("{}: still running after {LIMIT:?}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_target_has_a_fuzz_target_and_every_folder_a_target() {
    for (name, _) in TARGETS {
        let script = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        assert!(script.is_file(), "{} is missing", script.display());
    }
    for kind in ["regressions", "corpus"] {
        let folders = std::fs::read_dir(fuzz_dir().join(kind))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir());
        for entry in folders {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                TARGETS.iter().any(|(t, _)| *t == name),
                "tests/fuzz/{kind}/{name} names no fuzz target"
            );
        }
    }
}

#[test]
fn source_inputs() {
    replay("source");
}

#[test]
fn import_inputs() {
    replay("import");
}

#[test]
fn manifest_inputs() {
    replay("manifest");
}

#[test]
fn style_inputs() {
    replay("style");
}

#[test]
fn font_inputs() {
    replay("font");
}

#[test]
fn image_inputs() {
    replay("image");
}

#[test]
fn book_inputs() {
    replay("book");
}

/// allsorts panics subsetting this font (a CFF subroutine index out of
/// range); booklet must say the font is damaged instead.
#[test]
fn a_damaged_cff_font_cannot_be_subset_and_says_so() {
    let path = fuzz_dir().join("regressions/font/damaged-cff-subroutine.otf");
    let face = booklet::fonts::Face {
        family: "Damaged".into(),
        post_script_name: "Damaged".into(),
        path: path.clone(),
        index: 0,
        bold: false,
        data: std::sync::Arc::new(booklet::fonts::FontBytes::owned(
            std::fs::read(&path).unwrap(),
        )),
    };
    let chars = "中文，。Aa1".chars().collect();
    let err = booklet::fonts::subset::subset_for_chars(&face, &chars)
        .err()
        .expect("the damaged font is refused");
    assert!(
        err.starts_with("cannot subset ") && err.ends_with(": damaged font"),
        "{err}"
    );
    // The PDF's subsetter says so too, typed, naming the font's file.
    let gids: Vec<u16> = (0..8).collect();
    match booklet::pdf::embed::subset_without_cmap(&face, &gids) {
        Err(e @ booklet::pdf::PdfError::Subset { .. }) => {
            assert_eq!(e.file(), Some(path.as_path()));
            let d = booklet::diag::Diagnostic::from(e);
            assert!(
                d.message
                    .starts_with("cannot make the PDF: the font Damaged"),
                "{}",
                d.message
            );
        }
        other => panic!("the damaged font is refused as a font: {other:?}"),
    }
}

/// The image seeds are pictures booklet reads, of every kind it reads, so
/// that the fuzzer starts deep inside each decoder and the SVG renderer.
#[test]
fn every_image_seed_is_read() {
    let fonts = booklet::image::vector::DrawingFonts::new(Vec::new(), "serif");
    let mut kinds = std::collections::BTreeSet::new();
    for path in inputs(&fuzz_dir().join("corpus/image")) {
        let bytes = std::fs::read(&path).unwrap();
        match booklet::image::library::read_picture(&bytes, &fonts) {
            Ok(picture) => kinds.insert(picture.format.name()),
            Err(e) => panic!("{}: {e}", path.display()),
        };
    }
    assert_eq!(kinds.len(), 5, "seeds of every kind: {kinds:?}");
}
