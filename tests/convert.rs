//! Conversion agrees with OpenCC itself: on the six example articles
//! (references made by OpenCC 1.4.2, tests/fixtures/opencc/README.md) and
//! on OpenCC's own test cases.

mod common;

use booklet::convert::{Config, Conversion, Converter};
use common::{have, repo};

fn converter(config: &str) -> Converter {
    Converter::new(&Conversion {
        config: Config::parse(config).unwrap(),
        keep: vec![],
        replace: Default::default(),
    })
    .unwrap()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(repo().join("tests/fixtures/opencc").join(name)).unwrap()
}

fn articles() -> String {
    let mut files: Vec<_> = std::fs::read_dir(repo().join("sources"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

/// Characters of `b` matched in order by `a` (longest common subsequence).
fn common_chars(a: &[char], b: &[char]) -> usize {
    if a.len() == b.len() {
        return a.iter().zip(b).filter(|(x, y)| x == y).count();
    }
    let mut row = vec![0usize; b.len() + 1];
    for x in a {
        let mut diagonal = 0;
        for (j, y) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = if x == y { diagonal + 1 } else { up.max(row[j]) };
            diagonal = up;
        }
    }
    row[b.len()]
}

/// (agreeing characters, characters) of `ours` against `reference`, line by line.
fn agreement(ours: &str, reference: &str) -> (usize, usize) {
    let (mut same, mut total) = (0, 0);
    assert_eq!(ours.lines().count(), reference.lines().count());
    for (a, b) in ours.lines().zip(reference.lines()) {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        same += common_chars(&a, &b);
        total += a.len().max(b.len());
    }
    (same, total)
}

#[test]
fn agrees_with_opencc_on_the_example_articles() {
    let source = articles();
    let s2t = fixture("articles.s2t.txt");
    let s2twp = fixture("articles.s2twp.txt");
    for (config, input, reference) in [
        ("s2t", source.as_str(), s2t.clone()),
        ("s2twp", &source, s2twp.clone()),
        ("s2hk", &source, fixture("articles.s2hk.txt")),
        ("t2s", &s2t, fixture("articles.t2s.from-s2t.txt")),
        ("tw2sp", &s2twp, fixture("articles.tw2sp.from-s2twp.txt")),
    ] {
        let ours = converter(config).convert(input);
        let (same, total) = agreement(&ours, &reference);
        let share = same as f64 / total as f64;
        eprintln!(
            "{config}: {same}/{total} characters agree ({:.3} %)",
            share * 100.0
        );
        assert!(
            share >= 0.999,
            "{config}: only {:.3} % agree with OpenCC",
            share * 100.0
        );
    }
}

#[test]
fn opencc_test_cases() {
    let cases: serde_json::Value = serde_json::from_str(&fixture("testcases.json")).unwrap();
    let mut by_config: std::collections::BTreeMap<String, (usize, usize, usize, usize)> =
        Default::default();
    let mut converters = std::collections::HashMap::new();
    for case in cases["cases"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        for (config, expected) in case["expected"].as_object().unwrap() {
            let c = converters
                .entry(config.clone())
                .or_insert_with(|| converter(config));
            let ours = c.convert(input);
            let expected = expected.as_str().unwrap();
            let (same, total) = agreement(&ours, expected);
            let e = by_config.entry(config.clone()).or_default();
            e.0 += usize::from(ours == expected);
            e.1 += 1;
            e.2 += same;
            e.3 += total;
        }
    }
    let (mut same, mut total) = (0, 0);
    for (config, (exact, cases, s, t)) in &by_config {
        eprintln!(
            "{config}: {exact}/{cases} cases exact, {s}/{t} characters ({:.2} %)",
            *s as f64 * 100.0 / *t as f64
        );
        same += s;
        total += t;
    }
    let share = same as f64 / total as f64;
    eprintln!(
        "all: {same}/{total} characters agree ({:.2} %)",
        share * 100.0
    );
    // The same dictionaries and chains as OpenCC 1.4.2: every case exact.
    let inexact: Vec<String> = by_config
        .iter()
        .filter(|(_, (exact, cases, _, _))| exact != cases)
        .map(|(config, (exact, cases, _, _))| format!("{config}: {exact}/{cases}"))
        .collect();
    assert!(inexact.is_empty(), "cases not exact: {inexact:?}");
    assert!(share >= 0.999, "only {:.2} % agree", share * 100.0);
    assert!(by_config.len() == 12, "every configuration has cases");
}

/// A Python with OpenCC 1.4.2 (PyPI `opencc`): OPENCC_PYTHON, the CI's
/// venv, else the system's.
fn opencc_python() -> Option<String> {
    let candidates = std::env::var("OPENCC_PYTHON")
        .ok()
        .into_iter()
        .chain(["/opt/opencc/bin/python3".to_string(), "python3".to_string()]);
    let probe = "import opencc, importlib.metadata as m; assert m.version('opencc') == '1.4.2'";
    let found = candidates.into_iter().find(|py| {
        std::process::Command::new(py)
            .args(["-c", probe])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let mut check = std::process::Command::new(found.as_deref().unwrap_or("python3"));
    have("OpenCC 1.4.2 (PyPI opencc)", check.args(["-c", probe])).then(|| found.unwrap())
}

/// Every configuration, byte for byte the output of OpenCC 1.4.2 itself on
/// the example articles (each read in its configuration's script).
#[test]
fn every_configuration_is_opencc_s_output() {
    let Some(python) = opencc_python() else {
        return;
    };
    let dir = common::scratch("convert-opencc");
    let simplified = articles();
    let reference = |config: &str, input: &str| -> String {
        let path = dir.join(format!("{config}.in"));
        std::fs::write(&path, input).unwrap();
        let out = std::process::Command::new(&python)
            .args([
                "-c",
                "import opencc, sys; sys.stdout.write(opencc.OpenCC(sys.argv[1]).convert(open(sys.argv[2], encoding='utf-8').read()))",
                config,
            ])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let opencc_engine =
        |config: &str| booklet::convert::opencc::OpenCc::new(Config::parse(config).unwrap());
    let mut inputs = std::collections::HashMap::new();
    for (config, from) in [
        ("s2t", None),
        ("s2tw", None),
        ("s2twp", None),
        ("s2hk", None),
        ("t2s", Some("s2t")),
        ("t2tw", Some("s2t")),
        ("t2hk", Some("s2t")),
        ("tw2s", Some("s2twp")),
        ("tw2sp", Some("s2twp")),
        ("tw2t", Some("s2twp")),
        ("hk2s", Some("s2hk")),
        ("hk2t", Some("s2hk")),
    ] {
        let input: String = match from {
            None => simplified.clone(),
            Some(f) => inputs.get(f).cloned().unwrap(),
        };
        let expected = reference(config, &input);
        let ours = opencc_engine(config).convert(&input);
        if ours != expected {
            let line = ours
                .lines()
                .zip(expected.lines())
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("ours:   {a}\nOpenCC: {b}"))
                .unwrap_or_default();
            panic!("{config} differs from OpenCC 1.4.2:\n{line}");
        }
        inputs.insert(config, expected);
    }
}
