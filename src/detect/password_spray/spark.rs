//! `password_spray` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, out};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let src = spark::source();
    let s = &config.detectors.password_spray;
    let w = s.window.ms();
    let body = format!(
        "WITH {src},
{shape},
spray AS (
  SELECT f.ip, f.burst, f.first_ms, f.last_ms AS last_fail, COUNT(*) AS attempts,
    slice(array_sort(collect_list(named_struct('t', b.time_ms, 'id', b.event_id))), 1, 40) AS fail_ids
  FROM fired f JOIN bursts b ON b.ip = f.ip AND b.burst = f.burst AND b.time_ms >= f.first_ms
  WHERE f.first_ms IS NOT NULL
  GROUP BY f.ip, f.burst, f.first_ms, f.last_ms
),
oks AS (
  SELECT s.ip, s.burst, COUNT(o.time_ms) AS ok_events, size(collect_set(o.user_name)) AS ok_users,
    MAX(o.time_ms) AS last_ok, min_by(o.user_name, o.time_ms) AS first_ok_user,
    slice(array_sort(collect_list(named_struct('t', o.time_ms, 'id', o.event_id))), 1, 10) AS ok_ids
  FROM spray s LEFT JOIN ev o
    ON o.ip = s.ip AND o.kind = 'signin' AND o.user_name IS NOT NULL
   AND o.outcome IN ('success', 'interrupted')
   AND o.time_ms >= s.first_ms AND o.time_ms <= s.last_fail + {w}
  GROUP BY s.ip, s.burst
)
SELECT
{cols}
FROM spray s JOIN oks o ON o.ip = s.ip AND o.burst = s.burst",
        shape = spark::windowed(&super::lake_shape(config)),
        cols = out(
            DetectorId::PasswordSpray,
            "s.ip",
            "o.first_ok_user",
            "s.ip",
            "s.first_ms",
            "greatest(s.last_fail, coalesce(o.last_ok, s.last_fail))",
            "s.attempts + o.ok_events",
            &format!("o.ok_users > {}", s.max_success_users),
            "concat(transform(s.fail_ids, x -> x.id), transform(o.ok_ids, x -> x.id))",
        ),
    );
    (body, Vec::new())
}
