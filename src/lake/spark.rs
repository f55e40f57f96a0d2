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

use super::{float, lower_list, v4_ranges, COLUMNS};
use crate::config::Config;
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
fn source() -> String {
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
fn iso(ms: &str) -> String {
    format!(
        "date_format(to_utc_timestamp(timestamp_millis({ms}), current_timezone()), 'yyyy-MM-dd\\'T\\'HH:mm:ss.SSS\\'Z\\'')"
    )
}

/// The final SELECT list in [`COLUMNS`] order.
#[allow(clippy::too_many_arguments)]
fn out(
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

const SIGNIN_USER: &str = "kind = 'signin' AND user_name IS NOT NULL";

/// Start times of anchored groups: over `times` (sorted), a new group starts
/// at a time at least `span` after the current group's start.
fn group_starts(times: &str, span: i64) -> String {
    format!(
        "aggregate({times}, CAST(array() AS ARRAY<BIGINT>),
      (acc, t) -> IF(size(acc) = 0 OR t >= try_element_at(acc, -1) + {span}, concat(acc, array(t)), acc))"
    )
}

/// The query body for detector `d`, with its caveats.
pub fn query(config: &Config, d: DetectorId) -> Option<(String, Vec<String>)> {
    let c = &config.detectors;
    let src = source();
    let (body, caveats) = match d {
        DetectorId::CredentialStuffing => stuffing(c, &src),
        DetectorId::PasswordSpray => spray(c, &src),
        DetectorId::ImpossibleTravel => travel(c, &src),
        DetectorId::HostingAsn => hosting(c, &src),
        DetectorId::IdentityRisk => grouped(
            d,
            &src,
            &risk_condition(&c.identity_risk, q),
            c.identity_risk.group_window.ms(),
        ),
        DetectorId::LegacyAuth => grouped(
            d,
            &src,
            &legacy_condition(&c.legacy_auth, q),
            c.legacy_auth.group_window.ms(),
        ),
        DetectorId::InboxRule => inbox(c, &src),
        DetectorId::BulkSend => bulk(c, &src),
        DetectorId::CloudRecon => recon(c, &src),
        DetectorId::SessionAnomaly => session(c, &src),
        DetectorId::BruteForce => brute(c, &src),
        DetectorId::NewCountry => new_country(c, &src),
        DetectorId::UserEnumeration => enumeration(c, &src),
        DetectorId::MfaFatigue => fatigue(c, &src),
        DetectorId::SlowSpray => slow(c, &src),
        DetectorId::DistributedSpray => distributed(c, &src),
        DetectorId::SuspiciousClient => grouped(
            d,
            &src,
            &client_condition(&c.suspicious_client, q),
            c.suspicious_client.group_window.ms(),
        ),
        // Sigma rules have no lake query (their meaning comes from data).
        _ => return None,
    };
    Some((body, caveats))
}

fn stuffing(c: &crate::config::DetectorsConfig, src: &str) -> (String, Vec<String>) {
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

fn spray(c: &crate::config::DetectorsConfig, src: &str) -> (String, Vec<String>) {
    let s = &c.password_spray;
    let w = s.window.ms();
    let body = format!(
        "WITH {src},
fails AS (
  SELECT ip, user_name, time_ms, seq, event_id FROM ev
  WHERE {SIGNIN_USER} AND ip IS NOT NULL AND outcome = 'failure'
),
framed AS (
  SELECT *,
    COUNT(*) OVER w AS attempts_w,
    size(collect_set(user_name) OVER w) AS users_w,
    MIN(time_ms) OVER w AS win_first,
    CASE WHEN time_ms - LAG(time_ms) OVER (PARTITION BY ip ORDER BY time_ms, seq) <= {w}
         THEN 0 ELSE 1 END AS new_burst
  FROM fails
  WINDOW w AS (PARTITION BY ip ORDER BY time_ms RANGE BETWEEN {w} PRECEDING AND CURRENT ROW)
),
bursts AS (
  SELECT *, SUM(new_burst) OVER (PARTITION BY ip ORDER BY time_ms, seq
                                 ROWS UNBOUNDED PRECEDING) AS burst
  FROM framed
),
fired AS (
  SELECT ip, burst,
    MIN(CASE WHEN attempts_w >= {attempts} AND users_w >= {users} THEN win_first END) AS first_ms,
    MAX(time_ms) AS last_fail
  FROM bursts GROUP BY ip, burst
),
spray AS (
  SELECT f.ip, f.burst, f.first_ms, f.last_fail, COUNT(*) AS attempts,
    slice(array_sort(collect_list(named_struct('t', b.time_ms, 'id', b.event_id))), 1, 40) AS fail_ids
  FROM fired f JOIN bursts b ON b.ip = f.ip AND b.burst = f.burst AND b.time_ms >= f.first_ms
  WHERE f.first_ms IS NOT NULL
  GROUP BY f.ip, f.burst, f.first_ms, f.last_fail
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
        attempts = s.min_attempts,
        users = s.min_users,
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

fn travel(c: &crate::config::DetectorsConfig, src: &str) -> (String, Vec<String>) {
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

/// An IPv4 address as a number (`NULL` when `ip` is not dotted-quad IPv4;
/// IPv4-mapped IPv6 counts as IPv4, as in hunt).
fn ip4_num(ip: &str) -> String {
    let v = format!("regexp_replace(lower({ip}), '^::ffff:', '')");
    let part = |i: usize| format!("try_cast(try_element_at(split({v}, '[.]'), {i}) AS BIGINT)");
    format!(
        "CASE WHEN {v} RLIKE '^[0-9]{{1,3}}([.][0-9]{{1,3}}){{3}}$'
          AND {p1} <= 255 AND {p2} <= 255 AND {p3} <= 255 AND {p4} <= 255
        THEN {p1} * 16777216 + {p2} * 65536 + {p3} * 256 + {p4} END",
        p1 = part(1),
        p2 = part(2),
        p3 = part(3),
        p4 = part(4),
    )
}

/// Reserved IPv4 ranges hunt never calls hosting (private, loopback, ...).
pub(crate) const V4_RESERVED: [(u32, u32); 11] = [
    (0x0000_0000, 0x00ff_ffff), // 0/8
    (0x0a00_0000, 0x0aff_ffff), // 10/8
    (0x6440_0000, 0x647f_ffff), // 100.64/10
    (0x7f00_0000, 0x7fff_ffff), // 127/8
    (0xa9fe_0000, 0xa9fe_ffff), // 169.254/16
    (0xac10_0000, 0xac1f_ffff), // 172.16/12
    (0xc000_0000, 0xc000_00ff), // 192.0.0/24
    (0xc0a8_0000, 0xc0a8_ffff), // 192.168/16
    (0xc612_0000, 0xc613_ffff), // 198.18/15
    (0xe000_0000, 0xefff_ffff), // 224/4
    (0xf000_0000, 0xffff_ffff), // 240/4
];

fn ranges_sql(col: &str, ranges: &[(u32, u32)]) -> String {
    if ranges.is_empty() {
        return "false".into();
    }
    ranges
        .iter()
        .map(|(a, b)| format!("{col} BETWEEN {a} AND {b}"))
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn hosting(c: &crate::config::DetectorsConfig, src: &str) -> (String, Vec<String>) {
    let h = &c.hosting_asn;
    let (cidrs, v6) = v4_ranges(&h.cidrs);
    let asns = if h.asns.is_empty() {
        "false".to_string()
    } else {
        let list: Vec<String> = h.asns.iter().map(|a| a.to_string()).collect();
        format!("asn IN ({})", list.join(", "))
    };
    let orgs = if h.org_patterns.is_empty() {
        "false".to_string()
    } else {
        h.org_patterns
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| {
                format!(
                    "instr(lower(coalesce(as_org, '')), {}) > 0",
                    q(&p.to_lowercase())
                )
            })
            .collect::<Vec<_>>()
            .join(" OR ")
    };
    let condition = format!(
        "NOT coalesce({reserved}, false)
    AND NOT coalesce(lower(ip) RLIKE '^(::1?|f[cd][0-9a-f]*:.*|fe[89ab][0-9a-f]*:.*|ff[0-9a-f]*:.*)$', false)
    AND (coalesce({cidr}, false) OR {asns} OR {orgs} OR is_proxy)",
        reserved = ranges_sql("ip4", &V4_RESERVED),
        cidr = ranges_sql("ip4", &cidrs),
    );
    let mut caveats = Vec::new();
    if !h.ip_list_files.is_empty() || h.tor_exit_list.is_some() {
        caveats.push(
            "ip_list_files and tor_exit_list are not part of the query (load them as a \
             table and add a join); only CIDRs, ASNs, AS organisations and the proxy flag are"
                .into(),
        );
    }
    if !v6.is_empty() {
        caveats.push(format!(
            "IPv6 networks are not matched (Spark SQL has no IPv6 arithmetic): {}",
            v6.join(", ")
        ));
    }
    let src = format!(
        "{src},\nev4 AS (SELECT *, {} AS ip4 FROM ev)",
        ip4_num("ip")
    );
    let (body, _) = grouped_from(
        DetectorId::HostingAsn,
        &src,
        "ev4",
        &condition,
        h.group_window.ms(),
    );
    (body, caveats)
}

/// The identity-risk condition (SPEC §4 seed `case()`): any indicator.
pub(crate) fn risk_condition(r: &crate::config::RiskConfig, quote: fn(&str) -> String) -> String {
    let list = |items: &[String]| {
        if items.is_empty() {
            "('')".to_string()
        } else {
            format!("({})", lower_list(items, quote))
        }
    };
    format!(
        "(lower(coalesce(risk_level, '')) IN {levels}
    OR lower(coalesce(risk_state, '')) IN {states}
    OR exists(split(coalesce(risk_events, ''), ','),
              x -> lower(trim(BOTH ' \\t\\r\\n\"[]' FROM x)) IN {events} AND trim(BOTH ' \\t\\r\\n\"[]' FROM x) <> '')
    OR (lower(coalesce(auth_requirement, '')) = 'singlefactorauthentication'
        AND home_tenant IS NOT NULL
        AND lower(home_tenant) <> lower(coalesce(resource_tenant, ''))))",
        levels = list(&r.risk_levels),
        states = list(&r.risk_states),
        events = list(&r.risk_event_types),
    )
}

pub(crate) fn legacy_condition(
    l: &crate::config::LegacyConfig,
    quote: fn(&str) -> String,
) -> String {
    let clients = if l.clients.is_empty() {
        "('')".to_string()
    } else {
        format!("({})", lower_list(&l.clients, quote))
    };
    format!(
        "client_app IS NOT NULL AND lower(client_app) IN {clients}
    AND lower(coalesce(auth_requirement, '')) = 'singlefactorauthentication'"
    )
}

/// A per-user detector over successful sign-ins matching `condition`, one
/// finding per user per group window from the first hit (hunt's `Groups`).
fn grouped(d: DetectorId, src: &str, condition: &str, span: i64) -> (String, Vec<String>) {
    grouped_from(d, src, "ev", condition, span)
}

fn grouped_from(
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

fn bulk(c: &crate::config::DetectorsConfig, src: &str) -> (String, Vec<String>) {
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

fn recon(c: &crate::config::DetectorsConfig, src: &str) -> (String, Vec<String>) {
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

fn session(c: &crate::config::DetectorsConfig, src: &str) -> (String, Vec<String>) {
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

fn brute(c: &crate::config::DetectorsConfig, src: &str) -> (String, Vec<String>) {
    let b = &c.brute_force;
    let w = b.window.ms();
    let body = format!(
        "WITH {src},
fails AS (
  SELECT user_name, time_ms, seq, event_id, ip FROM ev
  WHERE {SIGNIN_USER} AND outcome = 'failure'
),
framed AS (
  SELECT *,
    COUNT(*) OVER w AS in_window,
    MIN(time_ms) OVER w AS win_first,
    CASE WHEN time_ms - LAG(time_ms) OVER (PARTITION BY user_name ORDER BY time_ms, seq) <= {w}
         THEN 0 ELSE 1 END AS new_burst
  FROM fails
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
    MIN(CASE WHEN in_window >= {min} THEN named_struct('t', time_ms, 's', seq) END) AS crossed,
    MAX(time_ms) AS last_fail
  FROM bursts GROUP BY user_name, burst
),
grouped AS (
  SELECT f.user_name, f.burst, f.first_ms, f.crossed, f.last_fail, COUNT(*) AS failures,
    min_by(b.ip, named_struct('t', b.time_ms, 's', b.seq)) AS ip,
    slice(array_sort(collect_list(named_struct('t', b.time_ms, 'id', b.event_id))), 1, 45) AS fail_ids
  FROM fired f JOIN bursts b
    ON b.user_name = f.user_name AND b.burst = f.burst AND b.time_ms >= f.first_ms
  WHERE f.first_ms IS NOT NULL
  GROUP BY f.user_name, f.burst, f.first_ms, f.crossed, f.last_fail
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
        min = b.min_failures,
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

fn new_country(c: &crate::config::DetectorsConfig, src: &str) -> (String, Vec<String>) {
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

fn enumeration(c: &crate::config::DetectorsConfig, src: &str) -> (String, Vec<String>) {
    let e = &c.user_enumeration;
    let w = e.window.ms();
    let body = format!(
        "WITH {src},
fails AS (
  SELECT ip, user_name, time_ms, seq, event_id FROM ev
  WHERE {SIGNIN_USER} AND ip IS NOT NULL AND outcome = 'failure' AND no_such_user
),
framed AS (
  SELECT *,
    size(collect_set(user_name) OVER w) AS accounts_w,
    MIN(time_ms) OVER w AS win_first,
    CASE WHEN time_ms - LAG(time_ms) OVER (PARTITION BY ip ORDER BY time_ms, seq) <= {w}
         THEN 0 ELSE 1 END AS new_burst
  FROM fails
  WINDOW w AS (PARTITION BY ip ORDER BY time_ms RANGE BETWEEN {w} PRECEDING AND CURRENT ROW)
),
bursts AS (
  SELECT *, SUM(new_burst) OVER (PARTITION BY ip ORDER BY time_ms, seq
                                 ROWS UNBOUNDED PRECEDING) AS burst
  FROM framed
),
fired AS (
  SELECT ip, burst,
    MIN(CASE WHEN accounts_w >= {min} THEN win_first END) AS first_ms,
    MAX(time_ms) AS last_ms
  FROM bursts GROUP BY ip, burst
),
grouped AS (
  SELECT f.ip, f.first_ms, f.last_ms, COUNT(*) AS attempts,
    slice(array_sort(collect_list(named_struct('t', b.time_ms, 'id', b.event_id))), 1, 50) AS ids
  FROM fired f JOIN bursts b ON b.ip = f.ip AND b.burst = f.burst AND b.time_ms >= f.first_ms
  WHERE f.first_ms IS NOT NULL
  GROUP BY f.ip, f.burst, f.first_ms, f.last_ms
)
SELECT
{cols}
FROM grouped",
        min = e.min_accounts,
        cols = out(
            DetectorId::UserEnumeration,
            "ip",
            "CAST(NULL AS STRING)",
            "ip",
            "first_ms",
            "last_ms",
            "attempts",
            "false",
            "transform(ids, x -> x.id)",
        ),
    );
    (body, Vec::new())
}

/// The suspicious-client condition: a ROPC or device-code flow, or a user
/// agent containing a configured string (case-insensitive).
pub(crate) fn client_condition(
    s: &crate::config::SuspiciousClientConfig,
    quote: fn(&str) -> String,
) -> String {
    let mut any = Vec::new();
    if s.ropc {
        any.push("coalesce(protocol, '') = 'ropc'".to_string());
    }
    if s.device_code {
        any.push(
            "coalesce(protocol, '') = 'deviceCode' OR coalesce(transfer_method, '') = 'deviceCodeFlow'"
                .to_string(),
        );
    }
    for a in &s.user_agents {
        let a = a.trim().to_lowercase();
        if !a.is_empty() {
            any.push(format!(
                "instr(lower(coalesce(user_agent, '')), {}) > 0",
                quote(&a)
            ));
        }
    }
    if any.is_empty() {
        "false".into()
    } else {
        format!("({})", any.join("\n    OR "))
    }
}

fn fatigue(c: &crate::config::DetectorsConfig, src: &str) -> (String, Vec<String>) {
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

fn slow(c: &crate::config::DetectorsConfig, src: &str) -> (String, Vec<String>) {
    let s = &c.slow_spray;
    let src = format!(
        "{src},\nkeyed AS (SELECT *, ip AS net FROM ev WHERE {SIGNIN_USER} AND ip IS NOT NULL)"
    );
    let body = chained_spray(
        DetectorId::SlowSpray,
        &src,
        c,
        Chained {
            window: s.window.ms(),
            min_users: s.min_users,
            min_ips: None,
            max_success_users: s.max_success_users,
            ok_cap: None,
        },
    );
    (
        body,
        vec![format!(
            "{TIES}; the signing-in user listed is the earliest"
        )],
    )
}

fn distributed(c: &crate::config::DetectorsConfig, src: &str) -> (String, Vec<String>) {
    let s = &c.distributed_spray;
    let v4 = "ip RLIKE '^[0-9]{1,3}([.][0-9]{1,3}){3}$'";
    let src = format!(
        "{src},
keyed AS (
  SELECT *, CASE WHEN asn <> 0 THEN concat('AS', CAST(asn AS STRING))
                 WHEN {v4} THEN concat(regexp_extract(ip, '^([0-9]+[.][0-9]+[.][0-9]+)[.]', 1), '.0/24')
            END AS net
  FROM ev WHERE {SIGNIN_USER} AND ip IS NOT NULL
)"
    );
    let body = chained_spray(
        DetectorId::DistributedSpray,
        &src,
        c,
        Chained {
            window: s.window.ms(),
            min_users: s.min_users,
            min_ips: Some(s.min_ips),
            max_success_users: s.max_success_users,
            ok_cap: Some(10),
        },
    );
    (
        body,
        vec![format!(
            "{TIES}; an IPv6 address without an AS number (hunt: its /48) and an IPv4 \
             address written with leading zeros are not grouped; the signing-in user listed \
             is the earliest"
        )],
    )
}

const TIES: &str = "failures of one millisecond are counted together in the windows (hunt \
                    counts them one at a time, so the millisecond a spray turns fast may differ)";

/// What differs between `slow_spray` (one IP) and `distributed_spray` (one network).
struct Chained {
    window: i64,
    min_users: u32,
    min_ips: Option<u32>,
    max_success_users: u32,
    /// Verified sign-ins counted into event_count at most (`None`: all).
    ok_cap: Option<u32>,
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
fn chained_spray(
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

fn inbox(c: &crate::config::DetectorsConfig, src: &str) -> (String, Vec<String>) {
    let i = &c.inbox_rule;
    let ops = lower_list(&i.operations, q);
    let folders = lower_list(&i.hiding_folders, q);
    let body = format!(
        "WITH {src},
rules AS (
  SELECT user_name, time_ms, event_id, ip, operation,
    transform(map_entries(coalesce(from_json(params, 'map<string,string>'), CAST(map() AS MAP<STRING, STRING>))),
      p -> named_struct('k', lower(trim(p.key)), 'v', trim(coalesce(p.value, '')))) AS ps
  FROM ev
  WHERE kind = 'audit' AND user_name IS NOT NULL AND operation IS NOT NULL
    AND lower(operation) IN ({ops})
),
judged AS (
  SELECT *,
    coalesce(try_element_at(filter(ps, p -> p.k IN ('name', 'rulename')), 1).v, '') AS rule_name,
    exists(ps, p -> p.k IN ('forwardto', 'forwardasattachmentto', 'redirectto',
                            'forwardingsmtpaddress', 'forwardingaddress')
                    AND lower(p.v) NOT IN ('', '$null', 'null', 'none', '[]', '{{}}')) AS forwards,
    exists(ps, p -> (p.k IN ('deletemessage', 'softdeletemessage', 'markasread')
                     AND lower(p.v) IN ('true', '$true', '1', 'yes'))
                 OR (p.k = 'movetofolder'
                     AND lower(trim(regexp_extract(regexp_replace(p.v, '[\\\\\\\\/]+$', ''), '([^\\\\\\\\/:]*)$', 1))) IN ({folders}))) AS hides,
    exists(ps, p -> p.k = 'ruleoperation' AND (lower(p.v) LIKE '%remove%' OR lower(p.v) LIKE '%delete%')) AS removal
  FROM rules
)
SELECT
{cols}
FROM judged
WHERE NOT removal AND (forwards OR hides OR (rule_name <> '' AND rule_name RLIKE '^[\\\\p{{Punct}}\\\\s]+$'))",
        cols = out(
            DetectorId::InboxRule,
            "concat(user_name, ' ', operation, ' ', rule_name)",
            "user_name",
            "ip",
            "time_ms",
            "time_ms",
            "1",
            "false",
            "array(event_id)",
        ),
    );
    (
        body,
        vec![
            "Outlook rules (UpdateInboxRules RuleActions) are not decoded: their forwards, \
             deletes and moves are missed; severity (external target: critical) is not computed"
                .into(),
        ],
    )
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
