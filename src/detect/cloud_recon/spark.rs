//! `cloud_recon` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, out};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let (c, src) = (&config.detectors, &spark::source());
    let r = &c.cloud_recon;
    let w = r.window.ms();
    let body = format!(
        "WITH {src},
calls AS (
  SELECT access_key, time_ms, seq, event_id, ip, user_name, operation,
    operation = 'GetCallerIdentity' AS is_check,
    operation <> 'GetCallerIdentity' AND operation RLIKE '^(List|Describe|Get).' AS is_recon
  FROM ev
  WHERE kind = 'api' AND access_key IS NOT NULL AND operation IS NOT NULL
),
sessions AS (
  SELECT access_key, explode(aggregate(
      array_sort(collect_list(named_struct('t', time_ms, 's', seq, 'op', operation,
        'check', is_check, 'recon', is_recon))),
      CAST(array() AS ARRAY<STRUCT<first: BIGINT, deadline: BIGINT, apis: ARRAY<STRING>>>),
      (acc, e) -> CASE
        WHEN e.check AND (size(acc) = 0 OR e.t < try_element_at(acc, -1).first
                          OR e.t > try_element_at(acc, -1).deadline)
          THEN concat(acc, array(named_struct('first', e.t, 'deadline', e.t + {w},
                                              'apis', CAST(array() AS ARRAY<STRING>))))
        WHEN e.check
          THEN concat(slice(acc, 1, size(acc) - 1), array(named_struct(
                 'first', try_element_at(acc, -1).first,
                 'deadline', greatest(try_element_at(acc, -1).deadline, e.t + {w}),
                 'apis', try_element_at(acc, -1).apis)))
        WHEN e.recon AND size(acc) > 0 AND e.t >= try_element_at(acc, -1).first
             AND e.t <= try_element_at(acc, -1).deadline
          THEN concat(slice(acc, 1, size(acc) - 1), array(named_struct(
                 'first', try_element_at(acc, -1).first,
                 'deadline', try_element_at(acc, -1).deadline,
                 'apis', array_union(try_element_at(acc, -1).apis, array(e.op)))))
        ELSE acc END)) AS s
  FROM calls GROUP BY access_key
),
fired AS (
  SELECT access_key, s.first AS first_ms, s.deadline FROM sessions WHERE size(s.apis) >= {min}
),
grouped AS (
  SELECT f.access_key, f.first_ms, MAX(c.time_ms) AS last_ms, COUNT(*) AS calls,
    min_by(c.user_name, c.time_ms) AS user_name, min_by(c.ip, c.time_ms) AS ip,
    slice(array_sort(collect_list(named_struct('t', c.time_ms, 'id', c.event_id))), 1, 50) AS ids
  FROM fired f JOIN calls c
    ON c.access_key = f.access_key AND c.time_ms >= f.first_ms AND c.time_ms <= f.deadline
   AND (c.is_check OR c.is_recon)
  GROUP BY f.access_key, f.first_ms
)
SELECT
{cols}
FROM grouped",
        min = r.min_apis,
        cols = out(
            DetectorId::CloudRecon,
            "access_key",
            "user_name",
            "ip",
            "first_ms",
            "last_ms",
            "calls",
            "false",
            "transform(ids, x -> x.id)",
        ),
    );
    (
        body,
        vec![
            "event_count counts identity checks and recon calls up to the session's final \
             deadline (hunt counts them as they arrive)"
                .into(),
        ],
    )
}
