//! Simplified or Traditional, and how common a character is in each, read
//! off the two national character sets rather than a hand-made list:
//! GB 2312 level 1 holds the 3 755 most used Simplified characters, Big5's
//! first plane the 5 401 most used Traditional ones. encoding_rs carries
//! both tables already.

use std::collections::HashMap;

use crate::cjk::is_han;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Simplified,
    Traditional,
}

/// Where a character sits in GB 2312 and Big5.
#[derive(Debug, Clone, Copy, Default)]
pub struct Membership {
    gb2312: bool,
    gb2312_common: bool,
    big5: bool,
    big5_common: bool,
}

/// Looks characters up once each: an article repeats a few thousand.
#[derive(Default)]
pub struct Charsets {
    cache: HashMap<char, Membership>,
}

impl Charsets {
    pub fn lookup(&mut self, c: char) -> Membership {
        *self.cache.entry(c).or_insert_with(|| membership(c))
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

fn membership(c: char) -> Membership {
    let mut buf = [0u8; 4];
    let s: &str = c.encode_utf8(&mut buf);
    let (gbk, _, gbk_err) = encoding_rs::GBK.encode(s);
    let (big5, _, big5_err) = encoding_rs::BIG5.encode(s);
    let two = |b: &[u8]| match b {
        [lead, trail] => Some((*lead, *trail)),
        _ => None,
    };
    let gb = two(&gbk).filter(|_| !gbk_err);
    let b5 = two(&big5).filter(|_| !big5_err);
    let in_gb2312 = gb.is_some_and(|(l, t)| (0xA1..=0xF7).contains(&l) && t >= 0xA1);
    Membership {
        gb2312: in_gb2312,
        gb2312_common: gb.is_some_and(|(l, t)| (0xB0..=0xD7).contains(&l) && t >= 0xA1),
        big5: b5.is_some(),
        big5_common: b5.is_some_and(|(l, _)| (0xA4..=0xC6).contains(&l)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_rarity() {
        let mut cs = Charsets::default();
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
}
