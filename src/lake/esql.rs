//! ES|QL (Elasticsearch 8.16+): each detector over the Elastic Azure
//! integration's `logs-azure.signinlogs-*` ECS fields (and
//! `logs-o365.audit-*`, `logs-aws.cloudtrail-*` for mail and cloud). ES|QL
//! has no window functions and no self-join, so every stateful detector
//! becomes fixed time bins (`BUCKET`) with conditional aggregates: each
//! query says so at its top. Not run against a live engine here: golden
//! files only (tests/lake_rules.rs).

use super::lower_list;
use super::shape::{Counted, Key, Then, WindowedCount};
use crate::finding::DetectorId;

/// An ES|QL string literal (double quotes, backslash escapes).
pub fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(crate) const SIGNINS: &str = "FROM logs-azure.signinlogs-*";

/// hunt's outcome from the Entra result code.
pub(crate) const OUTCOME: &str = "| EVAL user = TO_LOWER(azure.signinlogs.properties.user_principal_name),
    code = TO_STRING(azure.signinlogs.properties.status.error_code),
    outcome = CASE(code == \"0\", \"success\",
      code IN (\"50125\", \"50140\", \"70043\", \"70044\", \"50074\", \"50076\", \"50079\", \"50072\", \"50158\", \"53003\"), \"interrupted\",
      code IS NULL, \"unknown\", \"failure\")
| WHERE user IS NOT NULL";

/// A span as an ES|QL time interval.
pub(crate) fn span(ms: i64) -> String {
    if ms % 3_600_000 == 0 {
        format!("{} hours", ms / 3_600_000)
    } else if ms % 60_000 == 0 {
        format!("{} minutes", ms / 60_000)
    } else if ms % 1000 == 0 {
        format!("{} seconds", ms / 1000)
    } else {
        format!("{ms} milliseconds")
    }
}

pub(crate) fn list(items: &[String]) -> String {
    if items.is_empty() {
        "\"\"".into()
    } else {
        lower_list(items, q)
    }
}

/// The final columns (from `detector … evidence_ids` computed before).
pub(crate) const KEEP: &str =
    "| KEEP detector, entity, user, ip, first_seen, last_seen, event_count, suppressed, evidence_ids";

pub(crate) const BINS: &str =
    "ES|QL has no sliding windows or self-joins: the window is a fixed time bin \
                    (BUCKET), so a burst across a bin boundary is split or missed";

/// Successful sign-ins matching `condition`, one row per user per group bin.
pub(crate) fn grouped(d: DetectorId, condition: &str, group: i64) -> String {
    format!(
        "{SIGNINS}
{OUTCOME}
| WHERE outcome == \"success\" AND ({condition})
| STATS first_seen = MIN(@timestamp), last_seen = MAX(@timestamp), event_count = COUNT(*),
    ip = MIN(source.ip), evidence_ids = VALUES(event.id)
    BY user, bin = BUCKET(@timestamp, {g})
| EVAL detector = {det}, entity = user, suppressed = false
{KEEP}",
        g = span(group),
        det = q(d.as_str()),
    )
}

/// The caveats of a binned query: [`BINS`], then `extra` (if any).
pub(crate) fn bins(extra: &str) -> Vec<String> {
    let mut v = vec![BINS.to_string()];
    if !extra.is_empty() {
        v.push(extra.to_string());
    }
    v
}

/// A windowed count as fixed time bins: one row per key per bin holding
/// enough events (ES|QL cannot slide a window), with its caveats.
pub(crate) fn binned(s: &WindowedCount) -> (String, Vec<String>) {
    let with_ip = if s.key == Key::Ip {
        " AND source.ip IS NOT NULL"
    } else {
        ""
    };
    let (from, filter, user) = match s.counted {
        Counted::Failures => (
            format!("{SIGNINS}\n{OUTCOME}"),
            "outcome == \"failure\"",
            "user",
        ),
        Counted::UnknownAccounts => (
            format!("{SIGNINS}\n{OUTCOME}"),
            "outcome == \"failure\" AND code == \"50034\"",
            "user",
        ),
        Counted::Sends => (
            "FROM logs-o365.audit-*".to_string(),
            "event.action == \"Send\" AND user.id IS NOT NULL",
            "user = TO_LOWER(user.id)",
        ),
    };
    let (by, entity, ip, no_user) = match s.key {
        Key::User => (user, "user", "ip = MIN(source.ip), ", ""),
        Key::Ip => ("ip = source.ip", "TO_STRING(ip)", "", ", user = null"),
    };
    let (mut counts, mut cond) = (String::new(), Vec::new());
    if let Some(n) = s.min_users {
        counts.push_str("users = COUNT_DISTINCT(user), ");
        cond.push(format!("users >= {n}"));
    }
    if let Some(n) = s.min_events {
        cond.push(format!("event_count >= {n}"));
    }
    let cond = if cond.is_empty() {
        "false".to_string()
    } else {
        cond.join(" AND ")
    };
    let body = format!(
        "{from}
| WHERE {filter}{with_ip}
| STATS {counts}event_count = COUNT(*), first_seen = MIN(@timestamp), last_seen = MAX(@timestamp),
    {ip}evidence_ids = VALUES(event.id)
    BY {by}, bin = BUCKET(@timestamp, {w})
| WHERE {cond}
| EVAL detector = {det}, entity = {entity}{no_user}, suppressed = false
{KEEP}",
        w = span(s.window_ms),
        det = q(s.detector.as_str()),
    );
    let extra = match (s.counted, s.then) {
        (Counted::UnknownAccounts, _) => crate::lake::kql::UNKNOWN_ACCOUNTS,
        (_, Then::FirstVerified) => {
            "a verified sign-in after the failures is not recorded (credential_stuffing reports it)"
        }
        _ => "",
    };
    (body, bins(extra))
}
