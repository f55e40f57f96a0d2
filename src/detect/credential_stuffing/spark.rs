//! `credential_stuffing` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, SIGNIN_USER, out, q};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let (c, src) = (&config.detectors, &spark::source());
    let s = &c.credential_stuffing;
    let ignore = if s.ignore_codes.is_empty() {
        String::new()
    } else {
        let codes: Vec<String> = s.ignore_codes.iter().map(|x| q(x)).collect();
        format!(
            " AND (result_code IS NULL OR result_code NOT IN ({}))",
            codes.join(", ")
        )
    };
    let body = format!(
        "WITH {src},
fails AS (
  SELECT user_name, time_ms, seq, event_id FROM ev
  WHERE {SIGNIN_USER} AND outcome = 'failure'{ignore}
),
verified AS (
  SELECT user_name, time_ms, seq, event_id, ip,
    LAG(time_ms) OVER (PARTITION BY user_name ORDER BY time_ms, seq) AS prev_ok
  FROM ev
  WHERE {SIGNIN_USER} AND outcome IN ('success', 'interrupted')
),
runs AS (
  SELECT v.user_name, v.time_ms AS ok_ms, v.seq, v.event_id AS ok_id, v.ip AS ok_ip,
    COUNT(*) AS failures, MIN(f.time_ms) AS first_ms,
    array_sort(collect_list(named_struct('t', f.time_ms, 'id', f.event_id))) AS fail_ids
  FROM verified v JOIN fails f
    ON f.user_name = v.user_name
   AND named_struct('t', f.time_ms, 's', f.seq) < named_struct('t', v.time_ms, 's', v.seq)
   AND f.time_ms >= v.time_ms - {window}
   AND (v.prev_ok IS NULL OR f.time_ms > v.prev_ok)
  GROUP BY v.user_name, v.time_ms, v.seq, v.event_id, v.ip
  HAVING COUNT(*) >= {min}
)
SELECT
{cols}
FROM runs",
        window = s.window.ms(),
        min = s.min_failures,
        cols = out(
            DetectorId::CredentialStuffing,
            "user_name",
            "user_name",
            "ok_ip",
            "first_ms",
            "ok_ms",
            "failures + 1",
            "false",
            "concat(transform(slice(fail_ids, 1, 40), x -> x.id), array(ok_id))",
        ),
    );
    (
        body,
        vec![
            "last_seen and event_count are those of the crossing sign-in; hunt also \
             counts later verified sign-ins within the window into the same finding"
                .into(),
        ],
    )
}
