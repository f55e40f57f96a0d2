//! `credential_stuffing` in ES|QL (the Elastic integrations of `lake/esql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::lake::esql::{span, SIGNINS, OUTCOME, KEEP, bins, q};

/// The ES|QL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let s = &c.credential_stuffing;
    let ignore: Vec<String> = s.ignore_codes.iter().map(|x| q(x)).collect();
    let ignored = if ignore.is_empty() {
        "false".into()
    } else {
        format!("code IN ({})", ignore.join(", "))
    };
    (
        format!(
            "{SIGNINS}
{OUTCOME}
| EVAL fail = outcome == \"failure\" AND NOT ({ignored}),
    ok = outcome IN (\"success\", \"interrupted\")
| WHERE fail OR ok
| EVAL fail_time = CASE(fail, @timestamp, null), ok_time = CASE(ok, @timestamp, null)
| STATS failures = COUNT(fail_time), first_seen = MIN(fail_time), first_ok = MIN(ok_time),
    last_seen = MAX(ok_time), ok_count = COUNT(ok_time), ip = MIN(source.ip),
    evidence_ids = VALUES(event.id)
    BY user, bin = BUCKET(@timestamp, {w})
| WHERE failures >= {min} AND ok_count > 0 AND last_seen > first_seen
| EVAL detector = \"credential_stuffing\", entity = user, event_count = failures + ok_count,
    suppressed = false
{KEEP}",
            w = span(s.window.ms()),
            min = s.min_failures,
        ),
        bins(
            "failures are counted in the bin, not since the user's previous success; \
                      a bin with failures after its last success still fires",
        ),
    )
}
