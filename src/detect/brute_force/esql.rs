//! `brute_force` in ES|QL (the Elastic integrations of `lake/esql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::lake::esql::{span, SIGNINS, OUTCOME, KEEP, bins};

/// The ES|QL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
            let b = &c.brute_force;
            (
                format!(
                    "{SIGNINS}
{OUTCOME}
| WHERE outcome == \"failure\"
| STATS event_count = COUNT(*), first_seen = MIN(@timestamp), last_seen = MAX(@timestamp),
    ip = MIN(source.ip), evidence_ids = VALUES(event.id)
    BY user, bin = BUCKET(@timestamp, {w})
| WHERE event_count >= {min}
| EVAL detector = \"brute_force\", entity = user, suppressed = false
{KEEP}",
                    w = span(b.window.ms()),
                    min = b.min_failures,
                ),
                bins("a verified sign-in after the failures is not recorded (credential_stuffing reports it)"),
            )
}
