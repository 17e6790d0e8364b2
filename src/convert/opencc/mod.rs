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
//! (`First`, OpenCC's "short_circuit") or the longest match of any
//! (`Longest`, its "union").

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::Config as Name;

/// One dictionary, as a map from every prefix of every key to the key's
/// first value where the prefix is a whole key: a longest match walks the
/// text one character at a time and stops at the first string no key
/// begins with, which in running text is after one or two characters.
struct Dict {
    prefixes: FxHashMap<&'static str, Option<&'static str>>,
    /// The characters of the Basic Multilingual Plane some key begins
    /// with, one bit each: most places in running text begin no key, and a
    /// bit is cheaper to test than a string to hash.
    starts: Box<[u64; 1024]>,
}

impl Dict {
    fn parse(text: &'static str) -> Dict {
        let mut prefixes: FxHashMap<&'static str, Option<&'static str>> = FxHashMap::default();
        let mut starts = Box::new([0u64; 1024]);
        for line in text.lines() {
            let Some((key, values)) = line.split_once('\t') else {
                continue;
            };
            if key.is_empty() {
                continue;
            }
            let value = values.split(' ').next().unwrap_or(values);
            if let Some(first) = key.chars().next().filter(|&c| (c as u32) < 0x10000) {
                starts[first as usize / 64] |= 1 << (first as u32 % 64);
            }
            for (at, _) in key.char_indices().skip(1) {
                prefixes.entry(&key[..at]).or_insert(None);
            }
            let slot = prefixes.entry(key).or_insert(None);
            if slot.is_none() {
                *slot = Some(value);
            }
        }
        Dict { prefixes, starts }
    }

    /// The longest key that begins `s`: its length in bytes, and its value.
    fn match_prefix(&self, s: &str) -> Option<(usize, &'static str)> {
        let first = s.chars().next()? as u32;
        if first < 0x10000 && self.starts[first as usize / 64] & (1 << (first % 64)) == 0 {
            return None;
        }
        let mut best = None;
        let mut end = 0;
        for c in s.chars() {
            end += c.len_utf8();
            match self.prefixes.get(&s[..end]) {
                None => break,
                Some(Some(value)) => best = Some((end, *value)),
                Some(None) => {}
            }
        }
        best
    }
}

/// A dictionary or a group of them.
enum Node {
    Dict(&'static Dict),
    /// The first member that matches at all.
    First(Vec<Node>),
    /// The longest match of any member (the earlier on a tie).
    Longest(Vec<Node>),
}

impl Node {
    fn match_prefix(&self, s: &str) -> Option<(usize, &'static str)> {
        match self {
            Node::Dict(d) => d.match_prefix(s),
            Node::First(nodes) => nodes.iter().find_map(|n| n.match_prefix(s)),
            Node::Longest(nodes) => nodes.iter().filter_map(|n| n.match_prefix(s)).fold(
                None,
                |best: Option<(usize, &str)>, m| match best {
                    Some(b) if b.0 >= m.0 => Some(b),
                    _ => Some(m),
                },
            ),
        }
    }

    /// One conversion of `segment` into `out`.
    fn convert(&self, segment: &str, out: &mut String) {
        let mut rest = segment;
        while !rest.is_empty() {
            let taken = match self.match_prefix(rest) {
                Some((len, value)) => {
                    out.push_str(value);
                    len
                }
                None => {
                    let len = unmatched_len(rest);
                    out.push_str(&rest[..len]);
                    len
                }
            };
            rest = &rest[taken..];
        }
    }

    /// Splits `text` into the phrases this node knows and the runs of
    /// text between them.
    fn segment<'t>(&self, text: &'t str, mut each: impl FnMut(&'t str, Option<&'static str>)) {
        let mut start = 0;
        let mut at = 0;
        while at < text.len() {
            let rest = &text[at..];
            match self.match_prefix(rest) {
                Some((len, value)) => {
                    if start < at {
                        each(&text[start..at], None);
                    }
                    each(&rest[..len], Some(value));
                    at += len;
                    start = at;
                }
                None => at += unmatched_len(rest),
            }
        }
        if start < text.len() {
            each(&text[start..], None);
        }
    }
}

/// How much of `s` an unmatched place takes: a whole ideographic
/// description sequence (⿰氵青) when one starts here, else one character.
fn unmatched_len(s: &str) -> usize {
    ids_len(s).unwrap_or_else(|| s.chars().next().map_or(s.len(), char::len_utf8))
}

fn ids_arity(c: char) -> usize {
    match c {
        '\u{2FF2}' | '\u{2FF3}' => 3,
        '\u{2FFE}' | '\u{2FFF}' => 1,
        '\u{2FF0}'..='\u{2FFD}' => 2,
        _ => 0,
    }
}

/// The length of the complete description sequence beginning `s`, as
/// OpenCC bounds it (16 levels, 64 characters).
fn ids_len(s: &str) -> Option<usize> {
    fn consume(s: &str, depth: usize, count: &mut usize) -> Option<usize> {
        let c = s.chars().next()?;
        if depth == 0 || *count >= 64 {
            return None;
        }
        *count += 1;
        let mut at = c.len_utf8();
        for _ in 0..ids_arity(c) {
            at += consume(&s[at..], depth - 1, count)?;
        }
        Some(at)
    }
    let first = s.chars().next()?;
    if ids_arity(first) == 0 {
        return None;
    }
    consume(s, 16, &mut 0)
}

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

/// Each dictionary is read the first time a configuration needs it.
fn dict(d: D) -> &'static Dict {
    static DICTS: [OnceLock<Dict>; 17] = [const { OnceLock::new() }; 17];
    let i = d as usize;
    DICTS[i].get_or_init(|| Dict::parse(TEXTS[i]))
}

fn leaf(d: D) -> Node {
    Node::Dict(dict(d))
}

/// A configuration ready to convert.
pub struct OpenCc {
    normalise: Node,
    segmentation: Option<Node>,
    /// Set when the chain's first stage is "the segmentation's phrases,
    /// else these characters": a phrase segment's first conversion is then
    /// the value segmentation found, and a run between phrases (where no
    /// phrase begins) goes through these characters alone. The same output
    /// as running the stage, without looking every phrase up twice.
    characters: Option<Node>,
    chain: Vec<Node>,
}

impl OpenCc {
    /// The configuration as OpenCC 1.4.2's `<name>.json` sets it up.
    pub fn new(name: Name) -> OpenCc {
        use D::*;
        let first = |ds: &[D]| Node::First(ds.iter().map(|&d| leaf(d)).collect());
        let st_phrases = || {
            Node::Longest(vec![
                leaf(STPhrases),
                leaf(STPhrases_GeneratedFromRegionalPhrases),
            ])
        };
        let to_traditional = || Node::First(vec![st_phrases(), leaf(STCharacters)]);
        let to_simplified = || first(&[TSPhrases, TSCharactersExt, TSCharacters]);
        let (segmentation, chain) = match name {
            Name::S2t => (None, vec![to_traditional()]),
            Name::S2tw => (
                Some(st_phrases()),
                vec![to_traditional(), first(&[TWVariantsPhrases, TWVariants])],
            ),
            Name::S2twp => (
                Some(st_phrases()),
                vec![
                    to_traditional(),
                    first(&[TWPhrases, TWVariantsPhrases, TWVariants]),
                ],
            ),
            Name::S2hk => (
                Some(st_phrases()),
                vec![to_traditional(), first(&[HKVariantsPhrases, HKVariants])],
            ),
            Name::T2s => (None, vec![to_simplified()]),
            Name::Tw2s => (
                Some(leaf(TSPhrases)),
                vec![
                    first(&[TWVariantsRevPhrases, TWVariantsRev]),
                    to_simplified(),
                ],
            ),
            Name::Tw2sp => (
                Some(leaf(TSPhrases)),
                vec![
                    first(&[TWPhrasesRev, TWVariantsRevPhrases, TWVariantsRev]),
                    to_simplified(),
                ],
            ),
            Name::Hk2s => (
                Some(leaf(TSPhrases)),
                vec![
                    first(&[HKVariantsRevPhrases, HKVariantsRev]),
                    to_simplified(),
                ],
            ),
            Name::T2tw => (None, vec![first(&[TWVariantsPhrases, TWVariants])]),
            Name::Tw2t => (None, vec![first(&[TWVariantsRevPhrases, TWVariantsRev])]),
            Name::T2hk => (None, vec![first(&[HKVariantsPhrases, HKVariants])]),
            Name::Hk2t => (None, vec![first(&[HKVariantsRevPhrases, HKVariantsRev])]),
        };
        let (characters, chain) = match name {
            // Their first stage is First[st_phrases(), STCharacters], and
            // st_phrases() is their segmentation.
            Name::S2tw | Name::S2twp | Name::S2hk => {
                let rest = chain.into_iter().skip(1).collect::<Vec<_>>();
                (Some(leaf(STCharacters)), rest)
            }
            _ => (None, chain),
        };
        OpenCc {
            normalise: leaf(CJK_Compatibility_Ideographs),
            segmentation,
            characters,
            chain,
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
        // Runs `segment` (already through the first stage when `first` is
        // set) through the rest of the chain into `out`.
        let mut run = |segment: &str, stages: &[Node], out: &mut String| {
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
        match (&self.segmentation, &self.characters) {
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
        assert_eq!(ids_len("⿰氵青x"), Some("⿰氵青".len()));
        assert_eq!(ids_len("⿰氵"), None);
        assert_eq!(ids_len("氵"), None);
        let s2t = OpenCc::new(Name::S2t);
        // U+F900 (豈, compatibility) is normalised to U+8C48 first.
        assert_eq!(s2t.convert("\u{F900}"), "\u{8C48}");
        assert_eq!(s2t.convert(""), "");
        assert_eq!(s2t.convert("abc 123"), "abc 123");
    }
}
