//! `booklet fonts`: the CJK families this machine offers, where they come
//! from, which scripts and languages they cover, and what a manifest uses.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::FontBook;

/// One family, merged over its faces.
#[derive(Debug, Default)]
pub struct FamilyInfo {
    pub origin: &'static str,
    pub path: PathBuf,
    pub weights: Vec<u16>,
    /// Which of the probes below the family covers.
    pub covers: Vec<&'static str>,
}

/// Characters only one writing system uses, to tell coverage apart.
const PROBES: &[(&str, &str)] = &[
    ("zh-Hans", "这说门们发"),
    ("zh-Hant", "這說門們發"),
    ("ja", "あア"),
    ("ko", "한글"),
    ("Latin", "Aa"),
];

/// Families with any CJK coverage, by name.
pub fn cjk_families(book: &FontBook, project: &std::path::Path) -> BTreeMap<String, FamilyInfo> {
    let shipped = super::shipped_dir();
    let mut out: BTreeMap<String, FamilyInfo> = BTreeMap::new();
    for (db, face) in book
        .databases()
        .into_iter()
        .flat_map(|db| db.faces().map(move |f| (db, f)))
    {
        let Some(path) = super::source_path(&face.source) else {
            continue;
        };
        let covers: Vec<&'static str> = db
            .with_face_data(face.id, |data, index| {
                let parsed = super::parse_face(data, index);
                PROBES
                    .iter()
                    .filter(|(_, chars)| {
                        parsed.as_ref().is_some_and(|f| {
                            chars
                                .chars()
                                .all(|c| f.glyph_index(c).is_some_and(|g| g.0 != 0))
                        })
                    })
                    .map(|(name, _)| *name)
                    .collect()
            })
            .unwrap_or_default();
        if !covers.iter().any(|c| c.starts_with("zh")) {
            continue;
        }
        let origin = if path.starts_with(project) {
            "project"
        } else if path.starts_with(super::BUILT_IN_DIR)
            || shipped.as_ref().is_some_and(|s| path.starts_with(s))
        {
            "shipped"
        } else {
            "system"
        };
        let Some((name, _)) = face.families.first() else {
            continue;
        };
        let info = out.entry(name.clone()).or_insert_with(|| FamilyInfo {
            origin,
            path: path.clone(),
            ..FamilyInfo::default()
        });
        if !info.weights.contains(&face.weight.0) {
            info.weights.push(face.weight.0);
            info.weights.sort();
        }
        for c in covers {
            if !info.covers.contains(&c) {
                info.covers.push(c);
            }
        }
    }
    out
}
