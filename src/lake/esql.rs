//! ES|QL (Elasticsearch 8.16+): each detector over the Elastic Azure
//! integration's `logs-azure.signinlogs-*` ECS fields (and
//! `logs-o365.audit-*`, `logs-aws.cloudtrail-*` for mail and cloud). ES|QL
//! has no window functions and no self-join, so every stateful detector
//! becomes fixed time bins (`BUCKET`) with conditional aggregates: each
//! query says so at its top. Not run against a live engine here: golden
//! files only (tests/lake_rules.rs).

use super::{float, lower_list};
use crate::config::Config;
use crate::finding::DetectorId;

/// An ES|QL string literal (double quotes, backslash escapes).
pub fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const SIGNINS: &str = "FROM logs-azure.signinlogs-*";

/// hunt's outcome from the Entra result code.
const OUTCOME: &str = "| EVAL user = TO_LOWER(azure.signinlogs.properties.user_principal_name),
    code = TO_STRING(azure.signinlogs.properties.status.error_code),
    outcome = CASE(code == \"0\", \"success\",
      code IN (\"50125\", \"50140\", \"70043\", \"70044\", \"50074\", \"50076\", \"50079\", \"50072\", \"50158\", \"53003\"), \"interrupted\",
      code IS NULL, \"unknown\", \"failure\")
| WHERE user IS NOT NULL";

/// A span as an ES|QL time interval.
fn span(ms: i64) -> String {
    if ms % 3_600_000 == 0 {
        format!("{} hours", ms / 3_600_000)
    } else if ms % 60_000 == 0 {
        format!("{} minutes", ms / 60_000)
    } else if ms % 1000 == 0 {
        format!("{} seconds", ms / 1000)
    } else {
        format!("{ms} milliseconds")
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "\"\"".into()
    } else {
        lower_list(items, q)
    }
}

/// The final columns (from `detector … evidence_ids` computed before).
const KEEP: &str =
    "| KEEP detector, entity, user, ip, first_seen, last_seen, event_count, suppressed, evidence_ids";

const BINS: &str = "ES|QL has no sliding windows or self-joins: the window is a fixed time bin \
                    (BUCKET), so a burst across a bin boundary is split or missed";

/// Successful sign-ins matching `condition`, one row per user per group bin.
fn grouped(d: DetectorId, condition: &str, group: i64) -> String {
    format!(
        "{SIGNINS}
{OUTCOME}
| WHERE outcome == \"success\" AND ({condition})
| STATS first_seen = MIN(@timestamp), last_seen = MAX(@timestamp), event_count = COUNT(*),
    ip = MIN(source.ip), evidence_ids = VALUES(event.id)
    BY user, bin = BUCKET(@timestamp, {g})
| EVAL detector = {det}, entity = user, suppressed = false
{KEEP}",
        g = span(group),
        det = q(d.as_str()),
    )
}

/// The query body for detector `d`, with its caveats.
pub fn query(config: &Config, d: DetectorId) -> Option<(String, Vec<String>)> {
    let c = &config.detectors;
    let bins = |extra: &str| {
        let mut v = vec![BINS.to_string()];
        if !extra.is_empty() {
            v.push(extra.to_string());
        }
        v
    };
    Some(match d {
        DetectorId::CredentialStuffing => {
            let s = &c.credential_stuffing;
            let ignore: Vec<String> = s.ignore_codes.iter().map(|x| q(x)).collect();
            let ignored = if ignore.is_empty() {
                "false".into()
            } else {
                format!("code IN ({})", ignore.join(", "))
            };
            (
                format!(
                    "{SIGNINS}
{OUTCOME}
| EVAL fail = outcome == \"failure\" AND NOT ({ignored}),
    ok = outcome IN (\"success\", \"interrupted\")
| WHERE fail OR ok
| EVAL fail_time = CASE(fail, @timestamp, null), ok_time = CASE(ok, @timestamp, null)
| STATS failures = COUNT(fail_time), first_seen = MIN(fail_time), first_ok = MIN(ok_time),
    last_seen = MAX(ok_time), ok_count = COUNT(ok_time), ip = MIN(source.ip),
    evidence_ids = VALUES(event.id)
    BY user, bin = BUCKET(@timestamp, {w})
| WHERE failures >= {min} AND ok_count > 0 AND last_seen > first_seen
| EVAL detector = \"credential_stuffing\", entity = user, event_count = failures + ok_count,
    suppressed = false
{KEEP}",
                    w = span(s.window.ms()),
                    min = s.min_failures,
                ),
                bins(
                    "failures are counted in the bin, not since the user's previous success; \
                      a bin with failures after its last success still fires",
                ),
            )
        }
        DetectorId::PasswordSpray => {
            let s = &c.password_spray;
            (
                format!(
                    "{SIGNINS}
{OUTCOME}
| WHERE source.ip IS NOT NULL
| EVAL fail_user = CASE(outcome == \"failure\", user, null),
    ok_user = CASE(outcome IN (\"success\", \"interrupted\"), user, null),
    fail_time = CASE(outcome == \"failure\", @timestamp, null)
| STATS attempts = COUNT(fail_user), users = COUNT_DISTINCT(fail_user),
    ok_users = COUNT_DISTINCT(ok_user), ok_events = COUNT(ok_user),
    first_seen = MIN(fail_time), last_seen = MAX(@timestamp), user = MIN(ok_user),
    evidence_ids = VALUES(event.id)
    BY ip = source.ip, bin = BUCKET(@timestamp, {w})
| WHERE attempts >= {attempts} AND users >= {users}
| EVAL detector = \"password_spray\", entity = TO_STRING(ip), event_count = attempts + ok_events,
    suppressed = ok_users > {max_ok}
{KEEP}",
                    w = span(s.window.ms()),
                    attempts = s.min_attempts,
                    users = s.min_users,
                    max_ok = s.max_success_users,
                ),
                bins(
                    "successes count only inside the same bin (hunt: until one window \
                      after the last failure)",
                ),
            )
        }
        DetectorId::ImpossibleTravel => {
            let t = &c.impossible_travel;
            (
                format!(
                    "{SIGNINS}
{OUTCOME}
| WHERE outcome == \"success\" AND source.geo.country_iso_code IS NOT NULL
| STATS countries = COUNT_DISTINCT(source.geo.country_iso_code), first_seen = MIN(@timestamp),
    last_seen = MAX(@timestamp), event_count = COUNT(*), ip = MAX(source.ip),
    evidence_ids = VALUES(event.id)
    BY user, bin = BUCKET(@timestamp, {cw})
| WHERE countries >= 2
| EVAL detector = \"impossible_travel\", entity = user, suppressed = false
{KEEP}",
                    cw = span(t.country_window.ms()),
                ),
                vec![
                    format!(
                        "ES|QL cannot pair consecutive sign-ins: this is the country rule only \
                         (two countries in one {} bin); distance and speed \
                         (min_km {}, max_kmh {}, haversine, accuracy radii) are not evaluated",
                        span(t.country_window.ms()),
                        float(t.min_km),
                        float(t.max_kmh)
                    ),
                    BINS.into(),
                ],
            )
        }
        DetectorId::HostingAsn => {
            let h = &c.hosting_asn;
            let cidrs: Vec<String> = h.cidrs.iter().map(|x| q(x.trim())).collect();
            let asns: Vec<String> = h.asns.iter().map(|a| a.to_string()).collect();
            let orgs: Vec<String> = h
                .org_patterns
                .iter()
                .filter(|p| !p.is_empty())
                .map(|p| {
                    format!(
                        "TO_LOWER(source.as.organization.name) LIKE {}",
                        q(&format!("*{}*", p.to_lowercase()))
                    )
                })
                .collect();
            let mut any = Vec::new();
            if !cidrs.is_empty() {
                any.push(format!("CIDR_MATCH(source.ip, {})", cidrs.join(", ")));
            }
            if !asns.is_empty() {
                any.push(format!("source.as.number IN ({})", asns.join(", ")));
            }
            any.extend(orgs);
            if any.is_empty() {
                any.push("false".into());
            }
            let cond = format!(
                "NOT CIDR_MATCH(source.ip, \"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\", \"127.0.0.0/8\", \"169.254.0.0/16\", \"100.64.0.0/10\", \"fc00::/7\", \"fe80::/10\", \"::1/128\")
    AND ({})",
                any.join("\n      OR ")
            );
            (
                grouped(d, &cond, h.group_window.ms()),
                vec![
                    "groups are fixed bins of the group window (hunt: from each group's first hit)"
                        .into(),
                    "ip_list_files, tor_exit_list and the proxy flag are not part of the query"
                        .into(),
                ],
            )
        }
        DetectorId::IdentityRisk => {
            let r = &c.identity_risk;
            let events: Vec<String> = r
                .risk_event_types
                .iter()
                .map(|e| format!("MV_CONTAINS(ev_types, {})", q(&e.to_lowercase())))
                .collect();
            let cond = format!(
                "TO_LOWER(azure.signinlogs.properties.risk_level_during_signin) IN ({levels})
    OR TO_LOWER(azure.signinlogs.properties.risk_state) IN ({states})
    OR {events}
    OR (TO_LOWER(azure.signinlogs.properties.authentication_requirement) == \"singlefactorauthentication\"
        AND azure.signinlogs.properties.home_tenant_id IS NOT NULL
        AND TO_LOWER(azure.signinlogs.properties.home_tenant_id) != TO_LOWER(COALESCE(azure.signinlogs.properties.resource_tenant_id, \"\")))",
                levels = list(&r.risk_levels),
                states = list(&r.risk_states),
                events = if events.is_empty() {
                    "false".into()
                } else {
                    events.join(" OR ")
                },
            );
            let body = grouped(d, &cond, r.group_window.ms()).replace(
                &format!("{OUTCOME}\n"),
                &format!(
                    "{OUTCOME}\n| EVAL ev_types = TO_LOWER(azure.signinlogs.properties.risk_event_types_v2)\n"
                ),
            );
            (
                body,
                vec![
                    "groups are fixed bins of the group window (hunt: from each group's first hit)"
                        .into(),
                    "MV_CONTAINS needs Elasticsearch 8.19/9.1; risk event types are matched \
                     as the integration's keyword values"
                        .into(),
                ],
            )
        }
        DetectorId::LegacyAuth => {
            let l = &c.legacy_auth;
            let cond = format!(
                "TO_LOWER(azure.signinlogs.properties.client_app_used) IN ({})
    AND TO_LOWER(azure.signinlogs.properties.authentication_requirement) == \"singlefactorauthentication\"",
                list(&l.clients)
            );
            (
                grouped(d, &cond, l.group_window.ms()),
                vec![
                    "groups are fixed bins of the group window (hunt: from each group's first hit)"
                        .into(),
                ],
            )
        }
        DetectorId::InboxRule => {
            let i = &c.inbox_rule;
            (
                format!(
                    "FROM logs-o365.audit-*
| WHERE TO_LOWER(event.action) IN ({ops}) AND user.id IS NOT NULL
| EVAL params = TO_STRING(o365.audit.Parameters)
| EVAL forwards = params RLIKE \".*(ForwardTo|ForwardAsAttachmentTo|RedirectTo|ForwardingSmtpAddress|ForwardingAddress).*\",
    hides = params RLIKE \".*(DeleteMessage|SoftDeleteMessage|MarkAsRead).*[Tt]rue.*\"
| WHERE forwards OR hides
| EVAL detector = \"inbox_rule\", user = TO_LOWER(user.id),
    entity = CONCAT(user, \" \", event.action), ip = source.ip, first_seen = @timestamp,
    last_seen = @timestamp, event_count = 1, suppressed = false, evidence_ids = event.id
{KEEP}",
                    ops = list(&i.operations),
                ),
                vec![format!(
                    "parameters are matched as text: a forwarding parameter with an empty \
                     value still fires; hiding folders ({}) and punctuation-only rule names \
                     are not checked; the entity lacks the rule name",
                    i.hiding_folders.join(", ")
                )],
            )
        }
        DetectorId::BulkSend => {
            let b = &c.bulk_send;
            (
                format!(
                    "FROM logs-o365.audit-*
| WHERE event.action == \"Send\" AND user.id IS NOT NULL
| STATS event_count = COUNT(*), first_seen = MIN(@timestamp), last_seen = MAX(@timestamp),
    ip = MIN(source.ip), evidence_ids = VALUES(event.id)
    BY user = TO_LOWER(user.id), bin = BUCKET(@timestamp, {w})
| WHERE event_count >= {min}
| EVAL detector = \"bulk_send\", entity = user, suppressed = false
{KEEP}",
                    w = span(b.window.ms()),
                    min = b.min_sends,
                ),
                bins(""),
            )
        }
        DetectorId::CloudRecon => {
            let r = &c.cloud_recon;
            (
                format!(
                    "FROM logs-aws.cloudtrail-*
| WHERE aws.cloudtrail.user_identity.access_key_id IS NOT NULL
| EVAL op = event.action, check = op == \"GetCallerIdentity\",
    recon = op != \"GetCallerIdentity\" AND op RLIKE \"(List|Describe|Get).+\"
| WHERE check OR recon
| EVAL check_time = CASE(check, @timestamp, null), api = CASE(recon, op, null)
| STATS apis = COUNT_DISTINCT(api), checks = COUNT(check_time), first_seen = MIN(check_time),
    last_seen = MAX(@timestamp), event_count = COUNT(*), ip = MIN(source.ip),
    user = MIN(aws.cloudtrail.user_identity.arn), evidence_ids = VALUES(event.id)
    BY key = aws.cloudtrail.user_identity.access_key_id, bin = BUCKET(@timestamp, {w})
| WHERE checks > 0 AND apis >= {min}
| EVAL detector = \"cloud_recon\", entity = key, suppressed = false
{KEEP}",
                    w = span(r.window.ms()),
                    min = r.min_apis,
                ),
                bins("recon calls before the identity check in the same bin also count"),
            )
        }
        DetectorId::SessionAnomaly => {
            let s = &c.session_anomaly;
            (
                format!(
                    "{SIGNINS}
{OUTCOME}
| WHERE azure.signinlogs.properties.session_id IS NOT NULL
| STATS asns = COUNT_DISTINCT(source.as.number), countries = COUNT_DISTINCT(source.geo.country_iso_code),
    first_seen = MIN(@timestamp), last_seen = MAX(@timestamp), event_count = COUNT(*),
    user = MIN(user), ip = MAX(source.ip), evidence_ids = VALUES(event.id)
    BY sid = azure.signinlogs.properties.session_id, bin = BUCKET(@timestamp, {w})
| WHERE asns >= 2 OR countries >= 2
| EVAL detector = \"session_anomaly\", entity = CONCAT(user, \" \", sid), suppressed = false
{KEEP}",
                    w = span(s.window.ms()),
                ),
                bins("first_seen is the bin's first use, not the first of the differing pair"),
            )
        }
        DetectorId::BruteForce => {
            let b = &c.brute_force;
            (
                format!(
                    "{SIGNINS}
{OUTCOME}
| WHERE outcome == \"failure\"
| STATS event_count = COUNT(*), first_seen = MIN(@timestamp), last_seen = MAX(@timestamp),
    ip = MIN(source.ip), evidence_ids = VALUES(event.id)
    BY user, bin = BUCKET(@timestamp, {w})
| WHERE event_count >= {min}
| EVAL detector = \"brute_force\", entity = user, suppressed = false
{KEEP}",
                    w = span(b.window.ms()),
                    min = b.min_failures,
                ),
                bins("a verified sign-in after the failures is not recorded (credential_stuffing reports it)"),
            )
        }
        DetectorId::UserEnumeration => {
            let e = &c.user_enumeration;
            (
                format!(
                    "{SIGNINS}
{OUTCOME}
| WHERE outcome == \"failure\" AND code == \"50034\" AND source.ip IS NOT NULL
| STATS accounts = COUNT_DISTINCT(user), event_count = COUNT(*), first_seen = MIN(@timestamp),
    last_seen = MAX(@timestamp), evidence_ids = VALUES(event.id)
    BY ip = source.ip, bin = BUCKET(@timestamp, {w})
| WHERE accounts >= {min}
| EVAL detector = \"user_enumeration\", entity = TO_STRING(ip), user = null, suppressed = false
{KEEP}",
                    w = span(e.window.ms()),
                    min = e.min_accounts,
                ),
                bins("Entra sign-ins only (result 50034); hunt also reads Okta UNKNOWN_USER, sshd invalid users and Kerberos 0x6"),
            )
        }
        DetectorId::SuspiciousClient => {
            let s = &c.suspicious_client;
            let mut any = Vec::new();
            if s.ropc {
                any.push(
                    "TO_LOWER(azure.signinlogs.properties.authentication_protocol) == \"ropc\""
                        .to_string(),
                );
            }
            if s.device_code {
                any.push(
                    "TO_LOWER(azure.signinlogs.properties.authentication_protocol) == \"devicecode\" \
                     OR TO_LOWER(azure.signinlogs.properties.original_transfer_method) == \"devicecodeflow\""
                        .to_string(),
                );
            }
            for a in &s.user_agents {
                let a = a.trim().to_lowercase();
                if !a.is_empty() {
                    any.push(format!(
                        "TO_LOWER(user_agent.original) LIKE {}",
                        q(&format!("*{}*", a.replace('*', "\\*").replace('?', "\\?")))
                    ));
                }
            }
            let condition = if any.is_empty() {
                "false".to_string()
            } else {
                any.join("\n    OR ")
            };
            (
                grouped(d, &condition, s.group_window.ms()),
                bins("original_transfer_method is read where the integration maps it"),
            )
        }
        // Sigma rules have no lake query; the other detectors of issue 13
        // need per-entity state across events that ES|QL cannot keep.
        _ => return None,
    })
}
