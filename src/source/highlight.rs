//! Code highlighting: a code block's text split into tokens of a few
//! kinds ([`Tone`]), by Sublime Text's grammars (through syntect). Run once
//! per block when its article is read, so that both outputs show the same
//! tokens and a rebuild takes them from the article cache.
//!
//! Only the kind of each token is kept, never a theme's colour: the style
//! says how each kind looks, so that a book stays legible in greyscale print.

use std::sync::OnceLock;

use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};

use crate::model::{Block, BlockKind, Token, Tone};

/// Grammar scopes, most specific first: a token takes the tone of the
/// innermost scope on its stack that one of these begins. `None` keeps
/// text plain (operators are keywords to the grammars, not to a reader).
const SCOPES: &[(&str, Option<Tone>)] = &[
    ("keyword.operator", None),
    ("punctuation.definition.comment", Some(Tone::Comment)),
    ("punctuation.definition.string", Some(Tone::String)),
    ("punctuation.definition.annotation", Some(Tone::Meta)),
    ("comment", Some(Tone::Comment)),
    ("string", Some(Tone::String)),
    ("constant.character", Some(Tone::String)),
    ("constant.other.placeholder", Some(Tone::String)),
    ("constant.numeric", Some(Tone::Number)),
    ("constant.language", Some(Tone::Number)),
    ("keyword", Some(Tone::Keyword)),
    ("storage", Some(Tone::Keyword)),
    ("entity.name.tag", Some(Tone::Keyword)),
    ("entity.name.type", Some(Tone::Type)),
    ("entity.name.struct", Some(Tone::Type)),
    ("entity.name.enum", Some(Tone::Type)),
    ("entity.name.class", Some(Tone::Type)),
    ("entity.name.trait", Some(Tone::Type)),
    ("entity.name.interface", Some(Tone::Type)),
    ("support.type", Some(Tone::Type)),
    ("support.class", Some(Tone::Type)),
    ("entity.name.function", Some(Tone::Name)),
    ("entity.name.macro", Some(Tone::Name)),
    ("support.function", Some(Tone::Name)),
    ("support.macro", Some(Tone::Name)),
    ("variable.function", Some(Tone::Name)),
    ("variable.annotation", Some(Tone::Meta)),
    ("meta.annotation", Some(Tone::Meta)),
    ("meta.preprocessor", Some(Tone::Meta)),
    ("entity.other.attribute-name", Some(Tone::Meta)),
];

/// Names a fence may give a language by, where the grammars know it by
/// another (a shell session is read as shell).
const ALIASES: &[(&str, &str)] = &[
    ("shell", "bash"),
    ("sh", "bash"),
    ("zsh", "bash"),
    ("rs", "rust"),
    ("py", "python"),
    ("python3", "python"),
    ("js", "javascript"),
    ("ts", "javascript"),
    ("typescript", "javascript"),
    ("jsonc", "json"),
    ("golang", "go"),
    ("c++", "cpp"),
    ("yml", "yaml"),
    ("htm", "html"),
    ("xml", "xml"),
    ("svg", "xml"),
];

struct Grammars {
    syntaxes: SyntaxSet,
    scopes: Vec<(Scope, Option<Tone>)>,
}

fn grammars() -> &'static Grammars {
    static GRAMMARS: OnceLock<Grammars> = OnceLock::new();
    GRAMMARS.get_or_init(|| Grammars {
        syntaxes: SyntaxSet::load_defaults_newlines(),
        scopes: SCOPES
            .iter()
            .filter_map(|&(name, tone)| Some((Scope::new(name).ok()?, tone)))
            .collect(),
    })
}

/// Fences of a terminal session: commands after a `$ ` prompt, the rest
/// the programs' output, left plain.
const SESSIONS: &[&str] = &["console", "shell-session", "terminal", "sh-session"];

/// A fence's language: its first word (mdBook's `rust,ignore` and `rust
/// noplayground` add options after it), lower case.
fn language(lang: &str) -> String {
    lang.split([',', ' ', '{'])
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The grammar of a fence's language, if there is one for it.
fn syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let name = language(lang);
    if name.is_empty() || matches!(name.as_str(), "text" | "plain" | "txt" | "none") {
        return None;
    }
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name.as_str(), |(_, to)| to);
    let syntaxes = &grammars().syntaxes;
    syntaxes
        .find_syntax_by_token(name)
        .filter(|s| s.name != "Plain Text")
}

/// The tone of the innermost scope that has one.
fn tone(stack: &ScopeStack, scopes: &[(Scope, Option<Tone>)]) -> Option<Tone> {
    for scope in stack.as_slice().iter().rev() {
        if let Some((_, tone)) = scopes.iter().find(|(s, _)| s.is_prefix_of(*scope)) {
            return *tone;
        }
    }
    None
}

/// The tokens of `text` in language `lang` (a fence's info string), in
/// order, plain text left out; none when the language is unknown or the
/// grammar fails on the text.
pub fn tokens(lang: Option<&str>, text: &str) -> Vec<Token> {
    let Some(lang) = lang else {
        return Vec::new();
    };
    if SESSIONS.contains(&language(lang).as_str()) {
        return session(text);
    }
    if language(lang) == "toml" {
        return toml(text);
    }
    let Some(syntax) = syntax(lang) else {
        return Vec::new();
    };
    tokens_in(syntax, text)
}

/// A terminal session's tokens: each command after its `$ ` prompt read
/// as shell on its own.
fn session(text: &str) -> Vec<Token> {
    let Some(shell) = syntax("bash") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        if line[indent..].starts_with("$ ") {
            let from = offset + indent + 2;
            out.extend(
                tokens_in(shell, &text[from..offset + line.len()])
                    .into_iter()
                    .map(|t| Token {
                        start: t.start + from as u32,
                        end: t.end + from as u32,
                        tone: t.tone,
                    }),
            );
        }
        offset += line.len();
    }
    out
}

/// Tokens in order, a token never holding a line break, touching tokens
/// of one tone merged.
#[derive(Default)]
struct Tokens(Vec<Token>);

impl Tokens {
    fn push(&mut self, text: &str, start: usize, end: usize, tone: Tone) {
        // A token stops at each line break: a line break is not drawn.
        let mut from = start;
        for piece in text[start..end].split('\n') {
            let to = from + piece.len();
            let trimmed = from + piece.trim_end_matches('\r').len();
            if trimmed > from {
                let (a, b) = (from as u32, trimmed as u32);
                match self.0.last_mut() {
                    Some(last) if last.end == a && last.tone == tone => last.end = b,
                    _ => self.0.push(Token {
                        start: a,
                        end: b,
                        tone,
                    }),
                }
            }
            from = to + 1;
        }
    }
}

/// TOML, which the grammars lack (a manifest is what a book about a tool
/// shows most): table headers as keywords, keys as names, strings,
/// numbers, booleans and dates, comments. Read by hand, as the format is
/// small: a bracket opens a header where a key may stand and an array
/// where a value does; an inline table's keys are keys again.
fn toml(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Tokens::default();
    // The brackets and braces open inside the value being read.
    let mut open: Vec<u8> = Vec::new();
    let mut key_next = true;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b'\n' => {
                if open.is_empty() {
                    key_next = true;
                }
                i += 1;
            }
            b'#' => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                out.push(text, start, i, Tone::Comment);
            }
            b'"' | b'\'' => {
                i = string_end(bytes, i);
                let tone = if key_next { Tone::Name } else { Tone::String };
                out.push(text, start, i, tone);
            }
            b'[' if key_next && open.is_empty() => {
                // `[table]` or `[[array.of.tables]]`, to the line's end at most.
                let line_end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                let header = &text[i..line_end];
                let close = if header.starts_with("[[") { "]]" } else { "]" };
                i = header.find(close).map_or(line_end, |n| i + n + close.len());
                out.push(text, start, i, Tone::Keyword);
                key_next = false;
            }
            b'=' => {
                key_next = false;
                i += 1;
            }
            b'[' | b'{' => {
                open.push(c);
                key_next = c == b'{';
                i += 1;
            }
            b']' | b'}' => {
                open.pop();
                i += 1;
            }
            b',' => {
                key_next = open.last() == Some(&b'{');
                i += 1;
            }
            _ if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'+' | b'.') => {
                let word_len = bytes[i..]
                    .iter()
                    .position(|&b| !(b.is_ascii_alphanumeric() || b"_-+.:".contains(&b)))
                    .unwrap_or(bytes.len() - i);
                i += word_len;
                // A date's time may follow a space: `1979-05-27 07:32:00`.
                if !key_next
                    && bytes[start..i].iter().filter(|&&b| b == b'-').count() == 2
                    && bytes.get(i) == Some(&b' ')
                    && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
                    && bytes.get(i + 3) == Some(&b':')
                {
                    i += 1 + bytes[i + 1..]
                        .iter()
                        .position(|&b| !(b.is_ascii_alphanumeric() || b"_-+.:".contains(&b)))
                        .unwrap_or(bytes.len() - i - 1);
                }
                let word = &text[start..i];
                let digits = word.trim_start_matches(['+', '-']);
                let tone = if key_next {
                    Some(Tone::Name)
                } else if matches!(word, "true" | "false")
                    || digits.starts_with(|d: char| d.is_ascii_digit())
                    || matches!(digits, "inf" | "nan")
                {
                    Some(Tone::Number)
                } else {
                    None
                };
                if let Some(tone) = tone {
                    out.push(text, start, i, tone);
                }
            }
            _ => {
                // Anything else (blanks, a stray character): one whole
                // character on.
                i += text[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    out.0
}

/// Where the TOML string opening at `at` ends (just past its closing
/// quote): a basic string's backslash escapes the next character, a
/// literal string's does not; a triple-quoted one may take several lines,
/// a single-quoted one ends with its line if its quote is missing.
fn string_end(bytes: &[u8], at: usize) -> usize {
    let quote = bytes[at];
    let triple = bytes[at..].starts_with(&[quote; 3]);
    let mut i = at + if triple { 3 } else { 1 };
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\n' if !triple => return i,
            q if q == quote => {
                if !triple {
                    return i + 1;
                }
                if bytes[i..].starts_with(&[quote; 3]) {
                    // Up to two quotes more may close it: `""""` ends with
                    // a quote inside.
                    let run = bytes[i..].iter().take_while(|&&b| b == quote).count();
                    return i + run.min(5);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

fn tokens_in(syntax: &SyntaxReference, text: &str) -> Vec<Token> {
    let g = grammars();
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut out: Vec<Token> = Vec::new();
    let mut push = |start: usize, end: usize, tone: Option<Tone>| {
        let Some(tone) = tone.filter(|_| end > start) else {
            return;
        };
        let (start, end) = (start as u32, end as u32);
        match out.last_mut() {
            Some(last) if last.end == start && last.tone == tone => last.end = end,
            _ => out.push(Token { start, end, tone }),
        }
    };
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let Ok(ops) = state.parse_line(line, &g.syntaxes) else {
            return Vec::new();
        };
        // The line's end is never part of a token: a line break is not
        // drawn, and a token stops at it.
        let end = line.trim_end_matches(['\n', '\r']).len();
        let mut at = 0;
        let mut current = tone(&stack, &g.scopes);
        for (to, op) in ops {
            push(offset + at.min(end), offset + to.min(end), current);
            at = to;
            if stack.apply(&op).is_err() {
                return Vec::new();
            }
            current = tone(&stack, &g.scopes);
        }
        push(offset + at.min(end), offset + end, current);
        offset += line.len();
    }
    out
}

/// Every code block of `blocks` (in quotes and lists too) given its tokens.
pub fn blocks(blocks: &mut [Block]) {
    for block in blocks {
        match &mut block.kind {
            BlockKind::Code { lang, text, tokens } => {
                *tokens = self::tokens(lang.as_deref(), text);
            }
            BlockKind::Quote(inner) => self::blocks(inner),
            BlockKind::List { items, .. } => {
                for item in items {
                    self::blocks(item);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toned<'a>(lang: &str, text: &'a str) -> Vec<(&'a str, Tone)> {
        tokens(Some(lang), text)
            .iter()
            .map(|t| (&text[t.range()], t.tone))
            .collect()
    }

    #[test]
    fn rust_keywords_strings_numbers_and_comments() {
        let text = "fn main() {\n    let s = \"中文\"; // 注释\n    let n: u32 = 42;\n}\n";
        let t = toned("rust", text);
        assert!(t.contains(&("fn", Tone::Keyword)), "{t:?}");
        assert!(t.contains(&("let", Tone::Keyword)), "{t:?}");
        assert!(t.contains(&("main", Tone::Name)), "{t:?}");
        assert!(t.contains(&("\"中文\"", Tone::String)), "{t:?}");
        assert!(t.contains(&("// 注释", Tone::Comment)), "{t:?}");
        assert!(t.contains(&("42", Tone::Number)), "{t:?}");
        // Operators and names stay plain.
        assert!(!t.iter().any(|(s, _)| s.contains('=') || s.contains(" s")));
    }

    #[test]
    fn tokens_never_hold_a_line_break_and_stay_on_char_boundaries() {
        let text = "/* 多行\n注释 */\nlet x = 'a';\r\n# 标题\n";
        for lang in ["rust", "c", "python", "bash", "toml"] {
            for t in tokens(Some(lang), text) {
                let s = &text[t.range()];
                assert!(!s.contains('\n') && !s.is_empty(), "{lang}: {s:?}");
            }
        }
    }

    #[test]
    fn a_session_highlights_its_commands_not_their_output() {
        let text = "$ cargo run --release # 运行\n   Compiling x v0.1.0\nerror[E0382]: borrow\n  $ echo \"hi\"\n";
        let t = toned("console", text);
        assert!(t.contains(&("cargo", Tone::Name)), "{t:?}");
        assert!(t.contains(&("# 运行", Tone::Comment)), "{t:?}");
        assert!(t.contains(&("\"hi\"", Tone::String)), "{t:?}");
        assert!(
            !t.iter()
                .any(|(s, _)| s.contains("Compiling") || s.contains("error")),
            "{t:?}"
        );
        assert!(!t.iter().any(|(s, _)| s.contains('$')), "{t:?}");
    }

    #[test]
    fn toml_headers_keys_values_and_comments() {
        let text = "[package]\nname = \"booklet\"   # 名字\nversion = '0.1.0'\nedition = 2021\nok = true\nwhen = 1979-05-27 07:32:00Z\n\n[[bin]]\ndeps = { serde = { version = \"1\", features = [\"derive\"] } }\nlist = [\n  1, # 一\n  -2.5e3,\n]\n\"quoted key\" = \"\"\"多\n行 \\\"\"\" \n\"\"\"\na.b-c = inf\n";
        let t = toned("toml", text);
        for expected in [
            ("[package]", Tone::Keyword),
            ("[[bin]]", Tone::Keyword),
            ("name", Tone::Name),
            ("\"booklet\"", Tone::String),
            ("# 名字", Tone::Comment),
            ("'0.1.0'", Tone::String),
            ("2021", Tone::Number),
            ("true", Tone::Number),
            ("1979-05-27 07:32:00Z", Tone::Number),
            ("serde", Tone::Name),
            ("version", Tone::Name),
            ("features", Tone::Name),
            ("\"derive\"", Tone::String),
            ("# 一", Tone::Comment),
            ("-2.5e3", Tone::Number),
            ("\"quoted key\"", Tone::Name),
            ("\"\"\"多", Tone::String),
            ("行 \\\"\"\" ", Tone::String),
            ("\"\"\"", Tone::String),
            ("a.b-c", Tone::Name),
            ("inf", Tone::Number),
        ] {
            assert!(t.contains(&expected), "{expected:?} not in {t:?}");
        }
        // Values in an array are not keys; `=` and brackets stay plain.
        assert!(!t.contains(&("1", Tone::Name)), "{t:?}");
        assert!(!t.iter().any(|(s, _)| *s == "=" || *s == "{"), "{t:?}");
    }

    #[test]
    fn fence_options_and_aliases_name_the_language() {
        assert!(!tokens(Some("rust,ignore"), "fn f() {}").is_empty());
        assert!(!tokens(Some("sh"), "cargo run # 运行").is_empty());
        assert!(!tokens(Some("Python"), "def f(): pass").is_empty());
        assert!(tokens(Some("text"), "fn f() {}").is_empty());
        assert!(tokens(Some("no-such-language"), "fn f() {}").is_empty());
        assert!(tokens(None, "fn f() {}").is_empty());
    }
}
