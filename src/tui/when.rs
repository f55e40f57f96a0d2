//! The time words of the query line: `time:>=2026-11-18T10:00`,
//! `time:<2026-11-19`, `time:2026-11-18` and `last:2h`. A written time is a
//! range as long as its precision (a date is a day, `HH:MM` a minute), all
//! UTC like every time on screen. `last:` counts back from the newest event
//! loaded, never from the wall clock: a case reopened a week later, or logs
//! replayed from last month, show the same rows. Kept apart from `query` so
//! that file stays about words and matching.

use super::query::Cmp;
use crate::config::Span;
use crate::event::Millis;
use chrono::{NaiveDate, NaiveDateTime};

/// A time word, parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// `time:`: compare against `[start, end)`.
    At {
        cmp: Cmp,
        start: Millis,
        end: Millis,
    },
    /// `last:`: within this many milliseconds of the newest event loaded.
    Last(Millis),
}

impl When {
    /// Parses the value of `time:` (with an optional `>=`, `>`, `<=`, `<`, `=`).
    pub fn parse_time(word: &str, value: &str) -> Result<When, String> {
        let (cmp, rest) = split_cmp(value);
        let (start, end) = range(rest).ok_or_else(|| {
            format!("`{word}`: write a UTC time like 2026-11-18, 2026-11-18T10:00 or 2026-11-18T10:00:30")
        })?;
        Ok(When::At { cmp, start, end })
    }

    /// Parses the value of `last:` (`90s`, `15m`, `2h`, `7d`).
    pub fn parse_last(word: &str, value: &str) -> Result<When, String> {
        match Span::parse(value) {
            Some(s) if s.ms() > 0 => Ok(When::Last(s.ms())),
            _ => Err(format!(
                "`{word}`: write a span like 30m, 2h or 7d (counted back from the newest event)"
            )),
        }
    }

    /// Does something that happened from `first` to `last` match? `newest`
    /// is the newest event time loaded (`None` before any event: `last:` keeps everything).
    pub fn matches(self, first: Millis, last: Millis, newest: Option<Millis>) -> bool {
        match self {
            When::Last(span) => newest.is_none_or(|n| last >= n.saturating_sub(span)),
            When::At { cmp, start, end } => match cmp {
                Cmp::Ge => last >= start,
                Cmp::Gt => last >= end,
                Cmp::Le => first < end,
                Cmp::Lt => first < start,
                Cmp::Eq => first < end && last >= start,
            },
        }
    }
}

/// Splits a leading comparison off a value (`>=x` → `Ge`, `x`).
pub fn split_cmp(value: &str) -> (Cmp, &str) {
    if let Some(r) = value.strip_prefix(">=") {
        (Cmp::Ge, r)
    } else if let Some(r) = value.strip_prefix("<=") {
        (Cmp::Le, r)
    } else if let Some(r) = value.strip_prefix('>') {
        (Cmp::Gt, r)
    } else if let Some(r) = value.strip_prefix('<') {
        (Cmp::Lt, r)
    } else {
        (Cmp::Eq, value.strip_prefix('=').unwrap_or(value))
    }
}

/// The UTC range a written time stands for: a day, a minute or a second.
fn range(s: &str) -> Option<(Millis, Millis)> {
    let s = s.trim_end_matches('Z');
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let start = d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis();
        return Some((start, start + 86_400_000));
    }
    for (fmt, len) in [
        ("%Y-%m-%dT%H:%M", 60_000),
        ("%Y-%m-%d %H:%M", 60_000),
        ("%Y-%m-%dT%H", 3_600_000),
        ("%Y-%m-%dT%H:%M:%S", 1000),
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            let start = t.and_utc().timestamp_millis();
            return Some((start, start + len));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Millis {
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|d| d.timestamp_millis())
            .unwrap_or(i64::MIN)
    }

    #[test]
    fn written_times_are_ranges_of_their_precision() {
        let at = |v: &str| When::parse_time("time:x", v).ok();
        let ten = t("2026-11-18T10:00:00Z");
        let just_before = t("2026-11-18T09:59:59Z");
        let in_minute = t("2026-11-18T10:00:40Z");
        let ge = at(">=2026-11-18T10:00");
        assert!(ge.is_some_and(|w| w.matches(ten, ten, None)));
        assert!(ge.is_some_and(|w| !w.matches(just_before, just_before, None)));
        // `>` a minute means after that minute.
        let gt = at(">2026-11-18T10:00");
        assert!(gt.is_some_and(|w| !w.matches(in_minute, in_minute, None)));
        let lt = at("<2026-11-18T10:00");
        assert!(lt.is_some_and(|w| w.matches(just_before, just_before, None)));
        assert!(lt.is_some_and(|w| !w.matches(ten, ten, None)));
        let le = at("<=2026-11-18T10:00");
        assert!(le.is_some_and(|w| w.matches(in_minute, in_minute, None)));
        // A date is the whole day; an interval matches when it overlaps.
        let day = at("2026-11-18");
        assert!(day.is_some_and(|w| w.matches(ten, ten, None)));
        let next = t("2026-11-19T00:00:00Z");
        assert!(day.is_some_and(|w| !w.matches(next, next, None)));
        assert!(day.is_some_and(|w| w.matches(just_before - 86_400_000, ten, None)));
        assert!(at(">=yesterday").is_none());
        assert!(at("2026-13-01").is_none());
    }

    #[test]
    fn last_counts_back_from_the_newest_event_not_the_clock() {
        let w = When::parse_last("last:2h", "2h").ok();
        let newest = t("2026-11-19T12:00:00Z");
        let inside = t("2026-11-19T10:30:00Z");
        let outside = t("2026-11-19T09:59:00Z");
        assert!(w.is_some_and(|w| w.matches(inside, inside, Some(newest))));
        assert!(w.is_some_and(|w| !w.matches(outside, outside, Some(newest))));
        // A finding that started earlier but is still going is in.
        assert!(w.is_some_and(|w| w.matches(outside, inside, Some(newest))));
        assert!(When::parse_last("last:soon", "soon").is_err());
        assert!(When::parse_last("last:0m", "0m").is_err());
    }
}
