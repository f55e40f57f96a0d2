//! `user_enumeration` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, SIGNIN_USER, out};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let (c, src) = (&config.detectors, &spark::source());
    let e = &c.user_enumeration;
    let w = e.window.ms();
    let body = format!(
        "WITH {src},
fails AS (
  SELECT ip, user_name, time_ms, seq, event_id FROM ev
  WHERE {SIGNIN_USER} AND ip IS NOT NULL AND outcome = 'failure' AND no_such_user
),
framed AS (
  SELECT *,
    size(collect_set(user_name) OVER w) AS accounts_w,
    MIN(time_ms) OVER w AS win_first,
    CASE WHEN time_ms - LAG(time_ms) OVER (PARTITION BY ip ORDER BY time_ms, seq) <= {w}
         THEN 0 ELSE 1 END AS new_burst
  FROM fails
  WINDOW w AS (PARTITION BY ip ORDER BY time_ms RANGE BETWEEN {w} PRECEDING AND CURRENT ROW)
),
bursts AS (
  SELECT *, SUM(new_burst) OVER (PARTITION BY ip ORDER BY time_ms, seq
                                 ROWS UNBOUNDED PRECEDING) AS burst
  FROM framed
),
fired AS (
  SELECT ip, burst,
    MIN(CASE WHEN accounts_w >= {min} THEN win_first END) AS first_ms,
    MAX(time_ms) AS last_ms
  FROM bursts GROUP BY ip, burst
),
grouped AS (
  SELECT f.ip, f.first_ms, f.last_ms, COUNT(*) AS attempts,
    slice(array_sort(collect_list(named_struct('t', b.time_ms, 'id', b.event_id))), 1, 50) AS ids
  FROM fired f JOIN bursts b ON b.ip = f.ip AND b.burst = f.burst AND b.time_ms >= f.first_ms
  WHERE f.first_ms IS NOT NULL
  GROUP BY f.ip, f.burst, f.first_ms, f.last_ms
)
SELECT
{cols}
FROM grouped",
        min = e.min_accounts,
        cols = out(
            DetectorId::UserEnumeration,
            "ip",
            "CAST(NULL AS STRING)",
            "ip",
            "first_ms",
            "last_ms",
            "attempts",
            "false",
            "transform(ids, x -> x.id)",
        ),
    );
    (body, Vec::new())
}
