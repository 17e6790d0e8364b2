//! End to end: `booklet import` on the five seed scrapes against a careful
//! manual edit (tests/fixtures/import/expected/), and the command's promises
//! about the file system (dry run, no overwrite, bad input, inputs intact).

use std::path::{Path, PathBuf};
use std::process::Command;

use booklet::cjk::{is_han, is_wide};
use booklet::import::{self, furniture};
use booklet::source::frontmatter::{self, FrontMatter};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import")
}

/// The seed files: the user's raw scrapes, kept with the fixtures so that
/// the test needs nothing outside the repository.
fn seeds() -> Vec<PathBuf> {
    let dir = fixtures().join("seeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("seeds not found at {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
}

/// 1 − Levenshtein distance / length of the reference, over characters.
fn similarity(reference: &str, actual: &str) -> f64 {
    let a: Vec<char> = reference.chars().collect();
    let b: Vec<char> = actual.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    1.0 - prev[b.len()] as f64 / a.len().max(1) as f64
}

fn parse(markdown: &str) -> (FrontMatter, String) {
    let (fm, body, _) = frontmatter::split(markdown).expect("front matter parses");
    (fm, body.to_string())
}

fn headings(body: &str) -> Vec<&str> {
    body.lines().filter(|l| l.starts_with('#')).collect()
}

#[test]
fn seeds_match_the_manual_edit() {
    let files = seeds();
    let plan = import::plan(&files).expect("seeds import");
    println!("{}", plan.report);
    assert_eq!(plan.documents.len(), 6, "five seed files give six articles");

    let (mut found, mut expected_headings) = (0, 0);
    for doc in &plan.documents {
        let reference = std::fs::read_to_string(fixtures().join("expected").join(&doc.file_name))
            .expect("expected file");
        let (want, want_body) = parse(&reference);
        let (got, got_body) = parse(&doc.markdown);

        // Titles exact; author, source, date, note and language wherever the
        // scrape has them (the reference leaves the others out).
        for key in ["title", "author", "source", "date", "language", "note"] {
            assert_eq!(got.get(key), want.get(key), "{}: `{key}`", doc.file_name);
        }
        for key in got.fields.keys() {
            assert!(
                ["title", "author", "source", "date", "language", "note"].contains(&key.as_str()),
                "{}: front-matter key `{key}` is not one the build knows",
                doc.file_name
            );
        }

        let sim = similarity(&want_body, &got_body);
        println!("{}: body similarity {:.2} %", doc.file_name, sim * 100.0);
        assert!(sim >= 0.98, "{}: similarity {sim:.4} < 0.98", doc.file_name);

        let got_headings = headings(&got_body);
        for h in headings(&want_body) {
            expected_headings += 1;
            found += usize::from(got_headings.contains(&h));
        }
        // Mojibake is left for the human, who is told where it is.
        let mut checked = got_body.clone();
        for w in plan
            .report
            .warnings
            .iter()
            .filter(|w| w.message.contains("mojibake"))
        {
            if let Some(run) = w
                .message
                .split('“')
                .nth(1)
                .and_then(|r| r.split('”').next())
            {
                checked = checked.replace(&run.replace('\\', "\\\\"), "");
            }
        }
        check_clean(&doc.file_name, &checked);
    }
    let ratio = found as f64 / expected_headings as f64;
    println!(
        "headings recognised: {found}/{expected_headings} = {:.1} %",
        ratio * 100.0
    );
    assert!(ratio >= 0.9);

    // The two things a human must look at.
    let warned = |file: &str, line: u32, what: &str| {
        plan.report
            .warnings
            .iter()
            .any(|w| w.file.contains(file) && w.line == line && w.message.contains(what))
    };
    assert!(warned("004_", 8, "mojibake"), "{:?}", plan.report.warnings);
    assert!(
        warned("003_", 7, "mid-sentence"),
        "{:?}",
        plan.report.warnings
    );
}

/// The output targets: no furniture, pinyin, half-width punctuation or
/// spaces between Chinese characters. Headings may separate two clauses with
/// one ideographic space, as printed titles do.
fn check_clean(name: &str, body: &str) {
    for line in body.lines().filter(|l| !l.is_empty()) {
        assert_eq!(
            furniture::classify(line),
            None,
            "{name}: furniture `{line}`"
        );
        let chars: Vec<char> = line.chars().collect();
        for (i, w) in chars.windows(3).enumerate() {
            let (a, b, c) = (w[0], w[1], w[2]);
            let context = || {
                chars[i.saturating_sub(5)..(i + 8).min(chars.len())]
                    .iter()
                    .collect::<String>()
            };
            assert!(
                !(is_han(a) && b == '(' && c.is_ascii_lowercase()),
                "{name}: pinyin `{}`",
                context()
            );
            let half = matches!(b, ',' | ':' | ';' | '?' | '!' | '(' | ')');
            assert!(
                !(half && (is_wide(a) || is_wide(c))),
                "{name}: half-width `{}`",
                context()
            );
            let space = b.is_whitespace() || b == '\u{3000}';
            let heading_clause = line.starts_with('#') && b == '\u{3000}' && is_han(a) && is_han(c);
            assert!(
                !(space && is_wide(a) && is_wide(c)) || heading_clause,
                "{name}: space between Chinese characters `{}`",
                context()
            );
        }
    }
}

/// The committed sources/ (the importer's output after the human review)
/// load cleanly through the build: six articles in seed order, and the one
/// hand edit recorded in its article's front matter. The only warnings are
/// the proofreader's about what the review keeps on purpose (see
/// tests/fixtures/import/expected/README.md): 002's `实心实政“` and the
/// truncated end of 003.
#[test]
fn committed_sources_load_without_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = booklet::manifest::Manifest::load(&root.join("booklet.toml")).expect("manifest");
    let sources: Vec<String> = manifest
        .articles
        .iter()
        .map(|a| a.source.display().to_string())
        .collect();
    let want: Vec<String> = (1..=6).map(|n| format!("sources/{n:02}.md")).collect();
    assert_eq!(sources, want);
    let mut diags = booklet::diag::Diagnostics::default();
    let cache = booklet::cache::Cache::disabled();
    let book = booklet::source::load_book(&manifest, &cache, &mut diags).expect("sources load");
    let problems: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    assert!(!diags.has_errors(), "{problems:?}");
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("8 opening and 6 closing quotes")
            && problems[0].contains("sources/03.md:17"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("ends mid-sentence") && problems[1].contains("sources/05.md:39"),
        "{problems:?}"
    );
    assert_eq!(book.articles.len(), 6);
    let edited = std::fs::read_to_string(root.join("sources/06.md")).unwrap();
    let (fm, body) = parse(&edited);
    assert!(matches!(fm.fields.get("edits"), Some(frontmatter::Value::List(l)) if l.len() == 1));
    assert!(body.contains("擁戴核心、信賴核心、忠誠核心") && !body.contains('⑿'));
}

#[test]
fn similarity_measure() {
    assert_eq!(similarity("abc", "abc"), 1.0);
    assert!((similarity("abcd", "abxd") - 0.75).abs() < 1e-9);
    assert!((similarity("中文文本", "中文") - 0.5).abs() < 1e-9);
}

// --- the command ---------------------------------------------------------

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("booklet-import-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn booklet(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_booklet"))
        .arg("import")
        .args(args)
        .output()
        .expect("run booklet")
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn dry_run_writes_nothing_and_existing_files_are_kept() {
    let tmp = TempDir::new("cli");
    let out = tmp.0.join("sources");
    let gbk = fixtures().join("gbk.txt");
    let bom = fixtures().join("bom.txt");
    let big5 = fixtures().join("big5.txt");
    let inputs_before: Vec<Vec<u8>> = [&gbk, &bom, &big5]
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();

    let import_all = |extra: Option<&str>| {
        let mut args = vec![
            gbk.as_os_str(),
            bom.as_os_str(),
            big5.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ];
        args.extend(extra.map(std::ffi::OsStr::new));
        booklet(&args)
    };

    let run = import_all(Some("--dry-run"));
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    for encoding in [
        "gbk.txt: GBK",
        "bom.txt: UTF-8 (with BOM)",
        "big5.txt: Big5",
    ] {
        assert!(stdout.contains(encoding), "{stdout}");
    }
    assert!(stdout.contains("would write"), "{stdout}");
    assert!(!out.exists(), "a dry run created the output folder");

    // A real run writes 01 (gbk), 02 and 03 (the two parts of bom.txt), 04 (big5).
    let run = import_all(None);
    assert!(run.status.success());
    assert_eq!(files_in(&out), ["01.md", "02.md", "03.md", "04.md"]);
    let first = std::fs::read_to_string(out.join("01.md")).unwrap();
    assert!(
        first.contains("title: 学习贯彻全会精神") && first.contains("date: 2023-05-06"),
        "{first}"
    );
    let last = std::fs::read_to_string(out.join("04.md")).unwrap();
    assert!(
        last.contains("language: zh-Hant") && last.contains("note: 作者系某某大學教授"),
        "{last}"
    );

    // A second import goes on numbering after the files already there,
    // touching none of them; its dry run shows the whole report too.
    std::fs::write(out.join("02.md"), "hand edited").unwrap();
    let run = import_all(Some("--dry-run"));
    assert!(run.status.success());
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("gbk.txt: GBK") && stdout.contains("changes:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("would write") && stdout.contains("05.md"),
        "{stdout}"
    );
    let run = import_all(None);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        files_in(&out),
        ["01.md", "02.md", "03.md", "04.md", "05.md", "06.md", "07.md", "08.md"]
    );
    assert_eq!(
        std::fs::read_to_string(out.join("02.md")).unwrap(),
        "hand edited"
    );
    assert_eq!(std::fs::read_to_string(out.join("05.md")).unwrap(), first);

    // --force numbers from 01 again, replacing.
    let run = import_all(Some("--force"));
    assert!(run.status.success());
    assert_ne!(
        std::fs::read_to_string(out.join("02.md")).unwrap(),
        "hand edited"
    );

    // An input among the targets is refused, and a dry run says so after
    // its full report.
    let inside = out.join("01.md");
    let run = booklet(&[
        inside.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--force".as_ref(),
        "--dry-run".as_ref(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stdout).contains("changes:"));
    assert!(String::from_utf8_lossy(&run.stderr).contains("is one of the inputs"));

    let inputs_after: Vec<Vec<u8>> = [&gbk, &bom, &big5]
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(
        inputs_before, inputs_after,
        "the importer modified an input"
    );
}

#[test]
fn bad_input_fails_naming_the_file_and_writes_nothing() {
    let tmp = TempDir::new("bad");
    let out = tmp.0.join("out");
    let binary = tmp.0.join("picture.txt");
    std::fs::write(&binary, [0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xFF, 0]).unwrap();
    let missing = tmp.0.join("missing.txt");
    let empty = tmp.0.join("empty.txt");
    std::fs::write(&empty, "\n \n").unwrap();
    let good = fixtures().join("gbk.txt");
    for bad in [&binary, &missing, &empty, &tmp.0] {
        let run = booklet(&[
            good.as_os_str(),
            bad.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        assert_eq!(run.status.code(), Some(1), "{}", bad.display());
        let stderr = String::from_utf8_lossy(&run.stderr);
        let shown = bad.display().to_string();
        assert!(stderr.contains(&shown), "{stderr}");
        assert!(!out.exists(), "something was written for {shown}");
    }
    // Usage errors are clap's: exit 2.
    let run = booklet(&[]);
    assert_eq!(run.status.code(), Some(2));
}

/// Malformed text of every kind must not panic the importer.
#[test]
fn no_panics_on_odd_input() {
    let pieces = [
        "",
        " ",
        "\n",
        "\r\n",
        "(",
        ")",
        "（",
        "）",
        "(xué",
        "學(",
        "之一——",
        "■",
        "来源:",
        "作者：",
        "日期:2022/13/45",
        "一、",
        "（一）",
        "。",
        "，",
        "“",
        "”",
        "\u{3000}",
        "\u{FEFF}",
        "\u{FFFD}",
        "⑿",
        "\\",
        "*",
        "#",
        "1.",
        "中",
        "文",
        "a",
        "9",
        "|",
        "｜",
        "：",
        ":",
        "——",
        "……",
        "?",
        "!",
        "𠀀",
        "é",
        "\t",
        "2022年2月9日",
        "当前位置",
        "(作者系",
        "ICP备12345678号",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut charsets = import::script::Charsets;
    for _ in 0..3000 {
        let len = (next() % 40) as usize;
        let text: String = (0..len)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        let mut report = import::Report::default();
        let _ = import::convert("fuzz", text.as_bytes(), &mut charsets, &mut report);
    }
    // Raw bytes too: invalid UTF-8 goes through the detector.
    for _ in 0..500 {
        let len = (next() % 64) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| (next() % 256) as u8).collect();
        let mut report = import::Report::default();
        let _ = import::convert("fuzz", &bytes, &mut charsets, &mut report);
    }
}

#[test]
fn import_add_twice_builds_a_booklet_with_every_article() {
    let tmp = TempDir::new("add");
    let project = tmp.0.join("book");
    let init = Command::new(env!("CARGO_BIN_EXE_booklet"))
        .args(["init", "book", "--title", "合集"])
        .current_dir(&tmp.0)
        .output()
        .unwrap();
    assert!(init.status.success());
    let manifest_before = std::fs::read_to_string(project.join("booklet.toml")).unwrap();
    let import = |inputs: &[PathBuf]| {
        let out = Command::new(env!("CARGO_BIN_EXE_booklet"))
            .arg("import")
            .args(inputs)
            .arg("--add")
            .current_dir(&project)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = import(&[fixtures().join("gbk.txt"), fixtures().join("bom.txt")]);
    assert!(
        first.contains("added [[article]] source = \"sources/03.md\""),
        "{first}"
    );
    let second = import(&[fixtures().join("big5.txt")]);
    assert!(second.contains("wrote sources/04.md"), "{second}");
    assert!(
        second.contains("added [[article]] source = \"sources/04.md\""),
        "{second}"
    );

    // The manifest kept every line it had, comments included.
    let manifest = std::fs::read_to_string(project.join("booklet.toml")).unwrap();
    assert!(manifest.starts_with(&manifest_before), "{manifest}");
    let entries = manifest.lines().filter(|l| *l == "[[article]]").count();
    assert_eq!(entries, 5, "{manifest}");

    let build = Command::new(env!("CARGO_BIN_EXE_booklet"))
        .args(["build", "--format", "epub"])
        .current_dir(&project)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&build.stdout);
    assert!(
        build.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&build.stderr)
    );
    assert!(stdout.contains("5 articles"), "{stdout}");
}
