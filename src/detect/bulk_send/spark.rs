//! `bulk_send` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, out};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let (c, src) = (&config.detectors, &spark::source());
    let b = &c.bulk_send;
    let w = b.window.ms();
    let body = format!(
        "WITH {src},
sends AS (
  SELECT user_name, time_ms, seq, event_id, ip FROM ev
  WHERE kind = 'audit' AND user_name IS NOT NULL AND lower(operation) = 'send'
),
framed AS (
  SELECT *,
    COUNT(*) OVER w AS in_window,
    MIN(time_ms) OVER w AS win_first,
    CASE WHEN time_ms - LAG(time_ms) OVER (PARTITION BY user_name ORDER BY time_ms, seq) <= {w}
         THEN 0 ELSE 1 END AS new_burst
  FROM sends
  WINDOW w AS (PARTITION BY user_name ORDER BY time_ms RANGE BETWEEN {w} PRECEDING AND CURRENT ROW)
),
bursts AS (
  SELECT *, SUM(new_burst) OVER (PARTITION BY user_name ORDER BY time_ms, seq
                                 ROWS UNBOUNDED PRECEDING) AS burst
  FROM framed
),
fired AS (
  SELECT user_name, burst,
    MIN(CASE WHEN in_window >= {min} THEN win_first END) AS first_ms,
    MAX(time_ms) AS last_ms
  FROM bursts GROUP BY user_name, burst
),
grouped AS (
  SELECT f.user_name, f.first_ms, f.last_ms, COUNT(*) AS sends,
    min_by(b.ip, b.time_ms) AS ip,
    slice(array_sort(collect_list(named_struct('t', b.time_ms, 'id', b.event_id))), 1, 50) AS ids
  FROM fired f JOIN bursts b
    ON b.user_name = f.user_name AND b.burst = f.burst AND b.time_ms >= f.first_ms
  WHERE f.first_ms IS NOT NULL
  GROUP BY f.user_name, f.burst, f.first_ms, f.last_ms
)
SELECT
{cols}
FROM grouped",
        min = b.min_sends,
        cols = out(
            DetectorId::BulkSend,
            "user_name",
            "user_name",
            "ip",
            "first_ms",
            "last_ms",
            "sends",
            "false",
            "transform(ids, x -> x.id)",
        ),
    );
    (body, Vec::new())
}
