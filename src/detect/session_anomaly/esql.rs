//! `session_anomaly` in ES|QL (the Elastic integrations of `lake/esql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::lake::esql::{span, SIGNINS, OUTCOME, KEEP, bins};

/// The ES|QL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let s = &c.session_anomaly;
    (
        format!(
            "{SIGNINS}
{OUTCOME}
| WHERE azure.signinlogs.properties.session_id IS NOT NULL
| STATS asns = COUNT_DISTINCT(source.as.number), countries = COUNT_DISTINCT(source.geo.country_iso_code),
    first_seen = MIN(@timestamp), last_seen = MAX(@timestamp), event_count = COUNT(*),
    user = MIN(user), ip = MAX(source.ip), evidence_ids = VALUES(event.id)
    BY sid = azure.signinlogs.properties.session_id, bin = BUCKET(@timestamp, {w})
| WHERE asns >= 2 OR countries >= 2
| EVAL detector = \"session_anomaly\", entity = CONCAT(user, \" \", sid), suppressed = false
{KEEP}",
            w = span(s.window.ms()),
        ),
        bins("first_seen is the bin's first use, not the first of the differing pair"),
    )
}
