//! `new_country` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, SIGNIN_USER, out};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let (c, src) = (&config.detectors, &spark::source());
    let n = &c.new_country;
    let g = n.group_window.ms();
    let body = format!(
        "WITH {src},
located AS (
  SELECT user_name, time_ms, seq, event_id, ip, country,
    CASE WHEN time_ms - LAG(time_ms) OVER (PARTITION BY user_name ORDER BY time_ms, seq) > {forget}
         THEN 1 ELSE 0 END AS forgot
  FROM ev
  WHERE {SIGNIN_USER} AND outcome = 'success' AND country IS NOT NULL
),
eras AS (
  SELECT *, SUM(forgot) OVER (PARTITION BY user_name ORDER BY time_ms, seq
                              ROWS UNBOUNDED PRECEDING) AS era
  FROM located
),
ranked AS (
  SELECT *,
    ROW_NUMBER() OVER (PARTITION BY user_name, era ORDER BY time_ms, seq) - 1 AS baseline,
    ROW_NUMBER() OVER (PARTITION BY user_name, era, country ORDER BY time_ms, seq) AS nth_here
  FROM eras
),
firsts AS (
  SELECT *,
    ROW_NUMBER() OVER (PARTITION BY user_name, era ORDER BY time_ms, seq) AS country_rank
  FROM ranked WHERE nth_here = 1
),
fired AS (
  SELECT user_name, era, country, time_ms AS first_ms, seq AS first_seq,
    LEAD(named_struct('t', time_ms, 's', seq)) OVER (PARTITION BY user_name, era
                                                    ORDER BY time_ms, seq) AS next_first
  FROM firsts
  WHERE country_rank <= {max} AND baseline >= {min}
),
grouped AS (
  SELECT f.user_name, f.country, f.first_ms, MAX(r.time_ms) AS last_ms, COUNT(*) AS sign_ins,
    min_by(r.ip, named_struct('t', r.time_ms, 's', r.seq)) AS ip,
    slice(array_sort(collect_list(named_struct('t', r.time_ms, 'id', r.event_id))), 1, 50) AS ids
  FROM fired f JOIN ranked r
    ON r.user_name = f.user_name AND r.era = f.era AND r.country = f.country
   AND named_struct('t', r.time_ms, 's', r.seq) >= named_struct('t', f.first_ms, 's', f.first_seq)
   AND r.time_ms < f.first_ms + {g}
   AND (f.next_first IS NULL OR named_struct('t', r.time_ms, 's', r.seq) < f.next_first)
  GROUP BY f.user_name, f.era, f.country, f.first_ms
)
SELECT
{cols}
FROM grouped",
        forget = n.forget_after.ms(),
        max = n.max_countries,
        min = n.min_baseline,
        cols = out(
            DetectorId::NewCountry,
            "user_name",
            "user_name",
            "ip",
            "first_ms",
            "last_ms",
            "sign_ins",
            "false",
            "transform(ids, x -> x.id)",
        ),
    );
    (
        body,
        vec![
            "a user's baseline restarts after a gap of more than forget_after between \
             located successes; hunt forgets at its next state sweep after that, so a \
             gap just over forget_after may keep the baseline there"
                .into(),
        ],
    )
}
