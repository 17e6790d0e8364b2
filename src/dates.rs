//! Calendar arithmetic for the timestamps stamped into outputs (never the
//! clock: SOURCE_DATE_EPOCH or the manifest date), shared by both back ends.

/// How a date prints in Chinese text (style `[text] dates`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateStyle {
    /// 2022年2月9日
    #[default]
    Chinese,
    /// ２０２２年２月９日: full-width digits, for vertical or formal text.
    Fullwidth,
    /// As the source writes it.
    Iso,
}

/// `date` as Chinese text writes it in `style`: a date written
/// 2022-02-09, 2022/2/9, 2022.2.9 or 2022年2月9日 (a year and a month
/// alone too) becomes 2022年2月9日 (or ２０２２年２月９日); anything else
/// is left as written.
pub fn written(date: &str, style: DateStyle) -> String {
    if style == DateStyle::Iso {
        return date.to_string();
    }
    let t = date.trim();
    let parts: Vec<&str> = t
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .collect();
    let numeric = |p: &&str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    if !(2..=3).contains(&parts.len()) || !parts.iter().all(numeric) || parts[0].len() != 4 {
        return date.to_string();
    }
    let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
    if !(1..=12).contains(&n[1]) || n.get(2).is_some_and(|d| !(1..=31).contains(d)) {
        return date.to_string();
    }
    let mut out = format!("{}年{}月", parts[0], n[1]);
    if let Some(d) = n.get(2) {
        out.push_str(&format!("{d}日"));
    }
    if style == DateStyle::Fullwidth {
        out = out
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c),
                _ => c,
            })
            .collect();
    }
    out
}

/// The book's date as its title page and its particulars print it, beside
/// the edition: the year and month (2022年2月, or ２０２２年２月) in a
/// Chinese book, as written otherwise or in the `iso` style.
pub fn edition_date(date: &str, lang_tag: &str, style: DateStyle) -> String {
    if !lang_tag.starts_with("zh") {
        return date.to_string();
    }
    let day = written(date, style);
    match day.split_once('月') {
        Some((month, _)) if day != date || style != DateStyle::Iso => format!("{month}月"),
        _ => day,
    }
}

/// The last second the outputs can carry: EPUB (W3CDTF) and PDF dates have
/// four-digit years.
const LAST_SECOND: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

/// Checks that `s` is a `YYYY-MM-DD` day of the calendar from 0001-01-01 to
/// 9999-12-31; the error says what is wrong with it.
pub fn check_date(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(format!("`{s}` is not a date of the form YYYY-MM-DD"));
    }
    let number = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (number(0..4), number(5..7), number(8..10));
    if y == 0 {
        return Err(format!("`{s}` has year 0000; years run from 0001 to 9999"));
    }
    if !(1..=12).contains(&m) {
        return Err(format!("`{s}` has month {m:02}; months run from 01 to 12"));
    }
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=days).contains(&d) {
        return Err(format!(
            "`{s}` has day {d:02}; that month has days 01 to {days}"
        ));
    }
    Ok(())
}

/// Seconds since the epoch from a `SOURCE_DATE_EPOCH` value: a whole number
/// of seconds from 0 (1970) to the end of 9999, the years the outputs can
/// carry. An empty value counts as unset (`None`).
pub fn parse_epoch(value: &str) -> Result<Option<i64>, String> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let secs: i64 = v.parse().map_err(|_| {
        format!("SOURCE_DATE_EPOCH=`{value}` is not a whole number of seconds since 1970")
    })?;
    if !(0..=LAST_SECOND).contains(&secs) {
        return Err(format!(
            "SOURCE_DATE_EPOCH={secs} is outside 0 to {LAST_SECOND} (1970-01-01 to 9999-12-31)"
        ));
    }
    Ok(Some(secs))
}

/// Seconds since the epoch of midnight UTC on a YYYY-MM-DD date.
pub fn date_to_epoch(date: &str) -> i64 {
    let y: i64 = date.get(0..4).and_then(|s| s.parse().ok()).unwrap_or(1970);
    let m: i64 = date.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
    let d: i64 = date.get(8..10).and_then(|s| s.parse().ok()).unwrap_or(1);
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146097 + doe - 719468) * 86400
}

/// (year, month, day, hour, minute, second) in UTC of seconds since the epoch.
pub fn civil(secs: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(date_to_epoch("1970-01-01"), 0);
        assert_eq!(date_to_epoch("2024-03-01"), 1709251200);
        assert_eq!(civil(1709251200 + 3661), (2024, 3, 1, 1, 1, 1));
        assert_eq!(civil(-1), (1969, 12, 31, 23, 59, 59));
    }

    #[test]
    fn dates_outside_the_calendar_are_refused() {
        for good in ["2024-02-29", "0001-01-01", "9999-12-31", "2023-04-30"] {
            assert!(check_date(good).is_ok(), "{good}");
        }
        for bad in [
            "0000-00-00",
            "9999-99-99",
            "10000-01-01",
            "2023-02-29",
            "2024-04-31",
            "2024-00-10",
            "2024-1-1",
            "２０２４-01-01",
            "-001-01-01",
            "",
        ] {
            assert!(check_date(bad).is_err(), "{bad}");
        }
        assert_eq!(civil(LAST_SECOND).0, 9999);
    }

    #[test]
    fn source_date_epoch_must_be_a_printable_time() {
        assert_eq!(parse_epoch("1700000000"), Ok(Some(1_700_000_000)));
        assert_eq!(parse_epoch(" 0 "), Ok(Some(0)));
        assert_eq!(parse_epoch(""), Ok(None));
        for bad in [
            "-1",
            "99999999999999",
            "1e9",
            "abc",
            "1.5",
            "18446744073709551616",
        ] {
            let e = parse_epoch(bad).unwrap_err();
            assert!(e.contains("SOURCE_DATE_EPOCH"), "{e}");
        }
    }
}

#[cfg(test)]
mod written_tests {
    use super::{written, DateStyle};

    #[test]
    fn dates_are_written_the_chinese_way() {
        let c = DateStyle::Chinese;
        assert_eq!(written("2022-02-09", c), "2022年2月9日");
        assert_eq!(written("2022/2/9", c), "2022年2月9日");
        assert_eq!(written("2022年2月9日", c), "2022年2月9日");
        assert_eq!(written("2022-02", c), "2022年2月");
        assert_eq!(
            written("2022-02-09", DateStyle::Fullwidth),
            "２０２２年２月９日"
        );
        assert_eq!(written("2022-02-09", DateStyle::Iso), "2022-02-09");
        assert_eq!(super::edition_date("2024-01-01", "zh-Hans", c), "2024年1月");
        assert_eq!(
            super::edition_date("2024-01-01", "zh-Hant", DateStyle::Fullwidth),
            "２０２４年１月"
        );
        assert_eq!(
            super::edition_date("2024-01-01", "zh-Hans", DateStyle::Iso),
            "2024-01-01"
        );
        assert_eq!(super::edition_date("2024-01-01", "en", c), "2024-01-01");
        for odd in ["2022年第3期", "昨天", "2022-13-01", "22-2-9", ""] {
            assert_eq!(written(odd, c), odd);
        }
    }
}
