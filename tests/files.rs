//! Files the user owns are never damaged: outputs replaced together by one
//! build at a time, imported sources replaced whole, inputs that are not
//! regular files or are too large refused at once, a cache that cannot be
//! fooled, and a `watch` that keeps hearing.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Runs booklet, killing it if it has not finished within `limit`: a hang
/// is a failure of its own, reported as such.
fn booklet_within(limit: Duration, args: &[&str], cwd: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_booklet"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run booklet");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "booklet {args:?} still ran after {limit:?}:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn outputs(dir: &Path) -> [Vec<u8>; 2] {
    ["out/booklet.epub", "out/booklet.pdf"].map(|f| std::fs::read(dir.join(f)).unwrap())
}

/// Names in `dir` other than the lock file.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".booklet.lock")
        .collect();
    names.sort();
    names
}

#[test]
fn a_failed_replacement_leaves_the_previous_outputs_as_they_were() {
    let dir = scratch("files-rollback");
    copy_example(&dir);
    booklet_ok(&["build"], &dir, &[]);
    let epub_before = std::fs::read(dir.join("out/booklet.epub")).unwrap();
    // The PDF cannot be replaced: a folder that is not empty is in its way.
    // The EPUB, replaced first, must get its previous contents back.
    let pdf = dir.join("out/booklet.pdf");
    std::fs::remove_file(&pdf).unwrap();
    std::fs::create_dir_all(pdf.join("in-the-way")).unwrap();
    let source = dir.join("sources/02.md");
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&source, text.replacen("。", "。新加的一句。", 1)).unwrap();
    let before = names_in(&dir.join("out"));

    let out = booklet(&["build"], &dir, &[]);
    assert!(!out.status.success());
    let message = stderr(&out);
    assert!(message.contains("booklet.pdf"), "{message}");
    assert!(message.contains("cannot replace the output"), "{message}");
    assert!(
        std::fs::read(dir.join("out/booklet.epub")).unwrap() == epub_before,
        "the EPUB was replaced although the PDF was not"
    );
    assert!(pdf.join("in-the-way").is_dir());
    assert_eq!(names_in(&dir.join("out")), before, "files left behind");
}

#[test]
fn two_builds_into_one_folder_both_succeed() {
    let dir = scratch("files-concurrent");
    copy_example(&dir);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_booklet"))
            .arg("build")
            .current_dir(&dir)
            .env_remove("SOURCE_DATE_EPOCH")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // The second build starts while the first has a file staged: a cold
    // build stages its EPUB well before its PDF is done.
    let first = spawn();
    let started = Instant::now();
    let staged = || {
        names_in(&out)
            .iter()
            .any(|n| n.starts_with(".booklet.") && n.ends_with(".tmp"))
    };
    while !staged() && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(2));
    }
    let second = spawn();
    let (first, second) = (
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    );
    for (name, o) in [("first", &first), ("second", &second)] {
        assert!(o.status.success(), "{name} build failed:\n{}", stderr(o));
    }
    let together = outputs(&dir);
    // Both equal what a build alone gives.
    std::fs::remove_dir_all(&out).unwrap();
    booklet_ok(&["build"], &dir, &[]);
    assert!(outputs(&dir) == together);
    assert!(
        !names_in(&out)
            .iter()
            .any(|n| n.ends_with(".tmp") || n.ends_with(".bak")),
        "{:?}",
        names_in(&out)
    );
}

#[test]
fn import_force_never_cuts_short_the_file_it_replaces() {
    let dir = scratch("files-import-full-disk");
    let raw = dir.join("raw.txt");
    let paragraph =
        "各级党组织要把学习贯彻工作同推动基层治理结合起来，做到学用结合、知行合一。\n\n";
    std::fs::write(&raw, format!("标题：一篇文章\n\n{}", paragraph.repeat(60))).unwrap();
    let sources = dir.join("sources");
    std::fs::create_dir_all(&sources).unwrap();
    let edited = format!(
        "---\ntitle: 手改的\n---\n\n{}",
        "手改的一段。\n\n".repeat(200)
    );
    std::fs::write(sources.join("01.md"), &edited).unwrap();
    // A disk that fills up after a few kilobytes: the file size limit of
    // the process, with the signal it raises ignored so that writes fail.
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 4 && trap '' XFSZ && exec \"$0\" import raw.txt --out sources --force")
        .arg(env!("CARGO_BIN_EXE_booklet"))
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success(), "the import did not hit the limit");
    let message = stderr(&out);
    assert!(message.contains("01.md"), "{message}");
    assert_eq!(
        std::fs::read_to_string(sources.join("01.md")).unwrap(),
        edited,
        "the hand-edited source was damaged"
    );
    assert_eq!(names_in(&sources), ["01.md"], "a temporary was left");
    // Without the limit, it is replaced.
    booklet_ok(
        &["import", "raw.txt", "--out", "sources", "--force"],
        &dir,
        &[],
    );
    let imported = std::fs::read_to_string(sources.join("01.md")).unwrap();
    assert!(imported.contains("学用结合"), "{imported}");
}

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// A copy of the example with `change` made to it, built: it must fail at
/// once, naming `file` and saying `why`.
fn refused(name: &str, args: &[&str], change: impl FnOnce(&Path), file: &str, why: &str) {
    let dir = scratch(&format!("files-refused-{name}"));
    copy_example(&dir);
    change(&dir);
    let out = booklet_within(Duration::from_secs(60), args, &dir);
    let message = stderr(&out);
    assert!(!out.status.success(), "{name}: accepted\n{message}");
    assert!(message.contains(file), "{name}: file not named\n{message}");
    assert!(message.contains(why), "{name}: reason not given\n{message}");
    assert!(
        !dir.join("out/booklet.epub").exists(),
        "{name}: wrote output"
    );
}

#[test]
fn inputs_that_are_not_regular_files_are_refused_at_once() {
    let pipe = "named pipe";
    refused(
        "source",
        &["build"],
        |d| mkfifo(&d.join("sources/03.md")),
        "sources/03.md",
        pipe,
    );
    refused(
        "manifest",
        &["build", "pipe.toml"],
        |d| mkfifo(&d.join("pipe.toml")),
        "pipe.toml",
        pipe,
    );
    refused(
        "style",
        &["check"],
        |d| {
            std::fs::create_dir_all(d.join("styles")).unwrap();
            mkfifo(&d.join("styles/default.toml"));
        },
        "styles/default.toml",
        pipe,
    );
    refused(
        "image",
        &["build"],
        |d| {
            let source = d.join("sources/02.md");
            let text = std::fs::read_to_string(&source).unwrap();
            std::fs::write(&source, format!("{text}\n\n![图](figure.png)\n")).unwrap();
            mkfifo(&d.join("sources/figure.png"));
        },
        "figure.png",
        pipe,
    );
    refused(
        "cover",
        &["build"],
        |d| {
            let manifest = d.join("booklet.toml");
            let text = std::fs::read_to_string(&manifest).unwrap();
            std::fs::write(
                &manifest,
                text.replacen("[book]\n", "[book]\ncover = \"cover.jpg\"\n", 1),
            )
            .unwrap();
            mkfifo(&d.join("cover.jpg"));
        },
        "cover.jpg",
        pipe,
    );
    refused(
        "import",
        &["import", "raw.txt", "--out", "imported"],
        |d| mkfifo(&d.join("raw.txt")),
        "raw.txt",
        pipe,
    );
    refused(
        "device",
        &["build"],
        |d| {
            let source = d.join("sources/03.md");
            std::fs::remove_file(&source).unwrap();
            std::os::unix::fs::symlink("/dev/zero", &source).unwrap();
        },
        "sources/03.md",
        "a device",
    );
}

#[test]
fn inputs_too_large_are_refused_before_they_are_read() {
    refused(
        "large-source",
        &["build"],
        |d| {
            // Sparse: it takes no room on the disk.
            let f = std::fs::File::create(d.join("sources/03.md")).unwrap();
            f.set_len(65 << 20).unwrap();
        },
        "sources/03.md",
        "may be at most 64 MiB",
    );
    refused(
        "large-manifest",
        &["check", "big.toml"],
        |d| {
            let f = std::fs::File::create(d.join("big.toml")).unwrap();
            f.set_len(2 << 20).unwrap();
        },
        "big.toml",
        "may be at most 1 MiB",
    );
}

#[test]
fn a_bogus_font_collection_is_skipped_with_a_warning_and_no_stall() {
    let dir = scratch("files-bogus-ttc");
    copy_example(&dir);
    std::fs::create_dir_all(dir.join("fonts")).unwrap();
    // 28 bytes claiming 4,294,967,295 faces: fontdb tried each in turn.
    let mut bogus = b"ttcf\x00\x01\x00\x00\xff\xff\xff\xff".to_vec();
    bogus.resize(28, 0);
    std::fs::write(dir.join("fonts/bogus.ttc"), bogus).unwrap();
    // And files that are not fonts at all, one a pipe.
    std::fs::write(dir.join("fonts/empty.ttf"), b"").unwrap();
    mkfifo(&dir.join("fonts/pipe.otf"));
    for args in [&["check"][..], &["fonts"], &["build"]] {
        let out = booklet_within(Duration::from_secs(30), args, &dir);
        let message = stderr(&out);
        assert!(out.status.success(), "{args:?}: {message}");
        for file in ["bogus.ttc", "empty.ttf", "pipe.otf"] {
            assert!(
                message.contains(file),
                "{args:?}: {file} not named\n{message}"
            );
        }
    }
}

/// The entries in a cache folder, sorted.
fn entries(cache: &Path) -> Vec<std::path::PathBuf> {
    let mut list: Vec<_> = std::fs::read_dir(cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().len() == 64)
        .collect();
    list.sort();
    list
}

#[test]
fn cache_entries_under_another_name_are_misses() {
    let dir = scratch("files-cache-swapped");
    copy_example(&dir);
    booklet_ok(&["build"], &dir, &[]);
    let clean = outputs(&dir);
    // Every entry whole and sound, each under the name of the next.
    let cache = dir.join("out/.booklet-cache");
    let list = entries(&cache);
    assert!(list.len() > 2, "{list:?}");
    let contents: Vec<Vec<u8>> = list.iter().map(|p| std::fs::read(p).unwrap()).collect();
    for (i, path) in list.iter().enumerate() {
        std::fs::write(path, &contents[(i + 1) % list.len()]).unwrap();
    }
    for _ in 0..2 {
        booklet_ok(&["build"], &dir, &[]);
        assert!(outputs(&dir) == clean, "a swapped entry was used");
    }
}

#[test]
fn a_font_replaced_by_another_of_the_same_length_is_not_reused() {
    let dir = scratch("files-cache-font");
    copy_example(&dir);
    let fonts = dir.join("fonts");
    std::fs::create_dir_all(&fonts).unwrap();
    let regular = std::fs::read(repo().join("fonts/NotoSerifCJK-Regular.ttc")).unwrap();
    let bold = std::fs::read(repo().join("fonts/NotoSerifCJK-Bold.ttc")).unwrap();
    let length = regular.len().max(bold.len());
    let padded = |mut font: Vec<u8>| {
        // Bytes after the last table change nothing a reader sees.
        font.resize(length, 0);
        font
    };
    // The shipped fonts are out of the way: the project's one file is all.
    let no_fonts = dir.join("no-fonts");
    std::fs::create_dir_all(&no_fonts).unwrap();
    let env = [("BOOKLET_FONTS", no_fonts.to_str().unwrap())];
    let body = fonts.join("Body.ttc");
    std::fs::write(&body, padded(regular)).unwrap();
    booklet_ok(&["build"], &dir, &env);
    std::fs::write(&body, padded(bold)).unwrap();
    booklet_ok(&["build"], &dir, &env);
    let cached = outputs(&dir);
    std::fs::remove_dir_all(dir.join("out")).unwrap();
    booklet_ok(&["build"], &dir, &env);
    assert!(
        cached == outputs(&dir),
        "the old font's subsets were reused"
    );
}

#[test]
fn the_cache_never_deletes_what_is_not_its_own() {
    let dir = scratch("files-cache-prune");
    copy_example(&dir);
    // A cache folder that is a link to the user's files.
    let precious = dir.join("precious");
    std::fs::create_dir_all(&precious).unwrap();
    std::fs::write(precious.join("notes.txt"), "mine").unwrap();
    std::fs::create_dir_all(dir.join("out")).unwrap();
    std::os::unix::fs::symlink(&precious, dir.join("out/.booklet-cache")).unwrap();
    let out = booklet_ok(&["build"], &dir, &[]);
    let message = stderr(&out);
    assert!(message.contains(".booklet-cache"), "{message}");
    assert_eq!(names_in(&precious), ["notes.txt"]);
    assert!(dir.join("out/.booklet-cache").is_symlink());

    // In a real cache folder, only the cache's own entries go: not a
    // file of the user's, nor what a link named like an entry points to.
    std::fs::remove_file(dir.join("out/.booklet-cache")).unwrap();
    booklet_ok(&["build"], &dir, &[]);
    let cache = dir.join("out/.booklet-cache");
    std::fs::write(cache.join("notes.txt"), "mine").unwrap();
    let linked = format!("{:064x}", 7);
    std::os::unix::fs::symlink(precious.join("notes.txt"), cache.join(&linked)).unwrap();
    let source = dir.join("sources/04.md");
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&source, text.replacen("。", "。新的一句。", 1)).unwrap();
    booklet_ok(&["build"], &dir, &[]);
    assert!(cache.join("notes.txt").is_file());
    assert_eq!(
        std::fs::read_to_string(precious.join("notes.txt")).unwrap(),
        "mine"
    );
}
