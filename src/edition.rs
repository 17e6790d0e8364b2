//! Edition report: every build records a content hash per article beside
//! its outputs; the next build says which articles changed, were added or
//! were removed since then, so a reader of a new edition knows what is new.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::manifest::Manifest;

const FILE: &str = ".booklet-edition.json";

#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Edition {
    /// Source path as the manifest names it → (title, content hash).
    pub articles: BTreeMap<String, (String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// No earlier edition was recorded in this output folder.
    pub first: bool,
    pub changed: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty() && self.removed.is_empty()
    }

    pub fn summary(&self, total: usize) -> String {
        if self.first {
            return format!(
                "edition: {} recorded (first build here)",
                crate::diag::count(total, "article")
            );
        }
        if self.is_empty() {
            return "edition: no article changed since the last build".into();
        }
        let list = |label: &str, v: &[String]| {
            (!v.is_empty()).then(|| format!("{label} {}", v.join(", ")))
        };
        let parts: Vec<String> = [
            list("changed:", &self.changed),
            list("added:", &self.added),
            list("removed:", &self.removed),
        ]
        .into_iter()
        .flatten()
        .collect();
        format!("edition: {}", parts.join("; "))
    }
}

/// The current edition: hashes of each article's source bytes and its
/// manifest entry (a title or language override is a change too).
pub fn current(manifest: &Manifest, titles: &[String]) -> Edition {
    let mut articles = BTreeMap::new();
    for (entry, title) in manifest.articles.iter().zip(titles) {
        let bytes =
            crate::input::read(&manifest.resolve(&entry.source), crate::input::Kind::Source)
                .unwrap_or_default();
        let mut h = blake3::Hasher::new();
        h.update(&bytes);
        h.update(format!("{:?}{:?}", entry.title, entry.language).as_bytes());
        articles.insert(
            entry.source.to_string_lossy().into_owned(),
            (title.clone(), h.finalize().to_hex()[..16].to_string()),
        );
    }
    Edition { articles }
}

/// The record of the manifest's own edition, or of one `[[edition]]`.
pub fn path(out_dir: &Path, edition: Option<&str>) -> PathBuf {
    match edition {
        None => out_dir.join(FILE),
        Some(name) => out_dir.join(format!(".booklet-edition-{name}.json")),
    }
}

/// Compares with the edition recorded in `out_dir` (a missing or unreadable
/// record counts as a first build) and records the new one.
pub fn compare_and_record(out_dir: &Path, edition: Option<&str>, now: &Edition) -> Changes {
    let record = path(out_dir, edition);
    let before: Option<Edition> = crate::input::read(&record, crate::input::Kind::Record)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let changes = match &before {
        None => Changes {
            first: true,
            ..Changes::default()
        },
        Some(old) => diff(old, now),
    };
    if let Ok(json) = serde_json::to_vec_pretty(now) {
        let _ = crate::output::write_record(&record, &json);
    }
    changes
}

fn diff(old: &Edition, new: &Edition) -> Changes {
    let mut c = Changes::default();
    for (source, (_, hash)) in &new.articles {
        match old.articles.get(source) {
            None => c.added.push(source.clone()),
            Some((_, h)) if h != hash => c.changed.push(source.clone()),
            Some(_) => {}
        }
    }
    c.removed = old
        .articles
        .keys()
        .filter(|s| !new.articles.contains_key(*s))
        .cloned()
        .collect();
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ed(items: &[(&str, &str)]) -> Edition {
        Edition {
            articles: items
                .iter()
                .map(|(s, h)| (s.to_string(), ("t".to_string(), h.to_string())))
                .collect(),
        }
    }

    #[test]
    fn diffs() {
        let c = diff(
            &ed(&[("a", "1"), ("b", "2")]),
            &ed(&[("a", "1"), ("b", "3"), ("c", "4")]),
        );
        assert_eq!(c.changed, ["b"]);
        assert_eq!(c.added, ["c"]);
        assert!(c.removed.is_empty());
        let c = diff(&ed(&[("a", "1")]), &ed(&[]));
        assert_eq!(c.removed, ["a"]);
        assert!(c.summary(0).contains("removed: a"));
    }
}
