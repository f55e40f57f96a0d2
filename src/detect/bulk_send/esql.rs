//! `bulk_send` in ES|QL (the Elastic integrations of `lake/esql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::lake::esql::{span, KEEP, bins};

/// The ES|QL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
            let b = &c.bulk_send;
            (
                format!(
                    "FROM logs-o365.audit-*
| WHERE event.action == \"Send\" AND user.id IS NOT NULL
| STATS event_count = COUNT(*), first_seen = MIN(@timestamp), last_seen = MAX(@timestamp),
    ip = MIN(source.ip), evidence_ids = VALUES(event.id)
    BY user = TO_LOWER(user.id), bin = BUCKET(@timestamp, {w})
| WHERE event_count >= {min}
| EVAL detector = \"bulk_send\", entity = user, suppressed = false
{KEEP}",
                    w = span(b.window.ms()),
                    min = b.min_sends,
                ),
                bins(""),
            )
}
