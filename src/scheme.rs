//! Which link targets a reader may follow: the web and e-mail only. A
//! `javascript:`, `file:`, `data:` or `vbscript:` link in a booklet is at
//! best useless and at worst an attack, and a PDF link to a path would have
//! the viewer open a local file. One definition for the source loader and
//! both back ends.

/// What a link's target is.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// `http:`, `https:` or `mailto:`: may be clickable.
    Web,
    /// No scheme: a path or a fragment, a link inside the sources' tree.
    Local,
    /// Any other scheme, lower-cased: never a link.
    Other(String),
}

pub fn classify(url: &str) -> Target {
    // As a browser reads it: surrounding spaces and controls ignored, tabs
    // and line breaks inside dropped (`java\tscript:` is `javascript:`).
    let url: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let scheme_len = url
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_alphabetic()
                || (i > 0 && (c.is_ascii_digit() || matches!(c, '+' | '-' | '.'))))
        })
        .filter(|&(i, c)| c == ':' && i > 0)
        .map(|(i, _)| i);
    match scheme_len {
        None => Target::Local,
        Some(n) => {
            let scheme = url[..n].to_ascii_lowercase();
            if matches!(scheme.as_str(), "http" | "https" | "mailto") {
                Target::Web
            } else {
                Target::Other(scheme)
            }
        }
    }
}

/// Whether `url` may become a clickable link: a web or e-mail address,
/// written as one (no spaces, controls, quotes or angle brackets, which no
/// valid address holds and which a reader would have to repair).
pub fn is_web(url: &str) -> bool {
    classify(url) == Target::Web
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_and_mail_links_are_followed() {
        for url in [
            "https://example.com/a?b=c#d",
            "HTTP://EXAMPLE.COM",
            "mailto:a@example.com",
        ] {
            assert!(is_web(url), "{url}");
        }
        for url in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "vbscript:msgbox",
            "file:///etc/passwd",
            "data:text/html;base64,PHNjcmlwdD4=",
            "ftp://example.com",
            "c:\\windows",
            "02.md",
            "../secret.pdf",
            "/etc/passwd",
            "//evil.example.com/x",
            "#fn1",
            "https://exa mple.com",
            "https://example.com/\"onmouseover=\"x",
        ] {
            assert!(!is_web(url), "{url}");
        }
        assert_eq!(
            classify("java\nscript:x"),
            Target::Other("javascript".into())
        );
        assert_eq!(classify("02.md#s1"), Target::Local);
        assert_eq!(classify("a/b:c"), Target::Local);
    }
}
