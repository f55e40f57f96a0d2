//! `impossible_travel` in ES|QL (the Elastic integrations of `lake/esql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::lake::esql::{BINS, span, SIGNINS, OUTCOME, KEEP};
use crate::lake::{float};

/// The ES|QL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let t = &c.impossible_travel;
    (
        format!(
            "{SIGNINS}
{OUTCOME}
| WHERE outcome == \"success\" AND source.geo.country_iso_code IS NOT NULL
| STATS countries = COUNT_DISTINCT(source.geo.country_iso_code), first_seen = MIN(@timestamp),
    last_seen = MAX(@timestamp), event_count = COUNT(*), ip = MAX(source.ip),
    evidence_ids = VALUES(event.id)
    BY user, bin = BUCKET(@timestamp, {cw})
| WHERE countries >= 2
| EVAL detector = \"impossible_travel\", entity = user, suppressed = false
{KEEP}",
            cw = span(t.country_window.ms()),
        ),
        vec![
            format!(
                "ES|QL cannot pair consecutive sign-ins: this is the country rule only \
                         (two countries in one {} bin); distance and speed \
                         (min_km {}, max_kmh {}, haversine, accuracy radii) are not evaluated",
                span(t.country_window.ms()),
                float(t.min_km),
                float(t.max_kmh)
            ),
            BINS.into(),
        ],
    )
}
