//! `impossible_travel` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, SIGNIN_USER, out};
use crate::lake::{float};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let (c, src) = (&config.detectors, &spark::source());
    let t = &c.impossible_travel;
    let g = t.group_window.ms();
    let body = format!(
        "WITH {src},
located AS (
  SELECT user_name, time_ms, seq, event_id, ip, country, radius_km,
    CASE WHEN lat IS NOT NULL AND lon IS NOT NULL AND NOT isnan(lat) AND NOT isnan(lon)
         THEN true ELSE false END AS has_coords, lat, lon
  FROM ev
  WHERE {SIGNIN_USER} AND outcome = 'success'
    AND ((lat IS NOT NULL AND lon IS NOT NULL AND NOT isnan(lat) AND NOT isnan(lon))
         OR country IS NOT NULL)
),
pairs AS (
  SELECT user_name, time_ms AS to_ms, seq AS to_seq, event_id AS to_id, ip AS to_ip,
    country AS to_country, has_coords AS to_xy, lat AS to_lat, lon AS to_lon, radius_km AS to_r,
    LAG(time_ms) OVER u AS from_ms, LAG(event_id) OVER u AS from_id,
    LAG(country) OVER u AS from_country, LAG(has_coords) OVER u AS from_xy,
    LAG(lat) OVER u AS from_lat, LAG(lon) OVER u AS from_lon, LAG(radius_km) OVER u AS from_r
  FROM located
  WINDOW u AS (PARTITION BY user_name ORDER BY time_ms, seq)
),
measured AS (
  SELECT *,
    CASE WHEN from_xy AND to_xy THEN
      2.0 * 6371.0088 * asin(least(1.0, sqrt(
        pow(sin(radians(to_lat - from_lat) / 2.0), 2)
        + cos(radians(from_lat)) * cos(radians(to_lat)) * pow(sin(radians(to_lon - from_lon) / 2.0), 2))))
    END AS km,
    greatest(to_ms - from_ms, 60000) / 3600000.0 AS hours
  FROM pairs WHERE from_ms IS NOT NULL
),
hops AS (
  SELECT * FROM measured
  WHERE CASE
    WHEN from_xy AND to_xy THEN
      NOT (from_lat = to_lat AND from_lon = to_lon)
      AND km >= {min_km} AND km / hours > {max_kmh} AND km > from_r + to_r
    ELSE from_country IS NOT NULL AND to_country IS NOT NULL
      AND from_country <> to_country AND to_ms - from_ms <= {country_ms}
  END
),
trips AS (
  SELECT user_name, explode({starts}) AS trip_first
  FROM (SELECT user_name, array_sort(collect_list(named_struct('to_ms', to_ms, 'to_seq', to_seq,
          'from_ms', from_ms))) AS hs FROM hops GROUP BY user_name)
),
grouped AS (
  SELECT t.user_name, t.trip_first, MAX(h.to_ms) AS last_ms,
    max_by(h.to_ip, h.to_ms) AS ip, COUNT(*) AS hop_count,
    array_distinct(flatten(collect_list(array(h.from_id, h.to_id)))) AS ids
  FROM trips t JOIN hops h
    ON h.user_name = t.user_name AND h.from_ms >= t.trip_first AND h.to_ms < t.trip_first + {g}
  GROUP BY t.user_name, t.trip_first
)
SELECT
{cols}
FROM grouped",
        min_km = float(t.min_km),
        max_kmh = float(t.max_kmh),
        country_ms = t.country_window.ms(),
        starts = group_starts_by("hs", "h.to_ms", "h.from_ms", g),
        cols = out(
            DetectorId::ImpossibleTravel,
            "user_name",
            "user_name",
            "ip",
            "trip_first",
            "last_ms",
            "size(ids)",
            "false",
            "slice(ids, 1, 50)",
        ),
    );
    (
        body,
        vec![
            "pairs are consecutive in event time only: hunt also judges a late-arriving \
             sign-in against its neighbours among the user's last 4 located sign-ins; \
             event_count counts sign-ins in hops (a chain A->B->C counts 3, as hunt does)"
                .into(),
        ],
    )
}

/// Like [`group_starts`] over structs: a new group starts (at `start`) when
/// `key` is at least `span` after the current group's start.
fn group_starts_by(arr: &str, key: &str, start: &str, span: i64) -> String {
    format!(
        "aggregate({arr}, CAST(array() AS ARRAY<BIGINT>),
      (acc, h) -> IF(size(acc) = 0 OR {key} >= try_element_at(acc, -1) + {span}, concat(acc, array({start})), acc))"
    )
}
