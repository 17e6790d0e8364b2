//! The families a manifest may name, and the one it probably meant.

use crate::diag;

/// The names a manifest can use: every installed family, and for a family
/// whose faces are named per region (`Noto Serif CJK SC`, `… TC`) the name
/// without the suffix, which picks the face by language.
pub fn usable(families: &[String]) -> Vec<String> {
    const REGIONS: &[&str] = &[" SC", " TC", " HK", " JP", " KR"];
    let mut names: Vec<String> = families
        .iter()
        .filter_map(|f| REGIONS.iter().find_map(|r| f.strip_suffix(r)))
        .map(str::to_string)
        .chain(families.iter().cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The family `wanted` most likely means: the same name in another case
/// first, else the nearest by edit distance, case ignored.
pub fn closest<'a>(wanted: &str, names: &'a [String]) -> Option<&'a str> {
    let folded = wanted.trim().to_lowercase();
    if let Some(same) = names.iter().find(|n| n.to_lowercase() == folded) {
        return Some(same);
    }
    let lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let refs: Vec<&str> = lower.iter().map(String::as_str).collect();
    let best = diag::suggest(&folded, &refs)?;
    let i = refs.iter().position(|r| *r == best)?;
    Some(&names[i])
}

/// The hint for a family that was not found.
pub fn hint(wanted: &str, families: &[String]) -> String {
    let names = usable(families);
    let cjk: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| {
            ["CJK", "Song", "Kai", "Hei", "Ming", "Sans SC", "Serif SC"]
                .iter()
                .any(|k| n.contains(k))
                || n.chars().any(crate::cjk::is_han)
        })
        .collect();
    let list = if cjk.is_empty() {
        names.iter().take(30).map(String::as_str).collect()
    } else {
        cjk
    };
    let listed = format!(
        "CJK families here: {} (`booklet fonts` shows what each covers)",
        list.join(", ")
    );
    match closest(wanted, &names) {
        Some(name) => format!("did you mean `{name}`? {listed}"),
        None => listed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let families: Vec<String> = [
            "LXGW WenKai",
            "Noto Serif CJK SC",
            "Noto Serif CJK TC",
            "DejaVu Sans",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let names = usable(&families);
        assert!(names.contains(&"Noto Serif CJK".to_string()));
        assert_eq!(closest("lxgw wenkai", &names), Some("LXGW WenKai"));
        assert_eq!(closest("Noto Serif CJ", &names), Some("Noto Serif CJK"));
        assert_eq!(closest("Comic Sans", &names), None);
        let h = hint("lxgw wenkai", &families);
        assert!(h.starts_with("did you mean `LXGW WenKai`?"), "{h}");
        assert!(
            h.contains("Noto Serif CJK,") || h.contains("Noto Serif CJK "),
            "{h}"
        );
    }
}
