//! Timestamp parsing for every source. All results are UTC milliseconds.
//! A timestamp without a zone is UTC (SPEC §2: M365 `CreationTime`).
//! Never consults the wall clock.

use crate::event::Millis;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Parses the timestamp spellings found in sign-in and audit logs:
/// RFC 3339 with `Z` or an offset and any number of fractional digits
/// (`2024-01-01T10:00:00.1234567Z`), the same with a space instead of `T`,
/// without a zone (taken as UTC), US-style `12/12/2025 3:03:58 PM`, and
/// epoch seconds or milliseconds as digits.
pub fn parse_time(s: &str) -> Option<Millis> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    // At least `YYYY-MM-DDThh:mm:ss` (19 bytes) with its dashes and `T` or space.
    if let [_, _, _, _, b'-', _, _, b'-', _, _, b'T' | b' ', _, _, _, _, _, _, _, _, ..] = b {
        return parse_iso(s);
    }
    if b.iter().all(u8::is_ascii_digit) {
        let n: i64 = s.parse().ok()?;
        // 13 digits: milliseconds; 10 digits: seconds.
        return match b.len() {
            13 => Some(n),
            9..=11 => Some(n * 1000),
            _ => None,
        };
    }
    if s.contains('/') {
        for fmt in [
            "%m/%d/%Y %I:%M:%S %p",
            "%m/%d/%Y %H:%M:%S",
            "%m/%d/%Y %I:%M %p",
        ] {
            if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
                return Some(Utc.from_utc_datetime(&dt).timestamp_millis());
            }
        }
    }
    DateTime::parse_from_rfc2822(s)
        .ok()
        .map(|d| d.timestamp_millis())
}

/// Fast path for `YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|±hh:mm|±hhmm]`.
fn parse_iso(s: &str) -> Option<Millis> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0u32;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + (c - b'0') as u32;
        }
        Some(n)
    };
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let (y, mo, d) = (num(0..4)? as i32, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut millis = 0u32;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        let mut digits = 0;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if digits < 3 {
                millis = millis * 10 + (c - b'0') as u32;
            }
            digits += 1;
            i += 1;
        }
        for _ in digits..3 {
            millis *= 10;
        }
        if digits == 0 {
            return None;
        }
    }
    let offset_secs: i64 = match b.get(i) {
        None => 0,
        Some(b'Z') | Some(b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let rest = b.get(i + 1..)?;
            let (oh, om) = match rest.len() {
                5 if rest.get(2) == Some(&b':') => (num(i + 1..i + 3)?, num(i + 4..i + 6)?),
                4 => (num(i + 1..i + 3)?, num(i + 3..i + 5)?),
                2 => (num(i + 1..i + 3)?, 0),
                _ => return None,
            };
            let o = (oh * 3600 + om * 60) as i64;
            if sign == b'+' {
                o
            } else {
                -o
            }
        }
        Some(b' ')
            if s.get(i..)
                .is_some_and(|z| z.trim().eq_ignore_ascii_case("utc")) =>
        {
            0
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(y, mo, d)?;
    let dt = date.and_hms_milli_opt(h, mi, sec.min(59), millis)?;
    Some(dt.and_utc().timestamp_millis() - offset_secs * 1000)
}

/// Formats milliseconds as RFC 3339 UTC with second precision (`2024-01-01T10:00:00Z`),
/// or with milliseconds when they are not zero.
pub fn format_time(ms: Millis) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(dt) if ms % 1000 == 0 => dt.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => ms.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> Millis {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn parses_every_spelling() {
        let base = ms("2024-01-01T10:00:00Z");
        assert_eq!(parse_time("2024-01-01T10:00:00Z"), Some(base));
        assert_eq!(parse_time("2024-01-01T10:00:00.1234567Z"), Some(base + 123));
        assert_eq!(parse_time("2024-01-01 10:00:00"), Some(base));
        assert_eq!(parse_time("2024-01-01T10:00:00"), Some(base));
        assert_eq!(parse_time("2024-01-01T05:00:00-05:00"), Some(base));
        assert_eq!(parse_time("2024-01-01T11:00:00+0100"), Some(base));
        assert_eq!(parse_time("2024-01-01 10:00:00.5"), Some(base + 500));
        assert_eq!(parse_time("01/01/2024 10:00:00 AM"), Some(base));
        assert_eq!(
            parse_time("12/12/2025 3:03:58 PM"),
            Some(ms("2025-12-12T15:03:58Z"))
        );
        assert_eq!(parse_time("1704103200"), Some(base));
        assert_eq!(parse_time("1704103200000"), Some(base));
        assert_eq!(parse_time("garbage"), None);
        assert_eq!(parse_time("2024-13-01T10:00:00Z"), None);
        assert_eq!(parse_time("2024-01-01T10:00:00Q"), None);
    }

    #[test]
    fn zones_and_cut_or_odd_stamps() {
        let base = ms("2024-01-01T10:00:00Z");
        assert_eq!(parse_time("2024-01-01T11:00:00+01"), Some(base));
        assert_eq!(parse_time("2024-01-01 10:00:00 UTC"), Some(base));
        assert_eq!(parse_time("2024-01-01 10:00:00 ütc"), None);
        assert_eq!(parse_time("2024-01-01T10:00:00+01:0é"), None);
        assert_eq!(parse_time("2024-01-01T10:00:00+0é"), None);
        assert_eq!(parse_time("2024-01-01T10:00:00é"), None);
        assert_eq!(parse_time("2024-01-01T10:00:0é"), None);
        assert_eq!(parse_time("2024-01-01T10é00:00"), None);
        // No cut of a full stamp panics; one without all of the date and time is not a time.
        let full = "2024-01-01T05:00:00.250-05:00";
        for end in 0..full.len() {
            let cut = full.get(..end).unwrap();
            let t = parse_time(cut);
            assert!(t.is_none() || cut.len() >= 19, "{cut:?} -> {t:?}");
        }
        assert_eq!(parse_time(full), Some(base + 250));
    }

    #[test]
    fn formats_utc() {
        assert_eq!(
            format_time(ms("2024-01-01T10:00:00Z")),
            "2024-01-01T10:00:00Z"
        );
        assert_eq!(
            format_time(ms("2024-01-01T10:00:00Z") + 5),
            "2024-01-01T10:00:00.005Z"
        );
    }
}
