//! YAML front matter: the small subset articles use (`key: value`, quoted
//! strings, `[a, b]` and `- item` lists). A full YAML parser would accept far
//! more than we can act on, and report errors less precisely.

use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct FrontMatter {
    pub fields: BTreeMap<String, Value>,
    /// 1-based line of each key, for diagnostics.
    pub lines: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    List(Vec<String>),
}

impl FrontMatter {
    pub fn get(&self, key: &str) -> Option<String> {
        match self.fields.get(key)? {
            Value::Str(s) => Some(s.clone()).filter(|s| !s.is_empty()),
            Value::List(items) => Some(items.join("、")).filter(|s| !s.is_empty()),
        }
    }
}

/// Splits `---` front matter off `text`. Returns the front matter, the body,
/// and the number of lines before the body (to keep line numbers right).
pub fn split(text: &str) -> Result<(FrontMatter, &str, u32), (u32, String)> {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Ok((FrontMatter::default(), text, 0));
    };
    let mut offset = text.len() - rest.len();
    let mut header_lines = Vec::new();
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let fm = parse(&header_lines)?;
            let skipped = header_lines.len() as u32 + 2;
            return Ok((fm, &text[offset..], skipped));
        }
        header_lines.push(trimmed);
    }
    Err((1, "front matter opened with `---` is never closed".into()))
}

fn parse(lines: &[&str]) -> Result<FrontMatter, (u32, String)> {
    let mut fm = FrontMatter::default();
    let mut current_list: Option<String> = None;
    for (i, line) in lines.iter().enumerate() {
        let number = i as u32 + 2;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(item) = line.trim_start().strip_prefix("- ") {
            let Some(key) = &current_list else {
                return Err((number, "a list item with no key above it".into()));
            };
            if let Some(Value::List(items)) = fm.fields.get_mut(key) {
                items.push(unquote(item.trim()));
            }
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err((number, format!("expected `key: value`, found `{line}`")));
        };
        let key = key.trim().to_string();
        if key.is_empty() || key.contains(' ') {
            return Err((number, format!("`{}` is not a front-matter key", key)));
        }
        let value = value.trim();
        fm.lines.insert(key.clone(), number);
        current_list = None;
        let parsed = if value.is_empty() {
            current_list = Some(key.clone());
            Value::List(Vec::new())
        } else if let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            Value::List(
                inner
                    .split(',')
                    .map(|s| unquote(s.trim()))
                    .filter(|s| !s.is_empty())
                    .collect(),
            )
        } else {
            Value::Str(unquote(value))
        };
        fm.fields.insert(key, parsed);
    }
    Ok(fm)
}

fn unquote(s: &str) -> String {
    if s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')))
    {
        let inner = &s[1..s.len() - 1];
        if s.starts_with('"') {
            inner.replace("\\\"", "\"").replace("\\\\", "\\")
        } else {
            inner.replace("''", "'")
        }
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_parses() {
        let text = "---\ntitle: \"标题：副题\"\nauthor: 黄峰\nedits:\n  - 改一\n  - 改二\n---\n正文\n";
        let (fm, body, skipped) = split(text).unwrap();
        assert_eq!(fm.get("title").unwrap(), "标题：副题");
        assert_eq!(fm.get("author").unwrap(), "黄峰");
        assert_eq!(
            fm.fields["edits"],
            Value::List(vec!["改一".into(), "改二".into()])
        );
        assert_eq!(body, "正文\n");
        assert_eq!(skipped, 7);
        assert_eq!(fm.lines["author"], 3);
    }

    #[test]
    fn unclosed_is_an_error() {
        assert!(split("---\ntitle: x\n").is_err());
        assert_eq!(split("no front matter").unwrap().2, 0);
    }
}
