//! `brute_force` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, out};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let src = spark::source();
    let w = config.detectors.brute_force.window.ms();
    let body = format!(
        "WITH {src},
{shape},
grouped AS (
  SELECT f.user_name, f.burst, f.first_ms, f.crossed, f.last_ms AS last_fail, COUNT(*) AS failures,
    min_by(b.ip, named_struct('t', b.time_ms, 's', b.seq)) AS ip,
    slice(array_sort(collect_list(named_struct('t', b.time_ms, 'id', b.event_id))), 1, 45) AS fail_ids
  FROM fired f JOIN bursts b
    ON b.user_name = f.user_name AND b.burst = f.burst AND b.time_ms >= f.first_ms
  WHERE f.first_ms IS NOT NULL
  GROUP BY f.user_name, f.burst, f.first_ms, f.crossed, f.last_ms
),
verified AS (
  SELECT g.user_name, g.burst,
    min_by(named_struct('t', o.time_ms, 'id', o.event_id), named_struct('t', o.time_ms, 's', o.seq)) AS ok
  FROM grouped g JOIN ev o
    ON o.user_name = g.user_name AND o.kind = 'signin' AND o.outcome IN ('success', 'interrupted')
   AND named_struct('t', o.time_ms, 's', o.seq) > g.crossed AND o.time_ms <= g.last_fail + {w}
  GROUP BY g.user_name, g.burst
)
SELECT
{cols}
FROM grouped g LEFT JOIN verified v ON v.user_name = g.user_name AND v.burst = g.burst",
        shape = spark::windowed(&super::lake_shape(config)),
        cols = out(
            DetectorId::BruteForce,
            "g.user_name",
            "g.user_name",
            "g.ip",
            "g.first_ms",
            "greatest(g.last_fail, coalesce(v.ok.t, g.last_fail))",
            "g.failures + IF(v.ok IS NULL, 0, 1)",
            "false",
            "concat(transform(g.fail_ids, x -> x.id), IF(v.ok IS NULL, array(), array(v.ok.id)))",
        ),
    );
    (body, Vec::new())
}
