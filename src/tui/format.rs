//! How values read on screen: times (UTC), counts, sizes, durations,
//! severities, outcomes and detector names, with the theme role each one
//! is drawn in. Text from logs is not formatted here: it goes through
//! `sanitize::clean_width` at the point where it is drawn.

use super::theme::Role;
use crate::event::{Millis, Outcome};
use crate::finding::{DetectorId, Severity};
use chrono::{TimeZone, Utc};

/// `2024-05-01 10:02:03` (UTC).
pub fn time(ms: Millis) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => "-".into(),
    }
}

/// `05-01 10:02` (UTC), for narrow columns.
pub fn short_time(ms: Millis) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%m-%d %H:%M").to_string(),
        None => "-".into(),
    }
}

/// The first `n` characters of `s` (all of it when shorter): a short id, a
/// time cut to the minute. Never splits a character.
pub fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((end, _)) => s.get(..end).unwrap_or(s),
        None => s,
    }
}

/// `12,345`.
/// `1 failure`, `1,204 failures`: the count and the word that agrees with it.
pub fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `950`, `12.3k`, `4.5M`.
pub fn compact(n: f64) -> String {
    if n >= 999_950.0 {
        format!("{:.1}M", n / 1e6)
    } else if n >= 999.5 {
        format!("{:.1}k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

/// `12.3 MB`.
pub fn bytes(n: u64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.1} GB", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.1} MB", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.0} kB", n / 1e3)
    } else {
        format!("{n:.0} B")
    }
}

/// `42 min`, `3.5 h`, `2.1 d`.
pub fn minutes(m: f64) -> String {
    if m < 120.0 {
        format!("{m:.0} min")
    } else if m < 48.0 * 60.0 {
        format!("{:.1} h", m / 60.0)
    } else {
        format!("{:.1} d", m / 1440.0)
    }
}

/// Severity as text that reads without colour.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRIT",
        Severity::High => "HIGH",
        Severity::Medium => "med",
        Severity::Low => "low",
    }
}

pub fn severity_role(s: Severity) -> Role {
    match s {
        Severity::Critical => Role::SevCritical,
        Severity::High => Role::SevHigh,
        Severity::Medium => Role::SevMedium,
        Severity::Low => Role::SevLow,
    }
}

/// A detector's short name for narrow tables (its description's, else its id).
pub fn detector_short(d: DetectorId) -> &'static str {
    d.description().map_or(d.as_str(), |x| x.short)
}

/// Outcome as a short word and a symbol that reads without colour.
pub fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Success => "✓ ok",
        Outcome::Failure => "✗ fail",
        Outcome::Interrupted => "~ intr",
        Outcome::Unknown => "·",
    }
}

pub fn outcome_role(o: Outcome) -> Role {
    match o {
        Outcome::Success => Role::Success,
        Outcome::Failure => Role::Failure,
        Outcome::Interrupted => Role::Interrupted,
        Outcome::Unknown => Role::Dim,
    }
}

/// The cells every event table starts with: time, outcome, user, IP,
/// country, and the operation (or app when there is none). The table cuts
/// them to their columns (see [`event_columns`]).
pub fn event_cells(
    store: &crate::store::Store,
    theme: &super::theme::Theme,
    ev: &crate::event::Event,
) -> Vec<super::widgets::table::Cell> {
    use super::widgets::table::Cell;
    let what = if ev.operation.is_some() {
        ev.operation
    } else {
        ev.app
    };
    // A peer logged only as a host name is shown where the address would be.
    let peer = if ev.ip.is_some() {
        store.text(ev.ip)
    } else {
        crate::event::extra_value(store.text(ev.extra), crate::event::extra::HOST).unwrap_or("")
    };
    vec![
        Cell::new(time(ev.time)).or_short(short_time(ev.time)),
        Cell::new(outcome(ev.outcome)).style(theme.style(outcome_role(ev.outcome))),
        Cell::new(store.text(ev.user)),
        Cell::new(peer),
        Cell::new(store.text(ev.country)),
        Cell::new(store.text(what)),
    ]
}

/// The columns of [`event_cells`], headed by `time`: the time loses its
/// year and seconds first, the operation gives way before user and address.
pub fn event_columns(time: &str) -> Vec<super::widgets::table::Column> {
    use super::widgets::columns::Col;
    use super::widgets::table::Column;
    vec![
        Column::new(time, Col::forms(11, 19, 1)),
        Column::new("outcome", Col::fixed(7, 1)),
        Column::new("user", Col::range(12, 40, 0)),
        Column::new("ip", Col::range(15, 39, 0)),
        Column::new("cc", Col::fixed(2, 4)),
        Column::new("app / operation", Col::grow(12, 200, 9)),
    ]
}

/// An event's AS as `AS7922 Comcast` (number and name, either alone when the other is missing).
pub fn asn(store: &crate::store::Store, ev: &crate::event::Event) -> String {
    let org = store.text(ev.as_org);
    match (ev.asn, org.is_empty()) {
        (0, _) => org.to_string(),
        (n, true) => format!("AS{n}"),
        (n, false) => format!("AS{n} {org}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_times_read_well() {
        assert_eq!(count(0), "0");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(compact(950.0), "950");
        assert_eq!(compact(12_345.0), "12.3k");
        assert_eq!(compact(4_500_000.0), "4.5M");
        assert_eq!(bytes(12_300_000), "12.3 MB");
        assert_eq!(time(1_714_557_723_000), "2024-05-01 10:02:03");
        assert_eq!(short_time(1_714_557_723_000), "05-01 10:02");
        assert_eq!(minutes(42.0), "42 min");
        assert_eq!(minutes(210.0), "3.5 h");
    }

    #[test]
    fn prefix_counts_characters() {
        assert_eq!(prefix("95b976381eba7edd", 8), "95b97638");
        assert_eq!(prefix("abc", 8), "abc");
        assert_eq!(prefix("", 8), "");
        assert_eq!(prefix("ééééééééé", 8), "éééééééé");
        assert_eq!(prefix(&time(1_714_557_723_000), 16), "2024-05-01 10:02");
        assert_eq!(prefix(&time(i64::MAX), 16), "-");
    }
}
