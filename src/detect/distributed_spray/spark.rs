//! `distributed_spray` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, SIGNIN_USER, chained_spray, Chained, TIES};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let (c, src) = (&config.detectors, &spark::source());
    let s = &c.distributed_spray;
    let v4 = "ip RLIKE '^[0-9]{1,3}([.][0-9]{1,3}){3}$'";
    let src = format!(
        "{src},
keyed AS (
  SELECT *, CASE WHEN asn <> 0 THEN concat('AS', CAST(asn AS STRING))
                 WHEN {v4} THEN concat(regexp_extract(ip, '^([0-9]+[.][0-9]+[.][0-9]+)[.]', 1), '.0/24')
            END AS net
  FROM ev WHERE {SIGNIN_USER} AND ip IS NOT NULL
)"
    );
    let body = chained_spray(
        DetectorId::DistributedSpray,
        &src,
        c,
        Chained {
            window: s.window.ms(),
            min_users: s.min_users,
            min_ips: Some(s.min_ips),
            max_success_users: s.max_success_users,
            ok_cap: Some(10),
        },
    );
    (
        body,
        vec![format!(
            "{TIES}; an IPv6 address without an AS number (hunt: its /48) and an IPv4 \
             address written with leading zeros are not grouped; the signing-in user listed \
             is the earliest"
        )],
    )
}
