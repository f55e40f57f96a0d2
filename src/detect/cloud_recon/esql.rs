//! `cloud_recon` in ES|QL (the Elastic integrations of `lake/esql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::lake::esql::{span, KEEP, bins};

/// The ES|QL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let r = &c.cloud_recon;
    (
        format!(
            "FROM logs-aws.cloudtrail-*
| WHERE aws.cloudtrail.user_identity.access_key_id IS NOT NULL
| EVAL op = event.action, check = op == \"GetCallerIdentity\",
    recon = op != \"GetCallerIdentity\" AND op RLIKE \"(List|Describe|Get).+\"
| WHERE check OR recon
| EVAL check_time = CASE(check, @timestamp, null), api = CASE(recon, op, null)
| STATS apis = COUNT_DISTINCT(api), checks = COUNT(check_time), first_seen = MIN(check_time),
    last_seen = MAX(@timestamp), event_count = COUNT(*), ip = MIN(source.ip),
    user = MIN(aws.cloudtrail.user_identity.arn), evidence_ids = VALUES(event.id)
    BY key = aws.cloudtrail.user_identity.access_key_id, bin = BUCKET(@timestamp, {w})
| WHERE checks > 0 AND apis >= {min}
| EVAL detector = \"cloud_recon\", entity = key, suppressed = false
{KEEP}",
            w = span(r.window.ms()),
            min = r.min_apis,
        ),
        bins("recon calls before the identity check in the same bin also count"),
    )
}
