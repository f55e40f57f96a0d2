//! `mfa_fatigue` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, SIGNIN_USER, out, q};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let (c, src) = (&config.detectors, &spark::source());
    let m = &c.mfa_fatigue;
    let w = m.window.ms();
    let codes = if m.prompt_codes.is_empty() {
        "false".to_string()
    } else {
        let list: Vec<String> = m.prompt_codes.iter().map(|x| q(x)).collect();
        format!(
            "(outcome = 'interrupted' AND result_code IN ({}))",
            list.join(", ")
        )
    };
    let burst_t = "STRUCT<first: BIGINT, last: BIGINT, n: BIGINT, ok: BOOLEAN, ip: STRING, ok_ip: STRING, ids: ARRAY<STRING>>";
    let body = format!(
        "WITH {src},
marked AS (
  SELECT user_name, time_ms, seq, event_id, ip, outcome = 'success' AS is_ok
  FROM ev
  WHERE {SIGNIN_USER}
    AND (outcome = 'success' OR mfa_denied OR {codes})
),
folded AS (
  SELECT user_name, aggregate(
      array_sort(collect_list(named_struct('t', time_ms, 's', seq, 'ok', is_ok, 'ip', ip, 'id', event_id))),
      named_struct('w', CAST(array() AS ARRAY<STRUCT<t: BIGINT, ip: STRING, id: STRING>>),
                   'bs', CAST(array() AS ARRAY<{burst_t}>), 'live', false),
      (acc, e) -> fold_step) AS st
  FROM marked
  WHERE user_name IN (SELECT user_name FROM marked WHERE NOT is_ok)
  GROUP BY user_name
),
bursts AS (SELECT user_name, explode(st.bs) AS b FROM folded)
SELECT
{cols}
FROM bursts",
        cols = out(
            DetectorId::MfaFatigue,
            "user_name",
            "user_name",
            "coalesce(b.ok_ip, b.ip)",
            "b.first",
            "b.last",
            "b.n + IF(b.ok, 1, 0)",
            "false",
            "slice(b.ids, 1, 50)",
        ),
    );
    // The fold, one event at a time as hunt does: (1) forget prompts older
    // than the window; a prompt (2) within 2 s of the last one kept is the
    // same prompt, (3) else joins the open burst (no success yet, within a
    // window of its last prompt), (4) else opens one when the window holds
    // enough prompts; a success (5) ends the open burst as approved, or (6)
    // opens an approved one when enough prompts precede it, and clears the
    // prompts either way.
    let pruned = format!("filter(acc.w, x -> x.t >= e.t - {w})");
    let cur = "try_element_at(acc.bs, -1)";
    let init = "slice(acc.bs, 1, size(acc.bs) - 1)";
    let with_prompt =
        format!("concat({pruned}, array(named_struct('t', e.t, 'ip', e.ip, 'id', e.id)))");
    let step = format!(
        "CASE
        WHEN NOT e.ok AND size({pruned}) > 0 AND abs(e.t - try_element_at({pruned}, -1).t) < {same}
          THEN named_struct('w', {pruned}, 'bs', acc.bs, 'live', acc.live)
        WHEN NOT e.ok AND acc.live AND NOT {cur}.ok AND e.t <= {cur}.last + {w}
          THEN named_struct('w', {with_prompt}, 'bs', concat({init}, array(named_struct(
                 'first', {cur}.first, 'last', greatest({cur}.last, e.t), 'n', {cur}.n + 1,
                 'ok', false, 'ip', {cur}.ip, 'ok_ip', {cur}.ok_ip,
                 'ids', concat({cur}.ids, array(e.id))))), 'live', true)
        WHEN NOT e.ok AND size({with_prompt}) >= {min_without}
          THEN named_struct('w', {with_prompt}, 'bs', concat(acc.bs, array(named_struct(
                 'first', {with_prompt}[0].t, 'last', e.t, 'n', CAST(size({with_prompt}) AS BIGINT),
                 'ok', false, 'ip', {with_prompt}[0].ip, 'ok_ip', CAST(NULL AS STRING),
                 'ids', transform({with_prompt}, x -> x.id)))), 'live', true)
        WHEN NOT e.ok
          THEN named_struct('w', {with_prompt}, 'bs', acc.bs, 'live', false)
        WHEN acc.live AND NOT {cur}.ok AND e.t >= {cur}.last AND e.t <= {cur}.last + {w}
          THEN named_struct('w', CAST(array() AS ARRAY<STRUCT<t: BIGINT, ip: STRING, id: STRING>>),
                 'bs', concat({init}, array(named_struct(
                 'first', {cur}.first, 'last', greatest({cur}.last, e.t), 'n', {cur}.n,
                 'ok', true, 'ip', {cur}.ip, 'ok_ip', e.ip,
                 'ids', concat({cur}.ids, array(e.id))))), 'live', true)
        WHEN size(filter({pruned}, x -> x.t <= e.t)) >= {min_then}
          THEN named_struct('w', CAST(array() AS ARRAY<STRUCT<t: BIGINT, ip: STRING, id: STRING>>),
                 'bs', concat(acc.bs, array(named_struct(
                 'first', {pruned}[0].t, 'last', greatest(try_element_at({pruned}, -1).t, e.t),
                 'n', CAST(size({pruned}) AS BIGINT),
                 'ok', true, 'ip', {pruned}[0].ip, 'ok_ip', e.ip,
                 'ids', concat(transform({pruned}, x -> x.id), array(e.id))))), 'live', true)
        ELSE named_struct('w', CAST(array() AS ARRAY<STRUCT<t: BIGINT, ip: STRING, id: STRING>>),
                 'bs', acc.bs, 'live', acc.live)
      END",
        same = crate::detect::SAME_PROMPT_MS,
        min_without = m.min_prompts_without_success,
        min_then = m.min_prompts_then_success,
    );
    (body.replace("fold_step", &step), Vec::new())
}
