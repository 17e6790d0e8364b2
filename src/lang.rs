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
    /// Parses and checks a BCP 47 tag: well-formed (language-script-
    /// region-variant) and with a primary language ISO 639 knows.
    pub fn parse(tag: &str) -> Result<Lang, String> {
        let tag = tag.trim();
        let mut parts = tag.split('-');
        let language = parts.next().unwrap_or("");
        let ok_lang =
            (2..=3).contains(&language.len()) && language.bytes().all(|b| b.is_ascii_alphabetic());
        if !ok_lang {
            return Err(format!("`{tag}` is not a BCP 47 language tag"));
        }
        if !is_iso_639(language) {
            let within = if language == tag {
                String::new()
            } else {
                format!(" in `{tag}`")
            };
            return Err(format!(
                "unknown language `{language}`{within}: ISO 639 has no such code"
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

    /// What to write instead of a tag [`Lang::parse`] refused.
    pub fn hint(tag: &str) -> String {
        let common = [
            "zh-Hans", "zh-Hant", "zh-CN", "zh-TW", "zh-HK", "en", "ja", "ko",
        ];
        // Only a near miss is worth naming: `xx` is not a typo of `en`.
        let lower = tag.trim().replace('_', "-").to_ascii_lowercase();
        let close = common
            .iter()
            .map(|c| {
                (
                    crate::diag::edit_distance(&c.to_ascii_lowercase(), &lower),
                    *c,
                )
            })
            .filter(|(d, _)| *d <= 1)
            .min()
            .map(|(_, c)| c);
        match close {
            Some(c) => format!(
                "did you mean `{c}`? (zh-Hans for Simplified Chinese, zh-Hant for Traditional)"
            ),
            None => "use zh-Hans for Simplified Chinese or zh-Hant for Traditional (BCP 47 tags)"
                .to_string(),
        }
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

/// ISO 639-1, and the ISO 639-3 codes of Chinese languages that have no
/// two-letter code (Cantonese, Wu, Hakka, Min, Classical Chinese, …) and
/// the registry's special codes. BCP 47 takes the two-letter code where
/// one exists, so `zho` is not here.
fn is_iso_639(code: &str) -> bool {
    const TWO: &str = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch \
        co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv \
        ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko \
        kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng \
        nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl \
        sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi \
        vo wa wo xh yi yo za zh zu";
    const THREE: &str = "cmn yue wuu hak nan gan hsn cdo cjy cpx czh czo mnp lzh och ltc \
        und mul zxx mis";
    let code = code.to_ascii_lowercase();
    let list = if code.len() == 2 { TWO } else { THREE };
    list.split_whitespace().any(|c| c == code)
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
        for ok in [
            "zh",
            "zh-Hans",
            "zh-Hant",
            "zh-CN",
            "zh-TW",
            "zh-HK",
            "zh-Hant-TW",
            "zh-Hant-HK",
            "en",
            "ja",
            "ko",
            "yue-Hant-HK",
            "en-US",
        ] {
            assert!(Lang::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["xx", "qq-Hans", "zz", "abc"] {
            assert!(Lang::parse(bad).is_err(), "{bad}");
        }
        assert!(Lang::hint("zh_hant").contains("`zh-Hant`"));
        assert!(Lang::hint("xx").contains("zh-Hans") && !Lang::hint("xx").contains("mean"));
        assert!(Lang::hint("zh-Hanz").contains("`zh-Hans`"));
    }
}
