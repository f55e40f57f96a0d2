//! Elastic Common Schema authentication events (Filebeat / Elastic Agent
//! NDJSON) → sign-in drafts. Only events whose `event.category` contains
//! `authentication` are used; the rest are ignored by design. The user is
//! built from `user.name` and `user.domain` (`user@domain.tld` or
//! `DOMAIN\user`). Geo and AS fields are taken as the shipper enriched them.
//! This file does not sanitise text and does not consult GeoIP.

use super::lenient::{Num, StrList, Text};
use super::time::parse_time;
use super::{reason, ParseResult, RecordCx, Reject};
use crate::event::{Draft, Kind, Outcome, Source};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

#[derive(Deserialize)]
struct EcsEvent<'a> {
    #[serde(rename = "@timestamp", borrow, default)]
    timestamp: Text<'a>,
    #[serde(borrow, default)]
    event: Option<EventField<'a>>,
    #[serde(borrow, default)]
    user: Option<User<'a>>,
    #[serde(borrow, default)]
    source: Option<SourceField<'a>>,
    #[serde(borrow, default)]
    user_agent: Option<UserAgent<'a>>,
    #[serde(borrow, default)]
    error: Option<ErrorField<'a>>,
}

#[derive(Deserialize)]
struct EventField<'a> {
    #[serde(default)]
    category: StrList,
    #[serde(borrow, default)]
    outcome: Text<'a>,
    #[serde(borrow, default)]
    action: Text<'a>,
    #[serde(borrow, default)]
    provider: Text<'a>,
}

#[derive(Deserialize)]
struct User<'a> {
    #[serde(borrow, default)]
    name: Text<'a>,
    #[serde(borrow, default)]
    domain: Text<'a>,
}

#[derive(Deserialize)]
struct SourceField<'a> {
    #[serde(borrow, default)]
    ip: Text<'a>,
    #[serde(borrow, default)]
    geo: Option<Geo<'a>>,
    #[serde(rename = "as", borrow, default)]
    asys: Option<AutonomousSystem<'a>>,
}

#[derive(Deserialize)]
struct Geo<'a> {
    #[serde(borrow, default)]
    country_iso_code: Text<'a>,
    #[serde(borrow, default)]
    city_name: Text<'a>,
    #[serde(default)]
    location: GeoPoint,
}

#[derive(Deserialize)]
struct AutonomousSystem<'a> {
    #[serde(default)]
    number: Num,
    #[serde(borrow, default)]
    organization: Option<Organization<'a>>,
}

#[derive(Deserialize)]
struct Organization<'a> {
    #[serde(borrow, default)]
    name: Text<'a>,
}

#[derive(Deserialize)]
struct UserAgent<'a> {
    #[serde(borrow, default)]
    original: Text<'a>,
}

#[derive(Deserialize)]
struct ErrorField<'a> {
    #[serde(borrow, default)]
    code: Text<'a>,
}

/// An Elasticsearch `geo_point`: `{"lat":…,"lon":…}`, `[lon, lat]` or `"lat,lon"`.
/// Any other spelling is absent rather than an error.
#[derive(Default, Debug, Clone, Copy, PartialEq)]
struct GeoPoint(Option<(f64, f64)>);

impl<'de> Deserialize<'de> for GeoPoint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = GeoPoint;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a geo_point")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<GeoPoint, A::Error> {
                let (mut lat, mut lon) = (None, None);
                while let Some(k) = m.next_key::<Text>()? {
                    match k.as_str() {
                        "lat" => lat = m.next_value::<Num>()?.0,
                        "lon" => lon = m.next_value::<Num>()?.0,
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(GeoPoint(lat.zip(lon)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<GeoPoint, A::Error> {
                let lon = s.next_element::<Num>()?.and_then(|n| n.0);
                let lat = s.next_element::<Num>()?.and_then(|n| n.0);
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(GeoPoint(lat.zip(lon)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<GeoPoint, E> {
                let mut parts = v.split(',').map(|p| p.trim().parse::<f64>().ok());
                Ok(GeoPoint(match (parts.next(), parts.next(), parts.next()) {
                    (Some(Some(lat)), Some(Some(lon)), None) => Some((lat, lon)),
                    _ => None,
                }))
            }
            fn visit_unit<E: de::Error>(self) -> Result<GeoPoint, E> {
                Ok(GeoPoint(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<GeoPoint, E> {
                Ok(GeoPoint(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<GeoPoint, E> {
                Ok(GeoPoint(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<GeoPoint, E> {
                Ok(GeoPoint(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<GeoPoint, E> {
                Ok(GeoPoint(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses one ECS event.
pub fn parse(raw: &str, cx: &mut RecordCx) -> ParseResult {
    let ev: EcsEvent = serde_json::from_str(raw)
        .map_err(|e| Reject::problem(reason::MALFORMED_JSON, e.to_string()))?;
    let Some(event) = ev.event.as_ref().filter(|e| {
        e.category
            .0
            .iter()
            .any(|c| c.trim().eq_ignore_ascii_case("authentication"))
    }) else {
        return Err(Reject::Ignored(
            "ECS event not in the authentication category",
        ));
    };
    let ts = ev.timestamp.as_str();
    let time = parse_time(ts)
        .ok_or_else(|| Reject::problem(reason::BAD_TIME, format!("@timestamp {:?}", ts.trim())))?;
    let (name, domain) = ev
        .user
        .as_ref()
        .map(|u| (u.name.as_str().trim(), u.domain.as_str().trim()))
        .unwrap_or_default();
    if name.is_empty() {
        return Err(Reject::problem(
            reason::NO_USER,
            "ECS event without user.name",
        ));
    }
    let mut d = Draft::new(time, Source::Ecs, Kind::SignIn);
    d.user = if name.contains('@') || name.contains('\\') || domain.is_empty() {
        cx.put_user(name)
    } else if domain.contains('.') {
        cx.put_user(&format!("{name}@{domain}"))
    } else {
        cx.put_user(&format!("{domain}\\{name}"))
    };
    d.outcome = match event.outcome.as_str().trim() {
        o if o.eq_ignore_ascii_case("success") => Outcome::Success,
        o if o.eq_ignore_ascii_case("failure") => Outcome::Failure,
        _ => Outcome::Unknown,
    };
    d.app = match event.action.as_str().trim() {
        "" => cx.put(event.provider.as_str()),
        action => cx.put(action),
    };
    if let Some(e) = &ev.error {
        d.result_code = cx.put(e.code.as_str());
    }
    if let Some(ua) = &ev.user_agent {
        d.user_agent = cx.put(ua.original.as_str());
    }
    if let Some(src) = &ev.source {
        d.ip = cx.put_ip(src.ip.as_str());
        if let Some(g) = &src.geo {
            d.country = cx.put_country(g.country_iso_code.as_str());
            d.city = cx.put(g.city_name.as_str());
            if let Some((lat, lon)) = g.location.0 {
                let valid = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
                if valid && (lat != 0.0 || lon != 0.0) {
                    d.lat = lat as f32;
                    d.lon = lon as f32;
                }
            }
        }
        if let Some(a) = &src.asys {
            d.asn = match a.number.0 {
                Some(v) if v >= 1.0 && v <= u32::MAX as f64 => v as u32,
                _ => 0,
            };
            if let Some(org) = &a.organization {
                d.as_org = cx.put(org.name.as_str());
            }
        }
    }
    cx.emit(d);
    Ok(())
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
    fn authentication_event_with_geo_and_as() {
        let raw = r#"{"@timestamp":"2024-05-01T12:00:00.000Z","event":{"category":["authentication"],"outcome":"failure","action":"ssh_login","provider":"sshd"},"user":{"name":"Root"},"source":{"ip":"185.220.101.4","geo":{"country_iso_code":"DE","city_name":"Berlin","location":{"lat":52.52,"lon":13.4}},"as":{"number":208294,"organization":{"name":"Example Hosting"}}},"user_agent":{"original":"OpenSSH_8.9"},"error":{"code":"0xC000006A"}}"#;
        let (b, res) = run(raw);
        assert_eq!(res, Ok(()));
        let d = b.drafts[0];
        let t = |x| b.text.get(x);
        assert_eq!(
            (d.source, d.kind, d.outcome),
            (Source::Ecs, Kind::SignIn, Outcome::Failure)
        );
        assert_eq!(d.time, parse_time("2024-05-01T12:00:00Z").unwrap());
        assert_eq!(t(d.user), "root");
        assert_eq!(t(d.ip), "185.220.101.4");
        assert_eq!(t(d.country), "DE");
        assert_eq!(t(d.city), "Berlin");
        assert!((d.lat - 52.52).abs() < 1e-4 && (d.lon - 13.4).abs() < 1e-4);
        assert_eq!(d.asn, 208294);
        assert_eq!(t(d.as_org), "Example Hosting");
        assert_eq!(t(d.user_agent), "OpenSSH_8.9");
        assert_eq!(t(d.app), "ssh_login");
        assert_eq!(t(d.result_code), "0xC000006A");
    }

    #[test]
    fn user_and_domain_forms() {
        let user = |name: &str, domain: &str| {
            let raw = format!(
                r#"{{"@timestamp":"2024-05-01T12:00:00Z","event":{{"category":"authentication","outcome":"success","provider":"Security"}},"user":{{"name":"{name}","domain":"{domain}"}},"source":{{"geo":{{"location":[13.4,52.5]}}}}}}"#
            );
            let (b, res) = run(&raw);
            assert_eq!(res, Ok(()), "{raw}");
            let d = b.drafts[0];
            assert_eq!(d.outcome, Outcome::Success);
            assert_eq!(b.text.get(d.app), "Security");
            assert!((d.lat - 52.5).abs() < 1e-4, "array geo_point is [lon, lat]");
            b.text.get(d.user).to_string()
        };
        assert_eq!(user("Alice", "CONTOSO"), "contoso\\alice");
        assert_eq!(user("alice", "contoso.com"), "alice@contoso.com");
        assert_eq!(user("alice@contoso.com", "CONTOSO"), "alice@contoso.com");
        assert_eq!(user("alice", ""), "alice");
    }

    #[test]
    fn rejections() {
        let res = |raw: &str| run(raw).1;
        assert_eq!(
            res(
                r#"{"@timestamp":"2024-05-01T12:00:00Z","event":{"category":["process"]},"user":{"name":"a"}}"#
            ),
            Err(Reject::Ignored(
                "ECS event not in the authentication category"
            ))
        );
        assert_eq!(
            res(r#"{"@timestamp":"2024-05-01T12:00:00Z"}"#),
            Err(Reject::Ignored(
                "ECS event not in the authentication category"
            ))
        );
        let problem = |raw: &str| match run(raw).1 {
            Err(Reject::Problem(r, _)) => r,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            problem(
                r#"{"@timestamp":"never","event":{"category":["authentication"]},"user":{"name":"a"}}"#
            ),
            reason::BAD_TIME
        );
        assert_eq!(
            problem(
                r#"{"@timestamp":"2024-05-01T12:00:00Z","event":{"category":"authentication"}}"#
            ),
            reason::NO_USER
        );
        assert_eq!(problem(r#"{"@timestamp":"#), reason::MALFORMED_JSON);
        let (b, r) = run(
            r#"{"@timestamp":"2024-05-01T12:00:00Z","event":{"category":["authentication"]},"user":{"name":"a"},"source":{"ip":"10.0.0.1:4444","geo":{"location":"not a point"}}}"#,
        );
        assert_eq!(r, Ok(()));
        assert_eq!(b.text.get(b.drafts[0].ip), "10.0.0.1");
        assert!(!b.drafts[0].has_coords());
    }
}
