//! The small everyday commands: init's answers and .gitignore, clean, and
//! shell completions.

mod common;

use std::process::Command;

use common::*;

#[test]
fn init_takes_a_title_and_author_and_ignores_the_outputs() {
    let dir = scratch("commands-init");
    // stdin is not a terminal here: nothing is asked, nothing waits.
    let out = booklet_ok(
        &["init", "p", "--title", "我的读本", "--author", "李四"],
        &dir,
        &[],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created p/.gitignore"));
    let project = dir.join("p");
    assert_eq!(
        std::fs::read_to_string(project.join(".gitignore")).unwrap(),
        "out/\n"
    );
    let manifest = std::fs::read_to_string(project.join("booklet.toml")).unwrap();
    assert!(manifest.contains("title = \"我的读本\""), "{manifest}");
    assert!(manifest.contains("authors = [\"李四\"]"), "{manifest}");
    booklet_ok(&["build", "--format", "epub"], &project, &[]);
    if let Some((f, e, w, report)) = epubcheck(&project.join("out/booklet.epub")) {
        assert_eq!((f, e, w), (0, 0, 0), "{report}");
    }
}

#[test]
fn clean_removes_the_outputs_and_cache_and_nothing_else() {
    let dir = scratch("commands-clean");
    booklet_ok(&["init", "p", "--title", "清理"], &dir, &[]);
    let project = dir.join("p");
    booklet_ok(&["build"], &project, &[]);
    let out = project.join("out");
    assert!(out.join(".booklet-cache").is_dir());
    // A file of the user's in the output folder, and a killed build's leftover.
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    std::fs::write(out.join(".booklet.pdf.999.tmp"), "half").unwrap();

    let run = booklet_ok(&["clean"], &project, &[]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("out/booklet.pdf") && stdout.contains(".booklet-cache"),
        "{stdout}"
    );
    let mut left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["notes.txt"]);
    for kept in [
        "booklet.toml",
        "sources/01-sample.md",
        "styles/default.css",
        ".gitignore",
    ] {
        assert!(project.join(kept).is_file(), "{kept} was removed");
    }

    // With the user's file gone too, the emptied folder goes.
    std::fs::remove_file(out.join("notes.txt")).unwrap();
    booklet_ok(&["build", "--format", "epub"], &project, &[]);
    booklet_ok(&["clean"], &project, &[]);
    assert!(!out.exists());
    let again = booklet_ok(&["clean"], &project, &[]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing to remove"));

    // No manifest: an error, not a guess.
    let none = booklet(&["clean"], &dir, &[]);
    assert_eq!(none.status.code(), Some(1));
}

#[test]
fn completions_are_scripts_the_shells_accept() {
    let dir = scratch("commands-completions");
    let bash = booklet_ok(&["completions", "bash"], &dir, &[]);
    let script = String::from_utf8_lossy(&bash.stdout).into_owned();
    for word in ["serve", "import", "clean", "--add", "--open"] {
        assert!(
            script.contains(word),
            "{word} missing from the bash completions"
        );
    }
    let file = dir.join("booklet.bash");
    std::fs::write(&file, &script).unwrap();
    if have("bash", Command::new("bash").arg("--version")) {
        let check = Command::new("bash").arg("-n").arg(&file).output().unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = booklet_ok(&["completions", shell], &dir, &[]);
        assert!(!out.stdout.is_empty(), "{shell}");
    }
    let bad = booklet(&["completions", "tcsh"], &dir, &[]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn init_asks_for_the_title_and_author_on_a_terminal() {
    // `script` gives booklet a terminal; the answers come through it.
    if !have("script", Command::new("script").arg("--version")) {
        return;
    }
    let dir = scratch("commands-init-tty");
    let exe = env!("CARGO_BIN_EXE_booklet");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "printf '终端读本\\n王五\\n' | script -qec '{exe} init p' /dev/null"
        ))
        .current_dir(&dir)
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("书名 (title)") && shown.contains("作者 (author)"),
        "{shown}"
    );
    let manifest = std::fs::read_to_string(dir.join("p/booklet.toml")).unwrap();
    assert!(manifest.contains("title = \"终端读本\""), "{manifest}");
    assert!(manifest.contains("authors = [\"王五\"]"), "{manifest}");
}
