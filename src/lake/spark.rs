//! Spark SQL (issue 14 part 2): each detector over the OCSF Parquet that
//! `hunt events --output parquet` writes, registered as the table or view
//! `hunt_events`. The first CTE, `ev`, flattens the OCSF record into the
//! columns of hunt's event model (the only place that knows OCSF paths);
//! the rest of each query is written against `ev`. Stateful detectors keep
//! their exact semantics: sliding windows are range frames, bursts are gaps
//! and islands, and anchored groups (24 h from the first hit, a trip, a
//! GetCallerIdentity session, a session-token replay) are folds over the
//! entity's time-ordered events with `aggregate`, which is what the Rust
//! detector does one event at a time. Runs with ANSI mode on or off.
//! Events of one millisecond are taken in (file, offset) order: within a
//! file that is hunt's order; across files hunt ranks files by a hash of
//! their name, so a tie across files may be ordered differently.

use super::shape::{Counted, Key, Then, WindowedCount, EVIDENCE};
use super::COLUMNS;
use crate::finding::DetectorId;

/// The table or view the queries read.
pub const TABLE: &str = "hunt_events";

/// A Spark SQL string literal.
pub fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The flattening CTE: one row per hunt event, hunt's field names.
pub(crate) fn source() -> String {
    format!(
        "ev AS (
  SELECT
    concat(unmapped.file, ':', CAST(unmapped.offset AS STRING)) AS event_id,
    CAST(`time` AS BIGINT) AS time_ms,
    unmapped.kind AS kind,
    unmapped.outcome AS outcome,
    NULLIF(coalesce(`user`.name, actor.`user`.name), '') AS user_name,
    NULLIF(src_endpoint.ip, '') AS ip,
    NULLIF(status_code, '') AS result_code,
    NULLIF(unmapped.client_app, '') AS client_app,
    NULLIF(unmapped.auth_requirement, '') AS auth_requirement,
    NULLIF(src_endpoint.location.country, '') AS country,
    COALESCE(CAST(src_endpoint.autonomous_system.number AS BIGINT), 0) AS asn,
    NULLIF(src_endpoint.autonomous_system.name, '') AS as_org,
    CAST(src_endpoint.location.lat AS DOUBLE) AS lat,
    CAST(src_endpoint.location.long AS DOUBLE) AS lon,
    COALESCE(CAST(unmapped.accuracy_km AS BIGINT), 0) AS radius_km,
    COALESCE(CAST(unmapped.is_proxy AS BOOLEAN), false) AS is_proxy,
    NULLIF(unmapped.risk_level, '') AS risk_level,
    NULLIF(unmapped.risk_state, '') AS risk_state,
    NULLIF(unmapped.risk_events, '') AS risk_events,
    NULLIF(unmapped.home_tenant, '') AS home_tenant,
    NULLIF(unmapped.resource_tenant, '') AS resource_tenant,
    NULLIF(`session`.uid, '') AS session_id,
    NULLIF(api.operation, '') AS operation,
    unmapped.params AS params,
    NULLIF(unmapped.access_key, '') AS access_key,
    COALESCE(CAST(unmapped.no_such_user AS BOOLEAN), false) AS no_such_user,
    COALESCE(CAST(unmapped.mfa_denied AS BOOLEAN), false) AS mfa_denied,
    NULLIF(unmapped.protocol, '') AS protocol,
    NULLIF(unmapped.transfer_method, '') AS transfer_method,
    NULLIF(http_request.user_agent, '') AS user_agent,
    named_struct('file', unmapped.file, 'offset', CAST(unmapped.offset AS BIGINT)) AS seq
  FROM {TABLE}
)"
    )
}

/// Milliseconds as an ISO 8601 UTC string, whatever the session time zone.
pub(crate) fn iso(ms: &str) -> String {
    format!(
        "date_format(to_utc_timestamp(timestamp_millis({ms}), current_timezone()), 'yyyy-MM-dd\\'T\\'HH:mm:ss.SSS\\'Z\\'')"
    )
}

/// The final SELECT list in [`COLUMNS`] order.
#[allow(clippy::too_many_arguments)]
pub(crate) fn out(
    detector: DetectorId,
    entity: &str,
    user: &str,
    ip: &str,
    first: &str,
    last: &str,
    count: &str,
    suppressed: &str,
    evidence: &str,
) -> String {
    let cols = [
        q(detector.as_str()),
        entity.to_string(),
        user.to_string(),
        ip.to_string(),
        iso(first),
        iso(last),
        format!("CAST({count} AS BIGINT)"),
        suppressed.to_string(),
        evidence.to_string(),
    ];
    cols.iter()
        .zip(COLUMNS)
        .map(|(e, c)| format!("  {e} AS {c}"))
        .collect::<Vec<_>>()
        .join(",\n")
}

pub(crate) const SIGNIN_USER: &str = "kind = 'signin' AND user_name IS NOT NULL";

/// Start times of anchored groups: over `times` (sorted), a new group starts
/// at a time at least `span` after the current group's start.
pub(crate) fn group_starts(times: &str, span: i64) -> String {
    format!(
        "aggregate({times}, CAST(array() AS ARRAY<BIGINT>),
      (acc, t) -> IF(size(acc) = 0 OR t >= try_element_at(acc, -1) + {span}, concat(acc, array(t)), acc))"
    )
}

/// A per-user detector over successful sign-ins matching `condition`, one
/// finding per user per group window from the first hit (hunt's `Groups`).
pub(crate) fn grouped(
    d: DetectorId,
    src: &str,
    condition: &str,
    span: i64,
) -> (String, Vec<String>) {
    grouped_from(d, src, "ev", condition, span)
}

pub(crate) fn grouped_from(
    d: DetectorId,
    src: &str,
    table: &str,
    condition: &str,
    span: i64,
) -> (String, Vec<String>) {
    let body = format!(
        "WITH {src},
hits AS (
  SELECT user_name, time_ms, seq, event_id, ip FROM {table}
  WHERE {SIGNIN_USER} AND outcome = 'success'
    AND {condition}
),
groups AS (
  SELECT user_name, explode({starts}) AS group_first
  FROM (SELECT user_name, array_sort(collect_list(time_ms)) AS ts FROM hits GROUP BY user_name)
),
grouped AS (
  SELECT g.user_name, g.group_first, MAX(h.time_ms) AS last_ms, COUNT(*) AS hits,
    min_by(h.ip, named_struct('t', h.time_ms, 's', h.seq)) AS ip,
    slice(array_sort(collect_list(named_struct('t', h.time_ms, 'id', h.event_id))), 1, 50) AS ids
  FROM groups g JOIN hits h
    ON h.user_name = g.user_name AND h.time_ms >= g.group_first AND h.time_ms < g.group_first + {span}
  GROUP BY g.user_name, g.group_first
)
SELECT
{cols}
FROM grouped",
        starts = group_starts("ts", span),
        cols = out(
            d,
            "user_name",
            "user_name",
            "ip",
            "group_first",
            "last_ms",
            "hits",
            "false",
            "transform(ids, x -> x.id)",
        ),
    );
    (body, Vec::new())
}

pub(crate) const TIES: &str =
    "failures of one millisecond are counted together in the windows (hunt \
                    counts them one at a time, so the millisecond a spray turns fast may differ)";

/// What differs between `slow_spray` (one IP) and `distributed_spray` (one network).
pub(crate) struct Chained {
    pub window: i64,
    pub min_users: u32,
    pub min_ips: Option<u32>,
    pub max_success_users: u32,
    /// Verified sign-ins counted into event_count at most (`None`: all).
    pub ok_cap: Option<u32>,
}

/// A spray over the CTE `keyed` (sign-ins with an IP and their `net`)
/// that `password_spray` did not report: failures chain while they keep
/// coming within the long window of the previous one and no IP turns fast
/// (`password_spray`'s thresholds in its window: that ends the chain and
/// keeps the network quiet for a long window); a chain fires at its first
/// failure whose long window holds enough users (and IPs), from that
/// window's first failure. Verified sign-ins from the network since then
/// (and until the next failure after the chain, or a window after its last)
/// decide suppression.
pub(crate) fn chained_spray(
    d: DetectorId,
    src: &str,
    c: &crate::config::DetectorsConfig,
    k: Chained,
) -> String {
    let p = &c.password_spray;
    let (w, fw) = (k.window, p.window.ms());
    let fast_part = if k.min_ips.is_some() {
        "net, ip"
    } else {
        "net"
    };
    let ips_ok = match k.min_ips {
        Some(n) => format!(" AND ips_w >= {n}"),
        None => String::new(),
    };
    let ok_events = match k.ok_cap {
        Some(n) => format!("least(coalesce(o.ok_events, 0), {n})"),
        None => "coalesce(o.ok_events, 0)".into(),
    };
    format!(
        "WITH {src},
fails AS (
  SELECT net, ip, user_name, time_ms, seq, event_id FROM keyed
  WHERE outcome = 'failure' AND net IS NOT NULL
),
framed AS (
  SELECT *,
    size(collect_set(user_name) OVER fast_w) >= {fast_users}
      AND COUNT(*) OVER fast_w >= {fast_attempts} AS fast,
    size(collect_set(user_name) OVER long_w) AS users_w,
    size(collect_set(ip) OVER long_w) AS ips_w,
    MIN(time_ms) OVER long_w AS win_first,
    LAG(time_ms) OVER o AS prev_ms
  FROM fails
  WINDOW fast_w AS (PARTITION BY {fast_part} ORDER BY time_ms RANGE BETWEEN {fw} PRECEDING AND CURRENT ROW),
         long_w AS (PARTITION BY net ORDER BY time_ms RANGE BETWEEN {w} PRECEDING AND CURRENT ROW),
         o AS (PARTITION BY net ORDER BY time_ms, seq)
),
marked AS (
  SELECT *,
    MAX(CASE WHEN fast THEN time_ms END) OVER (PARTITION BY net ORDER BY time_ms, seq
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS fast_before,
    LAG(fast) OVER (PARTITION BY net ORDER BY time_ms, seq) AS prev_fast,
    LEAD(named_struct('t', time_ms, 's', seq)) OVER (PARTITION BY net ORDER BY time_ms, seq) AS next_row
  FROM framed
),
chained AS (
  SELECT *,
    SUM(CASE WHEN prev_ms IS NULL OR prev_fast OR time_ms - prev_ms > {w} THEN 1 ELSE 0 END)
      OVER (PARTITION BY net ORDER BY time_ms, seq ROWS UNBOUNDED PRECEDING) AS chain,
    NOT fast AND users_w >= {min_users}{ips_ok}
      AND (fast_before IS NULL OR fast_before < time_ms - {w}) AS can_start
  FROM marked
),
fired AS (
  SELECT net, chain,
    min_by(win_first, named_struct('t', time_ms, 's', seq)) FILTER (WHERE can_start) AS first_ms,
    MIN(named_struct('t', time_ms, 's', seq)) FILTER (WHERE can_start) AS started,
    MAX(time_ms) AS last_ms,
    max_by(next_row, named_struct('t', time_ms, 's', seq)) AS after
  FROM chained WHERE NOT fast
  GROUP BY net, chain
),
spray AS (
  SELECT f.net, f.chain, f.first_ms, f.started, f.last_ms, f.after, COUNT(*) AS attempts,
    min_by(b.ip, named_struct('t', b.time_ms, 's', b.seq)) AS first_ip,
    slice(array_sort(collect_list(named_struct('t', b.time_ms, 'id', b.event_id))), 1, 40) AS fail_ids
  FROM fired f JOIN chained b
    ON b.net = f.net AND b.chain = f.chain AND NOT b.fast AND b.time_ms >= f.first_ms
  WHERE f.first_ms IS NOT NULL
  GROUP BY f.net, f.chain, f.first_ms, f.started, f.last_ms, f.after
),
verified AS (
  SELECT s.net, s.chain, o.user_name, o.event_id, o.time_ms,
    named_struct('t', o.time_ms, 's', o.seq) < s.started AS before_start,
    named_struct('t', o.time_ms, 's', o.seq) AS at
  FROM spray s JOIN keyed o
    ON o.net = s.net AND o.outcome IN ('success', 'interrupted')
   AND o.time_ms >= s.first_ms AND o.time_ms <= s.last_ms + {w}
   AND (s.after IS NULL OR named_struct('t', o.time_ms, 's', o.seq) < s.after)
),
counted AS (
  SELECT net, chain, COUNT(*) AS ok_events, size(collect_set(user_name)) AS ok_users,
    min_by(user_name, at) AS first_ok_user,
    slice(array_sort(collect_list(named_struct('t', time_ms, 'id', event_id))), 1, 10) AS ok_ids
  FROM (
    SELECT net, chain, user_name, max_by(event_id, at) AS event_id, MAX(time_ms) AS time_ms, MAX(at) AS at
    FROM verified WHERE before_start GROUP BY net, chain, user_name
    UNION ALL
    SELECT net, chain, user_name, event_id, time_ms, at FROM verified WHERE NOT before_start
  ) GROUP BY net, chain
)
SELECT
{cols}
FROM spray s LEFT JOIN counted o ON o.net = s.net AND o.chain = s.chain",
        fast_users = p.min_users,
        fast_attempts = p.min_attempts,
        min_users = k.min_users,
        cols = out(
            d,
            "s.net",
            "o.first_ok_user",
            "s.first_ip",
            "s.first_ms",
            "s.last_ms",
            &format!("s.attempts + {ok_events}"),
            &format!("coalesce(o.ok_users, 0) > {}", k.max_success_users),
            "concat(transform(s.fail_ids, x -> x.id), transform(coalesce(o.ok_ids, array()), x -> x.id))",
        ),
    )
}

/// The CTEs of a windowed count (to follow `WITH {source},`): the counted
/// events, each one's window (`in_window`, `users_w`, `win_first`), bursts
/// of events within a window of the previous one, and per burst the first
/// crossing window's start `first_ms` (plus the crossing event `crossed`
/// when the detector records what follows it) and its last event `last_ms`.
pub(crate) fn windowed(s: &WindowedCount) -> String {
    let w = s.window_ms;
    let (key, cols) = match s.key {
        Key::User => ("user_name", "user_name, time_ms, seq, event_id, ip"),
        Key::Ip => ("ip", "ip, user_name, time_ms, seq, event_id"),
    };
    let with_ip = if s.key == Key::Ip {
        " AND ip IS NOT NULL"
    } else {
        ""
    };
    let (events, filter) = match s.counted {
        Counted::Failures => (
            "fails",
            format!("{SIGNIN_USER}{with_ip} AND outcome = 'failure'"),
        ),
        Counted::UnknownAccounts => (
            "fails",
            format!("{SIGNIN_USER}{with_ip} AND outcome = 'failure' AND no_such_user"),
        ),
        Counted::Sends => (
            "sends",
            format!(
                "kind = 'audit' AND user_name IS NOT NULL{with_ip} AND lower(operation) = 'send'"
            ),
        ),
    };
    let mut counts = String::new();
    let mut crossed = Vec::new();
    if let Some(n) = s.min_events {
        counts.push_str("    COUNT(*) OVER w AS in_window,\n");
        crossed.push(format!("in_window >= {n}"));
    }
    if let Some(n) = s.min_users {
        counts.push_str("    size(collect_set(user_name) OVER w) AS users_w,\n");
        crossed.push(format!("users_w >= {n}"));
    }
    let crossed = if crossed.is_empty() {
        "false".to_string()
    } else {
        crossed.join(" AND ")
    };
    let crossed_at = if s.then == Then::FirstVerified {
        format!("    MIN(CASE WHEN {crossed} THEN named_struct('t', time_ms, 's', seq) END) AS crossed,\n")
    } else {
        String::new()
    };
    format!(
        "{events} AS (
  SELECT {cols} FROM ev
  WHERE {filter}
),
framed AS (
  SELECT *,
{counts}    MIN(time_ms) OVER w AS win_first,
    CASE WHEN time_ms - LAG(time_ms) OVER (PARTITION BY {key} ORDER BY time_ms, seq) <= {w}
         THEN 0 ELSE 1 END AS new_burst
  FROM {events}
  WINDOW w AS (PARTITION BY {key} ORDER BY time_ms RANGE BETWEEN {w} PRECEDING AND CURRENT ROW)
),
bursts AS (
  SELECT *, SUM(new_burst) OVER (PARTITION BY {key} ORDER BY time_ms, seq
                                 ROWS UNBOUNDED PRECEDING) AS burst
  FROM framed
),
fired AS (
  SELECT {key}, burst,
    MIN(CASE WHEN {crossed} THEN win_first END) AS first_ms,
{crossed_at}    MAX(time_ms) AS last_ms
  FROM bursts GROUP BY {key}, burst
)"
    )
}

/// A whole windowed-count query for a detector that adds nothing after its
/// bursts: each fired burst, from its first crossing window, is a finding.
pub(crate) fn windowed_query(s: &WindowedCount) -> (String, Vec<String>) {
    let (key, user, ip_col) = match s.key {
        Key::User => (
            "user_name",
            "user_name",
            "\n    min_by(b.ip, b.time_ms) AS ip,",
        ),
        Key::Ip => ("ip", "CAST(NULL AS STRING)", ""),
    };
    let body = format!(
        "WITH {src},
{shape},
grouped AS (
  SELECT f.{key}, f.first_ms, f.last_ms, COUNT(*) AS events,{ip_col}
    slice(array_sort(collect_list(named_struct('t', b.time_ms, 'id', b.event_id))), 1, {EVIDENCE}) AS ids
  FROM fired f JOIN bursts b
    ON b.{key} = f.{key} AND b.burst = f.burst AND b.time_ms >= f.first_ms
  WHERE f.first_ms IS NOT NULL
  GROUP BY f.{key}, f.burst, f.first_ms, f.last_ms
)
SELECT
{cols}
FROM grouped",
        src = source(),
        shape = windowed(s),
        cols = out(
            s.detector,
            key,
            user,
            "ip",
            "first_ms",
            "last_ms",
            "events",
            "false",
            "transform(ids, x -> x.id)",
        ),
    );
    (body, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_escape_quotes_and_backslashes() {
        assert_eq!(q("O'Brien\\x"), "'O\\'Brien\\\\x'");
        assert_eq!(q("a\nb"), "'a\\nb'");
    }
}
