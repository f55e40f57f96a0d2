//! `session_anomaly` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, out};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let (c, src) = (&config.detectors, &spark::source());
    let w = c.session_anomaly.window.ms();
    let use_t = "STRUCT<ip: STRING, asn: BIGINT, country: STRING, f: BIGINT, l: BIGINT, u: STRING, id: STRING>";
    let body = format!(
        "WITH {src},
uses AS (
  SELECT session_id, time_ms, seq, event_id, ip, asn, country, user_name
  FROM ev
  WHERE session_id IS NOT NULL AND (asn <> 0 OR country IS NOT NULL)
),
folded AS (
  SELECT session_id, aggregate(
      array_sort(collect_list(named_struct('t', time_ms, 's', seq, 'id', event_id, 'ip', ip,
        'asn', asn, 'country', country, 'u', user_name, 'sid', session_id))),
      named_struct(
        'uses', CAST(array() AS ARRAY<{use_t}>),
        'a_last', CAST(NULL AS BIGINT),
        'out', CAST(array() AS ARRAY<STRUCT<first: BIGINT, entity: STRING, ip: STRING, ids: ARRAY<STRING>>>)),
      (acc, e) -> fold_step) AS st
  FROM uses GROUP BY session_id
),
anomalies AS (SELECT session_id, explode(st.out) AS a FROM folded),
grouped AS (
  SELECT n.session_id, n.a.first AS first_ms, n.a.entity AS entity, n.a.ip AS ip,
    regexp_extract(n.a.entity, '^(.*) [^ ]*$', 1) AS user_name,
    MAX(u.time_ms) AS last_ms, COUNT(*) AS events,
    slice(concat(n.a.ids, transform(array_sort(collect_list(named_struct('t', u.time_ms, 'id', u.event_id))), x -> x.id)), 1, 50) AS ids
  FROM anomalies n JOIN uses u ON u.session_id = n.session_id AND u.time_ms >= n.a.first
  GROUP BY n.session_id, n.a.first, n.a.entity, n.a.ip, n.a.ids
)
SELECT
{cols}
FROM grouped",
        cols = out(
            DetectorId::SessionAnomaly,
            "entity",
            "nullif(user_name, '')",
            "ip",
            "first_ms",
            "last_ms",
            "events",
            "false",
            "array_distinct(ids)",
        ),
    );
    // The fold step, kept apart for readability: (1) forget uses not seen
    // within the window, (2) the use this event is (same ip, asn, country),
    // (3) an open anomaly absorbs the event while within a window of its
    // last event, (4) else the earliest live use that cannot be the same
    // client (different known ASN or country) opens one.
    let same = "(x.ip <=> e.ip AND x.asn = e.asn AND x.country <=> e.country)";
    let differs = |a: &str, b: &str| {
        format!(
            "(({a}.asn <> 0 AND {b}.asn <> 0 AND {a}.asn <> {b}.asn) OR ({a}.country IS NOT NULL AND {b}.country IS NOT NULL AND {a}.country <> {b}.country))"
        )
    };
    let live = format!("filter(acc.uses, x -> x.l + {w} >= e.t)");
    let here = format!(
        "coalesce(try_element_at(transform(filter({live}, x -> {same}), x -> named_struct('ip', x.ip, 'asn', x.asn, 'country', x.country, 'f', x.f, 'l', greatest(x.l, e.t), 'u', x.u, 'id', x.id)), 1),
           named_struct('ip', e.ip, 'asn', e.asn, 'country', e.country, 'f', e.t, 'l', e.t, 'u', e.u, 'id', e.id))"
    );
    let new_uses = format!(
        "IF(exists({live}, x -> {same}),
           transform({live}, x -> IF({same}, named_struct('ip', x.ip, 'asn', x.asn, 'country', x.country, 'f', x.f, 'l', greatest(x.l, e.t), 'u', x.u, 'id', x.id), x)),
           IF(size({live}) < 32, concat({live}, array({here})), {live}))"
    );
    let open = format!("(acc.a_last IS NOT NULL AND e.t <= acc.a_last + {w})");
    let others = format!(
        "array_sort(filter({new_uses}, y -> {d}), (p, q) -> CASE WHEN p.f < q.f THEN -1 WHEN p.f > q.f THEN 1 WHEN p.id < q.id THEN -1 WHEN p.id > q.id THEN 1 ELSE 0 END)",
        d = differs("y", "h"),
    );
    let step = format!(
        "transform(array({here}), h -> transform(array({others}), o -> IF({open},
          named_struct('uses', {new_uses}, 'a_last', greatest(acc.a_last, e.t), 'out', acc.out),
          IF(size(o) = 0,
            named_struct('uses', {new_uses}, 'a_last', CAST(NULL AS BIGINT), 'out', acc.out),
            named_struct('uses', {new_uses},
              'a_last', greatest(e.t, try_element_at(o, 1).l),
              'out', concat(acc.out, array(named_struct(
                'first', least(try_element_at(o, 1).f, h.f),
                'entity', concat(coalesce(e.u, try_element_at(o, 1).u, ''), ' ', e.sid),
                'ip', IF(try_element_at(o, 1).f <= h.f, h.ip, try_element_at(o, 1).ip),
                'ids', array(try_element_at(o, 1).id, e.id))))))))[0])[0]"
    );
    let body = body.replace("fold_step", &step);
    (
        body,
        vec![
            "the events absorbed into an anomaly are counted up to the session's last use \
             after it, not only within a window of the previous one"
                .into(),
        ],
    )
}
