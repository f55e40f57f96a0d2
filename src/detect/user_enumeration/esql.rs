//! `user_enumeration` in ES|QL (the Elastic integrations of `lake/esql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::lake::esql::{span, SIGNINS, OUTCOME, KEEP, bins};

/// The ES|QL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
            let e = &c.user_enumeration;
            (
                format!(
                    "{SIGNINS}
{OUTCOME}
| WHERE outcome == \"failure\" AND code == \"50034\" AND source.ip IS NOT NULL
| STATS accounts = COUNT_DISTINCT(user), event_count = COUNT(*), first_seen = MIN(@timestamp),
    last_seen = MAX(@timestamp), evidence_ids = VALUES(event.id)
    BY ip = source.ip, bin = BUCKET(@timestamp, {w})
| WHERE accounts >= {min}
| EVAL detector = \"user_enumeration\", entity = TO_STRING(ip), user = null, suppressed = false
{KEEP}",
                    w = span(e.window.ms()),
                    min = e.min_accounts,
                ),
                bins("Entra sign-ins only (result 50034); hunt also reads Okta UNKNOWN_USER, sshd invalid users and Kerberos 0x6"),
            )
}
