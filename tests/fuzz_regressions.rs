//! Inputs the fuzzers found crashing (minimised), replayed on every test
//! run, plus the seed corpus: none may panic.

use std::path::Path;

fn replay(folder: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz")
        .join(folder);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap();
        run(&bytes);
        n += 1;
    }
    n
}

#[test]
fn source_crashers_stay_fixed() {
    let n = replay("regressions/source", booklet::fuzzing::render_source);
    let m = replay("corpus/source", booklet::fuzzing::render_source);
    assert!(n + m > 0, "no fuzz inputs found");
}

#[test]
fn import_crashers_stay_fixed() {
    let n = replay("regressions/import", booklet::fuzzing::import);
    let m = replay("corpus/import", booklet::fuzzing::import);
    assert!(n + m > 0, "no fuzz inputs found");
}
