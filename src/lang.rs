//! Language tags and what follows from them: script (Simplified or
//! Traditional) and punctuation style (mainland GB or Taiwan/Hong Kong CNS).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Script {
    Hans,
    Hant,
}

/// How CJK punctuation is set (clreq §3.1; typst's `CjkPunctStyle`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PunctStyle {
    /// GB/T 15834: marks sit in the corner of the frame; adjacent marks compress.
    Gb,
    /// Taiwan Ministry of Education: centred marks, no compression.
    Cns,
}

/// A well-formed BCP 47 tag, with the script it implies for Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Lang {
    pub tag: String,
}

impl Lang {
    /// Parses and checks a BCP 47 tag (well-formedness of the common
    /// language-script-region-variant form, not registry membership).
    pub fn parse(tag: &str) -> Result<Lang, String> {
        let tag = tag.trim();
        let mut parts = tag.split('-');
        let language = parts.next().unwrap_or("");
        let ok_lang = (2..=3).contains(&language.len())
            && language.bytes().all(|b| b.is_ascii_alphabetic());
        if !ok_lang {
            return Err(format!(
                "`{tag}` is not a BCP 47 language tag (expected e.g. zh-Hans, zh-Hant, zh-CN)"
            ));
        }
        for part in parts {
            let ok = match part.len() {
                4 => part.bytes().all(|b| b.is_ascii_alphabetic()), // script
                2 => part.bytes().all(|b| b.is_ascii_alphabetic()), // region
                3 => part.bytes().all(|b| b.is_ascii_digit()),      // UN M.49 region
                5..=8 => part.bytes().all(|b| b.is_ascii_alphanumeric()), // variant
                _ => false,
            };
            if !ok {
                return Err(format!(
                    "`{tag}` is not a BCP 47 language tag: subtag `{part}` is malformed"
                ));
            }
        }
        Ok(Lang {
            tag: tag.to_string(),
        })
    }

    pub fn zh_hans() -> Lang {
        Lang {
            tag: "zh-Hans".into(),
        }
    }

    fn subtags(&self) -> impl Iterator<Item = &str> {
        self.tag.split('-').skip(1)
    }

    pub fn script(&self) -> Script {
        let traditional = self.subtags().any(|s| {
            s.eq_ignore_ascii_case("hant")
                || s.eq_ignore_ascii_case("tw")
                || s.eq_ignore_ascii_case("hk")
                || s.eq_ignore_ascii_case("mo")
        });
        let simplified = self.subtags().any(|s| s.eq_ignore_ascii_case("hans"));
        if traditional && !simplified {
            Script::Hant
        } else {
            Script::Hans
        }
    }

    pub fn punct_style(&self) -> PunctStyle {
        match self.script() {
            Script::Hans => PunctStyle::Gb,
            Script::Hant => PunctStyle::Cns,
        }
    }

    /// The tag for PDF `/Lang` and shaping, which prefer a region.
    pub fn with_region(&self) -> &str {
        match self.script() {
            Script::Hans => "zh-CN",
            Script::Hant => "zh-TW",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(Lang::parse("zh-Hans").unwrap().script(), Script::Hans);
        assert_eq!(Lang::parse("zh-Hant").unwrap().script(), Script::Hant);
        assert_eq!(Lang::parse("zh-TW").unwrap().punct_style(), PunctStyle::Cns);
        assert_eq!(Lang::parse("zh-CN").unwrap().punct_style(), PunctStyle::Gb);
        assert!(Lang::parse("chinese").is_err());
        assert!(Lang::parse("zh_Hans").is_err());
        assert!(Lang::parse("").is_err());
    }
}
