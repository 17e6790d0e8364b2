//! Bytes to text, for sources and `booklet import` alike: UTF-8 (with or
//! without BOM); GBK/GB18030 or Big5 for a file in one of those throughout.
//! A file whose Chinese is UTF-8 is UTF-8: bytes in it that are not are an
//! error naming the line and byte, never a reason to read the whole file as
//! something else (one bad byte used to turn an article into mojibake).
//! Binary files are refused.

use std::fmt;

/// Decoded text and, when it was not UTF-8, the encoding's name.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: Option<&'static str>,
}

/// Why a file could not be decoded, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    /// 1-based line of the first bad byte, when there is one.
    pub line: Option<u32>,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "; {h}")?;
        }
        Ok(())
    }
}

impl DecodeError {
    fn plain(message: impl Into<String>) -> Self {
        DecodeError {
            line: None,
            message: message.into(),
            hint: None,
        }
    }
}

pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if looks_binary(bytes) {
        return Err(DecodeError::plain("this is a binary file, not text"));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: text.to_string(),
            encoding: None,
        });
    }
    let census = Census::of(bytes);
    if census.is_utf8() {
        return Err(census.damage(bytes));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Deny);
    let (text, used, had_errors) = encoding.decode(bytes);
    if had_errors {
        return Err(DecodeError::plain(format!(
            "the text is neither UTF-8 nor valid {}; convert it to UTF-8",
            used.name()
        )));
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding: Some(used.name()),
    })
}

/// What a file that is not valid UTF-8 holds: Chinese written as UTF-8
/// (three- and four-byte sequences, which GBK and Big5 text forms only by
/// rare accident) and bytes UTF-8 cannot read.
struct Census {
    utf8_wide: usize,
    /// The most wide characters in a row.
    longest_run: usize,
    invalid: usize,
    /// Offset of the first byte UTF-8 cannot read.
    first_bad: usize,
}

impl Census {
    fn of(bytes: &[u8]) -> Census {
        let mut census = Census {
            utf8_wide: 0,
            longest_run: 0,
            invalid: 0,
            first_bad: usize::MAX,
        };
        let mut rest = bytes;
        let mut offset = 0;
        loop {
            let (good, bad) = match std::str::from_utf8(rest) {
                Ok(s) => (s, None),
                Err(e) => {
                    let good = &rest[..e.valid_up_to()];
                    // `valid_up_to` promises this prefix is UTF-8.
                    let good = std::str::from_utf8(good).unwrap_or("");
                    (
                        good,
                        Some(e.error_len().unwrap_or(rest.len() - e.valid_up_to())),
                    )
                }
            };
            let mut run = 0;
            for c in good.chars() {
                if c.len_utf8() >= 3 {
                    census.utf8_wide += 1;
                    run += 1;
                    census.longest_run = census.longest_run.max(run);
                } else {
                    run = 0;
                }
            }
            let Some(bad_len) = bad else {
                break;
            };
            census.invalid += bad_len;
            census.first_bad = census.first_bad.min(offset + good.len());
            let skip = good.len() + bad_len;
            offset += skip;
            rest = &rest[skip..];
        }
        census
    }

    /// Written (at least partly) in UTF-8. GBK or Big5 text forms a UTF-8
    /// wide character by accident about once per 40 bytes UTF-8 cannot read,
    /// and never more than two in a row (measured on the example articles
    /// and the import seeds); UTF-8 Chinese is runs of them.
    fn is_utf8(&self) -> bool {
        let mostly = self.utf8_wide > 0 && self.utf8_wide * 2 >= self.invalid;
        mostly || self.longest_run >= 4
    }

    /// The error for a UTF-8 file with bytes that are not UTF-8: where the
    /// first is, and what encoding that stretch would be.
    fn damage(&self, bytes: &[u8]) -> DecodeError {
        let at = self.first_bad.min(bytes.len());
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let line_start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| at + i);
        let column_bytes = at - line_start;
        let shown: Vec<String> = bytes[at..line_end]
            .iter()
            .take(4)
            .map(|b| format!("0x{b:02X}"))
            .collect();
        let more = if self.invalid > 1 {
            format!(" ({} such bytes in the file)", self.invalid)
        } else {
            String::new()
        };
        let message = format!(
            "the file is UTF-8 but byte {at} (line {line}, byte {} of the line: {}) is not{more}",
            column_bytes + 1,
            shown.join(" ")
        );
        let hint = match legacy_reading(&bytes[line_start..line_end]) {
            Some((name, text)) => format!(
                "this part looks like {name} (`{text}`); convert it to UTF-8 (iconv -f {name} -t UTF-8), \
                 or fix the line by hand if the rest of the file is already UTF-8"
            ),
            None => "no other encoding reads it either: the file may be damaged; \
                     retype or delete the bytes at that place"
                .to_string(),
        };
        DecodeError {
            line: Some(line),
            message,
            hint: Some(hint),
        }
    }
}

/// The line's bad stretch read as GBK (GB18030) or Big5, when one of them
/// reads all of it as Chinese.
fn legacy_reading(line: &[u8]) -> Option<(&'static str, String)> {
    // The stretch: from the first byte UTF-8 cannot read to the last.
    let mut bad = Vec::new();
    let mut rest = line;
    let mut offset = 0;
    while let Err(e) = std::str::from_utf8(rest) {
        let start = offset + e.valid_up_to();
        let len = e.error_len().unwrap_or(rest.len() - e.valid_up_to());
        bad.push(start..start + len);
        offset = start + len;
        rest = &line[offset..];
    }
    let (first, last) = (bad.first()?.start, bad.last()?.end);
    // Whole characters: a legacy pair's second byte may be ASCII.
    let end = (last + 1).min(line.len());
    for (name, encoding) in [("GBK", encoding_rs::GB18030), ("BIG5", encoding_rs::BIG5)] {
        for stretch in [&line[first..last], &line[first..end]] {
            let (text, had_errors) = encoding.decode_without_bom_handling(stretch);
            let cjk = text.chars().filter(|&c| crate::cjk::is_wide(c)).count();
            if !had_errors && cjk * 2 >= text.chars().count() && cjk > 0 {
                let sample: String = text.chars().take(12).collect();
                return Some((name, sample));
            }
        }
    }
    None
}

/// NUL bytes or many control characters mean this is not a text file.
fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return true;
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
        .count();
    controls * 20 > sample.len().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(decode("中文".as_bytes()).unwrap().encoding, None);
        assert_eq!(decode(b"\xEF\xBB\xBFab").unwrap().text, "ab");
        let (gbk, _, _) = encoding_rs::GBK.encode("组织工作学习读本，推动高质量发展。");
        let d = decode(&gbk).unwrap();
        assert_eq!(d.text, "组织工作学习读本，推动高质量发展。");
        assert!(d.encoding.is_some());
        assert!(decode(b"\x00\x01\x02binary").is_err());
    }

    #[test]
    fn one_bad_byte_in_utf8_is_an_error_at_its_line() {
        let text = "第一行：组织工作。\n第二行：学习读本。\n".repeat(20);
        let at = text.rfind('。').unwrap();
        let mut bytes = text.into_bytes();
        bytes.insert(at, 0xFF);
        let e = decode(&bytes).unwrap_err();
        assert_eq!(e.line, Some(40), "{e}");
        assert!(e.message.contains("0xFF"), "{e}");
        assert!(e.message.contains(&format!("byte {at}")), "{e}");
        // A lone Latin-1 byte in an otherwise ASCII-and-Chinese file.
        let bytes = "标题\n\ncaf\u{e9}".replace('\u{e9}', "\u{1}");
        let mut bytes = bytes.into_bytes();
        let last = bytes.len() - 1;
        bytes[last] = 0xE9;
        assert_eq!(decode(&bytes).unwrap_err().line, Some(3));
    }

    #[test]
    fn utf8_with_a_gbk_paste_is_flagged_as_gbk() {
        let (gbk, _, _) = encoding_rs::GBK.encode("这一段是从旧网页复制的文字。");
        let mut bytes = "组织工作学习读本，推动高质量发展。\n"
            .repeat(3)
            .into_bytes();
        bytes.extend_from_slice(&gbk);
        bytes.extend_from_slice("\n后面又是正常的文字。\n".as_bytes());
        let e = decode(&bytes).unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        let hint = e.hint.unwrap();
        assert!(
            hint.contains("GBK") && hint.contains("iconv -f GBK"),
            "{hint}"
        );
        assert!(hint.contains("这一段"), "{hint}");
    }

    #[test]
    fn a_little_utf8_in_a_gbk_file_is_flagged_too() {
        let old = "旧编码的文字，".repeat(20);
        let mut bytes = encoding_rs::GBK.encode(&old).0.into_owned();
        bytes.extend_from_slice("\n新加的一句话是统一码。\n".as_bytes());
        assert!(decode(&bytes).is_err());
    }

    #[test]
    fn pure_legacy_files_still_decode() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/sources/01.md")).unwrap();
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        assert_eq!(decode(&gbk).unwrap().text, text);
        let trad =
            "組織工作學習讀本，推動高質量發展。各級黨組織要把學習貫徹落到實處。\n".repeat(30);
        let (big5, _, _) = encoding_rs::BIG5.encode(&trad);
        let d = decode(&big5).unwrap();
        assert_eq!(d.text, trad);
        assert_eq!(d.encoding, Some("Big5"));
    }
}
