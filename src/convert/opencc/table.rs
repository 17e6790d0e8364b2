//! One group of OpenCC dictionaries merged into one table, so that a
//! longest match is one walk over the text whatever the group's size.
//!
//! OpenCC matches a group of dictionaries either by "the first member that
//! matches at all, its longest key" (short-circuit) or by "the longest key
//! of any member, the earlier member on a tie" (union). Both are one rule
//! over a merged table in which each key keeps the rank of the first member
//! holding it (and that member's value): walking the text's prefixes from
//! short to long, a key replaces the best so far when its rank is not
//! higher. In a union every member has rank 0, so the longest key wins; in
//! a short-circuit group the lowest rank that matches wins, and among its
//! keys the longest.

use rustc_hash::FxHashMap;

/// What the table knows of one string.
#[derive(Clone, Copy, Default)]
struct Entry {
    /// When the string is a key: the rank of the first member holding it,
    /// and that member's value.
    value: Option<(u8, &'static str)>,
    /// Some longer key begins with the string: the walk goes on.
    longer: bool,
}

/// Code points per page of the first-character index.
const PAGE: usize = 256;
const PAGES: usize = (char::MAX as usize + 1) / PAGE;

pub struct Table {
    /// The first character's entry, by code point: `pages[c / PAGE]` is a
    /// page of indices into `entries` (0: no key begins with `c`). Running
    /// text is mostly characters a table has an entry for or none at all,
    /// and two array reads answer both without hashing.
    pages: Vec<u32>,
    index: Vec<[u32; PAGE]>,
    entries: Vec<Entry>,
    /// Keys of two or more characters and the strings that begin them.
    longer: FxHashMap<&'static str, Entry>,
}

impl Table {
    /// A table of `members` in rank order, each member the dictionaries
    /// (OpenCC's text form: key, tab, values) whose union it is. Within a
    /// member an earlier dictionary wins a tie, as within a dictionary the
    /// earlier line does; a key's value is its first.
    pub fn new(members: &[&[&'static str]]) -> Table {
        // Sized for every phrase and about two prefixes of each at once: a
        // table grown entry by entry spends as long rehashing as filling.
        let phrases: usize = members
            .iter()
            .flat_map(|m| m.iter())
            .flat_map(|text| text.lines())
            .filter(|l| {
                let first = l.chars().next().map_or(0, char::len_utf8);
                l.find('\t').is_some_and(|tab| tab > first)
            })
            .count();
        let mut table = Table {
            pages: vec![0; PAGES],
            // Index page 0 is the shared empty page.
            index: vec![[0; PAGE]],
            entries: vec![Entry::default()],
            longer: FxHashMap::with_capacity_and_hasher(phrases * 2, Default::default()),
        };
        for (rank, dictionaries) in members.iter().enumerate() {
            let rank = u8::try_from(rank).expect("a group has few members");
            for text in dictionaries.iter() {
                for line in text.lines() {
                    let Some((key, values)) = line.split_once('\t') else {
                        continue;
                    };
                    let value = values.split(' ').next().unwrap_or(values);
                    table.insert(key, rank, value);
                }
            }
        }
        table
    }

    fn insert(&mut self, key: &'static str, rank: u8, value: &'static str) {
        let mut chars = key.char_indices();
        let Some((_, first)) = chars.next() else {
            return;
        };
        let whole = key.len() == first.len_utf8();
        let entry = self.first_entry_mut(first);
        if whole {
            entry.value.get_or_insert((rank, value));
            return;
        }
        entry.longer = true;
        for (at, _) in chars {
            self.longer.entry(&key[..at]).or_default().longer = true;
        }
        self.longer
            .entry(key)
            .or_default()
            .value
            .get_or_insert((rank, value));
    }

    fn first_entry_mut(&mut self, c: char) -> &mut Entry {
        let (page, slot) = (c as usize / PAGE, c as usize % PAGE);
        if self.pages[page] == 0 {
            self.pages[page] = self.index.len() as u32;
            self.index.push([0; PAGE]);
        }
        let at = &mut self.index[self.pages[page] as usize][slot];
        if *at == 0 {
            *at = self.entries.len() as u32;
            self.entries.push(Entry::default());
        }
        &mut self.entries[*at as usize]
    }

    #[inline]
    fn first_entry(&self, c: char) -> Option<&Entry> {
        let page = self.pages[c as usize / PAGE];
        let at = self.index[page as usize][c as usize % PAGE];
        (at != 0).then(|| &self.entries[at as usize])
    }

    /// The key the group matches at the start of `s`: its length in bytes
    /// and its value.
    #[inline]
    pub fn match_prefix(&self, s: &str) -> Option<(usize, &'static str)> {
        let mut chars = s.chars();
        let first = chars.next()?;
        let entry = self.first_entry(first)?;
        let mut end = first.len_utf8();
        let mut best = entry.value.map(|(rank, value)| (end, rank, value));
        let mut longer = entry.longer;
        while longer {
            let Some(c) = chars.next() else { break };
            end += c.len_utf8();
            let Some(entry) = self.longer.get(&s[..end]) else {
                break;
            };
            if let Some((rank, value)) = entry.value {
                if best.is_none_or(|(_, best_rank, _)| rank <= best_rank) {
                    best = Some((end, rank, value));
                }
            }
            longer = entry.longer;
        }
        best.map(|(len, _, value)| (len, value))
    }

    /// One conversion of `text` into `out`: at each place the matched
    /// key's value, else the text as it is.
    pub fn convert(&self, text: &str, out: &mut String) {
        self.segment(text, |segment, value| {
            out.push_str(value.unwrap_or(segment))
        });
    }

    /// Splits `text` into the keys this table matches (with their values)
    /// and the runs of text between them.
    pub fn segment<'t>(&self, text: &'t str, mut each: impl FnMut(&'t str, Option<&'static str>)) {
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
#[inline]
fn unmatched_len(s: &str) -> usize {
    let Some(c) = s.chars().next() else {
        return s.len();
    };
    if ids_arity(c) == 0 {
        return c.len_utf8();
    }
    ids_len(s).unwrap_or(c.len_utf8())
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
pub(super) fn ids_len(s: &str) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_takes_the_longest_key_and_the_earlier_member_on_a_tie() {
        let t = Table::new(&[&["ab\tX\nabc\tY\n", "abcd\tZ\nab\tW\n"]]);
        assert_eq!(t.match_prefix("abcde"), Some((4, "Z")));
        assert_eq!(t.match_prefix("abx"), Some((2, "X")));
        assert_eq!(t.match_prefix("a"), None);
    }

    #[test]
    fn short_circuit_takes_the_first_member_that_matches_then_its_longest() {
        let t = Table::new(&[&["ab\tX\n"], &["abcd\tZ\na\tA\n"]]);
        // The first member matches: its key, though the second's is longer.
        assert_eq!(t.match_prefix("abcd"), Some((2, "X")));
        // It does not: the second member's longest.
        assert_eq!(t.match_prefix("ac"), Some((1, "A")));
        let mut out = String::new();
        t.convert("xabcd ac", &mut out);
        assert_eq!(out, "xXcd Ac");
    }
}
