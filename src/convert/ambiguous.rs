//! Characters OpenCC can convert more than one way: the ones an editor
//! should look at after a conversion.
//!
//! Taken from the character dictionaries booklet converts with (OpenCC's
//! STCharacters and TSCharacters, which list every candidate of a
//! character, the default first): a character is one-to-many when two or
//! more of its candidates are CJK Unified Ideographs of the basic block
//! (U+4E00–U+9FFF), 发 → 發 髮, 后 → 後 后, 乾 → 干 乾. Candidates in the
//! extension blocks (鰋 → 鰋 𫚢) are rare variant forms OpenCC keeps to
//! map them back, not a choice an editor of running text faces; a
//! character with one such candidate besides its own is left out.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::opencc;
use crate::lang::Script;

/// Character → its possible conversions (the dictionary's candidates,
/// space-separated, the default first), for text written in `script`.
pub fn table(script: Script) -> &'static HashMap<char, &'static str> {
    static HANS: OnceLock<HashMap<char, &str>> = OnceLock::new();
    static HANT: OnceLock<HashMap<char, &str>> = OnceLock::new();
    let cell = match script {
        Script::Hans => &HANS,
        Script::Hant => &HANT,
    };
    cell.get_or_init(|| one_to_many(opencc::characters(script)))
}

fn one_to_many(dictionary: &'static str) -> HashMap<char, &'static str> {
    dictionary
        .lines()
        .filter_map(|l| {
            let (key, values) = l.split_once('\t')?;
            let mut chars = key.chars();
            let c = chars.next()?;
            let common = values
                .split(' ')
                .filter(|v| {
                    let mut vc = v.chars();
                    matches!(
                        (vc.next(), vc.next()),
                        (Some('\u{4E00}'..='\u{9FFF}'), None)
                    )
                })
                .count();
            (chars.next().is_none() && common > 1).then_some((c, values))
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
        assert_eq!(t[&'发'], "發 髮");
        assert!(!t.contains_key(&'的'));
        let t = table(Script::Hant);
        assert!(t.len() > 40);
        for c in ['乾', '藉', '昇'] {
            assert!(t.contains_key(&c), "{c}");
        }
        // Its other candidate is an extension-block form.
        assert!(!t.contains_key(&'鰋'));
    }
}
