//! Characters OpenCC can convert more than one way (from its character
//! dictionaries): the ones an editor should look at after a conversion.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::lang::Script;

const S2T: &str = include_str!("s2t-one-to-many.txt");
const T2S: &str = include_str!("t2s-one-to-many.txt");

/// Character → its possible conversions, for text written in `script`.
pub fn table(script: Script) -> &'static HashMap<char, &'static str> {
    static HANS: OnceLock<HashMap<char, &str>> = OnceLock::new();
    static HANT: OnceLock<HashMap<char, &str>> = OnceLock::new();
    match script {
        Script::Hans => HANS.get_or_init(|| parse(S2T)),
        Script::Hant => HANT.get_or_init(|| parse(T2S)),
    }
}

fn parse(text: &'static str) -> HashMap<char, &'static str> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (key, values) = l.split_once('\t')?;
            let mut chars = key.chars();
            let c = chars.next()?;
            chars.next().is_none().then_some((c, values))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_cases() {
        let t = table(Script::Hans);
        assert!(t.len() > 200);
        for c in ['发', '干', '后', '里', '台'] {
            assert!(t.contains_key(&c), "{c}");
        }
        assert!(!t.contains_key(&'的'));
        assert!(table(Script::Hant).len() > 40);
    }
}
