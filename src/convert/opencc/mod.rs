//! OpenCC's conversion over OpenCC's own dictionaries (release 1.4.2, in
//! `dictionaries/`): the same configurations, stage for stage, so that the
//! output is OpenCC's.
//!
//! A configuration is a normalisation (CJK compatibility ideographs to
//! their unified forms), an optional segmentation (longest phrases first,
//! unmatched characters run together) and a chain of conversions; each
//! segment goes through the whole chain on its own, so a later stage never
//! matches across the boundary of two earlier phrases. A conversion takes,
//! at each place, the longest key of its dictionary; a group of
//! dictionaries takes either the first dictionary that matches at all
//! (OpenCC's "short_circuit") or the longest match of any (its "union");
//! each group is merged into one [`Table`] so that a match is one walk.

mod table;

use std::sync::OnceLock;

use super::Config as Name;
use table::Table;

macro_rules! dictionaries {
    ($($name:ident),* $(,)?) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy)]
        enum D { $($name),* }
        const TEXTS: &[&str] = &[
            $(include_str!(concat!("dictionaries/", stringify!($name), ".txt"))),*
        ];
    };
}

dictionaries!(
    CJK_Compatibility_Ideographs,
    STPhrases,
    STPhrases_GeneratedFromRegionalPhrases,
    STCharacters,
    TWPhrases,
    TWVariantsPhrases,
    TWVariants,
    HKVariantsPhrases,
    HKVariants,
    TSPhrases,
    TSCharactersExt,
    TSCharacters,
    TWVariantsRevPhrases,
    TWVariantsRev,
    TWPhrasesRev,
    HKVariantsRevPhrases,
    HKVariantsRev,
);

/// The character dictionary of conversions from `script` (OpenCC's text
/// form), which lists every candidate of a character.
pub fn characters(script: crate::lang::Script) -> &'static str {
    match script {
        crate::lang::Script::Hans => TEXTS[D::STCharacters as usize],
        crate::lang::Script::Hant => TEXTS[D::TSCharacters as usize],
    }
}

/// The dictionary groups the configurations use, each merged into one
/// table the first time a configuration needs it.
#[derive(Clone, Copy)]
enum Group {
    Normalise,
    StPhrases,
    /// OpenCC's s2t stage: the phrases, else the characters.
    ToTraditional,
    StCharacters,
    TwVariants,
    TwPhrases,
    HkVariants,
    TsPhrases,
    ToSimplified,
    TwVariantsRev,
    TwPhrasesRev,
    HkVariantsRev,
}

const GROUPS: usize = 12;

static TABLES: [OnceLock<Table>; GROUPS] = [const { OnceLock::new() }; GROUPS];

impl Group {
    /// The members in OpenCC's order (a short-circuit group), each the
    /// dictionaries of one union.
    fn members(self) -> &'static [&'static [D]] {
        use D::*;
        match self {
            Group::Normalise => &[&[CJK_Compatibility_Ideographs]],
            Group::StPhrases => &[&[STPhrases, STPhrases_GeneratedFromRegionalPhrases]],
            Group::ToTraditional => &[
                &[STPhrases, STPhrases_GeneratedFromRegionalPhrases],
                &[STCharacters],
            ],
            Group::StCharacters => &[&[STCharacters]],
            Group::TwVariants => &[&[TWVariantsPhrases], &[TWVariants]],
            Group::TwPhrases => &[&[TWPhrases], &[TWVariantsPhrases], &[TWVariants]],
            Group::HkVariants => &[&[HKVariantsPhrases], &[HKVariants]],
            Group::TsPhrases => &[&[TSPhrases]],
            Group::ToSimplified => &[&[TSPhrases], &[TSCharactersExt], &[TSCharacters]],
            Group::TwVariantsRev => &[&[TWVariantsRevPhrases], &[TWVariantsRev]],
            Group::TwPhrasesRev => &[&[TWPhrasesRev], &[TWVariantsRevPhrases], &[TWVariantsRev]],
            Group::HkVariantsRev => &[&[HKVariantsRevPhrases], &[HKVariantsRev]],
        }
    }

    fn table(self) -> &'static Table {
        TABLES[self as usize].get_or_init(|| {
            let members: Vec<Vec<&'static str>> = self
                .members()
                .iter()
                .map(|m| m.iter().map(|&d| TEXTS[d as usize]).collect())
                .collect();
            let members: Vec<&[&'static str]> = members.iter().map(Vec::as_slice).collect();
            Table::new(&members)
        })
    }

    fn built(self) -> bool {
        TABLES[self as usize].get().is_some()
    }
}

/// A configuration ready to convert.
pub struct OpenCc {
    normalise: &'static Table,
    segmentation: Option<&'static Table>,
    /// Set when the chain's first stage is "the segmentation's phrases,
    /// else these characters": a phrase segment's first conversion is then
    /// the value segmentation found, and a run between phrases (where no
    /// phrase begins) goes through these characters alone. The same output
    /// as running the stage, without looking every phrase up twice.
    characters: Option<&'static Table>,
    chain: Vec<&'static Table>,
}

impl OpenCc {
    /// The configuration as OpenCC 1.4.2's `<name>.json` sets it up.
    pub fn new(name: Name) -> OpenCc {
        let (segmentation, characters, chain) = Self::groups(name);
        OpenCc {
            normalise: Group::Normalise.table(),
            segmentation: segmentation.map(Group::table),
            characters: characters.map(Group::table),
            chain: chain.into_iter().map(Group::table).collect(),
        }
    }

    /// Whether every table of `name` is built already.
    pub fn ready(name: Name) -> bool {
        let (segmentation, characters, chain) = Self::groups(name);
        [Some(Group::Normalise), segmentation, characters]
            .into_iter()
            .flatten()
            .chain(chain)
            .all(Group::built)
    }

    /// (segmentation, characters, chain): see `characters` for the s2tw,
    /// s2twp and s2hk chains, whose first stage is ToTraditional.
    fn groups(name: Name) -> (Option<Group>, Option<Group>, Vec<Group>) {
        use Group::*;
        match name {
            Name::S2t => (None, None, vec![ToTraditional]),
            Name::S2tw => (Some(StPhrases), Some(StCharacters), vec![TwVariants]),
            Name::S2twp => (Some(StPhrases), Some(StCharacters), vec![TwPhrases]),
            Name::S2hk => (Some(StPhrases), Some(StCharacters), vec![HkVariants]),
            Name::T2s => (None, None, vec![ToSimplified]),
            Name::Tw2s => (Some(TsPhrases), None, vec![TwVariantsRev, ToSimplified]),
            Name::Tw2sp => (Some(TsPhrases), None, vec![TwPhrasesRev, ToSimplified]),
            Name::Hk2s => (Some(TsPhrases), None, vec![HkVariantsRev, ToSimplified]),
            Name::T2tw => (None, None, vec![TwVariants]),
            Name::Tw2t => (None, None, vec![TwVariantsRev]),
            Name::T2hk => (None, None, vec![HkVariants]),
            Name::Hk2t => (None, None, vec![HkVariantsRev]),
        }
    }

    pub fn convert(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + text.len() / 8);
        self.convert_into(text, &mut out);
        out
    }

    pub fn convert_into(&self, text: &str, out: &mut String) {
        // Compatibility ideographs are rare: most text needs no pass.
        let normalised;
        let text = if text.chars().any(is_compatibility_ideograph) {
            let mut n = String::with_capacity(text.len());
            self.normalise.convert(text, &mut n);
            normalised = n;
            normalised.as_str()
        } else {
            text
        };
        let (mut a, mut b) = (String::new(), String::new());
        // Runs `segment` through `stages` into `out`.
        let mut run = |segment: &str, stages: &[&Table], out: &mut String| {
            let Some((last, stages)) = stages.split_last() else {
                out.push_str(segment);
                return;
            };
            let mut input = segment;
            for stage in stages {
                a.clear();
                stage.convert(input, &mut a);
                std::mem::swap(&mut a, &mut b);
                input = &b;
            }
            last.convert(input, out);
        };
        match (self.segmentation, self.characters) {
            (Some(seg), Some(characters)) => {
                let mut first = String::new();
                seg.segment(text, |segment, value| match value {
                    Some(value) => run(value, &self.chain, out),
                    None => {
                        first.clear();
                        characters.convert(segment, &mut first);
                        run(&first, &self.chain, out);
                    }
                });
            }
            (Some(seg), None) => seg.segment(text, |segment, _| run(segment, &self.chain, out)),
            (None, _) => run(text, &self.chain, out),
        }
    }
}

fn is_compatibility_ideograph(c: char) -> bool {
    matches!(c, '\u{F900}'..='\u{FAFF}' | '\u{2F800}'..='\u{2FA1F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_decide_one_to_many_characters() {
        let s2t = OpenCc::new(Name::S2t);
        assert_eq!(s2t.convert("头发和发展"), "頭髮和發展");
        assert_eq!(s2t.convert("干燥的树干"), "乾燥的樹幹");
        let s2twp = OpenCc::new(Name::S2twp);
        assert_eq!(s2twp.convert("鼠标和软件"), "滑鼠和軟體");
        let t2s = OpenCc::new(Name::T2s);
        assert_eq!(t2s.convert("頭髮和發展"), "头发和发展");
    }

    #[test]
    fn description_sequences_and_compatibility_ideographs() {
        assert_eq!(table::ids_len("⿰氵青x"), Some("⿰氵青".len()));
        assert_eq!(table::ids_len("⿰氵"), None);
        assert_eq!(table::ids_len("氵"), None);
        let s2t = OpenCc::new(Name::S2t);
        // U+F900 (豈, compatibility) is normalised to U+8C48 first.
        assert_eq!(s2t.convert("\u{F900}"), "\u{8C48}");
        assert_eq!(s2t.convert(""), "");
        assert_eq!(s2t.convert("abc 123"), "abc 123");
    }
}
