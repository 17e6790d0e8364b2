//! Bytes to text: UTF-8 (with or without BOM), else GBK/GB18030 or Big5 as
//! detected. Binary files are refused rather than turned into mojibake.

/// Decoded text and, when it was not UTF-8, the encoding's name.
pub struct Decoded {
    pub text: String,
    pub encoding: Option<&'static str>,
}

pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if looks_binary(bytes) {
        return Err("this is a binary file, not text".into());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: text.to_string(),
            encoding: None,
        });
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, used, had_errors) = encoding.decode(bytes);
    if had_errors {
        return Err(format!(
            "the text is neither UTF-8 nor valid {}; convert it to UTF-8",
            used.name()
        ));
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding: Some(used.name()),
    })
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
}
