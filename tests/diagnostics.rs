//! Diagnostics as a user meets them: every problem in one `check`, each at
//! its file and line with a hint that is right; colour on a terminal only;
//! JSON for editors; the manifest found from a subfolder.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

const OK_ARTICLE: &str = "---\ntitle: 标题\n---\n\n正文第一段。\n";

fn project(name: &str, manifest: &str, files: &[(&str, &[u8])]) -> PathBuf {
    common::project(&format!("diagnostics-{name}"), manifest, files)
}

/// `booklet check` (plus `extra` arguments): exit code, stdout, stderr.
fn check(dir: &Path, extra: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    let mut args = vec!["check"];
    args.extend_from_slice(extra);
    let out = booklet(&args, dir, envs);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The diagnostics of a human-format run, one string each.
fn diagnostics(stderr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in stderr.lines() {
        if line.starts_with("error: ") || line.starts_with("warning: ") {
            out.push(line.to_string());
        } else if let Some(last) = out.last_mut() {
            last.push('\n');
            last.push_str(line);
        }
    }
    out
}

/// The one diagnostic whose first line contains `needle`.
fn find<'a>(all: &'a [String], needle: &str) -> &'a str {
    let hits: Vec<&String> = all
        .iter()
        .filter(|d| d.lines().next().unwrap_or("").contains(needle))
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "`{needle}` should be reported once in:\n{all:#?}"
    );
    hits[0]
}

fn assert_has(d: &str, needles: &[&str]) {
    for n in needles {
        assert!(d.contains(n), "missing `{n}` in:\n{d}");
    }
}

/// The target: a manifest with six kinds of mistakes gives all six
/// in one run, each at its file and line with the right hint.
#[test]
fn six_kinds_of_mistakes_in_one_check() {
    let manifest = "\
title = \"六处错误\"
cover = \"cover.png\"
language = \"xx\"

[fonts]
body = \"noto serif cjk\"

[pdf]
page = \"A9\"
toc_depth = 7

[article]
source = \"a.md\"
authors = [\"张三\"]
";
    let article = "---\ntitle: 图\n---\n\n正文。\n\n![图](missing.png)\n";
    let dir = project("six", manifest, &[("a.md", article.as_bytes())]);
    let (code, _, stderr) = check(&dir, &[], &[]);
    assert_eq!(code, 1, "{stderr}");
    let all = diagnostics(&stderr);

    // 1. The [book] line is missing: one error, not one per key.
    let d = find(&all, "outside any table");
    assert_has(
        d,
        &[
            "no [book] table",
            "booklet.toml:1:1",
            "add a line `[book]` above line 1",
        ],
    );
    // 2. A language that is no language.
    let d = find(&all, "`xx`");
    assert_has(d, &["booklet.toml:3:12", "ISO 639", "zh-Hans", "zh-Hant"]);
    // 3. A font family in the wrong case.
    let d = find(&all, "font family `noto serif cjk` not found");
    assert_has(d, &["booklet.toml:6", "did you mean `Noto Serif CJK`?"]);
    // 4. A page size that does not exist, and 5. a TOC depth out of range.
    let d = find(&all, "unknown page size `A9`");
    assert_has(d, &["booklet.toml:9:8", "148x210"]);
    let d = find(&all, "toc_depth 7");
    assert_has(d, &["booklet.toml:10:13", "1 lists articles"]);
    // 6. Single brackets, and a key in the wrong table.
    let d = find(&all, "`[article]` makes one table");
    assert_has(d, &["booklet.toml:12", "use [[article]]"]);
    let d = find(&all, "`authors` belongs in [book], not [[article]]");
    assert_has(
        d,
        &["booklet.toml:14:1", "add a line `[book]` and move it below"],
    );
    // And the later phases still ran: the cover at its manifest line, the
    // source's image at its own.
    let d = find(&all, "cover `cover.png` not found");
    assert_has(d, &["booklet.toml:2:9"]);
    let d = find(&all, "image `");
    assert_has(d, &["a.md:7", "not found"]);

    assert_eq!(all.len(), 9, "{all:#?}");
    assert!(
        stderr.contains("check failed: 9 errors"),
        "the closing line names check:\n{stderr}"
    );
    assert!(!stderr.contains("build failed"), "{stderr}");
}

#[test]
fn the_source_line_is_shown_with_a_caret() {
    let m = "[book]\ntitle = \"T\"\n[pdf]\ntoc_depth = 9\n[[article]]\nsource = \"a.md\"\n";
    let dir = project("caret", m, &[("a.md", OK_ARTICLE.as_bytes())]);
    let (code, _, stderr) = check(&dir, &[], &[]);
    assert_eq!(code, 1);
    let expected = "\
error: toc_depth 9 must be 1, 2 or 3
 --> booklet.toml:4:13
  |
4 | toc_depth = 9
  |             ^
  = hint: 1 lists articles, 2 adds their sections, 3 their subsections";
    assert!(stderr.contains(expected), "{stderr}");
}

#[test]
fn wrong_types_each_get_a_fix_and_the_rest_is_still_checked() {
    let m = "[book]\ntitle = \"T\"\nauthors = \"张三\"\ndate = \"2024-13-45\"\n\
             [pdf]\nmargin_top_mm = \"20\"\n[[article]]\nsource = \"gone.md\"\n";
    let dir = project("types", m, &[]);
    let (code, _, stderr) = check(&dir, &[], &[]);
    assert_eq!(code, 1);
    let all = diagnostics(&stderr);
    assert_has(
        find(&all, "`book.authors` must be a list"),
        &["booklet.toml:3:11", "authors = [\"张三\"]"],
    );
    assert_has(
        find(&all, "`book.date` must be YYYY-MM-DD"),
        &["booklet.toml:4"],
    );
    assert_has(
        find(&all, "`pdf.margin_top_mm` must be a number"),
        &["booklet.toml:6", "margin_top_mm = 20"],
    );
    assert_has(find(&all, "gone.md"), &["booklet.toml:8", "no such file"]);
    assert_eq!(all.len(), 4, "{all:#?}");
}

#[test]
fn no_manifest_points_to_init_and_a_source_is_not_a_manifest() {
    // Outside the repository, so that no parent folder has a booklet.toml.
    let dir = std::env::temp_dir().join(format!("booklet-no-manifest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (code, _, stderr) = check(&dir, &[], &[]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 1, "{stderr}");
    assert_has(
        &stderr,
        &[
            "no booklet.toml here or in any parent folder",
            "booklet init",
        ],
    );

    let m = "[book]\ntitle = \"T\"\n[[article]]\nsource = \"a.md\"\n";
    let dir = project("md", m, &[("a.md", OK_ARTICLE.as_bytes())]);
    let (code, _, stderr) = check(&dir, &["a.md"], &[]);
    assert_eq!(code, 1);
    assert_has(
        &stderr,
        &["`a.md` is a Markdown source, not a manifest", "[[article]]"],
    );
}

#[test]
fn the_manifest_is_found_from_a_subfolder() {
    let dir = scratch("diagnostics-subfolder");
    copy_example(&dir);
    let (code, stdout, stderr) = check(&dir.join("sources"), &[], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("checked 6 articles"), "{stdout}");

    // Files are named from where the user is, with the line shown.
    let m = "[book]\ntitle = \"T\"\n[[article]]\nsource = \"a.md\"\n";
    let a = "---\ntitle: 引号\n---\n\n他说“走吧。\n";
    let dir = project(
        "subfolder-paths",
        m,
        &[("a.md", a.as_bytes()), ("sub/x", b"")],
    );
    let (code, _, stderr) = check(&dir.join("sub"), &[], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_has(&stderr, &["--> ../a.md:5\n", "5 | 他说“走吧。"]);
}

#[test]
fn plurals_and_a_duplicate_warned_once() {
    let m = "[book]\ntitle = \"T\"\n[[article]]\nsource = \"a.md\"\n";
    let dir = project("plural", m, &[("a.md", OK_ARTICLE.as_bytes())]);
    let (code, stdout, _) = check(&dir, &[], &[]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("checked 1 article: 0 warnings, no errors"),
        "{stdout}"
    );
    let built = booklet_ok(&["build", "--format", "epub"], &dir, &[]);
    let stdout = String::from_utf8_lossy(&built.stdout);
    assert!(stdout.contains("edition: 1 article recorded"), "{stdout}");

    let m =
        "[book]\ntitle = \"T\"\n[[article]]\nsource = \"a.md\"\n[[article]]\nsource = \"a.md\"\n";
    let dir = project("twice", m, &[("a.md", OK_ARTICLE.as_bytes())]);
    let (code, stdout, stderr) = check(&dir, &[], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr.matches("listed more than once").count(),
        1,
        "{stderr}"
    );
    assert_has(&stderr, &["booklet.toml:6"]);
    assert!(
        stdout.contains("checked 2 articles: 1 warning, no errors"),
        "{stdout}"
    );
}

#[test]
fn colour_on_a_terminal_only() {
    let m = "[book]\ntitel = \"T\"\n[[article]]\nsource = \"a.md\"\n";
    let dir = project("colour", m, &[("a.md", OK_ARTICLE.as_bytes())]);
    const RED_ERROR: &str = "\x1b[1;31merror\x1b[0m";

    let (_, _, piped) = check(&dir, &[], &[]);
    assert!(!piped.contains('\x1b'), "colour in a pipe:\n{piped}");
    let (_, _, forced) = check(&dir, &["--color", "always"], &[]);
    assert!(forced.contains(RED_ERROR), "{forced:?}");
    let (_, _, never) = check(&dir, &["--color", "never"], &[]);
    assert!(!never.contains('\x1b'));

    // A real terminal, through util-linux's `script`.
    if !have(
        "script (util-linux)",
        Command::new("script").arg("--version"),
    ) {
        return;
    }
    let on_tty = |envs: &[(&str, &str)]| {
        let cmd = format!("{} check", env!("CARGO_BIN_EXE_booklet"));
        let mut c = Command::new("script");
        c.args(["-qec", &cmd, "/dev/null"])
            .current_dir(&dir)
            .env_remove("NO_COLOR")
            .env("TERM", "xterm");
        for (k, v) in envs {
            c.env(k, v);
        }
        String::from_utf8_lossy(&c.output().expect("run script").stdout).into_owned()
    };
    let tty = on_tty(&[]);
    assert!(tty.contains(RED_ERROR), "no colour on a terminal:\n{tty:?}");
    let tty = on_tty(&[("NO_COLOR", "1")]);
    assert!(
        tty.contains("error") && !tty.contains('\x1b'),
        "NO_COLOR ignored:\n{tty:?}"
    );
}

#[test]
fn json_one_object_per_diagnostic() {
    let m = "[book]\ntitle = \"T\"\nlanguage = \"xx\"\n[[article]]\nsource = \"a.md\"\n";
    let dir = project(
        "json",
        m,
        &[("a.md", "---\ntitle: 题\n---\n\n他说“走吧。\n".as_bytes())],
    );
    let (code, stdout, _) = check(&dir, &["--message-format", "json"], &[]);
    assert_eq!(code, 1);
    let objects: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let error = objects
        .iter()
        .find(|o| o["severity"] == "error")
        .expect("an error");
    assert_eq!(error["type"], "diagnostic");
    assert_eq!(error["file"], "booklet.toml");
    assert_eq!(error["line"], 3);
    assert_eq!(error["column"], 12);
    assert!(error["message"].as_str().unwrap().contains("`xx`"));
    assert!(error["hint"].as_str().unwrap().contains("zh-Hans"));
    let warning = objects
        .iter()
        .find(|o| o["severity"] == "warning")
        .expect("the quotes warning");
    assert_eq!(warning["file"], "a.md");
    assert_eq!(warning["line"], 5);
    let summary = objects.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["success"], false);
    assert_eq!(summary["errors"], 1);
    assert_eq!(summary["warnings"], 1);
}

#[test]
fn sources_get_the_importers_warnings_and_traditional_text_is_noticed() {
    let traditional =
        "---\ntitle: 繁體\n---\n\n全方位提升基層黨組織組織力，築牢奮進新征程的堅強戰鬥堡壘。\n";
    let suspicious = "---\ntitle: 可疑\n---\n\n更加堅定地?fù)泶骱诵摹⑿刨嚭诵摹⒅艺\\核心。\n\n\
                      他说“走吧。\n\n缺乏勇气和深度；\n";
    let m =
        "[book]\ntitle = \"T\"\n[[article]]\nsource = \"t.md\"\n[[article]]\nsource = \"s.md\"\n\
             [[article]]\nsource = \"ok.md\"\nlanguage = \"zh-Hant\"\n";
    let dir = project(
        "proofread",
        m,
        &[
            ("t.md", traditional.as_bytes()),
            ("s.md", suspicious.as_bytes()),
            ("ok.md", traditional.replace("繁體", "好").as_bytes()),
        ],
    );
    let (code, stdout, stderr) = check(&dir, &[], &[]);
    assert_eq!(code, 0, "{stderr}");
    let all = diagnostics(&stderr);
    assert_has(
        find(&all, "written in Traditional characters but set as zh-Hans"),
        &["t.md:1", "language: zh-Hant"],
    );
    assert_has(find(&all, "possible mojibake"), &["s.md:5"]);
    assert_has(find(&all, "opening and"), &["s.md:7"]);
    assert_has(find(&all, "ends mid-sentence"), &["s.md:9"]);
    assert_eq!(all.len(), 4, "{all:#?}");
    assert!(
        stdout.contains("checked 3 articles: 4 warnings"),
        "{stdout}"
    );
}

#[test]
fn language_tags_are_checked_against_iso_639() {
    for (tag, ok) in [
        ("zh-Hant-TW", true),
        ("zh-HK", true),
        ("en", true),
        ("xx", false),
        ("chinese", false),
    ] {
        let m = format!(
            "[book]\ntitle = \"T\"\nlanguage = \"{tag}\"\n[[article]]\nsource = \"a.md\"\n"
        );
        let dir = project(
            &format!("lang-{tag}"),
            &m,
            &[("a.md", OK_ARTICLE.as_bytes())],
        );
        let (code, _, stderr) = check(&dir, &[], &[]);
        assert_eq!(code == 0, ok, "{tag}: {stderr}");
        if !ok {
            assert_has(&stderr, &["booklet.toml:3", "= hint:"]);
        }
    }
}
