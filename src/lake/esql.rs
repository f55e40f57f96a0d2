//! ES|QL (Elasticsearch 8.16+): each detector over the Elastic Azure
//! integration's `logs-azure.signinlogs-*` ECS fields (and
//! `logs-o365.audit-*`, `logs-aws.cloudtrail-*` for mail and cloud). ES|QL
//! has no window functions and no self-join, so every stateful detector
//! becomes fixed time bins (`BUCKET`) with conditional aggregates: each
//! query says so at its top. Not run against a live engine here: golden
//! files only (tests/lake_rules.rs).

use super::lower_list;
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
