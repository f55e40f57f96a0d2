//! `password_spray` in ES|QL (the Elastic integrations of `lake/esql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::lake::esql::{span, SIGNINS, OUTCOME, KEEP, bins};

/// The ES|QL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let s = &c.password_spray;
    (
        format!(
            "{SIGNINS}
{OUTCOME}
| WHERE source.ip IS NOT NULL
| EVAL fail_user = CASE(outcome == \"failure\", user, null),
    ok_user = CASE(outcome IN (\"success\", \"interrupted\"), user, null),
    fail_time = CASE(outcome == \"failure\", @timestamp, null)
| STATS attempts = COUNT(fail_user), users = COUNT_DISTINCT(fail_user),
    ok_users = COUNT_DISTINCT(ok_user), ok_events = COUNT(ok_user),
    first_seen = MIN(fail_time), last_seen = MAX(@timestamp), user = MIN(ok_user),
    evidence_ids = VALUES(event.id)
    BY ip = source.ip, bin = BUCKET(@timestamp, {w})
| WHERE attempts >= {attempts} AND users >= {users}
| EVAL detector = \"password_spray\", entity = TO_STRING(ip), event_count = attempts + ok_events,
    suppressed = ok_users > {max_ok}
{KEEP}",
            w = span(s.window.ms()),
            attempts = s.min_attempts,
            users = s.min_users,
            max_ok = s.max_success_users,
        ),
        bins(
            "successes count only inside the same bin (hunt: until one window \
                      after the last failure)",
        ),
    )
}
