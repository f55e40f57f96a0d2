//! Okta System Log `LogEvent`s → drafts. Accepts Okta's camelCase and
//! Panther's stored form (lower-cased keys, `p_event_time` when `published`
//! is missing). Sign-in event types become `Kind::SignIn`; every other event
//! type becomes a `Kind::Audit` event whose operation is the event type, kept
//! for the user's timeline. Okta sends country *names*; they are mapped to
//! ISO codes by `RecordCx::put_country`. Nulls are normal here. An Okta Verify
//! push the user rejected or left unanswered (`user.mfa.okta_verify.deny_push`,
//! or an `auth_via_mfa` failure of factor `OKTA_VERIFY_PUSH` in
//! `debugContext.debugData`) is an interrupted sign-in flagged
//! `MFA_DENIED`: the password was right. A failure with reason
//! `UNKNOWN_USER` is flagged `NO_SUCH_USER`. This file does not sanitise
//! text and does not use GeoIP.

use super::lenient::{Flag, Num, Text};
use super::time::parse_time;
use super::{reason, ParseResult, RecordCx, Reject};
use crate::event::{flags, Draft, Kind, Outcome, Source};
use serde::Deserialize;

/// Okta Verify push rejections (sign-ins whose MFA step was denied).
const DENY_PUSH_TYPES: [&str; 2] = [
    "user.mfa.okta_verify.deny_push",
    "user.mfa.okta_verify.deny_push_upgrade_needed",
];

/// Event types that are sign-ins (authentication attempts with an outcome).
const SIGNIN_TYPES: [&str; 6] = [
    "user.session.start",
    "user.authentication.sso",
    "user.authentication.auth_via_mfa",
    "user.authentication.verify",
    "user.authentication.auth_via_IDP",
    "user.authentication.auth_via_radius",
];

#[derive(Deserialize)]
struct LogEvent<'a> {
    #[serde(borrow, default)]
    published: Text<'a>,
    /// The event's own id.
    #[serde(borrow, default)]
    uuid: Text<'a>,
    /// Panther's normalised event time, used when `published` is absent.
    #[serde(borrow, default)]
    p_event_time: Text<'a>,
    #[serde(rename = "eventType", alias = "eventtype", borrow, default)]
    event_type: Text<'a>,
    #[serde(borrow, default)]
    actor: Option<Actor<'a>>,
    /// Kept raw: only read when the actor is not a person (see [`signed_in_user`]);
    /// a malformed `target` then costs the fallback, never the record.
    #[serde(borrow, default)]
    target: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow, default)]
    client: Option<Client<'a>>,
    #[serde(borrow, default)]
    outcome: Option<OktaOutcome<'a>>,
    #[serde(rename = "securityContext", alias = "securitycontext", borrow, default)]
    security: Option<Security<'a>>,
    #[serde(
        rename = "authenticationContext",
        alias = "authenticationcontext",
        borrow,
        default
    )]
    auth: Option<AuthContext<'a>>,
    /// Kept raw and read by [`debug_data`]: a malformed debug context costs
    /// its two values, never the record.
    #[serde(rename = "debugContext", alias = "debugcontext", borrow, default)]
    debug: Option<&'a serde_json::value::RawValue>,
}

#[derive(Deserialize)]
struct DebugContext<'a> {
    #[serde(rename = "debugData", alias = "debugdata", borrow, default)]
    data: Option<DebugData<'a>>,
}

/// The few `debugData` keys read (Okta writes every value as text).
#[derive(Deserialize, Default)]
struct DebugData<'a> {
    #[serde(borrow, default)]
    factor: Text<'a>,
    #[serde(rename = "threatSuspected", alias = "threatsuspected", default)]
    threat_suspected: Flag,
}

/// `debugContext.debugData`, or nothing when it is absent or not the expected shape.
fn debug_data(raw: Option<&serde_json::value::RawValue>) -> Option<DebugData<'_>> {
    serde_json::from_str::<DebugContext>(raw?.get()).ok()?.data
}

#[derive(Deserialize)]
struct Actor<'a> {
    #[serde(rename = "alternateId", alias = "alternateid", borrow, default)]
    alternate_id: Text<'a>,
    #[serde(rename = "type", borrow, default)]
    kind: Text<'a>,
}

/// One entry of `target[]`.
#[derive(Deserialize)]
struct Target<'a> {
    #[serde(rename = "alternateId", alias = "alternateid", borrow, default)]
    alternate_id: Text<'a>,
    #[serde(rename = "type", borrow, default)]
    kind: Text<'a>,
}

/// The person an event is about. Usually the actor; when the actor is a
/// system principal or an app (inbound federation `auth_via_IDP`, Okta's own
/// `system@okta.com`), the person is the first `target` of type `User`.
/// Both fields are Okta's structure, not text a client typed.
fn signed_in_user(
    actor: Option<&Actor<'_>>,
    target: Option<&serde_json::value::RawValue>,
) -> String {
    let actor_id = actor
        .map(|a| a.alternate_id.as_str().trim())
        .unwrap_or_default();
    let actor_kind = actor.map(|a| a.kind.as_str().trim()).unwrap_or_default();
    let actor_is_person = !actor_id.is_empty()
        && (actor_kind.is_empty() || actor_kind.eq_ignore_ascii_case("user"))
        && !actor_id.eq_ignore_ascii_case("system@okta.com");
    if actor_is_person {
        return actor_id.to_string();
    }
    let from_target = target
        .and_then(|raw| serde_json::from_str::<Vec<Target>>(raw.get()).ok())
        .and_then(|targets| {
            targets
                .iter()
                .find(|t| {
                    t.kind.as_str().trim().eq_ignore_ascii_case("user")
                        && !t.alternate_id.as_str().trim().is_empty()
                })
                .map(|t| t.alternate_id.as_str().trim().to_string())
        });
    from_target.unwrap_or_else(|| actor_id.to_string())
}

#[derive(Deserialize)]
struct Client<'a> {
    #[serde(rename = "ipAddress", alias = "ipaddress", borrow, default)]
    ip: Text<'a>,
    #[serde(rename = "userAgent", alias = "useragent", borrow, default)]
    user_agent: Option<UserAgent<'a>>,
    #[serde(
        rename = "geographicalContext",
        alias = "geographicalcontext",
        borrow,
        default
    )]
    geo: Option<Geo<'a>>,
}

#[derive(Deserialize)]
struct UserAgent<'a> {
    #[serde(rename = "rawUserAgent", alias = "rawuseragent", borrow, default)]
    raw: Text<'a>,
}

#[derive(Deserialize)]
struct Geo<'a> {
    #[serde(borrow, default)]
    country: Text<'a>,
    #[serde(borrow, default)]
    city: Text<'a>,
    #[serde(default)]
    geolocation: Option<GeoPoint>,
}

#[derive(Deserialize)]
struct GeoPoint {
    #[serde(default)]
    lat: Num,
    #[serde(default)]
    lon: Num,
}

#[derive(Deserialize)]
struct OktaOutcome<'a> {
    #[serde(borrow, default)]
    result: Text<'a>,
    #[serde(borrow, default)]
    reason: Text<'a>,
}

#[derive(Deserialize)]
struct Security<'a> {
    #[serde(rename = "asNumber", alias = "asnumber", default)]
    as_number: Num,
    #[serde(rename = "asOrg", alias = "asorg", borrow, default)]
    as_org: Text<'a>,
    #[serde(rename = "isProxy", alias = "isproxy", default)]
    is_proxy: Flag,
}

#[derive(Deserialize)]
struct AuthContext<'a> {
    #[serde(
        rename = "externalSessionId",
        alias = "externalsessionid",
        borrow,
        default
    )]
    external_session_id: Text<'a>,
}

/// Parses one Okta `LogEvent`.
pub fn parse(raw: &str, cx: &mut RecordCx) -> ParseResult {
    let ev: LogEvent = serde_json::from_str(raw)
        .map_err(|e| Reject::problem(reason::MALFORMED_JSON, e.to_string()))?;
    let event_type = ev.event_type.as_str().trim();
    if event_type.is_empty() {
        return Err(Reject::problem(
            reason::UNKNOWN_SHAPE,
            "Okta event without eventType",
        ));
    }
    let when = if ev.published.as_str().trim().is_empty() {
        ev.p_event_time.as_str()
    } else {
        ev.published.as_str()
    };
    let time = parse_time(when)
        .ok_or_else(|| Reject::problem(reason::BAD_TIME, format!("published {:?}", when.trim())))?;
    let deny_push = DENY_PUSH_TYPES.contains(&event_type);
    let kind = if SIGNIN_TYPES.contains(&event_type) || deny_push {
        Kind::SignIn
    } else {
        Kind::Audit
    };
    let user = signed_in_user(ev.actor.as_ref(), ev.target);
    let user = user.as_str();
    if kind == Kind::SignIn && user.trim().is_empty() {
        return Err(Reject::problem(
            reason::NO_USER,
            format!("Okta {event_type} without actor.alternateId"),
        ));
    }
    let mut d = Draft::new(time, Source::Okta, kind);
    d.user = cx.put_user(user);
    d.operation = cx.put(event_type);
    if let Some(o) = &ev.outcome {
        let result = o.result.as_str().trim();
        d.outcome = match result.to_ascii_uppercase().as_str() {
            "SUCCESS" | "ALLOW" => Outcome::Success,
            "FAILURE" | "DENY" => Outcome::Failure,
            _ => Outcome::Unknown,
        };
        let reason = o.reason.as_str();
        d.result_code = cx.put(if reason.trim().is_empty() {
            result
        } else {
            reason
        });
        if d.outcome == Outcome::Failure && reason.trim().eq_ignore_ascii_case("UNKNOWN_USER") {
            d.flags |= flags::NO_SUCH_USER;
        }
    }
    let debug = debug_data(ev.debug);
    let debug = debug.as_ref();
    let push_failed = event_type == "user.authentication.auth_via_mfa"
        && d.outcome == Outcome::Failure
        && debug.is_some_and(|g| g.factor.as_str().trim() == "OKTA_VERIFY_PUSH");
    if deny_push || push_failed {
        d.outcome = Outcome::Interrupted;
        d.flags |= flags::MFA_DENIED;
    }
    if event_type == "security.threat.detected"
        || debug.is_some_and(|g| g.threat_suspected.0 == Some(true))
    {
        d.flags |= flags::THREAT_SUSPECTED;
    }
    if let Some(c) = &ev.client {
        d.ip = cx.put_ip(c.ip.as_str());
        if let Some(ua) = &c.user_agent {
            d.user_agent = cx.put(ua.raw.as_str());
        }
        if let Some(g) = &c.geo {
            d.country = cx.put_country(g.country.as_str());
            d.city = cx.put(g.city.as_str());
            if let Some((lat, lon)) = g.geolocation.as_ref().and_then(coordinates) {
                d.lat = lat;
                d.lon = lon;
            }
        }
    }
    if let Some(s) = &ev.security {
        d.asn = match s.as_number.0 {
            Some(v) if v >= 1.0 && v <= u32::MAX as f64 => v as u32,
            _ => 0,
        };
        d.as_org = cx.put(s.as_org.as_str());
        if s.is_proxy.0 == Some(true) {
            d.flags |= flags::IS_PROXY;
        }
    }
    if let Some(a) = &ev.auth {
        // Okta writes "unknown" for attempts that never got a session: not a session id.
        let session = a.external_session_id.as_str();
        if !session.eq_ignore_ascii_case("unknown") {
            d.session_id = cx.put(session);
        }
    }
    let second = crate::dedup::second(time);
    let result = ev.outcome.as_ref().map_or("", |o| o.result.as_str());
    let id = [ev.uuid.as_str(), user, &second, event_type, result];
    cx.identity = crate::dedup::identity(Source::Okta, &id);
    cx.emit(d);
    Ok(())
}

fn coordinates(p: &GeoPoint) -> Option<(f32, f32)> {
    let (lat, lon) = (p.lat.0?, p.lon.0?);
    let valid = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
    (valid && (lat != 0.0 || lon != 0.0)).then_some((lat as f32, lon as f32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Batch, Origin};

    fn run(raw: &str) -> (Batch, ParseResult) {
        let mut batch = Batch::default();
        let res = parse(raw, &mut RecordCx::new(&mut batch, Origin::default()));
        (batch, res)
    }

    #[test]
    fn system_principal_actor_charges_the_target_user() {
        let raw = r#"{"actor":{"alternateId":"system@okta.com","type":"SystemPrincipal"},"target":[{"alternateId":"Acme IdP","type":"IdentityProvider"},{"alternateId":"Peter@Company.com","type":"User"}],"client":{"ipAddress":"1.3.2.4"},"eventType":"user.authentication.auth_via_IDP","outcome":{"result":"FAILURE","reason":"INVALID_CREDENTIALS"},"published":"2022-06-22T18:18:29.015Z"}"#;
        let (b, res) = run(raw);
        assert_eq!(res, Ok(()));
        assert_eq!(b.text.get(b.drafts[0].user), "peter@company.com");
    }

    #[test]
    fn a_person_actor_is_kept_and_a_bad_target_costs_nothing() {
        let raw = r#"{"actor":{"alternateId":"homer@duff.com","type":"User"},"target":[{"alternateId":"other@duff.com","type":"User"}],"client":{"ipAddress":"1.3.2.4"},"eventType":"user.session.start","outcome":{"result":"SUCCESS"},"published":"2022-06-22T18:18:29.015Z"}"#;
        let (b, res) = run(raw);
        assert_eq!(res, Ok(()));
        assert_eq!(b.text.get(b.drafts[0].user), "homer@duff.com");
        let raw = r#"{"actor":{"alternateId":"system@okta.com","type":"SystemPrincipal"},"target":{"odd":1},"client":{"ipAddress":"1.3.2.4"},"eventType":"user.session.start","outcome":{"result":"SUCCESS"},"published":"2022-06-22T18:18:29.015Z"}"#;
        let (b, res) = run(raw);
        assert_eq!(res, Ok(()));
        assert_eq!(b.text.get(b.drafts[0].user), "system@okta.com");
    }

    #[test]
    fn camel_case_session_start() {
        let raw = r#"{"actor":{"alternateId":"Test@Test.com","detailEntry":null},"authenticationContext":{"externalSessionId":"xyz"},"client":{"geographicalContext":{"city":"Ashburn","country":"United States","geolocation":{"lat":39.1469,"lon":-77.5903}},"ipAddress":"81.2.69.144","userAgent":{"rawUserAgent":"blah"}},"eventType":"user.session.start","outcome":{"reason":null,"result":"SUCCESS"},"published":"2022-05-11T09:25:18.716Z","securityContext":{"asNumber":14618,"asOrg":"amazon data services nova","isProxy":false},"target":null}"#;
        let (b, res) = run(raw);
        assert_eq!(res, Ok(()));
        let d = b.drafts[0];
        let t = |x| b.text.get(x);
        assert_eq!(
            (d.source, d.kind, d.outcome),
            (Source::Okta, Kind::SignIn, Outcome::Success)
        );
        assert_eq!(d.time, parse_time("2022-05-11T09:25:18.716Z").unwrap());
        assert_eq!(t(d.user), "test@test.com");
        assert_eq!(t(d.ip), "81.2.69.144");
        assert_eq!(t(d.country), "US");
        assert_eq!(t(d.city), "Ashburn");
        assert!((d.lat - 39.1469).abs() < 1e-4 && (d.lon + 77.5903).abs() < 1e-4);
        assert_eq!(t(d.user_agent), "blah");
        assert_eq!(d.asn, 14618);
        assert_eq!(t(d.as_org), "amazon data services nova");
        assert_eq!(d.flags & flags::IS_PROXY, 0);
        assert_eq!(t(d.session_id), "xyz");
        assert_eq!(t(d.result_code), "SUCCESS");
        assert_eq!(t(d.operation), "user.session.start");
    }

    #[test]
    fn panther_lower_case_keys_proxy_and_failure_reason() {
        let raw = r#"{"actor":{"alternateId":"homer@duff.com"},"authenticationcontext":{"externalSessionId":"100-abc"},"client":{"geographicalContext":{"country":"Russia"},"ipAddress":"1.3.2.4"},"eventtype":"user.session.start","outcome":{"reason":"INVALID_CREDENTIALS","result":"FAILURE"},"published":"2022-06-22 18:18:29.015","securitycontext":{"asNumber":"701","isProxy":"true"}}"#;
        let (b, res) = run(raw);
        assert_eq!(res, Ok(()));
        let d = b.drafts[0];
        assert_eq!(d.outcome, Outcome::Failure);
        assert_eq!(b.text.get(d.result_code), "INVALID_CREDENTIALS");
        assert_eq!(b.text.get(d.country), "RU");
        assert_eq!(b.text.get(d.session_id), "100-abc");
        assert_eq!(d.asn, 701);
        assert_ne!(d.flags & flags::IS_PROXY, 0);
    }

    #[test]
    fn other_event_types_are_audit_events() {
        let raw = r#"{"actor":{"alternateId":"admin@x.com"},"eventType":"user.account.privilege.grant","outcome":{"result":"ALLOW"},"p_event_time":"2021-06-04 09:59:53.650807","client":null,"securityContext":{"asNumber":null,"isProxy":null}}"#;
        let (b, res) = run(raw);
        assert_eq!(res, Ok(()));
        let d = b.drafts[0];
        assert_eq!(d.kind, Kind::Audit);
        assert_eq!(d.outcome, Outcome::Success);
        assert_eq!(b.text.get(d.operation), "user.account.privilege.grant");
        assert_eq!(d.time, parse_time("2021-06-04T09:59:53.650Z").unwrap());
        assert_eq!(d.asn, 0);
        assert!(!d.has_coords());
    }

    #[test]
    fn rejected_pushes_are_interrupted_mfa_denials() {
        let deny = r#"{"actor":{"alternateId":"Dana@Acme.io","type":"User"},"client":{"ipAddress":"198.51.100.4"},"eventType":"user.mfa.okta_verify.deny_push","outcome":{"result":"FAILURE","reason":"User rejected Okta push verify"},"published":"2024-05-01T10:00:00Z"}"#;
        let (b, res) = run(deny);
        assert_eq!(res, Ok(()));
        let d = b.drafts[0];
        assert_eq!((d.kind, d.outcome), (Kind::SignIn, Outcome::Interrupted));
        assert_eq!(d.flags & flags::MFA_DENIED, flags::MFA_DENIED);
        let mfa = r#"{"actor":{"alternateId":"dana@acme.io","type":"User"},"client":{"ipAddress":"198.51.100.4"},"eventType":"user.authentication.auth_via_mfa","outcome":{"result":"FAILURE","reason":"INVALID_CREDENTIALS"},"debugContext":{"debugData":{"factor":"OKTA_VERIFY_PUSH","threatSuspected":"false"}},"published":"2024-05-01T10:00:05Z"}"#;
        let d = run(mfa).0.drafts[0];
        assert_eq!(d.outcome, Outcome::Interrupted);
        assert_eq!(d.flags, flags::MFA_DENIED);
        // A wrong one-time code is a failed factor, not a push denial.
        let otp = mfa.replace("OKTA_VERIFY_PUSH", "GOOGLE_AUTHENTICATOR");
        let d = run(&otp).0.drafts[0];
        assert_eq!((d.outcome, d.flags), (Outcome::Failure, 0));
        // A debug context of another shape costs its values, not the record.
        for odd in [r#""debugData":"""#, r#""debugData":{"factor":{"x":1}}"#] {
            let raw = mfa.replace(
                r#""debugData":{"factor":"OKTA_VERIFY_PUSH","threatSuspected":"false"}"#,
                odd,
            );
            let (b, res) = run(&raw);
            assert_eq!(res, Ok(()), "{raw}");
            assert_eq!(b.drafts[0].outcome, Outcome::Failure);
        }
    }

    #[test]
    fn unknown_users_and_threat_insight_are_flagged() {
        let unknown = r#"{"actor":{"alternateId":"nobody@acme.io","type":"User"},"client":{"ipAddress":"198.51.100.4"},"eventType":"user.session.start","outcome":{"result":"FAILURE","reason":"UNKNOWN_USER"},"published":"2024-05-01T10:00:00Z"}"#;
        let d = run(unknown).0.drafts[0];
        assert_eq!(
            (d.outcome, d.flags),
            (Outcome::Failure, flags::NO_SUCH_USER)
        );
        let bad_password = unknown.replace("UNKNOWN_USER", "INVALID_CREDENTIALS");
        assert_eq!(run(&bad_password).0.drafts[0].flags, 0);
        let threat = r#"{"actor":{"alternateId":"dana@acme.io","type":"User"},"client":{"ipAddress":"198.51.100.4"},"eventType":"user.session.start","outcome":{"result":"SUCCESS"},"debugcontext":{"debugData":{"threatSuspected":"true"}},"published":"2024-05-01T10:00:00Z"}"#;
        let d = run(threat).0.drafts[0];
        assert_eq!(
            (d.outcome, d.flags),
            (Outcome::Success, flags::THREAT_SUSPECTED)
        );
    }

    #[test]
    fn rejections() {
        let problem = |raw: &str| match run(raw).1 {
            Err(Reject::Problem(r, _)) => r,
            other => panic!("{other:?}"),
        };
        assert_eq!(problem(r#"{"eventType":"logout"}"#), reason::BAD_TIME);
        assert_eq!(
            problem(
                r#"{"eventType":"user.session.start","published":"2022-01-01T00:00:00Z","actor":{"alternateId":null}}"#
            ),
            reason::NO_USER
        );
        assert_eq!(
            problem(r#"{"published":"2022-01-01T00:00:00Z"}"#),
            reason::UNKNOWN_SHAPE
        );
        assert_eq!(problem(r#"{"published":"#), reason::MALFORMED_JSON);
        assert_eq!(
            problem(r#"{"eventType":"a","eventtype":"b","published":"2022-01-01T00:00:00Z"}"#),
            reason::MALFORMED_JSON
        );
        let (_, res) = run(
            r#"{"eventType":"x","published":"2022-01-01T00:00:00Z","outcome":{"result":"CHALLENGE"}}"#,
        );
        assert_eq!(res, Ok(()));
    }
}
