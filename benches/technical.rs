//! A technical book of the size of the Rust book's Chinese translation
//! (111 chapters, about 800 A5 pages): Chinese prose around code blocks,
//! inline code, tables, lists, quotes and footnotes, built cold (no cache)
//! as a whole process, EPUB + PDF, median of N runs. Target: at most 6 s on
//! the 2-core machine the project is measured on.
//!
//! The book is generated here (deterministically) from the example
//! booklet's paragraphs and a few dozen lines of Rust, so that nothing
//! fetched is committed; its page count is printed beside the time, from
//! `pdfinfo` when it is installed. Run: `cargo bench --bench technical`.

mod common;
use common::{measure, Run};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const RUNS: usize = 3;
const CHAPTERS: usize = 111;
const TARGET: Duration = Duration::from_secs(6);

/// Lines a generated code block is drawn from, Rust as a tutorial has it.
const CODE: &[&str] = &[
    "use std::collections::HashMap;",
    "use std::io::{self, Read};",
    "",
    "#[derive(Debug, Clone, PartialEq)]",
    "struct Rectangle {",
    "    width: u32,",
    "    height: u32,",
    "}",
    "",
    "impl Rectangle {",
    "    fn area(&self) -> u32 {",
    "        self.width * self.height",
    "    }",
    "",
    "    fn can_hold(&self, other: &Rectangle) -> bool {",
    "        self.width > other.width && self.height > other.height",
    "    }",
    "}",
    "",
    "fn main() {",
    "    let mut scores = HashMap::new();",
    "    scores.insert(String::from(\"蓝队\"), 10); // 插入一个键值对",
    "    let text = \"hello world wonderful world\";",
    "    for word in text.split_whitespace() {",
    "        let count = scores.entry(word.to_string()).or_insert(0);",
    "        *count += 1;",
    "    }",
    "    println!(\"{:?}\", scores);",
    "    let v: Vec<i32> = (1..=10).filter(|x| x % 2 == 0).map(|x| x * x).collect();",
    "    match v.get(100) {",
    "        Some(x) => println!(\"第一百个元素是 {x}\"),",
    "        None => println!(\"没有第一百个元素。\"),",
    "    }",
    "}",
    "",
    "fn largest<T: PartialOrd + Copy>(list: &[T]) -> T {",
    "    let mut largest = list[0];",
    "    for &item in list {",
    "        if item > largest {",
    "            largest = item;",
    "        }",
    "    }",
    "    largest",
    "}",
];

/// Shell sessions, with the compiler's diagnostics as the book prints them.
const SHELL: &[&str] = &[
    "$ cargo run",
    "   Compiling rectangles v0.1.0 (file:///projects/rectangles)",
    "error[E0382]: borrow of moved value: `s1`",
    " --> src/main.rs:5:28",
    "  |",
    "2 |     let s1 = String::from(\"hello\");",
    "  |         -- move occurs because `s1` has type `String`, which does not implement the `Copy` trait",
    "3 |     let s2 = s1;",
    "  |              -- value moved here",
    "    Finished dev [unoptimized + debuginfo] target(s) in 0.28s",
    "     Running `target/debug/rectangles`",
];

/// Terms set in inline code inside the prose.
const TERMS: &[&str] = &[
    "String",
    "Vec<T>",
    "Option<T>",
    "Result<T, E>",
    "impl Trait",
    "&mut self",
    "cargo build",
    "HashMap",
    "Box<dyn Error>",
    "unwrap()",
    "match",
    "Rc<RefCell<T>>",
    "Cargo.toml",
];

/// A small deterministic generator (xorshift), so the book is the same on
/// every machine and in every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 16) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() % items.len()]
    }
}

/// The example's paragraphs, the prose the generated chapters are made of.
fn paragraphs(repo: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo.join("sources"))
        .expect("sources/")
        .map(|e| e.expect("sources/").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source");
        let body = text.splitn(3, "---\n").nth(2).unwrap_or(&text);
        for p in body.split("\n\n") {
            let p = p.trim();
            if p.chars().count() > 60 && !p.starts_with(['#', '>', '-', '|', '!']) {
                out.push(p.replace('\n', ""));
            }
        }
    }
    out
}

/// A paragraph with inline code and, now and then, a footnote.
fn prose(rng: &mut Rng, paras: &[String], notes: &mut usize) -> String {
    let mut p = String::new();
    for (i, sentence) in rng.pick(paras).split_inclusive('。').enumerate() {
        p.push_str(sentence);
        if i % 2 == 0 {
            let _ = write!(p, "例如 `{}` 就是这样。", rng.pick(TERMS));
        }
    }
    if rng.next().is_multiple_of(7) {
        *notes += 1;
        let _ = write!(
            p,
            "[^n{notes}]\n\n[^n{notes}]: 参见标准库文档中 `{}` 一节的说明。",
            rng.pick(TERMS)
        );
    }
    p
}

fn code_block(rng: &mut Rng, lines: &[&str], lang: &str) -> String {
    let start = rng.next() % lines.len();
    let count = 4 + rng.next() % 18;
    let mut s = format!("```{lang}\n");
    for i in 0..count {
        s.push_str(lines[(start + i) % lines.len()]);
        s.push('\n');
    }
    s.push_str("```");
    s
}

fn table(rng: &mut Rng) -> String {
    let mut s = String::from("| 类型 | 说明 | 示例 |\n|:---|:---|---:|\n");
    for _ in 0..3 + rng.next() % 5 {
        let _ = writeln!(
            s,
            "| `{}` | 拥有所有权的值，离开作用域时被释放 | {} |",
            rng.pick(TERMS),
            rng.next() % 10_000
        );
    }
    s
}

fn chapter(n: usize, rng: &mut Rng, paras: &[String]) -> String {
    let mut s = format!("---\ntitle: 第 {n} 章　所有权与借用（{n}）\n---\n\n");
    let mut notes = 0;
    for section in 1..=2 {
        let _ = write!(s, "## {n}.{section} 引用与借用\n\n");
        for block in 0..4 {
            s.push_str(&prose(rng, paras, &mut notes));
            s.push_str("\n\n");
            let extra = match (block + rng.next()) % 6 {
                0 | 1 => code_block(rng, CODE, "rust"),
                2 => code_block(rng, SHELL, "console"),
                3 if block % 2 == 0 => table(rng),
                4 => format!(
                    "- 每个值都有一个所有者 `{}`；\n- 值在任一时刻只有一个所有者；\n- 当所有者离开作用域，这个值将被丢弃。",
                    rng.pick(TERMS)
                ),
                _ => format!("> 注意：{}", rng.pick(paras)),
            };
            s.push_str(&extra);
            s.push_str("\n\n");
        }
    }
    s
}

/// The generated book in `dir`: its manifest.
fn generate(repo: &Path, dir: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("src")).expect("bench folder");
    let paras = paragraphs(repo);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut manifest = String::from(
        "[book]\ntitle = \"Rust 程序设计语言（基准）\"\neditor = \"booklet\"\nlanguage = \"zh-Hans\"\ndate = \"2024-01-01\"\n\n[output]\ndir = \"out\"\nstem = \"technical\"\n",
    );
    for n in 1..=CHAPTERS {
        let name = format!("ch{n:03}.md");
        std::fs::write(dir.join("src").join(&name), chapter(n, &mut rng, &paras))
            .expect("write a chapter");
        let _ = write!(manifest, "\n[[article]]\nsource = \"src/{name}\"\n");
    }
    let path = dir.join("booklet.toml");
    std::fs::write(&path, manifest).expect("write the manifest");
    // The shipped fonts, found beside the manifest.
    #[cfg(unix)]
    std::os::unix::fs::symlink(repo.join("fonts"), dir.join("fonts")).expect("link the fonts");
    path
}

fn build(manifest: &Path) -> Run {
    let out = manifest.with_file_name("out");
    let _ = std::fs::remove_dir_all(&out);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_booklet"));
    cmd.args(["build", "--quiet", "--offline", "--out"])
        .arg(&out)
        .arg(manifest);
    measure(&mut cmd).expect("the technical book builds")
}

fn pages(pdf: &Path) -> String {
    Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().to_string()))
        })
        .unwrap_or_else(|| "? (pdfinfo not installed)".into())
}

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = generate(repo, &repo.join("target/bench-technical"));
    build(&manifest);
    let mut runs: Vec<Run> = (0..RUNS).map(|_| build(&manifest)).collect();
    runs.sort_by_key(|r| r.wall);
    let median = &runs[RUNS / 2];
    let pdf = manifest.with_file_name("out").join("technical.pdf");
    println!(
        "technical book ({CHAPTERS} chapters, {} A5 pages), cold EPUB + PDF, median of {RUNS}:",
        pages(&pdf)
    );
    println!(
        "  {:.2} s wall, {:.2} s CPU, {} MiB peak ({})",
        median.wall.as_secs_f64(),
        median.cpu.as_secs_f64(),
        median.peak_kib / 1024,
        if median.wall <= TARGET {
            "within the 6 s target"
        } else {
            "OVER the 6 s target"
        }
    );
}
