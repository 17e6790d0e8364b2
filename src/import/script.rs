//! Simplified or Traditional, and how common a character is in each, read
//! off the two national character sets rather than a hand-made list:
//! GB 2312 level 1 holds the 3 755 most used Simplified characters, Big5's
//! first plane the 5 401 most used Traditional ones. encoding_rs carries
//! both tables already.

use std::sync::OnceLock;

use encoding_rs::{Encoding, BIG5, GBK};

use crate::cjk::is_han;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Simplified,
    Traditional,
}

/// Where a character sits in GB 2312 and Big5.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Membership {
    gb2312: bool,
    gb2312_common: bool,
    big5: bool,
    big5_common: bool,
}

/// The two character sets, read once per process (see `table`).
#[derive(Default)]
pub struct Charsets;

impl Charsets {
    pub fn lookup(&mut self, c: char) -> Membership {
        let flags = table().get(c as usize).copied().unwrap_or(0);
        Membership {
            gb2312: flags & GB2312 != 0,
            gb2312_common: flags & GB2312_COMMON != 0,
            big5: flags & BIG5_ANY != 0,
            big5_common: flags & BIG5_COMMON != 0,
        }
    }

    /// Simplified-only characters against Traditional-only ones.
    pub fn script(&mut self, text: &str) -> Script {
        let (mut simp, mut trad) = (0usize, 0usize);
        for c in text.chars().filter(|&c| is_han(c)).take(4000) {
            let m = self.lookup(c);
            simp += usize::from(m.gb2312 && !m.big5);
            trad += usize::from(m.big5 && !m.gb2312);
        }
        if trad > simp * 2 && trad >= 5 {
            Script::Traditional
        } else {
            Script::Simplified
        }
    }

    /// An ideograph outside the common set of the article's script: a few
    /// in a row are a sign of text decoded with the wrong table.
    pub fn is_rare(&mut self, c: char, script: Script) -> bool {
        let m = self.lookup(c);
        match script {
            Script::Simplified => !m.gb2312_common,
            Script::Traditional => !m.big5_common,
        }
    }
}

const GB2312: u8 = 1;
const GB2312_COMMON: u8 = 2;
const BIG5_ANY: u8 = 4;
const BIG5_COMMON: u8 = 8;

/// Every character's flags, by code point up to the end of plane 2 (Big5's
/// Hong Kong additions reach it). Built by decoding each two-byte code of
/// the two sets: decoding is a table look-up, while encoding_rs finds a
/// Big5 code by searching its index.
fn table() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut flags = vec![0u8; 0x3_0000];
        let mut mark = |encoding: &'static Encoding, code: [u8; 2], flag: u8| {
            if let Some(c) = decode(encoding, code) {
                if let Some(f) = flags.get_mut(c as usize) {
                    *f |= flag;
                }
            }
        };
        // GB 2312 as GBK holds it: rows A1–F7; level 1 (the common
        // characters) is rows B0–D7.
        for lead in 0xA1..=0xF7u8 {
            let common = if (0xB0..=0xD7).contains(&lead) {
                GB2312_COMMON
            } else {
                0
            };
            for trail in 0xA1..=0xFEu8 {
                mark(GBK, [lead, trail], GB2312 | common);
            }
        }
        // Big5 from lead A1 (what encoding_rs encodes to); the common
        // characters are leads A4–C6.
        for lead in 0xA1..=0xFEu8 {
            let common = if (0xA4..=0xC6).contains(&lead) {
                BIG5_COMMON
            } else {
                0
            };
            for trail in (0x40..=0x7Eu8).chain(0xA1..=0xFE) {
                mark(BIG5, [lead, trail], BIG5_ANY | common);
            }
        }
        flags
    })
}

/// The one character a two-byte code stands for, if any.
fn decode(encoding: &'static Encoding, code: [u8; 2]) -> Option<char> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = [0u8; 8];
    let (result, read, written) = decoder.decode_to_utf8_without_replacement(&code, &mut out, true);
    if result != encoding_rs::DecoderResult::InputEmpty || read != 2 {
        return None;
    }
    let mut chars = std::str::from_utf8(&out[..written]).ok()?.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_rarity() {
        let mut cs = Charsets;
        assert_eq!(
            cs.script("全方位提升基層黨組織組織力，築牢奮進新征程的堅強戰鬥堡壘"),
            Script::Traditional
        );
        assert_eq!(
            cs.script("全方位提升基层党组织组织力，筑牢奋进新征程的坚强战斗堡垒"),
            Script::Simplified
        );
        assert!(!cs.is_rare('党', Script::Simplified) && cs.is_rare('黨', Script::Simplified));
        assert!(!cs.is_rare('黨', Script::Traditional) && cs.is_rare('诵', Script::Traditional));
    }

    /// The table read off the decoders says what encoding each character
    /// says, for every Han character of the BMP.
    #[test]
    fn the_decoded_table_agrees_with_the_encoders() {
        let by_encoding = |c: char| {
            let mut buf = [0u8; 4];
            let s: &str = c.encode_utf8(&mut buf);
            let (gbk, _, gbk_err) = GBK.encode(s);
            let (big5, _, big5_err) = BIG5.encode(s);
            let two = |b: &[u8]| match b {
                [lead, trail] => Some((*lead, *trail)),
                _ => None,
            };
            let gb = two(&gbk).filter(|_| !gbk_err);
            let b5 = two(&big5).filter(|_| !big5_err);
            Membership {
                gb2312: gb.is_some_and(|(l, t)| (0xA1..=0xF7).contains(&l) && t >= 0xA1),
                gb2312_common: gb.is_some_and(|(l, t)| (0xB0..=0xD7).contains(&l) && t >= 0xA1),
                big5: b5.is_some(),
                big5_common: b5.is_some_and(|(l, _)| (0xA4..=0xC6).contains(&l)),
            }
        };
        let mut cs = Charsets;
        let differ: Vec<char> = (0x3400..=0x9FFFu32)
            .chain(0xF900..=0xFAFF)
            .filter_map(char::from_u32)
            .filter(|&c| cs.lookup(c) != by_encoding(c))
            .collect();
        assert!(differ.is_empty(), "{} differ: {differ:?}", differ.len());
    }
}
