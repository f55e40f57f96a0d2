//! `slow_spray` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, SIGNIN_USER, chained_spray, Chained, TIES};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let (c, src) = (&config.detectors, &spark::source());
    let s = &c.slow_spray;
    let src = format!(
        "{src},\nkeyed AS (SELECT *, ip AS net FROM ev WHERE {SIGNIN_USER} AND ip IS NOT NULL)"
    );
    let body = chained_spray(
        DetectorId::SlowSpray,
        &src,
        c,
        Chained {
            window: s.window.ms(),
            min_users: s.min_users,
            min_ips: None,
            max_success_users: s.max_success_users,
            ok_cap: None,
        },
    );
    (
        body,
        vec![format!(
            "{TIES}; the signing-in user listed is the earliest"
        )],
    )
}
